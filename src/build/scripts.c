/*
 * 'scripts run': the packages' own scripts, in the sandbox, on the
 * staged tree.
 *
 * Debian, as debootstrap and mmdebstrap's second stage do it: every
 * package is recorded as unpacked (stage.c wrote the database), each
 * preinst runs with "install" in install order, as dpkg's unpack would
 * have run it, and then the image's own `dpkg --configure -a` configures
 * everything, running postinsts and triggers in dpkg's own order.
 *
 * RPM, as dnf does it: one librpm transaction with the staged tree as its
 * root, scriptlets and triggers enabled; rpm unpacks the (already
 * verified) packages, runs %pretrans/%pre/%post/%posttrans and triggers
 * chrooted into the tree, and writes the rpmdb.
 *
 * A script that fails stops the build with the package, the script, its
 * exit status and the last lines of its output.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>

#include "internal.h"
#include "sandbox.h"

#define TAIL_LINES 15

Header bld_rpm_header(const struct bld_pkg *p);

/* The only environment scripts see. */
struct env {
	char *v[24];
	size_t n;
};

/* name is "NAME=" */
static int env_add(struct env *e, const char *name, const char *value)
{
	if (e->n + 1 >= sizeof(e->v) / sizeof(e->v[0]) ||
	    asprintf(&e->v[e->n], "%s%s", name, value) < 0)
		return -1;
	e->v[++e->n] = NULL;
	return 0;
}

static void env_release(struct env *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i]);
	e->n = 0;
	e->v[0] = NULL;
}

static int base_env(const struct bld *b, struct env *e)
{
	char epoch[32];

	snprintf(epoch, sizeof(epoch), "%lld", (long long)b->epoch);
	e->n = 0;
	return env_add(e, "PATH=", "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
		       "/usr/bin:/sbin:/bin") |
	       env_add(e, "LANG=", "C.UTF-8") | env_add(e, "HOME=", "/root") |
	       env_add(e, "TZ=", "UTC") | env_add(e, "SOURCE_DATE_EPOCH=", epoch) |
	       env_add(e, "SHELL=", "/bin/sh") |
	       (b->res->family == GAPIMG_FAMILY_DEB
		? env_add(e, "DEBIAN_FRONTEND=", "noninteractive") |
		  env_add(e, "DEBCONF_NONINTERACTIVE_SEEN=", "true")
		: 0) ? -1 : 0;
}

static unsigned script_timeout(const struct bld *b)
{
	return b->opts->script_timeout ? b->opts->script_timeout : BLD_SCRIPT_TIMEOUT;
}

static int failed(struct bld *b, const struct sbx_result *r, const char *package,
		  const char *script, int status, struct gapimg_error *err)
{
	struct strbuf tail = STRBUF_INIT, why = STRBUF_INIT;

	if (status >= 0)
		strbuf_addf(&why, "failed with exit status %d", status);
	else if (r->timed_out || r->child_timed_out)
		strbuf_addf(&why, "was stopped after running longer than %u s "
			    "(the time limit for one script)", script_timeout(b));
	else if (!r->exited)
		strbuf_addf(&why, "was killed by signal %d", r->signal);
	else
		strbuf_addf(&why, "failed with exit status %d", r->status);
	sbx_tail(r, TAIL_LINES, &tail);
	gapimg_error_set(err, GAPIMG_E_FAILED, "package %s: its %s %s; nothing was "
			 "built (the last lines of its output follow)", package, script,
			 why.buf ? why.buf : "failed");
	free(b->result->script_output);
	b->result->script_output = strbuf_detach(&tail);
	strbuf_release(&tail);
	strbuf_release(&why);
	return -1;
}

/* ---- Debian ---- */

static const char *dpkg_version(const struct bld *b)
{
	size_t i;

	for (i = 0; i < b->npkgs; i++)
		if (strcmp(b->pkgs[i].pkg->name, "dpkg") == 0)
			return b->pkgs[i].pkg->evr;
	return NULL;
}

/* dpkg runs a new package's preinst from /var/lib/dpkg/tmp.ci, beside the
 * package's other control members, and debconf finds the package there
 * (its control file): lay them out the same way for the run. */
static int write_member(const char *dir, const char *name, const char *data,
			size_t len, mode_t mode, struct gapimg_error *err)
{
	char *path;
	int fd, rc = 0;

	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;   /* not a member dpkg would lay out either */
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return gapimg_error_nomem(err);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len) || close(fd) < 0)
		rc = gapimg_error_errno(err, errno, "cannot write %s", path);
	free(path);
	return rc;
}

