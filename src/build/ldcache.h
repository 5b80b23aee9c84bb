/*
 * /etc/ld.so.cache without running ldconfig.
 *
 * gapimg never runs package scripts, so nothing runs ldconfig in the
 * image.  Instead the unpack stage tells this module about every library
 * (from elfso), every symlink and the ld.so.conf files as they stream
 * into the image, and ldcache_write() produces the bytes that
 * `ldconfig -X -r ROOT` of Debian 12 (glibc 2.36, x86-64, default "new"
 * format) would write for that root.
 *
 * What the caller must pass, because this module sees nothing else:
 *  - ldcache_add_file() for every regular file elfso says is a library,
 *    wherever it lives (a library symlink may point anywhere);
 *  - ldcache_add_symlink() for every symlink, not only library-named ones:
 *    directory symlinks such as /lib -> usr/lib decide which directories
 *    are the same (ldconfig compares inodes) and which path it records;
 *  - ldcache_add_conf() for /etc/ld.so.conf and every file in
 *    /etc/ld.so.conf.d (or wherever an include points);
 *  - ldcache_add_dir() for every directory: parents of the paths above
 *    are implied, so only empty directories need it, and only one kind
 *    changes the bytes: an empty DIR/glibc-hwcaps/NAME still puts NAME in
 *    the string table.
 * Adding a path again replaces what was there (a later package overwrote
 * it); apart from that, the order of the calls does not matter.
 */
#ifndef GAPIMG_BUILD_LDCACHE_H
#define GAPIMG_BUILD_LDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/strbuf.h"

/* What Debian 12's ldconfig writes in the cache's generator extension. */
#define LDCACHE_GENERATOR_DEBIAN12 \
	"ldconfig (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36"

struct ldcache;

/* NULL on ENOMEM. */
struct ldcache *ldcache_new(void);
void ldcache_free(struct ldcache *c);

/*
 * The generator string ldconfig records is "ldconfig " PKGVERSION
 * " stable release version " VERSION of the glibc that built it: Debian
 * puts its package version in PKGVERSION, so the bytes depend on the
 * image's libc-bin.  Set it from that version (e.g. "ldconfig (Debian
 * GLIBC 2.36-9+deb12u7) stable release version 2.36"); the default is
 * LDCACHE_GENERATOR_DEBIAN12.  It is informational: ld.so ignores it.
 */
int ldcache_set_generator(struct ldcache *c, const char *text,
			  struct gapimg_error *err);

/*
 * A regular file at absolute image path `path` that elfso_finish() said
 * is a library, with the soname and flags it gave.  soname NULL means the
 * library has no DT_SONAME: ldconfig then uses the file name.
 */
int ldcache_add_file(struct ldcache *c, const char *path, const char *soname,
		     uint32_t flags, struct gapimg_error *err);

/* A symlink at `path` (absolute image path) with its target as stored. */
int ldcache_add_symlink(struct ldcache *c, const char *path,
			const char *target, struct gapimg_error *err);

/* A directory at `path` (see above for why). */
int ldcache_add_dir(struct ldcache *c, const char *path, struct gapimg_error *err);

/* The text of a configuration file (ld.so.conf and what it includes). */
int ldcache_add_conf(struct ldcache *c, const char *path, const char *text,
		     size_t len, struct gapimg_error *err);

/* Append the bytes of /etc/ld.so.cache to out. */
int ldcache_write(struct ldcache *c, struct strbuf *out,
		  struct gapimg_error *err);

#endif
