// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <stdio.h>

/* vzctl's line: "CTID 101 exist mounted running". */
VERB(status)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], 0, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	unsigned st = 0;
	r = ovz_container_status(h, ctid, &st, NULL, &err);
	ovz_host_close(h);
	if (r < 0)
		return cli_fail(c, argv[1], r, err);
	printf("CTID %u %s %s %s%s\n", ctid, (st & OVZ_CT_EXISTS) ? "exist" : "deleted",
	       (st & OVZ_CT_MOUNTED) ? "mounted" : "unmounted",
	       (st & OVZ_CT_RUNNING) ? "running" : "down",
	       (st & OVZ_CT_INCOMPLETE) ? " incomplete" : "");
	return EXIT_OK;
}
