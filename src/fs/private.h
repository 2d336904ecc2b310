/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The private area transaction, as vzctl does it but crash-safe: the tree
 * is built in VE_PRIVATE.tmp (mode 0700) and renamed to VE_PRIVATE.  A
 * marker file next to it, VE_PRIVATE.ovz-create, holds an OFD lock for the
 * whole operation (LXC's partial-create pattern):
 *   marker absent               -> complete (or absent)
 *   marker present, lock held   -> a create or destroy is running
 *   marker present, lock free   -> interrupted; the next create or destroy
 *                                  cleans up before doing its own work.
 * An overlay area's layout is VE_PRIVATE.ovz-overlay, also beside it. */
#ifndef OVZ_FS_PRIVATE_H
#define OVZ_FS_PRIVATE_H

#include <signal.h>
#include <stdint.h>

#include "core/error.h"
#include "fs/extract.h"

enum ovz_private_state {
	OVZ_PRIVATE_ABSENT,
	OVZ_PRIVATE_COMPLETE,
	OVZ_PRIVATE_INCOMPLETE,		/* an interrupted create or destroy */
	OVZ_PRIVATE_IN_PROGRESS,
};

const char *ovz_private_state_name(enum ovz_private_state s);
int ovz_private_state(const char *private_path, enum ovz_private_state *state,
		      struct ovz_error **err);

enum ovz_create_mode {
	OVZ_CREATE_EXTRACT,	/* unpack the archive into the private area */
	OVZ_CREATE_CLONE,	/* copy the unpacked template tree (reflink if possible) */
	OVZ_CREATE_OVERLAY,	/* upper/work dirs over the unpacked template */
};

/* What create actually did, for the command to say. */
enum ovz_create_path {
	OVZ_PATH_EXTRACT,
	OVZ_PATH_REFLINK,		/* FICLONE for every file */
	OVZ_PATH_COPY_FILE_RANGE,	/* in-kernel copy */
	OVZ_PATH_COPY,			/* read/write in the process */
	OVZ_PATH_OVERLAY,
};
const char *ovz_create_path_name(enum ovz_create_path p);

struct ovz_create_opts {
	enum ovz_create_mode mode;
	/* EXTRACT: the archive; CLONE and OVERLAY: the unpacked tree
	 * (ovz_template_unpack gives it). */
	const char *source;
	const char *template_name;	/* for messages */
	unsigned extract_flags;		/* OVZ_EXTRACT_* */
	ovz_progress_fn progress;
	void *userdata;
	volatile sig_atomic_t *cancel;	/* set it to stop; nothing remains */
	/* Skip the syncfs before the rename.  Without it a power loss can leave
	 * a renamed area with missing data and no marker; benchmarks only. */
	bool no_sync;
	/* Wait for a running create of the same path instead of -EBUSY. */
	bool wait;
};

struct ovz_create_result {
	enum ovz_create_path path;
	bool cleaned_incomplete;	/* an interrupted create was removed first */
	struct ovz_extract_stats extract;	/* EXTRACT */
	uint64_t files, bytes;		/* CLONE: regular files and their bytes */
};

/* Creates private_path.  The private area must be absent or an empty
 * directory.  -EBUSY while another create or destroy of it runs, -EEXIST if
 * it already has content.  On any failure nothing remains. */
int ovz_private_create(const char *private_path, const struct ovz_create_opts *o,
		       struct ovz_create_result *res, struct ovz_error **err);

/* Removes the private area, its .tmp and its marker; fine when absent and
 * when an earlier create was interrupted.  -EBUSY while a create runs. */
int ovz_private_destroy(const char *private_path, struct ovz_error **err);

/* The unpacked tree an overlay private area uses (*lower, NULL when the area
 * is not one), from PRIVATE.ovz-overlay beside the area: host-owned, never
 * inside the area, which the container can write.  An area made before
 * that has it in PRIVATE/.ovz-overlay: with unpacked_dir (the host's
 * TEMPLATE/unpacked) it is read without following symlinks or opening
 * anything but a small regular file, used only when it names a directory
 * of unpacked_dir and the area has upper/ and work/, and then copied beside
 * the area; otherwise -EPERM.  unpacked_dir NULL: never looked at. */
int ovz_overlay_lower(const char *private_path, const char *unpacked_dir, char **lower,
		      struct ovz_error **err);
/* Mounts the overlay of a private area made with OVZ_CREATE_OVERLAY at
 * target (lower = its unpacked template, upper and work in the area). */
int ovz_overlay_mount(const char *private_path, const char *lower, const char *target,
		      struct ovz_error **err);

/* Copies the tree at src_dirfd into the empty dst_dirfd: FICLONE where the
 * filesystem allows, else copy_file_range, else read/write; keeps owners,
 * modes, times, xattrs, hard links, holes.  Does not cross mount points. */
struct ovz_clone_stats {
	uint64_t files, bytes, reflinked, copy_ranged, copied;
};
int ovz_clone_tree(int src_dirfd, int dst_dirfd, volatile sig_atomic_t *cancel,
		   struct ovz_clone_stats *st, struct ovz_error **err);

#endif
