/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libovz-native: manage OpenVZ containers from C, without vzctl.
 *
 * The one public header.  Every symbol starts with ovz_, every type is
 * opaque and is created and freed by the functions below.
 *
 * Errors.  A function that can fail returns 0 (or a non-negative value)
 * on success and a negative errno on failure.  When its last argument,
 * struct ovz_error **err, is not NULL and *err is NULL, the failure also
 * stores an error object there, which the caller owns and frees with
 * ovz_error_free().  The object keeps the errno, the innermost message and
 * the chain of contexts added on the way out, so ovz_error_message() reads
 * like a call chain: "create 101: extracting template: openat 'etc': ...".
 * Out of memory aborts the process.  The library never prints and never
 * exits.
 *
 * Threads.  The library keeps no global mutable state.  A struct ovz_host
 * and everything made from it (lists, plans) must be used by one thread at
 * a time; different handles may be used from different threads at once,
 * also for the same root.  Functions that take no handle (ovz_version,
 * ovz_validate_*, the ovz_error_*, ovz_progress_* and option accessors on
 * objects the thread owns) are safe to call from any thread.  Processes
 * and threads that change the same container are serialised by vzctl's
 * per-container lock files, so ovz-native, vzctl and libvirt can share a
 * host.  Callbacks run on the thread that called the function that takes
 * them.  While it sets up a container's network, a start or set moves only
 * the calling thread into the container's network namespace and back.
 *
 * Processes.  create, start, set, exec and autostart fork child processes
 * and wait for them by pid; a program that sets SIGCHLD to SIG_IGN (which
 * makes the kernel reap children) breaks that.  On the ns backend the init
 * of a container is a child of the process that started it; once the
 * container stops, a long-running program reaps it with waitpid() on the
 * pid ovz_container_status() gave while it ran.  The library changes no
 * signal disposition, working directory, umask or environment of its
 * caller.
 *
 * Containers are named by CTID (an unsigned number); ovz_container_lookup()
 * turns a CTID, name or UUID into one.
 *
 * Testing: when the environment variable OVZ_TEST_FAIL_STEP=N is set, the
 * plans run by create, start and restart fail at step N (and are undone),
 * so that test suites can prove that nothing is left behind.
 */
#ifndef OVZ_NATIVE_OVZ_H
#define OVZ_NATIVE_OVZ_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ---- */

/* "0.1.0": the version of the library (and of the command built on it). */
const char *ovz_version(void);

/* ---- errors ---- */

struct ovz_error;

/* The positive errno value of the failure. */
int ovz_error_errno(const struct ovz_error *err);
/* The whole message, "ctx1: ctx2: cause"; valid until the error is freed.
 * "" for NULL. */
const char *ovz_error_message(struct ovz_error *err);
/* The innermost message, without any context. */
const char *ovz_error_cause(const struct ovz_error *err);
/* The contexts added on the way out, outermost first. */
size_t ovz_error_context_count(const struct ovz_error *err);
/* NULL when i is out of range. */
const char *ovz_error_context_at(const struct ovz_error *err, size_t i);
/* The exit status the command uses for an errno (positive or negative):
 * 0 none, 1 bad input, 2 system or kernel failure, 3 conflict. */
int ovz_error_exit_code(int errnum);
void ovz_error_free(struct ovz_error *err);

/* ---- progress of long work (template extraction) ---- */

struct ovz_progress;
/* Called at most every few hundred milliseconds, and once at the end. */
typedef void (*ovz_progress_cb)(const struct ovz_progress *p, void *userdata);

uint64_t ovz_progress_bytes_in(const struct ovz_progress *p);	/* archive bytes read */
uint64_t ovz_progress_total_in(const struct ovz_progress *p);	/* archive size, 0 unknown */
uint64_t ovz_progress_bytes_out(const struct ovz_progress *p);	/* file data written */
uint64_t ovz_progress_total_out(const struct ovz_progress *p);	/* 0 when unknown */
uint64_t ovz_progress_entries(const struct ovz_progress *p);
uint64_t ovz_progress_elapsed_ns(const struct ovz_progress *p);

/* ---- the host ---- */

struct ovz_host;

/* Opens the host below root (NULL or "/" for the real one; every path
 * hangs off it) with a backend: "auto" (or NULL), "vz", "vz7" or "ns".
 * -EINVAL for an unknown backend name. */
