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

enum vtype {
	V_NULL, V_STR, V_LIST, V_INT, V_BOOL, V_FLOAT, V_UBC, V_DQ, V_FEATURES, V_CAP,
};

struct value {
	enum vtype type;
	const char *s;			/* V_STR, V_FEATURES, V_CAP */
	const char *const *items;	/* V_LIST, NULL terminated */
	long long n;			/* V_INT (-1: unset), V_BOOL */
	double f;			/* V_FLOAT; n > 0: JSON with n decimals */
	unsigned long long ubc[5];	/* held maxheld barrier limit failcnt;
					 * V_DQ: usage softlimit hardlimit */
	unsigned known;			/* V_UBC: bit i when ubc[i] is known */
	int index;			/* which of ubc[] the text column and -s use */
};

enum {
	F_CUT = 1 << 0,		/* text cut to the column unless it is the last one */
	F_EXTRA = 1 << 1,	/* ours, not vzlist's: in -j only with --extra */
	F_HDR_RIGHT = 1 << 2,	/* the header right aligned, the value left */
};

struct field {
	const char *name;
	const char *hdr;
	int width;		/* negative: left aligned */
	void (*get)(const struct ovz_ct_list *l, const char *key, struct value *v);
	const char *key;	/* config key for the generic getters */
	int index;		/* vzlist's: 0 for a field of its own, else a column of one */
	unsigned flags;
	int min;		/* V_INT: the text shows "-" below it */
};

static void get_str(const char *s, struct value *v)
{
	v->type = s ? V_STR : V_NULL;
	v->s = s;
}

static bool is_running(const struct ovz_ct_list *l)
{
	return strcmp(ovz_ct_list_status(l), "running") == 0;
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

/* ONBOOT: yes, no, or (absent, or a value vzctl skips) neither. */
static void get_onboot(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, "ONBOOT");
	v->type = V_NULL;
	if (s && (strcmp(s, "yes") == 0 || strcmp(s, "no") == 0)) {
		v->type = V_BOOL;
		v->n = s[0] == 'y';
	}
}

/* A number from the config; -1 when unset (JSON 0, text "-" as vzlist). */
static void get_conf_int(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, key);
	uint64_t n;
	v->type = V_INT;
	v->n = s && cli_parse_u64(s, &n) == 0 && n <= LLONG_MAX ? (long long)n : -1;
}

/* The same, null when unset. */
static void get_conf_int_or_null(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_conf_int(l, key, v);
	if (v->n < 0)
		v->type = V_NULL;
}

/* CPULIMIT ("50", or "50%" of each CPU) and CPUUNITS: vzlist shows both
 * (0 for the missing one) when either is set, neither otherwise. */
static long long cpu_value(const char *key, const char *s)
{
	if (!s)
		return 0;
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	if (strcmp(key, "CPULIMIT") == 0 && end[0] == '%' && !end[1]) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		return (long long)n * (cpus > 0 ? cpus : 1);
	}
	return *end ? 0 : (long long)n;
}

static void get_cpu(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *limit = ovz_ct_list_config(l, "CPULIMIT");
	const char *units = ovz_ct_list_config(l, "CPUUNITS");
	v->type = limit || units ? V_INT : V_NULL;
	v->n = cpu_value(key, ovz_ct_list_config(l, key));
}

static void get_layout(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, "VE_LAYOUT");
	v->type = V_STR;
	v->s = s && strncmp(s, "ploop", 5) == 0 ? "ploop" : "simfs";
}

/* Barrier and limit as vzctl reads them; held, maxheld and failcnt are
 * known for a running container's NUMPROC (its processes) only. */
static void get_ubc(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_UBC;
	memset(v->ubc, 0, sizeof(v->ubc));
	v->known = 1u << 2 | 1u << 3;
	if (ovz_ct_list_limits(l, key, &v->ubc[2], &v->ubc[3]) < 0)
		v->ubc[2] = v->ubc[3] = 0;
	int nproc = strcmp(key, "NUMPROC") == 0 ? ovz_ct_list_nproc(l) : -1;
	if (nproc >= 0 && is_running(l)) {
		v->ubc[0] = v->ubc[1] = (unsigned long long)nproc;
		v->known |= 1u << 0;
	}
}

