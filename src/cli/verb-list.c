// SPDX-License-Identifier: LGPL-2.1-or-later
/* `list`: vzlist's columns, options and JSON shape, so scripts written
 * against vzlist keep working.  Every field is one row of a table: its
 * -o name, header, column width, and a getter that yields a typed value
 * from the current entry of the library's list, which the text, JSON and
 * sort code all share.  Without -s the list streams: one container in
 * memory at a time. */
#include "cli.h"
#include "cli-util.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum vtype { V_NULL, V_STR, V_LIST, V_INT, V_BOOL, V_UBC, V_DQ, V_FEATURES };

struct value {
	enum vtype type;
	const char *s;			/* V_STR */
	const char *const *items;	/* V_LIST, NULL terminated */
	long long n;			/* V_INT, V_BOOL */
	unsigned long long ubc[5];	/* held maxheld barrier limit failcnt;
					 * V_DQ: usage softlimit hardlimit */
};

struct field {
	const char *name;
	const char *hdr;
	int width;		/* negative: left aligned */
	void (*get)(const struct ovz_ct_list *l, const char *key, struct value *v);
	const char *key;	/* config key for the generic getters */
};

static void get_str(const char *s, struct value *v)
{
	v->type = s ? V_STR : V_NULL;
	v->s = s;
}

static void get_ctid(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_INT;
	v->n = ovz_ct_list_ctid(l);
}

static void get_conf_str(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, key);
	get_str(s && *s ? s : NULL, v);
}

static void get_name(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_str(ovz_ct_list_name(l), v);
}

static void get_smart_name(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_name(l, key, v);
	if (v->type == V_NULL)
		get_ctid(l, key, v);
}

static void get_hostname(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_str(ovz_ct_list_hostname(l), v);
}

static void get_description(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_str(ovz_ct_list_description(l), v);
}

static void get_ostemplate(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_str(ovz_ct_list_ostemplate(l), v);
}

static void get_private(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_STR;
	v->s = ovz_ct_list_private(l);
}

static void get_root(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_STR;
	v->s = ovz_ct_list_root(l);
}

static void get_ip(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_LIST;
	v->items = ovz_ct_list_ips(l);
}

static void get_nameserver(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_LIST;
	v->items = ovz_ct_list_nameservers(l);
}

static void get_searchdomain(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_LIST;
	v->items = ovz_ct_list_searchdomains(l);
}

static void get_status(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_STR;
	v->s = ovz_ct_list_status(l);
}

static void get_uuid(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_str(ovz_ct_list_uuid(l), v);
}

static void get_onboot(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_BOOL;
	v->n = ovz_ct_list_onboot(l);
}

static void get_conf_int(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, key);
	uint64_t n;
	v->type = V_NULL;
	if (s && cli_parse_u64(s, &n) == 0 && n <= LLONG_MAX) {
		v->type = V_INT;
		v->n = (long long)n;
	}
}

static void get_layout(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, "VE_LAYOUT");
	v->type = V_STR;
	v->s = s && strncmp(s, "ploop", 5) == 0 ? "ploop" : "simfs";
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

static void get_ubc(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_UBC;
	memset(v->ubc, 0, sizeof(v->ubc));
	const char *s = ovz_ct_list_config(l, key);
	bool pages = strstr(key, "PAGES") != NULL;
	if (s && *s) {
		const char *colon = strchr(s, ':');
		v->ubc[2] = ubc_number(s, pages);
		v->ubc[3] = colon ? ubc_number(colon + 1, pages) : v->ubc[2];
	}
	int nproc = strcmp(key, "NUMPROC") == 0 ? ovz_ct_list_nproc(l) : -1;
	if (nproc >= 0)
		v->ubc[0] = v->ubc[1] = (unsigned long long)nproc;
}

/* A plain number is in 1K blocks (or inodes); with a K/M/G/T suffix it is
 * bytes, as vzctl reads it. */
static unsigned long long dq_number(const char *s)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	return *end && *end != ':' ? ubc_number(s, false) / 1024 : n;
}

/* DISKSPACE or DISKINODES ("soft:hard"): usage is not tracked without a
 * quota (0, shown as "-"); key "DISKSPACE.s" picks the soft limit for the
 * text column, ".h" the hard one. */
