#include "gapimg/fstree.h"
#include "gapimg/path.h"
#include "gapimg/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define XATTR_NAME_MAX_LEN 255
#define XATTR_VALUE_MAX_LEN 65536

const char *gapimg_ftype_name(enum gapimg_ftype type)
{
	switch (type) {
	case GAPIMG_FT_DIR: return "directory";
	case GAPIMG_FT_REG: return "regular file";
	case GAPIMG_FT_SYMLINK: return "symlink";
	case GAPIMG_FT_CHR: return "character device";
	case GAPIMG_FT_BLK: return "block device";
	case GAPIMG_FT_FIFO: return "FIFO";
	case GAPIMG_FT_SOCK: return "socket";
	}
	return "unknown";
}

static void inode_free(struct gapimg_inode *inode)
{
	size_t i;

	if (inode == NULL)
		return;
	for (i = 0; i < inode->nxattrs; i++) {
		free(inode->xattrs[i].key);
		free(inode->xattrs[i].value);
	}
	free(inode->xattrs);
	if (inode->type == GAPIMG_FT_REG)
		gapimg_source_free(inode->u.reg.src);
	else if (inode->type == GAPIMG_FT_SYMLINK)
		free(inode->u.symlink.target);
	free(inode->writer_data);
	free(inode);
}

static void dentry_free(struct gapimg_dentry *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nchildren; i++)
		dentry_free(d->children[i]);
	free(d->children);
	if (d->inode != NULL && --d->inode->nlink == 0)
		inode_free(d->inode);
	free(d->name);
	free(d->origin);
	free(d);
}

static struct gapimg_dentry *dentry_new(const char *name, size_t len,
					const char *origin)
{
	struct gapimg_dentry *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->name = strndup(name, len);
	d->origin = strdup(origin ? origin : "(unknown origin)");
	if (d->name == NULL || d->origin == NULL) {
		free(d->name);
		free(d->origin);
		free(d);
		return NULL;
	}
	return d;
}

struct gapimg_fstree *gapimg_fstree_new(struct gapimg_error *err)
{
	struct gapimg_fstree *tree = calloc(1, sizeof(*tree));
	struct gapimg_inode *inode = calloc(1, sizeof(*inode));

	if (tree == NULL || inode == NULL)
		goto fail;
	tree->root = dentry_new("", 0, "the image root");
	if (tree->root == NULL)
		goto fail;
	inode->type = GAPIMG_FT_DIR;
	inode->mode = 0755;
	inode->nlink = 1;
	inode->first = tree->root;
	tree->root->inode = inode;
	tree->ninodes = 1;
	tree->ndentries = 1;
	return tree;
fail:
	free(tree);
	free(inode);
	gapimg_error_nomem(err);
	return NULL;
}

void gapimg_fstree_free(struct gapimg_fstree *tree)
{
	if (tree == NULL)
		return;
	dentry_free(tree->root);
	for (size_t i = 0; i < tree->norphans; i++)
		inode_free(tree->orphans[i]);
	free(tree->orphans);
	free(tree);
}

