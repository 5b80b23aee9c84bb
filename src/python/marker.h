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
 * machine; strings point into *buf. */
struct pymarker_target {
	struct pymarker_env env;
	char version[16], full_version[32];
};
void pymarker_target_init(struct pymarker_target *t, const char *python,
			  const char *machine);

/*
 * Evaluate a marker as pep508_parse() writes it (canonical: variables
 * bare, strings in double quotes, single spaces around operators,
 * "and"/"or", parentheses).  Comparisons use PEP 440 when both sides are
 * valid versions (the variable side being a version variable), strings
 * otherwise; "in"/"not in" test substrings; "extra" compares PEP 503
 * normalised names.  1 true, 0 false, -1 malformed (msg says why).
 */
int pymarker_eval(const char *marker, const struct pymarker_env *env,
		  char *msg, size_t msgsz);

#endif
