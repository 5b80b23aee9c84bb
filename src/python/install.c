#include "python/install.h"
#include "python/chars.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "python/pep440.h"
#include "python/wheelname.h"

/*
 * Wheels are zip files read with libarchive's seekable zip reader: it
 * finds the members through the central directory and reads them in the
 * order of their local headers (a fixed order for given bytes).  It takes
 * each name from the local header without comparing it with the central
 * directory's, and normalises names to Unicode NFC; RECORD must name the
 * members as libarchive reports them (pip reads the central directory
 * instead, so a wheel whose two directories disagree can install under
 * other names here: it has to match RECORD all the same).
 *
 * A wheel is read twice.  Pass 1 lists the members and keeps the texts of
 * the .dist-info folder (METADATA, WHEEL, RECORD, entry_points.txt); from
 * them everything is planned and checked before a single byte reaches
 * emit(): where each member goes, that RECORD and the member list agree,
 * that no two files land on the same path.  Pass 2 streams the members to
 * emit(), hashing what is read, and then the generated files follow.
 *
 * Byte classes are tested by hand (never <ctype.h>): names are arbitrary
 * bytes and the answer must not depend on the locale.
 */

enum { T_METADATA, T_WHEEL, T_RECORD, T_ENTRY, NTEXT };

static const char *const text_names[NTEXT] = {
	"METADATA", "WHEEL", "RECORD", "entry_points.txt",
};

/* A "#!python" first line longer than this is refused. */
#define SHEBANG_SCAN_MAX ((size_t)64 << 10)
/* Longest "#!interpreter" line old kernels run (BINPRM_BUF_SIZE was 128). */
#define SHEBANG_MAX 127
#define COPY_BUF ((size_t)64 << 10)
#define NOROW ((size_t)-1)

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int str_ieq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++)
		if (b[i] == '\0' || to_lower((unsigned char)a[i]) != to_lower((unsigned char)b[i]))
			return 0;
	return b[alen] == '\0';
}

