/*
 * gapimg_verify_image: is this file the image a key signed?
 *
 * The order of the checks decides which reason an operator reads, so it
 * goes from the outside in: is there a well-formed trailer (and where is
 * it), is it the expected key's, does the signature hold over the header
 * and manifest, do the image bytes have the signed digest, and does the
 * signed manifest state what the signed header does.  Nothing from the
 * trailer is trusted before the signature holds, except to find the
 * parts and to name the key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define SQFS_PAD 4096

static int set_status(struct gapimg_verify_result *r, enum gapimg_verify_status s,
		      const char *fmt, ...) GAPIMG_PRINTF(3, 4);

static int set_status(struct gapimg_verify_result *r, enum gapimg_verify_status s,
		      const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	free(r->reason);
	r->reason = NULL;
	va_start(ap, fmt);
	if (vasprintf(&r->reason, fmt, ap) < 0)
		r->reason = NULL;   /* callers print the status name instead */
	va_end(ap);
	return 0;
}

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (errno = EIO, -1);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* The whole of a detached signature file (bounded by the largest
 * trailer). */
static int read_sig_file(const char *path, unsigned char **out, size_t *len,
			 struct gapimg_verify_result *r, struct gapimg_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	*out = NULL;
	if (fd < 0)
		return gapimg_error_errno(err, errno, "cannot open the signature %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s is not a file", path);
	}
	if ((uint64_t)st.st_size > TRAILER_MAX_LEN) {
		close(fd);
		set_status(r, GAPIMG_VERIFY_MALFORMED, "%s is %llu bytes, more than any "
			   "gapimg signature", path, (unsigned long long)st.st_size);
		return 1;
	}
	*len = (size_t)st.st_size;
	*out = malloc(*len ? *len : 1);
	if (*out == NULL) {
		close(fd);
		return gapimg_error_nomem(err);
	}
	if (read_at(fd, *out, *len, 0) < 0) {
		gapimg_error_errno(err, errno, "cannot read %s", path);
		close(fd);
		free(*out);
		*out = NULL;
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Find the trailer at the end of the image file.  Returns 0 with the
 * trailer's bytes in *buf, 1 with res->status set when there is none to
 * check, -1 on a read error.
 */
static int find_embedded(int fd, const char *image, uint64_t size, uint64_t bytes_used,
			 int is_squashfs,
			 unsigned char **buf, size_t *len,
			 struct gapimg_verify_result *r, struct gapimg_error *err)
{
	unsigned char foot[TRAILER_FOOTER_LEN], head[TRAILER_HEADER_LEN];
	uint64_t tlen, padded = (bytes_used + SQFS_PAD - 1) / SQFS_PAD * SQFS_PAD;
	uint64_t starts[2] = { padded, bytes_used };
	int i;

	*buf = NULL;
	/* The end marker first: the superblock is not signed until the
	 * trailer is found, so a changed bytes_used must not hide it. */
	if (size >= SQFS_SUPER_LEN + TRAILER_FOOTER_LEN) {
		if (read_at(fd, foot, sizeof(foot), size - sizeof(foot)) < 0)
			return gapimg_error_errno(err, errno, "cannot read %s", image);
		if (memcmp(foot + 8, TRAILER_END, TRAILER_MAGIC_LEN) == 0) {
			tlen = trailer_le64(foot);
			if (tlen < TRAILER_MIN_LEN || tlen > TRAILER_MAX_LEN ||
			    tlen > size - SQFS_SUPER_LEN) {
				set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: the signature "
					   "trailer's footer says it is %llu bytes, which "
					   "does not fit in the %llu-byte file after a "
					   "superblock", image, (unsigned long long)tlen,
					   (unsigned long long)size);
				return 1;
			}
			*len = (size_t)tlen;
			*buf = malloc(*len);
			if (*buf == NULL)
				return gapimg_error_nomem(err);
			if (read_at(fd, *buf, *len, size - tlen) < 0) {
				free(*buf);
				*buf = NULL;
				return gapimg_error_errno(err, errno, "cannot read %s", image);
			}
			return 0;
		}
	}
	/* No trailer: is it an image at all? */
	if (!is_squashfs) {
		set_status(r, GAPIMG_VERIFY_MALFORMED, "%s is not a SquashFS image (it does "
			   "not start with 'hsqs') and has no gapimg signature trailer", image);
		return 1;
	}
	if (size < bytes_used) {
		set_status(r, GAPIMG_VERIFY_TRUNCATED, "%s is %llu bytes, but its SquashFS "
			   "superblock says the image alone is %llu: the file was cut "
			   "short (copy it again)", image, (unsigned long long)size,
			   (unsigned long long)bytes_used);
		return 1;
	}
	if (size > bytes_used && size < padded) {
		/* Padding is zeros; anything else is not a cut padded image. */
		unsigned char pad[SQFS_PAD];
		size_t n = (size_t)(size - bytes_used), z;

		if (read_at(fd, pad, n, bytes_used) < 0)
			return gapimg_error_errno(err, errno, "cannot read %s", image);
		for (z = 0; z < n && pad[z] == 0; z++)
			;
		if (z < n) {
			set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: %zu bytes follow the "
				   "%llu-byte image and they are neither padding nor a "
				   "gapimg signature trailer", image, n,
				   (unsigned long long)bytes_used);
			return 1;
		}
		set_status(r, GAPIMG_VERIFY_TRUNCATED, "%s is %llu bytes: it ends inside "
			   "the padding after its %llu-byte SquashFS image, which should "
			   "reach %llu (copy it again)", image, (unsigned long long)size,
			   (unsigned long long)bytes_used, (unsigned long long)padded);
		return 1;
	}
	if (size == bytes_used || size == padded) {
		set_status(r, GAPIMG_VERIFY_UNSIGNED, "%s is not signed: nothing follows "
			   "the image (sign it with 'gapimg sign %s --key KEY')%s", image, image,
			   size < padded ? "; or it was cut short: gapimg pads its images to "
			   "4096 bytes, and this one ends at its superblock's bytes_used" : "");
		return 1;
	}
	/* Bytes follow the image but do not end in a trailer: a trailer
	 * cut short, or one whose end was damaged? */
	for (i = 0; i < 2; i++) {
		uint64_t want;

		if (starts[i] >= size || size - starts[i] < sizeof(head))
			continue;
		if (read_at(fd, head, sizeof(head), starts[i]) < 0)
			return gapimg_error_errno(err, errno, "cannot read %s", image);
		if (memcmp(head, TRAILER_MAGIC, TRAILER_MAGIC_LEN) != 0)
			continue;
		want = trailer_announced_len(head, sizeof(head));
		if (want != 0 && size - starts[i] < want) {
			set_status(r, GAPIMG_VERIFY_TRUNCATED, "%s: the signature trailer "
				   "at byte %llu is cut short: it needs %llu bytes and "
				   "the file has %llu after it (copy it again)", image,
				   (unsigned long long)starts[i], (unsigned long long)want,
				   (unsigned long long)(size - starts[i]));
			return 1;
		}
		set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: the signature trailer at byte "
			   "%llu has no valid end marker", image,
			   (unsigned long long)starts[i]);
		return 1;
	}
	if (size > padded && size - padded < sizeof(head)) {
		/* Too short for a header: a trailer cut in its first bytes? */
		unsigned char part[TRAILER_HEADER_LEN];
		uint64_t n = size - padded;

		if (read_at(fd, part, (size_t)n, padded) < 0)
			return gapimg_error_errno(err, errno, "cannot read %s", image);
		if (memcmp(part, TRAILER_MAGIC, n < TRAILER_MAGIC_LEN ? n : TRAILER_MAGIC_LEN) == 0) {
			set_status(r, GAPIMG_VERIFY_TRUNCATED, "%s: the signature trailer "
				   "at byte %llu is cut short after %llu bytes (copy it "
				   "again)", image, (unsigned long long)padded,
				   (unsigned long long)n);
			return 1;
		}
	}
	set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: %llu bytes follow the %llu-byte image "
		   "and they are not a gapimg signature trailer", image,
		   (unsigned long long)(size - padded), (unsigned long long)padded);
	return 1;
}

