// SPDX-License-Identifier: LGPL-2.1-or-later
#include "vzabi.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void ovz_vz_ip_map_encode(unsigned veid, int op, const struct ovz_ip *ip,
			  union ovz_sockaddr *sa, struct ovz_vzctl_ve_ip_map *out)
{
	memset(sa, 0, sizeof(*sa));
	memset(out, 0, sizeof(*out));
	if (ip->family == AF_INET6) {
		sa->in6.sin6_family = AF_INET6;
		memcpy(&sa->in6.sin6_addr, ip->addr, 16);
		out->addrlen = sizeof(sa->in6);
	} else {
		sa->in.sin_family = AF_INET;
		memcpy(&sa->in.sin_addr, ip->addr, 4);
		out->addrlen = sizeof(sa->in);
	}
	out->veid = veid;
	out->op = op;
	out->addr = &sa->sa;
}

static int ip_map(int vzfd, unsigned veid, int op, const struct ovz_ip *ip,
		  struct ovz_error **err)
{
	if (ip->family != AF_INET && ip->family != AF_INET6)
		return ovz_error_set(err, EAFNOSUPPORT, "VENETCTL_VE_IP_MAP: family %d", ip->family);
	union ovz_sockaddr sa;
	struct ovz_vzctl_ve_ip_map req;
	ovz_vz_ip_map_encode(veid, op, ip, &sa, &req);
	if (ioctl(vzfd, OVZ_VENETCTL_VE_IP_MAP, &req) == 0)
		return 0;
	int e = errno;
	if (op == OVZ_VE_IP_DEL && e == EADDRNOTAVAIL)
		return 0;
	char a[64];
	ovz_format_ip(ip, false, a, sizeof(a));
	return ovz_error_sys(err, e, "VENETCTL_VE_IP_MAP %s %s for CT %u",
			     op == OVZ_VE_IP_DEL ? "del" : "add", a, veid);
}

int ovz_vz_ip_add(int vzfd, unsigned veid, const struct ovz_ip *ip, struct ovz_error **err)
{
	return ip_map(vzfd, veid, OVZ_VE_IP_ADD, ip, err);
}

int ovz_vz_ip_del(int vzfd, unsigned veid, const struct ovz_ip *ip, struct ovz_error **err)
{
	return ip_map(vzfd, veid, OVZ_VE_IP_DEL, ip, err);
}

