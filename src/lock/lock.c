/*
 * The lock file: line-oriented text, one mirror or package per line,
 * sorted, so that a change of one package is a change of one line.
 *
 *   # comment
 *   lock 1
 *   recipe <sha256 of the plan>
 *   family rpm|deb
 *   arch x86_64
 *   mirror ID TYPE metadata=<sha256> [revision=..] [date=..] [valid-until=..] [signed-by=..]
 *   package NAME EVR ARCH MIRROR order=N size=N sha256=<hex> location=PATH
 *   wheel NAME VERSION MIRROR order=N size=N sha256=<hex> location=PATH
 *
 * Words are bare when they hold only safe characters, else written in
 * double quotes with \" \\ and \xHH escapes.  The reader is strict:
 * unknown lines, keys or repeated keys are errors with file:line.
 */
#include "gapimg/lock.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapimg/plan.h"
#include "gapimg/sha256.h"

static int safe_char(unsigned char c)
{
	return isalnum(c) || strchr("._+~:/@%,^-()[]", c) != NULL;
}

static void put_word(struct strbuf *out, const char *w)
{
	int bare = w[0] != '\0';

	for (const unsigned char *p = (const unsigned char *)w; *p && bare; p++)
		bare = safe_char(*p) && *p < 0x80;
	if (bare) {
		strbuf_addstr(out, w);
		return;
	}
	strbuf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(out, "\\x%02x", *p);
		else
			strbuf_addch(out, (char)*p);
	}
	strbuf_addch(out, '"');
}

static void put_kv(struct strbuf *out, const char *key, const char *value)
{
	if (value == NULL)
		return;
	strbuf_addf(out, " %s=", key);
	put_word(out, value);
}

static const char *family_name(enum gapimg_family f)
{
	return f == GAPIMG_FAMILY_DEB ? "deb" : "rpm";
}

int gapimg_lock_format(const struct gapimg_resolution *res, struct strbuf *out,
		       struct gapimg_error *err)
{
	strbuf_addstr(out,
		"# gapimg lock file: the exact packages this recipe resolved to.\n"
		"# Written by \"gapimg lock\"; review changes to it like code.\n"
		"# The format is described in docs/lock.md.\n");
	strbuf_addf(out, "lock %d\n", GAPIMG_LOCK_FORMAT);
	strbuf_addf(out, "recipe %s\n", res->recipe_digest);
	strbuf_addf(out, "family %s\n", family_name(res->family));
	strbuf_addstr(out, "arch ");
	put_word(out, res->arch);
	strbuf_addstr(out, "\n\n");
	for (size_t i = 0; i < res->nmirrors; i++) {
		const struct gapimg_mirror_info *m = &res->mirrors[i];

		strbuf_addstr(out, "mirror ");
		put_word(out, m->id);
		strbuf_addf(out, " %s", gapimg_mirror_type_name(m->type));
		put_kv(out, "metadata", m->metadata_sha256);
		put_kv(out, "revision", m->revision);
		put_kv(out, "date", m->date);
		put_kv(out, "valid-until", m->valid_until);
		put_kv(out, "signed-by", m->signed_by);
		strbuf_addch(out, '\n');
	}
	strbuf_addch(out, '\n');
	/* OS packages, then (after an empty line) the wheels installed on
	 * top of them */
	for (size_t k = 0, wheels = 0; k < 2 * res->npackages; k++) {
		const struct gapimg_package *p = &res->packages[k % res->npackages];
		char num[32];

		if (p->wheel != (k >= res->npackages))
			continue;
		if (p->wheel && wheels++ == 0)
			strbuf_addch(out, '\n');
		strbuf_addstr(out, p->wheel ? "wheel " : "package ");
		put_word(out, p->name);
		strbuf_addch(out, ' ');
		put_word(out, p->evr);
		if (!p->wheel) {
			strbuf_addch(out, ' ');
			put_word(out, p->arch);
		}
		strbuf_addch(out, ' ');
		put_word(out, p->mirror);
		snprintf(num, sizeof(num), "%u", p->order);
		put_kv(out, "order", num);
		snprintf(num, sizeof(num), "%" PRIu64, p->size);
		put_kv(out, "size", num);
		put_kv(out, "sha256", p->sha256);
		put_kv(out, "location", p->location);
		strbuf_addch(out, '\n');
	}
	if (out->alloc == 0)
		return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
	return 0;
}

/* ---- reading ---- */

struct lexer {
	const char *file;
	unsigned line;
	struct gapimg_error *err;
};

static int lex_error(struct lexer *lx, const char *fmt, ...) GAPIMG_PRINTF(2, 3);

static int lex_error(struct lexer *lx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gapimg_error_set(lx->err, GAPIMG_E_INVALID, "%s:%u: %s", lx->file, lx->line, msg);
}

