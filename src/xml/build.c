// SPDX-License-Identifier: LGPL-2.1-or-later
/* A parsed document to the model.  Every element is read by one small
 * function; the children an element may have are listed in a table, so an
 * unknown or repeated element is reported here, with its line, before the
 * schema (which cannot say much more than "failed to validate") sees it. */
#include "xml-private.h"
#include "xml.h"
#include "core/util.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

struct build {
	const char *file;
	struct ovz_error **err;
	struct ovz_domain *d;
	const char *ctid_from;		/* what gave d->ctid, for messages */
	long venet;			/* index of the venet iface, -1 before the first */
	xmlNode *container;		/* <ovz:container>: hostmacs need the devices first */
};

typedef int (*elem_fn)(struct build *b, xmlNode *n, void *ctx);

struct child {
	const char *name;
	elem_fn fn;			/* NULL: only collected (or accepted and ignored) */
	bool many;
};

static int fail(struct build *b, const xmlNode *n, const char *attr, const char *value,
		const char *reason)
{
	return xml_fail(b->err, b->file, n, attr, value, reason);
}

static int failf(struct build *b, const xmlNode *n, const char *attr, const char *value,
		 const char *fmt, ...) OVZ_PRINTF(5, 6);
static int failf(struct build *b, const xmlNode *n, const char *attr, const char *value,
		 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	return fail(b, n, attr, value, reason);
}

static bool is_name(const xmlNode *n, const char *name)
{
	return strcmp((const char *)n->name, name) == 0;
}

static bool in_ns(const xmlNode *n, const char *ns)
{
	if (!ns)
		return !n->ns;
	return n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0;
}

static char *trim(char *s)
{
	size_t len = strlen(s), start = strspn(s, " \t\r\n");
	while (len > start && strchr(" \t\r\n", s[len - 1]))
		len--;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
	return s;
}

static char *take(char **p)
{
	char *s = *p;
	*p = NULL;
	return s;
}

/* libxml2 is loaded: xml_build_domain runs on a document it parsed. */
static const struct ovz_libxml *lx(void)
{
	return ovz_libxml(NULL);
}

static char *text_raw(const xmlNode *n)
{
	xmlChar *c = lx()->xmlNodeGetContent(n);
	char *s = xstrdup(c ? (const char *)c : "");
	ovz_libxml_free(lx(), c);
	return s;
}

static char *text(const xmlNode *n)
{
	return trim(text_raw(n));
}

/* NULL when the attribute is absent. */
static char *attr(const xmlNode *n, const char *name)
{
	xmlChar *v = lx()->xmlGetNoNsProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = trim(xstrdup((const char *)v));
	ovz_libxml_free(lx(), v);
	return s;
}

static int need_attr(struct build *b, const xmlNode *n, const char *name, char **out)
{
	*out = attr(n, name);
	return *out ? 0 : fail(b, n, name, NULL, "is missing");
}

static int need_child(struct build *b, const xmlNode *parent, xmlNode *child, const char *name)
{
	return child ? 0 : failf(b, parent, NULL, NULL, "has no <%s> element", name);
}

/* Elements a libvirt user may send that ovz-native has no equivalent for:
 * they get a message that says so instead of "not allowed here". */
static const char *const libvirt_unsupported[] = {
	"disk", "graphics", "video", "sound", "hostdev", "controller", "input", "serial",
	"parallel", "channel", "redirdev", "smartcard", "watchdog", "memballoon", "rng",
	"tpm", "panic", "shmem", "iommu", "vsock", "emulator", "lease", "hub", "audio",
	"cpu", "numatune", "blkiotune", "memoryBacking", "iothreads", "idmap", "resource",
	"seclabel", "pm", "perf", "maxMemory", "bootloader", "sysinfo", "initenv", "initdir",
	"inituser", "initgroup", "initcwd", "model", "driver", "alias", "address", "boot",
	"bandwidth", "vlan", "virtualport", "link", "mtu", "script", "backenddomain",
	"on_lockfailure", "keywrap", "launchSecurity", "genid", "vcpus", "iothreadids",
};

static int fail_unknown(struct build *b, const xmlNode *n)
{
	if (!n->ns)
		for (size_t i = 0; i < ARRAY_SIZE(libvirt_unsupported); i++)
			if (is_name(n, libvirt_unsupported[i]))
				return fail(b, n, NULL, NULL, "is not supported by ovz-native");
	return fail(b, n, NULL, NULL, "is not allowed here");
}

/* Visits the child elements of parent in document order: each must be in
 * tab (in namespace ns) and appear at most once unless marked many.  The
 * first node of each entry goes to found[i] when found is not NULL. */
