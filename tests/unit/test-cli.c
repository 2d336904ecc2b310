// SPDX-License-Identifier: LGPL-2.1-or-later
/* The command run as a process against a scratch root. */
#include "testutil.h"

#include "core/util.h"

#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char web1_xml[] =
	"<domain type='openvz' id='101'>\n"
	"  <name>web1</name>\n"
	"  <uuid>5f0c2a8e-3d41-4c7b-9e2a-0b7d1c9a4e11</uuid>\n"
	"  <metadata>\n"
	"    <ovz:container xmlns:ovz='http://ovz-native.org/xmlns/domain/1'>\n"
	"      <ovz:hostname>web1.example.com</ovz:hostname>\n"
	"      <ovz:nameserver>192.0.2.53</ovz:nameserver>\n"
	"      <ovz:autostart>yes</ovz:autostart>\n"
	"    </ovz:container>\n"
	"  </metadata>\n"
	"  <memory unit='MiB'>512</memory>\n"
	"  <vcpu>2</vcpu>\n"
	"  <os><type>exe</type><init>/sbin/init</init></os>\n"
	"  <devices>\n"
	"    <filesystem type='template'>\n"
	"      <source name='debian-12-x86_64-minimal'/>\n"
	"      <target dir='/'/>\n"
	"    </filesystem>\n"
	"    <interface type='ethernet'>\n"
	"      <ip address='10.0.0.101'/>\n"
	"      <ip address='2001:db8::101'/>\n"
	"    </interface>\n"
	"    <interface type='bridge'>\n"
	"      <mac address='00:18:51:aa:bb:cc'/>\n"
	"      <source bridge='br0'/>\n"
	"      <target dev='veth101.0'/>\n"
	"      <guest dev='eth0'/>\n"
	"    </interface>\n"
	"  </devices>\n"
	"</domain>\n";

struct fixture {
	char *root;
	char *xml;	/* web1_xml written outside the root */
	char *dir;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = tu_mkdtemp();
	assert_true(asprintf(&f->root, "%s/root", f->dir) > 0);
	assert_int_equal(mkdir(f->root, 0755), 0);
	assert_true(asprintf(&f->xml, "%s/web1.xml", f->dir) > 0);
	tu_write(f->xml, web1_xml);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_rmrf(f->dir);
	free(f->dir);
	free(f->root);
	free(f->xml);
	free(f);
	return 0;
}

static char *rootpath(struct fixture *f, const char *rel)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", f->root, rel) > 0);
	return p;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n == 0;
}

static void define_web1(struct fixture *f)
{
	struct tu_run r = tu_cli(f->root, NULL, "define", f->xml, NULL);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "101\n");
	tu_run_free(&r);
}

static void test_validate(void **state)
{
	struct fixture *f = *state;
	struct tu_run r = tu_cli(NULL, NULL, "validate", f->xml, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "validates"));
	tu_run_free(&r);

	char *bad;
	assert_true(asprintf(&bad, "%s/bad.xml", f->dir) > 0);
	tu_write(bad, "<domain type='openvz' id='101'>\n  <name>x</name>\n"
		      "  <devices>\n    <interface type='bridge'>\n"
		      "      <mac address='01:00:5e:00:00:01'/>\n"
		      "    </interface>\n  </devices>\n</domain>\n");
	r = tu_cli(NULL, NULL, "validate", bad, NULL);
	assert_int_equal(r.status, 1);
	char *want;
	assert_true(asprintf(&want, "%s:5: ", bad) > 0);
	assert_non_null(strstr(r.err, want));
	assert_non_null(strstr(r.err, "multicast"));
	assert_non_null(strstr(r.err, "(01:00:5e:00:00:01)"));
	/* one line */
	assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	tu_run_free(&r);
	free(want);
	free(bad);

	r = tu_cli(NULL, NULL, "validate", "/nonexistent/x.xml", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
}

