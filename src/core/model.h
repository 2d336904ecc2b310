/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container model: one plain struct per container, shared by the XML
 * forms (src/xml), the vzctl config store (src/core/config) and the plan
 * compiler.  Parsing and formatting never touch the kernel.  The value
 * checks here are the single source of truth for what a valid CTID, name,
 * template name, address, MAC or interface name is. */
#ifndef OVZ_CORE_MODEL_H
#define OVZ_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OVZ_CTID_MAX 2147483647u
#define OVZ_NAME_MAX 64
#define OVZ_IFNAME_MAX 15	/* IFNAMSIZ - 1 */
#define OVZ_UNSET UINT64_MAX	/* for optional numeric fields */

struct ovz_ip {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int prefix;		/* -1 when not given */
};

enum ovz_iface_type {
	OVZ_IFACE_VENET,	/* <interface type='ethernet'>, IP_ADDRESS */
	OVZ_IFACE_VETH,		/* <interface type='bridge'>, NETIF */
};

struct ovz_iface {
	enum ovz_iface_type type;
	/* veth only; empty string when not set */
	char mac[18];		/* container side, lower case aa:bb:.. */
	char host_mac[18];
	char host_dev[OVZ_IFNAME_MAX + 1];
	char guest_dev[OVZ_IFNAME_MAX + 1];
	char bridge[OVZ_IFNAME_MAX + 1];
	/* both types */
	struct ovz_ip *ips;
	size_t n_ips;
	struct ovz_ip gw4, gw6;	/* family 0 when unset */
};

struct ovz_bind_mount {
	char *source;		/* host directory */
	char *target;		/* path inside the container */
	bool readonly;
};

enum ovz_lifecycle_action {
	OVZ_ACTION_UNSET = 0,
	OVZ_ACTION_DESTROY,
	OVZ_ACTION_RESTART,
	OVZ_ACTION_PRESERVE,
	OVZ_ACTION_RENAME_RESTART,
	OVZ_ACTION_COREDUMP_DESTROY,
	OVZ_ACTION_COREDUMP_RESTART,
};

enum ovz_tristate { OVZ_UNKNOWN = 0, OVZ_NO, OVZ_YES };

struct ovz_domain {
	unsigned ctid;		/* 0 = not known yet */
	char *name;		/* NULL when none */
	uint8_t uuid[16];
	bool has_uuid;
	char *description;

	/* memory, all in KiB; OVZ_UNSET when absent */
	uint64_t memory;		/* <memory>: PHYSPAGES limit */
	uint64_t current_memory;	/* <currentMemory>: PHYSPAGES barrier */
	uint64_t mem_hard_limit;	/* memtune: PRIVVMPAGES limit */
	uint64_t mem_soft_limit;	/* memtune: PRIVVMPAGES barrier */
	uint64_t mem_swap_hard_limit;	/* memtune: memory + SWAPPAGES */
	uint64_t mem_min_guarantee;	/* memtune: VMGUARPAGES barrier */

	unsigned vcpus;			/* 0 = unset: CPUS */
	uint64_t cpu_shares;		/* cputune/shares: CPUUNITS */
	uint64_t cpu_period;		/* cputune/period (us) */
	int64_t cpu_quota;		/* cputune/quota (us), 0 = unset: CPULIMIT */

	char *init;			/* os/init; NULL means /sbin/init */
	char **init_args;		/* os/initarg */
	enum ovz_lifecycle_action on_poweroff, on_reboot, on_crash;

	/* root filesystem */
	char *ostemplate;		/* filesystem type='template' */
	char *private_dir;		/* filesystem type='mount' target '/' */
	uint64_t space_soft_limit;	/* KiB: DISKSPACE barrier */
	uint64_t space_hard_limit;	/* KiB: DISKSPACE limit */

	struct ovz_bind_mount *mounts;	/* other filesystem type='mount' */
	size_t n_mounts;

	struct ovz_iface *ifaces;
	size_t n_ifaces;

	char **netdevs;			/* host devices moved in while it runs: NETDEV */

	char *hostname;
	char **nameservers;
	char **searchdomains;
	enum ovz_tristate autostart;	/* ONBOOT */
};

struct ovz_domain *ovz_domain_new(void);
void ovz_domain_free(struct ovz_domain *d);
void ovz_domain_freep(struct ovz_domain **d);
struct ovz_iface *ovz_domain_add_iface(struct ovz_domain *d, enum ovz_iface_type type);
void ovz_iface_add_ip(struct ovz_iface *iface, const struct ovz_ip *ip);
struct ovz_bind_mount *ovz_domain_add_mount(struct ovz_domain *d);

/* Value checks.  Each returns NULL when valid, else a short reason
 * ("contains a slash") for the caller to place in its own message. */
const char *ovz_check_ctid(const char *s, unsigned *out);
const char *ovz_check_name(const char *s);
const char *ovz_check_template_name(const char *s);
const char *ovz_check_ifname(const char *s);
/* A host device to move into the container: an interface name, not "lo". */
const char *ovz_check_netdev(const char *s);
const char *ovz_check_hostname(const char *s);
/* An absolute path below PATH_MAX without control characters, or why not. */
const char *ovz_check_abs_path(const char *s);
/* VE_PRIVATE, VE_ROOT, a mount root's source: absolute, without empty, '.'
 * or '..' components (a trailing '/' is fine), not '/', and neither a
 * system directory (/etc, /usr, /var/lib, ...) nor a parent of one. */
const char *ovz_check_area_path(const char *s);
/* Whether path is dir or below it (both normalised, see above). */
bool ovz_path_within(const char *path, const char *dir);
/* MAC in aa:bb:cc:dd:ee:ff form (either case); out gets lower case. */
const char *ovz_check_mac(const char *s, char out[18]);

/* "1.2.3.4", "1.2.3.4/24", "2001:db8::1/64".  family 0 = any. */
const char *ovz_parse_ip(const char *s, int family, struct ovz_ip *out);
/* Dotted netmask to a prefix (255.255.255.0 -> 24); -1 when not contiguous. */
int ovz_netmask_to_prefix(const char *s);
/* Writes the address (with "/prefix" when with_prefix and set). */
void ovz_format_ip(const struct ovz_ip *ip, bool with_prefix, char *buf, size_t len);
bool ovz_ip_equal(const struct ovz_ip *a, const struct ovz_ip *b);

const char *ovz_parse_uuid(const char *s, uint8_t out[16]);
void ovz_format_uuid(const uint8_t uuid[16], char out[37]);

const char *ovz_action_name(enum ovz_lifecycle_action a);
enum ovz_lifecycle_action ovz_action_from_name(const char *s);

/* vzctl's MAC for an interface: OUI 00:18:51 and three bytes of a hash of
 * "<ifname>:<ctid>:<seed>". */
void ovz_generate_mac(const char *ifname, unsigned ctid, const char *seed, char out[18]);

/* Checks a whole domain for what no single value check can see: the same
 * IP twice, more than one root filesystem (via the parser), vcpu 0, duplicate
 * interface names, a moved host device given twice or named like a veth's
 * host side.  Returns NULL or a reason naming the offending value;
 * *what receives the element path ("interface/ip") for the message. */
const char *ovz_domain_check(const struct ovz_domain *d, const char **what, char *value,
			     size_t value_len);

#endif
