// SPDX-License-Identifier: LGPL-2.1-or-later
#include "xml-private.h"
#include "xml.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

#define NAME_MAX_SHOWN 32
#define PATH_PARTS 4

/* Cuts at max bytes (on a UTF-8 boundary) and writes control bytes as \xNN,
 * so a message stays one line and short whatever the input holds. */
static void put_sanitized(struct strbuf *sb, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), cut = len > max ? max : len;
	while (cut < len && cut > 0 && (p[cut] & 0xc0) == 0x80)
		cut--;
	for (size_t i = 0; i < cut; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			strbuf_printf(sb, "\\x%02x", p[i]);
		else
			strbuf_putc(sb, (char)p[i]);
	}
	if (cut < len)
		strbuf_puts(sb, "...");
}

int xml_fail_at(struct ovz_error **err, const char *file, long line, const char *what,
		const char *value, const char *reason)
{
	struct strbuf sb = STRBUF_INIT;
	put_sanitized(&sb, file ? file : "-", 256);
	if (line > 0)
		strbuf_printf(&sb, ":%ld", line);
	strbuf_printf(&sb, ": %s: %s", what, reason);
	if (value) {
		strbuf_puts(&sb, " (");
		put_sanitized(&sb, value, XML_VALUE_MAX);
		strbuf_putc(&sb, ')');
	}
	_cleanup_free_ char *msg = strbuf_steal(&sb);
	return ovz_error_set(err, EINVAL, "%s", msg);
}

static bool in_ovz_ns(const xmlNode *n)
{
	return n->ns && n->ns->href && strcmp((const char *)n->ns->href, OVZ_XML_NS) == 0;
}

static bool only_groups(const xmlNode *n)
{
	const char *name = (const char *)n->name;
	if (in_ovz_ns(n))
		return strcmp(name, "container") == 0;
	if (n->ns)
		return false;
	return strcmp(name, "domain") == 0 || strcmp(name, "devices") == 0 ||
	       strcmp(name, "metadata") == 0;
}

static void put_name(struct strbuf *sb, const xmlNode *n)
{
	if (in_ovz_ns(n))
		strbuf_puts(sb, "ovz:");
	else if (n->ns && n->ns->prefix)
		strbuf_printf(sb, "%.*s:", NAME_MAX_SHOWN, (const char *)n->ns->prefix);
	put_sanitized(sb, (const char *)n->name, NAME_MAX_SHOWN);
}

char *xml_node_path(const xmlNode *node, const char *attr)
{
	const xmlNode *parts[PATH_PARTS];
	size_t n = 0;
	parts[n++] = node;
	for (const xmlNode *p = node->parent; p && p->type == XML_ELEMENT_NODE && n < PATH_PARTS;
	     p = p->parent)
		if (!only_groups(p))
			parts[n++] = p;
	struct strbuf sb = STRBUF_INIT;
	while (n--) {
		put_name(&sb, parts[n]);
		if (n)
			strbuf_putc(&sb, '/');
	}
	if (attr) {
		strbuf_puts(&sb, "/@");
		put_sanitized(&sb, attr, NAME_MAX_SHOWN);
	}
	return strbuf_steal(&sb);
}

int xml_fail(struct ovz_error **err, const char *file, const xmlNode *node, const char *attr,
	     const char *value, const char *reason)
{
	_cleanup_free_ char *what = xml_node_path(node, attr);
	return xml_fail_at(err, file, ovz_libxml(NULL)->xmlGetLineNo(node), what, value, reason);
}
