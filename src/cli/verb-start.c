// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/lifecycle.h"

#include <stdio.h>

VERB(start)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	r = ovz_ct_start(h, ctid, cli_fail_step(), &err);
	ovz_host_free(h);
	if (r < 0)
		return cli_fail(c, argv[1], r, err);
	if (!c->quiet)
		printf("CT %u started\n", ctid);
	return EXIT_OK;
}