static void copy_name(char dst[16], const char *src)
{
	size_t n = strnlen(src, 15);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void ovz_vz_veth_encode(unsigned veid, int op, const char *host_dev, const uint8_t host_mac[6],
			const char *ct_dev, const uint8_t ct_mac[6],
			struct ovz_vzctl_ve_hwaddr *out)
{
	memset(out, 0, sizeof(*out));
	out->veid = veid;
	out->op = op;
	if (host_mac) {
		memcpy(out->dev_addr, host_mac, 6);
		out->addrlen = 6;
	}
	if (host_dev)
		copy_name(out->dev_name, host_dev);
	if (ct_mac) {
		memcpy(out->dev_addr_ve, ct_mac, 6);
		out->addrlen_ve = 6;
	}
	if (ct_dev)
		copy_name(out->dev_name_ve, ct_dev);
}

static int check_name(const char *role, const char *name, struct ovz_error **err)
{
	const char *why = ovz_check_ifname(name);
	if (why)
		return ovz_error_set(err, EINVAL, "VETHCTL_VE_HWADDR: %s name '%s' %s", role,
				     name ? name : "", why);
	return 0;
}

int ovz_vz_veth_add(int vzfd, unsigned veid, const char *host_dev, const uint8_t host_mac[6],
		    const char *ct_dev, const uint8_t ct_mac[6], struct ovz_error **err)
{
	if (check_name("host", host_dev, err) < 0 || check_name("container", ct_dev, err) < 0)
		return -EINVAL;
	if (!host_mac)
		return ovz_error_set(err, EINVAL, "VETHCTL_VE_HWADDR: '%s' needs a MAC", host_dev);
	struct ovz_vzctl_ve_hwaddr req;
	ovz_vz_veth_encode(veid, OVZ_VE_ETH_ADD, host_dev, host_mac, ct_dev, ct_mac, &req);
	if (ioctl(vzfd, OVZ_VETHCTL_VE_HWADDR, &req) < 0)
		return ovz_error_sys(err, errno, "VETHCTL_VE_HWADDR add '%s' peer '%s' for CT %u",
				     host_dev, ct_dev, veid);
	return 0;
}

int ovz_vz_veth_del(int vzfd, unsigned veid, const char *host_dev, struct ovz_error **err)
{
	if (check_name("host", host_dev, err) < 0)
		return -EINVAL;
	struct ovz_vzctl_ve_hwaddr req;
	ovz_vz_veth_encode(veid, OVZ_VE_ETH_DEL, host_dev, NULL, NULL, NULL, &req);
	if (ioctl(vzfd, OVZ_VETHCTL_VE_HWADDR, &req) == 0 || errno == ENODEV)
		return 0;
	return ovz_error_sys(err, errno, "VETHCTL_VE_HWADDR del '%s' for CT %u", host_dev, veid);
}

static int ve_ip_file(int ve_dirfd, const struct ovz_ip *ip, bool allow, struct ovz_error **err)
{
	if (ip->family != AF_INET && ip->family != AF_INET6)
		return ovz_error_set(err, EAFNOSUPPORT, "ve address family %d", ip->family);
	const char *file = ip->family == AF_INET6 ? (allow ? "ve.ip6_allow" : "ve.ip6_deny")
						  : (allow ? "ve.ip_allow" : "ve.ip_deny");
	char a[64];
	ovz_format_ip(ip, false, a, sizeof(a));
	_cleanup_close_ int fd = openat(ve_dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", file);
	ssize_t w = write(fd, a, strlen(a));
	if (w == (ssize_t)strlen(a))
		return 0;
	int e = w < 0 ? errno : EIO;
	if (!allow && (e == EADDRNOTAVAIL || e == ENOENT))
		return 0;
	return ovz_error_sys(err, e, "write %s to '%s'", a, file);
}

int ovz_ve_ip_allow(int ve_dirfd, const struct ovz_ip *ip, struct ovz_error **err)
{
	return ve_ip_file(ve_dirfd, ip, true, err);
}

int ovz_ve_ip_deny(int ve_dirfd, const struct ovz_ip *ip, struct ovz_error **err)
{
	return ve_ip_file(ve_dirfd, ip, false, err);
}

/* ---- VEs, beancounters ---- */

static const char *const ub_names[OVZ_UB_RESOURCES] = {
	"kmemsize", "lockedpages", "privvmpages", "shmpages", "dummy", "numproc",
	"physpages", "vmguarpages", "oomguarpages", "numtcpsock", "numflock", "numpty",
	"numsiginfo", "tcpsndbuf", "tcprcvbuf", "othersockbuf", "dgramrcvbuf",
	"numothersock", "dcachesize", "numfile", "dummy", "dummy", "dummy", "numiptent",
	"swappages",
};

const char *ovz_ub_name(unsigned res)
{
	return res < OVZ_UB_RESOURCES ? ub_names[res] : "unknown";
}

static int env_create_call(int vzfd, unsigned veid, unsigned flags)
{
	struct ovz_vzctl_env_create req = { .veid = veid, .flags = flags };
	int r;
	while ((r = ioctl(vzfd, OVZ_VZCTL_ENV_CREATE, &req)) < 0 && errno == EINTR)
		;
	return r < 0 ? -errno : r;
}

int ovz_vz_ve_test(int vzfd, unsigned veid, struct ovz_error **err)
{
	int r = env_create_call(vzfd, veid, OVZ_VE_TEST);
	if (r >= 0)
		return 1;
	if (r == -ESRCH)
		return 0;
	return ovz_error_sys(err, -r, "VZCTL_ENV_CREATE VE_TEST for CT %u", veid);
}

int ovz_vz_ve_enter(int vzfd, unsigned veid, struct ovz_error **err)
{
	int r = env_create_call(vzfd, veid, OVZ_VE_ENTER);
	if (r >= 0)
		return 0;
	if (r == -ESRCH)
		return ovz_error_set(err, ESRCH, "CT %u is not running", veid);
	return ovz_error_sys(err, -r, "VZCTL_ENV_CREATE VE_ENTER for CT %u", veid);
}

void ovz_vz_env_create_encode(unsigned veid, unsigned flags,
			      const struct ovz_env_create_param3 *param, size_t size,
			      struct ovz_vzctl_env_create_data *out)
{
	memset(out, 0, sizeof(*out));
	out->veid = veid;
	out->flags = flags;
	out->data = (void *)param;
	out->datalen = (int)size;
}

int ovz_vz_env_create(int vzfd, unsigned veid, const struct ovz_env_create_param3 *param,
		      struct ovz_error **err)
{
	/* param2 and param are prefixes of param3 */
	static const size_t sizes[] = { sizeof(struct ovz_env_create_param3),
					sizeof(struct ovz_env_create_param2),
					sizeof(struct ovz_env_create_param) };
	int e = EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(sizes) && e == EINVAL; i++) {
		struct ovz_vzctl_env_create_data req;
		ovz_vz_env_create_encode(veid, OVZ_VE_CREATE | OVZ_VE_EXCLUSIVE, param, sizes[i],
					 &req);
		for (int tries = 0; tries < 3; tries++) {
			int r = ioctl(vzfd, OVZ_VZCTL_ENV_CREATE_DATA, &req);
			if (r >= 0)
				return r;
			e = errno;
			if (e != EBUSY && e != EINTR)
				break;
			if (e == EBUSY)
				sleep(1);
		}
	}
	if (e == EACCES)
		return ovz_error_set(err, EEXIST, "VZCTL_ENV_CREATE_DATA: CT %u already exists",
				     veid);
	return ovz_error_sys(err, e, "VZCTL_ENV_CREATE_DATA for CT %u", veid);
}

int ovz_vz_setdevperms(int vzfd, unsigned veid, unsigned type, unsigned major, unsigned minor,
		       unsigned mask, struct ovz_error **err)
{
	struct ovz_vzctl_setdevperms req = {
		.veid = veid,
		.type = type,
		.dev = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12),
		.mask = mask,
	};
	if (ioctl(vzfd, OVZ_VZCTL_SETDEVPERMS, &req) == 0)
		return 0;
	return ovz_error_sys(err, errno, "VZCTL_SETDEVPERMS %u:%u for CT %u", major, minor, veid);
}

