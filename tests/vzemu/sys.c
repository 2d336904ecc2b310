// SPDX-License-Identifier: LGPL-2.1-or-later
/* The OpenVZ syscalls (by number: they do not exist on this kernel),
 * mount(2) with fstype simfs, and the calls a VE's processes make that
 * must act on their VE rather than on the host: reboot(2) and kill(-1). */
#include "vzemu.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const ub_names[EMU_UB_RESOURCES] = {
	"kmemsize", "lockedpages", "privvmpages", "shmpages", "dummy", "numproc",
	"physpages", "vmguarpages", "oomguarpages", "numtcpsock", "numflock", "numpty",
	"numsiginfo", "tcpsndbuf", "tcprcvbuf", "othersockbuf", "dgramrcvbuf",
	"numothersock", "dcachesize", "numfile", "dummy", "dummy", "dummy", "numiptent",
	"swappages",
};

/* Privileged OpenVZ calls are for root in VE0 only. */
static int host_root_only(struct emu *e, const struct seccomp_notif *req)
{
	if (emu_ve_of(e, (pid_t)req->pid) || emu_proc_uid((pid_t)req->pid) != 0)
		return EPERM;
	return 0;
}

static void setluid(struct emu *e, const struct seccomp_notif *req)
{
	struct emu_call c;
	unsigned id = (unsigned)req->data.args[0];
	bool fail = emu_call_begin(&c, e, req, "setluid", id);
	emu_arg_num(&c, "id", id);
	int err = fail ? e->fail_errno : id == (unsigned)-1 ? EINVAL : host_root_only(e, req);
	if (!err) {
		pid_t tgid = (pid_t)req->pid;
		emu_proc_tgid((pid_t)req->pid, &tgid);
		emu_ub_get(e, id);
		emu_luid_set(e, tgid, id);
	}
	pid_t tid = (pid_t)req->pid;
	bool early = !err && e->kernel == EMU_KERNEL_LEGACY && emu_in_scenario_netns(tid) &&
		     emu_inject_prepare(tid) == 0;
	if (early)
		c.note = "the VE's UTS, IPC and network namespaces are made here";
	emu_call_finish(&c, 0, err);
	struct emu_inject *in;
	if (early && emu_inject_begin(tid, &in) == 0) {
		emu_inject_ve_namespaces(in);
		emu_inject_end(in);
	}
}

static void setublimit(struct emu *e, const struct seccomp_notif *req)
{
	struct emu_call c;
	unsigned id = (unsigned)req->data.args[0];
	unsigned long res = (unsigned long)req->data.args[1];
	unsigned long lim[2] = { 0, 0 };
	bool read_ok = emu_read_mem((pid_t)req->pid, req->data.args[2], lim, sizeof(lim)) == 0;
	bool fail = emu_call_begin(&c, e, req, "setublimit", id);
	emu_arg_str(&c, "res", res < EMU_UB_RESOURCES ? ub_names[res] : "?");
	if (read_ok) {
		emu_arg_num(&c, "barrier", (long long)lim[0]);
		emu_arg_num(&c, "limit", (long long)lim[1]);
	}
	struct emu_ub *ub = emu_ub_find(e, id);
	int err = fail ? e->fail_errno : host_root_only(e, req);
	if (!err && res >= EMU_UB_RESOURCES)
		err = EINVAL;
	else if (!err && !read_ok)
		err = EFAULT;
	else if (!err && (lim[0] > EMU_LONG_MAX || lim[1] > EMU_LONG_MAX))
		err = EINVAL;
	else if (!err && !ub)
		err = ENOENT;	/* no setluid for it yet */
	if (!err) {
		ub->barrier[res] = lim[0];
		ub->limit[res] = lim[1];
	}
	emu_call_finish(&c, 0, err);
}

static void getluid(struct emu *e, const struct seccomp_notif *req)
{
	struct emu_call c;
	bool fail = emu_call_begin(&c, e, req, "getluid", -1);
	emu_call_finish(&c, fail ? 0 : emu_luid_of(e, (pid_t)req->pid), fail ? e->fail_errno : 0);
}

