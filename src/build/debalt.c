/*
 * Debian alternatives declared by packages.  See debalt.h.
 *
 * Parsing: a small POSIX shell lexer, enough to cut a postinst into
 * simple commands and words the way sh would (quotes, backslashes, line
 * continuations, comments, here-documents, redirections, operators).  It
 * does not run anything: words that need the shell's state to be known
 * are marked unresolved, except variables given a literal value by an
 * earlier plain assignment, which is the one indirection packages commonly
 * use around update-alternatives.
 *
 * Applying: what update-alternatives --install does in auto mode, taken
 * from dpkg 1.21's utils/update-alternatives.c and checked against its
 * output (--altdir/--admindir into a scratch root).
 */
#include "build/debalt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapimg/strbuf.h"

/* ---- the lexer ---- */

struct var {
	char *name;
	char *value;       /* NULL: assigned something we cannot know */
};

struct word {
	struct strbuf text;
	char *why;         /* non-NULL: unresolved, and why */
	size_t name_len;   /* length of a leading unquoted NAME=, 0 if none */
	int in_name;       /* still lexing a possible NAME */
	size_t line;
};

enum op {
	OP_NONE,           /* end of text */
	OP_NEWLINE,
	OP_SEMI,           /* ; ;; & ( ) | */
	OP_AND,            /* && */
	OP_OR,             /* || */
};

struct heredoc {
	char *delim;
	int strip_tabs;
};

struct lexer {
	const char *s;
	size_t len, pos, line;
	struct var *vars;
	size_t nvars, avars;
	struct heredoc *hd;
	size_t nhd, ahd;
	int nomem;
};

static int is_name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_op_char(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' ||
	       c == '<' || c == '>' || c == '\n';
}

static int peek(const struct lexer *lx, size_t off)
{
	return lx->pos + off < lx->len ? (unsigned char)lx->s[lx->pos + off] : -1;
}

static void word_unresolved(struct word *w, const char *why)
{
	if (w->why == NULL)
		w->why = strdup(why);
}

static const struct var *var_find(const struct lexer *lx, const char *name,
				  size_t len)
{
	size_t i;

	for (i = 0; i < lx->nvars; i++)
		if (strlen(lx->vars[i].name) == len &&
		    memcmp(lx->vars[i].name, name, len) == 0)
			return &lx->vars[i];
	return NULL;
}

static int var_set(struct lexer *lx, const char *name, size_t len,
		   const char *value)
{
	struct var *v = (struct var *)var_find(lx, name, len);
	char *nv = NULL;

	if (value != NULL && (nv = strdup(value)) == NULL)
		return -1;
	if (v == NULL) {
		if (gapimg_grow((void **)&lx->vars, &lx->avars, lx->nvars,
			 sizeof(*lx->vars))) {
			free(nv);
			return -1;
		}
		v = &lx->vars[lx->nvars];
		v->name = strndup(name, len);
		if (v->name == NULL) {
			free(nv);
			return -1;
		}
		v->value = NULL;
		lx->nvars++;
	}
	free(v->value);
	v->value = nv;
	return 0;
}

/* Skip a $( ... ) or $(( ... )) body; pos is after the first '('. */
static void skip_parens(struct lexer *lx)
{
	int depth = 1;

	while (lx->pos < lx->len && depth > 0) {
		char c = lx->s[lx->pos++];

		if (c == '\n')
			lx->line++;
		else if (c == '\\' && lx->pos < lx->len) {
			if (lx->s[lx->pos] == '\n')
				lx->line++;
			lx->pos++;
		} else if (c == '\'' || c == '"') {
			while (lx->pos < lx->len && lx->s[lx->pos] != c) {
				if (lx->s[lx->pos] == '\n')
					lx->line++;
				if (c == '"' && lx->s[lx->pos] == '\\')
					lx->pos++;
				lx->pos++;
			}
			lx->pos++;
		} else if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
	}
}

/* Skip a `...` body; pos is after the opening backquote. */
static void skip_backquote(struct lexer *lx)
{
	while (lx->pos < lx->len && lx->s[lx->pos] != '`') {
		if (lx->s[lx->pos] == '\n')
			lx->line++;
		if (lx->s[lx->pos] == '\\')
			lx->pos++;
		lx->pos++;
	}
	lx->pos++;
}

