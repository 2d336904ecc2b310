// SPDX-License-Identifier: LGPL-2.1-or-later
/* `list`: vzlist's columns, options and JSON shape, so scripts written
 * against vzlist keep working.  Every field is one row of a table: its
 * -o name, header, column width, and a getter that yields a typed value
 * which the text, JSON and sort code all share. */
#include "cli.h"
#include "core/config.h"
#include "core/host.h"
#include "core/util.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum vtype { V_NULL, V_STR, V_LIST, V_INT, V_BOOL, V_UBC };

struct value {
	enum vtype type;
	const char *s;		/* V_STR, V_LIST (space separated) */
	char *owned;		/* freed after use */
	long long n;		/* V_INT, V_BOOL */
	unsigned long long ubc[5];	/* held maxheld barrier limit failcnt */
};

struct field {
	const char *name;
	const char *hdr;
	int width;		/* negative: left aligned */
	void (*get)(const struct ovz_ct_info *ci, const char *key, struct value *v);
	const char *key;	/* config key for the generic getters */
};

static void get_ctid(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = V_INT;
	v->n = ci->ctid;
}

static void get_conf_str(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	const char *s = ci->conf ? ovz_conf_get(ci->conf, key) : NULL;
	v->type = s && *s ? V_STR : V_NULL;
	v->s = s;
}

static void get_name(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = ci->dom && ci->dom->name ? V_STR : V_NULL;
	v->s = ci->dom ? ci->dom->name : NULL;
}

static void get_smart_name(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	get_name(ci, key, v);
	if (v->type == V_NULL)
		get_ctid(ci, key, v);
}

static void get_hostname(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = ci->dom && ci->dom->hostname ? V_STR : V_NULL;
	v->s = ci->dom ? ci->dom->hostname : NULL;
}

static void get_description(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = ci->dom && ci->dom->description ? V_STR : V_NULL;
	v->s = ci->dom ? ci->dom->description : NULL;
}

static void get_ostemplate(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = ci->dom && ci->dom->ostemplate ? V_STR : V_NULL;
	v->s = ci->dom ? ci->dom->ostemplate : NULL;
}

static void get_private(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = V_STR;
	v->s = ci->private_path;
}

static void get_root(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = V_STR;
	v->s = ci->root_path;
}

static void get_ip(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; ci->dom && i < ci->dom->n_ifaces; i++) {
		const struct ovz_iface *f = &ci->dom->ifaces[i];
		for (size_t j = 0; j < f->n_ips; j++) {
			char a[64];
			ovz_format_ip(&f->ips[j], false, a, sizeof(a));
			if (sb.len)
				strbuf_putc(&sb, ' ');
			strbuf_puts(&sb, a);
		}
	}
	v->type = V_LIST;
	v->s = v->owned = strbuf_steal(&sb);
}

static void get_strv(char **list, struct value *v)
{
	v->type = V_LIST;
	v->s = v->owned = strv_join(list, " ");
}

static void get_nameserver(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	get_strv(ci->dom ? ci->dom->nameservers : NULL, v);
}

static void get_searchdomain(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	get_strv(ci->dom ? ci->dom->searchdomains : NULL, v);
}

static void get_status(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = V_STR;
	v->s = ovz_status_name(ci->status);
}

static void get_uuid(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	if (!ci->dom || !ci->dom->has_uuid) {
		v->type = V_NULL;
		return;
	}
	v->type = V_STR;
	v->s = v->owned = xmalloc(37);
	ovz_format_uuid(ci->dom->uuid, v->owned);
}

static void get_onboot(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = V_BOOL;
	v->n = ci->dom && ci->dom->autostart == OVZ_YES;
}

static void get_conf_int(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	const char *s = ci->conf ? ovz_conf_get(ci->conf, key) : NULL;
	uint64_t n;
	v->type = V_NULL;
	if (s && parse_u64(s, &n) == 0 && n <= LLONG_MAX) {
		v->type = V_INT;
		v->n = (long long)n;
	}
}

static void get_layout(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	const char *s = ci->conf ? ovz_conf_get(ci->conf, "VE_LAYOUT") : NULL;
	v->type = V_STR;
	v->s = s && str_startswith(s, "ploop") ? "ploop" : "simfs";
}

/* "barrier:limit" (or one value for both) with vzctl's suffixes; the
 * held, maxheld and failcnt columns stay 0 without a beancounter. */
