// SPDX-License-Identifier: LGPL-2.1-or-later
/* The ve cgroup of an OpenVZ 7 kernel (openvz-abi.md §3.6): one directory
 * per VE under /sys/fs/cgroup/ve, its ve.* files, cgroup.procs and tasks.
 * fuse.c serves the file system; this file gives each mkdir, rmdir, read
 * and write its meaning and its transcript line.
 *
 * A FUSE server cannot move a task into a cgroup, so membership is
 * recorded: a process is in the VE of its own record or of its nearest
 * recorded ancestor (forks inherit their cgroup).  Whoever is found that
 * way is recorded too, so a process stays in its VE when its parent dies. */
#include "vzemu.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

const struct emu_ve_file emu_ve_files[EMU_VEF_COUNT] = {
	[EMU_VEF_STATE] = { "ve.state", 0644 },
	[EMU_VEF_VEID] = { "ve.veid", 0644 },
	[EMU_VEF_FEATURES] = { "ve.features", 0644 },
	[EMU_VEF_IPTABLES_MASK] = { "ve.iptables_mask", 0644 },
	[EMU_VEF_PSEUDOSUPER] = { "ve.pseudosuper", 0644 },
	[EMU_VEF_IP_ALLOW] = { "ve.ip_allow", 0200 },
	[EMU_VEF_IP6_ALLOW] = { "ve.ip6_allow", 0200 },
	[EMU_VEF_IP_DENY] = { "ve.ip_deny", 0200 },
	[EMU_VEF_IP6_DENY] = { "ve.ip6_deny", 0200 },
	[EMU_VEF_IP_LIST] = { "ve.ip_list", 0444 },
	[EMU_VEF_IP6_LIST] = { "ve.ip6_list", 0444 },
	[EMU_VEF_PROCS] = { "cgroup.procs", 0644 },
	[EMU_VEF_TASKS] = { "tasks", 0644 },
};

int emu_ve_file_index(const char *name)
{
	for (int i = 0; i < EMU_VEF_COUNT; i++)
		if (strcmp(emu_ve_files[i].name, name) == 0)
			return i;
	return -1;
}

struct emu_ve *emu_vz7_find_name(struct emu *e, const char *name)
{
	for (size_t i = 0; i < e->n_ves; i++)
		if (strcmp(e->ves[i]->name, name) == 0)
			return e->ves[i];
	return NULL;
}

/* ---- namespaces ---- */

static bool ns_id(pid_t pid, const char *ns, struct stat *st)
{
	char path[64];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return stat(path, st) == 0;
}

bool emu_in_child_pidns(pid_t pid)
{
	struct stat a, b;
	return ns_id(pid, "pid", &a) && ns_id(0, "pid", &b) &&
	       (a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

/* The last NSpid of /proc/PID/status: the pid its own namespace sees. */
static pid_t inner_pid(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_free_ char *s = NULL;
	if (read_file_at(AT_FDCWD, path, 1 << 16, &s, NULL, NULL) < 0)
		return -1;
	char *l = strstr(s, "\nNSpid:");
	if (!l)
		return -1;
	char *end = strchr(l + 1, '\n');
	if (end)
		*end = '\0';
	char *last = strrchr(l, '\t');
	return last ? (pid_t)atoi(last + 1) : -1;
}

/* A pid written by writer, as its pid namespace numbers it; -1: none. */
static pid_t pid_seen_by(pid_t writer, pid_t nr)
{
	if (!emu_in_child_pidns(writer))
		return proc_start_ticks(nr) >= 0 ? nr : -1;
	struct stat want, st;
	if (!ns_id(writer, "pid", &want))
		return -1;
	DIR *d = opendir("/proc");
	pid_t found = -1;
	for (struct dirent *de; d && found < 0 && (de = readdir(d));) {
		pid_t p = (pid_t)atoi(de->d_name);
		if (p > 0 && ns_id(p, "pid", &st) && st.st_ino == want.st_ino &&
		    inner_pid(p) == nr)
			found = p;
	}
	if (d)
		closedir(d);
	return found;
}

/* ---- who is in which VE ---- */

static bool task_alive(const struct emu_task *t)
{
	return proc_start_ticks(t->pid) == t->start_ticks;
}

static void tasks_prune(struct emu_task *v, size_t *n)
{
	for (size_t i = 0; i < *n;) {
		if (task_alive(&v[i]))
			i++;
		else
			v[i] = v[--*n];
	}
}

static bool tasks_drop(struct emu_task *v, size_t *n, pid_t pid)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i].pid == pid) {
			v[i] = v[--*n];
			return true;
		}
	return false;
}

