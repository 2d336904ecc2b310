/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that change a container's state: create, destroy, start, stop,
 * mount, umount, status and exec.  Each takes the container's lock first,
 * compiles the definition into a plan for the host's backend and runs it;
 * every failure is undone, so nothing half-made is left behind. */
#ifndef OVZ_CORE_LIFECYCLE_H
#define OVZ_CORE_LIFECYCLE_H

#include <stdbool.h>

#include "backend.h"
#include "error.h"
#include "host.h"
#include "join.h"
#include "plan.h"
#include "fs/private.h"

/* The backend the host's --backend names ("auto" probes). */
int ovz_host_backend(struct ovz_host *h, const struct ovz_backend **out, struct ovz_error **err);

/* Compiles the plan of verb for a defined container, or for d itself. */
int ovz_ct_plan(struct ovz_host *h, const struct ovz_domain *d, enum ovz_verb verb,
		struct ovz_plan **out, struct ovz_error **err);

struct ovz_create_args {
	const char *ostemplate;		/* NULL: the config's, else DEF_OSTEMPLATE */
	const char *config;		/* sample name; NULL: CONFIGFILE */
	const char *private_dir;	/* VE_PRIVATE for this container */
	const char *root_dir;		/* VE_ROOT for this container */
	const char *hostname;
	char **ipadd;
	const struct ovz_domain *xml;	/* --xml: define and create in one step */
	struct ovz_create_opts opts;	/* mode (extract, clone, overlay), progress */
	struct ovz_create_result result;	/* filled in */
	long fail_at;			/* tests: fail plan step N */
};

int ovz_ct_create(struct ovz_host *h, unsigned ctid, struct ovz_create_args *a,
		  struct ovz_error **err);
int ovz_ct_destroy(struct ovz_host *h, unsigned ctid, struct ovz_error **err);

int ovz_ct_start(struct ovz_host *h, unsigned ctid, long fail_at, struct ovz_error **err);
/* fast: SIGKILL at once; else the init's poweroff signal, then SIGKILL after
 * timeout seconds. */
int ovz_ct_stop(struct ovz_host *h, unsigned ctid, bool fast, unsigned timeout,
		struct ovz_error **err);
int ovz_ct_mount(struct ovz_host *h, unsigned ctid, struct ovz_error **err);
int ovz_ct_umount(struct ovz_host *h, unsigned ctid, struct ovz_error **err);

struct ovz_ct_status {
	bool exists;	/* private area present */
	bool mounted;
	bool running;
	bool incomplete;
	pid_t init_pid;
};
int ovz_ct_status(struct ovz_host *h, unsigned ctid, struct ovz_ct_status *st,
		  struct ovz_error **err);

/* Starts every container with ONBOOT=yes that is not running, higher
 * BOOTORDER first, at most parallel at a time (each start in a child
 * process of its own).  done is called for each with its result: 0, or
 * the negative errno of the failure (its message stays in the child).
 * Returns the number that failed. */
typedef void (*ovz_boot_fn)(unsigned ctid, int result, void *userdata);
int ovz_host_boot(struct ovz_host *h, unsigned parallel, ovz_boot_fn done, void *userdata,
		  struct ovz_error **err);

/* Changes a container.  want_live is the running container's definition
 * (ovz_host_load_live) with the changes made: the difference is applied
 * live when it runs.  want_conf is its config's definition with the same
 * changes: written when save is set or the container does not run. */
int ovz_ct_set(struct ovz_host *h, unsigned ctid, struct ovz_domain *want_live,
	       struct ovz_domain *want_conf, bool save, bool *applied_live,
	       struct ovz_error **err);

#endif
