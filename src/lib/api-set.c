// SPDX-License-Identifier: LGPL-2.1-or-later
/* set: vzctl's set options as a list of changes.  Adding a change checks
 * its value on its own; ovz_container_check_changes and ovz_container_set
 * apply the list to the stored definitions, which checks what depends on
 * them (an address already assigned), and set hands the result to the
 * lifecycle, which applies it live. */
#include "api.h"
#include "core/lifecycle.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum change_kind {
	C_HOSTNAME, C_IPADD, C_IPDEL, C_NAMESERVER, C_SEARCHDOMAIN, C_ONBOOT, C_CPUS,
	C_CPUUNITS, C_CPULIMIT, C_MEMORY, C_NETIF_ADD, C_NETIF_DEL, C_NAME, C_DESCRIPTION,
};

static const struct {
	const char *name;
	enum change_kind kind;
} options[] = {
	{ "hostname", C_HOSTNAME },	{ "ipadd", C_IPADD },
	{ "ipdel", C_IPDEL },		{ "nameserver", C_NAMESERVER },
	{ "searchdomain", C_SEARCHDOMAIN }, { "onboot", C_ONBOOT },
	{ "cpus", C_CPUS },		{ "cpuunits", C_CPUUNITS },
	{ "cpulimit", C_CPULIMIT },	{ "memory", C_MEMORY },
	{ "ram", C_MEMORY },		{ "netif_add", C_NETIF_ADD },
	{ "netif_del", C_NETIF_DEL },	{ "name", C_NAME },
	{ "description", C_DESCRIPTION },
};

struct change {
	enum change_kind kind;
	const char *option;	/* as given, for messages */
	char *value;
};

struct ovz_changes {
	struct change *v;
	size_t n;
};

struct ovz_changes *ovz_changes_new(void)
{
	return xcalloc(1, sizeof(struct ovz_changes));
}

void ovz_changes_free(struct ovz_changes *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].value);
	free(c->v);
	free(c);
}

size_t ovz_changes_count(const struct ovz_changes *c)
{
	return c->n;
}

static int number(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
		  struct ovz_error **err)
{
	if (parse_u64(s, out) < 0 || *out < min || *out > max)
		return ovz_error_set(err, EINVAL, "--%s: not a number from %llu to %llu (%s)", opt,
				     (unsigned long long)min, (unsigned long long)max, s);
	return 0;
}

/* "512M", "2G", "1048576K" or bytes, to KiB. */
static int memory_kib(const char *s, uint64_t *kib, struct ovz_error **err)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;
	bool ok = true;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	case '\0': break;
	default: ok = false;
	}
	if (!ok || *end || end == s || s[0] == '-' || v == 0 || v > (UINT64_MAX >> shift))
		return ovz_error_set(err, EINVAL, "--memory: not a size like 512M or 2G (%s)", s);
	*kib = ((uint64_t)v << shift) / 1024;
	return 0;
}

static int copy_ifname(const char *what, const char *s, char *out, size_t len,
		       struct ovz_error **err)
{
	const char *why = ovz_check_ifname(s);
	if (why)
		return ovz_error_set(err, EINVAL, "--netif_add: %s %s (%s)", what, why, s);
	snprintf(out, len, "%s", s);
	return 0;
}

static int copy_mac(const char *what, const char *s, char out[18], struct ovz_error **err)
{
	const char *why = ovz_check_mac(s, out);
	return why ? ovz_error_set(err, EINVAL, "--netif_add: %s %s (%s)", what, why, s) : 0;
}

