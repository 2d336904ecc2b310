// SPDX-License-Identifier: LGPL-2.1-or-later
/* The whole lifecycle on the ns backend, for real: the command run as a
 * process, as root, inside a private mount and network namespace that this
 * program makes first, with a busybox template built from the host's
 * busybox-static.  After each step the test looks for residue: mounts,
 * network devices, cgroups, run state and locks. */
#include "testutil.h"

#include "core/util.h"
#include "net/netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CTID "150"

static const char *skip_reason;
static char *root;	/* the --root of every command */

static const char ct_xml[] =
	"<domain type='openvz' id='" CTID "'>\n"
	"  <name>bb</name>\n"
	"  <memory unit='MiB'>256</memory>\n"
	"  <os><type>exe</type></os>\n"
	"  <metadata><ovz:container xmlns:ovz='http://ovz-native.org/xmlns/domain/1'>"
	"<ovz:hostname>bb.test</ovz:hostname><ovz:nameserver>10.77.0.1</ovz:nameserver>"
	"</ovz:container></metadata>\n"
	"  <devices>\n"
	"    <filesystem type='template'><source name='busybox'/><target dir='/'/></filesystem>\n"
	"    <interface type='ethernet'><ip address='10.77.0.2'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

static void sh(const char *cmd)
{
	int r = system(cmd);
	if (r != 0)
		fail_msg("'%s' failed (%d)", cmd, r);
}

/* A busybox root: /bin/busybox, applet links, an inittab that keeps a
 * process running, packed as the template cache busybox.tar.gz. */
static void make_template(void)
{
	char *cmd = xasprintf(
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/sbin $t/etc $t/proc $t/sys $t/dev "
		"$t/tmp $t/root; cp /bin/busybox $t/bin/; for a in sh ls cat echo sleep ip "
		"hostname ps ping true id; do ln -s busybox $t/bin/$a; done; "
		"ln -s ../bin/busybox $t/sbin/init; "
		"printf '::sysinit:/bin/true\\n::respawn:/bin/sleep 100000\\n' > $t/etc/inittab; "
		"mkdir -p %s/vz/template/cache; "
		"tar --numeric-owner -C $t -czf %s/vz/template/cache/busybox.tar.gz .; rm -rf $t",
		root, root);
	sh(cmd);
	free(cmd);
	char *xml = xasprintf("%s/ct.xml", root);
	tu_write(xml, ct_xml);
	free(xml);
}

static int group_setup(void **state)
{
	if (!tu_is_root()) {
		skip_reason = "needs root (namespaces, mounts, netlink)";
		return 0;
	}
	if (access("/bin/busybox", X_OK) < 0) {
		skip_reason = "needs /bin/busybox (Debian's busybox-static)";
		return 0;
	}
	/* everything below happens in namespaces of our own */
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		skip_reason = "cannot make private mount and network namespaces";
		return 0;
	}
	sh("ip link set lo up && ip addr add 10.77.0.1/32 dev lo");
	root = tu_mkdtemp();
	make_template();
	return 0;
}

static int group_teardown(void **state)
{
	if (root) {
		struct tu_run r = tu_cli(root, NULL, "stop", "--fast", CTID, NULL);
		tu_run_free(&r);
		r = tu_cli(root, NULL, "destroy", CTID, NULL);
		tu_run_free(&r);
		tu_rmrf(root);
	}
	return 0;
}

#define REQUIRE() do { if (skip_reason) TU_SKIP("%s", skip_reason); } while (0)

static struct tu_run cli(const char *a, const char *b, const char *c, const char *d)
{
	return tu_cli(root, NULL, a, b, c, d, NULL);
}

static void expect_ok(struct tu_run r)
{
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	tu_run_free(&r);
}

static char *status_line(void)
{
	struct tu_run r = cli("status", CTID, NULL, NULL);
	assert_int_equal(r.status, 0);
	free(r.err);
	return r.out;
}

