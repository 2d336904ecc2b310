// SPDX-License-Identifier: LGPL-2.1-or-later
/* What the host does with a container's area, attacked from inside real
 * containers on the ns backend (issue 13, findings 4, 5, 7, 9 and 10), and
 * the area paths a config or an XML may name.
 *
 * As root, in private mount and network namespaces, in a scratch --root
 * of mode 0755 (so that only ovz-native's own directory modes keep host
 * users out), with a busybox template plus tests/unit/ct-tool.c.  CTIDs
 * 1700-1749; run it under flock /tmp/ovz-tests.lock by hand. */
#include "testutil.h"

#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/fs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct {
	const char *skip;
	char *root;
	char *victim;	/* a directory beside the root that nothing may remove */
} t;

#define REQUIRE() do { if (t.skip) TU_SKIP("%s", t.skip); } while (0)
#define CT(...) tu_cli(t.root, NULL, "--backend", "ns", __VA_ARGS__, (char *)NULL)

/* ROOT/DIR/CTIDSUFFIX */
static char *in_root(const char *dir, unsigned ctid, const char *suffix)
{
	return xasprintf("%s%s/%u%s", t.root, dir, ctid, suffix);
}

static void expect_ok(struct tu_run r, const char *what)
{
	if (r.status != 0)
		fail_msg("%s: exit %d: %s", what, r.status, r.err);
	tu_run_free(&r);
}

/* The command's stderr when it fails with status want; fails otherwise. */
static char *expect_fail(struct tu_run r, int want, const char *what)
{
	if (r.status != want)
		fail_msg("%s: exit %d, not %d: %s%s", what, r.status, want, r.out, r.err);
	free(r.out);
	return r.err;
}

static char *sh(unsigned ctid, const char *script, int *status)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", ctid);
	struct tu_run r = CT("exec", id, "--", "sh", "-c", script);
	if (status)
		*status = r.status;
	else if (r.status != 0)
		fail_msg("exec '%s': exit %d: %s", script, r.status, r.err);
	free(r.err);
	return r.out;
}

static void ct_verb(const char *verb, unsigned ctid)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", ctid);
	expect_ok(strcmp(verb, "stop") ? CT(verb, id) : CT("stop", "--fast", id), verb);
}

static void create(unsigned ctid)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", ctid);
	expect_ok(CT("create", id, "--ostemplate", "busybox"), "create");
	/* the static helper, for what busybox cannot do */
	char *dst = in_root("/vz/private", ctid, "/bin/ct-tool");
	char *cmd = xasprintf("cp '%s' '%s'", getenv("OVZ_CT_TOOL"), dst);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dst);
}

/* Whatever a test left at ctid goes (flags cleared by the host if need be). */
static void remove_ct(unsigned ctid)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", ctid);
	struct tu_run r = CT("stop", "--fast", id);
	tu_run_free(&r);
	r = CT("destroy", id);
	tu_run_free(&r);
	char *conf = in_root("/etc/vz/conf", ctid, ".conf");
	unlink(conf);
	free(conf);
}

/* ---- set-up ---- */

