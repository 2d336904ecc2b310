// SPDX-License-Identifier: LGPL-2.1-or-later
/* venet on --kernel vz7 (openvz-abi.md §4.3): inside a running VE's network
 * namespace, RTM_NEWLINK with IFLA_INFO_KIND "venet" makes the VE's venet0.
 * Under --kernel vz7 every sendto and sendmsg is trapped; all but such a
 * request go on to the kernel.  For one, the emulator makes a veth pair
 * from its own socket (the VE's end, IFF_NOARP, in the caller's namespace;
 * the other end in the scenario's, so no user namespace of the VE's stands
 * in the way) and has the kernel answer the caller's sequence number on the
 * caller's socket, through a copy of it (pidfd_getfd; see kernel_ack).
 * Other messages of the same send go to the kernel on that copy, in order.
 * Under --kernel legacy the same trap serves CAP_VE_NET_ADMIN (below). */
#include "vzemu.h"
#include "net/netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define SEND_MAX 65536
#define IOV_MAX_READ 16

/* ---- reading what is sent ---- */

struct sent {
	uint8_t *buf;
	size_t len;
	bool to_kernel;		/* no address, or the kernel's (nl_pid 0) */
};

static bool read_dest(pid_t pid, uint64_t addr, uint32_t addrlen)
{
	struct sockaddr_nl sa;
	if (!addr || addrlen < sizeof(sa))
		return true;
	return emu_read_mem(pid, addr, &sa, sizeof(sa)) == 0 && sa.nl_family == AF_NETLINK &&
	       sa.nl_pid == 0 && sa.nl_groups == 0;
}

static bool read_iovecs(pid_t pid, uint64_t iov_addr, size_t iovlen, struct sent *s)
{
	struct iovec iov[IOV_MAX_READ];
	if (iovlen > IOV_MAX_READ || emu_read_mem(pid, iov_addr, iov, iovlen * sizeof(*iov)) < 0)
		return false;
	for (size_t i = 0; i < iovlen; i++) {
		if (s->len + iov[i].iov_len > SEND_MAX)
			return false;
		if (iov[i].iov_len && emu_read_mem(pid, (uint64_t)(uintptr_t)iov[i].iov_base,
						   s->buf + s->len, iov[i].iov_len) < 0)
			return false;
		s->len += iov[i].iov_len;
	}
	return true;
}