static const char *fairsched_name(long nr)
{
	switch (nr) {
	case EMU_NR_FAIRSCHED_NODEMASK:
		return "fairsched_nodemask";
	case EMU_NR_FAIRSCHED_CPUMASK:
		return "fairsched_cpumask";
	case EMU_NR_FAIRSCHED_VCPUS:
		return "fairsched_vcpus";
	case EMU_NR_FAIRSCHED_MKNOD:
		return "fairsched_mknod";
	case EMU_NR_FAIRSCHED_RMNOD:
		return "fairsched_rmnod";
	case EMU_NR_FAIRSCHED_CHWT:
		return "fairsched_chwt";
	case EMU_NR_FAIRSCHED_MVPR:
		return "fairsched_mvpr";
	case EMU_NR_FAIRSCHED_RATE:
		return "fairsched_rate";
	case EMU_NR_UBSTAT:
		return "ubstat";
	}
	return "vz_syscall";
}

/* Only the arguments each call has: the other registers are leftovers. */
static void fairsched_args(struct emu_call *c, long nr, const __u64 *a)
{
	static const struct { long nr; const char *names[3]; } table[] = {
		{ EMU_NR_FAIRSCHED_NODEMASK, { "id", "len", "mask" } },
		{ EMU_NR_FAIRSCHED_CPUMASK, { "id", "len", "mask" } },
		{ EMU_NR_FAIRSCHED_VCPUS, { "id", "vcpus", NULL } },
		{ EMU_NR_FAIRSCHED_MKNOD, { "parent", "weight", "newid" } },
		{ EMU_NR_FAIRSCHED_RMNOD, { "id", NULL, NULL } },
		{ EMU_NR_FAIRSCHED_CHWT, { "id", "weight", NULL } },
		{ EMU_NR_FAIRSCHED_MVPR, { "pid", "id", NULL } },
		{ EMU_NR_FAIRSCHED_RATE, { "id", "op", "rate" } },
		{ EMU_NR_UBSTAT, { "func", "arg1", "arg2" } },
	};
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (table[i].nr != nr)
			continue;
		for (int k = 0; k < 3 && table[i].names[k]; k++) {
			bool ptr = strcmp(table[i].names[k], "mask") == 0;
			if (!ptr)
				emu_arg_num(c, table[i].names[k], (long long)(uint32_t)a[k]);
		}
	}
}

/* The scheduler calls: the node is the VE of the same id.  The values are
 * kept, not applied (the VE's processes are not rescheduled). */
static void fairsched(struct emu *e, const struct seccomp_notif *req)
{
	struct emu_call c;
	long nr = req->data.nr;
	unsigned id = (unsigned)req->data.args[0];
	bool fail = emu_call_begin(&c, e, req, fairsched_name(nr), id);
	fairsched_args(&c, nr, req->data.args);
	struct emu_ve *ve = emu_ve_find(e, id);
	int err = fail ? e->fail_errno : host_root_only(e, req);
	long long val = 0;
	c.note = "recorded only";
	if (err)
		;
	else if (nr == EMU_NR_UBSTAT || nr == EMU_NR_FAIRSCHED_MKNOD ||
		 nr == EMU_NR_FAIRSCHED_RMNOD || nr == EMU_NR_FAIRSCHED_MVPR)
		err = ENOSYS, c.note = "not emulated";
	else if (nr == EMU_NR_FAIRSCHED_CHWT && id == 0)
		err = EINVAL, c.note = "the kernel refuses node 0 (VE0) always";
	else if (!ve)
		err = ENOENT;
	else if (nr == EMU_NR_FAIRSCHED_VCPUS)
		ve->vcpus = (unsigned)req->data.args[1];
	else if (nr == EMU_NR_FAIRSCHED_CHWT)
		err = req->data.args[1] < 1 ? EINVAL : 0, ve->cpu_weight = (unsigned)req->data.args[1];
	else if (nr == EMU_NR_FAIRSCHED_RATE) {
		int op = (int)req->data.args[1];
		if (op == 0)
			ve->cpu_rate = (unsigned)req->data.args[2];
		else if (op == 1)
			ve->cpu_rate = 0;
		else if (op == 2)
			val = ve->cpu_rate ? (long long)ve->cpu_rate : -ENODATA;
		else
			err = EINVAL;
		if (val < 0)
			err = ENODATA, val = 0;
	}
	emu_call_finish(&c, val, err);
}

