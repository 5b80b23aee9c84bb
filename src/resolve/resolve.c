/*
 * gapimg_resolve and gapimg_resolve_replay: solve, then turn the
 * transaction into packages a build can fetch and verify.
 */
#include "resolve/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <solv/chksum.h>
#include <solv/knownid.h>
#include <solv/solvable.h>
#include <solv/transaction.h>

#include "gapimg/sha256.h"
#include "gapimg/strbuf.h"
#include "mirror/mirror.h"

static int refuse_fragment(const struct gapimg_plan *plan, struct gapimg_error *err)
{
	if (plan->fragment)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"%s is a fragment (it says \"fragment\"): it is "
					"included by image recipes and cannot be resolved on its "
					"own", plan->recipe);
	return 0;
}

static int cmp_pkg(const void *va, const void *vb)
{
	const struct gapimg_package *a = va, *b = vb;
	int c = strcmp(a->name, b->name);

	if (c == 0)
		c = strcmp(a->arch, b->arch);
	if (c == 0)
		c = strcmp(a->evr, b->evr);
	if (c == 0)
		c = strcmp(a->mirror, b->mirror);
	return c;
}

static void add_simple_problem(struct gapimg_resolution *res, const char *summary,
			       const char *solution)
{
	char *s = (char *)solution;

	rsv_add_problem(res, summary, NULL, 0, solution ? &s : NULL, solution ? 1 : 0);
}

/* The package as a build will fetch it: location inside the mirror,
 * size and SHA-256 from the verified metadata, and the file present. */
static int package_of(struct rsv *r, Id p, unsigned order, struct gapimg_package *out)
{
	Pool *pool = r->pool;
	Solvable *s = pool_id2solvable(pool, p);
	const struct gapimg_mirror_info *info = NULL;
	const unsigned char *sum;
	const char *loc;
	unsigned int medianr = 0;
	Id type = 0;
	char *path = NULL, *msg = NULL;
	struct stat st;

	for (size_t i = 0; i < r->res->nmirrors; i++)
		if (strcmp(r->res->mirrors[i].id, s->repo->name) == 0)
			info = &r->res->mirrors[i];
	memset(out, 0, sizeof(*out));
	if (rsv_is_wheel(r, p)) {
		out->wheel = 1;
		out->name = strdup(solvable_lookup_str(s, pool_str2id(pool, MIRROR_KEY_WHEEL_NAME, 1)));
		out->evr = strdup(solvable_lookup_str(s, pool_str2id(pool, MIRROR_KEY_WHEEL_VERSION, 1)));
		out->arch = strdup("wheel");
	} else {
		out->name = strdup(pool_id2str(pool, s->name));
		out->evr = strdup(pool_id2str(pool, s->evr));
		out->arch = strdup(pool_id2str(pool, s->arch));
	}
	out->mirror = strdup(s->repo->name);
	out->order = order;
	out->size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
	loc = solvable_lookup_location(s, &medianr);
	sum = solvable_lookup_bin_checksum(s, SOLVABLE_CHECKSUM, &type);
	if (loc == NULL || loc[0] == '\0' || loc[0] == '/' || strstr(loc, "..")) {
		if (asprintf(&msg, "%s has no usable location in the metadata (\"%s\")",
			     rsv_pkg(r, p), loc ? loc : "") < 0)
			msg = NULL;
		add_simple_problem(r->res, msg, "repair the mirror's metadata");
		free(msg);
		return 1;
	}
	out->location = strdup(loc);
	if (sum == NULL && out->wheel && info) {
		/* a flat wheel folder has no index: the chosen file's own hash
		 * is what the lock pins */
		char *wpath = NULL;
		int hrc = -1;

		if (asprintf(&wpath, "%s/%s", info->root, loc) >= 0)
			hrc = gapimg_sha256_file(wpath, out->sha256, r->err);
		free(wpath);
		if (hrc == 0)
			goto hashed;
		if (asprintf(&msg, "mirror %s: cannot read %s for %s: %s", info->id, loc,
			     rsv_nevra(r, p), r->err->msg) < 0)
			msg = NULL;
		gapimg_error_clear(r->err);
		add_simple_problem(r->res, msg, "re-sync the mirror (it is incomplete or damaged)");
		free(msg);
		return 1;
	}
	if (type != REPOKEY_TYPE_SHA256 || sum == NULL) {
		if (asprintf(&msg, "%s has no SHA-256 checksum in the metadata (only %s)",
			     rsv_pkg(r, p), type ? solv_chksum_type2str(type) : "none") < 0)
			msg = NULL;
		add_simple_problem(r->res, msg, "regenerate the metadata with SHA-256 "
				   "checksums (createrepo_c, apt-ftparchive)");
		free(msg);
		return 1;
	}
	solv_bin2hex(sum, 32, out->sha256);
hashed:
	if (info && !r->opts->metadata_only && asprintf(&path, "%s/%s", info->root, loc) >= 0) {
		int bad = stat(path, &st) < 0 ? errno : 0;

		if (bad || !S_ISREG(st.st_mode) ||
		    (out->size && (uint64_t)st.st_size != out->size)) {
			const char *base = solvable_lookup_str(s, SOLVABLE_MEDIABASE);

			if (bad && asprintf(&msg, "mirror %s does not have %s, which its metadata "
					 "lists for %s%s%s%s", info->id, loc, rsv_nevra(r, p),
					 base ? " (the metadata's xml:base is " : "",
					 base ? base : "", base ? "; gapimg reads packages "
					 "relative to the mirror folder)" : "") < 0)
				msg = NULL;
			else if (!bad && asprintf(&msg, "mirror %s: %s is %llu bytes, the metadata says "
					 "%llu for %s", info->id, loc,
					 (unsigned long long)st.st_size,
					 (unsigned long long)out->size, rsv_nevra(r, p)) < 0)
				msg = NULL;
			add_simple_problem(r->res, msg, "re-sync the mirror (it is incomplete "
					   "or damaged)");
			free(msg);
			free(path);
			return 1;
		}
		if (!out->size)
			out->size = (uint64_t)st.st_size;
	}
	free(path);
	return 0;
}

