/*
 * The format-neutral half of the SBOM: the image manifest read as
 * untrusted input into one list of components, each with its package URL
 * and what gapimg can say about its licence; the deterministic serial
 * number and time; and gapimg_sbom(), which hands the list to the
 * CycloneDX or SPDX writer.  docs/sbom.md says what goes where and why.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "internal.h"

/* ---- the serial number and the time ----------------------------------- */

/* gapimg's own UUID namespace for SBOM serial numbers (made once, at
 * random): c60d5ea9-ab9d-4c37-864f-70ca62cac5c1. */
static const unsigned char serial_namespace[16] = {
	0xc6, 0x0d, 0x5e, 0xa9, 0xab, 0x9d, 0x4c, 0x37,
	0x86, 0x4f, 0x70, 0xca, 0x62, 0xca, 0xc5, 0xc1,
};

void gapimg_sbom_serial(const char *image_sha256, char out[46])
{
	unsigned char in[16 + 64], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t n = strnlen(image_sha256, 64);

	/* RFC 4122 section 4.3: SHA-1 of the namespace and the name, the
	 * first 16 bytes, with the version (5) and the variant set.  SHA-1
	 * is what version 5 is defined with; it only has to spread names. */
	memcpy(in, serial_namespace, 16);
	memcpy(in + 16, image_sha256, n);
	if (!EVP_Digest(in, 16 + n, md, &mdlen, EVP_sha1(), NULL) || mdlen < 16)
		memset(md, 0, sizeof(md));   /* cannot happen with OpenSSL's default provider */
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, 46, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3], md[4], md[5],
		 md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
}

/* ---- reading the manifest --------------------------------------------- */

/* The key being checked, for messages: "packages[3].sha256". */
struct where {
	const char *array;   /* "packages", or NULL at the top */
	size_t index;
	const char *object;  /* "image", or NULL */
};

static void key_name(const struct where *w, const char *key, char *buf, size_t size)
{
	if (w->array)
		snprintf(buf, size, "%s[%zu].%s", w->array, w->index, key);
	else if (w->object)
		snprintf(buf, size, "%s.%s", w->object, key);
	else
		snprintf(buf, size, "%s", key);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "a whole number";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* A value for messages: quoted, at most 64 bytes of it. */
static void quoted(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s);

	if (n > 64)
		snprintf(buf, size, "\"%.64s...\"", s);
	else
		snprintf(buf, size, "\"%s\"", s);
}

static int want(json_t *obj, const struct where *w, const char *key, json_type type,
		int optional, json_t **out, struct gapimg_error *err)
{
	static const char *const what[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
		[JSON_INTEGER] = "a whole number",
	};
	json_t *v = json_object_get(obj, key);
	char name[128];

	*out = v;
	if (v == NULL && optional)
		return 0;
	key_name(w, key, name, sizeof(name));
	if (v == NULL)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest has no %s", name);
	if (json_typeof(v) != type)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest's %s is %s, not %s",
					name, type_name(v), what[type]);
	return 0;
}

/* A string; empty ones refused unless allow_empty.  (No string holds a
 * NUL: json_loadb refuses \u0000 without JSON_ALLOW_NUL.) */
static int want_str(json_t *obj, const struct where *w, const char *key, int optional,
		    int allow_empty, const char **out, struct gapimg_error *err)
{
	json_t *v;
	char name[128];

	*out = NULL;
	if (want(obj, w, key, JSON_STRING, optional, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	*out = json_string_value(v);
	if (!allow_empty && (*out)[0] == '\0') {
		key_name(w, key, name, sizeof(name));
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest's %s is empty", name);
	}
	return 0;
}

static int is_sha256(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	return s[64] == '\0';
}

static int want_sha256(json_t *obj, const struct where *w, const char *key, int allow_empty,
		       const char **out, struct gapimg_error *err)
{
	char name[128], q[80];

	if (want_str(obj, w, key, 0, 1, out, err) < 0)
		return -1;
	if (is_sha256(*out) || (allow_empty && (*out)[0] == '\0'))
		return 0;
	key_name(w, key, name, sizeof(name));
	quoted(*out, q, sizeof(q));
	return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest's %s is not a SHA-256 "
				"(64 lowercase hex digits): %s", name, q);
}

static int want_int(json_t *obj, const struct where *w, const char *key, json_int_t min,
		    json_int_t max, json_int_t *out, struct gapimg_error *err)
{
	json_t *v;
	char name[128];

	if (want(obj, w, key, JSON_INTEGER, 0, &v, err) < 0)
		return -1;
	*out = json_integer_value(v);
	if (*out < min || *out > max) {
		key_name(w, key, name, sizeof(name));
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest's %s is %lld, "
					"outside %lld to %lld", name, (long long)*out,
					(long long)min, (long long)max);
	}
	return 0;
}

#define SIZE_MAX_JSON ((json_int_t)1 << 53)   /* sizes JSON readers keep exact */

/* The parts every listed item has: name, version, mirror, location,
 * size, sha256, and the licence when there is one. */
