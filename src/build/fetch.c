/*
 * Fetch and verify: every locked package into the content-addressed
 * package cache (<cache>/sha256/ab/abcd...), its size and SHA-256 checked
 * against the lock before anything is unpacked.
 *
 * A cached file is hashed again each time it is used: the cache saves
 * reading the mirror (often a slow USB disk or NFS share), never the
 * check.  A cached file that no longer matches is replaced from the mirror
 * with a note.  New entries are written to a temporary file, fsynced and
 * renamed, so a crash never leaves a half-written package under its hash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "gapimg/sha256.h"

#define CHUNK (256 * 1024)

static int mkdir_p(const char *path, struct gapimg_error *err)
{
	char *p = strdup(path), *s;

	if (p == NULL)
		return gapimg_error_nomem(err);
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				gapimg_error_errno(err, errno, "cannot create the package cache folder %s", p);
				free(p);
				return -1;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return 0;
}

/* Hash fd to the end, optionally copying to out; *size gets the length. */
static int hash_fd(int fd, int out, const char *what, uint64_t *size,
		   char hex[GAPIMG_SHA256_HEX], struct gapimg_error *err)
{
	struct gapimg_sha256 *ctx = gapimg_sha256_new();
	uint8_t digest[GAPIMG_SHA256_LEN];
	char *buf = malloc(CHUNK);
	uint64_t total = 0;
	int rc = -1;

	if (ctx == NULL || buf == NULL) {
		gapimg_error_nomem(err);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gapimg_error_errno(err, errno, "reading %s", what);
			goto out;
		}
		if (n == 0)
			break;
		gapimg_sha256_update(ctx, buf, (size_t)n);
		total += (uint64_t)n;
		while (out >= 0 && off < n) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				gapimg_error_errno(err, errno, "writing to the package cache");
				goto out;
			}
			off += w;
		}
	}
	gapimg_sha256_final(ctx, digest);
	gapimg_hex(digest, sizeof(digest), hex);
	*size = total;
	rc = 0;
out:
	gapimg_sha256_free(ctx);
	free(buf);
	return rc;
}

static const struct gapimg_mirror_info *find_mirror(const struct gapimg_resolution *res,
						    const char *id)
{
	size_t i;

	for (i = 0; i < res->nmirrors; i++)
		if (strcmp(res->mirrors[i].id, id) == 0)
			return &res->mirrors[i];
	return NULL;
}

static const struct gapimg_plan_mirror *find_plan_mirror(const struct gapimg_plan *plan,
							 const char *id)
{
	size_t i;

	for (i = 0; i < plan->nmirrors; i++)
		if (strcmp(plan->mirrors[i].id, id) == 0)
			return &plan->mirrors[i];
	return NULL;
}

static int check_sum(const struct bld_pkg *p, const char *path, uint64_t size,
		     const char *hex, struct gapimg_error *err)
{
	if (size != p->pkg->size)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
			"package %s: %s has %llu bytes, the lock says %llu: the "
			"mirror '%s' changed since the lock was made; if that is "
			"expected, run 'gapimg lock' again", p->label, path,
			(unsigned long long)size, (unsigned long long)p->pkg->size,
			p->pkg->mirror);
	if (strcmp(hex, p->pkg->sha256) != 0)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
			"package %s: %s has SHA-256 %s, the lock says %s: the "
			"file in mirror '%s' is not the one that was locked; if the "
			"change is expected, run 'gapimg lock' again", p->label, path,
			hex, p->pkg->sha256, p->pkg->mirror);
	return 0;
}

