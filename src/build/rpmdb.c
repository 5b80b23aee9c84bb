/*
 * The rpmdb inside an RPM image, written by librpm itself (a "justdb"
 * transaction: headers only, no files, no scripts) into a scratch root,
 * then copied into the image.  rpm 4.18 takes INSTALLTIME and INSTALLTID
 * from SOURCE_DATE_EPOCH, so the database is the same on every build;
 * the sqlite -shm/-wal and lock files, which are not, are left out.
 * The database goes where the image's rpm expects it: /usr/lib/sysimage/rpm
 * when the image has that folder (Fedora, EL10), else /var/lib/rpm (EL9).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>

#include "internal.h"
#include "gapimg/strbuf.h"

Header bld_rpm_header(const struct bld_pkg *p);

/* librpm's callback for opening and closing each package file (the key
 * is its path in the package cache); scripts.c's callback calls it too. */
void *bld_rpm_notify_files(const void *h, const rpmCallbackType what,
			   const rpm_loff_t amount, const rpm_loff_t total,
			   fnpyKey key, rpmCallbackData data);
void *bld_rpm_notify_files(const void *h, const rpmCallbackType what,
			   const rpm_loff_t amount, const rpm_loff_t total,
			   fnpyKey key, rpmCallbackData data)
{
	static FD_t fd;

	(void)h; (void)amount; (void)total; (void)data;
	if (what == RPMCALLBACK_INST_OPEN_FILE) {
		fd = Fopen((const char *)key, "r.ufdio");
		return fd;
	}
	if (what == RPMCALLBACK_INST_CLOSE_FILE && fd) {
		Fclose(fd);
		fd = NULL;
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int bld_write_rpmdb(struct bld *b, struct gapimg_error *err)
{
	const char *dbpath = gapimg_fstree_lookup(b->tree, "/usr/lib/sysimage/rpm")
			     ? "/usr/lib/sysimage/rpm" : "/var/lib/rpm";
	const char *tmp = getenv("TMPDIR");
	char *root = NULL, *dir = NULL, *old_sde = NULL, epoch[32];
	char **names = NULL;
	size_t nnames = 0, i;
	const char *sde;
	DIR *d = NULL;
	struct dirent *de;
	rpmts ts = NULL;
	int rc = -1, r;

	if (bld_rpm_init(err) < 0)
		return -1;
	if (asprintf(&root, "%s/gapimg-rpmdb-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return gapimg_error_nomem(err);
	if (mkdtemp(root) == NULL) {
		gapimg_error_errno(err, errno, "cannot create %s", root);
		free(root);
		return -1;
	}
	/* rpm reads SOURCE_DATE_EPOCH when the transaction is created. */
	sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && (old_sde = strdup(sde)) == NULL)
		goto nomem;
	snprintf(epoch, sizeof(epoch), "%lld", (long long)b->epoch);
	setenv("SOURCE_DATE_EPOCH", epoch, 1);
	rpmPushMacro(NULL, "_dbpath", NULL, dbpath, RMIL_CMDLINE);
	rpmPushMacro(NULL, "_db_backend", NULL, "sqlite", RMIL_CMDLINE);
	ts = rpmtsCreate();
	rpmtsSetRootDir(ts, root);
	rpmtsSetFlags(ts, RPMTRANS_FLAG_JUSTDB | RPMTRANS_FLAG_NOSCRIPTS |
			  RPMTRANS_FLAG_NOTRIGGERS);
	/* Every header was verified when it was fetched. */
	rpmtsSetVSFlags(ts, RPMVSF_MASK_NOSIGNATURES | RPMVSF_MASK_NODIGESTS);
	rpmtsSetNotifyCallback(ts, bld_rpm_notify_files, NULL);
	rpmtsSetDBMode(ts, O_RDWR | O_CREAT);
	for (i = 0; i < b->npkgs; i++) {
		if (rpmtsAddInstallElement(ts, bld_rpm_header(&b->pkgs[i]),
					   (fnpyKey)b->pkgs[i].file, 0, NULL) != 0) {
			gapimg_error_set(err, GAPIMG_E_INTERNAL, "librpm would not add "
					 "%s to the database transaction", b->pkgs[i].label);
			goto out;
		}
	}
	r = rpmtsRun(ts, NULL, RPMPROB_FILTER_REPLACEPKG | RPMPROB_FILTER_OLDPACKAGE |
			       RPMPROB_FILTER_REPLACENEWFILES | RPMPROB_FILTER_REPLACEOLDFILES |
			       RPMPROB_FILTER_DISKSPACE | RPMPROB_FILTER_DISKNODES |
			       RPMPROB_FILTER_IGNOREARCH | RPMPROB_FILTER_IGNOREOS);
	if (r != 0) {
		gapimg_error_set(err, GAPIMG_E_INTERNAL, "librpm could not write the "
				 "image's rpmdb (transaction status %d)", r);
		goto out;
	}
	rpmtsFree(ts);
	ts = NULL;
	if (asprintf(&dir, "%s%s", root, dbpath) < 0)
		goto nomem;
	d = opendir(dir);
	if (d == NULL) {
		gapimg_error_errno(err, errno, "librpm wrote no database in %s", dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (de->d_name[0] == '.' ||
		    (l > 4 && (!strcmp(de->d_name + l - 4, "-shm") ||
			       !strcmp(de->d_name + l - 4, "-wal"))))
			continue;
		nn = realloc(names, (nnames + 1) * sizeof(*nn));
		if (nn == NULL)
			goto nomem;
		names = nn;
		if ((names[nnames] = strdup(de->d_name)) == NULL)
			goto nomem;
		nnames++;
	}
	qsort(names, nnames, sizeof(*names), cmp_str);
	for (i = 0; i < nnames; i++) {
		struct strbuf data = STRBUF_INIT;
		char *src = NULL, *dst = NULL;
		int ok;

		if (asprintf(&src, "%s/%s", dir, names[i]) < 0 ||
		    asprintf(&dst, "%s/%s", dbpath, names[i]) < 0) {
			free(src);
			goto nomem;
		}
		ok = strbuf_read_file(&data, src, SIZE_MAX, err) == 0 &&
		     bld_add_generated(b, dst, data.buf ? data.buf : "", data.len, 0644, err) == 0;
		strbuf_release(&data);
		free(src);
		free(dst);
		if (!ok)
			goto out;
	}
	rc = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	if (d)
		closedir(d);
	if (ts)
		rpmtsFree(ts);
	rpmPopMacro(NULL, "_dbpath");
	rpmPopMacro(NULL, "_db_backend");
	if (old_sde)
		setenv("SOURCE_DATE_EPOCH", old_sde, 1);
	else
		unsetenv("SOURCE_DATE_EPOCH");
	free(old_sde);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(dir);
	bld_remove_tree(root);
	free(root);
	return rc;
}
