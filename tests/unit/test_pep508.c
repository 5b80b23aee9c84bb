#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "python/pep508.h"

/* An exact-size copy, so the sanitizers catch any read past len. */
static char *exact(const char *in, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, in, len);
	return p;
}

/* Parse in, which must succeed with the canonical form want. */
static void check_ok_len(const char *in, size_t len, const char *want)
{
	struct pep508_req r;
	size_t off = 99, n = 99;
	char msg[256] = "";
	char *canon, *copy = exact(in, len);

	if (pep508_parse(copy, len, &r, &off, &n, msg, sizeof(msg)) != 0)
		fail_msg("'%s' refused at %zu+%zu: %s", in, off, n, msg);
	free(copy);
	canon = pep508_canonical(&r);
	assert_non_null(canon);
	assert_string_equal(canon, want);
	free(canon);

	/*
	 * The canonical form is a fixed point (when it fits: blanks added
	 * around marker operators can push it past the length limit).
	 */
	canon = pep508_canonical(&r);
	pep508_req_release(&r);
	assert_null(r.name);
	if (strlen(canon) > PEP508_MAX_LEN) {
		free(canon);
		return;
	}
	assert_int_equal(pep508_parse(canon, strlen(canon), &r, &off, &n, msg,
				      sizeof(msg)), 0);
	free(canon);
	canon = pep508_canonical(&r);
	assert_string_equal(canon, want);
	free(canon);
	pep508_req_release(&r);
}

static void check_ok(const char *in, const char *want)
{
	check_ok_len(in, strlen(in), want);
}

static void check_err_len(const char *in, size_t len, size_t want_off,
			  size_t want_n, const char *want_msg)
{
	struct pep508_req r;
	size_t off = 999, n = 999;
	char msg[512] = "";
	char *copy = exact(in, len);

	assert_int_equal(pep508_parse(copy, len, &r, &off, &n, msg,
				      sizeof(msg)), -1);
	free(copy);
	assert_string_equal(msg, want_msg);
	assert_int_equal(off, want_off);
	assert_int_equal(n, want_n);
	/* A failed parse leaves nothing to free. */
	assert_null(r.name);
	assert_null(r.extras);
	assert_null(r.specifier);
	assert_null(r.marker);
	assert_int_equal(r.nextras, 0);
}

static void check_err(const char *in, size_t want_off, size_t want_n,
		      const char *want_msg)
{
	check_err_len(in, strlen(in), want_off, want_n, want_msg);
}

static void test_examples(void **state)
{
	struct pep508_req r;
	const char *in;
	char msg[128];
	size_t off, n;

	(void)state;
	check_ok("numpy>=1.26,<2", "numpy>=1.26,<2");
	check_ok("torch==2.3.*", "torch==2.3.*");
	check_ok("transformers[torch]", "transformers[torch]");
	check_ok("foo[a,b] >= 1.0 ; python_version < \"3.12\" and "
		 "platform_machine == 'x86_64'",
		 "foo[a,b]>=1.0; python_version < \"3.12\" and "
		 "platform_machine == \"x86_64\"");

	in = "foo[b,a] >= 1.0 ; python_version < \"3.12\"";
	assert_int_equal(pep508_parse(in, strlen(in), &r, &off, &n, msg,
				      sizeof(msg)), 0);
	assert_string_equal(r.name, "foo");
	assert_int_equal(r.nextras, 2);
	assert_string_equal(r.extras[0], "a");
	assert_string_equal(r.extras[1], "b");
	assert_string_equal(r.specifier, ">=1.0");
	assert_string_equal(r.marker, "python_version < \"3.12\"");
	pep508_req_release(&r);

	/* No specifier is "", no marker is NULL, no extras is NULL. */
	assert_int_equal(pep508_parse("six", 3, &r, &off, &n, msg,
				      sizeof(msg)), 0);
	assert_string_equal(r.name, "six");
	assert_string_equal(r.specifier, "");
	assert_null(r.marker);
	assert_null(r.extras);
	assert_int_equal(r.nextras, 0);
	pep508_req_release(&r);
}