static int collect(struct rsv *r, Solver *solv)
{
	Transaction *t = solver_create_transaction(solv);
	struct gapimg_resolution *res = r->res;
	int missing = 0;
	unsigned order = 0;

	transaction_order(t, 0);
	res->packages = calloc((size_t)t->steps.count + 1, sizeof(*res->packages));
	if (res->packages == NULL) {
		transaction_free(t);
		return gapimg_error_set(r->err, GAPIMG_E_NOMEM, "out of memory");
	}
	for (int i = 0; i < t->steps.count; i++) {
		Id p = t->steps.elements[i];
		Id type = transaction_type(t, p, SOLVER_TRANSACTION_SHOW_ACTIVE |
					  SOLVER_TRANSACTION_SHOW_ALL);

		if (type != SOLVER_TRANSACTION_INSTALL && type != SOLVER_TRANSACTION_MULTIINSTALL)
			continue;
		/* an extra's solvable stands for its requirements: nothing
		 * to fetch */
		if (rsv_is_wheel(r, t->steps.elements[i]) &&
		    solvable_lookup_str(pool_id2solvable(r->pool, p),
					pool_str2id(r->pool, MIRROR_KEY_WHEEL_EXTRA, 1)))
			continue;
		if (package_of(r, p, ++order, &res->packages[res->npackages]) != 0)
			missing = 1;
		res->npackages++;
	}
	transaction_free(t);
	qsort(res->packages, res->npackages, sizeof(*res->packages), cmp_pkg);
	return missing;
}

static Solver *make_solver(struct rsv *r)
{
	Solver *solv = solver_create(r->pool);

	solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, !r->plan->recommends);
	solver_set_flag(solv, SOLVER_FLAG_BEST_OBEY_POLICY, 1);
	return solv;
}

int gapimg_resolve(const struct gapimg_plan *plan, const struct gapimg_resolve_opts *opts,
		   struct gapimg_resolution *res, struct gapimg_error *err)
{
	struct rsv r = { .plan = plan, .opts = opts, .res = res, .err = err };
	Solver *solv = NULL;
	int rc = -1, n;

