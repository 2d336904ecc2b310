// SPDX-License-Identifier: LGPL-2.1-or-later
/* `ovz-native host-init` against a tree laid out like a legacy OpenVZ
 * host's /proc, /dev, /etc/vz and /lib/modules under --root, in a network
 * namespace of its own with a stand-in venet0 (an empty bridge): what
 * vzctl's init script does, done twice (the second run changes and says
 * nothing), and each way it must refuse. */
#include "testutil.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

static char *root;
static const char *skip_reason;

static char *at(const char *rel)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", root, rel) > 0);
	return p;
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel);
	tu_write(p, text);
	free(p);
}

static char *get(const char *rel)
{
	char *p = at(rel), *s = tu_read(p);
	free(p);
	return s;
}

static void drop(const char *rel)
{
	char *p = at(rel);
	unlink(p);
	free(p);
}

/* What an OpenVZ kernel with its modules built in shows, with the
 * sysctls as a fresh boot has them. */
static void lay_out(void)
{
	put("proc/vz/veinfo", "");
	put("proc/vz/vzquota", "");
	put("proc/vz/oom_score_adj", "");
	put("proc/devices", "Character devices:\n126 vzctl\n");
	put("proc/filesystems", "nodev\tsimfs\n");
	put("proc/modules", "");
	put("proc/sys/net/ipv4/ip_forward", "0\n");
	put("proc/sys/net/ipv4/conf/default/proxy_arp", "1\n");
	put("proc/sys/net/ipv4/conf/default/send_redirects", "0\n");
	put("proc/sys/net/ipv4/conf/all/send_redirects", "1\n");
	put("proc/sys/net/ipv4/conf/venet0/send_redirects", "1\n");
	put("proc/sys/net/ipv4/route/src_check", "1\n");
	put("etc/vz/oom-groups.conf", "sshd -100\n");
	put("etc/vz/vz.conf", "VE0CPUUNITS=1000\nIPV6=yes\n");
	char *dev = at("dev");
	mkdir(dev, 0755);
	free(dev);
}

static char *moddir(const char *file)
{
	struct utsname u;
	uname(&u);
	char *p;
	assert_true(asprintf(&p, "lib/modules/%s/%s", u.release, file) > 0);
	return p;
}

static int setup(void **state)
{
	root = tu_mkdtemp();
	lay_out();
	return 0;
}

static int teardown(void **state)
{
	tu_rmrf(root);
	free(root);
	return 0;
}

#define REQUIRE() do { if (skip_reason) { TU_SKIP("%s", skip_reason); return; } } while (0)

static void expect_sysctl(const char *key, const char *value)
{
	char *rel, *want;
	assert_true(asprintf(&rel, "proc/sys/%s", key) > 0);
	assert_true(asprintf(&want, "%s", value) > 0);
	char *got = get(rel);
	if (!got || strncmp(got, want, strlen(want)) != 0)
		fail_msg("%s: '%s', want '%s'", key, got ? got : "(none)", want);
	free(got);
	free(want);
	free(rel);
}

static void test_init_twice(void **state)
{
	REQUIRE();
	struct tu_run r = tu_cli(root, NULL, "host-init", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, "venet0 up"));
	tu_run_free(&r);
	char *dev = at("dev/vzctl");
	struct stat st;
	assert_int_equal(lstat(dev, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(126, 0));
	assert_int_equal(st.st_mode & 07777, 0600);
	free(dev);
	expect_sysctl("net/ipv4/ip_forward", "1");
	expect_sysctl("net/ipv4/conf/default/proxy_arp", "0");
	expect_sysctl("net/ipv4/conf/default/send_redirects", "1");
	expect_sysctl("net/ipv4/conf/all/send_redirects", "0");
	expect_sysctl("net/ipv4/conf/venet0/send_redirects", "0");
	expect_sysctl("net/ipv4/route/src_check", "0");
	char *oom = get("proc/vz/oom_score_adj");
	assert_string_equal(oom, "sshd -100\n");
	free(oom);
	r = tu_runv((char *[]){ "ip", "-6", "addr", "show", "dev", "venet0", NULL }, NULL);
	assert_non_null(strstr(r.out, "fe80::1/128"));
	assert_non_null(strstr(r.out, "UP"));
	tu_run_free(&r);
	/* idempotent: nothing to do, nothing said */
	r = tu_cli(root, NULL, "host-init", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	tu_run_free(&r);
}

static void test_refusals(void **state)
{
	REQUIRE();
	/* a required module that is nowhere: named */
	drop("proc/vz/vzquota");
	struct tu_run r = tu_cli(root, NULL, "host-init", NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "module vzdquota: not loaded, not built in"));
	tu_run_free(&r);
	/* compressed: a 2.6.32 kernel has no finit_module to take it */
	char *dep = moddir("modules.dep"), *ko = moddir("kernel/fs/vzdquota.ko.xz");
	put(dep, "kernel/fs/vzdquota.ko.xz:\n");
	put(ko, "x");
	r = tu_cli(root, NULL, "host-init", NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "module vzdquota: "));
	assert_non_null(strstr(r.err, "is compressed"));
	tu_run_free(&r);
	free(dep);
	free(ko);
	put("proc/vz/vzquota", "");
	/* /dev/vzctl that is something else */
	put("dev/vzctl", "not a device");
	r = tu_cli(root, NULL, "host-init", NULL);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "is not the character device 126:0"));
	tu_run_free(&r);
	drop("dev/vzctl");
	/* not an OpenVZ kernel */
	char *vz = at("proc/vz");
	tu_rmrf(vz);
	free(vz);
	r = tu_cli(root, NULL, "host-init", NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "not an OpenVZ kernel"));
	tu_run_free(&r);
}

int main(void)
{
	if (!tu_is_root())
		skip_reason = "needs root (a network namespace with a venet0, mknod)";
	else if (unshare(CLONE_NEWNET) < 0)
		skip_reason = "cannot make a network namespace";
	else if (system("ip link add venet0 type bridge 2>/dev/null") != 0)
		skip_reason = "cannot make a stand-in venet0 (ip link add type bridge)";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};
	return cmocka_run_group_tests_name("hostinit", tests, NULL, NULL);
}
