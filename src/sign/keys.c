/*
 * Ed25519 key pairs in PEM files, and their key ids.
 *
 * The private key file is created with mode 0600 from the start (never
 * chmod'ed after the fact, so it is never readable by others, whatever
 * the umask), written to a temporary name and linked into place, which
 * fails rather than replaces: a key that signed images must not be lost
 * to a repeated command.
 */
#include "gapimg/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "gapimg/sha256.h"
#include "internal.h"

struct gapimg_key {
	EVP_PKEY *pkey;
	int private;              /* loaded as a private key: may sign */
	char id[GAPIMG_KEYID_HEX];
};

static const char *ossl_reason(void)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown error";
}

static int key_id(EVP_PKEY *pkey, char out[GAPIMG_KEYID_HEX], struct gapimg_error *err)
{
	unsigned char raw[32];
	uint8_t sum[GAPIMG_SHA256_LEN];
	size_t len = sizeof(raw);

	if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != sizeof(raw))
		return gapimg_error_set(err, GAPIMG_E_INTERNAL,
					"cannot read the raw Ed25519 public key (%s)", ossl_reason());
	gapimg_sha256(raw, len, sum);
	gapimg_hex(sum, GAPIMG_KEYID_LEN, out);
	return 0;
}

/* PEM text of the private or the public half. */
static int pem_of(EVP_PKEY *pkey, int private, char **text, size_t *len,
		  struct gapimg_error *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int ok;

	if (bio == NULL)
		return gapimg_error_nomem(err);
	ok = private ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
		     : PEM_write_bio_PUBKEY(bio, pkey);
	n = BIO_get_mem_data(bio, &p);
	if (ok != 1 || n <= 0 || (*text = malloc((size_t)n)) == NULL) {
		BIO_free(bio);
		return gapimg_error_set(err, GAPIMG_E_INTERNAL, "cannot write the key as PEM (%s)",
					ossl_reason());
	}
	memcpy(*text, p, (size_t)n);
	*len = (size_t)n;
	BIO_free(bio);
	return 0;
}

/* data to path, created with mode, never replacing what is there. */
static int write_new(const char *path, const char *data, size_t len, mode_t mode,
		     struct gapimg_error *err)
{
	char *tmp = NULL;
	int fd, rc = -1;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return gapimg_error_nomem(err);
	/* mkstemp creates 0600; a public key is widened to 0644 below */
	fd = mkstemp(tmp);
	if (fd < 0) {
		gapimg_error_errno(err, errno, "cannot create a temporary file beside %s", path);
		free(tmp);
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			gapimg_error_errno(err, n < 0 ? errno : ENOSPC, "cannot write %s", tmp);
			goto out;
		}
		data += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		gapimg_error_errno(err, errno, "cannot write %s", tmp);
		goto out;
	}
	if (link(tmp, path) < 0) {
		gapimg_error_errno(err, errno, "cannot create %s", path);
		if (errno == EEXIST)
			err->code = GAPIMG_E_EXISTS;
		goto out;
	}
	rc = 0;
out:
	close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

int gapimg_keygen(const char *base, char keyid[GAPIMG_KEYID_HEX], struct gapimg_error *err)
{
	EVP_PKEY *pkey = NULL;
	char *keyfile = NULL, *pubfile = NULL, *priv = NULL, *pub = NULL;
	size_t privlen = 0, publen = 0;
	struct stat st;
	int rc = -1;

	if (asprintf(&keyfile, "%s.key", base) < 0 || asprintf(&pubfile, "%s.pub", base) < 0) {
		gapimg_error_nomem(err);
		goto out;
	}
	if (lstat(keyfile, &st) == 0 || lstat(pubfile, &st) == 0) {
		gapimg_error_set(err, GAPIMG_E_EXISTS, "%s exists: gapimg never replaces a key "
				 "(images signed with it could no longer be re-signed); "
				 "choose another name, or move the old pair away first",
				 lstat(keyfile, &st) == 0 ? keyfile : pubfile);
		goto out;
	}
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (pkey == NULL) {
		gapimg_error_set(err, GAPIMG_E_INTERNAL, "OpenSSL cannot make an Ed25519 key (%s)",
				 ossl_reason());
		goto out;
	}
	if (key_id(pkey, keyid, err) < 0 || pem_of(pkey, 1, &priv, &privlen, err) < 0 ||
	    pem_of(pkey, 0, &pub, &publen, err) < 0)
		goto out;
	if (write_new(keyfile, priv, privlen, 0600, err) < 0)
		goto out;
	if (write_new(pubfile, pub, publen, 0644, err) < 0) {
		unlink(keyfile);   /* not half a pair */
		goto out;
	}
	rc = 0;
out:
	if (priv) {
		OPENSSL_cleanse(priv, privlen);
		free(priv);
	}
	free(pub);
	free(keyfile);
	free(pubfile);
	EVP_PKEY_free(pkey);
	return rc;
}

