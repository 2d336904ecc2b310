// SPDX-License-Identifier: LGPL-2.1-or-later
#include "plan.h"
#include "backend.h"
#include "cgroup.h"
#include "host.h"
#include "net/net.h"
#include "net/vzabi.h"
#include "caps.h"
#include "vzparams.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *ovz_verb_name(enum ovz_verb v)
{
	switch (v) {
	case OVZ_VERB_CREATE:
		return "create";
	case OVZ_VERB_MOUNT:
		return "mount";
	case OVZ_VERB_START:
		break;
	}
	return "start";
}

const char *ovz_plan_str(struct ovz_plan *p, const char *s)
{
	if (!s)
		return NULL;
	char *copy = xstrdup(s);
	strv_push(&p->strings, copy);
	return copy;
}

struct ovz_op *ovz_plan_add(struct ovz_plan *p, enum ovz_op_type type, enum ovz_ctx ctx,
			    const char *mech, const char *call, const char *undo_call)
{
	p->ops = xrealloc(p->ops, (p->n_ops + 1) * sizeof(*p->ops));
	struct ovz_op *op = &p->ops[p->n_ops++];
	memset(op, 0, sizeof(*op));
	op->type = type;
	op->ctx = ctx;
	op->mech = mech;
	op->call = call;
	op->undo_call = undo_call;
	op->args = xstrdup("");
	return op;
}

void ovz_op_argf(struct ovz_plan *p, struct ovz_op *op, const char *fmt, ...)
{
	(void)p;
	va_list ap;
	va_start(ap, fmt);
	char *more = xvasprintf(fmt, ap);
	va_end(ap);
	char *joined = xasprintf("%s%s%s", op->args, *op->args ? " " : "", more);
	free(more);
	free(op->args);
	op->args = joined;
}

void ovz_plan_free(struct ovz_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_ops; i++)
		free(p->ops[i].args);
	free(p->ops);
	strv_free(p->strings);
	if (p->vz)
		ovz_vz_params_release(p->vz);
	free(p->vz);
	free(p);
}

void ovz_plan_freep(struct ovz_plan **p)
{
	ovz_plan_free(*p);
}

/* ---- the compiler ---- */

struct compiler {
	const struct ovz_backend *b;
	struct ovz_host *h;
	const struct ovz_domain *d;
	struct ovz_plan *p;
	const char *private_dir, *root_dir;
	struct ovz_vz_params *vz;	/* vz: the plan's, what the VE is created with */
};

static bool has(const struct compiler *c, enum ovz_op_type t)
{
	return c->b->supports(t);
}

static const char *ip_text(struct compiler *c, const struct ovz_ip *ip, bool with_prefix)
{
	char buf[64];
	ovz_format_ip(ip, with_prefix, buf, sizeof(buf));
	return ovz_plan_str(c->p, buf);
}

static void add_net_step(struct compiler *c, const struct ovz_net_step *step,
			 const struct ovz_iface *f, unsigned n, const char *mech,
			 const char *call, const char *undo_call)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_NET, OVZ_CTX_HOST, mech, call, undo_call);
	op->net_step = step;
	op->iface = f;
	op->iface_n = n;
}

static void arg_ips(struct compiler *c, struct ovz_op *op, const struct ovz_iface *f,
		    bool host_prefix)
{
	for (size_t i = 0; i < f->n_ips; i++) {
		struct ovz_ip ip = f->ips[i];
		if (ip.prefix < 0 || host_prefix)
			ip.prefix = ip.family == AF_INET ? 32 : 128;
		ovz_op_argf(c->p, op, "addr=%s", ip_text(c, &ip, true));
	}
}

static bool has_family(const struct ovz_iface *f, int family)
{
	for (size_t i = 0; i < f->n_ips; i++)
		if (f->ips[i].family == family)
			return true;
	return false;
}

static void arg_default_routes(struct compiler *c, struct ovz_op *op, const struct ovz_iface *f,
			       bool device_route)
{
	if (f->gw4.family)
		ovz_op_argf(c->p, op, "dst=default via=%s onlink", ip_text(c, &f->gw4, false));
	else if (device_route && has_family(f, AF_INET))
		ovz_op_argf(c->p, op, "dst=default");
	if (f->gw6.family)
		ovz_op_argf(c->p, op, "dst=default6 via=%s onlink", ip_text(c, &f->gw6, false));
	else if (device_route && has_family(f, AF_INET6))
		ovz_op_argf(c->p, op, "dst=default6");
}

