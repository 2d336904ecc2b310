// SPDX-License-Identifier: LGPL-2.1-or-later
#include "codecs.h"
#include "core/dl.h"

#include <stddef.h>

static struct ovz_codecs table;

#define OVZ_CODECS_SYM(f) OVZ_DL_SYM(struct ovz_codecs, f)
static const struct ovz_dl_sym zlib_syms[] = { OVZ_ZLIB_FUNCS(OVZ_CODECS_SYM) };
static const struct ovz_dl_sym zstd_syms[] = { OVZ_ZSTD_FUNCS(OVZ_CODECS_SYM) };
static const struct ovz_dl_sym deflate_syms[] = { OVZ_DEFLATE_FUNCS(OVZ_CODECS_SYM) };
static const struct ovz_dl_sym lzma_syms[] = { OVZ_LZMA_FUNCS(OVZ_CODECS_SYM) };
#undef OVZ_CODECS_SYM

static struct ovz_dl_lib libs[] = {
	OVZ_DL_LIB(OVZ_ZLIB_SONAME, zlib_syms, &table),
	OVZ_DL_LIB(OVZ_ZSTD_SONAME, zstd_syms, &table),
	OVZ_DL_LIB(OVZ_LIBDEFLATE_SONAME, deflate_syms, &table),
	OVZ_DL_LIB(OVZ_LZMA_SONAME, lzma_syms, &table),
};

const struct ovz_codecs *ovz_codecs(struct ovz_error **err)
{
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (ovz_dl_load(&libs[i], err) < 0)
			return NULL;
	return &table;
}
