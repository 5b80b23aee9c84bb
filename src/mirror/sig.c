/*
 * OpenPGP signatures over mirror metadata, verified by libsolv (no gpg
 * binary, no keyring on the host).
 *
 * libsolv's solvsig_create() takes only the first packet of a signature
 * file and refuses text-mode signatures, which is what a clearsigned
 * Debian InRelease carries (and real Release.gpg files hold one signature
 * per archive key).  So the packets are split here; the signature type is
 * checked here (solvsig_verify hashes it but does not check it): 0x00 for
 * detached signatures, 0x01 or 0x00 for clearsigned text.  RSA and DSA
 * signatures go to solvsig_verify(); EdDSA ones to OpenSSL (eddsa.c).
 * Only v4 signature packets are accepted.
 */
#include "mirror/mirror.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <solv/chksum.h>
#include <solv/knownid.h>
#include <solv/repo_pubkey.h>
#include <solv/repodata.h>
#include <solv/util.h>

#include "gapimg/sha256.h"
#include "mirror/eddsa.h"

struct keyring {
	Pool *pool;
	Repo *repo;
};

static void keyring_free(struct keyring *kr)
{
	if (kr->pool)
		pool_free(kr->pool);
}

static int packet(const unsigned char *p, size_t len, size_t *hl, int *tag, size_t *bl);
static int unarmor(const char *text, size_t len, const char *begin, const char *end,
		   struct strbuf *out);

struct key_expiry {
	char keyid[17];
	uint64_t expires;
};

/* Key flags (subpacket 27) of a signature: -1 when absent. */
static int key_flags(const struct pgp_sig *sig)
{
	const unsigned char *d;
	size_t n;

	return pgp_sig_subpacket(sig, 27, &d, &n) == 1 && n >= 1 ? d[0] : -1;
}

static int sig_issuer(const unsigned char *b, size_t bl, char keyid[17], Id *htype);

/* Is the subkey at sub (with the signature packets after it, up to end)
 * bound to the primary key by a valid binding signature that allows
 * signing, and not revoked by it? */
static int subkey_bound(const unsigned char *primary, size_t primarylen, const char *primary_id,
			const unsigned char *sub, size_t sublen, const unsigned char *p,
			const unsigned char *end)
{
	unsigned char hk[3] = { 0x99, (unsigned char)(primarylen >> 8), (unsigned char)primarylen };
	unsigned char hs[3] = { 0x99, (unsigned char)(sublen >> 8), (unsigned char)sublen };
	struct pgp_chunk parts[4] = { { hk, 3 }, { primary, primarylen }, { hs, 3 }, { sub, sublen } };
	int bound = 0, revoked = 0;

	if (primarylen >= 65536 || sublen >= 65536 || !primary_id[0])
		return 0;
	while (p < end) {
		size_t hl, bl;
		int tag;
		struct pgp_sig sig;
		char issuer[17];
		Id ht;

		if (packet(p, (size_t)(end - p), &hl, &tag, &bl) < 0 || tag != 2)
			break;
		if (pgp_sig_parse(p + hl, bl, &sig) == 0 &&
		    sig_issuer(p + hl, bl, issuer, &ht) == 0 && strcmp(issuer, primary_id) == 0 &&
		    pgp_key_verify(primary, primarylen, p + hl, bl, parts, 4)) {
			int flags = key_flags(&sig);

			if (sig.type == 0x18 && (flags < 0 || (flags & 0x02)))
				bound = 1;
			if (sig.type == 0x28)
				revoked = 1;
		}
		p += hl + bl;
	}
	return bound && !revoked;
}

/* A copy of a key file (binary packets) for libsolv:
 * - every EdDSA signature gets an unknown algorithm, so that libsolv
 *   0.7.23 never runs its unsafe EdDSA code on it (see eddsa.c); valid
 *   self-certifications are checked here instead, and a key expiry they
 *   carry is kept in exp for the caller to set on the key;
 * - a subkey whose binding signature by the primary key does not verify
 *   here, does not allow signing, or that the primary key revoked, is
 *   left out (libsolv trusts every subkey it is given);
 * - a key with a valid revocation signature is left out entirely. */
