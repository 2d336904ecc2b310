// SPDX-License-Identifier: LGPL-2.1-or-later
/* vzemu [--transcript FILE] [--fail-call N:ERRNO] [--kernel legacy|vz7]
 *       [--verbose] -- COMMAND...
 *
 * Runs COMMAND and all its children with an emulated OpenVZ kernel.  The
 * whole scenario lives in mount, network, UTS and IPC namespaces made here
 * first, so nothing it does reaches the host.  Exits with COMMAND's status
 * (128+signal when killed), or 77 when this kernel lacks what the emulator
 * needs (seccomp user notification with WAIT_KILLABLE_RECV, cgroup v2). */
#include "vzemu.h"
#include "net/netlink.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_UNSUPPORTED 77
#define EXIT_USAGE 2

/* ---- the filter ---- */

enum label { L_NEXT, L_SKIP1, L_SKIP2, L_ALLOW, L_NOTIFY, L_KILL, L_IOCTL, L_CAPSET, L_PRCTL,
	     L_CAPBSET, L_FCNTL, L_UNSHARE, L_OPEN, L_OPENAT, L_COUNT };
#define BPF_MAX 256	/* jumps are relative and 8 bits wide: keep it short */

struct bpf_builder {
	struct sock_filter ins[BPF_MAX];
	int jt[BPF_MAX], jf[BPF_MAX];
	int at[L_COUNT];
	size_t n;
};

static void emit(struct bpf_builder *b, struct sock_filter f, int jt, int jf)
{
	if (b->n == BPF_MAX)
		abort();
	b->ins[b->n] = f;
	b->jt[b->n] = jt;
	b->jf[b->n] = jf;
	b->n++;
}

static void ld(struct bpf_builder *b, uint32_t off)
{
	emit(b, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off), L_NEXT, L_NEXT);
}

static void jump(struct bpf_builder *b, uint16_t op, uint32_t k, int jt, int jf)
{
	emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 0), jt, jf);
}

static void ret(struct bpf_builder *b, uint32_t what)
{
	emit(b, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, what), L_NEXT, L_NEXT);
}

static void label(struct bpf_builder *b, enum label l)
{
	b->at[l] = (int)b->n;
}

static uint8_t offset(const struct bpf_builder *b, size_t i, int l)
{
	int off = l == L_NEXT ? 0 : l == L_SKIP1 ? 1 : l == L_SKIP2 ? 2 : b->at[l] - (int)i - 1;
	if (off < 0 || off > 255)
		abort();
	return (uint8_t)off;
}

static void resolve(struct bpf_builder *b)
{
	for (size_t i = 0; i < b->n; i++) {
		if (BPF_CLASS(b->ins[i].code) != BPF_JMP)
			continue;
		b->ins[i].jt = offset(b, i, b->jt[i]);
		b->ins[i].jf = offset(b, i, b->jf[i]);
	}
}

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))

/* ---- the age of the kernel (age.c has the table) ---- */

struct nr_range {
	uint32_t lo, hi;
};

static int range_cmp(const void *a, const void *b)
{
	const struct nr_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The syscall numbers the emulated kernel answers ENOSYS, merged into
 * ranges: the table's, and everything after its last syscall except the
 * OpenVZ ones (trapped), up to the x32 bit. */
static size_t enosys_ranges(enum emu_kernel k, struct nr_range *r, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < emu_age_count && n + 2 < max; i++) {
		const struct emu_age *a = &emu_age_table[i];
		if (a->kind == EMU_AGE_SYSCALL && emu_age_lacks(a, k))
			r[n++] = (struct nr_range){ a->value, a->value };
	}
	r[n++] = (struct nr_range){ emu_kernel_last_nr(k) + 1, EMU_NR_FIRST - 1 };
	r[n++] = (struct nr_range){ EMU_NR_LAST + 1, 0x3fffffff };
	qsort(r, n, sizeof(*r), range_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && r[i].lo <= r[m - 1].hi + 1) {
			if (r[i].hi > r[m - 1].hi)
				r[m - 1].hi = r[i].hi;
		} else {
			r[m++] = r[i];
		}
	}
	return m;
}

/* With the syscall number loaded: ENOSYS for what the kernel lacks, and
 * on to the argument checks of prctl, fcntl, unshare, open and openat. */