/*
 * A detached signature for a file that has more after the bytes it
 * covers: that must be an embedded trailer for the same image, recipe,
 * lock and epoch with a byte-identical manifest (another signer's copy).
 * 1 when it is, 0 with r's status set when not, -1 on a read error.
 */
static int embedded_matches(int fd, const char *image, struct gapimg_verify_result *r,
			    uint64_t bytes_used, const struct trailer *t,
			    const char *sig_path, struct gapimg_error *err)
{
	struct gapimg_verify_result inner;
	struct trailer e;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[512];
	int found, same = 0;

	memset(&inner, 0, sizeof(inner));
	found = find_embedded(fd, image, r->file_bytes, bytes_used, 1, &buf, &len, &inner, err);
	if (found < 0)
		return -1;
	if (found == 0 && trailer_parse(buf, len, &e, why, sizeof(why)) == 0)
		same = e.seal.image_bytes == r->file_bytes - len &&
		       memcmp(&e.seal, &t->seal, sizeof(e.seal)) == 0 &&
		       e.manifest_len == t->manifest_len &&
		       memcmp(e.manifest, t->manifest, (size_t)e.manifest_len) == 0;
	free(buf);
	gapimg_verify_result_free(&inner);
	if (same)
		return 1;
	set_status(r, GAPIMG_VERIFY_MALFORMED, "%s has %llu bytes after the %llu that the "
		   "signature %s covers, and they are not a signature trailer for the "
		   "same image and manifest", image,
		   (unsigned long long)(r->file_bytes - t->seal.image_bytes),
		   (unsigned long long)t->seal.image_bytes, sig_path);
	return 0;
}