/* The venet steps of src/net, each printed with what it does. */
static void compile_venet(struct compiler *c, const struct ovz_iface *f)
{
	char host[16];
	ovz_venet_host_name(c->d->ctid, host);
	for (size_t k = 0; k < ovz_venet_n_steps; k++) {
		const struct ovz_net_step *s = &ovz_venet_steps[k];
		struct ovz_op *op = NULL;
		if (s->apply == ovz_venet_link_add) {
			add_net_step(c, s, f, 0, "netlink", "RTM_NEWLINK veth", "RTM_DELLINK");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "host=%s peer=" OVZ_VENET_DEV " netns=ct noarp", host);
		} else if (s->apply == ovz_venet_filter_add) {
			add_net_step(c, s, f, 0, "nftables", "NFT_MSG_NEWTABLE netdev",
				     "NFT_MSG_DELTABLE");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "table=ovz-native-%u hook=ingress dev=%s policy=drop",
				    c->d->ctid, host);
			for (size_t i = 0; i < f->n_ips; i++)
				ovz_op_argf(c->p, op, "saddr=%s", ip_text(c, &f->ips[i], false));
		} else if (s->apply == ovz_venet_up) {
			add_net_step(c, s, f, 0, "netlink", "RTM_NEWLINK up", "RTM_NEWLINK down");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=%s dev=" OVZ_VENET_DEV "@ct", host);
		} else if (s->apply == ovz_venet_addrs_add) {
			if (!f->n_ips)
				continue;
			add_net_step(c, s, f, 0, "netlink", "RTM_NEWADDR", "RTM_DELADDR");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=" OVZ_VENET_DEV " netns=ct");
			arg_ips(c, op, f, false);
		} else if (s->apply == ovz_venet_default_add) {
			add_net_step(c, s, f, 0, "netlink", "RTM_NEWROUTE", "RTM_DELROUTE");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=" OVZ_VENET_DEV " netns=ct");
			arg_default_routes(c, op, f, true);
		} else if (s->apply == ovz_venet_forwarding_on) {
			add_net_step(c, s, f, 0, "sysctl", "write", "none");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "net/ipv4/ip_forward=1");
			if (has_family(f, AF_INET6))
				ovz_op_argf(c->p, op, "net/ipv6/conf/all/forwarding=1");
		} else if (s->apply == ovz_venet_host_routes_add) {
			if (!f->n_ips)
				continue;
			add_net_step(c, s, f, 0, "netlink", "RTM_NEWROUTE", "RTM_DELROUTE");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=%s", host);
			arg_ips(c, op, f, true);
		} else if (s->apply == ovz_venet_proxy_add) {
			if (!f->n_ips)
				continue;
			add_net_step(c, s, f, 0, "netlink", "RTM_NEWNEIGH proxy",
				     "RTM_DELNEIGH proxy");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=@uplinks");
			for (size_t i = 0; i < f->n_ips; i++)
				ovz_op_argf(c->p, op, "addr=%s", ip_text(c, &f->ips[i], false));
		} else {
			add_net_step(c, s, f, 0, "netlink", s->name, s->name);
		}
	}
}

static const char *mac_text(struct compiler *c, const uint8_t m[6])
{
	char buf[18];
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return ovz_plan_str(c->p, buf);
}

static void compile_veth(struct compiler *c, const struct ovz_iface *f, unsigned n,
			 struct ovz_error **err)
{
	struct ovz_veth_names nm;
	if (ovz_veth_resolve(f, c->d->ctid, n, &nm, err) < 0)
		return;
	for (size_t k = 0; k < ovz_veth_n_steps; k++) {
		const struct ovz_net_step *s = &ovz_veth_steps[k];
		struct ovz_op *op;
		if (s->apply == ovz_veth_link_add) {
			add_net_step(c, s, f, n, "netlink", "RTM_NEWLINK veth", "RTM_DELLINK");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "host=%s peer=%s netns=ct mac=%s host_mac=%s",
				    nm.host_dev, nm.guest_dev, mac_text(c, nm.mac),
				    mac_text(c, nm.host_mac));
		} else if (s->apply == ovz_veth_host_up) {
			add_net_step(c, s, f, n, "netlink", "RTM_NEWLINK up", "RTM_NEWLINK down");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=%s", nm.host_dev);
		} else if (s->apply == ovz_veth_enslave) {
			if (!f->bridge[0])
				continue;
			add_net_step(c, s, f, n, "netlink", "RTM_NEWLINK master",
				     "RTM_NEWLINK nomaster");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=%s bridge=%s", nm.host_dev, f->bridge);
		} else if (s->apply == ovz_veth_guest_up) {
			add_net_step(c, s, f, n, "netlink", "RTM_NEWLINK up", "RTM_NEWLINK down");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=%s netns=ct", nm.guest_dev);
		} else if (s->apply == ovz_veth_addrs_add) {
			if (!f->n_ips)
				continue;
			add_net_step(c, s, f, n, "netlink", "RTM_NEWADDR", "RTM_DELADDR");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=%s netns=ct", nm.guest_dev);
			arg_ips(c, op, f, false);
		} else if (s->apply == ovz_veth_routes_add) {
			if (!f->gw4.family && !f->gw6.family)
				continue;
			add_net_step(c, s, f, n, "netlink", "RTM_NEWROUTE", "RTM_DELROUTE");
			op = &c->p->ops[c->p->n_ops - 1];
			ovz_op_argf(c->p, op, "dev=%s netns=ct", nm.guest_dev);
			arg_default_routes(c, op, f, false);
		} else {
			add_net_step(c, s, f, n, "netlink", s->name, s->name);
		}
	}
}

