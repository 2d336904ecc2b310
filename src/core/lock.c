// SPDX-License-Identifier: LGPL-2.1-or-later
#include "lock.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct ovz_lock {
	char *path;
};

static char *lock_path(const char *lockdir, unsigned ctid)
{
	return xasprintf("%s/%u.lck", lockdir, ctid);
}

/* The pid in a lock file, and whether it holds the lock, judged as vzctl
 * judges it: held while /proc/PID exists, whenever that process started (a
 * pid reused after a reboot holds it too, as for vzctl); a file without a
 * number, or with 0, is stale. */
static pid_t live_holder(const char *path)
{
	char *buf = NULL;
	if (read_file_at(AT_FDCWD, path, 4096, &buf, NULL, NULL) < 0)
		return 0;
	int pid = 0;
	if (sscanf(buf, "%d", &pid) != 1)
		pid = 0;
	free(buf);
	if (pid <= 0)
		return 0;
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/%d", pid);
	struct stat st;
	return stat(proc, &st) == 0 ? (pid_t)pid : 0;
}

pid_t ovz_lock_holder(const char *lockdir, unsigned ctid)
{
	_cleanup_free_ char *path = lock_path(lockdir, ctid);
	return live_holder(path);
}

static int write_temp_lock(const char *path, const char *status, char **tmp_out,
			   struct ovz_error **err)
{
	char *tmp = xasprintf("%sXXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return ovz_error_sys(err, e, "create lock file next to '%s'", path);
	}
	_cleanup_free_ char *text = xasprintf("%d\n%s\n", (int)getpid(), status ? status : "");
	size_t len = strlen(text);
	int r = write(fd, text, len) == (ssize_t)len ? 0 : -EIO;
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	close(fd);
	if (r < 0) {
		unlink(tmp);
		free(tmp);
		return ovz_error_sys(err, -r, "write lock file next to '%s'", path);
	}
	*tmp_out = tmp;
	return 0;
}

int ovz_lock_ct(const char *lockdir, unsigned ctid, const char *status, struct ovz_lock **out,
		struct ovz_error **err)
{
	int r = mkdir_p(lockdir, 0755, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = lock_path(lockdir, ctid);
	_cleanup_free_ char *tmp = NULL;
	r = write_temp_lock(path, status, &tmp, err);
	if (r < 0)
		return r;
	/* Our processes take the lock under flock(2) on the directory, so two
	 * of them never both judge a lock stale, remove it and then both link:
	 * the second one sees the first one's fresh lock.  vzctl ignores the
	 * flock but never removes the lock of a live pid. */
	_cleanup_close_ int dfd = open(lockdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		flock(dfd, LOCK_EX);
	for (int attempt = 0; attempt < 3; attempt++) {
		if (link(tmp, path) == 0) {
			unlink(tmp);
			struct ovz_lock *l = xcalloc(1, sizeof(*l));
			l->path = path;
			path = NULL;
			*out = l;
			return 0;
		}
		if (errno != EEXIST) {
			r = ovz_error_sys(err, errno, "lock '%s'", path);
			unlink(tmp);
			return r;
		}
		pid_t holder = live_holder(path);
		if (holder > 0) {
			_cleanup_free_ char *text = NULL;
			read_file_at(AT_FDCWD, path, 4096, &text, NULL, NULL);
			char *st = text ? strchr(text, '\n') : NULL;
			st = st ? st + 1 : NULL;
			if (st)
				st[strcspn(st, "\n")] = '\0';
			unlink(tmp);
			if (st && *st)
				return ovz_error_set(err, EBUSY, "CT %u is locked by pid %d (%s)",
						     ctid, (int)holder, st);
			return ovz_error_set(err, EBUSY, "CT %u is locked by pid %d", ctid,
					     (int)holder);
		}
		unlink(path);	/* stale */
	}
	unlink(tmp);
	return ovz_error_set(err, EBUSY, "CT %u: could not take lock '%s'", ctid, path);
}

void ovz_unlock(struct ovz_lock *l)
{
	if (!l)
		return;
	unlink(l->path);
	free(l->path);
	free(l);
}

void ovz_unlockp(struct ovz_lock **l)
{
	ovz_unlock(*l);
}
