/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libxml2, loaded on first use (see core/dl.h for why).  Code in src/xml
 * calls it through the table: L->xmlGetLineNo(node). */
#ifndef OVZ_XML_LIBXML_H
#define OVZ_XML_LIBXML_H

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "core/error.h"

#define OVZ_LIBXML_FUNCS(X)                                                      \
	X(xmlInitParser) X(xmlRelaxNGInitTypes) X(xmlSetGenericErrorFunc)        \
	X(xmlNewParserCtxt) X(xmlCtxtReadMemory) X(xmlFreeParserCtxt)            \
	X(xmlStopParser) X(xmlFreeDoc) X(xmlDocGetRootElement) X(xmlGetLineNo)   \
	X(xmlGetProp) X(xmlGetNoNsProp) X(xmlNodeGetContent)                     \
	X(xmlRelaxNGNewMemParserCtxt) X(xmlRelaxNGSetParserStructuredErrors)     \
	X(xmlRelaxNGParse) X(xmlRelaxNGFreeParserCtxt) X(xmlRelaxNGNewValidCtxt) \
	X(xmlRelaxNGSetValidStructuredErrors) X(xmlRelaxNGValidateDoc)           \
	X(xmlRelaxNGFreeValidCtxt) X(xmlRelaxNGFree)                             \
	OVZ_LIBXML_THREAD_FUNCS(X)

/* With threads, libxml2's per-thread globals are reached through
 * functions; xmlFree is a plain variable unless allocation is per thread. */
#ifdef LIBXML_THREAD_ENABLED
#define OVZ_LIBXML_THREAD_FUNCS(X) X(__xmlGenericError) X(__xmlGenericErrorContext)
#else
#define OVZ_LIBXML_THREAD_FUNCS(X)
#endif

struct ovz_libxml {
#define OVZ_LIBXML_FIELD(f) __typeof__(f) *f;
	OVZ_LIBXML_FUNCS(OVZ_LIBXML_FIELD)
#undef OVZ_LIBXML_FIELD
#ifdef xmlFree
	__typeof__(__xmlFree) *free_fn;
#else
	xmlFreeFunc *free_var;
#endif
};

/* The table, libxml2 initialised; NULL (and *err set) when the library
 * cannot be loaded. */
const struct ovz_libxml *ovz_libxml(struct ovz_error **err);

/* xmlFree(p) through the table. */
void ovz_libxml_free(const struct ovz_libxml *L, void *p);

#endif
