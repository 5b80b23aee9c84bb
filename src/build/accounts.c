/*
 * The image's users and groups.  See accounts.h.
 *
 * The four files are kept as lists of entries split into fields, so that
 * loaded lines come out exactly as they went in and only the member list
 * of a group is ever rewritten.  Lookups are linear: these files hold
 * tens of entries, and a list keeps the order the files are written in.
 *
 * What new entries look like is what systemd-sysusers writes, for recipe
 * users too, so that an image does not mix two styles:
 *   passwd   name:x:UID:GID:comment:home:shell
 *   group    name:x:GID:members
 *   shadow   name:!*:DAYS::::::      (DAYS from the build epoch)
 *   gshadow  name:!*::members
 * Like systemd-sysusers, a new user always gets a shadow entry and a new
 * group a gshadow entry, even when the file did not exist before.
 */
#include "build/accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_PASSWD, F_GROUP, F_SHADOW, F_GSHADOW, NFILES };

static const char *const file_names[NFILES] = {
	"passwd", "group", "shadow", "gshadow",
};
static const size_t file_nfields[NFILES] = { 7, 4, 9, 4 };

#define DEFAULT_HOME "/"
#define DEFAULT_SHELL "/usr/sbin/nologin"

enum entry_flags {
	/* shadow: field 2 is the build epoch's day, filled in by format. */
	E_LASTCHG_EPOCH = 0x1,
	/* passwd: field 3 is a group name that format resolves to a gid. */
	E_GID_BY_NAME = 0x2,
};

struct entry {
	char **f;          /* fields; NULL for a blank or comment line */
	char *raw;         /* the blank or comment line, as loaded */
	char *origin;      /* "origin:line" or the recipe's origin */
	unsigned flags;
};

struct file {
	int loaded;
	struct entry *e;
	size_t n, alloc;
};

/* A user that must be listed as a member of a group. */
struct member {
	char *user, *group, *origin;
};

/* One parsed sysusers.d line. */
struct su_item {
	char type;         /* 'u', 'g', 'm', 'r' */
	char *name;        /* 'm': the user */
	char *group_name;  /* 'u' with "uid:group", 'm': the group */
	char *path;        /* id given as a path */
	char *desc, *home, *shell;
	uint32_t uid, gid; /* 'r': first and last id */
	unsigned uid_set : 1, gid_set : 1, strict : 1;
	unsigned todo_user : 1, todo_group : 1;
	char *origin;      /* "origin:line" */
};

struct su_file {
	char *base;        /* file name: the sort key */
	int prio;          /* index in su_dirs: lower wins */
	struct su_item *items;
	size_t n, alloc;
};

/* Where systemd 252 (Debian 12) looks, strongest first. */
static const char *const su_dirs[] = {
	"/etc/sysusers.d", "/run/sysusers.d", "/usr/local/lib/sysusers.d",
	"/usr/lib/sysusers.d",
};
#define NSU_DIRS (sizeof(su_dirs) / sizeof(su_dirs[0]))

struct accounts {
	struct file files[NFILES];
	struct member *m;
	size_t nm, am;
	struct su_file *su;
	size_t nsu, asu;
};

static void entry_release(struct entry *e, size_t nf)
{
	size_t i;

	if (e->f != NULL) {
		for (i = 0; i < nf; i++)
			free(e->f[i]);
		free(e->f);
	}
	free(e->raw);
	free(e->origin);
}

static void su_item_release(struct su_item *it)
{
	free(it->name);
	free(it->group_name);
	free(it->path);
	free(it->desc);
	free(it->home);
	free(it->shell);
	free(it->origin);
}

static void su_files_clear(struct accounts *a)
{
	size_t i, j;

	for (i = 0; i < a->nsu; i++) {
		for (j = 0; j < a->su[i].n; j++)
			su_item_release(&a->su[i].items[j]);
		free(a->su[i].items);
		free(a->su[i].base);
	}
	free(a->su);
	a->su = NULL;
	a->nsu = a->asu = 0;
}

struct accounts *accounts_new(void)
{
	return calloc(1, sizeof(struct accounts));
}

void accounts_free(struct accounts *a)
{
	size_t i, j;

	if (a == NULL)
		return;
	for (i = 0; i < NFILES; i++) {
		for (j = 0; j < a->files[i].n; j++)
			entry_release(&a->files[i].e[j], file_nfields[i]);
		free(a->files[i].e);
	}
	for (i = 0; i < a->nm; i++) {
		free(a->m[i].user);
		free(a->m[i].group);
		free(a->m[i].origin);
	}
	free(a->m);
	su_files_clear(a);
	free(a);
}

static int file_index(const char *which)
{
	int i;

	for (i = 0; i < NFILES; i++)
		if (strcmp(which, file_names[i]) == 0)
			return i;
	return -1;
}

/* A decimal id, no sign, no leading junk: what getpwent accepts. */
static int parse_id(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static const struct entry *find_name(const struct file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->e[i].f != NULL && strcmp(f->e[i].f[0], name) == 0)
			return &f->e[i];
	return NULL;
}

/* passwd (field 2) or group (field 2): the first entry with this id. */
static const struct entry *find_id(const struct file *f, uint32_t id)
{
	uint32_t v;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->e[i].f != NULL && parse_id(f->e[i].f[2], &v) == 0 &&
		    v == id)
			return &f->e[i];
	return NULL;
}

static uint32_t entry_id(const struct entry *e)
{
	uint32_t v = 0;

	parse_id(e->f[2], &v);
	return v;
}

/* Append an entry made of the given fields (copied); NULL means "". */
static int append(struct accounts *a, int which, const char *const *fields,
		  const char *origin, unsigned flags, struct gapimg_error *err)
{
	struct file *f = &a->files[which];
	size_t nf = file_nfields[which], i;
	struct entry e = { 0 };

	if (gapimg_grow((void **)&f->e, &f->alloc, f->n, sizeof(*f->e)))
		return gapimg_error_nomem(err);
	e.f = calloc(nf, sizeof(char *));
	e.origin = strdup(origin);
	e.flags = flags;
	if (e.f == NULL || e.origin == NULL)
		goto fail;
	for (i = 0; i < nf; i++) {
		e.f[i] = strdup(fields[i] ? fields[i] : "");
		if (e.f[i] == NULL)
			goto fail;
	}
	f->e[f->n++] = e;
	return 0;
fail:
	entry_release(&e, nf);
	return gapimg_error_nomem(err);
}

