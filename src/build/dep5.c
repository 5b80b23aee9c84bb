/*
 * Reading a package's licence from its machine-readable copyright file
 * (dep5.h).  Only what the licence needs is parsed; anything else in the
 * file is passed over.
 */
#include <string.h>
#include <strings.h>

#include "dep5.h"

/* The package's licence from its copyright file, when that file is
 * machine-readable (copyright-format 1.0, "DEP-5"): its first paragraph
 * has a Format: naming copyright-format/1.0 (only that part of the URL is
 * compared: it has been written with http and https), and the licence is
 * the first line of License: in the Files: paragraph whose patterns
 * include "*", the whole source.  When several do, the last one counts,
 * as later paragraphs override earlier ones in that format.  Paragraphs
 * end at blank lines, '#' lines are comments, continuation lines start
 * with a space or tab; field names ignore case. */
enum dep5_field { D_NONE, D_FILES };

struct dep5 {
	int para;                 /* paragraphs begun (1: the header) */
	int in_para;
	int format_ok;
	enum dep5_field field;    /* what a continuation line continues */
	int star;                 /* this paragraph's Files: has "*" */
	const char *lic;          /* this paragraph's License: first line */
	size_t lic_len;
	int has_lic;
	const char *found;        /* the answer so far */
	size_t found_len;
};

static int dep5_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Does the pattern list s[0..e) hold the pattern "*"? */
static int dep5_star(const char *s, const char *e)
{
	while (s < e) {
		const char *t;

		while (s < e && dep5_blank((unsigned char)*s))
			s++;
		t = s;
		while (s < e && !dep5_blank((unsigned char)*s))
			s++;
		if (s - t == 1 && *t == '*')
			return 1;
	}
	return 0;
}

static void dep5_end_para(struct dep5 *d)
{
	if (d->in_para && d->para > 1 && d->star) {
		d->found = d->has_lic && d->lic_len ? d->lic : NULL;
		d->found_len = d->found ? d->lic_len : 0;
	}
	d->in_para = 0;
}

static int dep5_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp(name, want, n) == 0;
}

/* One line s[0..e) (no line end, not blank); 0 to go on, -1 when the
 * file is not machine-readable. */
static int dep5_line(struct dep5 *d, const char *s, const char *e)
{
	const char *colon, *v, *ve;
	size_t n;

	if (!d->in_para) {
		if (d->para == 1 && !d->format_ok)
			return -1;
		d->in_para = 1;
		d->para++;
		d->star = d->has_lic = 0;
		d->field = D_NONE;
	}
	if (*s == ' ' || *s == '\t') {
		if (d->field == D_FILES && dep5_star(s, e))
			d->star = 1;
		return 0;
	}
	d->field = D_NONE;
	colon = memchr(s, ':', (size_t)(e - s));
	if (colon == NULL)
		return 0;
	n = (size_t)(colon - s);
	v = colon + 1;
	ve = e;
	while (v < ve && dep5_blank((unsigned char)*v))
		v++;
	while (ve > v && dep5_blank((unsigned char)ve[-1]))
		ve--;
	if (d->para == 1) {
		if (dep5_is(s, n, "Format"))
			d->format_ok = memmem(v, (size_t)(ve - v), "copyright-format/1.0",
					      strlen("copyright-format/1.0")) != NULL;
	} else if (dep5_is(s, n, "Files")) {
		d->field = D_FILES;
		d->star = dep5_star(v, ve);
	} else if (dep5_is(s, n, "License") && !d->has_lic) {
		d->has_lic = 1;
		d->lic = v;
		d->lic_len = (size_t)(ve - v);
	}
	return 0;
}

int dep5_license(const char *text, size_t len, const char **lic, size_t *lic_len)
{
	struct dep5 d;
	const char *p = text, *end = text + len;

	memset(&d, 0, sizeof(d));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *q = p;

		while (q < e && dep5_blank((unsigned char)*q))
			q++;
		if (q == e)
			dep5_end_para(&d);
		else if (*p != '#' && dep5_line(&d, p, e) < 0)
			return 0;
		p = nl ? nl + 1 : end;
	}
	dep5_end_para(&d);
	if (!d.format_ok || d.found == NULL)
		return 0;
	*lic = d.found;
	*lic_len = d.found_len;
	return 1;
}

