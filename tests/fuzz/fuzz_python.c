/*
 * libFuzzer target for the readers of Python packaging text that comes
 * from a wheel mirror (src/python/): versions and specifiers (PEP 440),
 * requirements and their markers (PEP 508), core metadata, PEP 503
 * simple pages and wheel file names.  The first input byte chooses the
 * reader, the rest is the text:
 *
 *   'V' (or byte % 5 == 0)   pep440: "VERSION[\nSPEC[\nVERSION]]"
 *   'R' (or byte % 5 == 1)   pep508_parse, then pymarker_eval
 *   'M' (or byte % 5 == 2)   pymeta_parse
 *   'S' (or byte % 5 == 3)   pysimple_parse and pysimple_unquote
 *   'W' (or byte % 5 == 4)   wheelname_parse and pytags_rank
 *
 * Also linked into fuzz_replay_python (replay.c), so that gcc builds
 * without libFuzzer run tests/fuzz/corpus-python as a regression test.
 *
 * Besides the sanitizers, the promises the callers rely on are checked;
 * abort() makes libFuzzer save the input.  Every parser returns 0 or -1
 * on these inputs: -2 (out of memory) would be a bug, as memory does not
 * run out on inputs this small and the sanitizers' malloc aborts rather
 * than return NULL.
 *
 * PEP 440 (src/python/pep440.h).  For the first line when it parses:
 *   - pep440_cmp(a, a) == 0; pep440_str(a) parses back to a version equal
 *     to a, whose own spelling is the same string;
 *   - pep440_version_valid() (pep508.c's validator) accepts it, and
 *     refuses nothing pep440_parse() accepts unless a number overflows
 *     64 bits;
 *   - against the third line and a few fixed versions: equal versions
 *     have the same EVRs, and when the public versions differ, libsolv
 *     orders the EVRs as pep440_cmp() orders the versions, in an RPM and
 *     a Debian pool (local labels are only "roughly" ordered there, so
 *     versions that differ only in them are not compared).
 * For the second line (or the whole text when there is one line) as a
 * specifier set:
 *   - pep440_spec_dep() and pep440_spec_match() agree on whether it is
 *     malformed, say why when it is, and leave out unchanged;
 *   - a version that matches without pre-releases matches with them;
 *   - the dependency parses in libsolv, and admits a version's EVR
 *     exactly when pep440_spec_match() (pre-releases allowed) admits the
 *     version, except where pep440.h lists gaps ("===", local labels in
 *     an RPM pool, ">V" for a pre, post or dev release V) and for "<V"
 *     with V a post release, which admits the development releases of
 *     the post releases of V's base (pep440.c says why).
 *
 * PEP 508 (src/python/pep508.h, marker.h): an error's culprit lies
 * within the text and the message is set; a parsed requirement has a
 * normalised name, its canonical form parses back to itself, its
 * specifier is one pep440.c accepts (numbers that overflow aside), and
 * its marker evaluates for CPython 3.11 on x86_64 with several extras to
 * 0 or 1, or to -1 only for a comparison packaging cannot make either.
 * The raw text also goes through pymarker_eval(), where only the
 * sanitizers judge.
 *
 * Core metadata (metadata.h): Metadata-Version, Name and Version are
 * set and non-empty, values are trimmed and hold no line end or NUL.
 * The values then go through the parsers the resolver hands them to.
 *
 * Simple pages (simple.h): every link has href, path (href
 * percent-decoded), filename (no '/') and text; hashes are 64 lowercase
 * hex digits; yanked iff yanked_reason.  Link file names then go through
 * wheelname_parse(), data-requires-python through pep440_spec_match().
 * pysimple_unquote() on the raw text never grows it, and leaves text
 * without '%' alone.
 *
 * Wheel names (wheelname.h): the parts are as documented (dist valid,
 * name its PEP 503 form, version valid, tags non-empty words); the rank
 * is -1 or the index of one of the wheel's tags, with its glibc.
 *
 * All texts are copied to end exactly where a page ends, before a
 * PROT_NONE guard page (as in fuzz_lock.c): a read past the end faults
 * even inside libc or libxml2, which ASan does not instrument.  The
 * functions that take C strings get the string with its NUL as the last
 * readable byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <solv/evr.h>
#include <solv/pool.h>
#include <solv/pool_parserpmrichdep.h>
#include <solv/repo.h>

#include "gapimg/strbuf.h"
#include "python/marker.h"
#include "python/metadata.h"
#include "python/pep440.h"
#include "python/pep508.h"
#include "python/simple.h"
#include "python/wheelname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- texts that end at a guard page ---- */