static void test_define_writes_config_and_link(void **state)
{
	struct fixture *f = *state;
	define_web1(f);
	char *conf = rootpath(f, "etc/vz/conf/101.conf");
	char *text = tu_read(conf);
	assert_non_null(text);
	assert_non_null(strstr(text, "HOSTNAME=\"web1.example.com\""));
	assert_non_null(strstr(text, "OSTEMPLATE=\"debian-12-x86_64-minimal\""));
	assert_non_null(strstr(text, "ONBOOT=\"yes\""));
	assert_non_null(strstr(text, "NAME=\"web1\""));
	assert_non_null(strstr(text, "10.0.0.101"));
	assert_non_null(strstr(text, "VE_PRIVATE=\"/vz/private/$VEID\""));
	char *link = rootpath(f, "etc/vz/names/web1");
	char target[256];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "/etc/vz/conf/101.conf");
	free(link);
	free(text);
	free(conf);
}

static void test_dumpxml_fixed_point(void **state)
{
	struct fixture *f = *state;
	define_web1(f);
	char *conf = rootpath(f, "etc/vz/conf/101.conf");
	char *before = tu_read(conf);
	struct tu_run d1 = tu_cli(f->root, NULL, "dumpxml", "web1", NULL);
	assert_int_equal(d1.status, 0);
	assert_non_null(strstr(d1.out, "<domain type='openvz' id='101'>"));
	char *dumped;
	assert_true(asprintf(&dumped, "%s/dumped.xml", f->dir) > 0);
	tu_write(dumped, d1.out);
	struct tu_run r = tu_cli(f->root, NULL, "define", dumped, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *after = tu_read(conf);
	assert_string_equal(before, after);
	struct tu_run d2 = tu_cli(f->root, NULL, "dumpxml", "101", NULL);
	assert_int_equal(d2.status, 0);
	assert_string_equal(d1.out, d2.out);
	tu_run_free(&d1);
	tu_run_free(&d2);
	free(dumped);
	free(before);
	free(after);
	free(conf);
}

/* A config vzctl wrote, NETDEV included: dumpxml then define of that
 * leaves it byte for byte. */
static void test_vzctl_config_fixed_point(void **state)
{
	struct fixture *f = *state;
	char *src = tu_data("conf/vzctl-ubc.conf"), *conf = rootpath(f, "etc/vz/conf/105.conf");
	char *dir = rootpath(f, "etc/vz/conf"), *cmd = NULL;
	assert_true(asprintf(&cmd, "mkdir -p '%s' && cp '%s' '%s'", dir, src, conf) > 0);
	assert_int_equal(system(cmd), 0);
	char *before = tu_read(conf);
	struct tu_run d1 = tu_cli(f->root, NULL, "dumpxml", "105", NULL);
	assert_int_equal(d1.status, 0);
	assert_non_null(strstr(d1.out, "    <hostdev mode='capabilities' type='net'>\n"
				       "      <source>\n"
				       "        <interface>eth1</interface>\n"));
	char *dumped;
	assert_true(asprintf(&dumped, "%s/dumped105.xml", f->dir) > 0);
	tu_write(dumped, d1.out);
	struct tu_run r = tu_cli(f->root, NULL, "define", dumped, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *after = tu_read(conf);
	assert_string_equal(before, after);
	tu_run_free(&d1);
	free(dumped);
	free(before);
	free(after);
	free(cmd);
	free(dir);
	free(conf);
	free(src);
}

/* The config a stock vzctl create makes, with the oddities vzctl forgives:
 * the command reads it as vzctl does, warns naming FILE:LINE and goes on. */
static void test_vzctl_forgiven_config(void **state)
{
	struct fixture *f = *state;
	char *conf = rootpath(f, "etc/vz/conf/203.conf");
	tu_write(conf, "  HOSTNAME=\"ct203.example.com\"   # note\n"
		       "ONBOOT=yes # c\n"
		       "DISKSPACE=\"2G:2.2G\"\n"
		       "DISKINODES=\"131072:144179\"\n"
		       "PHYSPAGES=\"0:256M\"\nSWAPPAGES=\"0:512M\"\n"
		       "a line without an equals sign\n"
		       "IP_ADDRESS=\"192.0.2.203\"\n"
		       "IP_ADDRESS=\"192.0.2.204\"\n"
		       "HOSTNAME=\"second\"\n"
		       "DESCRIPTION=\"say \\\"hi\\\" \\\\ bye\"\n"
		       "NAMESERVER=\"unterminated\n"
		       "export LOCAL=1\nlower=1\nK = v\nOSTEMPLATE=\"centos-6-x86_64\"\n"
		       "VE_ROOT=\"/vz/root/$VEID\"\nVE_PRIVATE=\"/vz/private/$VEID\"\n");
	char *before = tu_read(conf);
	char *area = rootpath(f, "vz/private/203/x");
	tu_write(area, "");
	free(area);
	struct tu_run r = tu_cli(f->root, NULL, "list", "-a", "-H", "-o", "ctid,hostname,onboot,ip",
				 NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "203 ct203.example.com"));
	assert_non_null(strstr(r.out, "192.0.2.203 192.0.2.204"));
	char *want = xasprintf("ovz-native: warning: %s:7: '=' not found, line skipped\n", conf);
	assert_non_null(strstr(r.err, want));
	free(want);
	want = xasprintf("ovz-native: warning: %s:12: unmatched quotes, line skipped\n", conf);
	assert_non_null(strstr(r.err, want));
	free(want);
	want = xasprintf("ovz-native: warning: %s:10: HOSTNAME: duplicate, ignored (\"second\")",
			 conf);
	assert_non_null(strstr(r.err, want));
	free(want);
	want = xasprintf("ovz-native: warning: %s:2: ONBOOT: is not yes or no (yes # c), skipped",
			 conf);
	assert_non_null(strstr(r.err, want));
	free(want);
	tu_run_free(&r);

	r = tu_cli(f->root, NULL, "dumpxml", "203", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "<description>say \"hi\" \\ bye</description>"));
	assert_non_null(strstr(r.out, "<space_hard_limit unit='KiB'>2306867</space_hard_limit>"));
	char *dumped = xasprintf("%s/dumped203.xml", f->dir);
	tu_write(dumped, r.out);
	tu_run_free(&r);
	/* define of what dumpxml printed changes nothing vzctl reads */
	r = tu_cli(f->root, NULL, "--quiet", "define", dumped, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	tu_run_free(&r);
	char *after = tu_read(conf);
	assert_string_equal(before, after);
	free(after);
	free(before);
	free(dumped);
	free(conf);
}

static void test_list(void **state)
{
	struct fixture *f = *state;
	define_web1(f);
	/* defined, no private area: vzlist does not list it (vzctl: "deleted") */
	struct tu_run r = tu_cli(f->root, NULL, "list", "-a", "-H", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	tu_run_free(&r);
	char *area = rootpath(f, "vz/private/101/x");
	tu_write(area, "");
	free(area);
	r = tu_cli(f->root, NULL, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "      CTID      NPROC STATUS    IP_ADDR         HOSTNAME\n");
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-a", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "      CTID      NPROC STATUS    IP_ADDR         HOSTNAME\n"
			    "       101          - stopped   10.0.0.101      web1.example.com\n");
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-a", "-H", "-o", "ctid,name,ip", NULL);
	assert_string_equal(r.out, "       101 web1                             10.0.0.101 2001:db8::101\n");
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-a", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "\"uuid\""));	/* ours: only with --extra */
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-a", "--json", "--extra", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"ctid\": 101"));
	assert_non_null(strstr(r.out, "\"name\": \"web1\""));
	assert_non_null(strstr(r.out, "\"uuid\": \"5f0c2a8e-3d41-4c7b-9e2a-0b7d1c9a4e11\""));
	assert_non_null(strstr(r.out, "\"status\": \"stopped\""));
	assert_non_null(strstr(r.out, "\"ip\": [\"10.0.0.101\", \"2001:db8::101\"]"));
	assert_non_null(strstr(r.out, "\"hostname\": \"web1.example.com\""));
	assert_non_null(strstr(r.out, "\"ostemplate\": \"debian-12-x86_64-minimal\""));
	assert_non_null(strstr(r.out, "\"onboot\": true"));
	assert_non_null(strstr(r.out, "\"nameserver\": [\"192.0.2.53\"]"));
	assert_int_equal(r.out[0], '[');
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-S", "-H", "-o", "ctid", NULL);
	assert_string_equal(r.out, "       101\n");
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-o", "nosuchfield", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
}

