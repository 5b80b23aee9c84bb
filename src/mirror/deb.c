/*
 * Debian mirrors: dists/SUITE/Release with Release.gpg (or a clearsigned
 * InRelease), then main/binary-ARCH/Packages{.xz,.gz,} for each
 * component, each checked against the SHA256 list in Release before it is
 * parsed (by-hash paths first when Release offers them).  The Release must
 * name the suite asked for (Suite: or Codename:), list the image's
 * architecture, and be valid at the build's epoch (Valid-Until).
 *
 * libsolv does not keep Essential: and Priority:, which the Debian base
 * set needs, nor Size:, which the lock records, so a second pass over each
 * Packages file stores them (cached with the rest).
 */
#include "mirror/mirror.h"
#include "python/pep440.h"
#include "python/wheelname.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <solv/knownid.h>
#include <solv/repo_deb.h>
#include <solv/repodata.h>

#include "gapimg/sha256.h"

struct release {
	char *suite, *codename, *date, *valid_until, *architectures, *components;
	int by_hash;
	int has_weak_only;        /* MD5Sum/SHA1 but no SHA256 */
	struct rel_file { char *path; uint64_t size; unsigned char sum[32]; } *files;
	size_t nfiles;
};

static void release_free(struct release *r)
{
	free(r->suite);
	free(r->codename);
	free(r->date);
	free(r->valid_until);
	free(r->architectures);
	free(r->components);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
}

static char *trimdup(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return strndup(s, n);
}

/* " <sha256> <size> <path>" */
static int parse_sum_line(struct release *r, const char *l, size_t n)
{
	char hex[65], path[1024];
	unsigned long long size;
	struct rel_file *v;
	char *line = strndup(l, n);
	int ok = line && sscanf(line, " %64s %llu %1023s", hex, &size, path) == 3 &&
		 strlen(hex) == 64;

	free(line);
	if (!ok)
		return -1;
	v = realloc(r->files, (r->nfiles + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	r->files = v;
	v = &r->files[r->nfiles];
	for (int i = 0; i < 32; i++) {
		int hi = gapimg_hexval(hex[2 * i]), lo = gapimg_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		v->sum[i] = (unsigned char)(hi << 4 | lo);
	}
	v->size = size;
	v->path = strdup(path);
	r->nfiles++;
	return 0;
}

static int parse_release(struct mirror_load *ml, const char *text, size_t len,
			 const char *what, struct release *r)
{
	const char *p = text, *end = text + len;
	int in_sha256 = 0, have_sha256 = 0, have_weak = 0, lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *colon;

		lineno++;
		if (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
			if (in_sha256 && parse_sum_line(r, p, n) < 0)
				return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
							"mirror %s: %s:%d: a SHA256 line is not "
							"\"HASH SIZE PATH\"", ml->pm->id, what, lineno);
		} else if (n > 0) {
			char **slot = NULL;

			colon = memchr(p, ':', n);
			if (colon == NULL)
				return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
							"mirror %s: %s:%d: not a \"Field: value\" line",
							ml->pm->id, what, lineno);
			in_sha256 = 0;
#define FIELD(name) ((size_t)(colon - p) == strlen(name) && strncasecmp(p, name, strlen(name)) == 0)
			if (FIELD("SHA256")) {
				in_sha256 = have_sha256 = 1;
			} else if (FIELD("MD5Sum") || FIELD("SHA1")) {
				have_weak = 1;
			} else if (FIELD("Suite")) {
				slot = &r->suite;
			} else if (FIELD("Codename")) {
				slot = &r->codename;
			} else if (FIELD("Date")) {
				slot = &r->date;
			} else if (FIELD("Valid-Until")) {
				slot = &r->valid_until;
			} else if (FIELD("Architectures")) {
				slot = &r->architectures;
			} else if (FIELD("Components")) {
				slot = &r->components;
			} else if (FIELD("Acquire-By-Hash")) {
				char *v = trimdup(colon + 1, n - (size_t)(colon - p) - 1);

				r->by_hash = v && strcasecmp(v, "yes") == 0;
				free(v);
			}
#undef FIELD
			if (slot) {
				free(*slot);
				*slot = trimdup(colon + 1, n - (size_t)(colon - p) - 1);
			}
		}
		p = nl ? nl + 1 : end;
	}
	r->has_weak_only = have_weak && !have_sha256;
	return 0;
}