int ovz_vz_netdev(int vzfd, unsigned veid, int op, const char *dev, struct ovz_error **err)
{
	char name[16];
	copy_name(name, dev);
	struct ovz_vzctl_ve_netdev req = { .veid = veid, .op = op, .dev_name = name };
	if (ioctl(vzfd, OVZ_VZCTL_VE_NETDEV, &req) == 0)
		return 0;
	if (op == OVZ_VE_NETDEV_DEL && errno == ENODEV)
		return 0;
	return ovz_error_sys(err, errno, "VZCTL_VE_NETDEV %s '%s' for CT %u",
			     op == OVZ_VE_NETDEV_DEL ? "del" : "add", dev, veid);
}

int ovz_vz_setluid(unsigned id, struct ovz_error **err)
{
	if (syscall(OVZ_NR_SETLUID, (unsigned long)id) < 0)
		return ovz_error_sys(err, errno, "setluid %u", id);
	return 0;
}

int ovz_vz_setublimit(unsigned id, unsigned res, unsigned long barrier, unsigned long limit,
		      struct ovz_error **err)
{
	unsigned long lim[2] = { barrier, limit };
	if (syscall(OVZ_NR_SETUBLIMIT, (unsigned long)id, (unsigned long)res, lim) < 0)
		return ovz_error_sys(err, errno, "setublimit %u %s %lu:%lu", id, ovz_ub_name(res),
				     barrier, limit);
	return 0;
}

