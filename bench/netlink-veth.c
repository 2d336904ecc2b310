// SPDX-License-Identifier: LGPL-2.1-or-later
/* Cost of network operations through src/net against one `ip` process per
 * operation.  Runs as root inside a private network namespace it creates.
 *
 *   bench-netlink [N]      N veth pairs and N addresses (default 200)
 *
 * Per pair, "add" is three operations (create the pair, add an IPv4
 * address, set the link up) and "remove" is one (delete the pair, which
 * takes its address along). */
#include "core/util.h"
#include "net/netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, struct ovz_error *e)
{
	fprintf(stderr, "bench-netlink: %s: %s\n", what, e ? ovz_error_message(e) : strerror(errno));
	exit(1);
}

static void check(int r, struct ovz_error *e, const char *what)
{
	if (r < 0)
		die(what, e);
}

/* Runs `ip ARGS...` and waits; exits on failure. */
static void ip(const char *fmt, ...) OVZ_PRINTF(1, 2);
static void ip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *line = xvasprintf(fmt, ap);
	va_end(ap);
	_cleanup_strv_ char **args = strv_split(line, " ");
	char **argv = xcalloc(strv_len(args) + 2, sizeof(char *));
	argv[0] = (char *)"ip";
	for (size_t i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	pid_t pid;
	int st;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	int r = posix_spawnp(&pid, "ip", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0 ||
	    waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench-netlink: ip %s failed\n", line);
		exit(1);
	}
	free(argv);
}

static struct ovz_ip addr_of(int i)
{
	struct ovz_ip a = { .family = AF_INET, .prefix = 32 };
	a.addr[0] = 10;
	a.addr[1] = (uint8_t)(100 + i / 250);
	a.addr[2] = (uint8_t)(i % 250);
	a.addr[3] = 1;
	return a;
}

static size_t count_links(struct ovz_nl *nl)
{
	struct ovz_link *l = NULL;
	size_t n = 0;
	struct ovz_error *e = NULL;
	check(ovz_nl_link_list(nl, &l, &n, &e), e, "link dump");
	free(l);
	return n;
}

static void expect_links(struct ovz_nl *nl, size_t want)
{
	size_t n = count_links(nl);
	if (n != want) {
		fprintf(stderr, "bench-netlink: %zu links, expected %zu\n", n, want);
		exit(1);
	}
}

static void report(const char *what, int n_ops, double secs)
{
	printf("%-44s %5d ops %8.3f s %9.1f us/op\n", what, n_ops, secs, secs * 1e6 / n_ops);
}

static void lib_pairs(struct ovz_nl *nl, int n)
{
	struct ovz_error *e = NULL;
	char name[16], peer[16];
	double t0 = now();
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "vb%d", i);
		snprintf(peer, sizeof(peer), "vb%dp", i);
		struct ovz_veth_spec s = { .name = name, .peer = peer, .peer_netns_fd = -1 };
		struct ovz_ip a = addr_of(i);
		check(ovz_nl_veth_add(nl, &s, &e), e, "veth add");
		check(ovz_nl_addr_add(nl, name, &a, 0, &e), e, "addr add");
		check(ovz_nl_link_up(nl, name, &e), e, "link up");
	}
	double t1 = now();
	expect_links(nl, 1 + 2 * (size_t)n);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "vb%d", i);
		check(ovz_nl_link_del(nl, name, &e), e, "link del");
	}
	double t2 = now();
	expect_links(nl, 1);
	report("library: add pair + address + up", 3 * n, t1 - t0);
	report("library: delete pair", n, t2 - t1);
}

static void ip_pairs(struct ovz_nl *nl, int n)
{
	double t0 = now();
	for (int i = 0; i < n; i++) {
		ip("link add name vb%d type veth peer name vb%dp", i, i);
		ip("addr add 10.%d.%d.1/32 dev vb%d", 100 + i / 250, i % 250, i);
		ip("link set vb%d up", i);
	}
	double t1 = now();
	expect_links(nl, 1 + 2 * (size_t)n);
	for (int i = 0; i < n; i++)
		ip("link del vb%d", i);
	double t2 = now();
	expect_links(nl, 1);
	report("ip per operation: add pair + address + up", 3 * n, t1 - t0);
	report("ip per operation: delete pair", n, t2 - t1);
}

/* What starting a process costs, without any netlink work. */
static void spawn_only(int n)
{
	double t0 = now();
	for (int i = 0; i < n; i++)
		ip("-V");
	report("ip -V alone (process start only)", n, now() - t0);
}

#define REPEAT 20

/* n addresses on one device: one request each, one batch, one ip each.
 * The library variants take milliseconds, so a single preemption would
 * dominate: each is repeated and the fastest round counts. */
static void addresses(struct ovz_nl *nl, int n)
{
	struct ovz_error *e = NULL;
	struct ovz_veth_spec s = { .name = "vba", .peer = "vbap", .peer_netns_fd = -1 };
	check(ovz_nl_veth_add(nl, &s, &e), e, "veth add");
	struct ovz_ip *a = xcalloc((size_t)n, sizeof(*a));
	for (int i = 0; i < n; i++)
		a[i] = addr_of(i);

	double best[4] = { 1e9, 1e9, 1e9, 1e9 };
	for (int round = 0; round < REPEAT; round++) {
		double t[5];
		t[0] = now();
		for (int i = 0; i < n; i++)
			check(ovz_nl_addr_add(nl, "vba", &a[i], 0, &e), e, "addr add");
		t[1] = now();
		for (int i = 0; i < n; i++)
			check(ovz_nl_addr_del(nl, "vba", &a[i], &e), e, "addr del");
		t[2] = now();
		check(ovz_nl_addrs_add(nl, "vba", a, (size_t)n, 0, &e), e, "addrs add");
		t[3] = now();
		check(ovz_nl_addrs_del(nl, "vba", a, (size_t)n, &e), e, "addrs del");
		t[4] = now();
		for (int k = 0; k < 4; k++)
			if (t[k + 1] - t[k] < best[k])
				best[k] = t[k + 1] - t[k];
	}
	double t0 = now();
	for (int i = 0; i < n; i++)
		ip("addr add 10.%d.%d.1/32 dev vba", 100 + i / 250, i % 250);
	double t1 = now();
	for (int i = 0; i < n; i++)
		ip("addr del 10.%d.%d.1/32 dev vba", 100 + i / 250, i % 250);
	double t2 = now();
	report("library: add address, one request each", n, best[0]);
	report("library: delete address, one request each", n, best[1]);
	report("library: add addresses, batched", n, best[2]);
	report("library: delete addresses, batched", n, best[3]);
	report("ip per operation: add address", n, t1 - t0);
	report("ip per operation: delete address", n, t2 - t1);
	check(ovz_nl_link_del(nl, "vba", &e), e, "link del");
	free(a);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	if (n <= 0 || n > 10000) {
		fprintf(stderr, "usage: bench-netlink [N]\n");
		return 1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench-netlink: needs root\n");
		return 1;
	}
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET)", NULL);
	struct ovz_nl *nl = NULL;
	struct ovz_error *e = NULL;
	check(ovz_nl_open(-1, &nl, &e), e, "netlink socket");
	printf("# %d veth pairs, %d addresses, in a private network namespace; "
	       "library address rows: best of %d rounds\n", n, n, REPEAT);
	lib_pairs(nl, n);
	ip_pairs(nl, n);
	addresses(nl, n);
	spawn_only(n);
	ovz_nl_close(nl);
	return 0;
}
