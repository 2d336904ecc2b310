// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostinit.h"
#include "config.h"
#include "util.h"
#include "fs/rootfs.h"
#include "net/netlink.h"
#include "net/vzabi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#define VENET "venet0"
#define VZCTL_MAJOR 126
#define MODULE_MAX (64u << 20)

struct hi {
	const char *root;
	struct ovz_conf *vzconf;	/* ROOT/etc/vz/vz.conf, NULL when absent */
	char *moddir;			/* ROOT/lib/modules/RELEASE */
	ovz_hostinit_fn fn;
	void *data;
};

static void OVZ_PRINTF(2, 3) say(struct hi *hi, const char *fmt, ...)
{
	if (!hi->fn)
		return;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	hi->fn(hi->data, msg);
}

static char *at_root(const struct hi *hi, const char *path)
{
	return path_join(hi->root, path);
}

static bool exists(const struct hi *hi, const char *path)
{
	_cleanup_free_ char *p = at_root(hi, path);
	return access(p, F_OK) == 0;
}

static const char *vzconf(const struct hi *hi, const char *key, const char *def)
{
	const char *v = hi->vzconf ? ovz_conf_get(hi->vzconf, key) : NULL;
	return v && *v ? v : def;
}

/* ---- modules ---- */

/* /proc/modules and modules.dep write '_' where a file name may have '-'. */
static bool same_module(const char *a, size_t alen, const char *b)
{
	if (alen != strlen(b))
		return false;
	for (size_t i = 0; i < alen; i++)
		if ((a[i] == '-' ? '_' : a[i]) != (b[i] == '-' ? '_' : b[i]))
			return false;
	return true;
}

/* The module name of a path in modules.dep or modules.builtin. */
static bool path_is_module(const char *path, size_t len, const char *name)
{
	const char *base = memrchr(path, '/', len);
	base = base ? base + 1 : path;
	const char *ko = strstr(base, ".ko");
	return ko && ko < path + len && same_module(base, (size_t)(ko - base), name);
}

/* The line of a text file for which match says yes, NULL when none. */
static char *find_line(const char *path, bool (*match)(const char *line, size_t len,
							const char *name),
		       const char *name)
{
	_cleanup_free_ char *text = NULL;
	if (read_file_at(AT_FDCWD, path, 64u << 20, &text, NULL, NULL) < 0)
		return NULL;
	for (char *l = text; *l;) {
		size_t len = strcspn(l, "\n");
		if (match(l, len, name))
			return xstrndup(l, len);
		l += len + (l[len] == '\n');
	}
	return NULL;
}

static bool proc_modules_match(const char *l, size_t len, const char *name)
{
	return same_module(l, strcspn(l, " \n"), name);
}

static bool builtin_match(const char *l, size_t len, const char *name)
{
	return path_is_module(l, len, name);
}

static bool dep_match(const char *l, size_t len, const char *name)
{
	const char *colon = memchr(l, ':', len);
	return colon && path_is_module(l, (size_t)(colon - l), name);
}

static bool works_by_name(struct hi *hi, const char *name);

static bool module_present(struct hi *hi, const char *name)
{
	if (works_by_name(hi, name))
		return true;
	_cleanup_free_ char *mods = at_root(hi, "/proc/modules");
	_cleanup_free_ char *builtin = path_join(hi->moddir, "modules.builtin");
	_cleanup_free_ char *a = find_line(mods, proc_modules_match, name);
	_cleanup_free_ char *b = a ? NULL : find_line(builtin, builtin_match, name);
	return a || b;
}

static int init_module_file(const char *path, const char *name, struct ovz_error **err)
{
	const char *ko = strstr(path, ".ko");
	if (!ko || ko[3])
		return ovz_error_set(err, ENOEXEC, "module %s: '%s' is compressed; a 2.6.32 "
				     "kernel loads only plain .ko files", name, path);
	_cleanup_free_ char *image = NULL;
	size_t len = 0;
	int r = read_file_at(AT_FDCWD, path, MODULE_MAX, &image, &len, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "module %s", name);
	/* init_module: finit_module is 3.8 */
	if (syscall(SYS_init_module, image, (unsigned long)len, "") < 0 && errno != EEXIST)
		return ovz_error_sys(err, errno, "module %s: init_module '%s'", name, path);
	return 0;
}

