// SPDX-License-Identifier: LGPL-2.1-or-later
#include "join.h"
#include "caps.h"
#include "cgroup.h"
#include "lifecycle.h"
#include "seccomp.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U	/* Linux 6.3: exec allowed under vm.memfd_noexec=1 */
#endif

/* src/joiner/ovz-joiner.c, built static and embedded (tools/embed.py) */
extern const char ovz_joiner_image[];
extern const size_t ovz_joiner_image_len;

static const char *const ns_order[] = { "ipc", "uts", "net", "pid", "cgroup", "mnt" };
#define N_NS ARRAY_SIZE(ns_order)

static char *const login_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root", "USER=root", "LOGNAME=root", "TERM=linux", NULL,
};

/* An fd of ours never sits at 0-2, where the command's stdio goes. */
static int above_stdio(int fd)
{
	if (fd < 0 || fd > 2)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

static int open_namespaces(pid_t pid, int fds[], struct ovz_error **err)
{
	for (size_t i = 0; i < N_NS; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_order[i]);
		fds[i] = above_stdio(open(path, O_RDONLY | O_CLOEXEC));
		/* no cgroup namespaces before 4.6 (OpenVZ 7's 3.10): none to join */
		if (fds[i] < 0 && errno == ENOENT && strcmp(ns_order[i], "cgroup") == 0)
			continue;
		if (fds[i] < 0) {
			int e = errno;
			while (i-- > 0)
				close(fds[i]);
			return ovz_error_sys(err, e, "open '%s'", path);
		}
	}
	return 0;
}

/* A file for the joiner's image where the kernel has no memfd_create
 * (before 3.17: OpenVZ 7's 3.10): created in dir and removed at once, so
 * that it is this exec's own copy. */
static int removed_file(const char *dir, struct ovz_error **err)
{
	int r = mkdir_p(dir, 0755, err);	/* as the run state makes it */
	if (r < 0)
		return r;
	_cleanup_free_ char *tmpl = path_join(dir, ".ovz-joiner-XXXXXX");
	int fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "create a file in '%s'", dir);
	unlink(tmpl);
	if (fchmod(fd, 0700) < 0) {	/* mkostemp's 0600 cannot be exec'd */
		int e = errno;
		close(fd);
		return ovz_error_sys(err, e, "chmod the joiner in '%s'", dir);
	}
	return fd;
}

/* The joiner image, read-only (exec refuses a file open for writing); a
 * memfd is sealed first, so nobody can change this copy either. */
