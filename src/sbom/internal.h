/*
 * What the SBOM writers share: the manifest read into a format-neutral
 * list of components (model.c, with purl.c and license.c), which cyclonedx.c and spdx.c render.
 */
#ifndef GAPIMG_SBOM_INTERNAL_H
#define GAPIMG_SBOM_INTERNAL_H

#include <jansson.h>

#include "gapimg/sbom.h"
#include "gapimg/strbuf.h"

enum sbom_kind {
	SBOM_PACKAGE,   /* an OS package (.deb or .rpm) */
	SBOM_WHEEL,     /* a Python wheel */
	SBOM_FILE,      /* a data file of the recipe */
};

struct sbom_item {
	enum sbom_kind kind;
	const char *name;        /* the package's name; a data file's path in the image */
	const char *version;     /* EVR or PEP 440 version; NULL for a data file */
	const char *arch;        /* OS packages only, else NULL */
	const char *mirror;      /* packages and wheels: the mirror it was locked from */
	const char *location;    /* packages and wheels: its file in that mirror */
	const char *source;      /* data files: the recipe's source file */
	const char *provenance;  /* data files: as the recipe states it, or NULL */
	const char *sha256;      /* of the package file, or of the data file */
	json_int_t size;
	const char *license;     /* as the package metadata states it, or NULL */
	enum gapimg_license_kind license_kind;
	char *purl;              /* packages and wheels; NULL for data files */
};

/* The manifest, checked; every string points into root. */
struct sbom {
	json_t *root;
	const char *name, *version, *file, *sha256;
	json_int_t bytes;
	const char *family;         /* "deb" or "rpm" */
	const char *arch;
	const char *recipe_digest;
	const char *lock_digest;    /* "" when the build had no lock digest */
	char created[32];           /* the epoch as YYYY-MM-DDThh:mm:ssZ */
	struct sbom_item *items;    /* packages, then wheels, then data files,
				     * each in the manifest's order */
	size_t nitems;
};

int sbom_read(struct sbom *s, const char *manifest, size_t len, struct gapimg_error *err);
void sbom_release(struct sbom *s);

/* The document as a JSON tree (NULL when out of memory). */
json_t *sbom_cyclonedx(const struct sbom *s);
json_t *sbom_spdx(const struct sbom *s);

/* Append s percent-encoded (RFC 3986, uppercase hex): every byte but
 * A-Z a-z 0-9 . - _ ~ becomes %XX; ':' is kept when keep_colon (the
 * purl rule for versions; a URI path segment encodes it). */
int sbom_pct_encode(struct strbuf *sb, const char *s, int keep_colon);

/* json_object_set_new / json_array_append_new that remember a failure in
 * *ok (0) instead of making every caller check. */
void sbom_set(json_t *obj, const char *key, json_t *value, int *ok);
void sbom_append(json_t *arr, json_t *value, int *ok);

#endif
