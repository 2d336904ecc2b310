// SPDX-License-Identifier: LGPL-2.1-or-later
#include "testutil.h"

#include "core/cgroup.h"
#include "core/model.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)

/* ---- layouts from mountinfo text ---------------------------------------- */

static const char mi_unified[] =
	"22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
	"30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

static const char mi_hybrid[] =
	"25 24 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"27 25 0:24 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"28 25 0:25 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"29 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"30 25 0:27 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"31 25 0:28 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"32 25 0:29 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"34 25 0:31 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"33 25 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* co-mounted cpu,cpuacct, an escaped space, a bind of a subtree (ignored) */
static const char mi_legacy[] =
	"40 25 0:40 /sub /elsewhere rw - cgroup cgroup rw,memory\n"
	"41 25 0:41 / /sys/fs/cgroup/cpu,cpuacct rw shared:9 master:2 - cgroup cgroup rw,cpu,cpuacct\n"
	"42 25 0:40 / /sys/fs/cgroup/mem rw - cgroup cgroup rw,memory\n"
	"43 25 0:42 / /mnt/my\\040pids rw - cgroup none rw,pids\n";

static void parse_ok(struct ovz_cgroups *cg, const char *mi, const char *v2)
{
	struct ovz_error *e = NULL;
	if (ovz_cgroups_parse(cg, mi, v2, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
}

static void test_parse_unified(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	parse_ok(&cg, mi_unified, "cpuset cpu io memory hugetlb pids rdma misc\n");
	assert_int_equal(cg.mode, OVZ_CG_UNIFIED);
	assert_string_equal(ovz_cg_mode_name(cg.mode), "unified");
	assert_string_equal(cg.unified, "/sys/fs/cgroup");
	assert_true(cg.on_v2[OVZ_CG_MEMORY] && cg.on_v2[OVZ_CG_CPU] && cg.on_v2[OVZ_CG_CPUSET] &&
		    cg.on_v2[OVZ_CG_PIDS]);
	assert_false(cg.on_v2[OVZ_CG_FREEZER]);
	for (int c = 0; c < OVZ_CG_NR; c++)
		assert_null(cg.v1[c]);
	assert_string_equal(ovz_cgroups_mount_of(&cg, OVZ_CG_PIDS), "/sys/fs/cgroup");
	assert_null(ovz_cgroups_mount_of(&cg, OVZ_CG_FREEZER));
	ovz_cgroups_release(&cg);
}

static void test_parse_hybrid(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	parse_ok(&cg, mi_hybrid, "hugetlb\n");
	assert_int_equal(cg.mode, OVZ_CG_HYBRID);
	assert_string_equal(cg.unified, "/sys/fs/cgroup/unified");
	assert_string_equal(cg.v1[OVZ_CG_CPU], "/sys/fs/cgroup/cpu");
	assert_string_equal(cg.v1[OVZ_CG_MEMORY], "/sys/fs/cgroup/memory");
	assert_string_equal(cg.v1[OVZ_CG_FREEZER], "/sys/fs/cgroup/freezer");
	assert_string_equal(ovz_cgroups_mount_of(&cg, OVZ_CG_PIDS), "/sys/fs/cgroup/pids");
	for (int c = 0; c < OVZ_CG_NR; c++)
		assert_false(cg.on_v2[c]);
	ovz_cgroups_release(&cg);
}

static void test_parse_legacy(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	parse_ok(&cg, mi_legacy, NULL);
	assert_int_equal(cg.mode, OVZ_CG_LEGACY);
	assert_null(cg.unified);
	assert_string_equal(cg.v1[OVZ_CG_CPU], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(cg.v1[OVZ_CG_MEMORY], "/sys/fs/cgroup/mem");
	assert_string_equal(cg.v1[OVZ_CG_PIDS], "/mnt/my pids");
	assert_null(cg.v1[OVZ_CG_CPUSET]);
	assert_null(cg.v1[OVZ_CG_FREEZER]);
	ovz_cgroups_release(&cg);
}

static void test_parse_none(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_cgroups_parse(&cg, "22 1 0:21 / /proc rw - proc proc rw\n", NULL, &e),
			 -ENOENT);
	assert_string_equal(ovz_error_message(e), "no cgroup filesystem is mounted");
	ovz_error_free(e);
}

/* ---- limits to files ---------------------------------------------------- */

static struct ovz_cg_limits full_limits(void)
{
	struct ovz_cg_limits l;
	ovz_cg_limits_init(&l);
	l.memory = 64 * MIB;
	l.swap = 32 * MIB;
	l.cpu_units = 1000;
	l.cpu_limit = 50;
	l.cpus = 2;
	l.nproc = 100;
	return l;
}

static char *plan_text(const struct ovz_cgroups *cg, const struct ovz_cg_limits *l,
		       const char *allowed)
{
	struct ovz_cg_write *w = NULL;
	size_t n = 0;
	struct ovz_error *e = NULL;
	if (ovz_cg_plan_limits(cg, l, allowed, &w, &n, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&sb, "%s:%s=%s\n", ovz_cg_controller_name(w[i].controller), w[i].file,
			      w[i].value);
	ovz_cg_writes_free(w, n);
	return strbuf_steal(&sb);
}

static void test_plan_v2(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	parse_ok(&cg, mi_unified, "cpuset cpu memory pids");
	struct ovz_cg_limits l = full_limits();
	_cleanup_free_ char *text = plan_text(&cg, &l, "0-3\n");
	assert_string_equal(text, "memory:memory.max=67108864\n"
				  "memory:memory.swap.max=33554432\n"
				  "cpu:cpu.weight=100\n"
				  "cpu:cpu.max=50000 100000\n"
				  "cpuset:cpuset.cpus=0-1\n"
				  "pids:pids.max=100\n");
	ovz_cgroups_release(&cg);
}

static void test_plan_v1(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	parse_ok(&cg, mi_hybrid, "hugetlb");
	struct ovz_cg_limits l = full_limits();
	l.cpu_units = 500;
	l.cpu_period = 50000;
	l.cpu_limit = 150;
	_cleanup_free_ char *text = plan_text(&cg, &l, "0-1,4-7");
	assert_string_equal(text, "memory:memory.memsw.limit_in_bytes=-1\n"
				  "memory:memory.limit_in_bytes=67108864\n"
				  "memory:memory.memsw.limit_in_bytes=100663296\n"
				  "cpu:cpu.shares=512\n"
				  "cpu:cpu.cfs_period_us=50000\n"
				  "cpu:cpu.cfs_quota_us=75000\n"
				  "cpuset:cpuset.cpus=0-1\n"
				  "pids:pids.max=100\n");
	ovz_cgroups_release(&cg);
}

static void test_plan_unlimited(void **state)
{
	(void)state;
	struct ovz_cgroups v2, v1;
	parse_ok(&v2, mi_unified, "cpu memory pids");
	parse_ok(&v1, mi_hybrid, "");
	struct ovz_cg_limits l;
	ovz_cg_limits_init(&l);
	l.memory = OVZ_CG_UNLIMITED;
	l.swap = 0;
	l.cpu_limit = 0;
	l.nproc = UINT64_C(1) << 63;
	_cleanup_free_ char *t2 = plan_text(&v2, &l, NULL);
	assert_string_equal(t2, "memory:memory.max=max\n"
				"memory:memory.swap.max=0\n"
				"cpu:cpu.max=max 100000\n"
				"pids:pids.max=max\n");
	_cleanup_free_ char *t1 = plan_text(&v1, &l, NULL);
	assert_string_equal(t1, "memory:memory.memsw.limit_in_bytes=-1\n"
				"memory:memory.limit_in_bytes=-1\n"
				"memory:memory.memsw.limit_in_bytes=-1\n"
				"cpu:cpu.cfs_period_us=100000\n"
				"cpu:cpu.cfs_quota_us=-1\n"
				"pids:pids.max=max\n");
	/* nothing set, nothing written */
	ovz_cg_limits_init(&l);
	_cleanup_free_ char *none = plan_text(&v1, &l, NULL);
	assert_string_equal(none, "");
	ovz_cgroups_release(&v2);
	ovz_cgroups_release(&v1);
}

static void expect_plan_error(const struct ovz_cgroups *cg, const struct ovz_cg_limits *l,
			      const char *allowed, int errnum, const char *needle)
{
	struct ovz_cg_write *w = NULL;
	size_t n = 0;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_cg_plan_limits(cg, l, allowed, &w, &n, &e), -errnum);
	assert_non_null(e);
	if (!strstr(ovz_error_message(e), needle))
		fail_msg("'%s' does not mention '%s'", ovz_error_message(e), needle);
	ovz_error_free(e);
}

static void test_plan_missing_controller(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	parse_ok(&cg, mi_unified, "cpu memory");
	struct ovz_cg_limits l;
	ovz_cg_limits_init(&l);
	l.nproc = 10;
	expect_plan_error(&cg, &l, NULL, ENOTSUP, "'pids.max'");
	ovz_cg_limits_init(&l);
	l.cpus = 1;
	expect_plan_error(&cg, &l, "0-3", ENOTSUP, "'cpuset.cpus'");
	/* an unset limit does not need its controller */
	ovz_cg_limits_init(&l);
	l.memory = MIB;
	_cleanup_free_ char *t = plan_text(&cg, &l, NULL);
	assert_string_equal(t, "memory:memory.max=1048576\n");
	ovz_cgroups_release(&cg);

	parse_ok(&cg, mi_legacy, NULL);
	ovz_cg_limits_init(&l);
	l.cpus = 1;
	expect_plan_error(&cg, &l, "0", ENOTSUP, "'cpuset' cgroup controller");
	ovz_cgroups_release(&cg);
}

static void test_plan_bad_values(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	parse_ok(&cg, mi_hybrid, "");
	struct ovz_cg_limits l;
	ovz_cg_limits_init(&l);
	l.swap = MIB;
	expect_plan_error(&cg, &l, NULL, EINVAL, "a swap limit needs a memory limit");
	ovz_cg_limits_init(&l);
	l.cpu_limit = 10;
	l.cpu_period = 10;
	expect_plan_error(&cg, &l, NULL, EINVAL, "cpu period 10 us");
	ovz_cg_limits_init(&l);
	l.cpus = 0;
	expect_plan_error(&cg, &l, "0-3", EINVAL, "cpu count 0");
	l.cpus = 2;
	expect_plan_error(&cg, &l, "x-y", EINVAL, "bad cpu list 'x-y'");
	ovz_cgroups_release(&cg);
}

static void test_plan_devices(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	struct ovz_cg_limits l;
	ovz_cg_limits_init(&l);
	l.restrict_devices = true;

	parse_ok(&cg, mi_hybrid, "");
	assert_true(ovz_cgroups_can_restrict_devices(&cg));
	_cleanup_free_ char *v1 = plan_text(&cg, &l, NULL);
	struct strbuf want = STRBUF_INIT;
	strbuf_puts(&want, "devices:devices.deny=a\n");
	for (const char *const *r = ovz_cg_device_rules(false); *r; r++)
		strbuf_printf(&want, "devices:devices.allow=%s\n", *r);
	_cleanup_free_ char *want_text = strbuf_steal(&want);
	assert_string_equal(v1, want_text);
	ovz_cgroups_release(&cg);

	/* v2: a program, not files */
	parse_ok(&cg, mi_unified, "memory");
	assert_true(ovz_cgroups_can_restrict_devices(&cg));
	_cleanup_free_ char *v2 = plan_text(&cg, &l, NULL);
	assert_string_equal(v2, "");
	ovz_cgroups_release(&cg);

	parse_ok(&cg, mi_legacy, NULL);
	assert_false(ovz_cgroups_can_restrict_devices(&cg));
	expect_plan_error(&cg, &l, NULL, ENOTSUP, "'devices.deny'");
	ovz_cgroups_release(&cg);

	const char *const *rules = ovz_cg_device_rules(false);
	assert_string_equal(rules[0], "c *:* m");
	bool has_null = false, has_pts = false, has_console = false;
	for (const char *const *r = rules; *r; r++) {
		has_null |= strcmp(*r, "c 1:3 rwm") == 0;
		has_pts |= strcmp(*r, "c 136:* rwm") == 0;
		has_console |= strcmp(*r, "c 5:1 rwm") == 0;
	}
	assert_true(has_null && has_pts);
	assert_false(has_console);	/* the host's console, unless one is bound */
	has_console = false;
	for (const char *const *r = ovz_cg_device_rules(true); *r; r++)
		has_console |= strcmp(*r, "c 5:1 rwm") == 0;
	assert_true(has_console);
}

static void test_units(void **state)
{
	(void)state;
	assert_int_equal(ovz_cg_units_to_weight(1000), 100);
	assert_int_equal(ovz_cg_units_to_weight(250), 25);
	assert_int_equal(ovz_cg_units_to_weight(8), 1);
	assert_int_equal(ovz_cg_units_to_weight(0), 1);
	assert_int_equal(ovz_cg_units_to_weight(500000), 10000);
	assert_int_equal(ovz_cg_units_to_shares(1000), 1024);
	assert_int_equal(ovz_cg_units_to_shares(250), 256);
	assert_int_equal(ovz_cg_units_to_shares(1), 2);
	assert_int_equal(ovz_cg_units_to_shares(500000), 262144);
	assert_int_equal(ovz_cg_units_to_shares(UINT64_MAX), 262144);
}

static void expect_first(const char *list, unsigned n, const char *want, int taken)
{
	char *out = NULL;
	assert_int_equal(ovz_cpulist_first(list, n, &out, NULL), taken);
	assert_string_equal(out, want);
	free(out);
}

static void test_cpulist(void **state)
{
	(void)state;
	expect_first("0-3,8\n", 5, "0-3,8", 5);
	expect_first("0-3", 2, "0-1", 2);
	expect_first("0,2,4-7", 4, "0,2,4-5", 4);
	expect_first("0-1", 4, "0-1", 2);
	expect_first("5", 1, "5", 1);
	expect_first("", 3, "", 0);
	char *out = NULL;
	assert_int_equal(ovz_cpulist_first("3-1", 1, &out, NULL), -EINVAL);
	assert_int_equal(ovz_cpulist_first("1-", 1, &out, NULL), -EINVAL);
	assert_int_equal(ovz_cpulist_first("a", 1, &out, NULL), -EINVAL);
}

static void test_bad_names(void **state)
{
	(void)state;
	struct ovz_cgroups cg;
	parse_ok(&cg, mi_unified, "");
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_cgroup_create(&cg, "../escape", &e), -EINVAL);
	assert_string_equal(ovz_error_message(e), "cgroup name '../escape' has a '..' component");
	ovz_error_clear(&e);
	assert_int_equal(ovz_cgroup_remove(&cg, "/abs", &e), -EINVAL);
	assert_string_equal(ovz_error_message(e), "cgroup name '/abs' is not a relative path");
	ovz_error_clear(&e);
	assert_int_equal(ovz_cgroup_kill(&cg, "a/./b", &e), -EINVAL);
	ovz_error_free(e);
	_cleanup_free_ char *name = ovz_cgroup_name("ovz-native", 101);
	assert_string_equal(name, "ovz-native/101");
	ovz_cgroups_release(&cg);
}

/* ---- on this host, as root ---------------------------------------------- */

struct host {
	struct ovz_cgroups cg;
	char *root;	/* test-specific top cgroup */
	char *name;	/* root/101 */
	pid_t spawned[8];
	size_t n_spawned;
};

static int host_setup(void **state)
{
	struct host *h = xcalloc(1, sizeof(*h));
	h->root = xasprintf("ovz-native-test-%d", (int)getpid());
	h->name = ovz_cgroup_name(h->root, 101);
	*state = h;
	if (!tu_is_root())
		return 0;
	struct ovz_error *e = NULL;
	if (ovz_cgroups_detect(&h->cg, &e) < 0) {
		print_message("cgroup detection failed: %s\n", ovz_error_message(e));
		ovz_error_free(e);
		return -1;
	}
	return 0;
}

static int host_teardown(void **state)
{
	struct host *h = *state;
	for (size_t i = 0; i < h->n_spawned; i++) {
		if (!h->spawned[i])
			continue;
		kill(h->spawned[i], SIGKILL);
		waitpid(h->spawned[i], NULL, 0);
	}
	if (tu_is_root()) {
		ovz_cgroup_remove(&h->cg, h->name, NULL);
		ovz_cgroup_remove(&h->cg, h->root, NULL);
	}
	ovz_cgroups_release(&h->cg);
	free(h->root);
	free(h->name);
	free(h);
	return 0;
}

/* e is read after the call: check(f(&e), &e) */
static void check(int r, struct ovz_error **e)
{
	if (r < 0)
		fail_msg("error %d: %s", r, e ? ovz_error_message(*e) : "");
}

/* A process that, once released, forks children and sleeps; so the
 * children are born inside whatever cgroup it was moved to meanwhile. */
struct sleeper {
	pid_t pid;
	int release;
};

static struct sleeper spawn_sleeper(struct host *h, int children)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		char c;
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < children; i++)
			if (fork() == 0)
				break;
		for (;;)
			pause();
	}
	close(p[0]);
	assert_true(h->n_spawned < ARRAY_SIZE(h->spawned));
	h->spawned[h->n_spawned++] = pid;
	return (struct sleeper){ pid, p[1] };
}

