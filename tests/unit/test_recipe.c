/* Recipe compiler: what the golden files do not show directly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gapimg/plan.h"
#include "gapimg/recipe.h"

#define HEAD "image t\nversion 1\narch x86_64\nepoch 0\n"

static struct gapimg_plan *compile(const char *text, struct gapimg_diags *d)
{
	struct gapimg_error err = { 0 };

	memset(d, 0, sizeof(*d));
	return gapimg_recipe_compile_buffer("t.recipe", text, strlen(text),
					    GAPIMG_COMPILE_NO_FILES, d, &err);
}

/* The first diagnostic, rendered. */
static char *first_diag(const struct gapimg_diags *d)
{
	struct strbuf sb = STRBUF_INIT;

	assert_true(d->n > 0);
	assert_int_equal(gapimg_diag_format(&d->v[0], &sb), 0);
	return strbuf_detach(&sb);
}

static void test_minimal_plan_digest(void **state)
{
	struct gapimg_diags d;
	struct gapimg_plan *p = compile(HEAD, &d);
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_non_null(p);
	assert_int_equal(d.n, 0);
	assert_int_equal(gapimg_plan_canonical_json(p, &sb, NULL), 0);
	assert_string_equal(sb.buf,
		"{\"build\":{\"block_size\":131072,\"compression\":\"zstd\",\"kernel_cmdline\":\"\","
		"\"level\":15,\"output\":\"t-1.sqfs\",\"scripts\":\"none\"},\"content\":{\"data\":[],"
		"\"env\":{},\"files\":[],\"groups\":[],\"remove\":[],\"units\":{\"disable\":[],"
		"\"enable\":[]},\"users\":[]},\"format\":1,\"fragment\":false,\"image\":{\"arch\":"
		"\"x86_64\",\"epoch\":0,\"name\":\"t\",\"version\":\"1\"},\"mirrors\":[],\"packages\":"
		"{\"debian_base\":\"none\",\"exclude\":[],\"install\":[],\"recommends\":false},"
		"\"python\":{\"bytecode\":false,\"requirements\":[],\"version\":null}}\n");
	/* The digest is the SHA-256 of those bytes without the newline
	 * (printf ... | sha256sum). */
	assert_string_equal(p->digest,
		"ba61d887ca62891b8d8e029b382328e7737639f8ae8993c5a910c78081437c1d");
	strbuf_release(&sb);
	gapimg_plan_free(p);
	gapimg_diags_release(&d);
}

static void test_words_options_strings(void **state)
{
	struct gapimg_diags d;
	struct gapimg_plan *p;

	(void)state;
	/* "torch==2.3.*" is a word, not an option named torch; quoted values
	 * decode their escapes; "text=" is an empty value. */
	p = compile(HEAD "python 3.11\nmirror w wheels /w\npip torch==2.3.*\n"
		    "file /a text=\"say \\\"hi\\\"\\\\\\x41\"\nfile /b text=\n", &d);
	assert_non_null(p);
	assert_int_equal(p->nrequirements, 1);
	assert_string_equal(p->requirements[0].text, "torch==2.3.*");
	assert_int_equal(p->nnodes, 2);
	assert_string_equal(p->nodes[0].text, "say \"hi\"\\A");
	assert_int_equal(p->nodes[1].text_len, 0);
	gapimg_plan_free(p);
	gapimg_diags_release(&d);
}

static void test_columns_count_characters(void **state)
{
	struct gapimg_diags d;
	struct gapimg_plan *p;
	char *s;

	(void)state;
	/* Two-byte characters before the culprit, and a tab. */
	p = compile(HEAD "file /café/ü\ttext=x mode=999\n", &d);
	assert_null(p);
	s = first_diag(&d);
	assert_string_equal(s,
		"t.recipe:5:26: error: invalid mode '999': give octal permission bits, such as 0644 or 0755\n"
		" 5 | file /café/ü text=x mode=999\n"
		"   |                          ^~~\n");
	free(s);
	gapimg_diags_release(&d);
}

