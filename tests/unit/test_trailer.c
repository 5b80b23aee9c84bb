/*
 * Signed images: signing in place, verifying, and every way a signed file
 * can be damaged (each byte flipped, every truncation, lying lengths,
 * another key, no signature, a detached signature).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "gapimg/fstree.h"
#include "gapimg/sha256.h"
#include "gapimg/sign.h"
#include "gapimg/source.h"
#include "gapimg/squashfs.h"
#include "sign/internal.h"

static char tmpdir[256];
static struct gapimg_key *priv, *pub, *other;
static unsigned char *signed_bytes;   /* a signed image, as signed */
static size_t signed_len, image_len;

static char *tmp(const char *name)
{
	static char p[4][400];
	static int n;

	n = (n + 1) % 4;
	snprintf(p[n], sizeof(p[n]), "%s/%s", tmpdir, name);
	return p[n];
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

static void spew(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static const char recipe_hex[] =
	"1111111111111111111111111111111111111111111111111111111111111111";
static const char lock_hex[] =
	"2222222222222222222222222222222222222222222222222222222222222222";

/* A manifest as gapimg build writes one (only what signing reads matters). */
static char *manifest_for(const char *image, uint64_t bytes)
{
	char hex[GAPIMG_SHA256_HEX], *m;
	struct gapimg_error err;

	assert_int_equal(gapimg_sha256_file(image, hex, &err), 0);
	assert_true(asprintf(&m, "{\n  \"epoch\": 1700000000,\n  \"image\": {\n    \"bytes\": %llu,\n"
			     "    \"name\": \"tiny\",\n    \"sha256\": \"%s\",\n    \"version\": \"1\"\n"
			     "  },\n  \"lock\": {\n    \"digest\": \"%s\"\n  },\n  \"manifest\": 1,\n"
			     "  \"recipe\": {\n    \"digest\": \"%s\"\n  }\n}\n",
			     (unsigned long long)bytes, hex, lock_hex, recipe_hex) > 0);
	return m;
}

static int setup(void **state)
{
	struct gapimg_error err;
	struct gapimg_sqfs_opts o;
	struct gapimg_fstree *t;
	struct gapimg_node_spec s = { .type = GAPIMG_FT_REG, .mode = 0644, .mtime = 1 };
	static const char text[] = "a small file in a small image\n";
	char id[GAPIMG_KEYID_HEX], *m;
	struct stat st;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/gapimg-trailer-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if (gapimg_keygen(tmp("k"), id, &err) < 0 || gapimg_keygen(tmp("other"), id, &err) < 0 ||
	    gapimg_key_load_private(tmp("k.key"), &priv, &err) < 0 ||
	    gapimg_key_load_public(tmp("k.pub"), &pub, &err) < 0 ||
	    gapimg_key_load_public(tmp("other.pub"), &other, &err) < 0)
		return -1;
	t = gapimg_fstree_new(&err);
	s.size = sizeof(text) - 1;
	s.src = gapimg_source_memory(text, s.size, "hello", &err);
	if (t == NULL || gapimg_fstree_add(t, "/hello", &s, "test", GAPIMG_ADD_PARENTS, &err) == NULL)
		return -1;
	gapimg_sqfs_opts_init(&o);
	o.block_size = 4096;
	o.threads = 1;
	o.epoch = 1700000000;
	if (gapimg_sqfs_write_tree(t, tmp("img.sqfs"), &o, NULL, NULL, NULL, &err) < 0)
		return -1;
	gapimg_fstree_free(t);
	stat(tmp("img.sqfs"), &st);
	image_len = (size_t)st.st_size;
	m = manifest_for(tmp("img.sqfs"), image_len);
	spew(tmp("img.manifest.json"), m, strlen(m));
	free(m);
	/* keep an unsigned copy */
	signed_bytes = slurp(tmp("img.sqfs"), &signed_len);
	spew(tmp("unsigned.sqfs"), signed_bytes, signed_len);
	free(signed_bytes);
	if (gapimg_sign_image(tmp("img.sqfs"), priv, tmp("img.manifest.json"), NULL, tmp("img.sig"), &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	signed_bytes = slurp(tmp("img.sqfs"), &signed_len);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	gapimg_key_free(priv);
	gapimg_key_free(pub);
	gapimg_key_free(other);
	free(signed_bytes);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static enum gapimg_verify_status check_bytes(const void *data, size_t len,
					      const struct gapimg_key *key)
{
	struct gapimg_verify_result r;
	struct gapimg_error err;
	enum gapimg_verify_status s;

	spew(tmp("check.sqfs"), data, len);
	assert_int_equal(gapimg_verify_image(tmp("check.sqfs"), NULL, key, &r, &err), 0);
	assert_non_null(r.reason);
	s = r.status;
	gapimg_verify_result_free(&r);
	return s;
}

static void test_round_trip(void **state)
{
	struct gapimg_verify_result r;
	struct gapimg_error err;
	size_t tlen = signed_len - image_len;

	(void)state;
	assert_int_equal(image_len % 4096, 0);
	assert_int_equal(gapimg_verify_image(tmp("img.sqfs"), NULL, pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_OK);
	assert_string_equal(r.found_key, gapimg_key_id(pub));
	assert_int_equal(r.seal.image_bytes, image_len);
	assert_int_equal(r.seal.epoch, 1700000000);
	assert_int_equal(r.manifest_len, tlen - TRAILER_MIN_LEN);
	assert_memory_equal(r.manifest, signed_bytes + image_len + TRAILER_HEADER_LEN,
			    r.manifest_len);
	gapimg_verify_result_free(&r);
	/* The detached signature is the trailer's bytes. */
	{
		size_t n;
		unsigned char *sig = slurp(tmp("img.sig"), &n);

		assert_int_equal(n, tlen);
		assert_memory_equal(sig, signed_bytes + image_len, n);
		free(sig);
	}
	/* ...and verifies the unsigned image, and the signed one. */
	assert_int_equal(gapimg_verify_image(tmp("unsigned.sqfs"), tmp("img.sig"), pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_OK);
	gapimg_verify_result_free(&r);
	assert_int_equal(gapimg_verify_image(tmp("img.sqfs"), tmp("img.sig"), pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_OK);
	gapimg_verify_result_free(&r);
}

static void test_reproducible(void **state)
{
	struct gapimg_error err;
	unsigned char *again;
	size_t n;

	(void)state;
	/* Signing the unsigned copy again, and re-signing the signed image:
	 * the same bytes every time (Ed25519 is deterministic). */
	spew(tmp("again.sqfs"), signed_bytes, image_len);
	assert_int_equal(gapimg_sign_image(tmp("again.sqfs"), priv, tmp("img.manifest.json"), NULL, NULL, &err), 0);
	again = slurp(tmp("again.sqfs"), &n);
	assert_int_equal(n, signed_len);
	assert_memory_equal(again, signed_bytes, n);
	free(again);
	assert_int_equal(gapimg_sign_image(tmp("again.sqfs"), priv, NULL, NULL, NULL, &err), 0);
	again = slurp(tmp("again.sqfs"), &n);
	assert_int_equal(n, signed_len);
	assert_memory_equal(again, signed_bytes, n);
	free(again);
}

/* Which check a flipped byte at offset off must fail. */
static enum gapimg_verify_status expected_for_flip(size_t off)
{
	size_t t = off - image_len, mlen = signed_len - image_len - TRAILER_MIN_LEN;

	if (off < image_len)
		return GAPIMG_VERIFY_MODIFIED;
	if (t < 16)                              /* magic */
		return GAPIMG_VERIFY_MALFORMED;
	if (t < 24)                              /* version, header length */
		return GAPIMG_VERIFY_MALFORMED;
	if (t < 32)                              /* image length */
		return GAPIMG_VERIFY_MALFORMED;
	if (t < 136)                             /* digests, epoch */
		return GAPIMG_VERIFY_BAD_SIGNATURE;
	if (t < 144)                             /* key id */
		return GAPIMG_VERIFY_WRONG_KEY;
	if (t < 160)                             /* algorithm, lengths */
		return GAPIMG_VERIFY_MALFORMED;
	if (t < 160 + mlen + 64)                 /* manifest, signature */
		return GAPIMG_VERIFY_BAD_SIGNATURE;
	return GAPIMG_VERIFY_MALFORMED;          /* footer */
}

static void test_every_byte_flipped(void **state)
{
	unsigned char *copy = malloc(signed_len);
	size_t off;
	int bit;

	(void)state;
	assert_non_null(copy);
	memcpy(copy, signed_bytes, signed_len);
	for (off = 0; off < signed_len; off++) {
		for (bit = 0; bit < 8; bit += 7) {
			enum gapimg_verify_status s, want = expected_for_flip(off);

			copy[off] ^= (unsigned char)(1u << bit);
			s = check_bytes(copy, signed_len, pub);
			copy[off] = signed_bytes[off];
			if (s != want)
				fail_msg("byte %zu (bit %d) flipped: status %s, expected %s", off,
					 bit, gapimg_verify_status_name(s),
					 gapimg_verify_status_name(want));
		}
	}
	free(copy);
}

static void test_truncated(void **state)
{
	size_t len;

	(void)state;
	for (len = 0; len < signed_len; len++) {
		enum gapimg_verify_status s = check_bytes(signed_bytes, len, pub);
		enum gapimg_verify_status want = len == image_len ? GAPIMG_VERIFY_UNSIGNED
								  : GAPIMG_VERIFY_TRUNCATED;

		/* The superblock's bytes_used: the image ends there too. */
		if (len < image_len && len >= 96 &&
		    len == (size_t)trailer_le64(signed_bytes + 40))
			want = GAPIMG_VERIFY_UNSIGNED;
		if (s != want)
			fail_msg("cut at %zu of %zu: status %s, expected %s", len, signed_len,
				 gapimg_verify_status_name(s), gapimg_verify_status_name(want));
	}
}

static void put_le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void test_lying_lengths(void **state)
{
	static const uint64_t lies[] = { 0, 1, 23, 24, 247, 248, 4096, 1u << 20,
					 UINT32_MAX, (uint64_t)INT64_MAX, UINT64_MAX };
	unsigned char *copy = malloc(signed_len + 8);
	size_t tlen = signed_len - image_len, i;
	struct gapimg_verify_result r;
	struct gapimg_error err;

	(void)state;
	assert_non_null(copy);
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		/* the footer's total */
		memcpy(copy, signed_bytes, signed_len);
		put_le64(copy + signed_len - 24, lies[i]);
		assert_int_equal(check_bytes(copy, signed_len, pub), GAPIMG_VERIFY_MALFORMED);
		/* the header's manifest length */
		memcpy(copy, signed_bytes, signed_len);
		put_le64(copy + image_len + 152, lies[i]);
		assert_int_equal(check_bytes(copy, signed_len, pub), GAPIMG_VERIFY_MALFORMED);
		/* the header's image length (when it is a lie) */
		memcpy(copy, signed_bytes, signed_len);
		put_le64(copy + image_len + 24, lies[i]);
		if (lies[i] != image_len)
			assert_int_equal(check_bytes(copy, signed_len, pub),
					 GAPIMG_VERIFY_MALFORMED);
	}
	/* A well-formed trailer moved 8 bytes later: its image length lies. */
	memset(copy, 0, signed_len + 8);
	memcpy(copy, signed_bytes, image_len);
	memcpy(copy + image_len + 8, signed_bytes + image_len, tlen);
	spew(tmp("moved.sqfs"), copy, signed_len + 8);
	assert_int_equal(gapimg_verify_image(tmp("moved.sqfs"), NULL, pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_MALFORMED);
	assert_non_null(strstr(r.reason, "the signature trailer says the image is"));
	gapimg_verify_result_free(&r);
	free(copy);
}

/* Signed with the right key over a manifest whose numbers are wrong. */
static void test_signed_lies(void **state)
{
	struct gapimg_verify_result r;
	struct gapimg_error err;
	struct gapimg_seal seal;
	unsigned char *t, *copy;
	size_t tlen;
	char *m;

	(void)state;
	/* The signer claims a longer image than there is. */
	spew(tmp("lie.sqfs"), signed_bytes, image_len);
	m = manifest_for(tmp("lie.sqfs"), image_len + 4096);
	assert_int_equal(gapimg_seal_from_manifest(m, strlen(m), &seal, &err), 0);
	assert_int_equal(gapimg_trailer_make(priv, &seal, m, strlen(m), &t, &tlen, &err), 0);
	copy = malloc(image_len + tlen);
	memcpy(copy, signed_bytes, image_len);
	memcpy(copy + image_len, t, tlen);
	assert_int_equal(check_bytes(copy, image_len + tlen, pub), GAPIMG_VERIFY_MALFORMED);
	/* Detached, the same lie is a file cut short. */
	spew(tmp("lie.sig"), t, tlen);
	assert_int_equal(gapimg_verify_image(tmp("lie.sqfs"), tmp("lie.sig"), pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_TRUNCATED);
	gapimg_verify_result_free(&r);
	free(copy);
	free(t);
	/* trailer_make refuses a seal the manifest does not state */
	seal.epoch++;
	assert_int_equal(gapimg_trailer_make(priv, &seal, m, strlen(m), &t, &tlen, &err), -1);
	assert_string_equal(err.msg, "the manifest does not state the image, recipe, lock "
				     "and epoch being signed");
	free(m);
}

static void test_wrong_key_and_unsigned(void **state)
{
	struct gapimg_verify_result r;
	struct gapimg_error err;
	char want[200];

	(void)state;
	assert_int_equal(gapimg_verify_image(tmp("img.sqfs"), NULL, other, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_WRONG_KEY);
	assert_string_equal(r.expected_key, gapimg_key_id(other));
	assert_string_equal(r.found_key, gapimg_key_id(pub));
	snprintf(want, sizeof(want), "%s is signed with key %s, not with the expected key %s",
		 tmp("img.sqfs"), gapimg_key_id(pub), gapimg_key_id(other));
	assert_string_equal(r.reason, want);
	gapimg_verify_result_free(&r);

	assert_int_equal(gapimg_verify_image(tmp("unsigned.sqfs"), NULL, pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_UNSIGNED);
	gapimg_verify_result_free(&r);

	/* Junk after an image is not a signature. */
	{
		unsigned char *copy = malloc(image_len + 300);

		memcpy(copy, signed_bytes, image_len);
		memset(copy + image_len, 'x', 300);
		assert_int_equal(check_bytes(copy, image_len + 300, pub), GAPIMG_VERIFY_MALFORMED);
		free(copy);
	}
	/* Not an image at all. */
	assert_int_equal(check_bytes("hello, this is not a SquashFS image, but it is long "
				     "enough to hold a superblock and then some more.....",
				     100, pub), GAPIMG_VERIFY_MALFORMED);
}

static void test_detached_modified(void **state)
{
	struct gapimg_verify_result r;
	struct gapimg_error err;
	unsigned char *copy = malloc(image_len);

	(void)state;
	memcpy(copy, signed_bytes, image_len);
	copy[image_len / 2] ^= 0x20;
	spew(tmp("mod.sqfs"), copy, image_len);
	assert_int_equal(gapimg_verify_image(tmp("mod.sqfs"), tmp("img.sig"), pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_MODIFIED);
	gapimg_verify_result_free(&r);
	/* bytes after what the detached signature covers */
	spew(tmp("mod.sqfs"), signed_bytes, image_len);
	{
		FILE *f = fopen(tmp("mod.sqfs"), "ab");

		fputs("appended", f);
		fclose(f);
	}
	assert_int_equal(gapimg_verify_image(tmp("mod.sqfs"), tmp("img.sig"), pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_MALFORMED);
	gapimg_verify_result_free(&r);
	free(copy);
}

static void test_sign_refusals(void **state)
{
	struct gapimg_error err;
	unsigned char *before, *after;
	size_t n, m;
	char want[1024];

	(void)state;
	/* A manifest for other bytes: nothing is signed, nothing changes. */
	spew(tmp("changed.sqfs"), signed_bytes, image_len);
	{
		int fd = open(tmp("changed.sqfs"), O_WRONLY);

		assert_int_equal(pwrite(fd, "Z", 1, 200), 1);
		close(fd);
	}
	before = slurp(tmp("changed.sqfs"), &n);
	assert_int_equal(gapimg_sign_image(tmp("changed.sqfs"), priv, tmp("img.manifest.json"),
					   NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "it was changed since it was built, or this is "
				       "another image's manifest; nothing was signed"));
	after = slurp(tmp("changed.sqfs"), &m);
	assert_int_equal(m, n);
	assert_memory_equal(after, before, n);
	free(before);
	free(after);
	/* An unsigned image without a manifest. */
	assert_int_equal(gapimg_sign_image(tmp("unsigned.sqfs"), priv, NULL, NULL, NULL, &err), -1);
	snprintf(want, sizeof(want), "%s is not signed yet, so it holds no manifest: give the "
		 "one gapimg build wrote beside it (--manifest NAME.manifest.json)",
		 tmp("unsigned.sqfs"));
	assert_string_equal(err.msg, want);
	/* A public key cannot sign: the image is unchanged. */
	assert_int_equal(gapimg_sign_image(tmp("img.sqfs"), pub, NULL, NULL, NULL, &err), -1);
	snprintf(want, sizeof(want), "key %s is a public key: signing needs the private key "
		 "file (NAME.key)", gapimg_key_id(pub));
	assert_string_equal(err.msg, want);
	after = slurp(tmp("img.sqfs"), &m);
	assert_int_equal(m, signed_len);
	assert_memory_equal(after, signed_bytes, m);
	free(after);
	/* A truncated image is not signed again. */
	spew(tmp("cut.sqfs"), signed_bytes, signed_len - 5);
	assert_int_equal(gapimg_sign_image(tmp("cut.sqfs"), priv, NULL, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "cannot sign"));
	assert_non_null(strstr(err.msg, "is cut short"));
}

/* A copy of the signed image whose trailer's manifest says "tinz", not
 * "tiny", with the old signature left as it was. */
static unsigned char *forged(void)
{
	unsigned char *copy = malloc(signed_len);
	unsigned char *p;

	assert_non_null(copy);
	memcpy(copy, signed_bytes, signed_len);
	p = memmem(copy + image_len, signed_len - image_len, "\"tiny\"", 6);
	assert_non_null(p);
	p[4] = 'z';
	return copy;
}

/* Re-signing takes the old trailer's manifest only when its signature
 * holds: a forged manifest is never signed by a trusted key. */
static void test_resign_checks_old_signature(void **state)
{
	struct gapimg_error err;
	unsigned char *copy = forged(), *after;
	size_t n;

	(void)state;
	spew(tmp("forged.sqfs"), copy, signed_len);
	assert_int_equal(check_bytes(copy, signed_len, pub), GAPIMG_VERIFY_BAD_SIGNATURE);
	/* the same key: checked with it */
	assert_int_equal(gapimg_sign_image(tmp("forged.sqfs"), priv, NULL, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "cannot sign "));
	assert_non_null(strstr(err.msg, " again: its old signature does not hold ("));
	/* another key: only with the old key, and then checked */
	assert_int_equal(gapimg_sign_image(tmp("img.sqfs"), priv, NULL, other, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "is signed with key"));
	after = slurp(tmp("forged.sqfs"), &n);
	assert_int_equal(n, signed_len);
	assert_memory_equal(after, copy, n);
	free(after);
	free(copy);
}

/* A detached signature vouches only for the bytes it covers: what follows
 * them must be a trailer for the same image and manifest. */
static void test_detached_with_foreign_trailer(void **state)
{
	struct gapimg_verify_result r;
	struct gapimg_error err;
	unsigned char *copy = forged();

	(void)state;
	spew(tmp("ft.sqfs"), copy, signed_len);
	assert_int_equal(gapimg_verify_image(tmp("ft.sqfs"), tmp("img.sig"), pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_MALFORMED);
	assert_non_null(strstr(r.reason, "they are not a signature trailer for the same image "
					 "and manifest"));
	gapimg_verify_result_free(&r);
	/* junk after the covered bytes */
	memcpy(copy, signed_bytes, image_len);
	memset(copy + image_len, 'j', 100);
	spew(tmp("ft.sqfs"), copy, image_len + 100);
	assert_int_equal(gapimg_verify_image(tmp("ft.sqfs"), tmp("img.sig"), pub, &r, &err), 0);
	assert_int_equal(r.status, GAPIMG_VERIFY_MALFORMED);
	gapimg_verify_result_free(&r);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_every_byte_flipped),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_lying_lengths),
		cmocka_unit_test(test_signed_lies),
		cmocka_unit_test(test_wrong_key_and_unsigned),
		cmocka_unit_test(test_detached_modified),
		cmocka_unit_test(test_sign_refusals),
		cmocka_unit_test(test_resign_checks_old_signature),
		cmocka_unit_test(test_detached_with_foreign_trailer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
