// SPDX-License-Identifier: LGPL-2.1-or-later
/* Choosing a backend: by name, or by what the running kernel offers. */
#include "backend.h"
#include "util.h"
#include "net/vzabi.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct ovz_backend *ovz_backend_by_name(const char *name)
{
	if (!name)
		return NULL;
	if (strcmp(name, "ns") == 0)
		return &ovz_backend_ns;
	if (strcmp(name, "vz") == 0)
		return &ovz_backend_vz;
	if (strcmp(name, "vz7") == 0)
		return &ovz_backend_vz7;
	return NULL;
}

/* A legacy OpenVZ kernel: /proc/vz, and a /dev/vzctl that answers VE_TEST
 * (VE0 always exists; ESRCH still means the ioctl was understood). */
static bool legacy_vz_kernel(void)
{
	_cleanup_close_ int info = open("/proc/vz/veinfo", O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return false;
	_cleanup_close_ int vzfd = open("/dev/vzctl", O_RDWR | O_CLOEXEC);
	return vzfd >= 0 && ovz_vz_ve_test(vzfd, 0, NULL) >= 0;
}

/* OpenVZ 7: the kernel has the ve cgroup controller, mounted where
 * libvzctl and the vz7 backend look for it. */
static bool ve_cgroup(void)
{
	FILE *f = fopen("/proc/cgroups", "re");
	char line[256];
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strncmp(line, "ve\t", 3) == 0;
	if (f)
		fclose(f);
	return found && access(OVZ_VE_CGROUP_DIR, F_OK) == 0;
}

const struct ovz_backend *ovz_backend_probe(void)
{
	if (legacy_vz_kernel())
		return &ovz_backend_vz;
	if (ve_cgroup())
		return &ovz_backend_vz7;
	return &ovz_backend_ns;
}
