/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the decompressed byte stream the extractor's libarchive reader
 * pulls from.  Either one block in memory (plain tar mapped, or gzip inflated
 * by libdeflate) or a bounded queue of blocks filled by a decoder thread. */
#ifndef OVZ_FS_STREAM_H
#define OVZ_FS_STREAM_H

#include <stdint.h>
#include <sys/types.h>

#include "fs/extract.h"

struct ovz_stream;

/* Opens a stream over fd, which must stay open until ovz_stream_close. */
int ovz_stream_open(int fd, enum ovz_compression c, uint64_t size_hint, unsigned flags,
		    struct ovz_stream **out, struct ovz_error **err);
/* Next block; valid until the next call.  Returns its length, 0 at the end,
 * or a negative errno (the message is kept for ovz_stream_close). */
ssize_t ovz_stream_next(struct ovz_stream *s, const void **buf);
uint64_t ovz_stream_bytes_in(struct ovz_stream *s);
enum ovz_decoder ovz_stream_decoder(struct ovz_stream *s);
/* Stops the decoder, frees everything; returns the decoder's error if any
 * (for example a corrupt or truncated stream). */
int ovz_stream_close(struct ovz_stream *s, struct ovz_error **err);

#endif