struct guard {
	char *region;      /* size readable bytes, then a guard page */
	size_t size;
};

/* A copy of data[0..len), plus a NUL when nul is set, whose last byte is
 * the last readable byte before a PROT_NONE page; valid until the next
 * call on the same guard. */
static char *guard_copy(struct guard *g, const void *data, size_t len, int nul)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), want = len + (nul != 0);
	char *p;

	if (g->region == NULL || want > g->size) {
		size_t sz = want ? (want + page - 1) / page * page : page;
		void *m;

		if (g->region != NULL)
			munmap(g->region, g->size + page);
		m = mmap(NULL, sz + page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || mprotect((char *)m + sz, page, PROT_NONE) < 0)
			abort();
		g->region = m;
		g->size = sz;
	}
	p = g->region + g->size - want;
	if (len)
		memcpy(p, data, len);
	if (nul)
		p[len] = '\0';
	return p;
}

static struct guard g_text, g_str, g_other;

/* data[0..len) up to its first NUL, as a guarded C string. */
static const char *guard_str(struct guard *g, const char *data, size_t len)
{
	const char *z = memchr(data, '\0', len);

	return guard_copy(g, data, z ? (size_t)(z - data) : len, 1);
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Some run of digits in s[0..n) does not fit in 64 bits. */
static int has_huge_number(const char *s, size_t n)
{
	size_t i = 0, start;

	while (i < n) {
		if (!is_digit((unsigned char)s[i])) {
			i++;
			continue;
		}
		while (i < n && s[i] == '0')
			i++;
		start = i;
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
		if (i - start > 20 ||
		    (i - start == 20 && memcmp(s + start, "18446744073709551615", 20) > 0))
			return 1;
	}
	return 0;
}

/* ---- PEP 440 ---- */

/* One pool per family for pool_evrcmp_str(), made once. */
static Pool *evr_pool[2];

static Pool *family_pool(int deb)
{
	if (evr_pool[deb] == NULL) {
		evr_pool[deb] = pool_create();
		if (pool_setdisttype(evr_pool[deb], deb ? DISTTYPE_DEB : DISTTYPE_RPM) < 0)
			abort();
	}
	return evr_pool[deb];
}

/* Versions that every first line is compared with. */
static const char *const fixed_versions[] = {
	"1.0", "1.0rc1", "1.0.post1.dev2", "1!2.0+ubuntu.1", "0", "2024.1.0a3",
};
#define NFIXED (sizeof(fixed_versions) / sizeof(fixed_versions[0]))

/* The version parsed from s[0..n), which must parse. */
static void parse_or_abort(const char *s, size_t n, struct pep440 *v)
{
	if (pep440_parse(s, n, v) != 0)
		abort();
}

/* pep440_cmp without the local labels. */
static int cmp_public(const struct pep440 *a, const struct pep440 *b)
{
	struct pep440 x = *a, y = *b;

	x.local = NULL;
	y.local = NULL;
	return pep440_cmp(&x, &y);
}

static void check_order(const struct pep440 *a, const struct pep440 *b)
{
	int c = pep440_cmp(a, b), cp = cmp_public(a, b), deb;

	if (sign(c) != -sign(pep440_cmp(b, a)))
		abort();
	if (cp != 0 && sign(cp) != sign(c))
		abort();
	for (deb = 0; deb < 2; deb++) {
		char *ea = pep440_evr(a, deb), *eb = pep440_evr(b, deb);

		if (ea == NULL || eb == NULL)
			abort();
		if (c == 0 && strcmp(ea, eb) != 0)
			abort();
		if (cp != 0 &&
		    sign(pool_evrcmp_str(family_pool(deb), ea, eb, EVRCMP_COMPARE)) != sign(cp))
			abort();
		free(ea);
		free(eb);
	}
}

static void check_version(const char *s, size_t n, const struct pep440 *v)
{
	struct pep440 again;
	char *str, *str2;

	if (pep440_cmp(v, v) != 0 || v->nrelease == 0 || v->release == NULL)
		abort();
	if (!pep440_version_valid(s, n, 1))
		abort();
	if (pep440_version_valid(s, n, 0) != (v->local == NULL))
		abort();
	str = pep440_str(v);
	if (str == NULL)
		abort();
	parse_or_abort(str, strlen(str), &again);
	if (pep440_cmp(v, &again) != 0 || pep440_cmp(&again, v) != 0)
		abort();
	if ((v->local == NULL) != (again.local == NULL) ||
	    (v->local && strcmp(v->local, again.local) != 0))
		abort();
	str2 = pep440_str(&again);
	if (str2 == NULL || strcmp(str, str2) != 0)
		abort();
	free(str);
	free(str2);
	pep440_release(&again);
}

/* "N OP EVR" or a rich dependency "(...)" into an Id, as
 * src/mirror/wheels.c reads them; 0 when it is neither. */
static Id parse_dep(Pool *pool, const char *s)
{
	static const struct {
		const char *op;
		int flags;
	} ops[] = {
		{ "<=", REL_LT | REL_EQ }, { ">=", REL_GT | REL_EQ }, { "=", REL_EQ },
		{ "<", REL_LT }, { ">", REL_GT },
	};
	const char *sp;
	size_t i, n;

	if (s[0] == '(')
		return pool_parserpmrichdep(pool, s);
	sp = strchr(s, ' ');
	if (sp == NULL)
		return pool_str2id(pool, s, 1);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		n = strlen(ops[i].op);
		if (strncmp(sp + 1, ops[i].op, n) == 0 && sp[1 + n] == ' ')
			return pool_rel2id(pool, pool_strn2id(pool, s, (unsigned)(sp - s), 1),
					   pool_str2id(pool, sp + 2 + n, 1), ops[i].flags, 1);
	}
	return 0;
}

