#include "python/wheelname.h"
#include "python/chars.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapimg/error.h"
#include "python/pep508.h"

/*
 * Wheel file names and the tag list of the target interpreter.
 *
 * The tag list is built once per image (about 900 tags for CPython 3.11
 * on x86_64) and every wheel of the mirror is ranked against it, so the
 * tags are also kept in a sorted index and looked up with bsearch.
 *
 * Byte classes are tested by hand rather than with <ctype.h>: the answer
 * must not depend on the locale.
 */

/* A tag is made of lowercase-able words joined by '_' ("manylinux_2_17_x86_64"). */
static int is_tag_ch(int c)
{
	return is_alnum(c) || c == '_';
}

static int fail(char *msg, size_t msgsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *msg, size_t msgsz, const char *fmt, ...)
{
	va_list ap;

	if (msg && msgsz) {
		va_start(ap, fmt);
		vsnprintf(msg, msgsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int oom(char *msg, size_t msgsz)
{
	fail(msg, msgsz, "out of memory");
	return -2;
}

char *pep503_name(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i = 0;

	if (out == NULL)
		return NULL;
	while (i < n) {
		if (is_sep((unsigned char)s[i])) {
			while (i < n && is_sep((unsigned char)s[i]))
				i++;
			*o++ = '-';
			continue;
		}
		*o++ = (char)to_lower((unsigned char)s[i++]);
	}
	*o = '\0';
	return out;
}

void wheelname_release(struct wheelname *w)
{
	size_t i;

	free(w->dist);
	free(w->name);
	free(w->version);
	free(w->build);
	for (i = 0; i < w->npy; i++)
		free(w->py[i]);
	for (i = 0; i < w->nabi; i++)
		free(w->abi[i]);
	for (i = 0; i < w->nplat; i++)
		free(w->plat[i]);
	free(w->py);
	free(w->abi);
	free(w->plat);
	memset(w, 0, sizeof(*w));
}

/*
 * Split the tag set s[0..n) on '.' into a malloc'd array.  0, -1 when a
 * member is empty or holds a byte no tag has, -2 when out of memory.
 */
static int split_tags(const char *s, size_t n, char ***out, size_t *nout,
		      const char *what, const char *fname, char *msg,
		      size_t msgsz)
{
	size_t count = 1, i, start, k = 0;
	char **v;

	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			count++;
		else if (!is_tag_ch((unsigned char)s[i]))
			return fail(msg, msgsz,
				    "invalid %s tag '%.*s' in wheel name '%s'",
				    what, (int)n, s, fname);
	}
	v = calloc(count, sizeof(*v));
	if (v == NULL)
		return oom(msg, msgsz);
	*out = v;
	start = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (i == start) {
			*nout = k;
			return fail(msg, msgsz,
				    "empty %s tag in '%.*s' in wheel name '%s'",
				    what, (int)n, s, fname);
		}
		v[k] = memdup_str(s + start, i - start);
		if (v[k] == NULL) {
			*nout = k;
			return oom(msg, msgsz);
		}
		k++;
		start = i + 1;
	}
	*nout = k;
	return 0;
}

/*
 * The distribution part: [A-Za-z0-9._], starting and ending with a letter
 * or digit ('-' is escaped as '_' in wheel names).  Like packaging, "__"
 * is refused: no name normalises to it.
 */
static int dist_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !is_alnum((unsigned char)s[0]) ||
	    !is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.')
			return 0;
		if (s[i] == '_' && i + 1 < n && s[i + 1] == '_')
			return 0;
	}
	return 1;
}

/*
 * The longest file name Linux file systems hold (NAME_MAX).  A longer
 * name (a link on a simple page) cannot be a file of the mirror, and its
 * tag sets could hold thousands of tags each: pytags_rank() would try
 * billions of combinations (a 3.6 KB name took over a minute under ASan).  At 255 bytes
 * there are at most about 40 * 40 * 40.
 */
