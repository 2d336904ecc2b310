// SPDX-License-Identifier: LGPL-2.1-or-later
/* Issue 13, findings 1-3: a process that joins a running container (exec,
 * enter) is no way out of it.  Each test runs the attack from inside a
 * real ns container with tests/helpers/isojoin-probe in its root:
 *
 *  - the joining process: the probe spins on the container's next pids,
 *    catches each process `exec` makes there, reads its capabilities and
 *    opens its /proc/PID/exe; once the command is over it reopens that
 *    file for writing.  Every process the container can see must hold no
 *    more than the container's capability set, and no exe it can reopen
 *    may be a host file (runc's CVE-2019-5736), also when the command is
 *    a `#!/proc/self/exe` script;
 *  - inherited descriptors: a directory fd of the caller's must not
 *    reach the command;
 *  - host files on stdio (`exec ... < script > out`): the command must not
 *    reopen them through /proc/self/fd, to rewrite the script or make the
 *    output setuid root (the command's `exec` gives it pipes);
 *  - the terminal: `exec` on the caller's pty must not give the command
 *    that pty, as a descriptor or as its controlling terminal, and
 *    TIOCSTI from the command must not reach the caller's input.
 *
 * Root only: private mount and network namespaces, a scratch --root with
 * a busybox template, CT 1600, the ns backend. */
#include "testutil.h"

#include "core/caps.h"
#include "core/host.h"
#include "core/join.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CTID "1600"
#define PROBE "/bin/isojoin-probe"

static struct {
	const char *skip;
	char *root;	/* --root */
	char *ct_root;	/* the container's root, as the host sees it */
	bool created;
} t;

#define CT(in, ...) tu_cli(t.root, in, "--backend", "ns", __VA_ARGS__, (char *)NULL)
#define REQUIRE() do { if (t.skip) TU_SKIP("%s", t.skip); } while (0)

static void expect_ok(struct tu_run r)
{
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	tu_run_free(&r);
}

/* busybox, the probe, and /evil: a script whose interpreter is
 * /proc/self/exe, i.e. whatever binary runs the exec. */
