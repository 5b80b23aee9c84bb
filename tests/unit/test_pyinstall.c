#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "python/install.h"
#include "python/wheelname.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define FIXTURES "/work/shared/fixtures/wheels"

/*
 * Wheels are made here, at run time, with libarchive's zip writer, so that
 * each bad wheel differs from the good one by exactly one defect.
 */

static char tmpdir[4096];

static int setup_dir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_pyinstall.XXXXXX",
		 base != NULL && *base != '\0' ? base : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown_dir(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	char p[8192];

	(void)state;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(tmpdir);
}

/* One zip member: type 'f' file, 'd' folder, 'l' symbolic link. */
struct m {
	const char *name;
	const char *data;
	unsigned mode;
	char type;
	int norecord;             /* leave out of RECORD */
	const char *record_hash;  /* RECORD's hash field instead of the real one */
};

static void b64url(const unsigned char *in, size_t len, char *out)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;
	unsigned v;
	int bits = 0;

	for (i = 0, v = 0; i < len; i++) {
		v = (v << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			*out++ = t[(v >> (bits - 6)) & 63];
			bits -= 6;
		}
	}
	if (bits > 0)
		*out++ = t[(v << (6 - bits)) & 63];
	*out = '\0';
}

static void sha256_b64(const void *data, size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
	b64url(md, n, out);
}

static void zip_add(struct archive *a, const char *name, const char *data, size_t len,
		    unsigned mode, char type)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_mtime(e, 315532800, 0);
	if (type == 'l') {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, data);
		archive_entry_set_size(e, 0);
	} else if (type == 'd') {
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
		archive_entry_set_size(e, 0);
	} else {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, mode ? mode : 0644);
		archive_entry_set_size(e, (la_int64_t)len);
	}
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (type == 'f' || type == 0)
		assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

/*
 * Write tmpdir/file with the members ms and, last, distinfo/RECORD listing
 * them (plus extra rows); returns the path (static).
 */
static const char *make_wheel(const char *file, const struct m *ms, size_t n,
			      const char *distinfo, const char *extra_rows)
{
	static char path[8192];
	struct archive *a = archive_write_new();
	char rec[16384] = "", row[1024], hash[128], recname[512];
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		const char *d = ms[i].data ? ms[i].data : "";
		int quote = strchr(ms[i].name, ',') != NULL;

		zip_add(a, ms[i].name, d, strlen(d), ms[i].mode, ms[i].type ? ms[i].type : 'f');
		if (ms[i].norecord || ms[i].type == 'd')
			continue;
		if (ms[i].record_hash != NULL) {
			snprintf(hash, sizeof(hash), "%s", ms[i].record_hash);
		} else {
			memcpy(hash, "sha256=", 7);
			sha256_b64(d, strlen(d), hash + 7);
		}
		snprintf(row, sizeof(row), "%s%s%s,%s,%zu\n", quote ? "\"" : "", ms[i].name,
			 quote ? "\"" : "", hash, strlen(d));
		strcat(rec, row);
	}
	if (extra_rows != NULL)
		strcat(rec, extra_rows);
	snprintf(row, sizeof(row), "%s/RECORD,,\n", distinfo);
	strcat(rec, row);
	snprintf(recname, sizeof(recname), "%s/RECORD", distinfo);
	zip_add(a, recname, rec, strlen(rec), 0644, 'f');
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return path;
}

/* What emit() was given. */
struct file {
	char *path;
	unsigned mode;
	char *member;
	char *data;
	size_t len;
};

struct sink {
	struct file f[512];
	size_t n;
	int read_nothing;         /* emit() reads none of the content */
	int fail_at;              /* emit() fails on this call (1-based), or 0 */
};

static void sink_release(struct sink *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->f[i].path);
		free(s->f[i].member);
		free(s->f[i].data);
	}
	s->n = 0;
}

static int emit(void *user, const struct pyinstall_file *f, pyinstall_read_fn rd, void *r,
		struct gapimg_error *err)
{
	struct sink *s = user;
	struct file *o;
	char buf[7]; /* small, so that reads are split */
	ssize_t n;

	assert_true(s->n < N(s->f));
	o = &s->f[s->n++];
	o->path = strdup(f->path);
	o->mode = f->mode;
	o->member = f->member ? strdup(f->member) : NULL;
	o->data = malloc(f->size + 1);
	o->len = 0;
	assert_non_null(o->data);
	if (s->fail_at != 0 && (size_t)s->fail_at == s->n)
		return gapimg_error_set(err, GAPIMG_E_NOSPACE, "the image is full");
	if (s->read_nothing)
		return 0;
	while ((n = rd(r, buf, sizeof(buf), err)) > 0) {
		assert_true(o->len + (size_t)n <= f->size);
		memcpy(o->data + o->len, buf, (size_t)n);
		o->len += (size_t)n;
	}
	if (n < 0)
		return -1;
	assert_int_equal(o->len, f->size);
	o->data[o->len] = '\0';
	return 0;
}

