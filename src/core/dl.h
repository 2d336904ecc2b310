/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared libraries loaded on first use.  libxml2 (with ICU and libstdc++)
 * and libarchive cost several milliseconds to map and relocate at every
 * exec, yet only define, validate and create need them: start, stop,
 * list and status must not pay for them.  A module lists the functions it
 * needs in a struct of typed pointers; ovz_dl_load() fills it once per
 * process (the table is a cache of what the dynamic linker would have
 * bound, not state a caller can see or change). */
#ifndef OVZ_CORE_DL_H
#define OVZ_CORE_DL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef void (*ovz_dl_fn)(void);

struct ovz_dl_sym {
	const char *name;
	size_t offset;		/* of the pointer in the module's table */
#ifdef OVZ_STATIC_LINK
	ovz_dl_fn fn;		/* the static build links the function in */
#endif
};

/* An entry of a module's symbol array: function f, whose pointer goes to
 * field of the table type. */
#ifdef OVZ_STATIC_LINK
#define OVZ_DL_SYM_AS(type, field, f) { #f, offsetof(type, field), (ovz_dl_fn)(f) },
#else
#define OVZ_DL_SYM_AS(type, field, f) { #f, offsetof(type, field) },
#endif
#define OVZ_DL_SYM(type, f) OVZ_DL_SYM_AS(type, f, f)

struct ovz_dl_lib {
	pthread_mutex_t lock;
	const char *soname;
	const struct ovz_dl_sym *syms;
	size_t n_syms;
	void *table;		/* the module's struct of pointers */
	bool tried;
	bool loaded;		/* read without the lock */
	int error;		/* positive errno of the load, 0 when loaded */
	char message[256];
};

#define OVZ_DL_LIB(so, sym_array, tbl) \
	{ PTHREAD_MUTEX_INITIALIZER, (so), (sym_array), \
	  sizeof(sym_array) / sizeof((sym_array)[0]), (tbl), false, false, 0, "" }

/* Loads lib->soname and every symbol of lib->syms into lib->table, once;
 * later calls report the first call's outcome.  -ELIBACC when the library
 * or a symbol is missing.  In the static build (meson -Dstatic=true, for
 * hosts whose libc is older than the build's) nothing is loaded: the table
 * gets the linked-in functions. */
int ovz_dl_load(struct ovz_dl_lib *lib, struct ovz_error **err);

#endif
