/*
 * gapimg resolve RECIPE [--json]: resolve the recipe's packages against
 * its mirrors and print the transaction, without writing anything.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "gapimg/plan.h"
#include "gapimg/recipe.h"
#include "gapimg/resolve.h"

static const char usage_text[] =
"usage: gapimg resolve [options] RECIPE\n"
"\n"
"Resolve the recipe's install lines against its local mirrors and print the\n"
"packages an image would get, in install order. Nothing is written (see\n"
"'gapimg lock' for that). Metadata is verified before use: signatures\n"
"against the recipe's keys, then the checksum of every file they cover.\n"
"\n"
"Options:\n"
"      --json            print the resolution as one line of JSON\n"
CMD_RESOLVE_HELP
"  -h, --help            show this help\n"
"\n"
"Exit status: 0 resolved; 1 a mirror could not be read or verified;\n"
"2 the recipe or command line is invalid; 3 the request cannot be\n"
"satisfied (every problem is printed with its causes and solutions).\n";

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	CMD_RESOLVE_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void print_text(const struct gapimg_resolution *res)
{
	const struct gapimg_package **v = calloc(res->npackages + 1, sizeof(*v));
	unsigned long long total = 0;

	for (size_t i = 0; i < res->nmirrors; i++) {
		const struct gapimg_mirror_info *m = &res->mirrors[i];

		printf("mirror %s %s: %zu package%s, metadata sha256 %s%s%s%s\n", m->id,
		       gapimg_mirror_type_name(m->type), m->npackages,
		       m->npackages == 1 ? "" : "s", m->metadata_sha256,
		       m->signed_by ? ", signed by " : "", m->signed_by ? m->signed_by : "",
		       m->from_cache ? " (cached)" : "");
	}
	if (v == NULL)
		return;
	for (size_t i = 0; i < res->npackages; i++)
		v[res->packages[i].order ? res->packages[i].order - 1 : i] = &res->packages[i];
	for (size_t i = 0; i < res->npackages; i++) {
		const struct gapimg_package *p = v[i];

		if (p == NULL)
			continue;
		/* names come from mirror metadata: no control characters */
		printf("%4u ", p->order);
		cmd_put_escaped(p->name, stdout);
		putchar(' ');
		cmd_put_escaped(p->evr, stdout);
		putchar(' ');
		cmd_put_escaped(p->arch, stdout);
		printf(" %s %llu\n", p->mirror, (unsigned long long)p->size);
		total += p->size;
	}
	printf("%zu package%s, %llu bytes\n", res->npackages, res->npackages == 1 ? "" : "s",
	       total);
	free(v);
}

int cmd_resolve(int argc, char **argv)
{
	struct gapimg_resolve_opts opts = { 0 };
	struct gapimg_resolution res = { 0 };
	struct gapimg_error err = { 0 };
	struct gapimg_diags diags;
	struct gapimg_plan *plan;
	int json = 0, c, rc, status = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (cmd_resolve_option(c, optarg, &opts))
			continue;
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			if (optopt)
				return cmd_usage_error("resolve", "unknown option or missing value: -%c",
						       optopt < 0x100 ? optopt : '-');
			return cmd_usage_error("resolve", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("resolve", "give exactly one recipe");
	if ((plan = cmd_compile("resolve", argv[optind], &diags, &status)) == NULL) {
		gapimg_diags_release(&diags);
		return status;
	}
	opts.epoch = plan->epoch;
	rc = gapimg_resolve(plan, &opts, &res, &err);
	cmd_print_notes("resolve", &res);
	if (rc < 0) {
		status = cmd_report("resolve", &err);
	} else {
		if (json)
			cmd_print_resolution_json(&res, stdout);
		if (rc == 1) {
			cmd_print_problems("resolve", &res);
			status = EXIT_UNSOLVABLE;
		} else if (!json) {
			print_text(&res);
		}
	}
	gapimg_resolution_free(&res);
	gapimg_plan_free(plan);
	gapimg_diags_release(&diags);
	return status;
}
