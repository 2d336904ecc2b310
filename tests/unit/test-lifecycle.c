// SPDX-License-Identifier: LGPL-2.1-or-later
/* The whole lifecycle through the command, run as a process, on whatever
 * backend the host has.
 *
 * With no OVZ_TEST_* variables: as root, inside private mount and network
 * namespaces that this program makes first, in a scratch --root with a
 * busybox template built from the host's busybox-static, CTID 150.  With
 * OVZ_TEST_ROOT (on an OpenVZ host: "/"), the host's own vz.conf and
 * template cache, one free CTID of OVZ_TEST_CTIDS and the host's
 * namespaces; docs/testing.md describes every variable.
 *
 * After each step the test looks for residue: what the command reports
 * (status) and the vzctl host files (config, lock, private and root dirs,
 * run state), mounts on the container's dirs, its host-side devices and
 * routes; on ns also its cgroups, and in a scratch network namespace any
 * device at all. */
#include "testutil.h"

#include "core/backend.h"
#include "core/util.h"
#include "core/vzconf.h"
#include "net/netlink.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_TEMPLATE "busybox"
#define DEFAULT_CTIDS "150"
#define SCRATCH_IPS "10.77.0.2,10.77.0.3"
#define SCRATCH_PEER "10.77.0.1"	/* on the scratch namespace's lo */

static struct {
	const char *skip_reason;
	bool scratch;		/* our own root and namespaces */
	char *root;		/* the --root of every command */
	const char *template;	/* the OS template name in root's cache */
	const char *backend;	/* the --backend of every command */
	const char *kind;	/* the backend that does the work: ns, vz or vz7 */
	unsigned ctid;
	char id[16];
	char *ip[2];		/* the container's address and one added live; NULL: none */
	const char *peer;	/* an address the container pings; NULL: no ping */
	/* the vzctl host files of the container, root prefix applied */
	char *conf, *private_dir, *root_dir, *lock, *state, *live;
	bool claimed;		/* ctid was free at the start: whatever is there now is ours */
} t;

#define CT(in, ...) tu_cli(t.root, in, "--backend", t.backend, __VA_ARGS__, (char *)NULL)

static void note(const char *what)
{
	print_message("NOTE: not checked on %s: %s\n", t.kind, what);
}

static bool is_ns(void)
{
	return strcmp(t.kind, "ns") == 0;
}

static bool busybox_template(void)
{
	return strcmp(t.template, DEFAULT_TEMPLATE) == 0 && t.scratch;
}

/* A busybox root: /bin/busybox, applet links, an inittab that keeps a
 * process running, packed as the template cache TARBALL.  With shell_init,
 * /sbin/init is a shell loop that powers off on SIGUSR2 or SIGTERM and halt
 * sends it SIGUSR2: busybox's init insists on being pid 1, which a VE's
 * init is not under vzemu (no pid namespace). */
