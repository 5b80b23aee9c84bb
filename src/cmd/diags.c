/* Printing the recipe compiler's diagnostics, shared by the commands that
 * compile recipes. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "gapimg/strbuf.h"

/* The lexer keeps control characters out of recipe lines, but file names
 * come from the command line: escape everything but the line breaks the
 * format itself puts in. */
void cmd_put_escaped(const char *s, FILE *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

int cmd_print_diags(const struct gapimg_diags *diags)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < diags->n; i++) {
		strbuf_reset(&sb);
		if (gapimg_diag_format(&diags->v[i], &sb) < 0) {
			strbuf_release(&sb);
			return -1;
		}
		cmd_put_escaped(sb.buf, stderr);
	}
	if (diags->hidden)
		fprintf(stderr, "%zu more warning%s not shown\n", diags->hidden,
			diags->hidden == 1 ? "" : "s");
	if (diags->stopped)
		fputs("too many errors: stopped after 50; fix these and run again\n", stderr);
	strbuf_release(&sb);
	return 0;
}

struct gapimg_plan *cmd_compile(const char *cmd, const char *path,
				struct gapimg_diags *diags, int *status)
{
	struct gapimg_error err = { 0 };
	struct gapimg_plan *plan;
	char counts[96];

	memset(diags, 0, sizeof(*diags));
	plan = gapimg_recipe_compile(path, 0, diags, &err);
	cmd_print_diags(diags);
	if (plan)
		return plan;
	if (diags->errors == 0) {
		*status = cmd_report(cmd, &err);   /* gapimg itself failed */
		return NULL;
	}
	cmd_count_words(diags, counts, sizeof(counts));
	fprintf(stderr, "%s: %s\n", path, counts);
	*status = EXIT_USAGE;
	return NULL;
}

void cmd_count_words(const struct gapimg_diags *diags, char *buf, size_t size)
{
	if (diags->errors && diags->warnings)
		snprintf(buf, size, "%zu error%s, %zu warning%s", diags->errors,
			 diags->errors == 1 ? "" : "s", diags->warnings,
			 diags->warnings == 1 ? "" : "s");
	else if (diags->errors)
		snprintf(buf, size, "%zu error%s", diags->errors, diags->errors == 1 ? "" : "s");
	else
		snprintf(buf, size, "%zu warning%s", diags->warnings,
			 diags->warnings == 1 ? "" : "s");
}
