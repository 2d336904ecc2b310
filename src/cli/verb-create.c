// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The options straight into o, except --xml, which is read later. */
static int parse_create(struct cli *c, int argc, char **argv, struct ovz_create_options *o,
			const char **xml)
{
	static const struct option opts[] = {
		{ "ostemplate", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "xml", required_argument, NULL, 'x' },
		{ "private", required_argument, NULL, 'p' },
		{ "root-dir", required_argument, NULL, 'r' },
		{ "root", required_argument, NULL, 'r' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "ipadd", required_argument, NULL, 'i' },
		{ "clone", no_argument, NULL, 'C' },
		{ "layout", required_argument, NULL, 'l' },
		{ 0 },
	};
	enum ovz_create_method method = OVZ_CREATE_METHOD_EXTRACT;
	int opt;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't': ovz_create_options_set_ostemplate(o, optarg); break;
		case 'c': ovz_create_options_set_config(o, optarg); break;
		case 'x': *xml = optarg; break;
		case 'p': ovz_create_options_set_private(o, optarg); break;
		case 'r': ovz_create_options_set_root_dir(o, optarg); break;
		case 'h': ovz_create_options_set_hostname(o, optarg); break;
		case 'i': ovz_create_options_add_ip(o, optarg); break;
		case 'C': method = OVZ_CREATE_METHOD_CLONE; break;
		case 'l':
			if (strcmp(optarg, "overlay") == 0)
				method = OVZ_CREATE_METHOD_OVERLAY;
			else if (strcmp(optarg, "simfs") != 0)
				return cli_usage_error(c, "--layout: simfs or overlay (%s)", optarg);
			break;
		default:
			return cli_usage_error(c, "unknown option");
		}
	}
	if (optind + 1 != argc && !(*xml && optind == argc))
		return cli_usage_error(c, "expected one CTID or NAME");
	ovz_create_options_set_method(o, method);
	return 0;
}

/* Progress on a terminal only: bytes, entries and rate, one line redrawn. */
static void progress(const struct ovz_progress *p, void *userdata)
{
	(void)userdata;
	double secs = (double)ovz_progress_elapsed_ns(p) / 1e9;
	double mb = (double)ovz_progress_bytes_out(p) / 1e6;
	uint64_t total_in = ovz_progress_total_in(p);
	if (total_in)
		fprintf(stderr, "\r%3u%% ", (unsigned)(ovz_progress_bytes_in(p) * 100 / total_in));
	else
		fputs("\r", stderr);
	fprintf(stderr, "%.1f MB, %llu entries, %.1f MB/s ", mb,
		(unsigned long long)ovz_progress_entries(p), secs > 0 ? mb / secs : 0);
}

static int create(struct cli *c, const char *id, const char *xml, struct ovz_create_options *o,
		  unsigned *ctid, struct ovz_error **err)
{
	struct ovz_host *h = NULL;
	int r = xml ? ovz_create_options_set_xml_file(o, xml, err) : 0;
	if (r == 0)
		r = cli_host_new(c, &h, err);
	bool tty = !c->quiet && isatty(STDERR_FILENO);
	if (tty)
		ovz_create_options_set_progress(o, progress, NULL);
	if (r == 0)
		r = ovz_container_create(h, id, o, ctid, err);
	if (tty)
		fputs("\r\033[K", stderr);
	ovz_host_close(h);
	return r;
}

VERB(create)
{
	struct ovz_create_options *o = ovz_create_options_new();
	const char *xml = NULL;
	int r = parse_create(c, argc, argv, o, &xml);
	if (r) {
		ovz_create_options_free(o);
		return r;
	}
	const char *id = optind < argc ? argv[optind] : NULL;
	struct ovz_error *err = NULL;
	unsigned ctid = 0;
	r = create(c, id, xml, o, &ctid, &err);
	int code = EXIT_OK;
	if (r < 0)
		code = cli_fail(c, id ? id : xml, r, err);
	else if (!c->quiet)
		printf("CT %u created (%s)\n", ctid, ovz_create_options_result(o));
	ovz_create_options_free(o);
	return code;
}