/* The package from its mirror into the cache; the copy is verified. */
static int fetch_one(struct bld_pkg *p, const char *dir, struct gapimg_error *err)
{
	char *src = NULL, *tmp = NULL, hex[GAPIMG_SHA256_HEX];
	uint64_t size;
	struct stat st;
	int in = -1, out = -1, rc = -1;

	if (asprintf(&src, "%s/%s", p->mirror->root, p->pkg->location) < 0 ||
	    asprintf(&tmp, "%s/.tmp-%s", dir, p->pkg->sha256) < 0) {
		gapimg_error_nomem(err);
		goto out;
	}
	in = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (in < 0) {
		if (errno == ENOENT)
			gapimg_error_set(err, GAPIMG_E_NOTFOUND,
				"package %s is missing from mirror '%s': %s does not "
				"exist; copy it into the mirror, or run 'gapimg lock' "
				"again to choose from what the mirror has", p->label,
				p->pkg->mirror, src);
		else
			gapimg_error_errno(err, errno, "package %s: cannot open %s",
					   p->label, src);
		goto out;
	}
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT,
				 "package %s: %s is not a regular file", p->label, src);
		goto out;
	}
	if ((uint64_t)st.st_size != p->pkg->size) {
		check_sum(p, src, (uint64_t)st.st_size, p->pkg->sha256, err);
		goto out;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0) {
		gapimg_error_errno(err, errno, "cannot write %s", tmp);
		goto out;
	}
	if (hash_fd(in, out, src, &size, hex, err) < 0 ||
	    check_sum(p, src, size, hex, err) < 0)
		goto out;
	if (fsync(out) < 0) {
		gapimg_error_errno(err, errno, "writing %s", tmp);
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		gapimg_error_errno(err, errno, "writing %s", tmp);
		goto out;
	}
	out = -1;
	if (rename(tmp, p->file) < 0) {
		gapimg_error_errno(err, errno, "cannot move %s into place", tmp);
		goto out;
	}
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (rc < 0 && tmp != NULL)
		unlink(tmp);
	free(src);
	free(tmp);
	return rc;
}

/* 1: the cached copy is there and verified; 0: fetch it. */
static int try_cache(struct bld *b, struct bld_pkg *p, struct gapimg_error *err)
{
	char hex[GAPIMG_SHA256_HEX];
	uint64_t size;
	struct stat st;
	int fd = open(p->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return gapimg_error_errno(err, errno, "cannot open %s", p->file);
	}
	/* A cache entry another user could have written is not trusted. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		close(fd);
		bld_note(b, "ignored the cached copy of %s (%s): not a file "
			 "owned by this user and writable only by it", p->label, p->file);
		unlink(p->file);
		return 0;
	}
	rc = hash_fd(fd, -1, p->file, &size, hex, err);
	close(fd);
	if (rc < 0)
		return -1;
	if (size == p->pkg->size && strcmp(hex, p->pkg->sha256) == 0)
		return 1;
	bld_note(b, "the cached copy of %s did not match its SHA-256 and was "
		 "read again from mirror '%s'", p->label, p->pkg->mirror);
	unlink(p->file);
	return 0;
}

int bld_fetch_all(struct bld *b, struct gapimg_error *err)
{
	const char *cache = b->opts->pkg_cache ? b->opts->pkg_cache : b->tmp_cache;
	size_t i;

	for (i = 0; i < b->npkgs + b->nwheels; i++) {
		struct bld_pkg *p = i < b->npkgs ? &b->pkgs[i] : &b->wheels[i - b->npkgs];
		char *dir = NULL;
		int rc;

		bld_progress(b, GAPIMG_STAGE_VERIFY, p->pkg->name, i);
		p->mirror = find_mirror(b->res, p->pkg->mirror);
		p->pmirror = find_plan_mirror(b->plan, p->pkg->mirror);
		if (p->mirror == NULL || p->pmirror == NULL)
			return gapimg_error_set(err, GAPIMG_E_INVALID,
				"package %s comes from mirror '%s', which the recipe "
				"does not have; run 'gapimg lock' again", p->label,
				p->pkg->mirror);
		if (asprintf(&dir, "%s/sha256/%.2s", cache, p->pkg->sha256) < 0 ||
		    asprintf(&p->file, "%s/%s", dir, p->pkg->sha256) < 0) {
			free(dir);
			return gapimg_error_nomem(err);
		}
		rc = mkdir_p(dir, err);
		if (rc == 0) {
			rc = try_cache(b, p, err);
			if (rc == 1) {
				p->from_cache = 1;
				b->result->cache_hits++;
				rc = 0;
			} else if (rc == 0) {
				rc = fetch_one(p, dir, err);
			}
		}
		free(dir);
		if (rc < 0)
			return -1;
		if (!p->wheel && b->res->family == GAPIMG_FAMILY_RPM && bld_rpm_verify(b, p, err) < 0)
			return -1;
	}
	bld_progress(b, GAPIMG_STAGE_VERIFY, NULL, b->npkgs);
	return 0;
}
