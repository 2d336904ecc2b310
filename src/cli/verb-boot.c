// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "cli-util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void report(unsigned ctid, int result, void *userdata)
{
	struct cli *c = userdata;
	if (result < 0)
		fprintf(stderr, "ovz-native: boot %u: start failed: %s (run 'ovz-native start %u' "
				"for details)\n", ctid, strerror(-result), ctid);
	else if (!c->quiet)
		printf("CT %u started\n", ctid);
}

VERB(boot)
{
	static const struct option opts[] = {
		{ "parallel", required_argument, NULL, 'p' },
		{ 0 },
	};
	uint64_t parallel = 4;
	int opt;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'p' || cli_parse_u64(optarg, &parallel) < 0 || parallel == 0 ||
		    parallel > 256)
			return cli_usage_error(c, "--parallel: a number from 1 to 256");
	}
	if (optind != argc)
		return cli_usage_error(c, "no arguments expected");
	struct ovz_host *h = NULL;
	int r = cli_open(c, NULL, 0, &h, NULL);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	int failed = ovz_host_autostart(h, (unsigned)parallel, report, c, &err);
	ovz_host_close(h);
	if (failed < 0)
		return cli_fail(c, NULL, failed, err);
	return failed ? EXIT_SYSTEM : EXIT_OK;
}
