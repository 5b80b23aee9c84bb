#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "build/debalt.h"
#include "gapimg/strbuf.h"

/* mawk 1.3.4.20200120-3.1's postinst, verbatim. */
static const char mawk_postinst[] =
	"#!/bin/sh\n"
	"set -e\n"
	"# Automatically added by dh_installalternatives/13.7.1\n"
	"if [ \"$1\" = \"configure\" ] || [ \"$1\" = \"abort-upgrade\" ] || "
	"[ \"$1\" = \"abort-deconfigure\" ] || [ \"$1\" = \"abort-remove\" ]; then\n"
	"        update-alternatives --install /usr/bin/awk awk /usr/bin/mawk 5 \\\n"
	"            --slave /usr/share/man/man1/awk.1.gz awk.1.gz "
	"/usr/share/man/man1/mawk.1.gz \\\n"
	"            --slave /usr/bin/nawk nawk /usr/bin/mawk \\\n"
	"            --slave /usr/share/man/man1/nawk.1.gz nawk.1.gz "
	"/usr/share/man/man1/mawk.1.gz\n"
	"fi\n"
	"# End automatically added section\n";

/* What update-alternatives (dpkg 1.21.23) writes for it. */
static const char mawk_admin[] =
	"auto\n"
	"/usr/bin/awk\n"
	"awk.1.gz\n"
	"/usr/share/man/man1/awk.1.gz\n"
	"nawk\n"
	"/usr/bin/nawk\n"
	"nawk.1.gz\n"
	"/usr/share/man/man1/nawk.1.gz\n"
	"\n"
	"/usr/bin/mawk\n"
	"5\n"
	"/usr/share/man/man1/mawk.1.gz\n"
	"/usr/bin/mawk\n"
	"/usr/share/man/man1/mawk.1.gz\n"
	"\n";

static void parse_ok(const char *pkg, const char *text, struct debalt **out,
		     size_t *n)
{
	struct gapimg_error err;

	err.msg[0] = '\0';
	if (debalt_parse_postinst(pkg, text, strlen(text), out, n, &err))
		fail_msg("%s", err.msg);
}

static void parse_err(const char *text, enum gapimg_status code,
		      const char *msg)
{
	struct gapimg_error err;
	struct debalt *a = (struct debalt *)1;
	size_t n = 1;

	assert_int_equal(debalt_parse_postinst("pkg", text, strlen(text), &a, &n,
					       &err), -1);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, msg);
	assert_null(a);
	assert_int_equal(n, 0);
}

static void check_alt(const struct debalt *a, const char *pkg, size_t line,
		      const char *link, const char *name, const char *path,
		      int prio, size_t nslaves, int optional)
{
	assert_string_equal(a->package, pkg);
	assert_int_equal(a->line, line);
	assert_string_equal(a->link, link);
	assert_string_equal(a->name, name);
	assert_string_equal(a->path, path);
	assert_int_equal(a->priority, prio);
	assert_int_equal(a->nslaves, nslaves);
	assert_int_equal(a->optional, optional);
}

static void check_slave(const struct debalt_slave *s, const char *link,
			const char *name, const char *path)
{
	assert_string_equal(s->link, link);
	assert_string_equal(s->name, name);
	assert_string_equal(s->path, path);
}

static void test_parse_mawk(void **state)
{
	struct debalt *a;
	size_t n;

	(void)state;
	parse_ok("mawk", mawk_postinst, &a, &n);
	assert_int_equal(n, 1);
	check_alt(&a[0], "mawk", 5, "/usr/bin/awk", "awk", "/usr/bin/mawk", 5, 3, 0);
	check_slave(&a[0].slaves[0], "/usr/share/man/man1/awk.1.gz", "awk.1.gz",
		    "/usr/share/man/man1/mawk.1.gz");
	check_slave(&a[0].slaves[1], "/usr/bin/nawk", "nawk", "/usr/bin/mawk");
	check_slave(&a[0].slaves[2], "/usr/share/man/man1/nawk.1.gz", "nawk.1.gz",
		    "/usr/share/man/man1/mawk.1.gz");
	debalt_free(a, n);
}

