/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host layout: /etc/vz/vz.conf globals with vzctl's built-in defaults, the
 * per-container paths that hang off them, and /etc/vz/names links.  Every
 * path is below the root prefix. */
#ifndef OVZ_CORE_VZCONF_H
#define OVZ_CORE_VZCONF_H

#include <stdbool.h>

#include "error.h"

struct ovz_vzconf {
	char *root;		/* the --root prefix, "/" by default */
	/* values as written in vz.conf (or vzctl's defaults), $VEID kept */
	char *ve_root;		/* VE_ROOT, default /vz/root/$VEID */
	char *ve_private;	/* VE_PRIVATE, default /vz/private/$VEID */
	char *template_dir;	/* TEMPLATE, default /vz/template */
	char *lockdir;		/* LOCKDIR, default /vz/lock */
	char *def_ostemplate;	/* DEF_OSTEMPLATE, default centos-6-x86 */
	char *configfile;	/* CONFIGFILE, default vswap-256m */
	char *ve_layout;	/* VE_LAYOUT, default simfs */
	/* OVZ_AREA_PREFIXES: directories (space-separated) where a VE_PRIVATE
	 * or VE_ROOT may also be, besides those of VE_PRIVATE and VE_ROOT */
	char *area_prefixes;
	bool disk_quota;	/* DISK_QUOTA, default yes */
	/* derived absolute host paths (root prefix applied) */
	char *conf_dir;		/* ROOT/etc/vz/conf */
	char *names_dir;	/* ROOT/etc/vz/names */
	char *vz_conf_path;	/* ROOT/etc/vz/vz.conf */
	char *run_dir;		/* ROOT/var/run/ovz-native */
	char **warnings;	/* what vz.conf had that was skipped, "FILE:LINE: what" */
	size_t n_warnings;
};

/* Loads ROOT/etc/vz/vz.conf; a missing file gives vzctl's defaults, and so
 * does a value that is not valid (with a warning). */
int ovz_vzconf_load(const char *root, struct ovz_vzconf **out, struct ovz_error **err);
void ovz_vzconf_free(struct ovz_vzconf *v);

/* "$VEID"/"${VEID}" replaced by ctid, trailing '/' stripped (no root prefix). */
char *ovz_expand_veid(const char *value, unsigned ctid);
/* ROOT + expanded value, for use on the host. */
char *ovz_vzconf_path(const struct ovz_vzconf *v, const char *value, unsigned ctid);
/* ROOT/etc/vz/conf/CTID.conf */
char *ovz_vzconf_ct_conf(const struct ovz_vzconf *v, unsigned ctid);
/* ROOT/etc/vz/conf/ve-NAME.conf-sample */
char *ovz_vzconf_sample(const struct ovz_vzconf *v, const char *name);

/* /etc/vz/names/NAME -> /etc/vz/conf/CTID.conf (a symlink, as vzctl makes).
 * Idempotent for the same CTID; -EEXIST when the name links to another
 * container whose config exists (a link to a gone config is replaced). */
int ovz_name_link(const struct ovz_vzconf *v, const char *name, unsigned ctid,
		  struct ovz_error **err);
int ovz_name_unlink(const struct ovz_vzconf *v, const char *name, struct ovz_error **err);
/* -ENOENT when no such name. */
int ovz_name_resolve(const struct ovz_vzconf *v, const char *name, unsigned *ctid,
		     struct ovz_error **err);

#endif
