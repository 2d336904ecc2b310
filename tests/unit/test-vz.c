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
#include "vzscen.h"

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
#include <net/if.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define CTID "150"
#define NETDEV "nd150"	/* one end of a veth pair the scenario makes, moved in */

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
	"    <hostdev mode='capabilities' type='net'><source><interface>" NETDEV
	"</interface></source></hostdev>\n"
	"  </devices>\n"
	"</domain>\n";

/* ---- inside vzemu ---- */

static struct tu_run vz(const char *a, const char *b, const char *c, const char *d)
{
	return tu_cli(root, NULL, "--backend", "vz", a, b, c, d, NULL);
}

static bool veinfo_has_ct(void)
{
	_cleanup_free_ char *s = vzs_slurp("/proc/vz/veinfo");
	for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (atoi(l) == atoi(CTID))
			return true;
	return false;
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
	vzs_check(!veinfo_has_ct(), "%s: VE " CTID " still in /proc/vz/veinfo", when);
	_cleanup_free_ char *ubc = vzs_slurp("/proc/user_beancounters");
	vzs_check(!strstr(ubc, CTID ":"), "%s: beancounter " CTID " left", when);
	vzs_check(!vzs_mounted_under(root), "%s: a mount left under the root", when);
	vzs_check(vzs_count_links() == base_links, "%s: %zu links, want %zu", when, vzs_count_links(),
	      base_links);
	vzs_check(if_nametoindex(NETDEV) != 0, "%s: " NETDEV " is not back on the host", when);
	vzs_check(!exists_under("/vz/lock/" CTID ".lck"), "%s: lock left", when);
	vzs_check(!exists_under("/var/run/ovz-native/" CTID ".state"), "%s: run state left", when);
	struct tu_run r = vz("status", CTID, NULL, NULL);
	vzs_check(r.out && strcmp(r.out, "CTID " CTID " exist unmounted down\n") == 0,
	      "%s: status '%s'", when, r.out);
	tu_run_free(&r);
}

static size_t scenario_links(void)
{
	/* the bridge the veth interface is enslaved to, and the device the
	 * container takes; then lo, venet0, br0 and the pair */
	if (system("ip link add br0 type bridge && ip link set br0 up") != 0)
		vzs_check(false, "cannot make br0");
	if (system("ip link add " NETDEV " type veth peer name " NETDEV "p") != 0)
		vzs_check(false, "cannot make " NETDEV);
	return vzs_count_links();
}

static int inner_lifecycle(void)
{
	size_t base = scenario_links();
	vzs_expect_run(vz("start", CTID, NULL, NULL), 0, NULL, "start");
	vzs_check(veinfo_has_ct(), "VE " CTID " not in /proc/vz/veinfo");
	_cleanup_free_ char *veinfo = vzs_slurp("/proc/vz/veinfo");
	vzs_check(strstr(veinfo, "10.77.0.2") != NULL, "veinfo lacks the venet address: %s", veinfo);
	_cleanup_free_ char *ubc = vzs_slurp("/proc/user_beancounters");
	vzs_check(strstr(ubc, CTID ":") != NULL, "no beancounter " CTID);
	vzs_expect_run(vz("status", CTID, NULL, NULL), 0, "CTID " CTID " exist mounted running",
		   "status");
	vzs_expect_run(vz("list", "-H", "-o", "ctid,status,hostname"), 0, "running", "list");
	vzs_expect_run(vz("exec", CTID, "hostname", NULL), 0, "bb.test\n", "exec hostname");
	vzs_expect_run(vz("exec", CTID, "cat", "/etc/resolv.conf"), 0, "nameserver 10.77.0.1",
		   "exec cat");
	struct tu_run r = tu_cli(root, NULL, "--backend", "vz", "exec", CTID, "ip", "-o", "addr",
				 NULL);
	vzs_check(r.out && strstr(r.out, "venet0") && strstr(r.out, "10.77.0.2/32") &&
	      strstr(r.out, "eth0") && strstr(r.out, "192.0.2.150/24"),
	      "addresses inside: %s", r.out);
	tu_run_free(&r);
	vzs_check(vzs_count_links() == base, "host links: %zu, want the veth's host end in and "
	      NETDEV " out", vzs_count_links());
	vzs_check(if_nametoindex(NETDEV) == 0, NETDEV " is still on the host");
	r = tu_cli(root, NULL, "--backend", "vz", "exec", CTID, "ip", "-o", "link", NULL);
	vzs_check(r.out && strstr(r.out, ": " NETDEV), NETDEV " not inside: %s", r.out);
	tu_run_free(&r);
	/* live addresses through the backend's hook (VENETCTL_VE_IP_MAP) */
	vzs_expect_run(vz("set", CTID, "--ipadd", "10.77.0.5"), 0, NULL, "set --ipadd");
	_cleanup_free_ char *added = vzs_slurp("/proc/vz/veinfo");
	vzs_check(strstr(added, "10.77.0.5") != NULL, "veinfo lacks the added address: %s", added);
	r = tu_cli(root, NULL, "--backend", "vz", "exec", CTID, "ip", "-o", "addr", NULL);
	vzs_check(r.out && strstr(r.out, "10.77.0.5/32"), "added address inside: %s", r.out);
	tu_run_free(&r);
	vzs_expect_run(vz("set", CTID, "--ipdel", "10.77.0.5"), 0, NULL, "set --ipdel");
	_cleanup_free_ char *removed = vzs_slurp("/proc/vz/veinfo");
	vzs_check(strstr(removed, "10.77.0.5") == NULL, "veinfo keeps the removed address: %s",
	      removed);
	vzs_expect_run(vz("start", CTID, NULL, NULL), 3, NULL, "second start");
	vzs_expect_run(vz("stop", CTID, NULL, NULL), 0, NULL, "stop");
	check_no_residue("after stop", base);
	vzs_expect_run(vz("start", CTID, NULL, NULL), 0, NULL, "start again");
	vzs_expect_run(vz("stop", "--fast", CTID, NULL), 0, NULL, "stop --fast");
	check_no_residue("after stop --fast", base);
	return vzs_status();
}

static int inner_start(void)
{
	scenario_links();
	vzs_expect_run(vz("start", CTID, NULL, NULL), 0, NULL, "start");
	return vzs_status();
}

