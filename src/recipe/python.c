/*
 * Python requirements: PEP 508 lines, checked and normalised here so that
 * the resolver gets names, extras, specifiers and markers it can trust.
 */
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pep508.h"

/* Column of byte off of a token's value: exact for words and for quoted
 * strings without escapes. */
static struct gapimg_span value_span(const struct rtoken *t, size_t off, size_t len)
{
	struct gapimg_span sp = t->vspan;
	size_t i;
	uint32_t chars = 0, n = 0;

	for (i = 0; i < off && i < t->value_len; i++)
		chars += ((unsigned char)t->value[i] & 0xC0) != 0x80;
	for (; i < off + len && i < t->value_len; i++)
		n += ((unsigned char)t->value[i] & 0xC0) != 0x80;
	sp.col += chars + (t->quoted ? 1 : 0);
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
		rc_error(rc, st->src, value_span(t, off, len),
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