/* DISKSPACE and DISKINODES: an object when either is set (vzlist's quota),
 * usage 0 (not tracked). */
static void get_dq(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	unsigned long long b, h;
	if (!ovz_ct_list_config(l, "DISKSPACE") && !ovz_ct_list_config(l, "DISKINODES")) {
		v->type = V_NULL;
		return;
	}
	v->type = V_DQ;
	memset(v->ubc, 0, sizeof(v->ubc));
	if (ovz_ct_list_limits(l, key, &b, &h) == 0) {
		v->ubc[1] = b;
		v->ubc[2] = h;
	}
}

/* FEATURES="sysfs:on nfs:off": an object of booleans in JSON. */
static void get_features(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_FEATURES;
	v->s = ovz_ct_list_config(l, "FEATURES");
}

static void get_capability(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_CAP;
	v->s = ovz_ct_list_config(l, "CAPABILITY");
}

static void get_conf_bool(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, key);
	v->type = V_BOOL;
	v->n = s && strcmp(s, "yes") == 0;
}

static void get_conf_float(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	const char *s = ovz_ct_list_config(l, key);
	v->type = V_FLOAT;
	v->f = s ? strtod(s, NULL) : 0;
}

/* Load average and uptime come from the kernel's VE statistics, which no
 * backend gives yet: vzlist's "unknown" (null and 0.000, "-"). */
static void get_laverage(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_NULL;
}

static void get_uptime(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	v->type = V_FLOAT;
	v->f = 0;
	v->n = 3;	/* vzlist prints seconds with three decimals */
}

static void get_netfilter(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	static const char *const names[] = { "disabled", "stateless", "stateful", "full" };
	const char *s = ovz_ct_list_config(l, "NETFILTER");
	v->type = V_NULL;
	for (size_t i = 0; s && i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0)
			get_str(names[i], v);
}

/* vzlist's test: a PHYSPAGES limit that is not unlimited (none counts as 0). */
static void get_vswap(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	unsigned long long b = 0, lim = 0;
	if (ovz_ct_list_limits(l, "PHYSPAGES", &b, &lim) < 0)
		lim = 0;
	v->type = V_BOOL;
	v->n = lim != LONG_MAX && lim != INT_MAX;
}

static void get_backend(const struct ovz_ct_list *l, const char *key, struct value *v)
{
	get_str(ovz_ct_list_backend(l), v);
}

#define STR(n, H, w, g, K) { n, H, w, g, K, 0, F_CUT, 0 }
#define UBC1(n, sfx, K, H, i) { n sfx, H, 10, get_ubc, K, i, 0, 0 }
#define UBC(n, K, H) UBC1(n, "", K, H, 0), UBC1(n, ".m", K, H ".M", 1), \
	UBC1(n, ".b", K, H ".B", 2), UBC1(n, ".l", K, H ".L", 3), UBC1(n, ".f", K, H ".F", 4)
#define DQ(n, K, H) { n, H, 10, get_dq, K, 0, 0, 0 }, { n ".s", H ".S", 10, get_dq, K, 1, 0, 0 }, \
	{ n ".h", H ".H", 10, get_dq, K, 2, 0, 0 }