static int walk(struct build *b, xmlNode *parent, const char *ns, const struct child *tab,
		size_t n_tab, void *ctx, xmlNode **found)
{
	uint64_t seen = 0;
	for (xmlNode *c = parent->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		size_t i = 0;
		while (i < n_tab && !(in_ns(c, ns) && is_name(c, tab[i].name)))
			i++;
		if (i == n_tab)
			return fail_unknown(b, c);
		if (!tab[i].many && (seen & (1ull << i)))
			return fail(b, c, NULL, NULL, "is given twice");
		seen |= 1ull << i;
		if (found && !found[i])
			found[i] = c;
		int r = tab[i].fn ? tab[i].fn(b, c, ctx) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- numbers and sizes ---- */

static int read_u64(struct build *b, const xmlNode *n, const char *attr_name, const char *v,
		    uint64_t *out)
{
	int r = parse_u64(v, out);
	if (r == -ERANGE || (r == 0 && *out == UINT64_MAX))
		return fail(b, n, attr_name, v, "is too large");
	return r < 0 ? fail(b, n, attr_name, v, "is not a non-negative integer") : 0;
}

static int read_i64(struct build *b, const xmlNode *n, const char *v, int64_t *out)
{
	bool neg = v[0] == '-';
	uint64_t u;
	int r = parse_u64(v + neg, &u);
	if (r == -ERANGE || (r == 0 && u > (uint64_t)INT64_MAX))
		return fail(b, n, NULL, v, "is too large");
	if (r < 0)
		return fail(b, n, NULL, v, "is not an integer");
	*out = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

/* libvirt's units: case-insensitive; k/KiB are powers of 1024, KB of 1000. */
static const struct {
	const char *name;
	uint64_t bytes;
} units[] = {
	{ "b", 1 }, { "byte", 1 }, { "bytes", 1 },
	{ "k", 1ull << 10 }, { "kib", 1ull << 10 }, { "kb", 1000ull },
	{ "m", 1ull << 20 }, { "mib", 1ull << 20 }, { "mb", 1000000ull },
	{ "g", 1ull << 30 }, { "gib", 1ull << 30 }, { "gb", 1000000000ull },
	{ "t", 1ull << 40 }, { "tib", 1ull << 40 }, { "tb", 1000000000000ull },
	{ "p", 1ull << 50 }, { "pib", 1ull << 50 }, { "pb", 1000000000000000ull },
	{ "e", 1ull << 60 }, { "eib", 1ull << 60 }, { "eb", 1000000000000000000ull },
};

/* value * unit in KiB, rounded up; false on overflow.  Units from TB up are
 * multiples of 1024, so only b, KB, MB and GB need the remainder, and
 * remainder * unit stays far below 2^64 for those. */
static bool to_kib(uint64_t value, uint64_t unit, uint64_t *kib)
{
	if (unit % 1024 == 0)
		return !__builtin_mul_overflow(value, unit / 1024, kib);
	uint64_t whole, rest = (value % 1024 * unit + 1023) / 1024;
	if (__builtin_mul_overflow(value / 1024, unit, &whole))
		return false;
	return !__builtin_add_overflow(whole, rest, kib);
}

static int read_scaled(struct build *b, xmlNode *n, uint64_t *out)
{
	_cleanup_free_ char *unit = attr(n, "unit");
	_cleanup_free_ char *v = text(n);
	uint64_t mult = 1024, value;
	if (unit) {
		size_t i = 0;
		while (i < ARRAY_SIZE(units) && strcasecmp(unit, units[i].name) != 0)
			i++;
		if (i == ARRAY_SIZE(units))
			return fail(b, n, "unit", unit, "is not a known unit");
		mult = units[i].bytes;
	}
	int r = read_u64(b, n, NULL, v, &value);
	if (r < 0)
		return r;
	if (!to_kib(value, mult, out) || *out == OVZ_UNSET)
		return fail(b, n, NULL, v, "is too large");
	return 0;
}

static const struct {
	const char *name;
	size_t off;
} size_fields[] = {
	{ "memory", offsetof(struct ovz_domain, memory) },
	{ "currentMemory", offsetof(struct ovz_domain, current_memory) },
	{ "hard_limit", offsetof(struct ovz_domain, mem_hard_limit) },
	{ "soft_limit", offsetof(struct ovz_domain, mem_soft_limit) },
	{ "swap_hard_limit", offsetof(struct ovz_domain, mem_swap_hard_limit) },
	{ "min_guarantee", offsetof(struct ovz_domain, mem_min_guarantee) },
	{ "space_hard_limit", offsetof(struct ovz_domain, space_hard_limit) },
	{ "space_soft_limit", offsetof(struct ovz_domain, space_soft_limit) },
};

/* Any of the size elements above, into its field of the domain. */
static int read_size(struct build *b, xmlNode *n, void *ctx)
{
	for (size_t i = 0; i < ARRAY_SIZE(size_fields); i++)
		if (is_name(n, size_fields[i].name))
			return read_scaled(b, n, (uint64_t *)((char *)b->d + size_fields[i].off));
	return fail_unknown(b, n);
}

/* ---- identity ---- */

static int set_ctid(struct build *b, const xmlNode *n, const char *attr_name, const char *v,
		    const char *from)
{
	unsigned ctid;
	const char *why = ovz_check_ctid(v, &ctid);
	if (why)
		return fail(b, n, attr_name, v, why);
	if (b->d->ctid && b->d->ctid != ctid)
		return failf(b, n, attr_name, v, "does not match the CTID %u from %s", b->d->ctid,
			     b->ctid_from);
	b->d->ctid = ctid;
	b->ctid_from = from;
	return 0;
}

static int read_name(struct build *b, xmlNode *n, void *ctx)
{
	char *v = text(n);
	b->d->name = v;
	const char *why = ovz_check_name(v);
	if (why)
		return fail(b, n, NULL, v, why);
	if (strspn(v, "0123456789") != strlen(v))
		return 0;
	/* a numeric name is the CTID, as in libvirt's driver, which names a
	 * container without NAME by its CTID: no NAME of its own */
	why = ovz_check_ctid(v, NULL);
	if (why)
		return failf(b, n, NULL, v, "is numeric and so a CTID, which %s", why);
	int r = set_ctid(b, n, NULL, v, "the name");
	b->d->name = NULL;
	free(v);
	return r;
}

static int read_vpsid(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	return set_ctid(b, n, NULL, v, "vpsid");
}

static int read_uuid(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	const char *why = ovz_parse_uuid(v, b->d->uuid);
	if (why)
		return fail(b, n, NULL, v, why);
	b->d->has_uuid = true;
	return 0;
}

static int read_description(struct build *b, xmlNode *n, void *ctx)
{
	b->d->description = text_raw(n);
	return 0;
}

/* ---- vcpu, cputune, os, lifecycle ---- */

static int read_vcpu(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *placement = attr(n, "placement");
	_cleanup_free_ char *current = attr(n, "current");
	_cleanup_free_ char *v = text(n);
	uint64_t count, cur;
	if (placement && strcmp(placement, "static") != 0)
		return fail(b, n, "placement", placement, "only 'static' is supported");
	int r = read_u64(b, n, NULL, v, &count);
	if (r < 0)
		return r;
	if (count == 0)
		return fail(b, n, NULL, v, "must not be 0");
	if (count > UINT_MAX)
		return fail(b, n, NULL, v, "is too large");
	if (current && (read_u64(b, n, "current", current, &cur) < 0 || cur != count))
		return fail(b, n, "current", current, "must equal the number of vcpus");
	b->d->vcpus = (unsigned)count;
	return 0;
}

static int read_shares(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	return read_u64(b, n, NULL, v, &b->d->cpu_shares);
}

static int read_period(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	int r = read_u64(b, n, NULL, v, &b->d->cpu_period);
	if (r == 0 && (b->d->cpu_period < 1000 || b->d->cpu_period > 1000000))
		return fail(b, n, NULL, v, "must be between 1000 and 1000000");
	return r;
}

static int read_quota(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	int64_t q = 0;
	int r = read_i64(b, n, v, &q);
	if (r < 0)
		return r;
	if (q != -1 && (q < 1000 || q > 17592186044415LL))
		return fail(b, n, NULL, v, "must be -1 or between 1000 and 17592186044415");
	b->d->cpu_quota = q;
	return 0;
}

static const struct child cputune_children[] = {
	{ "shares", read_shares, false },
	{ "period", read_period, false },
	{ "quota", read_quota, false },
};

static int read_cputune(struct build *b, xmlNode *n, void *ctx)
{
	return walk(b, n, NULL, cputune_children, ARRAY_SIZE(cputune_children), NULL, NULL);
}

static const struct child memtune_children[] = {
	{ "hard_limit", read_size, false },
	{ "soft_limit", read_size, false },
	{ "swap_hard_limit", read_size, false },
	{ "min_guarantee", read_size, false },
};

static int read_memtune(struct build *b, xmlNode *n, void *ctx)
{
	return walk(b, n, NULL, memtune_children, ARRAY_SIZE(memtune_children), NULL, NULL);
}

static const char *check_path(const char *s)
{
	const char *why = ovz_check_abs_path(s);
	if (why)
		return why;
	for (const char *p = s; (p = strstr(p, "..")); p += 2)
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
			return "contains a '..' component";
	return NULL;
}

static int read_os_type(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	if (strcmp(v, "exe") != 0)
		return fail(b, n, NULL, v, "must be 'exe'");
	return 0;
}

static int read_init(struct build *b, xmlNode *n, void *ctx)
{
	char *v = text(n);
	b->d->init = v;
	const char *why = check_path(v);
	return why ? fail(b, n, NULL, v, why) : 0;
}

static int read_initarg(struct build *b, xmlNode *n, void *ctx)
{
	strv_push(&b->d->init_args, text_raw(n));
	return 0;
}

static int set_root_template(struct build *b, const xmlNode *n, const char *attr_name,
			     const char *name)
{
	const char *why = ovz_check_template_name(name);
	if (why)
		return fail(b, n, attr_name, name, why);
	if (b->d->ostemplate || b->d->private_dir)
		return fail(b, n, attr_name, name, "more than one root filesystem");
	b->d->ostemplate = xstrdup(name);
	return 0;
}

static const struct child os_children[] = {
	{ "type", read_os_type, false },
	{ "init", read_init, false },
	{ "initarg", read_initarg, true },
};

static int read_os(struct build *b, xmlNode *n, void *ctx)
{
	/* the 2007 form: <os template='NAME'/> */
	_cleanup_free_ char *tmpl = attr(n, "template");
	if (tmpl) {
		int r = set_root_template(b, n, "template", tmpl);
		if (r < 0)
			return r;
	}
	return walk(b, n, NULL, os_children, ARRAY_SIZE(os_children), NULL, NULL);
}

static int read_action(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	enum ovz_lifecycle_action a = ovz_action_from_name(v);
	if (a == OVZ_ACTION_UNSET)
		return fail(b, n, NULL, v,
			    "is not one of destroy, restart, preserve, rename-restart, "
			    "coredump-destroy, coredump-restart");
	if (is_name(n, "on_poweroff"))
		b->d->on_poweroff = a;
	else if (is_name(n, "on_reboot"))
		b->d->on_reboot = a;
	else
		b->d->on_crash = a;
	return 0;
}

static int read_clock(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *offset = attr(n, "offset");
	if (offset && strcmp(offset, "utc") != 0)
		return fail(b, n, "offset", offset,
			    "only 'utc' is supported: a container runs on the host's clock");
	return 0;
}

/* ---- hostname, DNS, autostart (metadata and the 2007 <network>) ---- */

static int read_hostname(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	const char *why = ovz_check_hostname(v);
	if (why)
		return fail(b, n, NULL, v, why);
	if (b->d->hostname)
		return fail(b, n, NULL, v, "the hostname is already given");
	b->d->hostname = take(&v);
	return 0;
}

static int read_nameserver(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	struct ovz_ip ip;
	const char *why = ovz_parse_ip(v, 0, &ip);
	if (why)
		return fail(b, n, NULL, v, why);
	if (ip.prefix >= 0)
		return fail(b, n, NULL, v, "must not have a prefix");
	char buf[64];
	ovz_format_ip(&ip, false, buf, sizeof(buf));
	strv_push(&b->d->nameservers, xstrdup(buf));
	return 0;
}

static int read_searchdomain(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	const char *why = ovz_check_hostname(v);
	if (why)
		return fail(b, n, NULL, v, why);
	strv_push(&b->d->searchdomains, xstrdup(v));
	return 0;
}

static int set_autostart(struct build *b, const xmlNode *n, const char *v, bool yes)
{
	if (b->d->autostart != OVZ_UNKNOWN)
		return fail(b, n, NULL, v, "autostart is already given");
	b->d->autostart = yes ? OVZ_YES : OVZ_NO;
	return 0;
}

static int read_autostart(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
		return fail(b, n, NULL, v, "must be 'yes' or 'no'");
	return set_autostart(b, n, v, v[0] == 'y');
}

static int read_onboot(struct build *b, xmlNode *n, void *ctx)
{
	static const char *const yes[] = { "true", "yes", "1" }, *const no[] = { "false", "no", "0" };
	_cleanup_free_ char *v = text(n);
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(v, yes[i]) == 0)
			return set_autostart(b, n, v, true);
		if (strcmp(v, no[i]) == 0)
			return set_autostart(b, n, v, false);
	}
	return fail(b, n, NULL, v, "must be one of true, yes, 1, false, no, 0");
}

static const struct child container_children[] = {
	{ "hostname", read_hostname, false },
	{ "nameserver", read_nameserver, true },
	{ "searchdomain", read_searchdomain, true },
	{ "autostart", read_autostart, false },
	{ "hostmac", NULL, true },	/* read_hostmacs(), once the interfaces are known */
};

static int read_metadata(struct build *b, xmlNode *n, void *ctx)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!c->ns)
			return fail(b, c, NULL, NULL, "metadata elements must be in a namespace");
		if (!in_ns(c, OVZ_XML_NS))
			continue;	/* another application's metadata */
		if (!is_name(c, "container"))
			return fail_unknown(b, c);
		if (b->container)
			return fail(b, c, NULL, NULL, "is given twice");
		b->container = c;
		int r = walk(b, c, OVZ_XML_NS, container_children, ARRAY_SIZE(container_children),
			     NULL, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- filesystems ---- */

enum { FS_SOURCE, FS_TARGET, FS_READONLY, FS_HARD, FS_SOFT, FS_N };
static const struct child fs_children[FS_N] = {
	[FS_SOURCE] = { "source", NULL, false },
	[FS_TARGET] = { "target", NULL, false },
	[FS_READONLY] = { "readonly", NULL, false },
	[FS_HARD] = { "space_hard_limit", NULL, false },
	[FS_SOFT] = { "space_soft_limit", NULL, false },
};

static int read_space(struct build *b, xmlNode *const part[FS_N])
{
	if (part[FS_SOFT] && !part[FS_HARD])
		return fail(b, part[FS_SOFT], NULL, NULL, "is given without space_hard_limit");
	int r = part[FS_HARD] ? read_size(b, part[FS_HARD], NULL) : 0;
	if (r == 0 && part[FS_SOFT])
		r = read_size(b, part[FS_SOFT], NULL);
	return r;
}

static int read_template_fs(struct build *b, xmlNode *n, xmlNode *const part[FS_N],
			    const char *target)
{
	_cleanup_free_ char *name = NULL;
	int r = need_child(b, n, part[FS_SOURCE], "source");
	if (r == 0)
		r = need_attr(b, part[FS_SOURCE], "name", &name);
	if (r < 0)
		return r;
	if (strspn(target, "/") != strlen(target))
		return fail(b, part[FS_TARGET], "dir", target,
			    "a template filesystem is the root and must have target '/'");
	if (part[FS_READONLY])
		return fail(b, part[FS_READONLY], NULL, NULL, "a read-only root is not supported");
	r = set_root_template(b, part[FS_SOURCE], "name", name);
	return r < 0 ? r : read_space(b, part);
}

static int read_mount_fs(struct build *b, xmlNode *n, xmlNode *const part[FS_N],
			 const char *target)
{
	_cleanup_free_ char *dir = NULL;
	int r = need_child(b, n, part[FS_SOURCE], "source");
	if (r == 0)
		r = need_attr(b, part[FS_SOURCE], "dir", &dir);
	if (r < 0)
		return r;
	const char *why = check_path(dir);
	if (why)
		return fail(b, part[FS_SOURCE], "dir", dir, why);
	if (strspn(target, "/") != strlen(target)) {
		xmlNode *extra = part[FS_HARD] ? part[FS_HARD] : part[FS_SOFT];
		if (extra)
			return fail(b, extra, NULL, NULL, "only the root filesystem has space limits");
		struct ovz_bind_mount *m = ovz_domain_add_mount(b->d);
		m->source = take(&dir);
		m->target = xstrdup(target);
		m->readonly = part[FS_READONLY] != NULL;
		return 0;
	}
	if (part[FS_READONLY])
		return fail(b, part[FS_READONLY], NULL, NULL, "a read-only root is not supported");
	if (b->d->ostemplate || b->d->private_dir)
		return fail(b, part[FS_SOURCE], "dir", dir, "more than one root filesystem");
	/* it becomes VE_PRIVATE, which destroy removes */
	if ((why = ovz_check_area_path(dir)))
		return fail(b, part[FS_SOURCE], "dir", dir, why);
	b->d->private_dir = take(&dir);
	return read_space(b, part);
}

static int check_bind_target(struct build *b, xmlNode *target_node, const char *target)
{
	const char *why = check_path(target);
	if (why)
		return fail(b, target_node, "dir", target, why);
	for (size_t i = 0; i < b->d->n_mounts; i++)
		if (strcmp(b->d->mounts[i].target, target) == 0)
			return fail(b, target_node, "dir", target, "the same target is used twice");
	return 0;
}

static int read_filesystem(struct build *b, xmlNode *n, void *ctx)
{
	xmlNode *part[FS_N] = { 0 };
	_cleanup_free_ char *type = NULL, *target = NULL;
	int r = need_attr(b, n, "type", &type);
	if (r == 0)
		r = walk(b, n, NULL, fs_children, FS_N, NULL, part);
	if (r == 0)
		r = need_child(b, n, part[FS_TARGET], "target");
	if (r == 0)
		r = need_attr(b, part[FS_TARGET], "dir", &target);
	if (r == 0)
		r = check_bind_target(b, part[FS_TARGET], target);
	if (r < 0)
		return r;
	if (strcmp(type, "template") == 0)
		return read_template_fs(b, n, part, target);
	if (strcmp(type, "mount") == 0)
		return read_mount_fs(b, n, part, target);
	return fail(b, n, "type", type, "must be 'template' or 'mount'");
}

/* ---- interfaces ---- */

static bool ip_taken(const struct ovz_domain *d, const struct ovz_ip *ip)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		for (size_t j = 0; j < d->ifaces[i].n_ips; j++)
			if (ovz_ip_equal(&d->ifaces[i].ips[j], ip))
				return true;
	return false;
}

