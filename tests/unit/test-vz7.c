// SPDX-License-Identifier: LGPL-2.1-or-later
/* The vz7 backend end to end: the real ovz-native binary with --backend
 * vz7 under `vzemu --kernel vz7` (the ve cgroup at /sys/fs/cgroup/ve and
 * the venet link kind emulated, see docs/testing.md).  As in test-vz.c,
 * each scenario is one run of this program under vzemu; the cmocka tests
 * outside start those runs, compare transcripts with the golden ones in
 * tests/data/vz7 and inject a failure into each emulated call of a start
 * in turn. */
#include "testutil.h"
#include "vzscen.h"

#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* not the integration suite's 150: the cgroup ovz-native/CTID is host-wide */
#define CTID "171"
#define VE_DIR "/sys/fs/cgroup/ve/" CTID

static const char *skip_reason;
static char *root;

static const char ct_xml[] =
	"<domain type='openvz' id='" CTID "'>\n"
	"  <name>bb</name>\n"
	"  <memory unit='MiB'>256</memory>\n"
	"  <vcpu>1</vcpu>\n"
	"  <cputune><shares>1000</shares></cputune>\n"
	"  <os><type>exe</type></os>\n"
	"  <metadata><ovz:container xmlns:ovz='http://ovz-native.org/xmlns/domain/1'>"
	"<ovz:hostname>bb.test</ovz:hostname><ovz:nameserver>10.77.0.1</ovz:nameserver>"
	"</ovz:container></metadata>\n"
	"  <devices>\n"
	"    <filesystem type='template'><source name='busybox'/><target dir='/'/></filesystem>\n"
	"    <interface type='ethernet'><ip address='10.77.0.2'/><ip address='2001:db8:77::2'/>"
	"</interface>\n"
	"    <interface type='bridge'><source bridge='br0'/><target dev='veth171.0'/>"
	"<guest dev='eth0'/><ip address='192.0.2.171' prefix='24'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

/* ---- inside vzemu ---- */

static struct tu_run vz7(const char *a, const char *b, const char *c, const char *d)
{
	return tu_cli(root, NULL, "--backend", "vz7", a, b, c, d, NULL);
}

static struct tu_run inside(const char *a, const char *b, const char *c, const char *d)
{
	return tu_cli(root, NULL, "--backend", "vz7", "exec", CTID, a, b, c, d, NULL);
}

static bool exists_under(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);
	return tu_exists(p);
}

static bool cgroup_left(void)
{
	static const char *const dirs[] = {
		"/sys/fs/cgroup/unified/ovz-native/" CTID, "/sys/fs/cgroup/ovz-native/" CTID,
		"/sys/fs/cgroup/memory/ovz-native/" CTID, "/sys/fs/cgroup/cpu/ovz-native/" CTID,
		"/sys/fs/cgroup/pids/ovz-native/" CTID,
	};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (tu_exists(dirs[i]))
			return true;
	return false;
}

/* What a stopped or never started container must not leave: its ve
 * cgroup, its other cgroups, a mount, a device, a lock, run state. */
static void check_no_residue(const char *when, size_t base_links)
{
	vzs_check(!tu_exists(VE_DIR), "%s: " VE_DIR " left", when);
	vzs_check(!cgroup_left(), "%s: a cgroup ovz-native/" CTID " left", when);
	vzs_check(!vzs_mounted_under(root), "%s: a mount left under the root", when);
	vzs_check(vzs_count_links() == base_links, "%s: %zu links, want %zu", when,
		  vzs_count_links(), base_links);
	vzs_check(!exists_under("/vz/lock/" CTID ".lck"), "%s: lock left", when);
	vzs_check(!exists_under("/var/run/ovz-native/" CTID ".state"), "%s: run state left", when);
	struct tu_run r = vz7("status", CTID, NULL, NULL);
	vzs_check(r.out && strcmp(r.out, "CTID " CTID " exist unmounted down\n") == 0,
		  "%s: status '%s'", when, r.out);
	tu_run_free(&r);
}