static void test_list_vzctl_config(void **state)
{
	struct fixture *f = *state;
	char *conf = rootpath(f, "etc/vz/conf/202.conf");
	tu_write(conf, "# made by vzctl\nONBOOT=\"no\"\nPHYSPAGES=\"0:65536\"\n"
		       "SWAPPAGES=\"0:131072\"\nKMEMSIZE=\"14372700:14790164\"\n"
		       "VE_ROOT=\"/vz/root/$VEID\"\nVE_PRIVATE=\"/vz/private/$VEID\"\n"
		       "OSTEMPLATE=\"centos-6-x86_64\"\nORIGIN_SAMPLE=\"vswap-256m\"\n"
		       "HOSTNAME=\"ct202.example.com\"\nIP_ADDRESS=\"192.0.2.202\"\n");
	char *area = rootpath(f, "vz/private/202/x");
	tu_write(area, "");
	free(area);
	struct tu_run r = tu_cli(f->root, NULL, "list", "-a", "-H", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "       202          - stopped   192.0.2.202     ct202.example.com\n");
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-a", "-j", "-o", "ctid,private,origin_sample,physpages",
		   NULL);
	assert_non_null(strstr(r.out, "\"private\": \"/vz/private/202\""));
	assert_non_null(strstr(r.out, "\"origin_sample\": \"vswap-256m\""));
	assert_non_null(strstr(r.out, "\"barrier\": 0,\n      \"limit\": 65536"));
	tu_run_free(&r);
	/* vzlist -j's shapes for quota, features and flags */
	r = tu_cli(f->root, NULL, "list", "-a", "-j", "-o", "diskspace,features,vswap,disabled",
		   NULL);
	assert_non_null(strstr(r.out, "\"diskspace\": null"));
	tu_run_free(&r);
	char *c202 = rootpath(f, "etc/vz/conf/202.conf");
	char *text = tu_read(c202);
	char *more;
	assert_true(asprintf(&more, "%sDISKSPACE=\"2G:1048576\"\n", text) > 0);
	tu_write(c202, more);
	r = tu_cli(f->root, NULL, "list", "-a", "-j", "-o", "diskspace", NULL);
	assert_non_null(strstr(r.out, "\"softlimit\": 2097152,\n      \"hardlimit\": 1048576"));
	tu_write(c202, text);
	free(more);
	free(text);
	free(c202);
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-a", "-j", "-o", "diskspace,features,vswap,disabled",
		   NULL);
	assert_non_null(strstr(r.out, "\"features\": null"));	/* as vzlist: none known */
	assert_non_null(strstr(r.out, "\"vswap\": true"));
	assert_non_null(strstr(r.out, "\"disabled\": false"));
	tu_run_free(&r);
	/* a rewrite by define keeps what vzctl wrote */
	r = tu_cli(f->root, NULL, "dumpxml", "202", NULL);
	assert_int_equal(r.status, 0);
	char *x;
	assert_true(asprintf(&x, "%s/202.xml", f->dir) > 0);
	tu_write(x, r.out);
	tu_run_free(&r);
	char *before = tu_read(conf);
	r = tu_cli(f->root, NULL, "define", x, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *after = tu_read(conf);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(x);
	free(conf);
}