static void release(struct sleeper *s)
{
	assert_int_equal(write(s->release, "x", 1), 1);
	close(s->release);
}

/* Waits until the cgroup lists want processes. */
static size_t wait_for_pids(const struct ovz_cgroups *cg, const char *name, size_t want)
{
	pid_t *pids = NULL;
	size_t n = 0;
	for (int i = 0; i < 500; i++) {
		free(pids);
		struct ovz_error *e = NULL;
		if (ovz_cgroup_pids(cg, name, &pids, &n, &e) < 0)
			fail_msg("%s", ovz_error_message(e));
		if (n >= want)
			break;
		usleep(10000);
	}
	free(pids);
	return n;
}

/* Every hierarchy directory the cgroup has on this host. */
static char **dirs_of(const struct ovz_cgroups *cg, const char *name)
{
	char **v = NULL;
	if (cg->unified)
		strv_push(&v, xasprintf("%s/%s", cg->unified, name));
	for (int c = 0; c < OVZ_CG_NR; c++) {
		const char *m = ovz_cgroups_mount_of(cg, c);
		if (!m)
			continue;
		char *d = xasprintf("%s/%s", m, name);
		if (strv_contains(v, d))
			free(d);
		else
			strv_push(&v, d);
	}
	return v;
}

static void assert_gone(const struct ovz_cgroups *cg, const char *name)
{
	_cleanup_strv_ char **dirs = dirs_of(cg, name);
	for (char **d = dirs; d && *d; d++)
		if (tu_exists(*d))
			fail_msg("'%s' is still there", *d);
}

