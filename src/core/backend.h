/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A backend is a narrow port to one kind of kernel: a name, the operations
 * it can carry out, and how to apply and undo each.  The compiler asks it
 * what it supports, so a plan never holds an operation its kernel cannot do. */
#ifndef OVZ_CORE_BACKEND_H
#define OVZ_CORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "plan.h"

struct ovz_exec;
struct ovz_host;

struct ovz_backend {
	const char *name;	/* "ns", "vz", "vz7" */
	bool (*supports)(enum ovz_op_type t);
	int (*apply)(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
	/* Idempotent: an undo of something that is not there succeeds. */
	int (*undo)(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
	void (*cleanup)(struct ovz_exec *x);	/* frees x->priv */

	/* Optional: what the backend's kernel answers about running
	 * containers, where the run state and /proc/PID/ns do not (a legacy
	 * OpenVZ kernel has no setns).  NULL on ns. */
	/* 1 when ctid runs, 0 when not, else -errno. */
	int (*running)(unsigned ctid, struct ovz_error **err);
	/* Every running CTID from one look at the kernel; *ids is freed. */
	int (*list_running)(unsigned **ids, size_t *n, struct ovz_error **err);
	/* Forks a child that enters the running container (root: its VE_ROOT)
	 * and runs argv there with envp and stdin, stdout, stderr from fds (-1:
	 * inherited); with ctty the command leads a new session whose
	 * controlling terminal is its stdin (enter's pty).  The child's exit
	 * status is the command's (128+signal, 127 when it could not be run). */
	int (*enter_spawn)(unsigned ctid, const char *root, char *const argv[],
			   char *const envp[], const int fds[3], bool ctty, pid_t *pid,
			   struct ovz_error **err);
	/* Adds the addresses of add and removes those of del on the running
	 * container's venet, host side and inside. */
	int (*set_ips)(struct ovz_host *h, const struct ovz_domain *d, const struct ovz_iface *add,
		       const struct ovz_iface *del, struct ovz_error **err);
	/* Stops the running container the way its kernel wants it: unless
	 * fast, a clean shutdown inside waited for up to timeout seconds; then
	 * (or at once) the kill.  Done when it does not run.  What start set
	 * up outside is left to the plan's teardown. */
	int (*stop)(struct ovz_host *h, const struct ovz_domain *d, bool fast, unsigned timeout,
		    struct ovz_error **err);
	/* Optional: runs fn(arg) in a forked child that entered the running
	 * container (root: its VE_ROOT) and waits for it; fn's error comes
	 * back.  For kernels without setns (legacy: VE_ENTER). */
	int (*enter_call)(unsigned ctid, const char *root,
			  int (*fn)(void *arg, struct ovz_error **err), void *arg,
			  struct ovz_error **err);
	/* Optional: moves pid into the running container's kernel cgroups
	 * (vz7: the ve cgroup) before it joins the namespaces by setns. */
	int (*attach)(unsigned ctid, pid_t pid, struct ovz_error **err);
};

/* "ns", "vz" or "vz7"; NULL for an unknown name. */
const struct ovz_backend *ovz_backend_by_name(const char *name);
/* --backend auto: /proc/vz + /dev/vzctl -> vz; the ve cgroup -> vz7; else ns. */
const struct ovz_backend *ovz_backend_probe(void);

extern const struct ovz_backend ovz_backend_ns;
extern const struct ovz_backend ovz_backend_vz;
extern const struct ovz_backend ovz_backend_vz7;

/* OpenVZ 7's ve cgroup hierarchy: one directory per container, by CTID. */
#define OVZ_VE_CGROUP_DIR "/sys/fs/cgroup/ve"

#endif