static int word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p = strchr(p, ' ');
	}
	return 0;
}

static const struct rel_file *release_find(const struct release *r, const char *path)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].path, path) == 0)
			return &r->files[i];
	return NULL;
}

/* Read the Release and check its signature; content gets the Release
 * text, what the name of the file it came from. */
static int read_release(struct mirror_load *ml, const char *dist, struct strbuf *content,
			struct strbuf *digest_src, char *what, size_t whatsz)
{
	struct strbuf rel = STRBUF_INIT, gpg = STRBUF_INIT, inrel = STRBUF_INIT, path = STRBUF_INIT;
	int have_rel, have_gpg, have_in, rc = -1;

	strbuf_addf(&path, "%s/Release", dist);
	have_rel = mirror_read(ml, path.buf, &rel, 1) == 0;
	if (!have_rel && ml->err->code != GAPIMG_E_NOTFOUND)
		goto out;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/Release.gpg", dist);
	have_gpg = mirror_read(ml, path.buf, &gpg, 1) == 0;
	if (!have_gpg && ml->err->code != GAPIMG_E_NOTFOUND)
		goto out;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/InRelease", dist);
	have_in = mirror_read(ml, path.buf, &inrel, 1) == 0;
	if (!have_in && ml->err->code != GAPIMG_E_NOTFOUND)
		goto out;
	gapimg_error_clear(ml->err);

	if (have_rel && (have_gpg || !ml->pm->signatures || !have_in)) {
		snprintf(what, whatsz, "%s/Release", dist);
		if (ml->pm->signatures) {
			if (!have_gpg) {
				gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
						 "mirror %s: %s/Release.gpg does not exist (and "
						 "there is no InRelease), but the recipe requires "
						 "signed metadata; sign the Release or set "
						 "signatures=off on the mirror", ml->pm->id, dist);
				goto out;
			}
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/Release.gpg", dist);
			if (mirror_verify_detached(ml, what, rel.buf, rel.len, gpg.buf, gpg.len,
						   path.buf) < 0)
				goto out;
		}
		strbuf_add(content, rel.buf, rel.len);
		strbuf_add(digest_src, rel.buf, rel.len);
	} else if (have_in) {
		snprintf(what, whatsz, "%s/InRelease", dist);
		if (mirror_verify_clearsigned(ml, what, inrel.buf, inrel.len, content,
					      ml->pm->signatures) < 0)
			goto out;
		strbuf_add(digest_src, inrel.buf, inrel.len);
	} else {
		gapimg_error_set(ml->err, GAPIMG_E_NOTFOUND,
				 "mirror %s: %s/%s has neither Release nor InRelease: not a "
				 "Debian archive for suite %s (check the mirror folder and "
				 "suite=)", ml->pm->id, ml->info->root, dist, ml->pm->suite);
		goto out;
	}
	rc = 0;
out:
	strbuf_release(&rel);
	strbuf_release(&gpg);
	strbuf_release(&inrel);
	strbuf_release(&path);
	return rc;
}

