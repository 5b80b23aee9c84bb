/*
 * Local inputs: files next to the recipe that the plan depends on (file
 * sources, data files, mirror keys).  Each is hashed when the recipe is
 * compiled, so that the recipe digest changes whenever one does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gapimg/sha256.h"
#include "internal.h"

int rc_local_path(struct rcompiler *rc, const struct rsource *src, const char *written,
		  char **fs_path, char **plan_path)
{
	*fs_path = rc_join_clean(src->dir, written);
	*plan_path = rc_join_clean(src->rel_dir, written);
	if (*fs_path == NULL || *plan_path == NULL) {
		free(*fs_path);
		free(*plan_path);
		*fs_path = *plan_path = NULL;
		rc->nomem = 1;
		gapimg_error_set(rc->err, GAPIMG_E_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int rc_hash_input(struct rcompiler *rc, const struct rsource *src, const struct rtoken *at,
		  const char *fs_path, struct gapimg_plan_input *in, int want_regular)
{
	struct gapimg_sha256 *ctx;
	uint8_t digest[GAPIMG_SHA256_LEN];
	char buf[1 << 16];
	struct stat st;
	ssize_t got;
	int fd;

	if (rc->flags & GAPIMG_COMPILE_NO_FILES) {
		rc_error(rc, src, at->vspan, NULL,
			 "local files are not read when checking recipe text alone");
		return -1;
	}
	fd = open(fs_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc_error(rc, src, at->vspan,
			 errno == ENOENT ? "paths are relative to the folder of the recipe that names them" : NULL,
			 "cannot read %s: %s", fs_path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || (want_regular && !S_ISREG(st.st_mode))) {
		rc_error(rc, src, at->vspan, NULL, "%s is not a regular file", fs_path);
		close(fd);
		return -1;
	}
	if ((ctx = gapimg_sha256_new()) == NULL) {
		close(fd);
		rc->nomem = 1;
		gapimg_error_set(rc->err, GAPIMG_E_NOMEM, "out of memory");
		return -1;
	}
	in->size = 0;
	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		in->size += (uint64_t)got;
		gapimg_sha256_update(ctx, buf, (size_t)got);
	}
	if (got < 0) {
		rc_error(rc, src, at->vspan, NULL, "cannot read %s: %s", fs_path, strerror(errno));
		gapimg_sha256_free(ctx);
		close(fd);
		return -1;
	}
	close(fd);
	gapimg_sha256_final(ctx, digest);
	gapimg_sha256_free(ctx);
	gapimg_hex(digest, sizeof(digest), in->sha256);
	return 0;
}