/* Does libsolv find the package N = evr among the providers of dep?
 * -1 when dep does not parse. */
static int dep_admits(int deb, const char *dep, const char *evr)
{
	Pool *pool = pool_create();
	Repo *repo;
	Solvable *s;
	Id p, q, pp, id, name, ev;
	int found = 0;

	if (pool_setdisttype(pool, deb ? DISTTYPE_DEB : DISTTYPE_RPM) < 0)
		abort();
	repo = repo_create(pool, "fuzz");
	p = repo_add_solvable(repo);
	s = pool_id2solvable(pool, p);
	name = pool_str2id(pool, "N", 1);
	ev = pool_str2id(pool, evr, 1);
	s->name = name;
	s->evr = ev;
	s->arch = ARCH_NOARCH;
	s->provides = repo_addid_dep(repo, s->provides,
				     pool_rel2id(pool, name, ev, REL_EQ, 1), 0);
	pool_createwhatprovides(pool);
	id = parse_dep(pool, dep);
	if (id == 0) {
		found = -1;
	} else {
		FOR_PROVIDES(q, pp, id)
			if (q == p)
				found = 1;
	}
	pool_free(pool);
	return found;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Same epoch and release numbers (missing ones count as 0). */
static int same_base(const struct pep440 *a, const struct pep440 *b)
{
	size_t i, n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;

	if (a->epoch != b->epoch)
		return 0;
	for (i = 0; i < n; i++)
		if ((i < a->nrelease ? a->release[i] : 0) != (i < b->nrelease ? b->release[i] : 0))
			return 0;
	return 1;
}

/*
 * Where the dependency is known to be looser than the specifier, for v:
 * "===" anywhere, and ">V" with V a pre, post or dev release (both in
 * pep440.h); "<V" with V a post release for v a development release of
 * a post release of V's base, which no range of EVRs leaves out
 * (src/python/pep440.c, add_term).  (Local labels in an RPM pool are the
 * caller's to check.)
 */
static int spec_has_gap(const char *spec, const struct pep440 *v)
{
	const char *p = spec, *e;
	size_t n, k;

	if (strstr(spec, "==="))
		return 1;
	for (;;) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		while (n && is_space((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && is_space((unsigned char)p[n - 1]))
			n--;
		if (n >= 2 && (p[0] == '>' || p[0] == '<') && p[1] != '=') {
			struct pep440 sv;
			int gap = 0;

			for (k = 1; k < n && is_space((unsigned char)p[k]); k++)
				;
			if (pep440_parse(p + k, n - k, &sv) == 0) {
				if (p[0] == '>')
					gap = sv.pre_kind || sv.has_post || sv.has_dev;
				else
					gap = sv.has_post && !sv.pre_kind && !sv.has_dev &&
					      v->has_post && v->has_dev && !v->pre_kind &&
					      same_base(v, &sv);
				pep440_release(&sv);
			}
			if (gap)
				return 1;
		}
		if (e == NULL)
			return 0;
		p = e + 1;
	}
}

/* spec against one version; deps[] are its dependencies (NULL when the
 * spec is malformed). */
static void check_match(const char *spec, char *const deps[2], const struct pep440 *v)
{
	char msg[256];
	int m0, m1, deb;

	m0 = pep440_spec_match(spec, v, 0, msg, sizeof(msg));
	m1 = pep440_spec_match(spec, v, 1, msg, sizeof(msg));
	if (deps[0] == NULL) {
		if (m0 != -1 || m1 != -1 || msg[0] == '\0')
			abort();
		return;
	}
	if (m0 < 0 || m1 < 0 || m0 > 1 || m1 > 1 || msg[0] != '\0')
		abort();
	if (m0 && !m1)
		abort();
	if (spec_has_gap(spec, v))
		return;
	for (deb = 0; deb < 2; deb++) {
		char *evr;
		int admits;

		if (!deb && (v->local || strchr(spec, '+')))
			continue;
		evr = pep440_evr(v, deb);
		if (evr == NULL)
			abort();
		admits = dep_admits(deb, deps[deb], evr);
		if (admits < 0 || admits != m1) {
			fprintf(stderr, "spec '%s' (%s): EVR '%s' %s, pep440_spec_match %d\n",
				spec, deps[deb], evr,
				admits < 0 ? "does not parse" : admits ? "admitted" : "refused", m1);
			abort();
		}
		free(evr);
	}
}

static void fuzz_pep440(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len), *nl2 = NULL;
	const char *a = text, *b = NULL, *spec;
	size_t an = nl ? (size_t)(nl - text) : len, bn = 0, i;
	struct pep440 va, vb, fixed;
	int ra, rb = -1, r0, deb;
	struct strbuf out[2] = { STRBUF_INIT, STRBUF_INIT };
	char *deps[2] = { NULL, NULL };
	char msg[256];

	if (nl) {
		nl2 = memchr(nl + 1, '\n', len - an - 1);
		spec = guard_str(&g_str, nl + 1, nl2 ? (size_t)(nl2 - nl - 1) : len - an - 1);
		if (nl2) {
			b = guard_copy(&g_other, nl2 + 1, (size_t)(text + len - nl2 - 1), 0);
			bn = (size_t)(text + len - nl2 - 1);
		}
	} else {
		spec = guard_str(&g_str, text, len);
	}
	a = guard_copy(&g_text, a, an, 0);

	ra = pep440_parse(a, an, &va);
	if (ra == 0) {
		check_version(a, an, &va);
	} else if (ra != -1) {
		abort();
	} else if (pep440_version_valid(a, an, 1) && !has_huge_number(a, an)) {
		abort();
	}
	if (b) {
		rb = pep440_parse(b, bn, &vb);
		if (rb == 0)
			check_version(b, bn, &vb);
		else if (rb != -1)
			abort();
	}
	if (ra == 0) {
		if (rb == 0)
			check_order(&va, &vb);
		for (i = 0; i < NFIXED; i++) {
			parse_or_abort(fixed_versions[i], strlen(fixed_versions[i]), &fixed);
			check_order(&va, &fixed);
			pep440_release(&fixed);
		}
	}

	/* The specifier set: the same verdict from both, out unchanged on
	 * failure. */
	for (deb = 0; deb < 2; deb++) {
		if (strbuf_addstr(&out[deb], "keep") != 0)
			abort();
		msg[0] = 'x';
		msg[1] = '\0';
		r0 = pep440_spec_dep("N", spec, deb, &out[deb], msg, sizeof(msg));
		if (r0 == 0) {
			if (msg[0] != '\0' || out[deb].len <= 4 ||
			    memcmp(out[deb].buf, "keep", 4) != 0)
				abort();
			deps[deb] = out[deb].buf + 4;
		} else if (r0 == -1) {
			if (msg[0] == '\0' || strcmp(out[deb].buf, "keep") != 0)
				abort();
		} else {
			abort();
		}
	}
	if ((deps[0] == NULL) != (deps[1] == NULL))
		abort();
	if (deps[0] && !strstr(spec, "==="))
		for (deb = 0; deb < 2; deb++)
			if (dep_admits(deb, deps[deb], "1") < 0)
				abort();
	if (ra == 0)
		check_match(spec, deps, &va);
	if (rb == 0)
		check_match(spec, deps, &vb);
	for (i = 0; i < NFIXED; i++) {
		parse_or_abort(fixed_versions[i], strlen(fixed_versions[i]), &fixed);
		check_match(spec, deps, &fixed);
		pep440_release(&fixed);
	}

	if (ra == 0)
		pep440_release(&va);
	if (rb == 0)
		pep440_release(&vb);
	strbuf_release(&out[0]);
	strbuf_release(&out[1]);
}

/* ---- PEP 508 and markers ---- */

static int is_normal_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || is_digit((unsigned char)*s) || *s == '-'))
			return 0;
	return 1;
}

