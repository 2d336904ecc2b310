/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cgroups of a container on a mainline kernel (the `ns` backend).
 *
 * The host's layout is detected once into a struct ovz_cgroups that the
 * caller passes to every function: cgroup v2 alone, v1 alone, or hybrid
 * (v1 controllers plus a v2 tree, usually at /sys/fs/cgroup/unified).  Each
 * controller is used where the kernel put it: the v2 tree when it is
 * enabled there, else its v1 hierarchy.  A container's cgroup has the same
 * relative name ("ovz-native/101") in the v2 tree and in every v1 hierarchy
 * holding a controller we use; the v2 tree (else the first v1 hierarchy)
 * is the one read for the list of processes.
 *
 * Everything is idempotent: creating an existing cgroup, killing or
 * removing a missing one all succeed. */
#ifndef OVZ_CORE_CGROUP_H
#define OVZ_CORE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum ovz_cg_controller {
	OVZ_CG_MEMORY,
	OVZ_CG_CPU,
	OVZ_CG_CPUSET,
	OVZ_CG_PIDS,
	OVZ_CG_FREEZER,
	OVZ_CG_DEVICES,		/* v1 only; on v2 device rules are a BPF program */
	OVZ_CG_NR,
};

enum ovz_cg_mode {
	OVZ_CG_LEGACY,		/* v1 hierarchies only */
	OVZ_CG_HYBRID,		/* v1 controllers plus a v2 tree */
	OVZ_CG_UNIFIED,		/* v2 only */
};

struct ovz_cgroups {
	enum ovz_cg_mode mode;
	char *unified;			/* v2 mount point, NULL when none */
	bool on_v2[OVZ_CG_NR];		/* listed in the v2 root's cgroup.controllers */
	char *v1[OVZ_CG_NR];		/* v1 mount point of the controller, or NULL */
};

/* Reads /proc/self/mountinfo and the v2 root's cgroup.controllers. */
int ovz_cgroups_detect(struct ovz_cgroups *cg, struct ovz_error **err);
/* The same from given texts (v2_controllers may be NULL): for tests and
 * for callers that already hold the mount table. */
int ovz_cgroups_parse(struct ovz_cgroups *cg, const char *mountinfo, const char *v2_controllers,
		      struct ovz_error **err);
void ovz_cgroups_release(struct ovz_cgroups *cg);
const char *ovz_cg_mode_name(enum ovz_cg_mode mode);
const char *ovz_cg_controller_name(enum ovz_cg_controller c);
/* Mount point serving the controller (v2 preferred), or NULL. */
const char *ovz_cgroups_mount_of(const struct ovz_cgroups *cg, enum ovz_cg_controller c);

/* Where containers' cgroups live, below each hierarchy's root. */
#define OVZ_CGROUP_ROOT "ovz-native"

/* "<root>/<ctid>"; root is relative (OVZ_CGROUP_ROOT). */
char *ovz_cgroup_name(const char *root, unsigned ctid);
/* The numbered children of parent (OVZ_CGROUP_ROOT: the containers that
 * have a cgroup) in any hierarchy that tracks processes: sorted, repeats
 * possible; NULL when none.  One directory read per hierarchy. */
unsigned *ovz_cgroup_numbered_children(const struct ovz_cgroups *cg, const char *parent,
				       size_t *n);

/* Limits.  OVZ_UNSET (from model.h) leaves a value alone; OVZ_CG_UNLIMITED,
 * or any value of 2^63 and above, removes the limit. */
#define OVZ_CG_UNLIMITED (UINT64_MAX - 1)
#define OVZ_CG_CPU_PERIOD_DEFAULT 100000	/* us */

