// SPDX-License-Identifier: LGPL-2.1-or-later
/* ABI conformance: every ioctl number, struct size and field offset in
 * src/net/vzabi.h against the table of openvz-abi.md (§1.2, §1.3, §2),
 * written out here by hand.  The x86_64 column is checked on x86_64 builds
 * and the i386 column on i386 builds; the other column is skipped with a
 * message, since sizes depend on the ABI the test is compiled for. */
#include "testutil.h"

#include "core/util.h"
#include "net/vzabi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct abi_row {
	const char *name;
	unsigned long ours;
	unsigned long x86_64;
	unsigned long i386;
};

#define ROW(n, v, a, b) { n, (unsigned long)(v), a, b }

static const struct abi_row ioctls[] = {
	ROW("VZCTL_ENV_CREATE", OVZ_VZCTL_ENV_CREATE, 0x400c2e05, 0x400c2e05),
	ROW("VZCTL_GET_CPU_STAT", OVZ_VZCTL_GET_CPU_STAT, 0x40102e06, 0x40082e06),
	ROW("VZCTL_ENV_CREATE_DATA", OVZ_VZCTL_ENV_CREATE_DATA, 0x40202e0a, 0x40142e0a),
	ROW("VZCTL_VE_NETDEV", OVZ_VZCTL_VE_NETDEV, 0x40102e0b, 0x400c2e0b),
	ROW("VZCTL_VE_MEMINFO", OVZ_VZCTL_VE_MEMINFO, 0x40102e0d, 0x40082e0d),
	ROW("VZCTL_VE_CONFIGURE", OVZ_VZCTL_VE_CONFIGURE, 0x40102e0f, 0x40102e0f),
	ROW("VENETCTL_VE_IP_MAP", OVZ_VENETCTL_VE_IP_MAP, 0x40182803, 0x40102803),
	ROW("VETHCTL_VE_HWADDR", OVZ_VETHCTL_VE_HWADDR, 0x40405b03, 0x40405b03),
	ROW("VZCTL_GET_VEIDS", OVZ_VZCTL_GET_VEIDS, 0x80107801, 0x80087801),
	ROW("VZCTL_GET_VEPIDS", OVZ_VZCTL_GET_VEPIDS, 0x80107802, 0x800c7802),
	ROW("VZCTL_GET_VEIPS", OVZ_VZCTL_GET_VEIPS, 0x80107803, 0x800c7803),
	ROW("VZCTL_GET_VEIP6S", OVZ_VZCTL_GET_VEIP6S, 0x80107804, 0x800c7804),
};

#define OFF(t, f) offsetof(struct t, f)