static int make_template(const char *tarball)
{
	char *cmd = xasprintf(
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/sbin $t/etc $t/proc $t/sys $t/dev "
		"$t/tmp $t/root; cp /bin/busybox $t/bin/; for a in sh ls cat echo sleep mkdir "
		"mkfifo mknod cp chmod rm touch true; do ln -s busybox $t/bin/$a; done; "
		"ln -s ../bin/busybox $t/sbin/init; "
		"printf '::sysinit:/bin/true\\n::respawn:/bin/sleep 100000\\n' > $t/etc/inittab; "
		"echo '127.0.0.1 localhost' > $t/etc/hosts; "
		"mkdir -p \"$(dirname '%s')\"; tar --numeric-owner -C $t -czf '%s' .; rm -rf $t",
		tarball, tarball);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static int group_setup(void **state)
{
	(void)state;
	if (!tu_is_root())
		t.skip = "needs root (namespaces, mounts, cgroups)";
	else if (access("/bin/busybox", X_OK) < 0)
		t.skip = "needs /bin/busybox (Debian's busybox-static)";
	else if (!getenv("OVZ_CT_TOOL") || access(getenv("OVZ_CT_TOOL"), X_OK) < 0)
		t.skip = "needs OVZ_CT_TOOL (run through meson test)";
	else if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
		 mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		t.skip = "cannot make private mount and network namespaces";
	if (t.skip)
		return 0;
	t.root = tu_mkdtemp();
	chmod(t.root, 0755);
	t.victim = xasprintf("%s-victim", t.root);
	mkdir(t.victim, 0755);
	char *keep = path_join(t.victim, "keep");
	tu_write(keep, "keep");
	free(keep);
	char *tarball = path_join(t.root, "/vz/template/cache/busybox.tar.gz");
	if (make_template(tarball) < 0)
		t.skip = "cannot build the busybox template";
	free(tarball);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (t.root)
		for (unsigned id = 1700; id < 1750; id++)
			remove_ct(id);
	if (t.root)
		tu_rmrf(t.root);
	if (t.victim)
		tu_rmrf(t.victim);
	return 0;
}

static bool victim_intact(void)
{
	char *keep = path_join(t.victim, "keep");
	char *text = tu_read(keep);
	bool ok = text && strcmp(text, "keep") == 0;
	free(text);
	free(keep);
	return ok;
}

/* ---- finding 4: the layout is not read from inside the area ---- */

static int start_bounded(unsigned ctid, char **err)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", ctid);
	char *const argv[] = { "timeout", "30", getenv("OVZ_BIN"), "--root", t.root, "--backend",
			       "ns", "start", id, NULL };
	struct tu_run r = tu_runv(argv, NULL);
	free(r.out);
	*err = r.err;
	return r.status;
}

/* The container writes /.ovz-overlay naming a host directory (and makes
 * upper/ and work/ so that an overlay mount works): the next start must
 * not make that directory its root. */
static void test_overlay_file_from_container(void **state)
{
	REQUIRE();
	/* a host directory that would boot: busybox and an init */
	char *secret = path_join(t.root, "/secret");
	char *secret_file = path_join(secret, "host-secret");
	tu_write(secret_file, "host only");
	char *mk = xasprintf("set -e; s='%s'; mkdir -p $s/bin $s/sbin $s/etc $s/proc $s/sys $s/dev; "
			     "cp /bin/busybox $s/bin/; for a in sh cat sleep true; do "
			     "ln -s busybox $s/bin/$a; done; ln -s ../bin/busybox $s/sbin/init; "
			     "printf '::respawn:/bin/sleep 100000\\n' > $s/etc/inittab", secret);
	assert_int_equal(system(mk), 0);
	free(mk);
	create(1700);
	ct_verb("start", 1700);
	char *script = xasprintf("mkdir -p /upper /work && echo '%s' > /.ovz-overlay", secret);
	free(sh(1700, script, NULL));
	free(script);
	ct_verb("stop", 1700);
	char *err = NULL;
	int status = start_bounded(1700, &err);
	if (status == 0) {
		int st;
		free(sh(1700, "cat /host-secret", &st));
		assert_int_not_equal(st, 0);	/* the host's directory is not its root */
	} else {
		if (status == 124 || !strstr(err, ".ovz-overlay"))
			fail_msg("start: exit %d: %s", status, err);
	}
	free(err);
	assert_true(tu_exists(secret_file));
	remove_ct(1700);
	free(secret);
	free(secret_file);
}

/* A FIFO there must neither be opened nor hang the start (which holds the
 * lock): without upper/ and work/ the area is a bind area and the file is
 * the container's business; with them it is refused at once. */
static void test_overlay_fifo(void **state)
{
	REQUIRE();
	create(1701);
	ct_verb("start", 1701);
	free(sh(1701, "mkfifo /.ovz-overlay", NULL));
	ct_verb("stop", 1701);
	char *err = NULL;
	int status = start_bounded(1701, &err);
	if (status != 0)
		fail_msg("start with a FIFO at /.ovz-overlay: exit %d: %s", status, err);
	free(err);
	free(sh(1701, "mkdir -p /upper /work", NULL));
	ct_verb("stop", 1701);
	status = start_bounded(1701, &err);
	assert_int_not_equal(status, 124);
	assert_int_not_equal(status, 0);
	assert_non_null(strstr(err, "is not a small regular file"));
	free(err);
	remove_ct(1701);
}

/* ---- finding 7: the host never opens what the container planted in /etc ---- */

