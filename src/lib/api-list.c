// SPDX-License-Identifier: LGPL-2.1-or-later
/* The container list: host.c's streaming iterator, one entry in memory at
 * a time (read when the list reaches it), with the formatted values (UUID,
 * addresses) made once per entry. */
#include "api.h"
#include "core/config.h"
#include "core/util.h"
#include "core/vznum.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ovz_ct_list {
	struct ovz_host *h;
	struct ovz_host_iter *it;
	size_t n;
	bool started;		/* false before the first entry */
	bool has_entry;		/* ci is entry pos (false also after the last) */
	size_t pos;
	struct ovz_ct_info ci;
	char uuid[37];
	char **ips;
	int name_links;		/* /etc/vz/names/NAME is this container: 1, 0, -1 not looked */
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
	l->h = h;
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
	l->name_links = -1;
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

/* venet addresses as vzlist shows them: a stopped container's IP_ADDRESS
 * as written (prefixes kept), a running one's as the kernel has them. */
static void format_ips(struct ovz_ct_list *l, const struct ovz_domain *d)
{
	if (l->ci.status != OVZ_STATUS_RUNNING) {
		const char *v = l->ci.conf ? ovz_conf_get(l->ci.conf, "IP_ADDRESS") : NULL;
		for (const char *p = v; p && *p;) {
			p += strspn(p, " \t");
			size_t n = strcspn(p, " \t");
			if (n)
				strv_push(&l->ips, xstrndup(p, n));
			p += n;
		}
		return;
	}
	for (size_t i = 0; i < d->n_ifaces; i++)
		for (size_t j = 0; d->ifaces[i].type == OVZ_IFACE_VENET && j < d->ifaces[i].n_ips;
		     j++) {
			char a[64];
			ovz_format_ip(&d->ifaces[i].ips[j], false, a, sizeof(a));
			strv_push(&l->ips, xstrdup(a));
		}
}

static void format_entry(struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	if (!d)
		return;
	if (d->has_uuid)
		ovz_format_uuid(d->uuid, l->uuid);
	format_ips(l, d);
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

/* The names link is read when the name is first asked for: most listings
 * never show it.  Caching it changes nothing the caller can see. */
const char *ovz_ct_list_name(const struct ovz_ct_list *l)
{
	const struct ovz_domain *d = cur_dom(l);
	if (!d || !d->name)
		return NULL;
	struct ovz_ct_list *cache = (struct ovz_ct_list *)l;
	if (cache->name_links < 0) {
		unsigned owner;
		cache->name_links = ovz_name_resolve(l->h->vz, d->name, &owner, NULL) == 0 &&
				    owner == l->ci.ctid;
	}
	return cache->name_links ? d->name : NULL;
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

bool ovz_ct_list_exists(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci && ci->exists;
}

/* vzctl's unit of each number key: bytes, pages, 1K blocks or a count. */
static const struct {
	const char *key;
	uint64_t unit_bytes;	/* 0: the page size */
	bool unlimited;
} number_keys[] = {
	{ "KMEMSIZE", 1, true }, { "TCPSNDBUF", 1, true }, { "TCPRCVBUF", 1, true },
	{ "OTHERSOCKBUF", 1, true }, { "DGRAMRCVBUF", 1, true }, { "DCACHESIZE", 1, true },
	{ "LOCKEDPAGES", 0, true }, { "PRIVVMPAGES", 0, true }, { "SHMPAGES", 0, true },
	{ "PHYSPAGES", 0, true }, { "VMGUARPAGES", 0, true }, { "OOMGUARPAGES", 0, true },
	{ "SWAPPAGES", 0, true },
	{ "DISKSPACE", 1024, false }, { "DISKINODES", 1, false },
};

static const struct ovz_vznum *number_rule(const char *key, struct ovz_vznum *how)
{
	*how = (struct ovz_vznum){ .unit_bytes = 0, .allow_unlimited = true };	/* counts */
	for (size_t i = 0; i < ARRAY_SIZE(number_keys); i++)
		if (strcmp(key, number_keys[i].key) == 0) {
			long ps = sysconf(_SC_PAGESIZE);
			how->unit_bytes = number_keys[i].unit_bytes ? number_keys[i].unit_bytes
					  : (uint64_t)(ps > 0 ? ps : 4096);
			how->allow_unlimited = number_keys[i].unlimited;
		}
	return how;
}

int ovz_ct_list_limits(const struct ovz_ct_list *l, const char *key, unsigned long long *barrier,
		       unsigned long long *limit)
{
	const char *v = ovz_ct_list_config(l, key);
	if (!v)
		return -ENOENT;
	struct ovz_vznum how;
	uint64_t b, lim;
	bool cut;
	if (ovz_vznum_pair(number_rule(key, &how), v, &b, &lim, &cut))
		return -EINVAL;
	*barrier = b;
	*limit = lim;
	return 0;
}

const char *ovz_ct_list_error(const struct ovz_ct_list *l)
{
	const struct ovz_ct_info *ci = cur(l);
	return ci ? ci->conf_error : NULL;
}