static const struct pyinstall_scheme scheme = {
	.purelib = "/usr/local/lib/python3.11/dist-packages",
	.platlib = "/usr/local/lib/python3.11/dist-packages",
	.scripts = "/usr/local/bin",
	.data = "/usr/local",
	.headers = "/usr/local/include/python3.11",
	.interpreter = "/usr/bin/python3.11",
	.pyc_tag = "cpython-311",
};

static const struct pyinstall_opts opts = {
	.label = "demo 1.0 (demo-1.0-py3-none-any.whl)",
	.name = "demo",
	.version = "1.0",
	.requested = 1,
	.installer = "gapimg",
};

#define SITE "/usr/local/lib/python3.11/dist-packages"
#define DI "demo-1.0.dist-info"
#define DATA "demo-1.0.data"
#define LABEL "demo 1.0 (demo-1.0-py3-none-any.whl)"

static const char wheel_txt[] =
	"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
static const char entry_txt[] =
	"# launchers\n"
	"[console_scripts]\n"
	"demo = demo.cli:main\n"
	"; a comment\n"
	"\n"
	"[gui_scripts]\n"
	"demo-gui = demo.cli:App.run [gui]\n"
	"\n"
	"[demo.plugins]\n"
	"anything goes = here\n";

static const struct m good[] = {
	{ "demo/", NULL, 0, 'd', 0, NULL },
	{ "demo/__init__.py", "from .cli import main\n", 0644, 'f', 0, NULL },
	{ "demo/cli.py", "def main():\n    return 0\n", 0644, 'f', 0, NULL },
	{ "demo/a,b.txt", "comma\n", 0644, 'f', 0, NULL },
	{ "demo/tool.sh", "#!/bin/sh\necho hi\n", 0755, 'f', 0, NULL },
	{ DATA "/scripts/demo-run", "#!python\nimport demo\n", 0644, 'f', 0, NULL },
	{ DATA "/scripts/demo-w", "#!pythonw -u\r\nimport demo\n", 0644, 'f', 0, NULL },
	{ DATA "/scripts/plain.sh", "#!/bin/sh\nexit 0\n", 0644, 'f', 0, NULL },
	{ DATA "/scripts/py3", "#!python3\n", 0644, 'f', 0, NULL },
	{ DATA "/headers/demo.h", "int demo;\n", 0644, 'f', 0, NULL },
	{ DATA "/data/share/demo/readme.txt", "hello\n", 0644, 'f', 0, NULL },
	{ DI "/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", 0644, 'f', 0, NULL },
	{ DI "/WHEEL", wheel_txt, 0644, 'f', 0, NULL },
	{ DI "/entry_points.txt", entry_txt, 0644, 'f', 0, NULL },
};

static const char launcher_demo[] =
	"#!/usr/bin/python3.11\n"
	"# Generated by gapimg for the console_scripts entry point \"demo\" of\n"
	"# demo 1.0.  It calls demo.cli:main.\n"
	"import sys\n"
	"\n"
	"from demo.cli import main as entry_point\n"
	"\n"
	"if __name__ == \"__main__\":\n"
	"    sys.exit(entry_point())\n";

static const char launcher_gui[] =
	"#!/usr/bin/python3.11\n"
	"# Generated by gapimg for the gui_scripts entry point \"demo-gui\" of\n"
	"# demo 1.0.  It calls demo.cli:App.run.\n"
	"import sys\n"
	"\n"
	"from demo.cli import App as entry_point\n"
	"\n"
	"if __name__ == \"__main__\":\n"
	"    sys.exit(entry_point.run())\n";

struct want {
	const char *path;
	unsigned mode;
	const char *member;
	const char *data;
};

