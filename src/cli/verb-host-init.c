// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "cli-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct say {
	const struct cli *c;
	bool done_lines;	/* print what was done, not only the warnings */
};

static void say(void *data, const char *msg)
{
	const struct say *s = data;
	if (strncmp(msg, "warning: ", 9) == 0)
		fprintf(stderr, "ovz-native: host-init: %s\n", msg);
	else if (s->done_lines && !s->c->quiet)
		printf("%s\n", msg);
}

int cli_host_init(struct cli *c, struct ovz_host *h, bool done_lines)
{
	struct ovz_error *err = NULL;
	struct say s = { c, done_lines };
	int r = ovz_host_init(h, say, &s, &err);
	return r < 0 ? cli_fail(c, NULL, r, err) : EXIT_OK;
}

VERB(host_init)
{
	if (argc > 1)
		return cli_usage_error(c, "no arguments expected");
	struct ovz_host *h = NULL;
	int r = cli_open(c, NULL, 0, &h, NULL);
	if (r)
		return r;
	r = cli_host_init(c, h, true);
	ovz_host_close(h);
	return r;
}
