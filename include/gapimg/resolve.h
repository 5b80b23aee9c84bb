/*
 * Resolving a plan's package requests against its local mirrors.
 *
 * One libsolv pool per resolution, with the image's package family (RPM
 * or Debian) and a strict architecture policy (the image's architecture
 * and noarch/all only).  Mirrors are loaded in recipe order, each as one
 * repository with the recipe's priority, after their metadata has been
 * verified (signature, then the checksum of every file it names).
 *
 * The answer is a resolution: the mirrors as they were read (with the
 * digest of their signed metadata) and the chosen packages, or the
 * problems that make the request impossible.  A lock file (gapimg/lock.h)
 * is a resolution written down; replaying it checks that the mirrors
 * still offer exactly those packages.
 */
#ifndef GAPIMG_RESOLVE_H
#define GAPIMG_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/plan.h"
#include "gapimg/sha256.h"

struct gapimg_resolve_opts {
	const char *cache_dir;    /* NULL: $XDG_CACHE_HOME/gapimg or ~/.cache/gapimg */
	int no_cache;             /* neither read nor write the metadata cache */
	int allow_expired;        /* accept a Release past Valid-Until or an
				   * expired signing key at the epoch */
	int best;                 /* every request gets its best candidate or fails */
	int metadata_only;        /* do not check that package files exist */
	uint32_t epoch;           /* the build's clock (the plan's epoch) */
};

/* One mirror as it was read. */
struct gapimg_mirror_info {
	char *id;
	enum gapimg_mirror_type type;
	char *root;               /* absolute folder */
	/* SHA-256 of the metadata's root file: repomd.xml, Release or
	 * InRelease; for rpm-dir, of the sorted "name size sha256" list. */
	char metadata_sha256[GAPIMG_SHA256_HEX];
	/* for wheels, of the sorted "path sha256" list of its wheel files */
	char *revision;           /* rpm-md <revision>, or NULL */
	char *date;               /* Debian Release Date:, or NULL */
	char *valid_until;        /* Debian Release Valid-Until:, or NULL */
	char *signed_by;          /* fingerprint/key id that verified it, or NULL */
	size_t npackages;         /* solvables loaded for the image's arch */
	int from_cache;           /* loaded from a cached .solv file */
};

struct gapimg_package {
	int wheel;                /* a Python wheel: name is the PEP 503 name,
				   * evr the PEP 440 version, arch "wheel" */
	char *name;
	char *evr;                /* [EPOCH:]VERSION[-RELEASE], as the family writes it */
	char *arch;
	char *mirror;             /* mirror id */
	char *location;           /* relative to the mirror's folder */
	uint64_t size;
	char sha256[GAPIMG_SHA256_HEX];
	unsigned order;           /* 1-based install order */
};

/* Why a request cannot be satisfied, in words that name packages,
 * versions and mirrors. */
struct gapimg_problem {
	char *summary;
	char **causes;            /* sorted, unique */
	size_t ncauses;
	char **solutions;         /* one line per solution (elements joined) */
	size_t nsolutions;
};

enum gapimg_family { GAPIMG_FAMILY_RPM, GAPIMG_FAMILY_DEB };

struct gapimg_resolution {
	char recipe_digest[GAPIMG_SHA256_HEX];
	enum gapimg_family family;
	char *arch;               /* "x86_64" / "amd64", the family's spelling */
	struct gapimg_mirror_info *mirrors; size_t nmirrors;   /* recipe order */
	struct gapimg_package *packages;    size_t npackages;  /* sorted: name, arch, evr */
	struct gapimg_problem *problems;    size_t nproblems;
	char **notes;             /* things the operator should know */
	size_t nnotes;
};

/* Returns 0 when solved (res->packages), 1 when the request cannot be
 * satisfied (res->problems), -1 on error (err).  res is filled as far as
 * it got either way; release it with gapimg_resolution_free. */
int gapimg_resolve(const struct gapimg_plan *plan,
		   const struct gapimg_resolve_opts *opts,
		   struct gapimg_resolution *res, struct gapimg_error *err);

/* Replay a lock: load the mirrors, find each locked package (same name,
 * version, arch, mirror, location, size and SHA-256) and solve for
 * exactly that set.  Returns 0 when the mirrors still give exactly the
 * locked packages (res is the replayed resolution), 1 when they do not
 * (res->problems say which package and why), -1 on error. */
int gapimg_resolve_replay(const struct gapimg_plan *plan,
			  const struct gapimg_resolution *lock,
			  const struct gapimg_resolve_opts *opts,
			  struct gapimg_resolution *res, struct gapimg_error *err);

void gapimg_resolution_free(struct gapimg_resolution *res);


/* The default cache folder, malloc'd; NULL when neither XDG_CACHE_HOME
 * nor HOME is set. */
char *gapimg_default_cache_dir(void);

#endif