int accounts_load(struct accounts *a, const char *which, const char *text,
		  size_t len, const char *origin, struct gapimg_error *err)
{
	int w = file_index(which);
	struct file *f;
	size_t pos = 0, lineno = 0, nf;

	if (w < 0)
		return gapimg_error_set(err, GAPIMG_E_INTERNAL,
					"accounts_load: unknown file \"%s\"", which);
	f = &a->files[w];
	nf = file_nfields[w];
	/* Loaded lines come first; loading late would reorder the file. */
	if (f->loaded || f->n > 0)
		return gapimg_error_set(err, GAPIMG_E_INTERNAL,
					"accounts_load: %s loaded after entries "
					"were added to it (from %s)", which, origin);
	f->loaded = 1;
	while (pos < len) {
		const char *line = text + pos, *end, *p;
		size_t llen, i, n;
		struct entry e = { 0 };
		struct strbuf o = STRBUF_INIT;

		end = memchr(line, '\n', len - pos);
		llen = end ? (size_t)(end - line) : len - pos;
		pos += llen + (end ? 1 : 0);
		lineno++;
		if (strbuf_addf(&o, "%s:%zu", origin, lineno))
			return gapimg_error_nomem(err);
		e.origin = strbuf_detach(&o);
		if (e.origin == NULL)
			return gapimg_error_nomem(err);
		if (memchr(line, '\0', llen) != NULL) {
			free(e.origin);
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s:%zu: malformed %s line: it contains "
						"a NUL byte", origin, lineno, which);
		}
		if (llen == 0 || line[0] == '#') {
			e.raw = strndup(line, llen);
			if (e.raw == NULL) {
				free(e.origin);
				return gapimg_error_nomem(err);
			}
			goto add;
		}
		for (n = 1, p = line; p < line + llen; p++)
			if (*p == ':')
				n++;
		if (n != nf) {
			free(e.origin);
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s:%zu: malformed %s line \"%.*s\": "
						"expected %zu fields separated by ':', "
						"found %zu", origin, lineno, which,
						(int)llen, line, nf, n);
		}
		e.f = calloc(nf, sizeof(char *));
		if (e.f == NULL) {
			free(e.origin);
			return gapimg_error_nomem(err);
		}
		for (i = 0, p = line; i < nf; i++) {
			const char *c = memchr(p, ':', (size_t)(line + llen - p));
			size_t fl = c ? (size_t)(c - p) : (size_t)(line + llen - p);

			e.f[i] = strndup(p, fl);
			if (e.f[i] == NULL) {
				entry_release(&e, nf);
				return gapimg_error_nomem(err);
			}
			p += fl + 1;
		}
		if (e.f[0][0] == '\0') {
			entry_release(&e, nf);
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s:%zu: malformed %s line \"%.*s\": the "
						"name is empty", origin, lineno, which,
						(int)llen, line);
		}
		for (i = 2; i < (w == F_PASSWD ? 4u : w == F_GROUP ? 3u : 2u); i++) {
			uint32_t v;

			if (parse_id(e.f[i], &v) == 0)
				continue;
			gapimg_error_set(err, GAPIMG_E_INVALID,
					 "%s:%zu: malformed %s line \"%.*s\": %s "
					 "\"%s\" is not a decimal number", origin,
					 lineno, which, (int)llen, line,
					 w == F_PASSWD && i == 2 ? "uid" : "gid",
					 e.f[i]);
			entry_release(&e, nf);
			return -1;
		}
		{
			const struct entry *dup = find_name(f, e.f[0]);

			if (dup != NULL) {
				gapimg_error_set(err, GAPIMG_E_INVALID,
						 "%s:%zu: %s entry \"%s\" appears "
						 "twice (first at %s)", origin,
						 lineno, which, e.f[0], dup->origin);
				entry_release(&e, nf);
				return -1;
			}
		}
add:
		if (gapimg_grow((void **)&f->e, &f->alloc, f->n, sizeof(*f->e))) {
			entry_release(&e, nf);
			return gapimg_error_nomem(err);
		}
		f->e[f->n++] = e;
	}
	return 0;
}

/* Fields of recipe entries end up between ':' on one line. */
static int check_field(const char *what, const char *value, const char *name,
		       const char *origin, struct gapimg_error *err)
{
	if (value == NULL || strpbrk(value, ":\n") == NULL)
		return 0;
	return gapimg_error_set(err, GAPIMG_E_INVALID,
				"%s: the %s of \"%s\" (\"%s\") contains ':' or a "
				"newline, which /etc/passwd and /etc/group cannot "
				"hold", origin, what, name, value);
}

/* New group entries in group and gshadow, after the checks. */
static int new_group(struct accounts *a, const char *name, uint32_t gid,
		     const char *origin, struct gapimg_error *err)
{
	char id[16];
	const char *g[4] = { name, "x", id, "" };
	const char *gs[4] = { name, "!*", "", "" };

	snprintf(id, sizeof(id), "%u", (unsigned)gid);
	if (append(a, F_GROUP, g, origin, 0, err))
		return -1;
	return append(a, F_GSHADOW, gs, origin, 0, err);
}

