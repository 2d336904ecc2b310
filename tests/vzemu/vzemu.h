/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vzemu: an OpenVZ kernel emulated in user space for tests.  A seccomp
 * filter with user notification hands the OpenVZ parts of the kernel ABI
 * (opens of /dev/vzctl and /proc/vz files, the /dev/vzctl ioctls, the
 * OpenVZ syscalls, simfs mounts, reboot and kill(-1) from inside a VE) to
 * this supervisor, which answers them from an in-memory model of the
 * kernel's VEs and beancounters.  Everything else runs on the real kernel.
 * See docs/testing.md for what is real and what is only recorded. */
#ifndef VZEMU_H
#define VZEMU_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/seccomp.h>

#include "core/util.h"

/* ---- the kernel side of the ABI, x86_64, from openvz-abi.md §1-2 ----
 * Kept apart from src/net/vzabi.h on purpose: the emulator decodes raw
 * bytes at the documented offsets, so a wrong layout in the library shows
 * up as a failing call instead of agreeing with itself. */
#define EMU_IOW(t, nr, size) ((1u << 30) | ((unsigned)(size) << 16) | ((unsigned)(t) << 8) | (nr))
#define EMU_IOR(t, nr, size) ((2u << 30) | ((unsigned)(size) << 16) | ((unsigned)(t) << 8) | (nr))

#define EMU_VZCTL_SETDEVPERMS EMU_IOW('.', 2, 16)
#define EMU_VZCTL_ENV_CREATE EMU_IOW('.', 5, 12)
#define EMU_VZCTL_GET_CPU_STAT EMU_IOW('.', 6, 16)
#define EMU_VZCTL_ENV_CREATE_DATA EMU_IOW('.', 10, 32)
#define EMU_VZCTL_VE_NETDEV EMU_IOW('.', 11, 16)
#define EMU_VZCTL_VE_MEMINFO EMU_IOW('.', 13, 16)
#define EMU_VZCTL_VE_CONFIGURE EMU_IOW('.', 15, 16)
#define EMU_VENETCTL_VE_IP_MAP EMU_IOW('(', 3, 24)
#define EMU_VETHCTL_VE_HWADDR EMU_IOW('[', 3, 64)
#define EMU_VZCTL_GET_VEIDS EMU_IOR('x', 1, 16)
#define EMU_VZCTL_GET_VEPIDS EMU_IOR('x', 2, 16)
#define EMU_VZCTL_GET_VEIPS EMU_IOR('x', 3, 16)
#define EMU_VZCTL_GET_VEIP6S EMU_IOR('x', 4, 16)

enum { EMU_VE_CREATE = 1, EMU_VE_EXCLUSIVE = 2, EMU_VE_ENTER = 4, EMU_VE_TEST = 8,
       EMU_VE_LOCK = 16, EMU_VE_SKIPLOCK = 32 };
enum { EMU_NR_FIRST = 497, EMU_NR_FAIRSCHED_NODEMASK = 497, EMU_NR_FAIRSCHED_CPUMASK = 498,
       EMU_NR_FAIRSCHED_VCPUS = 499, EMU_NR_GETLUID = 500, EMU_NR_SETLUID = 501,
       EMU_NR_SETUBLIMIT = 502, EMU_NR_UBSTAT = 503, EMU_NR_FAIRSCHED_MKNOD = 504,
       EMU_NR_FAIRSCHED_RMNOD = 505, EMU_NR_FAIRSCHED_CHWT = 506,
       EMU_NR_FAIRSCHED_MVPR = 507, EMU_NR_FAIRSCHED_RATE = 508, EMU_NR_LAST = 510 };
#define EMU_UB_RESOURCES 25
#define EMU_UB_NUMPROC 5
#define EMU_LONG_MAX 9223372036854775807ULL
#define EMU_ENOTSUPP 524	/* the kernel-internal errno vz7 answers ENV_CREATE with */

enum emu_kernel { EMU_KERNEL_LEGACY, EMU_KERNEL_VZ7 };
struct emu;

/* ---- age.c: what the emulated kernel is too old for ---- */
#define EMU_KV(a, b, c) (((unsigned)(a) << 16) | ((unsigned)(b) << 8) | (unsigned)(c))
enum emu_age_kind { EMU_AGE_SYSCALL, EMU_AGE_PRCTL, EMU_AGE_FCNTL, EMU_AGE_UNSHARE,
		    EMU_AGE_OPEN, EMU_AGE_CAP, EMU_AGE_FILE };