/* vzlist 4.11's fields, in its order (vzlist -L), then ours. */
static const struct field fields[] = {
	{ "ctid", "CTID", 10, get_ctid, NULL, 0, 0, 0 },
	{ "veid", "CTID", 10, get_ctid, NULL, 0, 0, 0 },
	{ "vpsid", "CTID", 10, get_ctid, NULL, 0, 0, 0 },
	STR("private", "PRIVATE", -32, get_private, NULL),
	STR("root", "ROOT", -32, get_root, NULL),
	STR("mount_opts", "MOUNT_OPTS", -16, get_conf_str, "MOUNT_OPTS"),
	{ "origin_sample", "ORIGIN_SAMPLE", -32, get_conf_str, "ORIGIN_SAMPLE", 0,
	  F_CUT | F_HDR_RIGHT, 0 },
	STR("hostname", "HOSTNAME", -32, get_hostname, NULL),
	STR("name", "NAME", -32, get_name, NULL),
	STR("smart_name", "SMARTNAME", 10, get_smart_name, NULL),
	STR("description", "DESCRIPTION", -32, get_description, NULL),
	STR("ostemplate", "OSTEMPLATE", -32, get_ostemplate, NULL),
	STR("ip", "IP_ADDR", -15, get_ip, NULL),
	STR("nameserver", "NAMESERVER", -15, get_nameserver, NULL),
	STR("searchdomain", "SEARCHDOMAIN", -15, get_searchdomain, NULL),
	{ "status", "STATUS", -9, get_status, NULL, 0, 0, 0 },
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
	DQ("diskspace", "DISKSPACE", "DSPACE"),
	DQ("diskinodes", "DISKINODES", "DINODES"),
	{ "laverage", "LAVERAGE", 14, get_laverage, NULL, 0, 0, 0 },
	{ "uptime", "UPTIME", 15, get_uptime, NULL, 0, 0, 0 },
	{ "cpulimit", "CPULIM", 7, get_cpu, "CPULIMIT", 0, 0, 0 },
	{ "cpuunits", "CPUUNI", 7, get_cpu, "CPUUNITS", 0, 0, 0 },
	{ "cpus", "CPUS", 5, get_conf_int, "CPUS", 0, 0, 1 },
	{ "ioprio", "IOP", 3, get_conf_int, "IOPRIO", 0, 0, 0 },
	{ "iolimit", "IOLIMIT", 10, get_conf_int, "IOLIMIT", 0, 0, 1 },
	{ "iopslimit", "IOPS", 4, get_conf_int, "IOPSLIMIT", 0, 0, 1 },
	{ "onboot", "ONBOOT", 6, get_onboot, NULL, 0, 0, 0 },
	{ "bootorder", "BOOTORDER", 10, get_conf_int_or_null, "BOOTORDER", 0, 0, 0 },
	{ "layout", "LAYOUT", -6, get_layout, NULL, 0, 0, 0 },
	{ "features", "FEATURES", -15, get_features, NULL, 0, F_CUT, 0 },
	{ "vswap", "VSWAP", 5, get_vswap, NULL, 0, 0, 0 },
	{ "disabled", "DISABL", 6, get_conf_bool, "DISABLED", 0, 0, 0 },
	{ "vm_overcommit", "VM_OVC", 6, get_conf_float, "VM_OVERCOMMIT", 0, 0, 0 },
	{ "netfilter", "NETFILTER", -9, get_netfilter, NULL, 0, 0, 0 },
	{ "capability", "CAPABILITY", -15, get_capability, NULL, 0, 0, 0 },
	{ "uuid", "UUID", -36, get_uuid, NULL, 0, F_EXTRA, 0 },
	{ "backend", "BACKEND", -7, get_backend, NULL, 0, F_EXTRA, 0 },
};

/* The row index of numproc: the text column NPROC shows its held value. */
static bool is_numproc(const struct field *f)
{
	return strcmp(f->key ? f->key : "", "NUMPROC") == 0;
}

