/*
 * gapimg check RECIPE...: compile each recipe and report every problem,
 * gcc-style, on standard error.  Exit 0 when all are valid (warnings
 * allowed), 2 when any has errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "gapimg/recipe.h"

static const char usage_text[] =
"usage: gapimg check [-q] RECIPE...\n"
"\n"
"Check recipes: syntax, values, references between lines, included files,\n"
"and the local files they name (which are hashed). Every problem is\n"
"reported as FILE:LINE:COLUMN with the line and a caret under the culprit.\n"
"Prints \"RECIPE: ok\" for each valid recipe.\n"
"\n"
"Options:\n"
"  -q, --quiet     print nothing for valid recipes\n"
"  -h, --help      show this help\n"
"\n"
"Exit status: 0 if every recipe is valid (warnings allowed), 2 if any has\n"
"errors, 1 if gapimg itself failed (out of memory).\n";

static const struct option options[] = {
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_check(int argc, char **argv)
{
	int quiet = 0, c, status = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			if (optopt)
				return cmd_usage_error("check", "unknown option -%c", optopt);
			return cmd_usage_error("check", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cmd_usage_error("check", "give at least one recipe");
	for (; optind < argc; optind++) {
		struct gapimg_diags diags;
		struct gapimg_plan *plan;
		int one = EXIT_OK;
		char counts[96];

		plan = cmd_compile("check", argv[optind], &diags, &one);
		if (plan == NULL && one != EXIT_USAGE) {
			gapimg_diags_release(&diags);
			return one;
		}
		if (plan == NULL) {
			status = EXIT_USAGE;
		} else if (!quiet) {
			cmd_count_words(&diags, counts, sizeof(counts));
			if (diags.warnings)
				printf("%s: ok (%s)\n", argv[optind], counts);
			else
				printf("%s: ok\n", argv[optind]);
		}
		gapimg_plan_free(plan);
		gapimg_diags_release(&diags);
	}
	fflush(stdout);
	return status;
}
