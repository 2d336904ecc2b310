// SPDX-License-Identifier: LGPL-2.1-or-later
#include "vzconf.h"
#include "config.h"
#include "model.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* vzctl's built-in values for keys vz.conf does not set (openvz-abi.md §7.2). */
enum vz_kind { VZ_NAME, VZ_PATH, VZ_AREA, VZ_AREA_LIST };

static const struct vz_key {
	const char *key;
	size_t field;		/* offset of the char * in struct ovz_vzconf */
	const char *fallback;
	enum vz_kind kind;
} vz_keys[] = {
	{ "VE_ROOT", offsetof(struct ovz_vzconf, ve_root), "/vz/root/$VEID", VZ_AREA },
	{ "VE_PRIVATE", offsetof(struct ovz_vzconf, ve_private), "/vz/private/$VEID", VZ_AREA },
	{ "TEMPLATE", offsetof(struct ovz_vzconf, template_dir), "/vz/template", VZ_PATH },
	{ "LOCKDIR", offsetof(struct ovz_vzconf, lockdir), "/vz/lock", VZ_PATH },
	{ "DEF_OSTEMPLATE", offsetof(struct ovz_vzconf, def_ostemplate), "centos-6-x86", VZ_NAME },
	{ "CONFIGFILE", offsetof(struct ovz_vzconf, configfile), "vswap-256m", VZ_NAME },
	{ "VE_LAYOUT", offsetof(struct ovz_vzconf, ve_layout), "simfs", VZ_NAME },
	{ "OVZ_AREA_PREFIXES", offsetof(struct ovz_vzconf, area_prefixes), "", VZ_AREA_LIST },
};

static char **vz_field(struct ovz_vzconf *v, const struct vz_key *k)
{
	return (char **)((char *)v + k->field);
}

void ovz_vzconf_free(struct ovz_vzconf *v)
{
	if (!v)
		return;
	free(v->root);
	for (size_t i = 0; i < ARRAY_SIZE(vz_keys); i++)
		free(*vz_field(v, &vz_keys[i]));
	free(v->conf_dir);
	free(v->names_dir);
	free(v->vz_conf_path);
	free(v->run_dir);
	for (size_t i = 0; i < v->n_warnings; i++)
		free(v->warnings[i]);
	free(v->warnings);
	free(v);
}

static void vzconf_freep(struct ovz_vzconf **v)
{
	ovz_vzconf_free(*v);
}

static const char *check_area_list(const char *value)
{
	_cleanup_strv_ char **dirs = strv_split(value, " \t");
	for (size_t i = 0; dirs && dirs[i]; i++) {
		const char *why = ovz_check_area_path(dirs[i]);
		if (why)
			return why;
	}
	return NULL;
}

static const char *check_vz_value(const struct vz_key *k, const char *value)
{
	switch (k->kind) {
	case VZ_PATH:
		return value[0] == '/' ? NULL : "is not an absolute path";
	case VZ_AREA:
		return ovz_check_area_path(value);
	case VZ_AREA_LIST:
		return check_area_list(value);
	case VZ_NAME:
		break;
	}
	return ovz_check_template_name(value);
}

static void add_warning(struct ovz_vzconf *v, char *msg)
{
	v->warnings = xrealloc(v->warnings, (v->n_warnings + 1) * sizeof(*v->warnings));
	v->warnings[v->n_warnings++] = msg;
}

/* An empty value counts as unset: an empty VE_ROOT must never mean "/". */
static void take_values(struct ovz_vzconf *v, const struct ovz_conf *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(vz_keys); i++) {
		const struct vz_key *k = &vz_keys[i];
		const char *value = c ? ovz_conf_get(c, k->key) : NULL;
		if (!value || !*value) {
			*vz_field(v, k) = xstrdup(k->fallback);
			continue;
		}
		const char *why = check_vz_value(k, value);
		if (why)
			add_warning(v, xasprintf("%s:%u: %s: %s (%s), using %s", v->vz_conf_path,
						 ovz_conf_line(c, k->key), k->key, why, value,
						 k->fallback));
		*vz_field(v, k) = xstrdup(why ? k->fallback : value);
	}
}

static void pass_error(struct ovz_error **err, struct ovz_error *e)
{
	if (err && !*err)
		*err = e;
	else
		ovz_error_free(e);
}

int ovz_vzconf_load(const char *root, struct ovz_vzconf **out, struct ovz_error **err)
{
	_cleanup_(vzconf_freep) struct ovz_vzconf *v = xcalloc(1, sizeof(*v));
	v->root = xstrdup(root && *root ? root : "/");
	v->conf_dir = path_join(v->root, "/etc/vz/conf");
	v->names_dir = path_join(v->root, "/etc/vz/names");
	v->vz_conf_path = path_join(v->root, "/etc/vz/vz.conf");
	v->run_dir = path_join(v->root, "/var/run/ovz-native");

	_cleanup_(ovz_conf_freep) struct ovz_conf *c = NULL;
	struct ovz_error *e = NULL;
	int r = ovz_conf_load(v->vz_conf_path, &c, &e);
	if (r < 0 && r != -ENOENT) {
		pass_error(err, e);
		return r;
	}
	ovz_error_free(e);
	for (size_t i = 0; c && i < ovz_conf_n_warnings(c); i++)
		add_warning(v, xstrdup(ovz_conf_warning(c, i)));
	take_values(v, c);
	const char *q = c ? ovz_conf_get(c, "DISK_QUOTA") : NULL;
	v->disk_quota = !q || strcmp(q, "no") != 0;
	*out = v;
	v = NULL;
	return 0;
}

