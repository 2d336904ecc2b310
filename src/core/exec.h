/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The executor: runs a plan's operations in order through a backend; on the
 * first failure it undoes the finished ones in reverse and reports the step,
 * its arguments and the kernel's error.  Teardown runs every undo of a plan
 * in reverse, keeps going past failures (each undo is idempotent) and
 * reports the first. */
#ifndef OVZ_CORE_EXEC_H
#define OVZ_CORE_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend.h"
#include "error.h"
#include "host.h"
#include "plan.h"
#include "fs/private.h"

struct ovz_exec {
	struct ovz_host *host;
	const struct ovz_domain *dom;
	const struct ovz_plan *plan;
	const struct ovz_backend *backend;
	long fail_at;		/* tests: fail step N (1-based) with EIO; 0 = never */
	/* OVZ_OP_PRIVATE_CREATE: how (NULL: extract) and what it did */
	const struct ovz_create_opts *create_opts;
	struct ovz_create_result *create_result;
	pid_t init_pid;		/* set by OVZ_OP_CT_CREATE, or from run state */
	void *priv;		/* backend state */
};

void ovz_exec_init(struct ovz_exec *x, struct ovz_host *h, const struct ovz_domain *d,
		   const struct ovz_plan *p, const struct ovz_backend *b);
int ovz_exec_run(struct ovz_exec *x, struct ovz_error **err);
int ovz_exec_teardown(struct ovz_exec *x, struct ovz_error **err);
void ovz_exec_cleanup(struct ovz_exec *x);

/* ROOT + path, for backends. */
char *ovz_exec_host_path(const struct ovz_exec *x, const char *path);

/* The in-container step protocol of the ns and vz backends: the host sends
 * a step index over a close-on-exec SOCK_SEQPACKET socket, the container's
 * first process runs that step and answers with its errno and message; end
 * of file after the exec step means init runs.  who names the process in
 * messages ("the VE's init"). */
struct ovz_step_reply {
	int32_t pid;	/* of the process that answered, as it sees itself */
	int32_t err;
	char msg[500];
};
/* In the container: sends the result of a step; false when it failed or
 * could not be sent. */
bool ovz_step_reply(int ctl, int r, struct ovz_error *e);
int ovz_step_read_reply(int ctl, bool exec_step, const char *who, struct ovz_error **err);
int ovz_step_send(int ctl, uint32_t i, bool exec_step, const char *who, struct ovz_error **err);
/* ovz_step_send for a step that another process may answer: *pid is the
 * pid of the one that did. */
int ovz_step_send_pid(int ctl, uint32_t i, const char *who, pid_t *pid, struct ovz_error **err);

/* Operations every backend carries out the same way. */
int ovz_exec_private_create(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
int ovz_exec_private_destroy(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
/* The lower layer of the host path priv when it is an overlay area, else
 * NULL (ovz_overlay_lower with the host's TEMPLATE/unpacked). */
int ovz_exec_overlay_lower(struct ovz_exec *x, const char *priv, char **lower,
			   struct ovz_error **err);
int ovz_exec_etc_write(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
/* In the container's first process: a link-up or net step, on a netlink
 * socket made here, in the container's network namespace. */
int ovz_exec_net_inside(const struct ovz_exec *x, const struct ovz_op *op,
			struct ovz_error **err);
/* The run state (init's pid, start time, backend name) and the live
 * definition; and their removal. */
int ovz_exec_state_write(struct ovz_exec *x, struct ovz_error **err);
int ovz_exec_state_remove(struct ovz_exec *x, struct ovz_error **err);

#endif
