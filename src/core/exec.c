// SPDX-License-Identifier: LGPL-2.1-or-later
#include "exec.h"
#include "runstate.h"
#include "util.h"
#include "fs/template.h"
#include "net/etcfiles.h"
#include "net/net.h"
#include "net/netlink.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

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

bool ovz_step_reply(int ctl, int r, struct ovz_error *e)
{
	struct ovz_step_reply rep = { .pid = getpid() };
	if (r < 0) {
		rep.err = e ? e->errnum : EIO;
		snprintf(rep.msg, sizeof(rep.msg), "%s", ovz_error_message(e));
	}
	return write(ctl, &rep, sizeof(rep)) == sizeof(rep) && r == 0;
}

static int read_reply(int ctl, bool exec_step, const char *who, pid_t *pid,
		      struct ovz_error **err)
{
	struct ovz_step_reply rep;
	ssize_t n;
	while ((n = read(ctl, &rep, sizeof(rep))) < 0 && errno == EINTR)
		;
	if (n == 0 && exec_step)
		return 0;	/* the socket closed on exec: init runs */
	if (n != (ssize_t)sizeof(rep))
		return ovz_error_set(err, ESRCH, "%s died", who);
	if (rep.err)
		return ovz_error_set(err, rep.err, "%s", rep.msg);
	if (pid)
		*pid = rep.pid;
	return 0;
}

int ovz_step_read_reply(int ctl, bool exec_step, const char *who, struct ovz_error **err)
{
	return read_reply(ctl, exec_step, who, NULL, err);
}

int ovz_step_send(int ctl, uint32_t i, bool exec_step, const char *who, struct ovz_error **err)
{
	if (ctl < 0)
		return ovz_error_set(err, ESRCH, "%s is gone", who);
	if (write(ctl, &i, sizeof(i)) != sizeof(i))
		return ovz_error_sys(err, errno, "send a step to %s", who);
	return ovz_step_read_reply(ctl, exec_step, who, err);
}

int ovz_step_send_pid(int ctl, uint32_t i, const char *who, pid_t *pid, struct ovz_error **err)
{
	if (ctl < 0)
		return ovz_error_set(err, ESRCH, "%s is gone", who);
	if (write(ctl, &i, sizeof(i)) != sizeof(i))
		return ovz_error_sys(err, errno, "send a step to %s", who);
	return read_reply(ctl, false, who, pid, err);
}

int ovz_exec_private_create(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *priv = ovz_exec_host_path(x, op->path);
	_cleanup_free_ char *tdir = ovz_exec_host_path(x, x->host->vz->template_dir);
	struct ovz_create_opts none = { .mode = OVZ_CREATE_EXTRACT };
	struct ovz_create_result ignored;
	return ovz_template_create(tdir, op->value, priv, x->create_opts ? x->create_opts : &none,
				   x->create_result ? x->create_result : &ignored, err);
}

int ovz_exec_private_destroy(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *priv = ovz_exec_host_path(x, op->path);
	return ovz_private_destroy(priv, err);
}

int ovz_exec_overlay_lower(struct ovz_exec *x, const char *priv, char **lower,
			   struct ovz_error **err)
{
	_cleanup_free_ char *tdir = ovz_exec_host_path(x, x->host->vz->template_dir);
	_cleanup_free_ char *unpacked = path_join(tdir, "unpacked");
	return ovz_overlay_lower(priv, unpacked, lower, err);
}

int ovz_exec_net_inside(const struct ovz_exec *x, const struct ovz_op *op,
			struct ovz_error **err)
{
	struct ovz_netctx n = { .ctid = x->dom->ctid, .host_netns_fd = -1, .ct_netns_fd = -1 };
	int r = ovz_nl_open(-1, &n.ct, err);
	if (r < 0)
		return r;
	if (op->type == OVZ_OP_LINK_UP)
		r = ovz_nl_link_up(n.ct, op->dev, err);
	else
		r = op->net_step->apply(&n, op->iface, op->iface_n, err);
	ovz_nl_close(n.ct);
	return r;
}

int ovz_exec_etc_write(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *root = ovz_exec_host_path(x, op->path);
	_cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", root);
	return ovz_etc_apply(fd, x->dom, err);
}

int ovz_exec_state_write(struct ovz_exec *x, struct ovz_error **err)
{
	struct ovz_runstate rs = { .init_pid = x->init_pid };
	rs.start_ticks = proc_start_ticks(rs.init_pid);
	snprintf(rs.backend, sizeof(rs.backend), "%s", x->backend->name);
	int r = ovz_host_save_live(x->host, x->dom, err);
	return r < 0 ? r : ovz_runstate_save(x->host->vz->run_dir, x->dom->ctid, &rs, err);
}

int ovz_exec_state_remove(struct ovz_exec *x, struct ovz_error **err)
{
	int r = ovz_runstate_remove(x->host->vz->run_dir, x->dom->ctid, err);
	int s = ovz_host_remove_live(x->host, x->dom->ctid, err);
	return r < 0 ? r : s;
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