/* An address attribute: a plain address, the prefix goes elsewhere. */
static int read_addr(struct build *b, const xmlNode *n, const char *attr_name, const char *v,
		     struct ovz_ip *ip)
{
	if (strchr(v, '/'))
		return fail(b, n, attr_name, v, "must be an address without a prefix");
	const char *why = ovz_parse_ip(v, 0, ip);
	return why ? fail(b, n, attr_name, v, why) : 0;
}

static int check_family(struct build *b, const xmlNode *n, int family)
{
	_cleanup_free_ char *v = attr(n, "family");
	if (!v)
		return 0;
	if (strcmp(v, "ipv4") != 0 && strcmp(v, "ipv6") != 0)
		return fail(b, n, "family", v, "must be 'ipv4' or 'ipv6'");
	if ((v[3] == '4') != (family == AF_INET))
		return fail(b, n, "family", v, "does not match the address");
	return 0;
}

static int add_ip(struct build *b, const xmlNode *n, struct ovz_iface *f, const struct ovz_ip *ip)
{
	if (ip_taken(b->d, ip)) {
		char buf[64];
		ovz_format_ip(ip, false, buf, sizeof(buf));
		return fail(b, n, "address", buf, "the same address is given twice");
	}
	ovz_iface_add_ip(f, ip);
	return 0;
}

