/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink on libmnl.  One struct ovz_nl is one NETLINK_ROUTE socket bound
 * to one network namespace for its whole life (a socket's namespace is fixed
 * when it is created).  Every request asks for an ACK; replies are matched by
 * port id and sequence number; NETLINK_EXT_ACK is on, so the kernel's own
 * text ends up in the error message: "RTM_NEWLINK veth 'veth101.0' peer
 * 'eth0': File exists (kernel: ...)".
 *
 * A socket is used by one thread at a time; it holds its own buffers, so
 * the library keeps no global state.
 *
 * Links are named by name; the functions that need an index look it up.
 * Every "add" has a "del" that is idempotent: a missing device, address,
 * route or neighbour counts as deleted.
 *
 * The ovz_nlmsg_* builders at the end write one request into a caller's
 * buffer without any socket, so the encoding is testable without a kernel. */
#ifndef OVZ_NET_NETLINK_H
#define OVZ_NET_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/model.h"

struct nlmsghdr;
struct ovz_nl;

/* Runs fn(arg, err) with the calling thread inside the network namespace
 * netns_fd and moves it back before returning (netns_fd -1: just calls fn).
 * Only the calling thread moves.  If it cannot move back, the error says so
 * and the thread is left in netns_fd. */
int ovz_netns_call(int netns_fd, int (*fn)(void *arg, struct ovz_error **err), void *arg,
		   struct ovz_error **err);

/* Opens a socket in netns_fd (-1: the caller's namespace). */
int ovz_nl_open(int netns_fd, struct ovz_nl **out, struct ovz_error **err);
void ovz_nl_close(struct ovz_nl *nl);
void ovz_nl_closep(struct ovz_nl **nl);

/* ---- links ---- */

struct ovz_link_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
};

struct ovz_link {
	int index;
	char name[16];
	char kind[16];		/* IFLA_INFO_KIND ("veth", "bridge"); "" when none */
	unsigned flags;		/* IFF_* */
	unsigned mtu;
	int master;		/* 0 when not enslaved */
	uint8_t mac[6];		/* all zero when the link has no 6-byte address */
	struct ovz_link_stats stats;
};

struct ovz_veth_spec {
	const char *name;	/* this end, created in the socket's namespace */
	const uint8_t *mac;	/* NULL: the kernel picks one */
	const char *peer;
	const uint8_t *peer_mac;
	int peer_netns_fd;	/* -1: the peer stays in the socket's namespace */
	unsigned flags;		/* IFF_* set on both ends at creation (IFF_NOARP) */
};

int ovz_nl_veth_add(struct ovz_nl *nl, const struct ovz_veth_spec *spec, struct ovz_error **err);
/* A link of a kind that needs no data: "venet" (OpenVZ 7), "bridge", "dummy". */
int ovz_nl_link_add(struct ovz_nl *nl, const char *name, const char *kind,
		    struct ovz_error **err);
/* Deleting one end of a veth pair deletes both. */
int ovz_nl_link_del(struct ovz_nl *nl, const char *name, struct ovz_error **err);

int ovz_nl_link_up(struct ovz_nl *nl, const char *name, struct ovz_error **err);
/* Idempotent undo of ovz_nl_link_up: a missing link is down. */
int ovz_nl_link_down(struct ovz_nl *nl, const char *name, struct ovz_error **err);
int ovz_nl_link_rename(struct ovz_nl *nl, const char *name, const char *new_name,
		       struct ovz_error **err);
int ovz_nl_link_set_mac(struct ovz_nl *nl, const char *name, const uint8_t mac[6],
			struct ovz_error **err);
int ovz_nl_link_set_mtu(struct ovz_nl *nl, const char *name, unsigned mtu,
			struct ovz_error **err);
int ovz_nl_link_set_master(struct ovz_nl *nl, const char *name, const char *bridge,
			   struct ovz_error **err);
/* Idempotent undo of ovz_nl_link_set_master. */
int ovz_nl_link_release(struct ovz_nl *nl, const char *name, struct ovz_error **err);
int ovz_nl_link_set_netns(struct ovz_nl *nl, const char *name, int netns_fd,
			  struct ovz_error **err);

/* -ENODEV (with a message) when there is no such link. */
int ovz_nl_link_get(struct ovz_nl *nl, const char *name, struct ovz_link *out,
		    struct ovz_error **err);
int ovz_nl_link_get_index(struct ovz_nl *nl, int index, struct ovz_link *out,
			  struct ovz_error **err);
/* All links with their counters; *out is freed with free(). */
int ovz_nl_link_list(struct ovz_nl *nl, struct ovz_link **out, size_t *n,
		     struct ovz_error **err);

/* ---- addresses, routes, proxy neighbours ----
 * The plural forms send all their requests in one batch (one sendmsg) and
 * collect every ACK; they report the first failure. */

#define OVZ_ADDR_NODAD 1u	/* IPv6: usable at once, no duplicate detection */

