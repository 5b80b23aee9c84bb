/*
 * The SquashFS writer.  The call sequence follows libsquashfs 1.2's public
 * API (../shared/notes/squashfs.md, section 1); the layout rules the
 * library leaves to its caller are ours and are listed in
 * docs/squashfs-layout.md.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/block.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>
#include <sqfs/xattr_writer.h>

#include "gapimg/squashfs.h"
#include "gapimg/strbuf.h"
#include "internal.h"

#define READ_CHUNK (1024 * 1024)

struct gapimg_sqfs_writer {
	struct gapimg_sqfs_opts opts;
	struct outfile *out;
	sqfs_file_t *file;
	sqfs_super_t super;
	sqfs_compressor_t *cmp;
	sqfs_block_writer_t *bw;
	sqfs_frag_table_t *ftbl;
	struct frag_packer *frags;
	sqfs_block_processor_t *proc;
	sqfs_id_table_t *idtbl;
	sqfs_xattr_writer_t *xwr;
	sqfs_meta_writer_t *im, *dm;
	sqfs_dir_writer_t *dirwr;
	uint8_t *buf;
	uint8_t *tail;
	struct gapimg_sqfs_progress progress;
	gapimg_sqfs_progress_fn progress_fn;
	void *progress_user;
	gapimg_sqfs_seal_fn seal_fn;
	void *seal_user;
	uint64_t files;
	size_t backlog;
	int finished;
	int failed;
	/* Set when a libsquashfs call failed inside the worker pool: its
	 * threads may have stopped, so draining could wait forever. */
	int pool_broken;
};

static SQFS_COMPRESSOR comp_id(enum gapimg_comp c)
{
	switch (c) {
	case GAPIMG_COMP_XZ: return SQFS_COMP_XZ;
	case GAPIMG_COMP_GZIP: return SQFS_COMP_GZIP;
	case GAPIMG_COMP_ZSTD: break;
	}
	return SQFS_COMP_ZSTD;
}

/* Turn a libsquashfs failure into a message; an I/O failure of the output
 * file carries its errno (ENOSPC says "No space left on device"). */
static int sqfs_fail(struct gapimg_sqfs_writer *w, int code, const char *what,
		     struct gapimg_error *err)
{
	w->failed = 1;
	if (code != SQFS_ERROR_IO || w->out == NULL || outfile_errno(w->out) == 0)
		w->pool_broken = 1;
	if (code == SQFS_ERROR_IO && w->out != NULL && outfile_errno(w->out) != 0)
		return gapimg_error_errno(err, outfile_errno(w->out),
					  "cannot write %s (%s)",
					  outfile_path(w->out), what);
	if (code == SQFS_ERROR_ALLOC)
		return gapimg_error_set(err, GAPIMG_E_NOMEM,
					"out of memory while %s", what);
	return gapimg_error_set(err, GAPIMG_E_INTERNAL,
				"cannot write %s (%s): %s (libsquashfs error %d)",
				w->out ? outfile_path(w->out) : "image", what,
				sqfs_error_text(code), code);
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (n > 64 ? 64 : (unsigned)n);
}

struct gapimg_sqfs_writer *gapimg_sqfs_writer_create(
	const char *path, const struct gapimg_sqfs_opts *opts,
	struct gapimg_error *err)
{
	struct gapimg_sqfs_writer *w;
	sqfs_compressor_config_t cfg;
	sqfs_block_processor_desc_t desc;
	unsigned threads;
	size_t backlog;
	int ret;

