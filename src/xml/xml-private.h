/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the pieces of src/xml: report.c builds the one-line error
 * messages, build.c turns a parsed tree into the model, xml.c drives
 * libxml2 and the schema. */
#ifndef OVZ_XML_PRIVATE_H
#define OVZ_XML_PRIVATE_H

#include "libxml.h"
#include "core/error.h"
#include "core/model.h"

/* Values quoted in messages are cut to this many bytes: a message must
 * never carry more of the input than the offending value. */
#define XML_VALUE_MAX 64

/* Sets *err to "FILE:LINE: WHAT: REASON (VALUE)" and returns -EINVAL.
 * line <= 0 drops ":LINE"; value NULL drops " (VALUE)". */
int xml_fail_at(struct ovz_error **err, const char *file, long line, const char *what,
		const char *value, const char *reason);
/* Same, with WHAT and LINE taken from node (and attr, an attribute of node,
 * when not NULL): "interface/mac/@address". */
int xml_fail(struct ovz_error **err, const char *file, const xmlNode *node, const char *attr,
	     const char *value, const char *reason);
/* The short path of node as used in messages: ancestors that only group
 * (domain, devices, metadata, ovz:container) are left out. */
char *xml_node_path(const xmlNode *node, const char *attr);

/* Builds the model from a well-formed document; checks every value. */
int xml_build_domain(xmlDoc *doc, const char *file, struct ovz_domain **out,
		     struct ovz_error **err);

#endif