int ovz_host_new(const char *root, const char *backend, struct ovz_host **out,
		 struct ovz_error **err);
void ovz_host_close(struct ovz_host *h);
/* The root prefix the host was opened with. */
const char *ovz_host_root(const struct ovz_host *h);
/* The backend as asked for: "auto", "vz", "vz7" or "ns". */
const char *ovz_host_backend_choice(const struct ovz_host *h);
/* The backend that runs containers: the choice, or what "auto" finds on
 * this kernel.  -ENOTSUP when the chosen backend is not built in. */
int ovz_host_probe(struct ovz_host *h, const char **backend, struct ovz_error **err);
/* What the library forgave and went on without, as vzctl does: a config
 * line it cannot parse, a duplicate key, a value it would not take (that
 * line or key is skipped).  fn gets one line, "FILE:LINE: what", each
 * message once per host; those of vz.conf at once.  Without a handler (or
 * with fn NULL) warnings are dropped. */
typedef void (*ovz_warning_fn)(void *data, const char *msg);
void ovz_host_set_warning_handler(struct ovz_host *h, ovz_warning_fn fn, void *data);

/* What vzctl's init script ("service vz start") does to a legacy OpenVZ
 * kernel before containers start, without forking helpers: the OpenVZ
 * modules loaded with init_module from ROOT/lib/modules/RELEASE unless
 * loaded or built in (vzmon, vzdquota and vzdev must be there; the network,
 * simfs and netfilter ones are tried), /dev/vzctl made (c 126 0) if
 * missing, the OOM groups and the /proc/vz cgroups, the host's venet0 up
 * (0.0.0.0/0, fe80::1 with IPV6=yes), the sysctls (ip_forward 1,
 * send_redirects 0 on venet0 and all, 1 by default, proxy_arp 0 by
 * default, route/src_check 0), VE0CPUUNITS.  Idempotent.  fn (may be
 * NULL) gets one line per thing done and "warning: ..." for an optional
 * part that failed.  -ENODEV when the kernel is not an OpenVZ one. */
typedef void (*ovz_host_init_fn)(void *data, const char *msg);
int ovz_host_init(struct ovz_host *h, ovz_host_init_fn fn, void *data, struct ovz_error **err);

/* ---- domain XML and definitions ---- */

/* Checks a document (NUL-terminated string, or a file) against the schema
 * and the semantic rules; -EINVAL with a one-line message on bad input. */
int ovz_validate_xml(const char *xml, struct ovz_error **err);
int ovz_validate_file(const char *path, struct ovz_error **err);

enum {
	/* A numeric id is taken as is, defined or not (for destroy, which
	 * also removes what an interrupted create left without a config). */
	OVZ_LOOKUP_ANY_CTID = 1 << 0,
};
/* A CTID, a name or a UUID (dashed or 32 hex digits) to the CTID of a
 * defined container; -ENOENT when there is none. */
int ovz_container_lookup(struct ovz_host *h, const char *id, unsigned flags, unsigned *ctid,
			 struct ovz_error **err);

/* Writes CTID.conf (vzctl's syntax) and the name link.  A document
 * without a CTID gets the lowest free one from 101 up.  *ctid (may be NULL)
 * receives the CTID as soon as it is known, also when a later step fails
 * (0 when the document could not be read).  Redefining keeps every config key ovz-native does not own.
 * -EEXIST when the name belongs to another container. */
int ovz_container_define_xml(struct ovz_host *h, const char *xml, unsigned *ctid,
			     struct ovz_error **err);
int ovz_container_define_file(struct ovz_host *h, const char *path, unsigned *ctid,
			      struct ovz_error **err);
/* The canonical XML (caller frees with free()). */
int ovz_container_dumpxml(struct ovz_host *h, unsigned ctid, char **xml, struct ovz_error **err);
/* Removes config and name link; -EBUSY while the private area exists or
 * the container runs. */
int ovz_container_undefine(struct ovz_host *h, unsigned ctid, struct ovz_error **err);

/* ---- listing, as `list --json` and vzlist -j ---- */

struct ovz_ct_list;

enum {
	/* Count the processes of running containers (ovz_ct_list_nproc);
	 * without it nproc may be -1 for them too. */
	OVZ_CT_LIST_NPROC = 1 << 0,
};
/* Every defined container, sorted by CTID.  The list starts before its
 * first entry: call ovz_ct_list_next() to reach it.  It holds one entry at
 * a time, read from the host when the list moves to it, so it uses h,
 * which must stay open until the list is freed. */
