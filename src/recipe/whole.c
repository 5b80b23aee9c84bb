/*
 * Checks that need the whole recipe, then the canonical order.
 *
 * After this pass a plan has no dangling mirror ids, no path defined
 * twice, no id shared by two users or groups, and every set-like list is
 * sorted, so that reordering lines never changes the plan or its digest.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "gapimg/squashfs.h"

#define SPAN_SRC(rc, sp) rc_source_of(rc, (sp).file)

static void first_here(struct rcompiler *rc, struct gapimg_span sp, const char *what)
{
	rc_note(rc, SPAN_SRC(rc, sp), sp, "%s was first given here", what);
}

static int check_refs(struct rcompiler *rc)
{
	const struct gapimg_plan *plan = rc->plan;
	const char **ids;
	size_t i, j;

	if ((ids = calloc(plan->nmirrors + 1, sizeof(*ids))) == NULL)
		return rc_nomem(rc);
	for (i = 0; i < plan->nmirrors; i++)
		ids[i] = plan->mirrors[i].id;
	for (i = 0; i < rc->nrefs && !rc_stopped(rc); i++) {
		const struct rref *r = &rc->refs[i];
		const struct gapimg_plan_mirror *m = NULL;
		char help[96];

		for (j = 0; j < plan->nmirrors; j++)
			if (strcmp(plan->mirrors[j].id, r->id) == 0)
				m = &plan->mirrors[j];
		if (m == NULL) {
			const char *h = rc_did_you_mean(help, sizeof(help), r->id, ids, plan->nmirrors);
			rc_error(rc, r->src, r->span, h ? h : "define it with 'mirror ID TYPE LOCATION'",
				 "undefined mirror '%s'", r->id);
		} else if (r->wheels != (m->type == GAPIMG_MIRROR_WHEELS)) {
			rc_error(rc, r->src, r->span, NULL, "mirror '%s' has type %s: %s", r->id,
				 gapimg_mirror_type_name(m->type),
				 r->wheels ? "pip requirements come from wheels mirrors"
					   : "OS packages do not come from wheels mirrors");
		}
	}
	free(ids);
	return 0;
}

static void check_mirrors(struct rcompiler *rc)
{
	struct gapimg_plan *plan = rc->plan;
	int os_requests = plan->ninstalls > 0 || plan->debian_base != GAPIMG_DEBIAN_BASE_NONE;
	int have_os = 0, have_deb = 0;
	size_t i;

	for (i = 0; i < plan->nmirrors; i++) {
		struct gapimg_plan_mirror *m = &plan->mirrors[i];
		int wheels = m->type == GAPIMG_MIRROR_WHEELS;

		have_os |= !wheels;
		have_deb |= m->type == GAPIMG_MIRROR_DEB;
		/* wheels need the interpreter, and OS packages may provide
		 * what pip lines ask for */
		m->used = wheels ? plan->nrequirements > 0 : os_requests || plan->nrequirements > 0;
		/* After an error, "unused" is more likely its echo than news. */
		if (!m->used && rc->diags->errors == 0)
			rc_warning(rc, SPAN_SRC(rc, m->span), m->span,
				   wheels ? "add pip requirements, or remove the mirror"
					  : "add install lines, or remove the mirror",
				   "mirror '%s' is not used: nothing is installed from %s mirrors",
				   m->id, wheels ? "wheels" : "OS package");
	}
	if (plan->ninstalls && !have_os)
		rc_error(rc, SPAN_SRC(rc, plan->installs[0].span), plan->installs[0].span,
			 "add a mirror: mirror ID rpm-md|deb|rpm-dir LOCATION",
			 "packages are installed but no OS package mirror is defined");
	if (plan->debian_base != GAPIMG_DEBIAN_BASE_NONE && !have_deb) {
		struct gapimg_span sp = { rc->sources[0]->name, 0, 0, 0 };
		rc_error(rc, NULL, sp, NULL, "'debian-base' needs a deb mirror");
	}
	if (plan->nrequirements && plan->python == NULL)
		rc_error(rc, SPAN_SRC(rc, plan->requirements[0].span), plan->requirements[0].span,
			 "add 'python 3.MINOR' with the image's interpreter version",
			 "pip requirements need the target Python version");
}

