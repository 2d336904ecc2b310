// SPDX-License-Identifier: LGPL-2.1-or-later
/* The container list: host.c's streaming iterator, one entry in memory at
 * a time (read when the list reaches it), with the formatted values (UUID,
 * addresses) made once per entry. */
#include "api.h"
#include "core/config.h"
#include "core/util.h"

#include <stdlib.h>

struct ovz_ct_list {
	struct ovz_host_iter *it;
	size_t n;
	bool started;		/* false before the first entry */
	bool has_entry;		/* ci is entry pos (false also after the last) */
	size_t pos;
	struct ovz_ct_info ci;
	char uuid[37];
	char **ips;
};

static char *const no_strings[] = { NULL };

int ovz_ct_list_new(struct ovz_host *h, unsigned flags, struct ovz_ct_list **out,
		    struct ovz_error **err)
{
	*out = NULL;
	struct ovz_host_iter *it = NULL;
	int r = ovz_host_iter_new(h, (flags & OVZ_CT_LIST_NPROC) ? OVZ_LIST_NPROC : 0, &it, err);
	if (r < 0)
		return r;
	struct ovz_ct_list *l = xcalloc(1, sizeof(*l));
	l->it = it;
	l->n = ovz_host_iter_count(it);
	*out = l;
	return 0;
}

static void drop_entry(struct ovz_ct_list *l)
{
	if (l->has_entry)
		ovz_ct_info_release(&l->ci);
	l->has_entry = false;
	strv_free(l->ips);
	l->ips = NULL;
	l->uuid[0] = '\0';
}

void ovz_ct_list_free(struct ovz_ct_list *l)
{
	if (!l)
		return;
	drop_entry(l);
	ovz_host_iter_free(l->it);
	free(l);
}

static const struct ovz_ct_info *cur(const struct ovz_ct_list *l)
{
	return l->has_entry ? &l->ci : NULL;
}

static const struct ovz_domain *cur_dom(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ci->dom : NULL;
}

static void format_entry(struct ovz_ct_list *l)
{
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
	drop_entry(l);
	ovz_host_iter_fill(l->it, i, &l->ci);
	l->has_entry = l->started = true;
	l->pos = i;
	format_entry(l);
	return true;
}

bool ovz_ct_list_next(struct ovz_ct_list *l)
{
	size_t next = !l->started ? 0 : l->has_entry ? l->pos + 1 : l->n;
	if (ovz_ct_list_seek(l, next))
		return true;
	drop_entry(l);
	l->started = true;
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
