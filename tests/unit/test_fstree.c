#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gapimg/fstree.h"
#include "gapimg/strbuf.h"

static struct gapimg_dentry *add_file(struct gapimg_fstree *t, const char *path,
				      const char *text, const char *origin,
				      unsigned flags, struct gapimg_error *err)
{
	struct gapimg_node_spec s = {
		.type = GAPIMG_FT_REG, .mode = 0644, .size = strlen(text),
	};

	s.src = gapimg_source_memory(text, strlen(text), origin, err);
	assert_non_null(s.src);
	return gapimg_fstree_add(t, path, &s, origin, flags, err);
}

static struct gapimg_dentry *add_dir(struct gapimg_fstree *t, const char *path,
				     const char *origin, unsigned flags,
				     struct gapimg_error *err)
{
	struct gapimg_node_spec s = { .type = GAPIMG_FT_DIR, .mode = 0755 };

	return gapimg_fstree_add(t, path, &s, origin, flags, err);
}

static int collect(struct gapimg_dentry *d, void *user)
{
	struct strbuf *sb = user;
	char *p = gapimg_dentry_path(d);

	strbuf_addstr(sb, p);
	strbuf_addch(sb, '\n');
	free(p);
	return 0;
}

static void test_sorted_whatever_the_order(void **state)
{
	static const char *const orders[2][6] = {
		{ "/b", "/a", "/B", "/\xff", "/a0", "/a/x" },
		{ "/a/x", "/\xff", "/a0", "/B", "/b", "/a" },
	};
	struct gapimg_error err;
	int o, i;

	(void)state;
	for (o = 0; o < 2; o++) {
		struct gapimg_fstree *t = gapimg_fstree_new(&err);
		struct strbuf sb = STRBUF_INIT;

		for (i = 0; i < 6; i++) {
			if (strcmp(orders[o][i], "/a") == 0)
				assert_non_null(add_dir(t, "/a", "test",
							GAPIMG_ADD_REPLACE, &err));
			else
				assert_non_null(add_file(t, orders[o][i], "x", "test",
							 GAPIMG_ADD_PARENTS, &err));
		}
		gapimg_fstree_walk(t, collect, &sb);
		/* Unsigned byte order: uppercase first, 0xff last. */
		assert_string_equal(sb.buf, "/\n/B\n/a\n/a/x\n/a0\n/b\n/\xff\n");
		assert_int_equal(t->ninodes, 7);
		strbuf_release(&sb);
		gapimg_fstree_free(t);
	}
}

static void test_duplicates_name_both_origins(void **state)
{
	struct gapimg_fstree *t = gapimg_fstree_new(NULL);
	struct gapimg_error err;
	struct gapimg_dentry *d;

	(void)state;
	assert_non_null(add_dir(t, "/etc", "pkg base", 0, &err));
	assert_non_null(add_file(t, "/etc/x", "one", "pkg one", 0, &err));
	assert_null(add_file(t, "/etc/x", "two", "pkg two", 0, &err));
	assert_int_equal(err.code, GAPIMG_E_EXISTS);
	assert_string_equal(err.msg,
			    "cannot add regular file /etc/x (from pkg two): the path "
			    "already exists as regular file /etc/x (from pkg one)");

	d = add_file(t, "/etc/x", "three", "pkg three", GAPIMG_ADD_REPLACE, &err);
	assert_non_null(d);
	assert_string_equal(d->origin, "pkg three");
	assert_int_equal(d->inode->u.reg.size, 5);
	assert_int_equal(t->ninodes, 3);
	assert_int_equal(t->ndentries, 3);

	/* A directory replacing a directory keeps its children. */
	d = add_dir(t, "/etc", "pkg other", GAPIMG_ADD_REPLACE, &err);
	assert_non_null(d);
	assert_int_equal(d->nchildren, 1);

	/* A non-empty directory is never replaced by a file. */
	assert_null(add_file(t, "/etc", "f", "pkg bad", GAPIMG_ADD_REPLACE, &err));
	assert_string_equal(err.msg,
			    "cannot replace the non-empty directory /etc (from pkg "
			    "other) with a regular file (from pkg bad); remove its "
			    "contents first");
	gapimg_fstree_free(t);
}

static void test_parents(void **state)
{
	struct gapimg_fstree *t = gapimg_fstree_new(NULL);
	struct gapimg_error err;
	struct gapimg_dentry *d;

	(void)state;
	assert_null(add_file(t, "/usr/lib/x", "x", "pkg a", 0, &err));
	assert_int_equal(err.code, GAPIMG_E_NOTFOUND);
	assert_string_equal(err.msg,
			    "cannot add /usr/lib/x (from pkg a): its parent directory "
			    "/usr does not exist; add the directory first");
	assert_non_null(add_file(t, "/usr/lib/x", "x", "pkg a",
				 GAPIMG_ADD_PARENTS, &err));
	d = gapimg_fstree_lookup(t, "/usr/lib");
	assert_non_null(d);
	assert_int_equal(d->inode->type, GAPIMG_FT_DIR);
	assert_int_equal(d->inode->mode, 0755);
	assert_string_equal(d->origin, "implicit parent of /usr/lib/x (from pkg a)");

	assert_null(add_file(t, "/usr/lib/x/y", "y", "pkg b", 0, &err));
	assert_string_equal(err.msg,
			    "cannot add /usr/lib/x/y (from pkg b): regular file "
			    "/usr/lib/x (from pkg a) is in the way, and a parent must "
			    "be a directory");
	assert_null(add_file(t, "/usr/../etc", "y", "pkg c", 0, &err));
	assert_string_equal(err.msg,
			    "invalid path \"/usr/../etc\" from pkg c: '..' components "
			    "are not allowed; give the path without them");
	assert_null(gapimg_fstree_lookup(t, "/usr/lib/x/y"));
	assert_null(gapimg_fstree_lookup(t, "/nope"));
	assert_ptr_equal(gapimg_fstree_lookup(t, "usr//lib/"), d);
	gapimg_fstree_free(t);
}

