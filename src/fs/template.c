// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fs/template.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"

static const char *const suffixes[] = {
	".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tar.lz4",
};

static bool valid_name(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/') && !strchr(name, '@');
}

static int sniff_file(const char *path, enum ovz_compression *comp, struct ovz_error **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	unsigned char head[8];
	ssize_t n = read(fd, head, sizeof(head));
	int e = errno;
	close(fd);
	if (n < 0)
		return ovz_error_sys(err, e, "read '%s'", path);
	*comp = ovz_compression_sniff(head, (size_t)n);
	return 0;
}

int ovz_template_find(const char *template_dir, const char *name, char **path,
		      enum ovz_compression *comp, struct ovz_error **err)
{
	if (!valid_name(name))
		return ovz_error_set(err, EINVAL, "bad template name '%s'", name);
	_cleanup_free_ char *cache = path_join(template_dir, "cache");
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s%s", cache, name, suffixes[i]);
		struct stat st;
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		enum ovz_compression c;
		int r = sniff_file(p, &c, err);
		if (r < 0)
			return r;
		if (comp)
			*comp = c;
		if (path) {
			*path = p;
			p = NULL;
		}
		return 0;
	}
	struct strbuf tried = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
		strbuf_printf(&tried, "%s%s%s", i ? ", " : "", name, suffixes[i]);
	int r = ovz_error_set(err, ENOENT, "template '%s' not found in '%s' (tried %s)", name, cache, tried.buf);
	strbuf_release(&tried);
	return r;
}

