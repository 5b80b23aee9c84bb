#include "gapimg/hostdir.h"
#include "gapimg/path.h"
#include "gapimg/strbuf.h"
#include "util/bytemap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Key of the hard-link map: which host file. */
struct host_id {
	uint64_t dev;
	uint64_t ino;
};

struct scan {
	struct gapimg_fstree *tree;
	unsigned flags;
	struct bytemap links;   /* host_id -> char *: first image path */
	struct gapimg_hostdir_report *report;
	struct gapimg_error *err;
};

static int copy_xattrs(struct scan *s, const char *host, struct gapimg_inode *inode)
{
	ssize_t len, vlen;
	char *names = NULL, *p;
	unsigned char *val = NULL;
	int ret = -1;

	len = llistxattr(host, NULL, 0);
	if (len < 0) {
		if (errno == ENOTSUP)
			return 0;
		return gapimg_error_errno(s->err, errno,
					  "cannot list extended attributes of %s", host);
	}
	if (len == 0)
		return 0;
	names = malloc((size_t)len);
	if (names == NULL)
		goto nomem;
	len = llistxattr(host, names, (size_t)len);
	if (len < 0) {
		gapimg_error_errno(s->err, errno,
				   "cannot list extended attributes of %s", host);
		goto out;
	}
	for (p = names; p < names + len; p += strlen(p) + 1) {
		if (!(s->flags & GAPIMG_HOSTDIR_ALL_XATTRS) &&
		    strncmp(p, "user.", 5) != 0 &&
		    strcmp(p, "security.capability") != 0 &&
		    strncmp(p, "system.", 7) != 0) {
			if (s->report->xattrs_skipped++ == 0)
				snprintf(s->report->example, sizeof(s->report->example),
					 "%s of %s", p, host);
			continue;
		}
		vlen = lgetxattr(host, p, NULL, 0);
		if (vlen < 0) {
			gapimg_error_errno(s->err, errno,
					   "cannot read extended attribute %s of %s",
					   p, host);
			goto out;
		}
		free(val);
		val = malloc(vlen ? (size_t)vlen : 1);
		if (val == NULL)
			goto nomem;
		vlen = lgetxattr(host, p, val, (size_t)vlen);
		if (vlen < 0) {
			gapimg_error_errno(s->err, errno,
					   "cannot read extended attribute %s of %s",
					   p, host);
			goto out;
		}
		if (gapimg_inode_set_xattr(inode, p, val, (size_t)vlen, s->err)) {
			gapimg_error_prefix(s->err, "%s: ", host);
			goto out;
		}
	}
	ret = 0;
	goto out;
nomem:
	gapimg_error_set(s->err, GAPIMG_E_NOMEM, "out of memory");
out:
	free(names);
	free(val);
	return ret;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int scan_dir(struct scan *s, struct strbuf *host, struct strbuf *img);

static int add_entry(struct scan *s, struct strbuf *host, struct strbuf *img,
		     const struct stat *st)
{
	struct gapimg_node_spec spec = {
		.mode = st->st_mode & 07777,
		.mtime = st->st_mtim.tv_sec,
	};
	struct gapimg_dentry *d;
	char *target = NULL;

	if (s->flags & GAPIMG_HOSTDIR_KEEP_OWNERS) {
		spec.uid = st->st_uid;
		spec.gid = st->st_gid;
	}

	if (S_ISREG(st->st_mode) && st->st_nlink > 1) {
		struct host_id id = { st->st_dev, st->st_ino };
		char **first;
		int created;

		first = bytemap_put(&s->links, &id, &created);
		if (first == NULL)
			return gapimg_error_set(s->err, GAPIMG_E_NOMEM, "out of memory");
		if (!created) {
			d = gapimg_fstree_add_hardlink(s->tree, img->buf, *first,
						       host->buf, 0, s->err);
			return d ? 0 : -1;
		}
		*first = strdup(img->buf);
		if (*first == NULL)
			return gapimg_error_set(s->err, GAPIMG_E_NOMEM, "out of memory");
	}

	switch (st->st_mode & S_IFMT) {
	case S_IFDIR:
		spec.type = GAPIMG_FT_DIR;
		break;
	case S_IFREG:
		spec.type = GAPIMG_FT_REG;
		spec.size = (uint64_t)st->st_size;
		spec.src = gapimg_source_host_file(host->buf, s->err);
		if (spec.src == NULL)
			return -1;
		break;
	case S_IFLNK: {
		ssize_t n;
		size_t cap = (size_t)st->st_size + 1;

		target = malloc(cap);
		if (target == NULL)
			return gapimg_error_set(s->err, GAPIMG_E_NOMEM, "out of memory");
		n = readlink(host->buf, target, cap);
		if (n < 0) {
			free(target);
			return gapimg_error_errno(s->err, errno, "cannot read symlink %s",
						  host->buf);
		}
		if ((size_t)n >= cap) {
			free(target);
			return gapimg_error_set(s->err, GAPIMG_E_IO, "symlink %s changed "
						"while it was being read; make sure "
						"nothing writes to the input during a "
						"build", host->buf);
		}
		target[n] = '\0';
		spec.type = GAPIMG_FT_SYMLINK;
		spec.target = target;
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
		spec.type = S_ISCHR(st->st_mode) ? GAPIMG_FT_CHR : GAPIMG_FT_BLK;
		spec.major = major(st->st_rdev);
		spec.minor = minor(st->st_rdev);
		break;
	case S_IFIFO:
		spec.type = GAPIMG_FT_FIFO;
		break;
	case S_IFSOCK:
		spec.type = GAPIMG_FT_SOCK;
		break;
	default:
		return gapimg_error_set(s->err, GAPIMG_E_UNSUPPORTED,
					"%s has an unknown file type", host->buf);
	}

	d = gapimg_fstree_add(s->tree, img->buf, &spec, host->buf,
			      spec.type == GAPIMG_FT_DIR && img->len == 1 ?
			      GAPIMG_ADD_REPLACE : 0, s->err);
	free(target);
	if (d == NULL)
		return -1;
	if (copy_xattrs(s, host->buf, d->inode))
		return -1;
	if (spec.type == GAPIMG_FT_DIR)
		return scan_dir(s, host, img);
	return 0;
}

static int scan_dir(struct scan *s, struct strbuf *host, struct strbuf *img)
{
	size_t hlen = host->len, ilen = img->len, n = 0, cap = 0, i;
	char **names = NULL;
	struct dirent *de;
	int ret = -1;
	DIR *dir;

	dir = opendir(host->buf);
	if (dir == NULL)
		return gapimg_error_errno(s->err, errno, "cannot open directory %s",
					  host->buf);
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*nn));
			if (nn == NULL)
				goto nomem;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL)
			goto nomem;
		n++;
	}
	if (errno != 0) {
		gapimg_error_errno(s->err, errno, "cannot read directory %s", host->buf);
		goto out;
	}
	closedir(dir);
	dir = NULL;

	/* readdir order depends on the filesystem: sort. */
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		struct stat st;

		strbuf_setlen(host, hlen);
		strbuf_setlen(img, ilen);
		if ((hlen && host->buf[hlen - 1] != '/' && strbuf_addch(host, '/')) ||
		    strbuf_addstr(host, names[i]) ||
		    (img->buf[ilen - 1] != '/' && strbuf_addch(img, '/')) ||
		    strbuf_addstr(img, names[i]))
			goto nomem;
		if (img->len > GAPIMG_PATH_MAX || strlen(names[i]) > GAPIMG_NAME_MAX) {
			struct strbuf norm = STRBUF_INIT;
			/* Let the path rules produce the message. */
			gapimg_path_normalise(img->buf, img->len, &norm, host->buf, s->err);
			strbuf_release(&norm);
			goto out;
		}
		if (lstat(host->buf, &st) != 0) {
			gapimg_error_errno(s->err, errno, "cannot stat %s", host->buf);
			goto out;
		}
		if (add_entry(s, host, img, &st))
			goto out;
	}
	ret = 0;
	goto out;
