// SPDX-License-Identifier: LGPL-2.1-or-later
#include "host.h"
#include "config.h"
#include "ctconf.h"
#include "lock.h"
#include "runstate.h"
#include "util.h"
#include "xml/xml.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST_AUTO_CTID 101

int ovz_host_open(const char *root, const char *backend, struct ovz_host **out,
		  struct ovz_error **err)
{
	struct ovz_vzconf *vz;
	int r = ovz_vzconf_load(root ? root : "/", &vz, err);
	if (r < 0)
		return r;
	struct ovz_host *h = xcalloc(1, sizeof(*h));
	h->vz = vz;
	h->backend = xstrdup(backend ? backend : "auto");
	h->lockdir = path_join(vz->root, vz->lockdir);
	*out = h;
	return 0;
}

void ovz_host_free(struct ovz_host *h)
{
	if (!h)
		return;
	ovz_vzconf_free(h->vz);
	free(h->backend);
	free(h->lockdir);
	free(h);
}

static bool conf_exists(struct ovz_host *h, unsigned ctid)
{
	_cleanup_free_ char *path = ovz_vzconf_ct_conf(h->vz, ctid);
	return access(path, F_OK) == 0;
}

int ovz_host_lookup(struct ovz_host *h, const char *id, unsigned *ctid, struct ovz_error **err)
{
	unsigned n;
	if (!ovz_check_ctid(id, &n)) {
		if (!conf_exists(h, n))
			return ovz_error_set(err, ENOENT, "CT %u is not defined", n);
		*ctid = n;
		return 0;
	}
	const char *why = ovz_check_name(id);
	if (why)
		return ovz_error_set(err, EINVAL, "'%s' is neither a CTID nor a valid name: name %s",
				     id, why);
	int r = ovz_name_resolve(h->vz, id, &n, NULL);
	if (r < 0 || !conf_exists(h, n))
		return ovz_error_set(err, ENOENT, "no container named '%s'", id);
	*ctid = n;
	return 0;
}

int ovz_host_load_conf(struct ovz_host *h, unsigned ctid, struct ovz_conf **out,
		       struct ovz_error **err)
{
	_cleanup_free_ char *path = ovz_vzconf_ct_conf(h->vz, ctid);
	return ovz_conf_load(path, out, err);
}

uint64_t ovz_host_numproc(struct ovz_host *h, unsigned ctid)
{
	struct ovz_conf *c;
	if (ovz_host_load_conf(h, ctid, &c, NULL) < 0)
		return 0;
	const char *v = ovz_conf_get(c, "NUMPROC");
	const char *limit = v ? strchr(v, ':') : NULL;
	uint64_t n = 0;
	if (!v || parse_u64(limit ? limit + 1 : v, &n) < 0 || n >= INT32_MAX)
		n = 0;
	ovz_conf_free(c);
	return n;
}

int ovz_host_load(struct ovz_host *h, unsigned ctid, struct ovz_domain **out,
		  struct ovz_error **err)
{
	_cleanup_free_ char *path = ovz_vzconf_ct_conf(h->vz, ctid);
	struct ovz_conf *c;
	int r = ovz_conf_load(path, &c, err);
	if (r == -ENOENT) {
		ovz_error_clear(err);
		return ovz_error_set(err, ENOENT, "CT %u is not defined", ctid);
	}
	if (r < 0)
		return r;
	r = ovz_domain_from_conf(c, ctid, path, out, err);
	ovz_conf_free(c);
	return r;
}

static char *live_path(struct ovz_host *h, unsigned ctid)
{
	return xasprintf("%s/%u.live", h->vz->run_dir, ctid);
}

int ovz_host_save_live(struct ovz_host *h, const struct ovz_domain *d, struct ovz_error **err)
{
	_cleanup_free_ char *path = live_path(h, d->ctid);
	struct ovz_conf *c = ovz_conf_new();
	ovz_domain_to_conf(d, h->vz, c);
	int r = mkdir_p(h->vz->run_dir, 0755, err);
	if (r == 0)
		r = ovz_conf_save(c, path, err);
	ovz_conf_free(c);
	return r;
}