static int has_suffix(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len >= n && memcmp(s + len - n, suf, n) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ------------------------------------------------------------------ */
/* Hashes */

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* RECORD's spelling: urlsafe base64 without padding. */
static void b64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i;
	char *o = out;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = b64url[in[i] >> 2];
		*o++ = b64url[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*o++ = b64url[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*o++ = b64url[in[i + 2] & 63];
	}
	if (len - i == 1) {
		*o++ = b64url[in[i] >> 2];
		*o++ = b64url[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		*o++ = b64url[in[i] >> 2];
		*o++ = b64url[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*o++ = b64url[(in[i + 1] & 15) << 2];
	}
	*o = '\0';
}

static int is_b64url(int c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

/* The digests RECORD may use.  MD5 and SHA-1 are refused: a collision
 * would let a changed member pass. */
static const EVP_MD *record_md(const char *algo)
{
	if (strcmp(algo, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(algo, "sha384") == 0)
		return EVP_sha384();
	if (strcmp(algo, "sha512") == 0)
		return EVP_sha512();
	return NULL;
}

/* "sha256=<b64>" of buf, into out (at least 8 + 44 bytes). */
static int sha256_field(const void *buf, size_t len, char *out, size_t outsz)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (outsz < 8 + 44 || EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	memcpy(out, "sha256=", 7);
	b64_encode(md, mdlen, out + 7);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Member names */

/* Is s[0..len) valid UTF-8 (no overlongs, no surrogates)? */
static int utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned cp, min;

	while (i < len) {
		unsigned c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * Why the member name cannot be installed, or NULL when it is clean: a
 * relative path of non-empty components, none "." or "..", no backslash
 * (a separator elsewhere), no control bytes, valid UTF-8.  A folder entry
 * may end with one '/'.
 */
static const char *bad_name(const char *name, int isdir)
{
	size_t len = strlen(name), i, start;

	if (len == 0)
		return "an empty name";
	if (name[0] == '/')
		return "an absolute path";
	if (isdir && name[len - 1] == '/')
		len--;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			return "a control character in its name";
		if (c == '\\')
			return "a backslash in its name";
	}
	if (!utf8_valid((const unsigned char *)name, len))
		return "a name that is not UTF-8";
	for (start = 0; start <= len; start = i + 1) {
		for (i = start; i < len && name[i] != '/'; i++)
			;
		if (i == start)
			return "an empty path component";
		if (i - start == 1 && name[start] == '.')
			return "a '.' component";
		if (i - start == 2 && name[start] == '.' && name[start + 1] == '.')
			return "a '..' component";
	}
	return NULL;
}

/* An absolute image path: "/" or "/" followed by a clean relative path. */
static int abs_path_ok(const char *p)
{
	return p != NULL && p[0] == '/' && (p[1] == '\0' || bad_name(p + 1, 0) == NULL);
}

/* base + "/" + rel, without doubling the root's slash. */
static char *join(const char *base, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_addstr(&sb, base) != 0 ||
	    (strcmp(base, "/") != 0 && strbuf_addch(&sb, '/') != 0) ||
	    strbuf_addstr(&sb, rel) != 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* Is path inside the folder dir (both absolute and clean)? */
static int inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/' && path[1] != '\0';
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

/* The path of target relative to the folder base (both absolute, clean;
 * base may be "/"), with "../" to climb out of base. */
static int relpath(const char *base, const char *target, struct strbuf *out)
{
	size_t bl = strcmp(base, "/") == 0 ? 0 : strlen(base), c = 0, i, up = 0;

	/* The longest run of whole components both start with. */
	for (i = 1; i <= bl; i++) {
		if (i < bl && base[i] != '/')
			continue;
		if (strncmp(base, target, i) != 0 || target[i] != '/')
			break;
		c = i;
	}
	for (i = c; i < bl; i++)
		if (base[i] == '/')
			up++;
	for (i = 0; i < up; i++)
		if (strbuf_addstr(out, "../") != 0)
			return -1;
	return strbuf_addstr(out, target + c + 1);
}

/* ------------------------------------------------------------------ */
/* Reading the zip */

struct zmember {
	char *name;
	uint64_t size;
	unsigned zmode;           /* archive_entry_mode() */
	int isdir;
	/* The plan. */
	size_t row;               /* RECORD row, or NOROW */
	char *dest;               /* image path, or NULL: not installed */
	uint16_t mode;
	int script;               /* under .data/scripts: #!python rewrite */
	int dropped;              /* a wrapper a launcher replaces: checked,
				   * not installed */
	/* After streaming: the installed content. */
	char hash[8 + 2 * EVP_MAX_MD_SIZE];
	uint64_t outsize;
};

struct zip {
	struct archive *a;
	locale_t loc, old;
};

struct scan {
	const char *path;
	const char *what;         /* names the wheel in messages */
	struct zmember *m;
	size_t n, alloc;
	char **folders;           /* top-level "*.dist-info" folders, zip order */
	size_t nfolders, afolders;
	int has_text[NTEXT];      /* ... of folders[0] */
	struct strbuf text[NTEXT];
};

/*
 * Member names are UTF-8 in wheels; libarchive converts them to the
 * locale's charset and fails on non-ASCII names in the C locale.  The
 * thread's LC_CTYPE is switched to C.UTF-8 while the archive is open,
 * which also makes the names independent of the user's locale.
 */
static int zip_open(struct zip *z, const char *path, const char *what,
		    struct gapimg_error *err)
{
	locale_t base;

	z->old = (locale_t)0;
	z->loc = (locale_t)0;
	base = duplocale(uselocale((locale_t)0));
	if (base != (locale_t)0) {
		z->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", base);
		if (z->loc == (locale_t)0)
			freelocale(base);
		else
			z->old = uselocale(z->loc);
	}
	z->a = archive_read_new();
	if (z->a == NULL)
		goto nomem;
	if (archive_read_support_format_zip_seekable(z->a) != ARCHIVE_OK) {
		gapimg_error_set(err, GAPIMG_E_INTERNAL, "%s: libarchive cannot read zip files: %s",
				 what, archive_error_string(z->a));
		goto fail;
	}
	if (archive_read_open_filename(z->a, path, COPY_BUF) != ARCHIVE_OK) {
		int e = archive_errno(z->a);

		/* libarchive says EILSEQ (its ARCHIVE_ERRNO_FILE_FORMAT) for
		 * "Unrecognized archive format". */
		if (e == EILSEQ || e <= 0)
			gapimg_error_set(err, GAPIMG_E_CORRUPT,
					 "%s is not a wheel: not a zip archive (libarchive: %s)",
					 what, archive_error_string(z->a));
		else
			gapimg_error_errno(err, e, "cannot read %s", path);
		goto fail;
	}
	return 0;
nomem:
	gapimg_error_nomem(err);
fail:
	if (z->a != NULL)
		archive_read_free(z->a);
	z->a = NULL;
	if (z->loc != (locale_t)0) {
		uselocale(z->old);
		freelocale(z->loc);
	}
	return -1;
}

static void zip_close(struct zip *z)
{
	if (z->a != NULL)
		archive_read_free(z->a);
	z->a = NULL;
	if (z->loc != (locale_t)0) {
		uselocale(z->old);
		freelocale(z->loc);
		z->loc = (locale_t)0;
	}
}

/* The next entry: 1, 0 at the end, -1 on error. */
static int zip_next(struct zip *z, struct archive_entry **e, const char *what,
		    struct gapimg_error *err)
{
	int r = archive_read_next_header(z->a, e);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s is not a wheel: damaged zip archive (libarchive: %s)",
					what, archive_error_string(z->a));
	if (archive_entry_pathname_utf8(*e) == NULL)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: a member has a name that cannot be read", what);
	return 1;
}

static void scan_release(struct scan *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->m[i].name);
		free(s->m[i].dest);
	}
	free(s->m);
	for (i = 0; i < s->nfolders; i++)
		free(s->folders[i]);
	free(s->folders);
	for (i = 0; i < NTEXT; i++)
		strbuf_release(&s->text[i]);
}

static int read_text(struct zip *z, struct scan *s, const char *name, struct strbuf *sb,
		     struct gapimg_error *err)
{
	char buf[8192];
	la_ssize_t n;

	strbuf_reset(sb);
	while ((n = archive_read_data(z->a, buf, sizeof(buf))) > 0) {
		if (sb->len + (size_t)n > PYWHEEL_TEXT_MAX)
			return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
						"%s: member %s is larger than %zu bytes",
						s->what, name, PYWHEEL_TEXT_MAX);
		if (strbuf_add(sb, buf, (size_t)n) != 0)
			return gapimg_error_nomem(err);
	}
	if (n < 0)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: member %s cannot be read (libarchive: %s)",
					s->what, name, archive_error_string(z->a));
	return 0;
}

/* Which top-level .dist-info folder name starts member name, if any:
 * its length, or 0. */
static size_t distinfo_prefix(const char *name)
{
	const char *slash = strchr(name, '/');

	if (slash == NULL || slash == name)
		return 0;
	if (!has_suffix(name, (size_t)(slash - name), ".dist-info") ||
	    slash - name == (ptrdiff_t)strlen(".dist-info"))
		return 0;
	return (size_t)(slash - name);
}

/* Pass 1: the member list, the .dist-info folders and the texts of the
 * first one. */
static int scan_wheel(struct scan *s, struct gapimg_error *err)
{
	struct zip z;
	struct archive_entry *e;
	char **sorted = NULL;
	size_t i, k;
	int r;

	if (zip_open(&z, s->path, s->what, err) != 0)
		return -1;
	while ((r = zip_next(&z, &e, s->what, err)) > 0) {
		const char *name = archive_entry_pathname_utf8(e);
		struct zmember *m;
		const char *why;
		size_t dlen;
		int ft = (int)archive_entry_filetype(e);
		int isdir = ft == AE_IFDIR || has_suffix(name, strlen(name), "/");

		if (isdir && ft != AE_IFDIR && ft != AE_IFREG)
			ft = -1;
		if (ft != AE_IFREG && ft != AE_IFDIR) {
			gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
					 "%s: member %s is a %s; wheels hold only files and folders",
					 s->what, name,
					 ft == AE_IFLNK ? "symbolic link" : "special file");
			goto fail;
		}
		why = bad_name(name, isdir);
		if (why != NULL) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "%s: member %s has %s",
					 s->what, name, why);
			goto fail;
		}
		if (archive_entry_is_encrypted(e)) {
			gapimg_error_set(err, GAPIMG_E_UNSUPPORTED, "%s: member %s is encrypted",
					 s->what, name);
			goto fail;
		}
		if (!isdir && !archive_entry_size_is_set(e)) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT,
					 "%s: member %s has no size in the zip directory",
					 s->what, name);
			goto fail;
		}
		if (gapimg_grow((void **)&s->m, &s->alloc, s->n, sizeof(*s->m)) != 0)
			goto nomem;
		m = &s->m[s->n];
		memset(m, 0, sizeof(*m));
		m->name = strdup(name);
		if (m->name == NULL)
			goto nomem;
		s->n++;
		m->isdir = isdir;
		m->size = isdir ? 0 : (uint64_t)archive_entry_size(e);
		m->zmode = (unsigned)archive_entry_mode(e);
		m->row = NOROW;

		dlen = distinfo_prefix(name);
		if (dlen == 0)
			continue;
		for (i = 0; i < s->nfolders; i++)
			if (strlen(s->folders[i]) == dlen && memcmp(s->folders[i], name, dlen) == 0)
				break;
		if (i == s->nfolders) {
			if (gapimg_grow((void **)&s->folders, &s->afolders, s->nfolders,
					sizeof(*s->folders)) != 0)
				goto nomem;
			s->folders[i] = memdup_str(name, dlen);
			if (s->folders[i] == NULL)
				goto nomem;
			s->nfolders++;
		}
		if (i != 0 || isdir)
			continue;
		for (k = 0; k < NTEXT; k++) {
			if (strcmp(name + dlen + 1, text_names[k]) != 0)
				continue;
			if (m->size > PYWHEEL_TEXT_MAX) {
				gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
						 "%s: member %s is larger than %zu bytes",
						 s->what, name, PYWHEEL_TEXT_MAX);
				goto fail;
			}
			if (read_text(&z, s, name, &s->text[k], err) != 0)
				goto fail;
			s->has_text[k] = 1;
		}
	}
	if (r < 0)
		goto fail;
	zip_close(&z);

	/* A name twice would give two views of one path. */
	if (s->n > 0) {
		sorted = malloc(s->n * sizeof(*sorted));
		if (sorted == NULL)
			return gapimg_error_nomem(err);
		for (i = 0; i < s->n; i++)
			sorted[i] = s->m[i].name;
		qsort(sorted, s->n, sizeof(*sorted), cmp_str);
		for (i = 1; i < s->n; i++) {
			if (strcmp(sorted[i - 1], sorted[i]) == 0) {
				gapimg_error_set(err, GAPIMG_E_CORRUPT,
						 "%s: member %s is in the zip twice",
						 s->what, sorted[i]);
				free(sorted);
				return -1;
			}
		}
		free(sorted);
	}
	return 0;
nomem:
	gapimg_error_nomem(err);
fail:
	zip_close(&z);
	return -1;
}

/* ------------------------------------------------------------------ */
/* The .dist-info folder */

/* Are the version strings a[0..alen) and b the same PEP 440 version,
 * spelled alike once normalised?  Strings that do not parse must be
 * equal byte for byte. */
static int same_version(const char *a, size_t alen, const char *b, int *nomem)
{
	struct pep440 va, vb;
	char *sa, *sb;
	int ra, rb, same;

	ra = pep440_parse(a, alen, &va);
	rb = pep440_parse(b, strlen(b), &vb);
	if (ra == -2 || rb == -2) {
		*nomem = 1;
		same = 0;
	} else if (ra != 0 || rb != 0) {
		same = strlen(b) == alen && memcmp(a, b, alen) == 0;
	} else {
		sa = pep440_str(&va);
		sb = pep440_str(&vb);
		if (sa == NULL || sb == NULL)
			*nomem = 1;
		same = sa != NULL && sb != NULL && strcmp(sa, sb) == 0;
		free(sa);
		free(sb);
	}
	if (ra == 0)
		pep440_release(&va);
	if (rb == 0)
		pep440_release(&vb);
	return same;
}

