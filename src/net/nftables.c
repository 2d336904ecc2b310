// SPDX-License-Identifier: LGPL-2.1-or-later
#include "nftables.h"
#include "netlink.h"
#include "core/dl.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* libnftnl, loaded on first use (core/dl.h): only start, set and stop of
 * ns containers with venet build these messages. */
#define OVZ_NFTNL_FUNCS(X)                                                          \
	X(nftnl_nlmsg_build_hdr) X(nftnl_batch_begin) X(nftnl_batch_end)            \
	X(nftnl_table_alloc) X(nftnl_table_free) X(nftnl_table_set_str)             \
	X(nftnl_table_set_u32) X(nftnl_table_nlmsg_build_payload)                   \
	X(nftnl_chain_alloc) X(nftnl_chain_free) X(nftnl_chain_set_str)             \
	X(nftnl_chain_set_u32) X(nftnl_chain_set_s32) X(nftnl_chain_nlmsg_build_payload) \
	X(nftnl_set_alloc) X(nftnl_set_free) X(nftnl_set_set_str) X(nftnl_set_set_u32) \
	X(nftnl_set_nlmsg_build_payload) X(nftnl_set_elem_alloc) X(nftnl_set_elem_set) \
	X(nftnl_set_elem_add) X(nftnl_set_elems_nlmsg_build_payload)                \
	X(nftnl_rule_alloc) X(nftnl_rule_free) X(nftnl_rule_set_str)                \
	X(nftnl_rule_set_u32) X(nftnl_rule_add_expr) X(nftnl_rule_nlmsg_build_payload) \
	X(nftnl_expr_alloc) X(nftnl_expr_set_u32) X(nftnl_expr_set_str) X(nftnl_expr_set)

struct nftnl {
#define FIELD(f) __typeof__(f) *f;
	OVZ_NFTNL_FUNCS(FIELD)
#undef FIELD
};

static struct nftnl nft;
#define SYM(f) OVZ_DL_SYM(struct nftnl, f)
static const struct ovz_dl_sym syms[] = { OVZ_NFTNL_FUNCS(SYM) };
#undef SYM
static struct ovz_dl_lib lib = OVZ_DL_LIB(OVZ_LIBNFTNL_SONAME, syms, &nft);

#define FAMILY NFPROTO_NETDEV
#define CHAIN "ingress"
/* room for the fixed messages, and per address */
#define BATCH_FIXED 8192
#define BATCH_PER_ADDR 64
#define IPV4_ADDR_TYPE 7	/* nft's ipv4_addr and ipv6_addr data types */
#define IPV6_ADDR_TYPE 8

/* libnftnl's allocators return NULL when out of memory: abort, as xmalloc */
static void *need(void *p)
{
	if (!p)
		abort();
	return p;
}

void ovz_nft_table_name(unsigned ctid, char out[32])
{
	snprintf(out, 32, "ovz-native-%u", ctid);
}

/* ---- one transaction: a batch of messages, each acknowledged ---- */

struct batch {
	const struct nftnl *N;
	char *buf;
	size_t len;
	uint32_t seq, first;	/* the messages between begin and end */
	char table[32];
};

static void batch_init(struct batch *b, const struct nftnl *N, unsigned ctid, size_t n_addrs)
{
	b->N = N;
	b->buf = xcalloc(1, BATCH_FIXED + n_addrs * BATCH_PER_ADDR);
	b->len = 0;
	b->seq = 1;
	ovz_nft_table_name(ctid, b->table);
	struct nlmsghdr *h = N->nftnl_batch_begin(b->buf, b->seq++);
	b->len += h->nlmsg_len;
	b->first = b->seq;
}

/* A message header at the end of the batch. */
static struct nlmsghdr *batch_msg(struct batch *b, uint16_t type, uint16_t flags)
{
	return b->N->nftnl_nlmsg_build_hdr(b->buf + b->len, type, FAMILY, flags | NLM_F_ACK,
					   b->seq++);
}

static void batch_done(struct batch *b, struct nlmsghdr *h)
{
	b->len += h->nlmsg_len;
}

/* ---- the messages ---- */

static void add_table(struct batch *b, uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = need(b->N->nftnl_table_alloc());
	b->N->nftnl_table_set_str(t, NFTNL_TABLE_NAME, b->table);
	b->N->nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, FAMILY);
	struct nlmsghdr *h = batch_msg(b, type, flags);
	b->N->nftnl_table_nlmsg_build_payload(h, t);
	batch_done(b, h);
	b->N->nftnl_table_free(t);
}