static void test_names(void **state)
{
	(void)state;
	check_ok("a", "a");
	check_ok("Z", "z");
	check_ok("7", "7");
	check_ok("Django", "django");
	check_ok("zope.interface", "zope-interface");
	check_ok("typing_extensions", "typing-extensions");
	check_ok("Foo.-_Bar", "foo-bar");
	check_ok("a__b..c--d", "a-b-c-d");
	check_ok("  \tpkg  ", "pkg");
	check_ok("Ruamel.Yaml.CLib>=0.2", "ruamel-yaml-clib>=0.2");

	check_err("foo-", 0, 4, "invalid package name 'foo-': it must start "
		  "and end with a letter or digit");
	check_err("_foo", 0, 4, "invalid package name '_foo': it must start "
		  "and end with a letter or digit");
	check_err("  .", 2, 1, "invalid package name '.': it must start and "
		  "end with a letter or digit");
	check_err(">=1.0", 0, 2, "expected a package name, got '>='");
	check_err("[a]", 0, 1, "expected a package name, got '['");
	check_err("; os_name == 'nt'", 0, 1, "expected a package name, got ';'");
	check_err("foo bar", 4, 3, "expected '[', a version specifier, ';' or "
		  "the end after the package name, got 'bar'");
	check_err("foo/bar", 3, 1, "expected '[', a version specifier, ';' or "
		  "the end after the package name, got '/'");
	check_err("foo 1.0", 4, 3, "expected a comparison operator before the "
		  "version '1.0' (like '==1.0')");
}

static void test_extras(void **state)
{
	struct pep508_req r;
	const char *in = "Pkg[ Zeta , alpha.Beta,ALPHA__beta,zeta,b ]";
	char msg[128];
	size_t off, n;

	(void)state;
	check_ok(in, "pkg[alpha-beta,b,zeta]");
	assert_int_equal(pep508_parse(in, strlen(in), &r, &off, &n, msg,
				      sizeof(msg)), 0);
	assert_int_equal(r.nextras, 3);
	assert_string_equal(r.extras[0], "alpha-beta");
	assert_string_equal(r.extras[1], "b");
	assert_string_equal(r.extras[2], "zeta");
	pep508_req_release(&r);

	check_ok("x[]", "x");
	check_ok("x [ ] >=1", "x>=1");
	check_ok("x [a]", "x[a]");
	check_ok("x[a,a,a]", "x[a]");
	check_ok("x[B,a]==1", "x[a,b]==1");
	check_ok("x[a] (>=1)", "x[a]>=1");
	check_ok("x[a];extra=='a'", "x[a]; extra == \"a\"");

	check_err("x[a,]", 4, 1, "expected an extra name after ',', got ']'");
	check_err("x[,a]", 2, 1, "expected an extra name or ']', got ','");
	check_err("x[", 2, 0, "expected an extra name or ']'");
	check_err("x[a", 3, 0, "expected ',' or ']' in the extras list");
	check_err("x[a b]", 4, 1, "expected ',' or ']' in the extras list, "
		  "got 'b'");
	check_err("x[a-]", 2, 2, "invalid extra name 'a-': it must start and "
		  "end with a letter or digit");
	check_err("x[a][b]", 4, 1, "expected a version specifier, ';' or the "
		  "end after the extras, got '['");
	check_err("x[a]b", 4, 1, "expected a version specifier, ';' or the "
		  "end after the extras, got 'b'");
}

