// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target for the domain XML reader.  Any input must be either
 * refused with a one-line message or accepted; an accepted one must format
 * to XML that is accepted again and formats to the same bytes. */
#include "xml/xml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(struct ovz_error *err)
{
	const char *msg = ovz_error_message(err);
	if (!*msg || strchr(msg, '\n')) {
		fprintf(stderr, "bad error message: '%s'\n", msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovz_domain *d = NULL, *back = NULL;
	struct ovz_error *err = NULL;
	if (ovz_xml_parse((const char *)data, size, "fuzz.xml", &d, &err) < 0) {
		check_message(err);
		ovz_error_free(err);
		return 0;
	}
	char *text = ovz_xml_format(d);
	if (ovz_xml_parse(text, strlen(text), "formatted.xml", &back, &err) < 0) {
		fprintf(stderr, "formatted output refused: %s\n%s", ovz_error_message(err), text);
		abort();
	}
	char *again = ovz_xml_format(back);
	if (strcmp(text, again) != 0) {
		fprintf(stderr, "not a fixed point:\n%s---\n%s", text, again);
		abort();
	}
	free(again);
	free(text);
	ovz_domain_free(back);
	ovz_domain_free(d);
	return 0;
}
