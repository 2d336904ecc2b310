// SPDX-License-Identifier: LGPL-2.1-or-later
/* Request encoding: pure functions from arguments to one netlink message. */
#include "netlink.h"
#include "vzabi.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>

static struct nlmsghdr *put_header(void *buf, uint16_t type, uint16_t flags)
{
	memset(buf, 0, OVZ_NLMSG_MAX);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int index)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return ifi;
}

static size_t ip_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static int full_prefix(const struct ovz_ip *ip)
{
	if (ip->prefix >= 0)
		return ip->prefix;
	return ip->family == AF_INET ? 32 : 128;
}

struct nlmsghdr *ovz_nlmsg_veth_add(void *buf, const struct ovz_veth_spec *s)
{
	struct nlmsghdr *nlh = put_header(buf, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = put_ifinfo(nlh, 0);
	ifi->ifi_flags = ifi->ifi_change = s->flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, s->name);
	if (s->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, s->mac);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's attributes follow an ifinfomsg of its own */
	nlh->nlmsg_len += MNL_ALIGN(sizeof(struct ifinfomsg));
	struct ifinfomsg *pifi = (struct ifinfomsg *)mnl_attr_get_payload(peer);
	pifi->ifi_family = AF_UNSPEC;
	pifi->ifi_flags = pifi->ifi_change = s->flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, s->peer);
	if (s->peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, s->peer_mac);
	if (s->peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)s->peer_netns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_link_add(void *buf, const char *name, const char *kind)
{
	struct nlmsghdr *nlh = put_header(buf, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_link_del(void *buf, const char *name)
{
	struct nlmsghdr *nlh = put_header(buf, RTM_DELLINK, NLM_F_ACK);
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_link_change(void *buf, const struct ovz_link_change *c)
{
	struct nlmsghdr *nlh = put_header(buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = put_ifinfo(nlh, c->index);
	ifi->ifi_flags = c->flags;
	ifi->ifi_change = c->change;
	if (c->new_name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, c->new_name);
	else if (!c->index)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, c->name);
	if (c->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, c->mtu);
	if (c->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, c->mac);
	if (c->set_master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)c->master);
	if (c->set_netns)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)c->netns_fd);
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_link_get(void *buf, int index, const char *name)
{
	struct nlmsghdr *nlh = put_header(buf, RTM_GETLINK, NLM_F_ACK);
	put_ifinfo(nlh, index);
	if (!index)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_link_dump(void *buf)
{
	struct nlmsghdr *nlh = put_header(buf, RTM_GETLINK, NLM_F_DUMP);
	put_ifinfo(nlh, 0);
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_addr(void *buf, uint16_t type, int ifindex, const struct ovz_ip *ip,
				unsigned flags)
{
	uint16_t f = NLM_F_ACK | (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct nlmsghdr *nlh = put_header(buf, type, f);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)ip->family;
	ifa->ifa_prefixlen = (uint8_t)full_prefix(ip);
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	uint32_t ifa_flags = IFA_F_PERMANENT;
	if (ip->family == AF_INET6 && (flags & OVZ_ADDR_NODAD))
		ifa_flags |= IFA_F_NODAD;
	/* Both flags fit the header's byte, so no IFA_FLAGS (3.14): kernels
	 * before 3.x answer EINVAL to any attribute above their IFA_MAX. */
	ifa->ifa_flags = (uint8_t)ifa_flags;
	/* IPv4 names the local address in IFA_LOCAL; IFA_ADDRESS is the peer */
	if (ip->family == AF_INET)
		mnl_attr_put(nlh, IFA_LOCAL, 4, ip->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, ip_len(ip->family), ip->addr);
	return nlh;
}

static uint8_t route_scope(const struct ovz_route *r)
{
	if (r->dst.family == AF_INET && !r->gw.family)
		return RT_SCOPE_LINK;
	return RT_SCOPE_UNIVERSE;
}

struct nlmsghdr *ovz_nlmsg_route(void *buf, uint16_t type, int ifindex, const struct ovz_route *r)
{
	uint16_t f = NLM_F_ACK | (type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct nlmsghdr *nlh = put_header(buf, type, f);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)r->dst.family;
	rtm->rtm_dst_len = (uint8_t)full_prefix(&r->dst);
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = type == RTM_NEWROUTE ? route_scope(r) : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	if (r->onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	if (rtm->rtm_dst_len)
		mnl_attr_put(nlh, RTA_DST, ip_len(r->dst.family), r->dst.addr);
	if (r->gw.family)
		mnl_attr_put(nlh, RTA_GATEWAY, ip_len(r->gw.family), r->gw.addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_proxy(void *buf, uint16_t type, int ifindex, const struct ovz_ip *ip)
{
	uint16_t f = NLM_F_ACK | (type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct nlmsghdr *nlh = put_header(buf, type, f);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)ip->family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_flags = NTF_PROXY;
	mnl_attr_put(nlh, NDA_DST, ip_len(ip->family), ip->addr);
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_proxy_dump(void *buf)
{
	struct nlmsghdr *nlh = put_header(buf, RTM_GETNEIGH, NLM_F_DUMP);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_UNSPEC;
	ndm->ndm_flags = NTF_PROXY;	/* exactly NTF_PROXY: the proxy tables */
	return nlh;
}

struct nlmsghdr *ovz_nlmsg_venet_ip(void *buf, const char *venet, const struct ovz_ip *ip,
				    bool add)
{
	struct nlmsghdr *nlh = put_header(buf, RTM_NEWLINK, NLM_F_ACK);
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, venet);
	struct ovz_venetaddrmsg va;
	memset(&va, 0, sizeof(va));
	va.va_family = (uint8_t)ip->family;
	va.va_cmd = add ? OVZ_VENET_ADDR_ADD : OVZ_VENET_ADDR_DEL;
	memcpy(va.va_addr, ip->addr, ip_len(ip->family));
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "venet");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put(nlh, OVZ_VENET_INFO_CMD, sizeof(va), &va);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

static int ack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);
	if (type == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

int ovz_nlmsg_ack(const struct nlmsghdr *nlh, char *text, size_t len)
{
	if (len)
		text[0] = '\0';
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nlmsgerr)))
		return -EBADMSG;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	if (e->error == 0 || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error > 0 ? -e->error : e->error;
	/* without NETLINK_CAP_ACK the request is echoed before the TLVs */
	size_t off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&e->msg);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	if (off <= mnl_nlmsg_get_payload_len(nlh) &&
	    mnl_attr_parse(nlh, (unsigned)off, ack_attr_cb, tb) >= 0 && tb[NLMSGERR_ATTR_MSG] && len)
		snprintf(text, len, "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	return e->error > 0 ? -e->error : e->error;
}
