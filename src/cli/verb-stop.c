// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/lifecycle.h"
#include "core/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

struct stop_opts {
	bool fast;
	unsigned timeout;
};

static int parse_stop(struct cli *c, int argc, char **argv, struct stop_opts *o)
{
	static const struct option opts[] = {
		{ "fast", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 },
	};
	int opt;
	uint64_t t;
	o->fast = false;
	o->timeout = 120;	/* vzctl's STOP_TIMEOUT default */
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->fast = true;
			break;
		case 't':
			if (parse_u64(optarg, &t) < 0 || t > 86400)
				return cli_usage_error(c, "--timeout: not a number of seconds (%s)",
						       optarg);
			o->timeout = (unsigned)t;
			break;
		default:
			return cli_usage_error(c, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(c, "expected one CTID or NAME");
	return 0;
}

static int stop_and_maybe_start(struct cli *c, int argc, char **argv, bool restart)
{
	struct stop_opts o;
	int r = parse_stop(c, argc, argv, &o);
	if (r)
		return r;
	const char *id = argv[optind];
	struct ovz_host *h = NULL;
	unsigned ctid;
	if ((r = cli_open(c, id, &h, &ctid)))
		return r;
	struct ovz_error *err = NULL;
	r = ovz_ct_stop(h, ctid, o.fast, o.timeout, &err);
	if (r == 0 && restart)
		r = ovz_ct_start(h, ctid, cli_fail_step(), &err);
	ovz_host_free(h);
	if (r < 0)
		return cli_fail(c, id, r, err);
	if (!c->quiet)
		printf("CT %u %s\n", ctid, restart ? "restarted" : "stopped");
	return EXIT_OK;
}

VERB(stop)
{
	return stop_and_maybe_start(c, argc, argv, false);
}

VERB(restart)
{
	return stop_and_maybe_start(c, argc, argv, true);
}