/* vzctl's IFNAME[,MAC,HOST_IFNAME,HOST_MAC,BRIDGE] */
static int parse_netif(const char *s, struct ovz_iface *f, struct ovz_error **err)
{
	_cleanup_free_ char *copy = xstrdup(s);
	char *fields[5] = { 0 };
	char *p = copy;
	for (int i = 0; i < 5 && p; i++) {
		fields[i] = p;
		p = strchr(p, ',');
		if (p)
			*p++ = '\0';
	}
	if (p)
		return ovz_error_set(err, EINVAL, "--netif_add: more than 5 fields (%s)", s);
	memset(f, 0, sizeof(*f));
	f->type = OVZ_IFACE_VETH;
	int r = copy_ifname("ifname", fields[0], f->guest_dev, sizeof(f->guest_dev), err);
	if (r == 0 && fields[1] && *fields[1])
		r = copy_mac("mac", fields[1], f->mac, err);
	if (r == 0 && fields[2] && *fields[2])
		r = copy_ifname("host_ifname", fields[2], f->host_dev, sizeof(f->host_dev), err);
	if (r == 0 && fields[3] && *fields[3])
		r = copy_mac("host_mac", fields[3], f->host_mac, err);
	if (r == 0 && fields[4] && *fields[4])
		r = copy_ifname("bridge", fields[4], f->bridge, sizeof(f->bridge), err);
	return r;
}

static int check_ip(const char *opt, const char *s, struct ovz_ip *ip, struct ovz_error **err)
{
	const char *why = ovz_parse_ip(s, 0, ip);
	return why ? ovz_error_set(err, EINVAL, "--%s: %s (%s)", opt, why, s) : 0;
}

static int check_with(const char *opt, const char *(*check)(const char *), const char *s,
		      struct ovz_error **err)
{
	const char *why = check(s);
	return why ? ovz_error_set(err, EINVAL, "--%s: %s (%s)", opt, why, s) : 0;
}

/* The checks that need nothing but the value. */
static int check_value(const struct change *c, struct ovz_error **err)
{
	const char *s = c->value;
	struct ovz_ip ip;
	struct ovz_iface f;
	uint64_t n;
	switch (c->kind) {
	case C_HOSTNAME: return check_with(c->option, ovz_check_hostname, s, err);
	case C_SEARCHDOMAIN: return check_with(c->option, ovz_check_hostname, s, err);
	case C_NAME: return check_with(c->option, ovz_check_name, s, err);
	case C_IPADD: case C_NAMESERVER: return check_ip(c->option, s, &ip, err);
	case C_IPDEL: return strcmp(s, "all") == 0 ? 0 : check_ip(c->option, s, &ip, err);
	case C_ONBOOT:
		if (strcmp(s, "yes") && strcmp(s, "no"))
			return ovz_error_set(err, EINVAL, "--onboot: yes or no (%s)", s);
		return 0;
	case C_CPUS: return number("cpus", s, 1, 4096, &n, err);
	case C_CPUUNITS: return number("cpuunits", s, 8, 500000, &n, err);
	case C_CPULIMIT: return number("cpulimit", s, 0, 409600, &n, err);
	case C_MEMORY: return memory_kib(s, &n, err);
	case C_NETIF_ADD: return parse_netif(s, &f, err);
	case C_NETIF_DEL:
		return strcmp(s, "all") == 0 ? 0 : check_with(c->option, ovz_check_ifname, s, err);
	case C_DESCRIPTION: return 0;
	}
	return 0;
}

int ovz_changes_add(struct ovz_changes *c, const char *option, const char *value,
		    struct ovz_error **err)
{
	if (!option || !value)
		return ovz_error_set(err, EINVAL, "an option and a value are needed");
	size_t i = 0;
	while (i < ARRAY_SIZE(options) && strcmp(options[i].name, option) != 0)
		i++;
	if (i == ARRAY_SIZE(options))
		return ovz_error_set(err, EINVAL, "--%s: not an option of set", option);
	struct change ch = { options[i].kind, options[i].name, (char *)value };
	int r = check_value(&ch, err);
	if (r < 0)
		return r;
	ch.value = xstrdup(value);
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n++] = ch;
	return 0;
}

/* ---- applying to a definition ---- */

struct apply_state {
	bool ns_reset, sd_reset;
};

