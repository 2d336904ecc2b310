// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CONF_MAX_SIZE (1024 * 1024)

enum line_kind {
	LINE_OTHER,	/* blank line or comment */
	LINE_ASSIGN,	/* KEY=value */
	LINE_UUID,	/* libvirt's "#UUID: <uuid>" comment */
};

struct conf_line {
	enum line_kind kind;
	bool newline;	/* false only for a last line without '\n' */
	bool in_arena;	/* text, key and value point into ovz_conf.arena */
	uint32_t hash;	/* LINE_ASSIGN: of key, to skip most strcmp in lookups */
	char *text;	/* the line as read, without its '\n' */
	size_t len;	/* of text (a line may hold a NUL byte) */
	char *key;	/* LINE_ASSIGN */
	char *value;	/* LINE_ASSIGN: unquoted value; LINE_UUID: the uuid */
	char *merged;	/* a list key's first line: the values of all its lines */
};

/* A parsed file's strings live in one block (the arena): parsing makes two
 * allocations, not three per line.  A line that is changed later gets
 * strings of its own. */
struct ovz_conf {
	struct conf_line *lines;
	size_t n, cap;
	char *arena;
	/* open addressing from key hash to 1 + the line that holds the key's
	 * value; made by ovz_conf_parse, dropped when lines are inserted or
	 * removed */
	uint32_t *index;
	size_t index_mask;
	size_t uuid_line;	/* with the index: 1 + the last "#UUID:" line, or 0 */
	char **warnings;	/* "FILE:LINE: what was skipped" */
	size_t n_warnings;
	bool parsed;		/* read from a file, not made by ovz_conf_new */
};

/* Which of several assignments of a key vzctl 4.11 takes.  Most keys keep
 * the first and warn about the others; these do otherwise. */
enum dup_rule { DUP_FIRST, DUP_LAST, DUP_MERGE, DUP_QUIET };

static const char *const last_keys[] = {	/* each line overwrites */
	"KMEMSIZE", "LOCKEDPAGES", "PRIVVMPAGES", "SHMPAGES", "NUMPROC", "PHYSPAGES",
	"VMGUARPAGES", "OOMGUARPAGES", "NUMTCPSOCK", "NUMFLOCK", "NUMPTY", "NUMSIGINFO",
	"TCPSNDBUF", "TCPRCVBUF", "OTHERSOCKBUF", "DGRAMRCVBUF", "NUMOTHERSOCK", "NUMFILE",
	"DCACHESIZE", "NUMIPTENT", "AVNUMPROC", "SWAPPAGES", "LOG_LEVEL", "VEID", "IOPRIO",
	"IOLIMIT", "IOPSLIMIT", "MEMINFO", "VE_LAYOUT", "NETFILTER",
};
static const char *const merge_keys[] = {	/* lists: each line adds */
	"IP_ADDRESS", "NAMESERVER", "SEARCHDOMAIN", "NETDEV", "DEVICES", "DEVNODES", "PCI",
	"CAPABILITY", "FEATURES", "IPTABLES",
};
static const char *const quiet_keys[] = {	/* read but ignored by vzctl */
	"VIRTUOZZO", "VE0CPUUNITS", "VZFASTBOOT", "NEIGHBOUR_DEVS", "ERROR_ON_ARPFAIL", "VZWDOG",
	"IPTABLES_MODULES", "IP6TABLES", "CONFIG_CUSTOMIZED", "VE_STOP_MODE",
	"SKIP_SYSCTL_SETUP", "SKIP_ARPDETECT", "VE_PARALLEL", "LOCAL_UID", "LOCAL_GID",
};

static bool in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

static enum dup_rule dup_rule(const char *key)
{
	if (in_list(key, last_keys, ARRAY_SIZE(last_keys)))
		return DUP_LAST;
	if (in_list(key, merge_keys, ARRAY_SIZE(merge_keys)))
		return DUP_MERGE;
	if (in_list(key, quiet_keys, ARRAY_SIZE(quiet_keys)))
		return DUP_QUIET;
	return DUP_FIRST;
}