static void tasks_add(struct emu_task **v, size_t *n, pid_t pid, long long start)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].pid == pid) {
			(*v)[i].start_ticks = start;
			return;
		}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (struct emu_task){ pid, start };
}

static bool tasks_have(const struct emu_task *v, size_t n, pid_t pid, long long start)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid && v[i].start_ticks == start)
			return true;
	return false;
}

/* The VE recording this process; *found false when none does (then it
 * is where its parent is). */
static struct emu_ve *recorded_in(struct emu *e, pid_t pid, long long start, bool *found)
{
	*found = true;
	for (size_t i = 0; i < e->n_ves; i++)
		if (tasks_have(e->ves[i]->tasks, e->ves[i]->n_tasks, pid, start))
			return e->ves[i];
	*found = tasks_have(e->ve0_tasks, e->n_ve0_tasks, pid, start);
	return NULL;
}

struct proc_entry {
	pid_t pid, ppid;
	long long start;
	bool exited;
};

struct proc_table {
	struct proc_entry *v;
	size_t n;
};

/* ppid (field 4) and starttime (field 22) of /proc/PID/stat, and whether
 * the process has exited (a zombie is in no cgroup any more, but its
 * children still descend from it). */
static bool stat_fields(pid_t pid, pid_t *ppid, long long *start, bool *exited)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *s = NULL;
	if (read_file_at(AT_FDCWD, path, 4096, &s, NULL, NULL) < 0)
		return false;
	char *p = strrchr(s, ')');
	if (!p)
		return false;
	int field = 2;
	for (char *save = NULL, *tok = strtok_r(p + 1, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		field++;
		if (field == 3)
			*exited = tok[0] == 'Z' || tok[0] == 'X';
		if (field == 4)
			*ppid = (pid_t)atoi(tok);
		if (field == 22) {
			*start = atoll(tok);
			return true;
		}
	}
	return false;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct proc_entry *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void table_load(struct proc_table *t)
{
	t->v = NULL;
	t->n = 0;
	DIR *d = opendir("/proc");
	for (struct dirent *de; d && (de = readdir(d));) {
		struct proc_entry p = { .pid = (pid_t)atoi(de->d_name) };
		if (p.pid <= 0 || !stat_fields(p.pid, &p.ppid, &p.start, &p.exited))
			continue;
		t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
		t->v[t->n++] = p;
	}
	if (d)
		closedir(d);
	qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
}

static const struct proc_entry *table_find(const struct proc_table *t, pid_t pid)
{
	struct proc_entry key = { .pid = pid };
	return bsearch(&key, t->v, t->n, sizeof(*t->v), entry_cmp);
}

static struct emu_ve *owner_in_table(struct emu *e, const struct proc_table *t, pid_t pid)
{
	for (int depth = 0; pid > 0 && depth < 256; depth++) {
		const struct proc_entry *p = table_find(t, pid);
		bool found;
		if (!p)
			return NULL;
		struct emu_ve *ve = recorded_in(e, p->pid, p->start, &found);
		if (found)
			return ve;
		pid = p->ppid;
	}
	return NULL;
}

struct emu_ve *emu_vz7_ve_of(struct emu *e, pid_t pid)
{
	pid_t tgid = pid;
	emu_proc_tgid(pid, &tgid);
	for (int depth = 0; tgid > 0 && depth < 256; depth++) {
		pid_t ppid;
		long long start;
		bool found, exited;
		if (!stat_fields(tgid, &ppid, &start, &exited))
			return NULL;
		struct emu_ve *ve = recorded_in(e, tgid, start, &found);
		if (found)
			return ve;
		tgid = ppid;
	}
	return NULL;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static void push_pid(pid_t **v, size_t *n, pid_t pid)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = pid;
}

static void push_threads(pid_t **v, size_t *n, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	for (struct dirent *de; d && (de = readdir(d));)
		if (atoi(de->d_name) > 0)
			push_pid(v, n, (pid_t)atoi(de->d_name));
	if (d)
		closedir(d);
}

pid_t *emu_vz7_members(struct emu *e, struct emu_ve *ve, bool threads, size_t *n)
{
	struct proc_table t;
	for (size_t i = 0; i < e->n_ves; i++)
		tasks_prune(e->ves[i]->tasks, &e->ves[i]->n_tasks);
	tasks_prune(e->ve0_tasks, &e->n_ve0_tasks);
	table_load(&t);
	pid_t *pids = NULL;
	*n = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.v[i].exited || owner_in_table(e, &t, t.v[i].pid) != ve)
			continue;
		if (ve)
			tasks_add(&ve->tasks, &ve->n_tasks, t.v[i].pid, t.v[i].start);
		if (threads)
			push_threads(&pids, n, t.v[i].pid);
		else
			push_pid(&pids, n, t.v[i].pid);
	}
	free(t.v);
	if (*n)
		qsort(pids, *n, sizeof(*pids), pid_cmp);
	return pids;
}