/* Does "{dist}-{version}" (the folder name without .dist-info) name the
 * distribution name at version?  Folder names escape '-' in the name as
 * '_', but older tools did not, so every '-' is tried as the split. */
static int base_matches(const char *base, size_t blen, const char *name, const char *version,
			int *nomem)
{
	char *want = pep503_name(name, strlen(name)), *got;
	size_t i;
	int ok = 0;

	if (want == NULL) {
		*nomem = 1;
		return 0;
	}
	for (i = 1; i + 1 < blen && !ok && !*nomem; i++) {
		if (base[i] != '-')
			continue;
		got = pep503_name(base, i);
		if (got == NULL) {
			*nomem = 1;
			break;
		}
		ok = strcmp(got, want) == 0 &&
		     same_version(base + i + 1, blen - i - 1, version, nomem);
		free(got);
	}
	free(want);
	return ok;
}

/* The one .dist-info folder, with METADATA, for name and version. */
static int check_distinfo(struct scan *s, const char *name, const char *version,
			  struct gapimg_error *err)
{
	struct strbuf list = STRBUF_INIT;
	const char *f, *dash;
	size_t i, blen;
	int nomem = 0;

	if (s->nfolders > 1) {
		for (i = 0; i < s->nfolders; i++)
			if (strbuf_addf(&list, "%s%s", i ? ", " : "", s->folders[i]) != 0) {
				strbuf_release(&list);
				return gapimg_error_nomem(err);
			}
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "%s has %zu .dist-info folders (%s)",
				 s->what, s->nfolders, list.buf);
		strbuf_release(&list);
		return -1;
	}
	if (s->nfolders == 0 || !s->has_text[T_METADATA])
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s has no .dist-info folder with a METADATA file", s->what);
	f = s->folders[0];
	blen = strlen(f) - strlen(".dist-info");
	if (base_matches(f, blen, name, version, &nomem))
		return 0;
	if (nomem)
		return gapimg_error_nomem(err);
	dash = memchr(f, '-', blen);
	if (dash == NULL)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: the .dist-info folder %s does not say a version, "
					"but the file name says %s %s", s->what, f, name, version);
	return gapimg_error_set(err, GAPIMG_E_CORRUPT,
				"%s: the .dist-info folder is for %.*s %.*s, but the file name says %s %s",
				s->what, (int)(dash - f), f, (int)(blen - (size_t)(dash - f) - 1),
				dash + 1, name, version);
}

int pywheel_read_metadata(const char *path, const char *name, const char *version,
			  struct strbuf *out, char **distinfo, struct gapimg_error *err)
{
	struct scan s;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	for (size_t k = 0; k < NTEXT; k++)
		strbuf_init(&s.text[k]);
	s.path = path;
	s.what = path;
	if (distinfo != NULL)
		*distinfo = NULL;
	if (scan_wheel(&s, err) != 0 || check_distinfo(&s, name, version, err) != 0)
		goto out;
	if (strbuf_add(out, s.text[T_METADATA].buf, s.text[T_METADATA].len) != 0) {
		gapimg_error_nomem(err);
		goto out;
	}
	if (distinfo != NULL) {
		*distinfo = strdup(s.folders[0]);
		if (*distinfo == NULL) {
			gapimg_error_nomem(err);
			goto out;
		}
	}
	ret = 0;
out:
	scan_release(&s);
	return ret;
}

/* ------------------------------------------------------------------ */
/* WHEEL */

/* The value of header key in an RFC 822 style text: 1 found (*v, *vlen),
 * 0 absent, -1 said twice. */
static int header_get(const struct strbuf *t, const char *key, const char **v, size_t *vlen)
{
	const char *p = t->buf, *end = t->buf + t->len;
	int found = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *colon, *vs, *ve;

		if (eol == NULL)
			eol = end;
		ve = eol;
		if (ve > p && ve[-1] == '\r')
			ve--;
		if (ve == p)
			break; /* the headers end at the first empty line */
		colon = memchr(p, ':', (size_t)(ve - p));
		if (colon != NULL && !is_ws((unsigned char)*p) &&
		    str_ieq(p, (size_t)(colon - p), key)) {
			if (found)
				return -1;
			for (vs = colon + 1; vs < ve && is_ws((unsigned char)*vs); vs++)
				;
			while (ve > vs && is_ws((unsigned char)ve[-1]))
				ve--;
			*v = vs;
			*vlen = (size_t)(ve - vs);
			found = 1;
		}
		p = eol < end ? eol + 1 : end;
	}
	return found;
}

/* Wheel-Version 0.x or 1.x; Root-Is-Purelib true or false. */
static int check_wheel_file(struct scan *s, int *purelib, struct gapimg_error *err)
{
	const char *v;
	size_t vlen, i;
	int r;

	if (!s->has_text[T_WHEEL])
		return gapimg_error_set(err, GAPIMG_E_CORRUPT, "%s has no %s/WHEEL file",
					s->what, s->folders[0]);
	r = header_get(&s->text[T_WHEEL], "Wheel-Version", &v, &vlen);
	if (r == 0)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT, "%s: WHEEL has no Wheel-Version",
					s->what);
	if (r < 0)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: WHEEL says Wheel-Version twice", s->what);
	for (i = 0; i < vlen && is_digit((unsigned char)v[i]); i++)
		;
	if (i == 0 || i + 1 >= vlen || v[i] != '.') {
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: WHEEL has a malformed Wheel-Version '%.*s'",
					s->what, (int)vlen, v);
	}
	for (i++; i < vlen; i++)
		if (!is_digit((unsigned char)v[i]))
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: WHEEL has a malformed Wheel-Version '%.*s'",
						s->what, (int)vlen, v);
	/* PEP 427: refuse a newer major version; the 0.x wheels of 2012's
	 * tools have the same layout, and pip installs them */
	if (!((v[0] == '1' || v[0] == '0') && v[1] == '.'))
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
					"%s: Wheel-Version %.*s is not supported (only 0.x and "
					"1.x are)", s->what, (int)vlen, v);

	r = header_get(&s->text[T_WHEEL], "Root-Is-Purelib", &v, &vlen);
	if (r < 0)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: WHEEL says Root-Is-Purelib twice", s->what);
	if (r > 0 && str_ieq(v, vlen, "true"))
		*purelib = 1;
	else if (r > 0 && str_ieq(v, vlen, "false"))
		*purelib = 0;
	else if (r == 0)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: WHEEL has no Root-Is-Purelib", s->what);
	else
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: WHEEL has Root-Is-Purelib '%.*s' (true or false expected)",
					s->what, (int)vlen, v);
	return 0;
}

/* ------------------------------------------------------------------ */
/* RECORD */

struct row {
	char *path;
	char *hash;               /* "" when none */
	char *size;               /* "" when none */
	size_t line;
};

struct rows {
	struct row *r;
	size_t n, alloc;
};

static void rows_release(struct rows *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->r[i].path);
		free(rs->r[i].hash);
		free(rs->r[i].size);
	}
	free(rs->r);
}