static const struct want want_good[] = {
	{ SITE "/demo/__init__.py", 0644, "demo/__init__.py", "from .cli import main\n" },
	{ SITE "/demo/cli.py", 0644, "demo/cli.py", "def main():\n    return 0\n" },
	{ SITE "/demo/a,b.txt", 0644, "demo/a,b.txt", "comma\n" },
	{ SITE "/demo/tool.sh", 0755, "demo/tool.sh", "#!/bin/sh\necho hi\n" },
	{ "/usr/local/bin/demo-run", 0755, DATA "/scripts/demo-run",
	  "#!/usr/bin/python3.11\nimport demo\n" },
	{ "/usr/local/bin/demo-w", 0755, DATA "/scripts/demo-w",
	  "#!/usr/bin/python3.11\nimport demo\n" },
	{ "/usr/local/bin/plain.sh", 0755, DATA "/scripts/plain.sh", "#!/bin/sh\nexit 0\n" },
	/* "#!python3" too: the whole first line, as pip rewrites it */
	{ "/usr/local/bin/py3", 0755, DATA "/scripts/py3", "#!/usr/bin/python3.11\n" },
	{ "/usr/local/include/python3.11/demo/demo.h", 0644, DATA "/headers/demo.h",
	  "int demo;\n" },
	{ "/usr/local/share/demo/readme.txt", 0644, DATA "/data/share/demo/readme.txt",
	  "hello\n" },
	{ SITE "/" DI "/METADATA", 0644, DI "/METADATA",
	  "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n" },
	{ SITE "/" DI "/WHEEL", 0644, DI "/WHEEL", wheel_txt },
	{ SITE "/" DI "/entry_points.txt", 0644, DI "/entry_points.txt", entry_txt },
	{ "/usr/local/bin/demo", 0755, NULL, launcher_demo },
	{ "/usr/local/bin/demo-gui", 0755, NULL, launcher_gui },
	{ SITE "/" DI "/INSTALLER", 0644, NULL, "gapimg\n" },
	{ SITE "/" DI "/RECORD", 0644, NULL, NULL },
	{ SITE "/" DI "/REQUESTED", 0644, NULL, "" },
};

/* The RECORD row "rel,sha256=...,size" of content. */
static void row_of(char *out, size_t outsz, const char *rel, const char *data)
{
	char h[128];

	sha256_b64(data, strlen(data), h);
	snprintf(out, outsz, "%s,sha256=%s,%zu\n", rel, h, strlen(data));
}