static int check_release(struct mirror_load *ml, const struct release *r, const char *what)
{
	const char *arch = gapimg_arch_deb_name(ml->plan->arch);

	if (!r->suite && !r->codename)
		return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					"mirror %s: %s has neither Suite: nor Codename:, so "
					"nothing shows it belongs to suite %s; refused (a Release "
					"from another suite could roll the mirror back)",
					ml->pm->id, what, ml->pm->suite);
	if (!r->architectures)
		return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					"mirror %s: %s has no Architectures: field; refused",
					ml->pm->id, what);
	if (!(r->suite && strcmp(r->suite, ml->pm->suite) == 0) &&
	    !(r->codename && strcmp(r->codename, ml->pm->suite) == 0))
		return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					"mirror %s: %s is for suite %s (codename %s), not %s; "
					"a Release from another suite is refused (it could roll "
					"the mirror back)", ml->pm->id, what,
					r->suite ? r->suite : "-", r->codename ? r->codename : "-",
					ml->pm->suite);
	if (!word_in(r->architectures, arch))
		return gapimg_error_set(ml->err, GAPIMG_E_NOTFOUND,
					"mirror %s: %s has no %s packages (Architectures: %s)",
					ml->pm->id, what, arch, r->architectures);
	if (r->has_weak_only)
		return gapimg_error_set(ml->err, GAPIMG_E_UNSUPPORTED,
					"mirror %s: %s has MD5Sum/SHA1 lists but no SHA256 list; "
					"gapimg trusts sha256 only (regenerate it with a current "
					"apt-ftparchive)", ml->pm->id, what);
	if (r->date)
		free(ml->info->date), ml->info->date = strdup(r->date);
	if (r->valid_until) {
		int64_t until = mirror_parse_date(r->valid_until);

		free(ml->info->valid_until);
		ml->info->valid_until = strdup(r->valid_until);
		if (until < 0)
			return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
						"mirror %s: %s: cannot read the Valid-Until date "
						"\"%s\"", ml->pm->id, what, r->valid_until);
		if (until < (int64_t)ml->opts->epoch) {
			if (!ml->opts->allow_expired)
				return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
							"mirror %s: %s expired: Valid-Until %s is "
							"before the build's epoch %u; refresh the mirror, "
							"or accept the old metadata with --allow-expired",
							ml->pm->id, what, r->valid_until, ml->opts->epoch);
			mirror_note(ml, "%s expired (Valid-Until %s) before the build's "
				    "epoch %u; accepted: --allow-expired", what,
				    r->valid_until, ml->opts->epoch);
		}
	}
	return 0;
}

/* Essential:, Priority: and Size: per stanza, onto the solvables just added
 * (repo_add_debpackages adds one per stanza with a Package: field, in
 * file order). */
static int mark_base_fields(struct mirror_load *ml, FILE *fp, Id first, const char *what)
{
	Pool *pool = ml->pool;
	Repodata *data = repo_last_repodata(ml->repo);
	Id kess = pool_str2id(pool, MIRROR_KEY_ESSENTIAL, 1);
	Id kprio = pool_str2id(pool, MIRROR_KEY_PRIORITY, 1);
	char *line = NULL, *name = NULL, *prio = NULL;
	unsigned long long size = 0;
	size_t cap = 0;
	ssize_t n;
	int essential = 0, rc = 0;
	Id p = first;

	for (;;) {
		n = getline(&line, &cap, fp);
		if (n <= 0 || line[0] == '\n' || (n == 2 && line[0] == '\r')) {
			if (name) {
				Solvable *s;

				while (p < ml->repo->end && pool->solvables[p].repo != ml->repo)
					p++;
				s = p < ml->repo->end ? pool_id2solvable(pool, p) : NULL;
				if (s == NULL || strcmp(pool_id2str(pool, s->name), name) != 0) {
					rc = gapimg_error_set(ml->err, GAPIMG_E_INTERNAL,
							      "mirror %s: %s: lost track of stanzas "
							      "at package %s", ml->pm->id, what, name);
					break;
				}
				if (essential)
					repodata_set_poolstr(data, p, kess, "yes");
				if (prio)
					repodata_set_poolstr(data, p, kprio, prio);
				if (size)
					repodata_set_num(data, p, SOLVABLE_DOWNLOADSIZE, size);
				p++;
			}
			free(name);
			free(prio);
			name = prio = NULL;
			essential = 0;
			size = 0;
			if (n <= 0)
				break;
			continue;
		}
		if (strncasecmp(line, "Package:", 8) == 0)
			free(name), name = trimdup(line + 8, strcspn(line + 8, "\n"));
		else if (strncasecmp(line, "Size:", 5) == 0)
			size = strtoull(line + 5, NULL, 10);
		else if (strncasecmp(line, "Priority:", 9) == 0)
			free(prio), prio = trimdup(line + 9, strcspn(line + 9, "\n"));
		else if (strncasecmp(line, "Essential:", 10) == 0) {
			char *v = trimdup(line + 10, strcspn(line + 10, "\n"));

			essential = v && strcasecmp(v, "yes") == 0;
			free(v);
		}
	}
	free(name);
	free(prio);
	free(line);
	return rc;
}

