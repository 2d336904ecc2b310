// SPDX-License-Identifier: LGPL-2.1-or-later
#include "host.h"
#include "cgroup.h"
#include "config.h"
#include "ctconf.h"
#include "lifecycle.h"
#include "lock.h"
#include "runstate.h"
#include "util.h"
#include "xml/xml.h"
#include "fs/rootfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST_AUTO_CTID 101

static bool warned_before(struct ovz_host *h, const char *msg)
{
	for (size_t i = 0; i < h->n_warned; i++)
		if (strcmp(h->warned[i], msg) == 0)
			return true;
	return false;
}

static void host_warn(void *data, const char *msg)
{
	struct ovz_host *h = data;
	if (!h->user_warn.fn || warned_before(h, msg))
		return;
	h->warned = xrealloc(h->warned, (h->n_warned + 1) * sizeof(*h->warned));
	h->warned[h->n_warned++] = xstrdup(msg);
	h->user_warn.fn(h->user_warn.data, msg);
}

static void pass_conf_warnings(struct ovz_host *h, const struct ovz_conf *c)
{
	for (size_t i = 0; i < ovz_conf_n_warnings(c); i++)
		ovz_warn(&h->warn, "%s", ovz_conf_warning(c, i));
}

void ovz_host_set_warn(struct ovz_host *h, void (*fn)(void *data, const char *msg), void *data)
{
	h->user_warn = (struct ovz_warn){ .fn = fn, .data = data };
	for (size_t i = 0; i < h->vz->n_warnings; i++)
		ovz_warn(&h->warn, "%s", h->vz->warnings[i]);
}

int ovz_host_conf_load(struct ovz_host *h, const char *path, struct ovz_conf **out,
		       struct ovz_error **err)
{
	int r = ovz_conf_load(path, out, err);
	if (r == 0)
		pass_conf_warnings(h, *out);
	return r;
}

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
	h->warn = (struct ovz_warn){ .fn = host_warn, .data = h };
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
	for (size_t i = 0; i < h->n_warned; i++)
		free(h->warned[i]);
	free(h->warned);
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
	return ovz_host_conf_load(h, path, out, err);
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
	int r = ovz_host_conf_load(h, path, &c, err);
	if (r == -ENOENT) {
		ovz_error_clear(err);
		return ovz_error_set(err, ENOENT, "CT %u is not defined", ctid);
	}
	if (r < 0)
		return r;
	r = ovz_domain_from_conf(c, ctid, path, &h->warn, out, err);
	ovz_conf_free(c);
	return r;
}

static char *live_path(struct ovz_host *h, unsigned ctid)
{
	return xasprintf("%s/%u.live", h->vz->run_dir, ctid);
}

int ovz_host_save_live(struct ovz_host *h, const struct ovz_domain *d, struct ovz_error **err)
{
	char name[32];
	snprintf(name, sizeof(name), "%u.live", d->ctid);
	struct ovz_conf *c = ovz_conf_new();
	ovz_domain_to_conf(d, h->vz, c);
	size_t len;
	_cleanup_free_ char *text = ovz_conf_format(c, &len);
	ovz_conf_free(c);
	return ovz_run_file_write(h->vz->run_dir, name, text, len, err);
}

int ovz_host_remove_live(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	char name[32];
	snprintf(name, sizeof(name), "%u.live", ctid);
	return ovz_run_file_remove(h->vz->run_dir, name, err);
}

