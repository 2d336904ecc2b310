// SPDX-License-Identifier: LGPL-2.1-or-later
/* The part of libmnl's API that src/net and Debian's static libnftnl use,
 * for the static build only (meson -Dstatic=true): Debian ships libmnl as
 * a shared library alone, and a static executable cannot load one.  Written from libmnl's documented
 * interface (<libmnl/libmnl.h>, which this file is compiled against, so the
 * signatures are checked); the dynamic build links the real libmnl. */
#include <libmnl/libmnl.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mnl_socket {
	int fd;
	struct sockaddr_nl addr;
};

/* ---- sockets ---- */

struct mnl_socket *mnl_socket_open2(int bus, int flags)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | flags, bus);
	if (fd < 0)
		return NULL;
	struct mnl_socket *nl = calloc(1, sizeof(*nl));
	if (!nl) {
		close(fd);
		return NULL;
	}
	nl->fd = fd;
	return nl;
}

struct mnl_socket *mnl_socket_open(int bus)
{
	return mnl_socket_open2(bus, 0);
}

struct mnl_socket *mnl_socket_fdopen(int fd)
{
	struct sockaddr_nl addr;
	socklen_t len = sizeof(addr);
	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		return NULL;
	struct mnl_socket *nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	nl->fd = fd;
	nl->addr = addr;
	return nl;
}

int mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	nl->addr = (struct sockaddr_nl){ .nl_family = AF_NETLINK, .nl_groups = groups,
					 .nl_pid = (__u32)pid };
	if (bind(nl->fd, (struct sockaddr *)&nl->addr, sizeof(nl->addr)) < 0)
		return -1;
	/* the kernel picks the port id of MNL_SOCKET_AUTOPID (0) */
	socklen_t len = sizeof(nl->addr);
	if (getsockname(nl->fd, (struct sockaddr *)&nl->addr, &len) < 0)
		return -1;
	if (len != sizeof(nl->addr) || nl->addr.nl_family != AF_NETLINK) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int mnl_socket_close(struct mnl_socket *nl)
{
	int r = close(nl->fd);
	free(nl);
	return r;
}

unsigned int mnl_socket_get_portid(const struct mnl_socket *nl)
{
	return nl->addr.nl_pid;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t siz)
{
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	return sendto(nl->fd, req, siz, 0, (const struct sockaddr *)&kernel, sizeof(kernel));
}

/* Only the kernel's answers (port id 0); a truncated one is ENOSPC. */
ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t siz)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = buf, .iov_len = siz };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
			      .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(nl->fd, &msg, 0);
	if (n < 0)
		return n;
	if (msg.msg_flags & MSG_TRUNC) {
		errno = ENOSPC;
		return -1;
	}
	if (msg.msg_namelen != sizeof(from) || from.nl_pid != 0) {
		errno = EINVAL;
		return -1;
	}
	return n;
}

/* ---- messages ---- */

size_t mnl_nlmsg_size(size_t len)
{
	return len + MNL_NLMSG_HDRLEN;
}

size_t mnl_nlmsg_get_payload_len(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
}

struct nlmsghdr *mnl_nlmsg_put_header(void *buf)
{
	memset(buf, 0, MNL_NLMSG_HDRLEN);
	struct nlmsghdr *nlh = buf;
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
	return nlh;
}

void *mnl_nlmsg_put_extra_header(struct nlmsghdr *nlh, size_t size)
{
	char *p = (char *)nlh + nlh->nlmsg_len;
	size_t len = MNL_ALIGN(size);
	nlh->nlmsg_len += (__u32)len;
	memset(p, 0, len);
	return p;
}

void *mnl_nlmsg_get_payload(const struct nlmsghdr *nlh)
{
	return (char *)nlh + MNL_NLMSG_HDRLEN;
}

void *mnl_nlmsg_get_payload_offset(const struct nlmsghdr *nlh, size_t offset)
{
	return (char *)nlh + MNL_NLMSG_HDRLEN + MNL_ALIGN(offset);
}

void *mnl_nlmsg_get_payload_tail(const struct nlmsghdr *nlh)
{
	return (char *)nlh + MNL_ALIGN(nlh->nlmsg_len);
}

bool mnl_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(struct nlmsghdr) &&
	       nlh->nlmsg_len >= sizeof(struct nlmsghdr) && (int)nlh->nlmsg_len <= len;
}