/* ---- vz: the kernel's venet and veth (openvz-abi.md §4.1-4.2, §5) ---- */

static bool is_vz(const struct compiler *c)
{
	return has(c, OVZ_OP_VENET_IP);
}

static bool is_vz7(const struct compiler *c)
{
	return has(c, OVZ_OP_VE_CGROUP);
}

static const struct ovz_net_step *step_of(const struct ovz_net_step *steps, size_t n,
					   ovz_net_fn apply)
{
	for (size_t k = 0; k < n; k++)
		if (steps[k].apply == apply)
			return &steps[k];
	return NULL;
}

static struct ovz_op *add_vz_step(struct compiler *c, const struct ovz_net_step *s,
				  enum ovz_ctx ctx, const struct ovz_iface *f, unsigned n,
				  const char *mech, const char *call, const char *undo_call)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_NET, ctx, mech, call, undo_call);
	op->net_step = s;
	op->iface = f;
	op->iface_n = n;
	return op;
}

/* venet0 of a kernel venet (vz, vz7): up inside, the addresses and default
 * routes configured inside over netlink (no dist scripts); the host routes
 * and announces each address as vzctl's vps-net_add does.  What is inside
 * goes with the VE, so it has no undo. */
static void compile_venet_kernel(struct compiler *c, const struct ovz_iface *f)
{
	const struct ovz_net_step *v = ovz_venet_steps;
	size_t nv = ovz_venet_n_steps;
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_LINK_UP, OVZ_CTX_CT, "netlink",
					 "RTM_NEWLINK up", "none");
	op->dev = OVZ_VENET_DEV;
	op->in_ct = true;
	ovz_op_argf(c->p, op, "dev=" OVZ_VENET_DEV);
	if (!f->n_ips)
		return;
	op = add_vz_step(c, step_of(v, nv, ovz_venet_addrs_add), OVZ_CTX_CT, f, 0, "netlink",
			 "RTM_NEWADDR", "none");
	ovz_op_argf(c->p, op, "dev=" OVZ_VENET_DEV);
	arg_ips(c, op, f, false);
	op = add_vz_step(c, step_of(v, nv, ovz_venet_default_add), OVZ_CTX_CT, f, 0, "netlink",
			 "RTM_NEWROUTE", "none");
	ovz_op_argf(c->p, op, "dev=" OVZ_VENET_DEV);
	arg_default_routes(c, op, f, true);
	op = add_vz_step(c, step_of(v, nv, ovz_venet_forwarding_on), OVZ_CTX_HOST, f, 0, "sysctl",
			 "write", "none");
	ovz_op_argf(c->p, op, "net/ipv4/ip_forward=1");
	if (has_family(f, AF_INET6))
		ovz_op_argf(c->p, op, "net/ipv6/conf/all/forwarding=1");
	op = add_vz_step(c, &ovz_vz_host_routes_step, OVZ_CTX_HOST, f, 0, "netlink",
			 "RTM_NEWROUTE", "RTM_DELROUTE");
	ovz_op_argf(c->p, op, "dev=" OVZ_VENET_DEV);
	arg_ips(c, op, f, true);
	op = add_vz_step(c, step_of(v, nv, ovz_venet_proxy_add), OVZ_CTX_HOST, f, 0, "netlink",
			 "RTM_NEWNEIGH proxy", "RTM_DELNEIGH proxy");
	ovz_op_argf(c->p, op, "dev=@uplinks");
	for (size_t i = 0; i < f->n_ips; i++)
		ovz_op_argf(c->p, op, "addr=%s", ip_text(c, &f->ips[i], false));
}

/* Legacy: the venet module made venet0 with the VE; each address is mapped
 * to the VE by ioctl. */
static void compile_venet_vz(struct compiler *c, const struct ovz_iface *f)
{
	for (size_t i = 0; i < f->n_ips; i++) {
		struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_VENET_IP, OVZ_CTX_HOST, "ioctl",
						 "VENETCTL_VE_IP_MAP VE_IP_ADD",
						 "VENETCTL_VE_IP_MAP VE_IP_DEL");
		op->ip = f->ips[i];
		ovz_op_argf(c->p, op, "veid=%u addr=%s", c->d->ctid, ip_text(c, &f->ips[i], false));
	}
	compile_venet_kernel(c, f);
}

/* OpenVZ 7 (openvz-abi.md §4.3): venet0 is made inside by netlink, and
 * each address is given to the VE through its ve cgroup. */
