/* What the recipe compiler's stages share: tokens, statements, state. */
#ifndef GAPIMG_RECIPE_INTERNAL_H
#define GAPIMG_RECIPE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gapimg/plan.h"
#include "gapimg/recipe.h"

/* One recipe file, kept in memory while compiling so that diagnostics can
 * quote its lines. */
struct rsource {
	const char *name;        /* as shown: owned by diags->files */
	char *dir;               /* folder, for relative paths (absolute or "") */
	char *rel_dir;           /* folder relative to the main recipe's folder */
	char *real;              /* realpath, for cycle detection; NULL in memory */
	dev_t dev;               /* identity of the file read, so that a hard */
	ino_t ino;               /* link to it is not read a second time */
	const char *data;
	size_t len;
	char *owned;             /* data when we read it */
};

enum rtoken_kind { RTOK_WORD, RTOK_STRING, RTOK_OPTION };

struct rtoken {
	enum rtoken_kind kind;
	char *key;               /* options: the name before '=' */
	char *value;             /* decoded text (words and strings), NUL-terminated */
	size_t value_len;        /* may contain no NUL: the lexer refuses "\x00" */
	int quoted;              /* the value was a quoted string */
	struct gapimg_span span; /* the whole token */
	struct gapimg_span vspan;/* the value (options: after '=') */
};

/* One line with a directive: the parser's node.  args are the tokens that
 * are not options, in order; opts the key=value tokens. */
struct rstmt {
	const struct rsource *src;
	struct rtoken *name;
	struct rtoken *args;
	size_t nargs;
	struct rtoken *opts;
	size_t nopts;
	struct rtoken *toks;     /* owns every token of the line */
	size_t ntoks;
};

/* A reference to a mirror id, resolved after every mirror is known. */
struct rref {
	const struct rsource *src;
	struct gapimg_span span;
	char *id;
	int wheels;              /* from pip: must name a wheels mirror */
};

struct rcompiler {
	unsigned flags;
	struct gapimg_diags *diags;
	struct gapimg_error *err;
	int nomem;

	struct rsource **sources;   /* every file read, in reading order */
	size_t nsources;
	const struct rsource **stack; /* includes being read, for cycles */
	size_t depth;

	struct rstmt *stmts;
	size_t nstmts, astmts;

	struct rref *refs;
	size_t nrefs;
	int truncated;           /* stopped reading at the directive limit */

	struct gapimg_plan *plan;
};

/* diag.c */
void rc_diag(struct rcompiler *rc, enum gapimg_diag_level level,
	     const struct rsource *src, struct gapimg_span span,
	     const char *help, const char *fmt, ...) GAPIMG_PRINTF(6, 7);
#define rc_error(rc, src, span, help, ...) \
	rc_diag(rc, GAPIMG_DIAG_ERROR, src, span, help, __VA_ARGS__)
#define rc_warning(rc, src, span, help, ...) \
	rc_diag(rc, GAPIMG_DIAG_WARNING, src, span, help, __VA_ARGS__)
#define rc_note(rc, src, span, ...) \
	rc_diag(rc, GAPIMG_DIAG_NOTE, src, span, NULL, __VA_ARGS__)
const char *rc_intern_name(struct rcompiler *rc, const char *name);
/* The candidate closest to word (edit distance at most 2, and less than
 * half the word), or NULL. */
const char *rc_closest(const char *word, const char *const *cands, size_t n);
/* "did you mean 'x'?" into buf, or NULL when nothing is close. */
const char *rc_did_you_mean(char *buf, size_t size, const char *word,
			    const char *const *cands, size_t n);
int rc_stopped(const struct rcompiler *rc);

/* lexer.c: check a file's bytes, then split one line into tokens. */
int rc_check_text(struct rcompiler *rc, const struct rsource *src);
int rc_lex_line(struct rcompiler *rc, const struct rsource *src, uint32_t lineno,
		const char *line, size_t len, struct rtoken **out, size_t *nout);
void rc_tokens_free(struct rtoken *toks, size_t n);

/* parser.c: read a file (following includes) into rc->stmts. */
int rc_parse_file(struct rcompiler *rc, const char *path,
		  const struct rsource *from, const struct rtoken *at);
int rc_parse_buffer(struct rcompiler *rc, const char *name, const char *data,
		    size_t len);

/* check.c: statements into rc->plan. */
int rc_check(struct rcompiler *rc);

/* parser.c: "dir" joined with "rel" (unless rel is absolute) and cleaned
 * lexically: "a/./b/../c" is "a/c"; leading ".." are kept. */
char *rc_join_clean(const char *dir, const char *rel);

/* inputs.c: local paths. */
/* Join a path written in src with src's folder: *fs_path is where to open
 * it, *plan_path what the plan records (relative to the main recipe). */
int rc_local_path(struct rcompiler *rc, const struct rsource *src,
		  const char *written, char **fs_path, char **plan_path);
/* Hash a local input into in (path set by the caller); reports and returns
 * -1 if it cannot be read. */
int rc_hash_input(struct rcompiler *rc, const struct rsource *src,
		  const struct rtoken *at, const char *fs_path,
		  struct gapimg_plan_input *in, int want_regular);

/* plan.c */
int rc_plan_digest(struct gapimg_plan *plan, struct gapimg_error *err);

#endif