int accounts_add_group(struct accounts *a, const char *name, uint32_t gid,
		       const char *origin, struct gapimg_error *err)
{
	const struct file *g = &a->files[F_GROUP];
	const struct entry *e;

	if (check_field("name", name, name, origin, err))
		return -1;
	e = find_name(g, name);
	if (e != NULL) {
		if (entry_id(e) == gid)
			return 0;
		return gapimg_error_set(err, GAPIMG_E_EXISTS,
					"%s: group \"%s\" is to have gid %u, but it "
					"already exists with gid %u (from %s)", origin,
					name, (unsigned)gid, (unsigned)entry_id(e),
					e->origin);
	}
	e = find_id(g, gid);
	if (e != NULL)
		return gapimg_error_set(err, GAPIMG_E_EXISTS,
					"%s: gid %u of group \"%s\" is already used by "
					"group \"%s\" (from %s)", origin, (unsigned)gid,
					name, e->f[0], e->origin);
	return new_group(a, name, gid, origin, err);
}

static int add_member(struct accounts *a, const char *user, const char *group,
		      const char *origin, struct gapimg_error *err)
{
	struct member m;

	if (gapimg_grow((void **)&a->m, &a->am, a->nm, sizeof(*a->m)))
		return gapimg_error_nomem(err);
	m.user = strdup(user);
	m.group = strdup(group);
	m.origin = strdup(origin);
	if (m.user == NULL || m.group == NULL || m.origin == NULL) {
		free(m.user);
		free(m.group);
		free(m.origin);
		return gapimg_error_nomem(err);
	}
	a->m[a->nm++] = m;
	return 0;
}

/* passwd and shadow entries of a new user. */
static int new_user(struct accounts *a, const char *name, uint32_t uid,
		    const char *gid, unsigned pflags, const char *comment,
		    const char *home, const char *shell, const char *origin,
		    struct gapimg_error *err)
{
	char id[16];
	const char *p[7] = { name, "x", id, gid, comment, home, shell };
	const char *s[9] = { name, "!*", "", "", "", "", "", "", "" };

	snprintf(id, sizeof(id), "%u", (unsigned)uid);
	if (append(a, F_PASSWD, p, origin, pflags, err))
		return -1;
	return append(a, F_SHADOW, s, origin, E_LASTCHG_EPOCH, err);
}

int accounts_add_user(struct accounts *a, const char *name, uint32_t uid,
		      const char *primary_group, const char *const *groups,
		      size_t ngroups, const char *home, const char *shell,
		      const char *comment, const char *origin,
		      struct gapimg_error *err)
{
	const struct file *p = &a->files[F_PASSWD];
	const struct entry *e;
	char gidbuf[16];
	const char *gid = gidbuf;
	unsigned pflags = 0;
	size_t i;

	if (check_field("name", name, name, origin, err) ||
	    check_field("primary group", primary_group, name, origin, err) ||
	    check_field("home", home, name, origin, err) ||
	    check_field("shell", shell, name, origin, err) ||
	    check_field("comment", comment, name, origin, err))
		return -1;
	for (i = 0; i < ngroups; i++)
		if (check_field("group", groups[i], name, origin, err))
			return -1;

	e = find_name(p, name);
	if (e != NULL && entry_id(e) != uid)
		return gapimg_error_set(err, GAPIMG_E_EXISTS,
					"%s: user \"%s\" is to have uid %u, but it "
					"already exists with uid %u (from %s)", origin,
					name, (unsigned)uid, (unsigned)entry_id(e),
					e->origin);
	if (e == NULL) {
		const struct entry *o = find_id(p, uid);

		if (o != NULL)
			return gapimg_error_set(err, GAPIMG_E_EXISTS,
						"%s: uid %u of user \"%s\" is already "
						"used by user \"%s\" (from %s)", origin,
						(unsigned)uid, name, o->f[0],
						o->origin);
		if (primary_group == NULL) {
			const struct entry *g = find_name(&a->files[F_GROUP], name);
			uint32_t v = uid;

			if (g != NULL)
				v = entry_id(g);
			else if (accounts_add_group(a, name, uid, origin, err))
				return -1;
			snprintf(gidbuf, sizeof(gidbuf), "%u", (unsigned)v);
		} else if (parse_id(primary_group, &(uint32_t){ 0 }) == 0) {
			gid = primary_group;
		} else {
			/* A name: resolved when the files are written, so
			 * that the group may be defined later. */
			gid = primary_group;
			pflags = E_GID_BY_NAME;
		}
		if (new_user(a, name, uid, gid, pflags, comment ? comment : "",
			     home ? home : DEFAULT_HOME,
			     shell ? shell : DEFAULT_SHELL, origin, err))
			return -1;
	}
	/* An existing entry with the same uid stays as it was; the recipe
	 * still adds its supplementary groups. */
	for (i = 0; i < ngroups; i++)
		if (add_member(a, name, groups[i], origin, err))
			return -1;
	return 0;
}

int accounts_uid(const struct accounts *a, const char *name, uint32_t *uid)
{
	const struct entry *e = find_name(&a->files[F_PASSWD], name);

	if (e == NULL)
		return -1;
	*uid = entry_id(e);
	return 0;
}

int accounts_gid(const struct accounts *a, const char *name, uint32_t *gid)
{
	const struct entry *e = find_name(&a->files[F_GROUP], name);

	if (e == NULL)
		return -1;
	*gid = entry_id(e);
	return 0;
}

/* ---- sysusers.d parsing ---- */

/*
 * Split one line into words as systemd does (extract_many_words with
 * EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE): whitespace separates, quotes
 * group, backslash escapes.  Returns the number of words, or -1 with
 * *bad set to a message.
 */