static int read_ip(struct build *b, xmlNode *n, void *iface)
{
	_cleanup_free_ char *addr = NULL, *prefix = attr(n, "prefix");
	struct ovz_ip ip;
	int r = need_attr(b, n, "address", &addr);
	if (r == 0)
		r = read_addr(b, n, "address", addr, &ip);
	if (r == 0)
		r = check_family(b, n, ip.family);
	if (r < 0)
		return r;
	if (prefix) {
		_cleanup_free_ char *full = xasprintf("%s/%s", addr, prefix);
		const char *why = ovz_parse_ip(full, ip.family, &ip);
		if (why)
			return fail(b, n, "prefix", prefix, why);
	}
	return add_ip(b, n, iface, &ip);
}

/* The model keeps one default gateway per family; the same one given again
 * (as every 2007 <ip defgw=...> does) is fine. */
static int set_gateway(struct build *b, const xmlNode *n, const char *attr_name, const char *v,
		       struct ovz_iface *f, const struct ovz_ip *gw)
{
	struct ovz_ip *slot = gw->family == AF_INET ? &f->gw4 : &f->gw6;
	if (slot->family && !ovz_ip_equal(slot, gw))
		return fail(b, n, attr_name, v, "differs from the default gateway already given");
	*slot = *gw;
	return 0;
}