/* Started with --fail-call N: start must fail and leave nothing. */
static int inner_start_fail(void)
{
	size_t base = scenario_links();
	_cleanup_free_ char *conf_path = xasprintf("%s/etc/vz/conf/" CTID ".conf", root);
	_cleanup_free_ char *conf = vzs_slurp(conf_path);
	struct tu_run r = vz("start", CTID, NULL, NULL);
	vzs_check(r.status != 0, "start succeeded despite the injected failure");
	tu_run_free(&r);
	check_no_residue("after the failed start", base);
	_cleanup_free_ char *after = vzs_slurp(conf_path);
	vzs_check(strcmp(conf, after) == 0, "the config changed");
	vzs_check(!exists_under("/etc/vz/conf/" CTID ".conf.tmp"), "a temporary config left");
	return vzs_status();
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

/* capset of the calling process (v3, 64 bits) */
static int set_caps(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	uint32_t d[6] = { (uint32_t)eff, (uint32_t)prm, (uint32_t)inh,
			  (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) };
	return (int)syscall(SYS_capset, &hdr, d);
}

/* A capability set of /proc/PID/status ("CapEff", ...). */
static uint64_t status_caps(pid_t pid, const char *key)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_free_ char *s = vzs_slurp(path);
	const char *v = s ? strstr(s, key) : NULL;
	return v ? strtoull(v + strlen(key) + 2, NULL, 16) : 0;
}

#define CAP_BIT(c) (1ULL << (c))
#define SYS_MODULE 16
#define SYS_ADMIN 21
#define VE_ADMIN 30

/* A child that becomes VE veid's init and waits; its pid, or -1.  With
 * `lead` it calls setsid() first; without, the kernel makes it session
 * leader.  It creates the VE without CAP_SYS_MODULE in its effective set. */
