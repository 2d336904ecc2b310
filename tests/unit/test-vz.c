// SPDX-License-Identifier: LGPL-2.1-or-later
/* The vz backend end to end: the real ovz-native binary with --backend vz
 * under tests/vzemu (an OpenVZ kernel emulated in user space, see
 * docs/testing.md).  The emulator's kernel state lives as long as one vzemu
 * run, so each scenario is one run of this program under vzemu
 * ("test-vz --inner SCENARIO ROOT") that drives ovz-native and checks what
 * it sees from inside the scenario; the cmocka tests outside start those
 * runs, compare transcripts with the golden ones in tests/data/vz and
 * inject a failure into each emulated call of a start in turn. */
#include "testutil.h"

#include "core/backend.h"
#include "core/host.h"
#include "core/util.h"
#include "net/netlink.h"
#include "net/vzabi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CTID "150"
#define VZEMU_UNSUPPORTED 77

static const char *skip_reason;
static char *root;

static const char ct_xml[] =
	"<domain type='openvz' id='" CTID "'>\n"
	"  <name>bb</name>\n"
	"  <memory unit='MiB'>256</memory>\n"
	"  <vcpu>2</vcpu>\n"
	"  <cputune><shares>1000</shares><period>100000</period><quota>50000</quota></cputune>\n"
	"  <os><type>exe</type></os>\n"
	"  <metadata><ovz:container xmlns:ovz='http://ovz-native.org/xmlns/domain/1'>"
	"<ovz:hostname>bb.test</ovz:hostname><ovz:nameserver>10.77.0.1</ovz:nameserver>"
	"</ovz:container></metadata>\n"
	"  <devices>\n"
	"    <filesystem type='template'><source name='busybox'/><target dir='/'/></filesystem>\n"
	"    <interface type='ethernet'><ip address='10.77.0.2'/></interface>\n"
	"    <interface type='bridge'><source bridge='br0'/><target dev='veth150.0'/>"
	"<guest dev='eth0'/><ip address='192.0.2.150' prefix='24'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

/* ---- inside vzemu ---- */

static int inner_failures;

static void check(bool ok, const char *fmt, ...) OVZ_PRINTF(2, 3);
static void check(bool ok, const char *fmt, ...)
{
	if (ok)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	inner_failures++;
}

static struct tu_run vz(const char *a, const char *b, const char *c, const char *d)
{
	return tu_cli(root, NULL, "--backend", "vz", a, b, c, d, NULL);
}

static void expect_run(struct tu_run r, int status, const char *out_has, const char *what)
{
	check(r.status == status, "%s: exit %d (want %d): %s%s", what, r.status, status, r.out,
	      r.err);
	if (out_has)
		check(r.out && strstr(r.out, out_has), "%s: output lacks '%s': %s", what, out_has,
		      r.out);
	tu_run_free(&r);
}

static char *slurp(const char *path)
{
	char *s = tu_read(path);
	return s ? s : xstrdup("");
}

static bool veinfo_has_ct(void)
{
	_cleanup_free_ char *s = slurp("/proc/vz/veinfo");
	for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (atoi(l) == atoi(CTID))
			return true;
	return false;
}

static bool mounted_under_root(void)
{
	_cleanup_free_ char *mi = slurp("/proc/self/mountinfo");
	return strstr(mi, root) != NULL;
}

static size_t count_links(void)
{
	struct ovz_nl *nl = NULL;
	struct ovz_link *links = NULL;
	size_t n = 0;
	if (ovz_nl_open(-1, &nl, NULL) == 0)
		ovz_nl_link_list(nl, &links, &n, NULL);
	free(links);
	ovz_nl_close(nl);
	return n;
}

static bool exists_under(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);
	return tu_exists(p);
}

/* What a stopped or never started VE must not leave: the VE, its
 * beancounter, a mount, a device, a lock, run state or a temporary file. */