static const struct pymarker_target *target(void)
{
	static struct pymarker_target t;
	static int done;

	if (!done) {
		pymarker_target_init(&t, "3.11", "x86_64");
		done = 1;
	}
	return &t;
}

static void check_marker(const char *marker)
{
	static const char *const extras[] = { "", "test", "Foo_Bar", "foo-bar", "3.11" };
	struct pymarker_env env = target()->env;
	char msg[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
		env.extra = extras[i];
		msg[0] = 'x';
		r = pymarker_eval(marker, &env, msg, sizeof(msg));
		if (r == 0 || r == 1) {
			if (msg[0] != '\0')
				abort();
		} else if (r == -1) {
			/* The only error left once pep508_parse() has read
			 * the marker. */
			if (strncmp(msg, "cannot compare '", 16) != 0) {
				fprintf(stderr, "marker '%s': %s\n", marker, msg);
				abort();
			}
		} else {
			abort();
		}
	}
}

/* The marker as written (after the first ';', which nothing before the
 * marker may hold) evaluates as its canonical form does. */
static void check_raw_marker(const char *text, size_t len, const char *canonical)
{
	const char *semi = memchr(text, ';', len), *raw;
	struct pymarker_env env = target()->env;
	char msg[256];
	int a, b;

	if (semi == NULL)
		abort();
	raw = guard_str(&g_other, semi + 1, (size_t)(text + len - semi - 1));
	env.extra = "test";
	a = pymarker_eval(canonical, &env, msg, sizeof(msg));
	b = pymarker_eval(raw, &env, msg, sizeof(msg));
	if (a != b) {
		fprintf(stderr, "marker '%s' gives %d, as written '%s' %d: %s\n", canonical, a,
			raw, b, msg);
		abort();
	}
}

