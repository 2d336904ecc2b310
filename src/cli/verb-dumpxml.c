// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/host.h"

#include <stdio.h>
#include <stdlib.h>

VERB(dumpxml)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_error *err = NULL;
	struct ovz_host *h = NULL;
	unsigned ctid = 0;
	char *xml = NULL;
	int r = ovz_host_open(c->root, c->backend, &h, &err);
	if (r == 0)
		r = ovz_host_lookup(h, argv[1], &ctid, &err);
	if (r == 0)
		r = ovz_host_dumpxml(h, ctid, &xml, &err);
	ovz_host_free(h);
	if (r < 0)
		return cli_fail(c, argv[1], r, err);
	fputs(xml, stdout);
	free(xml);
	return EXIT_OK;
}
