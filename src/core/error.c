// SPDX-License-Identifier: LGPL-2.1-or-later
#include "error.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ovz_error_setv(struct ovz_error **err, int errnum, const char *fmt, va_list ap)
{
	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0)
		errnum = EIO;
	if (!err || *err)
		return -errnum;
	struct ovz_error *e = xcalloc(1, sizeof(*e));
	e->errnum = errnum;
	if (vasprintf(&e->msg, fmt, ap) < 0)
		oom();
	*err = e;
	return -errnum;
}

int ovz_error_set(struct ovz_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = ovz_error_setv(err, errnum, fmt, ap);
	va_end(ap);
	return r;
}

int ovz_error_sys(struct ovz_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	int r = ovz_error_set(err, errnum, "%s: %s", what, strerror(errnum < 0 ? -errnum : errnum));
	free(what);
	return r;
}

int ovz_error_wrap(struct ovz_error **err, int ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	if (!err) {
		free(ctx);
		return ret < 0 ? ret : -EIO;
	}
	if (!*err) {
		int r = ovz_error_set(err, ret ? ret : EIO, "%s", ctx);
		free(ctx);
		return r;
	}
	struct ovz_error *e = *err;
	e->context = xrealloc(e->context, (e->n_context + 2) * sizeof(char *));
	memmove(e->context + 1, e->context, e->n_context * sizeof(char *));
	e->context[0] = ctx;
	e->context[++e->n_context] = NULL;
	free(e->full);
	e->full = NULL;
	return -e->errnum;
}

const char *ovz_error_message(struct ovz_error *err)
{
	if (!err)
		return "";
	if (err->full)
		return err->full;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < err->n_context; i++)
		strbuf_printf(&sb, "%s: ", err->context[i]);
	strbuf_puts(&sb, err->msg);
	err->full = strbuf_steal(&sb);
	return err->full;
}

void ovz_error_free(struct ovz_error *err)
{
	if (!err)
		return;
	for (size_t i = 0; i < err->n_context; i++)
		free(err->context[i]);
	free(err->context);
	free(err->msg);
	free(err->full);
	free(err);
}

void ovz_error_clear(struct ovz_error **err)
{
	if (!err)
		return;
	ovz_error_free(*err);
	*err = NULL;
}

int ovz_error_exit_code(int errnum)
{
	switch (errnum < 0 ? -errnum : errnum) {
	case 0:
		return 0;
	case EINVAL: case EBADMSG: case ENOENT: case ENAMETOOLONG:
	case ERANGE: case EDOM: case EILSEQ: case ENOTSUP: case E2BIG:
		return 1;
	case EEXIST: case EBUSY: case EALREADY: case EAGAIN: case ENOTEMPTY:
	case ETXTBSY: case EISCONN:
		return 3;
	default:
		return 2;
	}
}

void ovz_warn(const struct ovz_warn *w, const char *fmt, ...)
{
	if (!w || !w->fn)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	w->fn(w->data, msg);
	free(msg);
}