static int read_package(struct sbom_item *it, json_t *o, const struct where *w,
			struct gapimg_error *err)
{
	if (want_str(o, w, "name", 0, 0, &it->name, err) < 0 ||
	    want_str(o, w, "version", 0, 0, &it->version, err) < 0 ||
	    (it->kind == SBOM_PACKAGE && want_str(o, w, "arch", 0, 0, &it->arch, err) < 0) ||
	    want_str(o, w, "mirror", 0, 0, &it->mirror, err) < 0 ||
	    want_str(o, w, "location", 0, 0, &it->location, err) < 0 ||
	    want_int(o, w, "size", 0, SIZE_MAX_JSON, &it->size, err) < 0 ||
	    want_sha256(o, w, "sha256", 0, &it->sha256, err) < 0 ||
	    want_str(o, w, "license", 1, 1, &it->license, err) < 0)
		return -1;
	if (it->license != NULL && it->license[0] == '\0')
		it->license = NULL;   /* an empty licence states nothing */
	if (it->license != NULL)
		it->license_kind = gapimg_license_kind(it->license);
	return 0;
}

static int read_file(struct sbom_item *it, json_t *o, const struct where *w,
		     struct gapimg_error *err)
{
	char name[128], q[80];

	if (want_str(o, w, "path", 0, 0, &it->name, err) < 0 ||
	    want_str(o, w, "source", 0, 0, &it->source, err) < 0 ||
	    want_int(o, w, "size", 0, SIZE_MAX_JSON, &it->size, err) < 0 ||
	    want_sha256(o, w, "sha256", 0, &it->sha256, err) < 0 ||
	    want_str(o, w, "provenance", 1, 1, &it->provenance, err) < 0)
		return -1;
	if (it->name[0] != '/') {
		key_name(w, "path", name, sizeof(name));
		quoted(it->name, q, sizeof(q));
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest's %s is not an "
					"absolute path: %s", name, q);
	}
	if (it->provenance != NULL && it->provenance[0] == '\0')
		it->provenance = NULL;
	return 0;
}

/* Read one array of items ("packages", "wheels", "files"); seen maps each
 * item's identity (purl, or path) to where it was first listed. */
static int read_items(struct sbom *s, const char *key, enum sbom_kind kind, int optional,
		      json_t *seen, struct gapimg_error *err)
{
	struct where top = { 0 };
	json_t *arr, *o;
	size_t i;

	if (want(s->root, &top, key, JSON_ARRAY, optional, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	json_array_foreach(arr, i, o) {
		struct where w = { .array = key, .index = i };
		struct sbom_item *it = &s->items[s->nitems];
		const char *id;
		json_t *first;
		char name[128];

		if (!json_is_object(o)) {
			snprintf(name, sizeof(name), "%s[%zu]", key, i);
			return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest's %s is %s, "
						"not an object", name, type_name(o));
		}
		memset(it, 0, sizeof(*it));
		it->kind = kind;
		s->nitems++;
		if (kind == SBOM_FILE) {
			if (read_file(it, o, &w, err) < 0)
				return -1;
			id = it->name;
		} else {
			if (read_package(it, o, &w, err) < 0)
				return -1;
			it->purl = gapimg_purl(kind == SBOM_WHEEL ? "pypi" : s->family, it->name,
					       it->version, it->arch, err);
			if (it->purl == NULL) {
				gapimg_error_prefix(err, "the manifest's %s[%zu].version: ", key, i);
				return -1;
			}
			id = it->purl;
		}
		/* The same package, wheel or path twice cannot come from one
		 * build; its components would be ambiguous. */
		first = json_object_get(seen, id);
		if (first != NULL)
			return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest lists %s "
						"twice (%s and %s[%zu])", id,
						json_string_value(first), key, i);
		snprintf(name, sizeof(name), "%s[%zu]", key, i);
		if (json_object_set_new(seen, id, json_string(name)) < 0)
			return gapimg_error_nomem(err);
	}
	return 0;
}

static size_t array_len(json_t *root, const char *key)
{
	json_t *a = json_object_get(root, key);

	return json_is_array(a) ? json_array_size(a) : 0;
}

void sbom_release(struct sbom *s)
{
	size_t i;

	for (i = 0; i < s->nitems; i++)
		free(s->items[i].purl);
	free(s->items);
	json_decref(s->root);
	memset(s, 0, sizeof(*s));
}

