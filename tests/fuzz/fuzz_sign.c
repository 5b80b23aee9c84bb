/*
 * libFuzzer target for signed images (src/sign/, docs/signing.md).  An
 * image and its signature trailer arrive on removable media, so every
 * byte of both is untrusted.  Each input goes through all of:
 *
 *   1. trailer_parse(), as a whole trailer (what a detached signature
 *      file holds), and trailer_announced_len();
 *   2. gapimg_seal_from_manifest(), as a manifest; when that reads it,
 *      gapimg_trailer_make() signs it with the fixed key, and the trailer
 *      is parsed back and verified after a fixed tiny image, embedded and
 *      detached;
 *   3. gapimg_verify_image() on the input as an image file, without a
 *      key and with the fixed public key;
 *   4. gapimg_verify_image() on two fixed images (a tiny unsigned
 *      SquashFS image, and the same image signed with the fixed key) with
 *      the input as their detached signature, without a key and with it;
 *   5. gapimg_sign_image() with the fixed key on a copy of the input,
 *      when 3. found it well formed (keeping the trailer's manifest, with
 *      the old key given or not, or with the tiny image's manifest file)
 *      or unsigned (with that manifest file), with a detached signature
 *      too.
 *
 * Also linked into fuzz_replay_sign (replay.c), so that gcc builds
 * without libFuzzer run tests/fuzz/corpus-sign as a regression test.
 *
 * Besides the sanitizers (and a check that no file descriptor is left
 * open), the promises callers rely on are checked; a broken one prints
 * "fuzz_sign.c:LINE: ... does not hold" and aborts, which makes libFuzzer
 * save the input.
 *
 * trailer_parse (src/sign/internal.h): it returns 0 or -1, with a reason
 * on -1.  On 0 the parts lie inside the buffer and add up to it exactly
 * (160-byte header, manifest, 64-byte signature, 24-byte footer), the
 * magic, end marker and footer length are there, every field is the
 * little-endian value at its offset, and trailer_announced_len() gives
 * the same length.  trailer_announced_len() on any bytes gives 0 or a
 * length between the smallest and the largest trailer.
 *
 * gapimg_seal_from_manifest: 0, or -1 with GAPIMG_E_CORRUPT and a
 * message.  A manifest it reads, gapimg_trailer_make() signs (a public
 * key and a seal the manifest does not state are refused with
 * GAPIMG_E_INVALID), and trailer_parse() reads that trailer back to the
 * same seal, manifest bytes, key id and a signature that holds.  After
 * the tiny image, the trailer verifies exactly when the manifest states
 * the tiny image (242 bytes, its SHA-256); otherwise the result is the
 * one docs/signing.md gives (malformed for another length, modified for
 * another digest; detached: truncated for a longer image, modified for
 * a shorter one or another digest).
 *
 * gapimg_verify_image: it returns 0 (it never fails to read these files);
 * the status is one of the enum's, the reason is set, the expected key
 * is "" without a key and the fixed key's id with it.  Without a key:
 * status OK means the input ends in a trailer that trailer_parse()
 * reads, right after the image length it states, and only then is there
 * a manifest; files shorter than a superblock are truncated; unsigned
 * files are SquashFS images that end at bytes_used or its 4 KiB padding.
 * With the key: up to the structure, the outcome is the keyless one (same
 * status and reason); after it, another key id gives wrong-key, a
 * signature that does not hold (verify_ed25519) bad-signature; and OK is
 * re-checked independently: the SHA-256 of the signed bytes, the
 * SquashFS magic, bytes_used within them, and the manifest stating the
 * signed header.  Detached (the input as the signature of a fixed
 * image): bytes trailer_parse() refuses are malformed; otherwise, without
 * a key, the status follows from the signed image length and content
 * alone: longer than the image, truncated; shorter than a superblock,
 * malformed; the image's length, OK; shorter, OK only when the image
 * ends in an embedded trailer with the same seal and manifest, else
 * malformed.  Random inputs are never required not to verify; a seed
 * that is truly signed with the fixed key does.
 *
 * gapimg_sign_image: it succeeds exactly when (worked out here) an old
 * trailer's manifest is kept only if the old signature holds (the old
 * key given, or the fixed key named by the trailer), the manifest reads
 * and states the image part's length and SHA-256, and the image part is
 * SquashFS with bytes_used within it.  Then the file is the image part
 * followed by the trailer gapimg_trailer_make() makes (Ed25519 is
 * deterministic), the detached signature holds the same trailer, and the
 * file verifies with the key.  When it fails, it says why, the file is
 * as it was, and no detached signature is written.  Either way no
 * temporary file is left beside it.
 *
 * Texts are copied to end exactly where a page ends, before a PROT_NONE
 * guard page (as in fuzz_lock.c): a read past the end faults even inside
 * libc or jansson, which ASan does not instrument.
 *
 * The fixed key pair below was made for this target with `gapimg keygen
 * fuzz` and is published with it on purpose: it signs the seeds in
 * tests/fuzz/corpus-sign and nothing else.  The tiny image is `gapimg
 * pack --epoch 1700000000 --block-size 4K` of a folder holding one file,
 * hello ("tiny\n"), cut to its bytes_used (242; no padding, so that
 * inputs stay small).  The seeds in tests/fuzz/corpus-sign were made
 * from it (and from the same image padded to 4 KiB, as gapimg pack
 * writes it) with `gapimg sign IMAGE --key fuzz.key --manifest
 * tiny.manifest.json --detached-sig` (the manifest is tiny_manifest
 * below; the padded image's says 4096 bytes and its digest; the
 * signed-manifest-plus* ones end it in one or two more newlines, so that
 * the three ways of step 5, chosen by the input's length, each have a
 * signed seed), by signing with another key (other-key.*), by signing
 * with the fixed key what gapimg never signs (signed-not-squashfs,
 * signed-bytes-used-long, signed-manifest-disagrees and -unusable: header
 * and manifest made by hand, signed with `openssl pkeyutl -sign -rawin
 * -inkey fuzz.key`), and by cutting (truncated-*),
 * extending (junk-*) or changing one byte (modified-image, bad-signature,
 * lying-footer) of the results.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gapimg/error.h"
#include "gapimg/sha256.h"
#include "gapimg/sign.h"
#include "sign/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond))                                            \
			broken(__LINE__, #cond);                        \
	} while (0)

static void broken(int line, const char *what)
{
	fprintf(stderr, "fuzz_sign.c:%d: %s does not hold\n", line, what);
	abort();
}

/* ---- the fixed key, image and manifest ---- */

