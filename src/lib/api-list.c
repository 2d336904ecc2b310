// SPDX-License-Identifier: LGPL-2.1-or-later
/* The container list: host.c's rows, walked one at a time, with the
 * formatted values (UUID, addresses) made once per entry. */
#include "api.h"
#include "core/config.h"
#include "core/util.h"

#include <stdlib.h>

struct ovz_ct_list {
	struct ovz_ct_info *v;
	size_t n;
	size_t pos;		/* n before the first entry */
	bool started;
	char uuid[37];
	char **ips;
};

static char *const no_strings[] = { NULL };

int ovz_ct_list_new(struct ovz_host *h, unsigned flags, struct ovz_ct_list **out,
		    struct ovz_error **err)
{
	/* ovz_host_list always counts processes, so OVZ_CT_LIST_NPROC holds */
	*out = NULL;
	struct ovz_ct_list *l = xcalloc(1, sizeof(*l));
	int r = ovz_host_list(h, &l->v, &l->n, err);
	if (r < 0) {
		free(l);
		return r;
	}
	*out = l;
	return 0;
}

void ovz_ct_list_free(struct ovz_ct_list *l)
{
	if (!l)
		return;
	ovz_ct_info_free(l->v, l->n);
	strv_free(l->ips);
	free(l);
}

static const struct ovz_ct_info *cur(const struct ovz_ct_list *l)
{
	return l->started && l->pos < l->n ? &l->v[l->pos] : NULL;
}

static const struct ovz_domain *cur_dom(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ci->dom : NULL;
}

static void format_entry(struct ovz_ct_list *l)
{
	strv_free(l->ips);
	l->ips = NULL;
	l->uuid[0] = '\0';
	const struct ovz_domain *d = cur_dom(l);
	if (!d)
		return;
	if (d->has_uuid)
		ovz_format_uuid(d->uuid, l->uuid);
	for (size_t i = 0; i < d->n_ifaces; i++)
		for (size_t j = 0; j < d->ifaces[i].n_ips; j++) {
			char a[64];
			ovz_format_ip(&d->ifaces[i].ips[j], false, a, sizeof(a));
			strv_push(&l->ips, xstrdup(a));
		}
}

bool ovz_ct_list_seek(struct ovz_ct_list *l, size_t i)
{
	if (i >= l->n)
		return false;
	l->pos = i;
	l->started = true;
	format_entry(l);
	return true;
}

bool ovz_ct_list_next(struct ovz_ct_list *l)
{
	size_t next = l->started ? l->pos + 1 : 0;
	if (ovz_ct_list_seek(l, next))
		return true;
	l->pos = l->n;
	l->started = true;
	format_entry(l);
	return false;
}

size_t ovz_ct_list_count(const struct ovz_ct_list *l)
{
	return l->n;
}

unsigned ovz_ct_list_ctid(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ci->ctid : 0;
}

const char *ovz_ct_list_name(const struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	return d ? d->name : NULL;
}

const char *ovz_ct_list_uuid(const struct ovz_ct_list *l)
{
	return l->uuid[0] ? l->uuid : NULL;
}

const char *ovz_ct_list_status(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ovz_status_name(ci->status) : NULL;
}

const char *const *ovz_ct_list_ips(const struct ovz_ct_list *l)
{
	return (const char *const *)(l->ips ? l->ips : no_strings);
}

const char *ovz_ct_list_hostname(const struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	return d ? d->hostname : NULL;
}

const char *ovz_ct_list_ostemplate(const struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	return d ? d->ostemplate : NULL;
}

bool ovz_ct_list_onboot(const struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	return d && d->autostart == OVZ_YES;
}

int ovz_ct_list_nproc(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ci->nproc : -1;
}

const char *ovz_ct_list_description(const struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	return d ? d->description : NULL;
}

const char *const *ovz_ct_list_nameservers(const struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	return (const char *const *)(d && d->nameservers ? d->nameservers : no_strings);
}

const char *const *ovz_ct_list_searchdomains(const struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	return (const char *const *)(d && d->searchdomains ? d->searchdomains : no_strings);
}

const char *ovz_ct_list_private(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ci->private_path : NULL;
}

const char *ovz_ct_list_root(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ci->root_path : NULL;
}

const char *ovz_ct_list_backend(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci && ci->backend[0] ? ci->backend : NULL;
}

const char *ovz_ct_list_config(const struct ovz_ct_list *l, const char *key)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci && ci->conf && key ? ovz_conf_get(ci->conf, key) : NULL;
}

const char *ovz_ct_list_error(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ci->conf_error : NULL;
}
