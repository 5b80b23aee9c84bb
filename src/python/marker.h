/*
 * PEP 508 environment markers, evaluated for the image's interpreter and
 * machine rather than the host's: wheels are chosen for the target.
 */
#ifndef GAPIMG_PYTHON_MARKER_H
#define GAPIMG_PYTHON_MARKER_H

#include <stddef.h>

/* Every value is a string; NULL counts as "". */
struct pymarker_env {
	const char *python_version;          /* "3.11" */
	const char *python_full_version;     /* "3.11.0" */
	const char *os_name;                 /* "posix" */
	const char *sys_platform;            /* "linux" */
	const char *platform_release;        /* "" */
	const char *platform_system;         /* "Linux" */
	const char *platform_version;        /* "" */
	const char *platform_machine;        /* "x86_64", "aarch64" */
	const char *platform_python_implementation;  /* "CPython" */
	const char *implementation_name;     /* "cpython" */
	const char *implementation_version;  /* as python_full_version */
	const char *extra;                   /* "" outside an extra */
};

/* The target environment for CPython major.minor[.micro] on Linux and
 * machine: python_version "3.11", python_full_version and
 * implementation_version "3.11.4", or "3.11.0" when no micro is given;
 * platform_release, platform_version and extra "".  Strings point into
 * *t and the arguments. */
struct pymarker_target {
	struct pymarker_env env;
	char version[16], full_version[32];
};
void pymarker_target_init(struct pymarker_target *t, const char *python,
			  const char *machine);

/*
 * Evaluate a marker as pep508_parse() writes it (canonical: variables
 * bare, strings in double quotes, single spaces around operators,
 * "and"/"or", parentheses; "and" binds tighter than "or").  As packaging
 * does: when "OP right" is a valid specifier and the left side a valid
 * version, the specifier decides (pre-releases allowed), whichever side
 * holds the variable; otherwise "in"/"not in" test substrings (left in
 * right), "=="/"!=" compare strings, and any other operator is an error.
 * When either side is "extra", both are PEP 503 normalised first.  Every
 * comparison is evaluated, so an error is reported even where "or" or
 * "and" already knows the answer.  1 true, 0 false, -1 malformed or not
 * comparable (msg says why).  env NULL counts as all "".
 */
int pymarker_eval(const char *marker, const struct pymarker_env *env,
		  char *msg, size_t msgsz);

#endif