nomem:
	gapimg_error_set(s->err, GAPIMG_E_NOMEM, "out of memory");
out:
	if (dir != NULL)
		closedir(dir);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	strbuf_setlen(host, hlen);
	strbuf_setlen(img, ilen);
	return ret;
}

int gapimg_fstree_add_hostdir(struct gapimg_fstree *tree, const char *dir,
			      unsigned flags, struct gapimg_hostdir_report *report,
			      struct gapimg_error *err)
{
	struct gapimg_hostdir_report dummy;
	struct scan s = {
		.tree = tree, .flags = flags, .report = report ? report : &dummy,
		.err = err,
	};
	struct strbuf host = STRBUF_INIT, img = STRBUF_INIT;
	struct stat st;
	size_t i;
	int ret = -1;

	memset(s.report, 0, sizeof(*s.report));
	bytemap_init(&s.links, sizeof(struct host_id), sizeof(char *));
	if (stat(dir, &st) != 0) {
		gapimg_error_errno(err, errno, "cannot read input directory %s", dir);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		gapimg_error_set(err, GAPIMG_E_INVALID,
				 "%s is not a directory; pack takes a directory "
				 "tree as input", dir);
		goto out;
	}
	if (strbuf_addstr(&host, dir) || strbuf_addch(&img, '/')) {
		gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
		goto out;
	}
	/* The root takes the input directory's own attributes. */
	ret = add_entry(&s, &host, &img, &st);
out:
	for (i = 0; i < s.links.cap; i++) {
		char **first = bytemap_value_at(&s.links, i);
		if (first != NULL)
			free(*first);
	}
	bytemap_free(&s.links);
	strbuf_release(&host);
	strbuf_release(&img);
	return ret;
}