static void fuzz_pep508(const char *text, size_t len)
{
	struct pep508_req req, again;
	size_t off = 99999, elen = 99999, i;
	char msg[256], *canon, *canon2;
	const char *s = guard_copy(&g_text, text, len, 0);
	int r;

	msg[0] = 'x';
	r = pep508_parse(s, len, &req, &off, &elen, msg, sizeof(msg));
	if (r == -1) {
		if (msg[0] == '\0' || off > len || elen > len - off)
			abort();
		if (req.name || req.extras || req.specifier || req.marker)
			abort();
	} else if (r != 0) {
		abort();
	} else {
		if (!is_normal_name(req.name) || req.specifier == NULL)
			abort();
		if ((req.nextras == 0) != (req.extras == NULL))
			abort();
		for (i = 0; i < req.nextras; i++)
			if (!is_normal_name(req.extras[i]) ||
			    (i && strcmp(req.extras[i - 1], req.extras[i]) >= 0))
				abort();
		canon = pep508_canonical(&req);
		if (canon == NULL)
			abort();
		if (pep508_parse(canon, strlen(canon), &again, NULL, NULL, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "canonical '%s' refused: %s\n", canon, msg);
			abort();
		}
		canon2 = pep508_canonical(&again);
		if (canon2 == NULL || strcmp(canon, canon2) != 0)
			abort();
		free(canon);
		free(canon2);
		pep508_req_release(&again);
		if (req.specifier[0]) {
			struct strbuf dep = STRBUF_INIT;
			int rd = pep440_spec_dep("N", req.specifier, 0, &dep, msg, sizeof(msg));

			if (rd != 0 && !(rd == -1 && has_huge_number(req.specifier,
								     strlen(req.specifier)))) {
				fprintf(stderr, "specifier '%s': %s\n", req.specifier, msg);
				abort();
			}
			strbuf_release(&dep);
		}
		if (req.marker) {
			check_marker(req.marker);
			check_raw_marker(text, len, req.marker);
		}
		pep508_req_release(&req);
	}
	/* Hand-written markers (tests, metadata) go in as they are. */
	s = guard_str(&g_str, text, len);
	r = pymarker_eval(s, &target()->env, msg, sizeof(msg));
	if (r < -1 || r > 1)
		abort();
	(void)pymarker_eval(s, NULL, NULL, 0);
}