static int sanitize_keys(const unsigned char *in, size_t len, struct strbuf *out,
			 struct key_expiry **exp, size_t *nexp)
{
	const unsigned char *primary = NULL, *uid = NULL, *end = in + len;
	size_t primarylen = 0, uidlen = 0;
	char primary_id[17] = "";
	int skipping = 0, revoked = 0;
	size_t key_start = 0;

	while (in < end) {
		size_t hl, bl;
		int tag;
		struct pgp_sig sig;

		if (packet(in, (size_t)(end - in), &hl, &tag, &bl) < 0)
			break;   /* libsolv stops at the same place */
		if (tag == 6) {
			unsigned char fp[EVP_MAX_MD_SIZE], hdr[3] = { 0x99, (unsigned char)(bl >> 8),
								      (unsigned char)bl };
			unsigned int fplen = 0;
			EVP_MD_CTX *c = EVP_MD_CTX_new();

			primary = in + hl;
			primarylen = bl;
			uid = NULL;
			skipping = 0;
			revoked = 0;
			key_start = out->len;
			primary_id[0] = '\0';
			/* the v4 key id: the low 64 bits of the SHA-1 fingerprint */
			if (c && bl > 5 && primary[0] == 4 && bl < 65536 &&
			    EVP_DigestInit_ex(c, EVP_sha1(), NULL) && EVP_DigestUpdate(c, hdr, 3) &&
			    EVP_DigestUpdate(c, primary, bl) && EVP_DigestFinal_ex(c, fp, &fplen) &&
			    fplen == 20)
				solv_bin2hex(fp + 12, 8, primary_id);
			EVP_MD_CTX_free(c);
		} else if (tag == 13) {
			uid = in + hl;
			uidlen = bl;
			skipping = 0;
		} else if (tag == 14) {
			uid = NULL;
			skipping = !(primary && subkey_bound(primary, primarylen, primary_id, in + hl,
							     bl, in + hl + bl, end));
		} else if (tag != 2) {
			skipping = 0;
		} else if (primary && !uid && bl > 1 && in[hl] == 4 && in[hl + 1] == 0x20 &&
			   primarylen < 65536 && !revoked) {
			/* a key revocation: valid when the key itself made it */
			unsigned char hk[3] = { 0x99, (unsigned char)(primarylen >> 8),
						(unsigned char)primarylen };
			struct pgp_chunk parts[2] = { { hk, 3 }, { primary, primarylen } };

			if (pgp_key_verify(primary, primarylen, in + hl, bl, parts, 2)) {
				revoked = 1;
				strbuf_setlen(out, key_start);
			}
		}
		if (revoked) {
			/* the whole revoked key, up to the next primary key */
		} else if (skipping) {
			/* the unbound subkey and its signatures */
		} else if (tag == 2 && bl >= 19 && in[hl] == 3 && in[hl + 15] == PGP_ALGO_EDDSA) {
			size_t at = out->len;

			strbuf_add(out, in, hl + bl);
			out->buf[at + hl + 15] = (char)0xfe;
		} else if (tag == 2 && pgp_sig_parse(in + hl, bl, &sig) == 0 &&
			   sig.pubalgo == PGP_ALGO_EDDSA) {
			size_t at = out->len;
			uint32_t secs;

			strbuf_add(out, in, hl + bl);
			out->buf[at + hl + 2] = (char)0xfe;   /* no algorithm libsolv knows */
			if (primary && uid && primary_id[0] && sig.type >= 0x10 && sig.type <= 0x13 &&
			    pgp_sig_key_expiry(&sig, &secs) == 1) {
				unsigned char hk[3] = { 0x99, (unsigned char)(primarylen >> 8),
							(unsigned char)primarylen };
				unsigned char hu[5] = { 0xb4, (unsigned char)(uidlen >> 24),
							(unsigned char)(uidlen >> 16),
							(unsigned char)(uidlen >> 8), (unsigned char)uidlen };
				struct pgp_chunk parts[4] = {
					{ hk, 3 }, { primary, primarylen }, { hu, 5 }, { uid, uidlen },
				};

				if (primarylen > 5 &&
				    pgp_eddsa_verify(primary + 5, primarylen - 5, &sig, parts, 4)) {
					struct key_expiry *v = realloc(*exp, (*nexp + 1) * sizeof(*v));

					if (v == NULL)
						return -1;
					*exp = v;
					memcpy(v[*nexp].keyid, primary_id, sizeof(primary_id));
					v[*nexp].expires = ((uint64_t)primary[1] << 24 | (uint64_t)primary[2] << 16 |
							    (uint64_t)primary[3] << 8 | primary[4]) + secs;
					(*nexp)++;
				}
			}
		} else {
			strbuf_add(out, in, hl + bl);
		}
		in += hl + bl;
	}
	return 0;
}