static void test_hardlinks(void **state)
{
	struct gapimg_fstree *t = gapimg_fstree_new(NULL);
	struct gapimg_error err;
	struct gapimg_dentry *a, *b, *c;

	(void)state;
	a = add_file(t, "/a", "data", "host a", 0, &err);
	assert_non_null(a);
	b = gapimg_fstree_add_hardlink(t, "/b", "/a", "host b", 0, &err);
	c = gapimg_fstree_add_hardlink(t, "/c", "/a", "host c", 0, &err);
	assert_non_null(b);
	assert_non_null(c);
	assert_ptr_equal(a->inode, b->inode);
	assert_int_equal(a->inode->nlink, 3);
	assert_ptr_equal(a->inode->first, a);
	assert_int_equal(t->ninodes, 2);
	assert_int_equal(t->ndentries, 4);

	assert_null(gapimg_fstree_add_hardlink(t, "/d", "/", "host d", 0, &err));
	assert_string_equal(err.msg,
			    "cannot add hard link /d (from host d): its target / is a "
			    "directory, and directories cannot be hard linked");
	assert_null(gapimg_fstree_add_hardlink(t, "/d", "/zz", "host d", 0, &err));
	assert_string_equal(err.msg,
			    "cannot add hard link /d (from host d): its target /zz "
			    "does not exist; add the target first");

	/* Replacing the first name hands the inode to another name. */
	assert_non_null(add_file(t, "/a", "new", "pkg new", GAPIMG_ADD_REPLACE, &err));
	assert_int_equal(b->inode->nlink, 2);
	assert_ptr_equal(b->inode->first, b);
	assert_int_equal(t->ninodes, 3);
	gapimg_fstree_free(t);
}

static void test_xattrs(void **state)
{
	struct gapimg_fstree *t = gapimg_fstree_new(NULL);
	struct gapimg_error err;
	struct gapimg_inode *in;
	static const uint8_t cap[20] = { 1, 0, 0, 2, 0, 0x20 };

	(void)state;
	in = add_file(t, "/f", "x", "test", 0, &err)->inode;
	assert_int_equal(gapimg_inode_set_xattr(in, "user.b", "2", 1, &err), 0);
	assert_int_equal(gapimg_inode_set_xattr(in, "security.capability", cap,
						sizeof(cap), &err), 0);
	assert_int_equal(gapimg_inode_set_xattr(in, "user.a", "1", 1, &err), 0);
	assert_int_equal(gapimg_inode_set_xattr(in, "user.b", "22", 2, &err), 0);
	assert_int_equal(in->nxattrs, 3);
	assert_string_equal(in->xattrs[0].key, "security.capability");
	assert_memory_equal(in->xattrs[0].value, cap, sizeof(cap));
	assert_string_equal(in->xattrs[1].key, "user.a");
	assert_string_equal(in->xattrs[2].key, "user.b");
	assert_int_equal(in->xattrs[2].size, 2);

	assert_int_equal(gapimg_inode_set_xattr(in, "system.posix_acl_access", "", 0,
						&err), -1);
	assert_int_equal(err.code, GAPIMG_E_UNSUPPORTED);
	assert_string_equal(err.msg,
			    "extended attribute \"system.posix_acl_access\" cannot be "
			    "stored in a SquashFS image: only the user., trusted. and "
			    "security. namespaces are supported");
	assert_int_equal(gapimg_inode_set_xattr(in, "user.", "", 0, &err), -1);
	gapimg_fstree_free(t);
}

static void test_specs_refused(void **state)
{
	struct gapimg_fstree *t = gapimg_fstree_new(NULL);
	struct gapimg_node_spec s = { .type = GAPIMG_FT_SYMLINK, .mode = 0777 };
	struct gapimg_error err;

	(void)state;
	assert_null(gapimg_fstree_add(t, "/l", &s, "test", 0, &err));
	assert_string_equal(err.msg, "cannot add /l (from test): a symlink needs "
			    "a non-empty target");
	s.type = GAPIMG_FT_REG;
	s.mode = 0100644;
	assert_null(gapimg_fstree_add(t, "/f", &s, "test", 0, &err));
	assert_string_equal(err.msg, "cannot add /f (from test): the mode has bits "
			    "outside 07777 (give permission bits only)");
	s.type = GAPIMG_FT_FIFO;
	s.mode = 0644;
	assert_null(gapimg_fstree_add(t, "/", &s, "test", 0, &err));
	assert_string_equal(err.msg, "cannot add FIFO / (from test): the image root "
			    "always exists and is a directory");
	/* A source handed over with a failing add is freed (ASan checks). */
	assert_null(add_file(t, "/a/../b", "leak?", "test", 0, &err));
	gapimg_fstree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_whatever_the_order),
		cmocka_unit_test(test_duplicates_name_both_origins),
		cmocka_unit_test(test_parents),
		cmocka_unit_test(test_hardlinks),
		cmocka_unit_test(test_xattrs),
		cmocka_unit_test(test_specs_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