static bool pids_have(const pid_t *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/* ---- the transcript ---- */

static long long veid_of(const struct emu_ve *ve)
{
	return ve ? ve->veid : 0;
}

/* Text as the transcript shows it: without its trailing newline. */
static void arg_text(struct emu_call *c, const char *key, const char *data, size_t len)
{
	_cleanup_free_ char *s = xstrndup(data, len);
	size_t l = strlen(s);
	if (l && s[l - 1] == '\n')
		s[l - 1] = '\0';
	emu_arg_str(c, key, s);
}

/* ---- mkdir and rmdir ---- */

static bool name_ok(const char *name)
{
	size_t len = strlen(name);
	return len && len < sizeof(((struct emu_ve *)0)->name) && strcmp(name, ".") &&
	       strcmp(name, "..") && !strchr(name, '/') && emu_ve_file_index(name) < 0;
}

static struct emu_ve *ve_new_vz7(struct emu *e, const char *name)
{
	struct emu_ve *ve = xcalloc(1, sizeof(*ve));
	ve->emu = e;
	ve->pidfd = -1;
	ve->netns_fd = -1;
	snprintf(ve->name, sizeof(ve->name), "%s", name);
	ve->node = ++e->next_node << 5;	/* its files are node | (1 + index) */
	e->ves = xrealloc(e->ves, (e->n_ves + 1) * sizeof(*e->ves));
	e->ves[e->n_ves++] = ve;
	return ve;
}

int emu_vz7_mkdir(struct emu *e, pid_t pid, const char *name, struct emu_ve **out)
{
	struct emu_call c;
	struct emu_ve *old = emu_vz7_find_name(e, name);
	bool fail = emu_call_start(&c, e, pid, "mkdir", veid_of(old));
	emu_arg_str(&c, "ve", name);
	int err = fail ? e->fail_errno : old ? EEXIST : !name_ok(name) ? EINVAL : 0;
	if (!err)
		*out = ve_new_vz7(e, name);
	emu_call_end(&c, 0, err);
	return err;
}

static void ve_remove(struct emu *e, struct emu_ve *ve)
{
	for (size_t i = 0; i < e->n_ves; i++)
		if (e->ves[i] == ve) {
			memmove(&e->ves[i], &e->ves[i + 1], (e->n_ves - i - 1) * sizeof(*e->ves));
			e->n_ves--;
			break;
		}
	free(ve->ips);
	free(ve->ext_ips);
	free(ve->tasks);
	free(ve);
}

static bool has_tasks(struct emu *e, struct emu_ve *ve)
{
	size_t n;
	free(emu_vz7_members(e, ve, false, &n));
	return n > 0;
}

int emu_vz7_rmdir(struct emu *e, pid_t pid, const char *name)
{
	struct emu_call c;
	struct emu_ve *ve = emu_vz7_find_name(e, name);
	bool fail = emu_call_start(&c, e, pid, "rmdir", veid_of(ve));
	emu_arg_str(&c, "ve", name);
	int err = fail ? e->fail_errno : !ve ? ENOENT : 0;
	if (!err && (emu_ve_running(ve) || has_tasks(e, ve)))
		err = EBUSY;
	if (!err)
		ve_remove(e, ve);
	emu_call_end(&c, 0, err);
	return err;
}

/* ---- writes ---- */

/* The value of a decimal file; EINVAL unless it is all digits. */
static int parse_value(const char *text, uint64_t *v)
{
	return parse_u64(text, v) < 0 ? EINVAL : 0;
}

/* START binds the VE to the writer: its namespaces are the VE's, it is
 * the VE's init. */
static int write_state(struct emu *e, struct emu_ve *ve, pid_t writer, const char *text)
{
	if (strcmp(text, "START") != 0)
		return EINVAL;
	if (emu_ve_running(ve))
		return EBUSY;
	pid_t tgid = writer;
	emu_proc_tgid(writer, &tgid);
	if (emu_vz7_ve_of(e, tgid) != ve)
		return EPERM;
	if (!ve->veid)
		return EINVAL;
	int pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd < 0)
		return ESRCH;
	ve->init = tgid;
	ve->pidfd = pidfd;
	emu_ve_watch(e, ve);
	clock_gettime(CLOCK_MONOTONIC, &ve->started);
	tasks_add(&ve->tasks, &ve->n_tasks, tgid, proc_start_ticks(tgid));
	return 0;
}

