// SPDX-License-Identifier: LGPL-2.1-or-later
/* A hostile program for the busybox test container of test-isolation-join
 * (linked statically: the template has no libc).  It does what a container
 * root that wants out would do to a process joining its container:
 *
 *   isojoin-probe watch LOG   forks into the background and spins (at nice
 *       -20) on the next pids of the container's pid namespace; each new process it
 *       catches is recorded (its capabilities, whether ptrace reaches it)
 *       and its /proc/PID/exe is opened.  When the test has made
 *       /tmp/isojoin-stop (its commands are over) or after 30 s, each exe
 *       is reopened for writing (never written); "done" comes last.
 *   isojoin-probe fds         lists its descriptors above 2 and reads
 *       "isojoin-marker" through every directory among them.
 *   isojoin-probe tty         prints the device of fds 0-2 and of its
 *       controlling terminal, then pushes "isojoin-injected" into each
 *       with TIOCSTI. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CAUGHT 16
#define AHEAD 16	/* pids looked at past the last one caught */
#define STOP_FILE "/tmp/isojoin-stop"

struct caught {
	int pid;
	int exe;	/* O_RDONLY on its /proc/PID/exe, -1 when refused */
};

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* CapEff, CapPrm and CapBnd of pid, as one line. */
static void caps_of(int pid, char *out, size_t len)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CapEff:", 7) && strncmp(line, "CapPrm:", 7) &&
		    strncmp(line, "CapBnd:", 7))
			continue;
		line[strcspn(line, "\n")] = '\0';
		size_t n = strlen(out);
		snprintf(out + n, len - n, " %.6s=%s", line, line + 8 + strspn(line + 8, "\t "));
	}
	fclose(f);
}

static const char *try_ptrace(int pid)
{
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
		return strerror(errno);
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0) {
		int st;
		if (waitpid(pid, &st, __WALL) == pid && WIFSTOPPED(st))
			ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	return "ok";
}

static void catch_one(FILE *log, struct caught *c, int pid)
{
	char path[64], caps[256];
	c->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	c->exe = open(path, O_RDONLY | O_CLOEXEC);
	int exe_err = errno;
	caps_of(pid, caps, sizeof(caps));
	const char *pt = try_ptrace(pid);
	char target[512] = "";
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	fprintf(log, "caught %d exe=%s open=%s ptrace=%s%s\n", pid, target,
		c->exe >= 0 ? "ok" : strerror(exe_err), pt, caps);
	fflush(log);
}

static bool alive(int pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d", pid);
	return access(path, F_OK) == 0;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* After the caught processes and the command that made them are gone, a
 * host binary held open here is no longer busy: can it be written? */
static void reopen_for_write(FILE *log, const struct caught *c, int n)
{
	for (int i = 0; i < n; i++) {
		if (c[i].exe < 0)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", c[i].exe);
		int w = -1;
		for (int tries = 0; tries < 100 && w < 0; tries++) {
			w = open(path, O_WRONLY | O_CLOEXEC);
			if (w < 0 && errno == ETXTBSY)
				usleep(50000);
			else
				break;
		}
		struct stat st;
		if (w >= 0 && fstat(w, &st) == 0)
			fprintf(log, "reopen %d write=ok dev=%lu ino=%lu\n", c[i].pid,
				(unsigned long)st.st_dev, (unsigned long)st.st_ino);
		else
			fprintf(log, "reopen %d write=%s\n", c[i].pid, strerror(errno));
		if (w >= 0)
			close(w);
	}
}

static void watch(FILE *log)
{
	struct caught c[MAX_CAUGHT];
	int n = 0;
	long base = read_long("/proc/sys/kernel/ns_last_pid");
	fprintf(log, "base %ld\n", base);
	fflush(log);
	double end = now() + 30;
	long next = base + 1;
	while (n < MAX_CAUGHT && now() < end) {
		for (long p = next; p < next + AHEAD; p++) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%ld", p);
			if (access(path, F_OK) == 0) {
				catch_one(log, &c[n++], (int)p);
				next = p + 1;
				break;
			}
		}
		if (access(STOP_FILE, F_OK) == 0)
			break;
	}
	for (int i = 0; i < n; i++)
		while (alive(c[i].pid))
			usleep(10000);
	reopen_for_write(log, c, n);
	fprintf(log, "done\n");
	fclose(log);
}

static int run_watch(const char *logpath)
{
	int ready[2];
	if (pipe(ready) < 0)
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid > 0) {
		char b;
		close(ready[1]);
		return read(ready[0], &b, 1) == 1 ? 0 : 1;
	}
	setsid();
	setpriority(PRIO_PROCESS, 0, -20);	/* CAP_SYS_NICE: run first when woken */
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	FILE *log = fopen(logpath, "w");
	if (!log)
		_exit(1);
	close(ready[0]);
	(void)!write(ready[1], "r", 1);
	close(ready[1]);
	watch(log);
	_exit(0);
}

static int list_fds(void)
{
	for (int fd = 3; fd < 4096; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		char path[64], target[512] = "";
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("fd %d -> %s\n", fd, target);
		int m = openat(fd, "isojoin-marker", O_RDONLY | O_CLOEXEC);
		char buf[128];
		ssize_t got = m >= 0 ? read(m, buf, sizeof(buf) - 1) : -1;
		if (got > 0) {
			buf[got] = '\0';
			printf("read through fd %d: %s\n", fd, buf);
		}
		if (m >= 0)
			close(m);
	}
	return 0;
}

/* The terminal behind fd: /dev/tty itself is 5:0, TIOCGDEV names it. */
static void print_dev(const char *what, int fd)
{
	struct stat st;
	unsigned int dev;
	if (fd >= 0 && ioctl(fd, TIOCGDEV, &dev) == 0)
		printf("%s %u:%u\n", what, major(dev), minor(dev));
	else if (fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode))
		printf("%s %u:%u\n", what, major(st.st_rdev), minor(st.st_rdev));
	else
		printf("%s none\n", what);
}

static int push(int fd)
{
	static const char text[] = "isojoin-injected\n";
	for (const char *p = text; *p; p++)
		if (ioctl(fd, TIOCSTI, p) < 0)
			return -errno;
	return 0;
}

static int tty_probe(void)
{
	int ctty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	for (int fd = 0; fd < 3; fd++) {
		char what[16];
		snprintf(what, sizeof(what), "fd%d", fd);
		print_dev(what, fd);
	}
	print_dev("ctty", ctty);
	fflush(stdout);
	for (int fd = 0; fd < 3; fd++)
		printf("tiocsti fd%d: %s\n", fd, strerror(-push(fd)));
	if (ctty >= 0)
		printf("tiocsti ctty: %s\n", strerror(-push(ctty)));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "watch") == 0)
		return run_watch(argv[2]);
	if (argc == 2 && strcmp(argv[1], "fds") == 0)
		return list_fds();
	if (argc == 2 && strcmp(argv[1], "tty") == 0)
		return tty_probe();
	fprintf(stderr, "usage: isojoin-probe watch LOG | fds | tty\n");
	return 2;
}
