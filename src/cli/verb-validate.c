// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"
#include "core/model.h"
#include "xml/xml.h"

#include <stdio.h>

VERB(validate)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one FILE");
	struct ovz_domain *d = NULL;
	struct ovz_error *err = NULL;
	int r = ovz_xml_parse_file(argv[1], &d, &err);
	if (r < 0)
		return cli_fail(c, NULL, r, err);
	ovz_domain_free(d);
	if (!c->quiet)
		printf("%s validates\n", argv[1]);
	return EXIT_OK;
}
