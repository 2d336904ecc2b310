// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

VERB(undefine)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], 0, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	r = ovz_container_undefine(h, ctid, &err);
	ovz_host_close(h);
	return r < 0 ? cli_fail(c, argv[1], r, err) : EXIT_OK;
}
