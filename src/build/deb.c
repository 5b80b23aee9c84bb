/*
 * .deb payloads with libarchive: the outer ar archive holds debian-binary,
 * control.tar.* and data.tar.* (in that order, as dpkg requires); each
 * inner tar is read straight from the outer archive's data, never written
 * to disk.  control.tar is small and kept in memory (control, conffiles,
 * md5sums and the maintainer scripts go to /var/lib/dpkg); data.tar
 * entries go through bld_add_entry one by one as they stream past.  A .deb
 * states no licence in its control file: the package's machine-readable
 * copyright file, when it has one, is read for it on the way past.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>

#include "internal.h"
#include "dep5.h"

#define CONTROL_MAX (64u << 20)
/* How much of a copyright file is read for its licence: the Files: *
 * paragraph comes first or early, and some files run to megabytes of
 * licence texts after it. */
#define COPYRIGHT_MAX (1u << 20)

struct inner {
	struct archive *outer;
	char buf[65536];
};

static la_ssize_t inner_read(struct archive *a, void *user, const void **out)
{
	struct inner *in = user;
	la_ssize_t n = archive_read_data(in->outer, in->buf, sizeof(in->buf));

	(void)a;
	if (n < 0)
		archive_set_error(a, -1, "%s",
				  archive_error_string(in->outer));
	*out = in->buf;
	return n;
}

static struct archive *open_inner(struct inner *in, struct archive *outer)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	in->outer = outer;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, in, NULL, inner_read, NULL) != ARCHIVE_OK)
		return a;   /* the caller reports archive_error_string */
	return a;
}

static int arch_err(struct gapimg_error *err, const struct bld_pkg *p,
		    const char *member, struct archive *a)
{
	const char *msg = archive_error_string(a);

	return gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: reading %s: %s",
				p->label, member, msg ? msg : "unknown error");
}

/* Entry name without "./": "" for the top folder; NULL when unsafe. */
static const char *member_name(const char *name)
{
	if (name == NULL || name[0] == '/')
		return NULL;
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	if (strcmp(name, ".") == 0)
		return "";
	return name;
}

/* Field value from control text (first occurrence), malloc'd, or NULL. */
static char *control_field(const char *text, size_t len, const char *field)
{
	size_t fl = strlen(field);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t ll = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (ll > fl && p[fl] == ':' && strncasecmp(p, field, fl) == 0) {
			const char *v = p + fl + 1;

			while (v < p + ll && (*v == ' ' || *v == '\t'))
				v++;
			return strndup(v, (size_t)(p + ll - v));
		}
		p = eol ? eol + 1 : end;
	}
	return NULL;
}

/* "a (>= 1), b:any | c" into the bare package names. */
static int parse_names(const char *value, char ***out, size_t *n)
{
	const char *p = value;

	while (*p) {
		size_t len;
		char **v;

		while (*p == ' ' || *p == ',' || *p == '|' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, " ,|(:[\t");
		if (len > 0) {
			v = realloc(*out, (*n + 1) * sizeof(*v));
			if (v == NULL)
				return -1;
			*out = v;
			if ((v[*n] = strndup(p, len)) == NULL)
				return -1;
			(*n)++;
		}
		p += len;
		if (*p == '(') {
			const char *c = strchr(p, ')');

			p = c ? c + 1 : p + strlen(p);
		} else if (*p == ':' || *p == '[') {
			p += strcspn(p, " ,|(");
		}
	}
	return 0;
}

static int read_control(struct bld_pkg *p, struct archive *outer, const char *member,
			struct gapimg_error *err)
{
	struct inner *in = malloc(sizeof(*in));
	struct archive *a;
	struct archive_entry *e;
	size_t total = 0;
	int rc = -1, r;

