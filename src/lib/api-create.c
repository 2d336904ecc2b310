// SPDX-License-Identifier: LGPL-2.1-or-later
/* create: the options object and the choice of CTID. */
#include "api.h"
#include "core/lifecycle.h"
#include "core/util.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ovz_create_options {
	char *ostemplate, *config, *private_dir, *root_dir, *hostname;
	char **ips;
	enum ovz_create_mode mode;
	ovz_progress_cb progress;
	void *userdata;
	volatile sig_atomic_t *cancel;
	struct ovz_domain *xml;
	const char *result;
};

struct ovz_create_options *ovz_create_options_new(void)
{
	return xcalloc(1, sizeof(struct ovz_create_options));
}

void ovz_create_options_free(struct ovz_create_options *o)
{
	if (!o)
		return;
	free(o->ostemplate);
	free(o->config);
	free(o->private_dir);
	free(o->root_dir);
	free(o->hostname);
	strv_free(o->ips);
	ovz_domain_free(o->xml);
	free(o);
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

void ovz_create_options_set_ostemplate(struct ovz_create_options *o, const char *name)
{
	replace(&o->ostemplate, name);
}

void ovz_create_options_set_config(struct ovz_create_options *o, const char *sample)
{
	replace(&o->config, sample);
}

void ovz_create_options_set_private(struct ovz_create_options *o, const char *dir)
{
	replace(&o->private_dir, dir);
}

void ovz_create_options_set_root_dir(struct ovz_create_options *o, const char *dir)
{
	replace(&o->root_dir, dir);
}

void ovz_create_options_set_hostname(struct ovz_create_options *o, const char *hostname)
{
	replace(&o->hostname, hostname);
}

void ovz_create_options_add_ip(struct ovz_create_options *o, const char *ip)
{
	if (ip)
		strv_push(&o->ips, xstrdup(ip));
}

void ovz_create_options_set_method(struct ovz_create_options *o, enum ovz_create_method m)
{
	o->mode = m == OVZ_CREATE_METHOD_CLONE	 ? OVZ_CREATE_CLONE
		  : m == OVZ_CREATE_METHOD_OVERLAY ? OVZ_CREATE_OVERLAY
						   : OVZ_CREATE_EXTRACT;
}

void ovz_create_options_set_progress(struct ovz_create_options *o, ovz_progress_cb cb,
				     void *userdata)
{
	o->progress = cb;
	o->userdata = userdata;
}

void ovz_create_options_set_cancel(struct ovz_create_options *o, volatile sig_atomic_t *flag)
{
	o->cancel = flag;
}

static void set_xml(struct ovz_create_options *o, struct ovz_domain *d)
{
	ovz_domain_free(o->xml);
	o->xml = d;
}

int ovz_create_options_set_xml(struct ovz_create_options *o, const char *xml,
			       struct ovz_error **err)
{
	struct ovz_domain *d = NULL;
	int r = api_parse_xml(xml, &d, err);
	if (r < 0)
		return r;
	set_xml(o, d);
	return 0;
}

int ovz_create_options_set_xml_file(struct ovz_create_options *o, const char *path,
				    struct ovz_error **err)
{
	struct ovz_domain *d = NULL;
	int r = ovz_xml_parse_file(path, &d, err);
	if (r < 0)
		return r;
	set_xml(o, d);
	return 0;
}

const char *ovz_create_options_result(const struct ovz_create_options *o)
{
	return o->result;
}

/* The CTID to create: the id as a number, the XML's when id is its name
 * or absent, else a defined container's. */
static int create_target(struct ovz_host *h, const char *id, const struct ovz_domain *xml,
			 unsigned *ctid, struct ovz_error **err)
{
	int r = 0;
	if (!id) {
		if (!xml || !xml->ctid)
			return ovz_error_set(err, EINVAL, xml ? "the XML gives no CTID; name one"
							      : "no CTID or name given");
		*ctid = xml->ctid;
	} else if (!ovz_check_ctid(id, ctid)) {
		r = 0;
	} else if (xml && xml->name && xml->ctid && strcmp(xml->name, id) == 0) {
		*ctid = xml->ctid;
	} else {
		r = ovz_host_lookup(h, id, ctid, err);
	}
	if (r == 0 && xml && xml->ctid && xml->ctid != *ctid)
		r = ovz_error_set(err, EINVAL, "the XML defines CT %u, not %u", xml->ctid, *ctid);
	return r;
}

static void fill_args(const struct ovz_create_options *o, struct ovz_create_args *a)
{
	a->ostemplate = o->ostemplate;
	a->config = o->config;
	a->private_dir = o->private_dir;
	a->root_dir = o->root_dir;
	a->hostname = o->hostname;
	a->ipadd = o->ips;
	a->xml = o->xml;
	a->opts.mode = o->mode;
	a->opts.progress = o->progress;
	a->opts.userdata = o->userdata;
	a->opts.cancel = o->cancel;
	a->fail_at = api_fail_step();
}

int ovz_container_create(struct ovz_host *h, const char *id, struct ovz_create_options *o,
			 unsigned *ctid, struct ovz_error **err)
{
	struct ovz_create_options defaults = { 0 };
	if (!o)
		o = &defaults;
	o->result = NULL;
	unsigned target = 0;
	int r = create_target(h, id, o->xml, &target, err);
	if (r < 0)
		return r;
	struct ovz_create_args a = { 0 };
	fill_args(o, &a);
	r = ovz_ct_create(h, target, &a, err);
	if (r < 0)
		return r;
	o->result = ovz_create_path_name(a.result.path);
	if (ctid)
		*ctid = target;
	return 0;
}
