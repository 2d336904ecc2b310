// SPDX-License-Identifier: LGPL-2.1-or-later
/* src/net without a kernel: request encoding, ACK parsing, the OpenVZ ioctl
 * and cgroup-file encodings, veth naming, /etc file rendering and writing. */
#include "testutil.h"

#include "core/util.h"
#include "net/etcfiles.h"
#include "net/net.h"
#include "net/netlink.h"
#include "net/vzabi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[OVZ_NLMSG_MAX];

static struct ovz_ip ip(const char *s)
{
	struct ovz_ip v;
	assert_null(ovz_parse_ip(s, 0, &v));
	return v;
}

/* Top-level (or nested) attributes by type; the last one of a type wins. */
struct attrs {
	const struct nlattr *a[64];
};

static int collect(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;
	if (mnl_attr_get_type(attr) < 64)
		t->a[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static struct attrs parse(const struct nlmsghdr *nlh, size_t extra)
{
	struct attrs t = { { NULL } };
	assert_int_equal(mnl_attr_parse(nlh, (unsigned)extra, collect, &t), MNL_CB_OK);
	return t;
}

static struct attrs nested(const struct nlattr *a)
{
	struct attrs t = { { NULL } };
	assert_non_null(a);
	assert_int_equal(mnl_attr_parse_nested(a, collect, &t), MNL_CB_OK);
	return t;
}

static const uint8_t mac1[6] = { 0x00, 0x18, 0x51, 0x01, 0x02, 0x03 };
static const uint8_t mac2[6] = { 0x00, 0x18, 0x51, 0x04, 0x05, 0x06 };

/* ---- links ---- */

static void test_veth_message(void **state)
{
	struct ovz_veth_spec s = { .name = "veth101.0", .mac = mac1, .peer = "eth0",
				   .peer_mac = mac2, .peer_netns_fd = 7, .flags = IFF_NOARP };
	struct nlmsghdr *nlh = ovz_nlmsg_veth_add(buf, &s);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_index, 0);
	assert_int_equal(ifi->ifi_flags, IFF_NOARP);
	assert_int_equal(ifi->ifi_change, IFF_NOARP);
	struct attrs top = parse(nlh, sizeof(*ifi));
	assert_string_equal(mnl_attr_get_str(top.a[IFLA_IFNAME]), "veth101.0");
	assert_memory_equal(mnl_attr_get_payload(top.a[IFLA_ADDRESS]), mac1, 6);
	assert_null(top.a[IFLA_NET_NS_FD]);

	struct attrs info = nested(top.a[IFLA_LINKINFO]);
	assert_string_equal(mnl_attr_get_str(info.a[IFLA_INFO_KIND]), "veth");
	struct attrs data = nested(info.a[IFLA_INFO_DATA]);
	const struct nlattr *peer = data.a[VETH_INFO_PEER];
	assert_non_null(peer);
	/* the peer nest starts with an ifinfomsg of its own, then attributes */
	const struct ifinfomsg *pifi = mnl_attr_get_payload(peer);
	assert_int_equal(pifi->ifi_family, AF_UNSPEC);
	assert_int_equal(pifi->ifi_flags, IFF_NOARP);
	struct attrs p = { { NULL } };
	const char *start = (const char *)pifi + MNL_ALIGN(sizeof(*pifi));
	size_t len = mnl_attr_get_payload_len(peer) - MNL_ALIGN(sizeof(*pifi));
	assert_int_equal(mnl_attr_parse_payload(start, len, collect, &p), MNL_CB_OK);
	assert_string_equal(mnl_attr_get_str(p.a[IFLA_IFNAME]), "eth0");
	assert_memory_equal(mnl_attr_get_payload(p.a[IFLA_ADDRESS]), mac2, 6);
	assert_int_equal(mnl_attr_get_u32(p.a[IFLA_NET_NS_FD]), 7);
	/* the nests close where the message ends */
	assert_ptr_equal((const char *)top.a[IFLA_LINKINFO] +
			 MNL_ALIGN(top.a[IFLA_LINKINFO]->nla_len),
			 (const char *)nlh + nlh->nlmsg_len);
}

static void test_veth_message_same_namespace(void **state)
{
	struct ovz_veth_spec s = { .name = "a", .peer = "b", .peer_netns_fd = -1 };
	struct nlmsghdr *nlh = ovz_nlmsg_veth_add(buf, &s);
	struct attrs top = parse(nlh, sizeof(struct ifinfomsg));
	assert_null(top.a[IFLA_ADDRESS]);
	const struct nlattr *peer = nested(nested(top.a[IFLA_LINKINFO]).a[IFLA_INFO_DATA])
		.a[VETH_INFO_PEER];
	struct attrs p = { { NULL } };
	size_t skip = MNL_ALIGN(sizeof(struct ifinfomsg));
	assert_int_equal(mnl_attr_parse_payload((const char *)mnl_attr_get_payload(peer) + skip,
						mnl_attr_get_payload_len(peer) - skip, collect, &p),
			 MNL_CB_OK);
	assert_null(p.a[IFLA_NET_NS_FD]);
	assert_null(p.a[IFLA_ADDRESS]);
}

static void test_link_kind_and_delete(void **state)
{
	struct nlmsghdr *nlh = ovz_nlmsg_link_add(buf, "venet0", "venet");
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct attrs top = parse(nlh, sizeof(struct ifinfomsg));
	assert_string_equal(mnl_attr_get_str(top.a[IFLA_IFNAME]), "venet0");
	assert_string_equal(mnl_attr_get_str(nested(top.a[IFLA_LINKINFO]).a[IFLA_INFO_KIND]),
			    "venet");

	nlh = ovz_nlmsg_link_del(buf, "veth101.0");
	assert_int_equal(nlh->nlmsg_type, RTM_DELLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	top = parse(nlh, sizeof(struct ifinfomsg));
	assert_string_equal(mnl_attr_get_str(top.a[IFLA_IFNAME]), "veth101.0");
}

static void test_link_change(void **state)
{
	struct ovz_link_change up = { .name = "eth0", .flags = IFF_UP, .change = IFF_UP };
	struct nlmsghdr *nlh = ovz_nlmsg_link_change(buf, &up);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);	/* no CREATE */
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	struct attrs t = parse(nlh, sizeof(*ifi));
	assert_string_equal(mnl_attr_get_str(t.a[IFLA_IFNAME]), "eth0");
	assert_null(t.a[IFLA_MTU]);
	assert_null(t.a[IFLA_MASTER]);

	struct ovz_link_change ren = { .index = 9, .name = "a", .new_name = "b" };
	nlh = ovz_nlmsg_link_change(buf, &ren);
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_index, 9);
	assert_int_equal(ifi->ifi_change, 0);
	t = parse(nlh, sizeof(*ifi));
	assert_string_equal(mnl_attr_get_str(t.a[IFLA_IFNAME]), "b");

	struct ovz_link_change all = { .name = "x", .mtu = 1400, .mac = mac1, .set_master = true,
				       .master = 0, .set_netns = true, .netns_fd = 5 };
	nlh = ovz_nlmsg_link_change(buf, &all);
	t = parse(nlh, sizeof(*ifi));
	assert_int_equal(mnl_attr_get_u32(t.a[IFLA_MTU]), 1400);
	assert_memory_equal(mnl_attr_get_payload(t.a[IFLA_ADDRESS]), mac1, 6);
	assert_int_equal(mnl_attr_get_u32(t.a[IFLA_MASTER]), 0);	/* release */
	assert_int_equal(mnl_attr_get_u32(t.a[IFLA_NET_NS_FD]), 5);
}

