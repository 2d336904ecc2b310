/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vzctl's per-container lock (openvz-abi.md §8.4): LOCKDIR/CTID.lck holds
 * "<pid>\n<status>\n" and is created atomically by link(2) of a fully
 * written temporary file, so ovz-native and vzctl exclude each other.
 * A lock whose pid is gone, or whose pid was reused by a process that
 * started after the lock was written, is stale and is taken over. */
#ifndef OVZ_CORE_LOCK_H
#define OVZ_CORE_LOCK_H

#include <sys/types.h>

#include "error.h"

struct ovz_lock;

/* Takes the lock or returns -EBUSY with "locked by pid N (status)".
 * lockdir is created when missing. */
int ovz_lock_ct(const char *lockdir, unsigned ctid, const char *status, struct ovz_lock **out,
		struct ovz_error **err);
void ovz_unlock(struct ovz_lock *l);
void ovz_unlockp(struct ovz_lock **l);

/* The holder's pid, 0 when unlocked or stale. */
pid_t ovz_lock_holder(const char *lockdir, unsigned ctid);

#endif