static void check_no_residue(const char *when, size_t base_links)
{
	check(!veinfo_has_ct(), "%s: VE " CTID " still in /proc/vz/veinfo", when);
	_cleanup_free_ char *ubc = slurp("/proc/user_beancounters");
	check(!strstr(ubc, CTID ":"), "%s: beancounter " CTID " left", when);
	check(!mounted_under_root(), "%s: a mount left under the root", when);
	check(count_links() == base_links, "%s: %zu links, want %zu", when, count_links(),
	      base_links);
	check(!exists_under("/vz/lock/" CTID ".lck"), "%s: lock left", when);
	check(!exists_under("/var/run/ovz-native/" CTID ".state"), "%s: run state left", when);
	struct tu_run r = vz("status", CTID, NULL, NULL);
	check(r.out && strcmp(r.out, "CTID " CTID " exist unmounted down\n") == 0,
	      "%s: status '%s'", when, r.out);
	tu_run_free(&r);
}

static size_t scenario_links(void)
{
	/* the bridge the veth interface is enslaved to; then lo, venet0, br0 */
	if (system("ip link add br0 type bridge && ip link set br0 up") != 0)
		check(false, "cannot make br0");
	return count_links();
}

static int inner_lifecycle(void)
{
	size_t base = scenario_links();
	expect_run(vz("start", CTID, NULL, NULL), 0, NULL, "start");
	check(veinfo_has_ct(), "VE " CTID " not in /proc/vz/veinfo");
	_cleanup_free_ char *veinfo = slurp("/proc/vz/veinfo");
	check(strstr(veinfo, "10.77.0.2") != NULL, "veinfo lacks the venet address: %s", veinfo);
	_cleanup_free_ char *ubc = slurp("/proc/user_beancounters");
	check(strstr(ubc, CTID ":") != NULL, "no beancounter " CTID);
	expect_run(vz("status", CTID, NULL, NULL), 0, "CTID " CTID " exist mounted running",
		   "status");
	expect_run(vz("list", "-H", "-o", "ctid,status,hostname"), 0, "running", "list");
	expect_run(vz("exec", CTID, "hostname", NULL), 0, "bb.test\n", "exec hostname");
	expect_run(vz("exec", CTID, "cat", "/etc/resolv.conf"), 0, "nameserver 10.77.0.1",
		   "exec cat");
	struct tu_run r = tu_cli(root, NULL, "--backend", "vz", "exec", CTID, "ip", "-o", "addr",
				 NULL);
	check(r.out && strstr(r.out, "venet0") && strstr(r.out, "10.77.0.2/32") &&
	      strstr(r.out, "eth0") && strstr(r.out, "192.0.2.150/24"),
	      "addresses inside: %s", r.out);
	tu_run_free(&r);
	check(count_links() == base + 1, "host links: %zu, want the veth's host end too",
	      count_links());
	/* live addresses through the backend's hook (VENETCTL_VE_IP_MAP) */
	expect_run(vz("set", CTID, "--ipadd", "10.77.0.5"), 0, NULL, "set --ipadd");
	_cleanup_free_ char *added = slurp("/proc/vz/veinfo");
	check(strstr(added, "10.77.0.5") != NULL, "veinfo lacks the added address: %s", added);
	r = tu_cli(root, NULL, "--backend", "vz", "exec", CTID, "ip", "-o", "addr", NULL);
	check(r.out && strstr(r.out, "10.77.0.5/32"), "added address inside: %s", r.out);
	tu_run_free(&r);
	expect_run(vz("set", CTID, "--ipdel", "10.77.0.5"), 0, NULL, "set --ipdel");
	_cleanup_free_ char *removed = slurp("/proc/vz/veinfo");
	check(strstr(removed, "10.77.0.5") == NULL, "veinfo keeps the removed address: %s",
	      removed);
	expect_run(vz("start", CTID, NULL, NULL), 3, NULL, "second start");
	expect_run(vz("stop", CTID, NULL, NULL), 0, NULL, "stop");
	check_no_residue("after stop", base);
	expect_run(vz("start", CTID, NULL, NULL), 0, NULL, "start again");
	expect_run(vz("stop", "--fast", CTID, NULL), 0, NULL, "stop --fast");
	check_no_residue("after stop --fast", base);
	return inner_failures ? 1 : 0;
}

