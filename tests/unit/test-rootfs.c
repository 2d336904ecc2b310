// SPDX-License-Identifier: LGPL-2.1-or-later
/* The container side of a start, for real: a forked child unshares mount,
 * pid, net, uts and ipc namespaces, sets up a busybox root with
 * ovz_rootfs_setup, restricts capabilities and execs a shell script as the
 * container's init, which reports what it sees.  From outside, the test
 * checks that nothing was mounted on the host. */
#include "oldkern.h"
#include "testutil.h"

#include "core/caps.h"
#include "core/cgroup.h"
#include "core/initexec.h"
#include "core/util.h"
#include "fs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC)

static const char *busybox_path(void)
{
	static const char *const paths[] = { "/bin/busybox", "/usr/bin/busybox" };
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	assert_true(in >= 0 && out >= 0);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
}

/* A root with /bin/busybox and the applets the scripts use; no proc, sys
 * or dev: setup creates them. */
static char *make_busybox_root(const char *dir)
{
	static const char *const applets[] = {
		"sh", "ls", "cat", "grep", "stat", "readlink", "awk", "tr", "touch", "echo", "test", "mknod",
	};
	char *root = xasprintf("%s/root", dir);
	_cleanup_free_ char *bin = xasprintf("%s/bin", root);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(bin, 0755), 0);
	_cleanup_free_ char *bb = xasprintf("%s/busybox", bin);
	copy_file(busybox_path(), bb, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		_cleanup_free_ char *link = xasprintf("%s/%s", bin, applets[i]);
		assert_int_equal(symlink("busybox", link), 0);
	}
	return root;
}

struct fixture {
	char *dir;
	char *root;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->dir = tu_mkdtemp();
	*state = f;
	if (busybox_path())
		f->root = make_busybox_root(f->dir);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_rmrf(f->dir);
	free(f->dir);
	free(f->root);
	free(f);
	return 0;
}

static bool skip_unless_ready(struct fixture *f)
{
	if (!tu_is_root()) {
		TU_SKIP("needs root (mount, pid and net namespaces)");
		return false;
	}
	if (!f->root) {
		TU_SKIP("needs busybox-static (scripts/deps.sh build)");
		return false;
	}
	return true;
}

/* Mount points of the calling process that contain needle. */
static char *mounts_containing(const char *needle)
{
	_cleanup_free_ char *mi = tu_read("/proc/self/mountinfo");
	assert_non_null(mi);
	_cleanup_strv_ char **lines = strv_split(mi, "\n");
	struct strbuf sb = STRBUF_INIT;
	for (char **l = lines; *l; l++)
		if (strstr(*l, needle))
			strbuf_printf(&sb, "%s\n", *l);
	return strbuf_steal(&sb);
}

static void assert_host_clean(const char *dir)
{
	_cleanup_free_ char *left = mounts_containing(dir);
	if (*left)
		fail_msg("mounts leaked onto the host:\n%s", left);
}

static char *drain(int fd)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_putn(&sb, buf, (size_t)n);
	return strbuf_steal(&sb);
}

struct run {
	int status;
	char *out;
};

/* Forks, runs fn in a child that has unshared flags (and, with a new pid
 * namespace, in its first process), stdout and stderr going to out. */
static struct run run_in_namespaces(int flags, void (*fn)(void *), void *arg)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (unshare(flags) < 0) {
			printf("unshare: %s\n", strerror(errno));
			_exit(120);
		}
		pid_t inner = fork();
		if (inner == 0) {
			fn(arg);
			_exit(0);
		}
		int st;
		if (inner < 0 || waitpid(inner, &st, 0) != inner)
			_exit(121);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	close(p[1]);
	struct run r;
	r.out = drain(p[0]);
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return r;
}

static void expect_line(const char *out, const char *line)
{
	_cleanup_strv_ char **lines = strv_split(out, "\n");
	if (!strv_contains(lines, line)) {
		/* cmocka cuts long messages: the output goes to stderr whole */
		fprintf(stderr, "%s", out);
		fail_msg("no line '%s' in the output above", line);
	}
}

/* ---- a container start ---------------------------------------------------- */