/* A prefix of -1 in ip means a host address (/32, /128). */
int ovz_nl_addr_add(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ip,
		    unsigned flags, struct ovz_error **err);
int ovz_nl_addr_del(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ip,
		    struct ovz_error **err);
int ovz_nl_addrs_add(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ips, size_t n,
		     unsigned flags, struct ovz_error **err);
int ovz_nl_addrs_del(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ips, size_t n,
		     struct ovz_error **err);

struct ovz_route {
	struct ovz_ip dst;	/* prefix 0: default route; -1: host route (/32, /128) */
	struct ovz_ip gw;	/* family 0: a device route */
	bool onlink;		/* the gateway is on the link though no prefix covers it */
};

int ovz_nl_route_add(struct ovz_nl *nl, const char *dev, const struct ovz_route *r,
		     struct ovz_error **err);
int ovz_nl_route_del(struct ovz_nl *nl, const char *dev, const struct ovz_route *r,
		     struct ovz_error **err);
int ovz_nl_routes_add(struct ovz_nl *nl, const char *dev, const struct ovz_route *r, size_t n,
		      struct ovz_error **err);
int ovz_nl_routes_del(struct ovz_nl *nl, const char *dev, const struct ovz_route *r, size_t n,
		      struct ovz_error **err);

/* Proxy ARP / NDP entries (NTF_PROXY): the host answers for ip on dev. */
int ovz_nl_proxy_add(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ips, size_t n,
		     struct ovz_error **err);
int ovz_nl_proxy_del(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ips, size_t n,
		     struct ovz_error **err);
/* Removes the proxy entries of ips from whatever links hold them: one dump
 * of the proxy tables, then one batch of deletes, however many links the
 * host has. */
int ovz_nl_proxy_del_all(struct ovz_nl *nl, const struct ovz_ip *ips, size_t n,
			 struct ovz_error **err);

/* OpenVZ 7: add or remove a venet address by changelink on the venet
 * device (IFLA_INFO_DATA { VENET_INFO_CMD: struct ovz_venetaddrmsg }). */
int ovz_nl_venet_ip(struct ovz_nl *nl, const char *venet, const struct ovz_ip *ip, bool add,
		    struct ovz_error **err);

/* "aa:bb:cc:dd:ee:ff" (either case) to bytes; -EINVAL when malformed. */
int ovz_mac_parse(const char *s, uint8_t out[6]);

/* ---- message construction, no socket ----
 * Each builder zeroes and fills buf, which holds OVZ_NLMSG_MAX bytes, and
 * returns the message.  nlmsg_seq is left 0: the sender numbers requests. */

#define OVZ_NLMSG_MAX 1024

struct ovz_link_change {
	int index;		/* 0: the link is found by name */
	const char *name;
	const char *new_name;	/* needs index */
	unsigned flags, change;	/* ifi_flags / ifi_change */
	unsigned mtu;		/* 0: keep */
	const uint8_t *mac;	/* NULL: keep */
	bool set_master;
	int master;		/* 0: release */
	bool set_netns;
	int netns_fd;
};

struct nlmsghdr *ovz_nlmsg_veth_add(void *buf, const struct ovz_veth_spec *spec);
struct nlmsghdr *ovz_nlmsg_link_add(void *buf, const char *name, const char *kind);
struct nlmsghdr *ovz_nlmsg_link_del(void *buf, const char *name);
struct nlmsghdr *ovz_nlmsg_link_change(void *buf, const struct ovz_link_change *c);
/* index 0: by name. */
struct nlmsghdr *ovz_nlmsg_link_get(void *buf, int index, const char *name);
struct nlmsghdr *ovz_nlmsg_link_dump(void *buf);
/* type RTM_NEWADDR or RTM_DELADDR. */
struct nlmsghdr *ovz_nlmsg_addr(void *buf, uint16_t type, int ifindex, const struct ovz_ip *ip,
				unsigned flags);
/* type RTM_NEWROUTE or RTM_DELROUTE. */
struct nlmsghdr *ovz_nlmsg_route(void *buf, uint16_t type, int ifindex, const struct ovz_route *r);
/* type RTM_NEWNEIGH or RTM_DELNEIGH. */
struct nlmsghdr *ovz_nlmsg_proxy(void *buf, uint16_t type, int ifindex, const struct ovz_ip *ip);
/* RTM_GETNEIGH dump of the IPv4 and IPv6 proxy tables. */
struct nlmsghdr *ovz_nlmsg_proxy_dump(void *buf);
struct nlmsghdr *ovz_nlmsg_venet_ip(void *buf, const char *venet, const struct ovz_ip *ip,
				    bool add);

/* Reads an NLMSG_ERROR reply: returns 0 for an ACK, else the negative errno,
 * with the kernel's extended-ack text (or "") copied to text. */
int ovz_nlmsg_ack(const struct nlmsghdr *nlh, char *text, size_t len);

#endif
