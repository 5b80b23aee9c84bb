#include "gapimg/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int gapimg_write_file_atomic(const char *path, const void *data, size_t len,
			     struct gapimg_error *err)
{
	char *tmp = NULL, *dir = dir_of(path);
	const char *p = data;
	int fd = -1, dfd;

	if (dir == NULL || asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		free(dir);
		return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		gapimg_error_errno(err, errno, "cannot create a temporary file beside %s", path);
		if (err->sys_errno == ENOSPC)
			err->code = GAPIMG_E_NOSPACE;
		free(tmp);
		free(dir);
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			gapimg_error_errno(err, n < 0 ? errno : ENOSPC, "cannot write %s", tmp);
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		gapimg_error_errno(err, errno, "cannot write %s", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		gapimg_error_errno(err, errno, "cannot write %s", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		gapimg_error_errno(err, errno, "cannot rename %s to %s", tmp, path);
		goto fail;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(tmp);
	free(dir);
	return 0;
fail:
	if (err->sys_errno == ENOSPC)
		err->code = GAPIMG_E_NOSPACE;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	free(dir);
	return -1;
}