/* Binary search; returns the child or NULL and the insert position. */
static struct gapimg_dentry *child_find(const struct gapimg_dentry *dir,
					const char *name, size_t len,
					size_t *pos)
{
	size_t lo = 0, hi = dir->nchildren;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *cn = dir->children[mid]->name;
		size_t clen = strlen(cn);
		int c = memcmp(cn, name, clen < len ? clen : len);

		if (c == 0)
			c = clen < len ? -1 : (clen > len ? 1 : 0);
		if (c == 0) {
			if (pos)
				*pos = mid;
			return dir->children[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	return NULL;
}

static int child_insert(struct gapimg_dentry *dir, size_t pos,
			struct gapimg_dentry *d)
{
	if (dir->nchildren == dir->cap) {
		size_t cap = dir->cap ? dir->cap * 2 : 8;
		struct gapimg_dentry **c = realloc(dir->children,
						   cap * sizeof(*c));
		if (c == NULL)
			return -1;
		dir->children = c;
		dir->cap = cap;
	}
	memmove(dir->children + pos + 1, dir->children + pos,
		(dir->nchildren - pos) * sizeof(*dir->children));
	dir->children[pos] = d;
	dir->nchildren++;
	d->parent = dir;
	return 0;
}

char *gapimg_dentry_path(const struct gapimg_dentry *d)
{
	const struct gapimg_dentry *it;
	size_t len = 0, pos;
	char *s;

	if (d->parent == NULL)
		return strdup("/");
	for (it = d; it->parent != NULL; it = it->parent)
		len += 1 + strlen(it->name);
	s = malloc(len + 1);
	if (s == NULL)
		return NULL;
	s[len] = '\0';
	pos = len;
	for (it = d; it->parent != NULL; it = it->parent) {
		size_t n = strlen(it->name);
		pos -= n;
		memcpy(s + pos, it->name, n);
		s[--pos] = '/';
	}
	return s;
}

static void describe(const struct gapimg_dentry *d, struct strbuf *out)
{
	char *p = gapimg_dentry_path(d);

	strbuf_addf(out, "%s %s (from %s)",
		    gapimg_ftype_name(d->inode->type), p ? p : "?", d->origin);
	free(p);
}

static int validate_spec(const struct gapimg_node_spec *spec, const char *path,
			 const char *origin, struct gapimg_error *err)
{
	const char *why = NULL;

	switch (spec->type) {
	case GAPIMG_FT_DIR:
	case GAPIMG_FT_CHR:
	case GAPIMG_FT_BLK:
	case GAPIMG_FT_FIFO:
	case GAPIMG_FT_SOCK:
		break;
	case GAPIMG_FT_REG:
		/* A NULL source is fine for a tree that is only listed (an
		 * image read back); the writer refuses it. */
		break;
	case GAPIMG_FT_SYMLINK:
		if (spec->target == NULL || spec->target[0] == '\0')
			why = "a symlink needs a non-empty target";
		else if (strlen(spec->target) > GAPIMG_PATH_MAX)
			why = "the symlink target is longer than 4095 bytes";
		break;
	default:
		why = "unknown file type";
	}
	if (why == NULL && (spec->mode & ~07777))
		why = "the mode has bits outside 07777 (give permission bits only)";
	if (why == NULL && (spec->type == GAPIMG_FT_CHR || spec->type == GAPIMG_FT_BLK) &&
	    (spec->major > 0xfff || spec->minor > 0xfffff))
		why = "the device number is out of range (major <= 4095, minor <= 1048575)";
	if (why != NULL)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "cannot add %s (from %s): %s",
					path, origin ? origin : "(unknown origin)", why);
	return 0;
}

static struct gapimg_inode *inode_from_spec(const struct gapimg_node_spec *spec)
{
	struct gapimg_inode *inode = calloc(1, sizeof(*inode));

	if (inode == NULL)
		return NULL;
	inode->type = spec->type;
	inode->mode = spec->mode;
	inode->uid = spec->uid;
	inode->gid = spec->gid;
	inode->mtime = spec->mtime;
	switch (spec->type) {
	case GAPIMG_FT_REG:
		inode->u.reg.size = spec->size;
		inode->u.reg.src = spec->src;
		break;
	case GAPIMG_FT_SYMLINK:
		inode->u.symlink.target = strdup(spec->target);
		if (inode->u.symlink.target == NULL) {
			free(inode);
			return NULL;
		}
		break;
	case GAPIMG_FT_CHR:
	case GAPIMG_FT_BLK:
		inode->u.dev.major = spec->major;
		inode->u.dev.minor = spec->minor;
		break;
	default:
		break;
	}
	return inode;
}

/*
 * Find the directory that will hold norm (a normalised path other than
 * "/"), creating missing parents when asked.  *name points into norm.
 */
static struct gapimg_dentry *resolve_parent(struct gapimg_fstree *tree,
					    const char *norm,
					    const char *origin, unsigned flags,
					    const char **name,
					    struct gapimg_error *err)
{
	struct gapimg_dentry *dir = tree->root;
	const char *p = norm + 1;

	for (;;) {
		const char *slash = strchr(p, '/');
		struct gapimg_dentry *child;
		size_t len, pos;

		if (slash == NULL)
			break;
		len = (size_t)(slash - p);
		child = child_find(dir, p, len, &pos);
		if (child == NULL) {
			struct gapimg_node_spec ds = {
				.type = GAPIMG_FT_DIR, .mode = 0755,
				.mtime = GAPIMG_MTIME_UNKNOWN,
			};
			struct strbuf o = STRBUF_INIT;

			if (!(flags & GAPIMG_ADD_PARENTS)) {
				gapimg_error_set(err, GAPIMG_E_NOTFOUND,
						 "cannot add %s (from %s): its parent "
						 "directory %.*s does not exist; add the "
						 "directory first", norm,
						 origin, (int)(slash - norm), norm);
				return NULL;
			}
			child = dentry_new(p, len, NULL);
			if (child == NULL || strbuf_addf(&o, "implicit parent of %s (from %s)",
							 norm, origin)) {
				dentry_free(child);
				strbuf_release(&o);
				gapimg_error_nomem(err);
				return NULL;
			}
			free(child->origin);
			child->origin = strbuf_detach(&o);
			child->inode = inode_from_spec(&ds);
			if (child->inode != NULL) {
				child->inode->nlink = 1;
				child->inode->first = child;
			}
			if (child->origin == NULL || child->inode == NULL ||
			    child_insert(dir, pos, child)) {
				dentry_free(child);
				gapimg_error_nomem(err);
				return NULL;
			}
			tree->ninodes++;
			tree->ndentries++;
		} else if (child->inode->type != GAPIMG_FT_DIR) {
			struct strbuf d = STRBUF_INIT;

			describe(child, &d);
			gapimg_error_set(err, GAPIMG_E_INVALID,
					 "cannot add %s (from %s): %s is in the way, "
					 "and a parent must be a directory", norm,
					 origin, d.buf);
			strbuf_release(&d);
			return NULL;
		}
		dir = child;
		p = slash + 1;
	}
	*name = p;
	return dir;
}

/* Another name of inode was removed: give it a new first name. */
static int find_other_name(struct gapimg_dentry *d, void *user)
{
	struct gapimg_dentry **io = user;

	if (d != io[0] && d->inode == io[0]->inode) {
		io[1] = d;
		return 1;
	}
	return 0;
}

/*
 * Put inode at norm.  On success the tree owns inode; on failure the
 * caller still does.
 */
static struct gapimg_dentry *place(struct gapimg_fstree *tree, const char *norm,
				   struct gapimg_inode *inode, const char *origin,
				   unsigned flags, struct gapimg_error *err)
{
	struct gapimg_dentry *dir, *old, *d;
	const char *name;
	size_t pos;

	dir = resolve_parent(tree, norm, origin, flags, &name, err);
	if (dir == NULL)
		return NULL;
	old = child_find(dir, name, strlen(name), &pos);
	if (old != NULL) {
		struct gapimg_inode *prev = old->inode;
		char *o;

		if (!(flags & GAPIMG_ADD_REPLACE)) {
			struct strbuf desc = STRBUF_INIT;

			describe(old, &desc);
			gapimg_error_set(err, GAPIMG_E_EXISTS,
					 "cannot add %s %s (from %s): the path "
					 "already exists as %s",
					 gapimg_ftype_name(inode->type), norm, origin,
					 desc.buf);
			strbuf_release(&desc);
			return NULL;
		}
		if (prev->type == GAPIMG_FT_DIR && old->nchildren > 0 &&
		    inode->type != GAPIMG_FT_DIR) {
			struct strbuf desc = STRBUF_INIT;

			describe(old, &desc);
			gapimg_error_set(err, GAPIMG_E_INVALID,
					 "cannot replace the non-empty %s with a %s "
					 "(from %s); remove its contents first",
					 desc.buf, gapimg_ftype_name(inode->type),
					 origin);
			strbuf_release(&desc);
			return NULL;
		}
		o = strdup(origin ? origin : "(unknown origin)");
		if (o == NULL) {
			gapimg_error_nomem(err);
			return NULL;
		}
		free(old->origin);
		old->origin = o;
		if (prev == inode)
			return old;
		if (prev->type == GAPIMG_FT_DIR && inode->type == GAPIMG_FT_DIR) {
			/* Keep the children; take the new attributes. */
			prev->mode = inode->mode;
			prev->uid = inode->uid;
			prev->gid = inode->gid;
			prev->mtime = inode->mtime;
			inode_free(inode);
			return old;
		}
		if (--prev->nlink == 0) {
			/* Data already streamed to the image writer: the writer
			 * still holds &prev->writer_data until it finishes, so the
			 * inode lives on, nameless, until the tree is freed. */
			if (prev->writer_data != NULL || prev->data_written) {
				if (gapimg_grow((void **)&tree->orphans, &tree->orphans_alloc,
						tree->norphans, sizeof(*tree->orphans)) < 0) {
					prev->nlink++;
					gapimg_error_nomem(err);
					return NULL;
				}
				prev->first = NULL;
				tree->orphans[tree->norphans++] = prev;
			} else {
				inode_free(prev);
			}
			tree->ninodes--;
		} else if (prev->first == old) {
			struct gapimg_dentry *io[2] = { old, NULL };

			gapimg_fstree_walk(tree, find_other_name, io);
			prev->first = io[1];
		}
		old->inode = inode;
		if (inode->nlink++ == 0) {
			inode->first = old;
			tree->ninodes++;
		}
		return old;
	}

	d = dentry_new(name, strlen(name), origin);
	if (d == NULL || child_insert(dir, pos, d)) {
		if (d != NULL) {
			free(d->name);
			free(d->origin);
			free(d);
		}
		gapimg_error_nomem(err);
		return NULL;
	}
	d->inode = inode;
	if (inode->nlink++ == 0) {
		inode->first = d;
		tree->ninodes++;
	}
	tree->ndentries++;
	return d;
}

struct gapimg_dentry *gapimg_fstree_add(struct gapimg_fstree *tree,
					const char *path,
					const struct gapimg_node_spec *spec,
					const char *origin, unsigned flags,
					struct gapimg_error *err)
{
	struct strbuf norm = STRBUF_INIT;
	struct gapimg_inode *inode = NULL;
	struct gapimg_dentry *d = NULL;

	if (origin == NULL)
		origin = "(unknown origin)";
	if (gapimg_path_normalise(path, strlen(path), &norm, origin, err))
		goto out;
	if (validate_spec(spec, norm.buf, origin, err))
		goto out;
	if (strcmp(norm.buf, "/") == 0) {
		struct gapimg_inode *root = tree->root->inode;

		if (spec->type != GAPIMG_FT_DIR || !(flags & GAPIMG_ADD_REPLACE)) {
			gapimg_error_set(err, GAPIMG_E_EXISTS,
					 "cannot add %s / (from %s): the image root "
					 "always exists and is a directory",
					 gapimg_ftype_name(spec->type), origin);
			goto out;
		}
		root->mode = spec->mode;
		root->uid = spec->uid;
		root->gid = spec->gid;
		root->mtime = spec->mtime;
		d = tree->root;
		goto out;
	}
	inode = inode_from_spec(spec);
	if (inode == NULL) {
		gapimg_error_nomem(err);
		goto out;
	}
	d = place(tree, norm.buf, inode, origin, flags, err);
	if (d != NULL)
		inode = NULL;
out:
	/* The tree owns spec->src from the call on: free it on failure. */
	if (inode != NULL)
		inode_free(inode);
	else if (d == NULL && spec->type == GAPIMG_FT_REG)
		gapimg_source_free(spec->src);
	strbuf_release(&norm);
	return d;
}

struct gapimg_dentry *gapimg_fstree_add_hardlink(struct gapimg_fstree *tree,
						 const char *path,
						 const char *target,
						 const char *origin,
						 unsigned flags,
						 struct gapimg_error *err)
{
	struct strbuf norm = STRBUF_INIT;
	struct gapimg_dentry *t, *d = NULL;

	if (origin == NULL)
		origin = "(unknown origin)";
	if (gapimg_path_normalise(path, strlen(path), &norm, origin, err))
		goto out;
	t = gapimg_fstree_lookup(tree, target);
	if (t == NULL) {
		gapimg_error_set(err, GAPIMG_E_NOTFOUND,
				 "cannot add hard link %s (from %s): its target %s "
				 "does not exist; add the target first",
				 norm.buf, origin, target);
		goto out;
	}
	if (t->inode->type == GAPIMG_FT_DIR) {
		gapimg_error_set(err, GAPIMG_E_INVALID,
				 "cannot add hard link %s (from %s): its target %s "
				 "is a directory, and directories cannot be hard "
				 "linked", norm.buf, origin, target);
		goto out;
	}
	if (strcmp(norm.buf, "/") == 0) {
		gapimg_error_set(err, GAPIMG_E_EXISTS,
				 "cannot add hard link / (from %s): the image root "
				 "always exists and is a directory", origin);
		goto out;
	}
	d = place(tree, norm.buf, t->inode, origin, flags, err);
out:
	strbuf_release(&norm);
	return d;
}

struct gapimg_dentry *gapimg_fstree_lookup(const struct gapimg_fstree *tree,
					   const char *path)
{
	struct strbuf norm = STRBUF_INIT;
	struct gapimg_dentry *d = tree->root;
	const char *p;

	if (gapimg_path_normalise(path, strlen(path), &norm, NULL, NULL)) {
		strbuf_release(&norm);
		return NULL;
	}
	p = norm.buf + 1;
	while (*p != '\0' && d != NULL) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (d->inode->type != GAPIMG_FT_DIR) {
			d = NULL;
			break;
		}
		d = child_find(d, p, len, NULL);
		p += len;
		if (*p == '/')
			p++;
	}
	strbuf_release(&norm);
	return d;
}

