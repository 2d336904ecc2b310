// SPDX-License-Identifier: LGPL-2.1-or-later
#include "net.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct sysctl_open {
	const char *path;
	int flags;
	int fd;
};

/* Runs inside the target namespace: /proc/sys/net is resolved there. */
static int open_here(void *arg, struct ovz_error **err)
{
	struct sysctl_open *o = arg;
	o->fd = open(o->path, o->flags | O_CLOEXEC | O_NOFOLLOW);
	if (o->fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", o->path);
	return 0;
}

static int sysctl_open(int netns_fd, const char *path, int flags, struct ovz_error **err)
{
	if (!path || !*path || path[0] == '/' || strstr(path, ".."))
		return ovz_error_set(err, EINVAL, "sysctl path '%s' is not valid", path ? path : "");
	_cleanup_free_ char *full = xasprintf("/proc/sys/%s", path);
	struct sysctl_open o = { full, flags, -1 };
	int r = ovz_netns_call(netns_fd, open_here, &o, err);
	if (r < 0) {
		if (o.fd >= 0)
			close(o.fd);
		return r;
	}
	return o.fd;
}

int ovz_sysctl_write(int netns_fd, const char *path, const char *value, struct ovz_error **err)
{
	_cleanup_close_ int fd = sysctl_open(netns_fd, path, O_WRONLY, err);
	if (fd < 0)
		return fd;
	size_t len = strlen(value);
	ssize_t w = write(fd, value, len);
	if (w < 0)
		return ovz_error_sys(err, errno, "write '%s' to '/proc/sys/%s'", value, path);
	if ((size_t)w != len)
		return ovz_error_set(err, EIO, "short write to '/proc/sys/%s'", path);
	return 0;
}

int ovz_sysctl_read(int netns_fd, const char *path, char *buf, size_t len,
		    struct ovz_error **err)
{
	if (len < 2)
		return ovz_error_set(err, EINVAL, "sysctl read buffer too small");
	_cleanup_close_ int fd = sysctl_open(netns_fd, path, O_RDONLY, err);
	if (fd < 0)
		return fd;
	ssize_t n = read(fd, buf, len - 1);
	if (n < 0)
		return ovz_error_sys(err, errno, "read '/proc/sys/%s'", path);
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

int ovz_sysctl_iface_write(int netns_fd, int family, const char *ifname, const char *key,
			   const char *value, struct ovz_error **err)
{
	const char *why = ovz_check_ifname(ifname);
	if (why)
		return ovz_error_set(err, EINVAL, "interface name '%s' %s", ifname ? ifname : "", why);
	if (strchr(key, '/'))
		return ovz_error_set(err, EINVAL, "sysctl key '%s' is not valid", key);
	_cleanup_free_ char *path = xasprintf("net/%s/conf/%s/%s",
					      family == AF_INET6 ? "ipv6" : "ipv4", ifname, key);
	return ovz_sysctl_write(netns_fd, path, value, err);
}