int ovz_host_remove_live(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	_cleanup_free_ char *path = live_path(h, ctid);
	if (unlink(path) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "remove '%s'", path);
	return 0;
}

int ovz_host_load_live(struct ovz_host *h, unsigned ctid, struct ovz_domain **out,
		       struct ovz_error **err)
{
	_cleanup_free_ char *path = live_path(h, ctid);
	struct ovz_conf *c;
	if (ovz_conf_load(path, &c, NULL) < 0)
		return ovz_host_load(h, ctid, out, err);
	int r = ovz_domain_from_conf(c, ctid, path, out, err);
	ovz_conf_free(c);
	return r;
}

/* Lowest CTID from 101 up with no config and no lock holder; the caller
 * locks it and re-checks, so a racing define just moves on. */
static unsigned next_free_ctid(struct ovz_host *h, unsigned from)
{
	for (unsigned id = from; id <= OVZ_CTID_MAX; id++)
		if (!conf_exists(h, id) && ovz_lock_holder(h->lockdir, id) == 0)
			return id;
	return 0;
}

static int check_name_free(struct ovz_host *h, const char *name, unsigned ctid,
			   struct ovz_error **err)
{
	unsigned owner;
	if (!name || ovz_name_resolve(h->vz, name, &owner, NULL) < 0)
		return 0;
	if (owner != ctid && conf_exists(h, owner))
		return ovz_error_set(err, EEXIST, "name '%s' is already used by CT %u", name, owner);
	return 0;
}

/* Writes the config and moves the name link; on failure puts the old
 * config (or none) back so nothing half-done remains. */
static int write_definition(struct ovz_host *h, struct ovz_domain *d, struct ovz_error **err)
{
	_cleanup_free_ char *path = ovz_vzconf_ct_conf(h->vz, d->ctid);
	struct ovz_conf *c = NULL;
	int r = ovz_conf_load(path, &c, err);
	bool existed = r == 0;
	if (r == -ENOENT) {
		ovz_error_clear(err);
		c = ovz_conf_new();
	} else if (r < 0) {
		return r;
	}
	_cleanup_free_ char *old_text = existed ? ovz_conf_format(c, NULL) : NULL;
	_cleanup_free_ char *old_name = ovz_conf_get(c, "NAME") ? xstrdup(ovz_conf_get(c, "NAME"))
								 : NULL;
	ovz_domain_to_conf(d, h->vz, c);
	r = mkdir_p(h->vz->conf_dir, 0755, err);
	if (r == 0)
		r = ovz_conf_save(c, path, err);
	ovz_conf_free(c);
	if (r < 0)
		return r;
	if (d->name)
		r = ovz_name_link(h->vz, d->name, d->ctid, err);
	if (r < 0) {
		if (existed)
			write_file_atomic(path, old_text, strlen(old_text), 0644, NULL);
		else
			unlink(path);
		return r;
	}
	if (old_name && (!d->name || strcmp(old_name, d->name) != 0))
		ovz_name_unlink(h->vz, old_name, NULL);
	return 0;
}

int ovz_host_define_locked(struct ovz_host *h, struct ovz_domain *d, struct ovz_error **err)
{
	int r = check_name_free(h, d->name, d->ctid, err);
	return r < 0 ? r : write_definition(h, d, err);
}

int ovz_host_define(struct ovz_host *h, struct ovz_domain *d, struct ovz_error **err)
{
	bool auto_id = d->ctid == 0;
	unsigned from = FIRST_AUTO_CTID;
	for (;;) {
		if (auto_id) {
			d->ctid = next_free_ctid(h, from);
			if (!d->ctid)
				return ovz_error_set(err, ENOSPC, "no free CTID left");
		}
		_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
		int r = ovz_lock_ct(h->lockdir, d->ctid, "define", &lock, err);
		if (r == -EBUSY && auto_id) {
			ovz_error_clear(err);
			from = d->ctid + 1;
			continue;
		}
		if (r < 0)
			return r;
		if (auto_id && conf_exists(h, d->ctid)) {
			from = d->ctid + 1;
			continue;
		}
		return ovz_host_define_locked(h, d, err);
	}
}

