// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fs/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/util.h"

/* Deep enough for any real tree; bounds the descriptors held while removing. */
#define RM_MAX_DEPTH 512

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

static int rm_contents(int fd, const char *path, unsigned depth, struct ovz_error **err);

static int rm_subdir(int parent, const char *name, const char *path, unsigned depth,
		     struct ovz_error **err)
{
	if (depth > RM_MAX_DEPTH)
		return ovz_error_set(err, ELOOP, "'%s': tree too deep to remove", path);
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return ovz_error_sys(err, errno, "open '%s'", path);
	}
	if (is_mount_root(fd)) {
		close(fd);
		return ovz_error_set(err, EBUSY, "'%s' is a mount point; not removing it", path);
	}
	int r = rm_contents(fd, path, depth, err);
	close(fd);
	if (r < 0)
		return r;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "rmdir '%s'", path);
	return 0;
}

static int rm_contents(int fd, const char *path, unsigned depth, struct ovz_error **err)
{
	int d = dup(fd);
	if (d < 0)
		return ovz_error_sys(err, errno, "dup");
	DIR *dir = fdopendir(d);
	if (!dir) {
		close(d);
		return ovz_error_sys(err, errno, "opendir '%s'", path);
	}
	char **subdirs = NULL;
	int r = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (de->d_type == DT_DIR) {
			strv_push(&subdirs, xstrdup(n));
		} else if (de->d_type == DT_UNKNOWN) {
			if (unlinkat(fd, n, 0) == 0 || errno == ENOENT)
				continue;	/* DT_UNKNOWN that was not a directory */
			if (errno != EISDIR && errno != EPERM) {
				r = ovz_error_sys(err, errno, "unlink '%s/%s'", path, n);
				break;
			}
			strv_push(&subdirs, xstrdup(n));
		} else if (unlinkat(fd, n, 0) < 0 && errno != ENOENT) {
			r = ovz_error_sys(err, errno, "unlink '%s/%s'", path, n);
			break;
		}
	}
	closedir(dir);
	/* subdirectories after the listing is closed: one descriptor per level */
	for (size_t i = 0; r == 0 && subdirs && subdirs[i]; i++) {
		_cleanup_free_ char *sub = xasprintf("%s/%s", path, subdirs[i]);
		r = rm_subdir(fd, subdirs[i], sub, depth + 1, err);
	}
	strv_free(subdirs);
	return r;
}

int ovz_rm_tree_at(int dirfd, const char *name, struct ovz_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "stat '%s'", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return ovz_error_sys(err, errno, "unlink '%s'", name);
		return 0;
	}
	return rm_subdir(dirfd, name, name, 0, err);
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