void emu_handle_vzsyscall(struct emu *e, const struct seccomp_notif *req)
{
	if (e->kernel == EMU_KERNEL_VZ7) {	/* gone from OpenVZ 7 kernels */
		emu_reply(e, req->id, 0, ENOSYS);
		return;
	}
	emu_ub_prune(e);
	switch (req->data.nr) {
	case EMU_NR_SETLUID:
		setluid(e, req);
		return;
	case EMU_NR_SETUBLIMIT:
		setublimit(e, req);
		return;
	case EMU_NR_GETLUID:
		getluid(e, req);
		return;
	case 509:
	case 510:	/* lchmod, lutime */
		emu_reply(e, req->id, 0, ENOSYS);
		return;
	default:
		fairsched(e, req);
		return;
	}
}

/* ---- simfs ---- */

static bool same_mount_ns(pid_t pid)
{
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	return stat(path, &a) == 0 && stat("/proc/self/ns/mnt", &b) == 0 && a.st_ino == b.st_ino;
}

static int path_of(pid_t pid, uint64_t ptr, char *out)
{
	char p[PATH_MAX];
	int r = emu_read_str(pid, ptr, p, sizeof(p));
	if (r < 0)
		return -r;
	if (p[0] == '/') {
		snprintf(out, PATH_MAX, "%s", p);
		return 0;
	}
	char link[64], cwd[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	ssize_t n = readlink(link, cwd, sizeof(cwd) - 1);
	if (n < 0)
		return ESRCH;
	cwd[n] = '\0';
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", cwd, p) >= PATH_MAX)
		return ENAMETOOLONG;
	return 0;
}

static int dir_check(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* Runs fn(arg) in pid's namespaces of the types in nstypes (mount, net,
 * IPC, UTS), coming back to vzemu's own; its errno, or 0. */
static int in_namespaces_of(pid_t pid, int nstypes, int (*fn)(void *), void *arg)
{
	static const struct { int type; const char *name; } all[] = {
		{ CLONE_NEWNS, "mnt" }, { CLONE_NEWNET, "net" }, { CLONE_NEWIPC, "ipc" },
		{ CLONE_NEWUTS, "uts" } };
	int ours[4] = { -1, -1, -1, -1 };
	int err = 0;
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < ARRAY_SIZE(all) && !err; i++) {
		if (!(nstypes & all[i].type))
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, all[i].name);
		_cleanup_close_ int theirs = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "/proc/self/ns/%s", all[i].name);
		ours[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (theirs < 0 || ours[i] < 0 || setns(theirs, all[i].type) < 0)
			err = errno ? errno : ESRCH;
	}
	if (!err)
		err = fn(arg);
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		if (ours[i] < 0)
			continue;
		if (setns(ours[i], all[i].type) < 0) {
			fprintf(stderr, "vzemu: cannot return to its own namespaces\n");
			abort();
		}
		close(ours[i]);
	}
	if (cwd >= 0 && fchdir(cwd) < 0)
		abort();
	return err;
}

struct ve_mount {
	char source[PATH_MAX], target[PATH_MAX], fstype[64], data[4096];
	bool has_source, has_fstype, has_data;
	unsigned long flags;
};

static int do_ve_mount(void *arg)
{
	const struct ve_mount *m = arg;
	return mount(m->has_source ? m->source : NULL, m->target, m->has_fstype ? m->fstype : NULL,
		     m->flags, m->has_data ? m->data : NULL) < 0 ? errno : 0;
}

/* A path as the caller means it, from vzemu: through its root or cwd. */
static int caller_path(pid_t pid, uint64_t ptr, char *out)
{
	char p[PATH_MAX - 32];
	int r = emu_read_str(pid, ptr, p, sizeof(p));
	if (r < 0)
		return -r;
	snprintf(out, PATH_MAX, "/proc/%d/%s/%s", (int)pid, p[0] == '/' ? "root" : "cwd", p);
	return 0;
}

