// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fs/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/util.h"

static int openat2_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static int walk_beneath(int dirfd, const char *rel, int flags)
{
	_cleanup_free_ char *copy = xstrdup(rel);
	int cur = -1;
	char *save = NULL;
	char *comp = strtok_r(copy, "/", &save);
	while (comp) {
		char *next = strtok_r(NULL, "/", &save);
		if (!strcmp(comp, "..")) {
			if (cur >= 0)
				close(cur);
			return -EXDEV;
		}
		int f = next ? O_PATH | O_DIRECTORY : flags;
		int fd = openat(cur >= 0 ? cur : dirfd, comp, f | O_CLOEXEC | O_NOFOLLOW);
		int e = errno;
		if (cur >= 0)
			close(cur);
		if (fd < 0)
			return -e;
		cur = fd;
		comp = next;
	}
	if (cur < 0)
		cur = openat(dirfd, ".", flags | O_CLOEXEC);
	return cur < 0 ? -errno : cur;
}

int ovz_open_beneath(int dirfd, const char *rel, int flags)
{
	if (rel[0] == '/')
		return -EXDEV;
	if (!rel[0])
		rel = ".";
	int fd = openat2_beneath(dirfd, rel, flags);
	if (fd != -ENOSYS)
		return fd;
	return walk_beneath(dirfd, rel, flags);
}

static int check_regular(int fd, size_t max, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return -errno;
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	return (uint64_t)st->st_size > max ? -EFBIG : 0;
}

int ovz_open_regular_beneath(int dirfd, const char *rel, size_t max)
{
	_cleanup_close_ int path = ovz_open_beneath(dirfd, rel, O_PATH);
	if (path < 0)
		return path;
	struct stat want, got;
	int r = check_regular(path, max, &want);
	if (r < 0)
		return r;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path);
	int fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = check_regular(fd, max, &got);
	if (r == 0 && (got.st_dev != want.st_dev || got.st_ino != want.st_ino))
		r = -EAGAIN;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int ovz_read_regular_beneath(int dirfd, const char *rel, size_t max, char **out, size_t *len)
{
	_cleanup_close_ int fd = ovz_open_regular_beneath(dirfd, rel, max);
	if (fd < 0)
		return fd;
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sb.len + (size_t)n > max) {	/* it grew since the fstat */
			int e = n < 0 ? errno : EFBIG;
			strbuf_release(&sb);
			return -e;
		}
		if (n == 0)
			break;
		strbuf_putn(&sb, buf, (size_t)n);
	}
	if (len)
		*len = sb.len;
	*out = strbuf_steal(&sb);
	return 0;
}

int ovz_mkdir_area_parent(const char *area, struct ovz_error **err)
{
	_cleanup_free_ char *parent = NULL, *base = NULL, *up = NULL, *ignored = NULL;
	ovz_split_path(area, &parent, &base);
	ovz_split_path(parent, &up, &ignored);
	int r = strcmp(up, ".") ? mkdir_p(up, 0755, err) : 0;
	if (r < 0)
		return r;
	if (mkdir(parent, 0700) < 0 && errno != EEXIST)
		return ovz_error_sys(err, errno, "mkdir '%s'", parent);
	return 0;
}

int ovz_mkdir_area(const char *area, mode_t mode, struct ovz_error **err)
{
	int r = ovz_mkdir_area_parent(area, err);
	if (r < 0)
		return r;
	return mkdir_p(area, mode, err);
}

int ovz_check_area_hidden(const char *area, struct ovz_error **err)
{
	_cleanup_free_ char *dir = NULL, *base = NULL;
	ovz_split_path(area, &dir, &base);
	_cleanup_free_ char *first = xstrdup(dir);
	mode_t first_mode = 0;
	for (;;) {
		struct stat st;
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (!(st.st_mode & (S_IXGRP | S_IXOTH)))
				return 0;
			if (!strcmp(dir, first))
				first_mode = st.st_mode & 07777;
		}
		if (!strcmp(dir, "/") || !strcmp(dir, "."))
			break;
		char *next = NULL;
		free(base);
		ovz_split_path(dir, &next, &base);
		free(dir);
		dir = next;
	}
	return ovz_error_set(err, EPERM, "'%s' (holding '%s') is group- or world-traversable "
			     "(mode %04o) and so is every directory above it: host users could "
			     "run setuid files of containers; chmod 0700 '%s'", first, area,
			     (unsigned)first_mode, first);
}

