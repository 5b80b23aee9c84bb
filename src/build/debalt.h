/*
 * Debian alternatives declared by packages.
 *
 * Packages register alternatives by calling update-alternatives --install
 * from their postinst.  gapimg never runs maintainer scripts, so it reads
 * those calls out of the script text and sets up what update-alternatives
 * in auto mode would have: the /etc/alternatives links, the links they
 * stand behind, and dpkg's admin files.
 */
#ifndef GAPIMG_BUILD_DEBALT_H
#define GAPIMG_BUILD_DEBALT_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/fstree.h"

struct debalt_slave {
	char *link, *name, *path;
};

struct debalt {
	char *package;
	char *link, *name, *path;
	int priority;
	struct debalt_slave *slaves;
	size_t nslaves;
	size_t line;       /* postinst line of the call, for errors */
	/* The call is followed by "||": the script goes on when
	 * update-alternatives fails, as it does when path is missing. */
	int optional;
};

/*
 * Find every update-alternatives --install call in a postinst's text, in
 * script order (*out is malloc'd; free with debalt_free).  Calls are
 * found wherever they are (functions, if and case branches): postinsts
 * register alternatives when configured, which is the case gapimg builds.
 * Arguments may use variables set by a plain literal assignment earlier in
 * the script (x=/usr/bin/foo, then "$x"); anything else (other variables,
 * positional parameters, command substitution) is an error naming the
 * package and line.  Other actions (--remove, --set, ...) are ignored.
 */
int debalt_parse_postinst(const char *package, const char *text, size_t len,
			  struct debalt **out, size_t *n,
			  struct gapimg_error *err);
void debalt_free(struct debalt *alts, size_t n);

/*
 * Set them up in the tree as update-alternatives --install in auto mode
 * would, all of them as if installed at once.  Per name the highest
 * priority wins; between equal priorities the first path in byte order
 * wins (see debalt.c).  Creates /etc/alternatives/NAME -> PATH and LINK ->
 * /etc/alternatives/NAME, the same for each slave of the winner whose
 * path exists, and /var/lib/dpkg/alternatives/NAME.  Nodes get mtime,
 * 0:0, mode 0777 (links) or 0644 (admin files).  A real file or directory
 * at a link path is an error, as is a choice whose path is missing
 * (unless the call was optional).
 */
int debalt_apply(struct gapimg_fstree *tree, const struct debalt *alts,
		 size_t n, int64_t mtime, struct gapimg_error *err);

#endif
