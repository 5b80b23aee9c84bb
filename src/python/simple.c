#include "python/simple.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "gapimg/error.h"
#include "gapimg/sha256.h"

/*
 * PEP 503 pages are read with libxml2's HTML parser: it decodes entities,
 * lowercases tag and attribute names and accepts the unquoted, single-
 * quoted and unclosed markup real index generators write.  It is given
 * the parse options that keep it quiet and off the network, and no global
 * libxml2 state is changed: every report of a malformed page goes through
 * the parser context, which the options silence.
 *
 * Byte classes are tested by hand rather than with <ctype.h>: the answer
 * must not depend on the locale.
 */

/* Quoted hrefs in messages are clipped so a message stays one short line. */
#define CLIP 64

#define SHA256_HEX 64

/* HTML's ASCII whitespace. */
static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* 0, -1 on a malformed escape or one that makes a NUL, -2 out of memory. */
static int unquote(const char *s, char **out)
{
	size_t n = strlen(s), i, k = 0;
	char *d = malloc(n + 1);

	*out = NULL;
	if (d == NULL)
		return -2;
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '%') {
			d[k++] = s[i];
			continue;
		}
		hi = i + 1 < n ? gapimg_hexval((unsigned char)s[i + 1]) : -1;
		lo = i + 2 < n ? gapimg_hexval((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(d);
			return -1;
		}
		d[k++] = (char)(hi * 16 + lo);
		i += 2;
	}
	d[k] = '\0';
	*out = d;
	return 0;
}

char *pysimple_unquote(const char *s)
{
	char *out;

	return unquote(s, &out) == 0 ? out : NULL;
}

/*
 * "HEX" of "sha256=HEX" as a malloc'd lowercase string in *out.  0, -1 when
 * it is not 64 hex digits, -2 out of memory.
 */
static int sha256_hex(const char *s, char **out)
{
	size_t i;

	*out = NULL;
	if (strlen(s) != SHA256_HEX)
		return -1;
	for (i = 0; i < SHA256_HEX; i++)
		if (gapimg_hexval((unsigned char)s[i]) < 0)
			return -1;
	*out = strdup(s);
	if (*out == NULL)
		return -2;
	for (i = 0; i < SHA256_HEX; i++)
		if ((*out)[i] >= 'A' && (*out)[i] <= 'F')
			(*out)[i] = (char)((*out)[i] - 'A' + 'a');
	return 0;
}

/*
 * Offset of the first byte that breaks UTF-8 (overlong forms, surrogates
 * and code points past U+10FFFF included), or len when there is none.
 */
static size_t utf8_bad(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t k, n;
		unsigned lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return i;
		/* The second byte's range rules out overlongs, surrogates
		 * and values past U+10FFFF. */
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			unsigned b = s[i + k];

			if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf))
				return i;
		}
		i += n + 1;
	}
	return len;
}

struct sparse {
	struct pysimple_link *v;
	size_t n, alloc;
	char *msg;
	size_t msgsz;
};

