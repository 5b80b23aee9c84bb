/*
 * /etc/ld.so.cache as Debian 12's ldconfig writes it (see ldcache.h).
 *
 * The model is glibc 2.36's ldconfig -X run on the image, rewritten from
 * its behaviour: the directory list (ld.so.conf with includes, then the
 * built-in /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib,
 * /usr/lib, each with its glibc-hwcaps subdirectories and legacy hwcap
 * subdirectories such as tls/ or x86_64/), duplicates dropped by identity
 * after resolving symlinks in the image, each directory scanned for
 * lib*.so* / ld-*.so* / ld.so.* / ld64.so.* names, one entry per soname
 * and directory, sorted as ld.so's binary search expects, strings
 * tail-merged, then the extension directory.
 *
 * ldconfig (without -X) would also create DIR/SONAME symlinks.  gapimg
 * does not: packages ship those links, and the cache records DIR/SONAME
 * whether the link exists or not, so the bytes are the same.
 *
 * Where ldconfig depends on readdir order (which of two libraries with
 * the same soname but different flags in one directory keeps its flag;
 * the order of legacy hwcap subdirectories), names are taken in strcmp
 * order instead, so the result is a function of the image alone.
 */
#include "ldcache.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "elfso.h"

#define FLAG_ANY        (-1)
#define FLAG_TYPE_MASK  0x00ff
#define MAX_LINKS       40 /* the kernel's and chroot_canon's limit */
#define MAX_INCLUDE     64 /* ldconfig recurses forever; we refuse */

#define CACHE_MAGIC     "glibc-ld.so.cache1.1"
#define EXT_MAGIC       0xeaa42174u
#define HWCAP_EXTENSION ((uint64_t)1 << 62)
#define TLS_HWCAP_BIT   63
#define FIRST_PLATFORM  48

enum kind { K_DIR, K_FILE, K_LINK };

struct node {
	char *path;      /* absolute, no trailing slash */
	enum kind kind;
	size_t seq;      /* call order: the last add of a path wins */
	int is_lib;
	char *soname;    /* NULL: none, use the file name */
	uint32_t flags;  /* as elfso packs them */
	char *target;    /* K_LINK */
	char *conf;      /* configuration text, if given */
	size_t conflen;
};

struct ldcache {
	struct node *nodes;
	size_t n, alloc, seq;
	char *generator;
};

/* A directory to scan. */
struct dent {
	char *path;      /* as configured: recorded in the cache */
	char *canon;     /* resolved in the image: its identity */
	int flag;
	int hwcaps;      /* index into names of glibc-hwcaps subdirs, or -1 */
};

struct hwname {
	char *name;
	int used;
	uint32_t index;
};

struct entry {
	char *key, *path;
	int32_t flags;
	unsigned isa;
	uint64_t hwcap;
	int bits;
	int hwcaps;
	size_t seq;
};

/* Everything ldcache_write() builds. */
struct run {
	struct node *nodes; /* sorted by path, with implied directories */
	size_t n;
	struct dent *dirs;
	size_t ndirs, adirs;
	struct hwname *hw;
	size_t nhw;
	struct entry *ents;
	size_t nents, aents;
	struct gapimg_error *err;
};

struct ldcache *ldcache_new(void)
{
	return calloc(1, sizeof(struct ldcache));
}

static void node_clear(struct node *n)
{
	free(n->path);
	free(n->soname);
	free(n->target);
	free(n->conf);
}

void ldcache_free(struct ldcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		node_clear(&c->nodes[i]);
	free(c->nodes);
	free(c->generator);
	free(c);
}

int ldcache_set_generator(struct ldcache *c, const char *text,
			  struct gapimg_error *err)
{
	char *g = strdup(text);

	if (g == NULL)
		return gapimg_error_nomem(err);
	free(c->generator);
	c->generator = g;
	return 0;
}

