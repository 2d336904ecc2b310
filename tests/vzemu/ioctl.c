// SPDX-License-Identifier: LGPL-2.1-or-later
/* The /dev/vzctl ioctls.  Each decodes its argument from the caller's
 * memory at the documented offsets, checks it as the kernel does, changes
 * the model (and the real system where that can be done: namespaces for a
 * new VE, veth pairs, moved devices) and writes its results back. */
#include "vzemu.h"
#include "net/netlink.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>

static uint32_t u32_at(const uint8_t *b, size_t off)
{
	uint32_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint64_t u64_at(const uint8_t *b, size_t off)
{
	uint64_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static void flags_text(unsigned flags, char *buf, size_t len)
{
	static const char *const names[] = { "VE_CREATE", "VE_EXCLUSIVE", "VE_ENTER", "VE_TEST",
					     "VE_LOCK", "VE_SKIPLOCK" };
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", names[i]);
	if (flags & ~0x3fu)
		snprintf(buf + n, len - n, "%s0x%x", n ? "|" : "", flags & ~0x3fu);
	if (!flags)
		snprintf(buf, len, "0");
}

static void features_text(uint64_t mask, char *buf, size_t len)
{
	static const char *const names[] = { "sysfs", "nfs", "def_perms", "sit", "ipip", "ppp",
					     "ipgre", "bridge", "nfsd", "time" };
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (mask & (1ULL << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", names[i]);
}

static bool caller_is_root(const struct seccomp_notif *req)
{
	return emu_proc_uid((pid_t)req->pid) == 0;
}

/* ---- VZCTL_ENV_CREATE(_DATA) ---- */

struct create_req {
	unsigned veid, flags, class_id;
	uint64_t data;
	int datalen;
	bool with_data;
	uint64_t iptables_mask, feature_mask, known;
	unsigned total_vcpus;
};

/* Whether another process than tid has pgrp (or session) id tid. */
static bool group_has_other(pid_t tid, bool session)
{
	DIR *d = opendir("/proc");
	bool other = false;
	for (struct dirent *de; d && !other && (de = readdir(d));) {
		pid_t pid = (pid_t)atoi(de->d_name), ppid, pgrp, sid;
		int tty;
		if (pid > 0 && pid != tid && emu_proc_stat(pid, &ppid, &pgrp, &sid, &tty))
			other = (session ? sid : pgrp) == tid;
	}
	if (d)
		closedir(d);
	return other;
}

/* What a VE_CREATE caller must be, as do_env_create checks it: a
 * single-threaded group leader without a controlling tty that is session
 * and process group leader or could become both (not a session leader, no
 * process group of its id), and alone in the group and session of its id.
 * *setsid: it is not yet and the kernel makes it one. */
static const char *create_precondition(pid_t tid, bool *setsid)
{
	pid_t tgid, ppid, pgrp, sid;
	int tty;
	*setsid = false;
	if (!emu_proc_tgid(tid, &tgid) || tgid != tid || emu_proc_threads(tid) != 1)
		return "caller is not a single-threaded group leader";
	if (!emu_proc_stat(tid, &ppid, &pgrp, &sid, &tty))
		return "caller is gone";
	if (tty != 0)
		return "caller has a controlling tty";
	if (sid != tid || pgrp != tid) {
		if (sid == tid || pgrp == tid || group_has_other(tid, false))
			return "caller is a process group or session leader and cannot setsid";
		*setsid = true;
	}
	if (group_has_other(tid, false) || group_has_other(tid, true))
		return "caller is not alone in its process group and session";
	return NULL;
}

static long inject_checked(struct emu_inject *in, long nr, long a0, long a1, long a2, long a3,
			   bool *ok)
{
	long r = emu_inject_call(in, nr, a0, a1, a2, a3);
	if (r < 0)
		*ok = false;
	return r;
}

bool emu_in_scenario_netns(pid_t pid)
{
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return stat(path, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 && a.st_ino == b.st_ino;
}

long emu_inject_ve_namespaces(struct emu_inject *in)
{
	return emu_inject_call(in, SYS_unshare, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET, 0, 0,
			       0);
}

/* The namespaces VE_CREATE gives its caller on the legacy kernel: UTS,
 * IPC and network (and pid, which cannot be had here), unless it got them
 * at setluid (see sys.c).  No mount namespace: a VE shares the host's,
 * its root is the chroot its init made.  The kernel makes the init
 * session and group leader too. */
static bool create_namespaces(struct emu_inject *in, pid_t tid, bool setsid)
{
	bool ok = true;
	if (emu_in_scenario_netns(tid) && emu_inject_ve_namespaces(in) < 0)
		return false;
	if (setsid)
		inject_checked(in, SYS_setsid, 0, 0, 0, 0, &ok);
	return ok;
}

/* commit_creds(ve->init_cred), as far as a process can do it to itself:
 * the bounding set only shrinks and capset cannot raise the permitted set
 * (the kernel replaces the credentials; here an entering process with
 * fewer capabilities than the init keeps fewer). */
static bool apply_ve_caps(struct emu_inject *in, pid_t tid, const struct emu_caps *want)
{
	struct emu_caps cur;
	if (!emu_proc_caps(tid, &cur))
		return false;
	bool ok = true;
	for (int c = 0; c <= EMU_LEGACY_LAST_CAP; c++)	/* the kernel knows no more */
		if ((cur.bnd & (1ULL << c)) && !(want->bnd & (1ULL << c)))
			inject_checked(in, SYS_prctl, PR_CAPBSET_DROP, c, 0, 0, &ok);
	uint64_t prm = want->prm & cur.prm, eff = want->eff & prm,
		 inh = want->inh & (cur.inh | cur.prm) & (cur.inh | cur.bnd);
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };	/* v3 */
	struct { uint32_t eff, prm, inh; } data[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};
	long h = emu_inject_data(in, &hdr, sizeof(hdr)), d = emu_inject_data(in, data, sizeof(data));
	inject_checked(in, SYS_capset, h, d, EMU_INJECTED, 0, &ok);
	return ok;
}

/* venet0 inside, as the venet module's VE-start hook makes it; a stand-in
 * device (no traffic flows through it, see docs/testing.md). */
static void make_venet(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	_cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
	struct ovz_nl *nl = NULL;
	if (ns >= 0 && ovz_nl_open(ns, &nl, NULL) == 0)
		emu_standin_link(nl, "venet0");
	ovz_nl_close(nl);
}

/* After emu_inject_prepare, once the call is answered. */
static void release_seized(pid_t tid)
{
	struct emu_inject *in;
	if (emu_inject_begin(tid, &in) == 0)
		emu_inject_end(in);
}

static void ve_create(struct emu *e, struct emu_call *c, const struct create_req *q)
{
	pid_t tid = (pid_t)c->req->pid;
	bool setsid;
	struct emu_caps creator;
	const char *why = create_precondition(tid, &setsid);
	if (!why && !emu_proc_caps(tid, &creator))
		why = "caller is gone";
	if (why) {
		c->note = why;
		emu_call_finish(c, 0, EINVAL);
		return;
	}
	char root[PATH_MAX], link[64];
	snprintf(link, sizeof(link), "/proc/%d/root", (int)tid);
	ssize_t n = readlink(link, root, sizeof(root) - 1);
	root[n > 0 ? n : 0] = '\0';
	struct emu_ve *ve = emu_ve_new(e, q->veid);
	if (!ve) {
		c->note = "cannot make the VE's cgroup";
		emu_call_finish(c, 0, ENOMEM);
		return;
	}
	if (emu_inject_prepare(tid) < 0) {
		emu_ve_stop(e, ve, "no ptrace");
		c->note = "cannot ptrace the caller to give it namespaces";
		emu_call_finish(c, 0, ENOSYS);
		return;
	}
	if (emu_ve_attach(e, ve, tid) < 0) {
		c->note = "cannot move the caller into the VE's cgroup";
		emu_call_finish(c, 0, ENOMEM);
		release_seized(tid);
		emu_ve_stop(e, ve, "no cgroup");
		return;
	}
	ve->init = tid;
	ve->pidfd = (int)syscall(SYS_pidfd_open, tid, 0);
	emu_ve_watch(e, ve);
	ve->flags = q->flags;
	ve->class_id = q->class_id;
	ve->iptables_mask = q->iptables_mask;
	ve->features = q->feature_mask;
	ve->known_features = q->known;
	ve->total_vcpus = q->total_vcpus;
	ve->datalen = q->datalen;
	snprintf(ve->root, sizeof(ve->root), "%s", root);
	/* set_ve_caps and init_ve_cred */
	ve->cap_bset = creator.eff;
	ve->init_caps = (struct emu_caps){ .inh = creator.inh & creator.eff,
					   .prm = creator.prm & creator.eff, .eff = creator.eff,
					   .bnd = creator.bnd & creator.eff };
	emu_arg_hex(c, "ve_caps", ve->cap_bset);
	uint64_t id = c->req->id;
	emu_call_end(c, q->veid, 0);
	emu_reply(e, id, q->veid, 0);
	struct emu_inject *in;
	if (emu_inject_begin(tid, &in) < 0)
		return;	/* it died on the way back */
	ve->namespaces = create_namespaces(in, tid, setsid) &&
			 apply_ve_caps(in, tid, &ve->init_caps);
	if (ve->namespaces)
		make_venet(tid);
	emu_inject_end(in);
	if (!ve->namespaces) {
		fprintf(stderr, "vzemu: VE %u: could not give its init namespaces; stopping it\n",
			ve->veid);
		emu_ve_stop(e, ve, "no namespaces");
	}
}

/* VE_ENTER: the caller joins the VE's namespaces (setns on a pidfd of its
 * init, installed in the caller first: UTS, IPC and network; the mount
 * namespace is the host's, the caller keeps its root) and its cgroup, and
 * gets the VE's init credentials. */
static void ve_enter(struct emu *e, struct emu_call *c, struct emu_ve *ve)
{
	pid_t tid = (pid_t)c->req->pid;
	pid_t tgid;
	if (!emu_proc_tgid(tid, &tgid) || emu_proc_threads(tid) != 1) {
		c->note = "caller is not single-threaded";
		emu_call_finish(c, 0, EINVAL);
		return;
	}
	int pidfd = (int)syscall(SYS_pidfd_open, ve->init, 0);
	int target_fd = pidfd >= 0 ? emu_add_fd(e, c->req->id, pidfd) : -1;
	if (pidfd >= 0)
		close(pidfd);
	if (target_fd < 0 || emu_inject_prepare(tid) < 0) {
		c->note = "cannot move the caller into the VE's namespaces";
		emu_call_finish(c, 0, ENOSYS);
		return;
	}
	if (emu_ve_attach(e, ve, tgid) < 0) {
		c->note = "cannot move the caller into the VE's cgroup";
		emu_call_finish(c, 0, ENOMEM);
		release_seized(tid);
		return;
	}
	uint64_t id = c->req->id;
	emu_call_end(c, ve->veid, 0);
	emu_reply(e, id, ve->veid, 0);
	struct emu_inject *in;
	if (emu_inject_begin(tid, &in) < 0)
		return;
	long r = emu_inject_call(in, SYS_setns, target_fd, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET,
				 0, 0);
	emu_inject_call(in, SYS_close, target_fd, 0, 0, 0);
	bool caps = apply_ve_caps(in, tid, &ve->init_caps);
	emu_inject_end(in);
	if (r < 0)
		fprintf(stderr, "vzemu: VE_ENTER %u: setns in the caller: %s\n", ve->veid,
			strerror((int)-r));
	if (!caps)
		fprintf(stderr, "vzemu: VE_ENTER %u: the VE's capabilities in the caller failed\n",
			ve->veid);
}

static bool read_create(struct emu *e, const struct seccomp_notif *req, bool with_data,
			struct create_req *q, int *err)
{
	uint8_t b[32] = { 0 };
	memset(q, 0, sizeof(*q));
	q->with_data = with_data;
	if (emu_read_mem((pid_t)req->pid, req->data.args[2], b, with_data ? 32 : 12) < 0) {
		*err = EFAULT;
		return false;
	}
	q->veid = u32_at(b, 0);
	q->flags = u32_at(b, 4);
	q->class_id = u32_at(b, 8);
	if (with_data) {
		q->data = u64_at(b, 16);
		q->datalen = (int)u32_at(b, 24);
	}
	return true;
}

/* env_create_param, param2 and param3 are prefixes of one another. */
static int read_param(const struct seccomp_notif *req, struct create_req *q)
{
	if (q->datalen < 8 || q->datalen > 32 || !q->data)
		return EINVAL;
	uint8_t p[32] = { 0 };
	if (emu_read_mem((pid_t)req->pid, q->data, p, (size_t)q->datalen) < 0)
		return EFAULT;
	q->iptables_mask = u64_at(p, 0);
	q->feature_mask = q->datalen >= 16 ? u64_at(p, 8) : 0;
	q->total_vcpus = q->datalen >= 20 ? u32_at(p, 16) : 0;
	q->known = q->datalen >= 32 ? u64_at(p, 24) : 1;	/* older: SYSFS only */
	/* the kernel's rule: (mask & known) | (DEF & ~known), DEF = SYSFS|DEF_PERMS */
	q->feature_mask = (q->feature_mask & q->known) | (0x5 & ~q->known);
	return 0;
}

static void create_args(struct emu_call *c, const struct create_req *q)
{
	char buf[128];
	flags_text(q->flags, buf, sizeof(buf));
	emu_arg_str(c, "flags", buf);
	emu_arg_num(c, "class_id", q->class_id);
	if (!q->with_data)
		return;
	emu_arg_num(c, "datalen", q->datalen);
	if (q->datalen < 8)
		return;
	emu_arg_hex(c, "iptables_mask", q->iptables_mask);
	features_text(q->feature_mask, buf, sizeof(buf));
	emu_arg_str(c, "features", buf);
	emu_arg_num(c, "total_vcpus", q->total_vcpus);
}

static void env_create(struct emu *e, const struct seccomp_notif *req, bool with_data)
{
	struct create_req q;
	struct emu_call c;
	int err = 0;
	bool ok = read_create(e, req, with_data, &q, &err);
	if (ok && with_data && (q.flags & EMU_VE_CREATE))
		err = read_param(req, &q);
	const char *op = with_data ? "VZCTL_ENV_CREATE_DATA" : "VZCTL_ENV_CREATE";
	if (emu_call_begin(&c, e, req, op, ok ? (long long)q.veid : -1)) {
		create_args(&c, &q);
		emu_call_finish(&c, 0, e->fail_errno);
		return;
	}
	if (ok)
		create_args(&c, &q);
	struct emu_ve *self = emu_ve_of(e, (pid_t)req->pid);
	struct emu_ve *ve = ok ? emu_ve_find(e, q.veid) : NULL;
	if (!ok || err) {
		emu_call_finish(&c, 0, err ? err : EFAULT);
	} else if (e->kernel == EMU_KERNEL_VZ7) {
		c.note = "OpenVZ 7 kernels create VEs through the ve cgroup";
		emu_call_finish(&c, 0, EMU_ENOTSUPP);
	} else if (q.flags == 0) {
		emu_call_finish(&c, self ? self->veid : 0, 0);
	} else if (self || !caller_is_root(req)) {
		emu_call_finish(&c, 0, EPERM);
	} else if ((q.flags & EMU_VE_TEST) && (q.flags & (EMU_VE_ENTER | EMU_VE_CREATE))) {
		emu_call_finish(&c, 0, EINVAL);
	} else if (q.flags & EMU_VE_TEST) {
		emu_call_finish(&c, 0, ve || q.veid == 0 ? 0 : ESRCH);
	} else if ((q.flags & EMU_VE_CREATE) && !ve && q.veid != 0) {
		ve_create(e, &c, &q);
	} else if ((q.flags & EMU_VE_CREATE) && (q.flags & EMU_VE_EXCLUSIVE)) {
		emu_call_finish(&c, 0, EACCES);
	} else if (q.flags & (EMU_VE_CREATE | EMU_VE_ENTER)) {
		if (!ve)
			emu_call_finish(&c, 0, ESRCH);
		else if ((ve->flags & EMU_VE_LOCK) && !(q.flags & EMU_VE_SKIPLOCK))
			emu_call_finish(&c, 0, EBUSY);
		else
			ve_enter(e, &c, ve);
	} else {
		emu_call_finish(&c, 0, EINVAL);
	}
}

/* ---- venet and veth ---- */

static const char *ip_op_name(int op)
{
	switch (op) {
	case 1:
		return "VE_IP_ADD";
	case 2:
		return "VE_IP_DEL";
	case 3:
		return "VE_IP_EXT_ADD";
	case 4:
		return "VE_IP_EXT_DEL";
	}
	return "?";
}

static int read_sockaddr(pid_t pid, uint64_t addr, int addrlen, struct emu_ip *ip)
{
	uint8_t sa[28];
	if (addrlen != 16 && addrlen != 28)
		return EINVAL;
	if (emu_read_mem(pid, addr, sa, (size_t)addrlen) < 0)
		return EFAULT;
	uint16_t family;
	memcpy(&family, sa, 2);
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	if (family == AF_INET && addrlen == 16) {
		memcpy(ip->addr, sa + 4, 4);	/* sin_addr */
		return 0;
	}
	if (family == AF_INET6 && addrlen == 28) {
		memcpy(ip->addr, sa + 8, 16);	/* sin6_addr */
		return 0;
	}
	return family == AF_INET || family == AF_INET6 ? EINVAL : EAFNOSUPPORT;
}

static bool list_has(const struct emu_ip *list, size_t n, const struct emu_ip *ip, size_t *at)
{
	size_t alen = ip->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < n; i++)
		if (list[i].family == ip->family && memcmp(list[i].addr, ip->addr, alen) == 0) {
			*at = i;
			return true;
		}
	return false;
}

static int ip_map_apply(struct emu *e, struct emu_ve *ve, int op, const struct emu_ip *ip)
{
	bool ext = op == 3 || op == 4;
	struct emu_ip **list = ext ? &ve->ext_ips : &ve->ips;
	size_t *n = ext ? &ve->n_ext_ips : &ve->n_ips, at;
	if (op == 1 || op == 3) {
		struct emu_ve *owner = emu_ip_owner(e, ip);
		if ((owner && !ext) || list_has(*list, *n, ip, &at))
			return EADDRINUSE;
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		(*list)[(*n)++] = *ip;
		return 0;
	}
	if (!list_has(*list, *n, ip, &at))
		return EADDRNOTAVAIL;
	memmove(&(*list)[at], &(*list)[at + 1], (*n - at - 1) * sizeof(**list));
	(*n)--;
	return 0;
}

static void ip_map(struct emu *e, const struct seccomp_notif *req)
{
	pid_t pid = (pid_t)req->pid;
	uint8_t b[24];
	struct emu_call c;
	bool ok = emu_read_mem(pid, req->data.args[2], b, sizeof(b)) == 0;
	unsigned veid = ok ? u32_at(b, 0) : 0;
	int op = ok ? (int)u32_at(b, 4) : 0, addrlen = ok ? (int)u32_at(b, 16) : 0;
	struct emu_ip ip;
	int err = ok ? read_sockaddr(pid, u64_at(b, 8), addrlen, &ip) : EFAULT;
	bool fail = emu_call_begin(&c, e, req, "VENETCTL_VE_IP_MAP", ok ? (long long)veid : -1);
	emu_arg_str(&c, "op", ip_op_name(op));
	if (!err) {
		char a[64];
		emu_ip_text(&ip, a, sizeof(a));
		emu_arg_str(&c, "addr", a);
	}
	emu_arg_num(&c, "addrlen", addrlen);
	struct emu_ve *ve = ok ? emu_ve_find(e, veid) : NULL;
	/* real_ve_ip_map's order: capable_setveid, the address, the op; an
	 * add needs a running VE, a delete only the address owned by veid */
	if (fail)
		err = e->fail_errno;
	else if (ok && (emu_ve_of(e, pid) || !caller_is_root(req)))
		err = EPERM;
	else if (!err && (op < 1 || op > 4))
		err = EINVAL;
	else if (!err && op == 2 && !ve)
		err = EADDRNOTAVAIL;
	else if (!err && (!ve || (op == 1 && !emu_ve_running(ve))))
		err = ESRCH;
	else if (!err)
		err = ip_map_apply(e, ve, op, &ip);
	emu_call_finish(&c, 0, err);
}

static void mac_text(const uint8_t m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static bool ifname_ok(const char name[16])
{
	return memchr(name, '\0', 16) && name[0] && !strchr(name, '/') && !strchr(name, ' ');
}

static struct emu_veth *veth_find(struct emu_ve *ve, const char *host)
{
	for (size_t i = 0; i < ve->n_veths; i++)
		if (strcmp(ve->veths[i].host, host) == 0)
			return &ve->veths[i];
	return NULL;
}

static int ve_netns(const struct emu_ve *ve)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ve->init);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static int veth_add(struct emu_ve *ve, const uint8_t *b)
{
	struct emu_veth v = { 0 };
	memcpy(v.host, b + 20, 16);
	memcpy(v.ve, b + 48, 16);
	memcpy(v.mac, b + 8, 6);
	int addrlen = (int)u32_at(b, 16), addrlen_ve = (int)u32_at(b, 44);
	if (addrlen != 6 || (addrlen_ve != 0 && addrlen_ve != 6) || !ifname_ok(v.host) ||
	    !ifname_ok(v.ve))
		return EINVAL;
	if (addrlen_ve)
		memcpy(v.ve_mac, b + 36, 6);
	if (if_nametoindex(v.host))
		return EEXIST;
	_cleanup_close_ int ns = ve_netns(ve);
	struct ovz_nl *nl = NULL;
	struct ovz_veth_spec s = { .name = v.host, .mac = v.mac, .peer = v.ve,
				   .peer_mac = addrlen_ve ? v.ve_mac : NULL, .peer_netns_fd = ns };
	int r = ns < 0 ? -ESRCH : ovz_nl_open(-1, &nl, NULL);
	if (r == 0)
		r = ovz_nl_veth_add(nl, &s, NULL);
	ovz_nl_close(nl);
	if (r < 0)
		return -r;
	ve->veths = xrealloc(ve->veths, (ve->n_veths + 1) * sizeof(*ve->veths));
	ve->veths[ve->n_veths++] = v;
	return 0;
}

static int veth_del(struct emu_ve *ve, const char *host)
{
	struct emu_veth *v = veth_find(ve, host);
	if (!v)
		return ENODEV;
	struct ovz_nl *nl = NULL;
	if (ovz_nl_open(-1, &nl, NULL) == 0)
		ovz_nl_link_del(nl, host, NULL);
	ovz_nl_close(nl);
	size_t at = (size_t)(v - ve->veths);
	memmove(v, v + 1, (ve->n_veths - at - 1) * sizeof(*v));
	ve->n_veths--;
	return 0;
}

static const char *eth_op_name(int op)
{
	switch (op) {
	case 1:
		return "VE_ETH_ADD";
	case 2:
		return "VE_ETH_DEL";
	case 3:
		return "VE_ETH_ALLOW_MAC_CHANGE";
	case 4:
		return "VE_ETH_DENY_MAC_CHANGE";
	}
	return "?";
}

static void veth_args(struct emu_call *c, const uint8_t *b, int op)
{
	char name[17], mac[18];
	emu_arg_str(c, "op", eth_op_name(op));
	memcpy(name, b + 20, 16);
	name[16] = '\0';
	emu_arg_str(c, "dev_name", name);
	if (op != 1)
		return;
	mac_text(b + 8, mac, sizeof(mac));
	emu_arg_str(c, "dev_addr", mac);
	emu_arg_num(c, "addrlen", (int)u32_at(b, 16));
	memcpy(name, b + 48, 16);
	emu_arg_str(c, "dev_name_ve", name);
	mac_text(b + 36, mac, sizeof(mac));
	emu_arg_str(c, "dev_addr_ve", mac);
	emu_arg_num(c, "addrlen_ve", (int)u32_at(b, 44));
}

static void veth_hwaddr(struct emu *e, const struct seccomp_notif *req)
{
	uint8_t b[64];
	struct emu_call c;
	bool ok = emu_read_mem((pid_t)req->pid, req->data.args[2], b, sizeof(b)) == 0;
	unsigned veid = ok ? u32_at(b, 0) : 0;
	int op = ok ? (int)u32_at(b, 4) : 0, err = 0;
	bool fail = emu_call_begin(&c, e, req, "VETHCTL_VE_HWADDR", ok ? (long long)veid : -1);
	if (ok)
		veth_args(&c, b, op);
	struct emu_ve *ve = ok ? emu_ve_find(e, veid) : NULL;
	char host[17] = "";
	if (ok)
		memcpy(host, b + 20, 16);
	if (fail)
		err = e->fail_errno;
	else if (!ok)
		err = EFAULT;
	else if (emu_ve_of(e, (pid_t)req->pid) || !caller_is_root(req))
		err = EPERM;
	else if (!ve)
		err = ESRCH;
	else if (op == 1)
		err = veth_add(ve, b);
	else if (op == 2)
		err = veth_del(ve, host);
	else if (op == 3 || op == 4) {
		struct emu_veth *v = veth_find(ve, host);
		if (v)
			v->mac_change_allowed = op == 3;
		err = v ? 0 : ENODEV;
	} else
		err = EINVAL;
	emu_call_finish(&c, 0, err);
}

/* ---- the other '.' ioctls ---- */

static int netdev_move(struct emu_ve *ve, int op, const char *name)
{
	_cleanup_close_ int vens = ve_netns(ve);
	_cleanup_close_ int hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (vens < 0 || hostns < 0)
		return ESRCH;
	struct ovz_nl *nl = NULL;
	int r;
	if (op == 1) {
		if (!if_nametoindex(name))
			return ENODEV;
		r = ovz_nl_open(-1, &nl, NULL);
		if (r == 0)
			r = ovz_nl_link_set_netns(nl, name, vens, NULL);
	} else {
		if (!strv_contains(ve->netdevs, name))
			return ENODEV;
		r = ovz_nl_open(vens, &nl, NULL);
		if (r == 0)
			r = ovz_nl_link_set_netns(nl, name, hostns, NULL);
	}
	ovz_nl_close(nl);
	if (r < 0)
		return -r;
	if (op == 1) {
		strv_push(&ve->netdevs, xstrdup(name));
		if (ve->netns_fd < 0)
			ve->netns_fd = fcntl(vens, F_DUPFD_CLOEXEC, 0);
	} else {
		char **keep = NULL;
		for (size_t i = 0; ve->netdevs && ve->netdevs[i]; i++)
			if (strcmp(ve->netdevs[i], name) != 0)
				strv_push(&keep, xstrdup(ve->netdevs[i]));
		strv_free(ve->netdevs);
		ve->netdevs = keep;
	}
	return 0;
}

static void ve_netdev(struct emu *e, const struct seccomp_notif *req)
{
	uint8_t b[16];
	char name[16] = "";
	struct emu_call c;
	pid_t pid = (pid_t)req->pid;
	bool ok = emu_read_mem(pid, req->data.args[2], b, sizeof(b)) == 0;
	int err = ok ? -emu_read_str(pid, u64_at(b, 8), name, sizeof(name)) : EFAULT;
	if (err == ENAMETOOLONG)
		err = EINVAL;
	int op = ok ? (int)u32_at(b, 4) : 0;
	bool fail = emu_call_begin(&c, e, req, "VZCTL_VE_NETDEV", ok ? (long long)u32_at(b, 0) : -1);
	emu_arg_str(&c, "op", op == 1 ? "VE_NETDEV_ADD" : op == 2 ? "VE_NETDEV_DEL" : "?");
	emu_arg_str(&c, "dev_name", name);
	struct emu_ve *ve = ok ? emu_ve_find(e, u32_at(b, 0)) : NULL;
	if (fail)
		err = e->fail_errno;
	else if (!err && (emu_ve_of(e, pid) || !caller_is_root(req)))
		err = EPERM;
	else if (!err && op != 1 && op != 2)
		err = EINVAL;
	else if (!err && !ve)
		err = ESRCH;
	else if (!err)
		err = netdev_move(ve, op, name);
	emu_call_finish(&c, 0, err);
}

/* real_setdevperms: VE0's privilege, a VE other than 0 that exists (ESRCH)
 * and runs (ESRCH); dev is the kernel's new_encode_dev.  The permission
 * is recorded, not enforced: device access is the host's here. */
static void setdevperms(struct emu *e, const struct seccomp_notif *req)
{
	uint8_t b[16];
	struct emu_call c;
	pid_t pid = (pid_t)req->pid;
	bool ok = emu_read_mem(pid, req->data.args[2], b, sizeof(b)) == 0;
	unsigned veid = ok ? u32_at(b, 0) : 0, type = ok ? u32_at(b, 4) : 0;
	unsigned dev = ok ? u32_at(b, 8) : 0, mask = ok ? u32_at(b, 12) : 0;
	bool fail = emu_call_begin(&c, e, req, "VZCTL_SETDEVPERMS", ok ? (long long)veid : -1);
	char devt[32];
	snprintf(devt, sizeof(devt), "%c %u:%u", (type & 0170000) == 0060000 ? 'b' : 'c',
		 (dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
	emu_arg_str(&c, "dev", devt);
	emu_arg_str(&c, "use", (type & 030) == 030 ? "VE_USE_MINOR" : (type & 030) == 010
			       ? "VE_USE_MAJOR" : "?");
	emu_arg_num(&c, "mask", mask);
	struct emu_ve *ve = ok ? emu_ve_find(e, veid) : NULL;
	int err = fail ? e->fail_errno : !ok ? EFAULT : 0;
	if (!err && (emu_ve_of(e, pid) || !caller_is_root(req) || veid == 0))
		err = EPERM;
	else if (!err && (!ve || !emu_ve_running(ve)))
		err = ESRCH;
	c.note = "recorded only";
	emu_call_finish(&c, 0, err);
}

static void ve_meminfo(struct emu *e, const struct seccomp_notif *req)
{
	uint8_t b[16];
	struct emu_call c;
	bool ok = emu_read_mem((pid_t)req->pid, req->data.args[2], b, sizeof(b)) == 0;
	bool fail = emu_call_begin(&c, e, req, "VZCTL_VE_MEMINFO", ok ? (long long)u32_at(b, 0) : -1);
	if (ok)
		emu_arg_num(&c, "val", (long long)u64_at(b, 8));
	struct emu_ve *ve = ok ? emu_ve_find(e, u32_at(b, 0)) : NULL;
	int err = fail ? e->fail_errno : !ok ? EFAULT : !ve ? ESRCH : 0;
	if (!err)
		ve->meminfo = (unsigned long)u64_at(b, 8);
	c.note = "recorded only: /proc/meminfo inside is the host's";
	emu_call_finish(&c, 0, err);
}

static const char *configure_key(unsigned key)
{
	switch (key) {
	case 2:
		return "VE_CONFIGURE_OS_RELEASE";
	case 4:
		return "VE_CONFIGURE_CREATE_PROC_LINK";
	case 5:
		return "VE_CONFIGURE_OPEN_TTY";
	case 7:
		return "VE_CONFIGURE_MOUNT_OPTIONS";
	}
	return "?";
}

static void ve_configure(struct emu *e, const struct seccomp_notif *req)
{
	uint8_t b[16];
	struct emu_call c;
	pid_t pid = (pid_t)req->pid;
	bool ok = emu_read_mem(pid, req->data.args[2], b, sizeof(b)) == 0;
	unsigned key = ok ? u32_at(b, 4) : 0, size = ok ? u32_at(b, 12) : 0;
	bool fail = emu_call_begin(&c, e, req, "VZCTL_VE_CONFIGURE", ok ? (long long)u32_at(b, 0) : -1);
	emu_arg_str(&c, "key", configure_key(key));
	emu_arg_num(&c, "val", ok ? u32_at(b, 8) : 0);
	emu_arg_num(&c, "size", size);
	struct emu_ve *ve = ok ? emu_ve_find(e, u32_at(b, 0)) : NULL;
	_cleanup_free_ char *data = xcalloc(1, (size_t)(size <= 4096 ? size : 0) + 1);
	int err = fail ? e->fail_errno : !ok ? EFAULT : size > 4096 ? EINVAL : !ve ? ESRCH : 0;
	if (!err && size && emu_read_mem(pid, req->data.args[2] + 16, data, size) < 0)
		err = EFAULT;
	if (!err && key == 2) {
		if (!memchr(data, '\0', size < 65 ? size : 65) && size >= 65)
			err = EINVAL;
		else
			snprintf(ve->os_release, sizeof(ve->os_release), "%s", data);
		emu_arg_str(&c, "data", data);
		c.note = "recorded only: uname inside is the host's";
	} else if (!err && (key == 4 || key == 7)) {
		c.note = "recorded only";
	} else if (!err && key == 5) {
		c.note = "not emulated: no virtual tty";
		err = EOPNOTSUPP;
	} else if (!err) {
		err = EINVAL;
	}
	emu_call_finish(&c, 0, err);
}

static void get_cpu_stat(struct emu *e, const struct seccomp_notif *req)
{
	uint8_t b[16];
	struct emu_call c;
	pid_t pid = (pid_t)req->pid;
	bool ok = emu_read_mem(pid, req->data.args[2], b, sizeof(b)) == 0;
	bool fail = emu_call_begin(&c, e, req, "VZCTL_GET_CPU_STAT", ok ? (long long)u32_at(b, 0) : -1);
	struct emu_ve *ve = ok ? emu_ve_find(e, u32_at(b, 0)) : NULL;
	int err = fail ? e->fail_errno : !ok ? EFAULT : !ve ? ESRCH : 0;
	if (!err) {
		/* user, nice, system, uptime in ticks; idle, strv, uptime clocks;
		 * the load averages stay 0 */
		uint8_t st[80] = { 0 };
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t up_ns = (uint64_t)(now.tv_sec - ve->started.tv_sec) * 1000000000ULL +
				 (uint64_t)(now.tv_nsec - ve->started.tv_nsec);
		uint64_t up_jif = up_ns / (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
		memcpy(st + 24, &up_jif, 8);
		memcpy(st + 48, &up_ns, 8);
		if (emu_write_mem(pid, u64_at(b, 8), st, sizeof(st)) < 0)
			err = EFAULT;
	}
	emu_call_finish(&c, 0, err);
}

/* ---- vzlist ---- */

static void get_veids(struct emu *e, const struct seccomp_notif *req)
{
	struct emu_call c;
	pid_t pid = (pid_t)req->pid;
	uint8_t b[16] = { 0 };
	uint64_t argp = req->data.args[2];
	bool ok = !argp || emu_read_mem(pid, argp, b, sizeof(b)) == 0;
	bool fail = emu_call_begin(&c, e, req, "VZCTL_GET_VEIDS", -1);
	uint32_t num = u32_at(b, 0);
	uint64_t ids = u64_at(b, 8);
	emu_arg_num(&c, "num", num);
	int err = fail ? e->fail_errno : !ok ? EFAULT : 0;
	size_t total = 0;
	for (size_t i = 0; !err && i < e->n_ves; i++) {
		uint32_t id = e->ves[i]->veid;
		if (!emu_ve_running(e->ves[i]))
			continue;	/* vz7: a ve cgroup of a stopped VE */
		if (ids && total < num && emu_write_mem(pid, ids + 4 * total, &id, 4) < 0)
			err = EFAULT;
		total++;
	}
	emu_call_finish(&c, (long long)total, err);
}

static void get_ve_list(struct emu *e, const struct seccomp_notif *req, unsigned long cmd)
{
	struct emu_call c;
	pid_t pid = (pid_t)req->pid;
	uint8_t b[16];
	bool ok = emu_read_mem(pid, req->data.args[2], b, sizeof(b)) == 0;
	const char *op = cmd == EMU_VZCTL_GET_VEPIDS ? "VZCTL_GET_VEPIDS"
			 : cmd == EMU_VZCTL_GET_VEIPS ? "VZCTL_GET_VEIPS" : "VZCTL_GET_VEIP6S";
	bool fail = emu_call_begin(&c, e, req, op, ok ? (long long)u32_at(b, 0) : -1);
	uint32_t num = ok ? u32_at(b, 4) : 0;
	uint64_t out = ok ? u64_at(b, 8) : 0;
	emu_arg_num(&c, "num", num);
	struct emu_ve *ve = ok ? emu_ve_find(e, u32_at(b, 0)) : NULL;
	int err = fail ? e->fail_errno : !ok ? EFAULT : !ve ? ESRCH : 0;
	long long total = 0;
	if (!err && cmd == EMU_VZCTL_GET_VEPIDS) {
		size_t n;
		_cleanup_free_ pid_t *pids = emu_ve_pids(ve, &n);
		total = (long long)n;
		for (size_t i = 0; !err && out && i < n && i < num; i++)
			if (emu_write_mem(pid, out + 4 * i, &pids[i], 4) < 0)
				err = EFAULT;
	} else if (!err) {
		int family = cmd == EMU_VZCTL_GET_VEIPS ? AF_INET : AF_INET6;
		size_t alen = family == AF_INET ? 4 : 16;
		for (size_t i = 0; !err && i < ve->n_ips; i++) {
			if (ve->ips[i].family != family)
				continue;
			if (out && (uint64_t)total < num &&
			    emu_write_mem(pid, out + alen * (size_t)total, ve->ips[i].addr, alen) < 0)
				err = EFAULT;
			total++;
		}
	}
	emu_call_finish(&c, total, err);
}

void emu_handle_ioctl(struct emu *e, const struct seccomp_notif *req)
{
	char path[64], link[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%u/fd/%d", req->pid, (int)req->data.args[0]);
	/* only our /dev/vzctl is a vzctl device; anything else is the kernel's.
	 * Only a memfd is stat'ed: a file on our own FUSE mount would wait
	 * for us to answer. */
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	if (!str_startswith(link, "/memfd:") || stat(path, &st) < 0 ||
	    st.st_dev != e->vzctl_dev || st.st_ino != e->vzctl_ino) {
		emu_reply_continue(e, req->id);
		return;
	}
	unsigned long cmd = (unsigned long)(uint32_t)req->data.args[1];
	switch (cmd) {
	case EMU_VZCTL_ENV_CREATE:
		env_create(e, req, false);
		return;
	case EMU_VZCTL_ENV_CREATE_DATA:
		env_create(e, req, true);
		return;
	case EMU_VENETCTL_VE_IP_MAP:
		ip_map(e, req);
		return;
	case EMU_VETHCTL_VE_HWADDR:
		veth_hwaddr(e, req);
		return;
	case EMU_VZCTL_VE_NETDEV:
		ve_netdev(e, req);
		return;
	case EMU_VZCTL_VE_MEMINFO:
		ve_meminfo(e, req);
		return;
	case EMU_VZCTL_SETDEVPERMS:
		setdevperms(e, req);
		return;
	case EMU_VZCTL_VE_CONFIGURE:
		ve_configure(e, req);
		return;
	case EMU_VZCTL_GET_CPU_STAT:
		get_cpu_stat(e, req);
		return;
	}
	/* 042stab141 has no vzlist ioctls; OpenVZ 7 kernels do */
	if (e->kernel == EMU_KERNEL_VZ7) {
		switch (cmd) {
		case EMU_VZCTL_GET_VEIDS:
			get_veids(e, req);
			return;
		case EMU_VZCTL_GET_VEPIDS:
		case EMU_VZCTL_GET_VEIPS:
		case EMU_VZCTL_GET_VEIP6S:
			get_ve_list(e, req, cmd);
			return;
		}
	}
	struct emu_call c;
	bool fail = emu_call_begin(&c, e, req, "ioctl", -1);
	emu_arg_hex(&c, "cmd", cmd);
	c.note = "no such /dev/vzctl ioctl";
	emu_call_finish(&c, 0, fail ? e->fail_errno : ENOTTY);
}