int ovz_ct_list_new(struct ovz_host *h, unsigned flags, struct ovz_ct_list **out,
		    struct ovz_error **err);
/* Moves to the next entry; false after the last one. */
bool ovz_ct_list_next(struct ovz_ct_list *l);
/* Number of entries, and a move to entry i (false when out of range). */
size_t ovz_ct_list_count(const struct ovz_ct_list *l);
bool ovz_ct_list_seek(struct ovz_ct_list *l, size_t i);
void ovz_ct_list_free(struct ovz_ct_list *l);

/* The current entry.  Strings belong to the list and stay valid until it
 * moves to another entry or is freed; NULL means unset.  String vectors
 * are NULL terminated and never NULL themselves. */
unsigned ovz_ct_list_ctid(const struct ovz_ct_list *l);
/* NAME, when /etc/vz/names/NAME leads to this container (as vzlist shows it). */
const char *ovz_ct_list_name(const struct ovz_ct_list *l);
const char *ovz_ct_list_uuid(const struct ovz_ct_list *l);	/* dashed, lower case */
/* "running", "stopped", "mounted" or "incomplete" (an interrupted create). */
const char *ovz_ct_list_status(const struct ovz_ct_list *l);
/* venet addresses as vzlist shows them: a stopped container's IP_ADDRESS
 * words as written (with a prefix where one is written), a running one's
 * as the kernel has them (no prefix).  veth addresses are not here. */
const char *const *ovz_ct_list_ips(const struct ovz_ct_list *l);
const char *ovz_ct_list_hostname(const struct ovz_ct_list *l);
const char *ovz_ct_list_ostemplate(const struct ovz_ct_list *l);
bool ovz_ct_list_onboot(const struct ovz_ct_list *l);
/* Processes inside; -1 when not running (or not counted). */
int ovz_ct_list_nproc(const struct ovz_ct_list *l);
const char *ovz_ct_list_description(const struct ovz_ct_list *l);
const char *const *ovz_ct_list_nameservers(const struct ovz_ct_list *l);
const char *const *ovz_ct_list_searchdomains(const struct ovz_ct_list *l);
/* VE_PRIVATE and VE_ROOT with $VEID expanded, without the root prefix. */
const char *ovz_ct_list_private(const struct ovz_ct_list *l);
const char *ovz_ct_list_root(const struct ovz_ct_list *l);
/* The backend it runs on; NULL when it does not run. */
const char *ovz_ct_list_backend(const struct ovz_ct_list *l);
/* Any key of its CTID.conf as written (KMEMSIZE, CPULIMIT, VE_LAYOUT...),
 * for the vzlist fields the model does not own. */
const char *ovz_ct_list_config(const struct ovz_ct_list *l, const char *key);
/* Why its config could not be read; NULL when it was. */
const char *ovz_ct_list_error(const struct ovz_ct_list *l);
/* Whether its private area exists (vzlist hides a stopped container
 * without one; vzctl's status calls it "deleted"). */
bool ovz_ct_list_exists(const struct ovz_ct_list *l);
/* A beancounter or quota key (KMEMSIZE, PHYSPAGES, NUMPROC, DISKSPACE...)
 * as vzctl reads it: barrier and limit in the key's own unit (bytes, pages,
 * 1K blocks or a count), one value for both, "unlimited" as LONG_MAX.
 * -ENOENT when the config does not set it, -EINVAL when vzctl would not
 * take the value. */
int ovz_ct_list_limits(const struct ovz_ct_list *l, const char *key, unsigned long long *barrier,
		       unsigned long long *limit);

/* ---- creating and running ---- */

struct ovz_create_options;

enum ovz_create_method {
	OVZ_CREATE_METHOD_EXTRACT,	/* unpack the template archive (simfs layout) */
	OVZ_CREATE_METHOD_CLONE,	/* copy the unpacked template, reflinks if possible */
	OVZ_CREATE_METHOD_OVERLAY,	/* overlayfs over the unpacked template */
};