static int inner_start(void)
{
	scenario_links();
	expect_run(vz("start", CTID, NULL, NULL), 0, NULL, "start");
	return inner_failures ? 1 : 0;
}

/* Started with --fail-call N: start must fail and leave nothing. */
static int inner_start_fail(void)
{
	size_t base = scenario_links();
	_cleanup_free_ char *conf_path = xasprintf("%s/etc/vz/conf/" CTID ".conf", root);
	_cleanup_free_ char *conf = slurp(conf_path);
	struct tu_run r = vz("start", CTID, NULL, NULL);
	check(r.status != 0, "start succeeded despite the injected failure");
	tu_run_free(&r);
	check_no_residue("after the failed start", base);
	_cleanup_free_ char *after = slurp(conf_path);
	check(strcmp(conf, after) == 0, "the config changed");
	check(!exists_under("/etc/vz/conf/" CTID ".conf.tmp"), "a temporary config left");
	return inner_failures ? 1 : 0;
}

/* ---- the emulator's kernel checks, by raw calls ---- */

static int errno_of(long r)
{
	return r < 0 ? errno : 0;
}

static int ip_map_raw(int fd, unsigned veid, int op, const char *addr, int addrlen)
{
	struct ovz_ip ip;
	ovz_parse_ip(addr, 0, &ip);
	union ovz_sockaddr sa;
	struct ovz_vzctl_ve_ip_map req;
	ovz_vz_ip_map_encode(veid, op, &ip, &sa, &req);
	if (addrlen)
		req.addrlen = addrlen;
	return errno_of(ioctl(fd, OVZ_VENETCTL_VE_IP_MAP, &req));
}

static int create_raw(int fd, unsigned veid, unsigned flags, int datalen)
{
	struct ovz_env_create_param3 p = { .iptables_mask = OVZ_VE_IP_DEFAULT };
	struct ovz_vzctl_env_create_data req;
	ovz_vz_env_create_encode(veid, flags, &p, sizeof(p), &req);
	req.datalen = datalen;
	long r = ioctl(fd, OVZ_VZCTL_ENV_CREATE_DATA, &req);
	return r < 0 ? -errno : (int)r;
}