static void test_good(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct gapimg_error err = { 0 };
	const char *path = make_wheel("demo-1.0-py3-none-any.whl", good, N(good), DI, NULL);
	char want[8192] = "", row[1024];
	size_t i;

	(void)state;
	assert_non_null(s);
	if (pyinstall_wheel(path, &opts, &scheme, emit, s, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s->n, N(want_good));
	for (i = 0; i < N(want_good); i++) {
		assert_string_equal(s->f[i].path, want_good[i].path);
		assert_int_equal(s->f[i].mode, want_good[i].mode);
		if (want_good[i].member == NULL)
			assert_null(s->f[i].member);
		else
			assert_string_equal(s->f[i].member, want_good[i].member);
		if (want_good[i].data != NULL) {
			assert_int_equal(s->f[i].len, strlen(want_good[i].data));
			assert_memory_equal(s->f[i].data, want_good[i].data, s->f[i].len);
		}
	}

	/*
	 * The new RECORD, sorted by path, the site folder's relative paths;
	 * the hashes are the installed bytes' (the #!python scripts differ
	 * from their members).  The hashes were checked with sha256sum.
	 */
	row_of(row, sizeof(row), "../../../bin/demo", launcher_demo);
	strcat(want, row);
	row_of(row, sizeof(row), "../../../bin/demo-gui", launcher_gui);
	strcat(want, row);
	strcat(want,
	       "../../../bin/demo-run,sha256=SkpWhQ1ZB2DuEw8iuwAciHlm9JzjshnMK_nCch7H9so,34\n"
	       "../../../bin/demo-w,sha256=SkpWhQ1ZB2DuEw8iuwAciHlm9JzjshnMK_nCch7H9so,34\n"
	       "../../../bin/plain.sh,sha256=MGxsp0B1YDQHl4ZuB34FNietQJJ30bnaWBBvzkz3F8s,17\n"
	       "../../../bin/py3,sha256=hQN2qW8foguaOhhb4hsmQwnor3CLCkjwdciE1Q_-IZQ,22\n"
	       "../../../include/python3.11/demo/demo.h,"
	       "sha256=me0tbX_fNecPNKwvhoJd1YMtSG6s3fVsoOCq1dmhwUs,10\n"
	       "../../../share/demo/readme.txt,"
	       "sha256=WJG1tSLV3whtD_CxEPvZ0hu0_HFjrzTQgoai6Eb2vgM,6\n"
	       "demo-1.0.dist-info/INSTALLER,"
	       "sha256=z_CV6r3wEbFpR45RCPzNrsD3RAzFgKrUHTbisNACkNs,7\n"
	       "demo-1.0.dist-info/METADATA,"
	       "sha256=NKonpgZPlYtBt4GiF_KQ_Qq1-WUeK25Kzas0G3uTwwU,46\n"
	       "demo-1.0.dist-info/RECORD,,\n"
	       "demo-1.0.dist-info/REQUESTED,"
	       "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n");
	row_of(row, sizeof(row), "demo-1.0.dist-info/WHEEL", wheel_txt);
	strcat(want, row);
	row_of(row, sizeof(row), "demo-1.0.dist-info/entry_points.txt", entry_txt);
	strcat(want, row);
	strcat(want,
	       "demo/__init__.py,sha256=ucQESw8DmMUlgbIvhowpcUSqVmdq9NvqLm_U5RE1nuA,22\n"
	       "demo/__pycache__/__init__.cpython-311.pyc,,\n"
	       "demo/__pycache__/cli.cpython-311.pyc,,\n"
	       "\"demo/a,b.txt\",sha256=CXbtI5TCnt9nSAzvkR27zbjfFNcB7rVD6bGSc32Vmsc,6\n"
	       "demo/cli.py,sha256=EEPvUuiyFFOCNorP4yRHIPMZ9TmlTxVCqcPIV-09IRE,25\n"
	       "demo/tool.sh,sha256=KZABho-4wC_UMcM2xtBY9VWMXf9bWvXm_gS4cKapy7o,18\n");
	assert_string_equal(s->f[16].data, want);

	sink_release(s);
	free(s);
}

/* emit() may read nothing: the member is still read to its end and
 * checked; and an emit() failure stops the installation with context. */
static void test_emit_reads_nothing(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct gapimg_error err = { 0 };
	struct m ms[N(good)];
	const char *path;

	(void)state;
	memcpy(ms, good, sizeof(good));
	path = make_wheel("demo-1.0-py3-none-any.whl", ms, N(ms), DI, NULL);
	s->read_nothing = 1;
	if (pyinstall_wheel(path, &opts, &scheme, emit, s, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s->n, N(want_good));
	sink_release(s);

	/* Same length, other bytes: only the hash can tell. */
	ms[2].data = "def main():\n    return 1\n";
	ms[2].record_hash = "sha256=EEPvUuiyFFOCNorP4yRHIPMZ9TmlTxVCqcPIV-09IRE";
	path = make_wheel("demo-1.0-py3-none-any.whl", ms, N(ms), DI, NULL);
	assert_int_equal(pyinstall_wheel(path, &opts, &scheme, emit, s, &err), -1);
	assert_string_equal(err.msg,
			    LABEL ": member demo/cli.py does not match its RECORD hash (RECORD says "
			    "sha256=EEPvUuiyFFOCNorP4yRHIPMZ9TmlTxVCqcPIV-09IRE, the member hashes "
			    "to sha256=E-muNIaiJMlqWJMGy_352v2WWTaU47RjJUjymZzyKZ8): the wheel was "
			    "altered after it was built");
	sink_release(s);

	s->read_nothing = 0;
	s->fail_at = 2;
	path = make_wheel("demo-1.0-py3-none-any.whl", good, N(good), DI, NULL);
	assert_int_equal(pyinstall_wheel(path, &opts, &scheme, emit, s, &err), -1);
	assert_int_equal(err.code, GAPIMG_E_NOSPACE);
	assert_string_equal(err.msg, LABEL ": member demo/cli.py: the image is full");
	sink_release(s);
	free(s);
}

/* Install a wheel made from ms and expect the error want, found before
 * anything was emitted unless late (a hash is known only when read). */
static void check_bad_at(const struct m *ms, size_t n, const char *extra_rows,
			 const struct pyinstall_opts *o, enum gapimg_status code,
			 const char *want, int late)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct gapimg_error err = { 0 };
	const char *path = make_wheel("demo-1.0-py3-none-any.whl", ms, n, DI, extra_rows);

	assert_non_null(s);
	if (pyinstall_wheel(path, o ? o : &opts, &scheme, emit, s, &err) == 0)
		fail_msg("installed, but should fail with: %s", want);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, code);
	/* Nothing reaches the image before the whole plan is checked. */
	if (!late)
		assert_int_equal(s->n, 0);
	sink_release(s);
	free(s);
}

static void check_bad(const struct m *ms, size_t n, const char *extra_rows,
		      const struct pyinstall_opts *o, enum gapimg_status code, const char *want)
{
	check_bad_at(ms, n, extra_rows, o, code, want, 0);
}

