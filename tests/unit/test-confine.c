// SPDX-License-Identifier: LGPL-2.1-or-later
/* What container root can reach of the host's kernel on the ns backend
 * (issue 13, findings 6 and 8; docs/isolation.md), each tried from inside
 * a real container: a busybox root with tests/unit/confine-probe.c built
 * static, CT 1800, started by the command in a scratch root inside private
 * mount and network namespaces that this program makes first.  The
 * scratch network namespace is "the host": the container's venet pair
 * ends there, and the host's addresses 10.78.0.1 and fd78::1 are on its lo.
 *
 * - /proc/irq read-only (an IRQ's smp_affinity rewritten with its own
 *   value), /proc/bus read-only (a PCI device's config space opened for
 *   writing), /proc/sysrq-trigger read-only (when the kernel has one);
 * - /proc/keys (with a key the test puts in root's user keyring),
 *   /proc/timer_list and /sys/firmware show nothing;
 * - c 5:1 made with mknod cannot be opened (no console is bound);
 * - kexec_load fails with EPERM, from a process of exec and in init
 *   (Seccomp: 2 in /proc/1/status); every call of the filter's list fails
 *   with EPERM under it (in a child of this program), reboot() with a bad
 *   magic still reaches the kernel, user namespaces still work and
 *   no_new_privs is not set; reboot(KEXEC) fails with EPERM, and
 *   reboot(POWER_OFF) in the container still stops it;
 * - the container's memory limit stays what the host set, although
 *   container root may make user namespaces: in one it cannot make a
 *   cgroup namespace, through which it could mount the cgroup fs with its
 *   own cgroup as the root and lift the limits there; clone3, whose flags
 *   a filter cannot see, says ENOSYS (libc falls back to clone);
 * - a UDP datagram from the container's own IPv4 and IPv6 address reaches
 *   a socket of the host, one from any other source does not; an address
 *   added live with set --ipadd may send, and not after --ipdel; stop
 *   deletes the container's nftables table, a new start filters again. */
#include "testutil.h"
#include "core/cgroup.h"
#include "core/seccomp.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <libmnl/libmnl.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CTID "1800"
#define HOST4 "10.78.0.1"
#define HOST6 "fd78::1"
#define CT4 "10.78.0.2"
#define CT6 "fd78::2"
#define EXTRA4 "10.78.0.3"
#define PORT 5678
#define KEY_DESC "ovz-confine-test"

static struct {
	const char *skip_reason;
	char *root;
	bool created;
} t;

#define CT(...) tu_cli(t.root, NULL, "--backend", "ns", __VA_ARGS__, (char *)NULL)
#define REQUIRE() do { if (t.skip_reason) TU_SKIP("%s", t.skip_reason); } while (0)

static char *const *remove_argv(const char *verb)
{
	static char *argv[4][8];
	static int slot;
	char **a = argv[slot++ % 4];
	const char *bin = getenv("OVZ_BIN");
	int n = 0;
	a[n++] = (char *)(bin ? bin : "ovz-native");
	a[n++] = "--root";
	a[n++] = t.root;
	a[n++] = "--backend";
	a[n++] = "ns";
	a[n++] = (char *)verb;
	if (strcmp(verb, "stop") == 0)
		a[n++] = "--fast";
	a[n++] = CTID;
	a[n] = NULL;
	return a;
}

static void run_quietly(char *const argv[])
{
	struct tu_run r = tu_runv(argv, NULL);
	tu_run_free(&r);
}

static void remove_ct(void)
{
	if (!t.created)
		return;
	run_quietly(remove_argv("stop"));
	run_quietly(remove_argv("destroy"));
	run_quietly(remove_argv("undefine"));
	t.created = false;
}

