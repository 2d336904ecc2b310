// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API, through the shared library only (this program links
 * libovz-native.so and no internal code): every function, its error paths
 * and the error chain.  The first group works on a scratch root as any
 * user; the second runs the whole lifecycle for real, as root, in mount
 * and network namespaces of its own, with a busybox template. */
#include "testutil.h"

#include <ovz-native/ovz.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define UUID "7d3e5a10-8c2b-4f6e-9a41-2b5c7d9e0f13"
#define NS_OPEN "<metadata><ovz:container xmlns:ovz='http://ovz-native.org/xmlns/domain/1'>"
#define NS_CLOSE "</ovz:container></metadata>\n"

static const char web_xml[] =
	"<domain type='openvz' id='101'>\n"
	"  <name>web1</name>\n"
	"  <uuid>" UUID "</uuid>\n"
	"  <description>the web server</description>\n"
	"  " NS_OPEN "<ovz:hostname>web1.example.com</ovz:hostname>"
	"<ovz:nameserver>192.0.2.53</ovz:nameserver><ovz:searchdomain>example.com</ovz:searchdomain>"
	"<ovz:autostart>yes</ovz:autostart>" NS_CLOSE
	"  <os><type>exe</type></os>\n"
	"  <devices>\n"
	"    <filesystem type='template'><source name='busybox'/><target dir='/'/></filesystem>\n"
	"    <interface type='ethernet'><ip address='10.0.0.101'/><ip address='2001:db8::101'/>"
	"</interface>\n"
	"  </devices>\n"
	"</domain>\n";

/* No CTID: define picks one. */
static const char anon_xml[] =
	"<domain type='openvz'><name>anon</name><os><type>exe</type></os></domain>\n";

static const char bad_xml[] =
	"<domain type='openvz' id='101'>\n"
	"  <os><type>exe</type></os>\n"
	"  <disk/>\n"
	"</domain>\n";

struct env {
	char *root;
	struct ovz_host *h;
};

static char *path_in(const char *root, const char *rel)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", root, rel) > 0);
	return p;
}

static void write_in(const char *root, const char *rel, const char *content)
{
	char *p = path_in(root, rel);
	tu_write(p, content);
	free(p);
}

static bool exists_in(const char *root, const char *rel)
{
	char *p = path_in(root, rel);
	bool r = tu_exists(p);
	free(p);
	return r;
}

static void sh(const char *cmd)
{
	int r = system(cmd);
	if (r != 0)
		fail_msg("'%s' failed (%d)", cmd, r);
}

/* A busybox root (or an empty one without busybox) packed as the
 * template cache NAME.tar.gz under root. */
static void make_template(const char *root, const char *name)
{
	char *cmd;
	assert_true(asprintf(&cmd,
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/sbin $t/etc $t/proc $t/sys $t/dev "
		"$t/tmp $t/root; if [ -x /bin/busybox ]; then cp /bin/busybox $t/bin/; "
		"for a in sh cat echo sleep true hostname; do ln -s busybox $t/bin/$a; done; "
		"ln -s ../bin/busybox $t/sbin/init; fi; "
		"printf '::sysinit:/bin/true\\n::respawn:/bin/sleep 100000\\n' > $t/etc/inittab; "
		"mkdir -p %s/vz/template/cache; "
		"tar --numeric-owner -C $t -czf %s/vz/template/cache/%s.tar.gz .; rm -rf $t",
		root, root, name) > 0);
	sh(cmd);
	free(cmd);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	e->root = tu_mkdtemp();
	assert_int_equal(ovz_host_new(e->root, "ns", &e->h, NULL), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	ovz_host_close(e->h);
	tu_rmrf(e->root);
	free(e->root);
	free(e);
	return 0;
}

static unsigned define(struct env *e, const char *xml)
{
	unsigned ctid = 0;
	struct ovz_error *err = NULL;
	int r = ovz_container_define_xml(e->h, xml, &ctid, &err);
	if (r < 0)
		fail_msg("define: %s", ovz_error_message(err));
	return ctid;
}

/* ---- version and errors ---- */

static void test_version(void **state)
{
	assert_string_equal(ovz_version(), OVZ_VERSION);
}

static void test_error_accessors(void **state)
{
	assert_int_equal(ovz_error_errno(NULL), 0);
	assert_string_equal(ovz_error_message(NULL), "");
	assert_string_equal(ovz_error_cause(NULL), "");
	assert_int_equal(ovz_error_context_count(NULL), 0);
	assert_null(ovz_error_context_at(NULL, 0));
	ovz_error_free(NULL);

	struct ovz_error *err = NULL;
	assert_int_equal(ovz_validate_xml(bad_xml, &err), -EINVAL);
	assert_int_equal(ovz_error_errno(err), EINVAL);
	assert_string_equal(ovz_error_message(err), "-:3: disk: is not supported by ovz-native");
	assert_string_equal(ovz_error_cause(err), ovz_error_message(err));
	assert_int_equal(ovz_error_context_count(err), 0);
	assert_null(ovz_error_context_at(err, 0));
	ovz_error_free(err);
}

static void test_error_exit_codes(void **state)
{
	assert_int_equal(ovz_error_exit_code(0), 0);
	assert_int_equal(ovz_error_exit_code(EINVAL), 1);
	assert_int_equal(ovz_error_exit_code(-EINVAL), 1);
	assert_int_equal(ovz_error_exit_code(ENOENT), 1);
	assert_int_equal(ovz_error_exit_code(EIO), 2);
	assert_int_equal(ovz_error_exit_code(-EPERM), 2);
	assert_int_equal(ovz_error_exit_code(EEXIST), 3);
	assert_int_equal(ovz_error_exit_code(EBUSY), 3);
}

/* A corrupt archive fails deep in extraction; each layer on the way out
 * adds its context, outermost first. */
static void test_error_chain(void **state)
{
	struct env *e = *state;
	write_in(e->root, "vz/template/cache/broken.tar.gz", "this is not gzip data at all\n");
	struct ovz_error *err = NULL;
	int r = ovz_tmpl_unpack(e->h, "broken", NULL, NULL, NULL, NULL, NULL, &err);
	assert_true(r < 0);
	assert_non_null(err);
	assert_int_equal(ovz_error_errno(err), -r);
	size_t n = ovz_error_context_count(err);
	assert_true(n >= 2);
	assert_string_equal(ovz_error_context_at(err, 0), "unpacking template 'broken'");
	assert_null(ovz_error_context_at(err, n));
	/* the message is the contexts and the cause, joined */
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(ovz_error_context_at(err, i)) + 2;
	const char *msg = ovz_error_message(err);
	assert_int_equal(strlen(msg), len + strlen(ovz_error_cause(err)));
	assert_string_equal(msg + len, ovz_error_cause(err));
	assert_true(strncmp(msg, "unpacking template 'broken': ", 29) == 0);
	ovz_error_free(err);
	/* no error object asked for: still the errno */
	assert_int_equal(ovz_tmpl_unpack(e->h, "broken", NULL, NULL, NULL, NULL, NULL, NULL), r);
}

/* ---- host ---- */

struct warnings {
	size_t n;
	char *last;
};

static void on_warning(void *data, const char *msg)
{
	struct warnings *w = data;
	w->n++;
	free(w->last);
	w->last = strdup(msg);
}

static void test_host(void **state)
{
	struct env *e = *state;
	assert_string_equal(ovz_host_root(e->h), e->root);
	assert_string_equal(ovz_host_backend_choice(e->h), "ns");
	const char *b = NULL;
	assert_int_equal(ovz_host_probe(e->h, &b, NULL), 0);
	assert_string_equal(b, "ns");

	struct ovz_host *h = NULL;
	assert_int_equal(ovz_host_new(NULL, NULL, &h, NULL), 0);
	assert_string_equal(ovz_host_root(h), "/");
	assert_string_equal(ovz_host_backend_choice(h), "auto");
	assert_int_equal(ovz_host_probe(h, &b, NULL), 0);
	assert_non_null(b);
	ovz_host_close(h);
	ovz_host_close(NULL);
}

static void test_host_errors(void **state)
{
	struct env *e = *state;
	struct ovz_host *h = (struct ovz_host *)1;
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_host_new(e->root, "lxc", &h, &err), -EINVAL);
	assert_null(h);
	assert_string_equal(ovz_error_message(err), "unknown backend 'lxc' (auto, vz, vz7 or ns)");
	ovz_error_free(err);
	err = NULL;

	/* a backend asked for by name is the one used, kernel or not */
	assert_int_equal(ovz_host_new(e->root, "vz7", &h, NULL), 0);
	const char *b = NULL;
	assert_int_equal(ovz_host_probe(h, &b, &err), 0);
	assert_string_equal(b, "vz7");
	ovz_host_close(h);
	/* ... and a kernel without it fails at the first call: no /dev/vzctl here */
	if (access("/dev/vzctl", F_OK) < 0) {
		assert_int_equal(ovz_host_new(e->root, "vz", &h, NULL), 0);
		assert_int_equal(ovz_container_start(h, 101, &err), -ENOENT);
		assert_non_null(strstr(ovz_error_message(err), "/dev/vzctl"));
		ovz_error_free(err);
		err = NULL;
		ovz_host_close(h);
	}

	/* a vz.conf with lines vzctl skips opens, and says what it skipped */
	write_in(e->root, "bad/etc/vz/vz.conf", "VE_ROOT=relative/$VEID\nNO EQUALS SIGN\n");
	char *bad = path_in(e->root, "bad");
	assert_int_equal(ovz_host_new(bad, NULL, &h, &err), 0);
	struct warnings w = { 0 };
	ovz_host_set_warning_handler(h, on_warning, &w);
	assert_int_equal(w.n, 2);
	assert_non_null(strstr(w.last, "vz.conf:1: VE_ROOT: is not an absolute path"));
	free(w.last);
	ovz_host_close(h);
	free(bad);
}

