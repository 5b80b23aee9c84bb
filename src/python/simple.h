/*
 * PEP 503 "simple" repository pages on disk: the links of a project page
 * (or of the root page), with what PEP 503, 592, 658 and 714 put on them.
 * HTML is parsed with libxml2's HTML parser, which forgives what real
 * index generators write.
 */
#ifndef GAPIMG_PYTHON_SIMPLE_H
#define GAPIMG_PYTHON_SIMPLE_H

#include <stddef.h>

struct pysimple_link {
	char *href;               /* as written, entities decoded, no fragment */
	char *path;               /* href percent-decoded ("%2B" is "+") */
	char *filename;           /* the last non-empty component of path
				   * ("celery/" on a root page gives
				   * "celery") */
	char *text;               /* the anchor's text, trimmed */
	char *sha256;             /* "#sha256=HEX" (lowercase hex), or NULL */
	char *requires_python;    /* data-requires-python, or NULL */
	int yanked;               /* data-yanked present */
	char *yanked_reason;      /* its value ("" when none given) */
	int has_metadata;         /* data-core-metadata or data-dist-info-metadata */
	char *metadata_sha256;    /* HEX (lowercase) of a "sha256=HEX" value,
				   * data-core-metadata's when both are
				   * there; NULL for "true" or another hash */
};

/* All <a href> links of the page, in document order.  0, -1 when the
 * bytes are not a page at all (empty or blank: "empty page"; a NUL byte
 * or bytes that are not UTF-8, which libxml2 would silently cut or
 * misread) or a link is malformed (a bad percent escape, a '#sha256='
 * or metadata "sha256=" that is not 64 hex digits; msg says which link),
 * -2 when memory ran out.  On failure *links is NULL and *nlinks 0.
 * Nothing is printed: libxml2's reports are silenced per parse. */
int pysimple_parse(const char *html, size_t len, struct pysimple_link **links,
		   size_t *nlinks, char *msg, size_t msgsz);
void pysimple_free(struct pysimple_link *links, size_t nlinks);

/* Percent-decode s into a malloc'd string; NULL when an escape is
 * malformed or decodes to a NUL byte (or memory ran out). */
char *pysimple_unquote(const char *s);

#endif