/* busybox and the probe, packed as the template cache */
static int make_template(const char *probe)
{
	char *cmd = xasprintf(
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/sbin $t/etc $t/proc $t/sys $t/dev "
		"$t/tmp $t/root; cp /bin/busybox $t/bin/; cp '%s' $t/bin/confine-probe; "
		"for a in sh ls cat echo sleep grep true poweroff; do ln -s busybox $t/bin/$a; done; "
		"ln -s ../bin/busybox $t/sbin/init; "
		"printf '::sysinit:/bin/true\\n::respawn:/bin/sleep 100000\\n' > $t/etc/inittab; "
		"mkdir -p '%s/vz/template/cache'; "
		"tar --numeric-owner -C $t -czf '%s/vz/template/cache/confine.tar.gz' .; rm -rf $t",
		probe, t.root, t.root);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static const char *create_and_start(void)
{
	char *dir = tu_mkdtemp();
	char *path = xasprintf("%s/ct.xml", dir);
	tu_write(path,
		 "<domain type='openvz' id='" CTID "'>\n"
		 "  <memory unit='MiB'>256</memory>\n"
		 "  <os><type>exe</type></os>\n"
		 "  <devices>\n"
		 "    <filesystem type='template'><source name='confine'/><target dir='/'/>"
		 "</filesystem>\n"
		 "    <interface type='ethernet'><ip address='" CT4 "'/><ip address='" CT6 "'/>"
		 "</interface>\n"
		 "  </devices>\n"
		 "</domain>\n");
	struct tu_run r = CT("create", "--xml", path);
	tu_rmrf(dir);
	free(path);
	free(dir);
	int st = r.status;
	if (st != 0)
		print_message("create: %s", r.err);
	tu_run_free(&r);
	if (st != 0)
		return "cannot create the test container";
	t.created = true;
	r = CT("start", CTID);
	st = r.status;
	if (st != 0)
		print_message("start: %s", r.err);
	tu_run_free(&r);
	return st == 0 ? NULL : "cannot start the test container";
}

static const char *scratch_setup(void)
{
	const char *probe = getenv("OVZ_CONFINE_PROBE");
	if (access("/bin/busybox", X_OK) < 0)
		return "needs /bin/busybox (Debian's busybox-static)";
	if (!probe || access(probe, X_OK) < 0)
		return "needs the static confine-probe (OVZ_CONFINE_PROBE; gcc -static)";
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return "cannot make private mount and network namespaces";
	if (system("ip link set lo up && ip addr add " HOST4 "/32 dev lo && "
		   "ip addr add " HOST6 "/128 dev lo nodad") != 0)
		return "cannot put addresses on the scratch namespace's lo";
	t.root = tu_mkdtemp();
	if (make_template(probe) < 0)
		return "cannot build the template";
	return create_and_start();
}

static int group_setup(void **state)
{
	if (!tu_is_root()) {
		t.skip_reason = "needs root (namespaces, mounts, netlink)";
		return 0;
	}
	t.skip_reason = scratch_setup();
	return 0;
}

static int group_teardown(void **state)
{
	remove_ct();
	if (t.root)
		tu_rmrf(t.root);
	return 0;
}

/* sh -c SCRIPT in the container */
static struct tu_run sh(const char *script)
{
	return CT("exec", CTID, "--", "/bin/sh", "-c", script);
}

static char *sh_ok(const char *script)
{
	struct tu_run r = sh(script);
	if (r.status != 0)
		fail_msg("'%s' in the container: exit %d: %s", script, r.status, r.err);
	free(r.err);
	return r.out;
}

/* ---- /proc and /sys ---- */

/* An IRQ whose affinity root may rewrite (with its own value) here. */
static int writable_irq(void)
{
	DIR *d = opendir("/proc/irq");
	struct dirent *e;
	int found = -1;
	while (d && found < 0 && (e = readdir(d))) {
		int irq = atoi(e->d_name);
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char *path = xasprintf("/proc/irq/%d/smp_affinity", irq);
		char *v = tu_read(path);
		int fd = v ? open(path, O_WRONLY) : -1;
		if (fd >= 0 && write(fd, v, strlen(v)) == (ssize_t)strlen(v))
			found = irq;
		if (fd >= 0)
			close(fd);
		free(v);
		free(path);
	}
	if (d)
		closedir(d);
	return found;
}

/* /proc/bus/pci/BUS/DEV.FN of the first device, or NULL. */
static char *first_pci_config(void)
{
	DIR *bus = opendir("/proc/bus/pci/00");
	if (!bus)
		return NULL;
	char *path = NULL;
	for (struct dirent *e; !path && (e = readdir(bus));)
		if (e->d_name[0] != '.')
			path = xasprintf("/proc/bus/pci/00/%s", e->d_name);
	closedir(bus);
	return path;
}

static void test_proc_irq_readonly(void **state)
{
	REQUIRE();
	int irq = writable_irq();
	if (irq < 0)
		TU_SKIP("no IRQ affinity is writable on this host");
	char *script = xasprintf("f=/proc/irq/%d/smp_affinity; v=$(cat $f) && echo $v > $f", irq);
	struct tu_run r = sh(script);
	free(script);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "Read-only"));
	tu_run_free(&r);
}