static void test_operators(void **state)
{
	(void)state;
	check_ok("x==1.0", "x==1.0");
	check_ok("x!=1.0", "x!=1.0");
	check_ok("x<=1.0", "x<=1.0");
	check_ok("x>=1.0", "x>=1.0");
	check_ok("x<1.0", "x<1.0");
	check_ok("x>1.0", "x>1.0");
	check_ok("x~=1.0", "x~=1.0");
	check_ok("x===1.0", "x===1.0");
	/* Whitespace goes, order and duplicates stay. */
	check_ok("x  <2 ,\t>= 1.0 , <2 ,!=1.5", "x<2,>=1.0,<2,!=1.5");
	check_ok("x (>=1.0)", "x>=1.0");
	check_ok("x( >= 1.0 , < 2 )", "x>=1.0,<2");
	check_ok("x(==1.0);os_name=='posix'", "x==1.0; os_name == \"posix\"");
	/* Versions are kept as written, not normalised. */
	check_ok("x>=V1.0-ALPHA", "x>=V1.0-ALPHA");
	check_ok("x===Anything+goes!*(", "x===Anything+goes!*(");

	check_err("x=1", 1, 1, "invalid comparison operator '=' (did you mean "
		  "'=='?)");
	check_err("x=>1", 1, 2, "invalid comparison operator '=>' (did you "
		  "mean '>='?)");
	check_err("x=<1", 1, 2, "invalid comparison operator '=<' (did you "
		  "mean '<='?)");
	check_err("x!1", 1, 1, "invalid comparison operator '!' (did you mean "
		  "'!='?)");
	check_err("x~1", 1, 1, "invalid comparison operator '~' (did you mean "
		  "'~='?)");
	check_err("x<>1", 1, 2, "invalid comparison operator '<>' (did you "
		  "mean '!='?)");
	check_err("x====1", 1, 4, "invalid comparison operator '===='");
	check_err("x>=", 3, 0, "expected a version after the operator");
	check_err("x>= ,<2", 4, 1, "expected a version after the operator, "
		  "got ','");
	check_err("x===", 4, 0, "expected a version after '==='");
	check_err("x=== <1", 5, 2, "invalid version '<1' after '===': it may "
		  "not start with '<', '>', '=', '!' or '~'");
	check_err("x>=1,", 5, 0, "expected a version specifier after ','");
	check_err("x>=1,,<2", 5, 1, "expected a version specifier, got ','");
	check_err("x>=1,2", 5, 1, "expected a comparison operator before the "
		  "version '2' (like '==2')");
	check_err("x>=1 <2", 5, 1, "expected ',' or ';' after the version, "
		  "got '<'");
	check_err("x()", 2, 1, "expected a version specifier, got ')'");
	check_err("x (", 3, 0, "expected a version specifier");
	check_err("x ( ", 4, 0, "expected a version specifier");
	check_err("x (>=1", 6, 0, "expected ',' or ')' after the version");
	check_err("x (>=1;", 6, 1, "expected ',' or ')' after the version, "
		  "got ';'");
	check_err("x (>=1) <2", 8, 1, "expected ';' or the end of the "
		  "requirement after ')', got '<'");
	check_err("x>=1)", 4, 1, "expected ',' or ';' after the version, got "
		  "')'");
	check_err("x>=1.0 foo", 7, 3, "expected ',' or ';' after the version, "
		  "got 'foo'");
}

static void test_wildcards(void **state)
{
	(void)state;
	check_ok("x==1.*", "x==1.*");
	check_ok("x!=1.2.*", "x!=1.2.*");
	check_ok("x==1!2.*", "x==1!2.*");
	check_ok("x==v1.0.*", "x==v1.0.*");
	check_ok("x===1.*", "x===1.*");

	check_err("x>=1.*", 3, 3, "wildcard '.*' is only allowed with '==' and "
		  "'!=', not with '>='");
	check_err("x~=1.0.*", 3, 5, "wildcard '.*' is only allowed with '==' "
		  "and '!=', not with '~='");
	check_err("x<1.*", 2, 3, "wildcard '.*' is only allowed with '==' and "
		  "'!=', not with '<'");
	check_err("x==1.0a1.*", 3, 7, "invalid version '1.0a1.*' in specifier: "
		  "'.*' may only follow the release numbers (like '1.2.*')");
	check_err("x==1.0.post1.*", 3, 11, "invalid version '1.0.post1.*' in "
		  "specifier: '.*' may only follow the release numbers (like "
		  "'1.2.*')");
	check_err("x==1.0+abc.*", 3, 9, "invalid version '1.0+abc.*' in "
		  "specifier: '.*' may only follow the release numbers (like "
		  "'1.2.*')");
	check_err("x==*", 3, 1, "invalid version '*' in specifier: a version "
		  "must start with a number");
	check_err("x==1.*.2", 3, 5, "invalid version '1.*.2' in specifier: "
		  "unexpected '.*.2' after '1'");
	check_err("x==1*", 3, 2, "invalid version '1*' in specifier: "
		  "unexpected '*' after '1'");
	check_err("x==.*", 3, 2, "invalid version '.*' in specifier: a version "
		  "must start with a number");
}