/* The recipe's keys, in a pool of their own: key solvables must never be
 * candidates for installation. */
int mirror_keys_add(Repo *repo, const char *buf, size_t len)
{
	struct strbuf bin = STRBUF_INIT, safe = STRBUF_INIT;
	struct key_expiry *exp = NULL;
	size_t nexp = 0;
	int before = repo->nsolvables, rc = -1;
	FILE *fp;

	/* binary packets, each armored block decoded in turn */
	if (len > 0 && ((unsigned char)buf[0] & 0x80)) {
		strbuf_add(&bin, buf, len);
	} else {
		static const char begin[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
		static const char end[] = "-----END PGP PUBLIC KEY BLOCK-----";
		const char *at = buf;

		while (len > 0 && (at = memmem(at, len - (size_t)(at - buf), begin,
					       sizeof(begin) - 1)) != NULL) {
			struct strbuf one = STRBUF_INIT;

			if (unarmor(at, len - (size_t)(at - buf), begin, end, &one) == 0)
				strbuf_add(&bin, one.buf, one.len);
			strbuf_release(&one);
			at += sizeof(begin) - 1;
		}
	}
	if (sanitize_keys((const unsigned char *)bin.buf, bin.len, &safe, &exp, &nexp) < 0)
		goto out;
	if (safe.len) {
		fp = fmemopen(safe.buf, safe.len, "r");
		if (fp == NULL)
			goto out;
		/* subkeys: only those sanitize_keys found bound */
		repo_add_keyring(repo, fp, ADD_MULTIPLE_PUBKEYS | ADD_WITH_SUBKEYS);
		fclose(fp);
	}
	/* expiries from the self-signatures libsolv was not shown */
	for (size_t i = 0; i < nexp; i++) {
		Id p = repo_find_pubkey(repo, exp[i].keyid);

		if (p && p >= repo->start) {
			Repodata *data = repo_last_repodata(repo);
			unsigned long long have = solvable_lookup_num(pool_id2solvable(repo->pool, p),
								      PUBKEY_EXPIRES, 0);

			if (exp[i].expires > have) {
				repodata_set_num(data, p, PUBKEY_EXPIRES, exp[i].expires);
				repodata_internalize(data);
			}
		}
	}
	rc = repo->nsolvables - before;
out:
	free(exp);
	strbuf_release(&bin);
	strbuf_release(&safe);
	return rc;
}

static int keyring_load(struct mirror_load *ml, struct keyring *kr)
{
	const struct gapimg_plan_mirror *pm = ml->pm;
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	int rc = -1;

	kr->pool = pool_create();
	kr->repo = repo_create(kr->pool, "keys");
	for (size_t i = 0; i < pm->nkeys; i++) {
		const struct gapimg_plan_input *in = &pm->keys[i];
		uint8_t sum[GAPIMG_SHA256_LEN];
		char hex[GAPIMG_SHA256_HEX];
		int added;

		strbuf_reset(&path);
		if (in->path[0] != '/' && ml->plan->base_dir) {
			strbuf_addstr(&path, ml->plan->base_dir);
			strbuf_addch(&path, '/');
		}
		strbuf_addstr(&path, in->path);
		if (mirror_read_path(ml, path.buf, &buf, 0) < 0)
			goto out;
		gapimg_sha256(buf.buf, buf.len, sum);
		gapimg_hex(sum, sizeof(sum), hex);
		if (strcmp(hex, in->sha256) != 0) {
			gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					 "mirror %s: key file %s changed after the recipe was "
					 "compiled (sha256 %s, was %s)", pm->id, in->path, hex,
					 in->sha256);
			goto out;
		}
		added = mirror_keys_add(kr->repo, buf.buf, buf.len);
		if (added < 0) {
			gapimg_error_set(ml->err, GAPIMG_E_NOMEM, "out of memory");
			goto out;
		}
		if (added == 0) {
			gapimg_error_set(ml->err, GAPIMG_E_INVALID,
					 "mirror %s: key file %s holds no usable OpenPGP public key "
					 "(v4 RSA, DSA or EdDSA, armored or binary, and not "
					 "revoked)", pm->id, in->path);
			goto out;
		}
	}
	rc = 0;
out:
	strbuf_release(&path);
	strbuf_release(&buf);
	return rc;
}

