/*
 * Package URLs for the SBOM's components (pkg:deb, pkg:rpm, pkg:pypi),
 * and the small JSON helpers the writers share.  docs/sbom.md says which
 * purl rules gapimg follows and why.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- small JSON helpers the writers share ------------------------------ */

void sbom_set(json_t *obj, const char *key, json_t *value, int *ok)
{
	if (value == NULL || json_object_set_new(obj, key, value) < 0)
		*ok = 0;
}

void sbom_append(json_t *arr, json_t *value, int *ok)
{
	if (value == NULL || json_array_append_new(arr, value) < 0)
		*ok = 0;
}

/* ---- package URLs ------------------------------------------------------ */

int sbom_pct_encode(struct strbuf *sb, const char *s, int keep_colon)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isascii(c) && (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' ||
				   (c == ':' && keep_colon))) {
			if (strbuf_addch(sb, (char)c) < 0)
				return -1;
		} else if (strbuf_addch(sb, '%') < 0 || strbuf_addch(sb, hex[c >> 4]) < 0 ||
			   strbuf_addch(sb, hex[c & 15]) < 0) {
			return -1;
		}
	}
	return 0;
}

/* A lowercase copy of s into sb; for pypi also every run of '-', '_' and
 * '.' as one '-' (PEP 503, which the purl pypi type adopts). */
static int add_name(struct strbuf *sb, const char *s, int pep503)
{
	struct strbuf n = STRBUF_INIT;
	int rc = 0;

	for (; *s && rc == 0; s++) {
		if (pep503 && (*s == '-' || *s == '_' || *s == '.')) {
			while (s[1] == '-' || s[1] == '_' || s[1] == '.')
				s++;
			rc = strbuf_addch(&n, '-');
		} else {
			rc = strbuf_addch(&n, (char)tolower((unsigned char)*s));
		}
	}
	if (rc == 0)
		rc = sbom_pct_encode(sb, n.buf, 0);
	strbuf_release(&n);
	return rc;
}

char *gapimg_purl(const char *family, const char *name, const char *version,
		  const char *arch, struct gapimg_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *colon, *vr = version;
	char *epoch = NULL;
	int rc;

	if (strcmp(family, "rpm") == 0 && (colon = strchr(version, ':')) != NULL) {
		/* An RPM epoch is a qualifier, not part of the version. */
		size_t n = (size_t)(colon - version), i;

		for (i = 0; i < n; i++)
			if (!isdigit((unsigned char)version[i]))
				break;
		if (n == 0 || i < n || colon[1] == '\0') {
			gapimg_error_set(err, GAPIMG_E_INVALID, "RPM version \"%s\" is not "
					 "EPOCH:VERSION-RELEASE (the epoch must be a number)", version);
			return NULL;
		}
		epoch = strndup(version, n);
		if (epoch == NULL) {
			gapimg_error_nomem(err);
			return NULL;
		}
		vr = colon + 1;
	}
	if (strcmp(family, "deb") == 0) {
		/* The vendor is always debian: the manifest cannot tell Debian
		 * from a derivative (docs/sbom.md). */
		rc = strbuf_addstr(&sb, "pkg:deb/debian/") < 0 || add_name(&sb, name, 0) < 0;
	} else if (strcmp(family, "rpm") == 0) {
		/* No namespace: the vendor is not in the manifest, and a guessed
		 * one would mislead whoever matches advisories by it. */
		rc = strbuf_addstr(&sb, "pkg:rpm/") < 0 || sbom_pct_encode(&sb, name, 0) < 0;
	} else {
		rc = strbuf_addstr(&sb, "pkg:pypi/") < 0 || add_name(&sb, name, 1) < 0;
	}
	if (rc == 0 && vr[0] != '\0') {
		if (strcmp(family, "pypi") == 0) {
			/* PEP 440 versions compare case-insensitively: lowercase
			 * is canonical. */
			struct strbuf v = STRBUF_INIT;
			const char *p;

			for (p = vr; *p && rc == 0; p++)
				rc = strbuf_addch(&v, (char)tolower((unsigned char)*p));
			rc = rc || strbuf_addch(&sb, '@') < 0 || sbom_pct_encode(&sb, v.buf, 1) < 0;
			strbuf_release(&v);
		} else {
			rc = strbuf_addch(&sb, '@') < 0 || sbom_pct_encode(&sb, vr, 1) < 0;
		}
	}
	/* Qualifiers in lexical order, as the purl spec's canonical form. */
	if (rc == 0 && strcmp(family, "pypi") != 0 && arch != NULL && arch[0] != '\0')
		rc = strbuf_addstr(&sb, "?arch=") < 0 || sbom_pct_encode(&sb, arch, 0) < 0;
	if (rc == 0 && epoch != NULL)
		rc = strbuf_addstr(&sb, arch != NULL && arch[0] ? "&epoch=" : "?epoch=") < 0 ||
		     strbuf_addstr(&sb, epoch) < 0;
	free(epoch);
	if (rc != 0) {
		strbuf_release(&sb);
		gapimg_error_nomem(err);
		return NULL;
	}
	return strbuf_detach(&sb);
}