/* "/a//b/" -> "/a/b"; refuses relative paths and . or .. components. */
static char *norm_path(const char *path, struct gapimg_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = path;

	if (path[0] != '/') {
		gapimg_error_set(err, GAPIMG_E_INVALID,
				 "ld.so.cache: image path \"%s\" is not absolute", path);
		return NULL;
	}
	while (*p) {
		const char *s;
		size_t len;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - s);
		if (len == 0)
			break;
		if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')) {
			strbuf_release(&sb);
			gapimg_error_set(err, GAPIMG_E_INVALID,
					 "ld.so.cache: image path \"%s\" has a '.' or '..' component",
					 path);
			return NULL;
		}
		if (strbuf_addch(&sb, '/') < 0 || strbuf_add(&sb, s, len) < 0) {
			strbuf_release(&sb);
			gapimg_error_nomem(err);
			return NULL;
		}
	}
	if (sb.len == 0 && strbuf_addch(&sb, '/') < 0) {
		gapimg_error_nomem(err);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static struct node *new_node(struct ldcache *c, const char *path, enum kind kind,
			     struct gapimg_error *err)
{
	struct node *n;
	char *p = norm_path(path, err);

	if (p == NULL)
		return NULL;
	if (strcmp(p, "/") == 0) {
		free(p);
		gapimg_error_set(err, GAPIMG_E_INVALID,
				 "ld.so.cache: \"/\" cannot be a file or symlink");
		return NULL;
	}
	if (c->n == c->alloc) {
		size_t a = c->alloc ? 2 * c->alloc : 64;
		struct node *q = realloc(c->nodes, a * sizeof(*q));

		if (q == NULL) {
			free(p);
			gapimg_error_nomem(err);
			return NULL;
		}
		c->nodes = q;
		c->alloc = a;
	}
	n = &c->nodes[c->n++];
	memset(n, 0, sizeof(*n));
	n->path = p;
	n->kind = kind;
	n->seq = c->seq++;
	return n;
}

int ldcache_add_file(struct ldcache *c, const char *path, const char *soname,
		     uint32_t flags, struct gapimg_error *err)
{
	struct node *n = new_node(c, path, K_FILE, err);

	if (n == NULL)
		return -1;
	n->is_lib = 1;
	n->flags = flags;
	if (soname && (n->soname = strdup(soname)) == NULL)
		return gapimg_error_nomem(err);
	return 0;
}

int ldcache_add_symlink(struct ldcache *c, const char *path, const char *target,
			struct gapimg_error *err)
{
	struct node *n = new_node(c, path, K_LINK, err);

	if (n == NULL)
		return -1;
	if ((n->target = strdup(target)) == NULL)
		return gapimg_error_nomem(err);
	return 0;
}

int ldcache_add_dir(struct ldcache *c, const char *path, struct gapimg_error *err)
{
	char *p = norm_path(path, err);
	int root;

	if (p == NULL)
		return -1;
	root = strcmp(p, "/") == 0;
	free(p);
	if (root)
		return 0;
	return new_node(c, path, K_DIR, err) ? 0 : -1;
}

int ldcache_add_conf(struct ldcache *c, const char *path, const char *text,
		     size_t len, struct gapimg_error *err)
{
	struct node *n = new_node(c, path, K_FILE, err);

	if (n == NULL)
		return -1;
	if ((n->conf = malloc(len + 1)) == NULL)
		return gapimg_error_nomem(err);
	memcpy(n->conf, text, len);
	n->conf[len] = '\0';
	n->conflen = len;
	return 0;
}

/* ---- the image's tree ---- */

static int node_cmp(const void *a, const void *b)
{
	const struct node *x = a, *y = b;
	int r = strcmp(x->path, y->path);

	if (r)
		return r;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Sorted copy of the nodes (shallow), the last add of each path winning,
 * plus a directory node for every ancestor nobody named.
 */
static int build_tree(struct ldcache *c, struct run *r)
{
	size_t i, j, n = 0, extra = 0;
	struct node *v;

	if ((v = malloc((c->n + 1) * sizeof(*v))) == NULL)
		return gapimg_error_nomem(r->err);
	if (c->n)
		memcpy(v, c->nodes, c->n * sizeof(*v));
	if (c->n > 1)
		qsort(v, c->n, sizeof(*v), node_cmp);
	for (i = 0; i < c->n; i++) {
		if (i + 1 < c->n && strcmp(v[i].path, v[i + 1].path) == 0)
			continue;
		v[n++] = v[i];
	}
	/* Ancestors: collect "/a", "/a/b" for every node as directories. */
	for (i = 0; i < n; i++) {
		const char *s;

		for (s = v[i].path + 1; (s = strchr(s, '/')) != NULL; s++)
			extra++;
	}
	{
		struct node *w = realloc(v, (n + extra + 1) * sizeof(*w));

		if (w == NULL) {
			free(v);
			return gapimg_error_nomem(r->err);
		}
		v = w;
	}
	j = n;
	for (i = 0; i < n; i++) {
		const char *s;

		for (s = v[i].path + 1; (s = strchr(s, '/')) != NULL; s++) {
			struct node *d = &v[j];

			memset(d, 0, sizeof(*d));
			d->kind = K_DIR;
			d->seq = (size_t)-1; /* named nodes win */
			if ((d->path = strndup(v[i].path, (size_t)(s - v[i].path))) == NULL) {
				for (i = n; i < j; i++)
					free(v[i].path);
				free(v);
				return gapimg_error_nomem(r->err);
			}
			j++;
		}
	}
	if (j > 1)
		qsort(v, j, sizeof(*v), node_cmp);
	/* Keep the first of each path: a named node (lower seq) over an
	 * implied directory. */
	for (i = 0, n = 0; i < j; i++) {
		if (n && strcmp(v[n - 1].path, v[i].path) == 0) {
			if (v[i].kind == K_DIR && v[i].seq == (size_t)-1)
				free(v[i].path);
			continue;
		}
		v[n++] = v[i];
	}
	r->nodes = v;
	r->n = n;
	return 0;
}

static void free_tree(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->nodes[i].kind == K_DIR && r->nodes[i].seq == (size_t)-1)
			free(r->nodes[i].path);
	free(r->nodes);
}

static const struct node *lookup(const struct run *r, const char *path)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, r->nodes[mid].path);

		if (c == 0)
			return &r->nodes[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Kind of what is at a resolved path: -1 when nothing. */
static int kind_at(const struct run *r, const char *canon, const struct node **np)
{
	const struct node *n;

	*np = NULL;
	if (strcmp(canon, "/") == 0)
		return K_DIR;
	if ((n = lookup(r, canon)) == NULL)
		return -1;
	*np = n;
	return (int)n->kind;
}

/* The children of resolved directory dir: nodes[*first..*end), filtered. */
static void child_range(const struct run *r, const char *dir, size_t *first,
			size_t *end)
{
	size_t dlen = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	size_t lo = 0, hi = r->n;

	/* First path > dir + "/" prefix start: bsearch for dir + "/". */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *p = r->nodes[mid].path;
		int c = strncmp(p, dir, dlen);

		if (c == 0)
			c = p[dlen] == '/' ? 1 : (unsigned char)p[dlen] - '/';
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (hi < r->n && strncmp(r->nodes[hi].path, dir, dlen) == 0 &&
	       r->nodes[hi].path[dlen] == '/')
		hi++;
	*end = hi;
}

/* The child's own name, or NULL when it is deeper down. */
static const char *child_name(const struct node *n, const char *dir)
{
	size_t dlen = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	const char *name = n->path + dlen + 1;

	return strchr(name, '/') ? NULL : name;
}

/*
 * Resolve path inside the image like glibc's chroot_canon (and the
 * kernel under chroot): symlinks followed, ".." stopping at "/".  The
 * last component need not exist.  1 and the path in out, 0 when it
 * cannot be resolved, -1 on ENOMEM.
 */
static int resolve(const struct run *r, const char *path, struct strbuf *out)
{
	struct strbuf rest = STRBUF_INIT, tmp = STRBUF_INIT;
	size_t at = 0;
	int links = 0, ret = 1;

	strbuf_reset(out);
	if (strbuf_addstr(&rest, path) < 0)
		return -1;
	for (;;) {
		const char *s, *e;
		const struct node *n;
		size_t len;

		while (rest.buf[at] == '/')
			at++;
		s = rest.buf + at;
		e = strchrnul(s, '/');
		len = (size_t)(e - s);
		if (len == 0)
			break;
		at += len;
		if (len == 1 && s[0] == '.')
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			char *slash = strrchr(out->buf, '/');

			if (slash)
				strbuf_setlen(out, (size_t)(slash - out->buf));
			continue;
		}
		if (strbuf_addch(out, '/') < 0 || strbuf_add(out, s, len) < 0)
			goto nomem;
		n = lookup(r, out->buf);
		if (n == NULL || n->kind == K_FILE) {
			const char *q = rest.buf + at;

			while (*q == '/')
				q++;
			if (*q)
				ret = 0;
			break;
		}
		if (n->kind == K_LINK) {
			char *slash;

			if (++links > MAX_LINKS) {
				ret = 0;
				break;
			}
			strbuf_reset(&tmp);
			if (strbuf_addstr(&tmp, n->target) < 0 ||
			    strbuf_addch(&tmp, '/') < 0 ||
			    strbuf_addstr(&tmp, rest.buf + at) < 0)
				goto nomem;
			strbuf_reset(&rest);
			if (strbuf_add(&rest, tmp.buf, tmp.len) < 0)
				goto nomem;
			at = 0;
			if (n->target[0] == '/') {
				strbuf_reset(out);
			} else {
				slash = strrchr(out->buf, '/');
				strbuf_setlen(out, (size_t)(slash - out->buf));
			}
		}
	}
	if (out->len == 0 && strbuf_addch(out, '/') < 0)
		goto nomem;
	strbuf_release(&rest);
	strbuf_release(&tmp);
	return ret;
nomem:
	strbuf_release(&rest);
	strbuf_release(&tmp);
	return -1;
}

