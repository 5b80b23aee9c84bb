/* The resolver's pieces: pool and mirrors, requests, problems. */
#ifndef GAPIMG_RESOLVE_INTERNAL_H
#define GAPIMG_RESOLVE_INTERNAL_H

#include <solv/pool.h>
#include <solv/queue.h>
#include <solv/repo.h>
#include <solv/solver.h>
#include <solv/bitmap.h>

#include "gapimg/resolve.h"
#include "mirror/mirror.h"

/* What a job in the queue stands for, to name it in problems. */
struct job_origin {
	char *text;               /* "install alpha >= 2" */
	struct gapimg_span span;  /* file NULL when not from a recipe line */
};

struct rsv {
	const struct gapimg_plan *plan;
	const struct gapimg_resolve_opts *opts;
	struct gapimg_resolution *res;
	struct gapimg_error *err;
	Pool *pool;
	Repo **repos;             /* per plan mirror */
	Map considered;           /* not excluded */
	int have_considered;
	Queue job;
	struct job_origin *origins;   /* one per job pair */
	size_t norigins;
	Map *favored;             /* names with a favour job (Debian) */
	struct wheel_target wt;   /* what wheels are chosen for */
	struct wheel_known wk;    /* what the wheel loader left out, and
				   * the requirement behind each dependency */
	int have_wheels;
	const struct gapimg_resolution *lock;  /* being replayed, or NULL */
};

/* pool.c */
int rsv_open(struct rsv *r);
void rsv_close(struct rsv *r);
Repo *rsv_repo_by_id(struct rsv *r, const char *id);
/* "alpha-2.0-1.x86_64 from mirror base" (rpm) or
 * "hello 2.10-3 (amd64) from mirror debian" (deb); pool_tmp memory. */
const char *rsv_pkg(struct rsv *r, Id p);
/* The same without the mirror. */
const char *rsv_nevra(struct rsv *r, Id p);

/* Is p a wheel (or an extra's synthetic solvable)? */
int rsv_is_wheel(struct rsv *r, Id p);
/* How a dependency reads in a problem: a wheel requirement as it was
 * written ("numpy>=1.26,<2"), anything else as libsolv spells it. */
const char *rsv_dep(struct rsv *r, Id dep);

/* jobs.c: request problems (no such package, excluded) are added to
 * res->problems; returns -1 on error. */
int rsv_add_jobs(struct rsv *r);
/* The recipe's pip requirements (python.c in this folder). */
int rsv_add_pip_jobs(struct rsv *r);
int rsv_push_job(struct rsv *r, Id how, Id what, const char *text,
		 const struct gapimg_span *span);
/* Debian: favour the first alternative of "a | b" dependencies that the
 * installed set satisfies otherwise; returns how many favours were added,
 * or -1. */
int rsv_favor_first_alternatives(struct rsv *r, const Queue *installed);

/* problems.c */
int rsv_add_problem(struct gapimg_resolution *res, const char *summary,
		    char **causes, size_t ncauses, char **solutions, size_t nsolutions);
int rsv_problems(struct rsv *r, Solver *solv, int nproblems);
void rsv_sort_strings(char **v, size_t *n);   /* sort and drop repeats */
/* Problems in a stable order: by summary, then causes. */
void rsv_sort_problems(struct gapimg_resolution *res);

#endif