static void test_link_get_and_dump(void **state)
{
	struct nlmsghdr *nlh = ovz_nlmsg_link_get(buf, 0, "br0");
	assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_string_equal(mnl_attr_get_str(parse(nlh, sizeof(struct ifinfomsg)).a[IFLA_IFNAME]),
			    "br0");
	nlh = ovz_nlmsg_link_get(buf, 4, NULL);
	assert_int_equal(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 4);
	assert_null(parse(nlh, sizeof(struct ifinfomsg)).a[IFLA_IFNAME]);
	nlh = ovz_nlmsg_link_dump(buf);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
}

/* ---- addresses, routes, neighbours ---- */

static void test_addr_ipv4(void **state)
{
	struct ovz_ip a = ip("10.0.0.5");
	struct nlmsghdr *nlh = ovz_nlmsg_addr(buf, RTM_NEWADDR, 3, &a, OVZ_ADDR_NODAD);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET);
	assert_int_equal(ifa->ifa_prefixlen, 32);	/* no prefix: a host address */
	assert_int_equal(ifa->ifa_index, 3);
	assert_int_equal(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	struct attrs t = parse(nlh, sizeof(*ifa));
	/* IPv4 names itself in IFA_LOCAL and IFA_ADDRESS */
	assert_memory_equal(mnl_attr_get_payload(t.a[IFA_LOCAL]), a.addr, 4);
	assert_memory_equal(mnl_attr_get_payload(t.a[IFA_ADDRESS]), a.addr, 4);
	assert_int_equal(mnl_attr_get_payload_len(t.a[IFA_ADDRESS]), 4);
	/* NODAD is for IPv6 only; the flags ride in the header alone, since
	 * 2.6.32's rtnetlink answers EINVAL to IFA_FLAGS (8 > its IFA_MAX 7) */
	assert_int_equal(ifa->ifa_flags, IFA_F_PERMANENT);
	assert_null(t.a[IFA_FLAGS]);

	a = ip("10.0.0.5/24");
	nlh = ovz_nlmsg_addr(buf, RTM_DELADDR, 3, &a, 0);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_prefixlen, 24);
	assert_null(parse(nlh, sizeof(*ifa)).a[IFA_FLAGS]);
}