static size_t scenario_links(void)
{
	/* the bridge the veth interface is enslaved to; then lo, venet0, br0 */
	if (system("ip link add br0 type bridge && ip link set br0 up") != 0)
		vzs_check(false, "cannot make br0");
	return vzs_count_links();
}

static void check_running(void)
{
	_cleanup_free_ char *st = vzs_slurp(VE_DIR "/ve.state");
	vzs_check(strcmp(st, "RUNNING\n") == 0, "ve.state '%s'", st);
	_cleanup_free_ char *veid = vzs_slurp(VE_DIR "/ve.veid");
	vzs_check(atoi(veid) == atoi(CTID), "ve.veid '%s'", veid);
	_cleanup_free_ char *ps = vzs_slurp(VE_DIR "/ve.pseudosuper");
	vzs_check(atoi(ps) == 0, "ve.pseudosuper '%s' once init runs", ps);
	_cleanup_free_ char *ips = vzs_slurp(VE_DIR "/ve.ip_list");
	vzs_check(strstr(ips, "10.77.0.2") != NULL, "ve.ip_list: '%s'", ips);
	_cleanup_free_ char *ips6 = vzs_slurp(VE_DIR "/ve.ip6_list");
	vzs_check(strstr(ips6, "2001:db8:77::2") != NULL, "ve.ip6_list: '%s'", ips6);
	vzs_expect_run(vz7("status", CTID, NULL, NULL), 0, "CTID " CTID " exist mounted running",
		       "status");
	vzs_expect_run(vz7("list", "-H", "-o", "ctid,status,hostname"), 0, "running", "list");
	vzs_expect_run(inside("hostname", NULL, NULL, NULL), 0, "bb.test\n", "exec hostname");
	vzs_expect_run(inside("cat", "/etc/resolv.conf", NULL, NULL), 0, "nameserver 10.77.0.1",
		       "exec cat");
	/* a real pid namespace: init is pid 1 inside */
	vzs_expect_run(inside("cat", "/proc/1/comm", NULL, NULL), 0, "init\n", "pid 1");
	struct tu_run r = inside("ip", "-o", "addr", NULL);
	vzs_check(r.out && strstr(r.out, "venet0") && strstr(r.out, "10.77.0.2/32") &&
		  strstr(r.out, "2001:db8:77::2/128") && strstr(r.out, "eth0") &&
		  strstr(r.out, "192.0.2.171/24"), "addresses inside: %s", r.out);
	tu_run_free(&r);
	r = inside("ip", "route", NULL, NULL);
	vzs_check(r.out && strstr(r.out, "default dev venet0"), "routes inside: %s", r.out);
	tu_run_free(&r);
	r = tu_runv((char *[]){ "ip", "route", "show", "dev", "venet0", NULL }, NULL);
	vzs_check(r.out && strstr(r.out, "10.77.0.2"), "host routes via venet0: %s", r.out);
	tu_run_free(&r);
}

static void check_live_ips(void)
{
	vzs_expect_run(vz7("set", CTID, "--ipadd", "10.77.0.5"), 0, NULL, "set --ipadd");
	_cleanup_free_ char *added = vzs_slurp(VE_DIR "/ve.ip_list");
	vzs_check(strstr(added, "10.77.0.5") != NULL, "ve.ip_list after --ipadd: %s", added);
	struct tu_run r = inside("ip", "-o", "addr", NULL);
	vzs_check(r.out && strstr(r.out, "10.77.0.5/32"), "added address inside: %s", r.out);
	tu_run_free(&r);
	r = tu_runv((char *[]){ "ip", "route", "show", "dev", "venet0", NULL }, NULL);
	vzs_check(r.out && strstr(r.out, "10.77.0.5"), "host route of the added address: %s",
		  r.out);
	tu_run_free(&r);
	vzs_expect_run(vz7("set", CTID, "--ipdel", "10.77.0.5"), 0, NULL, "set --ipdel");
	_cleanup_free_ char *removed = vzs_slurp(VE_DIR "/ve.ip_list");
	vzs_check(!strstr(removed, "10.77.0.5") && strstr(removed, "10.77.0.2"),
		  "ve.ip_list after --ipdel: %s", removed);
	r = inside("ip", "-o", "addr", NULL);
	vzs_check(r.out && !strstr(r.out, "10.77.0.5"), "removed address inside: %s", r.out);
	tu_run_free(&r);
}