static void compile_venet_vz7(struct compiler *c, const struct ovz_iface *f)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_VENET_LINK, OVZ_CTX_CT, "netlink",
					 "RTM_NEWLINK venet", "none");
	op->dev = OVZ_VENET_DEV;
	ovz_op_argf(c->p, op, "dev=" OVZ_VENET_DEV " flags=REQUEST|ACK|CREATE|EXCL");
	for (size_t i = 0; i < f->n_ips; i++) {
		bool v6 = f->ips[i].family == AF_INET6;
		op = ovz_plan_add(c->p, OVZ_OP_VE_IP, OVZ_CTX_HOST, "cgroup",
				  v6 ? "write ve.ip6_allow" : "write ve.ip_allow",
				  v6 ? "write ve.ip6_deny" : "write ve.ip_deny");
		op->ip = f->ips[i];
		ovz_op_argf(c->p, op, "path=ve/%u addr=%s", c->d->ctid,
			    ip_text(c, &f->ips[i], false));
	}
	compile_venet_kernel(c, f);
}

/* One ioctl makes the pair with the peer inside; the rest is netlink on
 * either side of it. */
static void compile_veth_vz(struct compiler *c, const struct ovz_iface *f, unsigned n,
			    struct ovz_error **err)
{
	struct ovz_veth_names nm;
	if (ovz_veth_resolve(f, c->d->ctid, n, &nm, err) < 0)
		return;
	const struct ovz_net_step *v = ovz_veth_steps;
	size_t nv = ovz_veth_n_steps;
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_VETH_IOCTL, OVZ_CTX_HOST, "ioctl",
					 "VETHCTL_VE_HWADDR VE_ETH_ADD",
					 "VETHCTL_VE_HWADDR VE_ETH_DEL");
	op->iface = f;
	op->iface_n = n;
	ovz_op_argf(c->p, op, "veid=%u host=%s host_mac=%s peer=%s mac=%s", c->d->ctid,
		    nm.host_dev, mac_text(c, nm.host_mac), nm.guest_dev, mac_text(c, nm.mac));
	op = add_vz_step(c, step_of(v, nv, ovz_veth_host_up), OVZ_CTX_HOST, f, n, "netlink",
			 "RTM_NEWLINK up", "RTM_NEWLINK down");
	ovz_op_argf(c->p, op, "dev=%s", nm.host_dev);
	if (f->bridge[0]) {
		op = add_vz_step(c, step_of(v, nv, ovz_veth_enslave), OVZ_CTX_HOST, f, n,
				 "netlink", "RTM_NEWLINK master", "RTM_NEWLINK nomaster");
		ovz_op_argf(c->p, op, "dev=%s bridge=%s", nm.host_dev, f->bridge);
	}
	op = add_vz_step(c, step_of(v, nv, ovz_veth_guest_up), OVZ_CTX_CT, f, n, "netlink",
			 "RTM_NEWLINK up", "none");
	ovz_op_argf(c->p, op, "dev=%s", nm.guest_dev);
	if (f->n_ips) {
		op = add_vz_step(c, step_of(v, nv, ovz_veth_addrs_add), OVZ_CTX_CT, f, n,
				 "netlink", "RTM_NEWADDR", "none");
		ovz_op_argf(c->p, op, "dev=%s", nm.guest_dev);
		arg_ips(c, op, f, false);
	}
	if (f->gw4.family || f->gw6.family) {
		op = add_vz_step(c, step_of(v, nv, ovz_veth_routes_add), OVZ_CTX_CT, f, n,
				 "netlink", "RTM_NEWROUTE", "none");
		ovz_op_argf(c->p, op, "dev=%s", nm.guest_dev);
		arg_default_routes(c, op, f, false);
	}
}

/* A device moved in is the VE's until it stops, when the kernel gives it
 * back to the host; its undo (del) is for a start that fails half way. */
static int compile_netdevs(struct compiler *c, struct ovz_error **err)
{
	for (size_t i = 0; c->d->netdevs && c->d->netdevs[i]; i++) {
		const char *dev = c->d->netdevs[i];
		unsigned veth_n = 0;
		for (size_t k = 0; k < c->d->n_ifaces; k++) {
			struct ovz_veth_names nm;
			if (c->d->ifaces[k].type != OVZ_IFACE_VETH)
				continue;
			int r = ovz_veth_resolve(&c->d->ifaces[k], c->d->ctid, veth_n++, &nm, err);
			if (r < 0)
				return r;
			if (strcmp(nm.host_dev, dev) == 0)
				return ovz_error_set(err, EINVAL, "hostdev/source/interface: is the "
						     "host side of one of the container's own veth "
						     "interfaces (%s)", dev);
		}
		struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_NETDEV, OVZ_CTX_HOST, "ioctl",
						 "VZCTL_VE_NETDEV add", "VZCTL_VE_NETDEV del");
		op->dev = dev;
		ovz_op_argf(c->p, op, "dev=%s", dev);
	}
	return 0;
}