static int wait_status(struct host *h, pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	for (size_t i = 0; i < h->n_spawned; i++)
		if (h->spawned[i] == pid)
			h->spawned[i] = 0;
	return WIFSIGNALED(st) ? WTERMSIG(st) : -1;
}

static char *read_trimmed(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	char *text = tu_read(path);
	if (!text)
		fail_msg("cannot read '%s'", path);
	size_t n = strlen(text);
	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	return text;
}

/* What the kernel reports back for each file the limits wrote last. */
static void assert_limits_read_back(const struct ovz_cgroups *cg, const char *name,
				    const struct ovz_cg_limits *l, const char *allowed)
{
	struct ovz_cg_write *w = NULL;
	size_t n = 0;
	check(ovz_cg_plan_limits(cg, l, allowed, &w, &n, NULL), NULL);
	for (size_t i = 0; i < n; i++) {
		bool later = false;
		for (size_t j = i + 1; j < n; j++)
			later |= strcmp(w[j].file, w[i].file) == 0;
		if (later)
			continue;
		_cleanup_free_ char *dir =
			xasprintf("%s/%s", ovz_cgroups_mount_of(cg, w[i].controller), name);
		_cleanup_free_ char *got = read_trimmed(dir, w[i].file);
		if (strcmp(got, w[i].value) != 0)
			fail_msg("%s/%s: wrote '%s', reads '%s'", dir, w[i].file, w[i].value, got);
	}
	ovz_cg_writes_free(w, n);
}

