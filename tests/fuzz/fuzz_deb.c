/*
 * libFuzzer target for what `gapimg build` does with an untrusted .deb:
 * src/build/deb.c reads the ar container, control.tar.* and data.tar.*
 * with libarchive, and every payload entry goes through bld_add_entry
 * (src/build/unpack.c) into the tree and the SquashFS writer.  When the
 * package unpacks, the later stages run on it too, as gapimg_build would
 * (src/build/build.c): bld_configure (accounts from passwd.master and
 * sysusers.d, owners, the ld.so cache, alternatives from postinst),
 * bld_add_content, bld_write_accounts and bld_write_dpkg_db; then the
 * writer finishes the image, which is read back.
 *
 * The context is gapimg_build's, for one package ("fuzz 1", amd64) and an
 * empty recipe (no removals, files or units; epoch 1700000000): the input
 * is written to a file in a scratch folder made once per process (on
 * /dev/shm when there is one, as the writer fsyncs every image), and the
 * image goes to the same folder; both are removed at exit.  The writer
 * uses one thread, zstd level 1 and 4 KiB blocks, and inputs above 1 MiB
 * are skipped, so that each input takes little time.
 *
 * Also linked into fuzz_replay_deb (replay.c), so that gcc builds without
 * libFuzzer run tests/fuzz/corpus-deb as a regression test.  The seeds
 * are the Debian packages of tests/fixtures/make-build-repos.sh that are
 * small (NAME.deb, as built), and "-plain" copies with uncompressed
 * control.tar and data.tar members, whose tar headers mutations reach.
 *
 * tar headers carry a checksum, which mutations break and libarchive
 * checks; so before the input is written, the checksum of every ustar or
 * GNU header in an uncompressed control.tar or data.tar member is set to
 * match (a no-op for valid packages).  Everything else is as given.
 *
 * Besides the sanitizers, the promises the callers rely on are checked;
 * abort() makes libFuzzer save the input:
 *   - each stage returns 0 or -1, and -1 comes with a message and a
 *     status that is not GAPIMG_E_NOMEM (memory does not run out on
 *     inputs this small) or GAPIMG_E_INTERNAL (a bug by definition);
 *   - a package that unpacked and configured gives a tree the writer
 *     can finish, and the image reads back (gapimg_sqfs_read_tree, which
 *     checks every name) with as many inodes as the writer wrote.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/internal.h"
#include "build/ldcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (1u << 20)

/* ---- the scratch folder ---- */

static char *dir, *input_path, *image_path;

static void remove_scratch(void)
{
	if (dir == NULL)
		return;
	unlink(input_path);
	unlink(image_path);
	rmdir(dir);
}

static void scratch_init(void)
{
	const char *tmp = getenv("TMPDIR");
	struct stat st;

	if (dir != NULL)
		return;
	if (tmp == NULL || *tmp == '\0')
		tmp = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		      access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	if (asprintf(&dir, "%s/gapimg-fuzz-deb.XXXXXX", tmp) < 0 || mkdtemp(dir) == NULL ||
	    asprintf(&input_path, "%s/fuzz_1_amd64.deb", dir) < 0 ||
	    asprintf(&image_path, "%s/image.sqfs", dir) < 0) {
		perror("fuzz_deb: cannot make a scratch folder");
		abort();
	}
	atexit(remove_scratch);
}

/* ---- tar checksums ---- */

/* The header checksum (POSIX: the sum of the header's bytes with the
 * checksum field taken as spaces), as six octal digits, NUL, space. */
static void fix_tar_header(uint8_t *h)
{
	unsigned sum = 0, i;
	char field[8];

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf(field, sizeof(field), "%06o", sum);
	memcpy(h + 148, field, 7);
}

/* ar: "!<arch>\n", then per member a 60-byte header (name 16, date 12,
 * uid 6, gid 6, mode 8, size 10 in decimal, "`\n") and the data, padded
 * to an even length.  Members named exactly control.tar or data.tar are
 * tar archives as they are: fix every 512-byte block with the ustar magic
 * at 257 (data blocks that happen to look like a header too). */
static void fix_tar_checksums(uint8_t *p, size_t len)
{
	size_t off = 8;

	if (len < 8 || memcmp(p, "!<arch>\n", 8) != 0)
		return;
	while (len - off >= 60) {
		const uint8_t *h = p + off;
		size_t size = 0, i, blk;
		int tar = (memcmp(h, "control.tar", 11) == 0 &&
			   (h[11] == ' ' || h[11] == '/')) ||
			  (memcmp(h, "data.tar", 8) == 0 && (h[8] == ' ' || h[8] == '/'));

		for (i = 48; i < 58 && h[i] >= '0' && h[i] <= '9'; i++)
			size = size * 10 + (size_t)(h[i] - '0');
		off += 60;
		if (size > len - off)
			size = len - off;
		for (blk = 0; tar && size - blk >= 512; blk += 512)
			if (memcmp(p + off + blk + 257, "ustar", 5) == 0)
				fix_tar_header(p + off + blk);
		off += size;
		if (off < len && (size & 1))
			off++;
	}
}

/* ---- the build context ---- */

static char name[] = "fuzz", evr[] = "1", arch[] = "amd64", mirror[] = "fuzz";
static char location[] = "pool/main/fuzz_1_amd64.deb";

