// SPDX-License-Identifier: LGPL-2.1-or-later
/* The model in CTID.conf.  Each owned key has a reader (value -> model) and
 * a formatter (model -> value, NULL when the model leaves it unset).  A
 * rewrite formats each key from the new model and from the model the file
 * holds now; where both agree the line stays as it is, so a config vzctl
 * wrote keeps its spelling (upper-case MACs, "256M", LONG_MAX) until a value
 * really changes.  docs/config.md lists every key and format. */
#include "ctconf.h"
#include "util.h"
#include "vznum.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CPU_PERIOD_DEFAULT 100000u	/* us; CPULIMIT is a percentage of this */

struct rd {
	const struct ovz_conf *c;
	const char *file;
	const char *key;
	unsigned line;
	struct ovz_domain *d;
	struct ovz_error **err;
	const struct ovz_warn *warn;
};

static int bad(const struct rd *r, const char *why, const char *value)
{
	return ovz_error_set(r->err, EINVAL, "%s:%u: %s: %s (%s)", r->file, r->line, r->key, why,
			     value);
}

static int bad_field(const struct rd *r, const char *field, const char *why, const char *value)
{
	return ovz_error_set(r->err, EINVAL, "%s:%u: %s: %s %s (%s)", r->file, r->line, r->key,
			     field, why, value);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* strv_split, but never NULL */
static char **split(const char *s, const char *seps)
{
	char **v = strv_split(s, seps);
	return v ? v : xcalloc(1, sizeof(char *));
}

static bool streq_null(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* ---- escapes: "\ooo" as in fstab ------------------------------------- */

static bool is_octal(char ch)
{
	return ch >= '0' && ch <= '7';
}

static bool at_escape(const char *p)
{
	return p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && is_octal(p[2]) && is_octal(p[3]);
}

/* Control characters and the separators in special become "\ooo"; a
 * backslash is escaped only where it would otherwise read as an escape, so
 * text vzctl wrote (which knows no escapes) reads back unchanged. */
static char *escape(const char *s, const char *special)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20 || ch == 0x7f || strchr(special, ch) || at_escape(p))
			strbuf_printf(&sb, "\\%03o", ch);
		else
			strbuf_putc(&sb, (char)ch);
	}
	return strbuf_steal(&sb);
}

static char *unescape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = s; *p;) {
		int v = at_escape(p) ? (p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0') : 0;
		if (v == 0) {	/* not an escape, or "\000": kept as text */
			strbuf_putc(&sb, *p++);
			continue;
		}
		strbuf_putc(&sb, (char)v);
		p += 4;
	}
	return strbuf_steal(&sb);
}

/* ---- amounts: pages and 1K blocks, suffixes, "unlimited" -------------- */

static uint64_t page_kib(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	return ps >= 1024 ? (uint64_t)ps / 1024 : 4;
}

/* The key's number (in units of unit_kib KiB, as vzctl reads it) in KiB;
 * LONG_MAX units and more mean unlimited, which the model holds as
 * OVZ_UNSET. */
static uint64_t units_to_kib(uint64_t n, uint64_t unit_kib)
{
	if (n >= (uint64_t)LONG_MAX || n > (OVZ_UNSET - 1) / unit_kib)
		return OVZ_UNSET;
	return n * unit_kib;
}

/* Whole units when exact, else KiB with a K suffix so nothing is rounded. */
static char *format_amount(uint64_t kib, uint64_t unit_kib)
{
	if (kib == OVZ_UNSET)
		return xstrdup("unlimited");
	if (kib % unit_kib == 0)
		return xasprintf("%" PRIu64, kib / unit_kib);
	return xasprintf("%" PRIu64 "K", kib);
}

struct pair {
	uint64_t barrier, limit;	/* KiB; OVZ_UNSET = not given or unlimited */
};

/* "barrier:limit"; a single value is the limit alone. */
static const char *parse_pair(const char *s, uint64_t unit_kib, struct pair *p, bool *cut)
{
	struct ovz_vznum how = { .unit_bytes = unit_kib * 1024, .allow_unlimited = true };
	uint64_t b, l;
	const char *why = ovz_vznum_pair(&how, s, &b, &l, cut);
	if (why)
		return why;
	p->barrier = strchr(s, ':') ? units_to_kib(b, unit_kib) : OVZ_UNSET;
	p->limit = units_to_kib(l, unit_kib);
	return NULL;
}

static char *format_pair(uint64_t barrier, uint64_t limit, uint64_t unit_kib)
{
	if (barrier == OVZ_UNSET && limit == OVZ_UNSET)
		return NULL;
	if (barrier == OVZ_UNSET)
		return format_amount(limit, unit_kib);
	_cleanup_free_ char *b = format_amount(barrier, unit_kib);
	_cleanup_free_ char *l = format_amount(limit, unit_kib);
	return xasprintf("%s:%s", b, l);
}

static int read_pair(const struct rd *r, const char *value, uint64_t unit_kib, struct pair *p)
{
	bool cut;
	const char *why = parse_pair(value, unit_kib, p, &cut);
	if (why)
		return bad(r, why, value);
	if (cut)
		ovz_warn(r->warn, "%s:%u: %s: too large, read as unlimited (%s)", r->file, r->line,
			 r->key, value);
	return 0;
}

/* ---- readers and formatters, one pair per owned key ------------------ */

static int read_name(struct rd *r, const char *v)
{
	const char *why = ovz_check_name(v);
	if (why)
		return bad(r, why, v);
	r->d->name = xstrdup(v);
	return 0;
}

static char *fmt_name(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return dup_or_null(d->name);
}

static int read_description(struct rd *r, const char *v)
{
	r->d->description = xstrdup(v);
	return 0;
}

static char *fmt_description(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return dup_or_null(d->description);
}