static int split_words(const char *line, char **words, int max,
		       const char **bad)
{
	const char *p = line;
	int n = 0;

	for (;;) {
		struct strbuf w = STRBUF_INIT;
		char q = 0;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0')
			return n;
		if (n == max) {
			*bad = "trailing garbage after the last field";
			return -1;
		}
		if (strbuf_addstr(&w, ""))
			goto nomem;
		for (; *p != '\0'; p++) {
			char c = *p;

			if (q == 0 && (c == ' ' || c == '\t' || c == '\r'))
				break;
			if (q == 0 && (c == '"' || c == '\'')) {
				q = c;
				continue;
			}
			if (q != 0 && c == q) {
				q = 0;
				continue;
			}
			if (c == '\\' && q != '\'') {
				static const char from[] = "\\\"' abfnrtv";
				static const char to[] = "\\\"' \a\b\f\n\r\t\v";
				const char *k;

				p++;
				k = *p ? strchr(from, *p) : NULL;
				if (k == NULL) {
					strbuf_release(&w);
					*bad = "unsupported backslash escape";
					return -1;
				}
				c = to[k - from];
			}
			if (strbuf_addch(&w, c))
				goto nomem;
		}
		if (q != 0) {
			strbuf_release(&w);
			*bad = "unbalanced quotes";
			return -1;
		}
		words[n] = strbuf_detach(&w);
		if (words[n] == NULL)
			goto nomem;
		n++;
		continue;
nomem:
		strbuf_release(&w);
		*bad = NULL;
		return -1;
	}
}

/*
 * Expand specifiers.  Only those with a fixed value are allowed: the rest
 * (%m machine id, %b boot id, %H host name, %v kernel release, ...) name
 * the machine systemd-sysusers runs on, which for an image does not
 * exist yet, and would make the image depend on the build host.
 */
static int expand(char **s, const char *origin, size_t line,
		  struct gapimg_error *err)
{
	struct strbuf o = STRBUF_INIT;
	const char *p;

	if (*s == NULL || strchr(*s, '%') == NULL)
		return 0;
	for (p = *s; *p; p++) {
		int r;

		if (*p != '%') {
			r = strbuf_addch(&o, *p);
		} else if (p[1] == '%') {
			r = strbuf_addch(&o, '%');
			p++;
		} else if (p[1] == 'T') {
			r = strbuf_addstr(&o, "/tmp");
			p++;
		} else if (p[1] == 'V') {
			r = strbuf_addstr(&o, "/var/tmp");
			p++;
		} else {
			strbuf_release(&o);
			if (p[1] == '\0')
				return gapimg_error_set(err, GAPIMG_E_INVALID,
							"%s:%zu: \"%s\" ends with a lone "
							"'%%'; write %%%% for a percent "
							"sign", origin, line, *s);
			return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
						"%s:%zu: specifier %%%c in \"%s\" is "
						"not supported: gapimg only expands "
						"%%%%, %%T and %%V, as other specifiers "
						"depend on the machine the image runs "
						"on", origin, line, p[1], *s);
		}
		if (r) {
			strbuf_release(&o);
			return gapimg_error_nomem(err);
		}
	}
	free(*s);
	*s = strbuf_detach(&o);
	return *s ? 0 : gapimg_error_nomem(err);
}

/* systemd's strict valid_user_group_name(). */
static int valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 31)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')
			continue;
		if (c == '$' && i == n - 1)
			continue;
		return 0;
	}
	return 1;
}

/* systemd's parse_uid(): 65535 and 4294967295 are not user ids. */
static int parse_su_id(const char *s, uint32_t *out)
{
	if (parse_id(s, out))
		return -1;
	return *out == 65535 || *out == UINT32_MAX ? -1 : 0;
}

static int parse_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	const char *dash = strchr(s, '-');
	char buf[16];
	size_t n;

	if (dash == NULL) {
		if (parse_su_id(s, lo))
			return -1;
		*hi = *lo;
		return 0;
	}
	n = (size_t)(dash - s);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_su_id(buf, lo) || parse_su_id(dash + 1, hi) || *hi < *lo)
		return -1;
	return 0;
}

static int su_line(struct su_file *sf, const char *line, const char *origin,
		   size_t lineno, struct gapimg_error *err)
{
	char *w[6] = { NULL };
	const char *bad = NULL;
	struct su_item it = { 0 };
	struct strbuf o = STRBUF_INIT;
	int n, i, ret = -1;

	n = split_words(line, w, 6, &bad);
	if (n < 0) {
		for (i = 0; i < 6; i++)
			free(w[i]);
		if (bad == NULL)
			return gapimg_error_nomem(err);
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: %s",
					origin, lineno, bad);
	}
	if (strbuf_addf(&o, "%s:%zu", origin, lineno)) {
		gapimg_error_nomem(err);
		goto out;
	}
	it.origin = strbuf_detach(&o);
	if (it.origin == NULL) {
		gapimg_error_nomem(err);
		goto out;
	}
	if (n < 2) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: syntax error: "
				 "expected a type and a name", origin, lineno);
		goto out;
	}
	if (strlen(w[0]) != 1 || strchr("ugmr", w[0][0]) == NULL) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: unknown line "
				 "type \"%s\": systemd 252 knows u, g, m and r",
				 origin, lineno, w[0]);
		goto out;
	}
	it.type = w[0][0];
	/* "-" and "" mean "not given". */
	for (i = 2; i < 6; i++) {
		if (w[i] != NULL && (strcmp(w[i], "-") == 0 || w[i][0] == '\0')) {
			free(w[i]);
			w[i] = NULL;
		}
	}
	for (i = 1; i < 6; i++)
		if (expand(&w[i], origin, lineno, err))
			goto out;

	if (it.type == 'r') {
		if (strcmp(w[1], "-") != 0 && w[1][0] != '\0') {
			gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: lines of "
					 "type 'r' take \"-\" as the name",
					 origin, lineno);
			goto out;
		}
		if (w[2] == NULL || w[3] || w[4] || w[5] ||
		    parse_range(w[2], &it.uid, &it.gid)) {
			gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: lines of "
					 "type 'r' take one id range, like "
					 "\"r - 500-900\"", origin, lineno);
			goto out;
		}
		goto keep;
	}
	if (!valid_name(w[1])) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: \"%s\" is not a "
				 "valid user or group name", origin, lineno, w[1]);
		goto out;
	}
	it.name = w[1];
	w[1] = NULL;
	if (it.type == 'm') {
		if (w[2] == NULL || !valid_name(w[2]) || w[3] || w[4] || w[5]) {
			gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: lines of "
					 "type 'm' take a user and a group name",
					 origin, lineno);
			goto out;
		}
		it.group_name = w[2];
		w[2] = NULL;
		goto keep;
	}
	if (it.type == 'g' && (w[3] || w[4] || w[5])) {
		gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: lines of type "
				 "'g' take no description, home or shell",
				 origin, lineno);
		goto out;
	}
	if (w[2] != NULL && w[2][0] == '/') {
		it.path = w[2];
		w[2] = NULL;
	} else if (w[2] != NULL) {
		char *colon = it.type == 'u' ? strchr(w[2], ':') : NULL;
		uint32_t v;

		if (colon != NULL) {
			*colon = '\0';
			if (parse_su_id(colon + 1, &it.gid) == 0) {
				it.gid_set = 1;
				it.strict = 1;
			} else if (valid_name(colon + 1)) {
				it.group_name = strdup(colon + 1);
				if (it.group_name == NULL) {
					gapimg_error_nomem(err);
					goto out;
				}
			} else {
				gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: "
						 "invalid group \"%s\" in the id "
						 "field", origin, lineno, colon + 1);
				goto out;
			}
		}
		if (strcmp(w[2], "-") != 0) {
			if (parse_su_id(w[2], &v)) {
				gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: "
						 "invalid %s \"%s\"", origin, lineno,
						 it.type == 'u' ? "uid" : "gid", w[2]);
				goto out;
			}
			if (it.type == 'u') {
				it.uid = v;
				it.uid_set = 1;
			} else {
				it.gid = v;
				it.gid_set = 1;
			}
		}
	}
	if (it.type == 'u') {
		for (i = 3; i < 6; i++)
			if (w[i] != NULL && strchr(w[i], ':') != NULL) {
				gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: "
						 "\"%s\" contains ':', which "
						 "/etc/passwd cannot hold", origin,
						 lineno, w[i]);
				goto out;
			}
		it.desc = w[3];
		it.home = w[4];
		it.shell = w[5];
		w[3] = w[4] = w[5] = NULL;
	}
