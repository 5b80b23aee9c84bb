/*
 * PEP 440 versions and specifiers, and their translation into libsolv's
 * version rules.
 *
 * Wheels join the OS packages' libsolv pool, which compares versions with
 * the RPM or the Debian algorithm.  pep440_evr() writes a version so that
 * the pool's order equals PEP 440's (dev < pre < final < post, epochs,
 * local labels), and pep440_spec_dep() writes a specifier set as a rich
 * dependency over those strings (clauses joined with "with", never
 * "and", so that one package has to satisfy all of them).  Nothing here
 * needs libsolv: the dependency is text for pool_parserpmrichdep().
 */
#ifndef GAPIMG_PYTHON_PEP440_H
#define GAPIMG_PYTHON_PEP440_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/strbuf.h"

struct pep440 {
	uint64_t epoch;
	uint64_t *release;        /* as written: trailing zeros kept */
	size_t nrelease;
	char pre_kind;            /* 0, 'a', 'b' or 'c' (rc) */
	uint64_t pre;
	int has_post;
	uint64_t post;
	int has_dev;
	uint64_t dev;
	char *local;              /* normalised ("ubuntu.1"), or NULL */
};

/* Parse any spelling PEP 440 normalises ("v1.0-RC1", "1.0.post-2",
 * "1.0-1", " 1.0 " is refused).  0, -1 when s is not a version, -2 when
 * memory ran out; *v is zeroed on failure. */
int pep440_parse(const char *s, size_t len, struct pep440 *v);
void pep440_release(struct pep440 *v);

/* PEP 440's total order, local labels included (<0, 0, >0). */
int pep440_cmp(const struct pep440 *a, const struct pep440 *b);

/* The normalised spelling ("1!2.0rc1.post2.dev3+local"), malloc'd. */
char *pep440_str(const struct pep440 *v);

/* A pre-release or a development release. */
int pep440_is_prerelease(const struct pep440 *v);

/*
 * The version as a libsolv EVR for an RPM (deb = 0) or Debian (deb = 1)
 * pool, malloc'd (docs/python.md has the table): trailing zero release
 * numbers dropped, "E:" for an epoch, "~~devN" for a final's dev
 * release, "~aN"/"~bN"/"~rcN", post "^postN" (RPM) or "+postN" (Debian),
 * then "~devN"; a local label becomes "-LABEL" (the RPM release, the
 * Debian revision).  Both pools order these as PEP 440 does; local
 * labels only roughly ("+abc10" < "+abc9" in PEP 440, not in the pools).
 */
char *pep440_evr(const struct pep440 *v, int deb);

/*
 * The specifier set spec ("" or canonical "OP V,OP V", as the recipe
 * compiler and pep508_parse() write it; "OP V, OP V" with spaces and a
 * trailing comma are accepted as pip does) as a dependency on the
 * capability cap ("python3dist(numpy)"), appended to out in
 * pool_parserpmrichdep() syntax, e.g. "(python3dist(numpy) >= 1.26 with
 * python3dist(numpy) < 2~~)".  An empty spec gives cap itself; one
 * simple term is not parenthesised.  0, -1 when spec is malformed (msg
 * says why), -2 when memory ran out; out is unchanged on failure.
 *
 * Known gaps, both from libsolv ignoring a release the other side lacks
 * in RPM pools: there "==1.0+cu121" (and "===1.0+cu121") also admits a
 * plain 1.0 wheel, and "===1.0" admits 1.0+LABEL.  ">V" for a pre, post
 * or dev V is a plain "> V", which admits V's base release's post
 * releases and local versions that packaging refuses (">1.0a1" and
 * 1.0.post1); pep440_spec_match() follows packaging there.  "<V" for a
 * post release V keeps V's pre-releases out, but not the development
 * releases of V's earlier post releases (1.0.post0.dev0 for
 * "<1.0.post1"): they sit between 1.0 and 1.0.post0, both in.
 */
int pep440_spec_dep(const char *cap, const char *spec, int deb, struct strbuf *out,
		    char *msg, size_t msgsz);

/* Does version v satisfy the specifier set spec (PEP 440 rules, local
 * labels and pre-releases as PEP 440 says: a pre-release matches only
 * when prereleases is set or a clause other than "!=" names one; an
 * empty spec refuses pre-releases too)?  1, 0, or -1 when spec is
 * malformed or memory ran out (msg says why). */
int pep440_spec_match(const char *spec, const struct pep440 *v, int prereleases,
		      char *msg, size_t msgsz);

#endif
