// SPDX-License-Identifier: LGPL-2.1-or-later
/* Copy of an unpacked template tree into a private area, by descriptors
 * only.  Per file: FICLONE (shares extents on btrfs/xfs), else
 * copy_file_range over the data ranges (in-kernel; reflinks on its own where
 * it can), else read/write.  The first refusal of a method is remembered so
 * a tree on tmpfs or ext4 does not pay a failing syscall per file. */
#include "fs/private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/util.h"
#include "fs/fsutil.h"

#define MAX_DEPTH 512
#define COPY_BUF (1u << 20)

struct link_ent {
	dev_t dev;
	ino_t ino;
	char *path;		/* first copy, relative to the destination */
};

struct cloner {
	int dst_root;
	volatile sig_atomic_t *cancel;
	bool no_ficlone, no_copy_range;
	char *buf;
	struct link_ent *links;
	size_t n_links, cap_links;
	struct ovz_clone_stats *st;
};

static bool unsupported(int e)
{
	return e == EOPNOTSUPP || e == ENOTTY || e == EXDEV || e == EINVAL || e == ENOSYS || e == EBADF;
}

static int copy_xattrs(int sfd, int dfd, const char *spath, const char *dpath, const char *rel,
		       struct ovz_error **err)
{
	char names[65536];
	ssize_t n = sfd >= 0 ? flistxattr(sfd, names, sizeof(names)) : llistxattr(spath, names, sizeof(names));
	if (n < 0)
		return errno == ENOTSUP ? 0 : ovz_error_sys(err, errno, "'%s': list xattrs", rel);
	char value[65536];
	for (char *name = names; name < names + n; name += strlen(name) + 1) {
		ssize_t len = sfd >= 0 ? fgetxattr(sfd, name, value, sizeof(value))
				       : lgetxattr(spath, name, value, sizeof(value));
		if (len < 0)
			return ovz_error_sys(err, errno, "'%s': read xattr '%s'", rel, name);
		int r = dfd >= 0 ? fsetxattr(dfd, name, value, (size_t)len, 0)
				 : lsetxattr(dpath, name, value, (size_t)len, 0);
		if (r < 0 && errno != ENOTSUP)
			return ovz_error_sys(err, errno, "'%s': set xattr '%s'", rel, name);
	}
	return 0;
}

/* Owner, mode, xattrs, times of an open file or directory. */
static int copy_attrs_fd(int sfd, int dfd, const struct stat *st, const char *rel, struct ovz_error **err)
{
	if (fchown(dfd, st->st_uid, st->st_gid) < 0 && geteuid() == 0)
		return ovz_error_sys(err, errno, "'%s': fchown", rel);
	if (fchmod(dfd, st->st_mode & 07777) < 0)
		return ovz_error_sys(err, errno, "'%s': fchmod", rel);
	int r = copy_xattrs(sfd, dfd, NULL, NULL, rel, err);
	if (r < 0)
		return r;
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	if (futimens(dfd, ts) < 0)
		return ovz_error_sys(err, errno, "'%s': futimens", rel);
	return 0;
}

static int copy_range(struct cloner *c, int sfd, int dfd, off_t off, off_t end)
{
	while (off < end) {
		if (!c->no_copy_range) {
			off_t so = off, d = off;
			ssize_t n = copy_file_range(sfd, &so, dfd, &d, (size_t)(end - off), 0);
			if (n > 0) {
				off += n;
				c->st->copy_ranged++;
				continue;
			}
			if (n == 0)
				return -EIO;	/* the source shrank under us */
			if (!unsupported(errno))
				return -errno;
			c->no_copy_range = true;
		}
		ssize_t n = pread(sfd, c->buf, COPY_BUF < (size_t)(end - off) ? COPY_BUF : (size_t)(end - off), off);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		for (ssize_t w = 0; w < n;) {
			ssize_t k = pwrite(dfd, c->buf + w, (size_t)(n - w), off + w);
			if (k < 0)
				return -errno;
			w += k;
		}
		off += n;
		c->st->copied++;
	}
	return 0;
}

/* Data ranges only, so holes stay holes. */
static int copy_data(struct cloner *c, int sfd, int dfd, const struct stat *st)
{
	if (!c->no_ficlone) {
		if (ioctl(dfd, FICLONE, sfd) == 0) {
			c->st->reflinked++;
			return 0;
		}
		if (!unsupported(errno))
			return -errno;
		c->no_ficlone = true;
	}
	off_t off = 0;
	while (off < st->st_size) {
		off_t data = lseek(sfd, off, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break;	/* only a hole remains */
		off_t hole = data < 0 ? -1 : lseek(sfd, data, SEEK_HOLE);
		if (data < 0)	/* no SEEK_DATA before 3.1: all of it is data */
			data = off;
		if (hole < 0)
			hole = st->st_size;
		int r = copy_range(c, sfd, dfd, data, hole);
		if (r < 0)
			return r;
		off = hole;
	}
	if (ftruncate(dfd, st->st_size) < 0)
		return -errno;
	return 0;
}

static struct link_ent *find_link(struct cloner *c, const struct stat *st)
{
	for (size_t i = 0; i < c->n_links; i++)
		if (c->links[i].ino == st->st_ino && c->links[i].dev == st->st_dev)
			return &c->links[i];
	return NULL;
}

static void remember_link(struct cloner *c, const struct stat *st, const char *rel)
{
	if (c->n_links == c->cap_links) {
		c->cap_links = c->cap_links ? 2 * c->cap_links : 64;
		c->links = xrealloc(c->links, c->cap_links * sizeof(*c->links));
	}
	c->links[c->n_links++] = (struct link_ent){ st->st_dev, st->st_ino, xstrdup(rel) };
}

static int clone_file(struct cloner *c, int sdir, int ddir, const char *name, const struct stat *st,
		      const char *rel, struct ovz_error **err)
{
	if (st->st_nlink > 1) {
		struct link_ent *l = find_link(c, st);
		if (l) {
			if (linkat(c->dst_root, l->path, ddir, name, 0) < 0)
				return ovz_error_sys(err, errno, "'%s': link", rel);
			return 0;
		}
		remember_link(c, st, rel);
	}
	int sfd = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return ovz_error_sys(err, errno, "'%s': open", rel);
	int dfd = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0) {
		int e = errno;
		close(sfd);
		return ovz_error_sys(err, e, "'%s': create", rel);
	}
	int r = copy_data(c, sfd, dfd, st);
	if (r < 0)
		r = ovz_error_sys(err, -r, "'%s': copy", rel);
	else
		r = copy_attrs_fd(sfd, dfd, st, rel, err);
	close(sfd);
	if (close(dfd) < 0 && r == 0)
		r = ovz_error_sys(err, errno, "'%s': close", rel);
	c->st->files++;
	c->st->bytes += (uint64_t)st->st_size;
	return r;
}

