/*
 * elfso and ldcache against the real thing: a small root built from this
 * machine's libraries goes through the host's ldconfig and through
 * gapimg, and the two ld.so.cache files must be byte-identical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build/elfso.h"
#include "build/ldcache.h"

static const char *const ldconfig_paths[] = { "/sbin/ldconfig", "/usr/sbin/ldconfig" };

static int read_all(const char *path, struct strbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		assert_int_equal(strbuf_add(out, buf, n), 0);
	fclose(f);
	return 0;
}

/* Feed in odd chunk sizes, so that headers and strings straddle them. */
static int feed_chunks(const void *data, size_t len, char **soname, uint32_t *flags)
{
	static const size_t sizes[] = { 1, 7, 13, 4093, 3, 65537, 511, 2 };
	struct elfso *e = elfso_new();
	const char *p = data;
	size_t i = 0;
	int r;

	assert_non_null(e);
	while (len) {
		size_t n = sizes[i++ % 8];

		if (n > len)
			n = len;
		assert_int_equal(elfso_feed(e, p, n), 0);
		p += n;
		len -= n;
	}
	r = elfso_finish(e, soname, flags);
	elfso_free(e);
	return r;
}

/* Stream a file through elfso without holding it all. */
static int feed_file(const char *path, char **soname, uint32_t *flags)
{
	FILE *f = fopen(path, "rb");
	struct elfso *e = elfso_new();
	static char buf[40000];
	size_t n = 0;
	int r;

	assert_non_null(f);
	assert_non_null(e);
	while ((n = fread(buf, 1, sizeof(buf) - 1 - (n % 3), f)) > 0)
		assert_int_equal(elfso_feed(e, buf, n), 0);
	fclose(f);
	r = elfso_finish(e, soname, flags);
	elfso_free(e);
	return r;
}

static const char *find_ldconfig(void)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (access(ldconfig_paths[i], X_OK) == 0)
			return ldconfig_paths[i];
	return NULL;
}

/* ---- elfso alone ---- */

static void test_elfso_not_libraries(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *soname = (char *)1;
	uint32_t flags = 7;
	char junk[5000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 31 + 7);
	assert_int_equal(feed_chunks(junk, sizeof(junk), &soname, &flags), 0);
	assert_null(soname);
	assert_int_equal(feed_chunks("", 0, &soname, &flags), 0);
	assert_int_equal(feed_chunks("\177ELF", 4, &soname, &flags), 0);

	/* An executable (ET_EXEC or PIE with no SONAME either way). */
	assert_int_equal(read_all("/bin/true", &sb), 0);
	if (sb.buf[16] == 2)
		assert_int_equal(feed_chunks(sb.buf, sb.len, &soname, &flags), 0);

	/* Truncated libraries: every cut before the dynamic section ends. */
	strbuf_reset(&sb);
	assert_int_equal(read_all("/lib/x86_64-linux-gnu/libz.so.1", &sb), 0);
	assert_int_equal(feed_chunks(sb.buf, sb.len, &soname, &flags), 1);
	assert_string_equal(soname, "libz.so.1");
	assert_int_equal(flags, FLAG_ELF_LIBC6 | FLAG_X8664_LIB64);
	free(soname);
	for (i = 0; i < 200; i++) {
		soname = NULL;
		assert_int_equal(feed_chunks(sb.buf, i * 37, &soname, &flags), 0);
		assert_null(soname);
	}
	strbuf_release(&sb);
}

/* A library whose DT_SONAME entry was turned into DT_DEBUG. */
static void drop_soname(struct strbuf *sb)
{
	const unsigned char *p = (const unsigned char *)sb->buf;
	uint64_t phoff, off = 0, size = 0;
	unsigned phnum, i;

	memcpy(&phoff, p + 32, 8);
	phnum = (unsigned)(p[56] | p[57] << 8);
	for (i = 0; i < phnum; i++) {
		uint32_t type;

		memcpy(&type, p + phoff + i * 56, 4);
		if (type == 2) {
			memcpy(&off, p + phoff + i * 56 + 8, 8);
			memcpy(&size, p + phoff + i * 56 + 32, 8);
		}
	}
	assert_true(size > 0);
	for (i = 0; i + 16 <= size; i += 16) {
		int64_t tag;

		memcpy(&tag, sb->buf + off + i, 8);
		if (tag == 14) {
			tag = 21;
			memcpy(sb->buf + off + i, &tag, 8);
		}
	}
}

