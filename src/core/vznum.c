// SPDX-License-Identifier: LGPL-2.1-or-later
#include "vznum.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t suffix_bytes(char ch)
{
	switch (ch | 0x20) {
	case 'k': return 1ULL << 10;
	case 'm': return 1ULL << 20;
	case 'g': return 1ULL << 30;
	case 't': return 1ULL << 40;
	case 'b': return 1;
	case 'p': {
		long ps = sysconf(_SC_PAGESIZE);
		return ps > 0 ? (uint64_t)ps : 4096;
	}
	default: return 0;
	}
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Reads one value at s; *end is where it stopped (at ':' or the end). */
static const char *parse_value(const struct ovz_vznum *how, const char *s, const char **end,
			       uint64_t *value, bool *cut)
{
	if (how->allow_unlimited && strncmp(s, "unlimited", 9) == 0) {
		*value = LONG_MAX;
		*end = s + 9;
		return NULL;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	bool negative = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (!is_digit(*s))
		return how->allow_unlimited ? "is not a number or unlimited" : "is not a number";
	char *tail;
	errno = 0;
	unsigned long long n = strtoull(s, &tail, 10);
	if (errno == ERANGE)
		return "is too large";
	long double v = (long double)n;
	if (*tail == '.') {
		v = strtold(s, &tail);
		n = v >= (long double)ULLONG_MAX ? ULLONG_MAX : (unsigned long long)v;
	}
	if (*tail && *tail != ':') {
		uint64_t mul = suffix_bytes(*tail);
		if (!how->unit_bytes)
			return "takes no size suffix";
		if (!mul)
			return "has a suffix other than K, M, G, T, P or B";
		v = v * (long double)mul / (long double)how->unit_bytes;
		n = v > (long double)LONG_MAX ? (unsigned long long)LONG_MAX + 1
					       : (unsigned long long)v;
		tail++;
	}
	if (negative && v != 0)	/* as strtoull reads it: a huge number */
		n = ULLONG_MAX;
	if (n > LONG_MAX) {
		n = LONG_MAX;
		*cut = true;
	}
	*value = n;
	*end = tail;
	return NULL;
}

const char *ovz_vznum_pair(const struct ovz_vznum *how, const char *s, uint64_t *barrier,
			   uint64_t *limit, bool *cut)
{
	const char *end;
	*cut = false;
	const char *why = parse_value(how, s, &end, barrier, cut);
	if (why)
		return why;
	if (*end == '\0') {
		*limit = *barrier;
		return NULL;
	}
	if (*end != ':')
		return "is not barrier:limit";
	why = parse_value(how, end + 1, &end, limit, cut);
	if (why)
		return why;
	return *end ? "is not barrier:limit" : NULL;
}

const char *ovz_vznum_one(const struct ovz_vznum *how, const char *s, uint64_t *value, bool *cut)
{
	const char *end;
	*cut = false;
	const char *why = parse_value(how, s, &end, value, cut);
	if (why)
		return why;
	return *end ? "is not one value" : NULL;
}