static int clone_node(struct cloner *c, int sdir, int ddir, const char *name, const struct stat *st,
		      const char *rel, struct ovz_error **err)
{
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(sdir, name, target, PATH_MAX);
		if (n < 0)
			return ovz_error_sys(err, errno, "'%s': readlink", rel);
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0)
			return ovz_error_sys(err, errno, "'%s': symlink", rel);
	} else if (mknodat(ddir, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0)
		return ovz_error_sys(err, errno, "'%s': mknod", rel);
	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 && geteuid() == 0)
		return ovz_error_sys(err, errno, "'%s': chown", rel);
	if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
		return ovz_error_sys(err, errno, "'%s': chmod", rel);
	char sp[64 + NAME_MAX], dp[64 + NAME_MAX];
	snprintf(sp, sizeof(sp), "/proc/self/fd/%d/%s", sdir, name);
	snprintf(dp, sizeof(dp), "/proc/self/fd/%d/%s", ddir, name);
	int r = copy_xattrs(-1, -1, sp, dp, rel, err);
	if (r < 0)
		return r;
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return ovz_error_sys(err, errno, "'%s': utimensat", rel);
	return 0;
}

static int clone_dir(struct cloner *c, int sfd, int dfd, const char *rel, unsigned depth,
		     struct ovz_error **err);

static int clone_subdir(struct cloner *c, int sdir, int ddir, const char *name, const struct stat *st,
			const char *rel, unsigned depth, struct ovz_error **err)
{
	if (depth >= MAX_DEPTH)
		return ovz_error_set(err, ELOOP, "'%s': tree too deep", rel);
	int sfd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return ovz_error_sys(err, errno, "'%s': open", rel);
	if (ovz_fd_is_mount_root(sfd) == 1) {
		close(sfd);
		return ovz_error_set(err, EXDEV, "'%s' is a mount point; not copying across it", rel);
	}
	int dfd = -1;
	int r = 0;
	if (mkdirat(ddir, name, 0700) < 0 ||
	    (dfd = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		r = ovz_error_sys(err, errno, "'%s': mkdir", rel);
	if (r == 0)
		r = clone_dir(c, sfd, dfd, rel, depth + 1, err);
	if (r == 0)
		r = copy_attrs_fd(sfd, dfd, st, rel, err);
	close(sfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

static int clone_entry(struct cloner *c, int sfd, int dfd, const char *name, const char *rel,
		       unsigned depth, struct ovz_error **err)
{
	struct stat st;
	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ovz_error_sys(err, errno, "'%s': stat", rel);
	if (S_ISDIR(st.st_mode))
		return clone_subdir(c, sfd, dfd, name, &st, rel, depth, err);
	if (S_ISREG(st.st_mode))
		return clone_file(c, sfd, dfd, name, &st, rel, err);
	return clone_node(c, sfd, dfd, name, &st, rel, err);
}

static int clone_dir(struct cloner *c, int sfd, int dfd, const char *rel, unsigned depth,
		     struct ovz_error **err)
{
	int d = dup(sfd);
	DIR *dir = d >= 0 ? fdopendir(d) : NULL;
	if (!dir) {
		if (d >= 0)
			close(d);
		return ovz_error_sys(err, errno, "'%s': opendir", rel);
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (c->cancel && *c->cancel) {
			r = ovz_error_set(err, EINTR, "interrupted");
			break;
		}
		_cleanup_free_ char *sub = rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		r = clone_entry(c, sfd, dfd, de->d_name, sub, depth, err);
	}
	closedir(dir);
	return r;
}

int ovz_clone_tree(int src_dirfd, int dst_dirfd, volatile sig_atomic_t *cancel,
		   struct ovz_clone_stats *st, struct ovz_error **err)
{
	struct ovz_clone_stats dummy;
	struct cloner c = { .dst_root = dst_dirfd, .cancel = cancel, .st = st ? st : &dummy };
	*c.st = (struct ovz_clone_stats){ 0 };
	c.buf = xmalloc(COPY_BUF);
	int r = clone_dir(&c, src_dirfd, dst_dirfd, "", 0, err);
	struct stat rs;
	if (r == 0 && fstat(src_dirfd, &rs) < 0)
		r = ovz_error_sys(err, errno, "stat the source");
	if (r == 0)
		r = copy_attrs_fd(src_dirfd, dst_dirfd, &rs, ".", err);
	for (size_t i = 0; i < c.n_links; i++)
		free(c.links[i].path);
	free(c.links);
	free(c.buf);
	return r;
}