static char *stamp_of(const struct stat *st)
{
	return xasprintf("%llx-%llx-%llx-%llx.%09ld", (unsigned long long)st->st_dev,
			 (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
			 (unsigned long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

int ovz_template_unpacked_path(const char *template_dir, const char *name, const char *archive,
			       char **out, struct ovz_error **err)
{
	struct stat st;
	if (stat(archive, &st) < 0)
		return ovz_error_sys(err, errno, "stat '%s'", archive);
	_cleanup_free_ char *stamp = stamp_of(&st);
	_cleanup_free_ char *dir = path_join(template_dir, "unpacked");
	*out = xasprintf("%s/%s@%s", dir, name, stamp);
	return 0;
}

static int wait_while_busy(const char *dir, volatile sig_atomic_t *cancel, enum ovz_private_state *state,
			   struct ovz_error **err)
{
	for (;;) {
		int r = ovz_private_state(dir, state, err);
		if (r < 0 || *state != OVZ_PRIVATE_IN_PROGRESS)
			return r;
		if (cancel && *cancel)
			return ovz_error_set(err, EINTR, "interrupted");
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int ovz_template_unpack(const char *template_dir, const char *name, const struct ovz_unpack_opts *o,
			char **dir, bool *fresh, struct ovz_error **err)
{
	static const struct ovz_unpack_opts none;
	if (!o)
		o = &none;
	if (fresh)
		*fresh = false;
	_cleanup_free_ char *archive = NULL, *target = NULL;
	int r = ovz_template_find(template_dir, name, &archive, NULL, err);
	if (r == 0)
		r = ovz_template_unpacked_path(template_dir, name, archive, &target, err);
	for (int attempt = 0; r == 0; attempt++) {
		enum ovz_private_state state;
		r = wait_while_busy(target, o->cancel, &state, err);
		if (r < 0 || state == OVZ_PRIVATE_COMPLETE)
			break;
		struct ovz_create_opts co = {
			.mode = OVZ_CREATE_EXTRACT, .source = archive, .template_name = name,
			.progress = o->progress, .userdata = o->userdata, .cancel = o->cancel,
		};
		r = ovz_private_create(target, &co, NULL, err);
		if (r == 0 && fresh)
			*fresh = true;
		/* lost a race with another unpack: wait for it and use its tree */
		if ((r == -EBUSY || r == -EEXIST) && attempt < 3) {
			ovz_error_free(err ? *err : NULL);
			if (err)
				*err = NULL;
			r = 0;
			continue;
		}
		break;
	}
	if (r < 0)
		return ovz_error_wrap(err, r, "unpacking template '%s'", name);
	*dir = target;
	target = NULL;
	return 0;
}

int ovz_template_create(const char *template_dir, const char *name, const char *private_path,
			const struct ovz_create_opts *o, struct ovz_create_result *res,
			struct ovz_error **err)
{
	struct ovz_create_opts co = *o;
	co.template_name = name;
	_cleanup_free_ char *source = NULL;
	int r;
	if (o->mode == OVZ_CREATE_EXTRACT)
		r = ovz_template_find(template_dir, name, &source, NULL, err);
	else {
		struct ovz_unpack_opts uo = { o->progress, o->userdata, o->cancel };
		r = ovz_template_unpack(template_dir, name, &uo, &source, NULL, err);
	}
	if (r < 0)
		return r;
	co.source = source;
	return ovz_private_create(private_path, &co, res, err);
}

/* ---- listing ---- */

static void push_info(struct ovz_template_info **v, size_t *n, struct ovz_template_info info)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = info;
}

static const char *archive_suffix(const char *fname)
{
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t fl = strlen(fname), sl = strlen(suffixes[i]);
		if (fl > sl && !strcmp(fname + fl - sl, suffixes[i]))
			return fname + fl - sl;
	}
	return NULL;
}

static void list_cache(const char *cache, struct ovz_template_info **v, size_t *n)
{
	DIR *d = opendir(cache);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *suf = archive_suffix(de->d_name);
		if (!suf || de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = xasprintf("%s/%s", cache, de->d_name);
		struct stat st;
		enum ovz_compression c;
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode) || sniff_file(p, &c, NULL) < 0)
			continue;
		push_info(v, n, (struct ovz_template_info){
			.name = xstrndup(de->d_name, (size_t)(suf - de->d_name)),
			.path = p, .kind = OVZ_TEMPLATE_CACHE, .compression = c,
			.size = (uint64_t)st.st_size, .mtime = st.st_mtim,
		});
		p = NULL;
	}
	closedir(d);
}

static bool is_current(const char *template_dir, const char *name, const char *path)
{
	_cleanup_free_ char *archive = NULL, *want = NULL;
	if (ovz_template_find(template_dir, name, &archive, NULL, NULL) < 0 ||
	    ovz_template_unpacked_path(template_dir, name, archive, &want, NULL) < 0)
		return false;
	return !strcmp(want, path);
}

static void list_unpacked(const char *template_dir, struct ovz_template_info **v, size_t *n)
{
	_cleanup_free_ char *dir = path_join(template_dir, "unpacked");
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *at = strchr(de->d_name, '@');
		/* NAME@STAMP only: skip NAME@STAMP.tmp and the markers */
		if (!at || de->d_name[0] == '.' || strchr(at, '.') != strrchr(at, '.'))
			continue;
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		enum ovz_private_state state;
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode) || ovz_private_state(p, &state, NULL) < 0)
			continue;
		char *name = xstrndup(de->d_name, (size_t)(at - de->d_name));
		bool current = is_current(template_dir, name, p);
		push_info(v, n, (struct ovz_template_info){
			.name = name, .path = p,
			.kind = current ? OVZ_TEMPLATE_UNPACKED : OVZ_TEMPLATE_UNPACKED_STALE,
			.state = state, .mtime = st.st_mtim,
		});
		p = NULL;
	}
	closedir(d);
}

static int info_cmp(const void *a, const void *b)
{
	const struct ovz_template_info *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->path, y->path);
}

int ovz_template_list(const char *template_dir, struct ovz_template_info **list, size_t *n,
		      struct ovz_error **err)
{
	*list = NULL;
	*n = 0;
	_cleanup_free_ char *cache = path_join(template_dir, "cache");
	struct stat st;
	if (stat(cache, &st) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "stat '%s'", cache);
	list_cache(cache, list, n);
	list_unpacked(template_dir, list, n);
	if (*n)
		qsort(*list, *n, sizeof(**list), info_cmp);
	return 0;
}

void ovz_template_list_free(struct ovz_template_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].path);
	}
	free(list);
}
