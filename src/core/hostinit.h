/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What vzctl's init script ("vz start", etc/init.d/vz-redhat) and its
 * one-time sysctl setup (vz-postinstall) do to a legacy OpenVZ kernel
 * before containers start, without modprobe, ip or sysctl: the OpenVZ
 * modules loaded (init_module from ROOT/lib/modules/RELEASE, dependencies
 * first) unless loaded or built in, /dev/vzctl (126:0), the OOM groups,
 * the beancounter/container/fairsched cgroups under /proc/vz, the host's
 * venet0 up with its addresses, the sysctls, VE0's CPU units.  Every path
 * is under the host's root prefix.  Running it twice changes nothing the
 * second time. */
#ifndef OVZ_CORE_HOSTINIT_H
#define OVZ_CORE_HOSTINIT_H

#include "error.h"
#include "host.h"

/* One line per thing done, found already done, or (prefixed "warning: ")
 * an optional part that failed, as the script goes on past those. */
typedef void (*ovz_hostinit_fn)(void *data, const char *msg);

/* -ENODEV when the kernel is not an OpenVZ one (no /proc/vz); a required
 * module (vzmon, vzdquota, vzdev) that cannot be loaded, /dev/vzctl that
 * is not 126:0, or a sysctl that cannot be written fail with the name. */
int ovz_host_init_kernel(struct ovz_host *h, ovz_hostinit_fn fn, void *data,
			 struct ovz_error **err);

#endif
