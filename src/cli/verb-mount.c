// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

static int mount_verb(struct cli *c, int argc, char **argv,
		      int (*fn)(struct ovz_host *, unsigned, struct ovz_error **))
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], 0, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	r = fn(h, ctid, &err);
	ovz_host_close(h);
	return r < 0 ? cli_fail(c, argv[1], r, err) : EXIT_OK;
}

VERB(mount)
{
	return mount_verb(c, argc, argv, ovz_container_mount);
}

VERB(umount)
{
	return mount_verb(c, argc, argv, ovz_container_umount);
}