	if (in == NULL || (a = open_inner(in, outer)) == NULL) {
		free(in);
		return gapimg_error_nomem(err);
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = member_name(archive_entry_pathname(e));
		struct strbuf sb = STRBUF_INIT;
		char buf[16384];
		la_ssize_t n;

		if (name == NULL || strchr(name, '/') != NULL) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s has "
					 "an unexpected member '%s'", p->label, member,
					 archive_entry_pathname(e));
			goto out;
		}
		if (*name == '\0' || archive_entry_filetype(e) != AE_IFREG)
			continue;
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
			total += (size_t)n;
			if (total > CONTROL_MAX) {
				gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s "
						 "is larger than %u MiB", p->label,
						 member, CONTROL_MAX >> 20);
				strbuf_release(&sb);
				goto out;
			}
			if (strbuf_add(&sb, buf, (size_t)n) < 0) {
				strbuf_release(&sb);
				gapimg_error_nomem(err);
				goto out;
			}
		}
		if (n < 0) {
			strbuf_release(&sb);
			arch_err(err, p, member, a);
			goto out;
		}
		if (strcmp(name, "control") == 0) {
			free(p->control);
			p->control_len = sb.len;
			p->control = strbuf_detach(&sb);
		} else {
			struct bld_text *m = realloc(p->members, (p->nmembers + 1) * sizeof(*m));

			if (m == NULL) {
				strbuf_release(&sb);
				gapimg_error_nomem(err);
				goto out;
			}
			p->members = m;
			m = &m[p->nmembers++];
			memset(m, 0, sizeof(*m));
			m->text = sb;
			m->path = strdup(name);
			m->origin = NULL;
			if (m->path == NULL) {
				gapimg_error_nomem(err);
				goto out;
			}
		}
	}
	if (r != ARCHIVE_EOF) {
		arch_err(err, p, member, a);
		goto out;
	}
	if (p->control == NULL) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s has no "
				 "control file", p->label, member);
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	free(in);
	return rc;
}

/* conffiles lines name absolute paths; "remove-on-upgrade" flags aside. */
static int parse_conffiles(struct bld_pkg *p, struct gapimg_error *err)
{
	size_t i;

	for (i = 0; i < p->nmembers; i++) {
		const char *s, *end;

		if (strcmp(p->members[i].path, "conffiles") != 0)
			continue;
		s = p->members[i].text.buf ? p->members[i].text.buf : "";
		end = s + p->members[i].text.len;
		while (s < end) {
			const char *eol = memchr(s, '\n', (size_t)(end - s));
			size_t len = eol ? (size_t)(eol - s) : (size_t)(end - s);
			char **v, **m;

			while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\r'))
				len--;
			if (len > 0 && s[0] == '/' && memchr(s, ' ', len) == NULL) {
				v = realloc(p->conffiles, (p->nconffiles + 1) * sizeof(*v));
				m = v ? realloc(p->conffile_md5, (p->nconffiles + 1) * sizeof(*m)) : NULL;
				if (v)
					p->conffiles = v;
				if (m == NULL)
					return gapimg_error_nomem(err);
				p->conffile_md5 = m;
				m[p->nconffiles] = NULL;
				if ((v[p->nconffiles] = strndup(s, len)) == NULL)
					return gapimg_error_nomem(err);
				p->nconffiles++;
			}
			s = eol ? eol + 1 : end;
		}
	}
	return 0;
}

/* Installed-Size (KiB, rounded up per file by dpkg-gencontrol) bounds
 * what the payload may expand to: twice it plus 1 MiB leaves room for
 * rounding and hand-written control files, and stops a member whose
 * header claims absurd sizes before gapimg streams them. */
static void set_size_limit(struct bld_pkg *p)
{
	char *v = control_field(p->control, p->control_len, "Installed-Size"), *end;
	unsigned long long kib;

	p->size_limit = 0;
	p->size_seen = 0;
	if (v == NULL)
		return;
	kib = strtoull(v, &end, 10);
	if (end != v && *end == '\0' && kib < (1ULL << 40))
		p->size_limit = kib * 2048 + (1u << 20);
	free(v);
}

/* A member's bytes, block by block as the tar reader has them.  Reading
 * blocks rather than archive_read_data keeps holes visible: libarchive
 * fills a hole (a sparse member, or a GNU header whose "real size" is
 * larger than its data) with zeros, which would let a few header bytes
 * claim exabytes of content. */
struct member {
	struct archive *a;
	const char *blk;
	size_t len, off;
	int64_t pos;
	struct strbuf *copy;      /* the first COPYRIGHT_MAX bytes go here */
	int cut;                  /* ... and there were more */
};