#define FUZZ_KEYID "a404318d9bcbf883"

static const char fuzz_pub_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEA0+uPYvkQlLe2Ii9W2+xc4VWEreagr8Dg2SiaMqP8Qhc=\n"
	"-----END PUBLIC KEY-----\n";

static const char fuzz_key_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIOmugmY/nmaDu+JX+37mRETRfTgq2C09wJqYpLF1mvc7\n"
	"-----END PRIVATE KEY-----\n";

#define TINY_LEN 242

static const unsigned char tiny_image[TINY_LEN] = {
	0x68, 0x73, 0x71, 0x73, 0x02, 0x00, 0x00, 0x00, 0x00, 0xf1, 0x53, 0x65,
	0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x0c, 0x00,
	0xe8, 0x02, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xf2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xea, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc2, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xdc, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x74, 0x69, 0x6e, 0x79, 0x0a, 0x2e, 0x00, 0x28, 0xb5, 0x2f, 0xfd, 0x20,
	0x40, 0x2d, 0x01, 0x00, 0x92, 0xc2, 0x06, 0x0f, 0xe0, 0x19, 0xc6, 0x20,
	0x80, 0x0f, 0x80, 0xf3, 0x01, 0x1c, 0xbf, 0xd9, 0x96, 0x32, 0x05, 0x07,
	0x17, 0xdf, 0x7f, 0xa6, 0x1e, 0x8a, 0x8c, 0xf3, 0x55, 0x2e, 0x02, 0x00,
	0x43, 0x15, 0x86, 0x0c, 0x94, 0x19, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x04, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x10, 0x80, 0x60, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xca, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x80, 0x00, 0x00, 0x00, 0x00, 0xe4, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
};

/* What gapimg build would write for it (fewer fields; signing reads
 * only image.bytes and image.sha256, epoch, recipe and lock digests). */
static const char tiny_manifest[] =
	"{\n"
	"  \"arch\": \"amd64\",\n"
	"  \"epoch\": 1700000000,\n"
	"  \"image\": {\n"
	"    \"bytes\": 242,\n"
	"    \"name\": \"tiny\",\n"
	"    \"sha256\": \"51b5712514f93aa8a715d322e1121104811c30b6d8472ea20b96dbac5a76f69e\",\n"
	"    \"version\": \"1\"\n"
	"  },\n"
	"  \"lock\": {\n"
	"    \"digest\": \"2222222222222222222222222222222222222222222222222222222222222222\"\n"
	"  },\n"
	"  \"manifest\": 1,\n"
	"  \"recipe\": {\n"
	"    \"digest\": \"1111111111111111111111111111111111111111111111111111111111111111\"\n"
	"  }\n"
	"}\n";

