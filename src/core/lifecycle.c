// SPDX-License-Identifier: LGPL-2.1-or-later
#include "lifecycle.h"
#include "caps.h"
#include "cgroup.h"
#include "config.h"
#include "ctconf.h"
#include "exec.h"
#include "lock.h"
#include "runstate.h"
#include "util.h"
#include "fs/fsutil.h"
#include "fs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int ovz_host_backend(struct ovz_host *h, const struct ovz_backend **out, struct ovz_error **err)
{
	if (strcmp(h->backend, "auto") == 0) {
		*out = ovz_backend_probe();
		return 0;
	}
	*out = ovz_backend_by_name(h->backend);
	if (!*out)
		return ovz_error_set(err, ENOTSUP, "the %s backend is not available in this build",
				     h->backend);
	return 0;
}

int ovz_ct_plan(struct ovz_host *h, const struct ovz_domain *d, enum ovz_verb verb,
		struct ovz_plan **out, struct ovz_error **err)
{
	const struct ovz_backend *b;
	int r = ovz_host_backend(h, &b, err);
	return r < 0 ? r : ovz_plan_compile(b, h, d, verb, out, err);
}

/* Compiles the plan of verb for d and runs it, or, with teardown, runs its
 * undo (as stop, destroy and umount do).  A failed run is undone. */
static int run_plan(struct ovz_host *h, const struct ovz_domain *d, enum ovz_verb verb,
		    bool teardown, struct ovz_exec *opts, struct ovz_error **err)
{
	_cleanup_(ovz_plan_freep) struct ovz_plan *p = NULL;
	int r = ovz_ct_plan(h, d, verb, &p, err);
	if (r < 0)
		return r;
	struct ovz_exec x;
	ovz_exec_init(&x, h, d, p, NULL);
	ovz_host_backend(h, &x.backend, NULL);
	if (opts) {
		x.fail_at = opts->fail_at;
		x.create_opts = opts->create_opts;
		x.create_result = opts->create_result;
	}
	r = teardown ? ovz_exec_teardown(&x, err) : ovz_exec_run(&x, err);
	ovz_exec_cleanup(&x);
	return r;
}

static int lock_ct(struct ovz_host *h, unsigned ctid, const char *verb, struct ovz_lock **l,
		   struct ovz_error **err)
{
	return ovz_lock_ct(h->lockdir, ctid, verb, l, err);
}

static char *host_dir(struct ovz_host *h, const char *path)
{
	return path_join(h->vz->root, path);
}

int ovz_ct_status(struct ovz_host *h, unsigned ctid, struct ovz_ct_status *st,
		  struct ovz_error **err)
{
	memset(st, 0, sizeof(*st));
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = NULL;
	int r = ovz_host_load(h, ctid, &d, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *priv = NULL, *root = NULL;
	ovz_host_ct_dirs(h, d, &priv, &root);
	_cleanup_free_ char *hp = host_dir(h, priv), *hr = host_dir(h, root);
	enum ovz_private_state ps = OVZ_PRIVATE_ABSENT;
	ovz_private_state(hp, &ps, NULL);
	st->exists = ps == OVZ_PRIVATE_COMPLETE;
	st->incomplete = ps == OVZ_PRIVATE_INCOMPLETE || ps == OVZ_PRIVATE_IN_PROGRESS;
	st->mounted = ovz_root_is_mounted(hr, NULL) == 1;
	st->running = ovz_host_ct_running(h, ctid, &st->init_pid);
	return 0;
}

/* ---- create and destroy ---- */

static int add_ipadd(struct ovz_domain *d, char **ips, struct ovz_error **err)
{
	struct ovz_iface *venet = NULL;
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].type == OVZ_IFACE_VENET)
			venet = &d->ifaces[i];
	for (size_t i = 0; ips && ips[i]; i++) {
		struct ovz_ip ip;
		const char *why = ovz_parse_ip(ips[i], 0, &ip);
		if (why)
			return ovz_error_set(err, EINVAL, "--ipadd: %s (%s)", why, ips[i]);
		if (!venet)
			venet = ovz_domain_add_iface(d, OVZ_IFACE_VENET);
		ovz_iface_add_ip(venet, &ip);
	}
	return 0;
}