/* Set GNU_PROPERTY_X86_ISA_1_NEEDED (glibc's libraries carry it). */
static int patch_isa(struct strbuf *sb, uint32_t value)
{
	static const unsigned char key[8] = { 0x02, 0x80, 0x00, 0xc0, 4, 0, 0, 0 };
	char *p = memmem(sb->buf, sb->len < 8192 ? sb->len : 8192, key, 8);

	if (p == NULL)
		return -1;
	memcpy(p + 8, &value, 4);
	return 0;
}

static void write_file(const char *path, const struct strbuf *sb)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(sb->buf, 1, sb->len, f), sb->len);
	fclose(f);
}

static void test_elfso_isa_level(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *soname = NULL;
	uint32_t flags = 0;

	(void)state;
	assert_int_equal(read_all("/lib/x86_64-linux-gnu/libanl.so.1", &sb), 0);
	if (patch_isa(&sb, 0) < 0) {
		print_message("libanl.so.1 has no x86 ISA property here: skipping\n");
		strbuf_release(&sb);
		skip();
	}
	assert_int_equal(feed_chunks(sb.buf, sb.len, &soname, &flags), 1);
	assert_int_equal(ELFSO_ISA_LEVEL(flags), 0);
	free(soname);
	patch_isa(&sb, 0x4 | 0x1); /* x86-64-v3: the highest bit counts */
	assert_int_equal(feed_chunks(sb.buf, sb.len, &soname, &flags), 1);
	assert_int_equal(ELFSO_ISA_LEVEL(flags), 2);
	assert_int_equal(ELFSO_CACHE_FLAGS(flags), 0x303);
	assert_string_equal(soname, "libanl.so.1");
	free(soname);
	strbuf_release(&sb);
}

static void test_elfso_no_soname(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *soname = NULL;
	uint32_t flags = 0;

	(void)state;
	assert_int_equal(read_all("/lib/x86_64-linux-gnu/libz.so.1", &sb), 0);
	drop_soname(&sb);
	/* Still a library for ldconfig: it takes the file name. */
	assert_int_equal(feed_chunks(sb.buf, sb.len, &soname, &flags), 1);
	assert_null(soname);
	assert_int_equal(ELFSO_CACHE_FLAGS(flags), 0x303);
	strbuf_release(&sb);
}

/* Every byte of the headers, flipped: never a crash, never garbage. */
static void test_elfso_flip_sweep(void **state)
{
	static const unsigned char flips[] = { 0x01, 0x80, 0xff };
	struct strbuf sb = STRBUF_INIT;
	size_t i, k, lim;

	(void)state;
	/* A small library keeps this quick under the sanitizers. */
	assert_int_equal(read_all("/lib/x86_64-linux-gnu/libattr.so.1", &sb), 0);
	lim = sb.len < 8192 ? sb.len : 8192;
	for (i = 0; i < lim; i++) {
		for (k = 0; k < sizeof(flips); k++) {
			char *soname = NULL;
			uint32_t flags;
			int r;

			sb.buf[i] ^= (char)flips[k];
			r = feed_chunks(sb.buf, sb.len, &soname, &flags);
			assert_true(r == 0 || r == 1);
			if (r == 1 && soname)
				assert_true(strlen(soname) < sb.len);
			free(soname);
			sb.buf[i] ^= (char)flips[k];
		}
	}
	strbuf_release(&sb);
}