/* vz7 also knows ONBOOT="auto" (restore the last state): no model value. */
static int read_onboot(struct rd *r, const char *v)
{
	if (strcmp(v, "yes") == 0)
		r->d->autostart = OVZ_YES;
	else if (strcmp(v, "no") == 0)
		r->d->autostart = OVZ_NO;
	else if (strcmp(v, "auto") != 0)
		return bad(r, "is not yes or no", v);
	return 0;
}

static char *fmt_onboot(const struct ovz_domain *d, const struct ovz_conf *c)
{
	if (d->autostart == OVZ_UNKNOWN)
		return NULL;
	return xstrdup(d->autostart == OVZ_YES ? "yes" : "no");
}

static int read_ostemplate(struct rd *r, const char *v)
{
	const char *why = ovz_check_template_name(v);
	if (why)
		return bad(r, why, v);
	r->d->ostemplate = xstrdup(v);
	return 0;
}

static char *fmt_ostemplate(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return dup_or_null(d->ostemplate);
}

static bool mentions_veid(const char *v)
{
	return strstr(v, "$VEID") || strstr(v, "${VEID}");
}

/* VE_PRIVATE is the mount-type root only for a config without OSTEMPLATE
 * and with a path of its own: "/vz/private/$VEID" is just the default
 * private area of a template-based container. */
static int read_private(struct rd *r, const char *v)
{
	const char *why = ovz_check_area_path(v);
	if (why)
		return bad(r, why, v);
	const char *tmpl = ovz_conf_get(r->c, "OSTEMPLATE");
	if ((tmpl && *tmpl) || mentions_veid(v))
		return 0;
	r->d->private_dir = xstrdup(v);
	return 0;
}

/* VE_ROOT is not in the model, but it must be a sane place too. */
static int read_root(struct rd *r, const char *v)
{
	const char *why = ovz_check_area_path(v);
	return why ? bad(r, why, v) : 0;
}

static char *fmt_private(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return dup_or_null(d->private_dir);
}

static int read_diskspace(struct rd *r, const char *v)
{
	struct pair p = { 0 };
	int e = read_pair(r, v, 1, &p);
	if (e < 0)
		return e;
	r->d->space_soft_limit = p.barrier;
	r->d->space_hard_limit = p.limit;
	return 0;
}

/* vzctl takes no "unlimited" for the disk quota: LONG_MAX blocks instead. */
static char *fmt_diskspace(const struct ovz_domain *d, const struct ovz_conf *c)
{
	uint64_t soft = d->space_soft_limit, hard = d->space_hard_limit;
	if (soft == OVZ_UNSET && hard == OVZ_UNSET)
		return NULL;
	if (soft == OVZ_UNSET)
		return format_amount(hard, 1);
	_cleanup_free_ char *b = format_amount(soft, 1);
	_cleanup_free_ char *l = hard == OVZ_UNSET ? xasprintf("%ld", LONG_MAX)
						   : format_amount(hard, 1);
	return xasprintf("%s:%s", b, l);
}

/* PHYSPAGES barrier 0 means no separate current memory. */
static int read_physpages(struct rd *r, const char *v)
{
	struct pair p = { 0 };
	int e = read_pair(r, v, page_kib(), &p);
	if (e < 0)
		return e;
	r->d->memory = p.limit;
	r->d->current_memory = p.barrier == 0 ? OVZ_UNSET : p.barrier;
	return 0;
}

static char *fmt_physpages(const struct ovz_domain *d, const struct ovz_conf *c)
{
	if (d->memory == OVZ_UNSET && d->current_memory == OVZ_UNSET)
		return NULL;
	bool own_current = d->current_memory != OVZ_UNSET && d->current_memory != d->memory;
	return format_pair(own_current ? d->current_memory : 0, d->memory, page_kib());
}

/* SWAPPAGES holds swap on top of RAM; the model holds RAM + swap. */
static uint64_t swap_base(const struct ovz_domain *d)
{
	return d->memory == OVZ_UNSET ? 0 : d->memory;
}

static int read_swappages(struct rd *r, const char *v)
{
	struct pair p = { 0 };
	int e = read_pair(r, v, page_kib(), &p);
	if (e < 0)
		return e;
	if (p.limit == OVZ_UNSET)
		return 0;
	uint64_t base = swap_base(r->d);
	if (p.limit >= OVZ_UNSET - base)
		return bad(r, "is too large", v);
	r->d->mem_swap_hard_limit = base + p.limit;
	return 0;
}

/* vzctl refuses a memory limit (PHYSPAGES) without SWAPPAGES ("required UB
 * parameter (swap) not set"): a memory limit without a swap limit gets no
 * swap. */
static char *fmt_swappages(const struct ovz_domain *d, const struct ovz_conf *c)
{
	uint64_t swap = d->mem_swap_hard_limit, base = swap_base(d);
	if (swap == OVZ_UNSET && d->memory != OVZ_UNSET)
		return xstrdup("0:0");
	if (swap == OVZ_UNSET)
		return NULL;
	return format_pair(0, swap > base ? swap - base : 0, page_kib());
}

static int read_privvmpages(struct rd *r, const char *v)
{
	struct pair p = { 0 };
	int e = read_pair(r, v, page_kib(), &p);
	if (e < 0)
		return e;
	r->d->mem_soft_limit = p.barrier;
	r->d->mem_hard_limit = p.limit;
	return 0;
}

static char *fmt_privvmpages(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return format_pair(d->mem_soft_limit, d->mem_hard_limit, page_kib());
}

/* Only the VMGUARPAGES barrier means something (as libvirt reads it). */
static int read_vmguarpages(struct rd *r, const char *v)
{
	struct pair p = { 0 };
	int e = read_pair(r, v, page_kib(), &p);
	if (e < 0)
		return e;
	r->d->mem_min_guarantee = p.barrier != OVZ_UNSET ? p.barrier : p.limit;
	return 0;
}

