/* What check.c and content.c share: the directive handlers and helpers. */
#ifndef GAPIMG_RECIPE_CHECKS_H
#define GAPIMG_RECIPE_CHECKS_H

#include "internal.h"

/* Append a zeroed element to a plan array (capacity doubles at powers of
 * two); -1 when memory runs out. */
int rc_push(struct rcompiler *rc, void *vec, size_t *n, size_t size);
char *rc_strdup(struct rcompiler *rc, const char *s);
int rc_nomem(struct rcompiler *rc);
const struct rtoken *rc_opt(const struct rstmt *st, const char *key);
const struct rsource *rc_source_of(const struct rcompiler *rc, const char *name);
/* "invalid WHAT 'VALUE': WHY" at the token's value; returns 0. */
int rc_bad_value(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		 const char *what, const char *why, const char *help);
/* Remember a mirror=ID option, checked once every mirror is known. */
int rc_mirror_ref(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		  int wheels);

/* content.c */
int rc_h_file(struct rcompiler *rc, const struct rstmt *st);
int rc_h_dir(struct rcompiler *rc, const struct rstmt *st);
int rc_h_symlink(struct rcompiler *rc, const struct rstmt *st);
int rc_h_data(struct rcompiler *rc, const struct rstmt *st);
int rc_h_remove(struct rcompiler *rc, const struct rstmt *st);
int rc_h_group(struct rcompiler *rc, const struct rstmt *st);
int rc_h_user(struct rcompiler *rc, const struct rstmt *st);
int rc_h_env(struct rcompiler *rc, const struct rstmt *st);
int rc_h_enable(struct rcompiler *rc, const struct rstmt *st);
int rc_h_disable(struct rcompiler *rc, const struct rstmt *st);
/* python.c */
int rc_requirement(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		   const struct rtoken *from);
/* whole.c: checks over the whole recipe, then sorting. */
int rc_check_whole(struct rcompiler *rc);

#endif
