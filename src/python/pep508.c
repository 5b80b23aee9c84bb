#include "python/pep508.h"
#include "python/chars.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A hand-written recursive descent parser for PEP 508 name requirements.
 * Everything it accepts is written back in one canonical spelling, so the
 * recipe compiler can compare and hash requirements as plain strings.
 *
 * Byte classes are tested by hand rather than with <ctype.h>: the input is
 * arbitrary bytes and the answer must not depend on the locale.
 */

static const char *const marker_vars[] = {
	"python_version",
	"python_full_version",
	"os_name",
	"sys_platform",
	"platform_release",
	"platform_system",
	"platform_version",
	"platform_machine",
	"platform_python_implementation",
	"implementation_name",
	"implementation_version",
	"extra",
};

#define NVARS (sizeof(marker_vars) / sizeof(marker_vars[0]))

static int is_ws(int c)
{
	return c == ' ' || c == '\t';
}

/* Bytes never allowed outside a quoted marker string. */
static int is_bad(int c)
{
	return (c < 0x20 && c != '\t') || c >= 0x7f;
}

static int is_name_ch(int c)
{
	return is_alnum(c) || is_sep(c);
}

static int is_ver_ch(int c)
{
	return is_name_ch(c) || c == '*' || c == '+' || c == '!';
}

static int is_op_ch(int c)
{
	return c == '<' || c == '>' || c == '=' || c == '!' || c == '~';
}

static int is_ident_ch(int c)
{
	return is_alnum(c) || c == '_' || c == '.';
}

/* The version after '===' is anything up to a delimiter. */
static int is_arb_ch(int c)
{
	return !is_ws(c) && !is_bad(c) && c != ',' && c != ';' && c != ')';
}