struct ovz_create_options *ovz_create_options_new(void);
void ovz_create_options_free(struct ovz_create_options *o);
/* Each setter copies its string; NULL restores the default. */
void ovz_create_options_set_ostemplate(struct ovz_create_options *o, const char *name);
/* The config sample (vzctl's --config); default CONFIGFILE of vz.conf. */
void ovz_create_options_set_config(struct ovz_create_options *o, const char *sample);
void ovz_create_options_set_private(struct ovz_create_options *o, const char *dir);
void ovz_create_options_set_root_dir(struct ovz_create_options *o, const char *dir);
void ovz_create_options_set_hostname(struct ovz_create_options *o, const char *hostname);
void ovz_create_options_add_ip(struct ovz_create_options *o, const char *ip);
void ovz_create_options_set_method(struct ovz_create_options *o, enum ovz_create_method m);
void ovz_create_options_set_progress(struct ovz_create_options *o, ovz_progress_cb cb,
				     void *userdata);
/* When *flag becomes non-zero (e.g. in a signal handler) the create stops
 * with -EINTR and leaves nothing behind. */
void ovz_create_options_set_cancel(struct ovz_create_options *o, volatile sig_atomic_t *flag);
/* Defines and creates in one step from domain XML; -EINVAL on a bad
 * document. */
int ovz_create_options_set_xml(struct ovz_create_options *o, const char *xml,
			       struct ovz_error **err);
int ovz_create_options_set_xml_file(struct ovz_create_options *o, const char *path,
				    struct ovz_error **err);
/* After a successful create: how the private area was made, "extract",
 * "clone (reflink)", "clone (copy_file_range)", "clone (copy)" or
 * "overlay"; NULL before. */
const char *ovz_create_options_result(const struct ovz_create_options *o);

/* Makes the private area from the OS template and writes the config.  id
 * is a CTID, the name of a defined container, the name the XML gives, or
 * NULL for the XML's CTID; *ctid (may be NULL) receives the CTID.  o may
 * be NULL for the defaults.  -EEXIST when the private area exists. */
int ovz_container_create(struct ovz_host *h, const char *id, struct ovz_create_options *o,
			 unsigned *ctid, struct ovz_error **err);
/* Removes a stopped container's private area, root and config; -EBUSY
 * while it runs. */
int ovz_container_destroy(struct ovz_host *h, unsigned ctid, struct ovz_error **err);

/* -EALREADY when it runs already. */
int ovz_container_start(struct ovz_host *h, unsigned ctid, struct ovz_error **err);

enum {
	/* SIGKILL at once instead of asking init to power off first. */
	OVZ_STOP_FAST = 1 << 0,
	/* Ask init to power off, then SIGKILL without waiting (timeout is
	 * ignored): what `stop --timeout 0` does. */
	OVZ_STOP_NO_WAIT = 1 << 1,
};
/* Asks init to power off and kills what is left after timeout seconds
 * (0: vzctl's 120).  Stopping a stopped container succeeds. */
int ovz_container_stop(struct ovz_host *h, unsigned ctid, unsigned flags, unsigned timeout,
		       struct ovz_error **err);
int ovz_container_restart(struct ovz_host *h, unsigned ctid, unsigned flags, unsigned timeout,
			  struct ovz_error **err);
/* Mounts the private area on the root; unmounts a stopped container's. */
int ovz_container_mount(struct ovz_host *h, unsigned ctid, struct ovz_error **err);
int ovz_container_umount(struct ovz_host *h, unsigned ctid, struct ovz_error **err);

enum {
	OVZ_CT_EXISTS = 1 << 0,		/* the private area is complete */
	OVZ_CT_MOUNTED = 1 << 1,
	OVZ_CT_RUNNING = 1 << 2,
	OVZ_CT_INCOMPLETE = 1 << 3,	/* a create or destroy was interrupted */
};
/* *state gets OVZ_CT_* bits; *init_pid (may be NULL) the host pid of the
 * container's init, 0 when it does not run. */
int ovz_container_status(struct ovz_host *h, unsigned ctid, unsigned *state, pid_t *init_pid,
			 struct ovz_error **err);

/* Called once per container ovz_host_autostart started, with 0 or the
 * negative errno of its failure. */
typedef void (*ovz_boot_cb)(unsigned ctid, int result, void *userdata);
/* What the boot service does: starts every container with ONBOOT=yes that
 * does not run, higher BOOTORDER first, at most parallel at a time (each
 * in a child process of its own; a failure's message stays there).
 * Returns the number that failed. */
int ovz_host_autostart(struct ovz_host *h, unsigned parallel, ovz_boot_cb done,
		       void *userdata, struct ovz_error **err);