/* Files in a folder of our own, made at the first call. */
static struct {
	char dir[256];
	char input[320], pub[320], key[320], tiny[320], signed_img[320];
	char made_img[320], made_sig[320], manifest[320], resign[320], resign_sig[320];
	struct gapimg_key *pubkey, *privkey;
	uint8_t tiny_sha[GAPIMG_SHA256_LEN];
	struct gapimg_seal tiny_seal;    /* what tiny_manifest states */
	unsigned char *signed_bytes;     /* the tiny image and its trailer */
	size_t signed_len;
	int free_fd;                     /* the lowest free descriptor */
	int fd_moves;                    /* times it moved up for good */
} fx;

/* ---- texts that end at a guard page ---- */

struct guard {
	unsigned char *region;   /* size readable bytes, then a guard page */
	size_t size;
};

static struct guard g_input, g_text, g_tail;

/* A copy of data[0..len) whose last byte is the last readable byte before
 * a PROT_NONE page; valid until the next call on the same guard. */
static const unsigned char *guard_copy(struct guard *g, const void *data, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (g->region == NULL || len > g->size) {
		size_t want = len ? (len + page - 1) / page * page : page;
		void *m;

		if (g->region != NULL)
			munmap(g->region, g->size + page);
		m = mmap(NULL, want + page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(m != MAP_FAILED && mprotect((char *)m + want, page, PROT_NONE) == 0);
		g->region = m;
		g->size = want;
	}
	if (len)
		memcpy(g->region + g->size - len, data, len);
	return g->region + g->size - len;
}

/* ---- set up once ---- */

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	CHECK(fd >= 0);
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n > 0);
		p += n;
		len -= (size_t)n;
	}
	CHECK(close(fd) == 0);
}

static void cleanup(void)
{
	const char *files[] = { fx.input, fx.pub, fx.key, fx.tiny, fx.signed_img,
				fx.made_img, fx.made_sig, fx.manifest, fx.resign,
				fx.resign_sig };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir(fx.dir);
	gapimg_key_free(fx.pubkey);
	gapimg_key_free(fx.privkey);
	free(fx.signed_bytes);
}

/* The whole of a file, malloc'd. */
static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	buf = malloc((size_t)st.st_size + 1);
	CHECK(buf != NULL);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n > 0);
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0);
	close(fd);
	return fd;
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	struct gapimg_verify_result r;
	struct gapimg_error err;
	struct gapimg_seal seal;
	unsigned char *trailer;
	size_t tlen;

	snprintf(fx.dir, sizeof(fx.dir), "%s/gapimg-fuzz-sign-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(fx.dir) != NULL);
	snprintf(fx.input, sizeof(fx.input), "%s/input", fx.dir);
	snprintf(fx.pub, sizeof(fx.pub), "%s/fuzz.pub", fx.dir);
	snprintf(fx.key, sizeof(fx.key), "%s/fuzz.key", fx.dir);
	snprintf(fx.tiny, sizeof(fx.tiny), "%s/tiny.sqfs", fx.dir);
	snprintf(fx.signed_img, sizeof(fx.signed_img), "%s/signed.sqfs", fx.dir);
	snprintf(fx.made_img, sizeof(fx.made_img), "%s/made.sqfs", fx.dir);
	snprintf(fx.made_sig, sizeof(fx.made_sig), "%s/made.sig", fx.dir);
	snprintf(fx.manifest, sizeof(fx.manifest), "%s/tiny.manifest.json", fx.dir);
	snprintf(fx.resign, sizeof(fx.resign), "%s/resign.sqfs", fx.dir);
	snprintf(fx.resign_sig, sizeof(fx.resign_sig), "%s/resign.sqfs.sig", fx.dir);
	atexit(cleanup);

	write_file(fx.pub, fuzz_pub_pem, strlen(fuzz_pub_pem), 0644);
	write_file(fx.key, fuzz_key_pem, strlen(fuzz_key_pem), 0600);
	write_file(fx.tiny, tiny_image, TINY_LEN, 0644);
	write_file(fx.manifest, tiny_manifest, strlen(tiny_manifest), 0644);
	if (gapimg_key_load_public(fx.pub, &fx.pubkey, &err) < 0 ||
	    gapimg_key_load_private(fx.key, &fx.privkey, &err) < 0) {
		fprintf(stderr, "fuzz_sign: %s\n", err.msg);
		abort();
	}
	CHECK(strcmp(gapimg_key_id(fx.pubkey), FUZZ_KEYID) == 0);
	CHECK(strcmp(gapimg_key_id(fx.privkey), FUZZ_KEYID) == 0);

	/* The constants agree: the manifest states the tiny image, which
	 * signed verifies and unsigned is unsigned. */
	gapimg_sha256(tiny_image, TINY_LEN, fx.tiny_sha);
	CHECK(gapimg_seal_from_manifest(tiny_manifest, strlen(tiny_manifest), &seal, &err) == 0);
	CHECK(seal.image_bytes == TINY_LEN &&
	      memcmp(seal.image_sha256, fx.tiny_sha, GAPIMG_SHA256_LEN) == 0);
	fx.tiny_seal = seal;
	CHECK(gapimg_trailer_make(fx.privkey, &seal, tiny_manifest, strlen(tiny_manifest),
				  &trailer, &tlen, &err) == 0);
	fx.signed_len = TINY_LEN + tlen;
	fx.signed_bytes = malloc(fx.signed_len);
	CHECK(fx.signed_bytes != NULL);
	memcpy(fx.signed_bytes, tiny_image, TINY_LEN);
	memcpy(fx.signed_bytes + TINY_LEN, trailer, tlen);
	free(trailer);
	write_file(fx.signed_img, fx.signed_bytes, fx.signed_len, 0644);
	CHECK(gapimg_verify_image(fx.signed_img, NULL, fx.pubkey, &r, &err) == 0);
	CHECK(r.status == GAPIMG_VERIFY_OK);
	gapimg_verify_result_free(&r);
	CHECK(gapimg_verify_image(fx.tiny, NULL, fx.pubkey, &r, &err) == 0);
	CHECK(r.status == GAPIMG_VERIFY_UNSIGNED);
	gapimg_verify_result_free(&r);

	fx.free_fd = lowest_free_fd();
}

