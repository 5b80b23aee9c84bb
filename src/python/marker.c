#include "python/marker.h"
#include "python/chars.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapimg/strbuf.h"
#include "python/pep440.h"

/*
 * PEP 508 markers, evaluated as packaging evaluates them but for the
 * image's interpreter.  The input is the canonical text pep508_parse()
 * writes; the tokenizer still skips any blanks, so hand-written markers
 * in tests and metadata read the same way.
 *
 * Every comparison is evaluated, even when "and"/"or" already know the
 * answer, so a malformed marker is reported whatever the environment.
 */

/* Deeper nesting than pep508_parse() accepts is refused, not recursed. */
#define MAX_DEPTH 64

static int is_ident_ch(int c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.';
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int is_op_ch(int c)
{
	return c == '<' || c == '>' || c == '=' || c == '!' || c == '~';
}

/* ---- the target ---- */

void pymarker_target_init(struct pymarker_target *t, const char *python,
			  const char *machine)
{
	size_t i, dots = 0, two = 0;
	const char *p = python ? python : "";

	memset(t, 0, sizeof(*t));
	/* "3.11.4" -> "3.11"; a version without a micro gets ".0". */
	for (i = 0; p[i]; i++) {
		if (p[i] == '.' && ++dots == 2)
			break;
	}
	two = i;
	snprintf(t->version, sizeof(t->version), "%.*s", (int)two, p);
	snprintf(t->full_version, sizeof(t->full_version), "%s%s", p,
		 dots >= 2 ? "" : ".0");

	t->env.python_version = t->version;
	t->env.python_full_version = t->full_version;
	t->env.implementation_version = t->full_version;
	t->env.os_name = "posix";
	t->env.sys_platform = "linux";
	t->env.platform_system = "Linux";
	t->env.platform_machine = machine ? machine : "";
	t->env.platform_python_implementation = "CPython";
	t->env.implementation_name = "cpython";
	t->env.platform_release = "";
	t->env.platform_version = "";
	t->env.extra = "";
}

/* ---- evaluation ---- */

struct ev {
	const char *s;
	size_t pos;
	const struct pymarker_env *env;
	int depth;
	char *msg;
	size_t msgsz;
};

static int fail(struct ev *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ev *e, const char *fmt, ...)
{
	va_list ap;

	if (e->msg && e->msgsz) {
		va_start(ap, fmt);
		vsnprintf(e->msg, e->msgsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void skip(struct ev *e)
{
	while (is_blank((unsigned char)e->s[e->pos]))
		e->pos++;
}

/* Length of the token at pos, for messages. */
static size_t tok_len(const struct ev *e)
{
	const char *p = e->s + e->pos;
	size_t n = 0;

	if (is_ident_ch((unsigned char)*p)) {
		while (is_ident_ch((unsigned char)p[n]))
			n++;
		return n;
	}
	if (is_op_ch((unsigned char)*p)) {
		while (is_op_ch((unsigned char)p[n]))
			n++;
		return n;
	}
	return *p ? 1 : 0;
}

static int fail_expected(struct ev *e, const char *what)
{
	size_t n = tok_len(e);

	if (n == 0)
		return fail(e, "marker ends where %s was expected", what);
	return fail(e, "expected %s at offset %zu of the marker, got '%.*s%s'",
		    what, e->pos, C(e->s + e->pos, n));
}

/* One operand: its value, and the variable it names (var NULL for a string). */
struct operand {
	const char *p;
	size_t n;
	const char *var;
	size_t varlen;
};

static const char *env_value(const struct pymarker_env *env, const char *name,
			     size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} vars[] = {
#define V(f) { #f, offsetof(struct pymarker_env, f) }
		V(python_version), V(python_full_version), V(os_name),
		V(sys_platform), V(platform_release), V(platform_system),
		V(platform_version), V(platform_machine),
		V(platform_python_implementation), V(implementation_name),
		V(implementation_version), V(extra),
#undef V
	};
	const char *v;
	size_t k;

	for (k = 0; k < sizeof(vars) / sizeof(vars[0]); k++) {
		if (strlen(vars[k].name) == n && memcmp(vars[k].name, name, n) == 0) {
			v = *(const char *const *)((const char *)env + vars[k].off);
			return v ? v : "";
		}
	}
	return NULL;
}

static int parse_operand(struct ev *e, struct operand *o)
{
	const char *p;
	char q;
	size_t n;

	skip(e);
	p = e->s + e->pos;
	memset(o, 0, sizeof(*o));
	if (*p == '"' || *p == '\'') {
		q = *p;
		n = 1;
		while (p[n] && p[n] != q)
			n++;
		if (p[n] != q)
			return fail(e, "unterminated string at offset %zu of the "
				    "marker", e->pos);
		o->p = p + 1;
		o->n = n - 1;
		e->pos += n + 1;
		return 0;
	}
	if (is_alpha((unsigned char)*p) || *p == '_') {
		n = 0;
		while (is_ident_ch((unsigned char)p[n]))
			n++;
		o->p = env_value(e->env, p, n);
		if (o->p == NULL)
			return fail(e, "unknown marker variable '%.*s%s'",
				    C(p, n));
		o->n = strlen(o->p);
		o->var = p;
		o->varlen = n;
		e->pos += n;
		return 0;
	}
	return fail_expected(e, "a marker variable or a quoted string");
}

enum mop { M_EQ, M_NE, M_LT, M_LE, M_GT, M_GE, M_COMPAT, M_ARB, M_IN, M_NOTIN };

static const char *const mop_names[] = {
	"==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"
};

static int parse_op(struct ev *e, enum mop *op)
{
	static const struct {
		const char *text;
		enum mop op;
	} ops[] = {
		{ "===", M_ARB }, { "==", M_EQ }, { "!=", M_NE }, { "<=", M_LE },
		{ ">=", M_GE }, { "~=", M_COMPAT }, { "<", M_LT }, { ">", M_GT },
	};
	const char *p;
	size_t k, n, l;

	skip(e);
	p = e->s + e->pos;
	n = tok_len(e);
	if (is_op_ch((unsigned char)*p)) {
		for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
			l = strlen(ops[k].text);
			if (l == n && memcmp(p, ops[k].text, l) == 0) {
				*op = ops[k].op;
				e->pos += n;
				return 0;
			}
		}
	} else if (n == 2 && memcmp(p, "in", 2) == 0) {
		*op = M_IN;
		e->pos += n;
		return 0;
	} else if (n == 3 && memcmp(p, "not", 3) == 0) {
		e->pos += n;
		skip(e);
		if (tok_len(e) == 2 && memcmp(e->s + e->pos, "in", 2) == 0) {
			*op = M_NOTIN;
			e->pos += 2;
			return 0;
		}
		return fail_expected(e, "'in' after 'not'");
	}
	return fail_expected(e, "a marker operator");
}

/* PEP 503: lowercase, and runs of '-', '_' and '.' become one '-'. */
static char *normalise_name(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '-' || s[i] == '_' || s[i] == '.') {
			if (o == out || o[-1] != '-')
				*o++ = '-';
		} else {
			*o++ = (char)to_lower((unsigned char)s[i]);
		}
	}
	*o = '\0';
	return out;
}

