/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OpenVZ network entry points: the /dev/vzctl ioctls of the venet and
 * veth modules (legacy kernels), the OpenVZ 7 venet changelink payload and
 * the `ve` cgroup address files.  Numbers and layouts are those of
 * openvz-abi.md §1.2-1.3, pinned by the asserts below.  Every function
 * takes the descriptor to act on, so an emulated /dev/vzctl works too; the
 * *_encode functions build the request without touching any descriptor. */
#ifndef OVZ_NET_VZABI_H
#define OVZ_NET_VZABI_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "core/error.h"
#include "core/model.h"
#include "net.h"

struct ovz_vzctl_ve_ip_map {
	uint32_t veid;
	int op;
	struct sockaddr *addr;
	int addrlen;		/* exactly sizeof(sockaddr_in) or sizeof(sockaddr_in6) */
};

struct ovz_vzctl_ve_hwaddr {
	uint32_t veid;
	int op;
	uint8_t dev_addr[6];	/* host end */
	int addrlen;
	char dev_name[16];
	uint8_t dev_addr_ve[6];	/* container end */
	int addrlen_ve;		/* 0: the kernel picks the container MAC */
	char dev_name_ve[16];
};

/* OpenVZ 7 venet changelink payload (attribute VENET_INFO_CMD). */
struct ovz_venetaddrmsg {
	uint8_t va_family;
	uint8_t va_cmd;
	uint32_t va_addr[4];
};

#define OVZ_VENETCTL_VE_IP_MAP	_IOW('(', 3, struct ovz_vzctl_ve_ip_map)
#define OVZ_VETHCTL_VE_HWADDR	_IOW('[', 3, struct ovz_vzctl_ve_hwaddr)

enum { OVZ_VE_IP_ADD = 1, OVZ_VE_IP_DEL = 2, OVZ_VE_IP_EXT_ADD = 3, OVZ_VE_IP_EXT_DEL = 4 };
enum { OVZ_VE_ETH_ADD = 1, OVZ_VE_ETH_DEL = 2, OVZ_VE_ETH_ALLOW_MAC_CHANGE = 3,
       OVZ_VE_ETH_DENY_MAC_CHANGE = 4 };
enum { OVZ_VENET_INFO_CMD = 1 };
enum { OVZ_VENET_ADDR_ADD = 0, OVZ_VENET_ADDR_DEL = 1 };

_Static_assert(sizeof(struct ovz_venetaddrmsg) == 20, "venetaddrmsg size");
_Static_assert(offsetof(struct ovz_venetaddrmsg, va_addr) == 4, "venetaddrmsg.va_addr");
_Static_assert(sizeof(struct ovz_vzctl_ve_hwaddr) == 64, "vzctl_ve_hwaddr size");
_Static_assert(offsetof(struct ovz_vzctl_ve_hwaddr, addrlen) == 16, "hwaddr.addrlen");
_Static_assert(offsetof(struct ovz_vzctl_ve_hwaddr, dev_name) == 20, "hwaddr.dev_name");
_Static_assert(offsetof(struct ovz_vzctl_ve_hwaddr, dev_addr_ve) == 36, "hwaddr.dev_addr_ve");
_Static_assert(offsetof(struct ovz_vzctl_ve_hwaddr, addrlen_ve) == 44, "hwaddr.addrlen_ve");
_Static_assert(offsetof(struct ovz_vzctl_ve_hwaddr, dev_name_ve) == 48, "hwaddr.dev_name_ve");
_Static_assert(sizeof(struct sockaddr_in) == 16 && sizeof(struct sockaddr_in6) == 28,
	       "VE_IP_MAP needs the exact sockaddr sizes");
#if defined(__x86_64__)
_Static_assert(sizeof(struct ovz_vzctl_ve_ip_map) == 24, "vzctl_ve_ip_map size");
_Static_assert(offsetof(struct ovz_vzctl_ve_ip_map, addr) == 8, "ip_map.addr");
_Static_assert(offsetof(struct ovz_vzctl_ve_ip_map, addrlen) == 16, "ip_map.addrlen");
_Static_assert(OVZ_VENETCTL_VE_IP_MAP == 0x40182803, "VENETCTL_VE_IP_MAP");
_Static_assert(OVZ_VETHCTL_VE_HWADDR == 0x40405b03, "VETHCTL_VE_HWADDR");
#elif defined(__i386__)
_Static_assert(sizeof(struct ovz_vzctl_ve_ip_map) == 16, "vzctl_ve_ip_map size");
_Static_assert(OVZ_VENETCTL_VE_IP_MAP == 0x40102803, "VENETCTL_VE_IP_MAP");
_Static_assert(OVZ_VETHCTL_VE_HWADDR == 0x40405b03, "VETHCTL_VE_HWADDR");
#endif

