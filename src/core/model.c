// SPDX-License-Identifier: LGPL-2.1-or-later
#include "model.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct ovz_domain *ovz_domain_new(void)
{
	struct ovz_domain *d = xcalloc(1, sizeof(*d));
	d->memory = d->current_memory = OVZ_UNSET;
	d->mem_hard_limit = d->mem_soft_limit = OVZ_UNSET;
	d->mem_swap_hard_limit = d->mem_min_guarantee = OVZ_UNSET;
	d->cpu_shares = d->cpu_period = OVZ_UNSET;
	d->space_soft_limit = d->space_hard_limit = OVZ_UNSET;
	return d;
}

void ovz_domain_free(struct ovz_domain *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->description);
	free(d->init);
	strv_free(d->init_args);
	free(d->ostemplate);
	free(d->private_dir);
	for (size_t i = 0; i < d->n_mounts; i++) {
		free(d->mounts[i].source);
		free(d->mounts[i].target);
	}
	free(d->mounts);
	for (size_t i = 0; i < d->n_ifaces; i++)
		free(d->ifaces[i].ips);
	free(d->ifaces);
	strv_free(d->netdevs);
	free(d->hostname);
	strv_free(d->nameservers);
	strv_free(d->searchdomains);
	free(d);
}

void ovz_domain_freep(struct ovz_domain **d)
{
	ovz_domain_free(*d);
}

struct ovz_iface *ovz_domain_add_iface(struct ovz_domain *d, enum ovz_iface_type type)
{
	d->ifaces = xrealloc(d->ifaces, (d->n_ifaces + 1) * sizeof(*d->ifaces));
	struct ovz_iface *i = &d->ifaces[d->n_ifaces++];
	memset(i, 0, sizeof(*i));
	i->type = type;
	return i;
}

void ovz_iface_add_ip(struct ovz_iface *iface, const struct ovz_ip *ip)
{
	iface->ips = xrealloc(iface->ips, (iface->n_ips + 1) * sizeof(*ip));
	iface->ips[iface->n_ips++] = *ip;
}

struct ovz_bind_mount *ovz_domain_add_mount(struct ovz_domain *d)
{
	d->mounts = xrealloc(d->mounts, (d->n_mounts + 1) * sizeof(*d->mounts));
	struct ovz_bind_mount *m = &d->mounts[d->n_mounts++];
	memset(m, 0, sizeof(*m));
	return m;
}

const char *ovz_check_ctid(const char *s, unsigned *out)
{
	if (!s || !*s)
		return "is empty";
	if (*s == '-')
		return "is negative";
	uint64_t v;
	int r = parse_u64(s, &v);
	if (r == -ERANGE)
		return "is above 2147483647";
	if (r < 0)
		return "is not a number";
	if (v == 0)
		return "must not be 0";
	if (v > OVZ_CTID_MAX)
		return "is above 2147483647";
	if (out)
		*out = (unsigned)v;
	return NULL;
}

static const char *check_file_name(const char *s, size_t max)
{
	if (!s || !*s)
		return "is empty";
	if (strlen(s) > max)
		return max == OVZ_NAME_MAX ? "is longer than 64 bytes" : "is too long";
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strstr(s, ".."))
		return "contains '..'";
	if (strchr(s, '/'))
		return "contains a slash";
	if (s[0] == '-')
		return "starts with a dash";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isspace(*p))
			return "contains whitespace";
		if (*p < 0x20 || *p == 0x7f)
			return "contains a control character";
	}
	return NULL;
}

const char *ovz_check_name(const char *s)
{
	return check_file_name(s, OVZ_NAME_MAX);
}

const char *ovz_check_template_name(const char *s)
{
	return check_file_name(s, 255);
}

/* What a container's area must never be, nor contain. */
static const char *const system_dirs[] = {
	"/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
	"/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp",
	"/usr", "/usr/bin", "/usr/include", "/usr/lib", "/usr/lib32", "/usr/lib64",
	"/usr/libexec", "/usr/local", "/usr/sbin", "/usr/share", "/usr/src", "/var",
	"/var/cache", "/var/lib", "/var/log", "/var/mail", "/var/run", "/var/spool", "/var/tmp",
	"/etc/vz", "/vz", "/vz/private", "/vz/root", "/vz/template", "/vz/lock",
};

bool ovz_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const char *ovz_check_abs_path(const char *s)
{
	if (!s || s[0] != '/')
		return "is not an absolute path";
	if (strlen(s) >= PATH_MAX)
		return "is too long";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "contains a control character";
	return NULL;
}