static void test_elfso_large(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *soname = NULL;
	uint32_t flags;
	const char *llvm = "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1";

	(void)state;
	/* A real library padded well past the kept prefix. */
	assert_int_equal(read_all("/lib/x86_64-linux-gnu/libz.so.1", &sb), 0);
	assert_int_equal(strbuf_grow(&sb, 3u << 20), 0);
	memset(sb.buf + sb.len, 0x5a, 3u << 20);
	strbuf_setlen(&sb, sb.len + (3u << 20));
	assert_int_equal(feed_chunks(sb.buf, sb.len, &soname, &flags), 1);
	assert_string_equal(soname, "libz.so.1");
	free(soname);
	strbuf_release(&sb);

	/* libLLVM's SONAME string lies past 1 MiB, its PT_DYNAMIC at ~110 MiB. */
	if (access(llvm, R_OK) == 0) {
		soname = NULL;
		assert_int_equal(feed_file(llvm, &soname, &flags), 1);
		assert_string_equal(soname, "libLLVM-15.so.1");
		assert_int_equal(flags, 0x303);
		free(soname);
	}
}

/* ---- ldcache against ldconfig ---- */

static char root[PATH_MAX];

static void sh(const char *fmt, ...) GAPIMG_PRINTF(1, 2);
static void sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static void put_file(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Copy the file behind host soname link `so` from `dir` into the root. */
static void copy_lib(const char *dir, const char *so, const char *todir, int links)
{
	char src[PATH_MAX], real[PATH_MAX];
	const char *base;

	snprintf(src, sizeof(src), "%s/%s", dir, so);
	if (realpath(src, real) == NULL)
		return;
	base = strrchr(real, '/') + 1;
	sh("cp '%s' '%s%s/%s'", real, root, todir, base);
	if (links && strcmp(base, so) != 0)
		sh("ln -sf '%s' '%s%s/%s'", base, root, todir, so);
}

static struct ldcache *walk_cache;
static size_t walk_libs;

/* Every call the walk made, to replay them in another order. */
struct call {
	int type; /* 'd', 'l', 'f', 'c' */
	char *path, *arg;
	uint32_t flags;
	size_t len;
};
static struct call *calls;
static size_t ncalls;

static void record(int type, const char *path, const char *arg, size_t len,
		   uint32_t flags)
{
	struct call *c;

	calls = realloc(calls, (ncalls + 1) * sizeof(*calls));
	assert_non_null(calls);
	c = &calls[ncalls++];
	c->type = type;
	c->path = strdup(path);
	c->arg = NULL;
	if (arg) {
		c->arg = malloc(len + 1);
		assert_non_null(c->arg);
		memcpy(c->arg, arg, len);
		c->arg[len] = '\0';
	}
	c->len = len;
	c->flags = flags;
}

static void replay(struct ldcache *c, const struct call *k)
{
	struct gapimg_error err;

	switch (k->type) {
	case 'd':
		assert_int_equal(ldcache_add_dir(c, k->path, &err), 0);
		break;
	case 'l':
		assert_int_equal(ldcache_add_symlink(c, k->path, k->arg, &err), 0);
		break;
	case 'f':
		assert_int_equal(ldcache_add_file(c, k->path, k->arg, k->flags, &err), 0);
		break;
	default:
		assert_int_equal(ldcache_add_conf(c, k->path, k->arg, k->len, &err), 0);
		break;
	}
}

static int walk(const char *fpath, const struct stat *st, int type, struct FTW *ftw)
{
	struct gapimg_error err;
	const char *img = fpath + strlen(root);

	(void)st;
	(void)ftw;
	if (type == FTW_D) {
		assert_int_equal(ldcache_add_dir(walk_cache, *img ? img : "/", &err), 0);
		record('d', *img ? img : "/", NULL, 0, 0);
	} else if (type == FTW_SL) {
		char target[PATH_MAX];
		ssize_t n = readlink(fpath, target, sizeof(target) - 1);

		assert_true(n > 0);
		target[n] = '\0';
		assert_int_equal(ldcache_add_symlink(walk_cache, img, target, &err), 0);
		record('l', img, target, (size_t)n, 0);
	} else if (type == FTW_F && strcmp(img, "/etc/ld.so.cache") != 0) {
		struct strbuf sb = STRBUF_INIT;
		char *soname = NULL;
		uint32_t flags = 0;

		assert_int_equal(read_all(fpath, &sb), 0);
		if (feed_chunks(sb.buf, sb.len, &soname, &flags) == 1) {
			assert_int_equal(ldcache_add_file(walk_cache, img, soname, flags, &err), 0);
			record('f', img, soname, soname ? strlen(soname) : 0, flags);
			walk_libs++;
		}
		if (strncmp(img, "/etc/ld.so.conf", 15) == 0) {
			assert_int_equal(ldcache_add_conf(walk_cache, img, sb.buf, sb.len, &err), 0);
			record('c', img, sb.buf, sb.len, 0);
		}
		free(soname);
		strbuf_release(&sb);
	}
	return 0;
}

/* The generator string the host ldconfig wrote (we match the rest). */
static char *generator_of(const struct strbuf *cache)
{
	const unsigned char *p = (const unsigned char *)cache->buf;
	uint32_t ext, count, i;

	memcpy(&ext, p + 32, 4);
	assert_true(ext + 8 <= cache->len);
	memcpy(&count, p + ext + 4, 4);
	for (i = 0; i < count; i++) {
		uint32_t s[4];

		memcpy(s, p + ext + 8 + 16 * i, 16);
		if (s[0] == 0)
			return strndup(cache->buf + s[2], s[3]);
	}
	fail_msg("no generator section");
	return NULL;
}

static void compare_with_ldconfig(const char *what)
{
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	struct gapimg_error err;
	char path[PATH_MAX * 2], *gen;
	const char *ldconfig = find_ldconfig();
	int rc;

	snprintf(path, sizeof(path), "%s/etc/ld.so.cache", root);
	unlink(path);
	sh("%s -X -r '%s' -C /etc/ld.so.cache 2>/dev/null", ldconfig, root);
	assert_int_equal(read_all(path, &want), 0);
	unlink(path);

	walk_cache = ldcache_new();
	walk_libs = 0;
	assert_non_null(walk_cache);
	assert_int_equal(nftw(root, walk, 16, FTW_PHYS), 0);
	gen = generator_of(&want);
	assert_int_equal(ldcache_set_generator(walk_cache, gen, &err), 0);
	rc = ldcache_write(walk_cache, &got, &err);
	if (rc < 0)
		fail_msg("%s: %s", what, err.msg);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len) != 0) {
		FILE *f;

		snprintf(path, sizeof(path), "%s.want", root);
		f = fopen(path, "wb");
		fwrite(want.buf, 1, want.len, f);
		fclose(f);
		snprintf(path, sizeof(path), "%s.got", root);
		f = fopen(path, "wb");
		fwrite(got.buf, 1, got.len, f);
		fclose(f);
		fail_msg("%s: ld.so.cache differs from ldconfig's (%zu vs %zu bytes; "
			 "see %s.want and %s.got)", what, got.len, want.len, root, root);
	}
	/* The order of the calls does not matter: replay them backwards and
	 * interleaved differently. */
	{
		struct ldcache *c2 = ldcache_new();
		struct strbuf again = STRBUF_INIT;
		size_t i;

		assert_non_null(c2);
		assert_int_equal(ldcache_set_generator(c2, gen, &err), 0);
		for (i = ncalls; i-- > 0;)
			if (i % 2)
				replay(c2, &calls[i]);
		for (i = 0; i < ncalls; i++)
			if (i % 2 == 0)
				replay(c2, &calls[i]);
		assert_int_equal(ldcache_write(c2, &again, &err), 0);
		assert_int_equal(again.len, got.len);
		assert_memory_equal(again.buf, got.buf, got.len);
		strbuf_release(&again);
		ldcache_free(c2);
		for (i = 0; i < ncalls; i++) {
			free(calls[i].path);
			free(calls[i].arg);
		}
		free(calls);
		calls = NULL;
		ncalls = 0;
	}
	/* And the default generator is Debian 12's. */
	assert_true(strncmp(LDCACHE_GENERATOR_DEBIAN12, "ldconfig (Debian GLIBC 2.36-", 28) == 0);
	free(gen);
	ldcache_free(walk_cache);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void test_ldcache_matches_ldconfig(void **state)
{
	static const char *const libs[] = {
		"libz.so.1", "libzstd.so.1", "liblzma.so.5", "libbz2.so.1.0",
		"libcrypt.so.1", "libpcre2-8.so.0", "libselinux.so.1", "libacl.so.1",
		"libattr.so.1", "libcap.so.2", "libgcc_s.so.1", "libstdc++.so.6",
		"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libcmocka.so.0",
		"libffi.so.8", "libtinfo.so.6",
	};
	struct strbuf sb = STRBUF_INIT;
	char path[PATH_MAX * 2];
	size_t i;

	(void)state;
	if (find_ldconfig() == NULL) {
		print_message("ldconfig not found on the host: skipping the comparison\n");
		skip();
	}
	snprintf(root, sizeof(root), "%s/gapimg-ldcache-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(root));

	/* An empty root: only the extension with the generator. */
	sh("mkdir -p '%s/etc'", root);
	compare_with_ldconfig("empty root");

	/* Debian 12's merged /usr, its ld.so.conf, and libraries. */
	sh("cd '%s' && mkdir -p usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3 "
	   "usr/lib/x86_64-linux-gnu/tls etc/ld.so.conf.d opt/custom/lib usr/lib32 "
	   "usr/local/lib && ln -s usr/lib lib && ln -s usr/lib32 lib32", root);
	put_file("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n\n");
	put_file("/etc/ld.so.conf.d/libc.conf", "# libc default configuration\n/usr/local/lib\n");
	put_file("/etc/ld.so.conf.d/x86_64-linux-gnu.conf",
		 "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n"
		 "/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n");
	put_file("/etc/ld.so.conf.d/zz_custom.conf", "  /opt/custom/lib/  # ours\n"
		 "/does/not/exist\nhwcap 0 nosegneg\n");
	put_file("/etc/ld.so.conf.d/zz_i386-biarch-compat.conf", "/lib32\n/usr/lib32\n");
	put_file("/etc/ld.so.conf.d/ignored.txt", "/opt/ignored\n");
	for (i = 0; i < sizeof(libs) / sizeof(*libs); i++)
		copy_lib("/lib/x86_64-linux-gnu", libs[i], "/usr/lib/x86_64-linux-gnu", 1);
	/* Development links: ldconfig caches them under their own name. */
	sh("cd '%s/usr/lib/x86_64-linux-gnu' && ln -s libz.so.1 libz.so && "
	   "ln -s /usr/lib/x86_64-linux-gnu/libzstd.so.1 libzstd.so && "
	   "ln -s libgone.so.1.0 libgone.so.1 && ln -s libz.so.1 libnotz.so.3", root);
	/* The same soname in a later directory, and a library in a custom one. */
	copy_lib("/lib/x86_64-linux-gnu", "libz.so.1", "/opt/custom/lib", 1);
	copy_lib("/lib/x86_64-linux-gnu", "libattr.so.1", "/opt/custom/lib", 0);
	copy_lib("/lib/x86_64-linux-gnu", "libacl.so.1",
		 "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3", 0);
	copy_lib("/lib/x86_64-linux-gnu", "libcap.so.2", "/usr/lib/x86_64-linux-gnu/tls", 1);
	/* A library without DT_SONAME. */
	snprintf(path, sizeof(path), "%s/opt/custom/lib/libnoname.so.4", root);
	assert_int_equal(read_all("/lib/x86_64-linux-gnu/libz.so.1", &sb), 0);
	drop_soname(&sb);
	write_file(path, &sb);
	strbuf_release(&sb);
	/* glibc-hwcaps libraries needing x86-64-v2/v3, and an unused name. */
	sh("mkdir -p '%s/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v2' "
	   "'%s/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v4' "
	   "'%s/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86:bad'", root, root, root);
	assert_int_equal(read_all("/lib/x86_64-linux-gnu/libanl.so.1", &sb), 0);
	if (patch_isa(&sb, 2) == 0) {
		snprintf(path, sizeof(path), "%s/usr/lib/x86_64-linux-gnu/glibc-hwcaps/"
			 "x86-64-v2/libanl.so.1", root);
		write_file(path, &sb);
		patch_isa(&sb, 4);
		snprintf(path, sizeof(path), "%s/usr/lib/x86_64-linux-gnu/glibc-hwcaps/"
			 "x86-64-v3/libanl.so.1", root);
		write_file(path, &sb);
		snprintf(path, sizeof(path), "%s/usr/lib/x86_64-linux-gnu/libanl.so.1", root);
		write_file(path, &sb);
	}
	strbuf_release(&sb);
	/* i386 libraries, when the host has them. */
	if (access("/lib32/libc.so.6", R_OK) == 0) {
		copy_lib("/lib32", "libc.so.6", "/usr/lib32", 1);
		copy_lib("/lib32", "ld-linux.so.2", "/usr/lib32", 1);
		copy_lib("/lib32", "libdl.so.2", "/usr/lib32", 1);
	}
	compare_with_ldconfig("Debian-like root");

	sh("rm -rf '%s' '%s.want' '%s.got'", root, root, root);
}

static void test_ldcache_hostile(void **state)
{
	static const char loop_conf[] = "include /etc/ld.so.conf.d/*\n";
	static const char conf[] = "/a\n/b/../c=libc6\n=libc5\n  \n#x\ninclude rel/*.conf\n";
	struct ldcache *c = ldcache_new();
	struct strbuf out = STRBUF_INIT;
	struct gapimg_error err;
	uint32_t n;

	(void)state;
	assert_non_null(c);
	assert_int_equal(ldcache_add_file(c, "relative/libx.so.1", "libx.so.1", 0x303, &err), -1);
	assert_int_equal(err.code, GAPIMG_E_INVALID);
	assert_int_equal(ldcache_add_symlink(c, "/a", "/a", &err), 0);
	assert_int_equal(ldcache_add_symlink(c, "/b", "b/../b", &err), 0);
	assert_int_equal(ldcache_add_symlink(c, "/lib", "../../lib/./x/..", &err), 0);
	assert_int_equal(ldcache_add_symlink(c, "/usr/lib/libloop.so.1", "libloop.so.1", &err), 0);
	assert_int_equal(ldcache_add_symlink(c, "/usr/lib/libdir.so.1", "/usr", &err), 0);
	assert_int_equal(ldcache_add_file(c, "/usr/lib/libx.so.1", "", 0x303, &err), 0);
	assert_int_equal(ldcache_add_file(c, "/usr/lib/libd.so.1/libin.so", "libin.so", 0x303, &err), 0);
	assert_int_equal(ldcache_add_conf(c, "/etc/ld.so.conf", conf, sizeof(conf) - 1, &err), 0);
	assert_int_equal(ldcache_add_conf(c, "/etc/rel/a.conf", "/usr/lib\0/x\n", 11, &err), 0);
	assert_int_equal(ldcache_write(c, &out, &err), 0);
	memcpy(&n, out.buf + 20, 4);
	assert_int_equal(n, 1); /* libx.so.1's empty soname: ldconfig takes it too */

	/* ldconfig would recurse until it crashes; we refuse. */
	assert_int_equal(ldcache_add_conf(c, "/etc/ld.so.conf.d/x", loop_conf,
					  sizeof(loop_conf) - 1, &err), 0);
	assert_int_equal(ldcache_add_conf(c, "/etc/ld.so.conf", loop_conf,
					  sizeof(loop_conf) - 1, &err), 0);
	strbuf_reset(&out);
	assert_int_equal(ldcache_write(c, &out, &err), -1);
	assert_int_equal(err.code, GAPIMG_E_INVALID);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
	ldcache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elfso_not_libraries),
		cmocka_unit_test(test_elfso_no_soname),
		cmocka_unit_test(test_elfso_isa_level),
		cmocka_unit_test(test_elfso_flip_sweep),
		cmocka_unit_test(test_elfso_large),
		cmocka_unit_test(test_ldcache_hostile),
		cmocka_unit_test(test_ldcache_matches_ldconfig),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