static size_t count_links(void)
{
	struct ovz_nl *nl = NULL;
	assert_int_equal(ovz_nl_open(-1, &nl, NULL), 0);
	struct ovz_link *links = NULL;
	size_t n = 0;
	assert_int_equal(ovz_nl_link_list(nl, &links, &n, NULL), 0);
	free(links);
	ovz_nl_close(nl);
	return n;
}

static bool mounted_under_root(void)
{
	char *mi = tu_read("/proc/self/mountinfo");
	bool found = mi && strstr(mi, root);
	free(mi);
	return found;
}

static bool cgroup_left(void)
{
	static const char *const dirs[] = {
		"/sys/fs/cgroup/unified/ovz-native/" CTID, "/sys/fs/cgroup/ovz-native/" CTID,
		"/sys/fs/cgroup/memory/ovz-native/" CTID, "/sys/fs/cgroup/cpu/ovz-native/" CTID,
		"/sys/fs/cgroup/pids/ovz-native/" CTID,
	};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (tu_exists(dirs[i]))
			return true;
	return false;
}

static void assert_no_residue(void)
{
	assert_false(mounted_under_root());
	assert_int_equal(count_links(), 1);	/* lo */
	assert_false(cgroup_left());
	char *state = xasprintf("%s/var/run/ovz-native/" CTID ".state", root);
	char *lock = xasprintf("%s/vz/lock/" CTID ".lck", root);
	assert_false(tu_exists(state));
	assert_false(tu_exists(lock));
	free(state);
	free(lock);
	char *st = status_line();
	assert_string_equal(st, "CTID " CTID " exist unmounted down\n");
	free(st);
}

static void test_create(void **state)
{
	REQUIRE();
	char *xml = xasprintf("%s/ct.xml", root);
	struct tu_run r = tu_cli(root, NULL, "create", "--xml", xml, NULL);
	free(xml);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "CT " CTID " created (extract)\n");
	tu_run_free(&r);
	char *init = xasprintf("%s/vz/private/" CTID "/bin/busybox", root);
	assert_true(tu_exists(init));
	free(init);
	assert_no_residue();
}

/* A limit from the config reaches the container's cgroup. */
static void assert_pids_max(const char *want)
{
	static const char *const files[] = {
		"/sys/fs/cgroup/pids/ovz-native/" CTID "/pids.max",
		"/sys/fs/cgroup/unified/ovz-native/" CTID "/pids.max",
		"/sys/fs/cgroup/ovz-native/" CTID "/pids.max",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *v = tu_read(files[i]);
		if (!v)
			continue;
		assert_string_equal(v, want);
		free(v);
		return;
	}
	fail_msg("no pids.max for CT " CTID);
}

static void test_start_exec_stop(void **state)
{
	REQUIRE();
	char *conf = xasprintf("%s/etc/vz/conf/" CTID ".conf", root);
	char *text = tu_read(conf);
	char *more = xasprintf("%sNUMPROC=\"200:200\"\n", text);
	tu_write(conf, more);
	free(more);
	free(text);
	free(conf);
	expect_ok(cli("start", CTID, NULL, NULL));
	assert_pids_max("200\n");
	char *st = status_line();
	assert_string_equal(st, "CTID " CTID " exist mounted running\n");
	free(st);

	struct tu_run r = cli("exec", CTID, "hostname", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "bb.test\n");
	tu_run_free(&r);
	r = cli("exec", CTID, "cat", "/etc/resolv.conf");
	assert_non_null(strstr(r.out, "nameserver 10.77.0.1"));
	tu_run_free(&r);
	r = tu_cli(root, NULL, "exec", CTID, "--", "sh", "-c", "exit 7", NULL);
	assert_int_equal(r.status, 7);
	tu_run_free(&r);
	/* the routed venet carries traffic both ways */
	r = tu_cli(root, NULL, "exec", CTID, "ping", "-c", "1", "-W", "3", "10.77.0.1", NULL);
	if (r.status != 0)
		fail_msg("ping from the container failed: %s%s", r.out, r.err);
	tu_run_free(&r);

	r = tu_cli(root, NULL, "list", "-H", "-o", "ctid,status,ip,hostname", NULL);
	assert_string_equal(r.out, "       " CTID " running   10.77.0.2       bb.test\n");
	tu_run_free(&r);
	r = tu_cli(root, NULL, "list", "-H", "-o", "numproc", NULL);
	assert_true(atoi(r.out) >= 2);	/* init and its sleep */
	tu_run_free(&r);

	r = cli("start", CTID, NULL, NULL);
	assert_int_equal(r.status, 3);	/* already running */
	tu_run_free(&r);

	expect_ok(tu_cli(root, NULL, "stop", "--timeout", "5", CTID, NULL));
	assert_no_residue();
}

