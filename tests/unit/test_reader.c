/*
 * The reader on hostile images, built here with libsquashfs's low-level
 * API so that they contain what gapimg's writer never writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>
#include <sqfs/xattr_writer.h>

#include "gapimg/fstree.h"
#include "gapimg/squashfs.h"

static char img[256];

/*
 * An image whose root lists names[0..n) that all point at one empty
 * directory (inode 1); the root is inode 2.  With one name it is a valid
 * image, with two the directory is shared.
 */
static void write_shared_dir_image(const char *path, const char *const *names, int n)
{
	sqfs_file_t *f = sqfs_open_file(path, SQFS_FILE_OPEN_OVERWRITE);
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp;
	sqfs_super_t super;
	sqfs_meta_writer_t *im, *dm;
	sqfs_dir_writer_t *dw;
	sqfs_id_table_t *ids = sqfs_id_table_create(0);
	sqfs_frag_table_t *ft = sqfs_frag_table_create(0);
	sqfs_xattr_writer_t *xw = sqfs_xattr_writer_create(0);
	sqfs_inode_generic_t *in;
	sqfs_u64 blk, ref1, ref2;
	sqfs_u32 off;
	sqfs_u16 idx;
	int i;

	assert_non_null(f);
	assert_int_equal(sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD, 4096, 0), 0);
	assert_int_equal(sqfs_compressor_create(&cfg, &cmp), 0);
	assert_int_equal(sqfs_super_init(&super, 4096, 0, SQFS_COMP_ZSTD), 0);
	assert_int_equal(sqfs_super_write(&super, f), 0);
	im = sqfs_meta_writer_create(f, cmp, 0);
	dm = sqfs_meta_writer_create(f, cmp, SQFS_META_WRITER_KEEP_IN_MEMORY);
	dw = sqfs_dir_writer_create(dm, 0);
	assert_int_equal(sqfs_id_table_id_to_index(ids, 0, &idx), 0);
	super.inode_table_start = f->get_size(f);

	assert_int_equal(sqfs_dir_writer_begin(dw, 0), 0);
	assert_int_equal(sqfs_dir_writer_end(dw), 0);
	in = sqfs_dir_writer_create_inode(dw, 0, 0xFFFFFFFF, 2);
	in->base.mode = S_IFDIR | 0755;
	in->base.inode_number = 1;
	sqfs_meta_writer_get_position(im, &blk, &off);
	ref1 = blk << 16 | off;
	assert_int_equal(sqfs_meta_writer_write_inode(im, in), 0);
	free(in);

	assert_int_equal(sqfs_dir_writer_begin(dw, 0), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(sqfs_dir_writer_add_entry(dw, names[i], 1, ref1,
							   S_IFDIR | 0755), 0);
	assert_int_equal(sqfs_dir_writer_end(dw), 0);
	in = sqfs_dir_writer_create_inode(dw, 0, 0xFFFFFFFF, 3);
	in->base.mode = S_IFDIR | 0755;
	in->base.inode_number = 2;
	sqfs_meta_writer_get_position(im, &blk, &off);
	ref2 = blk << 16 | off;
	assert_int_equal(sqfs_meta_writer_write_inode(im, in), 0);
	free(in);

	assert_int_equal(sqfs_meta_writer_flush(im), 0);
	assert_int_equal(sqfs_meta_writer_flush(dm), 0);
	super.root_inode_ref = ref2;
	super.directory_table_start = f->get_size(f);
	assert_int_equal(sqfs_meta_write_write_to_file(dm), 0);
	assert_int_equal(sqfs_frag_table_write(ft, f, &super, cmp), 0);
	assert_int_equal(sqfs_id_table_write(ids, f, &super, cmp), 0);
	assert_int_equal(sqfs_xattr_writer_flush(xw, f, &super, cmp), 0);
	super.inode_count = 2;
	super.bytes_used = f->get_size(f);
	assert_int_equal(sqfs_super_write(&super, f), 0);

	sqfs_destroy(xw);
	sqfs_destroy(ft);
	sqfs_destroy(ids);
	sqfs_destroy(dw);
	sqfs_destroy(dm);
	sqfs_destroy(im);
	sqfs_destroy(cmp);
	sqfs_destroy(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(img, sizeof(img), "%s/gapimg-reader-%d.sqfs",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(img);
	return 0;
}

static void test_valid_control_image(void **state)
{
	static const char *const names[] = { "a" };
	struct gapimg_fstree *t;
	struct gapimg_error err;

	(void)state;
	write_shared_dir_image(img, names, 1);
	if (gapimg_sqfs_read_tree(img, &t, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	assert_non_null(gapimg_fstree_lookup(t, "/a"));
	assert_int_equal(t->ninodes, 2);
	gapimg_fstree_free(t);
}

static void test_shared_directory_refused(void **state)
{
	static const char *const names[] = { "a", "b" };
	struct gapimg_fstree *t;
	struct gapimg_error err;
	char want[512];

	(void)state;
	write_shared_dir_image(img, names, 2);
	assert_int_equal(gapimg_sqfs_read_tree(img, &t, NULL, &err), -1);
	assert_null(t);
	assert_int_equal(err.code, GAPIMG_E_CORRUPT);
	snprintf(want, sizeof(want), "image %s is corrupted: /b reaches directory "
		 "inode 1 a second time (a loop or a shared directory)", img);
	assert_string_equal(err.msg, want);
}

static void test_bad_names_refused(void **state)
{
	static const char *const slash[] = { "a/b" };
	static const char *const dotdot[] = { ".." };
	struct gapimg_fstree *t;
	struct gapimg_error err;
	char want[512];

	(void)state;
	write_shared_dir_image(img, slash, 1);
	assert_int_equal(gapimg_sqfs_read_tree(img, &t, NULL, &err), -1);
	snprintf(want, sizeof(want), "image %s is corrupted: / has an entry named "
		 "\"a/b\", which is not a valid file name", img);
	assert_string_equal(err.msg, want);

	write_shared_dir_image(img, dotdot, 1);
	assert_int_equal(gapimg_sqfs_read_tree(img, &t, NULL, &err), -1);
	assert_int_equal(err.code, GAPIMG_E_CORRUPT);
}

static void test_absurd_inode_count_refused(void **state)
{
	static const char *const names[] = { "a" };
	static const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
	struct gapimg_fstree *t;
	struct gapimg_error err;
	char want[512];
	FILE *fp;

	(void)state;
	write_shared_dir_image(img, names, 1);
	/* The inode count is the little-endian word at offset 4. */
	fp = fopen(img, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 4, SEEK_SET), 0);
	assert_int_equal(fwrite(huge, 1, 4, fp), 4);
	fclose(fp);
	assert_int_equal(gapimg_sqfs_read_tree(img, &t, NULL, &err), -1);
	snprintf(want, sizeof(want), "image %s claims 4294967295 inodes; gapimg "
		 "reads images of up to 33554432", img);
	assert_string_equal(err.msg, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_control_image),
		cmocka_unit_test(test_shared_directory_refused),
		cmocka_unit_test(test_bad_names_refused),
		cmocka_unit_test(test_absurd_inode_count_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