/* The decompressed bytes of a verified index. */
static int inflate(struct mirror_load *ml, const char *name, const struct strbuf *data,
		   struct strbuf *text)
{
	char buf[65536];
	FILE *fp = mirror_open_verified(ml, name, data);
	size_t n;

	if (fp == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (strbuf_add(text, buf, n) < 0 || text->len > 4 * MIRROR_FILE_MAX) {
			fclose(fp);
			return gapimg_error_set(ml->err, GAPIMG_E_UNSUPPORTED,
						"mirror %s: %s is too large once decompressed",
						ml->pm->id, name);
		}
	}
	if (ferror(fp)) {
		fclose(fp);
		return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					"mirror %s: %s cannot be decompressed (damaged)",
					ml->pm->id, name);
	}
	fclose(fp);
	return 0;
}

static int load_contents(struct mirror_load *ml, const char *dist, const char *comp,
			 const struct release *r, const char *relwhat, Id first);

static int load_packages(struct mirror_load *ml, const char *dist, const char *comp,
			 const struct release *r, const char *relwhat)
{
	/* the cheapest to read first: all are checked the same way */
	static const char *const suffixes[] = { "", ".gz", ".xz" };
	const char *arch = gapimg_arch_deb_name(ml->plan->arch);
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT, data = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT;
	const struct rel_file *f = NULL;
	int listed = 0, rc = -1;
	Id first;
	FILE *fp;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		char hex[65];

		strbuf_reset(&rel);
		strbuf_addf(&rel, "%s/binary-%s/Packages%s", comp, arch, suffixes[i]);
		f = release_find(r, rel.buf);
		if (f == NULL)
			continue;
		listed++;
		if (r->by_hash) {
			solv_bin2hex(f->sum, 32, hex);
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s/binary-%s/by-hash/SHA256/%s", dist, comp, arch, hex);
			if (mirror_read(ml, path.buf, &data, 1) == 0)
				break;
			if (ml->err->code != GAPIMG_E_NOTFOUND)
				goto out;
		}
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dist, rel.buf);
		if (mirror_read(ml, path.buf, &data, 1) == 0)
			break;
		if (ml->err->code != GAPIMG_E_NOTFOUND)
			goto out;
		f = NULL;
	}
	gapimg_error_clear(ml->err);
	if (f == NULL) {
		if (listed)
			gapimg_error_set(ml->err, GAPIMG_E_NOTFOUND,
					 "mirror %s: %s lists %s/binary-%s/Packages, but no "
					 "such file exists in %s/%s (the mirror is incomplete; "
					 "re-sync it)", ml->pm->id, relwhat, comp, arch,
					 ml->info->root, dist);
		else
			gapimg_error_set(ml->err, GAPIMG_E_NOTFOUND,
					 "mirror %s: %s lists no %s/binary-%s/Packages file: "
					 "the suite has no component %s for %s (Components: %s)",
					 ml->pm->id, relwhat, comp, arch, comp, arch,
					 r->components ? r->components : "-");
		goto out;
	}
	if (data.len != f->size) {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s is %zu bytes, %s says %llu; the mirror is "
				 "damaged, half-synced or tampered with (re-sync it)",
				 ml->pm->id, path.buf, data.len, relwhat,
				 (unsigned long long)f->size);
		goto out;
	}
	if (mirror_verify_sum(ml, path.buf, data.buf, data.len, REPOKEY_TYPE_SHA256, f->sum,
			      relwhat) < 0)
		goto out;
	/* decompress once (the suffix of the listed name decides how; a
	 * by-hash file has none), then parse the text twice */
	if (f->path[strlen(f->path) - 1] == 's') {
		/* plain "Packages": the verified bytes are the text */
		text = data;
		strbuf_init(&data);
	} else if (inflate(ml, rel.buf, &data, &text) < 0) {
		goto out;
	}
	strbuf_release(&data);
	fp = fmemopen(text.buf, text.len ? text.len : 1, "r");
	if (fp == NULL) {
		gapimg_error_errno(ml->err, errno, "fmemopen");
		goto out;
	}
	if (text.len == 0)
		fgetc(fp);
	first = ml->repo->end;
	if (repo_add_debpackages(ml->repo, fp, REPO_NO_INTERNALIZE | REPO_REUSE_REPODATA) != 0) {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: %s is not a valid Packages file: %s",
				 ml->pm->id, path.buf, pool_errstr(ml->pool));
		fclose(fp);
		goto out;
	}
	rewind(fp);
	rc = mark_base_fields(ml, fp, first, path.buf);
	fclose(fp);
	if (rc == 0 && ml->plan->nrequirements > 0)
		rc = load_contents(ml, dist, comp, r, relwhat, first);