static char *fmt_vmguarpages(const struct ovz_domain *d, const struct ovz_conf *c)
{
	if (d->mem_min_guarantee == OVZ_UNSET)
		return NULL;
	return format_pair(d->mem_min_guarantee, OVZ_UNSET, page_kib());
}

static int read_number(const struct rd *r, const char *v, uint64_t max, uint64_t *out)
{
	if (parse_u64(v, out) < 0)
		return bad(r, "is not a number", v);
	if (*out > max)
		return bad(r, "is too large", v);
	return 0;
}

static char *format_u64(uint64_t v)
{
	return xasprintf("%" PRIu64, v);
}

static int read_cpus(struct rd *r, const char *v)
{
	uint64_t n;
	if (strcmp(v, "unlimited") == 0)
		return 0;
	int e = read_number(r, v, UINT_MAX, &n);
	if (e == 0)
		r->d->vcpus = (unsigned)n;
	return e;
}

static char *fmt_cpus(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return d->vcpus ? xasprintf("%u", d->vcpus) : NULL;
}

static int read_cpuunits(struct rd *r, const char *v)
{
	uint64_t n;
	int e = read_number(r, v, UINT64_MAX - 1, &n);
	if (e == 0)
		r->d->cpu_shares = n;
	return e;
}

static char *fmt_cpuunits(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return d->cpu_shares == OVZ_UNSET ? NULL : format_u64(d->cpu_shares);
}

/* CPULIMIT n (percent of one CPU, "n%" too) = quota n*1000 us per 100 ms. */
static int read_cpulimit(struct rd *r, const char *v)
{
	_cleanup_free_ char *num = xstrdup(v);
	size_t len = strlen(num);
	if (len > 1 && num[len - 1] == '%')
		num[len - 1] = '\0';
	uint64_t n;
	int e = read_number(r, num, INT64_MAX / 1000, &n);
	if (e < 0 || n == 0)	/* 0: no limit */
		return e;
	r->d->cpu_quota = (int64_t)(n * 1000);
	r->d->cpu_period = CPU_PERIOD_DEFAULT;
	return 0;
}

/* Rounded up, so a small quota never turns into 0 (no limit). */
static char *fmt_cpulimit(const struct ovz_domain *d, const struct ovz_conf *c)
{
	if (d->cpu_quota <= 0)
		return NULL;
	uint64_t q = (uint64_t)d->cpu_quota;
	uint64_t period = d->cpu_period == OVZ_UNSET || d->cpu_period == 0 ? CPU_PERIOD_DEFAULT
									   : d->cpu_period;
	uint64_t pct = q <= (UINT64_MAX - period) / 100 ? (q * 100 + period - 1) / period
							: q / period * 100;
	return format_u64(pct);
}

static int read_hostname(struct rd *r, const char *v)
{
	const char *why = ovz_check_hostname(v);
	if (why)
		return bad(r, why, v);
	r->d->hostname = xstrdup(v);
	return 0;
}

static char *fmt_hostname(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return dup_or_null(d->hostname);
}

static char *join_list(char *const *v)
{
	return v && v[0] ? strv_join(v, " ") : NULL;
}

/* "inherit" (copy the host's resolv.conf) has no model value. */
static bool is_inherit(char **list)
{
	return list[0] && !list[1] && strcmp(list[0], "inherit") == 0;
}

static int read_nameservers(struct rd *r, const char *v)
{
	_cleanup_strv_ char **list = split(v, " \t");
	if (is_inherit(list))
		return 0;
	for (size_t i = 0; list[i]; i++) {
		const char *why = ovz_parse_ip(list[i], 0, NULL);
		if (why)
			return bad(r, why, list[i]);
	}
	if (list[0]) {
		r->d->nameservers = list;
		list = NULL;
	}
	return 0;
}

static char *fmt_nameservers(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return join_list(d->nameservers);
}

static int read_searchdomains(struct rd *r, const char *v)
{
	_cleanup_strv_ char **list = split(v, " \t");
	if (is_inherit(list))
		return 0;
	for (size_t i = 0; list[i]; i++) {
		const char *why = ovz_check_hostname(list[i]);
		if (why)
			return bad(r, why, list[i]);
	}
	if (list[0]) {
		r->d->searchdomains = list;
		list = NULL;
	}
	return 0;
}

static char *fmt_searchdomains(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return join_list(d->searchdomains);
}

/* ---- venet: IP_ADDRESS, GATEWAY, GATEWAY6 ----------------------------- */

static struct ovz_iface *venet_of(struct ovz_domain *d)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].type == OVZ_IFACE_VENET)
			return &d->ifaces[i];
	return ovz_domain_add_iface(d, OVZ_IFACE_VENET);
}

/* vzctl also takes "addr/255.255.255.0" */
static const char *parse_ip_or_netmask(const char *s, struct ovz_ip *ip)
{
	const char *why = ovz_parse_ip(s, 0, ip);
	const char *slash = strchr(s, '/');
	if (!why || !slash || !strchr(slash, '.'))
		return why;
	int prefix = ovz_netmask_to_prefix(slash + 1);
	_cleanup_free_ char *addr = xstrndup(s, (size_t)(slash - s));
	if (prefix < 0 || ovz_parse_ip(addr, AF_INET, ip))
		return why;
	ip->prefix = prefix;
	return NULL;
}

static bool has_ip(const struct ovz_iface *f, const struct ovz_ip *ip)
{
	char want[64], have[64];
	ovz_format_ip(ip, true, want, sizeof(want));
	for (size_t i = 0; i < f->n_ips; i++) {
		ovz_format_ip(&f->ips[i], true, have, sizeof(have));
		if (strcmp(have, want) == 0)
			return true;
	}
	return false;
}

/* IP_ADDRESS (field NULL) is a set, as vzctl reads it: an address given
 * again (on the same line or another IP_ADDRESS line) counts once. */
