// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runstate.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *state_path(const char *run_dir, unsigned ctid)
{
	return xasprintf("%s/%u.state", run_dir, ctid);
}

int ovz_runstate_load(const char *run_dir, unsigned ctid, struct ovz_runstate *out)
{
	_cleanup_free_ char *path = state_path(run_dir, ctid);
	_cleanup_free_ char *buf = NULL;
	if (read_file_at(AT_FDCWD, path, 4096, &buf, NULL, NULL) < 0)
		return -ENOENT;
	struct ovz_runstate rs = { 0 };
	int pid;
	if (sscanf(buf, "%d %lld %7s", &pid, &rs.start_ticks, rs.backend) != 3 || pid <= 0)
		return -ENOENT;
	rs.init_pid = pid;
	if (proc_start_ticks(rs.init_pid) != rs.start_ticks)
		return -ENOENT;
	*out = rs;
	return 0;
}

static int open_run_dir(const char *run_dir, struct ovz_error **err)
{
	int dfd = open(run_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		int r = mkdir_p(run_dir, 0755, err);
		if (r < 0)
			return r;
		dfd = open(run_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	return dfd < 0 ? ovz_error_sys(err, errno, "open '%s'", run_dir) : dfd;
}

/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link does not. */
static int link_unnamed(int fd, int dfd, const char *name)
{
	if (linkat(fd, "", dfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dfd, name, AT_SYMLINK_FOLLOW) == 0 ? 0 : -errno;
}

/* An unnamed file (O_TMPFILE) gets the fixed name NAME.tmp only once it is
 * written, just before the rename: a start killed at any point leaves at
 * most that one file, which the next write of NAME or ovz_run_file_remove
 * takes away, instead of a new temporary file each time. */
int ovz_run_file_write(const char *run_dir, const char *name, const char *data, size_t len,
		       struct ovz_error **err)
{
	_cleanup_close_ int dfd = open_run_dir(run_dir, err);
	if (dfd < 0)
		return dfd;
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", name);
	(void)unlinkat(dfd, tmp, 0);
	int fd = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	bool unnamed = fd >= 0;
	if (fd < 0)	/* a filesystem without O_TMPFILE */
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return ovz_error_sys(err, errno, "create a temporary file for '%s/%s'", run_dir, name);
	int r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r == 0 && unnamed)
		r = link_unnamed(fd, dfd, tmp);
	close(fd);
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(dfd, tmp, 0);
		return ovz_error_sys(err, -r, "write '%s/%s'", run_dir, name);
	}
	return 0;
}

int ovz_run_file_remove(const char *run_dir, const char *name, struct ovz_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", run_dir, name);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	(void)unlink(tmp);
	if (unlink(path) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "remove '%s'", path);
	return 0;
}

int ovz_runstate_save(const char *run_dir, unsigned ctid, const struct ovz_runstate *rs,
		      struct ovz_error **err)
{
	char name[32];
	snprintf(name, sizeof(name), "%u.state", ctid);
	_cleanup_free_ char *text = xasprintf("%d %lld %s\n", (int)rs->init_pid, rs->start_ticks,
					      rs->backend);
	return ovz_run_file_write(run_dir, name, text, strlen(text), err);
}

int ovz_runstate_remove(const char *run_dir, unsigned ctid, struct ovz_error **err)
{
	char name[32];
	snprintf(name, sizeof(name), "%u.state", ctid);
	return ovz_run_file_remove(run_dir, name, err);
}

struct ovz_pidns_key {
	dev_t dev;
	ino_t ino;
};

static int cmp_key(const void *a, const void *b)
{
	const struct ovz_pidns_key *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

void ovz_pidns_counts_load(struct ovz_pidns_counts *out)
{
	out->v = NULL;
	out->n = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return;
	int dfd = dirfd(d);
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300];
		struct stat st;
		snprintf(path, sizeof(path), "%s/ns/pid", e->d_name);
		if (fstatat(dfd, path, &st, 0) < 0)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 512;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		out->v[out->n++] = (struct ovz_pidns_key){ st.st_dev, st.st_ino };
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_key);
}

void ovz_pidns_counts_release(struct ovz_pidns_counts *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

int ovz_runstate_nproc_in(const struct ovz_runstate *rs, const struct ovz_pidns_counts *c)
{
	char path[64];
	struct stat ns;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)rs->init_pid);
	if (stat(path, &ns) < 0)
		return -1;
	struct ovz_pidns_key k = { ns.st_dev, ns.st_ino };
	/* first entry not below k, then count the equal ones */
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_key(&c->v[mid], &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	int n = 0;
	while (lo < c->n && cmp_key(&c->v[lo], &k) == 0) {
		n++;
		lo++;
	}
	return n;
}

/* Counts the pids that share init's pid namespace. */
int ovz_runstate_nproc(const struct ovz_runstate *rs)
{
	struct ovz_pidns_counts c;
	ovz_pidns_counts_load(&c);
	int n = ovz_runstate_nproc_in(rs, &c);
	ovz_pidns_counts_release(&c);
	return n;
}