out:
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&data);
	strbuf_release(&text);
	return rc;
}

/* "usr/lib/python3/dist-packages/NAME-VERSION.dist-info/METADATA" (or
 * .egg-info, file or folder, with an optional "-py3.N" tag): the Python
 * distribution a Debian package ships.  Returns 1 with name and version
 * (malloc'd) when path is one. */
static int python_dist_of(const char *path, size_t len, char **name, char **version)
{
	static const char prefix[] = "usr/lib/python3/dist-packages/";
	const char *p = path + sizeof(prefix) - 1, *end, *dash, *ver_end;
	size_t n;

	if (len <= sizeof(prefix) - 1 || strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	end = memchr(p, '/', (size_t)(path + len - p));
	n = end ? (size_t)(end - p) : (size_t)(path + len - p);
	if (n > 10 && memcmp(p + n - 10, ".dist-info", 10) == 0) {
		if (!end || (size_t)(path + len - end) != 9 || memcmp(end, "/METADATA", 9) != 0)
			return 0;
		ver_end = p + n - 10;
	} else if (n > 9 && memcmp(p + n - 9, ".egg-info", 9) == 0) {
		if (end && ((size_t)(path + len - end) != 8 || memcmp(end, "/PKG-INFO", 8) != 0))
			return 0;
		ver_end = p + n - 9;
		/* "foo-1.0-py3.11.egg-info" */
		for (const char *q = ver_end; q > p + 4; q--)
			if (q[-1] == '-' && q + 3 <= ver_end && memcmp(q, "py3", 3) == 0) {
				ver_end = q - 1;
				break;
			}
	} else {
		return 0;
	}
	dash = memchr(p, '-', (size_t)(ver_end - p));
	if (dash == NULL || dash == p || dash + 1 >= ver_end)
		return 0;
	*name = strndup(p, (size_t)(dash - p));
	*version = strndup(dash + 1, (size_t)(ver_end - dash - 1));
	return *name && *version ? 1 : -1;
}

/* The repo's solvables from first on, sorted by name, to find a
 * package by name quickly (a Contents file names thousands). */
struct by_name {
	Pool *pool;
	Id *v;
	size_t n;
};

static int cmp_by_name(const void *a, const void *b, void *pool)
{
	Id x = pool_id2solvable(pool, *(const Id *)a)->name;
	Id y = pool_id2solvable(pool, *(const Id *)b)->name;

	return x < y ? -1 : x > y ? 1 : *(const Id *)a - *(const Id *)b;
}

/* "python/python3-numpy,python/python3-numpy-dbg": give each package
 * named there the capability. */
static void provide_for(struct mirror_load *ml, const struct by_name *bn, char *locs,
			Id capid, Id evrid)
{
	for (char *save = NULL, *pkgname = strtok_r(locs, ",", &save); pkgname;
	     pkgname = strtok_r(NULL, ",", &save)) {
		const char *base = strrchr(pkgname, '/');
		Id pn = pool_str2id(ml->pool, base ? base + 1 : pkgname, 0);
		size_t lo = 0, hi = bn->n;

		if (!pn)
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (pool_id2solvable(ml->pool, bn->v[mid])->name < pn)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < bn->n; lo++) {
			Solvable *s = pool_id2solvable(ml->pool, bn->v[lo]);

			if (s->name != pn)
				break;
			s->provides = repo_addid_dep(ml->repo, s->provides,
				pool_rel2id(ml->pool, capid, evrid, REL_EQ, 1), 0);
		}
	}
}

