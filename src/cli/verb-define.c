// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <stdio.h>

VERB(define)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one FILE");
	struct ovz_host *h = NULL;
	int r = cli_open(c, NULL, 0, &h, NULL);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	unsigned ctid = 0;
	r = ovz_container_define_file(h, argv[1], &ctid, &err);
	ovz_host_close(h);
	if (r < 0) {
		char what[16];
		snprintf(what, sizeof(what), "%u", ctid);
		return cli_fail(c, ctid ? what : NULL, r, err);
	}
	printf("%u\n", ctid);
	return EXIT_OK;
}
