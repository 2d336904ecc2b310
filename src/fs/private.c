// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fs/private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "core/util.h"
#include "fs/fsutil.h"

#define MARKER_SUFFIX ".ovz-create"
#define OVERLAY_META ".ovz-overlay"

/* What the marker says the interrupted operation had reached. */
#define STEP_BUILDING "building\n"
#define STEP_RENAMING "renaming\n"	/* the rename may have happened */
#define STEP_DESTROYING "destroying\n"

const char *ovz_private_state_name(enum ovz_private_state s)
{
	switch (s) {
	case OVZ_PRIVATE_ABSENT: return "absent";
	case OVZ_PRIVATE_COMPLETE: return "complete";
	case OVZ_PRIVATE_INCOMPLETE: return "incomplete";
	case OVZ_PRIVATE_IN_PROGRESS: return "in-progress";
	}
	return "unknown";
}

const char *ovz_create_path_name(enum ovz_create_path p)
{
	switch (p) {
	case OVZ_PATH_EXTRACT: return "extract";
	case OVZ_PATH_REFLINK: return "clone (reflink)";
	case OVZ_PATH_COPY_FILE_RANGE: return "clone (copy_file_range)";
	case OVZ_PATH_COPY: return "clone (copy)";
	case OVZ_PATH_OVERLAY: return "overlay";
	}
	return "unknown";
}

struct area {
	char *priv, *tmp, *marker, *parent;
	char *layout;	/* PRIVATE.ovz-overlay: host-owned, beside the area */
	int marker_fd;
	int parent_fd;
};

static int area_open(struct area *a, const char *private_path, struct ovz_error **err)
{
	*a = (struct area){ .marker_fd = -1, .parent_fd = -1 };
	size_t len = strlen(private_path);
	while (len > 1 && private_path[len - 1] == '/')
		len--;
	a->priv = xstrndup(private_path, len);
	a->tmp = xasprintf("%s.tmp", a->priv);
	a->marker = xasprintf("%s" MARKER_SUFFIX, a->priv);
	a->layout = xasprintf("%s" OVERLAY_META, a->priv);
	char *base;
	ovz_split_path(a->priv, &a->parent, &base);
	bool bad = !base[0] || !strcmp(base, ".") || !strcmp(base, "..");
	free(base);
	if (bad)
		return ovz_error_set(err, EINVAL, "bad private area path '%s'", private_path);
	return 0;
}

static void area_close(struct area *a)
{
	if (a->marker_fd >= 0)
		close(a->marker_fd);
	if (a->parent_fd >= 0)
		close(a->parent_fd);
	free(a->priv);
	free(a->tmp);
	free(a->marker);
	free(a->layout);
	free(a->parent);
}

/* An OFD lock (3.15), or before that a flock(2) lock: both belong to the
 * open file description, and every process on a host uses the same. */
static int lock_fd(int fd, bool wait)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno == EINVAL && flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0)
		return 0;
	return errno == EACCES || errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

/* 1 when a lock_fd() lock is held on the file, 0 when not, or -errno. */
static int lock_held(int fd)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_OFD_GETLK, &fl) == 0)
		return fl.l_type != F_UNLCK;
	if (errno != EINVAL)
		return -errno;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK ? 1 : -errno;
}

