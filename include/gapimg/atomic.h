/* Small outputs written all-or-nothing. */
#ifndef GAPIMG_ATOMIC_H
#define GAPIMG_ATOMIC_H

#include <stddef.h>

#include "gapimg/error.h"

/* Write data to path atomically: a temporary file in the same folder,
 * fsynced, renamed over path, then the folder fsynced.  Mode 0644
 * whatever the umask.  On failure path is untouched and no temporary
 * file is left. */
int gapimg_write_file_atomic(const char *path, const void *data, size_t len,
			     struct gapimg_error *err);

#endif
