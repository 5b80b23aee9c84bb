/*
 * Errors with context.
 *
 * Library code never prints and never exits: a failing function fills a
 * struct gapimg_error with a status and a complete, human-readable message
 * (what went wrong, where, and how to fix it when we know) and returns -1
 * (or NULL).  The command decides how to report it and which exit status
 * to use (see docs/cli.md).
 */
#ifndef GAPIMG_ERROR_H
#define GAPIMG_ERROR_H

#include <stddef.h>

enum gapimg_status {
	GAPIMG_OK = 0,
	GAPIMG_E_INVALID,     /* input is invalid: a bad path, option or value */
	GAPIMG_E_EXISTS,      /* the path is already present */
	GAPIMG_E_NOTFOUND,    /* a path or file that is needed does not exist */
	GAPIMG_E_IO,          /* reading an input or writing an output failed */
	GAPIMG_E_NOSPACE,     /* the output filesystem is full */
	GAPIMG_E_NOMEM,       /* out of memory */
	GAPIMG_E_CORRUPT,     /* an image or archive is malformed */
	GAPIMG_E_UNSUPPORTED, /* valid, but not something gapimg can do */
	GAPIMG_E_INTERNAL,    /* a bug in gapimg or a library it uses */
	GAPIMG_E_FAILED,      /* a program gapimg ran for the input failed
			       * (a package's script) */
};

#define GAPIMG_ERROR_MAX 8192

struct gapimg_error {
	enum gapimg_status code;
	int sys_errno;                 /* errno behind the error, or 0 */
	char msg[GAPIMG_ERROR_MAX];
};

#define GAPIMG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Set the error (err may be NULL) and return -1. */
int gapimg_error_set(struct gapimg_error *err, enum gapimg_status code,
		     const char *fmt, ...) GAPIMG_PRINTF(3, 4);

/* Like gapimg_error_set, with ": <strerror(errnum)>" appended and the
 * status derived from errnum (ENOSPC/EDQUOT: NOSPACE, ENOMEM: NOMEM,
 * ENOENT: NOTFOUND, anything else: IO). */
int gapimg_error_errno(struct gapimg_error *err, int errnum,
		       const char *fmt, ...) GAPIMG_PRINTF(3, 4);

/* Prepend context ("writing images/x.sqfs: ") to an error already set. */
void gapimg_error_prefix(struct gapimg_error *err, const char *fmt, ...)
	GAPIMG_PRINTF(2, 3);

void gapimg_error_clear(struct gapimg_error *err);

/* gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory"): returns -1. */
int gapimg_error_nomem(struct gapimg_error *err);

/* Make room for element n of the array *p (each size bytes) holding
 * *alloc: doubles when full (from 16).  0, or -1 when out of memory (*p
 * untouched). */
int gapimg_grow(void **p, size_t *alloc, size_t n, size_t size);

#endif