/* ---- XML and definitions ---- */

static void test_validate(void **state)
{
	struct env *e = *state;
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_validate_xml(web_xml, NULL), 0);
	assert_int_equal(ovz_validate_xml(NULL, &err), -EINVAL);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_validate_xml("<domain", &err), -EINVAL);
	ovz_error_free(err);
	err = NULL;

	write_in(e->root, "web.xml", web_xml);
	write_in(e->root, "bad.xml", bad_xml);
	char *good = path_in(e->root, "web.xml"), *bad = path_in(e->root, "bad.xml"),
	     *missing = path_in(e->root, "missing.xml");
	assert_int_equal(ovz_validate_file(good, NULL), 0);
	assert_int_equal(ovz_validate_file(bad, &err), -EINVAL);
	assert_non_null(strstr(ovz_error_message(err), "bad.xml:3: disk: "));
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_validate_file(missing, &err), -ENOENT);
	ovz_error_free(err);
	free(good);
	free(bad);
	free(missing);
}

static void test_define_dumpxml_undefine(void **state)
{
	struct env *e = *state;
	assert_int_equal(define(e, web_xml), 101);
	assert_true(exists_in(e->root, "etc/vz/conf/101.conf"));
	assert_true(exists_in(e->root, "etc/vz/names/web1"));

	char *xml = NULL;
	assert_int_equal(ovz_container_dumpxml(e->h, 101, &xml, NULL), 0);
	assert_non_null(strstr(xml, "<name>web1</name>"));
	assert_non_null(strstr(xml, "<uuid>" UUID "</uuid>"));
	/* dumpxml then define leaves the definition the same */
	assert_int_equal(define(e, xml), 101);
	char *again = NULL;
	assert_int_equal(ovz_container_dumpxml(e->h, 101, &again, NULL), 0);
	assert_string_equal(xml, again);
	free(again);

	/* from a file; no CTID means the lowest free one from 101 up */
	write_in(e->root, "anon.xml", anon_xml);
	char *file = path_in(e->root, "anon.xml");
	unsigned ctid = 0;
	assert_int_equal(ovz_container_define_file(e->h, file, &ctid, NULL), 0);
	assert_int_equal(ctid, 102);
	/* again: a new CTID, but the name is 102's */
	assert_int_equal(ovz_container_define_file(e->h, file, NULL, NULL), -EEXIST);
	free(file);

	assert_int_equal(ovz_container_undefine(e->h, 102, NULL), 0);
	assert_int_equal(ovz_container_undefine(e->h, 103, NULL), -ENOENT);
	assert_false(exists_in(e->root, "etc/vz/conf/102.conf"));
	assert_int_equal(ovz_container_undefine(e->h, 101, NULL), 0);
	assert_false(exists_in(e->root, "etc/vz/names/web1"));
	free(xml);
}

static void test_define_errors(void **state)
{
	struct env *e = *state;
	struct ovz_error *err = NULL;
	unsigned ctid = 7;
	assert_int_equal(ovz_container_define_xml(e->h, bad_xml, &ctid, &err), -EINVAL);
	assert_int_equal(ctid, 0);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_define_xml(e->h, NULL, NULL, &err), -EINVAL);
	ovz_error_free(err);
	err = NULL;
	char *missing = path_in(e->root, "missing.xml");
	assert_int_equal(ovz_container_define_file(e->h, missing, NULL, &err), -ENOENT);
	ovz_error_free(err);
	err = NULL;
	free(missing);

	/* a name held by another container */
	define(e, web_xml);
	static const char other[] =
		"<domain type='openvz' id='102'><name>web1</name><os><type>exe</type></os></domain>";
	assert_int_equal(ovz_container_define_xml(e->h, other, &ctid, &err), -EEXIST);
	assert_int_equal(ctid, 102);	/* known, for the caller's message */
	assert_string_equal(ovz_error_message(err), "name 'web1' is already used by CT 101");
	ovz_error_free(err);
	err = NULL;

	char *xml = (char *)"unchanged";
	assert_int_equal(ovz_container_dumpxml(e->h, 555, &xml, &err), -ENOENT);
	assert_string_equal(ovz_error_message(err), "CT 555 is not defined");
	ovz_error_free(err);
	err = NULL;

	/* undefine refuses while the private area exists */
	write_in(e->root, "vz/private/101/marker", "x");
	assert_int_equal(ovz_container_undefine(e->h, 101, &err), -EBUSY);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_undefine(e->h, 555, &err), -ENOENT);
	ovz_error_free(err);
}

static void test_lookup(void **state)
{
	struct env *e = *state;
	define(e, web_xml);
	unsigned ctid = 0;
	assert_int_equal(ovz_container_lookup(e->h, "101", 0, &ctid, NULL), 0);
	assert_int_equal(ctid, 101);
	ctid = 0;
	assert_int_equal(ovz_container_lookup(e->h, "web1", 0, &ctid, NULL), 0);
	assert_int_equal(ctid, 101);
	ctid = 0;
	assert_int_equal(ovz_container_lookup(e->h, UUID, 0, &ctid, NULL), 0);
	assert_int_equal(ctid, 101);
	ctid = 0;
	assert_int_equal(ovz_container_lookup(e->h, "7D3E5A108C2B4F6E9A412B5C7D9E0F13", 0, &ctid,
					      NULL), 0);
	assert_int_equal(ctid, 101);

	struct ovz_error *err = NULL;
	assert_int_equal(ovz_container_lookup(e->h, "102", 0, &ctid, &err), -ENOENT);
	assert_string_equal(ovz_error_message(err), "CT 102 is not defined");
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_lookup(e->h, "102", OVZ_LOOKUP_ANY_CTID, &ctid, NULL), 0);
	assert_int_equal(ctid, 102);
	assert_int_equal(ovz_container_lookup(e->h, "db1", OVZ_LOOKUP_ANY_CTID, &ctid, &err),
			 -ENOENT);
	assert_string_equal(ovz_error_message(err), "no container named 'db1'");
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_lookup(e->h, "00000000-0000-0000-0000-000000000001", 0,
					      &ctid, &err), -ENOENT);
	assert_non_null(strstr(ovz_error_message(err), "UUID"));
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_lookup(e->h, "a/b", 0, &ctid, &err), -EINVAL);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_lookup(e->h, NULL, 0, &ctid, &err), -EINVAL);
	ovz_error_free(err);
}

