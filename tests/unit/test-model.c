// SPDX-License-Identifier: LGPL-2.1-or-later
#include "testutil.h"

#include "core/model.h"

#include <string.h>
#include <sys/socket.h>

static void test_ctid(void **state)
{
	unsigned id = 0;
	assert_null(ovz_check_ctid("101", &id));
	assert_int_equal(id, 101);
	assert_null(ovz_check_ctid("2147483647", &id));
	assert_string_equal(ovz_check_ctid("0", NULL), "must not be 0");
	assert_string_equal(ovz_check_ctid("-5", NULL), "is negative");
	assert_string_equal(ovz_check_ctid("2147483648", NULL), "is above 2147483647");
	assert_string_equal(ovz_check_ctid("99999999999999999999999", NULL), "is above 2147483647");
	assert_string_equal(ovz_check_ctid("10a", NULL), "is not a number");
	assert_string_equal(ovz_check_ctid("", NULL), "is empty");
}

static void test_names(void **state)
{
	assert_null(ovz_check_name("web-1.example_x"));
	assert_string_equal(ovz_check_name("a/b"), "contains a slash");
	assert_string_equal(ovz_check_name(".."), "contains '..'");
	assert_string_equal(ovz_check_name("a b"), "contains whitespace");
	assert_string_equal(ovz_check_name("-x"), "starts with a dash");
	char long_name[66];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	assert_string_equal(ovz_check_name(long_name), "is longer than 64 bytes");
	long_name[64] = '\0';
	assert_null(ovz_check_name(long_name));
	assert_null(ovz_check_template_name("debian-12-x86_64-minimal"));
	assert_string_equal(ovz_check_template_name("../etc"), "contains '..'");
	assert_string_equal(ovz_check_ifname("eth0/1"), "contains a slash");
	assert_string_equal(ovz_check_ifname("abcdefghijklmnop"), "is longer than 15 bytes");
	assert_null(ovz_check_ifname("veth101.0"));
}

static void test_mac(void **state)
{
	char out[18];
	assert_null(ovz_check_mac("00:18:51:AA:bb:0C", out));
	assert_string_equal(out, "00:18:51:aa:bb:0c");
	assert_string_equal(ovz_check_mac("01:00:5e:00:00:01", NULL), "is a multicast address");
	assert_non_null(ovz_check_mac("00:18:51:aa:bb", NULL));
	assert_non_null(ovz_check_mac("00-18-51-aa-bb-cc", NULL));
	assert_non_null(ovz_check_mac("00:00:00:00:00:00", NULL));
}

static void test_ip(void **state)
{
	struct ovz_ip ip;
	char buf[64];
	assert_null(ovz_parse_ip("10.0.0.1", 0, &ip));
	assert_int_equal(ip.family, AF_INET);
	assert_int_equal(ip.prefix, -1);
	assert_null(ovz_parse_ip("2001:db8::1/64", 0, &ip));
	assert_int_equal(ip.family, AF_INET6);
	assert_int_equal(ip.prefix, 64);
	ovz_format_ip(&ip, true, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1/64");
	assert_non_null(ovz_parse_ip("10.0.0.1/33", 0, NULL));
	assert_non_null(ovz_parse_ip("10.0.0.256", 0, NULL));
	assert_non_null(ovz_parse_ip("10.0.0.1", AF_INET6, NULL));
	assert_int_equal(ovz_netmask_to_prefix("255.255.255.0"), 24);
	assert_int_equal(ovz_netmask_to_prefix("255.0.255.0"), -1);
	assert_int_equal(ovz_netmask_to_prefix("0.0.0.0"), 0);
}

static void test_uuid(void **state)
{
	uint8_t u[16];
	char out[37];
	assert_null(ovz_parse_uuid("5F0C2A8E-3d41-4c7b-9e2a-0b7d1c9a4e11", u));
	ovz_format_uuid(u, out);
	assert_string_equal(out, "5f0c2a8e-3d41-4c7b-9e2a-0b7d1c9a4e11");
	assert_null(ovz_parse_uuid("5f0c2a8e3d414c7b9e2a0b7d1c9a4e11", u));
	assert_non_null(ovz_parse_uuid("5f0c2a8e-3d41-4c7b-9e2a-0b7d1c9a4e1", u));
	assert_non_null(ovz_parse_uuid("5f0c2a8e-3d41-4c7b-9e2a-0b7d1c9a4e1g", u));
}

static void test_generated_mac_is_stable_unicast(void **state)
{
	char a[18], b[18], c[18];
	ovz_generate_mac("eth0", 101, "", a);
	ovz_generate_mac("eth0", 101, "", b);
	ovz_generate_mac("eth0", 102, "", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_true(strncmp(a, "00:18:51:", 9) == 0);
	assert_null(ovz_check_mac(a, NULL));
}

static void test_domain_check(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	struct ovz_iface *f = ovz_domain_add_iface(d, OVZ_IFACE_VENET);
	struct ovz_ip ip;
	ovz_parse_ip("10.0.0.1", 0, &ip);
	ovz_iface_add_ip(f, &ip);
	const char *what = NULL;
	char value[64];
	assert_null(ovz_domain_check(d, &what, value, sizeof(value)));
	struct ovz_iface *g = ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	ovz_iface_add_ip(g, &ip);
	assert_string_equal(ovz_domain_check(d, &what, value, sizeof(value)),
			    "the same address is given twice");
	assert_string_equal(value, "10.0.0.1");
	ovz_domain_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctid),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_generated_mac_is_stable_unicast),
		cmocka_unit_test(test_domain_check),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