static int contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
	size_t i;

	if (nn == 0)
		return 1;
	for (i = 0; i + nn <= hn; i++)
		if (memcmp(hay + i, needle, nn) == 0)
			return 1;
	return 0;
}

/*
 * lhs OP rhs on two strings, as packaging does it: when "OP rhs" is a
 * valid specifier and lhs a valid version, the specifier decides (with
 * pre-releases allowed); otherwise "in"/"not in" test substrings and
 * "=="/"!=" compare strings, and any other operator is an error.
 */
static int compare(struct ev *e, const char *l, size_t ln, enum mop op,
		   const char *r, size_t rn)
{
	struct strbuf spec = STRBUF_INIT;
	struct pep440 v;
	char msg[8];
	int ret, pr;

	if (op != M_IN && op != M_NOTIN && memchr(r, ',', rn) == NULL) {
		pr = pep440_parse(l, ln, &v);
		if (pr == -2)
			return fail(e, "out of memory");
		if (pr == 0) {
			if (strbuf_addf(&spec, "%s%.*s", mop_names[op], (int)rn,
					r)) {
				pep440_release(&v);
				return fail(e, "out of memory");
			}
			ret = pep440_spec_match(spec.buf, &v, 1, msg,
						sizeof(msg));
			strbuf_release(&spec);
			pep440_release(&v);
			if (ret >= 0)
				return ret;
		}
	}
	switch (op) {
	case M_EQ:
		return ln == rn && memcmp(l, r, ln) == 0;
	case M_NE:
		return !(ln == rn && memcmp(l, r, ln) == 0);
	case M_IN:
		return contains(r, rn, l, ln);
	case M_NOTIN:
		return !contains(r, rn, l, ln);
	default:
		return fail(e, "cannot compare '%.*s%s' %s '%.*s%s': '%s' needs "
			    "PEP 440 versions on both sides", C(l, ln),
			    mop_names[op], C(r, rn), mop_names[op]);
	}
}

