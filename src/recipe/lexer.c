/*
 * The recipe lexer.  A recipe is UTF-8 text, one directive per line:
 *
 *   directive word "quoted string" key=value key="quoted value"  # comment
 *
 * Words are separated by spaces or tabs.  A '#' at the start of a word
 * begins a comment; anywhere else in a word it is an error, so a comment
 * can never be mistaken for part of a value.  A word "key=value" whose key
 * is a lowercase name is an option; "==" never starts a value, so that
 * "torch==2.3.*" stays a word.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "values.h"

static uint32_t col_of(const char *line, size_t off)
{
	uint32_t col = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (((unsigned char)line[i] & 0xC0) != 0x80)
			col++;
	return col;
}

static uint32_t chars_in(const char *s, size_t len)
{
	return col_of(s, len) - 1;
}

struct lexer {
	struct rcompiler *rc;
	const struct rsource *src;
	uint32_t lineno;
	const char *line;
	size_t len, pos;
	int failed;
	size_t cur_off;          /* column cursor: cur_col is the column of */
	uint32_t cur_col;        /* byte cur_off, so spans cost linear time */
};

static uint32_t lx_col(struct lexer *lx, size_t off)
{
	if (off < lx->cur_off) {
		lx->cur_off = 0;
		lx->cur_col = 1;
	}
	for (; lx->cur_off < off; lx->cur_off++)
		if (((unsigned char)lx->line[lx->cur_off] & 0xC0) != 0x80)
			lx->cur_col++;
	return lx->cur_col;
}

static struct gapimg_span span_at(struct lexer *lx, size_t off, size_t len)
{
	struct gapimg_span sp;

	sp.file = lx->src->name;
	sp.line = lx->lineno;
	sp.col = lx_col(lx, off);
	sp.len = chars_in(lx->line + off, len);
	if (sp.len == 0)
		sp.len = 1;
	return sp;
}

static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;

	return rv_utf8_decode(s, n, &cp);
}

/* Characters that change how a line looks without being seen: C1
 * controls, bidirectional overrides and isolates, zero-width characters,
 * Unicode line and paragraph separators, the byte-order mark.  A reviewer
 * must see what the compiler reads. */
static const char *invisible(uint32_t cp)
{
	if (cp >= 0x80 && cp <= 0x9f)
		return "C1 control character";
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c)
		return "bidirectional control character";
	if ((cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff)
		return "zero-width character";
	if (cp == 0x2028 || cp == 0x2029)
		return "Unicode line separator";
	return NULL;
}

