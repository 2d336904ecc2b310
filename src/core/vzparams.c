// SPDX-License-Identifier: LGPL-2.1-or-later
#include "vzparams.h"
#include "caps.h"
#include "util.h"
#include "vznum.h"
#include "net/vzabi.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>

#define UB_MAX OVZ_UB_UNLIMITED
#define MIN_NUMIPTENT 16
#define DEF_CPUUNITS 1000

/* ---- beancounters ---- */

enum ub_unit { COUNT, PAGES, BYTES };

/* vzctl's setublimit order (set_ublimit), with the unit of each key. */
static const struct ub_key {
	const char *key;
	unsigned res;
	enum ub_unit unit;
} ub_keys[] = {
	{ "KMEMSIZE", OVZ_UB_KMEMSIZE, BYTES },
	{ "LOCKEDPAGES", OVZ_UB_LOCKEDPAGES, PAGES },
	{ "PRIVVMPAGES", OVZ_UB_PRIVVMPAGES, PAGES },
	{ "SHMPAGES", OVZ_UB_SHMPAGES, PAGES },
	{ "NUMPROC", OVZ_UB_NUMPROC, COUNT },
	{ "PHYSPAGES", OVZ_UB_PHYSPAGES, PAGES },
	{ "VMGUARPAGES", OVZ_UB_VMGUARPAGES, PAGES },
	{ "OOMGUARPAGES", OVZ_UB_OOMGUARPAGES, PAGES },
	{ "NUMTCPSOCK", OVZ_UB_NUMTCPSOCK, COUNT },
	{ "NUMFLOCK", OVZ_UB_NUMFLOCK, COUNT },
	{ "NUMPTY", OVZ_UB_NUMPTY, COUNT },
	{ "NUMSIGINFO", OVZ_UB_NUMSIGINFO, COUNT },
	{ "TCPSNDBUF", OVZ_UB_TCPSNDBUF, BYTES },
	{ "TCPRCVBUF", OVZ_UB_TCPRCVBUF, BYTES },
	{ "OTHERSOCKBUF", OVZ_UB_OTHERSOCKBUF, BYTES },
	{ "DGRAMRCVBUF", OVZ_UB_DGRAMRCVBUF, BYTES },
	{ "NUMOTHERSOCK", OVZ_UB_NUMOTHERSOCK, COUNT },
	{ "NUMFILE", OVZ_UB_NUMFILE, COUNT },
	{ "DCACHESIZE", OVZ_UB_DCACHESIZE, BYTES },
	{ "NUMIPTENT", OVZ_UB_NUMIPTENT, COUNT },
	{ "SWAPPAGES", OVZ_UB_SWAPPAGES, PAGES },
};

static unsigned long page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	return ps > 0 ? (unsigned long)ps : 4096;
}

/* A side must start with a digit or "unlimited" (no sign, no blank). */
static bool starts_number(const char *s)
{
	return (*s >= '0' && *s <= '9') || strncmp(s, "unlimited", 9) == 0;
}

/* "barrier:limit", or one value for both, as vzctl's parse_twoul_sfx reads
 * it (vznum.h): fractions, a suffix K/M/G/T, B (bytes) or P (pages) for
 * pages and bytes, anything above LONG_MAX is LONG_MAX. */
static const char *ub_pair(const char *s, enum ub_unit unit, struct ovz_ub_limit *u)
{
	const char *colon = strchr(s, ':');
	if (!starts_number(s) || (colon && !starts_number(colon + 1)))
		return "is not a number, a number with a suffix, or unlimited";
	struct ovz_vznum how = {
		.unit_bytes = unit == COUNT ? 0 : unit == PAGES ? page_size() : 1,
		.allow_unlimited = true,
	};
	uint64_t barrier, limit;
	bool cut;
	const char *why = ovz_vznum_pair(&how, s, &barrier, &limit, &cut);
	if (why)
		return why;
	u->barrier = barrier >= UB_MAX ? UB_MAX : (unsigned long)barrier;
	u->limit = limit >= UB_MAX ? UB_MAX : (unsigned long)limit;
	return NULL;
}

