// SPDX-License-Identifier: LGPL-2.1-or-later
/* The template cache of the host's TEMPLATE directory. */
#include "api.h"
#include "core/util.h"
#include "core/vzconf.h"
#include "fs/template.h"

#include <errno.h>
#include <stdlib.h>

struct ovz_tmpl_list {
	struct ovz_template_info *v;
	size_t n;
	size_t pos;
	bool started;
};

static char *template_dir(struct ovz_host *h)
{
	return ovz_vzconf_path(h->vz, h->vz->template_dir, 0);
}

int ovz_tmpl_list_new(struct ovz_host *h, struct ovz_tmpl_list **out, struct ovz_error **err)
{
	*out = NULL;
	_cleanup_free_ char *dir = template_dir(h);
	struct ovz_tmpl_list *l = xcalloc(1, sizeof(*l));
	int r = ovz_template_list(dir, &l->v, &l->n, err);
	if (r < 0) {
		free(l);
		return r;
	}
	*out = l;
	return 0;
}

bool ovz_tmpl_list_next(struct ovz_tmpl_list *l)
{
	l->pos = l->started ? l->pos + 1 : 0;
	l->started = true;
	if (l->pos < l->n)
		return true;
	l->pos = l->n;
	return false;
}

void ovz_tmpl_list_free(struct ovz_tmpl_list *l)
{
	if (!l)
		return;
	ovz_template_list_free(l->v, l->n);
	free(l);
}

static const struct ovz_template_info *cur(const struct ovz_tmpl_list *l)
{
	return l->started && l->pos < l->n ? &l->v[l->pos] : NULL;
}

const char *ovz_tmpl_list_name(const struct ovz_tmpl_list *l)
{
	const struct ovz_template_info *t = cur(l);
	return t ? t->name : NULL;
}

const char *ovz_tmpl_list_path(const struct ovz_tmpl_list *l)
{
	const struct ovz_template_info *t = cur(l);
	return t ? t->path : NULL;
}

enum ovz_tmpl_kind ovz_tmpl_list_kind(const struct ovz_tmpl_list *l)
{
	const struct ovz_template_info *t = cur(l);
	if (!t || t->kind == OVZ_TEMPLATE_CACHE)
		return OVZ_TMPL_ARCHIVE;
	return t->kind == OVZ_TEMPLATE_UNPACKED ? OVZ_TMPL_UNPACKED : OVZ_TMPL_UNPACKED_STALE;
}

const char *ovz_tmpl_list_compression(const struct ovz_tmpl_list *l)
{
	const struct ovz_template_info *t = cur(l);
	return t && t->kind == OVZ_TEMPLATE_CACHE ? ovz_compression_name(t->compression) : NULL;
}

uint64_t ovz_tmpl_list_size(const struct ovz_tmpl_list *l)
{
	const struct ovz_template_info *t = cur(l);
	return t ? t->size : 0;
}

struct timespec ovz_tmpl_list_mtime(const struct ovz_tmpl_list *l)
{
	const struct ovz_template_info *t = cur(l);
	return t ? t->mtime : (struct timespec){ 0 };
}

bool ovz_tmpl_list_incomplete(const struct ovz_tmpl_list *l)
{
	const struct ovz_template_info *t = cur(l);
	return t && t->kind != OVZ_TEMPLATE_CACHE && t->state != OVZ_PRIVATE_COMPLETE;
}

int ovz_tmpl_check_name(const char *name, struct ovz_error **err)
{
	const char *why = name ? ovz_check_template_name(name) : "is missing";
	if (why)
		return ovz_error_set(err, EINVAL, "template name %s (%s)", why, name ? name : "");
	return 0;
}

int ovz_tmpl_unpack(struct ovz_host *h, const char *name, ovz_progress_cb cb, void *userdata,
		    volatile sig_atomic_t *cancel, char **dir, bool *fresh,
		    struct ovz_error **err)
{
	int r = ovz_tmpl_check_name(name, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *tdir = template_dir(h);
	struct ovz_unpack_opts o = { .progress = cb, .userdata = userdata, .cancel = cancel };
	char *path = NULL;
	bool made = false;
	r = ovz_template_unpack(tdir, name, &o, &path, &made, err);
	if (r < 0)
		return r;
	if (dir)
		*dir = path;
	else
		free(path);
	if (fresh)
		*fresh = made;
	return 0;
}