/* ---- changing a container (vzctl set) ---- */

struct ovz_changes;

struct ovz_changes *ovz_changes_new(void);
void ovz_changes_free(struct ovz_changes *c);
/* One vzctl set option without its dashes, applied in the order added:
 * hostname, ipadd, ipdel (an address or "all"), nameserver, searchdomain
 * (the first of each replaces the list, later ones add), onboot (yes|no),
 * cpus, cpuunits, cpulimit (percent), memory or ram (512M, 2G...),
 * netif_add (IFNAME[,MAC,HOST_IFNAME,HOST_MAC,BRIDGE]), netif_del (IFNAME
 * or "all"), name, description.  -EINVAL for an unknown option or a
 * malformed value; values that depend on the container (an address
 * already assigned) are checked by ovz_container_set. */
int ovz_changes_add(struct ovz_changes *c, const char *option, const char *value,
		    struct ovz_error **err);
size_t ovz_changes_count(const struct ovz_changes *c);

enum {
	/* Also write the config of a running container (a stopped one's
	 * config is always written). */
	OVZ_SET_SAVE = 1 << 0,
};
/* Checks every change first, then applies them: live to a running
 * container, and to its config.  *live (may be NULL) tells whether they
 * were applied to a running container. */
int ovz_container_set(struct ovz_host *h, unsigned ctid, const struct ovz_changes *c,
		      unsigned flags, bool *live, struct ovz_error **err);
/* The checks ovz_container_set makes before it changes anything, alone:
 * changes nothing.  -EINVAL when a change does not fit the container (an
 * address already assigned, an interface that exists, a removal that finds
 * nothing): *refused (may be NULL) then gets that change's index in the
 * order added; it is -1 when the failure is not about one change (nothing
 * to set, a config that cannot be read). */
int ovz_container_check_changes(struct ovz_host *h, unsigned ctid, const struct ovz_changes *c,
				ssize_t *refused, struct ovz_error **err);

/* ---- running commands inside ---- */

enum {
	/* The first terminal among fds (a pty made for the command) becomes
	 * its controlling terminal. */
	OVZ_EXEC_TTY = 1 << 0,
};
/* Starts argv (argv[0] looked up in the container's standard PATH when it
 * has no slash) inside the running container, with its namespaces, cgroup
 * and capability set.  envp NULL gives root's login environment; fds may
 * be NULL, and an fd of -1 is inherited.  Returns once the command was
 * exec'd: -ENOENT when it could not be found.  *pid is for
 * ovz_container_wait().  The command leads a session of its own and gets
 * no descriptor of the caller's but fds.  It never gets the caller's
 * terminal: a terminal among fds is refused (-EINVAL) unless flags has
 * OVZ_EXEC_TTY, and the caller's controlling terminal always; give it a
 * pty of its own and relay it, as the command's exec and enter do.  An fd
 * is the container's: a host file among fds can be reopened from inside
 * through /proc/self/fd (for writing, or chmod'ed setuid): pass a pipe and
 * copy, as the command's exec does for files. */
int ovz_container_spawn(struct ovz_host *h, unsigned ctid, char *const argv[],
			char *const envp[], const int fds[3], unsigned flags, pid_t *pid,
			struct ovz_error **err);
/* The exit status of a spawned command, 128+signal when it was killed. */
int ovz_container_wait(pid_t pid);
/* spawn and wait: *status gets the command's exit status, or 127 (not
 * found) or 125 (could not be started) on failure. */
int ovz_container_exec(struct ovz_host *h, unsigned ctid, char *const argv[],
		       char *const envp[], const int fds[3], unsigned flags, int *status,
		       struct ovz_error **err);

/* ---- plans: what a verb would do, as data and as text ---- */

struct ovz_verb_plan;

enum ovz_plan_verb {
	OVZ_PLAN_VERB_CREATE,
	OVZ_PLAN_VERB_DESTROY,	/* the teardown of create */
	OVZ_PLAN_VERB_START,
	OVZ_PLAN_VERB_STOP,	/* the teardown of start */
	OVZ_PLAN_VERB_MOUNT,
	OVZ_PLAN_VERB_UMOUNT,	/* the teardown of mount */
};

/* The plan of verb for a defined container, or for a document that gives a
 * CTID (nothing is defined).  -ENOTSUP, naming the element, when the
 * backend cannot carry the definition out. */
