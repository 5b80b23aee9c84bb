/*
 * The solver's jobs, from the plan: install lines (a name, a capability
 * or a file, with an optional version constraint and mirror), and the
 * Debian base set.  A request that matches nothing becomes a problem
 * before solving, with the reason when gapimg can tell it (excluded, in
 * another mirror, wrong architecture).
 */
#include "resolve/internal.h"

#include <stdlib.h>
#include <string.h>

#include <solv/selection.h>
#include <solv/solvable.h>

#include "gapimg/strbuf.h"
#include "mirror/mirror.h"

int rsv_push_job(struct rsv *r, Id how, Id what, const char *text,
		 const struct gapimg_span *span)
{
	struct job_origin *v = realloc(r->origins, (r->norigins + 1) * sizeof(*v));

	if (v == NULL)
		return gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
	r->origins = v;
	v[r->norigins].text = strdup(text);
	if (span)
		v[r->norigins].span = *span;
	else
		memset(&v[r->norigins].span, 0, sizeof(*span));
	r->norigins++;
	queue_push2(&r->job, how, what);
	return 0;
}

static char *where(const struct gapimg_span *sp)
{
	char *s = NULL;

	if (sp && sp->file && asprintf(&s, "%s:%u:%u", sp->file, sp->line, sp->col) < 0)
		s = NULL;
	return s;
}

static int request_problem(struct rsv *r, const struct gapimg_plan_package *ip,
			   const char *spec, const char *why)
{
	char *loc = where(&ip->span), *summary = NULL, *sol = NULL;
	int rc;

	if (asprintf(&summary, "%s: install %s: %s", loc ? loc : "recipe", spec, why) < 0)
		summary = NULL;
	if (asprintf(&sol, "remove \"%s\" from the install line at %s, or add a mirror "
		     "that has it", spec, loc ? loc : "the recipe") < 0)
		sol = NULL;
	rc = rsv_add_problem(r->res, summary, NULL, 0, &sol, 1);
	free(loc);
	free(summary);
	free(sol);
	return rc;
}

/* Why a spec matched nothing: look again without the filters. */
static int explain_no_match(struct rsv *r, const struct gapimg_plan_package *ip,
			    const char *spec, int flags, Repo *only)
{
	Pool *pool = r->pool;
	Queue sel, pkgs;
	struct strbuf why = STRBUF_INIT;
	int rc;

	queue_init(&sel);
	queue_init(&pkgs);
	if (only && selection_make(pool, &sel, spec, flags)) {
		const char *in = NULL;

		selection_solvables(pool, &sel, &pkgs);
		if (pkgs.count)
			in = pool_id2solvable(pool, pkgs.elements[0])->repo->name;
		strbuf_addf(&why, "mirror %s has no package that matches it, but mirror %s "
			    "does (drop mirror=%s, or add the package to mirror %s)",
			    only->name, in ? in : "?", only->name, only->name);
	} else if (queue_empty(&sel), selection_make(pool, &sel, spec, flags | SELECTION_WITH_DISABLED)) {
		strbuf_addf(&why, "it matches only packages that an exclude line removes");
		for (size_t i = 0; i < r->plan->nexcludes; i++) {
			const struct gapimg_plan_glob *g = &r->plan->excludes[i];

			if (g->span.file)
				strbuf_addf(&why, "%s exclude \"%s\" at %s:%u:%u", i ? "," : ":",
					    g->pattern, g->span.file, g->span.line, g->span.col);
		}
	} else if (queue_empty(&sel), selection_make(pool, &sel, spec, flags | SELECTION_WITH_BADARCH)) {
		selection_solvables(pool, &sel, &pkgs);
		strbuf_addf(&why, "only %s matches, which is not for the image's architecture %s",
			    pkgs.count ? rsv_pkg(r, pkgs.elements[0]) : "a package", r->res->arch);
	} else if (ip->op != GAPIMG_REL_ANY &&
		   (queue_empty(&sel), selection_make(pool, &sel, ip->name, flags & ~SELECTION_REL))) {
		struct strbuf have = STRBUF_INIT;

		selection_solvables(pool, &sel, &pkgs);
		for (int i = 0; i < pkgs.count && i < 5; i++)
			strbuf_addf(&have, "%s%s", i ? ", " : "", rsv_pkg(r, pkgs.elements[i]));
		if (pkgs.count > 5)
			strbuf_addf(&have, " and %d more", pkgs.count - 5);
		strbuf_addf(&why, "no version matches the constraint; the mirrors have %s", have.buf);
		strbuf_release(&have);
	} else {
		strbuf_addf(&why, "no package in any mirror has this name, provides it "
			    "or contains this file");
	}
	queue_free(&sel);
	queue_free(&pkgs);
	rc = request_problem(r, ip, spec, why.buf);
	strbuf_release(&why);
	return rc;
}