/* Split a line into words; quoted words unescaped.  Returns the count or
 * -1.  words[i] point into a malloc'd copy in *store. */
static int split(struct lexer *lx, const char *s, size_t n, char **words, int max, char **store)
{
	char *buf = malloc(n + 1), *o = buf;
	const char *p = s, *end = s + n;
	int count = 0;

	*store = buf;
	if (buf == NULL)
		return gapimg_error_set(lx->err, GAPIMG_E_NOMEM, "out of memory");
	while (p < end) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (count == max)
			return lex_error(lx, "too many words%s", "");
		words[count++] = o;
		/* key="value": the quote may start after '=' */
		while (p < end && *p != ' ') {
			if (*p == '"') {
				p++;
				while (p < end && *p != '"') {
					if (*p == '\\') {
						if (p + 1 >= end)
							return lex_error(lx, "a \\ ends the line%s", "");
						if (p[1] == 'x') {
							int hi = p + 3 < end ? gapimg_hexval(p[2]) : -1;
							int lo = p + 3 < end ? gapimg_hexval(p[3]) : -1;

							/* control characters only: the writer
							 * escapes nothing else this way, and a NUL
							 * would cut the value short */
							if (hi < 0 || lo < 0 || (hi == 0 && lo == 0) ||
							    (hi > 1 && !(hi == 7 && lo == 15)))
								return lex_error(lx, "a bad \\x escape (two "
										 "hex digits of a control "
										 "character other than NUL)%s", "");
							*o++ = (char)(hi << 4 | lo);
							p += 4;
							continue;
						}
						if (p[1] != '"' && p[1] != '\\')
							return lex_error(lx, "an unknown escape \\%c", p[1]);
						p++;
					} else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
						return lex_error(lx, "a control character in a quoted "
								 "word (write it as \\xHH)%s", "");
					}
					*o++ = *p++;
				}
				if (p >= end)
					return lex_error(lx, "a quoted word is not closed%s", "");
				p++;
				continue;
			}
			if ((unsigned char)*p < 0x20)
				return lex_error(lx, "a control character%s", "");
			*o++ = *p++;
		}
		*o++ = '\0';
	}
	return count;
}

static int is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* key=value words after the fixed ones; every key at most once. */
static const char *kv(char **words, int n, int from, const char *key, unsigned *seen_mask,
		      int bit)
{
	size_t kl = strlen(key);

	for (int i = from; i < n; i++)
		if (strncmp(words[i], key, kl) == 0 && words[i][kl] == '=') {
			*seen_mask |= 1u << bit;
			return words[i] + kl + 1;
		}
	return NULL;
}

static int check_keys(struct lexer *lx, char **words, int n, int from, const char *const *keys)
{
	for (int i = from; i < n; i++) {
		const char *eq = strchr(words[i], '=');
		int known = 0;

		if (eq == NULL)
			return lex_error(lx, "\"%s\" is not KEY=VALUE", words[i]);
		for (int k = 0; keys[k]; k++)
			if ((size_t)(eq - words[i]) == strlen(keys[k]) &&
			    strncmp(words[i], keys[k], strlen(keys[k])) == 0)
				known = 1;
		if (!known)
			return lex_error(lx, "unknown key in \"%s\"", words[i]);
		for (int j = from; j < i; j++)
			if (strncmp(words[j], words[i], (size_t)(eq - words[i]) + 1) == 0)
				return lex_error(lx, "the key in \"%s\" is given twice", words[i]);
	}
	return 0;
}

static int parse_mirror(struct lexer *lx, char **w, int n, struct gapimg_resolution *res)
{
	static const char *const keys[] = { "metadata", "revision", "date", "valid-until",
					    "signed-by", NULL };
	struct gapimg_mirror_info *m, *v;
	unsigned seen = 0;
	const char *md;
	int type = -1;

	if (n < 3)
		return lex_error(lx, "a mirror line is \"mirror ID TYPE metadata=SHA256 ...\"%s", "");
	for (int t = GAPIMG_MIRROR_RPM_MD; t <= GAPIMG_MIRROR_WHEELS; t++)
		if (strcmp(w[2], gapimg_mirror_type_name((enum gapimg_mirror_type)t)) == 0)
			type = t;
	if (type < 0)
		return lex_error(lx, "unknown mirror type \"%s\"", w[2]);
	if (check_keys(lx, w, n, 3, keys) < 0)
		return -1;
	for (size_t i = 0; i < res->nmirrors; i++)
		if (strcmp(res->mirrors[i].id, w[1]) == 0)
			return lex_error(lx, "mirror %s is listed twice", w[1]);
	md = kv(w, n, 3, "metadata", &seen, 0);
	if (md == NULL || !is_hex64(md))
		return lex_error(lx, "mirror %s needs metadata=<64 lowercase hex digits>", w[1]);
	v = realloc(res->mirrors, (res->nmirrors + 1) * sizeof(*v));
	if (v == NULL)
		return gapimg_error_set(lx->err, GAPIMG_E_NOMEM, "out of memory");
	res->mirrors = v;
	m = &v[res->nmirrors++];
	memset(m, 0, sizeof(*m));
	m->id = strdup(w[1]);
	m->type = (enum gapimg_mirror_type)type;
	memcpy(m->metadata_sha256, md, 65);
#define OPT(field, key) do { const char *x = kv(w, n, 3, key, &seen, 1); \
		if (x) m->field = strdup(x); } while (0)
	OPT(revision, "revision");
	OPT(date, "date");
	OPT(valid_until, "valid-until");
	OPT(signed_by, "signed-by");