/* A failed stage: a message, and a status that is no bug. */
static void check_error(const char *stage, const struct gapimg_error *err)
{
	if (err->msg[0] == '\0' || err->code == GAPIMG_OK ||
	    err->code == GAPIMG_E_NOMEM || err->code == GAPIMG_E_INTERNAL) {
		fprintf(stderr, "fuzz_deb: %s failed with status %d: %s\n", stage,
			(int)err->code, err->msg);
		abort();
	}
}

/* 0: the stage succeeded; 1: it failed as it may. */
static int stage(const char *what, int rc, const struct gapimg_error *err)
{
	if (rc == 0)
		return 0;
	if (rc != -1) {
		fprintf(stderr, "fuzz_deb: %s returned %d\n", what, rc);
		abort();
	}
	check_error(what, err);
	return 1;
}

static void read_back(const struct gapimg_sqfs_stats *st)
{
	struct gapimg_fstree *tree = NULL;
	struct gapimg_sqfs_info info;
	struct gapimg_error err;

	memset(&err, 0, sizeof(err));
	if (gapimg_sqfs_read_tree(image_path, &tree, &info, &err) < 0) {
		fprintf(stderr, "fuzz_deb: the image does not read back: %s\n", err.msg);
		abort();
	}
	if (info.inodes != st->inodes) {
		fprintf(stderr, "fuzz_deb: the writer wrote %u inodes, the image has %u\n",
			st->inodes, info.inodes);
		abort();
	}
	gapimg_fstree_free(tree);
}

static void build(void)
{
	static struct gapimg_package pkg = {
		.name = name, .evr = evr, .arch = arch, .mirror = mirror,
		.location = location, .order = 1,
	};
	static struct gapimg_plan plan;
	static struct gapimg_resolution res;
	struct gapimg_build_opts opts;
	struct gapimg_build_result result;
	struct gapimg_sqfs_opts so;
	struct gapimg_sqfs_stats st;
	struct gapimg_error err;
	struct bld b;

	plan.epoch = 1700000000;
	plan.level = -1;
	res.family = GAPIMG_FAMILY_DEB;
	res.arch = arch;
	res.packages = &pkg;
	res.npackages = 1;
	memset(&opts, 0, sizeof(opts));
	opts.output = image_path;
	opts.threads = 1;
	memset(&result, 0, sizeof(result));
	memset(&err, 0, sizeof(err));
	memset(&b, 0, sizeof(b));
	b.plan = &plan;
	b.res = &res;
	b.opts = &opts;
	b.result = &result;
	b.epoch = plan.epoch;

	/* What bld_release frees: the package (label, file), the tree, the
	 * ld.so cache, the writer, and whatever the stages add (accounts,
	 * owners, texts, alternatives). */
	b.npkgs = 1;
	if ((b.pkgs = calloc(1, sizeof(*b.pkgs))) == NULL)
		abort();
	b.pkgs[0].pkg = &pkg;
	strbuf_init(&b.pkgs[0].list);
	if ((b.pkgs[0].label = strdup("fuzz 1")) == NULL ||
	    (b.pkgs[0].file = strdup(input_path)) == NULL)
		abort();
	if ((b.tree = gapimg_fstree_new(&err)) == NULL || (b.ldcache = ldcache_new()) == NULL)
		abort();
	gapimg_sqfs_opts_init(&so);
	so.comp = GAPIMG_COMP_ZSTD;
	so.level = 1;
	so.block_size = 4096;
	so.threads = 1;
	so.epoch = b.epoch;
	so.mtime = GAPIMG_MTIME_CLAMP;
	if (gapimg_sqfs_opts_check(&so, &err) < 0 ||
	    (b.writer = gapimg_sqfs_writer_create(image_path, &so, &err)) == NULL) {
		fprintf(stderr, "fuzz_deb: cannot start the writer: %s\n", err.msg);
		abort();
	}

	if (stage("bld_unpack_deb", bld_unpack_deb(&b, &b.pkgs[0], &err), &err) ||
	    stage("bld_configure", bld_configure(&b, &err), &err) ||
	    stage("bld_add_content", bld_add_content(&b, &err), &err) ||
	    stage("bld_write_accounts", bld_write_accounts(&b, &err), &err) ||
	    stage("bld_write_dpkg_db", bld_write_dpkg_db(&b, &err), &err))
		goto out;
	b.writing = 1;
	if (gapimg_sqfs_writer_finish(b.writer, b.tree, &st, &err) < 0) {
		fprintf(stderr, "fuzz_deb: a package that unpacked cannot be "
			"written: %s\n", err.msg);
		abort();
	}
	read_back(&st);
	unlink(image_path);
out:
	bld_release(&b);
	gapimg_build_result_free(&result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	int fd;

	if (size > INPUT_MAX)
		return 0;
	scratch_init();
	if ((copy = malloc(size ? size : 1)) == NULL)
		abort();
	if (size)
		memcpy(copy, data, size);
	fix_tar_checksums(copy, size);
	fd = open(input_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, copy, size) != (ssize_t)size || close(fd) < 0) {
		perror("fuzz_deb: cannot write the input");
		abort();
	}
	free(copy);
	build();
	return 0;
}
