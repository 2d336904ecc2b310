// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/host.h"
#include "core/lifecycle.h"

#include <stdio.h>

VERB(destroy)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_error *err = NULL;
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = ovz_host_open(c->root, c->backend, &h, &err);
	/* a half-created container may have no config: a CTID is enough */
	if (r == 0 && ovz_check_ctid(argv[1], &ctid))
		r = ovz_host_lookup(h, argv[1], &ctid, &err);
	if (r == 0)
		r = ovz_ct_destroy(h, ctid, &err);
	ovz_host_free(h);
	if (r < 0)
		return cli_fail(c, argv[1], r, err);
	if (!c->quiet)
		printf("CT %u destroyed\n", ctid);
	return EXIT_OK;
}