/* ---- shared checks ---- */

static int seal_eq(const struct gapimg_seal *a, const struct gapimg_seal *b)
{
	return a->image_bytes == b->image_bytes && a->epoch == b->epoch &&
	       memcmp(a->image_sha256, b->image_sha256, GAPIMG_SHA256_LEN) == 0 &&
	       memcmp(a->recipe_sha256, b->recipe_sha256, GAPIMG_SHA256_LEN) == 0 &&
	       memcmp(a->lock_sha256, b->lock_sha256, GAPIMG_SHA256_LEN) == 0;
}

static int is_keyid(const char *s)
{
	size_t i;

	for (i = 0; i < 2 * GAPIMG_KEYID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

/* The manifest as the signed header states it (what verify's last step
 * checks). */
static int manifest_states(const unsigned char *m, size_t len, const struct gapimg_seal *seal)
{
	struct gapimg_seal stated;
	struct gapimg_error err;

	return gapimg_seal_from_manifest((const char *)guard_copy(&g_text, m, len), len,
					 &stated, &err) == 0 && seal_eq(&stated, seal);
}

/* gapimg_verify_image, which must run, and the promises of any result. */
static void verify_checked(const char *image, const char *sig, const struct gapimg_key *key,
			   uint64_t file_bytes, struct gapimg_verify_result *r)
{
	struct gapimg_error err;

	gapimg_error_clear(&err);
	if (gapimg_verify_image(image, sig, key, r, &err) != 0) {
		fprintf(stderr, "fuzz_sign: gapimg_verify_image(%s, %s) failed: %s\n", image,
			sig ? sig : "NULL", err.msg);
		abort();
	}
	CHECK((unsigned)r->status <= GAPIMG_VERIFY_MALFORMED);
	CHECK(strcmp(gapimg_verify_status_name(r->status), "unknown") != 0);
	CHECK(r->reason != NULL && r->reason[0] != '\0');
	CHECK(strcmp(r->expected_key, key ? FUZZ_KEYID : "") == 0);
	CHECK(r->file_bytes == file_bytes);
	if (r->status == GAPIMG_VERIFY_OK) {
		CHECK(r->manifest != NULL && r->manifest[r->manifest_len] == '\0');
		CHECK(r->manifest_len <= TRAILER_MANIFEST_MAX);
		CHECK(is_keyid(r->found_key));
		CHECK(r->seal.image_bytes <= file_bytes);
	}
	if (r->status == GAPIMG_VERIFY_WRONG_KEY)
		CHECK(key != NULL && is_keyid(r->found_key) &&
		      strcmp(r->found_key, r->expected_key) != 0);
}

/*
 * The same file checked without a key and with one: the same outcome up
 * to the structure; after it, the key id, then the signature (sig_ok,
 * which verify_ed25519 gave on the trailer's bytes) decide.
 */
static void check_keyed(const struct gapimg_verify_result *nokey,
			const struct gapimg_verify_result *keyed, int sig_ok)
{
	if (nokey->status != GAPIMG_VERIFY_OK) {
		CHECK(nokey->manifest == NULL && keyed->manifest == NULL);
		CHECK(keyed->status == nokey->status);
		CHECK(strcmp(keyed->reason, nokey->reason) == 0);
		return;
	}
	CHECK(strcmp(keyed->found_key, nokey->found_key) == 0);
	CHECK(seal_eq(&keyed->seal, &nokey->seal));
	CHECK(keyed->manifest != NULL && keyed->manifest_len == nokey->manifest_len &&
	      memcmp(keyed->manifest, nokey->manifest, nokey->manifest_len) == 0);
	if (strcmp(nokey->found_key, FUZZ_KEYID) != 0)
		CHECK(keyed->status == GAPIMG_VERIFY_WRONG_KEY);
	else if (!sig_ok)
		CHECK(keyed->status == GAPIMG_VERIFY_BAD_SIGNATURE);
	else
		CHECK(keyed->status == GAPIMG_VERIFY_OK ||
		      keyed->status == GAPIMG_VERIFY_MODIFIED ||
		      keyed->status == GAPIMG_VERIFY_MALFORMED);
}

/* What a verified image must be, checked without the verifier: img is
 * the file's first len bytes (at least the signed ones). */
static void check_verified(const unsigned char *img, size_t len, const unsigned char *manifest,
			   size_t manifest_len, const struct gapimg_seal *seal)
{
	uint8_t sum[GAPIMG_SHA256_LEN];

	CHECK(seal->image_bytes <= len);
	gapimg_sha256(img, (size_t)seal->image_bytes, sum);
	CHECK(memcmp(sum, seal->image_sha256, sizeof(sum)) == 0);
	/* the file holds a superblock (verify checks that first) */
	CHECK(len >= 96 && memcmp(img, "hsqs", 4) == 0);
	CHECK(trailer_le64(img + 40) <= seal->image_bytes);
	CHECK(manifest_states(manifest, manifest_len, seal));
}

/* ---- 1. the input as a whole trailer ---- */

static int fuzz_trailer(const unsigned char *buf, size_t len, struct trailer *t, int *sig_ok)
{
	char why[512];
	uint64_t announced = trailer_announced_len(buf, len), mlen;
	int rc;
	size_t i;

	CHECK(announced == 0 ||
	      (announced >= TRAILER_MIN_LEN && announced <= TRAILER_MAX_LEN &&
	       len >= TRAILER_HEADER_LEN && memcmp(buf, TRAILER_MAGIC, TRAILER_MAGIC_LEN) == 0));
	why[0] = '\0';
	*sig_ok = 0;
	rc = trailer_parse(buf, len, t, why, sizeof(why));
	if (rc == -1) {
		CHECK(why[0] != '\0');
		return 0;
	}
	CHECK(rc == 0);
	mlen = t->manifest_len;
	CHECK(len >= TRAILER_MIN_LEN && mlen <= TRAILER_MANIFEST_MAX);
	CHECK(TRAILER_MIN_LEN + mlen == len && t->len == len);
	CHECK(t->manifest == buf + TRAILER_HEADER_LEN);
	CHECK(t->sig == t->manifest + mlen && t->signed_len == TRAILER_HEADER_LEN + mlen);
	CHECK(t->sig + t->sig_len + TRAILER_FOOTER_LEN == buf + len);
	CHECK(t->version == TRAILER_VERSION && t->sig_alg == TRAILER_ALG_ED25519 &&
	      t->sig_len == SIGN_ED25519_LEN);
	CHECK(memcmp(buf, TRAILER_MAGIC, TRAILER_MAGIC_LEN) == 0);
	CHECK(memcmp(buf + len - TRAILER_MAGIC_LEN, TRAILER_END, TRAILER_MAGIC_LEN) == 0);
	CHECK(trailer_le64(buf + len - TRAILER_FOOTER_LEN) == len);
	CHECK(trailer_le64(buf + 152) == mlen);
	CHECK(t->seal.image_bytes == trailer_le64(buf + 24));
	CHECK((uint64_t)t->seal.epoch == trailer_le64(buf + 64));
	CHECK(memcmp(t->seal.image_sha256, buf + 32, GAPIMG_SHA256_LEN) == 0);
	CHECK(memcmp(t->seal.recipe_sha256, buf + 72, GAPIMG_SHA256_LEN) == 0);
	CHECK(memcmp(t->seal.lock_sha256, buf + 104, GAPIMG_SHA256_LEN) == 0);
	for (i = 0; i < GAPIMG_KEYID_LEN; i++)
		CHECK(t->keyid[i] == buf[136 + i]);
	CHECK(announced == len);
	*sig_ok = verify_ed25519(fx.pubkey, buf, (size_t)t->signed_len, t->sig, t->sig_len) == 1;
	/* The manifest reader, on what a trailer carries. */
	(void)manifest_states(t->manifest, (size_t)mlen, &t->seal);
	return 1;
}

/* ---- 2. the input as a manifest ---- */

static void fuzz_manifest(const unsigned char *data, size_t size)
{
	const char *m = (const char *)guard_copy(&g_text, data, size);
	struct gapimg_verify_result r;
	struct gapimg_seal seal, other;
	struct gapimg_error err;
	struct trailer t;
	unsigned char *out, *made;
	size_t outlen;
	char why[512], hex[GAPIMG_KEYID_HEX];
	enum gapimg_verify_status want;
	int rc;

	gapimg_error_clear(&err);
	rc = gapimg_seal_from_manifest(m, size, &seal, &err);
	if (rc == -1) {
		CHECK(err.code == GAPIMG_E_CORRUPT && err.msg[0] != '\0');
		return;
	}
	CHECK(rc == 0);

	/* Another seal, or a public key, is refused. */
	other = seal;
	other.epoch ^= 1;
	out = (unsigned char *)"x";
	CHECK(gapimg_trailer_make(fx.privkey, &other, m, size, &out, &outlen, &err) == -1);
	CHECK(err.code == GAPIMG_E_INVALID && out == NULL);
	CHECK(gapimg_trailer_make(fx.pubkey, &seal, m, size, &out, &outlen, &err) == -1);
	CHECK(err.code == GAPIMG_E_INVALID && out == NULL);

	/* What the writer makes, the reader reads back. */
	if (gapimg_trailer_make(fx.privkey, &seal, m, size, &out, &outlen, &err) != 0) {
		fprintf(stderr, "fuzz_sign: gapimg_trailer_make: %s\n", err.msg);
		abort();
	}
	CHECK(outlen == TRAILER_MIN_LEN + size);
	CHECK(trailer_parse(out, outlen, &t, why, sizeof(why)) == 0);
	CHECK(seal_eq(&t.seal, &seal));
	CHECK(t.manifest_len == size && memcmp(t.manifest, data, size) == 0);
	gapimg_hex(t.keyid, GAPIMG_KEYID_LEN, hex);
	CHECK(strcmp(hex, FUZZ_KEYID) == 0);
	CHECK(verify_ed25519(fx.pubkey, out, (size_t)t.signed_len, t.sig, t.sig_len) == 1);

	/* After the tiny image it verifies exactly when the manifest is the
	 * tiny image's. */
	made = malloc(TINY_LEN + outlen);
	CHECK(made != NULL);
	memcpy(made, tiny_image, TINY_LEN);
	memcpy(made + TINY_LEN, out, outlen);
	write_file(fx.made_img, made, TINY_LEN + outlen, 0644);
	free(made);
	if (seal.image_bytes != TINY_LEN)
		want = GAPIMG_VERIFY_MALFORMED;
	else if (memcmp(seal.image_sha256, fx.tiny_sha, GAPIMG_SHA256_LEN) != 0)
		want = GAPIMG_VERIFY_MODIFIED;
	else
		want = GAPIMG_VERIFY_OK;
	verify_checked(fx.made_img, NULL, fx.pubkey, TINY_LEN + outlen, &r);
	CHECK(r.status == want);
	gapimg_verify_result_free(&r);

	/* The same trailer, detached (nothing follows the tiny image, so a
	 * shorter signed length is malformed). */
	write_file(fx.made_sig, out, outlen, 0644);
	if (seal.image_bytes > TINY_LEN)
		want = GAPIMG_VERIFY_TRUNCATED;
	else if (seal.image_bytes < TINY_LEN)
		want = GAPIMG_VERIFY_MALFORMED;
	else if (memcmp(seal.image_sha256, fx.tiny_sha, GAPIMG_SHA256_LEN) != 0)
		want = GAPIMG_VERIFY_MODIFIED;
	else
		want = GAPIMG_VERIFY_OK;
	verify_checked(fx.tiny, fx.made_sig, fx.pubkey, TINY_LEN, &r);
	CHECK(r.status == want);
	gapimg_verify_result_free(&r);
	free(out);
}

/* ---- 5. signing the input again ---- */

/* Temporary files gapimg_sign_image left in our folder. */
static int leftovers(void)
{
	DIR *d = opendir(fx.dir);
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, ".gapimg-sign-", 13) == 0)
			n++;
	closedir(d);
	return n;
}