int ovz_verb_plan_new(struct ovz_host *h, unsigned ctid, enum ovz_plan_verb verb,
		      struct ovz_verb_plan **out, struct ovz_error **err);
int ovz_verb_plan_new_xml(struct ovz_host *h, const char *xml, enum ovz_plan_verb verb,
			  struct ovz_verb_plan **out, struct ovz_error **err);
int ovz_verb_plan_new_file(struct ovz_host *h, const char *path, enum ovz_plan_verb verb,
			   struct ovz_verb_plan **out, struct ovz_error **err);
void ovz_verb_plan_free(struct ovz_verb_plan *p);
/* Parses "create", "destroy", "start", "stop", "mount" or "umount";
 * -EINVAL for anything else. */
int ovz_plan_verb_from_name(const char *name, enum ovz_plan_verb *verb);
const char *ovz_verb_plan_backend(const struct ovz_verb_plan *p);
unsigned ovz_verb_plan_ctid(const struct ovz_verb_plan *p);
/* Steps in the order they run; i from 0.  Out of range gives NULL. */
size_t ovz_verb_plan_steps(const struct ovz_verb_plan *p);
const char *ovz_verb_plan_step_context(const struct ovz_verb_plan *p, size_t i); /* "host", "ct" */
const char *ovz_verb_plan_step_mechanism(const struct ovz_verb_plan *p, size_t i); /* "netlink" */
const char *ovz_verb_plan_step_call(const struct ovz_verb_plan *p, size_t i); /* "RTM_NEWLINK veth" */
const char *ovz_verb_plan_step_args(const struct ovz_verb_plan *p, size_t i); /* "key=value ..." */
/* One line per step ("ns  netlink RTM_NEWLINK veth host=..."), and the same
 * as a JSON object; both belong to the plan. */
const char *ovz_verb_plan_text(const struct ovz_verb_plan *p);
const char *ovz_verb_plan_json(const struct ovz_verb_plan *p);

/* ---- OS templates ---- */

struct ovz_tmpl_list;

enum ovz_tmpl_kind {
	OVZ_TMPL_ARCHIVE,	/* TEMPLATE/cache/NAME.tar[.gz|.xz|...] */
	OVZ_TMPL_UNPACKED,	/* the unpacked tree of the current archive */
	OVZ_TMPL_UNPACKED_STALE,	/* of an older or removed archive, kept for
					 * overlay containers that use it */
};

/* Archives and unpacked trees, sorted by name then kind.  Like the
 * container list, it starts before its first entry. */
int ovz_tmpl_list_new(struct ovz_host *h, struct ovz_tmpl_list **out, struct ovz_error **err);
bool ovz_tmpl_list_next(struct ovz_tmpl_list *l);
void ovz_tmpl_list_free(struct ovz_tmpl_list *l);
const char *ovz_tmpl_list_name(const struct ovz_tmpl_list *l);
const char *ovz_tmpl_list_path(const struct ovz_tmpl_list *l);
enum ovz_tmpl_kind ovz_tmpl_list_kind(const struct ovz_tmpl_list *l);
/* Archives: "tar", "gzip", "bzip2", "xz", "zstd" or "lz4"; else NULL. */
const char *ovz_tmpl_list_compression(const struct ovz_tmpl_list *l);
uint64_t ovz_tmpl_list_size(const struct ovz_tmpl_list *l);	/* archive bytes */
struct timespec ovz_tmpl_list_mtime(const struct ovz_tmpl_list *l);
/* Unpacked trees: true when an unpack of it was interrupted (or runs now). */
bool ovz_tmpl_list_incomplete(const struct ovz_tmpl_list *l);

/* -EINVAL, with the reason, when name cannot be a template's (empty or
 * NULL, too long, a slash or "..", a leading dash, whitespace or control
 * characters); nothing is looked up. */
int ovz_tmpl_check_name(const char *name, struct ovz_error **err);

/* Makes sure the unpacked tree of the named template's current archive
 * exists (what clone and overlay creates use), extracting it if needed and
 * waiting while another process does.  *dir (may be NULL; caller frees)
 * gets its path, *fresh (may be NULL) whether this call extracted it. */
int ovz_tmpl_unpack(struct ovz_host *h, const char *name, ovz_progress_cb cb, void *userdata,
		    volatile sig_atomic_t *cancel, char **dir, bool *fresh,
		    struct ovz_error **err);

#ifdef __cplusplus
}
#endif

#endif