static void age_syscalls(struct bpf_builder *b, enum emu_kernel k)
{
	struct nr_range r[128];
	size_t n = enosys_ranges(k, r, ARRAY_SIZE(r));
	for (size_t i = 0; i < n; i++) {
		jump(b, BPF_JGE, r[i].lo, L_NEXT, L_SKIP2);
		jump(b, BPF_JGT, r[i].hi, L_SKIP1, L_NEXT);
		ret(b, SECCOMP_RET_ERRNO | ENOSYS);
	}
	jump(b, BPF_JEQ, SYS_prctl, L_PRCTL, L_NEXT);
	jump(b, BPF_JEQ, SYS_fcntl, L_FCNTL, L_NEXT);
	jump(b, BPF_JEQ, SYS_unshare, L_UNSHARE, L_NEXT);
	jump(b, BPF_JEQ, SYS_open, L_OPEN, L_NEXT);
	jump(b, BPF_JEQ, SYS_openat, L_OPENAT, L_NEXT);
}

/* One argument checked against the table's entries of a kind: equal
 * (options, commands, capabilities) or any bit set (flags); then `after`.
 * prctl's capability-set options go on to L_CAPBSET first. */
static void age_arg(struct bpf_builder *b, enum label at, enum emu_age_kind kind, int arg,
		    enum emu_kernel k, uint32_t after)
{
	label(b, at);
	ld(b, ARG_LO(arg));
	if (kind == EMU_AGE_PRCTL) {
		jump(b, BPF_JEQ, PR_CAPBSET_READ, L_CAPBSET, L_NEXT);
		jump(b, BPF_JEQ, PR_CAPBSET_DROP, L_CAPBSET, L_NEXT);
	}
	for (size_t i = 0; i < emu_age_count; i++) {
		const struct emu_age *a = &emu_age_table[i];
		if (a->kind != kind || !emu_age_lacks(a, k))
			continue;
		bool bits = kind == EMU_AGE_UNSHARE || kind == EMU_AGE_OPEN;
		jump(b, bits ? BPF_JSET : BPF_JEQ, a->value, L_NEXT, L_SKIP1);
		ret(b, SECCOMP_RET_ERRNO | (uint32_t)a->err);
	}
	ret(b, after);
}

/* Traps the opens (the path is checked in the supervisor), mount, reboot,
 * kill(-1, ...) and kill(1, ...), ioctls of the OpenVZ types and the OpenVZ
 * syscalls, sendto and sendmsg (legacy: rtnetlink with CAP_VE_NET_ADMIN;
 * vz7: RTM_NEWLINK of kind venet); for legacy sethostname, setdomainname
 * and capset.
 * With `aged`, first answers what the emulated kernel is too old for. */
