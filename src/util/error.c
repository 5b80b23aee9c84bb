#include "gapimg/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static int error_vset(struct gapimg_error *err, enum gapimg_status code,
		      int errnum, const char *fmt, va_list ap) GAPIMG_PRINTF(4, 0);

static int error_vset(struct gapimg_error *err, enum gapimg_status code,
		      int errnum, const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	err->code = code;
	err->sys_errno = errnum;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (errnum != 0) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
			 strerror(errnum));
	}
	return -1;
}

int gapimg_error_set(struct gapimg_error *err, enum gapimg_status code,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

static enum gapimg_status status_from_errno(int errnum)
{
	switch (errnum) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return GAPIMG_E_NOSPACE;
	case ENOMEM:
		return GAPIMG_E_NOMEM;
	case ENOENT:
	case ENOTDIR:
		return GAPIMG_E_NOTFOUND;
	default:
		return GAPIMG_E_IO;
	}
}

int gapimg_error_errno(struct gapimg_error *err, int errnum,
		       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, status_from_errno(errnum), errnum, fmt, ap);
	va_end(ap);
	return -1;
}

void gapimg_error_prefix(struct gapimg_error *err, const char *fmt, ...)
{
	char prefix[1024], old[GAPIMG_ERROR_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is acceptable here: the start of the message matters. */
	{
		size_t plen = strlen(prefix), olen = strlen(old);

		if (plen > sizeof(err->msg) - 1)
			plen = sizeof(err->msg) - 1;
		if (olen > sizeof(err->msg) - 1 - plen)
			olen = sizeof(err->msg) - 1 - plen;
		memcpy(err->msg, prefix, plen);
		memcpy(err->msg + plen, old, olen);
		err->msg[plen + olen] = '\0';
	}
}

void gapimg_error_clear(struct gapimg_error *err)
{
	if (err == NULL)
		return;
	err->code = GAPIMG_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

int gapimg_error_nomem(struct gapimg_error *err)
{
	return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
}

int gapimg_grow(void **p, size_t *alloc, size_t n, size_t size)
{
	size_t na;
	void *np;

	if (n < *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : 16;
	if (na < *alloc || na > SIZE_MAX / size)
		return -1;
	np = realloc(*p, na * size);
	if (np == NULL)
		return -1;
	*p = np;
	*alloc = na;
	return 0;
}