	if (gapimg_sqfs_opts_check(opts, err))
		return NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		return NULL;
	}
	w->opts = *opts;
	w->buf = malloc(READ_CHUNK);
	w->tail = malloc(opts->block_size);
	if (w->buf == NULL || w->tail == NULL) {
		gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		goto fail;
	}
	w->out = outfile_create(path, err);
	if (w->out == NULL)
		goto fail;
	w->file = outfile_sqfs(w->out);

	ret = sqfs_compressor_config_init(&cfg, comp_id(opts->comp),
					  opts->block_size, 0);
	if (ret == 0) {
		cfg.level = (sqfs_u32)(opts->level != GAPIMG_LEVEL_DEFAULT ?
				       opts->level :
				       gapimg_comp_default_level(opts->comp));
		ret = sqfs_compressor_create(&cfg, &w->cmp);
	}
	if (ret != 0) {
		sqfs_fail(w, ret, "setting up the compressor", err);
		goto fail;
	}

	ret = sqfs_super_init(&w->super, opts->block_size, (sqfs_u32)opts->epoch,
			      comp_id(opts->comp));
	if (ret == 0)
		ret = sqfs_super_write(&w->super, w->file);
	if (ret == 0) {
		ret = w->cmp->write_options(w->cmp, w->file);
		if (ret > 0) {
			w->super.flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;
			ret = 0;
		}
	}
	if (ret != 0) {
		sqfs_fail(w, ret, "writing the super block", err);
		goto fail;
	}

	w->bw = sqfs_block_writer_create(w->file, 4096, 0);
	w->ftbl = sqfs_frag_table_create(0);
	if (w->bw == NULL || w->ftbl == NULL)
		goto nomem;
	w->frags = frag_packer_create(w->bw, w->ftbl, opts->block_size);
	if (w->frags == NULL)
		goto nomem;

	threads = opts->threads ? opts->threads : online_cpus();
	/* Enough blocks in flight to keep every worker busy, but bounded in
	 * memory: at most 32 MiB of queued blocks. */
	backlog = 4 * (size_t)threads + 4;
	if (backlog * opts->block_size > 32u * 1024 * 1024)
		backlog = 32u * 1024 * 1024 / opts->block_size;
	if (backlog < threads + 2)
		backlog = threads + 2;
	w->backlog = backlog;
	memset(&desc, 0, sizeof(desc));
	desc.size = sizeof(desc);
	desc.max_block_size = opts->block_size;
	desc.num_workers = threads;
	desc.max_backlog = (sqfs_u32)backlog;
	desc.cmp = w->cmp;
	desc.wr = frag_packer_block_writer(w->frags);
	/* No fragment table, file or decompressor: every file is submitted
	 * with SQFS_BLK_DONT_FRAGMENT, the tails go through fragments.c. */
	ret = sqfs_block_processor_create_ex(&desc, &w->proc);
	if (ret != 0) {
		sqfs_fail(w, ret, "starting the compressor threads", err);
		goto fail;
	}
	frag_packer_set_processor(w->frags, w->proc);

	w->idtbl = sqfs_id_table_create(0);
	w->xwr = sqfs_xattr_writer_create(0);
	w->im = sqfs_meta_writer_create(w->file, w->cmp, 0);
	w->dm = sqfs_meta_writer_create(w->file, w->cmp,
					SQFS_META_WRITER_KEEP_IN_MEMORY);
	if (w->idtbl == NULL || w->xwr == NULL || w->im == NULL || w->dm == NULL)
		goto nomem;
	w->dirwr = sqfs_dir_writer_create(w->dm, SQFS_DIR_WRITER_CREATE_EXPORT_TABLE);
	if (w->dirwr == NULL)
		goto nomem;
	return w;
nomem:
	gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
fail:
	gapimg_sqfs_writer_destroy(w);
	return NULL;
}

void gapimg_sqfs_writer_set_seal(struct gapimg_sqfs_writer *w,
				 gapimg_sqfs_seal_fn fn, void *user)
{
	w->seal_fn = fn;
	w->seal_user = user;
}

void gapimg_sqfs_writer_set_progress(struct gapimg_sqfs_writer *w,
				     gapimg_sqfs_progress_fn fn, void *user)
{
	w->progress_fn = fn;
	w->progress_user = user;
}

