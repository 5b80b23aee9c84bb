/*
 * The recipe parser: files into statements, following includes.
 *
 * An included file's lines take the place of its include line, and paths
 * written in it are relative to its own folder.  A file may be read only
 * once per plan: a cycle, or a second include of a shared base, is an
 * error, because "which of the two definitions wins" is exactly what a
 * reviewer should never have to work out.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static void nomem(struct rcompiler *rc)
{
	rc->nomem = 1;
	gapimg_error_set(rc->err, GAPIMG_E_NOMEM, "out of memory while reading the recipe");
}

/* Lexical join and clean-up of a relative path: "a/./b/../c" -> "a/c";
 * leading ".." are kept.  Returns malloc'd text ("" for the folder itself). */
static char *join_clean(const char *dir, const char *rel)
{
	size_t cap = strlen(dir) + strlen(rel) + 3, n = 0;
	char *in, *out, *save = NULL, *part;
	int absolute;

	if (rel[0] == '/')
		in = strdup(rel);
	else if (asprintf(&in, "%s%s%s", dir, dir[0] ? "/" : "", rel) < 0)
		in = NULL;
	if (in == NULL)
		return NULL;
	absolute = in[0] == '/';
	if ((out = malloc(cap + 1)) == NULL) {
		free(in);
		return NULL;
	}
	out[0] = '\0';
	if (absolute)
		out[n++] = '/';
	for (part = strtok_r(in, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		size_t plen = strlen(part);
		char *last;

		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			out[n] = '\0';
			last = strrchr(out, '/');
			/* Drop the previous component unless there is none or
			 * it is a ".." we kept. */
			if (n > (size_t)absolute && strcmp(last ? last + 1 : out, "..") != 0) {
				n = last ? (size_t)(last - out) : 0;
				if (n == 0 && absolute)
					n = 1;
				continue;
			}
			if (absolute && n == 1)
				continue;     /* "/.." is "/" */
		}
		if (n > 0 && out[n - 1] != '/')
			out[n++] = '/';
		memcpy(out + n, part, plen);
		n += plen;
	}
	out[n] = '\0';
	free(in);
	return out;
}

