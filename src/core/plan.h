/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plan: the container definition compiled into an ordered list of typed
 * kernel operations.  Each operation says where it runs (on the host, or
 * inside the container once it exists), carries its arguments, prints as
 * one stable line, and has an undo.  The executor runs a plan and, on the
 * first failure, undoes the finished steps in reverse.  Stopping and
 * destroying are the undo of starting and creating, run from the plan that
 * the same definition compiles to, so teardown mirrors setup. */
#ifndef OVZ_CORE_PLAN_H
#define OVZ_CORE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "model.h"
#include "util.h"

enum ovz_ctx {
	OVZ_CTX_HOST,
	OVZ_CTX_CT,	/* inside the container, after OVZ_OP_CT_CREATE */
};

enum ovz_op_type {
	OVZ_OP_PRIVATE_CREATE,	/* template -> VE_PRIVATE (.tmp, rename) */
	OVZ_OP_CONFIG_WRITE,	/* CTID.conf and the name link */
	OVZ_OP_ROOT_MOUNT,	/* VE_PRIVATE on VE_ROOT (bind, or simfs on vz) */
	OVZ_OP_CGROUP_CREATE,	/* the container's cgroup with its limits */
	OVZ_OP_UBC_SET,		/* vz: setublimit for one beancounter */
	OVZ_OP_FORK,		/* vz: the VE's init-to-be forks once it is charged to its UB */
	OVZ_OP_CT_CREATE,	/* clone with namespaces / VZCTL_ENV_CREATE_DATA */
	OVZ_OP_LINK_UP,		/* a link inside (lo) */
	OVZ_OP_NET,		/* one step of src/net's venet or veth semantics */
	OVZ_OP_VENET_IP,	/* vz: VENETCTL_VE_IP_MAP for one address */
	OVZ_OP_VETH_IOCTL,	/* vz: VETHCTL_VE_HWADDR for one pair */
	OVZ_OP_NETDEV,		/* vz: VZCTL_VE_NETDEV, one host device moved in */
	OVZ_OP_DEVPERM,		/* vz: VZCTL_SETDEVPERMS (and the node) for one device */
	OVZ_OP_VE_CGROUP,	/* vz7: the ve cgroup with veid, features, pseudosuper=1 */
	OVZ_OP_VE_START,	/* vz7: START to ve.state, by the container's first process */
	OVZ_OP_VENET_LINK,	/* vz7: the kernel's venet0, made inside */
	OVZ_OP_VE_IP,		/* vz7: ve.ip_allow for one address */
	OVZ_OP_VE_PSEUDOSUPER,	/* vz7: ve.pseudosuper 0 before init runs */
	OVZ_OP_ETC_WRITE,	/* /etc/hostname, /etc/hosts, /etc/resolv.conf */
	OVZ_OP_HOSTNAME,	/* sethostname inside */
	OVZ_OP_ROOTFS,		/* pivot_root, /proc, /sys, /dev, /dev/pts */
	OVZ_OP_CAPS,		/* capability bounding set (vz: and capset, before the VE) */
	OVZ_OP_EXEC_INIT,
	OVZ_OP_STATE_WRITE,	/* run state for later commands */
	OVZ_OP__COUNT,
};

struct ovz_op {
	enum ovz_op_type type;
	enum ovz_ctx ctx;
	const char *mech;	/* "mount", "netlink", "ioctl", "cgroup", "clone", "fs", ... */
	const char *call;	/* "MS_BIND", "RTM_NEWLINK veth", ... */
	const char *undo_call;	/* printed for teardown plans */
	char *args;		/* "key=value ..." as printed */
	/* typed arguments; which are set depends on type */
	const char *dev;	/* link name */
	const char *peer;	/* veth peer / bridge */
	const char *path;	/* host path (private, root, config, sysctl) */
	const char *path2;
	const char *value;	/* sysctl value, hostname, MAC */
	const char *value2;	/* peer MAC */
	bool in_ct;		/* netlink op in the container's netns */
	struct ovz_ip ip;
	struct ovz_ip gw;	/* route gateway (family 0: device route) */
	int prefix;		/* route destination prefix (0 default) */
	const struct ovz_iface *iface;
	unsigned iface_n;	/* position among the veth interfaces */
	const struct ovz_net_step *net_step;
	unsigned long long num;	/* ubc index, flags, capability mask, features */
	unsigned long long num2;	/* vz: iptables mask; vz7 ve cgroup: known features */
	unsigned long long num3;	/* vz: known features; vz7 ve cgroup: iptables mask */
	const void *data;	/* vz: the struct ovz_devperm of OVZ_OP_DEVPERM */
};

enum ovz_verb { OVZ_VERB_CREATE, OVZ_VERB_START, OVZ_VERB_MOUNT };

struct ovz_plan {
	const char *backend;
	enum ovz_verb verb;
	unsigned ctid;
	struct ovz_op *ops;
	size_t n_ops;
	char **strings;		/* storage for the ops' strings */
	struct ovz_vz_params *vz;	/* vz start: what the VE is created with */
};

struct ovz_backend;
struct ovz_host;
struct ovz_vz_params;
struct ovz_net_step;

/* Compiles d for verb on backend b.  Refuses (-ENOTSUP, naming the element)
 * a definition the backend cannot carry out. */
int ovz_plan_compile(const struct ovz_backend *b, struct ovz_host *h,
		     const struct ovz_domain *d, enum ovz_verb verb, struct ovz_plan **out,
		     struct ovz_error **err);
void ovz_plan_free(struct ovz_plan *p);
void ovz_plan_freep(struct ovz_plan **p);

/* One line per operation, "BACKEND MECH CALL ARGS":
 *   ns  netlink RTM_NEWLINK veth host=veth101.0 peer=eth0 netns=ct mac=...
 * an operation inside the container has its mechanism prefixed "ct." and
 * teardown prints the undo of each operation, last first. */
char *ovz_plan_format(const struct ovz_plan *p, bool teardown);
char *ovz_plan_format_json(const struct ovz_plan *p, bool teardown);

/* Building blocks for the compiler and the backends. */
struct ovz_op *ovz_plan_add(struct ovz_plan *p, enum ovz_op_type type, enum ovz_ctx ctx,
			    const char *mech, const char *call, const char *undo_call);
const char *ovz_plan_str(struct ovz_plan *p, const char *s);
void ovz_op_argf(struct ovz_plan *p, struct ovz_op *op, const char *fmt, ...) OVZ_PRINTF(3, 4);

const char *ovz_verb_name(enum ovz_verb v);

#endif