/* FNV-1a over the path, then a finaliser so the low bits are well mixed. */
static uint64_t cut_key(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* Read exactly len bytes of the file (less only at a premature end). */
static int read_full(struct gapimg_source *src, uint8_t *buf, size_t len,
		     size_t *got, struct gapimg_error *err)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = gapimg_source_read(src, buf + *got, len - *got, err);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

static int size_mismatch(struct gapimg_inode *inode, const char *how,
			 struct gapimg_error *err)
{
	char *p = gapimg_dentry_path(inode->first);

	gapimg_error_set(err, GAPIMG_E_IO,
			 "%s (%s in the image) %s while it was being packed: "
			 "expected %llu bytes; make sure nothing writes to the "
			 "input during a build", inode->u.reg.src->what,
			 p ? p : "?", how, (unsigned long long)inode->u.reg.size);
	free(p);
	return -1;
}

int gapimg_sqfs_writer_add_data(struct gapimg_sqfs_writer *w,
				struct gapimg_inode *inode,
				struct gapimg_error *err)
{
	sqfs_inode_generic_t **sq = (sqfs_inode_generic_t **)&inode->writer_data;
	uint64_t size = inode->u.reg.size, left;
	uint32_t tail = (uint32_t)(size % w->opts.block_size);
	struct gapimg_source *src = inode->u.reg.src;
	size_t got;
	int ret;

	if (w->failed || w->finished)
		return gapimg_error_set(err, GAPIMG_E_INTERNAL,
					"image writer used after it failed or finished");
	if (inode->type != GAPIMG_FT_REG || inode->data_written)
		return 0;
	if (src == NULL && size != 0) {
		char *p = gapimg_dentry_path(inode->first);
		gapimg_error_set(err, GAPIMG_E_INTERNAL,
				 "%s has no content source", p ? p : "?");
		free(p);
		w->failed = 1;
		return -1;
	}

	ret = sqfs_block_processor_begin_file(w->proc, sq, NULL,
					      SQFS_BLK_DONT_FRAGMENT);
	if (ret != 0)
		return sqfs_fail(w, ret, "starting a file", err);

	/* Whole blocks go to the block processor, the tail to fragments.c. */
	left = size - tail;
	while (left > 0) {
		size_t want = left < READ_CHUNK ? (size_t)left : READ_CHUNK;

		if (read_full(src, w->buf, want, &got, err))
			goto fail;
		if (got < want) {
			size_mismatch(inode, "shrank", err);
			goto fail;
		}
		ret = sqfs_block_processor_append(w->proc, w->buf, got);
		if (ret != 0) {
			sqfs_fail(w, ret, "compressing file data", err);
			goto fail;
		}
		left -= got;
		w->progress.bytes_done += got;
		if (w->progress_fn)
			w->progress_fn(&w->progress, w->progress_user);
	}
	if (src != NULL) {
		if (read_full(src, w->tail, tail, &got, err))
			goto fail;
		if (got < tail) {
			size_mismatch(inode, "shrank", err);
			goto fail;
		}
		if (read_full(src, w->buf, 1, &got, err))
			goto fail;
		if (got != 0) {
			size_mismatch(inode, "grew", err);
			goto fail;
		}
	}
	ret = sqfs_block_processor_end_file(w->proc);
	if (ret != 0)
		return sqfs_fail(w, ret, "finishing a file", err);

	if (tail > 0) {
		uint32_t idx, off;
		char *p = gapimg_dentry_path(inode->first);

		if (p == NULL) {
			w->failed = 1;
			return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		}
		ret = frag_packer_add(w->frags, w->tail, tail, cut_key(p), &idx, &off);
		free(p);
		if (ret != 0)
			return sqfs_fail(w, ret, "packing fragments", err);
		sqfs_inode_set_frag_location(*sq, idx, off);
	}
	/* The processor only counted the whole blocks. */
	if ((*sq)->base.type == SQFS_INODE_EXT_FILE)
		(*sq)->data.file_ext.file_size = size;
	else
		sqfs_inode_set_file_size(*sq, size);

	if (src != NULL) {
		gapimg_source_free(src);
		inode->u.reg.src = NULL;
	}
	inode->data_written = 1;
	w->files++;
	w->progress.bytes_done += tail;
	w->progress.files_done++;
	if (w->progress_fn)
		w->progress_fn(&w->progress, w->progress_user);
	return 0;
fail:
	/* The processor is mid-file and cannot be resumed: the image is lost,
	 * but never written half-way. */
	w->failed = 1;
	gapimg_source_close(src);
	return -1;
}

/* ---- after the data: numbering, ids, xattrs, inodes, directories ---- */

struct layout {
	struct gapimg_dentry **by_ino;   /* [1..n]: the dentry numbered */
	sqfs_u64 *ref;                   /* [1..n]: inode reference */
	sqfs_u32 *xattr;                 /* [1..n]: xattr index or ~0 */
	uint32_t n;
	size_t cap;                      /* entries in by_ino: ninodes + 1 */
};

/*
 * Dense numbering, children before parents: recurse into subdirectories
 * first, then number this directory's entries in name order; the root
 * comes last.  Every directory then knows the numbers and references of
 * its entries when its own inode is written, which is what the kernel and
 * mksquashfs expect.  An inode with several names is numbered where it is
 * first met.
 */
static int number_dir(struct layout *l, struct gapimg_dentry *dir)
{
	size_t i;

	for (i = 0; i < dir->nchildren; i++) {
		struct gapimg_dentry *c = dir->children[i];
		if (c->inode->type == GAPIMG_FT_DIR && number_dir(l, c))
			return -1;
	}
	for (i = 0; i < dir->nchildren; i++) {
		struct gapimg_inode *in = dir->children[i]->inode;
		if (in->ino == 0) {
			if (l->n + 1 >= l->cap)
				return -1;  /* more inodes than the tree counted */
			in->ino = ++l->n;
			l->by_ino[in->ino] = dir->children[i];
		}
	}
	return 0;
}

static int clear_ino(struct gapimg_dentry *d, void *user)
{
	(void)user;
	d->inode->ino = 0;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Register every uid and gid in ascending order, so table indices do not
 * depend on which file came first. */
static int fill_id_table(struct gapimg_sqfs_writer *w, struct layout *l,
			 struct gapimg_error *err)
{
	uint32_t *ids = malloc(2 * (size_t)l->n * sizeof(*ids));
	size_t i, n = 0;
	int ret = 0;

	if (ids == NULL)
		return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
	for (i = 1; i <= l->n; i++) {
		ids[n++] = l->by_ino[i]->inode->uid;
		ids[n++] = l->by_ino[i]->inode->gid;
	}
	qsort(ids, n, sizeof(*ids), cmp_u32);
	for (i = 0; i < n && ret == 0; i++) {
		sqfs_u16 idx;
		if (i == 0 || ids[i] != ids[i - 1])
			ret = sqfs_id_table_id_to_index(w->idtbl, ids[i], &idx);
	}
	free(ids);
	if (ret == SQFS_ERROR_OVERFLOW)
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
					"the tree uses more than 65536 distinct user "
					"and group ids; SquashFS cannot store that");
	return ret ? sqfs_fail(w, ret, "building the id table", err) : 0;
}

/* Xattr sets in inode order, keys sorted (the tree keeps them sorted). */
static int fill_xattrs(struct gapimg_sqfs_writer *w, struct layout *l,
		       struct gapimg_error *err)
{
	uint32_t i;
	size_t k;
	int ret;

	for (i = 1; i <= l->n; i++) {
		struct gapimg_inode *in = l->by_ino[i]->inode;

		l->xattr[i] = 0xFFFFFFFF;
		if (in->nxattrs == 0)
			continue;
		ret = sqfs_xattr_writer_begin(w->xwr, 0);
		for (k = 0; ret == 0 && k < in->nxattrs; k++)
			ret = sqfs_xattr_writer_add(w->xwr, in->xattrs[k].key,
						    in->xattrs[k].value,
						    in->xattrs[k].size);
		if (ret == 0)
			ret = sqfs_xattr_writer_end(w->xwr, &l->xattr[i]);
		if (ret != 0)
			return sqfs_fail(w, ret, "storing extended attributes", err);
	}
	return 0;
}

static uint16_t type_bits(enum gapimg_ftype t)
{
	switch (t) {
	case GAPIMG_FT_DIR: return S_IFDIR;
	case GAPIMG_FT_REG: return S_IFREG;
	case GAPIMG_FT_SYMLINK: return S_IFLNK;
	case GAPIMG_FT_CHR: return S_IFCHR;
	case GAPIMG_FT_BLK: return S_IFBLK;
	case GAPIMG_FT_FIFO: return S_IFIFO;
	case GAPIMG_FT_SOCK: return S_IFSOCK;
	}
	return 0;
}

static sqfs_u32 inode_mtime(const struct gapimg_sqfs_writer *w,
			    const struct gapimg_inode *in)
{
	if (w->opts.mtime == GAPIMG_MTIME_CLAMP) {
		if (in->mtime < 0)
			return 0;
		if (in->mtime > w->opts.epoch)
			return (sqfs_u32)w->opts.epoch;
		return (sqfs_u32)in->mtime;
	}
	return (sqfs_u32)w->opts.epoch;
}

static sqfs_inode_generic_t *make_dir_inode(struct gapimg_sqfs_writer *w,
					    struct layout *l,
					    struct gapimg_dentry *d,
					    uint32_t parent_ino, int *code)
{
	sqfs_inode_generic_t *sq;
	sqfs_u32 subdirs = 0;
	size_t i;

	*code = sqfs_dir_writer_begin(w->dirwr, 0);
	for (i = 0; *code == 0 && i < d->nchildren; i++) {
		struct gapimg_inode *c = d->children[i]->inode;

		if (c->type == GAPIMG_FT_DIR)
			subdirs++;
		*code = sqfs_dir_writer_add_entry(w->dirwr, d->children[i]->name,
						  c->ino, l->ref[c->ino],
						  type_bits(c->type) | c->mode);
	}
	if (*code == 0)
		*code = sqfs_dir_writer_end(w->dirwr);
	if (*code != 0)
		return NULL;
	sq = sqfs_dir_writer_create_inode(w->dirwr, 0, 0xFFFFFFFF, parent_ino);
	if (sq == NULL) {
		*code = SQFS_ERROR_ALLOC;
		return NULL;
	}
	/* mksquashfs and the kernel's convention: 2 + subdirectories. */
	if (sq->base.type == SQFS_INODE_EXT_DIR)
		sq->data.dir_ext.nlink = 2 + subdirs;
	else
		sq->data.dir.nlink = 2 + subdirs;
	return sq;
}

static sqfs_inode_generic_t *make_other_inode(const struct gapimg_inode *in,
					      int *code)
{
	size_t extra = in->type == GAPIMG_FT_SYMLINK ?
		       strlen(in->u.symlink.target) : 0;
	sqfs_inode_generic_t *sq = calloc(1, sizeof(*sq) + extra);

	if (sq == NULL) {
		*code = SQFS_ERROR_ALLOC;
		return NULL;
	}
	switch (in->type) {
	case GAPIMG_FT_SYMLINK:
		sq->base.type = SQFS_INODE_SLINK;
		sq->data.slink.nlink = in->nlink;
		sq->data.slink.target_size = (sqfs_u32)extra;
		memcpy(sq->extra, in->u.symlink.target, extra);
		sq->payload_bytes_available = (sqfs_u32)extra;
		sq->payload_bytes_used = (sqfs_u32)extra;
		break;
	case GAPIMG_FT_CHR:
	case GAPIMG_FT_BLK:
		sq->base.type = in->type == GAPIMG_FT_CHR ? SQFS_INODE_CDEV :
			       SQFS_INODE_BDEV;
		sq->data.dev.nlink = in->nlink;
		sq->data.dev.devno = (in->u.dev.minor & 0xff) |
				     (in->u.dev.major << 8) |
				     ((in->u.dev.minor & ~0xffu) << 12);
		break;
	case GAPIMG_FT_FIFO:
	case GAPIMG_FT_SOCK:
		sq->base.type = in->type == GAPIMG_FT_FIFO ? SQFS_INODE_FIFO :
			       SQFS_INODE_SOCKET;
		sq->data.ipc.nlink = in->nlink;
		break;
	default:
		free(sq);
		*code = SQFS_ERROR_INTERNAL;
		return NULL;
	}
	return sq;
}

static int write_inodes(struct gapimg_sqfs_writer *w, struct layout *l,
			struct gapimg_error *err)
{
	uint32_t i;
	int code = 0;

	w->super.inode_table_start = w->file->get_size(w->file);
	for (i = 1; i <= l->n; i++) {
		struct gapimg_dentry *d = l->by_ino[i];
		struct gapimg_inode *in = d->inode;
		sqfs_inode_generic_t *sq;
		sqfs_u64 block;
		sqfs_u32 offset;
		int owned = 1;

		if (in->type == GAPIMG_FT_DIR) {
			uint32_t parent = d->parent ? d->parent->inode->ino : l->n + 1;
			sq = make_dir_inode(w, l, d, parent, &code);
		} else if (in->type == GAPIMG_FT_REG) {
			sq = in->writer_data;
			owned = 0;
			if (sq == NULL) {
				code = SQFS_ERROR_INTERNAL;
			} else if (in->nlink > 1) {
				code = sqfs_inode_make_extended(sq);
				sq->data.file_ext.nlink = in->nlink;
			}
		} else {
			sq = make_other_inode(in, &code);
		}
		if (sq == NULL || code != 0) {
			if (owned)
				free(sq);
			return sqfs_fail(w, code ? code : SQFS_ERROR_INTERNAL,
					 "building inodes", err);
		}
		sq->base.mode = type_bits(in->type) | in->mode;
		sq->base.mod_time = inode_mtime(w, in);
		sq->base.inode_number = i;
		code = sqfs_id_table_id_to_index(w->idtbl, in->uid, &sq->base.uid_idx);
		if (code == 0)
			code = sqfs_id_table_id_to_index(w->idtbl, in->gid,
							 &sq->base.gid_idx);
		/* Only for a real index: ~0 would demote an extended inode
		 * (a hard-linked or sparse file) in libsquashfs 1.2. */
		if (code == 0 && l->xattr[i] != 0xFFFFFFFF)
			code = sqfs_inode_set_xattr_index(sq, l->xattr[i]);
		if (code == 0) {
			sqfs_meta_writer_get_position(w->im, &block, &offset);
			l->ref[i] = (block << 16) | offset;
			code = sqfs_meta_writer_write_inode(w->im, sq);
		}
		if (owned)
			free(sq);
		if (code != 0)
			return sqfs_fail(w, code, "writing inodes", err);
	}
	return 0;
}

static int write_tables(struct gapimg_sqfs_writer *w, struct layout *l,
			struct gapimg_error *err)
{
	static const uint8_t zeros[4096];
	sqfs_u64 size;
	int ret;

	ret = sqfs_meta_writer_flush(w->im);
	if (ret == 0)
		ret = sqfs_meta_writer_flush(w->dm);
	if (ret != 0)
		return sqfs_fail(w, ret, "writing the inode table", err);
	w->super.root_inode_ref = l->ref[l->n];
	w->super.directory_table_start = w->file->get_size(w->file);
	ret = sqfs_meta_write_write_to_file(w->dm);
	if (ret != 0)
		return sqfs_fail(w, ret, "writing the directory table", err);
	ret = sqfs_frag_table_write(w->ftbl, w->file, &w->super, w->cmp);
	if (ret != 0)
		return sqfs_fail(w, ret, "writing the fragment table", err);
	ret = sqfs_dir_writer_write_export_table(w->dirwr, w->file, w->cmp, l->n,
						 l->ref[l->n], &w->super);
	if (ret != 0)
		return sqfs_fail(w, ret, "writing the export table", err);
	ret = sqfs_id_table_write(w->idtbl, w->file, &w->super, w->cmp);
	if (ret != 0)
		return sqfs_fail(w, ret, "writing the id table", err);
	ret = sqfs_xattr_writer_flush(w->xwr, w->file, &w->super, w->cmp);
	if (ret != 0)
		return sqfs_fail(w, ret, "writing the xattr table", err);

	w->super.inode_count = l->n;
	w->super.bytes_used = w->file->get_size(w->file);
	ret = sqfs_super_write(&w->super, w->file);
	if (ret != 0)
		return sqfs_fail(w, ret, "writing the super block", err);
	/* Pad to 4 KiB, as loop devices and mksquashfs expect. */
	size = w->file->get_size(w->file);
	if (size % 4096) {
		ret = w->file->write_at(w->file, size, zeros, 4096 - size % 4096);
		if (ret != 0)
			return sqfs_fail(w, ret, "padding the image", err);
	}
	return 0;
}

struct pending {
	struct gapimg_sqfs_writer *w;
	struct gapimg_error *err;
	int count_only;
};

static int store_pending(struct gapimg_dentry *d, void *user)
{
	struct pending *p = user;
	struct gapimg_inode *in = d->inode;

	if (in->type != GAPIMG_FT_REG || in->data_written || in->first != d)
		return 0;
	if (p->count_only) {
		p->w->progress.files_total++;
		p->w->progress.bytes_total += in->u.reg.size;
		return 0;
	}
	return gapimg_sqfs_writer_add_data(p->w, in, p->err) ? -1 : 0;
}

/* The caller's bytes after the finished image (a signature trailer),
 * before the image is moved into place. */
static int seal(struct gapimg_sqfs_writer *w, const struct gapimg_sqfs_stats *st,
		struct gapimg_error *err)
{
	unsigned char *tail = NULL;
	size_t len = 0;
	int code;

	if (w->seal_fn(outfile_fd(w->out), st, w->seal_user, &tail, &len, err) < 0) {
		free(tail);
		return -1;
	}
	code = len ? w->file->write_at(w->file, st->bytes, tail, len) : 0;
	free(tail);
	return code ? sqfs_fail(w, code, "appending the signature", err) : 0;
}

int gapimg_sqfs_writer_finish(struct gapimg_sqfs_writer *w,
			      struct gapimg_fstree *tree,
			      struct gapimg_sqfs_stats *stats,
			      struct gapimg_error *err)
{
	struct pending p = { w, err, 1 };
	struct layout l = { 0 };
	struct gapimg_sqfs_stats st;
	int ret = -1, code;

	if (w->failed || w->finished)
		return gapimg_error_set(err, GAPIMG_E_INTERNAL,
					"image writer used after it failed or finished");
	if (tree->ninodes >= 0xFFFFFFFFu)
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED, "too many inodes");

	/* A file's data is stored at its first name and that path decides
	 * fragment cuts: it must not depend on the order names were added. */
	gapimg_fstree_sort_first_names(tree);

	/* File contents in sorted tree order. */
	w->progress.files_total = w->progress.files_done;
	w->progress.bytes_total = w->progress.bytes_done;
	gapimg_fstree_walk(tree, store_pending, &p);
	p.count_only = 0;
	if (gapimg_fstree_walk(tree, store_pending, &p))
		goto out;
	code = frag_packer_flush(w->frags);
	if (code == 0)
		code = sqfs_block_processor_finish(w->proc);
	if (code != 0) {
		sqfs_fail(w, code, "compressing file data", err);
		goto out;
	}

	l.by_ino = calloc(tree->ninodes + 1, sizeof(*l.by_ino));
	l.ref = calloc(tree->ninodes + 2, sizeof(*l.ref));
	l.xattr = calloc(tree->ninodes + 1, sizeof(*l.xattr));
	if (l.by_ino == NULL || l.ref == NULL || l.xattr == NULL) {
		gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		goto out;
	}
	l.cap = tree->ninodes + 1;
	gapimg_fstree_walk(tree, clear_ino, NULL);
	if (number_dir(&l, tree->root) == 0) {
		tree->root->inode->ino = ++l.n;
		l.by_ino[l.n] = tree->root;
	}
	if (l.n != tree->ninodes) {
		gapimg_error_set(err, GAPIMG_E_INTERNAL,
				 "inode count mismatch (%u numbered, %zu in the tree)",
				 l.n, tree->ninodes);
		goto out;
	}
	if (fill_id_table(w, &l, err) || fill_xattrs(w, &l, err) ||
	    write_inodes(w, &l, err) || write_tables(w, &l, err))
		goto out;
	memset(&st, 0, sizeof(st));
	st.bytes = w->file->get_size(w->file);
	st.inodes = l.n;
	st.files = w->files;
	frag_packer_stats(w->frags, &st.tails, &st.tails_stored, &st.frag_blocks);
	/* Blocks on disk after deduplication, fragment blocks aside. */
	st.data_blocks = w->bw->get_block_count(w->bw) - st.frag_blocks;
	if (w->seal_fn != NULL && seal(w, &st, err))
		goto out;
	if (outfile_commit(w->out, err))
		goto out;
	w->finished = 1;
	if (stats != NULL)
		*stats = st;
	ret = 0;
out:
	if (ret != 0)
		w->failed = 1;
	free(l.by_ino);
	free(l.ref);
	free(l.xattr);
	return ret;
}

