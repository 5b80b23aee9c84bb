#include "gapimg/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

struct gapimg_sha256 {
	EVP_MD_CTX *md;
};

struct gapimg_sha256 *gapimg_sha256_new(void)
{
	struct gapimg_sha256 *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return NULL;
	ctx->md = EVP_MD_CTX_new();
	if (ctx->md == NULL || !EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL)) {
		gapimg_sha256_free(ctx);
		return NULL;
	}
	return ctx;
}

int gapimg_sha256_update(struct gapimg_sha256 *ctx, const void *data, size_t len)
{
	return EVP_DigestUpdate(ctx->md, data, len) ? 0 : -1;
}

int gapimg_sha256_final(struct gapimg_sha256 *ctx, uint8_t out[GAPIMG_SHA256_LEN])
{
	unsigned int n = 0;

	if (!EVP_DigestFinal_ex(ctx->md, out, &n) || n != GAPIMG_SHA256_LEN)
		return -1;
	return EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL) ? 0 : -1;
}

void gapimg_sha256_free(struct gapimg_sha256 *ctx)
{
	if (ctx == NULL)
		return;
	EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

int gapimg_sha256(const void *data, size_t len, uint8_t out[GAPIMG_SHA256_LEN])
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) ||
	    n != GAPIMG_SHA256_LEN)
		return -1;
	return 0;
}

void gapimg_hex(const uint8_t *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	out[2 * len] = '\0';
}

int gapimg_sha256_file(const char *path, char hex[GAPIMG_SHA256_HEX],
		       struct gapimg_error *err)
{
	uint8_t digest[GAPIMG_SHA256_LEN];
	struct gapimg_sha256 *ctx = NULL;
	unsigned char *buf = NULL;
	int fd, ret = -1;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gapimg_error_errno(err, errno, "cannot open %s", path);
	ctx = gapimg_sha256_new();
	buf = malloc(1 << 20);
	if (ctx == NULL || buf == NULL) {
		gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		n = read(fd, buf, 1 << 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gapimg_error_errno(err, errno, "cannot read %s", path);
			goto out;
		}
		if (n == 0)
			break;
		gapimg_sha256_update(ctx, buf, (size_t)n);
	}
	if (gapimg_sha256_final(ctx, digest)) {
		gapimg_error_set(err, GAPIMG_E_INTERNAL, "SHA-256 failed");
		goto out;
	}
	gapimg_hex(digest, sizeof(digest), hex);
	ret = 0;
out:
	close(fd);
	free(buf);
	gapimg_sha256_free(ctx);
	return ret;
}

int gapimg_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gapimg_sha256_fd_range(int fd, uint64_t off, uint64_t len, const char *what,
			   uint8_t out[GAPIMG_SHA256_LEN], struct gapimg_error *err)
{
	struct gapimg_sha256 *ctx = gapimg_sha256_new();
	size_t cap = len < (1 << 20) ? (size_t)len + 1 : 1 << 20;
	unsigned char *buf = malloc(cap);
	int ret = -1;

	if (ctx == NULL || buf == NULL) {
		gapimg_error_nomem(err);
		goto out;
	}
	while (len > 0) {
		size_t want = len < cap ? (size_t)len : cap;
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gapimg_error_errno(err, errno, "cannot read %s", what);
			goto out;
		}
		if (n == 0) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "cannot read %s: it ends "
					 "%llu bytes early", what, (unsigned long long)len);
			goto out;
		}
		gapimg_sha256_update(ctx, buf, (size_t)n);
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	if (gapimg_sha256_final(ctx, out)) {
		gapimg_error_set(err, GAPIMG_E_INTERNAL, "SHA-256 failed");
		goto out;
	}
	ret = 0;
out:
	free(buf);
	gapimg_sha256_free(ctx);
	return ret;
}
