// SPDX-License-Identifier: LGPL-2.1-or-later
#include "netlink.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

/* MNL_SOCKET_BUFFER_SIZE is a sysconf() expression; these are constants. */
#define RECV_SIZE 32768
#define BATCH_SIZE 16384
#define BATCH_MAX 64

struct nl_req {
	char what[120];		/* names the request in an error message */
	bool missing_ok;	/* a delete: "no such object" means done */
};

struct ovz_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;		/* of the first queued request */
	unsigned n;		/* queued requests */
	size_t len;		/* queued bytes */
	struct nl_req req[BATCH_MAX];
	char sbuf[BATCH_SIZE];
	char rbuf[RECV_SIZE];
};

typedef void (*nl_data_cb)(const struct nlmsghdr *nlh, void *data);

/* ---- namespaces and the socket ---- */

int ovz_netns_call(int netns_fd, int (*fn)(void *arg, struct ovz_error **err), void *arg,
		   struct ovz_error **err)
{
	if (netns_fd < 0)
		return fn(arg, err);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/ns/net", (int)gettid());
	_cleanup_close_ int self = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return ovz_error_sys(err, errno, "enter network namespace (fd %d)", netns_fd);
	int r = fn(arg, err);
	if (setns(self, CLONE_NEWNET) < 0) {
		int e = errno;
		if (r < 0)
			return ovz_error_wrap(err, r, "thread left in network namespace fd %d: %s",
					      netns_fd, strerror(e));
		return ovz_error_sys(err, e, "return from network namespace fd %d", netns_fd);
	}
	return r;
}

static int socket_here(void *arg, struct ovz_error **err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return ovz_error_sys(err, errno, "netlink socket");
	*(int *)arg = fd;
	return 0;
}

static void set_ack_options(int fd)
{
	/* both are missing before Linux 4.3/4.12; errors then lack the kernel text */
	int one = 1;
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

int ovz_nl_open(int netns_fd, struct ovz_nl **out, struct ovz_error **err)
{
	int fd = -1;
	int r = ovz_netns_call(netns_fd, socket_here, &fd, err);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	set_ack_options(fd);
	struct mnl_socket *sock = mnl_socket_fdopen(fd);
	if (!sock) {
		r = ovz_error_sys(err, errno, "netlink socket");
		close(fd);
		return r;
	}
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = ovz_error_sys(err, errno, "bind netlink socket");
		mnl_socket_close(sock);
		return r;
	}
	/* not zeroed: the buffers (~56 KiB) are written before they are read,
	 * and untouched pages then cost no page faults */
	struct ovz_nl *nl = xmalloc(sizeof(*nl));
	nl->sock = sock;
	nl->portid = mnl_socket_get_portid(sock);
	nl->seq = 1;
	nl->n = 0;
	nl->len = 0;
	*out = nl;
	return 0;
}

void ovz_nl_close(struct ovz_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

void ovz_nl_closep(struct ovz_nl **nl)
{
	ovz_nl_close(*nl);
}

/* ---- queue, send, collect the answers ---- */

static bool nl_has_room(const struct ovz_nl *nl)
{
	return nl->n < BATCH_MAX && nl->len + OVZ_NLMSG_MAX <= BATCH_SIZE;
}

static void *nl_slot(struct ovz_nl *nl)
{
	return nl->sbuf + nl->len;
}

/* Queues the request just built in nl_slot(). */
OVZ_PRINTF(4, 5)
static void nl_queue(struct ovz_nl *nl, struct nlmsghdr *nlh, bool missing_ok, const char *fmt, ...)
{
	struct nl_req *req = &nl->req[nl->n];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(req->what, sizeof(req->what), fmt, ap);
	va_end(ap);
	req->missing_ok = missing_ok;
	nlh->nlmsg_seq = nl->seq + nl->n;
	nl->len += NLMSG_ALIGN(nlh->nlmsg_len);
	nl->n++;
}

static bool is_missing(int r)
{
	return r == -ENODEV || r == -ENOENT || r == -EADDRNOTAVAIL || r == -ESRCH;
}

static int answer_error(const struct nl_req *req, const struct nlmsghdr *nlh,
			struct ovz_error **err)
{
	char text[256];
	int r;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		text[0] = '\0';
		r = mnl_nlmsg_get_payload_len(nlh) >= sizeof(int) ?
			*(const int *)mnl_nlmsg_get_payload(nlh) : 0;
	} else {
		r = ovz_nlmsg_ack(nlh, text, sizeof(text));
	}
	if (r >= 0 || (req->missing_ok && is_missing(r)))
		return 0;
	if (text[0])
		return ovz_error_set(err, -r, "%s: %s (kernel: %s)", req->what, strerror(-r), text);
	return ovz_error_sys(err, -r, "%s", req->what);
}