/* One OpenPGP packet header (old or new format): tag and body. */
static int packet(const unsigned char *p, size_t len, size_t *hl, int *tag, size_t *bl)
{
	if (len < 2 || !(p[0] & 0x80))
		return -1;
	if (p[0] & 0x40) {
		*tag = p[0] & 0x3f;
		if (p[1] < 192) {
			*hl = 2;
			*bl = p[1];
		} else if (p[1] < 224) {
			if (len < 3)
				return -1;
			*hl = 3;
			*bl = ((size_t)(p[1] - 192) << 8) + p[2] + 192;
		} else if (p[1] == 255) {
			if (len < 6)
				return -1;
			*hl = 6;
			*bl = (size_t)p[2] << 24 | (size_t)p[3] << 16 | (size_t)p[4] << 8 | p[5];
		} else {
			return -1;   /* partial body lengths: not in signatures */
		}
	} else {
		int lt = p[0] & 3;

		*tag = (p[0] >> 2) & 0x0f;
		if (lt == 3)
			return -1;
		*hl = 1 + ((size_t)1 << lt);
		if (len < *hl)
			return -1;
		*bl = 0;
		for (size_t i = 1; i < *hl; i++)
			*bl = *bl << 8 | p[i];
	}
	if (*bl > len - *hl)
		return -1;
	return 0;
}

/* The issuer key id of a v4 signature packet body, from the issuer or
 * issuer-fingerprint subpacket, hashed or not; and its hash type. */
static Id hash_type(int algo)
{
	switch (algo) {
	case 8: return REPOKEY_TYPE_SHA256;
	case 9: return REPOKEY_TYPE_SHA384;
	case 10: return REPOKEY_TYPE_SHA512;
	case 11: return REPOKEY_TYPE_SHA224;
	case 2: return REPOKEY_TYPE_SHA1;
	}
	return 0;
}

static int sig_issuer(const unsigned char *b, size_t bl, char keyid[17], Id *htype)
{
	size_t off = 4;

	/* v3 packets (obsolete since RFC 4880) are not accepted: libsolv
	 * would verify them with code gapimg cannot vet (see eddsa.c) */
	if (bl < 6 || b[0] != 4)
		return -1;
	*htype = hash_type(b[3]);
	keyid[0] = '\0';
	for (int area = 0; area < 2; area++) {
		size_t sl, end;

		if (off + 2 > bl)
			return -1;
		sl = (size_t)b[off] << 8 | b[off + 1];
		off += 2;
		if (sl > bl - off)
			return -1;
		end = off + sl;
		while (off < end) {
			size_t l = b[off], h = 1;
			int type;

			if (l >= 192 && l < 255) {
				if (off + 1 >= end)
					return -1;
				l = ((l - 192) << 8) + b[off + 1] + 192;
				h = 2;
			} else if (l == 255) {
				if (off + 5 > end)
					return -1;
				l = (size_t)b[off + 1] << 24 | (size_t)b[off + 2] << 16 |
				    (size_t)b[off + 3] << 8 | b[off + 4];
				h = 5;
			}
			if (l == 0 || l > end - off - h)
				return -1;
			type = b[off + h] & 0x7f;
			if (type == 16 && l == 9)
				solv_bin2hex(b + off + h + 1, 8, keyid);
			else if (type == 33 && l == 22 && b[off + h + 1] == 4 && !keyid[0])
				solv_bin2hex(b + off + h + 1 + 1 + 12, 8, keyid);
			off += h + l;
		}
	}
	return keyid[0] ? 0 : -1;
}

