// SPDX-License-Identifier: LGPL-2.1-or-later
#include "api.h"
#include "core/backend.h"
#include "core/hostinit.h"
#include "core/lifecycle.h"
#include "core/vzconf.h"
#include "fs/extract.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *ovz_version(void)
{
	return OVZ_VERSION;
}

long api_fail_step(void)
{
	const char *s = getenv("OVZ_TEST_FAIL_STEP");
	return s ? strtol(s, NULL, 10) : 0;
}

int api_parse_xml(const char *xml, struct ovz_domain **out, struct ovz_error **err)
{
	if (!xml)
		return ovz_error_set(err, EINVAL, "no XML given");
	return ovz_xml_parse(xml, strlen(xml), NULL, out, err);
}

static bool known_backend(const char *name)
{
	static const char *const names[] = { "auto", "vz", "vz7", "ns" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

int ovz_host_new(const char *root, const char *backend, struct ovz_host **out,
		 struct ovz_error **err)
{
	*out = NULL;
	if (!backend)
		backend = "auto";
	if (!known_backend(backend))
		return ovz_error_set(err, EINVAL, "unknown backend '%s' (auto, vz, vz7 or ns)",
				     backend);
	return ovz_host_open(root && *root ? root : "/", backend, out, err);
}

void ovz_host_close(struct ovz_host *h)
{
	ovz_host_free(h);
}

void ovz_host_set_warning_handler(struct ovz_host *h, ovz_warning_fn fn, void *data)
{
	ovz_host_set_warn(h, fn, data);
}

const char *ovz_host_root(const struct ovz_host *h)
{
	return h->vz->root;
}

const char *ovz_host_backend_choice(const struct ovz_host *h)
{
	return h->backend;
}

int ovz_host_probe(struct ovz_host *h, const char **backend, struct ovz_error **err)
{
	const struct ovz_backend *b;
	int r = ovz_host_backend(h, &b, err);
	if (r < 0)
		return r;
	*backend = b->name;
	return 0;
}

int ovz_validate_xml(const char *xml, struct ovz_error **err)
{
	struct ovz_domain *d = NULL;
	int r = api_parse_xml(xml, &d, err);
	ovz_domain_free(d);
	return r < 0 ? r : 0;
}

int ovz_validate_file(const char *path, struct ovz_error **err)
{
	struct ovz_domain *d = NULL;
	int r = ovz_xml_parse_file(path, &d, err);
	ovz_domain_free(d);
	return r < 0 ? r : 0;
}

uint64_t ovz_progress_bytes_in(const struct ovz_progress *p)
{
	return p->bytes_in;
}

uint64_t ovz_progress_total_in(const struct ovz_progress *p)
{
	return p->total_in;
}

uint64_t ovz_progress_bytes_out(const struct ovz_progress *p)
{
	return p->bytes_out;
}

uint64_t ovz_progress_total_out(const struct ovz_progress *p)
{
	return p->total_out;
}

uint64_t ovz_progress_entries(const struct ovz_progress *p)
{
	return p->entries;
}

uint64_t ovz_progress_elapsed_ns(const struct ovz_progress *p)
{
	return p->elapsed_ns;
}

int ovz_host_init(struct ovz_host *h, ovz_host_init_fn fn, void *data, struct ovz_error **err)
{
	return ovz_host_init_kernel(h, fn, data, err);
}
