// SPDX-License-Identifier: LGPL-2.1-or-later
/* The vz backend: legacy OpenVZ kernels (openvz-abi.md §1-3), driven as
 * vzctl 4.x drives them but without scripts or helpers.
 *
 * The VE's init-to-be is forked on the first operation that needs it: it
 * chroots into VE_ROOT, starts a session and takes the VE's beancounter
 * (setluid), then waits on a socket like the ns backend's first process.
 * The parent sends it the index of each step that must run there: every
 * setublimit; the fork after them (as vzctl's, so that the VE's init is
 * charged to the VE's beancounter from its start: the forking process
 * exits and its child answers from then on, and stops when the socket
 * closes); vzctl's capability mask (bounding set, then capset: VE_CREATE
 * copies the effective set into the VE, where it bounds init and every
 * process that enters later; bit 30, CAP_VE_ADMIN, lets init mount, set
 * its hostname and configure its network inside); VZCTL_ENV_CREATE_DATA
 * (after which it is the VE's init and inside the VE), the in-VE netlink
 * steps, hostname, /proc and /sys and finally the exec of init.  The socket is close-on-exec, so end
 * of file after the exec step means init runs.
 *
 * Stopping is vzctl's kill path: a child enters the VE (VE_ENTER) and calls
 * reboot(POWER_OFF) there, then VE_TEST is polled until the VE is gone. */
#include "backend.h"
#include "caps.h"
#include "exec.h"
#include "host.h"
#include "initexec.h"
#include "runstate.h"
#include "util.h"
#include "vzparams.h"
#include "fs/fsutil.h"
#include "fs/private.h"
#include "fs/rootfs.h"
#include "fs/template.h"
#include "net/etcfiles.h"
#include "net/net.h"
#include "net/vzabi.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/reboot.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VZCTL_DEV "/dev/vzctl"
#define STEP_SETUP UINT32_MAX
#define STOP_POLL_MS 500
#define STOP_WAIT_MS 10000

struct vz_state {
	int vzfd;		/* /dev/vzctl, -1 until needed */
	pid_t pid;		/* the VE's init-to-be, then its init */
	bool forked;		/* pid is the child of our child, not ours to reap */
	bool created;		/* VZCTL_ENV_CREATE_DATA succeeded */
	int ctl;		/* parent end of the step socket, -1 when none */
	struct ovz_netctx net;	/* host side only */
	bool net_open;
};

static bool vz_supports(enum ovz_op_type t)
{
	switch (t) {
	case OVZ_OP_CGROUP_CREATE:
	case OVZ_OP_VE_CGROUP:
	case OVZ_OP_VE_START:
	case OVZ_OP_VENET_LINK:
	case OVZ_OP_VE_IP:
	case OVZ_OP_VE_PSEUDOSUPER:
		return false;
	default:
		return true;
	}
}

static struct vz_state *state(struct ovz_exec *x)
{
	if (!x->priv) {
		struct vz_state *s = xcalloc(1, sizeof(*s));
		s->vzfd = -1;
		s->ctl = -1;
		s->pid = x->init_pid;
		x->priv = s;
	}
	return x->priv;
}

static int vzctl_fd(struct vz_state *s, struct ovz_error **err)
{
	if (s->vzfd < 0) {
		s->vzfd = open(VZCTL_DEV, O_RDWR | O_CLOEXEC);
		if (s->vzfd < 0)
			return ovz_error_sys(err, errno, "open '%s'", VZCTL_DEV);
	}
	return s->vzfd;
}

/* ---- in the VE's init-to-be ---- */

struct child {
	struct ovz_exec *x;
	int vzfd;
	int devnull;	/* opened before the chroot: the VE may have no /dev */
};

/* vzctl's child A: chroot, session, default signals, beancounter. */
static int child_setup(struct child *ch, struct ovz_error **err)
{
	_cleanup_free_ char *priv = NULL, *rel = NULL;
	ovz_host_ct_dirs(ch->x->host, ch->x->dom, &priv, &rel);
	_cleanup_free_ char *root = ovz_exec_host_path(ch->x, rel);
	if (chdir(root) < 0 || chroot(".") < 0)
		return ovz_error_sys(err, errno, "chroot '%s'", root);
	if (setsid() < 0)
		return ovz_error_sys(err, errno, "setsid");
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	return ovz_vz_setluid(ch->x->dom->ctid, err);
}

/* vzctl's child B: the forking process ends, its child goes on in a
 * session of its own (VE_CREATE wants its caller to lead one). */