int ovz_host_dumpxml(struct ovz_host *h, unsigned ctid, char **xml, struct ovz_error **err)
{
	struct ovz_domain *d;
	int r = ovz_host_load(h, ctid, &d, err);
	if (r < 0)
		return r;
	*xml = ovz_xml_format(d);
	ovz_domain_free(d);
	return 0;
}

static char *private_path(struct ovz_host *h, const struct ovz_conf *c, unsigned ctid)
{
	const char *v = c ? ovz_conf_get(c, "VE_PRIVATE") : NULL;
	return ovz_expand_veid(v ? v : h->vz->ve_private, ctid);
}

static char *root_path(struct ovz_host *h, const struct ovz_conf *c, unsigned ctid)
{
	const char *v = c ? ovz_conf_get(c, "VE_ROOT") : NULL;
	return ovz_expand_veid(v ? v : h->vz->ve_root, ctid);
}

void ovz_host_ct_dirs(struct ovz_host *h, const struct ovz_domain *d, char **private_dir,
		      char **root_dir)
{
	struct ovz_conf *c = NULL;
	if (ovz_host_load_conf(h, d->ctid, &c, NULL) < 0)
		c = NULL;
	*private_dir = d->private_dir ? xstrdup(d->private_dir) : private_path(h, c, d->ctid);
	*root_dir = root_path(h, c, d->ctid);
	ovz_conf_free(c);
}

static bool host_path_exists(struct ovz_host *h, const char *path, const char *suffix)
{
	_cleanup_free_ char *joined = path_join(h->vz->root, path);
	_cleanup_free_ char *full = xasprintf("%s%s", joined, suffix);
	struct stat st;
	return lstat(full, &st) == 0;
}

/* A create that died leaves the marker or the .tmp area behind. */
static bool create_incomplete(struct ovz_host *h, const char *priv)
{
	return host_path_exists(h, priv, ".ovz-create") || host_path_exists(h, priv, ".tmp");
}

int ovz_host_undefine(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
	int r = ovz_lock_ct(h->lockdir, ctid, "undefine", &lock, err);
	if (r < 0)
		return r;
	struct ovz_conf *c;
	r = ovz_host_load_conf(h, ctid, &c, err);
	if (r < 0)
		return r;
	struct ovz_runstate rs;
	_cleanup_free_ char *priv = private_path(h, c, ctid);
	_cleanup_free_ char *name = ovz_conf_get(c, "NAME") ? xstrdup(ovz_conf_get(c, "NAME"))
							     : NULL;
	ovz_conf_free(c);
	if (ovz_runstate_load(h->vz->run_dir, ctid, &rs) == 0)
		return ovz_error_set(err, EBUSY, "CT %u is running; stop it first", ctid);
	if (host_path_exists(h, priv, "") || create_incomplete(h, priv))
		return ovz_error_set(err, EBUSY,
				     "CT %u has a private area at '%s'; destroy it first", ctid,
				     priv);
	if (name) {
		unsigned owner;
		if (ovz_name_resolve(h->vz, name, &owner, NULL) == 0 && owner == ctid)
			ovz_name_unlink(h->vz, name, NULL);
	}
	_cleanup_free_ char *path = ovz_vzconf_ct_conf(h->vz, ctid);
	if (unlink(path) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "remove '%s'", path);
	return 0;
}

const char *ovz_status_name(enum ovz_status s)
{
	switch (s) {
	case OVZ_STATUS_RUNNING:
		return "running";
	case OVZ_STATUS_MOUNTED:
		return "mounted";
	case OVZ_STATUS_INCOMPLETE:
		return "incomplete";
	case OVZ_STATUS_STOPPED:
		break;
	}
	return "stopped";
}

