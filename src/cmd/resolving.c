/* What gapimg resolve and gapimg lock share: resolver options, notes and
 * problems on standard error, the resolution as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "gapimg/resolve.h"
#include "gapimg/strbuf.h"

int cmd_resolve_option(int c, const char *arg, struct gapimg_resolve_opts *opts)
{
	switch (c) {
	case OPT_CACHE_DIR:
		opts->cache_dir = arg;
		return 1;
	case OPT_NO_CACHE:
		opts->no_cache = 1;
		return 1;
	case OPT_ALLOW_EXPIRED:
		opts->allow_expired = 1;
		return 1;
	case OPT_BEST:
		opts->best = 1;
		return 1;
	case OPT_METADATA_ONLY:
		opts->metadata_only = 1;
		return 1;
	}
	return 0;
}

void cmd_print_notes(const char *cmd, const struct gapimg_resolution *res)
{
	for (size_t i = 0; i < res->nnotes; i++)
		cmd_note(cmd, "%s", res->notes[i]);
}

void cmd_print_problems(const char *cmd, const struct gapimg_resolution *res)
{
	fprintf(stderr, "gapimg %s: error: the packages cannot be resolved: %zu problem%s\n",
		cmd, res->nproblems, res->nproblems == 1 ? "" : "s");
	for (size_t i = 0; i < res->nproblems; i++) {
		const struct gapimg_problem *pr = &res->problems[i];
		size_t shown = 0;

		fprintf(stderr, "problem %zu: ", i + 1);
		cmd_put_escaped(pr->summary, stderr);
		fputc('\n', stderr);
		for (size_t j = 0; j < pr->ncauses; j++) {
			if (strcmp(pr->causes[j], pr->summary) == 0)
				continue;
			if (shown++ == 0)
				fputs("  because:\n", stderr);
			fputs("    - ", stderr);
			cmd_put_escaped(pr->causes[j], stderr);
			fputc('\n', stderr);
		}
		if (pr->nsolutions)
			fputs("  possible solutions:\n", stderr);
		for (size_t j = 0; j < pr->nsolutions; j++) {
			fprintf(stderr, "    %zu. ", j + 1);
			cmd_put_escaped(pr->solutions[j], stderr);
			fputc('\n', stderr);
		}
	}
}

/* Text from mirror metadata need not be UTF-8 (jansson refuses it):
 * bytes of an invalid string are shown as \xHH, so nothing is dropped. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	struct strbuf sb = STRBUF_INIT;

	if (j != NULL)
		return j;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p < 0x20)
			strbuf_addf(&sb, "\\x%02x", *p);
		else
			strbuf_addch(&sb, (char)*p);
	j = json_string(sb.buf);
	strbuf_release(&sb);
	return j;
}

static json_t *str_or_null(const char *s)
{
	return s ? jstr(s) : json_null();
}

static json_t *strings(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jstr(v[i]));
	return a;
}

static int by_order(const void *a, const void *b)
{
	const struct gapimg_package *x = *(const struct gapimg_package *const *)a;
	const struct gapimg_package *y = *(const struct gapimg_package *const *)b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* The resolution as one line of JSON with sorted keys; packages in
 * install order. */
int cmd_print_resolution_json(const struct gapimg_resolution *res, FILE *out)
{
	json_t *root = json_object(), *mirrors = json_array(), *pkgs = json_array();
	json_t *problems = json_array();
	const struct gapimg_package **order = calloc(res->npackages + 1, sizeof(*order));
	char *text;

	if (order == NULL)
		return -1;
	for (size_t i = 0; i < res->npackages; i++)
		order[i] = &res->packages[i];
	qsort(order, res->npackages, sizeof(*order), by_order);
	json_object_set_new(root, "recipe_digest", json_string(res->recipe_digest));
	json_object_set_new(root, "family", json_string(res->family == GAPIMG_FAMILY_DEB ? "deb" : "rpm"));
	json_object_set_new(root, "arch", str_or_null(res->arch));
	for (size_t i = 0; i < res->nmirrors; i++) {
		const struct gapimg_mirror_info *m = &res->mirrors[i];

		json_array_append_new(mirrors, json_pack("{s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:b}",
			"id", jstr(m->id), "type", gapimg_mirror_type_name(m->type),
			"metadata_sha256", m->metadata_sha256,
			"revision", str_or_null(m->revision), "date", str_or_null(m->date),
			"valid_until", str_or_null(m->valid_until),
			"signed_by", str_or_null(m->signed_by),
			"packages", (json_int_t)m->npackages, "from_cache", m->from_cache));
	}
	json_object_set_new(root, "mirrors", mirrors);
	for (size_t i = 0; i < res->npackages; i++) {
		const struct gapimg_package *p = order[i];

		json_array_append_new(pkgs, json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:s,s:i,s:b}",
			"name", jstr(p->name), "evr", jstr(p->evr), "arch", jstr(p->arch),
			"mirror", jstr(p->mirror), "location", jstr(p->location ? p->location : ""),
			"size", (json_int_t)p->size,
			"sha256", p->sha256, "order", (int)p->order, "wheel", p->wheel));
	}
	json_object_set_new(root, "packages", pkgs);
	for (size_t i = 0; i < res->nproblems; i++) {
		const struct gapimg_problem *pr = &res->problems[i];

		json_array_append_new(problems, json_pack("{s:o,s:o,s:o}", "summary", jstr(pr->summary),
			"causes", strings(pr->causes, pr->ncauses),
			"solutions", strings(pr->solutions, pr->nsolutions)));
	}
	json_object_set_new(root, "problems", problems);
	json_object_set_new(root, "notes", strings(res->notes, res->nnotes));
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(root);
	free(order);
	if (text == NULL)
		return -1;
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}