/* A child that becomes VE veid's init and waits; its pid, or -1. */
static pid_t start_ve(int fd, unsigned veid, int report[2])
{
	if (pipe(report) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(report[0]);
		int r = setsid() < 0 ? -errno : 0;
		if (r == 0 && syscall(OVZ_NR_SETLUID, (unsigned long)veid) < 0)
			r = -errno;
		if (r == 0)
			r = create_raw(fd, veid, OVZ_VE_CREATE | OVZ_VE_EXCLUSIVE, 32);
		if (write(report[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		for (;;)
			pause();
	}
	close(report[1]);
	int r = -1;
	if (read(report[0], &r, sizeof(r)) != sizeof(r) || r != (int)veid) {
		check(false, "VE %u: create gave %d", veid, r);
		return -1;
	}
	return pid;
}

static int inner_kernel(void)
{
	int fd = open("/dev/vzctl", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "open /dev/vzctl: %s", strerror(errno));
	struct ovz_vzctl_env_create q = { .veid = 0, .flags = 0 };
	check(ioctl(fd, OVZ_VZCTL_ENV_CREATE, &q) == 0, "flags 0 in VE0 answers 0");
	check(ovz_vz_ve_test(fd, 901, NULL) == 0, "VE_TEST of an absent VE");
	q = (struct ovz_vzctl_env_create){ .veid = 901, .flags = OVZ_VE_TEST | OVZ_VE_ENTER };
	check(ioctl(fd, OVZ_VZCTL_ENV_CREATE, &q) < 0 && errno == EINVAL, "VE_TEST|VE_ENTER");
	unsigned long lim[2] = { 1, 2 };
	check(syscall(OVZ_NR_SETUBLIMIT, 901UL, 6UL, lim) < 0 && errno == ENOENT,
	      "setublimit before setluid: ENOENT");
	check(syscall(OVZ_NR_SETLUID, (unsigned long)-1) < 0 && errno == EINVAL, "setluid(-1)");
	check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "10.9.9.9", 0) == ESRCH, "IP_MAP, no VE");
	check(create_raw(fd, 901, OVZ_VE_CREATE, 4) == -EINVAL, "datalen 4");
	check(create_raw(fd, 901, OVZ_VE_CREATE, 32) == -EINVAL, "CREATE without setsid");
	int rep1[2], rep2[2];
	pid_t ve1 = start_ve(fd, 901, rep1), ve2 = start_ve(fd, 902, rep2);
	check(ovz_vz_ve_test(fd, 901, NULL) == 1, "VE 901 runs");
	check(syscall(OVZ_NR_SETUBLIMIT, 901UL, 30UL, lim) < 0 && errno == EINVAL, "res 30");
	check(syscall(OVZ_NR_SETUBLIMIT, 901UL, 6UL, lim) == 0, "setublimit physpages");
	check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "10.9.9.9", 20) == EINVAL, "addrlen 20");
	check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "10.9.9.9", 28) == EINVAL, "v4 with addrlen 28");
	check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "10.9.9.9", 0) == 0, "IP add");
	check(ip_map_raw(fd, 902, OVZ_VE_IP_ADD, "10.9.9.9", 0) == EADDRINUSE, "IP of 901");
	check(ip_map_raw(fd, 901, OVZ_VE_IP_DEL, "10.9.9.8", 0) == EADDRNOTAVAIL, "IP del");
	check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "2001:db8::9", 0) == 0, "IPv6 add");
	_cleanup_free_ char *veinfo = slurp("/proc/vz/veinfo");
	check(strstr(veinfo, "10.9.9.9") && strstr(veinfo, "2001:0db8:0000:0000:0000:0000:0000:0009"),
	      "veinfo: %s", veinfo);
	_cleanup_free_ char *ubc = slurp("/proc/user_beancounters");
	check(strstr(ubc, "901:") && strstr(ubc, "902:"), "beancounters: %s", ubc);
	uint32_t ids[4] = { 0 };
	struct ovz_vzlist_veidctl l = { .num = 4, .id = ids };
	check(ioctl(fd, OVZ_VZCTL_GET_VEIDS, &l) == 2 && ids[0] == 901 && ids[1] == 902,
	      "GET_VEIDS");
	check(create_raw(fd, 901, OVZ_VE_CREATE | OVZ_VE_EXCLUSIVE, 32) == -EACCES,
	      "VE_EXCLUSIVE create of a running VE");
	/* the VE's init has the VE's hostname and network, not ours */
	char path[64], ours[64], theirs[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)ve1);
	ssize_t n1 = readlink(path, theirs, sizeof(theirs) - 1);
	ssize_t n2 = readlink("/proc/self/ns/uts", ours, sizeof(ours) - 1);
	check(n1 > 0 && n2 > 0 && (theirs[n1] = ours[n2] = '\0', strcmp(theirs, ours) != 0),
	      "the VE has its own UTS namespace");
	/* VE_ENTER and reboot inside stop the VE; its init's exit stops the other */
	pid_t p = fork();
	if (p == 0) {
		if (ovz_vz_ve_enter(fd, 901, NULL) < 0)
			_exit(1);
		syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL);
		_exit(2);
	}
	int st;
	waitpid(p, &st, 0);
	check(WIFSIGNALED(st), "reboot inside VE 901 ends the caller (status %d)", st);
	check(ovz_vz_ve_test(fd, 901, NULL) == 0, "VE 901 is gone after reboot inside");
	waitpid(ve1, NULL, 0);
	kill(ve2, SIGKILL);
	waitpid(ve2, NULL, 0);
	check(ovz_vz_ve_test(fd, 902, NULL) == 0, "VE 902 is gone with its init");
	check(ip_map_raw(fd, 902, OVZ_VE_IP_ADD, "10.9.9.9", 0) == ESRCH, "IP of a gone VE");
	free(ubc);
	ubc = slurp("/proc/user_beancounters");
	check(!strstr(ubc, "901:") && !strstr(ubc, "902:"), "beancounters left: %s", ubc);
	close(fd);
	return inner_failures ? 1 : 0;
}