static uint32_t key_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct ovz_conf *ovz_conf_new(void)
{
	return xcalloc(1, sizeof(struct ovz_conf));
}

static void line_release(struct conf_line *l)
{
	free(l->merged);
	l->merged = NULL;
	if (l->in_arena)
		return;
	free(l->text);
	free(l->key);
	free(l->value);
}

void ovz_conf_free(struct ovz_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		line_release(&c->lines[i]);
	free(c->lines);
	free(c->arena);
	free(c->index);
	for (size_t i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c);
}

void ovz_conf_freep(struct ovz_conf **c)
{
	ovz_conf_free(*c);
}

static void index_drop(struct ovz_conf *c)
{
	free(c->index);
	c->index = NULL;
}

static bool same_key(const struct conf_line *l, uint32_t h, const char *key)
{
	return l->kind == LINE_ASSIGN && l->hash == h && strcmp(l->key, key) == 0;
}

static void merge_value(struct conf_line *first, const char *more)
{
	char *m = xasprintf("%s %s", first->merged ? first->merged : first->value, more);
	free(first->merged);
	first->merged = m;
}

/* Points each key at the line vzctl takes its value from (merging the
 * lines of a list key); dup is told of each assignment it passes over. */
static void index_build(struct ovz_conf *c, void (*dup)(void *ctx, const struct conf_line *l),
			void *ctx)
{
	size_t size = 16;
	while (size < 2 * c->n)
		size *= 2;
	c->index = xcalloc(size, sizeof(*c->index));
	c->index_mask = size - 1;
	for (size_t i = 0; i < c->n; i++) {
		struct conf_line *l = &c->lines[i];
		if (l->kind == LINE_UUID)
			c->uuid_line = i + 1;
		if (l->kind != LINE_ASSIGN)
			continue;
		size_t slot = l->hash & c->index_mask;
		while (c->index[slot] && !same_key(&c->lines[c->index[slot] - 1], l->hash, l->key))
			slot = (slot + 1) & c->index_mask;
		if (!c->index[slot]) {
			c->index[slot] = (uint32_t)i + 1;
			continue;
		}
		struct conf_line *held = &c->lines[c->index[slot] - 1];
		switch (dup_rule(l->key)) {
		case DUP_LAST:
			c->index[slot] = (uint32_t)i + 1;
			break;
		case DUP_MERGE:
			merge_value(held, l->value);
			break;
		case DUP_FIRST:
			if (dup)
				dup(ctx, l);
			break;
		case DUP_QUIET:
			break;
		}
	}
}

static struct conf_line *line_insert(struct ovz_conf *c, size_t at)
{
	index_drop(c);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->lines = xrealloc(c->lines, c->cap * sizeof(*c->lines));
	}
	memmove(&c->lines[at + 1], &c->lines[at], (c->n - at) * sizeof(*c->lines));
	c->n++;
	memset(&c->lines[at], 0, sizeof(*c->lines));
	c->lines[at].newline = true;
	return &c->lines[at];
}

static struct conf_line *line_append(struct ovz_conf *c)
{
	/* the old last line may lack its '\n'; it needs one now */
	if (c->n > 0)
		c->lines[c->n - 1].newline = true;
	return line_insert(c, c->n);
}

static void line_remove(struct ovz_conf *c, size_t at)
{
	index_drop(c);
	line_release(&c->lines[at]);
	memmove(&c->lines[at], &c->lines[at + 1], (c->n - at - 1) * sizeof(*c->lines));
	c->n--;
}

/* vzctl's reading rules (openvz-abi.md §7.1, checked against vzctl 4.11):
 * a backslash anywhere in a line is dropped and the character after it
 * kept; leading and trailing white space is cut; an empty line or one that
 * starts with '#' is a comment; the key is everything before the first '=';
 * an unquoted value runs to the end of the line, a quoted one to the last
 * '"' of the line.  A line without '=' or with an opening quote and no
 * other one is skipped with a warning. */
static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