static int compile_network(struct compiler *c, struct ovz_error **err)
{
	bool vz = is_vz(c);
	struct ovz_op *lo = ovz_plan_add(c->p, OVZ_OP_LINK_UP, vz ? OVZ_CTX_CT : OVZ_CTX_HOST,
					 "netlink", "RTM_NEWLINK up", "none");
	lo->dev = "lo";
	lo->in_ct = true;
	ovz_op_argf(c->p, lo, vz ? "dev=lo" : "dev=lo netns=ct");
	/* the model holds at most one venet interface: every ethernet
	 * interface's addresses are merged into venet0 when it is built */
	for (size_t i = 0; i < c->d->n_ifaces; i++) {
		if (c->d->ifaces[i].type != OVZ_IFACE_VENET)
			continue;
		if (vz)
			compile_venet_vz(c, &c->d->ifaces[i]);
		else if (is_vz7(c))
			compile_venet_vz7(c, &c->d->ifaces[i]);
		else
			compile_venet(c, &c->d->ifaces[i]);
	}
	unsigned veth_n = 0;
	for (size_t i = 0; i < c->d->n_ifaces; i++) {
		const struct ovz_iface *f = &c->d->ifaces[i];
		if (f->type != OVZ_IFACE_VETH)
			continue;
		if (vz)
			compile_veth_vz(c, f, veth_n++, err);
		else
			compile_veth(c, f, veth_n++, err);
		if (err && *err)
			return -(*err)->errnum;
	}
	return vz ? compile_netdevs(c, err) : 0;
}

static void compile_root_mount(struct compiler *c)
{
	bool simfs = !has(c, OVZ_OP_CGROUP_CREATE) && has(c, OVZ_OP_UBC_SET);
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_ROOT_MOUNT, OVZ_CTX_HOST, "mount",
					 simfs ? "simfs" : "MS_BIND", "umount2 MNT_DETACH");
	op->path = c->private_dir;
	op->path2 = c->root_dir;
	ovz_op_argf(c->p, op, "src=%s dst=%s", c->private_dir, c->root_dir);
}

static void compile_cgroup(struct compiler *c)
{
	const struct ovz_domain *d = c->d;
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_CGROUP_CREATE, OVZ_CTX_HOST, "cgroup",
					 "mkdir", "kill+rmdir");
	ovz_op_argf(c->p, op, "path=" OVZ_CGROUP_ROOT "/%u devices=openvz-default", d->ctid);
	if (d->memory != OVZ_UNSET)
		ovz_op_argf(c->p, op, "memory=%llu", (unsigned long long)d->memory * 1024);
	if (d->mem_swap_hard_limit != OVZ_UNSET && d->memory != OVZ_UNSET &&
	    d->mem_swap_hard_limit >= d->memory)
		ovz_op_argf(c->p, op, "swap=%llu",
			    (unsigned long long)(d->mem_swap_hard_limit - d->memory) * 1024);
	if (d->cpu_shares != OVZ_UNSET)
		ovz_op_argf(c->p, op, "cpuunits=%llu", (unsigned long long)d->cpu_shares);
	if (d->cpu_quota > 0)
		ovz_op_argf(c->p, op, "cpulimit=%lld%%",
			    (long long)(d->cpu_quota * 100 /
					(long long)(d->cpu_period != OVZ_UNSET ? d->cpu_period
									   : 100000)));
	if (d->vcpus)
		ovz_op_argf(c->p, op, "cpus=%u", d->vcpus);
	uint64_t nproc = ovz_host_numproc(c->h, d->ctid);
	if (nproc)
		ovz_op_argf(c->p, op, "numproc=%llu", (unsigned long long)nproc);
}

/* The VE as the kernel knows it; its limits are in the cgroup above.
 * FEATURES and NETFILTER as on vz; the known features are changed in
 * ve.features, the others left as the kernel has them. */
static void compile_ve_cgroup(struct compiler *c)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_VE_CGROUP, OVZ_CTX_HOST, "cgroup",
					 "mkdir ve", "kill+rmdir");
	op->num = c->vz->features;
	op->num2 = c->vz->features_known;
	op->num3 = c->vz->iptables_mask;
	_cleanup_free_ char *feat = ovz_vz_features_format(c->vz->features, c->vz->features_known);
	ovz_op_argf(c->p, op, "path=ve/%u veid=%u features=%s iptables_mask=0x%llx "
			      "pseudosuper=1", c->d->ctid, c->d->ctid, feat,
		    (unsigned long long)c->vz->iptables_mask);
}

static long long vz_cpulimit(const struct ovz_domain *d)
{
	return d->cpu_quota * 100 /
	       (long long)(d->cpu_period != OVZ_UNSET ? d->cpu_period : 100000);
}