static const struct field *find_field(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

struct list_opts {
	bool all, stopped_only, no_header, json, reverse, extra;
	const struct field *order[ARRAY_SIZE(fields) + 1];
	size_t n_order;
	const struct field *sort;
};

static void value_get(const struct field *f, const struct ovz_ct_list *l, struct value *v)
{
	memset(v, 0, sizeof(*v));
	f->get(l, f->key, v);
	v->index = f->index;
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

/* CAPABILITY="chown:off net_admin:on": vzctl's capability names in its
 * order, each "name:on|off" (lower case), the last word for a name
 * counting; fs_mask is vzctl's name for bit 0 again. */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
	"setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
	"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
	"sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
	"ve_admin", "setfcap", "fs_mask",
};

/* vzctl's features, in its order. */
static const char *const feature_names[] = {
	"sysfs", "nfs", "sit", "ipip", "ppp", "ipgre", "bridge", "nfsd",
};

struct named_bits {
	const char *const *names;
	size_t n;
	unsigned wrap;		/* name i is bit i % wrap */
	bool any_case;
};

static const struct named_bits caps = { cap_names, ARRAY_SIZE(cap_names), 32, true };
static const struct named_bits features = { feature_names, ARRAY_SIZE(feature_names), 64, false };

/* Bit i of *on / *off for each "name:on|off" word of s (separated by
 * blanks or commas; a later word for a name wins; unknown names skipped). */
static void bit_masks(const struct named_bits *nb, const char *s, unsigned long long *on,
		      unsigned long long *off)
{
	*on = *off = 0;
	while (s && *s) {
		s += strspn(s, " \t,");
		size_t len = strcspn(s, " \t,");
		const char *colon = len ? memrchr(s, ':', len) : NULL;
		size_t name_len = colon ? (size_t)(colon - s) : 0;
		bool set = colon && len - name_len == 3 && strncmp(colon + 1, "on", 2) == 0;
		bool unset = colon && len - name_len == 4 && strncmp(colon + 1, "off", 3) == 0;
		for (size_t i = 0; (set || unset) && i < nb->n; i++) {
			if (strlen(nb->names[i]) != name_len ||
			    (nb->any_case ? strncasecmp(s, nb->names[i], name_len)
					  : strncmp(s, nb->names[i], name_len)) != 0)
				continue;
			unsigned long long bit = 1ULL << (i % nb->wrap);
			*on = set ? *on | bit : *on & ~bit;
			*off = set ? *off & ~bit : *off | bit;
		}
		s += len;
	}
}

/* Each named bit as "name:on"/"name:off" joined by commas ("-" for none),
 * or with json, as "name": true|false members (null for none). */
static void put_bits(struct cli_buf *b, const struct named_bits *nb, const char *s, bool json)
{
	unsigned long long on, off;
	bit_masks(nb, s, &on, &off);
	bool first = true;
	for (size_t i = 0; i < nb->n; i++) {
		unsigned long long bit = 1ULL << (i % nb->wrap);
		if (!((on | off) & bit))
			continue;
		if (json) {
			cli_buf_puts(b, first ? "{\n      \"" : ",\n      \"");
			cli_buf_puts(b, nb->names[i]);
			cli_buf_puts(b, on & bit ? "\": true" : "\": false");
		} else {
			if (!first)
				cli_buf_putc(b, ',');
			cli_buf_puts(b, nb->names[i]);
			cli_buf_puts(b, on & bit ? ":on" : ":off");
		}
		first = false;
	}
	if (json)
		cli_buf_puts(b, first ? "null" : "\n    }");
	else if (first)
		cli_buf_putc(b, '-');
}

/* vzlist prints a column with printf's width and, unless it is the last
 * one, moves on by the width: longer text is cut there. */
static void put_cut(struct cli_buf *b, const char *s, int width, bool cut)
{
	size_t w = (size_t)(width < 0 ? -width : width);
	char buf[256];
	if (cut && strlen(s) > w && w < sizeof(buf)) {
		memcpy(buf, s, w);
		buf[w] = '\0';
		s = buf;
	}
	put_padded(b, s, width);
}

static void put_text(struct cli_buf *b, const struct field *f, const struct value *v, bool last)
{
	char buf[32];
	const char *s = "-";
	bool cut = (f->flags & F_CUT) && !last;
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
		if (v->n >= f->min)
			s = fmt_s64(buf, v->n);
		break;
	case V_BOOL:
		s = v->n ? "yes" : "no";
		break;
	case V_FLOAT:
		if (v->f != 0) {
			snprintf(buf, sizeof(buf), "%g", v->f);
			s = buf;
		}
		break;
	case V_UBC:
		if (v->known & (1u << v->index))
			s = fmt_u64(buf, v->ubc[v->index]);
		break;
	case V_DQ:
		if (v->index != 0 || v->ubc[0])
			s = fmt_u64(buf, v->ubc[v->index]);
		break;
	case V_FEATURES:
	case V_CAP: {
		struct cli_buf text = { 0 };
		put_bits(&text, v->type == V_CAP ? &caps : &features, v->s, false);
		put_cut(b, text.buf, f->width, cut);
		cli_buf_release(&text);
		return;
	}
	}
	put_cut(b, s, f->width, cut);
}