/* In a probe: a pointer to a zeroed buffer, or the probe's descriptor. */
#define EMU_PROBE_BUF (-2L)
#define EMU_PROBE_FD (-3L)
struct emu_age {
	enum emu_age_kind kind;
	const char *name;
	uint32_t value;		/* syscall number, option, command, flag bits or
				 * capability (PR_CAPBSET_READ/DROP); 0 for a file */
	unsigned since;		/* EMU_KV of the mainline release that added it */
	int err;		/* what an older kernel answers */
	unsigned backported;	/* 1 << enum emu_kernel: that kernel has it anyway */
	long probe[4];		/* arguments the tests call it with (see age.c) */
};
extern const struct emu_age emu_age_table[];
extern const size_t emu_age_count;
unsigned emu_kernel_version(enum emu_kernel k);
unsigned emu_kernel_last_nr(enum emu_kernel k);
bool emu_age_lacks(const struct emu_age *a, enum emu_kernel k);
/* A /proc file the emulated kernel lacks (ENOENT), unless modern_syscalls. */
bool emu_age_file_absent(const struct emu *e, const char *path);

/* ---- the model ---- */

struct emu_ip {
	int family;
	uint8_t addr[16];
};

struct emu_veth {
	char host[16], ve[16];
	uint8_t mac[6], ve_mac[6];
	bool mac_change_allowed;
};

/* A process recorded in a vz7 ve cgroup (FUSE cannot move tasks). */
struct emu_task {
	pid_t pid;
	long long start_ticks;
};

/* A process's capability sets, as /proc/PID/status shows them. */
struct emu_caps {
	uint64_t inh, prm, eff, bnd;
};
#define EMU_CAP_NET_ADMIN 12
#define EMU_CAP_SYS_ADMIN 21
#define EMU_CAP_VE_ADMIN 30	/* the legacy kernel's (AUDIT_CONTROL elsewhere) */
#define EMU_LEGACY_LAST_CAP 33	/* CAP_MAC_ADMIN */

struct emu_ve {
	unsigned veid;			/* vz7: 0 while ve.veid is unset */
	unsigned class_id;
	unsigned flags;			/* as created: VE_LOCK is kept */
	pid_t init;			/* as the host sees it */
	int pidfd;
	char root[PATH_MAX];		/* the init's root when it created the VE */
	char cgroup[PATH_MAX];		/* absolute directory */
	char cgroup_rel[PATH_MAX];	/* as /proc/PID/cgroup shows it */
	uint64_t iptables_mask, features, known_features;
	unsigned total_vcpus;
	int datalen;
	struct emu_ip *ips;
	size_t n_ips;
	struct emu_ip *ext_ips;
	size_t n_ext_ips;
	struct emu_veth *veths;
	size_t n_veths;
	char **netdevs;			/* host devices moved in (VZCTL_VE_NETDEV) */
	int netns_fd;			/* held while any is: they go back at stop */
	char os_release[65];
	unsigned long meminfo;
	unsigned cpu_weight, cpu_rate, vcpus;
	struct timespec started;	/* CLOCK_MONOTONIC */
	bool namespaces;		/* the init got its own uts, ipc and net */
	/* legacy: the creator's effective set (ve_cap_bset), and the init's
	 * credentials, which VE_ENTER gives every process entering */
	uint64_t cap_bset;
	struct emu_caps init_caps;
	/* OpenVZ 7: a VE is a directory of the ve cgroup, running (init > 0)
	 * or not; cgroup[] stays empty */
	struct emu *emu;
	char name[64];			/* the directory's name (the CTID) */
	uint64_t node;			/* its FUSE node id */
	bool pseudosuper;
	struct emu_task *tasks;		/* attached, and what they forked since */
	size_t n_tasks;
	char venet_host[16];		/* the scenario's end of its venet ("": none) */
};

struct emu_ub {
	unsigned id;
	unsigned long barrier[EMU_UB_RESOURCES], limit[EMU_UB_RESOURCES];
};

/* setluid is sticky per process and inherited by children. */
struct emu_luid {
	pid_t pid;
	long long start_ticks;
	unsigned id;
};

struct emu {
	enum emu_kernel kernel;
	int listener;
	FILE *transcript;
	long calls;			/* emulated calls so far */
	long fail_at;			/* --fail-call N (0: never) */
	int fail_errno;
	int vzctl_fd;			/* the memfd behind /dev/vzctl */
	dev_t vzctl_dev;
	ino_t vzctl_ino;
	char cg_base[2048];		/* our cgroup v2 directory */
	char cg_base_rel[1024];
	pid_t command;
	int command_pidfd;
	struct emu_ve **ves;
	size_t n_ves;
	struct emu_ub *ubs;
	size_t n_ubs;
	struct emu_luid *luids;
	size_t n_luids;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
	bool verbose;
	bool modern_syscalls;		/* let through what the kernel is too old for */
	/* OpenVZ 7 */
	int fuse_fd;			/* /dev/fuse serving /sys/fs/cgroup/ve */
	int exits_ep;			/* epoll of the VEs' init pidfds */
	uint64_t next_node;
	struct emu_task *ve0_tasks;	/* moved back to the root ve cgroup */
	size_t n_ve0_tasks;
	unsigned venet_seq;
};

