// SPDX-License-Identifier: LGPL-2.1-or-later
#include "etcfiles.h"
#include "core/util.h"
#include "fs/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define ETC_MAX (1024 * 1024)

/* ---- rendering ---- */

char *ovz_etc_hostname(const struct ovz_domain *d)
{
	return d->hostname ? xasprintf("%s\n", d->hostname) : NULL;
}

static const struct ovz_ip *first_ip(const struct ovz_domain *d, int family)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		for (size_t j = 0; j < d->ifaces[i].n_ips; j++)
			if (d->ifaces[i].ips[j].family == family)
				return &d->ifaces[i].ips[j];
	return NULL;
}

static bool is_ours(const char *line, size_t len)
{
	size_t m = strlen(OVZ_HOSTS_MARK);
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	return len >= m && memcmp(line + len - m, OVZ_HOSTS_MARK, m) == 0;
}

/* A hosts line whose names (after the address, before any comment)
 * include "localhost". */
static bool maps_localhost(const char *line, size_t len)
{
	_cleanup_free_ char *copy = xstrndup(line, len);
	char *hash = strchr(copy, '#');
	if (hash)
		*hash = '\0';
	_cleanup_strv_ char **words = strv_split(copy, " \t\r");
	for (size_t i = 1; words && words[i]; i++)
		if (strcmp(words[i], "localhost") == 0)
			return true;
	return false;
}

/* Calls keep for each line of old (without its newline). */
static void each_line(const char *old, void (*fn)(const char *line, size_t len, void *data),
		      void *data)
{
	for (const char *p = old; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		fn(p, len, data);
		p += len + (nl ? 1 : 0);
	}
}

struct hosts_scan {
	struct strbuf kept;
	bool localhost;
};

static void hosts_line(const char *line, size_t len, void *data)
{
	struct hosts_scan *s = data;
	if (is_ours(line, len))
		return;
	s->localhost = s->localhost || maps_localhost(line, len);
	strbuf_putn(&s->kept, line, len);
	strbuf_putc(&s->kept, '\n');
}

char *ovz_etc_hosts(const struct ovz_domain *d, const char *old)
{
	struct hosts_scan s = { STRBUF_INIT, false };
	each_line(old, hosts_line, &s);
	struct strbuf sb = STRBUF_INIT;
	if (!s.localhost) {
		strbuf_puts(&sb, "127.0.0.1\tlocalhost\t" OVZ_HOSTS_MARK "\n");
		strbuf_puts(&sb, "::1\tlocalhost ip6-localhost ip6-loopback\t" OVZ_HOSTS_MARK "\n");
	}
	if (d->hostname) {
		const struct ovz_ip *ip = first_ip(d, AF_INET);
		if (!ip)
			ip = first_ip(d, AF_INET6);
		char a[64] = "127.0.1.1";
		if (ip)
			ovz_format_ip(ip, false, a, sizeof(a));
		const char *dot = strchr(d->hostname, '.');
		strbuf_printf(&sb, "%s\t%s", a, d->hostname);
		if (dot && dot != d->hostname)
			strbuf_printf(&sb, " %.*s", (int)(dot - d->hostname), d->hostname);
		strbuf_puts(&sb, "\t" OVZ_HOSTS_MARK "\n");
	}
	if (s.kept.len)
		strbuf_putn(&sb, s.kept.buf, s.kept.len);
	strbuf_release(&s.kept);
	return strbuf_steal(&sb);
}

struct resolv_scan {
	struct strbuf kept;
	bool drop_ns, drop_search;
};

static bool keyword_is(const char *line, size_t len, const char *kw)
{
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	size_t k = strlen(kw);
	return len > k && memcmp(line, kw, k) == 0 && (line[k] == ' ' || line[k] == '\t');
}

static void resolv_line(const char *line, size_t len, void *data)
{
	struct resolv_scan *s = data;
	if (s->drop_ns && keyword_is(line, len, "nameserver"))
		return;
	if (s->drop_search && (keyword_is(line, len, "search") || keyword_is(line, len, "domain")))
		return;
	strbuf_putn(&s->kept, line, len);
	strbuf_putc(&s->kept, '\n');
}

char *ovz_etc_resolv(const struct ovz_domain *d, const char *old)
{
	struct resolv_scan s = { STRBUF_INIT, strv_len(d->nameservers) > 0,
				 strv_len(d->searchdomains) > 0 };
	if (!s.drop_ns && !s.drop_search)
		return NULL;
	each_line(old, resolv_line, &s);
	if (s.drop_search) {
		_cleanup_free_ char *list = strv_join(d->searchdomains, " ");
		strbuf_printf(&s.kept, "search %s\n", list);
	}
	for (size_t i = 0; i < strv_len(d->nameservers); i++)
		strbuf_printf(&s.kept, "nameserver %s\n", d->nameservers[i]);
	return strbuf_steal(&s.kept);
}