static void test_compatible_and_local(void **state)
{
	(void)state;
	check_ok("x~=1.0", "x~=1.0");
	check_ok("x~=2.2.post3", "x~=2.2.post3");
	check_ok("x~=1!1.4.5a1", "x~=1!1.4.5a1");
	check_err("x~=1", 3, 1, "compatible release '~=1' needs at least two "
		  "release numbers (like '~=1.0')");
	check_err("x ~= 1rc1", 5, 4, "compatible release '~=1rc1' needs at "
		  "least two release numbers (like '~=1.0')");
	check_err("x~=1.0+local", 3, 9, "local version label '+local' is only "
		  "allowed with '==', '!=' and '===', not with '~='");

	check_ok("x==1.0+abc", "x==1.0+abc");
	check_ok("x!=1.0+ubuntu-1.2_3", "x!=1.0+ubuntu-1.2_3");
	check_ok("x===1.0+anything", "x===1.0+anything");
	check_err("x>=1.0+abc", 3, 7, "local version label '+abc' is only "
		  "allowed with '==', '!=' and '===', not with '>='");
	check_err("x<1+a", 2, 3, "local version label '+a' is only allowed "
		  "with '==', '!=' and '===', not with '<'");
	check_err("x==1.0+", 3, 4, "invalid version '1.0+' in specifier: "
		  "invalid local version label '+' (use letters and digits "
		  "with single '.', '-' or '_' between)");
	check_err("x==1.0+a..b", 3, 8, "invalid version '1.0+a..b' in "
		  "specifier: invalid local version label '+a..b' (use letters "
		  "and digits with single '.', '-' or '_' between)");
	check_err("x==1.0+a+b", 3, 7, "invalid version '1.0+a+b' in "
		  "specifier: invalid local version label '+a+b' (use letters "
		  "and digits with single '.', '-' or '_' between)");
}

static void test_versions_in_specifiers(void **state)
{
	(void)state;
	check_ok("x==1!2.0rc1.post2.dev3", "x==1!2.0rc1.post2.dev3");
	check_ok("x>=2013.10.01", "x>=2013.10.01");
	check_ok("x<1.0.dev0", "x<1.0.dev0");
	check_ok("x>1.0-1", "x>1.0-1");
	check_ok("x>=1.0PREVIEW2", "x>=1.0PREVIEW2");

	check_err("x>=1..2", 3, 4, "invalid version '1..2' in specifier: "
		  "unexpected '..2' after '1'");
	check_err("x>=1.", 3, 2, "invalid version '1.' in specifier: "
		  "unexpected '.' after '1'");
	check_err("x>=1.0-", 3, 4, "invalid version '1.0-' in specifier: "
		  "unexpected '-' after '1.0'");
	check_err("x>=1.0foo", 3, 6, "invalid version '1.0foo' in specifier: "
		  "unexpected 'foo' after '1.0'");
	check_err("x>=abc", 3, 3, "invalid version 'abc' in specifier: a "
		  "version must start with a number");
	check_err("x>=v", 3, 1, "invalid version 'v' in specifier: a version "
		  "must start with a number");
	check_err("x>=1!", 3, 2, "invalid version '1!' in specifier: expected "
		  "a release number after the epoch '!'");
	check_err("x>=1!!2", 3, 4, "invalid version '1!!2' in specifier: "
		  "expected a release number after the epoch '!'");
	check_err("x>=1.0_1", 3, 5, "invalid version '1.0_1' in specifier: "
		  "unexpected '_1' after '1.0'");
	check_err("x>=1.0.dev1a1", 3, 10, "invalid version '1.0.dev1a1' in "
		  "specifier: unexpected 'a1' after '1.0.dev1'");
}