static void test_host_detect(void **state)
{
	struct host *h = *state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	print_message("# cgroup mode: %s, v2 at %s\n", ovz_cg_mode_name(h->cg.mode),
		      h->cg.unified ? h->cg.unified : "(none)");
	for (int c = 0; c < OVZ_CG_NR; c++) {
		const char *m = ovz_cgroups_mount_of(&h->cg, c);
		print_message("#   %s: %s\n", ovz_cg_controller_name(c), m ? m : "(missing)");
		if (m) {
			_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", m);
			assert_true(tu_exists(procs));
		}
	}
	assert_true(h->cg.mode != OVZ_CG_UNIFIED || h->cg.unified);
}

static void test_host_lifecycle(void **state)
{
	struct host *h = *state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	struct ovz_error *e = NULL;
	check(ovz_cgroup_create(&h->cg, h->name, &e), &e);
	check(ovz_cgroup_create(&h->cg, h->name, &e), &e);	/* again: fine */
	assert_int_equal(ovz_cgroup_exists(&h->cg, h->name, &e), 1);
	_cleanup_strv_ char **dirs = dirs_of(&h->cg, h->name);
	for (char **d = dirs; *d; d++)
		assert_true(tu_exists(*d));

	struct sleeper s = spawn_sleeper(h, 0);
	pid_t pid = s.pid;
	check(ovz_cgroup_add_pid(&h->cg, h->name, pid, &e), &e);
	check(ovz_cgroup_add_pid(&h->cg, h->name, pid, &e), &e);
	release(&s);
	pid_t *pids = NULL;
	size_t n = 0;
	check(ovz_cgroup_pids(&h->cg, h->name, &pids, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], pid);
	free(pids);

	/* every limit whose controller this host has */
	struct ovz_cg_limits l = full_limits(), want;
	ovz_cg_limits_init(&want);
	const char *mem = ovz_cgroups_mount_of(&h->cg, OVZ_CG_MEMORY);
	if (mem) {
		want.memory = l.memory;
		_cleanup_free_ char *swapfile =
			xasprintf("%s/%s/%s", mem, h->name,
				  h->cg.on_v2[OVZ_CG_MEMORY] ? "memory.swap.max"
							     : "memory.memsw.limit_in_bytes");
		if (tu_exists(swapfile))
			want.swap = l.swap;
	}
	if (ovz_cgroups_mount_of(&h->cg, OVZ_CG_CPU)) {
		want.cpu_units = 500;
		want.cpu_limit = l.cpu_limit;
	}
	if (ovz_cgroups_mount_of(&h->cg, OVZ_CG_CPUSET))
		want.cpus = 1;
	if (ovz_cgroups_mount_of(&h->cg, OVZ_CG_PIDS))
		want.nproc = l.nproc;
	check(ovz_cgroup_apply(&h->cg, h->name, &want, &e), &e);
	check(ovz_cgroup_apply(&h->cg, h->name, &want, &e), &e);	/* idempotent */
	_cleanup_free_ char *allowed = NULL;
	if (want.cpus != OVZ_UNSET) {
		const char *m = ovz_cgroups_mount_of(&h->cg, OVZ_CG_CPUSET);
		_cleanup_free_ char *parent = xasprintf("%s/%s", m, h->root);
		allowed = read_trimmed(parent, h->cg.on_v2[OVZ_CG_CPUSET] ? "cpuset.cpus.effective"
									  : "cpuset.effective_cpus");
	}
	assert_limits_read_back(&h->cg, h->name, &want, allowed);

	/* lowering the memory limit below the old memsw works on v1 too */
	if (want.memory != OVZ_UNSET && want.swap != OVZ_UNSET) {
		want.memory = 32 * MIB;
		want.swap = 0;
		check(ovz_cgroup_apply(&h->cg, h->name, &want, &e), &e);
		assert_limits_read_back(&h->cg, h->name, &want, allowed);
	}

	check(ovz_cgroup_kill(&h->cg, h->name, &e), &e);
	assert_int_equal(wait_status(h, pid), SIGKILL);
	check(ovz_cgroup_pids(&h->cg, h->name, &pids, &n, &e), &e);
	assert_int_equal(n, 0);
	free(pids);
	check(ovz_cgroup_kill(&h->cg, h->name, &e), &e);	/* empty: fine */

	check(ovz_cgroup_remove(&h->cg, h->name, &e), &e);
	assert_gone(&h->cg, h->name);
	assert_int_equal(ovz_cgroup_exists(&h->cg, h->name, &e), 0);
	/* all idempotent on a missing cgroup */
	check(ovz_cgroup_remove(&h->cg, h->name, &e), &e);
	check(ovz_cgroup_kill(&h->cg, h->name, &e), &e);
	check(ovz_cgroup_pids(&h->cg, h->name, &pids, &n, &e), &e);
	assert_int_equal(n, 0);
	check(ovz_cgroup_remove(&h->cg, h->root, &e), &e);
	assert_gone(&h->cg, h->root);
}

