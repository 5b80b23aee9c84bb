/*
 * Reading an image's directory tree into a gapimg_fstree.  Images are
 * untrusted input, so the walk is ours, not libsquashfs's
 * get_full_hierarchy (which expands a directory each time it is reached
 * and recurses without limit): every name is checked (no '/', not "." or
 * "..", not empty) before it becomes a path, inode numbers and owner
 * indices are bounds-checked, a directory reached twice is refused, a
 * second name of an inode must have the same type, and the depth and the
 * number of entries are capped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqfs/compressor.h>
#include <sqfs/dir.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>
#include <sqfs/xattr.h>
#include <sqfs/xattr_reader.h>

#include "gapimg/squashfs.h"
#include "gapimg/path.h"
#include "gapimg/strbuf.h"
#include "internal.h"

/* Far beyond any root filesystem; bounds what a hostile super block can
 * make us allocate (two small arrays indexed by inode number). */
#define MAX_INODES (1u << 25)
#define MAX_ENTRIES (1u << 26)
#define MAX_DEPTH 2048

struct reader {
	const char *path;
	sqfs_dir_reader_t *dr;
	sqfs_id_table_t *idtbl;
	sqfs_xattr_reader_t *xr;
	struct gapimg_fstree *tree;
	char **first_path;         /* [inode number]: first name of a non-dir */
	uint8_t *dir_seen;         /* [inode number / 8]: directories met */
	uint32_t ninodes;
	size_t entries;
	struct gapimg_error *err;
};

static int read_fail(const char *path, int code, const char *what,
		     struct gapimg_error *err)
{
	return gapimg_error_set(err, code == SQFS_ERROR_ALLOC ? GAPIMG_E_NOMEM :
				GAPIMG_E_CORRUPT, "cannot read image %s (%s): %s",
				path, what, sqfs_error_text(code));
}

static const char *comp_text(sqfs_u16 id)
{
	const char *n = sqfs_compressor_name_from_id((SQFS_COMPRESSOR)id);
	return n ? n : "unknown";
}

static int load_xattrs(struct reader *r, const sqfs_inode_generic_t *sq,
		       struct gapimg_inode *in, const char *ipath)
{
	sqfs_xattr_id_t desc;
	sqfs_u32 idx, i;
	int ret;

	if (sqfs_inode_get_xattr_index(sq, &idx) != 0 || idx == 0xFFFFFFFF)
		return 0;
	ret = sqfs_xattr_reader_get_desc(r->xr, idx, &desc);
	if (ret == 0)
		ret = sqfs_xattr_reader_seek_kv(r->xr, &desc);
	for (i = 0; ret == 0 && i < desc.count; i++) {
		sqfs_xattr_entry_t *key = NULL;
		sqfs_xattr_value_t *val = NULL;
		struct strbuf name = STRBUF_INIT;

		ret = sqfs_xattr_reader_read_key(r->xr, &key);
		if (ret == 0)
			ret = sqfs_xattr_reader_read_value(r->xr, key, &val);
		if (ret == 0) {
			/* libsquashfs returns the full name, prefix included,
			 * NUL-terminated. */
			if (strbuf_addstr(&name, (const char *)key->key))
				ret = SQFS_ERROR_ALLOC;
			else if (gapimg_inode_set_xattr(in, name.buf, val->value,
							val->size, r->err)) {
				gapimg_error_prefix(r->err, "image %s, %s: ",
						    r->path, ipath);
				ret = 1;
			}
		}
		strbuf_release(&name);
		free(key);
		free(val);
	}
	if (ret < 0)
		return read_fail(r->path, ret, "extended attributes", r->err);
	return ret ? -1 : 0;
}

static int corrupt(struct reader *r, const char *where, const char *fmt, ...)
	GAPIMG_PRINTF(3, 4);

static int corrupt(struct reader *r, const char *where, const char *fmt, ...)
{
	char what[1024];
	struct strbuf q = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	gapimg_path_quote(where, strlen(where), &q);
	gapimg_error_set(r->err, GAPIMG_E_CORRUPT, "image %s is corrupted: %s %s",
			 r->path, q.buf, what);
	strbuf_release(&q);
	return -1;
}

/* An fstree refusal of something read from an image is a corrupt image,
 * not invalid input from the user. */