/* With many containers list learns which private areas, create markers,
 * roots and run states exist from one listing of each directory instead of
 * an lstat per container and name: the statuses must be the same. */
static void test_list_many(void **state)
{
	struct fixture *f = *state;
	for (unsigned id = 301; id <= 324; id++) {
		char *conf, *text;
		assert_true(asprintf(&conf, "%s/etc/vz/conf/%u.conf", f->root, id) > 0);
		const char *priv = id == 309 ? "/srv/ct/$VEID"
				 : id == 310 ? "/nonexistent/$VEID/"
					     : "/vz/private/$VEID";
		assert_true(asprintf(&text, "VE_ROOT=\"/vz/root/$VEID\"\nVE_PRIVATE=\"%s\"\n"
					    "HOSTNAME=\"ct%u\"\n", priv, id) > 0);
		tu_write(conf, text);
		free(conf);
		free(text);
	}
	const char *made[] = {
		"vz/private/301/x", "vz/private/302/x", "vz/private/303/x",
		"vz/private/307.ovz-create", "vz/private/308.tmp/x", "srv/ct/309/x",
		"srv/ct/309.ovz-create", "vz/private/311/x", "vz/private/312/x",
		"vz/private/313/x", "vz/root/313/x", "vz/private/3140/x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(made); i++) {
		char *p = rootpath(f, made[i]);
		tu_write(p, "");
		free(p);
	}
	/* 311: a stale run state; 312: one naming a live process (this one) */
	char *st = rootpath(f, "var/run/ovz-native/311.state");
	tu_write(st, "999999999 1 ns\n");
	free(st);
	char *line;
	assert_true(asprintf(&line, "%d %lld ns\n", (int)getpid(), proc_start_ticks(getpid())) > 0);
	st = rootpath(f, "var/run/ovz-native/312.state");
	tu_write(st, line);
	free(st);
	free(line);
	/* 313: its private area mounted on its root, where a mount namespace of
	 * our own can be had */
	bool mounted = false;
	if (tu_is_root() && unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
		char *p = rootpath(f, "vz/private/313"), *r = rootpath(f, "vz/root/313");
		mounted = mount(p, r, NULL, MS_BIND, NULL) == 0;
		free(p);
		free(r);
	}
	/* as vzlist: a stopped container without a private area is not listed */
	struct tu_run r = tu_cli(f->root, NULL, "list", "-a", "-H", "-o", "ctid,status", NULL);
	assert_int_equal(r.status, 0);
	char *want;
	assert_true(asprintf(&want,
			     "       301 stopped\n       302 stopped\n       303 stopped\n"
			     "       309 incomplete\n"
			     "       311 stopped\n       312 running\n       313 %s\n",
			     mounted ? "mounted" : "stopped") > 0);
	assert_string_equal(r.out, want);
	free(want);
	tu_run_free(&r);
	/* --extra also shows what interrupted creates left */
	r = tu_cli(f->root, NULL, "list", "-a", "-x", "-H", "-o", "ctid,status", NULL);
	assert_true(asprintf(&want,
			     "       301 stopped\n       302 stopped\n       303 stopped\n"
			     "       307 incomplete\n       308 incomplete\n       309 incomplete\n"
			     "       311 stopped\n       312 running\n       313 %s\n",
			     mounted ? "mounted" : "stopped") > 0);
	assert_string_equal(r.out, want);
	free(want);
	tu_run_free(&r);
	/* the process count of the running one is that of our pid namespace */
	r = tu_cli(f->root, NULL, "list", "-H", "-o", "ctid,numproc", NULL);
	assert_int_equal(r.status, 0);
	unsigned ctid;
	int nproc = 0;
	assert_int_equal(sscanf(r.out, "%u %d", &ctid, &nproc), 2);
	assert_int_equal(ctid, 312);
	assert_true(nproc >= 2);
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "list", "-a", "-x", "-j", "-o", "ctid,status,private", "309", "310",
		   "311", NULL);
	assert_string_equal(r.out, "[\n  {\n    \"ctid\": 309,\n    \"status\": \"incomplete\",\n"
				   "    \"private\": \"/srv/ct/309\"\n  },\n  {\n    \"ctid\": 311,\n"
				   "    \"status\": \"stopped\",\n    \"private\": \"/vz/private/311\"\n  }\n]\n");
	tu_run_free(&r);
	if (mounted) {
		char *p = rootpath(f, "vz/root/313");
		umount2(p, MNT_DETACH);
		free(p);
	}
}