static int is_extra(const struct operand *o)
{
	return o->var && o->varlen == 5 && memcmp(o->var, "extra", 5) == 0;
}

static int eval_compare(struct ev *e)
{
	struct operand l, r;
	char *ln = NULL, *rn = NULL;
	enum mop op = M_EQ;   /* set by parse_op (gcc -O2 cannot see it) */
	int ret = -1;

	if (parse_operand(e, &l) || parse_op(e, &op) || parse_operand(e, &r))
		return -1;
	if (is_extra(&l) || is_extra(&r)) {
		/* Extra names compare PEP 503 normalised, both sides. */
		ln = normalise_name(l.p, l.n);
		rn = normalise_name(r.p, r.n);
		if (ln == NULL || rn == NULL)
			ret = fail(e, "out of memory");
		else
			ret = compare(e, ln, strlen(ln), op, rn, strlen(rn));
	} else {
		ret = compare(e, l.p, l.n, op, r.p, r.n);
	}
	free(ln);
	free(rn);
	return ret;
}

static int eval_or(struct ev *e);

static int eval_atom(struct ev *e)
{
	int r;

	skip(e);
	if (e->s[e->pos] != '(')
		return eval_compare(e);
	if (e->depth >= MAX_DEPTH)
		return fail(e, "marker is nested too deeply (more than %d levels "
			    "of parentheses)", MAX_DEPTH);
	e->depth++;
	e->pos++;
	r = eval_or(e);
	if (r < 0)
		return -1;
	skip(e);
	if (e->s[e->pos] != ')')
		return fail_expected(e, "'and', 'or' or ')'");
	e->pos++;
	e->depth--;
	return r;
}

/* True (and consumed) when the next word is kw. */
static int take_word(struct ev *e, const char *kw)
{
	size_t n = strlen(kw);

	skip(e);
	if (tok_len(e) != n || memcmp(e->s + e->pos, kw, n) != 0)
		return 0;
	e->pos += n;
	return 1;
}

static int eval_and(struct ev *e)
{
	int r, v;

	r = eval_atom(e);
	if (r < 0)
		return -1;
	while (take_word(e, "and")) {
		v = eval_atom(e);
		if (v < 0)
			return -1;
		r = r && v;
	}
	return r;
}

static int eval_or(struct ev *e)
{
	int r, v;

	r = eval_and(e);
	if (r < 0)
		return -1;
	while (take_word(e, "or")) {
		v = eval_and(e);
		if (v < 0)
			return -1;
		r = r || v;
	}
	return r;
}

int pymarker_eval(const char *marker, const struct pymarker_env *env,
		  char *msg, size_t msgsz)
{
	static const struct pymarker_env none;
	struct ev e = { marker ? marker : "", 0, env ? env : &none, 0, msg,
			msgsz };
	int r;

	if (msg && msgsz)
		msg[0] = '\0';
	r = eval_or(&e);
	if (r < 0)
		return -1;
	skip(&e);
	if (e.s[e.pos] == ')')
		return fail(&e, "unmatched ')' at offset %zu of the marker",
			    e.pos);
	if (e.s[e.pos] != '\0')
		return fail_expected(&e, "'and', 'or' or the end of the marker");
	return r;
}
