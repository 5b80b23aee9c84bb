#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "gapimg/path.h"

static void check_ok(const char *in, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct gapimg_error err;

	assert_int_equal(gapimg_path_normalise(in, strlen(in), &out, "test", &err), 0);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

static void check_err(const char *in, size_t len, const char *msg)
{
	struct strbuf out = STRBUF_INIT;
	struct gapimg_error err;

	assert_int_equal(gapimg_path_normalise(in, len, &out, "pkg foo-1.0", &err), -1);
	assert_int_equal(err.code, GAPIMG_E_INVALID);
	assert_string_equal(err.msg, msg);
	strbuf_release(&out);
}

static void test_normal_forms(void **state)
{
	(void)state;
	check_ok("/", "/");
	check_ok("/usr/bin", "/usr/bin");
	check_ok("usr/bin", "/usr/bin");
	check_ok("./usr/bin/", "/usr/bin");
	check_ok("//usr///bin//", "/usr/bin");
	check_ok("/usr/./bin/.", "/usr/bin");
	check_ok(".", "/");
	check_ok("/a..b/...", "/a..b/...");
	check_ok("/caf\xc3\xa9 \t\x01", "/caf\xc3\xa9 \t\x01");
}

static void test_refused(void **state)
{
	char big[300], longp[4200];
	size_t i;

	(void)state;
	check_err("", 0, "invalid path \"\" from pkg foo-1.0: the path is empty");
	check_err("/usr/../etc", 11,
		  "invalid path \"/usr/../etc\" from pkg foo-1.0: '..' components "
		  "are not allowed; give the path without them");
	check_err("..", 2,
		  "invalid path \"..\" from pkg foo-1.0: '..' components are not "
		  "allowed; give the path without them");
	check_err("/a\0b", 4,
		  "invalid path \"/a\\x00b\" from pkg foo-1.0: the path contains a "
		  "NUL byte");

	/* 255-byte names are fine, 256 are not. */
	memset(big, 'x', sizeof(big));
	big[0] = '/';
	big[256] = '\0';
	check_ok(big, big);
	memset(big, 'x', sizeof(big));
	big[0] = '/';
	{
		char want[600];
		snprintf(want, sizeof(want), "invalid path \"%.*s\" from pkg foo-1.0: "
			 "a component is longer than 255 bytes", 257, big);
		check_err(big, 257, want);
	}

	/* 21 components of 199 bytes: 4200 bytes, over the 4095 limit; the
	 * message shows only the first 512 bytes of such a path. */
	for (i = 0; i < 4200; i++)
		longp[i] = (i % 200 == 0) ? '/' : 'a';
	{
		char want[700];
		snprintf(want, sizeof(want), "invalid path \"%.512s...\" from pkg "
			 "foo-1.0: the path is longer than 4095 bytes", longp);
		check_err(longp, 4200, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_forms),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