static unsigned long kib_to_pages(uint64_t kib)
{
	if (kib == OVZ_UNSET)
		return UB_MAX;
	uint64_t pages = kib / (page_size() / 1024);
	return pages >= UB_MAX ? UB_MAX : (unsigned long)pages;
}

struct ub_table {
	bool set[OVZ_UB_RESOURCES];
	struct ovz_ub_limit v[OVZ_UB_RESOURCES];
};

static void ub_put(struct ub_table *t, unsigned res, unsigned long barrier,
		   unsigned long limit)
{
	t->set[res] = true;
	t->v[res] = (struct ovz_ub_limit){ res, barrier, limit };
}

static void ub_default(struct ub_table *t, unsigned res, unsigned long barrier,
		       unsigned long limit)
{
	if (!t->set[res])
		ub_put(t, res, barrier, limit);
}

static unsigned long sat_add(unsigned long a, unsigned long b)
{
	return a >= UB_MAX - b ? UB_MAX : a + b;
}

/* The keys the model owns, from the model (over the config's text, which
 * holds the same unless the definition came as XML). */
static void ub_from_model(struct ub_table *t, const struct ovz_domain *d)
{
	bool vswap = d->memory != OVZ_UNSET;
	if (vswap) {
		unsigned long cur = d->current_memory != OVZ_UNSET ? kib_to_pages(d->current_memory)
								    : 0;
		ub_put(t, OVZ_UB_PHYSPAGES, cur, kib_to_pages(d->memory));
		unsigned long swap = 0;
		if (d->mem_swap_hard_limit != OVZ_UNSET && d->mem_swap_hard_limit >= d->memory)
			swap = kib_to_pages(d->mem_swap_hard_limit - d->memory);
		ub_put(t, OVZ_UB_SWAPPAGES, 0, swap);
	}
	if (d->mem_hard_limit != OVZ_UNSET || d->mem_soft_limit != OVZ_UNSET) {
		unsigned long hard = kib_to_pages(d->mem_hard_limit);
		unsigned long soft = d->mem_soft_limit != OVZ_UNSET ? kib_to_pages(d->mem_soft_limit)
								    : hard;
		ub_put(t, OVZ_UB_PRIVVMPAGES, soft, hard);
	}
	if (d->mem_min_guarantee != OVZ_UNSET)
		ub_put(t, OVZ_UB_VMGUARPAGES, kib_to_pages(d->mem_min_guarantee), UB_MAX);
}

static double vm_overcommit(const struct ovz_conf *c)
{
	const char *v = c ? ovz_conf_get(c, "VM_OVERCOMMIT") : NULL;
	char *end;
	double ovc = v && *v ? strtod(v, &end) : 0;
	return v && *v && !*end && isfinite(ovc) && ovc > 0 ? ovc : 0;
}

/* vzctl's fill_vswap_ub: what a vswap config (PHYSPAGES limited) leaves
 * out follows from RAM, swap and VM_OVERCOMMIT. */
static void ub_vswap(struct ub_table *t, const struct ovz_conf *c)
{
	if (!t->set[OVZ_UB_PHYSPAGES] || t->v[OVZ_UB_PHYSPAGES].limit == UB_MAX)
		return;
	unsigned long ram = t->v[OVZ_UB_PHYSPAGES].limit;
	unsigned long swap = t->set[OVZ_UB_SWAPPAGES] ? t->v[OVZ_UB_SWAPPAGES].limit : 0;
	unsigned long both = sat_add(ram, swap);
	double ovc = vm_overcommit(c);
	ub_default(t, OVZ_UB_LOCKEDPAGES, ram, ram);
	ub_default(t, OVZ_UB_OOMGUARPAGES, ram, UB_MAX);
	ub_default(t, OVZ_UB_VMGUARPAGES, both, UB_MAX);
	if (ovc > 0) {
		double v = (double)both * ovc;
		unsigned long p = v >= (double)UB_MAX ? UB_MAX : (unsigned long)v;
		ub_default(t, OVZ_UB_PRIVVMPAGES, p, p);
	} else {
		ub_default(t, OVZ_UB_PRIVVMPAGES, UB_MAX, UB_MAX);
	}
}