/* ---- listing ---- */

static void test_list_fields(void **state)
{
	struct env *e = *state;
	define(e, web_xml);
	define(e, anon_xml);
	struct ovz_ct_list *l = NULL;
	assert_int_equal(ovz_ct_list_new(e->h, 0, &l, NULL), 0);
	assert_int_equal(ovz_ct_list_count(l), 2);
	/* before the first entry */
	assert_int_equal(ovz_ct_list_ctid(l), 0);
	assert_null(ovz_ct_list_name(l));
	assert_null(ovz_ct_list_ips(l)[0]);

	assert_true(ovz_ct_list_next(l));
	assert_int_equal(ovz_ct_list_ctid(l), 101);
	assert_string_equal(ovz_ct_list_name(l), "web1");
	assert_string_equal(ovz_ct_list_uuid(l), UUID);
	assert_string_equal(ovz_ct_list_status(l), "stopped");
	const char *const *ips = ovz_ct_list_ips(l);
	assert_string_equal(ips[0], "10.0.0.101");
	assert_string_equal(ips[1], "2001:db8::101");
	assert_null(ips[2]);
	assert_string_equal(ovz_ct_list_hostname(l), "web1.example.com");
	assert_string_equal(ovz_ct_list_ostemplate(l), "busybox");
	assert_true(ovz_ct_list_onboot(l));
	assert_int_equal(ovz_ct_list_nproc(l), -1);
	assert_string_equal(ovz_ct_list_description(l), "the web server");
	assert_string_equal(ovz_ct_list_nameservers(l)[0], "192.0.2.53");
	assert_null(ovz_ct_list_nameservers(l)[1]);
	assert_string_equal(ovz_ct_list_searchdomains(l)[0], "example.com");
	assert_string_equal(ovz_ct_list_private(l), "/vz/private/101");
	assert_string_equal(ovz_ct_list_root(l), "/vz/root/101");
	assert_null(ovz_ct_list_backend(l));
	assert_string_equal(ovz_ct_list_config(l, "ONBOOT"), "yes");
	assert_null(ovz_ct_list_config(l, "KMEMSIZE"));
	assert_null(ovz_ct_list_config(l, NULL));
	assert_null(ovz_ct_list_error(l));

	assert_true(ovz_ct_list_next(l));
	assert_int_equal(ovz_ct_list_ctid(l), 102);
	assert_string_equal(ovz_ct_list_name(l), "anon");
	assert_null(ovz_ct_list_uuid(l));
	assert_null(ovz_ct_list_ips(l)[0]);
	assert_null(ovz_ct_list_nameservers(l)[0]);
	assert_null(ovz_ct_list_searchdomains(l)[0]);
	assert_null(ovz_ct_list_hostname(l));
	assert_false(ovz_ct_list_onboot(l));

	/* past the end, and back */
	assert_false(ovz_ct_list_next(l));
	assert_int_equal(ovz_ct_list_ctid(l), 0);
	assert_null(ovz_ct_list_status(l));
	assert_false(ovz_ct_list_next(l));
	assert_false(ovz_ct_list_seek(l, 2));
	assert_true(ovz_ct_list_seek(l, 0));
	assert_int_equal(ovz_ct_list_ctid(l), 101);
	assert_string_equal(ovz_ct_list_ips(l)[0], "10.0.0.101");
	ovz_ct_list_free(l);
	ovz_ct_list_free(NULL);
}

/* One entry at a time, read when the list reaches it. */
static void test_list_reads_as_it_goes(void **state)
{
	struct env *e = *state;
	define(e, web_xml);
	unsigned anon = define(e, anon_xml);
	struct ovz_ct_list *l = NULL;
	assert_int_equal(ovz_ct_list_new(e->h, OVZ_CT_LIST_NPROC, &l, NULL), 0);
	assert_true(ovz_ct_list_next(l));
	assert_int_equal(ovz_ct_list_ctid(l), 101);
	assert_false(ovz_ct_list_seek(l, 2));	/* out of range: stays */
	assert_int_equal(ovz_ct_list_ctid(l), 101);
	struct ovz_changes *c = ovz_changes_new();
	assert_int_equal(ovz_changes_add(c, "hostname", "later.example.com", NULL), 0);
	assert_int_equal(ovz_container_set(e->h, anon, c, 0, NULL, NULL), 0);
	ovz_changes_free(c);
	assert_true(ovz_ct_list_next(l));
	assert_int_equal(ovz_ct_list_ctid(l), anon);
	assert_string_equal(ovz_ct_list_hostname(l), "later.example.com");
	assert_int_equal(ovz_ct_list_nproc(l), -1);	/* stopped */
	ovz_ct_list_free(l);
}

static void test_list_empty_and_broken(void **state)
{
	struct env *e = *state;
	struct ovz_ct_list *l = NULL;
	assert_int_equal(ovz_ct_list_new(e->h, 0, &l, NULL), 0);
	assert_int_equal(ovz_ct_list_count(l), 0);
	assert_false(ovz_ct_list_next(l));
	ovz_ct_list_free(l);

	/* a config that cannot be read is listed with the reason */
	write_in(e->root, "etc/vz/conf/200.conf",
		 "IP_ADDRESS=\"192.0.2.1\"\nNETIF=\"ifname=eth0,ip=192.0.2.1\"\n");
	assert_int_equal(ovz_ct_list_new(e->h, 0, &l, NULL), 0);
	assert_true(ovz_ct_list_next(l));
	assert_int_equal(ovz_ct_list_ctid(l), 200);
	assert_non_null(ovz_ct_list_error(l));
	ovz_ct_list_free(l);

	/* the config directory cannot be opened */
	char *conf = path_in(e->root, "etc/vz/conf");
	tu_rmrf(conf);
	tu_write(conf, "a file, not a directory");
	struct ovz_error *err = NULL;
	l = (struct ovz_ct_list *)1;
	assert_int_equal(ovz_ct_list_new(e->h, 0, &l, &err), -ENOTDIR);
	assert_null(l);
	ovz_error_free(err);
	free(conf);
}

/* ---- create options, and create's refusals ---- */

static void test_create_options(void **state)
{
	struct ovz_create_options *o = ovz_create_options_new();
	assert_null(ovz_create_options_result(o));
	ovz_create_options_set_ostemplate(o, "busybox");
	ovz_create_options_set_ostemplate(o, NULL);
	ovz_create_options_set_config(o, "basic");
	ovz_create_options_set_private(o, "/vz/private/x");
	ovz_create_options_set_root_dir(o, "/vz/root/x");
	ovz_create_options_set_hostname(o, "x.example.com");
	ovz_create_options_add_ip(o, "10.0.0.5");
	ovz_create_options_add_ip(o, NULL);
	ovz_create_options_set_method(o, OVZ_CREATE_METHOD_OVERLAY);
	ovz_create_options_set_progress(o, NULL, NULL);
	volatile sig_atomic_t cancel = 0;
	ovz_create_options_set_cancel(o, &cancel);
	assert_int_equal(ovz_create_options_set_xml(o, web_xml, NULL), 0);
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_create_options_set_xml(o, bad_xml, &err), -EINVAL);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_create_options_set_xml_file(o, "/nonexistent/x.xml", &err), -ENOENT);
	ovz_error_free(err);
	ovz_create_options_free(o);
	ovz_create_options_free(NULL);
}

