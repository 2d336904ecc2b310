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

/* ---- legacy OpenVZ kernels (openvz-abi.md §3.1 step 6) ----
 * There, bit 30 is CAP_VE_ADMIN (admin rights inside the VE: mount, network
 * configuration, hostname), not AUDIT_CONTROL, and the kernel copies the
 * creating process's effective set into the VE: it bounds every process of
 * the VE, init and whatever enters it later. */
#define OVZ_CAP_VE_ADMIN 30

/* vzctl 4.x's CAPDEFAULTMASK, 0xfdccefff: VE_ADMIN and DAC_READ_SEARCH
 * included; no NET_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_PACCT, SYS_ADMIN,
 * SYS_TIME. */
uint64_t ovz_caps_vz_default(void);
/* A CAPABILITY value as vzctl reads it: "NAME:on|off" tokens separated by
 * spaces, tabs or commas, names from vzctl's table (CHOWN .. SETFCAP, with
 * VE_ADMIN for bit 30; any case, no "CAP_").  The VE gets
 * (default | on) & ~off. */
int ovz_caps_vz_parse(const char *value, uint64_t *on, uint64_t *off, struct ovz_error **err);
/* Name of bit cap in vzctl's table, NULL past 31. */
const char *ovz_cap_vz_name(int cap);
/* What vzctl does in the VE's creator before VE_CREATE: every capability
 * outside mask leaves the bounding set, then effective, permitted and
 * inheritable become mask (capset). */
int ovz_caps_vz_set(uint64_t mask, struct ovz_error **err);

/* Drops every capability outside keep from the bounding, inheritable and
 * ambient sets of the calling process.  Effective and permitted are left
 * alone: the setup still needs them, and the exec of init as uid 0 derives
 * its permitted set from the bounding set. */
int ovz_caps_apply(uint64_t keep, struct ovz_error **err);

#endif
