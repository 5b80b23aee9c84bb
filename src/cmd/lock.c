/*
 * gapimg lock RECIPE: resolve and write NAME.lock beside the recipe.
 * gapimg lock --check RECIPE: is the lock current?  It is when it was
 * made from this recipe (same digest) and its packages are all still in
 * their mirrors with the same checksums, and install exactly that set.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "gapimg/atomic.h"
#include "gapimg/lock.h"
#include "gapimg/plan.h"
#include "gapimg/recipe.h"
#include "gapimg/resolve.h"

static const char usage_text[] =
"usage: gapimg lock [options] RECIPE\n"
"       gapimg lock --check [options] RECIPE\n"
"\n"
"Resolve the recipe's packages against its mirrors and write the answer\n"
"to a lock file (NAME.lock beside NAME.recipe): a sorted text file to\n"
"review and commit, from which later builds take exactly those packages.\n"
"The file is replaced atomically; on any failure the old one is kept.\n"
"\n"
"Options:\n"
"  -o, --output FILE     write the lock here instead\n"
"      --check           write nothing; say whether the lock is current:\n"
"                        made from this recipe, and every locked package\n"
"                        still in its mirror with the same checksum\n"
CMD_RESOLVE_HELP
"  -q, --quiet           no summary on standard error\n"
"  -h, --help            show this help\n"
"\n"
"Exit status: 0 written, or current; 1 a mirror could not be read or\n"
"verified, or the lock could not be written; 2 the recipe, the lock file or\n"
"the command line is invalid; 3 the request cannot be satisfied; 4 (with\n"
"--check) the lock is missing or not current.\n";

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "check", no_argument, NULL, 'c' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	CMD_RESOLVE_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static int check_lock(const struct gapimg_plan *plan, const char *path,
		      const struct gapimg_resolve_opts *opts, int quiet)
{
	struct gapimg_resolution lock = { 0 }, res = { 0 };
	struct gapimg_error err = { 0 };
	int rc, status = EXIT_OK;

	if (gapimg_lock_read(path, &lock, &err) < 0) {
		if (err.code == GAPIMG_E_NOTFOUND) {
			fprintf(stderr, "gapimg lock: %s does not exist; run 'gapimg lock %s' "
				"to write it\n", path, plan->recipe);
			status = EXIT_STALE;
		} else {
			status = cmd_report("lock", &err);
		}
		goto out;
	}
	if (strcmp(lock.recipe_digest, plan->digest) != 0) {
		fprintf(stderr, "gapimg lock: %s is stale: it was made from recipe digest %s, "
			"the recipe is now %s; run 'gapimg lock %s' and review the change\n",
			path, lock.recipe_digest, plan->digest, plan->recipe);
		status = EXIT_STALE;
		goto out;
	}
	rc = gapimg_resolve_replay(plan, &lock, opts, &res, &err);
	cmd_print_notes("lock", &res);
	if (rc < 0) {
		status = cmd_report("lock", &err);
		goto out;
	}
	if (rc == 1) {
		fprintf(stderr, "gapimg lock: %s is not current: the mirrors no longer give "
			"its packages\n", path);
		cmd_print_problems("lock", &res);
		status = EXIT_STALE;
		goto out;
	}
	for (size_t i = 0; i < lock.nmirrors; i++)
		for (size_t j = 0; j < res.nmirrors; j++)
			if (strcmp(lock.mirrors[i].id, res.mirrors[j].id) == 0 &&
			    strcmp(lock.mirrors[i].metadata_sha256, res.mirrors[j].metadata_sha256) != 0)
				cmd_note("lock", "mirror %s: the metadata changed since the lock "
					 "was written (sha256 %s, now %s); every locked package "
					 "is still there", lock.mirrors[i].id,
					 lock.mirrors[i].metadata_sha256, res.mirrors[j].metadata_sha256);
	if (!quiet)
		fprintf(stderr, "gapimg lock: %s is current: %zu packages\n", path, lock.npackages);
out:
	gapimg_resolution_free(&lock);
	gapimg_resolution_free(&res);
	return status;
}

static int write_lock(const struct gapimg_plan *plan, const char *path,
		      const struct gapimg_resolve_opts *opts, int quiet)
{
	struct gapimg_resolution res = { 0 };
	struct gapimg_error err = { 0 };
	struct strbuf text = STRBUF_INIT;
	int rc, status = EXIT_OK;

	rc = gapimg_resolve(plan, opts, &res, &err);
	cmd_print_notes("lock", &res);
	if (rc < 0) {
		status = cmd_report("lock", &err);
		goto out;
	}
	if (rc == 1) {
		cmd_print_problems("lock", &res);
		fprintf(stderr, "gapimg lock: %s was not written\n", path);
		status = EXIT_UNSOLVABLE;
		goto out;
	}
	if (gapimg_lock_format(&res, &text, &err) < 0 ||
	    gapimg_write_file_atomic(path, text.buf, text.len, &err) < 0) {
		status = cmd_report("lock", &err);
		goto out;
	}
	if (!quiet)
		fprintf(stderr, "gapimg lock: wrote %s: %zu package%s from %zu mirror%s\n",
			path, res.npackages, res.npackages == 1 ? "" : "s", res.nmirrors,
			res.nmirrors == 1 ? "" : "s");
out:
	strbuf_release(&text);
	gapimg_resolution_free(&res);
	return status;
}

int cmd_lock(int argc, char **argv)
{
	struct gapimg_resolve_opts opts = { 0 };
	struct gapimg_diags diags;
	struct gapimg_plan *plan;
	const char *output = NULL;
	char *path = NULL;
	int check = 0, quiet = 0, c, status = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
		if (cmd_resolve_option(c, optarg, &opts))
			continue;
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'c':
			check = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			if (optopt)
				return cmd_usage_error("lock", "unknown option or missing value: -%c",
						       optopt < 0x100 ? optopt : '-');
			return cmd_usage_error("lock", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("lock", "give exactly one recipe");
	if ((plan = cmd_compile("lock", argv[optind], &diags, &status)) == NULL) {
		gapimg_diags_release(&diags);
		return status;
	}
	opts.epoch = plan->epoch;
	path = output ? strdup(output) : gapimg_lock_default_path(argv[optind]);
	if (check)
		status = check_lock(plan, path, &opts, quiet);
	else
		status = write_lock(plan, path, &opts, quiet);
	free(path);
	gapimg_plan_free(plan);
	gapimg_diags_release(&diags);
	return status;
}