void gapimg_sqfs_writer_destroy(struct gapimg_sqfs_writer *w)
{
	if (w == NULL)
		return;
	/* After a write error or a failing input the processor still holds
	 * blocks in its queues that its destroy function would leak: let it
	 * hand them back first.  Each call releases at least one. */
	if (w->proc != NULL && !w->finished && !w->pool_broken) {
		size_t i;
		for (i = 0; i < 4 * w->backlog + 16; i++)
			if (sqfs_block_processor_sync(w->proc) == 0)
				break;
	}
	/* The processor first: it stops the worker threads. */
	sqfs_destroy(w->proc);
	sqfs_destroy(w->dirwr);
	sqfs_destroy(w->dm);
	sqfs_destroy(w->im);
	sqfs_destroy(w->xwr);
	sqfs_destroy(w->idtbl);
	frag_packer_destroy(w->frags);
	sqfs_destroy(w->ftbl);
	sqfs_destroy(w->bw);
	sqfs_destroy(w->cmp);
	outfile_destroy(w->out);
	free(w->buf);
	free(w->tail);
	free(w);
}

int gapimg_sqfs_write_tree(struct gapimg_fstree *tree, const char *path,
			   const struct gapimg_sqfs_opts *opts,
			   gapimg_sqfs_progress_fn progress, void *user,
			   struct gapimg_sqfs_stats *stats,
			   struct gapimg_error *err)
{
	struct gapimg_sqfs_writer *w = gapimg_sqfs_writer_create(path, opts, err);
	int ret;

	if (w == NULL)
		return -1;
	gapimg_sqfs_writer_set_progress(w, progress, user);
	ret = gapimg_sqfs_writer_finish(w, tree, stats, err);
	gapimg_sqfs_writer_destroy(w);
	return ret;
}