static const char tricky[] =
	"#! /bin/sh -e\n"
	"# update-alternatives --install /x x /y 1   (a comment)\n"
	"BIN=/usr/lib/foo\n"
	"export MAN='/usr/share/man/man1'\n"
	"prio=40\n"
	"cat <<EOF\n"
	"update-alternatives --install /h h /h2 1\n"
	"EOF\n"
	"ua() {\n"
	"\tupdate-alternatives --quiet --install \"/usr/bin/foo\" foo \\\n"
	"\t\t\"$BIN/foo\" \"$prio\" \\\n"
	"\t\t--slave \"$MAN/foo.1.gz\" foo.1.gz \"${MAN}/foo-real.1.gz\" \\\n"
	"\t\t>/dev/null 2>&1\n"
	"}\n"
	"case \"$1\" in\n"
	"    configure|abort-remove)\n"
	"\tif [ -x \"$(command -v update-alternatives)\" ]; then update-alternatives"
	" --install /usr/bin/bar bar /usr/bin/bar.real -10; fi\n"
	"\tupdate-alternatives --remove old /usr/bin/old\n"
	"\tLC_ALL=C /usr/bin/update-alternatives --install /usr/bin/baz baz "
	"'/usr/bin/baz two' 0 \\\n"
	"\t  || true\n"
	"\tua\n"
	"    ;;\n"
	"esac\n";

static void test_parse_tricky(void **state)
{
	struct debalt *a;
	size_t n;

	(void)state;
	parse_ok("foo", tricky, &a, &n);
	assert_int_equal(n, 3);
	check_alt(&a[0], "foo", 10, "/usr/bin/foo", "foo", "/usr/lib/foo/foo", 40,
		  1, 0);
	check_slave(&a[0].slaves[0], "/usr/share/man/man1/foo.1.gz", "foo.1.gz",
		    "/usr/share/man/man1/foo-real.1.gz");
	check_alt(&a[1], "foo", 17, "/usr/bin/bar", "bar", "/usr/bin/bar.real",
		  -10, 0, 0);
	check_alt(&a[2], "foo", 19, "/usr/bin/baz", "baz", "/usr/bin/baz two", 0,
		  0, 1);
	debalt_free(a, n);

	/* No call at all. */
	parse_ok("x", "#!/bin/sh\nexit 0\n", &a, &n);
	assert_int_equal(n, 0);
	debalt_free(a, n);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_err("#!/bin/sh\n\nupdate-alternatives --install /usr/bin/x x "
		  "\"$1\" 10\n",
		  GAPIMG_E_UNSUPPORTED,
		  "package pkg: postinst line 3: update-alternatives uses $1, "
		  "which gapimg cannot resolve (only variables set to a literal "
		  "value earlier in the script are); declare the alternative in "
		  "the recipe instead");
	parse_err("update-alternatives --install /usr/bin/x x \\\n"
		  "  /usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/x 10\n",
		  GAPIMG_E_UNSUPPORTED,
		  "package pkg: postinst line 2: update-alternatives uses a "
		  "command substitution, which gapimg cannot resolve (only "
		  "variables set to a literal value earlier in the script are); "
		  "declare the alternative in the recipe instead");
	/* Assigned from something unknown, or used before it is set. */
	parse_err("d=`pwd`\nupdate-alternatives --install /usr/bin/x x $d/x 1\n",
		  GAPIMG_E_UNSUPPORTED,
		  "package pkg: postinst line 2: update-alternatives uses $d, "
		  "which gapimg cannot resolve (only variables set to a literal "
		  "value earlier in the script are); declare the alternative in "
		  "the recipe instead");
	parse_err("update-alternatives --install /usr/bin/x x ${D}/x 1\nD=/a\n",
		  GAPIMG_E_UNSUPPORTED,
		  "package pkg: postinst line 1: update-alternatives uses $D, "
		  "which gapimg cannot resolve (only variables set to a literal "
		  "value earlier in the script are); declare the alternative in "
		  "the recipe instead");
	parse_err("P='a b'\nupdate-alternatives --install /usr/bin/x x /$P 1\n",
		  GAPIMG_E_UNSUPPORTED,
		  "package pkg: postinst line 2: update-alternatives uses $P "
		  "unquoted (its value would be split into words), which gapimg "
		  "cannot resolve (only variables set to a literal value earlier "
		  "in the script are); declare the alternative in the recipe "
		  "instead");
	parse_err("update-alternatives --install /usr/bin/x x /usr/bin/y high\n",
		  GAPIMG_E_INVALID,
		  "package pkg: postinst line 1: update-alternatives --install "
		  "priority \"high\" is not an integer");
	parse_err("update-alternatives --install /usr/bin/x x /usr/bin/y\n",
		  GAPIMG_E_INVALID,
		  "package pkg: postinst line 1: update-alternatives --install "
		  "needs LINK NAME PATH PRIORITY, then --slave LINK NAME PATH for "
		  "each slave");
	parse_err("update-alternatives --install /usr/bin/x x /usr/bin/y 1 "
		  "--slave /a\n",
		  GAPIMG_E_INVALID,
		  "package pkg: postinst line 1: update-alternatives --install "
		  "needs LINK NAME PATH PRIORITY, then --slave LINK NAME PATH for "
		  "each slave");
	parse_err("update-alternatives --install usr/bin/x x /usr/bin/y 1\n",
		  GAPIMG_E_INVALID,
		  "package pkg: postinst line 1: alternative link \"usr/bin/x\" "
		  "is not an absolute path");
	parse_err("update-alternatives --install /usr/bin/x a/b /usr/bin/y 1\n",
		  GAPIMG_E_INVALID,
		  "package pkg: postinst line 1: alternative name \"a/b\" must "
		  "not be empty or contain '/' or spaces");
}

