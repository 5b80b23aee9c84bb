/* SPDX-License-Identifier: GPL-3.0-or-later */
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

/* A cut after 1 in 2^CUT_BITS tails, once the block is MIN_FILL_EIGHTHS/8
 * full (overridable only to measure alternatives: see the benchmark). */
#ifndef CUT_BITS
#define CUT_BITS 2
#endif
#ifndef MIN_FILL_EIGHTHS
#define MIN_FILL_EIGHTHS 7
#endif

struct tail_entry {
	uint8_t sha[GAPIMG_SHA256_LEN];
	uint32_t size;
	uint32_t index;
	uint32_t offset;
	int used;
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
	struct tail_entry *ht;
	size_t ht_cap, ht_used;
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

static size_t tail_slot(const struct frag_packer *fp, const uint8_t *sha,
			uint32_t size)
{
	size_t i;

	memcpy(&i, sha, sizeof(i));
	i &= fp->ht_cap - 1;
	while (fp->ht[i].used &&
	       !(fp->ht[i].size == size &&
		 memcmp(fp->ht[i].sha, sha, GAPIMG_SHA256_LEN) == 0))
		i = (i + 1) & (fp->ht_cap - 1);
	return i;
}

static int tail_grow(struct frag_packer *fp)
{
	struct tail_entry *old = fp->ht;
	size_t i, oldcap = fp->ht_cap;

	fp->ht_cap = oldcap ? oldcap * 2 : 1024;
	fp->ht = calloc(fp->ht_cap, sizeof(*fp->ht));
	if (fp->ht == NULL) {
		fp->ht = old;
		fp->ht_cap = oldcap;
		return SQFS_ERROR_ALLOC;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i].used)
			fp->ht[tail_slot(fp, old[i].sha, old[i].size)] = old[i];
	free(old);
	return 0;
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
	uint8_t sha[GAPIMG_SHA256_LEN];
	size_t slot;
	int ret;

	if (size == 0 || size >= fp->block_size)
		return SQFS_ERROR_ARG_INVALID;
	fp->tails++;
	if (gapimg_sha256(data, size, sha))
		return SQFS_ERROR_INTERNAL;
	if (fp->ht_used * 2 >= fp->ht_cap && (ret = tail_grow(fp)) != 0)
		return ret;
	slot = tail_slot(fp, sha, size);
	if (fp->ht[slot].used) {
		*index = fp->ht[slot].index;
		*offset = fp->ht[slot].offset;
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

	memcpy(fp->ht[slot].sha, sha, sizeof(sha));
	fp->ht[slot].size = size;
	fp->ht[slot].index = *index;
	fp->ht[slot].offset = *offset;
	fp->ht[slot].used = 1;
	fp->ht_used++;

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
	free(fp->ht);
	free(fp);
}