/* ---- growable output strings ---- */

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	char *np;
	size_t cap;

	if (b->oom)
		return;
	if (b->p == NULL || n >= b->cap - b->len) {
		cap = b->cap ? b->cap : 64;
		while (n >= cap - b->len) {
			if (cap > ((size_t)-1) / 2) {
				b->oom = 1;
				return;
			}
			cap *= 2;
		}
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* ---- PEP 440 versions ---- */

enum verr {
	V_OK,
	V_EMPTY,
	V_NO_NUMBER,
	V_EPOCH,
	V_LOCAL,
	V_TRAILING,
};

struct vinfo {
	size_t nrelease;
	int has_pre, has_post, has_dev, has_local;
	size_t stop;	/* where the parse stopped on V_TRAILING and V_LOCAL */
};

static size_t skip_digits(const char *s, size_t n, size_t i)
{
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	return i;
}

/* Length of word at s[i..n) compared without case, or 0 if it is not there. */
static size_t match_word(const char *s, size_t n, size_t i, const char *word)
{
	size_t k, wl = strlen(word);

	if (wl > n - i)
		return 0;
	for (k = 0; k < wl; k++)
		if (to_lower((unsigned char)s[i + k]) != word[k])
			return 0;
	return wl;
}

/*
 * Longest label of the list at s[i].  Longest-first is enough: no label's
 * tail after a shorter label ("lpha", "eta", "view", "ev") can start anything
 * that may follow it, so a backtracking regex accepts the same strings.
 */
static size_t match_label(const char *s, size_t n, size_t i,
			  const char *const *labels)
{
	size_t k, best = 0, l;

	for (k = 0; labels[k]; k++) {
		l = match_word(s, n, i, labels[k]);
		if (l > best)
			best = l;
	}
	return best;
}

/*
 * After a pre, post or dev label: an optional separator and an optional
 * number.  PEP 440's normalisation regex lets the separator stand alone
 * ("1.0a."), and every later part has an optional separator of its own,
 * so taking it greedily here never rejects a valid version.
 */
static size_t opt_sep_num(const char *s, size_t n, size_t i)
{
	if (i < n && is_sep((unsigned char)s[i]))
		i++;
	return skip_digits(s, n, i);
}

/* Optional separator, then one of labels; returns the end or 0. */
static size_t sep_label(const char *s, size_t n, size_t i,
			const char *const *labels)
{
	size_t j = i, l;

	if (j < n && is_sep((unsigned char)s[j]))
		j++;
	l = match_label(s, n, j, labels);
	return l ? j + l : 0;
}

static enum verr parse_version(const char *s, size_t n, struct vinfo *vi)
{
	static const char *const pre[] = {
		"alpha", "a", "beta", "b", "preview", "pre", "c", "rc", NULL
	};
	static const char *const post[] = { "post", "rev", "r", NULL };
	static const char *const dev[] = { "dev", NULL };
	size_t i = 0, j;

	memset(vi, 0, sizeof(*vi));
	if (n == 0)
		return V_EMPTY;
	if (s[0] == 'v' || s[0] == 'V')
		i++;
	if (i >= n || !is_digit((unsigned char)s[i])) {
		vi->stop = i;
		return V_NO_NUMBER;
	}
	i = skip_digits(s, n, i);
	if (i < n && s[i] == '!') {
		i++;
		if (i >= n || !is_digit((unsigned char)s[i])) {
			vi->stop = i;
			return V_EPOCH;
		}
		i = skip_digits(s, n, i);
	}
	vi->nrelease = 1;
	while (i + 1 < n && s[i] == '.' && is_digit((unsigned char)s[i + 1])) {
		i = skip_digits(s, n, i + 1);
		vi->nrelease++;
	}

	j = sep_label(s, n, i, pre);
	if (j) {
		vi->has_pre = 1;
		i = opt_sep_num(s, n, j);
	}

	/* "1.0-1" is an implicit post release; only '-' may introduce it. */
	if (i + 1 < n && s[i] == '-' && is_digit((unsigned char)s[i + 1])) {
		vi->has_post = 1;
		i = skip_digits(s, n, i + 1);
	} else if ((j = sep_label(s, n, i, post)) != 0) {
		vi->has_post = 1;
		i = opt_sep_num(s, n, j);
	}

	j = sep_label(s, n, i, dev);
	if (j) {
		vi->has_dev = 1;
		i = opt_sep_num(s, n, j);
	}

	if (i < n && s[i] == '+') {
		vi->has_local = 1;
		vi->stop = i;
		j = i + 1;
		for (;;) {
			if (j >= n || !is_alnum((unsigned char)s[j]))
				return V_LOCAL;
			while (j < n && is_alnum((unsigned char)s[j]))
				j++;
			if (j == n)
				break;
			if (!is_sep((unsigned char)s[j]))
				return V_LOCAL;
			j++;
		}
		i = j;
	}
	if (i != n) {
		vi->stop = i;
		return V_TRAILING;
	}
	return V_OK;
}

int pep440_version_valid(const char *s, size_t len, int allow_local)
{
	struct vinfo vi;

	if (s == NULL)
		return 0;
	if (parse_version(s, len, &vi) != V_OK)
		return 0;
	return allow_local || !vi.has_local;
}

/* ---- the requirement parser ---- */

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	int depth;

	size_t eoff, elen;
	char *msg;
	size_t msgsz;
	int oom;

	char *name;
	char **extras;
	size_t nextras, extras_cap;
	struct buf spec;
	struct buf marker;
	int has_marker;
};

