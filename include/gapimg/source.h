/*
 * Where a regular file's content comes from.
 *
 * The image tree never holds file content itself; each regular file has a
 * source that the image writer reads once, sequentially, when it stores the
 * file.  Three kinds exist:
 *   - a host file, opened only when it is read (so a tree of 100,000 files
 *     does not hold 100,000 descriptors);
 *   - a memory buffer (recipe inline text, generated files);
 *   - a stream: a callback that a later stage feeds from a package payload
 *     while the archive is being read, so payloads are never staged on disk.
 *
 * Every source checks that it delivers exactly the size the tree declared
 * for the file: a host file that changed while it was being packed is an
 * error, never a silently different image.
 */
#ifndef GAPIMG_SOURCE_H
#define GAPIMG_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gapimg/error.h"

struct gapimg_source;

struct gapimg_source_ops {
	/* Read up to len bytes. Returns the count (0 at the end) or -1. */
	ssize_t (*read)(struct gapimg_source *src, void *buf, size_t len,
			struct gapimg_error *err);
	/* Release what reading needed (a descriptor); may be called twice. */
	void (*close)(struct gapimg_source *src);
	void (*destroy)(struct gapimg_source *src);
};

struct gapimg_source {
	const struct gapimg_source_ops *ops;
	/* Human-readable origin used in errors: a host path, a package and
	 * path, "inline text of recipe.recipe:12". */
	char *what;
};

/* Read callback of a stream source: same contract as ops->read. */
typedef ssize_t (*gapimg_stream_fn)(void *user, void *buf, size_t len,
				    struct gapimg_error *err);

struct gapimg_source *gapimg_source_host_file(const char *path,
					      struct gapimg_error *err);
/* The buffer is copied. */
struct gapimg_source *gapimg_source_memory(const void *data, size_t len,
					   const char *what,
					   struct gapimg_error *err);
/* The stream's user data is not owned. */
struct gapimg_source *gapimg_source_stream(gapimg_stream_fn fn, void *user,
					   const char *what,
					   struct gapimg_error *err);

ssize_t gapimg_source_read(struct gapimg_source *src, void *buf, size_t len,
			   struct gapimg_error *err);
void gapimg_source_close(struct gapimg_source *src);
void gapimg_source_free(struct gapimg_source *src);

#endif
