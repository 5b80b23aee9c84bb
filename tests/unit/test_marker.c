#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "python/marker.h"
#include "python/pep508.h"

static struct pymarker_target target;

static int setup(void **state)
{
	(void)state;
	pymarker_target_init(&target, "3.11", "x86_64");
	return 0;
}

/* Evaluate m (canonical form) with extra set; it must not fail. */
static int ev_extra(const char *m, const char *extra)
{
	struct pymarker_env env = target.env;
	char msg[256] = "x";
	int r;

	env.extra = extra;
	r = pymarker_eval(m, &env, msg, sizeof(msg));
	if (r < 0)
		fail_msg("'%s': %s", m, msg);
	assert_string_equal(msg, "");
	return r;
}

static int ev(const char *m)
{
	return ev_extra(m, "");
}

static void check_err(const char *m, const char *want)
{
	char msg[256] = "";

	assert_int_equal(pymarker_eval(m, &target.env, msg, sizeof(msg)), -1);
	assert_string_equal(msg, want);
}

static void test_target(void **state)
{
	struct pymarker_target t;

	(void)state;
	pymarker_target_init(&t, "3.11", "aarch64");
	assert_string_equal(t.env.python_version, "3.11");
	assert_string_equal(t.env.python_full_version, "3.11.0");
	assert_string_equal(t.env.implementation_version, "3.11.0");
	assert_string_equal(t.env.platform_machine, "aarch64");
	assert_string_equal(t.env.os_name, "posix");
	assert_string_equal(t.env.sys_platform, "linux");
	assert_string_equal(t.env.platform_system, "Linux");
	assert_string_equal(t.env.platform_python_implementation, "CPython");
	assert_string_equal(t.env.implementation_name, "cpython");
	assert_string_equal(t.env.platform_release, "");
	assert_string_equal(t.env.platform_version, "");
	assert_string_equal(t.env.extra, "");
	pymarker_target_init(&t, "3.12.4", "x86_64");
	assert_string_equal(t.env.python_version, "3.12");
	assert_string_equal(t.env.python_full_version, "3.12.4");
	assert_string_equal(t.env.implementation_version, "3.12.4");
}

/* Every variable, against the x86_64 CPython 3.11 target. */
static void test_variables(void **state)
{
	(void)state;
	assert_int_equal(ev("python_version == \"3.11\""), 1);
	assert_int_equal(ev("python_full_version == \"3.11.0\""), 1);
	assert_int_equal(ev("os_name == \"posix\""), 1);
	assert_int_equal(ev("os_name == \"nt\""), 0);
	assert_int_equal(ev("sys_platform == \"linux\""), 1);
	assert_int_equal(ev("sys_platform == \"win32\""), 0);
	assert_int_equal(ev("platform_release == \"\""), 1);
	assert_int_equal(ev("platform_system == \"Linux\""), 1);
	assert_int_equal(ev("platform_system == \"Darwin\""), 0);
	assert_int_equal(ev("platform_version == \"\""), 1);
	assert_int_equal(ev("platform_machine == \"x86_64\""), 1);
	assert_int_equal(ev("platform_machine == \"X86_64\""), 0);
	assert_int_equal(ev("platform_python_implementation == \"CPython\""), 1);
	assert_int_equal(ev("platform_python_implementation == \"PyPy\""), 0);
	assert_int_equal(ev("implementation_name == \"cpython\""), 1);
	assert_int_equal(ev("implementation_version >= \"3.11\""), 1);
	assert_int_equal(ev("extra == \"\""), 1);
}

/* Answers checked with packaging's Marker.evaluate(). */
static void test_versions(void **state)
{
	(void)state;
	assert_int_equal(ev("python_version > \"3.9\""), 1);
	/* As versions, not strings: "3.11" < "3.9" as text. */
	assert_int_equal(ev("python_version < \"3.9\""), 0);
	assert_int_equal(ev("python_version >= \"3.8\""), 1);
	assert_int_equal(ev("python_version == \"3.11.0\""), 1);
	assert_int_equal(ev("python_version != \"3.11.0\""), 0);
	assert_int_equal(ev("python_version == \"3.11.*\""), 1);
	assert_int_equal(ev("python_version == \"3.1.*\""), 0);
	assert_int_equal(ev("python_version ~= \"3.9\""), 1);
	assert_int_equal(ev("python_version === \"3.11\""), 1);
	assert_int_equal(ev("python_full_version < \"3.11.1\""), 1);
	assert_int_equal(ev("python_full_version < \"3.11.0\""), 0);
	assert_int_equal(ev("python_version < \"3.11a1\""), 0);
	assert_int_equal(ev("python_version == \"3.11+local\""), 0);
	/* The string on the left. */
	assert_int_equal(ev("\"3.8\" <= python_version"), 1);
	assert_int_equal(ev("\"3.12\" <= python_version"), 0);
	assert_int_equal(ev("\"3.12\" > python_version"), 1);
	/* Not both versions: == and != compare strings. */
	assert_int_equal(ev("platform_machine != \"1.0\""), 1);
	assert_int_equal(ev("platform_release == \"\""), 1);
	assert_int_equal(ev("\"a\" == \"a\""), 1);
}

static void test_in(void **state)
{
	(void)state;
	assert_int_equal(ev("python_version in \"3.10 3.11\""), 1);
	assert_int_equal(ev("python_version in \"3.1 3.2\""), 0);
	assert_int_equal(ev("python_version not in \"3.1 3.2\""), 1);
	assert_int_equal(ev("\"x86\" in platform_machine"), 1);
	assert_int_equal(ev("\"arm\" in platform_machine"), 0);
	assert_int_equal(ev("platform_machine not in \"arm64 aarch64\""), 1);
	assert_int_equal(ev("\"\" in platform_machine"), 1);
}

