/* OpenPGP v4 signature fields, and Ed25519 verification with OpenSSL
 * (libsolv 0.7.23's EdDSA code is unsafe; see eddsa.c). */
#ifndef GAPIMG_MIRROR_EDDSA_H
#define GAPIMG_MIRROR_EDDSA_H

#include <stddef.h>
#include <stdint.h>

#define PGP_ALGO_EDDSA 22

struct pgp_sig {
	int type, pubalgo, hashalgo;
	const unsigned char *hashed;   /* version .. end of hashed subpackets */
	size_t hashedlen;
	const unsigned char *r, *s;    /* EdDSA only */
	size_t rlen, slen;
};

struct pgp_chunk {
	const void *data;
	size_t len;
};

/* Parse a v4 signature packet body; -1 if malformed (or not v4). */
int pgp_sig_parse(const unsigned char *b, size_t bl, struct pgp_sig *sig);
/* 1 and the subpacket's body (after the type byte) when the hashed area
 * has a subpacket of this type, 0 when not, -1 when malformed. */
int pgp_sig_subpacket(const struct pgp_sig *sig, int type, const unsigned char **data,
		      size_t *len);
/* 1 and *seconds when the hashed area has a key expiration time, 0 when
 * not, -1 when malformed. */
int pgp_sig_key_expiry(const struct pgp_sig *sig, uint32_t *seconds);
/* 1 when sig is a valid Ed25519 signature by pub (libsolv's PUBKEY_DATA
 * layout: algo, curve OID, key MPI) over the concatenated parts. */
int pgp_eddsa_verify(const unsigned char *pub, size_t publ, const struct pgp_sig *sig,
		     const struct pgp_chunk *parts, size_t nparts);

/* 1 when sigbody (a v4 signature packet body) is a valid RSA or Ed25519
 * signature by the key in keybody (a v4 public key packet body) over the
 * concatenated parts. */
int pgp_key_verify(const unsigned char *keybody, size_t keylen, const unsigned char *sigbody,
		   size_t siglen, const struct pgp_chunk *parts, size_t nparts);

#endif