/* Kills through the freezer: the layout without its v2 tree, as on a
 * legacy host (and on v2 kernels before cgroup.kill, via cgroup.freeze). */
static void test_host_kill_by_freezer(void **state)
{
	struct host *h = *state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	struct ovz_cgroups legacy = h->cg;
	legacy.unified = NULL;
	memset(legacy.on_v2, 0, sizeof(legacy.on_v2));
	legacy.mode = OVZ_CG_LEGACY;
	if (!legacy.v1[OVZ_CG_FREEZER])
		TU_SKIP("no v1 freezer on this host");
	struct ovz_error *e = NULL;
	check(ovz_cgroup_create(&legacy, h->name, &e), &e);
	struct sleeper s = spawn_sleeper(h, 3);
	pid_t pid = s.pid;
	check(ovz_cgroup_add_pid(&legacy, h->name, pid, &e), &e);
	release(&s);
	/* the forks after joining land in the cgroup too */
	assert_int_equal(wait_for_pids(&legacy, h->name, 4), 4);
	check(ovz_cgroup_kill(&legacy, h->name, &e), &e);
	assert_int_equal(wait_status(h, pid), SIGKILL);
	_cleanup_free_ char *state_file = xasprintf("%s/%s", legacy.v1[OVZ_CG_FREEZER], h->name);
	_cleanup_free_ char *fstate = read_trimmed(state_file, "freezer.state");
	assert_string_equal(fstate, "THAWED");
	check(ovz_cgroup_remove(&legacy, h->name, &e), &e);
	assert_gone(&legacy, h->name);
	check(ovz_cgroup_remove(&legacy, h->root, &e), &e);
}

