// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/host.h"
#include "core/lifecycle.h"
#include "core/util.h"
#include "xml/xml.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct create_cli {
	struct ovz_create_args a;
	const char *xml;
	char **ipadd;
};

static int parse_create(struct cli *c, int argc, char **argv, struct create_cli *o)
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
	int opt;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't': o->a.ostemplate = optarg; break;
		case 'c': o->a.config = optarg; break;
		case 'x': o->xml = optarg; break;
		case 'p': o->a.private_dir = optarg; break;
		case 'r': o->a.root_dir = optarg; break;
		case 'h': o->a.hostname = optarg; break;
		case 'i': strv_push(&o->ipadd, xstrdup(optarg)); break;
		case 'C': o->a.opts.mode = OVZ_CREATE_CLONE; break;
		case 'l':
			if (strcmp(optarg, "overlay") == 0)
				o->a.opts.mode = OVZ_CREATE_OVERLAY;
			else if (strcmp(optarg, "simfs") != 0)
				return cli_usage_error(c, "--layout: simfs or overlay (%s)", optarg);
			break;
		default:
			return cli_usage_error(c, "unknown option");
		}
	}
	if (optind + 1 != argc && !(o->xml && optind == argc))
		return cli_usage_error(c, "expected one CTID or NAME");
	o->a.ipadd = o->ipadd;
	return 0;
}

/* Progress on a terminal only: bytes, entries and rate, one line redrawn. */
static void progress(const struct ovz_progress *p, void *userdata)
{
	(void)userdata;
	double secs = (double)p->elapsed_ns / 1e9;
	double mb = (double)p->bytes_out / 1e6;
	if (p->total_in)
		fprintf(stderr, "\r%3u%% ", (unsigned)(p->bytes_in * 100 / p->total_in));
	else
		fputs("\r", stderr);
	fprintf(stderr, "%.1f MB, %llu entries, %.1f MB/s ", mb, (unsigned long long)p->entries,
		secs > 0 ? mb / secs : 0);
}

/* The CTID to create: the argument, or the XML's. */
static int create_target(struct cli *c, struct ovz_host *h, const char *id,
			 struct ovz_domain *xml, unsigned *ctid, struct ovz_error **err)
{
	if (!id) {
		if (!xml->ctid)
			return ovz_error_set(err, EINVAL, "the XML gives no CTID; name one");
		*ctid = xml->ctid;
		return 0;
	}
	if (!ovz_check_ctid(id, ctid))
		return 0;
	if (xml && xml->name && strcmp(xml->name, id) == 0 && xml->ctid) {
		*ctid = xml->ctid;
		return 0;
	}
	return ovz_host_lookup(h, id, ctid, err);
}

VERB(create)
{
	struct create_cli o = { 0 };
	int r = parse_create(c, argc, argv, &o);
	if (r) {
		strv_free(o.ipadd);
		return r;
	}
	const char *id = optind < argc ? argv[optind] : NULL;
	struct ovz_error *err = NULL;
	struct ovz_domain *xml = NULL;
	struct ovz_host *h = NULL;
	unsigned ctid = 0;
	r = o.xml ? ovz_xml_parse_file(o.xml, &xml, &err) : 0;
	if (r == 0)
		r = ovz_host_open(c->root, c->backend, &h, &err);
	if (r == 0)
		r = create_target(c, h, id, xml, &ctid, &err);
	if (r == 0 && xml && xml->ctid && xml->ctid != ctid)
		r = ovz_error_set(&err, EINVAL, "the XML defines CT %u, not %u", xml->ctid, ctid);
	bool tty = !c->quiet && isatty(STDERR_FILENO);
	if (tty)
		o.a.opts.progress = progress;
	o.a.xml = xml;
	o.a.fail_at = cli_fail_step();
	if (r == 0)
		r = ovz_ct_create(h, ctid, &o.a, &err);
	if (tty)
		fputs("\r\033[K", stderr);
	ovz_host_free(h);
	ovz_domain_free(xml);
	strv_free(o.ipadd);
	if (r < 0)
		return cli_fail(c, id ? id : o.xml, r, err);
	if (!c->quiet)
		printf("CT %u created (%s)\n", ctid, ovz_create_path_name(o.a.result.path));
	return EXIT_OK;
}