/* ---- reading and writing under the container root ---- */

static int check_name(const char *name, struct ovz_error **err)
{
	if (!name || !*name || strchr(name, '/') || name[0] == '.')
		return ovz_error_set(err, EINVAL, "'%s' is not a plain file name", name ? name : "");
	return 0;
}

/* etc/ under rootfd, created when missing; a symlink is refused. */
static int open_etc(int rootfd, bool create, struct ovz_error **err)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(rootfd, "etc", flags);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(rootfd, "etc", 0755) < 0 && errno != EEXIST)
			return ovz_error_sys(err, errno, "mkdir 'etc' in the container root");
		fd = openat(rootfd, "etc", flags);
	}
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return ovz_error_set(err, ELOOP, "'etc' in the container root is not a directory "
				     "(a symlink is not followed)");
	if (fd < 0)
		return ovz_error_sys(err, errno, "open 'etc' in the container root");
	return fd;
}

int ovz_etc_read(int rootfd, const char *name, char **out, struct ovz_error **err)
{
	*out = NULL;
	if (check_name(name, err) < 0)
		return -EINVAL;
	_cleanup_close_ int etc = open_etc(rootfd, false, NULL);
	if (etc < 0)
		return 0;
	/* never opens a device node or FIFO the container planted there */
	int r = ovz_read_regular_beneath(etc, name, ETC_MAX, out, NULL);
	if (r == -ENOENT || r == -ELOOP || r == -EINVAL)
		return 0;
	if (r < 0)
		return ovz_error_sys(err, -r, "read 'etc/%s'", name);
	return 0;
}

/* A new file keeps the owner and mode of the one it replaces. */
static void copy_owner(int etc, const char *name, int fd)
{
	struct stat st;
	if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
		(void)fchmod(fd, 0644);
		return;
	}
	(void)fchown(fd, st.st_uid, st.st_gid);
	(void)fchmod(fd, st.st_mode & 0777);
}

/* No fsync: the files are written again on every start. */
int ovz_etc_write(int rootfd, const char *name, const char *content, struct ovz_error **err)
{
	if (check_name(name, err) < 0)
		return -EINVAL;
	_cleanup_close_ int etc = open_etc(rootfd, true, err);
	if (etc < 0)
		return etc;
	char tmp[64];
	snprintf(tmp, sizeof(tmp), ".%s.ovz-%d", name, (int)getpid());
	(void)unlinkat(etc, tmp, 0);
	_cleanup_close_ int fd = openat(etc, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
						  O_CLOEXEC, 0644);
	if (fd < 0)
		return ovz_error_sys(err, errno, "create 'etc/%s'", tmp);
	copy_owner(etc, name, fd);
	int r = write_all(fd, content, strlen(content));
	if (r == 0 && renameat(etc, tmp, etc, name) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(etc, tmp, 0);
		return ovz_error_sys(err, -r, "write 'etc/%s'", name);
	}
	return 0;
}

static int rewrite(int rootfd, const char *name, const struct ovz_domain *d,
		   char *(*render)(const struct ovz_domain *d, const char *old),
		   struct ovz_error **err)
{
	_cleanup_free_ char *old = NULL;
	int r = ovz_etc_read(rootfd, name, &old, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *text = render(d, old);
	return text ? ovz_etc_write(rootfd, name, text, err) : 0;
}

/* Values land in files the container parses: no whitespace or newlines. */
static int check_values(const struct ovz_domain *d, struct ovz_error **err)
{
	const char *why = d->hostname ? ovz_check_hostname(d->hostname) : NULL;
	if (why)
		return ovz_error_set(err, EINVAL, "hostname '%s' %s", d->hostname, why);
	for (size_t i = 0; i < strv_len(d->nameservers); i++) {
		struct ovz_ip ip;
		if ((why = ovz_parse_ip(d->nameservers[i], 0, &ip)) || ip.prefix >= 0)
			return ovz_error_set(err, EINVAL, "nameserver '%s' %s", d->nameservers[i],
					     why ? why : "has a prefix");
	}
	for (size_t i = 0; i < strv_len(d->searchdomains); i++)
		if ((why = ovz_check_hostname(d->searchdomains[i])))
			return ovz_error_set(err, EINVAL, "search domain '%s' %s",
					     d->searchdomains[i], why);
	return 0;
}

int ovz_etc_apply(int rootfd, const struct ovz_domain *d, struct ovz_error **err)
{
	int r = check_values(d, err);
	if (r < 0)
		return r;
	if (d->hostname) {
		_cleanup_free_ char *text = ovz_etc_hostname(d);
		r = ovz_etc_write(rootfd, "hostname", text, err);
		if (r == 0)
			r = rewrite(rootfd, "hosts", d, ovz_etc_hosts, err);
	}
	if (r == 0)
		r = rewrite(rootfd, "resolv.conf", d, ovz_etc_resolv, err);
	return r;
}