static int make_template(const char *tarball, bool shell_init)
{
	const char *init = shell_init ?
		"printf '#!/bin/sh\\ntrap \"poweroff -f\" USR2 TERM\\nwhile :; do sleep 1; done\\n' "
		"> $t/sbin/init; printf '#!/bin/sh\\nkill -USR2 1\\n' > $t/sbin/halt; "
		"chmod 755 $t/sbin/init $t/sbin/halt; " :
		"ln -s ../bin/busybox $t/sbin/init; ";
	char *cmd = xasprintf(
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/sbin $t/etc $t/proc $t/sys $t/dev "
		"$t/tmp $t/root; cp /bin/busybox $t/bin/; for a in sh ls cat echo sleep ip "
		"hostname ps ping true id poweroff; do ln -s busybox $t/bin/$a; done; %s"
		"printf '::sysinit:/bin/true\\n::respawn:/bin/sleep 100000\\n' > $t/etc/inittab; "
		"mkdir -p \"$(dirname '%s')\"; tar --numeric-owner -C $t -czf '%s' .; rm -rf $t",
		init, tarball, tarball);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

/* ---- the variables ---- */

static int parse_ctids(const char *s, unsigned *lo, unsigned *hi)
{
	char *end;
	unsigned long a = strtoul(s, &end, 10), b = a;
	if (*end == '-')
		b = strtoul(end + 1, &end, 10);
	if (*end || a == 0 || b < a || b > 0x7fffffffUL || b - a > 1000)
		return -1;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

static int parse_ips(const char *s)
{
	const char *comma = strchr(s, ',');
	if (!comma)
		return -1;
	t.ip[0] = xstrndup(s, (size_t)(comma - s));
	t.ip[1] = xstrdup(comma + 1);
	struct in_addr a;
	for (int i = 0; i < 2; i++)
		if (inet_pton(AF_INET, t.ip[i], &a) != 1)
			return -1;
	return 0;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

/* Fills t from the environment; -1 (after saying why) on a bad value. */
static int read_env(void)
{
	const char *root = env_or("OVZ_TEST_ROOT", NULL);
	t.scratch = !root;
	t.template = env_or("OVZ_TEST_TEMPLATE", t.scratch ? DEFAULT_TEMPLATE : NULL);
	t.backend = env_or("OVZ_TEST_BACKEND", "auto");
	const struct ovz_backend *b = strcmp(t.backend, "auto") == 0 ?
		ovz_backend_probe() : ovz_backend_by_name(t.backend);
	if (!b) {
		print_message("OVZ_TEST_BACKEND='%s': expected auto, vz, vz7 or ns\n", t.backend);
		return -1;
	}
	t.kind = b->name;
	if (t.scratch && strcmp(t.template, DEFAULT_TEMPLATE) != 0) {
		print_message("OVZ_TEST_TEMPLATE needs OVZ_TEST_ROOT: the scratch root holds "
			      "only the busybox template\n");
		return -1;
	}
	if (!t.template) {
		print_message("OVZ_TEST_ROOT is set: name a template of its cache in "
			      "OVZ_TEST_TEMPLATE\n");
		return -1;
	}
	const char *ips = env_or("OVZ_TEST_IPS", t.scratch ? SCRATCH_IPS : NULL);
	if (ips && parse_ips(ips) < 0) {
		print_message("OVZ_TEST_IPS='%s': expected two IPv4 addresses, A,B\n", ips);
		return -1;
	}
	t.peer = env_or("OVZ_TEST_PING", t.scratch ? SCRATCH_PEER : NULL);
	if (root)
		t.root = xstrdup(root);
	return 0;
}

/* ---- the CTID ---- */

struct ct_paths {
	char *conf, *private_dir, *root_dir, *lock;
};

static void ct_paths_get(const struct ovz_vzconf *vz, unsigned ctid, struct ct_paths *p)
{
	p->conf = ovz_vzconf_ct_conf(vz, ctid);
	p->private_dir = ovz_vzconf_path(vz, vz->ve_private, ctid);
	p->root_dir = ovz_vzconf_path(vz, vz->ve_root, ctid);
	char *lockdir = ovz_vzconf_path(vz, vz->lockdir, ctid);
	p->lock = xasprintf("%s/%u.lck", lockdir, ctid);
	free(lockdir);
}

static void ct_paths_free(struct ct_paths *p)
{
	free(p->conf);
	free(p->private_dir);
	free(p->root_dir);
	free(p->lock);
}

/* The host file that shows ctid belongs to someone, or NULL when free. */
static const char *ct_taken_by(const struct ct_paths *p)
{
	const char *files[] = { p->conf, p->private_dir, p->lock };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (tu_exists(files[i]))
			return files[i];
	return NULL;
}

/* The first CTID of OVZ_TEST_CTIDS that nobody has; every other one is
 * left alone, and said so. */
static int claim_ctid(const struct ovz_vzconf *vz)
{
	const char *range = env_or("OVZ_TEST_CTIDS", t.scratch ? DEFAULT_CTIDS : NULL);
	unsigned lo, hi;
	if (!range || parse_ctids(range, &lo, &hi) < 0) {
		print_message("OVZ_TEST_CTIDS='%s': expected a CTID range the suite may use, "
			      "such as 9100-9109\n", range ? range : "");
		return -1;
	}
	for (unsigned id = lo; id <= hi && !t.claimed; id++) {
		struct ct_paths p;
		ct_paths_get(vz, id, &p);
		const char *owner = ct_taken_by(&p);
		if (owner) {
			print_message("CT %u: '%s' exists, not ours: left alone\n", id, owner);
			ct_paths_free(&p);
			continue;
		}
		t.ctid = id;
		t.conf = p.conf;
		t.private_dir = p.private_dir;
		t.root_dir = p.root_dir;
		t.lock = p.lock;
		t.claimed = true;
	}
	if (!t.claimed) {
		print_message("OVZ_TEST_CTIDS=%s: every CTID is in use; nothing to test on\n",
			      range);
		return -1;
	}
	snprintf(t.id, sizeof(t.id), "%u", t.ctid);
	t.state = xasprintf("%s/%u.state", vz->run_dir, t.ctid);
	t.live = xasprintf("%s/%u.live", vz->run_dir, t.ctid);
	return 0;
}

/* ---- cleaning up, also when killed ---- */

static char *stop_argv[10], *destroy_argv[8], *undefine_argv[8];

static void set_argv(char *argv[], const char *verb, const char *opt)
{
	const char *bin = env_or("OVZ_BIN", "ovz-native");
	int n = 0;
	argv[n++] = (char *)bin;
	argv[n++] = "--root";
	argv[n++] = t.root;
	argv[n++] = "--backend";
	argv[n++] = (char *)t.backend;
	argv[n++] = (char *)verb;
	if (opt)
		argv[n++] = (char *)opt;
	argv[n++] = t.id;
	argv[n] = NULL;
}

/* Async-signal-safe: fork, exec and wait only. */
static void run_quietly(char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static bool our_ct_left(void)
{
	return access(t.conf, F_OK) == 0 || access(t.private_dir, F_OK) == 0;
}

/* Whatever the suite made at its CTID goes, whatever state a failed test
 * left it in; nothing else is touched.  Tried again for a while, since a
 * command of the test that was interrupted may still hold the lock. */
static void remove_our_ct(void)
{
	for (int i = 0; i < 10 && t.claimed && our_ct_left(); i++) {
		if (i > 0)
			sleep(1);
		run_quietly(stop_argv);
		run_quietly(destroy_argv);
		run_quietly(undefine_argv);
	}
}

static void on_fatal_signal(int sig)
{
	int saved = errno;
	remove_our_ct();
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void arm_cleanup(void)
{
	set_argv(stop_argv, "stop", "--fast");
	set_argv(destroy_argv, "destroy", NULL);
	set_argv(undefine_argv, "undefine", NULL);
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal_signal);
}

/* ---- set-up ---- */

static char *ct_xml(void)
{
	char *iface = t.ip[0] ? xasprintf("    <interface type='ethernet'><ip address='%s'/>"
					  "</interface>\n", t.ip[0]) : xstrdup("");
	char *xml = xasprintf(
		"<domain type='openvz' id='%s'>\n"
		"  <memory unit='MiB'>256</memory>\n"
		"  <os><type>exe</type></os>\n"
		"  <metadata><ovz:container xmlns:ovz='http://ovz-native.org/xmlns/domain/1'>"
		"<ovz:hostname>bb.test</ovz:hostname><ovz:nameserver>192.0.2.53</ovz:nameserver>"
		"</ovz:container></metadata>\n"
		"  <devices>\n"
		"    <filesystem type='template'><source name='%s'/><target dir='/'/></filesystem>\n"
		"%s"
		"  </devices>\n"
		"</domain>\n", t.id, t.template, iface);
	free(iface);
	return xml;
}

/* The scratch host: private namespaces, a peer address on lo, a root
 * with the busybox template. */
static const char *scratch_setup(void)
{
	if (access("/bin/busybox", X_OK) < 0)
		return "needs /bin/busybox (Debian's busybox-static)";
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return "cannot make private mount and network namespaces";
	if (system("ip link set lo up && ip addr add " SCRATCH_PEER "/32 dev lo") != 0)
		return "cannot put an address on the scratch namespace's lo";
	t.root = tu_mkdtemp();
	char *tarball = xasprintf("%s/vz/template/cache/" DEFAULT_TEMPLATE ".tar.gz", t.root);
	int r = make_template(tarball, false);
	free(tarball);
	return r < 0 ? "cannot build the busybox template" : NULL;
}

static void print_setup(void)
{
	print_message("integration: root %s (%s), template %s, CT %u, backend %s (%s)\n",
		      t.root, t.scratch ? "scratch, private namespaces" : "OVZ_TEST_ROOT",
		      t.template, t.ctid, t.backend, t.kind);
	if (t.ip[0])
		print_message("integration: container addresses %s, %s\n", t.ip[0], t.ip[1]);
	else
		print_message("NOTE: OVZ_TEST_IPS unset: the container has no network, "
			      "its addresses are not checked\n");
	if (!t.peer)
		print_message("NOTE: OVZ_TEST_PING unset: no traffic is checked\n");
}

static int group_setup(void **state)
{
	if (!tu_is_root()) {
		t.skip_reason = "needs root (namespaces, mounts, netlink)";
		return 0;
	}
	if (read_env() < 0)
		return -1;
	if (t.scratch && (t.skip_reason = scratch_setup()))
		return 0;
	struct ovz_vzconf *vz = NULL;
	if (ovz_vzconf_load(t.root, &vz, NULL) < 0) {
		print_message("cannot read the vz.conf of '%s'\n", t.root);
		return -1;
	}
	int r = claim_ctid(vz);
	ovz_vzconf_free(vz);
	if (r < 0)
		return -1;
	arm_cleanup();
	print_setup();
	return 0;
}

static int group_teardown(void **state)
{
	remove_our_ct();
	if (t.claimed && tu_exists(t.conf))
		print_message("CT %u could not be removed: '%s' is left\n", t.ctid, t.conf);
	if (t.scratch && t.root)
		tu_rmrf(t.root);
	return 0;
}

/* After each test, failed or not, the container is stopped and unmounted,
 * so that one failure does not fail every test after it. */
static int stop_after_test(void **state)
{
	if (t.claimed && !t.skip_reason) {
		struct tu_run r = CT(NULL, "stop", "--fast", t.id);
		tu_run_free(&r);
		r = CT(NULL, "umount", t.id);
		tu_run_free(&r);
	}
	return 0;
}

#define REQUIRE() do { if (t.skip_reason) TU_SKIP("%s", t.skip_reason); } while (0)

/* ---- asking the command ---- */

static void expect_ok(struct tu_run r)
{
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	tu_run_free(&r);
}

static void assert_status(const char *what)
{
	struct tu_run r = CT(NULL, "status", t.id);
	assert_int_equal(r.status, 0);
	char *want = xasprintf("CTID %s %s\n", t.id, what);
	assert_string_equal(r.out, want);
	free(want);
	tu_run_free(&r);
}

/* One field of `list` for our container, without padding. */
static char *list_field(const char *field)
{
	struct tu_run r = CT(NULL, "list", "-a", "-H", "-o", field, t.id);
	assert_int_equal(r.status, 0);
	char *s = xstrdup(r.out + strspn(r.out, " "));
	for (size_t n = strlen(s); n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '); n--)
		s[n - 1] = '\0';
	tu_run_free(&r);
	return s;
}

static void start(void)
{
	expect_ok(CT(NULL, "start", t.id));
}

static void stop_fast(void)
{
	expect_ok(CT(NULL, "stop", "--fast", t.id));
}

/* Runs a command inside; its output, failing the test unless it exits 0. */
static char *exec_out(const char *const argv[])
{
	char *args[16] = { (char *)env_or("OVZ_BIN", "ovz-native"), "--root", t.root,
			   "--backend", (char *)t.backend, "exec", t.id, "--" };
	int n = 8;
	for (int i = 0; argv[i] && n < 15; i++)
		args[n++] = (char *)argv[i];
	args[n] = NULL;
	struct tu_run r = tu_runv(args, NULL);
	if (r.status != 0)
		fail_msg("exec %s: exit %d: %s", argv[0], r.status, r.err);
	free(r.err);
	return r.out;
}

static bool ct_has_command(const char *name)
{
	char *script = xasprintf("command -v %s", name);
	struct tu_run r = CT(NULL, "exec", t.id, "--", "sh", "-c", script);
	free(script);
	bool found = r.status == 0;
	tu_run_free(&r);
	return found;
}

/* Whether addr is an IPv4 address of the container's, from `ip` where the
 * kernel has no fib_trie (a 2.6.32 OpenVZ kernel is built with FIB_HASH). */
static bool ct_ip_has_address(const char *addr)
{
	char *out = exec_out((const char *const[]){ "ip", "-o", "-4", "addr", "show", NULL });
	char *want = xasprintf(" inet %s/", addr);
	bool found = strstr(out, want) != NULL;
	free(want);
	free(out);
	return found;
}

/* Whether addr is a local IPv4 address inside the container, from
 * /proc/net/fib_trie: cat reads it in every template, where `ip` is not in
 * all of them. */
static bool ct_has_address(const char *addr)
{
	struct tu_run probe = CT(NULL, "exec", t.id, "--", "sh", "-c",
				"test -e /proc/net/fib_trie");
	bool trie = probe.status == 0;
	tu_run_free(&probe);
	if (!trie)
		return ct_ip_has_address(addr);
	char *fib = exec_out((const char *const[]){ "cat", "/proc/net/fib_trie", NULL });
	char *entry = xasprintf("|-- %s\n", addr);
	bool local = false;
	for (char *p = strstr(fib, entry); p && !local; p = strstr(p + 1, entry)) {
		/* the entry's prefix lines follow it, one of them LOCAL if ours */
		char *line = p + strlen(entry);
		while (!local && *line == ' ' && strchr(line, '\n')) {
			char *eol = strchr(line, '\n');
			*eol = '\0';
			local = strstr(line, "host LOCAL") != NULL;
			line = eol + 1;
		}
	}
	free(entry);
	free(fib);
	return local;
}

/* ---- residue ---- */

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

/* The container's host-side devices, as vzctl names them (veth<CTID>.N)
 * and the ns backend's venet end (venet<CTID>). */
static bool our_link_left(void)
{
	struct ovz_nl *nl = NULL;
	assert_int_equal(ovz_nl_open(-1, &nl, NULL), 0);
	struct ovz_link *links = NULL;
	size_t n = 0;
	assert_int_equal(ovz_nl_link_list(nl, &links, &n, NULL), 0);
	char veth[32], venet[32];
	snprintf(veth, sizeof(veth), "veth%u.", t.ctid);
	snprintf(venet, sizeof(venet), "venet%u", t.ctid);
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		found = strncmp(links[i].name, veth, strlen(veth)) == 0 ||
			strcmp(links[i].name, venet) == 0;
	free(links);
	ovz_nl_close(nl);
	return found;
}

static bool route_left(const char *addr)
{
	char *prefix = xasprintf("%s/32", addr);
	char *argv[] = { "ip", "-4", "route", "show", "table", "all", "exact", prefix, NULL };
	struct tu_run r = tu_runv(argv, NULL);
	free(prefix);
	bool found = r.status != 0 || r.out[0] != '\0';
	tu_run_free(&r);
	return found;
}

/* A mount point at or below dir. */
static bool mounted_at(const char *dir)
{
	char *mi = tu_read("/proc/self/mountinfo");
	assert_non_null(mi);
	size_t len = strlen(dir);
	bool found = false;
	for (char *line = strtok(mi, "\n"); line && !found; line = strtok(NULL, "\n")) {
		char mnt[4096];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		found = strncmp(mnt, dir, len) == 0 && (mnt[len] == '\0' || mnt[len] == '/');
	}
	free(mi);
	return found;
}

/* ns only: the cgroups the ns backend makes. */
static bool ns_cgroup_left(void)
{
	static const char *const hierarchies[] = { "unified", "", "memory", "cpu", "pids" };
	bool found = false;
	for (size_t i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]) && !found; i++) {
		char *dir = xasprintf("/sys/fs/cgroup/%s/ovz-native/%u", hierarchies[i], t.ctid);
		found = tu_exists(dir);
		free(dir);
	}
	return found;
}

static void assert_no_residue(void)
{
	assert_false(mounted_at(t.root_dir));
	assert_false(mounted_at(t.private_dir));
	assert_false(our_link_left());
	for (int i = 0; i < 2 && t.ip[i]; i++)
		assert_false(route_left(t.ip[i]));
	assert_false(tu_exists(t.state));
	assert_false(tu_exists(t.live));
	assert_false(tu_exists(t.lock));
	assert_status("exist unmounted down");
	if (is_ns())
		assert_false(ns_cgroup_left());
	if (t.scratch) {
		/* our own namespaces: nothing at all is left */
		assert_false(mounted_at(t.root));
		assert_int_equal(count_links(), 1);	/* lo */
	}
}

/* What assert_no_residue looks for is there while the container runs, so
 * that its checks can fail. */
static void assert_running_traces(void)
{
	assert_true(mounted_at(t.root_dir));
	if (t.ip[0])
		assert_true(route_left(t.ip[0]));
	if (is_ns()) {
		assert_true(ns_cgroup_left());
		if (t.ip[0])
			assert_true(our_link_left());	/* venet<CTID> */
	}
	assert_true(tu_exists(t.state));	/* and so the path checked is right */
}

/* ---- the tests ---- */

static void test_create(void **state)
{
	REQUIRE();
	char *xml = ct_xml();
	char *dir = tu_mkdtemp();
	char *path = xasprintf("%s/ct.xml", dir);
	tu_write(path, xml);
	free(xml);
	struct tu_run r = CT(NULL, "create", "--xml", path);
	tu_rmrf(dir);
	free(path);
	free(dir);
	if (r.status != 0)
		fail_msg("create: exit %d: %s", r.status, r.err);
	char *want = xasprintf("CT %s created (extract)\n", t.id);
	assert_string_equal(r.out, want);
	free(want);
	tu_run_free(&r);
	/* the command's idea of the private area is the host file's */
	char *priv = list_field("private");
	size_t len = strlen(priv), full = strlen(t.private_dir);
	assert_true(len > 0 && full >= len);
	assert_string_equal(t.private_dir + full - len, priv);
	free(priv);
	char *shell = xasprintf("%s/bin/sh", t.private_dir);
	assert_true(tu_exists(shell));
	free(shell);
	assert_true(tu_exists(t.conf));
	assert_no_residue();
}

/* ns and vz7: the container's pids cgroup carries the limit. */
static void assert_ns_pids_max(const char *want)
{
	static const char *const hierarchies[] = { "pids", "unified", "" };
	for (size_t i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]); i++) {
		char *file = xasprintf("/sys/fs/cgroup/%s/ovz-native/%u/pids.max",
				       hierarchies[i], t.ctid);
		char *v = tu_read(file);
		free(file);
		if (!v)
			continue;
		assert_string_equal(v, want);
		free(v);
		return;
	}
	fail_msg("no pids.max for CT %u", t.ctid);
}

/* vz: the barrier and limit of the container's beancounter RES in the
 * host's /proc/user_beancounters, where a container's rows begin with
 * "CTID:". */
static void vz_ubc(const char *res, unsigned long *barrier, unsigned long *limit)
{
	char *ubc = tu_read("/proc/user_beancounters");
	assert_non_null(ubc);
	char *name = xasprintf(" %s ", res);
	unsigned id = 0, in = 0;
	unsigned long held, maxheld;
	bool found = false;
	for (char *line = strtok(ubc, "\n"); line && !found; line = strtok(NULL, "\n")) {
		if (sscanf(line, " %u:", &in) == 1)
			id = in;
		char *row = strstr(line, name);
		found = id == t.ctid && row &&
			sscanf(row + strlen(name), "%lu %lu %lu %lu", &held, &maxheld, barrier,
			       limit) == 4;
	}
	free(name);
	free(ubc);
	if (!found)
		fail_msg("no %s row for CT %u in /proc/user_beancounters", res, t.ctid);
}

static void assert_vz_numproc(unsigned long want)
{
	unsigned long barrier = 0, limit = 0;
	vz_ubc("numproc", &barrier, &limit);
	assert_int_equal(barrier, want);
	assert_int_equal(limit, want);
}

/* A limit from the config reaches the kernel. */
static void assert_numproc_limit(void)
{
	if (is_ns() || strcmp(t.kind, "vz7") == 0)
		assert_ns_pids_max("200\n");
	else
		assert_vz_numproc(200);
}

/* The container's memory limit as the kernel holds it, in bytes: the
 * physpages limit on vz, the memory cgroup's on ns and vz7. */
static unsigned long long memory_limit(void)
{
	if (strcmp(t.kind, "vz") == 0) {
		unsigned long barrier = 0, limit = 0;
		vz_ubc("physpages", &barrier, &limit);
		return (unsigned long long)limit * (unsigned long long)getpagesize();
	}
	static const char *const files[] = { "unified/ovz-native/%s/memory.max",
					     "ovz-native/%s/memory.max",
					     "memory/ovz-native/%s/memory.limit_in_bytes" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *f = files[i];
		char *file = xasprintf("/sys/fs/cgroup/%.*s%s%s", (int)strcspn(f, "%"), f, t.id,
				       strstr(f, "%s") + 2);
		char *v = tu_read(file);
		free(file);
		if (v) {
			unsigned long long bytes = strtoull(v, NULL, 10);
			free(v);
			return bytes;
		}
	}
	fail_msg("no memory limit for CT %u", t.ctid);
	return 0;
}

static void assert_ping(const char *from)
{
	if (!t.peer || !ct_has_command("ping")) {
		note(t.peer ? "traffic: the template has no ping" : "traffic (OVZ_TEST_PING)");
		return;
	}
	struct tu_run r = from ?
		CT(NULL, "exec", t.id, "ping", "-c", "1", "-W", "3", "-I", from, t.peer) :
		CT(NULL, "exec", t.id, "ping", "-c", "1", "-W", "3", t.peer);
	if (r.status != 0)
		fail_msg("ping %s from the container failed: %s%s", t.peer, r.out, r.err);
	tu_run_free(&r);
}

/* The other way: the host reaches the container's address (busybox's ping,
 * which every host the suite runs on has). */
static void assert_host_pings(const char *addr)
{
	if (!t.peer) {
		note("traffic from the host (OVZ_TEST_PING)");
		return;
	}
	char *argv[] = { "/bin/busybox", "ping", "-c", "1", "-W", "3", (char *)addr, NULL };
	struct tu_run r = tu_runv(argv, NULL);
	if (r.status != 0)
		fail_msg("ping %s from the host failed: %s%s", addr, r.out, r.err);
	tu_run_free(&r);
}

static void append_to_conf(const char *line)
{
	char *text = tu_read(t.conf);
	assert_non_null(text);
	char *more = xasprintf("%s%s\n", text, line);
	tu_write(t.conf, more);
	free(more);
	free(text);
}

static void test_start_exec_stop(void **state)
{
	REQUIRE();
	append_to_conf("NUMPROC=\"200:200\"");
	start();
	assert_status("exist mounted running");
	char *backend = list_field("backend");
	assert_string_equal(backend, t.kind);	/* the backend we check for is the one at work */
	free(backend);
	assert_numproc_limit();

	char *out = exec_out((const char *const[]){ "hostname", NULL });
	assert_string_equal(out, "bb.test\n");
	free(out);
	out = exec_out((const char *const[]){ "cat", "/etc/resolv.conf", NULL });
	assert_non_null(strstr(out, "nameserver 192.0.2.53"));
	free(out);
	struct tu_run r = CT(NULL, "exec", t.id, "--", "sh", "-c", "exit 7");
	assert_int_equal(r.status, 7);
	tu_run_free(&r);
	/* the routed venet carries traffic both ways */
	assert_ping(NULL);
	if (t.ip[0])
		assert_host_pings(t.ip[0]);

	char *want = xasprintf("%10s %-9s %-15s bb.test\n", t.id, "running",
			       t.ip[0] ? t.ip[0] : "-");
	r = CT(NULL, "list", "-H", "-o", "ctid,status,ip,hostname", t.id);
	assert_string_equal(r.out, want);
	free(want);
	tu_run_free(&r);
	if (t.ip[0])
		assert_true(ct_has_address(t.ip[0]));
	assert_running_traces();
	char *nproc = list_field("numproc");
	assert_true(atoi(nproc) >= (busybox_template() ? 2 : 1));	/* busybox: init, sleep */
	free(nproc);

	r = CT(NULL, "start", t.id);
	assert_int_equal(r.status, 3);	/* already running */
	tu_run_free(&r);

	/* a template's init may take its time to shut down; busybox does not */
	expect_ok(CT(NULL, "stop", "--timeout", busybox_template() ? "5" : "60", t.id));
	assert_no_residue();
}

static void test_restart(void **state)
{
	REQUIRE();
	start();
	struct tu_run r = CT(NULL, "list", "-H", "-o", "ctid");
	char *line = xasprintf("%10s\n", t.id);
	if (t.scratch)
		assert_string_equal(r.out, line);	/* nothing else runs here */
	else
		assert_non_null(strstr(r.out, line));
	free(line);
	tu_run_free(&r);
	expect_ok(CT(NULL, "restart", "--fast", t.id));
	assert_status("exist mounted running");
	stop_fast();
	assert_no_residue();
}

static bool conf_has(const char *text)
{
	char *conf = tu_read(t.conf);
	bool found = conf && strstr(conf, text);
	free(conf);
	return found;
}

/* busybox on ns: the address is on venet0 itself, with its /32. */
static void assert_busybox_venet0(const char *addr, bool present)
{
	char *out = exec_out((const char *const[]){ "ip", "-4", "addr", "show", "venet0", NULL });
	char *prefix = xasprintf("%s/32", addr);
	assert_true((strstr(out, prefix) != NULL) == present);
	free(prefix);
	free(out);
}

static void assert_live_address(const char *addr, bool present)
{
	assert_true(ct_has_address(addr) == present);
	if (busybox_template())
		assert_busybox_venet0(addr, present);
}

static void test_set_live(void **state)
{
	REQUIRE();
	start();
	/* live only: the running container changes, the config does not */
	if (t.ip[0])
		expect_ok(CT(NULL, "set", t.id, "--ipadd", t.ip[1], "--hostname", "live.test"));
	else
		expect_ok(CT(NULL, "set", t.id, "--hostname", "live.test"));
	char *out = exec_out((const char *const[]){ "hostname", NULL });
	assert_string_equal(out, "live.test\n");
	free(out);
	if (t.ip[0]) {
		assert_live_address(t.ip[1], true);
		assert_ping(t.ip[1]);
		assert_false(conf_has(t.ip[1]));
	}
	assert_false(conf_has("live.test"));
	/* --save keeps it; --ipdel takes the address away live */
	if (t.ip[0]) {
		expect_ok(CT(NULL, "set", t.id, "--save", "--ipdel", t.ip[1], "--hostname",
			     "saved.test"));
		assert_live_address(t.ip[1], false);
		assert_live_address(t.ip[0], true);
		assert_false(conf_has(t.ip[1]));
	} else {
		expect_ok(CT(NULL, "set", t.id, "--save", "--hostname", "saved.test"));
	}
	assert_true(conf_has("HOSTNAME=\"saved.test\""));
	/* bad input changes nothing */
	struct tu_run r = CT(NULL, "set", t.id, "--ipadd", "10.77.0.300");
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	stop_fast();
	assert_no_residue();
	/* a stopped container's config is written directly */
	expect_ok(CT(NULL, "set", t.id, "--hostname", "bb.test"));
	assert_true(conf_has("HOSTNAME=\"bb.test\""));
}

/* Limits change while the container runs: the kernel holds the new one. */
static void test_set_live_limits(void **state)
{
	REQUIRE();
	start();
	assert_true(memory_limit() == 256ULL << 20);	/* from the domain XML */
	expect_ok(CT(NULL, "set", t.id, "--memory", "128M"));
	assert_true(memory_limit() == 128ULL << 20);
	assert_status("exist mounted running");
	stop_fast();
	assert_no_residue();
}

static void test_enter_and_mount(void **state)
{
	REQUIRE();
	expect_ok(CT(NULL, "mount", t.id));
	assert_status("exist mounted down");
	expect_ok(CT(NULL, "umount", t.id));
	assert_no_residue();

	start();
	struct tu_run r = CT(NULL, "umount", t.id);
	assert_int_equal(r.status, 3);	/* running */
	tu_run_free(&r);
	/* the shell reads our commands through its pty, which is its
	 * controlling terminal (field 7 of its /proc/self/stat, tty_nr) */
	r = CT("read -r s </proc/self/stat; set -- $s; echo tty_nr=$7; echo in-$(hostname); exit 3\n",
	       "enter", t.id);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.out, "in-bb.test"));
	long tty_nr = 0;
	for (const char *p = r.out; (p = strstr(p, "tty_nr=")); )
		if (isdigit((unsigned char)*(p += 7)))
			tty_nr = atol(p);
	assert_true(tty_nr != 0);
	tu_run_free(&r);
	stop_fast();
	assert_no_residue();
}

