/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the ns and vz7 backends share: the container's first process cloned
 * into new namespaces and driven step by step over a socket, its cgroup
 * with the limits, pivot_root, the network steps of src/net from the host.
 * vz7 is this plus the ve cgroup and the kernel's venet: its backend keeps
 * a struct ovz_ns_state as the first member of its own state and passes an
 * extension for what only it does. */
#ifndef OVZ_CORE_BACKEND_NS_H
#define OVZ_CORE_BACKEND_NS_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "exec.h"
#include "plan.h"
#include "seccomp.h"
#include "net/net.h"

struct ovz_ns_ext {
	/* In the container's first process: an in-container step the shared
	 * code does not know. */
	int (*child_step)(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
	/* On the host, after clone and the container's cgroup, before the
	 * first process goes on: the backend's own cgroups for it. */
	int (*attach)(struct ovz_exec *x, pid_t pid, struct ovz_error **err);
};

struct ovz_ns_state {
	const struct ovz_ns_ext *ext;	/* NULL for the plain ns backend */
	struct ovz_cgroups cg;
	bool cg_detected;
	pid_t pid;		/* the container's first process, as the host sees it */
	bool our_child;		/* cloned by this process: reaped with waitpid */
	int ctl;		/* parent end of the step socket, -1 when none */
	int child_ctl;		/* in the first process: its end of the socket */
	int joiner;		/* ovz-joiner for init's exec (join.h), -1 when none */
	int ct_netns;		/* -1 when the container is gone */
	struct ovz_netctx net;
	bool net_open;
	struct ovz_seccomp filter;	/* built before the clone, installed by init */
};

void ovz_ns_state_init(struct ovz_ns_state *s, struct ovz_exec *x, const struct ovz_ns_ext *ext);
void ovz_ns_state_release(struct ovz_ns_state *s);

/* The shared operations; x->priv is (or starts with) a struct ovz_ns_state.
 * An operation inside the container is sent to its first process. */
int ovz_ns_apply(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
int ovz_ns_undo(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);

#endif