	memset(res, 0, sizeof(*res));
	if (refuse_fragment(plan, err) < 0)
		return -1;
	if (rsv_open(&r) < 0 || rsv_add_jobs(&r) < 0)
		goto out;
	if (res->nproblems > 0) {
		rc = 1;
		goto out;
	}
	solv = make_solver(&r);
	n = solver_solve(solv, &r.job);
	if (n > 0) {
		rc = rsv_problems(&r, solv, n) < 0 ? -1 : 1;
		goto out;
	}
	/* Debian: prefer first alternatives as apt does, in a few rounds (each
	 * round can bring in packages with alternatives of their own) */
	for (int round = 0; res->family == GAPIMG_FAMILY_DEB && round < 4; round++) {
		Queue installed;
		int added;

		queue_init(&installed);
		solver_get_decisionqueue(solv, &installed);
		{
			int k = 0;   /* keep the positive decisions: what is installed */

			for (int i = 0; i < installed.count; i++)
				if (installed.elements[i] > SYSTEMSOLVABLE)
					installed.elements[k++] = installed.elements[i];
			installed.count = k;
		}
		added = rsv_favor_first_alternatives(&r, &installed);
		queue_free(&installed);
		if (added < 0) {
			gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
			goto out;
		}
		if (added == 0)
			break;
		solver_free(solv);
		solv = make_solver(&r);
		n = solver_solve(solv, &r.job);
		if (n > 0) {
			rc = rsv_problems(&r, solv, n) < 0 ? -1 : 1;
			goto out;
		}
	}
	rc = collect(&r, solv);
out:
	rsv_sort_problems(res);
	if (solv)
		solver_free(solv);
	rsv_close(&r);
	return rc;
}

/* The solvable in repo with exactly the locked name, evr and arch. */
static Id find_locked(struct rsv *r, Repo *repo, const struct gapimg_package *lp)
{
	Pool *pool = r->pool;
	Id name = pool_str2id(pool, lp->name, 0), evr = pool_str2id(pool, lp->evr, 0);
	Id arch = pool_str2id(pool, lp->arch, 0);
	Solvable *s;
	Id p;

	Id first = 0;

	if (lp->wheel) {
		Id kname = pool_str2id(pool, MIRROR_KEY_WHEEL_NAME, 1);
		Id kver = pool_str2id(pool, MIRROR_KEY_WHEEL_VERSION, 1);
		Id kextra = pool_str2id(pool, MIRROR_KEY_WHEEL_EXTRA, 1);

		/* the locked file, else another of the same version (which
		 * the replay then reports as changed) */
		FOR_REPO_SOLVABLES(repo, p, s) {
			const char *n = solvable_lookup_str(s, kname);
			const char *v = solvable_lookup_str(s, kver);
			unsigned int medianr;
			const char *loc;

			if (!n || !v || solvable_lookup_str(s, kextra) ||
			    strcmp(n, lp->name) != 0 || strcmp(v, lp->evr) != 0)
				continue;
			loc = solvable_lookup_location(s, &medianr);
			if (loc && strcmp(loc, lp->location) == 0)
				return p;
			if (!first)
				first = p;
		}
		return first;
	}
	if (!name || !evr || !arch)
		return 0;

	/* a mirror may hold the same version twice (two locations): prefer
	 * the copy the lock names */
	FOR_REPO_SOLVABLES(repo, p, s) {
		unsigned int medianr;
		const char *loc;
		Id type = 0;
		const unsigned char *sum;
		char hex[65];

		if (s->name != name || s->evr != evr || s->arch != arch)
			continue;
		if (!first)
			first = p;
		loc = solvable_lookup_location(s, &medianr);
		sum = solvable_lookup_bin_checksum(s, SOLVABLE_CHECKSUM, &type);
		if (loc && strcmp(loc, lp->location) == 0 && sum && type == REPOKEY_TYPE_SHA256) {
			solv_bin2hex(sum, 32, hex);
			if (strcmp(hex, lp->sha256) == 0)
				return p;
		}
	}
	return first;
}

int gapimg_resolve_replay(const struct gapimg_plan *plan, const struct gapimg_resolution *lock,
			  const struct gapimg_resolve_opts *opts,
			  struct gapimg_resolution *res, struct gapimg_error *err)
{
	struct rsv r = { .plan = plan, .opts = opts, .res = res, .err = err, .lock = lock };
	Solver *solv = NULL;
	int rc = -1, n;