static void test_bad(void **state)
{
	struct m ms[N(good) + 1];
	struct m wheel2 = { DI "/WHEEL", "Wheel-Version: 2.0\nRoot-Is-Purelib: true\n", 0644,
			    'f', 0, NULL };
	char h[64];

	(void)state;

	/* A member missing from RECORD. */
	memcpy(ms, good, sizeof(good));
	ms[N(good)] = (struct m){ "demo/extra.py", "x = 1\n", 0644, 'f', 1, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo/extra.py is not listed in RECORD");

	/* A RECORD row without a member. */
	check_bad(good, N(good), "demo/gone.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n",
		  NULL, GAPIMG_E_CORRUPT,
		  LABEL ": RECORD lists demo/gone.py, which is not in the wheel");

	/* A changed member of another length, with the old RECORD hash. */
	memcpy(ms, good, sizeof(good));
	ms[1].data = "from .cli import main  \n";
	ms[1].record_hash = "sha256=ucQESw8DmMUlgbIvhowpcUSqVmdq9NvqLm_U5RE1nuA";
	check_bad_at(ms, N(good), NULL, NULL, GAPIMG_E_CORRUPT,
		     LABEL ": member demo/__init__.py does not match its RECORD hash (RECORD says "
		     "sha256=ucQESw8DmMUlgbIvhowpcUSqVmdq9NvqLm_U5RE1nuA, the member hashes to "
		     "sha256=WAblNGlvFGJ_-VlsSzfR_9Gr_Wy-_eLeUnuL0rRLrgw): the wheel was altered "
		     "after it was built", 1);

	/* Paths that leave the scheme folder. */
	memcpy(ms, good, sizeof(good));
	ms[N(good)] = (struct m){ "../evil.py", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member ../evil.py has a '..' component");
	ms[N(good)] = (struct m){ "demo/../../evil.py", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo/../../evil.py has a '..' component");
	ms[N(good)] = (struct m){ "/etc/evil", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member /etc/evil has an absolute path");
	ms[N(good)] = (struct m){ "demo//x.py", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo//x.py has an empty path component");
	/* libarchive reads Windows separators as '/'. */
	ms[N(good)] = (struct m){ "demo\\..\\x.py", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo/../x.py has a '..' component");

	/* An unknown .data scheme, and a .data folder of another wheel. */
	ms[N(good)] = (struct m){ DATA "/foo/bar", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo-1.0.data/foo/bar: unknown scheme 'foo'");
	ms[N(good)] = (struct m){ "other-1.0.data/purelib/x.py", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member other-1.0.data/purelib/x.py is in a .data folder that is not "
		  "demo-1.0.data");

	/* Two members for one path. */
	ms[N(good)] = (struct m){ DATA "/purelib/demo/cli.py", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo-1.0.data/purelib/demo/cli.py and member demo/cli.py would "
		  "both be installed as " SITE "/demo/cli.py");
	/* A .data/scripts member named like an entry point is setuptools'
	 * wrapper: the launcher replaces it (e2e t4006 installs such a
	 * wheel), but its bytes are still checked against RECORD. */
	ms[N(good)] = (struct m){ DATA "/scripts/demo", "x = 1\n", 0644, 'f', 0,
				  "sha256=ucQESw8DmMUlgbIvhowpcUSqVmdq9NvqLm_U5RE1nuA" };
	check_bad_at(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		     LABEL ": member demo-1.0.data/scripts/demo does not match its RECORD hash "
		     "(RECORD says sha256=ucQESw8DmMUlgbIvhowpcUSqVmdq9NvqLm_U5RE1nuA, the member "
		     "hashes to sha256=nia_NpkRxFwkPGhBR7I_yeHc_PJX0pmhxjIBam_NM_Q): the wheel was altered after it was built", 1);
	ms[N(good)] = (struct m){ "demo/cli.py/x", "x = 1\n", 0644, 'f', 0, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo/cli.py/x would be installed at " SITE "/demo/cli.py/x, "
		  "below the file " SITE "/demo/cli.py of member demo/cli.py");

	/* The same name twice. */
	ms[N(good)] = good[2];
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo/cli.py is in the zip twice");

	/* A symbolic link. */
	ms[N(good)] = (struct m){ "demo/link", "/etc/passwd", 0, 'l', 1, NULL };
	check_bad(ms, N(good) + 1, NULL, NULL, GAPIMG_E_UNSUPPORTED,
		  LABEL ": member demo/link is a symbolic link; wheels hold only files and folders");

	/* Wheel-Version 2.0. */
	memcpy(ms, good, sizeof(good));
	ms[12] = wheel2;
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_UNSUPPORTED,
		  LABEL ": Wheel-Version 2.0 is not supported (only 0.x and 1.x are)");
	ms[12].data = "Wheel-Version: 1.0\n";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": WHEEL has no Root-Is-Purelib");

	/* Weak and malformed hashes. */
	memcpy(ms, good, sizeof(good));
	ms[2].record_hash = "sha1=7dCgL6Gsz9Fdtxj9dQH1vhfX5n8";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_UNSUPPORTED,
		  LABEL ": member demo/cli.py: RECORD uses a sha1 hash; only sha256, sha384 "
		  "and sha512 hashes are accepted");
	ms[2].record_hash = "md5=abc";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_UNSUPPORTED,
		  LABEL ": member demo/cli.py: RECORD uses a md5 hash; only sha256, sha384 "
		  "and sha512 hashes are accepted");
	ms[2].record_hash = "sha256=abc";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo/cli.py has a malformed RECORD hash 'sha256=abc'");
	ms[2].record_hash = "";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": member demo/cli.py has no hash in RECORD");

	/* entry_points.txt defects. */
	memcpy(ms, good, sizeof(good));
	ms[13].data = "[console_scripts]\n../x = demo.cli:main\n";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": entry_points.txt line 2: '../x' is not a safe script name "
		  "([A-Za-z0-9._-]+)");
	ms[13].data = "[console_scripts]\nx = demo.cli\n";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": entry_points.txt line 2: 'demo.cli' is not module:attribute");
	ms[13].data = "[console_scripts]\nx = demo.cli : main\n";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": entry_points.txt line 2: 'demo.cli : main' is not module:attribute");
	ms[13].data = "[gui_scripts]\nx = a:b\n[console_scripts]\nx = a:c\n";
	check_bad(ms, N(good), NULL, NULL, GAPIMG_E_CORRUPT,
		  LABEL ": entry_points.txt defines the script x twice");

	(void)h;
}