static bool is_unspecified(const struct ovz_ip *ip)
{
	static const uint8_t zero[16];
	return memcmp(ip->addr, zero, ip->family == AF_INET ? 4 : 16) == 0;
}

static int read_route(struct build *b, xmlNode *n, void *iface)
{
	_cleanup_free_ char *gw_s = NULL, *dst_s = attr(n, "address"), *prefix = attr(n, "prefix");
	struct ovz_ip gw, dst;
	int r = need_attr(b, n, "gateway", &gw_s);
	if (r == 0)
		r = read_addr(b, n, "gateway", gw_s, &gw);
	if (r == 0)
		r = check_family(b, n, gw.family);
	if (r == 0 && dst_s)
		r = read_addr(b, n, "address", dst_s, &dst);
	if (r < 0)
		return r;
	if (dst_s && (dst.family != gw.family || !is_unspecified(&dst)))
		return fail(b, n, "address", dst_s, "only default routes are supported");
	if (prefix && strcmp(prefix, "0") != 0)
		return fail(b, n, "prefix", prefix, "only default routes are supported");
	return set_gateway(b, n, "gateway", gw_s, iface, &gw);
}

enum { IF_MAC, IF_SOURCE, IF_TARGET, IF_GUEST, IF_IP, IF_ROUTE, IF_N };
static const struct child iface_children[IF_N] = {
	[IF_MAC] = { "mac", NULL, false },
	[IF_SOURCE] = { "source", NULL, false },
	[IF_TARGET] = { "target", NULL, false },
	[IF_GUEST] = { "guest", NULL, false },
	[IF_IP] = { "ip", read_ip, true },
	[IF_ROUTE] = { "route", read_route, true },
};

