// SPDX-License-Identifier: LGPL-2.1-or-later
/* Domain XML accepted: every element and attribute of both forms lands in
 * the right model field, and format/parse round trips are exact. */
#include "testutil.h"

#include "core/util.h"
#include "xml/xml.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NS "xmlns:ovz='" OVZ_XML_NS "'"

static struct ovz_domain *parse(const char *xml)
{
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	if (ovz_xml_parse(xml, strlen(xml), "test.xml", &d, &e) < 0)
		fail_msg("rejected: %s\n%s", ovz_error_message(e), xml);
	assert_non_null(d);
	return d;
}

static struct ovz_domain *parse_data(const char *name)
{
	_cleanup_free_ char *rel = xasprintf("xml/%s", name);
	_cleanup_free_ char *path = tu_data(rel);
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	if (ovz_xml_parse_file(path, &d, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	return d;
}

/* <domain type='openvz'>BODY</domain> */
static struct ovz_domain *parse_body(const char *body)
{
	_cleanup_free_ char *xml = xasprintf("<domain type='openvz'>%s</domain>", body);
	return parse(xml);
}

static void assert_ip(const struct ovz_ip *ip, const char *want)
{
	char buf[64];
	assert_true(ip->family == AF_INET || ip->family == AF_INET6);
	ovz_format_ip(ip, true, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void assert_strv(char **v, const char *const *want)
{
	size_t n = 0;
	for (; want[n]; n++) {
		assert_non_null(v);
		assert_non_null(v[n]);
		assert_string_equal(v[n], want[n]);
	}
	assert_int_equal(strv_len(v), n);
}

/* ---- model equality, for parse(format(d)) == d ---- */

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool strv_eq(char **a, char **b)
{
	size_t n = strv_len(a);
	if (n != strv_len(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool ip_eq(const struct ovz_ip *a, const struct ovz_ip *b)
{
	if (a->family != b->family)
		return false;
	return !a->family || (ovz_ip_equal(a, b) && a->prefix == b->prefix);
}

static bool iface_eq(const struct ovz_iface *a, const struct ovz_iface *b)
{
	if (a->type != b->type || strcmp(a->mac, b->mac) || strcmp(a->host_mac, b->host_mac) ||
	    strcmp(a->host_dev, b->host_dev) || strcmp(a->guest_dev, b->guest_dev) ||
	    strcmp(a->bridge, b->bridge) || a->n_ips != b->n_ips || !ip_eq(&a->gw4, &b->gw4) ||
	    !ip_eq(&a->gw6, &b->gw6))
		return false;
	for (size_t i = 0; i < a->n_ips; i++)
		if (!ip_eq(&a->ips[i], &b->ips[i]))
			return false;
	return true;
}

static void assert_domain_equal(const struct ovz_domain *a, const struct ovz_domain *b)
{
	assert_int_equal(a->ctid, b->ctid);
	assert_true(str_eq(a->name, b->name));
	assert_int_equal(a->has_uuid, b->has_uuid);
	assert_memory_equal(a->uuid, b->uuid, 16);
	assert_true(str_eq(a->description, b->description));
	assert_true(a->memory == b->memory && a->current_memory == b->current_memory);
	assert_true(a->mem_hard_limit == b->mem_hard_limit &&
		    a->mem_soft_limit == b->mem_soft_limit &&
		    a->mem_swap_hard_limit == b->mem_swap_hard_limit &&
		    a->mem_min_guarantee == b->mem_min_guarantee);
	assert_int_equal(a->vcpus, b->vcpus);
	assert_true(a->cpu_shares == b->cpu_shares && a->cpu_period == b->cpu_period &&
		    a->cpu_quota == b->cpu_quota);
	assert_true(str_eq(a->init, b->init));
	assert_true(strv_eq(a->init_args, b->init_args));
	assert_true(a->on_poweroff == b->on_poweroff && a->on_reboot == b->on_reboot &&
		    a->on_crash == b->on_crash);
	assert_true(str_eq(a->ostemplate, b->ostemplate));
	assert_true(str_eq(a->private_dir, b->private_dir));
	assert_true(a->space_soft_limit == b->space_soft_limit &&
		    a->space_hard_limit == b->space_hard_limit);
	assert_int_equal(a->n_mounts, b->n_mounts);
	for (size_t i = 0; i < a->n_mounts; i++) {
		assert_string_equal(a->mounts[i].source, b->mounts[i].source);
		assert_string_equal(a->mounts[i].target, b->mounts[i].target);
		assert_int_equal(a->mounts[i].readonly, b->mounts[i].readonly);
	}
	assert_int_equal(a->n_ifaces, b->n_ifaces);
	for (size_t i = 0; i < a->n_ifaces; i++)
		assert_true(iface_eq(&a->ifaces[i], &b->ifaces[i]));
	assert_true(strv_eq(a->netdevs, b->netdevs));
	assert_true(str_eq(a->hostname, b->hostname));
	assert_true(strv_eq(a->nameservers, b->nameservers));
	assert_true(strv_eq(a->searchdomains, b->searchdomains));
	assert_int_equal(a->autostart, b->autostart);
}

/* parse(format(d)) == d, and format is then a fixed point; returns the text. */
static char *assert_round_trip(const struct ovz_domain *d)
{
	char *text = ovz_xml_format(d);
	struct ovz_domain *back = parse(text);
	assert_domain_equal(d, back);
	_cleanup_free_ char *again = ovz_xml_format(back);
	assert_string_equal(text, again);
	ovz_domain_free(back);
	return text;
}

/* ---- the example files ---- */

static void test_example(void **state)
{
	struct ovz_domain *d = parse_data("example.xml");
	char uuid[37];
	assert_int_equal(d->ctid, 101);
	assert_string_equal(d->name, "web1");
	assert_true(d->has_uuid);
	ovz_format_uuid(d->uuid, uuid);
	assert_string_equal(uuid, "7d3e5a10-8c2b-4f6e-9a41-2b5c7d9e0f13");
	assert_int_equal(d->memory, 512 * 1024);
	assert_true(d->current_memory == OVZ_UNSET);
	assert_int_equal(d->vcpus, 2);
	assert_string_equal(d->ostemplate, "debian-12-x86_64-minimal");
	assert_null(d->private_dir);
	assert_int_equal(d->space_hard_limit, 10 * 1024 * 1024);
	assert_int_equal(d->space_soft_limit, 9 * 1024 * 1024);
	assert_int_equal(d->n_ifaces, 2);
	const struct ovz_iface *venet = &d->ifaces[0], *veth = &d->ifaces[1];
	assert_int_equal(venet->type, OVZ_IFACE_VENET);
	assert_int_equal(venet->n_ips, 2);
	assert_ip(&venet->ips[0], "10.0.0.101");
	assert_ip(&venet->ips[1], "2001:db8::101");
	assert_int_equal(veth->type, OVZ_IFACE_VETH);
	assert_string_equal(veth->bridge, "br0");
	assert_string_equal(veth->host_dev, "veth101.0");
	assert_string_equal(veth->guest_dev, "eth0");
	assert_string_equal(veth->mac, "00:18:51:0a:65:01");
	assert_string_equal(veth->host_mac, "");
	assert_string_equal(d->hostname, "web1.example.com");
	assert_strv(d->nameservers, (const char *const[]){ "192.0.2.53", "2001:db8::53", NULL });
	assert_null(d->searchdomains);
	assert_int_equal(d->autostart, OVZ_YES);
	assert_null(d->init);
	assert_int_equal(d->on_crash, OVZ_ACTION_UNSET);
	ovz_domain_free(d);
}

/* example.xml and full.xml are written in the canonical form. */
static void test_canonical_files_are_fixed_points(void **state)
{
	static const char *const names[] = { "example.xml", "full.xml" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *rel = xasprintf("xml/%s", names[i]);
		_cleanup_free_ char *path = tu_data(rel);
		_cleanup_free_ char *text = tu_read(path);
		struct ovz_domain *d = parse_data(names[i]);
		_cleanup_free_ char *out = ovz_xml_format(d);
		assert_string_equal(out, text);
		ovz_domain_free(d);
	}
}

static void test_docs_example_matches(void **state)
{
	const char *root = getenv("OVZ_SOURCE_ROOT");
	if (!root)
		TU_SKIP("OVZ_SOURCE_ROOT is not set");
	_cleanup_free_ char *doc_path = path_join(root, "/docs/examples/web1.xml");
	_cleanup_free_ char *data_path = tu_data("xml/example.xml");
	_cleanup_free_ char *doc = tu_read(doc_path), *data = tu_read(data_path);
	assert_non_null(doc);
	assert_string_equal(doc, data);
}

static void test_round_trip_files(void **state)
{
	static const char *const names[] = { "example.xml", "full.xml", "proposal.xml",
					     "libvirt-dumpxml.xml" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct ovz_domain *d = parse_data(names[i]);
		free(assert_round_trip(d));
		ovz_domain_free(d);
	}
}

static void test_proposal_is_example(void **state)
{
	struct ovz_domain *p = parse_data("proposal.xml");
	struct ovz_domain *e = parse_data("example.xml");
	assert_int_equal(p->ctid, 101);
	assert_string_equal(p->name, "web1");
	assert_memory_equal(p->uuid, e->uuid, 16);
	assert_string_equal(p->ostemplate, e->ostemplate);
	assert_int_equal(p->autostart, OVZ_YES);
	assert_string_equal(p->hostname, e->hostname);
	assert_true(strv_eq(p->nameservers, e->nameservers));
	assert_int_equal(p->n_ifaces, 1);
	assert_true(iface_eq(&p->ifaces[0], &e->ifaces[0]));
	ovz_domain_free(p);
	ovz_domain_free(e);
}

static void test_full(void **state)
{
	struct ovz_domain *d = parse_data("full.xml");
	assert_int_equal(d->ctid, 202);
	assert_string_equal(d->description,
			    "Database & cache\nsecond line <indented> 'quoted'");
	assert_int_equal(d->memory, 2097152);
	assert_int_equal(d->current_memory, 1048576);
	assert_int_equal(d->mem_hard_limit, 3145728);
	assert_int_equal(d->mem_soft_limit, 2621440);
	assert_int_equal(d->mem_swap_hard_limit, 4194304);
	assert_int_equal(d->mem_min_guarantee, 524288);
	assert_int_equal(d->vcpus, 4);
	assert_int_equal(d->cpu_shares, 2048);
	assert_int_equal(d->cpu_period, 100000);
	assert_int_equal(d->cpu_quota, -1);
	assert_string_equal(d->init, "/usr/lib/systemd/systemd");
	assert_strv(d->init_args, (const char *const[]){ "--log-level=info",
							 "--unit=multi-user.target", NULL });
	assert_int_equal(d->on_poweroff, OVZ_ACTION_DESTROY);
	assert_int_equal(d->on_reboot, OVZ_ACTION_RESTART);
	assert_int_equal(d->on_crash, OVZ_ACTION_PRESERVE);
	assert_null(d->ostemplate);
	assert_string_equal(d->private_dir, "/vz/private/202");
	assert_int_equal(d->space_hard_limit, 20971520);
	assert_int_equal(d->space_soft_limit, 18874368);
	assert_int_equal(d->n_mounts, 2);
	assert_string_equal(d->mounts[0].source, "/srv/db2/data");
	assert_string_equal(d->mounts[0].target, "/var/lib/postgresql");
	assert_false(d->mounts[0].readonly);
	assert_string_equal(d->mounts[1].target, "/mnt/shared");
	assert_true(d->mounts[1].readonly);
	assert_int_equal(d->n_ifaces, 3);
	const struct ovz_iface *veth = &d->ifaces[0];
	assert_int_equal(veth->type, OVZ_IFACE_VETH);
	assert_string_equal(veth->host_mac, "00:18:51:8f:d9:f3");
	assert_ip(&veth->ips[0], "192.0.2.202/24");
	assert_ip(&veth->ips[1], "2001:db8:1::202/64");
	assert_ip(&veth->gw4, "192.0.2.1");
	assert_ip(&veth->gw6, "2001:db8:1::1");
	assert_int_equal(d->ifaces[1].type, OVZ_IFACE_VENET);
	assert_ip(&d->ifaces[1].gw4, "10.0.0.1");
	assert_int_equal(d->ifaces[1].gw6.family, 0);
	assert_string_equal(d->ifaces[2].bridge, "br1");
	assert_string_equal(d->ifaces[2].host_dev, "");
	assert_string_equal(d->ifaces[2].mac, "");
	assert_strv(d->netdevs, (const char *const[]){ "eth7", "enp3s0f1", NULL });
	assert_strv(d->searchdomains,
		    (const char *const[]){ "example.com", "corp.example.com", NULL });
	assert_int_equal(d->autostart, OVZ_NO);
	ovz_domain_free(d);
}

/* libvirt's own output: one venet address per ethernet interface, MAC
 * 00:00:00:00:00:00 on them, clock, console, arch. */
static void test_libvirt_dumpxml(void **state)
{
	struct ovz_domain *d = parse_data("libvirt-dumpxml.xml");
	assert_int_equal(d->ctid, 105);
	assert_null(d->name);	/* libvirt named it by its CTID: it has no NAME */
	assert_int_equal(d->memory, 0);
	assert_int_equal(d->mem_hard_limit, 9007199254740991ull);
	assert_string_equal(d->init, "/sbin/init");
	assert_int_equal(d->space_hard_limit, 10485760);
	assert_int_equal(d->n_ifaces, 2);
	assert_int_equal(d->ifaces[0].type, OVZ_IFACE_VENET);
	assert_int_equal(d->ifaces[0].n_ips, 2);
	assert_ip(&d->ifaces[0].ips[1], "194.44.18.89");
	assert_string_equal(d->ifaces[1].mac, "00:18:51:c1:05:ee");
	ovz_domain_free(d);
}

/* ---- element by element ---- */

static void test_units(void **state)
{
	static const struct {
		const char *unit, *value;
		uint64_t kib;
	} cases[] = {
		{ NULL, "512", 512 },
		{ "b", "1", 1 }, { "bytes", "2048", 2 }, { "byte", "1025", 2 },
		{ "KB", "1", 1 }, { "KB", "1024", 1000 }, { "k", "3", 3 }, { "KiB", "7", 7 },
		{ "MB", "1", 977 }, { "M", "1", 1024 }, { "MiB", "512", 524288 },
		{ "GB", "1", 976563 }, { "G", "2", 2097152 }, { "GiB", "1", 1048576 },
		{ "TB", "1", 976562500 }, { "T", "1", 1073741824 }, { "TiB", "1", 1073741824 },
		{ "PB", "1", 976562500000ull }, { "P", "1", 1ull << 40 }, { "PiB", "1", 1ull << 40 },
		{ "EB", "1", 976562500000000ull }, { "E", "1", 1ull << 50 },
		{ "EiB", "1", 1ull << 50 }, { "mib", "1", 1024 }, { "gB", "1", 976563 },
		{ "b", "18446744073709551614", 18014398509481984ull },
		{ "KiB", "18446744073709551614", 18446744073709551614ull },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *unit = cases[i].unit ? xasprintf(" unit='%s'", cases[i].unit)
							 : xstrdup("");
		_cleanup_free_ char *body = xasprintf("<memory%s>%s</memory>", unit, cases[i].value);
		struct ovz_domain *d = parse_body(body);
		if (d->memory != cases[i].kib)
			fail_msg("%s %s: %llu KiB, want %llu", cases[i].value, unit,
				 (unsigned long long)d->memory, (unsigned long long)cases[i].kib);
		ovz_domain_free(d);
	}
}

static void test_memory_elements(void **state)
{
	struct ovz_domain *d = parse_body(
		"<currentMemory unit='MiB'>256</currentMemory>"
		"<memtune><min_guarantee unit='G'>1</min_guarantee>"
		"<swap_hard_limit>100</swap_hard_limit></memtune>");
	assert_true(d->memory == OVZ_UNSET);
	assert_int_equal(d->current_memory, 262144);
	assert_int_equal(d->mem_min_guarantee, 1048576);
	assert_int_equal(d->mem_swap_hard_limit, 100);
	assert_true(d->mem_hard_limit == OVZ_UNSET && d->mem_soft_limit == OVZ_UNSET);
	free(assert_round_trip(d));
	ovz_domain_free(d);
}

static void test_vcpu_and_cputune(void **state)
{
	struct ovz_domain *d = parse_body("<vcpu current='3'>3</vcpu>"
					  "<cputune><quota>50000</quota></cputune>");
	assert_int_equal(d->vcpus, 3);
	assert_int_equal(d->cpu_quota, 50000);
	assert_true(d->cpu_shares == OVZ_UNSET && d->cpu_period == OVZ_UNSET);
	ovz_domain_free(d);
	d = parse_body("<cputune><shares>0</shares><period>1000</period></cputune>");
	assert_int_equal(d->cpu_shares, 0);
	assert_int_equal(d->cpu_period, 1000);
	assert_int_equal(d->cpu_quota, 0);
	free(assert_round_trip(d));
	ovz_domain_free(d);
}

static void test_os(void **state)
{
	struct ovz_domain *d = parse_body("<os><type arch='i686'>exe</type><init>/bin/sh</init>"
					  "<initarg>-c</initarg><initarg> echo  hi </initarg></os>");
	assert_string_equal(d->init, "/bin/sh");
	/* arguments keep their spaces */
	assert_strv(d->init_args, (const char *const[]){ "-c", " echo  hi ", NULL });
	free(assert_round_trip(d));
	ovz_domain_free(d);
	d = parse_body("<os/>");
	assert_null(d->init);
	assert_null(d->init_args);
	ovz_domain_free(d);
}

static void test_lifecycle_actions(void **state)
{
	static const char *const names[] = { "destroy", "restart", "preserve", "rename-restart",
					     "coredump-destroy", "coredump-restart" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *body = xasprintf(
			"<on_poweroff>%s</on_poweroff><on_reboot>%s</on_reboot><on_crash>%s</on_crash>",
			names[i], names[i], names[i]);
		struct ovz_domain *d = parse_body(body);
		assert_string_equal(ovz_action_name(d->on_poweroff), names[i]);
		assert_string_equal(ovz_action_name(d->on_reboot), names[i]);
		assert_string_equal(ovz_action_name(d->on_crash), names[i]);
		free(assert_round_trip(d));
		ovz_domain_free(d);
	}
}

static void test_ctid_sources(void **state)
{
	struct ovz_domain *d = parse("<domain type='openvz' id='7'><name>web</name></domain>");
	assert_int_equal(d->ctid, 7);
	ovz_domain_free(d);
	/* a numeric name is the CTID when there is no id */
	d = parse_body("<name>2147483647</name>");
	assert_int_equal(d->ctid, 2147483647u);
	assert_null(d->name);
	ovz_domain_free(d);
	/* both, agreeing */
	d = parse("<domain type='openvz' id='101'><name>101</name><vpsid>101</vpsid></domain>");
	assert_int_equal(d->ctid, 101);
	ovz_domain_free(d);
	/* no CTID at all is for the caller to assign */
	d = parse_body("<name>web1</name>");
	assert_int_equal(d->ctid, 0);
	ovz_domain_free(d);
	d = parse_body("");
	assert_int_equal(d->ctid, 0);
	assert_null(d->name);
	ovz_domain_free(d);
}

static void test_uuid_forms(void **state)
{
	struct ovz_domain *d = parse_body("<uuid>7D3E5A108C2B4F6E9A412B5C7D9E0F13</uuid>");
	char uuid[37];
	ovz_format_uuid(d->uuid, uuid);
	assert_string_equal(uuid, "7d3e5a10-8c2b-4f6e-9a41-2b5c7d9e0f13");
	ovz_domain_free(d);
}

static void test_template_filesystem(void **state)
{
	struct ovz_domain *d = parse_body(
		"<devices><filesystem type='template'><target dir='/'/>"
		"<space_soft_limit unit='GiB'>9</space_soft_limit>"
		"<source name='centos-6-x86_64'/>"
		"<space_hard_limit unit='GB'>10</space_hard_limit></filesystem></devices>");
	assert_string_equal(d->ostemplate, "centos-6-x86_64");
	assert_int_equal(d->space_soft_limit, 9437184);
	assert_int_equal(d->space_hard_limit, 9765625);
	ovz_domain_free(d);
	/* hard alone is fine */
	d = parse_body("<devices><filesystem type='template'><source name='t'/><target dir='/'/>"
		       "<space_hard_limit>5</space_hard_limit></filesystem></devices>");
	assert_int_equal(d->space_hard_limit, 5);
	assert_true(d->space_soft_limit == OVZ_UNSET);
	free(assert_round_trip(d));
	ovz_domain_free(d);
}

static void test_mount_filesystems(void **state)
{
	struct ovz_domain *d = parse_body(
		"<devices>"
		"<filesystem type='mount'><source dir='/data'/><target dir='/srv/'/><readonly/>"
		"</filesystem>"
		"<filesystem type='mount'><source dir='/vz/private/9'/><target dir='/'/>"
		"</filesystem></devices>");
	assert_string_equal(d->private_dir, "/vz/private/9");
	assert_null(d->ostemplate);
	assert_int_equal(d->n_mounts, 1);
	assert_string_equal(d->mounts[0].source, "/data");
	assert_string_equal(d->mounts[0].target, "/srv/");
	assert_true(d->mounts[0].readonly);
	free(assert_round_trip(d));
	ovz_domain_free(d);
}

/* All ethernet interfaces are the one venet interface. */
static void test_venet_interfaces_merge(void **state)
{
	struct ovz_domain *d = parse_body(
		"<devices>"
		"<interface type='bridge'><source bridge='br0'/></interface>"
		"<interface type='ethernet'><ip address='10.1.1.1' prefix='8'/></interface>"
		"<interface type='bridge'><source bridge='br1'/></interface>"
		"<interface type='ethernet'><ip address='fe80::1' family='ipv6' prefix='64'/>"
		"<route gateway='fe80::ff'/></interface>"
		"</devices>");
	assert_int_equal(d->n_ifaces, 3);
	assert_int_equal(d->ifaces[1].type, OVZ_IFACE_VENET);
	assert_int_equal(d->ifaces[1].n_ips, 2);
	assert_ip(&d->ifaces[1].ips[0], "10.1.1.1/8");
	assert_ip(&d->ifaces[1].ips[1], "fe80::1/64");
	assert_ip(&d->ifaces[1].gw6, "fe80::ff");
	assert_string_equal(d->ifaces[2].bridge, "br1");
	free(assert_round_trip(d));
	ovz_domain_free(d);
}

static void test_veth_interface(void **state)
{
	struct ovz_domain *d = parse(
		"<domain type='openvz'>"
		"<metadata><ovz:container " NS "><ovz:hostmac dev='veth5.1' address='02:AA:bb:cc:dd:ee'/>"
		"</ovz:container></metadata>"
		"<devices><interface type='bridge'>"
		"<guest dev='eth1'/><target dev='veth5.1'/><mac address='00:18:51:AB:CD:EF'/>"
		"<ip address='192.0.2.5' family='ipv4' prefix='32'/>"
		"<route family='ipv4' address='0.0.0.0' prefix='0' gateway='192.0.2.1'/>"
		"<route family='ipv6' address='::' gateway='2001:db8::1'/>"
		"</interface></devices></domain>");
	const struct ovz_iface *f = &d->ifaces[0];
	assert_int_equal(f->type, OVZ_IFACE_VETH);
	assert_string_equal(f->mac, "00:18:51:ab:cd:ef");
	assert_string_equal(f->host_mac, "02:aa:bb:cc:dd:ee");
	assert_string_equal(f->host_dev, "veth5.1");
	assert_string_equal(f->guest_dev, "eth1");
	assert_string_equal(f->bridge, "");
	assert_ip(&f->ips[0], "192.0.2.5/32");
	assert_ip(&f->gw4, "192.0.2.1");
	assert_ip(&f->gw6, "2001:db8::1");
	free(assert_round_trip(d));
	ovz_domain_free(d);
}

static void test_metadata(void **state)
{
	struct ovz_domain *d = parse(
		"<domain type='openvz'><metadata>"
		"<app:settings xmlns:app='urn:example:app'><app:x a='1'>y</app:x></app:settings>"
		"<ovz:container " NS "><ovz:searchdomain>a.example</ovz:searchdomain>"
		"<ovz:autostart>no</ovz:autostart><ovz:nameserver>2001:DB8:0::53</ovz:nameserver>"
		"<ovz:hostname>h</ovz:hostname></ovz:container>"
		"</metadata></domain>");
	assert_strv(d->searchdomains, (const char *const[]){ "a.example", NULL });
	assert_int_equal(d->autostart, OVZ_NO);
	assert_strv(d->nameservers, (const char *const[]){ "2001:db8::53", NULL });
	assert_string_equal(d->hostname, "h");
	free(assert_round_trip(d));
	ovz_domain_free(d);
	/* the namespace prefix is the document's choice */
	d = parse("<domain type='openvz'><metadata><x:container xmlns:x='" OVZ_XML_NS "'>"
		  "<x:hostname>other</x:hostname></x:container></metadata></domain>");
	assert_string_equal(d->hostname, "other");
	ovz_domain_free(d);
}

/* ---- the 2007 proposal form ---- */

static void test_proposal_network(void **state)
{
	struct ovz_domain *d = parse_body(
		"<vpsid>150</vpsid><template>fedora-9-i386-minimal</template>"
		"<network><ip address='192.0.2.150' netmask='255.255.255.0' defgw='192.0.2.1'/>"
		"<ip address='192.0.2.151' netmask='255.255.255.255' defgw='192.0.2.1'/>"
		"<ip address='2001:db8::150' defgw='2001:db8::1'/>"
		"<hostname>ct150.example.com</hostname>"
		"<nameserver>192.0.2.53</nameserver><nameserver>192.0.2.54</nameserver>"
		"</network>");
	assert_int_equal(d->ctid, 150);
	assert_string_equal(d->ostemplate, "fedora-9-i386-minimal");
	assert_int_equal(d->n_ifaces, 1);
	const struct ovz_iface *f = &d->ifaces[0];
	assert_int_equal(f->type, OVZ_IFACE_VENET);
	assert_ip(&f->ips[0], "192.0.2.150/24");
	assert_ip(&f->ips[1], "192.0.2.151/32");
	assert_ip(&f->ips[2], "2001:db8::150");
	assert_ip(&f->gw4, "192.0.2.1");
	assert_ip(&f->gw6, "2001:db8::1");
	assert_string_equal(d->hostname, "ct150.example.com");
	assert_strv(d->nameservers, (const char *const[]){ "192.0.2.53", "192.0.2.54", NULL });
	free(assert_round_trip(d));
	ovz_domain_free(d);
}

static void test_proposal_onboot(void **state)
{
	static const struct {
		const char *v;
		enum ovz_tristate want;
	} cases[] = { { "true", OVZ_YES }, { "yes", OVZ_YES }, { "1", OVZ_YES },
		      { "false", OVZ_NO }, { "no", OVZ_NO }, { "0", OVZ_NO } };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *body = xasprintf("<onboot>%s</onboot>", cases[i].v);
		struct ovz_domain *d = parse_body(body);
		assert_int_equal(d->autostart, cases[i].want);
		ovz_domain_free(d);
	}
}

static void test_proposal_os_template(void **state)
{
	struct ovz_domain *d = parse_body("<os template='slackware-10.2-i386-minimal'/>");
	assert_string_equal(d->ostemplate, "slackware-10.2-i386-minimal");
	_cleanup_free_ char *text = assert_round_trip(d);
	/* the output is always canonical */
	assert_non_null(strstr(text, "<filesystem type='template'>"));
	assert_null(strstr(text, "template='"));
	ovz_domain_free(d);
}

/* ---- accepted and ignored; lenient spelling ---- */

static void test_ignored_elements(void **state)
{
	struct ovz_domain *d = parse_body(
		"<title>a title</title><clock offset='utc'/>"
		"<features><privnet/><acpi/><apic/><pae/></features>"
		"<vcpu placement='static'>1</vcpu>"
		"<devices><console type='pty'><target type='openvz' port='0'/></console>"
		"<interface type='ethernet'><mac address='00:00:00:00:00:00'/>"
		"<ip address='10.0.0.1'/></interface></devices>");
	assert_int_equal(d->vcpus, 1);
	_cleanup_free_ char *text = ovz_xml_format(d);
	assert_null(strstr(text, "title"));
	assert_null(strstr(text, "clock"));
	assert_null(strstr(text, "console"));
	assert_null(strstr(text, "mac"));
	ovz_domain_free(d);
}

static void test_whitespace_trimmed(void **state)
{
	struct ovz_domain *d = parse("<?xml version='1.0' encoding='UTF-8'?>\n"
				     "<!-- comment -->\n"
				     "<domain type='openvz' id=' 12 '>\n"
				     "  <name>\n    web12\n  </name>\n"
				     "  <memory unit='MiB'> 64 </memory>\n"
				     "  <vcpu>\n    1\n  </vcpu>\n"
				     "  <devices><interface type='ethernet'>"
				     "<ip address=' 10.0.0.12 ' prefix=' 24'/></interface></devices>\n"
				     "</domain>\n");
	assert_int_equal(d->ctid, 12);
	assert_string_equal(d->name, "web12");
	assert_int_equal(d->memory, 65536);
	assert_int_equal(d->vcpus, 1);
	assert_ip(&d->ifaces[0].ips[0], "10.0.0.12/24");
	ovz_domain_free(d);
}

/* ---- format ---- */

static void test_format_empty_model(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	_cleanup_free_ char *text = assert_round_trip(d);
	assert_string_equal(text, "<domain type='openvz'>\n"
				  "  <os>\n"
				  "    <type>exe</type>\n"
				  "  </os>\n"
				  "</domain>\n");
	ovz_domain_free(d);
}

static void test_format_escapes(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = 4000;
	d->name = xstrdup("a&b<c>'d\"");
	d->description = xstrdup("line\r\nnext\ttab & <x> ' \" ]]>\n  ");
	strv_push(&d->init_args, xstrdup("a'b\"c"));
	strv_push(&d->init_args, xstrdup("\ttab\nnl\r"));
	strv_push(&d->init_args, xstrdup(""));
	struct ovz_bind_mount *m = ovz_domain_add_mount(d);
	m->source = xstrdup("/srv/it's \"here\" & <there>");
	m->target = xstrdup("/a b");
	_cleanup_free_ char *text = assert_round_trip(d);
	assert_non_null(strstr(text, "<name>a&amp;b&lt;c&gt;'d\"</name>"));
	assert_non_null(strstr(text, "<source dir='/srv/it&apos;s \"here\" &amp; &lt;there&gt;'/>"));
	assert_non_null(strstr(text, "line&#13;\nnext\ttab &amp; &lt;x&gt; ' \" ]]&gt;\n  </description>"));
	ovz_domain_free(d);
}

/* Whitespace other than a space in an attribute would come back as a space;
 * the parser never lets one through, the formatter still writes it safely. */
static void test_format_attribute_whitespace(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	struct ovz_bind_mount *m = ovz_domain_add_mount(d);
	m->source = xstrdup("/a\tb\nc\rd");
	m->target = xstrdup("/x\x01y");
	_cleanup_free_ char *text = ovz_xml_format(d);
	assert_non_null(strstr(text, "<source dir='/a&#9;b&#10;c&#13;d'/>"));
	assert_non_null(strstr(text, "<target dir='/xy'/>"));
	ovz_domain_free(d);
}

static void test_format_models(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = OVZ_CTID_MAX;
	d->memory = OVZ_UNSET - 1;
	d->current_memory = 0;
	d->cpu_quota = 17592186044415LL;
	d->cpu_shares = OVZ_UNSET - 1;
	d->vcpus = 4294967295u;
	d->autostart = OVZ_NO;
	d->ostemplate = xstrdup("t");
	d->space_soft_limit = 1;
	d->space_hard_limit = 2;
	struct ovz_iface *f = ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	strcpy(f->host_dev, "h");
	strcpy(f->host_mac, "00:18:51:00:00:01");
	struct ovz_ip ip;
	assert_null(ovz_parse_ip("::", 0, &ip));
	ovz_iface_add_ip(f, &ip);
	assert_null(ovz_parse_ip("0.0.0.0/0", 0, &ip));
	ovz_iface_add_ip(f, &ip);
	free(assert_round_trip(d));
	ovz_domain_free(d);
}

/* Parts of a model XML cannot carry are left out, so that what is written
 * always reads back. */
static void test_format_leaves_out_unwritable(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	struct ovz_iface *venet = ovz_domain_add_iface(d, OVZ_IFACE_VENET);
	assert_null(ovz_parse_ip("10.0.0.1", 0, &venet->gw4));
	struct ovz_iface *veth = ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	strcpy(veth->host_mac, "00:18:51:00:00:01");	/* no target dev to tie it to */
	_cleanup_free_ char *text = ovz_xml_format(d);
	assert_string_equal(text, "<domain type='openvz'>\n"
				  "  <os>\n"
				  "    <type>exe</type>\n"
				  "  </os>\n"
				  "  <devices>\n"
				  "    <interface type='bridge'>\n"
				  "    </interface>\n"
				  "  </devices>\n"
				  "</domain>\n");
	struct ovz_domain *back = parse(text);
	assert_int_equal(back->n_ifaces, 1);
	ovz_domain_free(back);
	ovz_domain_free(d);
}

static void test_format_element_order(void **state)
{
	struct ovz_domain *d = parse_data("full.xml");
	_cleanup_free_ char *text = ovz_xml_format(d);
	static const char *const order[] = {
		"<name>", "<uuid>", "<description>", "<metadata>", "<memory ", "<currentMemory ",
		"<memtune>", "<vcpu ", "<cputune>", "<os>", "<on_poweroff>", "<on_reboot>",
		"<on_crash>", "<devices>", "<filesystem ", "<interface ", "</domain>",
	};
	const char *prev = text;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const char *at = strstr(text, order[i]);
		assert_non_null(at);
		assert_true(at > prev || i == 0);
		prev = at;
	}
	ovz_domain_free(d);
}

/* ---- threads ---- */

static void *parse_many(void *arg)
{
	const char *xml = arg;
	for (int i = 0; i < 200; i++) {
		struct ovz_domain *d = NULL;
		struct ovz_error *e = NULL;
		if (ovz_xml_parse(xml, strlen(xml), "t.xml", &d, &e) < 0)
			return (void *)1;
		free(ovz_xml_format(d));
		ovz_domain_free(d);
		const char *bad = "<domain type='openvz'><vcpu>0</vcpu></domain>";
		if (ovz_xml_parse(bad, strlen(bad), "b.xml", &d, &e) != -EINVAL ||
		    strcmp(ovz_error_message(e), "b.xml:1: vcpu: must not be 0 (0)") != 0)
			return (void *)2;
		ovz_error_free(e);
	}
	return NULL;
}

static void test_threads(void **state)
{
	_cleanup_free_ char *path = tu_data("xml/full.xml");
	_cleanup_free_ char *xml = tu_read(path);
	pthread_t t[4];
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		assert_int_equal(pthread_create(&t[i], NULL, parse_many, xml), 0);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		void *r;
		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_canonical_files_are_fixed_points),
		cmocka_unit_test(test_docs_example_matches),
		cmocka_unit_test(test_round_trip_files),
		cmocka_unit_test(test_proposal_is_example),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_libvirt_dumpxml),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_memory_elements),
		cmocka_unit_test(test_vcpu_and_cputune),
		cmocka_unit_test(test_os),
		cmocka_unit_test(test_lifecycle_actions),
		cmocka_unit_test(test_ctid_sources),
		cmocka_unit_test(test_uuid_forms),
		cmocka_unit_test(test_template_filesystem),
		cmocka_unit_test(test_mount_filesystems),
		cmocka_unit_test(test_venet_interfaces_merge),
		cmocka_unit_test(test_veth_interface),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_proposal_network),
		cmocka_unit_test(test_proposal_onboot),
		cmocka_unit_test(test_proposal_os_template),
		cmocka_unit_test(test_ignored_elements),
		cmocka_unit_test(test_whitespace_trimmed),
		cmocka_unit_test(test_format_empty_model),
		cmocka_unit_test(test_format_escapes),
		cmocka_unit_test(test_format_attribute_whitespace),
		cmocka_unit_test(test_format_models),
		cmocka_unit_test(test_format_leaves_out_unwritable),
		cmocka_unit_test(test_format_element_order),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests_name("xml", tests, NULL, NULL);
}
