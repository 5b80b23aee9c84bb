/*
 * The staged tree for 'scripts run': payloads on disk where packages'
 * scripts can see and change them, then read back into the image.
 *
 * Debian payloads still go through every rule in unpack.c: the tree keeps
 * their metadata (and origins, for conflicts), and each regular file's
 * bytes go to the staging folder as they stream (a conffile as
 * NAME.dpkg-new, where dpkg's unpack leaves it for --configure).  Once all
 * are in and owners are resolved, the tree is written out: folders, links,
 * the generated dpkg database, owners, modes, capabilities, mtimes.
 *
 * After the scripts, the recipe's removals apply to what is on disk (so
 * they also catch what the scripts made), and the staging folder is read
 * back in sorted order as a fresh tree; the image writer clamps every
 * mtime to the epoch.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "internal.h"
#include "accounts.h"
#include "gapimg/hostdir.h"
#include "gapimg/source.h"

int bld_stage_create(struct bld *b, struct gapimg_error *err)
{
	const char *out = b->opts->output, *slash = strrchr(out, '/');
	int len = slash ? (int)(slash - out) : 1;

	/* Beside the image: the same filesystem the operator gave room on. */
	if (asprintf(&b->stage, "%.*s/.gapimg-staging-XXXXXX", len,
		     slash ? out : ".") < 0) {
		b->stage = NULL;
		return gapimg_error_nomem(err);
	}
	if (mkdtemp(b->stage) == NULL) {
		if (errno == ENOENT)
			gapimg_error_errno(err, errno, "cannot write %s: output folder "
					   "%.*s does not exist; create it first", out,
					   len, slash ? out : ".");
		else
			gapimg_error_errno(err, errno, "cannot create the staging folder "
					   "%s", b->stage);
		free(b->stage);
		b->stage = NULL;
		return -1;
	}
	/* Absolute: librpm and the sandbox use it from other folders. */
	{
		char *abs = realpath(b->stage, NULL);

		if (abs == NULL)
			return gapimg_error_errno(err, errno, "cannot resolve %s", b->stage);
		free(b->stage);
		b->stage = abs;
	}
	/* mkdtemp makes it 0700: it is the image's root folder. */
	if (chmod(b->stage, 0755) < 0)
		return gapimg_error_errno(err, errno, "cannot set the mode of %s", b->stage);
	return 0;
}

static int host_path(const struct bld *b, const char *norm, const char *suffix,
		     struct strbuf *out)
{
	strbuf_reset(out);
	return strbuf_addf(out, "%s%s%s", b->stage, strcmp(norm, "/") == 0 ? "" : norm,
			   suffix ? suffix : "");
}