static int make_template(const char *probe)
{
	char *cmd = xasprintf(
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/sbin $t/etc $t/proc $t/sys $t/dev "
		"$t/tmp $t/root; cp /bin/busybox $t/bin/; for a in sh ls cat echo sleep true; do "
		"ln -s busybox $t/bin/$a; done; ln -s ../bin/busybox $t/sbin/init; "
		"cp '%s' $t" PROBE "; printf '#!/proc/self/exe\\n' > $t/evil; chmod 755 $t/evil; "
		"printf '::respawn:/bin/sleep 100000\\n' > $t/etc/inittab; "
		"mkdir -p '%s/vz/template/cache'; "
		"tar --numeric-owner -C $t -czf '%s/vz/template/cache/busybox.tar.gz' .; rm -rf $t",
		probe, t.root, t.root);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static const char *scratch_setup(void)
{
	const char *probe = getenv("OVZ_TEST_PROBE");
	if (!tu_is_root())
		return "needs root (namespaces, mounts, cgroups)";
	if (access("/bin/busybox", X_OK) < 0)
		return "needs /bin/busybox (Debian's busybox-static)";
	if (!probe || access(probe, X_OK) < 0)
		return "needs OVZ_TEST_PROBE (tests/helpers/isojoin-probe, built by meson)";
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return "cannot make private mount and network namespaces";
	t.root = tu_mkdtemp();
	if (make_template(probe) < 0)
		return "cannot build the busybox template";
	return NULL;
}

static int group_setup(void **state)
{
	if ((t.skip = scratch_setup()))
		return 0;
	char *xml = xasprintf("<domain type='openvz' id='" CTID "'>\n"
			      "  <memory unit='MiB'>256</memory>\n"
			      "  <os><type>exe</type></os>\n"
			      "  <devices><filesystem type='template'><source name='busybox'/>"
			      "<target dir='/'/></filesystem></devices>\n"
			      "</domain>\n");
	char *path = xasprintf("%s/ct.xml", t.root);
	tu_write(path, xml);
	struct tu_run r = CT(NULL, "create", "--xml", path);
	free(xml);
	free(path);
	if (r.status != 0) {
		print_message("create: exit %d: %s\n", r.status, r.err);
		tu_run_free(&r);
		return -1;
	}
	tu_run_free(&r);
	t.created = true;
	r = CT(NULL, "start", CTID);
	if (r.status != 0) {
		print_message("start: exit %d: %s\n", r.status, r.err);
		tu_run_free(&r);
		return -1;
	}
	tu_run_free(&r);
	t.ct_root = xasprintf("%s/vz/root/" CTID, t.root);
	return 0;
}

static int group_teardown(void **state)
{
	if (t.created) {
		struct tu_run r = CT(NULL, "stop", "--fast", CTID);
		tu_run_free(&r);
		r = CT(NULL, "destroy", CTID);
		tu_run_free(&r);
		r = CT(NULL, "undefine", CTID);
		tu_run_free(&r);
	}
	if (t.root)
		tu_rmrf(t.root);
	return 0;
}

static char *ct_file(const char *path)
{
	return xasprintf("%s%s", t.ct_root, path);
}

/* ---- the joining process ---- */

static char *wait_for_done(const char *log)
{
	for (int i = 0; i < 400; i++) {
		char *s = tu_read(log);
		if (s && strstr(s, "\ndone\n"))
			return s;
		free(s);
		usleep(100000);
	}
	return tu_read(log);
}

static uint64_t cap_field(const char *line, const char *name)
{
	const char *p = strstr(line, name);
	return p ? strtoull(p + strlen(name), NULL, 16) : 0;
}

/* No process the container could see held a capability it has not. */
static int check_caught(const char *log)
{
	uint64_t allowed = ovz_caps_default();
	int caught = 0;
	for (const char *l = log; (l = strstr(l, "caught ")); l++) {
		char *line = xstrndup(l, strcspn(l, "\n"));
		print_message("# %s\n", line);
		uint64_t held = cap_field(line, "CapEff=") | cap_field(line, "CapPrm=") |
				cap_field(line, "CapBnd=");
		if (held & ~allowed)
			fail_msg("a process the container can see held capabilities %#" PRIx64
				 " beyond the container's: %s", held & ~allowed, line);
		free(line);
		caught++;
	}
	return caught;
}

struct host_file {
	dev_t dev;
	ino_t ino;
	const char *what;
};

/* The files a container must never open for writing: the command and its
 * shared library. */
static size_t host_binaries(struct host_file *f)
{
	const char *bin = getenv("OVZ_BIN");
	size_t n = 0;
	struct stat st;
	if (bin && stat(bin, &st) == 0)
		f[n++] = (struct host_file){ st.st_dev, st.st_ino, bin };
	char *copy = xstrdup(bin ? bin : "");
	char *lib = xasprintf("%s/../lib/libovz-native.so.0", dirname(copy));
	if (stat(lib, &st) == 0)
		f[n++] = (struct host_file){ st.st_dev, st.st_ino, "libovz-native.so.0" };
	free(lib);
	free(copy);
	return n;
}

static void check_reopened(const char *log)
{
	struct host_file host[2];
	size_t n = host_binaries(host);
	assert_true(n > 0);
	for (const char *l = log; (l = strstr(l, "reopen ")); l++) {
		char *line = xstrndup(l, strcspn(l, "\n"));
		print_message("# %s\n", line);
		const char *d = strstr(line, "dev="), *i = strstr(line, "ino=");
		if (d && i)
			for (size_t k = 0; k < n; k++)
				if (strtoull(d + 4, NULL, 10) == host[k].dev &&
				    strtoull(i + 4, NULL, 10) == host[k].ino)
					fail_msg("the container opened the host's %s for writing "
						 "through /proc/PID/exe: %s", host[k].what, line);
		free(line);
	}
}

static void test_joining_process(void **state)
{
	REQUIRE();
	char *log = ct_file("/tmp/isojoin-watch.log"), *stop = ct_file("/tmp/isojoin-stop");
	unlink(log);
	unlink(stop);
	expect_ok(CT(NULL, "exec", CTID, "--", PROBE, "watch", "/tmp/isojoin-watch.log"));
	expect_ok(CT(NULL, "exec", CTID, "--", "/bin/sleep", "1"));
	/* the host binary as the command, if /proc/self/exe is one; a few
	 * times, since the probe must see it in the milliseconds it runs */
	for (int i = 0; i < 5; i++) {
		struct tu_run r = CT(NULL, "exec", CTID, "--", "/evil");
		tu_run_free(&r);
	}
	tu_write(stop, "");
	char *text = wait_for_done(log);
	assert_non_null(text);
	assert_non_null(strstr(text, "\ndone\n"));
	/* the probe saw the joining processes: the test is not vacuous */
	assert_true(check_caught(text) >= 1);
	check_reopened(text);
	free(text);
	free(log);
	free(stop);
}

/* ---- inherited descriptors ---- */

static void test_inherited_fd(void **state)
{
	REQUIRE();
	char *dir = tu_mkdtemp();
	char *marker = xasprintf("%s/isojoin-marker", dir);
	tu_write(marker, "HOSTSECRET");
	int fd = open(dir, O_RDONLY | O_DIRECTORY);	/* inheritable, on purpose */
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 7), 7);
	close(fd);
	struct tu_run r = CT(NULL, "exec", CTID, "--", PROBE, "fds");
	struct tu_run e = CT(PROBE " fds; exit 0\n", "enter", CTID);
	close(7);
	print_message("# exec: %s# enter: %s", r.out, e.out);
	bool exec_ok = r.status == 0 && !strstr(r.out, "fd ");	/* nothing but 0-2 */
	bool leaked = strstr(r.out, "HOSTSECRET") || strstr(e.out, "HOSTSECRET") ||
		      strstr(e.out, dir);
	tu_run_free(&r);
	tu_run_free(&e);
	tu_rmrf(dir);
	free(marker);
	free(dir);
	assert_true(exec_ok);
	assert_false(leaked);
}