union ovz_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* Fills *out (pointing at *sa) for op on ip; the prefix is dropped. */
void ovz_vz_ip_map_encode(unsigned veid, int op, const struct ovz_ip *ip,
			  union ovz_sockaddr *sa, struct ovz_vzctl_ve_ip_map *out);
/* VENETCTL_VE_IP_MAP on vzfd.  del treats EADDRNOTAVAIL as done. */
int ovz_vz_ip_add(int vzfd, unsigned veid, const struct ovz_ip *ip, struct ovz_error **err);
int ovz_vz_ip_del(int vzfd, unsigned veid, const struct ovz_ip *ip, struct ovz_error **err);

/* ct_mac NULL: addrlen_ve 0, the kernel chooses. */
void ovz_vz_veth_encode(unsigned veid, int op, const char *host_dev, const uint8_t host_mac[6],
			const char *ct_dev, const uint8_t ct_mac[6],
			struct ovz_vzctl_ve_hwaddr *out);
/* VETHCTL_VE_HWADDR: creates the pair, host end in VE0 and the other end in
 * the container.  del treats ENODEV as done. */
int ovz_vz_veth_add(int vzfd, unsigned veid, const char *host_dev, const uint8_t host_mac[6],
		    const char *ct_dev, const uint8_t ct_mac[6], struct ovz_error **err);
int ovz_vz_veth_del(int vzfd, unsigned veid, const char *host_dev, struct ovz_error **err);

/* OpenVZ 7: writes the address to ve.ip_allow / ve.ip6_allow (deny: the
 * *_deny files) in the container's ve cgroup directory ve_dirfd.  deny
 * treats EADDRNOTAVAIL and ENOENT as done. */
int ovz_ve_ip_allow(int ve_dirfd, const struct ovz_ip *ip, struct ovz_error **err);
int ovz_ve_ip_deny(int ve_dirfd, const struct ovz_ip *ip, struct ovz_error **err);

/* ---- VE creation, entering and the other '.' ioctls (openvz-abi.md §1.2-1.6) ---- */

struct ovz_vzctl_env_create {
	uint32_t veid;
	uint32_t flags;
	uint32_t class_id;
};

struct ovz_vzctl_env_create_data {
	uint32_t veid;
	uint32_t flags;
	uint32_t class_id;
	void *data;
	int datalen;
};

/* The three generations of the data behind ENV_CREATE_DATA; vzctl sends the
 * newest and falls back to the smaller ones on EINVAL. */
struct ovz_env_create_param {
	uint64_t iptables_mask;
};

struct ovz_env_create_param2 {
	uint64_t iptables_mask;
	uint64_t feature_mask;
	uint32_t total_vcpus;
};

struct ovz_env_create_param3 {
	uint64_t iptables_mask;
	uint64_t feature_mask;
	uint32_t total_vcpus;
	uint32_t pad;
	uint64_t known_features;
};

struct ovz_vzctl_setdevperms {
	uint32_t veid;
	uint32_t type;	/* S_IFCHR or S_IFBLK | VE_USE_MAJOR (010) or VE_USE_MINOR (030) */
	uint32_t dev;	/* the kernel's new_encode_dev of major:minor */
	uint32_t mask;	/* 04 read, 02 write, 010 quota */
};

struct ovz_vzctl_ve_netdev {
	uint32_t veid;
	int op;
	char *dev_name;
};

struct ovz_vzctl_ve_meminfo {
	uint32_t veid;
	unsigned long val;
};

struct ovz_vzctl_ve_configure {
	uint32_t veid;
	uint32_t key;
	uint32_t val;
	uint32_t size;
	char data[];
};

struct ovz_vz_avenrun {
	int val_int;
	int val_frac;
};

