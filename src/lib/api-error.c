// SPDX-License-Identifier: LGPL-2.1-or-later
/* The error object's accessors.  ovz_error_message, ovz_error_free and
 * ovz_error_exit_code are the internal functions themselves (src/core). */
#include "api.h"

int ovz_error_errno(const struct ovz_error *err)
{
	return err ? err->errnum : 0;
}

const char *ovz_error_cause(const struct ovz_error *err)
{
	return err ? err->msg : "";
}

size_t ovz_error_context_count(const struct ovz_error *err)
{
	return err ? err->n_context : 0;
}

const char *ovz_error_context_at(const struct ovz_error *err, size_t i)
{
	return err && i < err->n_context ? err->context[i] : NULL;
}
