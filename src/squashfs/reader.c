/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading an image's directory tree into a gapimg_fstree.  Images are
 * untrusted input: every name is checked (no '/', not "." or "..", not
 * empty) before it becomes a path, inode numbers are bounds-checked, and
 * a directory reached twice is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqfs/compressor.h>
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

struct reader {
	const char *path;
	sqfs_xattr_reader_t *xr;
	struct gapimg_fstree *tree;
	char **first_path;         /* [inode number]: first name of a file */
	uint32_t ninodes;
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

static int add_node(struct reader *r, const sqfs_tree_node_t *n,
		    struct strbuf *path)
{
	const sqfs_inode_generic_t *sq = n->inode;
	struct gapimg_node_spec spec = {
		.mode = sq->base.mode & 07777,
		.uid = n->uid,
		.gid = n->gid,
		.mtime = sq->base.mod_time,
	};
	struct gapimg_dentry *d;
	uint32_t ino = sq->base.inode_number;
	const sqfs_tree_node_t *c;
	size_t len = path->len;
	int is_root = n->parent == NULL;

	if (ino == 0 || ino > r->ninodes)
		return gapimg_error_set(r->err, GAPIMG_E_CORRUPT,
					"image %s is corrupted: %s has inode number "
					"%u, outside 1..%u", r->path,
					path->len ? path->buf : "/", ino, r->ninodes);
	switch (sq->base.type) {
	case SQFS_INODE_DIR:
	case SQFS_INODE_EXT_DIR:
		spec.type = GAPIMG_FT_DIR;
		break;
	case SQFS_INODE_FILE:
	case SQFS_INODE_EXT_FILE:
		spec.type = GAPIMG_FT_REG;
		sqfs_inode_get_file_size(sq, &spec.size);
		break;
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK:
		spec.type = GAPIMG_FT_SYMLINK;
		break;
	case SQFS_INODE_CDEV:
	case SQFS_INODE_EXT_CDEV:
	case SQFS_INODE_BDEV:
	case SQFS_INODE_EXT_BDEV: {
		sqfs_u32 devno = (sq->base.type == SQFS_INODE_CDEV ||
				  sq->base.type == SQFS_INODE_BDEV) ?
				 sq->data.dev.devno : sq->data.dev_ext.devno;
		spec.type = (sq->base.type == SQFS_INODE_CDEV ||
			     sq->base.type == SQFS_INODE_EXT_CDEV) ?
			    GAPIMG_FT_CHR : GAPIMG_FT_BLK;
		spec.major = (devno >> 8) & 0xfff;
		spec.minor = (devno & 0xff) | ((devno >> 12) & 0xfff00);
		break;
	}
	case SQFS_INODE_FIFO:
	case SQFS_INODE_EXT_FIFO:
		spec.type = GAPIMG_FT_FIFO;
		break;
	case SQFS_INODE_SOCKET:
	case SQFS_INODE_EXT_SOCKET:
		spec.type = GAPIMG_FT_SOCK;
		break;
	default:
		return gapimg_error_set(r->err, GAPIMG_E_CORRUPT,
					"image %s is corrupted: %s has unknown inode "
					"type %u", r->path, path->len ? path->buf : "/",
					sq->base.type);
	}

	if (is_root && spec.type != GAPIMG_FT_DIR)
		return gapimg_error_set(r->err, GAPIMG_E_CORRUPT,
					"image %s is corrupted: its root is not a "
					"directory", r->path);

	/* A second name of a file seen before: a hard link. */
	if (!is_root && r->first_path[ino] != NULL) {
		if (spec.type == GAPIMG_FT_DIR)
			return gapimg_error_set(r->err, GAPIMG_E_CORRUPT,
						"image %s is corrupted: directory %s "
						"shares inode %u with %s", r->path,
						path->buf, ino, r->first_path[ino]);
		d = gapimg_fstree_add_hardlink(r->tree, path->buf,
					       r->first_path[ino], r->path, 0, r->err);
		return d ? 0 : -1;
	}

	if (spec.type == GAPIMG_FT_SYMLINK) {
		struct strbuf t = STRBUF_INIT;
		int ret;

		if (memchr(sq->extra, '\0', sq->data.slink.target_size) != NULL)
			return gapimg_error_set(r->err, GAPIMG_E_CORRUPT,
						"image %s is corrupted: symlink %s has "
						"a NUL byte in its target", r->path,
						path->buf);
		if (strbuf_add(&t, sq->extra, sq->data.slink.target_size))
			return gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
		spec.target = t.buf;
		d = gapimg_fstree_add(r->tree, path->buf, &spec, r->path, 0, r->err);
		strbuf_release(&t);
		ret = d ? 0 : -1;
		if (ret)
			return ret;
	} else {
		d = gapimg_fstree_add(r->tree, is_root ? "/" : path->buf, &spec,
				      r->path, is_root ? GAPIMG_ADD_REPLACE : 0,
				      r->err);
		if (d == NULL)
			return -1;
	}
	d->inode->ino = ino;
	if (!is_root && spec.type != GAPIMG_FT_DIR) {
		r->first_path[ino] = strdup(path->buf);
		if (r->first_path[ino] == NULL)
			return gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
	}
	if (load_xattrs(r, sq, d->inode, is_root ? "/" : path->buf))
		return -1;

	for (c = n->children; c != NULL; c = c->next) {
		const char *name = (const char *)c->name;
		size_t nlen = strlen(name);

		if (nlen == 0 || strchr(name, '/') != NULL ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			struct strbuf q = STRBUF_INIT;
			gapimg_path_quote(name, nlen, &q);
			gapimg_error_set(r->err, GAPIMG_E_CORRUPT,
					 "image %s is corrupted: directory %s has an "
					 "entry named \"%s\", which is not a valid "
					 "file name", r->path, len ? path->buf : "/",
					 q.buf);
			strbuf_release(&q);
			return -1;
		}
		if (strbuf_addch(path, '/') || strbuf_add(path, name, nlen))
			return gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
		if (add_node(r, c, path))
			return -1;
		strbuf_setlen(path, len);
	}
	return 0;
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
	sqfs_tree_node_t *root = NULL;
	struct strbuf p = STRBUF_INIT;
	sqfs_super_t super;
	sqfs_file_t *file;
	struct stat st;
	uint32_t i;
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
	code = sqfs_dir_reader_get_full_hierarchy(dr, idtbl, NULL, 0, &root);
	if (code != 0) {
		read_fail(path, code, "directory tree", err);
		goto out;
	}
	r.ninodes = super.inode_count;
	r.first_path = calloc((size_t)r.ninodes + 1, sizeof(*r.first_path));
	r.tree = gapimg_fstree_new(err);
	if (r.first_path == NULL || r.tree == NULL) {
		if (r.first_path == NULL)
			gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		goto out;
	}
	if (add_node(&r, root, &p))
		goto out;
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
		for (i = 0; i <= r.ninodes; i++)
			free(r.first_path[i]);
	free(r.first_path);
	gapimg_fstree_free(r.tree);
	strbuf_release(&p);
	sqfs_dir_tree_destroy(root);
	sqfs_destroy(r.xr);
	sqfs_destroy(dr);
	sqfs_destroy(idtbl);
	sqfs_destroy(cmp);
	sqfs_destroy(file);
	return ret;
}