static void put_json(struct cli_buf *b, const struct value *v)
{
	static const char *const ubc_names[] = {
		"{\n      \"held\": ", ",\n      \"maxheld\": ", ",\n      \"barrier\": ",
		",\n      \"limit\": ", ",\n      \"failcnt\": ",
	};
	char buf[32];
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
		cli_buf_puts(b, fmt_s64(buf, v->n < 0 ? 0 : v->n));
		break;
	case V_BOOL:
		cli_buf_puts(b, v->n ? "true" : "false");
		break;
	case V_FLOAT:
		if (v->n > 0)	/* decimals given */
			snprintf(buf, sizeof(buf), "%.*f", (int)v->n, v->f);
		else
			snprintf(buf, sizeof(buf), "%g", v->f);
		cli_buf_puts(b, buf);
		break;
	case V_CAP:
		put_bits(b, &caps, v->s, true);
		break;
	case V_UBC:
		for (size_t i = 0; i < ARRAY_SIZE(ubc_names); i++) {
			cli_buf_puts(b, ubc_names[i]);
			cli_buf_puts(b, fmt_u64(buf, v->known & (1u << i) ? v->ubc[i] : 0));
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
		put_bits(b, &features, v->s, true);
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
		const struct field *f = o->order[i];
		put_padded(b, f->hdr, (f->flags & F_HDR_RIGHT) ? -f->width : f->width);
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
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		const struct field *f = o->n_order ? o->order[i] : &fields[i];
		if (!o->n_order && (f->index || ((f->flags & F_EXTRA) && !o->extra)))
			continue;	/* vzlist -j: each field of its own, not its columns */
		struct value v;
		value_get(f, l, &v);
		cli_buf_puts(b, first ? "\n    \"" : ",\n    \"");
		first = false;
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
	bool running = is_running(l);
	/* vzlist hides a stopped one without a private area; --extra shows
	 * what an interrupted create left */
	bool incomplete = strcmp(ovz_ct_list_status(l), "incomplete") == 0;
	if (!running && !ovz_ct_list_exists(l) && !(o->extra && incomplete))
		return false;
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
	case V_DQ:
		return (a->ubc[a->index] > b->ubc[b->index]) - (a->ubc[a->index] < b->ubc[b->index]);
	case V_FLOAT:
		return (a->f > b->f) - (a->f < b->f);
	case V_CAP:
		return strcmp(a->s ? a->s : "", b->s ? b->s : "");
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
	} else if ((r->key.type == V_STR || r->key.type == V_FEATURES || r->key.type == V_CAP) &&
		   r->key.s) {
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
		{ "extra", no_argument, NULL, 'x' },
		{ 0 },
	};
	int opt, r;
	bool fields_given = false;
	if (parse_fields(c, o, "ctid,numproc,status,ip,hostname") != 0)
		return EXIT_INPUT;
	while ((opt = getopt_long(argc, argv, "aSHo:s:jn1x", opts, NULL)) != -1) {
		switch (opt) {
		case 'x': o->extra = true; break;
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