/* A '$' at pos: expand what we can into w. */
static void lex_dollar(struct lexer *lx, struct word *w, int quoted)
{
	const char *name;
	size_t len = 0;
	int c;

	lx->pos++;
	c = peek(lx, 0);
	if (c == '(') {
		lx->pos++;
		skip_parens(lx);
		word_unresolved(w, "a command substitution");
		return;
	}
	if (c == '{') {
		size_t start = lx->pos + 1;

		while (lx->pos < lx->len && lx->s[lx->pos] != '}')
			lx->pos++;
		name = lx->s + start;
		len = lx->pos - start;
		lx->pos++;
		for (size_t i = 0; i < len; i++)
			if (!is_name_char(name[i], i == 0)) {
				struct strbuf why = STRBUF_INIT;

				strbuf_addf(&why, "${%.*s}", (int)len, name);
				word_unresolved(w, why.buf);
				strbuf_release(&why);
				return;
			}
	} else if (c >= 0 && is_name_char((char)c, 1)) {
		name = lx->s + lx->pos;
		while (lx->pos < lx->len && is_name_char(lx->s[lx->pos], 0)) {
			lx->pos++;
			len++;
		}
	} else if (c >= 0 && strchr("0123456789@*#?$!-", c) != NULL) {
		char why[4] = { '$', (char)c, 0, 0 };

		lx->pos++;
		word_unresolved(w, why);
		return;
	} else {
		/* A lone '$' is just a dollar sign. */
		if (strbuf_addch(&w->text, '$'))
			lx->nomem = 1;
		return;
	}
	{
		const struct var *v = var_find(lx, name, len);
		struct strbuf why = STRBUF_INIT;

		if (v != NULL && v->value != NULL &&
		    (quoted || strpbrk(v->value, " \t\n*?[") == NULL)) {
			if (strbuf_addstr(&w->text, v->value))
				lx->nomem = 1;
			return;
		}
		if (v != NULL && v->value != NULL)
			strbuf_addf(&why, "$%.*s unquoted (its value would be "
				    "split into words)", (int)len, name);
		else
			strbuf_addf(&why, "$%.*s", (int)len, name);
		word_unresolved(w, why.buf);
		strbuf_release(&why);
	}
}

/* Read the rest of a word starting at pos (not blank, not an operator). */
static void lex_word(struct lexer *lx, struct word *w)
{
	w->in_name = 1;
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];

		if (is_blank(c) || is_op_char(c))
			break;
		if (w->in_name && c == '=' && w->text.len > 0) {
			w->name_len = w->text.len;
			w->in_name = 0;
		} else if (w->in_name && !is_name_char(c, w->text.len == 0)) {
			w->in_name = 0;
		}
		if (c == '\\') {
			lx->pos++;
			if (lx->pos < lx->len && lx->s[lx->pos] == '\n') {
				lx->line++;
				lx->pos++;
				continue;
			}
			if (lx->pos < lx->len && strbuf_addch(&w->text, lx->s[lx->pos]))
				lx->nomem = 1;
			lx->pos++;
			w->in_name = 0;
		} else if (c == '\'') {
			lx->pos++;
			while (lx->pos < lx->len && lx->s[lx->pos] != '\'') {
				if (lx->s[lx->pos] == '\n')
					lx->line++;
				if (strbuf_addch(&w->text, lx->s[lx->pos]))
					lx->nomem = 1;
				lx->pos++;
			}
			lx->pos++;
			w->in_name = 0;
		} else if (c == '"') {
			lx->pos++;
			while (lx->pos < lx->len && lx->s[lx->pos] != '"') {
				char d = lx->s[lx->pos];

				if (d == '\\' && lx->pos + 1 < lx->len &&
				    strchr("$`\"\\\n", lx->s[lx->pos + 1])) {
					lx->pos++;
					d = lx->s[lx->pos];
					lx->pos++;
					if (d == '\n') {
						lx->line++;
						continue;
					}
				} else if (d == '$') {
					lex_dollar(lx, w, 1);
					continue;
				} else if (d == '`') {
					lx->pos++;
					skip_backquote(lx);
					word_unresolved(w, "a command substitution");
					continue;
				} else {
					lx->pos++;
					if (d == '\n')
						lx->line++;
				}
				if (strbuf_addch(&w->text, d))
					lx->nomem = 1;
			}
			lx->pos++;
			w->in_name = 0;
		} else if (c == '$') {
			lex_dollar(lx, w, 0);
			w->in_name = 0;
		} else if (c == '`') {
			lx->pos++;
			skip_backquote(lx);
			word_unresolved(w, "a command substitution");
			w->in_name = 0;
		} else {
			if (strbuf_addch(&w->text, c))
				lx->nomem = 1;
			lx->pos++;
		}
	}
}

static void word_release(struct word *w)
{
	strbuf_release(&w->text);
	free(w->why);
}