static void test_no_files_mode(void **state)
{
	struct gapimg_diags d;
	struct gapimg_plan *p;

	(void)state;
	p = compile(HEAD "include other.recipe\nfile /a source=a.txt\n", &d);
	assert_null(p);
	assert_int_equal(d.errors, 2);
	assert_string_equal(d.v[0].message,
			    "includes are not followed when checking recipe text alone");
	assert_string_equal(d.v[1].message,
			    "local files are not read when checking recipe text alone");
	gapimg_diags_release(&d);
}

static void test_same_text_same_digest(void **state)
{
	struct gapimg_diags d1, d2;
	struct gapimg_plan *a, *b;

	(void)state;
	a = compile(HEAD "env B 2\nenv A 1\nuser u uid=5\n", &d1);
	b = compile("user u uid=5   # a comment\n\nenv A 1\n" HEAD "env B \"2\"\n", &d2);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->digest, b->digest);
	gapimg_plan_free(a);
	gapimg_plan_free(b);
	gapimg_diags_release(&d1);
	gapimg_diags_release(&d2);
}

static void test_directive_limit(void **state)
{
	struct gapimg_diags d = { 0 };
	struct gapimg_plan *p;
	size_t i, n = GAPIMG_RECIPE_MAX_ITEMS + 10, len = 0;
	char *text = malloc(n * 16 + 64);

	(void)state;
	assert_non_null(text);
	len += (size_t)sprintf(text, "%s", HEAD);
	for (i = 0; i < n && len < GAPIMG_RECIPE_MAX_BYTES - 16; i++)
		len += (size_t)sprintf(text + len, "remove /%zx\n", i);
	p = gapimg_recipe_compile_buffer("t.recipe", text, len, GAPIMG_COMPILE_NO_FILES, &d, NULL);
	assert_null(p);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.v[0].message,
			    "more than 65536 directives in the recipe and its includes");
	assert_int_equal(d.v[0].span.line, 65537);
	free(text);
	gapimg_diags_release(&d);
}

/* 64 files at most: the main recipe and 63 includes. */
static void test_file_limit(void **state)
{
	char dir[] = "/tmp/gapimg-recipe-XXXXXX", path[256];
	struct gapimg_diags d = { 0 };
	struct gapimg_error err = { 0 };
	struct gapimg_plan *p;
	FILE *main_f, *f;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.recipe", dir);
	main_f = fopen(path, "w");
	assert_non_null(main_f);
	fputs(HEAD, main_f);
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "%s/f%02d.recipe", dir, i);
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "env V%d %d\n", i, i);
		fclose(f);
		fprintf(main_f, "include f%02d.recipe\n", i);
	}
	fclose(main_f);
	snprintf(path, sizeof(path), "%s/main.recipe", dir);
	p = gapimg_recipe_compile(path, 0, &d, &err);
	assert_null(p);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.v[0].message, "more than 64 recipe files in one plan");
	assert_int_equal(d.v[0].span.line, 5 + 63);
	gapimg_diags_release(&d);
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "%s/f%02d.recipe", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/main.recipe", dir);
	unlink(path);
	rmdir(dir);
}

static void test_format_whole_file(void **state)
{
	struct gapimg_diag g = { GAPIMG_DIAG_ERROR, { "x.recipe", 0, 0, 0 },
				 "missing 'image' directive", "add a line: image NAME", NULL };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(gapimg_diag_format(&g, &sb), 0);
	assert_string_equal(sb.buf, "x.recipe: error: missing 'image' directive\n"
				    "  = help: add a line: image NAME\n");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_plan_digest),
		cmocka_unit_test(test_words_options_strings),
		cmocka_unit_test(test_columns_count_characters),
		cmocka_unit_test(test_no_files_mode),
		cmocka_unit_test(test_same_text_same_digest),
		cmocka_unit_test(test_directive_limit),
		cmocka_unit_test(test_file_limit),
		cmocka_unit_test(test_format_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
