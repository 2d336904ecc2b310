// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/host.h"
#include "xml/xml.h"

#include <stdio.h>

VERB(define)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one FILE");
	struct ovz_error *err = NULL;
	struct ovz_domain *d = NULL;
	int r = ovz_xml_parse_file(argv[1], &d, &err);
	if (r < 0)
		return cli_fail(c, NULL, r, err);
	struct ovz_host *h = NULL;
	r = ovz_host_open(c->root, c->backend, &h, &err);
	if (r == 0)
		r = ovz_host_define(h, d, &err);
	char what[16];
	snprintf(what, sizeof(what), "%u", d->ctid);
	ovz_host_free(h);
	if (r < 0) {
		int code = cli_fail(c, d->ctid ? what : NULL, r, err);
		ovz_domain_free(d);
		return code;
	}
	printf("%u\n", d->ctid);
	ovz_domain_free(d);
	return EXIT_OK;
}