/* Is data[0..ib) a SquashFS image whose bytes_used lies within it? */
static int squashfs_within(const unsigned char *data, uint64_t ib)
{
	return ib >= 96 && memcmp(data, "hsqs", 4) == 0 && trailer_le64(data + 40) <= ib;
}

/* data was verified: nokey without a key, keyed with the fixed key. */
static void fuzz_resign(const unsigned char *data, size_t size,
			const struct gapimg_verify_result *nokey,
			const struct gapimg_verify_result *keyed)
{
	struct gapimg_verify_result r;
	struct gapimg_error err;
	struct gapimg_seal seal;
	const struct gapimg_key *old_key = NULL;
	const char *manifest_path = NULL, *m;
	unsigned char *trailer = NULL, *got;
	uint8_t sum[GAPIMG_SHA256_LEN];
	size_t mlen, tlen = 0, glen;
	uint64_t ib;
	int want_ok, old_ok = 1, rc;

	if (nokey->status == GAPIMG_VERIFY_OK) {
		ib = nokey->seal.image_bytes;
		/* Three ways, chosen by the input's length. */
		if (size % 3 == 2) {
			m = tiny_manifest;
			mlen = strlen(tiny_manifest);
			manifest_path = fx.manifest;
		} else {
			/* The old manifest, once its signature holds: with
			 * the old key, or with the signing key (the same
			 * key) when the trailer names it. */
			m = nokey->manifest;
			mlen = nokey->manifest_len;
			old_key = size % 3 ? fx.pubkey : NULL;
			old_ok = keyed->status == GAPIMG_VERIFY_OK;
		}
	} else if (nokey->status == GAPIMG_VERIFY_UNSIGNED) {
		ib = size;
		m = tiny_manifest;
		mlen = strlen(tiny_manifest);
		manifest_path = fx.manifest;
	} else {
		return;
	}
	/* What it must do, worked out without it. */
	gapimg_sha256(data, (size_t)ib, sum);
	want_ok = old_ok &&
		  gapimg_seal_from_manifest((const char *)guard_copy(&g_text, m, mlen), mlen,
					    &seal, &err) == 0 &&
		  seal.image_bytes == ib &&
		  memcmp(sum, seal.image_sha256, GAPIMG_SHA256_LEN) == 0 &&
		  squashfs_within(data, ib);
	if (want_ok)
		CHECK(gapimg_trailer_make(fx.privkey, &seal, m, mlen, &trailer, &tlen, &err) == 0);

	write_file(fx.resign, data, size, 0644);
	unlink(fx.resign_sig);
	gapimg_error_clear(&err);
	rc = gapimg_sign_image(fx.resign, fx.privkey, manifest_path, old_key, fx.resign_sig,
			       &err);
	got = slurp(fx.resign, &glen);
	CHECK(leftovers() == 0);
	if (!want_ok) {
		CHECK(rc == -1 && err.msg[0] != '\0');
		CHECK(glen == size && memcmp(got, data, size) == 0);
		CHECK(access(fx.resign_sig, F_OK) != 0);
		free(got);
		return;
	}
	if (rc != 0) {
		fprintf(stderr, "fuzz_sign: gapimg_sign_image: %s\n", err.msg);
		abort();
	}
	CHECK(glen == ib + tlen && memcmp(got, data, (size_t)ib) == 0 &&
	      memcmp(got + ib, trailer, tlen) == 0);
	free(got);
	got = slurp(fx.resign_sig, &glen);
	CHECK(glen == tlen && memcmp(got, trailer, tlen) == 0);
	free(got);
	free(trailer);
	verify_checked(fx.resign, NULL, fx.pubkey, ib + tlen, &r);
	CHECK(r.status == GAPIMG_VERIFY_OK);
	gapimg_verify_result_free(&r);
}

