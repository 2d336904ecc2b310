// SPDX-License-Identifier: LGPL-2.1-or-later
#include "plan.h"
#include "backend.h"
#include "host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

static void add_link_up(struct compiler *c, const char *dev, bool in_ct)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_LINK_UP, OVZ_CTX_HOST, "netlink",
					 "RTM_NEWLINK up", "RTM_NEWLINK down");
	op->dev = ovz_plan_str(c->p, dev);
	op->in_ct = in_ct;
	ovz_op_argf(c->p, op, "dev=%s%s", dev, in_ct ? " netns=ct" : "");
}

static void add_addr(struct compiler *c, const char *dev, const struct ovz_ip *ip)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_ADDR_ADD, OVZ_CTX_HOST, "netlink",
					 "RTM_NEWADDR", "RTM_DELADDR");
	op->dev = ovz_plan_str(c->p, dev);
	op->ip = *ip;
	op->in_ct = true;
	struct ovz_ip shown = *ip;
	if (shown.prefix < 0)
		shown.prefix = ip->family == AF_INET ? 32 : 128;
	ovz_op_argf(c->p, op, "dev=%s addr=%s netns=ct", dev, ip_text(c, &shown, true));
}

static void add_route(struct compiler *c, const char *dev, const struct ovz_ip *dst,
		      const struct ovz_ip *gw, bool in_ct)
{
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_ROUTE_ADD, OVZ_CTX_HOST, "netlink",
					 "RTM_NEWROUTE", "RTM_DELROUTE");
	op->dev = ovz_plan_str(c->p, dev);
	op->ip = *dst;
	op->in_ct = in_ct;
	if (gw)
		op->gw = *gw;
	if (dst->prefix == 0)
		ovz_op_argf(c->p, op, "dst=default%s", dst->family == AF_INET6 ? "6" : "");
	else
		ovz_op_argf(c->p, op, "dst=%s", ip_text(c, dst, true));
	if (gw)
		ovz_op_argf(c->p, op, "via=%s onlink", ip_text(c, gw, false));
	ovz_op_argf(c->p, op, "dev=%s%s", dev, in_ct ? " netns=ct" : "");
}

static void add_default_routes(struct compiler *c, const char *dev, const struct ovz_iface *f)
{
	bool v4 = false, v6 = false;
	for (size_t i = 0; i < f->n_ips; i++) {
		v4 |= f->ips[i].family == AF_INET;
		v6 |= f->ips[i].family == AF_INET6;
	}
	struct ovz_ip def4 = { .family = AF_INET, .prefix = 0 };
	struct ovz_ip def6 = { .family = AF_INET6, .prefix = 0 };
	if (v4 || f->gw4.family)
		add_route(c, dev, &def4, f->gw4.family ? &f->gw4 : NULL, true);
	if (v6 || f->gw6.family)
		add_route(c, dev, &def6, f->gw6.family ? &f->gw6 : NULL, true);
}

static char *venet_host_dev(unsigned ctid)
{
	return xasprintf("venet%u", ctid);
}

static int compile_venet(struct compiler *c, const struct ovz_iface *f)
{
	_cleanup_free_ char *host_dev = venet_host_dev(c->d->ctid);
	if (has(c, OVZ_OP_VENET_LINK)) {
		struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_VENET_LINK, OVZ_CTX_HOST, "netlink",
						 "RTM_NEWLINK veth", "RTM_DELLINK");
		op->dev = ovz_plan_str(c->p, host_dev);
		op->peer = "venet0";
		op->iface = f;
		ovz_op_argf(c->p, op, "host=%s peer=venet0 netns=ct noarp=ct", host_dev);
		add_link_up(c, host_dev, false);
		struct ovz_op *s = ovz_plan_add(c->p, OVZ_OP_SYSCTL, OVZ_CTX_HOST, "sysctl", "write",
						"none");
		s->path = ovz_plan_str(c->p, "net/ipv4/conf/all/forwarding");
		s->value = "1";
		ovz_op_argf(c->p, s, "%s=1", s->path);
	}
	for (size_t i = 0; i < f->n_ips; i++) {
		const struct ovz_ip *ip = &f->ips[i];
		if (has(c, OVZ_OP_VENET_LINK)) {
			struct ovz_ip host = *ip;
			host.prefix = -1;
			add_route(c, host_dev, &host, NULL, false);
			struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_PROXY_ADD, OVZ_CTX_HOST,
							 "netlink", "RTM_NEWNEIGH proxy",
							 "RTM_DELNEIGH proxy");
			op->ip = *ip;
			ovz_op_argf(c->p, op, "addr=%s dev=@uplinks", ip_text(c, ip, false));
		} else {
			struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_VENET_IP, OVZ_CTX_HOST,
							 "ioctl", "VENETCTL_VE_IP_MAP add",
							 "VENETCTL_VE_IP_MAP del");
			op->ip = *ip;
			ovz_op_argf(c->p, op, "veid=%u addr=%s", c->d->ctid, ip_text(c, ip, false));
		}
	}
	for (size_t i = 0; i < f->n_ips; i++)
		add_addr(c, "venet0", &f->ips[i]);
	add_link_up(c, "venet0", true);
	add_default_routes(c, "venet0", f);
	return 0;
}

