// SPDX-License-Identifier: LGPL-2.1-or-later
#include "rootfs.h"
#include "core/util.h"
#include "fs/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* ---- host side ---------------------------------------------------------- */

int ovz_root_is_mounted(const char *root, struct ovz_error **err)
{
	int r = ovz_path_is_mount_root(root);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? ovz_error_sys(err, -r, "is '%s' a mount point", root) : r;
}

static bool same_inode(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int ovz_mount_private_on_root(const char *private_dir, const char *root,
			      struct ovz_error **err)
{
	struct stat st;
	if (stat(private_dir, &st) < 0)
		return ovz_error_sys(err, errno, "private area '%s'", private_dir);
	if (!S_ISDIR(st.st_mode))
		return ovz_error_set(err, ENOTDIR, "private area '%s' is not a directory",
				     private_dir);
	int r = ovz_mkdir_area(root, 0755, err);
	if (r < 0)
		return r;
	r = ovz_root_is_mounted(root, err);
	if (r < 0)
		return r;
	if (r == 1) {
		if (same_inode(private_dir, root))
			return 0;
		return ovz_error_set(err, EBUSY, "'%s' is already a mount point of something else",
				     root);
	}
	if (mount(private_dir, root, NULL, MS_BIND, NULL) < 0)
		return ovz_error_sys(err, errno, "bind mount '%s' on '%s'", private_dir, root);
	return 0;
}

int ovz_umount_root(const char *root, struct ovz_error **err)
{
	if (umount2(root, MNT_DETACH | UMOUNT_NOFOLLOW) == 0 || errno == ENOENT)
		return 0;
	/* EINVAL: not a mount point, or UMOUNT_NOFOLLOW unknown (before 2.6.34;
	 * 042stab has it): a directory that is a mount root is no symlink */
	if (errno == EINVAL) {
		if (ovz_path_is_mount_root(root) != 1 || umount2(root, MNT_DETACH) == 0)
			return 0;
	}
	return ovz_error_sys(err, errno, "unmount '%s'", root);
}

/* ---- container side: helpers -------------------------------------------- */

/* Opens dirfd/name (one component, created when missing) for mounting on.
 * No symlink is followed, not even one that would stay inside the root:
 * a symlinked /proc is a sign of a tampered container. */
static int open_target(int dirfd, const char *name, mode_t mode, const char *shown,
		       struct ovz_error **err)
{
	if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
		return ovz_error_sys(err, errno, "mkdir '%s' in the container", shown);
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	/* before 5.6: name is one component, so O_NOFOLLOW refuses the same */
	if (fd < 0 && errno == ENOSYS) {
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;	/* newer kernels say ENOTDIR for a symlink */
		if (fd < 0 && errno == ENOTDIR && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			errno = ELOOP;
	}
	if (fd >= 0)
		return fd;
	if (errno == ELOOP)
		return ovz_error_set(err, ELOOP,
				     "'%s' in the container is a symlink: refusing to mount on it",
				     shown);
	if (errno == ENOTDIR)
		return ovz_error_set(err, ENOTDIR, "'%s' in the container is not a directory",
				     shown);
	return ovz_error_sys(err, errno, "open '%s' in the container", shown);
}

/* The filesystem's own words on a failed fsconfig ("e tmpfs: Bad value for 'mode'"). */
static void fs_message(int fsfd, char *buf, size_t len)
{
	ssize_t n = read(fsfd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

struct fs_opt {
	const char *key;
	const char *value;	/* NULL for a flag */
};

static int configure_fs(int fsfd, const char *fstype, const struct fs_opt *opts, size_t n,
			struct ovz_error **err)
{
	for (size_t i = 0; i <= n; i++) {
		int r = i == n ? fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)
			: opts[i].value ? fsconfig(fsfd, FSCONFIG_SET_STRING, opts[i].key, opts[i].value, 0)
					: fsconfig(fsfd, FSCONFIG_SET_FLAG, opts[i].key, NULL, 0);
		if (r == 0)
			continue;
		int e = errno;
		char msg[256];
		fs_message(fsfd, msg, sizeof(msg));
		const char *what = i == n ? "create" : opts[i].key;
		if (*msg)
			return ovz_error_set(err, e, "%s option '%s': %s", fstype, what, msg);
		return ovz_error_sys(err, e, "%s option '%s'", fstype, what);
	}
	return 0;
}

/* ---- classic mount(2), for kernels without the new mount API ----------- */

static unsigned long ms_flags(uint64_t attrs)
{
	return (attrs & MOUNT_ATTR_RDONLY ? MS_RDONLY : 0) |
	       (attrs & MOUNT_ATTR_NOSUID ? MS_NOSUID : 0) |
	       (attrs & MOUNT_ATTR_NODEV ? MS_NODEV : 0) |
	       (attrs & MOUNT_ATTR_NOEXEC ? MS_NOEXEC : 0);
}

/* mount(2) with paths relative to dirfd's directory, reached as the working
 * directory: "." is that directory itself, not a name the container's files
 * could turn into a symlink.  Returns 0 or -errno. */
static int mount_in(int dirfd, const char *src, const char *tgt, const char *fstype,
		    unsigned long flags, const char *data)
{
	_cleanup_close_ int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return -errno;
	if (fchdir(dirfd) < 0)
		return -errno;
	int r = mount(src, tgt, fstype, flags, data) < 0 ? -errno : 0;
	if (fchdir(cwd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int mount_fs_classic(int target, const char *fstype, const struct fs_opt *opts,
			    size_t n, unsigned attrs, const char *shown, struct ovz_error **err)
{
	struct strbuf data = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (data.len)
			strbuf_putc(&data, ',');
		strbuf_puts(&data, opts[i].key);
		if (opts[i].value)
			strbuf_printf(&data, "=%s", opts[i].value);
	}
	int r = mount_in(target, fstype, ".", fstype, ms_flags(attrs), data.buf);
	free(data.buf);
	return r < 0 ? ovz_error_sys(err, -r, "mount %s on '%s'", fstype, shown) : 0;
}

/* A bind of dirfd/path on itself, then its flags; 0 or -errno. */
static int rebind_classic(int dirfd, const char *path, unsigned long flags)
{
	int r = mount_in(dirfd, path, path, NULL, MS_BIND, NULL);
	return r < 0 ? r : mount_in(dirfd, NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL);
}

/* ---- mounting on a directory fd ----------------------------------------- */

/* The new mount API (5.2): a new fstype instance on target; returns an O_PATH
 * fd of the new mount's root, or -ENOSYS (no error set) without the API. */
static int mount_fs_new(int target, const char *fstype, const struct fs_opt *opts, size_t n,
			unsigned attrs, const char *shown, struct ovz_error **err)
{
	_cleanup_close_ int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return errno == ENOSYS ? -ENOSYS : ovz_error_sys(err, errno, "fsopen %s", fstype);
	int r = configure_fs(fsfd, fstype, opts, n, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "mounting %s on '%s'", fstype, shown);
	int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0)
		return ovz_error_sys(err, errno, "fsmount %s for '%s'", fstype, shown);
	if (move_mount(mfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		r = ovz_error_sys(err, errno, "mount %s on '%s'", fstype, shown);
		close(mfd);
		return r;
	}
	return mfd;
}

/* Mounts a new fstype instance on dirfd/name (made with mode when
 * missing); returns an fd of the new mount's root. */
static int mount_fs_at(int dirfd, const char *name, mode_t mode, const char *fstype,
		       const struct fs_opt *opts, size_t n, unsigned attrs, const char *shown,
		       struct ovz_error **err)
{
	_cleanup_close_ int target = open_target(dirfd, name, mode, shown, err);
	if (target < 0)
		return target;
	int fd = mount_fs_new(target, fstype, opts, n, attrs, shown, err);
	if (fd != -ENOSYS)
		return fd;
	int r = mount_fs_classic(target, fstype, opts, n, attrs, shown, err);
	if (r < 0)
		return r;
	/* the name now leads into the new mount; nothing runs in the
	 * container yet that could have replaced it */
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd >= 0 ? fd : ovz_error_sys(err, errno, "open the new %s on '%s'", fstype, shown);
}

/* Binds a clone of dirfd/path on top of itself with extra mount attributes. */
static int rebind_with(int dirfd, const char *path, uint64_t attrs, const char *shown,
		       struct ovz_error **err)
{
	_cleanup_close_ int tree = open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 && errno != ENOSYS)
		return ovz_error_sys(err, errno, "clone mount '%s'", shown);
	struct mount_attr attr = { .attr_set = attrs };
	if (tree >= 0 && mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0) {
		if (move_mount(tree, "", dirfd, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return ovz_error_sys(err, errno, "bind '%s' on itself", shown);
		return 0;
	}
	if (tree >= 0 && errno != ENOSYS)
		return ovz_error_sys(err, errno, "set attributes of '%s'", shown);
	/* before 5.2 (open_tree) or 5.12 (mount_setattr) */
	int r = rebind_classic(dirfd, path, ms_flags(attrs));
	return r < 0 ? ovz_error_sys(err, -r, "bind '%s' on itself with its flags", shown) : 0;
}

/* ---- container side: steps ---------------------------------------------- */

int ovz_rootfs_make_slave(struct ovz_error **err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return ovz_error_sys(err, errno, "make '/' a recursive slave");
	return 0;
}

int ovz_rootfs_bind_self(const char *root, struct ovz_error **err)
{
	_cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open root '%s'", root);
	int r = ovz_fd_is_mount_root(fd);
	if (r < 0)
		return ovz_error_sys(err, -r, "is '%s' a mount point", root);
	if (r == 1)
		return 0;
	_cleanup_close_ int tree =
		open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0 && errno == ENOSYS) {	/* before 5.2 */
		r = mount_in(fd, ".", ".", NULL, MS_BIND | MS_REC, NULL);
		return r < 0 ? ovz_error_sys(err, -r, "bind '%s' on itself", root) : 0;
	}
	if (tree < 0)
		return ovz_error_sys(err, errno, "clone '%s'", root);
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ovz_error_sys(err, errno, "bind '%s' on itself", root);
	return 0;
}

/* Before 5.2: sys bound on itself read-only, then sys/net (which that
 * bind would make read-only too) on itself writable. */
static int mask_sys_classic(int procfd, uint64_t ro, struct ovz_error **err)
{
	int r = rebind_classic(procfd, "sys", ms_flags(ro));
	if (r < 0)
		return ovz_error_sys(err, -r, "bind '/proc/sys' read-only");
	r = rebind_classic(procfd, "sys/net", ms_flags(ro & ~(uint64_t)MOUNT_ATTR_RDONLY));
	return r < 0 ? ovz_error_sys(err, -r, "bind '/proc/sys/net' writable") : 0;
}

static int mask_proc(int procfd, struct ovz_error **err)
{
	const uint64_t ro = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC;
	/* cloned before /proc/sys turns read-only, so it stays writable */
	_cleanup_close_ int net = open_tree(procfd, "sys/net", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int r;
	if (net < 0 && errno == ENOSYS) {
		r = mask_sys_classic(procfd, ro, err);
	} else if (net < 0) {
		return ovz_error_sys(err, errno, "clone mount '/proc/sys/net'");
	} else {
		r = rebind_with(procfd, "sys", ro, "/proc/sys", err);
		if (r == 0 && move_mount(net, "", procfd, "sys/net", MOVE_MOUNT_F_EMPTY_PATH) < 0)
			r = ovz_error_sys(err, errno, "bind '/proc/sys/net' back writable");
	}
	if (r < 0)
		return r;
	/* kernels without CONFIG_MAGIC_SYSRQ have none */
	struct stat st;
	if (fstatat(procfd, "sysrq-trigger", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return 0;
	return rebind_with(procfd, "sysrq-trigger", ro, "/proc/sysrq-trigger", err);
}

int ovz_rootfs_mount_proc(int rootfd, struct ovz_error **err)
{
	_cleanup_close_ int procfd = mount_fs_at(rootfd, "proc", 0555, "proc", NULL, 0,
						 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
							 MOUNT_ATTR_NOEXEC,
						 "/proc", err);
	if (procfd < 0)
		return procfd;
	return mask_proc(procfd, err);
}

int ovz_rootfs_mount_sys(int rootfd, struct ovz_error **err)
{
	int fd = mount_fs_at(rootfd, "sys", 0555, "sysfs", NULL, 0,
			     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				     MOUNT_ATTR_NOEXEC,
			     "/sys", err);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

struct dev_node {
	const char *name;
	unsigned major, minor;
	mode_t mode;
};

static const struct dev_node dev_nodes[] = {
	{ "null", 1, 3, 0666 },
	{ "zero", 1, 5, 0666 },
	{ "full", 1, 7, 0666 },
	{ "random", 1, 8, 0666 },
	{ "urandom", 1, 9, 0666 },
	{ "tty", 5, 0, 0666 },
};

static const struct { const char *name, *target; } dev_links[] = {
	{ "ptmx", "pts/ptmx" },
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

/* devfd is our fresh tmpfs: nothing in it comes from the container. */
static int make_nodes(int devfd, struct ovz_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		const struct dev_node *d = &dev_nodes[i];
		if (mknodat(devfd, d->name, S_IFCHR | d->mode, makedev(d->major, d->minor)) < 0)
			return ovz_error_sys(err, errno, "mknod '/dev/%s'", d->name);
		/* the umask may have cut the mode */
		if (fchmodat(devfd, d->name, d->mode, 0) < 0)
			return ovz_error_sys(err, errno, "chmod '/dev/%s'", d->name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0)
			return ovz_error_sys(err, errno, "symlink '/dev/%s'", dev_links[i].name);
	return 0;
}

static int mount_devpts(int devfd, struct ovz_error **err)
{
	static const struct fs_opt opts[] = {
		{ "newinstance", NULL }, { "ptmxmode", "0666" }, { "mode", "0620" }, { "gid", "5" },
	};
	int fd = mount_fs_at(devfd, "pts", 0755, "devpts", opts, ARRAY_SIZE(opts),
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev/pts", err);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int mount_shm(int devfd, struct ovz_error **err)
{
	static const struct fs_opt opts[] = { { "mode", "1777" } };
	int fd = mount_fs_at(devfd, "shm", 01777, "tmpfs", opts, ARRAY_SIZE(opts),
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "/dev/shm", err);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* A clone of the pty's mount.  An fd opened before the mount namespace was
 * unshared names the host's mount, which cannot be cloned from here: then
 * the same path is looked up in this namespace and checked to be the same
 * device. */
static int clone_console(int console_fd, struct ovz_error **err)
{
	struct stat want;
	if (fstat(console_fd, &want) < 0)
		return ovz_error_sys(err, errno, "console fd %d", console_fd);
	if (!S_ISCHR(want.st_mode))
		return ovz_error_set(err, EINVAL, "console fd %d is not a terminal", console_fd);
	int tree = open_tree(console_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0 && errno == ENOSYS)
		return -ENOSYS;	/* no error set: bind_console binds it the old way */
	if (tree >= 0 || errno != EINVAL)
		return tree >= 0 ? tree : ovz_error_sys(err, errno, "clone console mount");
	char link[64], path[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", console_fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return ovz_error_sys(err, errno, "readlink '%s'", link);
	path[n] = '\0';
	tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return ovz_error_sys(err, errno, "clone console mount '%s'", path);
	struct stat got;
	if (fstat(tree, &got) < 0 || got.st_rdev != want.st_rdev) {
		close(tree);
		return ovz_error_set(err, EINVAL, "console '%s' is not the pty of fd %d", path,
				     console_fd);
	}
	return tree;
}

/* Before 5.2: mount(2) by the /proc/self/fd links; the pty's mount as
 * clone_console finds it. */
static int bind_console_classic(int console_fd, int file, struct ovz_error **err)
{
	char link[64], dst[64], src[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", console_fd);
	snprintf(dst, sizeof(dst), "/proc/self/fd/%d", file);
	if (mount(link, dst, NULL, MS_BIND, NULL) == 0)
		return 0;
	if (errno != EINVAL)	/* EINVAL: the pty's mount is another namespace's */
		return ovz_error_sys(err, errno, "bind the console on '/dev/console'");
	struct stat want, got;
	ssize_t n = readlink(link, src, sizeof(src) - 1);
	if (n < 0 || fstat(console_fd, &want) < 0)
		return ovz_error_sys(err, errno, "console fd %d", console_fd);
	src[n] = '\0';
	if (stat(src, &got) < 0 || got.st_rdev != want.st_rdev)
		return ovz_error_set(err, EINVAL, "console '%s' is not the pty of fd %d", src,
				     console_fd);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return ovz_error_sys(err, errno, "bind the console '%s' on '/dev/console'", src);
	return 0;
}

static int bind_console(int devfd, int console_fd, struct ovz_error **err)
{
	_cleanup_close_ int tree = clone_console(console_fd, err);
	if (tree < 0 && tree != -ENOSYS)
		return tree;
	_cleanup_close_ int file = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
					  0600);
	if (file < 0)
		return ovz_error_sys(err, errno, "create '/dev/console'");
	if (tree == -ENOSYS)
		return bind_console_classic(console_fd, file, err);
	if (move_mount(tree, "", file, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ovz_error_sys(err, errno, "bind the console on '/dev/console'");
	return 0;
}

int ovz_rootfs_mount_dev(int rootfd, int console_fd, struct ovz_error **err)
{
	static const struct fs_opt opts[] = { { "mode", "755" }, { "size", "4m" } };
	_cleanup_close_ int devfd = mount_fs_at(rootfd, "dev", 0755, "tmpfs", opts, ARRAY_SIZE(opts),
						MOUNT_ATTR_NOSUID, "/dev", err);
	if (devfd < 0)
		return devfd;
	int r = make_nodes(devfd, err);
	if (r >= 0)
		r = mount_devpts(devfd, err);
	if (r >= 0)
		r = mount_shm(devfd, err);
	if (r >= 0 && console_fd >= 0)
		r = bind_console(devfd, console_fd, err);
	return r;
}

int ovz_rootfs_pivot(int rootfd, struct ovz_error **err)
{
	if (fchdir(rootfd) < 0)
		return ovz_error_sys(err, errno, "chdir to the new root");
	/* the old root ends up stacked on "." and is detached right away */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ovz_error_sys(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return ovz_error_sys(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return ovz_error_sys(err, errno, "chdir '/'");
	return 0;
}

/* ---- masking, after pivot_root ------------------------------------------
 * runc's and LXC's lists.  Plain mount(2), which every kernel has (OpenVZ
 * 7's 3.10 too).  The paths lie in the proc and sysfs just mounted, which
 * the container has not touched yet; what a kernel lacks is skipped. */

/* host-wide kernel state: read-only */
static const char *const readonly_dirs[] = { "/proc/bus", "/proc/fs", "/proc/irq" };
/* host-wide secrets and addresses: /dev/null bound over them */
static const char *const masked_files[] = {
	"/proc/kcore", "/proc/keys", "/proc/key-users", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
};
/* host hardware: an empty read-only tmpfs over them */
static const char *const masked_dirs[] = {
	"/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware",
	"/sys/devices/virtual/powercap",
};

#define MASK_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int mount_or_skip(const char *src, const char *dst, const char *type, unsigned long flags,
			 const char *data, struct ovz_error **err)
{
	if (mount(src, dst, type, flags, data) == 0 || errno == ENOENT)
		return 0;
	return ovz_error_sys(err, errno, "masking '%s'", dst);
}

static int make_readonly(const char *path, struct ovz_error **err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "bind '%s' on itself", path);
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MASK_FLAGS, NULL) < 0)
		return ovz_error_sys(err, errno, "make '%s' read-only", path);
	return 0;
}

int ovz_rootfs_mask(struct ovz_error **err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(readonly_dirs); i++)
		r = make_readonly(readonly_dirs[i], err);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(masked_files); i++)
		r = mount_or_skip("/dev/null", masked_files[i], NULL, MS_BIND, NULL, err);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(masked_dirs); i++)
		r = mount_or_skip("tmpfs", masked_dirs[i], "tmpfs", MS_RDONLY | MASK_FLAGS,
				  "mode=0555,size=4k", err);
	return r;
}

int ovz_rootfs_setup(const char *root, int console_fd, struct ovz_error **err)
{
	int r = ovz_rootfs_make_slave(err);
	if (r >= 0)
		r = ovz_rootfs_bind_self(root, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "setting up root '%s'", root);
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ovz_error_sys(err, errno, "open root '%s'", root);
	r = ovz_rootfs_mount_proc(rootfd, err);
	if (r >= 0)
		r = ovz_rootfs_mount_sys(rootfd, err);
	if (r >= 0)
		r = ovz_rootfs_mount_dev(rootfd, console_fd, err);
	if (r >= 0)
		r = ovz_rootfs_pivot(rootfd, err);
	if (r >= 0)
		r = ovz_rootfs_mask(err);
	return r < 0 ? ovz_error_wrap(err, r, "setting up root '%s'", root) : 0;
}
