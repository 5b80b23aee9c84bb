/*
 * The signature trailer's bytes (docs/signing.md): made here, and parsed
 * here from untrusted input.  Every length is checked against the bytes
 * actually present before it is used, and against the other lengths, so
 * a trailer that lies about its sizes is refused rather than followed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

/* Seals are compared with memcmp: no padding may hide in them. */
_Static_assert(sizeof(struct gapimg_seal) == 8 + 32 + 8 + 32 + 32,
	       "struct gapimg_seal has padding");

/* Header offsets (all integers little-endian). */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 16,
	OFF_HEADER_LEN = 20,
	OFF_IMAGE_LEN = 24,
	OFF_IMAGE_SHA = 32,
	OFF_EPOCH = 64,
	OFF_RECIPE_SHA = 72,
	OFF_LOCK_SHA = 104,
	OFF_KEYID = 136,
	OFF_SIG_ALG = 144,
	OFF_SIG_LEN = 148,
	OFF_MANIFEST_LEN = 152,
};

static void put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t trailer_le64(const unsigned char *p)
{
	return get_le(p, 8);
}

/* The key id's 16 hex digits as its 8 bytes. */
static int keyid_bytes(const char *hex, uint8_t out[GAPIMG_KEYID_LEN])
{
	int i;

	for (i = 0; i < GAPIMG_KEYID_LEN; i++) {
		int h = gapimg_hexval(hex[2 * i]), l = h < 0 ? -1 : gapimg_hexval(hex[2 * i + 1]);

		if (h < 0 || l < 0)
			return -1;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return 0;
}

int gapimg_trailer_make(const struct gapimg_key *key, const struct gapimg_seal *seal,
			const char *manifest, size_t manifest_len,
			unsigned char **out, size_t *out_len, struct gapimg_error *err)
{
	struct gapimg_seal stated;
	unsigned char *t;
	size_t len;

	*out = NULL;
	*out_len = 0;
	/* Never sign a manifest that describes something else. */
	if (gapimg_seal_from_manifest(manifest, manifest_len, &stated, err) < 0)
		return -1;
	if (memcmp(&stated, seal, sizeof(stated)) != 0)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest does not state "
					"the image, recipe, lock and epoch being signed");
	if (manifest_len > TRAILER_MANIFEST_MAX)
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED, "the manifest is %zu bytes: "
					"a signature trailer holds at most %u", manifest_len,
					TRAILER_MANIFEST_MAX);
	len = TRAILER_MIN_LEN + manifest_len;
	t = calloc(1, len);
	if (t == NULL)
		return gapimg_error_nomem(err);
	memcpy(t + OFF_MAGIC, TRAILER_MAGIC, TRAILER_MAGIC_LEN);
	put_le(t + OFF_VERSION, TRAILER_VERSION, 4);
	put_le(t + OFF_HEADER_LEN, TRAILER_HEADER_LEN, 4);
	put_le(t + OFF_IMAGE_LEN, seal->image_bytes, 8);
	memcpy(t + OFF_IMAGE_SHA, seal->image_sha256, GAPIMG_SHA256_LEN);
	put_le(t + OFF_EPOCH, (uint64_t)seal->epoch, 8);
	memcpy(t + OFF_RECIPE_SHA, seal->recipe_sha256, GAPIMG_SHA256_LEN);
	memcpy(t + OFF_LOCK_SHA, seal->lock_sha256, GAPIMG_SHA256_LEN);
	if (keyid_bytes(gapimg_key_id(key), t + OFF_KEYID) < 0) {
		free(t);
		return gapimg_error_set(err, GAPIMG_E_INTERNAL, "bad key id");
	}
	put_le(t + OFF_SIG_ALG, TRAILER_ALG_ED25519, 4);
	put_le(t + OFF_SIG_LEN, SIGN_ED25519_LEN, 4);
	put_le(t + OFF_MANIFEST_LEN, manifest_len, 8);
	memcpy(t + TRAILER_HEADER_LEN, manifest, manifest_len);
	/* The signature covers the header (every field above, the key id
	 * among them) and the manifest: everything before it. */
	if (sign_ed25519(key, t, TRAILER_HEADER_LEN + manifest_len,
			 t + TRAILER_HEADER_LEN + manifest_len, err) < 0) {
		free(t);
		return -1;
	}
	put_le(t + len - TRAILER_FOOTER_LEN, len, 8);
	memcpy(t + len - TRAILER_MAGIC_LEN, TRAILER_END, TRAILER_MAGIC_LEN);
	*out = t;
	*out_len = len;
	return 0;
}