/* The config a new container starts from: the sample's lines. */
static int sample_conf(struct ovz_host *h, const char *sample, struct ovz_conf **out,
		       struct ovz_error **err)
{
	_cleanup_free_ char *path = ovz_vzconf_sample(h->vz, sample);
	int r = ovz_host_conf_load(h, path, out, err);
	if (r == -ENOENT) {
		ovz_error_clear(err);
		*out = ovz_conf_new();
		return 0;
	}
	return r;
}

struct create_ctx {
	struct ovz_host *h;
	unsigned ctid;
	struct ovz_create_args *a;
	struct ovz_conf *conf;		/* what will be written */
	char *old_conf;			/* the config before, NULL when none */
	struct ovz_domain *d;
};

static int create_prepare(struct create_ctx *c, struct ovz_error **err)
{
	struct ovz_host *h = c->h;
	struct ovz_create_args *a = c->a;
	_cleanup_free_ char *path = ovz_vzconf_ct_conf(h->vz, c->ctid);
	int r = ovz_host_conf_load(h, path, &c->conf, err);
	if (r == 0) {
		c->old_conf = ovz_conf_format(c->conf, NULL);
	} else if (r == -ENOENT) {
		ovz_error_clear(err);
		const char *sample = a->config ? a->config : h->vz->configfile;
		r = sample_conf(h, sample, &c->conf, err);
		if (r < 0)
			return r;
		if (!a->xml)
			ovz_conf_set(c->conf, "ORIGIN_SAMPLE", sample);
		/* as vzctl create: the new config names its areas */
		if (!ovz_conf_get(c->conf, "VE_ROOT"))
			ovz_conf_set(c->conf, "VE_ROOT", h->vz->ve_root);
		if (!ovz_conf_get(c->conf, "VE_PRIVATE"))
			ovz_conf_set(c->conf, "VE_PRIVATE", h->vz->ve_private);
	} else {
		return r;
	}
	const char *why;
	if (a->private_dir && (why = ovz_check_area_path(a->private_dir)))
		return ovz_error_set(err, EINVAL, "--private: %s (%s)", why, a->private_dir);
	if (a->root_dir && (why = ovz_check_area_path(a->root_dir)))
		return ovz_error_set(err, EINVAL, "--root: %s (%s)", why, a->root_dir);
	if (a->private_dir)
		ovz_conf_set(c->conf, "VE_PRIVATE", a->private_dir);
	if (a->root_dir)
		ovz_conf_set(c->conf, "VE_ROOT", a->root_dir);
	/* --xml defines in the same step: its model goes through the config
	 * it will be written as */
	if (a->xml)
		ovz_domain_to_conf(a->xml, h->vz, c->conf);
	r = ovz_domain_from_conf(c->conf, c->ctid, path, &h->warn, &c->d, err);
	if (r < 0)
		return r;
	c->d->ctid = c->ctid;
	struct ovz_domain *d = c->d;
	const char *tmpl = a->ostemplate ? a->ostemplate
			   : d->ostemplate ? d->ostemplate : h->vz->def_ostemplate;
	why = ovz_check_template_name(tmpl);
	if (why)
		return ovz_error_set(err, EINVAL, "--ostemplate: %s (%s)", why, tmpl);
	if (tmpl != d->ostemplate) {
		free(d->ostemplate);
		d->ostemplate = xstrdup(tmpl);
	}
	if (a->hostname) {
		why = ovz_check_hostname(a->hostname);
		if (why)
			return ovz_error_set(err, EINVAL, "--hostname: %s (%s)", why, a->hostname);
		free(d->hostname);
		d->hostname = xstrdup(a->hostname);
	}
	return add_ipadd(d, a->ipadd, err);
}

/* Neither area may be reachable by host users (setuid files inside). */
static int check_areas_hidden(struct ovz_host *h, const char *priv, const char *root,
			      struct ovz_error **err)
{
	_cleanup_free_ char *hp = host_dir(h, priv), *hr = host_dir(h, root);
	int r = ovz_mkdir_area_parent(hr, err);
	if (r == 0)
		r = ovz_check_area_hidden(hp, err);
	if (r == 0)
		r = ovz_check_area_hidden(hr, err);
	return r;
}

