/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Numbers as vzctl 4.11 reads them from a config: beancounters, disk quota
 * and the like (docs/config.md, "Numbers"). */
#ifndef OVZ_CORE_VZNUM_H
#define OVZ_CORE_VZNUM_H

#include <stdbool.h>
#include <stdint.h>

/* One value: an integer, or a fraction such as 2.2, with an optional suffix
 * K, M, G, T (powers of 1024 bytes), P (pages) or B (bytes), in either
 * case; a suffixed value is converted to the key's unit (unit_bytes: 1 for
 * bytes, 1024 for 1K blocks, the page size for pages; 0 for counts, which
 * take no suffix) and rounded down.  With allow_unlimited, "unlimited" is
 * LONG_MAX.  Values above LONG_MAX become LONG_MAX and set *cut. */
struct ovz_vznum {
	uint64_t unit_bytes;
	bool allow_unlimited;
};

/* "barrier:limit", or one value for both.  Returns NULL, or why s is not
 * such a value. */
const char *ovz_vznum_pair(const struct ovz_vznum *how, const char *s, uint64_t *barrier,
			   uint64_t *limit, bool *cut);
/* Exactly one value, no colon. */
const char *ovz_vznum_one(const struct ovz_vznum *how, const char *s, uint64_t *value, bool *cut);

#endif