/* One emulated call being answered: what goes into the transcript. */
struct emu_call {
	struct emu *e;
	const struct seccomp_notif *req;
	const char *op;
	char comm[32];			/* read first: the caller may not survive */
	long long veid;			/* -1: none */
	struct strbuf args;		/* JSON members, comma separated */
	const char *note;
	bool injected;
};

/* ---- notify.c: talking to the traced process ---- */
int emu_read_mem(pid_t pid, uint64_t addr, void *buf, size_t len);
int emu_write_mem(pid_t pid, uint64_t addr, const void *buf, size_t len);
/* Reads a NUL-terminated string of at most max-1 bytes; -ENAMETOOLONG. */
int emu_read_str(pid_t pid, uint64_t addr, char *buf, size_t max);
bool emu_id_valid(struct emu *e, uint64_t id);
void emu_reply_continue(struct emu *e, uint64_t id);
void emu_reply(struct emu *e, uint64_t id, long long val, int err);
/* Installs fd in the target and answers the call with its number. */
int emu_reply_fd(struct emu *e, uint64_t id, int fd, bool cloexec);
/* Installs fd in the target without answering; its number there. */
int emu_add_fd(struct emu *e, uint64_t id, int fd);

/* ---- call.c: counting, failure injection, transcript ---- */
/* Starts an emulated call; returns true when --fail-call picks it, in
 * which case the caller answers with e->fail_errno and does nothing. */
bool emu_call_begin(struct emu_call *c, struct emu *e, const struct seccomp_notif *req,
		    const char *op, long long veid);
/* The same for a call that is not a seccomp notification (a FUSE request):
 * end it with emu_call_end and answer it yourself. */
bool emu_call_start(struct emu_call *c, struct emu *e, pid_t pid, const char *op,
		    long long veid);
void emu_arg_str(struct emu_call *c, const char *key, const char *val);
void emu_arg_num(struct emu_call *c, const char *key, long long val);
void emu_arg_hex(struct emu_call *c, const char *key, unsigned long long val);
void emu_arg_raw(struct emu_call *c, const char *key, const char *json);
/* Writes the transcript line: result is val when err is 0, else err's name. */
void emu_call_end(struct emu_call *c, long long val, int err);
/* Answers the call too. */
void emu_call_finish(struct emu_call *c, long long val, int err);
const char *emu_errno_name(int err);
int emu_errno_from_name(const char *s);

/* ---- model.c ---- */
struct emu_ve *emu_ve_find(struct emu *e, unsigned veid);
/* The VE a process is in (by its cgroup), or NULL for VE0. */
struct emu_ve *emu_ve_of(struct emu *e, pid_t pid);
struct emu_ve *emu_ve_new(struct emu *e, unsigned veid);
bool emu_ve_running(const struct emu_ve *ve);
int emu_ve_attach(struct emu *e, struct emu_ve *ve, pid_t pid);
/* Kills every process of the VE and forgets it. */
void emu_ve_stop(struct emu *e, struct emu_ve *ve, const char *why);
/* Forgets VEs whose init has exited (after killing what is left); cheap
 * when none has (one epoll_wait), as it runs before every call that
 * concerns VEs. */
void emu_ve_prune(struct emu *e);
/* After ve->pidfd is set: its init's exit makes emu_ve_prune look. */
void emu_ve_watch(struct emu *e, struct emu_ve *ve);
/* Drops setluid records of exited processes and beancounters nobody uses. */
void emu_ub_prune(struct emu *e);
int emu_ve_nproc(const struct emu_ve *ve);
pid_t *emu_ve_pids(const struct emu_ve *ve, size_t *n);
struct emu_ub *emu_ub_find(struct emu *e, unsigned id);
struct emu_ub *emu_ub_get(struct emu *e, unsigned id);
unsigned emu_luid_of(struct emu *e, pid_t pid);
void emu_luid_set(struct emu *e, pid_t pid, unsigned id);
void emu_ip_text(const struct emu_ip *ip, char *buf, size_t len);
struct emu_ve *emu_ip_owner(struct emu *e, const struct emu_ip *ip);
struct ovz_nl;
int emu_standin_link(struct ovz_nl *nl, const char *name);
int emu_cgroup_setup(struct emu *e);
void emu_cgroup_cleanup(struct emu *e);
/* Fields of /proc/PID/status and /proc/PID/stat. */
int emu_proc_threads(pid_t pid);
bool emu_proc_tgid(pid_t tid, pid_t *tgid);
int emu_proc_uid(pid_t pid);
bool emu_proc_caps(pid_t pid, struct emu_caps *caps);
bool emu_proc_stat(pid_t pid, pid_t *ppid, pid_t *pgrp, pid_t *session, int *tty_nr);
int emu_proc_comm(pid_t pid, char *buf, size_t len);