static unsigned long long ubc_number(const char *s, bool pages)
{
	if (strncmp(s, "unlimited", 9) == 0)
		return LONG_MAX;
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	unsigned long long mult = 1;
	switch (*end) {
	case 'K': case 'k': mult = 1ULL << 10; break;
	case 'M': case 'm': mult = 1ULL << 20; break;
	case 'G': case 'g': mult = 1ULL << 30; break;
	case 'T': case 't': mult = 1ULL << 40; break;
	case 'P': case 'p': mult = 1ULL << 50; break;
	default: return n;
	}
	n *= mult;
	return pages ? n / 4096 : n;
}

static void get_ubc(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = V_UBC;
	memset(v->ubc, 0, sizeof(v->ubc));
	const char *s = ci->conf ? ovz_conf_get(ci->conf, key) : NULL;
	bool pages = strstr(key, "PAGES") != NULL;
	if (s && *s) {
		const char *colon = strchr(s, ':');
		v->ubc[2] = ubc_number(s, pages);
		v->ubc[3] = colon ? ubc_number(colon + 1, pages) : v->ubc[2];
	}
	if (strcmp(key, "NUMPROC") == 0 && ci->nproc >= 0)
		v->ubc[0] = v->ubc[1] = (unsigned long long)ci->nproc;
}

static void get_backend(const struct ovz_ct_info *ci, const char *key, struct value *v)
{
	v->type = ci->backend[0] ? V_STR : V_NULL;
	v->s = ci->backend;
}

#define UBC(n, K, H) { n, H, 10, get_ubc, K }
static const struct field fields[] = {
	{ "ctid", "CTID", 10, get_ctid, NULL },
	{ "veid", "CTID", 10, get_ctid, NULL },
	{ "vpsid", "CTID", 10, get_ctid, NULL },
	{ "private", "PRIVATE", -32, get_private, NULL },
	{ "root", "ROOT", -32, get_root, NULL },
	{ "mount_opts", "MOUNT_OPTS", -16, get_conf_str, "MOUNT_OPTS" },
	{ "origin_sample", "ORIGIN_SAMPLE", 32, get_conf_str, "ORIGIN_SAMPLE" },
	{ "hostname", "HOSTNAME", -32, get_hostname, NULL },
	{ "name", "NAME", -32, get_name, NULL },
	{ "smart_name", "SMARTNAME", 10, get_smart_name, NULL },
	{ "description", "DESCRIPTION", -32, get_description, NULL },
	{ "ostemplate", "OSTEMPLATE", -32, get_ostemplate, NULL },
	{ "ip", "IP_ADDR", -15, get_ip, NULL },
	{ "nameserver", "NAMESERVER", -15, get_nameserver, NULL },
	{ "searchdomain", "SEARCHDOMAIN", -15, get_searchdomain, NULL },
	{ "status", "STATUS", -9, get_status, NULL },
	UBC("kmemsize", "KMEMSIZE", "KMEMSIZE"),
	UBC("lockedpages", "LOCKEDPAGES", "LOCKEDP"),
	UBC("privvmpages", "PRIVVMPAGES", "PRIVVMP"),
	UBC("shmpages", "SHMPAGES", "SHMP"),
	UBC("numproc", "NUMPROC", "NPROC"),
	UBC("physpages", "PHYSPAGES", "PHYSP"),
	UBC("vmguarpages", "VMGUARPAGES", "VMGUARP"),
	UBC("oomguarpages", "OOMGUARPAGES", "OOMGUARP"),
	UBC("numtcpsock", "NUMTCPSOCK", "NTCPSOCK"),
	UBC("numflock", "NUMFLOCK", "NFLOCK"),
	UBC("numpty", "NUMPTY", "NPTY"),
	UBC("numsiginfo", "NUMSIGINFO", "NSIGINFO"),
	UBC("tcpsndbuf", "TCPSNDBUF", "TCPSNDB"),
	UBC("tcprcvbuf", "TCPRCVBUF", "TCPRCVB"),
	UBC("othersockbuf", "OTHERSOCKBUF", "OTHSOCKB"),
	UBC("dgramrcvbuf", "DGRAMRCVBUF", "DGRAMRB"),
	UBC("numothersock", "NUMOTHERSOCK", "NOTHSOCK"),
	UBC("dcachesize", "DCACHESIZE", "DCACHESZ"),
	UBC("numfile", "NUMFILE", "NFILE"),
	UBC("numiptent", "NUMIPTENT", "NIPTENT"),
	UBC("swappages", "SWAPPAGES", "SWAPP"),
	{ "cpulimit", "CPULIM", 7, get_conf_int, "CPULIMIT" },
	{ "cpuunits", "CPUUNI", 7, get_conf_int, "CPUUNITS" },
	{ "cpus", "CPUS", 5, get_conf_int, "CPUS" },
	{ "onboot", "ONBOOT", 6, get_onboot, NULL },
	{ "bootorder", "BOOTORDER", 10, get_conf_int, "BOOTORDER" },
	{ "layout", "LAYOUT", 6, get_layout, NULL },
	{ "uuid", "UUID", -36, get_uuid, NULL },
	{ "backend", "BACKEND", -7, get_backend, NULL },
};

