// SPDX-License-Identifier: LGPL-2.1-or-later
#include "caps.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const cap_names[] = {
	[CAP_CHOWN] = "CHOWN",
	[CAP_DAC_OVERRIDE] = "DAC_OVERRIDE",
	[CAP_DAC_READ_SEARCH] = "DAC_READ_SEARCH",
	[CAP_FOWNER] = "FOWNER",
	[CAP_FSETID] = "FSETID",
	[CAP_KILL] = "KILL",
	[CAP_SETGID] = "SETGID",
	[CAP_SETUID] = "SETUID",
	[CAP_SETPCAP] = "SETPCAP",
	[CAP_LINUX_IMMUTABLE] = "LINUX_IMMUTABLE",
	[CAP_NET_BIND_SERVICE] = "NET_BIND_SERVICE",
	[CAP_NET_BROADCAST] = "NET_BROADCAST",
	[CAP_NET_ADMIN] = "NET_ADMIN",
	[CAP_NET_RAW] = "NET_RAW",
	[CAP_IPC_LOCK] = "IPC_LOCK",
	[CAP_IPC_OWNER] = "IPC_OWNER",
	[CAP_SYS_MODULE] = "SYS_MODULE",
	[CAP_SYS_RAWIO] = "SYS_RAWIO",
	[CAP_SYS_CHROOT] = "SYS_CHROOT",
	[CAP_SYS_PTRACE] = "SYS_PTRACE",
	[CAP_SYS_PACCT] = "SYS_PACCT",
	[CAP_SYS_ADMIN] = "SYS_ADMIN",
	[CAP_SYS_BOOT] = "SYS_BOOT",
	[CAP_SYS_NICE] = "SYS_NICE",
	[CAP_SYS_RESOURCE] = "SYS_RESOURCE",
	[CAP_SYS_TIME] = "SYS_TIME",
	[CAP_SYS_TTY_CONFIG] = "SYS_TTY_CONFIG",
	[CAP_MKNOD] = "MKNOD",
	[CAP_LEASE] = "LEASE",
	[CAP_AUDIT_WRITE] = "AUDIT_WRITE",
	[CAP_AUDIT_CONTROL] = "AUDIT_CONTROL",
	[CAP_SETFCAP] = "SETFCAP",
	[CAP_MAC_OVERRIDE] = "MAC_OVERRIDE",
	[CAP_MAC_ADMIN] = "MAC_ADMIN",
	[CAP_SYSLOG] = "SYSLOG",
	[CAP_WAKE_ALARM] = "WAKE_ALARM",
	[CAP_BLOCK_SUSPEND] = "BLOCK_SUSPEND",
	[CAP_AUDIT_READ] = "AUDIT_READ",
	[CAP_PERFMON] = "PERFMON",
	[CAP_BPF] = "BPF",
	[CAP_CHECKPOINT_RESTORE] = "CHECKPOINT_RESTORE",
};

/* vzctl 4.x CAPDEFAULTMASK (src/lib/cap.c), confirming openvz-abi.md §3.1
 * step 6 (no SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_TIME), minus:
 * - VE_ADMIN: OpenVZ's bit 30, admin rights inside the container only.
 *   Mainline has no such capability; bit 30 there is AUDIT_CONTROL, which
 *   configures the host's audit, so it is not granted.
 * - DAC_READ_SEARCH: outside a user namespace it allows
 *   open_by_handle_at(), which opens any inode of the filesystem holding
 *   the private area and so escapes the root.  DAC_OVERRIDE still lets
 *   root read and search everything by path.
 * NET_ADMIN and SYS_ADMIN stay off, as in vzctl: its "upstream kernel"
 * mask adds both only because it runs the container in a user namespace,
 * which the ns backend does not, so here they would act on the host.
 * (vzctl raises NET_ADMIN for FEATURES="bridge:on"; callers that map that
 * feature do the same through the mask.) */
