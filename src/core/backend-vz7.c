// SPDX-License-Identifier: LGPL-2.1-or-later
/* The vz7 backend: OpenVZ 7 kernels (openvz-abi.md §3.5-3.6, §4.3), driven
 * as libvzctl drives them.  It is the ns backend (backend-ns.h: clone with
 * namespaces, the step protocol, cgroups with the limits, pivot_root,
 * setns to enter) plus what the kernel adds:
 *
 *  - the ve cgroup /sys/fs/cgroup/ve/CTID with ve.veid, ve.features,
 *    ve.iptables_mask and ve.pseudosuper=1, made before the clone; its
 *    directory stays open, so the container's first process reaches its
 *    files after pivot_root;
 *  - the first process is attached to it before it goes on, and writes
 *    START to ve.state itself from inside its new namespaces (the kernel
 *    binds the VE to the writer's namespaces and makes it the VE's init);
 *  - venet0 made inside by netlink (kind "venet"), each address given to
 *    the VE through ve.ip_allow, the host routes and proxy entries as
 *    vzctl's vz-net_add;
 *  - ve.pseudosuper 0 just before init is exec'd.
 *
 * Stopping is libvzctl's: halt inside (by setns) up to the timeout, then
 * reboot(POWER_OFF) inside the pid namespace, until ve.state reads STOPPED;
 * failing that, SIGKILL to every task of the ve cgroup. */
#include "backend.h"
#include "backend-ns.h"
#include "exec.h"
#include "host.h"
#include "lifecycle.h"
#include "util.h"
#include "net/net.h"
#include "net/netlink.h"
#include "net/vzabi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 100
#define STOP_WAIT_MS 10000
#define RMDIR_WAIT_MS 5000

struct vz7_state {
	struct ovz_ns_state ns;	/* first: what the shared code sees as x->priv */
	int ve_dir;		/* the ve cgroup directory, -1 when not open */
};

static const struct ovz_ns_ext vz7_ext;

static struct vz7_state *state(struct ovz_exec *x)
{
	if (!x->priv) {
		struct vz7_state *s = xmalloc(sizeof(*s));
		ovz_ns_state_init(&s->ns, x, &vz7_ext);
		s->ve_dir = -1;
		x->priv = s;
	}
	return x->priv;
}

static bool vz7_supports(enum ovz_op_type t)
{
	return t != OVZ_OP_UBC_SET && t != OVZ_OP_VENET_IP && t != OVZ_OP_VETH_IOCTL &&
	       t != OVZ_OP_NETDEV;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* ---- the ve cgroup ---- */

static char *ve_path(unsigned ctid)
{
	return xasprintf(OVZ_VE_CGROUP_DIR "/%u", ctid);
}

static int write_at(int dirfd, const char *file, const char *value, struct ovz_error **err)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", file);
	ssize_t w = write(fd, value, strlen(value));
	if (w == (ssize_t)strlen(value))
		return 0;
	return ovz_error_sys(err, w < 0 ? errno : EIO, "write '%s' to '%s'", value, file);
}

/* ve.state of the container, "" when it has no ve cgroup. */
static int read_ve_state(unsigned ctid, char buf[16], struct ovz_error **err)
{
	_cleanup_free_ char *path = xasprintf(OVZ_VE_CGROUP_DIR "/%u/ve.state", ctid);
	buf[0] = '\0';
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "open '%s'", path);
	ssize_t n = read(fd, buf, 15);
	if (n < 0)
		return ovz_error_sys(err, errno, "read '%s'", path);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int vz7_running(unsigned ctid, struct ovz_error **err)
{
	char st[16];
	int r = read_ve_state(ctid, st, err);
	return r < 0 ? r : strcmp(st, "RUNNING") == 0;
}

/* SIGKILL to every task the ve cgroup lists; how many there were. */
static int kill_tasks(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/tasks", dir), *text = NULL;
	if (read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL, NULL) < 0)
		return 0;
	int n = 0;
	for (char *p = text; *p;) {
		char *end;
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
		p = end + strspn(end, "\n");
	}
	return n;
}

/* libvzctl's (re)creation: a ve cgroup left by a stopped container is
 * reused, a running one is a conflict. */
static int ve_mkdir(unsigned ctid, const char *path, bool *made, struct ovz_error **err)
{
	*made = mkdir(path, 0755) == 0;
	if (*made)
		return 0;
	if (errno != EEXIST)
		return ovz_error_sys(err, errno, "mkdir '%s'", path);
	int r = vz7_running(ctid, err);
	if (r == 1)
		return ovz_error_set(err, EBUSY, "CT %u runs: '%s' reads RUNNING", ctid, path);
	return r;
}

