/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ABI table of openvz-abi.md (§1.2, §1.3, §2), typed in by hand:
 * X(name, our value, x86_64, i386).  test-vzabi.c checks the column of the
 * ABI it is built for; vzabi-i386.c turns the i386 column into static
 * assertions compiled with -m32, so x86_64 builds check it too. */
#ifndef OVZ_TEST_VZABI_TABLE_H
#define OVZ_TEST_VZABI_TABLE_H

#include <stddef.h>

#include "net/vzabi.h"

#define OFF(t, f) offsetof(struct t, f)

#define OVZ_ABI_IOCTLS(X) \
	X("VZCTL_SETDEVPERMS", OVZ_VZCTL_SETDEVPERMS, 0x40102e02, 0x40102e02) \
	X("VZCTL_ENV_CREATE", OVZ_VZCTL_ENV_CREATE, 0x400c2e05, 0x400c2e05) \
	X("VZCTL_GET_CPU_STAT", OVZ_VZCTL_GET_CPU_STAT, 0x40102e06, 0x40082e06) \
	X("VZCTL_ENV_CREATE_DATA", OVZ_VZCTL_ENV_CREATE_DATA, 0x40202e0a, 0x40142e0a) \
	X("VZCTL_VE_NETDEV", OVZ_VZCTL_VE_NETDEV, 0x40102e0b, 0x400c2e0b) \
	X("VZCTL_VE_MEMINFO", OVZ_VZCTL_VE_MEMINFO, 0x40102e0d, 0x40082e0d) \
	X("VZCTL_VE_CONFIGURE", OVZ_VZCTL_VE_CONFIGURE, 0x40102e0f, 0x40102e0f) \
	X("VENETCTL_VE_IP_MAP", OVZ_VENETCTL_VE_IP_MAP, 0x40182803, 0x40102803) \
	X("VETHCTL_VE_HWADDR", OVZ_VETHCTL_VE_HWADDR, 0x40405b03, 0x40405b03) \
	X("VZCTL_GET_VEIDS", OVZ_VZCTL_GET_VEIDS, 0x80107801, 0x80087801) \
	X("VZCTL_GET_VEPIDS", OVZ_VZCTL_GET_VEPIDS, 0x80107802, 0x800c7802) \
	X("VZCTL_GET_VEIPS", OVZ_VZCTL_GET_VEIPS, 0x80107803, 0x800c7803) \
	X("VZCTL_GET_VEIP6S", OVZ_VZCTL_GET_VEIP6S, 0x80107804, 0x800c7804)

