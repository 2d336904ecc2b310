// SPDX-License-Identifier: LGPL-2.1-or-later
/* veth on a bridge: the container semantics of <interface type='bridge'>. */
#include "net.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* vzctl numbers the host end after the first number in the guest name. */
static long first_number(const char *s)
{
	while (*s && !isdigit((unsigned char)*s))
		s++;
	return *s ? strtol(s, NULL, 10) : -1;
}

static int pick_mac(const char *given, const char *ifname, unsigned ctid, uint8_t out[6],
		    struct ovz_error **err)
{
	char gen[18];
	if (!given[0]) {
		ovz_generate_mac(ifname, ctid, NULL, gen);
		given = gen;
	}
	if (ovz_mac_parse(given, out) < 0)
		return ovz_error_set(err, EINVAL, "MAC '%s' of '%s' is not valid", given, ifname);
	return 0;
}

int ovz_veth_resolve(const struct ovz_iface *f, unsigned ctid, unsigned n,
		     struct ovz_veth_names *out, struct ovz_error **err)
{
	if (f->guest_dev[0])
		snprintf(out->guest_dev, sizeof(out->guest_dev), "%s", f->guest_dev);
	else
		snprintf(out->guest_dev, sizeof(out->guest_dev), "eth%u", n);
	if (f->host_dev[0]) {
		snprintf(out->host_dev, sizeof(out->host_dev), "%s", f->host_dev);
	} else {
		long num = first_number(out->guest_dev);
		char name[32];
		snprintf(name, sizeof(name), "veth%u.%ld", ctid, num >= 0 ? num : (long)n);
		if (strlen(name) > OVZ_IFNAME_MAX)
			return ovz_error_set(err, EINVAL,
					     "host interface name '%s' is longer than 15 bytes; "
					     "give <target dev='...'/>", name);
		memcpy(out->host_dev, name, strlen(name) + 1);
	}
	int r = pick_mac(f->mac, out->guest_dev, ctid, out->mac, err);
	if (r == 0)
		r = pick_mac(f->host_mac, out->host_dev, ctid, out->host_mac, err);
	return r;
}

/* With ct_side, the step also needs the socket in the container. */
static int names(const struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		 bool ct_side, struct ovz_veth_names *v, struct ovz_error **err)
{
	int r = ovz_veth_resolve(f, ctx->ctid, n, v, err);
	if (r == 0 && ct_side && !ctx->ct)
		r = ovz_error_set(err, ESRCH, "container %u has no network namespace", ctx->ctid);
	return r;
}

int ovz_veth_link_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		      struct ovz_error **err)
{
	struct ovz_veth_names v;
	int r = names(ctx, f, n, true, &v, err);
	if (r < 0)
		return r;
	struct ovz_veth_spec s = {
		.name = v.host_dev, .mac = v.host_mac,
		.peer = v.guest_dev, .peer_mac = v.mac, .peer_netns_fd = ctx->ct_netns_fd,
	};
	return ovz_nl_veth_add(ctx->host, &s, err);
}

int ovz_veth_link_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		      struct ovz_error **err)
{
	struct ovz_veth_names v;
	int r = names(ctx, f, n, false, &v, err);
	return r < 0 ? r : ovz_nl_link_del(ctx->host, v.host_dev, err);
}

int ovz_veth_host_up(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		     struct ovz_error **err)
{
	struct ovz_veth_names v;
	int r = names(ctx, f, n, false, &v, err);
	return r < 0 ? r : ovz_nl_link_up(ctx->host, v.host_dev, err);
}

int ovz_veth_host_down(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err)
{
	struct ovz_veth_names v;
	int r = names(ctx, f, n, false, &v, err);
	return r < 0 ? r : ovz_nl_link_down(ctx->host, v.host_dev, err);
}

int ovz_veth_enslave(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		     struct ovz_error **err)
{
	struct ovz_veth_names v;
	if (!f->bridge[0])
		return 0;
	int r = names(ctx, f, n, false, &v, err);
	return r < 0 ? r : ovz_nl_link_set_master(ctx->host, v.host_dev, f->bridge, err);
}

int ovz_veth_release(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		     struct ovz_error **err)
{
	struct ovz_veth_names v;
	if (!f->bridge[0])
		return 0;
	int r = names(ctx, f, n, false, &v, err);
	return r < 0 ? r : ovz_nl_link_release(ctx->host, v.host_dev, err);
}

int ovz_veth_guest_up(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		      struct ovz_error **err)
{
	struct ovz_veth_names v;
	int r = names(ctx, f, n, true, &v, err);
	return r < 0 ? r : ovz_nl_link_up(ctx->ct, v.guest_dev, err);
}

int ovz_veth_guest_down(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err)
{
	struct ovz_veth_names v;
	if (!ctx->ct)
		return 0;
	int r = names(ctx, f, n, false, &v, err);
	return r < 0 ? r : ovz_nl_link_down(ctx->ct, v.guest_dev, err);
}

int ovz_veth_addrs_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err)
{
	struct ovz_veth_names v;
	int r = names(ctx, f, n, true, &v, err);
	return r < 0 ? r : ovz_nl_addrs_add(ctx->ct, v.guest_dev, f->ips, f->n_ips, OVZ_ADDR_NODAD, err);
}

int ovz_veth_addrs_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err)
{
	struct ovz_veth_names v;
	if (!ctx->ct)
		return 0;
	int r = names(ctx, f, n, false, &v, err);
	return r < 0 ? r : ovz_nl_addrs_del(ctx->ct, v.guest_dev, f->ips, f->n_ips, err);
}

/* "default via GW dev guest onlink" for each gateway given. */
static size_t gateway_routes(const struct ovz_iface *f, struct ovz_route r[2])
{
	size_t k = 0;
	const struct ovz_ip *gws[] = { &f->gw4, &f->gw6 };
	for (size_t i = 0; i < ARRAY_SIZE(gws); i++) {
		if (!gws[i]->family)
			continue;
		r[k] = (struct ovz_route){ .dst = { .family = gws[i]->family, .prefix = 0 },
					   .gw = *gws[i], .onlink = true };
		r[k].gw.prefix = -1;
		k++;
	}
	return k;
}

int ovz_veth_routes_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err)
{
	struct ovz_veth_names v;
	struct ovz_route rt[2];
	size_t k = gateway_routes(f, rt);
	if (!k)
		return 0;
	int r = names(ctx, f, n, true, &v, err);
	return r < 0 ? r : ovz_nl_routes_add(ctx->ct, v.guest_dev, rt, k, err);
}

int ovz_veth_routes_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err)
{
	struct ovz_veth_names v;
	struct ovz_route rt[2];
	size_t k = gateway_routes(f, rt);
	if (!k || !ctx->ct)
		return 0;
	int r = names(ctx, f, n, false, &v, err);
	return r < 0 ? r : ovz_nl_routes_del(ctx->ct, v.guest_dev, rt, k, err);
}

const struct ovz_net_step ovz_veth_steps[] = {
	{ "veth pair", ovz_veth_link_add, ovz_veth_link_del },
	{ "veth host end up", ovz_veth_host_up, ovz_veth_host_down },
	{ "veth bridge port", ovz_veth_enslave, ovz_veth_release },
	{ "veth guest end up", ovz_veth_guest_up, ovz_veth_guest_down },
	{ "veth addresses", ovz_veth_addrs_add, ovz_veth_addrs_del },
	{ "veth routes", ovz_veth_routes_add, ovz_veth_routes_del },
};
const size_t ovz_veth_n_steps = ARRAY_SIZE(ovz_veth_steps);