static void test_bad_input_changes_nothing(void **state)
{
	struct fixture *f = *state;
	char *bad;
	assert_true(asprintf(&bad, "%s/bad.xml", f->dir) > 0);
	tu_write(bad, "<domain type='kvm'><name>x</name></domain>\n");
	struct tu_run r = tu_cli(f->root, NULL, "define", bad, NULL);
	assert_int_equal(r.status, 1);
	assert_true(strncmp(r.err, "ovz-native: define: ", 20) == 0);
	tu_run_free(&r);
	tu_write(bad, "");
	r = tu_cli(f->root, NULL, "define", bad, NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	assert_true(dir_is_empty(f->root));
	free(bad);
}

static void test_name_conflict(void **state)
{
	struct fixture *f = *state;
	define_web1(f);
	char *other;
	assert_true(asprintf(&other, "%s/other.xml", f->dir) > 0);
	tu_write(other, "<domain type='openvz' id='102'><name>web1</name>"
			"<os><type>exe</type></os></domain>\n");
	struct tu_run r = tu_cli(f->root, NULL, "define", other, NULL);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "ovz-native: define 102: name 'web1' is already used by CT 101"));
	tu_run_free(&r);
	char *conf = rootpath(f, "etc/vz/conf/102.conf");
	assert_false(tu_exists(conf));
	free(conf);
	free(other);
}