int gapimg_verify_image(const char *image, const char *sig_path,
			const struct gapimg_key *key,
			struct gapimg_verify_result *r, struct gapimg_error *err)
{
	unsigned char super[SQFS_SUPER_LEN], *buf = NULL;
	uint8_t sum[GAPIMG_SHA256_LEN];
	char hex[GAPIMG_SHA256_HEX], want[GAPIMG_SHA256_HEX];
	char why[512];
	struct gapimg_seal stated;
	struct gapimg_error merr;
	struct trailer t;
	struct stat st;
	uint64_t bytes_used;
	size_t len = 0;
	int fd, rc = -1, found;

	memset(r, 0, sizeof(*r));
	gapimg_error_clear(&merr);
	if (key != NULL)
		snprintf(r->expected_key, sizeof(r->expected_key), "%s", gapimg_key_id(key));
	/* O_NONBLOCK: a FIFO must not hang the check (it is refused below). */
	fd = open(image, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return gapimg_error_errno(err, errno, "cannot open %s", image);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s is not a file", image);
		goto out;
	}
	r->file_bytes = (uint64_t)st.st_size;
	if (r->file_bytes < SQFS_SUPER_LEN) {
		rc = set_status(r, GAPIMG_VERIFY_TRUNCATED, "%s is %llu bytes: not even a "
				"SquashFS superblock", image, (unsigned long long)r->file_bytes);
		goto out;
	}
	if (read_at(fd, super, sizeof(super), 0) < 0) {
		gapimg_error_errno(err, errno, "cannot read %s", image);
		goto out;
	}
	bytes_used = trailer_le64(super + SQFS_BYTES_USED_OFF);