static void get_dq(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	char name[16];
	size_t len = strcspn(key, ".");
	snprintf(name, sizeof(name), "%.*s", (int)len, key);
	const char *s = ovz_ct_list_config(l, name);
	if (!s || !*s) {
		v->type = V_NULL;
		return;
	}
	v->type = V_DQ;
	memset(v->ubc, 0, sizeof(v->ubc));
	const char *colon = strchr(s, ':');
	v->ubc[1] = dq_number(s);
	v->ubc[2] = colon ? dq_number(colon + 1) : v->ubc[1];
	v->n = key[len] == '.' ? (key[len + 1] == 's' ? 1 : 2) : 0;
}

/* FEATURES="sysfs:on nfs:off": an object of booleans in JSON. */
static void get_features(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_FEATURES;
	v->s = ovz_ct_list_config(l, "FEATURES");
}

static void get_conf_bool(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, key);
	v->type = V_BOOL;
	v->n = s && strcmp(s, "yes") == 0;
}

/* vzlist's test: a PHYSPAGES limit that is not unlimited. */
static void get_vswap(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	struct value p;
	memset(&p, 0, sizeof(p));
	get_ubc(l, "PHYSPAGES", &p);
	v->type = V_BOOL;
	v->n = p.ubc[3] && p.ubc[3] != LONG_MAX && p.ubc[3] != INT_MAX;
}

static void get_backend(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_str(ovz_ct_list_backend(l), v);
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
	{ "diskspace", "DSPACE", 10, get_dq, "DISKSPACE" },
	{ "diskspace.s", "DSPACE.S", 10, get_dq, "DISKSPACE.s" },
	{ "diskspace.h", "DSPACE.H", 10, get_dq, "DISKSPACE.h" },
	{ "diskinodes", "DINODES", 10, get_dq, "DISKINODES" },
	{ "diskinodes.s", "DINODES.S", 10, get_dq, "DISKINODES.s" },
	{ "diskinodes.h", "DINODES.H", 10, get_dq, "DISKINODES.h" },
	{ "ioprio", "IOP", 3, get_conf_int, "IOPRIO" },
	{ "onboot", "ONBOOT", 6, get_onboot, NULL },
	{ "bootorder", "BOOTORDER", 10, get_conf_int, "BOOTORDER" },
	{ "layout", "LAYOUT", 6, get_layout, NULL },
	{ "features", "FEATURES", -15, get_features, NULL },
	{ "vswap", "VSWAP", 5, get_vswap, NULL },
	{ "disabled", "DISABL", 6, get_conf_bool, "DISABLED" },
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

static void value_get(const struct field *f, const struct ovz_ct_list *l, struct value *v)
{
	memset(v, 0, sizeof(*v));
	f->get(l, f->key, v);
}

/* ---- text and JSON ---- */

/* printf's "%*s" (of the items joined by spaces) and "%llu" without
 * printf: the list prints tens of values per container. */
static void put_padded_items(struct cli_buf *b, const char *const *items, int width)
{
	size_t len = 0, w = (size_t)(width < 0 ? -width : width);
	for (size_t i = 0; items[i]; i++)
		len += strlen(items[i]) + (i > 0);
	if (width > 0)
		for (size_t i = len; i < w; i++)
			cli_buf_putc(b, ' ');
	for (size_t i = 0; items[i]; i++) {
		if (i)
			cli_buf_putc(b, ' ');
		cli_buf_puts(b, items[i]);
	}
	if (width < 0)
		for (size_t i = len; i < w; i++)
			cli_buf_putc(b, ' ');
}

static void put_padded(struct cli_buf *b, const char *s, int width)
{
	const char *const one[] = { s, NULL };
	put_padded_items(b, one, width);
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

/* "sysfs:on nfs:off" as "sysfs:on,nfs:off"; "-" when none. */
static const char *feature_text(const char *s, char *buf, size_t len)
{
	if (!s || !*s)
		return "-";
	size_t n = 0;
	for (; *s && n + 1 < len; s++)
		if (*s != ' ' && *s != '\t')
			buf[n++] = *s;
		else if (n && buf[n - 1] != ',')
			buf[n++] = ',';
	while (n && buf[n - 1] == ',')
		n--;
	buf[n] = '\0';
	return buf;
}

static void put_features_json(struct cli_buf *b, const char *s)
{
	cli_buf_putc(b, '{');
	bool first = true;
	while (s && *s) {
		s += strspn(s, " \t");
		size_t len = strcspn(s, " \t");
		const char *colon = memchr(s, ':', len);
		if (colon && colon > s) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)(colon - s), s);
			cli_buf_puts(b, first ? "\n      " : ",\n      ");
			cli_buf_put_json_string(b, name);
			cli_buf_puts(b, strncmp(colon + 1, "on", 2) == 0 ? ": true" : ": false");
			first = false;
		}
		s += len;
	}
	cli_buf_puts(b, first ? "}" : "\n    }");
}