/* Base64 body of an armored block (between the blank line after the
 * armor headers and the "=CRC" line), decoded. */
static int unarmor(const char *text, size_t len, const char *begin, const char *end,
		   struct strbuf *out)
{
	const char *p = memmem(text, len, begin, strlen(begin));
	const char *q, *e;
	struct strbuf b64 = STRBUF_INIT;
	int n;

	if (p == NULL)
		return -1;
	p += strlen(begin);
	e = memmem(p, len - (size_t)(p - text), end, strlen(end));
	if (e == NULL)
		return -1;
	/* skip armor headers up to the first empty line */
	q = p;
	for (;;) {
		const char *nl = memchr(q, '\n', (size_t)(e - q));

		if (nl == NULL)
			return -1;
		q = nl + 1;
		if (q < e && (*q == '\n' || (*q == '\r' && q + 1 < e && q[1] == '\n'))) {
			q += *q == '\r' ? 2 : 1;
			break;
		}
		/* the first line is the rest of the BEGIN line: allowed empty */
	}
	for (; q < e; q++) {
		if (*q == '=' && (q == p || q[-1] == '\n') && q + 1 < e && q[1] != '=' && q[1] != '\n')
			break;   /* "=CRC24" line */
		if (*q != '\n' && *q != '\r' && *q != ' ')
			strbuf_addch(&b64, *q);
	}
	if (strbuf_grow(out, b64.len) < 0) {
		strbuf_release(&b64);
		return -1;
	}
	n = EVP_DecodeBlock((unsigned char *)out->buf, (const unsigned char *)b64.buf, (int)b64.len);
	if (n < 0) {
		strbuf_release(&b64);
		return -1;
	}
	/* EVP_DecodeBlock counts padding bytes as data */
	if (b64.len >= 1 && b64.buf[b64.len - 1] == '=')
		n--;
	if (b64.len >= 2 && b64.buf[b64.len - 2] == '=')
		n--;
	strbuf_setlen(out, (size_t)n);
	strbuf_release(&b64);
	return 0;
}

static const char *key_label(Pool *kp, Id p)
{
	Solvable *s = pool_id2solvable(kp, p);
	const char *fpr = solvable_lookup_str(s, PUBKEY_FINGERPRINT);

	return fpr ? fpr : solvable_lookup_str(s, PUBKEY_KEYID);
}

/* Try each signature packet; data holds what was signed (for clearsigned
 * text: the canonical text). */
