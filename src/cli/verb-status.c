// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/lifecycle.h"

#include <stdio.h>

/* vzctl's line: "CTID 101 exist mounted running". */
VERB(status)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	struct ovz_ct_status st;
	r = ovz_ct_status(h, ctid, &st, &err);
	ovz_host_free(h);
	if (r < 0)
		return cli_fail(c, argv[1], r, err);
	printf("CTID %u %s %s %s%s\n", ctid, st.exists ? "exist" : "deleted",
	       st.mounted ? "mounted" : "unmounted", st.running ? "running" : "down",
	       st.incomplete ? " incomplete" : "");
	return EXIT_OK;
}
