/* Pieces of the SquashFS writer that are private to src/squashfs/. */
#ifndef GAPIMG_SQUASHFS_INTERNAL_H
#define GAPIMG_SQUASHFS_INTERNAL_H

#include <stdint.h>

#include <sqfs/predef.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/frag_table.h>
#include <sqfs/io.h>

#include "gapimg/error.h"

/* outfile.c: an sqfs_file_t on a temporary file beside the target. */
struct outfile;
struct outfile *outfile_create(const char *path, struct gapimg_error *err);
sqfs_file_t *outfile_sqfs(struct outfile *o);
/* The errno of the last failed read/write/truncate, or 0. */
int outfile_errno(const struct outfile *o);
const char *outfile_path(const struct outfile *o);
int outfile_commit(struct outfile *o, struct gapimg_error *err);
/* The temporary file's descriptor (for reading the finished image back). */
int outfile_fd(const struct outfile *o);
/* Remove the temporary file (if not committed) and free. */
void outfile_destroy(struct outfile *o);

/* fragments.c: our own tail-end packing (see docs/squashfs-layout.md). */
struct frag_packer;
struct frag_packer *frag_packer_create(sqfs_block_writer_t *real,
				       sqfs_frag_table_t *tbl,
				       uint32_t block_size);
/* The block writer the processor must be given: it passes blocks on to
 * the real one and records where our fragment blocks land. */
sqfs_block_writer_t *frag_packer_block_writer(struct frag_packer *fp);
void frag_packer_set_processor(struct frag_packer *fp,
			       sqfs_block_processor_t *proc);
/* Store a tail; cut_key decides content-defined block boundaries. Returns
 * 0 or an SQFS_ERROR code. */
int frag_packer_add(struct frag_packer *fp, const void *data, uint32_t size,
		    uint64_t cut_key, uint32_t *index, uint32_t *offset);
int frag_packer_flush(struct frag_packer *fp);
void frag_packer_stats(const struct frag_packer *fp, uint64_t *tails,
		       uint64_t *stored, uint64_t *blocks);
void frag_packer_destroy(struct frag_packer *fp);

/* Text for an SQFS_ERROR code. */
const char *sqfs_error_text(int code);

#endif