static int write_u64(struct emu_ve *ve, const char *text, uint64_t *field)
{
	uint64_t v;
	int err = parse_value(text, &v);
	if (!err && emu_ve_running(ve))
		err = EBUSY;
	if (!err)
		*field = v;
	return err;
}

static int write_veid(struct emu_ve *ve, const char *text)
{
	uint64_t v;
	int err = parse_value(text, &v);
	if (!err && (v < 1 || v > INT_MAX))
		err = EINVAL;
	if (!err && emu_ve_running(ve))
		err = EBUSY;
	if (!err)
		ve->veid = (unsigned)v;
	return err;
}

static int parse_ip(int family, const char *text, struct emu_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	return inet_pton(family, text, ip->addr) == 1 ? 0 : EINVAL;
}

static int ip_allow(struct emu *e, struct emu_ve *ve, int family, const char *text)
{
	struct emu_ip ip;
	int err = parse_ip(family, text, &ip);
	if (err || !ve->veid)
		return EINVAL;
	struct emu_ve *owner = emu_ip_owner(e, &ip);
	if (owner == ve)
		return 0;
	if (owner)
		return EADDRINUSE;
	ve->ips = xrealloc(ve->ips, (ve->n_ips + 1) * sizeof(*ve->ips));
	ve->ips[ve->n_ips++] = ip;
	return 0;
}

static int ip_deny(struct emu_ve *ve, int family, const char *text)
{
	struct emu_ip ip;
	if (parse_ip(family, text, &ip))
		return EINVAL;
	size_t alen = family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < ve->n_ips; i++)
		if (ve->ips[i].family == family && memcmp(ve->ips[i].addr, ip.addr, alen) == 0) {
			ve->ips[i] = ve->ips[--ve->n_ips];
			return 0;
		}
	return EADDRNOTAVAIL;
}

/* A pid into cgroup.procs or tasks (of the root when ve is NULL). */
static int attach(struct emu *e, struct emu_ve *ve, pid_t writer, const char *text)
{
	uint64_t nr;
	if (parse_value(text, &nr) || nr > INT_MAX)
		return EINVAL;
	pid_t pid = nr ? pid_seen_by(writer, (pid_t)nr) : writer;
	if (pid <= 0 || !emu_proc_tgid(pid, &pid))
		return ESRCH;
	if (ve && !emu_ve_running(ve)) {	/* only its future init */
		size_t n;
		_cleanup_free_ pid_t *in = emu_vz7_members(e, ve, false, &n);
		if (n && !pids_have(in, n, pid))
			return EBUSY;
	}
	for (size_t i = 0; i < e->n_ves; i++)
		tasks_drop(e->ves[i]->tasks, &e->ves[i]->n_tasks, pid);
	tasks_drop(e->ve0_tasks, &e->n_ve0_tasks, pid);
	if (ve)
		tasks_add(&ve->tasks, &ve->n_tasks, pid, proc_start_ticks(pid));
	else
		tasks_add(&e->ve0_tasks, &e->n_ve0_tasks, pid, proc_start_ticks(pid));
	return 0;
}

static int apply_write(struct emu *e, struct emu_ve *ve, int file, pid_t pid, const char *text)
{
	if (!ve)
		return file == EMU_VEF_PROCS || file == EMU_VEF_TASKS ? attach(e, NULL, pid, text)
									: EINVAL;
	switch (file) {
	case EMU_VEF_STATE:
		return write_state(e, ve, pid, text);
	case EMU_VEF_VEID:
		return write_veid(ve, text);
	case EMU_VEF_FEATURES:
		return write_u64(ve, text, &ve->features);
	case EMU_VEF_IPTABLES_MASK:
		return write_u64(ve, text, &ve->iptables_mask);
	case EMU_VEF_PSEUDOSUPER:
		if (strcmp(text, "0") && strcmp(text, "1"))
			return EINVAL;
		ve->pseudosuper = text[0] == '1';
		return 0;
	case EMU_VEF_IP_ALLOW:
		return ip_allow(e, ve, AF_INET, text);
	case EMU_VEF_IP6_ALLOW:
		return ip_allow(e, ve, AF_INET6, text);
	case EMU_VEF_IP_DENY:
		return ip_deny(ve, AF_INET, text);
	case EMU_VEF_IP6_DENY:
		return ip_deny(ve, AF_INET6, text);
	case EMU_VEF_PROCS:
	case EMU_VEF_TASKS:
		return attach(e, ve, pid, text);
	}
	return EINVAL;	/* the lists are read-only */
}

