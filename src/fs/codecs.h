/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The decompressors the extraction's decoder thread drives itself (zlib,
 * zstd, libdeflate, liblzma), loaded on first use like libarchive (see
 * core/dl.h): only create and the template cache decompress.  Code in
 * src/fs calls them through the table: cx()->inflate(&z, Z_NO_FLUSH). */
#ifndef OVZ_FS_CODECS_H
#define OVZ_FS_CODECS_H

#include <libdeflate.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "core/error.h"

/* inflateInit2() is a macro over inflateInit2_(). */
#define OVZ_ZLIB_FUNCS(X) X(inflateInit2_) X(inflate) X(inflateReset) X(inflateEnd)
#define OVZ_ZSTD_FUNCS(X)                                                        \
	X(ZSTD_createDStream) X(ZSTD_initDStream) X(ZSTD_decompressStream)       \
	X(ZSTD_freeDStream) X(ZSTD_isError) X(ZSTD_getErrorName)                 \
	X(ZSTD_getFrameContentSize)
#define OVZ_DEFLATE_FUNCS(X)                                                     \
	X(libdeflate_alloc_decompressor) X(libdeflate_gzip_decompress_ex)        \
	X(libdeflate_free_decompressor)
#define OVZ_LZMA_FUNCS(X) X(lzma_stream_decoder_mt) X(lzma_code) X(lzma_end)

struct ovz_codecs {
#define OVZ_CODECS_FIELD(f) __typeof__(f) *f;
	OVZ_ZLIB_FUNCS(OVZ_CODECS_FIELD)
	OVZ_ZSTD_FUNCS(OVZ_CODECS_FIELD)
	OVZ_DEFLATE_FUNCS(OVZ_CODECS_FIELD)
	OVZ_LZMA_FUNCS(OVZ_CODECS_FIELD)
#undef OVZ_CODECS_FIELD
};

/* Loads all four once; NULL (and *err set) when one cannot be loaded. */
const struct ovz_codecs *ovz_codecs(struct ovz_error **err);

/* The table, where ovz_stream_open() has already loaded it. */
static inline const struct ovz_codecs *cx(void)
{
	return ovz_codecs(NULL);
}

#endif