static int read_ips(const struct rd *r, const char *field, const char *v, struct ovz_iface *f)
{
	_cleanup_strv_ char **list = split(v, " \t");
	for (size_t i = 0; list[i]; i++) {
		struct ovz_ip ip;
		const char *why = parse_ip_or_netmask(list[i], &ip);
		if (why)
			return field ? bad_field(r, field, why, list[i]) : bad(r, why, list[i]);
		if (!field && has_ip(f, &ip))
			continue;
		ovz_iface_add_ip(f, &ip);
	}
	return 0;
}

static void put_ips(struct strbuf *sb, const struct ovz_iface *f)
{
	for (size_t i = 0; i < f->n_ips; i++) {
		char buf[64];
		ovz_format_ip(&f->ips[i], true, buf, sizeof(buf));
		if (sb->len && sb->buf[sb->len - 1] != '=')
			strbuf_putc(sb, ' ');
		strbuf_puts(sb, buf);
	}
}

/* A venet interface exists when any of IP_ADDRESS, GATEWAY, GATEWAY6 is
 * present; IP_ADDRESS="" stands for one with neither addresses nor gateways. */
static int read_ip_address(struct rd *r, const char *v)
{
	return read_ips(r, NULL, v, venet_of(r->d));
}

static char *fmt_ip_address(const struct ovz_domain *d, const struct ovz_conf *c)
{
	struct strbuf sb = STRBUF_INIT;
	bool any = false, gateway = false;
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *f = &d->ifaces[i];
		if (f->type != OVZ_IFACE_VENET)
			continue;
		any = true;
		gateway = gateway || f->gw4.family || f->gw6.family;
		put_ips(&sb, f);
	}
	if (!any || (sb.len == 0 && gateway)) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

static int read_gateway_family(struct rd *r, const char *v, int family)
{
	struct ovz_ip ip;
	const char *why = ovz_parse_ip(v, family, &ip);
	if (why)
		return bad(r, why, v);
	struct ovz_iface *f = venet_of(r->d);
	*(family == AF_INET ? &f->gw4 : &f->gw6) = ip;
	return 0;
}

static char *fmt_gateway_family(const struct ovz_domain *d, int family)
{
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *f = &d->ifaces[i];
		const struct ovz_ip *gw = family == AF_INET ? &f->gw4 : &f->gw6;
		if (f->type != OVZ_IFACE_VENET || gw->family != family)
			continue;
		char buf[64];
		ovz_format_ip(gw, true, buf, sizeof(buf));
		return xstrdup(buf);
	}
	return NULL;
}

static int read_gateway(struct rd *r, const char *v)
{
	return read_gateway_family(r, v, AF_INET);
}

static char *fmt_gateway(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return fmt_gateway_family(d, AF_INET);
}

static int read_gateway6(struct rd *r, const char *v)
{
	return read_gateway_family(r, v, AF_INET6);
}

static char *fmt_gateway6(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return fmt_gateway_family(d, AF_INET6);
}

/* ---- veth: NETIF ------------------------------------------------------ */

enum netif_type { NF_IFNAME, NF_MAC, NF_IPS, NF_GW };

/* In the order they are written; vzctl's five first. */
static const struct netif_field {
	const char *name;
	enum netif_type type;
	size_t off;
	int family;
} netif_fields[] = {
	{ "ifname", NF_IFNAME, offsetof(struct ovz_iface, guest_dev), 0 },
	{ "mac", NF_MAC, offsetof(struct ovz_iface, mac), 0 },
	{ "host_ifname", NF_IFNAME, offsetof(struct ovz_iface, host_dev), 0 },
	{ "host_mac", NF_MAC, offsetof(struct ovz_iface, host_mac), 0 },
	{ "bridge", NF_IFNAME, offsetof(struct ovz_iface, bridge), 0 },
	{ "ip", NF_IPS, 0, 0 },
	{ "gw", NF_GW, offsetof(struct ovz_iface, gw4), AF_INET },
	{ "gw6", NF_GW, offsetof(struct ovz_iface, gw6), AF_INET6 },
};

static const struct netif_field *netif_field_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(netif_fields); i++)
		if (strlen(netif_fields[i].name) == len &&
		    strncmp(netif_fields[i].name, name, len) == 0)
			return &netif_fields[i];
	return NULL;
}

static int read_netif_value(const struct rd *r, const struct netif_field *nf, const char *v,
			    struct ovz_iface *f)
{
	char *slot = (char *)f + nf->off;
	const char *why;
	if (!*v)	/* "mac=": not set */
		return 0;
	switch (nf->type) {
	case NF_IFNAME:
		why = ovz_check_ifname(v);
		if (!why)
			snprintf(slot, OVZ_IFNAME_MAX + 1, "%s", v);
		break;
	case NF_MAC:
		why = ovz_check_mac(v, slot);
		break;
	case NF_IPS:
		return read_ips(r, nf->name, v, f);
	case NF_GW:
		why = ovz_parse_ip(v, nf->family, (struct ovz_ip *)(void *)slot);
		break;
	default:
		why = "is not supported";
	}
	return why ? bad_field(r, nf->name, why, v) : 0;
}

/* Fields we do not model (mac_filter=on, vz7's own) are left to the writer,
 * which carries them over from the file. */
static int read_netif_device(const struct rd *r, const char *dev)
{
	_cleanup_strv_ char **fields = split(dev, ",");
	if (!fields[0])
		return 0;
	struct ovz_iface *f = ovz_domain_add_iface(r->d, OVZ_IFACE_VETH);
	for (size_t i = 0; fields[i]; i++) {
		const char *eq = strchr(fields[i], '=');
		if (!eq)
			return bad(r, "field has no '='", fields[i]);
		const struct netif_field *nf =
			netif_field_by_name(fields[i], (size_t)(eq - fields[i]));
		int e = nf ? read_netif_value(r, nf, eq + 1, f) : 0;
		if (e < 0)
			return e;
	}
	return 0;
}