#define VZCTL_KEY_MAX 511	/* vzctl's token buffer: longer keys skip the line */

struct line_ctx {
	struct ovz_conf *c;
	const char *filename;
	unsigned lineno;
	char *arena;	/* next free byte; sized for the whole file */
};

static void warn(struct line_ctx *x, const char *fmt, ...) OVZ_PRINTF(2, 3);
static void warn(struct line_ctx *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	struct ovz_conf *c = x->c;
	c->warnings = xrealloc(c->warnings, (c->n_warnings + 1) * sizeof(*c->warnings));
	c->warnings[c->n_warnings++] = xasprintf("%s:%u: %s", x->filename, x->lineno, msg);
}

static void warn_duplicate(void *ctx, const struct conf_line *l)
{
	struct line_ctx *x = ctx;
	x->lineno = (unsigned)(l - x->c->lines) + 1;
	warn(x, "%s: duplicate, ignored (\"%s\")", l->key, l->value);
}

/* Copies the line into the arena with vzctl's backslash rule applied. */
static char *unescape_line(struct line_ctx *x, const char *s, size_t n)
{
	char *out = x->arena, *o = out;
	const char *end = s + n;
	for (const char *bs; (bs = memchr(s, '\\', (size_t)(end - s)));) {
		memcpy(o, s, (size_t)(bs - s));
		o += bs - s;
		if (bs + 1 < end)
			*o++ = bs[1];
		s = bs + 2 < end ? bs + 2 : end;
	}
	memcpy(o, s, (size_t)(end - s));
	o += end - s;
	*o = '\0';
	x->arena = o + 1;
	return out;
}

static void parse_uuid_comment(struct line_ctx *x, struct conf_line *l)
{
	const char *p = l->text + strlen("#UUID:");
	p += strspn(p, " \t");
	size_t n = strcspn(p, " \t\r");
	if (n == 0)
		return;
	l->kind = LINE_UUID;
	l->value = x->arena;
	memcpy(x->arena, p, n);
	x->arena[n] = '\0';
	x->arena += n + 1;
}

/* s: the unescaped line, cut at both ends, not a comment. */
static void parse_assignment(struct line_ctx *x, struct conf_line *l, char *s)
{
	char *eq = strchr(s, '=');
	if (!eq) {
		warn(x, "'=' not found, line skipped");
		return;
	}
	if (eq - s > VZCTL_KEY_MAX) {
		warn(x, "key longer than %d characters, line skipped", VZCTL_KEY_MAX);
		return;
	}
	char *v = eq + 1;
	if (*v == '"') {
		char *close = strrchr(v + 1, '"');
		if (!close) {
			warn(x, "unmatched quotes, line skipped");
			return;
		}
		*close = '\0';
		v++;
	}
	*eq = '\0';
	l->kind = LINE_ASSIGN;
	l->key = s;
	l->value = v;
	l->hash = key_hash(s, strlen(s));
}

