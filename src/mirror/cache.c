/*
 * The metadata cache: one .solv file per mirror folder, so that a warm
 * resolve skips decompressing and parsing XML or Packages files.
 *
 * An entry is used only when its cookie equals the key of the metadata
 * just verified (cache format, libsolv version, arch, mirror type and
 * suite, and the signed root file, which pins the checksum of everything
 * else), and when the SHA-256 stored after the .solv bytes matches them.
 * Anything else (a stale entry, a truncated or flipped file, a libsolv
 * that refuses it) is ignored and rebuilt.
 *
 * Metadata is always parsed in a scratch pool and reaches the build's pool
 * as .solv bytes, cached or not: libsolv breaks some ties (install order)
 * by string ids, and those follow the order strings were first seen, which
 * differs between parsing XML and reading a .solv file.  Going through the
 * same bytes either way makes a warm resolve identical to a cold one.
 */
#include "mirror/mirror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <solv/knownid.h>
#include <solv/repo_solv.h>
#include <solv/repodata.h>
#include <solv/repo_write.h>
#include <solv/solvversion.h>

#include "gapimg/sha256.h"

static const char trailer_magic[8] = { 'G', 'A', 'P', 'I', 'M', 'G', 'C', '1' };
#define TRAILER_LEN (GAPIMG_SHA256_LEN + sizeof(trailer_magic))

char *gapimg_default_cache_dir(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char *out = NULL;

	if (x && x[0] == '/') {
		if (asprintf(&out, "%s/gapimg", x) < 0)
			return NULL;
	} else if (home && home[0] == '/') {
		if (asprintf(&out, "%s/.cache/gapimg", home) < 0)
			return NULL;
	}
	return out;
}

static void add_field(struct gapimg_sha256 *h, const char *s)
{
	gapimg_sha256_update(h, s, strlen(s) + 1);
}

void mirror_cache_key_init(struct mirror_cache_key *key, struct mirror_load *ml,
			   const void *root_bytes, size_t root_len)
{
	struct gapimg_sha256 *h = gapimg_sha256_new();
	char fmt[32];

	snprintf(fmt, sizeof(fmt), "gapimg-solv-cache %d", MIRROR_CACHE_FORMAT);
	add_field(h, fmt);
	add_field(h, solv_version);
	add_field(h, gapimg_arch_name(ml->plan->arch));
	add_field(h, gapimg_mirror_type_name(ml->pm->type));
	add_field(h, ml->pm->suite ? ml->pm->suite : "");
	for (size_t i = 0; i < ml->pm->ncomponents; i++)
		add_field(h, ml->pm->components[i]);
	gapimg_sha256_update(h, root_bytes, root_len);
	gapimg_sha256_final(h, key->cookie);
	gapimg_sha256_free(h);
}

/* cache_dir/solv/<sha256 of the mirror's folder and suite>.solv */
static char *entry_path(struct mirror_load *ml, char **dir_out)
{
	const char *base = ml->opts->cache_dir;
	char *def = NULL, *path = NULL, *dir = NULL;
	struct gapimg_sha256 *h;
	uint8_t sum[GAPIMG_SHA256_LEN];
	char hex[GAPIMG_SHA256_HEX];

	if (ml->opts->no_cache)
		return NULL;
	if (base == NULL)
		base = def = gapimg_default_cache_dir();
	if (base == NULL)
		return NULL;
	h = gapimg_sha256_new();
	add_field(h, ml->info->root);
	add_field(h, gapimg_mirror_type_name(ml->pm->type));
	add_field(h, ml->pm->suite ? ml->pm->suite : "");
	add_field(h, gapimg_arch_name(ml->plan->arch));
	gapimg_sha256_final(h, sum);
	gapimg_sha256_free(h);
	gapimg_hex(sum, sizeof(sum), hex);
	if (asprintf(&dir, "%s/solv", base) < 0)
		dir = NULL;
	else if (asprintf(&path, "%s/%s.solv", dir, hex) < 0)
		path = NULL;
	free(def);
	if (dir_out)
		*dir_out = dir;
	else
		free(dir);
	return path;
}

/* Fill ml->repo from .solv bytes whose cookie must equal key. */
static int load_solv(struct mirror_load *ml, const char *buf, size_t n,
		     const struct mirror_cache_key *key)
{
	unsigned char *ud = NULL;
	int udlen = 0, rc = -1;
	FILE *fp = fmemopen((void *)buf, n, "r");

	if (fp == NULL)
		return -1;
	if (solv_read_userdata(fp, &ud, &udlen) != 0 || udlen != (int)sizeof(key->cookie) ||
	    memcmp(ud, key->cookie, sizeof(key->cookie)) != 0) {
		rc = 1;   /* stale: the metadata changed */
		goto out;
	}
	rewind(fp);
	if (repo_add_solv(ml->repo, fp, 0) != 0) {
		repo_empty(ml->repo, 1);
		goto out;
	}
	rc = 0;
out:
	fclose(fp);
	solv_free(ud);
	return rc;
}

