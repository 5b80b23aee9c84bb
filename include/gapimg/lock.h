/*
 * Lock files: a resolution written down as sorted, line-oriented text
 * that diffs well (docs/lock.md), and read back strictly.
 */
#ifndef GAPIMG_LOCK_H
#define GAPIMG_LOCK_H

#include <stddef.h>

#include "gapimg/error.h"
#include "gapimg/resolve.h"
#include "gapimg/strbuf.h"

#define GAPIMG_LOCK_FORMAT 1

/* Append the lock text of a solved resolution to out. */
int gapimg_lock_format(const struct gapimg_resolution *res, struct strbuf *out,
		       struct gapimg_error *err);

/* Parse lock text; errors name file:line.  res is released by the caller
 * with gapimg_resolution_free either way. */
int gapimg_lock_parse(const char *text, size_t len, const char *file,
		      struct gapimg_resolution *res, struct gapimg_error *err);

/* Read and parse a lock file; GAPIMG_E_NOTFOUND when it does not exist. */
int gapimg_lock_read(const char *path, struct gapimg_resolution *res,
		     struct gapimg_error *err);

/* NAME.lock beside the recipe (NAME.recipe), malloc'd. */
char *gapimg_lock_default_path(const char *recipe);

#endif
