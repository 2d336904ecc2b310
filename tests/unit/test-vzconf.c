// SPDX-License-Identifier: LGPL-2.1-or-later
/* vz.conf defaults and overrides, derived paths, $VEID, /etc/vz/names. */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"
#include "core/vzconf.h"

struct fixture {
	char *root;
	struct ovz_vzconf *vz;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->root = tu_mkdtemp();
	struct ovz_error *e = NULL;
	if (ovz_vzconf_load(f->root, &f->vz, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ovz_vzconf_free(f->vz);
	tu_rmrf(f->root);
	free(f->root);
	free(f);
	return 0;
}

static char *under(const char *root, const char *path)
{
	return xasprintf("%s%s", root, path);
}

static void test_defaults_without_vz_conf(void **state)
{
	struct fixture *f = *state;
	struct ovz_vzconf *v = f->vz;
	assert_string_equal(v->root, f->root);
	assert_string_equal(v->ve_root, "/vz/root/$VEID");
	assert_string_equal(v->ve_private, "/vz/private/$VEID");
	assert_string_equal(v->template_dir, "/vz/template");
	assert_string_equal(v->lockdir, "/vz/lock");
	assert_string_equal(v->def_ostemplate, "centos-6-x86");
	assert_string_equal(v->configfile, "vswap-256m");
	assert_string_equal(v->ve_layout, "simfs");
	const struct {
		const char *got, *path;
	} derived[] = {
		{ v->conf_dir, "/etc/vz/conf" },
		{ v->names_dir, "/etc/vz/names" },
		{ v->vz_conf_path, "/etc/vz/vz.conf" },
		{ v->run_dir, "/var/run/ovz-native" },
	};
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		char *want = under(f->root, derived[i].path);
		assert_string_equal(derived[i].got, want);
		free(want);
	}
}

static void test_overrides(void **state)
{
	struct fixture *f = *state;
	char *path = under(f->root, "/etc/vz/vz.conf");
	tu_write(path, "## Global parameters\n"
		       "VIRTUOZZO=yes\n"
		       "LOCKDIR=/var/lib/vz/lock\n"
		       "VE_ROOT=/srv/vz/root/$VEID\n"
		       "VE_PRIVATE=\"/srv/vz/private/${VEID}\"\n"
		       "TEMPLATE=\"\"\n"
		       "DEF_OSTEMPLATE=\"debian-7.0-x86_64\"\n"
		       "CONFIGFILE=\"basic\"\n"
		       "VE_LAYOUT=ploop\n");
	struct ovz_vzconf *v = NULL;
	assert_int_equal(ovz_vzconf_load(f->root, &v, NULL), 0);
	assert_string_equal(v->lockdir, "/var/lib/vz/lock");
	assert_string_equal(v->ve_root, "/srv/vz/root/$VEID");
	assert_string_equal(v->ve_private, "/srv/vz/private/${VEID}");
	assert_string_equal(v->template_dir, "/vz/template");	/* empty: default */
	assert_string_equal(v->def_ostemplate, "debian-7.0-x86_64");
	assert_string_equal(v->configfile, "basic");
	assert_string_equal(v->ve_layout, "ploop");
	ovz_vzconf_free(v);
	free(path);
}

/* As vzctl does, what vz.conf has wrong is skipped with a warning and the
 * built-in default used; nothing fails. */
static void test_bad_vz_conf(void **state)
{
	struct fixture *f = *state;
	char *path = under(f->root, "/etc/vz/vz.conf");
	const struct {
		const char *text, *tail, *key_value;
	} cases[] = {
		{ "# x\nVE_ROOT=vz/root/$VEID\n",
		  ":2: VE_ROOT: is not an absolute path (vz/root/$VEID), using /vz/root/$VEID",
		  "/vz/root/$VEID" },
		{ "CONFIGFILE=\"../x\"\n", ":1: CONFIGFILE: contains '..' (../x), using vswap-256m",
		  "vswap-256m" },
		{ "LOCKDIR /vz/lock2\n", ":1: '=' not found, line skipped", "/vz/lock" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_write(path, cases[i].text);
		struct ovz_vzconf *v = NULL;
		struct ovz_error *e = NULL;
		assert_int_equal(ovz_vzconf_load(f->root, &v, &e), 0);
		assert_null(e);
		assert_int_equal(v->n_warnings, 1);
		char *want = xasprintf("%s%s", path, cases[i].tail);
		assert_string_equal(v->warnings[0], want);
		const char *got = i == 0 ? v->ve_root : i == 1 ? v->configfile : v->lockdir;
		assert_string_equal(got, cases[i].key_value);
		free(want);
		ovz_vzconf_free(v);
	}
	free(path);
}

static void test_slash_and_empty_root(void **state)
{
	const char *roots[] = { "/", "", NULL };
	for (size_t i = 0; i < 3; i++) {
		struct ovz_vzconf *v = NULL;
		/* the host's own vz.conf may exist; only paths are checked */
		struct ovz_error *e = NULL;
		if (ovz_vzconf_load(roots[i], &v, &e) < 0) {
			ovz_error_free(e);
			continue;
		}
		assert_string_equal(v->root, "/");
		assert_string_equal(v->conf_dir, "/etc/vz/conf");
		assert_string_equal(v->run_dir, "/var/run/ovz-native");
		char *p = ovz_vzconf_ct_conf(v, 101);
		assert_string_equal(p, "/etc/vz/conf/101.conf");
		free(p);
		ovz_vzconf_free(v);
	}
}

static void test_expand_veid(void **state)
{
	const struct {
		const char *in, *out;
	} cases[] = {
		{ "/vz/root/$VEID", "/vz/root/101" },
		{ "/vz/private/${VEID}", "/vz/private/101" },
		{ "/vz/private/$VEID/", "/vz/private/101" },
		{ "/a/$VEID/b/${VEID}//", "/a/101/b/101" },
		{ "/plain", "/plain" },
		{ "/", "/" },
		{ "$VEIDX", "101X" },
		{ "${VEID", "${VEID" },
		{ "$veid", "$veid" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = ovz_expand_veid(cases[i].in, 101);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_paths(void **state)
{
	struct fixture *f = *state;
	char *got = ovz_vzconf_path(f->vz, f->vz->ve_private, 4242);
	char *want = under(f->root, "/vz/private/4242");
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = ovz_vzconf_ct_conf(f->vz, 101);
	want = under(f->root, "/etc/vz/conf/101.conf");
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = ovz_vzconf_sample(f->vz, "vswap-256m");
	want = under(f->root, "/etc/vz/conf/ve-vswap-256m.conf-sample");
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static char *read_link(const char *path)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static void test_name_link_create_and_resolve(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(ovz_name_link(f->vz, "web", 101, NULL), 0);
	char *link = under(f->root, "/etc/vz/names/web");
	char *target = read_link(link);
	assert_non_null(target);
	assert_string_equal(target, "/etc/vz/conf/101.conf");
	free(target);

	unsigned ctid = 0;
	assert_int_equal(ovz_name_resolve(f->vz, "web", &ctid, NULL), 0);
	assert_int_equal(ctid, 101);

	/* idempotent for the same CTID */
	assert_int_equal(ovz_name_link(f->vz, "web", 101, NULL), 0);
	target = read_link(link);
	assert_string_equal(target, "/etc/vz/conf/101.conf");
	free(target);

	assert_int_equal(ovz_name_unlink(f->vz, "web", NULL), 0);
	assert_false(tu_exists(link));
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_name_resolve(f->vz, "web", &ctid, &e), -ENOENT);
	assert_string_equal(ovz_error_message(e), "no container named 'web'");
	ovz_error_free(e);
	e = NULL;
	assert_int_equal(ovz_name_unlink(f->vz, "web", &e), -ENOENT);
	ovz_error_free(e);
	free(link);
}

static void test_name_link_conflict(void **state)
{
	struct fixture *f = *state;
	char *conf = under(f->root, "/etc/vz/conf/101.conf");
	tu_write(conf, "NAME=\"db\"\n");
	assert_int_equal(ovz_name_link(f->vz, "db", 101, NULL), 0);
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_name_link(f->vz, "db", 102, &e), -EEXIST);
	assert_string_equal(ovz_error_message(e), "name 'db' is already used by container 101");
	ovz_error_free(e);
	unsigned ctid = 0;
	assert_int_equal(ovz_name_resolve(f->vz, "db", &ctid, NULL), 0);
	assert_int_equal(ctid, 101);

	/* once 101's config is gone the link is stale and may be taken */
	assert_int_equal(unlink(conf), 0);
	assert_int_equal(ovz_name_link(f->vz, "db", 102, NULL), 0);
	assert_int_equal(ovz_name_resolve(f->vz, "db", &ctid, NULL), 0);
	assert_int_equal(ctid, 102);
	free(conf);
}

static void test_name_link_not_a_link(void **state)
{
	struct fixture *f = *state;
	char *path = under(f->root, "/etc/vz/names/file");
	tu_write(path, "x");
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_name_link(f->vz, "file", 101, &e), -EEXIST);
	assert_non_null(strstr(ovz_error_message(e), "is not a container name link"));
	ovz_error_free(e);
	e = NULL;
	assert_int_equal(ovz_name_unlink(f->vz, "file", &e), -EINVAL);
	ovz_error_free(e);
	assert_true(tu_exists(path));
	free(path);
}

static void test_name_resolve_odd_targets(void **state)
{
	struct fixture *f = *state;
	char *names = under(f->root, "/etc/vz/names");
	struct ovz_error *e = NULL;
	assert_int_equal(mkdir_p(names, 0755, NULL), 0);
	const struct {
		const char *name, *target;
		int ret;
		unsigned ctid;
	} cases[] = {
		{ "rel", "../conf/205.conf", 0, 205 },
		{ "plain", "/etc/vz/conf/77.conf", 0, 77 },
		{ "sample", "/etc/vz/conf/ve-basic.conf-sample", -EINVAL, 0 },
		{ "zero", "/etc/vz/conf/0.conf", -EINVAL, 0 },
		{ "neg", "/etc/vz/conf/-1.conf", -EINVAL, 0 },
		{ "noext", "/etc/vz/conf/101", -EINVAL, 0 },
		{ "junk", "/etc/vz/conf/101x.conf", -EINVAL, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *link = xasprintf("%s/%s", names, cases[i].name);
		assert_int_equal(symlink(cases[i].target, link), 0);
		unsigned ctid = 0;
		assert_int_equal(ovz_name_resolve(f->vz, cases[i].name, &ctid, &e), cases[i].ret);
		if (cases[i].ret == 0)
			assert_int_equal(ctid, cases[i].ctid);
		else
			assert_non_null(strstr(ovz_error_message(e), "not to a container config"));
		ovz_error_free(e);
		e = NULL;
		free(link);
	}
	free(names);
}

static void test_invalid_names(void **state)
{
	struct fixture *f = *state;
	const struct {
		const char *name, *message;
	} cases[] = {
		{ "", "name: is empty ()" },
		{ "a/b", "name: contains a slash (a/b)" },
		{ "..", "name: contains '..' (..)" },
		{ "x..y", "name: contains '..' (x..y)" },
		{ "-x", "name: starts with a dash (-x)" },
		{ "my ct", "name: contains whitespace (my ct)" },
		{ "tab\tname", "name: contains whitespace (tab\tname)" },
		{ "0123456789012345678901234567890123456789012345678901234567890123456789",
		  "name: is longer than 64 bytes "
		  "(0123456789012345678901234567890123456789012345678901234567890123456789)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ovz_error *e = NULL;
		unsigned ctid;
		assert_int_equal(ovz_name_link(f->vz, cases[i].name, 101, &e), -EINVAL);
		assert_string_equal(ovz_error_message(e), cases[i].message);
		ovz_error_free(e);
		e = NULL;
		assert_int_equal(ovz_name_resolve(f->vz, cases[i].name, &ctid, &e), -EINVAL);
		ovz_error_free(e);
		e = NULL;
		assert_int_equal(ovz_name_unlink(f->vz, cases[i].name, &e), -EINVAL);
		ovz_error_free(e);
	}
	char *names = under(f->root, "/etc/vz/names");
	assert_false(tu_exists(names));	/* nothing was created for a bad name */
	free(names);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults_without_vz_conf),
		T(test_overrides),
		T(test_bad_vz_conf),
		cmocka_unit_test(test_slash_and_empty_root),
		cmocka_unit_test(test_expand_veid),
		T(test_paths),
		T(test_name_link_create_and_resolve),
		T(test_name_link_conflict),
		T(test_name_link_not_a_link),
		T(test_name_resolve_odd_targets),
		T(test_invalid_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
