// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reading domain XML: libxml2 parses with no network, no DTD and no entity
 * substitution (a DOCTYPE stops the parser before its internal subset is
 * read, so no entity is ever declared), build.c checks every value while it
 * builds the model, and the embedded RelaxNG schema checks what is left:
 * attributes and content of elements the builder does not read.
 *
 * libxml2 2.9.14 has no per-context error callback setter; errors reach us
 * through the parser context's own SAX serror slot and the RelaxNG
 * contexts' structured handlers, all of which live only for one call. */
#include "xml.h"
#include "xml-private.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char ovz_domain_rng[];
extern const size_t ovz_domain_rng_len;

#define LIBXML_MESSAGE_MAX 100

/* The first error of one parse or validation. */
struct capture {
	const struct ovz_libxml *L;
	const char *file;
	struct ovz_error *err;
	struct ovz_error *generic;	/* schema errors that only say "failed" */
};

/* Some libxml2 paths write to the thread's generic error function instead of
 * a context's; the library never prints, so that one is silenced for the
 * duration of a call (it is per thread in libxml2 and restored after). */
static void discard_generic(void *ctx, const char *msg, ...)
{
}

struct generic_saved {
	xmlGenericErrorFunc fn;
	void *ctx;
};

#ifdef LIBXML_THREAD_ENABLED
static struct generic_saved silence_generic(const struct ovz_libxml *L)
{
	struct generic_saved s = { *L->__xmlGenericError(), *L->__xmlGenericErrorContext() };
	L->xmlSetGenericErrorFunc(NULL, discard_generic);
	return s;
}
#else
static struct generic_saved silence_generic(const struct ovz_libxml *L)
{
	struct generic_saved s = { xmlGenericError, xmlGenericErrorContext };
	L->xmlSetGenericErrorFunc(NULL, discard_generic);
	return s;
}
#endif

static void restore_generic(const struct ovz_libxml *L, struct generic_saved s)
{
	L->xmlSetGenericErrorFunc(s.ctx, s.fn);
}

/* "Opening and ending tag mismatch: a line 2 and b\n" -> lower case start,
 * no newline, cut short. */
static void libxml_reason(const char *msg, char *buf, size_t len)
{
	snprintf(buf, len, "%s", msg ? msg : "is not well-formed");
	buf[strcspn(buf, "\n")] = '\0';
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
}

static void on_parse_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = e->ctxt;
	struct capture *c = ctxt ? ctxt->_private : NULL;
	if (!c || c->err || e->level < XML_ERR_ERROR)
		return;
	if (e->code == XML_ERR_DOCUMENT_EMPTY) {
		xml_fail_at(&c->err, c->file, e->line, "xml", NULL, "the document is empty");
		return;
	}
	if (e->code == XML_ERR_UNDECLARED_ENTITY || e->code == XML_WAR_UNDECLARED_ENTITY) {
		xml_fail_at(&c->err, c->file, e->line, "xml", e->str1,
			    "entity references other than the five predefined ones are not allowed");
		return;
	}
	if (e->code == XML_ERR_INVALID_CHAR || e->code == XML_ERR_INVALID_CHARREF ||
	    e->code == XML_ERR_INVALID_DEC_CHARREF || e->code == XML_ERR_INVALID_HEX_CHARREF) {
		xml_fail_at(&c->err, c->file, e->line, "xml", NULL,
			    "contains a character that XML does not allow");
		return;
	}
	char reason[LIBXML_MESSAGE_MAX + 1];
	libxml_reason(e->message, reason, sizeof(reason));
	xml_fail_at(&c->err, c->file, e->line, "xml", NULL, reason);
}