uint64_t trailer_announced_len(const unsigned char *buf, size_t len)
{
	uint64_t mlen;

	if (len < TRAILER_HEADER_LEN || memcmp(buf, TRAILER_MAGIC, TRAILER_MAGIC_LEN) != 0 ||
	    get_le(buf + OFF_VERSION, 4) != TRAILER_VERSION ||
	    get_le(buf + OFF_HEADER_LEN, 4) != TRAILER_HEADER_LEN ||
	    get_le(buf + OFF_SIG_LEN, 4) != SIGN_ED25519_LEN)
		return 0;
	mlen = get_le(buf + OFF_MANIFEST_LEN, 8);
	if (mlen > TRAILER_MANIFEST_MAX)
		return 0;
	return TRAILER_MIN_LEN + mlen;
}

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), -1)

int trailer_parse(const unsigned char *buf, size_t len, struct trailer *t,
		  char *why, size_t whylen)
{
	uint64_t hlen, mlen, total;

	memset(t, 0, sizeof(*t));
	if (len < TRAILER_MIN_LEN)
		return WHY("the signature trailer is %zu bytes, shorter than the %u bytes "
			   "of an empty one", len, (unsigned)TRAILER_MIN_LEN);
	if (memcmp(buf, TRAILER_MAGIC, TRAILER_MAGIC_LEN) != 0)
		return WHY("the signature trailer does not start with its magic where "
			   "its stated length puts it");
	if (memcmp(buf + len - TRAILER_MAGIC_LEN, TRAILER_END, TRAILER_MAGIC_LEN) != 0)
		return WHY("the signature trailer has no end marker");
	t->version = (uint32_t)get_le(buf + OFF_VERSION, 4);
	if (t->version != TRAILER_VERSION)
		return WHY("the signature trailer is version %u; this gapimg reads version "
			   "%u (a newer gapimg made it?)", t->version, TRAILER_VERSION);
	hlen = get_le(buf + OFF_HEADER_LEN, 4);
	if (hlen != TRAILER_HEADER_LEN)
		return WHY("the signature trailer's header length is %llu, not %u",
			   (unsigned long long)hlen, TRAILER_HEADER_LEN);
	t->sig_alg = (uint32_t)get_le(buf + OFF_SIG_ALG, 4);
	if (t->sig_alg != TRAILER_ALG_ED25519)
		return WHY("the signature algorithm is %u; gapimg signs with Ed25519 (1) "
			   "only", t->sig_alg);
	t->sig_len = (uint32_t)get_le(buf + OFF_SIG_LEN, 4);
	if (t->sig_len != SIGN_ED25519_LEN)
		return WHY("the signature trailer says the signature is %u bytes; an "
			   "Ed25519 signature is %u", t->sig_len, SIGN_ED25519_LEN);
	mlen = get_le(buf + OFF_MANIFEST_LEN, 8);
	if (mlen > TRAILER_MANIFEST_MAX)
		return WHY("the signature trailer says its manifest is %llu bytes, more "
			   "than the %u a trailer may hold", (unsigned long long)mlen,
			   TRAILER_MANIFEST_MAX);
	total = get_le(buf + len - TRAILER_FOOTER_LEN, 8);
	if (total != len || TRAILER_MIN_LEN + mlen != len)
		return WHY("the signature trailer's lengths do not add up: its footer says "
			   "%llu bytes, its header %llu (a %llu-byte manifest), and %zu are "
			   "there", (unsigned long long)total,
			   (unsigned long long)(TRAILER_MIN_LEN + mlen),
			   (unsigned long long)mlen, len);
	t->seal.image_bytes = get_le(buf + OFF_IMAGE_LEN, 8);
	memcpy(t->seal.image_sha256, buf + OFF_IMAGE_SHA, GAPIMG_SHA256_LEN);
	t->seal.epoch = (int64_t)get_le(buf + OFF_EPOCH, 8);
	memcpy(t->seal.recipe_sha256, buf + OFF_RECIPE_SHA, GAPIMG_SHA256_LEN);
	memcpy(t->seal.lock_sha256, buf + OFF_LOCK_SHA, GAPIMG_SHA256_LEN);
	memcpy(t->keyid, buf + OFF_KEYID, GAPIMG_KEYID_LEN);
	t->manifest = buf + TRAILER_HEADER_LEN;
	t->manifest_len = mlen;
	t->sig = buf + TRAILER_HEADER_LEN + mlen;
	t->signed_len = TRAILER_HEADER_LEN + mlen;
	t->len = len;
	return 0;
}