static pid_t start_ve(int fd, unsigned veid, bool lead, int report[2])
{
	if (pipe(report) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(report[0]);
		int r = lead && setsid() < 0 ? -errno : 0;
		uint64_t all = status_caps(getpid(), "CapPrm");
		if (r == 0 && set_caps(all & ~CAP_BIT(SYS_MODULE), all, 0) < 0)
			r = -errno;
		if (r == 0 && syscall(OVZ_NR_SETLUID, (unsigned long)veid) < 0)
			r = -errno;
		if (r == 0)
			r = create_raw(fd, veid, OVZ_VE_CREATE | OVZ_VE_EXCLUSIVE, 32);
		if (r == (int)veid && getsid(0) != getpid())
			r = -1000;	/* the kernel makes its init session leader */
		if (write(report[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		for (;;)
			pause();
	}
	close(report[1]);
	int r = -1;
	if (read(report[0], &r, sizeof(r)) != sizeof(r) || r != (int)veid) {
		vzs_check(false, "VE %u: create gave %d", veid, r);
		return -1;
	}
	return pid;
}

/* A process group leader cannot become session leader: EINVAL. */
static int create_as_group_leader(int fd, unsigned veid)
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(-create_raw(fd, veid, OVZ_VE_CREATE, 32));
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool same_ns(pid_t pid, const char *ns)
{
	char path[64], ours[64], theirs[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	ssize_t n1 = readlink(path, theirs, sizeof(theirs) - 1);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	ssize_t n2 = readlink(path, ours, sizeof(ours) - 1);
	return n1 > 0 && n2 > 0 && (theirs[n1] = ours[n2] = '\0', strcmp(theirs, ours) == 0);
}

/* In a child entering VE veid: its capabilities afterwards, and whether a
 * mount fails with EPERM once it has neither CAP_VE_ADMIN nor
 * CAP_SYS_ADMIN, and works with them (a tmpfs on dir). */
static void check_enter_caps(int fd, unsigned veid, const char *dir)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t r[4] = { 0 };
		if (ovz_vz_ve_enter(fd, veid, NULL) >= 0) {
			r[0] = status_caps(getpid(), "CapEff");
			r[1] = status_caps(getpid(), "CapBnd");
			r[2] = mount("none", dir, "tmpfs", 0, NULL) == 0 && umount(dir) == 0;
			uint64_t prm = status_caps(getpid(), "CapPrm");
			r[2] = r[2] && sethostname("ve", 2) == 0;
			set_caps(r[0] & ~(CAP_BIT(VE_ADMIN) | CAP_BIT(SYS_ADMIN)), prm, 0);
			r[3] = mount("none", dir, "tmpfs", 0, NULL) < 0 ? (uint64_t)errno : 0;
			if (sethostname("ve", 2) == 0 || errno != EPERM)
				r[3] = 1000;
		}
		if (write(p[1], r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	uint64_t r[4] = { 0 };
	vzs_check(read(p[0], r, sizeof(r)) == sizeof(r), "VE_ENTER child");
	close(p[0]);
	waitpid(pid, NULL, 0);
	vzs_check(r[0] && !(r[0] & CAP_BIT(SYS_MODULE)) && (r[0] & CAP_BIT(VE_ADMIN)),
		  "VE_ENTER gives the VE's capabilities: CapEff %llx", (unsigned long long)r[0]);
	vzs_check(r[1] && !(r[1] & CAP_BIT(SYS_MODULE)), "VE_ENTER: CapBnd %llx",
		  (unsigned long long)r[1]);
	vzs_check(r[2] == 1, "mount and sethostname inside the VE with CAP_VE_ADMIN");
	vzs_check(r[3] == EPERM, "mount and sethostname inside without CAP_VE_ADMIN: %llu",
		  (unsigned long long)r[3]);
}

static int lo_has(const char *addr)
{
	struct ifaddrs *list = NULL, *i;
	int found = 0;
	if (getifaddrs(&list) < 0)
		return 0;
	for (i = list; i && !found; i = i->ifa_next) {
		char buf[64];
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && strcmp(i->ifa_name, "lo") == 0)
			found = inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf,
					  sizeof(buf)) && strcmp(buf, addr) == 0;
	}
	freeifaddrs(list);
	return found;
}

/* vzctl's order: setluid, then (in a child) the capabilities of its
 * CAPDEFAULTMASK (no SYS_ADMIN, NET_ADMIN; CAP_VE_ADMIN kept), then
 * VE_CREATE; the init then mounts and sets its hostname with CAP_VE_ADMIN
 * alone.  Reports create's result, then the mount's and sethostname's
 * errno and the hostname it reads back. */
static void check_vzctl_order(int fd, unsigned veid, const char *dir)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int r[5] = { -1, -1, -1, -1, -1 };
		char name[65] = "";
		if (setsid() >= 0 && syscall(OVZ_NR_SETLUID, (unsigned long)veid) == 0) {
			uint64_t drop = CAP_BIT(SYS_ADMIN) | CAP_BIT(12) /* NET_ADMIN */;
			for (int c = 0; c < 34; c++)
				if (drop & CAP_BIT(c))
					prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
			uint64_t keep = status_caps(getpid(), "CapPrm") & ~drop;
			if (set_caps(keep, keep, 0) == 0)
				r[0] = create_raw(fd, veid, OVZ_VE_CREATE, 32);
			r[1] = mount("none", dir, "tmpfs", 0, NULL) < 0 ? errno : 0;
			r[2] = sethostname("ve903", 5) < 0 ? errno : 0;
			gethostname(name, sizeof(name) - 1);
			/* exec'd, it has bit 30 and no NET_ADMIN (the bounding set) */
			pid_t ip = fork();
			if (ip == 0) {
				execl("/bin/busybox", "ip", "addr", "add", "127.0.0.2/8", "dev", "lo",
				      (char *)NULL);
				_exit(127);
			}
			int st = -1;
			waitpid(ip, &st, 0);
			r[3] = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
			r[4] = lo_has("127.0.0.2");
		}
		if (write(p[1], r, sizeof(r)) != sizeof(r) || write(p[1], name, 65) != 65)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	int r[5] = { -2, -2, -2, -2, -2 };
	char name[65] = "";
	vzs_check(read(p[0], r, sizeof(r)) == sizeof(r) && read(p[0], name, 65) == 65,
		  "vzctl-order child");
	close(p[0]);
	waitpid(pid, NULL, 0);
	vzs_check(r[0] == (int)veid, "VE_CREATE without CAP_SYS_ADMIN (after setluid): %d", r[0]);
	vzs_check(r[1] == 0, "mount inside with CAP_VE_ADMIN alone: errno %d", r[1]);
	vzs_check(r[2] == 0 && strcmp(name, "ve903") == 0,
		  "sethostname inside with CAP_VE_ADMIN alone: errno %d, '%s'", r[2], name);
	vzs_check(r[3] == 0 && r[4] == 1,
		  "rtnetlink inside with CAP_VE_ADMIN alone (busybox ip addr add, exec'd): %d %d",
		  r[3], r[4]);
	umount2(dir, MNT_DETACH);
	char host[65] = "";
	gethostname(host, sizeof(host) - 1);
	vzs_check(strcmp(host, "ve903") != 0, "the VE's hostname stays inside");
}

static int inner_kernel(void)
{
	int fd = open("/dev/vzctl", O_RDWR | O_CLOEXEC);
	vzs_check(fd >= 0, "open /dev/vzctl: %s", strerror(errno));
	struct ovz_vzctl_env_create q = { .veid = 0, .flags = 0 };
	vzs_check(ioctl(fd, OVZ_VZCTL_ENV_CREATE, &q) == 0, "flags 0 in VE0 answers 0");
	vzs_check(ovz_vz_ve_test(fd, 901, NULL) == 0, "VE_TEST of an absent VE");
	q = (struct ovz_vzctl_env_create){ .veid = 901, .flags = OVZ_VE_TEST | OVZ_VE_ENTER };
	vzs_check(ioctl(fd, OVZ_VZCTL_ENV_CREATE, &q) < 0 && errno == EINVAL, "VE_TEST|VE_ENTER");
	unsigned long lim[2] = { 1, 2 };
	vzs_check(syscall(OVZ_NR_SETUBLIMIT, 901UL, 6UL, lim) < 0 && errno == ENOENT,
	      "setublimit before setluid: ENOENT");
	vzs_check(syscall(OVZ_NR_SETLUID, (unsigned long)-1) < 0 && errno == EINVAL, "setluid(-1)");
	vzs_check(syscall(OVZ_NR_FAIRSCHED_CHWT, 0UL, 500UL) < 0 && errno == EINVAL,
		  "fairsched_chwt of node 0: EINVAL (kernel/fairsched.c)");
	vzs_check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "10.9.9.9", 0) == ESRCH, "IP_MAP, no VE");
	vzs_check(create_raw(fd, 901, OVZ_VE_CREATE, 4) == -EINVAL, "datalen 4");
	vzs_check(create_as_group_leader(fd, 901) == EINVAL, "CREATE by a process group leader");
	int rep1[2], rep2[2];
	pid_t ve1 = start_ve(fd, 901, true, rep1), ve2 = start_ve(fd, 902, false, rep2);
	vzs_check(ve2 > 0, "CREATE by a process that can become session leader");
	vzs_check(ovz_vz_ve_test(fd, 901, NULL) == 1, "VE 901 runs");
	vzs_check(syscall(OVZ_NR_SETUBLIMIT, 901UL, 30UL, lim) < 0 && errno == EINVAL, "res 30");
	vzs_check(syscall(OVZ_NR_SETUBLIMIT, 901UL, 6UL, lim) == 0, "setublimit physpages");
	vzs_check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "10.9.9.9", 20) == EINVAL, "addrlen 20");
	vzs_check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "10.9.9.9", 28) == EINVAL, "v4 with addrlen 28");
	vzs_check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "10.9.9.9", 0) == 0, "IP add");
	vzs_check(ip_map_raw(fd, 902, OVZ_VE_IP_ADD, "10.9.9.9", 0) == EADDRINUSE, "IP of 901");
	vzs_check(ip_map_raw(fd, 901, OVZ_VE_IP_DEL, "10.9.9.8", 0) == EADDRNOTAVAIL, "IP del");
	vzs_check(ip_map_raw(fd, 901, OVZ_VE_IP_ADD, "2001:db8::9", 0) == 0, "IPv6 add");
	_cleanup_free_ char *veinfo = vzs_slurp("/proc/vz/veinfo");
	/* newest VE first, VE0 last, each VE's newest address first */
	const char *l902 = strstr(veinfo, "       902 "), *l901 = strstr(veinfo, "       901 "),
		   *l0 = strstr(veinfo, "         0 "), *v6 = strstr(veinfo, "2001:db8:0:0:0:0:0:9"),
		   *v4 = strstr(veinfo, "10.9.9.9");
	vzs_check(l902 && l901 && l0 && v6 && v4 && l902 < l901 && l901 < v6 && v6 < v4 && v4 < l0,
		  "veinfo order: %s", veinfo);
	_cleanup_free_ char *ubc = vzs_slurp("/proc/user_beancounters");
	vzs_check(strstr(ubc, "901:") && strstr(ubc, "902:"), "beancounters: %s", ubc);
	uint32_t ids[4] = { 0 };
	struct ovz_vzlist_veidctl l = { .num = 4, .id = ids };
	vzs_check(ioctl(fd, OVZ_VZCTL_GET_VEIDS, &l) < 0 && errno == ENOTTY,
		  "GET_VEIDS: 042stab141 has no vzlist ioctls");
	vzs_check(status_caps(ve1, "CapPrm") && !(status_caps(ve1, "CapPrm") & CAP_BIT(SYS_MODULE)) &&
		  !(status_caps(ve1, "CapBnd") & CAP_BIT(SYS_MODULE)),
		  "the init's credentials are its effective set at create");
	vzs_check(same_ns(ve1, "mnt") && !same_ns(ve1, "net"),
		  "the VE shares our mount namespace and has its own network");
	_cleanup_free_ char *dir = xasprintf("/tmp/vzemu-mnt.%d", (int)getpid());
	mkdir(dir, 0700);
	check_enter_caps(fd, 901, dir);
	check_vzctl_order(fd, 903, dir);
	rmdir(dir);
	struct stat sb;
	vzs_check(stat("/proc/vz", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/proc/vz", R_OK) == 0,
		  "/proc/vz is a directory");
	vzs_check(stat("/dev/vzctl", &sb) == 0 && S_ISCHR(sb.st_mode), "/dev/vzctl: a device");
	vzs_check(create_raw(fd, 901, OVZ_VE_CREATE | OVZ_VE_EXCLUSIVE, 32) == -EACCES,
	      "VE_EXCLUSIVE create of a running VE");
	/* the VE's init has the VE's hostname and network, not ours */
	vzs_check(!same_ns(ve1, "uts"), "the VE has its own UTS namespace");
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
	vzs_check(WIFSIGNALED(st), "reboot inside VE 901 ends the caller (status %d)", st);
	vzs_check(ovz_vz_ve_test(fd, 901, NULL) == 0, "VE 901 is gone after reboot inside");
	waitpid(ve1, NULL, 0);
	kill(ve2, SIGKILL);
	waitpid(ve2, NULL, 0);
	vzs_check(ovz_vz_ve_test(fd, 902, NULL) == 0, "VE 902 is gone with its init");
	vzs_check(ip_map_raw(fd, 902, OVZ_VE_IP_ADD, "10.9.9.9", 0) == ESRCH, "IP of a gone VE");
	vzs_check(ip_map_raw(fd, 902, OVZ_VE_IP_DEL, "10.9.9.9", 0) == EADDRNOTAVAIL,
		  "IP delete for a gone VE");
	free(ubc);
	ubc = vzs_slurp("/proc/user_beancounters");
	vzs_check(!strstr(ubc, "901:") && !strstr(ubc, "902:"), "beancounters left: %s", ubc);
	close(fd);
	return vzs_status();
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
	int r = ovz_backend_vz.enter_spawn(atoi(CTID), ve_root, argv, envp, fds, false, &pid,
						  &e);
	close(p[1]);
	vzs_check(r == 0, "enter_spawn %s: %s", argv[0], ovz_error_message(e));
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
	vzs_check(r != 0 || (WIFEXITED(st) && WEXITSTATUS(st) == 0), "%s: status %d", argv[0], st);
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
	vzs_check(r == 0, "set_ips %s %s: %s", add ? "add" : "del", addr, ovz_error_message(e));
	ovz_error_free(e);
	free(f.ips);
}