uint64_t ovz_caps_default(void)
{
	static const int on[] = {
		CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID,
		CAP_SETUID, CAP_SETPCAP, CAP_LINUX_IMMUTABLE, CAP_NET_BIND_SERVICE,
		CAP_NET_BROADCAST, CAP_NET_RAW, CAP_IPC_LOCK, CAP_IPC_OWNER, CAP_SYS_CHROOT,
		CAP_SYS_PTRACE, CAP_SYS_BOOT, CAP_SYS_NICE, CAP_SYS_RESOURCE,
		CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_LEASE, CAP_AUDIT_WRITE, CAP_SETFCAP,
	};
	uint64_t mask = 0;
	for (size_t i = 0; i < ARRAY_SIZE(on); i++)
		mask |= OVZ_CAP_BIT(on[i]);
	return mask;
}

const char *ovz_cap_name(int cap)
{
	return cap >= 0 && (size_t)cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

int ovz_cap_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	/* On OpenVZ, VE_ADMIN is what lets container root configure its own
	 * network (ip, iptables); in a network namespace that is NET_ADMIN. */
	if (strcasecmp(name, "VE_ADMIN") == 0)
		return CAP_NET_ADMIN;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return (int)i;
	return -1;
}

static int parse_token(const char *tok, uint64_t *mask, struct ovz_error **err)
{
	const char *colon = strrchr(tok, ':');
	if (!colon || colon == tok)
		return ovz_error_set(err, EINVAL, "capability '%s' is not NAME:on or NAME:off", tok);
	bool on;
	if (strcasecmp(colon + 1, "on") == 0)
		on = true;
	else if (strcasecmp(colon + 1, "off") == 0)
		on = false;
	else
		return ovz_error_set(err, EINVAL, "capability '%s': '%s' is neither on nor off", tok,
				     colon + 1);
	_cleanup_free_ char *name = xstrndup(tok, (size_t)(colon - tok));
	int cap = ovz_cap_from_name(name);
	if (cap < 0)
		return ovz_error_set(err, EINVAL, "unknown capability '%s'", name);
	if (on)
		*mask |= OVZ_CAP_BIT(cap);
	else
		*mask &= ~OVZ_CAP_BIT(cap);
	return 0;
}

int ovz_caps_parse(const char *value, uint64_t *mask, struct ovz_error **err)
{
	uint64_t m = *mask;
	_cleanup_strv_ char **toks = strv_split(value ? value : "", " \t,\n");
	for (char **t = toks; t && *t; t++) {
		int r = parse_token(*t, &m, err);
		if (r < 0)
			return ovz_error_wrap(err, r, "CAPABILITY");
	}
	*mask = m;
	return 0;
}

char *ovz_caps_format(uint64_t mask)
{
	struct strbuf sb = STRBUF_INIT;
	for (int c = 0; c < 64; c++) {
		if (!(mask & OVZ_CAP_BIT(c)))
			continue;
		if (sb.len)
			strbuf_putc(&sb, ' ');
		const char *name = ovz_cap_name(c);
		if (name)
			strbuf_puts(&sb, name);
		else
			strbuf_printf(&sb, "%d", c);
	}
	return strbuf_steal(&sb);
}

/* Capabilities the running kernel knows, at most 64. */
static int kernel_caps(void)
{
	int n = (int)cap_max_bits();
	return n > 64 ? 64 : n;
}

static int drop_bounding(uint64_t keep, int n, struct ovz_error **err)
{
	for (int c = 0; c < n; c++) {
		if ((keep & OVZ_CAP_BIT(c)) || cap_get_bound(c) != 1)
			continue;
		if (cap_drop_bound(c) < 0)
			return ovz_error_sys(err, errno, "dropping %s from the bounding set",
					     ovz_cap_name(c) ? ovz_cap_name(c) : "capability");
	}
	return 0;
}

static int drop_inheritable(uint64_t keep, int n, struct ovz_error **err)
{
	cap_t caps = cap_get_proc();
	if (!caps)
		return ovz_error_sys(err, errno, "reading capabilities");
	for (int c = 0; c < n; c++) {
		cap_value_t v = c;
		if (!(keep & OVZ_CAP_BIT(c)))
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_CLEAR);
	}
	int r = cap_set_proc(caps) < 0 ? ovz_error_sys(err, errno, "clearing inheritable capabilities")
				       : 0;
	cap_free(caps);
	return r;
}

