/*
 * The compiler's entry points: lexer and parser (with includes), semantic
 * checks, then the digest.  Nothing is half-done: the plan is returned
 * only when the recipe has no errors.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void release(struct rcompiler *rc)
{
	size_t i;

	for (i = 0; i < rc->nsources; i++) {
		struct rsource *s = rc->sources[i];
		free(s->dir);
		free(s->rel_dir);
		free(s->real);
		free(s->owned);
		free(s);
	}
	free(rc->sources);
	free(rc->stack);
	for (i = 0; i < rc->nstmts; i++)
		rc_tokens_free(rc->stmts[i].toks, rc->stmts[i].ntoks);
	free(rc->stmts);
	for (i = 0; i < rc->nrefs; i++)
		free(rc->refs[i].id);
	free(rc->refs);
}

static struct gapimg_plan *new_plan(void)
{
	struct gapimg_plan *p = calloc(1, sizeof(*p));

	if (p) {
		p->format = GAPIMG_PLAN_FORMAT;
		p->level = -1;
	}
	return p;
}

/* The folder of the main recipe, absolute: what relative paths in the plan
 * are relative to.  The folder the recipe is named in, not the one a
 * symlinked recipe points into: that is where its inputs were read. */
static char *base_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real;

	if (slash == NULL)
		return realpath(".", NULL);
	if ((dir = strndup(path, slash == path ? 1 : (size_t)(slash - path))) == NULL)
		return NULL;
	real = realpath(dir, NULL);
	free(dir);
	return real;
}

struct diag_key {
	size_t file, seq;
	uint32_t line, col;
	struct gapimg_diag diag;
};

static int cmp_key(const void *a, const void *b)
{
	const struct diag_key *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static size_t file_index(const struct gapimg_diags *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (d->files[i] == name)
			return i;
	return d->nfiles;
}

/* Diagnostics come out in the order the recipe is read, not the order the
 * checks ran: by file (as read), line and column, each note staying with
 * the error before it.  Problems with a whole file (line 0) come last. */
static void sort_diags(struct gapimg_diags *d)
{
	struct diag_key *keys, parent = { 0, 0, 0, 0, { 0 } };
	size_t i;

	if (d->n < 2 || (keys = calloc(d->n, sizeof(*keys))) == NULL)
		return;   /* unsorted is still correct */
	for (i = 0; i < d->n; i++) {
		if (d->v[i].level != GAPIMG_DIAG_NOTE || i == 0) {
			parent.file = file_index(d, d->v[i].span.file);
			parent.line = d->v[i].span.line ? d->v[i].span.line : UINT32_MAX;
			parent.col = d->v[i].span.col;
		}
		keys[i] = parent;
		keys[i].seq = i;
		keys[i].diag = d->v[i];
	}
	qsort(keys, d->n, sizeof(*keys), cmp_key);
	for (i = 0; i < d->n; i++)
		d->v[i] = keys[i].diag;
	free(keys);
}

static struct gapimg_plan *finish(struct rcompiler *rc)
{
	struct gapimg_plan *plan = rc->plan;

	/* Check what parsed even after errors: one run shows every problem. */
	if (!rc->nomem && rc_check(rc) < 0)
		rc->nomem = 1;
	if (!rc->nomem && rc->diags->errors == 0 && rc_plan_digest(plan, rc->err) < 0)
		rc->nomem = 1;
	release(rc);
	sort_diags(rc->diags);
	if (rc->nomem || rc->diags->errors) {
		gapimg_plan_free(plan);
		return NULL;
	}
	return plan;
}

static int start(struct rcompiler *rc, const char *name, unsigned flags,
		 struct gapimg_diags *diags, struct gapimg_error *err)
{
	memset(rc, 0, sizeof(*rc));
	rc->flags = flags;
	rc->diags = diags;
	rc->err = err;
	if ((rc->plan = new_plan()) == NULL || (rc->plan->recipe = strdup(name)) == NULL) {
		gapimg_plan_free(rc->plan);
		return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
	}
	return 0;
}

struct gapimg_plan *gapimg_recipe_compile(const char *path, unsigned flags,
					  struct gapimg_diags *diags,
					  struct gapimg_error *err)
{
	struct rcompiler rc;

	if (start(&rc, path, flags, diags, err) < 0)
		return NULL;
	if (rc_parse_file(&rc, path, NULL, NULL) < 0)
		rc.nomem = 1;
	if (rc.nsources == 0 || rc.sources[0]->data == NULL) {
		release(&rc);         /* the recipe itself could not be read */
		gapimg_plan_free(rc.plan);
		return NULL;
	}
	if (!(flags & GAPIMG_COMPILE_NO_FILES) && (rc.plan->base_dir = base_dir_of(path)) == NULL) {
		struct gapimg_span whole = { rc.sources[0]->name, 0, 0, 0 };
		rc_error(&rc, NULL, whole, NULL, "cannot resolve the folder of %s: %s", path,
			 strerror(errno));
	}
	return finish(&rc);
}

struct gapimg_plan *gapimg_recipe_compile_buffer(const char *name, const char *data,
						 size_t len, unsigned flags,
						 struct gapimg_diags *diags,
						 struct gapimg_error *err)
{
	struct rcompiler rc;

	if (start(&rc, name, flags, diags, err) < 0)
		return NULL;
	/* Relative paths in text without a file are relative to here. */
	rc.plan->base_dir = realpath(".", NULL);
	if (rc_parse_buffer(&rc, name, data, len) < 0)
		rc.nomem = 1;
	return finish(&rc);
}
