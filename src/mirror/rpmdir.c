/*
 * rpm-dir mirrors: a plain folder of .rpm files without metadata, as a
 * convenience for a handful of local packages.  Every file's header is
 * read and every file hashed on each resolve (there is no metadata whose
 * checksum could key a cache), so large collections belong in an rpm-md
 * repository (createrepo_c).  Only the folder itself is read, in byte
 * order of the names; source packages are skipped.
 */
#include "mirror/mirror.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <solv/knownid.h>
#include <solv/repo_rpmdb.h>
#include <solv/repodata.h>

#include "gapimg/sha256.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int mirror_load_rpmdir(struct mirror_load *ml)
{
	struct strbuf listing = STRBUF_INIT;
	char **names = NULL;
	Id *ids = NULL;
	uint64_t *sizes = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	uint8_t sum[GAPIMG_SHA256_LEN];
	Repodata *data;
	DIR *d;
	int rc = -1;

	/* A folder has no metadata to sign: with signatures on, each
	 * package's own signature is checked when the image is built. */
	d = opendir(ml->info->root);
	if (d == NULL)
		return gapimg_error_errno(ml->err, errno, "mirror %s: cannot read the folder %s",
					  ml->pm->id, ml->info->root);
	while ((de = readdir(d)) != NULL) {
		if (!ends_with(de->d_name, ".rpm") || ends_with(de->d_name, ".src.rpm") ||
		    ends_with(de->d_name, ".nosrc.rpm") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **v = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (v == NULL) {
				closedir(d);
				gapimg_error_set(ml->err, GAPIMG_E_NOMEM, "out of memory");
				goto out;
			}
			names = v;
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);

	ids = calloc(n + 1, sizeof(*ids));
	sizes = calloc(n + 1, sizeof(*sizes));
	if (ids == NULL || sizes == NULL) {
		gapimg_error_set(ml->err, GAPIMG_E_NOMEM, "out of memory");
		goto out;
	}
	data = repo_add_repodata(ml->repo, 0);
	for (size_t i = 0; i < n; i++) {
		char *path = mirror_join(ml, names[i]);
		struct stat st;
		Id p;

		if (path == NULL)
			goto out;
		p = repo_add_rpm(ml->repo, path, RPM_ADD_WITH_SHA256SUM | RPM_ADD_WITH_PKGID |
				 REPO_NO_INTERNALIZE | REPO_REUSE_REPODATA | REPO_NO_LOCATION);
		if (!p || stat(path, &st) < 0) {
			gapimg_error_set(ml->err, GAPIMG_E_CORRUPT,
					 "mirror %s: %s is not a readable RPM package (%s); "
					 "remove it from the folder or replace it",
					 ml->pm->id, names[i], pool_errstr(ml->pool));
			free(path);
			goto out;
		}
		free(path);
		repodata_set_location(data, p, 0, NULL, names[i]);
		ids[i] = p;
		sizes[i] = (uint64_t)st.st_size;
	}
	/* the checksums can be read back once the data is internalized */
	repo_internalize(ml->repo);
	for (size_t i = 0; i < n; i++) {
		Id type = 0;
		const char *hex = solvable_lookup_checksum(pool_id2solvable(ml->pool, ids[i]),
							   SOLVABLE_CHECKSUM, &type);

		strbuf_addf(&listing, "%s %llu %s\n", names[i], (unsigned long long)sizes[i],
			    hex ? hex : "-");
	}
	gapimg_sha256(listing.buf, listing.len, sum);
	gapimg_hex(sum, sizeof(sum), ml->info->metadata_sha256);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(ids);
	free(sizes);
	strbuf_release(&listing);
	return rc;
}