static void parse_line(struct line_ctx *x, struct conf_line *l, size_t n)
{
	if (str_startswith(l->text, "#UUID:")) {
		parse_uuid_comment(x, l);
		return;
	}
	/* vzctl reads a line as a C string: a NUL byte ends it */
	char *s = unescape_line(x, l->text, strnlen(l->text, n));
	while (is_space(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return;
	char *end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		*--end = '\0';
	parse_assignment(x, l, s);
}

int ovz_conf_parse(const char *buf, size_t len, const char *filename, struct ovz_conf **out,
		   struct ovz_error **err)
{
	struct line_ctx x = { .filename = filename ? filename : "<config>" };
	if (len > CONF_MAX_SIZE)
		return ovz_error_set(err, EFBIG, "'%s' is larger than %d bytes", x.filename,
				     CONF_MAX_SIZE);
	_cleanup_(ovz_conf_freep) struct ovz_conf *c = ovz_conf_new();
	c->parsed = true;
	x.c = c;
	size_t lines = 1;
	for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
		lines++;
	c->cap = lines;
	c->lines = xmalloc(lines * sizeof(*c->lines));
	/* the lines' texts are the file itself, each '\n' made a NUL; each
	 * line's unescaped copy (which holds its key and value) follows */
	c->arena = xmalloc(2 * (len + lines) + 1);
	memcpy(c->arena, buf, len);
	c->arena[len] = '\0';
	x.arena = c->arena + len + 1;
	for (size_t pos = 0; pos < len;) {
		char *text = c->arena + pos;
		char *nl = memchr(text, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) : len - pos;
		x.lineno++;
		if (nl)
			*nl = '\0';
		struct conf_line *l = &c->lines[c->n++];
		*l = (struct conf_line){ .in_arena = true, .text = text, .len = n,
					 .newline = nl != NULL };
		parse_line(&x, l, n);
		pos += n + (nl ? 1 : 0);
	}
	x.lineno = 0;
	index_build(c, warn_duplicate, &x);
	*out = c;
	c = NULL;
	return 0;
}

bool ovz_conf_is_new(const struct ovz_conf *c)
{
	size_t pos = 0;
	return !c->parsed && !ovz_conf_next_key(c, &pos, NULL);
}

size_t ovz_conf_n_warnings(const struct ovz_conf *c)
{
	return c->n_warnings;
}

const char *ovz_conf_warning(const struct ovz_conf *c, size_t i)
{
	return i < c->n_warnings ? c->warnings[i] : NULL;
}

int ovz_conf_load(const char *path, struct ovz_conf **out, struct ovz_error **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, path, CONF_MAX_SIZE, &buf, &len, err);
	if (r < 0)
		return r;
	return ovz_conf_parse(buf, len, path, out, err);
}

/* The line vzctl takes key's value from, or -1. */
static ssize_t find_value(const struct ovz_conf *c, const char *key)
{
	uint32_t h = key_hash(key, strlen(key));
	if (c->index) {
		for (size_t slot = h & c->index_mask; c->index[slot];
		     slot = (slot + 1) & c->index_mask)
			if (same_key(&c->lines[c->index[slot] - 1], h, key))
				return (ssize_t)c->index[slot] - 1;
		return -1;
	}
	if (dup_rule(key) == DUP_LAST) {
		for (size_t i = c->n; i-- > 0;)
			if (same_key(&c->lines[i], h, key))
				return (ssize_t)i;
		return -1;
	}
	for (size_t i = 0; i < c->n; i++)
		if (same_key(&c->lines[i], h, key))
			return (ssize_t)i;
	return -1;
}

static const char *value_of(const struct conf_line *l)
{
	return l->merged ? l->merged : l->value;
}

const char *ovz_conf_lookup(const struct ovz_conf *c, const char *key, unsigned *line)
{
	ssize_t i = find_value(c, key);
	*line = i < 0 ? 0 : (unsigned)i + 1;
	return i < 0 ? NULL : value_of(&c->lines[i]);
}

const char *ovz_conf_get(const struct ovz_conf *c, const char *key)
{
	unsigned line;
	return ovz_conf_lookup(c, key, &line);
}

unsigned ovz_conf_line(const struct ovz_conf *c, const char *key)
{
	ssize_t i = find_value(c, key);
	return i < 0 ? 0 : (unsigned)i + 1;
}

/* A value has to stay on its line: line breaks become spaces. */
static char *one_line(const char *value)
{
	char *v = xstrdup(value);
	for (char *p = v; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return v;
}

/* KEY="value" that vzctl reads back as value: it drops a backslash and
 * keeps the character after it. */
static char *assignment_text(const char *key, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "%s=\"", key);
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			strbuf_putc(&sb, '\\');
		strbuf_putc(&sb, *p);
	}
	strbuf_putc(&sb, '"');
	return strbuf_steal(&sb);
}

static void line_assign(struct conf_line *l, const char *key, char *value)
{
	line_release(l);
	l->in_arena = false;
	l->kind = LINE_ASSIGN;
	l->hash = key_hash(key, strlen(key));
	l->key = xstrdup(key);
	l->value = value;
	l->text = assignment_text(key, value);
	l->len = strlen(l->text);
}