/* The vz backend's hooks for running containers (status by VE_TEST, the
 * running list from /proc/vz/veinfo, exec by VE_ENTER, live addresses),
 * called through the library. */
static char *spawn_output(char *const argv[])
{
	int p[2];
	if (pipe(p) < 0)
		return xstrdup("");
	int fds[3] = { -1, p[1], -1 };
	static char *const envp[] = { "PATH=/bin:/sbin", NULL };
	_cleanup_free_ char *ve_root = xasprintf("%s/vz/root/" CTID, root);
	pid_t pid;
	struct ovz_error *e = NULL;
	int r = ovz_backend_vz.enter_spawn(atoi(CTID), ve_root, argv, envp, fds, &pid, &e);
	close(p[1]);
	check(r == 0, "enter_spawn %s: %s", argv[0], ovz_error_message(e));
	ovz_error_free(e);
	struct strbuf sb = STRBUF_INIT;
	char buf[512];
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		strbuf_putn(&sb, buf, (size_t)n);
	close(p[0]);
	int st = 0;
	if (r == 0)
		waitpid(pid, &st, 0);
	check(r != 0 || (WIFEXITED(st) && WEXITSTATUS(st) == 0), "%s: status %d", argv[0], st);
	return sb.buf ? strbuf_steal(&sb) : xstrdup("");
}

static void set_ip(struct ovz_host *h, const struct ovz_domain *d, const char *addr, bool add)
{
	struct ovz_iface f = { .type = OVZ_IFACE_VENET };
	struct ovz_ip ip;
	ovz_parse_ip(addr, 0, &ip);
	ovz_iface_add_ip(&f, &ip);
	struct ovz_error *e = NULL;
	int r = ovz_backend_vz.set_ips(h, d, add ? &f : NULL, add ? NULL : &f, &e);
	check(r == 0, "set_ips %s %s: %s", add ? "add" : "del", addr, ovz_error_message(e));
	ovz_error_free(e);
	free(f.ips);
}

static int inner_hooks(void)
{
	size_t base = scenario_links();
	expect_run(vz("start", CTID, NULL, NULL), 0, NULL, "start");
	check(ovz_backend_vz.running(atoi(CTID), NULL) == 1, "running: VE_TEST says no");
	check(ovz_backend_vz.running(999, NULL) == 0, "running: VE 999");
	unsigned *ids = NULL;
	size_t n = 0;
	check(ovz_backend_vz.list_running(&ids, &n, NULL) == 0 && n == 1 &&
	      ids[0] == (unsigned)atoi(CTID), "list_running: %zu", n);
	free(ids);
	_cleanup_free_ char *hn = spawn_output((char *[]){ "hostname", NULL });
	check(strcmp(hn, "bb.test\n") == 0, "hostname by VE_ENTER: '%s'", hn);
	struct ovz_host *h = NULL;
	struct ovz_domain *d = NULL;
	check(ovz_host_open(root, "vz", &h, NULL) == 0 && ovz_host_load(h, atoi(CTID), &d, NULL) == 0,
	      "load CT " CTID);
	if (h && d) {
		set_ip(h, d, "10.77.0.3", true);
		_cleanup_free_ char *veinfo = slurp("/proc/vz/veinfo");
		check(strstr(veinfo, "10.77.0.3") != NULL, "veinfo after add: %s", veinfo);
		_cleanup_free_ char *a = spawn_output((char *[]){ "ip", "-o", "-4", "addr", NULL });
		check(strstr(a, "10.77.0.3/32") != NULL, "inside after add: %s", a);
		set_ip(h, d, "10.77.0.3", false);
		_cleanup_free_ char *b = spawn_output((char *[]){ "ip", "-o", "-4", "addr", NULL });
		check(!strstr(b, "10.77.0.3") && strstr(b, "10.77.0.2"), "inside after del: %s", b);
	}
	if (h && d) {
		/* vzctl's stop: halt inside (here kill(1) reaches the VE's init) */
		struct ovz_error *e = NULL;
		check(ovz_backend_vz.stop(h, d, false, 10, &e) == 0, "stop: %s",
		      ovz_error_message(e));
		ovz_error_free(e);
		check(ovz_backend_vz.running(atoi(CTID), NULL) == 0, "running after stop");
	}
	ovz_domain_free(d);
	ovz_host_free(h);
	expect_run(vz("stop", "--fast", CTID, NULL), 0, NULL, "stop --fast (the teardown)");
	check_no_residue("after stop", base);
	return inner_failures ? 1 : 0;
}

