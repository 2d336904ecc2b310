/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/hostname, /etc/hosts and /etc/resolv.conf of a container, written by
 * the start code instead of distro scripts.  Rendering is pure; writing goes
 * through a directory fd of the container's root, never follows a symlink
 * (a container may plant one to redirect the write onto the host), and
 * replaces the file by rename, keeping its owner and mode. */
#ifndef OVZ_NET_ETCFILES_H
#define OVZ_NET_ETCFILES_H

#include "core/error.h"
#include "core/model.h"

/* Marks the /etc/hosts lines that are ours to replace. */
#define OVZ_HOSTS_MARK "# ovz-native"

/* "HOSTNAME\n", or NULL when d has no hostname. */
char *ovz_etc_hostname(const struct ovz_domain *d);
/* old with our marked lines replaced: "IP<TAB>fqdn short" first (IP is the
 * first IPv4 address of d, else the first IPv6, else 127.0.1.1), plus
 * localhost lines when old maps no localhost.  old may be NULL. */
char *ovz_etc_hosts(const struct ovz_domain *d, const char *old);
/* old without the nameserver (search/domain) lines when d sets nameservers
 * (search domains), then d's.  NULL when d sets neither. */
char *ovz_etc_resolv(const struct ovz_domain *d, const char *old);

/* Reads etc/NAME under rootfd; *out is NULL when it is missing, a symlink or
 * not a regular file. */
int ovz_etc_read(int rootfd, const char *name, char **out, struct ovz_error **err);
/* Replaces etc/NAME under rootfd (temporary file and rename). */
int ovz_etc_write(int rootfd, const char *name, const char *content, struct ovz_error **err);
/* Writes all three files as d asks (files d says nothing about are left). */
int ovz_etc_apply(int rootfd, const struct ovz_domain *d, struct ovz_error **err);

#endif
