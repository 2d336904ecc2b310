// SPDX-License-Identifier: LGPL-2.1-or-later
/* `template list` and `template unpack NAME`: the template caches in
 * $TEMPLATE/cache and the unpacked trees that create --clone and
 * --layout overlay use. */
#include "cli.h"
#include "core/host.h"
#include "core/util.h"
#include "fs/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(const struct ovz_template_info *t)
{
	switch (t->kind) {
	case OVZ_TEMPLATE_CACHE:
		return ovz_compression_name(t->compression);
	case OVZ_TEMPLATE_UNPACKED:
		return "unpacked";
	case OVZ_TEMPLATE_UNPACKED_STALE:
		return "unpacked-stale";
	}
	return "?";
}

static int template_list(struct cli *c, const char *dir)
{
	struct ovz_template_info *v = NULL;
	size_t n = 0;
	struct ovz_error *err = NULL;
	int r = ovz_template_list(dir, &v, &n, &err);
	if (r < 0)
		return cli_fail(c, NULL, r, err);
	printf("%-40s %-14s %12s %s\n", "NAME", "KIND", "SIZE", "PATH");
	for (size_t i = 0; i < n; i++) {
		char size[32] = "-";
		if (v[i].kind == OVZ_TEMPLATE_CACHE)
			snprintf(size, sizeof(size), "%llu", (unsigned long long)v[i].size);
		printf("%-40s %-14s %12s %s%s\n", v[i].name, kind_name(&v[i]), size, v[i].path,
		       v[i].kind != OVZ_TEMPLATE_CACHE && v[i].state != OVZ_PRIVATE_COMPLETE
			       ? " (incomplete)" : "");
	}
	ovz_template_list_free(v, n);
	return EXIT_OK;
}

static int template_unpack(struct cli *c, const char *dir, const char *name)
{
	const char *why = ovz_check_template_name(name);
	if (why)
		return cli_usage_error(c, "template name %s (%s)", why, name);
	struct ovz_unpack_opts o = { 0 };
	struct ovz_error *err = NULL;
	char *path = NULL;
	bool fresh = false;
	int r = ovz_template_unpack(dir, name, &o, &path, &fresh, &err);
	if (r < 0)
		return cli_fail(c, name, r, err);
	if (!c->quiet)
		printf("%s %s\n", path, fresh ? "unpacked" : "up to date");
	free(path);
	return EXIT_OK;
}

VERB(template)
{
	if (argc < 2)
		return cli_usage_error(c, "expected list or unpack NAME");
	struct ovz_host *h = NULL;
	int r = cli_open(c, NULL, &h, NULL);
	if (r)
		return r;
	_cleanup_free_ char *dir = path_join(h->vz->root, h->vz->template_dir);
	ovz_host_free(h);
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return template_list(c, dir);
	if (strcmp(argv[1], "unpack") == 0 && argc == 3)
		return template_unpack(c, dir, argv[2]);
	return cli_usage_error(c, "expected list or unpack NAME");
}