static int read_netif(struct rd *r, const char *v)
{
	_cleanup_strv_ char **devs = split(v, ";");
	for (size_t i = 0; devs[i]; i++) {
		int e = read_netif_device(r, devs[i]);
		if (e < 0)
			return e;
	}
	return 0;
}

static void put_netif_field(struct strbuf *sb, const struct netif_field *nf,
			    const struct ovz_iface *f)
{
	const char *slot = (const char *)f + nf->off;
	size_t start = sb->len;
	if (nf->type == NF_IPS && f->n_ips == 0)
		return;
	if (nf->type == NF_GW && ((const struct ovz_ip *)(const void *)slot)->family == 0)
		return;
	if ((nf->type == NF_IFNAME || nf->type == NF_MAC) && !slot[0])
		return;
	if (start && sb->buf[start - 1] != ';')
		strbuf_putc(sb, ',');
	strbuf_printf(sb, "%s=", nf->name);
	if (nf->type == NF_IPS) {
		put_ips(sb, f);
	} else if (nf->type == NF_GW) {
		char buf[64];
		ovz_format_ip((const struct ovz_ip *)(const void *)slot, true, buf, sizeof(buf));
		strbuf_puts(sb, buf);
	} else {
		strbuf_puts(sb, slot);
	}
}

/* The fields of the device named ifname in the file's NETIF that we do not
 * model, in their order. */
static void put_netif_extras(struct strbuf *sb, const struct ovz_conf *c, const char *ifname)
{
	const char *v = ovz_conf_get(c, "NETIF");
	if (!v || !ifname[0])
		return;
	_cleanup_strv_ char **devs = split(v, ";");
	for (size_t i = 0; devs[i]; i++) {
		_cleanup_strv_ char **fields = split(devs[i], ",");
		_cleanup_free_ char *want = xasprintf("ifname=%s", ifname);
		if (!strv_contains(fields, want))
			continue;
		for (size_t j = 0; fields[j]; j++) {
			const char *eq = strchr(fields[j], '=');
			if (eq && netif_field_by_name(fields[j], (size_t)(eq - fields[j])))
				continue;
			strbuf_printf(sb, ",%s", fields[j]);
		}
		return;
	}
}

typedef char ifname_t[OVZ_IFNAME_MAX + 1];

/* Whether another veth interface has name: its own, or one given so far. */
static bool veth_name_used(const struct ovz_domain *d, ifname_t *names, size_t upto,
			   const char *name)
{
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *g = &d->ifaces[i];
		const char *have = g->guest_dev[0] ? g->guest_dev : i < upto ? names[i] : NULL;
		if (g->type == OVZ_IFACE_VETH && have && strcmp(have, name) == 0)
			return true;
	}
	return false;
}

/* The container side names (names[i] for ifaces[i]): as given, else ethN,
 * N its place among the veth interfaces as the backends name it
 * (src/net/veth.c), or the next N no other interface has.  vzctl skips a
 * NETIF device without a name. */
static ifname_t *veth_names(const struct ovz_domain *d)
{
	ifname_t *names = xcalloc(d->n_ifaces ? d->n_ifaces : 1, sizeof(*names));
	unsigned n = 0;
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *f = &d->ifaces[i];
		if (f->type != OVZ_IFACE_VETH)
			continue;
		unsigned k = n++;
		if (f->guest_dev[0]) {
			snprintf(names[i], sizeof(names[i]), "%s", f->guest_dev);
			continue;
		}
		do
			snprintf(names[i], sizeof(names[i]), "eth%u", k++);
		while (veth_name_used(d, names, i, names[i]));
	}
	return names;
}

static bool is_address_field(const struct netif_field *nf)
{
	return nf->type == NF_IPS || nf->type == NF_GW;
}

/* One "ifname=NAME,..." per veth interface, ';' between them: vzctl's
 * fields and the file's unmodelled ones for NETIF, or the addresses and
 * gateways for NETIF_IP (where an interface without any is left out). */