static void build_filter(struct bpf_builder *b, enum emu_kernel k, bool aged)
{
	memset(b, 0, sizeof(*b));
	ld(b, offsetof(struct seccomp_data, arch));
	jump(b, BPF_JEQ, AUDIT_ARCH_X86_64, L_NEXT, L_ALLOW);
	ld(b, offsetof(struct seccomp_data, nr));
	jump(b, BPF_JGE, 0x40000000, L_ALLOW, L_NEXT);	/* x32 */
	if (aged)
		age_syscalls(b, k);
	static const uint32_t trapped[] = { SYS_open, SYS_openat, SYS_openat2, SYS_mount,
					    SYS_reboot, SYS_stat, SYS_lstat, SYS_newfstatat,
					    SYS_access, SYS_faccessat, SYS_faccessat2 };
	for (size_t i = 0; i < ARRAY_SIZE(trapped); i++)
		jump(b, BPF_JEQ, trapped[i], L_NOTIFY, L_NEXT);
	jump(b, BPF_JEQ, SYS_sendto, L_NOTIFY, L_NEXT);
	jump(b, BPF_JEQ, SYS_sendmsg, L_NOTIFY, L_NEXT);
	if (k == EMU_KERNEL_LEGACY) {
		jump(b, BPF_JEQ, SYS_sethostname, L_NOTIFY, L_NEXT);
		jump(b, BPF_JEQ, SYS_setdomainname, L_NOTIFY, L_NEXT);
		jump(b, BPF_JEQ, SYS_capset, L_CAPSET, L_NEXT);
	}
	jump(b, BPF_JEQ, SYS_kill, L_KILL, L_NEXT);
	jump(b, BPF_JEQ, SYS_ioctl, L_IOCTL, L_NEXT);
	jump(b, BPF_JGE, EMU_NR_FIRST, L_NEXT, L_ALLOW);
	jump(b, BPF_JGT, EMU_NR_LAST, L_ALLOW, L_NOTIFY);
	label(b, L_KILL);	/* kill(-1, …) and kill(1, …) */
	ld(b, ARG_LO(0));
	jump(b, BPF_JEQ, 0xffffffffu, L_NOTIFY, L_NEXT);
	jump(b, BPF_JEQ, 1, L_NOTIFY, L_ALLOW);
	label(b, L_IOCTL);
	ld(b, ARG_LO(1));
	emit(b, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff00), L_NEXT, L_NEXT);
	static const uint32_t types[] = { '.' << 8, '(' << 8, '[' << 8, 'x' << 8 };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		jump(b, BPF_JEQ, types[i], L_NOTIFY, L_NEXT);
	label(b, L_CAPSET);	/* vzemu's own capset (injected) is the kernel's */
	ld(b, ARG_LO(2));
	jump(b, BPF_JEQ, EMU_INJECTED, L_ALLOW, L_NOTIFY);
	label(b, L_ALLOW);
	ret(b, SECCOMP_RET_ALLOW);
	label(b, L_NOTIFY);
	ret(b, SECCOMP_RET_USER_NOTIF);
	if (aged) {
		age_arg(b, L_PRCTL, EMU_AGE_PRCTL, 0, k, SECCOMP_RET_ALLOW);
		age_arg(b, L_CAPBSET, EMU_AGE_CAP, 1, k, SECCOMP_RET_ALLOW);
		age_arg(b, L_FCNTL, EMU_AGE_FCNTL, 1, k, SECCOMP_RET_ALLOW);
		age_arg(b, L_UNSHARE, EMU_AGE_UNSHARE, 0, k, SECCOMP_RET_ALLOW);
		age_arg(b, L_OPEN, EMU_AGE_OPEN, 1, k, SECCOMP_RET_USER_NOTIF);
		age_arg(b, L_OPENAT, EMU_AGE_OPEN, 2, k, SECCOMP_RET_USER_NOTIF);
	}
	resolve(b);
}

static int install_filter(enum emu_kernel k, bool aged)
{
	struct bpf_builder b;
	build_filter(&b, k, aged);
	struct sock_fprog prog = { .len = (unsigned short)b.n, .filter = b.ins };
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			    &prog);
}

/* ---- starting COMMAND ---- */

/* The child tells its listener's number with write(2) and waits until the
 * supervisor has taken a copy (pidfd_getfd): sendmsg, the usual way, may be
 * trapped by the filter it has just installed. */