/* sha384 and sha512 are accepted, and the new RECORD says sha256. */
static void test_other_hashes(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct gapimg_error err = { 0 };
	struct m ms[N(good)];
	const char *path;
	const char *rec;

	(void)state;
	memcpy(ms, good, sizeof(good));
	ms[2].record_hash = "sha384=TALS2NzyHaYDZI6oeKvE_USz3MC5_bqfWtzE4lnXFq3XINwVyZgwozlfAI8Kn6l6";
	ms[1].record_hash = "sha512=h6YifGmW_YEtJlLDfH7L_nURLaMquHtSgCgXk3n_agP8ofteiC0XWxLYVc78xsupthPBe6H3uJcmXsgxvDII8g";
	/* a #!python script under a sha384 row: its rewritten bytes get a
	 * sha256 context of their own (one was leaked here) */
	ms[5].record_hash = "sha384=f9gflY5yrZ5OP5Ep6dQdwygCGfmes4KErfhM97AwIvlRrrBeu0tNNfEJwl5yYPw9";
	path = make_wheel("demo-1.0-py3-none-any.whl", ms, N(ms), DI, NULL);
	if (pyinstall_wheel(path, &opts, &scheme, emit, s, &err) != 0)
		fail_msg("%s", err.msg);
	rec = s->f[16].data;
	assert_non_null(strstr(rec, "\ndemo/cli.py,sha256=EEPvUuiyFFOCNorP4yRHIPMZ9TmlTxVCqcPIV-09IRE,25\n"));
	assert_non_null(strstr(rec, "\ndemo/__init__.py,sha256=ucQESw8DmMUlgbIvhowpcUSqVmdq9NvqLm_U5RE1nuA,22\n"));
	sink_release(s);
	free(s);
}

/* Root-Is-Purelib: false puts the root into platlib, and RECORD's paths
 * are relative to it. */