/* ---- 3. the input as a signed image ---- */

static void fuzz_image(const unsigned char *data, size_t size)
{
	struct gapimg_verify_result nokey, keyed;
	struct trailer t;
	const unsigned char *tail;
	char why[512], hex[GAPIMG_KEYID_HEX];
	uint64_t ib, used;
	int sig_ok = 0;

	write_file(fx.input, data, size, 0644);
	verify_checked(fx.input, NULL, NULL, size, &nokey);
	verify_checked(fx.input, NULL, fx.pubkey, size, &keyed);

	if (size < 96)
		CHECK(nokey.status == GAPIMG_VERIFY_TRUNCATED);
	if (nokey.status == GAPIMG_VERIFY_UNSIGNED) {
		CHECK(size >= 96 && memcmp(data, "hsqs", 4) == 0);
		used = trailer_le64(data + 40);
		CHECK(size == used || size == (used + 4095) / 4096 * 4096);
	}
	if (nokey.status == GAPIMG_VERIFY_OK) {
		/* The trailer ends the file, right after the image it states. */
		ib = nokey.seal.image_bytes;
		CHECK(ib + TRAILER_MIN_LEN + nokey.manifest_len == size);
		tail = guard_copy(&g_tail, data + ib, size - (size_t)ib);
		CHECK(trailer_parse(tail, size - (size_t)ib, &t, why, sizeof(why)) == 0);
		CHECK(seal_eq(&t.seal, &nokey.seal));
		CHECK(t.manifest_len == nokey.manifest_len &&
		      memcmp(t.manifest, nokey.manifest, nokey.manifest_len) == 0);
		gapimg_hex(t.keyid, GAPIMG_KEYID_LEN, hex);
		CHECK(strcmp(hex, nokey.found_key) == 0);
		sig_ok = verify_ed25519(fx.pubkey, tail, (size_t)t.signed_len, t.sig,
					t.sig_len) == 1;
	}
	check_keyed(&nokey, &keyed, sig_ok);
	if (keyed.status == GAPIMG_VERIFY_OK)
		check_verified(data, size, (const unsigned char *)keyed.manifest,
			       keyed.manifest_len, &keyed.seal);
	fuzz_resign(data, size, &nokey, &keyed);
	gapimg_verify_result_free(&nokey);
	gapimg_verify_result_free(&keyed);
}

