/* A Debian package's licence from its machine-readable copyright file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "build/dep5.h"

/* The licence dep5_license finds in text, or "(none)". */
static const char *lic_of(const char *text)
{
	static char out[256];
	const char *lic;
	size_t len;

	if (!dep5_license(text, strlen(text), &lic, &len))
		return "(none)";
	snprintf(out, sizeof(out), "%.*s", (int)len, lic);
	return out;
}

#define HDR "Format: https://example.invalid/doc/packaging-manuals/copyright-format/1.0/\n"

static void test_files_star(void **state)
{
	(void)state;
	assert_string_equal(lic_of(HDR "Upstream-Name: x\n\nFiles: *\nCopyright: me\n"
				   "License: GPL-2+\n This program is free software\n"), "GPL-2+");
	/* the Format URL's scheme does not matter; only the path part is compared */
	assert_string_equal(lic_of("Format: http://example.invalid/copyright-format/1.0\n\n"
				   "Files: *\nLicense: Zlib\n"), "Zlib");
	/* another Files: paragraph first, * on a continuation line, comments, CRLF */
	assert_string_equal(lic_of(HDR "\r\nFiles: debian/*\r\nLicense: MIT\r\n\r\n"
				   "# upstream\r\nFiles: src/a.c\r\n *\r\nLicense:   BSD-3-Clause  \r\n"),
			    "BSD-3-Clause");
	/* several Files: * paragraphs: the last one counts */
	assert_string_equal(lic_of(HDR "\nFiles: *\nLicense: GPL-1+\n\nFiles: * debian/*\n"
				   "license: GPL-1+ or Artistic\n"), "GPL-1+ or Artistic");
}

static void test_no_licence(void **state)
{
	(void)state;
	/* not machine-readable */
	assert_string_equal(lic_of("This is the Debian prepackaged version of busybox.\n\n"
				   "Files: *\nLicense: GPL-2\n"), "(none)");
	assert_string_equal(lic_of("Format: something else\n\nFiles: *\nLicense: MIT\n"), "(none)");
	/* no Files: * paragraph, or one without a License: value */
	assert_string_equal(lic_of(HDR "\nFiles: src/*\nLicense: MIT\n"), "(none)");
	assert_string_equal(lic_of(HDR "\nFiles: *\nLicense:\n text only\n"), "(none)");
	assert_string_equal(lic_of(""), "(none)");
	/* the header paragraph's own fields are not a Files: paragraph */
	assert_string_equal(lic_of(HDR "Files: *\nLicense: MIT\n"), "(none)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_star),
		cmocka_unit_test(test_no_licence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