#define WHEEL_NAME_MAX 255

static int parse(const char *f, struct wheelname *w, char *msg, size_t msgsz)
{
	const char *part[6];
	size_t plen[6], n = strlen(f), i, nparts = 0, start = 0;
	int r;

	if (n < 4 || memcmp(f + n - 4, ".whl", 4) != 0)
		return fail(msg, msgsz,
			    "'%s' is not a wheel name: it does not end in .whl",
			    f);
	if (n > WHEEL_NAME_MAX)
		return fail(msg, msgsz,
			    "'%.48s...' is not a wheel name: it is %zu bytes long, and a file name has at most %d",
			    f, n, WHEEL_NAME_MAX);
	n -= 4;
	for (i = 0; i <= n; i++) {
		if (i < n && f[i] != '-')
			continue;
		if (nparts == 6) {
			nparts++;
			break;
		}
		part[nparts] = f + start;
		plen[nparts] = i - start;
		nparts++;
		start = i + 1;
	}
	if (nparts != 5 && nparts != 6)
		return fail(msg, msgsz,
			    "'%s' is not a wheel name: it needs NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl",
			    f);

	if (!dist_valid(part[0], plen[0]))
		return fail(msg, msgsz, "invalid name '%.*s' in wheel name '%s'",
			    (int)plen[0], part[0], f);
	if (!pep440_version_valid(part[1], plen[1], 1))
		return fail(msg, msgsz,
			    "invalid version '%.*s' in wheel name '%s'",
			    (int)plen[1], part[1], f);
	w->dist = memdup_str(part[0], plen[0]);
	w->name = pep503_name(part[0], plen[0]);
	w->version = memdup_str(part[1], plen[1]);
	if (w->dist == NULL || w->name == NULL || w->version == NULL)
		return oom(msg, msgsz);

	if (nparts == 6) {
		const char *b = part[2];
		size_t bl = plen[2];
		uint64_t num = 0;

		if (bl == 0 || !is_digit((unsigned char)b[0]))
			return fail(msg, msgsz,
				    "invalid build tag '%.*s' in wheel name '%s': it must start with a digit",
				    (int)bl, b, f);
		for (i = 0; i < bl && is_digit((unsigned char)b[i]); i++) {
			unsigned d = (unsigned)(b[i] - '0');

			if (num > (UINT64_MAX - d) / 10)
				return fail(msg, msgsz,
					    "build tag '%.*s' in wheel name '%s' is too large",
					    (int)bl, b, f);
			num = num * 10 + d;
		}
		for (; i < bl; i++)
			if (!is_tag_ch((unsigned char)b[i]) && b[i] != '.')
				return fail(msg, msgsz,
					    "invalid build tag '%.*s' in wheel name '%s'",
					    (int)bl, b, f);
		w->build = memdup_str(b, bl);
		if (w->build == NULL)
			return oom(msg, msgsz);
		w->build_num = num;
	}

	i = nparts - 3;
	r = split_tags(part[i], plen[i], &w->py, &w->npy, "python", f, msg,
		       msgsz);
	if (r == 0)
		r = split_tags(part[i + 1], plen[i + 1], &w->abi, &w->nabi,
			       "abi", f, msg, msgsz);
	if (r == 0)
		r = split_tags(part[i + 2], plen[i + 2], &w->plat, &w->nplat,
			       "platform", f, msg, msgsz);
	return r;
}

int wheelname_parse(const char *filename, struct wheelname *w, char *msg,
		    size_t msgsz)
{
	int r;

	memset(w, 0, sizeof(*w));
	if (msg && msgsz)
		msg[0] = '\0';
	r = parse(filename, w, msg, msgsz);
	if (r != 0)
		wheelname_release(w);
	return r;
}

/* ---- the tags of the target ---- */

struct pytag {
	char *tag;
	unsigned glibc_minor;
};

struct sorted {
	const char *tag;
	size_t index;             /* into pytags.v */
};

