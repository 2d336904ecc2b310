// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli-util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void *cli_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *cli_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(cli_xrealloc(NULL, n), s, n);
}

void cli_buf_putn(struct cli_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > b->cap)
			b->cap *= 2;
		b->buf = cli_xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void cli_buf_puts(struct cli_buf *b, const char *s)
{
	cli_buf_putn(b, s, strlen(s));
}

void cli_buf_putc(struct cli_buf *b, char c)
{
	cli_buf_putn(b, &c, 1);
}

static void put_escaped(struct cli_buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	switch (c) {
	case '"': cli_buf_puts(b, "\\\""); break;
	case '\\': cli_buf_puts(b, "\\\\"); break;
	case '\n': cli_buf_puts(b, "\\n"); break;
	case '\t': cli_buf_puts(b, "\\t"); break;
	case '\r': cli_buf_puts(b, "\\r"); break;
	default: {
		char u[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		cli_buf_putn(b, u, sizeof(u));
	}
	}
}

void cli_buf_put_json_string(struct cli_buf *b, const char *s)
{
	if (!s) {
		cli_buf_puts(b, "null");
		return;
	}
	cli_buf_putc(b, '"');
	while (*s) {
		size_t plain = 0;
		while (s[plain] && (unsigned char)s[plain] >= 0x20 && s[plain] != '"' &&
		       s[plain] != '\\')
			plain++;
		cli_buf_putn(b, s, plain);
		s += plain;
		if (*s)
			put_escaped(b, (unsigned char)*s++);
	}
	cli_buf_putc(b, '"');
}

void cli_buf_release(struct cli_buf *b)
{
	free(b->buf);
	*b = (struct cli_buf){ 0 };
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}
