// SPDX-License-Identifier: LGPL-2.1-or-later
/* `template list` and `template unpack NAME`: the template caches in
 * $TEMPLATE/cache and the unpacked trees that create --clone and
 * --layout overlay use. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(const struct ovz_tmpl_list *l)
{
	switch (ovz_tmpl_list_kind(l)) {
	case OVZ_TMPL_ARCHIVE:
		return ovz_tmpl_list_compression(l);
	case OVZ_TMPL_UNPACKED:
		return "unpacked";
	case OVZ_TMPL_UNPACKED_STALE:
		return "unpacked-stale";
	}
	return "?";
}

static void print_template(const struct ovz_tmpl_list *l)
{
	char size[32] = "-";
	if (ovz_tmpl_list_kind(l) == OVZ_TMPL_ARCHIVE)
		snprintf(size, sizeof(size), "%llu", (unsigned long long)ovz_tmpl_list_size(l));
	printf("%-40s %-14s %12s %s%s\n", ovz_tmpl_list_name(l), kind_name(l), size,
	       ovz_tmpl_list_path(l), ovz_tmpl_list_incomplete(l) ? " (incomplete)" : "");
}

static int template_list(struct cli *c, struct ovz_host *h)
{
	struct ovz_tmpl_list *l = NULL;
	struct ovz_error *err = NULL;
	int r = ovz_tmpl_list_new(h, &l, &err);
	if (r < 0)
		return cli_fail(c, NULL, r, err);
	printf("%-40s %-14s %12s %s\n", "NAME", "KIND", "SIZE", "PATH");
	while (ovz_tmpl_list_next(l))
		print_template(l);
	ovz_tmpl_list_free(l);
	return EXIT_OK;
}

static int template_unpack(struct cli *c, struct ovz_host *h, const char *name)
{
	struct ovz_error *err = NULL;
	if (ovz_tmpl_check_name(name, &err) < 0) {
		int r = cli_usage_error(c, "%s", ovz_error_message(err));
		ovz_error_free(err);
		return r;
	}
	char *path = NULL;
	bool fresh = false;
	int r = ovz_tmpl_unpack(h, name, NULL, NULL, NULL, &path, &fresh, &err);
	if (r < 0)
		return cli_fail(c, name, r, err);
	if (!c->quiet)
		printf("%s %s\n", path, fresh ? "unpacked" : "up to date");
	free(path);
	return EXIT_OK;
}

static int template_verb(struct cli *c, struct ovz_host *h, int argc, char **argv)
{
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return template_list(c, h);
	if (strcmp(argv[1], "unpack") == 0 && argc == 3)
		return template_unpack(c, h, argv[2]);
	return cli_usage_error(c, "expected list or unpack NAME");
}

VERB(template)
{
	if (argc < 2)
		return cli_usage_error(c, "expected list or unpack NAME");
	struct ovz_host *h = NULL;
	int r = cli_open(c, NULL, 0, &h, NULL);
	if (r)
		return r;
	r = template_verb(c, h, argc, argv);
	ovz_host_close(h);
	return r;
}
