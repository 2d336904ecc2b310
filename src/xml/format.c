// SPDX-License-Identifier: LGPL-2.1-or-later
/* The model to canonical XML, laid out like libvirt's dumpxml: two-space
 * indentation, single-quoted attributes, elements in libvirt's order.  Only
 * what is set is written, so that parsing the output gives the same model
 * back and formatting that gives the same bytes. */
#include "xml.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Escapes for text (in_attr false) or a single-quoted attribute.  In an
 * attribute, tab and newline would come back as spaces, and a CR never comes
 * back as such in either place, so those are written as references.  Other
 * control characters cannot be written in XML 1.0 at all and are dropped;
 * the parser never produces them. */
static void put_escaped(struct strbuf *sb, const char *s, bool in_attr)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': strbuf_puts(sb, "&amp;"); break;
		case '<': strbuf_puts(sb, "&lt;"); break;
		case '>': strbuf_puts(sb, "&gt;"); break;
		case '\'': strbuf_puts(sb, in_attr ? "&apos;" : "'"); break;
		case '\r': strbuf_puts(sb, "&#13;"); break;
		case '\n': strbuf_puts(sb, in_attr ? "&#10;" : "\n"); break;
		case '\t': strbuf_puts(sb, in_attr ? "&#9;" : "\t"); break;
		default:
			if (*p >= 0x20 && *p != 0x7f)
				strbuf_putc(sb, (char)*p);
		}
	}
}

static void indent(struct strbuf *sb, int depth)
{
	for (int i = 0; i < depth; i++)
		strbuf_puts(sb, "  ");
}

/* <name attr='value'> ... with attrs as NULL terminated name, value pairs;
 * a NULL value skips its pair. */
static void open_tag(struct strbuf *sb, int depth, const char *name, const char *const *attrs)
{
	indent(sb, depth);
	strbuf_printf(sb, "<%s", name);
	for (; attrs && attrs[0]; attrs += 2) {
		if (!attrs[1])
			continue;
		strbuf_printf(sb, " %s='", attrs[0]);
		put_escaped(sb, attrs[1], true);
		strbuf_putc(sb, '\'');
	}
}

static void start(struct strbuf *sb, int depth, const char *name, const char *const *attrs)
{
	open_tag(sb, depth, name, attrs);
	strbuf_puts(sb, ">\n");
}

static void end(struct strbuf *sb, int depth, const char *name)
{
	indent(sb, depth);
	strbuf_printf(sb, "</%s>\n", name);
}

static void empty(struct strbuf *sb, int depth, const char *name, const char *const *attrs)
{
	open_tag(sb, depth, name, attrs);
	strbuf_puts(sb, "/>\n");
}

static void leaf(struct strbuf *sb, int depth, const char *name, const char *const *attrs,
		 const char *value)
{
	open_tag(sb, depth, name, attrs);
	strbuf_putc(sb, '>');
	put_escaped(sb, value, false);
	strbuf_printf(sb, "</%s>\n", name);
}

#define ATTRS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void leaf_u64(struct strbuf *sb, int depth, const char *name, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	leaf(sb, depth, name, NULL, buf);
}

static void size_kib(struct strbuf *sb, int depth, const char *name, uint64_t kib)
{
	char buf[24];
	if (kib == OVZ_UNSET)
		return;
	snprintf(buf, sizeof(buf), "%" PRIu64, kib);
	leaf(sb, depth, name, ATTRS("unit", "KiB"), buf);
}

static bool has_metadata(const struct ovz_domain *d)
{
	if (d->hostname || d->nameservers || d->searchdomains || d->autostart != OVZ_UNKNOWN)
		return true;
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].host_mac[0] && d->ifaces[i].host_dev[0])
			return true;
	return false;
}

static void format_metadata(struct strbuf *sb, const struct ovz_domain *d)
{
	if (!has_metadata(d))
		return;
	start(sb, 1, "metadata", NULL);
	start(sb, 2, "ovz:container", ATTRS("xmlns:ovz", OVZ_XML_NS));
	if (d->hostname)
		leaf(sb, 3, "ovz:hostname", NULL, d->hostname);
	for (char **s = d->nameservers; s && *s; s++)
		leaf(sb, 3, "ovz:nameserver", NULL, *s);
	for (char **s = d->searchdomains; s && *s; s++)
		leaf(sb, 3, "ovz:searchdomain", NULL, *s);
	if (d->autostart != OVZ_UNKNOWN)
		leaf(sb, 3, "ovz:autostart", NULL, d->autostart == OVZ_YES ? "yes" : "no");
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct ovz_iface *f = &d->ifaces[i];
		if (f->host_mac[0] && f->host_dev[0])
			empty(sb, 3, "ovz:hostmac", ATTRS("dev", f->host_dev, "address", f->host_mac));
	}
	end(sb, 2, "ovz:container");
	end(sb, 1, "metadata");
}