/* Read one verified Contents file; 1 when the Release lists none under
 * this name, 0 when read, -1 on error. */
static int read_contents(struct mirror_load *ml, const char *dist, const char *comp,
			 const char *arch, const struct release *r, const char *relwhat,
			 const struct by_name *bn)
{
	static const char *const suffixes[] = { ".gz", ".xz", "" };
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT, data = STRBUF_INIT;
	const struct rel_file *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp = NULL;
	int rc = -1, found = 0;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes) && !found; i++) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, "%s/Contents-%s%s", comp, arch, suffixes[i]);
		if ((f = release_find(r, rel.buf)) == NULL)
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dist, rel.buf);
		if (mirror_read(ml, path.buf, &data, 1) == 0)
			found = 1;
		else if (ml->err->code != GAPIMG_E_NOTFOUND)
			goto out;
	}
	gapimg_error_clear(ml->err);
	if (!found) {
		rc = 1;
		goto out;
	}
	if (data.len != f->size) {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT, "mirror %s: %s is %zu bytes, %s "
				 "says %llu; the mirror is damaged, half-synced or tampered "
				 "with (re-sync it)", ml->pm->id, path.buf, data.len, relwhat,
				 (unsigned long long)f->size);
		goto out;
	}
	if (mirror_verify_sum(ml, path.buf, data.buf, data.len, REPOKEY_TYPE_SHA256, f->sum,
			      relwhat) < 0)
		goto out;
	if ((fp = mirror_open_verified(ml, rel.buf, &data)) == NULL)
		goto out;
	strbuf_release(&data);
	while ((n = getline(&line, &cap, fp)) > 0) {
		char *name = NULL, *version = NULL, *locs;
		size_t end = (size_t)n;
		struct pep440 v;
		int k;

		/* "FILE   LOCATIONS": the locations are the last column (a
		 * file name may hold spaces) */
		while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == ' ' ||
				   line[end - 1] == '\t'))
			end--;
		line[end] = '\0';
		locs = line + end;
		while (locs > line && locs[-1] != ' ' && locs[-1] != '\t')
			locs--;
		if (locs == line)
			continue;
		{
			size_t plen = (size_t)(locs - line);

			while (plen > 0 && (line[plen - 1] == ' ' || line[plen - 1] == '\t'))
				plen--;
			k = python_dist_of(line, plen, &name, &version);
		}
		if (k < 0) {
			free(name), free(version);
			gapimg_error_nomem(ml->err);
			goto out;
		}
		if (k == 0)
			continue;
		if (pep440_parse(version, strlen(version), &v) == 0) {
			char *pep503 = pep503_name(name, strlen(name));
			char *evr = pep440_evr(&v, 1);
			struct strbuf cap_name = STRBUF_INIT;

			strbuf_addf(&cap_name, "python3dist(%s)", pep503 ? pep503 : name);
			provide_for(ml, bn, locs, pool_str2id(ml->pool, cap_name.buf, 1),
				    pool_str2id(ml->pool, evr ? evr : "0", 1));
			strbuf_release(&cap_name);
			free(pep503);
			free(evr);
			pep440_release(&v);
		}
		free(name);
		free(version);
	}
	rc = 0;
