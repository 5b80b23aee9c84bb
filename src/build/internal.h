/* What the build stages share: the build context and each stage's entry. */
#ifndef GAPIMG_BUILD_INTERNAL_H
#define GAPIMG_BUILD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/build.h"
#include "gapimg/fstree.h"
#include "gapimg/squashfs.h"
#include "gapimg/strbuf.h"

struct ldcache;
struct debalt;
struct accounts;

/* Files whose text a later stage needs (accounts, ld.so.conf, sysusers.d):
 * copied while they stream into the image. */
#define BLD_CAPTURE_MAX (16u << 20)

struct bld_text {
	char *path;
	char *origin;             /* "PACKAGE VERSION: PATH" */
	struct strbuf text;
};

/* An owner name a payload gave that can only be resolved once the image's
 * accounts are known (after every package is unpacked). */
struct bld_owner {
	char *path;
	char *user, *group;       /* NULL: the numeric id below is final */
	uint32_t uid, gid;        /* Debian's fallback ids (dpkg uses them for
				   * names the image does not know) */
	int numeric_fallback;
	char *origin;
};

struct bld_pkg {
	const struct gapimg_package *pkg;
	int wheel;                /* a Python wheel */
	const struct gapimg_mirror_info *mirror;
	const struct gapimg_plan_mirror *pmirror;
	char *label;              /* "NAME VERSION" in messages and origins */
	char *file;               /* the verified file in the package cache */
	int from_cache;
	char *license;            /* as the package's metadata states it, or NULL */
	/* RPM */
	void *header;             /* Header, signature checked */
	/* Debian: control members, and the paths it installs (.list) */
	char *control;
	size_t control_len;
	struct bld_text *members;  /* other control.tar members, by name */
	size_t nmembers;
	char **conffiles;
	size_t nconffiles;
	char **conffile_md5;      /* md5 of each conffile's content */
	struct strbuf list;
	char **replaces;          /* package names from Replaces: */
	size_t nreplaces;
	uint64_t size_limit;      /* bytes its files may claim (0: no limit) */
	uint64_t size_seen;
};

struct bld {
	const struct gapimg_plan *plan;
	const struct gapimg_resolution *res;
	const struct gapimg_build_opts *opts;
	int64_t epoch;
	struct gapimg_fstree *tree;
	struct gapimg_sqfs_writer *writer;
	struct bld_pkg *pkgs;     /* OS packages, install order */
	size_t npkgs;
	struct bld_pkg *wheels;   /* wheels, install order (after the OS) */
	size_t nwheels;
	char **pyfiles;           /* the wheels' .py files, to byte-compile */
	size_t npyfiles;
	struct bld_text *texts;
	size_t ntexts;
	struct bld_owner *owners;
	size_t nowners;
	struct ldcache *ldcache;
	struct accounts *acct;
	struct debalt *alts;
	size_t nalts;
	struct gapimg_build_result *result;
	char *tmp_cache;          /* a temporary package cache to remove */
	int scripts;              /* 1: 'scripts run' */
	char *stage;              /* the staged tree ('scripts run') */
	int read_back;            /* texts now come from the stage */
	struct bld_normalised *normalised;  /* what was changed after the
					     * scripts, and why */
	size_t nnormalised;
	int writing;              /* the writer's last stage has begun */
	char *manifest;           /* the manifest text, once the image is */
};

/* What normalise.c removed or changed in the staged tree. */
struct bld_normalised {
	char *path;
	const char *action;       /* "removed", "emptied", ... */
	const char *reason;
};

/* Seconds one package script may run ('scripts run'). */
#define BLD_SCRIPT_TIMEOUT 300u

/* Progress by package: done of the npkgs packages (their bytes are
 * summed from the lock). */
void bld_progress(struct bld *b, enum gapimg_build_stage stage,
		  const char *package, size_t done);
int bld_note(struct bld *b, const char *fmt, ...) GAPIMG_PRINTF(2, 3);

/* fetch.c: every package into the cache, verified; RPM headers read. */
int bld_fetch_all(struct bld *b, struct gapimg_error *err);

/* unpack.c: p->license from a licence as the package's metadata states it:
 * blanks collapsed, trimmed; left out with a build note when longer than
 * 256 bytes or not UTF-8 ("from" names where it was read, for the note). */
int bld_license_set(struct bld *b, struct bld_pkg *p, const char *text, size_t len,
		    const char *from, struct gapimg_error *err);
/* unpack.c: the rules every payload entry goes through. */
struct bld_entry {
	const char *path;         /* as the archive names it */
	enum gapimg_ftype type;
	uint16_t mode;
	const char *user, *group; /* names, or NULL */
	uint32_t uid, gid;        /* numeric ids (Debian tar headers) */
	int64_t mtime;
	uint64_t size;
	const char *target;       /* symlink target */
	const char *hardlink;     /* hard link: the earlier path */
	uint32_t major, minor;
	const char *caps;         /* RPM file capabilities, text form */
};
typedef ssize_t (*bld_read_fn)(void *user, void *buf, size_t len,
			       struct gapimg_error *err);
