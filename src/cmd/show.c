/*
 * gapimg show RECIPE [--json]: the build plan a recipe compiles to, with
 * its digest; for people by default, canonical JSON with --json.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "gapimg/plan.h"
#include "gapimg/recipe.h"
#include "gapimg/strbuf.h"

static const char usage_text[] =
"usage: gapimg show [--json] RECIPE\n"
"\n"
"Compile a recipe and print the build plan every later stage uses, and\n"
"the recipe digest: the SHA-256 of the canonical plan, which includes the\n"
"SHA-256 of every local file the recipe names. Comments, blank lines and\n"
"the order of lines do not change it; any change to a named file does.\n"
"\n"
"Options:\n"
"      --json      print {\"digest\":...,\"plan\":...} as canonical JSON\n"
"                  (sorted keys, no whitespace, one line)\n"
"  -h, --help      show this help\n"
"\n"
"Exit status: 0, or 2 if the recipe has errors (reported as by 'gapimg check').\n";

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *owner(const struct gapimg_plan_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s", n->owner, n->group);
	return buf;
}

static void show_text(const struct gapimg_plan *p, FILE *out)
{
	static const char *const base[] = { "none", "essential", "required" };
	char when[32], og[160];
	time_t t = (time_t)p->epoch;
	struct tm tm;
	size_t i, j;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "recipe  %s%s\ndigest  %s\n", p->recipe,
		p->fragment ? " (a fragment: included by image recipes, not built alone)" : "",
		p->digest);
	fprintf(out, "image   %s %s %s (deb: %s), epoch %u (%s)\n",
		p->image ? p->image : "-", p->version ? p->version : "-",
		gapimg_arch_name(p->arch), gapimg_arch_deb_name(p->arch), p->epoch, when);
	fprintf(out, "build   %s, %s level %d, %u-byte blocks, scripts %s\n",
		p->output ? p->output : "-",
		p->compression, p->level, p->block_size,
		p->scripts == GAPIMG_SCRIPTS_RUN ? "run" : "none");
	if (p->kernel_cmdline[0])
		fprintf(out, "kernel  %s\n", p->kernel_cmdline);

	fprintf(out, "\nmirrors (%zu, in load order)\n", p->nmirrors);
	for (i = 0; i < p->nmirrors; i++) {
		const struct gapimg_plan_mirror *m = &p->mirrors[i];
		fprintf(out, "  %-12s %-7s %s", m->id, gapimg_mirror_type_name(m->type), m->location);
		if (m->suite) {
			fprintf(out, " %s", m->suite);
			for (j = 0; j < m->ncomponents; j++)
				fprintf(out, "%c%s", j ? ',' : ' ', m->components[j]);
		}
		fprintf(out, ", priority %d", m->priority);
		if (m->type != GAPIMG_MIRROR_WHEELS)
			fprintf(out, ", signatures %s",
				m->signatures == GAPIMG_SIGS_PACKAGES ? "packages"
				: m->signatures ? "required" : "off");
		fputc('\n', out);
		for (j = 0; j < m->nkeys; j++)
			fprintf(out, "    key %s sha256:%s\n", m->keys[j].path, m->keys[j].sha256);
	}

	fprintf(out, "\npackages (%zu; recommends %s, debian base %s)\n", p->ninstalls,
		p->recommends ? "on" : "off", base[p->debian_base]);
	for (i = 0; i < p->ninstalls; i++) {
		const struct gapimg_plan_package *k = &p->installs[i];
		fprintf(out, "  %s", k->name);
		if (k->op != GAPIMG_REL_ANY)
			fprintf(out, " %s %s", gapimg_relop_name(k->op), k->version);
		if (k->mirror)
			fprintf(out, "  (from %s)", k->mirror);
		fputc('\n', out);
	}
	for (i = 0; i < p->nexcludes; i++)
		fprintf(out, "  exclude %s\n", p->excludes[i].pattern);

	if (p->python || p->nrequirements) {
		fprintf(out, "\npython %s (%zu requirements; bytecode %s)\n",
			p->python ? p->python : "-", p->nrequirements, p->bytecode ? "on" : "off");
		for (i = 0; i < p->nrequirements; i++)
			fprintf(out, "  %s%s%s%s\n", p->requirements[i].text,
				p->requirements[i].mirror ? "  (from " : "",
				p->requirements[i].mirror ? p->requirements[i].mirror : "",
				p->requirements[i].mirror ? ")" : "");
	}

	if (p->nnodes || p->nremovals) {
		fprintf(out, "\ncontent\n");
		for (i = 0; i < p->nnodes; i++) {
			const struct gapimg_plan_node *n = &p->nodes[i];
			if (n->kind == GAPIMG_NODE_SYMLINK)
				fprintf(out, "  link  %s -> %s\n", n->path, n->target);
			else if (n->kind == GAPIMG_NODE_DIR)
				fprintf(out, "  dir   %s %04o %s\n", n->path, n->mode,
					owner(n, og, sizeof(og)));
			else
				fprintf(out, "  %s  %s %04o %s %s sha256:%s (%llu bytes)\n",
					n->is_data ? "data" : "file", n->path, n->mode,
					owner(n, og, sizeof(og)),
					n->source.path ? n->source.path : "inline",
					n->source.sha256, (unsigned long long)n->source.size);
			if (n->is_data)
				fprintf(out, "        provenance: %s\n", n->provenance);
		}
		for (i = 0; i < p->nremovals; i++)
			fprintf(out, "  remove %s\n", p->removals[i].pattern);
	}
	if (p->ngroups || p->nusers) {
		fprintf(out, "\naccounts\n");
		for (i = 0; i < p->ngroups; i++)
			fprintf(out, "  group %s gid %u\n", p->groups[i].name, p->groups[i].gid);
		for (i = 0; i < p->nusers; i++) {
			const struct gapimg_plan_user *u = &p->users[i];
			fprintf(out, "  user  %s uid %u group %s", u->name, u->uid, u->group);
			for (j = 0; j < u->ngroups; j++)
				fprintf(out, "%s%s", j ? "," : " groups ", u->groups[j]);
			fprintf(out, " home %s shell %s\n", u->home, u->shell);
		}
	}
	if (p->nenv) {
		fprintf(out, "\nenvironment\n");
		for (i = 0; i < p->nenv; i++)
			fprintf(out, "  %s=%s\n", p->env[i].name, p->env[i].value);
	}
	if (p->nenable || p->ndisable) {
		fprintf(out, "\nunits\n");
		for (i = 0; i < p->nenable; i++)
			fprintf(out, "  enable  %s\n", p->enable[i].name);
		for (i = 0; i < p->ndisable; i++)
			fprintf(out, "  disable %s\n", p->disable[i].name);
	}
}

int cmd_show(int argc, char **argv)
{
	struct gapimg_diags diags;
	struct gapimg_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct gapimg_plan *plan;
	int json = 0, c, status = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			if (optopt)
				return cmd_usage_error("show", "unknown option -%c", optopt);
			return cmd_usage_error("show", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("show", "give exactly one recipe");
	if ((plan = cmd_compile("show", argv[optind], &diags, &status)) == NULL) {
		gapimg_diags_release(&diags);
		return status;
	}
	if (json) {
		/* "digest" sorts before "plan": canonical by construction. */
		strbuf_addf(&sb, "{\"digest\":\"%s\",\"plan\":", plan->digest);
		if (gapimg_plan_canonical_json(plan, &sb, &err) < 0) {
			status = cmd_report("show", &err);
			goto out;
		}
		strbuf_setlen(&sb, sb.len - 1);   /* the plan's newline */
		strbuf_addstr(&sb, "}\n");
		fputs(sb.buf, stdout);
	} else {
		/* The compiler refuses control characters in what this prints;
		 * escape any that get through anyway, keeping our own line
		 * breaks. */
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);

		if (mem == NULL) {
			err.code = GAPIMG_E_NOMEM;
			snprintf(err.msg, sizeof(err.msg), "out of memory");
			status = cmd_report("show", &err);
			goto out;
		}
		show_text(plan, mem);
		fclose(mem);
		cmd_put_escaped(text ? text : "", stdout);
		free(text);
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gapimg show: error: cannot write the plan\n");
		status = EXIT_FAILURE_RUN;
	}
out:
	strbuf_release(&sb);
	gapimg_plan_free(plan);
	gapimg_diags_release(&diags);
	return status;
}