static int add_install(struct rsv *r, const struct gapimg_plan_package *ip)
{
	Pool *pool = r->pool;
	struct strbuf spec = STRBUF_INIT, text = STRBUF_INIT;
	int flags = SELECTION_NAME | SELECTION_PROVIDES | SELECTION_FILELIST;
	Repo *only = NULL;
	Queue sel;
	int rc = 0;

	strbuf_addstr(&spec, ip->name);
	if (ip->op != GAPIMG_REL_ANY) {
		strbuf_addf(&spec, " %s %s", gapimg_relop_name(ip->op), ip->version);
		flags |= SELECTION_REL;
	}
	if (ip->mirror) {
		only = rsv_repo_by_id(r, ip->mirror);
		if (only == NULL)
			return gapimg_error_set(r->err, GAPIMG_E_INTERNAL,
						"install %s names mirror %s, which was not loaded",
						ip->name, ip->mirror);
	}
	queue_init(&sel);
	if (selection_make(pool, &sel, spec.buf, flags) && only) {
		Queue f;

		queue_init(&f);
		queue_push2(&f, SOLVER_SOLVABLE_REPO | SOLVER_SETREPO, only->repoid);
		selection_filter(pool, &sel, &f);
		queue_free(&f);
	}
	if (sel.count == 0) {
		rc = explain_no_match(r, ip, spec.buf, flags, only);
		goto out;
	}
	strbuf_addf(&text, "install %s", spec.buf);
	if (only)
		strbuf_addf(&text, " mirror=%s", only->name);
	for (int i = 0; i < sel.count; i += 2) {
		Id how = sel.elements[i] | SOLVER_INSTALL;

		if (r->opts->best)
			how |= SOLVER_FORCEBEST;
		if (rsv_push_job(r, how, sel.elements[i + 1], text.buf, &ip->span) < 0) {
			rc = -1;
			goto out;
		}
	}
out:
	queue_free(&sel);
	strbuf_release(&spec);
	strbuf_release(&text);
	return rc;
}

static int cmp_id_str(const void *a, const void *b, void *pool)
{
	return strcmp(pool_id2str(pool, *(const Id *)a), pool_id2str(pool, *(const Id *)b));
}

/* Debian's Essential: yes packages (and Priority: required ones), by
 * name, as debootstrap and mmdebstrap add them. */