/* After a newline: skip the bodies of here-documents opened on the line. */
static void skip_heredocs(struct lexer *lx)
{
	size_t i;

	for (i = 0; i < lx->nhd; i++) {
		const char *d = lx->hd[i].delim;
		size_t dl = strlen(d);

		while (lx->pos < lx->len) {
			const char *line = lx->s + lx->pos;
			const char *end = memchr(line, '\n', lx->len - lx->pos);
			size_t ll = end ? (size_t)(end - line) : lx->len - lx->pos;

			lx->pos += ll + (end ? 1 : 0);
			lx->line++;
			if (lx->hd[i].strip_tabs)
				while (ll > 0 && *line == '\t') {
					line++;
					ll--;
				}
			if (ll == dl && memcmp(line, d, dl) == 0)
				break;
		}
		free(lx->hd[i].delim);
	}
	lx->nhd = 0;
}

/*
 * Read one simple command into *words; returns the operator that ended
 * it.  Redirections and their targets are dropped.
 */
static enum op lex_command(struct lexer *lx, struct word **words, size_t *nw,
			   size_t *aw)
{
	for (;;) {
		struct word w = { STRBUF_INIT, NULL, 0, 0, 0 };
		int c;

		while (lx->pos < lx->len) {
			if (is_blank(lx->s[lx->pos])) {
				lx->pos++;
			} else if (lx->s[lx->pos] == '\\' && peek(lx, 1) == '\n') {
				lx->pos += 2;
				lx->line++;
			} else {
				break;
			}
		}
		c = peek(lx, 0);
		if (c < 0)
			return OP_NONE;
		if (c == '#') {
			while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		if (c == '\n') {
			lx->pos++;
			lx->line++;
			skip_heredocs(lx);
			return OP_NEWLINE;
		}
		if (c == '&' || c == '|') {
			lx->pos++;
			if (peek(lx, 0) == c) {
				lx->pos++;
				return c == '&' ? OP_AND : OP_OR;
			}
			return OP_SEMI;
		}
		if (c == ';' || c == '(' || c == ')') {
			lx->pos++;
			if (c == ';' && peek(lx, 0) == ';')
				lx->pos++;
			return OP_SEMI;
		}
		if (c == '<' || c == '>') {
			int heredoc = 0, strip = 0;

			/* An fd number just before the operator goes too. */
			if (*nw > 0 && lx->pos > 0 &&
			    lx->s[lx->pos - 1] >= '0' && lx->s[lx->pos - 1] <= '9') {
				struct word *last = &(*words)[*nw - 1];

				if (strspn(last->text.buf, "0123456789") ==
				    last->text.len) {
					word_release(last);
					(*nw)--;
				}
			}
			lx->pos++;
			if (c == '<' && peek(lx, 0) == '<') {
				heredoc = 1;
				lx->pos++;
				if (peek(lx, 0) == '-') {
					strip = 1;
					lx->pos++;
				}
			} else if (peek(lx, 0) == '>' || peek(lx, 0) == '&' ||
				   peek(lx, 0) == '|') {
				lx->pos++;
			}
			while (lx->pos < lx->len && is_blank(lx->s[lx->pos]))
				lx->pos++;
			if (lx->pos < lx->len && !is_op_char(lx->s[lx->pos]))
				lex_word(lx, &w);
			if (heredoc && w.text.len > 0 &&
			    !gapimg_grow((void **)&lx->hd, &lx->ahd, lx->nhd,
				  sizeof(*lx->hd))) {
				lx->hd[lx->nhd].delim = strbuf_detach(&w.text);
				lx->hd[lx->nhd].strip_tabs = strip;
				if (lx->hd[lx->nhd].delim != NULL)
					lx->nhd++;
			}
			word_release(&w);
			continue;
		}
		w.line = lx->line;
		lex_word(lx, &w);
		if (gapimg_grow((void **)words, aw, *nw, sizeof(**words))) {
			lx->nomem = 1;
			word_release(&w);
			return OP_NONE;
		}
		(*words)[(*nw)++] = w;
	}
}

/* ---- recognising calls ---- */

static int is_reserved(const char *s)
{
	static const char *const r[] = {
		"if", "then", "else", "elif", "fi", "do", "done", "while",
		"until", "!", "{", "}", "esac", "time",
	};
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (strcmp(s, r[i]) == 0)
			return 1;
	return 0;
}

static void alt_release(struct debalt *d)
{
	size_t i;

	free(d->package);
	free(d->link);
	free(d->name);
	free(d->path);
	for (i = 0; i < d->nslaves; i++) {
		free(d->slaves[i].link);
		free(d->slaves[i].name);
		free(d->slaves[i].path);
	}
	free(d->slaves);
}

void debalt_free(struct debalt *alts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		alt_release(&alts[i]);
	free(alts);
}

/* dpkg's checks on names and paths (update-alternatives.c). */
static int check_name(const char *package, size_t line, const char *name,
		      struct gapimg_error *err)
{
	if (name[0] != '\0' && strpbrk(name, "/ \t\n") == NULL)
		return 0;
	return gapimg_error_set(err, GAPIMG_E_INVALID, "package %s: postinst "
				"line %zu: alternative name \"%s\" must not be "
				"empty or contain '/' or spaces", package, line,
				name);
}

static int check_abs(const char *package, size_t line, const char *what,
		     const char *path, struct gapimg_error *err)
{
	if (path[0] == '/' && strchr(path, '\n') == NULL)
		return 0;
	return gapimg_error_set(err, GAPIMG_E_INVALID, "package %s: postinst "
				"line %zu: alternative %s \"%s\" is not an "
				"absolute path", package, line, what, path);
}

static int parse_prio(const char *s, int *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/*
 * words[0] is update-alternatives.  Returns 1 and fills *d for an
 * --install call, 0 for anything else, -1 on error.
 */
static int parse_call(const char *package, struct word *words, size_t nw,
		      size_t line, struct debalt *d, struct gapimg_error *err)
{
	static const char *const with_arg[] = {
		"--altdir", "--admindir", "--instdir", "--root", "--log",
	};
	size_t i, k;
	int install = 0;

	for (i = 1; i < nw; i++) {
		const char *a = words[i].text.buf;

		if (words[i].why != NULL)
			break;
		if (strcmp(a, "--install") == 0) {
			install = 1;
			break;
		}
		for (k = 0; k < sizeof(with_arg) / sizeof(with_arg[0]); k++)
			if (strcmp(a, with_arg[k]) == 0)
				break;
		if (k < sizeof(with_arg) / sizeof(with_arg[0])) {
			i++;
			continue;
		}
		if (strncmp(a, "--", 2) == 0 && strcmp(a, "--quiet") != 0 &&
		    strcmp(a, "--verbose") != 0 && strcmp(a, "--debug") != 0 &&
		    strcmp(a, "--force") != 0 && strcmp(a, "--skip-auto") != 0)
			return 0;  /* another action: --remove, --set, ... */
	}
	/* Anything unresolved in an install call (or before we know the
	 * action) would make us guess what the script registers. */
	for (k = 1; k < nw && (install || k <= i); k++)
		if (words[k].why != NULL)
			return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
						"package %s: postinst line %zu: "
						"update-alternatives uses %s, which "
						"gapimg cannot resolve (only variables "
						"set to a literal value earlier in the "
						"script are); declare the alternative "
						"in the recipe instead", package,
						words[k].line, words[k].why);
	if (!install)
		return 0;
	if (nw < i + 5)
		goto usage;
	d->link = strdup(words[i + 1].text.buf);
	d->name = strdup(words[i + 2].text.buf);
	d->path = strdup(words[i + 3].text.buf);
	d->line = line;
	if (d->link == NULL || d->name == NULL || d->path == NULL)
		return gapimg_error_nomem(err);
	if (parse_prio(words[i + 4].text.buf, &d->priority))
		return gapimg_error_set(err, GAPIMG_E_INVALID, "package %s: "
					"postinst line %zu: update-alternatives "
					"--install priority \"%s\" is not an "
					"integer", package, line,
					words[i + 4].text.buf);
	if (check_abs(package, line, "link", d->link, err) ||
	    check_name(package, line, d->name, err) ||
	    check_abs(package, line, "path", d->path, err))
		return -1;
	for (i += 5; i < nw; i += 4) {
		struct debalt_slave *s;
		size_t a = 0;

		if (strcmp(words[i].text.buf, "--slave") != 0 || i + 3 >= nw) {
			if (strncmp(words[i].text.buf, "--", 2) == 0 &&
			    strcmp(words[i].text.buf, "--slave") != 0) {
				/* Options may follow the action too. */
				i -= 3;
				continue;
			}
			goto usage;
		}
		a = d->nslaves;
		s = realloc(d->slaves, (a + 1) * sizeof(*s));
		if (s == NULL)
			return gapimg_error_nomem(err);
		d->slaves = s;
		s[a].link = strdup(words[i + 1].text.buf);
		s[a].name = strdup(words[i + 2].text.buf);
		s[a].path = strdup(words[i + 3].text.buf);
		d->nslaves++;
		if (s[a].link == NULL || s[a].name == NULL || s[a].path == NULL)
			return gapimg_error_nomem(err);
		if (check_abs(package, line, "link", s[a].link, err) ||
		    check_name(package, line, s[a].name, err) ||
		    check_abs(package, line, "path", s[a].path, err))
			return -1;
		if (strcmp(s[a].name, d->name) == 0 ||
		    strcmp(s[a].link, d->link) == 0)
			return gapimg_error_set(err, GAPIMG_E_INVALID, "package %s: "
						"postinst line %zu: slave %s (%s) "
						"repeats the master's name or link",
						package, line, s[a].name, s[a].link);
		for (k = 0; k < a; k++)
			if (strcmp(s[k].name, s[a].name) == 0 ||
			    strcmp(s[k].link, s[a].link) == 0)
				return gapimg_error_set(err, GAPIMG_E_INVALID,
							"package %s: postinst line "
							"%zu: slave %s (%s) is given "
							"twice", package, line,
							s[a].name, s[a].link);
	}
	return 1;
usage:
	return gapimg_error_set(err, GAPIMG_E_INVALID, "package %s: postinst "
				"line %zu: update-alternatives --install needs "
				"LINK NAME PATH PRIORITY, then --slave LINK NAME "
				"PATH for each slave", package, line);
}

/* A command of only NAME=value words (or export/local/readonly ones). */
static int record_assignments(struct lexer *lx, struct word *w, size_t nw)
{
	size_t i = 0, k;

	if (nw > 0 && w[0].name_len == 0 &&
	    (strcmp(w[0].text.buf, "export") == 0 ||
	     strcmp(w[0].text.buf, "local") == 0 ||
	     strcmp(w[0].text.buf, "readonly") == 0))
		i = 1;
	for (k = i; k < nw; k++)
		if (w[k].name_len == 0 && !(i == 1 && w[k].text.buf[0] == '-'))
			return 0;
	for (k = i; k < nw; k++) {
		if (w[k].name_len == 0)
			continue;
		if (var_set(lx, w[k].text.buf, w[k].name_len,
			    w[k].why ? NULL : w[k].text.buf + w[k].name_len + 1))
			return -1;
	}
	return 0;
}

int debalt_parse_postinst(const char *package, const char *text, size_t len,
			  struct debalt **out, size_t *n,
			  struct gapimg_error *err)
{
	struct lexer lx = { .s = text, .len = len, .line = 1 };
	struct word *words = NULL;
	struct debalt *res = NULL;
	size_t nw = 0, aw = 0, nres = 0, ares = 0, i;
	int ret = -1;

	*out = NULL;
	*n = 0;
	for (;;) {
		enum op op = lex_command(&lx, &words, &nw, &aw);
		size_t first = 0;

		if (lx.nomem) {
			gapimg_error_nomem(err);
			goto out;
		}
		/* A reserved word starts the command that follows it. */
		while (first < nw && words[first].why == NULL &&
		       words[first].name_len == 0 &&
		       is_reserved(words[first].text.buf))
			first++;
		if (first < nw && record_assignments(&lx, words + first, nw - first)) {
			gapimg_error_nomem(err);
			goto out;
		}
		while (first < nw && words[first].name_len > 0)
			first++;
		if (first < nw && words[first].why == NULL) {
			const char *cmd = words[first].text.buf;
			const char *base = strrchr(cmd, '/');

			base = base ? base + 1 : cmd;
			if (strcmp(base, "update-alternatives") == 0) {
				struct debalt d = { 0 };
				int r;

				r = parse_call(package, words + first, nw - first,
					       words[first].line, &d, err);
				if (r > 0) {
					d.optional = op == OP_OR;
					d.package = strdup(package);
					if (d.package == NULL ||
					    gapimg_grow((void **)&res, &ares, nres,
						 sizeof(*res))) {
						alt_release(&d);
						gapimg_error_nomem(err);
						goto out;
					}
					res[nres++] = d;
				} else {
					alt_release(&d);
					if (r < 0)
						goto out;
				}
			}
		}
		for (i = 0; i < nw; i++)
			word_release(&words[i]);
		nw = 0;
		if (op == OP_NONE)
			break;
	}
	*out = res;
	*n = nres;
	res = NULL;
	nres = 0;
	ret = 0;
out:
	for (i = 0; i < nw; i++)
		word_release(&words[i]);
	free(words);
	for (i = 0; i < lx.nvars; i++) {
		free(lx.vars[i].name);
		free(lx.vars[i].value);
	}
	free(lx.vars);
	for (i = 0; i < lx.nhd; i++)
		free(lx.hd[i].delim);
	free(lx.hd);
	debalt_free(res, nres);
	return ret;
}

/* ---- applying ---- */

/*
 * Resolve path in the tree as the kernel would, following symlinks in
 * every component and in the last one too when follow_last.  out gets
 * the resolved path; where a component is missing, the rest is appended
 * as given.  Returns 1 if the whole path exists, 0 if not, -1 on a
 * symlink loop.
 */
static int resolve(const struct gapimg_fstree *tree, const char *path,
		   int follow_last, struct strbuf *out)
{
	struct strbuf rest = STRBUF_INIT, tmp = STRBUF_INIT;
	int hops = 0, ret = 1;

	strbuf_reset(out);
	if (strbuf_addstr(&rest, path))
		return -1;
	while (rest.len > 0) {
		const char *p = rest.buf, *slash;
		struct gapimg_dentry *d;
		size_t cl;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		slash = strchr(p, '/');
		cl = slash ? (size_t)(slash - p) : strlen(p);
		if (cl == 1 && p[0] == '.') {
			goto next;
		}
		if (cl == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(out->buf, '/');

			strbuf_setlen(out, s ? (size_t)(s - out->buf) : 0);
			goto next;
		}
		{
			size_t save = out->len;

			if (strbuf_addch(out, '/') || strbuf_add(out, p, cl)) {
				ret = -1;
				goto done;
			}
			d = ret == 1 ? gapimg_fstree_lookup(tree, out->buf) : NULL;
			if (d == NULL) {
				/* Missing: keep the rest as it is. */
				ret = 0;
				goto next;
			}
			if (d->inode->type == GAPIMG_FT_SYMLINK &&
			    (slash != NULL || follow_last)) {
				const char *t = d->inode->u.symlink.target;

				if (++hops > 40) {
					ret = -1;
					goto done;
				}
				strbuf_setlen(out, t[0] == '/' ? 0 : save);
				strbuf_reset(&tmp);
				if (strbuf_addstr(&tmp, t) ||
				    (slash && strbuf_addstr(&tmp, slash))) {
					ret = -1;
					goto done;
				}
				strbuf_reset(&rest);
				if (strbuf_add(&rest, tmp.buf, tmp.len)) {
					ret = -1;
					goto done;
				}
				continue;
			}
			if (d->inode->type != GAPIMG_FT_DIR && slash != NULL)
				ret = 0;
		}
next:
		p += cl;
		strbuf_reset(&tmp);
		if (strbuf_addstr(&tmp, p)) {
			ret = -1;
			goto done;
		}
		strbuf_reset(&rest);
		if (strbuf_add(&rest, tmp.buf, tmp.len)) {
			ret = -1;
			goto done;
		}
	}
	if (out->len == 0 && strbuf_addch(out, '/'))
		ret = -1;
done:
	strbuf_release(&rest);
	strbuf_release(&tmp);
	return ret;
}

static int exists(const struct gapimg_fstree *tree, const char *path)
{
	struct strbuf r = STRBUF_INIT;
	int e = resolve(tree, path, 1, &r);

	strbuf_release(&r);
	return e == 1;
}

/* Make path a symlink to target, as update-alternatives does. */
static int put_link(struct gapimg_fstree *tree, const char *path,
		    const char *target, int64_t mtime, const char *package,
		    struct gapimg_error *err)
{
	struct gapimg_node_spec spec = {
		.type = GAPIMG_FT_SYMLINK, .mode = 0777, .mtime = mtime,
		.target = target,
	};
	struct strbuf where = STRBUF_INIT, origin = STRBUF_INIT;
	struct gapimg_dentry *d;
	unsigned flags = GAPIMG_ADD_PARENTS;
	int ret = -1;

	if (resolve(tree, path, 0, &where) < 0) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "package %s: cannot "
				 "place alternative link %s: too many levels of "
				 "symbolic links", package, path);
		goto out;
	}
	d = gapimg_fstree_lookup(tree, where.buf);
	if (d != NULL && d->inode->type != GAPIMG_FT_SYMLINK) {
		/* update-alternatives warns "not replacing ... with a link"
		 * and goes on; an image should not quietly lack the link. */
		gapimg_error_set(err, GAPIMG_E_EXISTS, "package %s: "
				 "update-alternatives would not replace %s "
				 "(a %s, from %s) with a link to %s", package,
				 path, gapimg_ftype_name(d->inode->type),
				 d->origin, target);
		goto out;
	}
	if (d != NULL)
		flags |= GAPIMG_ADD_REPLACE;
	if (strbuf_addf(&origin, "update-alternatives (package %s)", package)) {
		gapimg_error_nomem(err);
		goto out;
	}
	if (gapimg_fstree_add(tree, where.buf, &spec, origin.buf, flags, err))
		ret = 0;