static void expect_create_error(struct env *e, const char *id, struct ovz_create_options *o,
				int want, const char *msg)
{
	struct ovz_error *err = NULL;
	unsigned ctid = 9;
	int r = ovz_container_create(e->h, id, o, &ctid, &err);
	if (r != want)
		fail_msg("create %s: %d, wanted %d: %s", id ? id : "(null)", r, want,
			 ovz_error_message(err));
	assert_int_equal(ctid, 9);
	if (msg && !strstr(ovz_error_message(err), msg))
		fail_msg("create: '%s' does not contain '%s'", ovz_error_message(err), msg);
	ovz_error_free(err);
}

static void test_create_refusals(void **state)
{
	struct env *e = *state;
	expect_create_error(e, NULL, NULL, -EINVAL, "no CTID or name given");
	expect_create_error(e, "nosuch", NULL, -ENOENT, "no container named 'nosuch'");

	struct ovz_create_options *o = ovz_create_options_new();
	ovz_create_options_set_xml(o, anon_xml, NULL);
	expect_create_error(e, NULL, o, -EINVAL, "the XML gives no CTID");
	ovz_create_options_set_xml(o, web_xml, NULL);
	expect_create_error(e, "102", o, -EINVAL, "the XML defines CT 101, not 102");
	ovz_create_options_free(o);

	o = ovz_create_options_new();
	ovz_create_options_set_ostemplate(o, "../etc");
	expect_create_error(e, "150", o, -EINVAL, "--ostemplate");
	ovz_create_options_set_ostemplate(o, "busybox");
	ovz_create_options_add_ip(o, "not-an-address");
	expect_create_error(e, "150", o, -EINVAL, "--ipadd");
	ovz_create_options_free(o);

	o = ovz_create_options_new();
	ovz_create_options_set_ostemplate(o, "missing");
	expect_create_error(e, "150", o, -ENOENT, "missing");
	assert_null(ovz_create_options_result(o));
	ovz_create_options_free(o);
	assert_false(exists_in(e->root, "etc/vz/conf/150.conf"));
	assert_false(exists_in(e->root, "vz/private/150"));
}

static void test_lifecycle_refusals(void **state)
{
	struct env *e = *state;
	define(e, web_xml);
	struct ovz_error *err = NULL;
	/* defined but never created */
	assert_int_equal(ovz_container_start(e->h, 101, &err), -ENOENT);
	assert_non_null(strstr(ovz_error_message(err), "is not created"));
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_mount(e->h, 101, &err), -ENOENT);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_destroy(e->h, 150, &err), -ENOENT);
	assert_string_equal(ovz_error_message(err), "CT 150 does not exist");
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_stop(e->h, 150, 0, 0, &err), -ENOENT);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_restart(e->h, 150, OVZ_STOP_FAST, 1, &err), -ENOENT);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_umount(e->h, 150, &err), -ENOENT);
	ovz_error_free(err);
	err = NULL;

	unsigned state_bits = 99;
	pid_t pid = 99;
	assert_int_equal(ovz_container_status(e->h, 101, &state_bits, &pid, NULL), 0);
	assert_int_equal(state_bits, 0);
	assert_int_equal(pid, 0);
	assert_int_equal(ovz_container_status(e->h, 101, &state_bits, NULL, NULL), 0);
	assert_int_equal(ovz_container_status(e->h, 150, &state_bits, &pid, &err), -ENOENT);
	ovz_error_free(err);
	err = NULL;

	/* exec needs a running container and a command */
	char *argv[] = { (char *)"true", NULL };
	int status = 0;
	assert_int_equal(ovz_container_exec(e->h, 101, argv, NULL, NULL, 0, &status, &err),
			 -EINVAL);
	assert_string_equal(ovz_error_message(err), "CT 101 is not running");
	assert_int_equal(status, 125);
	ovz_error_free(err);
	err = NULL;
	char *none[] = { NULL };
	assert_int_equal(ovz_container_exec(e->h, 101, none, NULL, NULL, 0, &status, &err),
			 -EINVAL);
	assert_string_equal(ovz_error_message(err), "no command given");
	ovz_error_free(err);
	err = NULL;
	pid = 0;
	assert_int_equal(ovz_container_spawn(e->h, 101, NULL, NULL, NULL, 0, &pid, &err), -EINVAL);
	ovz_error_free(err);
}

/* ---- set ---- */

static void test_changes(void **state)
{
	struct ovz_changes *c = ovz_changes_new();
	static const char *const good[][2] = {
		{ "hostname", "a.example.com" }, { "ipadd", "10.0.0.9" }, { "ipdel", "all" },
		{ "ipdel", "10.0.0.9/24" }, { "nameserver", "192.0.2.1" },
		{ "searchdomain", "example.org" }, { "onboot", "no" }, { "cpus", "2" },
		{ "cpuunits", "1000" }, { "cpulimit", "50" }, { "memory", "512M" },
		{ "ram", "1G" }, { "netif_add", "eth0,00:18:51:00:00:01,veth9.0,,br0" },
		{ "netif_del", "all" }, { "name", "renamed" }, { "description", "any text" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ovz_error *err = NULL;
		if (ovz_changes_add(c, good[i][0], good[i][1], &err) != 0)
			fail_msg("%s %s: %s", good[i][0], good[i][1], ovz_error_message(err));
	}
	assert_int_equal(ovz_changes_count(c), sizeof(good) / sizeof(good[0]));

	static const char *const bad[][3] = {
		{ "ostemplate", "x", "--ostemplate: not an option of set" },
		{ "hostname", "bad host", "--hostname: " },
		{ "ipadd", "10.0.0.300", "--ipadd: " },
		{ "ipdel", "nope", "--ipdel: " },
		{ "nameserver", "ns.example.com", "--nameserver: " },
		{ "onboot", "maybe", "--onboot: yes or no (maybe)" },
		{ "cpus", "0", "--cpus: not a number from 1 to 4096 (0)" },
		{ "cpuunits", "x", "--cpuunits: " },
		{ "cpulimit", "409601", "--cpulimit: " },
		{ "memory", "12Q", "--memory: not a size like 512M or 2G (12Q)" },
		{ "memory", "-1G", "--memory: " },
		{ "netif_add", "eth0,a,b,c,d,e", "--netif_add: more than 5 fields" },
		{ "netif_add", "eth0,zz:zz", "--netif_add: mac " },
		{ "netif_add", "eth0,,bad name", "--netif_add: host_ifname " },
		{ "netif_del", "bad name", "--netif_del: " },
		{ "name", "a/b", "--name: " },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ovz_error *err = NULL;
		assert_int_equal(ovz_changes_add(c, bad[i][0], bad[i][1], &err), -EINVAL);
		if (!strstr(ovz_error_message(err), bad[i][2]))
			fail_msg("'%s' does not contain '%s'", ovz_error_message(err), bad[i][2]);
		ovz_error_free(err);
	}
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_changes_add(c, NULL, "x", &err), -EINVAL);
	ovz_error_free(err);
	assert_int_equal(ovz_changes_count(c), sizeof(good) / sizeof(good[0]));
	ovz_changes_free(c);
	ovz_changes_free(NULL);
}