struct nlmsghdr *mnl_nlmsg_next(const struct nlmsghdr *nlh, int *len)
{
	*len -= (int)MNL_ALIGN(nlh->nlmsg_len);
	return (struct nlmsghdr *)((char *)nlh + MNL_ALIGN(nlh->nlmsg_len));
}

/* Runs cb_data on each data message of buf, handles the control ones:
 * MNL_CB_STOP at NLMSG_DONE or an ACK, MNL_CB_ERROR (errno set) at an
 * error, a message of another port or sequence, or an interrupted dump. */
int mnl_cb_run(const void *buf, size_t numbytes, unsigned int seq, unsigned int portid,
	       mnl_cb_t cb_data, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)numbytes, r = MNL_CB_OK;
	while (mnl_nlmsg_ok(nlh, len)) {
		if ((portid && nlh->nlmsg_pid && nlh->nlmsg_pid != portid) ||
		    (seq && nlh->nlmsg_seq && nlh->nlmsg_seq != seq)) {
			errno = nlh->nlmsg_pid != portid ? ESRCH : EPROTO;
			return MNL_CB_ERROR;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			errno = EINTR;
			return MNL_CB_ERROR;
		}
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			r = cb_data ? cb_data(nlh, data) : MNL_CB_OK;
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			r = MNL_CB_STOP;
		} else if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
				errno = EBADMSG;
				return MNL_CB_ERROR;
			}
			errno = e->error < 0 ? -e->error : e->error;
			r = e->error == 0 ? MNL_CB_STOP : MNL_CB_ERROR;
		}
		if (r <= MNL_CB_STOP)
			return r;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	return r;
}

/* ---- batches: messages one after the other in the caller's buffer ---- */

struct mnl_nlmsg_batch {
	char *buf;
	size_t limit, len;
	bool overflow;
};

struct mnl_nlmsg_batch *mnl_nlmsg_batch_start(void *buf, size_t limit)
{
	struct mnl_nlmsg_batch *b = calloc(1, sizeof(*b));
	if (b) {
		b->buf = buf;
		b->limit = limit;
	}
	return b;
}

void mnl_nlmsg_batch_stop(struct mnl_nlmsg_batch *b)
{
	free(b);
}

/* The message at the current position joins the batch, if it fits. */
bool mnl_nlmsg_batch_next(struct mnl_nlmsg_batch *b)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(b->buf + b->len);
	if (b->len + nlh->nlmsg_len > b->limit) {
		b->overflow = true;
		return false;
	}
	b->len += nlh->nlmsg_len;
	return true;
}

size_t mnl_nlmsg_batch_size(struct mnl_nlmsg_batch *b)
{
	return b->len;
}

void *mnl_nlmsg_batch_head(struct mnl_nlmsg_batch *b)
{
	return b->buf;
}

void *mnl_nlmsg_batch_current(struct mnl_nlmsg_batch *b)
{
	return b->buf + b->len;
}

bool mnl_nlmsg_batch_is_empty(struct mnl_nlmsg_batch *b)
{
	return b->len == 0;
}

/* ---- attributes ---- */

uint16_t mnl_attr_get_type(const struct nlattr *attr)
{
	return attr->nla_type & NLA_TYPE_MASK;
}

uint16_t mnl_attr_get_len(const struct nlattr *attr)
{
	return attr->nla_len;
}

uint16_t mnl_attr_get_payload_len(const struct nlattr *attr)
{
	return (uint16_t)(attr->nla_len - MNL_ATTR_HDRLEN);
}

void *mnl_attr_get_payload(const struct nlattr *attr)
{
	return (char *)attr + MNL_ATTR_HDRLEN;
}

uint8_t mnl_attr_get_u8(const struct nlattr *attr)
{
	return *(const uint8_t *)mnl_attr_get_payload(attr);
}

uint16_t mnl_attr_get_u16(const struct nlattr *attr)
{
	uint16_t v;
	memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return v;
}

uint32_t mnl_attr_get_u32(const struct nlattr *attr)
{
	uint32_t v;
	memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return v;
}

uint64_t mnl_attr_get_u64(const struct nlattr *attr)
{
	uint64_t v;
	memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return v;
}

const char *mnl_attr_get_str(const struct nlattr *attr)
{
	return mnl_attr_get_payload(attr);
}

bool mnl_attr_ok(const struct nlattr *attr, int len)
{
	return len >= (int)sizeof(struct nlattr) && attr->nla_len >= sizeof(struct nlattr) &&
	       (int)attr->nla_len <= len;
}