static void test_pep440(void **state)
{
	static const char *const good[] = {
		"0", "1.0", "2013.10.01", "1.2.3.4.5.6", "00.01",
		"1!1.0", "v1.0", "V1.0", "1.0a1", "1.0A1", "1.0b2",
		"1.0c3", "1.0rc4", "1.0alpha", "1.0-beta.5", "1.0_pre_6",
		"1.0.preview7", "1.0a", "1.0a.", "1.0.post1", "1.0post",
		"1.0-post-1", "1.0rev2", "1.0r3", "1.0-1", "1.0.dev4",
		"1.0dev", "1.0-DEV_5", "1.0a1.post2.dev3", "1.0rc1-1",
		"1.0a.post1", "1.0-dev-", "1!2.3rc4.post5.dev6", "1.0.r", "1.0-r1",
		"99999999999999999999999999.0", NULL
	};
	static const char *const bad[] = {
		"", "v", "a1", "1.", ".1", "1..0", "1.0-", "1.0_1",
		"1.0.1-", "1!", "!1", "1!v1", "1.0 ", " 1.0", "1,0",
		"1.0a1a2", "1.0post1a1", "1.0dev1post1", "1.0.*",
		"1.0+", "1.0+a..b", "1.0+-a", "1.0+a-", "1.0++a",
		"1.0aa", "1.0rc1--1", "1.0x", "v.1",
		"1.0+a+b", NULL
	};
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++) {
		if (!pep440_version_valid(good[i], strlen(good[i]), 0))
			fail_msg("'%s' refused", good[i]);
		assert_true(pep440_version_valid(good[i], strlen(good[i]), 1));
	}
	for (i = 0; bad[i]; i++) {
		if (pep440_version_valid(bad[i], strlen(bad[i]), 1))
			fail_msg("'%s' accepted", bad[i]);
	}

	assert_false(pep440_version_valid("1.0+abc", 7, 0));
	assert_true(pep440_version_valid("1.0+abc", 7, 1));
	assert_true(pep440_version_valid("1.0+Ubuntu-1.2_x", 16, 1));
	assert_true(pep440_version_valid("1!1.0a1.post1.dev1+l.1", 22, 1));
	/* len bounds the string: no NUL needed, none looked for. */
	assert_true(pep440_version_valid("1.0.0garbage", 5, 0));
	assert_false(pep440_version_valid("1.0.0garbage", 4, 0));
	assert_false(pep440_version_valid(NULL, 0, 1));
	assert_false(pep440_version_valid("1\0", 2, 1));
}

static void test_markers(void **state)
{
	(void)state;
	check_ok("x;os_name=='nt'", "x; os_name == \"nt\"");
	check_ok("x ; os_name  ==  \"nt\"  ", "x; os_name == \"nt\"");
	check_ok("x; python_version >= '3.8' and python_version < '3.12' or "
		 "extra == 'test'",
		 "x; python_version >= \"3.8\" and python_version < \"3.12\" "
		 "or extra == \"test\"");
	check_ok("x;(os_name=='a'or sys_platform=='b')and implementation_name"
		 " in'cpython pypy'",
		 "x; (os_name == \"a\" or sys_platform == \"b\") and "
		 "implementation_name in \"cpython pypy\"");
	check_ok("x; ( ( os_name == 'a' ) )", "x; ((os_name == \"a\"))");
	check_ok("x; 'linux' in sys_platform", "x; \"linux\" in sys_platform");
	check_ok("x; platform_machine not in 'arm64 aarch64'",
		 "x; platform_machine not in \"arm64 aarch64\"");
	check_ok("x; platform_machine not\t \tin 'a'",
		 "x; platform_machine not in \"a\"");
	check_ok("x; 'a' == 'b'", "x; \"a\" == \"b\"");
	check_ok("x; os_name == 'say \"hi\"'",
		 "x; os_name == 'say \"hi\"'");
	check_ok("x; os_name == \"it's\"", "x; os_name == \"it's\"");
	check_ok("x; os_name == ''", "x; os_name == \"\"");
	check_ok("x; os_name == 'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d'",
		 "x; os_name == \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d\"");
	check_ok("x; os_name == 'a\tb'", "x; os_name == \"a\tb\"");
	check_ok("x; python_full_version<='3.11.2' and platform_release!='5' "
		 "and platform_system~='1.0' and platform_version>'1' and "
		 "platform_python_implementation==='CPython' and "
		 "implementation_version<'3'",
		 "x; python_full_version <= \"3.11.2\" and platform_release "
		 "!= \"5\" and platform_system ~= \"1.0\" and platform_version "
		 "> \"1\" and platform_python_implementation === \"CPython\" "
		 "and implementation_version < \"3\"");
	check_ok("x>=1;os_name=='a'", "x>=1; os_name == \"a\"");
	check_ok("x[b,a]>=1,<2;os_name=='a'",
		 "x[a,b]>=1,<2; os_name == \"a\"");
	/* Keywords need no blanks around quoted strings. */
	check_ok("x;os_name=='a'and'b'==os_name or(extra=='c')",
		 "x; os_name == \"a\" and \"b\" == os_name or (extra == \"c\")");
}