void ovz_split_path(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*dir = xstrdup(".");
		*base = xstrdup(path);
		return;
	}
	*dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	*base = xstrdup(slash + 1);
}

int ovz_dir_is_empty(int fd)
{
	int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return -errno;
	DIR *dir = fdopendir(d);
	if (!dir) {
		close(d);
		return -errno;
	}
	struct dirent *de;
	int empty = 1;
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	}
	closedir(dir);
	return empty;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *out = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* 1 when path (as this process sees it) is a mount point in
 * /proc/self/mountinfo, 0 when not, -errno when that cannot be read. */
static int mountinfo_has(const char *path)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 64 << 20, &text, NULL, NULL);
	if (r < 0)
		return r;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* id parent major:minor root MOUNT_POINT ... */
		char *field = line;
		for (int i = 0; i < 4 && field; i++) {
			field = strchr(field, ' ');
			field = field ? field + 1 : NULL;
		}
		if (!field)
			continue;
		field[strcspn(field, " ")] = '\0';
		unescape_octal(field);
		if (strcmp(field, path) == 0)
			return 1;
	}
	return 0;
}

/* Without STATX_ATTR_MOUNT_ROOT (before 5.8; glibc's statx emulation
 * without the statx syscall, before 4.11): another device than the parent
 * is a mount root; on the same device only the mount table can tell a
 * bind mount from a plain directory. */
static int mount_root_by_table(int fd)
{
	struct stat st, up;
	if (fstat(fd, &st) < 0 || fstatat(fd, "..", &up, 0) < 0)
		return -errno;
	if (st.st_dev != up.st_dev || st.st_ino == up.st_ino)
		return 1;
	char link[64], path[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return -errno;
	path[n] = '\0';
	return mountinfo_has(path);
}

int ovz_fd_is_mount_root(int fd)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, 0, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
	return mount_root_by_table(fd);
}

int ovz_path_is_mount_root(const char *path)
{
	struct statx stx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
		return -errno;
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
	if (!S_ISDIR(stx.stx_mode))
		return 0;	/* a symlink, or a file: never a container's root */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return mount_root_by_table(fd);
}

static bool is_mount_root(int fd)
{
	return ovz_fd_is_mount_root(fd) == 1;
}

/* chattr -i -a: a container keeps CAP_LINUX_IMMUTABLE, as on OpenVZ. */
static void clear_flags(int fd)
{
	int flags;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 || !(flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)))
		return;
	flags &= ~(FS_IMMUTABLE_FL | FS_APPEND_FL);
	(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

/* Unlinks a non-directory; one that is immutable or append-only is a
 * regular file (nothing else is ever opened) whose flags are cleared first. */
static int unlink_entry(int dfd, const char *name)
{
	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	int e = errno;
	struct stat st;
	if (e != EPERM || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return -e;
	int fd = ovz_open_regular_beneath(dfd, name, (size_t)-1);
	if (fd < 0)
		return -e;
	clear_flags(fd);
	close(fd);
	return unlinkat(dfd, name, 0) == 0 || errno == ENOENT ? 0 : -errno;
}

/* One directory being emptied: where it is and what is left of it. */
struct rm_frame {
	char *name;		/* in its parent */
	dev_t dev;
	ino_t ino;
	char **subdirs;		/* found by the scan, removed one at a time */
	size_t next;
};

struct rm_walk {
	struct rm_frame *v;
	size_t n, cap;
	const char *top;	/* for messages */
};

static char *walk_path(const struct rm_walk *w, const char *leaf)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, w->top);
	for (size_t i = 1; i < w->n; i++) {
		strbuf_putc(&sb, '/');
		strbuf_puts(&sb, w->v[i].name);
	}
	if (leaf) {
		strbuf_putc(&sb, '/');
		strbuf_puts(&sb, leaf);
	}
	return strbuf_steal(&sb);
}

static int walk_fail(const struct rm_walk *w, struct ovz_error **err, int e, const char *what,
		     const char *leaf)
{
	_cleanup_free_ char *path = walk_path(w, leaf);
	if (e == EBUSY)
		return ovz_error_set(err, EBUSY, "'%s' %s", path, what);
	return ovz_error_sys(err, e, "%s '%s'", what, path);
}

