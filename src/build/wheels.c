/*
 * Wheels into the image, after the OS packages, in the lock's order, for
 * the image's own interpreter: where pip would put them when the site's
 * administrator runs it (/usr/local, which the distributions' Pythons
 * keep on sys.path and their package managers never touch).
 *
 * The wheel's own checks (RECORD hashes, paths inside the scheme) are in
 * python/install.c.  Here every file goes through the same rules as a
 * package's files: a wheel may not overwrite a file of a package or of
 * another wheel, nor write through a symbolic link.  A declarative build
 * adds the files to the image tree; a build that ran the packages'
 * scripts writes them into the staged tree, which is read back later.
 * The wheel's METADATA is kept as it streams past, for the licence the
 * manifest records.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "python/install.h"
#include "python/metadata.h"

struct scheme_paths {
	char purelib[96], platlib[96], headers[96], interpreter[64], pyc_tag[32];
	struct pyinstall_scheme s;
};

/* Debian: /usr/local/lib/python3.Y/dist-packages (Debian's Python puts
 * it on sys.path, pip installs there as root).  Fedora and EL: the
 * site-packages folders under /usr/local/lib and /usr/local/lib64, which
 * their site.py adds. */
static void scheme_for(const struct bld *b, struct scheme_paths *sp)
{
	const char *py = b->plan->python;
	unsigned long major = strtoul(py, NULL, 10), minor = 0;
	const char *dot = strchr(py, '.');

	if (dot)
		minor = strtoul(dot + 1, NULL, 10);
	if (b->res->family == GAPIMG_FAMILY_DEB) {
		snprintf(sp->purelib, sizeof(sp->purelib),
			 "/usr/local/lib/python%lu.%lu/dist-packages", major, minor);
		snprintf(sp->platlib, sizeof(sp->platlib), "%s", sp->purelib);
	} else {
		snprintf(sp->purelib, sizeof(sp->purelib),
			 "/usr/local/lib/python%lu.%lu/site-packages", major, minor);
		snprintf(sp->platlib, sizeof(sp->platlib),
			 "/usr/local/lib64/python%lu.%lu/site-packages", major, minor);
	}
	snprintf(sp->headers, sizeof(sp->headers), "/usr/local/include/python%lu.%lu",
		 major, minor);
	snprintf(sp->interpreter, sizeof(sp->interpreter), "/usr/bin/python%lu.%lu",
		 major, minor);
	snprintf(sp->pyc_tag, sizeof(sp->pyc_tag), "cpython-%lu%lu", major, minor);
	sp->s = (struct pyinstall_scheme){
		.purelib = sp->purelib, .platlib = sp->platlib, .scripts = "/usr/local/bin",
		.data = "/usr/local", .headers = sp->headers, .interpreter = sp->interpreter,
		.pyc_tag = b->plan->bytecode ? sp->pyc_tag : NULL,
	};
}

struct emit_ctx {
	struct bld *b;
	struct bld_pkg *pkg;
	int on_disk;              /* write into the staged tree */
	int dirfd;                /* the stage's root, on_disk */
	const struct scheme_paths *sp;
};

static int emit_tree(struct emit_ctx *c, const struct pyinstall_file *f,
		     pyinstall_read_fn read, void *rd, struct gapimg_error *err)
{
	struct bld_entry e = {
		.path = f->path, .type = GAPIMG_FT_REG, .mode = f->mode,
		.mtime = GAPIMG_MTIME_UNKNOWN, .size = f->size,
	};

	return bld_add_entry(c->b, c->pkg, &e, read, rd, err);
}

/* The folder of path inside the stage, made as needed, never through a
 * link the packages or their scripts left: the stage is their work. */
static int open_parent(struct emit_ctx *c, const char *path, const char **base,
		       struct gapimg_error *err)
{
	char comp[256];
	const char *p = path + 1, *slash;
	int fd = dup(c->dirfd);