/* A container other than ours that boot would start, or NULL. */
static char *boot_would_start_other(void)
{
	struct tu_run r = CT(NULL, "list", "-a", "-H", "-o", "ctid,onboot,status");
	assert_int_equal(r.status, 0);
	char *other = NULL;
	for (char *line = strtok(r.out, "\n"); line && !other; line = strtok(NULL, "\n")) {
		unsigned id;
		char onboot[16], status[16];
		if (sscanf(line, "%u %15s %15s", &id, onboot, status) == 3 && id != t.ctid &&
		    strcmp(onboot, "yes") == 0 && strcmp(status, "running") != 0)
			other = xasprintf("boot would start CT %u, which is not ours", id);
	}
	tu_run_free(&r);
	return other;
}

static void test_boot(void **state)
{
	REQUIRE();
	char *other = boot_would_start_other();
	if (other)
		TU_SKIP("%s", other);
	expect_ok(CT(NULL, "set", t.id, "--onboot", "yes", "--save"));
	struct tu_run r = CT(NULL, "boot", "--parallel", "2");
	assert_int_equal(r.status, 0);
	char *want = xasprintf("CT %s started\n", t.id);
	assert_string_equal(r.out, want);
	free(want);
	tu_run_free(&r);
	assert_status("exist mounted running");
	/* a running container is left alone */
	r = CT(NULL, "boot");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	tu_run_free(&r);
	stop_fast();
	expect_ok(CT(NULL, "set", t.id, "--onboot", "no", "--save"));
	assert_no_residue();
}