out:
	strbuf_release(&where);
	strbuf_release(&origin);
	return ret;
}

static int cmp_alt_ptr_name(const void *x, const void *y)
{
	const struct debalt *a = *(const struct debalt *const *)x;
	const struct debalt *b = *(const struct debalt *const *)y;
	int c = strcmp(a->name, b->name);

	if (c == 0)
		c = strcmp(a->path, b->path);
	return c ? c : (a < b ? -1 : a > b);
}

static const struct debalt_slave *slave_of(const struct debalt *a,
					   const char *name)
{
	size_t i;

	for (i = 0; i < a->nslaves; i++)
		if (strcmp(a->slaves[i].name, name) == 0)
			return &a->slaves[i];
	return NULL;
}

static int same_choice(const struct debalt *a, const struct debalt *b)
{
	size_t i;

	if (a->priority != b->priority || a->nslaves != b->nslaves)
		return 0;
	for (i = 0; i < a->nslaves; i++) {
		const struct debalt_slave *s = slave_of(b, a->slaves[i].name);

		if (s == NULL || strcmp(s->link, a->slaves[i].link) != 0 ||
		    strcmp(s->path, a->slaves[i].path) != 0)
			return 0;
	}
	return 1;
}

static int cmp_slave_ptr(const void *x, const void *y)
{
	return strcmp((*(const struct debalt_slave *const *)x)->name,
		      (*(const struct debalt_slave *const *)y)->name);
}