static void ub_get(const struct ovz_conf *c, const struct ovz_domain *d,
		   const struct ovz_warn *warn, struct ovz_vz_params *p)
{
	struct ub_table t = { 0 };
	for (size_t i = 0; c && i < ARRAY_SIZE(ub_keys); i++) {
		const char *v = ovz_conf_get(c, ub_keys[i].key);
		if (!v || !*v)
			continue;
		struct ovz_ub_limit u = { .res = ub_keys[i].res };
		const char *why = ub_pair(v, ub_keys[i].unit, &u);
		if (why)
			ovz_warn(warn, "%s: %s (%s), skipped", ub_keys[i].key, why, v);
		else
			ub_put(&t, u.res, u.barrier, u.limit);
	}
	ub_from_model(&t, d);
	ub_vswap(&t, c);
	struct ovz_ub_limit *ipt = &t.v[OVZ_UB_NUMIPTENT];
	if (t.set[OVZ_UB_NUMIPTENT] && (ipt->barrier < MIN_NUMIPTENT || ipt->limit < MIN_NUMIPTENT))
		ipt->barrier = ipt->limit = MIN_NUMIPTENT;
	for (size_t i = 0; i < ARRAY_SIZE(ub_keys); i++)
		if (t.set[ub_keys[i].res])
			p->ub[p->n_ub++] = t.v[ub_keys[i].res];
}

/* ---- FEATURES ---- */

static const struct {
	const char *name;
	uint64_t bit;
} features[] = {
	{ "sysfs", OVZ_VE_FEATURE_SYSFS }, { "nfs", OVZ_VE_FEATURE_NFS },
	{ "sit", OVZ_VE_FEATURE_SIT },	   { "ipip", OVZ_VE_FEATURE_IPIP },
	{ "ppp", OVZ_VE_FEATURE_PPP },	   { "ipgre", OVZ_VE_FEATURE_IPGRE },
	{ "bridge", OVZ_VE_FEATURE_BRIDGE }, { "nfsd", OVZ_VE_FEATURE_NFSD },
};

static int features_get(const struct ovz_conf *c, struct ovz_vz_params *p,
			struct ovz_error **err)
{
	const char *v = c ? ovz_conf_get(c, "FEATURES") : NULL;
	_cleanup_strv_ char **toks = strv_split(v ? v : "", " \t,");
	for (char **t = toks; t && *t; t++) {
		const char *colon = strrchr(*t, ':');
		size_t i = 0;
		while (colon && i < ARRAY_SIZE(features) &&
		       (strlen(features[i].name) != (size_t)(colon - *t) ||
			strncmp(*t, features[i].name, (size_t)(colon - *t)) != 0))
			i++;
		bool on = colon && strcmp(colon + 1, "on") == 0;
		if (!colon || i == ARRAY_SIZE(features) || (!on && strcmp(colon + 1, "off") != 0))
			return ovz_error_set(err, EINVAL, "FEATURES: '%s' is not a known "
					     "feature with :on or :off", *t);
		p->features_known |= features[i].bit;
		p->features = on ? p->features | features[i].bit : p->features & ~features[i].bit;
	}
	/* vzctl turns sysfs on unless the config says otherwise */
	if (!(p->features_known & OVZ_VE_FEATURE_SYSFS)) {
		p->features |= OVZ_VE_FEATURE_SYSFS;
		p->features_known |= OVZ_VE_FEATURE_SYSFS;
	}
	return 0;
}

char *ovz_vz_features_format(uint64_t mask, uint64_t known)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		if (!(known & features[i].bit))
			continue;
		strbuf_printf(&sb, "%s%s%s", sb.len ? "," : "", features[i].name,
			      mask & features[i].bit ? "" : ":off");
	}
	return strbuf_steal(&sb);
}