static int inner_lifecycle(void)
{
	size_t base = scenario_links();
	vzs_expect_run(vz7("start", CTID, NULL, NULL), 0, NULL, "start");
	check_running();
	/* the veth's host end, and the emulator's venet0 of the VE is a veth
	 * pair whose other end is in the scenario */
	vzs_check(vzs_count_links() == base + 2, "host links: %zu, want %zu", vzs_count_links(),
		  base + 2);
	check_live_ips();
	vzs_expect_run(vz7("start", CTID, NULL, NULL), 3, NULL, "second start");
	vzs_expect_run(vz7("stop", CTID, NULL, NULL), 0, NULL, "stop");
	check_no_residue("after stop", base);
	vzs_expect_run(vz7("start", CTID, NULL, NULL), 0, NULL, "start again");
	vzs_expect_run(vz7("stop", "--fast", CTID, NULL), 0, NULL, "stop --fast");
	check_no_residue("after stop --fast", base);
	return vzs_status();
}

static int inner_start(void)
{
	scenario_links();
	vzs_expect_run(vz7("start", CTID, NULL, NULL), 0, NULL, "start");
	return vzs_status();
}

/* Started with --fail-call N: start must fail and leave nothing. */
static int inner_start_fail(void)
{
	size_t base = scenario_links();
	_cleanup_free_ char *conf_path = xasprintf("%s/etc/vz/conf/" CTID ".conf", root);
	_cleanup_free_ char *conf = vzs_slurp(conf_path);
	struct tu_run r = vz7("start", CTID, NULL, NULL);
	vzs_check(r.status != 0, "start succeeded despite the injected failure");
	tu_run_free(&r);
	check_no_residue("after the failed start", base);
	_cleanup_free_ char *after = vzs_slurp(conf_path);
	vzs_check(strcmp(conf, after) == 0, "the config changed");
	vzs_check(!exists_under("/etc/vz/conf/" CTID ".conf.tmp"), "a temporary config left");
	vzs_check(!exists_under("/var/run/ovz-native/" CTID ".live"), "a live definition left");
	return vzs_status();
}

/* ve.features is read, modified and written as libvzctl does: the
 * features FEATURES names change, what the kernel (or a previous run)
 * put there stays.  A stopped container's ve cgroup is reused. */
