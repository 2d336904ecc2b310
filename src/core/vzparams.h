/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a VE is created with on an OpenVZ kernel, read from its config the
 * way vzctl 4.x reads it (openvz-abi.md §1.4-1.6, §2): every beancounter
 * vzctl passes to setublimit, in vzctl's order, with vzctl's vswap
 * derivations for the ones a vswap config leaves out; the capability mask
 * (CAPDEFAULTMASK with CAPABILITY on top); FEATURES; the netfilter mask
 * (NETFILTER, or the obsolete IPTABLES); DEVICES and DEVNODES; CPUUNITS
 * (1000 when unset).  The keys the model owns (PHYSPAGES, SWAPPAGES,
 * PRIVVMPAGES, VMGUARPAGES, CPUUNITS) come from the domain, so a
 * definition given as XML gets the same derivations. */
#ifndef OVZ_CORE_VZPARAMS_H
#define OVZ_CORE_VZPARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "model.h"

struct ovz_ub_limit {
	unsigned res;			/* OVZ_UB_* */
	unsigned long barrier, limit;	/* at most LONG_MAX ("unlimited") */
};

enum { OVZ_VE_USE_MAJOR = 010, OVZ_VE_USE_MINOR = 030 };
enum { OVZ_DEVPERM_READ = 04, OVZ_DEVPERM_WRITE = 02, OVZ_DEVPERM_QUOTA = 010 };

/* One VZCTL_SETDEVPERMS: DEVICES gives type, major and minor; DEVNODES a
 * node name under /dev whose type and numbers are read at start. */
struct ovz_devperm {
	char type;		/* 'c' or 'b'; 0 for a DEVNODES entry */
	unsigned major, minor;
	bool all_minors;	/* "c:10:all:rw" */
	unsigned mask;		/* OVZ_DEVPERM_*; 0 is "none" */
	char *node;		/* DEVNODES: "net/tun" */
};

struct ovz_vz_params {
	struct ovz_ub_limit ub[32];
	size_t n_ub;
	uint64_t caps;		/* bit N = capability N; bit 30 is CAP_VE_ADMIN */
	uint64_t features, features_known;
	uint64_t iptables_mask;
	struct ovz_devperm *devs;
	size_t n_devs;
	unsigned long cpuunits;
};

/* c may be NULL (a definition without a config).  A value vzctl would not
 * take is skipped with a warning naming the key (DEVICES and DEVNODES
 * together), and that key's default stays. */
void ovz_vz_params_get(const struct ovz_conf *c, const struct ovz_domain *d,
		       const struct ovz_warn *warn, struct ovz_vz_params *p);
void ovz_vz_params_release(struct ovz_vz_params *p);

/* "sysfs nfs:off" style names of a mask ("sysfs"), for plans. */
char *ovz_vz_features_format(uint64_t mask, uint64_t known);
/* "c:10:200:rw" / "net/tun:rw", for plans. */
char *ovz_devperm_format(const struct ovz_devperm *dp);

#endif