/* ---- applying ---- */

static void add_file(struct gapimg_fstree *t, const char *path)
{
	struct gapimg_node_spec s = { .type = GAPIMG_FT_REG, .mode = 0755 };
	struct gapimg_error err;

	s.src = gapimg_source_memory("", 0, path, &err);
	assert_non_null(s.src);
	assert_non_null(gapimg_fstree_add(t, path, &s, "pkg",
					  GAPIMG_ADD_PARENTS, &err));
}

static void add_symlink(struct gapimg_fstree *t, const char *path,
			const char *target)
{
	struct gapimg_node_spec s = {
		.type = GAPIMG_FT_SYMLINK, .mode = 0777, .target = target,
	};
	struct gapimg_error err;

	assert_non_null(gapimg_fstree_add(t, path, &s, "pkg",
					  GAPIMG_ADD_PARENTS, &err));
}

static void check_link(const struct gapimg_fstree *t, const char *path,
		       const char *target)
{
	struct gapimg_dentry *d = gapimg_fstree_lookup(t, path);

	if (d == NULL)
		fail_msg("%s is missing", path);
	assert_int_equal(d->inode->type, GAPIMG_FT_SYMLINK);
	assert_string_equal(d->inode->u.symlink.target, target);
	assert_int_equal(d->inode->mode, 0777);
	assert_int_equal(d->inode->uid, 0);
	assert_int_equal(d->inode->gid, 0);
	assert_int_equal(d->inode->mtime, 1700000000);
}

static void check_admin(const struct gapimg_fstree *t, const char *name,
			const char *want)
{
	struct strbuf p = STRBUF_INIT;
	struct gapimg_dentry *d;
	struct gapimg_error err;
	char buf[4096];
	ssize_t got;

	strbuf_addf(&p, "/var/lib/dpkg/alternatives/%s", name);
	d = gapimg_fstree_lookup(t, p.buf);
	if (d == NULL)
		fail_msg("%s is missing", p.buf);
	assert_int_equal(d->inode->type, GAPIMG_FT_REG);
	assert_int_equal(d->inode->mode, 0644);
	assert_int_equal(d->inode->mtime, 1700000000);
	assert_int_equal(d->inode->u.reg.size, strlen(want));
	got = gapimg_source_read(d->inode->u.reg.src, buf, sizeof(buf) - 1, &err);
	assert_int_equal(got, (ssize_t)strlen(want));
	buf[got] = '\0';
	assert_string_equal(buf, want);
	strbuf_release(&p);
}

