#include "python/pep440.h"
#include "python/chars.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * PEP 440 versions: parsing every spelling the PEP normalises, the total
 * order, the normalised spelling, and the translation of versions and
 * specifiers into libsolv's RPM and Debian version rules.
 *
 * Byte classes are tested by hand rather than with <ctype.h>: the answer
 * must not depend on the locale.
 */

/* Python's str.strip() set, which packaging applies around specifiers. */
static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* ---- parsing ---- */

struct scan {
	const char *s;
	size_t n, i;
};

/* Digits at the cursor as a uint64; -1 when there are none or too many. */
static int scan_num(struct scan *sc, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = sc->i;
	unsigned d;

	while (sc->i < sc->n && is_digit((unsigned char)sc->s[sc->i])) {
		d = (unsigned)(sc->s[sc->i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		sc->i++;
	}
	if (sc->i == start)
		return -1;
	*out = v;
	return 0;
}

/* Length of word at the cursor compared without case, or 0. */
static size_t match_word(const struct scan *sc, size_t i, const char *word)
{
	size_t k, wl = strlen(word);

	if (wl > sc->n - i)
		return 0;
	for (k = 0; k < wl; k++)
		if (to_lower((unsigned char)sc->s[i + k]) != word[k])
			return 0;
	return wl;
}

/*
 * An optional separator, then the longest of labels at the cursor; the
 * index of the label found (the cursor moves past it) or -1.  Longest
 * first matches what PEP 440's backtracking regex accepts: no label's
 * tail after a shorter one ("lpha", "eta", "view", "ev") can begin
 * anything that may follow the shorter label.
 */
static int sep_label(struct scan *sc, const char *const *labels)
{
	size_t j = sc->i, l, best = 0;
	int k, which = -1;

	if (j < sc->n && is_sep((unsigned char)sc->s[j]))
		j++;
	for (k = 0; labels[k]; k++) {
		l = match_word(sc, j, labels[k]);
		if (l > best) {
			best = l;
			which = k;
		}
	}
	if (which >= 0)
		sc->i = j + best;
	return which;
}

/*
 * After a label: an optional separator and an optional number (0 when
 * absent).  The regex lets the separator stand alone ("1.0a."), and
 * every later part has an optional separator of its own, so taking it
 * greedily never refuses a valid version.
 */
static int opt_sep_num(struct scan *sc, uint64_t *out)
{
	if (sc->i < sc->n && is_sep((unsigned char)sc->s[sc->i]))
		sc->i++;
	*out = 0;
	if (sc->i < sc->n && is_digit((unsigned char)sc->s[sc->i]))
		return scan_num(sc, out);
	return 0;
}

/*
 * The local label, normalised: lowercase, separators as '.', and
 * numeric segments without leading zeros (packaging keeps them as
 * integers, so "+ubuntu-01" reads back as "ubuntu.1").
 */
static int parse_local(struct scan *sc, char **out)
{
	size_t start = sc->i, end, k, segstart;
	char *p, *o;

	for (;;) {
		if (sc->i >= sc->n || !is_alnum((unsigned char)sc->s[sc->i]))
			return -1;
		while (sc->i < sc->n && is_alnum((unsigned char)sc->s[sc->i]))
			sc->i++;
		if (sc->i == sc->n)
			break;
		if (!is_sep((unsigned char)sc->s[sc->i]))
			return -1;
		sc->i++;
	}
	end = sc->i;
	p = malloc(end - start + 1);
	if (p == NULL)
		return -2;
	o = p;
	k = start;
	while (k < end) {
		segstart = k;
		while (k < end && is_digit((unsigned char)sc->s[k]))
			k++;
		if (k == end || is_sep((unsigned char)sc->s[k])) {
			/* All digits: drop leading zeros, keep one digit. */
			while (segstart + 1 < k && sc->s[segstart] == '0')
				segstart++;
		}
		k = segstart;
		while (k < end && !is_sep((unsigned char)sc->s[k]))
			*o++ = (char)to_lower((unsigned char)sc->s[k++]);
		if (k < end) {
			*o++ = '.';
			k++;
		}
	}
	*o = '\0';
	*out = p;
	return 0;
}

static int add_release(struct pep440 *v, size_t *cap, uint64_t n)
{
	uint64_t *nr;
	size_t nc;

	if (v->nrelease == *cap) {
		nc = *cap ? *cap * 2 : 4;
		nr = realloc(v->release, nc * sizeof(*nr));
		if (nr == NULL)
			return -2;
		v->release = nr;
		*cap = nc;
	}
	v->release[v->nrelease++] = n;
	return 0;
}

static int parse_into(const char *s, size_t len, struct pep440 *v)
{
	static const char *const pre[] = {
		"alpha", "a", "beta", "b", "preview", "pre", "c", "rc", NULL
	};
	static const char kinds[] = { 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c' };
	static const char *const post[] = { "post", "rev", "r", NULL };
	static const char *const dev[] = { "dev", NULL };
	struct scan sc = { s, len, 0 };
	size_t cap = 0;
	uint64_t n;
	int k, r;

	if (s == NULL || len == 0)
		return -1;
	if (s[0] == 'v' || s[0] == 'V')
		sc.i++;
	if (scan_num(&sc, &n))
		return -1;
	if (sc.i < sc.n && s[sc.i] == '!') {
		v->epoch = n;
		sc.i++;
		if (scan_num(&sc, &n))
			return -1;
	}
	if ((r = add_release(v, &cap, n)) != 0)
		return r;
	while (sc.i + 1 < sc.n && s[sc.i] == '.' &&
	       is_digit((unsigned char)s[sc.i + 1])) {
		sc.i++;
		if (scan_num(&sc, &n))
			return -1;
		if ((r = add_release(v, &cap, n)) != 0)
			return r;
	}

	k = sep_label(&sc, pre);
	if (k >= 0) {
		v->pre_kind = kinds[k];
		if (opt_sep_num(&sc, &v->pre))
			return -1;
	}

	/* "1.0-1" is an implicit post release; only '-' may introduce it. */
	if (sc.i + 1 < sc.n && s[sc.i] == '-' &&
	    is_digit((unsigned char)s[sc.i + 1])) {
		sc.i++;
		v->has_post = 1;
		if (scan_num(&sc, &v->post))
			return -1;
	} else if (sep_label(&sc, post) >= 0) {
		v->has_post = 1;
		if (opt_sep_num(&sc, &v->post))
			return -1;
	}

	if (sep_label(&sc, dev) >= 0) {
		v->has_dev = 1;
		if (opt_sep_num(&sc, &v->dev))
			return -1;
	}

	if (sc.i < sc.n && s[sc.i] == '+') {
		sc.i++;
		if ((r = parse_local(&sc, &v->local)) != 0)
			return r;
	}
	return sc.i == sc.n ? 0 : -1;
}

int pep440_parse(const char *s, size_t len, struct pep440 *v)
{
	int r;

	memset(v, 0, sizeof(*v));
	r = parse_into(s, len, v);
	if (r)
		pep440_release(v);
	return r;
}

void pep440_release(struct pep440 *v)
{
	if (v == NULL)
		return;
	free(v->release);
	free(v->local);
	memset(v, 0, sizeof(*v));
}

/* ---- order ---- */

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Release numbers, missing trailing components counting as 0. */
static int cmp_release(const struct pep440 *a, const struct pep440 *b)
{
	size_t i, n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
	uint64_t x, y;

	for (i = 0; i < n; i++) {
		x = i < a->nrelease ? a->release[i] : 0;
		y = i < b->nrelease ? b->release[i] : 0;
		if (x != y)
			return cmp_u64(x, y);
	}
	return 0;
}

/*
 * The pre-release slot: a development release of a final release sorts
 * before every pre-release, a final (or post) release after them.
 */
static int pre_rank(const struct pep440 *v, uint64_t *num)
{
	*num = v->pre;
	if (v->pre_kind)
		return v->pre_kind == 'a' ? 1 : v->pre_kind == 'b' ? 2 : 3;
	*num = 0;
	if (v->has_dev && !v->has_post)
		return 0;
	return 4;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * One local segment each: numbers (already without leading zeros)
 * compare as numbers and sort after words, words compare as strings.
 */
static int cmp_local_seg(const char *a, size_t an, const char *b, size_t bn)
{
	int da = all_digits(a, an), db = all_digits(b, bn), c;

	if (da != db)
		return da ? 1 : -1;
	if (da && an != bn)
		return an < bn ? -1 : 1;
	c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

static int cmp_local(const char *a, const char *b)
{
	size_t an, bn;
	int c;

	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	for (;;) {
		if (*a == '\0' || *b == '\0')
			return (*a != '\0') - (*b != '\0');
		an = strcspn(a, ".");
		bn = strcspn(b, ".");
		c = cmp_local_seg(a, an, b, bn);
		if (c)
			return c;
		a += an;
		b += bn;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
}

/* Everything but the local label. */
static int cmp_public(const struct pep440 *a, const struct pep440 *b)
{
	uint64_t an, bn;
	int c, ar, br;

	if ((c = cmp_u64(a->epoch, b->epoch)) != 0)
		return c;
	if ((c = cmp_release(a, b)) != 0)
		return c;
	ar = pre_rank(a, &an);
	br = pre_rank(b, &bn);
	if (ar != br)
		return ar < br ? -1 : 1;
	if ((c = cmp_u64(an, bn)) != 0)
		return c;
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if ((c = cmp_u64(a->post, b->post)) != 0)
		return c;
	/* No development part sorts after any. */
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	return cmp_u64(a->dev, b->dev);
}

int pep440_cmp(const struct pep440 *a, const struct pep440 *b)
{
	int c = cmp_public(a, b);

	return c ? c : cmp_local(a->local, b->local);
}

int pep440_is_prerelease(const struct pep440 *v)
{
	return v->pre_kind != 0 || v->has_dev;
}

/* ---- spellings ---- */

static const char *pre_label(char kind)
{
	return kind == 'a' ? "a" : kind == 'b' ? "b" : "rc";
}

static int add_release_str(struct strbuf *sb, const uint64_t *r, size_t n)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < n; i++)
		bad |= strbuf_addf(sb, "%s%llu", i ? "." : "",
				   (unsigned long long)r[i]);
	return bad;
}

static char *detach_or_null(struct strbuf *sb, int failed)
{
	if (failed) {
		strbuf_release(sb);
		return NULL;
	}
	return strbuf_detach(sb);
}

char *pep440_str(const struct pep440 *v)
{
	struct strbuf sb = STRBUF_INIT;
	int bad = 0;

	if (v->epoch)
		bad |= strbuf_addf(&sb, "%llu!", (unsigned long long)v->epoch);
	bad |= add_release_str(&sb, v->release, v->nrelease);
	if (v->pre_kind)
		bad |= strbuf_addf(&sb, "%s%llu", pre_label(v->pre_kind),
				   (unsigned long long)v->pre);
	if (v->has_post)
		bad |= strbuf_addf(&sb, ".post%llu", (unsigned long long)v->post);
	if (v->has_dev)
		bad |= strbuf_addf(&sb, ".dev%llu", (unsigned long long)v->dev);
	if (v->local)
		bad |= strbuf_addf(&sb, "+%s", v->local);
	return detach_or_null(&sb, bad);
}

/* Release components without trailing zeros, at least one. */
static size_t stripped_len(const uint64_t *r, size_t n)
{
	while (n > 1 && r[n - 1] == 0)
		n--;
	return n;
}

/* The EVR of the base release (epoch and release numbers): "1:2.1". */
static int add_base_evr(struct strbuf *sb, const struct pep440 *v)
{
	int bad = 0;

	if (v->epoch)
		bad |= strbuf_addf(sb, "%llu:", (unsigned long long)v->epoch);
	bad |= add_release_str(sb, v->release,
			       stripped_len(v->release, v->nrelease));
	return bad;
}

/*
 * The EVR without the local label.  Every part after the release starts
 * with '~' (sorts before the end of the string in both families) or with
 * the post mark, '^' in RPM (after the end, before any other character)
 * and '+' in Debian (after the end, before '.'), so the parts nest as
 * PEP 440 orders them.
 */
static int add_evr(struct strbuf *sb, const struct pep440 *v, int deb)
{
	int bad = add_base_evr(sb, v);

	if (v->pre_kind)
		bad |= strbuf_addf(sb, "~%s%llu", pre_label(v->pre_kind),
				   (unsigned long long)v->pre);
	else if (v->has_dev && !v->has_post)
		bad |= strbuf_addstr(sb, "~");
	if (v->has_post)
		bad |= strbuf_addf(sb, "%cpost%llu", deb ? '+' : '^',
				   (unsigned long long)v->post);
	if (v->has_dev)
		bad |= strbuf_addf(sb, "~dev%llu", (unsigned long long)v->dev);
	return bad;
}

char *pep440_evr(const struct pep440 *v, int deb)
{
	struct strbuf sb = STRBUF_INIT;
	int bad;

	bad = add_evr(&sb, v, deb);
	/*
	 * The local label becomes the release (RPM) or the revision
	 * (Debian).  After normalisation it holds only [a-z0-9.], which
	 * both families accept there.
	 */
	if (v->local)
		bad |= strbuf_addf(&sb, "-%s", v->local);
	return detach_or_null(&sb, bad);
}

/* ---- specifiers ---- */

enum spec_op {
	OP_COMPAT,	/* ~= */
	OP_EQ,
	OP_NE,
	OP_LE,
	OP_GE,
	OP_LT,
	OP_GT,
	OP_ARB,		/* === */
};

struct clause {
	enum spec_op op;
	int wildcard;		/* "==1.2.*" or "!=1.2.*" */
	struct pep440 v;	/* unset for === */
	const char *text;	/* the version as written */
	size_t textlen;
};

struct ctx {
	char *msg;
	size_t msgsz;
};

static int fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->msg && c->msgsz) {
		va_start(ap, fmt);
		vsnprintf(c->msg, c->msgsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *op_name(enum spec_op op)
{
	static const char *const names[] = {
		"~=", "==", "!=", "<=", ">=", "<", ">", "==="
	};

	return names[op];
}

/*
 * One clause s[0..n), blanks already trimmed on both ends.  0, -1 with
 * the message set, -2 when memory ran out.
 */
static int parse_clause(struct ctx *c, const char *s, size_t n,
			struct clause *cl)
{
	static const struct {
		const char *text;
		enum spec_op op;
	} ops[] = {
		{ "===", OP_ARB }, { "~=", OP_COMPAT }, { "==", OP_EQ },
		{ "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
		{ "<", OP_LT }, { ">", OP_GT },
	};
	const char *t;
	size_t k, ol = 0, tn;
	int r;

	memset(cl, 0, sizeof(*cl));
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		ol = strlen(ops[k].text);
		if (ol <= n && memcmp(s, ops[k].text, ol) == 0)
			break;
	}
	if (k == sizeof(ops) / sizeof(ops[0]))
		return fail(c, "invalid specifier '%.*s%s': expected one of the "
			    "operators ~=, ==, !=, <=, >=, <, >, ===", C(s, n));
	cl->op = ops[k].op;
	t = s + ol;
	tn = n - ol;
	while (tn && is_space((unsigned char)*t)) {
		t++;
		tn--;
	}
	cl->text = t;
	cl->textlen = tn;
	if (tn == 0)
		return fail(c, "invalid specifier '%.*s%s': no version after "
			    "'%s'", C(s, n), op_name(cl->op));
	if (cl->op == OP_ARB) {
		for (k = 0; k < tn; k++)
			if (is_space((unsigned char)t[k]))
				break;
		if (k < tn)
			return fail(c, "invalid version '%.*s%s' in specifier "
				    "'%.*s%s'", C(t, tn), C(s, n));
		return 0;
	}
	if ((cl->op == OP_EQ || cl->op == OP_NE) && tn >= 2 &&
	    t[tn - 2] == '.' && t[tn - 1] == '*') {
		cl->wildcard = 1;
		tn -= 2;
	}
	r = pep440_parse(t, tn, &cl->v);
	if (r == -2)
		return -2;
	if (r)
		return fail(c, "invalid version '%.*s%s' in specifier '%.*s%s'",
			    C(cl->text, cl->textlen), C(s, n));
	if (cl->wildcard && (cl->v.pre_kind || cl->v.has_post ||
			     cl->v.has_dev || cl->v.local)) {
		pep440_release(&cl->v);
		return fail(c, "invalid specifier '%.*s%s': '.*' may only "
			    "follow the release numbers (like '==1.2.*')",
			    C(s, n));
	}
	if (cl->v.local && cl->op != OP_EQ && cl->op != OP_NE) {
		pep440_release(&cl->v);
		return fail(c, "invalid specifier '%.*s%s': a local version "
			    "label is only allowed with '==' and '!='", C(s, n));
	}
	if (cl->op == OP_COMPAT && cl->v.nrelease < 2) {
		pep440_release(&cl->v);
		return fail(c, "invalid specifier '%.*s%s': '~=' needs at least "
			    "two release numbers (like '~=1.0')", C(s, n));
	}
	return 0;
}

struct clauses {
	struct clause *v;
	size_t n, alloc;
};

static void clauses_release(struct clauses *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		pep440_release(&cs->v[i].v);
	free(cs->v);
	memset(cs, 0, sizeof(*cs));
}

/*
 * Split spec at commas as packaging's SpecifierSet does: clauses are
 * trimmed and empty ones skipped ("a, b," is two clauses).
 */
static int parse_spec(struct ctx *c, const char *spec, struct clauses *cs)
{
	const char *p = spec ? spec : "", *e;
	size_t n;
	int r;

	memset(cs, 0, sizeof(*cs));
	for (;;) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		while (n && is_space((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && is_space((unsigned char)p[n - 1]))
			n--;
		if (n) {
			if (gapimg_grow((void **)&cs->v, &cs->alloc, cs->n,
					sizeof(*cs->v))) {
				clauses_release(cs);
				return -2;
			}
			r = parse_clause(c, p, n, &cs->v[cs->n]);
			if (r) {
				clauses_release(cs);
				return r;
			}
			cs->n++;
		}
		if (e == NULL)
			return 0;
		p = e + 1;
	}
}

/* ---- specifier as a libsolv dependency ---- */

/*
 * A release as an EVR, epoch included, for the bounds of "==P.*" and
 * "~=": with the last of n components incremented when bump is set.
 * Without bump, trailing zeros are stripped as pep440_evr() strips
 * them: "1" sorts before "1.0~~" in both families, so an unstripped
 * lower bound would shut out the release it names.
 */
static int add_bound(struct strbuf *sb, const struct pep440 *v, size_t n,
		     int bump)
{
	size_t i;
	int bad = 0;

	if (v->epoch)
		bad |= strbuf_addf(sb, "%llu:", (unsigned long long)v->epoch);
	if (!bump)
		n = stripped_len(v->release, n);
	for (i = 0; i < n; i++) {
		if (i)
			bad |= strbuf_addch(sb, '.');
		if (bump && i + 1 == n && v->release[i] == UINT64_MAX)
			bad |= strbuf_addstr(sb, "18446744073709551616");
		else
			bad |= strbuf_addf(sb, "%llu", (unsigned long long)
					   (v->release[i] + (bump && i + 1 == n)));
	}
	bad |= strbuf_addstr(sb, "~~");
	return bad;
}

/*
 * "===V": a version the pool can hold is written as its EVR, so that
 * "===1.0" finds the wheel 1.0 (EVR "1"; the label, if any, as the
 * release, which then has to match).  Anything else goes in verbatim and
 * can only match a package whose EVR is spelled exactly so.
 */
static int add_arbitrary(struct strbuf *out, const struct clause *cl, int deb)
{
	struct pep440 v;
	char *evr;
	int r;

	r = pep440_parse(cl->text, cl->textlen, &v);
	if (r == -2)
		return -1;
	if (r)
		return strbuf_add(out, cl->text, cl->textlen);
	evr = pep440_evr(&v, deb);
	pep440_release(&v);
	if (evr == NULL)
		return -1;
	r = strbuf_addstr(out, evr);
	free(evr);
	return r;
}

static int is_final(const struct pep440 *v)
{
	return !v->pre_kind && !v->has_post && !v->has_dev;
}

/*
 * One clause as one term, or as several terms joined by " with " (then
 * *nterms is more than 1 and the caller decides about parentheses).
 *
 * In a Debian pool the local label is the revision, which libsolv
 * compares even when the dependency names none, so "= 1" would not
 * match "1-cu121".  There the bound just above V and every V-LABEL is
 * V followed by "+~": '+' sorts after the end of the string (and so
 * after "1-LABEL", whose upstream part is "1"), and "~" before any
 * character, so "1+~" is below "1+post0~dev0", "1.0.1" and "1~a1+~"
 * below "1~a1+post0".  In an RPM pool the label is the release, which
 * libsolv ignores when the dependency names none, so V itself serves.
 */
static int add_term(struct strbuf *out, const char *cap, const struct clause *cl,
		    int deb, int *nterms)
{
	struct strbuf v = STRBUF_INIT, hi = STRBUF_INIT;
	const struct pep440 *pv = &cl->v;
	int bad = 0;

	*nterms = 1;
	if (cl->op != OP_ARB) {
		bad |= add_evr(&v, pv, deb);
		if (pv->local)
			bad |= strbuf_addf(&v, "-%s", pv->local);
		/* hi: the least bound above V and V-LABEL. */
		bad |= strbuf_addstr(&hi, v.buf);
		if (deb && !pv->local)
			bad |= strbuf_addstr(&hi, "+~");
	}
	if (bad)
		goto out;

	switch (cl->op) {
	case OP_ARB:
		bad |= strbuf_addf(out, "%s = ", cap);
		bad |= add_arbitrary(out, cl, deb);
		break;
	case OP_GE:
		bad |= strbuf_addf(out, "%s >= %s", cap, v.buf);
		break;
	case OP_LE:
		if (deb)
			bad |= strbuf_addf(out, "%s < %s", cap, hi.buf);
		else
			bad |= strbuf_addf(out, "%s <= %s", cap, v.buf);
		break;
	case OP_GT:
		/*
		 * ">1.0" excludes 1.0's post releases and local versions:
		 * "1.0" sorts above "1^post1", "1+post1" and "1-LABEL" (its
		 * extra ".0" beats all of them) and below 1.0.1 and 1.1a1.
		 */
		if (is_final(pv))
			bad |= strbuf_addf(out, "%s > %s.0", cap, v.buf);
		else
			bad |= strbuf_addf(out, "%s > %s", cap, hi.buf);
		break;
	case OP_LT:
		/* "<1.0" excludes 1.0's pre-releases: "1~~" is below them. */
		if (is_final(pv)) {
			bad |= strbuf_addf(out, "%s < %s~~", cap, v.buf);
		} else if (!pep440_is_prerelease(pv)) {
			/*
			 * A post release: packaging keeps out the
			 * pre-releases of its base release too ("<1.0.post1"
			 * refuses 1.0rc1 and 1.0.dev0), all below "1~~", but
			 * lets 1.0 in.  The development releases of 1.0's
			 * earlier post releases (1.0.post0.dev0) still get
			 * in: they sit between 1.0 and 1.0.post0, which are
			 * both in, and no range of EVRs leaves them out.
			 */
			bad |= strbuf_addf(out, "(%s < ", cap);
			bad |= add_bound(out, pv, pv->nrelease, 0);
			bad |= strbuf_addf(out, " or (%s >= ", cap);
			bad |= add_base_evr(out, pv);
			bad |= strbuf_addf(out, " with %s < %s))", cap, v.buf);
		} else {
			bad |= strbuf_addf(out, "%s < %s", cap, v.buf);
		}
		break;
	case OP_EQ:
		if (cl->wildcard) {
			*nterms = 2;
			bad |= strbuf_addf(out, "%s >= ", cap);
			bad |= add_bound(out, pv, pv->nrelease, 0);
			bad |= strbuf_addf(out, " with %s < ", cap);
			bad |= add_bound(out, pv, pv->nrelease, 1);
		} else if (deb && !pv->local) {
			*nterms = 2;
			bad |= strbuf_addf(out, "%s >= %s with %s < %s", cap,
					   v.buf, cap, hi.buf);
		} else {
			bad |= strbuf_addf(out, "%s = %s", cap, v.buf);
		}
		break;
	case OP_NE:
		if (cl->wildcard) {
			bad |= strbuf_addf(out, "(%s < ", cap);
			bad |= add_bound(out, pv, pv->nrelease, 0);
			bad |= strbuf_addf(out, " or %s >= ", cap);
			bad |= add_bound(out, pv, pv->nrelease, 1);
			bad |= strbuf_addch(out, ')');
		} else {
			bad |= strbuf_addf(out, "(%s < %s or %s > %s)", cap,
					   v.buf, cap, hi.buf);
		}
		break;
	case OP_COMPAT:
		*nterms = 2;
		bad |= strbuf_addf(out, "%s >= %s with %s < ", cap, v.buf, cap);
		bad |= add_bound(out, pv, pv->nrelease - 1, 1);
		break;
	}
out:
	strbuf_release(&v);
	strbuf_release(&hi);
	return bad ? -2 : 0;
}

int pep440_spec_dep(const char *cap, const char *spec, int deb, struct strbuf *out,
		    char *msg, size_t msgsz)
{
	struct ctx c = { msg, msgsz };
	struct clauses cs;
	size_t i, start = out->len;
	int r, n, total = 0;

	if (msg && msgsz)
		msg[0] = '\0';
	r = parse_spec(&c, spec, &cs);
	if (r == -2)
		fail(&c, "out of memory");
	if (r)
		return r;
	if (cs.n == 0) {
		r = strbuf_addstr(out, cap) ? -2 : 0;
		goto done;
	}
	/*
	 * libsolv's rich dependency parser chains one operator without
	 * nesting: "(A with B with C)".  A lone simple term needs no
	 * parentheses; "or" terms bring their own.
	 */
	if ((r = strbuf_addch(out, '(') ? -2 : 0) != 0)
		goto done;
	for (i = 0; i < cs.n; i++) {
		if (i && (r = strbuf_addstr(out, " with ") ? -2 : 0) != 0)
			goto done;
		if ((r = add_term(out, cap, &cs.v[i], deb, &n)) != 0)
			goto done;
		total += n;
	}
	if (total == 1) {
		memmove(out->buf + start, out->buf + start + 1,
			out->len - start - 1);
		strbuf_setlen(out, out->len - 1);
	} else {
		r = strbuf_addch(out, ')') ? -2 : 0;
	}
done:
	clauses_release(&cs);
	if (r == -2) {
		strbuf_setlen(out, start);
		fail(&c, "out of memory");
	}
	return r;
}

/* ---- specifier matching ---- */

/* "==P.*": same epoch, and the release padded with zeros starts with P. */
static int prefix_match(const struct pep440 *v, const struct pep440 *p)
{
	size_t i;

	if (v->epoch != p->epoch)
		return 0;
	for (i = 0; i < p->nrelease; i++)
		if ((i < v->nrelease ? v->release[i] : 0) != p->release[i])
			return 0;
	return 1;
}

/* Epoch and release only (packaging's base_version). */
static int cmp_base(const struct pep440 *a, const struct pep440 *b)
{
	int c = cmp_u64(a->epoch, b->epoch);

	return c ? c : cmp_release(a, b);
}

static int ascii_casecmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 1;
	for (i = 0; i < an; i++)
		if (to_lower((unsigned char)a[i]) != to_lower((unsigned char)b[i]))
			return 1;
	return 0;
}

static int clause_match(const struct clause *cl, const struct pep440 *v)
{
	const struct pep440 *s = &cl->v;
	char *str;
	int eq;

	switch (cl->op) {
	case OP_ARB:
		/* packaging compares the candidate's normalised spelling. */
		str = pep440_str(v);
		if (str == NULL)
			return -2;
		eq = ascii_casecmp(str, strlen(str), cl->text, cl->textlen) == 0;
		free(str);
		return eq;
	case OP_EQ:
	case OP_NE:
		if (cl->wildcard)
			eq = prefix_match(v, s);
		else if (s->local)
			eq = pep440_cmp(v, s) == 0;
		else
			eq = cmp_public(v, s) == 0;
		return cl->op == OP_EQ ? eq : !eq;
	case OP_COMPAT:
		/* ">= V" and "== V without its last release number.*". */
		if (cmp_public(v, s) < 0)
			return 0;
		return prefix_match(v, &(struct pep440){ .epoch = s->epoch,
			.release = s->release, .nrelease = s->nrelease - 1 });
	case OP_LE:
		return cmp_public(v, s) <= 0;
	case OP_GE:
		return cmp_public(v, s) >= 0;
	case OP_LT:
		/* "<1.0" does not let 1.0's own pre-releases in. */
		if (pep440_cmp(v, s) >= 0)
			return 0;
		if (!pep440_is_prerelease(s) && pep440_is_prerelease(v) &&
		    cmp_base(v, s) == 0)
			return 0;
		return 1;
	case OP_GT:
		/*
		 * ">1.0" lets in neither 1.0's post releases nor its local
		 * versions.  Like packaging, "same release" means the same
		 * epoch and release numbers, so ">1.0a1" also refuses
		 * 1.0.post1 and 1.0+local.
		 */
		if (pep440_cmp(v, s) <= 0)
			return 0;
		if (!s->has_post && v->has_post && cmp_base(v, s) == 0)
			return 0;
		if (v->local && cmp_base(v, s) == 0)
			return 0;
		return 1;
	}
	return 0;
}

/*
 * Does the clause let pre-releases in?  When its version is one, except
 * after "!=" (excluding a pre-release asks for none), as current
 * packaging has it; packaging 21.3 also left out "<" and ">".
 */
static int clause_allows_pre(const struct clause *cl)
{
	struct pep440 v;
	int pre;

	if (cl->op == OP_NE)
		return 0;
	if (cl->op != OP_ARB)
		return pep440_is_prerelease(&cl->v);
	if (pep440_parse(cl->text, cl->textlen, &v))
		return 0;
	pre = pep440_is_prerelease(&v);
	pep440_release(&v);
	return pre;
}

int pep440_spec_match(const char *spec, const struct pep440 *v, int prereleases,
		      char *msg, size_t msgsz)
{
	struct ctx c = { msg, msgsz };
	struct clauses cs;
	size_t i;
	int r;

	if (msg && msgsz)
		msg[0] = '\0';
	r = parse_spec(&c, spec, &cs);
	if (r == -2)
		return fail(&c, "out of memory");
	if (r)
		return r;
	for (i = 0; i < cs.n && !prereleases; i++)
		prereleases = clause_allows_pre(&cs.v[i]);
	r = 1;
	if (!prereleases && pep440_is_prerelease(v))
		r = 0;
	for (i = 0; i < cs.n && r == 1; i++)
		r = clause_match(&cs.v[i], v);
	clauses_release(&cs);
	if (r == -2)
		return fail(&c, "out of memory");
	return r;
}
