/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command's own small helpers.  It links only the public library, so
 * it cannot use the internal ones of src/core/util.h; the cli_ names keep
 * the two apart. */
#ifndef OVZ_CLI_UTIL_H
#define OVZ_CLI_UTIL_H

#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Parses a whole decimal string; -EINVAL or -ERANGE when it is not one. */
int cli_parse_u64(const char *s, uint64_t *out);

#endif
