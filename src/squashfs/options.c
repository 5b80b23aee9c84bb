#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqfs/error.h>

#include "gapimg/squashfs.h"
#include "internal.h"

static const struct {
	const char *name;
	int min, max, def;
} comps[] = {
	[GAPIMG_COMP_ZSTD] = { "zstd", 1, 22, 15 },
	[GAPIMG_COMP_XZ] = { "xz", 0, 9, 6 },
	[GAPIMG_COMP_GZIP] = { "gzip", 1, 9, 9 },
};

const char *gapimg_comp_name(enum gapimg_comp comp)
{
	return comps[comp].name;
}

int gapimg_comp_default_level(enum gapimg_comp comp)
{
	return comps[comp].def;
}

void gapimg_sqfs_opts_init(struct gapimg_sqfs_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->comp = GAPIMG_COMP_ZSTD;
	opts->level = GAPIMG_LEVEL_DEFAULT;
	opts->block_size = GAPIMG_BLOCK_SIZE_DEFAULT;
	opts->mtime = GAPIMG_MTIME_EPOCH;
}

static int parse_uint(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *out > max)
		return -1;
	return 0;
}

int gapimg_sqfs_parse_comp(const char *spec, struct gapimg_sqfs_opts *opts,
			   struct gapimg_error *err)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	size_t i;

	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++) {
		unsigned long long level;

		if (strlen(comps[i].name) != len || strncmp(spec, comps[i].name, len))
			continue;
		opts->comp = (enum gapimg_comp)i;
		opts->level = GAPIMG_LEVEL_DEFAULT;
		if (colon == NULL)
			return 0;
		if (parse_uint(colon + 1, INT_MAX, &level) ||
		    (int)level < comps[i].min || (int)level > comps[i].max)
			return gapimg_error_set(err, GAPIMG_E_INVALID,
						"invalid compression level \"%s\" for %s: "
						"give a whole number from %d to %d",
						colon + 1, comps[i].name,
						comps[i].min, comps[i].max);
		opts->level = (int)level;
		return 0;
	}
	return gapimg_error_set(err, GAPIMG_E_INVALID,
				"unknown compressor \"%.*s\": use zstd, xz or gzip, "
				"optionally with a level (zstd:19)", (int)len, spec);
}

int gapimg_sqfs_parse_block_size(const char *spec, uint32_t *out,
				 struct gapimg_error *err)
{
	unsigned long long v, mul = 1;
	char buf[32];
	size_t len = strlen(spec);

	if (len > 0 && len < sizeof(buf)) {
		memcpy(buf, spec, len + 1);
		if (buf[len - 1] == 'K' || buf[len - 1] == 'k') {
			mul = 1024;
			buf[--len] = '\0';
		} else if (buf[len - 1] == 'M' || buf[len - 1] == 'm') {
			mul = 1024 * 1024;
			buf[--len] = '\0';
		}
		if (len > 0 && parse_uint(buf, UINT32_MAX, &v) == 0 &&
		    v * mul >= GAPIMG_BLOCK_SIZE_MIN && v * mul <= GAPIMG_BLOCK_SIZE_MAX &&
		    ((v * mul) & (v * mul - 1)) == 0) {
			*out = (uint32_t)(v * mul);
			return 0;
		}
	}
	return gapimg_error_set(err, GAPIMG_E_INVALID,
				"invalid block size \"%s\": give a power of two "
				"from 4K to 1M (4096, 128K, 1M)", spec);
}

int gapimg_sqfs_opts_check(const struct gapimg_sqfs_opts *opts,
			   struct gapimg_error *err)
{
	uint32_t bs = opts->block_size;

	if ((unsigned)opts->comp >= sizeof(comps) / sizeof(comps[0]))
		return gapimg_error_set(err, GAPIMG_E_INVALID, "unknown compressor");
	if (opts->level != GAPIMG_LEVEL_DEFAULT && (opts->level < comps[opts->comp].min ||
				 opts->level > comps[opts->comp].max))
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"invalid compression level %d for %s: give "
					"a whole number from %d to %d", opts->level,
					comps[opts->comp].name, comps[opts->comp].min,
					comps[opts->comp].max);
	if (bs < GAPIMG_BLOCK_SIZE_MIN || bs > GAPIMG_BLOCK_SIZE_MAX || (bs & (bs - 1)))
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"invalid block size %u: give a power of two "
					"from 4K to 1M", bs);
	if (opts->epoch < 0 || opts->epoch > UINT32_MAX)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"invalid epoch %lld: SquashFS stores times as "
					"seconds from 0 to 4294967295",
					(long long)opts->epoch);
	if (opts->threads > GAPIMG_THREADS_MAX)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
					"invalid thread count %u: give 1 to %d, or 0 "
					"for one per CPU", opts->threads,
					GAPIMG_THREADS_MAX);
	return 0;
}

const char *sqfs_error_text(int code)
{
	switch (code) {
	case SQFS_ERROR_ALLOC: return "out of memory";
	case SQFS_ERROR_IO: return "input/output error";
	case SQFS_ERROR_COMPRESSOR: return "compressor failure";
	case SQFS_ERROR_INTERNAL: return "internal error in libsquashfs";
	case SQFS_ERROR_CORRUPTED: return "the image is corrupted";
	case SQFS_ERROR_UNSUPPORTED: return "unsupported feature";
	case SQFS_ERROR_OVERFLOW: return "a size or count overflowed";
	case SQFS_ERROR_OUT_OF_BOUNDS: return "a location is out of bounds (truncated or corrupted image)";
	case -9: return "not a SquashFS image (bad magic number)";
	case -10: return "unsupported SquashFS version";
	case SQFS_ERROR_SUPER_BLOCK_SIZE: return "invalid block size in the super block";
	case SQFS_ERROR_NOT_DIR: return "not a directory";
	case SQFS_ERROR_NO_ENTRY: return "no such entry";
	case SQFS_ERROR_LINK_LOOP: return "hard link loop";
	case SQFS_ERROR_NOT_FILE: return "not a regular file";
	case SQFS_ERROR_ARG_INVALID: return "invalid argument";
	case SQFS_ERROR_SEQUENCE: return "calls out of sequence (a bug in gapimg)";
	}
	return "unknown libsquashfs error";
}