/* RFC 4180 CSV: three fields a row, '"' quotes, LF or CRLF line ends. */
static int parse_record(const struct strbuf *t, struct rows *rs, const char *what,
			struct gapimg_error *err)
{
	const char *p = t->buf, *end = t->buf + t->len;
	struct strbuf field[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	struct strbuf extra = STRBUF_INIT;
	size_t line = 1, nf, k;
	const char *why = NULL;

	while (p < end) {
		size_t row_line = line;

		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			p += *p == '\r' ? 2 : 1;
			line++;
			continue;
		}
		for (k = 0; k < 3; k++)
			strbuf_reset(&field[k]);
		nf = 0;
		for (;;) {
			struct strbuf *f = nf < 3 ? &field[nf] : &extra;

			strbuf_reset(&extra);
			if (p < end && *p == '"') {
				for (p++;; p++) {
					if (p == end) {
						why = "an unterminated quoted field";
						goto bad;
					}
					if (*p == '"') {
						if (p + 1 < end && p[1] == '"') {
							p++;
						} else {
							p++;
							break;
						}
					} else if (*p == '\n') {
						line++;
					}
					if (strbuf_addch(f, *p) != 0)
						goto nomem;
				}
				if (p < end && *p != ',' && *p != '\n' &&
				    !(*p == '\r' && p + 1 < end && p[1] == '\n')) {
					why = "text after a closing quote";
					goto bad;
				}
			} else {
				const char *s = p;

				while (p < end && *p != ',' && *p != '\n' && *p != '\r' && *p != '"')
					p++;
				if (p < end && (*p == '"' ||
				    (*p == '\r' && !(p + 1 < end && p[1] == '\n')))) {
					why = *p == '"' ? "a quote inside an unquoted field"
							: "a carriage return inside a field";
					goto bad;
				}
				if (strbuf_add(f, s, (size_t)(p - s)) != 0)
					goto nomem;
			}
			nf++;
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			break;
		}
		if (p < end) {
			p += *p == '\r' ? 2 : 1;
			line++;
		}
		if (nf != 3) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT,
					 "%s: RECORD line %zu has %zu fields (path,hash,size expected)",
					 what, row_line, nf);
			goto fail;
		}
		for (k = 0; k < 3; k++)
			if (strlen(field[k].buf) != field[k].len) {
				why = "a NUL byte";
				line = row_line;
				goto bad;
			}
		if (gapimg_grow((void **)&rs->r, &rs->alloc, rs->n, sizeof(*rs->r)) != 0)
			goto nomem;
		rs->r[rs->n].path = strbuf_detach(&field[0]);
		rs->r[rs->n].hash = strbuf_detach(&field[1]);
		rs->r[rs->n].size = strbuf_detach(&field[2]);
		rs->r[rs->n].line = row_line;
		if (rs->r[rs->n].path == NULL || rs->r[rs->n].hash == NULL ||
		    rs->r[rs->n].size == NULL) {
			free(rs->r[rs->n].path);
			free(rs->r[rs->n].hash);
			free(rs->r[rs->n].size);
			goto nomem;
		}
		rs->n++;
	}
	for (k = 0; k < 3; k++)
		strbuf_release(&field[k]);
	strbuf_release(&extra);
	return 0;
bad:
	gapimg_error_set(err, GAPIMG_E_CORRUPT, "%s: RECORD line %zu has %s", what, line, why);
	goto fail;
nomem:
	gapimg_error_nomem(err);
fail:
	for (k = 0; k < 3; k++)
		strbuf_release(&field[k]);
	strbuf_release(&extra);
	return -1;
}

/* ------------------------------------------------------------------ */
/* entry_points.txt */

struct launcher {
	char *name;
	const char *section;
	char *module;
	char *attr;
};

struct launchers {
	struct launcher *l;
	size_t n, alloc;
};

static void launchers_release(struct launchers *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++) {
		free(ls->l[i].name);
		free(ls->l[i].module);
		free(ls->l[i].attr);
	}
	free(ls->l);
}

/* A dotted run of ASCII Python identifiers at s[*i..); its end. */
static int dotted(const char *s, size_t len, size_t *i)
{
	size_t start = *i;

	for (;;) {
		if (*i >= len || !(is_alpha((unsigned char)s[*i]) || s[*i] == '_'))
			return -1;
		while (*i < len && (is_alnum((unsigned char)s[*i]) || s[*i] == '_'))
			(*i)++;
		if (*i < len && s[*i] == '.') {
			(*i)++;
			continue;
		}
		return *i > start ? 0 : -1;
	}
}

static int safe_script_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* The console_scripts and gui_scripts of entry_points.txt (INI). */
static int parse_entry_points(const struct strbuf *t, struct launchers *ls, const char *what,
			      struct gapimg_error *err)
{
	const char *p = t->buf, *end = t->buf + t->len;
	const char *section = NULL;
	size_t line = 0, i;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s = p, *e, *eq;
		size_t ms, me, as, ae, k;
		const char *v;
		size_t vlen;
		struct launcher *l;

		if (eol == NULL)
			eol = end;
		p = eol < end ? eol + 1 : end;
		line++;
		e = eol;
		while (s < e && is_ws((unsigned char)*s))
			s++;
		while (e > s && is_ws((unsigned char)e[-1]))
			e--;
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (e[-1] != ']')
				return gapimg_error_set(err, GAPIMG_E_CORRUPT,
							"%s: entry_points.txt line %zu: malformed section header",
							what, line);
			if ((size_t)(e - s - 2) == 15 && memcmp(s + 1, "console_scripts", 15) == 0)
				section = "console_scripts";
			else if ((size_t)(e - s - 2) == 11 && memcmp(s + 1, "gui_scripts", 11) == 0)
				section = "gui_scripts";
			else
				section = "";
			continue;
		}
		if (section == NULL)
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: entry_points.txt line %zu is outside any section",
						what, line);
		if (*section == '\0')
			continue; /* another group: not ours to check */
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq == NULL)
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: entry_points.txt line %zu has no '='", what, line);
		v = eq;
		while (v > s && is_ws((unsigned char)v[-1]))
			v--;
		if (!safe_script_name(s, (size_t)(v - s)))
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: entry_points.txt line %zu: '%.*s' is not a safe "
						"script name ([A-Za-z0-9._-]+)", what, line,
						(int)(v - s), s);
		k = (size_t)(v - s);
		v = eq + 1;
		while (v < e && is_ws((unsigned char)*v))
			v++;
		vlen = (size_t)(e - v);
		/* module ':' attr ws* ('[' extras ']')? */
		i = 0;
		ms = i;
		if (dotted(v, vlen, &i) != 0)
			goto bad_ref;
		me = i;
		/* The spec allows blanks around ':', pip does not: none. */
		if (i >= vlen || v[i] != ':')
			goto bad_ref;
		i++;
		as = i;
		if (dotted(v, vlen, &i) != 0)
			goto bad_ref;
		ae = i;
		while (i < vlen && is_ws((unsigned char)v[i]))
			i++;
		if (i < vlen && (v[i] != '[' || v[vlen - 1] != ']'))
			goto bad_ref;

		for (i = 0; i < ls->n; i++)
			if (strlen(ls->l[i].name) == k && memcmp(ls->l[i].name, s, k) == 0)
				return gapimg_error_set(err, GAPIMG_E_CORRUPT,
							"%s: entry_points.txt defines the script %s twice",
							what, ls->l[i].name);
		if (gapimg_grow((void **)&ls->l, &ls->alloc, ls->n, sizeof(*ls->l)) != 0)
			return gapimg_error_nomem(err);
		l = &ls->l[ls->n];
		l->section = section;
		l->name = memdup_str(s, k);
		l->module = memdup_str(v + ms, me - ms);
		l->attr = memdup_str(v + as, ae - as);
		ls->n++;
		if (l->name == NULL || l->module == NULL || l->attr == NULL)
			return gapimg_error_nomem(err);
		continue;
bad_ref:
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: entry_points.txt line %zu: '%.*s' is not module:attribute",
					what, line, (int)vlen, v);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Installing */

struct gen {
	char *path;
	uint16_t mode;
	struct strbuf content;
	const char *what;         /* "launcher", "INSTALLER", ... for messages */
};

struct install {
	const char *path;
	const struct pyinstall_opts *o;
	const struct pyinstall_scheme *s;
	const char *what;
	struct scan sc;
	struct rows rows;
	struct launchers ls;
	struct gen *g;
	size_t ng, ag;
	int purelib;
	const char *site;         /* where the .dist-info goes */
	char *record_path;        /* "{distinfo}/RECORD" */
	struct zmember **by_name; /* the members sorted by name */
};

static int cmp_member_name(const void *a, const void *b)
{
	return strcmp((*(struct zmember *const *)a)->name, (*(struct zmember *const *)b)->name);
}

static struct zmember *find_member(struct install *in, const char *name)
{
	size_t lo = 0, hi = in->sc.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, in->by_name[mid]->name);

		if (c == 0)
			return in->by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* A RECORD signature file, neither installed nor listed. */