static int cmp_pkg(const void *a, const void *b)
{
	const struct gapimg_plan_package *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = (int)x->op - (int)y->op;
	if (c == 0)
		c = strcmp(x->version ? x->version : "", y->version ? y->version : "");
	if (c == 0)
		c = strcmp(x->mirror ? x->mirror : "", y->mirror ? y->mirror : "");
	return c;
}

static int cmp_req(const void *a, const void *b)
{
	const struct gapimg_plan_requirement *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	/* Total over what the JSON shows, so line order never matters. */
	if (c == 0)
		c = strcmp(x->text, y->text);
	if (c == 0)
		c = strcmp(x->mirror ? x->mirror : "", y->mirror ? y->mirror : "");
	return c;
}

static int cmp_glob(const void *a, const void *b)
{
	return strcmp(((const struct gapimg_plan_glob *)a)->pattern,
		      ((const struct gapimg_plan_glob *)b)->pattern);
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct gapimg_plan_node *)a)->path,
		      ((const struct gapimg_plan_node *)b)->path);
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct gapimg_plan_group *)a)->name,
		      ((const struct gapimg_plan_group *)b)->name);
}

static int cmp_user(const void *a, const void *b)
{
	return strcmp(((const struct gapimg_plan_user *)a)->name,
		      ((const struct gapimg_plan_user *)b)->name);
}

static int cmp_env(const void *a, const void *b)
{
	return strcmp(((const struct gapimg_plan_env *)a)->name,
		      ((const struct gapimg_plan_env *)b)->name);
}

static int cmp_unit(const void *a, const void *b)
{
	return strcmp(((const struct gapimg_plan_unit *)a)->name,
		      ((const struct gapimg_plan_unit *)b)->name);
}

/* qsort is not stable: where two equal elements differ only in where they
 * were written, the first in the recipe must be reported as the first, so
 * ties are broken by position. */
static int cmp_span(const struct rcompiler *rc, struct gapimg_span a, struct gapimg_span b)
{
	if (a.file != b.file) {
		size_t i;
		for (i = 0; i < rc->diags->nfiles; i++) {
			if (rc->diags->files[i] == a.file)
				return -1;
			if (rc->diags->files[i] == b.file)
				return 1;
		}
	}
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	return a.col < b.col ? -1 : a.col > b.col;
}

/* qsort and bsearch must not see the NULL of an empty list. */
#define SORT(v, n, cmp) do { if ((n) > 1) qsort(v, n, sizeof(*(v)), cmp); } while (0)

static void free_glob(struct gapimg_plan_glob *g)
{
	free(g->pattern);
}

/* Drop exact duplicates of a sorted glob list (they mean the same). */
static void unique_globs(struct gapimg_plan_glob *v, size_t *n)
{
	size_t i, j;

	for (i = j = 0; i < *n; i++) {
		if (j && strcmp(v[j - 1].pattern, v[i].pattern) == 0)
			free_glob(&v[i]);
		else
			v[j++] = v[i];
	}
	*n = j;
}

/* A sorted plan list seen through offsets, so that one function reports
 * names given twice in any of them. */
struct view {
	const void *base;
	size_t n, size, name_off, span_off;
};

#define VIEW(v, n, type) { (v), (n), sizeof(type), offsetof(type, name), offsetof(type, span) }

static const char *name_at(const struct view *v, size_t i)
{
	return *(char *const *)((const char *)v->base + i * v->size + v->name_off);
}

static struct gapimg_span span_in(const struct view *v, size_t i)
{
	return *(const struct gapimg_span *)((const char *)v->base + i * v->size + v->span_off);
}

/* Each name given twice: an error at the later place ("BEFORE name
 * AFTER"), a note at the first. */
static void report_twice(struct rcompiler *rc, const struct view *v, const char *before,
			 const char *after, const char *help)
{
	size_t i;

	for (i = 1; i < v->n; i++) {
		struct gapimg_span a = span_in(v, i - 1), b = span_in(v, i), t;

		if (strcmp(name_at(v, i - 1), name_at(v, i)) != 0)
			continue;
		if (cmp_span(rc, a, b) > 0)
			t = a, a = b, b = t;
		rc_error(rc, SPAN_SRC(rc, b), b, help, "%s%s%s", before, name_at(v, i), after);
		first_here(rc, a, "it");
	}
}

