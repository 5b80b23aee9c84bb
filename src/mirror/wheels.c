/*
 * wheels mirrors: a flat folder of .whl files (what pip calls
 * --find-links), or a PEP 503 "simple" index on disk (index.html at the
 * top, one page per project, links carrying #sha256=, Requires-Python,
 * yanked marks and PEP 658 metadata files).
 *
 * Each usable wheel becomes a solvable in the OS packages' pool, named
 * python3dist(NAME) with its PEP 440 version encoded for the pool's
 * version rules (python/pep440.h), so that OS packages that provide the
 * same capability (Fedora's python3-*, Debian packages through their
 * Contents file) can satisfy wheel requirements and conflict with wheels
 * of the same name.  Each extra is a synthetic solvable
 * python3dist(NAME[EXTRA]) of the same version.  Which wheels are usable
 * is decided here, as pip decides it: compatible tags for the image's
 * interpreter, machine and C library (the best of several files of one
 * version), Requires-Python, and no pre-releases or yanked files unless
 * the recipe asks for them.  Everything left out is remembered with why,
 * so that a request that cannot be met can say so.
 *
 * A malformed wheel (a bad name, not a zip, metadata for another
 * project, an invalid version or requirement) is skipped with a note
 * naming the file: a mirror is a shared folder and one bad upload must
 * not stop every build; a request that needed it fails and names it.
 */
#include "mirror/mirror.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <solv/knownid.h>
#include <solv/pool_parserpmrichdep.h>
#include <solv/repodata.h>

#include "gapimg/sha256.h"
#include "python/install.h"
#include "python/marker.h"
#include "python/metadata.h"
#include "python/pep440.h"
#include "python/pep508.h"
#include "python/simple.h"
#include "python/wheelname.h"

struct cand {
	char *rel;                /* inside the mirror folder */
	char *file;               /* the file name */
	char *sha256;             /* from the index, or NULL */
	char *requires_python;    /* from the index, or NULL */
	int yanked;
	char *yanked_reason;
	char *meta_rel;           /* a PEP 658 metadata file, or NULL */
	char *meta_sha256;
	struct wheelname wn;
	struct pep440 ver;
	long rank;
	unsigned glibc;
};

struct wl {
	struct mirror_load *ml;
	Pool *pool;
	Repodata *data;
	struct pymarker_target mt;
	struct pep440 pyver;      /* the target's full version */
	struct cand *c;
	size_t n, cap;
	struct strbuf listing;    /* "rel sha256" (index) or "rel size=N" (flat
				   * folder) of every wheel, for the digest */
	size_t other_platform, not_wheels;
	size_t outside;           /* links that leave the mirror folder */
	char *outside_first;
	Id kver, kname, kextra;
};

/* ---- what the loader learned ---- */

void wheel_known_release(struct wheel_known *wk)
{
	for (size_t i = 0; i < wk->nskips; i++) {
		free(wk->skips[i].name);
		free(wk->skips[i].why);
	}
	free(wk->skips);
	for (size_t i = 0; i < wk->ndeps; i++)
		free(wk->texts[i]);
	free(wk->texts);
	free(wk->deps);
	memset(wk, 0, sizeof(*wk));
}

const char *wheel_dep_text(const struct wheel_known *wk, Id dep)
{
	if (wk == NULL)
		return NULL;
	for (size_t i = 0; i < wk->ndeps; i++)
		if (wk->deps[i] == dep)
			return wk->texts[i];
	return NULL;
}

static int remember_dep(struct wheel_known *wk, Id dep, const char *text)
{
	Id *d;
	char **t;

	if (wheel_dep_text(wk, dep))
		return 0;
	d = realloc(wk->deps, (wk->ndeps + 1) * sizeof(*d));
	if (d == NULL)
		return -1;
	wk->deps = d;
	t = realloc(wk->texts, (wk->ndeps + 1) * sizeof(*t));
	if (t == NULL)
		return -1;
	wk->texts = t;
	if ((t[wk->ndeps] = strdup(text)) == NULL)
		return -1;
	d[wk->ndeps++] = dep;
	return 0;
}

static void skip(struct wl *w, const char *name, const char *fmt, ...) GAPIMG_PRINTF(3, 4);
static void skip(struct wl *w, const char *name, const char *fmt, ...)
{
	struct wheel_known *wk = w->ml->wk;
	struct wheel_skip *v;
	va_list ap;
	char *why;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	va_end(ap);
	if (why == NULL)
		return;
	v = realloc(wk->skips, (wk->nskips + 1) * sizeof(*v));
	if (v == NULL || (v[wk->nskips].name = strdup(name)) == NULL) {
		if (v)
			wk->skips = v;
		free(why);
		return;
	}
	wk->skips = v;
	v[wk->nskips++].why = why;
}