static void test_apply_mawk(void **state)
{
	struct gapimg_fstree *t = gapimg_fstree_new(NULL);
	struct gapimg_error err;
	struct debalt *a;
	size_t n;

	(void)state;
	add_file(t, "/usr/bin/mawk");
	add_file(t, "/usr/share/man/man1/mawk.1.gz");
	parse_ok("mawk", mawk_postinst, &a, &n);
	assert_int_equal(debalt_apply(t, a, n, 1700000000, &err), 0);
	check_link(t, "/etc/alternatives/awk", "/usr/bin/mawk");
	check_link(t, "/usr/bin/awk", "/etc/alternatives/awk");
	check_link(t, "/etc/alternatives/nawk", "/usr/bin/mawk");
	check_link(t, "/usr/bin/nawk", "/etc/alternatives/nawk");
	check_link(t, "/etc/alternatives/awk.1.gz", "/usr/share/man/man1/mawk.1.gz");
	check_link(t, "/usr/share/man/man1/awk.1.gz", "/etc/alternatives/awk.1.gz");
	check_link(t, "/etc/alternatives/nawk.1.gz",
		   "/usr/share/man/man1/mawk.1.gz");
	check_link(t, "/usr/share/man/man1/nawk.1.gz",
		   "/etc/alternatives/nawk.1.gz");
	check_admin(t, "awk", mawk_admin);
	debalt_free(a, n);
	gapimg_fstree_free(t);
}

/*
 * Three providers of one name.  Checked against update-alternatives: the
 * admin file lists choices by path and slaves by name; slaves whose file
 * is missing (docs left out of the image) get no link.
 */
static const char gawk_postinst[] =
	"update-alternatives --install /usr/bin/awk awk /usr/bin/gawk 5 \\\n"
	"  --slave /usr/bin/nawk nawk /usr/bin/gawk \\\n"
	"  --slave /usr/share/man/man1/awk.1.gz awk.1.gz "
	"/usr/share/man/man1/gawk.1.gz\n";
static const char busybox_postinst[] =
	"update-alternatives --install /usr/bin/awk awk /bin/busybox 1\n";

static void test_apply_priorities(void **state)
{
	static const char *const pkgs[3] = { "mawk", "gawk", "busybox" };
	static const char *const texts[3] = {
		mawk_postinst, gawk_postinst, busybox_postinst,
	};
	static const int orders[2][3] = { { 0, 1, 2 }, { 2, 1, 0 } };
	int o, i;

	(void)state;
	for (o = 0; o < 2; o++) {
		struct gapimg_fstree *t = gapimg_fstree_new(NULL);
		struct debalt *all = NULL;
		struct gapimg_error err;
		size_t nall = 0;

		add_file(t, "/usr/bin/mawk");
		add_file(t, "/usr/bin/gawk");
		add_file(t, "/usr/share/man/man1/mawk.1.gz");
		/* merged /usr: /bin/busybox is /usr/bin/busybox */
		add_symlink(t, "/bin", "usr/bin");
		add_file(t, "/usr/bin/busybox");
		for (i = 0; i < 3; i++) {
			struct debalt *a;
			size_t n;

			parse_ok(pkgs[orders[o][i]], texts[orders[o][i]], &a, &n);
			all = realloc(all, (nall + n) * sizeof(*all));
			assert_non_null(all);
			memcpy(all + nall, a, n * sizeof(*a));
			nall += n;
			free(a);
		}
		assert_int_equal(debalt_apply(t, all, nall, 1700000000, &err), 0);
		/* Equal priority 5: the first path in byte order wins. */
		check_link(t, "/etc/alternatives/awk", "/usr/bin/gawk");
		check_link(t, "/usr/bin/awk", "/etc/alternatives/awk");
		check_link(t, "/etc/alternatives/nawk", "/usr/bin/gawk");
		check_link(t, "/usr/bin/nawk", "/etc/alternatives/nawk");
		/* gawk.1.gz is not in the image; gawk has no nawk.1.gz. */
		assert_null(gapimg_fstree_lookup(t, "/etc/alternatives/awk.1.gz"));
		assert_null(gapimg_fstree_lookup(t, "/usr/share/man/man1/awk.1.gz"));
		assert_null(gapimg_fstree_lookup(t, "/etc/alternatives/nawk.1.gz"));
		check_admin(t, "awk",
			    "auto\n"
			    "/usr/bin/awk\n"
			    "awk.1.gz\n"
			    "/usr/share/man/man1/awk.1.gz\n"
			    "nawk\n"
			    "/usr/bin/nawk\n"
			    "nawk.1.gz\n"
			    "/usr/share/man/man1/nawk.1.gz\n"
			    "\n"
			    "/bin/busybox\n"
			    "1\n"
			    "\n"
			    "\n"
			    "\n"
			    "/usr/bin/gawk\n"
			    "5\n"
			    "/usr/share/man/man1/gawk.1.gz\n"
			    "/usr/bin/gawk\n"
			    "\n"
			    "/usr/bin/mawk\n"
			    "5\n"
			    "/usr/share/man/man1/mawk.1.gz\n"
			    "/usr/bin/mawk\n"
			    "/usr/share/man/man1/mawk.1.gz\n"
			    "\n");
		debalt_free(all, nall);
		gapimg_fstree_free(t);
	}
}

