/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's root filesystem on a mainline kernel.
 *
 * Host side: VE_PRIVATE is bind-mounted on VE_ROOT (the simfs layout).
 *
 * Container side, run by the container's first process inside its new
 * mount namespace before it execs init: /proc, /sys and a fresh /dev are
 * mounted into VE_ROOT, then VE_ROOT becomes "/" and the host's tree is
 * detached.  The container's files are hostile: every mount target is
 * opened from a directory fd with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS) and mounted on that fd, so a symlink such as
 * VE_ROOT/proc -> /etc is refused instead of followed. */
#ifndef OVZ_FS_ROOTFS_H
#define OVZ_FS_ROOTFS_H

#include "core/error.h"

/* ---- host side ---- */

/* 1 when root is a mount point, 0 when not (or missing). */
int ovz_root_is_mounted(const char *root, struct ovz_error **err);
/* Plain bind mount of private on root (root is created when missing).
 * Done when private is already mounted there; EBUSY when something else is. */
int ovz_mount_private_on_root(const char *private_dir, const char *root,
			      struct ovz_error **err);
/* Lazy unmount of root; done when nothing is mounted there. */
int ovz_umount_root(const char *root, struct ovz_error **err);

/* ---- container side (inside the new mount namespace) ---- */

/* All of the steps below in order.  console_fd is a pty slave to
 * bind-mount on /dev/console, or -1 for none. */
int ovz_rootfs_setup(const char *root, int console_fd, struct ovz_error **err);

/* Makes every mount recursively a slave, so nothing mounted from here on
 * propagates back to the host while host mounts still reach in. */
int ovz_rootfs_make_slave(struct ovz_error **err);
/* pivot_root needs the new root to be a mount point: bind it on itself
 * (with its submounts) when it is not one. */
int ovz_rootfs_bind_self(const char *root, struct ovz_error **err);
/* proc on rootfd/proc (nosuid, nodev, noexec) with /proc/sys read-only
 * except /proc/sys/net (per network namespace) and /proc/sysrq-trigger
 * (when the kernel has one) read-only: without a user namespace they would
 * act on the host. */
int ovz_rootfs_mount_proc(int rootfd, struct ovz_error **err);
/* sysfs on rootfd/sys, read-only, nosuid, nodev, noexec. */
int ovz_rootfs_mount_sys(int rootfd, struct ovz_error **err);
/* tmpfs on rootfd/dev (mode 755, nosuid, 4 MiB) holding null zero full
 * random urandom tty, devpts on pts (newinstance, ptmxmode=0666, mode=620,
 * gid=5), ptmx -> pts/ptmx, tmpfs shm (1777, nosuid, nodev), fd, stdin,
 * stdout, stderr links to /proc/self/fd, and console bound to console_fd's
 * pty when console_fd >= 0. */
int ovz_rootfs_mount_dev(int rootfd, int console_fd, struct ovz_error **err);
/* Makes rootfd's directory "/" (pivot_root(".", ".")), detaches the old
 * root and changes to "/". */
int ovz_rootfs_pivot(int rootfd, struct ovz_error **err);
/* After the pivot, as runc and LXC do: /proc/bus, /proc/fs and /proc/irq
 * read-only; /dev/null bound over /proc/kcore, keys, key-users,
 * latency_stats, timer_list, timer_stats and sched_debug; an empty
 * read-only tmpfs over /proc/acpi, asound, scsi, /sys/firmware and
 * /sys/devices/virtual/powercap.  Whatever the kernel lacks is skipped. */
int ovz_rootfs_mask(struct ovz_error **err);

#endif