/* How many of the container's processes wait for a FIFO's other end
 * (wchan wait_for_partner), polled for up to 2 s. */
static int blocked_on_fifos(unsigned ctid)
{
	const char *const trees[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified",
				      "/sys/fs/cgroup/pids" };
	int n = 0;
	for (int tries = 0; tries < 40 && n < 2; tries++) {
		usleep(50 * 1000);
		n = 0;
		for (size_t i = 0; i < ARRAY_SIZE(trees); i++) {
			char *procs = xasprintf("%s/ovz-native/%u/cgroup.procs", trees[i], ctid);
			char *text = tu_read(procs);
			free(procs);
			for (char *p = text, *end; p && *p; p = end) {
				long pid = strtol(p, &end, 10);
				if (end == p)
					break;
				char *wchan_path = xasprintf("/proc/%ld/wchan", pid);
				char *wchan = tu_read(wchan_path);
				n += wchan && strstr(wchan, "partner");
				free(wchan);
				free(wchan_path);
			}
			free(text);
			if (n)
				break;
		}
	}
	return n;
}

/* A writer blocked on opening a FIFO goes on only when a reader opens it:
 * /opened-* show whether the host opened the container's FIFOs. */
static void test_etc_fifo_not_opened(void **state)
{
	REQUIRE();
	create(1702);
	ct_verb("start", 1702);
	free(sh(1702, "rm -f /etc/hosts /etc/resolv.conf /etc/hostname && "
		      "mkfifo /etc/hosts /etc/resolv.conf && mknod /etc/hostname c 1 3", NULL));
	free(sh(1702, "(exec 3>/etc/hosts && touch /opened-hosts) </dev/null >/dev/null 2>&1 & "
		      "(exec 3>/etc/resolv.conf && touch /opened-resolv) </dev/null >/dev/null 2>&1 &",
		NULL));
	/* the writers must be blocked in open() before set renames the files */
	assert_int_equal(blocked_on_fifos(1702), 2);
	expect_ok(CT("set", "1702", "--hostname", "new.test", "--nameserver", "192.0.2.1"),
		  "set live");
	usleep(300 * 1000);
	int st;
	char *out = sh(1702, "ls /opened-hosts /opened-resolv", &st);
	if (st == 0)
		fail_msg("the host opened the container's FIFOs: %s", out);
	free(out);
	out = sh(1702, "cat /etc/hosts /etc/resolv.conf /etc/hostname", NULL);
	assert_non_null(strstr(out, "new.test"));
	assert_non_null(strstr(out, "nameserver 192.0.2.1"));
	free(out);
	remove_ct(1702);
}

/* ---- finding 5: host users cannot reach what the container planted ---- */