/* libvzctl changes the features the config names and keeps the rest of
 * what the kernel put in ve.features. */
static int ve_features(int dir, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(dir, "ve.features", 64, &text, NULL, err);
	uint64_t cur;
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	if (parse_u64(text, &cur) < 0)
		return ovz_error_set(err, EINVAL, "ve.features reads '%s'", text);
	char v[32];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)((cur & ~op->num2) | (op->num & op->num2)));
	return write_at(dir, "ve.features", v, err);
}

static int ve_configure(int dir, unsigned ctid, const struct ovz_op *op, struct ovz_error **err)
{
	char v[32];
	snprintf(v, sizeof(v), "%u", ctid);
	int r = write_at(dir, "ve.veid", v, err);
	if (r == 0)
		r = ve_features(dir, op, err);
	snprintf(v, sizeof(v), "%llu", op->num3);
	if (r == 0)
		r = write_at(dir, "ve.iptables_mask", v, err);
	if (r == 0)
		r = write_at(dir, "ve.pseudosuper", "1", err);
	return r;
}

static int ve_create(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	struct vz7_state *s = state(x);
	_cleanup_free_ char *path = ve_path(x->dom->ctid);
	bool made;
	int r = ve_mkdir(x->dom->ctid, path, &made, err);
	if (r < 0)
		return r;
	s->ve_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->ve_dir < 0)
		r = ovz_error_sys(err, errno, "open '%s'", path);
	if (r == 0)
		r = ve_configure(s->ve_dir, x->dom->ctid, op, err);
	if (r < 0 && made)	/* a failed step is not undone by the executor */
		rmdir(path);
	return r;
}

static int ve_remove(struct ovz_exec *x, struct ovz_error **err)
{
	struct vz7_state *s = state(x);
	if (s->ve_dir >= 0) {
		close(s->ve_dir);
		s->ve_dir = -1;
	}
	_cleanup_free_ char *path = ve_path(x->dom->ctid);
	/* the kernel refuses while the VE runs or has tasks; both end soon
	 * after its init is killed */
	for (long waited = 0;; waited += POLL_MS) {
		kill_tasks(path);
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || waited >= RMDIR_WAIT_MS)
			return ovz_error_sys(err, errno, "rmdir '%s'", path);
		sleep_ms(POLL_MS);
	}
}

/* The ve cgroup's directory: the one open since start, else opened now. */
static int ve_dir(struct ovz_exec *x, struct ovz_error **err)
{
	struct vz7_state *s = state(x);
	if (s->ve_dir < 0) {
		_cleanup_free_ char *path = ve_path(x->dom->ctid);
		s->ve_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->ve_dir < 0)
			return ovz_error_sys(err, errno, "open '%s'", path);
	}
	return s->ve_dir;
}

static int ve_ip(struct ovz_exec *x, const struct ovz_op *op, bool add, struct ovz_error **err)
{
	_cleanup_free_ char *path = ve_path(x->dom->ctid);
	if (!add && state(x)->ve_dir < 0 && access(path, F_OK) < 0 && errno == ENOENT)
		return 0;	/* the ve cgroup is gone, and its addresses with it */
	int dir = ve_dir(x, err);
	if (dir < 0)
		return dir;
	return add ? ovz_ve_ip_allow(dir, &op->ip, err) : ovz_ve_ip_deny(dir, &op->ip, err);
}

/* ---- the container's first process ---- */

static int ext_attach(struct ovz_exec *x, pid_t pid, struct ovz_error **err)
{
	char v[24];
	snprintf(v, sizeof(v), "%d", (int)pid);
	int r = write_at(state(x)->ve_dir, "cgroup.procs", v, err);
	return r < 0 ? ovz_error_wrap(err, r, "attach pid %d to ve/%u", (int)pid, x->dom->ctid)
		     : 0;
}

static int venet_link(const struct ovz_op *op, struct ovz_error **err)
{
	struct ovz_nl *nl = NULL;
	int r = ovz_nl_open(-1, &nl, err);
	if (r < 0)
		return r;
	r = ovz_nl_link_add(nl, op->dev, "venet", err);
	ovz_nl_close(nl);
	return r;
}