static void test_proc_bus_readonly(void **state)
{
	REQUIRE();
	/* PCI config space: opened for writing only, nothing is written */
	char *pci = first_pci_config();
	if (!pci)
		TU_SKIP("this machine has no /proc/bus/pci/00");
	char *script = xasprintf("exec 3<>%s", pci);
	struct tu_run r = sh(script);
	free(script);
	free(pci);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "Read-only"));
	tu_run_free(&r);
}

static void test_sysrq_readonly(void **state)
{
	REQUIRE();
	if (access("/proc/sysrq-trigger", F_OK) < 0) {
		TU_SKIP("the kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ)");
	}
	/* a space is no sysrq command: harmless if it did get through */
	struct tu_run r = sh("echo ' ' > /proc/sysrq-trigger");
	assert_int_not_equal(r.status, 0);
	tu_run_free(&r);
}

static void test_proc_keys_masked(void **state)
{
	REQUIRE();
	/* root's user keyring is the container root's too: without the mask
	 * its keys are listed in the container */
	long key = syscall(SYS_add_key, "user", KEY_DESC, "secret", 6, KEY_SPEC_USER_KEYRING);
	assert_true(key > 0);
	struct tu_run r = sh("cat /proc/keys");
	syscall(SYS_keyctl, KEYCTL_UNLINK, key, KEY_SPEC_USER_KEYRING);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, KEY_DESC));
	tu_run_free(&r);
}

static void test_timer_list_masked(void **state)
{
	REQUIRE();
	char *host = tu_read("/proc/timer_list");
	assert_true(host && *host);	/* so that the check below can fail */
	free(host);
	char *out = sh_ok("cat /proc/timer_list; echo end");
	assert_string_equal(out, "end\n");
	free(out);
}

static void test_sys_firmware_masked(void **state)
{
	REQUIRE();
	char *out = sh_ok("ls -A /sys/firmware; echo end");
	assert_string_equal(out, "end\n");
	free(out);
	DIR *d = opendir("/sys/firmware");
	assert_non_null(d);
	int entries = 0;
	for (struct dirent *e; (e = readdir(d));)
		entries += e->d_name[0] != '.';
	closedir(d);
	assert_true(entries > 0);
}

/* ---- devices and system calls ---- */

static void test_console_device(void **state)
{
	REQUIRE();
	char *out = sh_ok("/bin/confine-probe console");
	assert_string_equal(out, "open errno 1\n");	/* EPERM: the device cgroup */
	free(out);
}

static void test_kexec_blocked(void **state)
{
	REQUIRE();
	char *out = sh_ok("/bin/confine-probe kexec");
	assert_string_equal(out, "kexec_load errno 1\n");	/* EPERM, not ENOSYS */
	free(out);
	/* init and so every process it starts has the filter */
	out = sh_ok("grep '^Seccomp:' /proc/1/status");
	assert_string_equal(out, "Seccomp:\t2\n");
	free(out);
}