static void test_addr_ipv6(void **state)
{
	struct ovz_ip a = ip("2001:db8::1");
	struct nlmsghdr *nlh = ovz_nlmsg_addr(buf, RTM_NEWADDR, 2, &a, OVZ_ADDR_NODAD);
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET6);
	assert_int_equal(ifa->ifa_prefixlen, 128);
	struct attrs t = parse(nlh, sizeof(*ifa));
	assert_null(t.a[IFA_LOCAL]);
	assert_int_equal(mnl_attr_get_payload_len(t.a[IFA_ADDRESS]), 16);
	assert_memory_equal(mnl_attr_get_payload(t.a[IFA_ADDRESS]), a.addr, 16);
	assert_int_equal(ifa->ifa_flags, IFA_F_PERMANENT | IFA_F_NODAD);
	assert_null(t.a[IFA_FLAGS]);

	a = ip("2001:db8::1/64");
	nlh = ovz_nlmsg_addr(buf, RTM_NEWADDR, 2, &a, 0);
	assert_int_equal(((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_prefixlen, 64);
	assert_int_equal(((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_flags, IFA_F_PERMANENT);
	assert_null(parse(nlh, sizeof(*ifa)).a[IFA_FLAGS]);
}

static void test_route_default_dev(void **state)
{
	struct ovz_route r = { .dst = ip("0.0.0.0/0") };
	struct nlmsghdr *nlh = ovz_nlmsg_route(buf, RTM_NEWROUTE, 6, &r);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);	/* a device route */
	struct attrs t = parse(nlh, sizeof(*rtm));
	assert_null(t.a[RTA_DST]);
	assert_null(t.a[RTA_GATEWAY]);
	assert_int_equal(mnl_attr_get_u32(t.a[RTA_OIF]), 6);

	r.dst = ip("::/0");
	nlh = ovz_nlmsg_route(buf, RTM_NEWROUTE, 6, &r);
	assert_int_equal(((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_scope,
			 RT_SCOPE_UNIVERSE);
}

static void test_route_host_and_onlink(void **state)
{
	struct ovz_route h = { .dst = ip("2001:db8::7") };
	struct nlmsghdr *nlh = ovz_nlmsg_route(buf, RTM_NEWROUTE, 2, &h);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_dst_len, 128);
	struct attrs t = parse(nlh, sizeof(*rtm));
	assert_memory_equal(mnl_attr_get_payload(t.a[RTA_DST]), h.dst.addr, 16);

	struct ovz_route g = { .dst = ip("0.0.0.0/0"), .gw = ip("192.0.2.1"), .onlink = true };
	nlh = ovz_nlmsg_route(buf, RTM_NEWROUTE, 2, &g);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	assert_true(rtm->rtm_flags & RTNH_F_ONLINK);
	t = parse(nlh, sizeof(*rtm));
	assert_memory_equal(mnl_attr_get_payload(t.a[RTA_GATEWAY]), g.gw.addr, 4);

	nlh = ovz_nlmsg_route(buf, RTM_DELROUTE, 2, &g);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	/* delete matches any scope */
	assert_int_equal(((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_scope,
			 RT_SCOPE_NOWHERE);
}

static void test_proxy_neighbour(void **state)
{
	struct ovz_ip a = ip("10.1.2.3");
	struct nlmsghdr *nlh = ovz_nlmsg_proxy(buf, RTM_NEWNEIGH, 4, &a);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWNEIGH);
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ndm->ndm_family, AF_INET);
	assert_int_equal(ndm->ndm_ifindex, 4);
	assert_int_equal(ndm->ndm_flags, NTF_PROXY);
	struct attrs t = parse(nlh, sizeof(*ndm));
	assert_memory_equal(mnl_attr_get_payload(t.a[NDA_DST]), a.addr, 4);
	assert_null(t.a[NDA_LLADDR]);
	nlh = ovz_nlmsg_proxy(buf, RTM_DELNEIGH, 4, &a);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
}

static void test_venet_changelink(void **state)
{
	struct ovz_ip a = ip("2001:db8::9");
	struct nlmsghdr *nlh = ovz_nlmsg_venet_ip(buf, "venet0", &a, false);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	struct attrs t = parse(nlh, sizeof(struct ifinfomsg));
	assert_string_equal(mnl_attr_get_str(t.a[IFLA_IFNAME]), "venet0");
	struct attrs info = nested(t.a[IFLA_LINKINFO]);
	assert_string_equal(mnl_attr_get_str(info.a[IFLA_INFO_KIND]), "venet");
	const struct nlattr *cmd = nested(info.a[IFLA_INFO_DATA]).a[OVZ_VENET_INFO_CMD];
	assert_int_equal(mnl_attr_get_payload_len(cmd), 20);
	const uint8_t *p = mnl_attr_get_payload(cmd);
	assert_int_equal(p[0], AF_INET6);
	assert_int_equal(p[1], OVZ_VENET_ADDR_DEL);
	assert_memory_equal(p + 4, a.addr, 16);

	a = ip("10.0.0.1");
	nlh = ovz_nlmsg_venet_ip(buf, "venet0", &a, true);
	cmd = nested(nested(parse(nlh, sizeof(struct ifinfomsg)).a[IFLA_LINKINFO])
		     .a[IFLA_INFO_DATA]).a[OVZ_VENET_INFO_CMD];
	p = mnl_attr_get_payload(cmd);
	assert_int_equal(p[0], AF_INET);
	assert_int_equal(p[1], OVZ_VENET_ADDR_ADD);
	static const uint8_t rest[12] = { 0 };
	assert_memory_equal(p + 4, a.addr, 4);
	assert_memory_equal(p + 8, rest, 12);
}

/* ---- ACK parsing ---- */

/* An NLMSG_ERROR for request req with error code and an optional text. */
static struct nlmsghdr *make_ack(char *out, int error, const char *text, bool capped,
				 const struct nlmsghdr *req)
{
	memset(out, 0, OVZ_NLMSG_MAX);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(out);
	nlh->nlmsg_type = NLMSG_ERROR;
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = *req;
	if (!capped) {
		/* the echoed request follows the header copy */
		size_t body = req->nlmsg_len - sizeof(*req);
		memcpy(mnl_nlmsg_get_payload_tail(nlh), (const char *)req + sizeof(*req), body);
		nlh->nlmsg_len += MNL_ALIGN(body);
	} else {
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	}
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	}
	return nlh;
}

static void test_ack_parsing(void **state)
{
	static char req_buf[OVZ_NLMSG_MAX], ack[OVZ_NLMSG_MAX];
	struct ovz_ip a = ip("10.0.0.1");
	a.prefix = 33;
	const struct nlmsghdr *req = ovz_nlmsg_addr(req_buf, RTM_NEWADDR, 2, &a, 0);
	char text[64];

	assert_int_equal(ovz_nlmsg_ack(make_ack(ack, 0, NULL, true, req), text, sizeof(text)), 0);
	assert_string_equal(text, "");
	assert_int_equal(ovz_nlmsg_ack(make_ack(ack, -EEXIST, NULL, true, req), text,
				       sizeof(text)), -EEXIST);
	assert_string_equal(text, "");
	assert_int_equal(ovz_nlmsg_ack(make_ack(ack, -EINVAL, "ipv4: Invalid prefix length", true,
						req), text, sizeof(text)), -EINVAL);
	assert_string_equal(text, "ipv4: Invalid prefix length");
	/* without NETLINK_CAP_ACK the TLVs come after the echoed request */
	assert_int_equal(ovz_nlmsg_ack(make_ack(ack, -EINVAL, "uncapped", false, req), text,
				       sizeof(text)), -EINVAL);
	assert_string_equal(text, "uncapped");
	/* a short text buffer truncates */
	char small[5];
	ovz_nlmsg_ack(make_ack(ack, -EINVAL, "truncated", true, req), small, sizeof(small));
	assert_string_equal(small, "trun");

	struct nlmsghdr *bad = make_ack(ack, -EINVAL, NULL, true, req);
	bad->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(ovz_nlmsg_ack(bad, text, sizeof(text)), -EBADMSG);
}

/* ---- what 2.6.32 accepts ---- */

/* 2.6.32's rtnetlink_rcv_msg answers EINVAL to any top-level attribute
 * above its family's maximum (found on 042stab141 with IFA_FLAGS, 3.14):
 * IFLA_MAX 20 (IFLA_IFALIAS), IFA_MAX 7 (IFA_MULTICAST), RTA_MAX 15
 * (RTA_TABLE); neighbour messages are not checked there. */
static void assert_attrs_at_most(const struct nlmsghdr *nlh, size_t hdr, uint16_t max)
{
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, hdr)
		if (mnl_attr_get_type(a) > max)
			fail_msg("message type %u has attribute %u, above 2.6.32's %u",
				 nlh->nlmsg_type, mnl_attr_get_type(a), max);
}

static void test_vz_path_attributes_fit_2_6_32(void **state)
{
	const size_t ifi = sizeof(struct ifinfomsg), ifa = sizeof(struct ifaddrmsg),
		     rtm = sizeof(struct rtmsg);
	/* every link change the vz path makes: by name and index, up, mtu,
	 * MAC, rename, bridge port and its release (never a namespace move) */
	struct ovz_link_change all = { .index = 3, .name = "veth101.0", .new_name = "x",
				       .flags = IFF_UP, .change = IFF_UP, .mtu = 1400,
				       .mac = mac1, .set_master = true, .master = 7 };
	assert_attrs_at_most(ovz_nlmsg_link_change(buf, &all), ifi, 20);
	struct ovz_link_change up = { .name = "veth101.0", .flags = IFF_UP, .change = IFF_UP };
	assert_attrs_at_most(ovz_nlmsg_link_change(buf, &up), ifi, 20);
	assert_attrs_at_most(ovz_nlmsg_link_get(buf, 0, "br0"), ifi, 20);
	assert_attrs_at_most(ovz_nlmsg_link_get(buf, 4, NULL), ifi, 20);
	assert_attrs_at_most(ovz_nlmsg_link_del(buf, "veth101.0"), ifi, 20);
	const char *addrs[] = { "10.0.0.1", "192.0.2.7/24", "2001:db8::1", "2001:db8::1/64" };
	for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
		struct ovz_ip a = ip(addrs[i]);
		assert_attrs_at_most(ovz_nlmsg_addr(buf, RTM_NEWADDR, 2, &a, OVZ_ADDR_NODAD), ifa, 7);
		assert_attrs_at_most(ovz_nlmsg_addr(buf, RTM_DELADDR, 2, &a, 0), ifa, 7);
	}
	struct ovz_route routes[] = {
		{ .dst = { .family = AF_INET, .prefix = 0 } },
		{ .dst = { .family = AF_INET6, .prefix = 0 } },
		{ .dst = ip("10.0.0.1"), .gw = { .family = 0 } },
		{ .dst = { .family = AF_INET, .prefix = 0 }, .gw = ip("10.0.0.254"), .onlink = true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		assert_attrs_at_most(ovz_nlmsg_route(buf, RTM_NEWROUTE, 2, &routes[i]), rtm, 15);
		assert_attrs_at_most(ovz_nlmsg_route(buf, RTM_DELROUTE, 2, &routes[i]), rtm, 15);
	}
}

static void test_mac_parse(void **state)
{
	uint8_t m[6];
	assert_int_equal(ovz_mac_parse("00:18:51:AB:cd:0F", m), 0);
	static const uint8_t want[6] = { 0x00, 0x18, 0x51, 0xab, 0xcd, 0x0f };
	assert_memory_equal(m, want, 6);
	assert_int_equal(ovz_mac_parse("00:18:51:ab:cd", m), -EINVAL);
	assert_int_equal(ovz_mac_parse("01:00:5e:00:00:01", m), -EINVAL);	/* multicast */
}

/* ---- OpenVZ ioctls and ve files ---- */

static void test_ioctl_numbers(void **state)
{
	assert_int_equal(sizeof(struct ovz_vzctl_ve_hwaddr), 64);
	assert_int_equal(sizeof(struct ovz_venetaddrmsg), 20);
#if defined(__x86_64__)
	assert_int_equal(OVZ_VENETCTL_VE_IP_MAP, 0x40182803);
	assert_int_equal(OVZ_VETHCTL_VE_HWADDR, 0x40405b03);
	assert_int_equal(sizeof(struct ovz_vzctl_ve_ip_map), 24);
#endif
}

static void test_ip_map_encoding(void **state)
{
	union ovz_sockaddr sa;
	struct ovz_vzctl_ve_ip_map m;
	struct ovz_ip a = ip("192.0.2.7/24");
	ovz_vz_ip_map_encode(101, OVZ_VE_IP_ADD, &a, &sa, &m);
	assert_int_equal(m.veid, 101);
	assert_int_equal(m.op, OVZ_VE_IP_ADD);
	assert_int_equal(m.addrlen, 16);	/* exactly sizeof(struct sockaddr_in) */
	assert_ptr_equal(m.addr, &sa.sa);
	assert_int_equal(sa.in.sin_family, AF_INET);
	assert_int_equal(sa.in.sin_port, 0);
	assert_memory_equal(&sa.in.sin_addr, a.addr, 4);

	a = ip("2001:db8::7");
	ovz_vz_ip_map_encode(102, OVZ_VE_IP_DEL, &a, &sa, &m);
	assert_int_equal(m.op, OVZ_VE_IP_DEL);
	assert_int_equal(m.addrlen, 28);	/* exactly sizeof(struct sockaddr_in6) */
	assert_int_equal(sa.in6.sin6_family, AF_INET6);
	assert_int_equal(sa.in6.sin6_port, 0);
	assert_int_equal(sa.in6.sin6_scope_id, 0);
	assert_memory_equal(&sa.in6.sin6_addr, a.addr, 16);
}

static void test_hwaddr_encoding(void **state)
{
	struct ovz_vzctl_ve_hwaddr h;
	ovz_vz_veth_encode(101, OVZ_VE_ETH_ADD, "veth101.0", mac1, "eth0", mac2, &h);
	const uint8_t *raw = (const uint8_t *)&h;
	uint32_t u;
	int32_t i;
	memcpy(&u, raw + 0, 4);
	assert_int_equal(u, 101);
	memcpy(&i, raw + 4, 4);
	assert_int_equal(i, OVZ_VE_ETH_ADD);
	assert_memory_equal(raw + 8, mac1, 6);
	memcpy(&i, raw + 16, 4);
	assert_int_equal(i, 6);
	assert_string_equal((const char *)raw + 20, "veth101.0");
	assert_memory_equal(raw + 36, mac2, 6);
	memcpy(&i, raw + 44, 4);
	assert_int_equal(i, 6);
	assert_string_equal((const char *)raw + 48, "eth0");

	ovz_vz_veth_encode(101, OVZ_VE_ETH_ADD, "veth101.0", mac1, "eth0", NULL, &h);
	assert_int_equal(h.addrlen_ve, 0);	/* the kernel picks */
	ovz_vz_veth_encode(101, OVZ_VE_ETH_DEL, "veth101.0", NULL, NULL, NULL, &h);
	assert_int_equal(h.op, OVZ_VE_ETH_DEL);
	assert_int_equal(h.addrlen, 0);
	assert_string_equal(h.dev_name_ve, "");
}

/* On a descriptor that is not /dev/vzctl the ioctls fail with ENOTTY and
 * the message names the request. */
static void test_ioctls_on_wrong_fd(void **state)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	struct ovz_error *e = NULL;
	struct ovz_ip a = ip("10.0.0.1");
	assert_int_equal(ovz_vz_ip_add(fd, 101, &a, &e), -ENOTTY);
	assert_string_equal(ovz_error_message(e),
			    "VENETCTL_VE_IP_MAP add 10.0.0.1 for CT 101: "
			    "Inappropriate ioctl for device");
	ovz_error_free(e);
	e = NULL;
	assert_int_equal(ovz_vz_veth_add(fd, 101, "veth101.0", mac1, "eth0", mac2, &e), -ENOTTY);
	assert_non_null(strstr(ovz_error_message(e), "VETHCTL_VE_HWADDR add 'veth101.0'"));
	ovz_error_free(e);
	e = NULL;
	assert_int_equal(ovz_vz_veth_add(fd, 101, "a-name-far-too-long", mac1, "eth0", NULL, &e),
			 -EINVAL);
	ovz_error_free(e);
	close(fd);
}