/* All venet addresses live on one interface, wherever they come from. */
static struct ovz_iface *venet_iface(struct build *b)
{
	if (b->venet < 0) {
		ovz_domain_add_iface(b->d, OVZ_IFACE_VENET);
		b->venet = (long)b->d->n_ifaces - 1;
	}
	return &b->d->ifaces[b->venet];
}

static int read_venet(struct build *b, xmlNode *n)
{
	xmlNode *part[IF_N] = { 0 };
	struct ovz_iface *f = venet_iface(b);
	size_t had = f->n_ips;
	/* <mac> is ignored: venet has none (libvirt writes 00:00:00:00:00:00) */
	int r = walk(b, n, NULL, iface_children, IF_N, f, part);
	if (r < 0)
		return r;
	for (int i = IF_SOURCE; i <= IF_GUEST; i++)
		if (part[i])
			return fail(b, part[i], NULL, NULL,
				    "is not supported on an ethernet (venet) interface");
	if (f->n_ips == had)
		return fail(b, n, NULL, NULL, "an ethernet (venet) interface needs an <ip>");
	return 0;
}

static bool host_dev_taken(const struct ovz_domain *d, const char *dev, bool guest)
{
	for (size_t i = 0; i + 1 < d->n_ifaces; i++) {
		const struct ovz_iface *f = &d->ifaces[i];
		if (f->type == OVZ_IFACE_VETH && strcmp(guest ? f->guest_dev : f->host_dev, dev) == 0)
			return true;
	}
	return false;
}