static void test_rename_moves_link(void **state)
{
	struct fixture *f = *state;
	define_web1(f);
	char *x;
	assert_true(asprintf(&x, "%s/renamed.xml", f->dir) > 0);
	char *renamed = strdup(web1_xml);
	memcpy(strstr(renamed, "web1</name>"), "web2", 4);
	tu_write(x, renamed);
	struct tu_run r = tu_cli(f->root, NULL, "define", x, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *old = rootpath(f, "etc/vz/names/web1"), *new = rootpath(f, "etc/vz/names/web2");
	assert_false(tu_exists(old));
	assert_true(tu_exists(new));
	free(old);
	free(new);
	free(renamed);
	free(x);
}

static void test_auto_ctid(void **state)
{
	struct fixture *f = *state;
	define_web1(f);
	char *x;
	assert_true(asprintf(&x, "%s/noid.xml", f->dir) > 0);
	tu_write(x, "<domain type='openvz'><name>db</name><os><type>exe</type></os></domain>\n");
	struct tu_run r = tu_cli(f->root, NULL, "define", x, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "102\n");
	tu_run_free(&r);
	free(x);
}

static void test_undefine(void **state)
{
	struct fixture *f = *state;
	define_web1(f);
	char *priv = rootpath(f, "vz/private/101");
	tu_write(priv, "");	/* a private area (a file will do for the check) */
	struct tu_run r = tu_cli(f->root, NULL, "undefine", "web1", NULL);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "ovz-native: undefine web1: CT 101 has a private area"));
	tu_run_free(&r);
	unlink(priv);
	r = tu_cli(f->root, NULL, "undefine", "web1", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *conf = rootpath(f, "etc/vz/conf/101.conf"), *link = rootpath(f, "etc/vz/names/web1");
	assert_false(tu_exists(conf));
	assert_false(tu_exists(link));
	r = tu_cli(f->root, NULL, "undefine", "101", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "CT 101 is not defined"));
	tu_run_free(&r);
	free(conf);
	free(link);
	free(priv);
}

static void test_locked_container_is_conflict(void **state)
{
	struct fixture *f = *state;
	char *lck = rootpath(f, "vz/lock/101.lck");
	tu_write(lck, "1\nstart\n");	/* pid 1 lives and is older than the file */
	struct tu_run r = tu_cli(f->root, NULL, "define", f->xml, NULL);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "locked by pid 1 (start)"));
	tu_run_free(&r);
	free(lck);
}

static void test_help_and_usage(void **state)
{
	static const char *verbs[] = { "validate", "define", "dumpxml", "undefine", "list" };
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		struct tu_run r = tu_cli(NULL, NULL, verbs[i], "--help", NULL);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "usage: ovz-native"));
		tu_run_free(&r);
	}
	struct tu_run r = tu_cli(NULL, NULL, "frobnicate", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	r = tu_cli(NULL, NULL, "dumpxml", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	r = tu_cli(NULL, NULL, "--version", NULL);
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "ovz-native ", 11) == 0);
	tu_run_free(&r);
}