	if (sig_path != NULL) {
		found = read_sig_file(sig_path, &buf, &len, r, err);
		if (found != 0) {
			rc = found > 0 ? 0 : -1;
			goto out;
		}
		if (trailer_parse(buf, len, &t, why, sizeof(why)) < 0) {
			rc = set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: %s", sig_path, why);
			goto out;
		}
		if (t.seal.image_bytes > r->file_bytes) {
			rc = set_status(r, GAPIMG_VERIFY_TRUNCATED, "%s is %llu bytes, but "
					"the signature %s is for a %llu-byte image: the "
					"file was cut short", image,
					(unsigned long long)r->file_bytes, sig_path,
					(unsigned long long)t.seal.image_bytes);
			goto out;
		}
		if (t.seal.image_bytes < SQFS_SUPER_LEN) {
			rc = set_status(r, GAPIMG_VERIFY_MALFORMED, "%s is for a %llu-byte "
					"image: not even a SquashFS superblock", sig_path,
					(unsigned long long)t.seal.image_bytes);
			goto out;
		}
		/* Past the signed bytes only the same signed content may
		 * follow, embedded (by any key: it is not what is checked). */
		if (t.seal.image_bytes < r->file_bytes) {
			found = embedded_matches(fd, image, r, bytes_used, &t, sig_path, err);
			if (found <= 0) {
				rc = found < 0 ? -1 : 0;
				goto out;
			}
		}
	} else {
		found = find_embedded(fd, image, r->file_bytes, bytes_used,
				      SQFS_IS_SUPER(super), &buf, &len, r, err);
		if (found != 0) {
			rc = found > 0 ? 0 : -1;
			goto out;
		}
		if (trailer_parse(buf, len, &t, why, sizeof(why)) < 0) {
			rc = set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: %s", image, why);
			goto out;
		}
		if (t.seal.image_bytes != r->file_bytes - len) {
			rc = set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: the signature trailer "
					"says the image is %llu bytes, but the trailer starts "
					"at byte %llu", image,
					(unsigned long long)t.seal.image_bytes,
					(unsigned long long)(r->file_bytes - len));
			goto out;
		}
	}
	r->seal = t.seal;
	gapimg_hex(t.keyid, GAPIMG_KEYID_LEN, r->found_key);
	r->manifest = malloc(t.manifest_len + 1);
	if (r->manifest == NULL) {
		gapimg_error_nomem(err);
		goto out;
	}
	memcpy(r->manifest, t.manifest, t.manifest_len);
	r->manifest[t.manifest_len] = '\0';
	r->manifest_len = (size_t)t.manifest_len;
	if (key == NULL) {
		/* Structure only (for reading the manifest). */
		rc = set_status(r, GAPIMG_VERIFY_OK, "the signature trailer is well formed "
				"(not checked against a key)");
		goto out;
	}
	if (strcmp(r->found_key, r->expected_key) != 0) {
		rc = set_status(r, GAPIMG_VERIFY_WRONG_KEY, "%s is signed with key %s, not "
				"with the expected key %s", sig_path ? sig_path : image,
				r->found_key, r->expected_key);
		goto out;
	}
	if (verify_ed25519(key, buf, (size_t)t.signed_len, t.sig, t.sig_len) != 1) {
		rc = set_status(r, GAPIMG_VERIFY_BAD_SIGNATURE, "%s: the signature does not "
				"match key %s: the signature trailer (its header or "
				"manifest) was changed after signing",
				sig_path ? sig_path : image, r->found_key);
		goto out;
	}
	if (gapimg_sha256_fd_range(fd, 0, t.seal.image_bytes, image, sum, err) < 0)
		goto out;
	if (memcmp(sum, t.seal.image_sha256, sizeof(sum)) != 0) {
		gapimg_hex(sum, sizeof(sum), hex);
		gapimg_hex(t.seal.image_sha256, sizeof(sum), want);
		rc = set_status(r, GAPIMG_VERIFY_MODIFIED, "%s was changed after signing: "
				"its first %llu bytes have SHA-256 %s, the signature is "
				"for %s", image, (unsigned long long)t.seal.image_bytes,
				hex, want);
		goto out;
	}
	if (!SQFS_IS_SUPER(super)) {
		rc = set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: the signed image is not a "
				"SquashFS image (it does not start with 'hsqs')", image);
		goto out;
	}
	if (bytes_used > t.seal.image_bytes) {
		rc = set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: its superblock says the "
				"image is %llu bytes, but %llu were signed",
				image, (unsigned long long)bytes_used,
				(unsigned long long)t.seal.image_bytes);
		goto out;
	}
	/* A signer that is not gapimg could sign a header and a manifest
	 * that disagree: the manifest is what operators read. */
	if (gapimg_seal_from_manifest((const char *)t.manifest, (size_t)t.manifest_len,
				      &stated, &merr) < 0) {
		rc = set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: the signed manifest is "
				"unusable: %s", image, merr.msg);
		goto out;
	}
	if (memcmp(&stated, &t.seal, sizeof(stated)) != 0) {
		rc = set_status(r, GAPIMG_VERIFY_MALFORMED, "%s: the signed manifest does "
				"not state the image, recipe, lock and epoch of the signed "
				"header", image);
		goto out;
	}
	rc = set_status(r, GAPIMG_VERIFY_OK, "signed with key %s; image SHA-256 and "
			"manifest verified", r->found_key);
out:
	free(buf);
	close(fd);
	if (rc < 0)
		gapimg_verify_result_free(r);
	return rc;
}

void gapimg_verify_result_free(struct gapimg_verify_result *r)
{
	free(r->reason);
	free(r->manifest);
	r->reason = NULL;
	r->manifest = NULL;
}

const char *gapimg_verify_status_name(enum gapimg_verify_status s)
{
	switch (s) {
	case GAPIMG_VERIFY_OK: return "verified";
	case GAPIMG_VERIFY_UNSIGNED: return "unsigned";
	case GAPIMG_VERIFY_WRONG_KEY: return "wrong-key";
	case GAPIMG_VERIFY_BAD_SIGNATURE: return "bad-signature";
	case GAPIMG_VERIFY_MODIFIED: return "modified";
	case GAPIMG_VERIFY_TRUNCATED: return "truncated";
	case GAPIMG_VERIFY_MALFORMED: return "malformed";
	}
	return "unknown";
}
