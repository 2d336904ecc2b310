/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A host: the root prefix, its vz.conf, and the verbs that work on
 * container definitions (define, dumpxml, undefine, list).  Every
 * function that changes a container takes vzctl's lock for it first. */
#ifndef OVZ_CORE_HOST_H
#define OVZ_CORE_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "config.h"
#include "model.h"
#include "vzconf.h"

struct ovz_host {
	struct ovz_vzconf *vz;
	char *backend;		/* "auto", "vz", "vz7", "ns" */
	char *lockdir;		/* ROOT + LOCKDIR */
	struct ovz_warn warn;	/* to the user's handler, each message once */
	struct ovz_warn user_warn;
	char **warned;		/* what was passed on */
	size_t n_warned;
};

int ovz_host_open(const char *root, const char *backend, struct ovz_host **out,
		  struct ovz_error **err);
void ovz_host_free(struct ovz_host *h);

/* Warnings go to fn from now on (NULL drops them); vz.conf's, found when
 * the host was opened, at once.  Each message is passed on once. */
void ovz_host_set_warn(struct ovz_host *h, void (*fn)(void *data, const char *msg), void *data);
/* Loads a config, passing the lines it skipped to the host's warnings. */
int ovz_host_conf_load(struct ovz_host *h, const char *path, struct ovz_conf **out,
		       struct ovz_error **err);

/* CTID or name to CTID.  -ENOENT when no such container is defined. */
int ovz_host_lookup(struct ovz_host *h, const char *id, unsigned *ctid, struct ovz_error **err);
/* A container's config as it is on disk (keys the model does not own too). */
int ovz_host_load_conf(struct ovz_host *h, unsigned ctid, struct ovz_conf **out,
		       struct ovz_error **err);
/* The NUMPROC limit of its config (a beancounter the model does not own;
 * "barrier:limit" or one value), 0 when none or unlimited. */
uint64_t ovz_host_numproc(struct ovz_host *h, unsigned ctid);
/* Reads a container's definition from its config. */
int ovz_host_load(struct ovz_host *h, unsigned ctid, struct ovz_domain **out,
		  struct ovz_error **err);

/* VE_PRIVATE and VE_ROOT of d with $VEID expanded, as seen inside the root
 * prefix (no prefix): from its config when defined, else vz.conf; a mount
 * filesystem on '/' overrides the private area. */
void ovz_host_ct_dirs(struct ovz_host *h, const struct ovz_domain *d, char **private_dir,
		      char **root_dir);

/* ovz_host_ct_dirs, refusing paths a container's area must not have (one
 * line naming CT, key and path): ovz_check_area_path, strictly below the
 * directory of vz.conf's VE_PRIVATE (VE_ROOT) that holds $VEID or below one
 * of vz.conf's OVZ_AREA_PREFIXES, and not holding TEMPLATE, LOCKDIR or
 * those directories.  Every verb that mounts or removes an area uses it. */
int ovz_host_ct_area(struct ovz_host *h, const struct ovz_domain *d, char **private_dir,
		     char **root_dir, struct ovz_error **err);
/* 1 (with *owner) when priv is the area of another container: vz.conf's
 * VE_PRIVATE for the CTID it is named after, or another config's
 * VE_PRIVATE. */
int ovz_host_area_owner(struct ovz_host *h, unsigned ctid, const char *priv, unsigned *owner);

/* The definition a running container was started with (and changed live
 * since): RUN_DIR/CTID.live, in the config syntax.  Stop and set work from
 * it so that what was added live is also what is removed. */
int ovz_host_save_live(struct ovz_host *h, const struct ovz_domain *d, struct ovz_error **err);
int ovz_host_remove_live(struct ovz_host *h, unsigned ctid, struct ovz_error **err);
/* Whether the container runs, as the host's backend sees it (VE_TEST on a
 * legacy OpenVZ kernel, so containers vzctl started count too), else by the
 * run state; *init_pid (may be NULL) is the recorded init, 0 when none. */
bool ovz_host_ct_running(struct ovz_host *h, unsigned ctid, pid_t *init_pid);
/* The same, but 1, 0, or the kernel's -errno when it cannot tell. */
int ovz_host_ct_state(struct ovz_host *h, unsigned ctid, pid_t *init_pid,
		      struct ovz_error **err);

/* The live definition when there is one, else the config's. */
int ovz_host_load_live(struct ovz_host *h, unsigned ctid, struct ovz_domain **out,
		       struct ovz_error **err);

/* Writes CTID.conf and the name link from d.  A domain without a CTID gets
 * the lowest free one from 101 up (d->ctid is set).  Redefining updates the
 * config in place.  A name held by another container is -EEXIST. */
int ovz_host_define(struct ovz_host *h, struct ovz_domain *d, struct ovz_error **err);
/* ovz_host_define without taking the lock, for a caller that holds it. */
int ovz_host_define_locked(struct ovz_host *h, struct ovz_domain *d, struct ovz_error **err);

/* Canonical XML of a defined container. */
int ovz_host_dumpxml(struct ovz_host *h, unsigned ctid, char **xml, struct ovz_error **err);
/* Removes config and name link; -EBUSY while a private area exists or the
 * container runs. */
int ovz_host_undefine(struct ovz_host *h, unsigned ctid, struct ovz_error **err);

enum ovz_status {
	OVZ_STATUS_STOPPED,
	OVZ_STATUS_RUNNING,
	OVZ_STATUS_MOUNTED,
	OVZ_STATUS_INCOMPLETE,	/* an interrupted create left a marker */
};
const char *ovz_status_name(enum ovz_status s);

/* One container as `list` shows it: the model plus live state and the
 * vzctl keys vzlist reports that the model does not own. */
struct ovz_ct_info {
	unsigned ctid;
	struct ovz_domain *dom;
	enum ovz_status status;
	bool exists;		/* private area present */
	int nproc;		/* -1 when stopped */
	char backend[8];	/* the backend it runs on, "" when stopped */
	char *private_path;	/* expanded VE_PRIVATE (without the root prefix) */
	char *root_path;	/* expanded VE_ROOT */
	struct ovz_conf *conf;	/* the raw config, for keys the model does not own */
	char *conf_error;	/* set when the config could not be read */
};

/* All defined containers, sorted by CTID. */
int ovz_host_list(struct ovz_host *h, struct ovz_ct_info **out, size_t *n,
		  struct ovz_error **err);
void ovz_ct_info_free(struct ovz_ct_info *v, size_t n);

/* The same one container at a time, so that a caller printing them needs
 * memory for one entry, not for all: ovz_host_iter_new reads the CTIDs
 * (sorted), ovz_host_iter_fill fills entry i, ovz_ct_info_release frees
 * what it filled.  OVZ_LIST_NPROC counts the processes of running
 * containers (nproc), otherwise nproc stays -1. */
#define OVZ_LIST_NPROC 1u
struct ovz_host_iter;
int ovz_host_iter_new(struct ovz_host *h, unsigned flags, struct ovz_host_iter **out,
		      struct ovz_error **err);
size_t ovz_host_iter_count(const struct ovz_host_iter *it);
void ovz_host_iter_fill(struct ovz_host_iter *it, size_t i, struct ovz_ct_info *ci);
void ovz_host_iter_free(struct ovz_host_iter *it);
void ovz_ct_info_release(struct ovz_ct_info *ci);

#endif
