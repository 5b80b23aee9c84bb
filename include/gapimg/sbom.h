/*
 * Software bills of materials for an image, made from its manifest
 * (docs/sbom.md): CycloneDX 1.5 JSON or SPDX 2.3 JSON, listing the image,
 * every OS package and wheel (with a package URL) and every data file of
 * the recipe, each with its SHA-256.
 *
 * The output is a function of the manifest text and this gapimg's version
 * alone: no clock, no random serial, no host name.  Keys are sorted,
 * components keep the manifest's order, and the text ends in one newline.
 * The manifest is untrusted input (it may come from a file an operator
 * hands over): anything missing, mistyped or malformed is an error that
 * names the key.
 */
#ifndef GAPIMG_SBOM_H
#define GAPIMG_SBOM_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/sha256.h"

enum gapimg_sbom_format {
	GAPIMG_SBOM_CYCLONEDX,  /* CycloneDX 1.5 JSON */
	GAPIMG_SBOM_SPDX,       /* SPDX 2.3 JSON */
};

/* "cyclonedx" or "spdx" (exactly, lowercase): 0, or -1 for anything else. */
int gapimg_sbom_format_parse(const char *name, enum gapimg_sbom_format *out);
const char *gapimg_sbom_format_name(enum gapimg_sbom_format fmt);

/* The SBOM for the image a manifest (len bytes, need not end in a NUL)
 * describes: malloc'd NUL-terminated JSON text in *out.  A manifest that
 * is not a valid gapimg manifest (format 1) gives GAPIMG_E_INVALID. */
int gapimg_sbom(const char *manifest, size_t len, enum gapimg_sbom_format fmt,
		char **out, struct gapimg_error *err);

/* The image a manifest describes, after the same checks gapimg_sbom
 * makes: its size in bytes (without any signed trailer) and its SHA-256
 * in lowercase hex.  For checking that an image file and a manifest
 * belong together. */
int gapimg_sbom_manifest_image(const char *manifest, size_t len, uint64_t *bytes,
			       char sha256[GAPIMG_SHA256_HEX], struct gapimg_error *err);

/*
 * The building blocks, for the tests.
 *
 * Package URLs (purl-spec): "pkg:deb/debian/NAME@VERSION?arch=ARCH",
 * "pkg:rpm/NAME@VERSION-RELEASE?arch=ARCH[&epoch=E]" (no namespace: the
 * manifest does not know the vendor), "pkg:pypi/NAME@VERSION" (NAME
 * normalised as PEP 503 says).  family is "deb", "rpm" or "pypi"; arch is
 * ignored for pypi.  Malloc'd, or NULL with err set (an RPM epoch that is
 * not a number, out of memory).
 */
char *gapimg_purl(const char *family, const char *name, const char *version,
		  const char *arch, struct gapimg_error *err);

/* How gapimg can use a licence string from package metadata. */
enum gapimg_license_kind {
	GAPIMG_LICENSE_TEXT,        /* not an SPDX expression: keep it as a name */
	GAPIMG_LICENSE_SPDX,        /* an SPDX licence expression */
	GAPIMG_LICENSE_SPDX_REF,    /* an SPDX expression that names a
				     * LicenseRef-/DocumentRef- licence, whose
				     * text the manifest does not have */
};

/* The syntax of SPDX 2.3 Annex D (ids, +, AND, OR, WITH, parentheses),
 * without the SPDX licence list: licence ids are only checked for their
 * characters, and for the forms known not to be SPDX ids (old Fedora
 * "GPLv2+", Debian "GPL-2", bare family names such as "BSD"). */
enum gapimg_license_kind gapimg_license_kind(const char *license);

/* The BOM serial number: an RFC 4122 version 5 (name-based, SHA-1) UUID
 * of the image's SHA-256 in hex, in gapimg's own UUID namespace, as
 * "urn:uuid:…" (46 characters and a NUL). */
void gapimg_sbom_serial(const char *image_sha256, char out[46]);

#endif
