#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "python/metadata.h"

#define FIXTURES "/work/shared/fixtures/wheels/files/"

#define N(a) (sizeof(a) / sizeof((a)[0]))

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
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int parse_str(const char *text, struct pymeta *m, char *msg,
		     size_t msgsz)
{
	size_t len = strlen(text);
	char *copy = exact(text, len);
	int r = pymeta_parse(copy, len, m, msg, msgsz);

	free(copy);
	return r;
}

static void check_bad(const char *text, const char *want)
{
	struct pymeta m;
	char msg[256] = "";

	assert_int_equal(parse_str(text, &m, msg, sizeof(msg)), -1);
	assert_string_equal(msg, want);
	/* A failed parse leaves nothing to free. */
	assert_null(m.name);
	assert_null(m.metadata_version);
	assert_null(m.requires_dist);
	assert_int_equal(m.nrequires_dist, 0);
	pymeta_release(&m);
}

static void check_list(char **got, size_t ngot, const char *const *want,
		       size_t nwant)
{
	size_t i;

	assert_int_equal(ngot, nwant);
	for (i = 0; i < nwant; i++)
		assert_string_equal(got[i], want[i]);
}

static void test_celery(void **state)
{
	struct pymeta m;
	size_t len;
	char msg[256], *buf;

	(void)state;
	buf = slurp("celery-4.4.2-py2.py3-none-any.whl.metadata", &len);
	if (buf == NULL)
		skip();
	if (pymeta_parse(buf, len, &m, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	free(buf);
	assert_string_equal(m.metadata_version, "2.1");
	assert_string_equal(m.name, "celery");
	assert_string_equal(m.version, "4.4.2");
	/* As written, trailing comma and all: validity is pep440.c's job. */
	assert_string_equal(m.requires_python,
			    ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*,");
	assert_int_equal(m.nrequires_dist, 42);
	assert_string_equal(m.requires_dist[0], "pytz (>dev)");
	assert_string_equal(m.requires_dist[1], "billiard (<4.0,>=3.6.3.0)");
	assert_string_equal(m.requires_dist[4],
			    "pyArango (>=1.3.2) ; extra == 'arangodb'");
	assert_string_equal(m.requires_dist[41], "zstandard ; extra == 'zstd'");
	assert_int_equal(m.nprovides_extra, 32);
	assert_string_equal(m.provides_extra[0], "arangodb");
	assert_string_equal(m.provides_extra[2], "azureblockblob");
	assert_string_equal(m.provides_extra[31], "zstd");
	pymeta_release(&m);
	assert_null(m.requires_dist);
	assert_int_equal(m.nprovides_extra, 0);
}

static void test_fixtures(void **state)
{
	static const char *const pyfunc_rd[] = {
		"dill (>=0.2.5)",
		"pandas (>=1.0.3,<2.0.0); extra == \"all\"",
		"tabulate (<=1.0.0)",
	};
	static const char *const pyfunc_pe[] = { "all" };
	static const char *const complex_rd[] = {
		"simple.dist; extra == 'simple'",
	};
	static const char *const complex_pe[] = { "simple" };
	struct pymeta m;
	size_t len;
	char msg[256], *buf;

	(void)state;
	buf = slurp("PyFunctional-1.4.3-py3-none-any.whl.metadata", &len);
	if (buf == NULL)
		skip();
	assert_int_equal(pymeta_parse(buf, len, &m, msg, sizeof(msg)), 0);
	free(buf);
	assert_string_equal(m.name, "pyfunctional");
	assert_string_equal(m.version, "1.4.3");
	assert_string_equal(m.requires_python, ">=3.6.1,<4.0");
	check_list(m.requires_dist, m.nrequires_dist, pyfunc_rd, N(pyfunc_rd));
	check_list(m.provides_extra, m.nprovides_extra, pyfunc_pe,
		   N(pyfunc_pe));
	pymeta_release(&m);

	buf = slurp("complex_dist-0.1-py2.py3-none-any.whl.metadata", &len);
	assert_non_null(buf);
	assert_int_equal(pymeta_parse(buf, len, &m, msg, sizeof(msg)), 0);
	free(buf);
	assert_string_equal(m.metadata_version, "1.3");
	assert_string_equal(m.name, "complex-dist");
	assert_string_equal(m.version, "0.1");
	assert_null(m.requires_python);
	check_list(m.requires_dist, m.nrequires_dist, complex_rd,
		   N(complex_rd));
	check_list(m.provides_extra, m.nprovides_extra, complex_pe,
		   N(complex_pe));
	pymeta_release(&m);

	buf = slurp("widgetsnbextension-4.0.999-py3-none-any.whl.metadata",
		    &len);
	assert_non_null(buf);
	assert_int_equal(pymeta_parse(buf, len, &m, msg, sizeof(msg)), 0);
	free(buf);
	assert_string_equal(m.metadata_version, "2.5");
	assert_string_equal(m.name, "widgetsnbextension");
	assert_string_equal(m.version, "4.0.999");
	assert_string_equal(m.requires_python, ">=3.13");
	assert_int_equal(m.nrequires_dist, 0);
	assert_null(m.requires_dist);
	assert_int_equal(m.nprovides_extra, 0);
	pymeta_release(&m);
}

/* Every .metadata file of the fixture mirror parses. */
static void test_all_fixtures(void **state)
{
	static const char *const names[] = {
		"PyFunctional-1.4.3-py3-none-any.whl.metadata",
		"celery-4.4.2-py2.py3-none-any.whl.metadata",
		"colander-0.9.9-py2.py3-none-any.whl.metadata",
		"complex_dist-0.1-py2.py3-none-any.whl.metadata",
		"demo-0.0.1-cp36-cp36m-win_amd64.whl.metadata",
		"demo-0.0.1-py2.py3-none-any.whl.metadata",
		"editables-0.2-py3-none-any.whl.metadata",
		"first-2.0.2-py2.py3-none-any.whl.metadata",
		"flit_core-3.6.0-py3-none-any.whl.metadata",
		"future_fstrings-1.2.0-py2.py3-none-any.whl.metadata",
		"importlib_metadata-4.8.3-py3-none-any.whl.metadata",
		"ipykernel-6.9.2-py3-none-any.whl.metadata",
		"jmespath-0.10.0-py2.py3-none-any.whl.metadata",
		"license.dist-0.1-py2.py3-none-any.whl.metadata",
		"license.dist-0.2-py2.py3-none-any.whl.metadata",
		"meta-1.0-py2.py3-none-any.whl.metadata",
		"pip-23.0.1-py3-none-any.whl.metadata",
		"piplite-0.8.6-py3-none-any.whl.metadata",
		"pkg_prerelease-1.0a1-py3-none-any.whl.metadata",
		"pyodide_kernel-0.8.6-py3-none-any.whl.metadata",
		"requires_simple_extra-0.1-py2.py3-none-any.whl.metadata",
		"setuptools-66.1.1-py3-none-any.whl.metadata",
		"simple.dist-0.1-py2.py3-none-any.whl.metadata",
		"simplewheel-1.0-py2.py3-none-any.whl.metadata",
		"simplewheel-2.0-1-py2.py3-none-any.whl.metadata",
		"simplewheel-2.0-py2.py3-none-any.whl.metadata",
		"simplewheel-2.0-py3-fakeabi-fakeplat.whl.metadata",
		"typing_extensions-4.4.0-py3-none-any.whl.metadata",
		"wheel-0.37.1-py2.py3-none-any.whl.metadata",
		"wheel-0.38.4-py3-none-any.whl.metadata",
		"widgetsnbextension-3.6.999-py3-none-any.whl.metadata",
		"widgetsnbextension-4.0.999-py3-none-any.whl.metadata",
		"zipp-3.6.0-py3-none-any.whl.metadata",
		"zipp-3.7.0-py3-none-any.whl.metadata",
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < N(names); i++) {
		struct pymeta m;
		char msg[256], *buf = slurp(names[i], &len), *copy;

		if (buf == NULL)
			skip();
		copy = exact(buf, len);
		free(buf);
		if (pymeta_parse(copy, len, &m, msg, sizeof(msg)) != 0)
			fail_msg("%s: %s", names[i], msg);
		free(copy);
		assert_non_null(m.name);
		assert_non_null(m.version);
		pymeta_release(&m);
	}
}

static void test_made_up(void **state)
{
	static const char *const rd[] = {
		"a>=1",
		"b ; extra == 'x'",
		"c (>=2) ; python_version < \"3.8\"",
		"",
	};
	static const char *const pe[] = { "x", "Y" };
	struct pymeta m;
	char msg[256] = "";

	(void)state;
	/* CRLF, any case, blanks around values, continuation lines, the
	 * body ignored, fields we do not keep (even repeated) read past. */
	assert_int_equal(parse_str(
		"metadata-version:2.1\r\n"
		"NAME:   Foo.Bar  \r\n"
		"Summary: one\r\n"
		"Summary: twice is fine for fields we do not keep\r\n"
		"Description: a\r\n"
		"   |b\r\n"
		"version:\t1.0\t\r\n"
		"Requires-Dist: a>=1\r\n"
		"Provides-Extra: x\r\n"
		"Requires-Dist: b\r\n"
		"  ; extra == 'x'\r\n"
		"REQUIRES-DIST: c (>=2) ; python_version < \"3.8\"\r\n"
		"Requires-Python: >=3.8,\r\n"
		"\t<4\r\n"
		" \r\n"
		"Provides-Extra: Y\r\n"
		"Requires-Dist:\r\n"
		"\r\n"
		"Requires-Dist: in the body\r\n"
		"Name: again, in the body\r\n",
		&m, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_string_equal(m.metadata_version, "2.1");
	assert_string_equal(m.name, "Foo.Bar");
	assert_string_equal(m.version, "1.0");
	assert_string_equal(m.requires_python, ">=3.8, <4");
	check_list(m.requires_dist, m.nrequires_dist, rd, N(rd));
	check_list(m.provides_extra, m.nprovides_extra, pe, N(pe));
	pymeta_release(&m);

	/* No line end at all, a byte order mark, no Requires-Python. */
	assert_int_equal(parse_str("\xef\xbb\xbfMetadata-Version: 1.0\n"
				   "Name: x\nVersion: 2", &m, msg,
				   sizeof(msg)), 0);
	assert_string_equal(m.metadata_version, "1.0");
	assert_string_equal(m.version, "2");
	assert_null(m.requires_python);
	assert_null(m.provides_extra);
	pymeta_release(&m);

	/* Only len bytes are read: "Version: 1" ends before "0". */
	assert_int_equal(pymeta_parse("Metadata-Version: 2.2\nName: x\n"
				      "Version: 10", 40, &m, msg,
				      sizeof(msg)), 0);
	assert_string_equal(m.version, "1");
	pymeta_release(&m);
}

static void test_errors(void **state)
{
	struct pymeta m;

	(void)state;
	check_bad("Metadata-Version: 2.1\nVersion: 1\n", "METADATA: no Name field");
	check_bad("Metadata-Version: 2.1\nName: x\n\nVersion: 1\n",
		  "METADATA: no Version field");
	check_bad("Name: x\nVersion: 1\n", "METADATA: no Metadata-Version field");
	check_bad("", "METADATA: no Metadata-Version field");
	check_bad("\nMetadata-Version: 2.1\nName: x\nVersion: 1\n",
		  "METADATA: no Metadata-Version field");
	check_bad("Metadata-Version: 2.1\nVersion: 1\nName: x\nSummary: s\n"
		  "version: 2\n",
		  "METADATA: Version given twice (lines 2 and 5)");
	check_bad("Metadata-Version: 2.1\nName: x\nname: y\nVersion: 1\n",
		  "METADATA: Name given twice (lines 2 and 3)");
	check_bad("Metadata-Version: 2.1\nMetadata-Version: 2.1\n",
		  "METADATA: Metadata-Version given twice (lines 1 and 2)");
	check_bad("Metadata-Version: 2.1\nName: x\nVersion: 1\n"
		  "Requires-Python: >=3\nRequires-Python: >=3.8\n",
		  "METADATA: Requires-Python given twice (lines 4 and 5)");
	check_bad("Metadata-Version: 2.1\nName: x\nthis line has no colon\n",
		  "METADATA line 3: 'this line has no colon' is not 'Field: value'");
	check_bad("Metadata-Version: 2.1\nName: x\nSome field: y\n",
		  "METADATA line 3: invalid field name 'Some field'");
	check_bad("Metadata-Version: 2.1\n: y\n",
		  "METADATA line 2: invalid field name ''");
	check_bad("  Metadata-Version: 2.1\n",
		  "METADATA line 1: continuation line with no field before it");
	check_bad("Metadata-Version: 3.0\nName: x\nVersion: 1\n",
		  "METADATA line 1: Metadata-Version '3.0' is not 1.x or 2.x");
	check_bad("Metadata-Version: 2\nName: x\nVersion: 1\n",
		  "METADATA line 1: Metadata-Version '2' is not 1.x or 2.x");
	check_bad("Metadata-Version: 2.1a\nName: x\nVersion: 1\n",
		  "METADATA line 1: Metadata-Version '2.1a' is not 1.x or 2.x");
	check_bad("Metadata-Version: 2.1\nName:\nVersion: 1\n",
		  "METADATA line 2: empty Name");
	check_bad("Metadata-Version: 2.1\nName: x\nVersion:  \n",
		  "METADATA line 3: empty Version");
	check_bad("Metadata-Version: 2.1\nName: x\nVersion: 1\nSummary: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		  "METADATA line 5: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not 'Field: value'");

	/* A NUL byte cannot be returned in a C string. */
	{
		static const char t[] = "Metadata-Version: 2.1\nName: x\0y\nVersion: 1\n";
		char msg[128];

		assert_int_equal(pymeta_parse(t, sizeof(t) - 1, &m, msg,
					      sizeof(msg)), -1);
		assert_string_equal(msg, "METADATA line 2: NUL byte");
		assert_null(m.metadata_version);
	}
	/* msg may be NULL. */
	assert_int_equal(pymeta_parse("x", 1, &m, NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_celery),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_all_fixtures),
		cmocka_unit_test(test_made_up),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
