/*
 * Problems in plain words.  libsolv knows why a request fails as rules;
 * each rule is described here with the packages' full versions and the
 * mirror they come from, and each job with the recipe line that asked
 * for it.  Causes are sorted and repeated causes dropped (libsolv often
 * gives one reason through several rules).
 */
#include "resolve/internal.h"

#include <stdlib.h>
#include <string.h>

#include <solv/poolarch.h>
#include <solv/problems.h>
#include <solv/rules.h>
#include <solv/solvable.h>

#include "gapimg/strbuf.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void rsv_sort_strings(char **v, size_t *n)
{
	size_t k = 0;

	if (*n == 0)
		return;
	qsort(v, *n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < *n; i++) {
		if (k > 0 && strcmp(v[k - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	*n = k;
}

static char **dup_strings(char **v, size_t n)
{
	char **out = calloc(n ? n : 1, sizeof(*out));

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = strdup(v[i] ? v[i] : "");
	return out;
}

int rsv_add_problem(struct gapimg_resolution *res, const char *summary,
		    char **causes, size_t ncauses, char **solutions, size_t nsolutions)
{
	struct gapimg_problem *v = realloc(res->problems, (res->nproblems + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	res->problems = v;
	v += res->nproblems++;
	v->summary = strdup(summary ? summary : "the request cannot be satisfied");
	v->causes = dup_strings(causes, ncauses);
	v->ncauses = ncauses;
	v->solutions = dup_strings(solutions, nsolutions);
	v->nsolutions = nsolutions;
	rsv_sort_strings(v->causes, &v->ncauses);
	return 0;
}

static char *job_text(struct rsv *r, Id jobidx)
{
	const struct job_origin *o;
	char *s = NULL;

	if (jobidx < 0 || (size_t)(jobidx / 2) >= r->norigins)
		return strdup("a request");
	o = &r->origins[jobidx / 2];
	if (o->span.file) {
		if (asprintf(&s, "%s (%s:%u:%u)", o->text, o->span.file, o->span.line,
			     o->span.col) < 0)
			s = NULL;
	} else {
		s = strdup(o->text);
	}
	return s;
}

/* Two versions of one name, in a stable order: libsolv reports the pair
 * both ways round (and for wheels also as their conflict), and the
 * causes are deduplicated as text. */
static void same_name(struct rsv *r, struct strbuf *sb, Id a, Id b)
{
	char *x = strdup(rsv_pkg(r, a)), *y = strdup(rsv_pkg(r, b));

	if (x && y)
		strbuf_addf(sb, "only one of %s and %s can be installed (same name)",
			    strcmp(x, y) <= 0 ? x : y, strcmp(x, y) <= 0 ? y : x);
	free(x);
	free(y);
}

static char *describe_rule(struct rsv *r, Solver *solv, Id rid, SolverRuleinfo type,
			   Id source, Id target, Id dep)
{
	Pool *pool = r->pool;
	struct strbuf sb = STRBUF_INIT;
	const char *d = dep ? rsv_dep(r, dep) : "";

	switch (type) {
	case SOLVER_RULE_JOB:
	case SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP:
	case SOLVER_RULE_JOB_UNKNOWN_PACKAGE:
	case SOLVER_RULE_JOB_UNSUPPORTED: {
		int jobidx = solver_rule2jobidx(solv, rid);
		char *jt = jobidx >= 0 ? job_text(r, jobidx) : NULL;

		if (type == SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP)
			strbuf_addf(&sb, "nothing provides %s, which is requested", d);
		else if (type == SOLVER_RULE_JOB_UNKNOWN_PACKAGE)
			strbuf_addf(&sb, "no package is named %s", d);
		else if (type == SOLVER_RULE_JOB_UNSUPPORTED)
			strbuf_addstr(&sb, "a request gapimg's solver cannot carry out");
		else
			strbuf_addstr(&sb, "requested");
		if (jt)
			strbuf_addf(&sb, ": %s", jt);
		free(jt);
		break;
	}
	case SOLVER_RULE_PKG_NOT_INSTALLABLE: {
		Solvable *s = pool_id2solvable(pool, source);

		if (r->have_considered && !MAPTST(&r->considered, source))
			strbuf_addf(&sb, "%s is excluded by the recipe", rsv_pkg(r, source));
		else if (s->arch && pool->id2arch && pool_arch2score(pool, s->arch) == 0)
			strbuf_addf(&sb, "%s is not for the image's architecture %s",
				    rsv_pkg(r, source), r->res->arch);
		else
			strbuf_addf(&sb, "%s cannot be installed", rsv_pkg(r, source));
		break;
	}
	case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
		strbuf_addf(&sb, "nothing provides %s needed by %s", d, rsv_pkg(r, source));
		break;
	case SOLVER_RULE_PKG_REQUIRES:
		strbuf_addf(&sb, "%s requires %s, but none of the packages that provide "
			    "it can be installed", rsv_pkg(r, source), d);
		break;
	case SOLVER_RULE_PKG_SELF_CONFLICT:
		strbuf_addf(&sb, "%s conflicts with %s, which it provides itself",
			    rsv_pkg(r, source), d);
		break;
	case SOLVER_RULE_PKG_CONFLICTS:
		/* a wheel's conflict with its own name: one version of a
		 * Python distribution, from a wheel or an OS package */
		if (rsv_is_wheel(r, source) && !ISRELDEP(dep) &&
		    pool_id2solvable(pool, source)->name == pool_id2solvable(pool, target)->name)
			same_name(r, &sb, source, target);
		else if (rsv_is_wheel(r, source) && !ISRELDEP(dep) &&
			 strncmp(d = pool_dep2str(pool, dep), "python3dist(", 12) == 0)
			strbuf_addf(&sb, "only one of %s and %s can be installed: both are "
				    "the Python distribution %.*s", rsv_pkg(r, source),
				    rsv_pkg(r, target), (int)(strlen(d) - 13), d + 12);
		else
			strbuf_addf(&sb, "%s conflicts with %s, provided by %s",
				    rsv_pkg(r, source), d, rsv_pkg(r, target));
		break;
	case SOLVER_RULE_PKG_SAME_NAME:
		same_name(r, &sb, source, target);
		break;
	case SOLVER_RULE_PKG_OBSOLETES:
	case SOLVER_RULE_PKG_IMPLICIT_OBSOLETES:
	case SOLVER_RULE_PKG_INSTALLED_OBSOLETES:
		strbuf_addf(&sb, "%s obsoletes %s, provided by %s",
			    rsv_pkg(r, source), d, rsv_pkg(r, target));
		break;
	case SOLVER_RULE_BEST:
		if (source > 0)
			strbuf_addf(&sb, "the best candidate %s cannot be installed "
				    "(strict best-candidate mode)", rsv_pkg(r, source));
		else
			strbuf_addstr(&sb, "the best candidate for a request cannot be "
				      "installed (strict best-candidate mode)");
		break;
	default:
		strbuf_addstr(&sb, solver_problemruleinfo2str(solv, type, source, target, dep));
		break;
	}
	return strbuf_detach(&sb);
}

static char *describe_element(struct rsv *r, Solver *solv, Id p, Id rp)
{
	char *s = NULL;

	if (p == SOLVER_SOLUTION_JOB || p == SOLVER_SOLUTION_POOLJOB) {
		char *jt = job_text(r, rp);

		if (asprintf(&s, "leave out %s", jt ? jt : "the request") < 0)
			s = NULL;
		free(jt);
		return s;
	}
	if (p == SOLVER_SOLUTION_BEST) {
		return strdup("allow an older version than the best candidate (drop --best)");
	}
	if (p > 0 && rp == 0) {
		if (asprintf(&s, "do not install %s", rsv_pkg(r, p)) < 0)
			s = NULL;
		return s;
	}
	return strdup(solver_solutionelement2str(solv, p, rp));
}

static int cmp_problem(const void *a, const void *b)
{
	const struct gapimg_problem *x = a, *y = b;
	int c = strcmp(x->summary, y->summary);

	for (size_t i = 0; c == 0 && i < x->ncauses && i < y->ncauses; i++)
		c = strcmp(x->causes[i], y->causes[i]);
	return c;
}

void rsv_sort_problems(struct gapimg_resolution *res)
{
	if (res->nproblems > 1)
		qsort(res->problems, res->nproblems, sizeof(*res->problems), cmp_problem);
}

int rsv_problems(struct rsv *r, Solver *solv, int nproblems)
{
	Queue rules, info;
	int rc = 0;

	queue_init(&rules);
	queue_init(&info);
	for (Id pr = 1; pr <= nproblems && rc == 0; pr++) {
		char **causes = NULL, **sols = NULL, *summary;
		size_t ncauses = 0, nsols = 0;
		Id rid, source, target, dep, sol;
		SolverRuleinfo type;

		rid = solver_findproblemrule(solv, pr);
		type = solver_ruleinfo(solv, rid, &source, &target, &dep);
		summary = describe_rule(r, solv, rid, type, source, target, dep);

		solver_findallproblemrules(solv, pr, &rules);
		for (int i = 0; i < rules.count; i++) {
			solver_allruleinfos(solv, rules.elements[i], &info);
			for (int j = 0; j + 3 < info.count; j += 4) {
				char **v = realloc(causes, (ncauses + 1) * sizeof(*v));

				if (v == NULL)
					break;
				causes = v;
				causes[ncauses++] = describe_rule(r, solv, rules.elements[i],
								  info.elements[j], info.elements[j + 1],
								  info.elements[j + 2], info.elements[j + 3]);
			}
		}
		rsv_sort_strings(causes, &ncauses);

		for (sol = 1; sol <= (Id)solver_solution_count(solv, pr); sol++) {
			struct strbuf line = STRBUF_INIT;
			Id p, rp, element = 0;
			char **v;

			while ((element = solver_next_solutionelement(solv, pr, sol, element, &p, &rp)) != 0) {
				char *e = describe_element(r, solv, p, rp);

				strbuf_addf(&line, "%s%s", line.len ? "; " : "", e ? e : "?");
				free(e);
			}
			v = realloc(sols, (nsols + 1) * sizeof(*v));
			if (v == NULL) {
				strbuf_release(&line);
				break;
			}
			sols = v;
			sols[nsols++] = strbuf_detach(&line);
		}
		/* libsolv orders solutions by its own heuristics: keep that
		 * order (it is deterministic) but drop repeats */
		if (rsv_add_problem(r->res, summary, causes, ncauses, sols, nsols) < 0)
			rc = gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
		for (size_t i = 0; i < ncauses; i++)
			free(causes[i]);
		for (size_t i = 0; i < nsols; i++)
			free(sols[i]);
		free(causes);
		free(sols);
		free(summary);
	}
	queue_free(&rules);
	queue_free(&info);
	return rc;
}