/* Golden plans: tests/data/plans/X-VERB.plan is what `plan VERB --xml
 * tests/data/xml/X.xml` prints on an empty root (X-VERB-B.plan: with
 * --backend B; planning needs no such kernel). */
static void test_golden_plans(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *xml, *verb, *golden;
		bool json;
		const char *backend;
	} cases[] = {
		{ "example", "create", "example-create.plan", false, NULL },
		{ "example", "start", "example-start.plan", false, NULL },
		{ "example", "stop", "example-stop.plan", false, NULL },
		{ "example", "destroy", "example-destroy.plan", false, NULL },
		{ "example", "mount", "example-mount.plan", false, NULL },
		{ "example", "umount", "example-umount.plan", false, NULL },
		{ "example", "start", "example-start.json", true, NULL },
		{ "proposal", "start", "proposal-start.plan", false, NULL },
		{ "example", "start", "example-start-vz7.plan", false, "vz7" },
		{ "example", "stop", "example-stop-vz7.plan", false, "vz7" },
		{ "example", "start", "example-start-vz.plan", false, "vz" },
		{ "netdev", "start", "netdev-start-vz.plan", false, "vz" },
		{ "netdev", "stop", "netdev-stop-vz.plan", false, "vz" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *xml, *golden_path;
		assert_true(asprintf(&xml, "xml/%s.xml", cases[i].xml) > 0);
		assert_true(asprintf(&golden_path, "plans/%s", cases[i].golden) > 0);
		char *xml_path = tu_data(xml), *gp = tu_data(golden_path);
		char *golden = tu_read(gp);
		assert_non_null(golden);
		const char *json = cases[i].json ? "--json" : NULL;
		struct tu_run r = cases[i].backend
			? tu_cli(f->root, NULL, "--backend", cases[i].backend, "plan", cases[i].verb,
				 "--xml", xml_path, json, NULL)
			: tu_cli(f->root, NULL, "plan", cases[i].verb, "--xml", xml_path, json, NULL);
		assert_int_equal(r.status, 0);
		if (strcmp(r.out, golden) != 0)
			fail_msg("%s differs:\n%s", cases[i].golden, r.out);
		tu_run_free(&r);
		free(golden);
		free(gp);
		free(xml_path);
		free(golden_path);
		free(xml);
	}
	/* planning changes nothing on disk */
	assert_true(dir_is_empty(f->root));
}

/* The vz backend creates a VE with what vzctl reads from its config:
 * every beancounter in setublimit's order (the vswap ones derived), the
 * capability mask with CAPABILITY, FEATURES, NETFILTER, DEVICES and
 * DEVNODES, CPUUNITS; tests/data/plans/vzparams-start-vz.plan. */
static void test_plan_vz_config(void **state)
{
	struct fixture *f = *state;
	char *src = tu_data("conf/vzctl-ubc.conf"), *text = tu_read(src);
	char *confdir = rootpath(f, "etc/vz/conf"), *conf = rootpath(f, "etc/vz/conf/1401.conf");
	char *all;
	assert_true(asprintf(&all, "%sCAPABILITY=\"SYS_TIME:on VE_ADMIN:off\"\n"
				   "FEATURES=\"nfs:on bridge:on\"\nNETFILTER=\"stateful\"\n"
				   "DEVICES=\"c:10:200:rw b:8:all:r\"\nDEVNODES=\"net/tun:rw\"\n"
				   "IP_ADDRESS=\"\"\n", text) > 0);
	char *mk;
	assert_true(asprintf(&mk, "mkdir -p '%s'", confdir) > 0);
	assert_int_equal(system(mk), 0);
	free(mk);
	tu_write(conf, all);
	char *gp = tu_data("plans/vzparams-start-vz.plan"), *golden = tu_read(gp);
	free(gp);
	assert_non_null(golden);
	struct tu_run r = tu_cli(f->root, NULL, "--backend", "vz", "plan", "start", "1401", NULL);
	assert_int_equal(r.status, 0);
	if (strcmp(r.out, golden) != 0)
		fail_msg("vzparams-start-vz.plan differs:\n%s", r.out);
	tu_run_free(&r);
	/* what vzctl would not take is skipped with a warning, as vzctl does:
	 * a capability it does not know, the loop device, an unknown netfilter
	 * preset or feature state, a size it cannot read */
	static const char *const bad[] = { "CAPABILITY=\"AUDIT_CONTROL:on\"\n",
					   "DEVICES=\"b:7:0:rw\"\n", "NETFILTER=\"some\"\n",
					   "FEATURES=\"sysfs:yes\"\n", "KMEMSIZE=\"12X\"\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_write(conf, bad[i]);
		r = tu_cli(f->root, NULL, "--backend", "vz", "plan", "start", "1401", NULL);
		assert_int_equal(r.status, 0);
		if (!strstr(r.err, "skipped"))
			fail_msg("%s: no warning: %s", bad[i], r.err);
		assert_non_null(strstr(r.out, "mask=0xfdccefff"));
		assert_null(strstr(r.out, "VZCTL_SETDEVPERMS"));
		tu_run_free(&r);
	}
	free(golden);
	free(all);
	free(conf);
	free(confdir);
	free(text);
	free(src);
}

