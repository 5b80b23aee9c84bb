/*
 * After the scripts: what they leave behind that would differ between two
 * builds of the same inputs, or that records the build machine rather
 * than the image.  Each rule says why; docs/build.md lists them and
 * t4004 tests each.  What was changed is recorded in the manifest.
 * Everything else the scripts made is kept as they made it (mtimes are
 * clamped to the epoch when the tree is read back).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

enum action { REMOVE, EMPTY, SHADOW_DAYS, PYC };

static const struct rule {
	const char *pattern;
	enum action action;
	const char *reason;
} rules[] = {
	{ "/var/log/dpkg.log", REMOVE, "log of the build: every line has the time it ran" },
	{ "/var/log/alternatives.log", REMOVE, "log of the build: every line has the time it ran" },
	{ "/var/log/apt/*.log*", REMOVE, "log of the build: every entry has the time it ran" },
	{ "/var/log/bootstrap.log", REMOVE, "log of the build" },
	{ "/var/lib/dpkg/*-old", REMOVE, "dpkg's backup of its previous database state: "
	  "how many there were depends on how often dpkg wrote, not on the image" },
	{ "/var/cache/debconf/*-old", REMOVE, "debconf's backup of its previous state" },
	{ "/var/cache/ldconfig/aux-cache", REMOVE, "ldconfig's cache of file inodes and "
	  "change times on the build machine" },
	{ "/var/cache/man/**/index.db", REMOVE, "man-db's index records the time it was built" },
	{ "/var/cache/apt/*.bin", REMOVE, "apt's binary cache, rebuilt on first use" },
	{ "/etc/machine-id", EMPTY, "the machine id must be made on each machine at "
	  "first boot; an empty file asks systemd to do so" },
	{ "/var/lib/dbus/machine-id", REMOVE, "a machine id made during the build" },
	{ "/var/lib/systemd/random-seed", REMOVE, "random seed made during the build" },
	{ "/var/lib/random-seed", REMOVE, "random seed made during the build" },
	{ "/etc/.pwd.lock", REMOVE, "lock file the account tools leave" },
	{ "/var/lib/rpm/.rpm.lock", REMOVE, "rpm's lock file" },
	{ "/usr/lib/sysimage/rpm/.rpm.lock", REMOVE, "rpm's lock file" },
	{ "/var/lib/rpm/*-shm", REMOVE, "sqlite's shared memory file: differs on every run" },
	{ "/var/lib/rpm/*-wal", REMOVE, "sqlite's write-ahead log, already checkpointed" },
	{ "/usr/lib/sysimage/rpm/*-shm", REMOVE, "sqlite's shared memory file: differs on every run" },
	{ "/usr/lib/sysimage/rpm/*-wal", REMOVE, "sqlite's write-ahead log, already checkpointed" },
	{ "/etc/shadow", SHADOW_DAYS, "the date of the last password change is the day "
	  "the build ran: set to the epoch's day" },
	{ "/etc/shadow-", REMOVE, "backup the account tools leave" },
	{ "/etc/gshadow-", REMOVE, "backup the account tools leave" },
	{ "/etc/passwd-", REMOVE, "backup the account tools leave" },
	{ "/etc/group-", REMOVE, "backup the account tools leave" },
	{ "/etc/subuid-", REMOVE, "backup the account tools leave" },
	{ "/etc/subgid-", REMOVE, "backup the account tools leave" },
	{ "/**/__pycache__/*.pyc", PYC, "compiled against a source file the image does "
	  "not have (another mtime or size): Python would ignore it" },
};

static struct bld *ctx;
static size_t base;
static int failed;
static struct gapimg_error *ctx_err;

static int record(struct bld *b, const char *norm, const char *action, const char *reason)
{
	struct bld_normalised *n = realloc(b->normalised,
					   (b->nnormalised + 1) * sizeof(*n));

	if (n == NULL)
		return -1;
	b->normalised = n;
	n = &n[b->nnormalised];
	if ((n->path = strdup(norm)) == NULL)
		return -1;
	n->action = action;
	n->reason = reason;
	b->nnormalised++;
	return 0;
}