int rc_check_text(struct rcompiler *rc, const struct rsource *src)
{
	const unsigned char *p = (const unsigned char *)src->data;
	size_t len = src->len, i = 0, line_start = 0;
	uint32_t lineno = 1;
	int bad_line = 0, bad = 0;

	while (i < len) {
		size_t n = 1;
		uint32_t cp = 0;
		const char *why = NULL, *help = NULL;

		if (p[i] == '\n') {
			if (i - line_start > GAPIMG_RECIPE_MAX_LINE && !bad_line) {
				struct gapimg_span sp = { src->name, lineno, 1, 1 };
				rc_diag(rc, GAPIMG_DIAG_ERROR, NULL, sp,
					"split the directive over several lines",
					"line is longer than 4096 bytes");
				bad = 1;
			}
			lineno++;
			line_start = i + 1;
			bad_line = 0;
			i++;
			continue;
		}
		if (p[i] == '\r') {
			why = "carriage return in the recipe";
			help = "save the recipe with Unix (LF) line endings";
		} else if (p[i] == 0) {
			why = "NUL byte in the recipe";
		} else if (p[i] < 0x20 && p[i] != '\t') {
			why = "control character in the recipe";
			help = "write it as an escape in a quoted string, e.g. \"\\x1b\"";
		} else if (p[i] == 0x7f) {
			why = "control character (DEL) in the recipe";
		} else if (p[i] >= 0x80 && (n = rv_utf8_decode(p + i, len - i, &cp)) == 0) {
			why = "invalid UTF-8 in the recipe";
			help = "recipes are UTF-8 text";
			n = 1;
		} else if (p[i] >= 0x80 && (why = invisible(cp))) {
			help = "it changes how the line looks without being seen; remove it";
		}
		if (why && !bad_line) {
			struct gapimg_span sp;
			/* Columns are counted in characters of the valid text
			 * before the culprit. */
			sp.file = src->name;
			sp.line = lineno;
			sp.col = col_of((const char *)p + line_start, i - line_start);
			sp.len = 1;
			if (cp >= 0x80)
				rc_diag(rc, GAPIMG_DIAG_ERROR, NULL, sp, help, "%s (U+%04X) in the recipe",
					why, (unsigned)cp);
			else
				rc_diag(rc, GAPIMG_DIAG_ERROR, NULL, sp, help, "%s (byte 0x%02x)",
					why, p[i]);
			bad_line = bad = 1;
		}
		i += n;
	}
	if (i - line_start > GAPIMG_RECIPE_MAX_LINE && !bad_line) {
		struct gapimg_span sp = { src->name, lineno, 1, 1 };
		rc_diag(rc, GAPIMG_DIAG_ERROR, NULL, sp, "split the directive over several lines",
			"line is longer than 4096 bytes");
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* Copy n bytes and end them with NUL.  Not strndup: recipe text in memory
 * need not end in NUL, and ASan's strict string checks read to one. */
static char *memdup_str(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void rc_tokens_free(struct rtoken *toks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(toks[i].key);
		free(toks[i].value);
	}
	free(toks);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void lex_error(struct lexer *lx, size_t off, size_t len, const char *help,
		      const char *msg)
{
	rc_diag(lx->rc, GAPIMG_DIAG_ERROR, lx->src,
		span_at(lx, off, len), help, "%s", msg);
	lx->failed = 1;
}

/* A quoted string starting at lx->pos (on the '"'): decoded into *out. */
static int lex_string(struct lexer *lx, char **out, size_t *out_len)
{
	size_t start = lx->pos, i = lx->pos + 1;
	char *buf = malloc(lx->len - start + 1);
	size_t n = 0;

	if (buf == NULL)
		return -2;
	while (i < lx->len && lx->line[i] != '"') {
		char c = lx->line[i];

		if (c != '\\') {
			buf[n++] = c;
			i++;
			continue;
		}
		if (i + 1 >= lx->len) {
			lex_error(lx, i, 1, NULL, "backslash at the end of the line");
			goto bad;
		}
		switch (lx->line[i + 1]) {
		case '\\': buf[n++] = '\\'; i += 2; break;
		case '"': buf[n++] = '"'; i += 2; break;
		case 'n': buf[n++] = '\n'; i += 2; break;
		case 't': buf[n++] = '\t'; i += 2; break;
		case 'x': {
			int hi = i + 2 < lx->len ? rv_hexval(lx->line[i + 2]) : -1;
			int lo = i + 3 < lx->len ? rv_hexval(lx->line[i + 3]) : -1;
			int v = hi * 16 + lo;

			if (hi < 0 || lo < 0 || v == 0 || v > 0x7f) {
				lex_error(lx, i, hi >= 0 && lo >= 0 ? 4 : 2,
					  "write non-ASCII characters as they are (recipes are UTF-8)",
					  "'\\x' takes two hex digits from 01 to 7f");
				goto bad;
			}
			buf[n++] = (char)v;
			i += 4;
			break;
		}
		default: {
			size_t clen = utf8_len((const unsigned char *)lx->line + i + 1,
					       lx->len - i - 1);
			lex_error(lx, i, 1 + (clen ? clen : 1),
				  "the escapes are \\\\ \\\" \\n \\t and \\xHH",
				  "unknown escape in a quoted string");
			goto bad;
		}
		}
	}
	if (i >= lx->len) {
		lex_error(lx, start, 1, "close the string with '\"' on the same line",
			  "unterminated string");
		goto bad;
	}
	buf[n] = '\0';
	lx->pos = i + 1;
	*out = buf;
	*out_len = n;
	return 0;
bad:
	free(buf);
	return -1;
}

/* The option name of a word "name=value", or 0 if it is not an option. */
static size_t option_key_len(const char *w, size_t len)
{
	size_t i = 0;

	if (len == 0 || w[0] < 'a' || w[0] > 'z')
		return 0;
	while (i < len && ((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') ||
			   w[i] == '-'))
		i++;
	if (i >= len || w[i] != '=' || (i + 1 < len && w[i + 1] == '='))
		return 0;
	return i;
}

static int push(struct rtoken **toks, size_t *n, size_t *alloc, struct rtoken *t)
{
	if (*n == *alloc) {
		size_t na = *alloc ? 2 * *alloc : 8;
		struct rtoken *v = realloc(*toks, na * sizeof(*v));
		if (v == NULL)
			return -1;
		*toks = v;
		*alloc = na;
	}
	(*toks)[(*n)++] = *t;
	return 0;
}

int rc_lex_line(struct rcompiler *rc, const struct rsource *src, uint32_t lineno,
		const char *line, size_t len, struct rtoken **out, size_t *nout)
{
	struct lexer lx = { rc, src, lineno, line, len, 0, 0, 0, 1 };
	struct rtoken *toks = NULL;
	size_t n = 0, alloc = 0;

	for (;;) {
		struct rtoken t;
		size_t start, klen;
		int r;

		while (lx.pos < len && is_space(line[lx.pos]))
			lx.pos++;
		if (lx.pos >= len || line[lx.pos] == '#')
			break;
		if (n == GAPIMG_RECIPE_MAX_TOKENS) {
			lex_error(&lx, lx.pos, len - lx.pos, "split the directive over several lines",
				  "more than 256 words on one line");
			break;
		}
		memset(&t, 0, sizeof(t));
		start = lx.pos;
		/* The token's own column first: the cursor only moves forward. */
		t.span = span_at(&lx, start, 1);
		if (line[start] == '"') {
			t.kind = RTOK_STRING;
			t.quoted = 1;
			r = lex_string(&lx, &t.value, &t.value_len);
			if (r == -2)
				goto nomem;
			if (r < 0)
				break;
			t.vspan = span_at(&lx, start, lx.pos - start);
		} else {
			while (lx.pos < len && !is_space(line[lx.pos]) && line[lx.pos] != '"' &&
			       line[lx.pos] != '#')
				lx.pos++;
			if (lx.pos < len && line[lx.pos] == '#') {
				lex_error(&lx, lx.pos, 1,
					  "put a space before a comment, or quote the word",
					  "'#' inside a word");
				break;
			}
			klen = option_key_len(line + start, lx.pos - start);
			if (lx.pos < len && line[lx.pos] == '"') {
				size_t q = lx.pos;

				if (klen == 0 || q != start + klen + 1) {
					lex_error(&lx, q, 1, "quote the whole word",
						  "quote in the middle of a word");
					break;
				}
				t.kind = RTOK_OPTION;
				t.quoted = 1;
				r = lex_string(&lx, &t.value, &t.value_len);
				if (r == -2)
					goto nomem;
				if (r < 0)
					break;
				t.vspan = span_at(&lx, q, lx.pos - q);
			} else if (klen) {
				t.kind = RTOK_OPTION;
				t.value_len = lx.pos - start - klen - 1;
				t.value = memdup_str(line + start + klen + 1, t.value_len);
				t.vspan = span_at(&lx, start + klen + 1, t.value_len);
			} else {
				t.kind = RTOK_WORD;
				t.value_len = lx.pos - start;
				t.value = memdup_str(line + start, t.value_len);
				t.vspan = span_at(&lx, start, t.value_len);
			}
			if (t.value == NULL)
				goto nomem;
			if (klen && (t.key = memdup_str(line + start, klen)) == NULL) {
				free(t.value);
				goto nomem;
			}
		}
		t.span.len = chars_in(line + start, lx.pos - start);
		if (push(&toks, &n, &alloc, &t) < 0) {
			free(t.key);
			free(t.value);
			goto nomem;
		}
		if (lx.pos < len && !is_space(line[lx.pos])) {
			lex_error(&lx, lx.pos, 1, "put a space between words",
				  line[lx.pos] == '#' ? "'#' right after a quoted string"
						      : "text right after a quoted string");
			break;
		}
	}
	if (lx.failed) {
		rc_tokens_free(toks, n);
		*out = NULL;
		*nout = 0;
		return -1;
	}
	*out = toks;
	*nout = n;
	return 0;
nomem:
	rc_tokens_free(toks, n);
	rc->nomem = 1;
	gapimg_error_set(rc->err, GAPIMG_E_NOMEM, "out of memory while reading the recipe");
	return -2;
}
