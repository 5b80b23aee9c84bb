#ifndef GAPIMG_RECIPE_PEP508_H
#define GAPIMG_RECIPE_PEP508_H

/*
 * Strict PEP 508 requirement parser and PEP 440 version validator.
 *
 * Recipes name Python packages with requirement lines such as
 * "numpy>=1.26,<2" or "foo[a,b] >= 1.0 ; python_version < '3.12'".  The
 * recipe compiler checks them here and stores the canonical form, so two
 * spellings of the same requirement give the same plan.  Direct URL
 * requirements are refused: images are built only from local wheel mirrors.
 */

#include <stddef.h>

/* Longest requirement line accepted, in bytes. */
#define PEP508_MAX_LEN 4096
/* Deepest nesting of parentheses accepted in a marker. */
#define PEP508_MAX_DEPTH 32

/*
 * name and extras are PEP 503 normalised: lowercase, runs of [-_.] -> '-'.
 * extras are sorted (strcmp) with duplicates removed; NULL when none.
 * specifier is canonical: each clause as OP VERSION with no spaces, clauses
 * joined by "," in the order written, versions kept as written; "" when
 * none.  marker is the canonical marker text, or NULL when none.
 */
struct pep508_req {
	char *name;
	char **extras;
	size_t nextras;
	char *specifier;
	char *marker;
};

/*
 * Parse s[0..len) (no NUL required inside; len may be 0).  On success fill
 * *out and return 0.  On a syntax or validation error return -1, set
 * *err_off to the byte offset in s of the culprit (0..len), *err_len to its
 * length in bytes (>= 1 when something is there, 0 at the end of the input)
 * and write a one-line message into msg[msgsz].  On out-of-memory return
 * -2.  *out is zeroed on every failure.  err_off, err_len and msg may be
 * NULL when the caller does not want them.
 */
int pep508_parse(const char *s, size_t len, struct pep508_req *out,
		 size_t *err_off, size_t *err_len, char *msg, size_t msgsz);

/* Free the members and zero the struct; safe on a zeroed struct. */
void pep508_req_release(struct pep508_req *r);

/*
 * The canonical whole requirement: the name, "[e1,e2]" when there are
 * extras, the specifier, then "; " and the marker when there is one.
 * Returns a malloc'd string, or NULL when out of memory.
 */
char *pep508_canonical(const struct pep508_req *r);

/*
 * 1 if s[0..len) is a valid PEP 440 public version (epoch, release, pre,
 * post, dev), in any of the normalisable spellings PEP 440 allows; a local
 * version label "+..." is accepted only when allow_local is non-zero.
 * No surrounding whitespace is accepted.
 */
int pep440_version_valid(const char *s, size_t len, int allow_local);

#endif