static ssize_t data_read(void *user, void *buf, size_t len, struct gapimg_error *err)
{
	struct member *m = user;
	size_t n;

	if (m->off == m->len) {
		const void *blk;
		size_t size;
		la_int64_t offset;
		int r = archive_read_data_block(m->a, &blk, &size, &offset);

		if (r == ARCHIVE_EOF) {
			if (offset > m->pos)
				return gapimg_error_set(err, GAPIMG_E_CORRUPT, "the member "
					"claims %lld bytes but holds %lld (a sparse file "
					"or a damaged header)", (long long)offset,
					(long long)m->pos);
			return 0;
		}
		if (r != ARCHIVE_OK) {
			const char *msg = archive_error_string(m->a);

			return gapimg_error_set(err, GAPIMG_E_CORRUPT, "the payload is "
						"damaged: %s", msg ? msg : "read error");
		}
		if (offset != m->pos)
			return gapimg_error_set(err, GAPIMG_E_CORRUPT, "the member has a "
						"hole at byte %lld (a sparse file), which dpkg "
						"cannot unpack", (long long)m->pos);
		m->blk = blk;
		m->len = size;
		m->off = 0;
		if (size == 0)
			return data_read(user, buf, len, err);
	}
	n = m->len - m->off < len ? m->len - m->off : len;
	memcpy(buf, m->blk + m->off, n);
	if (m->copy) {
		size_t room = COPYRIGHT_MAX - m->copy->len;

		if (n > room)
			m->cut = 1;
		if (strbuf_add(m->copy, buf, n < room ? n : room) < 0)
			return gapimg_error_nomem(err);
	}
	m->off += n;
	m->pos += (int64_t)n;
	return (ssize_t)n;
}

/* The licence from the copyright file's text, read as it streamed past
 * (removed from the image or not: the licence is still the package's);
 * cut: only its first COPYRIGHT_MAX bytes were kept, so a last line may
 * be partial. */
static int copyright_license(struct bld *b, struct bld_pkg *p, struct strbuf *text,
			     int cut, struct gapimg_error *err)
{
	const char *lic;
	size_t len = text->len, lic_len;

	if (cut) {
		while (len > 0 && text->buf[len - 1] != '\n')
			len--;
	}
	if (!dep5_license(text->buf ? text->buf : "", len, &lic, &lic_len))
		return 0;
	return bld_license_set(b, p, lic, lic_len, "machine-readable copyright file", err);
}

static int read_data(struct bld *b, struct bld_pkg *p, struct archive *outer,
		     const char *member, struct gapimg_error *err)
{
	struct inner *in = malloc(sizeof(*in));
	struct archive *a;
	struct archive_entry *e;
	char *copyright = NULL;
	int rc = -1, r;

	if (in == NULL || (a = open_inner(in, outer)) == NULL) {
		free(in);
		return gapimg_error_nomem(err);
	}
	/* where the package's own copyright file is (Policy 12.5) */
	if (asprintf(&copyright, "/usr/share/doc/%s/copyright", p->pkg->name) < 0) {
		archive_read_free(a);
		free(in);
		return gapimg_error_nomem(err);
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *raw = archive_entry_pathname(e), *name = member_name(raw);
		const char *link = archive_entry_hardlink(e);
		struct bld_entry be;
		char *path = NULL, *hl = NULL;

		if (name == NULL) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: refusing "
					 "the absolute path %s in %s: payload paths are "
					 "relative to the image root", p->label,
					 raw ? raw : "(none)", member);
			goto out;
		}
		memset(&be, 0, sizeof(be));
		/* tar hard links carry no file type of their own. */
		switch (link ? AE_IFREG : archive_entry_filetype(e)) {
		case AE_IFDIR: be.type = GAPIMG_FT_DIR; break;
		case AE_IFREG: be.type = GAPIMG_FT_REG; break;
		case AE_IFLNK: be.type = GAPIMG_FT_SYMLINK; break;
		case AE_IFCHR: be.type = GAPIMG_FT_CHR; break;
		case AE_IFBLK: be.type = GAPIMG_FT_BLK; break;
		case AE_IFIFO: be.type = GAPIMG_FT_FIFO; break;
		default:
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s has "
					 "an unsupported entry type in %s", p->label,
					 raw, member);
			goto out;
		}
		if (asprintf(&path, "/%s", name) < 0) {
			gapimg_error_nomem(err);
			goto out;
		}
		if (link) {
			const char *ln = member_name(link);

			if (ln == NULL || *ln == '\0') {
				gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: "
						 "refusing the hard link %s to %s", p->label,
						 path, link);
				free(path);
				goto out;
			}
			if (asprintf(&hl, "/%s", ln) < 0) {
				free(path);
				gapimg_error_nomem(err);
				goto out;
			}
			be.type = GAPIMG_FT_REG;
			be.hardlink = hl;
		}
		be.path = path;
		be.mode = (uint16_t)(archive_entry_perm(e) & 07777);
		be.user = archive_entry_uname(e);
		be.group = archive_entry_gname(e);
		if (be.user && !*be.user)
			be.user = NULL;
		if (be.group && !*be.group)
			be.group = NULL;
		be.uid = (uint32_t)archive_entry_uid(e);
		be.gid = (uint32_t)archive_entry_gid(e);
		/* dpkg keeps tar's ids when a name is missing: "root" as the
		 * name for id 0 makes the no-name case agree. */
		if (be.user == NULL && be.uid == 0)
			be.user = "root";
		if (be.group == NULL && be.gid == 0)
			be.group = "root";
		be.mtime = archive_entry_mtime_is_set(e) ? archive_entry_mtime(e)
							 : GAPIMG_MTIME_UNKNOWN;
		be.size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0
			  ? (uint64_t)archive_entry_size(e) : 0;
		/* dpkg does not read GNU sparse members, and their "real
		 * size" lets a few bytes claim exabytes. */
		if (archive_entry_sparse_count(e) > 0 ||
		    (archive_entry_size_is_set(e) && archive_entry_size(e) < 0)) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: refusing "
					 "the sparse tar member %s: dpkg cannot unpack "
					 "sparse files", p->label, path);
			free(path);
			free(hl);
			goto out;
		}
		if (be.type == GAPIMG_FT_REG && !link && p->size_limit &&
		    be.size > p->size_limit - p->size_seen) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s claims "
					 "%llu bytes, more than the package's "
					 "Installed-Size allows for all its files (%llu "
					 "bytes); the package is damaged or hostile",
					 p->label, path, (unsigned long long)be.size,
					 (unsigned long long)p->size_limit);
			free(path);
			free(hl);
			goto out;
		}
		if (be.type == GAPIMG_FT_REG && !link)
			p->size_seen += be.size;
		be.target = archive_entry_symlink(e);
		be.major = (uint32_t)archive_entry_rdevmajor(e);
		be.minor = (uint32_t)archive_entry_rdevminor(e);
		if (be.type == GAPIMG_FT_SYMLINK && (be.target == NULL || !*be.target)) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: the "
					 "symlink %s has no target", p->label, path);
			free(path);
			free(hl);
			goto out;
		}
		{
			struct member m = { .a = a };
			struct strbuf copy = STRBUF_INIT;

			if (be.type == GAPIMG_FT_REG && !link && strcmp(path, copyright) == 0)
				m.copy = &copy;
			rc = bld_add_entry(b, p, &be, data_read, &m, err);
			if (rc == 0 && m.copy)
				rc = copyright_license(b, p, &copy, m.cut, err);
			strbuf_release(&copy);
		}
		free(path);
		free(hl);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if (r != ARCHIVE_EOF) {
		arch_err(err, p, member, a);
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	free(in);
	free(copyright);
	return rc;
}