static bool nobody_can_reach(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		struct stat st;
		_exit(stat(path, &st) == 0 ? 1 : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_setuid_unreachable(void **state)
{
	REQUIRE();
	create(1703);
	ct_verb("start", 1703);
	free(sh(1703, "cp /bin/busybox /suidsh && chmod 4755 /suidsh", NULL));
	char *priv_dir = path_join(t.root, "/vz/private"), *root_dir = path_join(t.root, "/vz/root");
	struct stat st;
	assert_int_equal(stat(priv_dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(root_dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	char *in_priv = in_root("/vz/private", 1703, "/suidsh");
	char *in_mount = in_root("/vz/root", 1703, "/suidsh");
	assert_true(tu_exists(in_priv) && tu_exists(in_mount));	/* root sees it */
	assert_true(nobody_can_reach(in_priv));
	assert_true(nobody_can_reach(in_mount));
	ct_verb("stop", 1703);
	/* a host whose /vz/private lets others in is refused, saying why */
	assert_int_equal(chmod(priv_dir, 0711), 0);
	char *err = expect_fail(CT("start", "1703"), 2, "start with /vz/private 0711");
	assert_non_null(strstr(err, "world-traversable"));
	assert_non_null(strstr(err, priv_dir));
	free(err);
	assert_int_equal(chmod(priv_dir, 0700), 0);
	ct_verb("start", 1703);
	remove_ct(1703);
	free(priv_dir); free(root_dir); free(in_priv); free(in_mount);
}

/* ---- finding 9: live processes mean running ---- */

static void test_running_without_run_state(void **state)
{
	REQUIRE();
	create(1704);
	ct_verb("start", 1704);
	char *state_file = in_root("/var/run/ovz-native", 1704, ".state");
	char *live = in_root("/var/run/ovz-native", 1704, ".live");
	/* what a start killed between init's exec and the state write leaves */
	assert_int_equal(unlink(state_file), 0);
	assert_int_equal(unlink(live), 0);
	struct tu_run r = CT("status", "1704");
	assert_string_equal(r.out, "CTID 1704 exist mounted running\n");
	tu_run_free(&r);
	r = CT("list", "-H", "-o", "status", "1704");
	assert_non_null(strstr(r.out, "running"));
	tu_run_free(&r);
	free(expect_fail(CT("destroy", "1704"), 3, "destroy of a running container"));
	char *area = in_root("/vz/private", 1704, "/bin/busybox");
	assert_true(tu_exists(area));
	free(expect_fail(CT("start", "1704"), 3, "second start"));
	free(sh(1704, "true", NULL));	/* exec finds its init */
	ct_verb("stop", 1704);
	r = CT("status", "1704");
	assert_string_equal(r.out, "CTID 1704 exist unmounted down\n");
	tu_run_free(&r);

	/* a write interrupted after naming its file leaves NAME.tmp: the next
	 * write and the removal take it away */
	char *tmp_state = in_root("/var/run/ovz-native", 1704, ".state.tmp");
	char *tmp_live = in_root("/var/run/ovz-native", 1704, ".live.tmp");
	tu_write(tmp_state, "1 1 ns\n");
	tu_write(tmp_live, "");
	ct_verb("start", 1704);
	assert_false(tu_exists(tmp_state));
	assert_false(tu_exists(tmp_live));
	tu_write(tmp_state, "1 1 ns\n");
	ct_verb("stop", 1704);
	assert_false(tu_exists(tmp_state));
	assert_false(tu_exists(state_file));
	remove_ct(1704);
	free(state_file); free(live); free(area); free(tmp_state); free(tmp_live);
}

/* ---- finding 10: destroy whatever the container made ---- */

static void test_destroy_deep_and_immutable(void **state)
{
	REQUIRE();
	create(1705);
	ct_verb("start", 1705);
	free(sh(1705, "cd /root && i=0 && while [ $i -lt 600 ]; do mkdir d && cd d || exit 1; "
		      "i=$((i+1)); done; echo x > deep", NULL));
	int st_i, st_a;
	free(sh(1705, "echo x > /root/immutable && /bin/ct-tool chattr +i /root/immutable", &st_i));
	free(sh(1705, "mkdir /root/log && echo x > /root/log/f && "
		      "/bin/ct-tool chattr +a /root/log/f && /bin/ct-tool chattr +i /root/log", &st_a));
	ct_verb("stop", 1705);
	if (st_i != 0 || st_a != 0)
		print_message("NOTE: the container could not chattr (no CAP_LINUX_IMMUTABLE?)\n");
	char *area = in_root("/vz/private", 1705, "");
	struct tu_run r = CT("destroy", "1705");
	if (r.status != 0)
		fail_msg("destroy: exit %d: %s", r.status, r.err);
	tu_run_free(&r);
	assert_false(tu_exists(area));
	free(area);
}

/* ---- finding 10: where an area may be ---- */

static void write_conf(unsigned ctid, const char *text)
{
	char *conf = in_root("/etc/vz/conf", ctid, ".conf");
	tu_write(conf, text);
	free(conf);
}

/* Each VE_PRIVATE (or VE_ROOT) is refused by destroy with a one-line
 * message naming the key, and nothing is removed. */
static void test_area_path_values(void **state)
{
	REQUIRE();
	char *rootbase = strrchr(t.root, '/') + 1;
	char *outside = xasprintf("/../%s-victim", rootbase);
	const struct { const char *key, *value, *why; } cases[] = {
		{ "VE_PRIVATE", "/", "is the root directory" },
		{ "VE_PRIVATE", outside, "contains a '..' component" },
		{ "VE_PRIVATE", "/vz/private/../../etc", "contains a '..' component" },
		{ "VE_PRIVATE", "vz/private/1710", "is not an absolute path" },
		{ "VE_PRIVATE", "/vz//private/1710", "is not normalised" },
		{ "VE_PRIVATE", "/etc", "is a system directory" },
		{ "VE_PRIVATE", "/usr/lib", "is a system directory" },
		{ "VE_PRIVATE", "/var", "is a system directory" },
		{ "VE_PRIVATE", "/vz", "is a system directory" },
		{ "VE_ROOT", "/", "is the root directory" },
		{ "VE_ROOT", "/proc", "is a system directory" },
	};
	char *etc = path_join(t.root, "/etc/vz/conf");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = xasprintf("HOSTNAME=\"x\"\n%s=\"%s\"\n", cases[i].key, cases[i].value);
		write_conf(1710, text);
		char *err = expect_fail(CT("destroy", "1710"), 1, cases[i].value);
		/* the error, after any warnings, is one line naming key and reason */
		size_t len = strlen(err);
		char *last = len > 1 ? memrchr(err, '\n', len - 1) : NULL;
		last = last ? last + 1 : err;
		if (!strstr(last, cases[i].key) || !strstr(last, cases[i].why) ||
		    !str_startswith(last, "ovz-native: destroy 1710: "))
			fail_msg("%s=%s: '%s' does not say '%s' on one line", cases[i].key,
				 cases[i].value, err, cases[i].why);
		/* reading the config warns, naming its line */
		struct tu_run st = CT("status", "1710");
		char *want = xasprintf("1710.conf:2: %s: %s", cases[i].key, cases[i].why);
		if (!strstr(st.err, want))
			fail_msg("status: '%s' does not say '%s'", st.err, want);
		free(want);
		tu_run_free(&st);
		free(err);
		free(text);
		assert_true(victim_intact());
		assert_true(tu_exists(etc));
	}
	free(etc);
	free(outside);

	/* well-formed, but outside vz.conf's /vz/private: not destroyed */
	char *v = xasprintf("VE_PRIVATE=\"/victim\"\n");
	char *victim_in_root = path_join(t.root, "/victim/keep");
	tu_write(victim_in_root, "keep");
	write_conf(1711, v);
	char *err = expect_fail(CT("destroy", "1711"), 1, "destroy of /victim");
	assert_non_null(strstr(err, "is not below '/vz/private'"));
	free(err);
	assert_true(tu_exists(victim_in_root));
	/* unless vz.conf allows that directory */
	char *vzconf = path_join(t.root, "/etc/vz/vz.conf");
	tu_write(vzconf, "OVZ_AREA_PREFIXES=\"/data /victim-dirs\"\n");
	err = expect_fail(CT("destroy", "1711"), 1, "destroy of /victim");
	free(err);
	unlink(vzconf);
	free(v);

	/* another container's area */
	create(1712);
	write_conf(1713, "VE_PRIVATE=\"/vz/private/1712\"\n");
	err = expect_fail(CT("destroy", "1713"), 1, "destroy of another's area");
	assert_non_null(strstr(err, "is the private area of CT 1712"));
	free(err);
	char *other = in_root("/vz/private", 1712, "/bin/busybox");
	assert_true(tu_exists(other));
	free(other);
	remove_ct(1712);

	/* the same from the command line and the XML */
	err = expect_fail(CT("create", "1714", "--ostemplate", "busybox", "--private", "/etc"), 1,
			  "create --private /etc");
	assert_non_null(strstr(err, "--private: is a system directory (/etc)"));
	free(err);
	char *xml = path_join(t.root, "/ct.xml");
	tu_write(xml, "<domain type='openvz'><name>ct1715</name><memory>65536</memory>"
		      "<os><type>exe</type></os><devices><filesystem type='mount'>"
		      "<source dir='/etc'/><target dir='/'/></filesystem></devices></domain>\n");
	err = expect_fail(CT("define", xml), 1, "define of a /etc root");
	assert_non_null(strstr(err, "filesystem/source/@dir: is a system directory (/etc)"));
	free(err);
	free(xml);
	assert_true(victim_intact());
	free(victim_in_root);
	for (unsigned id = 1710; id <= 1715; id++)
		remove_ct(id);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlay_file_from_container),
		cmocka_unit_test(test_overlay_fifo),
		cmocka_unit_test(test_etc_fifo_not_opened),
		cmocka_unit_test(test_setuid_unreachable),
		cmocka_unit_test(test_running_without_run_state),
		cmocka_unit_test(test_destroy_deep_and_immutable),
		cmocka_unit_test(test_area_path_values),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