struct nlattr *mnl_attr_next(const struct nlattr *attr)
{
	return (struct nlattr *)((char *)attr + MNL_ALIGN(attr->nla_len));
}

void mnl_attr_put(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data)
{
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);
	size_t payload = MNL_ATTR_HDRLEN + len;
	attr->nla_type = type;
	attr->nla_len = (uint16_t)payload;
	memcpy(mnl_attr_get_payload(attr), data, len);
	memset((char *)attr + payload, 0, MNL_ALIGN(payload) - payload);
	nlh->nlmsg_len += (__u32)MNL_ALIGN(payload);
}

void mnl_attr_put_u8(struct nlmsghdr *nlh, uint16_t type, uint8_t data)
{
	mnl_attr_put(nlh, type, sizeof(data), &data);
}

void mnl_attr_put_u16(struct nlmsghdr *nlh, uint16_t type, uint16_t data)
{
	mnl_attr_put(nlh, type, sizeof(data), &data);
}

void mnl_attr_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t data)
{
	mnl_attr_put(nlh, type, sizeof(data), &data);
}

void mnl_attr_put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t data)
{
	mnl_attr_put(nlh, type, sizeof(data), &data);
}

void mnl_attr_put_str(struct nlmsghdr *nlh, uint16_t type, const char *data)
{
	mnl_attr_put(nlh, type, strlen(data), data);
}

void mnl_attr_put_strz(struct nlmsghdr *nlh, uint16_t type, const char *data)
{
	mnl_attr_put(nlh, type, strlen(data) + 1, data);
}

struct nlattr *mnl_attr_nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *start = mnl_nlmsg_get_payload_tail(nlh);
	start->nla_type = NLA_F_NESTED | type;
	nlh->nlmsg_len += MNL_ATTR_HDRLEN;
	return start;
}

void mnl_attr_nest_end(struct nlmsghdr *nlh, struct nlattr *start)
{
	start->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)start);
}

/* An attribute type above max is not understood: -1, EOPNOTSUPP. */
int mnl_attr_type_valid(const struct nlattr *attr, uint16_t max)
{
	if (mnl_attr_get_type(attr) > max) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return 1;
}

/* The payload fits the type: the exact size of an integer, a non-empty
 * string (NUL-terminated for NUL_STRING), an empty flag, a nest empty or
 * holding at least an attribute header.  ERANGE for a size, EINVAL for a
 * missing NUL. */
int mnl_attr_validate(const struct nlattr *attr, enum mnl_attr_data_type type)
{
	uint16_t len = mnl_attr_get_payload_len(attr);
	const char *s = mnl_attr_get_payload(attr);
	size_t want = 0;
	bool ok = true;
	switch (type) {
	case MNL_TYPE_U8: want = 1; break;
	case MNL_TYPE_U16: want = 2; break;
	case MNL_TYPE_U32: want = 4; break;
	case MNL_TYPE_U64: case MNL_TYPE_MSECS: want = 8; break;
	case MNL_TYPE_FLAG: ok = len == 0; break;
	case MNL_TYPE_STRING: ok = len > 0; break;
	case MNL_TYPE_NUL_STRING:
		ok = len > 0;
		if (ok && s[len - 1] != '\0') {
			errno = EINVAL;
			return -1;
		}
		break;
	case MNL_TYPE_NESTED: ok = len == 0 || len >= MNL_ATTR_HDRLEN; break;
	default: break;
	}
	if (!ok || (want && len != want)) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

int mnl_attr_parse_payload(const void *payload, size_t payload_len, mnl_attr_cb_t cb,
			   void *data)
{
	const struct nlattr *attr = payload;
	int left = (int)payload_len;
	while (mnl_attr_ok(attr, left)) {
		int r = cb(attr, data);
		if (r <= MNL_CB_STOP)
			return r;
		left -= (int)MNL_ALIGN(attr->nla_len);
		attr = mnl_attr_next(attr);
	}
	return MNL_CB_OK;
}

int mnl_attr_parse(const struct nlmsghdr *nlh, unsigned int offset, mnl_attr_cb_t cb,
		   void *data)
{
	const char *start = mnl_nlmsg_get_payload_offset(nlh, offset);
	return mnl_attr_parse_payload(start, (size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) -
						      start), cb, data);
}

int mnl_attr_parse_nested(const struct nlattr *nested, mnl_attr_cb_t cb, void *data)
{
	return mnl_attr_parse_payload(mnl_attr_get_payload(nested),
				      mnl_attr_get_payload_len(nested), cb, data);
}
