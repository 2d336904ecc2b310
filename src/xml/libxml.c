// SPDX-License-Identifier: LGPL-2.1-or-later
#include "libxml.h"
#include "core/dl.h"

#include <stddef.h>

static struct ovz_libxml table;

static const struct ovz_dl_sym syms[] = {
#define OVZ_LIBXML_SYM(f) OVZ_DL_SYM(struct ovz_libxml, f)
	OVZ_LIBXML_FUNCS(OVZ_LIBXML_SYM)
#undef OVZ_LIBXML_SYM
#ifdef xmlFree
	OVZ_DL_SYM_AS(struct ovz_libxml, free_fn, __xmlFree)
#elif !defined(OVZ_STATIC_LINK)
	{ "xmlFree", offsetof(struct ovz_libxml, free_var) },
#endif
};

static struct ovz_dl_lib lib = OVZ_DL_LIB(OVZ_LIBXML2_SONAME, syms, &table);

static void init_libxml(void)
{
#if defined(OVZ_STATIC_LINK) && !defined(xmlFree)
	table.free_var = &xmlFree;	/* a variable, not a function: not in syms */
#endif
	table.xmlInitParser();
	table.xmlRelaxNGInitTypes();
}

const struct ovz_libxml *ovz_libxml(struct ovz_error **err)
{
	/* libxml2's initialisation is not safe to race, and the library is
	 * used from threads, so it happens exactly once, after the load. */
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (ovz_dl_load(&lib, err) < 0)
		return NULL;
	pthread_once(&once, init_libxml);
	return &table;
}

void ovz_libxml_free(const struct ovz_libxml *L, void *p)
{
#ifdef xmlFree
	(*L->free_fn())(p);
#else
	(*L->free_var)(p);
#endif
}