int gapimg_inode_set_xattr(struct gapimg_inode *inode, const char *key,
			   const void *value, size_t size,
			   struct gapimg_error *err)
{
	static const char *const prefixes[] = { "user.", "trusted.", "security." };
	struct gapimg_xattr *x;
	size_t i, lo = 0, hi = inode->nxattrs;
	int ok = 0;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(key, prefixes[i], n) == 0 && key[n] != '\0')
			ok = 1;
	}
	if (!ok)
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
					"extended attribute \"%s\" cannot be stored "
					"in a SquashFS image: only the user., trusted. "
					"and security. namespaces are supported", key);
	if (strlen(key) > XATTR_NAME_MAX_LEN)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"extended attribute name \"%.64s...\" is "
					"longer than 255 bytes", key);
	if (size > XATTR_VALUE_MAX_LEN)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"extended attribute \"%s\" has a %zu-byte "
					"value; the limit is 65536", key, size);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(inode->xattrs[mid].key, key);

		if (c == 0) {
			uint8_t *v = malloc(size ? size : 1);
			if (v == NULL)
				return gapimg_error_nomem(err);
			memcpy(v, value, size);
			free(inode->xattrs[mid].value);
			inode->xattrs[mid].value = v;
			inode->xattrs[mid].size = size;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	x = realloc(inode->xattrs, (inode->nxattrs + 1) * sizeof(*x));
	if (x == NULL)
		return gapimg_error_nomem(err);
	inode->xattrs = x;
	memmove(x + lo + 1, x + lo, (inode->nxattrs - lo) * sizeof(*x));
	x[lo].key = strdup(key);
	x[lo].value = malloc(size ? size : 1);
	if (x[lo].key == NULL || x[lo].value == NULL) {
		free(x[lo].key);
		free(x[lo].value);
		memmove(x + lo, x + lo + 1, (inode->nxattrs - lo) * sizeof(*x));
		return gapimg_error_nomem(err);
	}
	memcpy(x[lo].value, value, size);
	x[lo].size = size;
	inode->nxattrs++;
	return 0;
}

static int walk(struct gapimg_dentry *d, gapimg_walk_fn fn, void *user)
{
	size_t i;
	int ret = fn(d, user);

	if (ret != 0)
		return ret;
	for (i = 0; i < d->nchildren; i++) {
		ret = walk(d->children[i], fn, user);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int gapimg_fstree_walk(struct gapimg_fstree *tree, gapimg_walk_fn fn,
		       void *user)
{
	return walk(tree->root, fn, user);
}

static int clear_first(struct gapimg_dentry *d, void *user)
{
	(void)user;
	d->inode->first = NULL;
	return 0;
}

static int take_first(struct gapimg_dentry *d, void *user)
{
	(void)user;
	if (d->inode->first == NULL)
		d->inode->first = d;
	return 0;
}

void gapimg_fstree_sort_first_names(struct gapimg_fstree *tree)
{
	walk(tree->root, clear_first, NULL);
	walk(tree->root, take_first, NULL);
}