static int inner_hooks(void)
{
	size_t base = scenario_links();
	vzs_expect_run(vz("start", CTID, NULL, NULL), 0, NULL, "start");
	vzs_check(ovz_backend_vz.running(atoi(CTID), NULL) == 1, "running: VE_TEST says no");
	vzs_check(ovz_backend_vz.running(999, NULL) == 0, "running: VE 999");
	unsigned *ids = NULL;
	size_t n = 0;
	vzs_check(ovz_backend_vz.list_running(&ids, &n, NULL) == 0 && n == 1 &&
	      ids[0] == (unsigned)atoi(CTID), "list_running: %zu", n);
	free(ids);
	_cleanup_free_ char *hn = spawn_output((char *[]){ "hostname", NULL });
	vzs_check(strcmp(hn, "bb.test\n") == 0, "hostname by VE_ENTER: '%s'", hn);
	struct ovz_host *h = NULL;
	struct ovz_domain *d = NULL;
	vzs_check(ovz_host_open(root, "vz", &h, NULL) == 0 && ovz_host_load(h, atoi(CTID), &d, NULL) == 0,
	      "load CT " CTID);
	if (h && d) {
		set_ip(h, d, "10.77.0.3", true);
		_cleanup_free_ char *veinfo = vzs_slurp("/proc/vz/veinfo");
		vzs_check(strstr(veinfo, "10.77.0.3") != NULL, "veinfo after add: %s", veinfo);
		_cleanup_free_ char *a = spawn_output((char *[]){ "ip", "-o", "-4", "addr", NULL });
		vzs_check(strstr(a, "10.77.0.3/32") != NULL, "inside after add: %s", a);
		set_ip(h, d, "10.77.0.3", false);
		_cleanup_free_ char *b = spawn_output((char *[]){ "ip", "-o", "-4", "addr", NULL });
		vzs_check(!strstr(b, "10.77.0.3") && strstr(b, "10.77.0.2"), "inside after del: %s", b);
	}
	if (h && d) {
		/* vzctl's stop: halt inside (here kill(1) reaches the VE's init) */
		struct ovz_error *e = NULL;
		vzs_check(ovz_backend_vz.stop(h, d, false, 10, &e) == 0, "stop: %s",
		      ovz_error_message(e));
		ovz_error_free(e);
		vzs_check(ovz_backend_vz.running(atoi(CTID), NULL) == 0, "running after stop");
	}
	ovz_domain_free(d);
	ovz_host_free(h);
	vzs_expect_run(vz("stop", "--fast", CTID, NULL), 0, NULL, "stop --fast (the teardown)");
	check_no_residue("after stop", base);
	return vzs_status();
}

/* ---- under --kernel vz7 ---- */

#define VE_CG "/sys/fs/cgroup/ve"

/* Writes val to VE_CG/ct/file as echo does (O_TRUNC); 0 or the errno. */
static int ve_write(const char *ct, const char *file, const char *val)
{
	char path[256];
	snprintf(path, sizeof(path), VE_CG "/%s/%s", ct, file);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int r = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : errno;
	close(fd);
	return r;
}

static char *ve_read(const char *ct, const char *file)
{
	char path[256];
	snprintf(path, sizeof(path), VE_CG "/%s/%s", ct, file);
	return vzs_slurp(path);
}

static int ve_mkdir(const char *ct)
{
	char path[256];
	snprintf(path, sizeof(path), VE_CG "/%s", ct);
	return mkdir(path, 0755) < 0 ? errno : 0;
}

static int ve_rmdir(const char *ct)
{
	char path[256];
	snprintf(path, sizeof(path), VE_CG "/%s", ct);
	return rmdir(path) < 0 ? errno : 0;
}

static void send_int(int fd, int v)
{
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		_exit(1);
}

