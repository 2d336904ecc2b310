// SPDX-License-Identifier: LGPL-2.1-or-later
/* src/net against the real kernel.  The program moves itself into a fresh
 * network namespace first ("the host" below), so nothing touches the
 * machine's network; each test makes container namespaces of its own and
 * checks with `ip` (an independent reader) that nothing is left over. */
#include "testutil.h"

#include "core/util.h"
#include "net/etcfiles.h"
#include "net/net.h"
#include "net/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *skip_reason;

/* ---- helpers ---- */

static int self_netns(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/ns/net", (int)gettid());
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* A new network namespace, kept alive by the returned fd. */
static int new_netns(void)
{
	int back = self_netns();
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	int fd = self_netns();
	assert_int_equal(setns(back, CLONE_NEWNET), 0);
	close(back);
	return fd;
}

static struct ovz_nl *nl_in(int nsfd)
{
	struct ovz_nl *nl = NULL;
	struct ovz_error *e = NULL;
	int r = ovz_nl_open(nsfd, &nl, &e);
	if (r < 0)
		fail_msg("ovz_nl_open: %s", ovz_error_message(e));
	return nl;
}

/* Calls pass E as their error argument; OK and FAILS check and reset it. */
static struct ovz_error *err_;
#define E (&err_)
#define OK(call) ok_check((call), #call)
#define FAILS(want, call) fails_check((want), (call), #call)

static void ok_check(int r, const char *what)
{
	if (r < 0)
		fail_msg("%s: %s", what, ovz_error_message(err_));
	ovz_error_free(err_);
	err_ = NULL;
}

/* Expects failure with errno want; returns the message (caller frees). */
static char *fails_check(int want, int r, const char *what)
{
	if (r != -want)
		fail_msg("%s returned %d, not %d: %s", what, r, -want, ovz_error_message(err_));
	char *m = xstrdup(ovz_error_message(err_));
	ovz_error_free(err_);
	err_ = NULL;
	return m;
}

/* Output of `ip ARGS` run inside nsfd (-1: the test's namespace). */
static char *ip_in(int nsfd, const char *args)
{
	int back = self_netns();
	if (nsfd >= 0)
		assert_int_equal(setns(nsfd, CLONE_NEWNET), 0);
	_cleanup_strv_ char **words = strv_split(args, " ");
	strv_push(&words, NULL);
	char **argv = xcalloc(strv_len(words) + 2, sizeof(char *));
	argv[0] = "ip";
	for (size_t i = 0; words[i]; i++)
		argv[i + 1] = words[i];
	struct tu_run run = tu_runv(argv, NULL);
	free(argv);
	assert_int_equal(setns(back, CLONE_NEWNET), 0);
	close(back);
	char *out = run.out;
	run.out = NULL;
	tu_run_free(&run);
	return out;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected '%s' in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("did not expect '%s' in:\n%s", needle, hay);
}

static void check_ip(int nsfd, const char *args, const char *needle)
{
	_cleanup_free_ char *out = ip_in(nsfd, args);
	assert_contains(out, needle);
}

static void check_no_ip(int nsfd, const char *args, const char *needle)
{
	_cleanup_free_ char *out = ip_in(nsfd, args);
	assert_lacks(out, needle);
}

/* Every link but lo is gone, by `ip -o link` (an independent dump). */
static void assert_only_lo(int nsfd)
{
	_cleanup_free_ char *out = ip_in(nsfd, "-o link show");
	_cleanup_strv_ char **lines = strv_split(out, "\n");
	for (size_t i = 0; lines && lines[i]; i++)
		if (!strstr(lines[i], ": lo: "))
			fail_msg("leftover device: %s", lines[i]);
}

static struct ovz_ip ip(const char *s)
{
	struct ovz_ip v;
	const char *why = ovz_parse_ip(s, 0, &v);
	if (why)
		fail_msg("%s %s", s, why);
	return v;
}

static const uint8_t mac_a[6] = { 0x00, 0x18, 0x51, 0xaa, 0xbb, 0x01 };
static const uint8_t mac_b[6] = { 0x00, 0x18, 0x51, 0xaa, 0xbb, 0x02 };

static void make_veth(struct ovz_nl *nl, const char *a, const char *b, int peer_ns)
{
	struct ovz_veth_spec s = { .name = a, .peer = b, .peer_netns_fd = peer_ns };
	OK(ovz_nl_veth_add(nl, &s, E));
}

/* ---- ICMP echo, in-process ---- */

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int raw_icmp_socket(int nsfd, int family)
{
	int back = self_netns();
	if (nsfd >= 0)
		assert_int_equal(setns(nsfd, CLONE_NEWNET), 0);
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC,
			family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	assert_int_equal(setns(back, CLONE_NEWNET), 0);
	close(back);
	assert_true(fd >= 0);
	return fd;
}

static bool is_reply(int family, const uint8_t *buf, ssize_t n, uint16_t id)
{
	if (family == AF_INET) {
		size_t hl = (size_t)(buf[0] & 0x0f) * 4;
		if (n < (ssize_t)(hl + 8))
			return false;
		const struct icmphdr *h = (const void *)(buf + hl);
		return h->type == ICMP_ECHOREPLY && h->un.echo.id == id;
	}
	const struct icmp6_hdr *h = (const void *)buf;
	return n >= 8 && h->icmp6_type == ICMP6_ECHO_REPLY && h->icmp6_id == id;
}

/* Echo from namespace nsfd to dst: true when a reply comes within ~4 s
 * (proxy ARP answers broadcast requests after a random delay). */
static bool ping(int nsfd, const char *dst)
{
	struct ovz_ip to = ip(dst);
	int fd = raw_icmp_socket(nsfd, to.family);
	union { struct sockaddr sa; struct sockaddr_in in; struct sockaddr_in6 in6; } sa;
	memset(&sa, 0, sizeof(sa));
	socklen_t salen;
	if (to.family == AF_INET) {
		sa.in.sin_family = AF_INET;
		memcpy(&sa.in.sin_addr, to.addr, 4);
		salen = sizeof(sa.in);
	} else {
		sa.in6.sin6_family = AF_INET6;
		memcpy(&sa.in6.sin6_addr, to.addr, 16);
		salen = sizeof(sa.in6);
	}
	uint16_t id = htons((uint16_t)(getpid() ^ rand()));
	bool ok = false;
	for (int seq = 1; seq <= 8 && !ok; seq++) {
		uint8_t pkt[16] = { 0 };
		struct icmphdr *h = (void *)pkt;
		h->type = to.family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
		h->un.echo.id = id;
		h->un.echo.sequence = htons((uint16_t)seq);
		if (to.family == AF_INET)
			h->checksum = csum(pkt, sizeof(pkt));	/* the kernel sums ICMPv6 */
		assert_int_equal(sendto(fd, pkt, sizeof(pkt), 0, &sa.sa, salen), (ssize_t)sizeof(pkt));
		struct pollfd p = { fd, POLLIN, 0 };
		while (!ok && poll(&p, 1, 500) > 0) {
			uint8_t buf[1500];
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			ok = n > 0 && is_reply(to.family, buf, n, id);
		}
	}
	close(fd);
	return ok;
}

/* ---- fixtures ---- */

static int need_root(void **state)
{
	(void)state;
	return 0;
}

#define REQUIRE_ROOT() do { if (skip_reason) TU_SKIP("%s", skip_reason); } while (0)

static int check_clean(void **state)
{
	(void)state;
	if (!skip_reason)
		assert_only_lo(-1);
	return 0;
}

/* ---- tests ---- */

static void test_veth_across_netns(void **state)
{
	REQUIRE_ROOT();
	int ct = new_netns();
	struct ovz_nl *nl = nl_in(-1);
	struct ovz_veth_spec s = { .name = "veth101.0", .mac = mac_a, .peer = "eth0",
				   .peer_mac = mac_b, .peer_netns_fd = ct };
	OK(ovz_nl_veth_add(nl, &s, E));

	struct ovz_link l;
	OK(ovz_nl_link_get(nl, "veth101.0", &l, E));
	assert_string_equal(l.kind, "veth");
	assert_memory_equal(l.mac, mac_a, 6);
	check_ip(-1, "-o link show veth101.0", "link/ether 00:18:51:aa:bb:01");
	check_ip(ct, "-o link show eth0", "link/ether 00:18:51:aa:bb:02");
	check_no_ip(-1, "-o link show", "eth0");

	struct ovz_nl *cnl = nl_in(ct);
	OK(ovz_nl_link_get(cnl, "eth0", &l, E));
	assert_memory_equal(l.mac, mac_b, 6);

	OK(ovz_nl_link_del(nl, "veth101.0", E));
	free(FAILS(ENODEV, ovz_nl_link_get(cnl, "eth0", &l, E)));
	OK(ovz_nl_link_del(nl, "veth101.0", E));	/* idempotent */
	assert_only_lo(ct);
	ovz_nl_close(cnl);
	ovz_nl_close(nl);
	close(ct);
}

static void test_link_ops(void **state)
{
	REQUIRE_ROOT();
	int ct = new_netns();
	struct ovz_nl *nl = nl_in(-1);
	make_veth(nl, "tla", "tlb", -1);
	OK(ovz_nl_link_set_mtu(nl, "tla", 1400, E));
	OK(ovz_nl_link_set_mac(nl, "tla", mac_a, E));
	OK(ovz_nl_link_rename(nl, "tla", "tla2", E));
	OK(ovz_nl_link_up(nl, "tla2", E));
	OK(ovz_nl_link_up(nl, "tlb", E));
	check_ip(-1, "-o link show tla2", "mtu 1400");
	check_ip(-1, "-o link show tla2", "link/ether 00:18:51:aa:bb:01");
	check_ip(-1, "-o link show tla2", ",UP");

	struct ovz_link by_name, by_index;
	OK(ovz_nl_link_get(nl, "tla2", &by_name, E));
	OK(ovz_nl_link_get_index(nl, by_name.index, &by_index, E));
	assert_string_equal(by_index.name, "tla2");
	assert_int_equal(by_index.mtu, 1400);
	assert_true(by_index.flags & IFF_UP);

	struct ovz_link *all = NULL;
	size_t n = 0;
	OK(ovz_nl_link_list(nl, &all, &n, E));
	bool seen = false;
	for (size_t i = 0; i < n; i++)
		seen = seen || (strcmp(all[i].name, "tla2") == 0 && strcmp(all[i].kind, "veth") == 0);
	assert_true(seen);
	free(all);

	OK(ovz_nl_link_down(nl, "tla2", E));
	check_no_ip(-1, "-o link show tla2", ",UP");
	OK(ovz_nl_link_down(nl, "nosuch0", E));	/* undo of up: missing is down */

	OK(ovz_nl_link_set_netns(nl, "tlb", ct, E));
	check_ip(ct, "-o link show tlb", "tlb@");
	check_no_ip(-1, "-o link show", "tlb");

	OK(ovz_nl_link_del(nl, "tla2", E));
	assert_only_lo(ct);
	ovz_nl_close(nl);
	close(ct);
}

static void test_addresses(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	make_veth(nl, "tad", "tad.p", -1);
	struct ovz_ip ips[] = { ip("10.9.0.1/24"), ip("fd00:9::1/64"), ip("10.9.0.5") };
	OK(ovz_nl_addrs_add(nl, "tad", ips, 3, OVZ_ADDR_NODAD, E));
	_cleanup_free_ char *out = ip_in(-1, "-o addr show dev tad");
	assert_contains(out, "inet 10.9.0.1/24");
	assert_contains(out, "inet 10.9.0.5/32");
	assert_contains(out, "inet6 fd00:9::1/64");
	assert_lacks(out, "tentative");

	_cleanup_free_ char *m = FAILS(EEXIST, ovz_nl_addr_add(nl, "tad", &ips[0], 0, E));
	assert_contains(m, "RTM_NEWADDR 10.9.0.1/24 dev 'tad': File exists");

	OK(ovz_nl_addrs_del(nl, "tad", ips, 3, E));
	check_no_ip(-1, "-o addr show dev tad", "10.9.0.");
	check_no_ip(-1, "-o addr show dev tad", "fd00:9::1");
	OK(ovz_nl_addrs_del(nl, "tad", ips, 3, E));		/* idempotent */
	OK(ovz_nl_addr_del(nl, "nosuch0", &ips[0], E));	/* device gone: done */
	OK(ovz_nl_link_del(nl, "tad", E));
	ovz_nl_close(nl);
}

static void test_batch_larger_than_one_send(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	make_veth(nl, "tbig", "tbig.p", -1);
	struct ovz_ip ips[300];
	for (int i = 0; i < 300; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.%d.%d.1/32", 100 + i / 200, i % 200);
		ips[i] = ip(a);
	}
	OK(ovz_nl_addrs_add(nl, "tbig", ips, 300, 0, E));
	_cleanup_free_ char *out = ip_in(-1, "-o -4 addr show dev tbig");
	_cleanup_strv_ char **lines = strv_split(out, "\n");
	assert_int_equal(strv_len(lines), 300);
	OK(ovz_nl_addrs_del(nl, "tbig", ips, 300, E));
	check_no_ip(-1, "-o -4 addr show dev tbig", "inet");
	OK(ovz_nl_link_del(nl, "tbig", E));
	ovz_nl_close(nl);
}

static void test_routes(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	make_veth(nl, "trt", "trt.p", -1);
	OK(ovz_nl_link_up(nl, "trt", E));
	OK(ovz_nl_link_up(nl, "trt.p", E));
	struct ovz_route r[] = {
		{ .dst = ip("10.8.0.7") },
		{ .dst = ip("fd00:8::7") },
		{ .dst = ip("0.0.0.0/0") },
		{ .dst = ip("10.7.0.0/16"), .gw = ip("192.0.2.1"), .onlink = true },
		{ .dst = ip("::/0"), .gw = ip("fd00:1::1"), .onlink = true },
	};
	OK(ovz_nl_routes_add(nl, "trt", r, ARRAY_SIZE(r), E));
	_cleanup_free_ char *v4 = ip_in(-1, "-4 route show dev trt");
	assert_contains(v4, "default scope link");
	assert_contains(v4, "10.7.0.0/16 via 192.0.2.1 onlink");
	assert_contains(v4, "10.8.0.7 scope link");
	_cleanup_free_ char *v6 = ip_in(-1, "-6 route show dev trt");
	assert_contains(v6, "fd00:8::7 ");
	assert_contains(v6, "default via fd00:1::1");

	_cleanup_free_ char *m = FAILS(EEXIST, ovz_nl_route_add(nl, "trt", &r[0], E));
	assert_contains(m, "RTM_NEWROUTE 10.8.0.7/32 dev 'trt': File exists");

	OK(ovz_nl_routes_del(nl, "trt", r, ARRAY_SIZE(r), E));
	check_no_ip(-1, "-4 route show dev trt", "10.");
	check_no_ip(-1, "-4 route show dev trt", "default");
	check_no_ip(-1, "-6 route show dev trt", "fd00:");
	check_no_ip(-1, "-6 route show dev trt", "default");
	OK(ovz_nl_routes_del(nl, "trt", r, ARRAY_SIZE(r), E));	/* idempotent */
	OK(ovz_nl_link_del(nl, "trt", E));
	ovz_nl_close(nl);
}

static void test_proxy_neighbours(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	make_veth(nl, "tpx", "tpx.p", -1);
	struct ovz_ip ips[] = { ip("10.6.0.1"), ip("fd00:6::1") };
	OK(ovz_nl_proxy_add(nl, "tpx", ips, 2, E));
	_cleanup_free_ char *v4 = ip_in(-1, "-4 neigh show proxy");
	assert_contains(v4, "10.6.0.1 dev tpx proxy");
	_cleanup_free_ char *v6 = ip_in(-1, "-6 neigh show proxy");
	assert_contains(v6, "fd00:6::1 dev tpx proxy");
	OK(ovz_nl_proxy_del(nl, "tpx", ips, 2, E));
	check_no_ip(-1, "neigh show proxy", "tpx");
	OK(ovz_nl_proxy_del(nl, "tpx", ips, 2, E));	/* idempotent */
	OK(ovz_nl_link_del(nl, "tpx", E));
	ovz_nl_close(nl);
}

/* The stop path's delete: every link that holds one of the addresses loses
 * it, other addresses stay. */
static void test_proxy_del_all(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	make_veth(nl, "tpa", "tpa.p", -1);
	make_veth(nl, "tpb", "tpb.p", -1);
	struct ovz_ip ours[] = { ip("10.6.1.1"), ip("fd00:6::11") };
	struct ovz_ip other = ip("10.6.1.2");
	OK(ovz_nl_proxy_add(nl, "tpa", ours, 2, E));
	OK(ovz_nl_proxy_add(nl, "tpb", ours, 2, E));
	OK(ovz_nl_proxy_add(nl, "tpb", &other, 1, E));
	OK(ovz_nl_proxy_del_all(nl, ours, 2, E));
	check_no_ip(-1, "neigh show proxy", "10.6.1.1");
	check_no_ip(-1, "neigh show proxy", "fd00:6::11");
	_cleanup_free_ char *v4 = ip_in(-1, "-4 neigh show proxy");
	assert_contains(v4, "10.6.1.2 dev tpb proxy");
	OK(ovz_nl_proxy_del_all(nl, ours, 2, E));	/* idempotent */
	OK(ovz_nl_proxy_del(nl, "tpb", &other, 1, E));
	OK(ovz_nl_link_del(nl, "tpa", E));
	OK(ovz_nl_link_del(nl, "tpb", E));
	ovz_nl_close(nl);
}

static void test_bridge_enslave(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	OK(ovz_nl_link_add(nl, "tbr0", "bridge", E));
	make_veth(nl, "tbp", "tbp.p", -1);
	OK(ovz_nl_link_set_master(nl, "tbp", "tbr0", E));
	check_ip(-1, "-o link show tbp", "master tbr0");
	struct ovz_link br, port;
	OK(ovz_nl_link_get(nl, "tbr0", &br, E));
	OK(ovz_nl_link_get(nl, "tbp", &port, E));
	assert_string_equal(br.kind, "bridge");
	assert_int_equal(port.master, br.index);
	OK(ovz_nl_link_release(nl, "tbp", E));
	check_no_ip(-1, "-o link show tbp", "master");
	OK(ovz_nl_link_release(nl, "tbp", E));		/* idempotent */
	OK(ovz_nl_link_release(nl, "nosuch0", E));
	OK(ovz_nl_link_del(nl, "tbp", E));
	OK(ovz_nl_link_del(nl, "tbr0", E));
	ovz_nl_close(nl);
}

static void test_kernel_messages(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	make_veth(nl, "tex", "tex.p", -1);

	/* an existing name */
	struct ovz_veth_spec s = { .name = "tex", .peer = "tex.q", .peer_netns_fd = -1 };
	_cleanup_free_ char *m1 = FAILS(EEXIST, ovz_nl_veth_add(nl, &s, E));
	print_message("# existing name: %s\n", m1);
	assert_contains(m1, "RTM_NEWLINK veth 'tex' peer 'tex.q': File exists");

	/* a missing bridge */
	_cleanup_free_ char *m2 = FAILS(ENODEV, ovz_nl_link_set_master(nl, "tex", "nosuchbr", E));
	print_message("# missing bridge: %s\n", m2);
	assert_contains(m2, "bridge 'nosuchbr'");
	assert_contains(m2, "No such device");

	/* a bridge that is not one: the kernel explains */
	_cleanup_free_ char *m3 = FAILS(EOPNOTSUPP, ovz_nl_link_set_master(nl, "tex", "tex.p", E));
	print_message("# not a bridge: %s\n", m3);
	assert_contains(m3, "RTM_NEWLINK 'tex' master 'tex.p'");

	/* a bad prefix: the kernel's own text */
	struct ovz_ip bad = ip("10.5.0.1");
	bad.prefix = 33;
	_cleanup_free_ char *m4 = FAILS(EINVAL, ovz_nl_addr_add(nl, "tex", &bad, 0, E));
	print_message("# bad prefix: %s\n", m4);
	assert_contains(m4, "RTM_NEWADDR 10.5.0.1/33 dev 'tex': Invalid argument (kernel: ");

	struct ovz_route rt = { .dst = ip("10.5.0.0/16") };
	rt.dst.prefix = 40;
	_cleanup_free_ char *m5 = FAILS(EINVAL, ovz_nl_route_add(nl, "tex", &rt, E));
	print_message("# bad route prefix: %s\n", m5);
	assert_contains(m5, "(kernel: ");

	OK(ovz_nl_link_del(nl, "tex", E));
	ovz_nl_close(nl);
}

static void test_sysctl(void **state)
{
	REQUIRE_ROOT();
	int a = new_netns(), b = new_netns();
	char v[32];
	OK(ovz_sysctl_write(a, "net/ipv4/conf/all/proxy_arp", "1", E));
	OK(ovz_sysctl_read(a, "net/ipv4/conf/all/proxy_arp", v, sizeof(v), E));
	assert_string_equal(v, "1");
	OK(ovz_sysctl_read(b, "net/ipv4/conf/all/proxy_arp", v, sizeof(v), E));
	assert_string_equal(v, "0");
	OK(ovz_sysctl_iface_write(b, AF_INET, "lo", "proxy_arp", "1", E));
	OK(ovz_sysctl_read(b, "net/ipv4/conf/lo/proxy_arp", v, sizeof(v), E));
	assert_string_equal(v, "1");
	free(FAILS(EINVAL, ovz_sysctl_write(a, "net/../kernel/hostname", "x", E)));
	free(FAILS(ENOENT, ovz_sysctl_iface_write(a, AF_INET, "nosuch0", "proxy_arp", "1", E)));
	close(a);
	close(b);
}

/* The test's namespace as a host with one uplink "up0" to a third
 * namespace, "outside", on 10.50.0.0/24 and fd50::/64. */
static int make_outside(struct ovz_nl *nl)
{
	int out = new_netns();
	make_veth(nl, "up0", "o0", out);
	struct ovz_nl *onl = nl_in(out);
	struct ovz_ip hip[] = { ip("10.50.0.1/24"), ip("fd50::1/64") };
	struct ovz_ip oip[] = { ip("10.50.0.2/24"), ip("fd50::2/64") };
	OK(ovz_nl_addrs_add(nl, "up0", hip, 2, OVZ_ADDR_NODAD, E));
	OK(ovz_nl_addrs_add(onl, "o0", oip, 2, OVZ_ADDR_NODAD, E));
	OK(ovz_nl_link_up(nl, "up0", E));
	OK(ovz_nl_link_up(onl, "o0", E));
	ovz_nl_close(onl);
	return out;
}

static struct ovz_domain *venet_domain(unsigned ctid)
{
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = ctid;
	struct ovz_iface *f = ovz_domain_add_iface(d, OVZ_IFACE_VENET);
	struct ovz_ip a = ip("10.50.0.10"), b = ip("fd50::10");
	ovz_iface_add_ip(f, &a);
	ovz_iface_add_ip(f, &b);
	return d;
}

static void check_venet_gone(int ct)
{
	check_no_ip(-1, "-o link show", "venet101");
	check_no_ip(-1, "neigh show proxy", "10.50.0.10");
	check_no_ip(-1, "neigh show proxy", "fd50::10");
	check_no_ip(-1, "-4 route show", "10.50.0.10");
	check_no_ip(-1, "-6 route show", "fd50::10");
	if (ct >= 0)
		assert_only_lo(ct);
}

static void test_venet_routed(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	int out = make_outside(nl);
	int ct = new_netns();
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = venet_domain(101);
	struct ovz_netctx ctx;
	OK(ovz_netctx_open(&ctx, 101, -1, ct, E));
	OK(ovz_net_setup(&ctx, d, E));

	_cleanup_free_ char *in_addr = ip_in(ct, "-o addr show dev venet0");
	assert_contains(in_addr, "inet 10.50.0.10/32");
	assert_contains(in_addr, "inet6 fd50::10/128");
	check_ip(ct, "-4 route show", "default dev venet0");
	check_ip(ct, "-6 route show", "default dev venet0");
	check_ip(ct, "-o link show venet0", "NOARP");
	check_ip(-1, "-o link show venet101", "NOARP");
	check_ip(-1, "-4 route show", "10.50.0.10 dev venet101");
	check_ip(-1, "-6 route show", "fd50::10 dev venet101");
	check_ip(-1, "-4 neigh show proxy", "10.50.0.10 dev up0 proxy");
	check_ip(-1, "-6 neigh show proxy", "fd50::10 dev up0 proxy");
	check_no_ip(-1, "neigh show proxy", "dev venet101");

	/* host <-> container over the pair, and the outside through proxy ARP/NDP */
	assert_true(ping(-1, "10.50.0.10"));
	assert_true(ping(-1, "fd50::10"));
	assert_true(ping(out, "10.50.0.10"));
	assert_true(ping(out, "fd50::10"));
	assert_true(ping(ct, "10.50.0.2"));

	struct ovz_link l;
	OK(ovz_nl_link_get(nl, "venet101", &l, E));
	assert_true(l.stats.tx_packets >= 4 && l.stats.rx_packets >= 4);

	OK(ovz_net_teardown(&ctx, d, E));
	check_venet_gone(ct);
	assert_false(ping(out, "10.50.0.10"));	/* the path was ours */
	OK(ovz_net_teardown(&ctx, d, E));	/* idempotent */
	ovz_netctx_close(&ctx);

	OK(ovz_nl_link_del(nl, "up0", E));
	ovz_nl_close(nl);
	close(ct);
	close(out);
}

/* The container stopped: its namespace is gone; teardown still leaves
 * nothing of it on the host. */
static void test_venet_teardown_after_stop(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	int out = make_outside(nl);
	int ct = new_netns();
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = venet_domain(101);
	struct ovz_netctx ctx;
	OK(ovz_netctx_open(&ctx, 101, -1, ct, E));
	OK(ovz_net_setup(&ctx, d, E));
	ovz_netctx_close(&ctx);
	close(ct);

	OK(ovz_netctx_open(&ctx, 101, -1, -1, E));
	OK(ovz_net_teardown(&ctx, d, E));
	ovz_netctx_close(&ctx);
	check_venet_gone(-1);

	OK(ovz_nl_link_del(nl, "up0", E));
	ovz_nl_close(nl);
	close(out);
}

static struct ovz_domain *veth_domain(unsigned ctid, const char *bridge)
{
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = ctid;
	struct ovz_iface *f = ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	snprintf(f->bridge, sizeof(f->bridge), "%s", bridge);
	struct ovz_ip a = ip("10.60.0.10/24"), b = ip("fd60::10/64");
	ovz_iface_add_ip(f, &a);
	ovz_iface_add_ip(f, &b);
	f->gw4 = ip("10.60.0.1");
	f->gw6 = ip("fd60::1");
	return d;
}

static void test_veth_bridged(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	OK(ovz_nl_link_add(nl, "tbr1", "bridge", E));
	struct ovz_ip bip = ip("10.60.0.1/24");
	OK(ovz_nl_addr_add(nl, "tbr1", &bip, 0, E));
	OK(ovz_nl_link_up(nl, "tbr1", E));
	int ct = new_netns();
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = veth_domain(102, "tbr1");
	struct ovz_netctx ctx;
	OK(ovz_netctx_open(&ctx, 102, -1, ct, E));
	OK(ovz_net_setup(&ctx, d, E));

	_cleanup_free_ char *host = ip_in(-1, "-o link show veth102.0");
	assert_contains(host, "master tbr1");
	assert_contains(host, ",UP");
	char mac[18], want[64];
	ovz_generate_mac("eth0", 102, NULL, mac);
	snprintf(want, sizeof(want), "link/ether %s", mac);
	check_ip(ct, "-o link show eth0", want);
	ovz_generate_mac("veth102.0", 102, NULL, mac);
	snprintf(want, sizeof(want), "link/ether %s", mac);
	check_ip(-1, "-o link show veth102.0", want);
	_cleanup_free_ char *addrs = ip_in(ct, "-o addr show dev eth0");
	assert_contains(addrs, "inet 10.60.0.10/24");
	assert_contains(addrs, "inet6 fd60::10/64");
	check_ip(ct, "-4 route show", "default via 10.60.0.1 dev eth0 onlink");
	check_ip(ct, "-6 route show", "default via fd60::1 dev eth0");
	assert_true(ping(-1, "10.60.0.10"));

	OK(ovz_net_teardown(&ctx, d, E));
	check_no_ip(-1, "-o link show", "veth102.0");
	assert_only_lo(ct);
	OK(ovz_net_teardown(&ctx, d, E));	/* idempotent */
	ovz_netctx_close(&ctx);
	OK(ovz_nl_link_del(nl, "tbr1", E));
	ovz_nl_close(nl);
	close(ct);
}

/* A failing step undoes everything setup did before it. */
static void test_setup_rolls_back(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	int out = make_outside(nl);
	int ct = new_netns();
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = venet_domain(101);
	struct ovz_iface *ok = ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	(void)ok;
	struct ovz_iface *f = ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	snprintf(f->bridge, sizeof(f->bridge), "nosuchbr");
	struct ovz_netctx ctx;
	OK(ovz_netctx_open(&ctx, 101, -1, ct, E));
	_cleanup_free_ char *m = FAILS(ENODEV, ovz_net_setup(&ctx, d, E));
	print_message("# rollback: %s\n", m);
	assert_contains(m, "veth bridge port: RTM_GETLINK bridge 'nosuchbr': No such device");
	check_venet_gone(ct);
	check_no_ip(-1, "-o link show", "veth101.");
	ovz_netctx_close(&ctx);
	OK(ovz_nl_link_del(nl, "up0", E));
	ovz_nl_close(nl);
	close(ct);
	close(out);
}

static void test_openvz7_venet_kind(void **state)
{
	REQUIRE_ROOT();
	struct ovz_nl *nl = nl_in(-1);
	/* mainline has no venet: the request is well-formed and refused */
	_cleanup_free_ char *m = FAILS(EOPNOTSUPP, ovz_nl_link_add(nl, "venet0", "venet", E));
	print_message("# venet kind: %s\n", m);
	assert_contains(m, "RTM_NEWLINK venet 'venet0'");
	ovz_nl_close(nl);
}

int main(void)
{
	if (!tu_is_root())
		skip_reason = "needs root";
	else if (unshare(CLONE_NEWNET) < 0)
		skip_reason = "cannot create a network namespace";
	if (!skip_reason) {
		struct ovz_nl *nl = NULL;
		if (ovz_nl_open(-1, &nl, NULL) < 0 || ovz_nl_link_up(nl, "lo", NULL) < 0)
			skip_reason = "no rtnetlink in a new network namespace";
		ovz_nl_close(nl);
	}
	srand((unsigned)time(NULL));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_veth_across_netns, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_link_ops, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_addresses, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_batch_larger_than_one_send, need_root,
						check_clean),
		cmocka_unit_test_setup_teardown(test_routes, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_proxy_neighbours, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_proxy_del_all, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_bridge_enslave, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_kernel_messages, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_sysctl, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_venet_routed, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_venet_teardown_after_stop, need_root,
						check_clean),
		cmocka_unit_test_setup_teardown(test_veth_bridged, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_setup_rolls_back, need_root, check_clean),
		cmocka_unit_test_setup_teardown(test_openvz7_venet_kind, need_root, check_clean),
	};
	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}
