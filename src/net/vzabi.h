/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OpenVZ network entry points: the /dev/vzctl ioctls of the venet and
 * veth modules (legacy kernels), the OpenVZ 7 venet changelink payload and
 * the `ve` cgroup address files.  Numbers and layouts are those of
 * openvz-abi.md §1.2-1.3, pinned by the asserts below.  Every function
 * takes the descriptor to act on, so an emulated /dev/vzctl works too; the
 * *_encode functions build the request without touching any descriptor. */
#ifndef OVZ_NET_VZABI_H
#define OVZ_NET_VZABI_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "core/error.h"
#include "core/model.h"

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

#endif