int bld_unpack_deb(struct bld *b, struct bld_pkg *p, struct gapimg_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int rc = -1, r, have_control = 0, have_data = 0, idx = 0;
	char *repl;

	if (a == NULL)
		return gapimg_error_nomem(err);
	archive_read_support_format_ar(a);
	if (archive_read_open_filename(a, p->file, 65536) != ARCHIVE_OK) {
		arch_err(err, p, p->pkg->location, a);
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		if (name == NULL)
			name = "";
		if (idx++ == 0) {
			char v[8] = { 0 };

			if (strcmp(name, "debian-binary") != 0 ||
			    archive_read_data(a, v, sizeof(v) - 1) < 4 ||
			    strncmp(v, "2.", 2) != 0) {
				gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: "
						 "%s is not a Debian binary package "
						 "(format 2.x)", p->label, p->pkg->location);
				goto out;
			}
			continue;
		}
		if (strncmp(name, "control.tar", 11) == 0 && !have_control) {
			if (read_control(p, a, name, err) < 0)
				goto out;
			have_control = 1;
		} else if (strncmp(name, "data.tar", 8) == 0 && !have_data) {
			if (!have_control) {
				gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: "
						 "data.tar comes before control.tar",
						 p->label);
				goto out;
			}
			if (parse_conffiles(p, err) < 0)
				goto out;
			repl = control_field(p->control, p->control_len, "Replaces");
			if (repl && parse_names(repl, &p->replaces, &p->nreplaces) < 0) {
				free(repl);
				gapimg_error_nomem(err);
				goto out;
			}
			free(repl);
			set_size_limit(p);
			if (read_data(b, p, a, name, err) < 0)
				goto out;
			have_data = 1;
		} else if (name[0] != '_') {
			/* dpkg ignores members starting with '_'; anything else
			 * is from a format it does not know. */
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: unexpected "
					 "member '%s' in %s", p->label, name,
					 p->pkg->location);
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		arch_err(err, p, p->pkg->location, a);
		goto out;
	}
	if (!have_data) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s has no "
				 "data.tar member", p->label, p->pkg->location);
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	return rc;
}