static int ext_child_step(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	int dir = state(x)->ve_dir;
	switch (op->type) {
	case OVZ_OP_VE_START:
		return write_at(dir, "ve.state", "START", err);
	case OVZ_OP_VENET_LINK:
		return venet_link(op, err);
	case OVZ_OP_VE_PSEUDOSUPER:
		return write_at(dir, "ve.pseudosuper", "0", err);
	default:
		return ovz_error_set(err, EINVAL, "not an in-container step");
	}
}

static const struct ovz_ns_ext vz7_ext = {
	.child_step = ext_child_step,
	.attach = ext_attach,
};

/* ---- the executor's entry points ---- */

static int vz7_apply(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	state(x);
	switch (op->type) {
	case OVZ_OP_VE_CGROUP:
		return ve_create(x, op, err);
	case OVZ_OP_VE_IP:
		return ve_ip(x, op, true, err);
	default:
		return ovz_ns_apply(x, op, err);
	}
}

static int vz7_undo(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	state(x);
	switch (op->type) {
	case OVZ_OP_VE_CGROUP:
		return ve_remove(x, err);
	case OVZ_OP_VE_IP:
		return ve_ip(x, op, false, err);
	default:
		return ovz_ns_undo(x, op, err);
	}
}

static void vz7_cleanup(struct ovz_exec *x)
{
	struct vz7_state *s = x->priv;
	if (!s)
		return;
	ovz_ns_state_release(&s->ns);
	if (s->ve_dir >= 0)
		close(s->ve_dir);
	free(s);
}

/* ---- running containers ---- */

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static int vz7_list_running(unsigned **ids, size_t *n, struct ovz_error **err)
{
	*ids = NULL;
	*n = 0;
	DIR *d = opendir(OVZ_VE_CGROUP_DIR);
	if (!d)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "open '%s'",
							   OVZ_VE_CGROUP_DIR);
	struct dirent *e;
	while ((e = readdir(d))) {
		unsigned long id = strtoul(e->d_name, NULL, 10);
		if (!all_digits(e->d_name) || id == 0 || id > UINT32_MAX ||
		    vz7_running((unsigned)id, NULL) != 1)
			continue;
		*ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
		(*ids)[(*n)++] = (unsigned)id;
	}
	closedir(d);
	return 0;
}

/* exec and enter: libvzctl joins every cgroup of the container. */
static int vz7_attach(unsigned ctid, pid_t pid, struct ovz_error **err)
{
	_cleanup_free_ char *path = ve_path(ctid);
	_cleanup_close_ int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	char v[24];
	snprintf(v, sizeof(v), "%d", (int)pid);
	return write_at(dir, "cgroup.procs", v, err);
}

/* ---- addresses of a running container ---- */

struct ips_inside {
	const struct ovz_iface *add, *del;
};

/* Runs with this thread in the container's network namespace: venet0 is
 * made here when the container had no venet address yet. */
static int ips_inside(void *arg, struct ovz_error **err)
{
	const struct ips_inside *a = arg;
	struct ovz_netctx n = { .host_netns_fd = -1, .ct_netns_fd = -1 };
	int r = ovz_nl_open(-1, &n.ct, err);
	if (r < 0)
		return r;
	struct ovz_link l;
	bool adding = a->add && a->add->n_ips;
	if (adding && ovz_nl_link_get(n.ct, OVZ_VENET_DEV, &l, NULL) == -ENODEV) {
		r = ovz_nl_link_add(n.ct, OVZ_VENET_DEV, "venet", err);
		if (r == 0)
			r = ovz_nl_link_up(n.ct, OVZ_VENET_DEV, err);
	}
	if (r == 0 && a->del && a->del->n_ips)
		r = ovz_venet_addrs_del(&n, a->del, 0, err);
	if (r == 0 && adding)
		r = ovz_venet_addrs_add(&n, a->add, 0, err);
	if (r == 0 && adding) {
		struct ovz_error *e = NULL;
		r = ovz_venet_default_add(&n, a->add, 0, &e);
		if (r == -EEXIST)
			r = 0;
		else if (r < 0 && err && !*err)
			*err = e, e = NULL;
		ovz_error_free(e);
	}
	ovz_nl_close(n.ct);
	return r;
}

static int ips_in_netns(pid_t init, const struct ovz_iface *add, const struct ovz_iface *del,
			struct ovz_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)init);
	_cleanup_close_ int netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	struct ips_inside a = { add, del };
	return ovz_netns_call(netns, ips_inside, &a, err);
}