/* ---- collecting the files ---- */

static void cand_release(struct cand *c)
{
	free(c->rel);
	free(c->file);
	free(c->sha256);
	free(c->requires_python);
	free(c->yanked_reason);
	free(c->meta_rel);
	free(c->meta_sha256);
	wheelname_release(&c->wn);
	pep440_release(&c->ver);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A wheel file found: parse its name and rank its tags; a file that is
 * not usable here is counted or noted, not kept. */
static int add_cand(struct wl *w, const char *rel, const char *file, struct cand *proto)
{
	struct cand c = { 0 };
	char msg[512];
	int rc;

	if (proto)
		c = *proto;
	rc = wheelname_parse(file, &c.wn, msg, sizeof(msg));
	if (rc == -2)
		goto nomem;
	if (rc < 0) {
		mirror_note(w->ml, "skipped %s: %s", rel, msg);
		goto drop;
	}
	rc = pep440_parse(c.wn.version, strlen(c.wn.version), &c.ver);
	if (rc == -2)
		goto nomem;
	if (rc < 0) {
		mirror_note(w->ml, "skipped %s: '%s' is not a PEP 440 version", rel, c.wn.version);
		goto drop;
	}
	c.rank = pytags_rank(w->ml->wt->tags, &c.wn, &c.glibc);
	if (c.rank < 0) {
		w->other_platform++;
		skip(w, c.wn.name, "%s is for another interpreter or platform", file);
		goto drop;
	}
	if (w->n == w->cap) {
		struct cand *v = realloc(w->c, (w->cap = w->cap ? 2 * w->cap : 64) * sizeof(*v));

		if (v == NULL)
			goto nomem;
		w->c = v;
	}
	if ((c.rel = strdup(rel)) == NULL || (c.file = strdup(file)) == NULL) {
		w->c[w->n++] = c;   /* released with the others */
		goto nomem_kept;
	}
	w->c[w->n++] = c;
	return 0;
drop:
	cand_release(&c);
	return 0;
nomem:
	cand_release(&c);
nomem_kept:
	return gapimg_error_nomem(w->ml->err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect_flat(struct wl *w)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(w->ml->info->root);
	int rc = 0;

	if (d == NULL)
		return gapimg_error_errno(w->ml->err, errno, "mirror %s: cannot read the folder %s",
					  w->ml->pm->id, w->ml->info->root);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".whl"))
			continue;
		if (n == cap) {
			char **v = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (v == NULL) {
				rc = gapimg_error_nomem(w->ml->err);
				break;
			}
			names = v;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = gapimg_error_nomem(w->ml->err);
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_cand(w, names[i], names[i], NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* dir/rel with "." and ".." resolved; NULL when it leaves the mirror or
 * is not a plain relative path. */
static char *join_inside(const char *dir, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	if (rel[0] == '/' || strchr(rel, ':') || strchr(rel, '\\'))
		return NULL;
	strbuf_addstr(&sb, dir);
	for (p = rel; *p; ) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (sb.len == 0) {
				strbuf_release(&sb);
				return NULL;
			}
			slash = strrchr(sb.buf, '/');
			strbuf_setlen(&sb, slash ? (size_t)(slash - sb.buf) : 0);
		} else {
			if (sb.len)
				strbuf_addch(&sb, '/');
			strbuf_add(&sb, p, len);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	if (sb.len == 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static int read_page(struct wl *w, const char *rel, struct pysimple_link **links, size_t *n)
{
	struct strbuf page = STRBUF_INIT;
	char msg[512];
	int rc;

	*links = NULL;
	*n = 0;
	if (mirror_read(w->ml, rel, &page, 0) < 0) {
		strbuf_release(&page);
		return -1;
	}
	rc = pysimple_parse(page.buf, page.len, links, n, msg, sizeof(msg));
	strbuf_release(&page);
	if (rc == -2)
		return gapimg_error_nomem(w->ml->err);
	if (rc < 0)
		return gapimg_error_set(w->ml->err, GAPIMG_E_CORRUPT,
					"mirror %s: %s is not a PEP 503 index page: %s",
					w->ml->pm->id, rel, msg);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int collect_project(struct wl *w, const char *page_rel)
{
	struct pysimple_link *links;
	size_t n;
	char *dir, *slash;
	int rc = 0;

	if (read_page(w, page_rel, &links, &n) < 0)
		return -1;
	if ((dir = strdup(page_rel)) == NULL) {
		pysimple_free(links, n);
		return gapimg_error_nomem(w->ml->err);
	}
	slash = strrchr(dir, '/');
	*(slash ? slash : dir) = '\0';
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct pysimple_link *l = &links[i];
		struct cand proto = { 0 };
		char *rel;

		if (!ends_with(l->filename, ".whl")) {
			w->not_wheels++;
			continue;
		}
		rel = join_inside(dir, l->path);
		if (rel == NULL) {
			if (w->outside++ == 0 && asprintf(&w->outside_first, "\"%s\" on %s",
							  l->href, page_rel) < 0)
				w->outside_first = NULL;
			continue;
		}
		proto.sha256 = dup_or_null(l->sha256);
		proto.requires_python = dup_or_null(l->requires_python);
		proto.yanked = l->yanked;
		proto.yanked_reason = dup_or_null(l->yanked_reason);
		if (l->has_metadata) {
			struct strbuf m = STRBUF_INIT;

			strbuf_addf(&m, "%s.metadata", rel);
			proto.meta_rel = strbuf_detach(&m);
			proto.meta_sha256 = dup_or_null(l->metadata_sha256);
		}
		rc = add_cand(w, rel, l->filename, &proto);
		free(rel);
	}
	free(dir);
	pysimple_free(links, n);
	return rc;
}

/* The index is MIRROR/index.html, or MIRROR/simple/index.html when the
 * files sit beside it (bandersnatch's web/simple and web/packages): links
 * may point anywhere inside the mirror folder. */
static int collect_simple(struct wl *w, const char *top)
{
	struct pysimple_link *links;
	size_t n;
	int rc = 0;
	char *dir = strdup(top), *slash;

	if (dir == NULL)
		return gapimg_error_nomem(w->ml->err);
	slash = strrchr(dir, '/');
	*(slash ? slash : dir) = '\0';
	if (read_page(w, top, &links, &n) < 0) {
		free(dir);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct strbuf page = STRBUF_INIT;
		char *rel;

		strbuf_addstr(&page, links[i].path);
		if (page.len == 0 || page.buf[page.len - 1] == '/')
			strbuf_addstr(&page, "index.html");
		rel = join_inside(dir, page.buf);
		strbuf_release(&page);
		if (rel == NULL) {
			mirror_note(w->ml, "skipped the project link \"%s\" on %s: it does not "
				    "point inside the mirror folder", links[i].href, top);
			continue;
		}
		rc = collect_project(w, rel);
		/* one broken project page costs that project, not the mirror */
		if (rc < 0 && w->ml->err->code != GAPIMG_E_NOMEM) {
			mirror_note(w->ml, "skipped the project page %s: %s", rel, w->ml->err->msg);
			gapimg_error_clear(w->ml->err);
			rc = 0;
		}
		free(rel);
	}
	pysimple_free(links, n);
	free(dir);
	return rc;
}

static uint64_t file_size(struct wl *w, const struct cand *c)
{
	char *path = mirror_join(w->ml, c->rel);
	struct stat st;
	uint64_t n = 0;

	if (path && stat(path, &st) == 0)
		n = (uint64_t)st.st_size;
	free(path);
	return n;
}

/* ---- choosing ---- */

/* Name ascending, version descending, then the best file of a version
 * first: the best tag, then the highest build number, then the name. */
static int cmp_cand(const void *va, const void *vb)
{
	const struct cand *a = va, *b = vb;
	int c = strcmp(a->wn.name, b->wn.name);

	if (c == 0)
		c = -pep440_cmp(&a->ver, &b->ver);
	if (c == 0)
		c = a->rank < b->rank ? -1 : a->rank > b->rank;
	if (c == 0)
		c = a->wn.build_num > b->wn.build_num ? -1 : a->wn.build_num < b->wn.build_num;
	if (c == 0)
		c = strcmp(a->file, b->file);
	if (c == 0)
		c = strcmp(a->rel, b->rel);
	return c;
}

/* Does the recipe ask for name with a specifier that names a
 * pre-release (pip: then pre-releases are allowed), or pin it with ==
 * (PEP 592: then a yanked file may be used)? */
static int recipe_asks(const struct gapimg_plan *plan, const char *name, int pin)
{
	for (size_t i = 0; i < plan->nrequirements; i++) {
		const struct gapimg_plan_requirement *r = &plan->requirements[i];
		const char *p = r->specifier;

		if (strcmp(r->name, name) != 0)
			continue;
		while (p && *p) {
			const char *e = strchr(p, ','), *v = p;
			size_t len = e ? (size_t)(e - p) : strlen(p);
			struct pep440 pv;

			if (pin && len > 2 && p[0] == '=' && p[1] == '=' &&
			    !(len > 2 && p[len - 1] == '*'))
				return 1;
			while (v < p + len && (*v == '<' || *v == '>' || *v == '=' ||
					       *v == '!' || *v == '~' || *v == ' '))
				v++;
			/* "!=1.0rc1" excludes a pre-release: it does not ask
			 * for them (as packaging) */
			if (!pin && p[0] != '!' &&
			    pep440_parse(v, (size_t)(p + len - v), &pv) == 0) {
				int pre = pep440_is_prerelease(&pv);

				pep440_release(&pv);
				if (pre)
					return 1;
			}
			p = e ? e + 1 : NULL;
		}
	}
	return 0;
}

/* ---- dependencies ---- */

/* "N", "N OP EVR" or a rich dependency "(...)" into an Id. */
static Id parse_dep(Pool *pool, const char *s)
{
	const char *sp;
	static const struct { const char *op; int flags; } ops[] = {
		{ "<=", REL_LT | REL_EQ }, { ">=", REL_GT | REL_EQ }, { "=", REL_EQ },
		{ "<", REL_LT }, { ">", REL_GT },
	};

	if (s[0] == '(')
		return pool_parserpmrichdep(pool, s);
	sp = strchr(s, ' ');
	if (sp == NULL)
		return pool_str2id(pool, s, 1);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].op);

		if (strncmp(sp + 1, ops[i].op, n) == 0 && sp[1 + n] == ' ')
			return pool_rel2id(pool, pool_strn2id(pool, s, (unsigned)(sp - s), 1),
					   pool_str2id(pool, sp + 2 + n, 1), ops[i].flags, 1);
	}
	return 0;
}

Id wheel_dep(Pool *pool, struct wheel_known *wk, int deb, const char *cap,
	     const char *spec, const char *text, char *msg, size_t msgsz)
{
	struct strbuf dep = STRBUF_INIT;
	int rc = pep440_spec_dep(cap, spec, deb, &dep, msg, msgsz);
	Id id = 0;

	if (rc == -2) {
		snprintf(msg, msgsz, "out of memory");
	} else if (rc == 0) {
		id = parse_dep(pool, dep.buf);
		if (id == 0)
			snprintf(msg, msgsz, "gapimg cannot express '%s' for the solver (%s)",
				 spec, dep.buf);
	}
	strbuf_release(&dep);
	if (id && remember_dep(wk, id, text) < 0) {
		snprintf(msg, msgsz, "out of memory");
		id = 0;
	}
	return id;
}

/* The dependency for one requirement on capability cap (python3dist(x)
 * or python3dist(x[e])); 0 with why in msg when the specifier is bad. */
static Id spec_dep(struct wl *w, const char *cap, const char *spec, const char *text,
		   char *msg, size_t msgsz)
{
	Id id = wheel_dep(w->pool, w->ml->wk, w->ml->wt->deb, cap, spec, text, msg, msgsz);

	if (id == 0 && strcmp(msg, "out of memory") == 0)
		gapimg_error_nomem(w->ml->err);
	return id;
}

/* The requirement's dependencies (the project, and each extra it asks
 * for), added to *deps; 0, or -1 with msg (a bad specifier). */
static int req_deps(struct wl *w, const struct pep508_req *r, Queue *deps, char *msg,
		    size_t msgsz)
{
	struct strbuf cap = STRBUF_INIT, text = STRBUF_INIT;
	Id id;
	int rc = 0;

	/* the text without its marker: the marker was true */
	strbuf_addstr(&text, r->name);
	if (r->nextras) {
		strbuf_addch(&text, '[');
		for (size_t i = 0; i < r->nextras; i++)
			strbuf_addf(&text, "%s%s", i ? "," : "", r->extras[i]);
		strbuf_addch(&text, ']');
	}
	strbuf_addstr(&text, r->specifier);
	strbuf_addf(&cap, "python3dist(%s)", r->name);
	id = spec_dep(w, cap.buf, r->specifier, text.buf, msg, msgsz);
	if (id == 0)
		rc = -1;
	else
		queue_push(deps, id);
	for (size_t i = 0; rc == 0 && i < r->nextras; i++) {
		strbuf_reset(&cap);
		strbuf_addf(&cap, "python3dist(%s[%s])", r->name, r->extras[i]);
		id = spec_dep(w, cap.buf, r->specifier, text.buf, msg, msgsz);
		if (id == 0)
			rc = -1;
		else
			queue_push(deps, id);
	}
	strbuf_release(&cap);
	strbuf_release(&text);
	return rc;
}

/* ---- one wheel into the pool ---- */

struct parsed {
	struct pymeta meta;
	struct pep508_req *reqs;
	size_t nreqs;
};

static void parsed_release(struct parsed *pm)
{
	for (size_t i = 0; i < pm->nreqs; i++)
		pep508_req_release(&pm->reqs[i]);
	free(pm->reqs);
	pymeta_release(&pm->meta);
}

/* The wheel's metadata: the PEP 658 file when the index offers one (its
 * hash checked), else METADATA from the wheel itself.  1 when the wheel
 * is to be skipped (noted), 0, -1 on error. */
static int read_metadata(struct wl *w, struct cand *c, struct strbuf *out)
{
	struct gapimg_error e = { 0 };
	char *path;
	int rc;

	if (c->meta_rel) {
		rc = mirror_read(w->ml, c->meta_rel, out, 1);
		if (rc == 0) {
			if (c->meta_sha256) {
				uint8_t sum[GAPIMG_SHA256_LEN];
				char hex[GAPIMG_SHA256_HEX];

				gapimg_sha256(out->buf, out->len, sum);
				gapimg_hex(sum, sizeof(sum), hex);
				if (strcmp(hex, c->meta_sha256) != 0) {
					mirror_note(w->ml, "skipped %s: its metadata file %s has "
						    "sha256 %s, the index says %s", c->rel,
						    c->meta_rel, hex, c->meta_sha256);
					return 1;
				}
			}
			return 0;
		}
		if (w->ml->err->code == GAPIMG_E_NOMEM)
			return -1;
		/* the index promised a metadata file the mirror lacks (or
		 * cannot give): read the wheel, as pip does */
		if (w->ml->err->code != GAPIMG_E_NOTFOUND)
			mirror_note(w->ml, "%s: %s; reading the wheel's own METADATA instead",
				    c->meta_rel, w->ml->err->msg);
		gapimg_error_clear(w->ml->err);
		strbuf_reset(out);
	}
	if ((path = mirror_join(w->ml, c->rel)) == NULL)
		return -1;
	rc = pywheel_read_metadata(path, c->wn.name, c->wn.version, out, NULL, &e);
	if (rc < 0) {
		size_t n = strlen(path);

		if (e.code == GAPIMG_E_NOMEM) {
			free(path);
			*w->ml->err = e;
			return -1;
		}
		/* the message names the file by its full path: name it as
		 * the mirror does */
		if (strncmp(e.msg, path, n) == 0)
			mirror_note(w->ml, "skipped: %s%s", c->rel, e.msg + n);
		else
			mirror_note(w->ml, "skipped %s: %s", c->rel, e.msg);
		free(path);
		return 1;
	}
	free(path);
	return 0;
}

/* Parse and check the metadata against the file name; 1 when the wheel
 * is skipped (noted), 0, -1 on error. */
static int parse_metadata(struct wl *w, struct cand *c, const struct strbuf *text,
			  struct parsed *pm)
{
	char msg[512];
	struct pep440 mv;
	char *mname;
	int rc = pymeta_parse(text->buf, text->len, &pm->meta, msg, sizeof(msg));

	if (rc == -2)
		return gapimg_error_nomem(w->ml->err);
	if (rc < 0) {
		mirror_note(w->ml, "skipped %s: malformed metadata: %s", c->rel, msg);
		return 1;
	}
	mname = pep503_name(pm->meta.name, strlen(pm->meta.name));
	if (mname == NULL)
		return gapimg_error_nomem(w->ml->err);
	rc = strcmp(mname, c->wn.name);
	free(mname);
	if (rc != 0) {
		mirror_note(w->ml, "skipped %s: its metadata is for \"%s\", not %s", c->rel,
			    pm->meta.name, c->wn.name);
		return 1;
	}
	if (pep440_parse(pm->meta.version, strlen(pm->meta.version), &mv) < 0) {
		mirror_note(w->ml, "skipped %s: its metadata has the version \"%s\", which is "
			    "not PEP 440", c->rel, pm->meta.version);
		return 1;
	}
	rc = pep440_cmp(&mv, &c->ver);
	pep440_release(&mv);
	if (rc != 0) {
		mirror_note(w->ml, "skipped %s: its metadata says version %s", c->rel,
			    pm->meta.version);
		return 1;
	}
	pm->reqs = calloc(pm->meta.nrequires_dist + 1, sizeof(*pm->reqs));
	if (pm->reqs == NULL)
		return gapimg_error_nomem(w->ml->err);
	for (size_t i = 0; i < pm->meta.nrequires_dist; i++) {
		const char *s = pm->meta.requires_dist[i];

		rc = pep508_parse(s, strlen(s), &pm->reqs[pm->nreqs], NULL, NULL, msg, sizeof(msg));
		if (rc == -2)
			return gapimg_error_nomem(w->ml->err);
		if (rc < 0) {
			mirror_note(w->ml, "skipped %s: invalid Requires-Dist \"%s\": %s", c->rel,
				    s, msg);
			return 1;
		}
		pm->nreqs++;
	}
	return 0;
}

/* 1 when the target's Python satisfies spec, 0 when not, -1 when spec is
 * malformed (noted). */
static int python_ok(struct wl *w, struct cand *c, const char *spec)
{
	char msg[256];
	int rc = pep440_spec_match(spec, &w->pyver, 1, msg, sizeof(msg));

	if (rc < 0)
		mirror_note(w->ml, "skipped %s: invalid Requires-Python \"%s\": %s", c->rel, spec, msg);
	else if (rc == 0)
		skip(w, c->wn.name, "%s %s requires Python %s (the image has %s)", c->wn.name,
		     c->wn.version, spec, w->mt.env.python_full_version);
	return rc;
}

static Id add_solvable(struct wl *w, const char *name, const char *evr)
{
	Pool *pool = w->pool;
	Id p = repo_add_solvable(w->ml->repo);
	Solvable *s = pool_id2solvable(pool, p);

	s->name = pool_str2id(pool, name, 1);
	s->evr = pool_str2id(pool, evr, 1);
	s->arch = w->ml->wt->deb ? ARCH_ALL : ARCH_NOARCH;
	s->provides = repo_addid_dep(w->ml->repo, s->provides,
				     pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
	return p;
}

static int add_wheel(struct wl *w, struct cand *c)
{
	Pool *pool = w->pool;
	Repo *repo = w->ml->repo;
	const struct wheel_target *wt = w->ml->wt;
	struct strbuf text = STRBUF_INIT, name = STRBUF_INIT;
	struct parsed pm = { 0 };
	char hex[GAPIMG_SHA256_HEX], msg[512], *path = NULL, *vstr = NULL, *evr = NULL;
	struct stat st;
	Queue deps;
	Solvable *s;
	Id p, self, selfevr;
	int rc;

	queue_init(&deps);
	if ((path = mirror_join(w->ml, c->rel)) == NULL) {
		rc = -1;
		goto out;
	}
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		mirror_note(w->ml, "skipped %s: the index lists it, but the file is missing", c->rel);
		skip(w, c->wn.name, "%s is missing from the mirror", c->file);
		rc = 1;
		goto out;
	}
	if (c->requires_python && (rc = python_ok(w, c, c->requires_python)) != 1) {
		rc = 1;
		goto out;
	}
	rc = read_metadata(w, c, &text);
	if (rc == 0)
		rc = parse_metadata(w, c, &text, &pm);
	if (rc != 0)
		goto out;
	if (!c->requires_python && pm.meta.requires_python &&
	    (rc = python_ok(w, c, pm.meta.requires_python)) != 1) {
		rc = 1;
		goto out;
	}
	/* A flat folder's wheels are hashed only when chosen (resolve.c):
	 * hashing every file of a large mirror on each resolve would cost
	 * minutes. */
	if (c->sha256) {
		memcpy(hex, c->sha256, sizeof(hex) - 1);
		hex[sizeof(hex) - 1] = '\0';
	}

	/* What it requires: the interpreter, the C library its platform tag
	 * needs, and Requires-Dist whose markers hold for the target. */
	if (wt->deb) {
		strbuf_reset(&name);
		strbuf_addf(&name, "python%u.%u-minimal", wt->major, wt->minor);
		queue_push(&deps, pool_str2id(pool, name.buf, 1));
	} else {
		strbuf_reset(&name);
		strbuf_addf(&name, "%u.%u", wt->major, wt->minor);
		queue_push(&deps, pool_rel2id(pool, pool_str2id(pool, "python(abi)", 1),
					      pool_str2id(pool, name.buf, 1), REL_EQ, 1));
	}
	if (c->glibc) {
		strbuf_reset(&name);
		strbuf_addf(&name, "2.%u", c->glibc);
		queue_push(&deps, pool_rel2id(pool, pool_str2id(pool, wt->deb ? "libc6" : "glibc", 1),
					      pool_str2id(pool, name.buf, 1), REL_GT | REL_EQ, 1));
	}
	for (size_t i = 0; i < pm.nreqs; i++) {
		struct pymarker_env env = w->mt.env;

		env.extra = "";
		if (pm.reqs[i].marker) {
			int t = pymarker_eval(pm.reqs[i].marker, &env, msg, sizeof(msg));

			if (t < 0) {
				mirror_note(w->ml, "skipped %s: Requires-Dist \"%s\": %s", c->rel,
					    pm.meta.requires_dist[i], msg);
				rc = 1;
				goto out;
			}
			if (t == 0)
				continue;
		}
		if (req_deps(w, &pm.reqs[i], &deps, msg, sizeof(msg)) < 0) {
			if (w->ml->err->code == GAPIMG_E_NOMEM) {
				rc = -1;
				goto out;
			}
			mirror_note(w->ml, "skipped %s: Requires-Dist \"%s\": %s", c->rel,
				    pm.meta.requires_dist[i], msg);
			rc = 1;
			goto out;
		}
	}

	if ((vstr = pep440_str(&c->ver)) == NULL || (evr = pep440_evr(&c->ver, wt->deb)) == NULL) {
		rc = gapimg_error_nomem(w->ml->err);
		goto out;
	}
	strbuf_reset(&name);
	strbuf_addf(&name, "python3dist(%s)", c->wn.name);
	p = add_solvable(w, name.buf, evr);
	s = pool_id2solvable(pool, p);
	/* at most one version of a distribution, whoever provides it */
	s->conflicts = repo_addid_dep(repo, s->conflicts, s->name, 0);
	strbuf_reset(&name);
	strbuf_addf(&name, "python%u.%udist(%s)", wt->major, wt->minor, c->wn.name);
	s->provides = repo_addid_dep(repo, s->provides,
				     pool_rel2id(pool, pool_str2id(pool, name.buf, 1), s->evr,
						 REL_EQ, 1), 0);
	for (int i = 0; i < deps.count; i++)
		s->requires = repo_addid_dep(repo, s->requires, deps.elements[i], 0);
	repodata_set_location(w->data, p, 0, NULL, c->rel);
	if (c->sha256)
		repodata_set_checksum(w->data, p, SOLVABLE_CHECKSUM, REPOKEY_TYPE_SHA256, hex);
	repodata_set_num(w->data, p, SOLVABLE_DOWNLOADSIZE, (unsigned long long)st.st_size);
	repodata_set_str(w->data, p, w->kver, vstr);
	repodata_set_str(w->data, p, w->kname, c->wn.name);

	/* One solvable per extra: the project at exactly this version, plus
	 * what the extra adds.  Adding solvables may move the pool's array:
	 * s is not used past this point. */
	self = s->name;
	selfevr = s->evr;
	s = NULL;
	for (size_t e = 0; e < pm.meta.nprovides_extra; e++) {
		const char *ex = pm.meta.provides_extra[e];
		char *exn = pep503_name(ex, strlen(ex));
		Id q;
		Solvable *xs;

		if (exn == NULL) {
			rc = gapimg_error_nomem(w->ml->err);
			goto out;
		}
		strbuf_reset(&name);
		strbuf_addf(&name, "python3dist(%s[%s])", c->wn.name, exn);
		q = add_solvable(w, name.buf, evr);
		xs = pool_id2solvable(pool, q);
		xs->requires = repo_addid_dep(repo, xs->requires,
					      pool_rel2id(pool, self, selfevr, REL_EQ, 1), 0);
		for (size_t i = 0; i < pm.nreqs; i++) {
			struct pymarker_env env = w->mt.env;
			int with, without;

			if (!pm.reqs[i].marker)
				continue;
			env.extra = exn;
			with = pymarker_eval(pm.reqs[i].marker, &env, msg, sizeof(msg));
			env.extra = "";
			without = pymarker_eval(pm.reqs[i].marker, &env, msg, sizeof(msg));
			if (with != 1 || without != 0)
				continue;
			queue_empty(&deps);
			if (req_deps(w, &pm.reqs[i], &deps, msg, sizeof(msg)) < 0) {
				free(exn);
				rc = w->ml->err->code == GAPIMG_E_NOMEM ? -1 : 0;
				if (rc == 0)
					mirror_note(w->ml, "%s: extra %s: Requires-Dist \"%s\" "
						    "ignored: %s", c->rel, ex,
						    pm.meta.requires_dist[i], msg);
				if (rc < 0)
					goto out;
				continue;
			}
			for (int k = 0; k < deps.count; k++)
				xs->requires = repo_addid_dep(repo, xs->requires, deps.elements[k], 0);
		}
		repodata_set_str(w->data, q, w->kver, vstr);
		repodata_set_str(w->data, q, w->kname, c->wn.name);
		repodata_set_str(w->data, q, w->kextra, exn);
		free(exn);
	}
	rc = 0;
out:
	queue_free(&deps);
	parsed_release(&pm);
	strbuf_release(&text);
	strbuf_release(&name);
	free(path);
	free(vstr);
	free(evr);
	return rc;
}

/* Is c a file the lock being replayed names? */
static int is_locked(const struct wl *w, const struct cand *c)
{
	const struct gapimg_resolution *lock = w->ml->lock;

	for (size_t i = 0; lock && i < lock->npackages; i++) {
		const struct gapimg_package *p = &lock->packages[i];

		if (p->wheel && strcmp(p->mirror, w->ml->pm->id) == 0 &&
		    strcmp(p->location, c->rel) == 0)
			return 1;
	}
	return 0;
}

static int choose_and_add(struct wl *w)
{
	size_t i = 0;

	if (w->n > 1)
		qsort(w->c, w->n, sizeof(*w->c), cmp_cand);
	while (i < w->n) {
		size_t end = i;
		int any_final = 0, pre_ok, yank_ok;
		const char *name = w->c[i].wn.name;
		const struct cand *added = NULL;   /* of the current version */

		while (end < w->n && strcmp(w->c[end].wn.name, name) == 0) {
			any_final |= !pep440_is_prerelease(&w->c[end].ver) && !w->c[end].yanked;
			end++;
		}
		/* pip's rule: pre-releases only when asked for, or when there
		 * is nothing else */
		pre_ok = !any_final || recipe_asks(w->ml->plan, name, 0);
		yank_ok = recipe_asks(w->ml->plan, name, 1);
		for (size_t k = i; k < end; k++) {
			struct cand *c = &w->c[k];
			int rc, first_of_version = k == i ||
				pep440_cmp(&c->ver, &w->c[k - 1].ver) != 0;
			int locked = is_locked(w, c);

			/* the index's hash, or for a flat folder the size */
			if (c->sha256)
				strbuf_addf(&w->listing, "%s %s\n", c->rel, c->sha256);
			else
				strbuf_addf(&w->listing, "%s size=%llu\n", c->rel, (unsigned long long)file_size(w, c));
			if (first_of_version)
				added = NULL;
			/* A locked file is always a candidate: a lock stays
			 * buildable when the mirror gains a better file of
			 * the version, yanks it, or gets a final release. */
			if (!locked) {
				/* one file per version: the best that is usable */
				if (added)
					continue;
				if (pep440_is_prerelease(&c->ver) && !pre_ok) {
					if (first_of_version)
						skip(w, name, "%s %s is a pre-release (a specifier "
						     "that names a pre-release allows them)", name,
						     c->wn.version);
					continue;
				}
				if (c->yanked && !yank_ok) {
					skip(w, name, "%s is yanked%s%s (pin %s with == to use it "
					     "anyway)", c->file,
					     c->yanked_reason && *c->yanked_reason ? ": " : "",
					     c->yanked_reason ? c->yanked_reason : "", name);
					continue;
				}
			}
			rc = add_wheel(w, c);
			if (rc < 0)
				return -1;
			if (rc == 0)
				added = c;
		}
		i = end;
	}
	return 0;
}

int mirror_load_wheels(struct mirror_load *ml)
{
	struct wl w = { .ml = ml, .pool = ml->pool, .listing = STRBUF_INIT };
	static const char *const tops[] = { "index.html", "simple/index.html" };
	const char *top = NULL;
	uint8_t sum[GAPIMG_SHA256_LEN];
	struct stat st;
	int rc = -1;

	for (size_t i = 0; i < 2 && top == NULL; i++) {
		char *index = mirror_join(ml, tops[i]);

		if (index == NULL)
			return -1;
		if (stat(index, &st) == 0)
			top = tops[i];
		free(index);
	}
	pymarker_target_init(&w.mt, ml->wt->python, ml->wt->machine);
	if (pep440_parse(w.mt.env.python_full_version, strlen(w.mt.env.python_full_version),
			 &w.pyver) < 0)
		return gapimg_error_set(ml->err, GAPIMG_E_INVALID, "python %s is not a version",
					ml->wt->python);
	w.kver = pool_str2id(w.pool, MIRROR_KEY_WHEEL_VERSION, 1);
	w.kname = pool_str2id(w.pool, MIRROR_KEY_WHEEL_NAME, 1);
	w.kextra = pool_str2id(w.pool, MIRROR_KEY_WHEEL_EXTRA, 1);
	w.data = repo_add_repodata(ml->repo, 0);
	if ((top ? collect_simple(&w, top) : collect_flat(&w)) < 0 || choose_and_add(&w) < 0)
		goto out;
	repo_internalize(ml->repo);
	gapimg_sha256(w.listing.buf, w.listing.len, sum);
	gapimg_hex(sum, sizeof(sum), ml->info->metadata_sha256);
	if (w.other_platform)
		mirror_note(ml, "%zu wheel%s for other interpreters or platforms left out",
			    w.other_platform, w.other_platform == 1 ? "" : "s");
	if (w.outside)
		mirror_note(ml, "skipped %zu link%s that point%s outside the mirror folder "
			    "(the first: %s); a wheels mirror is the folder that holds the "
			    "index and the wheel files it links to", w.outside,
			    w.outside == 1 ? "" : "s", w.outside == 1 ? "s" : "",
			    w.outside_first ? w.outside_first : "?");
	if (w.not_wheels)
		mirror_note(ml, "%zu link%s to source distributions or other files ignored "
			    "(gapimg installs wheels only)", w.not_wheels,
			    w.not_wheels == 1 ? "" : "s");
	rc = 0;
out:
	for (size_t i = 0; i < w.n; i++)
		cand_release(&w.c[i]);
	free(w.c);
	free(w.outside_first);
	strbuf_release(&w.listing);
	pep440_release(&w.pyver);
	return rc;
}