static int make_tmp_ci(struct bld *b, const struct bld_pkg *p, char **dir,
		       struct gapimg_error *err)
{
	size_t j;

	if (asprintf(dir, "%s/var/lib/dpkg/tmp.ci", b->stage) < 0) {
		*dir = NULL;
		return gapimg_error_nomem(err);
	}
	bld_remove_tree(*dir);
	if (mkdir(*dir, 0755) < 0)
		return gapimg_error_errno(err, errno, "cannot create %s", *dir);
	if (write_member(*dir, "control", p->control, p->control_len, 0644, err) < 0)
		return -1;
	for (j = 0; j < p->nmembers; j++) {
		const struct bld_text *m = &p->members[j];
		int exec = !strcmp(m->path, "preinst") || !strcmp(m->path, "postinst") ||
			   !strcmp(m->path, "prerm") || !strcmp(m->path, "postrm") ||
			   !strcmp(m->path, "config");

		if (write_member(*dir, m->path, m->text.buf ? m->text.buf : "", m->text.len,
				 exec ? 0755 : 0644, err) < 0)
			return -1;
	}
	return 0;
}

static int run_preinst(struct bld *b, struct bld_pkg *p, struct gapimg_error *err)
{
	struct env e;
	struct sbx_result r;
	char *tmp_ci = NULL;
	char *argv[] = { "/var/lib/dpkg/tmp.ci/preinst", "install", NULL };
	struct sbx_spec s = { .root = b->stage, .argv = argv, .env = e.v };
	int rc = -1;

	e.n = 0;
	e.v[0] = NULL;
	if (make_tmp_ci(b, p, &tmp_ci, err) < 0)
		goto out;
	s.timeout = script_timeout(b);
	if (base_env(b, &e) < 0 ||
	    env_add(&e, "DPKG_MAINTSCRIPT_PACKAGE=", p->pkg->name) < 0 ||
	    env_add(&e, "DPKG_MAINTSCRIPT_ARCH=", p->pkg->arch) < 0 ||
	    env_add(&e, "DPKG_MAINTSCRIPT_NAME=", "preinst") < 0 ||
	    env_add(&e, "DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT=", "1") < 0 ||
	    env_add(&e, "DPKG_ADMINDIR=", "/var/lib/dpkg") < 0 ||
	    env_add(&e, "DPKG_ROOT=", "") < 0 ||
	    (dpkg_version(b) &&
	     env_add(&e, "DPKG_RUNNING_VERSION=", dpkg_version(b)) < 0)) {
		gapimg_error_nomem(err);
		goto out;
	}
	if (sbx_run(&s, &r, err) < 0) {
		gapimg_error_prefix(err, "package %s: preinst: ", p->label);
		goto out;
	}
	if (!r.exited || r.status != 0 || r.timed_out)
		failed(b, &r, p->label, "preinst", -1, err);
	else
		rc = 0;
	sbx_result_release(&r);
out:
	if (tmp_ci) {
		bld_remove_tree(tmp_ci);
		free(tmp_ci);
	}
	env_release(&e);
	return rc;
}

/* dpkg says which package's script failed:
 *   dpkg: error processing package NAME (--configure):
 *    installed NAME package post-installation script subprocess returned error exit status N */
static void dpkg_failure(const struct sbx_result *r, char *pkg, size_t pkgsize,
			 char *script, size_t scriptsize)
{
	const char *o = r->output.buf, *p;

	snprintf(pkg, pkgsize, "(unknown: see the output)");
	snprintf(script, scriptsize, "maintainer script");
	if (o == NULL)
		return;
	p = strstr(o, "dpkg: error processing package ");
	if (p != NULL) {
		const char *s = p + strlen("dpkg: error processing package ");
		size_t n = strcspn(s, " \n");

		snprintf(pkg, pkgsize, "%.*s", (int)n, s);
		if (strstr(p, "post-installation script"))
			snprintf(script, scriptsize, "postinst");
		else if (strstr(p, "triggers"))
			snprintf(script, scriptsize, "trigger processing (postinst triggered)");
	}
}

/* "... returned error exit status N": the script's own status. */
static int dpkg_status(const struct sbx_result *r)
{
	const char *p = r->output.buf ? strstr(r->output.buf, "returned error exit status ") : NULL;

	return p ? atoi(p + strlen("returned error exit status ")) : -1;
}