/* A 64-digit lowercase hex string into 32 bytes. */
static int sha_of_hex(const char *hex, uint8_t out[GAPIMG_SHA256_LEN])
{
	size_t i;

	if (hex == NULL || strlen(hex) != 2 * GAPIMG_SHA256_LEN)
		return -1;
	for (i = 0; i < GAPIMG_SHA256_LEN; i++) {
		int h = gapimg_hexval(hex[2 * i]), l = gapimg_hexval(hex[2 * i + 1]);

		if (h < 0 || l < 0 || (hex[2 * i] >= 'A' && hex[2 * i] <= 'F') ||
		    (hex[2 * i + 1] >= 'A' && hex[2 * i + 1] <= 'F'))
			return -1;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return 0;
}

static const char *str_at(json_t *root, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(root, obj), key));
}

int gapimg_seal_from_manifest(const char *manifest, size_t len,
			      struct gapimg_seal *seal, struct gapimg_error *err)
{
	json_error_t jerr;
	json_t *root, *bytes, *epoch;
	int rc = -1;

	memset(seal, 0, sizeof(*seal));
	root = json_loadb(manifest, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT, "the manifest is not valid "
					"JSON (line %d, column %d: %s)", jerr.line,
					jerr.column, jerr.text);
	bytes = json_object_get(json_object_get(root, "image"), "bytes");
	epoch = json_object_get(root, "epoch");
	if (!json_is_object(root) || !json_is_integer(bytes) || json_integer_value(bytes) < 0) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "the manifest has no image.bytes");
		goto out;
	}
	if (sha_of_hex(str_at(root, "image", "sha256"), seal->image_sha256) < 0) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "the manifest has no image.sha256 "
				 "(64 lowercase hex digits)");
		goto out;
	}
	if (!json_is_integer(epoch)) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "the manifest has no epoch");
		goto out;
	}
	if (sha_of_hex(str_at(root, "recipe", "digest"), seal->recipe_sha256) < 0) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "the manifest has no recipe.digest "
				 "(64 lowercase hex digits)");
		goto out;
	}
	if (sha_of_hex(str_at(root, "lock", "digest"), seal->lock_sha256) < 0) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "the manifest has no lock.digest "
				 "(64 lowercase hex digits): an image is signed with the "
				 "lock it was built from");
		goto out;
	}
	seal->image_bytes = (uint64_t)json_integer_value(bytes);
	seal->epoch = (int64_t)json_integer_value(epoch);
	rc = 0;
out:
	json_decref(root);
	return rc;
}