static int child_fork(struct ovz_error **err)
{
	pid_t pid = fork();
	if (pid < 0)
		return ovz_error_sys(err, errno, "fork");
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return ovz_error_sys(err, errno, "setsid");
	return 0;
}

static int child_create(struct child *ch, const struct ovz_op *op, struct ovz_error **err)
{
	const struct ovz_domain *d = ch->x->dom;
	struct ovz_env_create_param3 p = {
		.iptables_mask = op->num2,
		.feature_mask = op->num,
		.known_features = op->num3,
		.total_vcpus = d->vcpus,
	};
	int r = ovz_vz_env_create(ch->vzfd, d->ctid, &p, err);
	if (r < 0)
		return r;
	close(ch->vzfd);	/* the VE must not keep the host's /dev/vzctl */
	ch->vzfd = -1;
	if (setgroups(0, NULL) < 0)
		return ovz_error_sys(err, errno, "setgroups");
	return 0;
}

/* vzctl's set_personality32: a VE whose /sbin/init is a 32-bit ELF runs
 * its processes with PER_LINUX32 (uname -m says i686 there). */
static int personality32(struct ovz_error **err)
{
	unsigned char id[5];
	_cleanup_close_ int fd = open("/sbin/init", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, id, sizeof(id)) != (ssize_t)sizeof(id) ||
	    memcmp(id, "\177ELF", 4) != 0 || id[4] != 1 /* ELFCLASS32 */)
		return 0;
	int cur = personality(0xffffffff);
	if (cur < 0 || personality((unsigned long)cur | PER_LINUX32) < 0)
		return ovz_error_sys(err, errno, "personality PER_LINUX32");
	return 0;
}

/* vzctl's exec_container_init before init runs: the VE's root is our "/";
 * /fastboot (no fsck), proc, sysfs when /sys exists, nfsd and rpc_pipefs
 * with the nfsd feature, IPv6 forwarding off inside. */