char *rc_join_clean(const char *dir, const char *rel)
{
	return join_clean(dir, rel);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup("");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static struct rsource *new_source(struct rcompiler *rc, const char *name)
{
	struct rsource **grown, *src;

	grown = realloc(rc->sources, (rc->nsources + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	rc->sources = grown;
	if ((src = calloc(1, sizeof(*src))) == NULL)
		return NULL;
	if ((src->name = rc_intern_name(rc, name)) == NULL) {
		free(src);
		return NULL;
	}
	rc->sources[rc->nsources++] = src;
	return src;
}

static int add_stmt(struct rcompiler *rc, const struct rsource *src,
		    struct rtoken *toks, size_t n)
{
	struct rtoken *sorted;
	struct rstmt *st;
	size_t i, a = 1, nargs = 0;

	if (rc->nstmts == rc->astmts) {
		size_t na = rc->astmts ? 2 * rc->astmts : 64;
		struct rstmt *v = realloc(rc->stmts, na * sizeof(*v));
		if (v == NULL)
			return -1;
		rc->stmts = v;
		rc->astmts = na;
	}
	/* Directive first, then the arguments, then the options, each in
	 * the order written. */
	if ((sorted = malloc(n * sizeof(*sorted))) == NULL)
		return -1;
	sorted[0] = toks[0];
	for (i = 1; i < n; i++)
		if (toks[i].kind != RTOK_OPTION)
			sorted[a++] = toks[i], nargs++;
	for (i = 1; i < n; i++)
		if (toks[i].kind == RTOK_OPTION)
			sorted[a++] = toks[i];
	free(toks);
	st = &rc->stmts[rc->nstmts++];
	st->src = src;
	st->toks = sorted;
	st->ntoks = n;
	st->name = &sorted[0];
	st->args = sorted + 1;
	st->nargs = nargs;
	st->opts = sorted + 1 + nargs;
	st->nopts = n - 1 - nargs;
	return 0;
}

static int do_include(struct rcompiler *rc, const struct rsource *src,
		      struct rtoken *toks, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (toks[i].kind == RTOK_OPTION) {
			rc_error(rc, src, toks[i].span, NULL, "'include' takes no options");
			return 0;
		}
	}
	if (n != 2) {
		rc_error(rc, src, n < 2 ? toks[0].span : toks[2].span,
			 "write one include per line: include PATH",
			 n < 2 ? "'include' needs a path" : "'include' takes exactly one path");
		return 0;
	}
	if (toks[1].value_len == 0) {
		rc_error(rc, src, toks[1].span, NULL, "empty include path");
		return 0;
	}
	for (i = 0; i < toks[1].value_len; i++) {
		unsigned char c = (unsigned char)toks[1].value[i];
		if (c < 0x20 || c == 0x7f) {
			rc_error(rc, src, toks[1].span, NULL,
				 "include path contains a control character");
			return 0;
		}
	}
	return rc_parse_file(rc, toks[1].value, src, &toks[1]);
}

static int parse_source(struct rcompiler *rc, struct rsource *src)
{
	const char *p = src->data, *end = src->data + src->len;
	uint32_t lineno = 0;

	if (rc_check_text(rc, src) < 0)
		return rc->nomem ? -1 : 0;
	while (p < end && !rc_stopped(rc) && !rc->truncated) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct rtoken *toks;
		size_t n;
		int r;

		lineno++;
		r = rc_lex_line(rc, src, lineno, p, len, &toks, &n);
		p += len + 1;
		if (r == -2)
			return -1;
		if (r < 0 || n == 0) {
			rc_tokens_free(toks, n);
			continue;
		}
		if (toks[0].kind != RTOK_WORD) {
			rc_error(rc, src, toks[0].span, "see docs/recipe.md for the directives",
				 "a line must start with a directive name");
			rc_tokens_free(toks, n);
			continue;
		}
		if (strcmp(toks[0].value, "include") == 0) {
			r = do_include(rc, src, toks, n);
			rc_tokens_free(toks, n);
			if (r < 0)
				return -1;
			continue;
		}
		if (rc->nstmts >= GAPIMG_RECIPE_MAX_ITEMS) {
			rc_error(rc, src, toks[0].span, NULL,
				 "more than 65536 directives in the recipe and its includes");
			rc_tokens_free(toks, n);
			rc->truncated = 1;   /* still check what was read */
			return 0;
		}
		if (add_stmt(rc, src, toks, n) < 0) {
			rc_tokens_free(toks, n);
			nomem(rc);
			return -1;
		}
	}
	return rc->nomem ? -1 : 0;
}

static int read_file(struct rcompiler *rc, struct rsource *src, const char *path,
		     const struct rsource *from, const struct rtoken *at)
{
	struct gapimg_span whole = { src->name, 0, 0, 0 };
	const struct rsource *where = from;
	struct gapimg_span sp = at ? at->span : whole;
	const char *what = from ? "included file" : "recipe";
	struct stat st;
	ssize_t got;
	size_t done = 0, cap;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc_error(rc, where, sp, NULL, "cannot read %s %s: %s", what, src->name,
			 strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc_error(rc, where, sp, NULL, "%s %s is not a regular file", what, src->name);
		close(fd);
		return 0;
	}
	for (size_t i = 0; i < rc->nsources; i++) {
		const struct rsource *o = rc->sources[i];
		if (o != src && o->data && o->dev == st.st_dev && o->ino == st.st_ino) {
			rc_error(rc, where, sp,
				 "each file is read once per image; include it from one place",
				 "%s is the same file as %s, which is already included", src->name,
				 o->name);
			close(fd);
			return 0;
		}
	}
	src->dev = st.st_dev;
	src->ino = st.st_ino;
	if (st.st_size > (off_t)GAPIMG_RECIPE_MAX_BYTES) {
		rc_error(rc, where, sp, "recipes are at most 1 MiB; split it with includes",
			 "%s %s is too large (%lld bytes)", what, src->name, (long long)st.st_size);
		close(fd);
		return 0;
	}
	/* Read to the end, but never more than one byte past the limit: the
	 * file may have grown since fstat. */
	cap = (size_t)st.st_size + 1;
	for (;;) {
		if (done == cap) {
			char *grown;

			if (cap > GAPIMG_RECIPE_MAX_BYTES)
				break;
			cap = cap * 2 > GAPIMG_RECIPE_MAX_BYTES + 1 ? GAPIMG_RECIPE_MAX_BYTES + 1
								    : cap * 2;
			if ((grown = realloc(src->owned, cap + 1)) == NULL)
				goto nomem_fd;
			src->owned = grown;
		} else if (src->owned == NULL && (src->owned = malloc(cap + 1)) == NULL) {
			goto nomem_fd;
		}
		got = read(fd, src->owned + done, cap - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc_error(rc, where, sp, NULL, "cannot read %s %s: %s", what, src->name,
				 strerror(errno));
			close(fd);
			return 0;
		}
		if (got == 0)
			break;
		done += (size_t)got;
	}
	close(fd);
	if (done > GAPIMG_RECIPE_MAX_BYTES) {
		rc_error(rc, where, sp, "recipes are at most 1 MiB; split it with includes",
			 "%s %s is too large", what, src->name);
		return 0;
	}
	src->owned[done] = '\0';
	src->data = src->owned;
	src->len = done;
	return 1;
nomem_fd:
	close(fd);
	nomem(rc);
	return -1;
}

int rc_parse_file(struct rcompiler *rc, const char *path, const struct rsource *from,
		  const struct rtoken *at)
{
	struct rsource *src;
	char *fs_path = NULL, *shown = NULL, *real = NULL;
	size_t i;
	int r = -1;

	if (from && (rc->flags & GAPIMG_COMPILE_NO_FILES)) {
		rc_error(rc, from, at->span, NULL,
			 "includes are not followed when checking recipe text alone");
		return 0;
	}
	if (from && rc->depth > GAPIMG_RECIPE_MAX_DEPTH) {
		rc_error(rc, from, at->span, NULL, "includes nested more than 8 deep");
		return 0;
	}
	if (rc->nsources >= GAPIMG_RECIPE_MAX_FILES) {
		rc_error(rc, from, at->span, NULL, "more than 64 recipe files in one plan");
		return 0;
	}
	fs_path = from ? join_clean(from->dir, path) : strdup(path);
	shown = fs_path ? strdup(fs_path) : NULL;
	if (shown == NULL)
		goto nomem_out;
	real = realpath(fs_path, NULL);
	if (real) {
		for (i = 0; i < rc->depth; i++) {
			if (rc->stack[i]->real && strcmp(rc->stack[i]->real, real) == 0) {
				struct strbuf chain = STRBUF_INIT;
				size_t j;

				for (j = i; j < rc->depth; j++)
					strbuf_addf(&chain, "%s -> ", rc->stack[j]->name);
				strbuf_addstr(&chain, rc->stack[i]->name);
				rc_error(rc, from, at->span, "remove one of the includes",
					 "include cycle: %s", chain.buf);
				strbuf_release(&chain);
				r = 0;
				goto out;
			}
		}
		for (i = 0; i < rc->nsources; i++) {
			if (rc->sources[i]->real && strcmp(rc->sources[i]->real, real) == 0) {
				rc_error(rc, from, at->span,
					 "each file is read once per image; include it from one place",
					 "%s is already included", shown);
				r = 0;
				goto out;
			}
		}
	}
	if ((src = new_source(rc, shown)) == NULL)
		goto nomem_out;
	src->real = real;
	real = NULL;
	src->dir = dir_of(fs_path);
	if (from) {
		char *d = dir_of(path);
		src->rel_dir = d ? join_clean(from->rel_dir, d) : NULL;
		free(d);
	} else {
		src->rel_dir = strdup("");
	}
	if (src->dir == NULL || src->rel_dir == NULL)
		goto nomem_out;
	r = read_file(rc, src, fs_path, from, at);
	if (r <= 0)
		goto out;
	{
		const struct rsource **grown = realloc(rc->stack, (rc->depth + 1) * sizeof(*grown));
		if (grown == NULL)
			goto nomem_out;
		rc->stack = grown;
	}
	rc->stack[rc->depth++] = src;
	r = parse_source(rc, src);
	rc->depth--;
	goto out;
nomem_out:
	nomem(rc);
	r = -1;
out:
	free(fs_path);
	free(shown);
	free(real);
	return r < 0 ? -1 : 0;
}

int rc_parse_buffer(struct rcompiler *rc, const char *name, const char *data, size_t len)
{
	struct rsource *src = new_source(rc, name);
	const struct rsource **grown;
	int r;

	if (src == NULL || (src->dir = strdup("")) == NULL ||
	    (src->rel_dir = strdup("")) == NULL) {
		nomem(rc);
		return -1;
	}
	if (len > GAPIMG_RECIPE_MAX_BYTES) {
		rc_error(rc, NULL, ((struct gapimg_span){ src->name, 0, 0, 0 }),
			 "recipes are at most 1 MiB; split it with includes",
			 "recipe %s is too large (%zu bytes)", src->name, len);
		return 0;
	}
	src->data = data;
	src->len = len;
	if ((grown = realloc(rc->stack, sizeof(*grown))) == NULL) {
		nomem(rc);
		return -1;
	}
	rc->stack = grown;
	rc->stack[rc->depth++] = src;
	r = parse_source(rc, src);
	rc->depth--;
	return r;
}
