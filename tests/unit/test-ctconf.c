// SPDX-License-Identifier: LGPL-2.1-or-later
/* The model in CTID.conf: golden output for a rich model, model -> conf ->
 * model equality, byte-identical rewrites, vzctl-made configs, rejections. */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ctconf.h"
#include "core/error.h"
#include "core/util.h"

/* ---- helpers ---------------------------------------------------------- */

static struct ovz_conf *conf_of(const char *text)
{
	struct ovz_conf *c = NULL;
	struct ovz_error *e = NULL;
	if (ovz_conf_parse(text, strlen(text), "t.conf", &c, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	return c;
}

static struct ovz_domain *model_of(const struct ovz_conf *c, unsigned ctid)
{
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	if (ovz_domain_from_conf(c, ctid, "t.conf", NULL, &d, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	assert_null(e);
	return d;
}

static char *text_of(const struct ovz_conf *c)
{
	return ovz_conf_format(c, NULL);
}

static struct ovz_vzconf *default_vz(void)
{
	char *root = tu_mkdtemp();
	struct ovz_vzconf *vz = NULL;
	assert_int_equal(ovz_vzconf_load(root, &vz, NULL), 0);
	tu_rmrf(root);
	free(root);
	return vz;
}

static struct ovz_ip ip_of(const char *s)
{
	struct ovz_ip ip;
	assert_null(ovz_parse_ip(s, 0, &ip));
	return ip;
}

static char **strv_of(const char *s)
{
	return strv_split(s, " ");
}

static void assert_str_eq(const char *what, const char *a, const char *b)
{
	if (a == b || (a && b && strcmp(a, b) == 0))
		return;
	fail_msg("%s: '%s' != '%s'", what, a ? a : "(null)", b ? b : "(null)");
}

static void assert_strv_eq(const char *what, char **a, char **b)
{
	size_t n = strv_len(a);
	if (n != strv_len(b))
		fail_msg("%s: %zu != %zu entries", what, n, strv_len(b));
	for (size_t i = 0; i < n; i++)
		assert_str_eq(what, a[i], b[i]);
}

static void assert_u64_eq(const char *what, uint64_t a, uint64_t b)
{
	if (a != b)
		fail_msg("%s: %llu != %llu", what, (unsigned long long)a, (unsigned long long)b);
}

static void assert_ip_eq(const struct ovz_ip *a, const struct ovz_ip *b)
{
	assert_int_equal(a->family, b->family);
	if (a->family)
		assert_true(ovz_ip_equal(a, b));
	if (a->family)
		assert_int_equal(a->prefix, b->prefix);
}

static void assert_iface_eq(const struct ovz_iface *a, const struct ovz_iface *b)
{
	assert_int_equal(a->type, b->type);
	assert_string_equal(a->mac, b->mac);
	assert_string_equal(a->host_mac, b->host_mac);
	assert_string_equal(a->host_dev, b->host_dev);
	assert_string_equal(a->guest_dev, b->guest_dev);
	assert_string_equal(a->bridge, b->bridge);
	assert_int_equal(a->n_ips, b->n_ips);
	for (size_t i = 0; i < a->n_ips; i++)
		assert_ip_eq(&a->ips[i], &b->ips[i]);
	assert_ip_eq(&a->gw4, &b->gw4);
	assert_ip_eq(&a->gw6, &b->gw6);
}

static void assert_domain_eq(const struct ovz_domain *a, const struct ovz_domain *b)
{
	assert_int_equal(a->ctid, b->ctid);
	assert_str_eq("name", a->name, b->name);
	assert_int_equal(a->has_uuid, b->has_uuid);
	assert_memory_equal(a->uuid, b->uuid, 16);
	assert_str_eq("description", a->description, b->description);
	assert_u64_eq("memory", a->memory, b->memory);
	assert_u64_eq("current_memory", a->current_memory, b->current_memory);
	assert_u64_eq("mem_hard_limit", a->mem_hard_limit, b->mem_hard_limit);
	assert_u64_eq("mem_soft_limit", a->mem_soft_limit, b->mem_soft_limit);
	assert_u64_eq("mem_swap_hard_limit", a->mem_swap_hard_limit, b->mem_swap_hard_limit);
	assert_u64_eq("mem_min_guarantee", a->mem_min_guarantee, b->mem_min_guarantee);
	assert_int_equal(a->vcpus, b->vcpus);
	assert_u64_eq("cpu_shares", a->cpu_shares, b->cpu_shares);
	assert_u64_eq("cpu_period", a->cpu_period, b->cpu_period);
	assert_int_equal(a->cpu_quota, b->cpu_quota);
	assert_str_eq("init", a->init, b->init);
	assert_strv_eq("init_args", a->init_args, b->init_args);
	assert_int_equal(a->on_poweroff, b->on_poweroff);
	assert_int_equal(a->on_reboot, b->on_reboot);
	assert_int_equal(a->on_crash, b->on_crash);
	assert_str_eq("ostemplate", a->ostemplate, b->ostemplate);
	assert_str_eq("private_dir", a->private_dir, b->private_dir);
	assert_u64_eq("space_soft_limit", a->space_soft_limit, b->space_soft_limit);
	assert_u64_eq("space_hard_limit", a->space_hard_limit, b->space_hard_limit);
	assert_int_equal(a->n_mounts, b->n_mounts);
	for (size_t i = 0; i < a->n_mounts; i++) {
		assert_string_equal(a->mounts[i].source, b->mounts[i].source);
		assert_string_equal(a->mounts[i].target, b->mounts[i].target);
		assert_int_equal(a->mounts[i].readonly, b->mounts[i].readonly);
	}
	assert_int_equal(a->n_ifaces, b->n_ifaces);
	for (size_t i = 0; i < a->n_ifaces; i++)
		assert_iface_eq(&a->ifaces[i], &b->ifaces[i]);
	assert_strv_eq("netdevs", a->netdevs, b->netdevs);
	assert_str_eq("hostname", a->hostname, b->hostname);
	assert_strv_eq("nameservers", a->nameservers, b->nameservers);
	assert_strv_eq("searchdomains", a->searchdomains, b->searchdomains);
	assert_int_equal(a->autostart, b->autostart);
}

/* to_conf(from_conf(c)) applied to c must not change a byte. */
static void assert_rewrite_identical(struct ovz_conf *c, const struct ovz_vzconf *vz,
				     unsigned ctid)
{
	char *before = text_of(c);
	struct ovz_domain *d = model_of(c, ctid);
	ovz_domain_to_conf(d, vz, c);
	char *after = text_of(c);
	assert_string_equal(after, before);
	ovz_domain_free(d);
	free(before);
	free(after);
}

static struct ovz_domain *rich_model(void)
{
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = 101;
	d->name = xstrdup("web1");
	assert_null(ovz_parse_uuid("7e3c6a52-1f0b-4d3e-9a8c-5b2d4e6f8a10", d->uuid));
	d->has_uuid = true;
	d->description = xstrdup("Web server second line \"quoted\" C:\\path back\\123slash");
	d->autostart = OVZ_YES;
	d->memory = 1048576;
	d->current_memory = 524288;
	d->mem_hard_limit = 2097152;
	d->mem_soft_limit = 1572864;
	d->mem_swap_hard_limit = 1572864;
	d->mem_min_guarantee = 262144;
	d->vcpus = 2;
	d->cpu_shares = 1000;
	d->cpu_quota = 50000;
	d->cpu_period = 100000;
	d->init = xstrdup("/sbin/my init");
	d->init_args = strv_of("--flag x\ty back\\123slash");
	d->on_poweroff = OVZ_ACTION_DESTROY;
	d->on_reboot = OVZ_ACTION_RESTART;
	d->on_crash = OVZ_ACTION_PRESERVE;
	d->ostemplate = xstrdup("centos-6-x86_64");
	d->space_soft_limit = 10485760;
	d->space_hard_limit = 11534336;
	struct ovz_bind_mount *m = ovz_domain_add_mount(d);
	m->source = xstrdup("/srv/data");
	m->target = xstrdup("/data");
	m = ovz_domain_add_mount(d);
	m->source = xstrdup("/srv/a:b c");
	m->target = xstrdup("/mnt/x");
	m->readonly = true;

	struct ovz_iface *f = ovz_domain_add_iface(d, OVZ_IFACE_VENET);
	const char *venet_ips[] = { "10.0.0.5/24", "2001:db8::5/64", "10.0.0.6" };
	for (size_t i = 0; i < 3; i++) {
		struct ovz_ip ip = ip_of(venet_ips[i]);
		ovz_iface_add_ip(f, &ip);
	}
	f->gw4 = ip_of("10.0.0.1");
	f->gw6 = ip_of("2001:db8::1");

	f = ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	strcpy(f->guest_dev, "eth0");
	strcpy(f->mac, "00:18:51:aa:bb:cc");
	strcpy(f->host_dev, "veth101.0");
	strcpy(f->host_mac, "00:18:51:dd:ee:ff");
	strcpy(f->bridge, "br0");
	struct ovz_ip ip = ip_of("192.168.1.5/24");
	ovz_iface_add_ip(f, &ip);
	f->gw4 = ip_of("192.168.1.1");

	f = ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	strcpy(f->guest_dev, "eth1");
	strcpy(f->mac, "00:18:51:00:00:01");
	ip = ip_of("fd00::7/64");
	ovz_iface_add_ip(f, &ip);
	f->gw6 = ip_of("fd00::1");

	d->netdevs = strv_of("eth5 enp3s0f1");
	d->hostname = xstrdup("web1.example.org");
	d->nameservers = strv_of("192.0.2.53 2001:db8::53");
	d->searchdomains = strv_of("example.org corp.example");
	return d;
}

static const char rich_text[] =
	"NAME=\"web1\"\n"
	"DESCRIPTION=\"Web server second line \\\"quoted\\\" C:\\\\path back\\\\123slash\"\n"
	"ONBOOT=\"yes\"\n"
	"OSTEMPLATE=\"centos-6-x86_64\"\n"
	"VE_ROOT=\"/vz/root/$VEID\"\n"
	"VE_PRIVATE=\"/vz/private/$VEID\"\n"
	"DISKSPACE=\"10485760:11534336\"\n"
	"PHYSPAGES=\"131072:262144\"\n"
	"SWAPPAGES=\"0:131072\"\n"
	"PRIVVMPAGES=\"393216:524288\"\n"
	"VMGUARPAGES=\"65536:unlimited\"\n"
	"CPUS=\"2\"\n"
	"CPUUNITS=\"1000\"\n"
	"CPULIMIT=\"50\"\n"
	"HOSTNAME=\"web1.example.org\"\n"
	"NAMESERVER=\"192.0.2.53 2001:db8::53\"\n"
	"SEARCHDOMAIN=\"example.org corp.example\"\n"
	"IP_ADDRESS=\"10.0.0.5/24 2001:db8::5/64 10.0.0.6\"\n"
	"GATEWAY=\"10.0.0.1\"\n"
	"GATEWAY6=\"2001:db8::1\"\n"
	"NETIF=\"ifname=eth0,mac=00:18:51:aa:bb:cc,host_ifname=veth101.0,"
	"host_mac=00:18:51:dd:ee:ff,bridge=br0;ifname=eth1,mac=00:18:51:00:00:01\"\n"
	"NETIF_IP=\"ifname=eth0,ip=192.168.1.5/24,gw=192.168.1.1;ifname=eth1,ip=fd00::7/64,"
	"gw6=fd00::1\"\n"
	"NETDEV=\"eth5 enp3s0f1\"\n"
	/* the config layer doubles the backslashes of these keys' own escapes,
	 * since vzctl's reader drops one */
	"BINDMOUNT=\"/srv/data:/data /srv/a\\\\072b\\\\040c:/mnt/x:ro\"\n"
	"INIT=\"/sbin/my init\"\n"
	"INIT_ARGS=\"--flag x\\\\011y back\\\\134123slash\"\n"
	"ON_POWEROFF=\"destroy\"\n"
	"ON_REBOOT=\"restart\"\n"
	"ON_CRASH=\"preserve\"\n"
	"#UUID: 7e3c6a52-1f0b-4d3e-9a8c-5b2d4e6f8a10\n"
	"DISKINODES=\"9223372036854775807:9223372036854775807\"\n";

/* ---- tests ------------------------------------------------------------ */

static void test_rich_model_golden(void **state)
{
	if (sysconf(_SC_PAGESIZE) != 4096)
		print_message("# page size is not 4096: golden text not compared\n");
	struct ovz_domain *d = rich_model();
	struct ovz_vzconf *vz = default_vz();
	struct ovz_conf *c = ovz_conf_new();
	ovz_domain_to_conf(d, vz, c);
	char *text = text_of(c);
	if (sysconf(_SC_PAGESIZE) == 4096)
		assert_string_equal(text, rich_text);

	struct ovz_domain *back = model_of(c, 101);
	assert_domain_eq(back, d);
	assert_rewrite_identical(c, vz, 101);

	/* writing the same model again changes nothing either */
	ovz_domain_to_conf(d, vz, c);
	char *again = text_of(c);
	assert_string_equal(again, text);

	free(again);
	free(text);
	ovz_domain_free(back);
	ovz_conf_free(c);
	ovz_vzconf_free(vz);
	ovz_domain_free(d);
}

static void test_roundtrip_through_file(void **state)
{
	char *dir = tu_mkdtemp();
	char *path = xasprintf("%s/101.conf", dir);
	struct ovz_domain *d = rich_model();
	struct ovz_vzconf *vz = default_vz();
	struct ovz_conf *c = ovz_conf_new();
	ovz_domain_to_conf(d, vz, c);
	assert_int_equal(ovz_conf_save(c, path, NULL), 0);
	struct ovz_conf *loaded = NULL;
	assert_int_equal(ovz_conf_load(path, &loaded, NULL), 0);
	struct ovz_domain *back = model_of(loaded, 101);
	assert_domain_eq(back, d);
	ovz_domain_free(back);
	ovz_conf_free(loaded);
	ovz_conf_free(c);
	ovz_vzconf_free(vz);
	ovz_domain_free(d);
	tu_rmrf(dir);
	free(path);
	free(dir);
}

static void test_minimal_model(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = 7;
	struct ovz_vzconf *vz = default_vz();
	struct ovz_conf *c = ovz_conf_new();
	ovz_domain_to_conf(d, vz, c);
	char *text = text_of(c);
	/* a new file: what vzctl create writes, the quota vzctl's start needs */
	assert_string_equal(text, "VE_ROOT=\"/vz/root/$VEID\"\nVE_PRIVATE=\"/vz/private/$VEID\"\n"
				  "DISKSPACE=\"9223372036854775807:9223372036854775807\"\nDISKINODES=\"9223372036854775807:9223372036854775807\"\n");
	struct ovz_domain *back = model_of(c, 7);
	assert_domain_eq(back, d);
	ovz_domain_free(back);
	free(text);
	ovz_conf_free(c);
	ovz_vzconf_free(vz);
	ovz_domain_free(d);
}

static void test_vzctl_ubc_config(void **state)
{
	char *path = tu_data("conf/vzctl-ubc.conf");
	struct ovz_conf *c = NULL;
	assert_int_equal(ovz_conf_load(path, &c, NULL), 0);
	struct ovz_domain *d = model_of(c, 105);
	uint64_t pk = (uint64_t)sysconf(_SC_PAGESIZE) / 1024;

	assert_int_equal(d->autostart, OVZ_YES);
	assert_string_equal(d->ostemplate, "rhel-5-lystor");
	assert_null(d->private_dir);
	assert_string_equal(d->hostname, "ct105.example.org");
	assert_u64_eq("memory", d->memory, OVZ_UNSET);	/* 0:LONG_MAX */
	assert_u64_eq("guarantee", d->mem_min_guarantee, 33792 * pk);
	assert_u64_eq("soft", d->mem_soft_limit, 65536 * pk);
	assert_u64_eq("hard", d->mem_hard_limit, 69632 * pk);
	assert_u64_eq("space", d->space_hard_limit, 1153024);	/* the first: vzctl ignores the empty duplicate */
	assert_u64_eq("cpu_shares", d->cpu_shares, 1000);
	assert_false(d->has_uuid);
	assert_strv_eq("netdevs", d->netdevs, (char *[]){ "eth1", "eth2", NULL });	/* NETDEV */
	/* the NETIF line has no closing quote: vzctl skips it, with a warning */
	assert_int_equal(d->n_ifaces, 1);
	assert_int_equal(d->ifaces[0].type, OVZ_IFACE_VENET);
	assert_int_equal(d->ifaces[0].n_ips, 1);
	char buf[64];
	ovz_format_ip(&d->ifaces[0].ips[0], true, buf, sizeof(buf));
	assert_string_equal(buf, "194.44.18.88");
	assert_int_equal(ovz_conf_n_warnings(c), 3);
	assert_non_null(strstr(ovz_conf_warning(c, 0), ":53: unmatched quotes, line skipped"));
	assert_strv_eq("nameservers", d->nameservers, (char *[]){ "192.0.2.53", "2001:db8::53", NULL });

	struct ovz_vzconf *vz = default_vz();
	assert_rewrite_identical(c, vz, 105);

	/* a real change touches only its own line and appends the uuid */
	char *before = text_of(c);
	free(d->hostname);
	d->hostname = xstrdup("renamed");
	d->has_uuid = true;
	memset(d->uuid, 0x11, 16);
	ovz_domain_to_conf(d, vz, c);
	char *after = text_of(c);
	char *want = xstrdup(before);
	char *h = strstr(want, "HOSTNAME=\"ct105.example.org\"");
	assert_non_null(h);
	char *expected = xasprintf("%.*sHOSTNAME=\"renamed\"%s#UUID: "
				   "11111111-1111-1111-1111-111111111111\n",
				   (int)(h - want), want, h + strlen("HOSTNAME=\"ct105.example.org\""));
	/* the NETIF line lacks its closing quote and is the last line but one */
	assert_string_equal(after, expected);
	assert_non_null(strstr(after, "KMEMSIZE=\"14372700:14790164\"\n"));
	assert_non_null(strstr(after, "DISKSPACE=\"1048576:1153024\"\n"));
	assert_non_null(strstr(after, "DISK_QUOTA=no\n"));

	free(expected);
	free(want);
	free(before);
	free(after);
	ovz_vzconf_free(vz);
	ovz_domain_free(d);
	ovz_conf_free(c);
	free(path);
}

static void test_vswap_config(void **state)
{
	char *path = tu_data("conf/vswap-ct.conf");
	struct ovz_conf *c = NULL;
	assert_int_equal(ovz_conf_load(path, &c, NULL), 0);
	struct ovz_domain *d = model_of(c, 101);

	assert_u64_eq("memory", d->memory, 262144);
	assert_u64_eq("current", d->current_memory, OVZ_UNSET);
	assert_u64_eq("swap", d->mem_swap_hard_limit, 262144 + 524288);
	assert_u64_eq("space soft", d->space_soft_limit, 2097152);
	assert_u64_eq("space hard", d->space_hard_limit, 2254858);
	assert_string_equal(d->name, "web1");
	assert_true(d->has_uuid);
	char u[37];
	ovz_format_uuid(d->uuid, u);
	assert_string_equal(u, "5a9f2c3e-7d41-4b8a-9c11-2f6e0d8b7a15");
	assert_int_equal(d->n_ifaces, 2);
	assert_int_equal(d->ifaces[0].n_ips, 2);
	assert_int_equal(d->ifaces[0].ips[1].prefix, 64);
	assert_string_equal(d->ifaces[1].bridge, "vmbr0");
	const char *what;
	char value[64];
	assert_null(ovz_domain_check(d, &what, value, sizeof(value)));

	struct ovz_vzconf *vz = default_vz();
	assert_rewrite_identical(c, vz, 101);

	/* a new bridge keeps the mac_filter field we do not model */
	strcpy(d->ifaces[1].bridge, "br1");
	d->memory = 524288;	/* swap total unchanged: SWAPPAGES shrinks */
	ovz_domain_to_conf(d, vz, c);
	assert_string_equal(ovz_conf_get(c, "NETIF"),
			    "ifname=eth0,mac=00:18:51:aa:bb:cc,host_ifname=veth101.0,"
			    "host_mac=00:18:51:dd:ee:ff,bridge=br1,mac_filter=on");
	assert_string_equal(ovz_conf_get(c, "PHYSPAGES"), "0:131072");
	assert_string_equal(ovz_conf_get(c, "SWAPPAGES"), "0:65536");
	assert_string_equal(ovz_conf_get(c, "DISKSPACE"), "2G:2254858K");	/* untouched */
	assert_int_equal(ovz_conf_line(c, "NETIF"), 16);
	struct ovz_domain *back = model_of(c, 101);
	assert_domain_eq(back, d);

	ovz_domain_free(back);
	ovz_vzconf_free(vz);
	ovz_domain_free(d);
	ovz_conf_free(c);
	free(path);
}

static void test_owned_keys_removed_unowned_kept(void **state)
{
	struct ovz_conf *c = conf_of("# comment\n"
				     "KMEMSIZE=\"1:2\"\n"
				     "NAME=\"x\"\n"
				     "HOSTNAME=\"h\"\n"
				     "NUMPROC=\"3:3\"\n"
				     "IP_ADDRESS=\"1.2.3.4\"\n"
				     "GATEWAY=\"1.2.3.1\"\n"
				     "NETIF=\"ifname=eth0\"\n"
				     "ONBOOT=yes\n"
				     "DISKINODES=\"5:6\"\n"
				     "PHYSPAGES=\"0:1000\"\n"
				     "VE_LAYOUT=\"ploop\"\n"
				     "VE_ROOT=\"/r/$VEID\"\n"
				     "VE_PRIVATE=\"/p/$VEID\"\n"
				     "NETFILTER=\"full\"\n"
				     "#UUID: 7e3c6a52-1f0b-4d3e-9a8c-5b2d4e6f8a10\n");
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = 101;
	struct ovz_vzconf *vz = default_vz();
	ovz_domain_to_conf(d, vz, c);
	char *text = text_of(c);
	assert_string_equal(text, "# comment\n"
				  "KMEMSIZE=\"1:2\"\n"
				  "NUMPROC=\"3:3\"\n"
				  "DISKINODES=\"5:6\"\n"
				  "VE_LAYOUT=\"ploop\"\n"
				  "VE_ROOT=\"/r/$VEID\"\n"
				  "VE_PRIVATE=\"/p/$VEID\"\n"
				  "NETFILTER=\"full\"\n");
	free(text);
	ovz_vzconf_free(vz);
	ovz_domain_free(d);
	ovz_conf_free(c);
}

static void test_set_in_place_and_append_order(void **state)
{
	struct ovz_conf *c = conf_of("HOSTNAME=\"old\"\n# x\nCPUUNITS=\"10\"\nNAME=\"n\"\n");
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = 101;
	d->hostname = xstrdup("new");
	d->cpu_shares = 20;
	d->vcpus = 4;
	d->autostart = OVZ_NO;
	d->name = xstrdup("n");
	ovz_domain_to_conf(d, NULL, c);
	char *text = text_of(c);
	assert_string_equal(text, "HOSTNAME=\"new\"\n# x\nCPUUNITS=\"20\"\nNAME=\"n\"\n"
				  "ONBOOT=\"no\"\nCPUS=\"4\"\n");
	free(text);
	ovz_domain_free(d);
	ovz_conf_free(c);
}

static void test_private_dir(void **state)
{
	struct ovz_conf *c = conf_of("OSTEMPLATE=\"centos-6-x86\"\nVE_PRIVATE=\"/vz/private/$VEID\"\n");
	struct ovz_domain *d = model_of(c, 101);
	assert_null(d->private_dir);	/* template-based: the default area */
	free(d->ostemplate);
	d->ostemplate = NULL;
	d->private_dir = xstrdup("/data/ct101");
	struct ovz_vzconf *vz = default_vz();
	ovz_domain_to_conf(d, vz, c);
	char *text = text_of(c);
	/* a file that has no VE_ROOT gets none: vzctl takes vz.conf's */
	assert_string_equal(text, "VE_PRIVATE=\"/data/ct101\"\n");
	struct ovz_domain *back = model_of(c, 101);
	assert_domain_eq(back, d);
	assert_rewrite_identical(c, vz, 101);

	/* without OSTEMPLATE a $VEID path is still the default area */
	struct ovz_conf *c2 = conf_of("VE_PRIVATE=\"/vz/private/$VEID\"\n");
	struct ovz_domain *d2 = model_of(c2, 101);
	assert_null(d2->private_dir);

	ovz_domain_free(d2);
	ovz_conf_free(c2);
	ovz_domain_free(back);
	free(text);
	ovz_vzconf_free(vz);
	ovz_domain_free(d);
	ovz_conf_free(c);
}

static void test_uuid_sources(void **state)
{
	/* vz7 key wins over the comment and is the one updated */
	struct ovz_conf *c = conf_of("UUID=\"{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}\"\n"
				     "#UUID: 11111111-2222-3333-4444-555555555555\n");
	struct ovz_domain *d = model_of(c, 101);
	char u[37];
	ovz_format_uuid(d->uuid, u);
	assert_string_equal(u, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_rewrite_identical(c, NULL, 101);
	memset(d->uuid, 0x22, 16);
	ovz_domain_to_conf(d, NULL, c);
	char *text = text_of(c);
	assert_string_equal(text, "UUID=\"22222222-2222-2222-2222-222222222222\"\n"
				  "#UUID: 22222222-2222-2222-2222-222222222222\n");
	free(text);
	ovz_domain_free(d);
	ovz_conf_free(c);

	/* only the key: no comment is added */
	c = conf_of("UUID=\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"\n");
	d = model_of(c, 101);
	memset(d->uuid, 0x33, 16);
	ovz_domain_to_conf(d, NULL, c);
	text = text_of(c);
	assert_string_equal(text, "UUID=\"33333333-3333-3333-3333-333333333333\"\n");
	free(text);
	ovz_domain_free(d);
	ovz_conf_free(c);
}

static void test_amounts(void **state)
{
	uint64_t pk = (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	const struct {
		const char *line;
		size_t field;
		uint64_t kib;
	} cases[] = {
		{ "PHYSPAGES=\"0:256M\"", offsetof(struct ovz_domain, memory), 262144 },
		{ "PHYSPAGES=\"1G\"", offsetof(struct ovz_domain, memory), 1048576 },
		{ "PHYSPAGES=\"0:1k\"", offsetof(struct ovz_domain, memory), 0 },	/* rounded down to pages */
		{ "PHYSPAGES=\"0:2.5M\"", offsetof(struct ovz_domain, memory), 2560 },
		{ "PHYSPAGES=\"0:2p\"", offsetof(struct ovz_domain, memory), 2 * pk },
		{ "PHYSPAGES=\"0:8192b\"", offsetof(struct ovz_domain, memory), 8 },
		{ "PHYSPAGES=\"0:100.9\"", offsetof(struct ovz_domain, memory), 100 * pk },
		{ "DISKSPACE=\"2G:2.2G\"", offsetof(struct ovz_domain, space_hard_limit), 2306867 },
		{ "DISKSPACE=\"2G:2.2G\"", offsetof(struct ovz_domain, space_soft_limit), 2097152 },
		{ "PHYSPAGES=\"0:unlimited\"", offsetof(struct ovz_domain, memory), OVZ_UNSET },
		{ "PHYSPAGES=\"0:9223372036854775807\"", offsetof(struct ovz_domain, memory),
		  OVZ_UNSET },
		{ "PHYSPAGES=\"0:100\"", offsetof(struct ovz_domain, memory), 100 * pk },
		{ "PHYSPAGES=\"64:100\"", offsetof(struct ovz_domain, current_memory), 64 * pk },
		{ "DISKSPACE=\"1T:2T\"", offsetof(struct ovz_domain, space_hard_limit),
		  2ull << 30 },
		{ "DISKSPACE=\"1T:2T\"", offsetof(struct ovz_domain, space_soft_limit),
		  1ull << 30 },
		{ "DISKSPACE=\"1P\"", offsetof(struct ovz_domain, space_hard_limit), pk },	/* a page */
		{ "DISKSPACE=\"1P\"", offsetof(struct ovz_domain, space_soft_limit), OVZ_UNSET },
		{ "PRIVVMPAGES=\"100:unlimited\"", offsetof(struct ovz_domain, mem_hard_limit),
		  OVZ_UNSET },
		{ "PRIVVMPAGES=\"100:unlimited\"", offsetof(struct ovz_domain, mem_soft_limit),
		  100 * pk },
		{ "VMGUARPAGES=\"42\"", offsetof(struct ovz_domain, mem_min_guarantee), 42 * pk },
		{ "PHYSPAGES=\"0:1G\"\nSWAPPAGES=\"0:unlimited\"",
		  offsetof(struct ovz_domain, mem_swap_hard_limit), OVZ_UNSET },
		{ "SWAPPAGES=\"0:1M\"", offsetof(struct ovz_domain, mem_swap_hard_limit), 1024 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* a memory limit comes with a swap limit, as vzctl wants it */
		_cleanup_free_ char *text = xasprintf("%s%s", cases[i].line,
			strstr(cases[i].line, "PHYSPAGES") && !strstr(cases[i].line, "SWAPPAGES")
				? "\nSWAPPAGES=\"0:0\"" : "");
		struct ovz_conf *c = conf_of(text);
		struct ovz_domain *d = model_of(c, 101);
		uint64_t got;
		memcpy(&got, (char *)d + cases[i].field, sizeof(got));
		if (got != cases[i].kib)
			fail_msg("%s: %llu != %llu", cases[i].line, (unsigned long long)got,
				 (unsigned long long)cases[i].kib);
		assert_rewrite_identical(c, NULL, 101);
		ovz_domain_free(d);
		ovz_conf_free(c);
	}
}

/* Values that are not whole pages are written in K; vzctl reads them as
 * whole pages, rounded down, and so does the model. */
static void test_odd_sizes_roundtrip(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = 101;
	d->memory = 1023;
	d->current_memory = 513;
	d->mem_swap_hard_limit = 2047;
	d->mem_soft_limit = 5;
	d->space_hard_limit = 3;
	struct ovz_conf *c = ovz_conf_new();
	ovz_domain_to_conf(d, NULL, c);
	assert_string_equal(ovz_conf_get(c, "PHYSPAGES"), "513K:1023K");
	assert_string_equal(ovz_conf_get(c, "PRIVVMPAGES"), "5K:unlimited");
	assert_string_equal(ovz_conf_get(c, "DISKSPACE"), "3");
	struct ovz_domain *back = model_of(c, 101);
	if (sysconf(_SC_PAGESIZE) == 4096) {
		assert_u64_eq("memory", back->memory, 1020);
		assert_u64_eq("current", back->current_memory, 512);
		assert_u64_eq("swap", back->mem_swap_hard_limit, 1020 + 1024);
		assert_u64_eq("soft", back->mem_soft_limit, 4);
	}
	assert_u64_eq("space", back->space_hard_limit, 3);
	ovz_domain_free(back);
	ovz_conf_free(c);
	ovz_domain_free(d);
}

static void test_cpulimit(void **state)
{
	const struct {
		const char *value;
		int64_t quota;
	} reads[] = { { "25", 25000 }, { "25%", 25000 }, { "0", 0 }, { "400", 400000 } };
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		char *line = xasprintf("CPULIMIT=\"%s\"", reads[i].value);
		struct ovz_conf *c = conf_of(line);
		struct ovz_domain *d = model_of(c, 101);
		assert_int_equal(d->cpu_quota, reads[i].quota);
		assert_u64_eq("period", d->cpu_period, reads[i].quota ? 100000 : OVZ_UNSET);
		ovz_domain_free(d);
		ovz_conf_free(c);
		free(line);
	}
	const struct {
		int64_t quota;
		uint64_t period;
		const char *value;
	} writes[] = {
		{ 50000, OVZ_UNSET, "50" }, { 150000, 100000, "150" }, { 1, 100000, "1" },
		{ 25000, 50000, "50" },	    { -1, 100000, NULL },
	};
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		struct ovz_domain *d = ovz_domain_new();
		d->cpu_quota = writes[i].quota;
		d->cpu_period = writes[i].period;
		struct ovz_conf *c = ovz_conf_new();
		ovz_domain_to_conf(d, NULL, c);
		assert_str_eq("CPULIMIT", ovz_conf_get(c, "CPULIMIT"), writes[i].value);
		ovz_conf_free(c);
		ovz_domain_free(d);
	}
}

static void test_empty_values(void **state)
{
	/* IP_ADDRESS="" is a venet interface without addresses; other empty
	 * owned keys are unset, and a rewrite keeps them as they are */
	const char *text = "IP_ADDRESS=\"\"\nHOSTNAME=\"\"\nDISKSPACE=\nONBOOT=\"auto\"\n"
			   "NAMESERVER=\"inherit\"\nSEARCHDOMAIN= inherit\nCPUS=\"unlimited\"\n";
	struct ovz_conf *c = conf_of(text);
	struct ovz_domain *d = model_of(c, 101);
	assert_int_equal(d->n_ifaces, 1);
	assert_int_equal(d->ifaces[0].type, OVZ_IFACE_VENET);
	assert_int_equal(d->ifaces[0].n_ips, 0);
	assert_null(d->hostname);
	assert_int_equal(d->autostart, OVZ_UNKNOWN);
	assert_null(d->nameservers);
	assert_null(d->searchdomains);
	assert_int_equal(d->vcpus, 0);
	assert_rewrite_identical(c, NULL, 101);
	ovz_domain_free(d);
	ovz_conf_free(c);
}

/* Interfaces with little or nothing set still survive a write and a read. */
static void test_sparse_interfaces(void **state)
{
	struct ovz_conf *c = conf_of("GATEWAY=\"10.0.0.1\"\nNETIF=\"mac=00:18:51:00:00:01,x=y\"\n");
	struct ovz_domain *d = model_of(c, 101);
	assert_int_equal(d->n_ifaces, 2);
	assert_int_equal(d->ifaces[0].type, OVZ_IFACE_VENET);
	assert_int_equal(d->ifaces[0].n_ips, 0);
	assert_int_equal(d->ifaces[0].gw4.family, AF_INET);
	assert_string_equal(d->ifaces[1].guest_dev, "");
	assert_string_equal(d->ifaces[1].mac, "00:18:51:00:00:01");
	assert_rewrite_identical(c, NULL, 101);

	ovz_domain_add_iface(d, OVZ_IFACE_VETH);	/* nothing set at all */
	struct ovz_conf *fresh = ovz_conf_new();
	ovz_domain_to_conf(d, NULL, fresh);
	char *text = text_of(fresh);
	/* vzctl skips a NETIF device without ifname: the backends' names are written */
	assert_string_equal(text, "GATEWAY=\"10.0.0.1\"\n"
				  "NETIF=\"ifname=eth0,mac=00:18:51:00:00:01;ifname=eth1\"\n"
				  "DISKSPACE=\"9223372036854775807:9223372036854775807\"\nDISKINODES=\"9223372036854775807:9223372036854775807\"\n");
	struct ovz_domain *back = model_of(fresh, 101);
	strcpy(d->ifaces[1].guest_dev, "eth0");
	strcpy(d->ifaces[2].guest_dev, "eth1");
	assert_domain_eq(back, d);
	free(text);
	ovz_domain_free(back);
	ovz_conf_free(fresh);
	ovz_domain_free(d);
	ovz_conf_free(c);
}

/* An unnamed veth interface gets ethN, N its place, unless another one
 * has that name; a file that exists (even empty) gets no new-file keys. */
static void test_veth_default_names_and_existing_files(void **state)
{
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = 101;
	ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	strcpy(ovz_domain_add_iface(d, OVZ_IFACE_VETH)->guest_dev, "eth0");
	ovz_domain_add_iface(d, OVZ_IFACE_VETH);
	struct ovz_conf *c = conf_of("# exists\n");
	struct ovz_vzconf *vz = default_vz();
	ovz_domain_to_conf(d, vz, c);
	ovz_vzconf_free(vz);
	char *text = text_of(c);
	assert_string_equal(text, "# exists\nNETIF=\"ifname=eth1;ifname=eth0;ifname=eth2\"\n");
	struct ovz_domain *back = model_of(c, 101);
	assert_string_equal(back->ifaces[0].guest_dev, "eth1");
	free(text);
	ovz_domain_free(back);
	ovz_conf_free(c);
	ovz_domain_free(d);
}

static void test_netmask_and_netif_details(void **state)
{
	struct ovz_conf *c = conf_of("IP_ADDRESS=\" 10.1.1.1/255.255.255.0  10.1.1.2 \"\n"
				     "NETIF=\"ifname=eth0;;ifname=eth1,host_ifname=veth9.1,"
				     "mac=00:18:51:00:00:0A,configure=none,;\"\n");
	struct ovz_domain *d = model_of(c, 9);
	assert_int_equal(d->ifaces[0].n_ips, 2);
	assert_int_equal(d->ifaces[0].ips[0].prefix, 24);
	assert_int_equal(d->n_ifaces, 3);
	assert_string_equal(d->ifaces[1].guest_dev, "eth0");
	assert_string_equal(d->ifaces[2].guest_dev, "eth1");
	assert_string_equal(d->ifaces[2].mac, "00:18:51:00:00:0a");
	assert_rewrite_identical(c, NULL, 9);
	strcpy(d->ifaces[2].bridge, "br9");
	ovz_domain_to_conf(d, NULL, c);
	assert_string_equal(ovz_conf_get(c, "NETIF"),
			    "ifname=eth0;ifname=eth1,mac=00:18:51:00:00:0a,host_ifname=veth9.1,"
			    "bridge=br9,configure=none");
	assert_string_equal(ovz_conf_get(c, "IP_ADDRESS"), " 10.1.1.1/255.255.255.0  10.1.1.2 ");
	ovz_domain_free(d);
	ovz_conf_free(c);
}

struct reject {
	const char *text;
	const char *message;
};

static const struct reject rejects[] = {
	{ "NETDEV=\"eth1 lo\"",
	  "t.conf:1: NETDEV: is the loopback device, which every container has its own of (lo)" },
	{ "NETDEV=\"eth1 eth/2\"", "t.conf:1: NETDEV: contains a slash (eth/2)" },
	{ "NAME=\"a/b\"", "t.conf:1: NAME: contains a slash (a/b)" },
	{ "# c\nONBOOT=\"maybe\"", "t.conf:2: ONBOOT: is not yes or no (maybe)" },
	{ "HOSTNAME=\"bad host\"",
	  "t.conf:1: HOSTNAME: contains a character other than letters, digits, '-', '_' and "
	  "'.' (bad host)" },
	{ "OSTEMPLATE=\"../etc\"", "t.conf:1: OSTEMPLATE: contains '..' (../etc)" },
	{ "IP_ADDRESS=\"1.2.3.4 1.2.3.999\"",
	  "t.conf:1: IP_ADDRESS: is not a valid IPv4 or IPv6 address (1.2.3.999)" },
	{ "IP_ADDRESS=\"1.2.3.4/33\"", "t.conf:1: IP_ADDRESS: has an invalid prefix (1.2.3.4/33)" },
	{ "GATEWAY=\"2001:db8::1\"", "t.conf:1: GATEWAY: is not an IPv4 address (2001:db8::1)" },
	{ "GATEWAY6=\"10.0.0.1\"", "t.conf:1: GATEWAY6: is not an IPv6 address (10.0.0.1)" },
	{ "NAMESERVER=\"8.8.8.8 dns.example\"",
	  "t.conf:1: NAMESERVER: is not a valid IPv4 or IPv6 address (dns.example)" },
	{ "SEARCHDOMAIN=\"ok.example -bad\"", "t.conf:1: SEARCHDOMAIN: starts with a dash (-bad)" },
	{ "\nNETIF=\"ifname=eth0,mac=00:18:51:zz:00:00\"",
	  "t.conf:2: NETIF: mac is not a MAC address of the form aa:bb:cc:dd:ee:ff "
	  "(00:18:51:zz:00:00)" },
	{ "NETIF=\"ifname=eth0,host_mac=01:00:00:00:00:01\"",
	  "t.conf:1: NETIF: host_mac is a multicast address (01:00:00:00:00:01)" },
	{ "NETIF=\"ifname=eth0,bridge\"", "t.conf:1: NETIF: field has no '=' (bridge)" },
	{ "NETIF=\"ifname=eth0123456789abcdef\"",
	  "t.conf:1: NETIF: ifname is longer than 15 bytes (eth0123456789abcdef)" },
	{ "NETIF=\"ifname=eth0,ip=10.0.0.1 x\"",
	  "t.conf:1: NETIF: ip is not a valid IPv4 or IPv6 address (x)" },
	{ "NETIF=\"ifname=eth0,gw6=10.0.0.1\"",
	  "t.conf:1: NETIF: gw6 is not an IPv6 address (10.0.0.1)" },
	{ "DISKSPACE=\"abc\"", "t.conf:1: DISKSPACE: is not a number or unlimited (abc)" },
	{ "DISKSPACE=\"1:2:3\"", "t.conf:1: DISKSPACE: is not barrier:limit (1:2:3)" },
	{ "PHYSPAGES=\"0:12KB\"", "t.conf:1: PHYSPAGES: is not barrier:limit (0:12KB)" },
	{ "PHYSPAGES=\"0:12X\"",
	  "t.conf:1: PHYSPAGES: has a suffix other than K, M, G, T, P or B (0:12X)" },
	{ "PRIVVMPAGES=\"99999999999999999999999\"",
	  "t.conf:1: PRIVVMPAGES: is too large (99999999999999999999999)" },
	{ "CPUS=\"two\"", "t.conf:1: CPUS: is not a number (two)" },
	{ "CPUS=\"4294967296\"", "t.conf:1: CPUS: is too large (4294967296)" },
	{ "CPUUNITS=\"1e3\"", "t.conf:1: CPUUNITS: is not a number (1e3)" },
	{ "CPULIMIT=\"50m\"", "t.conf:1: CPULIMIT: is not a number (50m)" },
	{ "BINDMOUNT=\"rel:/x\"", "t.conf:1: BINDMOUNT: has a path that is not absolute (rel:/x)" },
	{ "BINDMOUNT=\"/a:/b:rx\"", "t.conf:1: BINDMOUNT: has an option other than ro or rw (/a:/b:rx)" },
	{ "BINDMOUNT=\"/a\"", "t.conf:1: BINDMOUNT: is not source:target or source:target:ro (/a)" },
	{ "INIT=\"sbin/init\"", "t.conf:1: INIT: is not an absolute path (sbin/init)" },
	{ "ON_CRASH=\"explode\"",
	  "t.conf:1: ON_CRASH: is not destroy, restart, preserve, rename-restart, "
	  "coredump-destroy or coredump-restart (explode)" },
	{ "VE_PRIVATE=\"private/101\"", "t.conf:1: VE_PRIVATE: is not an absolute path (private/101)" },
	{ "UUID=\"nope\"",
	  "t.conf:1: UUID: is not a UUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (nope)" },
	{ "A=1\n#UUID: nope",
	  "t.conf:2: #UUID: is not a UUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx "
	  "(nope)" },
};

static void collect(void *data, const char *msg)
{
	char **last = data;
	free(*last);
	*last = strdup(msg);
}

/* As vzctl does, a value it would not take is skipped with a warning and
 * the rest of the config is read. */
static void test_rejections(void **state)
{
	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		_cleanup_free_ char *text = xasprintf("%s\nDESCRIPTION=\"kept\"\n", rejects[i].text);
		struct ovz_conf *c = conf_of(text);
		struct ovz_domain *d = NULL;
		struct ovz_error *e = NULL;
		char *warning = NULL;
		struct ovz_warn w = { .fn = collect, .data = &warning };
		int r = ovz_domain_from_conf(c, 101, "t.conf", &w, &d, &e);
		if (r < 0)
			fail_msg("refused: %s: %s", rejects[i].text, ovz_error_message(e));
		_cleanup_free_ char *want = xasprintf("%s, skipped", rejects[i].message);
		if (!warning || strcmp(warning, want) != 0)
			fail_msg("%s: warned '%s', want '%s'", rejects[i].text,
				 warning ? warning : "nothing", want);
		assert_string_equal(d->description, "kept");
		free(warning);
		ovz_domain_free(d);
		ovz_conf_free(c);
	}
}

/* What breaks the model's own rules across keys fails the whole model. */
static const struct reject refusals[] = {
	{ "NETIF=\"ifname=eth0,host_ifname=veth101.0\"\nNETDEV=\"veth101.0\"",
	  "t.conf:2: NETDEV: is the host side of one of the container's own veth interfaces "
	  "(veth101.0)" },
	{ "IP_ADDRESS=\"1.2.3.4\"\nNETIF=\"ifname=eth0,ip=1.2.3.4\"",
	  "t.conf:2: NETIF: the same address is given twice (1.2.3.4)" },
	{ "NETIF=\"ifname=eth0;ifname=eth0\"",
	  "t.conf:1: NETIF: the same container interface name is used twice (eth0)" },
};

static void test_refusals(void **state)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		struct ovz_conf *c = conf_of(refusals[i].text);
		struct ovz_domain *d = NULL;
		struct ovz_error *e = NULL;
		assert_int_equal(ovz_domain_from_conf(c, 101, "t.conf", NULL, &d, &e), -EINVAL);
		assert_null(d);
		assert_string_equal(ovz_error_message(e), refusals[i].message);
		ovz_error_free(e);
		ovz_conf_free(c);
	}
}

/* vzctl's sets: an address or device given twice counts once; a number
 * past LONG_MAX (or negative, as strtoull reads it) is unlimited, with a
 * warning. */
static void test_sets_and_cut_numbers(void **state)
{
	struct ovz_conf *c = conf_of("IP_ADDRESS=\"1.2.3.4 1.2.3.4\"\nIP_ADDRESS=\"1.2.3.4 5.6.7.8\"\n"
				     "NETDEV=\"eth1 eth2 eth1\"\nVMGUARPAGES=\"-1\"\n");
	char *warning = NULL;
	struct ovz_warn w = { .fn = collect, .data = &warning };
	struct ovz_domain *d = NULL;
	assert_int_equal(ovz_domain_from_conf(c, 101, "t.conf", &w, &d, NULL), 0);
	assert_int_equal(d->n_ifaces, 1);
	assert_int_equal(d->ifaces[0].n_ips, 2);
	assert_strv_eq("netdevs", d->netdevs, (char *[]){ "eth1", "eth2", NULL });
	assert_u64_eq("guarantee", d->mem_min_guarantee, OVZ_UNSET);
	assert_string_equal(warning, "t.conf:4: VMGUARPAGES: too large, read as unlimited (-1)");
	free(warning);
	ovz_domain_free(d);
	ovz_conf_free(c);
}

/* An unparseable config is still rewritten: the owned keys are replaced. */
static void test_write_over_invalid_config(void **state)
{
	struct ovz_conf *c = conf_of("HOSTNAME=\"bad host\"\nKMEMSIZE=\"1:2\"\n");
	struct ovz_domain *d = ovz_domain_new();
	d->ctid = 101;
	d->hostname = xstrdup("good");
	ovz_domain_to_conf(d, NULL, c);
	char *text = text_of(c);
	assert_string_equal(text, "HOSTNAME=\"good\"\nKMEMSIZE=\"1:2\"\n");
	free(text);
	ovz_domain_free(d);
	ovz_conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rich_model_golden),
		cmocka_unit_test(test_roundtrip_through_file),
		cmocka_unit_test(test_minimal_model),
		cmocka_unit_test(test_vzctl_ubc_config),
		cmocka_unit_test(test_vswap_config),
		cmocka_unit_test(test_owned_keys_removed_unowned_kept),
		cmocka_unit_test(test_set_in_place_and_append_order),
		cmocka_unit_test(test_private_dir),
		cmocka_unit_test(test_uuid_sources),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_odd_sizes_roundtrip),
		cmocka_unit_test(test_cpulimit),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_sparse_interfaces),
		cmocka_unit_test(test_netmask_and_netif_details),
		cmocka_unit_test(test_veth_default_names_and_existing_files),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_sets_and_cut_numbers),
		cmocka_unit_test(test_write_over_invalid_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
