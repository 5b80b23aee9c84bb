/*
 * Signing keys: Ed25519 through OpenSSL 3.
 *
 * A key pair is two PEM files: NAME.key (PKCS#8, created mode 0600, never
 * replaced) and NAME.pub (SubjectPublicKeyInfo).  A key is named in
 * signatures and messages by its key id: the first 8 bytes of the
 * SHA-256 of the raw 32-byte public key, in lowercase hex, so that the
 * same key has the same id whichever file it was read from.
 */
#ifndef GAPIMG_SIGN_H
#define GAPIMG_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/sha256.h"

#define GAPIMG_KEYID_LEN 8
#define GAPIMG_KEYID_HEX (2 * GAPIMG_KEYID_LEN + 1)

struct gapimg_key;

/* Make a new key pair at base + ".key" and base + ".pub"; refuses when
 * either exists (GAPIMG_E_EXISTS), and leaves neither behind on failure.
 * keyid gets the new key's id. */
int gapimg_keygen(const char *base, char keyid[GAPIMG_KEYID_HEX], struct gapimg_error *err);

/* Read a private key file; refused when anyone but its owner can read or
 * write it, when it is not the user's own, or when it is not Ed25519. */
int gapimg_key_load_private(const char *path, struct gapimg_key **out,
			    struct gapimg_error *err);
/* Read a public key file (or the public half of a private key file). */
int gapimg_key_load_public(const char *path, struct gapimg_key **out,
			   struct gapimg_error *err);
const char *gapimg_key_id(const struct gapimg_key *key);
void gapimg_key_free(struct gapimg_key *key);

/*
 * Signed images (docs/signing.md).  A signed image file is the SquashFS
 * image followed by a trailer: a fixed header (the signed fields below and
 * the key id), the manifest, the Ed25519 signature over header and
 * manifest, and a footer with the trailer's length and an end marker.
 * The kernel and unsquashfs ignore bytes past the image.  A detached
 * signature file holds the same trailer bytes.
 */
struct gapimg_seal {
	uint64_t image_bytes;                 /* the image, without the trailer */
	uint8_t image_sha256[GAPIMG_SHA256_LEN];
	int64_t epoch;                        /* the recipe's epoch */
	uint8_t recipe_sha256[GAPIMG_SHA256_LEN];
	uint8_t lock_sha256[GAPIMG_SHA256_LEN];
};

/* The trailer for an image: malloc'd bytes in *out.  The manifest must be
 * the image's manifest text (it is checked against the seal's fields). */
int gapimg_trailer_make(const struct gapimg_key *key, const struct gapimg_seal *seal,
			const char *manifest, size_t manifest_len,
			unsigned char **out, size_t *out_len, struct gapimg_error *err);

/* The fields of the seal as an image's manifest states them (image
 * bytes and sha256, epoch, recipe and lock digests). */
int gapimg_seal_from_manifest(const char *manifest, size_t len,
			      struct gapimg_seal *seal, struct gapimg_error *err);

/* Why an image does not verify.  gapimg verify's exit statuses
 * (docs/cli.md) are 5-9: MODIFIED and BAD_SIGNATURE share 7. */
enum gapimg_verify_status {
	GAPIMG_VERIFY_OK = 0,
	GAPIMG_VERIFY_UNSIGNED,           /* no trailer after the image */
	GAPIMG_VERIFY_WRONG_KEY,          /* signed with another key */
	GAPIMG_VERIFY_BAD_SIGNATURE,      /* trailer or manifest changed */
	GAPIMG_VERIFY_MODIFIED,           /* image bytes changed */
	GAPIMG_VERIFY_TRUNCATED,          /* the file ends early */
	GAPIMG_VERIFY_MALFORMED,          /* not a well-formed trailer */
};

struct gapimg_verify_result {
	enum gapimg_verify_status status;
	char *reason;                         /* what is wrong, malloc'd */
	char expected_key[GAPIMG_KEYID_HEX];  /* the key given ("" without) */
	char found_key[GAPIMG_KEYID_HEX];     /* the key the trailer names */
	struct gapimg_seal seal;              /* as the trailer states it */
	uint64_t file_bytes;
	char *manifest;                       /* the trailer's manifest */
	size_t manifest_len;
};

/*
 * Check an image file.  With key NULL only the trailer's structure is
 * checked (for reading the manifest: status OK means "well formed", not
 * "trusted").  sig_path names a detached signature, or NULL for the
 * trailer in the image.  Returns 0 when the check ran (the outcome is in
 * res->status), -1 when it could not (a file could not be read: err).
 */
int gapimg_verify_image(const char *image, const char *sig_path,
			const struct gapimg_key *key,
			struct gapimg_verify_result *res, struct gapimg_error *err);
void gapimg_verify_result_free(struct gapimg_verify_result *res);
const char *gapimg_verify_status_name(enum gapimg_verify_status s);

/* Sign IMAGE in place: the image without any old trailer, then the new
 * one, written to a temporary file and renamed over it.  The manifest is
 * manifest_path's when given (needed for an unsigned image), else the old
 * trailer's, taken only once the old signature holds: with old_key, or
 * with key itself when the old trailer names it.  It must state the
 * image's actual size and sha256.  With detached_path, the trailer is
 * also written there.  A symbolic link is followed; several hard links
 * are refused. */
int gapimg_sign_image(const char *image, const struct gapimg_key *key,
		      const char *manifest_path, const struct gapimg_key *old_key,
		      const char *detached_path, struct gapimg_error *err);

#endif
