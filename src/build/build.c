/*
 * gapimg_build: the stages in order.  Every package is fetched and
 * verified before the first byte of any payload is unpacked; payloads
 * stream into the image writer in install order; then the declarative
 * configuration, the package database and the recipe's content; the
 * writer moves the image into place only when everything succeeded.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ldcache.h"
#include "debalt.h"
#include "accounts.h"
#include "gapimg/atomic.h"
#include "gapimg/sign.h"
#include "gapimg/source.h"

void bld_progress(struct bld *b, enum gapimg_build_stage stage,
		  const char *package, size_t done)
{
	struct gapimg_build_progress p = { stage, package, done, b->npkgs, 0, 0 };
	size_t i;

	if (b->opts->progress == NULL)
		return;
	for (i = 0; i < b->npkgs; i++) {
		p.bytes_total += b->pkgs[i].pkg->size;
		if (i < done)
			p.bytes_done += b->pkgs[i].pkg->size;
	}
	b->opts->progress(&p, b->opts->progress_user);
}

int bld_note(struct bld *b, const char *fmt, ...)
{
	struct gapimg_build_result *r = b->result;
	char **n = realloc(r->notes, (r->nnotes + 1) * sizeof(*n));
	va_list ap;
	int rc;

	if (n == NULL)
		return -1;
	r->notes = n;
	va_start(ap, fmt);
	rc = vasprintf(&n[r->nnotes], fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	r->nnotes++;
	return 0;
}

int bld_add_generated(struct bld *b, const char *path, const void *data,
		      size_t len, uint16_t mode, struct gapimg_error *err)
{
	struct gapimg_node_spec spec = {
		.type = GAPIMG_FT_REG, .mode = mode, .mtime = b->epoch,
		.size = len,
	};
	char *what = NULL;

	if (asprintf(&what, "%s (made by gapimg)", path) < 0)
		return gapimg_error_nomem(err);
	spec.src = gapimg_source_memory(data, len, what, err);
	if (spec.src == NULL) {
		free(what);
		return -1;
	}
	if (gapimg_fstree_add(b->tree, path, &spec, what,
			      GAPIMG_ADD_PARENTS | GAPIMG_ADD_REPLACE, err) == NULL) {
		free(what);
		return -1;
	}
	free(what);
	return 0;
}

static int cmp_order(const void *x, const void *y)
{
	const struct bld_pkg *a = x, *b = y;

	return a->pkg->order < b->pkg->order ? -1 : a->pkg->order > b->pkg->order;
}

/* Never follows a symbolic link: the staged tree's links point into the
 * image, and an absolute one would name the host's files. */
void bld_remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);

	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *p;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (asprintf(&p, "%s/%s", path, de->d_name) < 0)
				continue;
			bld_remove_tree(p);
			free(p);
		}
		closedir(d);
	}
	if (rmdir(path) < 0)
		unlink(path);
}

char *gapimg_default_package_cache(const char *cache_dir)
{
	char *base = cache_dir ? strdup(cache_dir) : gapimg_default_cache_dir(), *p;

	if (base == NULL)
		return NULL;
	if (asprintf(&p, "%s/packages", base) < 0)
		p = NULL;
	free(base);
	return p;
}

/* The writer reports bytes while it stores file data: payloads during
 * the unpack stage, what is left (generated files) when it finishes. */
static void on_write(const struct gapimg_sqfs_progress *p, void *user)
{
	struct bld *b = user;

	struct gapimg_build_progress bp = {
		GAPIMG_STAGE_WRITE, NULL, p->files_done, p->files_total,
		p->bytes_done, p->bytes_total,
	};

	if (b->writing && b->opts->progress)
		b->opts->progress(&bp, b->opts->progress_user);
}

/* The finished image, before it is moved into place: its digest, the
 * manifest that states it, and with a key the signature trailer that
 * follows it in the same file. */
