// SPDX-License-Identifier: LGPL-2.1-or-later
/* Every emulated call is numbered (for --fail-call) and, with --transcript,
 * written as one JSON object per line:
 *   {"n":3,"op":"setublimit","comm":"ovz-native","veid":101,
 *    "args":{"res":"physpages","barrier":0,"limit":65536},"result":0} */
#include "vzemu.h"

#include <errno.h>
#include <string.h>

static const struct { int err; const char *name; } errnos[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" },
	{ EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" },
	{ ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { ERANGE, "ERANGE" },
	{ ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EADDRINUSE, "EADDRINUSE" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ETIMEDOUT, "ETIMEDOUT" },
	{ EALREADY, "EALREADY" }, { EMSGSIZE, "EMSGSIZE" }, { EMLINK, "EMLINK" },
	{ EMU_ENOTSUPP, "ENOTSUPP" },
};

const char *emu_errno_name(int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	return "E?";
}

int emu_errno_from_name(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (strcmp(errnos[i].name, s) == 0)
			return errnos[i].err;
	return 0;
}

bool emu_call_start(struct emu_call *c, struct emu *e, pid_t pid, const char *op,
		    long long veid)
{
	memset(c, 0, sizeof(*c));
	c->e = e;
	c->op = op;
	c->veid = veid;
	c->args = (struct strbuf)STRBUF_INIT;
	emu_proc_comm(pid, c->comm, sizeof(c->comm));
	e->calls++;
	c->injected = e->fail_at > 0 && e->calls == e->fail_at;
	return c->injected;
}

bool emu_call_begin(struct emu_call *c, struct emu *e, const struct seccomp_notif *req,
		    const char *op, long long veid)
{
	bool fail = emu_call_start(c, e, (pid_t)req->pid, op, veid);
	c->req = req;
	return fail;
}

static void key(struct emu_call *c, const char *k)
{
	if (c->args.len)
		strbuf_putc(&c->args, ',');
	strbuf_put_json_string(&c->args, k);
	strbuf_putc(&c->args, ':');
}

void emu_arg_str(struct emu_call *c, const char *k, const char *val)
{
	key(c, k);
	strbuf_put_json_string(&c->args, val);
}

void emu_arg_num(struct emu_call *c, const char *k, long long val)
{
	key(c, k);
	strbuf_printf(&c->args, "%lld", val);
}

void emu_arg_hex(struct emu_call *c, const char *k, unsigned long long val)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "0x%llx", val);
	emu_arg_str(c, k, buf);
}

void emu_arg_raw(struct emu_call *c, const char *k, const char *json)
{
	key(c, k);
	strbuf_puts(&c->args, json);
}

void emu_call_end(struct emu_call *c, long long val, int err)
{
	struct emu *e = c->e;
	if (e->transcript) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_printf(&sb, "{\"n\":%ld,\"op\":", e->calls);
		strbuf_put_json_string(&sb, c->op);
		strbuf_puts(&sb, ",\"comm\":");
		strbuf_put_json_string(&sb, c->comm);
		if (c->veid >= 0)
			strbuf_printf(&sb, ",\"veid\":%lld", c->veid);
		strbuf_printf(&sb, ",\"args\":{%s},\"result\":", c->args.buf ? c->args.buf : "");
		if (err)
			strbuf_put_json_string(&sb, emu_errno_name(err));
		else
			strbuf_printf(&sb, "%lld", val);
		if (c->injected)
			strbuf_puts(&sb, ",\"injected\":true");
		if (c->note) {
			strbuf_puts(&sb, ",\"note\":");
			strbuf_put_json_string(&sb, c->note);
		}
		strbuf_puts(&sb, "}\n");
		fputs(sb.buf, e->transcript);
		fflush(e->transcript);
		strbuf_release(&sb);
	}
	strbuf_release(&c->args);
}

void emu_call_finish(struct emu_call *c, long long val, int err)
{
	uint64_t id = c->req->id;
	struct emu *e = c->e;
	emu_call_end(c, val, err);
	emu_reply(e, id, val, err);
}