static void test_ve_ip_files(void **state)
{
	_cleanup_free_ char *dir = tu_mkdtemp();
	const char *files[] = { "ve.ip_allow", "ve.ip6_allow", "ve.ip_deny" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = path_join(dir, files[i]);
		tu_write(p, "");
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct ovz_ip a = ip("10.0.0.1/24"), b = ip("2001:db8::1");
	assert_int_equal(ovz_ve_ip_allow(dfd, &a, NULL), 0);
	assert_int_equal(ovz_ve_ip_allow(dfd, &b, NULL), 0);
	assert_int_equal(ovz_ve_ip_deny(dfd, &a, NULL), 0);
	_cleanup_free_ char *p4 = path_join(dir, "ve.ip_allow");
	_cleanup_free_ char *p6 = path_join(dir, "ve.ip6_allow");
	_cleanup_free_ char *pd = path_join(dir, "ve.ip_deny");
	_cleanup_free_ char *t4 = tu_read(p4), *t6 = tu_read(p6), *td = tu_read(pd);
	assert_string_equal(t4, "10.0.0.1");	/* no prefix */
	assert_string_equal(t6, "2001:db8::1");
	assert_string_equal(td, "10.0.0.1");
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_ve_ip_deny(dfd, &b, &e), -ENOENT);	/* no ve.ip6_deny here */
	assert_string_equal(ovz_error_message(e), "open 've.ip6_deny': No such file or directory");
	ovz_error_free(e);
	close(dfd);
	tu_rmrf(dir);
}