static void test_marker_errors(void **state)
{
	(void)state;
	check_err("x; python_verison < \"3\"", 3, 14, "unknown marker variable "
		  "'python_verison' (did you mean 'python_version'?)");
	check_err("x; os.name == 'nt'", 3, 7, "unknown marker variable "
		  "'os.name' (did you mean 'os_name'?)");
	check_err("x; Extra == 'a'", 3, 5, "unknown marker variable 'Extra' "
		  "(did you mean 'extra'?)");
	check_err("x; python_implementation == 'x'", 3, 21, "unknown marker "
		  "variable 'python_implementation'");
	check_err("x; foo == 'x'", 3, 3, "unknown marker variable 'foo'");
	check_err("x; os_name == 'a' and bar == 'b'", 22, 3, "unknown marker "
		  "variable 'bar'");
	check_err("x; python_version < 3.12", 20, 4, "unquoted value '3.12' in "
		  "marker: write it as a quoted string, \"3.12\"");
	check_err("x; os_name = 'a'", 11, 1, "invalid marker operator '=' (did "
		  "you mean '=='?)");
	check_err("x; os_name <> 'a'", 11, 2, "invalid marker operator '<>' "
		  "(did you mean '!='?)");
	check_err("x; os_name is 'a'", 11, 2, "expected a marker operator (==, "
		  "!=, <, <=, >, >=, ~=, ===, in or not in), got 'is'");
	check_err("x; os_name", 10, 0, "expected a marker operator (==, !=, <, "
		  "<=, >, >=, ~=, ===, in or not in)");
	check_err("x; os_name notin 'a'", 11, 5, "expected a marker operator "
		  "(==, !=, <, <=, >, >=, ~=, ===, in or not in), got 'notin'");
	check_err("x; os_name not 'a'", 15, 1, "expected 'in' after 'not', got "
		  "\"'\"");
	check_err("x; os_name not", 14, 0, "expected 'in' after 'not'");
	check_err("x; os_name ==", 13, 0, "expected a marker variable or a "
		  "quoted string");
	check_err("x; os_name == and", 14, 3, "expected a marker variable or a "
		  "quoted string, got 'and'");
	check_err("x; == 'a'", 3, 2, "expected a marker variable or a quoted "
		  "string, got '=='");
	check_err("x; os_name == 'a' xor os_name == 'b'", 18, 3, "expected "
		  "'and', 'or' or the end of the marker, got 'xor'");
	check_err("x; os_name == 'a' AND os_name == 'b'", 18, 3, "expected "
		  "'and', 'or' or the end of the marker, got 'AND'");
	check_err("x; os_name == 'a' and", 21, 0, "expected a marker variable "
		  "or a quoted string");
	check_err("x; os_name == 'a' or ", 21, 0, "expected a marker variable "
		  "or a quoted string");
	check_err("x; (os_name == 'a'", 18, 0, "expected 'and', 'or' or ')' in "
		  "marker");
	check_err("x; (os_name == 'a' 'b')", 19, 1, "expected 'and', 'or' or "
		  "')' in marker, got \"'\"");
	check_err("x; os_name == 'a')", 17, 1, "unmatched ')' in marker");
	check_err("x; ()", 4, 1, "expected a marker variable or a quoted "
		  "string, got ')'");
	check_err("x;", 2, 0, "expected a marker after ';'");
	check_err("x;  \t", 5, 0, "expected a marker after ';'");
	check_err("x; os_name == 'abc", 14, 4, "unterminated string in marker: "
		  "no closing \"'\"");
	check_err("x; os_name == \"abc", 14, 4, "unterminated string in marker: "
		  "no closing '\"'");
	check_err("x; os_name == 'a\\b'", 16, 1, "backslash in a marker string: "
		  "PEP 508 strings have no escapes");
	check_err("x; os_name == 'a'; extra == 'b'", 17, 1, "expected 'and', "
		  "'or' or the end of the marker, got ';'");
}

