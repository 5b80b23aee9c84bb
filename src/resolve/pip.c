/*
 * The recipe's pip requirements as solver jobs: each one asks for
 * python3dist(NAME) with its specifier (and python3dist(NAME[EXTRA]) for
 * each extra), which a wheel or an OS package that provides it can
 * satisfy.  A requirement whose marker is false for the image is left
 * out with a note; one that nothing can satisfy becomes a problem that
 * says what the mirrors do have and which wheels were left out, and why.
 */
#include "resolve/internal.h"

#include <stdlib.h>
#include <string.h>

#include <solv/selection.h>
#include <solv/solvable.h>

#include "gapimg/strbuf.h"
#include "python/marker.h"

static void note(struct gapimg_resolution *res, char *msg)
{
	char **v;

	if (msg == NULL)
		return;
	v = realloc(res->notes, (res->nnotes + 1) * sizeof(*v));
	if (v == NULL) {
		free(msg);
		return;
	}
	res->notes = v;
	v[res->nnotes++] = msg;
}

/* What the pool has under the name, and what the loader left out. */
static void explain(struct rsv *r, const char *name, struct strbuf *why)
{
	Pool *pool = r->pool;
	struct strbuf cap = STRBUF_INIT;
	Id dep, p, pp;
	int n = 0, shown = 0;

	strbuf_addf(&cap, "python3dist(%s)", name);
	dep = pool_str2id(pool, cap.buf, 0);
	if (dep) {
		FOR_PROVIDES(p, pp, dep) {
			if (n++ < 6)
				strbuf_addf(why, "%s%s", n == 1 ? "; the mirrors have " : ", ",
					    rsv_pkg(r, p));
		}
		if (n > 6)
			strbuf_addf(why, " and %d more", n - 6);
	}
	if (n == 0)
		strbuf_addf(why, "; no wheel or package in the mirrors provides %s", name);
	for (size_t i = 0; i < r->wk.nskips; i++) {
		if (strcmp(r->wk.skips[i].name, name) != 0)
			continue;
		if (shown++ < 6)
			strbuf_addf(why, "%s%s", shown == 1 ? "; left out: " : ", ",
				    r->wk.skips[i].why);
	}
	if (shown > 6)
		strbuf_addf(why, " and %d more", shown - 6);
	strbuf_release(&cap);
}

static int no_match(struct rsv *r, const struct gapimg_plan_requirement *q, const char *what)
{
	struct strbuf why = STRBUF_INIT;
	char *summary = NULL, *sol = NULL;
	int rc;

	strbuf_addf(&why, "%s:%u:%u: pip %s: %s", q->span.file ? q->span.file : "recipe",
		    q->span.line, q->span.col, q->text, what);
	explain(r, q->name, &why);
	summary = strbuf_detach(&why);
	if (asprintf(&sol, "change the requirement at %s:%u:%u, or add a wheel that "
		     "satisfies it to the mirror", q->span.file ? q->span.file : "recipe",
		     q->span.line, q->span.col) < 0)
		sol = NULL;
	rc = rsv_add_problem(r->res, summary, NULL, 0, &sol, 1);
	free(summary);
	free(sol);
	return rc < 0 ? gapimg_error_nomem(r->err) : 0;
}

static int add_requirement(struct rsv *r, const struct gapimg_plan_requirement *q)
{
	Pool *pool = r->pool;
	struct strbuf cap = STRBUF_INIT, text = STRBUF_INIT;
	Repo *only = NULL;
	char msg[512];
	int rc = 0;

	if (q->marker) {
		struct pymarker_target t;
		int v;

		pymarker_target_init(&t, r->wt.python, r->wt.machine);
		v = pymarker_eval(q->marker, &t.env, msg, sizeof(msg));
		if (v < 0)
			return gapimg_error_set(r->err, GAPIMG_E_INVALID, "%s:%u:%u: pip %s: %s",
						q->span.file ? q->span.file : "recipe", q->span.line,
						q->span.col, q->text, msg);
		if (v == 0) {
			char *s = NULL;

			if (asprintf(&s, "%s:%u:%u: pip %s: the marker is false for the image "
				     "(Python %s on %s), so it is not installed",
				     q->span.file ? q->span.file : "recipe",
				     q->span.line, q->span.col, q->text,
				     t.env.python_full_version, r->wt.machine) < 0)
				s = NULL;
			note(r->res, s);
			return 0;
		}
	}
	if (q->mirror && (only = rsv_repo_by_id(r, q->mirror)) == NULL)
		return gapimg_error_set(r->err, GAPIMG_E_INTERNAL,
					"pip %s names mirror %s, which was not loaded", q->text,
					q->mirror);
	strbuf_addf(&text, "pip %s", q->text);
	if (only)
		strbuf_addf(&text, " mirror=%s", only->name);
	for (size_t e = 0; e <= q->nextras && rc == 0; e++) {
		Queue sel, f;
		Id dep;

		strbuf_reset(&cap);
		if (e == 0)
			strbuf_addf(&cap, "python3dist(%s)", q->name);
		else
			strbuf_addf(&cap, "python3dist(%s[%s])", q->name, q->extras[e - 1]);
		dep = wheel_dep(pool, &r->wk, r->wt.deb, cap.buf, q->specifier, q->text,
				msg, sizeof(msg));
		if (dep == 0) {
			if (strcmp(msg, "out of memory") == 0)
				rc = gapimg_error_nomem(r->err);
			else
				rc = gapimg_error_set(r->err, GAPIMG_E_INVALID, "%s:%u:%u: pip %s: %s",
						      q->span.file ? q->span.file : "recipe",
						      q->span.line, q->span.col, q->text, msg);
			break;
		}
		queue_init(&sel);
		queue_push2(&sel, SOLVER_SOLVABLE_PROVIDES, dep);
		if (only) {
			queue_init(&f);
			queue_push2(&f, SOLVER_SOLVABLE_REPO | SOLVER_SETREPO, only->repoid);
			selection_filter(pool, &sel, &f);
			queue_free(&f);
		}
		{
			Queue pkgs;

			queue_init(&pkgs);
			selection_solvables(pool, &sel, &pkgs);
			if (pkgs.count == 0) {
				struct strbuf what = STRBUF_INIT;

				if (e == 0)
					strbuf_addf(&what, "nothing in %s%s satisfies it",
						    only ? "mirror " : "the mirrors",
						    only ? only->name : "");
				else
					strbuf_addf(&what, "no version that satisfies it has the "
						    "extra '%s'", q->extras[e - 1]);
				rc = no_match(r, q, what.buf);
				strbuf_release(&what);
			}
			for (int i = 0; pkgs.count && i < sel.count && rc == 0; i += 2)
				rc = rsv_push_job(r, sel.elements[i] | SOLVER_INSTALL |
						  (r->opts->best ? SOLVER_FORCEBEST : 0),
						  sel.elements[i + 1], text.buf, &q->span);
			queue_free(&pkgs);
		}
		queue_free(&sel);
	}
	strbuf_release(&cap);
	strbuf_release(&text);
	return rc;
}

int rsv_add_pip_jobs(struct rsv *r)
{
	for (size_t i = 0; i < r->plan->nrequirements; i++)
		if (add_requirement(r, &r->plan->requirements[i]) < 0)
			return -1;
	return 0;
}