/* Removes every line of a kind (and key) but keep; returns keep's new index. */
static ssize_t keep_only(struct ovz_conf *c, enum line_kind kind, const char *key, ssize_t keep)
{
	for (size_t i = c->n; i-- > 0;) {
		struct conf_line *l = &c->lines[i];
		if ((ssize_t)i == keep || l->kind != kind || (key && strcmp(l->key, key) != 0))
			continue;
		line_remove(c, i);
		if ((ssize_t)i < keep)
			keep--;
	}
	return keep;
}

void ovz_conf_set(struct ovz_conf *c, const char *key, const char *value)
{
	char *v = one_line(value);
	ssize_t i = keep_only(c, LINE_ASSIGN, key, find_value(c, key));
	if (i >= 0 && !c->lines[i].merged && strcmp(c->lines[i].value, v) == 0) {
		free(v);	/* same value: keep the line as it was written */
		return;
	}
	line_assign(i >= 0 ? &c->lines[i] : line_append(c), key, v);
}

static void remove_all(struct ovz_conf *c, enum line_kind kind, const char *key)
{
	for (size_t i = c->n; i-- > 0;) {
		const struct conf_line *l = &c->lines[i];
		if (l->kind == kind && (!key || strcmp(l->key, key) == 0))
			line_remove(c, i);
	}
}

void ovz_conf_unset(struct ovz_conf *c, const char *key)
{
	remove_all(c, LINE_ASSIGN, key);
}

const char *ovz_conf_next_key(const struct ovz_conf *c, size_t *pos, const char **value)
{
	for (; *pos < c->n; (*pos)++) {
		const struct conf_line *l = &c->lines[*pos];
		if (l->kind != LINE_ASSIGN || find_value(c, l->key) != (ssize_t)*pos)
			continue;
		(*pos)++;
		if (value)
			*value = value_of(l);
		return l->key;
	}
	return NULL;
}

static ssize_t find_uuid_comment(const struct ovz_conf *c)
{
	if (c->index)
		return (ssize_t)c->uuid_line - 1;
	for (size_t i = c->n; i-- > 0;)
		if (c->lines[i].kind == LINE_UUID)
			return (ssize_t)i;
	return -1;
}

const char *ovz_conf_get_uuid_comment(const struct ovz_conf *c)
{
	ssize_t i = find_uuid_comment(c);
	return i < 0 ? NULL : c->lines[i].value;
}

unsigned ovz_conf_uuid_comment_line(const struct ovz_conf *c)
{
	ssize_t i = find_uuid_comment(c);
	return i < 0 ? 0 : (unsigned)i + 1;
}

void ovz_conf_set_uuid_comment(struct ovz_conf *c, const char *uuid)
{
	if (!uuid) {
		remove_all(c, LINE_UUID, NULL);
		return;
	}
	ssize_t i = keep_only(c, LINE_UUID, NULL, find_uuid_comment(c));
	if (i >= 0 && strcmp(c->lines[i].value, uuid) == 0)
		return;
	struct conf_line *l = i >= 0 ? &c->lines[i] : line_append(c);
	line_release(l);	/* a UUID line has no key */
	l->in_arena = false;
	l->key = NULL;
	l->kind = LINE_UUID;
	l->value = one_line(uuid);
	l->text = xasprintf("#UUID: %s", l->value);
	l->len = strlen(l->text);
}

char *ovz_conf_format(const struct ovz_conf *c, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < c->n; i++) {
		strbuf_putn(&sb, c->lines[i].text, c->lines[i].len);
		if (c->lines[i].newline)
			strbuf_putc(&sb, '\n');
	}
	if (len)
		*len = sb.len;
	return strbuf_steal(&sb);
}

int ovz_conf_save(const struct ovz_conf *c, const char *path, struct ovz_error **err)
{
	size_t len;
	_cleanup_free_ char *text = ovz_conf_format(c, &len);
	return write_file_atomic(path, text, len, 0644, err);
}
