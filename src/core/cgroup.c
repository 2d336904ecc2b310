// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cgroup.h"
#include "model.h"
#include "util.h"

#include <dirent.h>
#include <linux/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_HIERARCHIES (1 + OVZ_CG_NR)
#define PROCS_MAX (64u << 20)
/* Waits are polls of 10 ms: 500 of them is 5 s for a killed cgroup to empty. */
#define POLL_NS 10000000L
#define EMPTY_POLLS 500
#define FROZEN_POLLS 100

static const char *const controller_names[OVZ_CG_NR] = {
	[OVZ_CG_MEMORY] = "memory",
	[OVZ_CG_CPU] = "cpu",
	[OVZ_CG_CPUSET] = "cpuset",
	[OVZ_CG_PIDS] = "pids",
	[OVZ_CG_FREEZER] = "freezer",
	[OVZ_CG_DEVICES] = "devices",
};

const char *ovz_cg_controller_name(enum ovz_cg_controller c)
{
	return c < OVZ_CG_NR ? controller_names[c] : "?";
}

const char *ovz_cg_mode_name(enum ovz_cg_mode mode)
{
	switch (mode) {
	case OVZ_CG_LEGACY: return "legacy";
	case OVZ_CG_HYBRID: return "hybrid";
	case OVZ_CG_UNIFIED: return "unified";
	}
	return "?";
}

static void nap(void)
{
	struct timespec ts = { 0, POLL_NS };
	nanosleep(&ts, NULL);
}

/* ---- detection ---------------------------------------------------------- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_octal(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static int controller_from_name(const char *s)
{
	for (int c = 0; c < OVZ_CG_NR; c++)
		if (strcmp(s, controller_names[c]) == 0)
			return c;
	return -1;
}

/* One mountinfo line: "id parent maj:min root mountpoint opts [tags] - fstype source superopts".
 * Only mounts of a hierarchy's root count: a bind of a subtree would
 * shift every relative name. */
static void take_mount_line(struct ovz_cgroups *cg, const char *line, bool *any_v1)
{
	_cleanup_strv_ char **f = strv_split(line, " ");
	size_t n = strv_len(f), dash = 0;
	for (size_t i = 6; i < n; i++)
		if (strcmp(f[i], "-") == 0) {
			dash = i;
			break;
		}
	if (dash == 0 || dash + 3 >= n || strcmp(f[3], "/") != 0)
		return;
	const char *fstype = f[dash + 1];
	if (strcmp(fstype, "cgroup2") == 0) {
		if (!cg->unified)
			cg->unified = unescape_octal(f[4]);
		return;
	}
	if (strcmp(fstype, "cgroup") != 0)
		return;
	_cleanup_strv_ char **opts = strv_split(f[dash + 3], ",");
	for (char **o = opts; o && *o; o++) {
		int c = controller_from_name(*o);
		if (c < 0)
			continue;
		*any_v1 = true;
		if (!cg->v1[c])
			cg->v1[c] = unescape_octal(f[4]);
	}
}

int ovz_cgroups_parse(struct ovz_cgroups *cg, const char *mountinfo, const char *v2_controllers,
		      struct ovz_error **err)
{
	memset(cg, 0, sizeof(*cg));
	bool any_v1 = false;
	_cleanup_strv_ char **lines = strv_split(mountinfo, "\n");
	for (char **l = lines; l && *l; l++)
		take_mount_line(cg, *l, &any_v1);
	if (!cg->unified && !any_v1)
		return ovz_error_set(err, ENOENT, "no cgroup filesystem is mounted");
	if (cg->unified && v2_controllers) {
		_cleanup_strv_ char **names = strv_split(v2_controllers, " \n");
		for (char **s = names; s && *s; s++) {
			int c = controller_from_name(*s);
			if (c >= 0)
				cg->on_v2[c] = true;
		}
	}
	cg->mode = !cg->unified ? OVZ_CG_LEGACY : any_v1 ? OVZ_CG_HYBRID : OVZ_CG_UNIFIED;
	return 0;
}

int ovz_cgroups_detect(struct ovz_cgroups *cg, struct ovz_error **err)
{
	_cleanup_free_ char *mountinfo = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16u << 20, &mountinfo, NULL, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "detecting cgroups");
	r = ovz_cgroups_parse(cg, mountinfo, NULL, err);
	if (r < 0 || !cg->unified)
		return r < 0 ? ovz_error_wrap(err, r, "detecting cgroups") : 0;
	_cleanup_free_ char *path = xasprintf("%s/cgroup.controllers", cg->unified);
	_cleanup_free_ char *controllers = NULL;
	r = read_file_at(AT_FDCWD, path, 4096, &controllers, NULL, err);
	if (r < 0) {
		ovz_cgroups_release(cg);
		return ovz_error_wrap(err, r, "detecting cgroups");
	}
	_cleanup_strv_ char **names = strv_split(controllers, " \n");
	for (char **s = names; s && *s; s++) {
		int c = controller_from_name(*s);
		if (c >= 0)
			cg->on_v2[c] = true;
	}
	return 0;
}

void ovz_cgroups_release(struct ovz_cgroups *cg)
{
	if (!cg)
		return;
	free(cg->unified);
	for (int c = 0; c < OVZ_CG_NR; c++)
		free(cg->v1[c]);
	memset(cg, 0, sizeof(*cg));
}