static void test_set_stopped(void **state)
{
	struct env *e = *state;
	define(e, web_xml);
	struct ovz_changes *c = ovz_changes_new();
	assert_int_equal(ovz_changes_add(c, "hostname", "www.example.com", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "ipadd", "10.0.0.102", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "ipdel", "2001:db8::101", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "nameserver", "192.0.2.1", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "nameserver", "192.0.2.2", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "onboot", "no", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "cpus", "2", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "name", "www", NULL), 0);
	bool live = true;
	struct ovz_error *err = NULL;
	if (ovz_container_set(e->h, 101, c, 0, &live, &err) < 0)
		fail_msg("set: %s", ovz_error_message(err));
	assert_false(live);
	ovz_changes_free(c);

	struct ovz_ct_list *l = NULL;
	assert_int_equal(ovz_ct_list_new(e->h, 0, &l, NULL), 0);
	assert_true(ovz_ct_list_next(l));
	assert_string_equal(ovz_ct_list_hostname(l), "www.example.com");
	assert_string_equal(ovz_ct_list_name(l), "www");
	assert_string_equal(ovz_ct_list_ips(l)[0], "10.0.0.101");
	assert_string_equal(ovz_ct_list_ips(l)[1], "10.0.0.102");
	assert_null(ovz_ct_list_ips(l)[2]);
	assert_string_equal(ovz_ct_list_nameservers(l)[0], "192.0.2.1");
	assert_string_equal(ovz_ct_list_nameservers(l)[1], "192.0.2.2");
	assert_false(ovz_ct_list_onboot(l));
	assert_string_equal(ovz_ct_list_config(l, "CPUS"), "2");
	ovz_ct_list_free(l);
	unsigned ctid = 0;
	assert_int_equal(ovz_container_lookup(e->h, "www", 0, &ctid, NULL), 0);
	assert_int_equal(ctid, 101);
	assert_false(exists_in(e->root, "etc/vz/names/web1"));
}

static void expect_set_error(struct env *e, unsigned ctid, const char *opt, const char *value,
			     int want, const char *msg)
{
	struct ovz_changes *c = ovz_changes_new();
	if (opt)
		assert_int_equal(ovz_changes_add(c, opt, value, NULL), 0);
	struct ovz_error *err = NULL;
	bool live = true;
	assert_int_equal(ovz_container_set(e->h, ctid, c, OVZ_SET_SAVE, &live, &err), want);
	assert_false(live);
	if (!strstr(ovz_error_message(err), msg))
		fail_msg("'%s' does not contain '%s'", ovz_error_message(err), msg);
	ovz_error_free(err);
	ovz_changes_free(c);
}

static void test_set_errors(void **state)
{
	struct env *e = *state;
	define(e, web_xml);
	char *before = NULL, *after = NULL;
	assert_int_equal(ovz_container_dumpxml(e->h, 101, &before, NULL), 0);
	expect_set_error(e, 101, NULL, NULL, -EINVAL, "nothing to set");
	expect_set_error(e, 101, "ipadd", "10.0.0.101", -EINVAL,
			 "--ipadd: already assigned (10.0.0.101)");
	expect_set_error(e, 101, "ipdel", "10.9.9.9", -EINVAL, "--ipdel: not assigned (10.9.9.9)");
	expect_set_error(e, 101, "netif_del", "eth7", -EINVAL, "--netif_del: not assigned (eth7)");
	expect_set_error(e, 555, "onboot", "yes", -ENOENT, "CT 555 is not defined");
	assert_int_equal(ovz_container_set(e->h, 101, NULL, 0, NULL, NULL), -EINVAL);
	/* nothing changed by the refusals */
	assert_int_equal(ovz_container_dumpxml(e->h, 101, &after, NULL), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* The checks of set alone: which change does not fit, and nothing changes. */
static void test_check_changes(void **state)
{
	struct env *e = *state;
	define(e, web_xml);
	char *before = NULL, *after = NULL;
	assert_int_equal(ovz_container_dumpxml(e->h, 101, &before, NULL), 0);
	struct ovz_changes *c = ovz_changes_new();
	assert_int_equal(ovz_changes_add(c, "hostname", "www.example.com", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "ipadd", "10.0.0.102", NULL), 0);
	ssize_t refused = 7;
	assert_int_equal(ovz_container_check_changes(e->h, 101, c, &refused, NULL), 0);
	assert_int_equal(refused, -1);
	assert_int_equal(ovz_changes_add(c, "ipdel", "10.0.0.102", NULL), 0);
	assert_int_equal(ovz_changes_add(c, "ipadd", "10.0.0.101", NULL), 0);
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_container_check_changes(e->h, 101, c, &refused, &err), -EINVAL);
	assert_int_equal(refused, 3);
	assert_string_equal(ovz_error_message(err), "--ipadd: already assigned (10.0.0.101)");
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_check_changes(e->h, 555, c, &refused, &err), -ENOENT);
	assert_int_equal(refused, -1);
	ovz_error_free(err);
	ovz_changes_free(c);
	c = ovz_changes_new();
	assert_int_equal(ovz_container_check_changes(e->h, 101, c, &refused, NULL), -EINVAL);
	assert_int_equal(refused, -1);
	assert_int_equal(ovz_container_check_changes(e->h, 101, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(ovz_changes_add(c, "netif_del", "eth7", NULL), 0);
	assert_int_equal(ovz_container_check_changes(e->h, 101, c, &refused, NULL), -EINVAL);
	assert_int_equal(refused, 0);
	ovz_changes_free(c);
	assert_int_equal(ovz_container_dumpxml(e->h, 101, &after, NULL), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* ---- plans ---- */

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_plan_verbs(void **state)
{
	static const char *const names[] = { "create", "destroy", "start", "stop", "mount",
					     "umount" };
	for (size_t i = 0; i < 6; i++) {
		enum ovz_plan_verb v = OVZ_PLAN_VERB_UMOUNT;
		assert_int_equal(ovz_plan_verb_from_name(names[i], &v), 0);
		assert_int_equal(v, (enum ovz_plan_verb)i);
	}
	enum ovz_plan_verb v;
	assert_int_equal(ovz_plan_verb_from_name("restart", &v), -EINVAL);
	assert_int_equal(ovz_plan_verb_from_name(NULL, &v), -EINVAL);
}

/* The data view and the text agree line by line. */
static void check_plan(struct ovz_verb_plan *p, bool teardown)
{
	assert_string_equal(ovz_verb_plan_backend(p), "ns");
	assert_int_equal(ovz_verb_plan_ctid(p), 101);
	size_t n = ovz_verb_plan_steps(p);
	assert_true(n > 0);
	const char *text = ovz_verb_plan_text(p);
	assert_int_equal(count_lines(text), n);
	const char *line = text;
	for (size_t i = 0; i < n; i++) {
		const char *ctx = ovz_verb_plan_step_context(p, i);
		assert_true(strcmp(ctx, "host") == 0 || strcmp(ctx, "ct") == 0);
		char *want;
		const char *args = ovz_verb_plan_step_args(p, i);
		assert_true(asprintf(&want, "%-3s %s%s %s%s%s\n", "ns",
				     strcmp(ctx, "ct") == 0 ? "ct." : "",
				     ovz_verb_plan_step_mechanism(p, i), ovz_verb_plan_step_call(p, i),
				     *args ? " " : "", args) > 0);
		assert_true(strncmp(line, want, strlen(want)) == 0);
		line += strlen(want);
		free(want);
	}
	assert_null(ovz_verb_plan_step_context(p, n));
	assert_null(ovz_verb_plan_step_mechanism(p, n));
	assert_null(ovz_verb_plan_step_call(p, n));
	assert_null(ovz_verb_plan_step_args(p, n));
	const char *json = ovz_verb_plan_json(p);
	assert_non_null(strstr(json, teardown ? "\"teardown\": true" : "\"teardown\": false"));
	assert_non_null(strstr(json, "\"ctid\": 101"));
}

static void test_plans(void **state)
{
	struct env *e = *state;
	define(e, web_xml);
	write_in(e->root, "web.xml", web_xml);
	char *file = path_in(e->root, "web.xml");
	for (int v = OVZ_PLAN_VERB_CREATE; v <= OVZ_PLAN_VERB_UMOUNT; v++) {
		struct ovz_verb_plan *p = NULL;
		struct ovz_error *err = NULL;
		if (ovz_verb_plan_new(e->h, 101, (enum ovz_plan_verb)v, &p, &err) < 0)
			fail_msg("plan %d: %s", v, ovz_error_message(err));
		check_plan(p, v % 2 == 1);
		ovz_verb_plan_free(p);
		assert_int_equal(ovz_verb_plan_new_xml(e->h, web_xml, (enum ovz_plan_verb)v, &p, NULL),
				 0);
		check_plan(p, v % 2 == 1);
		ovz_verb_plan_free(p);
		assert_int_equal(ovz_verb_plan_new_file(e->h, file, (enum ovz_plan_verb)v, &p, NULL),
				 0);
		check_plan(p, v % 2 == 1);
		ovz_verb_plan_free(p);
	}
	/* stop is start backwards */
	struct ovz_verb_plan *start = NULL, *stop = NULL;
	ovz_verb_plan_new(e->h, 101, OVZ_PLAN_VERB_START, &start, NULL);
	ovz_verb_plan_new(e->h, 101, OVZ_PLAN_VERB_STOP, &stop, NULL);
	size_t n = ovz_verb_plan_steps(stop);
	assert_true(n <= ovz_verb_plan_steps(start));
	assert_string_equal(ovz_verb_plan_step_mechanism(stop, n - 1),
			    ovz_verb_plan_step_mechanism(start, 0));
	ovz_verb_plan_free(start);
	ovz_verb_plan_free(stop);
	ovz_verb_plan_free(NULL);
	free(file);
}

static const char bind_xml[] =
	"<domain type='openvz' id='101'><name>bind1</name><os><type>exe</type></os><devices>"
	"<filesystem type='template'><source name='busybox'/><target dir='/'/></filesystem>"
	"<filesystem type='mount'><source dir='/srv'/><target dir='/srv'/></filesystem>"
	"</devices></domain>\n";

static void test_plan_errors(void **state)
{
	struct env *e = *state;
	struct ovz_verb_plan *p = (struct ovz_verb_plan *)1;
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_verb_plan_new(e->h, 101, OVZ_PLAN_VERB_START, &p, &err), -ENOENT);
	assert_null(p);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_verb_plan_new_xml(e->h, anon_xml, OVZ_PLAN_VERB_START, &p, &err),
			 -EINVAL);
	assert_string_equal(ovz_error_message(err), "the XML gives no CTID");
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_verb_plan_new_xml(e->h, bad_xml, OVZ_PLAN_VERB_START, &p, &err),
			 -EINVAL);
	ovz_error_free(err);
	err = NULL;
	write_in(e->root, "anon.xml", anon_xml);
	char *anon = path_in(e->root, "anon.xml");
	assert_int_equal(ovz_verb_plan_new_file(e->h, anon, OVZ_PLAN_VERB_START, &p, &err),
			 -EINVAL);
	assert_non_null(strstr(ovz_error_message(err), "anon.xml: the XML gives no CTID"));
	ovz_error_free(err);
	err = NULL;
	free(anon);
	assert_int_equal(ovz_verb_plan_new_file(e->h, "/nonexistent.xml", OVZ_PLAN_VERB_START, &p,
						&err), -ENOENT);
	assert_null(p);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_verb_plan_new_xml(e->h, web_xml, (enum ovz_plan_verb)42, &p, &err),
			 -EINVAL);
	ovz_error_free(err);
	err = NULL;
	/* what the backend cannot carry out: bind mounts */
	struct ovz_host *vz7 = NULL;
	assert_int_equal(ovz_host_new(e->root, "vz7", &vz7, NULL), 0);
	assert_int_equal(ovz_verb_plan_new_xml(vz7, bind_xml, OVZ_PLAN_VERB_START, &p, &err),
			 -ENOTSUP);
	assert_null(p);
	assert_non_null(strstr(ovz_error_message(err), "the vz7 backend"));
	ovz_error_free(err);
	ovz_host_close(vz7);
}