static int load_module(struct hi *hi, const char *name, int depth, struct ovz_error **err);

/* "kernel/a/b.ko: kernel/c.ko kernel/d.ko": dependencies, the last first. */
static int load_deps(struct hi *hi, const char *deps, int depth, struct ovz_error **err)
{
	_cleanup_strv_ char **v = strv_split(deps, " \t");
	for (size_t n = strv_len(v); n > 0; n--) {
		const char *base = strrchr(v[n - 1], '/') ? strrchr(v[n - 1], '/') + 1 : v[n - 1];
		_cleanup_free_ char *dep = xstrndup(base, strcspn(base, "."));
		int r = load_module(hi, dep, depth + 1, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_module(struct hi *hi, const char *name, int depth, struct ovz_error **err)
{
	if (module_present(hi, name))
		return 0;
	if (depth > 16)
		return ovz_error_set(err, ELOOP, "module %s: dependencies nest too deep", name);
	_cleanup_free_ char *depfile = path_join(hi->moddir, "modules.dep");
	_cleanup_free_ char *line = find_line(depfile, dep_match, name);
	if (!line)
		return ovz_error_set(err, ENOENT, "module %s: not loaded, not built in and not in "
				     "'%s'", name, depfile);
	char *colon = strchr(line, ':');
	*colon = '\0';
	int r = load_deps(hi, colon + 1, depth, err);
	_cleanup_free_ char *path = line[0] == '/' ? at_root(hi, line) : path_join(hi->moddir, line);
	if (r == 0)
		r = init_module_file(path, name, err);
	if (r == 0)
		say(hi, "loaded module %s", name);
	return r;
}

/* A module the script needs, and what shows it works when it is neither
 * listed in /proc/modules nor in modules.builtin (a kernel built without
 * modules has no /lib/modules to say so). */
struct module {
	const char *name;
	bool required;
	const char *file;	/* under the root */
	const char *text;	/* that file holds, NULL: exists */
};

static const struct module modules[] = {
	{ "vzmon", true, "/proc/vz/veinfo", NULL },
	{ "vzdquota", true, "/proc/vz/vzquota", NULL },
	{ "vzdev", true, "/proc/devices", "126 vzctl" },
	{ "vznetdev", false, "/proc/vz/veip", NULL },
	{ "vznet", false, "/proc/vz/vestat", NULL },
	{ "vzethdev", false, "/proc/vz/veth", NULL },
	{ "simfs", false, "/proc/filesystems", "simfs" },
	{ "vzcompat", false, NULL, NULL },
	{ "vziolimit", false, NULL, NULL },
	{ "af_packet", false, "/proc/net/packet", NULL },
	{ "ip_tables", false, "/proc/net/ip_tables_names", NULL },
};

static bool works(struct hi *hi, const struct module *m)
{
	if (!m->file)
		return false;
	_cleanup_free_ char *p = at_root(hi, m->file), *text = NULL;
	if (!m->text)
		return access(p, F_OK) == 0;
	return read_file_at(AT_FDCWD, p, 1 << 20, &text, NULL, NULL) == 0 && strstr(text, m->text);
}

static bool works_by_name(struct hi *hi, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(modules); i++)
		if (strcmp(modules[i].name, name) == 0)
			return works(hi, &modules[i]);
	return false;
}

/* The required ones fail; of the others, as the script's load_modules,
 * one that is nowhere to be found is skipped quietly and one that does
 * not load is a warning. */
static int load_modules(struct hi *hi, struct ovz_error **err)
{
	if (strcmp(vzconf(hi, "MODULES_DISABLED", "no"), "yes") == 0) {
		say(hi, "modules: MODULES_DISABLED=yes in vz.conf, none loaded");
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
		const struct module *m = &modules[i];
		if (works(hi, m))
			continue;
		struct ovz_error *e = NULL;
		int r = load_module(hi, m->name, 0, &e);
		if (r < 0 && m->required) {	/* a host without it: exit 2, not bad input */
			r = ovz_error_set(err, r == -ENOENT ? ENOPKG : -r, "%s",
					  ovz_error_message(e));
			ovz_error_free(e);
			return r;
		}
		if (r < 0 && r != -ENOENT)
			say(hi, "warning: %s", ovz_error_message(e));
		ovz_error_free(e);
	}
	return 0;
}

/* ---- /dev/vzctl, OOM groups, cgroups ---- */

static int vzctl_node(struct hi *hi, struct ovz_error **err)
{
	_cleanup_free_ char *p = at_root(hi, "/dev/vzctl");
	struct stat st;
	if (lstat(p, &st) == 0) {
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(VZCTL_MAJOR, 0))
			return 0;
		return ovz_error_set(err, EEXIST, "'%s' is not the character device %d:0", p,
				     VZCTL_MAJOR);
	}
	if (errno != ENOENT)
		return ovz_error_sys(err, errno, "stat '%s'", p);
	if (mknod(p, S_IFCHR | 0600, makedev(VZCTL_MAJOR, 0)) < 0 && errno != EEXIST)
		return ovz_error_sys(err, errno, "mknod '%s' c %d 0", p, VZCTL_MAJOR);
	say(hi, "made %s (c %d 0)", p, VZCTL_MAJOR);
	return 0;
}

static void oom_groups(struct hi *hi)
{
	_cleanup_free_ char *dst = at_root(hi, "/proc/vz/oom_score_adj");
	_cleanup_free_ char *src = at_root(hi, "/etc/vz/oom-groups.conf"), *text = NULL;
	size_t len;
	if (access(dst, F_OK) < 0 || read_file_at(AT_FDCWD, src, 1 << 20, &text, &len, NULL) < 0)
		return;
	_cleanup_close_ int fd = open(dst, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, text, len) < 0)
		say(hi, "warning: applying %s to %s: %s", src, dst, strerror(errno));
}