#undef OPT
	return 0;
}

static int parse_package(struct lexer *lx, char **w, int n, struct gapimg_resolution *res,
			 int wheel)
{
	static const char *const keys[] = { "order", "size", "sha256", "location", NULL };
	struct gapimg_package *p, *v;
	const char *order, *size, *sha, *loc;
	unsigned seen = 0;
	uint64_t o, sz;
	int known = 0;

	if (n < 9)
		return lex_error(lx, "a package line is \"package NAME EVR ARCH MIRROR "
				 "order=N size=N sha256=HEX location=PATH\"%s", "");
	if (check_keys(lx, w, n, 5, keys) < 0)
		return -1;
	order = kv(w, n, 5, "order", &seen, 0);
	size = kv(w, n, 5, "size", &seen, 1);
	sha = kv(w, n, 5, "sha256", &seen, 2);
	loc = kv(w, n, 5, "location", &seen, 3);
	if (!order || parse_u64(order, &o) < 0 || o == 0 || o > UINT32_MAX)
		return lex_error(lx, "package %s needs order=N (1 or more)", w[1]);
	if (!size || parse_u64(size, &sz) < 0)
		return lex_error(lx, "package %s needs size=N", w[1]);
	if (!sha || !is_hex64(sha))
		return lex_error(lx, "package %s needs sha256=<64 lowercase hex digits>", w[1]);
	if (!loc || !loc[0] || loc[0] == '/' || strstr(loc, ".."))
		return lex_error(lx, "package %s needs location=PATH inside its mirror", w[1]);
	for (size_t i = 0; i < res->nmirrors; i++)
		if (strcmp(res->mirrors[i].id, w[4]) == 0) {
			known = 1;
			if ((res->mirrors[i].type == GAPIMG_MIRROR_WHEELS) != wheel)
				return lex_error(lx, "%s %s comes from mirror %s, which is %sa "
						 "wheels mirror", wheel ? "wheel" : "package", w[1],
						 w[4], wheel ? "not " : "");
		}
	for (size_t i = 0; i < res->npackages; i++)
		if (strcmp(res->packages[i].name, w[1]) == 0 && strcmp(res->packages[i].evr, w[2]) == 0 &&
		    strcmp(res->packages[i].arch, w[3]) == 0 && strcmp(res->packages[i].mirror, w[4]) == 0)
			return lex_error(lx, "package %s is listed twice", w[1]);
	if (!known)
		return gapimg_error_set(lx->err, GAPIMG_E_INVALID, "%s:%u: package %s comes "
					"from mirror %s, which has no mirror line before it",
					lx->file, lx->line, w[1], w[4]);
	v = realloc(res->packages, (res->npackages + 1) * sizeof(*v));
	if (v == NULL)
		return gapimg_error_set(lx->err, GAPIMG_E_NOMEM, "out of memory");
	res->packages = v;
	p = &v[res->npackages++];
	memset(p, 0, sizeof(*p));
	p->wheel = wheel;
	p->name = strdup(w[1]);
	p->evr = strdup(w[2]);
	p->arch = strdup(w[3]);
	p->mirror = strdup(w[4]);
	p->order = (unsigned)o;
	p->size = sz;
	memcpy(p->sha256, sha, 65);
	p->location = strdup(loc);
	return 0;
}

int gapimg_lock_parse(const char *text, size_t len, const char *file,
		      struct gapimg_resolution *res, struct gapimg_error *err)
{
	struct lexer lx = { .file = file, .line = 0, .err = err };
	const char *p = text, *end = text + len;
	int have_lock = 0, have_recipe = 0, have_family = 0, have_arch = 0;

	memset(res, 0, sizeof(*res));
	if (memchr(text, '\0', len))
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s: not a text file (it holds "
					"NUL bytes)", file);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *words[16], *store = NULL;
		int nw, rc = 0;