keep:
	if (gapimg_grow((void **)&sf->items, &sf->alloc, sf->n, sizeof(*sf->items))) {
		gapimg_error_nomem(err);
		goto out;
	}
	sf->items[sf->n++] = it;
	memset(&it, 0, sizeof(it));
	ret = 0;
out:
	su_item_release(&it);
	for (i = 0; i < 6; i++)
		free(w[i]);
	return ret;
}

int accounts_add_sysusers(struct accounts *a, const char *path,
			  const char *text, size_t len, const char *origin,
			  struct gapimg_error *err)
{
	const char *slash = strrchr(path, '/'), *base;
	struct su_file sf = { 0 };
	size_t i, pos = 0, lineno = 0, dlen;
	int prio = -1;

	if (slash == NULL)
		return gapimg_error_set(err, GAPIMG_E_INTERNAL, "sysusers.d file "
					"%s (from %s) is not an absolute path",
					path, origin);
	base = slash + 1;
	dlen = (size_t)(slash - path);
	for (i = 0; i < NSU_DIRS; i++)
		if (strlen(su_dirs[i]) == dlen &&
		    memcmp(su_dirs[i], path, dlen) == 0)
			prio = (int)i;
	if (prio < 0)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s: %s is not in "
					"a directory systemd-sysusers reads "
					"(/etc/sysusers.d, /run/sysusers.d, "
					"/usr/local/lib/sysusers.d, "
					"/usr/lib/sysusers.d)", origin, path);
	if (strlen(base) <= 5 || strcmp(base + strlen(base) - 5, ".conf") != 0)
		return 0;
	for (i = 0; i < a->nsu; i++)
		if (a->su[i].prio == prio && strcmp(a->su[i].base, base) == 0)
			return gapimg_error_set(err, GAPIMG_E_EXISTS,
						"%s: sysusers.d file %s was given "
						"twice", origin, path);

	sf.prio = prio;
	sf.base = strdup(base);
	if (sf.base == NULL)
		return gapimg_error_nomem(err);
	while (pos < len) {
		const char *line = text + pos, *end = memchr(line, '\n', len - pos);
		size_t llen = end ? (size_t)(end - line) : len - pos;
		const char *p;
		char *copy;
		int r;

		pos += llen + (end ? 1 : 0);
		lineno++;
		if (memchr(line, '\0', llen) != NULL) {
			gapimg_error_set(err, GAPIMG_E_INVALID, "%s:%zu: the line "
					 "contains a NUL byte", origin, lineno);
			goto fail;
		}
		for (p = line; p < line + llen && (*p == ' ' || *p == '\t'); p++)
			;
		if (p == line + llen || *p == '#' || *p == '\r')
			continue;
		copy = strndup(line, llen);
		if (copy == NULL) {
			gapimg_error_nomem(err);
			goto fail;
		}
		r = su_line(&sf, copy, origin, lineno, err);
		free(copy);
		if (r)
			goto fail;
	}
	if (gapimg_grow((void **)&a->su, &a->asu, a->nsu, sizeof(*a->su))) {
		gapimg_error_nomem(err);
		goto fail;
	}
	a->su[a->nsu++] = sf;
	return 0;
fail:
	for (i = 0; i < sf.n; i++)
		su_item_release(&sf.items[i]);
	free(sf.items);
	free(sf.base);
	return -1;
}

/* ---- sysusers.d application: systemd-sysusers 252, step by step ---- */

struct range {
	uint32_t lo, hi;
};

struct su_state {
	struct accounts *a;
	struct su_item **users, **groups;   /* in first-seen order */
	size_t nusers, ngroups, ausers, agroups;
	struct su_item **mem;               /* 'm' lines, first-seen order */
	size_t nmem, amem;
	struct range *ranges;               /* sorted, merged */
	size_t nranges, aranges;
	struct su_item **todo_uids, **todo_gids;  /* creation order */
	size_t ntu, ntg, atu, atg;
	struct su_item *implicit;           /* items made by add_implicit */
	size_t nimplicit, aimplicit;
	uint32_t search;
};

static struct su_item *find_item(struct su_item **v, size_t n,
				 const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i]->name, name) == 0)
			return v[i];
	return NULL;
}

