// SPDX-License-Identifier: LGPL-2.1-or-later
/* venet on a mainline kernel: a routed veth pair.  Both ends are NOARP and
 * share one MAC: a NOARP device sends every frame to its own address, which
 * is then the peer's address too, so the pair carries IPv4 and IPv6 with no
 * neighbour discovery and "default dev venet0" works as on venet. */
#include "net.h"
#include "nftables.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <sys/socket.h>

void ovz_venet_host_name(unsigned ctid, char out[16])
{
	snprintf(out, 16, "venet%u", ctid);
}

static void venet_mac(unsigned ctid, uint8_t mac[6])
{
	char s[18];
	ovz_generate_mac(OVZ_VENET_DEV, ctid, "venet", s);
	ovz_mac_parse(s, mac);
}

static bool has_family(const struct ovz_iface *f, int family)
{
	for (size_t i = 0; i < f->n_ips; i++)
		if (f->ips[i].family == family)
			return true;
	return false;
}

static int need_ct(const struct ovz_netctx *ctx, struct ovz_error **err)
{
	if (ctx->ct)
		return 0;
	return ovz_error_set(err, ESRCH, "container %u has no network namespace", ctx->ctid);
}

int ovz_venet_link_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err)
{
	if (need_ct(ctx, err) < 0)
		return -ESRCH;
	char host[16];
	uint8_t mac[6];
	ovz_venet_host_name(ctx->ctid, host);
	venet_mac(ctx->ctid, mac);
	struct ovz_veth_spec s = {
		.name = host, .mac = mac,
		.peer = OVZ_VENET_DEV, .peer_mac = mac, .peer_netns_fd = ctx->ct_netns_fd,
		.flags = IFF_NOARP,
	};
	return ovz_nl_veth_add(ctx->host, &s, err);
}

int ovz_venet_link_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err)
{
	char host[16];
	ovz_venet_host_name(ctx->ctid, host);
	return ovz_nl_link_del(ctx->host, host, err);
}

/* Right after the pair, before it is up: the container sends nothing the
 * filter has not seen (nftables.h). */
int ovz_venet_filter_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			 struct ovz_error **err)
{
	char host[16];
	ovz_venet_host_name(ctx->ctid, host);
	return ovz_nft_venet_create(ctx->host_netns_fd, ctx->ctid, host, f->ips, f->n_ips, err);
}

int ovz_venet_filter_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			 struct ovz_error **err)
{
	return ovz_nft_venet_delete(ctx->host_netns_fd, ctx->ctid, err);
}

int ovz_venet_sources_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err)
{
	return ovz_nft_venet_addrs(ctx->host_netns_fd, ctx->ctid, f->ips, f->n_ips, true, err);
}

int ovz_venet_sources_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err)
{
	return ovz_nft_venet_addrs(ctx->host_netns_fd, ctx->ctid, f->ips, f->n_ips, false, err);
}

int ovz_venet_up(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		 struct ovz_error **err)
{
	if (need_ct(ctx, err) < 0)
		return -ESRCH;
	char host[16];
	ovz_venet_host_name(ctx->ctid, host);
	int r = ovz_nl_link_up(ctx->host, host, err);
	return r < 0 ? r : ovz_nl_link_up(ctx->ct, OVZ_VENET_DEV, err);
}

int ovz_venet_down(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		   struct ovz_error **err)
{
	char host[16];
	ovz_venet_host_name(ctx->ctid, host);
	int r = ctx->ct ? ovz_nl_link_down(ctx->ct, OVZ_VENET_DEV, err) : 0;
	int r2 = ovz_nl_link_down(ctx->host, host, err);
	return r < 0 ? r : r2;
}

int ovz_venet_addrs_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err)
{
	if (need_ct(ctx, err) < 0)
		return -ESRCH;
	return ovz_nl_addrs_add(ctx->ct, OVZ_VENET_DEV, f->ips, f->n_ips, OVZ_ADDR_NODAD, err);
}

int ovz_venet_addrs_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err)
{
	if (!ctx->ct)
		return 0;
	return ovz_nl_addrs_del(ctx->ct, OVZ_VENET_DEV, f->ips, f->n_ips, err);
}