/* ---- core metadata ---- */

static void check_value(const char *v, int nonempty)
{
	size_t n;

	if (v == NULL || (nonempty && v[0] == '\0'))
		abort();
	n = strlen(v);
	if (strchr(v, '\n') || (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' ||
				      v[n - 1] == '\t')))
		abort();
}

static void fuzz_metadata(const char *text, size_t len)
{
	struct pymeta m;
	struct pep508_req req;
	struct pep440 v;
	char msg[256];
	size_t i;
	int r;

	msg[0] = 'x';
	r = pymeta_parse(guard_copy(&g_text, text, len, 0), len, &m, msg, sizeof(msg));
	if (r == -1) {
		if (msg[0] == '\0' || m.name || m.version || m.metadata_version ||
		    m.requires_dist || m.nrequires_dist)
			abort();
		return;
	}
	if (r != 0 || msg[0] != '\0')
		abort();
	check_value(m.metadata_version, 1);
	check_value(m.name, 1);
	check_value(m.version, 1);
	if (m.requires_python)
		check_value(m.requires_python, 0);
	if ((m.nrequires_dist && m.requires_dist == NULL) ||
	    (m.nprovides_extra && m.provides_extra == NULL))
		abort();
	/* What the resolver does with them next. */
	if (pep440_parse(m.version, strlen(m.version), &v) == 0) {
		if (m.requires_python)
			(void)pep440_spec_match(m.requires_python, &v, 0, msg, sizeof(msg));
		pep440_release(&v);
	}
	for (i = 0; i < m.nrequires_dist; i++) {
		check_value(m.requires_dist[i], 0);
		if (pep508_parse(m.requires_dist[i], strlen(m.requires_dist[i]), &req, NULL,
				 NULL, msg, sizeof(msg)) == 0) {
			if (req.marker)
				check_marker(req.marker);
			pep508_req_release(&req);
		}
	}
	for (i = 0; i < m.nprovides_extra; i++)
		check_value(m.provides_extra[i], 0);
	pymeta_release(&m);
}

/* ---- simple pages ---- */

static void check_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!(is_digit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f')))
			abort();
	if (s[64] != '\0')
		abort();
}

static void fuzz_simple(const char *text, size_t len)
{
	struct pysimple_link *links = NULL;
	struct wheelname w;
	struct pep440 v;
	size_t n = 99, i;
	char msg[256], *u;
	const char *s;
	int r;

	msg[0] = 'x';
	r = pysimple_parse(guard_copy(&g_text, text, len, 0), len, &links, &n, msg, sizeof(msg));
	if (r == -1) {
		if (msg[0] == '\0' || links != NULL || n != 0)
			abort();
	} else if (r != 0 || msg[0] != '\0') {
		abort();
	} else {
		if (n && links == NULL)
			abort();
		parse_or_abort("3.11.0", 6, &v);
		for (i = 0; i < n; i++) {
			const struct pysimple_link *l = &links[i];

			if (!l->href || !l->path || !l->filename || !l->text)
				abort();
			if (strchr(l->filename, '/') || strchr(l->href, '#'))
				abort();
			u = pysimple_unquote(l->href);
			if (u == NULL || strcmp(u, l->path) != 0)
				abort();
			free(u);
			if (l->sha256)
				check_hex64(l->sha256);
			if (l->metadata_sha256) {
				check_hex64(l->metadata_sha256);
				if (!l->has_metadata)
					abort();
			}
			if (l->yanked != (l->yanked_reason != NULL))
				abort();
			if (wheelname_parse(l->filename, &w, msg, sizeof(msg)) == 0)
				wheelname_release(&w);
			if (l->requires_python)
				(void)pep440_spec_match(l->requires_python, &v, 0, msg,
							sizeof(msg));
		}
		pep440_release(&v);
		pysimple_free(links, n);
	}

	s = guard_str(&g_str, text, len);
	u = pysimple_unquote(s);
	if (u) {
		if (strlen(u) > strlen(s) || (!strchr(s, '%') && strcmp(u, s) != 0))
			abort();
		free(u);
	}
}