static void test_apply_links_through_symlinks(void **state)
{
	static const char util_linux[] =
		"update-alternatives --install /usr/bin/pager pager /bin/more 50\n"
		"update-alternatives --install /bin/vi vi /usr/bin/nvi 10\n";
	struct gapimg_fstree *t = gapimg_fstree_new(NULL);
	struct gapimg_error err;
	struct debalt *a;
	size_t n;

	(void)state;
	add_symlink(t, "/bin", "usr/bin");
	add_file(t, "/usr/bin/more");
	add_file(t, "/usr/bin/nvi");
	/* An old link is replaced. */
	add_symlink(t, "/usr/bin/pager", "more");
	parse_ok("util-linux", util_linux, &a, &n);
	assert_int_equal(debalt_apply(t, a, n, 1700000000, &err), 0);
	check_link(t, "/etc/alternatives/pager", "/bin/more");
	check_link(t, "/usr/bin/pager", "/etc/alternatives/pager");
	/* /bin/vi lands in /usr/bin, where /bin points. */
	check_link(t, "/usr/bin/vi", "/etc/alternatives/vi");
	assert_string_equal(gapimg_fstree_lookup(t, "/bin")->inode->u.symlink.target,
			    "usr/bin");
	check_admin(t, "pager", "auto\n/usr/bin/pager\n\n/bin/more\n50\n\n");
	debalt_free(a, n);
	gapimg_fstree_free(t);
}

static void apply_err(const char *pkg, const char *text, const char *file,
		      const char *msg, enum gapimg_status code)
{
	struct gapimg_fstree *t = gapimg_fstree_new(NULL);
	struct gapimg_error err;
	struct debalt *a;
	size_t n;

	add_file(t, "/usr/bin/mawk");
	if (file != NULL)
		add_file(t, file);
	parse_ok(pkg, text, &a, &n);
	assert_int_equal(debalt_apply(t, a, n, 0, &err), -1);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, msg);
	debalt_free(a, n);
	gapimg_fstree_free(t);
}

static void test_apply_errors(void **state)
{
	struct gapimg_fstree *t;
	struct gapimg_error err;
	struct debalt *a;
	size_t n;

	(void)state;
	/* update-alternatives only warns "not replacing ... with a link". */
	apply_err("mawk", mawk_postinst, "/usr/bin/awk",
		  "package mawk: update-alternatives would not replace "
		  "/usr/bin/awk (a regular file, from pkg) with a link to "
		  "/etc/alternatives/awk", GAPIMG_E_EXISTS);
	apply_err("x", "update-alternatives --install /usr/bin/x x /usr/bin/nope 1\n",
		  NULL,
		  "package x: postinst line 1: alternative path /usr/bin/nope (for "
		  "x) does not exist in the image, so update-alternatives "
		  "--install would fail", GAPIMG_E_NOTFOUND);
	apply_err("x", "update-alternatives --install /usr/bin/x x /usr/bin/mawk 1\n"
		  "update-alternatives --install /usr/bin/y x /usr/bin/awk 2\n",
		  "/usr/bin/awk",
		  "alternative x: package x gives it the link /usr/bin/y, but "
		  "package x gives /usr/bin/x", GAPIMG_E_INVALID);

	/* "|| true": the failed call is skipped, as the script goes on. */
	t = gapimg_fstree_new(NULL);
	parse_ok("bash", "update-alternatives --install /usr/share/man/man7/b.7.gz"
		 " b.7.gz /usr/share/man/man7/bash-b.7.gz 10 \\\n  || true\n",
		 &a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(debalt_apply(t, a, n, 0, &err), 0);
	assert_null(gapimg_fstree_lookup(t, "/etc/alternatives/b.7.gz"));
	assert_null(gapimg_fstree_lookup(t, "/var/lib/dpkg/alternatives/b.7.gz"));
	debalt_free(a, n);
	gapimg_fstree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_mawk),
		cmocka_unit_test(test_parse_tricky),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_apply_mawk),
		cmocka_unit_test(test_apply_priorities),
		cmocka_unit_test(test_apply_links_through_symlinks),
		cmocka_unit_test(test_apply_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
