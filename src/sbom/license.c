/*
 * Is a licence, as a package's metadata states it, an SPDX licence
 * expression?  Only the syntax (and a short list of common forms that look
 * like SPDX ids but are not) is checked, not SPDX's licence list: see
 * docs/sbom.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* ---- licences ---------------------------------------------------------- */

/*
 * Annex D of SPDX 2.3:
 *   expr   = term *(("AND" / "OR") term)
 *   term   = "(" expr ")" / simple ["WITH" exception-id]
 *   simple = license-id ["+"] / ["DocumentRef-" id ":"] "LicenseRef-" id
 * Operators are matched case-sensitively, as Annex D asks, so Debian's
 * "GPL-2+ or Artistic" is text, not an expression.
 */
struct lexer {
	const char *p;
	char tok[256];
	int depth;
	int refs;      /* a LicenseRef-/DocumentRef- was seen */
};

static int next_token(struct lexer *lx)
{
	size_t n = 0;

	while (*lx->p == ' ' || *lx->p == '\t')
		lx->p++;
	if (*lx->p == '\0') {
		lx->tok[0] = '\0';
		return 0;
	}
	if (*lx->p == '(' || *lx->p == ')') {
		lx->tok[0] = *lx->p++;
		lx->tok[1] = '\0';
		return 1;
	}
	while (*lx->p && *lx->p != ' ' && *lx->p != '\t' && *lx->p != '(' && *lx->p != ')') {
		if (n + 1 >= sizeof(lx->tok))
			return -1;
		lx->tok[n++] = *lx->p++;
	}
	lx->tok[n] = '\0';
	return 1;
}

static int idstring(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

static int is_operator(const char *t)
{
	return strcmp(t, "AND") == 0 || strcmp(t, "OR") == 0 || strcmp(t, "WITH") == 0;
}

/* Licence ids that have SPDX's shape but are known not to be on its list:
 * Fedora's old short names ("GPLv2+", "LGPLv3"), Debian's DEP-5 names for
 * the GNU licences ("GPL-2", "LGPL-3+"), and bare family names. */
static int known_not_spdx(const char *id, size_t n)
{
	static const char *const bare[] = {
		"AGPL", "Apache", "Artistic", "ASL", "BSD", "Expat", "GFDL", "GPL", "LGPL",
		"MPL", "PSF", "public-domain",
	};
	const char *num = NULL;
	size_t i;

	for (i = 0; i + 2 < n; i++)
		if (isalpha((unsigned char)id[i]) && (id[i + 1] == 'v' || id[i + 1] == 'V') &&
		    isdigit((unsigned char)id[i + 2]))
			return 1;
	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++)
		if (strlen(bare[i]) == n && strncasecmp(id, bare[i], n) == 0)
			return 1;
	if (n > 4 && strncasecmp(id, "GPL-", 4) == 0)
		num = id + 4;
	else if (n > 5 && (strncasecmp(id, "LGPL-", 5) == 0 || strncasecmp(id, "AGPL-", 5) == 0 ||
			   strncasecmp(id, "GFDL-", 5) == 0))
		num = id + 5;
	if (num != NULL) {
		for (; num < id + n; num++)
			if (!isdigit((unsigned char)*num))
				return 0;
		return 1;   /* a version without a dot: "GPL-2" */
	}
	return 0;
}

/* A licence or exception id in lx->tok; 1 when valid. */
static int simple_id(struct lexer *lx, int exception)
{
	const char *t = lx->tok, *colon;
	size_t n = strlen(t);

	if (strncmp(t, "DocumentRef-", 12) == 0) {
		colon = strchr(t, ':');
		if (exception || colon == NULL || !idstring(t + 12, (size_t)(colon - t - 12)))
			return 0;
		t = colon + 1;
		n = strlen(t);
		if (strncmp(t, "LicenseRef-", 11) != 0)
			return 0;
	}
	if (strncmp(t, "LicenseRef-", 11) == 0) {
		lx->refs = 1;
		return !exception && idstring(t + 11, n - 11);
	}
	if (!exception && n > 1 && t[n - 1] == '+')
		n--;
	if (!idstring(t, n) || known_not_spdx(t, n))
		return 0;
	/* not licences: the values SPDX fields take when there is none */
	if ((n == 4 && strncasecmp(t, "NONE", 4) == 0) ||
	    (n == 11 && strncasecmp(t, "NOASSERTION", 11) == 0))
		return 0;
	return 1;
}

static int expr(struct lexer *lx);

/* term; on success lx->tok holds the token after it. */
static int term(struct lexer *lx)
{
	if (strcmp(lx->tok, "(") == 0) {
		if (++lx->depth > 32 || next_token(lx) <= 0 || !expr(lx) ||
		    strcmp(lx->tok, ")") != 0)
			return 0;
		lx->depth--;
		return next_token(lx) >= 0;
	}
	if (lx->tok[0] == '\0' || strcmp(lx->tok, ")") == 0 || is_operator(lx->tok) ||
	    !simple_id(lx, 0) || next_token(lx) < 0)
		return 0;
	if (strcmp(lx->tok, "WITH") == 0)
		return next_token(lx) > 0 && !is_operator(lx->tok) && simple_id(lx, 1) &&
		       next_token(lx) >= 0;
	return 1;
}

static int expr(struct lexer *lx)
{
	if (!term(lx))
		return 0;
	while (strcmp(lx->tok, "AND") == 0 || strcmp(lx->tok, "OR") == 0)
		if (next_token(lx) <= 0 || !term(lx))
			return 0;
	return 1;
}

enum gapimg_license_kind gapimg_license_kind(const char *license)
{
	struct lexer lx = { .p = license };

	if (next_token(&lx) <= 0 || !expr(&lx) || lx.tok[0] != '\0')
		return GAPIMG_LICENSE_TEXT;
	return lx.refs ? GAPIMG_LICENSE_SPDX_REF : GAPIMG_LICENSE_SPDX;
}