/* ---- wheel names ---- */

static int is_tag(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      is_digit((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static const struct pytags *tags(void)
{
	static struct pytags *t;

	if (t == NULL && (t = pytags_new(3, 11, "x86_64", 36)) == NULL)
		abort();
	return t;
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = (*a >= 'A' && *a <= 'Z') ? *a - 'A' + 'a' : *a;
		int y = (*b >= 'A' && *b <= 'Z') ? *b - 'A' + 'a' : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

static void fuzz_wheelname(const char *text, size_t len)
{
	struct wheelname w;
	const struct pytags *t = tags();
	char msg[256], key[1024], *name;
	const char *f = guard_str(&g_str, text, len);
	unsigned glibc = 999;
	size_t a, b, c;
	long rank;
	int r, found = 0;

	msg[0] = 'x';
	r = wheelname_parse(f, &w, msg, sizeof(msg));
	if (r == -1) {
		if (msg[0] == '\0' || w.dist || w.name || w.version || w.py || w.npy)
			abort();
		return;
	}
	if (r != 0 || msg[0] != '\0')
		abort();
	if (!w.dist || !w.name || !w.version || !w.npy || !w.nabi || !w.nplat)
		abort();
	name = pep503_name(w.dist, strlen(w.dist));
	if (name == NULL || strcmp(name, w.name) != 0 || !is_normal_name(name))
		abort();
	free(name);
	if (!pep440_version_valid(w.version, strlen(w.version), 1))
		abort();
	if (w.build ? !is_digit((unsigned char)w.build[0]) : w.build_num != 0)
		abort();
	for (a = 0; a < w.npy; a++)
		if (!is_tag(w.py[a]))
			abort();
	for (a = 0; a < w.nabi; a++)
		if (!is_tag(w.abi[a]))
			abort();
	for (a = 0; a < w.nplat; a++)
		if (!is_tag(w.plat[a]))
			abort();

	rank = pytags_rank(t, &w, &glibc);
	if (rank < -1 || rank >= (long)pytags_count(t))
		abort();
	if (rank < 0) {
		if (glibc != 0)
			abort();
	} else {
		const char *best = pytags_get(t, (size_t)rank);

		if (glibc > 36)
			abort();
		for (a = 0; a < w.npy && !found; a++)
			for (b = 0; b < w.nabi && !found; b++)
				for (c = 0; c < w.nplat && !found; c++) {
					snprintf(key, sizeof(key), "%s-%s-%s", w.py[a],
						 w.abi[b], w.plat[c]);
					found = ascii_caseeq(key, best);
				}
		if (!found)
			abort();
	}
	/* No combination ranks better (a linear search, when they are few). */
	if (w.npy * w.nabi * w.nplat <= 8) {
		size_t i, below = rank < 0 ? pytags_count(t) : (size_t)rank;

		for (a = 0; a < w.npy; a++)
			for (b = 0; b < w.nabi; b++)
				for (c = 0; c < w.nplat; c++) {
					snprintf(key, sizeof(key), "%s-%s-%s", w.py[a], w.abi[b],
						 w.plat[c]);
					for (i = 0; i < below; i++)
						if (ascii_caseeq(key, pytags_get(t, i)))
							abort();
				}
	}
	wheelname_release(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	int which;

	if (size == 0)
		return 0;
	switch (data[0]) {
	case 'V':
		which = 0;
		break;
	case 'R':
		which = 1;
		break;
	case 'M':
		which = 2;
		break;
	case 'S':
		which = 3;
		break;
	case 'W':
		which = 4;
		break;
	default:
		which = data[0] % 5;
		break;
	}
	switch (which) {
	case 0:
		fuzz_pep440(text, size - 1);
		break;
	case 1:
		fuzz_pep508(text, size - 1);
		break;
	case 2:
		fuzz_metadata(text, size - 1);
		break;
	case 3:
		fuzz_simple(text, size - 1);
		break;
	default:
		fuzz_wheelname(text, size - 1);
		break;
	}
	return 0;
}
