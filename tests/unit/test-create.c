// SPDX-License-Identifier: LGPL-2.1-or-later
/* create and destroy through the command: templates, samples, refusals,
 * races and the clean-up of an interrupted create. */
#include "oldkern.h"
#include "testutil.h"

#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *root;

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("'%s' failed", cmd);
}

static int setup(void **state)
{
	root = tu_mkdtemp();
	char *cmd = xasprintf(
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/etc; echo hello > $t/etc/motd; "
		"ln -s ../etc/motd $t/bin/motd; mkdir -p %s/vz/template/cache; "
		"tar --numeric-owner -C $t -czf %s/vz/template/cache/tiny.tar.gz .; "
		"tar --numeric-owner -C $t -cf %s/vz/template/cache/tiny-plain.tar .; rm -rf $t",
		root, root, root);
	sh(cmd);
	free(cmd);
	return 0;
}

static int teardown(void **state)
{
	tu_rmrf(root);
	free(root);
	return 0;
}

static char *at(const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

static bool exists(const char *rel)
{
	_cleanup_free_ char *p = at(rel);
	return tu_exists(p);
}

static void test_missing_template(void **state)
{
	struct tu_run r = tu_cli(root, NULL, "create", "201", "--ostemplate", "nosuch", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "nosuch.tar.gz"));
	assert_non_null(strstr(r.err, "/vz/template/cache"));
	tu_run_free(&r);
	assert_false(exists("etc/vz/conf/201.conf"));
	assert_false(exists("vz/private/201"));
	assert_false(exists("vz/private/201.tmp"));
}

static void test_create_from_sample(void **state)
{
	_cleanup_free_ char *sample = at("etc/vz/conf/ve-vswap-256m.conf-sample");
	tu_write(sample, "# sample\nPHYSPAGES=\"0:65536\"\nSWAPPAGES=\"0:131072\"\n"
			 "KMEMSIZE=\"14372700:14790164\"\n");
	struct tu_run r = tu_cli(root, NULL, "create", "202", "--ostemplate", "tiny", "--hostname",
				 "h202.test", "--ipadd", "192.0.2.202", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "CT 202 created (extract)\n");
	tu_run_free(&r);
	_cleanup_free_ char *conf_path = at("etc/vz/conf/202.conf");
	_cleanup_free_ char *conf = tu_read(conf_path);
	assert_non_null(strstr(conf, "# sample\n"));
	assert_non_null(strstr(conf, "KMEMSIZE=\"14372700:14790164\""));
	assert_non_null(strstr(conf, "ORIGIN_SAMPLE=\"vswap-256m\""));
	assert_non_null(strstr(conf, "OSTEMPLATE=\"tiny\""));
	assert_non_null(strstr(conf, "HOSTNAME=\"h202.test\""));
	assert_non_null(strstr(conf, "IP_ADDRESS=\"192.0.2.202\""));
	_cleanup_free_ char *motd_path = at("vz/private/202/etc/motd");
	_cleanup_free_ char *motd = tu_read(motd_path);
	assert_string_equal(motd, "hello\n");
	/* a second create of the same container is a conflict and changes nothing */
	r = tu_cli(root, NULL, "create", "202", "--ostemplate", "tiny", NULL);
	assert_int_equal(r.status, 3);
	tu_run_free(&r);
	_cleanup_free_ char *again = tu_read(conf_path);
	assert_string_equal(conf, again);
	r = tu_cli(root, NULL, "status", "202", NULL);
	assert_string_equal(r.out, "CTID 202 exist unmounted down\n");
	tu_run_free(&r);
	r = tu_cli(root, NULL, "destroy", "202", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	assert_false(exists("vz/private/202"));
	assert_false(exists("etc/vz/conf/202.conf"));
}

static void test_hostile_template_leaves_nothing(void **state)
{
	_cleanup_free_ char *cmd = xasprintf(
		"set -e; cd %s && mkdir -p h/a && echo x > h/a/f && "
		"tar --numeric-owner -cf vz/template/cache/evil.tar -C h a/f "
		"--transform='s,^a/f,../../escaped,' && rm -rf h", root);
	sh(cmd);
	struct tu_run r = tu_cli(root, NULL, "create", "203", "--ostemplate", "evil", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "escaped"));
	tu_run_free(&r);
	assert_false(exists("vz/private/203"));
	assert_false(exists("vz/private/203.tmp"));
	assert_false(exists("vz/private/203.ovz-create"));
	assert_false(exists("etc/vz/conf/203.conf"));
	assert_false(exists("escaped"));
	assert_false(exists("vz/escaped"));
}

