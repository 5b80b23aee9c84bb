/*
 * The recipe compiler: recipe text in, a validated gapimg_plan out.
 *
 * Problems in a recipe are not gapimg_errors: the compiler collects every
 * one it finds (up to GAPIMG_DIAG_MAX) as diagnostics with a place, so that
 * one run of "gapimg check" shows them all.  The command renders them with
 * gapimg_diag_format; the library never prints.  The language is described
 * in docs/recipe.md.
 */
#ifndef GAPIMG_RECIPE_H
#define GAPIMG_RECIPE_H

#include <stddef.h>

#include "gapimg/error.h"
#include "gapimg/plan.h"
#include "gapimg/strbuf.h"

/* Limits that keep a hostile recipe from exhausting memory or stack. */
#define GAPIMG_RECIPE_MAX_BYTES   (1u << 20)  /* per file */
#define GAPIMG_RECIPE_MAX_LINE    4096        /* bytes per line */
#define GAPIMG_RECIPE_MAX_TOKENS  256         /* per line */
#define GAPIMG_RECIPE_MAX_DEPTH   8           /* nested includes */
#define GAPIMG_RECIPE_MAX_FILES   64          /* recipe files per plan */
#define GAPIMG_RECIPE_MAX_ITEMS   65536       /* lines with a directive, in all files */
#define GAPIMG_RECIPE_MAX_MIRRORS 256
#define GAPIMG_DIAG_MAX           50          /* errors before giving up */

enum gapimg_diag_level { GAPIMG_DIAG_ERROR, GAPIMG_DIAG_WARNING, GAPIMG_DIAG_NOTE };

struct gapimg_diag {
	enum gapimg_diag_level level;
	struct gapimg_span span;   /* line 0: about the whole file */
	char *message;
	char *help;                /* "did you mean ...", how to fix; or NULL */
	char *source_line;         /* the line span points into, or NULL */
};

struct gapimg_diags {
	struct gapimg_diag *v;
	size_t n, alloc;
	size_t errors, warnings;
	int stopped;               /* gave up after GAPIMG_DIAG_MAX errors */
	size_t hidden;             /* warnings past GAPIMG_DIAG_MAX: counted, not kept */
	char **files;              /* owns the file names spans point to */
	size_t nfiles;
};

void gapimg_diags_release(struct gapimg_diags *d);

/* "file:line:col: error: message", the source line, a caret under the
 * culprit and the help line, each ending in a newline. */
int gapimg_diag_format(const struct gapimg_diag *diag, struct strbuf *out);

enum gapimg_compile_flags {
	/* Do not touch the file system beyond the recipe text itself:
	 * includes and local inputs are reported as errors, not read.  For
	 * fuzzing and for checking recipe text received from elsewhere. */
	GAPIMG_COMPILE_NO_FILES = 0x01,
};

/*
 * Compile the recipe at path.  diags must start zeroed (or released) and
 * is released by the caller.  Returns the plan, or NULL when the recipe
 * has errors (diags->errors > 0) or memory ran out (err set).  Warnings
 * and notes are left in diags either way.
 */
struct gapimg_plan *gapimg_recipe_compile(const char *path, unsigned flags,
					  struct gapimg_diags *diags,
					  struct gapimg_error *err);

/* The same for recipe text in memory; name is what diagnostics call it and
 * includes are resolved against the current folder. */
struct gapimg_plan *gapimg_recipe_compile_buffer(const char *name,
						 const char *data, size_t len,
						 unsigned flags,
						 struct gapimg_diags *diags,
						 struct gapimg_error *err);

#endif