static int on_sealing(int fd, const struct gapimg_sqfs_stats *st, void *user,
		      unsigned char **tail, size_t *tail_len, struct gapimg_error *err)
{
	struct bld *b = user;
	uint8_t sum[GAPIMG_SHA256_LEN];
	struct gapimg_seal seal;

	if (gapimg_sha256_fd_range(fd, 0, st->bytes, b->opts->output, sum, err) < 0)
		return -1;
	gapimg_hex(sum, sizeof(sum), b->result->sha256);
	b->result->bytes = st->bytes;
	b->result->inodes = st->inodes;
	if (bld_manifest_text(b, st, &b->manifest, err) < 0)
		return -1;
	if (b->opts->sign_key == NULL)
		return 0;
	if (gapimg_seal_from_manifest(b->manifest, strlen(b->manifest), &seal, err) < 0 ||
	    gapimg_trailer_make(b->opts->sign_key, &seal, b->manifest, strlen(b->manifest),
				tail, tail_len, err) < 0)
		return -1;
	/* The detached copy before the image is in place, as gapimg sign
	 * does: a failure leaves the old image and no new signature. */
	if (b->opts->detached_sig &&
	    gapimg_write_file_atomic(b->opts->detached_sig, *tail, *tail_len, err) < 0)
		return -1;
	return 0;
}

static int make_writer(struct bld *b, struct gapimg_error *err)
{
	struct gapimg_sqfs_opts o;

	gapimg_sqfs_opts_init(&o);
	if (gapimg_sqfs_parse_comp(b->plan->compression ? b->plan->compression : "zstd",
				   &o, err) < 0)
		return -1;
	o.level = b->plan->level >= 0 ? b->plan->level : GAPIMG_LEVEL_DEFAULT;
	if (b->plan->block_size)
		o.block_size = b->plan->block_size;
	o.threads = b->opts->threads;
	o.epoch = b->epoch;
	/* Package files keep their own mtimes, clamped to the epoch, as
	 * dpkg and rpm would leave them; gapimg's files get the epoch. */
	o.mtime = GAPIMG_MTIME_CLAMP;
	if (gapimg_sqfs_opts_check(&o, err) < 0)
		return -1;
	b->writer = gapimg_sqfs_writer_create(b->opts->output, &o, err);
	if (b->writer == NULL)
		return -1;
	gapimg_sqfs_writer_set_progress(b->writer, on_write, b);
	gapimg_sqfs_writer_set_seal(b->writer, on_sealing, b);
	return 0;
}

void bld_pkg_release(struct bld_pkg *p)
{
	size_t i;

	free(p->label);
	free(p->file);
	free(p->license);
	free(p->control);
	for (i = 0; i < p->nmembers; i++) {
		free(p->members[i].path);
		free(p->members[i].origin);
		strbuf_release(&p->members[i].text);
	}
	free(p->members);
	for (i = 0; i < p->nconffiles; i++) {
		free(p->conffiles[i]);
		free(p->conffile_md5[i]);
	}
	free(p->conffiles);
	free(p->conffile_md5);
	for (i = 0; i < p->nreplaces; i++)
		free(p->replaces[i]);
	free(p->replaces);
	strbuf_release(&p->list);
	bld_rpm_free(p);
}

void bld_release(struct bld *b)
{
	size_t i;

	for (i = 0; i < b->npkgs; i++)
		bld_pkg_release(&b->pkgs[i]);
	free(b->pkgs);
	for (i = 0; i < b->nwheels; i++)
		bld_pkg_release(&b->wheels[i]);
	free(b->wheels);
	for (i = 0; i < b->npyfiles; i++)
		free(b->pyfiles[i]);
	free(b->pyfiles);
	for (i = 0; i < b->ntexts; i++) {
		free(b->texts[i].path);
		free(b->texts[i].origin);
		strbuf_release(&b->texts[i].text);
	}
	free(b->texts);
	for (i = 0; i < b->nowners; i++) {
		free(b->owners[i].path);
		free(b->owners[i].user);
		free(b->owners[i].group);
		free(b->owners[i].origin);
	}
	free(b->owners);
	if (b->ldcache)
		ldcache_free(b->ldcache);
	if (b->alts)
		debalt_free(b->alts, b->nalts);
	if (b->acct)
		accounts_free(b->acct);
	if (b->writer)
		gapimg_sqfs_writer_destroy(b->writer);
	if (b->tree)
		gapimg_fstree_free(b->tree);
	if (b->tmp_cache) {
		bld_remove_tree(b->tmp_cache);
		free(b->tmp_cache);
	}
	if (b->stage) {
		if (b->opts && b->opts->keep_staging && b->result)
			b->result->staging = b->stage;
		else {
			bld_remove_tree(b->stage);
			free(b->stage);
		}
	}
	for (i = 0; i < b->nnormalised; i++)
		free(b->normalised[i].path);
	free(b->normalised);
	free(b->manifest);
}

