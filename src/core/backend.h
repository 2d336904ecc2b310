/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A backend is a narrow port to one kind of kernel: a name, the operations
 * it can carry out, and how to apply and undo each.  The compiler asks it
 * what it supports, so a plan never holds an operation its kernel cannot do. */
#ifndef OVZ_CORE_BACKEND_H
#define OVZ_CORE_BACKEND_H

#include <stdbool.h>

#include "error.h"
#include "plan.h"

struct ovz_exec;

struct ovz_backend {
	const char *name;	/* "ns", "vz", "vz7" */
	bool (*supports)(enum ovz_op_type t);
	int (*apply)(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
	/* Idempotent: an undo of something that is not there succeeds. */
	int (*undo)(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err);
	void (*cleanup)(struct ovz_exec *x);	/* frees x->priv */
};

/* "ns", "vz" or "vz7"; NULL for an unknown name. */
const struct ovz_backend *ovz_backend_by_name(const char *name);
/* --backend auto: /proc/vz + /dev/vzctl -> vz; the ve cgroup -> vz7; else ns. */
const struct ovz_backend *ovz_backend_probe(void);

extern const struct ovz_backend ovz_backend_ns;
extern const struct ovz_backend ovz_backend_vz;

#endif