static int recv_int(int fd)
{
	int v;
	return read(fd, &v, sizeof(v)) == sizeof(v) ? v : -999;
}

/* RTM_NEWLINK of kind venet from here; 0 or the errno of its ACK. */
static int venet_add(void)
{
	struct ovz_nl *nl = NULL;
	int r = ovz_nl_open(-1, &nl, NULL);
	if (r == 0)
		r = ovz_nl_link_add(nl, "venet0", "venet", NULL);
	ovz_nl_close(nl);
	return -r;
}

/* A VE's process tree as libvzctl makes it: a child attached to the VE
 * (child) that unshares network and pid namespaces; its child (init, pid 1
 * there) writes START, makes venet0 twice and waits on go: 'r' powers the
 * VE off with reboot(2), anything else or EOF just exits. */
struct ve_kid {
	pid_t child, init;
	int report, go, init_fd;
};

static _Noreturn void ve_init_main(const char *ct, int report, int go)
{
	char self[32] = "";
	if (readlink("/proc/self", self, sizeof(self) - 1) < 0)	/* the host's pid */
		_exit(1);
	send_int(report, atoi(self));
	int r = ve_write(ct, "ve.state", "START");
	send_int(report, r);
	if (r)
		_exit(0);
	send_int(report, venet_add());
	send_int(report, venet_add());
	char b = 0;
	if (read(go, &b, 1) == 1 && b == 'r')
		syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL);
	_exit(0);
}

/* Starts the tree; returns ve.state's START result (an errno). */
static int ve_kid_start(struct ve_kid *k, const char *ct)
{
	int rep[2], go[2];
	if (pipe(rep) < 0 || pipe(go) < 0)
		return -1;
	k->child = fork();
	if (k->child == 0) {
		close(rep[0]);
		close(go[1]);
		char pid[16];
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		if (ve_write(ct, "cgroup.procs", pid) || unshare(CLONE_NEWNET | CLONE_NEWPID) < 0)
			_exit(1);
		pid_t init = fork();
		if (init == 0)
			ve_init_main(ct, rep[1], go[0]);
		close(rep[1]);
		close(go[0]);
		int st = 0;
		waitpid(init, &st, 0);
		_exit(0);
	}
	close(rep[1]);
	close(go[0]);
	k->report = rep[0];
	k->go = go[1];
	k->init = recv_int(k->report);
	k->init_fd = k->init > 0 ? (int)syscall(SYS_pidfd_open, k->init, 0) : -1;
	return recv_int(k->report);
}