/* One alternative name: choices are v[0..n), sorted by path. */
static int apply_one(struct gapimg_fstree *tree, const struct debalt **v,
		     size_t n, int64_t mtime, struct gapimg_error *err)
{
	const struct debalt_slave **sl = NULL;
	const struct debalt *best = NULL;
	struct strbuf admin = STRBUF_INIT, p = STRBUF_INIT, t = STRBUF_INIT;
	size_t nsl = 0, i, k, j;
	int ret = -1;

	/* Drop the choices update-alternatives would refuse or skip. */
	for (i = 0, k = 0; i < n; i++) {
		if (k > 0 && strcmp(v[k - 1]->path, v[i]->path) == 0) {
			if (!same_choice(v[k - 1], v[i])) {
				gapimg_error_set(err, GAPIMG_E_INVALID, "alternative "
						 "%s: %s is registered twice with "
						 "different priorities or slaves, by "
						 "%s (postinst line %zu) and %s "
						 "(postinst line %zu)", v[i]->name,
						 v[i]->path, v[k - 1]->package,
						 v[k - 1]->line, v[i]->package,
						 v[i]->line);
				goto out;
			}
			continue;
		}
		if (!exists(tree, v[i]->path)) {
			if (v[i]->optional)
				continue;
			gapimg_error_set(err, GAPIMG_E_NOTFOUND, "package %s: "
					 "postinst line %zu: alternative path %s "
					 "(for %s) does not exist in the image, so "
					 "update-alternatives --install would fail",
					 v[i]->package, v[i]->line, v[i]->path,
					 v[i]->name);
			goto out;
		}
		v[k++] = v[i];
	}
	n = k;
	if (n == 0)
		return 0;

	/* One link per name and per slave name across all choices: dpkg
	 * would move the link to whichever package came last. */
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->link, v[0]->link) != 0) {
			gapimg_error_set(err, GAPIMG_E_INVALID, "alternative %s: "
					 "package %s gives it the link %s, but "
					 "package %s gives %s", v[0]->name,
					 v[0]->package, v[0]->link,
					 v[i]->package, v[i]->link);
			goto out;
		}
		for (j = 0; j < v[i]->nslaves; j++) {
			const struct debalt_slave *s = &v[i]->slaves[j];

			for (k = 0; k < nsl; k++)
				if (strcmp(sl[k]->name, s->name) == 0)
					break;
			if (k < nsl) {
				if (strcmp(sl[k]->link, s->link) == 0)
					continue;
				gapimg_error_set(err, GAPIMG_E_INVALID, "alternative "
						 "%s: slave %s has the link %s in "
						 "one package and %s in package %s",
						 v[0]->name, s->name, sl[k]->link,
						 s->link, v[i]->package);
				goto out;
			}
			{
				const struct debalt_slave **ns =
					realloc(sl, (nsl + 1) * sizeof(*sl));

				if (ns == NULL) {
					gapimg_error_nomem(err);
					goto out;
				}
				sl = ns;
			}
			sl[nsl++] = s;
		}
	}
	if (nsl > 0)
		qsort(sl, nsl, sizeof(*sl), cmp_slave_ptr);
	for (k = 0; k < nsl; k++)
		if (strcmp(sl[k]->link, v[0]->link) == 0 ||
		    (k > 0 && strcmp(sl[k]->link, sl[k - 1]->link) == 0)) {
			gapimg_error_set(err, GAPIMG_E_INVALID, "alternative %s: "
					 "link %s is used twice", v[0]->name,
					 sl[k]->link);
			goto out;
		}

	/*
	 * alternative_get_best(): starting from the current choice, a
	 * strictly higher priority wins.  There is no current choice when
	 * all are installed at once, so between equal priorities the first
	 * in the admin file's order (paths in byte order) wins.  dpkg keeps
	 * whichever package was configured first instead.
	 */
	best = v[0];
	for (i = 1; i < n; i++)
		if (v[i]->priority > best->priority)
			best = v[i];

	if (strbuf_addf(&t, "/etc/alternatives/%s", v[0]->name) ||
	    strbuf_addf(&admin, "auto\n%s\n", v[0]->link)) {
		gapimg_error_nomem(err);
		goto out;
	}
	if (put_link(tree, t.buf, best->path, mtime, best->package, err) ||
	    put_link(tree, v[0]->link, t.buf, mtime, best->package, err))
		goto out;
	for (k = 0; k < nsl; k++) {
		const struct debalt_slave *s = slave_of(best, sl[k]->name);

		if (strbuf_addf(&admin, "%s\n%s\n", sl[k]->name, sl[k]->link)) {
			gapimg_error_nomem(err);
			goto out;
		}
		/* Missing slave files are skipped with a warning. */
		if (s == NULL || !exists(tree, s->path))
			continue;
		strbuf_reset(&t);
		if (strbuf_addf(&t, "/etc/alternatives/%s", s->name)) {
			gapimg_error_nomem(err);
			goto out;
		}
		if (put_link(tree, t.buf, s->path, mtime, best->package, err) ||
		    put_link(tree, s->link, t.buf, mtime, best->package, err))
			goto out;
	}
	if (strbuf_addch(&admin, '\n')) {
		gapimg_error_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strbuf_addf(&admin, "%s\n%d\n", v[i]->path, v[i]->priority)) {
			gapimg_error_nomem(err);
			goto out;
		}
		for (k = 0; k < nsl; k++) {
			const struct debalt_slave *s = slave_of(v[i], sl[k]->name);

			if (strbuf_addf(&admin, "%s\n", s ? s->path : "")) {
				gapimg_error_nomem(err);
				goto out;
			}
		}
	}
	if (strbuf_addch(&admin, '\n') ||
	    strbuf_addf(&p, "/var/lib/dpkg/alternatives/%s", v[0]->name)) {
		gapimg_error_nomem(err);
		goto out;
	}
	{
		struct gapimg_node_spec spec = {
			.type = GAPIMG_FT_REG, .mode = 0644, .mtime = mtime,
			.size = admin.len,
		};
		struct gapimg_dentry *d;

		strbuf_reset(&t);
		if (strbuf_addf(&t, "update-alternatives admin file for %s",
				v[0]->name)) {
			gapimg_error_nomem(err);
			goto out;
		}
		spec.src = gapimg_source_memory(admin.buf, admin.len, t.buf, err);
		if (spec.src == NULL)
			goto out;
		d = gapimg_fstree_add(tree, p.buf, &spec, t.buf,
				      GAPIMG_ADD_PARENTS | GAPIMG_ADD_REPLACE,
				      err);
		if (d == NULL)
			goto out;
	}
	ret = 0;
out:
	free(sl);
	strbuf_release(&admin);
	strbuf_release(&p);
	strbuf_release(&t);
	return ret;
}

int debalt_apply(struct gapimg_fstree *tree, const struct debalt *alts,
		 size_t n, int64_t mtime, struct gapimg_error *err)
{
	const struct debalt **v;
	size_t i, j;
	int ret = 0;

	if (n == 0)
		return 0;
	v = malloc(n * sizeof(*v));
	if (v == NULL)
		return gapimg_error_nomem(err);
	for (i = 0; i < n; i++)
		v[i] = &alts[i];
	/* By name, then path: the order never depends on the caller's. */
	qsort(v, n, sizeof(*v), cmp_alt_ptr_name);
	for (i = 0; i < n && ret == 0; i = j) {
		for (j = i + 1; j < n && strcmp(v[j]->name, v[i]->name) == 0; j++)
			;
		ret = apply_one(tree, v + i, j - i, mtime, err);
	}
	free(v);
	return ret;
}