struct ovz_vz_cpu_stat {
	unsigned long user_jif, nice_jif, system_jif, uptime_jif;
	uint64_t idle_clk, strv_clk, uptime_clk;
	struct ovz_vz_avenrun avenrun[3];
};

struct ovz_vzctl_cpustatctl {
	uint32_t veid;
	struct ovz_vz_cpu_stat *cpustat;
};

struct ovz_vzlist_veidctl {
	uint32_t num;
	uint32_t *id;
};

struct ovz_vzlist_vepidctl {
	uint32_t veid;
	uint32_t num;
	int *pid;
};

struct ovz_vzlist_veipctl {
	uint32_t veid;
	uint32_t num;
	void *ip;
};

#define OVZ_VZCTL_SETDEVPERMS		_IOW('.', 2, struct ovz_vzctl_setdevperms)
#define OVZ_VZCTL_ENV_CREATE		_IOW('.', 5, struct ovz_vzctl_env_create)
#define OVZ_VZCTL_GET_CPU_STAT		_IOW('.', 6, struct ovz_vzctl_cpustatctl)
#define OVZ_VZCTL_ENV_CREATE_DATA	_IOW('.', 10, struct ovz_vzctl_env_create_data)
#define OVZ_VZCTL_VE_NETDEV		_IOW('.', 11, struct ovz_vzctl_ve_netdev)
#define OVZ_VZCTL_VE_MEMINFO		_IOW('.', 13, struct ovz_vzctl_ve_meminfo)
#define OVZ_VZCTL_VE_CONFIGURE		_IOW('.', 15, struct ovz_vzctl_ve_configure)
#define OVZ_VZCTL_GET_VEIDS		_IOR('x', 1, struct ovz_vzlist_veidctl)
#define OVZ_VZCTL_GET_VEPIDS		_IOR('x', 2, struct ovz_vzlist_vepidctl)
#define OVZ_VZCTL_GET_VEIPS		_IOR('x', 3, struct ovz_vzlist_veipctl)
#define OVZ_VZCTL_GET_VEIP6S		_IOR('x', 4, struct ovz_vzlist_veipctl)

enum {
	OVZ_VE_CREATE = 1,
	OVZ_VE_EXCLUSIVE = 2,
	OVZ_VE_ENTER = 4,
	OVZ_VE_TEST = 8,
	OVZ_VE_LOCK = 16,
	OVZ_VE_SKIPLOCK = 32,
};
enum { OVZ_VE_NETDEV_ADD = 1, OVZ_VE_NETDEV_DEL = 2 };
enum {
	OVZ_VE_CONFIGURE_OS_RELEASE = 2,
	OVZ_VE_CONFIGURE_CREATE_PROC_LINK = 4,
	OVZ_VE_CONFIGURE_OPEN_TTY = 5,
	OVZ_VE_CONFIGURE_MOUNT_OPTIONS = 7,
};
enum {
	OVZ_VE_FEATURE_SYSFS = 1 << 0,
	OVZ_VE_FEATURE_NFS = 1 << 1,
	OVZ_VE_FEATURE_DEF_PERMS = 1 << 2,
	OVZ_VE_FEATURE_SIT = 1 << 3,
	OVZ_VE_FEATURE_IPIP = 1 << 4,
	OVZ_VE_FEATURE_PPP = 1 << 5,
	OVZ_VE_FEATURE_IPGRE = 1 << 6,
	OVZ_VE_FEATURE_BRIDGE = 1 << 7,
	OVZ_VE_FEATURE_NFSD = 1 << 8,
};
#define OVZ_VE_IP_DEFAULT 0x17bfULL	/* the kernel's default iptables_mask */

_Static_assert(sizeof(struct ovz_vzctl_env_create) == 12, "vzctl_env_create size");
_Static_assert(sizeof(struct ovz_env_create_param) == 8, "env_create_param size");
_Static_assert(sizeof(struct ovz_env_create_param3) == 32, "env_create_param3 size");
_Static_assert(offsetof(struct ovz_env_create_param3, known_features) == 24,
	       "param3.known_features");
