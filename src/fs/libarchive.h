/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libarchive, loaded on first use (see core/dl.h for why): only create and
 * the template cache read archives.  Code in src/fs calls it through the
 * table: la()->archive_read_new(). */
#ifndef OVZ_FS_LIBARCHIVE_H
#define OVZ_FS_LIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "core/error.h"

#define OVZ_LIBARCHIVE_FUNCS(X) \
	X(archive_entry_acl_count) X(archive_entry_acl_next) X(archive_entry_acl_reset) \
	X(archive_entry_atime) X(archive_entry_atime_is_set) X(archive_entry_atime_nsec) \
	X(archive_entry_filetype) X(archive_entry_gid) X(archive_entry_hardlink) \
	X(archive_entry_mtime) X(archive_entry_mtime_is_set) X(archive_entry_mtime_nsec) \
	X(archive_entry_pathname) X(archive_entry_perm) X(archive_entry_rdev) \
	X(archive_entry_size) X(archive_entry_symlink) X(archive_entry_uid) \
	X(archive_entry_xattr_count) X(archive_entry_xattr_next) X(archive_entry_xattr_reset) \
	X(archive_error_string) X(archive_filter_bytes) X(archive_read_data) \
	X(archive_read_data_block) X(archive_read_free) X(archive_read_new) \
	X(archive_read_next_header) X(archive_read_open) X(archive_read_open_fd) \
	X(archive_read_support_filter_bzip2) X(archive_read_support_filter_lz4) \
	X(archive_read_support_format_raw) X(archive_read_support_format_tar) \
	X(archive_set_error) X(archive_entry_pathname_utf8)

struct ovz_libarchive {
#define OVZ_LIBARCHIVE_FIELD(f) __typeof__(f) *f;
	OVZ_LIBARCHIVE_FUNCS(OVZ_LIBARCHIVE_FIELD)
#undef OVZ_LIBARCHIVE_FIELD
};

/* Loads libarchive once; NULL (and *err set) when it cannot be loaded. */
const struct ovz_libarchive *ovz_libarchive(struct ovz_error **err);

/* The table, where an entry point has already loaded it (ovz_extract(),
 * the stream's init_raw()). */
static inline const struct ovz_libarchive *la(void)
{
	return ovz_libarchive(NULL);
}

#endif
