// SPDX-License-Identifier: LGPL-2.1-or-later
/* The ns backend: containers on a mainline kernel from namespaces and
 * cgroups.  The container's first process is cloned into new mount, pid,
 * network, UTS and IPC namespaces and then waits on a socket; the parent
 * sends it the index of each in-container step of the plan (hostname, root
 * setup, capabilities, exec of init), it runs the step and answers.  The
 * socket is close-on-exec, so end of file after the exec step means init
 * runs.  The vz7 backend is built on the same code (backend-ns.h). */
#include "backend.h"
#include "backend-ns.h"
#include "caps.h"
#include "cgroup.h"
#include "config.h"
#include "exec.h"
#include "initexec.h"
#include "join.h"
#include "runstate.h"
#include "util.h"
#include "fs/fsutil.h"
#include "fs/private.h"
#include "fs/rootfs.h"
#include "fs/template.h"
#include "net/etcfiles.h"
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLONE_FLAGS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC)

static bool ns_supports(enum ovz_op_type t)
{
	switch (t) {
	case OVZ_OP_UBC_SET:
	case OVZ_OP_VENET_IP:
	case OVZ_OP_VETH_IOCTL:
	case OVZ_OP_NETDEV:
	case OVZ_OP_VE_CGROUP:
	case OVZ_OP_VE_START:
	case OVZ_OP_VENET_LINK:
	case OVZ_OP_VE_IP:
	case OVZ_OP_VE_PSEUDOSUPER:
		return false;
	default:
		return true;
	}
}

void ovz_ns_state_init(struct ovz_ns_state *s, struct ovz_exec *x, const struct ovz_ns_ext *ext)
{
	memset(s, 0, sizeof(*s));
	s->ext = ext;
	s->ctl = -1;
	s->child_ctl = -1;
	s->joiner = -1;
	s->ct_netns = -1;
	s->pid = x->init_pid;
}

/* The vz7 backend has made x->priv before any shared operation runs. */
static struct ovz_ns_state *state(struct ovz_exec *x)
{
	if (!x->priv) {
		struct ovz_ns_state *s = xmalloc(sizeof(*s));
		ovz_ns_state_init(s, x, NULL);
		x->priv = s;
	}
	return x->priv;
}

static int cgroups(struct ovz_exec *x, struct ovz_cgroups **out, struct ovz_error **err)
{
	struct ovz_ns_state *s = state(x);
	if (!s->cg_detected) {
		int r = ovz_cgroups_detect(&s->cg, err);
		if (r < 0)
			return r;
		s->cg_detected = true;
	}
	*out = &s->cg;
	return 0;
}

/* ---- in the container ---- */

static int child_step(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *root = NULL;
	const struct ovz_ns_ext *ext = state(x)->ext;
	switch (op->type) {
	case OVZ_OP_LINK_UP:
	case OVZ_OP_NET:
		return ovz_exec_net_inside(x, op, err);
	case OVZ_OP_HOSTNAME:
		if (sethostname(op->value, strlen(op->value)) < 0)
			return ovz_error_sys(err, errno, "sethostname '%s'", op->value);
		return 0;
	case OVZ_OP_ROOTFS:
		root = ovz_exec_host_path(x, op->path);
		return ovz_rootfs_setup(root, -1, err);
	case OVZ_OP_CAPS:
		return ovz_caps_apply(ovz_caps_default(), err);
	case OVZ_OP_EXEC_INIT: {
		struct ovz_init_cmd cmd;
		int r = ovz_init_build(x->dom->init, x->dom->init_args, x->dom->ctid, NULL, &cmd,
				       err);
		if (r < 0)
			return r;
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0)
			return ovz_error_sys(err, errno, "open /dev/null in the container");
		for (int fd = 0; fd < 3; fd++)
			dup2(null, fd);
		close(null);
		r = ovz_seccomp_install(&state(x)->filter, err);
		if (r == 0)
			r = ovz_init_exec_joined(&cmd, state(x)->joiner, state(x)->child_ctl, err);
		ovz_init_cmd_release(&cmd);
		return r;
	}
	default:
		if (ext && ext->child_step)
			return ext->child_step(x, op, err);
		return ovz_error_set(err, EINVAL, "not an in-container step");
	}
}

static _Noreturn void child_main(struct ovz_exec *x, int ctl)
{
	uint32_t i;
	/* the cgroup namespace starts here, now that the parent has moved us
	 * into the container's cgroup */
	if (read(ctl, &i, sizeof(i)) != sizeof(i))
		_exit(1);
	/* before 4.6 (OpenVZ 7's 3.10) there is none: the cgroup paths show */
	if (unshare(CLONE_NEWCGROUP) < 0 && errno != EINVAL)
		_exit(1);
	if (!ovz_step_reply(ctl, 0, NULL))
		_exit(1);
	while (read(ctl, &i, sizeof(i)) == sizeof(i)) {
		struct ovz_error *e = NULL;
		int r = i < x->plan->n_ops ? child_step(x, &x->plan->ops[i], &e) : 0;
		bool ok = ovz_step_reply(ctl, r, e);
		ovz_error_free(e);
		if (!ok)
			_exit(1);
	}
	_exit(0);
}