static int drop_ambient(uint64_t keep, int n, struct ovz_error **err)
{
	/* before 4.3 there is no ambient set (PR_CAP_AMBIENT: EINVAL) */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 0UL, 0UL, 0UL) < 0 && errno == EINVAL)
		return 0;
	for (int c = 0; c < n; c++) {
		if (keep & OVZ_CAP_BIT(c))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, (unsigned long)c, 0UL, 0UL) < 0) {
			return ovz_error_sys(err, errno, "dropping %s from the ambient set",
					     ovz_cap_name(c) ? ovz_cap_name(c) : "capability");
		}
	}
	return 0;
}

int ovz_caps_apply(uint64_t keep, struct ovz_error **err)
{
	int n = kernel_caps();
	int r = drop_bounding(keep, n, err);
	if (r >= 0)
		r = drop_inheritable(keep, n, err);
	if (r >= 0)
		r = drop_ambient(keep, n, err);
	return r < 0 ? ovz_error_wrap(err, r, "restricting capabilities") : 0;
}

/* ---- legacy OpenVZ kernels ---- */

/* vzctl's capability table: mainline's names up to 29, then VE_ADMIN. */
static const char *const vz_cap_names[32] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
	"NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
	"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
	"VE_ADMIN", "SETFCAP",
};

const char *ovz_cap_vz_name(int cap)
{
	return cap >= 0 && cap < 32 ? vz_cap_names[cap] : NULL;
}

uint64_t ovz_caps_vz_default(void)
{
	static const int off[] = { CAP_NET_ADMIN, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_PACCT,
				   CAP_SYS_ADMIN, CAP_SYS_TIME };
	uint64_t mask = UINT64_C(0xffffffff);
	for (size_t i = 0; i < ARRAY_SIZE(off); i++)
		mask &= ~OVZ_CAP_BIT(off[i]);
	return mask;
}

static int vz_cap_by_name(const char *name)
{
	for (int i = 0; i < 32; i++)
		if (strcasecmp(name, vz_cap_names[i]) == 0)
			return i;
	return -1;
}

int ovz_caps_vz_parse(const char *value, uint64_t *on, uint64_t *off, struct ovz_error **err)
{
	_cleanup_strv_ char **toks = strv_split(value ? value : "", " \t,");
	for (char **t = toks; t && *t; t++) {
		const char *colon = strrchr(*t, ':');
		uint64_t *set = !colon ? NULL : strcmp(colon + 1, "on") == 0 ? on
					: strcmp(colon + 1, "off") == 0 ? off : NULL;
		if (!set)
			return ovz_error_set(err, EINVAL, "CAPABILITY: '%s' is not NAME:on or "
					     "NAME:off", *t);
		_cleanup_free_ char *name = xstrndup(*t, (size_t)(colon - *t));
		int cap = vz_cap_by_name(name);
		if (cap < 0)
			return ovz_error_set(err, EINVAL, "CAPABILITY: unknown capability '%s'",
					     name);
		*set |= OVZ_CAP_BIT(cap);
	}
	return 0;
}

/* Bits past the kernel's last capability answer EINVAL: the end. */
static int vz_bound(uint64_t mask, struct ovz_error **err)
{
	for (int c = 0; c < 64; c++) {
		if (mask & OVZ_CAP_BIT(c))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0UL, 0UL, 0UL) == 0)
			continue;
		if (errno == EINVAL && c > 0)
			return 0;
		return ovz_error_sys(err, errno, "dropping capability %d from the bounding set",
				     c);
	}
	return 0;
}

int ovz_caps_vz_set(uint64_t mask, struct ovz_error **err)
{
	int r = vz_bound(mask, err);
	if (r < 0)
		return r;
	/* a VE cannot get what its creator lacks (root in a container may) */
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return ovz_error_sys(err, errno, "capget");
	for (int i = 0; i < 2; i++) {
		uint32_t half = (uint32_t)(mask >> (32 * i)) & data[i].permitted;
		data[i].effective = data[i].permitted = data[i].inheritable = half;
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return ovz_error_sys(err, errno, "capset 0x%llx", (unsigned long long)mask);
	return 0;
}