static void test_depth(void **state)
{
	char buf[256];
	char want[256];
	size_t i, n;
	char msg[128];

	(void)state;
	/* 32 levels are fine. */
	n = (size_t)snprintf(buf, sizeof(buf), "x;");
	for (i = 0; i < 32; i++)
		buf[n++] = '(';
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "extra=='a'");
	for (i = 0; i < 32; i++)
		buf[n++] = ')';
	buf[n] = '\0';
	n = (size_t)snprintf(want, sizeof(want), "x; ");
	for (i = 0; i < 32; i++)
		want[n++] = '(';
	n += (size_t)snprintf(want + n, sizeof(want) - n, "extra == \"a\"");
	for (i = 0; i < 32; i++)
		want[n++] = ')';
	want[n] = '\0';
	check_ok(buf, want);

	/* The 33rd '(' is the culprit. */
	n = (size_t)snprintf(buf, sizeof(buf), "x; ");
	for (i = 0; i < 33; i++)
		buf[n++] = '(';
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "extra=='a'");
	for (i = 0; i < 33; i++)
		buf[n++] = ')';
	buf[n] = '\0';
	snprintf(msg, sizeof(msg), "marker is nested too deeply (more than "
		 "32 levels of parentheses)");
	check_err(buf, 3 + 32, 1, msg);
}

static void test_url(void **state)
{
	static const char msg[] = "direct URL requirements ('@ URL') are not "
		"allowed: gapimg installs only from local wheel mirrors";

	(void)state;
	check_err("pip @ https://github.com/pypa/pip/archive/1.3.1.zip", 4, 1,
		  msg);
	check_err("pip@file:///tmp/pip.whl", 3, 1, msg);
	check_err("name[fred,bar] @ http://foo.com ; python_version=='2.7'",
		  15, 1, msg);
	check_err("x[a]@http://x", 4, 1, msg);
	/* After a specifier '@' is plain garbage. */
	check_err("x>=1 @ http://x", 5, 1, "expected ',' or ';' after the "
		  "version, got '@'");
}

static void test_garbage_and_empty(void **state)
{
	(void)state;
	check_err("", 0, 0, "empty requirement");
	check_err("   \t ", 0, 5, "empty requirement");
	check_err("x>=1.0,<2 extra", 10, 5, "expected ',' or ';' after the "
		  "version, got 'extra'");
	check_err("x==1.0#comment", 6, 1, "expected ',' or ';' after the "
		  "version, got '#'");
	check_err("x #comment", 2, 1, "expected '[', a version specifier, ';' "
		  "or the end after the package name, got '#'");
	check_err("x>=1.0\"", 6, 1, "expected ',' or ';' after the version, "
		  "got '\"'");
	check_err("x ,", 2, 1, "expected '[', a version specifier, ';' or the "
		  "end after the package name, got ','");
}

static void test_bytes(void **state)
{
	(void)state;
	check_err_len("x\0", 2, 1, 1, "control character 0x00 is not allowed");
	check_err_len("x>=1.0\0", 7, 6, 1, "control character 0x00 is not "
		      "allowed");
	check_err("x\n", 1, 1, "control character 0x0a is not allowed");
	check_err("x>=1.0\r\n", 6, 1, "control character 0x0d is not allowed");
	check_err("\x7fx", 0, 1, "control character 0x7f is not allowed");
	/* The bad byte is reported even when the name before it is bad too. */
	check_err("x-\x01", 2, 1, "control character 0x01 is not allowed");
	check_err("x>=1..\x02", 6, 1, "control character 0x02 is not allowed");
	check_err("caf\xc3\xa9", 3, 1, "non-ASCII byte 0xc3 is only allowed "
		  "inside a quoted marker string");
	check_err("x[\xff]", 2, 1, "non-ASCII byte 0xff is only allowed "
		  "inside a quoted marker string");
	check_err("x; os_name\xc2\xa0== 'a'", 10, 1, "non-ASCII byte 0xc2 is "
		  "only allowed inside a quoted marker string");
	check_err("x;\x0bos_name == 'a'", 2, 1, "control character 0x0b is not "
		  "allowed");

	/* Inside strings: UTF-8 yes, broken UTF-8 and control bytes no. */
	check_err("x; os_name == '\xc3'", 15, 1, "invalid UTF-8 in a marker "
		  "string");
	check_err("x; os_name == '\xc3('", 15, 1, "invalid UTF-8 in a marker "
		  "string");
	check_err("x; os_name == '\xc0\xaf'", 15, 1, "invalid UTF-8 in a "
		  "marker string");
	check_err("x; os_name == '\xed\xa0\x80'", 15, 1, "invalid UTF-8 in a "
		  "marker string");
	check_err("x; os_name == '\xf4\x90\x80\x80'", 15, 1, "invalid UTF-8 in "
		  "a marker string");
	check_err("x; os_name == 'a\xff'", 16, 1, "invalid UTF-8 in a marker "
		  "string");
	check_err("x; os_name == 'a\nb'", 16, 1, "control character 0x0a is not "
		  "allowed in a marker string");
	check_err_len("x; os_name == 'a\0'", 18, 16, 1, "control character 0x00 "
		      "is not allowed in a marker string");
}