/* Reads attr_name of node n (if n) as an interface name into out. */
static int read_ifname(struct build *b, const xmlNode *n, const char *attr_name,
		       char out[OVZ_IFNAME_MAX + 1])
{
	_cleanup_free_ char *v = NULL;
	if (!n)
		return 0;
	int r = need_attr(b, n, attr_name, &v);
	if (r < 0)
		return r;
	const char *why = ovz_check_ifname(v);
	if (why)
		return fail(b, n, attr_name, v, why);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int read_veth(struct build *b, xmlNode *n)
{
	xmlNode *part[IF_N] = { 0 };
	struct ovz_iface *f = ovz_domain_add_iface(b->d, OVZ_IFACE_VETH);
	_cleanup_free_ char *mac = NULL;
	int r = walk(b, n, NULL, iface_children, IF_N, f, part);
	if (r == 0 && part[IF_MAC])
		r = need_attr(b, part[IF_MAC], "address", &mac);
	if (r < 0)
		return r;
	const char *why = mac ? ovz_check_mac(mac, f->mac) : NULL;
	if (why)
		return fail(b, part[IF_MAC], "address", mac, why);
	r = read_ifname(b, part[IF_SOURCE], "bridge", f->bridge);
	if (r == 0)
		r = read_ifname(b, part[IF_TARGET], "dev", f->host_dev);
	if (r == 0)
		r = read_ifname(b, part[IF_GUEST], "dev", f->guest_dev);
	if (r < 0)
		return r;
	if (f->host_dev[0] && host_dev_taken(b->d, f->host_dev, false))
		return fail(b, part[IF_TARGET], "dev", f->host_dev,
			    "the same host interface name is used twice");
	if (f->host_dev[0] && strv_contains(b->d->netdevs, f->host_dev))
		return fail(b, part[IF_TARGET], "dev", f->host_dev,
			    "is also a hostdev, a host device moved into the container");
	if (f->guest_dev[0] && host_dev_taken(b->d, f->guest_dev, true))
		return fail(b, part[IF_GUEST], "dev", f->guest_dev,
			    "the same container interface name is used twice");
	return 0;
}

static int read_interface(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *type = NULL;
	int r = need_attr(b, n, "type", &type);
	if (r < 0)
		return r;
	if (strcmp(type, "ethernet") == 0)
		return read_venet(b, n);
	if (strcmp(type, "bridge") == 0)
		return read_veth(b, n);
	return fail(b, n, "type", type, "must be 'ethernet' (venet) or 'bridge' (veth)");
}

/* ---- host devices: libvirt's form of vzctl's NETDEV ---- */

static const struct child hostdev_children[] = { { "source", NULL, false } };
static const struct child hostdev_source_children[] = { { "interface", NULL, false } };

static int check_hostdev_kind(struct build *b, xmlNode *n, const char *attr_name,
			      const char *v, const char *want)
{
	if (strcmp(v, want) == 0)
		return 0;
	return fail(b, n, attr_name, v,
		    "is not supported by ovz-native: only mode='capabilities' type='net' (a host "
		    "network device moved into the container) is");
}

static int add_netdev(struct build *b, xmlNode *n, char *dev)
{
	const char *why = ovz_check_netdev(dev);
	if (!why && strv_contains(b->d->netdevs, dev))
		why = "the same host device is given twice";
	for (size_t i = 0; !why && i < b->d->n_ifaces; i++)
		if (b->d->ifaces[i].type == OVZ_IFACE_VETH &&
		    strcmp(b->d->ifaces[i].host_dev, dev) == 0)
			why = "is the host side of one of the container's own veth interfaces";
	if (why) {
		int r = fail(b, n, NULL, dev, why);
		free(dev);
		return r;
	}
	strv_push(&b->d->netdevs, dev);
	return 0;
}

static int read_hostdev(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *mode = NULL, *type = NULL;
	xmlNode *src = NULL, *ifn = NULL;
	int r = need_attr(b, n, "mode", &mode);
	if (r == 0)
		r = check_hostdev_kind(b, n, "mode", mode, "capabilities");
	if (r == 0)
		r = need_attr(b, n, "type", &type);
	if (r == 0)
		r = check_hostdev_kind(b, n, "type", type, "net");
	if (r == 0)
		r = walk(b, n, NULL, hostdev_children, 1, NULL, &src);
	if (r == 0)
		r = need_child(b, n, src, "source");
	if (r == 0)
		r = walk(b, src, NULL, hostdev_source_children, 1, NULL, &ifn);
	if (r == 0)
		r = need_child(b, src, ifn, "interface");
	return r < 0 ? r : add_netdev(b, ifn, text(ifn));
}

static const struct child devices_children[] = {
	{ "filesystem", read_filesystem, true },
	{ "interface", read_interface, true },
	{ "hostdev", read_hostdev, true },
	{ "console", NULL, true },	/* ignored: a container always has its console */
};

static int read_devices(struct build *b, xmlNode *n, void *ctx)
{
	return walk(b, n, NULL, devices_children, ARRAY_SIZE(devices_children), NULL, NULL);
}

/* ---- the 2007 proposal form ---- */

static int read_template(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	return set_root_template(b, n, NULL, v);
}

static int read_net_ip(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *addr = NULL, *mask = attr(n, "netmask"), *gw_s = attr(n, "defgw");
	struct ovz_ip ip, gw;
	int r = need_attr(b, n, "address", &addr);
	if (r == 0)
		r = read_addr(b, n, "address", addr, &ip);
	if (r < 0)
		return r;
	if (mask && ip.family != AF_INET)
		return fail(b, n, "netmask", mask, "applies to IPv4 addresses only");
	if (mask && (ip.prefix = ovz_netmask_to_prefix(mask)) < 0)
		return fail(b, n, "netmask", mask, "is not a valid netmask");
	struct ovz_iface *f = venet_iface(b);
	if (gw_s) {
		r = read_addr(b, n, "defgw", gw_s, &gw);
		if (r == 0)
			r = set_gateway(b, n, "defgw", gw_s, f, &gw);
		if (r < 0)
			return r;
	}
	return add_ip(b, n, f, &ip);
}

static const struct child network_children[] = {
	{ "hostname", read_hostname, false },
	{ "ip", read_net_ip, true },
	{ "nameserver", read_nameserver, true },
};

static int read_network(struct build *b, xmlNode *n, void *ctx)
{
	return walk(b, n, NULL, network_children, ARRAY_SIZE(network_children), NULL, NULL);
}

static int reject_profile(struct build *b, xmlNode *n, void *ctx)
{
	_cleanup_free_ char *v = text(n);
	return fail(b, n, NULL, v,
		    "is not supported: it names a host-local config sample; give the limits "
		    "in <memory>, <memtune> and <cputune> instead");
}

/* ---- the domain ---- */

static int read_hostmac(struct build *b, xmlNode *n)
{
	_cleanup_free_ char *dev = NULL, *mac = NULL;
	int r = need_attr(b, n, "dev", &dev);
	if (r == 0)
		r = need_attr(b, n, "address", &mac);
	if (r < 0)
		return r;
	struct ovz_iface *f = NULL;
	for (size_t i = 0; i < b->d->n_ifaces && !f; i++)
		if (b->d->ifaces[i].type == OVZ_IFACE_VETH && strcmp(b->d->ifaces[i].host_dev, dev) == 0)
			f = &b->d->ifaces[i];
	if (!f)
		return fail(b, n, "dev", dev, "is not the target dev of a bridge interface");
	if (f->host_mac[0])
		return fail(b, n, "dev", dev, "is given twice");
	const char *why = ovz_check_mac(mac, f->host_mac);
	return why ? fail(b, n, "address", mac, why) : 0;
}

static int read_hostmacs(struct build *b)
{
	for (xmlNode *c = b->container ? b->container->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !is_name(c, "hostmac"))
			continue;
		int r = read_hostmac(b, c);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct child domain_children[] = {
	{ "name", read_name, false },
	{ "uuid", read_uuid, false },
	{ "title", NULL, false },	/* ignored */
	{ "description", read_description, false },
	{ "metadata", read_metadata, false },
	{ "memory", read_size, false },
	{ "currentMemory", read_size, false },
	{ "memtune", read_memtune, false },
	{ "vcpu", read_vcpu, false },
	{ "cputune", read_cputune, false },
	{ "os", read_os, false },
	{ "on_poweroff", read_action, false },
	{ "on_reboot", read_action, false },
	{ "on_crash", read_action, false },
	{ "clock", read_clock, false },
	{ "features", NULL, false },	/* ignored; the schema checks which */
	{ "devices", read_devices, false },
	/* the 2007 proposal form */
	{ "vpsid", read_vpsid, false },
	{ "template", read_template, false },
	{ "onboot", read_onboot, false },
	{ "network", read_network, false },
	{ "profile", reject_profile, false },
};

static int read_domain(struct build *b, xmlNode *root)
{
	if (!root)
		return xml_fail_at(b->err, b->file, 0, "xml", NULL, "has no root element");
	_cleanup_free_ char *type = NULL, *id = attr(root, "id");
	if (root->ns || !is_name(root, "domain"))
		return fail(b, root, NULL, NULL, "the root element must be <domain>");
	int r = need_attr(b, root, "type", &type);
	if (r < 0)
		return r;
	if (strcmp(type, "openvz") != 0)
		return fail(b, root, "type", type, "must be 'openvz'");
	if (id && (r = set_ctid(b, root, "id", id, "the id attribute")) < 0)
		return r;
	r = walk(b, root, NULL, domain_children, ARRAY_SIZE(domain_children), NULL, NULL);
	if (r == 0)
		r = read_hostmacs(b);
	if (r < 0)
		return r;
	const char *what;
	char value[128];
	const char *why = ovz_domain_check(b->d, &what, value, sizeof(value));
	if (why)
		return xml_fail_at(b->err, b->file, lx()->xmlGetLineNo(root), what, value, why);
	return 0;
}

int xml_build_domain(xmlDoc *doc, const char *file, struct ovz_domain **out,
		     struct ovz_error **err)
{
	struct build b = { .file = file, .err = err, .d = ovz_domain_new(), .venet = -1 };
	int r = read_domain(&b, lx()->xmlDocGetRootElement(doc));
	if (r < 0) {
		ovz_domain_free(b.d);
		return r;
	}
	*out = b.d;
	return 0;
}
