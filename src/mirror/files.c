/* Reading a mirror's files: paths kept inside the mirror, whole files in
 * memory, checksums from signed metadata. */
#include "mirror/mirror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <solv/chksum.h>
#include <solv/knownid.h>
#include <solv/solv_xfopen.h>

char *mirror_root(const struct gapimg_plan *plan, const struct gapimg_plan_mirror *pm)
{
	struct strbuf sb = STRBUF_INIT;

	if (pm->location[0] != '/' && plan->base_dir != NULL) {
		strbuf_addstr(&sb, plan->base_dir);
		strbuf_addch(&sb, '/');
	}
	strbuf_addstr(&sb, pm->location);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	return strbuf_detach(&sb);
}

static int has_dotdot(const char *p)
{
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

char *mirror_join(struct mirror_load *ml, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;

	if (rel[0] == '/' || has_dotdot(rel) || rel[0] == '\0') {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: the metadata names the path \"%s\", which "
				 "is not inside the mirror (absolute, empty or with \"..\"); "
				 "the metadata is damaged or hostile",
				 ml->pm->id, rel);
		return NULL;
	}
	strbuf_addstr(&sb, ml->info->root);
	strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, rel);
	return strbuf_detach(&sb);
}

int mirror_read(struct mirror_load *ml, const char *rel, struct strbuf *out,
		int missing_ok)
{
	char *path = mirror_join(ml, rel);
	int rc;

	if (path == NULL)
		return -1;
	rc = mirror_read_path(ml, path, out, missing_ok);
	free(path);
	return rc;
}

int mirror_read_path(struct mirror_load *ml, const char *path, struct strbuf *out,
		     int missing_ok)
{
	struct stat st;
	int fd;

	strbuf_reset(out);
	/* O_NONBLOCK: a FIFO in a mirror must not hang the resolve; it is
	 * refused below as not a regular file */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT && missing_ok) {
			ml->err->code = GAPIMG_E_NOTFOUND;
			return -1;
		}
		gapimg_error_errno(ml->err, e, "mirror %s: cannot open %s", ml->pm->id, path);
		if (e == ENOENT)
			ml->err->code = GAPIMG_E_NOTFOUND;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		gapimg_error_set(ml->err, GAPIMG_E_IO, "mirror %s: %s is not a regular file",
				 ml->pm->id, path);
		goto fail;
	}
	if ((uint64_t)st.st_size > MIRROR_FILE_MAX) {
		gapimg_error_set(ml->err, GAPIMG_E_UNSUPPORTED,
				 "mirror %s: %s is %llu bytes, more than the %zu that "
				 "gapimg reads as metadata", ml->pm->id, path,
				 (unsigned long long)st.st_size, MIRROR_FILE_MAX);
		goto fail;
	}
	if (strbuf_grow(out, (size_t)st.st_size + 1) < 0) {
		gapimg_error_set(ml->err, GAPIMG_E_NOMEM, "out of memory reading %s", path);
		goto fail;
	}
	for (;;) {
		ssize_t n;

		if (strbuf_grow(out, 65536) < 0) {
			gapimg_error_set(ml->err, GAPIMG_E_NOMEM, "out of memory reading %s", path);
			goto fail;
		}
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gapimg_error_errno(ml->err, errno, "mirror %s: cannot read %s",
					   ml->pm->id, path);
			goto fail;
		}
		if (n == 0)
			break;
		strbuf_setlen(out, out->len + (size_t)n);
		if (out->len > MIRROR_FILE_MAX) {
			gapimg_error_set(ml->err, GAPIMG_E_UNSUPPORTED,
					 "mirror %s: %s grew past %zu bytes while it was read",
					 ml->pm->id, path, MIRROR_FILE_MAX);
			goto fail;
		}
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

int mirror_strong_hash(Id type)
{
	return type == REPOKEY_TYPE_SHA256 || type == REPOKEY_TYPE_SHA384 ||
	       type == REPOKEY_TYPE_SHA512;
}

static const char *hash_name(Id type)
{
	const char *s = type ? solv_chksum_type2str(type) : NULL;

	return s ? s : "none";
}