/* Every call of the list fails with EPERM under the filter, whatever the
 * kernel would have said; what must keep working does.  In a child of
 * this program (root), not in the container: each call is made with
 * harmless arguments. */
static int filtered_child(const struct ovz_seccomp *f)
{
	if (ovz_seccomp_install(f, NULL) < 0)
		return 100;
	static const long blocked[] = {
		SYS_kexec_load, SYS_kexec_file_load, SYS_open_by_handle_at, SYS_init_module,
		SYS_finit_module, SYS_delete_module, SYS_keyctl, SYS_add_key, SYS_request_key,
		SYS_bpf, SYS_perf_event_open, SYS_userfaultfd, SYS_io_uring_setup,
		SYS_io_uring_enter, SYS_io_uring_register, SYS_lookup_dcookie, SYS_swapon,
		SYS_swapoff, SYS_acct, SYS_iopl, SYS_ioperm,
	};
	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		if (syscall(blocked[i], -1L, 0L, 0L, 0L, 0L) != -1 || errno != EPERM)
			return 1 + (int)i;
	if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		    LINUX_REBOOT_CMD_KEXEC, NULL) != -1 || errno != EPERM)
		return 50;
	/* the upper half of the register does not hide the command */
	if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		    0xffffffff00000000UL | LINUX_REBOOT_CMD_KEXEC, NULL) != -1 || errno != EPERM)
		return 51;
	/* not blocked: a reboot with a bad magic is the kernel's EINVAL;
	 * user namespaces; no no_new_privs (setuid programs work) */
	if (syscall(SYS_reboot, 0L, 0L, LINUX_REBOOT_CMD_POWER_OFF, NULL) != -1 || errno != EINVAL)
		return 60;
	/* no cgroup namespace, by unshare or clone; clone3 hides its flags */
	if (unshare(CLONE_NEWCGROUP) != -1 || errno != EPERM)
		return 70;
	long child = syscall(SYS_clone, (long)(CLONE_NEWCGROUP | SIGCHLD), 0L, 0L, 0L, 0L);
	if (child == 0)
		_exit(0);
	if (child > 0)
		waitpid((pid_t)child, NULL, 0);
	if (child != -1 || errno != EPERM)
		return 71;
	if (syscall(SYS_clone3, NULL, 0L) != -1 || errno != ENOSYS)
		return 72;
	if (unshare(CLONE_NEWUSER) < 0)
		return 61;
	char *status = tu_read("/proc/self/status");
	bool nnp = status && strstr(status, "NoNewPrivs:\t1");
	free(status);
	return nnp ? 62 : 0;
}