char *ovz_expand_veid(const char *value, unsigned ctid)
{
	static const char *const forms[] = { "${VEID}", "$VEID" };
	struct strbuf sb = STRBUF_INIT;
	const char *p = value;
	while (*p) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(forms); i++)
			if (str_startswith(p, forms[i]))
				break;
		if (i == ARRAY_SIZE(forms)) {
			strbuf_putc(&sb, *p++);
			continue;
		}
		strbuf_printf(&sb, "%u", ctid);
		p += strlen(forms[i]);
	}
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	return strbuf_steal(&sb);
}

char *ovz_vzconf_path(const struct ovz_vzconf *v, const char *value, unsigned ctid)
{
	_cleanup_free_ char *expanded = ovz_expand_veid(value, ctid);
	return path_join(v->root, expanded);
}

char *ovz_vzconf_ct_conf(const struct ovz_vzconf *v, unsigned ctid)
{
	return xasprintf("%s/%u.conf", v->conf_dir, ctid);
}

char *ovz_vzconf_sample(const struct ovz_vzconf *v, const char *name)
{
	return xasprintf("%s/ve-%s.conf-sample", v->conf_dir, name);
}

static int check_name_arg(const char *name, struct ovz_error **err)
{
	const char *why = ovz_check_name(name);
	if (why)
		return ovz_error_set(err, EINVAL, "name: %s (%s)", why, name ? name : "");
	return 0;
}

/* The CTID a names link points to: readlink, basename, "%u.conf". */
static int link_ctid(const char *link, const char *name, unsigned *ctid, struct ovz_error **err)
{
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0 && errno == ENOENT)
		return ovz_error_set(err, ENOENT, "no container named '%s'", name);
	if (n < 0)
		return ovz_error_sys(err, errno, "readlink '%s'", link);
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	size_t len = strlen(base);
	const char *suffix = ".conf";
	if (len <= strlen(suffix) || strcmp(base + len - strlen(suffix), suffix) != 0)
		return ovz_error_set(err, EINVAL, "'%s' points to '%s', not to a container config",
				     link, target);
	_cleanup_free_ char *id = xstrndup(base, len - strlen(suffix));
	if (ovz_check_ctid(id, ctid))
		return ovz_error_set(err, EINVAL, "'%s' points to '%s', not to a container config",
				     link, target);
	return 0;
}

int ovz_name_resolve(const struct ovz_vzconf *v, const char *name, unsigned *ctid,
		     struct ovz_error **err)
{
	int r = check_name_arg(name, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *link = xasprintf("%s/%s", v->names_dir, name);
	return link_ctid(link, name, ctid, err);
}

/* 1: the link already names ctid; 0: free (absent, or stale: its container
 * has no config any more); <0: taken. */
static int check_existing_link(const struct ovz_vzconf *v, const char *link, const char *name,
			       unsigned ctid, struct ovz_error **err)
{
	unsigned have = 0;
	struct ovz_error *e = NULL;
	int r = link_ctid(link, name, &have, &e);
	ovz_error_free(e);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return ovz_error_set(err, EEXIST, "'%s' exists and is not a container name link",
				     link);
	if (have == ctid)
		return 1;
	_cleanup_free_ char *conf = ovz_vzconf_ct_conf(v, have);
	if (access(conf, F_OK) < 0 && errno == ENOENT)
		return 0;
	return ovz_error_set(err, EEXIST, "name '%s' is already used by container %u", name,
			     have);
}

/* symlink(2) to a temporary name, then rename(2) over a stale link. */
static int make_link(const char *target, const char *link, struct ovz_error **err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp%d", link, (int)getpid());
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		return ovz_error_sys(err, errno, "symlink '%s'", tmp);
	if (rename(tmp, link) < 0) {
		int e = errno;
		unlink(tmp);
		return ovz_error_sys(err, e, "rename '%s'", link);
	}
	return 0;
}

int ovz_name_link(const struct ovz_vzconf *v, const char *name, unsigned ctid,
		  struct ovz_error **err)
{
	int r = check_name_arg(name, err);
	if (r < 0)
		return r;
	r = mkdir_p(v->names_dir, 0755, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *link = xasprintf("%s/%s", v->names_dir, name);
	r = check_existing_link(v, link, name, ctid, err);
	if (r != 0)
		return r < 0 ? r : 0;
	/* the target as vzctl writes it on that host: no root prefix */
	_cleanup_free_ char *target = xasprintf("/etc/vz/conf/%u.conf", ctid);
	return make_link(target, link, err);
}

int ovz_name_unlink(const struct ovz_vzconf *v, const char *name, struct ovz_error **err)
{
	int r = check_name_arg(name, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *link = xasprintf("%s/%s", v->names_dir, name);
	struct stat st;
	if (lstat(link, &st) < 0) {
		if (errno == ENOENT)
			return ovz_error_set(err, ENOENT, "no container named '%s'", name);
		return ovz_error_sys(err, errno, "lstat '%s'", link);
	}
	if (!S_ISLNK(st.st_mode))
		return ovz_error_set(err, EINVAL, "'%s' is not a symbolic link", link);
	if (unlink(link) < 0)
		return ovz_error_sys(err, errno, "unlink '%s'", link);
	return 0;
}
