/*
 * The image tree: what goes into a root filesystem image, in memory.
 *
 * A tree is a set of names (dentries) that point to inodes.  Several names
 * may point to one regular-file inode (hard links); everything else has
 * exactly one name.  Children of a directory are kept sorted by unsigned
 * byte order (strcmp), which is the order SquashFS requires on disk, so
 * every walk of the tree is deterministic whatever order things were added.
 *
 * Every path is validated and normalised on the way in (see path.h); every
 * dentry records its origin (a host path, a package and path) so that a
 * conflict names both sides.
 */
#ifndef GAPIMG_FSTREE_H
#define GAPIMG_FSTREE_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/source.h"

enum gapimg_ftype {
	GAPIMG_FT_DIR = 1,
	GAPIMG_FT_REG,
	GAPIMG_FT_SYMLINK,
	GAPIMG_FT_CHR,
	GAPIMG_FT_BLK,
	GAPIMG_FT_FIFO,
	GAPIMG_FT_SOCK,
};

/* An mtime nobody gave: writers store the epoch (it clamps to it). */
#define GAPIMG_MTIME_UNKNOWN INT64_MAX

struct gapimg_xattr {
	char *key;          /* full name, e.g. "security.capability" */
	uint8_t *value;     /* binary; may contain NUL bytes */
	size_t size;
};

struct gapimg_dentry;

struct gapimg_inode {
	enum gapimg_ftype type;
	uint16_t mode;      /* permission bits only: 07777 */
	uint32_t uid;
	uint32_t gid;
	int64_t mtime;
	uint32_t nlink;     /* names pointing here (hard links) */
	size_t nxattrs;
	struct gapimg_xattr *xattrs;   /* sorted by key */
	/* One of the inode's names: the first one added, until
	 * gapimg_fstree_sort_first_names makes it the first in walk order. */
	struct gapimg_dentry *first;
	union {
		struct {
			uint64_t size;
			struct gapimg_source *src; /* NULL once consumed */
		} reg;
		struct {
			char *target;
		} symlink;
		struct {
			uint32_t major;
			uint32_t minor;
		} dev;
	} u;
	/* Owned by the image writer or reader while it works on the tree. */
	void *writer_data;
	uint32_t ino;
	int data_written;
};

struct gapimg_dentry {
	char *name;                    /* "" for the root */
	struct gapimg_dentry *parent;  /* NULL for the root */
	struct gapimg_inode *inode;
	char *origin;
	struct gapimg_dentry **children;  /* directories: sorted by name */
	size_t nchildren;
	size_t cap;
};

/* What to create; the fields that apply depend on type. */
struct gapimg_node_spec {
	enum gapimg_ftype type;
	uint16_t mode;
	uint32_t uid;
	uint32_t gid;
	int64_t mtime;
	uint64_t size;                 /* GAPIMG_FT_REG */
	struct gapimg_source *src;     /* GAPIMG_FT_REG: ownership passes
					  to the tree, even on error */
	const char *target;            /* GAPIMG_FT_SYMLINK */
	uint32_t major, minor;         /* GAPIMG_FT_CHR, GAPIMG_FT_BLK */
};

enum gapimg_add_flags {
	/* Replace an existing entry at the path instead of failing. A
	 * directory replacing a directory keeps its children; a non-empty
	 * directory is never replaced by anything else. */
	GAPIMG_ADD_REPLACE = 0x1,
	/* Create missing parent directories (0755, 0:0, mtime
	 * GAPIMG_MTIME_UNKNOWN, so that they do not depend on which child
	 * came first). */
	GAPIMG_ADD_PARENTS = 0x2,
};

struct gapimg_fstree {
	struct gapimg_dentry *root;
	size_t ninodes;
	size_t ndentries;
	/* Inodes whose last name was replaced after their data had gone to
	 * the image writer: it keeps pointers into them until it finishes.
	 * Their data stays in the image, unreferenced. */
	struct gapimg_inode **orphans;
	size_t norphans, orphans_alloc;
};

/* A tree with an empty root directory: mode 0755, 0:0, mtime 0. */
struct gapimg_fstree *gapimg_fstree_new(struct gapimg_error *err);
void gapimg_fstree_free(struct gapimg_fstree *tree);

/* Add a node at path (validated and normalised; relative paths are taken
 * from the root).  "/" names the root itself: only a directory spec with
 * GAPIMG_ADD_REPLACE may set its attributes. */
struct gapimg_dentry *gapimg_fstree_add(struct gapimg_fstree *tree,
					const char *path,
					const struct gapimg_node_spec *spec,
					const char *origin, unsigned flags,
					struct gapimg_error *err);

/* Add path as another name for the regular file at target. */
struct gapimg_dentry *gapimg_fstree_add_hardlink(struct gapimg_fstree *tree,
						 const char *path,
						 const char *target,
						 const char *origin,
						 unsigned flags,
						 struct gapimg_error *err);

/* Set (or replace) an extended attribute. Only the user., trusted. and
 * security. namespaces can be stored in an image. */
int gapimg_inode_set_xattr(struct gapimg_inode *inode, const char *key,
			   const void *value, size_t size,
			   struct gapimg_error *err);

struct gapimg_dentry *gapimg_fstree_lookup(const struct gapimg_fstree *tree,
					   const char *path);

/* Absolute path of a dentry ("/" for the root); malloc'd, NULL on ENOMEM. */
char *gapimg_dentry_path(const struct gapimg_dentry *d);

/* Visit every dentry in sorted depth-first pre-order (a directory before
 * its children).  A non-zero return from fn stops the walk and is
 * returned. */
typedef int (*gapimg_walk_fn)(struct gapimg_dentry *d, void *user);
int gapimg_fstree_walk(struct gapimg_fstree *tree, gapimg_walk_fn fn,
		       void *user);

/* Make each inode's first name the first of its names in walk order, so
 * that whatever uses it (where a hard-linked file's data is stored, which
 * name a listing shows as the link target) does not depend on the order
 * the names were added in. */
void gapimg_fstree_sort_first_names(struct gapimg_fstree *tree);

const char *gapimg_ftype_name(enum gapimg_ftype type);

#endif