struct pytags {
	struct pytag *v;
	size_t n, alloc;
	struct sorted *sorted;    /* the same tags, by strcmp */
};

static int add_tag(struct pytags *t, const char *py, const char *abi,
		   const char *plat, unsigned glibc_minor)
{
	size_t len = strlen(py) + strlen(abi) + strlen(plat) + 3;
	char *s;

	if (gapimg_grow((void **)&t->v, &t->alloc, t->n, sizeof(*t->v)) != 0)
		return -1;
	s = malloc(len);
	if (s == NULL)
		return -1;
	snprintf(s, len, "%s-%s-%s", py, abi, plat);
	t->v[t->n].tag = s;
	t->v[t->n].glibc_minor = glibc_minor;
	t->n++;
	return 0;
}

/* Longest platform tag we make: "manylinux_2_NNNNNNNNNN_" + machine. */
#define PLAT_MAX 128

struct plat {
	char name[PLAT_MAX];
	unsigned glibc_minor;
};

/*
 * The platform tags, best first: manylinux_2_<glibc_minor> down to the
 * oldest glibc the machine has manylinux wheels for (2.5 for x86_64 and
 * i686, 2.17 for the others), each legacy alias right after the PEP 600
 * tag it stands for; then the bare linux_<machine>.
 */
static struct plat *platforms(const char *machine, unsigned glibc_minor,
			      size_t *np)
{
	int old = !strcmp(machine, "x86_64") || !strcmp(machine, "i686");
	unsigned low = old ? 5 : 17, m;
	size_t n = 0, max = 2;
	struct plat *p;

	if (glibc_minor >= low)
		max += 2 * (size_t)(glibc_minor - low + 1);
	p = calloc(max, sizeof(*p));
	if (p == NULL)
		return NULL;
	for (m = glibc_minor; m >= low && glibc_minor >= low; m--) {
		snprintf(p[n].name, PLAT_MAX, "manylinux_2_%u_%s", m, machine);
		p[n++].glibc_minor = m;
		/* manylinux1 and manylinux2010 only ever existed for x86. */
		if (m == 17 || (old && (m == 12 || m == 5))) {
			snprintf(p[n].name, PLAT_MAX, "manylinux%s_%s",
				 m == 17 ? "2014" : m == 12 ? "2010" : "1",
				 machine);
			p[n++].glibc_minor = m;
		}
	}
	snprintf(p[n].name, PLAT_MAX, "linux_%s", machine);
	p[n++].glibc_minor = 0;
	*np = n;
	return p;
}

static int cmp_sorted(const void *a, const void *b)
{
	return strcmp(((const struct sorted *)a)->tag,
		      ((const struct sorted *)b)->tag);
}

/* The tags are all different, so qsort's instability does not matter. */
static int build_index(struct pytags *t)
{
	size_t i;

	t->sorted = malloc((t->n ? t->n : 1) * sizeof(*t->sorted));
	if (t->sorted == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		t->sorted[i].tag = t->v[i].tag;
		t->sorted[i].index = i;
	}
	qsort(t->sorted, t->n, sizeof(*t->sorted), cmp_sorted);
	return 0;
}

