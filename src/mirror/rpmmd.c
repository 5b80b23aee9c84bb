/*
 * rpm-md mirrors: repodata/repomd.xml, its detached signature
 * repomd.xml.asc, and the primary (and filelists, when listed) files it
 * names, each checked against repomd's checksum before it is parsed.
 * Other files (other, updateinfo, comps, modules) are not needed to
 * resolve and are not read, so their absence is no error.
 */
#include "mirror/mirror.h"

#include <stdlib.h>
#include <string.h>

#include <solv/chksum.h>
#include <solv/dataiterator.h>
#include <solv/knownid.h>
#include <solv/repo_repomdxml.h>
#include <solv/repo_rpmmd.h>
#include <solv/repodata.h>

#include "gapimg/sha256.h"

struct md_file {
	const char *type;
	char *location;
	Id sumtype;
	unsigned char sum[64];
};

static int find_md(Pool *pool, Repo *md, struct md_file *f)
{
	Dataiterator di;
	int found = 0;

	dataiterator_init(&di, pool, md, SOLVID_META, REPOSITORY_REPOMD_TYPE, f->type,
			  SEARCH_STRING);
	dataiterator_prepend_keyname(&di, REPOSITORY_REPOMD);
	if (dataiterator_step(&di)) {
		const unsigned char *sum;
		const char *loc;

		dataiterator_setpos_parent(&di);
		loc = pool_lookup_str(pool, SOLVID_POS, REPOSITORY_REPOMD_LOCATION);
		sum = pool_lookup_bin_checksum(pool, SOLVID_POS, REPOSITORY_REPOMD_CHECKSUM,
					       &f->sumtype);
		if (loc) {
			f->location = strdup(loc);
			found = 1;
		}
		if (sum && f->sumtype && solv_chksum_len(f->sumtype) <= (int)sizeof(f->sum))
			memcpy(f->sum, sum, (size_t)solv_chksum_len(f->sumtype));
		else
			f->sumtype = 0;
	}
	dataiterator_free(&di);
	return found;
}

static int load_md_file(struct mirror_load *ml, struct md_file *f, int ext)
{
	struct strbuf data = STRBUF_INIT;
	char what[512];
	FILE *fp;
	int rc;

	if (mirror_read(ml, f->location, &data, 0) < 0) {
		if (ml->err->code == GAPIMG_E_NOTFOUND)
			gapimg_error_prefix(ml->err, "repomd.xml lists %s as %s, but ",
					    f->type, f->location);
		return -1;
	}
	snprintf(what, sizeof(what), "%s", f->location);
	if (mirror_verify_sum(ml, what, data.buf, data.len, f->sumtype, f->sum,
			      "repodata/repomd.xml") < 0) {
		strbuf_release(&data);
		return -1;
	}
	fp = mirror_open_verified(ml, f->location, &data);
	strbuf_release(&data);
	if (fp == NULL)
		return -1;
	if (ext)
		rc = repo_add_rpmmd(ml->repo, fp, "FL", REPO_EXTEND_SOLVABLES | REPO_NO_INTERNALIZE);
	else
		rc = repo_add_rpmmd(ml->repo, fp, NULL, REPO_NO_INTERNALIZE);
	fclose(fp);
	if (rc != 0)
		return gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					"mirror %s: %s is not valid rpm-md %s metadata: %s",
					ml->pm->id, f->location, f->type,
					pool_errstr(ml->pool));
	return 0;
}