/* ---- the terminal ---- */

/* `ovz-native exec CT probe tty` in a session of its own whose controlling
 * terminal is the slave of our pty, as from an admin's shell. */
static pid_t run_on_pty(const char *slave_name)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	setsid();
	int s = open(slave_name, O_RDWR);	/* our controlling terminal */
	if (s < 0)
		_exit(126);
	dup2(s, 0);
	dup2(s, 1);
	dup2(s, 2);
	const char *bin = getenv("OVZ_BIN");
	execl(bin, bin, "--root", t.root, "--backend", "ns", "exec", CTID, "--", PROBE, "tty",
	      (char *)NULL);
	_exit(127);
}

/* What the command wrote, until it exits. */
static char *read_until_exit(int master, pid_t pid, int *status)
{
	struct strbuf sb = STRBUF_INIT;
	bool exited = false;
	for (int quiet = 0; quiet < 5;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, 200) > 0) {
			char buf[512];
			ssize_t n = read(master, buf, sizeof(buf));
			if (n <= 0)
				break;
			strbuf_putn(&sb, buf, (size_t)n);
			continue;
		}
		if (!exited && waitpid(pid, status, WNOHANG) == pid)
			exited = true;
		quiet += exited;
	}
	if (!exited)
		waitpid(pid, status, 0);
	return strbuf_steal(&sb);
}

static unsigned long dev_of_line(const char *out, const char *what)
{
	const char *p = strstr(out, what);
	unsigned maj, min;
	if (!p || sscanf(p + strlen(what), " %u:%u", &maj, &min) != 2)
		return 0;
	return (unsigned long)makedev(maj, min);
}

static void test_terminal(void **state)
{
	REQUIRE();
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	char *name = xstrdup(ptsname(master));
	int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	struct termios raw;
	assert_int_equal(tcgetattr(slave, &raw), 0);
	cfmakeraw(&raw);
	assert_int_equal(tcsetattr(slave, TCSANOW, &raw), 0);
	struct stat st;
	assert_int_equal(fstat(slave, &st), 0);

	int status = -1;
	pid_t pid = run_on_pty(name);
	assert_true(pid > 0);
	char *out = read_until_exit(master, pid, &status);
	print_message("# exec on a pty: status %d\n%s\n", status, out);
	assert_non_null(strstr(out, "fd0 "));	/* the probe ran */
	static const char *const fields[] = { "fd0", "fd1", "fd2", "ctty" };
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (dev_of_line(out, fields[i]) == (unsigned long)st.st_rdev)
			fail_msg("the command got the caller's terminal as its %s", fields[i]);

	/* what the caller's shell would read next */
	fcntl(slave, F_SETFL, O_NONBLOCK);
	char in[256] = "";
	ssize_t n = read(slave, in, sizeof(in) - 1);
	in[n > 0 ? n : 0] = '\0';
	if (strstr(in, "isojoin-injected"))
		fail_msg("TIOCSTI from the command reached the caller's terminal: '%s'", in);
	free(out);
	free(name);
	close(slave);
	close(master);
}