/* Called at "<!DOCTYPE name", before any of the internal subset is read. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
		       const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct capture *c = ctxt->_private;
	long line = ctxt->input ? ctxt->input->line : 0;
	xml_fail_at(&c->err, c->file, line, "DOCTYPE", (const char *)name,
		    "is not allowed: no DTDs or entity declarations are read");
	c->L->xmlStopParser(ctxt);
}

static void on_external_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
			       const xmlChar *system_id)
{
}

static xmlDocPtr read_doc(const char *buf, size_t len, struct capture *c)
{
	const struct ovz_libxml *L = c->L;
	xmlParserCtxtPtr ctxt = L->xmlNewParserCtxt();
	if (!ctxt)
		oom();
	ctxt->_private = c;
	ctxt->sax->serror = on_parse_error;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->externalSubset = on_external_subset;
	/* no XML_PARSE_NOENT (substitution) nor DTDLOAD; 2.9.14 has no NO_XXE */
	xmlDocPtr doc = L->xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
					     XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	bool ok = doc && ctxt->wellFormed && !c->err;
	if (!ok && !c->err)
		xml_fail_at(&c->err, c->file, 0, "xml", NULL, "is not well-formed");
	L->xmlFreeParserCtxt(ctxt);
	if (!ok) {
		L->xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* ---- schema ---- */

static char *prop(const struct ovz_libxml *L, xmlNodePtr n, const char *name)
{
	xmlChar *v = name ? L->xmlGetProp(n, (const xmlChar *)name) : NULL;
	char *s = v ? xstrdup((const char *)v) : NULL;
	ovz_libxml_free(L, v);
	return s;
}

static char *content(const struct ovz_libxml *L, xmlNodePtr n)
{
	xmlChar *v = L->xmlNodeGetContent(n);
	char *s = xstrdup(v ? (const char *)v : "");
	ovz_libxml_free(L, v);
	return s;
}

/* Turns one RelaxNG error into our message; false for the ones that only say
 * an outer element failed, which are kept in case nothing better comes. */
static bool schema_message(xmlErrorPtr e, xmlNodePtr n, struct capture *c)
{
	switch (e->code) {
	case XML_RELAXNG_ERR_INVALIDATTR:
	case XML_RELAXNG_ERR_ATTRNAME: {
		_cleanup_free_ char *what = xml_node_path(n, e->str1);
		_cleanup_free_ char *v = prop(c->L, n, e->str1);
		xml_fail_at(&c->err, c->file, c->L->xmlGetLineNo(n), what, v, "is not allowed here");
		return true;
	}
	case XML_RELAXNG_ERR_DATATYPE:
	case XML_RELAXNG_ERR_VALUE:
	case XML_RELAXNG_ERR_TYPEVAL:
	case XML_RELAXNG_ERR_LIST:
	case XML_RELAXNG_ERR_DATAELEM:
	case XML_RELAXNG_ERR_VALELEM: {
		_cleanup_free_ char *v = content(c->L, n);
		xml_fail(&c->err, c->file, n, NULL, v, "is not a valid value");
		return true;
	}
	case XML_RELAXNG_ERR_EXTRADATA:
	case XML_RELAXNG_ERR_TEXTWRONG:
	case XML_RELAXNG_ERR_NOTELEM:
	case XML_RELAXNG_ERR_ELEMNOTEMPTY:
		xml_fail(&c->err, c->file, n, NULL, NULL, "has content that is not allowed here");
		return true;
	case XML_RELAXNG_ERR_ELEMWRONG:
	case XML_RELAXNG_ERR_EXTRACONTENT:
	case XML_RELAXNG_ERR_ELEMNAME:
	case XML_RELAXNG_ERR_ELEMNONS:
	case XML_RELAXNG_ERR_ELEMWRONGNS:
	case XML_RELAXNG_ERR_ELEMEXTRANS:
	case XML_RELAXNG_ERR_INTEREXTRA:
		xml_fail(&c->err, c->file, n, NULL, NULL, "is not allowed here");
		return true;
	case XML_RELAXNG_ERR_NOELEM:
		xml_fail(&c->err, c->file, n, NULL, e->str1, "lacks a required element");
		return true;
	default:
		return false;
	}
}

static void on_schema_error(void *data, xmlErrorPtr e)
{
	struct capture *c = data;
	xmlNodePtr n = e->node;
	if (c->err || e->level < XML_ERR_ERROR || !n || n->type != XML_ELEMENT_NODE)
		return;
	if (!schema_message(e, n, c) && !c->generic)
		xml_fail(&c->generic, c->file, n, NULL, NULL, "does not match the schema");
}

static void on_schema_parse_error(void *data, xmlErrorPtr e)
{
}

static int validate(xmlDocPtr doc, struct capture *c)
{
	const struct ovz_libxml *L = c->L;
	xmlRelaxNGParserCtxtPtr pctxt =
		L->xmlRelaxNGNewMemParserCtxt(ovz_domain_rng, (int)ovz_domain_rng_len);
	if (!pctxt)
		oom();
	L->xmlRelaxNGSetParserStructuredErrors(pctxt, on_schema_parse_error, c);
	xmlRelaxNGPtr schema = L->xmlRelaxNGParse(pctxt);
	L->xmlRelaxNGFreeParserCtxt(pctxt);
	if (!schema)
		return ovz_error_set(&c->err, EIO, "internal error: the embedded schema does not compile");
	xmlRelaxNGValidCtxtPtr vctxt = L->xmlRelaxNGNewValidCtxt(schema);
	if (!vctxt)
		oom();
	L->xmlRelaxNGSetValidStructuredErrors(vctxt, on_schema_error, c);
	int r = L->xmlRelaxNGValidateDoc(vctxt, doc);
	L->xmlRelaxNGFreeValidCtxt(vctxt);
	L->xmlRelaxNGFree(schema);
	if (r == 0)
		return 0;
	if (!c->err && c->generic) {
		c->err = c->generic;
		c->generic = NULL;
	}
	if (!c->err)
		xml_fail_at(&c->err, c->file, 0, "domain", NULL, "does not match the schema");
	return -EINVAL;
}

/* ---- counts ---- */

/* libxml2 2.9 compares each attribute of an element with every earlier one
 * and its RelaxNG validation grows with the number of siblings: a 1 MiB
 * document of 60k attributes took 35 s.  One linear pass over the text
 * bounds both before libxml2 sees it.  Comments, CDATA, processing
 * instructions and declarations are skipped; quoted values are not
 * counted. */
#define XML_MAX_ATTRS_PER_ELEMENT 64	/* as in the messages below */
#define XML_MAX_ELEMENTS 10000

static const char *skip_past(const char *p, const char *end, const char *stop, long *line)
{
	size_t n = strlen(stop);
	for (; p + n <= end; p++) {
		if (memcmp(p, stop, n) == 0)
			return p + n;
		*line += *p == '\n';
	}
	return end;
}

/* Scans one start tag from just after its '<'; returns its end. */
static const char *scan_tag(const char *p, const char *end, long *line, unsigned *attrs)
{
	char quote = 0;
	*attrs = 0;
	for (; p < end; p++) {
		*line += *p == '\n';
		if (quote) {
			quote = *p == quote ? 0 : quote;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '=') {
			++*attrs;
		} else if (*p == '>') {
			return p + 1;
		}
	}
	return end;
}

static int check_counts(const char *buf, size_t len, const char *file, struct ovz_error **err)
{
	const char *p = buf, *end = buf + len;
	long line = 1;
	unsigned elements = 0;
	while (p < end) {
		if (*p != '<') {
			line += *p++ == '\n';
			continue;
		}
		const char *rest = p + 1;
		size_t left = (size_t)(end - rest);
		if (left >= 3 && memcmp(rest, "!--", 3) == 0)
			p = skip_past(rest + 3, end, "-->", &line);
		else if (left >= 8 && memcmp(rest, "![CDATA[", 8) == 0)
			p = skip_past(rest + 8, end, "]]>", &line);
		else if (left >= 1 && rest[0] == '?')
			p = skip_past(rest + 1, end, "?>", &line);
		else if (left >= 1 && (rest[0] == '!' || rest[0] == '/'))
			p = skip_past(rest + 1, end, ">", &line);
		else {
			long at = line;
			unsigned attrs;
			p = scan_tag(rest, end, &line, &attrs);
			if (attrs > XML_MAX_ATTRS_PER_ELEMENT)
				return xml_fail_at(err, file, at, "xml", NULL,
						   "an element has more than 64 attributes");
			if (++elements > XML_MAX_ELEMENTS)
				return xml_fail_at(err, file, at, "xml", NULL,
						   "the document has more than 10000 elements");
		}
	}
	return 0;
}

/* ---- entry points ---- */

static int hand_over(struct capture *c, struct ovz_error **err)
{
	ovz_error_free(c->generic);
	if (!c->err)
		return 0;
	int r = -c->err->errnum;
	if (err && !*err)
		*err = c->err;
	else
		ovz_error_free(c->err);
	return r;
}

static int fail_too_large(const char *file, struct ovz_error **err)
{
	_cleanup_free_ char *reason =
		xasprintf("is larger than the limit of %d bytes", OVZ_XML_MAX_SIZE);
	return xml_fail_at(err, file, 0, "xml", NULL, reason);
}

int ovz_xml_parse(const char *buf, size_t len, const char *filename, struct ovz_domain **out,
		  struct ovz_error **err)
{
	struct capture c = { .file = filename ? filename : "-" };
	*out = NULL;
	if (len > OVZ_XML_MAX_SIZE)
		return fail_too_large(c.file, err);
	if (len == 0)
		return xml_fail_at(err, c.file, 0, "xml", NULL, "the document is empty");
	if (check_counts(buf, len, c.file, err) < 0)
		return -EINVAL;
	c.L = ovz_libxml(err);
	if (!c.L)
		return ovz_error_wrap(err, -ELIBACC, "reading '%s'", c.file);
	struct generic_saved saved = silence_generic(c.L);
	xmlDocPtr doc = read_doc(buf, len, &c);
	struct ovz_domain *d = NULL;
	if (doc && xml_build_domain(doc, c.file, &d, &c.err) == 0 && validate(doc, &c) < 0) {
		ovz_domain_free(d);
		d = NULL;
	}
	c.L->xmlFreeDoc(doc);
	restore_generic(c.L, saved);
	int r = hand_over(&c, err);
	if (r == 0)
		*out = d;
	return r;
}

/* Reads at most OVZ_XML_MAX_SIZE + 1 bytes: enough to know a file is too
 * large without reading it whole, also for pipes and growing files. */
static int read_bounded(int fd, const char *path, char **out, size_t *len,
			struct ovz_error **err)
{
	char *buf = xmalloc(OVZ_XML_MAX_SIZE + 2);
	size_t n = 0;
	while (n <= OVZ_XML_MAX_SIZE) {
		ssize_t r = read(fd, buf + n, OVZ_XML_MAX_SIZE + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return ovz_error_sys(err, e, "read '%s'", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int ovz_xml_parse_file(const char *path, struct ovz_domain **out, struct ovz_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	*out = NULL;
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	if (fstat(fd, &st) < 0)
		return ovz_error_sys(err, errno, "stat '%s'", path);
	if (S_ISREG(st.st_mode) && st.st_size > OVZ_XML_MAX_SIZE)
		return fail_too_large(path, err);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_bounded(fd, path, &buf, &len, err);
	if (r < 0)
		return r;
	return ovz_xml_parse(buf, len, path, out, err);
}
