/*
 * Mirror backends: read one local mirror's metadata into a libsolv
 * repository, verifying it first.  Internal to the resolver.
 *
 * Trust runs one way: the signature over the root file (repomd.xml,
 * Release or InRelease) is checked against the recipe's keys, the root
 * file's checksums are checked for every file it names before that file
 * is parsed, and only then does libsolv see the bytes.  Files are read
 * into memory once, so what was checked is what is parsed.
 */
#ifndef GAPIMG_MIRROR_MIRROR_H
#define GAPIMG_MIRROR_MIRROR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <solv/pool.h>
#include <solv/repo.h>

#include "gapimg/error.h"
#include "gapimg/plan.h"
#include "gapimg/resolve.h"
#include "gapimg/strbuf.h"

/* Largest metadata file read into memory (a full Debian main Packages
 * file is about 100 MB uncompressed, CentOS filelists more). */
#define MIRROR_FILE_MAX ((size_t)1 << 30)

/* Custom solvable attributes for Debian fields libsolv does not keep;
 * they are written into the cached .solv files too. */
#define MIRROR_KEY_ESSENTIAL "gapimg:deb:essential"
#define MIRROR_KEY_PRIORITY  "gapimg:deb:priority"
/* Wheels: the version as PEP 440 writes it, the PEP 503 name, and for
 * the synthetic solvable of an extra, the extra's name. */
#define MIRROR_KEY_WHEEL_VERSION "gapimg:wheel:version"
#define MIRROR_KEY_WHEEL_NAME    "gapimg:wheel:name"
#define MIRROR_KEY_WHEEL_EXTRA   "gapimg:wheel:extra"

/* Bump when what a loader puts into a repository changes, so that old
 * cache entries are never used. */
#define MIRROR_CACHE_FORMAT 4

struct pytags;

/* What wheels are chosen for: the image's interpreter and machine, and
 * the newest C library its OS mirrors offer (manylinux tags). */
struct wheel_target {
	unsigned major, minor;       /* 3, 11 */
	const char *python;          /* the recipe's "3.11" or "3.11.4" */
	const char *machine;         /* "x86_64" */
	unsigned glibc_minor;        /* glibc 2.N; 0 when no mirror has one */
	int deb;                     /* the pool has Debian's version rules */
	struct pytags *tags;
};

/* What the wheel loader learned that the resolver uses to explain
 * problems: wheels left out and why, and the requirement text behind
 * every dependency it made. */
struct wheel_skip {
	char *name;                  /* PEP 503 */
	char *why;                   /* "newpy 2.0 requires Python >=3.13" */
};
struct wheel_known {
	struct wheel_skip *skips;
	size_t nskips;
	Id *deps;
	char **texts;                /* "numpy>=1.26,<2" */
	size_t ndeps;
};
void wheel_known_release(struct wheel_known *wk);
/* The requirement text of a dependency the loader made, or NULL. */
const char *wheel_dep_text(const struct wheel_known *wk, Id dep);
/* The dependency of a requirement on cap ("python3dist(numpy)") with
 * the specifier spec, remembered with text; 0 with msg saying why when
 * the specifier cannot be expressed ("out of memory" when memory ran
 * out). */
Id wheel_dep(Pool *pool, struct wheel_known *wk, int deb, const char *cap,
	     const char *spec, const char *text, char *msg, size_t msgsz);

struct mirror_load {
	Pool *pool;
	const struct gapimg_plan *plan;
	const struct gapimg_plan_mirror *pm;
	const struct gapimg_resolve_opts *opts;
	Repo *repo;                        /* created by the caller, empty */
	struct gapimg_mirror_info *info;   /* root is set; the rest is filled */
	struct gapimg_resolution *res;     /* for notes */
	struct gapimg_error *err;
	const struct wheel_target *wt;     /* wheels mirrors only */
	const struct gapimg_resolution *lock;  /* a lock being replayed: its
						* wheels are always candidates */
	struct wheel_known *wk;            /* wheels mirrors only */
};

