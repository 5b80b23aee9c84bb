/*
 * Wheel file names (PEP 427) and compatibility tags (PEP 425): which
 * wheels can run on the image, and which of several is the best.
 */
#ifndef GAPIMG_PYTHON_WHEELNAME_H
#define GAPIMG_PYTHON_WHEELNAME_H

#include <stddef.h>
#include <stdint.h>

/* {dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl; each tag
 * part may be a '.'-joined set. */
struct wheelname {
	char *dist;               /* as in the file name ("zope_interface") */
	char *name;               /* PEP 503 ("zope-interface") */
	char *version;            /* as in the file name */
	char *build;              /* "1b", or NULL */
	uint64_t build_num;       /* the build tag's leading number */
	char **py, **abi, **plat;
	size_t npy, nabi, nplat;
};

/* Parse a file name (no folder).  0, -1 when it is not a wheel name (msg
 * says why), -2 when memory ran out. */
int wheelname_parse(const char *filename, struct wheelname *w, char *msg, size_t msgsz);
void wheelname_release(struct wheelname *w);

/* PEP 503 normalised name of s[0..n): runs of [-_.] become "-",
 * lowercase; malloc'd. */
char *pep503_name(const char *s, size_t n);

/* The tags CPython major.minor accepts on Linux/machine with a C library
 * of at most glibc 2.<glibc_minor> (0: no manylinux at all), best
 * first, in the order packaging's sys_tags() gives. */
struct pytags;
struct pytags *pytags_new(unsigned major, unsigned minor, const char *machine,
			  unsigned glibc_minor);
void pytags_free(struct pytags *t);
size_t pytags_count(const struct pytags *t);
/* "cp311-cp311-manylinux_2_17_x86_64" */
const char *pytags_get(const struct pytags *t, size_t i);

/* The best (lowest) index among the wheel's tag combinations, or -1 when
 * none fits.  *glibc_minor gets the glibc 2.N the chosen platform tag
 * needs (manylinux1 = 2.5, manylinux2010 = 2.12, manylinux2014 = 2.17),
 * 0 for "any" and "linux_*". */
long pytags_rank(const struct pytags *t, const struct wheelname *w,
		 unsigned *glibc_minor);

#endif