static int is_signature(const char *distinfo, const char *name)
{
	size_t n = strlen(distinfo);

	return strncmp(name, distinfo, n) == 0 && name[n] == '/' &&
	       (strcmp(name + n + 1, "RECORD.jws") == 0 || strcmp(name + n + 1, "RECORD.p7s") == 0);
}

/* Check a RECORD hash field "algo=b64": 0, or -1 with err. */
static int check_hash_field(struct install *in, struct row *r, struct gapimg_error *err)
{
	const char *eq = strchr(r->hash, '=');
	char algo[16];
	const EVP_MD *md;
	size_t n, want, i;

	if (r->hash[0] == '\0')
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: member %s has no hash in RECORD", in->what, r->path);
	if (eq == NULL || eq == r->hash || (size_t)(eq - r->hash) >= sizeof(algo))
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: member %s has a malformed RECORD hash '%s'",
					in->what, r->path, r->hash);
	memcpy(algo, r->hash, (size_t)(eq - r->hash));
	algo[eq - r->hash] = '\0';
	md = record_md(algo);
	if (md == NULL)
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
					"%s: member %s: RECORD uses a %s hash; only sha256, sha384 "
					"and sha512 hashes are accepted", in->what, r->path, algo);
	n = strlen(eq + 1);
	/* Padding is not RECORD's spelling, but it is harmless. */
	while (n > 0 && eq[1 + n - 1] == '=')
		n--;
	want = ((size_t)EVP_MD_get_size(md) * 4 + 2) / 3;
	for (i = 0; i < n; i++)
		if (!is_b64url((unsigned char)eq[1 + i]))
			break;
	if (i != n || n != want)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: member %s has a malformed RECORD hash '%s'",
					in->what, r->path, r->hash);
	r->hash[(size_t)(eq - r->hash) + 1 + n] = '\0';
	return 0;
}

/* RECORD and the member list must agree exactly. */
static int match_record(struct install *in, struct gapimg_error *err)
{
	const char *distinfo = in->sc.folders[0];
	size_t i;

	for (i = 0; i < in->rows.n; i++) {
		struct row *r = &in->rows.r[i];
		struct zmember *m;
		const char *sz;
		uint64_t size = 0;

		if (strcmp(r->path, in->record_path) == 0 || is_signature(distinfo, r->path))
			continue;
		m = find_member(in, r->path);
		if (m == NULL)
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: RECORD lists %s, which is not in the wheel",
						in->what, r->path);
		if (m->isdir)
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: RECORD lists the folder %s", in->what, r->path);
		if (m->row != NOROW)
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: RECORD lists %s twice", in->what, r->path);
		m->row = i;
		if (check_hash_field(in, r, err) != 0)
			return -1;
		if (r->size[0] == '\0')
			continue;
		for (sz = r->size; is_digit((unsigned char)*sz); sz++) {
			if (size > (UINT64_MAX - 9) / 10)
				break;
			size = size * 10 + (uint64_t)(*sz - '0');
		}
		if (*sz != '\0')
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: member %s has a malformed RECORD size '%s'",
						in->what, r->path, r->size);
		if (size != m->size)
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: member %s has %llu bytes, but RECORD says %llu: "
						"the wheel was altered after it was built",
						in->what, m->name, (unsigned long long)m->size,
						(unsigned long long)size);
	}
	for (i = 0; i < in->sc.n; i++) {
		struct zmember *m = &in->sc.m[i];

		if (m->isdir || m->row != NOROW || strcmp(m->name, in->record_path) == 0 ||
		    is_signature(distinfo, m->name))
			continue;
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"%s: member %s is not listed in RECORD", in->what, m->name);
	}
	return 0;
}

/* Where each member goes, and its mode. */
static int plan_members(struct install *in, struct gapimg_error *err)
{
	const struct pyinstall_scheme *s = in->s;
	const char *distinfo = in->sc.folders[0];
	size_t blen = strlen(distinfo) - strlen(".dist-info"), i;

	for (i = 0; i < in->sc.n; i++) {
		struct zmember *m = &in->sc.m[i];
		const char *name = m->name, *slash = strchr(name, '/'), *rest, *dir;
		size_t flen = slash ? (size_t)(slash - name) : strlen(name);
		struct strbuf sub = STRBUF_INIT;

		if (m->isdir || strcmp(name, in->record_path) == 0 || is_signature(distinfo, name))
			continue;
		if (flen == blen + 5 && memcmp(name, distinfo, blen) == 0 &&
		    memcmp(name + blen, ".data", 5) == 0) {
			const char *scheme = slash ? slash + 1 : NULL;
			const char *s2 = scheme ? strchr(scheme, '/') : NULL;
			size_t sl;

			if (s2 == NULL)
				return gapimg_error_set(err, GAPIMG_E_CORRUPT,
							"%s: member %s is not inside a scheme folder "
							"of %.*s", in->what, name, (int)flen, name);
			sl = (size_t)(s2 - scheme);
			rest = s2 + 1;
			if (sl == 7 && memcmp(scheme, "purelib", 7) == 0) {
				dir = s->purelib;
			} else if (sl == 7 && memcmp(scheme, "platlib", 7) == 0) {
				dir = s->platlib;
			} else if (sl == 7 && memcmp(scheme, "scripts", 7) == 0) {
				dir = s->scripts;
				m->script = 1;
				/* Scripts are flat in bin/: a sub-folder is no script. */
				if (strchr(rest, '/') != NULL)
					return gapimg_error_set(err, GAPIMG_E_CORRUPT,
								"%s: member %s: scripts cannot be in "
								"sub-folders", in->what, name);
			} else if (sl == 7 && memcmp(scheme, "headers", 7) == 0) {
				dir = s->headers;
				if (strbuf_addf(&sub, "%s/%s", in->o->name, rest) != 0)
					return gapimg_error_nomem(err);
				rest = sub.buf;
			} else if (sl == 4 && memcmp(scheme, "data", 4) == 0) {
				dir = s->data;
			} else {
				return gapimg_error_set(err, GAPIMG_E_CORRUPT,
							"%s: member %s: unknown scheme '%.*s'",
							in->what, name, (int)sl, scheme);
			}
		} else if (slash != NULL && has_suffix(name, flen, ".data")) {
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
						"%s: member %s is in a .data folder that is not %.*s.data",
						in->what, name, (int)blen, distinfo);
		} else {
			dir = in->site;
			rest = name;
		}
		m->dest = join(dir, rest);
		strbuf_release(&sub);
		if (m->dest == NULL)
			return gapimg_error_nomem(err);
		/* The name was checked, so this holds; say so if it ever does not. */
		if (!inside(m->dest, dir) || !abs_path_ok(m->dest))
			return gapimg_error_set(err, GAPIMG_E_INTERNAL,
						"%s: member %s would be installed at %s, outside %s",
						in->what, name, m->dest, dir);
		m->mode = (m->script || (m->zmode & 0111)) ? 0755 : 0644;
	}
	return 0;
}

static int add_gen(struct install *in, char *path, uint16_t mode, const char *what,
		   struct gapimg_error *err)
{
	struct gen *g;

	if (path == NULL)
		return gapimg_error_nomem(err);
	if (gapimg_grow((void **)&in->g, &in->ag, in->ng, sizeof(*in->g)) != 0) {
		free(path);
		return gapimg_error_nomem(err);
	}
	g = &in->g[in->ng++];
	g->path = path;
	g->mode = mode;
	g->what = what;
	strbuf_init(&g->content);
	return 0;
}

static int make_launcher(struct install *in, const struct launcher *l, struct strbuf *sb)
{
	const char *dot = strchr(l->attr, '.');
	int head = dot ? (int)(dot - l->attr) : (int)strlen(l->attr);

	return strbuf_addf(sb,
			   "#!%s\n"
			   "# Generated by gapimg for the %s entry point \"%s\" of\n"
			   "# %s %s.  It calls %s:%s.\n"
			   "import sys\n"
			   "\n"
			   "from %s import %.*s as entry_point\n"
			   "\n"
			   "if __name__ == \"__main__\":\n"
			   "    sys.exit(entry_point%s())\n",
			   in->s->interpreter, l->section, l->name, in->o->name, in->o->version,
			   l->module, l->attr, l->module, head, l->attr, dot ? dot : "");
}

