/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container network semantics on a mainline kernel, shared by every backend,
 * as small steps that each have an idempotent undo (see docs/networking.md):
 *
 *  venet (<interface type='ethernet'>): a routed veth pair, container end
 *  "venet0", host end "venet<CTID>", both NOARP with one MAC so that every
 *  packet crosses without neighbour discovery, like venet.  Inside: each
 *  address (/32, /128 unless a prefix is given), "default dev venet0".  On
 *  the host: a filter that drops what the container sends from any other
 *  address (nftables.h), forwarding, a host route to each address via the
 *  pair and a proxy ARP/NDP entry for it on every uplink.
 *
 *  veth (<interface type='bridge'>): host end "target dev" (default
 *  veth<CTID>.<N>) up and on the bridge, container end "guest dev" (default
 *  eth<N>) with the XML's or a generated MAC, up, with optional addresses
 *  and default routes through the gateways (onlink).
 *
 * The container side works through a socket in the container's network
 * namespace; when that namespace is gone (ct == NULL) the container-side
 * undo steps have nothing left to remove and succeed. */
#ifndef OVZ_NET_NET_H
#define OVZ_NET_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/model.h"
#include "netlink.h"

struct ovz_netctx {
	unsigned ctid;
	int host_netns_fd;	/* -1: the caller's namespace */
	int ct_netns_fd;	/* -1: the container's namespace is gone */
	struct ovz_nl *host;
	struct ovz_nl *ct;	/* NULL when ct_netns_fd is -1 */
};

/* The fds stay the caller's; the sockets are the context's. */
int ovz_netctx_open(struct ovz_netctx *ctx, unsigned ctid, int host_netns_fd, int ct_netns_fd,
		    struct ovz_error **err);
void ovz_netctx_close(struct ovz_netctx *ctx);

/* One step: apply, and the undo that removes what apply added.  n is the
 * interface's position among the domain's veth interfaces (venet: unused). */
typedef int (*ovz_net_fn)(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err);
struct ovz_net_step {
	const char *name;
	ovz_net_fn apply;
	ovz_net_fn undo;
};

/* The steps in apply order (undo in reverse). */
extern const struct ovz_net_step ovz_venet_steps[];
extern const size_t ovz_venet_n_steps;
extern const struct ovz_net_step ovz_veth_steps[];
extern const size_t ovz_veth_n_steps;

/* Applies all steps; on failure undoes what it did (the failing step
 * included) and returns the first error. */
int ovz_net_steps_apply(const struct ovz_net_step *steps, size_t n_steps,
			struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err);
/* Runs every undo in reverse, continuing past failures; the first error. */
int ovz_net_steps_undo(const struct ovz_net_step *steps, size_t n_steps,
		       struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err);

/* Every interface of d: the venet interfaces merged into one venet0, then
 * each veth; setup rolls back its own partial work on failure. */
int ovz_net_setup(struct ovz_netctx *ctx, const struct ovz_domain *d, struct ovz_error **err);
int ovz_net_teardown(struct ovz_netctx *ctx, const struct ovz_domain *d, struct ovz_error **err);

/* ---- venet steps ---- */
#define OVZ_VENET_DEV "venet0"
/* "venet<CTID>" */
void ovz_venet_host_name(unsigned ctid, char out[16]);
int ovz_venet_link_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err);
int ovz_venet_link_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err);
/* The host end's source filter (nftables.h): created with f's addresses,
 * deleted; and addresses allowed or no longer allowed as sources. */
int ovz_venet_filter_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			 struct ovz_error **err);
int ovz_venet_filter_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			 struct ovz_error **err);
int ovz_venet_sources_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err);
int ovz_venet_sources_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err);
int ovz_venet_up(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		 struct ovz_error **err);
int ovz_venet_down(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		   struct ovz_error **err);
int ovz_venet_addrs_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err);
int ovz_venet_addrs_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err);
int ovz_venet_default_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err);
int ovz_venet_default_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			  struct ovz_error **err);
/* ip_forward (and IPv6 forwarding when f has IPv6 addresses).  Host-wide and
 * shared by every container, so its undo leaves it on. */
int ovz_venet_forwarding_on(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			    struct ovz_error **err);
int ovz_venet_host_routes_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			      struct ovz_error **err);
int ovz_venet_host_routes_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			      struct ovz_error **err);
/* Proxy entries on every uplink: a host link that is up, not loopback, not
 * NOARP and not enslaved.  IPv6 also turns proxy_ndp on there.  The undo
 * removes the addresses' entries from whatever links hold them (one dump of
 * the proxy tables), so a link that went down since is cleaned too, and a
 * stop costs the same with 3 or 3000 containers running. */
int ovz_venet_proxy_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err);
int ovz_venet_proxy_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err);

/* ---- veth steps ---- */
struct ovz_veth_names {
	char host_dev[16], guest_dev[16];
	uint8_t mac[6], host_mac[6];
};
/* Fills in the defaults: host "veth<CTID>.<N>" where N is the number in the
 * guest name (or n), guest "eth<n>", MACs generated like vzctl. */
int ovz_veth_resolve(const struct ovz_iface *f, unsigned ctid, unsigned n,
		     struct ovz_veth_names *out, struct ovz_error **err);
int ovz_veth_link_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		      struct ovz_error **err);
int ovz_veth_link_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		      struct ovz_error **err);
int ovz_veth_host_up(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		     struct ovz_error **err);
int ovz_veth_host_down(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err);
/* No-ops when f has no bridge. */
int ovz_veth_enslave(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		     struct ovz_error **err);
int ovz_veth_release(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		     struct ovz_error **err);
int ovz_veth_guest_up(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		      struct ovz_error **err);
int ovz_veth_guest_down(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err);
int ovz_veth_addrs_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err);
int ovz_veth_addrs_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err);
int ovz_veth_routes_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err);
int ovz_veth_routes_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err);

/* ---- /proc/sys ----
 * path is relative to /proc/sys ("net/ipv4/ip_forward"); the file is opened
 * inside netns_fd (-1: the caller's namespace), where the net/ tree is that
 * namespace's. */
int ovz_sysctl_write(int netns_fd, const char *path, const char *value, struct ovz_error **err);
/* Reads the value without the trailing newline. */
int ovz_sysctl_read(int netns_fd, const char *path, char *buf, size_t len,
		    struct ovz_error **err);
/* net/ipv4/conf/<ifname>/<key> or net/ipv6/conf/<ifname>/<key>; ifname may
 * be "all" or "default". */
int ovz_sysctl_iface_write(int netns_fd, int family, const char *ifname, const char *key,
			   const char *value, struct ovz_error **err);

#endif
