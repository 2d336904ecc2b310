/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container model in vzctl's CTID.conf: which key each model field
 * owns and how its value is written.  Writing touches only owned keys. */
#ifndef OVZ_CORE_CTCONF_H
#define OVZ_CORE_CTCONF_H

#include "config.h"
#include "model.h"
#include "vzconf.h"

/* Builds a model from a container config (ours or vzctl's).  A key whose
 * value vzctl would not take either is skipped with a warning to warn (may
 * be NULL); only a model that breaks its own rules (ovz_domain_check) fails. */
int ovz_domain_from_conf(const struct ovz_conf *c, unsigned ctid, const char *filename,
			 const struct ovz_warn *warn, struct ovz_domain **out,
			 struct ovz_error **err);
/* Sets every key the model owns from d, unsets owned keys d leaves empty,
 * keeps all other lines.  An owned line whose value already means what d
 * says is kept as written.  VE_ROOT/VE_PRIVATE are written from vz (with
 * $VEID literal) only when the file has none; vz may be NULL. */
void ovz_domain_to_conf(const struct ovz_domain *d, const struct ovz_vzconf *vz,
			struct ovz_conf *c);

#endif