/* The generated files but RECORD, which needs the members' hashes. */
static int plan_generated(struct install *in, struct gapimg_error *err)
{
	const char *installer = in->o->installer ? in->o->installer : "gapimg";
	char *dir;
	size_t i;

	for (i = 0; i < in->ls.n; i++) {
		if (add_gen(in, join(in->s->scripts, in->ls.l[i].name), 0755, "launcher", err) != 0)
			return -1;
		if (make_launcher(in, &in->ls.l[i], &in->g[in->ng - 1].content) != 0)
			return gapimg_error_nomem(err);
	}
	dir = join(in->site, in->sc.folders[0]);
	if (dir == NULL)
		return gapimg_error_nomem(err);
	if (add_gen(in, join(dir, "INSTALLER"), 0644, "INSTALLER", err) != 0)
		goto fail;
	if (strbuf_addf(&in->g[in->ng - 1].content, "%s\n", installer) != 0) {
		gapimg_error_nomem(err);
		goto fail;
	}
	if (in->o->requested && add_gen(in, join(dir, "REQUESTED"), 0644, "REQUESTED", err) != 0)
		goto fail;
	/* RECORD stays last until build_record() has filled it. */
	if (add_gen(in, join(dir, "RECORD"), 0644, "RECORD", err) != 0)
		goto fail;
	free(dir);
	return 0;
fail:
	free(dir);
	return -1;
}

struct dest {
	const char *path;
	const char *member;       /* NULL: generated */
	const char *what;
};

static int cmp_dest(const void *a, const void *b)
{
	return strcmp(((const struct dest *)a)->path, ((const struct dest *)b)->path);
}

/* By path, then members (by name) before generated files, so that the
 * message about a collision is always the same. */
static int cmp_dest_full(const void *a, const void *b)
{
	const struct dest *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c != 0)
		return c;
	if ((x->member == NULL) != (y->member == NULL))
		return x->member == NULL ? 1 : -1;
	if (x->member != NULL)
		return strcmp(x->member, y->member);
	return strcmp(x->what, y->what);
}

static int describe(struct strbuf *sb, const struct dest *d)
{
	if (d->member != NULL)
		return strbuf_addf(sb, "member %s", d->member);
	return strbuf_addf(sb, "the generated %s", d->what);
}

/* setuptools put its own wrapper for each entry point into
 * .data/scripts; the generated launcher replaces it, as pip does.  The
 * wrapper is not installed (so its bytes never reach the image). */
static void drop_entry_point_wrappers(struct install *in)
{
	for (size_t i = 0; i < in->sc.n; i++) {
		struct zmember *m = &in->sc.m[i];

		if (!m->script || m->dest == NULL)
			continue;
		for (size_t k = 0; k < in->ng; k++)
			if (in->g[k].what && strcmp(in->g[k].what, "launcher") == 0 &&
			    strcmp(in->g[k].path, m->dest) == 0) {
				free(m->dest);
				m->dest = NULL;
				m->dropped = 1;
				break;
			}
	}
}

/* Does a member land on path? */
static int member_at(const struct install *in, const char *path)
{
	for (size_t i = 0; i < in->sc.n; i++)
		if (in->sc.m[i].dest && strcmp(in->sc.m[i].dest, path) == 0)
			return 1;
	return 0;
}

/* No two files on one path, and none below another file. */
static int check_collisions(struct install *in, struct gapimg_error *err)
{
	struct dest *d, key;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	size_t n = 0, i;
	int ret = -1;

	d = malloc((in->sc.n + in->ng + 1) * sizeof(*d));
	if (d == NULL)
		return gapimg_error_nomem(err);
	for (i = 0; i < in->sc.n; i++)
		if (in->sc.m[i].dest != NULL)
			d[n++] = (struct dest){ in->sc.m[i].dest, in->sc.m[i].name, NULL };
	for (i = 0; i < in->ng; i++)
		d[n++] = (struct dest){ in->g[i].path, NULL, in->g[i].what };
	qsort(d, n, sizeof(*d), cmp_dest_full);
	for (i = 0; i < n; i++) {
		const struct dest *other = NULL;
		const char *p = d[i].path;
		char *prefix, *q;

		if (i > 0 && strcmp(d[i - 1].path, p) == 0) {
			if (describe(&a, &d[i - 1]) != 0 || describe(&b, &d[i]) != 0)
				goto nomem;
			gapimg_error_set(err, GAPIMG_E_CORRUPT,
					 "%s: %s and %s would both be installed as %s",
					 in->what, a.buf, b.buf, p);
			goto out;
		}
		prefix = strdup(p);
		if (prefix == NULL)
			goto nomem;
		for (q = strrchr(prefix, '/'); q != NULL && q != prefix; q = strrchr(prefix, '/')) {
			*q = '\0';
			key.path = prefix;
			other = bsearch(&key, d, n, sizeof(*d), cmp_dest);
			if (other != NULL)
				break;
		}
		free(prefix);
		if (other != NULL) {
			if (describe(&a, &d[i]) != 0 || describe(&b, other) != 0)
				goto nomem;
			gapimg_error_set(err, GAPIMG_E_CORRUPT,
					 "%s: %s would be installed at %s, below the file %s of %s",
					 in->what, a.buf, p, other->path, b.buf);
			goto out;
		}
	}
	ret = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	strbuf_release(&a);
	strbuf_release(&b);
	free(d);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Streaming */

struct mreader {
	struct install *in;
	struct archive *a;
	struct zmember *m;
	EVP_MD_CTX *in_md;        /* the RECORD hash of the member's bytes */
	EVP_MD_CTX *out_md;       /* sha256 of what is emitted, or NULL: same */
	struct strbuf pre;        /* emitted before the rest of the member */
	size_t pre_off;
	uint64_t in_total;
	int eof, failed;
};

static ssize_t rd_fail(struct mreader *r, struct gapimg_error *err, const char *fmt, ...)
	GAPIMG_PRINTF(3, 4);

static ssize_t rd_fail(struct mreader *r, struct gapimg_error *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->failed = 1;
	gapimg_error_set(err, GAPIMG_E_CORRUPT, "%s: member %s %s", r->in->what, r->m->name, msg);
	return -1;
}

/* Bytes of the member from the zip, hashed for the RECORD check. */
static ssize_t pull(struct mreader *r, void *buf, size_t len, struct gapimg_error *err)
{
	la_ssize_t n;

	if (r->failed)
		return rd_fail(r, err, "cannot be read after an earlier error");
	if (r->eof || len == 0)
		return 0;
	if (len > ((size_t)1 << 30))
		len = (size_t)1 << 30;
	n = archive_read_data(r->a, buf, len);
	if (n < 0)
		return rd_fail(r, err, "cannot be read (libarchive: %s)", archive_error_string(r->a));
	if (n == 0) {
		r->eof = 1;
		if (r->in_total != r->m->size)
			return rd_fail(r, err, "has %llu bytes, but the zip directory says %llu",
				       (unsigned long long)r->in_total,
				       (unsigned long long)r->m->size);
		return 0;
	}
	r->in_total += (uint64_t)n;
	if (r->in_total > r->m->size)
		return rd_fail(r, err, "has more bytes than the zip directory says (%llu)",
			       (unsigned long long)r->m->size);
	if (EVP_DigestUpdate(r->in_md, buf, (size_t)n) != 1)
		return rd_fail(r, err, "cannot be hashed");
	return (ssize_t)n;
}

static ssize_t member_read(void *rdp, void *buf, size_t len, struct gapimg_error *err)
{
	struct mreader *r = rdp;
	ssize_t n;

	if (r->pre_off < r->pre.len) {
		size_t k = r->pre.len - r->pre_off;

		if (k > len)
			k = len;
		memcpy(buf, r->pre.buf + r->pre_off, k);
		r->pre_off += k;
		if (r->out_md != NULL && EVP_DigestUpdate(r->out_md, buf, k) != 1)
			return rd_fail(r, err, "cannot be hashed");
		return (ssize_t)k;
	}
	n = pull(r, buf, len, err);
	if (n > 0 && r->out_md != NULL && EVP_DigestUpdate(r->out_md, buf, (size_t)n) != 1)
		return rd_fail(r, err, "cannot be hashed");
	return n;
}

/*
 * A .data/scripts member starting with "#!python" (then the end of the
 * line, a blank or 'w' for pythonw) gets the interpreter's "#!" line
 * instead of its first line; the rest of that line (arguments) is
 * dropped, as pip does.  Reads the first line into r->pre and says how
 * many bytes the emitted file has.
 */
static int peek_script(struct mreader *r, uint64_t *outsize, struct gapimg_error *err)
{
	const char *interp = r->in->s->interpreter;
	char buf[4096];
	const char *nl = NULL;
	size_t linelen, plen = strlen("#!python");
	ssize_t n;
	struct strbuf out = STRBUF_INIT;

	*outsize = r->m->size;
	while (nl == NULL && r->pre.len < SHEBANG_SCAN_MAX) {
		n = pull(r, buf, sizeof(buf), err);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (strbuf_add(&r->pre, buf, (size_t)n) != 0)
			return gapimg_error_nomem(err);
		nl = memchr(r->pre.buf, '\n', r->pre.len);
		if (r->pre.len >= plen && memcmp(r->pre.buf, "#!python", plen) != 0)
			return 0;
	}
	linelen = nl ? (size_t)(nl - r->pre.buf) : r->pre.len;
	/* "#!python", "#!python3", "#!pythonw -u": the whole line, as pip */
	if (linelen < plen || memcmp(r->pre.buf, "#!python", plen) != 0)
		return 0;
	if (nl == NULL && !r->eof)
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
					"%s: member %s has a #!python line longer than %zu bytes",
					r->in->what, r->m->name, SHEBANG_SCAN_MAX);
	if (nl != NULL)
		linelen++;
	if (strbuf_addf(&out, "#!%s\n", interp) != 0 ||
	    strbuf_add(&out, r->pre.buf + linelen, r->pre.len - linelen) != 0) {
		strbuf_release(&out);
		return gapimg_error_nomem(err);
	}
	*outsize = r->m->size - linelen + strlen(interp) + 3;
	strbuf_release(&r->pre);
	r->pre = out;
	/* a sha384/512 RECORD already made the output's sha256 context */
	if (r->out_md == NULL)
		r->out_md = EVP_MD_CTX_new();
	if (r->out_md == NULL || EVP_DigestInit_ex(r->out_md, EVP_sha256(), NULL) != 1)
		return gapimg_error_nomem(err);
	return 0;
}