static const struct abi_row layouts[] = {
	ROW("sizeof vzctl_env_create", sizeof(struct ovz_vzctl_env_create), 12, 12),
	ROW("vzctl_env_create.flags", OFF(ovz_vzctl_env_create, flags), 4, 4),
	ROW("vzctl_env_create.class_id", OFF(ovz_vzctl_env_create, class_id), 8, 8),
	ROW("sizeof vzctl_env_create_data", sizeof(struct ovz_vzctl_env_create_data), 32, 20),
	ROW("vzctl_env_create_data.class_id", OFF(ovz_vzctl_env_create_data, class_id), 8, 8),
	ROW("vzctl_env_create_data.data", OFF(ovz_vzctl_env_create_data, data), 16, 12),
	ROW("vzctl_env_create_data.datalen", OFF(ovz_vzctl_env_create_data, datalen), 24, 16),
	ROW("sizeof env_create_param", sizeof(struct ovz_env_create_param), 8, 8),
	ROW("sizeof env_create_param2", sizeof(struct ovz_env_create_param2), 24, 20),
	ROW("env_create_param2.feature_mask", OFF(ovz_env_create_param2, feature_mask), 8, 8),
	ROW("env_create_param2.total_vcpus", OFF(ovz_env_create_param2, total_vcpus), 16, 16),
	ROW("sizeof env_create_param3", sizeof(struct ovz_env_create_param3), 32, 32),
	ROW("env_create_param3.total_vcpus", OFF(ovz_env_create_param3, total_vcpus), 16, 16),
	ROW("env_create_param3.pad", OFF(ovz_env_create_param3, pad), 20, 20),
	ROW("env_create_param3.known_features", OFF(ovz_env_create_param3, known_features), 24,
	    24),
	ROW("sizeof vzctl_ve_netdev", sizeof(struct ovz_vzctl_ve_netdev), 16, 12),
	ROW("vzctl_ve_netdev.op", OFF(ovz_vzctl_ve_netdev, op), 4, 4),
	ROW("vzctl_ve_netdev.dev_name", OFF(ovz_vzctl_ve_netdev, dev_name), 8, 8),
	ROW("sizeof vzctl_ve_meminfo", sizeof(struct ovz_vzctl_ve_meminfo), 16, 8),
	ROW("vzctl_ve_meminfo.val", OFF(ovz_vzctl_ve_meminfo, val), 8, 4),
	ROW("sizeof vzctl_ve_configure", sizeof(struct ovz_vzctl_ve_configure), 16, 16),
	ROW("vzctl_ve_configure.size", OFF(ovz_vzctl_ve_configure, size), 12, 12),
	ROW("vzctl_ve_configure.data", OFF(ovz_vzctl_ve_configure, data), 16, 16),
	ROW("sizeof vz_cpu_stat", sizeof(struct ovz_vz_cpu_stat), 80, 64),
	ROW("vz_cpu_stat.idle_clk", OFF(ovz_vz_cpu_stat, idle_clk), 32, 16),
	ROW("vz_cpu_stat.avenrun", OFF(ovz_vz_cpu_stat, avenrun), 56, 40),
	ROW("sizeof vzctl_cpustatctl", sizeof(struct ovz_vzctl_cpustatctl), 16, 8),
	ROW("vzctl_cpustatctl.cpustat", OFF(ovz_vzctl_cpustatctl, cpustat), 8, 4),
	ROW("sizeof vzctl_ve_ip_map", sizeof(struct ovz_vzctl_ve_ip_map), 24, 16),
	ROW("vzctl_ve_ip_map.op", OFF(ovz_vzctl_ve_ip_map, op), 4, 4),
	ROW("vzctl_ve_ip_map.addr", OFF(ovz_vzctl_ve_ip_map, addr), 8, 8),
	ROW("vzctl_ve_ip_map.addrlen", OFF(ovz_vzctl_ve_ip_map, addrlen), 16, 12),
	ROW("sizeof vzctl_ve_hwaddr", sizeof(struct ovz_vzctl_ve_hwaddr), 64, 64),
	ROW("vzctl_ve_hwaddr.dev_addr", OFF(ovz_vzctl_ve_hwaddr, dev_addr), 8, 8),
	ROW("vzctl_ve_hwaddr.addrlen", OFF(ovz_vzctl_ve_hwaddr, addrlen), 16, 16),
	ROW("vzctl_ve_hwaddr.dev_name", OFF(ovz_vzctl_ve_hwaddr, dev_name), 20, 20),
	ROW("vzctl_ve_hwaddr.dev_addr_ve", OFF(ovz_vzctl_ve_hwaddr, dev_addr_ve), 36, 36),
	ROW("vzctl_ve_hwaddr.addrlen_ve", OFF(ovz_vzctl_ve_hwaddr, addrlen_ve), 44, 44),
	ROW("vzctl_ve_hwaddr.dev_name_ve", OFF(ovz_vzctl_ve_hwaddr, dev_name_ve), 48, 48),
	ROW("sizeof vzlist_veidctl", sizeof(struct ovz_vzlist_veidctl), 16, 8),
	ROW("vzlist_veidctl.id", OFF(ovz_vzlist_veidctl, id), 8, 4),
	ROW("sizeof vzlist_vepidctl", sizeof(struct ovz_vzlist_vepidctl), 16, 12),
	ROW("vzlist_vepidctl.pid", OFF(ovz_vzlist_vepidctl, pid), 8, 8),
	ROW("sizeof vzlist_veipctl", sizeof(struct ovz_vzlist_veipctl), 16, 12),
	ROW("vzlist_veipctl.ip", OFF(ovz_vzlist_veipctl, ip), 8, 8),
	ROW("sizeof venetaddrmsg", sizeof(struct ovz_venetaddrmsg), 20, 20),
	ROW("venetaddrmsg.va_addr", OFF(ovz_venetaddrmsg, va_addr), 4, 4),
};

#if defined(__x86_64__) || defined(__i386__)
static const struct abi_row syscalls[] = {
	ROW("fairsched_vcpus", OVZ_NR_FAIRSCHED_VCPUS, 499, 505),
	ROW("getluid", OVZ_NR_GETLUID, 500, 510),
	ROW("setluid", OVZ_NR_SETLUID, 501, 511),
	ROW("setublimit", OVZ_NR_SETUBLIMIT, 502, 512),
	ROW("ubstat", OVZ_NR_UBSTAT, 503, 513),
	ROW("fairsched_mknod", OVZ_NR_FAIRSCHED_MKNOD, 504, 500),
	ROW("fairsched_rmnod", OVZ_NR_FAIRSCHED_RMNOD, 505, 501),
	ROW("fairsched_chwt", OVZ_NR_FAIRSCHED_CHWT, 506, 502),
	ROW("fairsched_mvpr", OVZ_NR_FAIRSCHED_MVPR, 507, 503),
	ROW("fairsched_rate", OVZ_NR_FAIRSCHED_RATE, 508, 504),
};
#endif