/* Reads until each of the n requests from seq0 on has its ACK, error or
 * NLMSG_DONE.  Messages for another port or sequence are not ours and are
 * dropped.  Returns the first error; later requests still get answered. */
static int nl_wait(struct ovz_nl *nl, uint32_t seq0, unsigned n, nl_data_cb cb, void *data,
		   struct ovz_error **err)
{
	unsigned answered = 0;
	int first = 0;
	while (answered < n) {
		ssize_t len = mnl_socket_recvfrom(nl->sock, nl->rbuf, sizeof(nl->rbuf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return ovz_error_sys(err, errno, "%s: netlink receive", nl->req[0].what);
		int left = (int)len;
		for (const struct nlmsghdr *nlh = (const void *)nl->rbuf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			uint32_t i = nlh->nlmsg_seq - seq0;
			if (nlh->nlmsg_pid != nl->portid || i >= n)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
				int r = answer_error(&nl->req[i], nlh, err);
				if (r < 0 && !first)
					first = r;
				answered++;
			} else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && cb) {
				cb(nlh, data);
			}
		}
	}
	return first;
}

static int nl_flush(struct ovz_nl *nl, nl_data_cb cb, void *data, struct ovz_error **err)
{
	if (!nl->n)
		return 0;
	uint32_t seq0 = nl->seq;
	unsigned n = nl->n;
	size_t len = nl->len;
	nl->seq += n;
	nl->n = 0;
	nl->len = 0;
	if (mnl_socket_sendto(nl->sock, nl->sbuf, len) < 0)
		return ovz_error_sys(err, errno, "%s: netlink send", nl->req[0].what);
	return nl_wait(nl, seq0, n, cb, data, err);
}

/* Makes room for one more request, sending what is queued if needed. */
static void nl_reserve(struct ovz_nl *nl, int *first, struct ovz_error **err)
{
	if (nl_has_room(nl))
		return;
	int r = nl_flush(nl, NULL, NULL, err);
	if (r < 0 && !*first)
		*first = r;
}

/* ---- argument checks ---- */

static int check_ifname(const char *name, struct ovz_error **err)
{
	const char *why = ovz_check_ifname(name);
	if (why)
		return ovz_error_set(err, EINVAL, "interface name '%s' %s", name ? name : "", why);
	return 0;
}

static int check_ip(const struct ovz_ip *ip, struct ovz_error **err)
{
	if (ip->family != AF_INET && ip->family != AF_INET6)
		return ovz_error_set(err, EAFNOSUPPORT, "address family %d is not IPv4 or IPv6",
				     ip->family);
	if (ip->prefix < -1 || ip->prefix > 255)
		return ovz_error_set(err, EINVAL, "prefix length %d is out of range", ip->prefix);
	return 0;
}

static void format_ip(const struct ovz_ip *ip, char *buf, size_t len)
{
	struct ovz_ip full = *ip;
	if (full.prefix < 0)
		full.prefix = ip->family == AF_INET ? 32 : 128;
	ovz_format_ip(&full, true, buf, len);
}

static void format_mac(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

int ovz_mac_parse(const char *s, uint8_t out[6])
{
	char norm[18];
	if (ovz_check_mac(s, norm))
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)strtoul(norm + i * 3, NULL, 16);
	return 0;
}

/* ---- link replies ---- */

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);
	if (type <= IFLA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void parse_kind(const struct nlattr *linkinfo, struct ovz_link *l)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1] = { NULL };
	if (mnl_attr_parse_nested(linkinfo, attr_cb, tb) < 0 || !tb[IFLA_INFO_KIND] ||
	    mnl_attr_validate(tb[IFLA_INFO_KIND], MNL_TYPE_STRING) < 0)
		return;
	snprintf(l->kind, sizeof(l->kind), "%.*s",
		 (int)strnlen(mnl_attr_get_str(tb[IFLA_INFO_KIND]),
			      mnl_attr_get_payload_len(tb[IFLA_INFO_KIND])),
		 mnl_attr_get_str(tb[IFLA_INFO_KIND]));
}