static int stream_member(struct install *in, struct archive *a, struct zmember *m,
			 char *scratch, pyinstall_emit_fn emit, void *user,
			 struct gapimg_error *err)
{
	const struct row *row = &in->rows.r[m->row];
	const char *want = strchr(row->hash, '=') + 1;
	char algo[16];
	const EVP_MD *md;
	struct mreader r;
	struct pyinstall_file f;
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char got[2 * EVP_MAX_MD_SIZE];
	uint64_t outsize = m->size;
	ssize_t n;
	int ret = -1;

	memcpy(algo, row->hash, (size_t)(want - 1 - row->hash));
	algo[want - 1 - row->hash] = '\0';
	md = record_md(algo);
	memset(&r, 0, sizeof(r));
	r.in = in;
	r.a = a;
	r.m = m;
	strbuf_init(&r.pre);
	r.in_md = EVP_MD_CTX_new();
	if (r.in_md == NULL || EVP_DigestInit_ex(r.in_md, md, NULL) != 1)
		goto nomem;
	if (md != EVP_sha256()) {
		r.out_md = EVP_MD_CTX_new();
		if (r.out_md == NULL || EVP_DigestInit_ex(r.out_md, EVP_sha256(), NULL) != 1)
			goto nomem;
	}
	if (m->script && peek_script(&r, &outsize, err) != 0)
		goto out;

	f.path = m->dest;
	f.mode = m->mode;
	f.size = outsize;
	f.member = m->name;
	/* a member not installed (a setuptools wrapper the launcher
	 * replaces) is still read and checked below */
	if (m->dest != NULL && emit(user, &f, member_read, &r, err) != 0) {
		if (!r.failed)
			gapimg_error_prefix(err, "%s: member %s: ", in->what, m->name);
		goto out;
	}
	/* Whatever emit() left is still checked. */
	while ((n = member_read(&r, scratch, COPY_BUF, err)) > 0)
		;
	if (n < 0)
		goto out;
	if (EVP_DigestFinal_ex(r.in_md, dig, &dlen) != 1)
		goto nomem;
	b64_encode(dig, dlen, got);
	if (strcmp(got, want) != 0) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT,
				 "%s: member %s does not match its RECORD hash (RECORD says %s, "
				 "the member hashes to %s=%s): the wheel was altered after it "
				 "was built", in->what, m->name, row->hash, algo, got);
		goto out;
	}
	if (r.out_md != NULL) {
		if (EVP_DigestFinal_ex(r.out_md, dig, &dlen) != 1)
			goto nomem;
		b64_encode(dig, dlen, got);
	}
	snprintf(m->hash, sizeof(m->hash), "sha256=%s", got);
	m->outsize = outsize;
	ret = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	EVP_MD_CTX_free(r.in_md);
	EVP_MD_CTX_free(r.out_md);
	strbuf_release(&r.pre);
	return ret;
}

/* Pass 2: every member to emit(), in zip order. */
static int stream_members(struct install *in, pyinstall_emit_fn emit, void *user,
			  struct gapimg_error *err)
{
	struct zip z;
	struct archive_entry *e;
	char *scratch = malloc(COPY_BUF);
	size_t i = 0;
	int r, ret = -1;

	if (scratch == NULL)
		return gapimg_error_nomem(err);
	if (zip_open(&z, in->path, in->what, err) != 0) {
		free(scratch);
		return -1;
	}
	while ((r = zip_next(&z, &e, in->what, err)) > 0) {
		struct zmember *m = i < in->sc.n ? &in->sc.m[i] : NULL;

		if (m == NULL || strcmp(archive_entry_pathname_utf8(e), m->name) != 0 ||
		    (!m->isdir && (uint64_t)archive_entry_size(e) != m->size)) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT,
					 "%s: %s changed while it was being installed",
					 in->what, in->path);
			goto out;
		}
		i++;
		if (m->dest == NULL && !m->dropped)
			continue;
		if (stream_member(in, z.a, m, scratch, emit, user, err) != 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (i != in->sc.n) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "%s: %s changed while it was being installed",
				 in->what, in->path);
		goto out;
	}
	ret = 0;
out:
	zip_close(&z);
	free(scratch);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The new RECORD */

struct recrow {
	char *rel;
	char *rest;               /* ",hash,size" */
};

static int cmp_recrow(const void *a, const void *b)
{
	return strcmp(((const struct recrow *)a)->rel, ((const struct recrow *)b)->rel);
}

struct recrows {
	struct recrow *r;
	size_t n, alloc;
};

static int add_recrow(struct recrows *rr, const char *site, const char *dest, const char *rest)
{
	struct strbuf rel = STRBUF_INIT;
	char *r2;

	if (relpath(site, dest, &rel) != 0 ||
	    gapimg_grow((void **)&rr->r, &rr->alloc, rr->n, sizeof(*rr->r)) != 0) {
		strbuf_release(&rel);
		return -1;
	}
	r2 = strdup(rest);
	if (r2 == NULL) {
		strbuf_release(&rel);
		return -1;
	}
	rr->r[rr->n].rel = strbuf_detach(&rel);
	rr->r[rr->n].rest = r2;
	if (rr->r[rr->n].rel == NULL) {
		free(r2);
		return -1;
	}
	rr->n++;
	return 0;
}