static struct ovz_iface *venet_of(struct ovz_domain *d)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].type == OVZ_IFACE_VENET)
			return &d->ifaces[i];
	return ovz_domain_add_iface(d, OVZ_IFACE_VENET);
}

static void remove_iface(struct ovz_domain *d, size_t i)
{
	free(d->ifaces[i].ips);
	memmove(&d->ifaces[i], &d->ifaces[i + 1], (d->n_ifaces - i - 1) * sizeof(*d->ifaces));
	d->n_ifaces--;
}

static void drop_empty_venet(struct ovz_domain *d)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].type == OVZ_IFACE_VENET && d->ifaces[i].n_ips == 0)
			remove_iface(d, i--);
}

static bool has_ip(const struct ovz_domain *d, const struct ovz_ip *ip)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		for (size_t j = 0; j < d->ifaces[i].n_ips; j++)
			if (ovz_ip_equal(&d->ifaces[i].ips[j], ip))
				return true;
	return false;
}

static int ipadd(struct ovz_domain *d, const char *s, struct ovz_error **err)
{
	struct ovz_ip ip;
	ovz_parse_ip(s, 0, &ip);
	if (has_ip(d, &ip))
		return ovz_error_set(err, EINVAL, "--ipadd: already assigned (%s)", s);
	ovz_iface_add_ip(venet_of(d), &ip);
	return 0;
}

/* Removes s (or all) from the venet addresses; *found when it was there. */
static void ipdel(struct ovz_domain *d, const char *s, bool *found)
{
	struct ovz_iface *v = venet_of(d);
	if (strcmp(s, "all") == 0) {
		v->n_ips = 0;
		*found = true;
		return;
	}
	struct ovz_ip ip;
	ovz_parse_ip(s, 0, &ip);
	for (size_t j = 0; j < v->n_ips; j++)
		if (ovz_ip_equal(&v->ips[j], &ip)) {
			memmove(&v->ips[j], &v->ips[j + 1], (v->n_ips - j - 1) * sizeof(ip));
			v->n_ips--;
			*found = true;
		}
}

static int netif_add(struct ovz_domain *d, const char *s, struct ovz_error **err)
{
	struct ovz_iface f;
	int r = parse_netif(s, &f, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].type == OVZ_IFACE_VETH &&
		    strcmp(d->ifaces[i].guest_dev, f.guest_dev) == 0)
			return ovz_error_set(err, EINVAL, "--netif_add: %s already exists",
					     f.guest_dev);
	*ovz_domain_add_iface(d, OVZ_IFACE_VETH) = f;
	return 0;
}

static void netif_del(struct ovz_domain *d, const char *s, bool *found)
{
	bool all = strcmp(s, "all") == 0;
	*found |= all;
	for (size_t i = 0; i < d->n_ifaces; i++) {
		struct ovz_iface *f = &d->ifaces[i];
		if (f->type == OVZ_IFACE_VETH && (all || strcmp(f->guest_dev, s) == 0)) {
			remove_iface(d, i--);
			*found = true;
		}
	}
}

/* The first occurrence replaces the list, later ones add to it. */
static void list_add(char ***v, bool *reset, const char *s)
{
	if (!*reset) {
		strv_free(*v);
		*v = NULL;
		*reset = true;
	}
	strv_push(v, xstrdup(s));
}

static void replace(char **field, const char *s)
{
	free(*field);
	*field = xstrdup(s);
}