/* ---- on the host ---- */

#define NS_CHILD "the container's first process"

static int send_step(struct ovz_ns_state *s, uint32_t i, bool exec_step, struct ovz_error **err)
{
	return ovz_step_send(s->ctl, i, exec_step, NS_CHILD, err);
}

static int ct_destroy(struct ovz_exec *x, struct ovz_error **err);

static int ct_create(struct ovz_exec *x, struct ovz_error **err)
{
	struct ovz_ns_state *s = state(x);
	struct ovz_cgroups *cg;
	int r = cgroups(x, &cg, err);
	if (r == 0 && !s->filter.insns)
		r = ovz_seccomp_build(&s->filter, err);
	if (r < 0)
		return r;
	/* made here, where the run dir is reachable (3.10 has no memfd) */
	s->joiner = ovz_joiner_fd(x->host->vz->run_dir, err);
	if (s->joiner < 0)
		return s->joiner;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		r = ovz_error_sys(err, errno, "socketpair");
	pid_t pid = r < 0 ? -1 : (pid_t)syscall(SYS_clone, CLONE_FLAGS | SIGCHLD, NULL, NULL,
						  NULL, NULL);
	if (pid == 0) {
		close(sv[0]);
		s->child_ctl = sv[1];
		child_main(x, sv[1]);
	}
	close(s->joiner);	/* the child has its own */
	s->joiner = -1;
	if (pid < 0) {
		if (r == 0) {
			r = ovz_error_sys(err, errno, "clone");
			close(sv[0]);
			close(sv[1]);
		}
		return r;
	}
	close(sv[1]);
	s->pid = x->init_pid = pid;
	s->our_child = true;
	s->ctl = sv[0];
	_cleanup_free_ char *cgname = ovz_cgroup_name(OVZ_CGROUP_ROOT, x->dom->ctid);
	r = ovz_cgroup_add_pid(cg, cgname, pid, err);
	if (r == 0 && s->ext && s->ext->attach)
		r = s->ext->attach(x, pid, err);
	if (r == 0)
		r = send_step(s, UINT32_MAX, false, err);
	if (r < 0) {	/* a failed step is not undone by the executor */
		ct_destroy(x, NULL);
		return r;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	s->ct_netns = open(path, O_RDONLY | O_CLOEXEC);
	if (s->ct_netns < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	return 0;
}

static void wait_gone(struct ovz_ns_state *s)
{
	if (s->pid <= 0)
		return;
	if (s->our_child) {
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
		return;
	}
	wait_pid_exit(s->pid, 10000);
}

static int ct_destroy(struct ovz_exec *x, struct ovz_error **err)
{
	struct ovz_ns_state *s = state(x);
	if (s->ctl >= 0) {
		close(s->ctl);
		s->ctl = -1;
	}
	if (s->net_open) {
		ovz_netctx_close(&s->net);
		s->net_open = false;
	}
	if (s->ct_netns >= 0) {
		close(s->ct_netns);
		s->ct_netns = -1;
	}
	/* SIGKILL to the pid namespace's init ends every process in it */
	if (s->pid > 0 && kill(s->pid, SIGKILL) == 0)
		wait_gone(s);
	s->pid = 0;
	return 0;
}

static int netctx(struct ovz_exec *x, struct ovz_netctx **out, struct ovz_error **err)
{
	struct ovz_ns_state *s = state(x);
	if (!s->net_open) {
		if (s->ct_netns < 0 && s->pid > 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)s->pid);
			s->ct_netns = open(path, O_RDONLY | O_CLOEXEC);
		}
		int r = ovz_netctx_open(&s->net, x->dom->ctid, -1, s->ct_netns, err);
		if (r < 0)
			return r;
		s->net_open = true;
	}
	*out = &s->net;
	return 0;
}

static void fill_limits(const struct ovz_domain *d, struct ovz_cg_limits *l)
{
	ovz_cg_limits_init(l);
	if (d->memory != OVZ_UNSET)
		l->memory = d->memory * 1024;
	if (d->memory != OVZ_UNSET && d->mem_swap_hard_limit != OVZ_UNSET &&
	    d->mem_swap_hard_limit >= d->memory)
		l->swap = (d->mem_swap_hard_limit - d->memory) * 1024;
	if (d->cpu_shares != OVZ_UNSET)
		l->cpu_units = d->cpu_shares;
	if (d->cpu_quota > 0) {
		uint64_t period = d->cpu_period != OVZ_UNSET ? d->cpu_period : 100000;
		l->cpu_limit = (uint64_t)d->cpu_quota * 100 / period;
	}
	if (d->vcpus)
		l->cpus = d->vcpus;
}