/* Ends the tree (reboot inside if asked) and reaps it. */
static void ve_kid_end(struct ve_kid *k, bool reboot)
{
	if (reboot && write(k->go, "r", 1) != 1)
		vzs_check(false, "cannot tell the VE's init to reboot");
	close(k->go);
	close(k->report);
	waitpid(k->child, NULL, 0);
	/* its parent is gone, not necessarily the init itself yet */
	struct pollfd p = { .fd = k->init_fd, .events = POLLIN };
	if (k->init_fd >= 0 && poll(&p, 1, -1) > 0)
		close(k->init_fd);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static void vz7_legacy_calls(void)
{
	int fd = open("/dev/vzctl", O_RDWR | O_CLOEXEC);
	vzs_check(fd >= 0, "open /dev/vzctl: %s", strerror(errno));
	vzs_check(create_raw(fd, 901, OVZ_VE_CREATE, 32) == -524, "ENV_CREATE_DATA: ENOTSUPP");
	vzs_check(syscall(OVZ_NR_SETLUID, 901UL) < 0 && errno == ENOSYS, "setluid: ENOSYS");
	_cleanup_free_ char *cg = vzs_slurp("/proc/cgroups");
	vzs_check(strstr(cg, "\nve\t") != NULL, "/proc/cgroups lists ve");
	_cleanup_free_ char *fs = vzs_slurp("/proc/filesystems");
	vzs_check(!strstr(fs, "simfs"), "no simfs on vz7");
	close(fd);
}

/* mkdir, the files, the values written before a start. */
static void vz7_directories(void)
{
	vzs_check(ve_mkdir("901") == 0, "mkdir 901");
	vzs_check(ve_mkdir("901") == EEXIST, "mkdir 901 again: EEXIST");
	vzs_check(ve_mkdir("902") == 0 && ve_mkdir("903") == 0 && ve_mkdir("904") == 0, "mkdir 902-904");
	_cleanup_free_ char *state = ve_read("901", "ve.state");
	vzs_check(strcmp(state, "STOPPED\n") == 0, "ve.state of a new VE: '%s'", state);
	vzs_check(access(VE_CG "/901/ve.ip6_list", F_OK) == 0 && access(VE_CG "/901/tasks", F_OK) == 0,
	      "files of a VE directory");
	vzs_check(ve_write("901", "ve.veid", "0") == EINVAL, "ve.veid 0: EINVAL");
	vzs_check(ve_write("901", "ve.veid", "2147483648") == EINVAL, "ve.veid > INT_MAX: EINVAL");
	vzs_check(ve_write("901", "ve.veid", "901\n") == 0, "ve.veid 901");
	_cleanup_free_ char *veid = ve_read("901", "ve.veid");
	vzs_check(strcmp(veid, "901\n") == 0, "ve.veid reads '%s'", veid);
	vzs_check(ve_write("901", "ve.features", "5") == 0 && ve_write("901", "ve.iptables_mask", "6079") == 0,
	      "ve.features and ve.iptables_mask while stopped");
	vzs_check(ve_write("901", "ve.pseudosuper", "1") == 0 && ve_write("901", "ve.pseudosuper", "2") == EINVAL,
	      "ve.pseudosuper 1, then 2: EINVAL");
	vzs_check(ve_write("904", "ve.veid", "904") == 0, "ve.veid 904");
	vzs_check(ve_write("901", "ve.state", "START") == EPERM, "START from outside the VE: EPERM");
}

/* cgroup.procs takes one task while the VE is stopped; rmdir waits for it. */
static void vz7_attach(void)
{
	pid_t a = fork();
	if (a == 0)
		for (;;)
			pause();
	pid_t b = fork();
	if (b == 0)
		for (;;)
			pause();
	char pa[16], pb[16];
	snprintf(pa, sizeof(pa), "%d", (int)a);
	snprintf(pb, sizeof(pb), "%d", (int)b);
	vzs_check(ve_write("903", "cgroup.procs", pa) == 0, "attach a task");
	vzs_check(ve_write("903", "cgroup.procs", pb) == EBUSY, "a second task while stopped: EBUSY");
	vzs_check(ve_write("903", "tasks", pa) == 0, "the same task again");
	_cleanup_free_ char *procs = ve_read("903", "cgroup.procs");
	vzs_check(has_line(procs, pa), "cgroup.procs: '%s'", procs);
	vzs_check(ve_rmdir("903") == EBUSY, "rmdir with a live task: EBUSY");
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	vzs_check(ve_rmdir("903") == 0, "rmdir once its task is gone");
	vzs_check(ve_write("902", "ve.ip_allow", "10.9.9.1") == EINVAL, "ip_allow without ve.veid");
}

static void vz7_addresses(void)
{
	vzs_check(ve_write("901", "ve.ip_allow", "10.9.9.9\n") == 0, "ip_allow 10.9.9.9");
	vzs_check(ve_write("901", "ve.ip_allow", "10.9.9.9") == 0, "ip_allow an address it has");
	vzs_check(ve_write("901", "ve.ip_allow", "10.9.9.9/24") == EINVAL, "ip_allow with a prefix");
	vzs_check(ve_write("901", "ve.ip_allow", "2001:db8::9") == EINVAL, "IPv6 into ip_allow");
	vzs_check(ve_write("901", "ve.ip6_allow", "2001:db8::9") == 0, "ip6_allow");
	vzs_check(ve_write("904", "ve.ip_allow", "10.9.9.9") == EADDRINUSE, "another VE's address");
	vzs_check(ve_write("901", "ve.ip_deny", "10.9.9.8") == EADDRNOTAVAIL, "ip_deny of an absent one");
	vzs_check(ve_write("901", "ve.ip_allow", "10.9.9.10") == 0 &&
	      ve_write("901", "ve.ip_deny", "10.9.9.10") == 0, "ip_allow, ip_deny");
	_cleanup_free_ char *v4 = ve_read("901", "ve.ip_list");
	_cleanup_free_ char *v6 = ve_read("901", "ve.ip6_list");
	vzs_check(strcmp(v4, "10.9.9.9\n") == 0 && strcmp(v6, "2001:db8::9\n") == 0,
	      "ip_list '%s', ip6_list '%s'", v4, v6);
}

/* What a running VE has and refuses. */
static void vz7_running(struct ve_kid *k)
{
	_cleanup_free_ char *state = ve_read("901", "ve.state");
	vzs_check(strcmp(state, "RUNNING\n") == 0, "ve.state after START: '%s'", state);
	vzs_check(recv_int(k->report) == 0, "venet0 made inside");
	vzs_check(recv_int(k->report) == EEXIST, "a second venet: EEXIST");
	vzs_check(venet_add() == EPERM, "venet from outside a VE: EPERM");
	char ns[64];
	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)k->init);
	int nsfd = open(ns, O_RDONLY | O_CLOEXEC);
	struct ovz_nl *nl = NULL;
	struct ovz_link l = { 0 };
	vzs_check(nsfd >= 0 && ovz_nl_open(nsfd, &nl, NULL) == 0 &&
	      ovz_nl_link_get(nl, "venet0", &l, NULL) == 0 && (l.flags & IFF_NOARP),
	      "venet0 (IFF_NOARP) in the VE's network namespace");
	ovz_nl_close(nl);
	if (nsfd >= 0)
		close(nsfd);
	_cleanup_free_ char *tasks = ve_read("901", "tasks");
	char child[16], init[16];
	snprintf(child, sizeof(child), "%d", (int)k->child);
	snprintf(init, sizeof(init), "%d", (int)k->init);
	vzs_check(has_line(tasks, child) && has_line(tasks, init), "tasks: '%s'", tasks);
	vzs_check(ve_write("901", "ve.state", "START") == EBUSY, "START of a running VE: EBUSY");
	vzs_check(ve_write("901", "ve.veid", "905") == EBUSY, "ve.veid while running: EBUSY");
	vzs_check(ve_write("901", "ve.features", "1") == EBUSY, "ve.features while running: EBUSY");
	vzs_check(ve_write("901", "ve.iptables_mask", "1") == EBUSY, "iptables_mask while running: EBUSY");
	vzs_check(ve_rmdir("901") == EBUSY, "rmdir of a running VE: EBUSY");
	_cleanup_free_ char *veinfo = vzs_slurp("/proc/vz/veinfo");
	vzs_check(strstr(veinfo, "901") && strstr(veinfo, "10.9.9.9"), "veinfo: '%s'", veinfo);
}