static void format_memory(struct strbuf *sb, const struct ovz_domain *d)
{
	size_kib(sb, 1, "memory", d->memory);
	size_kib(sb, 1, "currentMemory", d->current_memory);
	if (d->mem_hard_limit == OVZ_UNSET && d->mem_soft_limit == OVZ_UNSET &&
	    d->mem_swap_hard_limit == OVZ_UNSET && d->mem_min_guarantee == OVZ_UNSET)
		return;
	start(sb, 1, "memtune", NULL);
	size_kib(sb, 2, "hard_limit", d->mem_hard_limit);
	size_kib(sb, 2, "soft_limit", d->mem_soft_limit);
	size_kib(sb, 2, "swap_hard_limit", d->mem_swap_hard_limit);
	size_kib(sb, 2, "min_guarantee", d->mem_min_guarantee);
	end(sb, 1, "memtune");
}

static void format_cpu(struct strbuf *sb, const struct ovz_domain *d)
{
	if (d->vcpus) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%u", d->vcpus);
		leaf(sb, 1, "vcpu", ATTRS("placement", "static"), buf);
	}
	if (d->cpu_shares == OVZ_UNSET && d->cpu_period == OVZ_UNSET && !d->cpu_quota)
		return;
	start(sb, 1, "cputune", NULL);
	if (d->cpu_shares != OVZ_UNSET)
		leaf_u64(sb, 2, "shares", d->cpu_shares);
	if (d->cpu_period != OVZ_UNSET)
		leaf_u64(sb, 2, "period", d->cpu_period);
	if (d->cpu_quota) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%" PRId64, d->cpu_quota);
		leaf(sb, 2, "quota", NULL, buf);
	}
	end(sb, 1, "cputune");
}

static void format_os(struct strbuf *sb, const struct ovz_domain *d)
{
	start(sb, 1, "os", NULL);
	leaf(sb, 2, "type", NULL, "exe");
	if (d->init)
		leaf(sb, 2, "init", NULL, d->init);
	for (char **a = d->init_args; a && *a; a++)
		leaf(sb, 2, "initarg", NULL, *a);
	end(sb, 1, "os");
}

static void format_actions(struct strbuf *sb, const struct ovz_domain *d)
{
	const char *name;
	if ((name = ovz_action_name(d->on_poweroff)))
		leaf(sb, 1, "on_poweroff", NULL, name);
	if ((name = ovz_action_name(d->on_reboot)))
		leaf(sb, 1, "on_reboot", NULL, name);
	if ((name = ovz_action_name(d->on_crash)))
		leaf(sb, 1, "on_crash", NULL, name);
}

static void format_root_fs(struct strbuf *sb, const char *type, const char *source_attr,
			   const char *source, const struct ovz_domain *d)
{
	start(sb, 2, "filesystem", ATTRS("type", type));
	empty(sb, 3, "source", ATTRS(source_attr, source));
	empty(sb, 3, "target", ATTRS("dir", "/"));
	size_kib(sb, 3, "space_hard_limit", d->space_hard_limit);
	size_kib(sb, 3, "space_soft_limit", d->space_soft_limit);
	end(sb, 2, "filesystem");
}

static void format_filesystems(struct strbuf *sb, const struct ovz_domain *d)
{
	if (d->ostemplate)
		format_root_fs(sb, "template", "name", d->ostemplate, d);
	if (d->private_dir)
		format_root_fs(sb, "mount", "dir", d->private_dir, d);
	for (size_t i = 0; i < d->n_mounts; i++) {
		const struct ovz_bind_mount *m = &d->mounts[i];
		start(sb, 2, "filesystem", ATTRS("type", "mount"));
		empty(sb, 3, "source", ATTRS("dir", m->source));
		empty(sb, 3, "target", ATTRS("dir", m->target));
		if (m->readonly)
			empty(sb, 3, "readonly", NULL);
		end(sb, 2, "filesystem");
	}
}