static int push(struct su_item ***v, size_t *n, size_t *alloc,
		struct su_item *it)
{
	if (gapimg_grow((void **)v, alloc, *n, sizeof(**v)))
		return -1;
	(*v)[(*n)++] = it;
	return 0;
}

static int range_add(struct su_state *s, uint32_t lo, uint32_t hi)
{
	size_t i, j;

	if (gapimg_grow((void **)&s->ranges, &s->aranges, s->nranges,
		 sizeof(*s->ranges)))
		return -1;
	s->ranges[s->nranges].lo = lo;
	s->ranges[s->nranges].hi = hi;
	s->nranges++;
	/* Insertion sort, then merge overlapping or adjacent ranges. */
	for (i = s->nranges - 1; i > 0 && s->ranges[i].lo < s->ranges[i - 1].lo; i--) {
		struct range t = s->ranges[i];

		s->ranges[i] = s->ranges[i - 1];
		s->ranges[i - 1] = t;
	}
	for (i = 0, j = 0; i < s->nranges; i++) {
		if (j > 0 && (uint64_t)s->ranges[i].lo <= (uint64_t)s->ranges[j - 1].hi + 1) {
			if (s->ranges[i].hi > s->ranges[j - 1].hi)
				s->ranges[j - 1].hi = s->ranges[i].hi;
		} else {
			s->ranges[j++] = s->ranges[i];
		}
	}
	s->nranges = j;
	return 0;
}

/* uid_range_next_lower(): the next id below s->search inside a range. */
static int next_lower(struct su_state *s)
{
	uint32_t cand = s->search - 1, closest = UINT32_MAX;
	size_t i;

	for (i = 0; i < s->nranges; i++) {
		if (cand >= s->ranges[i].lo && cand <= s->ranges[i].hi) {
			s->search = cand;
			return 0;
		}
		if (s->ranges[i].hi < cand)
			closest = s->ranges[i].hi;
	}
	if (closest == UINT32_MAX)
		return -1;
	s->search = closest;
	return 0;
}

static struct su_item *todo_by_id(struct su_item **v, size_t n, int user,
				  uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((user ? v[i]->uid : v[i]->gid) == id)
			return v[i];
	return NULL;
}

static int uid_is_ok(struct su_state *s, uint32_t uid, const char *name,
		     int check_with_gid)
{
	const struct entry *e;

	if (todo_by_id(s->todo_uids, s->ntu, 1, uid))
		return 0;
	if (check_with_gid) {
		struct su_item *g = todo_by_id(s->todo_gids, s->ntg, 0, uid);

		if (g != NULL && strcmp(g->name, name) != 0)
			return 0;
	}
	if (find_id(&s->a->files[F_PASSWD], uid))
		return 0;
	if (check_with_gid) {
		e = find_id(&s->a->files[F_GROUP], uid);
		if (e != NULL && strcmp(e->f[0], name) != 0)
			return 0;
	}
	return 1;
}

static int gid_is_ok(struct su_state *s, uint32_t gid, const char *name,
		     int check_with_uid)
{
	const struct entry *e;

	if (todo_by_id(s->todo_gids, s->ntg, 0, gid))
		return 0;
	if (check_with_uid) {
		struct su_item *u = todo_by_id(s->todo_uids, s->ntu, 1, gid);

		if (u != NULL && strcmp(u->name, name) != 0)
			return 0;
	}
	if (find_id(&s->a->files[F_GROUP], gid))
		return 0;
	if (check_with_uid) {
		e = find_id(&s->a->files[F_PASSWD], gid);
		if (e != NULL && strcmp(e->f[0], name) != 0)
			return 0;
	}
	return 1;
}

static int su_add_group(struct su_state *s, struct su_item *i,
			struct gapimg_error *err)
{
	const struct entry *e = find_name(&s->a->files[F_GROUP], i->name);

	if (e != NULL) {
		i->gid = entry_id(e);
		i->gid_set = 1;
		return 0;
	}
	if (i->gid_set) {
		int ok = gid_is_ok(s, i->gid, i->name, 0);

		/* "u name uid:gid" names a group that must exist: systemd
		 * then uses it and creates none. */
		if (i->strict) {
			if (ok)
				return gapimg_error_set(err, GAPIMG_E_INVALID,
							"%s: no group has gid %u for "
							"user \"%s\"; declare the group "
							"(systemd-sysusers: \"please "
							"create GID %u\")", i->origin,
							(unsigned)i->gid, i->name,
							(unsigned)i->gid);
			return 0;
		}
		if (!ok)
			i->gid_set = 0;
	}
	if (!i->gid_set && i->uid_set && gid_is_ok(s, i->uid, i->name, 1)) {
		i->gid = i->uid;
		i->gid_set = 1;
	}
	/* An id given as a path is the owner of that file in the image;
	 * gapimg does not look (see accounts_apply_sysusers), as on a
	 * freshly built image no such file has an allocated owner yet. */
	while (!i->gid_set) {
		if (next_lower(s))
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s: no free group id left for "
						"\"%s\" in the allocation range",
						i->origin, i->name);
		if (gid_is_ok(s, s->search, i->name, 1)) {
			i->gid = s->search;
			i->gid_set = 1;
		}
	}
	if (push(&s->todo_gids, &s->ntg, &s->atg, i))
		return gapimg_error_nomem(err);
	i->todo_group = 1;
	return 0;
}

static int su_add_user(struct su_state *s, struct su_item *i,
		       struct gapimg_error *err)
{
	const struct entry *e = find_name(&s->a->files[F_PASSWD], i->name);

