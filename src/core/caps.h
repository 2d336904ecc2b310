/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities a container keeps, as a bit mask (bit N = capability N),
 * the CAPABILITY config key ("NAME:on|off ..."), and applying the mask to
 * the calling process before it execs the container's init. */
#ifndef OVZ_CORE_CAPS_H
#define OVZ_CORE_CAPS_H

#include <stdint.h>

#include "error.h"

#define OVZ_CAP_BIT(c) (UINT64_C(1) << (c))

/* The set a container gets on a mainline kernel: vzctl 4.x's default
 * (CAPDEFAULTMASK in src/lib/cap.c) without VE_ADMIN and DAC_READ_SEARCH;
 * see caps.c for why. */
uint64_t ovz_caps_default(void);

/* Capability number for a name: vzctl's names ("NET_ADMIN", "VE_ADMIN"),
 * any case, with or without "CAP_"; -1 when unknown.  VE_ADMIN gives
 * NET_ADMIN (see caps.c). */
int ovz_cap_from_name(const char *name);
/* Upper-case name without "CAP_", or NULL past the last known one. */
const char *ovz_cap_name(int cap);

/* Applies a CAPABILITY value to *mask: "CHOWN:on NET_ADMIN:off", tokens
 * separated by spaces, tabs or commas.  On error *mask is unchanged. */
int ovz_caps_parse(const char *value, uint64_t *mask, struct ovz_error **err);
/* Space separated names in bit order ("CHOWN DAC_OVERRIDE ..."). */
char *ovz_caps_format(uint64_t mask);

/* Drops every capability outside keep from the bounding, inheritable and
 * ambient sets of the calling process.  Effective and permitted are left
 * alone: the setup still needs them, and the exec of init as uid 0 derives
 * its permitted set from the bounding set. */
int ovz_caps_apply(uint64_t keep, struct ovz_error **err);

#endif
