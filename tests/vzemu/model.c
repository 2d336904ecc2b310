// SPDX-License-Identifier: LGPL-2.1-or-later
/* The emulated kernel's state: VEs, beancounters and which process is in
 * which.  A VE's processes are the members of a cgroup v2 directory made
 * for it (the supervisor can move another process into a cgroup, which it
 * cannot do with namespaces); the VE ends when its init exits. */
#include "vzemu.h"
#include "net/netlink.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/epoll.h>
#include <unistd.h>

/* ---- /proc/PID ---- */

static char *proc_read(pid_t pid, const char *file)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	char *buf = NULL;
	if (read_file_at(AT_FDCWD, path, 1 << 16, &buf, NULL, NULL) < 0)
		return NULL;
	return buf;
}

static const char *status_field(const char *status, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, name, n) == 0 && l[n] == ':')
			return l + n + 1;
	return NULL;
}

int emu_proc_threads(pid_t pid)
{
	_cleanup_free_ char *s = proc_read(pid, "status");
	const char *v = s ? status_field(s, "Threads") : NULL;
	return v ? atoi(v) : -1;
}

bool emu_proc_tgid(pid_t tid, pid_t *tgid)
{
	_cleanup_free_ char *s = proc_read(tid, "status");
	const char *v = s ? status_field(s, "Tgid") : NULL;
	if (!v)
		return false;
	*tgid = (pid_t)atoi(v);
	return true;
}

int emu_proc_uid(pid_t pid)
{
	_cleanup_free_ char *s = proc_read(pid, "status");
	const char *v = s ? status_field(s, "Uid") : NULL;
	int real, eff;
	if (!v || sscanf(v, "%d %d", &real, &eff) != 2)
		return -1;
	return eff;
}

bool emu_proc_caps(pid_t pid, struct emu_caps *caps)
{
	_cleanup_free_ char *s = proc_read(pid, "status");
	static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd" };
	uint64_t *out[] = { &caps->inh, &caps->prm, &caps->eff, &caps->bnd };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = s ? status_field(s, keys[i]) : NULL;
		unsigned long long x;
		if (!v || sscanf(v, "%llx", &x) != 1)
			return false;
		*out[i] = x;
	}
	return true;
}

bool emu_proc_stat(pid_t pid, pid_t *ppid, pid_t *pgrp, pid_t *session, int *tty_nr)
{
	_cleanup_free_ char *s = proc_read(pid, "stat");
	const char *p = s ? strrchr(s, ')') : NULL;
	char state;
	int a, b, c, d;
	if (!p || sscanf(p + 1, " %c %d %d %d %d", &state, &a, &b, &c, &d) != 5)
		return false;
	*ppid = a;
	*pgrp = b;
	*session = c;
	*tty_nr = d;
	return true;
}

int emu_proc_comm(pid_t pid, char *buf, size_t len)
{
	_cleanup_free_ char *s = proc_read(pid, "comm");
	snprintf(buf, len, "%s", s ? s : "");
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return s ? 0 : -ESRCH;
}

/* The cgroup v2 path of pid, as /proc/PID/cgroup shows it. */
static bool proc_cgroup2(pid_t pid, char *buf, size_t len)
{
	_cleanup_free_ char *s = proc_read(pid, "cgroup");
	for (char *l = s; l && *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(l, "0::", 3) == 0) {
			snprintf(buf, len, "%s", l + 3);
			return true;
		}
		l = nl ? nl + 1 : NULL;
	}
	return false;
}

/* ---- cgroups ---- */