static int compile_veth(struct compiler *c, const struct ovz_iface *f, unsigned n)
{
	char host[OVZ_IFNAME_MAX + 1], guest[OVZ_IFNAME_MAX + 1], mac[18], host_mac[18];
	snprintf(guest, sizeof(guest), "%s", f->guest_dev[0] ? f->guest_dev : "");
	if (!guest[0])
		snprintf(guest, sizeof(guest), "eth%u", n);
	if (f->host_dev[0])
		snprintf(host, sizeof(host), "%s", f->host_dev);
	else if (snprintf(host, sizeof(host), "veth%u.%u", c->d->ctid, n) >= (int)sizeof(host))
		return -ENAMETOOLONG;
	if (f->mac[0])
		memcpy(mac, f->mac, sizeof(mac));
	else
		ovz_generate_mac(guest, c->d->ctid, "", mac);
	if (f->host_mac[0])
		memcpy(host_mac, f->host_mac, sizeof(host_mac));
	else
		ovz_generate_mac(host, c->d->ctid, mac, host_mac);
	/* legacy kernels make both ends with one ioctl on /dev/vzctl */
	bool ioctl = !has(c, OVZ_OP_CGROUP_CREATE);
	struct ovz_op *op = ovz_plan_add(c->p, OVZ_OP_VETH_ADD, OVZ_CTX_HOST,
					 ioctl ? "ioctl" : "netlink",
					 ioctl ? "VETHCTL_VE_HWADDR add" : "RTM_NEWLINK veth",
					 ioctl ? "VETHCTL_VE_HWADDR del" : "RTM_DELLINK");
	op->dev = ovz_plan_str(c->p, host);
	op->peer = ovz_plan_str(c->p, guest);
	op->value = ovz_plan_str(c->p, mac);
	op->value2 = ovz_plan_str(c->p, host_mac);
	op->iface = f;
	ovz_op_argf(c->p, op, "host=%s peer=%s netns=ct mac=%s host_mac=%s", host, guest, mac,
		    host_mac);
	if (f->bridge[0]) {
		struct ovz_op *b = ovz_plan_add(c->p, OVZ_OP_BRIDGE_ATTACH, OVZ_CTX_HOST, "netlink",
						"RTM_NEWLINK master", "RTM_NEWLINK nomaster");
		b->dev = op->dev;
		b->peer = ovz_plan_str(c->p, f->bridge);
		ovz_op_argf(c->p, b, "dev=%s bridge=%s", host, f->bridge);
	}
	add_link_up(c, host, false);
	for (size_t i = 0; i < f->n_ips; i++)
		add_addr(c, guest, &f->ips[i]);
	add_link_up(c, guest, true);
	if (f->gw4.family || f->gw6.family) {
		struct ovz_iface only_gw = *f;
		only_gw.n_ips = 0;
		add_default_routes(c, guest, &only_gw);
	}
	return 0;
}

static int compile_network(struct compiler *c)
{
	add_link_up(c, "lo", true);
	unsigned veth_n = 0;
	for (size_t i = 0; i < c->d->n_ifaces; i++) {
		const struct ovz_iface *f = &c->d->ifaces[i];
		int r = f->type == OVZ_IFACE_VENET ? compile_venet(c, f)
						   : compile_veth(c, f, veth_n++);
		if (r < 0)
			return r;
	}
	return 0;
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
	ovz_op_argf(c->p, op, "path=ovz-native/%u", d->ctid);
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
				  "VZCTL_ENV_CREATE_DATA", "reboot");
	ovz_op_argf(c->p, op, "veid=%u root=%s", c->d->ctid, c->root_dir);
}

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
	op = ovz_plan_add(c->p, OVZ_OP_ROOTFS, OVZ_CTX_CT, "mount", "pivot_root", "none");
	op->path = c->root_dir;
	ovz_op_argf(c->p, op, "root=%s proc sys dev devpts", c->root_dir);
	op = ovz_plan_add(c->p, OVZ_OP_CAPS, OVZ_CTX_CT, "prctl", "PR_CAPBSET_DROP", "none");
	ovz_op_argf(c->p, op, "set=openvz-default");
	op = ovz_plan_add(c->p, OVZ_OP_EXEC_INIT, OVZ_CTX_CT, "exec", "execve", "none");
	op->path = d->init ? d->init : "/sbin/init";
	ovz_op_argf(c->p, op, "%s", op->path);
	for (size_t i = 0; d->init_args && d->init_args[i]; i++)
		ovz_op_argf(c->p, op, "%s", d->init_args[i]);
}

static int compile_start(struct compiler *c)
{
	compile_root_mount(c);
	if (has(c, OVZ_OP_CGROUP_CREATE))
		compile_cgroup(c);
	compile_ct_create(c);
	int r = compile_network(c);
	if (r < 0)
		return r;
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
		if (f->type == OVZ_IFACE_VENET && !has(c, OVZ_OP_VENET_LINK) &&
		    !has(c, OVZ_OP_VENET_IP))
			return ovz_error_set(err, ENOTSUP,
					     "interface type='ethernet' (venet): not supported by "
					     "the %s backend", c->b->name);
		if (f->type == OVZ_IFACE_VETH && !has(c, OVZ_OP_VETH_ADD))
			return ovz_error_set(err, ENOTSUP,
					     "interface type='bridge' (veth): not supported by "
					     "the %s backend", c->b->name);
	}
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
	ovz_host_ct_dirs(h, d, &priv, &root);
	c.private_dir = ovz_plan_str(p, priv);
	c.root_dir = ovz_plan_str(p, root);
	int r = check_backend(&c, err);
	if (r == 0) {
		switch (verb) {
		case OVZ_VERB_CREATE:
			compile_create(&c);
			break;
		case OVZ_VERB_MOUNT:
			compile_root_mount(&c);
			break;
		case OVZ_VERB_START:
			r = compile_start(&c);
			if (r < 0)
				r = ovz_error_set(err, -r, "interface name too long");
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
		strbuf_printf(&sb, "%-3s %-4s %-7s %s%s%s\n", p->backend,
			      op->ctx == OVZ_CTX_CT ? "ct" : "host", op->mech, call,
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