struct id_ref {
	uint32_t id;
	size_t index;
};

static int cmp_id(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Two different names with one id.  Sorting by id keeps this linear in
 * the number of accounts, whatever a hostile recipe holds. */
static int report_shared_ids(struct rcompiler *rc, const struct view *v, size_t id_off,
			     const char *who, const char *idname)
{
	struct id_ref *ids;
	size_t i;

	if (v->n < 2)
		return 0;
	if ((ids = calloc(v->n, sizeof(*ids))) == NULL)
		return rc_nomem(rc);
	for (i = 0; i < v->n; i++) {
		ids[i].id = *(const uint32_t *)((const char *)v->base + i * v->size + id_off);
		ids[i].index = i;
	}
	qsort(ids, v->n, sizeof(*ids), cmp_id);
	for (i = 1; i < v->n; i++) {
		size_t x = ids[i - 1].index, y = ids[i].index, t;
		char help[64];

		if (ids[i - 1].id != ids[i].id || strcmp(name_at(v, x), name_at(v, y)) == 0)
			continue;
		if (cmp_span(rc, span_in(v, x), span_in(v, y)) > 0)
			t = x, x = y, y = t;
		snprintf(help, sizeof(help), "give every %s its own %s", who, idname);
		rc_error(rc, SPAN_SRC(rc, span_in(v, y)), span_in(v, y), help,
			 "%ss '%s' and '%s' both have %s %u", who, name_at(v, x), name_at(v, y),
			 idname, ids[i].id);
	}
	free(ids);
	return 0;
}

static const char *kind_word(const struct gapimg_plan_node *n)
{
	if (n->is_data)
		return "data file";
	return n->kind == GAPIMG_NODE_DIR ? "folder" : n->kind == GAPIMG_NODE_SYMLINK ? "link"
										   : "file";
}

/* Paths in tree order: '/' before every other byte, so that "/a/b"
 * comes right after "/a" and before "/a-b". */
static int cmp_tree_order(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)(*(const struct gapimg_plan_node *const *)a)->path;
	const unsigned char *y = (const unsigned char *)(*(const struct gapimg_plan_node *const *)b)->path;

	for (; *x && *x == *y; x++, y++)
		;
	if (*x == *y)
		return 0;
	if (*x == '/' || *y == '/')
		return *x == '/' ? (*y ? -1 : 1) : (*x ? 1 : -1);
	return *x < *y ? -1 : 1;
}

static void check_nodes(struct rcompiler *rc)
{
	struct gapimg_plan *plan = rc->plan;
	const struct gapimg_plan_node **order, *blocker = NULL;
	size_t i;

	SORT(plan->nodes, plan->nnodes, cmp_node);
	{
		struct view v = { plan->nodes, plan->nnodes, sizeof(plan->nodes[0]),
				  offsetof(struct gapimg_plan_node, path),
				  offsetof(struct gapimg_plan_node, span) };
		report_twice(rc, &v, "", " is defined twice", "give each path once");
	}
	/* Nothing may live inside a file or a link the recipe makes.  In
	 * "'/' sorts first" order every path's descendants follow it
	 * directly, so one pass with the last file or link finds them all
	 * (comparing each path with its every ancestor would be quadratic in
	 * the depth of hostile paths). */
	if (plan->nnodes < 2)
		return;
	if ((order = malloc(plan->nnodes * sizeof(*order))) == NULL) {
		rc_nomem(rc);
		return;
	}
	for (i = 0; i < plan->nnodes; i++)
		order[i] = &plan->nodes[i];
	qsort(order, plan->nnodes, sizeof(*order), cmp_tree_order);
	for (i = 0; i < plan->nnodes; i++) {
		const struct gapimg_plan_node *n = order[i];
		size_t blen = blocker ? strlen(blocker->path) : 0;

		if (blocker && strncmp(n->path, blocker->path, blen) == 0 && n->path[blen] == '/') {
			rc_error(rc, SPAN_SRC(rc, n->span), n->span, NULL,
				 "%s is inside %s, which is a %s", n->path, blocker->path,
				 kind_word(blocker));
			continue;
		}
		blocker = n->kind != GAPIMG_NODE_DIR ? n : NULL;
	}
	free(order);
}