/* The bytes of a sendto or sendmsg; false when they cannot be had. */
static bool read_sent(const struct seccomp_notif *req, struct sent *s)
{
	pid_t pid = (pid_t)req->pid;
	s->len = 0;
	if (req->data.nr == SYS_sendto) {
		size_t len = (size_t)req->data.args[2];
		s->to_kernel = read_dest(pid, req->data.args[4], (uint32_t)req->data.args[5]);
		if (len > SEND_MAX || (len && emu_read_mem(pid, req->data.args[1], s->buf, len) < 0))
			return false;
		s->len = len;
		return true;
	}
	struct msghdr m;
	if (emu_read_mem(pid, req->data.args[1], &m, sizeof(m)) < 0)
		return false;
	s->to_kernel = read_dest(pid, (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen);
	return read_iovecs(pid, (uint64_t)(uintptr_t)m.msg_iov, m.msg_iovlen, s);
}

/* ---- recognising a venet request ---- */

struct venet_req {
	const struct nlmsghdr *nlh;
	char ifname[IFNAMSIZ];
	int family;
};

static const struct rtattr *attr_find(const void *start, size_t len, unsigned short type)
{
	const struct rtattr *a = start;
	for (size_t left = len; RTA_OK(a, left); a = RTA_NEXT(a, left))
		if ((a->rta_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

/* With or without its NUL, as the kernel takes it (iproute2 sends the kind
 * without). */
static bool attr_str(const struct rtattr *a, char *buf, size_t max)
{
	size_t len = RTA_PAYLOAD(a);
	const char *s = RTA_DATA(a);
	const char *nul = memchr(s, '\0', len);
	if (nul)
		len = (size_t)(nul - s);
	if (!len || len >= max)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

/* An RTM_NEWLINK creating a link of kind venet. */
static bool is_venet(const struct nlmsghdr *nlh, struct venet_req *v)
{
	if (nlh->nlmsg_type != RTM_NEWLINK || !(nlh->nlmsg_flags & NLM_F_REQUEST) ||
	    !(nlh->nlmsg_flags & NLM_F_CREATE) || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return false;
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	if (ifi->ifi_family != AF_UNSPEC && ifi->ifi_family != AF_PACKET)
		return false;
	const void *attrs = IFLA_RTA(ifi);
	size_t len = IFLA_PAYLOAD(nlh);
	const struct rtattr *info = attr_find(attrs, len, IFLA_LINKINFO);
	const struct rtattr *kind = info ? attr_find(RTA_DATA(info), RTA_PAYLOAD(info),
						     IFLA_INFO_KIND) : NULL;
	char k[16];
	if (!kind || !attr_str(kind, k, sizeof(k)) || strcmp(k, "venet") != 0)
		return false;
	const struct rtattr *name = attr_find(attrs, len, IFLA_IFNAME);
	v->nlh = nlh;
	v->family = ifi->ifi_family;
	snprintf(v->ifname, sizeof(v->ifname), "venet0");
	return !name || attr_str(name, v->ifname, sizeof(v->ifname));
}

static bool has_venet(const struct sent *s)
{
	struct venet_req v;
	int left = (int)s->len;
	for (const struct nlmsghdr *nlh = (const void *)s->buf; NLMSG_OK(nlh, left);
	     nlh = NLMSG_NEXT(nlh, left))
		if (is_venet(nlh, &v))
			return true;
	return false;
}

/* The caller's socket, when it is a NETLINK_ROUTE one; else -1. */
static int route_socket(const struct seccomp_notif *req)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, req->pid, 0);
	int fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, (int)req->data.args[0], 0);
	int domain = 0, proto = -1;
	socklen_t l = sizeof(int);
	if (fd >= 0 && (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) < 0 ||
			getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) < 0 ||
			domain != AF_NETLINK || proto != NETLINK_ROUTE)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* ---- answering ---- */

static bool same_netns(pid_t a, pid_t b)
{
	char pa[64], pb[64];
	struct stat sa, sb;
	snprintf(pa, sizeof(pa), "/proc/%d/ns/net", (int)a);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/net", (int)b);
	return stat(pa, &sa) == 0 && stat(pb, &sb) == 0 && sa.st_ino == sb.st_ino &&
	       sa.st_dev == sb.st_dev;
}

/* The running VE whose init's network namespace the caller is in. */
static struct emu_ve *ve_of_netns(struct emu *e, pid_t pid)
{
	for (size_t i = 0; i < e->n_ves; i++)
		if (emu_ve_running(e->ves[i]) && same_netns(pid, e->ves[i]->init))
			return e->ves[i];
	return NULL;
}

static int make_venet(struct emu *e, struct emu_ve *ve, pid_t caller, const char *name)
{
	char path[64], host[IFNAMSIZ];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)caller);
	_cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return ESRCH;
	snprintf(host, sizeof(host), "venet.%u", ++e->venet_seq);
	struct ovz_veth_spec s = { .name = host, .peer = name, .peer_netns_fd = ns,
				   .flags = IFF_NOARP };
	struct ovz_nl *nl = NULL;
	int r = ovz_nl_open(-1, &nl, NULL);
	if (r == 0)
		r = ovz_nl_veth_add(nl, &s, NULL);
	if (r == 0)
		ovz_nl_link_up(nl, host, NULL);
	ovz_nl_close(nl);
	if (r == 0)
		snprintf(ve->venet_host, sizeof(ve->venet_host), "%s", host);
	return -r;
}

void emu_venet_remove(struct emu *e, struct emu_ve *ve)
{
	(void)e;
	if (!ve->venet_host[0])
		return;
	struct ovz_nl *nl = NULL;
	if (ovz_nl_open(-1, &nl, NULL) == 0)
		ovz_nl_link_del(nl, ve->venet_host, NULL);
	ovz_nl_close(nl);
	ve->venet_host[0] = '\0';
}

/* A request that the kernel answers on the caller's socket with the ACK
 * we want: RTM_NEWLINK for an existing link, with the caller's sequence
 * number and ACK flag. */
static size_t ack_request(uint8_t *buf, const struct nlmsghdr *req, unsigned flags,
			  const char *ifname)
{
	size_t namelen = strlen(ifname) + 1;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	memset(buf, 0, NLMSG_SPACE(sizeof(struct ifinfomsg)) + RTA_SPACE(namelen));
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | (req->nlmsg_flags & NLM_F_ACK) | flags);
	h->nlmsg_seq = req->nlmsg_seq;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	struct rtattr *a = (struct rtattr *)(buf + NLMSG_ALIGN(h->nlmsg_len));
	a->rta_type = IFLA_IFNAME;
	a->rta_len = (unsigned short)RTA_LENGTH(namelen);
	memcpy(RTA_DATA(a), ifname, namelen);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return h->nlmsg_len;
}

/* EPERM comes from rtnetlink itself for a sender without CAP_NET_ADMIN:
 * a child of ours that gave up root sends the request. */
