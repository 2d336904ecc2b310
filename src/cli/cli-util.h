/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command's own small helpers.  It links only the public library, so
 * it cannot use the internal ones of src/core/util.h; the cli_ names keep
 * the two apart.  Out of memory aborts, as in the library. */
#ifndef OVZ_CLI_UTIL_H
#define OVZ_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *cli_xrealloc(void *p, size_t n);
char *cli_xstrdup(const char *s);

/* A growable string, always NUL terminated once written to. */
struct cli_buf {
	char *buf;
	size_t len, cap;
};
void cli_buf_putn(struct cli_buf *b, const char *s, size_t n);
void cli_buf_puts(struct cli_buf *b, const char *s);
void cli_buf_putc(struct cli_buf *b, char c);
/* s as a JSON string literal (quotes, escapes); NULL gives null. */
void cli_buf_put_json_string(struct cli_buf *b, const char *s);
void cli_buf_release(struct cli_buf *b);

/* Parses a whole decimal string; -EINVAL or -ERANGE when it is not one. */
int cli_parse_u64(const char *s, uint64_t *out);

#endif