static void add_chain(struct batch *b, const char *dev)
{
	const struct nftnl *N = b->N;
	struct nftnl_chain *c = need(N->nftnl_chain_alloc());
	N->nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, b->table);
	N->nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, CHAIN);
	N->nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, FAMILY);
	N->nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	N->nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, dev);
	N->nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_NETDEV_INGRESS);
	N->nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	N->nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_DROP);
	struct nlmsghdr *h = batch_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL);
	N->nftnl_chain_nlmsg_build_payload(h, c);
	batch_done(b, h);
	N->nftnl_chain_free(c);
}

static const char *set_name(int family)
{
	return family == AF_INET ? "v4" : "v6";
}

static uint32_t set_id(int family)
{
	return family == AF_INET ? 1 : 2;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static struct nftnl_set *set_of(const struct nftnl *N, const char *table, int family)
{
	struct nftnl_set *s = need(N->nftnl_set_alloc());
	N->nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	N->nftnl_set_set_str(s, NFTNL_SET_NAME, set_name(family));
	N->nftnl_set_set_u32(s, NFTNL_SET_FAMILY, FAMILY);
	N->nftnl_set_set_u32(s, NFTNL_SET_ID, set_id(family));
	return s;
}

static void add_set(struct batch *b, int family)
{
	struct nftnl_set *s = set_of(b->N, b->table, family);
	b->N->nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, (uint32_t)addr_len(family));
	b->N->nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE,
				family == AF_INET ? IPV4_ADDR_TYPE : IPV6_ADDR_TYPE);
	struct nlmsghdr *h = batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL);
	b->N->nftnl_set_nlmsg_build_payload(h, s);
	batch_done(b, h);
	b->N->nftnl_set_free(s);
}

/* The addresses of one family as elements of its set; none: no message. */
static void add_elems(struct batch *b, int family, const struct ovz_ip *ips, size_t n, bool add)
{
	const struct nftnl *N = b->N;
	struct nftnl_set *s = set_of(N, b->table, family);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (ips[i].family != family)
			continue;
		struct nftnl_set_elem *e = need(N->nftnl_set_elem_alloc());
		N->nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, ips[i].addr,
				      (uint32_t)addr_len(family));
		N->nftnl_set_elem_add(s, e);
		k++;
	}
	if (k) {
		struct nlmsghdr *h = batch_msg(b, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
					       add ? NLM_F_CREATE : 0);
		N->nftnl_set_elems_nlmsg_build_payload(h, s);
		batch_done(b, h);
	}
	N->nftnl_set_free(s);
}

static struct nftnl_expr *expr(const struct nftnl *N, struct nftnl_rule *r, const char *kind)
{
	struct nftnl_expr *e = need(N->nftnl_expr_alloc(kind));
	N->nftnl_rule_add_expr(r, e);
	return e;
}

/* meta protocol == ethertype, network header [off, off + len) in the set:
 * accept. */
static void add_source_rule(struct batch *b, int family)
{
	const struct nftnl *N = b->N;
	uint16_t proto = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	struct nftnl_rule *r = need(N->nftnl_rule_alloc());
	N->nftnl_rule_set_str(r, NFTNL_RULE_TABLE, b->table);
	N->nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, CHAIN);
	N->nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, FAMILY);
	struct nftnl_expr *e = expr(N, r, "meta");
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_PROTOCOL);
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	e = expr(N, r, "cmp");
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	N->nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &proto, sizeof(proto));
	e = expr(N, r, "payload");
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, family == AF_INET ? 12 : 8);
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, (uint32_t)addr_len(family));
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	e = expr(N, r, "lookup");
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	N->nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set_name(family));
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id(family));
	e = expr(N, r, "immediate");
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	N->nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	struct nlmsghdr *h = batch_msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	N->nftnl_rule_nlmsg_build_payload(h, r);
	batch_done(b, h);
	N->nftnl_rule_free(r);	/* frees its expressions */
}

/* ---- sending ---- */