static int cgroup_create(struct ovz_exec *x, struct ovz_error **err)
{
	struct ovz_cgroups *cg;
	int r = cgroups(x, &cg, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *name = ovz_cgroup_name(OVZ_CGROUP_ROOT, x->dom->ctid);
	struct ovz_cg_limits l;
	fill_limits(x->dom, &l);
	/* the container keeps MKNOD (vzctl's default set): without device
	 * rules it could make and open a node of a host disk */
	l.restrict_devices = ovz_cgroups_can_restrict_devices(cg);
	l.console = false;	/* no console is bound on /dev/console (rootfs step) */
	uint64_t nproc = ovz_host_numproc(x->host, x->dom->ctid);
	if (nproc)
		l.nproc = nproc;
	r = ovz_cgroup_create(cg, name, err);
	if (r == 0)
		r = ovz_cgroup_apply(cg, name, &l, err);
	return r;
}

static int cgroup_remove(struct ovz_exec *x, struct ovz_error **err)
{
	struct ovz_cgroups *cg;
	int r = cgroups(x, &cg, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *name = ovz_cgroup_name(OVZ_CGROUP_ROOT, x->dom->ctid);
	return ovz_cgroup_remove(cg, name, err);
}

/* A private area made as an overlay is mounted as one; else a bind mount,
 * which is what simfs does on OpenVZ. */
static int root_mount(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *priv = ovz_exec_host_path(x, op->path);
	_cleanup_free_ char *root = ovz_exec_host_path(x, op->path2);
	_cleanup_free_ char *lower = NULL;
	int r = ovz_exec_overlay_lower(x, priv, &lower, err);
	if (r < 0)
		return r;
	if (lower) {
		r = ovz_mkdir_area(root, 0755, err);
		return r < 0 ? r : ovz_overlay_mount(priv, lower, root, err);
	}
	return ovz_mount_private_on_root(priv, root, err);
}

static int link_up(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	struct ovz_netctx *n;
	int r = netctx(x, &n, err);
	if (r < 0)
		return r;
	return ovz_nl_link_up(op->in_ct ? n->ct : n->host, op->dev, err);
}

int ovz_ns_apply(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	struct ovz_netctx *n;
	int r;
	if (op->ctx == OVZ_CTX_CT)
		return send_step(state(x), (uint32_t)(op - x->plan->ops),
				 op->type == OVZ_OP_EXEC_INIT, err);
	switch (op->type) {
	case OVZ_OP_PRIVATE_CREATE:
		return ovz_exec_private_create(x, op, err);
	case OVZ_OP_ROOT_MOUNT:
		return root_mount(x, op, err);
	case OVZ_OP_CGROUP_CREATE:
		return cgroup_create(x, err);
	case OVZ_OP_CT_CREATE:
		return ct_create(x, err);
	case OVZ_OP_LINK_UP:
		return link_up(x, op, err);
	case OVZ_OP_NET:
		r = netctx(x, &n, err);
		return r < 0 ? r : op->net_step->apply(n, op->iface, op->iface_n, err);
	case OVZ_OP_ETC_WRITE:
		return ovz_exec_etc_write(x, op, err);
	case OVZ_OP_STATE_WRITE:
		return ovz_exec_state_write(x, err);
	default:
		return ovz_error_set(err, ENOTSUP, "the %s backend cannot %s", x->backend->name,
				     op->call);
	}
}

int ovz_ns_undo(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *a = NULL;
	struct ovz_netctx *n;
	int r;
	if (op->ctx == OVZ_CTX_CT)
		return 0;	/* it goes with the container's namespaces */
	switch (op->type) {
	case OVZ_OP_PRIVATE_CREATE:
		return ovz_exec_private_destroy(x, op, err);
	case OVZ_OP_ROOT_MOUNT:
		a = ovz_exec_host_path(x, op->path2);
		return ovz_umount_root(a, err);
	case OVZ_OP_CGROUP_CREATE:
		return cgroup_remove(x, err);
	case OVZ_OP_CT_CREATE:
		return ct_destroy(x, err);
	case OVZ_OP_NET:
		r = netctx(x, &n, err);
		return r < 0 ? r : op->net_step->undo(n, op->iface, op->iface_n, err);
	case OVZ_OP_STATE_WRITE:
		return ovz_exec_state_remove(x, err);
	default:
		return 0;	/* nothing outside the container to undo */
	}
}

void ovz_ns_state_release(struct ovz_ns_state *s)
{
	if (s->net_open)
		ovz_netctx_close(&s->net);
	if (s->ctl >= 0)
		close(s->ctl);
	if (s->ct_netns >= 0)
		close(s->ct_netns);
	if (s->cg_detected)
		ovz_cgroups_release(&s->cg);
	ovz_seccomp_release(&s->filter);
}

static void ns_cleanup(struct ovz_exec *x)
{
	struct ovz_ns_state *s = x->priv;
	if (!s)
		return;
	ovz_ns_state_release(s);
	free(s);
}

const struct ovz_backend ovz_backend_ns = {
	.name = "ns",
	.supports = ns_supports,
	.apply = ovz_ns_apply,
	.undo = ovz_ns_undo,
	.cleanup = ns_cleanup,
};