static void mount_cgroups(struct hi *hi)
{
	static const char *const groups[] = { "beancounter", "container", "fairsched" };
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		_cleanup_free_ char *rel = xasprintf("/proc/vz/%s", groups[i]);
		_cleanup_free_ char *dir = at_root(hi, rel);
		_cleanup_free_ char *opts = xasprintf("name=%s", groups[i]);
		struct stat st;
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || ovz_root_is_mounted(dir, NULL) != 0)
			continue;
		if (mount(groups[i], dir, "cgroup", 0, opts) < 0)
			say(hi, "warning: mount cgroup %s on %s: %s", opts, dir, strerror(errno));
		else
			say(hi, "mounted cgroup %s on %s", opts, dir);
	}
}

/* ---- network ---- */

static int sysctl_set(struct hi *hi, const char *key, const char *value, bool optional,
		      struct ovz_error **err)
{
	_cleanup_free_ char *rel = xasprintf("/proc/sys/%s", key);
	_cleanup_free_ char *p = at_root(hi, rel), *cur = NULL;
	if (read_file_at(AT_FDCWD, p, 4096, &cur, NULL, NULL) == 0 &&
	    strncmp(cur, value, strlen(value)) == 0 && cur[strlen(value)] == '\n')
		return 0;
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && write_all(fd, value, strlen(value)) == 0) {
		say(hi, "sysctl %s = %s", key, value);
		return 0;
	}
	if (optional) {	/* absent where the kernel lacks it: quietly */
		if (errno != ENOENT)
			say(hi, "warning: sysctl %s = %s: %s", key, value, strerror(errno));
		return 0;
	}
	return ovz_error_sys(err, errno, "sysctl %s = %s ('%s')", key, value, p);
}

/* vz-postinstall's sysctl.conf, and what "vz start" sets on its own. */
static int sysctls(struct hi *hi, bool venet, struct ovz_error **err)
{
	static const struct {
		const char *key, *value;
		bool optional;
	} set[] = {
		{ "net/ipv4/ip_forward", "1", false },
		{ "net/ipv4/conf/default/proxy_arp", "0", false },
		{ "net/ipv4/conf/default/send_redirects", "1", false },
		{ "net/ipv4/conf/all/send_redirects", "0", false },
		{ "net/ipv4/route/src_check", "0", true },	/* OpenVZ's own */
	};
	int r = 0;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(set); i++)
		r = sysctl_set(hi, set[i].key, set[i].value, set[i].optional, err);
	if (r == 0 && venet)
		r = sysctl_set(hi, "net/ipv4/conf/" VENET "/send_redirects", "0", false, err);
	return r;
}

