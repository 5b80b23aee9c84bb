/*
 * gapimg_sign_image: sign an image file, or sign it again, in place.
 *
 * The image part (without any old trailer) is copied into a temporary
 * file beside it, the copy is hashed (so the digest signed is that of the
 * bytes that will be published, whatever happens to the original
 * meanwhile), checked against the manifest, the trailer appended, and the
 * copy fsynced and renamed over the original.  A failure leaves the
 * original as it was.  Re-signing vouches for the image as it is now; it
 * does not (and cannot, without the old public key) vouch for the old
 * signature.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gapimg/atomic.h"
#include "gapimg/strbuf.h"
#include "internal.h"

/* The manifest file, NUL-terminated. */
static int read_manifest(const char *path, char **out, size_t *len, struct gapimg_error *err)
{
	struct strbuf sb = STRBUF_INIT;

	*out = NULL;
	if (strbuf_read_file(&sb, path, TRAILER_MANIFEST_MAX, err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	*len = sb.len;
	*out = strbuf_detach(&sb);
	return *out ? 0 : gapimg_error_nomem(err);
}

/* len bytes of in into out from offset 0; copy_file_range lets the
 * kernel share or copy the blocks without a trip through memory. */
static int copy_prefix(int in, int out, uint64_t len)
{
	loff_t ioff = 0, ooff = 0;
	char buf[1 << 16];

	while ((uint64_t)ioff < len) {
		ssize_t n = copy_file_range(in, &ioff, out, &ooff, (size_t)(len - (uint64_t)ioff), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			continue;
		if (n == 0)
			return errno = EIO, -1;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -1;
		/* No kernel copy here: by hand. */
		while ((uint64_t)ioff < len) {
			size_t want = len - (uint64_t)ioff < sizeof(buf) ? (size_t)(len - (uint64_t)ioff)
								       : sizeof(buf);
			ssize_t r = pread(in, buf, want, ioff), w;

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return r < 0 ? -1 : (errno = EIO, -1);
			w = pwrite(out, buf, (size_t)r, ooff);
			if (w != r)
				return w < 0 ? -1 : (errno = ENOSPC, -1);
			ioff += r;
			ooff += r;
		}
	}
	return 0;
}

static int write_all_at(int fd, const unsigned char *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (errno = ENOSPC, -1);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* The copy must be what verify will accept: a SquashFS image whose
 * superblock's bytes_used lies within the signed length. */
static int check_super(int fd, const char *image, uint64_t image_len,
		       struct gapimg_error *err)
{
	unsigned char super[SQFS_SUPER_LEN];
	uint64_t used;

	if (image_len < sizeof(super) || pread(fd, super, sizeof(super), 0) != (ssize_t)sizeof(super) ||
	    !SQFS_IS_SUPER(super))
		return gapimg_error_set(err, GAPIMG_E_CORRUPT, "cannot sign %s: it is not a "
					"SquashFS image (it does not start with 'hsqs')", image);
	used = trailer_le64(super + SQFS_BYTES_USED_OFF);
	if (used > image_len)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT, "cannot sign %s: its superblock "
					"says the image is %llu bytes, but it has %llu", image,
					(unsigned long long)used, (unsigned long long)image_len);
	return 0;
}

/* The old trailer's manifest may be signed again only when its own
 * signature holds. */
static int check_old(const char *image, const struct gapimg_verify_result *vr,
		     const struct gapimg_key *key, const struct gapimg_key *old_key,
		     struct gapimg_error *err)
{
	struct gapimg_verify_result old;
	const struct gapimg_key *k = old_key;
	int rc;

	if (k == NULL && strcmp(vr->found_key, gapimg_key_id(key)) == 0)
		k = key;
	if (k == NULL)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s is signed with key %s: give "
					"that key's public key with --old-key PUB, so that the "
					"manifest in its trailer is checked before it is signed "
					"again, or give the manifest with --manifest FILE", image,
					vr->found_key);
	if (gapimg_verify_image(image, NULL, k, &old, err) < 0)
		return -1;
	rc = old.status == GAPIMG_VERIFY_OK ? 0
		: gapimg_error_set(err, GAPIMG_E_CORRUPT, "cannot sign %s again: its old "
				   "signature does not hold (%s): nothing was signed", image,
				   old.reason ? old.reason : gapimg_verify_status_name(old.status));
	gapimg_verify_result_free(&old);
	return rc;
}

int gapimg_sign_image(const char *image, const struct gapimg_key *key,
		      const char *manifest_path, const struct gapimg_key *old_key,
		      const char *detached_path, struct gapimg_error *err)
{
	struct gapimg_verify_result vr;
	struct gapimg_seal seal;
	uint8_t sum[GAPIMG_SHA256_LEN];
	unsigned char *trailer = NULL;
	char *manifest = NULL, *tmp = NULL, *dcopy = NULL, *real = NULL, *dir = NULL;
	char have[GAPIMG_SHA256_HEX], want[GAPIMG_SHA256_HEX];
	size_t mlen = 0, tlen = 0;
	uint64_t image_len;
	struct stat st;
	int in = -1, out = -1, rc = -1, slot = -1;

	/* A link names the file to sign: replace that file, not the link. */
	real = realpath(image, NULL);
	if (real == NULL)
		return gapimg_error_errno(err, errno, "cannot open %s", image);
	if (gapimg_verify_image(image, NULL, NULL, &vr, err) < 0) {
		free(real);
		return -1;
	}
	switch (vr.status) {
	case GAPIMG_VERIFY_OK:
		image_len = vr.seal.image_bytes;
		break;
	case GAPIMG_VERIFY_UNSIGNED:
		image_len = vr.file_bytes;
		break;
	default:
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "cannot sign %s: %s", image,
				 vr.reason ? vr.reason : gapimg_verify_status_name(vr.status));
		goto out;
	}
	if (manifest_path != NULL) {
		if (read_manifest(manifest_path, &manifest, &mlen, err) < 0)
			goto out;
	} else if (vr.status == GAPIMG_VERIFY_OK) {
		if (check_old(image, &vr, key, old_key, err) < 0)
			goto out;
		manifest = vr.manifest;
		mlen = vr.manifest_len;
		vr.manifest = NULL;
	} else {
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s is not signed yet, so it holds no "
				 "manifest: give the one gapimg build wrote beside it "
				 "(--manifest NAME.manifest.json)", image);
		goto out;
	}
	if (gapimg_seal_from_manifest(manifest, mlen, &seal, err) < 0) {
		gapimg_error_prefix(err, "%s: ", manifest_path ? manifest_path : image);
		goto out;
	}
	if (seal.image_bytes != image_len) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "the manifest%s%s is for a %llu-byte "
				 "image, and %s's image is %llu bytes: not its manifest",
				 manifest_path ? " " : "", manifest_path ? manifest_path : "",
				 (unsigned long long)seal.image_bytes, image,
				 (unsigned long long)image_len);
		goto out;
	}

	in = open(image, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (in < 0 || fstat(in, &st) < 0) {
		gapimg_error_errno(err, errno, "cannot open %s", image);
		goto out;
	}
	if (st.st_nlink > 1) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s has %ju hard links: signing replaces "
				 "the file, which would leave the other names with the old "
				 "one; sign a copy, or remove the other links first", image,
				 (uintmax_t)st.st_nlink);
		goto out;
	}
	dcopy = strdup(real);
	dir = dcopy ? strdup(dirname(dcopy)) : NULL;
	if (dir == NULL || asprintf(&tmp, "%s/.gapimg-sign-XXXXXX", dir) < 0) {
		tmp = NULL;
		gapimg_error_nomem(err);
		goto out;
	}
	out = gapimg_partial_create(tmp, &slot);
	if (out < 0) {
		gapimg_error_errno(err, errno, "cannot create a temporary file beside %s", image);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* The owner stays (only root can give a file away). */
	if (geteuid() == 0 && fchown(out, st.st_uid, st.st_gid) < 0) {
		gapimg_error_errno(err, errno, "cannot keep the owner of %s", image);
		goto out;
	}
	if (fchmod(out, st.st_mode & 0777) < 0 || copy_prefix(in, out, image_len) < 0) {
		gapimg_error_errno(err, errno, "cannot copy %s to %s", image, tmp);
		goto out;
	}
	if (check_super(out, image, image_len, err) < 0 ||
	    gapimg_sha256_fd_range(out, 0, image_len, tmp, sum, err) < 0)
		goto out;
	if (memcmp(sum, seal.image_sha256, sizeof(sum)) != 0) {
		gapimg_hex(sum, sizeof(sum), have);
		gapimg_hex(seal.image_sha256, sizeof(sum), want);
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s's image has SHA-256 %s, but the "
				 "manifest%s%s states %s: it was changed since it was built, "
				 "or this is another image's manifest; nothing was signed",
				 image, have, manifest_path ? " " : "",
				 manifest_path ? manifest_path : "", want);
		goto out;
	}
	if (gapimg_trailer_make(key, &seal, manifest, mlen, &trailer, &tlen, err) < 0)
		goto out;
	if (write_all_at(out, trailer, tlen, image_len) < 0 || fsync(out) < 0) {
		gapimg_error_errno(err, errno, "cannot write %s", tmp);
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		gapimg_error_errno(err, errno, "cannot write %s", tmp);
		goto out;
	}
	out = -1;
	/* The detached copy first: if it fails, the image is untouched. */
	if (detached_path != NULL &&
	    gapimg_write_file_atomic(detached_path, trailer, tlen, err) < 0)
		goto out;
	if (rename(tmp, real) < 0) {
		gapimg_error_errno(err, errno, "cannot rename %s to %s", tmp, real);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	{
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	rc = 0;
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (tmp != NULL)
		unlink(tmp);
	gapimg_partial_done(slot);
	free(tmp);
	free(dcopy);
	free(dir);
	free(real);
	free(trailer);
	free(manifest);
	gapimg_verify_result_free(&vr);
	return rc;
}