/* 'scripts run': stage the payloads on disk, run the scripts in the
 * sandbox, normalise what they left, and read the tree back. */
static int build_staged(struct bld *b, struct gapimg_error *err)
{
	size_t i;

	if (bld_stage_create(b, err) < 0)
		return -1;
	if (b->res->family == GAPIMG_FAMILY_DEB) {
		if ((b->tree = gapimg_fstree_new(err)) == NULL)
			return -1;
		if ((b->ldcache = ldcache_new()) == NULL)
			return gapimg_error_nomem(err);
		for (i = 0; i < b->npkgs; i++) {
			bld_progress(b, GAPIMG_STAGE_UNPACK, b->pkgs[i].pkg->name, i);
			if (bld_unpack_deb(b, &b->pkgs[i], err) < 0)
				return -1;
		}
		bld_progress(b, GAPIMG_STAGE_UNPACK, NULL, b->npkgs);
		if (bld_configure_owners(b, err) < 0 || bld_write_dpkg_db(b, err) < 0 ||
		    bld_stage_materialise(b, err) < 0 || bld_run_deb_scripts(b, err) < 0)
			return -1;
	} else if (bld_run_rpm_transaction(b, err) < 0) {
		return -1;
	}
	/* pip runs after the OS is installed: so do the wheels */
	if (bld_install_wheels(b, 1, err) < 0 || bld_compile_wheels(b, err) < 0)
		return -1;
	bld_progress(b, GAPIMG_STAGE_CONFIGURE, NULL, 0);
	/* Texts captured while unpacking are stale now: the stage is the
	 * truth (bld_text reads it). */
	for (i = 0; i < b->ntexts; i++) {
		free(b->texts[i].path);
		free(b->texts[i].origin);
		strbuf_release(&b->texts[i].text);
	}
	b->ntexts = 0;
	b->read_back = 1;
	if (bld_normalise(b, err) < 0 || bld_stage_accounts(b, err) < 0 ||
	    bld_stage_read_back(b, err) < 0 || bld_add_content(b, err) < 0)
		return -1;
	return make_writer(b, err);
}

int gapimg_build(const struct gapimg_plan *plan,
		 const struct gapimg_resolution *res,
		 const struct gapimg_build_opts *opts,
		 struct gapimg_build_result *result, struct gapimg_error *err)
{
	struct gapimg_sqfs_stats st;
	struct bld b;
	size_t i;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	memset(result, 0, sizeof(*result));
	b.plan = plan;
	b.res = res;
	b.opts = opts;
	b.result = result;
	b.epoch = plan->epoch;