int mirror_verify_sum(struct mirror_load *ml, const char *what,
		      const void *data, size_t len, Id type,
		      const unsigned char *expected, const char *from)
{
	Chksum *chk;
	const unsigned char *got;
	int glen = 0, ok;

	if (!mirror_strong_hash(type))
		return gapimg_error_set(ml->err, GAPIMG_E_UNSUPPORTED,
					"mirror %s: %s gives %s only a %s checksum; gapimg "
					"trusts sha256, sha384 or sha512 (regenerate the "
					"metadata with a current createrepo_c or apt-ftparchive)",
					ml->pm->id, from, what, hash_name(type));
	chk = solv_chksum_create(type);
	if (chk == NULL)
		return gapimg_error_set(ml->err, GAPIMG_E_NOMEM, "out of memory");
	/* solv_chksum_add takes an int length */
	for (size_t off = 0; off < len;) {
		size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;

		solv_chksum_add(chk, (const char *)data + off, (int)n);
		off += n;
	}
	got = solv_chksum_get(chk, &glen);
	ok = got != NULL && glen == solv_chksum_len(type) && memcmp(got, expected, (size_t)glen) == 0;
	if (!ok) {
		char want_hex[2 * 64 + 1], got_hex[2 * 64 + 1];

		solv_bin2hex(expected, solv_chksum_len(type), want_hex);
		solv_bin2hex(got, glen, got_hex);
		solv_chksum_free(chk, NULL);
		return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					"mirror %s: %s does not match %s: %s is %s, the "
					"metadata says %s; the mirror is damaged, half-synced "
					"or tampered with (re-sync it)",
					ml->pm->id, what, from, hash_name(type), got_hex, want_hex);
	}
	solv_chksum_free(chk, NULL);
	return 0;
}

void mirror_note(struct mirror_load *ml, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char **v;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	strbuf_addf(&sb, "mirror %s: %s", ml->pm->id, msg);
	free(msg);
	v = realloc(ml->res->notes, (ml->res->nnotes + 1) * sizeof(*v));
	if (v == NULL) {
		strbuf_release(&sb);
		return;
	}
	ml->res->notes = v;
	v[ml->res->nnotes++] = strbuf_detach(&sb);
}

static int month_of(const char *m)
{
	static const char *const names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	for (int i = 0; i < 12; i++)
		if (strcmp(m, names[i]) == 0)
			return i;
	return -1;
}

/* "Sat, 05 Dec 2026 02:53:00 UTC" (also "GMT", "+0000", no weekday).
 * Done by hand: strptime depends on the locale. */
int64_t mirror_parse_date(const char *s)
{
	char mon[4] = "", zone[8] = "";
	int day, year, hh, mm, ss, n = 0;
	const char *comma = strchr(s, ',');
	struct tm tm;
	int64_t t;

	if (comma)
		s = comma + 1;
	if (sscanf(s, " %d %3s %d %d:%d:%d %7s%n", &day, mon, &year, &hh, &mm, &ss, zone, &n) != 7)
		return -1;
	if (s[n] != '\0' && s[n] != '\n')
		return -1;
	if (strcmp(zone, "UTC") != 0 && strcmp(zone, "GMT") != 0 && strcmp(zone, "+0000") != 0 &&
	    strcmp(zone, "Z") != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mon = month_of(mon);
	if (tm.tm_mon < 0 || day < 1 || day > 31 || year < 1970 || year > 9999 ||
	    hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -1;
	tm.tm_mday = day;
	tm.tm_year = year - 1900;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	t = (int64_t)timegm(&tm);
	return t;
}

FILE *mirror_open_verified(struct mirror_load *ml, const char *name, const struct strbuf *data)
{
	int fd = memfd_create("gapimg-metadata", MFD_CLOEXEC);
	FILE *fp;

	if (fd < 0) {
		gapimg_error_errno(ml->err, errno, "memfd_create");
		return NULL;
	}
	if (data->len > 0) {
		const char *p = data->buf;
		size_t n = data->len;

		while (n > 0) {
			ssize_t w = write(fd, p, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				gapimg_error_errno(ml->err, errno, "mirror %s: cannot buffer %s",
						   ml->pm->id, name);
				close(fd);
				return NULL;
			}
			p += w;
			n -= (size_t)w;
		}
	}
	lseek(fd, 0, SEEK_SET);
	/* solv_xfopen_fd picks the decompressor from the name's suffix and
	 * owns fd from here on */
	fp = solv_xfopen_fd(name, fd, "r");
	if (fp == NULL) {
		close(fd);
		gapimg_error_set(ml->err, GAPIMG_E_UNSUPPORTED,
				 "mirror %s: cannot decompress %s (this libsolv does not "
				 "support its compression)", ml->pm->id, name);
	}
	return fp;
}

void mirror_format_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
}