static int add_debian_base(struct rsv *r)
{
	Pool *pool = r->pool;
	Id kess = pool_str2id(pool, MIRROR_KEY_ESSENTIAL, 1);
	Id kprio = pool_str2id(pool, MIRROR_KEY_PRIORITY, 1);
	int required = r->plan->debian_base == GAPIMG_DEBIAN_BASE_REQUIRED;
	Queue names;
	Id p;
	int rc = 0;

	queue_init(&names);
	for (p = 2; p < pool->nsolvables; p++) {
		Solvable *s = pool_id2solvable(pool, p);
		const char *prio;

		if (!s->repo || !pool_installable(pool, s) ||
		    (r->have_considered && !MAPTST(&r->considered, p)))
			continue;
		prio = solvable_lookup_str(s, kprio);
		if (solvable_lookup_str(s, kess) ||
		    (required && prio && strcmp(prio, "required") == 0))
			queue_pushunique(&names, s->name);
	}
	if (names.count == 0) {
		rc = gapimg_error_set(r->err, GAPIMG_E_NOTFOUND,
				      "debian-base %s: no package in the deb mirrors is %s",
				      required ? "required" : "essential",
				      required ? "Essential: yes or Priority: required"
					       : "Essential: yes");
		goto out;
	}
	solv_sort(names.elements, (size_t)names.count, sizeof(Id), cmp_id_str, pool);
	for (int i = 0; i < names.count; i++) {
		char *text = NULL;

		if (asprintf(&text, "debian-base %s: %s", required ? "required" : "essential",
			     pool_id2str(pool, names.elements[i])) < 0)
			text = NULL;
		rc = rsv_push_job(r, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME |
					     (r->opts->best ? SOLVER_FORCEBEST : 0),
				  names.elements[i], text ? text : "debian-base", NULL);
		free(text);
		if (rc < 0)
			break;
	}
out:
	queue_free(&names);
	return rc;
}

/* Debian policy makes the first of "a | b" the default, and apt installs
 * it when nothing else decides; libsolv has no such rule and picks by name
 * (clang-13 for "g++ | c++-compiler").  After a solve, the first
 * alternative of every such dependency of an installed package that the
 * answer satisfied another way is favoured, and the solve is repeated.
 * Favouring every first alternative in the index up front would be
 * simpler, but thousands of favour jobs make libsolv minutes slower.
 * Returns how many new favours were added. */
int rsv_favor_first_alternatives(struct rsv *r, const Queue *installed)
{
	Pool *pool = r->pool;
	Queue deps;
	Map inst;
	int added = 0;

	map_init(&inst, pool->nsolvables);
	for (int i = 0; i < installed->count; i++)
		MAPSET(&inst, installed->elements[i]);
	queue_init(&deps);
	for (int i = 0; i < installed->count; i++) {
		Solvable *s = pool_id2solvable(pool, installed->elements[i]);

		solvable_lookup_deparray(s, SOLVABLE_REQUIRES, &deps, 0);
		for (int k = 0; k < deps.count; k++) {
			Id dep = deps.elements[k], first, name, p, pp;
			int have = 0;

			if (!ISRELDEP(dep) || GETRELDEP(pool, dep)->flags != REL_OR)
				continue;
			first = dep;
			while (ISRELDEP(first) && GETRELDEP(pool, first)->flags == REL_OR)
				first = GETRELDEP(pool, first)->name;
			FOR_PROVIDES(p, pp, first)
				if (MAPTST(&inst, p))
					have = 1;
			if (have)
				continue;
			name = first;
			while (ISRELDEP(name))
				name = GETRELDEP(pool, name)->name;
			if (r->favored == NULL) {
				r->favored = calloc(1, sizeof(*r->favored));
				if (r->favored == NULL) {
					added = -1;
					break;
				}
				map_init(r->favored, pool->ss.nstrings);
			}
			if (name >= r->favored->size << 3)
				map_grow(r->favored, name + 1);
			if (MAPTST(r->favored, name))
				continue;
			MAPSET(r->favored, name);
			if (rsv_push_job(r, SOLVER_FAVOR | SOLVER_SOLVABLE_NAME, name,
					 "prefer Debian's first alternative", NULL) < 0) {
				added = -1;
				break;
			}
			added++;
		}
		if (added < 0)
			break;
	}
	queue_free(&deps);
	map_free(&inst);
	return added;
}

int rsv_add_jobs(struct rsv *r)
{
	for (size_t i = 0; i < r->plan->ninstalls; i++)
		if (add_install(r, &r->plan->installs[i]) < 0)
			return -1;
	if (r->plan->debian_base != GAPIMG_DEBIAN_BASE_NONE && add_debian_base(r) < 0)
		return -1;
	return rsv_add_pip_jobs(r);
}
