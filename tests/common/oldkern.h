/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An old kernel's answers, for proving the fallbacks of docs/compat.md on
 * this machine's new one: a seccomp filter (raw BPF, x86_64) that makes
 * every syscall newer than the chosen kernel fail with ENOSYS, and the
 * prctl options, fcntl commands, clone/unshare flags, netlink socket
 * options, and (2.6.32) the TIOCGDEV ioctl, umount2's UMOUNT_NOFOLLOW and
 * lseek's SEEK_DATA/SEEK_HOLE it lacks with EINVAL
 * (ENOPROTOOPT for the socket options), as that kernel would.  Inherited by children and across exec.
 *
 *   "2.6.32"  legacy OpenVZ (RHEL6 042stab): syscalls from recvmmsg (299)
 *             on, but OpenVZ's own 497-510
 *   "3.10"    OpenVZ 7 (RHEL7): syscalls from sched_setattr (314) on
 *
 * What a filter cannot show: flags the old kernel ignores rather than
 * refuses (O_PATH is then a plain open), attributes of netlink messages,
 * files under /proc, and calls glibc answers from the vDSO. */
#ifndef OVZ_TESTS_OLDKERN_H
#define OVZ_TESTS_OLDKERN_H

/* Installs the filter of kernel ("2.6.32" or "3.10") in the calling thread
 * and its future children, letting the syscall numbers in allow (ending
 * with -1, or NULL) through.  0, or -errno (EINVAL: unknown kernel). */
int tu_old_kernel(const char *kernel, const int *allow);

/* tu_old_kernel($OVZ_TEST_OLD_KERNEL) when that is set; aborts when the
 * filter cannot be installed.  For test programs run once per kernel. */
void tu_old_kernel_from_env(void);

#endif
