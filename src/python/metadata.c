#include "python/metadata.h"
#include "python/chars.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapimg/error.h"

/*
 * Core metadata is an email-style header block.  Only the fields the
 * resolver needs are kept, and the licence fields for the image's
 * manifest; everything else (Summary, other classifiers, Description...)
 * is read past.  Values are returned as written: whether a
 * Requires-Dist or Requires-Python is valid is for pep508.c and pep440.c
 * to say, with their own messages.
 *
 * Byte classes are tested by hand rather than with <ctype.h>: the answer
 * must not depend on the locale.
 */

enum field {
	F_METADATA_VERSION,
	F_NAME,
	F_VERSION,
	F_REQUIRES_PYTHON,
	F_REQUIRES_DIST,
	F_PROVIDES_EXTRA,
	F_LICENSE_EXPRESSION,
	F_LICENSE,
	F_CLASSIFIER,
	F_OTHER,
};

/* As the specifications spell them, for messages; matched ignoring case. */
static const char *const field_names[] = {
	"Metadata-Version",
	"Name",
	"Version",
	"Requires-Python",
	"Requires-Dist",
	"Provides-Extra",
	"License-Expression",
	"License",
	"Classifier",
};

#define NSINGLE 4   /* the fields before F_REQUIRES_DIST appear at most once */

struct mparse {
	struct pymeta *m;
	char *msg;
	size_t msgsz;
	size_t line[NSINGLE];     /* where each single field was, or 0 */
	char **cur;               /* the value a continuation line extends */
	int cur_lines;            /* ... keeping the line break (License) */
	size_t rd_alloc, pe_alloc, lc_alloc;
};