/* ---- veth naming ---- */

static void test_veth_names(void **state)
{
	struct ovz_iface f;
	memset(&f, 0, sizeof(f));
	f.type = OVZ_IFACE_VETH;
	struct ovz_veth_names v;
	assert_int_equal(ovz_veth_resolve(&f, 101, 0, &v, NULL), 0);
	assert_string_equal(v.host_dev, "veth101.0");
	assert_string_equal(v.guest_dev, "eth0");
	char mac[18], got[18];
	ovz_generate_mac("eth0", 101, NULL, mac);
	snprintf(got, sizeof(got), "%02x:%02x:%02x:%02x:%02x:%02x", v.mac[0], v.mac[1], v.mac[2],
		 v.mac[3], v.mac[4], v.mac[5]);
	assert_string_equal(got, mac);
	assert_int_equal(v.mac[0], 0x00);
	assert_int_equal(v.mac[1], 0x18);
	assert_int_equal(v.mac[2], 0x51);
	assert_memory_not_equal(v.mac, v.host_mac, 6);	/* a bridge must not see its own MAC */

	snprintf(f.guest_dev, sizeof(f.guest_dev), "eth3");
	assert_int_equal(ovz_veth_resolve(&f, 101, 1, &v, NULL), 0);
	assert_string_equal(v.host_dev, "veth101.3");

	snprintf(f.host_dev, sizeof(f.host_dev), "vm7");
	snprintf(f.mac, sizeof(f.mac), "00:18:51:01:02:03");
	assert_int_equal(ovz_veth_resolve(&f, 101, 1, &v, NULL), 0);
	assert_string_equal(v.host_dev, "vm7");
	assert_memory_equal(v.mac, mac1, 6);

	memset(&f, 0, sizeof(f));
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_veth_resolve(&f, 2147483647u, 0, &v, &e), -EINVAL);
	assert_non_null(strstr(ovz_error_message(e), "'veth2147483647.0' is longer than 15"));
	ovz_error_free(e);
}

