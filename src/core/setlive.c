// SPDX-License-Identifier: LGPL-2.1-or-later
/* `set`: the difference between a container's definition and the wanted
 * one, applied to the running container where that can be done live, and
 * written to its config when saved (or when it is not running). */
#include "lifecycle.h"
#include "backend.h"
#include "cgroup.h"
#include "lock.h"
#include "runstate.h"
#include "util.h"
#include "fs/rootfs.h"
#include "net/etcfiles.h"
#include "net/net.h"
#include "net/vzabi.h"
#include "plan.h"
#include "vzparams.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct ovz_net_step venet_ip_steps[] = {
	{ "venet source addresses", ovz_venet_sources_add, ovz_venet_sources_del },
	{ "venet addresses", ovz_venet_addrs_add, ovz_venet_addrs_del },
	{ "venet host routes", ovz_venet_host_routes_add, ovz_venet_host_routes_del },
	{ "venet proxy neighbours", ovz_venet_proxy_add, ovz_venet_proxy_del },
};

static const struct ovz_iface *find_venet(const struct ovz_domain *d)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].type == OVZ_IFACE_VENET)
			return &d->ifaces[i];
	return NULL;
}

static bool has_ip(const struct ovz_iface *f, const struct ovz_ip *ip)
{
	for (size_t i = 0; f && i < f->n_ips; i++)
		if (ovz_ip_equal(&f->ips[i], ip))
			return true;
	return false;
}

/* The addresses of a that b lacks, as an interface of their own. */
static struct ovz_iface ip_difference(const struct ovz_iface *a, const struct ovz_iface *b)
{
	struct ovz_iface d = { .type = OVZ_IFACE_VENET };
	for (size_t i = 0; a && i < a->n_ips; i++)
		if (!has_ip(b, &a->ips[i]))
			ovz_iface_add_ip(&d, &a->ips[i]);
	return d;
}

/* The veth interface of d with the same container name, or NULL. */
static const struct ovz_iface *find_veth(const struct ovz_domain *d, const struct ovz_iface *f,
					 unsigned *n)
{
	unsigned k = 0;
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *g = &d->ifaces[i];
		if (g->type != OVZ_IFACE_VETH)
			continue;
		if (strcmp(g->guest_dev, f->guest_dev) == 0) {
			*n = k;
			return g;
		}
		k++;
	}
	return NULL;
}

struct live {
	struct ovz_host *h;
	const struct ovz_backend *backend;
	unsigned ctid;
	pid_t init;
	int netns;
	struct ovz_netctx net;
	bool net_open;
};

static int live_net(struct live *l, struct ovz_netctx **out, struct ovz_error **err)
{
	if (!l->net_open) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)l->init);
		l->netns = open(path, O_RDONLY | O_CLOEXEC);
		if (l->netns < 0)
			return ovz_error_sys(err, errno, "open '%s'", path);
		int r = ovz_netctx_open(&l->net, l->ctid, -1, l->netns, err);
		if (r < 0)
			return r;
		l->net_open = true;
	}
	*out = &l->net;
	return 0;
}

static int set_venet(struct live *l, const struct ovz_domain *cur, const struct ovz_domain *want,
		     struct ovz_error **err)
{
	const struct ovz_iface *a = find_venet(cur), *b = find_venet(want);
	if (!a && !b)
		return 0;
	if (l->backend->set_ips) {	/* legacy kernels: VENETCTL_VE_IP_MAP */
		struct ovz_iface gone = ip_difference(a, b), added = ip_difference(b, a);
		int r = l->backend->set_ips(l->h, want, &added, &gone, err);
		free(gone.ips);
		free(added.ips);
		return r;
	}
	struct ovz_netctx *n;
	int r = live_net(l, &n, err);
	if (r < 0)
		return r;
	if (!a)		/* the first venet address: the whole venet0 */
		return ovz_net_steps_apply(ovz_venet_steps, ovz_venet_n_steps, n, b, 0, err);
	if (!b)
		return ovz_net_steps_undo(ovz_venet_steps, ovz_venet_n_steps, n, a, 0, err);
	struct ovz_iface gone = ip_difference(a, b), added = ip_difference(b, a);
	if (gone.n_ips)
		r = ovz_net_steps_undo(venet_ip_steps, ARRAY_SIZE(venet_ip_steps), n, &gone, 0,
				       err);
	if (r == 0 && added.n_ips)
		r = ovz_net_steps_apply(venet_ip_steps, ARRAY_SIZE(venet_ip_steps), n, &added, 0,
					err);
	free(gone.ips);
	free(added.ips);
	return r;
}