		lx.line++;
		if (n == 0 || p[0] == '#') {
			p = nl ? nl + 1 : end;
			continue;
		}
		nw = split(&lx, p, n, words, 16, &store);
		if (nw < 0) {
			free(store);
			return -1;
		}
		if (nw == 0) {
			free(store);
			p = nl ? nl + 1 : end;
			continue;
		}
		if (!have_lock && strcmp(words[0], "lock") != 0)
			rc = lex_error(&lx, "the first line must be \"lock %s\"", "1");
		else if (strcmp(words[0], "lock") == 0) {
			if (have_lock || nw != 2)
				rc = lex_error(&lx, "one \"lock VERSION\" line%s", "");
			else if (strcmp(words[1], "1") != 0)
				rc = lex_error(&lx, "lock format %s is not one this gapimg reads "
					       "(it reads 1); use the gapimg that wrote it", words[1]);
			have_lock = 1;
		} else if (strcmp(words[0], "recipe") == 0) {
			if (have_recipe || nw != 2 || !is_hex64(words[1]))
				rc = lex_error(&lx, "one \"recipe SHA256\" line%s", "");
			else
				memcpy(res->recipe_digest, words[1], 65);
			have_recipe = 1;
		} else if (strcmp(words[0], "family") == 0) {
			if (have_family || nw != 2 ||
			    (strcmp(words[1], "rpm") != 0 && strcmp(words[1], "deb") != 0))
				rc = lex_error(&lx, "one \"family rpm|deb\" line%s", "");
			res->family = nw == 2 && strcmp(words[1], "deb") == 0 ? GAPIMG_FAMILY_DEB
									    : GAPIMG_FAMILY_RPM;
			have_family = 1;
		} else if (strcmp(words[0], "arch") == 0) {
			if (have_arch || nw != 2)
				rc = lex_error(&lx, "one \"arch ARCH\" line%s", "");
			else
				res->arch = strdup(words[1]);
			have_arch = 1;
		} else if (strcmp(words[0], "mirror") == 0) {
			rc = res->npackages ? lex_error(&lx, "mirror lines come before package "
							"lines%s", "")
					    : parse_mirror(&lx, words, nw, res);
		} else if (strcmp(words[0], "package") == 0) {
			rc = parse_package(&lx, words, nw, res, 0);
		} else if (strcmp(words[0], "wheel") == 0) {
			/* "wheel NAME VERSION MIRROR ...": the arch word is implied */
			char **w2 = calloc((size_t)nw + 2, sizeof(*w2));

			if (w2 == NULL) {
				rc = gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
			} else if (nw < 4) {
				rc = lex_error(&lx, "a wheel line is \"wheel NAME VERSION MIRROR "
					       "order=N size=N sha256=HEX location=PATH\"%s", "");
			} else {
				w2[0] = words[0], w2[1] = words[1], w2[2] = words[2];
				w2[3] = (char *)"wheel";
				for (int i = 3; i < nw; i++)
					w2[i + 1] = words[i];
				rc = parse_package(&lx, w2, nw + 1, res, 1);
			}
			free(w2);
		} else {
			rc = lex_error(&lx, "unknown line \"%s\"", words[0]);
		}
		free(store);
		if (rc < 0)
			return -1;
		p = nl ? nl + 1 : end;
	}
	if (!have_lock || !have_recipe || !have_family || !have_arch)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"%s: not a complete gapimg lock file (it needs the "
					"lock, recipe, family and arch lines)", file);
	return 0;
}

int gapimg_lock_read(const char *path, struct gapimg_resolution *res,
		     struct gapimg_error *err)
{
	FILE *fp = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	int rc;

	memset(res, 0, sizeof(*res));
	if (fp == NULL) {
		gapimg_error_errno(err, errno, "cannot open the lock file %s", path);
		if (errno == ENOENT)
			err->code = GAPIMG_E_NOTFOUND;
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		strbuf_add(&sb, buf, n);
		if (sb.len > (64u << 20)) {
			fclose(fp);
			strbuf_release(&sb);
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s: larger than 64 MiB: not a lock file", path);
		}
	}
	if (ferror(fp)) {
		gapimg_error_errno(err, errno, "cannot read %s", path);
		fclose(fp);
		strbuf_release(&sb);
		return -1;
	}
	fclose(fp);
	rc = gapimg_lock_parse(sb.buf, sb.len, path, res, err);
	strbuf_release(&sb);
	return rc;
}

char *gapimg_lock_default_path(const char *recipe)
{
	size_t n = strlen(recipe);
	char *out;

	if (n > 7 && strcmp(recipe + n - 7, ".recipe") == 0)
		n -= 7;
	out = malloc(n + 6);
	if (out == NULL)
		return NULL;
	memcpy(out, recipe, n);
	memcpy(out + n, ".lock", 6);
	return out;
}