static int send_unprivileged(int sock, const void *buf, size_t len)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(1);
		_exit(send(sock, buf, len, 0) == (ssize_t)len ? 0 : 1);
	}
	int st = 1;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Has the kernel put on the caller's socket the answer to req: err (0, EEXIST
 * or EPERM; false for another) from a request that fails or succeeds so.
 * The ACK is then the kernel's own, from port 0, as netlink libraries
 * (iproute2's) insist. */
static bool kernel_ack(int sock, const struct nlmsghdr *req, const char *ifname, int err)
{
	uint8_t buf[128];
	size_t len;
	if (err == 0)	/* a change of nothing on the new link */
		return send(sock, buf, ack_request(buf, req, 0, ifname), 0) >= 0;
	if (err == EEXIST) {	/* every namespace has lo */
		len = ack_request(buf, req, NLM_F_CREATE | NLM_F_EXCL, "lo");
		return send(sock, buf, len, 0) >= 0;
	}
	if (err == EPERM)
		return send_unprivileged(sock, buf, ack_request(buf, req, 0, "lo")) == 0;
	return false;
}

static const char *nlflags_text(unsigned f, char *buf, size_t len)
{
	snprintf(buf, len, "REQUEST%s%s%s%s", f & NLM_F_ACK ? "|ACK" : "",
		 f & NLM_F_CREATE ? "|CREATE" : "", f & NLM_F_EXCL ? "|EXCL" : "",
		 f & NLM_F_REPLACE ? "|REPLACE" : "");
	return buf;
}

/* One venet request; false when the send itself fails with *send_err
 * (--fail-call picked it, or its error cannot be had as an ACK). */
static bool answer_venet(struct emu *e, const struct seccomp_notif *req, int sock,
			 const struct venet_req *v, int *send_err)
{
	pid_t pid = (pid_t)req->pid;
	struct emu_ve *ve = ve_of_netns(e, pid);
	struct emu_call c;
	char fl[64];
	bool fail = emu_call_begin(&c, e, req, "RTM_NEWLINK", ve ? ve->veid : 0);
	emu_arg_str(&c, "kind", "venet");
	emu_arg_str(&c, "ifname", v->ifname);
	emu_arg_str(&c, "flags", nlflags_text(v->nlh->nlmsg_flags, fl, sizeof(fl)));
	emu_arg_str(&c, "family", v->family == AF_PACKET ? "AF_PACKET" : "AF_UNSPEC");
	if (fail) {
		emu_call_end(&c, 0, e->fail_errno);
		*send_err = e->fail_errno;
		return false;
	}
	int err = !ve ? EPERM : ve->venet_host[0] ? EEXIST : make_venet(e, ve, pid, v->ifname);
	if (!ve)
		c.note = "not in a running VE's network namespace";
	else if (!err)
		c.note = "a veth pair: the other end is in the scenario's namespace";
	bool acked = kernel_ack(sock, v->nlh, v->ifname, err);
	emu_call_end(&c, 0, err);
	if (!acked)
		*send_err = err ? err : EIO;
	return acked;
}

/* Every message of the send in order: venet ones answered here, the others
 * sent to the kernel on the copy of the caller's socket. */
static void answer_send(struct emu *e, const struct seccomp_notif *req, int sock,
			const struct sent *s)
{
	int left = (int)s->len;
	for (const struct nlmsghdr *nlh = (const void *)s->buf; NLMSG_OK(nlh, left);
	     nlh = NLMSG_NEXT(nlh, left)) {
		struct venet_req v;
		int err;
		if (!is_venet(nlh, &v)) {
			if (send(sock, nlh, nlh->nlmsg_len, 0) < 0) {
				emu_reply(e, req->id, 0, errno);
				return;
			}
		} else if (!answer_venet(e, req, sock, &v, &err)) {
			emu_reply(e, req->id, 0, err);
			return;
		}
	}
	emu_reply(e, req->id, (long long)s->len, 0);
}

/* ---- legacy: CAP_VE_NET_ADMIN ---- */

/* A message rtnetlink checks CAP_NET_ADMIN for: not a GET, not control. */
static bool is_change(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type >= RTM_BASE && nlh->nlmsg_type <= RTM_MAX &&
	       (nlh->nlmsg_type - RTM_BASE) % 4 != 2;
}

static bool has_change(const struct sent *s)
{
	int left = (int)s->len;
	for (const struct nlmsghdr *nlh = (const void *)s->buf; NLMSG_OK(nlh, left);
	     nlh = NLMSG_NEXT(nlh, left))
		if (is_change(nlh))
			return true;
	return false;
}

/* A NETLINK_ROUTE socket of vzemu's in pid's network namespace. */
static int admin_socket(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	_cleanup_close_ int theirs = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int ours = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (theirs < 0 || ours < 0 || setns(theirs, CLONE_NEWNET) < 0)
		return -1;
	int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (setns(ours, CLONE_NEWNET) < 0)
		abort();
	return sock;
}

/* The message sent by vzemu in the caller's namespace: the kernel's errno. */
static int send_as_admin(pid_t pid, const struct nlmsghdr *nlh)
{
	static uint8_t buf[SEND_MAX];
	_cleanup_close_ int sock = admin_socket(pid);
	if (sock < 0)
		return ESRCH;
	memcpy(buf, nlh, nlh->nlmsg_len);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	h->nlmsg_flags |= NLM_F_ACK;
	h->nlmsg_seq = 1;
	h->nlmsg_pid = 0;
	if (send(sock, buf, h->nlmsg_len, 0) < 0)
		return errno;
	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0)
			return errno;
		int left = (int)n;
		for (const struct nlmsghdr *r = (const void *)buf; NLMSG_OK(r, left);
		     r = NLMSG_NEXT(r, left))
			if (r->nlmsg_type == NLMSG_ERROR && r->nlmsg_seq == 1)
				return -((const struct nlmsgerr *)NLMSG_DATA(r))->error;
	}
}

