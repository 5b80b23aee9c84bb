#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "python/simple.h"

#define FIXTURES "/work/shared/fixtures/wheels/simple/"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What one link must hold; NULL pointers are expected NULL. */
struct want {
	const char *href, *path, *filename, *text, *sha256, *requires_python;
	int yanked;
	const char *yanked_reason;
	int has_metadata;
	const char *metadata_sha256;
};

/* An exact-size copy, so the sanitizers catch any read past len. */
static char *exact(const char *in, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, in, len);
	return p;
}

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void str_eq(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

static void check_links(const struct pysimple_link *l, size_t n,
			const struct want *w, size_t nw)
{
	size_t i;

	assert_int_equal(n, nw);
	for (i = 0; i < n; i++) {
		str_eq(l[i].href, w[i].href);
		str_eq(l[i].path, w[i].path);
		str_eq(l[i].filename, w[i].filename);
		str_eq(l[i].text, w[i].text);
		str_eq(l[i].sha256, w[i].sha256);
		str_eq(l[i].requires_python, w[i].requires_python);
		assert_int_equal(l[i].yanked, w[i].yanked);
		str_eq(l[i].yanked_reason, w[i].yanked_reason);
		assert_int_equal(l[i].has_metadata, w[i].has_metadata);
		str_eq(l[i].metadata_sha256, w[i].metadata_sha256);
	}
}

/* Parse a page that must parse, and compare its links with w. */
static void check_page(const char *html, size_t len, const struct want *w,
		       size_t nw)
{
	struct pysimple_link *l = (void *)1;
	size_t n = 99;
	char msg[256] = "", *copy = exact(html, len);

	if (pysimple_parse(copy, len, &l, &n, msg, sizeof(msg)) != 0)
		fail_msg("refused: %s", msg);
	free(copy);
	assert_string_equal(msg, "");
	check_links(l, n, w, nw);
	pysimple_free(l, n);
}

static void check_str(const char *html, const struct want *w, size_t nw)
{
	check_page(html, strlen(html), w, nw);
}

static void check_bad_len(const char *html, size_t len, const char *want)
{
	struct pysimple_link *l = (void *)1;
	size_t n = 99;
	char msg[256] = "", *copy = exact(html, len);

	assert_int_equal(pysimple_parse(copy, len, &l, &n, msg, sizeof(msg)),
			 -1);
	free(copy);
	assert_string_equal(msg, want);
	assert_null(l);
	assert_int_equal(n, 0);
}

static void check_bad(const char *html, const char *want)
{
	check_bad_len(html, strlen(html), want);
}

/* ---- the fixture mirror ---- */

#define SW_FILES "../../files/"
#define SW1 "e63aa139caee941ec7f33f057a5b987708c2128238357cf905429846a2008718"
#define SW21 "71e1ca6b16ae3382a698c284013f66504f2581099b2ce4801f60e9536236ceee"
#define SW2 "b73f2dfb7ada153c45417035380664d4af117a9ad651f783d3db583c79f41b33"
#define SW1M "7e5df2ccf798e3a611c0ae492a5fd300e1aacc53c2c9e1546999b5aba570a3d6"
#define SW2M "2393597c566fa8564aab445f7ed5527608973c5f1215f93bd43246b9276bf6f7"

static void test_simplewheel(void **state)
{
	static const struct want w[] = {
		{ SW_FILES "simplewheel-1.0-py2.py3-none-any.whl",
		  SW_FILES "simplewheel-1.0-py2.py3-none-any.whl",
		  "simplewheel-1.0-py2.py3-none-any.whl",
		  "simplewheel-1.0-py2.py3-none-any.whl", SW1, NULL, 0, NULL,
		  1, SW1M },
		{ SW_FILES "simplewheel-2.0-1-py2.py3-none-any.whl",
		  SW_FILES "simplewheel-2.0-1-py2.py3-none-any.whl",
		  "simplewheel-2.0-1-py2.py3-none-any.whl",
		  "simplewheel-2.0-1-py2.py3-none-any.whl", SW21, NULL, 0,
		  NULL, 1, SW2M },
		{ SW_FILES "simplewheel-2.0-py2.py3-none-any.whl",
		  SW_FILES "simplewheel-2.0-py2.py3-none-any.whl",
		  "simplewheel-2.0-py2.py3-none-any.whl",
		  "simplewheel-2.0-py2.py3-none-any.whl", SW2, NULL, 0, NULL,
		  1, SW2M },
		{ SW_FILES "simplewheel-2.0-py3-fakeabi-fakeplat.whl",
		  SW_FILES "simplewheel-2.0-py3-fakeabi-fakeplat.whl",
		  "simplewheel-2.0-py3-fakeabi-fakeplat.whl",
		  "simplewheel-2.0-py3-fakeabi-fakeplat.whl", SW2, NULL, 0,
		  NULL, 1, SW2M },
	};
	size_t len;
	char *buf = slurp("simplewheel/index.html", &len);

	(void)state;
	if (buf == NULL)
		skip();
	check_page(buf, len, w, N(w));
	free(buf);
}

static void test_celery_demo(void **state)
{
	static const struct want celery[] = {
		{ SW_FILES "celery-4.4.2-py2.py3-none-any.whl",
		  SW_FILES "celery-4.4.2-py2.py3-none-any.whl",
		  "celery-4.4.2-py2.py3-none-any.whl",
		  "celery-4.4.2-py2.py3-none-any.whl",
		  "5b4b37e276033fe47575107a2775469f0b721646a08c96ec2c61531e4fe45f2a",
		  ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*,", 0,
		  NULL, 1,
		  "b242cdab1bc01be87d18f6315b2fcac9673ef63d3bd47f17a4777ad070da1871" },
	};
	static const struct want demo[] = {
		{ SW_FILES "demo-0.0.1-cp36-cp36m-win_amd64.whl",
		  SW_FILES "demo-0.0.1-cp36-cp36m-win_amd64.whl",
		  "demo-0.0.1-cp36-cp36m-win_amd64.whl",
		  "demo-0.0.1-cp36-cp36m-win_amd64.whl",
		  "148b2c34f7afe43d428c4a086fc551a8d115295e92ecc3c43b6ff6bb78670751",
		  ">=3.3", 0, NULL, 1,
		  "9e3629e9ac1f8f5e089a0e326953b4e88cd8cdd41bb35612edeb30019eae55b1" },
		{ SW_FILES "demo-0.0.1-py2.py3-none-any.whl",
		  SW_FILES "demo-0.0.1-py2.py3-none-any.whl",
		  "demo-0.0.1-py2.py3-none-any.whl",
		  "demo-0.0.1-py2.py3-none-any.whl",
		  "148b2c34f7afe43d428c4a086fc551a8d115295e92ecc3c43b6ff6bb78670751",
		  ">=3.3", 0, NULL, 1,
		  "9e3629e9ac1f8f5e089a0e326953b4e88cd8cdd41bb35612edeb30019eae55b1" },
	};
	size_t len;
	char *buf = slurp("celery/index.html", &len);

	(void)state;
	if (buf == NULL)
		skip();
	check_page(buf, len, celery, N(celery));
	free(buf);
	buf = slurp("demo/index.html", &len);
	assert_non_null(buf);
	check_page(buf, len, demo, N(demo));
	free(buf);
}

/* The root page: one link per project, "name/"; filename is the name. */
static void test_root(void **state)
{
	static const char *const projects[] = {
		"celery", "colander", "complex-dist", "demo", "editables",
		"first", "flit-core", "future-fstrings", "importlib-metadata",
		"ipykernel", "jmespath", "license-dist", "meta", "pip",
		"piplite", "pkg-prerelease", "pyfunctional", "pyodide-kernel",
		"requires-simple-extra", "setuptools", "simple-dist",
		"simplewheel", "typing-extensions", "wheel",
		"widgetsnbextension", "zipp",
	};
	struct pysimple_link *l;
	size_t len, n, i;
	char msg[256], href[64], *buf = slurp("index.html", &len);

	(void)state;
	if (buf == NULL)
		skip();
	assert_int_equal(pysimple_parse(buf, len, &l, &n, msg, sizeof(msg)), 0);
	free(buf);
	assert_int_equal(n, N(projects));
	for (i = 0; i < n; i++) {
		snprintf(href, sizeof(href), "%s/", projects[i]);
		assert_string_equal(l[i].href, href);
		assert_string_equal(l[i].path, href);
		assert_string_equal(l[i].filename, projects[i]);
		assert_string_equal(l[i].text, projects[i]);
		assert_null(l[i].sha256);
		assert_null(l[i].requires_python);
		assert_int_equal(l[i].yanked, 0);
		assert_null(l[i].yanked_reason);
		assert_int_equal(l[i].has_metadata, 0);
		assert_null(l[i].metadata_sha256);
	}
	pysimple_free(l, n);
}

/* Every project page of the fixture mirror parses, with a sha256 on each
 * link (the mirror's generator always writes one). */
static void test_all_pages(void **state)
{
	static const char *const projects[] = {
		"celery", "colander", "complex-dist", "demo", "editables",
		"first", "flit-core", "future-fstrings", "importlib-metadata",
		"ipykernel", "jmespath", "license-dist", "meta", "pip",
		"piplite", "pkg-prerelease", "pyfunctional", "pyodide-kernel",
		"requires-simple-extra", "setuptools", "simple-dist",
		"simplewheel", "typing-extensions", "wheel",
		"widgetsnbextension", "zipp",
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < N(projects); i++) {
		struct pysimple_link *l;
		size_t len, n;
		char name[128], msg[256], *buf;

		snprintf(name, sizeof(name), "%s/index.html", projects[i]);
		buf = slurp(name, &len);
		if (buf == NULL)
			skip();
		if (pysimple_parse(buf, len, &l, &n, msg, sizeof(msg)) != 0)
			fail_msg("%s: %s", name, msg);
		free(buf);
		assert_true(n >= 1);
		for (k = 0; k < n; k++) {
			assert_non_null(l[k].sha256);
			assert_int_equal(strlen(l[k].sha256), 64);
			assert_string_equal(l[k].filename, l[k].text);
		}
		pysimple_free(l, n);
	}
}

/* ---- made-up pages ---- */

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define U64 "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789ABCDEF"

static void test_markup(void **state)
{
	static const struct want w[] = {
		/* Uppercase tags and attributes, unquoted values, %2B, an
		 * uppercase hash lowercased, text trimmed across elements. */
		{ "../x/foo-1.0%2Blocal-py3-none-any.whl",
		  "../x/foo-1.0+local-py3-none-any.whl",
		  "foo-1.0+local-py3-none-any.whl", "foo\n & bar", H64, NULL,
		  1, "", 0, NULL },
		/* Single quotes, entities in values, both metadata names
		 * with the new one winning. */
		{ "q-1.whl", "q-1.whl", "q-1.whl", "q <1>", NULL, ">=3.6, <4",
		  1, "bad <build>", 1, H64 },
		/* Other hash names are left alone; "true" has no hash. */
		{ "https://h/p/r.whl", "https://h/p/r.whl", "r.whl", "", NULL,
		  NULL, 0, NULL, 1, NULL },
		{ "", "", "", "empty", NULL, NULL, 0, NULL, 0, NULL },
		/* Only the old name; an empty yanked reason. */
		{ "s%20t.whl", "s t.whl", "s t.whl", "é", NULL, "", 1, "", 1,
		  H64 },
	};

	(void)state;
	check_str("<!DOCTYPE html><HTML><BODY>\n"
		  "<A HREF=../x/foo-1.0%2Blocal-py3-none-any.whl#sha256=" U64
		  " DATA-YANKED>  foo\n &amp; <b>bar</b> </A><br>\n"
		  "<p><a href='q-1.whl' data-yanked=\"bad &lt;build&gt;\""
		  " data-requires-python='&gt;=3.6, &lt;4'"
		  " data-dist-info-metadata=\"true\""
		  " data-core-metadata='sha256=" U64 "'>q &lt;1&gt;</a></p>\n"
		  "<a name=anchor>no href: not a link</a>\n"
		  "<a href=\"https://h/p/r.whl#md5=123\""
		  " data-core-metadata=true></a>\n"
		  "<a href=\"\">empty</a>\n"
		  "<a href=\"s%20t.whl\" data-requires-python=\"\" data-yanked=\"\""
		  " data-dist-info-metadata=\"sha256=" H64 "\">&eacute;</a>\n"
		  "</BODY></HTML>\n",
		  w, N(w));
}

static void test_sloppy(void **state)
{
	static const struct want w[] = {
		{ "a.whl", "a.whl", "a.whl", "a", NULL, NULL, 0, NULL, 0,
		  NULL },
		{ "b.whl", "b.whl", "b.whl", "b", NULL, NULL, 0, NULL, 0,
		  NULL },
		{ "dir/", "dir/", "dir", "c", NULL, NULL, 0, NULL, 0, NULL },
	};

	(void)state;
	/* No html/body, unclosed anchors, stray end tags, a comment and a
	 * charset declaration that is ignored (pages are UTF-8). */
	check_str("<meta charset=iso-8859-1><a href=a.whl>a<a href=b.whl>b"
		  "</div><!-- <a href=x.whl>x</a> --><a href=dir/>c</a></a>",
		  w, N(w));
	/* Not HTML at all, but not empty: a page without links. */
	check_str("just text", NULL, 0);
}

static void test_errors(void **state)
{
	(void)state;
	check_bad("", "empty page");
	check_bad("   \n\t", "empty page");
	check_bad_len("<a href=a>a</a>\0<a href=b>b</a>", 31,
		      "not an HTML page: NUL byte at offset 15");
	check_bad("<a href=a>a</a><a href=\"\xff\">b</a>",
		  "not UTF-8: bad byte 0xff at offset 24");
	check_bad("<a>\xc0\xaf</a>", "not UTF-8: bad byte 0xc0 at offset 3");
	check_bad("<a>\xed\xa0\x80</a>", "not UTF-8: bad byte 0xed at offset 3");
	check_bad("<a>\xe2\x82</a>", "not UTF-8: bad byte 0xe2 at offset 3");
	check_bad("<a href=a>a</a><a href=\"x%2.whl\">x</a>",
		  "link 2 ('x%2.whl'): bad percent escape in the href");
	check_bad("<a href=\"x%00.whl\">x</a>",
		  "link 1 ('x%00.whl'): bad percent escape in the href");
	check_bad("<a href=\"x.whl#sha256=abc\">x</a>",
		  "link 1 ('x.whl#sha256=abc'): '#sha256=' is not followed by 64 hex digits");
	check_bad("<a href=\"x.whl#sha256=" H64 "0\">x</a>",
		  "link 1 ('x.whl#sha256=0123456789abcdef0123456789abcdef0123456789abcdef012...'): '#sha256=' is not followed by 64 hex digits");
	check_bad("<a href=\"x.whl#sha256=" "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" "\">x</a>",
		  "link 1 ('x.whl#sha256=g123456789abcdef0123456789abcdef0123456789abcdef012...'): '#sha256=' is not followed by 64 hex digits");
	check_bad("<a href=x.whl data-core-metadata=\"sha256=12\">x</a>",
		  "link 1 ('x.whl'): metadata hash 'sha256=12' is not sha256= and 64 hex digits");
}

static void test_unquote(void **state)
{
	static const char *const ok[][2] = {
		{ "", "" },
		{ "a%2Bb", "a+b" },
		{ "a%2bb+c", "a+b+c" },
		{ "%41%7e%E2%82%AC", "A~\xe2\x82\xac" },
		{ "100%25", "100%" },
	};
	static const char *const bad[] = { "%", "%4", "a%g0", "%0g", "%00" };
	size_t i;

	(void)state;
	for (i = 0; i < N(ok); i++) {
		char *s = pysimple_unquote(ok[i][0]);

		assert_string_equal(s, ok[i][1]);
		free(s);
	}
	for (i = 0; i < N(bad); i++)
		assert_null(pysimple_unquote(bad[i]));
}

/* libxml2 must not write a word about broken markup. */
static void test_quiet(void **state)
{
	static const char page[] = "<a href=x<<>>&&&;</b></b><a href='y>"
				   "<!DOCTYPE x><?pi><![CDATA[ ]]></html>"
				   "<html><a href=z>&#0;&#xFFFFFFF;&bogus;";
	struct pysimple_link *l;
	size_t n;
	char msg[256];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	long size;

	(void)state;
	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	assert_int_equal(pysimple_parse(page, sizeof(page) - 1, &l, &n, msg,
					sizeof(msg)), 0);
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	pysimple_free(l, n);
	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	size = ftell(tmp);
	fclose(tmp);
	assert_int_equal(size, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simplewheel),
		cmocka_unit_test(test_celery_demo),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_all_pages),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_sloppy),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unquote),
		cmocka_unit_test(test_quiet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