/* "default dev venet0" for each family the interface has addresses of. */
static size_t default_routes(const struct ovz_iface *f, struct ovz_route r[2])
{
	size_t k = 0;
	const int families[] = { AF_INET, AF_INET6 };
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		if (!has_family(f, families[i]))
			continue;
		r[k] = (struct ovz_route){ .dst = { .family = families[i], .prefix = 0 } };
		k++;
	}
	return k;
}

int ovz_venet_default_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err)
{
	if (need_ct(ctx, err) < 0)
		return -ESRCH;
	struct ovz_route r[2];
	return ovz_nl_routes_add(ctx->ct, OVZ_VENET_DEV, r, default_routes(f, r), err);
}

int ovz_venet_default_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err)
{
	if (!ctx->ct)
		return 0;
	struct ovz_route r[2];
	return ovz_nl_routes_del(ctx->ct, OVZ_VENET_DEV, r, default_routes(f, r), err);
}

int ovz_venet_forwarding_on(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			    struct ovz_error **err)
{
	int r = 0;
	if (has_family(f, AF_INET))
		r = ovz_sysctl_write(ctx->host_netns_fd, "net/ipv4/ip_forward", "1", err);
	if (r == 0 && has_family(f, AF_INET6))
		r = ovz_sysctl_write(ctx->host_netns_fd, "net/ipv6/conf/all/forwarding", "1", err);
	return r;
}

static int forwarding_keep(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			   struct ovz_error **err)
{
	return 0;
}

static struct ovz_route *host_routes(const struct ovz_iface *f)
{
	struct ovz_route *r = xcalloc(f->n_ips, sizeof(*r));
	for (size_t i = 0; i < f->n_ips; i++) {
		r[i].dst = f->ips[i];
		r[i].dst.prefix = -1;
	}
	return r;
}

int ovz_venet_host_routes_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			      struct ovz_error **err)
{
	char host[16];
	ovz_venet_host_name(ctx->ctid, host);
	_cleanup_free_ struct ovz_route *r = host_routes(f);
	return ovz_nl_routes_add(ctx->host, host, r, f->n_ips, err);
}

int ovz_venet_host_routes_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			      struct ovz_error **err)
{
	char host[16];
	ovz_venet_host_name(ctx->ctid, host);
	_cleanup_free_ struct ovz_route *r = host_routes(f);
	return ovz_nl_routes_del(ctx->host, host, r, f->n_ips, err);
}

static bool is_uplink(const struct ovz_link *l)
{
	return (l->flags & IFF_UP) && !(l->flags & (IFF_LOOPBACK | IFF_NOARP)) && !l->master;
}

/* Without addresses there is nothing to announce; the prefix is irrelevant
 * to a proxy entry. */
int ovz_venet_proxy_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err)
{
	struct ovz_link *links = NULL;
	size_t n_links = 0;
	int r = f->n_ips ? ovz_nl_link_list(ctx->host, &links, &n_links, err) : 0;
	for (size_t i = 0; r == 0 && i < n_links; i++) {
		if (!is_uplink(&links[i]))
			continue;
		if (has_family(f, AF_INET6))
			r = ovz_sysctl_iface_write(ctx->host_netns_fd, AF_INET6, links[i].name,
						   "proxy_ndp", "1", err);
		if (r == 0)
			r = ovz_nl_proxy_add(ctx->host, links[i].name, f->ips, f->n_ips, err);
	}
	free(links);
	return r;
}

int ovz_venet_proxy_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err)
{
	return ovz_nl_proxy_del_all(ctx->host, f->ips, f->n_ips, err);
}

const struct ovz_net_step ovz_venet_steps[] = {
	{ "venet pair", ovz_venet_link_add, ovz_venet_link_del },
	{ "venet source filter", ovz_venet_filter_add, ovz_venet_filter_del },
	{ "venet up", ovz_venet_up, ovz_venet_down },
	{ "venet addresses", ovz_venet_addrs_add, ovz_venet_addrs_del },
	{ "venet default route", ovz_venet_default_add, ovz_venet_default_del },
	{ "forwarding", ovz_venet_forwarding_on, forwarding_keep },
	{ "venet host routes", ovz_venet_host_routes_add, ovz_venet_host_routes_del },
	{ "venet proxy neighbours", ovz_venet_proxy_add, ovz_venet_proxy_del },
};
const size_t ovz_venet_n_steps = ARRAY_SIZE(ovz_venet_steps);
