// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
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
	char *key;	/* LINE_ASSIGN */
	char *value;	/* LINE_ASSIGN: unquoted value; LINE_UUID: the uuid */
};

/* A parsed file's strings live in one block (the arena): parsing makes two
 * allocations, not three per line.  A line that is changed later gets
 * strings of its own. */
struct ovz_conf {
	struct conf_line *lines;
	size_t n, cap;
	char *arena;
	/* open addressing from key hash to 1 + the key's last line; made by
	 * ovz_conf_parse, dropped when lines are inserted or removed */
	uint32_t *index;
	size_t index_mask;
	size_t uuid_line;	/* with the index: 1 + the last "#UUID:" line, or 0 */
};

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

static void index_build(struct ovz_conf *c)
{
	size_t size = 16;
	while (size < 2 * c->n)
		size *= 2;
	c->index = xcalloc(size, sizeof(*c->index));
	c->index_mask = size - 1;
	for (size_t i = 0; i < c->n; i++) {
		const struct conf_line *l = &c->lines[i];
		if (l->kind != LINE_ASSIGN)
			continue;
		size_t slot = l->hash & c->index_mask;
		while (c->index[slot] && !same_key(&c->lines[c->index[slot] - 1], l->hash, l->key))
			slot = (slot + 1) & c->index_mask;
		c->index[slot] = (uint32_t)i + 1;	/* a later line wins */
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

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool is_key_start(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_key_char(char ch)
{
	return is_key_start(ch) || (ch >= '0' && ch <= '9');
}

static bool valid_key(const char *s, size_t len)
{
	if (len == 0 || !is_key_start(s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_key_char(s[i]))
			return false;
	return true;
}

struct line_ctx {
	const char *filename;
	unsigned lineno;
	struct ovz_error **err;
	char *arena;	/* next free byte; sized for the whole file */
};

static char *arena_dup(struct line_ctx *x, const char *s, size_t n)
{
	char *p = x->arena;
	memcpy(p, s, n);
	p[n] = '\0';
	x->arena += n + 1;
	return p;
}

static int line_error(const struct line_ctx *x, const char *key, const char *why,
		      const char *value)
{
	return ovz_error_set(x->err, EINVAL, "%s:%u: %s: %s (%s)", x->filename, x->lineno, key,
			     why, value);
}

/* The value part after '=', trailing blanks already cut.  vzctl takes the
 * text between the first and the last quote, so inner quotes are kept, and
 * a missing closing quote at the end of the line is read as if it were there
 * (libvirt's own test config has such a NETIF line). */
static int unquote(struct line_ctx *x, const char *key, const char *raw, size_t len,
		   char **out)
{
	if (len > 0 && raw[0] == '"') {
		const char *last = len > 1 ? memrchr(raw + 1, '"', len - 1) : NULL;
		if (!last) {	/* unterminated: the end of the line closes it */
			*out = arena_dup(x, raw + 1, len - 1);
		} else if ((size_t)(last - raw) != len - 1) {
			_cleanup_free_ char *shown = xstrndup(raw, len);
			return line_error(x, key, "text after the closing quote", shown);
		} else {
			*out = arena_dup(x, raw + 1, len - 2);
		}
		return 0;
	}
	if (memchr(raw, '"', len)) {
		_cleanup_free_ char *shown = xstrndup(raw, len);
		return line_error(x, key, "quote inside an unquoted value", shown);
	}
	*out = arena_dup(x, raw, len);
	return 0;
}

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	return s;
}

static void parse_uuid_comment(struct line_ctx *x, struct conf_line *l)
{
	const char *p = l->text + strlen("#UUID:");
	p += strspn(p, " \t");
	size_t n = strcspn(p, " \t\r");
	if (n == 0)
		return;
	l->kind = LINE_UUID;
	l->value = arena_dup(x, p, n);
}

static int parse_assignment(struct line_ctx *x, struct conf_line *l, const char *s,
			    const char *end)
{
	const char *eq = memchr(s, '=', (size_t)(end - s));
	if (!eq) {
		_cleanup_free_ char *word = xstrndup(s, strcspn(s, " \t\r"));
		_cleanup_free_ char *all = xstrndup(s, (size_t)(end - s));
		return line_error(x, word, "not a KEY=value line, '=' is missing", all);
	}
	size_t klen = (size_t)(eq - s);
	char *key = arena_dup(x, s, klen);
	if (!valid_key(s, klen)) {
		_cleanup_free_ char *all = xstrndup(s, (size_t)(end - s));
		return line_error(x, key,
				  "invalid key, expected A-Z, 0-9 and '_' not starting with a digit",
				  all);
	}
	const char *v = eq + 1;
	while (end > v && is_blank(end[-1]))
		end--;
	int r = unquote(x, key, v, (size_t)(end - v), &l->value);
	if (r < 0)
		return r;
	l->kind = LINE_ASSIGN;
	l->key = key;
	l->hash = key_hash(key, klen);
	return 0;
}

static int parse_line(struct line_ctx *x, struct conf_line *l, size_t n)
{
	const char *end = l->text + n;
	const char *s = skip_blanks(l->text, end);
	if (s == end)
		return 0;
	if (*s == '#') {
		if (str_startswith(l->text, "#UUID:"))
			parse_uuid_comment(x, l);
		return 0;
	}
	return parse_assignment(x, l, s, end);
}

int ovz_conf_parse(const char *buf, size_t len, const char *filename, struct ovz_conf **out,
		   struct ovz_error **err)
{
	struct line_ctx x = { .filename = filename ? filename : "<config>", .err = err };
	if (len > CONF_MAX_SIZE)
		return ovz_error_set(err, EFBIG, "'%s' is larger than %d bytes", x.filename,
				     CONF_MAX_SIZE);
	_cleanup_(ovz_conf_freep) struct ovz_conf *c = ovz_conf_new();
	size_t lines = 1;
	for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
		lines++;
	c->cap = lines;
	c->lines = xmalloc(lines * sizeof(*c->lines));
	/* per line: its text, key and value, each NUL terminated, fit in
	 * twice its length plus its newline */
	c->arena = xmalloc(2 * (len + lines) + 1);
	/* the lines' texts are the file itself, each '\n' made a NUL; keys and
	 * values follow it */
	memcpy(c->arena, buf, len);
	c->arena[len] = '\0';
	x.arena = c->arena + len + 1;
	unsigned nul_line = 0;	/* the first line with a NUL byte, 0 when none */
	const char *nul = memchr(buf, '\0', len);
	if (nul) {
		nul_line = 1;
		for (const char *p = buf; (p = memchr(p, '\n', (size_t)(nul - p))); p++)
			nul_line++;
	}
	for (size_t pos = 0; pos < len;) {
		char *text = c->arena + pos;
		char *nl = memchr(text, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) : len - pos;
		x.lineno++;
		if (x.lineno == nul_line)
			return ovz_error_set(err, EINVAL, "%s:%u: line contains a NUL byte",
					     x.filename, x.lineno);
		if (nl)
			*nl = '\0';
		struct conf_line *l = &c->lines[c->n++];
		*l = (struct conf_line){ .in_arena = true, .text = text, .newline = nl != NULL };
		int r = parse_line(&x, l, n);
		if (r < 0)
			return r;
		if (l->kind == LINE_UUID)
			c->uuid_line = c->n;
		pos += n + (nl ? 1 : 0);
	}
	index_build(c);
	*out = c;
	c = NULL;
	return 0;
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

static ssize_t find_last(const struct ovz_conf *c, const char *key)
{
	uint32_t h = key_hash(key, strlen(key));
	if (c->index) {
		for (size_t slot = h & c->index_mask; c->index[slot];
		     slot = (slot + 1) & c->index_mask)
			if (same_key(&c->lines[c->index[slot] - 1], h, key))
				return (ssize_t)c->index[slot] - 1;
		return -1;
	}
	for (size_t i = c->n; i-- > 0;)
		if (same_key(&c->lines[i], h, key))
			return (ssize_t)i;
	return -1;
}

const char *ovz_conf_lookup(const struct ovz_conf *c, const char *key, unsigned *line)
{
	ssize_t i = find_last(c, key);
	*line = i < 0 ? 0 : (unsigned)i + 1;
	return i < 0 ? NULL : c->lines[i].value;
}

const char *ovz_conf_get(const struct ovz_conf *c, const char *key)
{
	ssize_t i = find_last(c, key);
	return i < 0 ? NULL : c->lines[i].value;
}

unsigned ovz_conf_line(const struct ovz_conf *c, const char *key)
{
	ssize_t i = find_last(c, key);
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

static void line_assign(struct conf_line *l, const char *key, char *value)
{
	line_release(l);
	l->in_arena = false;
	l->kind = LINE_ASSIGN;
	l->hash = key_hash(key, strlen(key));
	l->key = xstrdup(key);
	l->value = value;
	l->text = xasprintf("%s=\"%s\"", key, value);
}

/* Removes all lines of a kind (and key) but the last; returns its index or -1. */
static ssize_t keep_only_last(struct ovz_conf *c, enum line_kind kind, const char *key)
{
	ssize_t last = -1;
	for (size_t i = c->n; i-- > 0;) {
		struct conf_line *l = &c->lines[i];
		if (l->kind != kind || (key && strcmp(l->key, key) != 0))
			continue;
		if (last < 0) {
			last = (ssize_t)i;
			continue;
		}
		line_remove(c, i);
		last--;
	}
	return last;
}

void ovz_conf_set(struct ovz_conf *c, const char *key, const char *value)
{
	char *v = one_line(value);
	ssize_t i = keep_only_last(c, LINE_ASSIGN, key);
	if (i >= 0 && strcmp(c->lines[i].value, v) == 0) {
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
		if (l->kind != LINE_ASSIGN || find_last(c, l->key) != (ssize_t)*pos)
			continue;
		(*pos)++;
		if (value)
			*value = l->value;
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
	ssize_t i = keep_only_last(c, LINE_UUID, NULL);
	if (i >= 0 && strcmp(c->lines[i].value, uuid) == 0)
		return;
	struct conf_line *l = i >= 0 ? &c->lines[i] : line_append(c);
	line_release(l);	/* a UUID line has no key */
	l->in_arena = false;
	l->key = NULL;
	l->kind = LINE_UUID;
	l->value = one_line(uuid);
	l->text = xasprintf("#UUID: %s", l->value);
}

char *ovz_conf_format(const struct ovz_conf *c, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < c->n; i++) {
		strbuf_puts(&sb, c->lines[i].text);
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
