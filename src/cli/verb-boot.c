// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "cli-util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void report(unsigned ctid, int result, void *userdata)
{
	struct cli *c = userdata;
	if (result < 0)
		fprintf(stderr, "ovz-native: boot %u: start failed: %s (run 'ovz-native start %u' "
				"for details)\n", ctid, strerror(-result), ctid);
	else if (!c->quiet)
		printf("CT %u started\n", ctid);
}

/* What vzctl's init script does before it starts containers, on a legacy
 * kernel (the other backends' kernels need nothing of the kind); quietly
 * but for warnings.  A root prefix without /proc/vz (a scratch tree) is
 * not a host to initialise: said, and boot goes on. */
static int boot_host_init(struct cli *c, struct ovz_host *h)
{
	struct ovz_error *err = NULL;
	const char *backend = NULL;
	int r = ovz_host_probe(h, &backend, &err);
	if (r < 0)
		return cli_fail(c, NULL, r, err);
	if (strcmp(backend, "vz") != 0)
		return EXIT_OK;
	if (strcmp(ovz_host_root(h), "/") != 0) {
		char *vz = NULL;
		if (asprintf(&vz, "%s/proc/vz", ovz_host_root(h)) > 0 && access(vz, F_OK) < 0) {
			if (!c->quiet)
				fprintf(stderr, "ovz-native: boot: warning: no host-init: the "
						"root prefix has no /proc/vz\n");
			free(vz);
			return EXIT_OK;
		}
		free(vz);
	}
	return cli_host_init(c, h, false);
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
	r = boot_host_init(c, h);
	if (r) {
		ovz_host_close(h);
		return r;
	}
	int failed = ovz_host_autostart(h, (unsigned)parallel, report, c, &err);
	ovz_host_close(h);
	if (failed < 0)
		return cli_fail(c, NULL, failed, err);
	return failed ? EXIT_SYSTEM : EXIT_OK;
}
