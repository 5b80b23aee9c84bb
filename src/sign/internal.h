/* Inside the signing stage: raw Ed25519 and the trailer's bytes. */
#ifndef GAPIMG_SIGN_INTERNAL_H
#define GAPIMG_SIGN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gapimg/sign.h"

#define SIGN_ED25519_LEN 64

/* keys.c */
int sign_ed25519(const struct gapimg_key *key, const void *msg, size_t len,
		 unsigned char sig[SIGN_ED25519_LEN], struct gapimg_error *err);
/* 1: the signature holds; 0: it does not (or cannot be checked). */
int verify_ed25519(const struct gapimg_key *key, const void *msg, size_t len,
		   const unsigned char *sig, size_t siglen);

/* trailer.c: the layout (docs/signing.md). */
#define TRAILER_MAGIC "GAPIMG SIGNATURE"   /* 16 bytes, no NUL */
#define TRAILER_END "\nGAPIMG-SIG-END\n"   /* 16 bytes */
#define TRAILER_MAGIC_LEN 16
#define TRAILER_VERSION 1
#define TRAILER_HEADER_LEN 160
#define TRAILER_FOOTER_LEN 24              /* u64 trailer length, end marker */
#define TRAILER_ALG_ED25519 1
/* A manifest larger than this is not one gapimg wrote. */
#define TRAILER_MANIFEST_MAX (64u << 20)
#define TRAILER_MIN_LEN (TRAILER_HEADER_LEN + SIGN_ED25519_LEN + TRAILER_FOOTER_LEN)
#define TRAILER_MAX_LEN ((uint64_t)TRAILER_MIN_LEN + TRAILER_MANIFEST_MAX)

/* What signing and verifying read of a SquashFS superblock. */
#define SQFS_SUPER_LEN 96
#define SQFS_BYTES_USED_OFF 40
#define SQFS_IS_SUPER(super) (memcmp((super), "hsqs", 4) == 0)

struct trailer {
	uint32_t version;
	struct gapimg_seal seal;
	uint8_t keyid[GAPIMG_KEYID_LEN];
	uint32_t sig_alg;
	const unsigned char *manifest;      /* inside the parsed bytes */
	uint64_t manifest_len;
	const unsigned char *sig;
	uint32_t sig_len;
	uint64_t signed_len;                /* header + manifest */
	uint64_t len;                       /* the whole trailer */
};

/* Parse a whole trailer held in buf (exactly len bytes).  On failure a
 * reason is written to why (status GAPIMG_VERIFY_MALFORMED). */
int trailer_parse(const unsigned char *buf, size_t len, struct trailer *t,
		  char *why, size_t whylen);
/* The total length a header at buf announces (for truncation checks);
 * 0 when buf does not start a version-1 header. */
uint64_t trailer_announced_len(const unsigned char *buf, size_t len);
/* The little-endian u64 at p. */
uint64_t trailer_le64(const unsigned char *p);

#endif