static void parse_stats(const struct nlattr *a, struct ovz_link_stats *s)
{
	struct rtnl_link_stats64 k;
	memset(&k, 0, sizeof(k));
	size_t n = mnl_attr_get_payload_len(a);
	memcpy(&k, mnl_attr_get_payload(a), n < sizeof(k) ? n : sizeof(k));
	*s = (struct ovz_link_stats){
		.rx_packets = k.rx_packets, .tx_packets = k.tx_packets,
		.rx_bytes = k.rx_bytes, .tx_bytes = k.tx_bytes,
		.rx_errors = k.rx_errors, .tx_errors = k.tx_errors,
		.rx_dropped = k.rx_dropped, .tx_dropped = k.tx_dropped,
	};
}

static bool parse_link(const struct nlmsghdr *nlh, struct ovz_link *l)
{
	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return false;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb) < 0)
		return false;
	memset(l, 0, sizeof(*l));
	l->index = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) == 0)
		snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU] && mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) == 0)
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER] && mnl_attr_validate(tb[IFLA_MASTER], MNL_TYPE_U32) == 0)
		l->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_LINKINFO])
		parse_kind(tb[IFLA_LINKINFO], l);
	if (tb[IFLA_STATS64])
		parse_stats(tb[IFLA_STATS64], &l->stats);
	return true;
}

struct link_one {
	struct ovz_link *out;
	bool found;
};

static void link_one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_one *lo = data;
	if (parse_link(nlh, lo->out))
		lo->found = true;
}

struct link_list {
	struct ovz_link *v;
	size_t n, cap;
};

static void link_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *ll = data;
	if (ll->n == ll->cap) {
		ll->cap = ll->cap ? ll->cap * 2 : 16;
		ll->v = xrealloc(ll->v, ll->cap * sizeof(*ll->v));
	}
	if (parse_link(nlh, &ll->v[ll->n]))
		ll->n++;
}

/* ---- links ---- */

/* The link's index; 0 when it does not exist and missing_ok (no error set). */
static int link_index(struct ovz_nl *nl, const char *name, bool missing_ok, const char *role,
		      struct ovz_error **err)
{
	struct ovz_link l;
	struct link_one lo = { &l, false };
	nl_queue(nl, ovz_nlmsg_link_get(nl_slot(nl), 0, name), missing_ok, "RTM_GETLINK %s'%s'",
		 role, name);
	int r = nl_flush(nl, link_one_cb, &lo, err);
	if (r < 0)
		return r;
	if (!lo.found && !missing_ok)
		return ovz_error_set(err, ENODEV, "RTM_GETLINK %s'%s': no reply", role, name);
	return lo.found ? l.index : 0;
}

int ovz_nl_link_get(struct ovz_nl *nl, const char *name, struct ovz_link *out,
		    struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	struct link_one lo = { out, false };
	nl_queue(nl, ovz_nlmsg_link_get(nl_slot(nl), 0, name), false, "RTM_GETLINK '%s'", name);
	int r = nl_flush(nl, link_one_cb, &lo, err);
	if (r == 0 && !lo.found)
		r = ovz_error_set(err, ENODEV, "RTM_GETLINK '%s': no reply", name);
	return r;
}

int ovz_nl_link_get_index(struct ovz_nl *nl, int index, struct ovz_link *out,
			  struct ovz_error **err)
{
	if (index <= 0)
		return ovz_error_set(err, ENODEV, "link index %d is not valid", index);
	struct link_one lo = { out, false };
	nl_queue(nl, ovz_nlmsg_link_get(nl_slot(nl), index, NULL), false, "RTM_GETLINK index %d",
		 index);
	int r = nl_flush(nl, link_one_cb, &lo, err);
	if (r == 0 && !lo.found)
		r = ovz_error_set(err, ENODEV, "RTM_GETLINK index %d: no reply", index);
	return r;
}

int ovz_nl_link_list(struct ovz_nl *nl, struct ovz_link **out, size_t *n, struct ovz_error **err)
{
	struct link_list ll = { NULL, 0, 0 };
	nl_queue(nl, ovz_nlmsg_link_dump(nl_slot(nl)), false, "RTM_GETLINK dump");
	int r = nl_flush(nl, link_list_cb, &ll, err);
	if (r < 0) {
		free(ll.v);
		return r;
	}
	*out = ll.v;
	*n = ll.n;
	return 0;
}