/* The row index of numproc: the text column NPROC shows its held value. */
static bool is_numproc(const struct field *f)
{
	return strcmp(f->name, "numproc") == 0;
}

static const struct field *find_field(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

struct list_opts {
	bool all, stopped_only, no_header, json, reverse;
	const struct field *order[ARRAY_SIZE(fields) + 1];
	size_t n_order;
	const struct field *sort;
};

static void value_get(const struct field *f, const struct ovz_ct_info *ci, struct value *v)
{
	memset(v, 0, sizeof(*v));
	f->get(ci, f->key, v);
}

/* printf's "%*s" and "%llu" without printf: the list prints tens of
 * values per container. */
static void put_padded(struct strbuf *sb, const char *s, int width)
{
	size_t len = strlen(s);
	size_t w = (size_t)(width < 0 ? -width : width);
	if (width > 0)
		for (size_t i = len; i < w; i++)
			strbuf_putc(sb, ' ');
	strbuf_putn(sb, s, len);
	if (width < 0)
		for (size_t i = len; i < w; i++)
			strbuf_putc(sb, ' ');
}

static const char *fmt_u64(char buf[static 24], unsigned long long n)
{
	char *p = buf + 23;
	*p = '\0';
	do
		*--p = (char)('0' + n % 10);
	while (n /= 10);
	return p;
}

static const char *fmt_s64(char buf[static 24], long long n)
{
	if (n >= 0)
		return fmt_u64(buf, (unsigned long long)n);
	char *p = (char *)fmt_u64(buf, 0ULL - (unsigned long long)n);
	*--p = '-';
	return p;
}

static void put_text(struct strbuf *sb, const struct field *f, const struct value *v, bool last)
{
	char buf[24];
	const char *s = "-";
	_cleanup_free_ char *first = NULL;
	switch (v->type) {
	case V_NULL:
		break;
	case V_STR:
		s = v->s;
		break;
	case V_LIST:
		s = v->s && *v->s ? v->s : "-";
		if (!last && strchr(s, ' '))	/* only the first item fits a column */
			s = first = xstrndup(s, strcspn(s, " "));
		break;
	case V_INT:
		s = fmt_s64(buf, v->n);
		break;
	case V_BOOL:
		s = v->n ? "yes" : "no";
		break;
	case V_UBC:
		if (is_numproc(f) && v->ubc[0] == 0 && v->ubc[1] == 0)
			break;
		s = fmt_u64(buf, v->ubc[is_numproc(f) ? 0 : 2]);
		break;
	}
	put_padded(sb, s, f->width);
}

static void put_json(struct strbuf *sb, const struct value *v)
{
	static const char *const ubc_names[] = {
		"{\n      \"held\": ", ",\n      \"maxheld\": ", ",\n      \"barrier\": ",
		",\n      \"limit\": ", ",\n      \"failcnt\": ",
	};
	char buf[24];
	switch (v->type) {
	case V_NULL:
		strbuf_puts(sb, "null");
		break;
	case V_STR:
		strbuf_put_json_string(sb, v->s);
		break;
	case V_LIST: {
		_cleanup_strv_ char **items = strv_split(v->s, " ");
		strbuf_putc(sb, '[');
		for (size_t i = 0; items && items[i]; i++) {
			if (i)
				strbuf_puts(sb, ", ");
			strbuf_put_json_string(sb, items[i]);
		}
		strbuf_putc(sb, ']');
		break;
	}
	case V_INT:
		strbuf_puts(sb, fmt_s64(buf, v->n));
		break;
	case V_BOOL:
		strbuf_puts(sb, v->n ? "true" : "false");
		break;
	case V_UBC:
		for (size_t i = 0; i < ARRAY_SIZE(ubc_names); i++) {
			strbuf_puts(sb, ubc_names[i]);
			strbuf_puts(sb, fmt_u64(buf, v->ubc[i]));
		}
		strbuf_puts(sb, "\n    }");
		break;
	}
}

static void trim_trailing_spaces(struct strbuf *sb)
{
	while (sb->len && sb->buf[sb->len - 1] == ' ')
		sb->buf[--sb->len] = '\0';
}

static void print_header(const struct list_opts *o, struct strbuf *sb)
{
	for (size_t i = 0; i < o->n_order; i++) {
		if (i)
			strbuf_putc(sb, ' ');
		put_padded(sb, o->order[i]->hdr, o->order[i]->width);
	}
	trim_trailing_spaces(sb);
	strbuf_putc(sb, '\n');
}

static void print_row(const struct list_opts *o, const struct ovz_ct_info *ci, struct strbuf *sb)
{
	for (size_t i = 0; i < o->n_order; i++) {
		struct value v;
		value_get(o->order[i], ci, &v);
		if (i)
			strbuf_putc(sb, ' ');
		put_text(sb, o->order[i], &v, i + 1 == o->n_order);
		free(v.owned);
	}
	trim_trailing_spaces(sb);
	strbuf_putc(sb, '\n');
}

static void print_json_object(const struct list_opts *o, const struct ovz_ct_info *ci,
			      struct strbuf *sb)
{
	strbuf_puts(sb, "\n  {");
	size_t n = o->n_order ? o->n_order : ARRAY_SIZE(fields);
	for (size_t i = 0; i < n; i++) {
		const struct field *f = o->n_order ? o->order[i] : &fields[i];
		struct value v;
		value_get(f, ci, &v);
		strbuf_puts(sb, i ? ",\n    \"" : "\n    \"");
		strbuf_puts(sb, f->name);
		strbuf_puts(sb, "\": ");
		put_json(sb, &v);
		free(v.owned);
	}
	strbuf_puts(sb, "\n  }");
}

static int compare_values(const struct value *a, const struct value *b)
{
	if (a->type == V_NULL || b->type == V_NULL)
		return (a->type != V_NULL) - (b->type != V_NULL);
	switch (a->type) {
	case V_STR:
	case V_LIST:
		return strcmp(a->s ? a->s : "", b->s ? b->s : "");
	case V_UBC:
		return (a->ubc[0] > b->ubc[0]) - (a->ubc[0] < b->ubc[0]);
	default:
		return (a->n > b->n) - (a->n < b->n);
	}
}

/* qsort has no context argument; sorting is done with an insertion sort
 * over an index array instead of a global. */
static void sort_rows(const struct list_opts *o, const struct ovz_ct_info *v, size_t n,
		      size_t *idx)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (!o->sort)
		return;
	struct value *keys = xcalloc(n, sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		value_get(o->sort, &v[i], &keys[i]);
	for (size_t i = 1; i < n; i++) {
		size_t x = idx[i], j = i;
		while (j > 0 && compare_values(&keys[idx[j - 1]], &keys[x]) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = x;
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i].owned);
	free(keys);
}

static bool selected(const struct list_opts *o, const struct ovz_ct_info *ci,
		     char **ids, int n_ids)
{
	if (n_ids > 0) {
		char num[16];
		snprintf(num, sizeof(num), "%u", ci->ctid);
		for (int i = 0; i < n_ids; i++)
			if (strcmp(ids[i], num) == 0 ||
			    (ci->dom && ci->dom->name && strcmp(ids[i], ci->dom->name) == 0))
				return !(o->stopped_only && ci->status == OVZ_STATUS_RUNNING);
		return false;
	}
	if (o->stopped_only)
		return ci->status != OVZ_STATUS_RUNNING;
	return o->all || ci->status == OVZ_STATUS_RUNNING;
}

static int parse_fields(struct cli *c, struct list_opts *o, const char *spec)
{
	_cleanup_strv_ char **names = strv_split(spec, ",");
	o->n_order = 0;
	for (size_t i = 0; names && names[i]; i++) {
		const struct field *f = find_field(names[i]);
		if (!f)
			return cli_usage_error(c, "-o: unknown field '%s'", names[i]);
		if (o->n_order < ARRAY_SIZE(o->order) - 1)
			o->order[o->n_order++] = f;
	}
	return o->n_order ? 0 : cli_usage_error(c, "-o: no fields given");
}

static int parse_list_opts(struct cli *c, struct list_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "stopped", no_argument, NULL, 'S' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "sort", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "name", no_argument, NULL, 'n' },
		{ 0 },
	};
	int opt, r;
	bool fields_given = false;
	if (parse_fields(c, o, "ctid,numproc,status,ip,hostname") != 0)
		return EXIT_INPUT;
	while ((opt = getopt_long(argc, argv, "aSHo:s:jn1", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': o->all = true; break;
		case 'S': o->stopped_only = true; break;
		case 'H': o->no_header = true; break;
		case 'j': o->json = true; break;
		case 'n':
			if ((r = parse_fields(c, o, "smart_name,numproc,status,ip,hostname")))
				return r;
			break;
		case '1':
			o->no_header = true;
			if ((r = parse_fields(c, o, "ctid")))
				return r;
			break;
		case 'o':
			if ((r = parse_fields(c, o, optarg)))
				return r;
			fields_given = true;
			break;
		case 's':
			o->reverse = optarg[0] == '-';
			o->sort = find_field(optarg + o->reverse);
			if (!o->sort)
				return cli_usage_error(c, "-s: unknown field '%s'", optarg + o->reverse);
			break;
		default:
			return cli_usage_error(c, "unknown option");
		}
	}
	if (o->json && !fields_given)
		o->n_order = 0;	/* every field, as vzlist -j does */
	return 0;
}