/* The byte-compiled file CPython writes for the source path py. */
static char *pyc_path(const char *py, const char *tag)
{
	const char *slash = strrchr(py, '/');
	struct strbuf sb = STRBUF_INIT;
	size_t stem = strlen(slash + 1) - 3;

	if (strbuf_add(&sb, py, (size_t)(slash - py)) != 0 ||
	    strbuf_addf(&sb, "/__pycache__/%.*s.%s.pyc", (int)stem, slash + 1, tag) != 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static int csv_field(struct strbuf *sb, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL)
		return strbuf_addstr(sb, s);
	if (strbuf_addch(sb, '"') != 0)
		return -1;
	for (; *s != '\0'; s++)
		if ((*s == '"' && strbuf_addch(sb, '"') != 0) || strbuf_addch(sb, *s) != 0)
			return -1;
	return strbuf_addch(sb, '"');
}

static int build_record(struct install *in, struct gen *rec, struct gapimg_error *err)
{
	struct recrows rr = { NULL, 0, 0 };
	char field[256];
	size_t i;
	int ret = -1;

	for (i = 0; i < in->sc.n; i++) {
		const struct zmember *m = &in->sc.m[i];
		size_t len;

		if (m->dest == NULL)
			continue;
		snprintf(field, sizeof(field), ",%s,%llu", m->hash, (unsigned long long)m->outsize);
		if (add_recrow(&rr, in->site, m->dest, field) != 0)
			goto nomem;
		len = strlen(m->dest);
		if (in->s->pyc_tag != NULL && has_suffix(m->dest, len, ".py") &&
		    (inside(m->dest, in->s->purelib) || inside(m->dest, in->s->platlib))) {
			char *pyc = pyc_path(m->dest, in->s->pyc_tag);

			if (pyc == NULL) {
				goto nomem;
			} else if (member_at(in, pyc)) {
				/* the wheel ships it: its own row says it */
			} else if (add_recrow(&rr, in->site, pyc, ",,") != 0) {
				free(pyc);
				goto nomem;
			}
			free(pyc);
		}
	}
	for (i = 0; i < in->ng; i++) {
		const struct gen *g = &in->g[i];
		char hash[64];

		if (g == rec) {
			if (add_recrow(&rr, in->site, g->path, ",,") != 0)
				goto nomem;
			continue;
		}
		if (sha256_field(g->content.buf, g->content.len, hash, sizeof(hash)) != 0)
			goto nomem;
		snprintf(field, sizeof(field), ",%s,%zu", hash, g->content.len);
		if (add_recrow(&rr, in->site, g->path, field) != 0)
			goto nomem;
	}
	qsort(rr.r, rr.n, sizeof(*rr.r), cmp_recrow);
	for (i = 0; i < rr.n; i++)
		if (csv_field(&rec->content, rr.r[i].rel) != 0 ||
		    strbuf_addstr(&rec->content, rr.r[i].rest) != 0 ||
		    strbuf_addch(&rec->content, '\n') != 0)
			goto nomem;
	ret = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	for (i = 0; i < rr.n; i++) {
		free(rr.r[i].rel);
		free(rr.r[i].rest);
	}
	free(rr.r);
	return ret;
}

struct memreader {
	const char *p;
	size_t len, off;
};

static ssize_t mem_read(void *rdp, void *buf, size_t len, struct gapimg_error *err)
{
	struct memreader *r = rdp;
	size_t k = r->len - r->off;

	(void)err;
	if (k > len)
		k = len;
	memcpy(buf, r->p + r->off, k);
	r->off += k;
	return (ssize_t)k;
}

static int cmp_gen(const void *a, const void *b)
{
	return strcmp(((const struct gen *)a)->path, ((const struct gen *)b)->path);
}

static int check_scheme(const struct pyinstall_scheme *s, const char *what,
			struct gapimg_error *err)
{
	const char *const paths[] = { s->purelib, s->platlib, s->scripts, s->data, s->headers };
	const char *const names[] = { "purelib", "platlib", "scripts", "data", "headers" };
	size_t i;

	for (i = 0; i < 5; i++)
		if (!abs_path_ok(paths[i]))
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s: the %s folder '%s' is not a clean absolute path",
						what, names[i], paths[i] ? paths[i] : "(null)");
	if (!abs_path_ok(s->interpreter) || strlen(s->interpreter) + 2 > SHEBANG_MAX)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"%s: the interpreter '%s' cannot be a #! line (a clean "
					"absolute path of at most %d bytes)", what,
					s->interpreter ? s->interpreter : "(null)", SHEBANG_MAX - 2);
	for (i = 0; s->interpreter[i] != '\0'; i++)
		if (is_ws((unsigned char)s->interpreter[i]))
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"%s: the interpreter '%s' has a blank, which a #! "
						"line cannot hold", what, s->interpreter);
	if (s->pyc_tag != NULL && !safe_script_name(s->pyc_tag, strlen(s->pyc_tag)))
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s: bad pyc tag '%s'", what,
					s->pyc_tag);
	return 0;
}

int pyinstall_wheel(const char *path, const struct pyinstall_opts *o,
		    const struct pyinstall_scheme *s, pyinstall_emit_fn emit, void *user,
		    struct gapimg_error *err)
{
	struct install in;
	size_t i, k;
	int ret = -1;

	memset(&in, 0, sizeof(in));
	for (k = 0; k < NTEXT; k++)
		strbuf_init(&in.sc.text[k]);
	in.path = path;
	in.o = o;
	in.s = s;
	in.what = o->label != NULL ? o->label : path;
	in.sc.path = path;
	in.sc.what = in.what;

	if (o->installer != NULL && (strchr(o->installer, '\n') != NULL))
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s: the installer name has a newline",
					in.what);
	if (check_scheme(s, in.what, err) != 0 || scan_wheel(&in.sc, err) != 0 ||
	    check_distinfo(&in.sc, o->name, o->version, err) != 0 ||
	    check_wheel_file(&in.sc, &in.purelib, err) != 0)
		goto out;
	in.site = in.purelib ? s->purelib : s->platlib;
	in.record_path = join(in.sc.folders[0], "RECORD");
	if (in.record_path == NULL) {
		gapimg_error_nomem(err);
		goto out;
	}
	if (!in.sc.has_text[T_RECORD]) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "%s has no %s", in.what, in.record_path);
		goto out;
	}
	if (parse_record(&in.sc.text[T_RECORD], &in.rows, in.what, err) != 0)
		goto out;
	if (in.sc.has_text[T_ENTRY] &&
	    parse_entry_points(&in.sc.text[T_ENTRY], &in.ls, in.what, err) != 0)
		goto out;

	in.by_name = malloc((in.sc.n + 1) * sizeof(*in.by_name));
	if (in.by_name == NULL) {
		gapimg_error_nomem(err);
		goto out;
	}
	for (i = 0; i < in.sc.n; i++)
		in.by_name[i] = &in.sc.m[i];
	qsort(in.by_name, in.sc.n, sizeof(*in.by_name), cmp_member_name);

	if (match_record(&in, err) != 0 || plan_members(&in, err) != 0 ||
	    plan_generated(&in, err) != 0)
		goto out;
	drop_entry_point_wrappers(&in);
	if (check_collisions(&in, err) != 0)
		goto out;
	if (stream_members(&in, emit, user, err) != 0)
		goto out;

	/* RECORD is the last generated file added; sort only afterwards. */
	if (build_record(&in, &in.g[in.ng - 1], err) != 0)
		goto out;
	qsort(in.g, in.ng, sizeof(*in.g), cmp_gen);
	for (i = 0; i < in.ng; i++) {
		struct memreader mr = { in.g[i].content.buf, in.g[i].content.len, 0 };
		struct pyinstall_file f = { in.g[i].path, in.g[i].mode, in.g[i].content.len, NULL };

		if (emit(user, &f, mem_read, &mr, err) != 0) {
			gapimg_error_prefix(err, "%s: %s: ", in.what, in.g[i].path);
			goto out;
		}
	}
	ret = 0;
out:
	scan_release(&in.sc);
	rows_release(&in.rows);
	launchers_release(&in.ls);
	for (i = 0; i < in.ng; i++) {
		free(in.g[i].path);
		strbuf_release(&in.g[i].content);
	}
	free(in.g);
	free(in.record_path);
	free(in.by_name);
	return ret;
}
