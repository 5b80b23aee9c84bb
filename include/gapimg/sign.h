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

#include "gapimg/error.h"

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

#endif
