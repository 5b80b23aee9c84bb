/* SHA-256 through OpenSSL 3, with a streaming context. */
#ifndef GAPIMG_SHA256_H
#define GAPIMG_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define GAPIMG_SHA256_LEN 32
#define GAPIMG_SHA256_HEX (2 * GAPIMG_SHA256_LEN + 1)

struct gapimg_sha256;

struct gapimg_sha256 *gapimg_sha256_new(void);
int gapimg_sha256_update(struct gapimg_sha256 *ctx, const void *data, size_t len);
/* Writes the digest and resets the context for reuse. */
int gapimg_sha256_final(struct gapimg_sha256 *ctx, uint8_t out[GAPIMG_SHA256_LEN]);
void gapimg_sha256_free(struct gapimg_sha256 *ctx);

int gapimg_sha256(const void *data, size_t len, uint8_t out[GAPIMG_SHA256_LEN]);
void gapimg_hex(const uint8_t *bytes, size_t len, char *out);
/* The value of one hex digit (either case), or -1. */
int gapimg_hexval(int c);

#include "gapimg/error.h"

/* SHA-256 of a whole file, as lowercase hex. */
int gapimg_sha256_file(const char *path, char hex[GAPIMG_SHA256_HEX],
		       struct gapimg_error *err);
/* SHA-256 of len bytes of fd from offset off (pread: the file offset is
 * not moved); what names the file in messages.  A file shorter than
 * off + len is an error (GAPIMG_E_CORRUPT). */
int gapimg_sha256_fd_range(int fd, uint64_t off, uint64_t len, const char *what,
			   uint8_t out[GAPIMG_SHA256_LEN], struct gapimg_error *err);

#endif