int mirror_load(struct mirror_load *ml);
int mirror_load_rpmmd(struct mirror_load *ml);
int mirror_load_rpmdir(struct mirror_load *ml);
int mirror_load_deb(struct mirror_load *ml);
int mirror_load_wheels(struct mirror_load *ml);

/* files.c */
/* Absolute folder of a plan mirror, malloc'd. */
char *mirror_root(const struct gapimg_plan *plan, const struct gapimg_plan_mirror *pm);
/* root + "/" + rel, refusing an absolute rel or one with "..". */
char *mirror_join(struct mirror_load *ml, const char *rel);
/* Read a whole file of the mirror; 0, or -1 with GAPIMG_E_NOTFOUND when
 * it does not exist (and missing_ok: no error text set). */
int mirror_read(struct mirror_load *ml, const char *rel, struct strbuf *out,
		int missing_ok);
/* The same for any absolute path (key files). */
int mirror_read_path(struct mirror_load *ml, const char *path, struct strbuf *out,
		     int missing_ok);
/* Checksum types gapimg accepts for metadata and packages. */
int mirror_strong_hash(Id type);
/* Check data against a checksum from signed metadata: the type must be
 * strong, the length and the digest must match.  what names the file in
 * the error. */
int mirror_verify_sum(struct mirror_load *ml, const char *what,
		      const void *data, size_t len, Id type,
		      const unsigned char *expected, const char *from);
/* A stdio stream over verified bytes, decompressed by the suffix of name
 * (.gz, .xz, .zst, .bz2); the bytes are copied, so data may be released. */
FILE *mirror_open_verified(struct mirror_load *ml, const char *name, const struct strbuf *data);
/* Add a note to the resolution: "mirror ID: ...". */
void mirror_note(struct mirror_load *ml, const char *fmt, ...) GAPIMG_PRINTF(2, 3);
/* Parse an RFC 2822 date ("Sat, 05 Dec 2026 02:53:00 UTC"); -1 if bad. */
int64_t mirror_parse_date(const char *s);
/* "2026-12-05 02:53:00 UTC" */
void mirror_format_time(int64_t t, char *buf, size_t size);

/* sig.c */
/* Verify a detached OpenPGP signature (armored or binary) over data
 * against the mirror's keys; on success signed_by is set.  what/sigwhat
 * name the files in errors. */
int mirror_verify_detached(struct mirror_load *ml, const char *what,
			   const void *data, size_t len,
			   const void *sig, size_t siglen, const char *sigwhat);
/* Verify a clearsigned message (Debian InRelease) and put the signed
 * text, dash-unescaped with LF line ends, into content. */
int mirror_verify_clearsigned(struct mirror_load *ml, const char *what,
			      const char *text, size_t len, struct strbuf *content,
			      int verify);

/* Add the public keys of a key file (armored or binary) to repo, a repo
 * of its own pool: EdDSA signatures hidden from libsolv, unbound subkeys
 * and revoked keys left out (sig.c).  Returns the number of keys (and
 * subkeys) added, or -1 when memory ran out. */
int mirror_keys_add(Repo *repo, const char *buf, size_t len);

/* cache.c */
struct mirror_cache_key {
	unsigned char cookie[32];
};
/* Mix the mirror's identity into a key: the cache format, the libsolv
 * version, the image's arch, the mirror type, and every verified byte
 * string given (the root file, the checksums of what it names). */
void mirror_cache_key_init(struct mirror_cache_key *key, struct mirror_load *ml,
			   const void *root_bytes, size_t root_len);
/* 1 when the repo was filled from a valid cache entry, 0 when not. */
int mirror_cache_load(struct mirror_load *ml, const struct mirror_cache_key *key);
/* Parse metadata into a scratch pool (scratch gets its pool and repo),
 * then adopt it: write it as .solv bytes (into the cache too, unless
 * --no-cache) and load those bytes into ml->repo. */
int mirror_scratch_begin(struct mirror_load *ml, struct mirror_load *scratch);
int mirror_scratch_adopt(struct mirror_load *ml, struct mirror_load *scratch,
			 const struct mirror_cache_key *key, int no_store);
void mirror_scratch_abort(struct mirror_load *scratch);

#endif
