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

/* A temporary output file from template (mkostemp, O_CLOEXEC), registered
 * for gapimg_remove_partial_outputs; *slot is for gapimg_partial_done,
 * called once the file is renamed into place or removed. */
int gapimg_partial_create(char *template, int *slot);
void gapimg_partial_done(int slot);

/* Remove every temporary output file still being written.  Only for a
 * signal handler (it is async-signal-safe): normal failures clean up by
 * themselves. */
void gapimg_remove_partial_outputs(void);

#endif