_Static_assert(sizeof(struct ovz_vzctl_ve_configure) == 16, "vzctl_ve_configure size");
_Static_assert(OVZ_VZCTL_ENV_CREATE == 0x400c2e05, "VZCTL_ENV_CREATE");
_Static_assert(sizeof(struct ovz_vzctl_setdevperms) == 16, "vzctl_setdevperms size");
_Static_assert(OVZ_VZCTL_SETDEVPERMS == 0x40102e02, "VZCTL_SETDEVPERMS");
_Static_assert(OVZ_VZCTL_VE_CONFIGURE == 0x40102e0f, "VZCTL_VE_CONFIGURE");
#if defined(__x86_64__)
_Static_assert(sizeof(struct ovz_vzctl_env_create_data) == 32, "env_create_data size");
_Static_assert(offsetof(struct ovz_vzctl_env_create_data, data) == 16, "create_data.data");
_Static_assert(offsetof(struct ovz_vzctl_env_create_data, datalen) == 24, "create_data.datalen");
_Static_assert(sizeof(struct ovz_env_create_param2) == 24, "env_create_param2 size");
_Static_assert(sizeof(struct ovz_vzctl_ve_netdev) == 16, "vzctl_ve_netdev size");
_Static_assert(sizeof(struct ovz_vzctl_ve_meminfo) == 16, "vzctl_ve_meminfo size");
_Static_assert(sizeof(struct ovz_vz_cpu_stat) == 80, "vz_cpu_stat size");
_Static_assert(OVZ_VZCTL_ENV_CREATE_DATA == 0x40202e0a, "VZCTL_ENV_CREATE_DATA");
_Static_assert(OVZ_VZCTL_VE_NETDEV == 0x40102e0b, "VZCTL_VE_NETDEV");
_Static_assert(OVZ_VZCTL_GET_VEIDS == 0x80107801, "VZCTL_GET_VEIDS");
#elif defined(__i386__)
_Static_assert(sizeof(struct ovz_vzctl_env_create_data) == 20, "env_create_data size");
_Static_assert(sizeof(struct ovz_env_create_param2) == 20, "env_create_param2 size");
_Static_assert(sizeof(struct ovz_vzctl_ve_netdev) == 12, "vzctl_ve_netdev size");
_Static_assert(sizeof(struct ovz_vz_cpu_stat) == 64, "vz_cpu_stat size");
_Static_assert(OVZ_VZCTL_ENV_CREATE_DATA == 0x40142e0a, "VZCTL_ENV_CREATE_DATA");
_Static_assert(OVZ_VZCTL_VE_NETDEV == 0x400c2e0b, "VZCTL_VE_NETDEV");
#endif

/* The legacy syscalls (§2), absent from glibc. */
#if defined(__x86_64__)
enum { OVZ_NR_FAIRSCHED_VCPUS = 499, OVZ_NR_GETLUID = 500, OVZ_NR_SETLUID = 501,
       OVZ_NR_SETUBLIMIT = 502, OVZ_NR_UBSTAT = 503, OVZ_NR_FAIRSCHED_MKNOD = 504,
       OVZ_NR_FAIRSCHED_RMNOD = 505, OVZ_NR_FAIRSCHED_CHWT = 506,
       OVZ_NR_FAIRSCHED_MVPR = 507, OVZ_NR_FAIRSCHED_RATE = 508 };
#elif defined(__i386__)
enum { OVZ_NR_FAIRSCHED_VCPUS = 505, OVZ_NR_GETLUID = 510, OVZ_NR_SETLUID = 511,
       OVZ_NR_SETUBLIMIT = 512, OVZ_NR_UBSTAT = 513, OVZ_NR_FAIRSCHED_MKNOD = 500,
       OVZ_NR_FAIRSCHED_RMNOD = 501, OVZ_NR_FAIRSCHED_CHWT = 502,
       OVZ_NR_FAIRSCHED_MVPR = 503, OVZ_NR_FAIRSCHED_RATE = 504 };
#endif

