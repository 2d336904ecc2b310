// SPDX-License-Identifier: LGPL-2.1-or-later
#include "libarchive.h"
#include "core/dl.h"

#include <stddef.h>

static struct ovz_libarchive table;

static const struct ovz_dl_sym syms[] = {
#define OVZ_LIBARCHIVE_SYM(f) OVZ_DL_SYM(struct ovz_libarchive, f)
	OVZ_LIBARCHIVE_FUNCS(OVZ_LIBARCHIVE_SYM)
#undef OVZ_LIBARCHIVE_SYM
};

static struct ovz_dl_lib lib = OVZ_DL_LIB(OVZ_LIBARCHIVE_SONAME, syms, &table);

const struct ovz_libarchive *ovz_libarchive(struct ovz_error **err)
{
	return ovz_dl_load(&lib, err) < 0 ? NULL : &table;
}