static int inner_features(void)
{
	size_t base = scenario_links();
	_cleanup_free_ char *conf_path = xasprintf("%s/etc/vz/conf/" CTID ".conf", root);
	_cleanup_free_ char *conf = vzs_slurp(conf_path);
	_cleanup_free_ char *more = xasprintf("%sFEATURES=\"ipip:on nfs:off\"\n", conf);
	tu_write(conf_path, more);
	vzs_check(mkdir(VE_DIR, 0755) == 0, "mkdir " VE_DIR ": %s", strerror(errno));
	/* sysfs, nfs and ppp as left there */
	tu_write(VE_DIR "/ve.features", "35");
	vzs_expect_run(vz7("start", CTID, NULL, NULL), 0, NULL, "start");
	_cleanup_free_ char *f = vzs_slurp(VE_DIR "/ve.features");
	/* nfs off, ipip on, sysfs (vzctl's default) and ppp kept */
	vzs_check(atoi(f) == (1 | 16 | 32), "ve.features '%s', want 49", f);
	vzs_expect_run(vz7("stop", "--fast", CTID, NULL), 0, NULL, "stop --fast");
	tu_write(conf_path, conf);
	check_no_residue("after stop", base);
	return vzs_status();
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Each step of the start plan fails in turn (OVZ_TEST_FAIL_STEP): the
 * steps the emulator does not see (clone, pivot_root, netlink, /etc)
 * are undone as well as those it does. */
static int inner_fail_steps(void)
{
	size_t base = scenario_links();
	struct tu_run r = vz7("plan", "start", CTID, NULL);
	size_t steps = r.status == 0 && r.out ? count_lines(r.out) : 0;
	tu_run_free(&r);
	vzs_check(steps >= 20, "plan start: %zu steps", steps);
	for (size_t i = 1; i <= steps; i++) {
		char n[16], when[64];
		snprintf(n, sizeof(n), "%zu", i);
		setenv("OVZ_TEST_FAIL_STEP", n, 1);
		r = vz7("start", CTID, NULL, NULL);
		vzs_check(r.status != 0 && r.err && strstr(r.err, "injected failure"),
			  "start with step %zu failing: exit %d: %s", i, r.status, r.err);
		tu_run_free(&r);
		snprintf(when, sizeof(when), "after step %zu failed", i);
		unsetenv("OVZ_TEST_FAIL_STEP");
		check_no_residue(when, base);
	}
	return vzs_status();
}

static int inner_main(const char *scenario, const char *dir)
{
	root = xstrdup(dir);
	if (strcmp(scenario, "lifecycle") == 0)
		return inner_lifecycle();
	if (strcmp(scenario, "start") == 0)
		return inner_start();
	if (strcmp(scenario, "start-fail") == 0)
		return inner_start_fail();
	if (strcmp(scenario, "fail-steps") == 0)
		return inner_fail_steps();
	if (strcmp(scenario, "features") == 0)
		return inner_features();
	fprintf(stderr, "unknown scenario '%s'\n", scenario);
	return 2;
}

/* ---- outside: cmocka ---- */

/* Whether vzemu emulates the vz7 ve cgroup and venet yet. */
static const char *emulator_lacks(void)
{
	char *argv[] = { getenv("OVZ_VZEMU"), (char *)"--kernel", (char *)"vz7", (char *)"--",
			 (char *)"test", (char *)"-d", (char *)"/sys/fs/cgroup/ve", NULL };
	struct tu_run r = tu_runv(argv, NULL);
	int st = r.status;
	tu_run_free(&r);
	return st == 0 ? NULL : "vzemu --kernel vz7 has no ve cgroup at /sys/fs/cgroup/ve";
}

static int group_setup(void **state)
{
	skip_reason = vzs_skip_reason();
	if (!skip_reason)
		skip_reason = emulator_lacks();
	if (skip_reason)
		return 0;
	root = tu_mkdtemp();
	vzs_make_template(root);
	char *xml = xasprintf("%s/ct.xml", root);
	tu_write(xml, ct_xml);
	struct tu_run r = tu_cli(root, NULL, "--backend", "vz7", "create", "--xml", xml, NULL);
	free(xml);
	if (r.status != 0)
		fail_msg("create: %s", r.err);
	tu_run_free(&r);
	return 0;
}

static int group_teardown(void **state)
{
	if (root) {
		struct tu_run r = tu_cli(root, NULL, "--backend", "vz7", "destroy", CTID, NULL);
		tu_run_free(&r);
		tu_rmrf(root);
	}
	return 0;
}

#define REQUIRE() do { if (skip_reason) TU_SKIP("%s", skip_reason); } while (0)

/* A line that belongs in a golden transcript: not a read (how often stop
 * polls ve.state depends on timing). */
static bool golden_line(const char *line)
{
	return !strstr(line, "\"read\":");
}

/* The transcript as compared with a golden file: without call numbers and
 * reads, the scratch root read as ROOT, a pid written to cgroup.procs as
 * PID. */
static char *normalised(const char *path)
{
	_cleanup_free_ char *s = tu_read(path);
	assert_non_null(s);
	struct strbuf sb = STRBUF_INIT;
	size_t rl = strlen(root);
	static const char pid_key[] = "\"write\":\"";
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		if (!golden_line(line))
			continue;
		bool procs = strstr(line, "\"op\":\"cgroup.procs\"") ||
			     strstr(line, "\"op\":\"tasks\"");
		const char *comma = strchr(line, ',');
		const char *p = line;
		if (strncmp(line, "{\"n\":", 5) == 0 && comma) {
			strbuf_putc(&sb, '{');
			p = comma + 1;
		}
		while (*p) {
			if (strncmp(p, root, rl) == 0) {
				strbuf_puts(&sb, "ROOT");
				p += rl;
			} else if (procs && strncmp(p, pid_key, strlen(pid_key)) == 0) {
				strbuf_puts(&sb, pid_key);
				strbuf_puts(&sb, "PID");
				p += strlen(pid_key) + strspn(p + strlen(pid_key), "0123456789");
			} else {
				strbuf_putc(&sb, *p++);
			}
		}
		strbuf_putc(&sb, '\n');
	}
	return strbuf_steal(&sb);
}

