/*
 * SPDX 2.3 JSON: one package for the image (the document DESCRIBES it,
 * and it CONTAINS everything else), one per OS package and wheel, with its
 * package URL, and one per data file of the recipe (docs/sbom.md).
 *
 * Data files are packages with primaryPackagePurpose FILE, not SPDX
 * files: SPDX 2.3 (8.4) requires a SHA-1 for every file, and the manifest
 * records SHA-256 only; a package may carry SHA-256 alone.  Licences that
 * are SPDX expressions go to licenseDeclared; anything else is NOASSERTION
 * there, with the text as the metadata states it in licenseComments, so
 * nothing is lost and nothing is claimed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* "SPDXRef-" PREFIX and the parts with every character SPDX ids cannot
 * hold (anything but A-Z a-z 0-9 . -) as '-', joined by '-'; "-2", "-3"…
 * appended when the result is taken (names that differ only in such
 * characters).  ids is the set of ids given out so far. */
static char *spdx_id(json_t *ids, const char *prefix, const char *const parts[], size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, base;
	unsigned k;
	const char *p;
	int rc = strbuf_addstr(&sb, "SPDXRef-") || strbuf_addstr(&sb, prefix);

	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			rc = strbuf_addch(&sb, '-');
		for (p = parts[i]; *p && rc == 0; p++) {
			unsigned char c = (unsigned char)*p;
			int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				   (c >= '0' && c <= '9') || c == '.' || c == '-';

			rc = strbuf_addch(&sb, keep ? (char)c : '-');
		}
	}
	base = sb.len;
	for (k = 2; rc == 0 && json_object_get(ids, sb.buf) != NULL; k++) {
		strbuf_setlen(&sb, base);
		rc = strbuf_addf(&sb, "-%u", k);
	}
	if (rc == 0 && json_object_set_new(ids, sb.buf, json_true()) < 0)
		rc = -1;
	if (rc != 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static json_t *checksums(const char *sha256)
{
	return json_pack("[{s:s, s:s}]", "algorithm", "SHA256", "checksumValue", sha256);
}

/* The fields every package has: nothing is downloadable from a site
 * (mirrors are local), and no files are listed in it. */
static json_t *package_base(const char *id, const char *name, const char *sha256)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:s}", "SPDXID", id, "name", name,
			 "downloadLocation", "NOASSERTION", "filesAnalyzed", 0,
			 "checksums", checksums(sha256), "licenseDeclared", "NOASSERTION");
}

static void license(json_t *p, const struct sbom_item *it, int *ok)
{
	char *text = NULL;

	if (it->license == NULL)
		return;
	if (it->license_kind == GAPIMG_LICENSE_SPDX) {
		sbom_set(p, "licenseDeclared", json_string(it->license), ok);
		return;
	}
	if (asprintf(&text, it->license_kind == GAPIMG_LICENSE_SPDX_REF
		     ? "The package metadata states the licence as \"%s\", which names a "
		       "licence whose text is not in the image manifest."
		     : "The package metadata states the licence as \"%s\", which is not an "
		       "SPDX licence expression.", it->license) < 0) {
		*ok = 0;
		return;
	}
	sbom_set(p, "licenseComments", json_string(text), ok);
	free(text);
}

static json_t *item_package(const struct sbom_item *it, json_t *ids)
{
	const char *parts[4];
	char *id = NULL, *text = NULL;
	json_t *p = NULL;
	int ok = 1;

	if (it->kind == SBOM_FILE) {
		parts[0] = it->name + 1;   /* without the leading '/' */
		id = spdx_id(ids, "File-", parts, 1);
	} else {
		/* "Package-deb-NAME-VERSION-ARCH", "Package-pypi-NAME-VERSION":
		 * the purl's type tells deb from rpm. */
		parts[0] = it->kind == SBOM_WHEEL ? "pypi"
			   : strncmp(it->purl, "pkg:deb/", 8) == 0 ? "deb" : "rpm";
		parts[1] = it->name;
		parts[2] = it->version;
		parts[3] = it->arch;
		id = spdx_id(ids, "Package-", parts, it->arch ? 4 : 3);
	}
	if (id == NULL || (p = package_base(id, it->name, it->sha256)) == NULL)
		goto fail;
	if (it->kind == SBOM_FILE) {
		sbom_set(p, "packageFileName", json_string(it->name), &ok);
		sbom_set(p, "primaryPackagePurpose", json_string("FILE"), &ok);
		if (asprintf(&text, it->provenance ? "recipe data file from %s; provenance: %s"
						    : "recipe data file from %s",
			     it->source, it->provenance) < 0) {
			text = NULL;
			goto fail;
		}
		sbom_set(p, "sourceInfo", json_string(text), &ok);
		sbom_set(p, "comment", json_string("A data file of the recipe, described as a "
			"package because SPDX 2.3 requires a SHA-1 checksum for files and the "
			"image manifest records SHA-256."), &ok);
	} else {
		sbom_set(p, "versionInfo", json_string(it->version), &ok);
		sbom_set(p, "packageFileName", json_string(it->location), &ok);
		sbom_set(p, "externalRefs", json_pack("[{s:s, s:s, s:s}]",
			"referenceCategory", "PACKAGE-MANAGER", "referenceType", "purl",
			"referenceLocator", it->purl), &ok);
		if (asprintf(&text, "mirror %s, file %s", it->mirror, it->location) < 0) {
			text = NULL;
			goto fail;
		}
		sbom_set(p, "sourceInfo", json_string(text), &ok);
		license(p, it, &ok);
	}
	if (!ok)
		goto fail;
	free(id);
	free(text);
	return p;
fail:
	free(id);
	free(text);
	json_decref(p);
	return NULL;
}