static void test_venet_host_name(void **state)
{
	char n[16];
	ovz_venet_host_name(101, n);
	assert_string_equal(n, "venet101");
	ovz_venet_host_name(2147483647u, n);
	assert_string_equal(n, "venet2147483647");
}

static int count_call(void *arg, struct ovz_error **err)
{
	(*(int *)arg)++;
	return 0;
}

static void test_netns_call_without_fd(void **state)
{
	int called = 0;
	assert_int_equal(ovz_netns_call(-1, count_call, &called, NULL), 0);
	assert_int_equal(called, 1);
}

/* Names are checked before anything reaches the kernel. */
static void test_bad_names_refused(void **state)
{
	struct ovz_nl *nl = NULL;
	assert_int_equal(ovz_nl_open(-1, &nl, NULL), 0);
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_nl_link_up(nl, "name-longer-than-15", &e), -EINVAL);
	assert_string_equal(ovz_error_message(e),
			    "interface name 'name-longer-than-15' is longer than 15 bytes");
	ovz_error_free(e);
	e = NULL;
	struct ovz_ip a = ip("10.0.0.1");
	a.prefix = 300;
	assert_int_equal(ovz_nl_addr_add(nl, "lo", &a, 0, &e), -EINVAL);
	ovz_error_free(e);
	ovz_nl_close(nl);
}