	memset(res, 0, sizeof(*res));
	if (refuse_fragment(plan, err) < 0)
		return -1;
	if (rsv_open(&r) < 0)
		goto out;
	for (size_t i = 0; i < lock->npackages; i++) {
		const struct gapimg_package *lp = &lock->packages[i];
		Repo *repo = rsv_repo_by_id(&r, lp->mirror);
		char *msg = NULL, *text = NULL;
		struct gapimg_package now;
		Id p;

		p = repo ? find_locked(&r, repo, lp) : 0;
		if (!p) {
			if (asprintf(&msg, "the locked package %s %s (%s) is no longer in "
				     "mirror %s", lp->name, lp->evr, lp->arch, lp->mirror) < 0)
				msg = NULL;
			add_simple_problem(res, msg, "restore the mirror to the state the lock "
					   "was made from, or run \"gapimg lock\" again and "
					   "review the change");
			free(msg);
			continue;
		}
		if (package_of(&r, p, 0, &now) != 0) {
			free(now.name), free(now.evr), free(now.arch), free(now.mirror),
				free(now.location);
			continue;
		}
		if (strcmp(now.sha256, lp->sha256) != 0 || strcmp(now.location, lp->location) != 0 ||
		    now.size != lp->size) {
			if (asprintf(&msg, "the locked package %s %s (%s) changed in mirror %s: "
				     "the lock has %s, %llu bytes, sha256 %s; the mirror now "
				     "has %s, %llu bytes, sha256 %s", lp->name, lp->evr, lp->arch,
				     lp->mirror, lp->location, (unsigned long long)lp->size,
				     lp->sha256, now.location, (unsigned long long)now.size,
				     now.sha256) < 0)
				msg = NULL;
			add_simple_problem(res, msg, "a package must never change under the "
					   "same version: find out why before you re-lock");
			free(msg);
		}
		free(now.name), free(now.evr), free(now.arch), free(now.mirror), free(now.location);
		if (asprintf(&text, "locked %s %s (%s) from mirror %s", lp->name, lp->evr,
			     lp->arch, lp->mirror) < 0)
			text = NULL;
		if (rsv_push_job(&r, SOLVER_INSTALL | SOLVER_SOLVABLE, p, text ? text : "locked",
				 NULL) < 0) {
			free(text);
			goto out;
		}
		free(text);
	}
	if (res->nproblems > 0) {
		rc = 1;
		goto out;
	}
	solv = make_solver(&r);
	n = solver_solve(solv, &r.job);
	if (n > 0) {
		rc = rsv_problems(&r, solv, n) < 0 ? -1 : 1;
		goto out;
	}
	rc = collect(&r, solv);
	if (rc == 0) {
		struct strbuf extra = STRBUF_INIT;
		char *msg = NULL;

		for (size_t i = 0; i < res->npackages; i++) {
			const struct gapimg_package *p = &res->packages[i];
			int locked = 0;

			for (size_t j = 0; j < lock->npackages && !locked; j++) {
				locked = strcmp(p->name, lock->packages[j].name) == 0 &&
					 strcmp(p->evr, lock->packages[j].evr) == 0 &&
					 strcmp(p->arch, lock->packages[j].arch) == 0 &&
					 strcmp(p->mirror, lock->packages[j].mirror) == 0;
				/* The lock's install order is the one builds use:
				 * solving for the exact set may break ties
				 * differently, and the order decides the image's
				 * bytes. */
				if (locked)
					res->packages[i].order = lock->packages[j].order;
			}
			if (!locked)
				strbuf_addf(&extra, "%s%s %s (%s) from mirror %s", extra.len ? ", " : "",
					    p->name, p->evr, p->arch, p->mirror);
		}
		if (extra.len) {
			if (asprintf(&msg, "the locked set is not complete: the locked packages "
				     "also need %s", extra.buf) < 0)
				msg = NULL;
			add_simple_problem(res, msg, "the lock file was edited by hand or made "
					   "by another gapimg: run \"gapimg lock\" again");
			free(msg);
			rc = 1;
		}
		strbuf_release(&extra);
	}
out:
	rsv_sort_problems(res);
	if (solv)
		solver_free(solv);
	rsv_close(&r);
	return rc;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void gapimg_resolution_free(struct gapimg_resolution *res)
{
	if (res == NULL)
		return;
	free(res->arch);
	for (size_t i = 0; i < res->nmirrors; i++) {
		struct gapimg_mirror_info *m = &res->mirrors[i];

		free(m->id);
		free(m->root);
		free(m->revision);
		free(m->date);
		free(m->valid_until);
		free(m->signed_by);
	}
	free(res->mirrors);
	for (size_t i = 0; i < res->npackages; i++) {
		struct gapimg_package *p = &res->packages[i];

		free(p->name);
		free(p->evr);
		free(p->arch);
		free(p->mirror);
		free(p->location);
	}
	free(res->packages);
	for (size_t i = 0; i < res->nproblems; i++) {
		free(res->problems[i].summary);
		free_strings(res->problems[i].causes, res->problems[i].ncauses);
		free_strings(res->problems[i].solutions, res->problems[i].nsolutions);
	}
	free(res->problems);
	free_strings(res->notes, res->nnotes);
	memset(res, 0, sizeof(*res));
}