static int with_version(const struct bld *b, const char *name, char *out, size_t size)
{
	size_t i, n = strcspn(name, ":");

	for (i = 0; i < b->npkgs; i++)
		if (strlen(b->pkgs[i].pkg->name) == n &&
		    strncmp(b->pkgs[i].pkg->name, name, n) == 0) {
			snprintf(out, size, "%s", b->pkgs[i].label);
			return 0;
		}
	return -1;
}

int bld_run_deb_scripts(struct bld *b, struct gapimg_error *err)
{
	char *argv[] = { "/usr/bin/dpkg", "--configure", "-a", "--abort-after=1", NULL };
	struct sbx_spec s = { .root = b->stage, .argv = argv };
	struct sbx_result r;
	struct env e;
	size_t i, j, nscripts = 0;
	int rc = -1;

	if (dpkg_version(b) == NULL)
		return gapimg_error_set(err, GAPIMG_E_INVALID, "'scripts run' needs the "
					"image's own dpkg to configure its packages, and "
					"dpkg is not among them; add 'dpkg' to the recipe's "
					"packages");
	for (i = 0; i < b->npkgs; i++) {
		struct bld_pkg *p = &b->pkgs[i];

		for (j = 0; j < p->nmembers; j++) {
			if (strcmp(p->members[j].path, "postinst") == 0)
				nscripts++;
			if (strcmp(p->members[j].path, "preinst") != 0)
				continue;
			bld_progress(b, GAPIMG_STAGE_SCRIPTS, p->pkg->name, i);
			if (run_preinst(b, p, err) < 0)
				return -1;
		}
	}
	bld_progress(b, GAPIMG_STAGE_SCRIPTS, "dpkg --configure -a", b->npkgs);
	if (base_env(b, &e) < 0)
		return gapimg_error_nomem(err);
	s.env = e.v;
	s.child_timeout = script_timeout(b);
	/* One limit per script dpkg may run, and some for dpkg itself. */
	s.timeout = script_timeout(b) * (unsigned)(nscripts + 2);
	if (sbx_run(&s, &r, err) < 0) {
		gapimg_error_prefix(err, "dpkg --configure -a: ");
		goto out;
	}
	if (!r.exited || r.status != 0 || r.timed_out || r.child_timed_out) {
		char name[256], script[64], label[512];

		dpkg_failure(&r, name, sizeof(name), script, sizeof(script));
		if (with_version(b, name, label, sizeof(label)) < 0)
			snprintf(label, sizeof(label), "%s", name);
		failed(b, &r, label, script, dpkg_status(&r), err);
		gapimg_error_prefix(err, "dpkg --configure -a: ");
	} else {
		rc = 0;
	}
	sbx_result_release(&r);
out:
	env_release(&e);
	return rc;
}

/* ---- RPM ---- */

struct rpm_run {
	struct bld *b;
	const char *dbpath;
};

static const char *const script_names[][2] = {
	{ "Pretrans", "%pretrans" }, { "Prein", "%pre" }, { "Postin", "%post" },
	{ "Posttrans", "%posttrans" }, { "Preun", "%preun" }, { "Postun", "%postun" },
	{ "Triggerin", "%triggerin" }, { "Triggerprein", "%triggerprein" },
	{ "Filetriggerin", "%filetriggerin" },
	{ "Transfiletriggerin", "%transfiletriggerin" },
	{ "Verifyscript", "%verifyscript" },
};

void *bld_rpm_notify_files(const void *h, const rpmCallbackType what,
			   const rpm_loff_t amount, const rpm_loff_t total,
			   fnpyKey key, rpmCallbackData data);

static void *rpm_notify(const void *hd, const rpmCallbackType what, const rpm_loff_t amount,
			const rpm_loff_t total, fnpyKey key, rpmCallbackData data)
{
	if (what == RPMCALLBACK_INST_OPEN_FILE || what == RPMCALLBACK_INST_CLOSE_FILE)
		return bld_rpm_notify_files(hd, what, amount, total, key, data);
	if (what == RPMCALLBACK_SCRIPT_ERROR) {
		Header h = (Header)hd;
		char *nevra = h ? headerGetAsString(h, RPMTAG_NEVRA) : NULL;
		const char *name = rpmTagGetName((rpmTagVal)amount);
		size_t i;

		(void)total;
		/* "Postin" is %post: name it as the spec file does. */
		for (i = 0; i < sizeof(script_names) / sizeof(script_names[0]); i++)
			if (name && strcmp(name, script_names[i][0]) == 0)
				name = script_names[i][1];
		/* The parent reads this line to name the package. */
		fprintf(stdout, "gapimg: the %s scriptlet of %s failed\n",
			name ? name : "?", nevra ? nevra : "?");
		fflush(stdout);
		free(nevra);
	}
	return NULL;
}