int ovz_joiner_fd(const char *dir, struct ovz_error **err)
{
	const unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	int w = memfd_create("ovz-joiner", flags | MFD_EXEC);
	if (w < 0 && errno == EINVAL)
		w = memfd_create("ovz-joiner", flags);
	bool sealed = w >= 0;
	if (w < 0 && (w = removed_file(dir, err)) < 0)
		return w;
	int r = write_all(w, ovz_joiner_image, ovz_joiner_image_len);
	if (r == 0 && sealed &&
	    fcntl(w, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		r = -errno;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", w);
	int ro = r < 0 ? -1 : above_stdio(open(path, O_RDONLY | O_CLOEXEC));
	if (r == 0 && ro < 0)
		r = -errno;
	close(w);
	return r < 0 ? ovz_error_sys(err, -r, "writing the joiner") : ro;
}

/* A container never gets the caller's terminal: with it, TIOCSTI types
 * into the caller's shell and a process left behind reads what is typed
 * there later.  Only a pty made for the command, with controlling_tty. */
static int check_terminals(const struct ovz_exec_io *io, struct ovz_error **err)
{
	const int fds[3] = { io->in, io->out, io->err };
	dev_t own = ctty_dev();
	for (int i = 0; i < 3; i++) {
		int fd = fds[i] >= 0 ? fds[i] : i;
		struct stat st;
		if (!isatty(fd) || fstat(fd, &st) < 0)
			continue;
		if (!io->controlling_tty)
			return ovz_error_set(err, EINVAL, "fd %d is a terminal: a command in a "
					     "container gets a pty of its own, never the caller's", i);
		if (own && st.st_rdev == own)
			return ovz_error_set(err, EINVAL, "fd %d is the caller's controlling "
					     "terminal: a command in a container gets a pty of its own", i);
	}
	return 0;
}

struct join {
	const struct ovz_backend *b;
	unsigned ctid;
	char mode;	/* of ovz-joiner: 'x' exec, 't' exec on a pty, 'p' poweroff */
	char *const *argv, *const *envp;
	const struct ovz_exec_io *io;
	struct ovz_seccomp filter;	/* the container's, built on the host */
	int ns[N_NS];
	int exe;	/* the joiner */
	int report;	/* why it failed, as text; end of file once exec'd */
};

static int attach_cgroups(const struct join *j, struct ovz_error **err)
{
	struct ovz_cgroups cg;
	_cleanup_free_ char *name = ovz_cgroup_name(OVZ_CGROUP_ROOT, j->ctid);
	int r = ovz_cgroups_detect(&cg, err);
	if (r < 0)
		return r;
	r = ovz_cgroup_add_pid(&cg, name, getpid(), err);
	ovz_cgroups_release(&cg);
	if (r == 0 && j->b->attach)
		r = j->b->attach(j->ctid, getpid(), err);
	return r < 0 ? ovz_error_wrap(err, r, "entering the container's cgroups") : 0;
}

static void set_stdio(const struct ovz_exec_io *io)
{
	const int fds[3] = { io->in, io->out, io->err };
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && fds[i] != i)
			dup2(fds[i], i);
}

/* ovz-joiner MODE REPORT CAPS NS... -- ARGV... */
static char **joiner_argv(const struct join *j)
{
	char **v = NULL;
	strv_push(&v, xstrdup("ovz-joiner"));
	strv_push(&v, xasprintf("%c", j->mode));
	strv_push(&v, xasprintf("%d", j->report));
	strv_push(&v, xasprintf("%llx", (unsigned long long)ovz_caps_default()));
	for (size_t i = 0; i < N_NS; i++)
		if (j->ns[i] >= 0)
			strv_push(&v, xasprintf("%d", j->ns[i]));
	strv_push(&v, xstrdup("--"));
	for (char *const *a = j->argv; *a; a++)
		strv_push(&v, xstrdup(*a));
	return v;
}

/* In the forked child, still the host's process in every namespace. */
static _Noreturn void run_joiner(const struct join *j)
{
	struct ovz_error *e = NULL;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (attach_cgroups(j, &e) < 0) {
		dprintf(j->report, "%s", ovz_error_message(e));
		_exit(125);
	}
	set_stdio(j->io);
	int keep[N_NS + 2] = { j->exe, j->report };
	memcpy(keep + 2, j->ns, sizeof(j->ns));
	fds_close_except(keep, ARRAY_SIZE(keep));
	for (size_t i = 1; i < ARRAY_SIZE(keep); i++)	/* all but the exe reach the joiner */
		fcntl(keep[i], F_SETFD, 0);
	char **argv = joiner_argv(j);
	/* while this process still holds CAP_SYS_ADMIN; it blocks nothing the
	 * joiner does (setns, capset, fork, execve, reboot(POWER_OFF)) */
	if (ovz_seccomp_install(&j->filter, &e) < 0) {
		dprintf(j->report, "%s", ovz_error_message(e));
		_exit(125);
	}
	fexecve(j->exe, argv, (char **)j->envp);
	dprintf(j->report, "exec the joiner: %s", strerror(errno));
	_exit(125);
}

int ovz_joiner_exec_init(int joiner_fd, int report, const char *path, char *const argv[],
			 char *const envp[])
{
	char **v = NULL;
	strv_push(&v, xstrdup("ovz-joiner"));
	strv_push(&v, xstrdup("i"));
	strv_push(&v, xasprintf("%d", report));
	strv_push(&v, xasprintf("%llx", (unsigned long long)ovz_caps_default()));
	strv_push(&v, xstrdup("--"));
	strv_push(&v, xstrdup(path));
	for (char *const *a = argv; *a; a++)
		strv_push(&v, xstrdup(*a));
	int r = fcntl(report, F_SETFD, 0) < 0 ? -errno : 0;
	if (r == 0) {
		fexecve(joiner_fd, v, (char **)envp);
		r = -errno;
		fcntl(report, F_SETFD, FD_CLOEXEC);
	}
	strv_free(v);
	return r;
}

/* The report, with anything a terminal would act on replaced: the text
 * may come from a process the container reached. */
static int read_report(int fd, char *msg, size_t len)
{
	ssize_t n;
	while ((n = read(fd, msg, len - 1)) < 0 && errno == EINTR)
		;
	msg[n > 0 ? n : 0] = '\0';
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return n > 0;
}

static int fork_joiner(struct join *j, pid_t *pid, struct ovz_error **err)
{
	int rep[2];
	if (pipe2(rep, O_CLOEXEC) < 0)
		return ovz_error_sys(err, errno, "pipe");
	rep[0] = above_stdio(rep[0]);
	j->report = above_stdio(rep[1]);
	*pid = fork();
	if (*pid == 0) {
		close(rep[0]);
		run_joiner(j);
	}
	close(j->report);
	if (*pid < 0) {
		close(rep[0]);
		return ovz_error_sys(err, errno, "fork");
	}
	char msg[512];
	bool failed = read_report(rep[0], msg, sizeof(msg));
	close(rep[0]);
	if (!failed)
		return 0;	/* end of file: the command was exec'd */
	int status = ovz_ct_wait(*pid);
	return ovz_error_set(err, status == 127 ? ENOENT : EIO, "%s", msg);
}

static int join_spawn(struct ovz_host *h, const struct ovz_backend *b, unsigned ctid,
		      pid_t init, struct join *j, pid_t *pid, struct ovz_error **err)
{
	if (init <= 0)
		return ovz_error_set(err, ESRCH, "CT %u runs, but its init is not recorded", ctid);
	j->b = b;
	j->ctid = ctid;
	int r = ovz_seccomp_build(&j->filter, err);
	if (r < 0)
		return r;
	r = open_namespaces(init, j->ns, err);
	if (r < 0) {
		ovz_seccomp_release(&j->filter);
		return r;
	}
	j->exe = ovz_joiner_fd(h->vz->run_dir, err);
	r = j->exe < 0 ? j->exe : fork_joiner(j, pid, err);
	if (j->exe >= 0)
		close(j->exe);
	for (size_t i = 0; i < N_NS; i++)
		if (j->ns[i] >= 0)
			close(j->ns[i]);
	ovz_seccomp_release(&j->filter);
	return r;
}

/* Legacy OpenVZ: VE_ENTER from the backend (no setns there). */
static int spawn_by_backend(struct ovz_host *h, const struct ovz_backend *b, unsigned ctid,
			    char *const argv[], const struct ovz_exec_io *io, pid_t *pid,
			    struct ovz_error **err)
{
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = NULL;
	int r = ovz_host_load(h, ctid, &d, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *priv = NULL, *root = NULL;
	ovz_host_ct_dirs(h, d, &priv, &root);
	_cleanup_free_ char *hr = path_join(h->vz->root, root);
	const int fds[3] = { io->in, io->out, io->err };
	return b->enter_spawn(ctid, hr, argv, io->envp ? io->envp : login_env, fds,
			      io->controlling_tty, pid, err);
}

int ovz_ct_spawn(struct ovz_host *h, unsigned ctid, char *const argv[],
		 const struct ovz_exec_io *io, pid_t *pid, struct ovz_error **err)
{
	pid_t init = 0;
	if (!ovz_host_ct_running(h, ctid, &init))
		return ovz_error_set(err, EINVAL, "CT %u is not running", ctid);
	const struct ovz_backend *b;
	int r = ovz_host_backend(h, &b, err);
	if (r == 0)
		r = check_terminals(io, err);
	if (r < 0)
		return r;
	if (b->enter_spawn)
		return spawn_by_backend(h, b, ctid, argv, io, pid, err);
	struct join j = { .mode = io->controlling_tty ? 't' : 'x', .argv = argv,
			  .envp = io->envp ? io->envp : login_env, .io = io };
	return join_spawn(h, b, ctid, init, &j, pid, err);
}

int ovz_ct_poweroff(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	pid_t init = 0;
	if (!ovz_host_ct_running(h, ctid, &init))
		return 0;
	const struct ovz_backend *b;
	int r = ovz_host_backend(h, &b, err);
	if (r < 0)
		return r;
	if (b->enter_spawn)
		return ovz_error_set(err, ENOTSUP, "the %s backend stops by VE_ENTER", b->name);
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	static char *const none[] = { "poweroff", NULL };
	struct ovz_exec_io io = { null, null, null, false, NULL };
	struct join j = { .mode = 'p', .argv = none, .envp = login_env, .io = &io };
	pid_t pid;
	r = join_spawn(h, b, ctid, init, &j, &pid, err);
	if (r == 0)
		ovz_ct_wait(pid);
	return r;
}

int ovz_ct_wait(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int ovz_ct_exec(struct ovz_host *h, unsigned ctid, char *const argv[], int *status,
		struct ovz_error **err)
{
	struct ovz_exec_io io = OVZ_EXEC_IO_INHERIT;
	pid_t pid;
	int r = ovz_ct_spawn(h, ctid, argv, &io, &pid, err);
	if (r == 0)
		*status = ovz_ct_wait(pid);
	else
		*status = r == -ENOENT ? 127 : 125;
	return r;
}
