// SPDX-License-Identifier: LGPL-2.1-or-later
/* `set`: vzctl's options, applied live to a running container and saved to
 * its config with --save (a stopped container's config is always written).
 * Every value is checked before anything changes. */
#include "cli.h"
#include "core/host.h"
#include "core/lifecycle.h"
#include "core/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

static int ipadd(struct cli *c, struct ovz_domain *d, const char *s)
{
	struct ovz_ip ip;
	const char *why = ovz_parse_ip(s, 0, &ip);
	if (why)
		return cli_usage_error(c, "--ipadd: %s (%s)", why, s);
	for (size_t i = 0; i < d->n_ifaces; i++)
		for (size_t j = 0; j < d->ifaces[i].n_ips; j++)
			if (ovz_ip_equal(&d->ifaces[i].ips[j], &ip))
				return cli_usage_error(c, "--ipadd: already assigned (%s)", s);
	ovz_iface_add_ip(venet_of(d), &ip);
	return 0;
}

static int ipdel(struct cli *c, struct ovz_domain *d, const char *s, bool *found)
{
	struct ovz_iface *v = venet_of(d);
	if (strcmp(s, "all") == 0) {
		v->n_ips = 0;
		*found = true;
		return 0;
	}
	struct ovz_ip ip;
	const char *why = ovz_parse_ip(s, 0, &ip);
	if (why)
		return cli_usage_error(c, "--ipdel: %s (%s)", why, s);
	for (size_t j = 0; j < v->n_ips; j++)
		if (ovz_ip_equal(&v->ips[j], &ip)) {
			memmove(&v->ips[j], &v->ips[j + 1], (v->n_ips - j - 1) * sizeof(ip));
			v->n_ips--;
			*found = true;
		}
	return 0;
}

/* vzctl's --netif_add ifname[,mac,host_ifname,host_mac,bridge] */
static int netif_add(struct cli *c, struct ovz_domain *d, const char *s)
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
		return cli_usage_error(c, "--netif_add: more than 5 fields (%s)", s);
	const char *why = ovz_check_ifname(fields[0]);
	if (why)
		return cli_usage_error(c, "--netif_add: ifname %s (%s)", why, fields[0]);
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].type == OVZ_IFACE_VETH &&
		    strcmp(d->ifaces[i].guest_dev, fields[0]) == 0)
			return cli_usage_error(c, "--netif_add: %s already exists", fields[0]);
	struct ovz_iface f = { .type = OVZ_IFACE_VETH };
	snprintf(f.guest_dev, sizeof(f.guest_dev), "%s", fields[0]);
	if (fields[1] && *fields[1] && (why = ovz_check_mac(fields[1], f.mac)))
		return cli_usage_error(c, "--netif_add: mac %s (%s)", why, fields[1]);
	if (fields[2] && *fields[2]) {
		if ((why = ovz_check_ifname(fields[2])))
			return cli_usage_error(c, "--netif_add: host_ifname %s (%s)", why, fields[2]);
		snprintf(f.host_dev, sizeof(f.host_dev), "%s", fields[2]);
	}
	if (fields[3] && *fields[3] && (why = ovz_check_mac(fields[3], f.host_mac)))
		return cli_usage_error(c, "--netif_add: host_mac %s (%s)", why, fields[3]);
	if (fields[4] && *fields[4]) {
		if ((why = ovz_check_ifname(fields[4])))
			return cli_usage_error(c, "--netif_add: bridge %s (%s)", why, fields[4]);
		snprintf(f.bridge, sizeof(f.bridge), "%s", fields[4]);
	}
	*ovz_domain_add_iface(d, OVZ_IFACE_VETH) = f;
	return 0;
}

static int netif_del(struct cli *c, struct ovz_domain *d, const char *s, bool *found)
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
	return 0;
}

static int set_strv(struct cli *c, char ***v, const char *opt, const char *s, bool *reset,
		    bool hostname_check)
{
	if (!*reset) {	/* the first occurrence replaces, later ones add */
		strv_free(*v);
		*v = NULL;
		*reset = true;
	}
	const char *why = hostname_check ? ovz_check_hostname(s) : ovz_parse_ip(s, 0, NULL);
	if (why)
		return cli_usage_error(c, "%s: %s (%s)", opt, why, s);
	strv_push(v, xstrdup(s));
	return 0;
}

static int number(struct cli *c, const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	if (parse_u64(s, out) < 0 || *out < min || *out > max)
		return cli_usage_error(c, "%s: not a number from %llu to %llu (%s)", opt,
				       (unsigned long long)min, (unsigned long long)max, s);
	return 0;
}

/* "512M", "2G", "1048576K" or bytes, to KiB. */
static int memory_kib(struct cli *c, const char *s, uint64_t *kib)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	case '\0': break;
	default: end = (char *)"x";
	}
	if (*end || end == s || v == 0 || v > (UINT64_MAX >> shift))
		return cli_usage_error(c, "--memory: not a size like 512M or 2G (%s)", s);
	*kib = ((uint64_t)v << shift) / 1024;
	return 0;
}

struct set_opts {
	bool save, ns_reset, sd_reset;
};