/* mkdir -p for the parents of host (which is inside the stage). */
static int make_parents(const struct bld *b, char *host, struct gapimg_error *err)
{
	size_t base = strlen(b->stage);
	char *p;

	for (p = host + base + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(host, 0755) < 0 && errno != EEXIST) {
			gapimg_error_errno(err, errno, "cannot create %s", host);
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int write_source(struct gapimg_source *src, const char *host, const char *what,
			struct gapimg_error *err)
{
	char buf[65536];
	ssize_t n;
	int fd, rc = 0;

	if (unlink(host) < 0 && errno != ENOENT)
		return gapimg_error_errno(err, errno, "cannot replace %s", host);
	fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return gapimg_error_errno(err, errno, "cannot create %s", host);
	while ((n = gapimg_source_read(src, buf, sizeof(buf), err)) > 0) {
		char *p = buf;

		while (n > 0) {
			ssize_t w = write(fd, p, (size_t)n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				gapimg_error_errno(err, errno, "cannot write %s (%s)", host, what);
				close(fd);
				return -1;
			}
			p += w;
			n -= w;
		}
	}
	if (n < 0)
		rc = -1;
	if (close(fd) < 0 && rc == 0)
		rc = gapimg_error_errno(err, errno, "cannot write %s", host);
	return rc;
}

int bld_stage_data(struct bld *b, struct gapimg_dentry *d, const char *norm,
		   int conffile, struct gapimg_error *err)
{
	struct gapimg_inode *ino = d->inode;
	struct strbuf host = STRBUF_INIT;
	int rc = -1;

	if (host_path(b, norm, conffile ? ".dpkg-new" : NULL, &host) < 0)
		return gapimg_error_nomem(err);
	if (make_parents(b, host.buf, err) < 0 ||
	    write_source(ino->u.reg.src, host.buf, d->origin, err) < 0)
		goto out;
	gapimg_source_free(ino->u.reg.src);
	ino->u.reg.src = NULL;
	free(ino->writer_data);
	ino->writer_data = strbuf_detach(&host);
	rc = 0;
out:
	strbuf_release(&host);
	return rc;
}

struct materialise {
	struct bld *b;
	struct strbuf host;
	struct gapimg_error *err;
	int pass;             /* 0: create; 1: mtimes (after all children) */
};

static int set_attrs(struct materialise *m, const struct gapimg_inode *ino, const char *host)
{
	size_t i;

	if (lchown(host, ino->uid, ino->gid) < 0)
		return gapimg_error_errno(m->err, errno, "cannot set the owner of %s "
					  "to %u:%u", host, ino->uid, ino->gid);
	if (ino->type != GAPIMG_FT_SYMLINK && chmod(host, ino->mode) < 0)
		return gapimg_error_errno(m->err, errno, "cannot set the mode of %s", host);
	for (i = 0; i < ino->nxattrs; i++)
		if (lsetxattr(host, ino->xattrs[i].key, ino->xattrs[i].value,
			      ino->xattrs[i].size, 0) < 0)
			return gapimg_error_errno(m->err, errno, "cannot set %s on %s",
						  ino->xattrs[i].key, host);
	return 0;
}

static int create_one(struct gapimg_dentry *d, void *user)
{
	struct materialise *m = user;
	struct gapimg_inode *ino = d->inode;
	char *norm = gapimg_dentry_path(d);
	const char *host;
	int rc = -1;

	if (norm == NULL)
		return gapimg_error_nomem(m->err);
	/* A conffile's data is at NAME.dpkg-new: its attributes go there. */
	if (ino->type == GAPIMG_FT_REG && ino->writer_data && ino->nlink == 1) {
		host = ino->writer_data;
	} else {
		if (host_path(m->b, norm, NULL, &m->host) < 0) {
			gapimg_error_nomem(m->err);
			goto out;
		}
		host = m->host.buf;
	}
	if (m->pass == 1) {
		struct timespec ts[2];
		int64_t t = ino->mtime == GAPIMG_MTIME_UNKNOWN || ino->mtime > m->b->epoch
			    ? m->b->epoch : ino->mtime;

		ts[0].tv_sec = ts[1].tv_sec = (time_t)t;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (utimensat(AT_FDCWD, host, ts, AT_SYMLINK_NOFOLLOW) < 0)
			gapimg_error_errno(m->err, errno, "cannot set the time of %s", host);
		else
			rc = 0;
		goto out;
	}
	if (strcmp(norm, "/") == 0) {
		rc = 0;
		goto out;
	}
	if (make_parents(m->b, (char *)host, m->err) < 0)
		goto out;
	switch (ino->type) {
	case GAPIMG_FT_DIR:
		if (mkdir(host, 0700) < 0 && errno != EEXIST) {
			gapimg_error_errno(m->err, errno, "cannot create %s", host);
			goto out;
		}
		break;
	case GAPIMG_FT_REG:
		if (ino->writer_data && strcmp(ino->writer_data, host) != 0) {
			/* Another name of a staged file. */
			if ((unlink(host) < 0 && errno != ENOENT) ||
			    link(ino->writer_data, host) < 0) {
				gapimg_error_errno(m->err, errno, "cannot link %s to %s",
						   host, (char *)ino->writer_data);
				goto out;
			}
		} else if (ino->writer_data == NULL) {
			/* Made by gapimg (the dpkg database), still in memory. */
			if (ino->u.reg.src == NULL) {
				gapimg_error_set(m->err, GAPIMG_E_INTERNAL, "%s has no data "
						 "to stage", norm);
				goto out;
			}
			if (write_source(ino->u.reg.src, host, d->origin, m->err) < 0)
				goto out;
			gapimg_source_free(ino->u.reg.src);
			ino->u.reg.src = NULL;
			if ((ino->writer_data = strdup(host)) == NULL) {
				gapimg_error_nomem(m->err);
				goto out;
			}
		}
		break;
	case GAPIMG_FT_SYMLINK:
		if ((unlink(host) < 0 && errno != ENOENT) ||
		    symlink(ino->u.symlink.target, host) < 0) {
			gapimg_error_errno(m->err, errno, "cannot create the link %s", host);
			goto out;
		}
		break;
	default: {
		mode_t t = ino->type == GAPIMG_FT_CHR ? S_IFCHR :
			   ino->type == GAPIMG_FT_BLK ? S_IFBLK :
			   ino->type == GAPIMG_FT_FIFO ? S_IFIFO : S_IFSOCK;

		if ((unlink(host) < 0 && errno != ENOENT) ||
		    mknod(host, t | 0600, makedev(ino->u.dev.major, ino->u.dev.minor)) < 0) {
			gapimg_error_errno(m->err, errno, "cannot create %s", host);
			goto out;
		}
	}
	}
	rc = set_attrs(m, ino, host);
out:
	free(norm);
	return rc;
}

int bld_stage_materialise(struct bld *b, struct gapimg_error *err)
{
	struct materialise m = { .b = b, .host = STRBUF_INIT, .err = err };
	int rc;

	/* Hard links: data lives under the first name in walk order. */
	rc = gapimg_fstree_walk(b->tree, create_one, &m);
	if (rc == 0) {
		m.pass = 1;
		rc = gapimg_fstree_walk(b->tree, create_one, &m);
	}
	strbuf_release(&m.host);
	return rc ? -1 : 0;
}

/* The recipe's removals, on disk, after the scripts. */
static struct bld *remove_ctx;
static size_t remove_base;
static int remove_failed;

static int remove_one(const char *fpath, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *norm = fpath + remove_base;

	(void)st;
	(void)flag;
	if (ftw->level == 0 || !bld_removed(remove_ctx, norm))
		return FTW_CONTINUE;
	bld_remove_tree(fpath);
	if (access(fpath, F_OK) == 0 || errno != ENOENT)
		remove_failed = 1;
	return FTW_SKIP_SUBTREE;
}

int bld_stage_read_back(struct bld *b, struct gapimg_error *err)
{
	struct gapimg_hostdir_report report;
	struct stat st;

	if (b->plan->nremovals > 0 || b->plan->nnodes > 0) {
		remove_ctx = b;
		remove_base = strlen(b->stage);
		remove_failed = 0;
		if (nftw(b->stage, remove_one, 64, FTW_PHYS | FTW_ACTIONRETVAL) < 0 ||
		    remove_failed)
			return gapimg_error_errno(err, errno, "cannot apply the recipe's "
						  "removals in %s", b->stage);
	}
	if (lstat(b->stage, &st) < 0)
		return gapimg_error_errno(err, errno, "cannot read %s", b->stage);
	if (b->tree)
		gapimg_fstree_free(b->tree);
	if ((b->tree = gapimg_fstree_new(err)) == NULL)
		return -1;
	if (gapimg_fstree_add_hostdir(b->tree, b->stage, GAPIMG_HOSTDIR_KEEP_OWNERS,
				      &report, err) < 0) {
		gapimg_error_prefix(err, "reading the staged tree back: ");
		return -1;
	}
	if (report.xattrs_skipped)
		bld_note(b, "%zu extended attributes that the scripts left were not "
			 "kept (the image keeps user.* and security.capability), for "
			 "example %s", report.xattrs_skipped, report.example);
	return 0;
}

static int read_text(const char *host, struct strbuf *out, int *present)
{
	char buf[65536];
	ssize_t n;
	int fd = open(host, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	*present = fd >= 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (strbuf_add(out, buf, (size_t)n) < 0) {
			close(fd);
			errno = ENOMEM;
			return -1;
		}
	close(fd);
	return n < 0 ? -1 : 0;
}

int bld_stage_accounts(struct bld *b, struct gapimg_error *err)
{
	static const char *const which[] = { "passwd", "group", "shadow", "gshadow" };
	struct accounts *a;
	struct strbuf host = STRBUF_INIT, text = STRBUF_INIT;
	size_t i;
	int rc = -1, present;

	if ((a = accounts_new()) == NULL)
		return gapimg_error_nomem(err);
	for (i = 0; i < 4; i++) {
		char origin[64];

		strbuf_reset(&host);
		strbuf_reset(&text);
		snprintf(origin, sizeof(origin), "/etc/%s (after the packages' scripts)", which[i]);
		if (strbuf_addf(&host, "%s/etc/%s", b->stage, which[i]) < 0)
			goto nomem;
		if (read_text(host.buf, &text, &present) < 0) {
			gapimg_error_errno(err, errno, "cannot read %s", host.buf);
			goto out;
		}
		if (present && accounts_load(a, which[i], text.buf ? text.buf : "", text.len,
					     origin, err) < 0)
			goto out;
	}
	/* Only the recipe's accounts are added: the rest stays byte for
	 * byte as the scripts left it. */
	if (b->plan->nusers == 0 && b->plan->ngroups == 0)
		goto keep;
	if (bld_add_recipe_accounts(b, a, err) < 0)
		goto out;
	for (i = 0; i < 4; i++) {
		int fd;

		strbuf_reset(&host);
		if (strbuf_addf(&host, "%s/etc/%s", b->stage, which[i]) < 0)
			goto nomem;
		if (accounts_format(a, which[i], b->epoch, &text, &present, err) < 0)
			goto out;
		if (!present)
			continue;
		fd = open(host.buf, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			  i < 2 ? 0644 : 0600);
		if (fd < 0 || write(fd, text.buf ? text.buf : "", text.len) != (ssize_t)text.len ||
		    close(fd) < 0) {
			gapimg_error_errno(err, errno, "cannot write %s", host.buf);
			goto out;
		}
	}
keep:
	/* The recipe's content resolves its owners against these. */
	if (b->acct)
		accounts_free(b->acct);
	b->acct = a;
	a = NULL;
	rc = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	if (a)
		accounts_free(a);
	strbuf_release(&host);
	strbuf_release(&text);
	return rc;
}