/* Under --kernel vz7: what an OpenVZ 7 kernel no longer has. */
static int inner_kernel_vz7(void)
{
	int fd = open("/dev/vzctl", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "open /dev/vzctl: %s", strerror(errno));
	check(create_raw(fd, 901, OVZ_VE_CREATE, 32) == -524, "ENV_CREATE_DATA: ENOTSUPP");
	check(syscall(OVZ_NR_SETLUID, 901UL) < 0 && errno == ENOSYS, "setluid: ENOSYS");
	_cleanup_free_ char *cg = slurp("/proc/cgroups");
	check(strstr(cg, "\nve\t") != NULL, "/proc/cgroups lists ve");
	_cleanup_free_ char *fs = slurp("/proc/filesystems");
	check(!strstr(fs, "simfs"), "no simfs on vz7");
	close(fd);
	return inner_failures ? 1 : 0;
}

static int inner_main(const char *scenario, const char *dir)
{
	root = xstrdup(dir);
	if (strcmp(scenario, "lifecycle") == 0)
		return inner_lifecycle();
	if (strcmp(scenario, "start") == 0)
		return inner_start();
	if (strcmp(scenario, "start-fail") == 0)
		return inner_start_fail();
	if (strcmp(scenario, "kernel") == 0)
		return inner_kernel();
	if (strcmp(scenario, "hooks") == 0)
		return inner_hooks();
	if (strcmp(scenario, "kernel-vz7") == 0)
		return inner_kernel_vz7();
	fprintf(stderr, "unknown scenario '%s'\n", scenario);
	return 2;
}

/* ---- outside: cmocka ---- */

