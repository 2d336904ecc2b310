/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A running container's state on disk, so every later command (another
 * process) finds it: RUN_DIR/CTID.state holds "PID STARTTICKS BACKEND\n"
 * for the container's init.  The start time makes a recycled pid read as
 * stopped. */
#ifndef OVZ_CORE_RUNSTATE_H
#define OVZ_CORE_RUNSTATE_H

#include <sys/types.h>

#include "error.h"

struct ovz_runstate {
	pid_t init_pid;
	long long start_ticks;
	char backend[8];
};

/* 0 when the container runs; -ENOENT when it does not (a stale file counts
 * as not running). */
int ovz_runstate_load(const char *run_dir, unsigned ctid, struct ovz_runstate *out);
/* Writes RUN_DIR/NAME (making RUN_DIR when missing) by a rename of
 * NAME.tmp, named only once written (O_TMPFILE), without fsync: the files
 * there describe the running system, which a crash ends, and a torn state
 * file reads as stopped. */
int ovz_run_file_write(const char *run_dir, const char *name, const char *data, size_t len,
		       struct ovz_error **err);
/* Removes RUN_DIR/NAME and a NAME.tmp an interrupted write left. */
int ovz_run_file_remove(const char *run_dir, const char *name, struct ovz_error **err);
int ovz_runstate_save(const char *run_dir, unsigned ctid, const struct ovz_runstate *rs,
		      struct ovz_error **err);
int ovz_runstate_remove(const char *run_dir, unsigned ctid, struct ovz_error **err);
/* Number of processes in the container's pid namespace, or -1. */
int ovz_runstate_nproc(const struct ovz_runstate *rs);

/* The pid namespace of every process, from one pass over /proc, so that
 * counting the processes of many containers costs one stat per process
 * instead of one per process and container. */
struct ovz_pidns_counts {
	struct ovz_pidns_key *v;	/* sorted */
	size_t n;
};
void ovz_pidns_counts_load(struct ovz_pidns_counts *out);
void ovz_pidns_counts_release(struct ovz_pidns_counts *c);
/* ovz_runstate_nproc from such a snapshot. */
int ovz_runstate_nproc_in(const struct ovz_runstate *rs, const struct ovz_pidns_counts *c);

#endif