int sbom_read(struct sbom *s, const char *manifest, size_t len, struct gapimg_error *err)
{
	struct where top = { 0 }, img = { .object = "image" }, rec = { .object = "recipe" },
		     lck = { .object = "lock" };
	json_error_t jerr;
	json_t *v, *seen = NULL;
	json_int_t epoch;
	struct tm tm;
	time_t t;
	size_t n;

	memset(s, 0, sizeof(*s));
	/* Duplicate keys are refused: a reader could take either value. */
	s->root = json_loadb(manifest, len, JSON_REJECT_DUPLICATES, &jerr);
	if (s->root == NULL)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest is not valid JSON: "
					"line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_object(s->root)) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest is %s, not a JSON object "
				 "(is it a gapimg manifest?)", type_name(s->root));
		goto fail;
	}
	v = json_object_get(s->root, "manifest");
	if (!json_is_integer(v)) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "not a gapimg manifest: it has no "
				 "\"manifest\" format number");
		goto fail;
	}
	if (json_integer_value(v) != 1) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest is format %lld; this gapimg "
				 "reads format 1", (long long)json_integer_value(v));
		goto fail;
	}
	if (want(s->root, &top, "image", JSON_OBJECT, 0, &v, err) < 0 ||
	    want_str(v, &img, "name", 0, 0, &s->name, err) < 0 ||
	    want_str(v, &img, "version", 0, 0, &s->version, err) < 0 ||
	    want_str(v, &img, "file", 0, 0, &s->file, err) < 0 ||
	    want_int(v, &img, "bytes", 0, SIZE_MAX_JSON, &s->bytes, err) < 0 ||
	    want_sha256(v, &img, "sha256", 0, &s->sha256, err) < 0 ||
	    want(s->root, &top, "recipe", JSON_OBJECT, 0, &v, err) < 0 ||
	    want_sha256(v, &rec, "digest", 0, &s->recipe_digest, err) < 0 ||
	    want(s->root, &top, "lock", JSON_OBJECT, 0, &v, err) < 0 ||
	    want_sha256(v, &lck, "digest", 1, &s->lock_digest, err) < 0 ||
	    want_int(s->root, &top, "epoch", 0, 4294967295LL, &epoch, err) < 0 ||
	    want_str(s->root, &top, "family", 0, 0, &s->family, err) < 0 ||
	    want_str(s->root, &top, "arch", 0, 0, &s->arch, err) < 0)
		goto fail;
	if (strcmp(s->family, "deb") != 0 && strcmp(s->family, "rpm") != 0) {
		char q[80];

		quoted(s->family, q, sizeof(q));
		gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest's family is %s, not "
				 "\"deb\" or \"rpm\"", q);
		goto fail;
	}
	t = (time_t)epoch;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s->created, sizeof(s->created), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		gapimg_error_set(err, GAPIMG_E_INTERNAL, "cannot format the epoch %lld",
				 (long long)epoch);
		goto fail;
	}

	n = array_len(s->root, "packages") + array_len(s->root, "wheels") +
	    array_len(s->root, "files");
	s->items = calloc(n ? n : 1, sizeof(*s->items));
	seen = json_object();
	if (s->items == NULL || seen == NULL) {
		gapimg_error_nomem(err);
		goto fail;
	}
	if (read_items(s, "packages", SBOM_PACKAGE, 0, seen, err) < 0 ||
	    read_items(s, "wheels", SBOM_WHEEL, 1, seen, err) < 0 ||
	    read_items(s, "files", SBOM_FILE, 0, seen, err) < 0)
		goto fail;
	json_decref(seen);
	return 0;
fail:
	json_decref(seen);
	sbom_release(s);
	return -1;
}

/* ---- the entry points --------------------------------------------------- */

int gapimg_sbom_format_parse(const char *name, enum gapimg_sbom_format *out)
{
	if (strcmp(name, "cyclonedx") == 0)
		*out = GAPIMG_SBOM_CYCLONEDX;
	else if (strcmp(name, "spdx") == 0)
		*out = GAPIMG_SBOM_SPDX;
	else
		return -1;
	return 0;
}

const char *gapimg_sbom_format_name(enum gapimg_sbom_format fmt)
{
	return fmt == GAPIMG_SBOM_SPDX ? "spdx" : "cyclonedx";
}

int gapimg_sbom_manifest_image(const char *manifest, size_t len, uint64_t *bytes,
			       char sha256[GAPIMG_SHA256_HEX], struct gapimg_error *err)
{
	struct sbom s;

	if (sbom_read(&s, manifest, len, err) < 0)
		return -1;
	*bytes = (uint64_t)s.bytes;
	memcpy(sha256, s.sha256, GAPIMG_SHA256_HEX);
	sbom_release(&s);
	return 0;
}

int gapimg_sbom(const char *manifest, size_t len, enum gapimg_sbom_format fmt,
		char **out, struct gapimg_error *err)
{
	struct sbom s;
	json_t *doc;
	char *text, *t;
	size_t n;

	*out = NULL;
	if (sbom_read(&s, manifest, len, err) < 0)
		return -1;
	doc = fmt == GAPIMG_SBOM_SPDX ? sbom_spdx(&s) : sbom_cyclonedx(&s);
	sbom_release(&s);
	if (doc == NULL)
		return gapimg_error_nomem(err);
	/* As the manifest is written: sorted keys, two-space indent, ASCII. */
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(doc);
	if (text == NULL)
		return gapimg_error_nomem(err);
	n = strlen(text);
	t = realloc(text, n + 2);
	if (t == NULL) {
		free(text);
		return gapimg_error_nomem(err);
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	*out = t;
	return 0;
}
