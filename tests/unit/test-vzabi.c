// SPDX-License-Identifier: LGPL-2.1-or-later
/* ABI conformance: every ioctl number, struct size and field offset in
 * src/net/vzabi.h against the table of openvz-abi.md (§1.2, §1.3, §2),
 * written out in vzabi-table.h.  The x86_64 column is checked on x86_64
 * builds and the i386 column on i386 builds (and on x86_64 by compiling
 * vzabi-i386.c with -m32); the other column is skipped with a message, since
 * sizes depend on the ABI the test is compiled for. */
#include "testutil.h"

#include "core/util.h"
#include "net/vzabi.h"
#include "vzabi-table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct abi_row {
	const char *name;
	unsigned long ours;
	unsigned long x86_64;
	unsigned long i386;
};

#define ROW(n, v, a, b) { n, (unsigned long)(v), a, b },

static const struct abi_row ioctls[] = { OVZ_ABI_IOCTLS(ROW) };
static const struct abi_row layouts[] = { OVZ_ABI_LAYOUTS(ROW) };
#if defined(__x86_64__) || defined(__i386__)
static const struct abi_row syscalls[] = { OVZ_ABI_SYSCALLS(ROW) };
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
	TU_SKIP("the i386 column needs an i386 build: on x86_64 the build checks it (vzabi-i386.c)");
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
