// SPDX-License-Identifier: LGPL-2.1-or-later
/* How old the emulated kernel is: the syscalls, prctl options, fcntl
 * commands, unshare flags and open flags that this machine's kernel has
 * and the emulated one lacks, with the answer the old kernel gives.
 *
 * Legacy is OpenVZ's RHEL6 kernel 2.6.32-042stab141, read from its source
 * (arch/x86/include/asm/unistd_64.h, kernel/sys.c's prctl, fs/fcntl.c,
 * kernel/fork.c's check_unshare_flags): Red Hat backported the syscalls up
 * to process_vm_writev (311) except fanotify and getcpu (sys_ni_syscall
 * there), O_PATH, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER and the
 * speculation controls.  Its last capability is CAP_MAC_ADMIN (33), and
 * bit 30 is CAP_VE_ADMIN there.  vz7 is plain 3.10 (no RHEL7 source to verify a
 * backport against), except the speculation controls, which the RHEL6
 * kernel above got, as RHEL7 did.  Each entry is probed by
 * tests/unit/test-vzemu-age.c under both kernels. */
#include "vzemu.h"

#include <errno.h>
#include <string.h>

#define LEGACY (1u << EMU_KERNEL_LEGACY)
#define VZ7 (1u << EMU_KERNEL_VZ7)
#define V(a, b, c) EMU_KV(a, b, c)
#define B EMU_PROBE_BUF
#define F EMU_PROBE_FD

