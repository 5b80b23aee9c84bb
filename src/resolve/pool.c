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
#include "python/wheelname.h"

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

/* The newest glibc 2.N the OS mirrors offer (glibc for RPM, libc6 for
 * Debian): manylinux wheels up to it are candidates, and each requires
 * the C library its tag names, so the solve keeps them consistent. */
static unsigned newest_glibc(Pool *pool, int deb)
{
	Id name = pool_str2id(pool, deb ? "libc6" : "glibc", 0);
	unsigned best = 0;
	Id p;

	if (!name)
		return 0;
	for (p = 2; p < pool->nsolvables; p++) {
		Solvable *s = pool_id2solvable(pool, p);
		const char *evr, *colon;
		unsigned long major, minor;
		char *end;

		if (!s->repo || s->name != name)
			continue;
		evr = pool_id2str(pool, s->evr);
		colon = strchr(evr, ':');
		if (colon)
			evr = colon + 1;
		major = strtoul(evr, &end, 10);
		if (major != 2 || *end != '.')
			continue;
		minor = strtoul(end + 1, &end, 10);
		if (minor > best && minor < 1000)
			best = (unsigned)minor;
	}
	return best;
}

static int load_mirror(struct rsv *r, size_t i)
{
	const struct gapimg_plan *plan = r->plan;
	const struct gapimg_plan_mirror *pm = &plan->mirrors[i];
	struct gapimg_mirror_info *info = &r->res->mirrors[i];
	struct mirror_load ml;
	Repo *repo;

	info->id = strdup(pm->id);
	info->type = pm->type;
	info->root = mirror_root(plan, pm);
	if (info->id == NULL || info->root == NULL)
		return gapimg_error_nomem(r->err);
	repo = repo_create(r->pool, pm->id);
	repo->priority = pm->priority;
	r->repos[i] = repo;
	ml = (struct mirror_load){ .pool = r->pool, .plan = plan, .pm = pm,
				   .opts = r->opts, .repo = repo, .info = info,
				   .res = r->res, .err = r->err, .wt = &r->wt, .wk = &r->wk,
				   .lock = r->lock };
	if (mirror_load(&ml) < 0)
		return -1;
	info->npackages = (size_t)repo->nsolvables;
	return 0;
}

/* The target the wheels are chosen for: the recipe's interpreter on the
 * image's machine, with the newest C library of its OS mirrors. */
static int wheel_target(struct rsv *r)
{
	const struct gapimg_plan *plan = r->plan;
	unsigned long major, minor;
	char *end;

	if (plan->python == NULL)
		return gapimg_error_set(r->err, GAPIMG_E_INVALID,
					"%s: a wheels mirror needs 'python 3.MINOR' in the recipe",
					plan->recipe);
	major = strtoul(plan->python, &end, 10);
	minor = *end == '.' ? strtoul(end + 1, &end, 10) : 0;
	if (major != 3 || minor > 99)
		return gapimg_error_set(r->err, GAPIMG_E_UNSUPPORTED,
					"python %s: gapimg resolves wheels for CPython 3 only",
					plan->python);
	r->wt.major = (unsigned)major;
	r->wt.minor = (unsigned)minor;
	r->wt.python = plan->python;
	r->wt.machine = gapimg_arch_name(plan->arch);
	r->wt.deb = r->res->family == GAPIMG_FAMILY_DEB;
	r->wt.glibc_minor = newest_glibc(r->pool, r->wt.deb);
	r->wt.tags = pytags_new(r->wt.major, r->wt.minor, r->wt.machine, r->wt.glibc_minor);
	if (r->wt.tags == NULL)
		return gapimg_error_nomem(r->err);
	r->have_wheels = 1;
	return 0;
}

int rsv_open(struct rsv *r)
{
	const struct gapimg_plan *plan = r->plan;
	struct gapimg_resolution *res = r->res;
	int deb = is_deb(plan);

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
	res->nmirrors = plan->nmirrors;
	/* OS mirrors first: the wheels' platform tags depend on the C
	 * library they offer */
	for (size_t i = 0; i < plan->nmirrors; i++)
		if (plan->mirrors[i].type != GAPIMG_MIRROR_WHEELS && load_mirror(r, i) < 0)
			return -1;
	pool_addfileprovides(r->pool);
	for (size_t i = 0; i < plan->nmirrors; i++) {
		if (plan->mirrors[i].type != GAPIMG_MIRROR_WHEELS)
			continue;
		if (!r->have_wheels && wheel_target(r) < 0)
			return -1;
		if (load_mirror(r, i) < 0)
			return -1;
	}
	/* pip lines that OS packages alone satisfy still need the target */
	if (plan->nrequirements > 0 && !r->have_wheels && wheel_target(r) < 0)
		return -1;
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
	if (r->wt.tags)
		pytags_free(r->wt.tags);
	wheel_known_release(&r->wk);
}

Repo *rsv_repo_by_id(struct rsv *r, const char *id)
{
	for (size_t i = 0; i < r->plan->nmirrors; i++)
		if (r->repos[i] && strcmp(r->plan->mirrors[i].id, id) == 0)
			return r->repos[i];
	return NULL;
}

int rsv_is_wheel(struct rsv *r, Id p)
{
	Solvable *s = pool_id2solvable(r->pool, p);

	return r->have_wheels && s->repo &&
	       solvable_lookup_str(s, pool_str2id(r->pool, MIRROR_KEY_WHEEL_NAME, 1)) != NULL;
}

const char *rsv_dep(struct rsv *r, Id dep)
{
	const char *t = wheel_dep_text(&r->wk, dep);

	return t ? t : pool_dep2str(r->pool, dep);
}

/* "app 1.0 (wheel app-1.0-py3-none-any.whl)", "app[fancy] 1.0 (wheel)" */
static const char *wheel_nevra(struct rsv *r, Solvable *s)
{
	Pool *pool = r->pool;
	const char *name = solvable_lookup_str(s, pool_str2id(pool, MIRROR_KEY_WHEEL_NAME, 1));
	const char *ver = solvable_lookup_str(s, pool_str2id(pool, MIRROR_KEY_WHEEL_VERSION, 1));
	const char *extra = solvable_lookup_str(s, pool_str2id(pool, MIRROR_KEY_WHEEL_EXTRA, 1));
	unsigned int medianr;
	const char *loc = solvable_lookup_location(s, &medianr), *file;

	if (extra)
		return pool_tmpjoin(pool, name, "[", pool_tmpjoin(pool, extra, "] ",
				    pool_tmpjoin(pool, ver, " (wheel)", NULL)));
	file = loc ? strrchr(loc, '/') : NULL;
	file = file ? file + 1 : loc ? loc : "?";
	return pool_tmpjoin(pool, name, " ", pool_tmpjoin(pool, ver, " (wheel ",
			    pool_tmpjoin(pool, file, ")", NULL)));
}

const char *rsv_nevra(struct rsv *r, Id p)
{
	Pool *pool = r->pool;
	Solvable *s = pool_id2solvable(pool, p);

	if (rsv_is_wheel(r, p))
		return wheel_nevra(r, s);
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
