// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/host.h"
#include "core/lifecycle.h"
#include "xml/xml.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* stop, destroy and umount print the teardown of start, create and mount. */
static const struct {
	const char *name;
	enum ovz_verb verb;
	bool teardown;
} plan_verbs[] = {
	{ "create", OVZ_VERB_CREATE, false }, { "destroy", OVZ_VERB_CREATE, true },
	{ "start", OVZ_VERB_START, false },   { "stop", OVZ_VERB_START, true },
	{ "mount", OVZ_VERB_MOUNT, false },   { "umount", OVZ_VERB_MOUNT, true },
};

static int load_definition(struct cli *c, struct ovz_host *h, const char *id, const char *xml,
			   struct ovz_domain **d, struct ovz_error **err)
{
	if (xml) {
		int r = ovz_xml_parse_file(xml, d, err);
		if (r == 0 && !(*d)->ctid)
			r = ovz_error_set(err, EINVAL, "%s: the XML gives no CTID", xml);
		return r;
	}
	unsigned ctid;
	int r = ovz_host_lookup(h, id, &ctid, err);
	return r < 0 ? r : ovz_host_load(h, ctid, d, err);
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
	size_t v = 0;
	while (v < sizeof(plan_verbs) / sizeof(plan_verbs[0]) &&
	       strcmp(plan_verbs[v].name, argv[optind]) != 0)
		v++;
	if (v == sizeof(plan_verbs) / sizeof(plan_verbs[0]))
		return cli_usage_error(c, "no plan for '%s'", argv[optind]);
	const char *id = xml ? NULL : argv[optind + 1];
	struct ovz_error *err = NULL;
	struct ovz_host *h = NULL;
	struct ovz_domain *d = NULL;
	struct ovz_plan *p = NULL;
	int r = ovz_host_open(c->root, c->backend, &h, &err);
	if (r == 0)
		r = load_definition(c, h, id, xml, &d, &err);
	if (r == 0)
		r = ovz_ct_plan(h, d, plan_verbs[v].verb, &p, &err);
	if (r == 0) {
		char *text = json ? ovz_plan_format_json(p, plan_verbs[v].teardown)
				  : ovz_plan_format(p, plan_verbs[v].teardown);
		fputs(text, stdout);
		free(text);
	}
	ovz_plan_free(p);
	ovz_domain_free(d);
	ovz_host_free(h);
	return r < 0 ? cli_fail(c, id ? id : xml, r, err) : EXIT_OK;
}
