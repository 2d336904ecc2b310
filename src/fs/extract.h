/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process template extraction: libarchive parses the tar stream, and every
 * entry is written with *at() system calls relative to directory descriptors
 * opened one component at a time with O_NOFOLLOW, so nothing can be written
 * outside the destination whatever the archive holds.  Decompression runs on
 * a second thread so that it overlaps with writing (docs/templates.md). */
#ifndef OVZ_FS_EXTRACT_H
#define OVZ_FS_EXTRACT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

enum ovz_compression {
	OVZ_COMP_NONE,
	OVZ_COMP_GZIP,
	OVZ_COMP_BZIP2,
	OVZ_COMP_XZ,
	OVZ_COMP_ZSTD,
	OVZ_COMP_LZ4,
};

const char *ovz_compression_name(enum ovz_compression c);
/* Detects the compression from the first bytes of a file (at least 6). */
enum ovz_compression ovz_compression_sniff(const void *head, size_t len);

struct ovz_progress {
	uint64_t bytes_in;	/* archive bytes consumed */
	uint64_t total_in;	/* archive size, 0 if unknown */
	uint64_t bytes_out;	/* file data written */
	uint64_t total_out;	/* uncompressed size, 0 if unknown */
	uint64_t entries;
	uint64_t elapsed_ns;
};

/* Called at most every few hundred milliseconds, and once at the end. */
typedef void (*ovz_progress_fn)(const struct ovz_progress *p, void *userdata);

enum {
	/* Inflate gzip in one libdeflate pass into memory instead of streaming
	 * zlib on a decoder thread.  Faster decoding, but no overlap with
	 * writing and page faults on the output: measured slower (see
	 * docs/templates.md), kept for the benchmark. */
	OVZ_EXTRACT_LIBDEFLATE = 1 << 0,
	/* Skip the free-space check (the real ENOSPC is still handled). */
	OVZ_EXTRACT_NO_SPACE_CHECK = 1 << 1,
};

struct ovz_extract_opts {
	const char *name;		/* for messages: "template 'NAME'" */
	unsigned flags;
	ovz_progress_fn progress;
	void *userdata;
	/* When non-NULL and set (e.g. by a signal handler), extraction stops
	 * with -EINTR at the next entry. */
	volatile sig_atomic_t *cancel;
};

enum ovz_decoder {
	OVZ_DECODER_NONE,		/* plain tar, read on the thread */
	OVZ_DECODER_LIBDEFLATE,		/* whole gzip member in memory */
	OVZ_DECODER_ZLIB_THREAD,
	OVZ_DECODER_ZSTD_THREAD,
	OVZ_DECODER_LIBARCHIVE_THREAD,	/* bzip2, lz4 */
	OVZ_DECODER_XZ_THREAD,		/* liblzma, threaded for multi-block xz */
};

struct ovz_extract_stats {
	enum ovz_compression compression;
	enum ovz_decoder decoder;
	uint64_t bytes_in, bytes_out, entries;
	uint64_t size_hint;		/* uncompressed size if it was known */
	uint64_t xattrs_skipped;	/* the destination does not support them */
	bool root_entry;		/* the archive set the destination's own attributes */
};

const char *ovz_decoder_name(enum ovz_decoder d);

/* Extracts the tar archive read from archive_fd (any compression above,
 * detected from the content) into dest_dirfd, which should be empty.
 * Refuses the whole archive on the first hostile entry; the caller removes
 * what was written (ovz_private_create does).  st may be NULL. */
int ovz_extract(int archive_fd, int dest_dirfd, const struct ovz_extract_opts *o,
		struct ovz_extract_stats *st, struct ovz_error **err);

/* Uncompressed size of the archive when it can be known cheaply (plain tar,
 * gzip ISIZE for archives under 1 GiB, zstd frame content sizes); 0 if not. */
uint64_t ovz_archive_size_hint(int archive_fd, enum ovz_compression c);

#endif