const struct emu_age emu_age_table[] = {
	/* syscalls (x86_64 numbers); probed with every argument -1 */
	{ EMU_AGE_SYSCALL, "recvmmsg", 299, V(2, 6, 33), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "fanotify_init", 300, V(2, 6, 37), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "fanotify_mark", 301, V(2, 6, 37), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "prlimit64", 302, V(2, 6, 36), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "name_to_handle_at", 303, V(2, 6, 39), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "open_by_handle_at", 304, V(2, 6, 39), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "clock_adjtime", 305, V(2, 6, 39), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "syncfs", 306, V(2, 6, 39), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "sendmmsg", 307, V(3, 0, 0), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "setns", 308, V(3, 0, 0), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "getcpu", 309, V(3, 1, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "process_vm_readv", 310, V(3, 2, 0), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "process_vm_writev", 311, V(3, 2, 0), ENOSYS, LEGACY, { 0 } },
	{ EMU_AGE_SYSCALL, "kcmp", 312, V(3, 5, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "finit_module", 313, V(3, 8, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "sched_setattr", 314, V(3, 14, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "sched_getattr", 315, V(3, 14, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "renameat2", 316, V(3, 15, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "seccomp", 317, V(3, 17, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "getrandom", 318, V(3, 17, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "memfd_create", 319, V(3, 17, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "kexec_file_load", 320, V(3, 17, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "bpf", 321, V(3, 18, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "execveat", 322, V(3, 19, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "userfaultfd", 323, V(4, 3, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "membarrier", 324, V(4, 3, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "mlock2", 325, V(4, 4, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "copy_file_range", 326, V(4, 5, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "preadv2", 327, V(4, 6, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "pwritev2", 328, V(4, 6, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "pkey_mprotect", 329, V(4, 9, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "pkey_alloc", 330, V(4, 9, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "pkey_free", 331, V(4, 9, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "statx", 332, V(4, 11, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "io_pgetevents", 333, V(4, 18, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "rseq", 334, V(4, 18, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "pidfd_send_signal", 424, V(5, 1, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "io_uring_setup", 425, V(5, 1, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "io_uring_enter", 426, V(5, 1, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "io_uring_register", 427, V(5, 1, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "open_tree", 428, V(5, 2, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "move_mount", 429, V(5, 2, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "fsopen", 430, V(5, 2, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "fsconfig", 431, V(5, 2, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "fsmount", 432, V(5, 2, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "fspick", 433, V(5, 2, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "pidfd_open", 434, V(5, 3, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "clone3", 435, V(5, 3, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "close_range", 436, V(5, 9, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "openat2", 437, V(5, 6, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "pidfd_getfd", 438, V(5, 6, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "faccessat2", 439, V(5, 8, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "process_madvise", 440, V(5, 10, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "epoll_pwait2", 441, V(5, 11, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "mount_setattr", 442, V(5, 12, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "quotactl_fd", 443, V(5, 14, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "landlock_create_ruleset", 444, V(5, 13, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "landlock_add_rule", 445, V(5, 13, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "landlock_restrict_self", 446, V(5, 13, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "memfd_secret", 447, V(5, 14, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "process_mrelease", 448, V(5, 15, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "futex_waitv", 449, V(5, 16, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "set_mempolicy_home_node", 450, V(5, 17, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "cachestat", 451, V(6, 5, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "fchmodat2", 452, V(6, 6, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "map_shadow_stack", 453, V(6, 6, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "futex_wake", 454, V(6, 7, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "futex_wait", 455, V(6, 7, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "futex_requeue", 456, V(6, 7, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "statmount", 457, V(6, 8, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "listmount", 458, V(6, 8, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "lsm_get_self_attr", 459, V(6, 8, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "lsm_set_self_attr", 460, V(6, 8, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "lsm_list_modules", 461, V(6, 8, 0), ENOSYS, 0, { 0 } },
	{ EMU_AGE_SYSCALL, "mseal", 462, V(6, 10, 0), ENOSYS, 0, { 0 } },
	/* prctl(option, probe...): a call this machine's kernel accepts */
	{ EMU_AGE_PRCTL, "PR_SET_MM", 35, V(3, 3, 0), EINVAL, 0, { 14, B, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_SET_CHILD_SUBREAPER", 36, V(3, 4, 0), EINVAL, LEGACY, { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_GET_CHILD_SUBREAPER", 37, V(3, 4, 0), EINVAL, LEGACY, { B, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_SET_NO_NEW_PRIVS", 38, V(3, 5, 0), EINVAL, LEGACY, { 1, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_GET_NO_NEW_PRIVS", 39, V(3, 5, 0), EINVAL, LEGACY, { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_GET_TID_ADDRESS", 40, V(3, 5, 0), EINVAL, 0, { B, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_SET_THP_DISABLE", 41, V(3, 15, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_GET_THP_DISABLE", 42, V(3, 15, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_CAP_AMBIENT", 47, V(4, 3, 0), EINVAL, 0, { 1, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_GET_SPECULATION_CTRL", 52, V(4, 17, 0), EINVAL, LEGACY | VZ7,
	  { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_SET_IO_FLUSHER", 57, V(5, 6, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_GET_IO_FLUSHER", 58, V(5, 6, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_SET_SYSCALL_USER_DISPATCH", 59, V(5, 11, 0), EINVAL, 0,
	  { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_SET_MDWE", 65, V(6, 3, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_GET_MDWE", 66, V(6, 3, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	{ EMU_AGE_PRCTL, "PR_GET_MEMORY_MERGE", 68, V(6, 4, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	/* fcntl(fd, cmd, probe[0]): fd is a file on tmpfs, or a pipe for the
	 * pipe sizes */
	{ EMU_AGE_FCNTL, "F_SETPIPE_SZ", 1031, V(2, 6, 35), EINVAL, 0, { 4096, 1, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_GETPIPE_SZ", 1032, V(2, 6, 35), EINVAL, 0, { 0, 1, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_OFD_GETLK", 36, V(3, 15, 0), EINVAL, 0, { B, 0, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_OFD_SETLK", 37, V(3, 15, 0), EINVAL, 0, { B, 0, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_OFD_SETLKW", 38, V(3, 15, 0), EINVAL, 0, { B, 0, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_ADD_SEALS", 1033, V(3, 17, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_GET_SEALS", 1034, V(3, 17, 0), EINVAL, 0, { 0, 0, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_GET_RW_HINT", 1035, V(4, 13, 0), EINVAL, 0, { B, 0, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_SET_RW_HINT", 1036, V(4, 13, 0), EINVAL, 0, { B, 0, 0, 0 } },
	{ EMU_AGE_FCNTL, "F_DUPFD_QUERY", 1027, V(6, 10, 0), EINVAL, 0, { F, 0, 0, 0 } },
	/* unshare(flag); clone() ignores unknown flags on both kernels */
	{ EMU_AGE_UNSHARE, "CLONE_NEWUSER", 0x10000000, V(3, 8, 0), EINVAL, 0, { 0 } },
	{ EMU_AGE_UNSHARE, "CLONE_NEWCGROUP", 0x02000000, V(4, 6, 0), EINVAL, 0, { 0 } },
	{ EMU_AGE_UNSHARE, "CLONE_NEWTIME", 0x80, V(5, 6, 0), EINVAL, 0, { 0 } },
	/* open and openat: an old kernel ignores __O_TMPFILE, which leaves
	 * O_DIRECTORY with write access: EISDIR on a directory */
	{ EMU_AGE_OPEN, "O_TMPFILE", 020000000, V(3, 11, 0), EISDIR, 0, { 0 } },
	/* PR_CAPBSET_READ and PR_CAPBSET_DROP of a capability the kernel does
	 * not know (2.6.32's last is CAP_MAC_ADMIN, 33; 3.10's
	 * CAP_BLOCK_SUSPEND, 36) */
	{ EMU_AGE_CAP, "CAP_SYSLOG", 34, V(2, 6, 37), EINVAL, 0, { 0 } },
	{ EMU_AGE_CAP, "CAP_WAKE_ALARM", 35, V(3, 0, 0), EINVAL, 0, { 0 } },
	{ EMU_AGE_CAP, "CAP_BLOCK_SUSPEND", 36, V(3, 5, 0), EINVAL, 0, { 0 } },
	{ EMU_AGE_CAP, "CAP_AUDIT_READ", 37, V(3, 16, 0), EINVAL, 0, { 0 } },
	{ EMU_AGE_CAP, "CAP_PERFMON", 38, V(5, 8, 0), EINVAL, 0, { 0 } },
	{ EMU_AGE_CAP, "CAP_BPF", 39, V(5, 8, 0), EINVAL, 0, { 0 } },
	{ EMU_AGE_CAP, "CAP_CHECKPOINT_RESTORE", 40, V(5, 9, 0), EINVAL, 0, { 0 } },
	/* open of a /proc file (vz7 shows 36 in it, see procfs.c) */
	{ EMU_AGE_FILE, "/proc/sys/kernel/cap_last_cap", 0, V(3, 2, 0), ENOENT, 0, { 0 } },
};

const size_t emu_age_count = sizeof(emu_age_table) / sizeof(emu_age_table[0]);

unsigned emu_kernel_version(enum emu_kernel k)
{
	return k == EMU_KERNEL_VZ7 ? EMU_KV(3, 10, 0) : EMU_KV(2, 6, 32);
}

/* The last syscall number the emulated kernel's table has (the OpenVZ
 * ones at 497-510 apart); everything above is ENOSYS. */
unsigned emu_kernel_last_nr(enum emu_kernel k)
{
	return k == EMU_KERNEL_VZ7 ? 313 : 311;
}

bool emu_age_lacks(const struct emu_age *a, enum emu_kernel k)
{
	return a->since > emu_kernel_version(k) && !(a->backported & (1u << k));
}

bool emu_age_file_absent(const struct emu *e, const char *path)
{
	for (size_t i = 0; i < emu_age_count && !e->modern_syscalls; i++) {
		const struct emu_age *a = &emu_age_table[i];
		if (a->kind == EMU_AGE_FILE && strcmp(a->name, path) == 0)
			return emu_age_lacks(a, e->kernel);
	}
	return false;
}