/* vzemu ended the scenario with the container running, like a host that
 * went down: its run state and live definition are stale and go before the
 * next scenario checks for residue. */
static void forget_run_state(void)
{
	_cleanup_free_ char *p = xasprintf("%s/var/run/ovz-native/" CTID ".state", root);
	_cleanup_free_ char *l = xasprintf("%s/var/run/ovz-native/" CTID ".live", root);
	unlink(p);
	unlink(l);
}

static void test_lifecycle(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/lifecycle.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("vz7", "lifecycle", root, t, NULL),
			    "lifecycle under vzemu --kernel vz7");
	_cleanup_free_ char *got = normalised(t);
	vzs_compare_golden("vz7/lifecycle.transcript", got);
}

static void test_start_golden(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/start.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("vz7", "start", root, t, NULL),
			    "start under vzemu --kernel vz7");
	forget_run_state();
	_cleanup_free_ char *got = normalised(t);
	vzs_compare_golden("vz7/start.transcript", got);
}

/* Each emulated call of a start fails in turn; each failure is undone. */
static void test_fail_each_call_of_start(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/count.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("vz7", "start", root, t, NULL),
			    "start under vzemu --kernel vz7");
	forget_run_state();
	_cleanup_free_ char *s = tu_read(t);	/* every call, reads too */
	assert_non_null(s);
	size_t calls = count_lines(s);
	assert_true(calls >= 10);
	for (size_t i = 1; i <= calls; i++) {
		char fail[32], what[64];
		snprintf(fail, sizeof(fail), "%zu:ENOMEM", i);
		snprintf(what, sizeof(what), "start failing emulated call %zu of %zu", i, calls);
		vzs_expect_inner_ok(vzs_under_vzemu("vz7", "start-fail", root, NULL, fail), what);
	}
}

static void test_features_kept(void **state)
{
	REQUIRE();
	vzs_expect_inner_ok(vzs_under_vzemu("vz7", "features", root, NULL, NULL),
			    "ve.features read-modify-written under vzemu --kernel vz7");
}

static void test_fail_each_step_of_start(void **state)
{
	REQUIRE();
	vzs_expect_inner_ok(vzs_under_vzemu("vz7", "fail-steps", root, NULL, NULL),
			    "each step of a start failing under vzemu --kernel vz7");
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--inner") == 0)
		return inner_main(argv[2], argv[3]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_start_golden),
		cmocka_unit_test(test_fail_each_call_of_start),
		cmocka_unit_test(test_fail_each_step_of_start),
		cmocka_unit_test(test_features_kept),
	};
	return cmocka_run_group_tests_name("vz7", tests, group_setup, group_teardown);
}