static int create_check_hidden(struct create_ctx *c, struct ovz_error **err)
{
	_cleanup_free_ char *priv = NULL, *root = NULL;
	int r = ovz_host_ct_area(c->h, c->d, &priv, &root, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *hp = host_dir(c->h, priv);
	r = ovz_mkdir_area_parent(hp, err);
	return r < 0 ? r : check_areas_hidden(c->h, priv, root, err);
}

static int create_write_conf(struct create_ctx *c, struct ovz_error **err)
{
	ovz_domain_to_conf(c->d, c->h->vz, c->conf);
	_cleanup_free_ char *path = ovz_vzconf_ct_conf(c->h->vz, c->ctid);
	int r = mkdir_p(c->h->vz->conf_dir, 0755, err);
	if (r == 0)
		r = ovz_conf_save(c->conf, path, err);
	if (r == 0 && c->d->name)
		r = ovz_name_link(c->h->vz, c->d->name, c->ctid, err);
	if (r < 0) {
		if (c->old_conf)
			write_file_atomic(path, c->old_conf, strlen(c->old_conf), 0644, NULL);
		else
			unlink(path);
	}
	return r;
}

int ovz_ct_create(struct ovz_host *h, unsigned ctid, struct ovz_create_args *a,
		  struct ovz_error **err)
{
	_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
	int r = lock_ct(h, ctid, "create", &lock, err);
	if (r < 0)
		return r;
	struct create_ctx c = { .h = h, .ctid = ctid, .a = a };
	r = create_prepare(&c, err);
	if (r == 0)
		r = create_check_hidden(&c, err);
	if (r == 0)
		r = run_plan(h, c.d, OVZ_VERB_CREATE, false,
			     &(struct ovz_exec){ .fail_at = a->fail_at, .create_opts = &a->opts,
						 .create_result = &a->result },
			     err);
	if (r == 0) {
		r = create_write_conf(&c, err);
		if (r < 0)
			run_plan(h, c.d, OVZ_VERB_CREATE, true, NULL, NULL);
	}
	ovz_conf_free(c.conf);
	free(c.old_conf);
	ovz_domain_free(c.d);
	return r;
}

int ovz_ct_destroy(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
	int r = lock_ct(h, ctid, "destroy", &lock, err);
	if (r < 0)
		return r;
	if (ovz_host_ct_running(h, ctid, NULL))
		return ovz_error_set(err, EBUSY, "CT %u is running; stop it first", ctid);
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = NULL;
	if (ovz_host_load(h, ctid, &d, NULL) < 0) {
		d = ovz_domain_new();	/* half-created: no config, default paths */
		d->ctid = ctid;
	}
	_cleanup_free_ char *priv = NULL, *root = NULL;
	r = ovz_host_ct_area(h, d, &priv, &root, err);
	if (r < 0)
		return r;
	unsigned other;
	if (ovz_host_area_owner(h, ctid, priv, &other))
		return ovz_error_set(err, EINVAL, "not destroying CT %u: its VE_PRIVATE '%s' is the "
				     "private area of CT %u", ctid, priv, other);
	_cleanup_free_ char *hp = host_dir(h, priv), *hr = host_dir(h, root);
	_cleanup_free_ char *conf = ovz_vzconf_ct_conf(h->vz, ctid);
	enum ovz_private_state ps = OVZ_PRIVATE_ABSENT;
	ovz_private_state(hp, &ps, NULL);
	if (ps == OVZ_PRIVATE_ABSENT && access(conf, F_OK) < 0)
		return ovz_error_set(err, ENOENT, "CT %u does not exist", ctid);
	r = ovz_umount_root(hr, err);
	if (r == 0)
		r = ovz_private_destroy(hp, err);
	if (r < 0)
		return r;
	if (rmdir(hr) < 0 && errno != ENOENT && errno != ENOTEMPTY)
		return ovz_error_sys(err, errno, "remove '%s'", root);
	if (d->name) {
		unsigned owner;
		if (ovz_name_resolve(h->vz, d->name, &owner, NULL) == 0 && owner == ctid)
			ovz_name_unlink(h->vz, d->name, NULL);
	}
	if (unlink(conf) < 0 && errno != ENOENT)
		return ovz_error_sys(err, errno, "remove '%s'", conf);
	return 0;
}

/* ---- start, stop, mount ---- */

static int load_created(struct ovz_host *h, unsigned ctid, struct ovz_domain **d,
			struct ovz_error **err)
{
	int r = ovz_host_load(h, ctid, d, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *priv = NULL, *root = NULL;
	ovz_host_ct_dirs(h, *d, &priv, &root);
	_cleanup_free_ char *hp = host_dir(h, priv);
	enum ovz_private_state ps = OVZ_PRIVATE_ABSENT;
	ovz_private_state(hp, &ps, NULL);
	if (ps != OVZ_PRIVATE_COMPLETE)
		r = ovz_error_set(err, ENOENT, "CT %u is not created (no private area at '%s')",
				  ctid, priv);
	else
		r = check_areas_hidden(h, priv, root, err);
	if (r < 0) {
		ovz_domain_free(*d);
		*d = NULL;
	}
	return r;
}

int ovz_ct_start(struct ovz_host *h, unsigned ctid, long fail_at, struct ovz_error **err)
{
	_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
	int r = lock_ct(h, ctid, "start", &lock, err);
	if (r < 0)
		return r;
	r = ovz_host_ct_state(h, ctid, NULL, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "is CT %u running", ctid);
	if (r == 1)
		return ovz_error_set(err, EALREADY, "CT %u is already running", ctid);
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = NULL;
	r = load_created(h, ctid, &d, err);
	return r < 0 ? r
		     : run_plan(h, d, OVZ_VERB_START, false, &(struct ovz_exec){ .fail_at = fail_at },
				err);
}

/* The signal that asks this init to power off. */
static int poweroff_signal(pid_t pid)
{
	char path[64], exe[256];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (strstr(exe, "systemd"))
		return SIGRTMIN + 4;
	if (strstr(exe, "busybox"))
		return SIGUSR2;
	return SIGTERM;
}

int ovz_ct_stop(struct ovz_host *h, unsigned ctid, bool fast, unsigned timeout,
		struct ovz_error **err)
{
	_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
	int r = lock_ct(h, ctid, "stop", &lock, err);
	if (r < 0)
		return r;
	/* what start set up, with what set changed live since */
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = NULL;
	r = ovz_host_load_live(h, ctid, &d, err);
	if (r < 0)
		return r;
	const struct ovz_backend *b;
	r = ovz_host_backend(h, &b, err);
	if (r < 0)
		return r;
	pid_t init = 0;
	bool running = ovz_host_ct_running(h, ctid, &init);
	if (running && b->stop) {	/* the kernel's own way (vz: halt, then reboot inside) */
		r = b->stop(h, d, fast, timeout, err);
		if (r < 0)
			return r;
	} else if (running && init > 0) {
		if (!fast) {
			kill(init, poweroff_signal(init));
			if (wait_pid_exit(init, (int)(timeout * 1000)))
				init = 0;
		}
		if (init > 0 && kill(init, SIGKILL) == 0)
			wait_pid_exit(init, 10000);
	}
	/* the teardown removes whatever start set up, even for a container
	 * that died on its own */
	return run_plan(h, d, OVZ_VERB_START, true, NULL, err);
}

int ovz_ct_mount(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
	int r = lock_ct(h, ctid, "mount", &lock, err);
	if (r < 0)
		return r;
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = NULL;
	r = load_created(h, ctid, &d, err);
	return r < 0 ? r : run_plan(h, d, OVZ_VERB_MOUNT, false, NULL, err);
}

int ovz_ct_umount(struct ovz_host *h, unsigned ctid, struct ovz_error **err)
{
	_cleanup_(ovz_unlockp) struct ovz_lock *lock = NULL;
	int r = lock_ct(h, ctid, "umount", &lock, err);
	if (r < 0)
		return r;
	if (ovz_host_ct_running(h, ctid, NULL))
		return ovz_error_set(err, EBUSY, "CT %u is running; stop it first", ctid);
	_cleanup_(ovz_domain_freep) struct ovz_domain *d = NULL;
	r = ovz_host_load(h, ctid, &d, err);
	return r < 0 ? r : run_plan(h, d, OVZ_VERB_MOUNT, true, NULL, err);
}

/* ---- boot ---- */

struct boot_item {
	unsigned ctid;
	long order;
};

static int cmp_boot(const void *a, const void *b)
{
	const struct boot_item *x = a, *y = b;
	if (x->order != y->order)
		return x->order > y->order ? -1 : 1;
	return x->ctid < y->ctid ? -1 : x->ctid > y->ctid;
}

static size_t boot_list(struct ovz_host *h, struct boot_item **out, struct ovz_error **err)
{
	struct ovz_ct_info *v;
	size_t n, k = 0;
	if (ovz_host_list(h, &v, &n, err) < 0)
		return 0;
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		if (!v[i].dom || v[i].dom->autostart != OVZ_YES ||
		    v[i].status == OVZ_STATUS_RUNNING)
			continue;
		const char *order = ovz_conf_get(v[i].conf, "BOOTORDER");
		(*out)[k].ctid = v[i].ctid;
		(*out)[k++].order = order ? strtol(order, NULL, 10) : 0;
	}
	ovz_ct_info_free(v, n);
	qsort(*out, k, sizeof(**out), cmp_boot);
	return k;
}

/* Exit code of child pid, or -1 while it runs. */
static int reaped(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, WNOHANG) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Waits for one of our children (never for the caller's other children):
 * on their pidfds, or (before 5.3) a look at each every 100 ms. */
static void reap_one(pid_t *pids, unsigned *ctids, unsigned slots, ovz_boot_fn done,
		     void *userdata, int *failed)
{
	struct pollfd p[256];
	unsigned slot_of[256], n = 0;
	bool pidfds = true;
	for (unsigned s = 0; s < slots && n < 256; s++) {
		if (!pids[s])
			continue;
		p[n] = (struct pollfd){ .fd = (int)syscall(SYS_pidfd_open, pids[s], 0),
					.events = POLLIN };
		pidfds = pidfds && p[n].fd >= 0;
		slot_of[n++] = s;
	}
	for (bool any = false; !any;) {
		if (poll(p, n, pidfds ? -1 : 100) < 0 && errno == EINTR)
			continue;
		for (unsigned i = 0; i < n; i++) {
			unsigned s = slot_of[i];
			int code = pids[s] ? reaped(pids[s]) : -1;
			if (code < 0)
				continue;
			*failed += code != 0;
			if (done)
				done(ctids[s], -code, userdata);
			pids[s] = 0;
			any = true;
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
}

int ovz_host_boot(struct ovz_host *h, unsigned parallel, ovz_boot_fn done, void *userdata,
		  struct ovz_error **err)
{
	struct boot_item *items = NULL;
	size_t n = boot_list(h, &items, err);
	if (err && *err) {
		free(items);
		return -(*err)->errnum;
	}
	unsigned slots = parallel ? parallel : 1, busy = 0;
	pid_t *pids = xcalloc(slots, sizeof(*pids));
	unsigned *ctids = xcalloc(slots, sizeof(*ctids));
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		while (busy == slots) {
			reap_one(pids, ctids, slots, done, userdata, &failed);
			busy = 0;
			for (unsigned s = 0; s < slots; s++)
				busy += pids[s] != 0;
		}
		unsigned s = 0;
		while (pids[s])
			s++;
		pid_t pid = fork();
		if (pid == 0) {
			struct ovz_error *e = NULL;
			int r = ovz_ct_start(h, items[i].ctid, 0, &e);
			_exit(r < 0 ? (e ? e->errnum : EIO) : 0);
		}
		if (pid < 0) {
			failed++;
			if (done)
				done(items[i].ctid, -errno, userdata);
			continue;
		}
		pids[s] = pid;
		ctids[s] = items[i].ctid;
		busy++;
	}
	for (unsigned s = 0; s < slots; s++)
		if (pids[s]) {
			int code = ovz_ct_wait(pids[s]);
			failed += code != 0;
			if (done)
				done(ctids[s], -code, userdata);
		}
	free(pids);
	free(ctids);
	free(items);
	return failed;
}
