/*
 * Ed25519 OpenPGP signatures, verified with OpenSSL instead of libsolv.
 *
 * libsolv 0.7.23 (Debian 12) copies an EdDSA signature's s value with r's
 * length (ext/solv_pgpvrfy.c; fixed upstream in 44f8c085, May 2026): when
 * s is shorter than r, which happens for one valid signature in 256 and
 * for any signature a hostile mirror makes up, it reads past the packet
 * and writes past a 64-byte stack buffer.  So gapimg never lets libsolv
 * verify an EdDSA signature: metadata signatures are checked here, and in
 * key files the EdDSA signatures libsolv would mishandle are made
 * unrecognisable to it (their key expiry, if any, is read here instead).
 */
#include "mirror/eddsa.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

static const EVP_MD *md_of(int algo)
{
	switch (algo) {
	case 8: return EVP_sha256();
	case 9: return EVP_sha384();
	case 10: return EVP_sha512();
	case 11: return EVP_sha224();
	}
	return NULL;   /* SHA-1 and others: not trusted */
}

/* One MPI: 2-byte bit count, then the bytes. */
static int mpi(const unsigned char **p, const unsigned char *end, const unsigned char **v,
	       size_t *vlen)
{
	size_t bits, n;

	if (end - *p < 2)
		return -1;
	bits = (size_t)(*p)[0] << 8 | (*p)[1];
	n = (bits + 7) / 8;
	if ((size_t)(end - *p - 2) < n || n > 32)
		return -1;
	*v = *p + 2;
	*vlen = n;
	*p += 2 + n;
	return 0;
}

int pgp_sig_parse(const unsigned char *b, size_t bl, struct pgp_sig *sig)
{
	const unsigned char *p, *end = b + bl;
	size_t hashed, unhashed;

	memset(sig, 0, sizeof(*sig));
	if (bl < 6 || b[0] != 4)
		return -1;
	sig->type = b[1];
	sig->pubalgo = b[2];
	sig->hashalgo = b[3];
	hashed = (size_t)b[4] << 8 | b[5];
	if (hashed > bl - 6)
		return -1;
	sig->hashed = b;
	sig->hashedlen = 6 + hashed;
	p = b + 6 + hashed;
	if (end - p < 2)
		return -1;
	unhashed = (size_t)p[0] << 8 | p[1];
	if (unhashed > (size_t)(end - p - 2))
		return -1;
	p += 2 + unhashed;
	if (end - p < 2)
		return -1;
	p += 2;   /* the digest's left 16 bits */
	if (sig->pubalgo != PGP_ALGO_EDDSA)
		return 0;
	if (mpi(&p, end, &sig->r, &sig->rlen) < 0 || mpi(&p, end, &sig->s, &sig->slen) < 0)
		return -1;
	return 0;
}

int pgp_sig_subpacket(const struct pgp_sig *sig, int type, const unsigned char **data,
		      size_t *len)
{
	const unsigned char *p = sig->hashed + 6, *end = sig->hashed + sig->hashedlen;

	while (p < end) {
		size_t l = p[0], h = 1;

		if (l >= 192 && l < 255) {
			if (end - p < 2)
				return -1;
			l = ((l - 192) << 8) + p[1] + 192;
			h = 2;
		} else if (l == 255) {
			if (end - p < 5)
				return -1;
			l = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
			h = 5;
		}
		if (l == 0 || l > (size_t)(end - p) - h)
			return -1;
		if ((p[h] & 0x7f) == type) {
			*data = p + h + 1;
			*len = l - 1;
			return 1;
		}
		p += h + l;
	}
	return 0;
}

int pgp_sig_key_expiry(const struct pgp_sig *sig, uint32_t *seconds)
{
	const unsigned char *d;
	size_t n;
	int rc = pgp_sig_subpacket(sig, 9, &d, &n);

	if (rc != 1)
		return rc;
	if (n != 4)
		return -1;
	*seconds = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
	return 1;
}

/* hash(prefix parts..., hashed part of the signature, 0x04 0xff len32) */
static int digest(const struct pgp_sig *sig, const struct pgp_chunk *parts, size_t nparts,
		  unsigned char *out, unsigned int *outlen)
{
	const EVP_MD *md = md_of(sig->hashalgo);
	EVP_MD_CTX *ctx;
	unsigned char trailer[6];
	int ok;

	if (md == NULL)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -1;
	trailer[0] = 4;
	trailer[1] = 0xff;
	trailer[2] = (unsigned char)(sig->hashedlen >> 24);
	trailer[3] = (unsigned char)(sig->hashedlen >> 16);
	trailer[4] = (unsigned char)(sig->hashedlen >> 8);
	trailer[5] = (unsigned char)sig->hashedlen;
	ok = EVP_DigestInit_ex(ctx, md, NULL);
	for (size_t i = 0; ok && i < nparts; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].data, parts[i].len);
	ok = ok && EVP_DigestUpdate(ctx, sig->hashed, sig->hashedlen) &&
	     EVP_DigestUpdate(ctx, trailer, sizeof(trailer)) &&
	     EVP_DigestFinal_ex(ctx, out, outlen);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* libsolv's PUBKEY_DATA (and a key packet after version and creation
 * time): algo 22, the Ed25519 curve OID, a 263-bit MPI 0x40 || key. */
