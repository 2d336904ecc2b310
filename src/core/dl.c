// SPDX-License-Identifier: LGPL-2.1-or-later
#include "dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef OVZ_STATIC_LINK
static int load(struct ovz_dl_lib *l)
{
	for (size_t i = 0; i < l->n_syms; i++)
		memcpy((char *)l->table + l->syms[i].offset, &l->syms[i].fn, sizeof(ovz_dl_fn));
	return 0;
}
#else
static int load(struct ovz_dl_lib *l)
{
	/* Never unloaded: the table points into it for the process's life. */
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!h) {
		snprintf(l->message, sizeof(l->message), "cannot load '%s': %s", l->soname,
			 dlerror());
		return ELIBACC;
	}
	for (size_t i = 0; i < l->n_syms; i++) {
		void *p = dlsym(h, l->syms[i].name);
		if (!p) {
			snprintf(l->message, sizeof(l->message), "'%s' has no symbol '%s'",
				 l->soname, l->syms[i].name);
			return ELIBACC;
		}
		/* POSIX guarantees a function pointer survives the trip
		 * through void *; memcpy keeps ISO C quiet about it. */
		memcpy((char *)l->table + l->syms[i].offset, &p, sizeof(p));
	}
	return 0;
}
#endif

int ovz_dl_load(struct ovz_dl_lib *l, struct ovz_error **err)
{
	/* Per archive entry on the extraction path: no lock once loaded. */
	if (__atomic_load_n(&l->loaded, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&l->lock);
	if (!l->tried) {
		l->error = load(l);
		l->tried = true;
		__atomic_store_n(&l->loaded, l->error == 0, __ATOMIC_RELEASE);
	}
	int r = l->error;
	pthread_mutex_unlock(&l->lock);
	if (r)
		return ovz_error_set(err, r, "%s", l->message);
	return 0;
}