/* Makes one change to d; *found tells whether a removal found its target. */
static int apply(struct ovz_domain *d, const struct change *c, struct apply_state *st,
		 bool *found, struct ovz_error **err)
{
	uint64_t n = 0;
	const char *s = c->value;
	switch (c->kind) {
	case C_HOSTNAME: replace(&d->hostname, s); break;
	case C_NAME: replace(&d->name, s); break;
	case C_DESCRIPTION: replace(&d->description, s); break;
	case C_IPADD: return ipadd(d, s, err);
	case C_IPDEL: ipdel(d, s, found); break;
	case C_NETIF_ADD: return netif_add(d, s, err);
	case C_NETIF_DEL: netif_del(d, s, found); break;
	case C_NAMESERVER: list_add(&d->nameservers, &st->ns_reset, s); break;
	case C_SEARCHDOMAIN: list_add(&d->searchdomains, &st->sd_reset, s); break;
	case C_ONBOOT: d->autostart = strcmp(s, "yes") == 0 ? OVZ_YES : OVZ_NO; break;
	case C_CPUS:
		parse_u64(s, &n);
		d->vcpus = (unsigned)n;
		break;
	case C_CPUUNITS: parse_u64(s, &d->cpu_shares); break;
	case C_CPULIMIT:
		parse_u64(s, &n);
		d->cpu_quota = (int64_t)n * 1000;
		d->cpu_period = 100000;
		break;
	case C_MEMORY: return memory_kib(s, &d->memory, err);
	}
	return 0;
}

/* Each change is made to both definitions, the running container's and
 * its config's; a removal must find its target in one of them.  *refused
 * gets the index of the change that does not fit. */
static int apply_all(struct ovz_domain *live, struct ovz_domain *conf,
		     const struct ovz_changes *c, ssize_t *refused, struct ovz_error **err)
{
	struct apply_state st_live = { 0 }, st_conf = { 0 };
	for (size_t i = 0; i < c->n; i++) {
		const struct change *ch = &c->v[i];
		bool found_live = false, found_conf = false;
		int r = apply(live, ch, &st_live, &found_live, err);
		if (r == 0)
			r = apply(conf, ch, &st_conf, &found_conf, err);
		if (r == 0 && (ch->kind == C_IPDEL || ch->kind == C_NETIF_DEL) && !found_live &&
		    !found_conf)
			r = ovz_error_set(err, EINVAL, "--%s: not assigned (%s)", ch->option,
					  ch->value);
		if (r < 0) {
			*refused = (ssize_t)i;
			return r;
		}
	}
	drop_empty_venet(live);
	drop_empty_venet(conf);
	return 0;
}

/* The container's live and config definitions with the changes made. */
static int load_changed(struct ovz_host *h, unsigned ctid, const struct ovz_changes *c,
			struct ovz_domain **live, struct ovz_domain **conf, ssize_t *refused,
			struct ovz_error **err)
{
	*refused = -1;
	if (!c || c->n == 0)
		return ovz_error_set(err, EINVAL, "nothing to set");
	int r = ovz_host_load_live(h, ctid, live, err);
	if (r == 0)
		r = ovz_host_load(h, ctid, conf, err);
	if (r == 0)
		r = apply_all(*live, *conf, c, refused, err);
	return r < 0 ? r : 0;
}

int ovz_container_check_changes(struct ovz_host *h, unsigned ctid, const struct ovz_changes *c,
				ssize_t *refused, struct ovz_error **err)
{
	struct ovz_domain *live = NULL, *conf = NULL;
	ssize_t at;
	int r = load_changed(h, ctid, c, &live, &conf, &at, err);
	if (refused)
		*refused = at;
	ovz_domain_free(live);
	ovz_domain_free(conf);
	return r;
}

int ovz_container_set(struct ovz_host *h, unsigned ctid, const struct ovz_changes *c,
		      unsigned flags, bool *live, struct ovz_error **err)
{
	if (live)
		*live = false;
	struct ovz_domain *want_live = NULL, *want_conf = NULL;
	ssize_t refused;
	int r = load_changed(h, ctid, c, &want_live, &want_conf, &refused, err);
	bool applied_live = false;
	if (r == 0)
		r = ovz_ct_set(h, ctid, want_live, want_conf, flags & OVZ_SET_SAVE, &applied_live,
			       err);
	if (live)
		*live = r == 0 && applied_live;
	ovz_domain_free(want_live);
	ovz_domain_free(want_conf);
	return r < 0 ? r : 0;
}