static char *fmt_veth_devices(const struct ovz_domain *d, const struct ovz_conf *c,
			      bool addresses)
{
	struct strbuf sb = STRBUF_INIT;
	_cleanup_free_ ifname_t *names = veth_names(d);
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *f = &d->ifaces[i];
		if (f->type != OVZ_IFACE_VETH)
			continue;
		const char *ifname = names[i];
		size_t start = sb.len;
		strbuf_printf(&sb, "%sifname=%s", start ? ";" : "", ifname);
		size_t bare = sb.len;
		for (size_t k = 1; k < ARRAY_SIZE(netif_fields); k++)
			if (is_address_field(&netif_fields[k]) == addresses)
				put_netif_field(&sb, &netif_fields[k], f);
		if (!addresses)
			put_netif_extras(&sb, c, ifname);
		else if (sb.len == bare)
			sb.buf[sb.len = start] = '\0';
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

/* vzctl's fields only: vzctl rewrites NETIF on every veth change and drops
 * the fields it does not know, so addresses live in NETIF_IP. */
static char *fmt_netif(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return fmt_veth_devices(d, c, false);
}

/* ---- veth addresses: NETIF_IP (ours) ---------------------------------- */

/* "ifname=eth0,ip=A/P B,gw=G,gw6=G6;ifname=eth1,...", for the devices of
 * NETIF with that ifname; a device NETIF does not have is skipped. */
static int read_netif_ip(struct rd *r, const char *v)
{
	_cleanup_strv_ char **devs = split(v, ";");
	for (size_t i = 0; devs[i]; i++) {
		_cleanup_strv_ char **fields = split(devs[i], ",");
		if (!fields[0] || !str_startswith(fields[0], "ifname="))
			return bad(r, "device does not start with ifname=", devs[i]);
		struct ovz_iface *f = NULL;
		for (size_t k = 0; k < r->d->n_ifaces && !f; k++)
			if (r->d->ifaces[k].type == OVZ_IFACE_VETH &&
			    strcmp(r->d->ifaces[k].guest_dev, fields[0] + 7) == 0)
				f = &r->d->ifaces[k];
		if (!f)
			return bad(r, "names a device NETIF does not have", fields[0] + 7);
		for (size_t j = 1; fields[j]; j++) {
			const char *eq = strchr(fields[j], '=');
			const struct netif_field *nf =
				eq ? netif_field_by_name(fields[j], (size_t)(eq - fields[j])) : NULL;
			if (!nf || !is_address_field(nf))
				return bad(r, "field is not ip=, gw= or gw6=", fields[j]);
			int e = read_netif_value(r, nf, eq + 1, f);
			if (e < 0)
				return e;
		}
	}
	return 0;
}

static char *fmt_netif_ip(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return fmt_veth_devices(d, c, true);
}

/* ---- NETDEV: host devices moved in, space separated as vzctl writes ---- */

static int read_netdev(struct rd *r, const char *v)
{
	_cleanup_strv_ char **list = split(v, " \t");
	size_t n = 0;
	for (size_t i = 0; list[i]; i++) {
		const char *why = ovz_check_netdev(list[i]);
		if (why)
			return bad(r, why, list[i]);
		bool again = false;	/* vzctl keeps a device once */
		for (size_t j = 0; j < n && !again; j++)
			again = strcmp(list[j], list[i]) == 0;
		if (again)
			free(list[i]);
		else
			list[n++] = list[i];
	}
	list[n] = NULL;
	if (n) {
		r->d->netdevs = list;
		list = NULL;
	}
	return 0;
}

static char *fmt_netdev(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return join_list(d->netdevs);
}

/* ---- BINDMOUNT, INIT, INIT_ARGS, ON_* --------------------------------- */

static int read_bind_mount(const struct rd *r, const char *entry)
{
	const char *c1 = strchr(entry, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *opt = c2 ? c2 + 1 : "";
	if (!c1 || (c2 && strchr(opt, ':')))
		return bad(r, "is not source:target or source:target:ro", entry);
	if (c2 && strcmp(opt, "ro") != 0 && strcmp(opt, "rw") != 0)
		return bad(r, "has an option other than ro or rw", entry);
	_cleanup_free_ char *src_text = xstrndup(entry, (size_t)(c1 - entry));
	_cleanup_free_ char *dst_text = c2 ? xstrndup(c1 + 1, (size_t)(c2 - c1 - 1))
					   : xstrdup(c1 + 1);
	_cleanup_free_ char *src = unescape(src_text);
	_cleanup_free_ char *dst = unescape(dst_text);
	if (src[0] != '/' || dst[0] != '/')
		return bad(r, "has a path that is not absolute", entry);
	struct ovz_bind_mount *m = ovz_domain_add_mount(r->d);
	m->source = src;
	m->target = dst;
	m->readonly = strcmp(opt, "ro") == 0;
	src = dst = NULL;
	return 0;
}

static int read_bindmount(struct rd *r, const char *v)
{
	_cleanup_strv_ char **list = split(v, " \t");
	for (size_t i = 0; list[i]; i++) {
		int e = read_bind_mount(r, list[i]);
		if (e < 0)
			return e;
	}
	return 0;
}

static char *fmt_bindmount(const struct ovz_domain *d, const struct ovz_conf *c)
{
	if (d->n_mounts == 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d->n_mounts; i++) {
		_cleanup_free_ char *src = escape(d->mounts[i].source, ": \t");
		_cleanup_free_ char *dst = escape(d->mounts[i].target, ": \t");
		strbuf_printf(&sb, "%s%s:%s%s", i ? " " : "", src, dst,
			      d->mounts[i].readonly ? ":ro" : "");
	}
	return strbuf_steal(&sb);
}

static int read_init(struct rd *r, const char *v)
{
	_cleanup_free_ char *path = unescape(v);
	if (path[0] != '/')
		return bad(r, "is not an absolute path", v);
	r->d->init = path;
	path = NULL;
	return 0;
}

static char *fmt_init(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return d->init ? escape(d->init, "") : NULL;
}

static int read_init_args(struct rd *r, const char *v)
{
	_cleanup_strv_ char **words = split(v, " \t");
	for (size_t i = 0; words[i]; i++) {
		char *w = unescape(words[i]);
		free(words[i]);
		words[i] = w;
	}
	if (words[0]) {
		r->d->init_args = words;
		words = NULL;
	}
	return 0;
}

static char *fmt_init_args(const struct ovz_domain *d, const struct ovz_conf *c)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; d->init_args && d->init_args[i]; i++) {
		_cleanup_free_ char *w = escape(d->init_args[i], " \t");
		if (!w[0])
			continue;	/* an empty argument cannot be written */
		if (sb.len)
			strbuf_putc(&sb, ' ');
		strbuf_puts(&sb, w);
	}
	if (sb.len == 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

static int read_action(const struct rd *r, const char *v, enum ovz_lifecycle_action *a)
{
	*a = ovz_action_from_name(v);
	if (*a == OVZ_ACTION_UNSET)
		return bad(r,
			   "is not destroy, restart, preserve, rename-restart, "
			   "coredump-destroy or coredump-restart",
			   v);
	return 0;
}

static char *fmt_action(enum ovz_lifecycle_action a)
{
	return dup_or_null(ovz_action_name(a));
}

static int read_on_poweroff(struct rd *r, const char *v)
{
	return read_action(r, v, &r->d->on_poweroff);
}

static char *fmt_on_poweroff(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return fmt_action(d->on_poweroff);
}

static int read_on_reboot(struct rd *r, const char *v)
{
	return read_action(r, v, &r->d->on_reboot);
}

static char *fmt_on_reboot(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return fmt_action(d->on_reboot);
}

static int read_on_crash(struct rd *r, const char *v)
{
	return read_action(r, v, &r->d->on_crash);
}

static char *fmt_on_crash(const struct ovz_domain *d, const struct ovz_conf *c)
{
	return fmt_action(d->on_crash);
}

/* ---- the key table ---------------------------------------------------- */

static const char *vz_ve_root(const struct ovz_vzconf *vz)
{
	return vz->ve_root;
}

static const char *vz_ve_private(const struct ovz_vzconf *vz)
{
	return vz->ve_private;
}

enum {
	KEY_READ_EMPTY = 1 << 0,	/* an empty value means something */
	KEY_KEEP = 1 << 1,		/* never removed */
	KEY_FS = 1 << 2,		/* unset without a root filesystem: left as it is */
	KEY_ALSO_ELSEWHERE = 1 << 3,	/* what it says may already be in another key */
};

struct key_map {
	const char *key;
	int (*read)(struct rd *r, const char *value);
	char *(*format)(const struct ovz_domain *d, const struct ovz_conf *c);
	unsigned flags;
	const char *(*vz_default)(const struct ovz_vzconf *vz);	/* when the file has none */
};

/* Read in this order (SWAPPAGES needs PHYSPAGES, the venet keys come
 * before NETIF) and appended in this order. */
static const struct key_map keys[] = {
	{ "NAME", read_name, fmt_name, 0, NULL },
	{ "DESCRIPTION", read_description, fmt_description, 0, NULL },
	{ "ONBOOT", read_onboot, fmt_onboot, 0, NULL },
	{ "OSTEMPLATE", read_ostemplate, fmt_ostemplate, 0, NULL },
	{ "VE_ROOT", read_root, NULL, KEY_KEEP, vz_ve_root },
	{ "VE_PRIVATE", read_private, fmt_private, KEY_KEEP, vz_ve_private },
	{ "DISKSPACE", read_diskspace, fmt_diskspace, KEY_FS, NULL },
	{ "PHYSPAGES", read_physpages, fmt_physpages, 0, NULL },
	{ "SWAPPAGES", read_swappages, fmt_swappages, 0, NULL },
	{ "PRIVVMPAGES", read_privvmpages, fmt_privvmpages, 0, NULL },
	{ "VMGUARPAGES", read_vmguarpages, fmt_vmguarpages, 0, NULL },
	{ "CPUS", read_cpus, fmt_cpus, 0, NULL },
	{ "CPUUNITS", read_cpuunits, fmt_cpuunits, 0, NULL },
	{ "CPULIMIT", read_cpulimit, fmt_cpulimit, 0, NULL },
	{ "HOSTNAME", read_hostname, fmt_hostname, 0, NULL },
	{ "NAMESERVER", read_nameservers, fmt_nameservers, 0, NULL },
	{ "SEARCHDOMAIN", read_searchdomains, fmt_searchdomains, 0, NULL },
	{ "IP_ADDRESS", read_ip_address, fmt_ip_address, KEY_READ_EMPTY, NULL },
	{ "GATEWAY", read_gateway, fmt_gateway, 0, NULL },
	{ "GATEWAY6", read_gateway6, fmt_gateway6, 0, NULL },
	{ "NETIF", read_netif, fmt_netif, 0, NULL },
	/* earlier versions wrote the addresses into NETIF itself */
	{ "NETIF_IP", read_netif_ip, fmt_netif_ip, KEY_ALSO_ELSEWHERE, NULL },
	{ "NETDEV", read_netdev, fmt_netdev, 0, NULL },
	{ "BINDMOUNT", read_bindmount, fmt_bindmount, 0, NULL },
	{ "INIT", read_init, fmt_init, 0, NULL },
	{ "INIT_ARGS", read_init_args, fmt_init_args, 0, NULL },
	{ "ON_POWEROFF", read_on_poweroff, fmt_on_poweroff, 0, NULL },
	{ "ON_REBOOT", read_on_reboot, fmt_on_reboot, 0, NULL },
	{ "ON_CRASH", read_on_crash, fmt_on_crash, 0, NULL },
};

/* ---- UUID: vz7's UUID key, else libvirt's "#UUID:" comment ------------ */

static int read_uuid(struct rd *r)
{
	const char *v = ovz_conf_get(r->c, "UUID");
	r->key = "UUID";
	r->line = ovz_conf_line(r->c, "UUID");
	if (!v || !*v) {
		v = ovz_conf_get_uuid_comment(r->c);
		r->key = "#UUID";
		r->line = ovz_conf_uuid_comment_line(r->c);
	}
	if (!v || !*v)
		return 0;
	/* vz7 may write it in braces */
	size_t len = strlen(v);
	_cleanup_free_ char *bare =
		v[0] == '{' && len > 2 && v[len - 1] == '}' ? xstrndup(v + 1, len - 2) : xstrdup(v);
	const char *why = ovz_parse_uuid(bare, r->d->uuid);
	if (why)
		return bad(r, why, v);
	r->d->has_uuid = true;
	return 0;
}

static bool same_uuid(const struct ovz_domain *a, const struct ovz_domain *b)
{
	return a->has_uuid == b->has_uuid &&
	       (!a->has_uuid || memcmp(a->uuid, b->uuid, sizeof(a->uuid)) == 0);
}

/* Every place the file already holds it is updated; a new one is the comment. */
static void write_uuid(const struct ovz_domain *d, const struct ovz_domain *old,
		       struct ovz_conf *c)
{
	if (old && same_uuid(d, old))
		return;
	if (!d->has_uuid) {
		ovz_conf_unset(c, "UUID");
		ovz_conf_set_uuid_comment(c, NULL);
		return;
	}
	char s[37];
	ovz_format_uuid(d->uuid, s);
	bool has_key = ovz_conf_get(c, "UUID") != NULL;
	if (has_key)
		ovz_conf_set(c, "UUID", s);
	if (!has_key || ovz_conf_get_uuid_comment(c))
		ovz_conf_set_uuid_comment(c, s);
}

/* ---- whole-domain checks ---------------------------------------------- */

static size_t count_venet_ip(const struct ovz_domain *d, const char *addr)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *f = &d->ifaces[i];
		for (size_t j = 0; f->type == OVZ_IFACE_VENET && j < f->n_ips; j++) {
			char buf[64];
			ovz_format_ip(&f->ips[j], false, buf, sizeof(buf));
			n += strcmp(buf, addr) == 0;
		}
	}
	return n;
}