static int fail(struct sparse *p, const char *href, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "link N ('href'): what is wrong" */
static int fail(struct sparse *p, const char *href, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(href);
	int used;

	if (p->msg == NULL || p->msgsz == 0)
		return -1;
	used = snprintf(p->msg, p->msgsz, "link %zu ('%.*s%s'): ", p->n + 1,
			n > CLIP ? CLIP : (int)n, href, n > CLIP ? "..." : "");
	if (used < 0 || (size_t)used >= p->msgsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->msg + used, p->msgsz - (size_t)used, fmt, ap);
	va_end(ap);
	return -1;
}

/* Our own malloc'd copy of an attribute's value; NULL in *out when the
 * attribute is absent.  0 or -2. */
static int attr(xmlNode *node, const char *name, char **out)
{
	xmlChar *v;

	*out = NULL;
	if (xmlHasProp(node, (const xmlChar *)name) == NULL)
		return 0;
	v = xmlGetProp(node, (const xmlChar *)name);
	/* A value-less attribute ("<a data-yanked href=...>") reads as "". */
	*out = strdup(v ? (const char *)v : "");
	xmlFree(v);
	return *out ? 0 : -2;
}

static int anchor_text(xmlNode *node, char **out)
{
	xmlChar *c = xmlNodeGetContent(node);
	const char *s = c ? (const char *)c : "";
	size_t n;

	while (is_space((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	*out = strndup(s, n);
	xmlFree(c);
	return *out ? 0 : -2;
}

/* The last non-empty component of path ("a/b/" gives "b"). */
static char *last_component(const char *path)
{
	size_t n = strlen(path), start;

	while (n && path[n - 1] == '/')
		n--;
	start = n;
	while (start && path[start - 1] != '/')
		start--;
	return strndup(path + start, n - start);
}

static void link_release(struct pysimple_link *l)
{
	free(l->href);
	free(l->path);
	free(l->filename);
	free(l->text);
	free(l->sha256);
	free(l->requires_python);
	free(l->yanked_reason);
	free(l->metadata_sha256);
	memset(l, 0, sizeof(*l));
}

/* Fill l from the <a> element node; raw is its href as libxml2 gives it. */
static int fill(struct sparse *p, struct pysimple_link *l, xmlNode *node,
		const char *raw)
{
	const char *hash = strchr(raw, '#');
	char *meta = NULL;
	int r;

	l->href = hash ? strndup(raw, (size_t)(hash - raw)) : strdup(raw);
	if (l->href == NULL)
		return -2;
	r = unquote(l->href, &l->path);
	if (r == -1)
		return fail(p, raw, "bad percent escape in the href");
	if (r)
		return r;
	l->filename = last_component(l->path);
	if (l->filename == NULL)
		return -2;
	/* Only sha256 is used to check files; other hash names are left. */
	if (hash && !strncmp(hash + 1, "sha256=", 7)) {
		r = sha256_hex(hash + 8, &l->sha256);
		if (r == -1)
			return fail(p, raw,
				    "'#sha256=' is not followed by 64 hex digits");
		if (r)
			return r;
	}
	if (anchor_text(node, &l->text) || attr(node, "data-requires-python",
						 &l->requires_python) ||
	    attr(node, "data-yanked", &l->yanked_reason))
		return -2;
	l->yanked = l->yanked_reason != NULL;

	/* PEP 714: the new name wins, the PEP 658 one is the fallback. */
	if (attr(node, "data-core-metadata", &meta))
		return -2;
	if (meta == NULL && attr(node, "data-dist-info-metadata", &meta))
		return -2;
	if (meta == NULL)
		return 0;
	l->has_metadata = 1;
	r = 0;
	if (!strncmp(meta, "sha256=", 7)) {
		r = sha256_hex(meta + 7, &l->metadata_sha256);
		if (r == -1)
			fail(p, raw,
			     "metadata hash '%.*s%s' is not sha256= and 64 hex digits",
			     strlen(meta) > CLIP ? CLIP : (int)strlen(meta),
			     meta, strlen(meta) > CLIP ? "..." : "");
	}
	free(meta);
	return r;
}

static int add_link(struct sparse *p, xmlNode *node)
{
	xmlChar *raw;
	int r;

	if (xmlHasProp(node, (const xmlChar *)"href") == NULL)
		return 0;
	raw = xmlGetProp(node, (const xmlChar *)"href");
	if (raw == NULL)
		return -2;
	if (gapimg_grow((void **)&p->v, &p->alloc, p->n, sizeof(*p->v))) {
		xmlFree(raw);
		return -2;
	}
	memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
	r = fill(p, &p->v[p->n], node, (const char *)raw);
	xmlFree(raw);
	if (r) {
		link_release(&p->v[p->n]);
		return r;
	}
	p->n++;
	return 0;
}

/* Document order without recursion: children first, then siblings, then
 * back up, never above top. */
static xmlNode *next_node(xmlNode *n, xmlNode *top)
{
	if (n->type == XML_ELEMENT_NODE && n->children)
		return n->children;
	while (n != top) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static int walk(struct sparse *p, xmlNode *top)
{
	xmlNode *n;
	int r;

	for (n = top; n; n = next_node(n, top)) {
		if (n->type != XML_ELEMENT_NODE ||
		    !xmlStrEqual(n->name, (const xmlChar *)"a"))
			continue;
		r = add_link(p, n);
		if (r)
			return r;
	}
	return 0;
}

int pysimple_parse(const char *html, size_t len, struct pysimple_link **links,
		   size_t *nlinks, char *msg, size_t msgsz)
{
	struct sparse p = { .msg = msg, .msgsz = msgsz };
	xmlDoc *doc;
	xmlNode *root;
	const char *bad;
	size_t off;
	int r;

	*links = NULL;
	*nlinks = 0;
	if (msg && msgsz)
		msg[0] = '\0';
	if (len > INT_MAX) {
		if (msg && msgsz)
			snprintf(msg, msgsz, "page too large (%zu bytes)", len);
		return -1;
	}
	/*
	 * PEP 503 pages are UTF-8.  libxml2 would stop at a NUL byte without
	 * a word (losing the links after it) and read the rest of a page as
	 * Latin-1 after a bad byte: refuse both rather than guess.  A <meta
	 * charset> saying otherwise is ignored for the same reason.
	 */
	bad = memchr(html, '\0', len);
	if (bad) {
		if (msg && msgsz)
			snprintf(msg, msgsz,
				 "not an HTML page: NUL byte at offset %zu",
				 (size_t)(bad - html));
		return -1;
	}
	off = utf8_bad((const unsigned char *)html, len);
	if (off < len) {
		if (msg && msgsz)
			snprintf(msg, msgsz,
				 "not UTF-8: bad byte 0x%02x at offset %zu",
				 (unsigned char)html[off], off);
		return -1;
	}
	doc = len ? htmlReadMemory(html, (int)len, NULL, "UTF-8",
				   HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
				   HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
				   HTML_PARSE_IGNORE_ENC)
		  : NULL;
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root == NULL) {
		xmlFreeDoc(doc);
		if (msg && msgsz)
			snprintf(msg, msgsz, "empty page");
		return -1;
	}
	r = walk(&p, root);
	xmlFreeDoc(doc);
	if (r) {
		if (r == -2 && msg && msgsz)
			snprintf(msg, msgsz, "out of memory");
		pysimple_free(p.v, p.n);
		return r;
	}
	*links = p.v;
	*nlinks = p.n;
	return 0;
}

void pysimple_free(struct pysimple_link *links, size_t nlinks)
{
	size_t i;

	for (i = 0; i < nlinks; i++)
		link_release(&links[i]);
	free(links);
}
