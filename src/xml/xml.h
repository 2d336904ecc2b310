/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain XML ⇄ model.  Input is libvirt's <domain type='openvz'> or the 2007
 * proposal form; output is always the canonical libvirt form with hostname,
 * nameservers, search domains and autostart in a <metadata> child of the
 * ovz-native namespace.  Errors are one line:
 * "FILE:LINE: element or attribute: what is wrong (value)". */
#ifndef OVZ_XML_XML_H
#define OVZ_XML_XML_H

#include <stddef.h>

#include "core/error.h"
#include "core/model.h"

#define OVZ_XML_NS "http://ovz-native.org/xmlns/domain/1"
#define OVZ_XML_MAX_SIZE (1024 * 1024)

/* Parses, checks against the RelaxNG schema and the semantic rules, and
 * builds the model.  Returns -EINVAL (with the one-line error) on bad input. */
int ovz_xml_parse(const char *buf, size_t len, const char *filename, struct ovz_domain **out,
		  struct ovz_error **err);
int ovz_xml_parse_file(const char *path, struct ovz_domain **out, struct ovz_error **err);
/* Canonical form, newline terminated.  id='CTID' is always written: the CTID
 * is the container's identity here (libvirt ignores it on input). */
char *ovz_xml_format(const struct ovz_domain *d);

#endif
