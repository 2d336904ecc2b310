// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static int plan_of(struct ovz_host *h, const char *id, const char *xml, enum ovz_plan_verb verb,
		   struct ovz_verb_plan **p, struct ovz_error **err)
{
	if (xml)
		return ovz_verb_plan_new_file(h, xml, verb, p, err);
	unsigned ctid;
	int r = ovz_container_lookup(h, id, 0, &ctid, err);
	return r < 0 ? r : ovz_verb_plan_new(h, ctid, verb, p, err);
}

/* The plan of a defined container (id) or of a document (xml); every
 * failure is named after the one given. */
static int make_plan(struct cli *c, const char *id, const char *xml, enum ovz_plan_verb verb,
		     struct ovz_verb_plan **p)
{
	struct ovz_error *err = NULL;
	struct ovz_host *h = NULL;
	int r = cli_host_new(c, &h, &err);
	if (r == 0)
		r = plan_of(h, id, xml, verb, p, &err);
	ovz_host_close(h);
	return r < 0 ? cli_fail(c, id ? id : xml, r, err) : EXIT_OK;
}

VERB(plan)
{
	static const struct option opts[] = {
		{ "xml", required_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *xml = NULL;
	bool json = false;
	int opt;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'x')
			xml = optarg;
		else if (opt == 'j')
			json = true;
		else
			return cli_usage_error(c, "unknown option");
	}
	if (optind >= argc || argc - optind != (xml ? 1 : 2))
		return cli_usage_error(c, "expected a verb and CTID|NAME or --xml FILE");
	enum ovz_plan_verb verb;
	if (ovz_plan_verb_from_name(argv[optind], &verb) < 0)
		return cli_usage_error(c, "no plan for '%s'", argv[optind]);
	struct ovz_verb_plan *p = NULL;
	int r = make_plan(c, xml ? NULL : argv[optind + 1], xml, verb, &p);
	if (r)
		return r;
	fputs(json ? ovz_verb_plan_json(p) : ovz_verb_plan_text(p), stdout);
	ovz_verb_plan_free(p);
	return EXIT_OK;
}
