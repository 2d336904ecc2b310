// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

VERB(dumpxml)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], 0, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	char *xml = NULL;
	r = ovz_container_dumpxml(h, ctid, &xml, &err);
	ovz_host_close(h);
	if (r < 0)
		return cli_fail(c, argv[1], r, err);
	fputs(xml, stdout);
	free(xml);
	return EXIT_OK;
}