static bool shows_numproc(const struct list_opts *o)
{
	size_t n = o->n_order ? o->n_order : ARRAY_SIZE(fields);
	for (size_t i = 0; i < n; i++)
		if (is_numproc(o->n_order ? o->order[i] : &fields[i]))
			return true;
	return o->sort && is_numproc(o->sort);
}

struct printer {
	const struct list_opts *o;
	char **ids;
	int n_ids;
	bool first;
	struct strbuf out;
};

#define FLUSH_AT (64 * 1024)

static void put_entry(struct printer *p, const struct ovz_ct_info *ci)
{
	if (!selected(p->o, ci, p->ids, p->n_ids))
		return;
	if (ci->conf_error)
		fprintf(stderr, "ovz-native: list %u: %s\n", ci->ctid, ci->conf_error);
	if (p->o->json) {
		if (!p->first)
			strbuf_putc(&p->out, ',');
		print_json_object(p->o, ci, &p->out);
	} else {
		print_row(p->o, ci, &p->out);
	}
	p->first = false;
	if (p->out.len >= FLUSH_AT) {
		fwrite(p->out.buf, 1, p->out.len, stdout);
		p->out.len = 0;
	}
}

VERB(list)
{
	struct list_opts o = { 0 };
	int r = parse_list_opts(c, &o, argc, argv);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	struct ovz_host *h = NULL;
	struct ovz_host_iter *it = NULL;
	r = ovz_host_open(c->root, c->backend, &h, &err);
	if (r == 0)
		r = ovz_host_iter_new(h, shows_numproc(&o) ? OVZ_LIST_NPROC : 0, &it, &err);
	if (r < 0) {
		ovz_host_free(h);
		return cli_fail(c, NULL, r, err);
	}
	struct printer p = { .o = &o, .ids = argv + optind, .n_ids = argc - optind, .first = true };
	if (o.json)
		strbuf_putc(&p.out, '[');
	else if (!o.no_header)
		print_header(&o, &p.out);
	size_t n = ovz_host_iter_count(it);
	if (!o.sort) {
		/* in CTID order as read: one entry in memory at a time */
		for (size_t k = 0; k < n; k++) {
			struct ovz_ct_info ci;
			ovz_host_iter_fill(it, o.reverse ? n - 1 - k : k, &ci);
			put_entry(&p, &ci);
			ovz_ct_info_release(&ci);
		}
	} else {
		struct ovz_ct_info *v = xcalloc(n ? n : 1, sizeof(*v));
		for (size_t k = 0; k < n; k++)
			ovz_host_iter_fill(it, k, &v[k]);
		size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
		sort_rows(&o, v, n, idx);
		for (size_t k = 0; k < n; k++)
			put_entry(&p, &v[idx[o.reverse ? n - 1 - k : k]]);
		free(idx);
		ovz_ct_info_free(v, n);
	}
	if (o.json)
		strbuf_puts(&p.out, "\n]\n");
	fwrite(p.out.buf, 1, p.out.len, stdout);
	strbuf_release(&p.out);
	ovz_host_iter_free(it);
	ovz_host_free(h);
	return EXIT_OK;
}
