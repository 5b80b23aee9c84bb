/*
 * gapimg build: a recipe's locked packages and content into a signed-ready,
 * deterministic root filesystem image and its manifest.
 *
 * The builder takes a plan and a solved resolution (from the lock, or a
 * fresh resolve the command wrote as the lock) and:
 *   1. fetches every package into the content-addressed package cache,
 *      checking size and SHA-256 against the lock, and for RPMs the
 *      signature with librpm against the mirror's keys, before anything is
 *      unpacked;
 *   2. streams each payload, in install order, straight into the image
 *      writer (nothing is staged on disk), refusing hostile entries and
 *      file conflicts with the package and path named;
 *   3. does what the packages' scripts would have done (declarative
 *      install): users and groups, the ld.so cache, Debian alternatives,
 *      the package database;
 *   4. adds the recipe's own content, then writes the image and manifest
 *      atomically.
 * Library code: it never prints; progress goes through a callback.
 */
#ifndef GAPIMG_BUILD_H
#define GAPIMG_BUILD_H

#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/plan.h"
#include "gapimg/resolve.h"

struct gapimg_key;

enum gapimg_build_stage {
	GAPIMG_STAGE_VERIFY = 0,  /* fetching and verifying packages */
	GAPIMG_STAGE_UNPACK,      /* streaming payloads into the image */
	GAPIMG_STAGE_CONFIGURE,   /* users, ld.so cache, alternatives, database */
	GAPIMG_STAGE_WRITE,       /* remaining data and metadata */
	GAPIMG_STAGE_SCRIPTS,     /* the packages' scripts, in the sandbox */
};

struct gapimg_build_progress {
	enum gapimg_build_stage stage;
	const char *package;      /* the package being worked on, or NULL */
	uint64_t done, total;     /* packages (VERIFY, UNPACK) or files (WRITE) */
	uint64_t bytes_done, bytes_total;  /* package bytes, or file bytes */
};
typedef void (*gapimg_build_progress_fn)(const struct gapimg_build_progress *p,
					 void *user);

struct gapimg_build_opts {
	const char *output;       /* the image path */
	const char *manifest;     /* the manifest path */
	const char *lock_digest;  /* SHA-256 of the lock file's bytes */
	const char *pkg_cache;    /* package cache folder; NULL: a temporary
				   * one, removed at the end */
	unsigned threads;         /* 0: one per CPU */
	int sealed;               /* 1: running in a fresh network namespace */
	const char *sealed_note;  /* why not, when sealed is 0 */
	int scripts;              /* -1: as the recipe says; 0: none; 1: run */
	unsigned script_timeout;  /* seconds per script; 0: the default */
	int keep_staging;         /* leave the staged tree ('scripts run') */
	const struct gapimg_key *sign_key;  /* sign the image (a trailer) */
	const char *detached_sig; /* with sign_key: also write the trailer here */
	gapimg_build_progress_fn progress;
	void *progress_user;
};

struct gapimg_build_result {
	char sha256[GAPIMG_SHA256_HEX];
	uint64_t bytes;
	uint32_t inodes;
	size_t npackages;         /* OS packages */
	size_t nwheels;           /* Python wheels */
	size_t cache_hits;        /* packages read from the package cache */
	char *staging;            /* the staged tree, when kept */
	char *script_output;      /* a failed script's last lines of output */
	char **notes;             /* things the operator should know */
	size_t nnotes;
};

int gapimg_build(const struct gapimg_plan *plan,
		 const struct gapimg_resolution *res,
		 const struct gapimg_build_opts *opts,
		 struct gapimg_build_result *result, struct gapimg_error *err);

void gapimg_build_result_free(struct gapimg_build_result *result);

/* The default package cache: <metadata cache>/packages, malloc'd. */
char *gapimg_default_package_cache(const char *cache_dir);

#endif
