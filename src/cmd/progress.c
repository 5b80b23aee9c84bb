/*
 * One self-overwriting line on standard error while long work runs; only
 * on a terminal and not with --quiet.  It reads the monotonic clock to
 * limit redraws to ten a second; nothing it prints reaches any output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

struct progress {
	const char *label;
	const char *unit;
	double last;
	int drawn;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress *progress_start(const char *label, int quiet)
{
	struct progress *p;

	if (quiet || !isatty(STDERR_FILENO))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p != NULL)
		p->label = label;
	return p;
}

void progress_update(struct progress *p, uint64_t done, uint64_t total,
		     uint64_t files_done, uint64_t files_total)
{
	double t;

	if (p == NULL)
		return;
	t = now();
	if (p->drawn && t - p->last < 0.1 && done != total)
		return;
	p->last = t;
	p->drawn = 1;
	fprintf(stderr, "\r%s: %3u%% %.1f of %.1f MiB, %llu of %llu %s\033[K",
		p->label, total ? (unsigned)(done * 100 / total) : 100u,
		(double)done / 1048576.0, (double)total / 1048576.0,
		(unsigned long long)files_done, (unsigned long long)files_total,
		p->unit ? p->unit : "files");
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	if (p == NULL)
		return;
	if (p->drawn)
		fputs("\r\033[K", stderr);
	fflush(stderr);
	free(p);
}

void progress_set_unit(struct progress *p, const char *unit)
{
	if (p)
		p->unit = unit;
}