static int cmp_gid(const void *a, const void *b)
{
	const struct gapimg_plan_group *x = a, *y = b;

	return x->gid < y->gid ? -1 : x->gid > y->gid;
}

static int add_own_groups(struct rcompiler *rc)
{
	struct gapimg_plan *plan = rc->plan;
	size_t declared = plan->ngroups, i;
	struct gapimg_plan_group *by_gid = NULL;

	if (declared) {
		if ((by_gid = malloc(declared * sizeof(*by_gid))) == NULL)
			return rc_nomem(rc);
		memcpy(by_gid, plan->groups, declared * sizeof(*by_gid));
		qsort(by_gid, declared, sizeof(*by_gid), cmp_gid);
	}
	for (i = 0; i < plan->nusers; i++) {
		const struct gapimg_plan_user *u = &plan->users[i];
		struct gapimg_plan_group key = { (char *)u->name, u->uid, u->span }, *g, *taken;

		if (strcmp(u->group, u->name) != 0 ||
		    (declared && bsearch(&key, plan->groups, declared, sizeof(key), cmp_group)))
			continue;
		taken = declared ? bsearch(&key, by_gid, declared, sizeof(key), cmp_gid) : NULL;
		if (taken) {
			char help[128];
			snprintf(help, sizeof(help), "define 'group %.32s gid=N' or give group=",
				 u->name);
			rc_error(rc, SPAN_SRC(rc, u->span), u->span, help,
				 "user '%s' would get its own group with gid %u, but group '%s' has it",
				 u->name, u->uid, taken->name);
			continue;
		}
		if (rc_push(rc, &plan->groups, &plan->ngroups, sizeof(*g)) < 0) {
			free(by_gid);
			return -1;
		}
		g = &plan->groups[plan->ngroups - 1];
		g->gid = u->uid;
		g->span = u->span;
		if ((g->name = rc_strdup(rc, u->name)) == NULL) {
			free(by_gid);
			return -1;
		}
	}
	free(by_gid);
	SORT(plan->groups, plan->ngroups, cmp_group);
	return 0;
}

static int check_accounts(struct rcompiler *rc)
{
	struct gapimg_plan *plan = rc->plan;

	SORT(plan->groups, plan->ngroups, cmp_group);
	SORT(plan->users, plan->nusers, cmp_user);
	{
		struct view g = VIEW(plan->groups, plan->ngroups, struct gapimg_plan_group);
		struct view u = VIEW(plan->users, plan->nusers, struct gapimg_plan_user);

		report_twice(rc, &g, "group '", "' is defined twice", NULL);
		report_twice(rc, &u, "user '", "' is defined twice", NULL);
		if (report_shared_ids(rc, &u, offsetof(struct gapimg_plan_user, uid), "user",
				      "uid") < 0)
			return -1;
	}

	/* A user without group= gets a group of its own name; when the
	 * recipe does not define one, it is made with gid = uid.  The
	 * declared groups are looked up by name and by gid in sorted copies,
	 * and the new groups sorted in once at the end. */
	if (add_own_groups(rc) < 0)
		return -1;
	{
		struct view g = VIEW(plan->groups, plan->ngroups, struct gapimg_plan_group);

		if (report_shared_ids(rc, &g, offsetof(struct gapimg_plan_group, gid), "group",
				      "gid") < 0)
			return -1;
	}
	return 0;
}

/* Drop repeats from a sorted unit list ("enable" twice means it once). */
static void unique_units(struct gapimg_plan_unit *v, size_t *n)
{
	size_t i, j;

	for (i = j = 0; i < *n; i++) {
		if (j && strcmp(v[j - 1].name, v[i].name) == 0)
			free(v[i].name);
		else
			v[j++] = v[i];
	}
	*n = j;
}