static void test_restart(void **state)
{
	REQUIRE();
	expect_ok(cli("start", CTID, NULL, NULL));
	struct tu_run r = tu_cli(root, NULL, "list", "-H", "-o", "ctid", NULL);
	assert_string_equal(r.out, "       " CTID "\n");
	tu_run_free(&r);
	expect_ok(tu_cli(root, NULL, "restart", "--fast", CTID, NULL));
	char *st = status_line();
	assert_string_equal(st, "CTID " CTID " exist mounted running\n");
	free(st);
	expect_ok(tu_cli(root, NULL, "stop", "--fast", CTID, NULL));
	assert_no_residue();
}

static bool conf_has(const char *text)
{
	char *path = xasprintf("%s/etc/vz/conf/" CTID ".conf", root);
	char *conf = tu_read(path);
	bool found = conf && strstr(conf, text);
	free(conf);
	free(path);
	return found;
}

static void test_set_live(void **state)
{
	REQUIRE();
	expect_ok(cli("start", CTID, NULL, NULL));
	/* live only: the running container changes, the config does not */
	expect_ok(tu_cli(root, NULL, "set", CTID, "--ipadd", "10.77.0.3", "--hostname",
			 "live.test", NULL));
	struct tu_run r = cli("exec", CTID, "hostname", NULL);
	assert_string_equal(r.out, "live.test\n");
	tu_run_free(&r);
	r = tu_cli(root, NULL, "exec", CTID, "ip", "-4", "addr", "show", "venet0", NULL);
	assert_non_null(strstr(r.out, "10.77.0.3/32"));
	tu_run_free(&r);
	r = tu_cli(root, NULL, "exec", CTID, "ping", "-c", "1", "-W", "3", "-I", "10.77.0.3",
		   "10.77.0.1", NULL);
	if (r.status != 0)
		fail_msg("ping from the new address failed: %s%s", r.out, r.err);
	tu_run_free(&r);
	assert_false(conf_has("10.77.0.3"));
	assert_false(conf_has("live.test"));
	/* --save keeps it; --ipdel takes the address away live */
	expect_ok(tu_cli(root, NULL, "set", CTID, "--save", "--ipdel", "10.77.0.3", "--hostname",
			 "saved.test", NULL));
	r = tu_cli(root, NULL, "exec", CTID, "ip", "-4", "addr", "show", "venet0", NULL);
	assert_null(strstr(r.out, "10.77.0.3"));
	assert_non_null(strstr(r.out, "10.77.0.2/32"));
	tu_run_free(&r);
	assert_true(conf_has("HOSTNAME=\"saved.test\""));
	assert_false(conf_has("10.77.0.3"));
	/* bad input changes nothing */
	r = tu_cli(root, NULL, "set", CTID, "--ipadd", "10.77.0.300", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	expect_ok(tu_cli(root, NULL, "stop", "--fast", CTID, NULL));
	assert_no_residue();
	/* a stopped container's config is written directly */
	expect_ok(tu_cli(root, NULL, "set", CTID, "--hostname", "bb.test", NULL));
	assert_true(conf_has("HOSTNAME=\"bb.test\""));
}

static void test_enter_and_mount(void **state)
{
	REQUIRE();
	expect_ok(cli("mount", CTID, NULL, NULL));
	char *st = status_line();
	assert_string_equal(st, "CTID " CTID " exist mounted down\n");
	free(st);
	expect_ok(cli("umount", CTID, NULL, NULL));
	assert_no_residue();

	expect_ok(cli("start", CTID, NULL, NULL));
	struct tu_run r = cli("umount", CTID, NULL, NULL);
	assert_int_equal(r.status, 3);	/* running */
	tu_run_free(&r);
	/* the shell reads our commands through its pty */
	r = tu_cli(root, "echo in-$(hostname); exit 3\n", "enter", CTID, NULL);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.out, "in-bb.test"));
	tu_run_free(&r);
	expect_ok(tu_cli(root, NULL, "stop", "--fast", CTID, NULL));
	assert_no_residue();
}

