/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* venet source enforcement on a mainline kernel.  Real venet drops what a
 * VE sends from an address it does not own; the routed veth pair that
 * stands in for it (venet.c) would forward anything, and IPv6 has no
 * rp_filter.  So the host end gets an nftables table of its own,
 *
 *   table netdev ovz-native-CTID
 *     set v4 { ipv4_addr }  set v6 { ipv6_addr }   (the container's addresses)
 *     chain ingress { type filter hook ingress device venetCTID; policy drop;
 *       meta protocol ip  ip saddr @v4 accept
 *       meta protocol ip6 ip6 saddr @v6 accept }
 *
 * made in one transaction (nothing passes before it exists), whose sets
 * follow set --ipadd/--ipdel, and deleted at stop.  The messages are built
 * with libnftnl (the netfilter project's library; loaded on first use, see
 * core/dl.h) and sent over a NETLINK_NETFILTER socket of libmnl. */
#ifndef OVZ_NET_NFTABLES_H
#define OVZ_NET_NFTABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/model.h"

/* "ovz-native-CTID" */
void ovz_nft_table_name(unsigned ctid, char out[32]);

/* The table above for device dev, allowing ips; in netns_fd (-1: the
 * caller's namespace).  A table of that name is replaced in the same
 * transaction (a container that stopped by itself leaves its table). */
int ovz_nft_venet_create(int netns_fd, unsigned ctid, const char *dev,
			 const struct ovz_ip *ips, size_t n, struct ovz_error **err);
/* Deletes the table; done when there is none. */
int ovz_nft_venet_delete(int netns_fd, unsigned ctid, struct ovz_error **err);
/* Adds ips to (or deletes them from) the allowed sources.  Adding an
 * address already allowed and deleting one that is not are done, and so
 * is either when the container has no table (it was started before
 * sources were enforced: nothing is filtered). */
int ovz_nft_venet_addrs(int netns_fd, unsigned ctid, const struct ovz_ip *ips, size_t n,
			bool add, struct ovz_error **err);

#endif