static json_t *image_package(const struct sbom *s)
{
	json_t *p = package_base("SPDXRef-Image", s->name, s->sha256);
	char *text = NULL;
	int ok = p != NULL;

	if (!ok)
		return NULL;
	sbom_set(p, "versionInfo", json_string(s->version), &ok);
	sbom_set(p, "packageFileName", json_string(s->file), &ok);
	/* built from the recipe's epoch, so "built" is that time */
	sbom_set(p, "builtDate", json_string(s->created), &ok);
	if (asprintf(&text, "A gapimg image (SquashFS, %lld bytes) for %s, family %s; recipe "
		     "digest %s, lock digest %s.", (long long)s->bytes, s->arch, s->family,
		     s->recipe_digest, s->lock_digest[0] ? s->lock_digest : "none") < 0) {
		text = NULL;
		ok = 0;
	}
	if (text != NULL)
		sbom_set(p, "comment", json_string(text), &ok);
	free(text);
	if (!ok) {
		json_decref(p);
		return NULL;
	}
	return p;
}

static json_t *relationship(const char *from, const char *type, const char *to)
{
	return json_pack("{s:s, s:s, s:s}", "spdxElementId", from, "relationshipType", type,
			 "relatedSpdxElement", to);
}

/* https://gapimg.invalid/spdx/NAME-VERSION-SHA256: unique per image, and
 * under a name that can never resolve (RFC 2606), since gapimg has no
 * site to publish SBOMs on. */
static json_t *namespace(const struct sbom *s)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *v = NULL;

	if (strbuf_addstr(&sb, "https://gapimg.invalid/spdx/") == 0 &&
	    sbom_pct_encode(&sb, s->name, 0) == 0 && strbuf_addch(&sb, '-') == 0 &&
	    sbom_pct_encode(&sb, s->version, 0) == 0 && strbuf_addf(&sb, "-%s", s->sha256) == 0)
		v = json_string(sb.buf);
	strbuf_release(&sb);
	return v;
}

json_t *sbom_spdx(const struct sbom *s)
{
	json_t *doc = json_object(), *packages = json_array(), *rels = json_array();
	json_t *ids = json_object();
	char *name = NULL;
	int ok = doc && packages && rels && ids;
	size_t i;

	if (ok && asprintf(&name, "%s-%s", s->name, s->version) < 0) {
		name = NULL;
		ok = 0;
	}
	if (!ok)
		goto out;
	sbom_set(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"), &ok);
	sbom_set(doc, "spdxVersion", json_string("SPDX-2.3"), &ok);
	sbom_set(doc, "dataLicense", json_string("CC0-1.0"), &ok);
	sbom_set(doc, "name", json_string(name), &ok);
	sbom_set(doc, "documentNamespace", namespace(s), &ok);
	sbom_set(doc, "creationInfo", json_pack("{s:s, s:[s+]}", "created", s->created,
						"creators", "Tool: gapimg-", GAPIMG_VERSION), &ok);
	sbom_append(packages, image_package(s), &ok);
	sbom_append(rels, relationship("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"), &ok);
	for (i = 0; ok && i < s->nitems; i++) {
		json_t *p = item_package(&s->items[i], ids);
		const char *id = json_string_value(json_object_get(p, "SPDXID"));

		if (p == NULL || id == NULL) {
			json_decref(p);
			ok = 0;
			break;
		}
		sbom_append(rels, relationship("SPDXRef-Image", "CONTAINS", id), &ok);
		sbom_append(packages, p, &ok);
	}
	sbom_set(doc, "packages", packages, &ok);
	packages = NULL;
	sbom_set(doc, "relationships", rels, &ok);
	rels = NULL;
out:
	free(name);
	json_decref(ids);
	json_decref(packages);
	json_decref(rels);
	if (!ok) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
