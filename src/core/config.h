/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vzctl's configuration file syntax (openvz-abi.md §7.1, docs/config.md),
 * read exactly as vzctl 4.11 reads it: lines of KEY="value" (quotes
 * optional), '#' comments, blank lines, a backslash keeping the character
 * after it.  A line vzctl cannot parse is skipped with a warning, never a
 * failure of the whole file.  Of several assignments of a key, the first
 * counts (a warning names the others), except where vzctl takes the last
 * (beancounters) or adds them up (IP_ADDRESS and the other lists).  A parsed
 * file keeps every line, so a rewrite changes only the keys that were set or
 * unset and keeps comments, unknown keys and their order byte for byte. */
#ifndef OVZ_CORE_CONFIG_H
#define OVZ_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct ovz_conf;

/* filename is used in error and warning messages ("FILE:LINE: KEY: ...").
 * Fails only for a file too large to be a config. */
int ovz_conf_parse(const char *buf, size_t len, const char *filename, struct ovz_conf **out,
		   struct ovz_error **err);
/* A missing file gives -ENOENT (and an error naming it). */
int ovz_conf_load(const char *path, struct ovz_conf **out, struct ovz_error **err);
struct ovz_conf *ovz_conf_new(void);
/* Made by ovz_conf_new and nothing set yet: a file that does not exist. */
bool ovz_conf_is_new(const struct ovz_conf *c);
void ovz_conf_free(struct ovz_conf *c);
void ovz_conf_freep(struct ovz_conf **c);

/* What the lines vzctl skipped, one "FILE:LINE: what" each. */
size_t ovz_conf_n_warnings(const struct ovz_conf *c);
const char *ovz_conf_warning(const struct ovz_conf *c, size_t i);

/* Value of key as vzctl reads it (quotes and escapes removed; the lines of
 * a list key joined by spaces), or NULL. */
const char *ovz_conf_get(const struct ovz_conf *c, const char *key);
/* Line number (1-based) of the assignment that counts, 0 when absent. */
unsigned ovz_conf_line(const struct ovz_conf *c, const char *key);
/* Both in one lookup. */
const char *ovz_conf_lookup(const struct ovz_conf *c, const char *key, unsigned *line);
/* Replaces the assignment that counts in place (dropping the others) or
 * appends KEY="value" at the end, escaped so that vzctl reads value back.
 * A line whose value is already equal is left as written.  Line breaks in
 * value become spaces. */
void ovz_conf_set(struct ovz_conf *c, const char *key, const char *value);
/* Removes every assignment of key. */
void ovz_conf_unset(struct ovz_conf *c, const char *key);
/* Iterates over keys in file order (each key once, at the assignment that counts);
 * *pos starts at 0; returns NULL at the end. */
const char *ovz_conf_next_key(const struct ovz_conf *c, size_t *pos, const char **value);

/* The libvirt '#UUID: <uuid>' comment line; NULL when absent. */
const char *ovz_conf_get_uuid_comment(const struct ovz_conf *c);
/* Line number (1-based) of that comment, 0 when absent. */
unsigned ovz_conf_uuid_comment_line(const struct ovz_conf *c);
void ovz_conf_set_uuid_comment(struct ovz_conf *c, const char *uuid);	/* NULL removes */

/* The whole file as text. */
char *ovz_conf_format(const struct ovz_conf *c, size_t *len);
/* Atomic write: temp file in the same directory, fsync, rename. */
int ovz_conf_save(const struct ovz_conf *c, const char *path, struct ovz_error **err);

#endif
