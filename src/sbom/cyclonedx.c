/*
 * CycloneDX 1.5 JSON: the image as metadata.component, and one component
 * per OS package, wheel and data file (docs/sbom.md).
 *
 * serialNumber is derived from the image's SHA-256 (gapimg_sbom_serial),
 * so the same image has the same BOM on every machine and a VEX document
 * that points into it (urn:cdx:SERIAL/1#BOM-REF) stays valid; bom-refs
 * are the package URLs, "file:PATH" and "image", which do not depend on
 * the order of anything.  There is no dependencies section: the manifest
 * records what is in the image, not what needs what.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static json_t *hashes(const char *sha256)
{
	return json_pack("[{s:s, s:s}]", "alg", "SHA-256", "content", sha256);
}

/* Properties in name order (the array keeps the order it is given). */
static void property(json_t *props, const char *name, const char *value, int *ok)
{
	sbom_append(props, json_pack("{s:s, s:s}", "name", name, "value", value), ok);
}

static void size_property(json_t *props, json_int_t size, int *ok)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)size);
	property(props, "gapimg:size", buf, ok);
}

/* An SPDX expression as an expression; anything else (old-style names,
 * prose, expressions naming LicenseRef- texts the manifest does not have)
 * as a licence name, verbatim. */
static json_t *licenses(const struct sbom_item *it)
{
	if (it->license_kind == GAPIMG_LICENSE_SPDX)
		return json_pack("[{s:s}]", "expression", it->license);
	return json_pack("[{s:{s:s}}]", "license", "name", it->license);
}

static json_t *component(const struct sbom_item *it)
{
	json_t *c = json_object(), *props = json_array();
	int ok = c != NULL && props != NULL;
	char *ref = NULL;

	if (!ok)
		goto out;
	sbom_set(c, "name", json_string(it->name), &ok);
	sbom_set(c, "hashes", hashes(it->sha256), &ok);
	if (it->kind == SBOM_FILE) {
		if (asprintf(&ref, "file:%s", it->name) < 0) {
			ref = NULL;
			ok = 0;
			goto out;
		}
		sbom_set(c, "bom-ref", json_string(ref), &ok);
		sbom_set(c, "type", json_string("file"), &ok);
		if (it->provenance)
			property(props, "gapimg:provenance", it->provenance, &ok);
		size_property(props, it->size, &ok);
		property(props, "gapimg:source", it->source, &ok);
	} else {
		sbom_set(c, "bom-ref", json_string(it->purl), &ok);
		sbom_set(c, "type", json_string("library"), &ok);
		sbom_set(c, "version", json_string(it->version), &ok);
		sbom_set(c, "purl", json_string(it->purl), &ok);
		if (it->license)
			sbom_set(c, "licenses", licenses(it), &ok);
		property(props, "gapimg:location", it->location, &ok);
		property(props, "gapimg:mirror", it->mirror, &ok);
		size_property(props, it->size, &ok);
	}
	sbom_set(c, "properties", props, &ok);
	props = NULL;
out:
	free(ref);
	json_decref(props);
	if (!ok) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static json_t *image(const struct sbom *s)
{
	json_t *c = json_object(), *props = json_array();
	int ok = c != NULL && props != NULL;
	char buf[32];

	if (!ok) {
		json_decref(c);
		json_decref(props);
		return NULL;
	}
	sbom_set(c, "bom-ref", json_string("image"), &ok);
	/* A root filesystem for compute nodes: an operating system, in
	 * CycloneDX's words, "without regard to deployment model". */
	sbom_set(c, "type", json_string("operating-system"), &ok);
	sbom_set(c, "name", json_string(s->name), &ok);
	sbom_set(c, "version", json_string(s->version), &ok);
	sbom_set(c, "hashes", hashes(s->sha256), &ok);
	property(props, "gapimg:arch", s->arch, &ok);
	snprintf(buf, sizeof(buf), "%lld", (long long)s->bytes);
	property(props, "gapimg:bytes", buf, &ok);
	property(props, "gapimg:family", s->family, &ok);
	property(props, "gapimg:file", s->file, &ok);
	if (s->lock_digest[0])
		property(props, "gapimg:lock-digest", s->lock_digest, &ok);
	property(props, "gapimg:recipe-digest", s->recipe_digest, &ok);
	sbom_set(c, "properties", props, &ok);
	if (!ok) {
		json_decref(c);
		return NULL;
	}
	return c;
}

json_t *sbom_cyclonedx(const struct sbom *s)
{
	json_t *doc = json_object(), *components = json_array(), *meta = json_object();
	char serial[46];
	int ok = doc != NULL && components != NULL && meta != NULL;
	size_t i;

	if (!ok) {
		json_decref(doc);
		json_decref(components);
		json_decref(meta);
		return NULL;
	}
	gapimg_sbom_serial(s->sha256, serial);
	sbom_set(doc, "bomFormat", json_string("CycloneDX"), &ok);
	sbom_set(doc, "specVersion", json_string("1.5"), &ok);
	sbom_set(doc, "serialNumber", json_string(serial), &ok);
	sbom_set(doc, "version", json_integer(1), &ok);
	/* The time is the recipe's epoch (SOURCE_DATE_EPOCH), not the clock. */
	sbom_set(meta, "timestamp", json_string(s->created), &ok);
	sbom_set(meta, "tools", json_pack("{s:[{s:s, s:s, s:s}]}", "components",
					  "type", "application", "name", "gapimg",
					  "version", GAPIMG_VERSION), &ok);
	sbom_set(meta, "component", image(s), &ok);
	sbom_set(doc, "metadata", meta, &ok);
	for (i = 0; i < s->nitems; i++)
		sbom_append(components, component(&s->items[i]), &ok);
	sbom_set(doc, "components", components, &ok);
	if (!ok) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