static void test_boot(void **state)
{
	REQUIRE();
	expect_ok(tu_cli(root, NULL, "set", CTID, "--onboot", "yes", "--save", NULL));
	struct tu_run r = tu_cli(root, NULL, "boot", "--parallel", "2", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "CT " CTID " started\n");
	tu_run_free(&r);
	char *st = status_line();
	assert_string_equal(st, "CTID " CTID " exist mounted running\n");
	free(st);
	/* a running container is left alone */
	r = tu_cli(root, NULL, "boot", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	tu_run_free(&r);
	expect_ok(tu_cli(root, NULL, "stop", "--fast", CTID, NULL));
	expect_ok(tu_cli(root, NULL, "set", CTID, "--onboot", "no", "--save", NULL));
	assert_no_residue();
}

/* A failure at every step of start is undone completely. */
static void test_failure_at_every_step(void **state)
{
	REQUIRE();
	struct tu_run r = cli("plan", "start", CTID, NULL);
	assert_int_equal(r.status, 0);
	int steps = 0;
	for (char *p = r.out; *p; p++)
		steps += *p == '\n';
	tu_run_free(&r);
	assert_true(steps > 10);
	for (int i = 1; i <= steps; i++) {
		char n[16];
		snprintf(n, sizeof(n), "%d", i);
		setenv("OVZ_TEST_FAIL_STEP", n, 1);
		r = cli("start", CTID, NULL, NULL);
		unsetenv("OVZ_TEST_FAIL_STEP");
		if (r.status != 2 || !strstr(r.err, "injected failure"))
			fail_msg("step %d: exit %d: %s", i, r.status, r.err);
		char want[32];
		snprintf(want, sizeof(want), "step %d (", i);
		assert_non_null(strstr(r.err, want));
		tu_run_free(&r);
		assert_no_residue();
	}
}

/* Two starts at once: one runs the container, the other is refused. */
static void test_parallel_starts_serialize(void **state)
{
	REQUIRE();
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct tu_run r = cli("start", CTID, NULL, NULL);
			_exit(r.status);
		}
	}
	int codes[2];
	for (int i = 0; i < 2; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		codes[i] = WEXITSTATUS(st);
	}
	assert_true((codes[0] == 0 && codes[1] == 3) || (codes[0] == 3 && codes[1] == 0));
	expect_ok(tu_cli(root, NULL, "stop", "--fast", CTID, NULL));
	assert_no_residue();
}

static void test_destroy(void **state)
{
	REQUIRE();
	expect_ok(cli("start", CTID, NULL, NULL));
	struct tu_run r = cli("destroy", CTID, NULL, NULL);
	assert_int_equal(r.status, 3);	/* running */
	tu_run_free(&r);
	expect_ok(tu_cli(root, NULL, "stop", "--fast", CTID, NULL));
	expect_ok(cli("destroy", CTID, NULL, NULL));
	char *priv = xasprintf("%s/vz/private/" CTID, root);
	char *conf = xasprintf("%s/etc/vz/conf/" CTID ".conf", root);
	assert_false(tu_exists(priv));
	assert_false(tu_exists(conf));
	free(priv);
	free(conf);
	r = cli("destroy", CTID, NULL, NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_start_exec_stop),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_set_live),
		cmocka_unit_test(test_boot),
		cmocka_unit_test(test_enter_and_mount),
		cmocka_unit_test(test_failure_at_every_step),
		cmocka_unit_test(test_parallel_starts_serialize),
		cmocka_unit_test(test_destroy),
	};
	return cmocka_run_group_tests_name("lifecycle", tests, group_setup, group_teardown);
}