static void put_text(struct cli_buf *b, const struct field *f, const struct value *v, bool last)
{
	char buf[24], fbuf[256];
	const char *s = "-";
	switch (v->type) {
	case V_NULL:
		break;
	case V_STR:
		s = v->s;
		break;
	case V_LIST:
		if (last && v->items[0]) {	/* only the last column shows them all */
			put_padded_items(b, v->items, f->width);
			return;
		}
		s = v->items[0] ? v->items[0] : "-";
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
	case V_DQ:
		if (v->ubc[v->n])
			s = fmt_u64(buf, v->ubc[v->n]);
		break;
	case V_FEATURES:
		s = feature_text(v->s, fbuf, sizeof(fbuf));
		break;
	}
	put_padded(b, s, f->width);
}

static void put_json(struct cli_buf *b, const struct value *v)
{
	static const char *const ubc_names[] = {
		"{\n      \"held\": ", ",\n      \"maxheld\": ", ",\n      \"barrier\": ",
		",\n      \"limit\": ", ",\n      \"failcnt\": ",
	};
	char buf[24];
	switch (v->type) {
	case V_NULL:
		cli_buf_puts(b, "null");
		break;
	case V_STR:
		cli_buf_put_json_string(b, v->s);
		break;
	case V_LIST:
		cli_buf_putc(b, '[');
		for (size_t i = 0; v->items[i]; i++) {
			if (i)
				cli_buf_puts(b, ", ");
			cli_buf_put_json_string(b, v->items[i]);
		}
		cli_buf_putc(b, ']');
		break;
	case V_INT:
		cli_buf_puts(b, fmt_s64(buf, v->n));
		break;
	case V_BOOL:
		cli_buf_puts(b, v->n ? "true" : "false");
		break;
	case V_UBC:
		for (size_t i = 0; i < ARRAY_SIZE(ubc_names); i++) {
			cli_buf_puts(b, ubc_names[i]);
			cli_buf_puts(b, fmt_u64(buf, v->ubc[i]));
		}
		cli_buf_puts(b, "\n    }");
		break;
	case V_DQ:
		cli_buf_puts(b, "{\n      \"usage\": ");
		cli_buf_puts(b, fmt_u64(buf, v->ubc[0]));
		cli_buf_puts(b, ",\n      \"softlimit\": ");
		cli_buf_puts(b, fmt_u64(buf, v->ubc[1]));
		cli_buf_puts(b, ",\n      \"hardlimit\": ");
		cli_buf_puts(b, fmt_u64(buf, v->ubc[2]));
		cli_buf_puts(b, "\n    }");
		break;
	case V_FEATURES:
		put_features_json(b, v->s);
		break;
	}
}

static void trim_trailing_spaces(struct cli_buf *b)
{
	while (b->len && b->buf[b->len - 1] == ' ')
		b->buf[--b->len] = '\0';
}

static void print_header(const struct list_opts *o, struct cli_buf *b)
{
	for (size_t i = 0; i < o->n_order; i++) {
		if (i)
			cli_buf_putc(b, ' ');
		put_padded(b, o->order[i]->hdr, o->order[i]->width);
	}
	trim_trailing_spaces(b);
	cli_buf_putc(b, '\n');
}

static void print_row(const struct list_opts *o, const struct ovz_ct_list *l, struct cli_buf *b)
{
	for (size_t i = 0; i < o->n_order; i++) {
		struct value v;
		value_get(o->order[i], l, &v);
		if (i)
			cli_buf_putc(b, ' ');
		put_text(b, o->order[i], &v, i + 1 == o->n_order);
	}
	trim_trailing_spaces(b);
	cli_buf_putc(b, '\n');
}