/* What CAP_VE_ADMIN allows and this kernel calls CAP_SYS_ADMIN: vzemu
 * mounts for the caller, in its mount, network and IPC namespaces (sysfs
 * and mqueue show the mounter's). */
static int mount_for(pid_t pid, const struct seccomp_notif *req)
{
	struct ve_mount m = { .flags = req->data.args[3] };
	const __u64 *a = req->data.args;
	bool path_source = m.flags & (MS_BIND | MS_MOVE);
	int err = caller_path(pid, a[1], m.target);
	if (!err && a[0] && path_source)
		err = caller_path(pid, a[0], m.source);
	else if (!err && a[0])
		err = -emu_read_str(pid, a[0], m.source, sizeof(m.source));
	if (!err && a[2])
		err = -emu_read_str(pid, a[2], m.fstype, sizeof(m.fstype));
	if (!err && a[4])
		err = -emu_read_str(pid, a[4], m.data, sizeof(m.data));
	m.has_source = a[0];
	m.has_fstype = a[2];
	m.has_data = a[4];
	if (err)
		return err == ENAMETOOLONG ? EINVAL : err;
	return in_namespaces_of(pid, CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC, do_ve_mount, &m);
}

/* Inside a legacy VE, mount needs CAP_VE_ADMIN (bit 30 there) or
 * CAP_SYS_ADMIN in the effective set: without both, EPERM; with bit 30
 * alone vzemu mounts for the caller.  False when the call was answered. */
static bool ve_admin_check(struct emu *e, const struct seccomp_notif *req)
{
	pid_t pid = (pid_t)req->pid;
	struct emu_caps caps;
	struct emu_ve *ve = emu_ve_of(e, pid);
	if (!ve || !emu_proc_caps(pid, &caps) || (caps.eff & (1ULL << EMU_CAP_SYS_ADMIN)))
		return true;
	bool admin = caps.eff & (1ULL << EMU_CAP_VE_ADMIN);
	struct emu_call c;
	bool fail = emu_call_begin(&c, e, req, "mount", ve->veid);
	char target[PATH_MAX] = "";
	if (req->data.args[1])
		emu_read_str(pid, req->data.args[1], target, sizeof(target));
	emu_arg_str(&c, "target", target);
	emu_arg_hex(&c, "flags", req->data.args[3]);
	c.note = admin ? "CAP_VE_ADMIN: carried out by vzemu"
		       : "inside a VE without CAP_VE_ADMIN or CAP_SYS_ADMIN";
	emu_call_finish(&c, 0, fail ? e->fail_errno : admin ? mount_for(pid, req) : EPERM);
	return false;
}

/* ---- capset ---- */

/* The capabilities this machine's bounding set lacks (a sandbox without
 * CAP_SYS_RESOURCE): no process of the scenario can have them, where on an
 * OpenVZ host root has them all. */
static uint64_t machine_lacks(void)
{
	static uint64_t lacks = ~0ULL;
	struct emu_caps own;
	if (lacks == ~0ULL)
		lacks = emu_proc_caps(getpid(), &own) ? ~own.bnd & ((1ULL << 41) - 1) : 0;
	return lacks;
}

/* CAP_VE_NET_ADMIN is bit 30 on the legacy kernel: a VE's root configures
 * the network of its own VE with it.  This machine wants NET_ADMIN for
 * that, so a process in a VE's network namespace (the init-to-be gets
 * its VE's namespaces at setluid) that keeps bit 30 keeps NET_ADMIN too;
 * it cannot reach another network namespace without SYS_ADMIN.  (The
 * VE's ve_caps record it then.) */
static uint64_t ve_net_admin(struct emu *e, pid_t pid, uint64_t eff)
{
	char path[64];
	struct stat own, its;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (e->kernel != EMU_KERNEL_LEGACY || !(eff & 1ULL << EMU_CAP_VE_ADMIN) ||
	    stat(path, &its) < 0 || stat("/proc/self/ns/net", &own) < 0 ||
	    its.st_ino == own.st_ino)	/* the host's network: not a VE's */
		return 0;
	return 1ULL << EMU_CAP_NET_ADMIN;
}