/* ---- templates ---- */

struct progress_seen {
	unsigned calls;
	uint64_t entries, bytes_in, total_in, bytes_out, total_out, elapsed;
};

static void on_progress(const struct ovz_progress *p, void *userdata)
{
	struct progress_seen *s = userdata;
	s->calls++;
	s->entries = ovz_progress_entries(p);
	s->bytes_in = ovz_progress_bytes_in(p);
	s->total_in = ovz_progress_total_in(p);
	s->bytes_out = ovz_progress_bytes_out(p);
	s->total_out = ovz_progress_total_out(p);
	s->elapsed = ovz_progress_elapsed_ns(p);
}

static void test_templates(void **state)
{
	struct env *e = *state;
	struct ovz_tmpl_list *l = NULL;
	assert_int_equal(ovz_tmpl_list_new(e->h, &l, NULL), 0);
	assert_false(ovz_tmpl_list_next(l));
	assert_null(ovz_tmpl_list_name(l));
	ovz_tmpl_list_free(l);

	make_template(e->root, "busybox");
	assert_int_equal(ovz_tmpl_list_new(e->h, &l, NULL), 0);
	assert_null(ovz_tmpl_list_name(l));	/* before the first entry */
	assert_true(ovz_tmpl_list_next(l));
	assert_string_equal(ovz_tmpl_list_name(l), "busybox");
	assert_non_null(strstr(ovz_tmpl_list_path(l), "/vz/template/cache/busybox.tar.gz"));
	assert_int_equal(ovz_tmpl_list_kind(l), OVZ_TMPL_ARCHIVE);
	assert_string_equal(ovz_tmpl_list_compression(l), "gzip");
	assert_true(ovz_tmpl_list_size(l) > 0);
	assert_true(ovz_tmpl_list_mtime(l).tv_sec > 0);
	assert_false(ovz_tmpl_list_incomplete(l));
	assert_false(ovz_tmpl_list_next(l));
	assert_int_equal(ovz_tmpl_list_size(l), 0);
	assert_int_equal(ovz_tmpl_list_mtime(l).tv_sec, 0);
	ovz_tmpl_list_free(l);
	ovz_tmpl_list_free(NULL);

	struct progress_seen seen = { 0 };
	char *dir = NULL;
	bool fresh = false;
	struct ovz_error *err = NULL;
	if (ovz_tmpl_unpack(e->h, "busybox", on_progress, &seen, NULL, &dir, &fresh, &err) < 0)
		fail_msg("unpack: %s", ovz_error_message(err));
	assert_true(fresh);
	assert_true(seen.calls >= 1);	/* at least the final report */
	assert_true(seen.entries > 5);
	assert_true(seen.bytes_in > 0 && seen.bytes_in <= seen.total_in);
	assert_true(seen.bytes_out <= seen.total_out || seen.total_out == 0);
	char *inittab;
	assert_true(asprintf(&inittab, "%s/etc/inittab", dir) > 0);
	assert_true(tu_exists(inittab));
	free(inittab);
	free(dir);
	assert_int_equal(ovz_tmpl_unpack(e->h, "busybox", NULL, NULL, NULL, NULL, &fresh, NULL), 0);
	assert_false(fresh);

	assert_int_equal(ovz_tmpl_list_new(e->h, &l, NULL), 0);
	assert_true(ovz_tmpl_list_next(l));
	assert_int_equal(ovz_tmpl_list_kind(l), OVZ_TMPL_ARCHIVE);
	assert_true(ovz_tmpl_list_next(l));
	assert_string_equal(ovz_tmpl_list_name(l), "busybox");
	assert_int_equal(ovz_tmpl_list_kind(l), OVZ_TMPL_UNPACKED);
	assert_null(ovz_tmpl_list_compression(l));
	assert_false(ovz_tmpl_list_incomplete(l));
	ovz_tmpl_list_free(l);
}

