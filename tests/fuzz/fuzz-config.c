// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target for the vzctl config store.  Besides "no crash, no
 * leak" it checks the promises the command relies on:
 *   - any file up to the size limit parses (vzctl reads any file: a line it
 *     cannot parse is skipped with a warning, never the whole file);
 *   - a parsed file formats back to the very same bytes;
 *   - ovz_domain_to_conf(ovz_domain_from_conf(C)) leaves C byte-identical,
 *     but for SWAPPAGES="0:0" appended where a memory limit lacks it (vzctl
 *     refuses such a config);
 *   - a model written to a fresh file reads back, without a warning, to a
 *     model that writes the same text again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/ctconf.h"
#include "core/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen || memcmp(a, b, alen) != 0)
		abort();
}

static char *written_fresh(const struct ovz_domain *d, size_t *len)
{
	struct ovz_conf *c = ovz_conf_new();
	ovz_domain_to_conf(d, NULL, c);
	char *text = ovz_conf_format(c, len);
	ovz_conf_free(c);
	return text;
}

/* The same bytes, but for the one line vzctl would miss: a memory limit
 * without a swap limit gets SWAPPAGES="0:0" at the end. */
static void check_rewrite_identity(struct ovz_conf *c, const struct ovz_domain *d,
				   const char *data, size_t size)
{
	bool no_swap_line = !ovz_conf_get(c, "SWAPPAGES");
	ovz_domain_to_conf(d, NULL, c);
	size_t len;
	char *text = ovz_conf_format(c, &len);
	if (d->memory != OVZ_UNSET && d->mem_swap_hard_limit == OVZ_UNSET && no_swap_line) {
		static const char swap[] = "SWAPPAGES=\"0:0\"\n";
		size_t nl = size && data[size - 1] != '\n';
		if (len != size + nl + strlen(swap) || memcmp(text, data, size) != 0 ||
		    (nl && text[size] != '\n') || memcmp(text + size + nl, swap, strlen(swap)) != 0)
			abort();
	} else {
		check_same(text, len, data, size);
	}
	free(text);
}

static void count_warning(void *data, const char *msg)
{
	(*(size_t *)data)++;
}

static void check_fresh_stable(const struct ovz_domain *d)
{
	size_t len1, len2, warnings = 0;
	char *first = written_fresh(d, &len1);
	struct ovz_conf *c = NULL;
	struct ovz_domain *d2 = NULL;
	struct ovz_error *e = NULL;
	struct ovz_warn w = { .fn = count_warning, .data = &warnings };
	if (ovz_conf_parse(first, len1, "fresh.conf", &c, &e) < 0 || ovz_conf_n_warnings(c) ||
	    ovz_domain_from_conf(c, d->ctid, "fresh.conf", &w, &d2, &e) < 0 || warnings)
		abort();	/* what we write we must read, as vzctl does: without a warning */
	char *second = written_fresh(d2, &len2);
	check_same(first, len1, second, len2);
	free(first);
	free(second);
	ovz_domain_free(d2);
	ovz_conf_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct ovz_conf *c = NULL;
	struct ovz_error *e = NULL;
	if (ovz_conf_parse(text, size, "fuzz.conf", &c, &e) < 0) {
		if (size <= 1024 * 1024)
			abort();
		ovz_error_free(e);
		return 0;
	}
	size_t len;
	char *formatted = ovz_conf_format(c, &len);
	check_same(formatted, len, text, size);
	free(formatted);

	struct ovz_domain *d = NULL;
	size_t warnings = 0;
	struct ovz_warn w = { .fn = count_warning, .data = &warnings };
	if (ovz_domain_from_conf(c, 101, "fuzz.conf", &w, &d, &e) == 0) {
		check_rewrite_identity(c, d, text, size);
		check_fresh_stable(d);
		ovz_domain_free(d);
	} else {
		ovz_error_message(e);
		ovz_error_free(e);
	}
	ovz_conf_free(c);
	return 0;
}