/* ---- /etc files ---- */

static struct ovz_domain *etc_domain(void)
{
	struct ovz_domain *d = ovz_domain_new();
	d->hostname = xstrdup("ct101.example.com");
	struct ovz_iface *f = ovz_domain_add_iface(d, OVZ_IFACE_VENET);
	struct ovz_ip v6 = ip("2001:db8::5"), v4 = ip("192.0.2.5/24");
	ovz_iface_add_ip(f, &v6);
	ovz_iface_add_ip(f, &v4);
	strv_push(&d->nameservers, xstrdup("192.0.2.53"));
	strv_push(&d->nameservers, xstrdup("2001:db8::53"));
	strv_push(&d->searchdomains, xstrdup("example.com"));
	strv_push(&d->searchdomains, xstrdup("example.net"));
	return d;
}

static void test_render_hostname(void **state)
{
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = etc_domain();
	_cleanup_free_ char *h = ovz_etc_hostname(d);
	assert_string_equal(h, "ct101.example.com\n");
	free(d->hostname);
	d->hostname = NULL;
	assert_null(ovz_etc_hostname(d));
}

static void test_render_hosts_keeps_lines(void **state)
{
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = etc_domain();
	const char *old = "127.0.0.1\tlocalhost\n"
			  "# a comment\n"
			  "10.1.1.1 db\n"
			  "192.0.2.99\told.example.com old\t# ovz-native\n"
			  "10.1.1.2 cache";
	_cleanup_free_ char *h = ovz_etc_hosts(d, old);
	assert_string_equal(h, "192.0.2.5\tct101.example.com ct101\t# ovz-native\n"
			       "127.0.0.1\tlocalhost\n"
			       "# a comment\n"
			       "10.1.1.1 db\n"
			       "10.1.1.2 cache\n");
	_cleanup_free_ char *again = ovz_etc_hosts(d, h);
	assert_string_equal(again, h);	/* idempotent */
}

static void test_render_hosts_fresh(void **state)
{
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = ovz_domain_new();
	d->hostname = xstrdup("box");
	_cleanup_free_ char *h = ovz_etc_hosts(d, NULL);
	assert_string_equal(h, "127.0.0.1\tlocalhost\t# ovz-native\n"
			       "::1\tlocalhost ip6-localhost ip6-loopback\t# ovz-native\n"
			       "127.0.1.1\tbox\t# ovz-native\n");
	_cleanup_free_ char *again = ovz_etc_hosts(d, h);
	assert_string_equal(again, h);
}

static void test_render_resolv(void **state)
{
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = etc_domain();
	const char *old = "# generated\nnameserver 8.8.8.8\n  search old.example\n"
			  "options rotate\ndomain x.example\n";
	_cleanup_free_ char *r = ovz_etc_resolv(d, old);
	assert_string_equal(r, "# generated\noptions rotate\n"
			       "search example.com example.net\n"
			       "nameserver 192.0.2.53\nnameserver 2001:db8::53\n");
	strv_free(d->searchdomains);
	d->searchdomains = NULL;
	_cleanup_free_ char *ns_only = ovz_etc_resolv(d, old);
	assert_string_equal(ns_only, "# generated\n  search old.example\noptions rotate\n"
				     "domain x.example\n"
				     "nameserver 192.0.2.53\nnameserver 2001:db8::53\n");
	strv_free(d->nameservers);
	d->nameservers = NULL;
	assert_null(ovz_etc_resolv(d, old));
}

struct root {
	char *dir;
	int fd;
};

static int root_setup(void **state)
{
	struct root *r = xcalloc(1, sizeof(*r));
	r->dir = tu_mkdtemp();
	r->fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = r;
	return 0;
}

static int root_teardown(void **state)
{
	struct root *r = *state;
	close(r->fd);
	tu_rmrf(r->dir);
	free(r->dir);
	free(r);
	return 0;
}

static char *at(const struct root *r, const char *rel)
{
	return path_join(r->dir, rel);
}