/* The kernel's ACK of error 0 with the caller's sequence number, on its
 * socket: NLMSG_NOOP asks for nothing but that. */
static bool noop_ack(int sock, const struct nlmsghdr *req)
{
	struct nlmsghdr h = { .nlmsg_len = NLMSG_LENGTH(0), .nlmsg_type = NLMSG_NOOP,
			      .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = req->nlmsg_seq };
	return send(sock, &h, h.nlmsg_len, 0) >= 0;
}

/* Inside a legacy VE, CAP_VE_NET_ADMIN (bit 30) is what rtnetlink wants,
 * and this kernel wants CAP_NET_ADMIN: vzemu sends the changes of a caller
 * with bit 30 and without CAP_NET_ADMIN from its own socket in the
 * caller's network namespace; the caller gets the kernel's ACK (error 0)
 * on its own socket, or the send fails with the errno. GETs go to the
 * kernel on a copy of the caller's socket, in order. */
static void answer_admin(struct emu *e, const struct seccomp_notif *req, int sock,
			 const struct sent *s, struct emu_ve *ve)
{
	int left = (int)s->len;
	for (const struct nlmsghdr *nlh = (const void *)s->buf; NLMSG_OK(nlh, left);
	     nlh = NLMSG_NEXT(nlh, left)) {
		if (!is_change(nlh)) {
			if (send(sock, nlh, nlh->nlmsg_len, 0) < 0) {
				emu_reply(e, req->id, 0, errno);
				return;
			}
			continue;
		}
		struct emu_call c;
		bool fail = emu_call_begin(&c, e, req, "rtnetlink", ve->veid);
		emu_arg_num(&c, "type", nlh->nlmsg_type);
		c.note = "CAP_VE_NET_ADMIN: carried out by vzemu";
		int err = fail ? e->fail_errno : send_as_admin((pid_t)req->pid, nlh);
		emu_call_end(&c, 0, err);
		if (err || ((nlh->nlmsg_flags & NLM_F_ACK) && !noop_ack(sock, nlh))) {
			emu_reply(e, req->id, 0, err ? err : EIO);
			return;
		}
	}
	emu_reply(e, req->id, (long long)s->len, 0);
}

static void handle_send_legacy(struct emu *e, const struct seccomp_notif *req, struct sent *s)
{
	pid_t pid = (pid_t)req->pid;
	struct emu_caps caps;
	struct emu_ve *ve = NULL;
	if (!read_sent(req, s) || !s->to_kernel || !has_change(s) ||
	    !(ve = emu_ve_of(e, pid)) || !emu_proc_caps(pid, &caps) ||
	    !(caps.eff & (1ULL << EMU_CAP_VE_ADMIN)) || (caps.eff & (1ULL << 12)) ||
	    !emu_id_valid(e, req->id)) {
		emu_reply_continue(e, req->id);
		return;
	}
	_cleanup_close_ int sock = route_socket(req);
	if (sock < 0) {
		emu_reply_continue(e, req->id);
		return;
	}
	answer_admin(e, req, sock, s, ve);
}

void emu_handle_send(struct emu *e, const struct seccomp_notif *req)
{
	static uint8_t buf[SEND_MAX];
	struct sent s = { .buf = buf };
	if (e->kernel == EMU_KERNEL_LEGACY) {
		handle_send_legacy(e, req, &s);
		return;
	}
	if (!read_sent(req, &s) || !s.to_kernel || !has_venet(&s) || !emu_id_valid(e, req->id)) {
		emu_reply_continue(e, req->id);
		return;
	}
	_cleanup_close_ int sock = route_socket(req);
	if (sock < 0) {
		emu_reply_continue(e, req->id);
		return;
	}
	answer_send(e, req, sock, &s);
}