/* The first error among the acknowledgements of seqs [first, last). */
static int read_acks(struct mnl_socket *nl, uint32_t first, uint32_t last, int *error)
{
	char buf[8192];
	uint32_t portid = mnl_socket_get_portid(nl);
	size_t acked = 0, want = last - first;
	*error = 0;
	while (acked < want) {
		ssize_t got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0)
			return -errno;
		int len = (int)got;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len)) {
			if (h->nlmsg_pid != portid || h->nlmsg_seq < first || h->nlmsg_seq >= last ||
			    h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error && !*error)
				*error = e->error;
			acked++;
		}
		/* a failed transaction is aborted: the kernel may not
		 * acknowledge the rest */
		if (*error)
			return 0;
	}
	return 0;
}

/* Ends the batch, sends it in one message and reads every answer. */
static int batch_send(struct batch *b, const char *what, struct ovz_error **err)
{
	uint32_t last = b->seq;
	struct nlmsghdr *h = b->N->nftnl_batch_end(b->buf + b->len, b->seq++);
	b->len += h->nlmsg_len;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return ovz_error_sys(err, errno, "netfilter netlink socket");
	int r, error = 0;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, b->buf, b->len) < 0)
		r = -errno;
	else
		r = read_acks(nl, b->first, last, &error);
	mnl_socket_close(nl);
	if (r == 0 && error)
		r = error;
	if (r < 0)
		return ovz_error_sys(err, -r, "nftables: %s table netdev '%s'", what, b->table);
	return 0;
}

/* ---- the entry points ---- */

struct job {
	unsigned ctid;
	const char *dev;	/* create: the device; else NULL */
	const struct ovz_ip *ips;
	size_t n;
	enum { CREATE, DELETE, ADD, DEL } what;
};

static int run(void *arg, struct ovz_error **err)
{
	const struct job *j = arg;
	int r = ovz_dl_load(&lib, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "the venet source filter");
	struct batch b;
	batch_init(&b, &nft, j->ctid, j->n);
	static const int families[] = { AF_INET, AF_INET6 };
	const char *what = "create";
	switch (j->what) {
	case CREATE:
		/* one left by a container that ended by itself (its pair went
		 * with its namespace, the table did not) is replaced: the
		 * name is this CTID's and the caller holds its lock */
		add_table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		add_table(&b, NFT_MSG_DELTABLE, 0);
		add_table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
		for (size_t i = 0; i < ARRAY_SIZE(families); i++)
			add_set(&b, families[i]);
		add_chain(&b, j->dev);
		for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
			add_source_rule(&b, families[i]);
			add_elems(&b, families[i], j->ips, j->n, true);
		}
		break;
	case DELETE:
		what = "delete";
		add_table(&b, NFT_MSG_DELTABLE, 0);
		break;
	case ADD:
	case DEL:
		what = j->what == ADD ? "add addresses to" : "delete addresses from";
		for (size_t i = 0; i < ARRAY_SIZE(families); i++)
			add_elems(&b, families[i], j->ips, j->n, j->what == ADD);
		break;
	}
	struct ovz_error *e = NULL;
	r = b.seq == b.first ? 0 : batch_send(&b, what, &e);
	free(b.buf);
	if (r == -ENOENT && j->what != CREATE)
		r = 0;	/* no table, or no such address in it: nothing to remove */
	else if (r < 0 && err && !*err)
		*err = e, e = NULL;
	ovz_error_free(e);
	return r;
}

int ovz_nft_venet_create(int netns_fd, unsigned ctid, const char *dev,
			 const struct ovz_ip *ips, size_t n, struct ovz_error **err)
{
	struct job j = { ctid, dev, ips, n, CREATE };
	return ovz_netns_call(netns_fd, run, &j, err);
}

int ovz_nft_venet_delete(int netns_fd, unsigned ctid, struct ovz_error **err)
{
	struct job j = { ctid, NULL, NULL, 0, DELETE };
	return ovz_netns_call(netns_fd, run, &j, err);
}

int ovz_nft_venet_addrs(int netns_fd, unsigned ctid, const struct ovz_ip *ips, size_t n,
			bool add, struct ovz_error **err)
{
	if (add) {
		struct job j = { ctid, NULL, ips, n, ADD };
		return ovz_netns_call(netns_fd, run, &j, err);
	}
	/* one transaction each: an address that is not there (ENOENT) aborts
	 * its transaction, and must not keep the others */
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		struct job j = { ctid, NULL, &ips[i], 1, DEL };
		int ri = ovz_netns_call(netns_fd, run, &j, err);
		if (ri < 0 && r == 0)
			r = ri;
	}
	return r;
}