static void test_platlib(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct gapimg_error err = { 0 };
	struct pyinstall_scheme sch = scheme;
	struct pyinstall_opts o = opts;
	const struct m ms[] = {
		{ "demo/__init__.py", "", 0644, 'f', 0, NULL },
		{ DATA "/purelib/demo_pure.py", "x\n", 0644, 'f', 0, NULL },
		{ DI "/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", 0644, 'f', 0, NULL },
		{ DI "/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: False\n", 0644, 'f', 0, NULL },
	};
	const char *path = make_wheel("demo-1.0-cp311-cp311-linux_x86_64.whl", ms, N(ms), DI, NULL);

	(void)state;
	sch.platlib = "/usr/lib64/python3.11/site-packages";
	sch.pyc_tag = NULL;
	o.requested = 0;
	o.installer = "pip";
	if (pyinstall_wheel(path, &o, &sch, emit, s, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s->n, 6);
	assert_string_equal(s->f[0].path, "/usr/lib64/python3.11/site-packages/demo/__init__.py");
	assert_string_equal(s->f[1].path, SITE "/demo_pure.py");
	assert_string_equal(s->f[4].path, "/usr/lib64/python3.11/site-packages/" DI "/INSTALLER");
	assert_string_equal(s->f[4].data, "pip\n");
	assert_string_equal(s->f[5].path, "/usr/lib64/python3.11/site-packages/" DI "/RECORD");
	assert_string_equal(s->f[5].data,
			    "../../../local/lib/python3.11/dist-packages/demo_pure.py,"
			    "sha256=c8s4WKaHqElMozIwUwFigvPa051Cz2LKTnndoqrH2aw,2\n"
			    "demo-1.0.dist-info/INSTALLER,sha256=zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg,4\n"
			    "demo-1.0.dist-info/METADATA,sha256=NKonpgZPlYtBt4GiF_KQ_Qq1-WUeK25Kzas0G3uTwwU,46\n"
			    "demo-1.0.dist-info/RECORD,,\n"
			    "demo-1.0.dist-info/WHEEL,sha256=sTHL2CxYgruZ6Sf3TKfXP0q7k425P2WjgA1vmG4UfR0,42\n"
			    "demo/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n");
	sink_release(s);
	free(s);
}

/* ------------------------------------------------------------------ */
/* pywheel_read_metadata */

static void read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	*data = malloc((size_t)n + 1);
	assert_non_null(*data);
	assert_int_equal(fread(*data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
}

static int have_fixtures(void)
{
	struct stat st;

	if (stat(FIXTURES, &st) != 0) {
		printf("skipped: %s is absent\n", FIXTURES);
		return 0;
	}
	return 1;
}

static void check_meta_bad(const char *path, const char *name, const char *version,
			   enum gapimg_status code, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	struct gapimg_error err = { 0 };
	char *di = (char *)"x";

	assert_int_equal(pywheel_read_metadata(path, name, version, &sb, &di, &err), -1);
	assert_null(di);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, code);
	strbuf_release(&sb);
}

static void test_metadata_generated(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct gapimg_error err = { 0 };
	char *di = NULL, want[8192];
	const char *path = make_wheel("demo-1.0-py3-none-any.whl", good, N(good), DI, NULL);
	const struct m two[] = {
		{ "a-1.dist-info/METADATA", "x", 0644, 'f', 0, NULL },
		{ "b-1.dist-info/METADATA", "x", 0644, 'f', 0, NULL },
	};
	const struct m none[] = { { "a-1.dist-info/WHEEL", "x", 0644, 'f', 0, NULL } };
	const struct m escaped[] = {
		{ "zope_interface-5.0.post1.dist-info/METADATA", "M", 0644, 'f', 0, NULL },
	};

	(void)state;
	assert_int_equal(pywheel_read_metadata(path, "demo", "1.0", &sb, &di, &err), 0);
	assert_string_equal(sb.buf, "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n");
	assert_string_equal(di, DI);
	free(di);
	strbuf_reset(&sb);
	/* PEP 440 spellings and PEP 503 names match; other versions do not. */
	assert_int_equal(pywheel_read_metadata(path, "Demo", "v1.0", &sb, NULL, &err), 0);
	assert_int_equal(sb.len, 46);
	strbuf_release(&sb);
	snprintf(want, sizeof(want), "%s: the .dist-info folder is for demo 1.0, but the file "
		 "name says demo 1.0.0", path);
	check_meta_bad(path, "demo", "1.0.0", GAPIMG_E_CORRUPT, want);
	snprintf(want, sizeof(want), "%s: the .dist-info folder is for demo 1.0, but the file "
		 "name says demo2 1.0", path);
	check_meta_bad(path, "demo2", "1.0", GAPIMG_E_CORRUPT, want);

	path = make_wheel("zope.interface-5.0-py3-none-any.whl", escaped, N(escaped),
			  "zope_interface-5.0.post1.dist-info", NULL);
	assert_int_equal(pywheel_read_metadata(path, "zope-interface", "5.0-1", &sb, &di, &err), 0);
	assert_string_equal(di, "zope_interface-5.0.post1.dist-info");
	free(di);
	strbuf_release(&sb);

	path = make_wheel("a-1-py3-none-any.whl", two, N(two), "a-1.dist-info", NULL);
	snprintf(want, sizeof(want), "%s has 2 .dist-info folders (a-1.dist-info, b-1.dist-info)",
		 path);
	check_meta_bad(path, "a", "1", GAPIMG_E_CORRUPT, want);
	path = make_wheel("a-1-py3-none-any.whl", none, N(none), "a-1.dist-info", NULL);
	snprintf(want, sizeof(want), "%s has no .dist-info folder with a METADATA file", path);
	check_meta_bad(path, "a", "1", GAPIMG_E_CORRUPT, want);
	check_meta_bad("/nonexistent/a-1-py3-none-any.whl", "a", "1", GAPIMG_E_NOTFOUND,
		       "cannot read /nonexistent/a-1-py3-none-any.whl: No such file or directory");
}

static void test_metadata_fixtures(void **state)
{
	struct gapimg_error err = { 0 };
	char path[4096], mpath[4200], msg[256], *want;
	size_t wlen, count = 0;
	struct dirent **ents;
	int n, i;

	(void)state;
	if (!have_fixtures())
		skip();
	n = scandir(FIXTURES "/files", &ents, NULL, alphasort);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const char *f = ents[i]->d_name;
		size_t len = strlen(f);
		struct wheelname w;
		struct strbuf sb = STRBUF_INIT;

		if (len < 4 || strcmp(f + len - 4, ".whl") != 0) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), FIXTURES "/files/%s", f);
		snprintf(mpath, sizeof(mpath), "%s.metadata", path);
		assert_int_equal(wheelname_parse(f, &w, msg, sizeof(msg)), 0);
		if (pywheel_read_metadata(path, w.name, w.version, &sb, NULL, &err) != 0)
			fail_msg("%s", err.msg);
		read_file(mpath, &want, &wlen);
		assert_int_equal(sb.len, wlen);
		assert_memory_equal(sb.buf, want, wlen);
		free(want);
		strbuf_release(&sb);
		wheelname_release(&w);
		free(ents[i]);
		count++;
	}
	free(ents);
	assert_int_equal(count, 34);

	check_meta_bad(FIXTURES "/bad/brokenwheel-1.0-py2.py3-none-any.whl", "brokenwheel", "1.0",
		       GAPIMG_E_CORRUPT,
		       FIXTURES "/bad/brokenwheel-1.0-py2.py3-none-any.whl: the .dist-info folder "
		       "is for simple.dist 0.1, but the file name says brokenwheel 1.0");
	check_meta_bad(FIXTURES "/bad/corruptwheel-1.0-py2.py3-none-any.whl", "corruptwheel", "1.0",
		       GAPIMG_E_CORRUPT,
		       FIXTURES "/bad/corruptwheel-1.0-py2.py3-none-any.whl is not a wheel: not a "
		       "zip archive (libarchive: Unrecognized archive format)");
}