int mirror_load_rpmmd(struct mirror_load *ml)
{
	struct strbuf repomd = STRBUF_INIT, sig = STRBUF_INIT;
	struct md_file primary = { .type = "primary" }, filelists = { .type = "filelists" };
	struct mirror_cache_key key;
	struct mirror_load scratch = { 0 };
	uint8_t sum[GAPIMG_SHA256_LEN];
	Repo *md = NULL;
	int no_cache = 0;
	FILE *fp;
	int rc = -1;

	if (mirror_read(ml, "repodata/repomd.xml", &repomd, 1) < 0) {
		if (ml->err->code == GAPIMG_E_NOTFOUND)
			gapimg_error_set(ml->err, GAPIMG_E_NOTFOUND,
					 "mirror %s: %s/repodata/repomd.xml does not exist: "
					 "not an rpm-md repository (run createrepo_c on it, or "
					 "use type rpm-dir for a plain folder of .rpm files)",
					 ml->pm->id, ml->info->root);
		goto out;
	}
	if (ml->pm->signatures == GAPIMG_SIGS_PACKAGES)
		mirror_note(ml, "repomd.xml is not signature-checked "
			    "(signatures=packages); every package's own signature is "
			    "checked when the image is built");
	if (ml->pm->signatures == GAPIMG_SIGS_REQUIRED) {
		if (mirror_read(ml, "repodata/repomd.xml.asc", &sig, 1) < 0) {
			if (ml->err->code == GAPIMG_E_NOTFOUND)
				gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
						 "mirror %s: repodata/repomd.xml.asc does not "
						 "exist, but the recipe requires signed metadata; "
						 "sign repomd.xml (gpg --detach-sign --armor), or "
						 "set signatures=packages to rely on the packages' "
						 "own signatures (as Fedora and EL mirrors need)",
						 ml->pm->id);
			goto out;
		}
		if (mirror_verify_detached(ml, "repodata/repomd.xml", repomd.buf, repomd.len,
					   sig.buf, sig.len, "repodata/repomd.xml.asc") < 0)
			goto out;
	}
	gapimg_sha256(repomd.buf, repomd.len, sum);
	gapimg_hex(sum, sizeof(sum), ml->info->metadata_sha256);

	md = repo_create(ml->pool, "repomd");
	fp = mirror_open_verified(ml, "repomd.xml", &repomd);
	if (fp == NULL)
		goto out;
	if (repo_add_repomdxml(md, fp, 0) != 0) {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: repodata/repomd.xml is not valid: %s",
				 ml->pm->id, pool_errstr(ml->pool));
		fclose(fp);
		goto out;
	}
	fclose(fp);
	{
		const char *rev = repo_lookup_str(md, SOLVID_META, REPOSITORY_REVISION);

		if (rev)
			ml->info->revision = strdup(rev);
	}

	mirror_cache_key_init(&key, ml, repomd.buf, repomd.len);
	if (mirror_cache_load(ml, &key)) {
		ml->info->from_cache = 1;
		rc = 0;
		goto out;
	}
	if (mirror_scratch_begin(ml, &scratch) < 0)
		goto out;
	if (!find_md(ml->pool, md, &primary)) {
		gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
				 "mirror %s: repodata/repomd.xml lists no primary metadata "
				 "(only uncompressed, gzip, xz, zstd or bzip2 \"primary\"; "
				 "zchunk is not supported)", ml->pm->id);
		goto out;
	}
	if (load_md_file(&scratch, &primary, 0) < 0)
		goto out;
	/* REPO_EXTEND_SOLVABLES matches filelists entries against internalized
	 * data only: without this, every file list would be dropped */
	repo_internalize(scratch.repo);
	if (find_md(ml->pool, md, &filelists) && load_md_file(&scratch, &filelists, 1) < 0) {
		if (ml->err->code != GAPIMG_E_NOTFOUND)
			goto out;
		/* primary already lists the files most dependencies name */
		mirror_note(ml, "%s is listed in repomd.xml but missing; file "
			    "dependencies resolve against primary's file list only",
			    filelists.location);
		gapimg_error_clear(ml->err);
		no_cache = 1;   /* the key would not show what is missing */
	}
	if (mirror_scratch_adopt(ml, &scratch, &key, no_cache) < 0)
		goto out;
	rc = 0;
out:
	mirror_scratch_abort(&scratch);
	if (md)
		repo_free(md, 1);
	free(primary.location);
	free(filelists.location);
	strbuf_release(&repomd);
	strbuf_release(&sig);
	return rc;
}