static bool veths_differ(const struct ovz_domain *a, const struct ovz_domain *b)
{
	unsigned m;
	for (size_t i = 0; i < a->n_ifaces; i++)
		if (a->ifaces[i].type == OVZ_IFACE_VETH && !find_veth(b, &a->ifaces[i], &m))
			return true;
	for (size_t i = 0; i < b->n_ifaces; i++)
		if (b->ifaces[i].type == OVZ_IFACE_VETH && !find_veth(a, &b->ifaces[i], &m))
			return true;
	return false;
}

static int set_veths(struct live *l, const struct ovz_domain *cur, const struct ovz_domain *want,
		     struct ovz_error **err)
{
	struct ovz_netctx *n = NULL;
	unsigned k = 0, m;
	int r = 0;
	if (!l->backend->supports(OVZ_OP_NET) && veths_differ(cur, want))
		return ovz_error_set(err, ENOTSUP,
				     "the %s backend cannot add or remove veth interfaces of a "
				     "running container; use --save and restart it",
				     l->backend->name);
	for (size_t i = 0; r == 0 && i < cur->n_ifaces; i++) {
		const struct ovz_iface *f = &cur->ifaces[i];
		if (f->type != OVZ_IFACE_VETH)
			continue;
		if (!find_veth(want, f, &m) && (r = live_net(l, &n, err)) == 0)
			r = ovz_net_steps_undo(ovz_veth_steps, ovz_veth_n_steps, n, f, k, err);
		k++;
	}
	k = 0;
	for (size_t i = 0; r == 0 && i < want->n_ifaces; i++) {
		const struct ovz_iface *f = &want->ifaces[i];
		if (f->type != OVZ_IFACE_VETH)
			continue;
		if (!find_veth(cur, f, &m) && (r = live_net(l, &n, err)) == 0)
			r = ovz_net_steps_apply(ovz_veth_steps, ovz_veth_n_steps, n, f, k, err);
		k++;
	}
	return r;
}

static int sethostname_here(void *arg, struct ovz_error **err)
{
	const char *name = arg;
	if (sethostname(name, strlen(name)) < 0)
		return ovz_error_sys(err, errno, "sethostname '%s'", name);
	return 0;
}

/* sethostname in the container's UTS namespace, from a forked child:
 * entered by the backend on kernels without setns (3.0), else by setns. */
static int set_hostname(struct live *l, const struct ovz_domain *d, const char *name,
			struct ovz_error **err)
{
	if (l->backend->enter_call) {
		_cleanup_free_ char *priv = NULL, *rel = NULL;
		ovz_host_ct_dirs(l->h, d, &priv, &rel);
		_cleanup_free_ char *root = path_join(l->h->vz->root, rel);
		return l->backend->enter_call(l->ctid, root, sethostname_here, (void *)name, err);
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)l->init);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	pid_t pid = fork();
	if (pid < 0)
		return ovz_error_sys(err, errno, "fork");
	if (pid == 0)
		_exit(setns(fd, CLONE_NEWUTS) == 0 && sethostname(name, strlen(name)) == 0 ? 0
											     : errno);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int e = WIFEXITED(st) ? WEXITSTATUS(st) : EIO;
	return e ? ovz_error_sys(err, e, "sethostname '%s' in CT %u", name, l->ctid) : 0;
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static bool strv_differs(char **a, char **b)
{
	_cleanup_free_ char *x = strv_join(a, " "), *y = strv_join(b, " ");
	return strcmp(x, y) != 0;
}