static void compile_ct_create(struct compiler *c)
{
	struct ovz_op *op;
	if (has(c, OVZ_OP_CGROUP_CREATE))
		op = ovz_plan_add(c->p, OVZ_OP_CT_CREATE, OVZ_CTX_HOST, "clone",
				  "CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWUTS|CLONE_NEWIPC|"
				  "CLONE_NEWCGROUP",
				  "kill");
	else
		op = ovz_plan_add(c->p, OVZ_OP_CT_CREATE, OVZ_CTX_HOST, "ioctl",
				  "VZCTL_ENV_CREATE_DATA", "VE_ENTER+reboot(POWER_OFF)");
	ovz_op_argf(c->p, op, "veid=%u root=%s", c->d->ctid, c->root_dir);
	if (is_vz7(c)) {
		/* the first process joins the ve cgroup before it goes on, and
		 * binds the VE to its new namespaces itself */
		ovz_op_argf(c->p, op, "attach=ve/%u", c->d->ctid);
		op = ovz_plan_add(c->p, OVZ_OP_VE_START, OVZ_CTX_CT, "cgroup", "write ve.state",
				  "none");
		ovz_op_argf(c->p, op, "path=ve/%u START", c->d->ctid);
	}
	if (has(c, OVZ_OP_CGROUP_CREATE))
		return;
	const struct ovz_domain *d = c->d;
	_cleanup_free_ char *feat = ovz_vz_features_format(c->vz->features, c->vz->features_known);
	op->num = c->vz->features;
	op->num2 = c->vz->iptables_mask;
	op->num3 = c->vz->features_known;
	ovz_op_argf(c->p, op, "flags=VE_CREATE|VE_EXCLUSIVE setluid=%u iptables_mask=0x%llx "
			      "features=%s", d->ctid, (unsigned long long)c->vz->iptables_mask, feat);
	/* then the VE's fairsched node, from the host as vzctl does */
	ovz_op_argf(c->p, op, "cpuunits=%lu", c->vz->cpuunits);
	if (d->cpu_quota > 0)
		ovz_op_argf(c->p, op, "cpulimit=%lld%%", (long long)vz_cpulimit(d));
	if (d->vcpus)
		ovz_op_argf(c->p, op, "cpus=%u", d->vcpus);
}

static void load_vz_params(struct compiler *c);

static void compile_inside(struct compiler *c)
{
	const struct ovz_domain *d = c->d;
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_ETC_WRITE, OVZ_CTX_HOST, "fs", "write etc",
					 "none");
	op->path = c->root_dir;
	ovz_op_argf(c->p, op, "root=%s", c->root_dir);
	if (d->hostname)
		ovz_op_argf(c->p, op, "hostname=%s", d->hostname);
	for (size_t i = 0; d->nameservers && d->nameservers[i]; i++)
		ovz_op_argf(c->p, op, "nameserver=%s", d->nameservers[i]);
	for (size_t i = 0; d->searchdomains && d->searchdomains[i]; i++)
		ovz_op_argf(c->p, op, "search=%s", d->searchdomains[i]);
	if (d->hostname) {
		op = ovz_plan_add(c->p, OVZ_OP_HOSTNAME, OVZ_CTX_CT, "uts", "sethostname", "none");
		op->value = d->hostname;
		ovz_op_argf(c->p, op, "%s", d->hostname);
	}
	if (is_vz(c)) {
		/* the VE's root is the chroot its init made before VE_CREATE */
		op = ovz_plan_add(c->p, OVZ_OP_ROOTFS, OVZ_CTX_CT, "mount", "proc sysfs", "none");
		op->path = c->root_dir;
		op->num = c->vz->features & c->vz->features_known;
		ovz_op_argf(c->p, op, "root=%s proc sys%s", c->root_dir,
			    op->num & OVZ_VE_FEATURE_NFSD ? " nfsd rpc_pipefs" : "");
	} else {
		op = ovz_plan_add(c->p, OVZ_OP_ROOTFS, OVZ_CTX_CT, "mount", "pivot_root", "none");
		op->path = c->root_dir;
		ovz_op_argf(c->p, op, "root=%s proc sys dev devpts", c->root_dir);
	}
	if (!is_vz(c)) {	/* vz: before the VE exists, see compile_vz_init */
		op = ovz_plan_add(c->p, OVZ_OP_CAPS, OVZ_CTX_CT, "prctl", "PR_CAPBSET_DROP",
				  "none");
		ovz_op_argf(c->p, op, "set=openvz-default");
	}
	if (is_vz7(c)) {
		op = ovz_plan_add(c->p, OVZ_OP_VE_PSEUDOSUPER, OVZ_CTX_CT, "cgroup",
				  "write ve.pseudosuper", "none");
		ovz_op_argf(c->p, op, "path=ve/%u 0", d->ctid);
	}
	op = ovz_plan_add(c->p, OVZ_OP_EXEC_INIT, OVZ_CTX_CT, "exec", "execve", "none");
	op->path = d->init ? d->init : "/sbin/init";
	ovz_op_argf(c->p, op, "%s", op->path);
	for (size_t i = 0; d->init_args && d->init_args[i]; i++)
		ovz_op_argf(c->p, op, "%s", d->init_args[i]);
}