#define OVZ_ABI_LAYOUTS(X) \
	X("vzctl_setdevperms size", sizeof(struct ovz_vzctl_setdevperms), 16, 16) \
	X("setublimit unlimited (LONG_MAX)", OVZ_UB_UNLIMITED, 9223372036854775807UL, 2147483647) \
	X("sizeof vzctl_env_create", sizeof(struct ovz_vzctl_env_create), 12, 12) \
	X("vzctl_env_create.flags", OFF(ovz_vzctl_env_create, flags), 4, 4) \
	X("vzctl_env_create.class_id", OFF(ovz_vzctl_env_create, class_id), 8, 8) \
	X("sizeof vzctl_env_create_data", sizeof(struct ovz_vzctl_env_create_data), 32, 20) \
	X("vzctl_env_create_data.class_id", OFF(ovz_vzctl_env_create_data, class_id), 8, 8) \
	X("vzctl_env_create_data.data", OFF(ovz_vzctl_env_create_data, data), 16, 12) \
	X("vzctl_env_create_data.datalen", OFF(ovz_vzctl_env_create_data, datalen), 24, 16) \
	X("sizeof env_create_param", sizeof(struct ovz_env_create_param), 8, 8) \
	X("sizeof env_create_param2", sizeof(struct ovz_env_create_param2), 24, 20) \
	X("env_create_param2.feature_mask", OFF(ovz_env_create_param2, feature_mask), 8, 8) \
	X("env_create_param2.total_vcpus", OFF(ovz_env_create_param2, total_vcpus), 16, 16) \
	X("sizeof env_create_param3", sizeof(struct ovz_env_create_param3), 32, 32) \
	X("env_create_param3.total_vcpus", OFF(ovz_env_create_param3, total_vcpus), 16, 16) \
	X("env_create_param3.pad", OFF(ovz_env_create_param3, pad), 20, 20) \
	X("env_create_param3.known_features", OFF(ovz_env_create_param3, known_features), 24, 24) \
	X("sizeof vzctl_ve_netdev", sizeof(struct ovz_vzctl_ve_netdev), 16, 12) \
	X("vzctl_ve_netdev.op", OFF(ovz_vzctl_ve_netdev, op), 4, 4) \
	X("vzctl_ve_netdev.dev_name", OFF(ovz_vzctl_ve_netdev, dev_name), 8, 8) \
	X("sizeof vzctl_ve_meminfo", sizeof(struct ovz_vzctl_ve_meminfo), 16, 8) \
	X("vzctl_ve_meminfo.val", OFF(ovz_vzctl_ve_meminfo, val), 8, 4) \
	X("sizeof vzctl_ve_configure", sizeof(struct ovz_vzctl_ve_configure), 16, 16) \
	X("vzctl_ve_configure.size", OFF(ovz_vzctl_ve_configure, size), 12, 12) \
	X("vzctl_ve_configure.data", OFF(ovz_vzctl_ve_configure, data), 16, 16) \
	X("sizeof vz_cpu_stat", sizeof(struct ovz_vz_cpu_stat), 80, 64) \
	X("vz_cpu_stat.idle_clk", OFF(ovz_vz_cpu_stat, idle_clk), 32, 16) \
	X("vz_cpu_stat.avenrun", OFF(ovz_vz_cpu_stat, avenrun), 56, 40) \
	X("sizeof vzctl_cpustatctl", sizeof(struct ovz_vzctl_cpustatctl), 16, 8) \
	X("vzctl_cpustatctl.cpustat", OFF(ovz_vzctl_cpustatctl, cpustat), 8, 4) \
	X("sizeof vzctl_ve_ip_map", sizeof(struct ovz_vzctl_ve_ip_map), 24, 16) \
	X("vzctl_ve_ip_map.op", OFF(ovz_vzctl_ve_ip_map, op), 4, 4) \
	X("vzctl_ve_ip_map.addr", OFF(ovz_vzctl_ve_ip_map, addr), 8, 8) \
	X("vzctl_ve_ip_map.addrlen", OFF(ovz_vzctl_ve_ip_map, addrlen), 16, 12) \
	X("sizeof vzctl_ve_hwaddr", sizeof(struct ovz_vzctl_ve_hwaddr), 64, 64) \
	X("vzctl_ve_hwaddr.dev_addr", OFF(ovz_vzctl_ve_hwaddr, dev_addr), 8, 8) \
	X("vzctl_ve_hwaddr.addrlen", OFF(ovz_vzctl_ve_hwaddr, addrlen), 16, 16) \
	X("vzctl_ve_hwaddr.dev_name", OFF(ovz_vzctl_ve_hwaddr, dev_name), 20, 20) \
	X("vzctl_ve_hwaddr.dev_addr_ve", OFF(ovz_vzctl_ve_hwaddr, dev_addr_ve), 36, 36) \
	X("vzctl_ve_hwaddr.addrlen_ve", OFF(ovz_vzctl_ve_hwaddr, addrlen_ve), 44, 44) \
	X("vzctl_ve_hwaddr.dev_name_ve", OFF(ovz_vzctl_ve_hwaddr, dev_name_ve), 48, 48) \
	X("sizeof vzlist_veidctl", sizeof(struct ovz_vzlist_veidctl), 16, 8) \
	X("vzlist_veidctl.id", OFF(ovz_vzlist_veidctl, id), 8, 4) \
	X("sizeof vzlist_vepidctl", sizeof(struct ovz_vzlist_vepidctl), 16, 12) \
	X("vzlist_vepidctl.pid", OFF(ovz_vzlist_vepidctl, pid), 8, 8) \
	X("sizeof vzlist_veipctl", sizeof(struct ovz_vzlist_veipctl), 16, 12) \
	X("vzlist_veipctl.ip", OFF(ovz_vzlist_veipctl, ip), 8, 8) \
	X("sizeof venetaddrmsg", sizeof(struct ovz_venetaddrmsg), 20, 20) \
	X("venetaddrmsg.va_addr", OFF(ovz_venetaddrmsg, va_addr), 4, 4)

/* x86_64 and i386 only: the OpenVZ syscall numbers differ per arch. */
#define OVZ_ABI_SYSCALLS(X) \
	X("fairsched_vcpus", OVZ_NR_FAIRSCHED_VCPUS, 499, 505) \
	X("getluid", OVZ_NR_GETLUID, 500, 510) \
	X("setluid", OVZ_NR_SETLUID, 501, 511) \
	X("setublimit", OVZ_NR_SETUBLIMIT, 502, 512) \
	X("ubstat", OVZ_NR_UBSTAT, 503, 513) \
	X("fairsched_mknod", OVZ_NR_FAIRSCHED_MKNOD, 504, 500) \
	X("fairsched_rmnod", OVZ_NR_FAIRSCHED_RMNOD, 505, 501) \
	X("fairsched_chwt", OVZ_NR_FAIRSCHED_CHWT, 506, 502) \
	X("fairsched_mvpr", OVZ_NR_FAIRSCHED_MVPR, 507, 503) \
	X("fairsched_rate", OVZ_NR_FAIRSCHED_RATE, 508, 504)

#endif
