// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

VERB(define)
{
	return cli_usage_error(c, "not implemented yet");
}