static void test_filter_list(void **state)
{
	if (!tu_is_root())
		TU_SKIP("needs root (the filter is installed without no_new_privs)");
	struct ovz_seccomp f;
	struct ovz_error *e = NULL;
	if (ovz_seccomp_build(&f, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	pid_t pid = fork();
	if (pid == 0)
		_exit(filtered_child(&f));
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	ovz_seccomp_release(&f);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* reboot() stays: in the container it ends the container, as in a VE;
 * its KEXEC command is blocked (the kernel refuses it in a pid namespace
 * with EINVAL too, so EPERM shows the filter). */
static void test_reboot_stops_container(void **state)
{
	REQUIRE();
	char *out = sh_ok("/bin/confine-probe reboot-kexec");
	assert_string_equal(out, "reboot errno 1\n");
	free(out);
	struct tu_run r = sh("poweroff -f");	/* reboot(RB_POWER_OFF) */
	tu_run_free(&r);
	const char *state_ = "running";
	for (int i = 0; i < 100 && strstr(state_, "running"); i++) {
		usleep(100000);
		r = CT("status", CTID);
		state_ = strstr(r.out, "running") ? "running" : "down";
		tu_run_free(&r);
	}
	assert_string_equal(state_, "down");
	r = CT("start", CTID);	/* for the tests that follow */
	if (r.status != 0)
		fail_msg("start again: %s", r.err);
	tu_run_free(&r);
}

/* ---- cgroups ---- */

/* The probe lifts the container's memory limit through a cgroup fs of its
 * own, if it can mount one (v1: the swap limit first, which must not be
 * below the memory limit). */
static char *lift_memory_script(const struct ovz_cgroups *cg, const char *dir)
{
	if (cg->on_v2[OVZ_CG_MEMORY])
		return xstrdup("/bin/confine-probe cgroup cgroup2 - memory.max=max");
	char *memsw = xasprintf("%s/memory.memsw.limit_in_bytes", dir);
	bool swap = access(memsw, F_OK) == 0;
	free(memsw);
	return xasprintf("/bin/confine-probe cgroup cgroup memory %s memory.limit_in_bytes=-1",
			 swap ? "memory.memsw.limit_in_bytes=-1" : "");
}

static void test_cgroup_limits_kept(void **state)
{
	REQUIRE();
	struct ovz_cgroups cg;
	struct ovz_error *e = NULL;
	if (ovz_cgroups_detect(&cg, &e) < 0)
		fail_msg("%s", ovz_error_message(e));
	const char *mnt = ovz_cgroups_mount_of(&cg, OVZ_CG_MEMORY);
	if (!mnt) {
		ovz_cgroups_release(&cg);
		TU_SKIP("no memory controller on this host");
	}
	char *dir = xasprintf("%s/" OVZ_CGROUP_ROOT "/" CTID, mnt);
	char *limit = xasprintf("%s/%s", dir, cg.on_v2[OVZ_CG_MEMORY] ? "memory.max"
									  : "memory.limit_in_bytes");
	char *before = tu_read(limit);
	assert_non_null(before);
	assert_string_equal(before, "268435456\n");	/* <memory> 256 MiB */
	char *script = lift_memory_script(&cg, dir);
	char *out = sh_ok(script);
	char *after = tu_read(limit);
	print_message("# %s: %s", script, out);
	assert_non_null(after);
	assert_string_equal(after, before);
	assert_string_equal(out, "cgroupns errno 1\n");	/* EPERM: the filter */
	free(after);
	free(out);
	free(script);
	free(before);
	free(limit);
	free(dir);
	ovz_cgroups_release(&cg);
}

/* ---- venet source addresses ---- */

static int udp_socket(int family, const char *addr)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} a;
	memset(&a, 0, sizeof(a));
	socklen_t len;
	if (family == AF_INET) {
		a.v4.sin_family = AF_INET;
		a.v4.sin_port = htons(PORT);
		inet_pton(AF_INET, addr, &a.v4.sin_addr);
		len = sizeof(a.v4);
	} else {
		a.v6.sin6_family = AF_INET6;
		a.v6.sin6_port = htons(PORT);
		inet_pton(AF_INET6, addr, &a.v6.sin6_addr);
		len = sizeof(a.v6);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&a, len), 0);
	return fd;
}

static void send_from(const char *family, const char *src, const char *dst, const char *text)
{
	char *script = xasprintf("/bin/confine-probe %s %s %s %d %s", family, src, dst, PORT, text);
	char *out = sh_ok(script);
	assert_string_equal(out, "send ok\n");
	free(out);
	free(script);
}

/* Every datagram the host's sockets got within a second, as "text\n"... */
static char *received(int fd4, int fd6)
{
	struct strbuf sb = STRBUF_INIT;
	struct pollfd p[2] = { { fd4, POLLIN, 0 }, { fd6, POLLIN, 0 } };
	while (poll(p, 2, 1000) > 0) {
		for (int i = 0; i < 2; i++) {
			char buf[512];
			ssize_t n;
			while ((n = recv(p[i].fd, buf, sizeof(buf) - 1, 0)) > 0) {
				buf[n] = '\0';
				strbuf_printf(&sb, "%s\n", buf);
			}
		}
	}
	return strbuf_steal(&sb);
}