	if (e != NULL) {
		i->uid = entry_id(e);
		i->uid_set = 1;
		return 0;
	}
	if (i->uid_set && !uid_is_ok(s, i->uid, i->name, !i->strict))
		i->uid_set = 0;
	if (!i->uid_set && i->gid_set && uid_is_ok(s, i->gid, i->name, 1)) {
		i->uid = i->gid;
		i->uid_set = 1;
	}
	while (!i->uid_set) {
		if (next_lower(s))
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s: no free user id left for "
						"\"%s\" in the allocation range",
						i->origin, i->name);
		if (uid_is_ok(s, s->search, i->name, 1)) {
			i->uid = s->search;
			i->uid_set = 1;
		}
	}
	if (push(&s->todo_uids, &s->ntu, &s->atu, i))
		return gapimg_error_nomem(err);
	i->todo_user = 1;
	return 0;
}

static int su_process_user(struct su_state *s, struct su_item *i,
			   struct gapimg_error *err)
{
	struct su_item *j = NULL;

	if (!i->gid_set)
		j = find_item(s->groups, s->ngroups,
			      i->group_name ? i->group_name : i->name);
	if (j != NULL && j->todo_group) {
		i->gid_set = j->gid_set;
		i->gid = j->gid;
		i->strict = 1;
	} else if (i->group_name != NULL) {
		const struct entry *e = find_name(&s->a->files[F_GROUP],
						  i->group_name);
		struct su_item *t = e ? NULL :
			find_item(s->todo_gids, s->ntg, i->group_name);

		if (e == NULL && t == NULL)
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s: group \"%s\" of user \"%s\" "
						"does not exist", i->origin,
						i->group_name, i->name);
		i->gid = e ? entry_id(e) : t->gid;
		i->gid_set = 1;
		i->strict = 1;
	} else if (su_add_group(s, i, err)) {
		return -1;
	}
	return su_add_user(s, i, err);
}

static int su_file_cmp(const void *x, const void *y)
{
	const struct su_file *a = x, *b = y;
	int c = strcmp(a->base, b->base);

	return c ? c : a->prio - b->prio;
}

static int su_collect(struct su_state *s, struct gapimg_error *err)
{
	struct accounts *a = s->a;
	size_t f, k;

	/* conf_files_list(): by file name; the strongest directory hides
	 * the others' file of the same name. */
	if (a->nsu > 1)
		qsort(a->su, a->nsu, sizeof(*a->su), su_file_cmp);
	for (f = 0; f < a->nsu; f++) {
		if (f > 0 && strcmp(a->su[f].base, a->su[f - 1].base) == 0)
			continue;
		for (k = 0; k < a->su[f].n; k++) {
			struct su_item *it = &a->su[f].items[k];
			int r = 0;

			/* A second line for a name is ignored, as systemd
			 * does (it warns when the two differ). */
			switch (it->type) {
			case 'u':
				if (!find_item(s->users, s->nusers, it->name))
					r = push(&s->users, &s->nusers,
						 &s->ausers, it);
				break;
			case 'g':
				if (!find_item(s->groups, s->ngroups, it->name))
					r = push(&s->groups, &s->ngroups,
						 &s->agroups, it);
				break;
			case 'm': {
				size_t m;

				for (m = 0; m < s->nmem; m++)
					if (strcmp(s->mem[m]->name, it->name) == 0 &&
					    strcmp(s->mem[m]->group_name,
						   it->group_name) == 0)
						break;
				if (m == s->nmem)
					r = push(&s->mem, &s->nmem, &s->amem, it);
				break;
			}
			case 'r':
				r = range_add(s, it->uid, it->gid);
				break;
			}
			if (r)
				return gapimg_error_nomem(err);
		}
	}
	return 0;
}

/*
 * add_implicit(): users and groups named only on 'm' lines are created.
 * systemd walks its members map, keyed by group in first-seen order,
 * users in line order.
 */
static int su_implicit(struct su_state *s, struct gapimg_error *err)
{
	size_t i, j, need = 2 * s->nmem;

	s->implicit = calloc(need ? need : 1, sizeof(*s->implicit));
	if (s->implicit == NULL)
		return gapimg_error_nomem(err);
	for (i = 0; i < s->nmem; i++) {
		const char *g = s->mem[i]->group_name;
		int first = 1;

		for (j = 0; j < i; j++)
			if (strcmp(s->mem[j]->group_name, g) == 0)
				first = 0;
		if (!first)
			continue;
		for (j = i; j < s->nmem; j++) {
			struct su_item *n;

			if (strcmp(s->mem[j]->group_name, g) != 0 ||
			    find_item(s->users, s->nusers, s->mem[j]->name))
				continue;
			n = &s->implicit[s->nimplicit++];
			n->type = 'u';
			n->name = strdup(s->mem[j]->name);
			n->origin = strdup(s->mem[j]->origin);
			if (n->name == NULL || n->origin == NULL ||
			    push(&s->users, &s->nusers, &s->ausers, n))
				return gapimg_error_nomem(err);
		}
		if (!find_item(s->users, s->nusers, g) &&
		    !find_item(s->groups, s->ngroups, g)) {
			struct su_item *n = &s->implicit[s->nimplicit++];

			n->type = 'g';
			n->name = strdup(g);
			n->origin = strdup(s->mem[i]->origin);
			if (n->name == NULL || n->origin == NULL ||
			    push(&s->groups, &s->ngroups, &s->agroups, n))
				return gapimg_error_nomem(err);
		}
	}
	return 0;
}

/*
 * Known deviations from systemd-sysusers 252, all for determinism or
 * because an image is not a running system:
 *   - ids given as a path (the owner of that file) are ignored, and the
 *     id is allocated as if the file did not exist;
 *   - the host's NSS and login.defs are never consulted: the range is
 *     1-999 unless 'r' lines say otherwise;
 *   - "uid:group" also finds a group that an earlier 'u' line created
 *     (systemd 252 only looks at existing groups and 'g' lines);
 *   - where systemd logs an error for one line and goes on, we stop.
 */
