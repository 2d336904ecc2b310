// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <stdio.h>

VERB(validate)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one FILE");
	struct ovz_error *err = NULL;
	int r = ovz_validate_file(argv[1], &err);
	if (r < 0)
		return cli_fail(c, NULL, r, err);
	if (!c->quiet)
		printf("%s validates\n", argv[1]);
	return EXIT_OK;
}