/* Resolve and say what is there: a K_* value, -1 nothing, -2 ENOMEM. */
static int resolve_kind(const struct run *r, const char *path, struct strbuf *out,
			const struct node **np)
{
	int rc = resolve(r, path, out);

	*np = NULL;
	if (rc < 0)
		return -2;
	if (rc == 0)
		return -1;
	return kind_at(r, out->buf, np);
}

/* ---- ldconfig's name rules ---- */

/* lib*.so*, ld-*.so*, ld.so.*, ld64.so.* */
static int is_dso(const char *name)
{
	return ((strncmp(name, "lib", 3) == 0 || strncmp(name, "ld-", 3) == 0) &&
		strstr(name, ".so") != NULL) ||
	       strncmp(name, "ld.so.", 6) == 0 || strncmp(name, "ld64.so.", 8) == 0;
}

/* Legacy hwcap subdirectory names ldconfig on x86 knows: a bit, or -1. */
static int hwcap_bit(const char *name)
{
	static const char *const caps[] = { "sse2", "x86_64", "avx512_1" };
	static const char *const platforms[] = { "i586", "i686", "haswell", "xeon_phi" };
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(name, caps[i]) == 0)
			return i;
	for (i = 0; i < 4; i++)
		if (strcmp(name, platforms[i]) == 0)
			return FIRST_PLATFORM + i;
	if (strcmp(name, "tls") == 0)
		return TLS_HWCAP_BIT;
	return -1;
}

static uint64_t path_hwcap(const char *path)
{
	const char *end = path + strlen(path);
	uint64_t hwcap = 0;

	for (;;) {
		const char *s = end;
		char comp[16];
		int bit;

		while (s > path && s[-1] != '/')
			s--;
		if (s == path)  /* no '/' left */
			break;
		if ((size_t)(end - s) >= sizeof(comp))
			break;
		memcpy(comp, s, (size_t)(end - s));
		comp[end - s] = '\0';
		if ((bit = hwcap_bit(comp)) < 0)
			break;
		hwcap += (uint64_t)1 << bit;
		end = s - 1;
	}
	return hwcap;
}

/*
 * glibc's _dl_cache_libcmp: runs of digits compare as numbers.  char is
 * signed on x86, and the number arithmetic wraps as it does there.
 */
static int libcmp(const char *p1, const char *p2)
{
	while (*p1 != '\0') {
		if (*p1 >= '0' && *p1 <= '9') {
			if (*p2 >= '0' && *p2 <= '9') {
				uint32_t v1 = (uint32_t)(*p1++ - '0');
				uint32_t v2 = (uint32_t)(*p2++ - '0');

				while (*p1 >= '0' && *p1 <= '9')
					v1 = v1 * 10 + (uint32_t)(*p1++ - '0');
				while (*p2 >= '0' && *p2 <= '9')
					v2 = v2 * 10 + (uint32_t)(*p2++ - '0');
				if (v1 != v2) {
					uint32_t d = v1 - v2;

					return d < 0x80000000u ? 1 : -1;
				}
			} else {
				return 1;
			}
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return (signed char)*p1 - (signed char)*p2;
		} else {
			p1++;
			p2++;
		}
	}
	return (signed char)*p1 - (signed char)*p2;
}

/* ---- the directory list ---- */

static int dir_known(const struct run *r, const char *canon, int flag)
{
	size_t i;

	for (i = 0; i < r->ndirs; i++)
		if (strcmp(r->dirs[i].canon, canon) == 0) {
			/* ldconfig keeps the first path, the newer flag. */
			r->dirs[i].flag = flag;
			return 1;
		}
	return 0;
}