static int fail(struct parser *p, size_t off, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct parser *p, size_t off, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (off > p->len)
		off = p->len;
	if (n > p->len - off)
		n = p->len - off;
	p->eoff = off;
	p->elen = n;
	if (p->msg && p->msgsz) {
		va_start(ap, fmt);
		vsnprintf(p->msg, p->msgsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Quote character for showing s[off..off+n): '"' when it holds a '\''. */
static int qch(const struct parser *p, size_t off, size_t n)
{
	return memchr(p->s + off, '\'', n) ? '"' : '\'';
}

/* Arguments for "%c%.*s%s%c": the input text, quoted and clipped. */
#define Q(p, off, n) qch(p, off, n), clip(n), (p)->s + (off), ell(n), \
		     qch(p, off, n)
/* Arguments for "%.*s%s": a string that needs no quoting, clipped. */
static int fail_bad(struct parser *p, size_t off)
{
	unsigned char c = (unsigned char)p->s[off];

	if (c >= 0x80)
		return fail(p, off, 1, "non-ASCII byte 0x%02x is only allowed "
			    "inside a quoted marker string", c);
	return fail(p, off, 1, "control character 0x%02x is not allowed", c);
}

/* End of the run of bytes of class cls starting at i. */
static size_t run(const struct parser *p, size_t i, int (*cls)(int))
{
	while (i < p->len && cls((unsigned char)p->s[i]))
		i++;
	return i;
}

/*
 * Skip blanks and return the next byte, 0 at the end of the input, or -1
 * (with the error set) when it is a byte that may not appear here.  NUL is
 * a control character, so 0 is never a real byte.
 */
static int skip(struct parser *p)
{
	unsigned char c;

	p->pos = run(p, p->pos, is_ws);
	if (p->pos >= p->len)
		return 0;
	c = (unsigned char)p->s[p->pos];
	if (is_bad(c))
		return fail_bad(p, p->pos);
	return c;
}

/* A bad byte ending a token is the first thing wrong, so report it first. */
static int bad_after(struct parser *p, size_t end)
{
	if (end < p->len && is_bad((unsigned char)p->s[end]))
		return fail_bad(p, end);
	return 0;
}

static int is_word_ch(int c)
{
	return is_ver_ch(c) || c == '_';
}

/* Length of the token at i, used as the culprit of "unexpected" errors. */
static size_t tok_len(const struct parser *p, size_t i)
{
	unsigned char c;

	if (i >= p->len)
		return 0;
	c = (unsigned char)p->s[i];
	if (is_alnum(c) || c == '_')
		return run(p, i, is_word_ch) - i;
	if (is_op_ch(c))
		return run(p, i, is_op_ch) - i;
	return 1;
}

/* "expected X" at pos, naming what is there instead. */
static int fail_expected(struct parser *p, const char *what)
{
	size_t n = tok_len(p, p->pos);

	if (n == 0)
		return fail(p, p->pos, 0, "expected %s", what);
	return fail(p, p->pos, n, "expected %s, got %c%.*s%s%c", what,
		    Q(p, p->pos, n));
}

static char *normalise(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (is_sep((unsigned char)s[i])) {
			if (o == out || o[-1] != '-')
				*o++ = '-';
		} else {
			*o++ = (char)to_lower((unsigned char)s[i]);
		}
	}
	*o = '\0';
	return out;
}

/* Scan a name or extra at pos and check PEP 508's identifier rule. */
static int scan_ident(struct parser *p, size_t *off, size_t *n,
		      const char *what)
{
	size_t end;

	*off = p->pos;
	end = run(p, p->pos, is_name_ch);
	*n = end - *off;
	if (bad_after(p, end))
		return -1;
	p->pos = end;
	if (!is_alnum((unsigned char)p->s[*off]) ||
	    !is_alnum((unsigned char)p->s[end - 1]))
		return fail(p, *off, *n, "invalid %s %c%.*s%s%c: it must start "
			    "and end with a letter or digit", what,
			    Q(p, *off, *n));
	return 0;
}

static int parse_name(struct parser *p)
{
	size_t off, n;

	if (!is_name_ch((unsigned char)p->s[p->pos]))
		return fail_expected(p, "a package name");
	if (scan_ident(p, &off, &n, "package name"))
		return -1;
	p->name = normalise(p->s + off, n);
	if (p->name == NULL)
		p->oom = 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_extra(struct parser *p, const char *s, size_t n)
{
	char **na;
	char *e;
	size_t cap;

	if (p->nextras == p->extras_cap) {
		cap = p->extras_cap ? p->extras_cap * 2 : 4;
		na = realloc(p->extras, cap * sizeof(*na));
		if (na == NULL) {
			p->oom = 1;
			return -1;
		}
		p->extras = na;
		p->extras_cap = cap;
	}
	e = normalise(s, n);
	if (e == NULL) {
		p->oom = 1;
		return -1;
	}
	p->extras[p->nextras++] = e;
	return 0;
}

static int parse_extras(struct parser *p)
{
	size_t off, n, i, k;
	int c;

	p->pos++;	/* '[' */
	c = skip(p);
	if (c < 0)
		return -1;
	if (c == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (!is_name_ch(c))
			return fail_expected(p, "an extra name or ']'");
		if (scan_ident(p, &off, &n, "extra name"))
			return -1;
		if (add_extra(p, p->s + off, n))
			return -1;
		c = skip(p);
		if (c < 0)
			return -1;
		if (c == ']') {
			p->pos++;
			break;
		}
		if (c != ',')
			return fail_expected(p, "',' or ']' in the extras list");
		p->pos++;
		c = skip(p);
		if (c < 0)
			return -1;
		if (!is_name_ch(c))
			return fail_expected(p, "an extra name after ','");
	}

	/* Extras are a set: sort them and drop duplicates. */
	qsort(p->extras, p->nextras, sizeof(*p->extras), cmp_str);
	for (i = 0, k = 0; i < p->nextras; i++) {
		if (k && strcmp(p->extras[k - 1], p->extras[i]) == 0)
			free(p->extras[i]);
		else
			p->extras[k++] = p->extras[i];
	}
	p->nextras = k;
	return 0;
}

/* The operator spelled s[off..off+n) if it is one of ops, else NULL. */
static const char *find_op(const struct parser *p, size_t off, size_t n,
			   const char *const *ops)
{
	size_t k;

	for (k = 0; ops[k]; k++)
		if (strlen(ops[k]) == n && memcmp(ops[k], p->s + off, n) == 0)
			return ops[k];
	return NULL;
}

static int fail_op(struct parser *p, size_t off, size_t n, const char *what)
{
	static const char *const fixes[][2] = {
		{ "=", "==" }, { "=>", ">=" }, { "=<", "<=" }, { "!", "!=" },
		{ "~", "~=" }, { "<>", "!=" }, { "=!", "!=" }, { "=~", "~=" },
	};
	size_t k;

	for (k = 0; k < sizeof(fixes) / sizeof(fixes[0]); k++)
		if (strlen(fixes[k][0]) == n &&
		    memcmp(fixes[k][0], p->s + off, n) == 0)
			return fail(p, off, n, "invalid %s '%.*s' (did you mean "
				    "'%s'?)", what, (int)n, p->s + off,
				    fixes[k][1]);
	return fail(p, off, n, "invalid %s '%.*s%s'", what, C(p->s + off, n));
}

static int fail_version(struct parser *p, size_t off, size_t n,
			enum verr e, const struct vinfo *vi)
{
	const char *v = p->s + off;
	size_t tail;

	switch (e) {
	case V_EMPTY:
	case V_NO_NUMBER:
		return fail(p, off, n, "invalid version '%.*s%s' in specifier: "
			    "a version must start with a number", C(v, n));
	case V_EPOCH:
		return fail(p, off, n, "invalid version '%.*s%s' in specifier: "
			    "expected a release number after the epoch '!'",
			    C(v, n));
	case V_LOCAL:
		tail = n - vi->stop;
		return fail(p, off, n, "invalid version '%.*s%s' in specifier: "
			    "invalid local version label '%.*s%s' (use letters "
			    "and digits with single '.', '-' or '_' between)",
			    C(v, n), C(v + vi->stop, tail));
	case V_TRAILING:
		tail = n - vi->stop;
		return fail(p, off, n, "invalid version '%.*s%s' in specifier: "
			    "unexpected '%.*s%s' after '%.*s%s'", C(v, n),
			    C(v + vi->stop, tail), C(v, vi->stop));
	case V_OK:
		break;
	}
	return fail(p, off, n, "invalid version '%.*s%s' in specifier",
		    C(v, n));
}

static int is_eq_ne(const char *op)
{
	return strcmp(op, "==") == 0 || strcmp(op, "!=") == 0;
}

/* One clause: operator, then a version valid for that operator. */
static int parse_clause(struct parser *p)
{
	static const char *const ops[] = {
		"===", "~=", "==", "!=", "<=", ">=", "<", ">", NULL
	};
	size_t ooff = p->pos, on, voff, vn, end;
	const char *op;
	struct vinfo vi;
	enum verr e;
	int c;

	c = ooff < p->len ? (unsigned char)p->s[ooff] : 0;
	if (!is_op_ch(c)) {
		if (is_digit(c)) {
			vn = tok_len(p, ooff);
			return fail(p, ooff, vn, "expected a comparison operator "
				    "before the version '%.*s%s' (like '==%.*s%s')",
				    C(p->s + ooff, vn), C(p->s + ooff, vn));
		}
		return fail_expected(p, "a version specifier");
	}
	on = run(p, ooff, is_op_ch) - ooff;
	op = find_op(p, ooff, on, ops);
	if (op == NULL)
		return fail_op(p, ooff, on, "comparison operator");
	p->pos = ooff + on;
	c = skip(p);
	if (c < 0)
		return -1;

	voff = p->pos;
	end = run(p, voff, strcmp(op, "===") == 0 ? is_arb_ch : is_ver_ch);
	vn = end - voff;
	if (bad_after(p, end))
		return -1;
	if (vn == 0)
		return fail_expected(p, strcmp(op, "===") == 0 ?
				     "a version after '==='" :
				     "a version after the operator");
	p->pos = end;

	if (strcmp(op, "===") == 0) {
		/*
		 * Arbitrary equality compares strings, so nearly anything goes;
		 * but "=== <1" would read back as the operator "===<".
		 */
		if (is_op_ch((unsigned char)p->s[voff]))
			return fail(p, voff, vn, "invalid version '%.*s%s' after "
				    "'===': it may not start with '<', '>', '=', "
				    "'!' or '~'", C(p->s + voff, vn));
	} else if (vn >= 2 && p->s[end - 2] == '.' && p->s[end - 1] == '*') {
		if (!is_eq_ne(op))
			return fail(p, voff, vn, "wildcard '.*' is only allowed "
				    "with '==' and '!=', not with '%s'", op);
		e = parse_version(p->s + voff, vn - 2, &vi);
		if (e != V_OK)
			return fail_version(p, voff, vn, e, &vi);
		if (vi.has_pre || vi.has_post || vi.has_dev || vi.has_local)
			return fail(p, voff, vn, "invalid version '%.*s%s' in "
				    "specifier: '.*' may only follow the release "
				    "numbers (like '1.2.*')", C(p->s + voff, vn));
	} else {
		e = parse_version(p->s + voff, vn, &vi);
		if (e != V_OK)
			return fail_version(p, voff, vn, e, &vi);
		if (vi.has_local && !is_eq_ne(op))
			return fail(p, voff, vn, "local version label '%.*s%s' "
				    "is only allowed with '==', '!=' and '===', "
				    "not with '%s'", C(p->s + voff + vi.stop,
				    vn - vi.stop), op);
		if (strcmp(op, "~=") == 0 && vi.nrelease < 2)
			return fail(p, voff, vn, "compatible release '~=%.*s%s' "
				    "needs at least two release numbers (like "
				    "'~=1.0')", C(p->s + voff, vn));
	}
	buf_adds(&p->spec, op);
	buf_add(&p->spec, p->s + voff, vn);
	return 0;
}

/* version_many, optionally in parentheses; pos is at '(' or an operator. */
static int parse_specifier(struct parser *p)
{
	int paren = p->s[p->pos] == '(';
	int c;

	if (paren) {
		p->pos++;
		c = skip(p);
		if (c < 0)
			return -1;
	}
	buf_add(&p->spec, "", 0);
	for (;;) {
		if (parse_clause(p))
			return -1;
		c = skip(p);
		if (c < 0)
			return -1;
		if (c == ',') {
			buf_add(&p->spec, ",", 1);
			p->pos++;
			c = skip(p);
			if (c < 0)
				return -1;
			if (c == 0)
				return fail(p, p->pos, 0, "expected a version "
					    "specifier after ','");
			continue;
		}
		if (paren) {
			if (c == ')') {
				p->pos++;
				break;
			}
			return fail_expected(p, "',' or ')' after the version");
		}
		if (c == ';' || c == 0)
			return 0;
		return fail_expected(p, "',' or ';' after the version");
	}
	c = skip(p);
	if (c < 0)
		return -1;
	if (c == ';' || c == 0)
		return 0;
	return fail_expected(p, "';' or the end of the requirement after ')'");
}

/* ---- markers ---- */

static size_t edit_distance(const char *a, size_t an, const char *b,
			    size_t bn)
{
	size_t row[41], i, j, diag, up, best;

	/* Callers keep both strings under 41 bytes. */
	for (j = 0; j <= bn; j++)
		row[j] = j;
	for (i = 1; i <= an; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= bn; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[bn];
}

static int fail_unknown_var(struct parser *p, size_t off, size_t n)
{
	const char *best = NULL;
	size_t k, d, bestd = 3;

	if (n <= 40) {
		for (k = 0; k < NVARS; k++) {
			d = edit_distance(p->s + off, n, marker_vars[k],
					  strlen(marker_vars[k]));
			if (d < bestd) {
				bestd = d;
				best = marker_vars[k];
			}
		}
	}
	if (best)
		return fail(p, off, n, "unknown marker variable '%.*s%s' (did "
			    "you mean '%s'?)", C(p->s + off, n), best);
	return fail(p, off, n, "unknown marker variable '%.*s%s'",
		    C(p->s + off, n));
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned int c = s[0], cp, min;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n <= need)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

/*
 * A quoted string.  PEP 508 strings have no escapes, so a backslash is
 * refused rather than guessed at; UTF-8 text is allowed.
 */
static int parse_string(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t off = p->pos, i = off + 1, n;
	char q = p->s[off], out;
	int has_dq = 0;

	while (i < p->len && s[i] != (unsigned char)q) {
		if (s[i] >= 0x80) {
			n = utf8_len(s + i, p->len - i);
			if (n == 0)
				return fail(p, i, 1, "invalid UTF-8 in a marker "
					    "string");
			i += n;
			continue;
		}
		if (is_bad(s[i]))
			return fail(p, i, 1, "control character 0x%02x is not "
				    "allowed in a marker string", s[i]);
		if (s[i] == '\\')
			return fail(p, i, 1, "backslash in a marker string: "
				    "PEP 508 strings have no escapes");
		if (s[i] == '"')
			has_dq = 1;
		i++;
	}
	if (i >= p->len)
		return fail(p, off, p->len - off, "unterminated string in "
			    "marker: no closing %s", q == '"' ? "'\"'" : "\"'\"");
	/* Double quotes unless the text holds one. */
	out = has_dq ? '\'' : '"';
	buf_add(&p->marker, &out, 1);
	buf_add(&p->marker, p->s + off + 1, i - off - 1);
	buf_add(&p->marker, &out, 1);
	p->pos = i + 1;
	return 0;
}

static int is_keyword(const char *s, size_t n, const char *kw)
{
	return strlen(kw) == n && memcmp(s, kw, n) == 0;
}

/* marker_var: an environment variable name or a quoted string. */
static int parse_var(struct parser *p)
{
	size_t off, n, end, k;
	const char *w;
	int c;

	c = skip(p);
	if (c < 0)
		return -1;
	off = p->pos;
	if (c == '"' || c == '\'')
		return parse_string(p);
	if (is_alpha(c) || c == '_') {
		end = run(p, off, is_ident_ch);
		n = end - off;
		w = p->s + off;
		if (bad_after(p, end))
			return -1;
		for (k = 0; k < NVARS; k++) {
			if (is_keyword(w, n, marker_vars[k])) {
				buf_add(&p->marker, w, n);
				p->pos = end;
				return 0;
			}
		}
		if (is_keyword(w, n, "and") || is_keyword(w, n, "or") ||
		    is_keyword(w, n, "not") || is_keyword(w, n, "in"))
			return fail_expected(p, "a marker variable or a quoted "
					     "string");
		return fail_unknown_var(p, off, n);
	}
	if (is_digit(c)) {
		end = run(p, off, is_word_ch);
		n = end - off;
		if (bad_after(p, end))
			return -1;
		return fail(p, off, n, "unquoted value '%.*s%s' in marker: "
			    "write it as a quoted string, \"%.*s%s\"",
			    C(p->s + off, n), C(p->s + off, n));
	}
	return fail_expected(p, "a marker variable or a quoted string");
}

static int parse_marker_op(struct parser *p)
{
	static const char *const ops[] = {
		"===", "~=", "==", "!=", "<=", ">=", "<", ">", NULL
	};
	const char *op;
	size_t off, n, end;
	int c;

	c = skip(p);
	if (c < 0)
		return -1;
	off = p->pos;
	if (is_op_ch(c)) {
		n = run(p, off, is_op_ch) - off;
		op = find_op(p, off, n, ops);
		if (op == NULL)
			return fail_op(p, off, n, "marker operator");
		buf_adds(&p->marker, op);
		p->pos = off + n;
		return 0;
	}
	if (is_alpha(c) || c == '_') {
		end = run(p, off, is_ident_ch);
		if (bad_after(p, end))
			return -1;
		if (is_keyword(p->s + off, end - off, "in")) {
			buf_adds(&p->marker, "in");
			p->pos = end;
			return 0;
		}
		if (is_keyword(p->s + off, end - off, "not")) {
			p->pos = end;
			c = skip(p);
			if (c < 0)
				return -1;
			n = run(p, p->pos, is_ident_ch) - p->pos;
			if (p->pos == end || !is_keyword(p->s + p->pos, n, "in"))
				return fail_expected(p, "'in' after 'not'");
			if (bad_after(p, p->pos + n))
				return -1;
			buf_adds(&p->marker, "not in");
			p->pos += n;
			return 0;
		}
	}
	return fail_expected(p, "a marker operator (==, !=, <, <=, >, >=, ~=, "
			     "===, in or not in)");
}

static int parse_or(struct parser *p);

static int parse_expr(struct parser *p)
{
	int c;

	c = skip(p);
	if (c < 0)
		return -1;
	if (c == '(') {
		if (p->depth >= PEP508_MAX_DEPTH)
			return fail(p, p->pos, 1, "marker is nested too deeply "
				    "(more than %d levels of parentheses)",
				    PEP508_MAX_DEPTH);
		p->depth++;
		p->pos++;
		buf_add(&p->marker, "(", 1);
		if (parse_or(p))
			return -1;
		c = skip(p);
		if (c < 0)
			return -1;
		if (c != ')')
			return fail_expected(p, "'and', 'or' or ')' in marker");
		p->pos++;
		buf_add(&p->marker, ")", 1);
		p->depth--;
		return 0;
	}
	if (parse_var(p))
		return -1;
	buf_add(&p->marker, " ", 1);
	if (parse_marker_op(p))
		return -1;
	buf_add(&p->marker, " ", 1);
	return parse_var(p);
}

/* True (and consumed) if the next token is the keyword kw. */
static int take_keyword(struct parser *p, const char *kw, int *err)
{
	size_t end;
	int c;

	*err = 0;
	c = skip(p);
	if (c < 0) {
		*err = 1;
		return 0;
	}
	end = run(p, p->pos, is_ident_ch);
	if (!is_keyword(p->s + p->pos, end - p->pos, kw))
		return 0;
	if (bad_after(p, end)) {
		*err = 1;
		return 0;
	}
	p->pos = end;
	return 1;
}

static int parse_and(struct parser *p)
{
	int err;

	if (parse_expr(p))
		return -1;
	while (take_keyword(p, "and", &err)) {
		buf_adds(&p->marker, " and ");
		if (parse_expr(p))
			return -1;
	}
	return err ? -1 : 0;
}

static int parse_or(struct parser *p)
{
	int err;

	if (parse_and(p))
		return -1;
	while (take_keyword(p, "or", &err)) {
		buf_adds(&p->marker, " or ");
		if (parse_and(p))
			return -1;
	}
	return err ? -1 : 0;
}

/* After ';': the whole rest of the input is one marker. */
static int parse_marker(struct parser *p)
{
	int c;

	p->pos++;	/* ';' */
	p->has_marker = 1;
	buf_add(&p->marker, "", 0);
	c = skip(p);
	if (c < 0)
		return -1;
	if (c == 0)
		return fail(p, p->pos, 0, "expected a marker after ';'");
	if (parse_or(p))
		return -1;
	c = skip(p);
	if (c < 0)
		return -1;
	if (c == 0)
		return 0;
	if (c == ')')
		return fail(p, p->pos, 1, "unmatched ')' in marker");
	return fail_expected(p, "'and', 'or' or the end of the marker");
}

static int parse_requirement(struct parser *p)
{
	int c, had_extras = 0;

	c = skip(p);
	if (c < 0)
		return -1;
	if (c == 0)
		return fail(p, 0, p->len, "empty requirement");
	if (parse_name(p))
		return -1;
	c = skip(p);
	if (c < 0)
		return -1;
	if (c == '[') {
		if (parse_extras(p))
			return -1;
		had_extras = 1;
		c = skip(p);
		if (c < 0)
			return -1;
	}
	if (c == '@')
		return fail(p, p->pos, 1, "direct URL requirements ('@ URL') "
			    "are not allowed: gapimg installs only from local "
			    "wheel mirrors");
	if (c == '(' || is_op_ch(c)) {
		if (parse_specifier(p))
			return -1;
		c = skip(p);
		if (c < 0)
			return -1;
	} else if (is_digit(c)) {
		return parse_clause(p);	/* reports the missing operator */
	}
	if (c == ';')
		return parse_marker(p);
	if (c == 0)
		return 0;
	return fail_expected(p, had_extras ?
			     "a version specifier, ';' or the end after the "
			     "extras" :
			     "'[', a version specifier, ';' or the end after "
			     "the package name");
}

static void free_extras(char **extras, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(extras[i]);
	free(extras);
}

int pep508_parse(const char *s, size_t len, struct pep508_req *out,
		 size_t *err_off, size_t *err_len, char *msg, size_t msgsz)
{
	struct parser p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.len = len;
	p.msg = msg;
	p.msgsz = msgsz;
	if (msg && msgsz)
		msg[0] = '\0';
	if (out)
		memset(out, 0, sizeof(*out));

	if (s == NULL || out == NULL) {
		p.len = 0;
		ret = fail(&p, 0, 0, "no requirement given");
	} else if (len > PEP508_MAX_LEN) {
		ret = fail(&p, PEP508_MAX_LEN, len - PEP508_MAX_LEN,
			   "requirement is too long (%zu bytes, the limit is %d)",
			   len, PEP508_MAX_LEN);
	} else {
		ret = parse_requirement(&p);
	}
	/* A requirement without a specifier still gets "". */
	if (ret == 0 && p.spec.p == NULL)
		buf_add(&p.spec, "", 0);
	if (p.oom || p.spec.oom || p.marker.oom) {
		ret = -2;
		p.eoff = p.elen = 0;
		if (msg && msgsz)
			snprintf(msg, msgsz, "out of memory");
	}
	if (err_off)
		*err_off = p.eoff;
	if (err_len)
		*err_len = p.elen;

	if (ret != 0) {
		free(p.name);
		free_extras(p.extras, p.nextras);
		free(p.spec.p);
		free(p.marker.p);
		return ret;
	}
	out->name = p.name;
	out->extras = p.extras;
	out->nextras = p.nextras;
	if (p.nextras == 0) {
		free(p.extras);
		out->extras = NULL;
	}
	out->specifier = p.spec.p;
	out->marker = p.has_marker ? p.marker.p : NULL;
	if (!p.has_marker)
		free(p.marker.p);
	return 0;
}

void pep508_req_release(struct pep508_req *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free_extras(r->extras, r->nextras);
	free(r->specifier);
	free(r->marker);
	memset(r, 0, sizeof(*r));
}

char *pep508_canonical(const struct pep508_req *r)
{
	struct buf b = { NULL, 0, 0, 0 };
	size_t i;

	buf_adds(&b, r && r->name ? r->name : "");
	if (r && r->nextras) {
		buf_add(&b, "[", 1);
		for (i = 0; i < r->nextras; i++) {
			if (i)
				buf_add(&b, ",", 1);
			buf_adds(&b, r->extras[i] ? r->extras[i] : "");
		}
		buf_add(&b, "]", 1);
	}
	if (r && r->specifier)
		buf_adds(&b, r->specifier);
	if (r && r->marker) {
		buf_add(&b, "; ", 2);
		buf_adds(&b, r->marker);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