/* Without the comma that separates it from the one before. */
static void print_json_object(const struct list_opts *o, const struct ovz_ct_list *l,
			      struct cli_buf *b)
{
	cli_buf_puts(b, "\n  {");
	size_t n = o->n_order ? o->n_order : ARRAY_SIZE(fields);
	for (size_t i = 0; i < n; i++) {
		const struct field *f = o->n_order ? o->order[i] : &fields[i];
		struct value v;
		value_get(f, l, &v);
		cli_buf_puts(b, i ? ",\n    \"" : "\n    \"");
		cli_buf_puts(b, f->name);
		cli_buf_puts(b, "\": ");
		put_json(b, &v);
	}
	cli_buf_puts(b, "\n  }");
}

static void print_entry(const struct list_opts *o, const struct ovz_ct_list *l, struct cli_buf *b)
{
	if (o->json)
		print_json_object(o, l, b);
	else
		print_row(o, l, b);
}

/* ---- which containers ---- */

static bool selected(const struct list_opts *o, const struct ovz_ct_list *l, char **ids, int n_ids)
{
	bool running = strcmp(ovz_ct_list_status(l), "running") == 0;
	if (n_ids > 0) {
		char num[16];
		snprintf(num, sizeof(num), "%u", ovz_ct_list_ctid(l));
		const char *name = ovz_ct_list_name(l);
		for (int i = 0; i < n_ids; i++)
			if (strcmp(ids[i], num) == 0 || (name && strcmp(ids[i], name) == 0))
				return !(o->stopped_only && running);
		return false;
	}
	if (o->stopped_only)
		return !running;
	return o->all || running;
}

static bool shows_numproc(const struct list_opts *o)
{
	size_t n = o->n_order ? o->n_order : ARRAY_SIZE(fields);
	for (size_t i = 0; i < n; i++)
		if (is_numproc(o->n_order ? o->order[i] : &fields[i]))
			return true;
	return o->sort && is_numproc(o->sort);
}

/* ---- output, in CTID order as read or sorted ---- */

struct printer {
	const struct list_opts *o;
	bool first;
	struct cli_buf out;
};

#define FLUSH_AT (64 * 1024)

/* Before an entry's text: why its config could not be read, and the
 * comma that separates JSON objects. */
static void begin_entry(struct printer *p, unsigned ctid, const char *error)
{
	if (error)
		fprintf(stderr, "ovz-native: list %u: %s\n", ctid, error);
	if (p->o->json && !p->first)
		cli_buf_putc(&p->out, ',');
	p->first = false;
}

static void end_entry(struct printer *p)
{
	if (p->out.len >= FLUSH_AT) {
		fwrite(p->out.buf, 1, p->out.len, stdout);
		p->out.len = 0;
	}
}

/* One container in memory at a time. */
static void print_streaming(struct printer *p, struct ovz_ct_list *l, char **ids, int n_ids)
{
	while (ovz_ct_list_next(l)) {
		if (!selected(p->o, l, ids, n_ids))
			continue;
		begin_entry(p, ovz_ct_list_ctid(l), ovz_ct_list_error(l));
		print_entry(p->o, l, &p->out);
		end_entry(p);
	}
}

/* A selected entry waiting for its place: its sort key (strings copied,
 * a list joined) and its output in the shared text buffer. */
struct row {
	size_t index;		/* in CTID order: equal keys keep it */
	unsigned ctid;
	char *error;
	struct value key;
	char *key_text;
	size_t start, len;
};

static int compare_values(const struct value *a, const struct value *b)
{
	if (a->type == V_NULL || b->type == V_NULL)
		return (a->type != V_NULL) - (b->type != V_NULL);
	switch (a->type) {
	case V_STR:
	case V_LIST:
	case V_FEATURES:
		return strcmp(a->s ? a->s : "", b->s ? b->s : "");
	case V_UBC:
		return (a->ubc[0] > b->ubc[0]) - (a->ubc[0] < b->ubc[0]);
	case V_DQ:
		return (a->ubc[a->n] > b->ubc[b->n]) - (a->ubc[a->n] < b->ubc[b->n]);
	default:
		return (a->n > b->n) - (a->n < b->n);
	}
}