static int check_domain(struct rd *r)
{
	const char *what = NULL;
	char value[256];
	const char *why = ovz_domain_check(r->d, &what, value, sizeof(value));
	if (!why)
		return 0;
	if (str_startswith(what, "filesystem"))
		r->key = "OSTEMPLATE";
	else if (str_startswith(what, "hostdev"))
		r->key = "NETDEV";
	else if (strcmp(what, "interface/ip") == 0 && count_venet_ip(r->d, value) > 1)
		r->key = "IP_ADDRESS";
	else
		r->key = "NETIF";
	r->line = ovz_conf_line(r->c, r->key);
	return bad(r, why, value);
}

/* ---- entry points ----------------------------------------------------- */

static int read_key(struct rd *r, const struct key_map *k)
{
	if (!k->read)
		return 0;
	unsigned line;
	const char *v = ovz_conf_lookup(r->c, k->key, &line);
	if (!v || (!*v && !(k->flags & KEY_READ_EMPTY)))
		return 0;
	r->key = k->key;
	r->line = line;
	return k->read(r, v);
}

/* A value vzctl would not take is skipped with a warning, as vzctl does;
 * what the model had from it is dropped with it. */
static void skip_key(struct rd *r, const struct key_map *k, struct ovz_error **e)
{
	ovz_warn(r->warn, "%s, skipped", ovz_error_message(*e));
	ovz_error_clear(e);
	struct ovz_domain *d = r->d;
	_cleanup_(ovz_domain_freep) struct ovz_domain *fresh = ovz_domain_new();
	fresh->ctid = d->ctid;
	/* read again every key before this one: a reader may have filled part
	 * of the model before it failed */
	struct rd again = *r;
	again.d = fresh;
	again.err = NULL;
	again.warn = NULL;
	for (const struct key_map *p = keys; p < k; p++)
		read_key(&again, p);
	r->d = fresh;
	fresh = d;
}