static const unsigned char *ed25519_key(const unsigned char *pub, size_t publ)
{
	static const unsigned char oid[] = { 9, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01 };

	if (publ != 1 + sizeof(oid) + 2 + 1 + 32 || pub[0] != PGP_ALGO_EDDSA ||
	    memcmp(pub + 1, oid, sizeof(oid)) != 0 || pub[11] != 1 || pub[12] != 7 ||
	    pub[13] != 0x40)
		return NULL;
	return pub + 14;
}

int pgp_eddsa_verify(const unsigned char *pub, size_t publ, const struct pgp_sig *sig,
		     const struct pgp_chunk *parts, size_t nparts)
{
	const unsigned char *key = ed25519_key(pub, publ);
	unsigned char dg[EVP_MAX_MD_SIZE], rs[64];
	unsigned int dlen = 0;
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	int ok;

	if (key == NULL || sig->pubalgo != PGP_ALGO_EDDSA || sig->rlen > 32 || sig->slen > 32 ||
	    digest(sig, parts, nparts, dg, &dlen) < 0)
		return 0;
	memset(rs, 0, sizeof(rs));
	memcpy(rs + 32 - sig->rlen, sig->r, sig->rlen);
	memcpy(rs + 64 - sig->slen, sig->s, sig->slen);
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, 32);
	if (pkey == NULL)
		return 0;
	ctx = EVP_MD_CTX_new();
	/* OpenPGP signs the digest itself with PureEdDSA */
	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, rs, sizeof(rs), dg, dlen) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

/* ---- RSA, for subkey binding signatures (libsolv does not check them) ---- */

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

/* An RSA public key packet body (v4): version, time, algo 1, MPI n, MPI e. */
static EVP_PKEY *rsa_key(const unsigned char *body, size_t len)
{
	const unsigned char *p = body + 6, *end = body + len;
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *n = NULL, *e = NULL;
	size_t nb, eb;

	if (len < 8 || body[0] != 4 || (body[5] != 1 && body[5] != 3))
		return NULL;
	nb = ((size_t)p[0] << 8 | p[1]);
	nb = (nb + 7) / 8;
	if ((size_t)(end - p - 2) < nb)
		return NULL;
	n = BN_bin2bn(p + 2, (int)nb, NULL);
	p += 2 + nb;
	if (end - p < 2)
		goto out;
	eb = ((size_t)p[0] << 8 | p[1]);
	eb = (eb + 7) / 8;
	if ((size_t)(end - p - 2) < eb)
		goto out;
	e = BN_bin2bn(p + 2, (int)eb, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

int pgp_key_verify(const unsigned char *keybody, size_t keylen, const unsigned char *sigbody,
		   size_t siglen, const struct pgp_chunk *parts, size_t nparts)
{
	struct pgp_sig sig;
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (pgp_sig_parse(sigbody, siglen, &sig) < 0 || keylen < 6 || keybody[0] != 4)
		return 0;
	if (sig.pubalgo == PGP_ALGO_EDDSA)
		return keybody[5] == PGP_ALGO_EDDSA &&
		       pgp_eddsa_verify(keybody + 5, keylen - 5, &sig, parts, nparts);
	if ((sig.pubalgo == 1 || sig.pubalgo == 3) && (keybody[5] == 1 || keybody[5] == 3)) {
		/* the RSA MPI follows the hashed area, the unhashed area and
		 * the 2-byte digest prefix */
		const unsigned char *p = sigbody + sig.hashedlen, *end = sigbody + siglen;
		size_t unhashed, sb;
		EVP_PKEY *pkey;
		EVP_PKEY_CTX *ctx;
		unsigned char *s;
		int ok = 0;
		size_t klen;

		if (end - p < 2)
			return 0;
		unhashed = (size_t)p[0] << 8 | p[1];
		if ((size_t)(end - p - 2) < unhashed + 4)
			return 0;
		p += 2 + unhashed + 2;
		sb = (((size_t)p[0] << 8 | p[1]) + 7) / 8;
		if ((size_t)(end - p - 2) < sb || md_of(sig.hashalgo) == NULL ||
		    digest(&sig, parts, nparts, dg, &dlen) < 0)
			return 0;
		pkey = rsa_key(keybody, keylen);
		if (pkey == NULL)
			return 0;
		klen = (size_t)EVP_PKEY_get_size(pkey);
		s = calloc(1, klen ? klen : 1);
		ctx = EVP_PKEY_CTX_new(pkey, NULL);
		if (s && ctx && sb <= klen) {
			/* left-pad the signature to the modulus size */
			memcpy(s + klen - sb, p + 2, sb);
			ok = EVP_PKEY_verify_init(ctx) > 0 &&
			     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
			     EVP_PKEY_CTX_set_signature_md(ctx, md_of(sig.hashalgo)) > 0 &&
			     EVP_PKEY_verify(ctx, s, klen, dg, dlen) == 1;
		}
		free(s);
		EVP_PKEY_CTX_free(ctx);
		EVP_PKEY_free(pkey);
		return ok;
	}
	return 0;   /* DSA and others: not for binding signatures */
}