static char *self_exe(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

/* Runs a scenario under vzemu; extra is "--fail-call" "N:ERR" or NULLs. */
static struct tu_run under_vzemu(const char *scenario, const char *transcript, const char *fail)
{
	_cleanup_free_ char *self = self_exe();
	char *argv[16];
	int n = 0;
	argv[n++] = getenv("OVZ_VZEMU");
	if (transcript) {
		argv[n++] = (char *)"--transcript";
		argv[n++] = (char *)transcript;
	}
	if (fail) {
		argv[n++] = (char *)"--fail-call";
		argv[n++] = (char *)fail;
	}
	argv[n++] = (char *)"--";
	argv[n++] = self;
	argv[n++] = (char *)"--inner";
	argv[n++] = (char *)scenario;
	argv[n++] = root;
	argv[n] = NULL;
	return tu_runv(argv, NULL);
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("'%s' failed", cmd);
}

/* A busybox root whose init is a shell loop that powers the VE off on
 * SIGUSR2 or SIGTERM: busybox's own init insists on being pid 1, which a
 * VE's init is not under the emulator (no pid namespace).  Its halt asks
 * pid 1 to power off, as halt programs do. */
static void make_template(void)
{
	char *cmd = xasprintf(
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/sbin $t/etc $t/proc $t/sys $t/dev "
		"$t/tmp $t/root; cp /bin/busybox $t/bin/; for a in sh ls cat echo sleep ip "
		"hostname ps true id poweroff; do ln -s busybox $t/bin/$a; done; "
		"printf '#!/bin/sh\\ntrap \"poweroff -f\" USR2 TERM\\nwhile :; do sleep 1; done\\n' "
		"> $t/sbin/init; printf '#!/bin/sh\\nkill -USR2 1\\n' > $t/sbin/halt; "
		"chmod 755 $t/sbin/init $t/sbin/halt; "
		"mkdir -p %s/vz/template/cache; "
		"tar --numeric-owner -C $t -czf %s/vz/template/cache/busybox.tar.gz .; rm -rf $t",
		root, root);
	sh(cmd);
	free(cmd);
}

static int group_setup(void **state)
{
	if (!tu_is_root()) {
		skip_reason = "needs root (vzemu makes namespaces and cgroups)";
		return 0;
	}
	if (access("/bin/busybox", X_OK) < 0) {
		skip_reason = "needs /bin/busybox (Debian's busybox-static)";
		return 0;
	}
	if (!getenv("OVZ_VZEMU")) {
		skip_reason = "OVZ_VZEMU is not set (run through meson test)";
		return 0;
	}
	struct tu_run r = tu_runv((char *[]){ getenv("OVZ_VZEMU"), "--", "true", NULL }, NULL);
	int st = r.status;
	tu_run_free(&r);
	if (st == VZEMU_UNSUPPORTED) {
		skip_reason = "this kernel cannot run vzemu (seccomp user notification, cgroup v2)";
		return 0;
	}
	root = tu_mkdtemp();
	make_template();
	char *xml = xasprintf("%s/ct.xml", root);
	tu_write(xml, ct_xml);
	r = tu_cli(root, NULL, "--backend", "vz", "create", "--xml", xml, NULL);
	free(xml);
	if (r.status != 0)
		fail_msg("create: %s", r.err);
	tu_run_free(&r);
	return 0;
}

static int group_teardown(void **state)
{
	if (root) {
		struct tu_run r = tu_cli(root, NULL, "--backend", "vz", "destroy", CTID, NULL);
		tu_run_free(&r);
		tu_rmrf(root);
	}
	return 0;
}

#define REQUIRE() do { if (skip_reason) TU_SKIP("%s", skip_reason); } while (0)

static void expect_inner_ok(struct tu_run r, const char *what)
{
	if (r.status != 0)
		fail_msg("%s: exit %d\n%s%s", what, r.status, r.out, r.err);
	tu_run_free(&r);
}

/* The transcript with the temporary root replaced by ROOT. */
/* The transcript as compared with a golden file: the scratch root reads
 * ROOT, and the VE_TEST probes are left out with the call numbers, since
 * how often stop polls before the VE is gone depends on timing; every call
 * that changes state stays, in order. */
static char *normalised(const char *path)
{
	_cleanup_free_ char *s = tu_read(path);
	assert_non_null(s);
	struct strbuf sb = STRBUF_INIT;
	size_t rl = strlen(root);
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		if (strstr(line, "\"flags\":\"VE_TEST\""))
			continue;
		const char *comma = strchr(line, ',');
		const char *p = line;
		if (strncmp(line, "{\"n\":", 5) == 0 && comma) {	/* drop the call number */
			strbuf_putc(&sb, '{');
			p = comma + 1;
		}
		while (*p) {
			if (strncmp(p, root, rl) == 0) {
				strbuf_puts(&sb, "ROOT");
				p += rl;
			} else {
				strbuf_putc(&sb, *p++);
			}
		}
		strbuf_putc(&sb, '\n');
	}
	return strbuf_steal(&sb);
}

/* vzemu ended the scenario with the VE running, like a host that went down:
 * the run state it left is stale (and reads so); it goes before the next
 * scenario checks for residue. */
