/*
 * Python requirements: PEP 508 lines, checked and normalised here so that
 * the resolver gets names, extras, specifiers and markers it can trust.
 */
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "python/pep508.h"

static size_t utf8_lead_len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
}

/* The column of value byte off of a quoted token: the source after the
 * opening quote is walked again, escapes decoded the way the lexer did
 * ("\x41" is four columns for one byte).  Only on the error path. */
static uint32_t quoted_col(const struct rsource *src, const struct rtoken *t, size_t off)
{
	const char *p = src->data, *end = src->data + src->len, *nl;
	uint32_t line = 1, col = 1;
	size_t done = 0;

	while (line < t->vspan.line && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		p = nl + 1;
		line++;
	}
	for (; col < t->vspan.col && p < end && *p != '\n'; col++)
		p += utf8_lead_len((unsigned char)*p);
	if (p >= end)
		return col;
	p++;   /* the opening quote */
	col++;
	while (done < off && p < end && *p != '"' && *p != '\n') {
		size_t n = *p == '\\' ? (p + 1 < end && p[1] == 'x' ? 4 : 2)
				       : utf8_lead_len((unsigned char)*p);

		if (n > (size_t)(end - p))
			break;   /* the lexer accepted it, so this does not happen */
		done += *p == '\\' ? 1 : n;
		col += *p == '\\' ? (uint32_t)n : 1;
		p += n;
	}
	return col;
}

/* Where bytes [off, off+len) of a token's value were written. */
static struct gapimg_span value_span(const struct rsource *src, const struct rtoken *t,
				     size_t off, size_t len)
{
	struct gapimg_span sp = t->vspan;
	size_t i;
	uint32_t chars = 0, n = 0;

	if (t->quoted) {
		uint32_t a = quoted_col(src, t, off), b = quoted_col(src, t, off + len);
		sp.col = a;
		sp.len = b > a ? b - a : 1;
		return sp;
	}
	for (i = 0; i < off && i < t->value_len; i++)
		chars += ((unsigned char)t->value[i] & 0xC0) != 0x80;
	for (; i < off + len && i < t->value_len; i++)
		n += ((unsigned char)t->value[i] & 0xC0) != 0x80;
	sp.col += chars;
	sp.len = n ? n : 1;
	return sp;
}

int rc_requirement(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		   const struct rtoken *from)
{
	struct gapimg_plan *plan = rc->plan;
	struct gapimg_plan_requirement *r;
	struct pep508_req req;
	size_t off = 0, len = 0;
	char msg[512];
	int rv;

	memset(&req, 0, sizeof(req));
	rv = pep508_parse(t->value, t->value_len, &req, &off, &len, msg, sizeof(msg));
	if (rv == -2)
		return rc_nomem(rc);
	if (rv < 0) {
		rc_error(rc, st->src, value_span(st->src, t, off, len),
			 strchr(t->value, ' ') && !t->quoted
				 ? "quote a requirement that has spaces: pip \"numpy >= 1.26; python_version >= '3.11'\""
				 : "requirements are written as for pip (PEP 508), e.g. numpy>=1.26,<2",
			 "malformed requirement '%s': %s", t->value, msg);
		return 0;
	}
	if (rc_push(rc, &plan->requirements, &plan->nrequirements, sizeof(*r)) < 0)
		goto nomem;
	r = &plan->requirements[plan->nrequirements - 1];
	r->span = t->vspan;
	if ((r->text = pep508_canonical(&req)) == NULL)
		goto nomem;
	r->name = req.name;
	r->extras = req.extras;
	r->nextras = req.nextras;
	r->specifier = req.specifier;
	r->marker = req.marker;
	memset(&req, 0, sizeof(req));
	if (from && (r->mirror = rc_strdup(rc, from->value)) == NULL)
		return -1;
	return 0;
nomem:
	pep508_req_release(&req);
	return rc_nomem(rc);
}