const char *ovz_check_area_path(const char *s)
{
	const char *why = ovz_check_abs_path(s);
	if (why)
		return why;
	size_t len = strlen(s);
	while (len > 1 && s[len - 1] == '/')
		len--;
	if (len == 1)
		return "is the root directory";
	for (const char *p = s + 1; p < s + len;) {
		size_t c = strcspn(p, "/");
		if (c > (size_t)(s + len - p))
			c = (size_t)(s + len - p);
		if (c == 2 && memcmp(p, "..", 2) == 0)
			return "contains a '..' component";
		if (c == 0 || (c == 1 && p[0] == '.'))
			return "is not normalised (an empty or '.' component)";
		p += c + 1;
	}
	_cleanup_free_ char *path = xstrndup(s, len);
	for (size_t i = 0; i < ARRAY_SIZE(system_dirs); i++)
		if (ovz_path_within(system_dirs[i], path))
			return strcmp(system_dirs[i], path) == 0 ? "is a system directory"
				: "is a parent of a system directory";
	return NULL;
}

const char *ovz_check_ifname(const char *s)
{
	if (!s || !*s)
		return "is empty";
	if (strlen(s) > OVZ_IFNAME_MAX)
		return "is longer than 15 bytes";
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return "is not a valid interface name";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '/')
			return "contains a slash";
		if (*p == ':' || *p == ',' || *p == ';' || *p == '=')
			return "contains ':', ',', ';' or '='";
		if (isspace(*p) || *p < 0x20 || *p == 0x7f)
			return "contains whitespace or a control character";
	}
	return NULL;
}

const char *ovz_check_netdev(const char *s)
{
	const char *why = ovz_check_ifname(s);
	if (!why && strcmp(s, "lo") == 0)
		return "is the loopback device, which every container has its own of";
	return why;
}

const char *ovz_check_hostname(const char *s)
{
	if (!s || !*s)
		return "is empty";
	if (strlen(s) > 253)
		return "is longer than 253 bytes";
	size_t label = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return "has an empty label";
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return "contains a character other than letters, digits, '-', '_' and '.'";
		if (++label > 63)
			return "has a label longer than 63 bytes";
	}
	if (s[0] == '-')
		return "starts with a dash";
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

const char *ovz_check_mac(const char *s, char out[18])
{
	uint8_t b[6];
	if (!s || strlen(s) != 17)
		return "is not a MAC address of the form aa:bb:cc:dd:ee:ff";
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return "is not a MAC address of the form aa:bb:cc:dd:ee:ff";
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	if (b[0] & 1)
		return "is a multicast address";
	if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
		return "is the all-zero address";
	if (out)
		snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
			 b[5]);
	return NULL;
}

const char *ovz_parse_ip(const char *s, int family, struct ovz_ip *out)
{
	char buf[64];
	if (!s || !*s)
		return "is empty";
	if (strlen(s) >= sizeof(buf))
		return "is not a valid IP address";
	strcpy(buf, s);
	struct ovz_ip ip = { .prefix = -1 };
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, ip.addr) == 1)
		ip.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, ip.addr) == 1)
		ip.family = AF_INET6;
	else
		return "is not a valid IPv4 or IPv6 address";
	if (family && family != ip.family)
		return family == AF_INET ? "is not an IPv4 address" : "is not an IPv6 address";
	if (slash) {
		uint64_t p;
		if (parse_u64(slash, &p) < 0 || p > (ip.family == AF_INET ? 32u : 128u))
			return "has an invalid prefix";
		ip.prefix = (int)p;
	}
	if (out)
		*out = ip;
	return NULL;
}

int ovz_netmask_to_prefix(const char *s)
{
	uint8_t m[4];
	if (!s || inet_pton(AF_INET, s, m) != 1)
		return -1;
	uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	int prefix = 0;
	while (prefix < 32 && (v & (1u << (31 - prefix))))
		prefix++;
	if (prefix < 32 && (v << prefix) != 0)
		return -1;
	return prefix;
}

void ovz_format_ip(const struct ovz_ip *ip, bool with_prefix, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(ip->family, ip->addr, a, sizeof(a));
	if (with_prefix && ip->prefix >= 0)
		snprintf(buf, len, "%s/%d", a, ip->prefix);
	else
		snprintf(buf, len, "%s", a);
}