const char *ovz_cgroups_mount_of(const struct ovz_cgroups *cg, enum ovz_cg_controller c)
{
	if (c >= OVZ_CG_NR)
		return NULL;
	if (cg->unified && cg->on_v2[c])
		return cg->unified;
	return cg->v1[c];
}

static bool uses_v2(const struct ovz_cgroups *cg, enum ovz_cg_controller c)
{
	return cg->unified && cg->on_v2[c];
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The v2 tree, then each distinct v1 mount serving one of our controllers. */
static size_t hierarchies(const struct ovz_cgroups *cg, const char *out[MAX_HIERARCHIES])
{
	size_t n = 0;
	if (cg->unified)
		out[n++] = cg->unified;
	for (int c = 0; c < OVZ_CG_NR; c++) {
		if (uses_v2(cg, c) || !cg->v1[c])
			continue;
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= strcmp(out[i], cg->v1[c]) == 0;
		if (!seen)
			out[n++] = cg->v1[c];
	}
	return n;
}

/* Where the processes of name are listed: the first hierarchy holding it,
 * the v2 tree first. */
/* The mounts a container's processes can be found under, in that order. */
static size_t tracker_mounts(const struct ovz_cgroups *cg, const char *out[static 7])
{
	static const enum ovz_cg_controller order[] = {
		OVZ_CG_FREEZER, OVZ_CG_PIDS, OVZ_CG_MEMORY, OVZ_CG_CPU, OVZ_CG_CPUSET,
		OVZ_CG_DEVICES,
	};
	size_t n = 0;
	if (cg->unified)
		out[n++] = cg->unified;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (cg->v1[order[i]] && !uses_v2(cg, order[i]))
			out[n++] = cg->v1[order[i]];
	return n;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

unsigned *ovz_cgroup_numbered_children(const struct ovz_cgroups *cg, const char *parent,
				       size_t *n)
{
	const char *mounts[7];
	size_t n_mounts = tracker_mounts(cg, mounts), cap = 0;
	unsigned *ids = NULL;
	*n = 0;
	for (size_t i = 0; i < n_mounts; i++) {
		_cleanup_free_ char *dir = xasprintf("%s/%s", mounts[i], parent);
		DIR *d = opendir(dir);
		for (struct dirent *e; d && (e = readdir(d));) {
			uint64_t id;
			if (e->d_type != DT_DIR || parse_u64(e->d_name, &id) < 0 || id > UINT_MAX)
				continue;
			if (*n == cap)
				ids = xrealloc(ids, (cap = cap ? 2 * cap : 64) * sizeof(*ids));
			ids[(*n)++] = (unsigned)id;
		}
		if (d)
			closedir(d);
	}
	if (*n)
		qsort(ids, *n, sizeof(*ids), cmp_unsigned);
	return ids;
}

static const char *tracker(const struct ovz_cgroups *cg, const char *name)
{
	const char *candidates[7];
	size_t n = tracker_mounts(cg, candidates);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *dir = xasprintf("%s/%s", candidates[i], name);
		if (is_dir(dir))
			return candidates[i];
	}
	return NULL;
}

char *ovz_cgroup_name(const char *root, unsigned ctid)
{
	return xasprintf("%s/%u", root, ctid);
}

static int check_name(const char *name, struct ovz_error **err)
{
	if (!name || !*name || name[0] == '/')
		return ovz_error_set(err, EINVAL, "cgroup name '%s' is not a relative path",
				     name ? name : "");
	_cleanup_strv_ char **parts = strv_split(name, "/");
	for (char **p = parts; p && *p; p++)
		if (strcmp(*p, ".") == 0 || strcmp(*p, "..") == 0)
			return ovz_error_set(err, EINVAL, "cgroup name '%s' has a '%s' component",
					     name, *p);
	return 0;
}

/* ---- files -------------------------------------------------------------- */

static int write_file(const char *dir, const char *file, const char *value,
		      struct ovz_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	if (n < 0)
		return ovz_error_sys(err, errno, "write '%s' to '%s'", value, path);
	if ((size_t)n != len)
		return ovz_error_set(err, EIO, "short write of '%s' to '%s'", value, path);
	return 0;
}

static int read_file(const char *dir, const char *file, char **out, struct ovz_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	return read_file_at(AT_FDCWD, path, PROCS_MAX, out, NULL, err);
}

static char *trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

/* ---- limits ------------------------------------------------------------- */

void ovz_cg_limits_init(struct ovz_cg_limits *l)
{
	l->memory = l->swap = l->cpu_units = l->cpu_limit = l->cpu_period = OVZ_UNSET;
	l->cpus = l->nproc = OVZ_UNSET;
	l->restrict_devices = false;
	l->console = false;
}

static bool is_set(uint64_t v)
{
	return v != OVZ_UNSET;
}

static bool is_unlimited(uint64_t v)
{
	return v >= (UINT64_C(1) << 63);
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

uint64_t ovz_cg_units_to_weight(uint64_t units)
{
	return clamp((units + 5) / 10, 1, 10000);
}

uint64_t ovz_cg_units_to_shares(uint64_t units)
{
	if (units > UINT64_MAX / 1024)
		return 262144;
	return clamp(units * 1024 / 1000, 2, 262144);
}

struct plan {
	const struct ovz_cgroups *cg;
	struct ovz_cg_write *w;
	size_t n;
};

static int need(struct plan *p, enum ovz_cg_controller c, const char *file, const char *what,
		struct ovz_error **err)
{
	if (ovz_cgroups_mount_of(p->cg, c))
		return 0;
	return ovz_error_set(err, ENOTSUP,
			     "%s needs '%s', but the '%s' cgroup controller is neither enabled in "
			     "cgroup v2 nor mounted as cgroup v1", what, file, controller_names[c]);
}

static void add(struct plan *p, enum ovz_cg_controller c, const char *file, char *value)
{
	p->w = xrealloc(p->w, (p->n + 1) * sizeof(*p->w));
	p->w[p->n++] = (struct ovz_cg_write){ c, file, value };
}

static char *num_or(uint64_t v, const char *unlimited)
{
	return is_unlimited(v) ? xstrdup(unlimited) : xasprintf("%llu", (unsigned long long)v);
}

static int plan_memory_v2(struct plan *p, const struct ovz_cg_limits *l, struct ovz_error **err)
{
	if (is_set(l->memory)) {
		int r = need(p, OVZ_CG_MEMORY, "memory.max", "the memory limit", err);
		if (r < 0)
			return r;
		add(p, OVZ_CG_MEMORY, "memory.max", num_or(l->memory, "max"));
	}
	if (is_set(l->swap)) {
		int r = need(p, OVZ_CG_MEMORY, "memory.swap.max", "the swap limit", err);
		if (r < 0)
			return r;
		add(p, OVZ_CG_MEMORY, "memory.swap.max", num_or(l->swap, "max"));
	}
	return 0;
}

/* v1 limits memory+swap together and rejects memsw below the memory
 * limit, so memsw is lifted first and set last. */
static int plan_memory_v1(struct plan *p, const struct ovz_cg_limits *l, struct ovz_error **err)
{
	const char *lim = "memory.limit_in_bytes", *memsw = "memory.memsw.limit_in_bytes";
	if (is_set(l->swap) && !is_set(l->memory))
		return ovz_error_set(err, EINVAL,
				     "a swap limit needs a memory limit on cgroup v1 ('%s' holds "
				     "memory plus swap)", memsw);
	if (is_set(l->memory)) {
		int r = need(p, OVZ_CG_MEMORY, lim, "the memory limit", err);
		if (r < 0)
			return r;
	}
	if (is_set(l->swap))
		add(p, OVZ_CG_MEMORY, memsw, xstrdup("-1"));
	if (is_set(l->memory))
		add(p, OVZ_CG_MEMORY, lim, num_or(l->memory, "-1"));
	if (is_set(l->swap)) {
		uint64_t total = is_unlimited(l->memory) || is_unlimited(l->swap) ||
					 l->swap > UINT64_MAX - l->memory
				 ? OVZ_CG_UNLIMITED
				 : l->memory + l->swap;
		add(p, OVZ_CG_MEMORY, memsw, num_or(total, "-1"));
	}
	return 0;
}

static int plan_cpu(struct plan *p, const struct ovz_cg_limits *l, struct ovz_error **err)
{
	bool v2 = uses_v2(p->cg, OVZ_CG_CPU);
	if (is_set(l->cpu_units)) {
		const char *file = v2 ? "cpu.weight" : "cpu.shares";
		int r = need(p, OVZ_CG_CPU, file, "the cpu weight (CPUUNITS)", err);
		if (r < 0)
			return r;
		uint64_t v = v2 ? ovz_cg_units_to_weight(l->cpu_units)
				: ovz_cg_units_to_shares(l->cpu_units);
		add(p, OVZ_CG_CPU, file, xasprintf("%llu", (unsigned long long)v));
	}
	if (!is_set(l->cpu_limit))
		return 0;
	const char *file = v2 ? "cpu.max" : "cpu.cfs_quota_us";
	int r = need(p, OVZ_CG_CPU, file, "the cpu limit (CPULIMIT)", err);
	if (r < 0)
		return r;
	uint64_t period = is_set(l->cpu_period) && l->cpu_period ? l->cpu_period
								 : OVZ_CG_CPU_PERIOD_DEFAULT;
	if (period < 1000 || period > 1000000)
		return ovz_error_set(err, EINVAL, "cpu period %llu us is outside 1000..1000000",
				     (unsigned long long)period);
	bool unlimited = l->cpu_limit == 0 || is_unlimited(l->cpu_limit) ||
			 l->cpu_limit > UINT64_MAX / period;
	/* the kernel's smallest quota is 1 ms */
	uint64_t quota = unlimited ? 0 : clamp(l->cpu_limit * period / 100, 1000, UINT64_MAX);
	if (v2) {
		add(p, OVZ_CG_CPU, file,
		    unlimited ? xasprintf("max %llu", (unsigned long long)period)
			      : xasprintf("%llu %llu", (unsigned long long)quota,
					  (unsigned long long)period));
	} else {
		add(p, OVZ_CG_CPU, "cpu.cfs_period_us", xasprintf("%llu", (unsigned long long)period));
		add(p, OVZ_CG_CPU, file,
		    unlimited ? xstrdup("-1") : xasprintf("%llu", (unsigned long long)quota));
	}
	return 0;
}

static int plan_cpus(struct plan *p, const struct ovz_cg_limits *l, const char *allowed,
		     struct ovz_error **err)
{
	if (!is_set(l->cpus))
		return 0;
	int r = need(p, OVZ_CG_CPUSET, "cpuset.cpus", "the cpu count (CPUS)", err);
	if (r < 0)
		return r;
	if (!allowed)
		return ovz_error_set(err, EINVAL, "the cpu count needs the parent's cpu list");
	if (l->cpus == 0 || l->cpus > 65536)
		return ovz_error_set(err, EINVAL, "cpu count %llu is out of range",
				     (unsigned long long)l->cpus);
	char *list = NULL;
	r = ovz_cpulist_first(allowed, (unsigned)l->cpus, &list, err);
	if (r < 0)
		return r;
	if (r == 0) {
		free(list);
		return ovz_error_set(err, EINVAL, "the parent cgroup allows no cpus");
	}
	add(p, OVZ_CG_CPUSET, "cpuset.cpus", list);
	return 0;
}

static int plan_pids(struct plan *p, const struct ovz_cg_limits *l, struct ovz_error **err)
{
	if (!is_set(l->nproc))
		return 0;
	int r = need(p, OVZ_CG_PIDS, "pids.max", "the process limit (NUMPROC)", err);
	if (r < 0)
		return r;
	add(p, OVZ_CG_PIDS, "pids.max", num_or(l->nproc, "max"));
	return 0;
}

#define DEVICE_RULES							\
	"c *:* m", "b *:* m",						\
	"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", /* null .. urandom */ \
	"c 5:0 rwm", "c 5:2 rwm",		/* tty, ptmx */		\
	"c 136:* rwm",				/* pty slaves */	\
	"c 10:200 rwm"				/* tun */

/* c 5:1 is the host's console unless one is bound on /dev/console */
static const char *const device_rules[] = { DEVICE_RULES, NULL };
static const char *const device_rules_console[] = { DEVICE_RULES, "c 5:1 rwm", NULL };

const char *const *ovz_cg_device_rules(bool console)
{
	return console ? device_rules_console : device_rules;
}

bool ovz_cgroups_can_restrict_devices(const struct ovz_cgroups *cg)
{
	return cg->v1[OVZ_CG_DEVICES] || cg->unified;
}

static int plan_devices(struct plan *p, const struct ovz_cg_limits *l, struct ovz_error **err)
{
	if (!l->restrict_devices)
		return 0;
	if (!ovz_cgroups_can_restrict_devices(p->cg))
		return ovz_error_set(err, ENOTSUP,
				     "restricting devices needs 'devices.deny' (the v1 'devices' "
				     "controller) or a cgroup v2 tree, and this host has neither");
	if (!p->cg->v1[OVZ_CG_DEVICES])
		return 0;
	add(p, OVZ_CG_DEVICES, "devices.deny", xstrdup("a"));
	for (const char *const *r = ovz_cg_device_rules(l->console); *r; r++)
		add(p, OVZ_CG_DEVICES, "devices.allow", xstrdup(*r));
	return 0;
}

int ovz_cg_plan_limits(const struct ovz_cgroups *cg, const struct ovz_cg_limits *l,
		       const char *cpus_allowed, struct ovz_cg_write **out, size_t *n,
		       struct ovz_error **err)
{
	struct plan p = { cg, NULL, 0 };
	int r = uses_v2(cg, OVZ_CG_MEMORY) ? plan_memory_v2(&p, l, err) : plan_memory_v1(&p, l, err);
	if (r >= 0)
		r = plan_cpu(&p, l, err);
	if (r >= 0)
		r = plan_cpus(&p, l, cpus_allowed, err);
	if (r >= 0)
		r = plan_pids(&p, l, err);
	if (r >= 0)
		r = plan_devices(&p, l, err);
	if (r < 0) {
		ovz_cg_writes_free(p.w, p.n);
		return r;
	}
	*out = p.w;
	*n = p.n;
	return 0;
}

void ovz_cg_writes_free(struct ovz_cg_write *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i].value);
	free(w);
}