static bool cgroup2_mount(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup2 ");
		char mnt[512];
		if (sep && sscanf(line, "%*s %*s %*s %*s %511s", mnt) == 1) {
			snprintf(out, len, "%s", mnt);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

int emu_cgroup_setup(struct emu *e)
{
	char mnt[512], rel[512];
	if (!cgroup2_mount(mnt, sizeof(mnt)) || !proc_cgroup2(getpid(), rel, sizeof(rel)))
		return -ENOENT;
	if (strcmp(rel, "/") == 0)
		rel[0] = '\0';
	snprintf(e->cg_base_rel, sizeof(e->cg_base_rel), "%s/vzemu.%d", rel, (int)getpid());
	snprintf(e->cg_base, sizeof(e->cg_base), "%s%s", mnt, e->cg_base_rel);
	if (mkdir(e->cg_base, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

void emu_cgroup_cleanup(struct emu *e)
{
	if (e->cg_base[0])
		rmdir(e->cg_base);
}

static int write_str(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -errno;
}

int emu_ve_attach(struct emu *e, struct emu_ve *ve, pid_t pid)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return write_str(ve->cgroup, "cgroup.procs", buf);
}

pid_t *emu_ve_pids(const struct emu_ve *ve, size_t *n)
{
	if (!ve->cgroup[0])	/* vz7: no cgroup of ours, see vecg.c */
		return emu_vz7_members(ve->emu, (struct emu_ve *)ve, false, n);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/cgroup.procs", ve->cgroup);
	_cleanup_free_ char *buf = NULL;
	pid_t *pids = NULL;
	*n = 0;
	if (read_file_at(AT_FDCWD, path, 1 << 20, &buf, NULL, NULL) < 0)
		return NULL;
	for (char *p = buf; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		pids = xrealloc(pids, (*n + 1) * sizeof(*pids));
		pids[(*n)++] = (pid_t)v;
		p = end;
		while (*p == '\n')
			p++;
	}
	return pids;
}

int emu_ve_nproc(const struct emu_ve *ve)
{
	size_t n;
	free(emu_ve_pids(ve, &n));
	return (int)n;
}

/* ---- VEs ---- */

bool emu_ve_running(const struct emu_ve *ve)
{
	return ve->init > 0;
}

/* vz7: a VE that is not running is only a directory of the ve cgroup */
struct emu_ve *emu_ve_find(struct emu *e, unsigned veid)
{
	for (size_t i = 0; i < e->n_ves; i++)
		if (e->ves[i]->veid == veid &&
		    (e->kernel == EMU_KERNEL_LEGACY || emu_ve_running(e->ves[i])))
			return e->ves[i];
	return NULL;
}

struct emu_ve *emu_ve_of(struct emu *e, pid_t pid)
{
	if (e->kernel == EMU_KERNEL_VZ7)
		return emu_vz7_ve_of(e, pid);
	char cg[PATH_MAX];
	if (!e->n_ves || !proc_cgroup2(pid, cg, sizeof(cg)))
		return NULL;
	for (size_t i = 0; i < e->n_ves; i++)
		if (strcmp(e->ves[i]->cgroup_rel, cg) == 0)
			return e->ves[i];
	return NULL;
}

struct emu_ve *emu_ve_new(struct emu *e, unsigned veid)
{
	struct emu_ve *ve = xcalloc(1, sizeof(*ve));
	ve->veid = veid;
	ve->pidfd = -1;
	ve->netns_fd = -1;
	ve->emu = e;
	snprintf(ve->cgroup_rel, sizeof(ve->cgroup_rel), "%s/ve%u", e->cg_base_rel, veid);
	snprintf(ve->cgroup, sizeof(ve->cgroup), "%s/ve%u", e->cg_base, veid);
	clock_gettime(CLOCK_MONOTONIC, &ve->started);
	if (mkdir(ve->cgroup, 0755) < 0 && errno != EEXIST) {
		free(ve);
		return NULL;
	}
	e->ves = xrealloc(e->ves, (e->n_ves + 1) * sizeof(*e->ves));
	e->ves[e->n_ves++] = ve;
	return ve;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

/* cgroup.kill where the kernel has it, else SIGKILL to every member
 * until none is left. */
static void kill_members(struct emu_ve *ve)
{
	bool killed = ve->cgroup[0] && write_str(ve->cgroup, "cgroup.kill", "1") == 0;
	if (ve->init > 0 && !ve->cgroup[0])
		kill(ve->init, SIGKILL);	/* vz7: first the end of its pid namespace */
	for (int tries = 0; tries < 200; tries++) {
		size_t n;
		_cleanup_free_ pid_t *pids = emu_ve_pids(ve, &n);
		if (!n)
			return;
		for (size_t i = 0; !killed && i < n; i++)
			kill(pids[i], SIGKILL);
		sleep_ms(10);
	}
}

static void ve_free(struct emu_ve *ve)
{
	if (ve->pidfd >= 0)
		close(ve->pidfd);
	if (ve->netns_fd >= 0)
		close(ve->netns_fd);
	free(ve->ips);
	free(ve->ext_ips);
	free(ve->veths);
	free(ve->tasks);
	strv_free(ve->netdevs);
	free(ve);
}


/* The legacy kernel gives the devices moved into a VE back to VE0 when
 * the VE stops; here the VE's network namespace outlives its processes
 * (netns_fd) until they are moved back, or a veth among them would die
 * with it. */
static void netdevs_refund(struct emu_ve *ve)
{
	_cleanup_close_ int hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct ovz_nl *nl = NULL;
	if (ve->netns_fd >= 0 && hostns >= 0 && ovz_nl_open(ve->netns_fd, &nl, NULL) == 0)
		for (size_t i = 0; ve->netdevs && ve->netdevs[i]; i++)
			ovz_nl_link_set_netns(nl, ve->netdevs[i], hostns, NULL);
	ovz_nl_close(nl);
	strv_free(ve->netdevs);
	ve->netdevs = NULL;
	if (ve->netns_fd >= 0)
		close(ve->netns_fd);
	ve->netns_fd = -1;
}

void emu_ve_stop(struct emu *e, struct emu_ve *ve, const char *why)
{
	kill_members(ve);
	if (ve->pidfd >= 0) {
		struct pollfd p = { .fd = ve->pidfd, .events = POLLIN };
		poll(&p, 1, 2000);
	}
	netdevs_refund(ve);
	if (!ve->cgroup[0]) {	/* vz7: the ve cgroup directory stays */
		emu_vz7_stopped(e, ve);
		return;
	}
	for (int tries = 0; tries < 100 && rmdir(ve->cgroup) < 0 && errno == EBUSY; tries++)
		sleep_ms(10);
	/* the kernel tears the VE's network namespace down after its last
	 * process, and the host ends of its veth pairs with it: the VE is gone
	 * once they are */
	for (size_t i = 0; i < ve->n_veths; i++)
		for (int tries = 0; tries < 300 && if_nametoindex(ve->veths[i].host); tries++)
			sleep_ms(10);
	if (e->verbose)
		fprintf(stderr, "vzemu: VE %u stopped (%s)\n", ve->veid, why);
	for (size_t i = 0; i < e->n_ves; i++) {
		if (e->ves[i] != ve)
			continue;
		memmove(&e->ves[i], &e->ves[i + 1], (e->n_ves - i - 1) * sizeof(*e->ves));
		e->n_ves--;
		break;
	}
	ve_free(ve);
	emu_ub_prune(e);
}

static bool init_exited(const struct emu_ve *ve)
{
	struct pollfd p = { .fd = ve->pidfd, .events = POLLIN };
	return ve->pidfd >= 0 && poll(&p, 1, 0) > 0;
}

void emu_ve_watch(struct emu *e, struct emu_ve *ve)
{
	struct epoll_event ev = { .events = EPOLLIN };
	if (ve->pidfd >= 0 && e->exits_ep >= 0)
		epoll_ctl(e->exits_ep, EPOLL_CTL_ADD, ve->pidfd, &ev);
}

void emu_ve_prune(struct emu *e)
{
	struct epoll_event ev;
	if (e->exits_ep >= 0 && epoll_wait(e->exits_ep, &ev, 1, 0) <= 0)
		return;	/* no init has exited: a closed pidfd leaves the set */
	for (size_t i = 0; i < e->n_ves;) {
		if (!init_exited(e->ves[i]))
			i++;
		else if (e->kernel == EMU_KERNEL_VZ7)	/* the kernel ends its pid ns */
			emu_vz7_stopped(e, e->ves[i++]);
		else
			emu_ve_stop(e, e->ves[i], "its init exited");
	}
	emu_ub_prune(e);
}

/* ---- addresses ---- */

void emu_ip_text(const struct emu_ip *ip, char *buf, size_t len)
{
	if (!inet_ntop(ip->family, ip->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

struct emu_ve *emu_ip_owner(struct emu *e, const struct emu_ip *ip)
{
	size_t alen = ip->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < e->n_ves; i++)
		for (size_t j = 0; j < e->ves[i]->n_ips; j++)
			if (e->ves[i]->ips[j].family == ip->family &&
			    memcmp(e->ves[i]->ips[j].addr, ip->addr, alen) == 0)
				return e->ves[i];
	return NULL;
}

/* ---- beancounters ---- */

struct emu_ub *emu_ub_find(struct emu *e, unsigned id)
{
	for (size_t i = 0; i < e->n_ubs; i++)
		if (e->ubs[i].id == id)
			return &e->ubs[i];
	return NULL;
}

struct emu_ub *emu_ub_get(struct emu *e, unsigned id)
{
	struct emu_ub *ub = emu_ub_find(e, id);
	if (ub)
		return ub;
	e->ubs = xrealloc(e->ubs, (e->n_ubs + 1) * sizeof(*e->ubs));
	ub = &e->ubs[e->n_ubs++];
	memset(ub, 0, sizeof(*ub));
	ub->id = id;
	for (int r = 0; r < EMU_UB_RESOURCES; r++)
		ub->barrier[r] = ub->limit[r] = (unsigned long)EMU_LONG_MAX;
	return ub;
}

static bool luid_alive(const struct emu_luid *l)
{
	return proc_start_ticks(l->pid) == l->start_ticks;
}

void emu_luid_set(struct emu *e, pid_t pid, unsigned id)
{
	for (size_t i = 0; i < e->n_luids; i++)
		if (e->luids[i].pid == pid) {
			e->luids[i] = (struct emu_luid){ pid, proc_start_ticks(pid), id };
			return;
		}
	e->luids = xrealloc(e->luids, (e->n_luids + 1) * sizeof(*e->luids));
	e->luids[e->n_luids++] = (struct emu_luid){ pid, proc_start_ticks(pid), id };
}

/* A process's beancounter is its own setluid or its nearest ancestor's. */
unsigned emu_luid_of(struct emu *e, pid_t pid)
{
	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		for (size_t i = 0; i < e->n_luids; i++)
			if (e->luids[i].pid == pid && luid_alive(&e->luids[i]))
				return e->luids[i].id;
		pid_t ppid, pgrp, sid;
		int tty;
		if (!emu_proc_stat(pid, &ppid, &pgrp, &sid, &tty))
			break;
		pid = ppid;
	}
	return 0;
}

/* A beancounter lives while a process is charged to it or its VE runs. */
void emu_ub_prune(struct emu *e)
{
	for (size_t i = 0; i < e->n_luids;) {
		if (luid_alive(&e->luids[i]))
			i++;
		else
			e->luids[i] = e->luids[--e->n_luids];
	}
	for (size_t i = 0; i < e->n_ubs;) {
		bool used = emu_ve_find(e, e->ubs[i].id) != NULL;
		for (size_t j = 0; !used && j < e->n_luids; j++)
			used = e->luids[j].id == e->ubs[i].id;
		if (used)
			i++;
		else
			e->ubs[i] = e->ubs[--e->n_ubs];
	}
}

/* ---- venet0 ---- */

/* A device named like the venet module's, where that cannot be had: a dummy,
 * or an empty bridge on kernels without the dummy driver. */
int emu_standin_link(struct ovz_nl *nl, const char *name)
{
	int r = ovz_nl_link_add(nl, name, "dummy", NULL);
	if (r < 0)
		r = ovz_nl_link_add(nl, name, "bridge", NULL);
	return r;
}

/* ---- OpenVZ 7 ---- */

void emu_vz7_stopped(struct emu *e, struct emu_ve *ve)
{
	if (e->verbose)
		fprintf(stderr, "vzemu: VE %s stopped\n", ve->name);
	if (ve->pidfd >= 0)
		close(ve->pidfd);
	ve->pidfd = -1;
	ve->init = 0;
	ve->n_ips = ve->n_ext_ips = 0;
	emu_venet_remove(e, ve);
}

void emu_vz7_free_all(struct emu *e)
{
	for (size_t i = 0; i < e->n_ves; i++)
		ve_free(e->ves[i]);
	e->n_ves = 0;
	free(e->ve0_tasks);
	e->ve0_tasks = NULL;
	e->n_ve0_tasks = 0;
}