static int fairsched(const char *what, unsigned veid, long nr, unsigned long a1,
		     unsigned long a2, bool with_a2, struct ovz_error **err)
{
	long r = with_a2 ? syscall(nr, (unsigned long)veid, a1, a2)
			 : syscall(nr, (unsigned long)veid, a1);
	if (r < 0 && errno != ENOSYS)
		return ovz_error_sys(err, errno, "%s for CT %u", what, veid);
	return 0;
}

int ovz_vz_set_cpuunits(unsigned veid, unsigned long units, struct ovz_error **err)
{
	if (units < 8 || units > 500000)
		return ovz_error_set(err, EINVAL, "CPUUNITS %lu outside 8..500000", units);
	return fairsched("fairsched_chwt", veid, OVZ_NR_FAIRSCHED_CHWT, 500000 / units, 0, false,
			 err);
}

int ovz_vz_set_cpulimit(unsigned veid, unsigned long percent, struct ovz_error **err)
{
	enum { SET = 0, DROP = 1 };
	if (!percent)
		return fairsched("fairsched_rate", veid, OVZ_NR_FAIRSCHED_RATE, DROP, 0, true, err);
	return fairsched("fairsched_rate", veid, OVZ_NR_FAIRSCHED_RATE, SET, percent * 1024 / 100,
			 true, err);
}

int ovz_vz_set_cpus(unsigned veid, unsigned cpus, struct ovz_error **err)
{
	return fairsched("fairsched_vcpus", veid, OVZ_NR_FAIRSCHED_VCPUS, cpus, 0, false, err);
}

int ovz_vz_veinfo_parse(const char *text, unsigned **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		unsigned veid;
		if (sscanf(line, "%u", &veid) == 1 && veid != 0) {
			*ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
			(*ids)[(*n)++] = veid;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static struct ovz_route *host_routes(const struct ovz_iface *f)
{
	struct ovz_route *r = xcalloc(f->n_ips ? f->n_ips : 1, sizeof(*r));
	for (size_t i = 0; i < f->n_ips; i++) {
		r[i].dst = f->ips[i];
		r[i].dst.prefix = -1;
	}
	return r;
}

static int vz_host_routes_add(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			      struct ovz_error **err)
{
	_cleanup_free_ struct ovz_route *r = host_routes(f);
	return ovz_nl_routes_add(ctx->host, OVZ_VENET_DEV, r, f->n_ips, err);
}

static int vz_host_routes_del(struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			      struct ovz_error **err)
{
	_cleanup_free_ struct ovz_route *r = host_routes(f);
	return ovz_nl_routes_del(ctx->host, OVZ_VENET_DEV, r, f->n_ips, err);
}

const struct ovz_net_step ovz_vz_host_routes_step = {
	"venet host routes", vz_host_routes_add, vz_host_routes_del,
};

int ovz_vz_host_ips(unsigned ctid, const struct ovz_iface *add, const struct ovz_iface *del,
		    struct ovz_error **err)
{
	struct ovz_netctx n;
	int r = ovz_netctx_open(&n, ctid, -1, -1, err);
	if (r < 0)
		return r;
	if (del && del->n_ips) {
		vz_host_routes_del(&n, del, 0, NULL);
		ovz_venet_proxy_del(&n, del, 0, NULL);
	}
	if (add && add->n_ips) {
		r = ovz_venet_forwarding_on(&n, add, 0, err);
		if (r == 0)
			r = vz_host_routes_add(&n, add, 0, err);
		if (r == 0)
			r = ovz_venet_proxy_add(&n, add, 0, err);
	}
	ovz_netctx_close(&n);
	return r;
}
