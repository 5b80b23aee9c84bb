/*
 * The build plan: what a recipe means, validated and normalised.
 *
 * The recipe compiler (gapimg/recipe.h) is the only code that reads recipe
 * text; every later stage (resolver, builder, signer) reads this plan.
 * Every element keeps the place in the recipe it came from, so that later
 * stages can point at it in their own errors, but places are not part of
 * the canonical JSON or the digest: comments, blank lines and the order of
 * set-like lines do not change what an image is.
 *
 * Paths to local inputs (mirror folders, key files, file sources, data
 * files) are stored relative to the main recipe's folder (plan->base_dir)
 * when they were written relative, so that the plan of a checkout is the
 * same on every machine.  Image paths are normalised absolute paths.
 *
 * Lists whose order has no meaning are sorted; mirrors keep recipe order,
 * which is their load order.
 */
#ifndef GAPIMG_PLAN_H
#define GAPIMG_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/sha256.h"
#include "gapimg/strbuf.h"

#define GAPIMG_PLAN_FORMAT 1

/* Where something was written: file as shown to the user, 1-based line
 * and column (in characters), length of the culprit in characters. */
struct gapimg_span {
	const char *file;
	uint32_t line, col, len;
};

enum gapimg_arch { GAPIMG_ARCH_X86_64, GAPIMG_ARCH_AARCH64 };

enum gapimg_mirror_type {
	GAPIMG_MIRROR_RPM_MD,   /* repodata/repomd.xml */
	GAPIMG_MIRROR_RPM_DIR,  /* a folder of .rpm files, no metadata */
	GAPIMG_MIRROR_DEB,      /* dists/SUITE/Release */
	GAPIMG_MIRROR_WHEELS,   /* .whl files or a PEP 503 simple index */
};

/* A local file the plan depends on, with the SHA-256 it had when the
 * recipe was compiled (the builder checks it again before use). */
struct gapimg_plan_input {
	char *path;              /* relative to base_dir, or absolute */
	char sha256[GAPIMG_SHA256_HEX];
	uint64_t size;
};

/* What a mirror's signatures must vouch for. */
enum gapimg_sigs {
	GAPIMG_SIGS_OFF = 0,        /* nothing is checked */
	GAPIMG_SIGS_REQUIRED = 1,   /* the metadata (and RPM packages) (default) */
	GAPIMG_SIGS_PACKAGES = 2,   /* RPM only: each package; the metadata may
				     * be unsigned, as Fedora and EL publish it */
};

struct gapimg_plan_mirror {
	char *id;
	enum gapimg_mirror_type type;
	char *location;          /* folder: relative to base_dir, or absolute */
	char *suite;             /* deb only */
	char **components;       /* deb only, recipe order */
	size_t ncomponents;
	struct gapimg_plan_input *keys;
	size_t nkeys;
	int priority;            /* higher wins; default 0 */
	int signatures;          /* enum gapimg_sigs */
	int used;                /* some request can use it */
	struct gapimg_span span;
};

enum gapimg_relop {
	GAPIMG_REL_ANY = 0, GAPIMG_REL_EQ, GAPIMG_REL_LT, GAPIMG_REL_LE,
	GAPIMG_REL_GT, GAPIMG_REL_GE,
};

/* "install NAME [OP VERSION]": a package name or a capability it provides. */
struct gapimg_plan_package {
	char *name;
	enum gapimg_relop op;
	char *version;           /* NULL with GAPIMG_REL_ANY */
	char *mirror;            /* only from this mirror, or NULL */
	struct gapimg_span span;
};

/* A glob with where it was written (excludes, removals). */
struct gapimg_plan_glob {
	char *pattern;
	struct gapimg_span span;
};

enum gapimg_debian_base {
	GAPIMG_DEBIAN_BASE_NONE, GAPIMG_DEBIAN_BASE_ESSENTIAL,
	GAPIMG_DEBIAN_BASE_REQUIRED,
};

