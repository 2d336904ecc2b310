// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <stdio.h>

VERB(destroy)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_host *h = NULL;
	unsigned ctid;
	/* a half-created container may have no config: a CTID is enough */
	int r = cli_open(c, argv[1], OVZ_LOOKUP_ANY_CTID, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	r = ovz_container_destroy(h, ctid, &err);
	ovz_host_close(h);
	if (r < 0)
		return cli_fail(c, argv[1], r, err);
	if (!c->quiet)
		printf("CT %u destroyed\n", ctid);
	return EXIT_OK;
}
