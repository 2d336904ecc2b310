/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one error convention of the library: a failing function returns a
 * negative errno and, when given a non-NULL struct ovz_error **, stores a
 * heap error object there that the caller owns and frees with
 * ovz_error_free().  Outer layers add context with ovz_error_wrap(), which
 * keeps the errno and pushes a context string, so the full message reads
 * like a call chain: "create 101: extracting template: openat 'etc': EEXIST". */
#ifndef OVZ_CORE_ERROR_H
#define OVZ_CORE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

struct ovz_error {
	int errnum;		/* positive errno value */
	char *msg;		/* innermost message, no trailing newline */
	char **context;		/* outermost first, NULL terminated */
	size_t n_context;
	char *full;		/* cache for ovz_error_message() */
};

#define OVZ_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Sets *err (if err and not already set) and returns -errnum. */
int ovz_error_set(struct ovz_error **err, int errnum, const char *fmt, ...) OVZ_PRINTF(3, 4);
int ovz_error_setv(struct ovz_error **err, int errnum, const char *fmt, va_list ap)
	OVZ_PRINTF(3, 0);
/* Same as ovz_error_set but appends ": strerror(errnum)". */
int ovz_error_sys(struct ovz_error **err, int errnum, const char *fmt, ...) OVZ_PRINTF(3, 4);
/* Adds outer context to an existing error; returns its -errnum.
 * With no error set it records ret (negative) with the context as message. */
int ovz_error_wrap(struct ovz_error **err, int ret, const char *fmt, ...) OVZ_PRINTF(3, 4);

/* "ctx1: ctx2: msg"; valid until the error is freed. */
const char *ovz_error_message(struct ovz_error *err);
void ovz_error_free(struct ovz_error *err);
/* Frees *err (if any) and sets it to NULL: for an error the caller handled. */
void ovz_error_clear(struct ovz_error **err);

/* Where the library reports what it forgave and went on without (a config
 * line vzctl skips too): one line each, "FILE:LINE: what".  A NULL sink or
 * fn drops them: the library itself never prints. */
struct ovz_warn {
	void (*fn)(void *data, const char *msg);
	void *data;
};

void ovz_warn(const struct ovz_warn *w, const char *fmt, ...) OVZ_PRINTF(2, 3);

/* Exit status a command uses for this error: 1 bad input, 2 system, 3 conflict. */
int ovz_error_exit_code(int errnum);

#endif
