/*
 * The image's users and groups: a model of /etc/passwd, /etc/group,
 * /etc/shadow and /etc/gshadow.
 *
 * Packages' maintainer scripts are never run, so gapimg has to do what
 * they would have done: copy base-passwd's master files (Debian) or take
 * setup's files (RPM), add the recipe's users and groups, and run
 * systemd-sysusers over the image's sysusers.d files.  This module holds
 * the four files in memory and writes them back byte for byte, with new
 * entries appended in a fixed order, so the result never depends on hash
 * order, the clock or the host's own user database.
 *
 * Every function returns 0 on success, -1 with err set on failure.
 */
#ifndef GAPIMG_BUILD_ACCOUNTS_H
#define GAPIMG_BUILD_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/error.h"
#include "gapimg/strbuf.h"

struct accounts;

struct accounts *accounts_new(void);
void accounts_free(struct accounts *a);

/*
 * Load the text of an existing file: which is "passwd", "group", "shadow"
 * or "gshadow".  origin names it in errors ("base-passwd 3.6.1:
 * /usr/share/base-passwd/passwd.master"); a malformed line is an error
 * naming origin:line.  Lines keep their order and bytes; blank lines and
 * lines starting with '#' are kept as they are.  A file is loaded once,
 * before anything is added to it.
 */
int accounts_load(struct accounts *a, const char *which, const char *text,
		  size_t len, const char *origin, struct gapimg_error *err);

/*
 * A recipe group or user with a fixed id.  The same name with the same id
 * as an existing entry is accepted and adds no line; the same name with
 * another id, or the id under another name, is an error naming origin.
 *
 * primary_group is a group name or a decimal gid; a name may be defined
 * later (by the recipe or sysusers.d) and is resolved by accounts_format.
 * NULL means a group named like the user: an existing one, or a new one
 * with gid = uid.  groups[] are supplementary groups, which must exist
 * when accounts_format runs.  home, shell and comment may be NULL ("/",
 * "/usr/sbin/nologin", "").
 */
int accounts_add_group(struct accounts *a, const char *name, uint32_t gid,
		       const char *origin, struct gapimg_error *err);
int accounts_add_user(struct accounts *a, const char *name, uint32_t uid,
		      const char *primary_group, const char *const *groups,
		      size_t ngroups, const char *home, const char *shell,
		      const char *comment, const char *origin,
		      struct gapimg_error *err);

/*
 * One sysusers.d file of the image: path is where it lives in the image
 * ("/usr/lib/sysusers.d/dbus.conf"), which decides its place in the order
 * and which file overrides which, as in systemd: files are taken by name,
 * and a name in /etc/sysusers.d hides the same name in /run/sysusers.d,
 * /usr/local/lib/sysusers.d and /usr/lib/sysusers.d, in that order.
 * Names not ending in ".conf" are ignored, as systemd ignores them.
 * The text is checked now (errors name origin:line); nothing is applied
 * until accounts_apply_sysusers.
 */
int accounts_add_sysusers(struct accounts *a, const char *path,
			  const char *text, size_t len, const char *origin,
			  struct gapimg_error *err);

/*
 * Apply the sysusers.d files added so far as systemd-sysusers (v252) would
 * on an image holding the current entries, then forget them.
 */
int accounts_apply_sysusers(struct accounts *a, struct gapimg_error *err);

/* Lookups for resolving package file owners: 0 found, -1 not found. */
int accounts_uid(const struct accounts *a, const char *name, uint32_t *uid);
int accounts_gid(const struct accounts *a, const char *name, uint32_t *gid);

/*
 * The text of one file into out (replacing what it held).  epoch (seconds
 * since 1970, SOURCE_DATE_EPOCH) gives the "last changed" day of new
 * shadow entries.  A file that was not loaded and has no entries leaves
 * out empty and sets *present = 0: the caller does not create it.
 */
int accounts_format(const struct accounts *a, const char *which,
		    int64_t epoch, struct strbuf *out, int *present,
		    struct gapimg_error *err);

#endif