out:
	if (fp)
		fclose(fp);
	free(line);
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&data);
	return rc;
}

/* Debian packages declare no python3dist() capabilities, but the suite's
 * Contents files say which Python distribution each package ships
 * (Contents-ARCH, and Contents-all, where dak puts Architecture: all
 * packages since bullseye).  Each becomes "python3dist(NAME) = VERSION"
 * (PEP 440, encoded as wheels are), so that the OS package can satisfy a
 * wheel's requirement, and a wheel of the same distribution conflicts
 * with it.  Read only when the recipe has pip lines: Contents files are
 * large. */
static int load_contents(struct mirror_load *ml, const char *dist, const char *comp,
			 const struct release *r, const char *relwhat, Id first)
{
	const char *arch = gapimg_arch_deb_name(ml->plan->arch);
	struct by_name bn = { .pool = ml->pool };
	int a, b, rc = -1;

	bn.v = calloc((size_t)(ml->repo->end - first) + 1, sizeof(*bn.v));
	if (bn.v == NULL)
		return gapimg_error_nomem(ml->err);
	for (Id p = first; p < ml->repo->end; p++)
		if (pool_id2solvable(ml->pool, p)->repo == ml->repo)
			bn.v[bn.n++] = p;
	solv_sort(bn.v, bn.n, sizeof(*bn.v), cmp_by_name, ml->pool);
	if ((a = read_contents(ml, dist, comp, arch, r, relwhat, &bn)) < 0 ||
	    (b = read_contents(ml, dist, comp, "all", r, relwhat, &bn)) < 0)
		goto out;
	if (a == 1 && b == 1)
		mirror_note(ml, "%s has no %s/Contents-%s or Contents-all: its Python "
			    "packages cannot satisfy pip requirements", relwhat, comp, arch);
	rc = 0;
out:
	free(bn.v);
	return rc;
}

int mirror_load_deb(struct mirror_load *ml)
{
	struct strbuf content = STRBUF_INIT, digest_src = STRBUF_INIT, dist = STRBUF_INIT;
	struct release r = { 0 };
	struct mirror_cache_key key;
	struct mirror_load scratch = { 0 };
	uint8_t sum[GAPIMG_SHA256_LEN];
	char what[600];
	int rc = -1;

	strbuf_addf(&dist, "dists/%s", ml->pm->suite);
	if (read_release(ml, dist.buf, &content, &digest_src, what, sizeof(what)) < 0)
		goto out;
	gapimg_sha256(digest_src.buf, digest_src.len, sum);
	gapimg_hex(sum, sizeof(sum), ml->info->metadata_sha256);
	if (parse_release(ml, content.buf, content.len, what, &r) < 0 ||
	    check_release(ml, &r, what) < 0)
		goto out;

	/* Contents are read only for recipes with pip lines: such a recipe
	 * gets a cache entry of its own */
	if (ml->plan->nrequirements > 0)
		strbuf_addstr(&content, "\ngapimg: python3dist from Contents\n");
	mirror_cache_key_init(&key, ml, content.buf, content.len);
	if (mirror_cache_load(ml, &key)) {
		ml->info->from_cache = 1;
		rc = 0;
		goto out;
	}
	if (mirror_scratch_begin(ml, &scratch) < 0)
		goto out;
	repo_add_repodata(scratch.repo, 0);
	for (size_t i = 0; i < ml->pm->ncomponents; i++)
		if (load_packages(&scratch, dist.buf, ml->pm->components[i], &r, what) < 0)
			goto out;
	if (mirror_scratch_adopt(ml, &scratch, &key, 0) < 0)
		goto out;
	rc = 0;
out:
	mirror_scratch_abort(&scratch);
	release_free(&r);
	strbuf_release(&content);
	strbuf_release(&digest_src);
	strbuf_release(&dist);
	return rc;
}