int ovz_domain_from_conf(const struct ovz_conf *c, unsigned ctid, const char *filename,
			 const struct ovz_warn *warn, struct ovz_domain **out,
			 struct ovz_error **err)
{
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = ovz_domain_new();
	d->ctid = ctid;
	struct rd r = { .c = c, .file = filename ? filename : "<config>", .d = d, .warn = warn };
	struct ovz_error *e = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		r.err = &e;
		if (read_key(&r, &keys[i]) < 0)
			skip_key(&r, &keys[i], &e);
	}
	d = r.d;
	r.err = &e;
	if (read_uuid(&r) < 0) {
		ovz_warn(warn, "%s, skipped", ovz_error_message(e));
		ovz_error_clear(&e);
		d->has_uuid = false;
	}
	r.err = err;
	int ret = check_domain(&r);
	if (ret < 0)
		return ret;
	*out = d;
	d = NULL;
	return 0;
}

/* vzctl's "diskspace quota not set": with the quota on (the config's
 * DISK_QUOTA, else vz.conf's, which defaults to yes) a start needs both
 * limits, which vzctl create takes from the sample.  A new file gets them
 * when the model has none: LONG_MAX, which reads back as no limit. */
static void write_quota_defaults(const struct ovz_vzconf *vz, struct ovz_conf *c)
{
	const char *q = ovz_conf_get(c, "DISK_QUOTA");
	bool on = q ? strcmp(q, "no") != 0 : !vz || vz->disk_quota;
	if (!on)
		return;
	_cleanup_free_ char *unlimited = xasprintf("%ld:%ld", LONG_MAX, LONG_MAX);
	if (!ovz_conf_get(c, "DISKSPACE"))
		ovz_conf_set(c, "DISKSPACE", unlimited);
	if (!ovz_conf_get(c, "DISKINODES"))
		ovz_conf_set(c, "DISKINODES", unlimited);
}

static bool has_root_fs(const struct ovz_domain *d)
{
	return d->ostemplate || d->private_dir;
}

static void write_key(const struct key_map *k, const struct ovz_domain *d,
		      const struct ovz_domain *old, const struct ovz_vzconf *vz, bool fresh,
		      struct ovz_conf *c)
{
	_cleanup_free_ char *want = k->format ? k->format(d, c) : NULL;
	if ((k->flags & KEY_FS) && !want && !has_root_fs(d))
		return;	/* the XML has nowhere to hold it: keep it */
	bool present = ovz_conf_get(c, k->key) != NULL;
	if (present || (k->flags & KEY_ALSO_ELSEWHERE)) {
		_cleanup_free_ char *had = old && k->format ? k->format(old, c) : NULL;
		if (old && streq_null(want, had))
			return;	/* same meaning: keep the line as written */
	}
	if (want)
		ovz_conf_set(c, k->key, want);
	else if (!present && k->vz_default && vz && fresh)
		ovz_conf_set(c, k->key, k->vz_default(vz));	/* a new file, as vzctl create */
	else if (!(k->flags & KEY_KEEP))
		ovz_conf_unset(c, k->key);
}

void ovz_domain_to_conf(const struct ovz_domain *d, const struct ovz_vzconf *vz,
			struct ovz_conf *c)
{
	_cleanup_(ovz_domain_freep) struct ovz_domain *old = NULL;
	if (ovz_domain_from_conf(c, d->ctid, NULL, NULL, &old, NULL) < 0)
		old = NULL;
	bool fresh = ovz_conf_is_new(c);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		write_key(&keys[i], d, old, vz, fresh, c);
	write_uuid(d, old, c);
	if (fresh)
		write_quota_defaults(vz, c);
}