/* ---- NETFILTER, IPTABLES ---- */

#define IPT(bit) (UINT64_C(1) << (bit))
#define IP_TABLES IPT(0)
#define IP_FILTER (IPT(1) | IP_TABLES)
#define IP_MANGLE (IPT(2) | IP_TABLES)
#define IP_CONNTRACK (IPT(14) | IP_TABLES)
#define IP_CONNTRACK_FTP (IPT(15) | IP_CONNTRACK)
#define IP_CONNTRACK_IRC (IPT(16) | IP_CONNTRACK)
#define IP_NAT (IPT(20) | IP_CONNTRACK)
#define IP_TABLES6 IPT(26)
#define IP_FILTER6 (IPT(27) | IP_TABLES6)
#define IP_MANGLE6 (IPT(28) | IP_TABLES6)
#define NF_CONNTRACK (IPT(30) | IP_TABLES)
#define NF_STATELESS (IP_FILTER | IP_MANGLE | IP_FILTER6 | IP_MANGLE6)
#define NF_STATEFUL (NF_STATELESS | NF_CONNTRACK | IP_CONNTRACK | IP_CONNTRACK_FTP | \
		     IP_CONNTRACK_IRC)

/* The obsolete IPTABLES list: module name, its own bit, what it needs. */
static const struct {
	const char *name;
	uint64_t bit, mask;
} ipt_modules[] = {
	{ "ip_tables", IPT(0), IP_TABLES },
	{ "iptable_filter", IPT(1), IP_FILTER },
	{ "iptable_mangle", IPT(2), IP_MANGLE },
	{ "ipt_limit", IPT(3), IPT(3) | IP_TABLES },
	{ "ipt_multiport", IPT(4), IPT(4) | IP_TABLES },
	{ "ipt_tos", IPT(5), IPT(5) | IP_TABLES },
	{ "ipt_TOS", IPT(6), IPT(6) | IP_TABLES },
	{ "ipt_REJECT", IPT(7), IPT(7) | IP_TABLES },
	{ "ipt_TCPMSS", IPT(8), IPT(8) | IP_TABLES },
	{ "ipt_tcpmss", IPT(9), IPT(9) | IP_TABLES },
	{ "ipt_ttl", IPT(10), IPT(10) | IP_TABLES },
	{ "ipt_LOG", IPT(11), IPT(11) | IP_TABLES },
	{ "ipt_length", IPT(12), IPT(12) | IP_TABLES },
	{ "ip_conntrack", IPT(14), IP_CONNTRACK },
	{ "ip_conntrack_ftp", IPT(15), IP_CONNTRACK_FTP },
	{ "ip_conntrack_irc", IPT(16), IP_CONNTRACK_IRC },
	{ "ipt_conntrack", IPT(17), IPT(17) | IP_CONNTRACK },
	{ "ipt_state", IPT(18), IPT(18) | IP_CONNTRACK },
	{ "ipt_helper", IPT(19), IPT(19) | IP_CONNTRACK },
	{ "iptable_nat", IPT(20), IP_NAT },
	{ "ip_nat_ftp", IPT(21), IPT(21) | IP_NAT | IP_CONNTRACK_FTP },
	{ "ip_nat_irc", IPT(22), IPT(22) | IP_NAT | IP_CONNTRACK_IRC },
	{ "ipt_REDIRECT", IPT(23), IPT(23) | IP_NAT },
	{ "ipt_owner", IPT(24), IPT(24) | IP_TABLES },
	{ "xt_mac", IPT(25), IPT(25) | IP_TABLES },
	{ "ipt_recent", IPT(31), IPT(31) | IP_TABLES },
};

