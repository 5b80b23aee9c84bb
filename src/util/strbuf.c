#include "gapimg/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (sb->alloc == 0)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need, alloc;
	char *p;

	if (extra > (size_t)-1 - sb->len - 1)
		return -1;
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return 0;
	alloc = sb->alloc ? sb->alloc : 64;
	while (alloc < need)
		alloc = alloc > (size_t)-1 / 2 ? need : alloc * 2;
	p = realloc(sb->alloc ? sb->buf : NULL, alloc);
	if (p == NULL)
		return -1;
	if (sb->alloc == 0)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = alloc;
	return 0;
}

int strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len))
		return -1;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(struct strbuf *sb, char c)
{
	return strbuf_add(sb, &c, 1);
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || strbuf_grow(sb, (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

char *strbuf_detach(struct strbuf *sb)
{
	char *s;

	if (sb->alloc == 0) {
		s = strdup("");
	} else {
		s = sb->buf;
	}
	strbuf_init(sb);
	return s;
}

int strbuf_read_file(struct strbuf *sb, const char *path, size_t max,
		     struct gapimg_error *err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	size_t start = sb->len, got = 0;
	ssize_t n = 0;

	if (fd < 0)
		return gapimg_error_errno(err, errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s is not a file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return gapimg_error_set(err, GAPIMG_E_INVALID, "%s is %lld bytes, more than the "
					"%zu it may have", path, (long long)st.st_size, max);
	}
	if (strbuf_grow(sb, (size_t)st.st_size) < 0) {
		close(fd);
		return gapimg_error_nomem(err);
	}
	/* Up to max: a file that grows while it is read is cut there. */
	for (;;) {
		char buf[65536];
		size_t want = max - got < sizeof(buf) ? max - got : sizeof(buf);

		if (want == 0)
			break;
		n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (strbuf_add(sb, buf, (size_t)n) < 0) {
			strbuf_setlen(sb, start);
			close(fd);
			return gapimg_error_nomem(err);
		}
		got += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		strbuf_setlen(sb, start);
		return gapimg_error_errno(err, errno, "cannot read %s", path);
	}
	return 0;
}