static void forget_run_state(void)
{
	_cleanup_free_ char *p = xasprintf("%s/var/run/ovz-native/" CTID ".state", root);
	unlink(p);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void compare_golden(const char *name, const char *got)
{
	_cleanup_free_ char *rel = xasprintf("vz/%s", name);
	_cleanup_free_ char *path = tu_data(rel);
	if (getenv("OVZ_UPDATE_GOLDEN")) {
		tu_write(path, got);
		return;
	}
	_cleanup_free_ char *want = tu_read(path);
	if (!want || strcmp(want, got) != 0)
		fail_msg("transcript differs from tests/data/%s (OVZ_UPDATE_GOLDEN=1 rewrites "
			 "it):\n%s", rel, got);
}

static void test_lifecycle(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/lifecycle.transcript", root);
	expect_inner_ok(under_vzemu("lifecycle", t, NULL), "lifecycle under vzemu");
	_cleanup_free_ char *got = normalised(t);
	compare_golden("lifecycle.transcript", got);
}

static void test_start_golden(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/start.transcript", root);
	expect_inner_ok(under_vzemu("start", t, NULL), "start under vzemu");
	forget_run_state();
	_cleanup_free_ char *got = normalised(t);
	compare_golden("start.transcript", got);
}

/* Each emulated call of a start fails in turn; each failure is undone. */
static void test_fail_each_call_of_start(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/count.transcript", root);
	expect_inner_ok(under_vzemu("start", t, NULL), "start under vzemu");
	forget_run_state();
	_cleanup_free_ char *s = tu_read(t);	/* every call, probes too */
	assert_non_null(s);
	size_t calls = count_lines(s);
	assert_true(calls >= 10);
	for (size_t i = 1; i <= calls; i++) {
		char fail[32], what[64];
		snprintf(fail, sizeof(fail), "%zu:ENOMEM", i);
		snprintf(what, sizeof(what), "start failing emulated call %zu", i);
		expect_inner_ok(under_vzemu("start-fail", NULL, fail), what);
	}
}

/* The emulator answers as the kernel does: errors, ownership of
 * addresses, namespaces of a VE, its end by reboot inside or by its init's
 * exit, beancounters that go with their last user. */
static void test_emulated_kernel(void **state)
{
	REQUIRE();
	expect_inner_ok(under_vzemu("kernel", NULL, NULL), "raw calls under vzemu");
}

static void test_emulated_vz7_kernel(void **state)
{
	REQUIRE();
	_cleanup_free_ char *self = self_exe();
	char *argv[] = { getenv("OVZ_VZEMU"), (char *)"--kernel", (char *)"vz7", (char *)"--",
			 self, (char *)"--inner", (char *)"kernel-vz7", root, NULL };
	expect_inner_ok(tu_runv(argv, NULL), "raw calls under vzemu --kernel vz7");
}

static void test_backend_hooks(void **state)
{
	REQUIRE();
	expect_inner_ok(under_vzemu("hooks", NULL, NULL), "vz hooks under vzemu");
}

static void expect_backend(const char *kernel, const char *want)
{
	char *argv[] = { getenv("OVZ_VZEMU"), (char *)"--kernel", (char *)kernel, (char *)"--",
			 getenv("OVZ_BIN"), (char *)"--version", NULL };
	struct tu_run r = tu_runv(argv, NULL);
	if (r.status != 0 || !strstr(r.out, want))
		fail_msg("--kernel %s: exit %d, '%s' (want '%s')", kernel, r.status, r.out, want);
	tu_run_free(&r);
}

/* --backend auto: /proc/vz and a /dev/vzctl answering VE_TEST mean vz; an
 * OpenVZ 7 kernel (the ve cgroup) means vz7. */
static void test_probe(void **state)
{
	REQUIRE();
	expect_backend("legacy", "(backend vz)");
	expect_backend("vz7", "(backend vz7)");
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--inner") == 0)
		return inner_main(argv[2], argv[3]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_start_golden),
		cmocka_unit_test(test_fail_each_call_of_start),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_emulated_kernel),
		cmocka_unit_test(test_backend_hooks),
		cmocka_unit_test(test_emulated_vz7_kernel),
	};
	return cmocka_run_group_tests_name("vz", tests, group_setup, group_teardown);
}