static int ve_ips(int dir, const struct ovz_iface *add, const struct ovz_iface *del,
		  struct ovz_error **err)
{
	size_t added = 0;
	int r = 0;
	for (; r == 0 && add && added < add->n_ips; added++)
		r = ovz_ve_ip_allow(dir, &add->ips[added], err);
	if (r < 0) {
		while (--added > 0)
			ovz_ve_ip_deny(dir, &add->ips[added - 1], NULL);
		return r;
	}
	for (size_t i = 0; r == 0 && del && i < del->n_ips; i++)
		r = ovz_ve_ip_deny(dir, &del->ips[i], err);
	return r;
}

static int vz7_set_ips(struct ovz_host *h, const struct ovz_domain *d,
		       const struct ovz_iface *add, const struct ovz_iface *del,
		       struct ovz_error **err)
{
	pid_t init = 0;
	ovz_host_ct_state(h, d->ctid, &init, NULL);
	if (init <= 0)
		return ovz_error_set(err, ESRCH, "CT %u runs, but its init is not recorded",
				     d->ctid);
	_cleanup_free_ char *path = ve_path(d->ctid);
	_cleanup_close_ int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	int r = ve_ips(dir, add, del, err);
	if (r == 0)
		r = ips_in_netns(init, add, del, err);
	return r < 0 ? r : ovz_vz_host_ips(d->ctid, add, del, err);
}

/* ---- stop ---- */

/* Until ve.state no longer reads RUNNING, for up to ms; true when it
 * stopped.  init's exit, when known, ends the wait at once. */
static bool wait_stopped(unsigned ctid, pid_t init, long ms)
{
	int pfd = init > 0 ? (int)syscall(SYS_pidfd_open, init, 0) : -1;
	for (long waited = 0;; waited += POLL_MS) {
		if (vz7_running(ctid, NULL) != 1) {
			if (pfd >= 0)
				close(pfd);
			return true;
		}
		if (waited >= ms)
			break;
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		if (pfd < 0 || poll(&p, 1, POLL_MS) > 0)
			sleep_ms(POLL_MS);	/* init is gone: only ve.state to wait for */
		if (pfd >= 0 && p.revents) {
			close(pfd);
			pfd = -1;
		}
	}
	if (pfd >= 0)
		close(pfd);
	return false;
}

static int halt_inside(struct ovz_host *h, unsigned ctid)
{
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	static char *const halt[] = { "halt", NULL };
	struct ovz_exec_io io = { null, null, null, false, NULL };
	pid_t pid;
	int r = ovz_ct_spawn(h, ctid, halt, &io, &pid, NULL);
	if (r == 0)
		ovz_ct_wait(pid);
	return r;
}

static int kill_all(unsigned ctid, pid_t init, struct ovz_error **err)
{
	_cleanup_free_ char *path = ve_path(ctid);
	for (long waited = 0; waited < STOP_WAIT_MS; waited += POLL_MS) {
		kill_tasks(path);
		if (wait_stopped(ctid, init, POLL_MS))
			return 0;
	}
	return ovz_error_set(err, ETIMEDOUT, "CT %u: '%s/ve.state' still reads RUNNING", ctid,
			     path);
}

static int vz7_stop(struct ovz_host *h, const struct ovz_domain *d, bool fast, unsigned timeout,
		    struct ovz_error **err)
{
	unsigned ctid = d->ctid;
	int r = vz7_running(ctid, err);
	if (r <= 0)
		return r;
	pid_t init = 0;
	ovz_host_ct_state(h, ctid, &init, NULL);
	if (!fast && halt_inside(h, ctid) == 0 && wait_stopped(ctid, init, (long)timeout * 1000))
		return 0;
	/* reboot(POWER_OFF) from a process of the container's pid namespace
	 * ends its init; that process joins the whole container first */
	if (ovz_ct_poweroff(h, ctid, NULL) == 0 && wait_stopped(ctid, init, STOP_WAIT_MS))
		return 0;
	return kill_all(ctid, init, err);
}

const struct ovz_backend ovz_backend_vz7 = {
	.name = "vz7",
	.supports = vz7_supports,
	.apply = vz7_apply,
	.undo = vz7_undo,
	.cleanup = vz7_cleanup,
	.running = vz7_running,
	.list_running = vz7_list_running,
	.set_ips = vz7_set_ips,
	.stop = vz7_stop,
	.attach = vz7_attach,
};