static int run_create(const char *ctid)
{
	struct tu_run r = tu_cli(root, NULL, "create", ctid, "--ostemplate", "tiny-plain", NULL);
	int status = r.status;
	tu_run_free(&r);
	return status;
}

static void race(const char *a, const char *b, int codes[2])
{
	pid_t pids[2];
	const char *ids[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(run_create(ids[i]));
	}
	for (int i = 0; i < 2; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		codes[i] = WEXITSTATUS(st);
	}
}

static void test_concurrent_creates(void **state)
{
	int codes[2];
	race("204", "204", codes);
	assert_true((codes[0] == 0 && codes[1] == 3) || (codes[0] == 3 && codes[1] == 0));
	race("205", "206", codes);
	assert_int_equal(codes[0], 0);
	assert_int_equal(codes[1], 0);
	assert_true(exists("vz/private/205/etc/motd"));
	assert_true(exists("vz/private/206/etc/motd"));
}

/* A create that died (its marker is left, its lock is free) shows as
 * incomplete; destroy, or the next create, cleans up. */
static void test_interrupted_create(void **state)
{
	_cleanup_free_ char *conf = at("etc/vz/conf/207.conf");
	tu_write(conf, "OSTEMPLATE=\"tiny\"\n");
	_cleanup_free_ char *marker = at("vz/private/207.ovz-create");
	_cleanup_free_ char *junk = at("vz/private/207.tmp/etc/half-written");
	tu_write(marker, "");
	tu_write(junk, "x");
	struct tu_run r = tu_cli(root, NULL, "list", "-a", "-x", "-H", "-o", "ctid,status", NULL);
	assert_non_null(strstr(r.out, "       207 incomplete\n"));
	tu_run_free(&r);
	r = tu_cli(root, NULL, "create", "207", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	assert_false(exists("vz/private/207.tmp"));
	assert_false(exists("vz/private/207.ovz-create"));
	assert_true(exists("vz/private/207/etc/motd"));
	/* destroy of a half-created container with no config at all */
	tu_write(marker, "");
	tu_write(junk, "x");
	r = tu_cli(root, NULL, "destroy", "207", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	assert_false(exists("vz/private/207"));
	assert_false(exists("vz/private/207.tmp"));
	assert_false(exists("vz/private/207.ovz-create"));
	r = tu_cli(root, NULL, "destroy", "207", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
}

static void test_clone_and_overlay_say_which_path(void **state)
{
	struct tu_run r = tu_cli(root, NULL, "create", "208", "--ostemplate", "tiny", "--clone",
				 NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "CT 208 created (clone"));
	tu_run_free(&r);
	assert_true(exists("vz/private/208/etc/motd"));
	/* the data, too (before 3.1 lseek has no SEEK_DATA: create-2.6.32) */
	_cleanup_free_ char *motd_path = at("vz/private/208/etc/motd");
	_cleanup_free_ char *motd = tu_read(motd_path);
	assert_string_equal(motd, "hello\n");
	if (!tu_is_root())
		TU_SKIP("needs root (overlay mount)");
	r = tu_cli(root, NULL, "create", "209", "--ostemplate", "tiny", "--layout", "overlay",
		   NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "CT 209 created (overlay)\n");
	tu_run_free(&r);
}

static void test_template_verbs(void **state)
{
	/* tiny was unpacked by the clone test; tiny-plain never was */
	struct tu_run r = tu_cli(root, NULL, "template", "unpack", "tiny-plain", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, " unpacked\n"));
	tu_run_free(&r);
	r = tu_cli(root, NULL, "template", "unpack", "tiny-plain", NULL);
	assert_non_null(strstr(r.out, " up to date\n"));
	tu_run_free(&r);
	r = tu_cli(root, NULL, "template", "list", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "tiny "));
	assert_non_null(strstr(r.out, "unpacked"));
	assert_non_null(strstr(r.out, "tiny-plain"));
	tu_run_free(&r);
	r = tu_cli(root, NULL, "template", "unpack", "../x", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	r = tu_cli(root, NULL, "template", "unpack", "nosuch", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
}

int main(void)
{
	tu_old_kernel_from_env();	/* the create-2.6.32 and create-3.10 runs */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_template),
		cmocka_unit_test(test_create_from_sample),
		cmocka_unit_test(test_hostile_template_leaves_nothing),
		cmocka_unit_test(test_concurrent_creates),
		cmocka_unit_test(test_interrupted_create),
		cmocka_unit_test(test_clone_and_overlay_say_which_path),
		cmocka_unit_test(test_template_verbs),
	};
	return cmocka_run_group_tests_name("create", tests, setup, teardown);
}