	if (fd < 0)
		return gapimg_error_errno(err, errno, "cannot open the staged tree");
	while ((slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);
		int next;

		if (n == 0 || n >= sizeof(comp)) {
			close(fd);
			return gapimg_error_set(err, GAPIMG_E_INVALID, "wheel %s: bad path %s",
						c->pkg->label, path);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
				int e = errno;

				close(fd);
				return gapimg_error_errno(err, e, "wheel %s: cannot create the "
							  "folder for %s", c->pkg->label, path);
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* 0755 whatever the builder's umask: the tree is read
			 * back with its modes */
			if (next >= 0 && fchmod(next, 0755) < 0) {
				int e = errno;

				close(next);
				close(fd);
				return gapimg_error_errno(err, e, "wheel %s: cannot set the mode "
							  "of the folder for %s", c->pkg->label, path);
			}
		}
		if (next < 0) {
			int e = errno;

			close(fd);
			if (e == ENOTDIR || e == ELOOP)
				return gapimg_error_set(err, GAPIMG_E_INVALID,
					"wheel %s: refusing %s: /%.*s is not a folder in the "
					"image (a link or file from the packages), and a wheel "
					"may not write through it", c->pkg->label, path,
					(int)(slash - path - 1), path + 1);
			return gapimg_error_errno(err, e, "wheel %s: cannot open the folder "
						  "for %s", c->pkg->label, path);
		}
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*base = p;
	return fd;
}

/* A .py file in a site folder: byte-compiled when the recipe asks
 * (scripts and data files are not imported). */
static int is_site_py(const struct emit_ctx *c, const char *path)
{
	size_t n = strlen(path), a = strlen(c->sp->purelib), b = strlen(c->sp->platlib);

	if (n < 4 || strcmp(path + n - 3, ".py") != 0)
		return 0;
	return (strncmp(path, c->sp->purelib, a) == 0 && path[a] == '/') ||
	       (strncmp(path, c->sp->platlib, b) == 0 && path[b] == '/');
}

static int emit_disk(struct emit_ctx *c, const struct pyinstall_file *f,
		     pyinstall_read_fn read, void *rd, struct gapimg_error *err)
{
	const char *base = NULL;
	char buf[65536];
	int dir, fd, rc = -1;
	ssize_t n;

	if (bld_removed(c->b, f->path)) {
		while ((n = read(rd, buf, sizeof(buf), err)) > 0)
			;
		return n < 0 ? -1 : 0;
	}
	if ((dir = open_parent(c, f->path, &base, err)) < 0)
		return -1;
	fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		close(dir);
		if (e == EEXIST)
			return gapimg_error_set(err, GAPIMG_E_INVALID,
				"file conflict: %s is already in the image (from a package, "
				"its scripts or another wheel); a wheel may not overwrite it: "
				"leave one of them out", f->path);
		return gapimg_error_errno(err, e, "wheel %s: cannot create %s", c->pkg->label,
					  f->path);
	}
	while ((n = read(rd, buf, sizeof(buf), err)) > 0) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				gapimg_error_errno(err, errno, "cannot write %s in the staged tree",
						   f->path);
				goto out;
			}
			off += w;
		}
	}
	if (n < 0)
		goto out;
	if (fchmod(fd, f->mode) < 0) {
		gapimg_error_errno(err, errno, "cannot set the mode of %s", f->path);
		goto out;
	}
	rc = 0;
out:
	if (close(fd) < 0 && rc == 0)
		rc = gapimg_error_errno(err, errno, "cannot write %s in the staged tree", f->path);
	close(dir);
	if (rc == 0 && c->b->plan->bytecode && is_site_py(c, f->path)) {
		char **v = realloc(c->b->pyfiles, (c->b->npyfiles + 1) * sizeof(*v));

		if (v == NULL || (v[c->b->npyfiles] = strdup(f->path)) == NULL) {
			if (v)
				c->b->pyfiles = v;
			return gapimg_error_nomem(err);
		}
		c->b->pyfiles = v;
		c->b->npyfiles++;
	}
	return rc;
}

/* A License field worth recording: one line, short, and not the
 * "UNKNOWN" old setuptools wrote when a project gave none.  Longer or
 * wrapped text is a licence's body, not its name. */
#define WHEEL_LICENSE_LINE_MAX 100

