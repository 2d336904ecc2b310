// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oldkern.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CLONE_NEWCGROUP_FLAG 0x02000000u	/* 4.6 */
#define SOL_NETLINK_LEVEL 270
#define UMOUNT_NOFOLLOW_FLAG 0x8u	/* 2.6.34 */

struct kernel {
	const char *name;
	unsigned first_new;		/* the first syscall number it lacks */
	unsigned vz_first, vz_last;	/* OpenVZ's own syscalls it has (0: none) */
	unsigned prctl_max;		/* the last prctl option it knows */
	unsigned fcntl_max;		/* the last F_LINUX_SPECIFIC command it knows */
	unsigned netlink_opt_max;	/* the last SOL_NETLINK option it knows */
	bool no_tiocgdev;		/* 042stab141's tty_io.c has no TIOCGDEV */
	bool no_umount_nofollow;	/* UMOUNT_NOFOLLOW came with 2.6.34 */
	bool no_seek_data;		/* SEEK_DATA, SEEK_HOLE came with 3.1 */
};

static const struct kernel kernels[] = {
	/* recvmmsg (2.6.33) is 299; PR_MCE_KILL (33) came with 2.6.32;
	 * F_DUPFD_CLOEXEC (1030) with 2.6.24, F_SETPIPE_SZ (1031) with 2.6.35;
	 * NETLINK_NO_ENOBUFS (5) with 2.6.30 */
	{ "2.6.32", 299, 497, 510, 33, 1030, 5, true, true, true },
	/* sched_setattr (3.14) is 314; PR_GET_TID_ADDRESS (40) came with 3.5,
	 * F_GETPIPE_SZ (1032) with 2.6.35, F_ADD_SEALS (1033) with 3.17;
	 * NETLINK_TX_RING (7) with 3.10 */
	{ "3.10", 314, 0, 0, 40, 1032, 7, false, false, false },
};

struct prog {
	struct sock_filter v[256];
	unsigned short n;
};

static void put(struct prog *p, struct sock_filter f)
{
	if (p->n < 256)
		p->v[p->n++] = f;
	else
		abort();
}

#define STMT(c, k) ((struct sock_filter)BPF_STMT(c, k))
#define JUMP(c, k, t, f) ((struct sock_filter)BPF_JUMP(c, k, t, f))
#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LD_ARG(i) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[i]))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define ALLOW RET(SECCOMP_RET_ALLOW)
#define FAIL(e) RET(SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

/* if (nr == sys) { A = args[arg]; ...body...; allow } — body is n_body
 * instructions that return or fall through. */
static void arg_block(struct prog *p, unsigned sys, unsigned arg,
		      const struct sock_filter *body, unsigned n_body)
{
	put(p, (struct sock_filter)LD_NR);
	put(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, sys, 0,
					    (unsigned char)(n_body + 2)));
	put(p, (struct sock_filter)LD_ARG(arg));
	for (unsigned i = 0; i < n_body; i++)
		put(p, body[i]);
	put(p, (struct sock_filter)ALLOW);
}

static void build(struct prog *p, const struct kernel *k, const int *allow)
{
	put(p, STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
	put(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	put(p, (struct sock_filter)ALLOW);
	for (const int *a = allow; a && *a >= 0; a++) {
		put(p, (struct sock_filter)LD_NR);
		put(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)*a, 0, 1));
		put(p, (struct sock_filter)ALLOW);
	}
	/* options and commands newer than the kernel */
	const struct sock_filter prctl_body[] = {
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, k->prctl_max, 0, 1),
		FAIL(EINVAL),
	};
	arg_block(p, SYS_prctl, 0, prctl_body, 2);
	const struct sock_filter fcntl_body[] = {
		/* the OFD locks, 36-38 (3.15) */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 36, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 38, 1, 0),
		FAIL(EINVAL),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, k->fcntl_max, 0, 1),
		FAIL(EINVAL),
	};
	arg_block(p, SYS_fcntl, 1, fcntl_body, 5);
	const struct sock_filter ns_body[] = {
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWCGROUP_FLAG, 0, 1),
		FAIL(EINVAL),
	};
	arg_block(p, SYS_unshare, 0, ns_body, 2);
	arg_block(p, SYS_clone, 0, ns_body, 2);
	const struct sock_filter sockopt_body[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOL_NETLINK_LEVEL, 0, 3),
		LD_ARG(2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, k->netlink_opt_max, 0, 1),
		FAIL(ENOPROTOOPT),
	};
	arg_block(p, SYS_setsockopt, 1, sockopt_body, 4);
	if (k->no_tiocgdev) {
		const struct sock_filter ioctl_body[] = {
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCGDEV, 0, 1),
			FAIL(EINVAL),
		};
		arg_block(p, SYS_ioctl, 1, ioctl_body, 2);
	}
	if (k->no_umount_nofollow) {
		const struct sock_filter umount_body[] = {
			BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, UMOUNT_NOFOLLOW_FLAG, 0, 1),
			FAIL(EINVAL),
		};
		arg_block(p, SYS_umount2, 1, umount_body, 2);
	}
	if (k->no_seek_data) {
		const struct sock_filter lseek_body[] = {
			BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, SEEK_END, 0, 1),
			FAIL(EINVAL),
		};
		arg_block(p, SYS_lseek, 2, lseek_body, 2);
	}
	/* syscalls newer than the kernel, but OpenVZ's own */
	put(p, (struct sock_filter)LD_NR);
	if (k->vz_first) {
		put(p, JUMP(BPF_JMP | BPF_JGE | BPF_K, k->vz_first, 0, 2));
		put(p, JUMP(BPF_JMP | BPF_JGT | BPF_K, k->vz_last, 1, 0));
		put(p, (struct sock_filter)ALLOW);
	}
	put(p, JUMP(BPF_JMP | BPF_JGE | BPF_K, k->first_new, 0, 1));
	put(p, (struct sock_filter)FAIL(ENOSYS));
	put(p, (struct sock_filter)ALLOW);
}

int tu_old_kernel(const char *name, const int *allow)
{
	const struct kernel *k = NULL;
	for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		if (strcmp(kernels[i].name, name) == 0)
			k = &kernels[i];
	if (!k)
		return -EINVAL;
	struct prog p = { .n = 0 };
	build(&p, k, allow);
	struct sock_fprog fp = { .len = p.n, .filter = p.v };
	/* root may install it without no_new_privs; others need it */
	if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
		return -errno;
	return 0;
}

void tu_old_kernel_from_env(void)
{
	const char *k = getenv("OVZ_TEST_OLD_KERNEL");
	if (!k || !*k)
		return;
	int r = tu_old_kernel(k, NULL);
	if (r < 0) {
		fprintf(stderr, "cannot act as kernel %s: %s\n", k, strerror(-r));
		abort();
	}
}
