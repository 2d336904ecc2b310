// SPDX-License-Identifier: LGPL-2.1-or-later
/* `set`: vzctl's options, applied live to a running container and saved to
 * its config with --save (a stopped container's config is always written).
 * Every value is checked before anything changes; the options are the
 * library's changes (ovz_changes_add), the command only parses them. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* A refused option (a bad value, or a change that does not fit the
 * container) is a usage error, as any other bad option is. */
static int refuse(struct cli *c, struct ovz_error *err)
{
	int r = cli_usage_error(c, "%s", ovz_error_message(err));
	ovz_error_free(err);
	return r;
}

/* Adds one option to the changes and checks them against the container,
 * so that each option is refused in the order given. */
static int add_change(struct cli *c, const char *id, struct ovz_host *h, unsigned ctid,
		      struct ovz_changes *changes, const char *option, const char *value)
{
	struct ovz_error *err = NULL;
	if (ovz_changes_add(changes, option, value, &err) < 0)
		return refuse(c, err);
	ssize_t refused;
	int r = ovz_container_check_changes(h, ctid, changes, &refused, &err);
	if (r == 0)
		return 0;
	return refused >= 0 ? refuse(c, err) : cli_fail(c, id, r, err);
}

/* The options after CTID|NAME as changes; *save for --save. */
static int parse_changes(struct cli *c, int argc, char **argv, struct ovz_host *h,
			 unsigned ctid, struct ovz_changes *changes, bool *save)
{
	static const struct option opts[] = {
		{ "save", no_argument, NULL, 0 },
		{ "hostname", required_argument, NULL, 0 },
		{ "ipadd", required_argument, NULL, 0 },
		{ "ipdel", required_argument, NULL, 0 },
		{ "nameserver", required_argument, NULL, 0 },
		{ "searchdomain", required_argument, NULL, 0 },
		{ "onboot", required_argument, NULL, 0 },
		{ "cpus", required_argument, NULL, 0 },
		{ "cpuunits", required_argument, NULL, 0 },
		{ "cpulimit", required_argument, NULL, 0 },
		{ "memory", required_argument, NULL, 0 },
		{ "ram", required_argument, NULL, 0 },
		{ "netif_add", required_argument, NULL, 0 },
		{ "netif_del", required_argument, NULL, 0 },
		{ "name", required_argument, NULL, 0 },
		{ "description", required_argument, NULL, 0 },
		{ 0 },
	};
	int opt, i, r;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", opts, &i)) != -1) {
		if (opt != 0)
			return cli_usage_error(c, "unknown option");
		if (strcmp(opts[i].name, "save") == 0)
			*save = true;
		else if ((r = add_change(c, argv[1], h, ctid, changes, opts[i].name, optarg)))
			return r;
	}
	if (optind != argc)
		return cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (ovz_changes_count(changes) == 0)
		return cli_usage_error(c, "nothing to set");
	return 0;
}

static int set(struct cli *c, const char *id, struct ovz_host *h, unsigned ctid,
	       const struct ovz_changes *changes, bool save)
{
	struct ovz_error *err = NULL;
	bool live = false;
	int r = ovz_container_set(h, ctid, changes, save ? OVZ_SET_SAVE : 0, &live, &err);
	if (r < 0)
		return cli_fail(c, id, r, err);
	if (!c->quiet && live && !save)
		fprintf(stderr, "ovz-native: set %s: applied to the running container only; "
				"use --save to keep it\n", id);
	return EXIT_OK;
}

VERB(set)
{
	if (argc < 2 || argv[1][0] == '-')
		return cli_usage_error(c, "expected CTID or NAME first");
	const char *id = argv[1];
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, id, 0, &h, &ctid);
	if (r)
		return r;
	struct ovz_changes *changes = ovz_changes_new();
	bool save = false;
	r = parse_changes(c, argc, argv, h, ctid, changes, &save);
	if (r == 0)
		r = set(c, id, h, ctid, changes, save);
	ovz_changes_free(changes);
	ovz_host_close(h);
	return r;
}