/* Add one entry of pkg's payload.  Regular files stream their content from
 * read(user) into the image now.  Returns 0, or -1 with err naming the
 * package and path. */
int bld_add_entry(struct bld *b, struct bld_pkg *pkg, const struct bld_entry *e,
		  bld_read_fn read, void *user, struct gapimg_error *err);
/* Does a recipe "remove" pattern (or a recipe file at the same path)
 * take this normalised path away? */
int bld_removed(const struct bld *b, const char *norm);
int bld_glob_match(const char *pattern, const char *path);

/* deb.c / rpm.c */
int bld_unpack_deb(struct bld *b, struct bld_pkg *pkg, struct gapimg_error *err);
int bld_unpack_rpm(struct bld *b, struct bld_pkg *pkg, struct gapimg_error *err);
int bld_rpm_verify(struct bld *b, struct bld_pkg *pkg, struct gapimg_error *err);
int bld_rpm_check_conflicts(struct bld *b, struct gapimg_error *err);
void bld_rpm_free(struct bld_pkg *pkg);
/* librpm's configuration and logging, once per process. */
int bld_rpm_init(struct gapimg_error *err);

/* configure.c: accounts, owners, ld.so cache, alternatives; then, once
 * the recipe's content is in, the account files themselves. */
int bld_configure(struct bld *b, struct gapimg_error *err);
int bld_write_accounts(struct bld *b, struct gapimg_error *err);
/* Only the accounts and the owners ('scripts run': the scripts do the
 * rest). */
int bld_configure_owners(struct bld *b, struct gapimg_error *err);
int bld_add_recipe_accounts(struct bld *b, struct accounts *a, struct gapimg_error *err);
/* A name or decimal id into an id, against the image's accounts. */
int bld_user_id(struct bld *b, const char *name, uint32_t *id);
int bld_group_id(struct bld *b, const char *name, uint32_t *id);
/* dpkgdb.c / rpmdb.c: the package database inside the image. */
int bld_write_dpkg_db(struct bld *b, struct gapimg_error *err);
int bld_write_rpmdb(struct bld *b, struct gapimg_error *err);
/* content.c: the recipe's own files, links, env and units. */
int bld_add_content(struct bld *b, struct gapimg_error *err);
/* manifest.c: the manifest's canonical JSON text (malloc'd). */
int bld_manifest_text(struct bld *b, const struct gapimg_sqfs_stats *st,
		      char **out, struct gapimg_error *err);

/* stage.c: the staged tree of 'scripts run'. */
int bld_stage_create(struct bld *b, struct gapimg_error *err);
/* Write a streamed regular file's data to the stage (a Debian conffile as
 * NAME.dpkg-new). */
int bld_stage_data(struct bld *b, struct gapimg_dentry *d, const char *norm,
		   int conffile, struct gapimg_error *err);
/* Write the rest of the tree (folders, links, generated files, owners,
 * modes, capabilities, mtimes) to the stage. */
int bld_stage_materialise(struct bld *b, struct gapimg_error *err);
/* Apply the recipe's removals on disk, then read the stage back as the
 * image tree. */
int bld_stage_read_back(struct bld *b, struct gapimg_error *err);
/* scripts.c */
int bld_run_deb_scripts(struct bld *b, struct gapimg_error *err);
int bld_run_rpm_transaction(struct bld *b, struct gapimg_error *err);
/* normalise.c: what scripts leave that differs from build to build. */
int bld_normalise(struct bld *b, struct gapimg_error *err);
/* The recipe's users and groups added to the accounts the scripts made;
 * those accounts become b->acct (owners of the recipe's content). */
int bld_stage_accounts(struct bld *b, struct gapimg_error *err);
/* dpkgdb.c: NAME, or NAME:ARCH for Multi-Arch: same (malloc'd). */
char *bld_dpkg_info_name(const struct bld_pkg *p);

/* wheels.c: the locked wheels into the tree (declarative builds) or into
 * the staged tree (on_disk, after the scripts ran). */
int bld_install_wheels(struct bld *b, int on_disk, struct gapimg_error *err);
/* The image's site folders and interpreter for the recipe's Python. */
int bld_wheel_paths(const struct bld *b, char *purelib, char *platlib, size_t size,
		    char *interpreter, size_t isize);
/* scripts.c: byte-compile the wheels' .py files with the image's Python,
 * in the sandbox ('python ... bytecode=on'). */
int bld_compile_wheels(struct bld *b, struct gapimg_error *err);

/* Add a generated regular file (0644 unless mode says, 0:0, epoch). */
int bld_add_generated(struct bld *b, const char *path, const void *data,
		      size_t len, uint16_t mode, struct gapimg_error *err);
const struct bld_text *bld_text(const struct bld *b, const char *path);
/* Free what a package or the whole context holds (the fuzz harness
 * builds contexts of its own). */
void bld_pkg_release(struct bld_pkg *p);
void bld_release(struct bld *b);
/* Remove a scratch folder and everything in it (best effort). */
void bld_remove_tree(const char *path);

#endif