/* A busy cgroup with a child cgroup of its own (as a container's systemd
 * makes) is killed and removed bottom-up. */
static void test_host_remove_busy_nested(void **state)
{
	struct host *h = *state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	struct ovz_error *e = NULL;
	_cleanup_free_ char *inner = xasprintf("%s/init.scope", h->name);
	check(ovz_cgroup_create(&h->cg, h->name, &e), &e);
	check(ovz_cgroup_create(&h->cg, inner, &e), &e);
	struct sleeper sa = spawn_sleeper(h, 0), sb = spawn_sleeper(h, 2);
	pid_t a = sa.pid, b = sb.pid;
	check(ovz_cgroup_add_pid(&h->cg, h->name, a, &e), &e);
	check(ovz_cgroup_add_pid(&h->cg, inner, b, &e), &e);
	release(&sa);
	release(&sb);
	assert_int_equal(wait_for_pids(&h->cg, h->name, 4), 4);
	check(ovz_cgroup_remove(&h->cg, h->name, &e), &e);
	assert_int_equal(wait_status(h, a), SIGKILL);
	assert_int_equal(wait_status(h, b), SIGKILL);
	assert_gone(&h->cg, inner);
	assert_gone(&h->cg, h->name);
	check(ovz_cgroup_remove(&h->cg, h->root, &e), &e);
	assert_gone(&h->cg, h->root);
}