static void test_etc_apply(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *hosts = at(r, "/etc/hosts");
	tu_write(hosts, "127.0.0.1 localhost\n10.0.0.9 keep\n");
	chmod(hosts, 0640);
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = etc_domain();
	assert_int_equal(ovz_etc_apply(r->fd, d, NULL), 0);
	_cleanup_free_ char *hn = at(r, "/etc/hostname"), *rc = at(r, "/etc/resolv.conf");
	_cleanup_free_ char *t1 = tu_read(hn), *t2 = tu_read(hosts), *t3 = tu_read(rc);
	assert_string_equal(t1, "ct101.example.com\n");
	assert_string_equal(t2, "192.0.2.5\tct101.example.com ct101\t# ovz-native\n"
				"127.0.0.1 localhost\n10.0.0.9 keep\n");
	assert_string_equal(t3, "search example.com example.net\n"
				"nameserver 192.0.2.53\nnameserver 2001:db8::53\n");
	struct stat st;
	assert_int_equal(stat(hosts, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);	/* mode kept */
	assert_int_equal(stat(hn, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* no temporary files left */
	_cleanup_free_ char *etc = at(r, "/etc");
	_cleanup_free_ char *tmp = xasprintf("%s/.hosts.ovz-%d", etc, (int)getpid());
	assert_false(tu_exists(tmp));
}

/* A symlink planted by the container is replaced, never written through. */
static void test_etc_symlink_not_followed(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *outside = tu_mkdtemp();
	_cleanup_free_ char *victim = path_join(outside, "victim");
	tu_write(victim, "host secret\n");
	_cleanup_free_ char *etc = at(r, "/etc");
	assert_int_equal(mkdir(etc, 0755), 0);
	_cleanup_free_ char *hosts = at(r, "/etc/hosts");
	assert_int_equal(symlink(victim, hosts), 0);
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = etc_domain();
	assert_int_equal(ovz_etc_apply(r->fd, d, NULL), 0);
	_cleanup_free_ char *v = tu_read(victim);
	assert_string_equal(v, "host secret\n");
	struct stat st;
	assert_int_equal(lstat(hosts, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	_cleanup_free_ char *h = tu_read(hosts);
	assert_non_null(strstr(h, "ct101.example.com"));
	assert_null(strstr(h, "secret"));	/* the link target was not read either */
	tu_rmrf(outside);
}

static void test_etc_dir_symlink_refused(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *outside = tu_mkdtemp();
	_cleanup_free_ char *etc = at(r, "/etc");
	assert_int_equal(symlink(outside, etc), 0);
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = etc_domain();
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_etc_apply(r->fd, d, &e), -ELOOP);
	assert_non_null(strstr(ovz_error_message(e), "'etc' in the container root"));
	ovz_error_free(e);
	_cleanup_free_ char *hn = path_join(outside, "hostname");
	assert_false(tu_exists(hn));
	tu_rmrf(outside);
}

static void test_etc_fifo_does_not_block(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *etc = at(r, "/etc");
	assert_int_equal(mkdir(etc, 0755), 0);
	_cleanup_free_ char *rc = at(r, "/etc/resolv.conf");
	assert_int_equal(mkfifo(rc, 0644), 0);
	char *old = (char *)"unset";
	assert_int_equal(ovz_etc_read(r->fd, "resolv.conf", &old, NULL), 0);
	assert_null(old);
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = etc_domain();
	assert_int_equal(ovz_etc_apply(r->fd, d, NULL), 0);
	struct stat st;
	assert_int_equal(lstat(rc, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(ovz_etc_write(r->fd, "../escape", "x", NULL), -EINVAL);
}

static void test_etc_refuses_injection(void **state)
{
	struct root *r = *state;
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = etc_domain();
	free(d->hostname);
	d->hostname = xstrdup("evil\n10.0.0.1 bank.example");
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_etc_apply(r->fd, d, &e), -EINVAL);
	assert_non_null(strstr(ovz_error_message(e), "hostname 'evil"));
	ovz_error_free(e);
	free(d->hostname);
	d->hostname = NULL;
	strv_push(&d->nameservers, xstrdup("1.1.1.1\noptions debug"));
	assert_int_equal(ovz_etc_apply(r->fd, d, NULL), -EINVAL);
	_cleanup_free_ char *etc = at(r, "/etc");
	assert_false(tu_exists(etc));	/* nothing written */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_veth_message),
		cmocka_unit_test(test_veth_message_same_namespace),
		cmocka_unit_test(test_link_kind_and_delete),
		cmocka_unit_test(test_link_change),
		cmocka_unit_test(test_link_get_and_dump),
		cmocka_unit_test(test_addr_ipv4),
		cmocka_unit_test(test_addr_ipv6),
		cmocka_unit_test(test_route_default_dev),
		cmocka_unit_test(test_route_host_and_onlink),
		cmocka_unit_test(test_proxy_neighbour),
		cmocka_unit_test(test_venet_changelink),
		cmocka_unit_test(test_ack_parsing),
		cmocka_unit_test(test_vz_path_attributes_fit_2_6_32),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_ioctl_numbers),
		cmocka_unit_test(test_ip_map_encoding),
		cmocka_unit_test(test_hwaddr_encoding),
		cmocka_unit_test(test_ioctls_on_wrong_fd),
		cmocka_unit_test(test_ve_ip_files),
		cmocka_unit_test(test_veth_names),
		cmocka_unit_test(test_venet_host_name),
		cmocka_unit_test(test_netns_call_without_fd),
		cmocka_unit_test(test_bad_names_refused),
		cmocka_unit_test(test_render_hostname),
		cmocka_unit_test(test_render_hosts_keeps_lines),
		cmocka_unit_test(test_render_hosts_fresh),
		cmocka_unit_test(test_render_resolv),
		cmocka_unit_test_setup_teardown(test_etc_apply, root_setup, root_teardown),
		cmocka_unit_test_setup_teardown(test_etc_symlink_not_followed, root_setup,
						root_teardown),
		cmocka_unit_test_setup_teardown(test_etc_dir_symlink_refused, root_setup,
						root_teardown),
		cmocka_unit_test_setup_teardown(test_etc_fifo_does_not_block, root_setup,
						root_teardown),
		cmocka_unit_test_setup_teardown(test_etc_refuses_injection, root_setup,
						root_teardown),
	};
	return cmocka_run_group_tests_name("netlink-msg", tests, NULL, NULL);
}
