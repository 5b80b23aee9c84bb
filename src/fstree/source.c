#include "gapimg/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void nomem(struct gapimg_error *err)
{
	gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
}

/* Host file: opened on first read, closed at the end. */
struct host_source {
	struct gapimg_source base;
	int fd;
};

static ssize_t host_read(struct gapimg_source *src, void *buf, size_t len,
			 struct gapimg_error *err)
{
	struct host_source *h = (struct host_source *)src;
	ssize_t n;

	if (h->fd < 0) {
		struct stat st;

		/* O_NOFOLLOW and O_NONBLOCK: if the file was swapped for a
		 * symlink or a FIFO since the tree was built, fail instead of
		 * reading something else or blocking forever. */
		h->fd = open(src->what, O_RDONLY | O_CLOEXEC | O_NOCTTY |
			     O_NOFOLLOW | O_NONBLOCK);
		if (h->fd < 0)
			return gapimg_error_errno(err, errno, "cannot open %s",
						  src->what);
		if (fstat(h->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(h->fd);
			h->fd = -1;
			return gapimg_error_set(err, GAPIMG_E_IO,
						"%s is no longer a regular file; "
						"was the tree changed while packing?",
						src->what);
		}
		posix_fadvise(h->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	do {
		n = read(h->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return gapimg_error_errno(err, errno, "cannot read %s", src->what);
	return n;
}

static void host_close(struct gapimg_source *src)
{
	struct host_source *h = (struct host_source *)src;

	if (h->fd >= 0) {
		close(h->fd);
		h->fd = -1;
	}
}

static void host_destroy(struct gapimg_source *src)
{
	host_close(src);
	free(src->what);
	free(src);
}

static const struct gapimg_source_ops host_ops = {
	host_read, host_close, host_destroy,
};

struct gapimg_source *gapimg_source_host_file(const char *path,
					      struct gapimg_error *err)
{
	struct host_source *h = calloc(1, sizeof(*h));

	if (h == NULL || (h->base.what = strdup(path)) == NULL) {
		free(h);
		nomem(err);
		return NULL;
	}
	h->base.ops = &host_ops;
	h->fd = -1;
	return &h->base;
}

/* Memory buffer: a private copy, read from the start. */
struct mem_source {
	struct gapimg_source base;
	size_t len, pos;
	unsigned char data[];
};

static ssize_t mem_read(struct gapimg_source *src, void *buf, size_t len,
			struct gapimg_error *err)
{
	struct mem_source *m = (struct mem_source *)src;
	size_t n = m->len - m->pos;

	(void)err;
	if (n > len)
		n = len;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static void mem_close(struct gapimg_source *src)
{
	((struct mem_source *)src)->pos = 0;
}

static void mem_destroy(struct gapimg_source *src)
{
	free(src->what);
	free(src);
}

static const struct gapimg_source_ops mem_ops = {
	mem_read, mem_close, mem_destroy,
};

struct gapimg_source *gapimg_source_memory(const void *data, size_t len,
					   const char *what,
					   struct gapimg_error *err)
{
	struct mem_source *m = malloc(sizeof(*m) + len);

	if (m == NULL || (m->base.what = strdup(what ? what : "memory")) == NULL) {
		free(m);
		nomem(err);
		return NULL;
	}
	m->base.ops = &mem_ops;
	m->len = len;
	m->pos = 0;
	if (len)
		memcpy(m->data, data, len);
	return &m->base;
}

/* Stream: a callback fed by a later stage (a package payload). */
struct stream_source {
	struct gapimg_source base;
	gapimg_stream_fn fn;
	void *user;
};

static ssize_t stream_read(struct gapimg_source *src, void *buf, size_t len,
			   struct gapimg_error *err)
{
	struct stream_source *s = (struct stream_source *)src;

	return s->fn(s->user, buf, len, err);
}

static void stream_close(struct gapimg_source *src)
{
	(void)src;
}

static const struct gapimg_source_ops stream_ops = {
	stream_read, stream_close, mem_destroy,
};

struct gapimg_source *gapimg_source_stream(gapimg_stream_fn fn, void *user,
					   const char *what,
					   struct gapimg_error *err)
{
	struct stream_source *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->base.what = strdup(what ? what : "stream")) == NULL) {
		free(s);
		nomem(err);
		return NULL;
	}
	s->base.ops = &stream_ops;
	s->fn = fn;
	s->user = user;
	return &s->base;
}

ssize_t gapimg_source_read(struct gapimg_source *src, void *buf, size_t len,
			   struct gapimg_error *err)
{
	return src->ops->read(src, buf, len, err);
}

void gapimg_source_close(struct gapimg_source *src)
{
	if (src != NULL)
		src->ops->close(src);
}

void gapimg_source_free(struct gapimg_source *src)
{
	if (src != NULL)
		src->ops->destroy(src);
}