/* ---- 4. the input as a detached signature ---- */

/* image (its bytes img[0..len)) signed by the input; embedded says
 * whether it ends in a trailer (with tiny_manifest and its seal). */
static void fuzz_detached(const char *image, const unsigned char *img, size_t len, int embedded,
			  int parsed, const struct trailer *t, int sig_ok)
{
	struct gapimg_verify_result nokey, keyed;
	enum gapimg_verify_status want;

	verify_checked(image, fx.input, NULL, len, &nokey);
	verify_checked(image, fx.input, fx.pubkey, len, &keyed);
	if (!parsed)
		want = GAPIMG_VERIFY_MALFORMED;
	else if (t->seal.image_bytes > len)
		want = GAPIMG_VERIFY_TRUNCATED;
	else if (t->seal.image_bytes < 96)
		want = GAPIMG_VERIFY_MALFORMED;
	else if (t->seal.image_bytes == len)
		want = GAPIMG_VERIFY_OK;
	else if (embedded && seal_eq(&t->seal, &fx.tiny_seal) &&
		 t->manifest_len == strlen(tiny_manifest) &&
		 memcmp(t->manifest, tiny_manifest, strlen(tiny_manifest)) == 0)
		want = GAPIMG_VERIFY_OK;   /* the same content as the embedded trailer */
	else
		want = GAPIMG_VERIFY_MALFORMED;
	CHECK(nokey.status == want);
	if (nokey.status == GAPIMG_VERIFY_OK) {
		char hex[GAPIMG_KEYID_HEX];

		CHECK(seal_eq(&nokey.seal, &t->seal));
		CHECK(nokey.manifest_len == t->manifest_len &&
		      memcmp(nokey.manifest, t->manifest, (size_t)t->manifest_len) == 0);
		gapimg_hex(t->keyid, GAPIMG_KEYID_LEN, hex);
		CHECK(strcmp(hex, nokey.found_key) == 0);
	}
	check_keyed(&nokey, &keyed, sig_ok);
	if (keyed.status == GAPIMG_VERIFY_OK)
		check_verified(img, len, t->manifest, (size_t)t->manifest_len, &t->seal);
	gapimg_verify_result_free(&nokey);
	gapimg_verify_result_free(&keyed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *buf;
	struct trailer t;
	int parsed, sig_ok, fd;

	if (fx.pubkey == NULL)
		setup();
	buf = guard_copy(&g_input, data, size);
	parsed = fuzz_trailer(buf, size, &t, &sig_ok);
	fuzz_manifest(buf, size);
	fuzz_image(buf, size);   /* writes the input file the next step reads */
	fuzz_detached(fx.tiny, tiny_image, TINY_LEN, 0, parsed, &t, sig_ok);
	fuzz_detached(fx.signed_img, fx.signed_bytes, fx.signed_len, 1, parsed, &t, sig_ok);
	/* No descriptor left open.  A library may keep one open for good
	 * once (a random device, a cache), which CI saw once and no replay
	 * reproduced: name it and move the baseline, but a leak, which
	 * grows input after input, fails by the third. */
	fd = lowest_free_fd();
	if (fd > fx.free_fd) {
		int i;

		for (i = fx.free_fd; i < fd; i++) {
			char link[64], target[256];
			ssize_t n;

			snprintf(link, sizeof(link), "/proc/self/fd/%d", i);
			n = readlink(link, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
			fprintf(stderr, "fuzz_sign: descriptor %d stays open: %s\n", i, target);
		}
		fx.free_fd = fd;
		fx.fd_moves++;
	}
	CHECK(fx.fd_moves <= 2);
	return 0;
}