static int license_line(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= WHEEL_LICENSE_LINE_MAX && strchr(s, '\n') == NULL &&
	       strcasecmp(s, "UNKNOWN") != 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The licences of the "License :: ..." classifiers: the last component of
 * each ("License :: OSI Approved :: MIT License": "MIT License"), the bare
 * category "License :: OSI Approved" left out, sorted, each once, joined
 * with " AND " (classifiers cannot say whether several licences apply
 * together or as a choice: AND is the reading that claims no freedom the
 * wheel may not give).  Into out; 0, or -1 when memory ran out. */
static int license_classifiers(const struct pymeta *m, struct strbuf *out)
{
	const char **v = calloc(m->nlicense_classifiers + 1, sizeof(*v));
	size_t n = 0, i;
	int rc = 0;

	if (v == NULL)
		return -1;
	for (i = 0; i < m->nlicense_classifiers; i++) {
		const char *c = m->license_classifiers[i], *last = c, *sep;

		if (strcmp(c, "License :: OSI Approved") == 0)
			continue;
		while ((sep = strstr(last, "::")) != NULL)
			last = sep + 2;
		while (*last == ' ' || *last == '\t')
			last++;
		if (*last)
			v[n++] = last;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (out->len > 0 && strbuf_addstr(out, " AND ") < 0)
			rc = -1;
		else if (strbuf_addstr(out, v[i]) < 0)
			rc = -1;
	}
	free(v);
	return rc;
}

/* The wheel's licence from its METADATA: License-Expression (PEP 639)
 * when there is one, else a License field that is one short line, else
 * the licence classifiers. */
static int wheel_license(struct bld *b, struct bld_pkg *p, const struct strbuf *text,
			 struct gapimg_error *err)
{
	struct pymeta m;
	struct strbuf cl = STRBUF_INIT;
	char msg[256];
	int r = pymeta_parse(text->buf ? text->buf : "", text->len, &m, msg, sizeof(msg));

	if (r == -2)
		return gapimg_error_nomem(err);
	if (r < 0)   /* the wheel installs all the same: only its licence is unknown */
		return bld_note(b, "wheel %s: its METADATA gives no licence gapimg can "
				"read (%s)", p->label, msg) < 0 ? gapimg_error_nomem(err) : 0;
	if (m.license_expression && *m.license_expression)
		r = bld_license_set(b, p, m.license_expression, strlen(m.license_expression),
				    "License-Expression", err);
	else if (m.license && license_line(m.license))
		r = bld_license_set(b, p, m.license, strlen(m.license), "License field", err);
	else if (license_classifiers(&m, &cl) < 0)
		r = gapimg_error_nomem(err);
	else if (cl.len > 0)
		r = bld_license_set(b, p, cl.buf, cl.len, "licence classifiers", err);
	strbuf_release(&cl);
	pymeta_release(&m);
	return r;
}

/* METADATA, as it streams to the image. */
struct meta_tee {
	pyinstall_read_fn read;
	void *rd;
	struct strbuf text;
};

static ssize_t meta_read(void *user, void *buf, size_t len, struct gapimg_error *err)
{
	struct meta_tee *t = user;
	ssize_t n = t->read(t->rd, buf, len, err);

	/* the installer refuses a METADATA larger than this before now */
	if (n > 0 && t->text.len + (size_t)n <= PYWHEEL_TEXT_MAX &&
	    strbuf_add(&t->text, buf, (size_t)n) < 0)
		return gapimg_error_nomem(err);
	return n;
}

/* The member "NAME-VERSION.dist-info/METADATA" at the top of the wheel. */
static int is_metadata(const struct pyinstall_file *f)
{
	const char *slash = f->member ? strchr(f->member, '/') : NULL;

	return slash && slash - f->member > 10 &&
	       strncmp(slash - 10, ".dist-info", 10) == 0 && strcmp(slash, "/METADATA") == 0;
}

static int emit(void *user, const struct pyinstall_file *f, pyinstall_read_fn read,
		void *rd, struct gapimg_error *err)
{
	struct emit_ctx *c = user;
	struct meta_tee t = { .read = read, .rd = rd, .text = STRBUF_INIT };
	int rc;

	if (!is_metadata(f))
		return c->on_disk ? emit_disk(c, f, read, rd, err)
				  : emit_tree(c, f, read, rd, err);
	rc = c->on_disk ? emit_disk(c, f, meta_read, &t, err)
			: emit_tree(c, f, meta_read, &t, err);
	if (rc == 0)
		rc = wheel_license(c->b, c->pkg, &t.text, err);
	strbuf_release(&t.text);
	return rc;
}

static int requested(const struct bld *b, const char *name)
{
	for (size_t i = 0; i < b->plan->nrequirements; i++)
		if (strcmp(b->plan->requirements[i].name, name) == 0)
			return 1;
	return 0;
}

int bld_install_wheels(struct bld *b, int on_disk, struct gapimg_error *err)
{
	struct scheme_paths sp;
	struct emit_ctx c = { .b = b, .on_disk = on_disk, .dirfd = -1 };
	int rc = 0;

	if (b->nwheels == 0)
		return 0;
	scheme_for(b, &sp);
	c.sp = &sp;
	if (on_disk) {
		c.dirfd = open(b->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c.dirfd < 0)
			return gapimg_error_errno(err, errno, "cannot open %s", b->stage);
	}
	for (size_t i = 0; i < b->nwheels && rc == 0; i++) {
		struct bld_pkg *p = &b->wheels[i];
		const char *file = strrchr(p->pkg->location, '/');
		char *label = NULL;
		struct pyinstall_opts o = {
			.name = p->pkg->name, .version = p->pkg->evr,
			.requested = requested(b, p->pkg->name), .installer = "gapimg",
		};

		if (asprintf(&label, "wheel %s (%s from mirror %s)", p->label,
			     file ? file + 1 : p->pkg->location, p->pkg->mirror) < 0)
			label = NULL;
		o.label = label ? label : p->label;
		bld_progress(b, GAPIMG_STAGE_UNPACK, p->pkg->name, b->npkgs);
		c.pkg = p;
		rc = pyinstall_wheel(p->file, &o, &sp.s, emit, &c, err);
		free(label);
	}
	if (c.dirfd >= 0)
		close(c.dirfd);
	return rc;
}

int bld_wheel_paths(const struct bld *b, char *purelib, char *platlib, size_t size,
		    char *interpreter, size_t isize)
{
	struct scheme_paths sp;

	scheme_for(b, &sp);
	snprintf(purelib, size, "%s", sp.purelib);
	snprintf(platlib, size, "%s", sp.platlib);
	snprintf(interpreter, isize, "%s", sp.interpreter);
	return 0;
}