/* The force path of a stop: every pid of tasks gets SIGKILL. */
static void vz7_kill_by_tasks(void)
{
	struct ve_kid k;
	vzs_check(ve_kid_start(&k, "904") == 0, "START of VE 904");
	recv_int(k.report);
	recv_int(k.report);
	_cleanup_free_ char *tasks = ve_read("904", "tasks");
	for (char *save = NULL, *t = strtok_r(tasks, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
		kill(atoi(t), SIGKILL);
	ve_kid_end(&k, false);
	_cleanup_free_ char *state = ve_read("904", "ve.state");
	vzs_check(strcmp(state, "STOPPED\n") == 0, "ve.state after SIGKILL to tasks: '%s'", state);
}

static int inner_kernel_vz7(void)
{
	vz7_legacy_calls();
	vz7_directories();
	vz7_attach();
	vz7_addresses();
	struct ve_kid k;
	vzs_check(ve_kid_start(&k, "902") == EINVAL, "START without ve.veid: EINVAL");
	ve_kid_end(&k, false);
	vzs_check(ve_kid_start(&k, "901") == 0, "START by the VE's init");
	vz7_running(&k);
	ve_kid_end(&k, true);
	_cleanup_free_ char *state = ve_read("901", "ve.state");
	vzs_check(strcmp(state, "STOPPED\n") == 0, "ve.state after reboot inside: '%s'", state);
	_cleanup_free_ char *v4 = ve_read("901", "ve.ip_list");
	vzs_check(strcmp(v4, "") == 0, "addresses released at stop: '%s'", v4);
	vzs_check(ve_write("904", "ve.ip_allow", "10.9.9.9") == 0, "a released address is free");
	vz7_kill_by_tasks();
	vzs_check(ve_rmdir("901") == 0 && ve_rmdir("902") == 0 && ve_rmdir("904") == 0,
	      "rmdir of stopped VEs");
	return vzs_status();
}

/* Run with --fail-call 2:ENOMEM: the write of ve.veid fails, changes nothing. */
static int inner_kernel_vz7_fail(void)
{
	vzs_check(ve_mkdir("905") == 0, "mkdir 905");
	vzs_check(ve_write("905", "ve.veid", "905") == ENOMEM, "injected ENOMEM on a ve.veid write");
	_cleanup_free_ char *veid = ve_read("905", "ve.veid");
	vzs_check(strcmp(veid, "0\n") == 0, "ve.veid after the failed write: '%s'", veid);
	vzs_check(ve_rmdir("905") == 0, "rmdir 905");
	return vzs_status();
}

/* ---- what the VE is created with, from its config (CT 1401) ---- */

#define PCT "1401"

static const char params_xml[] =
	"<domain type='openvz' id='" PCT "'>\n"
	"  <name>params</name>\n"
	"  <memory unit='MiB'>128</memory>\n"
	"  <os><type>exe</type></os>\n"
	"  <devices>\n"
	"    <filesystem type='template'><source name='busybox'/><target dir='/'/></filesystem>\n"
	"    <interface type='ethernet'><ip address='10.77.14.1'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

/* The keys vzctl reads that the model does not own: beancounters,
 * CAPABILITY, FEATURES, NETFILTER, DEVICES, DEVNODES. */
static const char params_keys[] =
	"KMEMSIZE=\"14372700:14790164\"\nNUMTCPSOCK=\"360\"\nNUMIPTENT=\"8:8\"\n"
	"CAPABILITY=\"SYS_TIME:on\"\nFEATURES=\"nfs:on\"\nNETFILTER=\"stateless\"\n"
	"DEVICES=\"c:1:7:rw\"\nDEVNODES=\"vzsemnull:rw\"\n";

static bool ubc_has(const char *ubc, const char *res, const char *barrier, const char *limit)
{
	const char *at = strstr(ubc, PCT ":");
	const char *row = at ? strstr(at, res) : NULL;
	char b[32], l[32];
	return row && sscanf(row + strlen(res), " %*s %*s %31s %31s", b, l) == 2 &&
	       strcmp(b, barrier) == 0 && strcmp(l, limit) == 0;
}

static uint64_t cap_bnd_of(pid_t pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/status", (int)pid);
	_cleanup_free_ char *st = vzs_slurp(path);
	const char *b = strstr(st, "CapBnd:");
	return b ? strtoull(b + 7, NULL, 16) : 0;
}

static pid_t init_pid_of(const char *ctid)
{
	_cleanup_free_ char *p = xasprintf("%s/var/run/ovz-native/%s.state", root, ctid);
	_cleanup_free_ char *st = vzs_slurp(p);
	return st ? (pid_t)atoi(st) : 0;
}

static int inner_params(void)
{
	scenario_links();
	_cleanup_free_ char *xml = xasprintf("%s/params.xml", root);
	tu_write(xml, params_xml);
	vzs_expect_run(tu_cli(root, NULL, "--backend", "vz", "create", "--xml", xml, NULL), 0,
		       NULL, "create " PCT);
	_cleanup_free_ char *conf_path = xasprintf("%s/etc/vz/conf/" PCT ".conf", root);
	_cleanup_free_ char *conf = vzs_slurp(conf_path);
	_cleanup_free_ char *more = xasprintf("%s%s", conf, params_keys);
	tu_write(conf_path, more);
	/* the host's node DEVNODES names, under the root prefix */
	_cleanup_free_ char *host_dev = xasprintf("%s/dev", root);
	mkdir(host_dev, 0755);
	_cleanup_free_ char *node = xasprintf("%s/dev/vzsemnull", root);
	vzs_check(mknod(node, S_IFCHR | 0666, makedev(1, 3)) == 0, "mknod %s", node);
	vzs_expect_run(tu_cli(root, NULL, "--backend", "vz", "start", PCT, NULL), 0, NULL,
		       "start " PCT);
	_cleanup_free_ char *ubc = vzs_slurp("/proc/user_beancounters");
	vzs_check(ubc_has(ubc, "kmemsize", "14372700", "14790164"), "kmemsize: %s", ubc);
	vzs_check(ubc_has(ubc, "numtcpsock", "360", "360"), "numtcpsock");
	vzs_check(ubc_has(ubc, "numiptent", "16", "16"), "numiptent raised to 16");
	vzs_check(ubc_has(ubc, "lockedpages", "32768", "32768"), "vswap lockedpages");
	struct stat st;
	_cleanup_free_ char *in = xasprintf("%s/vz/root/" PCT "/dev/vzsemnull", root);
	vzs_check(stat(in, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
		  "DEVNODES: no c 1:3 at %s", in);
	/* vzctl's exec_container_init: no fsck at boot */
	_cleanup_free_ char *fastboot = xasprintf("%s/vz/root/" PCT "/fastboot", root);
	vzs_check(tu_exists(fastboot), "no %s", fastboot);
	/* init's bounding set: vzctl's mask with SYS_TIME, bit 30 kept */
	uint64_t bnd = cap_bnd_of(init_pid_of(PCT));
	vzs_check((bnd & (1ULL << 30)) && (bnd & (1ULL << 25)) && !(bnd & (1ULL << 16)) &&
		  !(bnd & (1ULL << 21)) && !(bnd & (1ULL << 17)), "init's CapBnd %llx",
		  (unsigned long long)bnd);
	/* the attack: container root loading modules or poking I/O ports
	 * through what exec gives it; VE_ENTER hands it the VE's credentials,
	 * which the capset before VE_CREATE bounded */
	struct tu_run r = tu_cli(root, NULL, "--backend", "vz", "exec", PCT, "cat",
				 "/proc/self/status", NULL);
	const char *eff = r.out ? strstr(r.out, "CapEff:") : NULL;
	uint64_t caps = eff ? strtoull(eff + 7, NULL, 16) : ~0ULL;
	vzs_check(r.status == 0 && !(caps & (1ULL << 16)) && !(caps & (1ULL << 17)) &&
		  !(caps & (1ULL << 21)) && (caps & (1ULL << 30)),
		  "exec'd process: CapEff %llx (want no SYS_MODULE, SYS_RAWIO, SYS_ADMIN; "
		  "VE_ADMIN)", (unsigned long long)caps);
	tu_run_free(&r);
	vzs_expect_run(tu_cli(root, NULL, "--backend", "vz", "stop", "--fast", PCT, NULL), 0,
		       NULL, "stop " PCT);
	unlink(in);
	unlink(node);
	vzs_expect_run(tu_cli(root, NULL, "--backend", "vz", "destroy", PCT, NULL), 0, NULL,
		       "destroy " PCT);
	return vzs_status();
}

static int inner_main(const char *scenario, const char *dir)
{
	root = xstrdup(dir);
	if (strcmp(scenario, "lifecycle") == 0)
		return inner_lifecycle();
	if (strcmp(scenario, "params") == 0)
		return inner_params();
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
	if (strcmp(scenario, "kernel-vz7-fail") == 0)
		return inner_kernel_vz7_fail();
	fprintf(stderr, "unknown scenario '%s'\n", scenario);
	return 2;
}

/* ---- outside: cmocka ---- */

static int group_setup(void **state)
{
	skip_reason = vzs_skip_reason();
	if (skip_reason)
		return 0;
	root = tu_mkdtemp();
	vzs_make_template(root);
	char *xml = xasprintf("%s/ct.xml", root);
	tu_write(xml, ct_xml);
	struct tu_run r = tu_cli(root, NULL, "--backend", "vz", "create", "--xml", xml, NULL);
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

static void test_lifecycle(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/lifecycle.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("legacy", "lifecycle", root, t, NULL), "lifecycle under vzemu");
	_cleanup_free_ char *got = normalised(t);
	vzs_compare_golden("vz/lifecycle.transcript", got);
}

static void test_start_golden(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/start.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("legacy", "start", root, t, NULL), "start under vzemu");
	forget_run_state();
	_cleanup_free_ char *got = normalised(t);
	vzs_compare_golden("vz/start.transcript", got);
}

/* A config's UB keys, CAPABILITY, FEATURES, NETFILTER, DEVICES and
 * DEVNODES reach the kernel as vzctl passes them. */
static void test_config_params(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/params.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("legacy", "params", root, t, NULL),
			    "CT " PCT " with vzctl's keys under vzemu");
	_cleanup_free_ char *got = tu_read(t);
	assert_non_null(got);
	if (!strstr(got, "\"op\":\"VZCTL_SETDEVPERMS\",\"comm\":\"ovz-native\",\"veid\":" PCT
		    ",\"args\":{\"dev\":\"c 1:7\",\"use\":\"VE_USE_MINOR\",\"mask\":6},\"result\":0") ||
	    !strstr(got, "\"dev\":\"c 1:3\",\"use\":\"VE_USE_MINOR\",\"mask\":6},\"result\":0") ||
	    !strstr(got, "\"iptables_mask\":\"0x1c000007\"") || !strstr(got, "nfs"))
		fail_msg("transcript lacks the devperms, netfilter mask or features:\n%s", got);
}

/* Each emulated call of a start fails in turn; each failure is undone. */
static void test_fail_each_call_of_start(void **state)
{
	REQUIRE();
	_cleanup_free_ char *t = xasprintf("%s/count.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("legacy", "start", root, t, NULL), "start under vzemu");
	forget_run_state();
	_cleanup_free_ char *s = tu_read(t);	/* every call, probes too */
	assert_non_null(s);
	size_t calls = count_lines(s);
	assert_true(calls >= 10);
	for (size_t i = 1; i <= calls; i++) {
		char fail[32], what[64];
		snprintf(fail, sizeof(fail), "%zu:ENOMEM", i);
		snprintf(what, sizeof(what), "start failing emulated call %zu", i);
		vzs_expect_inner_ok(vzs_under_vzemu("legacy", "start-fail", root, NULL, fail), what);
	}
}

/* The emulator answers as the kernel does: errors, ownership of
 * addresses, namespaces of a VE, its end by reboot inside or by its init's
 * exit, beancounters that go with their last user. */
static void test_emulated_kernel(void **state)
{
	REQUIRE();
	vzs_expect_inner_ok(vzs_under_vzemu("legacy", "kernel", root, NULL, NULL), "raw calls under vzemu");
}

/* A transcript line with op and every one of the fragments. */
static bool transcript_has(const char *text, const char *op, const char *a, const char *b)
{
	_cleanup_free_ char *want = xasprintf("\"op\":\"%s\"", op);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *end = strchr(l, '\n');
		_cleanup_free_ char *line = end ? xstrndup(l, (size_t)(end - l)) : xstrdup(l);
		if (strstr(line, want) && strstr(line, a) && (!b || strstr(line, b)))
			return true;
	}
	return false;
}

/* The ve cgroup and venet of an OpenVZ 7 kernel, by raw calls. */
static void test_emulated_vz7_kernel(void **state)
{
	REQUIRE();
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		TU_SKIP("needs /dev/fuse (the emulated ve cgroup is a FUSE file system)");
	_cleanup_free_ char *t = xasprintf("%s/vz7.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("vz7", "kernel-vz7", root, t, NULL), "raw calls under vzemu --kernel vz7");
	_cleanup_free_ char *s = tu_read(t);
	assert_non_null(s);
	assert_true(transcript_has(s, "mkdir", "\"args\":{\"ve\":\"901\"},\"result\":0", NULL));
	assert_true(transcript_has(s, "ve.state", "\"veid\":901", "\"write\":\"START\"},\"result\":0"));
	assert_true(transcript_has(s, "ve.state", "\"veid\":901", "\"read\":\"RUNNING\"}"));
	assert_true(transcript_has(s, "ve.ip_allow", "\"veid\":904", "\"result\":\"EADDRINUSE\""));
	assert_true(transcript_has(s, "cgroup.procs", "\"ve\":\"903\"", "\"result\":\"EBUSY\""));
	assert_true(transcript_has(s, "RTM_NEWLINK", "\"veid\":901", "\"kind\":\"venet\",\"ifname\":\"venet0\""));
	assert_true(transcript_has(s, "RTM_NEWLINK", "\"veid\":901", "\"result\":\"EEXIST\""));
	assert_true(transcript_has(s, "RTM_NEWLINK", "\"veid\":0", "\"result\":\"EPERM\""));
	assert_true(transcript_has(s, "rmdir", "\"ve\":\"901\"", "\"result\":\"EBUSY\""));
	_cleanup_free_ char *tf = xasprintf("%s/vz7-fail.transcript", root);
	vzs_expect_inner_ok(vzs_under_vzemu("vz7", "kernel-vz7-fail", root, tf, "2:ENOMEM"), "--fail-call on a ve file");
	_cleanup_free_ char *f = tu_read(tf);
	assert_non_null(f);
	assert_true(transcript_has(f, "ve.veid", "\"write\":\"905\"", "\"result\":\"ENOMEM\",\"injected\":true"));
}

static void test_backend_hooks(void **state)
{
	REQUIRE();
	vzs_expect_inner_ok(vzs_under_vzemu("legacy", "hooks", root, NULL, NULL), "vz hooks under vzemu");
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
		cmocka_unit_test(test_config_params),
		cmocka_unit_test(test_fail_each_call_of_start),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_emulated_kernel),
		cmocka_unit_test(test_backend_hooks),
		cmocka_unit_test(test_emulated_vz7_kernel),
	};
	return cmocka_run_group_tests_name("vz", tests, group_setup, group_teardown);
}