static void test_template_errors(void **state)
{
	struct env *e = *state;
	struct ovz_error *err = NULL;
	char *dir = (char *)"unchanged";
	assert_int_equal(ovz_tmpl_unpack(e->h, "missing", NULL, NULL, NULL, &dir, NULL, &err),
			 -ENOENT);
	assert_string_equal(dir, "unchanged");
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_tmpl_unpack(e->h, "../x", NULL, NULL, NULL, NULL, NULL, &err), -EINVAL);
	assert_non_null(strstr(ovz_error_message(err), "template name "));
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_tmpl_unpack(e->h, NULL, NULL, NULL, NULL, NULL, NULL, &err), -EINVAL);
	ovz_error_free(err);
	err = NULL;
	/* the name check alone */
	assert_int_equal(ovz_tmpl_check_name("../x", &err), -EINVAL);
	assert_string_equal(ovz_error_message(err), "template name contains '..' (../x)");
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_tmpl_check_name("-x", NULL), -EINVAL);
	assert_int_equal(ovz_tmpl_check_name("", NULL), -EINVAL);
	assert_int_equal(ovz_tmpl_check_name(NULL, NULL), -EINVAL);
	assert_int_equal(ovz_tmpl_check_name("debian-12-x86_64", NULL), 0);
	assert_int_equal(ovz_tmpl_check_name("missing", NULL), 0);	/* not looked up */

	/* a cancelled unpack leaves nothing behind */
	make_template(e->root, "busybox");
	volatile sig_atomic_t cancel = 1;
	assert_int_equal(ovz_tmpl_unpack(e->h, "busybox", NULL, NULL, &cancel, NULL, NULL, &err),
			 -EINTR);
	ovz_error_free(err);
	struct ovz_tmpl_list *l = NULL;
	assert_int_equal(ovz_tmpl_list_new(e->h, &l, NULL), 0);
	assert_true(ovz_tmpl_list_next(l));
	assert_false(ovz_tmpl_list_next(l));
	ovz_tmpl_list_free(l);

	char *tdir = path_in(e->root, "vz/template");
	tu_rmrf(tdir);
	tu_write(tdir, "not a directory");
	err = NULL;
	l = (struct ovz_tmpl_list *)1;
	assert_true(ovz_tmpl_list_new(e->h, &l, &err) < 0);
	assert_null(l);
	ovz_error_free(err);
	free(tdir);
}

/* ---- autostart with nothing to start ---- */

static void on_boot(unsigned ctid, int result, void *userdata)
{
	(*(unsigned *)userdata)++;
}

static void test_autostart_nothing(void **state)
{
	struct env *e = *state;
	define(e, anon_xml);	/* ONBOOT unset */
	unsigned calls = 0;
	assert_int_equal(ovz_host_autostart(e->h, 4, on_boot, &calls, NULL), 0);
	assert_int_equal(calls, 0);
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_host_autostart(e->h, 0, on_boot, &calls, &err), -EINVAL);
	ovz_error_free(err);
}

/* ---- the lifecycle, for real ---- */

static const char *skip_reason;
static char *ct_root;	/* the scratch root of the lifecycle group */

#define CT_XML_CTID 151
static const char ct_xml[] =
	"<domain type='openvz' id='151'>\n"
	"  <name>api</name>\n"
	"  <os><type>exe</type></os>\n"
	"  " NS_OPEN "<ovz:hostname>api.test</ovz:hostname><ovz:autostart>yes</ovz:autostart>"
	NS_CLOSE
	"  <devices>\n"
	"    <filesystem type='template'><source name='busybox'/><target dir='/'/></filesystem>\n"
	"    <interface type='ethernet'><ip address='10.78.0.2'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

static int ct_group_setup(void **state)
{
	if (geteuid() != 0) {
		skip_reason = "needs root (namespaces, mounts, netlink)";
		return 0;
	}
	if (access("/bin/busybox", X_OK) < 0) {
		skip_reason = "needs /bin/busybox (Debian's busybox-static)";
		return 0;
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		skip_reason = "cannot make private mount and network namespaces";
		return 0;
	}
	if (system("ip link set lo up && ip addr add 10.78.0.1/32 dev lo") != 0) {
		skip_reason = "cannot set up the loopback device";
		return 0;
	}
	ct_root = tu_mkdtemp();
	make_template(ct_root, "busybox");
	return 0;
}

static int ct_group_teardown(void **state)
{
	if (!ct_root)
		return 0;
	struct ovz_host *h = NULL;
	if (ovz_host_new(ct_root, "ns", &h, NULL) == 0) {
		ovz_container_stop(h, CT_XML_CTID, OVZ_STOP_FAST, 0, NULL);
		ovz_container_destroy(h, CT_XML_CTID, NULL);
		ovz_container_stop(h, 152, OVZ_STOP_FAST, 0, NULL);
		ovz_container_destroy(h, 152, NULL);
		ovz_host_close(h);
	}
	tu_rmrf(ct_root);
	free(ct_root);
	return 0;
}

#define REQUIRE() do { if (skip_reason) TU_SKIP("%s", skip_reason); } while (0)

static struct ovz_host *ct_host(void)
{
	struct ovz_host *h = NULL;
	assert_int_equal(ovz_host_new(ct_root, "ns", &h, NULL), 0);
	return h;
}

static void ok(int r, struct ovz_error *err, const char *what)
{
	if (r < 0)
		fail_msg("%s: %s", what, ovz_error_message(err));
	ovz_error_free(err);
}

static unsigned status_of(struct ovz_host *h, unsigned ctid, pid_t *pid)
{
	unsigned st = 0;
	assert_int_equal(ovz_container_status(h, ctid, &st, pid, NULL), 0);
	return st;
}

static void test_ct_create(void **state)
{
	REQUIRE();
	struct ovz_host *h = ct_host();
	struct ovz_create_options *o = ovz_create_options_new();
	assert_int_equal(ovz_create_options_set_xml(o, ct_xml, NULL), 0);
	struct progress_seen seen = { 0 };
	ovz_create_options_set_progress(o, on_progress, &seen);
	struct ovz_error *err = NULL;
	unsigned ctid = 0;
	ok(ovz_container_create(h, "api", o, &ctid, &err), err, "create");
	assert_int_equal(ctid, CT_XML_CTID);
	assert_string_equal(ovz_create_options_result(o), "extract");
	assert_true(seen.calls >= 1);
	ovz_create_options_free(o);
	assert_int_equal(status_of(h, ctid, NULL), OVZ_CT_EXISTS);

	/* a second create is refused and changes nothing */
	err = NULL;
	assert_int_equal(ovz_container_create(h, "151", NULL, NULL, &err), -EEXIST);
	ovz_error_free(err);
	assert_int_equal(status_of(h, ctid, NULL), OVZ_CT_EXISTS);

	/* a create from the command line's options, and its destroy */
	o = ovz_create_options_new();
	ovz_create_options_set_ostemplate(o, "busybox");
	ovz_create_options_set_hostname(o, "two.test");
	ovz_create_options_add_ip(o, "10.78.0.3");
	ovz_create_options_set_method(o, OVZ_CREATE_METHOD_CLONE);
	err = NULL;
	ok(ovz_container_create(h, "152", o, NULL, &err), err, "create 152");
	assert_true(strncmp(ovz_create_options_result(o), "clone", 5) == 0);
	ovz_create_options_free(o);
	struct ovz_ct_list *l = NULL;
	assert_int_equal(ovz_ct_list_new(h, OVZ_CT_LIST_NPROC, &l, NULL), 0);
	assert_true(ovz_ct_list_seek(l, 1));
	assert_int_equal(ovz_ct_list_ctid(l), 152);
	assert_string_equal(ovz_ct_list_hostname(l), "two.test");
	assert_string_equal(ovz_ct_list_ips(l)[0], "10.78.0.3");
	ovz_ct_list_free(l);
	err = NULL;
	ok(ovz_container_destroy(h, 152, &err), err, "destroy 152");
	assert_false(exists_in(ct_root, "etc/vz/conf/152.conf"));
	ovz_host_close(h);
}

