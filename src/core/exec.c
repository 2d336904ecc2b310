// SPDX-License-Identifier: LGPL-2.1-or-later
#include "exec.h"
#include "util.h"

#include <errno.h>
#include <string.h>

void ovz_exec_init(struct ovz_exec *x, struct ovz_host *h, const struct ovz_domain *d,
		   const struct ovz_plan *p, const struct ovz_backend *b)
{
	memset(x, 0, sizeof(*x));
	x->host = h;
	x->dom = d;
	x->plan = p;
	x->backend = b;
}

char *ovz_exec_host_path(const struct ovz_exec *x, const char *path)
{
	return path_join(x->host->vz->root, path);
}

static int apply_step(struct ovz_exec *x, size_t i, struct ovz_error **err)
{
	const struct ovz_op *op = &x->plan->ops[i];
	int r;
	if (x->fail_at > 0 && (size_t)x->fail_at == i + 1)
		r = ovz_error_set(err, EIO, "injected failure");
	else
		r = x->backend->apply(x, op, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "step %zu (%s %s%s%s)", i + 1, op->mech, op->call,
				      *op->args ? " " : "", op->args);
	return 0;
}

int ovz_exec_run(struct ovz_exec *x, struct ovz_error **err)
{
	for (size_t i = 0; i < x->plan->n_ops; i++) {
		int r = apply_step(x, i, err);
		if (r == 0)
			continue;
		/* undo what was done, last first; the first error is the one reported */
		while (i-- > 0)
			x->backend->undo(x, &x->plan->ops[i], NULL);
		return r;
	}
	return 0;
}

int ovz_exec_teardown(struct ovz_exec *x, struct ovz_error **err)
{
	int first = 0;
	for (size_t i = x->plan->n_ops; i-- > 0;) {
		const struct ovz_op *op = &x->plan->ops[i];
		struct ovz_error *e = NULL;
		int r = x->backend->undo(x, op, &e);
		if (r < 0 && first == 0) {
			first = ovz_error_wrap(&e, r, "undo step %zu (%s %s)", i + 1, op->mech,
					       op->undo_call);
			if (err && !*err) {
				*err = e;
				e = NULL;
			}
		}
		ovz_error_free(e);
	}
	return first;
}

void ovz_exec_cleanup(struct ovz_exec *x)
{
	if (x->backend && x->backend->cleanup)
		x->backend->cleanup(x);
	x->priv = NULL;
}