/* A real wheel: every member installed, and the new RECORD's hashes are
 * those of the emitted bytes. */
static void test_install_fixture(void **state)
{
	static const char *const wheels[] = {
		"first-2.0.2-py2.py3-none-any.whl",
		"zipp-3.6.0-py3-none-any.whl",
	};
	static const size_t nfiles[] = { 8, 8 };
	struct gapimg_error err = { 0 };
	struct sink *s = calloc(1, sizeof(*s));
	char path[4096], msg[256], row[8192], h[128];
	size_t k, i, rows;

	(void)state;
	assert_non_null(s);
	if (!have_fixtures()) {
		free(s);
		skip();
	}
	for (k = 0; k < N(wheels); k++) {
		struct wheelname w;
		struct pyinstall_opts o = { wheels[k], NULL, NULL, 1, "gapimg" };
		const char *rec, *p;

		assert_int_equal(wheelname_parse(wheels[k], &w, msg, sizeof(msg)), 0);
		o.name = w.name;
		o.version = w.version;
		snprintf(path, sizeof(path), FIXTURES "/files/%s", wheels[k]);
		if (pyinstall_wheel(path, &o, &scheme, emit, s, &err) != 0)
			fail_msg("%s", err.msg);
		assert_int_equal(s->n, nfiles[k]);
		assert_true(strstr(s->f[s->n - 2].path, "/RECORD") != NULL);
		rec = s->f[s->n - 2].data;
		for (i = 0; i < s->n; i++) {
			if (i == s->n - 2)
				continue;
			assert_true(strncmp(s->f[i].path, SITE "/", strlen(SITE) + 1) == 0);
			sha256_b64(s->f[i].data, s->f[i].len, h);
			snprintf(row, sizeof(row), "%s,sha256=%s,%zu\n",
				 s->f[i].path + strlen(SITE) + 1, h, s->f[i].len);
			p = strstr(rec, row);
			if (p == NULL || (p != rec && p[-1] != '\n'))
				fail_msg("no row %s in\n%s", row, rec);
		}
		for (rows = 0, p = rec; *p != '\0'; p++)
			rows += *p == '\n';
		/* Each file, plus a __pycache__ row for each .py. */
		assert_int_equal(rows, s->n + 1);
		sink_release(s);
		wheelname_release(&w);
	}

	/* A real wheel pip would take, but gapimg does not (its RECORD is
	 * for another folder), and an old one both take. */
	{
		struct pyinstall_opts o = { "simplewheel 2.0", "simplewheel", "2.0", 0, "gapimg" };

		assert_int_equal(pyinstall_wheel(FIXTURES "/files/simplewheel-2.0-1-py2.py3-none-any.whl",
						 &o, &scheme, emit, s, &err), -1);
		assert_string_equal(err.msg, "simplewheel 2.0: RECORD lists "
				    "simplewheel-2.0-1.dist-info/DESCRIPTION.rst, which is not in the wheel");
		assert_int_equal(s->n, 0);
		/* Wheel-Version 0.1 (2012's tools): the same layout, taken */
		o = (struct pyinstall_opts){ "simple.dist 0.1", "simple-dist", "0.1", 0, "gapimg" };
		assert_int_equal(pyinstall_wheel(FIXTURES "/files/simple.dist-0.1-py2.py3-none-any.whl",
						 &o, &scheme, emit, s, &err), 0);
		assert_true(s->n > 0);
		sink_release(s);
	}
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_emit_reads_nothing),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_other_hashes),
		cmocka_unit_test(test_platlib),
		cmocka_unit_test(test_metadata_generated),
		cmocka_unit_test(test_metadata_fixtures),
		cmocka_unit_test(test_install_fixture),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