static void test_lengths(void **state)
{
	char *buf;
	size_t i;

	(void)state;
	buf = malloc(8192);
	assert_non_null(buf);

	/* Exactly 4096 bytes is accepted: a long name. */
	for (i = 0; i < 4096; i++)
		buf[i] = 'a';
	buf[4096] = '\0';
	check_ok_len(buf, 4096, buf);

	check_err_len(buf, 4097, 4096, 1, "requirement is too long (4097 "
		      "bytes, the limit is 4096)");
	check_err_len(buf, 8000, 4096, 3904, "requirement is too long (8000 "
		      "bytes, the limit is 4096)");

	/* Long culprits are clipped in the message, not in the offsets. */
	memcpy(buf, "x>=", 3);
	for (i = 3; i < 103; i++)
		buf[i] = 'z';
	check_err_len(buf, 103, 3, 100, "invalid version 'zzzzzzzzzzzzzzzzzzzz"
		      "zzzzzzzzzzzzzzzzzzzzzzzzzzzz...' in specifier: a version "
		      "must start with a number");

	/* Long specifier lists and markers. */
	{
		char *want = malloc(8192);
		size_t w;

		assert_non_null(want);
		i = (size_t)snprintf(buf, 8192, "x >= 0");
		w = (size_t)snprintf(want, 8192, "x>=0");
		while (i < 4080) {
			i += (size_t)snprintf(buf + i, 8192 - i, " , != 1.0");
			w += (size_t)snprintf(want + w, 8192 - w, ",!=1.0");
		}
		check_ok_len(buf, i, want);

		i = (size_t)snprintf(buf, 8192, "x;os_name=='a'");
		w = (size_t)snprintf(want, 8192, "x; os_name == \"a\"");
		while (i < 4080) {
			i += (size_t)snprintf(buf + i, 8192 - i, " or'b'in extra");
			w += (size_t)snprintf(want + w, 8192 - w,
					      " or \"b\" in extra");
		}
		check_ok_len(buf, i, want);
		free(want);
	}
	free(buf);
}

static void test_api(void **state)
{
	struct pep508_req r;
	char msg[16];
	char *c;
	const char text[] = "foo>=1.0 trailing bytes never looked at";

	(void)state;
	memset(&r, 0, sizeof(r));
	pep508_req_release(&r);
	pep508_req_release(NULL);
	c = pep508_canonical(&r);
	assert_non_null(c);
	assert_string_equal(c, "");
	free(c);

	/* Error outputs are optional, msg is always NUL-terminated. */
	assert_int_equal(pep508_parse("x>", 2, &r, NULL, NULL, NULL, 0), -1);
	assert_int_equal(pep508_parse("x>", 2, &r, NULL, NULL, msg,
				      sizeof(msg)), -1);
	assert_string_equal(msg, "expected a vers");
	assert_int_equal(pep508_parse("x", 1, &r, NULL, NULL, NULL, 0), 0);
	pep508_req_release(&r);

	/* Only s[0..len) is read. */
	assert_int_equal(pep508_parse(text, 8, &r, NULL, NULL, NULL, 0), 0);
	assert_string_equal(r.specifier, ">=1.0");
	pep508_req_release(&r);
	check_ok_len(text, 3, "foo");

	/* NULL input is refused, not dereferenced. */
	assert_int_equal(pep508_parse(NULL, 5, &r, NULL, NULL, msg,
				      sizeof(msg)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_extras),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_compatible_and_local),
		cmocka_unit_test(test_versions_in_specifiers),
		cmocka_unit_test(test_pep440),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_marker_errors),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_garbage_and_empty),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
