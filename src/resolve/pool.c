/*
 * One libsolv pool per resolution: the family's version rules, a strict
 * architecture policy, and the mirrors loaded in recipe order with their
 * priorities.  Nothing here depends on file order or times on disk.
 */
#include "resolve/internal.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <solv/poolarch.h>
#include <solv/solvable.h>

#include "mirror/mirror.h"

static int is_deb(const struct gapimg_plan *plan)
{
	for (size_t i = 0; i < plan->nmirrors; i++)
		if (plan->mirrors[i].type == GAPIMG_MIRROR_DEB)
			return 1;
	return 0;
}

static void apply_excludes(struct rsv *r)
{
	Pool *pool = r->pool;
	Id p;

	if (r->plan->nexcludes == 0)
		return;
	map_init(&r->considered, pool->nsolvables);
	map_setall(&r->considered);
	MAPCLR(&r->considered, 0);
	MAPCLR(&r->considered, 1);
	for (p = 2; p < pool->nsolvables; p++) {
		Solvable *s = pool_id2solvable(pool, p);
		const char *name;

		if (!s->repo)
			continue;
		name = pool_id2str(pool, s->name);
		for (size_t i = 0; i < r->plan->nexcludes; i++)
			if (fnmatch(r->plan->excludes[i].pattern, name, 0) == 0) {
				MAPCLR(&r->considered, p);
				break;
			}
	}
	r->have_considered = 1;
	pool->considered = &r->considered;
}

int rsv_open(struct rsv *r)
{
	const struct gapimg_plan *plan = r->plan;
	struct gapimg_resolution *res = r->res;
	int deb = is_deb(plan);
	size_t k = 0;

	memcpy(res->recipe_digest, plan->digest, sizeof(res->recipe_digest));
	res->family = deb ? GAPIMG_FAMILY_DEB : GAPIMG_FAMILY_RPM;
	res->arch = strdup(deb ? gapimg_arch_deb_name(plan->arch) : gapimg_arch_name(plan->arch));
	queue_init(&r->job);
	r->pool = pool_create();
	/* Debian's libsolv starts every pool as DISTTYPE_DEB */
	if (pool_setdisttype(r->pool, deb ? DISTTYPE_DEB : DISTTYPE_RPM) < 0)
		return gapimg_error_set(r->err, GAPIMG_E_INTERNAL,
					"this libsolv cannot switch to %s version rules",
					deb ? "Debian" : "RPM");
	/* strict: the image's arch and noarch/all only (pool_setarch would
	 * also admit i686 or i386) */
	pool_setarchpolicy(r->pool, res->arch);
	r->repos = calloc(plan->nmirrors ? plan->nmirrors : 1, sizeof(*r->repos));
	res->mirrors = calloc(plan->nmirrors ? plan->nmirrors : 1, sizeof(*res->mirrors));
	if (!r->repos || !res->mirrors)
		return gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
	for (size_t i = 0; i < plan->nmirrors; i++) {
		const struct gapimg_plan_mirror *pm = &plan->mirrors[i];
		struct gapimg_mirror_info *info;
		struct mirror_load ml;
		Repo *repo;

		if (pm->type == GAPIMG_MIRROR_WHEELS)
			continue;
		info = &res->mirrors[k++];
		res->nmirrors = k;
		info->id = strdup(pm->id);
		info->type = pm->type;
		info->root = mirror_root(plan, pm);
		repo = repo_create(r->pool, pm->id);
		repo->priority = pm->priority;
		r->repos[i] = repo;
		ml = (struct mirror_load){ .pool = r->pool, .plan = plan, .pm = pm,
					   .opts = r->opts, .repo = repo, .info = info,
					   .res = res, .err = r->err };
		if (mirror_load(&ml) < 0)
			return -1;
		info->npackages = (size_t)repo->nsolvables;
	}
	pool_addfileprovides(r->pool);
	pool_createwhatprovides(r->pool);
	apply_excludes(r);
	return 0;
}

void rsv_close(struct rsv *r)
{
	for (size_t i = 0; i < r->norigins; i++)
		free(r->origins[i].text);
	free(r->origins);
	queue_free(&r->job);
	if (r->have_considered) {
		r->pool->considered = NULL;
		map_free(&r->considered);
	}
	if (r->favored) {
		map_free(r->favored);
		free(r->favored);
	}
	if (r->pool)
		pool_free(r->pool);
	free(r->repos);
}

Repo *rsv_repo_by_id(struct rsv *r, const char *id)
{
	for (size_t i = 0; i < r->plan->nmirrors; i++)
		if (r->repos[i] && strcmp(r->plan->mirrors[i].id, id) == 0)
			return r->repos[i];
	return NULL;
}

const char *rsv_nevra(struct rsv *r, Id p)
{
	Pool *pool = r->pool;
	Solvable *s = pool_id2solvable(pool, p);
	const char *name = pool_id2str(pool, s->name);
	const char *evr = pool_id2str(pool, s->evr);
	const char *arch = s->arch ? pool_id2str(pool, s->arch) : "?";

	if (r->res->family == GAPIMG_FAMILY_DEB)
		return pool_tmpjoin(pool, name, " ", pool_tmpjoin(pool, evr, " (", pool_tmpjoin(pool, arch, ")", NULL)));
	return pool_tmpjoin(pool, name, "-", pool_tmpjoin(pool, evr, ".", arch));
}

const char *rsv_pkg(struct rsv *r, Id p)
{
	Solvable *s = pool_id2solvable(r->pool, p);
	const char *n = rsv_nevra(r, p);

	if (s->repo == NULL)
		return n;
	return pool_tmpappend(r->pool, n, " from mirror ", s->repo->name);
}