static int make_tags(struct pytags *t, unsigned major, unsigned minor,
		     const struct plat *plat, size_t np)
{
	char interp[32], abi[40], py[32];
	size_t i;
	unsigned m, v;
	int any, abi3 = major == 3 && minor >= 2;

	snprintf(interp, sizeof(interp), "cp%u%u", major, minor);
	/* CPython before 3.8 is built with pymalloc: "cp37m". */
	snprintf(abi, sizeof(abi), "%s%s", interp,
		 major == 3 && minor < 8 ? "m" : "");

	/* 1. The interpreter's own ABI, the stable ABI, no ABI. */
	for (i = 0; i < np; i++)
		if (add_tag(t, interp, abi, plat[i].name, plat[i].glibc_minor))
			return -1;
	if (abi3)
		for (i = 0; i < np; i++)
			if (add_tag(t, interp, "abi3", plat[i].name,
				    plat[i].glibc_minor))
				return -1;
	for (i = 0; i < np; i++)
		if (add_tag(t, interp, "none", plat[i].name,
			    plat[i].glibc_minor))
			return -1;
	/* The stable ABI of every older 3.x down to 3.2. */
	for (m = minor; abi3 && m-- > 2;) {
		snprintf(py, sizeof(py), "cp%u%u", major, m);
		for (i = 0; i < np; i++)
			if (add_tag(t, py, "abi3", plat[i].name,
				    plat[i].glibc_minor))
				return -1;
	}

	/*
	 * 2. and 3. Pure Python for a platform, then for any: pyXY, pyX,
	 * then every older pyX(Y-1) .. pyX0.  Like pip 23 (packaging 21.3)
	 * and unlike later packaging, "cpXY-none-any" is not in the list.
	 */
	for (any = 0; any < 2; any++) {
		/* v = 0: pyXY, 1: pyX, 2..: pyX(Y-1) .. pyX0 */
		for (v = 0; v < minor + 2; v++) {
			if (v == 0)
				snprintf(py, sizeof(py), "py%u%u", major, minor);
			else if (v == 1)
				snprintf(py, sizeof(py), "py%u", major);
			else
				snprintf(py, sizeof(py), "py%u%u", major,
					 minor + 1 - v);
			if (any) {
				if (add_tag(t, py, "none", "any", 0))
					return -1;
				continue;
			}
			for (i = 0; i < np; i++)
				if (add_tag(t, py, "none", plat[i].name,
					    plat[i].glibc_minor))
					return -1;
		}
	}
	return 0;
}

struct pytags *pytags_new(unsigned major, unsigned minor, const char *machine,
			  unsigned glibc_minor)
{
	struct pytags *t;
	struct plat *plat;
	size_t np;

	/* Keep every generated tag within PLAT_MAX and the loops small. */
	if (strlen(machine) > 64 || glibc_minor > 1000 || minor > 1000)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	plat = platforms(machine, glibc_minor, &np);
	if (plat == NULL || make_tags(t, major, minor, plat, np) != 0 ||
	    build_index(t) != 0) {
		free(plat);
		pytags_free(t);
		return NULL;
	}
	free(plat);
	return t;
}

void pytags_free(struct pytags *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i].tag);
	free(t->v);
	free(t->sorted);
	free(t);
}

size_t pytags_count(const struct pytags *t)
{
	return t->n;
}

const char *pytags_get(const struct pytags *t, size_t i)
{
	return i < t->n ? t->v[i].tag : NULL;
}

/* Index of key in t, or -1. */
static long lookup(const struct pytags *t, const char *key)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, t->sorted[mid].tag);

		if (c == 0)
			return (long)t->sorted[mid].index;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Longest "py-abi-plat" worth looking up: longer than any tag we make. */
#define KEY_MAX 256

long pytags_rank(const struct pytags *t, const struct wheelname *w,
		 unsigned *glibc_minor)
{
	char key[KEY_MAX];
	size_t a, b, c, k;
	long best = -1;

	for (a = 0; a < w->npy; a++)
		for (b = 0; b < w->nabi; b++)
			for (c = 0; c < w->nplat; c++) {
				int n = snprintf(key, sizeof(key), "%s-%s-%s",
						 w->py[a], w->abi[b],
						 w->plat[c]);
				long r;

				if (n < 0 || (size_t)n >= sizeof(key))
					continue;
				/* Tags compare case-insensitively, as in
				 * packaging. */
				for (k = 0; key[k]; k++)
					key[k] = (char)to_lower(
						(unsigned char)key[k]);
				r = lookup(t, key);
				if (r >= 0 && (best < 0 || r < best))
					best = r;
			}
	if (glibc_minor)
		*glibc_minor = best >= 0 ? t->v[best].glibc_minor : 0;
	return best;
}