static int child_rootfs(const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_close_ int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ovz_error_sys(err, errno, "open the VE's root");
	int r = personality32(err);
	_cleanup_close_ int fb = r < 0 ? -1 : openat(rootfd, "fastboot", O_CREAT | O_RDONLY |
						    O_NOFOLLOW | O_CLOEXEC, 0644);
	if (r == 0)
		r = ovz_rootfs_mount_proc(rootfd, err);
	struct stat st;
	if (r == 0 && fstatat(rootfd, "sys", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		r = ovz_rootfs_mount_sys(rootfd, err);
	if (r == 0 && (op->num & OVZ_VE_FEATURE_NFSD)) {
		/* as vzctl: tried, not required */
		mount("nfsd", "/proc/fs/nfsd", "nfsd", 0, NULL);
		mkdir_p("/var/lib/nfs/rpc_pipefs", 0755, NULL);
		mount("sunrpc", "/var/lib/nfs/rpc_pipefs", "rpc_pipefs", 0, NULL);
	}
	_cleanup_close_ int fwd = open("/proc/sys/net/ipv6/conf/all/forwarding",
				       O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (r == 0 && fwd >= 0 && write(fwd, "0", 1) < 0)
		r = 0;	/* a VE without IPv6: nothing to turn off */
	return r;
}

static int child_exec(struct child *ch, struct ovz_error **err)
{
	const struct ovz_domain *d = ch->x->dom;
	struct ovz_init_cmd cmd;
	int r = ovz_init_build(d->init, d->init_args, d->ctid, NULL, &cmd, err);
	if (r < 0)
		return r;
	for (int fd = 0; fd < 3; fd++)
		dup2(ch->devnull, fd);
	r = ovz_init_exec(&cmd, err);
	ovz_init_cmd_release(&cmd);
	return r;
}

static int child_step(struct child *ch, const struct ovz_op *op, struct ovz_error **err)
{
	switch (op->type) {
	case OVZ_OP_UBC_SET:
		return ovz_vz_setublimit(ch->x->dom->ctid, (unsigned)op->num,
					 strtoul(op->value, NULL, 10), strtoul(op->value2, NULL, 10),
					 err);
	case OVZ_OP_FORK:
		return child_fork(err);
	case OVZ_OP_CT_CREATE:
		return child_create(ch, op, err);
	case OVZ_OP_LINK_UP:
	case OVZ_OP_NET:
		return ovz_exec_net_inside(ch->x, op, err);
	case OVZ_OP_HOSTNAME:
		if (sethostname(op->value, strlen(op->value)) < 0)
			return ovz_error_sys(err, errno, "sethostname '%s'", op->value);
		return 0;
	case OVZ_OP_ROOTFS:
		return child_rootfs(op, err);
	case OVZ_OP_CAPS:
		return ovz_caps_vz_set(op->num, err);
	case OVZ_OP_EXEC_INIT:
		return child_exec(ch, err);
	default:
		return ovz_error_set(err, EINVAL, "not a step for the VE's init");
	}
}

static _Noreturn void child_main(struct child *ch, int ctl)
{
	struct ovz_error *e = NULL;
	if (!ovz_step_reply(ctl, child_setup(ch, &e), e))
		_exit(1);
	uint32_t i;
	while (read(ctl, &i, sizeof(i)) == sizeof(i)) {
		ovz_error_free(e);
		e = NULL;
		int r = i < ch->x->plan->n_ops ? child_step(ch, &ch->x->plan->ops[i], &e)
					       : ovz_error_set(&e, EINVAL, "no step %u", i);
		if (!ovz_step_reply(ctl, r, e))
			_exit(1);
	}
	_exit(0);
}

/* ---- on the host ---- */

#define VE_INIT "the VE's init"

static int send_step(struct vz_state *s, uint32_t i, bool exec_step, struct ovz_error **err)
{
	return ovz_step_send(s->ctl, i, exec_step, VE_INIT, err);
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Ends an init-to-be that never became a VE (its beancounter goes too):
 * our child is killed; the forked one is not ours to reap, and leaves by
 * itself when the socket it waits on closes. */
static void drop_child(struct vz_state *s)
{
	if (s->ctl >= 0) {
		close(s->ctl);
		s->ctl = -1;
	}
	if (s->pid > 0 && !s->created) {
		if (!s->forked) {
			kill(s->pid, SIGKILL);
			reap(s->pid);
		}
		s->pid = 0;
		s->forked = false;
	}
}

static int ensure_child(struct ovz_exec *x, struct ovz_error **err)
{
	struct vz_state *s = state(x);
	if (s->ctl >= 0)
		return 0;
	int vzfd = vzctl_fd(s, err);
	if (vzfd < 0)
		return vzfd;
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return ovz_error_sys(err, errno, "open /dev/null");
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ovz_error_sys(err, errno, "socketpair");
	pid_t pid = fork();
	if (pid < 0) {
		int r = ovz_error_sys(err, errno, "fork");
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		struct child ch = { .x = x, .vzfd = vzfd, .devnull = devnull };
		child_main(&ch, sv[1]);
	}
	close(sv[1]);
	s->pid = pid;
	s->ctl = sv[0];
	int r = ovz_step_read_reply(s->ctl, false, VE_INIT, err);
	if (r < 0)
		drop_child(s);
	return r;
}

/* CPUUNITS (1000 when unset, as vzctl), CPULIMIT and CPUS on the VE's
 * fairsched node. */
static int set_cpu(const struct ovz_exec *x, struct ovz_error **err)
{
	const struct ovz_domain *d = x->dom;
	int r = ovz_vz_set_cpuunits(d->ctid, x->plan->vz ? x->plan->vz->cpuunits : 1000, err);
	if (r == 0 && d->cpu_quota > 0) {
		uint64_t period = d->cpu_period != OVZ_UNSET ? d->cpu_period : 100000;
		r = ovz_vz_set_cpulimit(d->ctid, (unsigned long)((uint64_t)d->cpu_quota * 100 / period),
					err);
	}
	if (r == 0 && d->vcpus)
		r = ovz_vz_set_cpus(d->ctid, d->vcpus, err);
	return r;
}

static int ct_destroy(struct ovz_exec *x, struct ovz_error **err);

/* Our child forks and exits; its child answers with its pid. */
static int fork_step(struct vz_state *s, uint32_t i, struct ovz_error **err)
{
	if (s->forked)
		return 0;
	pid_t child = 0;
	int r = ovz_step_send_pid(s->ctl, i, VE_INIT, &child, err);
	reap(s->pid);
	if (r < 0 || child <= 0) {
		s->pid = 0;
		close(s->ctl);
		s->ctl = -1;
		return r < 0 ? r : ovz_error_set(err, ESRCH, "%s did not say its pid", VE_INIT);
	}
	s->pid = child;
	s->forked = true;
	return 0;
}

static int ct_step(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	int r = ensure_child(x, err);
	if (r < 0)
		return r;
	struct vz_state *s = state(x);
	uint32_t i = (uint32_t)(op - x->plan->ops);
	if (op->type == OVZ_OP_FORK)
		return fork_step(s, i, err);
	r = send_step(s, i, op->type == OVZ_OP_EXEC_INIT, err);
	if (r == 0 && op->type == OVZ_OP_CT_CREATE) {
		s->created = true;
		x->init_pid = s->pid;
		r = set_cpu(x, err);
		if (r < 0)	/* this step is not undone by the executor: it failed */
			ct_destroy(x, NULL);
	}
	return r;
}

/* ---- stop: vzctl's kill path ---- */

/* In a child: enter the VE as vzctl enter does and power it off. */
static _Noreturn void poweroff_inside(int vzfd, unsigned veid)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	fds_close_except(&vzfd, 1);
	if (ovz_vz_setluid(veid, NULL) < 0 || setsid() < 0 || ovz_vz_ve_enter(vzfd, veid, NULL) < 0)
		_exit(1);
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF,
		NULL);
	_exit(2);
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* Polls VE_TEST every poll_ms for up to wait_ms; 0 once the VE is gone. */
static int wait_ve_gone(int vzfd, unsigned veid, long poll_ms, long wait_ms,
			struct ovz_error **err)
{
	for (long waited = 0;; waited += poll_ms) {
		int r = ovz_vz_ve_test(vzfd, veid, err);
		if (r <= 0)
			return r;
		if (waited >= wait_ms)
			return -ETIMEDOUT;
		sleep_ms(poll_ms);
	}
}

static int ve_poweroff(int vzfd, unsigned veid, struct ovz_error **err)
{
	int r = ovz_vz_ve_test(vzfd, veid, err);
	if (r <= 0)
		return r;
	pid_t pid = fork();
	if (pid < 0)
		return ovz_error_sys(err, errno, "fork");
	if (pid == 0)
		poweroff_inside(vzfd, veid);
	reap(pid);
	r = wait_ve_gone(vzfd, veid, STOP_POLL_MS, STOP_WAIT_MS, err);
	if (r == -ETIMEDOUT)
		return ovz_error_set(err, ETIMEDOUT, "CT %u is still running after reboot inside",
				     veid);
	return r;
}

static int ct_destroy(struct ovz_exec *x, struct ovz_error **err)
{
	struct vz_state *s = state(x);
	int r = 0;
	/* a VE whose init-to-be still waits for its next step is killed the
	 * same way as a running one */
	if (s->created || s->pid <= 0) {
		int vzfd = vzctl_fd(s, err);
		r = vzfd < 0 ? vzfd : ve_poweroff(vzfd, x->dom->ctid, err);
	}
	if (s->ctl >= 0) {
		close(s->ctl);
		s->ctl = -1;
	}
	/* it was the VE's init or would have been: our child is killed; the
	 * forked one, whose pid we cannot hold, only when the VE would not go
	 * (the VE's init is alive while the VE is) */
	if (s->pid > 0 && (!s->forked || (s->created && r < 0)))
		kill(s->pid, SIGKILL);
	if (s->pid > 0 && !s->forked)
		reap(s->pid);
	s->pid = 0;
	s->forked = false;
	s->created = false;
	return r;
}

/* ---- host steps ---- */

static int netctx(struct ovz_exec *x, struct ovz_netctx **out, struct ovz_error **err)
{
	struct vz_state *s = state(x);
	if (!s->net_open) {
		int r = ovz_netctx_open(&s->net, x->dom->ctid, -1, -1, err);
		if (r < 0)
			return r;
		s->net_open = true;
	}
	*out = &s->net;
	return 0;
}

static bool same_inode(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* VE_PRIVATE on VE_ROOT as simfs, the way vzctl mounts it (an overlay
 * private area is mounted as one). */
static int root_mount(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *priv = ovz_exec_host_path(x, op->path);
	_cleanup_free_ char *root = ovz_exec_host_path(x, op->path2);
	_cleanup_free_ char *lower = NULL;
	int r = ovz_exec_overlay_lower(x, priv, &lower, err);
	if (r == 0)
		r = ovz_mkdir_area(root, 0755, err);
	if (r < 0)
		return r;
	if (lower)
		return ovz_overlay_mount(priv, lower, root, err);
	r = ovz_root_is_mounted(root, err);
	if (r < 0)
		return r;
	if (r == 1)
		return same_inode(priv, root) ? 0
					      : ovz_error_set(err, EBUSY, "'%s' is already a "
							  "mount point of something else", root);
	if (mount(priv, root, "simfs", 0, priv) < 0)
		return ovz_error_sys(err, errno, "mount simfs '%s' on '%s'", priv, root);
	return 0;
}

static int venet_ip(struct ovz_exec *x, const struct ovz_op *op, bool add,
		    struct ovz_error **err)
{
	int fd = vzctl_fd(state(x), err);
	if (fd < 0)
		return fd;
	if (add)
		return ovz_vz_ip_add(fd, x->dom->ctid, &op->ip, err);
	struct ovz_error *e = NULL;
	int r = ovz_vz_ip_del(fd, x->dom->ctid, &op->ip, &e);
	if (r == -ESRCH)	/* the VE is gone and its addresses with it */
		r = 0;
	else if (r < 0 && err && !*err)
		*err = e, e = NULL;
	ovz_error_free(e);
	return r;
}

static int veth_ioctl(struct ovz_exec *x, const struct ovz_op *op, bool add,
		      struct ovz_error **err)
{
	int fd = vzctl_fd(state(x), err);
	if (fd < 0)
		return fd;
	struct ovz_veth_names nm;
	int r = ovz_veth_resolve(op->iface, x->dom->ctid, op->iface_n, &nm, err);
	if (r < 0)
		return r;
	if (add)
		return ovz_vz_veth_add(fd, x->dom->ctid, nm.host_dev, nm.host_mac, nm.guest_dev,
				       nm.mac, err);
	struct ovz_error *e = NULL;
	r = ovz_vz_veth_del(fd, x->dom->ctid, nm.host_dev, &e);
	if (r == -ESRCH)	/* the VE is gone and its pairs with it */
		r = 0;
	else if (r < 0 && err && !*err)
		*err = e, e = NULL;
	ovz_error_free(e);
	return r;
}

static int netdev(struct ovz_exec *x, const struct ovz_op *op, bool add,
		  struct ovz_error **err)
{
	int fd = vzctl_fd(state(x), err);
	if (fd < 0)
		return fd;
	if (add)
		return ovz_vz_netdev(fd, x->dom->ctid, OVZ_VE_NETDEV_ADD, op->dev, err);
	struct ovz_error *e = NULL;
	int r = ovz_vz_netdev(fd, x->dom->ctid, OVZ_VE_NETDEV_DEL, op->dev, &e);
	if (r == -ESRCH)	/* the VE is gone: the kernel gave the device back */
		r = 0;
	else if (r < 0 && err && !*err)
		*err = e, e = NULL;
	ovz_error_free(e);
	return r;
}

/* A DEVNODES node as the host has it, made in the VE's /dev as vzctl makes
 * it (under its last name: "net/tun" is /dev/tun there), never following
 * a link the container put there; perms "none" removes it. */
static int devnode(struct ovz_exec *x, const struct ovz_op *op, const struct ovz_devperm *dp,
		   struct stat *st, struct ovz_error **err)
{
	_cleanup_free_ char *host = ovz_exec_host_path(x, "/dev");
	_cleanup_free_ char *src = path_join(host, dp->node);
	if (stat(src, st) < 0)
		return ovz_error_sys(err, errno, "DEVNODES: '%s'", src);
	if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
		return ovz_error_set(err, EINVAL, "DEVNODES: '%s' is not a device", src);
	if (major(st->st_rdev) == 7)
		return ovz_error_set(err, EPERM, "DEVNODES: '%s': loop devices are not given to "
				     "containers", src);
	_cleanup_free_ char *root = ovz_exec_host_path(x, op->path);
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int dev = rootfd < 0 ? -1
				: openat(rootfd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dev < 0)
		return ovz_error_sys(err, errno, "open '%s/dev'", root);
	const char *base = strrchr(dp->node, '/') ? strrchr(dp->node, '/') + 1 : dp->node;
	if (unlinkat(dev, base, 0) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "remove '%s/dev/%s'", root, base);
	if (dp->mask && mknodat(dev, base, st->st_mode, st->st_rdev) < 0)
		return ovz_error_sys(err, errno, "mknod '%s/dev/%s'", root, base);
	return 0;
}

static int devperm(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	const struct ovz_devperm *dp = op->data;
	int fd = vzctl_fd(state(x), err);
	if (fd < 0)
		return fd;
	unsigned type = dp->type == 'b' ? S_IFBLK : S_IFCHR;
	unsigned maj = dp->major, min = dp->minor;
	if (dp->node) {
		struct stat st;
		int r = devnode(x, op, dp, &st, err);
		if (r < 0)
			return r;
		type = S_ISBLK(st.st_mode) ? S_IFBLK : S_IFCHR;
		maj = major(st.st_rdev);
		min = minor(st.st_rdev);
	}
	type |= dp->all_minors ? OVZ_VE_USE_MAJOR : OVZ_VE_USE_MINOR;
	return ovz_vz_setdevperms(fd, x->dom->ctid, type, maj, dp->all_minors ? 0 : min, dp->mask,
				  err);
}

static int host_net(struct ovz_exec *x, const struct ovz_op *op, bool apply,
		    struct ovz_error **err)
{
	struct ovz_netctx *n;
	int r = netctx(x, &n, err);
	if (r < 0)
		return r;
	return apply ? op->net_step->apply(n, op->iface, op->iface_n, err)
		     : op->net_step->undo(n, op->iface, op->iface_n, err);
}

static int vz_apply(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	if (op->ctx == OVZ_CTX_CT || op->type == OVZ_OP_UBC_SET || op->type == OVZ_OP_FORK ||
	    op->type == OVZ_OP_CAPS || op->type == OVZ_OP_CT_CREATE)
		return ct_step(x, op, err);
	switch (op->type) {
	case OVZ_OP_PRIVATE_CREATE:
		return ovz_exec_private_create(x, op, err);
	case OVZ_OP_ROOT_MOUNT:
		return root_mount(x, op, err);
	case OVZ_OP_VENET_IP:
		return venet_ip(x, op, true, err);
	case OVZ_OP_VETH_IOCTL:
		return veth_ioctl(x, op, true, err);
	case OVZ_OP_NETDEV:
		return netdev(x, op, true, err);
	case OVZ_OP_DEVPERM:
		return devperm(x, op, err);
	case OVZ_OP_NET:
		return host_net(x, op, true, err);
	case OVZ_OP_ETC_WRITE:
		return ovz_exec_etc_write(x, op, err);
	case OVZ_OP_STATE_WRITE:
		return ovz_exec_state_write(x, err);
	default:
		return ovz_error_set(err, ENOTSUP, "the vz backend cannot %s", op->call);
	}
}

static int vz_undo(struct ovz_exec *x, const struct ovz_op *op, struct ovz_error **err)
{
	_cleanup_free_ char *a = NULL;
	if (op->ctx == OVZ_CTX_CT)
		return 0;	/* it went with the VE */
	switch (op->type) {
	case OVZ_OP_PRIVATE_CREATE:
		return ovz_exec_private_destroy(x, op, err);
	case OVZ_OP_ROOT_MOUNT:
		a = ovz_exec_host_path(x, op->path2);
		return ovz_umount_root(a, err);
	case OVZ_OP_UBC_SET:
	case OVZ_OP_FORK:
		drop_child(state(x));
		return 0;
	case OVZ_OP_CT_CREATE:
		return ct_destroy(x, err);
	case OVZ_OP_VENET_IP:
		return venet_ip(x, op, false, err);
	case OVZ_OP_VETH_IOCTL:
		return veth_ioctl(x, op, false, err);
	case OVZ_OP_NETDEV:
		return netdev(x, op, false, err);
	case OVZ_OP_NET:
		return host_net(x, op, false, err);
	case OVZ_OP_STATE_WRITE:
		return ovz_exec_state_remove(x, err);
	default:
		return 0;
	}
}

static void vz_cleanup(struct ovz_exec *x)
{
	struct vz_state *s = x->priv;
	if (!s)
		return;
	drop_child(s);
	if (s->net_open)
		ovz_netctx_close(&s->net);
	if (s->vzfd >= 0)
		close(s->vzfd);
	free(s);
}

/* ---- running containers, as the kernel sees them ---- */

static int vz_running(unsigned ctid, struct ovz_error **err)
{
	_cleanup_close_ int fd = open(VZCTL_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", VZCTL_DEV);
	return ovz_vz_ve_test(fd, ctid, err);
}

static int vz_list_running(unsigned **ids, size_t *n, struct ovz_error **err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/vz/veinfo", 16 << 20, &text, NULL, err);
	return r < 0 ? r : ovz_vz_veinfo_parse(text, ids, n);
}

/* vzctl's enter (openvz-abi.md §3.2): beancounter, chroot, session, then
 * VE_ENTER; the caller is left inside the VE. */
static int enter_ve(unsigned ctid, const char *root, struct ovz_error **err)
{
	_cleanup_close_ int vzfd = open(VZCTL_DEV, O_RDWR | O_CLOEXEC);
	if (vzfd < 0)
		return ovz_error_sys(err, errno, "open '%s'", VZCTL_DEV);
	int r = ovz_vz_setluid(ctid, err);
	if (r < 0)
		return r;
	if (chdir(root) < 0 || chroot(".") < 0)
		return ovz_error_sys(err, errno, "chroot '%s'", root);
	if (setsid() < 0)
		return ovz_error_sys(err, errno, "setsid");
	r = ovz_vz_ve_enter(vzfd, ctid, err);
	if (r == 0 && setgroups(0, NULL) < 0)
		r = ovz_error_sys(err, errno, "setgroups");
	return r < 0 ? r : personality32(err);
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static _Noreturn void exec_in_ve(char *const argv[], char *const envp[], bool ctty, int report)
{
	if (chdir("/") < 0)
		_exit(127);
	/* a session of its own; its terminal only with ctty, the first of
	 * fds 0-2 that is one (a pty of the caller's making) */
	int tty = 0;
	while (ctty && tty < 2 && !isatty(tty))
		tty++;
	if (setsid() < 0 || (ctty && ioctl(tty, TIOCSCTTY, 0) < 0)) {
		dprintf(report, "%s: %s", ctty ? "controlling terminal" : "setsid", strerror(errno));
		_exit(127);
	}
	execve(argv[0], argv, envp);
	static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					    "/usr/bin", "/sbin", "/bin" };
	for (size_t i = 0; !strchr(argv[0], '/') && i < ARRAY_SIZE(dirs); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dirs[i], argv[0]);
		execve(path, argv, envp);
	}
	dprintf(report, "exec '%s' in the VE: %s", argv[0], strerror(errno));
	_exit(127);
}

/* The entered process forks once more, as vzctl does, so that the command
 * is a process of the VE from its start; it waits and passes the status on. */
static _Noreturn void spawn_child(unsigned ctid, const char *root, char *const argv[],
				  char *const envp[], const int fds[3], bool ctty, int report)
{
	/* the kernel keeps the VE apart from the host (VE_ENTER); the process
	 * still takes in nothing of ours: not dumpable, stdio and report only */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && fds[i] != i && dup2(fds[i], i) < 0)
			_exit(125);
	fds_close_except(&report, 1);
	struct ovz_error *e = NULL;
	if (enter_ve(ctid, root, &e) < 0) {
		dprintf(report, "%s", ovz_error_message(e));
		_exit(125);
	}
	pid_t pid = fork();
	if (pid < 0)
		_exit(125);
	if (pid == 0)
		exec_in_ve(argv, envp, ctty, report);
	close(report);
	_exit(wait_status(pid));
}

static int vz_enter_spawn(unsigned ctid, const char *root, char *const argv[],
			  char *const envp[], const int fds[3], bool ctty, pid_t *pid,
			  struct ovz_error **err)
{
	int rep[2];
	if (pipe2(rep, O_CLOEXEC) < 0)
		return ovz_error_sys(err, errno, "pipe");
	*pid = fork();
	if (*pid == 0) {
		close(rep[0]);
		spawn_child(ctid, root, argv, envp, fds, ctty, rep[1]);
	}
	close(rep[1]);
	if (*pid < 0) {
		close(rep[0]);
		return ovz_error_sys(err, errno, "fork");
	}
	char msg[512];
	ssize_t n;
	while ((n = read(rep[0], msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
		;
	close(rep[0]);
	if (n <= 0)
		return 0;	/* end of file: the command was exec'd */
	msg[n] = '\0';
	int status = wait_status(*pid);
	return ovz_error_set(err, status == 127 ? ENOENT : ESRCH, "%s", msg);
}

/* ---- addresses of a running VE ---- */

/* Runs fn in a child that entered the VE (non-dumpable, with no host
 * descriptor but its report pipe); its error comes back as ours. */
static int vz_enter_call(unsigned ctid, const char *root,
			 int (*fn)(void *arg, struct ovz_error **err), void *arg,
			 struct ovz_error **err)
{
	int rep[2];
	if (pipe2(rep, O_CLOEXEC) < 0)
		return ovz_error_sys(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(rep[0]);
		close(rep[1]);
		return ovz_error_sys(err, errno, "fork");
	}
	if (pid == 0) {	/* seen from inside once entered: nothing of the host's */
		close(rep[0]);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		fds_close_except(&rep[1], 1);
		struct ovz_error *e = NULL;
		int r = enter_ve(ctid, root, &e);
		if (r == 0)
			r = fn(arg, &e);
		if (r < 0)
			dprintf(rep[1], "%d %s", e ? e->errnum : EIO, ovz_error_message(e));
		_exit(r < 0 ? 1 : 0);
	}
	close(rep[1]);
	char msg[512];
	ssize_t n;
	while ((n = read(rep[0], msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
		;
	close(rep[0]);
	int status = wait_status(pid);
	if (n > 0) {
		msg[n] = '\0';
		char *text;
		long e = strtol(msg, &text, 10);
		return ovz_error_set(err, e > 0 ? (int)e : EIO, "%s", *text ? text + 1 : text);
	}
	return status == 0 ? 0 : ovz_error_set(err, EIO, "CT %u: entered child exited %d", ctid,
					       status);
}

struct ips_change {
	unsigned ctid;
	const struct ovz_iface *add, *del;
};

/* Inside: the addresses on venet0 and, for a family that had none, the
 * device default route. */
static int ips_inside(void *arg, struct ovz_error **err)
{
	const struct ips_change *c = arg;
	struct ovz_netctx n = { .ctid = c->ctid, .host_netns_fd = -1, .ct_netns_fd = -1 };
	int r = ovz_nl_open(-1, &n.ct, err);
	if (r == 0 && c->del && c->del->n_ips)
		r = ovz_venet_addrs_del(&n, c->del, 0, err);
	if (r == 0 && c->add && c->add->n_ips)
		r = ovz_venet_addrs_add(&n, c->add, 0, err);
	if (r == 0 && c->add && c->add->n_ips &&
	    ovz_venet_default_add(&n, c->add, 0, err) == -EEXIST)
		ovz_error_clear(err);
	return r;
}

static int vz_set_ips(struct ovz_host *h, const struct ovz_domain *d,
		      const struct ovz_iface *add, const struct ovz_iface *del,
		      struct ovz_error **err)
{
	_cleanup_close_ int vzfd = open(VZCTL_DEV, O_RDWR | O_CLOEXEC);
	if (vzfd < 0)
		return ovz_error_sys(err, errno, "open '%s'", VZCTL_DEV);
	size_t added = 0;
	int r = 0;
	for (; r == 0 && add && added < add->n_ips; added++)
		r = ovz_vz_ip_add(vzfd, d->ctid, &add->ips[added], err);
	if (r < 0) {
		while (--added > 0)
			ovz_vz_ip_del(vzfd, d->ctid, &add->ips[added - 1], NULL);
		return r;
	}
	for (size_t i = 0; r == 0 && del && i < del->n_ips; i++)
		r = ovz_vz_ip_del(vzfd, d->ctid, &del->ips[i], err);
	_cleanup_free_ char *priv = NULL, *rel = NULL;
	ovz_host_ct_dirs(h, d, &priv, &rel);
	_cleanup_free_ char *root = path_join(h->vz->root, rel);
	if (r == 0)
		r = vz_enter_call(d->ctid, root, ips_inside,
				  &(struct ips_change){ .ctid = d->ctid, .add = add, .del = del }, err);
	return r < 0 ? r : ovz_vz_host_ips(d->ctid, add, del, err);
}

/* vzctl's stop (openvz-abi.md §3.3): halt inside, VE_TEST once a second
 * up to the timeout, then reboot(POWER_OFF) inside. */
static int vz_stop(struct ovz_host *h, const struct ovz_domain *d, bool fast, unsigned timeout,
		   struct ovz_error **err)
{
	_cleanup_close_ int vzfd = open(VZCTL_DEV, O_RDWR | O_CLOEXEC);
	if (vzfd < 0)
		return ovz_error_sys(err, errno, "open '%s'", VZCTL_DEV);
	int r = ovz_vz_ve_test(vzfd, d->ctid, err);
	if (r <= 0 || fast)
		return r < 0 ? r : ve_poweroff(vzfd, d->ctid, err);
	_cleanup_free_ char *priv = NULL, *rel = NULL;
	ovz_host_ct_dirs(h, d, &priv, &rel);
	_cleanup_free_ char *root = path_join(h->vz->root, rel);
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	static char *const halt[] = { "halt", NULL };
	static char *const envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
				      "/sbin:/bin", "HOME=/root", "TERM=linux", NULL };
	const int fds[3] = { null, null, null };
	pid_t pid;
	if (vz_enter_spawn(d->ctid, root, halt, envp, fds, false, &pid, NULL) == 0) {
		wait_status(pid);
		if (wait_ve_gone(vzfd, d->ctid, 1000, (long)timeout * 1000, NULL) == 0)
			return 0;
	}
	return ve_poweroff(vzfd, d->ctid, err);
}

const struct ovz_backend ovz_backend_vz = {
	.name = "vz",
	.supports = vz_supports,
	.apply = vz_apply,
	.undo = vz_undo,
	.cleanup = vz_cleanup,
	.running = vz_running,
	.list_running = vz_list_running,
	.enter_spawn = vz_enter_spawn,
	.set_ips = vz_set_ips,
	.stop = vz_stop,
	.enter_call = vz_enter_call,
};