static pid_t start_command(char **argv, enum emu_kernel k, bool aged, int *listener)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		int fd = install_filter(k, aged);
		if (fd < 0) {
			fprintf(stderr, "vzemu: seccomp user notification: %s\n", strerror(errno));
			_exit(EXIT_UNSUPPORTED);
		}
		char go;
		if (write(sv[1], &fd, sizeof(fd)) != sizeof(fd) || read(sv[1], &go, 1) != 1)
			_exit(EXIT_UNSUPPORTED);
		close(fd);
		close(sv[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "vzemu: exec '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	int fd = -1;
	*listener = -1;
	if (pid > 0 && read(sv[0], &fd, sizeof(fd)) == sizeof(fd)) {
		_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		*listener = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (*listener >= 0 && write(sv[0], "", 1) != 1) {
			close(*listener);
			*listener = -1;
		}
	}
	close(sv[0]);
	return pid;
}

/* ---- the scenario ---- */

/* Namespaces of its own for everything COMMAND does; a host venet0 as
 * the venet module has (a dummy device here); /dev/vzctl as a memfd. */
static int scenario_setup(struct emu *e)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) < 0) {
		fprintf(stderr, "vzemu: unshare: %s\n", strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	e->exits_ep = epoll_create1(EPOLL_CLOEXEC);
	if (e->exits_ep < 0)
		return -1;
	struct ovz_nl *nl = NULL;
	if (ovz_nl_open(-1, &nl, NULL) < 0)
		return -1;
	ovz_nl_link_up(nl, "lo", NULL);
	if (emu_standin_link(nl, "venet0") == 0)
		ovz_nl_link_up(nl, "venet0", NULL);
	ovz_nl_close(nl);
	if (e->kernel == EMU_KERNEL_VZ7 && emu_fuse_setup(e) < 0)
		return -1;
	e->vzctl_fd = (int)syscall(SYS_memfd_create, "vzctl", MFD_CLOEXEC);
	struct stat st;
	if (e->vzctl_fd < 0 || fstat(e->vzctl_fd, &st) < 0)
		return -1;
	e->vzctl_dev = st.st_dev;
	e->vzctl_ino = st.st_ino;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return 0;
}

static bool notif_sizes(struct emu *e)
{
	struct seccomp_notif_sizes sz;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return false;
	e->req_size = sz.seccomp_notif > sizeof(*e->req) ? sz.seccomp_notif : sizeof(*e->req);
	e->resp_size = sz.seccomp_notif_resp > sizeof(*e->resp) ? sz.seccomp_notif_resp
								: sizeof(*e->resp);
	e->req = xcalloc(1, e->req_size);
	e->resp = xcalloc(1, e->resp_size);
	return true;
}

/* ---- the loop ---- */

/* Every open of every process comes here: an open prunes the VEs only when
 * its path is one the emulator answers (emu_handle_open), or a list of
 * thousands of containers pays for every VE on every file it opens. */
static void dispatch(struct emu *e, const struct seccomp_notif *req)
{
	long nr = req->data.nr;
	if (nr == SYS_open || nr == SYS_openat || nr == SYS_openat2) {
		emu_handle_open(e, req);
		return;
	}
	if (nr == SYS_stat || nr == SYS_lstat || nr == SYS_newfstatat || nr == SYS_access ||
	    nr == SYS_faccessat || nr == SYS_faccessat2) {
		emu_handle_stat(e, req);
		return;
	}
	emu_ve_prune(e);
	if (nr == SYS_ioctl)
		emu_handle_ioctl(e, req);
	else if (nr == SYS_mount)
		emu_handle_mount(e, req);
	else if (nr == SYS_reboot)
		emu_handle_reboot(e, req);
	else if (nr == SYS_kill)
		emu_handle_kill(e, req);
	else if (nr >= EMU_NR_FIRST && nr <= EMU_NR_LAST)
		emu_handle_vzsyscall(e, req);
	else if (nr == SYS_sethostname || nr == SYS_setdomainname)
		emu_handle_sethostname(e, req);
	else if (nr == SYS_capset)
		emu_handle_capset(e, req);
	else if (nr == SYS_sendto || nr == SYS_sendmsg)
		emu_handle_send(e, req);
	else
		emu_reply_continue(e, req->id);
}

static void receive(struct emu *e)
{
	memset(e->req, 0, e->req_size);
	if (ioctl(e->listener, SECCOMP_IOCTL_NOTIF_RECV, e->req) < 0)
		return;	/* ENOENT: the caller died before we got to it */
	dispatch(e, e->req);
}

/* We are the subreaper of the scenario: reap what ends, COMMAND included. */
static bool reap(struct emu *e, int *status)
{
	bool done = false;
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == e->command) {
			*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			done = true;
		}
	return done;
}

/* VEs whose init has gone are noticed at the next call that concerns VEs,
 * and otherwise within PRUNE_MS. */
#define PRUNE_MS 100

static bool prune_due(struct timespec *last)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - last->tv_sec) * 1000 + (now.tv_nsec - last->tv_nsec) / 1000000;
	if (ms < PRUNE_MS)
		return false;
	*last = now;
	return true;
}