static int set_etc(struct live *l, const struct ovz_domain *cur, const struct ovz_domain *want,
		   struct ovz_error **err)
{
	if (!str_differs(cur->hostname, want->hostname) &&
	    !strv_differs(cur->nameservers, want->nameservers) &&
	    !strv_differs(cur->searchdomains, want->searchdomains))
		return 0;
	int r = 0;
	if (want->hostname && str_differs(cur->hostname, want->hostname))
		r = set_hostname(l, want, want->hostname, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *priv = NULL, *root = NULL;
	ovz_host_ct_dirs(l->h, want, &priv, &root);
	_cleanup_free_ char *hr = path_join(l->h->vz->root, root);
	_cleanup_close_ int fd = open(hr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", hr);
	return ovz_etc_apply(fd, want, err);
}

/* vz: a legacy kernel has beancounters and fairsched, not cgroups.  The
 * beancounters a start would set are set again on the running VE (the
 * host may change any of them with setublimit), then its CPU values. */
static int set_vz_limits(struct live *l, const struct ovz_domain *want, struct ovz_error **err)
{
	_cleanup_(ovz_plan_freep) struct ovz_plan *p = NULL;
	int r = ovz_plan_compile(l->backend, l->h, want, OVZ_VERB_START, &p, err);
	for (size_t i = 0; r == 0 && i < p->n_ops; i++) {
		const struct ovz_op *op = &p->ops[i];
		if (op->type == OVZ_OP_UBC_SET)
			r = ovz_vz_setublimit(l->ctid, (unsigned)op->num, strtoul(op->value, NULL, 10),
					      strtoul(op->value2, NULL, 10), err);
	}
	if (r == 0)
		r = ovz_vz_set_cpuunits(l->ctid, p->vz ? p->vz->cpuunits : 1000, err);
	if (r == 0 && want->cpu_quota > 0) {
		uint64_t period = want->cpu_period != OVZ_UNSET ? want->cpu_period : 100000;
		r = ovz_vz_set_cpulimit(l->ctid,
					(unsigned long)((uint64_t)want->cpu_quota * 100 / period), err);
	}
	if (r == 0 && want->vcpus)
		r = ovz_vz_set_cpus(l->ctid, want->vcpus, err);
	return r;
}

static int set_limits(struct live *l, const struct ovz_domain *want, struct ovz_error **err)
{
	if (strcmp(l->backend->name, "vz") == 0)
		return set_vz_limits(l, want, err);
	struct ovz_cgroups cg;
	int r = ovz_cgroups_detect(&cg, err);
	if (r < 0)
		return r;
	struct ovz_cg_limits lim;
	ovz_cg_limits_init(&lim);
	if (want->memory != OVZ_UNSET)
		lim.memory = want->memory * 1024;
	if (want->cpu_shares != OVZ_UNSET)
		lim.cpu_units = want->cpu_shares;
	if (want->vcpus)
		lim.cpus = want->vcpus;
	if (want->cpu_quota > 0)
		lim.cpu_limit = (uint64_t)want->cpu_quota * 100 /
				(want->cpu_period != OVZ_UNSET ? want->cpu_period : 100000);
	_cleanup_free_ char *name = ovz_cgroup_name(OVZ_CGROUP_ROOT, l->ctid);
	r = ovz_cgroup_apply(&cg, name, &lim, err);
	ovz_cgroups_release(&cg);
	return r;
}

static int apply_live(struct live *l, const struct ovz_domain *cur, const struct ovz_domain *want,
		      struct ovz_error **err)
{
	int r = set_venet(l, cur, want, err);
	if (r == 0)
		r = set_veths(l, cur, want, err);
	if (r == 0)
		r = set_etc(l, cur, want, err);
	if (r == 0 && (want->memory != cur->memory || want->cpu_shares != cur->cpu_shares ||
		       want->vcpus != cur->vcpus || want->cpu_quota != cur->cpu_quota))
		r = set_limits(l, want, err);
	if (l->net_open)
		ovz_netctx_close(&l->net);
	if (l->netns >= 0)
		close(l->netns);
	return r;
}

int ovz_ct_set(struct ovz_host *h, unsigned ctid, struct ovz_domain *want_live,
	       struct ovz_domain *want_conf, bool save, bool *applied_live,
	       struct ovz_error **err)
{
	_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
	int r = ovz_lock_ct(h->lockdir, ctid, "set", &lock, err);
	if (r < 0)
		return r;
	want_live->ctid = want_conf->ctid = ctid;
	pid_t init = 0;
	bool running = ovz_host_ct_running(h, ctid, &init);
	const struct ovz_backend *b;
	*applied_live = false;
	if (running && (r = ovz_host_backend(h, &b, err)) < 0)
		return r;
	if (running) {
		_cleanup_(ovz_domain_freep) struct ovz_domain *cur = NULL;
		r = ovz_host_load_live(h, ctid, &cur, err);
		if (r < 0)
			return r;
		struct live l = { .h = h, .backend = b, .ctid = ctid, .init = init, .netns = -1 };
		r = apply_live(&l, cur, want_live, err);
		if (r == 0)
			r = ovz_host_save_live(h, want_live, err);
		if (r < 0)
			return r;
		*applied_live = true;
	}
	if (save || !running)
		r = ovz_host_define_locked(h, want_conf, err);
	return r;
}