static const char report_script[] =
	"echo pid=$$\n"
	"for n in null zero full random urandom tty; do\n"
	"  stat -c 'node=%n %F %t:%T %a %u:%g' /dev/$n\n"
	"done\n"
	"echo ptmx=$(readlink /dev/ptmx)\n"
	"for l in fd stdin stdout stderr; do echo link=$l $(readlink /dev/$l); done\n"
	"test -c /dev/pts/ptmx && echo pts=ok\n"
	"stat -c 'shm=%a' /dev/shm\n"
	"grep -E '^Cap(Bnd|Inh|Amb)' /proc/self/status\n"
	"grep -E '^Sig(Blk|Ign)' /proc/1/status\n"
	"awk '{print \"mnt=\" $5}' /proc/self/mountinfo\n"
	"awk '{print \"opt=\" $5 \" \" $6}' /proc/self/mountinfo\n"
	"test -e /proc/1/fd/7 && echo fd7=open || echo fd7=closed\n"
	"echo sid=$(awk '{print $6}' /proc/1/stat)\n"
	"echo env=$(tr '\\0' ' ' < /proc/1/environ)\n"
	"echo argv=$(tr '\\0' '|' < /proc/1/cmdline)\n"
	"(echo ct > /proc/sys/kernel/hostname) 2>/dev/null && echo procsys=rw || echo procsys=ro\n"
	"(echo 30 > /proc/sys/net/ipv4/tcp_fin_timeout) 2>/dev/null && echo procnet=rw || "
	"echo procnet=ro\n"
	"(touch /sys/x) 2>/dev/null && echo sys=rw || echo sys=ro\n"
	"echo root=$(ls / | tr '\\n' ' ')\n"
	"echo end\n";

struct start {
	const char *root;
	int console_fd;
	const char *script;
	const struct ovz_cgroups *cg;	/* joined first when set */
	const char *cgroup;
};

static void fail_child(const char *what, struct ovz_error *e)
{
	printf("SETUP-ERROR %s: %s\n", what, ovz_error_message(e));
	fflush(stdout);
	_exit(3);
}

/* The container's first process: what the ns backend's child does. */
static void container_main(void *arg)
{
	struct start *s = arg;
	struct ovz_error *e = NULL;
	/* state init must not inherit: an open fd, a blocked and an ignored signal */
	if (dup2(1, 7) < 0)
		_exit(4);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);

	/* pid 1 here is this process in the pid namespace it writes from */
	if (s->cg && ovz_cgroup_add_pid(s->cg, s->cgroup, getpid(), &e) < 0)
		fail_child("cgroup", e);
	if (ovz_rootfs_setup(s->root, s->console_fd, &e) < 0)
		fail_child("rootfs", e);
	if (ovz_caps_apply(ovz_caps_default(), &e) < 0)
		fail_child("caps", e);
	struct ovz_init_cmd cmd;
	char *args[] = { (char *)"-c", (char *)s->script, NULL };
	char *env[] = { (char *)"FOO=bar", NULL };
	if (ovz_init_build("/bin/sh", args, 101, env, &cmd, &e) < 0)
		fail_child("init", e);
	ovz_init_exec(&cmd, &e);
	fail_child("exec", e);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t own_bounding_set(void)
{
	_cleanup_free_ char *status = tu_read("/proc/self/status");
	const char *p = strstr(status, "CapBnd:\t");
	assert_non_null(p);
	return strtoull(p + 8, NULL, 16);
}