static int verify_packets(struct mirror_load *ml, struct keyring *kr, const char *what,
			  const char *sigwhat, const unsigned char *pk, size_t pklen,
			  const void *data, size_t len, int text_ok)
{
	struct strbuf seen = STRBUF_INIT;
	int nsigs = 0, badsig = 0, weak = 0, badtype = 0;
	Id ok = 0;

	while (pklen > 0 && !ok) {
		size_t hl, bl;
		int tag;
		char keyid[17];
		Id htype = 0;
		struct pgp_sig psig;

		if (packet(pk, pklen, &hl, &tag, &bl) < 0)
			break;
		if (tag == 2 && sig_issuer(pk + hl, bl, keyid, &htype) == 0) {
			Solvsig *ss;
			Chksum *chk;

			nsigs++;
			if (seen.len)
				strbuf_addstr(&seen, ", ");
			strbuf_addstr(&seen, keyid);
			if (!mirror_strong_hash(htype) && htype != REPOKEY_TYPE_SHA224) {
				weak++;
				goto next;
			}
			if (!repo_find_pubkey(kr->repo, keyid))
				goto next;
			/* a signature over the data, not a certification or a
			 * revocation that happens to hash the same bytes */
			if (pk[hl + 1] != 0x00 && !(text_ok && pk[hl + 1] == 0x01)) {
				badtype++;
				goto next;
			}
			if (pgp_sig_parse(pk + hl, bl, &psig) == 0 && psig.pubalgo == PGP_ALGO_EDDSA) {
				/* never libsolv's EdDSA code: see eddsa.c */
				struct pgp_chunk part = { data, len };
				Queue cand;

				queue_init(&cand);
				repo_find_all_pubkeys(kr->repo, keyid, &cand);
				for (int c = 0; c < cand.count && !ok; c++) {
					int publ = 0;
					const unsigned char *pub = repo_lookup_binary(kr->repo, cand.elements[c],
										   PUBKEY_DATA, &publ);

					if (pub && publ > 0 && pgp_eddsa_verify(pub, (size_t)publ, &psig, &part, 1))
						ok = cand.elements[c];
				}
				queue_free(&cand);
				if (!ok)
					badsig++;
				goto next;
			}
			ss = solv_calloc(1, sizeof(*ss));
			ss->sigpkt = solv_calloc(1, bl);
			memcpy(ss->sigpkt, pk + hl, bl);
			ss->sigpktl = (int)bl;
			ss->htype = htype;
			memcpy(ss->keyid, keyid, sizeof(ss->keyid));
			chk = solv_chksum_create(htype);
			for (size_t off = 0; off < len;) {
				size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;

				solv_chksum_add(chk, (const char *)data + off, (int)n);
				off += n;
			}
			ok = solvsig_verify(ss, kr->repo, chk);
			if (!ok)
				badsig++;
			solv_chksum_free(chk, NULL);
			solvsig_free(ss);
		}
next:
		pk += hl + bl;
		pklen -= hl + bl;
	}
	if (ok) {
		Solvable *s = pool_id2solvable(kr->pool, ok);
		unsigned long long expires = solvable_lookup_num(s, PUBKEY_EXPIRES, 0);

		strbuf_release(&seen);
		if (expires && expires < ml->opts->epoch) {
			char when[40], epoch[40];

			mirror_format_time((int64_t)expires, when, sizeof(when));
			mirror_format_time((int64_t)ml->opts->epoch, epoch, sizeof(epoch));
			if (!ml->opts->allow_expired)
				return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
							"mirror %s: %s is signed by key %s, which "
							"expired on %s, before the build's epoch %u "
							"(%s); use a current key, or accept it with "
							"--allow-expired",
							ml->pm->id, what, key_label(kr->pool, ok), when,
							ml->opts->epoch, epoch);
			mirror_note(ml, "%s is signed by key %s, which expired on %s, before "
				    "the build's epoch; accepted: --allow-expired", what,
				    key_label(kr->pool, ok), when);
		}
		free(ml->info->signed_by);
		ml->info->signed_by = strdup(key_label(kr->pool, ok));
		return 0;
	}
	if (nsigs == 0)
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s holds no OpenPGP signature gapimg can read "
				 "(only v4 signature packets are accepted)", ml->pm->id, sigwhat);
	else if (badtype && !badsig)
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s holds a signature by key %s that is not a "
				 "signature over a document (OpenPGP type 0x00 or 0x01)",
				 ml->pm->id, sigwhat, seen.buf);
	else if (badsig)
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: the signature in %s does not match %s: the "
				 "file was changed after it was signed (key %s); re-sync "
				 "the mirror", ml->pm->id, sigwhat, what, seen.buf);
	else if (weak == nsigs)
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s is signed with SHA-1 (or an unknown hash) "
				 "only, which gapimg does not trust", ml->pm->id, sigwhat);
	else {
		struct strbuf keys = STRBUF_INIT;

		for (size_t i = 0; i < ml->pm->nkeys; i++)
			strbuf_addf(&keys, "%skey=%s", i ? " " : "", ml->pm->keys[i].path);
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s is signed by key %s, which is not in the "
				 "mirror's keys (%s); add the right key to the recipe if "
				 "you trust it", ml->pm->id, sigwhat, seen.buf,
				 keys.len ? keys.buf : "none");
		strbuf_release(&keys);
	}
	strbuf_release(&seen);
	return -1;
}

