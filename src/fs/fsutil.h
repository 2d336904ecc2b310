/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers for the fs modules: descriptor-relative resolution that
 * never follows a symlink, and removal of a tree by descriptors. */
#ifndef OVZ_FS_FSUTIL_H
#define OVZ_FS_FSUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

/* Opens rel beneath dirfd with flags (O_CLOEXEC|O_NOFOLLOW added), refusing
 * '..', absolute paths and symlinks in any component: openat2 with
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS, or a
 * component-by-component O_NOFOLLOW walk where openat2 is missing.
 * rel "" or "." opens dirfd itself.  Returns an fd or a negative errno. */
int ovz_open_beneath(int dirfd, const char *rel, int flags);

/* Opens rel beneath dirfd for reading only when it is a regular file of at
 * most max bytes, without ever opening anything else: an O_PATH descriptor
 * (ovz_open_beneath, no symlink followed) is checked with fstat and then
 * reopened through /proc/self/fd, so a device node or FIFO planted there
 * (or swapped in meanwhile) is never opened.  O_NONBLOCK|O_NOCTTY.  Returns
 * an fd, or -ENOENT, -ELOOP (a symlink), -EINVAL (not a regular file),
 * -EFBIG, or another negative errno. */
int ovz_open_regular_beneath(int dirfd, const char *rel, size_t max);
/* The same, read whole into a NUL-terminated *out (length in *len, may be
 * NULL). */
int ovz_read_regular_beneath(int dirfd, const char *rel, size_t max, char **out, size_t *len);

/* 1 when fd / path (not followed when a symlink) is the root of a mount,
 * 0 when not, or -errno.  statx's STATX_ATTR_MOUNT_ROOT where the kernel
 * reports it (5.8), else the device of the parent and the mount table. */
int ovz_fd_is_mount_root(int fd);
int ovz_path_is_mount_root(const char *path);

/* Removes name (file or tree) in dirfd without following symlinks and
 * without descending into other mounts (those make it fail with EBUSY).
 * A missing name is not an error. */
int ovz_rm_tree_at(int dirfd, const char *name, struct ovz_error **err);

/* Removes path (file or tree) the same way; a missing path is fine. */
int ovz_rm_tree(const char *path, struct ovz_error **err);

/* Creates the directory that holds an area (VE_PRIVATE's or VE_ROOT's parent,
 * /vz/private) with mode 0700 when it is missing, its own missing parents
 * 0755: vzctl's packages make /vz/private and /vz/root 0700, so host users
 * cannot reach a setuid file a container planted (Docker's CVE-2021-41091). */
int ovz_mkdir_area_parent(const char *area, struct ovz_error **err);
/* ovz_mkdir_area_parent, then area itself with mode when missing. */
int ovz_mkdir_area(const char *area, mode_t mode, struct ovz_error **err);
/* -EPERM, naming it, unless some directory above area (its parent, or one
 * further up) lets neither group nor others traverse it. */
int ovz_check_area_hidden(const char *area, struct ovz_error **err);

/* Splits "dir/base" into a newly allocated dir ("." when none) and base. */
void ovz_split_path(const char *path, char **dir, char **base);

/* 1 when the directory at fd has no entries, 0 when it has, or -errno. */
int ovz_dir_is_empty(int fd);

#endif