int ovz_nl_veth_add(struct ovz_nl *nl, const struct ovz_veth_spec *s, struct ovz_error **err)
{
	if (check_ifname(s->name, err) < 0 || check_ifname(s->peer, err) < 0)
		return -EINVAL;
	nl_queue(nl, ovz_nlmsg_veth_add(nl_slot(nl), s), false, "RTM_NEWLINK veth '%s' peer '%s'",
		 s->name, s->peer);
	return nl_flush(nl, NULL, NULL, err);
}

int ovz_nl_link_add(struct ovz_nl *nl, const char *name, const char *kind,
		    struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	if (!kind || !*kind || strlen(kind) > 63)
		return ovz_error_set(err, EINVAL, "link kind '%s' is not valid", kind ? kind : "");
	nl_queue(nl, ovz_nlmsg_link_add(nl_slot(nl), name, kind), false, "RTM_NEWLINK %s '%s'",
		 kind, name);
	return nl_flush(nl, NULL, NULL, err);
}

int ovz_nl_link_del(struct ovz_nl *nl, const char *name, struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	nl_queue(nl, ovz_nlmsg_link_del(nl_slot(nl), name), true, "RTM_DELLINK '%s'", name);
	return nl_flush(nl, NULL, NULL, err);
}

OVZ_PRINTF(5, 6)
static int link_change(struct ovz_nl *nl, const struct ovz_link_change *c, bool missing_ok,
		       struct ovz_error **err, const char *fmt, ...)
{
	char what[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	nl_queue(nl, ovz_nlmsg_link_change(nl_slot(nl), c), missing_ok, "RTM_NEWLINK '%s' %s",
		 c->name, what);
	return nl_flush(nl, NULL, NULL, err);
}

int ovz_nl_link_up(struct ovz_nl *nl, const char *name, struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	struct ovz_link_change c = { .name = name, .flags = IFF_UP, .change = IFF_UP };
	return link_change(nl, &c, false, err, "up");
}

int ovz_nl_link_down(struct ovz_nl *nl, const char *name, struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	struct ovz_link_change c = { .name = name, .flags = 0, .change = IFF_UP };
	return link_change(nl, &c, true, err, "down");
}

int ovz_nl_link_rename(struct ovz_nl *nl, const char *name, const char *new_name,
		       struct ovz_error **err)
{
	if (check_ifname(name, err) < 0 || check_ifname(new_name, err) < 0)
		return -EINVAL;
	int index = link_index(nl, name, false, "", err);
	if (index < 0)
		return index;
	struct ovz_link_change c = { .index = index, .name = name, .new_name = new_name };
	return link_change(nl, &c, false, err, "rename to '%s'", new_name);
}

int ovz_nl_link_set_mac(struct ovz_nl *nl, const char *name, const uint8_t mac[6],
			struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	char m[18];
	format_mac(mac, m);
	struct ovz_link_change c = { .name = name, .mac = mac };
	return link_change(nl, &c, false, err, "address %s", m);
}

int ovz_nl_link_set_mtu(struct ovz_nl *nl, const char *name, unsigned mtu,
			struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	if (!mtu)
		return ovz_error_set(err, EINVAL, "MTU 0 for '%s' is not valid", name);
	struct ovz_link_change c = { .name = name, .mtu = mtu };
	return link_change(nl, &c, false, err, "mtu %u", mtu);
}

int ovz_nl_link_set_master(struct ovz_nl *nl, const char *name, const char *bridge,
			   struct ovz_error **err)
{
	if (check_ifname(name, err) < 0 || check_ifname(bridge, err) < 0)
		return -EINVAL;
	int index = link_index(nl, bridge, false, "bridge ", err);
	if (index < 0)
		return index;
	struct ovz_link_change c = { .name = name, .set_master = true, .master = index };
	return link_change(nl, &c, false, err, "master '%s'", bridge);
}

int ovz_nl_link_release(struct ovz_nl *nl, const char *name, struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	struct ovz_link_change c = { .name = name, .set_master = true, .master = 0 };
	return link_change(nl, &c, true, err, "nomaster");
}

int ovz_nl_link_set_netns(struct ovz_nl *nl, const char *name, int netns_fd,
			  struct ovz_error **err)
{
	if (check_ifname(name, err) < 0)
		return -EINVAL;
	struct ovz_link_change c = { .name = name, .set_netns = true, .netns_fd = netns_fd };
	return link_change(nl, &c, false, err, "netns (fd %d)", netns_fd);
}

/* ---- addresses ---- */

static int addrs(struct ovz_nl *nl, uint16_t type, const char *dev, const struct ovz_ip *ips,
		 size_t n, unsigned flags, struct ovz_error **err)
{
	bool del = type == RTM_DELADDR;
	if (check_ifname(dev, err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (check_ip(&ips[i], err) < 0)
			return -EINVAL;
	int index = link_index(nl, dev, del, "", err);
	if (index <= 0)
		return index;
	int first = 0;
	for (size_t i = 0; i < n; i++) {
		nl_reserve(nl, &first, err);
		char a[64];
		format_ip(&ips[i], a, sizeof(a));
		nl_queue(nl, ovz_nlmsg_addr(nl_slot(nl), type, index, &ips[i], flags), del,
			 "%s %s dev '%s'", del ? "RTM_DELADDR" : "RTM_NEWADDR", a, dev);
	}
	int r = nl_flush(nl, NULL, NULL, err);
	return first ? first : r;
}

int ovz_nl_addrs_add(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ips, size_t n,
		     unsigned flags, struct ovz_error **err)
{
	return addrs(nl, RTM_NEWADDR, dev, ips, n, flags, err);
}

int ovz_nl_addrs_del(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ips, size_t n,
		     struct ovz_error **err)
{
	return addrs(nl, RTM_DELADDR, dev, ips, n, 0, err);
}

int ovz_nl_addr_add(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ip,
		    unsigned flags, struct ovz_error **err)
{
	return addrs(nl, RTM_NEWADDR, dev, ip, 1, flags, err);
}

int ovz_nl_addr_del(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ip,
		    struct ovz_error **err)
{
	return addrs(nl, RTM_DELADDR, dev, ip, 1, 0, err);
}

/* ---- routes ---- */

static void format_route(const struct ovz_route *r, char *buf, size_t len)
{
	char dst[64], gw[64] = "";
	if (r->dst.prefix == 0)
		snprintf(dst, sizeof(dst), "default%s", r->dst.family == AF_INET6 ? " (IPv6)" : "");
	else
		format_ip(&r->dst, dst, sizeof(dst));
	if (r->gw.family)
		ovz_format_ip(&r->gw, false, gw, sizeof(gw));
	snprintf(buf, len, "%s%s%s%s", dst, gw[0] ? " via " : "", gw, r->onlink ? " onlink" : "");
}

static int routes(struct ovz_nl *nl, uint16_t type, const char *dev, const struct ovz_route *rt,
		  size_t n, struct ovz_error **err)
{
	bool del = type == RTM_DELROUTE;
	if (check_ifname(dev, err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (check_ip(&rt[i].dst, err) < 0 || (rt[i].gw.family && check_ip(&rt[i].gw, err) < 0))
			return -EINVAL;
		if (rt[i].gw.family && rt[i].gw.family != rt[i].dst.family)
			return ovz_error_set(err, EINVAL, "route gateway family differs from destination");
	}
	int index = link_index(nl, dev, del, "", err);
	if (index <= 0)
		return index;
	int first = 0;
	for (size_t i = 0; i < n; i++) {
		nl_reserve(nl, &first, err);
		char a[160];
		format_route(&rt[i], a, sizeof(a));
		nl_queue(nl, ovz_nlmsg_route(nl_slot(nl), type, index, &rt[i]), del,
			 "%s %s dev '%s'", del ? "RTM_DELROUTE" : "RTM_NEWROUTE", a, dev);
	}
	int r = nl_flush(nl, NULL, NULL, err);
	return first ? first : r;
}

int ovz_nl_routes_add(struct ovz_nl *nl, const char *dev, const struct ovz_route *r, size_t n,
		      struct ovz_error **err)
{
	return routes(nl, RTM_NEWROUTE, dev, r, n, err);
}

int ovz_nl_routes_del(struct ovz_nl *nl, const char *dev, const struct ovz_route *r, size_t n,
		      struct ovz_error **err)
{
	return routes(nl, RTM_DELROUTE, dev, r, n, err);
}

int ovz_nl_route_add(struct ovz_nl *nl, const char *dev, const struct ovz_route *r,
		     struct ovz_error **err)
{
	return routes(nl, RTM_NEWROUTE, dev, r, 1, err);
}

int ovz_nl_route_del(struct ovz_nl *nl, const char *dev, const struct ovz_route *r,
		     struct ovz_error **err)
{
	return routes(nl, RTM_DELROUTE, dev, r, 1, err);
}

/* ---- proxy neighbours ---- */

static int proxies(struct ovz_nl *nl, uint16_t type, const char *dev, const struct ovz_ip *ips,
		   size_t n, struct ovz_error **err)
{
	bool del = type == RTM_DELNEIGH;
	if (check_ifname(dev, err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (check_ip(&ips[i], err) < 0)
			return -EINVAL;
	int index = link_index(nl, dev, del, "", err);
	if (index <= 0)
		return index;
	int first = 0;
	for (size_t i = 0; i < n; i++) {
		nl_reserve(nl, &first, err);
		char a[64];
		ovz_format_ip(&ips[i], false, a, sizeof(a));
		nl_queue(nl, ovz_nlmsg_proxy(nl_slot(nl), type, index, &ips[i]), del,
			 "%s proxy %s dev '%s'", del ? "RTM_DELNEIGH" : "RTM_NEWNEIGH", a, dev);
	}
	int r = nl_flush(nl, NULL, NULL, err);
	return first ? first : r;
}

int ovz_nl_proxy_add(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ips, size_t n,
		     struct ovz_error **err)
{
	return proxies(nl, RTM_NEWNEIGH, dev, ips, n, err);
}

int ovz_nl_proxy_del(struct ovz_nl *nl, const char *dev, const struct ovz_ip *ips, size_t n,
		     struct ovz_error **err)
{
	return proxies(nl, RTM_DELNEIGH, dev, ips, n, err);
}

struct proxy_entry {
	int ifindex;
	struct ovz_ip ip;
};

struct proxy_match {
	const struct ovz_ip *ips;
	size_t n_ips;
	struct proxy_entry *v;
	size_t n, cap;
};

static const struct ovz_ip *proxy_wanted(const struct proxy_match *m, int family,
					 const struct nlattr *dst)
{
	size_t len = family == AF_INET ? 4 : 16;
	if (mnl_attr_get_payload_len(dst) != len)
		return NULL;
	for (size_t i = 0; i < m->n_ips; i++)
		if (m->ips[i].family == family &&
		    memcmp(m->ips[i].addr, mnl_attr_get_payload(dst), len) == 0)
			return &m->ips[i];
	return NULL;
}

static void proxy_match_cb(const struct nlmsghdr *nlh, void *data)
{
	struct proxy_match *m = data;
	if (nlh->nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ndmsg))
		return;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(*ndm)) {
		const struct ovz_ip *ip;
		if (mnl_attr_get_type(a) != NDA_DST || !(ip = proxy_wanted(m, ndm->ndm_family, a)))
			continue;
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 8;
			m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
		}
		m->v[m->n++] = (struct proxy_entry){ ndm->ndm_ifindex, *ip };
	}
}

int ovz_nl_proxy_del_all(struct ovz_nl *nl, const struct ovz_ip *ips, size_t n,
			 struct ovz_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (check_ip(&ips[i], err) < 0)
			return -EINVAL;
	if (!n)
		return 0;
	struct proxy_match m = { .ips = ips, .n_ips = n };
	nl_queue(nl, ovz_nlmsg_proxy_dump(nl_slot(nl)), false, "RTM_GETNEIGH proxy dump");
	int first = nl_flush(nl, proxy_match_cb, &m, err);
	for (size_t i = 0; first == 0 && i < m.n; i++) {
		nl_reserve(nl, &first, err);
		char a[64];
		ovz_format_ip(&m.v[i].ip, false, a, sizeof(a));
		nl_queue(nl, ovz_nlmsg_proxy(nl_slot(nl), RTM_DELNEIGH, m.v[i].ifindex, &m.v[i].ip),
			 true, "RTM_DELNEIGH proxy %s dev #%d", a, m.v[i].ifindex);
	}
	int r = nl_flush(nl, NULL, NULL, err);
	free(m.v);
	return first ? first : r;
}

/* ---- OpenVZ 7 venet ---- */

int ovz_nl_venet_ip(struct ovz_nl *nl, const char *venet, const struct ovz_ip *ip, bool add,
		    struct ovz_error **err)
{
	if (check_ifname(venet, err) < 0 || check_ip(ip, err) < 0)
		return -EINVAL;
	char a[64];
	ovz_format_ip(ip, false, a, sizeof(a));
	nl_queue(nl, ovz_nlmsg_venet_ip(nl_slot(nl), venet, ip, add), !add,
		 "RTM_NEWLINK venet '%s' %s %s", venet, add ? "add" : "del", a);
	return nl_flush(nl, NULL, NULL, err);
}