int mirror_verify_detached(struct mirror_load *ml, const char *what,
			   const void *data, size_t len,
			   const void *sig, size_t siglen, const char *sigwhat)
{
	struct keyring kr = { 0 };
	struct strbuf bin = STRBUF_INIT;
	const unsigned char *pk = sig;
	size_t pklen = siglen;
	int rc = -1;

	if (keyring_load(ml, &kr) < 0)
		goto out;
	if (siglen == 0 || !(pk[0] & 0x80)) {
		if (unarmor(sig, siglen, "-----BEGIN PGP SIGNATURE-----",
			    "-----END PGP SIGNATURE-----", &bin) < 0) {
			gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					 "mirror %s: %s is not an OpenPGP signature "
					 "(neither binary nor armored)", ml->pm->id, sigwhat);
			goto out;
		}
		pk = (const unsigned char *)bin.buf;
		pklen = bin.len;
	}
	rc = verify_packets(ml, &kr, what, sigwhat, pk, pklen, data, len, 0);
out:
	strbuf_release(&bin);
	keyring_free(&kr);
	return rc;
}

static size_t line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? (size_t)(nl - p) : (size_t)(end - p);
}

/* The start of the next line, or end (never past it). */
static const char *next_line(const char *p, const char *end)
{
	size_t n = line_end(p, end);

	return n < (size_t)(end - p) ? p + n + 1 : end;
}

int mirror_verify_clearsigned(struct mirror_load *ml, const char *what,
			      const char *text, size_t len, struct strbuf *content,
			      int verify)
{
	static const char head[] = "-----BEGIN PGP SIGNED MESSAGE-----";
	static const char sighead[] = "-----BEGIN PGP SIGNATURE-----";
	const char *p = text, *end = text + len, *sigstart = NULL;
	struct strbuf canon = STRBUF_INIT, bin = STRBUF_INIT;
	struct keyring kr = { 0 };
	int first = 1, rc = -1;

	strbuf_reset(content);
	if (len < sizeof(head) || memcmp(text, head, sizeof(head) - 1) != 0 ||
	    (text[sizeof(head) - 1] != '\n' && text[sizeof(head) - 1] != '\r')) {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s does not start with \"%s\"; it is not a "
				 "clearsigned file", ml->pm->id, what, head);
		return -1;
	}
	/* armor headers ("Hash: SHA512") up to an empty line */
	p = next_line(p, end);
	while (p < end) {
		size_t n = line_end(p, end);

		if (n == 0 || (n == 1 && p[0] == '\r')) {
			p = next_line(p, end);
			break;
		}
		if (n < 6 || memcmp(p, "Hash: ", 6) != 0) {
			gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					 "mirror %s: %s has an unexpected armor header line; "
					 "only \"Hash:\" is allowed", ml->pm->id, what);
			goto out;
		}
		p = next_line(p, end);
	}
	while (p < end) {
		size_t n = line_end(p, end), m;
		const char *l = p;

		if (n >= sizeof(sighead) - 1 && memcmp(p, sighead, sizeof(sighead) - 1) == 0) {
			sigstart = p;
			break;
		}
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (n >= 1 && l[0] == '-') {
			if (n < 2 || l[1] != ' ') {
				gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
						 "mirror %s: %s has a line starting with \"-\" that "
						 "is not dash-escaped", ml->pm->id, what);
				goto out;
			}
			l += 2;
			n -= 2;
		}
		/* canonical text: trailing blanks dropped, CR LF between lines;
		 * the content gets exactly the signed characters */
		m = n;
		while (m > 0 && (l[m - 1] == ' ' || l[m - 1] == '\t'))
			m--;
		strbuf_add(content, l, m);
		strbuf_addch(content, '\n');
		if (!first)
			strbuf_add(&canon, "\r\n", 2);
		strbuf_add(&canon, l, m);
		first = 0;
		p = next_line(p, end);
	}
	if (sigstart == NULL) {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s has no signature block (\"%s\")",
				 ml->pm->id, what, sighead);
		goto out;
	}
	if (!verify) {
		rc = 0;
		goto out;
	}
	if (unarmor(sigstart, (size_t)(end - sigstart), sighead,
		    "-----END PGP SIGNATURE-----", &bin) < 0) {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: the signature block of %s is not valid armor",
				 ml->pm->id, what);
		goto out;
	}
	if (keyring_load(ml, &kr) < 0)
		goto out;
	rc = verify_packets(ml, &kr, what, what, (const unsigned char *)bin.buf, bin.len,
			    canon.buf, canon.len, 1);
out:
	strbuf_release(&canon);
	strbuf_release(&bin);
	keyring_free(&kr);
	return rc;
}
