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

int ovz_runstate_save(const char *run_dir, unsigned ctid, const struct ovz_runstate *rs,
		      struct ovz_error **err)
{
	int r = mkdir_p(run_dir, 0755, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = state_path(run_dir, ctid);
	_cleanup_free_ char *text = xasprintf("%d %lld %s\n", (int)rs->init_pid, rs->start_ticks,
					      rs->backend);
	return write_file_atomic(path, text, strlen(text), 0644, err);
}

int ovz_runstate_remove(const char *run_dir, unsigned ctid, struct ovz_error **err)
{
	_cleanup_free_ char *path = state_path(run_dir, ctid);
	if (unlink(path) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "remove '%s'", path);
	return 0;
}

/* Counts the pids that share init's pid namespace. */
int ovz_runstate_nproc(const struct ovz_runstate *rs)
{
	char path[300];
	struct stat ns, st;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)rs->init_pid);
	if (stat(path, &ns) < 0)
		return -1;
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/pid", e->d_name);
		if (stat(path, &st) == 0 && st.st_ino == ns.st_ino && st.st_dev == ns.st_dev)
			n++;
	}
	closedir(d);
	return n;
}