int mirror_cache_load(struct mirror_load *ml, const struct mirror_cache_key *key)
{
	char *path = entry_path(ml, NULL);
	uint8_t sum[GAPIMG_SHA256_LEN];
	const char *buf = MAP_FAILED;
	int loaded = 0, rc, fd = -1;
	struct stat st;
	size_t n = 0;

	if (path == NULL)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	/* an entry is as trusted as the mirror's keys: only one that this
	 * user wrote and nobody else can change is used */
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		mirror_note(ml, "ignored the cache entry %s: it is not owned by this "
			    "user, or others can write it", path);
		goto out;
	}
	if ((uint64_t)st.st_size < TRAILER_LEN + 1 || (uint64_t)st.st_size > 4 * MIRROR_FILE_MAX)
		goto bad;
	/* mapped, not read: the warm path is mostly this file */
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (buf == MAP_FAILED)
		goto out;
	n = (size_t)st.st_size - TRAILER_LEN;
	if (memcmp(buf + n + GAPIMG_SHA256_LEN, trailer_magic, sizeof(trailer_magic)) != 0)
		goto bad;
	gapimg_sha256(buf, n, sum);
	if (memcmp(sum, buf + n, sizeof(sum)) != 0)
		goto bad;
	rc = load_solv(ml, buf, n, key);
	if (rc > 0)
		goto out;
	if (rc < 0)
		goto bad;
	loaded = 1;
	goto out;
bad:
	mirror_note(ml, "ignored a damaged cache entry %s; rebuilding it", path);
out:
	if (buf != MAP_FAILED)
		munmap((void *)buf, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	free(path);
	return loaded;
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static int mkdir_p(char *dir)
{
	for (char *p = dir + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
				*p = c;
				return -1;
			}
			*p = c;
			if (c == '\0')
				return 0;
		}
	}
}

/* Keep what resolving, locking and the manifest use; texts for people
 * (descriptions, summaries, URLs, packagers) make up most of an rpm-md
 * .solv and would only slow the warm path down. */
static int keyfilter(Repo *repo, Repokey *key, void *kfdata)
{
	switch (key->name) {
	case SOLVABLE_DESCRIPTION:
	case SOLVABLE_SUMMARY:
	case SOLVABLE_URL:
	case SOLVABLE_PACKAGER:
	case SOLVABLE_BUILDHOST:
	case SOLVABLE_GROUP:
	case SOLVABLE_HEADEREND:
	case SOLVABLE_CHANGELOG_AUTHOR:
	case SOLVABLE_CHANGELOG_TEXT:
	case SOLVABLE_CHANGELOG_TIME:
		return KEY_STORAGE_DROPPED;
	}
	return repo_write_stdkeyfilter(repo, key, kfdata);
}

/* Best effort: a cache that cannot be written costs a note. */
static void store_bytes(struct mirror_load *ml, const char *mem, size_t memlen)
{
	char *dir = NULL, *path = entry_path(ml, &dir), *tmp = NULL;
	uint8_t sum[GAPIMG_SHA256_LEN];
	int fd = -1, ok = 0;

	if (path == NULL)
		goto out;
	gapimg_sha256(mem, memlen, sum);
	errno = 0;
	if (mkdir_p(dir) < 0)
		goto out;
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (write_all(fd, mem, memlen) < 0 || write_all(fd, sum, sizeof(sum)) < 0 ||
	    write_all(fd, trailer_magic, sizeof(trailer_magic)) < 0 || fsync(fd) < 0 ||
	    fchmod(fd, 0644) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto out;
	ok = 1;
out:
	if (!ok && path != NULL)
		mirror_note(ml, "could not write the metadata cache %s (%s); the next "
			    "resolve reads the metadata again", path,
			    errno ? strerror(errno) : "write failed");
	if (fd >= 0)
		close(fd);
	if (!ok && tmp)
		unlink(tmp);
	free(tmp);
	free(dir);
	free(path);
}

int mirror_scratch_begin(struct mirror_load *ml, struct mirror_load *scratch)
{
	*scratch = *ml;
	scratch->pool = pool_create();
	if (scratch->pool == NULL)
		return gapimg_error_set(ml->err, GAPIMG_E_NOMEM, "out of memory");
	pool_setdisttype(scratch->pool, ml->pool->disttype);
	scratch->repo = repo_create(scratch->pool, ml->repo->name);
	return 0;
}

void mirror_scratch_abort(struct mirror_load *scratch)
{
	if (scratch->pool)
		pool_free(scratch->pool);
	scratch->pool = NULL;
}

int mirror_scratch_adopt(struct mirror_load *ml, struct mirror_load *scratch,
			 const struct mirror_cache_key *key, int no_store)
{
	char *mem = NULL;
	size_t memlen = 0;
	Repowriter *w;
	FILE *fp;
	int rc = -1;

	repo_internalize(scratch->repo);
	fp = open_memstream(&mem, &memlen);
	if (fp == NULL) {
		gapimg_error_errno(ml->err, errno, "open_memstream");
		goto out;
	}
	w = repowriter_create(scratch->repo);
	repowriter_set_userdata(w, key->cookie, sizeof(key->cookie));
	repowriter_set_keyfilter(w, keyfilter, NULL);
	if (repowriter_write(w, fp) != 0) {
		repowriter_free(w);
		fclose(fp);
		gapimg_error_set(ml->err, GAPIMG_E_INTERNAL, "mirror %s: libsolv could not "
				 "write the parsed metadata: %s", ml->pm->id,
				 pool_errstr(scratch->pool));
		goto out;
	}
	repowriter_free(w);
	if (fclose(fp) != 0) {
		gapimg_error_errno(ml->err, errno, "open_memstream");
		goto out;
	}
	mirror_scratch_abort(scratch);
	if (!ml->opts->no_cache && !no_store)
		store_bytes(ml, mem, memlen);
	if (load_solv(ml, mem, memlen, key) != 0) {
		gapimg_error_set(ml->err, GAPIMG_E_INTERNAL, "mirror %s: libsolv could not "
				 "read back the metadata it wrote: %s", ml->pm->id,
				 pool_errstr(ml->pool));
		goto out;
	}
	rc = 0;
out:
	mirror_scratch_abort(scratch);
	free(mem);
	return rc;
}
