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
	uint64_t build_num;       /* the build tag's leading number; 0
				   * without a build tag */
	char **py, **abi, **plat;
	size_t npy, nabi, nplat;
};

/* Parse a file name (no folder).  The name is [A-Za-z0-9._] (starting
 * and ending with a letter or digit, no "__"), the version valid PEP 440
 * (local labels allowed), the build tag a number then [A-Za-z0-9_.], each
 * tag a non-empty [A-Za-z0-9_] word; at most 255 bytes, as a file name
 * (longer ones would make ranking try billions of tag combinations).  0,
 * -1 when it is not a wheel name
 * (msg says why), -2 when memory ran out.  *w is zeroed on failure; msg
 * may be NULL. */
int wheelname_parse(const char *filename, struct wheelname *w, char *msg, size_t msgsz);
void wheelname_release(struct wheelname *w);

/* PEP 503 normalised name of s[0..n): runs of [-_.] become "-",
 * ASCII lowercase; malloc'd, NULL when memory ran out. */
char *pep503_name(const char *s, size_t n);

/* The tags CPython major.minor accepts on Linux/machine with a C library
 * of at most glibc 2.<glibc_minor> (0: no manylinux at all), best
 * first, in the order sys_tags() of packaging 21.3 (pip 23 on Debian 12)
 * gives: cpXY-cpXY[m]-P, cpXY-abi3-P, cpXY-none-P, cpX(Y-1)..cp32-abi3-P,
 * pyXY/pyX/pyX(Y-1)..pyX0-none-P, then the same py tags with "any" (no
 * "cpXY-none-any": later packaging adds it).  P runs from
 * manylinux_2_<glibc_minor> down to 2_5 (x86_64, i686) or 2_17 (other
 * machines), manylinux2014/2010/1 right after 2_17/2_12/2_5, then
 * linux_<machine>.  NULL when memory ran out (or for a machine name over
 * 64 bytes, minor or glibc_minor over 1000). */
struct pytags;
struct pytags *pytags_new(unsigned major, unsigned minor, const char *machine,
			  unsigned glibc_minor);
void pytags_free(struct pytags *t);
size_t pytags_count(const struct pytags *t);
/* "cp311-cp311-manylinux_2_17_x86_64"; NULL when i is out of range. */
const char *pytags_get(const struct pytags *t, size_t i);

/* The best (lowest) index among the wheel's tag combinations, or -1 when
 * none fits (tags compare ignoring ASCII case; each combination is one
 * binary search).  *glibc_minor gets the glibc 2.N the chosen platform tag
 * needs (manylinux1 = 2.5, manylinux2010 = 2.12, manylinux2014 = 2.17),
 * 0 for "any" and "linux_*" and when none fits.  glibc_minor may be NULL. */
long pytags_rank(const struct pytags *t, const struct wheelname *w,
		 unsigned *glibc_minor);

#endif