int emu_vz7_write(struct emu *e, struct emu_ve *ve, int file, pid_t pid, const char *data,
		  size_t len)
{
	struct emu_call c;
	bool fail = emu_call_start(&c, e, pid, emu_ve_files[file].name, veid_of(ve));
	emu_arg_str(&c, "ve", ve ? ve->name : "");
	arg_text(&c, "write", data, len);
	int err = fail ? e->fail_errno : 0;
	if (!err && (len >= 256 || memchr(data, '\0', len)))
		err = EINVAL;
	if (!err) {
		char text[256];
		memcpy(text, data, len);
		while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
			len--;
		text[len] = '\0';
		err = apply_write(e, ve, file, pid, text);
	}
	emu_call_end(&c, 0, err);
	return err;
}

/* ---- reads ---- */

static void list_ips(struct strbuf *sb, const struct emu_ve *ve, int family)
{
	for (size_t i = 0; i < ve->n_ips; i++) {
		char a[64];
		if (ve->ips[i].family != family)
			continue;
		emu_ip_text(&ve->ips[i], a, sizeof(a));
		strbuf_printf(sb, "%s\n", a);
	}
}

static size_t list_pids(struct emu *e, struct strbuf *sb, struct emu_ve *ve, bool threads)
{
	size_t n;
	_cleanup_free_ pid_t *pids = emu_vz7_members(e, ve, threads, &n);
	for (size_t i = 0; i < n; i++)
		strbuf_printf(sb, "%d\n", (int)pids[i]);
	return n;
}

/* The kernel stops a VE as its last task exits; the supervisor learns of
 * init's exit a little later through its pidfd.  A VE with no task left is
 * given that moment before its state is read, so a reader never sees it
 * RUNNING after it has reaped everything. */
static void settle_state(struct emu *e, struct emu_ve *ve)
{
	if (!emu_ve_running(ve) || has_tasks(e, ve) || ve->pidfd < 0)
		return;
	struct pollfd p = { .fd = ve->pidfd, .events = POLLIN };
	poll(&p, 1, 1000);
	emu_ve_prune(e);
}

/* The file's text; for cgroup.procs and tasks *count is the number of pids. */
static char *render(struct emu *e, struct emu_ve *ve, int file, size_t *count)
{
	if (ve && file == EMU_VEF_STATE)
		settle_state(e, ve);
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "");
	*count = 0;
	if (file == EMU_VEF_PROCS || file == EMU_VEF_TASKS)
		*count = list_pids(e, &sb, ve, file == EMU_VEF_TASKS);
	else if (!ve)
		;
	else if (file == EMU_VEF_STATE)
		strbuf_puts(&sb, emu_ve_running(ve) ? "RUNNING\n" : "STOPPED\n");
	else if (file == EMU_VEF_VEID)
		strbuf_printf(&sb, "%u\n", ve->veid);
	else if (file == EMU_VEF_FEATURES)
		strbuf_printf(&sb, "%llu\n", (unsigned long long)ve->features);
	else if (file == EMU_VEF_IPTABLES_MASK)
		strbuf_printf(&sb, "%llu\n", (unsigned long long)ve->iptables_mask);
	else if (file == EMU_VEF_PSEUDOSUPER)
		strbuf_printf(&sb, "%d\n", ve->pseudosuper);
	else if (file == EMU_VEF_IP_LIST || file == EMU_VEF_IP6_LIST)
		list_ips(&sb, ve, file == EMU_VEF_IP_LIST ? AF_INET : AF_INET6);
	return strbuf_steal(&sb);
}

int emu_vz7_read(struct emu *e, struct emu_ve *ve, int file, pid_t pid, char **out)
{
	struct emu_call c;
	bool fail = emu_call_start(&c, e, pid, emu_ve_files[file].name, veid_of(ve));
	emu_arg_str(&c, "ve", ve ? ve->name : "");
	if (fail) {
		emu_call_end(&c, 0, e->fail_errno);
		return e->fail_errno;
	}
	size_t count;
	*out = render(e, ve, file, &count);
	if (file == EMU_VEF_PROCS || file == EMU_VEF_TASKS)
		emu_arg_num(&c, "pids", (long long)count);
	else
		arg_text(&c, "read", *out, strlen(*out));
	emu_call_end(&c, (long long)strlen(*out), 0);
	return 0;
}