/* capset asking for what this machine lacks: the same without those bits,
 * run by the caller itself (injected), as if the machine had them; and
 * CAP_VE_NET_ADMIN as NET_ADMIN (above). */
void emu_handle_capset(struct emu *e, const struct seccomp_notif *req)
{
	pid_t pid = (pid_t)req->pid;
	struct { uint32_t version; int pid; } hdr;
	uint32_t d[6] = { 0 };
	struct emu_caps cur;
	if (emu_read_mem(pid, req->data.args[0], &hdr, sizeof(hdr)) < 0 ||
	    hdr.version == 0x19980330 || (hdr.pid != 0 && hdr.pid != pid) ||
	    emu_read_mem(pid, req->data.args[1], d, sizeof(d)) < 0 || !emu_proc_caps(pid, &cur)) {
		emu_reply_continue(e, req->id);
		return;
	}
	uint64_t lacks = machine_lacks(), want[3];
	uint64_t net = ve_net_admin(e, pid, d[0] | (uint64_t)d[3] << 32) & cur.prm;
	bool any = false;
	for (int i = 0; i < 3; i++) {
		want[i] = d[i] | (uint64_t)d[i + 3] << 32;
		any |= (want[i] & lacks) != 0 || (i < 2 && (net & ~want[i]));
		want[i] &= ~lacks;
		if (i < 2)	/* effective and permitted */
			want[i] |= net;
		d[i] = (uint32_t)want[i];
		d[i + 3] = (uint32_t)(want[i] >> 32);
	}
	if (!any || emu_inject_prepare(pid) < 0) {
		emu_reply_continue(e, req->id);
		return;
	}
	emu_reply(e, req->id, 0, 0);
	struct emu_inject *in;
	if (emu_inject_begin(pid, &in) < 0)
		return;
	hdr.pid = 0;
	long h = emu_inject_data(in, &hdr, sizeof(hdr)), dp = emu_inject_data(in, d, sizeof(d));
	long r = emu_inject_call(in, SYS_capset, h, dp, EMU_INJECTED, 0);
	emu_inject_end(in);
	if (r < 0)
		fprintf(stderr, "vzemu: capset without the bits this machine lacks: %s\n",
			strerror((int)-r));
}

struct uts_name {
	bool domain;
	char name[65];
	size_t len;
};

static int do_sethostname(void *arg)
{
	const struct uts_name *u = arg;
	int r = u->domain ? setdomainname(u->name, u->len) : sethostname(u->name, u->len);
	return r < 0 ? errno : 0;
}

/* The legacy kernel's sethostname and setdomainname check CAP_VE_ADMIN
 * (bit 30) alone, in VE0 as in a VE: without it EPERM; with it and without
 * CAP_SYS_ADMIN (which this kernel wants) vzemu sets the name in the
 * caller's UTS namespace; with both the call is the kernel's. */
void emu_handle_sethostname(struct emu *e, const struct seccomp_notif *req)
{
	pid_t pid = (pid_t)req->pid;
	struct emu_caps caps;
	uint64_t both = 1ULL << EMU_CAP_VE_ADMIN | 1ULL << EMU_CAP_SYS_ADMIN;
	if (!emu_proc_caps(pid, &caps) || (caps.eff & both) == both) {
		emu_reply_continue(e, req->id);
		return;
	}
	bool admin = caps.eff & (1ULL << EMU_CAP_VE_ADMIN);
	struct uts_name u = { .domain = req->data.nr == SYS_setdomainname,
			      .len = (size_t)req->data.args[1] };
	struct emu_call c;
	struct emu_ve *ve = emu_ve_of(e, pid);
	bool fail = emu_call_begin(&c, e, req, u.domain ? "setdomainname" : "sethostname",
				   ve ? ve->veid : 0);
	c.note = admin ? "CAP_VE_ADMIN: carried out by vzemu" : "without CAP_VE_ADMIN";
	int err = !admin ? EPERM : u.len > 64 ? EINVAL
		  : emu_read_mem(pid, req->data.args[0], u.name, u.len) < 0 ? EFAULT : 0;
	if (admin && !err) {
		emu_arg_str(&c, "name", u.name);
		if (!fail)
			err = in_namespaces_of(pid, CLONE_NEWUTS, do_sethostname, &u);
	}
	emu_call_finish(&c, 0, fail ? e->fail_errno : err);
}

