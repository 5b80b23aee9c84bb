/*
 * The image file being written: a temporary file in the target's folder,
 * so that the final rename is atomic, fsynced before it is renamed, and
 * removed if anything fails.  libsquashfs reads back, overwrites and
 * truncates what it wrote (block deduplication), so this is a full
 * sqfs_file_t, not a stream.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/error.h>

#include "gapimg/atomic.h"
#include "gapimg/squashfs.h"
#include "gapimg/strbuf.h"

struct outfile {
	sqfs_file_t base;
	int fd;
	uint64_t size;
	int io_errno;
	int committed;
	int slot;
	char *tmp_path;
	char *final_path;
	char *dir;
};

static int of_read_at(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t size)
{
	struct outfile *o = (struct outfile *)f;
	char *p = buf;

	if (off > o->size || size > o->size - off)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	while (size > 0) {
		ssize_t n = pread(o->fd, p, size, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->io_errno = n < 0 ? errno : EIO;
			return SQFS_ERROR_IO;
		}
		p += n;
		off += (sqfs_u64)n;
		size -= (size_t)n;
	}
	return 0;
}

static int of_write_at(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t size)
{
	struct outfile *o = (struct outfile *)f;
	const char *p = buf;
	sqfs_u64 end = off + size;

	while (size > 0) {
		ssize_t n = pwrite(o->fd, p, size, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->io_errno = n < 0 ? errno : ENOSPC;
			return SQFS_ERROR_IO;
		}
		p += n;
		off += (sqfs_u64)n;
		size -= (size_t)n;
	}
	if (end > o->size)
		o->size = end;
	return 0;
}

static sqfs_u64 of_get_size(const sqfs_file_t *f)
{
	return ((const struct outfile *)f)->size;
}

static int of_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	struct outfile *o = (struct outfile *)f;

	if (ftruncate(o->fd, (off_t)size) != 0) {
		o->io_errno = errno;
		return SQFS_ERROR_IO;
	}
	o->size = size;
	return 0;
}

/* The writer owns the object; libsquashfs never destroys a file it was
 * given, so this is only here to make the object complete. */
static void of_destroy(sqfs_object_t *obj)
{
	(void)obj;
}

struct outfile *outfile_create(const char *path, struct gapimg_error *err)
{
	struct outfile *o = calloc(1, sizeof(*o));
	struct strbuf tmp = STRBUF_INIT;
	char *dcopy = NULL, *bcopy = NULL;
	struct stat st;

	if (o == NULL)
		goto nomem;
	o->fd = -1;
	o->slot = -1;
	dcopy = strdup(path);
	bcopy = strdup(path);
	o->final_path = strdup(path);
	if (dcopy == NULL || bcopy == NULL || o->final_path == NULL)
		goto nomem;
	o->dir = strdup(dirname(dcopy));
	if (o->dir == NULL)
		goto nomem;
	if (stat(o->dir, &st) != 0) {
		if (errno == ENOENT)
			gapimg_error_errno(err, errno, "cannot write %s: output "
					   "folder %s does not exist; create it "
					   "first", path, o->dir);
		else
			gapimg_error_errno(err, errno, "cannot write %s: output "
					   "folder %s is not usable", path, o->dir);
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		gapimg_error_set(err, GAPIMG_E_NOTFOUND,
				 "cannot write %s: %s is not a folder", path, o->dir);
		goto fail;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		gapimg_error_set(err, GAPIMG_E_INVALID,
				 "cannot write %s: it is a folder; give the image "
				 "file's name", path);
		goto fail;
	}
	if (strbuf_addf(&tmp, "%s/.%s.tmp-XXXXXX", o->dir, basename(bcopy)))
		goto nomem;
	o->fd = gapimg_partial_create(tmp.buf, &o->slot);
	if (o->fd < 0) {
		gapimg_error_errno(err, errno, "cannot create a temporary file in %s",
				   o->dir);
		goto fail;
	}
	o->tmp_path = strbuf_detach(&tmp);  /* allocated: never NULL */
	/* A fixed mode: the image must not depend on the caller's umask. */
	if (fchmod(o->fd, 0644) != 0) {
		gapimg_error_errno(err, errno, "cannot set the mode of %s", o->tmp_path);
		goto fail;
	}
	o->base.base.destroy = of_destroy;
	o->base.read_at = of_read_at;
	o->base.write_at = of_write_at;
	o->base.get_size = of_get_size;
	o->base.truncate = of_truncate;
	free(dcopy);
	free(bcopy);
	return o;
nomem:
	gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
fail:
	free(dcopy);
	free(bcopy);
	strbuf_release(&tmp);
	outfile_destroy(o);
	return NULL;
}

sqfs_file_t *outfile_sqfs(struct outfile *o)
{
	return &o->base;
}

int outfile_errno(const struct outfile *o)
{
	return o->io_errno;
}

int outfile_fd(const struct outfile *o)
{
	return o->fd;
}

const char *outfile_path(const struct outfile *o)
{
	return o->final_path;
}

int outfile_commit(struct outfile *o, struct gapimg_error *err)
{
	int dfd;

	if (fsync(o->fd) != 0)
		return gapimg_error_errno(err, errno, "cannot write %s (fsync)",
					  o->final_path);
	if (close(o->fd) != 0) {
		o->fd = -1;
		return gapimg_error_errno(err, errno, "cannot write %s (close)",
					  o->final_path);
	}
	o->fd = -1;
	if (rename(o->tmp_path, o->final_path) != 0)
		return gapimg_error_errno(err, errno, "cannot rename %s to %s",
					  o->tmp_path, o->final_path);
	o->committed = 1;
	gapimg_partial_done(o->slot);
	o->slot = -1;
	/* Make the rename itself durable.  The new image is in place by now,
	 * so a failure here is not reported as a failed build (the image's
	 * own bytes were fsynced above). */
	dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void outfile_destroy(struct outfile *o)
{
	if (o == NULL)
		return;
	if (o->fd >= 0)
		close(o->fd);
	if (!o->committed && o->tmp_path != NULL)
		unlink(o->tmp_path);
	gapimg_partial_done(o->slot);
	free(o->tmp_path);
	free(o->final_path);
	free(o->dir);
	free(o);
}