/* Does the file hold a public key and no private one?  (For the message
 * when a .pub is given where a .key is needed.) */
static int only_public(FILE *f)
{
	char line[128];
	int pub = 0, priv = 0;

	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "-----BEGIN PUBLIC KEY-----", 26) == 0)
			pub = 1;
		else if (strncmp(line, "-----BEGIN", 10) == 0 && strstr(line, "PRIVATE KEY"))
			priv = 1;
	}
	rewind(f);
	return pub && !priv;
}

/* Encrypted private keys are not supported: never prompt for a pass
 * phrase (the command may run unattended), just fail. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int read_key(const char *path, int private, struct gapimg_key **out,
		    struct gapimg_error *err)
{
	struct gapimg_key *k;
	struct stat st;
	FILE *f;
	/* O_NONBLOCK: a FIFO must not hang us (it is refused below). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	*out = NULL;
	if (fd < 0) {
		gapimg_error_errno(err, errno, "cannot open the key %s", path);
		if (errno == ENOENT)
			err->code = GAPIMG_E_NOTFOUND;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the key %s is not a file", path);
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return gapimg_error_nomem(err);
	}
	if (private && only_public(f)) {
		fclose(f);
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s is a public key: signing needs "
					"the private key file (NAME.key, from 'gapimg keygen NAME')",
					path);
	}
	if (private && (st.st_mode & 077 || st.st_uid != geteuid())) {
		fclose(f);
		if (st.st_uid != geteuid())
			return gapimg_error_set(err, GAPIMG_E_INVALID, "the private key %s belongs to "
						"uid %u, not to you (uid %u): refusing a key "
						"someone else controls", path, (unsigned)st.st_uid,
						(unsigned)geteuid());
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the private key %s can be read "
					"or written by others (mode %04o): run 'chmod 600 %s' "
					"and make a new key if others may have copied it",
					path, (unsigned)(st.st_mode & 07777), path);
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		fclose(f);
		return gapimg_error_nomem(err);
	}
	k->pkey = private ? PEM_read_PrivateKey(f, NULL, no_passphrase, NULL)
			  : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	if (k->pkey == NULL && !private) {
		/* the public half of a private key file will do */
		rewind(f);
		ERR_clear_error();
		k->pkey = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	}
	fclose(f);
	if (k->pkey == NULL) {
		gapimg_key_free(k);
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s is not a PEM %s key (%s)", path,
					private ? "private" : "public", ossl_reason());
	}
	if (EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_ED25519) {
		gapimg_key_free(k);
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED, "%s is not an Ed25519 key: "
					"gapimg signs with Ed25519 only (make one with "
					"'gapimg keygen NAME')", path);
	}
	if (key_id(k->pkey, k->id, err) < 0) {
		gapimg_key_free(k);
		return -1;
	}
	k->private = private;
	*out = k;
	return 0;
}

int gapimg_key_load_private(const char *path, struct gapimg_key **out,
			    struct gapimg_error *err)
{
	return read_key(path, 1, out, err);
}

int gapimg_key_load_public(const char *path, struct gapimg_key **out,
			   struct gapimg_error *err)
{
	return read_key(path, 0, out, err);
}

const char *gapimg_key_id(const struct gapimg_key *key)
{
	return key->id;
}

void gapimg_key_free(struct gapimg_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

int sign_ed25519(const struct gapimg_key *key, const void *msg, size_t len,
		 unsigned char sig[SIGN_ED25519_LEN], struct gapimg_error *err)
{
	EVP_MD_CTX *ctx;
	size_t siglen = SIGN_ED25519_LEN;
	int ok;

	if (!key->private)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "key %s is a public key: "
					"signing needs the private key file (NAME.key)", key->id);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return gapimg_error_nomem(err);
	/* Ed25519 is one-shot (no digest: NULL), and deterministic: the same
	 * key and message always give the same signature. */
	ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
	     EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == SIGN_ED25519_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return gapimg_error_set(err, GAPIMG_E_INTERNAL, "Ed25519 signing failed (%s)",
					ossl_reason());
	return 0;
}

int verify_ed25519(const struct gapimg_key *key, const void *msg, size_t len,
		   const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return -1;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}