/* In a child moved into the cgroup: /dev/null opens, a node for a device
 * outside the rules (1:11, kmsg) can be created but not opened. */
static int try_devices(const struct ovz_cgroups *cg, const char *name, const char *dir)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(10);
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(11);
		close(fd);
		char *node = xasprintf("%s/kmsg-%d", dir, (int)getpid());
		if (mknod(node, S_IFCHR | 0600, makedev(1, 11)) < 0)
			_exit(12);
		fd = open(node, O_RDONLY | O_CLOEXEC);
		int e = errno;
		unlink(node);
		_exit(fd >= 0 ? 13 : e == EPERM ? 0 : 14);
	}
	close(p[0]);
	struct ovz_error *e = NULL;
	check(ovz_cgroup_add_pid(cg, name, pid, &e), &e);
	assert_int_equal(write(p[1], "x", 1), 1);
	close(p[1]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void run_device_case(struct host *h, const struct ovz_cgroups *cg)
{
	struct ovz_error *e = NULL;
	_cleanup_free_ char *dir = tu_mkdtemp();
	check(ovz_cgroup_create(cg, h->name, &e), &e);
	/* unrestricted: the kmsg node opens */
	assert_int_equal(try_devices(cg, h->name, dir), 13);
	struct ovz_cg_limits l;
	ovz_cg_limits_init(&l);
	l.restrict_devices = true;
	check(ovz_cgroup_apply(cg, h->name, &l, &e), &e);
	check(ovz_cgroup_apply(cg, h->name, &l, &e), &e);	/* again: replaced, not stacked */
	assert_int_equal(try_devices(cg, h->name, dir), 0);
	check(ovz_cgroup_remove(cg, h->name, &e), &e);
	check(ovz_cgroup_remove(cg, h->root, &e), &e);
	assert_gone(cg, h->root);
	tu_rmrf(dir);
}

static void test_host_devices_v1(void **state)
{
	struct host *h = *state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	if (!h->cg.v1[OVZ_CG_DEVICES])
		TU_SKIP("no v1 devices controller on this host");
	run_device_case(h, &h->cg);
	_cleanup_free_ char *rules = xasprintf("%s/%s", h->cg.v1[OVZ_CG_DEVICES], h->root);
	assert_false(tu_exists(rules));
}

/* The v2 path: the same layout without the v1 devices hierarchy. */
static void test_host_devices_bpf(void **state)
{
	struct host *h = *state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	if (!h->cg.unified)
		TU_SKIP("no cgroup v2 tree on this host");
	struct ovz_cgroups v2 = h->cg;
	v2.v1[OVZ_CG_DEVICES] = NULL;
	run_device_case(h, &v2);
}

static void test_host_missing_file_named(void **state)
{
	struct host *h = *state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	struct ovz_error *e = NULL;
	struct ovz_cg_limits l;
	ovz_cg_limits_init(&l);
	l.nproc = 5;
	if (!ovz_cgroups_mount_of(&h->cg, OVZ_CG_PIDS))
		TU_SKIP("no pids controller");
	/* the cgroup does not exist: the error names the file it tried */
	int r = ovz_cgroup_apply(&h->cg, h->name, &l, &e);
	assert_int_equal(r, -ENOENT);
	_cleanup_free_ char *want = xasprintf("%s/%s/pids.max", ovz_cgroups_mount_of(&h->cg, OVZ_CG_PIDS),
					      h->name);
	if (!strstr(ovz_error_message(e), want))
		fail_msg("'%s' does not name '%s'", ovz_error_message(e), want);
	ovz_error_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_unified),
		cmocka_unit_test(test_parse_hybrid),
		cmocka_unit_test(test_parse_legacy),
		cmocka_unit_test(test_parse_none),
		cmocka_unit_test(test_plan_v2),
		cmocka_unit_test(test_plan_v1),
		cmocka_unit_test(test_plan_unlimited),
		cmocka_unit_test(test_plan_missing_controller),
		cmocka_unit_test(test_plan_bad_values),
		cmocka_unit_test(test_plan_devices),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test_setup_teardown(test_host_detect, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_lifecycle, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_kill_by_freezer, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_remove_busy_nested, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_devices_v1, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_devices_bpf, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_missing_file_named, host_setup, host_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
