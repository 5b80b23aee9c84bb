/*
 * Tail-end packing: our own, so that we decide where fragment blocks end.
 *
 * libsquashfs packs tails sequentially: a block closes when the next tail
 * does not fit, so one tail that grows, shrinks, appears or disappears
 * shifts every later tail and changes every later fragment block.  Image
 * deltas then ship all of them (../shared/notes/delta.md).  Here a block
 * also closes after a tail whose cut key (a hash of the file's path) has
 * its low bits zero, once the block is at least half full.  A change then
 * disturbs its own block, and the next content-defined cut puts the
 * following blocks back in step.  Blocks are handed to the block processor
 * as manually submitted blocks, so they are compressed by the same worker
 * pool, in submission order, with no pipeline stall.
 *
 * Identical tails are stored once, found by SHA-256 and size.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <sqfs/block.h>
#include <sqfs/error.h>

#include "gapimg/sha256.h"
#include "util/bytemap.h"

/* A cut after 1 in 2^CUT_BITS tails, once the block is MIN_FILL_EIGHTHS/8
 * full (overridable only to measure alternatives: see the benchmark). */
#ifndef CUT_BITS
#define CUT_BITS 2
#endif
#ifndef MIN_FILL_EIGHTHS
#define MIN_FILL_EIGHTHS 7
#endif

/* Key and value of the tail map. */
struct tail_key {
	uint8_t sha[GAPIMG_SHA256_LEN];
	uint32_t size;
};

struct tail_loc {
	uint32_t index;
	uint32_t offset;
};

struct frag_packer {
	sqfs_block_writer_t shim;   /* first: the processor sees this */
	sqfs_block_writer_t *real;
	sqfs_frag_table_t *tbl;
	sqfs_block_processor_t *proc;
	uint32_t block_size;
	uint8_t *block;
	uint32_t fill;
	uint32_t index;
	int open;
	struct bytemap tails_seen;   /* tail_key -> tail_loc */
	uint64_t tails, stored, blocks;
};

/* Our fragment blocks carry their table index + 1 as the user pointer;
 * data blocks carry NULL. */
static int shim_write(sqfs_block_writer_t *wr, void *user, sqfs_u32 size,
		      sqfs_u32 checksum, sqfs_u32 flags, const sqfs_u8 *data,
		      sqfs_u64 *location)
{
	struct frag_packer *fp = (struct frag_packer *)wr;
	int ret;

	ret = fp->real->write_data_block(fp->real, user, size, checksum, flags,
					 data, location);
	if (ret != 0 || user == NULL)
		return ret;
	if (!(flags & SQFS_BLK_IS_COMPRESSED))
		size |= 1u << 24;
	return sqfs_frag_table_set(fp->tbl, (sqfs_u32)((uintptr_t)user - 1),
				   *location, size);
}

static sqfs_u64 shim_count(const sqfs_block_writer_t *wr)
{
	const struct frag_packer *fp = (const struct frag_packer *)wr;

	return fp->real->get_block_count(fp->real);
}

static void shim_destroy(sqfs_object_t *obj)
{
	(void)obj;  /* owned by the frag_packer */
}

struct frag_packer *frag_packer_create(sqfs_block_writer_t *real,
				       sqfs_frag_table_t *tbl,
				       uint32_t block_size)
{
	struct frag_packer *fp = calloc(1, sizeof(*fp));

	if (fp == NULL)
		return NULL;
	fp->block = malloc(block_size);
	if (fp->block == NULL) {
		free(fp);
		return NULL;
	}
	fp->shim.base.destroy = shim_destroy;
	fp->shim.write_data_block = shim_write;
	fp->shim.get_block_count = shim_count;
	fp->real = real;
	fp->tbl = tbl;
	fp->block_size = block_size;
	bytemap_init(&fp->tails_seen, sizeof(struct tail_key), sizeof(struct tail_loc));
	return fp;
}

sqfs_block_writer_t *frag_packer_block_writer(struct frag_packer *fp)
{
	return &fp->shim;
}

void frag_packer_set_processor(struct frag_packer *fp,
			       sqfs_block_processor_t *proc)
{
	fp->proc = proc;
}

int frag_packer_flush(struct frag_packer *fp)
{
	int ret;

	if (!fp->open)
		return 0;
	/* IGNORE_SPARSE: an all-zero fragment block must still be written,
	 * files point into it. */
	ret = sqfs_block_processor_submit_block(fp->proc,
						(void *)(uintptr_t)(fp->index + 1),
						SQFS_BLK_IGNORE_SPARSE,
						fp->block, fp->fill);
	if (ret != 0)
		return ret;
	fp->open = 0;
	fp->fill = 0;
	fp->blocks++;
	return 0;
}

int frag_packer_add(struct frag_packer *fp, const void *data, uint32_t size,
		    uint64_t cut_key, uint32_t *index, uint32_t *offset)
{
	struct tail_key key;
	struct tail_loc *loc;
	int ret, created;

	if (size == 0 || size >= fp->block_size)
		return SQFS_ERROR_ARG_INVALID;
	fp->tails++;
	memset(&key, 0, sizeof(key));
	key.size = size;
	if (gapimg_sha256(data, size, key.sha))
		return SQFS_ERROR_INTERNAL;
	loc = bytemap_put(&fp->tails_seen, &key, &created);
	if (loc == NULL)
		return SQFS_ERROR_ALLOC;
	if (!created) {
		*index = loc->index;
		*offset = loc->offset;
		return 0;
	}

	if (fp->open && fp->fill + size > fp->block_size &&
	    (ret = frag_packer_flush(fp)) != 0)
		return ret;
	if (!fp->open) {
		ret = sqfs_frag_table_append(fp->tbl, 0, 0, &fp->index);
		if (ret != 0)
			return ret;
		fp->open = 1;
	}
	memcpy(fp->block + fp->fill, data, size);
	*index = fp->index;
	*offset = fp->fill;
	fp->fill += size;
	fp->stored++;

	loc->index = *index;
	loc->offset = *offset;

	if (fp->fill >= fp->block_size / 8 * MIN_FILL_EIGHTHS &&
	    (cut_key & ((1u << CUT_BITS) - 1)) == 0)
		return frag_packer_flush(fp);
	return 0;
}

void frag_packer_stats(const struct frag_packer *fp, uint64_t *tails,
		       uint64_t *stored, uint64_t *blocks)
{
	*tails = fp->tails;
	*stored = fp->stored;
	*blocks = fp->blocks;
}

void frag_packer_destroy(struct frag_packer *fp)
{
	if (fp == NULL)
		return;
	free(fp->block);
	bytemap_free(&fp->tails_seen);
	free(fp);
}