static bool still_linked(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Takes the marker and its lock.  *stale tells that it was left by an
 * interrupted operation, whose step is copied into step. */
static int marker_acquire(struct area *a, bool wait, bool *stale, char *step, size_t step_len,
			  struct ovz_error **err)
{
	for (;;) {
		*stale = false;
		int fd = open(a->marker, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno == EEXIST) {
			fd = open(a->marker, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0 && errno == ENOENT)
				continue;	/* the holder just finished */
			*stale = true;
		}
		if (fd < 0)
			return ovz_error_sys(err, errno, "open '%s'", a->marker);
		int r = lock_fd(fd, wait);
		if (r == -EAGAIN) {
			close(fd);
			return ovz_error_set(err, EBUSY, "'%s' is being created or destroyed by another process",
					     a->priv);
		}
		if (r < 0) {
			close(fd);
			return ovz_error_sys(err, -r, "lock '%s'", a->marker);
		}
		/* the previous holder may have removed it between our open and lock */
		if (!still_linked(fd, a->marker)) {
			close(fd);
			continue;
		}
		if (*stale) {
			ssize_t n = pread(fd, step, step_len - 1, 0);
			step[n > 0 ? n : 0] = '\0';
			/* one we waited for that completed leaves an empty marker only
			 * if it died; a finished one unlinks it */
		}
		a->marker_fd = fd;
		return 0;
	}
}

static int marker_step(struct area *a, const char *step, struct ovz_error **err)
{
	size_t len = strlen(step);
	if (pwrite(a->marker_fd, step, len, 0) != (ssize_t)len || ftruncate(a->marker_fd, (off_t)len) < 0 ||
	    fdatasync(a->marker_fd) < 0)
		return ovz_error_sys(err, errno, "write '%s'", a->marker);
	return 0;
}

static void sync_parent(struct area *a)
{
	if (a->parent_fd >= 0)
		fsync(a->parent_fd);
}

/* Unlinks the marker while still holding its lock, then drops the lock. */
static void marker_release(struct area *a)
{
	if (a->marker_fd < 0)
		return;
	unlink(a->marker);
	sync_parent(a);
	close(a->marker_fd);
	a->marker_fd = -1;
}

static int clean_incomplete(struct area *a, const char *step, struct ovz_error **err)
{
	int r = ovz_rm_tree(a->tmp, err);
	if (r == 0 && (!strcmp(step, STEP_RENAMING) || !strcmp(step, STEP_DESTROYING)))
		r = ovz_rm_tree(a->priv, err);
	if (r == 0 && unlink(a->layout) < 0 && errno != ENOENT)
		r = ovz_error_sys(err, errno, "unlink '%s'", a->layout);
	if (r < 0)
		return ovz_error_wrap(err, r, "cleaning up an interrupted create of '%s'", a->priv);
	return 0;
}

static int open_parent(struct area *a, struct ovz_error **err)
{
	int r = ovz_mkdir_area_parent(a->priv, err);
	if (r < 0)
		return r;
	a->parent_fd = open(a->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->parent_fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", a->parent);
	return 0;
}

/* Takes the area: parent open, marker locked, leftovers of an interrupted
 * operation removed. */
static int area_take(struct area *a, bool wait, bool *cleaned, struct ovz_error **err)
{
	int r = open_parent(a, err);
	if (r < 0)
		return r;
	bool stale;
	char step[32];
	r = marker_acquire(a, wait, &stale, step, sizeof(step), err);
	if (r < 0)
		return r;
	*cleaned = false;
	if (stale) {
		r = clean_incomplete(a, step, err);
		if (r < 0)
			return r;
		*cleaned = true;
	}
	return 0;
}

static int check_target_empty(struct area *a, struct ovz_error **err)
{
	struct stat st;
	if (lstat(a->priv, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return ovz_error_sys(err, errno, "stat '%s'", a->priv);
	}
	if (!S_ISDIR(st.st_mode))
		return ovz_error_set(err, EEXIST, "private area '%s' exists and is not a directory", a->priv);
	int fd = open(a->priv, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", a->priv);
	int empty = ovz_dir_is_empty(fd);
	close(fd);
	if (empty < 0)
		return ovz_error_sys(err, -empty, "read '%s'", a->priv);
	if (!empty)
		return ovz_error_set(err, EEXIST, "private area '%s' already exists and is not empty", a->priv);
	return 0;
}

static int make_tmp(struct area *a, int *fd, struct ovz_error **err)
{
	if (mkdir(a->tmp, 0700) < 0) {
		if (errno == EEXIST)
			return ovz_error_set(err, EEXIST, "'%s' exists without our marker "
					     "(another tool creating it?)", a->tmp);
		return ovz_error_sys(err, errno, "mkdir '%s'", a->tmp);
	}
	*fd = open(a->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", a->tmp);
	/* drop a setgid bit inherited from the parent */
	if (fchmod(*fd, 0700) < 0)
		return ovz_error_sys(err, errno, "chmod '%s'", a->tmp);
	return 0;
}

/* ---- filling the area ---- */

static int fill_extract(int dfd, const struct ovz_create_opts *o, struct ovz_create_result *res,
			struct ovz_error **err)
{
	int afd = open(o->source, O_RDONLY | O_CLOEXEC);
	if (afd < 0)
		return ovz_error_sys(err, errno, "open '%s'", o->source);
	struct ovz_extract_opts eo = {
		.name = o->template_name ? o->template_name : o->source,
		.flags = o->extract_flags,
		.progress = o->progress,
		.userdata = o->userdata,
		.cancel = o->cancel,
	};
	int r = ovz_extract(afd, dfd, &eo, &res->extract, err);
	close(afd);
	if (r == 0 && !res->extract.root_entry && fchmod(dfd, 0755) < 0)
		r = ovz_error_sys(err, errno, "chmod private area");
	res->path = OVZ_PATH_EXTRACT;
	return r;
}

static int fill_clone(int dfd, const struct ovz_create_opts *o, struct ovz_create_result *res,
		      struct ovz_error **err)
{
	int sfd = open(o->source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return ovz_error_sys(err, errno, "open '%s'", o->source);
	struct ovz_clone_stats cs = { 0 };
	int r = ovz_clone_tree(sfd, dfd, o->cancel, &cs, err);
	close(sfd);
	res->files = cs.files;
	res->bytes = cs.bytes;
	if (cs.copied)
		res->path = OVZ_PATH_COPY;
	else if (cs.copy_ranged)
		res->path = OVZ_PATH_COPY_FILE_RANGE;
	else
		res->path = OVZ_PATH_REFLINK;
	return r;
}

static bool overlay_option_safe(const char *p)
{
	return p[0] == '/' && !strpbrk(p, ",:\\\n");
}

static int fill_overlay(int dfd, const struct ovz_create_opts *o, struct ovz_create_result *res,
			struct ovz_error **err)
{
	res->path = OVZ_PATH_OVERLAY;
	if (!overlay_option_safe(o->source))
		return ovz_error_set(err, EINVAL, "'%s' cannot be an overlay lower layer "
				     "(needs an absolute path without ',', ':' or '\\\\')", o->source);
	int lfd = open(o->source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0)
		return ovz_error_sys(err, errno, "open '%s'", o->source);
	struct stat st;
	int r = fstat(lfd, &st) < 0 ? ovz_error_sys(err, errno, "stat '%s'", o->source) : 0;
	close(lfd);
	if (r < 0)
		return r;
	if (mkdirat(dfd, "upper", 0755) < 0 || mkdirat(dfd, "work", 0700) < 0)
		return ovz_error_sys(err, errno, "mkdir upper/work");
	/* the merged root takes its attributes from the upper root */
	int ufd = openat(dfd, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0)
		return ovz_error_sys(err, errno, "open upper");
	struct timespec ts[2] = { st.st_atim, st.st_mtim };
	if (fchown(ufd, st.st_uid, st.st_gid) < 0 || fchmod(ufd, st.st_mode & 07777) < 0 || futimens(ufd, ts) < 0)
		r = ovz_error_sys(err, errno, "set attributes of upper");
	close(ufd);
	if (r < 0)
		return r;
	if (r == 0 && fchmod(dfd, 0755) < 0)
		r = ovz_error_sys(err, errno, "chmod private area");
	return r;
}

/* The layout goes beside the area, where the container cannot write. */
static int write_layout(const struct area *a, const char *lower, struct ovz_error **err)
{
	_cleanup_free_ char *text = xasprintf("%s\n", lower);
	int fd = open(a->layout, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ovz_error_sys(err, errno, "create '%s'", a->layout);
	int r = write_all(fd, text, strlen(text));
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r < 0 ? ovz_error_sys(err, -r, "write '%s'", a->layout) : 0;
}

static int fill_area(const struct area *a, int dfd, const struct ovz_create_opts *o,
		     struct ovz_create_result *res, struct ovz_error **err)
{
	if (!o->source)
		return ovz_error_set(err, EINVAL, "no template source given");
	int r;
	switch (o->mode) {
	case OVZ_CREATE_EXTRACT: return fill_extract(dfd, o, res, err);
	case OVZ_CREATE_CLONE: return fill_clone(dfd, o, res, err);
	case OVZ_CREATE_OVERLAY:
		r = fill_overlay(dfd, o, res, err);
		return r < 0 ? r : write_layout(a, o->source, err);
	}
	return ovz_error_set(err, EINVAL, "unknown create mode");
}

/* syncfs (2.6.39), or before it sync(2): every filesystem, the only way
 * old kernels have to wait for one. */
static int sync_fs(int fd, const char *path, struct ovz_error **err)
{
	if (syncfs(fd) == 0)
		return 0;
	if (errno != ENOSYS)
		return ovz_error_sys(err, errno, "syncfs '%s'", path);
	sync();
	return 0;
}

/* Nothing on tmpfs survives a power loss anyway; its syncfs still walks
 * the inodes (measured 0.2 s for a 6.7k-entry template). */
static bool is_volatile_fs(int fd)
{
	struct statfs sfs;
	return fstatfs(fd, &sfs) == 0 && (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC);
}

/* Everything after the marker is ours: build, sync, rename. */
static int build_and_rename(struct area *a, const struct ovz_create_opts *o,
			    struct ovz_create_result *res, struct ovz_error **err)
{
	int r = check_target_empty(a, err);
	if (r == 0)
		r = marker_step(a, STEP_BUILDING, err);
	if (r < 0)
		return r;
	sync_parent(a);
	int dfd = -1;
	r = make_tmp(a, &dfd, err);
	if (r == 0)
		r = fill_area(a, dfd, o, res, err);
	if (r == 0 && !o->no_sync && !is_volatile_fs(dfd))
		r = sync_fs(dfd, a->tmp, err);
	if (dfd >= 0)
		close(dfd);
	if (r == 0)
		r = marker_step(a, STEP_RENAMING, err);
	if (r == 0 && rename(a->tmp, a->priv) < 0)
		r = ovz_error_sys(err, errno, "rename '%s' to '%s'", a->tmp, a->priv);
	if (r < 0) {
		ovz_rm_tree(a->tmp, NULL);
		unlink(a->layout);
		return r;
	}
	if (fsync(a->parent_fd) < 0) {
		/* the marker stays: the next create or destroy cleans up */
		close(a->marker_fd);
		a->marker_fd = -1;
		return ovz_error_sys(err, errno, "fsync '%s'", a->parent);
	}
	return 0;
}

int ovz_private_create(const char *private_path, const struct ovz_create_opts *o,
		       struct ovz_create_result *res, struct ovz_error **err)
{
	struct ovz_create_result dummy;
	if (!res)
		res = &dummy;
	*res = (struct ovz_create_result){ 0 };
	struct area a;
	int r = area_open(&a, private_path, err);
	if (r == 0)
		r = area_take(&a, o->wait, &res->cleaned_incomplete, err);
	if (r == 0)
		r = build_and_rename(&a, o, res, err);
	marker_release(&a);
	area_close(&a);
	if (r < 0)
		return ovz_error_wrap(err, r, "creating '%s'", private_path);
	return 0;
}

int ovz_private_destroy(const char *private_path, struct ovz_error **err)
{
	struct area a;
	bool cleaned;
	int r = area_open(&a, private_path, err);
	if (r == 0)
		r = area_take(&a, false, &cleaned, err);
	if (r == 0)
		r = marker_step(&a, STEP_DESTROYING, err);
	if (r == 0)
		r = ovz_rm_tree(a.tmp, err);
	if (r == 0)
		r = ovz_rm_tree(a.priv, err);
	if (r == 0 && unlink(a.layout) < 0 && errno != ENOENT)
		r = ovz_error_sys(err, errno, "unlink '%s'", a.layout);
	/* on failure the marker stays, so list shows the area as incomplete */
	if (r == 0)
		marker_release(&a);
	area_close(&a);
	if (r < 0)
		return ovz_error_wrap(err, r, "destroying '%s'", private_path);
	return 0;
}

int ovz_private_state(const char *private_path, enum ovz_private_state *state,
		      struct ovz_error **err)
{
	struct area a;
	int r = area_open(&a, private_path, err);
	if (r < 0) {
		area_close(&a);
		return r;
	}
	int fd = open(a.marker, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		struct stat st;
		if (errno != ENOENT)
			r = ovz_error_sys(err, errno, "open '%s'", a.marker);
		else
			*state = lstat(a.priv, &st) == 0 ? OVZ_PRIVATE_COMPLETE : OVZ_PRIVATE_ABSENT;
		area_close(&a);
		return r;
	}
	int held = lock_held(fd);
	if (held < 0)
		r = ovz_error_sys(err, -held, "probe lock on '%s'", a.marker);
	else
		*state = held ? OVZ_PRIVATE_IN_PROGRESS : OVZ_PRIVATE_INCOMPLETE;
	close(fd);
	area_close(&a);
	return r;
}

/* ---- overlay ---- */

/* An area made before the layout moved beside it has it in PRIVATE/.ovz-overlay,
 * where a container of the bind layout (whose root is PRIVATE) or a template
 * can write it too.  It is believed only when read without following a
 * symlink or opening anything but a small regular file, when the area has
 * the overlay's upper/ and work/ directories, and when it names a tree of
 * TEMPLATE/unpacked: then it is copied beside the area. */
static int legacy_lower(const struct area *a, const char *unpacked_dir, char **lower,
			struct ovz_error **err)
{
	_cleanup_close_ int dfd = open(a->priv, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	struct stat st;
	bool shaped = fstatat(dfd, OVERLAY_META, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		      fstatat(dfd, "upper", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
		      fstatat(dfd, "work", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
	if (!shaped)
		return 0;	/* a bind area: whatever its root holds is the container's */
	char *text = NULL;
	int r = ovz_read_regular_beneath(dfd, OVERLAY_META, 4096, &text, NULL);
	if (r < 0)
		return ovz_error_sys(err, -r, "'%s/" OVERLAY_META "' (the layout of an older overlay "
				     "area) is not a small regular file", a->priv);
	text[strcspn(text, "\n")] = '\0';
	_cleanup_free_ char *dir = NULL, *base = NULL;
	ovz_split_path(text, &dir, &base);
	if (strcmp(dir, unpacked_dir) != 0 || !base[0] || base[0] == '.' || lstat(text, &st) < 0 ||
	    !S_ISDIR(st.st_mode)) {
		r = ovz_error_set(err, EPERM, "'%s/" OVERLAY_META "' names '%s', which is not an "
				  "unpacked template in '%s': not used", a->priv, text, unpacked_dir);
		free(text);
		return r;
	}
	r = write_layout(a, text, err);
	if (r < 0) {
		free(text);
		return r;
	}
	*lower = text;
	return 0;
}

int ovz_overlay_lower(const char *private_path, const char *unpacked_dir, char **lower,
		      struct ovz_error **err)
{
	*lower = NULL;
	struct area a;
	int r = area_open(&a, private_path, err);
	_cleanup_close_ int pfd = r < 0 ? -1 : open(a.parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r == 0 && pfd < 0 && errno != ENOENT)
		r = ovz_error_sys(err, errno, "open '%s'", a.parent);
	if (r < 0 || pfd < 0) {
		area_close(&a);
		return r;
	}
	const char *name = strrchr(a.layout, '/') + 1;
	char *text = NULL;
	r = ovz_read_regular_beneath(pfd, name, 4096, &text, NULL);
	if (r == 0) {
		text[strcspn(text, "\n")] = '\0';
		*lower = text;
	} else if (r == -ENOENT) {
		r = unpacked_dir ? legacy_lower(&a, unpacked_dir, lower, err) : 0;
	} else {
		r = ovz_error_sys(err, -r, "read '%s'", a.layout);
	}
	area_close(&a);
	return r;
}

int ovz_overlay_mount(const char *private_path, const char *lower, const char *target,
		      struct ovz_error **err)
{
	_cleanup_free_ char *upper = xasprintf("%s/upper", private_path);
	_cleanup_free_ char *work = xasprintf("%s/work", private_path);
	if (!overlay_option_safe(lower) || !overlay_option_safe(upper))
		return ovz_error_set(err, EINVAL, "paths of '%s' cannot be overlay options", private_path);
	_cleanup_free_ char *opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	if (mount("overlay", target, "overlay", 0, opts) < 0)
		return ovz_error_sys(err, errno, "mount overlay on '%s'", target);
	return 0;
}
