// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <string.h>

VERB(exec)
{
	int first = 2;
	if (argc > 2 && strcmp(argv[2], "--") == 0)
		first = 3;
	if (argc <= first)
		return cli_usage_error(c, "expected CTID or NAME and a command");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], 0, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	int status = 0;
	r = ovz_container_exec(h, ctid, argv + first, NULL, NULL, 0, &status, &err);
	ovz_host_close(h);
	if (r < 0) {
		cli_fail(c, argv[1], r, err);
		return status ? status : EXIT_SYSTEM;
	}
	return status;
}