static int tree_refused(struct reader *r)
{
	if (r->err->code != GAPIMG_E_NOMEM) {
		r->err->code = GAPIMG_E_CORRUPT;
		gapimg_error_prefix(r->err, "image %s is corrupted: ", r->path);
	}
	return -1;
}

static enum gapimg_ftype ftype_of(const sqfs_inode_generic_t *sq)
{
	switch (sq->base.type) {
	case SQFS_INODE_DIR:
	case SQFS_INODE_EXT_DIR:
		return GAPIMG_FT_DIR;
	case SQFS_INODE_FILE:
	case SQFS_INODE_EXT_FILE:
		return GAPIMG_FT_REG;
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK:
		return GAPIMG_FT_SYMLINK;
	case SQFS_INODE_CDEV:
	case SQFS_INODE_EXT_CDEV:
		return GAPIMG_FT_CHR;
	case SQFS_INODE_BDEV:
	case SQFS_INODE_EXT_BDEV:
		return GAPIMG_FT_BLK;
	case SQFS_INODE_FIFO:
	case SQFS_INODE_EXT_FIFO:
		return GAPIMG_FT_FIFO;
	case SQFS_INODE_SOCKET:
	case SQFS_INODE_EXT_SOCKET:
		return GAPIMG_FT_SOCK;
	}
	return 0;
}

/* Add one inode at path ("" for the root). */
static struct gapimg_dentry *add_inode(struct reader *r, const sqfs_inode_generic_t *sq,
				       const char *path)
{
	const char *where = path[0] ? path : "/";
	struct gapimg_node_spec spec = {
		.mode = sq->base.mode & 07777,
		.mtime = sq->base.mod_time,
	};
	uint32_t ino = sq->base.inode_number;
	struct strbuf target = STRBUF_INIT;
	struct gapimg_dentry *d;

	spec.type = ftype_of(sq);
	if (spec.type == 0) {
		corrupt(r, where, "has unknown inode type %u", sq->base.type);
		return NULL;
	}
	if (ino == 0 || ino > r->ninodes) {
		corrupt(r, where, "has inode number %u, outside 1..%u", ino, r->ninodes);
		return NULL;
	}
	if (sqfs_id_table_index_to_id(r->idtbl, sq->base.uid_idx, &spec.uid) ||
	    sqfs_id_table_index_to_id(r->idtbl, sq->base.gid_idx, &spec.gid)) {
		corrupt(r, where, "has an owner index outside the id table");
		return NULL;
	}
	if (spec.type == GAPIMG_FT_DIR) {
		if (r->dir_seen[ino / 8] & (1u << (ino % 8))) {
			corrupt(r, where, "reaches directory inode %u a second time "
				"(a loop or a shared directory)", ino);
			return NULL;
		}
		r->dir_seen[ino / 8] |= (uint8_t)(1u << (ino % 8));
	} else if (r->first_path[ino] != NULL) {
		/* A second name of an inode seen before: a hard link. */
		d = gapimg_fstree_lookup(r->tree, r->first_path[ino]);
		if (d == NULL || d->inode->type != spec.type) {
			corrupt(r, where, "shares inode %u with %s, which is of "
				"another type", ino, r->first_path[ino]);
			return NULL;
		}
		d = gapimg_fstree_add_hardlink(r->tree, path, r->first_path[ino],
					       r->path, 0, r->err);
		if (d == NULL)
			tree_refused(r);
		return d;
	}

	switch (spec.type) {
	case GAPIMG_FT_REG:
		sqfs_inode_get_file_size(sq, &spec.size);
		break;
	case GAPIMG_FT_SYMLINK: {
		/* slink and slink_ext share their first two fields. */
		uint32_t n = sq->data.slink.target_size;

		if (n > sq->payload_bytes_used || memchr(sq->extra, '\0', n) != NULL) {
			corrupt(r, where, "is a symlink with a malformed target");
			return NULL;
		}
		if (strbuf_add(&target, sq->extra, n)) {
			gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
			return NULL;
		}
		spec.target = target.buf;
		break;
	}
	case GAPIMG_FT_CHR:
	case GAPIMG_FT_BLK: {
		sqfs_u32 devno = (sq->base.type == SQFS_INODE_CDEV ||
				  sq->base.type == SQFS_INODE_BDEV) ?
				 sq->data.dev.devno : sq->data.dev_ext.devno;
		spec.major = (devno >> 8) & 0xfff;
		spec.minor = (devno & 0xff) | ((devno >> 12) & 0xfff00);
		break;
	}
	default:
		break;
	}
	d = gapimg_fstree_add(r->tree, path[0] ? path : "/", &spec, r->path,
			      path[0] ? 0 : GAPIMG_ADD_REPLACE, r->err);
	strbuf_release(&target);
	if (d == NULL) {
		tree_refused(r);
		return NULL;
	}
	d->inode->ino = ino;
	if (spec.type != GAPIMG_FT_DIR) {
		r->first_path[ino] = strdup(path);
		if (r->first_path[ino] == NULL) {
			gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
			return NULL;
		}
	}
	if (load_xattrs(r, sq, d->inode, where))
		return NULL;
	return d;
}