/* Unknown module names are skipped, as vzctl skips them. */
static uint64_t iptables_mask(const char *list)
{
	uint64_t ids = 0, mask = 0;
	_cleanup_strv_ char **toks = strv_split(list, " \t,");
	for (char **t = toks; t && *t; t++)
		for (size_t i = 0; i < ARRAY_SIZE(ipt_modules); i++)
			if (strcmp(*t, ipt_modules[i].name) == 0)
				ids |= ipt_modules[i].mask;
	for (size_t i = 0; i < ARRAY_SIZE(ipt_modules); i++)
		if (ids & ipt_modules[i].bit)
			mask |= ipt_modules[i].mask;
	return mask;
}

static int netfilter_get(const struct ovz_conf *c, struct ovz_vz_params *p,
			 struct ovz_error **err)
{
	static const struct {
		const char *name;
		uint64_t mask;
	} presets[] = {
		{ "disabled", 0 },
		{ "stateless", NF_STATELESS },
		{ "stateful", NF_STATEFUL },
		{ "full", ~UINT64_C(0) },
	};
	const char *nf = c ? ovz_conf_get(c, "NETFILTER") : NULL;
	const char *ipt = c ? ovz_conf_get(c, "IPTABLES") : NULL;
	p->iptables_mask = OVZ_VE_IP_DEFAULT;
	if (nf && *nf) {
		for (size_t i = 0; i < ARRAY_SIZE(presets); i++)
			if (strcmp(nf, presets[i].name) == 0) {
				p->iptables_mask = presets[i].mask;
				return 0;
			}
		return ovz_error_set(err, EINVAL, "NETFILTER: '%s' is not disabled, stateless, "
				     "stateful or full", nf);
	}
	if (ipt && *ipt && iptables_mask(ipt))
		p->iptables_mask = iptables_mask(ipt);
	return 0;
}

/* ---- DEVICES, DEVNODES ---- */

static int devperm_mask(const char *s, unsigned *mask)
{
	*mask = 0;
	if (strcmp(s, "none") == 0)
		return 0;
	for (const char *ch = s; *ch; ch++) {
		if (*ch == 'r')
			*mask |= OVZ_DEVPERM_READ;
		else if (*ch == 'w')
			*mask |= OVZ_DEVPERM_WRITE;
		else if (*ch == 'q')
			*mask |= OVZ_DEVPERM_QUOTA;
		else
			return -1;
	}
	return *s ? 0 : -1;
}

static void add_dev(struct ovz_vz_params *p, const struct ovz_devperm *dp)
{
	p->devs = xrealloc(p->devs, (p->n_devs + 1) * sizeof(*p->devs));
	p->devs[p->n_devs++] = *dp;
}

/* "c:MAJOR:MINOR:PERMS" or "c:MAJOR:all:PERMS"; loop devices (7) are
 * refused, as vzctl refuses them. */
static int device_get(const char *tok, struct ovz_vz_params *p, struct ovz_error **err)
{
	_cleanup_strv_ char **f = strv_split(tok, ":");
	struct ovz_devperm dp = { 0 };
	uint64_t major = 0, minor = 0;
	bool ok = strv_len(f) == 4 && (strcmp(f[0], "c") == 0 || strcmp(f[0], "b") == 0) &&
		  parse_u64(f[1], &major) == 0 && major < 4096 && major != 7 &&
		  devperm_mask(f[3], &dp.mask) == 0;
	dp.all_minors = ok && strcmp(f[2], "all") == 0;
	if (ok && !dp.all_minors)
		ok = parse_u64(f[2], &minor) == 0 && minor < (1u << 20);
	if (!ok)
		return ovz_error_set(err, EINVAL, "DEVICES: '%s' is not c|b:MAJOR:MINOR|all:PERMS "
				     "(r, w, q or none; not the loop major 7)", tok);
	dp.type = f[0][0];
	dp.major = (unsigned)major;
	dp.minor = (unsigned)minor;
	add_dev(p, &dp);
	return 0;
}

