// SPDX-License-Identifier: LGPL-2.1-or-later
/* Definitions and the lifecycle verbs of one container, by CTID. */
#include "api.h"
#include "core/lifecycle.h"
#include "xml/xml.h"

#include <errno.h>
#include <string.h>

#define STOP_TIMEOUT_DEFAULT 120	/* vzctl's STOP_TIMEOUT */

/* The container whose config carries this UUID; -ENOENT when none does. */
static int lookup_uuid(struct ovz_host *h, const uint8_t uuid[16], unsigned *ctid,
		       struct ovz_error **err)
{
	struct ovz_ct_info *v = NULL;
	size_t n = 0;
	int r = ovz_host_list(h, &v, &n, err);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < n && r == -ENOENT; i++) {
		const struct ovz_domain *d = v[i].dom;
		if (d && d->has_uuid && memcmp(d->uuid, uuid, 16) == 0) {
			*ctid = v[i].ctid;
			r = 0;
		}
	}
	ovz_ct_info_free(v, n);
	return r;
}

int ovz_container_lookup(struct ovz_host *h, const char *id, unsigned flags, unsigned *ctid,
			 struct ovz_error **err)
{
	if (!id)
		return ovz_error_set(err, EINVAL, "no CTID, name or UUID given");
	unsigned n;
	if ((flags & OVZ_LOOKUP_ANY_CTID) && !ovz_check_ctid(id, &n)) {
		*ctid = n;
		return 0;
	}
	uint8_t uuid[16];
	/* a name may look like a UUID: a name that exists wins */
	if (ovz_check_ctid(id, &n) && !ovz_parse_uuid(id, uuid)) {
		struct ovz_error *by_name = NULL;
		if (ovz_host_lookup(h, id, ctid, &by_name) == 0)
			return 0;
		ovz_error_free(by_name);
		int r = lookup_uuid(h, uuid, ctid, err);
		if (r == -ENOENT)
			return ovz_error_set(err, ENOENT, "no container with UUID '%s'", id);
		return r;
	}
	return ovz_host_lookup(h, id, ctid, err);
}

/* *ctid gets the CTID as soon as it is known, so that a caller can name
 * the container in its message when a later step fails. */
static int define(struct ovz_host *h, struct ovz_domain *d, unsigned *ctid,
		  struct ovz_error **err)
{
	int r = ovz_host_define(h, d, err);
	if (ctid)
		*ctid = d->ctid;
	ovz_domain_free(d);
	return r < 0 ? r : 0;
}

int ovz_container_define_xml(struct ovz_host *h, const char *xml, unsigned *ctid,
			     struct ovz_error **err)
{
	struct ovz_domain *d = NULL;
	if (ctid)
		*ctid = 0;
	int r = api_parse_xml(xml, &d, err);
	return r < 0 ? r : define(h, d, ctid, err);
}

int ovz_container_define_file(struct ovz_host *h, const char *path, unsigned *ctid,
			      struct ovz_error **err)
{
	struct ovz_domain *d = NULL;
	if (ctid)
		*ctid = 0;
	int r = ovz_xml_parse_file(path, &d, err);
	return r < 0 ? r : define(h, d, ctid, err);
}

int ovz_container_dumpxml(struct ovz_host *h, unsigned ctid, char **xml, struct ovz_error **err)
{
	return ovz_host_dumpxml(h, ctid, xml, err);
}

int ovz_container_undefine(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	return ovz_host_undefine(h, ctid, err);
}

int ovz_container_destroy(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	return ovz_ct_destroy(h, ctid, err);
}

int ovz_container_start(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	return ovz_ct_start(h, ctid, api_fail_step(), err);
}

int ovz_container_stop(struct ovz_host *h, unsigned ctid, unsigned flags, unsigned timeout,
		       struct ovz_error **err)
{
	unsigned wait = (flags & OVZ_STOP_NO_WAIT) ? 0 : timeout ? timeout : STOP_TIMEOUT_DEFAULT;
	return ovz_ct_stop(h, ctid, flags & OVZ_STOP_FAST, wait, err);
}

int ovz_container_restart(struct ovz_host *h, unsigned ctid, unsigned flags, unsigned timeout,
			  struct ovz_error **err)
{
	int r = ovz_container_stop(h, ctid, flags, timeout, err);
	return r < 0 ? r : ovz_container_start(h, ctid, err);
}

int ovz_container_mount(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	return ovz_ct_mount(h, ctid, err);
}

int ovz_container_umount(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	return ovz_ct_umount(h, ctid, err);
}

int ovz_container_status(struct ovz_host *h, unsigned ctid, unsigned *state, pid_t *init_pid,
			 struct ovz_error **err)
{
	struct ovz_ct_status st;
	int r = ovz_ct_status(h, ctid, &st, err);
	if (r < 0)
		return r;
	*state = (st.exists ? OVZ_CT_EXISTS : 0) | (st.mounted ? OVZ_CT_MOUNTED : 0) |
		 (st.running ? OVZ_CT_RUNNING : 0) | (st.incomplete ? OVZ_CT_INCOMPLETE : 0);
	if (init_pid)
		*init_pid = st.running ? st.init_pid : 0;
	return 0;
}

int ovz_host_autostart(struct ovz_host *h, unsigned parallel, ovz_boot_cb done,
		       void *userdata, struct ovz_error **err)
{
	if (parallel == 0)
		return ovz_error_set(err, EINVAL, "parallel must be at least 1");
	return ovz_host_boot(h, parallel, done, userdata, err);
}