/* Beancounter resources (§2); 20-22 are unused slots. */
enum {
	OVZ_UB_KMEMSIZE = 0, OVZ_UB_LOCKEDPAGES = 1, OVZ_UB_PRIVVMPAGES = 2,
	OVZ_UB_SHMPAGES = 3, OVZ_UB_NUMPROC = 5, OVZ_UB_PHYSPAGES = 6,
	OVZ_UB_VMGUARPAGES = 7, OVZ_UB_OOMGUARPAGES = 8, OVZ_UB_NUMTCPSOCK = 9,
	OVZ_UB_NUMFLOCK = 10, OVZ_UB_NUMPTY = 11, OVZ_UB_NUMSIGINFO = 12,
	OVZ_UB_TCPSNDBUF = 13, OVZ_UB_TCPRCVBUF = 14, OVZ_UB_OTHERSOCKBUF = 15,
	OVZ_UB_DGRAMRCVBUF = 16, OVZ_UB_NUMOTHERSOCK = 17, OVZ_UB_DCACHESIZE = 18,
	OVZ_UB_NUMFILE = 19, OVZ_UB_NUMIPTENT = 23, OVZ_UB_SWAPPAGES = 24,
	OVZ_UB_RESOURCES = 25,
};
/* setublimit's "unlimited": LONG_MAX of the caller's word size (a 32-bit
 * caller on a 64-bit kernel is translated by its compat entry). */
#define OVZ_UB_UNLIMITED ((unsigned long)LONG_MAX)

/* "physpages" for OVZ_UB_PHYSPAGES; "dummy" for the unused slots. */
const char *ovz_ub_name(unsigned res);

/* The VE a caller asks about, and what it gets: ENV_CREATE with VE_TEST
 * answers 1 (running) or 0 (ESRCH); -errno for anything else. */
int ovz_vz_ve_test(int vzfd, unsigned veid, struct ovz_error **err);
/* VE_ENTER: moves the (single-threaded) caller into the running VE. */
int ovz_vz_ve_enter(int vzfd, unsigned veid, struct ovz_error **err);

/* Fills the request and param for ENV_CREATE_DATA with datalen = size. */
void ovz_vz_env_create_encode(unsigned veid, unsigned flags,
			      const struct ovz_env_create_param3 *param, size_t size,
			      struct ovz_vzctl_env_create_data *out);
/* VE_CREATE|VE_EXCLUSIVE with param3, then the smaller sizes on EINVAL as
 * vzctl does; EBUSY is retried (3 times, 1 s apart).  Returns the veid. */
int ovz_vz_env_create(int vzfd, unsigned veid, const struct ovz_env_create_param3 *param,
		      struct ovz_error **err);

/* VZCTL_SETDEVPERMS: what the VE may do with a device (type as in struct
 * ovz_vzctl_setdevperms; major and minor are encoded here). */
int ovz_vz_setdevperms(int vzfd, unsigned veid, unsigned type, unsigned major, unsigned minor,
		       unsigned mask, struct ovz_error **err);

/* VZCTL_VE_NETDEV: move a host device into the VE (add) or back (del). */
int ovz_vz_netdev(int vzfd, unsigned veid, int op, const char *dev, struct ovz_error **err);

/* setluid(2) and setublimit(2) by number; limits are in the kernel's units. */
int ovz_vz_setluid(unsigned id, struct ovz_error **err);
int ovz_vz_setublimit(unsigned id, unsigned res, unsigned long barrier, unsigned long limit,
		      struct ovz_error **err);

/* The scheduler of a VE (fairsched node = veid), as vzctl sets it:
 * CPUUNITS as weight 500000/units, CPULIMIT (percent of one CPU) as rate
 * percent*1024/100, CPUS as the VE's vcpus.  ENOSYS (no fairsched in this
 * kernel) is ignored, as vzctl ignores it. */
int ovz_vz_set_cpuunits(unsigned veid, unsigned long units, struct ovz_error **err);
int ovz_vz_set_cpulimit(unsigned veid, unsigned long percent, struct ovz_error **err);
int ovz_vz_set_cpus(unsigned veid, unsigned cpus, struct ovz_error **err);

/* The running VEs in /proc/vz/veinfo text (VE0 skipped), in file order.
 * *ids is freed with free(). */
int ovz_vz_veinfo_parse(const char *text, unsigned **ids, size_t *n);

/* The host side of a legacy venet address, as vzctl's vps-net_add script
 * does it: a host route to each address of f via the host's venet0.  The
 * undo removes them. */
extern const struct ovz_net_step ovz_vz_host_routes_step;

/* The host side of address changes on a running VE's kernel venet (vz and
 * vz7): the host routes and proxy entries of del go, forwarding is turned
 * on and those of add come.  Either may be NULL. */
int ovz_vz_host_ips(unsigned ctid, const struct ovz_iface *add, const struct ovz_iface *del,
		    struct ovz_error **err);

#endif
