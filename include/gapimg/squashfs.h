/*
 * Writing and reading SquashFS images (libsquashfs, public API only).
 *
 * The writer turns an image tree into bytes that depend on nothing but the
 * tree, the options and the library versions: not on the thread count, the
 * host, the time of day or the order the tree was built in.  See
 * docs/squashfs-layout.md for the layout rules and the fragment policy.
 *
 * Output goes to a temporary file beside the target, is fsynced and renamed
 * into place by gapimg_sqfs_writer_finish; on any failure (or if the writer
 * is destroyed before finishing) the temporary file is removed and an
 * existing image at the target path is left untouched.
 */
#ifndef GAPIMG_SQUASHFS_H
#define GAPIMG_SQUASHFS_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/fstree.h"

enum gapimg_comp {
	GAPIMG_COMP_ZSTD = 0,
	GAPIMG_COMP_XZ,
	GAPIMG_COMP_GZIP,
};

enum gapimg_mtime_policy {
	GAPIMG_MTIME_EPOCH = 0,  /* every inode gets the epoch (default) */
	GAPIMG_MTIME_CLAMP,      /* keep the tree's mtimes, clamped to [0, epoch] */
};

#define GAPIMG_LEVEL_DEFAULT (-1)
#define GAPIMG_THREADS_MAX 64
#define GAPIMG_BLOCK_SIZE_DEFAULT (128 * 1024)
#define GAPIMG_BLOCK_SIZE_MIN 4096
#define GAPIMG_BLOCK_SIZE_MAX (1024 * 1024)

struct gapimg_sqfs_opts {
	enum gapimg_comp comp;
	int level;                  /* GAPIMG_LEVEL_DEFAULT or a level */
	uint32_t block_size;        /* a power of two, 4 KiB .. 1 MiB */
	unsigned threads;           /* 0: online CPUs (at most 64) */
	int64_t epoch;              /* mkfs time and the mtime policy's clock */
	enum gapimg_mtime_policy mtime;
};

struct gapimg_sqfs_progress {
	uint64_t bytes_done, bytes_total;
	uint64_t files_done, files_total;
};
typedef void (*gapimg_sqfs_progress_fn)(const struct gapimg_sqfs_progress *p,
					void *user);

/* Results of a finished image, for summaries and manifests. */
struct gapimg_sqfs_stats {
	uint64_t bytes;             /* image size, including padding */
	uint32_t inodes;
	uint64_t files;             /* regular files stored (one per inode) */
	uint64_t data_blocks;       /* data blocks written, after deduplication */
	uint64_t frag_blocks;       /* fragment blocks written */
	uint64_t tails;             /* tail ends packed into fragments */
	uint64_t tails_stored;      /* of which stored, not deduplicated */
};

void gapimg_sqfs_opts_init(struct gapimg_sqfs_opts *opts);
/* "zstd", "xz:9", "gzip:6" */
int gapimg_sqfs_parse_comp(const char *spec, struct gapimg_sqfs_opts *opts,
			   struct gapimg_error *err);
/* "131072", "128K", "1M" */
int gapimg_sqfs_parse_block_size(const char *spec, uint32_t *out,
				 struct gapimg_error *err);
int gapimg_sqfs_opts_check(const struct gapimg_sqfs_opts *opts,
			   struct gapimg_error *err);
const char *gapimg_comp_name(enum gapimg_comp comp);
int gapimg_comp_default_level(enum gapimg_comp comp);

struct gapimg_sqfs_writer;

struct gapimg_sqfs_writer *gapimg_sqfs_writer_create(
	const char *path, const struct gapimg_sqfs_opts *opts,
	struct gapimg_error *err);
void gapimg_sqfs_writer_set_progress(struct gapimg_sqfs_writer *w,
				     gapimg_sqfs_progress_fn fn, void *user);

/* Called by finish when the image is complete, before it is moved into
 * place: fd is the image file (read it with pread; stats->bytes long).
 * Bytes returned in *tail (malloc'd, may be NULL) are appended after the
 * image (and freed by the writer, also when the hook fails); a failure
 * fails the whole write and leaves no output. */
typedef int (*gapimg_sqfs_seal_fn)(int fd, const struct gapimg_sqfs_stats *stats,
				   void *user, unsigned char **tail, size_t *tail_len,
				   struct gapimg_error *err);
void gapimg_sqfs_writer_set_seal(struct gapimg_sqfs_writer *w,
				 gapimg_sqfs_seal_fn fn, void *user);

/* Store the content of one regular file now, reading its source to the
 * end.  Streaming stages call this while they read an archive; files not
 * stored this way are stored by finish, in sorted tree order.  Data lands
 * in the order of these calls and a file's path (its first name at the
 * time of the call) decides fragment cuts, so a streaming caller must
 * make both deterministic (packages in a fixed order, archive order
 * within a package, hard links added after their targets). */
int gapimg_sqfs_writer_add_data(struct gapimg_sqfs_writer *w,
				struct gapimg_inode *inode,
				struct gapimg_error *err);

/* Store the remaining file contents, write the metadata and move the image
 * into place.  The writer can only be destroyed afterwards. */
int gapimg_sqfs_writer_finish(struct gapimg_sqfs_writer *w,
			      struct gapimg_fstree *tree,
			      struct gapimg_sqfs_stats *stats,
			      struct gapimg_error *err);

/* Free the writer; before a successful finish this removes the partial
 * output. */
void gapimg_sqfs_writer_destroy(struct gapimg_sqfs_writer *w);

/* Everything above in one call. */
int gapimg_sqfs_write_tree(struct gapimg_fstree *tree, const char *path,
			   const struct gapimg_sqfs_opts *opts,
			   gapimg_sqfs_progress_fn progress, void *user,
			   struct gapimg_sqfs_stats *stats,
			   struct gapimg_error *err);


/* Reading. */
struct gapimg_sqfs_info {
	uint32_t block_size;
	const char *compression;    /* static string */
	uint32_t inodes;
	uint64_t bytes_used;
	uint32_t mkfs_time;
};

/* Load an image's whole directory tree (metadata only: file sources are
 * NULL).  Every name is validated like any other untrusted path. Each
 * inode's ino field holds its inode number in the image. */
int gapimg_sqfs_read_tree(const char *path, struct gapimg_fstree **out,
			  struct gapimg_sqfs_info *info,
			  struct gapimg_error *err);

#endif