static int compare_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = compare_values(&a->key, &b->key);
	return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* The sort key, kept beyond the entry: a list compares as its items
 * joined by spaces. */
static void keep_key(struct row *r, const struct field *f, const struct ovz_ct_list *l)
{
	value_get(f, l, &r->key);
	struct cli_buf joined = { 0 };
	if (r->key.type == V_LIST) {
		put_padded_items(&joined, r->key.items, 0);
		r->key.s = r->key_text = joined.buf ? joined.buf : cli_xstrdup("");
		r->key.items = NULL;
	} else if ((r->key.type == V_STR || r->key.type == V_FEATURES) && r->key.s) {
		r->key.s = r->key_text = cli_xstrdup(r->key.s);
	}
}

/* Every selected entry first, then in the order of the -s field. */
static void print_sorted(struct printer *p, struct ovz_ct_list *l, char **ids, int n_ids)
{
	struct row *rows = NULL;
	size_t n = 0;
	struct cli_buf text = { 0 };
	for (size_t index = 0; ovz_ct_list_next(l); index++) {
		if (!selected(p->o, l, ids, n_ids))
			continue;
		rows = cli_xrealloc(rows, (n + 1) * sizeof(*rows));
		struct row *r = &rows[n++];
		const char *error = ovz_ct_list_error(l);
		*r = (struct row){ .index = index, .ctid = ovz_ct_list_ctid(l),
				   .error = error ? cli_xstrdup(error) : NULL, .start = text.len };
		keep_key(r, p->o->sort, l);
		print_entry(p->o, l, &text);
		r->len = text.len - r->start;
	}
	if (n)
		qsort(rows, n, sizeof(*rows), compare_rows);
	for (size_t k = 0; k < n; k++) {
		const struct row *r = &rows[p->o->reverse ? n - 1 - k : k];
		begin_entry(p, r->ctid, r->error);
		cli_buf_putn(&p->out, text.buf + r->start, r->len);
		end_entry(p);
	}
	for (size_t k = 0; k < n; k++) {
		free(rows[k].error);
		free(rows[k].key_text);
	}
	free(rows);
	cli_buf_release(&text);
}

/* ---- options ---- */

/* A comma separated list of field names; empty names are skipped. */
static int parse_fields(struct cli *c, struct list_opts *o, const char *spec)
{
	char *copy = cli_xstrdup(spec), *save = NULL;
	int r = 0;
	o->n_order = 0;
	for (char *name = strtok_r(copy, ",", &save); name && r == 0;
	     name = strtok_r(NULL, ",", &save)) {
		const struct field *f = find_field(name);
		if (!f)
			r = cli_usage_error(c, "-o: unknown field '%s'", name);
		else if (o->n_order < ARRAY_SIZE(o->order) - 1)
			o->order[o->n_order++] = f;
	}
	free(copy);
	if (r == 0 && !o->n_order)
		r = cli_usage_error(c, "-o: no fields given");
	return r;
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

VERB(list)
{
	struct list_opts o = { 0 };
	int r = parse_list_opts(c, &o, argc, argv);
	if (r)
		return r;
	struct ovz_host *h = NULL;
	if ((r = cli_open(c, NULL, 0, &h, NULL)))
		return r;
	struct ovz_error *err = NULL;
	struct ovz_ct_list *l = NULL;
	r = ovz_ct_list_new(h, shows_numproc(&o) ? OVZ_CT_LIST_NPROC : 0, &l, &err);
	if (r < 0) {
		ovz_host_close(h);
		return cli_fail(c, NULL, r, err);
	}
	struct printer p = { .o = &o, .first = true };
	if (o.json)
		cli_buf_putc(&p.out, '[');
	else if (!o.no_header)
		print_header(&o, &p.out);
	if (o.sort)
		print_sorted(&p, l, argv + optind, argc - optind);
	else
		print_streaming(&p, l, argv + optind, argc - optind);
	if (o.json)
		cli_buf_puts(&p.out, "\n]\n");
	fwrite(p.out.buf, 1, p.out.len, stdout);
	cli_buf_release(&p.out);
	ovz_ct_list_free(l);
	ovz_host_close(h);
	return EXIT_OK;
}