static int parse_cpu_range(const char *s, unsigned *lo, unsigned *hi)
{
	char *end;
	errno = 0;
	unsigned long a = strtoul(s, &end, 10), b = a;
	if (end == s || errno)
		return -EINVAL;
	if (*end == '-') {
		const char *t = end + 1;
		b = strtoul(t, &end, 10);
		if (end == t || errno)
			return -EINVAL;
	}
	if (*end || b < a || b > 1u << 20)
		return -EINVAL;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

int ovz_cpulist_first(const char *list, unsigned n, char **out, struct ovz_error **err)
{
	_cleanup_strv_ char **ranges = strv_split(list, ",\n ");
	struct strbuf sb = STRBUF_INIT;
	unsigned taken = 0;
	for (char **r = ranges; r && *r && taken < n; r++) {
		unsigned lo, hi;
		if (parse_cpu_range(*r, &lo, &hi) < 0) {
			strbuf_release(&sb);
			return ovz_error_set(err, EINVAL, "bad cpu list '%s' near '%s'", list, *r);
		}
		unsigned k = hi - lo + 1 < n - taken ? hi - lo + 1 : n - taken;
		if (sb.len)
			strbuf_putc(&sb, ',');
		if (k == 1)
			strbuf_printf(&sb, "%u", lo);
		else
			strbuf_printf(&sb, "%u-%u", lo, lo + k - 1);
		taken += k;
	}
	*out = strbuf_steal(&sb);
	return (int)taken;
}

/* ---- devices on v2: a BPF_PROG_TYPE_CGROUP_DEVICE program ----------------- */

/* The program returns 1 (allow) when the access matches a rule.  Registers:
 * r1 context, w2 requested access bits, w3 device type, w4 major, w5 minor. */
#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						.off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_W | BPF_MEM, d, s, o, 0)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

struct dev_rule {
	int type;		/* BPF_DEVCG_DEV_* */
	int major, minor;	/* -1: any */
	int access;		/* BPF_DEVCG_ACC_* bits */
};

static int parse_dev_number(const char *s, int *out)
{
	if (strcmp(s, "*") == 0) {
		*out = -1;
		return 0;
	}
	uint64_t v;
	if (parse_u64(s, &v) < 0 || v > INT32_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* "c 1:3 rwm" */
static int parse_dev_rule(const char *text, struct dev_rule *r)
{
	char type, nums[32], access[8];
	if (sscanf(text, "%c %31s %7s", &type, nums, access) != 3 || (type != 'c' && type != 'b'))
		return -EINVAL;
	char *colon = strchr(nums, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	if (parse_dev_number(nums, &r->major) < 0 || parse_dev_number(colon + 1, &r->minor) < 0)
		return -EINVAL;
	r->type = type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
	r->access = 0;
	for (const char *a = access; *a; a++)
		r->access |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE
			   : *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
	return 0;
}

static void emit(struct bpf_insn **v, size_t *n, struct bpf_insn insn)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = insn;
}

/* One rule: skip to the next rule on any mismatch, else allow. */
static void emit_rule(struct bpf_insn **v, size_t *n, const struct dev_rule *r)
{
	int len = 1 + (r->major >= 0) + (r->minor >= 0) + 3 + 2;
	int left = len;
	emit(v, n, JNE_IMM(BPF_REG_3, r->type, --left));
	if (r->major >= 0)
		emit(v, n, JNE_IMM(BPF_REG_4, r->major, --left));
	if (r->minor >= 0)
		emit(v, n, JNE_IMM(BPF_REG_5, r->minor, --left));
	/* allowed when the request has no bit outside the rule's */
	emit(v, n, MOV64_REG(BPF_REG_0, BPF_REG_2));
	emit(v, n, ALU32_IMM(BPF_AND, BPF_REG_0, ~r->access));
	left -= 2;
	emit(v, n, JNE_IMM(BPF_REG_0, 0, --left));
	emit(v, n, MOV64_IMM(BPF_REG_0, 1));
	emit(v, n, EXIT_INSN());
}

static int build_device_program(bool console, struct bpf_insn **out, size_t *n,
				struct ovz_error **err)
{
	struct bpf_insn *v = NULL;
	*n = 0;
	emit(&v, n, LDX_W(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type)));
	emit(&v, n, MOV64_REG(BPF_REG_3, BPF_REG_2));
	emit(&v, n, ALU32_IMM(BPF_AND, BPF_REG_3, 0xffff));
	emit(&v, n, ALU32_IMM(BPF_RSH, BPF_REG_2, 16));
	emit(&v, n, LDX_W(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major)));
	emit(&v, n, LDX_W(BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor)));
	for (const char *const *t = ovz_cg_device_rules(console); *t; t++) {
		struct dev_rule r;
		if (parse_dev_rule(*t, &r) < 0) {
			free(v);
			return ovz_error_set(err, EINVAL, "bad device rule '%s'", *t);
		}
		emit_rule(&v, n, &r);
	}
	emit(&v, n, MOV64_IMM(BPF_REG_0, 0));
	emit(&v, n, EXIT_INSN());
	*out = v;
	return 0;
}