/* 1 added, 0 a duplicate, -1 ENOMEM. */
static int add_single_dir(struct run *r, const char *path, const char *canon,
			  int flag, int hwcaps)
{
	struct dent *d;

	if (dir_known(r, canon, flag))
		return 0;
	if (r->ndirs == r->adirs) {
		size_t a = r->adirs ? 2 * r->adirs : 16;

		if ((d = realloc(r->dirs, a * sizeof(*d))) == NULL)
			return -1;
		r->dirs = d;
		r->adirs = a;
	}
	d = &r->dirs[r->ndirs];
	d->path = strdup(path);
	d->canon = strdup(canon);
	if (d->path == NULL || d->canon == NULL) {
		free(d->path);
		free(d->canon);
		return -1;
	}
	d->flag = flag;
	d->hwcaps = hwcaps;
	r->ndirs++;
	return 1;
}

static int intern_hwname(struct run *r, const char *name)
{
	size_t i;
	struct hwname *h;

	for (i = 0; i < r->nhw; i++)
		if (strcmp(r->hw[i].name, name) == 0)
			return (int)i;
	if ((h = realloc(r->hw, (r->nhw + 1) * sizeof(*h))) == NULL)
		return -1;
	r->hw = h;
	if ((h[r->nhw].name = strdup(name)) == NULL)
		return -1;
	h[r->nhw].used = 0;
	h[r->nhw].index = 0;
	return (int)r->nhw++;
}

/* The subdirectories of DIR/glibc-hwcaps, each scanned as its own dir. */
static int add_glibc_hwcaps(struct run *r, const struct dent *parent)
{
	struct strbuf p = STRBUF_INIT, canon = STRBUF_INIT, sub = STRBUF_INIT;
	const struct node *np;
	size_t i, first, end;
	int rc = -1, k, flag = parent->flag;
	char *parent_path = NULL;

	if (strbuf_addf(&p, "%s/glibc-hwcaps", parent->canon) < 0)
		goto out;
	k = resolve_kind(r, p.buf, &canon, &np);
	if (k == -2)
		goto out;
	if (k != K_DIR) {
		rc = 0;
		goto out;
	}
	if ((parent_path = strdup(parent->path)) == NULL)
		goto out;
	child_range(r, canon.buf, &first, &end);
	for (i = first; i < end; i++) {
		const struct node *n = &r->nodes[i];
		const char *name = child_name(n, canon.buf);
		struct strbuf target = STRBUF_INIT;
		int hw;

		if (name == NULL || name[0] == '.' || n->kind == K_FILE ||
		    strchr(name, ':'))
			continue;
		k = resolve_kind(r, n->path, &target, &np);
		if (k == -2)
			goto out;
		if (k != K_DIR) {
			strbuf_release(&target);
			continue;
		}
		strbuf_reset(&sub);
		if (strbuf_addf(&sub, "%s/glibc-hwcaps/%s", parent_path, name) < 0 ||
		    (hw = intern_hwname(r, name)) < 0 ||
		    add_single_dir(r, sub.buf, target.buf, flag, hw) < 0) {
			strbuf_release(&target);
			goto out;
		}
		strbuf_release(&target);
	}
	rc = 0;
out:
	if (rc < 0)
		gapimg_error_nomem(r->err);
	free(parent_path);
	strbuf_release(&p);
	strbuf_release(&canon);
	strbuf_release(&sub);
	return rc;
}

/* ldconfig's add_dir_1: "PATH" or "PATH=TYPE". */
static int add_dir_line(struct run *r, const char *line)
{
	static const struct { const char *name; int flag; } types[] = {
		{ "libc4", FLAG_LIBC4 }, { "libc5", FLAG_ELF_LIBC5 },
		{ "libc6", FLAG_ELF_LIBC6 }, { "glibc2", FLAG_ELF_LIBC6 },
	};
	struct strbuf canon = STRBUF_INIT;
	const struct node *np;
	char *path = strdup(line), *eq;
	int flag = FLAG_ANY, k, rc = -1;
	size_t i;

	if (path == NULL)
		return gapimg_error_nomem(r->err);
	if ((eq = strchr(path, '=')) != NULL) {
		*eq++ = '\0';
		for (i = 0; i < sizeof(types) / sizeof(*types); i++)
			if (strcmp(eq, types[i].name) == 0)
				flag = types[i].flag;
	}
	i = strlen(path);
	while (i > 0 && strchr(" \t\n\v\f\r", path[i - 1]))
		path[--i] = '\0';
	while (i > 0 && path[i - 1] == '/')
		path[--i] = '\0';
	if (i == 0) {
		rc = 0;
		goto out;
	}
	k = resolve_kind(r, path, &canon, &np);
	if (k == -2)
		goto nomem;
	/* ldconfig only stats; a non-directory yields nothing to scan. */
	if (k != K_DIR) {
		rc = 0;
		goto out;
	}
	k = add_single_dir(r, path, canon.buf, flag, -1);
	if (k < 0)
		goto nomem;
	if (k > 0 && add_glibc_hwcaps(r, &r->dirs[r->ndirs - 1]) < 0)
		goto out;
	rc = 0;
	goto out;
nomem:
	gapimg_error_nomem(r->err);
out:
	free(path);
	strbuf_release(&canon);
	return rc;
}

/* ---- configuration files ---- */

static int parse_conf(struct run *r, const char *filename, int depth);