static void check_rows(const struct abi_row *rows, size_t n)
{
#if defined(__x86_64__)
	bool x64 = true;
#elif defined(__i386__)
	bool x64 = false;
#else
	TU_SKIP("the table covers x86_64 and i386 only");
	return;
#endif
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned long want = x64 ? rows[i].x86_64 : rows[i].i386;
		if (rows[i].ours != want) {
			print_message("%s: ours 0x%lx, openvz-abi.md 0x%lx\n", rows[i].name,
				      rows[i].ours, want);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_ioctl_numbers(void **state)
{
	check_rows(ioctls, ARRAY_SIZE(ioctls));
}

static void test_struct_layouts(void **state)
{
	check_rows(layouts, ARRAY_SIZE(layouts));
}

static void test_syscall_numbers(void **state)
{
#if defined(__x86_64__) || defined(__i386__)
	check_rows(syscalls, ARRAY_SIZE(syscalls));
#else
	TU_SKIP("syscall numbers are known for x86_64 and i386 only");
#endif
}

static void test_i386_column(void **state)
{
#if defined(__i386__)
	check_rows(layouts, ARRAY_SIZE(layouts));
#else
	TU_SKIP("the i386 column needs an i386 build (no 32-bit libc headers here)");
#endif
}

static void test_flag_and_feature_values(void **state)
{
	assert_int_equal(OVZ_VE_CREATE, 1);
	assert_int_equal(OVZ_VE_EXCLUSIVE, 2);
	assert_int_equal(OVZ_VE_ENTER, 4);
	assert_int_equal(OVZ_VE_TEST, 8);
	assert_int_equal(OVZ_VE_LOCK, 16);
	assert_int_equal(OVZ_VE_SKIPLOCK, 32);
	assert_int_equal(OVZ_VE_FEATURE_SYSFS, 1);
	assert_int_equal(OVZ_VE_FEATURE_NFSD, 256);
	assert_int_equal(OVZ_VE_IP_ADD, 1);
	assert_int_equal(OVZ_VE_IP_DEL, 2);
	assert_int_equal(OVZ_VE_ETH_ADD, 1);
	assert_int_equal(OVZ_VE_ETH_DEL, 2);
	assert_int_equal(OVZ_VE_CONFIGURE_OS_RELEASE, 2);
	assert_int_equal(OVZ_VE_CONFIGURE_MOUNT_OPTIONS, 7);
	assert_int_equal(OVZ_UB_PHYSPAGES, 6);
	assert_int_equal(OVZ_UB_NUMIPTENT, 23);
	assert_int_equal(OVZ_UB_SWAPPAGES, 24);
	assert_int_equal(OVZ_UB_RESOURCES, 25);
	assert_string_equal(ovz_ub_name(OVZ_UB_PRIVVMPAGES), "privvmpages");
	assert_string_equal(ovz_ub_name(21), "dummy");
	assert_string_equal(ovz_ub_name(OVZ_UB_SWAPPAGES), "swappages");
}

static void test_env_create_encoding(void **state)
{
	struct ovz_env_create_param3 p = { .iptables_mask = OVZ_VE_IP_DEFAULT,
					   .feature_mask = OVZ_VE_FEATURE_SYSFS,
					   .total_vcpus = 2,
					   .known_features = OVZ_VE_FEATURE_SYSFS };
	struct ovz_vzctl_env_create_data req;
	ovz_vz_env_create_encode(101, OVZ_VE_CREATE | OVZ_VE_EXCLUSIVE, &p, sizeof(p), &req);
	assert_int_equal(req.veid, 101);
	assert_int_equal(req.flags, 3);
	assert_int_equal(req.class_id, 0);
	assert_ptr_equal(req.data, &p);
	assert_int_equal(req.datalen, 32);
	/* the older sizes are prefixes of param3 */
	assert_int_equal(offsetof(struct ovz_env_create_param3, total_vcpus),
			 offsetof(struct ovz_env_create_param2, total_vcpus));
}

static void test_veinfo_parse(void **state)
{
	const char text[] = "       0     0    87\n"
			    "     101     0     5       10.0.0.101\n"
			    "     102     0     1\n";
	unsigned *ids;
	size_t n;
	assert_int_equal(ovz_vz_veinfo_parse(text, &ids, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 101);
	assert_int_equal(ids[1], 102);
	free(ids);
	assert_int_equal(ovz_vz_veinfo_parse("", &ids, &n), 0);
	assert_int_equal(n, 0);
	free(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioctl_numbers),
		cmocka_unit_test(test_struct_layouts),
		cmocka_unit_test(test_syscall_numbers),
		cmocka_unit_test(test_i386_column),
		cmocka_unit_test(test_flag_and_feature_values),
		cmocka_unit_test(test_env_create_encoding),
		cmocka_unit_test(test_veinfo_parse),
	};
	return cmocka_run_group_tests_name("vzabi", tests, NULL, NULL);
}