struct bind {
	const char *src, *dst;
	unsigned long flags;
};

static int do_simfs_bind(void *arg)
{
	const struct bind *b = arg;
	int err = dir_check(b->src);
	if (!err)
		err = dir_check(b->dst);
	if (!err && mount(b->src, b->dst, NULL, MS_BIND, NULL) < 0)
		err = errno;
	else if (!err && (b->flags & MS_RDONLY) &&
		 mount(NULL, b->dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		err = errno;
	return err;
}

/* The bind mount standing for simfs, in the caller's mount namespace (the
 * supervisor joins it for the call when it is not its own). */
static int simfs_bind(pid_t pid, const char *src, const char *dst, unsigned long flags)
{
	struct bind b = { src, dst, flags };
	return same_mount_ns(pid) ? do_simfs_bind(&b)
				  : in_namespaces_of(pid, CLONE_NEWNS, do_simfs_bind, &b);
}

/* A legacy kernel mounts VE_PRIVATE on VE_ROOT as simfs; here it is a bind
 * mount of the same source on the same target, done by the supervisor in
 * the mount namespace of the caller. */
void emu_handle_mount(struct emu *e, const struct seccomp_notif *req)
{
	pid_t pid = (pid_t)req->pid;
	char fstype[64];
	if (e->kernel == EMU_KERNEL_LEGACY && !ve_admin_check(e, req))
		return;
	if (e->kernel != EMU_KERNEL_LEGACY || !req->data.args[2] ||
	    emu_read_str(pid, req->data.args[2], fstype, sizeof(fstype)) < 0 ||
	    strcmp(fstype, "simfs") != 0) {
		emu_reply_continue(e, req->id);
		return;
	}
	char src[PATH_MAX] = "", dst[PATH_MAX] = "";
	int err = path_of(pid, req->data.args[0], src);
	if (!err)
		err = path_of(pid, req->data.args[1], dst);
	struct emu_call c;
	struct emu_ve *ve = emu_ve_of(e, pid);
	bool fail = emu_call_begin(&c, e, req, "mount", ve ? ve->veid : 0);
	emu_arg_str(&c, "source", src);
	emu_arg_str(&c, "target", dst);
	emu_arg_str(&c, "fstype", fstype);
	emu_arg_hex(&c, "flags", req->data.args[3]);
	c.note = "simfs: carried out as a bind mount";
	if (fail)
		err = e->fail_errno;
	else if (!err && ve)
		err = EPERM, c.note = "simfs from inside a VE";
	else if (!err)
		err = simfs_bind(pid, src, dst, req->data.args[3]);
	emu_call_finish(&c, 0, err);
}

/* ---- reboot and kill(-1) inside a VE ---- */

static const char *reboot_cmd(unsigned cmd)
{
	switch (cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
		return "POWER_OFF";
	case LINUX_REBOOT_CMD_HALT:
		return "HALT";
	case LINUX_REBOOT_CMD_RESTART:
		return "RESTART";
	case LINUX_REBOOT_CMD_RESTART2:
		return "RESTART2";
	case LINUX_REBOOT_CMD_CAD_ON:
		return "CAD_ON";
	case LINUX_REBOOT_CMD_CAD_OFF:
		return "CAD_OFF";
	}
	return "?";
}

/* On vz7 a VE has its own pid namespace, where the kernel's reboot and
 * kill(-1) already act on the VE only. */
static bool kernel_handles_in_vz7(struct emu *e, const struct seccomp_notif *req)
{
	return e->kernel == EMU_KERNEL_VZ7 && emu_in_child_pidns((pid_t)req->pid);
}

void emu_handle_reboot(struct emu *e, const struct seccomp_notif *req)
{
	if (kernel_handles_in_vz7(e, req)) {
		emu_reply_continue(e, req->id);
		return;
	}
	struct emu_call c;
	struct emu_ve *ve = emu_ve_of(e, (pid_t)req->pid);
	unsigned cmd = (unsigned)req->data.args[2];
	bool fail = emu_call_begin(&c, e, req, "reboot", ve ? ve->veid : 0);
	emu_arg_str(&c, "cmd", reboot_cmd(cmd));
	bool magic = (unsigned)req->data.args[0] == LINUX_REBOOT_MAGIC1 &&
		     ((unsigned)req->data.args[1] == LINUX_REBOOT_MAGIC2 ||
		      (unsigned)req->data.args[1] == LINUX_REBOOT_MAGIC2A ||
		      (unsigned)req->data.args[1] == LINUX_REBOOT_MAGIC2B ||
		      (unsigned)req->data.args[1] == LINUX_REBOOT_MAGIC2C);
	if (fail) {
		emu_call_finish(&c, 0, e->fail_errno);
	} else if (!ve) {
		c.note = "refused: vzemu never reboots the host";
		emu_call_finish(&c, 0, EPERM);
	} else if (!magic) {
		emu_call_finish(&c, 0, EINVAL);
	} else if (cmd == LINUX_REBOOT_CMD_CAD_ON || cmd == LINUX_REBOOT_CMD_CAD_OFF) {
		c.note = "recorded only";
		emu_call_finish(&c, 0, 0);
	} else if (strcmp(reboot_cmd(cmd), "?") == 0) {
		emu_call_finish(&c, 0, EINVAL);
	} else {
		/* inside a VE this ends the VE, the caller with it */
		c.note = "stops the VE";
		uint64_t id = req->id;
		emu_call_end(&c, 0, 0);
		emu_ve_stop(e, ve, "reboot inside");
		emu_reply(e, id, 0, 0);	/* normally to no one: the caller was in the VE */
	}
}

/* Inside a VE, pid 1 is the VE's init: kill(1, sig) goes there.  Outside,
 * it is the host's init and the kernel's business. */
static void kill_init(struct emu *e, const struct seccomp_notif *req, struct emu_ve *ve)
{
	struct emu_call c;
	int sig = (int)req->data.args[1];
	bool fail = emu_call_begin(&c, e, req, "kill", ve->veid);
	emu_arg_num(&c, "pid", 1);
	emu_arg_num(&c, "sig", sig);
	c.note = "pid 1 of the VE: its init";
	int err = fail ? e->fail_errno : kill(ve->init, sig) < 0 ? errno : 0;
	emu_call_finish(&c, 0, err);
}

/* kill(-1, sig) inside a VE signals the VE's processes but its init (pid 1
 * there), not the host's. */
static void kill_all(struct emu *e, const struct seccomp_notif *req, struct emu_ve *ve)
{
	struct emu_call c;
	pid_t pid = (pid_t)req->pid, tgid = pid;
	emu_proc_tgid(pid, &tgid);
	int sig = (int)req->data.args[1];
	bool fail = emu_call_begin(&c, e, req, "kill", ve ? ve->veid : 0);
	emu_arg_num(&c, "pid", -1);
	emu_arg_num(&c, "sig", sig);
	if (fail || !ve) {
		if (!fail)
			c.note = "refused: kill(-1) outside a VE would signal the host";
		emu_call_finish(&c, 0, fail ? e->fail_errno : EPERM);
		return;
	}
	size_t n;
	_cleanup_free_ pid_t *pids = emu_ve_pids(ve, &n);
	int sent = 0;
	for (size_t i = 0; i < n; i++)
		if (pids[i] != tgid && pids[i] != ve->init && kill(pids[i], sig) == 0)
			sent++;
	c.note = "signals the VE's processes";
	emu_call_finish(&c, 0, sent || sig == 0 ? 0 : ESRCH);
}

void emu_handle_kill(struct emu *e, const struct seccomp_notif *req)
{
	if (kernel_handles_in_vz7(e, req)) {
		emu_reply_continue(e, req->id);
		return;
	}
	struct emu_ve *ve = emu_ve_of(e, (pid_t)req->pid);
	if ((int)req->data.args[0] == -1)
		kill_all(e, req, ve);
	else if (ve)
		kill_init(e, req, ve);
	else
		emu_reply_continue(e, req->id);
}