/* One PEP 508 requirement, normalised. */
struct gapimg_plan_requirement {
	char *text;              /* canonical form of the whole requirement */
	char *name;              /* PEP 503 normalised */
	char **extras;           /* normalised, sorted, unique */
	size_t nextras;
	char *specifier;         /* "" when any version will do */
	char *marker;            /* canonical marker, or NULL */
	char *mirror;            /* only from this wheels mirror, or NULL */
	struct gapimg_span span;
};

enum gapimg_node_kind { GAPIMG_NODE_FILE, GAPIMG_NODE_DIR, GAPIMG_NODE_SYMLINK };

/* "file", "dir", "symlink" and "data" lines: something the image gets
 * on top of its packages. */
struct gapimg_plan_node {
	enum gapimg_node_kind kind;
	char *path;              /* normalised absolute image path */
	int is_data;             /* a "data" line: a pinned input with provenance */
	/* files: exactly one of source and text */
	struct gapimg_plan_input source;  /* source.path NULL for inline text */
	char *text;
	size_t text_len;
	char *provenance;        /* data only */
	char *target;            /* symlinks */
	uint32_t mode;           /* permission bits incl. setuid/setgid/sticky */
	char *owner, *group;     /* a name or a decimal id */
	struct gapimg_span span;
};

struct gapimg_plan_group {
	char *name;
	uint32_t gid;
	struct gapimg_span span;
};

struct gapimg_plan_user {
	char *name;
	uint32_t uid;
	char *group;             /* primary group: a name or a decimal gid */
	char **groups;           /* supplementary, sorted */
	size_t ngroups;
	char *home, *shell, *comment;
	struct gapimg_span span;
};

struct gapimg_plan_env {
	char *name, *value;
	struct gapimg_span span;
};

struct gapimg_plan_unit {
	char *name;
	struct gapimg_span span;
};

enum gapimg_scripts { GAPIMG_SCRIPTS_NONE, GAPIMG_SCRIPTS_RUN };

struct gapimg_plan {
	int format;              /* GAPIMG_PLAN_FORMAT */
	char *base_dir;          /* absolute folder of the main recipe; not in JSON */
	char *recipe;            /* main recipe path as given; not in JSON */

	int fragment;            /* the main file says "fragment": not buildable */
	char *image, *version;
	enum gapimg_arch arch;
	uint32_t epoch;

	struct gapimg_plan_mirror *mirrors;   size_t nmirrors;
	struct gapimg_plan_package *installs; size_t ninstalls;
	struct gapimg_plan_glob *excludes;    size_t nexcludes;
	int recommends;
	enum gapimg_debian_base debian_base;

	char *python;            /* target interpreter "3.11", or NULL */
	int bytecode;            /* byte-compile installed wheels */
	struct gapimg_plan_requirement *requirements; size_t nrequirements;

	struct gapimg_plan_node *nodes;       size_t nnodes;   /* sorted by path */
	struct gapimg_plan_glob *removals;    size_t nremovals;
	struct gapimg_plan_group *groups;     size_t ngroups;
	struct gapimg_plan_user *users;       size_t nusers;
	struct gapimg_plan_env *env;          size_t nenv;
	struct gapimg_plan_unit *enable;      size_t nenable;
	struct gapimg_plan_unit *disable;     size_t ndisable;

	char *compression;       /* "zstd", "xz", "gzip" */
	int level;               /* -1: the algorithm's default */
	uint32_t block_size;
	enum gapimg_scripts scripts;
	char *output;            /* a file name */
	char *kernel_cmdline;    /* "" when not set */

	char digest[GAPIMG_SHA256_HEX];  /* the recipe digest */
};

void gapimg_plan_free(struct gapimg_plan *plan);

/* The canonical JSON of the plan (sorted keys, no whitespace, UTF-8, one
 * trailing newline), appended to out. */
int gapimg_plan_canonical_json(const struct gapimg_plan *plan, struct strbuf *out,
			       struct gapimg_error *err);

const char *gapimg_arch_name(enum gapimg_arch arch);      /* "x86_64" */
const char *gapimg_arch_deb_name(enum gapimg_arch arch);  /* "amd64" */
const char *gapimg_mirror_type_name(enum gapimg_mirror_type type);
const char *gapimg_relop_name(enum gapimg_relop op);      /* "=", "<", ... */

#endif