struct child {
	char *name;
	sqfs_inode_generic_t *inode;
};

static void free_children(struct child *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].inode);
	}
	free(c);
}

/* Read all entries of a directory first: the dir reader holds one open
 * directory at a time, and recursion opens others. */
static int read_children(struct reader *r, const sqfs_inode_generic_t *dir,
			 const char *where, struct child **out, size_t *count)
{
	struct child *c = NULL;
	size_t n = 0, cap = 0;
	int ret;

	*out = NULL;
	*count = 0;
	ret = sqfs_dir_reader_open_dir(r->dr, dir, 0);
	while (ret == 0) {
		sqfs_dir_entry_t *ent = NULL;
		size_t len;

		ret = sqfs_dir_reader_read(r->dr, &ent);
		if (ret != 0)
			break;
		len = (size_t)ent->size + 1;
		if (++r->entries > MAX_ENTRIES) {
			free(ent);
			free_children(c, n);
			return corrupt(r, where, "leads to more than %u entries", MAX_ENTRIES);
		}
		if (n == cap) {
			struct child *nc = realloc(c, (cap = cap ? 2 * cap : 16) * sizeof(*c));
			if (nc == NULL) {
				free(ent);
				ret = SQFS_ERROR_ALLOC;
				break;
			}
			c = nc;
		}
		c[n].inode = NULL;
		c[n].name = strndup((const char *)ent->name, len);
		if (c[n].name == NULL || strlen(c[n].name) != len ||
		    strchr(c[n].name, '/') != NULL || strcmp(c[n].name, ".") == 0 ||
		    strcmp(c[n].name, "..") == 0) {
			struct strbuf q = STRBUF_INIT;
			int nomem = c[n].name == NULL;

			gapimg_path_quote((const char *)ent->name, len, &q);
			free(c[n].name);
			free(ent);
			free_children(c, n);
			if (nomem) {
				strbuf_release(&q);
				return gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
			}
			corrupt(r, where, "has an entry named \"%s\", which is not a valid "
				"file name", q.buf);
			strbuf_release(&q);
			return -1;
		}
		free(ent);
		ret = sqfs_dir_reader_get_inode(r->dr, &c[n].inode);
		if (ret != 0) {
			free(c[n].name);
			break;
		}
		n++;
	}
	if (ret < 0) {
		free_children(c, n);
		return read_fail(r->path, ret, "directory table", r->err);
	}
	*out = c;
	*count = n;
	return 0;
}

static int walk_dir(struct reader *r, const sqfs_inode_generic_t *dir,
		    struct strbuf *path, unsigned depth)
{
	const char *where = path->len ? path->buf : "/";
	struct child *c;
	size_t n, i, len = path->len;
	int ret = 0;

	if (depth > MAX_DEPTH)
		return corrupt(r, where, "is nested more than %u directories deep",
			       MAX_DEPTH);
	if (read_children(r, dir, where, &c, &n))
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		if (strbuf_addch(path, '/') || strbuf_addstr(path, c[i].name)) {
			ret = gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
			break;
		}
		if (add_inode(r, c[i].inode, path->buf) == NULL)
			ret = -1;
		else if (ftype_of(c[i].inode) == GAPIMG_FT_DIR)
			ret = walk_dir(r, c[i].inode, path, depth + 1);
		strbuf_setlen(path, len);
	}
	free_children(c, n);
	return ret;
}

