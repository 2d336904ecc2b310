/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The template cache ($TEMPLATE/cache/NAME.tar[.gz|...]) and the unpacked
 * trees kept next to it ($TEMPLATE/unpacked/NAME@STAMP), where STAMP is the
 * archive's device, inode, size and mtime: a changed archive gets a new tree. */
#ifndef OVZ_FS_TEMPLATE_H
#define OVZ_FS_TEMPLATE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"
#include "fs/extract.h"
#include "fs/private.h"

/* Finds template_dir/cache/NAME with one of the known suffixes (tried in
 * the order .tar .tar.gz .tgz .tar.bz2 .tar.xz .tar.zst .tar.lz4); the
 * compression comes from the content.  -ENOENT names the directory and the
 * names tried.  path and comp may be NULL. */
int ovz_template_find(const char *template_dir, const char *name, char **path,
		      enum ovz_compression *comp, struct ovz_error **err);

/* Where the unpacked tree of the archive's current version lives. */
int ovz_template_unpacked_path(const char *template_dir, const char *name, const char *archive,
			       char **out, struct ovz_error **err);

struct ovz_unpack_opts {
	ovz_progress_fn progress;
	void *userdata;
	volatile sig_atomic_t *cancel;
};

/* Makes sure the unpacked tree of the current archive exists (extracting it
 * if not, waiting if another process is); *dir is its path, *fresh tells
 * whether this call extracted it. */
int ovz_template_unpack(const char *template_dir, const char *name, const struct ovz_unpack_opts *o,
			char **dir, bool *fresh, struct ovz_error **err);

/* Fills a private area from the named template: extract, clone from the
 * unpacked tree (unpacking first if needed), or overlay on it.  o->source
 * is filled in here; leave it NULL. */
int ovz_template_create(const char *template_dir, const char *name, const char *private_path,
			const struct ovz_create_opts *o, struct ovz_create_result *res,
			struct ovz_error **err);

enum ovz_template_kind {
	OVZ_TEMPLATE_CACHE,		/* an archive */
	OVZ_TEMPLATE_UNPACKED,		/* unpacked tree of the current archive */
	OVZ_TEMPLATE_UNPACKED_STALE,	/* of an older or removed archive; kept
					 * because overlay areas may use it */
};

struct ovz_template_info {
	char *name;
	char *path;
	enum ovz_template_kind kind;
	enum ovz_compression compression;	/* CACHE */
	enum ovz_private_state state;		/* UNPACKED*: complete, incomplete... */
	uint64_t size;				/* CACHE: bytes of the archive */
	struct timespec mtime;
};

/* Archives and unpacked trees, sorted by name then kind. */
int ovz_template_list(const char *template_dir, struct ovz_template_info **list, size_t *n,
		      struct ovz_error **err);
void ovz_template_list_free(struct ovz_template_info *list, size_t n);

#endif