/* Only the vz backend moves host devices in; the others refuse, as does
 * vz for the default host name of the container's own veth. */
static void test_plan_netdev_refused(void **state)
{
	struct fixture *f = *state;
	char *xml = tu_data("xml/netdev.xml");
	static const char *const backends[] = { "ns", "vz7" };
	for (size_t i = 0; i < 2; i++) {
		struct tu_run r = tu_cli(f->root, NULL, "--backend", backends[i], "plan", "start",
					 "--xml", xml, NULL);
		assert_int_equal(r.status, 1);
		char *want;
		assert_true(asprintf(&want, "hostdev/source/interface 'eth1': moving a host network "
				     "device into a container is not supported by the %s backend\n",
				     backends[i]) > 0);
		if (!strstr(r.err, want))
			fail_msg("%s: %s", backends[i], r.err);
		free(want);
		tu_run_free(&r);
	}
	char *veth;
	assert_true(asprintf(&veth, "%s/veth.xml", f->dir) > 0);
	tu_write(veth, "<domain type='openvz' id='101'><devices><interface type='bridge'/>"
		       "<hostdev mode='capabilities' type='net'><source><interface>veth101.0"
		       "</interface></source></hostdev></devices></domain>");
	struct tu_run r = tu_cli(f->root, NULL, "--backend", "vz", "plan", "start", "--xml", veth,
				 NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "hostdev/source/interface: is the host side of one of the "
				      "container's own veth interfaces (veth101.0)"));
	tu_run_free(&r);
	free(veth);
	free(xml);
}

static void test_plan_of_defined_container(void **state)
{
	struct fixture *f = *state;
	define_web1(f);
	struct tu_run r = tu_cli(f->root, NULL, "plan", "start", "web1", NULL);
	assert_int_equal(r.status, 0);
	const char *first = "ns  mount MS_BIND src=/vz/private/101 dst=/vz/root/101\n";
	assert_true(strncmp(r.out, first, strlen(first)) == 0);
	assert_non_null(strstr(r.out, "ns  ct.exec execve /sbin/init\n"));
	tu_run_free(&r);
	r = tu_cli(f->root, NULL, "plan", "reboot", "web1", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_validate),
		T(test_define_writes_config_and_link),
		T(test_dumpxml_fixed_point),
		T(test_vzctl_config_fixed_point),
		T(test_plan_netdev_refused),
		T(test_plan_vz_config),
		T(test_vzctl_forgiven_config),
		T(test_list),
		T(test_list_vzctl_config),
		T(test_list_many),
		T(test_bad_input_changes_nothing),
		T(test_name_conflict),
		T(test_rename_moves_link),
		T(test_auto_ctid),
		T(test_undefine),
		T(test_locked_container_is_conflict),
		T(test_help_and_usage),
		T(test_golden_plans),
		T(test_plan_of_defined_container),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