int accounts_apply_sysusers(struct accounts *a, struct gapimg_error *err)
{
	struct su_state s = { .a = a, .search = UINT32_MAX };
	size_t i;
	int ret = -1;

	if (su_collect(&s, err) || su_implicit(&s, err))
		goto out;
	if (s.nranges == 0 && range_add(&s, 1, 999)) {
		gapimg_error_nomem(err);
		goto out;
	}
	for (i = 0; i < s.ngroups; i++)
		if (su_add_group(&s, s.groups[i], err))
			goto out;
	for (i = 0; i < s.nusers; i++)
		if (su_process_user(&s, s.users[i], err))
			goto out;

	/* write_files(): new groups and users in the order they were made. */
	for (i = 0; i < s.ntg; i++)
		if (new_group(a, s.todo_gids[i]->name, s.todo_gids[i]->gid,
			      s.todo_gids[i]->origin, err))
			goto out;
	for (i = 0; i < s.ntu; i++) {
		struct su_item *u = s.todo_uids[i];
		char gid[16];

		snprintf(gid, sizeof(gid), "%u", (unsigned)u->gid);
		if (new_user(a, u->name, u->uid, gid, 0,
			     u->desc ? u->desc : "",
			     u->home ? u->home : DEFAULT_HOME,
			     u->shell ? u->shell :
			     u->uid == 0 ? "/bin/sh" : DEFAULT_SHELL,
			     u->origin, err))
			goto out;
	}
	for (i = 0; i < s.nmem; i++)
		if (add_member(a, s.mem[i]->name, s.mem[i]->group_name,
			       s.mem[i]->origin, err))
			goto out;
	ret = 0;
out:
	for (i = 0; i < s.nimplicit; i++)
		su_item_release(&s.implicit[i]);
	free(s.implicit);
	free(s.users);
	free(s.groups);
	free(s.mem);
	free(s.ranges);
	free(s.todo_uids);
	free(s.todo_gids);
	su_files_clear(a);
	return ret;
}

/* ---- writing ---- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/*
 * The member list of group name: as loaded, unless memberships add
 * someone new, in which case it becomes the sorted union, as
 * systemd-sysusers writes it.
 */
static int members(const struct accounts *a, const char *name,
		   const char *have, struct strbuf *out)
{
	const char **v = NULL;
	size_t n = 0, cap = 0, i, added = 0;
	char *copy = strdup(have), *tok, *save = NULL;
	int ret = -1;

	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (gapimg_grow((void **)&v, &cap, n, sizeof(*v)))
			goto out;
		v[n++] = tok;
	}
	for (i = 0; i < a->nm; i++) {
		size_t k;

		if (strcmp(a->m[i].group, name) != 0)
			continue;
		for (k = 0; k < n && strcmp(v[k], a->m[i].user) != 0; k++)
			;
		if (k < n)
			continue;
		if (gapimg_grow((void **)&v, &cap, n, sizeof(*v)))
			goto out;
		v[n++] = a->m[i].user;
		added = 1;
	}
	if (!added) {
		ret = strbuf_addstr(out, have);
		goto out;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if ((i > 0 && strbuf_addch(out, ',')) || strbuf_addstr(out, v[i]))
			goto out;
	}
	ret = 0;
out:
	free(v);
	free(copy);
	return ret;
}

/* Everything that can only be checked once all entries are in. */
static int check_refs(const struct accounts *a, struct gapimg_error *err)
{
	const struct file *p = &a->files[F_PASSWD];
	size_t i;

	for (i = 0; i < p->n; i++)
		if ((p->e[i].flags & E_GID_BY_NAME) &&
		    find_name(&a->files[F_GROUP], p->e[i].f[3]) == NULL)
			return gapimg_error_set(err, GAPIMG_E_NOTFOUND,
						"%s: the primary group \"%s\" of user "
						"\"%s\" does not exist; declare it in "
						"the recipe", p->e[i].origin,
						p->e[i].f[3], p->e[i].f[0]);
	for (i = 0; i < a->nm; i++)
		if (find_name(&a->files[F_GROUP], a->m[i].group) == NULL)
			return gapimg_error_set(err, GAPIMG_E_NOTFOUND,
						"%s: user \"%s\" is to be a member of "
						"group \"%s\", which does not exist; "
						"declare it in the recipe",
						a->m[i].origin, a->m[i].user,
						a->m[i].group);
	return 0;
}

int accounts_format(const struct accounts *a, const char *which,
		    int64_t epoch, struct strbuf *out, int *present,
		    struct gapimg_error *err)
{
	int w = file_index(which);
	const struct file *f;
	char days[24];
	size_t i, k;

	strbuf_reset(out);
	*present = 0;
	if (w < 0)
		return gapimg_error_set(err, GAPIMG_E_INTERNAL,
					"accounts_format: unknown file \"%s\"", which);
	if (epoch < 0)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "the build epoch "
					"%lld is before 1970", (long long)epoch);
	if (check_refs(a, err))
		return -1;
	f = &a->files[w];
	if (!f->loaded && f->n == 0)
		return 0;
	/* Whole days, as systemd-sysusers and shadow's useradd count. */
	snprintf(days, sizeof(days), "%lld", (long long)(epoch / 86400));
	for (i = 0; i < f->n; i++) {
		const struct entry *e = &f->e[i];
		int r = 0;

		if (e->f == NULL) {
			r = strbuf_addstr(out, e->raw);
		}
		for (k = 0; e->f != NULL && k < file_nfields[w] && r == 0; k++) {
			const char *v = e->f[k];
			char gid[16];

			if (k > 0)
				r = strbuf_addch(out, ':');
			if (r)
				break;
			if (w == F_PASSWD && k == 3 && (e->flags & E_GID_BY_NAME)) {
				uint32_t g = 0;

				accounts_gid(a, v, &g);
				snprintf(gid, sizeof(gid), "%u", (unsigned)g);
				v = gid;
			} else if (w == F_SHADOW && k == 2 &&
				   (e->flags & E_LASTCHG_EPOCH)) {
				v = days;
			} else if ((w == F_GROUP || w == F_GSHADOW) && k == 3) {
				r = members(a, e->f[0], v, out);
				continue;
			}
			r = strbuf_addstr(out, v);
		}
		if (r || strbuf_addch(out, '\n'))
			return gapimg_error_nomem(err);
	}
	*present = 1;
	return 0;
}