static int addr_add(struct ovz_nl *nl, int family, const char *text, int prefix,
		    struct ovz_error **err)
{
	struct ovz_ip ip = { .family = family, .prefix = prefix };
	inet_pton(family, text, ip.addr);
	struct ovz_error *e = NULL;
	int r = ovz_nl_addr_add(nl, VENET, &ip, family == AF_INET6 ? OVZ_ADDR_NODAD : 0, &e);
	if (r == -EEXIST)
		r = 0;
	else if (r < 0 && err && !*err)
		*err = e, e = NULL;
	ovz_error_free(e);
	return r;
}

/* start_net: venet0 up with 0.0.0.0/0 (and fe80::1/128 with IPV6=yes).
 * false when the kernel has no venet0. */
static int venet_up(struct hi *hi, bool *venet, struct ovz_error **err)
{
	*venet = false;
	_cleanup_(ovz_nl_closep) struct ovz_nl *nl = NULL;
	int r = ovz_nl_open(-1, &nl, err);
	if (r < 0)
		return r;
	struct ovz_link link;
	if (ovz_nl_link_get(nl, VENET, &link, NULL) < 0) {
		say(hi, "warning: the host has no %s (vznetdev not loaded?)", VENET);
		return 0;
	}
	*venet = true;
	bool was_up = link.flags & IFF_UP;
	r = ovz_nl_link_up(nl, VENET, err);
	if (r == 0)
		r = addr_add(nl, AF_INET, "0.0.0.0", 0, err);
	if (r == 0 && strcmp(vzconf(hi, "IPV6", "no"), "yes") == 0)
		r = addr_add(nl, AF_INET6, "fe80::1", 128, err);
	if (r == 0 && !was_up)
		say(hi, "%s up", VENET);
	return r;
}

/* setup_ve0: VE0's share of the CPU (VE0CPUUNITS, 1000 by default).  The
 * 042stab kernels keep no weight for CT 0 (fairsched_chwt(0, ...) is always
 * EINVAL there) and the init script only warns when `vzctl set 0
 * --cpuunits` fails, so that answer is said, not an error. */
static int ve0_cpuunits(struct hi *hi, struct ovz_error **err)
{
	uint64_t units = 1000;
	const char *v = vzconf(hi, "VE0CPUUNITS", NULL);
	if (v && (parse_u64(v, &units) < 0 || units < 8 || units > 500000))
		return ovz_error_set(err, EINVAL, "VE0CPUUNITS '%s' is not 8..500000", v);
	int r = ovz_vz_set_cpuunits(0, (unsigned long)units, err);
	if (r == -EINVAL) {
		ovz_error_clear(err);
		say(hi, "VE0CPUUNITS not applied: the kernel sets no CPU weight for CT 0");
		return 0;
	}
	return r;
}

int ovz_host_init_kernel(struct ovz_host *h, ovz_hostinit_fn fn, void *data,
			 struct ovz_error **err)
{
	struct hi hi = { .root = h->vz->root, .fn = fn, .data = data };
	if (!exists(&hi, "/proc/vz"))
		return ovz_error_set(err, ENODEV, "the running kernel is not an OpenVZ kernel "
				     "(no '%s/proc/vz')", strcmp(hi.root, "/") ? hi.root : "");
	struct utsname u;
	uname(&u);
	_cleanup_free_ char *rel = xasprintf("/lib/modules/%s", u.release);
	hi.moddir = at_root(&hi, rel);
	if (ovz_conf_load(h->vz->vz_conf_path, &hi.vzconf, NULL) < 0)
		hi.vzconf = NULL;
	bool venet = false;
	int r = load_modules(&hi, err);
	if (r == 0)
		r = vzctl_node(&hi, err);
	if (r == 0) {
		oom_groups(&hi);
		r = venet_up(&hi, &venet, err);
	}
	if (r == 0)
		r = sysctls(&hi, venet, err);
	if (r == 0) {
		mount_cgroups(&hi);
		r = ve0_cpuunits(&hi, err);
	}
	ovz_conf_free(hi.vzconf);
	free(hi.moddir);
	return r;
}