static int print_log(rpmlogRec rec, rpmlogCallbackData data)
{
	(void)data;
	fputs(rpmlogLevelPrefix(rpmlogRecPriority(rec)), stderr);
	fputs(rpmlogRecMessage(rec), stderr);
	return 0;
}

/* Runs inside the sandbox (not chrooted: librpm chroots itself). */
static int rpm_transaction(void *user)
{
	struct rpm_run *run = user;
	struct bld *b = run->b;
	rpmts ts;
	size_t i;
	int r;

	rpmlogSetCallback(print_log, NULL);
	rpmPushMacro(NULL, "_dbpath", NULL, run->dbpath, RMIL_CMDLINE);
	rpmPushMacro(NULL, "_db_backend", NULL, "sqlite", RMIL_CMDLINE);
	ts = rpmtsCreate();
	rpmtsSetRootDir(ts, b->stage);
	/* Every package was verified against the lock and the mirror's keys
	 * before the sandbox started. */
	rpmtsSetVSFlags(ts, RPMVSF_MASK_NOSIGNATURES | RPMVSF_MASK_NODIGESTS);
	rpmtsSetNotifyCallback(ts, rpm_notify, NULL);
	rpmtsSetDBMode(ts, O_RDWR | O_CREAT);
	for (i = 0; i < b->npkgs; i++)
		if (rpmtsAddInstallElement(ts, bld_rpm_header(&b->pkgs[i]),
					   (fnpyKey)b->pkgs[i].file, 0, NULL) != 0) {
			fprintf(stderr, "gapimg: librpm would not add %s to the "
				"transaction\n", b->pkgs[i].label);
			return 2;
		}
	/* rpm's own order: prerequisites (Requires(pre), Requires(post))
	 * before the packages whose scripts need them. */
	if (rpmtsOrder(ts) != 0) {
		fprintf(stderr, "gapimg: librpm could not order the transaction\n");
		return 2;
	}
	r = rpmtsRun(ts, NULL, RPMPROB_FILTER_DISKSPACE | RPMPROB_FILTER_DISKNODES |
			       RPMPROB_FILTER_IGNOREARCH | RPMPROB_FILTER_IGNOREOS);
	if (r != 0) {
		rpmps ps = rpmtsProblems(ts);
		rpmpsi psi = rpmpsInitIterator(ps);
		rpmProblem p;

		while ((p = rpmpsiNext(psi)) != NULL) {
			char *msg = rpmProblemString(p);

			fprintf(stderr, "gapimg: %s\n", msg);
			free(msg);
		}
		rpmpsFreeIterator(psi);
		rpmpsFree(ps);
		fprintf(stderr, "gapimg: the rpm transaction failed (%d)\n", r);
	}
	rpmtsFree(ts);
	return r == 0 ? 0 : 1;
}

/* Where the image's rpm keeps its database: where its rpm package says. */
static const char *image_dbpath(struct bld *b)
{
	size_t i;

	for (i = 0; i < b->npkgs; i++) {
		rpmfiles files = rpmfilesNew(NULL, bld_rpm_header(&b->pkgs[i]), 0, 0);
		int found = files && rpmfilesFindFN(files, "/usr/lib/sysimage/rpm") >= 0;

		rpmfilesFree(files);
		if (found)
			return "/usr/lib/sysimage/rpm";
	}
	return "/var/lib/rpm";
}