static void format_ip(struct strbuf *sb, const struct ovz_ip *ip)
{
	char addr[64], prefix[8];
	ovz_format_ip(ip, false, addr, sizeof(addr));
	snprintf(prefix, sizeof(prefix), "%d", ip->prefix);
	const char *family = ip->family == AF_INET ? "ipv4" : "ipv6";
	empty(sb, 3, "ip",
	      ATTRS("address", addr, "family", family, "prefix", ip->prefix >= 0 ? prefix : NULL));
}

static void format_route(struct strbuf *sb, const struct ovz_ip *gw)
{
	char addr[64];
	if (!gw->family)
		return;
	ovz_format_ip(gw, false, addr, sizeof(addr));
	bool v4 = gw->family == AF_INET;
	empty(sb, 3, "route",
	      ATTRS("family", v4 ? "ipv4" : "ipv6", "address", v4 ? "0.0.0.0" : "::", "gateway",
		    addr));
}

/* libvirt's order inside <interface>: mac, source, ip, route, target, guest. */
static void format_iface(struct strbuf *sb, const struct ovz_iface *f)
{
	bool veth = f->type == OVZ_IFACE_VETH;
	start(sb, 2, "interface", ATTRS("type", veth ? "bridge" : "ethernet"));
	if (veth && f->mac[0])
		empty(sb, 3, "mac", ATTRS("address", f->mac));
	if (veth && f->bridge[0])
		empty(sb, 3, "source", ATTRS("bridge", f->bridge));
	for (size_t i = 0; i < f->n_ips; i++)
		format_ip(sb, &f->ips[i]);
	format_route(sb, &f->gw4);
	format_route(sb, &f->gw6);
	if (veth && f->host_dev[0])
		empty(sb, 3, "target", ATTRS("dev", f->host_dev));
	if (veth && f->guest_dev[0])
		empty(sb, 3, "guest", ATTRS("dev", f->guest_dev));
	end(sb, 2, "interface");
}

/* A venet interface without addresses (vzctl's IP_ADDRESS="") has no
 * canonical form: libvirt reads an ethernet interface without <ip> as a veth
 * without bridge, so the parser refuses one, and it is left out here. */
static bool writable(const struct ovz_iface *f)
{
	return f->type == OVZ_IFACE_VETH || f->n_ips > 0;
}

static void format_hostdev(struct strbuf *sb, const char *dev)
{
	start(sb, 2, "hostdev", ATTRS("mode", "capabilities", "type", "net"));
	start(sb, 3, "source", NULL);
	leaf(sb, 4, "interface", NULL, dev);
	end(sb, 3, "source");
	end(sb, 2, "hostdev");
}

static void format_devices(struct strbuf *sb, const struct ovz_domain *d)
{
	bool any = d->ostemplate || d->private_dir || d->n_mounts || d->netdevs;
	for (size_t i = 0; i < d->n_ifaces; i++)
		any = any || writable(&d->ifaces[i]);
	if (!any)
		return;
	start(sb, 1, "devices", NULL);
	format_filesystems(sb, d);
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (writable(&d->ifaces[i]))
			format_iface(sb, &d->ifaces[i]);
	for (char **dev = d->netdevs; dev && *dev; dev++)
		format_hostdev(sb, *dev);
	end(sb, 1, "devices");
}

char *ovz_xml_format(const struct ovz_domain *d)
{
	struct strbuf sb = STRBUF_INIT;
	char id[16], uuid[37];
	snprintf(id, sizeof(id), "%u", d->ctid);
	start(&sb, 0, "domain", ATTRS("type", "openvz", "id", d->ctid ? id : NULL));
	/* libvirt's schema wants a name: without NAME it is the CTID, as
	 * libvirt's driver names such a container */
	if (d->name) {
		leaf(&sb, 1, "name", NULL, d->name);
	} else if (d->ctid) {
		char ctid[16];
		snprintf(ctid, sizeof(ctid), "%u", d->ctid);
		leaf(&sb, 1, "name", NULL, ctid);
	}
	if (d->has_uuid) {
		ovz_format_uuid(d->uuid, uuid);
		leaf(&sb, 1, "uuid", NULL, uuid);
	}
	if (d->description)
		leaf(&sb, 1, "description", NULL, d->description);
	format_metadata(&sb, d);
	format_memory(&sb, d);
	format_cpu(&sb, d);
	format_os(&sb, d);
	format_actions(&sb, d);
	format_devices(&sb, d);
	end(&sb, 0, "domain");
	return strbuf_steal(&sb);
}