/* Pushes the directory open at fd and removes everything in it but its
 * subdirectories, which it lists. */
static int walk_enter(struct rm_walk *w, int fd, const char *name, struct ovz_error **err)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ovz_error_sys(err, errno, "stat");
	w->v[w->n++] = (struct rm_frame){ .name = xstrdup(name), .dev = st.st_dev, .ino = st.st_ino };
	struct rm_frame *f = &w->v[w->n - 1];
	if (is_mount_root(fd))
		return walk_fail(w, err, EBUSY, "is a mount point; not removing it", NULL);
	clear_flags(fd);
	int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = d < 0 ? NULL : fdopendir(d);
	if (!dir) {
		if (d >= 0)
			close(d);
		return walk_fail(w, err, errno, "open", NULL);
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(dir))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (de->d_type == DT_DIR) {
			strv_push(&f->subdirs, xstrdup(n));
			continue;
		}
		int e = -unlink_entry(fd, n);
		if (e == EISDIR || (e == EPERM && de->d_type == DT_UNKNOWN))
			strv_push(&f->subdirs, xstrdup(n));	/* DT_UNKNOWN that was one */
		else if (e)
			r = walk_fail(w, err, e, "unlink", n);
	}
	closedir(dir);
	return r;
}

static void walk_pop(struct rm_walk *w)
{
	struct rm_frame *f = &w->v[--w->n];
	free(f->name);
	strv_free(f->subdirs);
}

/* Depth-first with one descriptor at a time: up again through "..", which
 * must be the directory we came from (nothing else runs in a stopped
 * container's area, but a change is noticed rather than followed). */
static int rm_dir_tree(int dirfd, const char *name, struct ovz_error **err)
{
	int cur = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cur < 0)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "open '%s'", name);
	struct rm_walk w = { .top = name };
	int r = walk_enter(&w, cur, name, err);
	while (r == 0 && w.n > 0) {
		struct rm_frame *f = &w.v[w.n - 1];
		const char *sub = f->subdirs ? f->subdirs[f->next] : NULL;
		if (sub) {
			f->next++;
			int child = openat(cur, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (child < 0) {
				if (errno != ENOENT)
					r = walk_fail(&w, err, errno, "open", sub);
				continue;
			}
			close(cur);
			cur = child;
			r = walk_enter(&w, cur, sub, err);
			continue;
		}
		if (w.n == 1)
			break;
		int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;
		const struct rm_frame *parent = &w.v[w.n - 2];
		if (up < 0 || fstat(up, &st) < 0 || st.st_dev != parent->dev ||
		    st.st_ino != parent->ino) {
			if (up >= 0)
				close(up);
			r = walk_fail(&w, err, EBUSY, "moved while it was being removed", NULL);
			break;
		}
		close(cur);
		cur = up;
		if (unlinkat(cur, f->name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			r = walk_fail(&w, err, errno, "rmdir", NULL);
			break;
		}
		walk_pop(&w);
	}
	close(cur);
	while (w.n > 0)
		walk_pop(&w);
	free(w.v);
	if (r == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = ovz_error_sys(err, errno, "rmdir '%s'", name);
	return r;
}

int ovz_rm_tree_at(int dirfd, const char *name, struct ovz_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "stat '%s'", name);
	if (!S_ISDIR(st.st_mode)) {
		int r = unlink_entry(dirfd, name);
		return r < 0 ? ovz_error_sys(err, -r, "unlink '%s'", name) : 0;
	}
	return rm_dir_tree(dirfd, name, err);
}

int ovz_rm_tree(const char *path, struct ovz_error **err)
{
	_cleanup_free_ char *dir = NULL, *base = NULL;
	ovz_split_path(path, &dir, &base);
	if (!base[0] || !strcmp(base, ".") || !strcmp(base, ".."))
		return ovz_error_set(err, EINVAL, "refusing to remove '%s'", path);
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "open '%s'", dir);
	int r = ovz_rm_tree_at(dfd, base, err);
	close(dfd);
	if (r < 0)
		return ovz_error_wrap(err, r, "removing '%s'", path);
	return 0;
}