static void test_ct_mount(void **state)
{
	REQUIRE();
	struct ovz_host *h = ct_host();
	struct ovz_error *err = NULL;
	ok(ovz_container_mount(h, CT_XML_CTID, &err), err, "mount");
	assert_int_equal(status_of(h, CT_XML_CTID, NULL), OVZ_CT_EXISTS | OVZ_CT_MOUNTED);
	err = NULL;
	ok(ovz_container_umount(h, CT_XML_CTID, &err), err, "umount");
	assert_int_equal(status_of(h, CT_XML_CTID, NULL), OVZ_CT_EXISTS);
	ovz_host_close(h);
}

/* A pipe's read end after the command wrote into it and exited. */
static char *read_all(int fd)
{
	static char buf[4096];
	size_t len = 0;
	ssize_t n;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return buf;
}

static void test_ct_start_exec_stop(void **state)
{
	REQUIRE();
	struct ovz_host *h = ct_host();
	struct ovz_error *err = NULL;
	ok(ovz_container_start(h, CT_XML_CTID, &err), err, "start");
	pid_t pid = 0;
	unsigned st = status_of(h, CT_XML_CTID, &pid);
	assert_true(st & OVZ_CT_RUNNING);
	assert_true(pid > 0);
	err = NULL;
	assert_int_equal(ovz_container_start(h, CT_XML_CTID, &err), -EALREADY);
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_container_destroy(h, CT_XML_CTID, &err), -EBUSY);
	ovz_error_free(err);

	struct ovz_ct_list *l = NULL;
	assert_int_equal(ovz_ct_list_new(h, OVZ_CT_LIST_NPROC, &l, NULL), 0);
	assert_true(ovz_ct_list_next(l));
	assert_string_equal(ovz_ct_list_status(l), "running");
	assert_string_equal(ovz_ct_list_backend(l), "ns");
	assert_true(ovz_ct_list_nproc(l) >= 1);
	ovz_ct_list_free(l);

	/* exit status, environment and fds */
	char *exit7[] = { (char *)"sh", (char *)"-c", (char *)"exit 7", NULL };
	int status = -1;
	err = NULL;
	ok(ovz_container_exec(h, CT_XML_CTID, exit7, NULL, NULL, 0, &status, &err), err, "exec");
	assert_int_equal(status, 7);
	int p[2];
	assert_int_equal(pipe(p), 0);
	char *echo[] = { (char *)"sh", (char *)"-c", (char *)"echo $GREETING; hostname", NULL };
	char *envp[] = { (char *)"GREETING=hello", (char *)"PATH=/bin", NULL };
	int fds[3] = { -1, p[1], -1 };
	err = NULL;
	ok(ovz_container_exec(h, CT_XML_CTID, echo, envp, fds, 0, &status, &err), err, "exec");
	close(p[1]);
	assert_int_equal(status, 0);
	assert_string_equal(read_all(p[0]), "hello\napi.test\n");
	char *missing[] = { (char *)"/no/such/command", NULL };
	err = NULL;
	assert_int_equal(ovz_container_exec(h, CT_XML_CTID, missing, NULL, NULL, 0, &status, &err),
			 -ENOENT);
	assert_int_equal(status, 127);
	ovz_error_free(err);
	char *sleep_[] = { (char *)"sleep", (char *)"0", NULL };
	pid_t child = 0;
	err = NULL;
	ok(ovz_container_spawn(h, CT_XML_CTID, sleep_, NULL, NULL, 0, &child, &err), err, "spawn");
	assert_true(child > 0);
	assert_int_equal(ovz_container_wait(child), 0);

	/* a change applied live */
	struct ovz_changes *c = ovz_changes_new();
	assert_int_equal(ovz_changes_add(c, "hostname", "live.test", NULL), 0);
	bool live = false;
	err = NULL;
	ok(ovz_container_set(h, CT_XML_CTID, c, OVZ_SET_SAVE, &live, &err), err, "set");
	assert_true(live);
	ovz_changes_free(c);
	char *name[] = { (char *)"hostname", NULL };
	assert_int_equal(pipe(p), 0);
	fds[1] = p[1];
	ok(ovz_container_exec(h, CT_XML_CTID, name, NULL, fds, 0, &status, NULL), NULL, "exec");
	close(p[1]);
	assert_string_equal(read_all(p[0]), "live.test\n");

	err = NULL;
	ok(ovz_container_restart(h, CT_XML_CTID, OVZ_STOP_FAST, 0, &err), err, "restart");
	pid_t pid2 = 0;
	assert_true(status_of(h, CT_XML_CTID, &pid2) & OVZ_CT_RUNNING);
	assert_true(pid2 > 0 && pid2 != pid);
	/* asked to power off, then killed without waiting (stop --timeout 0) */
	err = NULL;
	ok(ovz_container_restart(h, CT_XML_CTID, OVZ_STOP_NO_WAIT, 0, &err), err, "restart");
	pid_t pid3 = 0;
	assert_true(status_of(h, CT_XML_CTID, &pid3) & OVZ_CT_RUNNING);
	assert_true(pid3 > 0 && pid3 != pid2);
	err = NULL;
	ok(ovz_container_stop(h, CT_XML_CTID, 0, 5, &err), err, "stop");
	assert_int_equal(status_of(h, CT_XML_CTID, &pid), OVZ_CT_EXISTS);
	assert_int_equal(pid, 0);
	ovz_host_close(h);
}

static void on_boot_record(unsigned ctid, int result, void *userdata)
{
	unsigned *seen = userdata;
	if (result == 0)
		*seen = ctid;
}

static void test_ct_autostart_destroy(void **state)
{
	REQUIRE();
	struct ovz_host *h = ct_host();
	unsigned started = 0;
	struct ovz_error *err = NULL;
	int failed = ovz_host_autostart(h, 2, on_boot_record, &started, &err);
	ok(failed, err, "autostart");
	assert_int_equal(failed, 0);
	assert_int_equal(started, CT_XML_CTID);
	assert_true(status_of(h, CT_XML_CTID, NULL) & OVZ_CT_RUNNING);
	err = NULL;
	ok(ovz_container_stop(h, CT_XML_CTID, OVZ_STOP_FAST, 0, &err), err, "stop");
	err = NULL;
	ok(ovz_container_destroy(h, CT_XML_CTID, &err), err, "destroy");
	err = NULL;
	assert_int_equal(ovz_container_status(h, CT_XML_CTID, &(unsigned){ 0 }, NULL, &err),
			 -ENOENT);
	ovz_error_free(err);
	ovz_host_close(h);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_error_accessors),
		cmocka_unit_test(test_error_exit_codes),
		T(test_error_chain),
		T(test_host),
		T(test_host_errors),
		T(test_validate),
		T(test_define_dumpxml_undefine),
		T(test_define_errors),
		T(test_lookup),
		T(test_list_fields),
		T(test_list_reads_as_it_goes),
		T(test_list_empty_and_broken),
		cmocka_unit_test(test_create_options),
		T(test_create_refusals),
		T(test_lifecycle_refusals),
		cmocka_unit_test(test_changes),
		T(test_set_stopped),
		T(test_set_errors),
		T(test_check_changes),
		cmocka_unit_test(test_plan_verbs),
		T(test_plans),
		T(test_plan_errors),
		T(test_templates),
		T(test_template_errors),
		T(test_autostart_nothing),
		/* the lifecycle, in order, on the group's root */
		cmocka_unit_test(test_ct_create),
		cmocka_unit_test(test_ct_mount),
		cmocka_unit_test(test_ct_start_exec_stop),
		cmocka_unit_test(test_ct_autostart_destroy),
	};
	return cmocka_run_group_tests_name("api", tests, ct_group_setup, ct_group_teardown);
}
