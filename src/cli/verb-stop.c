// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "cli-util.h"

#include <getopt.h>
#include <stdio.h>

#define STOP_TIMEOUT_MAX 86400

/* --fast and --timeout as OVZ_STOP_* flags and a timeout. */
struct stop_opts {
	unsigned flags;
	unsigned timeout;	/* 0: the library's default (vzctl's 120) */
};

static int parse_timeout(struct cli *c, const char *arg, struct stop_opts *o)
{
	uint64_t t;
	if (cli_parse_u64(arg, &t) < 0 || t > STOP_TIMEOUT_MAX)
		return cli_usage_error(c, "--timeout: not a number of seconds (%s)", arg);
	o->timeout = (unsigned)t;
	if (t == 0)
		o->flags |= OVZ_STOP_NO_WAIT;
	else
		o->flags &= ~(unsigned)OVZ_STOP_NO_WAIT;
	return 0;
}

static int parse_stop(struct cli *c, int argc, char **argv, struct stop_opts *o)
{
	static const struct option opts[] = {
		{ "fast", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 },
	};
	int opt, r;
	*o = (struct stop_opts){ 0 };
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->flags |= OVZ_STOP_FAST;
			break;
		case 't':
			if ((r = parse_timeout(c, optarg, o)))
				return r;
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
	if ((r = cli_open(c, id, 0, &h, &ctid)))
		return r;
	struct ovz_error *err = NULL;
	if (restart)
		r = ovz_container_restart(h, ctid, o.flags, o.timeout, &err);
	else
		r = ovz_container_stop(h, ctid, o.flags, o.timeout, &err);
	ovz_host_close(h);
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