int bld_run_rpm_transaction(struct bld *b, struct gapimg_error *err)
{
	struct rpm_run run = { b, image_dbpath(b) };
	struct sbx_spec s = { .root = b->stage, .fn = rpm_transaction, .user = &run };
	char script[64] = "scriptlet", pkg[256] = "(unknown: see the output)";
	const char *m;
	struct sbx_result r;
	struct env e;
	int rc = -1;

	if (bld_rpm_init(err) < 0)
		return -1;
	bld_progress(b, GAPIMG_STAGE_SCRIPTS, "rpm transaction", 0);
	if (base_env(b, &e) < 0)
		return gapimg_error_nomem(err);
	s.env = e.v;
	s.child_timeout = script_timeout(b);
	s.timeout = script_timeout(b) * (unsigned)(4 * b->npkgs + 2);
	if (sbx_run(&s, &r, err) < 0) {
		gapimg_error_prefix(err, "rpm transaction: ");
		goto out;
	}
	m = r.output.buf ? strstr(r.output.buf, "gapimg: the ") : NULL;
	if (m == NULL && r.exited && r.status == 0 && !r.timed_out && !r.child_timed_out) {
		rc = 0;
	} else if (m && sscanf(m, "gapimg: the %63s scriptlet of %255s", script, pkg) == 2) {
		/* rpm logs "%post(NEVRA) scriptlet failed, exit status N". */
		const char *st = strstr(r.output.buf, "scriptlet failed, exit status ");
		size_t i;

		for (i = 0; i < b->npkgs; i++) {
			char *nevra = headerGetAsString(bld_rpm_header(&b->pkgs[i]),
							RPMTAG_NEVRA);
			int same = nevra && strcmp(nevra, pkg) == 0;

			free(nevra);
			if (same) {
				snprintf(pkg, sizeof(pkg), "%s", b->pkgs[i].label);
				break;
			}
		}
		failed(b, &r, pkg, script,
		       st ? atoi(st + strlen("scriptlet failed, exit status ")) : -1, err);
	} else {
		failed(b, &r, "(the rpm transaction)", "transaction", -1, err);
	}
	sbx_result_release(&r);
out:
	env_release(&e);
	return rc;
}

/* ---- byte-compiling the wheels ---- */

#define BYTECODE_LIST "/.gapimg-bytecode-list"

/* The image's own interpreter compiles the wheels' .py files it was
 * given (none of the OS packages'): only it knows its bytecode.
 * unchecked-hash .pyc files carry a hash of the source instead of its
 * mtime, and PYTHONHASHSEED=0 fixes the order of constant sets, so the
 * same sources give the same bytes. */
int bld_compile_wheels(struct bld *b, struct gapimg_error *err)
{
	char purelib[128], platlib[128], interp[64];
	char *argv[] = { interp, "-m", "compileall", "-q", "-f", "--invalidation-mode",
			 "unchecked-hash", "-i", BYTECODE_LIST, NULL };
	struct strbuf list = STRBUF_INIT, host = STRBUF_INIT;
	struct sbx_result r;
	struct sbx_spec s = { .root = b->stage, .argv = argv };
	struct env e = { .n = 0 };
	int rc = -1, created = 0;

	if (!b->plan->bytecode || b->npyfiles == 0)
		return 0;
	bld_wheel_paths(b, purelib, platlib, sizeof(purelib), interp, sizeof(interp));
	for (size_t i = 0; i < b->npyfiles; i++)
		strbuf_addf(&list, "%s\n", b->pyfiles[i]);
	strbuf_addf(&host, "%s%s", b->stage, BYTECODE_LIST);
	if (list.alloc == 0 || host.alloc == 0) {
		gapimg_error_nomem(err);
		goto out;
	}
	{
		FILE *f = fopen(host.buf, "wxe");

		created = f != NULL;
		if (f == NULL || fwrite(list.buf, 1, list.len, f) != list.len) {
			gapimg_error_errno(err, errno, "cannot write %s", host.buf);
			if (f)
				fclose(f);
			goto out;
		}
		if (fclose(f) != 0) {
			gapimg_error_errno(err, errno, "cannot write %s", host.buf);
			goto out;
		}
	}
	e.v[0] = NULL;
	if (base_env(b, &e) < 0 || env_add(&e, "PYTHONHASHSEED=", "0") < 0) {
		gapimg_error_nomem(err);
		goto out;
	}
	s.env = e.v;
	s.timeout = script_timeout(b);
	bld_progress(b, GAPIMG_STAGE_SCRIPTS, "byte-compiling the wheels", b->npkgs);
	if (sbx_run(&s, &r, err) < 0) {
		gapimg_error_prefix(err, "byte-compiling the wheels: ");
		goto out;
	}
	if (!r.exited || r.status != 0 || r.timed_out) {
		struct strbuf tail = STRBUF_INIT;

		sbx_tail(&r, TAIL_LINES, &tail);
		gapimg_error_set(err, GAPIMG_E_FAILED, "byte-compiling the wheels with the "
				 "image's %s failed (%s %d); nothing was built (the last "
				 "lines of its output follow)", interp,
				 r.exited ? "exit status" : "signal",
				 r.exited ? r.status : r.signal);
		free(b->result->script_output);
		b->result->script_output = strbuf_detach(&tail);
	} else {
		rc = 0;
	}
	sbx_result_release(&r);
out:
	if (created)
		unlink(host.buf);
	env_release(&e);
	strbuf_release(&list);
	strbuf_release(&host);
	return rc;
}