static int run(struct emu *e)
{
	int status = 1;
	struct timespec last_prune = { 0, 0 };
	for (;;) {
		struct pollfd p[3] = { { .fd = e->listener, .events = POLLIN },
				       { .fd = e->command_pidfd, .events = POLLIN },
				       { .fd = e->fuse_fd, .events = POLLIN } };
		int n = poll(p, 3, 200);
		if (n < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			receive(e);
		if (p[2].revents & POLLIN)
			emu_fuse_serve(e);
		if (reap(e, &status))
			break;
		if (prune_due(&last_prune))
			emu_ve_prune(e);
	}
	return status;
}

/* The host goes down with COMMAND: every VE and every leftover process. */
static void shutdown_scenario(struct emu *e)
{
	for (size_t i = 0; e->kernel == EMU_KERNEL_VZ7 && i < e->n_ves; i++)
		if (emu_ve_running(e->ves[i]))
			emu_ve_stop(e, e->ves[i], "vzemu exits");
	if (e->kernel == EMU_KERNEL_VZ7)
		emu_vz7_free_all(e);
	while (e->n_ves)
		emu_ve_stop(e, e->ves[0], "vzemu exits");
	close(e->listener);
	e->listener = -1;
	for (int round = 0; round < 50; round++) {
		DIR *d = opendir("/proc");
		bool any = false;
		for (struct dirent *de; d && (de = readdir(d));) {
			pid_t pid = (pid_t)atoi(de->d_name), ppid, pgrp, sid;
			int tty;
			if (pid > 0 && emu_proc_stat(pid, &ppid, &pgrp, &sid, &tty) &&
			    ppid == getpid()) {
				kill(pid, SIGKILL);
				any = true;
			}
		}
		if (d)
			closedir(d);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!any)
			break;
		usleep(20000);
	}
	emu_cgroup_cleanup(e);
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: vzemu [--transcript FILE] [--fail-call N:ERRNO] "
		   "[--kernel legacy|vz7] [--modern-syscalls] [--verbose] -- COMMAND...\n");
}

static int parse_fail(struct emu *e, const char *s)
{
	char *colon = strchr(s, ':');
	if (!colon)
		return -1;
	e->fail_at = strtol(s, NULL, 10);
	e->fail_errno = emu_errno_from_name(colon + 1);
	if (!e->fail_errno)
		e->fail_errno = atoi(colon + 1);
	return e->fail_at > 0 && e->fail_errno > 0 ? 0 : -1;
}

static int parse_args(struct emu *e, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "transcript", required_argument, NULL, 't' },
		{ "fail-call", required_argument, NULL, 'f' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "modern-syscalls", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, "+t:f:k:vmh", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			e->transcript = fopen(optarg, "we");
			if (!e->transcript) {
				fprintf(stderr, "vzemu: '%s': %s\n", optarg, strerror(errno));
				return -1;
			}
			break;
		case 'f':
			if (parse_fail(e, optarg) < 0) {
				fprintf(stderr, "vzemu: --fail-call wants N:ERRNO (3:ENOMEM)\n");
				return -1;
			}
			break;
		case 'k':
			if (strcmp(optarg, "legacy") == 0)
				e->kernel = EMU_KERNEL_LEGACY;
			else if (strcmp(optarg, "vz7") == 0)
				e->kernel = EMU_KERNEL_VZ7;
			else
				return -1;
			break;
		case 'v':
			e->verbose = true;
			break;
		case 'm':
			e->modern_syscalls = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return optind < argc ? optind : -1;
}

int main(int argc, char **argv)
{
	struct emu e = { .listener = -1, .vzctl_fd = -1, .command_pidfd = -1, .fuse_fd = -1,
			 .exits_ep = -1 };
	int first = parse_args(&e, argc, argv);
	if (first < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *modern = getenv("VZEMU_MODERN_SYSCALLS");
	if (modern && strcmp(modern, "1") == 0)
		e.modern_syscalls = true;
	if (geteuid() != 0) {
		fprintf(stderr, "vzemu: needs root (namespaces, cgroups, ptrace)\n");
		return EXIT_UNSUPPORTED;
	}
	if (!notif_sizes(&e) || emu_cgroup_setup(&e) < 0) {
		fprintf(stderr, "vzemu: needs seccomp user notification and cgroup v2\n");
		return EXIT_UNSUPPORTED;
	}
	if (scenario_setup(&e) < 0) {
		emu_cgroup_cleanup(&e);
		return EXIT_UNSUPPORTED;
	}
	e.command = start_command(argv + first, e.kernel, !e.modern_syscalls, &e.listener);
	if (e.command < 0 || e.listener < 0) {
		int st = 0;
		if (e.command > 0)
			waitpid(e.command, &st, 0);
		emu_cgroup_cleanup(&e);
		return e.command > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_UNSUPPORTED;
	}
	e.command_pidfd = (int)syscall(SYS_pidfd_open, e.command, 0);
	int status = run(&e);
	shutdown_scenario(&e);
	if (e.transcript)
		fclose(e.transcript);
	return status;
}
