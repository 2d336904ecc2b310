// SPDX-License-Identifier: LGPL-2.1-or-later
/* ovz-joiner: the program that takes a command into a running container on
 * the ns and vz7 backends.  The library carries it as data and execs it
 * from a sealed memfd (src/core/join.c), so what a container can reach of
 * a process that joins it -- /proc/PID/exe, its mapped files -- is this
 * anonymous, unwritable copy, never a host file (runc's CVE-2019-5736).
 * It is linked statically: no host library is mapped either.
 *
 *   ovz-joiner MODE REPORT_FD CAPS NS_FD... -- COMMAND ARG...
 *
 * It arrives non-dumpable, in the container's cgroups, with descriptors
 * 0-2, REPORT_FD and the namespace fds only.  It joins the namespaces in
 * the order given, keeps only the capabilities of CAPS (hex) and forks:
 * the child, the first process the container can see, starts with the
 * container's privileges, leads a new session and
 *   MODE x: execs the command (a name without '/' is looked up in the
 *           usual directories), with the environment given to us;
 *   MODE t: the same, the first terminal among fds 0-2 (a pty of the
 *           caller's making) as its controlling terminal;
 *   MODE p: calls reboot(POWER_OFF), which ends the pid namespace's init;
 *   MODE i: the container's init, already inside and pid 1: no namespace
 *           fds, no fork; COMMAND is the path, then init's argv.  Errors
 *           go to REPORT_FD as the step reply of src/core/exec.h. 
 * This process stays outside the container's pid namespace, drops every
 * capability, passes on SIGINT, SIGTERM, SIGHUP and SIGQUIT and exits
 * with the child's status (128+signal when it was killed).  Until the
 * exec, failures are written to REPORT_FD as text (exit 125, 127 when the
 * command cannot be run). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#ifndef PR_CAP_AMBIENT_CLEAR_ALL
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define CAP_VERSION_3 0x20080522
#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_POWER_OFF 0x4321fedc

extern char **environ;

static int report = -1;
static char mode;
static volatile pid_t child;

/* struct ovz_step_reply of src/core/exec.h */
struct step_reply {
	int32_t err;
	char msg[500];
};

static void say(int err, const char *what, const char *detail)
{
	if (report < 0)
		return;
	if (mode != 'i') {
		dprintf(report, "%s: %s", what, detail);
		return;
	}
	struct step_reply r = { .err = err };
	snprintf(r.msg, sizeof(r.msg), "%s: %s", what, detail);
	(void)!write(report, &r, sizeof(r));
}

static _Noreturn void fail(int code, const char *what, int err)
{
	say(err, what, strerror(err));
	_exit(code);
}

static int number(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return *s && !*end && v >= 0 && v < 1 << 20 ? (int)v : -1;
}

struct cap_header {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

/* Bounding set, then ambient, then effective, permitted and inheritable:
 * only keep remains. */
static int keep_caps(uint64_t keep)
{
	for (unsigned long c = 0; c < 64; c++)
		if (!(keep & (UINT64_C(1) << c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -1;	/* EINVAL: a kernel without ambient capabilities */
	struct cap_header h = { CAP_VERSION_3, 0 };
	struct cap_data d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		d[i].effective &= k;
		d[i].permitted &= k;
		d[i].inheritable &= k;
	}
	return (int)syscall(SYS_capset, &h, d);
}

static _Noreturn void exec_command(char **argv)
{
	static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					    "/usr/bin", "/sbin", "/bin" };
	execve(argv[0], argv, environ);
	int first = errno;
	for (size_t i = 0; !strchr(argv[0], '/') && i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dirs[i], argv[0]);
		execve(path, argv, environ);
		if (errno != ENOENT)
			first = errno;
	}
	char what[4200];
	snprintf(what, sizeof(what), "exec '%s'", argv[0]);
	fail(127, what, first);
}

static _Noreturn void run_child(char mode, char **argv)
{
	if (setsid() < 0)
		fail(125, "setsid", errno);
	if (mode == 't') {
		int fd = 0;
		while (fd < 2 && !isatty(fd))
			fd++;
		if (ioctl(fd, TIOCSCTTY, 0) < 0)
			fail(125, "controlling terminal", errno);
	}
	if (mode == 'p') {
		syscall(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_POWER_OFF, NULL);
		fail(125, "reboot", errno);
	}
	exec_command(argv);
}

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int wait_child(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = pass_on };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	int st;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	int dd = 4;
	while (dd < argc && strcmp(argv[dd], "--") != 0)
		dd++;
	if (argc < 4 || dd + 1 >= argc || strlen(argv[1]) != 1 || !strchr("xtpi", argv[1][0]))
		return 125;	/* not called by the library */
	mode = argv[1][0];
	report = number(argv[2]);
	if (report < 0)
		return 125;
	char *end;
	uint64_t keep = strtoull(argv[3], &end, 16);
	if (*end)
		fail(125, "capability mask", EINVAL);
	for (int i = 4; i < dd; i++) {
		int fd = number(argv[i]);
		if (fd < 0 || setns(fd, 0) < 0)
			fail(125, "joining a namespace of the container", fd < 0 ? EBADF : errno);
		close(fd);
	}
	if (chdir("/") < 0)
		fail(125, "chdir to the container's root", errno);
	if (keep_caps(keep) < 0)
		fail(125, "dropping to the container's capabilities", errno);
	if (fcntl(report, F_SETFD, FD_CLOEXEC) < 0)
		fail(125, "report descriptor", errno);
	if (mode == 'i') {
		if (dd + 2 >= argc)
			fail(125, "init", EINVAL);
		execve(argv[dd + 1], argv + dd + 2, environ);
		char what[4200];
		snprintf(what, sizeof(what), "exec '%s'", argv[dd + 1]);
		fail(127, what, errno);
	}
	child = fork();
	if (child < 0)
		fail(125, "fork", errno);
	if (child == 0)
		run_child(argv[1][0], argv + dd + 1);
	close(report);
	keep_caps(0);
	return wait_child();
}