/* ---- vz: the VE's init-to-be (openvz-abi.md §2, §3.1 steps 5-6) ---- */

static void add_ubc(struct compiler *c, const struct ovz_ub_limit *u)
{
	char b[24], l[24];
	snprintf(b, sizeof(b), "%lu", u->barrier);
	snprintf(l, sizeof(l), "%lu", u->limit);
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_UBC_SET, OVZ_CTX_HOST, "syscall",
					 "setublimit", "none");
	op->num = u->res;
	op->value = ovz_plan_str(c->p, b);
	op->value2 = ovz_plan_str(c->p, l);
	ovz_op_argf(c->p, op, "id=%u res=%s barrier=%s limit=%s", c->d->ctid,
		    ovz_ub_name(u->res), b, l);
}

/* vzctl's capability mask with CAPABILITY, and the changes to it named. */
static void compile_vz_caps(struct compiler *c, enum ovz_ctx ctx, const char *call)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_CAPS, ctx, "prctl", call, "none");
	op->num = c->vz->caps;
	ovz_op_argf(c->p, op, "mask=0x%llx", (unsigned long long)c->vz->caps);
	uint64_t def = ovz_caps_vz_default();
	for (int cap = 0; cap < 32; cap++)
		if ((def ^ c->vz->caps) & OVZ_CAP_BIT(cap))
			ovz_op_argf(c->p, op, "%s:%s", ovz_cap_vz_name(cap),
				    c->vz->caps & OVZ_CAP_BIT(cap) ? "on" : "off");
}

/* As vzctl: the process that took the VE's beancounter sets every limit,
 * forks so that the VE's init is charged to it from its first page, and
 * that child bounds its capabilities before VE_CREATE copies them into
 * the VE (the VE's set bounds init and every process that enters). */
static void compile_vz_init(struct compiler *c)
{
	for (size_t i = 0; i < c->vz->n_ub; i++)
		add_ubc(c, &c->vz->ub[i]);
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_FORK, OVZ_CTX_HOST, "fork",
					 "init-to-be", "kill");
	ovz_op_argf(c->p, op, "ub=%u", c->d->ctid);
	compile_vz_caps(c, OVZ_CTX_HOST, "PR_CAPBSET_DROP+capset");
}


/* VZCTL_SETDEVPERMS for each of DEVICES and DEVNODES, from the host once
 * the VE runs; the permissions go with the VE. */
static void compile_devperms(struct compiler *c)
{
	for (size_t i = 0; i < c->vz->n_devs; i++) {
		const struct ovz_devperm *dp = &c->vz->devs[i];
		struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_DEVPERM, OVZ_CTX_HOST, "ioctl",
						 "VZCTL_SETDEVPERMS", "none");
		op->data = dp;
		op->path = c->root_dir;
		_cleanup_free_ char *text = ovz_devperm_format(dp);
		ovz_op_argf(c->p, op, "veid=%u %s%s", c->d->ctid, text,
			    dp->node ? " mknod=/dev" : "");
	}
}

static void load_vz_params(struct compiler *c)
{
	_cleanup_(ovz_conf_freep) struct ovz_conf *conf = NULL;
	if (ovz_host_load_conf(c->h, c->d->ctid, &conf, NULL) < 0)
		conf = NULL;
	c->p->vz = xcalloc(1, sizeof(*c->p->vz));
	c->vz = c->p->vz;
	ovz_vz_params_get(conf, c->d, &c->h->warn, c->vz);
}

static int compile_start(struct compiler *c, struct ovz_error **err)
{
	compile_root_mount(c);
	if (has(c, OVZ_OP_CGROUP_CREATE))
		compile_cgroup(c);
	if (is_vz(c) || is_vz7(c))
		load_vz_params(c);
	if (is_vz7(c))
		compile_ve_cgroup(c);
	if (is_vz(c))
		compile_vz_init(c);
	compile_ct_create(c);
	int r = compile_network(c, err);
	if (r < 0)
		return r;
	if (is_vz(c))
		compile_devperms(c);
	compile_inside(c);
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_STATE_WRITE, OVZ_CTX_HOST, "fs",
					 "write state", "unlink state");
	ovz_op_argf(c->p, op, "path=/var/run/ovz-native/%u.state", c->d->ctid);
	return 0;
}

static void compile_create(struct compiler *c)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_PRIVATE_CREATE, OVZ_CTX_HOST, "fs",
					 "extract", "rm -r");
	op->path = c->private_dir;
	op->value = c->d->ostemplate;
	ovz_op_argf(c->p, op, "template=%s private=%s", c->d->ostemplate ? c->d->ostemplate : "-",
		    c->private_dir);
}