/* Makes one change to d; *found tells whether a removal found its target. */
static int apply_option(struct cli *c, struct ovz_domain *d, struct set_opts *o, int opt,
			const char *arg, bool *found)
{
	uint64_t n;
	int r = 0;
	const char *why;
	switch (opt) {
	case 'S': o->save = true; break;
	case 'h':
		if ((why = ovz_check_hostname(arg)))
			return cli_usage_error(c, "--hostname: %s (%s)", why, arg);
		free(d->hostname);
		d->hostname = xstrdup(arg);
		break;
	case 'i': r = ipadd(c, d, arg); break;
	case 'I': r = ipdel(c, d, arg, found); break;
	case 'n': r = set_strv(c, &d->nameservers, "--nameserver", arg, &o->ns_reset, false); break;
	case 's': r = set_strv(c, &d->searchdomains, "--searchdomain", arg, &o->sd_reset, true); break;
	case 'o':
		if (strcmp(arg, "yes") && strcmp(arg, "no"))
			return cli_usage_error(c, "--onboot: yes or no (%s)", arg);
		d->autostart = strcmp(arg, "yes") == 0 ? OVZ_YES : OVZ_NO;
		break;
	case 'c':
		if ((r = number(c, "--cpus", arg, 1, 4096, &n)) == 0)
			d->vcpus = (unsigned)n;
		break;
	case 'u':
		if ((r = number(c, "--cpuunits", arg, 8, 500000, &n)) == 0)
			d->cpu_shares = n;
		break;
	case 'l':
		if ((r = number(c, "--cpulimit", arg, 0, 409600, &n)) == 0) {
			d->cpu_quota = (int64_t)n * 1000;
			d->cpu_period = 100000;
		}
		break;
	case 'm': r = memory_kib(c, arg, &d->memory); break;
	case 'a': r = netif_add(c, d, arg); break;
	case 'd': r = netif_del(c, d, arg, found); break;
	case 'N':
		if ((why = ovz_check_name(arg)))
			return cli_usage_error(c, "--name: %s (%s)", why, arg);
		free(d->name);
		d->name = xstrdup(arg);
		break;
	case 'D':
		free(d->description);
		d->description = xstrdup(arg);
		break;
	default:
		return cli_usage_error(c, "unknown option");
	}
	return r;
}

VERB(set)
{
	static const struct option opts[] = {
		{ "save", no_argument, NULL, 'S' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "ipadd", required_argument, NULL, 'i' },
		{ "ipdel", required_argument, NULL, 'I' },
		{ "nameserver", required_argument, NULL, 'n' },
		{ "searchdomain", required_argument, NULL, 's' },
		{ "onboot", required_argument, NULL, 'o' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "cpuunits", required_argument, NULL, 'u' },
		{ "cpulimit", required_argument, NULL, 'l' },
		{ "memory", required_argument, NULL, 'm' },
		{ "ram", required_argument, NULL, 'm' },
		{ "netif_add", required_argument, NULL, 'a' },
		{ "netif_del", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'N' },
		{ "description", required_argument, NULL, 'D' },
		{ 0 },
	};
	if (argc < 2 || argv[1][0] == '-')
		return cli_usage_error(c, "expected CTID or NAME first");
	const char *id = argv[1];
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, id, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	struct ovz_domain *live = NULL, *conf = NULL;
	r = ovz_host_load_live(h, ctid, &live, &err);
	if (r == 0)
		r = ovz_host_load(h, ctid, &conf, &err);
	if (r < 0) {
		ovz_domain_free(live);
		ovz_host_free(h);
		return cli_fail(c, id, r, err);
	}
	/* each change is made to both definitions; a removal must find its
	 * target in one of them */
	struct set_opts o_live = { 0 }, o_conf = { 0 };
	int opt, changes = 0;
	optind = 2;
	while (r == 0 && (opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool found_live = false, found_conf = false;
		r = apply_option(c, live, &o_live, opt, optarg, &found_live);
		if (r == 0)
			r = apply_option(c, conf, &o_conf, opt, optarg, &found_conf);
		if (r == 0 && (opt == 'I' || opt == 'd') && !found_live && !found_conf)
			r = cli_usage_error(c, "%s: not assigned (%s)",
					    opt == 'I' ? "--ipdel" : "--netif_del", optarg);
		changes += opt != 'S';
	}
	if (r == 0 && optind != argc)
		r = cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (r == 0 && !changes)
		r = cli_usage_error(c, "nothing to set");
	bool applied_live = false, save = o_conf.save;
	if (r == 0) {
		drop_empty_venet(live);
		drop_empty_venet(conf);
		r = ovz_ct_set(h, ctid, live, conf, save, &applied_live, &err);
		r = r < 0 ? cli_fail(c, id, r, err) : EXIT_OK;
	}
	if (r == EXIT_OK && !c->quiet && applied_live && !save)
		fprintf(stderr, "ovz-native: set %s: applied to the running container only; "
				"use --save to keep it\n", id);
	ovz_domain_free(live);
	ovz_domain_free(conf);
	ovz_host_free(h);
	return r;
}