static void expect_received(int fd4, int fd6, const char *want)
{
	char *got = received(fd4, fd6);
	assert_string_equal(got, want);
	free(got);
}

static void test_venet_source(void **state)
{
	REQUIRE();
	int fd4 = udp_socket(AF_INET, HOST4), fd6 = udp_socket(AF_INET6, HOST6);
	send_from("udp4", CT4, HOST4, "own4");
	expect_received(fd4, fd6, "own4\n");
	send_from("udp6", CT6, HOST6, "own6");
	expect_received(fd4, fd6, "own6\n");
	send_from("udp4", "10.78.0.99", HOST4, "spoof4");
	send_from("udp4", "192.0.2.7", HOST4, "spoof4b");
	send_from("udp6", "fd78::99", HOST6, "spoof6");
	send_from("udp6", "2001:db8::7", HOST6, "spoof6b");
	expect_received(fd4, fd6, "");
	/* the filter follows the addresses a running container gets */
	struct tu_run r = CT("set", CTID, "--ipadd", EXTRA4);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	send_from("udp4", EXTRA4, HOST4, "added4");
	expect_received(fd4, fd6, "added4\n");
	r = CT("set", CTID, "--ipdel", EXTRA4);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	send_from("udp4", EXTRA4, HOST4, "deleted4");
	send_from("udp4", CT4, HOST4, "still4");
	expect_received(fd4, fd6, "still4\n");
	close(fd4);
	close(fd6);
}

/* Whether "host" has the container's table: NFT_MSG_GETTABLE answers it
 * or ENOENT (an independent reader: no nft, no library code). */
static bool nft_table_exists(void)
{
	char buf[8192];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->nfgen_family = NFPROTO_NETDEV;
	g->version = NFNETLINK_V0;
	mnl_attr_put_strz(h, NFTA_TABLE_NAME, "ovz-native-" CTID);
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	assert_non_null(nl);
	assert_int_equal(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
	assert_true(mnl_socket_sendto(nl, h, h->nlmsg_len) > 0);
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	mnl_socket_close(nl);
	assert_true(n > 0);
	h = (struct nlmsghdr *)buf;
	if (h->nlmsg_type != NLMSG_ERROR)
		return true;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
	assert_int_equal(e->error, -ENOENT);
	return false;
}

/* The table goes at stop, comes back at start, and filters again. */
static void test_venet_source_after_restart(void **state)
{
	REQUIRE();
	assert_true(nft_table_exists());
	struct tu_run r = CT("stop", "--fast", CTID);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	assert_false(nft_table_exists());
	r = CT("start", CTID);
	if (r.status != 0)
		fail_msg("start again: %s", r.err);
	tu_run_free(&r);
	int fd4 = udp_socket(AF_INET, HOST4), fd6 = udp_socket(AF_INET6, HOST6);
	send_from("udp4", "10.78.0.99", HOST4, "spoof4");
	send_from("udp6", "fd78::99", HOST6, "spoof6");
	send_from("udp4", CT4, HOST4, "own4");
	send_from("udp6", CT6, HOST6, "own6");
	expect_received(fd4, fd6, "own4\nown6\n");
	close(fd4);
	close(fd6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_irq_readonly),
		cmocka_unit_test(test_proc_bus_readonly),
		cmocka_unit_test(test_sysrq_readonly),
		cmocka_unit_test(test_proc_keys_masked),
		cmocka_unit_test(test_timer_list_masked),
		cmocka_unit_test(test_sys_firmware_masked),
		cmocka_unit_test(test_console_device),
		cmocka_unit_test(test_kexec_blocked),
		cmocka_unit_test(test_filter_list),
		cmocka_unit_test(test_reboot_stops_container),
		cmocka_unit_test(test_cgroup_limits_kept),
		cmocka_unit_test(test_venet_source),
		cmocka_unit_test(test_venet_source_after_restart),
	};
	return cmocka_run_group_tests_name("confine", tests, group_setup, group_teardown);
}