/* What a backend cannot do is refused before anything runs. */
static int check_backend(struct compiler *c, struct ovz_error **err)
{
	for (size_t i = 0; i < c->d->n_ifaces; i++) {
		const struct ovz_iface *f = &c->d->ifaces[i];
		if (f->type == OVZ_IFACE_VENET && !has(c, OVZ_OP_NET) && !has(c, OVZ_OP_VENET_IP))
			return ovz_error_set(err, ENOTSUP,
					     "interface type='ethernet' (venet): not supported by "
					     "the %s backend", c->b->name);
		if (f->type == OVZ_IFACE_VETH && !has(c, OVZ_OP_NET) && !has(c, OVZ_OP_VETH_IOCTL))
			return ovz_error_set(err, ENOTSUP,
					     "interface type='bridge' (veth): not supported by "
					     "the %s backend", c->b->name);
	}
	if (c->d->netdevs && c->d->netdevs[0] && !has(c, OVZ_OP_NETDEV))
		return ovz_error_set(err, ENOTSUP,
				     "hostdev/source/interface '%s': moving a host network device "
				     "into a container is not supported by the %s backend",
				     c->d->netdevs[0], c->b->name);
	if (c->d->n_mounts)
		return ovz_error_set(err, ENOTSUP,
				     "filesystem type='mount' target '%s': bind mounts are not "
				     "supported by the %s backend yet", c->d->mounts[0].target,
				     c->b->name);
	return 0;
}

int ovz_plan_compile(const struct ovz_backend *b, struct ovz_host *h,
		     const struct ovz_domain *d, enum ovz_verb verb, struct ovz_plan **out,
		     struct ovz_error **err)
{
	struct ovz_plan *p = xcalloc(1, sizeof(*p));
	p->backend = b->name;
	p->verb = verb;
	p->ctid = d->ctid;
	struct compiler c = { .b = b, .h = h, .d = d, .p = p };
	_cleanup_free_ char *priv = NULL, *root = NULL;
	int r = ovz_host_ct_area(h, d, &priv, &root, err);
	if (r < 0) {
		ovz_plan_free(p);
		return r;
	}
	c.private_dir = ovz_plan_str(p, priv);
	c.root_dir = ovz_plan_str(p, root);
	r = check_backend(&c, err);
	if (r == 0) {
		switch (verb) {
		case OVZ_VERB_CREATE:
			compile_create(&c);
			break;
		case OVZ_VERB_MOUNT:
			compile_root_mount(&c);
			break;
		case OVZ_VERB_START:
			r = compile_start(&c, err);
			break;
		}
	}
	if (r < 0) {
		ovz_plan_free(p);
		return r;
	}
	*out = p;
	return 0;
}

/* ---- printing ---- */

static const struct ovz_op *op_at(const struct ovz_plan *p, size_t i, bool teardown)
{
	return &p->ops[teardown ? p->n_ops - 1 - i : i];
}

char *ovz_plan_format(const struct ovz_plan *p, bool teardown)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p->n_ops; i++) {
		const struct ovz_op *op = op_at(p, i, teardown);
		const char *call = teardown ? op->undo_call : op->call;
		if (teardown && strcmp(call, "none") == 0)
			continue;
		strbuf_printf(&sb, "%-3s %s%s %s%s%s\n", p->backend,
			      op->ctx == OVZ_CTX_CT ? "ct." : "", op->mech, call,
			      *op->args ? " " : "", op->args);
	}
	return strbuf_steal(&sb);
}

char *ovz_plan_format_json(const struct ovz_plan *p, bool teardown)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "{\n  \"backend\": \"%s\",\n  \"verb\": \"%s\",\n  \"ctid\": %u,\n"
			   "  \"teardown\": %s,\n  \"ops\": [",
		      p->backend, ovz_verb_name(p->verb), p->ctid, teardown ? "true" : "false");
	bool first = true;
	for (size_t i = 0; i < p->n_ops; i++) {
		const struct ovz_op *op = op_at(p, i, teardown);
		const char *call = teardown ? op->undo_call : op->call;
		if (teardown && strcmp(call, "none") == 0)
			continue;
		strbuf_puts(&sb, first ? "\n    {" : ",\n    {");
		first = false;
		strbuf_printf(&sb, "\"step\": %zu, \"context\": \"%s\", \"mech\": ", i + 1,
			      op->ctx == OVZ_CTX_CT ? "ct" : "host");
		strbuf_put_json_string(&sb, op->mech);
		strbuf_puts(&sb, ", \"call\": ");
		strbuf_put_json_string(&sb, call);
		strbuf_puts(&sb, ", \"args\": ");
		strbuf_put_json_string(&sb, op->args);
		strbuf_puts(&sb, "}");
	}
	strbuf_puts(&sb, "\n  ]\n}\n");
	return strbuf_steal(&sb);
}
