// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reading and writing the target's memory, and answering its calls. */
#include "vzemu.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

int emu_read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	if (!addr)
		return -EFAULT;
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int emu_write_mem(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	if (!addr)
		return -EFAULT;
	struct iovec local = { (void *)buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

/* Page by page: a string may end just before an unmapped page. */
int emu_read_str(pid_t pid, uint64_t addr, char *buf, size_t max)
{
	if (!addr)
		return -EFAULT;
	size_t got = 0;
	while (got < max) {
		uint64_t at = addr + got;
		size_t chunk = 4096 - (size_t)(at % 4096);
		if (chunk > max - got)
			chunk = max - got;
		if (emu_read_mem(pid, at, buf + got, chunk) < 0)
			return -EFAULT;
		char *nul = memchr(buf + got, '\0', chunk);
		if (nul)
			return 0;
		got += chunk;
	}
	buf[max - 1] = '\0';
	return -ENAMETOOLONG;
}

bool emu_id_valid(struct emu *e, uint64_t id)
{
	return ioctl(e->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

static void send_resp(struct emu *e, uint64_t id, long long val, int err, unsigned flags)
{
	memset(e->resp, 0, e->resp_size);
	e->resp->id = id;
	e->resp->val = val;
	e->resp->error = err ? -err : 0;
	e->resp->flags = flags;
	/* ENOENT: the target died meanwhile, nothing to answer */
	if (ioctl(e->listener, SECCOMP_IOCTL_NOTIF_SEND, e->resp) < 0 && errno != ENOENT &&
	    e->verbose)
		fprintf(stderr, "vzemu: NOTIF_SEND: %s\n", strerror(errno));
}

void emu_reply_continue(struct emu *e, uint64_t id)
{
	send_resp(e, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

void emu_reply(struct emu *e, uint64_t id, long long val, int err)
{
	send_resp(e, id, val, err, 0);
}

static int add_fd(struct emu *e, uint64_t id, int fd, bool send, bool cloexec)
{
	struct seccomp_notif_addfd a = {
		.id = id,
		.flags = send ? SECCOMP_ADDFD_FLAG_SEND : 0,
		.srcfd = (uint32_t)fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	int r = ioctl(e->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	return r < 0 ? -errno : r;
}

int emu_reply_fd(struct emu *e, uint64_t id, int fd, bool cloexec)
{
	return add_fd(e, id, fd, true, cloexec);
}

int emu_add_fd(struct emu *e, uint64_t id, int fd)
{
	return add_fd(e, id, fd, false, true);
}
