// SPDX-License-Identifier: LGPL-2.1-or-later
/* Runs inside a test container (tests/unit/test-confine.c): the system
 * calls a busybox shell cannot make.  Built static, so that it runs in a
 * root that holds only busybox.  Prints "WHAT ok" or "WHAT errno N" and
 * exits 0 either way; bad arguments exit 2.
 *
 *   confine-probe kexec                   kexec_load(0, 0, NULL, 0)
 *   confine-probe reboot-kexec            reboot(LINUX_REBOOT_CMD_KEXEC)
 *   confine-probe console                 mknod c 5:1 in /tmp, open it
 *   confine-probe udp4 SRC DST PORT TEXT  a UDP datagram from any source
 *   confine-probe udp6 SRC DST PORT TEXT  (raw socket, IP header by hand)
 *   confine-probe cgroup FSTYPE OPTS FILE=VALUE...
 *                                         in a new user namespace: a new
 *                                         mount and cgroup namespace, the
 *                                         cgroup fs (OPTS "-" for none) on
 *                                         /tmp/confine-cg, each FILE of its
 *                                         root (the container's cgroup)
 *                                         written; stops at the first failure */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/reboot.h>
#include <unistd.h>

static int report(const char *what, int r)
{
	if (r < 0)
		printf("%s errno %d\n", what, errno);
	else
		printf("%s ok\n", what);
	return 0;
}

static int do_console(void)
{
	const char *path = "/tmp/confine-console";
	unlink(path);
	if (mknod(path, S_IFCHR | 0600, makedev(5, 1)) < 0)
		return report("mknod", -1);
	int fd = open(path, O_RDWR | O_NOCTTY);
	int e = errno;
	unlink(path);
	errno = e;
	if (fd >= 0)
		close(fd);
	return report("open", fd);
}

static uint32_t sum16(const void *p, size_t n, uint32_t s)
{
	const uint8_t *b = p;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)(b[n - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static int udp4(const char *src, const char *dst, int port, const char *text)
{
	unsigned char pkt[512] = { 0 };
	size_t len = strlen(text);
	if (len > 400)
		return 2;
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*udp) + len));
	if (inet_pton(AF_INET, src, &ip->saddr) != 1 || inet_pton(AF_INET, dst, &ip->daddr) != 1)
		return 2;
	udp->source = htons(40000);
	udp->dest = htons((uint16_t)port);
	udp->len = htons((uint16_t)(sizeof(*udp) + len));
	memcpy(udp + 1, text, len);	/* checksum 0: none, allowed for IPv4 */
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		return report("socket", -1);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = ip->daddr };
	ssize_t n = sendto(fd, pkt, ntohs(ip->tot_len), 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);
	return report("send", n < 0 ? -1 : 0);
}

static int udp6(const char *src, const char *dst, int port, const char *text)
{
	unsigned char pkt[512] = { 0 };
	size_t len = strlen(text);
	if (len > 400)
		return 2;
	struct ip6_hdr *ip = (struct ip6_hdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + sizeof(*ip));
	uint16_t ulen = (uint16_t)(sizeof(*udp) + len);
	ip->ip6_flow = htonl(6u << 28);
	ip->ip6_plen = htons(ulen);
	ip->ip6_nxt = IPPROTO_UDP;
	ip->ip6_hlim = 64;
	if (inet_pton(AF_INET6, src, &ip->ip6_src) != 1 ||
	    inet_pton(AF_INET6, dst, &ip->ip6_dst) != 1)
		return 2;
	udp->source = htons(40000);
	udp->dest = htons((uint16_t)port);
	udp->len = htons(ulen);
	memcpy(udp + 1, text, len);
	/* the pseudo-header: addresses, length, next header */
	uint32_t s = sum16(&ip->ip6_src, 32, 0) + ulen + IPPROTO_UDP;
	udp->check = fold(sum16(udp, ulen, s));
	int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);	/* implies IPV6_HDRINCL */
	if (fd < 0)
		return report("socket", -1);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = ip->ip6_dst };
	ssize_t n = sendto(fd, pkt, sizeof(*ip) + ulen, 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);
	return report("send", n < 0 ? -1 : 0);
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Container root is host uid 0: in its own user namespace it maps 0 to 0,
 * and a cgroup namespace of that user namespace lets it mount the cgroup
 * fs, whose root is then the container's own cgroup with its limits. */
static int cgroup_limits(const char *fstype, const char *opts, char **writes)
{
	if (unshare(CLONE_NEWUSER) < 0)
		return report("userns", -1);
	if (write_text("/proc/self/setgroups", "deny") < 0 ||
	    write_text("/proc/self/uid_map", "0 0 1") < 0 ||
	    write_text("/proc/self/gid_map", "0 0 1") < 0)
		return report("map", -1);
	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		return report("cgroupns", -1);
	const char *dir = "/tmp/confine-cg";
	mkdir(dir, 0755);
	if (mount("cgroup", dir, fstype, 0, strcmp(opts, "-") ? opts : NULL) < 0)
		return report("mount", -1);
	for (char **w = writes; *w; w++) {
		char *eq = strchr(*w, '=');
		if (!eq)
			return 2;
		char path[512];
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(eq - *w), *w);
		if (write_text(path, eq + 1) < 0)
			return report(path, -1);
	}
	return report("write", 0);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "kexec") == 0)
		return report("kexec_load", (int)syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL));
	if (argc == 2 && strcmp(argv[1], "reboot-kexec") == 0)
		return report("reboot", (int)syscall(SYS_reboot, LINUX_REBOOT_MAGIC1,
						     LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC,
						     NULL));
	if (argc == 2 && strcmp(argv[1], "console") == 0)
		return do_console();
	if (argc == 6 && strcmp(argv[1], "udp4") == 0)
		return udp4(argv[2], argv[3], atoi(argv[4]), argv[5]);
	if (argc == 6 && strcmp(argv[1], "udp6") == 0)
		return udp6(argv[2], argv[3], atoi(argv[4]), argv[5]);
	if (argc >= 5 && strcmp(argv[1], "cgroup") == 0)
		return cgroup_limits(argv[2], argv[3], argv + 4);
	fprintf(stderr, "usage: confine-probe kexec|reboot-kexec|console|udp4|udp6|cgroup ...\n");
	return 2;
}