static int is_ws(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 5322 field names: printable ASCII except ':' (and so no blank). */
static int is_fname_ch(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ':';
}

static int fail(struct mparse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct mparse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->msg && p->msgsz) {
		va_start(ap, fmt);
		vsnprintf(p->msg, p->msgsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static enum field field_of(const char *s, size_t n)
{
	size_t f, i;

	for (f = 0; f < F_OTHER; f++) {
		const char *name = field_names[f];

		if (strlen(name) != n)
			continue;
		for (i = 0; i < n; i++)
			if (to_lower((unsigned char)s[i]) !=
			    to_lower((unsigned char)name[i]))
				break;
		if (i == n)
			return (enum field)f;
	}
	return F_OTHER;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && is_ws((unsigned char)**s))
		(*s)++;
	while (*e > *s && is_ws((unsigned char)(*e)[-1]))
		(*e)--;
}

/* Append one more value to a multiple-use field; *slot gets the string. */
static int push(char ***v, size_t *n, size_t *alloc, const char *s,
		size_t len, char ***slot)
{
	char *copy = memdup_str(s, len);

	if (copy == NULL ||
	    gapimg_grow((void **)v, alloc, *n, sizeof(**v)) != 0) {
		free(copy);
		return -2;
	}
	(*v)[*n] = copy;
	/* Valid until the next push, which only a new field line makes. */
	*slot = &(*v)[*n];
	(*n)++;
	return 0;
}

/* A continuation line: " value" joined to the field before with one space. */
static int extend(char **val, const char *s, size_t len)
{
	size_t old = strlen(*val);
	char *nv;

	if (len == 0)
		return 0;
	nv = realloc(*val, old + len + 2);
	if (nv == NULL)
		return -2;
	if (old)
		nv[old++] = ' ';
	memcpy(nv + old, s, len);
	nv[old + len] = '\0';
	*val = nv;
	return 0;
}

/* A continuation line of License: kept on a line of its own. */
static int extend_line(char **val, const char *s, size_t len)
{
	size_t old = strlen(*val);
	char *nv = realloc(*val, old + len + 2);

	if (nv == NULL)
		return -2;
	nv[old++] = '\n';
	memcpy(nv + old, s, len);
	nv[old + len] = '\0';
	*val = nv;
	return 0;
}

/* The licence fields: every "License ::" classifier, in order; of
 * License and License-Expression the first, a repeat being read past
 * (they only inform the manifest, and a resolver must not skip a wheel
 * over them). */
static int license_field(struct mparse *p, enum field f, const char *v,
			 const char *ve)
{
	static const char prefix[] = "License ::";
	char **slot;

	if (f == F_CLASSIFIER) {
		if ((size_t)(ve - v) < sizeof(prefix) - 1 ||
		    memcmp(v, prefix, sizeof(prefix) - 1) != 0)
			return 0;
		return push(&p->m->license_classifiers, &p->m->nlicense_classifiers,
			    &p->lc_alloc, v, (size_t)(ve - v), &p->cur);
	}
	slot = f == F_LICENSE ? &p->m->license : &p->m->license_expression;
	if (*slot != NULL)
		return 0;
	if ((*slot = memdup_str(v, (size_t)(ve - v))) == NULL)
		return -2;
	p->cur = slot;
	p->cur_lines = f == F_LICENSE;
	return 0;
}

static char **single_slot(struct pymeta *m, enum field f)
{
	switch (f) {
	case F_METADATA_VERSION:
		return &m->metadata_version;
	case F_NAME:
		return &m->name;
	case F_VERSION:
		return &m->version;
	default:
		return &m->requires_python;
	}
}

/* One header line s[0..e) (no line end): 0, -1 malformed, -2 no memory. */
static int header_line(struct mparse *p, size_t ln, const char *s,
		       const char *e)
{
	const char *colon, *v, *ve;
	enum field f;

	if (memchr(s, '\0', (size_t)(e - s)))
		return fail(p, "METADATA line %zu: NUL byte", ln);
	if (is_ws((unsigned char)*s)) {
		if (p->cur == NULL && ln == 1)
			return fail(p, "METADATA line 1: continuation line with no field before it");
		trim(&s, &e);
		if (p->cur && p->cur_lines)
			return extend_line(p->cur, s, (size_t)(e - s));
		return p->cur ? extend(p->cur, s, (size_t)(e - s)) : 0;
	}
	colon = memchr(s, ':', (size_t)(e - s));
	if (colon == NULL)
		return fail(p, "METADATA line %zu: '%.*s%s' is not 'Field: value'",
			    ln, clip((size_t)(e - s)), s, ell((size_t)(e - s)));
	for (v = s; v < colon; v++)
		if (!is_fname_ch((unsigned char)*v))
			break;
	if (v != colon || colon == s)
		return fail(p, "METADATA line %zu: invalid field name '%.*s%s'",
			    ln, clip((size_t)(colon - s)), s,
			    ell((size_t)(colon - s)));

	v = colon + 1;
	ve = e;
	trim(&v, &ve);
	f = field_of(s, (size_t)(colon - s));
	p->cur = NULL;
	p->cur_lines = 0;
	switch (f) {
	case F_REQUIRES_DIST:
		return push(&p->m->requires_dist, &p->m->nrequires_dist,
			    &p->rd_alloc, v, (size_t)(ve - v), &p->cur);
	case F_PROVIDES_EXTRA:
		return push(&p->m->provides_extra, &p->m->nprovides_extra,
			    &p->pe_alloc, v, (size_t)(ve - v), &p->cur);
	case F_LICENSE_EXPRESSION:
	case F_LICENSE:
	case F_CLASSIFIER:
		return license_field(p, f, v, ve);
	case F_OTHER:
		return 0;
	default:
		break;
	}
	if (p->line[f])
		return fail(p, "METADATA: %s given twice (lines %zu and %zu)",
			    field_names[f], p->line[f], ln);
	p->line[f] = ln;
	p->cur = single_slot(p->m, f);
	*p->cur = memdup_str(v, (size_t)(ve - v));
	return *p->cur ? 0 : -2;
}

/* "1.x" or "2.x" with digits only: later majors may change the format. */
static int mv_ok(const char *s)
{
	if (s[0] != '1' && s[0] != '2')
		return 0;
	if (s[1] != '.' || !is_digit((unsigned char)s[2]))
		return 0;
	for (s += 2; *s; s++)
		if (!is_digit((unsigned char)*s))
			return 0;
	return 1;
}

static int check(struct mparse *p)
{
	struct pymeta *m = p->m;
	enum field f;

	for (f = F_METADATA_VERSION; f <= F_VERSION; f++) {
		const char *val = *single_slot(m, f);

		if (val == NULL)
			return fail(p, "METADATA: no %s field", field_names[f]);
		if (val[0] == '\0')
			return fail(p, "METADATA line %zu: empty %s",
				    p->line[f], field_names[f]);
	}
	if (!mv_ok(m->metadata_version))
		return fail(p, "METADATA line %zu: Metadata-Version '%.*s%s' is not 1.x or 2.x",
			    p->line[F_METADATA_VERSION],
			    clip(strlen(m->metadata_version)),
			    m->metadata_version,
			    ell(strlen(m->metadata_version)));
	return 0;
}

static int parse(struct mparse *p, const char *t, size_t len)
{
	const char *end = t + len, *s = t;
	size_t ln = 0;
	int r;

	/* A UTF-8 byte order mark is not part of the first field name. */
	if (len >= 3 && !memcmp(t, "\xef\xbb\xbf", 3))
		s += 3;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;

		ln++;
		if (e > s && e[-1] == '\r')
			e--;
		if (e == s)
			break;          /* the blank line before the body */
		r = header_line(p, ln, s, e);
		if (r)
			return r;
		s = nl ? nl + 1 : end;
	}
	return check(p);
}

int pymeta_parse(const char *text, size_t len, struct pymeta *m, char *msg,
		 size_t msgsz)
{
	struct mparse p;
	int r;

	memset(m, 0, sizeof(*m));
	memset(&p, 0, sizeof(p));
	p.m = m;
	p.msg = msg;
	p.msgsz = msgsz;
	if (msg && msgsz)
		msg[0] = '\0';
	r = parse(&p, text, len);
	if (r == -2 && msg && msgsz)
		snprintf(msg, msgsz, "out of memory");
	if (r)
		pymeta_release(m);
	return r;
}

void pymeta_release(struct pymeta *m)
{
	size_t i;

	free(m->metadata_version);
	free(m->name);
	free(m->version);
	free(m->requires_python);
	for (i = 0; i < m->nrequires_dist; i++)
		free(m->requires_dist[i]);
	free(m->requires_dist);
	for (i = 0; i < m->nprovides_extra; i++)
		free(m->provides_extra[i]);
	free(m->provides_extra);
	free(m->license_expression);
	free(m->license);
	for (i = 0; i < m->nlicense_classifiers; i++)
		free(m->license_classifiers[i]);
	free(m->license_classifiers);
	memset(m, 0, sizeof(*m));
}