static void check_units_env(struct rcompiler *rc)
{
	struct gapimg_plan *plan = rc->plan;
	size_t i, j;

	SORT(plan->env, plan->nenv, cmp_env);
	{
		struct view e = VIEW(plan->env, plan->nenv, struct gapimg_plan_env);
		report_twice(rc, &e, "environment variable ", " is set twice", NULL);
	}
	SORT(plan->enable, plan->nenable, cmp_unit);
	SORT(plan->disable, plan->ndisable, cmp_unit);
	for (i = j = 0; i < plan->nenable && j < plan->ndisable;) {
		int c = strcmp(plan->enable[i].name, plan->disable[j].name);
		if (c == 0) {
			const struct gapimg_plan_unit *d = &plan->disable[j];
			rc_error(rc, SPAN_SRC(rc, d->span), d->span, "keep one of the two",
				 "unit %s is both enabled and disabled", d->name);
			first_here(rc, plan->enable[i].span, "'enable'");
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	unique_units(plan->enable, &plan->nenable);
	unique_units(plan->disable, &plan->ndisable);
}

static void check_requests(struct rcompiler *rc)
{
	struct gapimg_plan *plan = rc->plan;
	const char *reported = NULL;
	size_t i;

	SORT(plan->installs, plan->ninstalls, cmp_pkg);
	for (i = 1; i < plan->ninstalls; i++) {
		struct gapimg_plan_package *a = &plan->installs[i - 1], *b = &plan->installs[i];
		if (cmp_pkg(a, b) == 0) {
			const struct gapimg_plan_package *later = cmp_span(rc, a->span, b->span) > 0 ? a : b;
			rc_warning(rc, SPAN_SRC(rc, later->span), later->span, NULL,
				   "%s is listed twice", later->name);
		}
	}
	SORT(plan->requirements, plan->nrequirements, cmp_req);
	for (i = 1; i < plan->nrequirements; i++) {
		struct gapimg_plan_requirement *a = &plan->requirements[i - 1];
		struct gapimg_plan_requirement *b = &plan->requirements[i];
		/* Once per name, however many times it is repeated. */
		if (reported && strcmp(reported, b->name) == 0)
			continue;
		if (strcmp(a->name, b->name) == 0 && (!a->marker || !b->marker)) {
			reported = b->name;
			const struct gapimg_plan_requirement *later =
				cmp_span(rc, a->span, b->span) > 0 ? a : b;
			const struct gapimg_plan_requirement *first = later == a ? b : a;
			rc_error(rc, SPAN_SRC(rc, later->span), later->span,
				 "combine them into one requirement, or give each a marker",
				 "'%s' is required more than once", later->name);
			first_here(rc, first->span, "it");
		}
	}
	SORT(plan->excludes, plan->nexcludes, cmp_glob);
	unique_globs(plan->excludes, &plan->nexcludes);
	SORT(plan->removals, plan->nremovals, cmp_glob);
	unique_globs(plan->removals, &plan->nremovals);
}

static int defaults(struct rcompiler *rc)
{
	struct gapimg_plan *plan = rc->plan;

	if (plan->compression == NULL && (plan->compression = rc_strdup(rc, "zstd")) == NULL)
		return -1;
	if (plan->level < 0) {
		struct gapimg_sqfs_opts o;
		struct gapimg_error e;

		gapimg_sqfs_opts_init(&o);
		if (gapimg_sqfs_parse_comp(plan->compression, &o, &e) == 0)
			plan->level = gapimg_comp_default_level(o.comp);
	}
	if (plan->block_size == 0)
		plan->block_size = GAPIMG_BLOCK_SIZE_DEFAULT;
	if (plan->kernel_cmdline == NULL && (plan->kernel_cmdline = rc_strdup(rc, "")) == NULL)
		return -1;
	if (plan->output == NULL && plan->image && plan->version &&
	    asprintf(&plan->output, "%s-%s.sqfs", plan->image, plan->version) < 0) {
		plan->output = NULL;
		return rc_nomem(rc);
	}
	return 0;
}

int rc_check_whole(struct rcompiler *rc)
{
	if (check_refs(rc) < 0)
		return -1;
	check_mirrors(rc);
	check_requests(rc);
	check_nodes(rc);
	if (check_accounts(rc) < 0)
		return -1;
	check_units_env(rc);
	if (rc->nomem)
		return -1;
	return defaults(rc);
}