static int has_magic(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

static int glob_add(struct strbuf **res, size_t *n, const char *path)
{
	struct strbuf *q = realloc(*res, (*n + 1) * sizeof(*q));

	if (q == NULL)
		return -1;
	*res = q;
	strbuf_init(&q[*n]);
	if (strbuf_addstr(&q[*n], path) < 0)
		return -1;
	(*n)++;
	return 0;
}

/* glob(3) over the image: components matched with fnmatch(FNM_PERIOD). */
static int glob_rec(const struct run *r, char **comps, size_t ncomps, size_t idx,
		    const char *built, struct strbuf **res, size_t *nres)
{
	struct strbuf path = STRBUF_INIT, canon = STRBUF_INIT;
	const struct node *np;
	int rc = -1, k;

	if (!has_magic(comps[idx])) {
		if (strbuf_addf(&path, "%s/%s", built, comps[idx]) < 0)
			goto out;
		k = resolve_kind(r, path.buf, &canon, &np);
		if (k == -2)
			goto out;
		if (idx + 1 == ncomps) {
			if (k >= 0 && glob_add(res, nres, path.buf) < 0)
				goto out;
		} else if (k == K_DIR &&
			   glob_rec(r, comps, ncomps, idx + 1, path.buf, res, nres) < 0) {
			goto out;
		}
		rc = 0;
		goto out;
	} else {
		size_t i, first, end;

		k = resolve_kind(r, *built ? built : "/", &canon, &np);
		if (k == -2)
			goto out;
		if (k != K_DIR) {
			rc = 0;
			goto out;
		}
		child_range(r, canon.buf, &first, &end);
		for (i = first; i < end; i++) {
			const char *name = child_name(&r->nodes[i], canon.buf);
			struct strbuf c2 = STRBUF_INIT;

			if (name == NULL || fnmatch(comps[idx], name, FNM_PERIOD) != 0)
				continue;
			strbuf_reset(&path);
			if (strbuf_addf(&path, "%s/%s", built, name) < 0)
				goto out;
			if (idx + 1 == ncomps) {
				if (glob_add(res, nres, path.buf) < 0)
					goto out;
				continue;
			}
			k = resolve_kind(r, path.buf, &c2, &np);
			strbuf_release(&c2);
			if (k == -2)
				goto out;
			if (k == K_DIR &&
			    glob_rec(r, comps, ncomps, idx + 1, path.buf, res, nres) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	strbuf_release(&path);
	strbuf_release(&canon);
	return rc;
}

static int sb_cmp(const void *a, const void *b)
{
	return strcmp(((const struct strbuf *)a)->buf, ((const struct strbuf *)b)->buf);
}

static int parse_include(struct run *r, const char *conf, const char *pattern,
			 int depth)
{
	struct strbuf full = STRBUF_INIT, *res = NULL;
	char *copy = NULL, **comps = NULL, *tok, *save = NULL;
	size_t ncomps = 0, nres = 0, i;
	int rc = -1;

	/* Relative patterns are relative to the including file's directory
	 * (ldconfig run inside the image; -r without chroot rights refuses
	 * them). */
	if (pattern[0] != '/') {
		const char *slash = strrchr(conf, '/');

		if (strbuf_add(&full, conf, slash ? (size_t)(slash - conf) : 0) < 0 ||
		    strbuf_addch(&full, '/') < 0)
			goto out;
	}
	if (strbuf_addstr(&full, pattern) < 0 || (copy = strdup(full.buf)) == NULL)
		goto out;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		char **q = realloc(comps, (ncomps + 1) * sizeof(*q));

		if (q == NULL)
			goto out;
		comps = q;
		comps[ncomps++] = tok;
	}
	if (ncomps && glob_rec(r, comps, ncomps, 0, "", &res, &nres) < 0)
		goto out;
	/* glob sorts its result; ldconfig keeps the C collation. */
	if (nres > 1)
		qsort(res, nres, sizeof(*res), sb_cmp);
	for (i = 0; i < nres; i++)
		if (parse_conf(r, res[i].buf, depth + 1) < 0) {
			rc = -2;
			goto out;
		}
	rc = 0;
out:
	if (rc == -1)
		gapimg_error_nomem(r->err);
	for (i = 0; i < nres; i++)
		strbuf_release(&res[i]);
	free(res);
	free(comps);
	free(copy);
	strbuf_release(&full);
	return rc < 0 ? -1 : 0;
}

static int parse_conf(struct run *r, const char *filename, int depth)
{
	struct strbuf canon = STRBUF_INIT, line = STRBUF_INIT;
	const struct node *np;
	const char *p, *end;
	int k, rc = -1;

	if (depth > MAX_INCLUDE)
		return gapimg_error_set(r->err, GAPIMG_E_INVALID,
					"ld.so.conf includes nest deeper than %d (a loop at %s?)",
					MAX_INCLUDE, filename);
	k = resolve_kind(r, filename, &canon, &np);
	if (k == -2)
		goto nomem;
	if (k != K_FILE || np == NULL || np->conf == NULL) {
		rc = 0;
		goto out;
	}
	p = np->conf;
	end = np->conf + np->conflen;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *cp;

		strbuf_reset(&line);
		if (strbuf_add(&line, p, len) < 0)
			goto nomem;
		p += len + (nl != NULL);
		/* getline keeps NULs, but the C string ends at the first. */
		*strchrnul(line.buf, '#') = '\0';
		cp = line.buf;
		while (*cp && strchr(" \t\n\v\f\r", *cp))
			cp++;
		if (*cp == '\0')
			continue;
		if (strncmp(cp, "include", 7) == 0 && (cp[7] == ' ' || cp[7] == '\t')) {
			char *dir, *rest = cp + 8;

			while ((dir = strsep(&rest, " \t")) != NULL)
				if (*dir && parse_include(r, filename, dir, depth) < 0)
					goto out;
		} else if (strncasecmp(cp, "hwcap", 5) == 0 &&
			   (cp[5] == ' ' || cp[5] == '\t')) {
			continue; /* ignored by ldconfig too */
		} else if (add_dir_line(r, cp) < 0) {
			goto out;
		}
	}
	rc = 0;
	goto out;
nomem:
	gapimg_error_nomem(r->err);
out:
	strbuf_release(&canon);
	strbuf_release(&line);
	return rc;
}

/* ---- scanning ---- */

struct dlib {
	char *name, *soname;
	int flag, is_link;
	unsigned isa;
};

static int add_entry(struct run *r, const struct dent *d, const struct dlib *l,
		     uint64_t hwcap)
{
	struct entry *e;
	struct strbuf p = STRBUF_INIT;
	int b;

	if (r->nents == r->aents) {
		size_t a = r->aents ? 2 * r->aents : 64;

		if ((e = realloc(r->ents, a * sizeof(*e))) == NULL)
			return -1;
		r->ents = e;
		r->aents = a;
	}
	/* Outside glibc-hwcaps the cache names DIR/SONAME (the soname
	 * link), inside it the file itself. */
	if (strbuf_addf(&p, "%s/%s", d->path, d->hwcaps < 0 ? l->soname : l->name) < 0)
		return -1;
	e = &r->ents[r->nents];
	memset(e, 0, sizeof(*e));
	e->path = strbuf_detach(&p);
	if (e->path == NULL || (e->key = strdup(l->soname)) == NULL) {
		free(e->path);
		return -1;
	}
	e->flags = l->flag;
	e->isa = l->isa;
	e->hwcap = d->hwcaps < 0 ? hwcap : 0;
	e->hwcaps = d->hwcaps;
	for (b = 0; b < 64; b++)
		if (e->hwcap & ((uint64_t)1 << b))
			e->bits++;
	e->seq = r->nents;
	if (d->hwcaps >= 0)
		r->hw[d->hwcaps].used = 1;
	r->nents++;
	return 0;
}

/* implicit_soname: the file name, cut after the major for a.out. */
static char *implicit_soname(const char *name, int flag)
{
	char *s = strdup(name), *major, *dot;

	if (s && (flag & FLAG_TYPE_MASK) == FLAG_LIBC4 &&
	    (major = strstr(s, ".so.")) && (dot = strchr(major + 4, '.')))
		*dot = '\0';
	return s;
}

static int is_prelink_temp(const char *name)
{
	size_t len = strlen(name);

	if (len >= 10 && strcmp(name + len - 10, ".#prelink#") == 0)
		return 1;
	return len >= 17 && memcmp(name + len - 17, ".#prelink#.", 11) == 0;
}

static int search_dir(struct run *r, size_t di)
{
	struct strbuf target = STRBUF_INIT, sub = STRBUF_INIT;
	struct dlib *libs = NULL;
	size_t nlibs = 0, i, first, end;
	char *canon = NULL, *dpath = NULL;
	uint64_t hwcap;
	int rc = -1, hwcaps = r->dirs[di].hwcaps, dflag = r->dirs[di].flag;

	/* r->dirs moves when subdirectories are added: copy what we need. */
	if ((canon = strdup(r->dirs[di].canon)) == NULL ||
	    (dpath = strdup(r->dirs[di].path)) == NULL)
		goto out;
	hwcap = hwcaps < 0 ? path_hwcap(dpath) : 0;
	child_range(r, canon, &first, &end);
	for (i = first; i < end; i++) {
		const struct node *n = &r->nodes[i], *t = n;
		const char *name = child_name(n, canon);
		char *soname;
		int is_link = n->kind == K_LINK, is_dir, flag, k;
		unsigned isa;
		size_t j;

		if (name == NULL)
			continue;
		/* As ldconfig: in a glibc-hwcaps subdirectory any symlink is
		 * looked at, elsewhere only library names and hwcap names. */
		if (!is_dso(name) &&
		    (n->kind == K_FILE || (hwcaps < 0 && hwcap_bit(name) < 0)))
			continue;
		if (is_prelink_temp(name))
			continue;
		if (is_link) {
			k = resolve_kind(r, n->path, &target, &t);
			if (k == -2)
				goto out;
			if (k < 0)
				continue; /* stale */
			is_dir = k == K_DIR;
		} else {
			is_dir = n->kind == K_DIR;
			strbuf_reset(&target);
			if (strbuf_addstr(&target, n->path) < 0)
				goto out;
		}
		if (hwcaps < 0 && is_dir && hwcap_bit(name) >= 0) {
			strbuf_reset(&sub);
			if (strbuf_addf(&sub, "%s/%s", dpath, name) < 0 ||
			    add_single_dir(r, sub.buf, target.buf, dflag, -1) < 0)
				goto out;
			continue;
		}
		if (is_dir || t == NULL || t->kind != K_FILE || !t->is_lib)
			continue;

		flag = (int)ELFSO_CACHE_FLAGS(t->flags);
		isa = ELFSO_ISA_LEVEL(t->flags);
		soname = t->soname ? strdup(t->soname) : implicit_soname(name, flag);
		if (soname == NULL)
			goto out;
		/* A link counts as the library itself only when its name is
		 * the soname or the soname's ".so" development name. */
		if (is_link && strcmp(name, soname) != 0) {
			size_t len = strlen(name);

			if (len < 3 || strcmp(name + len - 3, ".so") != 0 ||
			    strncmp(name, soname, len) != 0)
				is_link = 0;
		}
		if (is_link) {
			free(soname);
			if ((soname = strdup(name)) == NULL)
				goto out;
		}
		if (flag == FLAG_ELF && (dflag == FLAG_ELF_LIBC5 || dflag == FLAG_ELF_LIBC6))
			flag = dflag;

		for (j = 0; j < nlibs; j++) {
			struct dlib *l = &libs[j];

			if (strcmp(l->soname, soname) != 0)
				continue;
			if ((!is_link && l->is_link) ||
			    (is_link == l->is_link && libcmp(l->name, name) < 0)) {
				char *nm = strdup(name);

				if (nm == NULL) {
					free(soname);
					goto out;
				}
				if (l->flag != flag) {
					if (l->flag == FLAG_ELF &&
					    (flag == FLAG_ELF_LIBC5 || flag == FLAG_ELF_LIBC6))
						l->flag = flag;
					else if ((l->flag == FLAG_ELF_LIBC5 ||
						  l->flag == FLAG_ELF_LIBC6) && flag == FLAG_ELF)
						l->flag = flag;
				}
				free(l->name);
				l->name = nm;
				l->is_link = is_link;
				l->isa = isa;
			}
			free(soname);
			break;
		}
		if (j == nlibs) {
			struct dlib *q = realloc(libs, (nlibs + 1) * sizeof(*q));

			if (q == NULL) {
				free(soname);
				goto out;
			}
			libs = q;
			libs[nlibs].soname = soname;
			libs[nlibs].flag = flag;
			libs[nlibs].is_link = is_link;
			libs[nlibs].isa = isa;
			if ((libs[nlibs].name = strdup(name)) == NULL) {
				free(soname);
				goto out;
			}
			nlibs++;
		}
	}
	/* ldconfig pushes each new soname at the head of its list. */
	for (i = nlibs; i-- > 0;)
		if (add_entry(r, &r->dirs[di], &libs[i], hwcap) < 0)
			goto out;
	rc = 0;
out:
	if (rc < 0)
		gapimg_error_nomem(r->err);
	for (i = 0; i < nlibs; i++) {
		free(libs[i].name);
		free(libs[i].soname);
	}
	free(libs);
	free(canon);
	free(dpath);
	strbuf_release(&target);
	strbuf_release(&sub);
	return rc;
}

/* ---- the file ---- */

/* ldconfig's entry order: what ld.so's binary search relies on. */
static int entry_cmp(const void *a, const void *b, void *arg)
{
	const struct entry *e1 = a, *e2 = b;
	const struct run *sort_run = arg;
	int res = libcmp(e2->key, e1->key);

	if (res == 0) {
		if (e1->flags != e2->flags)
			return e1->flags < e2->flags ? 1 : -1;
		if (e1->hwcaps >= 0 && e2->hwcaps < 0)
			return -1;
		if (e1->hwcaps < 0 && e2->hwcaps >= 0)
			return 1;
		if (e1->hwcaps >= 0 && e2->hwcaps >= 0) {
			res = strcmp(sort_run->hw[e1->hwcaps].name,
				     sort_run->hw[e2->hwcaps].name);
			if (res)
				return res;
		}
		if (e1->bits != e2->bits)
			return e2->bits > e1->bits ? 1 : -1;
		if (e1->hwcap != e2->hwcap)
			return e2->hwcap > e1->hwcap ? 1 : -1;
	}
	if (res)
		return res;
	/* Equal for ldconfig: its insertion keeps them in scan order. */
	return e1->seq < e2->seq ? -1 : e1->seq > e2->seq;
}

struct str {
	const char *s;
	size_t len;
	uint32_t off;
};

/* Reversed strings in reverse order, longer first: suffixes follow the
 * strings they end. */
static int str_tail_cmp(const void *a, const void *b)
{
	const struct str *l = a, *r = b;
	size_t n = l->len < r->len ? l->len : r->len, i;

	for (i = 1; i <= n; i++) {
		unsigned char lc = (unsigned char)l->s[l->len - i];
		unsigned char rc = (unsigned char)r->s[r->len - i];

		if (lc != rc)
			return rc - lc;
	}
	if (l->len == r->len)
		return 0;
	return l->len < r->len ? 1 : -1;
}

static int str_find_cmp(const void *a, const void *b)
{
	const struct str *l = a, *r = b;

	return strcmp(l->s, r->s);
}

static int hw_name_cmp(const void *a, const void *b)
{
	const struct hwname *const *l = a, *const *r = b;

	return strcmp((*l)->name, (*r)->name);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static int add32(struct strbuf *out, uint32_t v)
{
	unsigned char b[4];

	put32(b, v);
	return strbuf_add(out, b, 4);
}

static uint32_t str_offset(const struct str *by_name, size_t n, const char *s)
{
	struct str key = { s, 0, 0 };
	const struct str *f = bsearch(&key, by_name, n, sizeof(*by_name), str_find_cmp);

	return f ? f->off : 0;
}

static int write_cache(struct ldcache *c, struct run *r, struct strbuf *out)
{
	struct str *strs = NULL;
	struct hwname **used = NULL;
	size_t nstr = 0, i, j, nused = 0;
	uint64_t strsize = 0, hdr, ext_off, total;
	const char *gen = c->generator ? c->generator : LDCACHE_GENERATOR_DEBIAN12;
	int rc = -1;

	if (r->nents > 1)
		qsort_r(r->ents, r->nents, sizeof(*r->ents), entry_cmp, r);

	/* The string table: every soname and path, and every glibc-hwcaps
	 * name seen (ldconfig interns them even when no library uses them). */
	if ((strs = malloc((2 * r->nents + r->nhw + 1) * sizeof(*strs))) == NULL)
		goto nomem;
	for (i = 0; i < r->nents; i++) {
		strs[nstr++].s = r->ents[i].key;
		strs[nstr++].s = r->ents[i].path;
	}
	for (i = 0; i < r->nhw; i++)
		strs[nstr++].s = r->hw[i].name;
	if (nstr > 1)
		qsort(strs, nstr, sizeof(*strs), str_find_cmp);
	for (i = j = 0; i < nstr; i++)
		if (j == 0 || strcmp(strs[j - 1].s, strs[i].s) != 0)
			strs[j++] = strs[i];
	nstr = j;
	for (i = 0; i < nstr; i++)
		strs[i].len = strlen(strs[i].s);
	if (nstr > 1)
		qsort(strs, nstr, sizeof(*strs), str_tail_cmp);
	for (i = 0; i < nstr; i++) {
		struct str *cur = &strs[i], *prev = i ? &strs[i - 1] : NULL;
		uint64_t off;

		if (prev == NULL)
			off = 0;
		else if (prev->len >= cur->len &&
			 memcmp(prev->s + prev->len - cur->len, cur->s, cur->len) == 0)
			off = prev->off + prev->len - cur->len;
		else
			off = (uint64_t)prev->off + prev->len + 1;
		if (off + cur->len + 1 > UINT32_MAX)
			goto toobig;
		cur->off = (uint32_t)off;
		if (off + cur->len + 1 > strsize)
			strsize = off + cur->len + 1;
	}

	/* glibc-hwcaps names in use get indexes in strcmp order. */
	if ((used = malloc((r->nhw + 1) * sizeof(*used))) == NULL)
		goto nomem;
	for (i = 0; i < r->nhw; i++)
		if (r->hw[i].used)
			used[nused++] = &r->hw[i];
	if (nused > 1)
		qsort(used, nused, sizeof(*used), hw_name_cmp);
	for (i = 0; i < nused; i++)
		used[i]->index = (uint32_t)i;

	hdr = 48 + 24 * (uint64_t)r->nents;
	ext_off = (hdr + strsize + 3) & ~(uint64_t)3;
	total = ext_off + 8 + 16 * (nused ? 2 : 1) + 4 * nused + strlen(gen);
	if (total > UINT32_MAX)
		goto toobig;
	if (strbuf_grow(out, (size_t)total) < 0)
		goto nomem;

	/* Back to finding offsets by name. */
	if (nstr > 1)
		qsort(strs, nstr, sizeof(*strs), str_find_cmp);
	{
		unsigned char h[48];

		memset(h, 0, sizeof(h));
		memcpy(h, CACHE_MAGIC, 20);
		put32(h + 20, (uint32_t)r->nents);
		put32(h + 24, (uint32_t)strsize);
		h[28] = 2; /* little endian */
		put32(h + 32, (uint32_t)ext_off);
		if (strbuf_add(out, h, sizeof(h)) < 0)
			goto nomem;
	}
	for (i = 0; i < r->nents; i++) {
		const struct entry *e = &r->ents[i];
		unsigned char b[24];
		uint64_t hw = e->hwcap;

		if (e->hwcaps >= 0)
			hw = HWCAP_EXTENSION | (uint64_t)e->isa << 32 |
			     r->hw[e->hwcaps].index;
		put32(b, (uint32_t)e->flags);
		put32(b + 4, (uint32_t)hdr + str_offset(strs, nstr, e->key));
		put32(b + 8, (uint32_t)hdr + str_offset(strs, nstr, e->path));
		put32(b + 12, 0);
		put32(b + 16, (uint32_t)hw);
		put32(b + 20, (uint32_t)(hw >> 32));
		if (strbuf_add(out, b, sizeof(b)) < 0)
			goto nomem;
	}
	{
		size_t base = out->len;

		/* strbuf_grow() above made room: fill zeros, then strings. */
		for (i = 0; i < strsize; i++)
			out->buf[base + i] = '\0';
		for (i = 0; i < nstr; i++)
			memcpy(out->buf + base + strs[i].off, strs[i].s, strs[i].len);
		strbuf_setlen(out, base + (size_t)strsize);
		while ((out->len - base + hdr) % 4)
			if (strbuf_addch(out, '\0') < 0)
				goto nomem;
	}
	{
		uint64_t hw_off = ext_off + 8 + 2 * 16;
		uint64_t gen_off = nused ? hw_off + 4 * nused : hw_off - 16;

		if (add32(out, EXT_MAGIC) < 0 || add32(out, nused ? 2 : 1) < 0 ||
		    add32(out, 0) < 0 || add32(out, 0) < 0 ||
		    add32(out, (uint32_t)gen_off) < 0 ||
		    add32(out, (uint32_t)strlen(gen)) < 0)
			goto nomem;
		if (nused && (add32(out, 1) < 0 || add32(out, 0) < 0 ||
			      add32(out, (uint32_t)hw_off) < 0 ||
			      add32(out, (uint32_t)(4 * nused)) < 0))
			goto nomem;
		for (i = 0; i < nused; i++)
			if (add32(out, (uint32_t)hdr +
					   str_offset(strs, nstr, used[i]->name)) < 0)
				goto nomem;
		if (strbuf_addstr(out, gen) < 0)
			goto nomem;
	}
	rc = 0;
	goto out;
toobig:
	gapimg_error_set(r->err, GAPIMG_E_UNSUPPORTED,
			 "ld.so.cache would be larger than 4 GiB");
	goto out;
nomem:
	gapimg_error_nomem(r->err);
out:
	free(strs);
	free(used);
	return rc;
}

int ldcache_write(struct ldcache *c, struct strbuf *out, struct gapimg_error *err)
{
	static const char *const system_dirs[] = {
		/* Debian's ldconfig: SLIBDIR, LIBDIR, then /lib and /usr/lib
		 * (no /lib64 or /libx32, unlike upstream's x86-64 build). */
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib",
	};
	struct run r;
	size_t i, start = out->len;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.err = err;
	if (build_tree(c, &r) < 0)
		return -1;
	if (parse_conf(&r, "/etc/ld.so.conf", 0) < 0)
		goto out;
	for (i = 0; i < sizeof(system_dirs) / sizeof(*system_dirs); i++)
		if (add_dir_line(&r, system_dirs[i]) < 0)
			goto out;
	/* Legacy hwcap subdirectories join the list while it is scanned. */
	for (i = 0; i < r.ndirs; i++)
		if (search_dir(&r, i) < 0)
			goto out;
	if (write_cache(c, &r, out) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		strbuf_setlen(out, start);
	for (i = 0; i < r.ndirs; i++) {
		free(r.dirs[i].path);
		free(r.dirs[i].canon);
	}
	free(r.dirs);
	for (i = 0; i < r.nhw; i++)
		free(r.hw[i].name);
	free(r.hw);
	for (i = 0; i < r.nents; i++) {
		free(r.ents[i].key);
		free(r.ents[i].path);
	}
	free(r.ents);
	free_tree(&r);
	return rc;
}