static int bpf_load(const struct bpf_insn *insns, size_t n, char *log, size_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	if (log) {
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

static int load_device_program(bool console, struct ovz_error **err)
{
	struct bpf_insn *insns = NULL;
	size_t n = 0;
	int r = build_device_program(console, &insns, &n, err);
	if (r < 0)
		return r;
	int fd = bpf_load(insns, n, NULL, 0);
	if (fd >= 0) {
		free(insns);
		return fd;
	}
	int e = errno;
	/* again with the verifier's log, only to explain the failure */
	_cleanup_free_ char *log = xcalloc(1, 65536);
	int again = bpf_load(insns, n, log, 65536);
	if (again >= 0)
		close(again);
	free(insns);
	size_t len = strlen(log);
	const char *tail = len > 300 ? log + len - 300 : log;
	if (*tail)
		return ovz_error_set(err, e, "loading the device program: %s: verifier: %s",
				     strerror(e), tail);
	return ovz_error_sys(err, e, "loading the device program");
}

/* Attaching again replaces the program: apply stays idempotent. */
static int attach_device_program(const char *unified, const char *name, bool console,
				 struct ovz_error **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", unified, name);
	_cleanup_close_ int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return ovz_error_sys(err, errno, "open '%s'", dir);
	_cleanup_close_ int prog = load_device_program(console, err);
	if (prog < 0)
		return prog;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return ovz_error_sys(err, errno, "attaching the device program to '%s'", dir);
	return 0;
}

/* ---- create ------------------------------------------------------------- */

/* v2 only hands a controller to a child that the parent enabled in
 * cgroup.subtree_control; already enabled ones are not written again. */
static int enable_v2_controllers(const struct ovz_cgroups *cg, const char *dir,
				 struct ovz_error **err)
{
	static const enum ovz_cg_controller wanted[] = {
		OVZ_CG_MEMORY, OVZ_CG_CPU, OVZ_CG_CPUSET, OVZ_CG_PIDS,
	};
	_cleanup_free_ char *enabled = NULL;
	int r = read_file(dir, "cgroup.subtree_control", &enabled, err);
	if (r < 0)
		return r;
	_cleanup_strv_ char **names = strv_split(enabled, " \n");
	for (size_t i = 0; i < ARRAY_SIZE(wanted); i++) {
		const char *name = controller_names[wanted[i]];
		if (!cg->on_v2[wanted[i]] || strv_contains(names, name))
			continue;
		_cleanup_free_ char *v = xasprintf("+%s", name);
		r = write_file(dir, "cgroup.subtree_control", v, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A new v1 cpuset starts with no cpus and no mems and refuses tasks
 * until both are set: copy them from the parent. */
static int init_v1_cpuset(const char *dir, const char *parent, struct ovz_error **err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *cur = NULL, *from = NULL;
		int r = read_file(dir, files[i], &cur, err);
		if (r < 0)
			return r;
		if (*trim(cur))
			continue;
		r = read_file(parent, files[i], &from, err);
		if (r < 0)
			return r;
		if (*trim(from) && (r = write_file(dir, files[i], from, err)) < 0)
			return r;
	}
	return 0;
}

static int create_in(const struct ovz_cgroups *cg, const char *mount, const char *name,
		     struct ovz_error **err)
{
	bool v2 = cg->unified && strcmp(mount, cg->unified) == 0;
	bool v1_cpuset = !v2 && cg->v1[OVZ_CG_CPUSET] && !uses_v2(cg, OVZ_CG_CPUSET) &&
			 strcmp(mount, cg->v1[OVZ_CG_CPUSET]) == 0;
	_cleanup_strv_ char **parts = strv_split(name, "/");
	_cleanup_free_ char *dir = xstrdup(mount);
	for (char **p = parts; p && *p; p++) {
		if (v2) {
			int r = enable_v2_controllers(cg, dir, err);
			if (r < 0)
				return r;
		}
		char *child = xasprintf("%s/%s", dir, *p);
		if (mkdir(child, 0755) < 0 && errno != EEXIST) {
			int r = ovz_error_sys(err, errno, "mkdir '%s'", child);
			free(child);
			return r;
		}
		int r = v1_cpuset ? init_v1_cpuset(child, dir, err) : 0;
		free(dir);
		dir = child;
		if (r < 0)
			return r;
	}
	return 0;
}

int ovz_cgroup_create(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err)
{
	int r = check_name(name, err);
	if (r < 0)
		return r;
	const char *mounts[MAX_HIERARCHIES];
	size_t n = hierarchies(cg, mounts);
	if (n == 0)
		return ovz_error_set(err, ENOTSUP, "no cgroup hierarchy to create '%s' in", name);
	for (size_t i = 0; i < n; i++) {
		r = create_in(cg, mounts[i], name, err);
		if (r < 0) {
			ovz_cgroup_remove(cg, name, NULL);
			return ovz_error_wrap(err, r, "creating cgroup '%s'", name);
		}
	}
	return 0;
}

/* ---- apply, add --------------------------------------------------------- */

static char *parent_cpus(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err)
{
	const char *mount = ovz_cgroups_mount_of(cg, OVZ_CG_CPUSET);
	if (!mount)
		return NULL;
	const char *slash = strrchr(name, '/');
	_cleanup_free_ char *parent = slash ? xasprintf("%s/%.*s", mount, (int)(slash - name), name)
					    : xstrdup(mount);
	const char *file = uses_v2(cg, OVZ_CG_CPUSET) ? "cpuset.cpus.effective"
						      : "cpuset.effective_cpus";
	char *list = NULL;
	if (read_file(parent, file, &list, err) < 0)
		return NULL;
	return trim(list);
}

int ovz_cgroup_apply(const struct ovz_cgroups *cg, const char *name, const struct ovz_cg_limits *l,
		     struct ovz_error **err)
{
	int r = check_name(name, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *cpus = NULL;
	if (is_set(l->cpus) && ovz_cgroups_mount_of(cg, OVZ_CG_CPUSET) &&
	    !(cpus = parent_cpus(cg, name, err)))
		return ovz_error_wrap(err, -EIO, "applying limits to cgroup '%s'", name);
	struct ovz_cg_write *w = NULL;
	size_t n = 0;
	r = ovz_cg_plan_limits(cg, l, cpus, &w, &n, err);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_free_ char *dir =
			xasprintf("%s/%s", ovz_cgroups_mount_of(cg, w[i].controller), name);
		r = write_file(dir, w[i].file, w[i].value, err);
	}
	ovz_cg_writes_free(w, n);
	if (r >= 0 && l->restrict_devices && !cg->v1[OVZ_CG_DEVICES])
		r = attach_device_program(cg->unified, name, l->console, err);
	return r < 0 ? ovz_error_wrap(err, r, "applying limits to cgroup '%s'", name) : 0;
}

int ovz_cgroup_add_pid(const struct ovz_cgroups *cg, const char *name, pid_t pid,
		       struct ovz_error **err)
{
	int r = check_name(name, err);
	if (r < 0)
		return r;
	const char *mounts[MAX_HIERARCHIES];
	size_t n = hierarchies(cg, mounts);
	char value[32];
	snprintf(value, sizeof(value), "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *dir = xasprintf("%s/%s", mounts[i], name);
		r = write_file(dir, "cgroup.procs", value, err);
		if (r < 0)
			return ovz_error_wrap(err, r, "moving pid %d into cgroup '%s'", (int)pid, name);
	}
	return 0;
}

int ovz_cgroup_exists(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err)
{
	int r = check_name(name, err);
	if (r < 0)
		return r;
	return tracker(cg, name) ? 1 : 0;
}

/* ---- pids --------------------------------------------------------------- */

static void push_pid(pid_t **v, size_t *n, pid_t pid)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = pid;
}

static int collect_pids(int dirfd, const char *shown, pid_t **v, size_t *n, struct ovz_error **err)
{
	_cleanup_free_ char *procs = NULL;
	int r = read_file_at(dirfd, "cgroup.procs", PROCS_MAX, &procs, NULL, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "listing processes of '%s'", shown);
	_cleanup_strv_ char **lines = strv_split(procs, "\n");
	for (char **l = lines; l && *l; l++) {
		uint64_t pid;
		if (parse_u64(*l, &pid) == 0 && pid > 0 && pid <= INT32_MAX)
			push_pid(v, n, (pid_t)pid);
	}
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		r = ovz_error_sys(err, errno, "opendir '%s'", shown);
		if (dfd >= 0)
			close(dfd);
		return r;
	}
	struct dirent *de;
	while (r >= 0 && (de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		_cleanup_close_ int sub = openat(dirfd, de->d_name,
						 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno != ENOENT)
				r = ovz_error_sys(err, errno, "open '%s/%s'", shown, de->d_name);
			continue;
		}
		_cleanup_free_ char *sub_shown = xasprintf("%s/%s", shown, de->d_name);
		r = collect_pids(sub, sub_shown, v, n, err);
	}
	closedir(d);
	return r;
}

static int pids_under(const char *mount, const char *name, pid_t **pids, size_t *n,
		      struct ovz_error **err)
{
	*pids = NULL;
	*n = 0;
	_cleanup_free_ char *dir = xasprintf("%s/%s", mount, name);
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "open '%s'", dir);
	int r = collect_pids(fd, dir, pids, n, err);
	if (r < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
	}
	return r;
}

int ovz_cgroup_pids(const struct ovz_cgroups *cg, const char *name, pid_t **pids, size_t *n,
		    struct ovz_error **err)
{
	int r = check_name(name, err);
	if (r < 0)
		return r;
	const char *t = tracker(cg, name);
	if (!t) {
		*pids = NULL;
		*n = 0;
		return 0;
	}
	return pids_under(t, name, pids, n, err);
}

/* ---- kill --------------------------------------------------------------- */

static int count_pids(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err)
{
	pid_t *pids = NULL;
	size_t n = 0;
	int r = ovz_cgroup_pids(cg, name, &pids, &n, err);
	free(pids);
	return r < 0 ? r : (int)(n > INT32_MAX ? INT32_MAX : n);
}

static int wait_empty(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err)
{
	for (int i = 0; i < EMPTY_POLLS; i++) {
		int r = count_pids(cg, name, err);
		if (r <= 0)
			return r;
		nap();
	}
	return ovz_error_set(err, EBUSY, "processes remain in cgroup '%s' after SIGKILL", name);
}

/* SIGKILL to each process listed under mount/name. */
static int kill_under(const char *mount, const char *name, struct ovz_error **err)
{
	pid_t *pids = NULL;
	size_t n = 0;
	int r = pids_under(mount, name, &pids, &n, err);
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (kill(pids[i], SIGKILL) < 0 && errno != ESRCH)
			r = ovz_error_sys(err, errno, "kill %d", (int)pids[i]);
	free(pids);
	return r;
}

static int kill_listed(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err)
{
	const char *t = tracker(cg, name);
	return t ? kill_under(t, name, err) : 0;
}

struct freezer {
	char *dir;		/* cgroup directory holding the freeze file */
	const char *file, *frozen, *thawed;
	bool v2;
};

static bool find_freezer(const struct ovz_cgroups *cg, const char *name, struct freezer *f)
{
	memset(f, 0, sizeof(*f));
	if (cg->unified) {
		char *dir = xasprintf("%s/%s", cg->unified, name);
		char *file = xasprintf("%s/cgroup.freeze", dir);
		bool ok = access(file, F_OK) == 0;
		free(file);
		if (ok) {
			*f = (struct freezer){ dir, "cgroup.freeze", "1", "0", true };
			return true;
		}
		free(dir);
	}
	if (cg->v1[OVZ_CG_FREEZER]) {
		char *dir = xasprintf("%s/%s", cg->v1[OVZ_CG_FREEZER], name);
		if (is_dir(dir)) {
			*f = (struct freezer){ dir, "freezer.state", "FROZEN", "THAWED", false };
			return true;
		}
		free(dir);
	}
	return false;
}

static bool is_frozen(const struct freezer *f)
{
	_cleanup_free_ char *text = NULL;
	if (f->v2) {
		if (read_file(f->dir, "cgroup.events", &text, NULL) < 0)
			return false;
		return strstr(text, "frozen 1") != NULL;
	}
	if (read_file(f->dir, "freezer.state", &text, NULL) < 0)
		return false;
	return strcmp(trim(text), "FROZEN") == 0;
}

/* Frozen tasks cannot fork, so the list read while frozen is complete;
 * SIGKILL takes effect once they are thawed.  Freezing is best effort: a
 * cgroup stuck in FREEZING is killed anyway. */
static int freeze_kill_thaw(const struct ovz_cgroups *cg, const char *name, struct freezer *f,
			    struct ovz_error **err)
{
	int r = write_file(f->dir, f->file, f->frozen, err);
	if (r < 0)
		return r;
	for (int i = 0; i < FROZEN_POLLS && !is_frozen(f); i++)
		nap();
	r = kill_listed(cg, name, err);
	int t = write_file(f->dir, f->file, f->thawed, r < 0 ? NULL : err);
	return r < 0 ? r : t;
}

static int kill_without_cgroup_kill(const struct ovz_cgroups *cg, const char *name,
				    struct ovz_error **err)
{
	struct freezer f;
	bool have_freezer = find_freezer(cg, name, &f);
	int r = 0;
	for (int round = 0; round < 3 && r >= 0; round++) {
		r = have_freezer ? freeze_kill_thaw(cg, name, &f, err) : kill_listed(cg, name, err);
		if (r < 0)
			break;
		struct ovz_error *e = NULL;
		r = wait_empty(cg, name, round == 2 ? err : &e);
		ovz_error_free(e);
		if (r == 0 || round == 2)
			break;
		r = 0;
	}
	free(f.dir);
	return r;
}

/* Hands a local error to the caller's slot (or drops it). */
static int adopt(struct ovz_error **err, struct ovz_error *e, int r)
{
	if (err && !*err)
		*err = e;
	else
		ovz_error_free(e);
	return r;
}

/* 1 when cgroup.kill did the job, 0 when the kernel has no cgroup.kill. */
static int try_cgroup_kill(const struct ovz_cgroups *cg, const char *name,
			   struct ovz_error **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", cg->unified, name);
	struct ovz_error *e = NULL;
	int r = write_file(dir, "cgroup.kill", "1", &e);
	if (r == -ENOENT) {
		ovz_error_free(e);
		return is_dir(dir) ? 0 : 1;	/* no cgroup.kill before 5.14 */
	}
	if (r < 0)
		return adopt(err, e, r);
	r = wait_empty(cg, name, err);
	return r < 0 ? r : 1;
}

int ovz_cgroup_kill(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err)
{
	int r = ovz_cgroup_exists(cg, name, err);
	if (r <= 0)
		return r;
	r = cg->unified ? try_cgroup_kill(cg, name, err) : 0;
	if (r == 0)
		r = kill_without_cgroup_kill(cg, name, err);
	return r < 0 ? ovz_error_wrap(err, r, "killing cgroup '%s'", name) : 0;
}

/* ---- remove ------------------------------------------------------------- */

/* rmdir of dirfd/entry after its child cgroups, deepest first. */
static int rmdir_tree(int parent, const char *entry, const char *shown, struct ovz_error **err)
{
	int fd = openat(parent, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : ovz_error_sys(err, errno, "open '%s'", shown);
	DIR *d = fdopendir(fd);
	if (!d) {
		int r = ovz_error_sys(err, errno, "opendir '%s'", shown);
		close(fd);
		return r;
	}
	int r = 0;
	struct dirent *de;
	while (r >= 0 && (de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", shown, de->d_name);
		r = rmdir_tree(dirfd(d), de->d_name, sub, err);
	}
	closedir(d);
	if (r < 0)
		return r;
	if (unlinkat(parent, entry, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "rmdir '%s'", shown);
	return 0;
}

static int remove_in(const char *mount, const char *name, struct ovz_error **err)
{
	_cleanup_free_ char *shown = xasprintf("%s/%s", mount, name);
	for (int attempt = 0;; attempt++) {
		struct ovz_error *e = NULL;
		int r = rmdir_tree(AT_FDCWD, shown, shown, &e);
		if (r != -EBUSY || attempt >= EMPTY_POLLS)
			return r < 0 ? adopt(err, e, r) : 0;
		ovz_error_free(e);
		/* stragglers only this hierarchy lists (a half-done add_pid) */
		r = kill_under(mount, name, err);
		if (r < 0)
			return r;
		nap();
	}
}

int ovz_cgroup_remove(const struct ovz_cgroups *cg, const char *name, struct ovz_error **err)
{
	int r = check_name(name, err);
	if (r < 0)
		return r;
	r = count_pids(cg, name, err);
	if (r > 0)
		r = ovz_cgroup_kill(cg, name, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "removing cgroup '%s'", name);
	const char *mounts[MAX_HIERARCHIES];
	size_t n = hierarchies(cg, mounts);
	/* the v2 tree goes last: it is where kill lists processes */
	for (size_t k = 0; k < n; k++) {
		r = remove_in(mounts[(k + 1) % n], name, err);
		if (r < 0)
			return ovz_error_wrap(err, r, "removing cgroup '%s'", name);
	}
	return 0;
}