/* A failure at every step of start is undone completely. */
static void test_failure_at_every_step(void **state)
{
	REQUIRE();
	struct tu_run r = CT(NULL, "plan", "start", t.id);
	assert_int_equal(r.status, 0);
	int steps = 0;
	for (char *p = r.out; *p; p++)
		steps += *p == '\n';
	tu_run_free(&r);
	assert_true(steps > (is_ns() ? 10 : 1));
	for (int i = 1; i <= steps; i++) {
		char n[16];
		snprintf(n, sizeof(n), "%d", i);
		setenv("OVZ_TEST_FAIL_STEP", n, 1);
		r = CT(NULL, "start", t.id);
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
			struct tu_run r = CT(NULL, "start", t.id);
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
	stop_fast();
	assert_no_residue();
}

static void test_destroy(void **state)
{
	REQUIRE();
	start();
	struct tu_run r = CT(NULL, "destroy", t.id);
	assert_int_equal(r.status, 3);	/* running */
	tu_run_free(&r);
	stop_fast();
	expect_ok(CT(NULL, "destroy", t.id));
	assert_false(tu_exists(t.private_dir));
	assert_false(tu_exists(t.conf));
	assert_false(tu_exists(t.lock));
	r = CT(NULL, "status", t.id);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "is not defined"));
	tu_run_free(&r);
	r = CT(NULL, "destroy", t.id);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
}

int main(int argc, char **argv)
{
	/* for scripts that prepare a host-like root: the busybox template */
	if (argc >= 3 && strcmp(argv[1], "--make-template") == 0)
		return make_template(argv[2], argc == 4 && strcmp(argv[3], "--shell-init") == 0) < 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_create, stop_after_test),
		cmocka_unit_test_teardown(test_start_exec_stop, stop_after_test),
		cmocka_unit_test_teardown(test_restart, stop_after_test),
		cmocka_unit_test_teardown(test_set_live, stop_after_test),
		cmocka_unit_test_teardown(test_set_live_limits, stop_after_test),
		cmocka_unit_test_teardown(test_boot, stop_after_test),
		cmocka_unit_test_teardown(test_enter_and_mount, stop_after_test),
		cmocka_unit_test_teardown(test_failure_at_every_step, stop_after_test),
		cmocka_unit_test_teardown(test_parallel_starts_serialize, stop_after_test),
		cmocka_unit_test_teardown(test_destroy, stop_after_test),
	};
	return cmocka_run_group_tests_name("lifecycle", tests, group_setup, group_teardown);
}