/* ---- inject.c: syscalls run by a stopped target (ptrace) ---- */
struct emu_inject;
/* In an unused argument of an injected call the filter would trap
 * (capset): lets it through to the kernel. */
#define EMU_INJECTED 0x767a656du
/* Seizes tid and asks it to stop at its next return to user space; call
 * before answering its notification. */
int emu_inject_prepare(pid_t tid);
/* Waits for that stop; then emu_inject_call any number of times. */
int emu_inject_begin(pid_t tid, struct emu_inject **out);
long emu_inject_call(struct emu_inject *in, long nr, long a0, long a1, long a2, long a3);
/* Copies s into the target's scratch area and returns its address there. */
long emu_inject_str(struct emu_inject *in, const char *s);
/* The same for len bytes. */
long emu_inject_data(struct emu_inject *in, const void *s, size_t len);
/* Restores the registers and lets the target go. */
void emu_inject_end(struct emu_inject *in);

/* ioctl.c: whether pid is still in the scenario's network namespace, and
 * the unshare that gives a VE's init its namespaces. */
bool emu_in_scenario_netns(pid_t pid);
long emu_inject_ve_namespaces(struct emu_inject *in);

/* ---- handlers ---- */
void emu_handle_open(struct emu *e, const struct seccomp_notif *req);
void emu_handle_stat(struct emu *e, const struct seccomp_notif *req);
void emu_handle_ioctl(struct emu *e, const struct seccomp_notif *req);
void emu_handle_vzsyscall(struct emu *e, const struct seccomp_notif *req);
void emu_handle_mount(struct emu *e, const struct seccomp_notif *req);
void emu_handle_reboot(struct emu *e, const struct seccomp_notif *req);
void emu_handle_kill(struct emu *e, const struct seccomp_notif *req);
void emu_handle_sethostname(struct emu *e, const struct seccomp_notif *req);
void emu_handle_capset(struct emu *e, const struct seccomp_notif *req);
/* /proc file contents (procfs.c); NULL when path is not emulated. */
char *emu_proc_render(struct emu *e, const char *path);

/* ---- OpenVZ 7 (--kernel vz7) ---- */
/* vecg.c: the ve cgroup's directories and files, and which process is in
 * which VE (a recorded task or a descendant of one). */
enum { EMU_VEF_STATE, EMU_VEF_VEID, EMU_VEF_FEATURES, EMU_VEF_IPTABLES_MASK,
       EMU_VEF_PSEUDOSUPER, EMU_VEF_IP_ALLOW, EMU_VEF_IP6_ALLOW, EMU_VEF_IP_DENY,
       EMU_VEF_IP6_DENY, EMU_VEF_IP_LIST, EMU_VEF_IP6_LIST, EMU_VEF_PROCS, EMU_VEF_TASKS,
       EMU_VEF_COUNT };
struct emu_ve_file {
	const char *name;
	unsigned mode;
};
extern const struct emu_ve_file emu_ve_files[EMU_VEF_COUNT];
/* The file of that name, or -1. */
int emu_ve_file_index(const char *name);
struct emu_ve *emu_vz7_find_name(struct emu *e, const char *name);
/* Each returns 0 or a positive errno. */
int emu_vz7_mkdir(struct emu *e, pid_t pid, const char *name, struct emu_ve **out);
int emu_vz7_rmdir(struct emu *e, pid_t pid, const char *name);
/* ve NULL: the root directory (only cgroup.procs and tasks). */
int emu_vz7_write(struct emu *e, struct emu_ve *ve, int file, pid_t pid, const char *data,
		  size_t len);
int emu_vz7_read(struct emu *e, struct emu_ve *ve, int file, pid_t pid, char **out);
struct emu_ve *emu_vz7_ve_of(struct emu *e, pid_t pid);
/* Live processes (threads: tids) of the VE, sorted. */
pid_t *emu_vz7_members(struct emu *e, struct emu_ve *ve, bool threads, size_t *n);
/* What the kernel does when a VE's init has exited. */
void emu_vz7_stopped(struct emu *e, struct emu_ve *ve);
void emu_vz7_free_all(struct emu *e);
/* Whether pid is in another pid namespace than the emulator. */
bool emu_in_child_pidns(pid_t pid);

/* fuse.c: /sys/fs/cgroup/ve in the scenario's mount namespace */
int emu_fuse_setup(struct emu *e);
void emu_fuse_serve(struct emu *e);

/* venet.c: RTM_NEWLINK of kind venet (sendto, sendmsg) */
void emu_handle_send(struct emu *e, const struct seccomp_notif *req);
void emu_venet_remove(struct emu *e, struct emu_ve *ve);

#endif