/* The library itself refuses a terminal the caller did not make for the
 * command (any program embedding it, not only the command). */
static void test_library_refuses_terminal(void **state)
{
	REQUIRE();
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	struct ovz_host *h = NULL;
	assert_int_equal(ovz_host_open(t.root, "ns", &h, NULL), 0);
	char *const argv[] = { (char *)"/bin/true", NULL };
	struct ovz_exec_io io = { -1, slave, -1, false, NULL };
	struct ovz_error *e = NULL;
	pid_t pid;
	int r = ovz_ct_spawn(h, 1600, argv, &io, &pid, &e);
	print_message("# %s\n", ovz_error_message(e));
	ovz_error_free(e);
	ovz_host_free(h);
	close(slave);
	close(master);
	assert_int_equal(r, -EINVAL);
}

/* ---- closing descriptors, with and without close_range ---- */

/* close_range answers ENOSYS, as on Linux before 5.9 (OpenVZ 7's 3.10). */
static int without_close_range(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close_range, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return -1;
	return syscall(SYS_close_range, 100, 100, 0) < 0 && errno == ENOSYS ? 0 : -1;
}

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* In a child: fds 10, 11, 12 and 40 open; 11 and 40 kept. */
static int close_fds_child(bool old_kernel)
{
	if (old_kernel && without_close_range() < 0)
		return 2;
	int null = open("/dev/null", O_RDONLY);
	static const int at[] = { 10, 11, 12, 40 };
	for (size_t i = 0; i < ARRAY_SIZE(at); i++)
		if (dup2(null, at[i]) != at[i])
			return 3;
	const int keep[] = { 40, 11 };
	fds_close_except(keep, ARRAY_SIZE(keep));
	return is_open(0) && is_open(11) && is_open(40) && !is_open(null) && !is_open(10) &&
	       !is_open(12) ? 0 : 1;
}

static void test_close_fds(void **state)
{
	for (int old_kernel = 0; old_kernel < 2; old_kernel++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(close_fds_child(old_kernel));
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) != 0)
			fail_msg("fds_close_except %s close_range: child exit %d",
				 old_kernel ? "without" : "with", WEXITSTATUS(st));
	}
}

/* ---- host files on stdio ---- */

static void test_host_files_on_stdio(void **state)
{
	REQUIRE();
	char *in = xasprintf("%s/script", t.root), *out = xasprintf("%s/out", t.root);
	tu_write(in, "original\n");
	const char *bin = getenv("OVZ_BIN");
	char *const argv[] = {
		"/bin/sh", "-c",
		"exec \"$0\" --root \"$1\" --backend ns exec " CTID " -- /bin/sh -c "
		"'cat; echo rewritten >/proc/self/fd/0; chmod 4755 /proc/self/fd/1' "
		"<\"$2\" >\"$3\"",
		(char *)(bin ? bin : "ovz-native"), t.root, in, out, NULL,
	};
	struct tu_run r = tu_runv(argv, NULL);
	if (r.status != 0)
		print_message("# exec: exit %d: %s\n", r.status, r.err);
	tu_run_free(&r);
	char *script = tu_read(in), *got = tu_read(out);
	struct stat st;
	assert_int_equal(stat(out, &st), 0);
	assert_string_equal(script, "original\n");
	assert_string_equal(got, "original\n");	/* what cat copied */
	assert_int_equal(st.st_mode & 07000, 0);
	free(script);
	free(got);
	free(in);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_fds),
		cmocka_unit_test(test_joining_process),
		cmocka_unit_test(test_inherited_fd),
		cmocka_unit_test(test_host_files_on_stdio),
		cmocka_unit_test(test_terminal),
		cmocka_unit_test(test_library_refuses_terminal),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