int ovz_host_load_live(struct ovz_host *h, unsigned ctid, struct ovz_domain **out,
		       struct ovz_error **err)
{
	_cleanup_free_ char *path = live_path(h, ctid);
	struct ovz_conf *c;
	if (ovz_conf_load(path, &c, NULL) < 0)
		return ovz_host_load(h, ctid, out, err);
	int r = ovz_domain_from_conf(c, ctid, path, &h->warn, out, err);
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
	int r = ovz_host_conf_load(h, path, &c, err);
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

/* snprintf's "%u" for the names made per container */
static size_t fmt_uint(char *buf, unsigned n)
{
	char tmp[16], *p = tmp + sizeof(tmp);
	do
		*--p = (char)('0' + n % 10);
	while (n /= 10);
	size_t len = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(buf, p, len);
	buf[len] = '\0';
	return len;
}

/* ovz_expand_veid, copying the text between the '$' signs in one go:
 * list expands two paths per container. */
static char *expand_veid(const char *value, unsigned ctid)
{
	struct strbuf sb = STRBUF_INIT;
	char num[16];
	size_t numlen = fmt_uint(num, ctid);
	const char *p = value, *dollar;
	while ((dollar = strchr(p, '$'))) {
		strbuf_putn(&sb, p, (size_t)(dollar - p));
		if (str_startswith(dollar, "${VEID}")) {
			strbuf_putn(&sb, num, numlen);
			p = dollar + 7;
		} else if (str_startswith(dollar, "$VEID")) {
			strbuf_putn(&sb, num, numlen);
			p = dollar + 5;
		} else {
			strbuf_putc(&sb, '$');
			p = dollar + 1;
		}
	}
	strbuf_puts(&sb, p);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	return strbuf_steal(&sb);
}

static char *private_path(struct ovz_host *h, const struct ovz_conf *c, unsigned ctid)
{
	const char *v = c ? ovz_conf_get(c, "VE_PRIVATE") : NULL;
	return expand_veid(v ? v : h->vz->ve_private, ctid);
}

static char *root_path(struct ovz_host *h, const struct ovz_conf *c, unsigned ctid)
{
	const char *v = c ? ovz_conf_get(c, "VE_ROOT") : NULL;
	return expand_veid(v ? v : h->vz->ve_root, ctid);
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

static int ctid_from_conf_name(const char *name, unsigned *ctid);

/* The directory above the first component naming $VEID: "/vz/private"
 * of "/vz/private/$VEID" (the parent when there is none). */
static char *area_prefix(const char *value)
{
	const char *a = strstr(value, "$VEID"), *b = strstr(value, "${VEID}");
	const char *first = !a ? b : !b ? a : a < b ? a : b;
	size_t end = first ? (size_t)(first - value) : strlen(value);
	while (end > 0 && value[end - 1] != '/')	/* to the start of that component */
		end--;
	while (end > 1 && value[end - 1] == '/')
		end--;
	return end ? xstrndup(value, end) : xstrdup("/");
}

static bool strictly_below(const char *path, const char *dir)
{
	return ovz_path_within(path, dir) && !ovz_path_within(dir, path);
}

/* key's path is a sane place below its vz.conf prefix or one of
 * OVZ_AREA_PREFIXES, and holds none of the host's own directories. */
static int check_area(struct ovz_host *h, unsigned ctid, const char *key, const char *path,
		      const char *vz_value, struct ovz_error **err)
{
	const char *why = ovz_check_area_path(path);
	if (why)
		return ovz_error_set(err, EINVAL, "CT %u: %s '%s' %s", ctid, key, path, why);
	_cleanup_free_ char *prefix = area_prefix(vz_value);
	_cleanup_free_ char *pp = area_prefix(h->vz->ve_private), *rp = area_prefix(h->vz->ve_root);
	_cleanup_strv_ char **extra = strv_split(h->vz->area_prefixes, " \t");
	const char *host_dirs[] = { h->vz->template_dir, h->vz->lockdir, pp, rp };
	for (size_t i = 0; i < ARRAY_SIZE(host_dirs); i++)
		if (ovz_path_within(host_dirs[i], path))
			return ovz_error_set(err, EINVAL, "CT %u: %s '%s' holds the host's '%s'", ctid,
					     key, path, host_dirs[i]);
	bool allowed = strictly_below(path, prefix);
	for (size_t i = 0; !allowed && extra && extra[i]; i++)
		allowed = strictly_below(path, extra[i]);
	if (!allowed)
		return ovz_error_set(err, EINVAL, "CT %u: %s '%s' is not below '%s' (vz.conf's %s) "
				     "nor below a directory of OVZ_AREA_PREFIXES in '%s'", ctid, key,
				     path, prefix, key, h->vz->vz_conf_path);
	return 0;
}

int ovz_host_ct_area(struct ovz_host *h, const struct ovz_domain *d, char **private_dir,
		     char **root_dir, struct ovz_error **err)
{
	ovz_host_ct_dirs(h, d, private_dir, root_dir);
	int r = check_area(h, d->ctid, "VE_PRIVATE", *private_dir, h->vz->ve_private, err);
	if (r == 0)
		r = check_area(h, d->ctid, "VE_ROOT", *root_dir, h->vz->ve_root, err);
	if (r < 0) {
		free(*private_dir);
		free(*root_dir);
		*private_dir = *root_dir = NULL;
	}
	return r;
}

int ovz_host_area_owner(struct ovz_host *h, unsigned ctid, const char *priv,
			unsigned *owner)
{
	*owner = 0;
	const char *base = strrchr(priv, '/');
	unsigned n;
	if (base && !ovz_check_ctid(base + 1, &n) && n != ctid) {
		_cleanup_free_ char *canon = expand_veid(h->vz->ve_private, n);
		if (strcmp(canon, priv) == 0) {
			*owner = n;
			return 1;
		}
	}
	DIR *dir = opendir(h->vz->conf_dir);
	if (!dir)
		return 0;
	struct dirent *e;
	while (!*owner && (e = readdir(dir))) {
		struct ovz_conf *c;
		if (ctid_from_conf_name(e->d_name, &n) < 0 || n == ctid ||
		    ovz_host_load_conf(h, n, &c, NULL) < 0)
			continue;
		_cleanup_free_ char *other = private_path(h, c, n);
		ovz_conf_free(c);
		if (strcmp(other, priv) == 0)
			*owner = n;
	}
	closedir(dir);
	return *owner != 0;
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

/* The pid that a pid namespace one level below ours numbers 1, from
 * /proc/PID/status. */
static bool is_ns_init(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_free_ char *text = NULL;
	if (read_file_at(AT_FDCWD, path, 1 << 16, &text, NULL, NULL) < 0)
		return false;
	const char *line = strstr(text, "\nNSpid:");
	if (!line)
		return false;
	long host_pid, ns_pid;
	int used = 0;
	/* exactly two: ours and its own, so not a pid namespace nested inside */
	if (sscanf(line, "\nNSpid: %ld %ld%n", &host_pid, &ns_pid, &used) != 2 || ns_pid != 1)
		return false;
	return line[used] == '\n' || line[used] == '\0';
}

/* Processes in the container's cgroup make it running, whatever the run
 * state says: a start that died between init's exec and the state write
 * leaves a live container without one.  1 (*init its init, or 0), 0 when
 * the cgroup is empty or missing. */
static int cgroup_running(struct ovz_cgroups *cg, unsigned ctid, pid_t *init)
{
	_cleanup_free_ char *name = ovz_cgroup_name(OVZ_CGROUP_ROOT, ctid);
	pid_t *pids = NULL;
	size_t n = 0;
	*init = 0;
	if (ovz_cgroup_pids(cg, name, &pids, &n, NULL) < 0 || n == 0) {
		free(pids);
		return 0;
	}
	for (size_t i = 0; i < n && !*init; i++)
		if (is_ns_init(pids[i]))
			*init = pids[i];
	free(pids);
	return 1;
}

int ovz_host_ct_state(struct ovz_host *h, unsigned ctid, pid_t *init_pid,
		      struct ovz_error **err)
{
	struct ovz_runstate rs;
	bool recorded = ovz_runstate_load(h->vz->run_dir, ctid, &rs) == 0;
	if (init_pid)
		*init_pid = recorded ? rs.init_pid : 0;
	const struct ovz_backend *b;
	if (ovz_host_backend(h, &b, NULL) == 0 && b->running)
		return b->running(ctid, err);
	if (recorded)
		return 1;
	struct ovz_cgroups cg;
	if (ovz_cgroups_detect(&cg, NULL) < 0)
		return 0;
	pid_t init = 0;
	int r = cgroup_running(&cg, ctid, &init);
	ovz_cgroups_release(&cg);
	if (init_pid)
		*init_pid = init;
	return r;
}

bool ovz_host_ct_running(struct ovz_host *h, unsigned ctid, pid_t *init_pid)
{
	int r = ovz_host_ct_state(h, ctid, init_pid, NULL);
	return r < 0 ? init_pid && *init_pid > 0 : r == 1;
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
	_cleanup_free_ char *priv = private_path(h, c, ctid);
	_cleanup_free_ char *name = ovz_conf_get(c, "NAME") ? xstrdup(ovz_conf_get(c, "NAME"))
							     : NULL;
	ovz_conf_free(c);
	if (ovz_host_ct_running(h, ctid, NULL))
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
	if (len < 6 || len > 15 || strcmp(name + len - 5, ".conf") != 0)
		return -EINVAL;
	char num[16];
	memcpy(num, name, len - 5);
	num[len - 5] = '\0';
	return ovz_check_ctid(num, ctid) ? -EINVAL : 0;
}

static int cmp_ctid(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* The old test, for kernels whose statx does not report mount roots:
 * misses a bind mount from the same filesystem. */
static bool is_mountpoint(const char *path)
{
	int r = ovz_root_is_mounted(path, NULL);
	if (r >= 0)
		return r == 1;
	struct stat st, parent;
	_cleanup_free_ char *up = xasprintf("%s/..", path);
	return stat(path, &st) == 0 && stat(up, &parent) == 0 && st.st_dev != parent.st_dev;
}

/* ---- listing many containers --------------------------------------------
 * One readdir of a directory answers "does NAME exist in it" for every
 * container at once: the private areas (and the markers of an interrupted
 * create next to them), the roots and the run states usually share one
 * parent each.  A lookup in such a listing replaces an lstat per container
 * and name; directories that cannot be read fall back to lstat. */

#define DIRCACHE_MIN 16		/* fewer containers than this: lstat each */
#define DIRCACHE_MAX 8		/* distinct parents listed */

struct dir_listing {
	char *path;
	bool usable;		/* false: lstat instead */
	const char **slots;	/* open addressing by name hash, into arena */
	size_t mask;
	char *arena;
};

struct ovz_host_iter {
	struct ovz_host *h;
	unsigned *ctids;
	size_t n;
	unsigned flags;
	struct strbuf path;	/* scratch */
	bool use_listings;
	struct dir_listing dirs[DIRCACHE_MAX];
	size_t n_dirs;
	bool have_counts;
	struct ovz_pidns_counts counts;
	bool asked_kernel;	/* the backend's list of running CTIDs was read */
	int cg_state;		/* 0: not detected yet, 1: cg holds them, -1: none */
	struct ovz_cgroups cg;
	unsigned *cg_ids;	/* sorted: the CTIDs that have a cgroup of ours */
	size_t n_cg_ids;
	unsigned *running;	/* sorted; NULL when the backend has no list */
	size_t n_running;
};

static size_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void listing_load(struct dir_listing *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	l->path = xstrdup(path);
	DIR *d = opendir(path);
	if (!d) {
		/* a missing parent has no children: as good as an empty listing */
		l->usable = errno == ENOENT;
		return;
	}
	struct strbuf arena = STRBUF_INIT;
	size_t *offs = NULL, cap = 0, n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			offs = xrealloc(offs, cap * sizeof(*offs));
		}
		offs[n++] = arena.len;
		strbuf_putn(&arena, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	l->arena = strbuf_steal(&arena);
	size_t size = 16;
	while (size < 2 * n)
		size *= 2;
	l->slots = xcalloc(size, sizeof(*l->slots));
	l->mask = size - 1;
	for (size_t i = 0; i < n; i++) {
		const char *name = l->arena + offs[i];
		size_t slot = name_hash(name) & l->mask;
		while (l->slots[slot])
			slot = (slot + 1) & l->mask;
		l->slots[slot] = name;
	}
	free(offs);
	l->usable = true;
}

static void listing_release(struct dir_listing *l)
{
	free(l->path);
	free(l->slots);
	free(l->arena);
}

static struct dir_listing *listing_for(struct ovz_host_iter *it, const char *dir)
{
	for (size_t i = 0; i < it->n_dirs; i++)
		if (strcmp(it->dirs[i].path, dir) == 0)
			return &it->dirs[i];
	if (it->n_dirs == DIRCACHE_MAX)
		return NULL;
	struct dir_listing *l = &it->dirs[it->n_dirs++];
	listing_load(l, dir);
	return l;
}

static bool listing_has(const struct dir_listing *l, const char *name)
{
	if (!l->slots)
		return false;	/* the directory is missing */
	for (size_t slot = name_hash(name) & l->mask; l->slots[slot]; slot = (slot + 1) & l->mask)
		if (strcmp(l->slots[slot], name) == 0)
			return true;
	return false;
}


/* Whether full + suffix exists (lstat), from the listing of its parent when
 * there is one.  full is an absolute host path. */
static bool path_exists(struct ovz_host_iter *it, const char *full, const char *suffix)
{
	const char *slash = strrchr(full, '/');
	const char *base = slash ? slash + 1 : full;
	if (it->use_listings && slash && *base && strcmp(base, ".") != 0 &&
	    strcmp(base, "..") != 0) {
		char dir[PATH_MAX], name[NAME_MAX + 1];
		size_t dl = slash == full ? 1 : (size_t)(slash - full);
		size_t bl = strlen(base), sl = strlen(suffix);
		if (dl < sizeof(dir) && bl + sl < sizeof(name)) {
			memcpy(dir, full, dl);
			dir[dl] = '\0';
			memcpy(name, base, bl);
			memcpy(name + bl, suffix, sl + 1);
			const struct dir_listing *l = listing_for(it, dir);
			if (l && l->usable)
				return listing_has(l, name);
		}
	}
	_cleanup_free_ char *p = xasprintf("%s%s", full, suffix);
	struct stat st;
	return lstat(p, &st) == 0;
}

static bool runstate_present(struct ovz_host_iter *it, unsigned ctid)
{
	if (!it->use_listings)
		return true;	/* let ovz_runstate_load find out */
	const struct dir_listing *l = listing_for(it, it->h->vz->run_dir);
	if (!l || !l->usable)
		return true;
	char name[32];
	memcpy(name + fmt_uint(name, ctid), ".state", 7);
	return listing_has(l, name);
}

/* path_join without printf */
static char *join_root(const char *root, const char *path)
{
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	while (*path == '/')
		path++;
	size_t pl = strlen(path);
	char *s = xmalloc(rl + pl + 2);
	memcpy(s, root, rl);
	s[rl] = '/';
	memcpy(s + rl + 1, path, pl + 1);
	return s;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* 1 or 0 from one look at the kernel (legacy OpenVZ: /proc/vz/veinfo) for
 * the whole listing; -1 when the backend keeps no such list. */
static int kernel_says_running(struct ovz_host_iter *it, unsigned ctid)
{
	if (!it->asked_kernel) {
		it->asked_kernel = true;
		const struct ovz_backend *b;
		if (ovz_host_backend(it->h, &b, NULL) == 0 && b->list_running &&
		    b->list_running(&it->running, &it->n_running, NULL) == 0)
			qsort(it->running, it->n_running, sizeof(unsigned), cmp_uint);
		else
			it->running = NULL;
	}
	if (!it->running)
		return -1;
	return bsearch(&ctid, it->running, it->n_running, sizeof(unsigned), cmp_uint) != NULL;
}

static bool cgroup_says_running(struct ovz_host_iter *it, unsigned ctid)
{
	if (!it->cg_state) {
		it->cg_state = ovz_cgroups_detect(&it->cg, NULL) == 0 ? 1 : -1;
		if (it->cg_state == 1)	/* one read per hierarchy, not a stat per container */
			it->cg_ids = ovz_cgroup_numbered_children(&it->cg, OVZ_CGROUP_ROOT,
								  &it->n_cg_ids);
	}
	pid_t init;
	return it->cg_state == 1 &&
	       bsearch(&ctid, it->cg_ids, it->n_cg_ids, sizeof(unsigned), cmp_uint) &&
	       cgroup_running(&it->cg, ctid, &init) == 1;
}

static void fill_status(struct ovz_host_iter *it, struct ovz_ct_info *ci)
{
	struct ovz_host *h = it->h;
	struct ovz_runstate rs;
	ci->nproc = -1;
	_cleanup_free_ char *priv = join_root(h->vz->root, ci->private_path);
	ci->exists = path_exists(it, priv, "");
	int kernel = kernel_says_running(it, ci->ctid);
	bool recorded = runstate_present(it, ci->ctid) &&
			ovz_runstate_load(h->vz->run_dir, ci->ctid, &rs) == 0;
	if (kernel == 1 && !recorded) {	/* started by vzctl, say */
		ci->status = OVZ_STATUS_RUNNING;
		return;
	}
	if (!recorded && kernel == -1 && cgroup_says_running(it, ci->ctid)) {
		ci->status = OVZ_STATUS_RUNNING;	/* its run state is lost */
		return;
	}
	if (recorded && kernel != 0) {
		ci->status = OVZ_STATUS_RUNNING;
		if (it->flags & OVZ_LIST_NPROC) {
			if (!it->have_counts) {
				ovz_pidns_counts_load(&it->counts);
				it->have_counts = true;
			}
			ci->nproc = ovz_runstate_nproc_in(&rs, &it->counts);
		}
		memcpy(ci->backend, rs.backend, sizeof(ci->backend));
		return;
	}
	/* a create that died leaves the marker or the .tmp area behind */
	if (path_exists(it, priv, ".ovz-create") || path_exists(it, priv, ".tmp")) {
		ci->status = OVZ_STATUS_INCOMPLETE;
		return;
	}
	ci->status = OVZ_STATUS_STOPPED;
	if (ci->exists) {
		_cleanup_free_ char *root = join_root(h->vz->root, ci->root_path);
		if (path_exists(it, root, "") && is_mountpoint(root))
			ci->status = OVZ_STATUS_MOUNTED;
	}
}

static void fill_info(struct ovz_host_iter *it, struct ovz_ct_info *ci)
{
	struct ovz_host *h = it->h;
	struct strbuf *path = &it->path;
	char name[32];
	name[0] = '/';
	memcpy(name + 1 + fmt_uint(name + 1, ci->ctid), ".conf", 6);
	path->len = 0;
	strbuf_puts(path, h->vz->conf_dir);
	strbuf_puts(path, name);
	struct ovz_error *e = NULL;
	if (ovz_host_conf_load(h, path->buf, &ci->conf, &e) == 0 &&
	    ovz_domain_from_conf(ci->conf, ci->ctid, path->buf, &h->warn, &ci->dom, &e) == 0) {
		ci->private_path = private_path(h, ci->conf, ci->ctid);
		ci->root_path = root_path(h, ci->conf, ci->ctid);
	} else {
		ci->conf_error = xstrdup(ovz_error_message(e));
		ci->private_path = private_path(h, ci->conf, ci->ctid);
		ci->root_path = root_path(h, ci->conf, ci->ctid);
	}
	ovz_error_free(e);
	fill_status(it, ci);
}

int ovz_host_iter_new(struct ovz_host *h, unsigned flags, struct ovz_host_iter **out,
		      struct ovz_error **err)
{
	*out = NULL;
	struct ovz_host_iter *it = xcalloc(1, sizeof(*it));
	it->h = h;
	it->flags = flags;
	DIR *dir = opendir(h->vz->conf_dir);
	if (!dir) {
		if (errno != ENOENT) {
			free(it);
			return ovz_error_sys(err, errno, "open '%s'", h->vz->conf_dir);
		}
		*out = it;
		return 0;
	}
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		unsigned ctid;
		if (ctid_from_conf_name(e->d_name, &ctid) < 0)
			continue;
		if (it->n == cap) {
			cap = cap ? cap * 2 : 64;
			it->ctids = xrealloc(it->ctids, cap * sizeof(*it->ctids));
		}
		it->ctids[it->n++] = ctid;
	}
	closedir(dir);
	qsort(it->ctids, it->n, sizeof(*it->ctids), cmp_ctid);
	it->use_listings = it->n >= DIRCACHE_MIN;
	*out = it;
	return 0;
}

size_t ovz_host_iter_count(const struct ovz_host_iter *it)
{
	return it->n;
}

void ovz_host_iter_fill(struct ovz_host_iter *it, size_t i, struct ovz_ct_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->ctid = it->ctids[i];
	fill_info(it, ci);
}

void ovz_host_iter_free(struct ovz_host_iter *it)
{
	if (!it)
		return;
	for (size_t i = 0; i < it->n_dirs; i++)
		listing_release(&it->dirs[i]);
	if (it->have_counts)
		ovz_pidns_counts_release(&it->counts);
	if (it->cg_state == 1)
		ovz_cgroups_release(&it->cg);
	free(it->cg_ids);
	free(it->running);
	strbuf_release(&it->path);
	free(it->ctids);
	free(it);
}

int ovz_host_list(struct ovz_host *h, struct ovz_ct_info **out, size_t *n,
		  struct ovz_error **err)
{
	*out = NULL;
	*n = 0;
	struct ovz_host_iter *it;
	int r = ovz_host_iter_new(h, OVZ_LIST_NPROC, &it, err);
	if (r < 0)
		return r;
	struct ovz_ct_info *v = xcalloc(it->n ? it->n : 1, sizeof(*v));
	for (size_t i = 0; i < it->n; i++)
		ovz_host_iter_fill(it, i, &v[i]);
	*n = it->n;
	*out = v;
	ovz_host_iter_free(it);
	return 0;
}

void ovz_ct_info_release(struct ovz_ct_info *ci)
{
	ovz_domain_free(ci->dom);
	ovz_conf_free(ci->conf);
	free(ci->private_path);
	free(ci->root_path);
	free(ci->conf_error);
	memset(ci, 0, sizeof(*ci));
}

void ovz_ct_info_free(struct ovz_ct_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ovz_ct_info_release(&v[i]);
	free(v);
}
