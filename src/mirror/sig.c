/*
 * OpenPGP signatures over mirror metadata, verified by libsolv (no gpg
 * binary, no keyring on the host).
 *
 * libsolv's solvsig_create() takes only the first packet of a signature
 * file and refuses text-mode signatures, which is what a clearsigned
 * Debian InRelease carries (and real Release.gpg files hold one signature
 * per archive key).  So the packets are split here, and each one is
 * handed to solvsig_verify(), which checks the signature type through the
 * hashed trailer like any other field.
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
#include <solv/util.h>

#include "gapimg/sha256.h"

struct keyring {
	Pool *pool;
	Repo *repo;
};

static void keyring_free(struct keyring *kr)
{
	if (kr->pool)
		pool_free(kr->pool);
}

/* The recipe's keys, in a pool of their own: key solvables must never be
 * candidates for installation. */
static int keyring_load(struct mirror_load *ml, struct keyring *kr)
{
	const struct gapimg_plan_mirror *pm = ml->pm;
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;

	kr->pool = pool_create();
	kr->repo = repo_create(kr->pool, "keys");
	for (size_t i = 0; i < pm->nkeys; i++) {
		const struct gapimg_plan_input *in = &pm->keys[i];
		uint8_t sum[GAPIMG_SHA256_LEN];
		char hex[GAPIMG_SHA256_HEX];
		int before = kr->repo->nsolvables;
		FILE *fp;

		strbuf_reset(&path);
		if (in->path[0] != '/' && ml->plan->base_dir) {
			strbuf_addstr(&path, ml->plan->base_dir);
			strbuf_addch(&path, '/');
		}
		strbuf_addstr(&path, in->path);
		if (mirror_read_path(ml, path.buf, &buf, 0) < 0)
			goto fail;
		gapimg_sha256(buf.buf, buf.len, sum);
		gapimg_hex(sum, sizeof(sum), hex);
		if (strcmp(hex, in->sha256) != 0) {
			gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					 "mirror %s: key file %s changed after the recipe was "
					 "compiled (sha256 %s, was %s)", pm->id, in->path, hex,
					 in->sha256);
			goto fail;
		}
		fp = fmemopen(buf.buf, buf.len ? buf.len : 1, "r");
		if (fp == NULL) {
			gapimg_error_errno(ml->err, errno, "fmemopen");
			goto fail;
		}
		repo_add_keyring(kr->repo, fp, ADD_MULTIPLE_PUBKEYS | ADD_WITH_SUBKEYS);
		fclose(fp);
		if (kr->repo->nsolvables == before) {
			gapimg_error_set(ml->err, GAPIMG_E_INVALID,
					 "mirror %s: key file %s holds no OpenPGP public key "
					 "that gapimg can use (v4 RSA, DSA or EdDSA, armored or "
					 "binary)", pm->id, in->path);
			goto fail;
		}
	}
	strbuf_release(&path);
	strbuf_release(&buf);
	return 0;
fail:
	strbuf_release(&path);
	strbuf_release(&buf);
	return -1;
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

	/* v3 (old distributions): fixed layout, the key id at offset 7 */
	if (bl >= 19 && b[0] == 3 && b[1] == 5) {
		solv_bin2hex(b + 7, 8, keyid);
		*htype = hash_type(b[16]);
		return 0;
	}
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
			  const void *data, size_t len)
{
	struct strbuf seen = STRBUF_INIT;
	int nsigs = 0, badsig = 0, weak = 0;
	Id ok = 0;

	while (pklen > 0 && !ok) {
		size_t hl, bl;
		int tag;
		char keyid[17];
		Id htype = 0;

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
				 "(v3 or v4 signature packets)", ml->pm->id, sigwhat);
	else if (badsig)
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: the signature in %s does not match %s: the "
				 "file was changed after it was signed (key %s); re-sync "
				 "the mirror", ml->pm->id, sigwhat, what, seen.buf);
	else if (weak == nsigs)
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s is signed with SHA-1 only, which gapimg "
				 "does not trust", ml->pm->id, sigwhat);
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
	rc = verify_packets(ml, &kr, what, sigwhat, pk, pklen, data, len);
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
	p += line_end(p, end) + 1;
	while (p < end) {
		size_t n = line_end(p, end);

		if (n == 0 || (n == 1 && p[0] == '\r')) {
			p += n + 1;
			break;
		}
		if (n < 6 || memcmp(p, "Hash: ", 6) != 0) {
			gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					 "mirror %s: %s has an unexpected armor header line; "
					 "only \"Hash:\" is allowed", ml->pm->id, what);
			goto out;
		}
		p += n + 1;
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
		strbuf_add(content, l, n);
		strbuf_addch(content, '\n');
		/* canonical text: trailing blanks dropped, CR LF between lines */
		m = n;
		while (m > 0 && (l[m - 1] == ' ' || l[m - 1] == '\t'))
			m--;
		if (!first)
			strbuf_add(&canon, "\r\n", 2);
		strbuf_add(&canon, l, m);
		first = 0;
		p += line_end(p, end) + 1;
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
			    canon.buf, canon.len);
out:
	strbuf_release(&canon);
	strbuf_release(&bin);
	keyring_free(&kr);
	return rc;
}
