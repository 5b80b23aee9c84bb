/*
 * Diagnostics: collecting them while compiling, and rendering them the way
 * gcc and rustc do, so that editors and people find the culprit at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void gapimg_diags_release(struct gapimg_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].message);
		free(d->v[i].help);
		free(d->v[i].source_line);
	}
	free(d->v);
	for (i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	memset(d, 0, sizeof(*d));
}

const char *rc_intern_name(struct rcompiler *rc, const char *name)
{
	struct gapimg_diags *d = rc->diags;
	char **grown;
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (strcmp(d->files[i], name) == 0)
			return d->files[i];
	grown = realloc(d->files, (d->nfiles + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	d->files = grown;
	if ((d->files[d->nfiles] = strdup(name)) == NULL)
		return NULL;
	return d->files[d->nfiles++];
}

/* The text of line lineno (1-based) of src, without its newline. */
static char *copy_line(const struct rsource *src, uint32_t lineno)
{
	const char *p = src->data, *end = src->data + src->len, *nl;
	uint32_t n = 1;

	while (n < lineno && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return NULL;
		p = nl + 1;
		n++;
	}
	if (n != lineno)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	{
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(len + 1);

		if (line) {
			memcpy(line, p, len);   /* the text need not end in NUL */
			line[len] = '\0';
		}
		return line;
	}
}

/* Values quoted in messages can hold what escapes made ("\n", "\t"):
 * show them escaped again, so every diagnostic stays one line per part. */
static void escape_controls(char **msg)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = *msg; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n')
			strbuf_addstr(&sb, "\\n");
		else if (c == '\t')
			strbuf_addstr(&sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, (char)c);
	}
	free(*msg);
	*msg = strbuf_detach(&sb);
}

int rc_stopped(const struct rcompiler *rc)
{
	return rc->nomem || rc->diags->stopped;
}

void rc_diag(struct rcompiler *rc, enum gapimg_diag_level level,
	     const struct rsource *src, struct gapimg_span span,
	     const char *help, const char *fmt, ...)
{
	struct gapimg_diags *d = rc->diags;
	struct gapimg_diag *g;
	va_list ap;
	char *msg;
	int n;

	if (rc_stopped(rc))
		return;
	if (level == GAPIMG_DIAG_ERROR && d->errors >= GAPIMG_DIAG_MAX) {
		d->stopped = 1;
		return;
	}
	/* Warnings are capped too: a recipe with thousands of them must not
	 * cost thousands of copied lines. */
	if (level == GAPIMG_DIAG_WARNING && d->warnings >= GAPIMG_DIAG_MAX) {
		d->warnings++;
		d->hidden++;
		return;
	}
	if (d->n == d->alloc) {
		size_t na = d->alloc ? 2 * d->alloc : 16;
		struct gapimg_diag *v = realloc(d->v, na * sizeof(*v));
		if (v == NULL)
			goto nomem;
		d->v = v;
		d->alloc = na;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto nomem;
	escape_controls(&msg);
	if (msg == NULL)
		goto nomem;
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->level = level;
	g->span = span;
	g->message = msg;
	if (help && (g->help = strdup(help)) == NULL)
		goto nomem_g;
	if (src && span.line > 0 && (g->source_line = copy_line(src, span.line)) == NULL)
		goto nomem_g;
	d->n++;
	if (level == GAPIMG_DIAG_ERROR)
		d->errors++;
	else if (level == GAPIMG_DIAG_WARNING)
		d->warnings++;
	return;
nomem_g:
	free(g->message);
	free(g->help);
nomem:
	rc->nomem = 1;
	gapimg_error_set(rc->err, GAPIMG_E_NOMEM, "out of memory while compiling the recipe");
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps),
 * capped: names in recipes are short. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[65][65];

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
				       d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

const char *rc_closest(const char *word, const char *const *cands, size_t n)
{
	size_t best = (size_t)-1, i, len = strlen(word);
	const char *found = NULL;

	for (i = 0; i < n; i++) {
		size_t dist = edit_distance(word, cands[i]);
		/* Ties go to the earlier candidate: tables list the common
		 * spellings first. */
		if (dist < best) {
			best = dist;
			found = cands[i];
		}
	}
	if (found == NULL || best == 0 || best > 2 || 2 * best >= len + (len < 4))
		return NULL;
	return found;
}

const char *rc_did_you_mean(char *buf, size_t size, const char *word,
			    const char *const *cands, size_t n)
{
	const char *c = rc_closest(word, cands, n);

	if (c == NULL)
		return NULL;
	snprintf(buf, size, "did you mean '%s'?", c);
	return buf;
}

static const char *level_name(enum gapimg_diag_level l)
{
	switch (l) {
	case GAPIMG_DIAG_ERROR: return "error";
	case GAPIMG_DIAG_WARNING: return "warning";
	case GAPIMG_DIAG_NOTE: return "note";
	}
	return "error";
}

/* Recipe text is valid UTF-8 without control characters except tabs (the
 * lexer makes sure), so the line is echoed as is with tabs as spaces:
 * columns count characters and the caret lines up. */
int gapimg_diag_format(const struct gapimg_diag *g, struct strbuf *out)
{
	const char *name = g->span.file ? g->span.file : "<recipe>";
	struct strbuf file = STRBUF_INIT;
	char num[16];
	size_t width, i;
	int rc = 0;

	/* File names come from the command line and may hold anything:
	 * never let one forge a line. */
	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			rc |= strbuf_addf(&file, "\\x%02x", c);
		else
			rc |= strbuf_addch(&file, (char)c);
	}
	if (g->span.line == 0)
		rc |= strbuf_addf(out, "%s: %s: %s\n", file.buf, level_name(g->level), g->message);
	else
		rc |= strbuf_addf(out, "%s:%u:%u: %s: %s\n", file.buf, g->span.line,
				  g->span.col, level_name(g->level), g->message);
	if (g->source_line) {
		width = (size_t)snprintf(num, sizeof(num), "%u", g->span.line);
		rc |= strbuf_addf(out, " %s | ", num);
		for (i = 0; g->source_line[i]; i++)
			rc |= strbuf_addch(out, g->source_line[i] == '\t' ? ' ' : g->source_line[i]);
		rc |= strbuf_addch(out, '\n');
		rc |= strbuf_addf(out, " %*s | ", (int)width, "");
		for (i = 1; i < g->span.col; i++)
			rc |= strbuf_addch(out, ' ');
		rc |= strbuf_addch(out, '^');
		for (i = 1; i < g->span.len; i++)
			rc |= strbuf_addch(out, '~');
		rc |= strbuf_addch(out, '\n');
		if (g->help)
			rc |= strbuf_addf(out, " %*s = help: %s\n", (int)width, "", g->help);
	} else if (g->help) {
		rc |= strbuf_addf(out, "  = help: %s\n", g->help);
	}
	strbuf_release(&file);
	return rc ? -1 : 0;
}