static void test_container_root(void **state)
{
	struct fixture *f = *state;
	if (!skip_unless_ready(f))
		return;
	struct start s = { f->root, -1, report_script, NULL, NULL };
	struct run r = run_in_namespaces(NS_FLAGS, container_main, &s);
	if (r.status != 0 || !strstr(r.out, "\nend\n"))
		fail_msg("container exited %d:\n%s", r.status, r.out);
	const char *out = r.out;
	expect_line(out, "pid=1");
	expect_line(out, "node=/dev/null character special file 1:3 666 0:0");
	expect_line(out, "node=/dev/zero character special file 1:5 666 0:0");
	expect_line(out, "node=/dev/full character special file 1:7 666 0:0");
	expect_line(out, "node=/dev/random character special file 1:8 666 0:0");
	expect_line(out, "node=/dev/urandom character special file 1:9 666 0:0");
	expect_line(out, "node=/dev/tty character special file 5:0 666 0:0");
	expect_line(out, "ptmx=pts/ptmx");
	expect_line(out, "link=fd /proc/self/fd");
	expect_line(out, "link=stdin /proc/self/fd/0");
	expect_line(out, "link=stdout /proc/self/fd/1");
	expect_line(out, "link=stderr /proc/self/fd/2");
	expect_line(out, "pts=ok");
	expect_line(out, "shm=1777");

	char line[64];
	snprintf(line, sizeof(line), "CapBnd:\t%016llx",
		 (unsigned long long)(ovz_caps_default() & own_bounding_set()));
	expect_line(out, line);
	expect_line(out, "CapInh:\t0000000000000000");
	expect_line(out, "CapAmb:\t0000000000000000");

	/* exactly the mounts setup made, nothing of the host */
	_cleanup_strv_ char **lines = strv_split(out, "\n");
	_cleanup_strv_ char **mounts = NULL;
	for (char **l = lines; *l; l++)
		if (str_startswith(*l, "mnt="))
			strv_push(&mounts, xstrdup(*l + 4));
	/* mountinfo order is the kernel's (by mount id): compare sorted */
	qsort(mounts, strv_len(mounts), sizeof(char *), cmp_str);
	_cleanup_free_ char *joined = strv_join(mounts, " ");
	bool sysrq = tu_exists("/proc/sysrq-trigger");
	/* and the masks (ovz_rootfs_mask) over what this kernel has */
	static const char *const masks[] = {
		"/proc/acpi", "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
		"/proc/kcore", "/proc/key-users", "/proc/keys", "/proc/latency_stats",
		"/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
		"/sys/devices/virtual/powercap", "/sys/firmware",
	};
	_cleanup_strv_ char **want = strv_split("/ /dev /dev/pts /dev/shm /proc /proc/sys "
						"/proc/sys/net /sys", " ");
	if (sysrq)
		strv_push(&want, xstrdup("/proc/sysrq-trigger"));
	for (size_t i = 0; i < ARRAY_SIZE(masks); i++)
		if (tu_exists(masks[i]))
			strv_push(&want, xstrdup(masks[i]));
	qsort(want, strv_len(want), sizeof(char *), cmp_str);
	_cleanup_free_ char *want_mounts = strv_join(want, " ");
	assert_string_equal(joined, want_mounts);
	static const struct { const char *mnt, *opts; } want_opts[] = {
		{ "/proc", "rw,nosuid,nodev,noexec" }, { "/proc/sys", "ro,nosuid,nodev,noexec" },
		{ "/proc/sys/net", "rw,nosuid,nodev,noexec" },
		{ "/proc/sysrq-trigger", "ro,nosuid,nodev,noexec" },
		{ "/sys", "ro,nosuid,nodev,noexec" }, { "/dev", "rw,nosuid" },
		{ "/proc/irq", "ro,nosuid,nodev,noexec" }, { "/sys/firmware", "ro,nosuid,nodev,noexec" },
		{ "/dev/pts", "rw,nosuid,noexec" }, { "/dev/shm", "rw,nosuid,nodev" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(want_opts); i++) {
		if (!tu_exists(want_opts[i].mnt))
			continue;
		_cleanup_free_ char *prefix = xasprintf("opt=%s %s", want_opts[i].mnt, want_opts[i].opts);
		bool found = false;
		for (char **l = lines; *l && !found; l++)
			found = str_startswith(*l, prefix) &&
				((*l)[strlen(prefix)] == ',' || (*l)[strlen(prefix)] == '\0');
		if (!found)
			fail_msg("no mount '%s' in:\n%s", prefix + 4, out);
	}
	expect_line(out, "procsys=ro");
	expect_line(out, "procnet=rw");
	expect_line(out, "sys=ro");
	expect_line(out, "root=bin dev proc sys");

	/* what init got: vzctl's environment, no leaked fd, clean signals, own session */
	expect_line(out, "env=HOME=/ TERM=linux container=101 FOO=bar");
	assert_non_null(strstr(out, "argv=/bin/sh|-c|echo pid=$$"));
	expect_line(out, "fd7=closed");
	expect_line(out, "SigBlk:\t0000000000000000");
	expect_line(out, "sid=1");
	assert_null(strstr(out, "SigIgn:\t0000000000000800"));	/* SIGUSR2 (12) */

	free(r.out);
	assert_host_clean(f->dir);
	/* setup created the mount points in the root, on the host they are empty dirs */
	_cleanup_free_ char *proc = xasprintf("%s/proc", f->root);
	_cleanup_free_ char *null = xasprintf("%s/dev/null", f->root);
	assert_true(tu_exists(proc));
	assert_false(tu_exists(null));
}

static void test_console(void **state)
{
	struct fixture *f = *state;
	if (!skip_unless_ready(f))
		return;
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	struct stat st;
	assert_int_equal(fstat(slave, &st), 0);

	struct start s = { f->root, slave,
			   "stat -c 'console=%t:%T %F' /dev/console\n"
			   "awk '{print \"mnt=\" $5}' /proc/self/mountinfo\n"
			   "echo end\n", NULL, NULL };
	struct run r = run_in_namespaces(NS_FLAGS, container_main, &s);
	close(slave);
	close(master);
	if (r.status != 0 || !strstr(r.out, "\nend\n"))
		fail_msg("container exited %d:\n%s", r.status, r.out);
	char line[96];
	snprintf(line, sizeof(line), "console=%x:%x character special file", major(st.st_rdev),
		 minor(st.st_rdev));
	expect_line(r.out, line);
	expect_line(r.out, "mnt=/dev/console");
	free(r.out);
	assert_host_clean(f->dir);
}

/* The container's device nodes work under the device rules of its cgroup;
 * a node it makes for anything else opens nowhere. */
static void test_container_restricted_devices(void **state)
{
	struct fixture *f = *state;
	if (!skip_unless_ready(f))
		return;
	struct ovz_cgroups cg;
	struct ovz_error *e = NULL;
	if (ovz_cgroups_detect(&cg, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	if (!ovz_cgroups_can_restrict_devices(&cg))
		TU_SKIP("this host cannot restrict devices");
	_cleanup_free_ char *root = xasprintf("ovz-native-test-rootfs-%d", (int)getpid());
	_cleanup_free_ char *name = ovz_cgroup_name(root, 101);
	struct ovz_cg_limits l;
	ovz_cg_limits_init(&l);
	l.restrict_devices = true;
	if (ovz_cgroup_create(&cg, name, &e) < 0 || ovz_cgroup_apply(&cg, name, &l, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	struct start s = { f->root, -1,
			   "for n in null zero full random urandom tty; do\n"
			   "  (: < /dev/$n) 2>/dev/null && echo $n=ok\n"
			   "done\n"
			   "(exec 3<>/dev/ptmx) && echo ptmx=ok\n"
			   "echo x > /dev/null && echo write=ok\n"
			   "mknod /dev/kmsg c 1 11 && echo mknod=ok\n"
			   "(: < /dev/kmsg) 2>/dev/null || echo kmsg=denied\n"
			   "echo end\n",
			   &cg, name };
	struct run r = run_in_namespaces(NS_FLAGS, container_main, &s);
	int removed = ovz_cgroup_remove(&cg, name, &e);
	if (removed >= 0)
		removed = ovz_cgroup_remove(&cg, root, &e);
	if (removed < 0)
		fail_msg("%s", ovz_error_message(e));
	ovz_cgroups_release(&cg);
	if (r.status != 0 || !strstr(r.out, "\nend\n"))
		fail_msg("container exited %d:\n%s", r.status, r.out);
	static const char *const want[] = {
		"null=ok", "full=ok", "urandom=ok", "ptmx=ok", "write=ok", "mknod=ok", "kmsg=denied",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		expect_line(r.out, want[i]);
	free(r.out);
	assert_host_clean(f->dir);
}

/* ---- hostile roots -------------------------------------------------------- */

struct hostile {
	const char *root;
};

/* Runs setup and reports its error and every mount it left, relative to
 * the mounts that existed before. */
static void hostile_main(void *arg)
{
	struct hostile *h = arg;
	_cleanup_free_ char *before = tu_read("/proc/self/mountinfo");
	struct ovz_error *e = NULL;
	int r = ovz_rootfs_setup(h->root, -1, &e);
	printf("result=%d\nerror=%s\n", r, ovz_error_message(e));
	_cleanup_free_ char *after = tu_read("/proc/self/mountinfo");
	_cleanup_strv_ char **old = strv_split(before, "\n");
	_cleanup_strv_ char **now = strv_split(after, "\n");
	for (char **l = now; *l; l++) {
		if (strv_contains(old, *l))
			continue;
		_cleanup_strv_ char **fields = strv_split(*l, " ");
		printf("new=%s\n", fields[4]);
	}
	fflush(stdout);
}

static struct run run_hostile(struct fixture *f, int errnum, const char *message)
{
	struct hostile h = { f->root };
	struct run r = run_in_namespaces(NS_FLAGS, hostile_main, &h);
	assert_int_equal(r.status, 0);
	_cleanup_free_ char *res = xasprintf("result=%d", -errnum);
	expect_line(r.out, res);
	if (!strstr(r.out, message))
		fail_msg("error does not say '%s':\n%s", message, r.out);
	/* whatever was mounted in the child stayed under the root */
	_cleanup_strv_ char **lines = strv_split(r.out, "\n");
	for (char **l = lines; *l; l++)
		if (str_startswith(*l, "new=") && !str_startswith(*l + 4, f->root))
			fail_msg("mounted outside the root: %s\n%s", *l + 4, r.out);
	assert_host_clean(f->dir);
	assert_host_clean(" /etc ");
	return r;
}

static void test_hostile_proc_symlink(void **state)
{
	struct fixture *f = *state;
	if (!skip_unless_ready(f))
		return;
	_cleanup_free_ char *proc = xasprintf("%s/proc", f->root);
	assert_int_equal(symlink("/etc", proc), 0);
	struct run r = run_hostile(f, ELOOP,
				   "'/proc' in the container is a symlink: refusing to mount on it");
	/* refused before anything but the root's own bind */
	_cleanup_strv_ char **lines = strv_split(r.out, "\n");
	for (char **l = lines; *l; l++)
		if (str_startswith(*l, "new=") && strcmp(*l + 4, f->root) != 0)
			fail_msg("unexpected mount %s", *l);
	free(r.out);
}

static void test_hostile_dev_symlink(void **state)
{
	struct fixture *f = *state;
	if (!skip_unless_ready(f))
		return;
	_cleanup_free_ char *outside = xasprintf("%s/hostdir", f->dir);
	_cleanup_free_ char *dev = xasprintf("%s/dev", f->root);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(symlink(outside, dev), 0);
	struct run r = run_hostile(f, ELOOP,
				   "'/dev' in the container is a symlink: refusing to mount on it");
	_cleanup_free_ char *on_outside = xasprintf("new=%s", outside);
	assert_null(strstr(r.out, on_outside));
	free(r.out);
	/* the host directory is untouched */
	_cleanup_free_ char *null = xasprintf("%s/null", outside);
	assert_false(tu_exists(null));
}

static void test_hostile_sys_relative_escape(void **state)
{
	struct fixture *f = *state;
	if (!skip_unless_ready(f))
		return;
	_cleanup_free_ char *sys = xasprintf("%s/sys", f->root);
	assert_int_equal(symlink("../../../../../../../../sys", sys), 0);
	struct run r = run_hostile(f, ELOOP, "'/sys' in the container is a symlink");
	free(r.out);
}

static void test_hostile_proc_file(void **state)
{
	struct fixture *f = *state;
	if (!skip_unless_ready(f))
		return;
	_cleanup_free_ char *proc = xasprintf("%s/proc", f->root);
	tu_write(proc, "not a directory\n");
	struct run r = run_hostile(f, ENOTDIR, "'/proc' in the container is not a directory");
	free(r.out);
}

/* ---- host side: private area on root -------------------------------------- */

struct bind_case {
	const char *private_dir, *other, *root;
};

#define SAY(...) (printf(__VA_ARGS__), fflush(stdout))

static void bind_main(void *arg)
{
	struct bind_case *b = arg;
	struct ovz_error *e = NULL;
	/* nothing done here may reach the host's namespace */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(5);
	SAY("before=%d\n", ovz_root_is_mounted(b->root, &e));
	SAY("mount=%d\n", ovz_mount_private_on_root(b->private_dir, b->root, &e));
	SAY("after=%d\n", ovz_root_is_mounted(b->root, &e));
	_cleanup_free_ char *marker = xasprintf("%s/marker", b->root);
	SAY("marker=%d\n", access(marker, F_OK) == 0);
	SAY("again=%d\n", ovz_mount_private_on_root(b->private_dir, b->root, &e));
	int r = ovz_mount_private_on_root(b->other, b->root, &e);
	SAY("other=%d %s\n", r, ovz_error_message(e));
	ovz_error_clear(&e);
	SAY("umount=%d\n", ovz_umount_root(b->root, &e));
	SAY("gone=%d\n", ovz_root_is_mounted(b->root, &e));
	SAY("marker2=%d\n", access(marker, F_OK) == 0);
	SAY("umount2=%d\n", ovz_umount_root(b->root, &e));
	SAY("err=%s\n", ovz_error_message(e));
}

static void test_private_on_root(void **state)
{
	struct fixture *f = *state;
	if (!tu_is_root())
		TU_SKIP("needs root (bind mounts)");
	_cleanup_free_ char *priv = xasprintf("%s/private/101", f->dir);
	_cleanup_free_ char *other = xasprintf("%s/private/102", f->dir);
	_cleanup_free_ char *root = xasprintf("%s/vzroot/101", f->dir);
	_cleanup_free_ char *marker = xasprintf("%s/marker", priv);
	tu_write(marker, "x");
	assert_int_equal(mkdir(other, 0755), 0);
	struct bind_case b = { priv, other, root };
	struct run r = run_in_namespaces(CLONE_NEWNS, bind_main, &b);
	assert_int_equal(r.status, 0);
	_cleanup_free_ char *want = xasprintf("before=0\nmount=0\nafter=1\nmarker=1\nagain=0\n"
					      "other=-%d '%s' is already a mount point of something "
					      "else\numount=0\ngone=0\nmarker2=0\numount2=0\nerr=\n",
					      EBUSY, root);
	assert_string_equal(r.out, want);
	free(r.out);
	assert_host_clean(f->dir);
	/* the root directory was created and is empty on the host */
	assert_true(tu_exists(root));
	_cleanup_free_ char *through = xasprintf("%s/marker", root);
	assert_false(tu_exists(through));
}

static void test_root_mount_queries(void **state)
{
	(void)state;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_root_is_mounted("/nonexistent/ovz/root", &e), 0);
	assert_int_equal(ovz_root_is_mounted("/", &e), 1);
	assert_null(e);
	if (!tu_is_root())
		TU_SKIP("needs root (umount)");
	struct fixture *f = *state;
	assert_int_equal(ovz_umount_root(f->dir, &e), 0);	/* not a mount point: done */
	assert_int_equal(ovz_umount_root("/nonexistent/ovz/root", &e), 0);
	assert_null(e);
}

/* ---- init command ---------------------------------------------------------- */

static void test_init_default(void **state)
{
	(void)state;
	struct ovz_init_cmd c;
	assert_int_equal(ovz_init_build(NULL, NULL, 101, NULL, &c, NULL), 0);
	_cleanup_free_ char *paths = strv_join(c.paths, ",");
	_cleanup_free_ char *argv = strv_join(c.argv, "|");
	_cleanup_free_ char *envp = strv_join(c.envp, " ");
	assert_string_equal(paths, "/sbin/init,/etc/init,/bin/init");
	assert_string_equal(argv, "init|-z|      ");
	assert_string_equal(envp, "HOME=/ TERM=linux container=101");
	ovz_init_cmd_release(&c);

	char *args[] = { (char *)"single", NULL };
	char *env[] = { (char *)"TERM=xterm", (char *)"LANG=C", (char *)"LANG=C.UTF-8", NULL };
	assert_int_equal(ovz_init_build(NULL, args, 7, env, &c, NULL), 0);
	_cleanup_free_ char *argv2 = strv_join(c.argv, "|");
	_cleanup_free_ char *envp2 = strv_join(c.envp, " ");
	assert_string_equal(argv2, "init|single");
	assert_string_equal(envp2, "HOME=/ TERM=xterm container=7 LANG=C.UTF-8");
	ovz_init_cmd_release(&c);
}

static void test_init_custom(void **state)
{
	(void)state;
	struct ovz_init_cmd c;
	char *args[] = { (char *)"--log-level=debug", (char *)"--unit=rescue.target", NULL };
	assert_int_equal(ovz_init_build("/lib/systemd/systemd", args, 101, NULL, &c, NULL), 0);
	_cleanup_free_ char *paths = strv_join(c.paths, ",");
	_cleanup_free_ char *argv = strv_join(c.argv, "|");
	assert_string_equal(paths, "/lib/systemd/systemd");
	assert_string_equal(argv, "/lib/systemd/systemd|--log-level=debug|--unit=rescue.target");
	ovz_init_cmd_release(&c);
	assert_int_equal(ovz_init_build("/bin/busybox", NULL, 1, NULL, &c, NULL), 0);
	assert_int_equal(strv_len(c.argv), 1);
	ovz_init_cmd_release(&c);
}

static void test_init_bad_input(void **state)
{
	(void)state;
	struct ovz_init_cmd c;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_init_build("sbin/init", NULL, 1, NULL, &c, &e), -EINVAL);
	assert_string_equal(ovz_error_message(e), "init 'sbin/init' is not an absolute path");
	ovz_error_clear(&e);
	char *env[] = { (char *)"NOEQUALS", NULL };
	assert_int_equal(ovz_init_build(NULL, NULL, 1, env, &c, &e), -EINVAL);
	assert_string_equal(ovz_error_message(e), "environment entry 'NOEQUALS' is not KEY=VALUE");
	ovz_error_clear(&e);
	char *env2[] = { (char *)"=x", NULL };
	assert_int_equal(ovz_init_build(NULL, NULL, 1, env2, &c, &e), -EINVAL);
	ovz_error_free(e);
}

static void exec_fail_main(void *arg)
{
	const char *init = arg;
	struct ovz_init_cmd c;
	struct ovz_error *e = NULL;
	if (ovz_init_build(init, NULL, 1, NULL, &c, &e) < 0)
		_exit(9);
	int r = ovz_init_exec(&c, &e);
	SAY("%d %s\n", r, ovz_error_message(e));
}

static void test_init_exec_failures(void **state)
{
	struct fixture *f = *state;
	struct run r = run_in_namespaces(0, exec_fail_main, (void *)"/nonexistent/init");
	assert_int_equal(r.status, 0);
	_cleanup_free_ char *want =
		xasprintf("%d no init in the container: tried '/nonexistent/init'\n", -ENOENT);
	assert_string_equal(r.out, want);
	free(r.out);

	_cleanup_free_ char *plain = xasprintf("%s/not-executable", f->dir);
	tu_write(plain, "#!/bin/sh\n");
	/* no x bit at all: EACCES even for root */
	assert_int_equal(chmod(plain, 0644), 0);
	r = run_in_namespaces(0, exec_fail_main, plain);
	_cleanup_free_ char *want2 = xasprintf("%d exec '%s': %s\n", -EACCES, plain, strerror(EACCES));
	assert_string_equal(r.out, want2);
	free(r.out);
}

int main(void)
{
	tu_old_kernel_from_env();	/* the rootfs-2.6.32 and rootfs-3.10 runs */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_container_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_container_restricted_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_proc_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_dev_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_sys_relative_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_proc_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_on_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_mount_queries, setup, teardown),
		cmocka_unit_test(test_init_default),
		cmocka_unit_test(test_init_custom),
		cmocka_unit_test(test_init_bad_input),
		cmocka_unit_test_setup_teardown(test_init_exec_failures, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