struct ovz_cg_limits {
	uint64_t memory;	/* bytes: PHYSPAGES limit x page size */
	uint64_t swap;		/* bytes of swap on top of memory: SWAPPAGES limit */
	uint64_t cpu_units;	/* vzctl CPUUNITS, 8..500000, default 1000 */
	uint64_t cpu_limit;	/* CPULIMIT: percent of one CPU; 0 = no limit */
	uint64_t cpu_period;	/* us for cpu_limit; OVZ_UNSET = 100000 */
	uint64_t cpus;		/* CPUS: use the first N CPUs the parent allows */
	uint64_t nproc;		/* NUMPROC limit: pids.max */
	/* Only the devices a container needs may be opened (see
	 * ovz_cg_device_rules); false leaves device access alone.  Without
	 * this, container root with CAP_MKNOD can open any host device. */
	bool restrict_devices;
	/* With restrict_devices: /dev/console (c 5:1) may be opened too.
	 * Only for a container with a console bound there: otherwise c 5:1
	 * is the host's console, which container root could mknod and open. */
	bool console;
};

/* Sets every numeric field to OVZ_UNSET, the flags to false. */
void ovz_cg_limits_init(struct ovz_cg_limits *l);

/* CPUUNITS to cgroup weights.  Linear, so that the defaults meet: vzctl's
 * 1000 is v2's cpu.weight 100 and v1's cpu.shares 1024 (vz7 also uses
 * units x 1024 / 1000).  Clamped to each file's range: weight 1..10000
 * (so units above 100000 all read as 10000), shares 2..262144. */
uint64_t ovz_cg_units_to_weight(uint64_t units);
uint64_t ovz_cg_units_to_shares(uint64_t units);

/* One file write that a limit turns into. */
struct ovz_cg_write {
	enum ovz_cg_controller controller;
	const char *file;	/* static string: "memory.max" */
	char *value;
};

/* The writes, in order, that apply l on this host (device rules on v2
 * are not file writes: ovz_cgroup_apply attaches them as a program).  cpus_allowed is the
 * parent cgroup's cpu list ("0-3,8"), needed only when l->cpus is set.
 * A limit whose controller is missing is an error naming the file. */
int ovz_cg_plan_limits(const struct ovz_cgroups *cg, const struct ovz_cg_limits *l,
		       const char *cpus_allowed, struct ovz_cg_write **out, size_t *n,
		       struct ovz_error **err);
void ovz_cg_writes_free(struct ovz_cg_write *w, size_t n);

/* What a restricted container may use, in v1 devices.allow syntax, one
 * rule per entry, NULL terminated: any node may be created ("c *:* m"),
 * and opened are null, zero, full, random, urandom, tty, ptmx, pty slaves
 * (136:*), tun, and with console also the console (5:1). */
const char *const *ovz_cg_device_rules(bool console);
/* Whether this host can restrict devices: a v1 devices hierarchy, or a v2
 * tree (a BPF_PROG_TYPE_CGROUP_DEVICE program). */
bool ovz_cgroups_can_restrict_devices(const struct ovz_cgroups *cg);

/* The first n CPUs of a cpu list, as a list: ("0-3,8", 5) -> "0-3,8".
 * Returns how many were taken (fewer when the list is shorter). */
int ovz_cpulist_first(const char *list, unsigned n, char **out, struct ovz_error **err);

/* Lifecycle of one cgroup; name is relative ("ovz-native/101"), without
 * "." or ".." components. */
int ovz_cgroup_create(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err);
int ovz_cgroup_apply(const struct ovz_cgroups *cg, const char *name, const struct ovz_cg_limits *l,
		     struct ovz_error **err);
/* pid as the caller's pid namespace numbers it. */
int ovz_cgroup_add_pid(const struct ovz_cgroups *cg, const char *name, pid_t pid,
		       struct ovz_error **err);
/* 1 when the cgroup exists, 0 when not. */
int ovz_cgroup_exists(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err);
/* Processes in the cgroup and its descendants (none when it is missing). */
int ovz_cgroup_pids(const struct ovz_cgroups *cg, const char *name, pid_t **pids, size_t *n,
		    struct ovz_error **err);
/* SIGKILL to every process in it (cgroup.kill on v2, else freeze, kill
 * each, thaw), then waits until it is empty. */
int ovz_cgroup_kill(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err);
/* Removes it and its descendants from every hierarchy; a busy cgroup is
 * killed first. */
int ovz_cgroup_remove(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err);

#endif