/* Days since 1970 of the last change, in each entry: the epoch's day. */
static int shadow_days(const char *host, int64_t epoch, int *changed)
{
	char *line = NULL, days[32];
	size_t cap = 0;
	ssize_t n;
	struct strbuf out = STRBUF_INIT;
	struct stat st;
	FILE *f = fopen(host, "re");
	int rc = -1, fd;

	*changed = 0;
	if (f == NULL || fstat(fileno(f), &st) < 0)
		goto out;
	snprintf(days, sizeof(days), "%lld", (long long)(epoch / 86400));
	while ((n = getline(&line, &cap, f)) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL,
		     *c3 = c2 ? strchr(c2 + 1, ':') : NULL;

		if (c3 == NULL || c3 == c2 + 1 ||
		    ((size_t)(c3 - c2 - 1) == strlen(days) && !strncmp(c2 + 1, days, strlen(days)))) {
			strbuf_addstr(&out, line);
			continue;
		}
		*changed = 1;
		strbuf_add(&out, line, (size_t)(c2 + 1 - line));
		strbuf_addstr(&out, days);
		strbuf_addstr(&out, c3);
	}
	if (!*changed) {
		rc = 0;
		goto out;
	}
	fd = open(host, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		goto out;
	if (write(fd, out.buf ? out.buf : "", out.len) != (ssize_t)out.len) {
		close(fd);
		goto out;
	}
	rc = close(fd);
out:
	if (f)
		fclose(f);
	free(line);
	strbuf_release(&out);
	return rc;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Does a timestamp .pyc match its source as the image will store it
 * (mtime clamped to the epoch)?  Hash-based ones and those without a
 * source (shipped that way) are left alone. */
static int pyc_stale(const char *host, int64_t epoch)
{
	unsigned char h[16];
	char src[4096];
	const char *slash = strrchr(host, '/'), *dot;
	struct stat st;
	int64_t mtime;
	ssize_t n;
	int fd;

	if (slash == NULL || slash - host < 12)
		return 0;
	dot = strchr(slash + 1, '.');
	/* .../pkg/__pycache__/NAME.cpython-311.pyc -> .../pkg/NAME.py */
	if (dot == NULL || (size_t)(slash - host) - 11 + (size_t)(dot - slash) + 4 > sizeof(src))
		return 0;
	snprintf(src, sizeof(src), "%.*s%.*s.py", (int)(slash - host - 12), host,
		 (int)(dot - slash), slash);
	/* lstat: a link's target would be read on the host, not in the image. */
	if (lstat(src, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	fd = open(host, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || le32(h + 4) != 0)
		return 0;
	mtime = st.st_mtime > epoch ? epoch : st.st_mtime;
	return le32(h + 8) != (uint32_t)mtime || le32(h + 12) != (uint32_t)st.st_size;
}

static int visit(const char *fpath, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *norm = fpath + base;
	size_t i;

	(void)flag;
	if (ftw->level == 0)
		return FTW_CONTINUE;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];
		int changed = 1;

		if (!bld_glob_match(r->pattern, norm))
			continue;
		if (r->action == REMOVE) {
			bld_remove_tree(fpath);
			if (access(fpath, F_OK) == 0)
				goto fail;
		} else if (r->action == EMPTY) {
			if (!S_ISREG(st->st_mode) || st->st_size == 0)
				continue;
			if (truncate(fpath, 0) < 0)
				goto fail;
		} else if (r->action == SHADOW_DAYS) {
			if (!S_ISREG(st->st_mode))
				continue;
			if (shadow_days(fpath, ctx->epoch, &changed) < 0)
				goto fail;
			if (!changed)
				continue;
		} else {
			if (!S_ISREG(st->st_mode) || !pyc_stale(fpath, ctx->epoch))
				continue;
			if (unlink(fpath) < 0)
				goto fail;
		}
		if (record(ctx, norm, r->action == EMPTY ? "emptied" :
				      r->action == SHADOW_DAYS ? "dates set" : "removed",
			   r->reason) < 0) {
			gapimg_error_nomem(ctx_err);
			failed = 1;
			return FTW_STOP;
		}
		return r->action == REMOVE && S_ISDIR(st->st_mode) ? FTW_SKIP_SUBTREE
								   : FTW_CONTINUE;
	}
	return FTW_CONTINUE;
fail:
	gapimg_error_errno(ctx_err, errno, "cannot normalise %s in the staged tree", norm);
	failed = 1;
	return FTW_STOP;
}

static int cmp_path(const void *x, const void *y)
{
	const struct bld_normalised *a = x, *b = y;

	return strcmp(a->path, b->path);
}

int bld_normalise(struct bld *b, struct gapimg_error *err)
{
	ctx = b;
	ctx_err = err;
	base = strlen(b->stage);
	failed = 0;
	if (nftw(b->stage, visit, 64, FTW_PHYS | FTW_ACTIONRETVAL) != 0 && !failed)
		return gapimg_error_errno(err, errno, "cannot walk %s", b->stage);
	if (failed)
		return -1;
	/* nftw walks in readdir order; the record must not. */
	qsort(b->normalised, b->nnormalised, sizeof(*b->normalised), cmp_path);
	return 0;
}