static int ctid_from_conf_name(const char *name, unsigned *ctid)
{
	size_t len = strlen(name);
	if (len < 6 || strcmp(name + len - 5, ".conf") != 0)
		return -EINVAL;
	_cleanup_free_ char *num = xstrndup(name, len - 5);
	return ovz_check_ctid(num, ctid) ? -EINVAL : 0;
}

static int cmp_info(const void *a, const void *b)
{
	unsigned x = ((const struct ovz_ct_info *)a)->ctid, y = ((const struct ovz_ct_info *)b)->ctid;
	return x < y ? -1 : x > y;
}

static bool is_mountpoint(const char *path)
{
	struct stat st, parent;
	_cleanup_free_ char *up = xasprintf("%s/..", path);
	return stat(path, &st) == 0 && stat(up, &parent) == 0 && st.st_dev != parent.st_dev;
}

static void fill_status(struct ovz_host *h, struct ovz_ct_info *ci)
{
	struct ovz_runstate rs;
	ci->nproc = -1;
	ci->exists = host_path_exists(h, ci->private_path, "");
	if (ovz_runstate_load(h->vz->run_dir, ci->ctid, &rs) == 0) {
		ci->status = OVZ_STATUS_RUNNING;
		ci->nproc = ovz_runstate_nproc(&rs);
		memcpy(ci->backend, rs.backend, sizeof(ci->backend));
		return;
	}
	_cleanup_free_ char *root = path_join(h->vz->root, ci->root_path);
	if (create_incomplete(h, ci->private_path))
		ci->status = OVZ_STATUS_INCOMPLETE;
	else if (ci->exists && is_mountpoint(root))
		ci->status = OVZ_STATUS_MOUNTED;
	else
		ci->status = OVZ_STATUS_STOPPED;
}

static void fill_info(struct ovz_host *h, struct ovz_ct_info *ci)
{
	_cleanup_free_ char *path = ovz_vzconf_ct_conf(h->vz, ci->ctid);
	struct ovz_error *e = NULL;
	if (ovz_conf_load(path, &ci->conf, &e) == 0 &&
	    ovz_domain_from_conf(ci->conf, ci->ctid, path, &ci->dom, &e) == 0) {
		ci->private_path = private_path(h, ci->conf, ci->ctid);
		ci->root_path = root_path(h, ci->conf, ci->ctid);
	} else {
		ci->conf_error = xstrdup(ovz_error_message(e));
		ci->private_path = private_path(h, ci->conf, ci->ctid);
		ci->root_path = root_path(h, ci->conf, ci->ctid);
	}
	ovz_error_free(e);
	fill_status(h, ci);
}

int ovz_host_list(struct ovz_host *h, struct ovz_ct_info **out, size_t *n,
		  struct ovz_error **err)
{
	*out = NULL;
	*n = 0;
	DIR *dir = opendir(h->vz->conf_dir);
	if (!dir) {
		if (errno == ENOENT)
			return 0;
		return ovz_error_sys(err, errno, "open '%s'", h->vz->conf_dir);
	}
	struct ovz_ct_info *v = NULL;
	size_t len = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		unsigned ctid;
		if (ctid_from_conf_name(e->d_name, &ctid) < 0)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		memset(&v[len], 0, sizeof(v[len]));
		v[len++].ctid = ctid;
	}
	closedir(dir);
	qsort(v, len, sizeof(*v), cmp_info);
	for (size_t i = 0; i < len; i++)
		fill_info(h, &v[i]);
	*out = v;
	*n = len;
	return 0;
}

void ovz_ct_info_free(struct ovz_ct_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ovz_domain_free(v[i].dom);
		ovz_conf_free(v[i].conf);
		free(v[i].private_path);
		free(v[i].root_path);
		free(v[i].conf_error);
	}
	free(v);
}