	b.scripts = opts->scripts >= 0 ? opts->scripts : plan->scripts == GAPIMG_SCRIPTS_RUN;
	b.pkgs = calloc(res->npackages + 1, sizeof(*b.pkgs));
	b.wheels = calloc(res->npackages + 1, sizeof(*b.wheels));
	if (b.pkgs == NULL || b.wheels == NULL)
		goto nomem;
	for (i = 0; i < res->npackages; i++) {
		struct bld_pkg *p = res->packages[i].wheel ? &b.wheels[b.nwheels++]
							   : &b.pkgs[b.npkgs++];

		p->pkg = &res->packages[i];
		p->wheel = res->packages[i].wheel;
		strbuf_init(&p->list);
		if (asprintf(&p->label, "%s %s", res->packages[i].name,
			     res->packages[i].evr) < 0)
			goto nomem;
	}
	qsort(b.pkgs, b.npkgs, sizeof(*b.pkgs), cmp_order);
	qsort(b.wheels, b.nwheels, sizeof(*b.wheels), cmp_order);
	if (b.nwheels && plan->python == NULL) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s: the lock has wheels, but the "
				 "recipe has no 'python' line", plan->recipe);
		goto out;
	}
	/* Only the image's own interpreter can byte-compile, and it runs
	 * only in the sandbox of 'scripts run'. */
	if (b.nwheels && plan->bytecode && !b.scripts) {
		gapimg_error_set(err, GAPIMG_E_UNSUPPORTED, "%s: 'python %s bytecode=on' "
				 "byte-compiles the wheels with the image's own "
				 "interpreter, which runs only in the sandbox of 'scripts "
				 "run': add 'scripts run' to the recipe, or set bytecode=off",
				 plan->recipe, plan->python);
		goto out;
	}
	if (opts->pkg_cache == NULL) {
		const char *tmp = getenv("TMPDIR");

		if (asprintf(&b.tmp_cache, "%s/gapimg-packages-XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") < 0)
			goto nomem;
		if (mkdtemp(b.tmp_cache) == NULL) {
			gapimg_error_errno(err, errno, "cannot create %s", b.tmp_cache);
			free(b.tmp_cache);
			b.tmp_cache = NULL;
			goto out;
		}
	}
	result->npackages = b.npkgs;
	result->nwheels = b.nwheels;

	/* 1. Everything verified before anything is unpacked. */
	if (bld_fetch_all(&b, err) < 0)
		goto out;
	if (res->family == GAPIMG_FAMILY_RPM && bld_rpm_check_conflicts(&b, err) < 0)
		goto out;

	if (b.scripts) {
		if (build_staged(&b, err) < 0)
			goto out;
		goto write;
	}

	/* 2. Payloads, in install order, straight into the image. */
	if ((b.tree = gapimg_fstree_new(err)) == NULL)
		goto out;
	if ((b.ldcache = ldcache_new()) == NULL)
		goto nomem;
	if (make_writer(&b, err) < 0)
		goto out;
	for (i = 0; i < b.npkgs; i++) {
		bld_progress(&b, GAPIMG_STAGE_UNPACK, b.pkgs[i].pkg->name, i);
		if (res->family == GAPIMG_FAMILY_DEB ? bld_unpack_deb(&b, &b.pkgs[i], err)
						     : bld_unpack_rpm(&b, &b.pkgs[i], err))
			goto out;
	}
	if (bld_install_wheels(&b, 0, err) < 0)
		goto out;
	bld_progress(&b, GAPIMG_STAGE_UNPACK, NULL, b.npkgs);

	/* 3. What the scripts would have done, and the package database. */
	bld_progress(&b, GAPIMG_STAGE_CONFIGURE, NULL, 0);
	if (bld_configure(&b, err) < 0 || bld_add_content(&b, err) < 0 ||
	    bld_write_accounts(&b, err) < 0)
		goto out;
	if ((res->family == GAPIMG_FAMILY_DEB ? bld_write_dpkg_db(&b, err)
					       : bld_write_rpmdb(&b, err)) < 0)
		goto out;

	/* 4. The image, then its manifest. */
write:
	b.writing = 1;
	if (gapimg_sqfs_writer_finish(b.writer, b.tree, &st, err) < 0)
		goto out;
	/* The image is in place (signed when asked); its manifest beside
	 * it follows. */
	if (gapimg_write_file_atomic(opts->manifest, b.manifest, strlen(b.manifest), err) < 0)
		goto out;
	rc = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	bld_release(&b);
	return rc;
}

void gapimg_build_result_free(struct gapimg_build_result *r)
{
	size_t i;

	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	r->notes = NULL;
	free(r->staging);
	r->staging = NULL;
	free(r->script_output);
	r->script_output = NULL;
	r->nnotes = 0;
}