int gapimg_sqfs_read_tree(const char *path, struct gapimg_fstree **out,
			  struct gapimg_sqfs_info *info,
			  struct gapimg_error *err)
{
	struct reader r = { .path = path, .err = err };
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp = NULL;
	sqfs_id_table_t *idtbl = NULL;
	sqfs_dir_reader_t *dr = NULL;
	sqfs_inode_generic_t *root = NULL;
	struct strbuf p = STRBUF_INIT;
	sqfs_super_t super;
	sqfs_file_t *file;
	struct stat st;
	size_t i;
	int ret = -1, code;

	*out = NULL;
	if (stat(path, &st) != 0)
		return gapimg_error_errno(err, errno, "cannot open image %s", path);
	if (!S_ISREG(st.st_mode))
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"%s is not a regular file", path);
	file = sqfs_open_file(path, SQFS_FILE_OPEN_READ_ONLY);
	if (file == NULL)
		return gapimg_error_errno(err, errno ? errno : EIO,
					  "cannot open image %s", path);
	code = sqfs_super_read(&super, file);
	if (code != 0) {
		read_fail(path, code, "super block", err);
		goto out;
	}
	if (super.bytes_used > (sqfs_u64)st.st_size) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT,
				 "image %s is truncated: its super block says %llu "
				 "bytes, the file has %lld", path,
				 (unsigned long long)super.bytes_used,
				 (long long)st.st_size);
		goto out;
	}
	code = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)super.compression_id,
					   super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
	if (code == 0)
		code = sqfs_compressor_create(&cfg, &cmp);
	if (code == 0 && (super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS))
		code = cmp->read_options(cmp, file);
	if (code != 0) {
		gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
				 "cannot read image %s: compressor %s is not "
				 "supported (%s)", path, comp_text(super.compression_id),
				 sqfs_error_text(code));
		goto out;
	}
	idtbl = sqfs_id_table_create(0);
	dr = sqfs_dir_reader_create(&super, cmp, file, 0);
	r.xr = sqfs_xattr_reader_create(0);
	if (idtbl == NULL || dr == NULL || r.xr == NULL) {
		gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		goto out;
	}
	code = sqfs_id_table_read(idtbl, file, &super, cmp);
	if (code != 0) {
		read_fail(path, code, "id table", err);
		goto out;
	}
	code = sqfs_xattr_reader_load(r.xr, &super, file, cmp);
	if (code != 0) {
		read_fail(path, code, "xattr table", err);
		goto out;
	}
	code = sqfs_dir_reader_get_root_inode(dr, &root);
	if (code != 0) {
		read_fail(path, code, "root directory", err);
		goto out;
	}
	if (super.inode_count > MAX_INODES) {
		gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
				 "image %s claims %u inodes; gapimg reads images "
				 "of up to %u", path, super.inode_count, MAX_INODES);
		goto out;
	}
	r.ninodes = super.inode_count;
	r.dr = dr;
	r.idtbl = idtbl;
	r.first_path = calloc((size_t)r.ninodes + 1, sizeof(*r.first_path));
	r.dir_seen = calloc((size_t)r.ninodes / 8 + 1, 1);
	r.tree = gapimg_fstree_new(err);
	if (r.first_path == NULL || r.dir_seen == NULL || r.tree == NULL) {
		if (r.tree != NULL)
			gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		goto out;
	}
	if (ftype_of(root) != GAPIMG_FT_DIR) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "image %s is corrupted: its "
				 "root is not a directory", path);
		goto out;
	}
	if (add_inode(&r, root, "") == NULL || walk_dir(&r, root, &p, 1))
		goto out;
	/* An image's directories need not be sorted: list hard links
	 * against the first name in sorted order, as for our own images. */
	gapimg_fstree_sort_first_names(r.tree);
	if (info != NULL) {
		info->block_size = super.block_size;
		info->compression = comp_text(super.compression_id);
		info->inodes = super.inode_count;
		info->bytes_used = super.bytes_used;
		info->mkfs_time = super.modification_time;
	}
	*out = r.tree;
	r.tree = NULL;
	ret = 0;
out:
	if (r.first_path != NULL)
		for (i = 0; i <= (size_t)r.ninodes; i++)
			free(r.first_path[i]);
	free(r.first_path);
	free(r.dir_seen);
	gapimg_fstree_free(r.tree);
	strbuf_release(&p);
	free(root);
	sqfs_destroy(r.xr);
	sqfs_destroy(dr);
	sqfs_destroy(idtbl);
	sqfs_destroy(cmp);
	sqfs_destroy(file);
	return ret;
}