static int devnode_get(const char *tok, struct ovz_vz_params *p, struct ovz_error **err)
{
	const char *colon = strrchr(tok, ':');
	struct ovz_devperm dp = { 0 };
	bool ok = colon && colon > tok && devperm_mask(colon + 1, &dp.mask) == 0;
	_cleanup_free_ char *name = ok ? xstrndup(tok, (size_t)(colon - tok)) : NULL;
	if (ok && (name[0] == '/' || strstr(name, "..")))
		ok = false;
	if (!ok)
		return ovz_error_set(err, EINVAL, "DEVNODES: '%s' is not NAME:PERMS with NAME "
				     "relative to /dev", tok);
	dp.node = name;
	name = NULL;
	add_dev(p, &dp);
	return 0;
}

static int devices_get(const struct ovz_conf *c, struct ovz_vz_params *p,
		       struct ovz_error **err)
{
	const char *v = c ? ovz_conf_get(c, "DEVICES") : NULL;
	_cleanup_strv_ char **devs = strv_split(v ? v : "", " \t");
	for (char **t = devs; t && *t; t++)
		if (device_get(*t, p, err) < 0)
			return -EINVAL;
	v = c ? ovz_conf_get(c, "DEVNODES") : NULL;
	_cleanup_strv_ char **nodes = strv_split(v ? v : "", " \t");
	for (char **t = nodes; t && *t; t++)
		if (devnode_get(*t, p, err) < 0)
			return -EINVAL;
	return 0;
}

char *ovz_devperm_format(const struct ovz_devperm *dp)
{
	char perms[4] = "", *q = perms;
	if (dp->mask & OVZ_DEVPERM_READ)
		*q++ = 'r';
	if (dp->mask & OVZ_DEVPERM_WRITE)
		*q++ = 'w';
	if (dp->mask & OVZ_DEVPERM_QUOTA)
		*q++ = 'q';
	const char *pm = dp->mask ? perms : "none";
	if (dp->node)
		return xasprintf("%s:%s", dp->node, pm);
	if (dp->all_minors)
		return xasprintf("%c:%u:all:%s", dp->type, dp->major, pm);
	return xasprintf("%c:%u:%u:%s", dp->type, dp->major, dp->minor, pm);
}

/* ---- all of it ---- */

/* A key vzctl would not take is skipped with a warning, as vzctl does. */
static void skipped(const struct ovz_warn *warn, struct ovz_error **e)
{
	ovz_warn(warn, "%s, skipped", ovz_error_message(*e));
	ovz_error_free(*e);
	*e = NULL;
}

void ovz_vz_params_get(const struct ovz_conf *c, const struct ovz_domain *d,
		       const struct ovz_warn *warn, struct ovz_vz_params *p)
{
	memset(p, 0, sizeof(*p));
	struct ovz_error *e = NULL;
	ub_get(c, d, warn, p);
	uint64_t on = 0, off = 0;
	if (ovz_caps_vz_parse(c ? ovz_conf_get(c, "CAPABILITY") : NULL, &on, &off, &e) < 0) {
		skipped(warn, &e);
		on = off = 0;
	}
	if (features_get(c, p, &e) < 0) {
		skipped(warn, &e);
		p->features = p->features_known = 0;
		features_get(NULL, p, NULL);
	}
	if (netfilter_get(c, p, &e) < 0) {
		skipped(warn, &e);
		p->iptables_mask = OVZ_VE_IP_DEFAULT;
	}
	if (devices_get(c, p, &e) < 0) {
		skipped(warn, &e);
		ovz_vz_params_release(p);
	}
	/* vzctl grants NET_ADMIN for the bridge feature */
	if (p->features & p->features_known & OVZ_VE_FEATURE_BRIDGE)
		on |= OVZ_CAP_BIT(CAP_NET_ADMIN);
	p->caps = (ovz_caps_vz_default() | on) & ~off;
	p->cpuunits = d->cpu_shares != OVZ_UNSET ? (unsigned long)d->cpu_shares : DEF_CPUUNITS;
}

void ovz_vz_params_release(struct ovz_vz_params *p)
{
	for (size_t i = 0; i < p->n_devs; i++)
		free(p->devs[i].node);
	free(p->devs);
	p->devs = NULL;
	p->n_devs = 0;
}