static void test_logic(void **state)
{
	(void)state;
	/* "and" binds tighter than "or". */
	assert_int_equal(ev("os_name == \"posix\" or os_name == \"nt\" and "
			    "sys_platform == \"win32\""), 1);
	assert_int_equal(ev("(os_name == \"posix\" or os_name == \"nt\") and "
			    "sys_platform == \"win32\""), 0);
	assert_int_equal(ev("os_name == \"nt\" and sys_platform == \"win32\" or "
			    "os_name == \"posix\""), 1);
	assert_int_equal(ev("((os_name == \"nt\")) or (python_version >= "
			    "\"3.8\" and (platform_machine == \"x86_64\"))"), 1);
	assert_int_equal(ev("os_name == \"posix\" and os_name == \"nt\""), 0);
	assert_int_equal(ev("os_name == \"nt\" or os_name == \"java\""), 0);
}

static void test_extra(void **state)
{
	(void)state;
	assert_int_equal(ev_extra("extra == \"Test_Thing\"", "test-thing"), 1);
	assert_int_equal(ev_extra("extra == \"test.thing\"", "Test__Thing"), 1);
	assert_int_equal(ev_extra("\"TEST-thing\" == extra", "test_thing"), 1);
	assert_int_equal(ev_extra("extra == \"test\"", "test-thing"), 0);
	assert_int_equal(ev_extra("extra != \"test\"", "test-thing"), 1);
	assert_int_equal(ev_extra("extra == \"test\"", ""), 0);
	assert_int_equal(ev_extra("python_version < \"3.9\" and extra == "
				  "\"testing\"", "testing"), 0);
	assert_int_equal(ev_extra("platform_python_implementation == "
				  "\"CPython\" and extra == \"brotli\"",
				  "brotli"), 1);
}

static void test_errors(void **state)
{
	(void)state;
	check_err("platform_machine < \"x86\"", "cannot compare 'x86_64' < "
		  "'x86': '<' needs PEP 440 versions on both sides");
	check_err("python_version ~= \"3\"", "cannot compare '3.11' ~= '3': "
		  "'~=' needs PEP 440 versions on both sides");
	check_err("python_version >= \"3.8,<4\"", "cannot compare '3.11' >= "
		  "'3.8,<4': '>=' needs PEP 440 versions on both sides");
	check_err("", "marker ends where a marker variable or a quoted string "
		  "was expected");
	check_err("python_versio == \"3\"", "unknown marker variable "
		  "'python_versio'");
	check_err("os_name = \"posix\"", "expected a marker operator at offset "
		  "8 of the marker, got '='");
	check_err("os_name not \"posix\"", "expected 'in' after 'not' at "
		  "offset 12 of the marker, got '\"'");
	check_err("os_name == \"posix", "unterminated string at offset 11 of "
		  "the marker");
	check_err("(os_name == \"posix\"", "marker ends where 'and', 'or' or ')' "
		  "was expected");
	check_err("os_name == \"posix\")", "unmatched ')' at offset 18 of the "
		  "marker");
	check_err("os_name == \"posix\" xor os_name == \"nt\"", "expected 'and', "
		  "'or' or the end of the marker at offset 19 of the marker, got "
		  "'xor'");
	/* An error anywhere is reported, even where "or" knows the answer. */
	check_err("os_name == \"posix\" or platform_machine > \"a\"",
		  "cannot compare 'x86_64' > 'a': '>' needs PEP 440 versions on "
		  "both sides");
}

/*
 * Requires-Dist markers of the shared fixtures, parsed by pep508_parse()
 * and evaluated for CPython 3.11.0 on x86_64 Linux; the answers are
 * packaging's (Marker.evaluate() with extra normalised).
 */
static void test_fixture_markers(void **state)
{
	static const struct {
		const char *req, *extra;
		int want;
	} t[] = {
		{ "backports.lzma ; (python_version < \"3.3\") and extra == 'lzma'", "lzma", 0 },
		{ "brotli (>=1.0.0) ; (platform_python_implementation == \"CPython\") and extra == 'brotli'", "brotli", 1 },
		{ "brotlipy (>=0.7.0) ; (platform_python_implementation == \"PyPy\") and extra == 'brotli'", "brotli", 0 },
		{ "chardet ; os_name == \"nt\"", "", 0 },
		{ "couchbase-cffi ; (platform_python_implementation == \"PyPy\") and extra == 'couchbase'", "couchbase", 0 },
		{ "importlib-resources (>=1.3) ; (python_version < \"3.9\") and extra == 'testing'", "testing", 0 },
		{ "pandas (>=1.0.3,<2.0.0); extra == \"all\"", "all", 1 },
		{ "pandas (>=1.0.3,<2.0.0); extra == \"all\"", "", 0 },
		{ "Django (>=1.11) ; extra == 'django'", "django", 1 },
		{ "Django (>=1.11) ; extra == 'django'", "docs", 0 },
		{ "filelock (>=3.4.0) ; extra == 'testing-integration'", "testing_integration", 1 },
	};
	struct pep508_req r;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (pep508_parse(t[i].req, strlen(t[i].req), &r, NULL, NULL, msg,
				 sizeof(msg)) != 0)
			fail_msg("'%s': %s", t[i].req, msg);
		assert_non_null(r.marker);
		if (ev_extra(r.marker, t[i].extra) != t[i].want)
			fail_msg("'%s' with extra '%s'", r.marker, t[i].extra);
		pep508_req_release(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_in),
		cmocka_unit_test(test_logic),
		cmocka_unit_test(test_extra),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_fixture_markers),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