bool ovz_ip_equal(const struct ovz_ip *a, const struct ovz_ip *b)
{
	return a->family == b->family &&
	       memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

const char *ovz_parse_uuid(const char *s, uint8_t out[16])
{
	static const char *bad = "is not a UUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	uint8_t u[16];
	size_t n = 0;
	if (!s)
		return bad;
	/* libvirt also accepts the 32 hex digits without dashes */
	size_t len = strlen(s);
	bool dashed = len == 36;
	if (!dashed && len != 32)
		return bad;
	for (size_t i = 0; i < len;) {
		if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i++] != '-')
				return bad;
			continue;
		}
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return bad;
		u[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	if (n != 16)
		return bad;
	if (out)
		memcpy(out, u, 16);
	return NULL;
}

void ovz_format_uuid(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}

static const char *const action_names[] = {
	[OVZ_ACTION_DESTROY] = "destroy",
	[OVZ_ACTION_RESTART] = "restart",
	[OVZ_ACTION_PRESERVE] = "preserve",
	[OVZ_ACTION_RENAME_RESTART] = "rename-restart",
	[OVZ_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
	[OVZ_ACTION_COREDUMP_RESTART] = "coredump-restart",
};

const char *ovz_action_name(enum ovz_lifecycle_action a)
{
	if ((size_t)a >= ARRAY_SIZE(action_names) || !action_names[a])
		return NULL;
	return action_names[a];
}

enum ovz_lifecycle_action ovz_action_from_name(const char *s)
{
	for (size_t i = 1; s && i < ARRAY_SIZE(action_names); i++)
		if (strcmp(s, action_names[i]) == 0)
			return (enum ovz_lifecycle_action)i;
	return OVZ_ACTION_UNSET;
}

/* FNV-1a: stable across hosts and releases, which is all a MAC seed needs. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

void ovz_generate_mac(const char *ifname, unsigned ctid, const char *seed, char out[18])
{
	_cleanup_free_ char *key = xasprintf("%s:%u:%s", ifname, ctid, seed ? seed : "");
	uint32_t h = fnv1a(key);
	snprintf(out, 18, "00:18:51:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
}

static bool is_veth_host_dev(const struct ovz_domain *d, const char *dev)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].type == OVZ_IFACE_VETH && strcmp(d->ifaces[i].host_dev, dev) == 0)
			return true;
	return false;
}

static const char *check_netdevs(const struct ovz_domain *d, const char **what, char *value,
				 size_t value_len)
{
	for (size_t i = 0; d->netdevs && d->netdevs[i]; i++) {
		const char *dev = d->netdevs[i];
		const char *why = ovz_check_netdev(dev);
		for (size_t k = 0; !why && k < i; k++)
			if (strcmp(d->netdevs[k], dev) == 0)
				why = "the same host device is given twice";
		if (!why && is_veth_host_dev(d, dev))
			why = "is the host side of one of the container's own veth interfaces";
		if (why) {
			*what = "hostdev/source/interface";
			snprintf(value, value_len, "%s", dev);
			return why;
		}
	}
	return NULL;
}

const char *ovz_domain_check(const struct ovz_domain *d, const char **what, char *value,
			     size_t value_len)
{
	const struct ovz_ip *seen[512];
	size_t n_seen = 0;
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *f = &d->ifaces[i];
		for (size_t j = 0; j < f->n_ips; j++) {
			for (size_t k = 0; k < n_seen; k++) {
				if (!ovz_ip_equal(seen[k], &f->ips[j]))
					continue;
				*what = "interface/ip";
				ovz_format_ip(&f->ips[j], false, value, value_len);
				return "the same address is given twice";
			}
			if (n_seen < ARRAY_SIZE(seen))
				seen[n_seen++] = &f->ips[j];
		}
		for (size_t k = 0; k < i; k++) {
			const struct ovz_iface *g = &d->ifaces[k];
			if (f->type != OVZ_IFACE_VETH || g->type != OVZ_IFACE_VETH)
				continue;
			if (f->guest_dev[0] && strcmp(f->guest_dev, g->guest_dev) == 0) {
				*what = "interface/guest/@dev";
				snprintf(value, value_len, "%s", f->guest_dev);
				return "the same container interface name is used twice";
			}
			if (f->host_dev[0] && strcmp(f->host_dev, g->host_dev) == 0) {
				*what = "interface/target/@dev";
				snprintf(value, value_len, "%s", f->host_dev);
				return "the same host interface name is used twice";
			}
		}
	}
	const char *why = check_netdevs(d, what, value, value_len);
	if (why)
		return why;
	if (d->ostemplate && d->private_dir) {
		*what = "filesystem";
		snprintf(value, value_len, "%s", d->ostemplate);
		return "more than one root filesystem";
	}
	return NULL;
}
