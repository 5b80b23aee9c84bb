/*
 * RPM packages through librpm: the header and its signature are checked
 * with the mirror's keys before anything is unpacked (rpmReadPackageFile
 * accepts unsigned packages, so a missing signature is checked here when
 * the mirror requires signatures), the payload digest is checked against
 * the signed header, and the payload is then read with rpmfi's archive
 * reader, file metadata (modes, owner and group names, capabilities, hard
 * links) coming from the header and every file's content checked against
 * the header's digest while it streams into the image.  The header's
 * License tag is kept for the manifest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <rpm/header.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmio.h>
#include <rpm/rpmkeyring.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmts.h>

#include "internal.h"

struct rpm_state {
	Header h;
	off_t payload;
};

static char last_log[1024];

/* librpm logs to stderr by default; gapimg is a library here and keeps
 * the last message for its own error text instead. */
static int log_cb(rpmlogRec rec, rpmlogCallbackData data)
{
	(void)data;
	snprintf(last_log, sizeof(last_log), "%s", rpmlogRecMessage(rec));
	{
		size_t l = strlen(last_log);

		while (l > 0 && (last_log[l - 1] == '\n' || last_log[l - 1] == ' '))
			last_log[--l] = '\0';
	}
	return 0;
}

int bld_rpm_init(struct gapimg_error *err)
{
	static int done;

	if (done)
		return 0;
	rpmlogSetCallback(log_cb, NULL);
	if (rpmReadConfigFiles(NULL, NULL) != 0)
		return gapimg_error_set(err, GAPIMG_E_INTERNAL,
					"librpm could not read its configuration: %s", last_log);
	done = 1;
	return 0;
}

static int add_keys(struct bld *b, const struct bld_pkg *p, rpmKeyring kr,
		    struct gapimg_error *err)
{
	size_t i;

	for (i = 0; i < p->pmirror->nkeys; i++) {
		const char *k = p->pmirror->keys[i].path;
		char *path = NULL;
		rpmPubkey key;
		rpmPubkey *subs;
		int nsubs = 0, j;

		if (k[0] == '/' ? (path = strdup(k)) == NULL
				: asprintf(&path, "%s/%s", b->plan->base_dir, k) < 0)
			return gapimg_error_nomem(err);
		key = rpmPubkeyRead(path);
		if (key == NULL) {
			gapimg_error_set(err, GAPIMG_E_INVALID, "mirror '%s': %s is not an "
					 "OpenPGP public key librpm can read", p->pmirror->id, path);
			free(path);
			return -1;
		}
		free(path);
		rpmKeyringAddKey(kr, key);
		subs = rpmGetSubkeys(key, &nsubs);
		for (j = 0; j < nsubs; j++) {
			rpmKeyringAddKey(kr, subs[j]);
			rpmPubkeyFree(subs[j]);
		}
		free(subs);
		rpmPubkeyFree(key);
	}
	return 0;
}

static int check_payload_digest(const struct bld_pkg *p, Header h, int fd, off_t off,
				struct gapimg_error *err)
{
	const char *want = headerGetString(h, RPMTAG_PAYLOADDIGEST);
	uint32_t algo = (uint32_t)headerGetNumber(h, RPMTAG_PAYLOADDIGESTALGO);
	const EVP_MD *md = algo == PGPHASHALGO_SHA256 ? EVP_sha256()
			 : algo == PGPHASHALGO_SHA512 ? EVP_sha512() : NULL;
	unsigned char dig[EVP_MAX_MD_SIZE], buf[65536];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int len = 0, i;
	EVP_MD_CTX *ctx;
	ssize_t n;

	/* Older packages have no payload digest: their per-file digests,
	 * checked while unpacking, are what the signature covers. */
	if (want == NULL || md == NULL)
		return 0;
	if (lseek(fd, off, SEEK_SET) < 0)
		return gapimg_error_errno(err, errno, "package %s: seeking", p->label);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || !EVP_DigestInit_ex(ctx, md, NULL)) {
		EVP_MD_CTX_free(ctx);
		return gapimg_error_nomem(err);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	EVP_DigestFinal_ex(ctx, dig, &len);
	EVP_MD_CTX_free(ctx);
	if (n < 0)
		return gapimg_error_errno(err, errno, "package %s: reading", p->label);
	for (i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", dig[i]);
	if (strcmp(hex, want) != 0)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
			"package %s: its payload does not match the digest in its "
			"signed header (%s, header says %s): the package was altered "
			"after it was signed", p->label, hex, want);
	return 0;
}

int bld_rpm_verify(struct bld *b, struct bld_pkg *p, struct gapimg_error *err)
{
	struct rpm_state *s;
	rpmts ts;
	rpmKeyring kr;
	FD_t fd;
	Header h = NULL;
	rpmRC rc;
	int ret = -1;

	if (bld_rpm_init(err) < 0)
		return -1;
	ts = rpmtsCreate();
	kr = rpmKeyringNew();
	if (add_keys(b, p, kr, err) < 0) {
		rpmKeyringFree(kr);
		rpmtsFree(ts);
		return -1;
	}
	/* Set before anything could open the host's rpmdb for its keys. */
	rpmtsSetKeyring(ts, kr);
	rpmKeyringFree(kr);
	rpmtsSetVSFlags(ts, p->pmirror->signatures ? RPMVSF_DEFAULT
						   : RPMVSF_MASK_NOSIGNATURES);
	fd = Fopen(p->file, "r.ufdio");
	if (fd == NULL || Ferror(fd)) {
		gapimg_error_set(err, GAPIMG_E_IO, "package %s: cannot open %s",
				 p->label, p->file);
		goto out;
	}
	last_log[0] = '\0';
	rc = rpmReadPackageFile(ts, fd, p->label, &h);
	switch (rc) {
	case RPMRC_OK:
		break;
	case RPMRC_NOKEY:
	case RPMRC_NOTTRUSTED:
		gapimg_error_set(err, GAPIMG_E_CORRUPT,
			"package %s (%s): signed by a key that is not among the keys "
			"of mirror '%s' (%s); add the right key with key=, or if the "
			"mirror is really unsigned, set signatures=off", p->label,
			p->pkg->location, p->pmirror->id, last_log);
		goto out;
	case RPMRC_NOTFOUND:
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s is not an "
				 "RPM package (%s)", p->label, p->pkg->location, last_log);
		goto out;
	default:
		gapimg_error_set(err, GAPIMG_E_CORRUPT,
			"package %s (%s): its signature or digest does not verify: "
			"it is damaged or was altered (%s)", p->label, p->pkg->location,
			last_log);
		goto out;
	}
	if (p->pmirror->signatures &&
	    !headerIsEntry(h, RPMTAG_RSAHEADER) && !headerIsEntry(h, RPMTAG_DSAHEADER) &&
	    !headerIsEntry(h, RPMTAG_SIGPGP) && !headerIsEntry(h, RPMTAG_SIGGPG)) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT,
			"package %s (%s) is not signed, and mirror '%s' requires "
			"signatures; sign it, or set signatures=off on the mirror if "
			"unsigned packages are really expected", p->label,
			p->pkg->location, p->pmirror->id);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		gapimg_error_nomem(err);
		goto out;
	}
	s->payload = Ftell(fd);
	if (s->payload < 0 || check_payload_digest(p, h, Fileno(fd), s->payload, err) < 0) {
		if (s->payload < 0)
			gapimg_error_set(err, GAPIMG_E_IO, "package %s: cannot find "
					 "its payload", p->label);
		free(s);
		goto out;
	}
	s->h = headerLink(h);
	p->header = s;
	/* The licence as the signed header states it (the License tag
	 * rpmbuild requires): read here, where the header already is. */
	{
		const char *lic = headerGetString(h, RPMTAG_LICENSE);

		if (lic && bld_license_set(b, p, lic, strlen(lic), "License tag", err) < 0)
			goto out;
	}
	ret = 0;
out:
	if (h)
		headerFree(h);
	if (fd)
		Fclose(fd);
	rpmtsFree(ts);
	return ret;
}

void bld_rpm_free(struct bld_pkg *p)
{
	struct rpm_state *s = p->header;

	if (s == NULL)
		return;
	headerFree(s->h);
	free(s);
	p->header = NULL;
}

Header bld_rpm_header(const struct bld_pkg *p);
Header bld_rpm_header(const struct bld_pkg *p)
{
	return ((struct rpm_state *)p->header)->h;
}

/* Conflicts from the headers, before unpacking: a path in two packages is
 * fine only when both have the same type and content (rpm's rule). */
struct owned {
	const char *path;
	size_t pkg;
	rpm_mode_t mode;
	char *digest;
	const char *link;
};

static int cmp_owned(const void *x, const void *y)
{
	const struct owned *a = x, *b = y;
	int c = strcmp(a->path, b->path);

	return c ? c : (a->pkg < b->pkg ? -1 : a->pkg > b->pkg);
}

int bld_rpm_check_conflicts(struct bld *b, struct gapimg_error *err)
{
	struct owned *all = NULL;
	rpmfiles *files = calloc(b->npkgs ? b->npkgs : 1, sizeof(*files));
	size_t n = 0, cap = 0, i;
	int rc = -1;

	if (files == NULL)
		return gapimg_error_nomem(err);
	for (i = 0; i < b->npkgs; i++) {
		rpmfi fi;

		files[i] = rpmfilesNew(NULL, bld_rpm_header(&b->pkgs[i]), 0, 0);
		fi = rpmfilesIter(files[i], RPMFI_ITER_FWD);
		while (fi && rpmfiNext(fi) >= 0) {
			rpm_mode_t mode = rpmfiFMode(fi);

			if (S_ISDIR(mode) || (rpmfiFFlags(fi) & RPMFILE_GHOST))
				continue;
			if (n == cap) {
				struct owned *na = realloc(all, (cap = cap ? 2 * cap : 1024) * sizeof(*na));

				if (na == NULL) {
					rpmfiFree(fi);
					gapimg_error_nomem(err);
					goto out;
				}
				all = na;
			}
			all[n].path = rpmfilesFN(files[i], rpmfiFX(fi));
			all[n].pkg = i;
			all[n].mode = mode;
			all[n].digest = rpmfiFDigestHex(fi, NULL);
			all[n].link = rpmfiFLink(fi);
			n++;
		}
		rpmfiFree(fi);
	}
	qsort(all, n, sizeof(*all), cmp_owned);
	for (i = 1; i < n; i++) {
		const struct owned *a = &all[i - 1], *c = &all[i];

		if (strcmp(a->path, c->path) != 0 || a->pkg == c->pkg)
			continue;
		if ((a->mode & S_IFMT) == (c->mode & S_IFMT) &&
		    strcmp(a->digest ? a->digest : "", c->digest ? c->digest : "") == 0 &&
		    strcmp(a->link ? a->link : "", c->link ? c->link : "") == 0)
			continue;
		gapimg_error_set(err, GAPIMG_E_INVALID,
			"file conflict: %s is in both %s and %s with different "
			"contents (%s / %s); RPM lets packages share a file only when "
			"it is identical: exclude one of them", a->path,
			b->pkgs[a->pkg].label, b->pkgs[c->pkg].label,
			a->digest && *a->digest ? a->digest : "no digest",
			c->digest && *c->digest ? c->digest : "no digest");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		free((char *)all[i].path);
		free(all[i].digest);
	}
	free(all);
	for (i = 0; i < b->npkgs; i++)
		rpmfilesFree(files[i]);
	free(files);
	return rc;
}

struct rpm_reader {
	rpmfi fi;
	EVP_MD_CTX *ctx;
	const char *want;         /* hex digest from the header */
	const struct bld_pkg *pkg;
	const char *path;
	int finished;
};

static ssize_t rpm_read(void *user, void *buf, size_t len, struct gapimg_error *err)
{
	struct rpm_reader *r = user;
	int64_t n;

	if (r->finished)
		return 0;
	n = (int64_t)rpmfiArchiveRead(r->fi, buf, len);
	if (n < 0) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "the payload is damaged (%s)",
				 rpmfileStrerror((int)n));
		return -1;
	}
	if (n > 0) {
		if (r->ctx)
			EVP_DigestUpdate(r->ctx, buf, (size_t)n);
		return (ssize_t)n;
	}
	r->finished = 1;
	if (r->ctx && r->want && *r->want) {
		unsigned char d[EVP_MAX_MD_SIZE];
		char hex[2 * EVP_MAX_MD_SIZE + 1];
		unsigned int dl = 0, i;

		EVP_DigestFinal_ex(r->ctx, d, &dl);
		for (i = 0; i < dl; i++)
			sprintf(hex + 2 * i, "%02x", d[i]);
		if (strcmp(hex, r->want) != 0) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "its content does not "
					 "match the digest in the signed header");
			return -1;
		}
	}
	return 0;
}

static const EVP_MD *file_md(int algo)
{
	switch (algo) {
	case PGPHASHALGO_MD5: return EVP_md5();
	case PGPHASHALGO_SHA1: return EVP_sha1();
	case PGPHASHALGO_SHA256: return EVP_sha256();
	case PGPHASHALGO_SHA384: return EVP_sha384();
	case PGPHASHALGO_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

struct link_first {
	rpm_ino_t ino;
	char *path;
};

int bld_unpack_rpm(struct bld *b, struct bld_pkg *p, struct gapimg_error *err)
{
	struct rpm_state *s = p->header;
	const char *comp = headerGetString(s->h, RPMTAG_PAYLOADCOMPRESSOR);
	struct link_first *links = NULL;
	size_t nlinks = 0, i;
	char mode[32];
	FD_t fd, pfd = NULL;
	rpmfiles files = NULL;
	rpmfi fi = NULL;
	int rc = -1, r;

	if (comp == NULL || strcmp(comp, "gzip") == 0)
		snprintf(mode, sizeof(mode), "r.gzdio");
	else if (strcmp(comp, "xz") == 0)
		snprintf(mode, sizeof(mode), "r.xzdio");
	else if (strcmp(comp, "lzma") == 0)
		snprintf(mode, sizeof(mode), "r.lzdio");
	else if (strcmp(comp, "zstd") == 0)
		snprintf(mode, sizeof(mode), "r.zstdio");
	else if (strcmp(comp, "bzip2") == 0)
		snprintf(mode, sizeof(mode), "r.bzdio");
	else
		return gapimg_error_set(err, GAPIMG_E_UNSUPPORTED, "package %s: "
					"unknown payload compressor '%s'", p->label, comp);
	fd = Fopen(p->file, "r.ufdio");
	if (fd == NULL || Ferror(fd) || Fseek(fd, s->payload, SEEK_SET) < 0) {
		if (fd)
			Fclose(fd);
		return gapimg_error_set(err, GAPIMG_E_IO, "package %s: cannot open "
					"its payload", p->label);
	}
	pfd = Fdopen(fd, mode);
	if (pfd == NULL) {
		Fclose(fd);
		return gapimg_error_set(err, GAPIMG_E_IO, "package %s: cannot open "
					"its %s payload", p->label, comp);
	}
	files = rpmfilesNew(NULL, s->h, 0, RPMFI_KEEPHEADER);
	fi = rpmfiNewArchiveReader(pfd, files, RPMFI_ITER_READ_ARCHIVE_CONTENT_FIRST);
	if (fi == NULL) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: cannot read "
				 "its payload", p->label);
		goto out;
	}
	while ((r = rpmfiNext(fi)) >= 0) {
		struct bld_entry e;
		struct rpm_reader rd;
		rpm_mode_t m = rpmfiFMode(fi);
		const char *path = rpmfiFN(fi);
		char *hl = NULL;
		int algo = 0;

		memset(&e, 0, sizeof(e));
		memset(&rd, 0, sizeof(rd));
		e.path = path;
		e.mode = (uint16_t)(m & 07777);
		e.user = rpmfiFUser(fi);
		e.group = rpmfiFGroup(fi);
		e.mtime = (int64_t)rpmfiFMtime(fi);
		e.size = (uint64_t)rpmfiFSize(fi);
		e.caps = rpmfiFCaps(fi);
		if (S_ISDIR(m))
			e.type = GAPIMG_FT_DIR;
		else if (S_ISREG(m))
			e.type = GAPIMG_FT_REG;
		else if (S_ISLNK(m)) {
			e.type = GAPIMG_FT_SYMLINK;
			e.target = rpmfiFLink(fi);
		} else if (S_ISCHR(m) || S_ISBLK(m)) {
			e.type = S_ISCHR(m) ? GAPIMG_FT_CHR : GAPIMG_FT_BLK;
			e.major = major((dev_t)rpmfiFRdev(fi));
			e.minor = minor((dev_t)rpmfiFRdev(fi));
		} else if (S_ISFIFO(m))
			e.type = GAPIMG_FT_FIFO;
		else {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s has "
					 "an unsupported file type", p->label, path);
			goto out;
		}
		if (e.type == GAPIMG_FT_REG && rpmfiFNlink(fi) > 1) {
			rpm_ino_t ino = rpmfiFInode(fi);

			for (i = 0; i < nlinks; i++)
				if (links[i].ino == ino)
					break;
			if (i < nlinks) {
				hl = links[i].path;
				e.hardlink = hl;
			} else {
				struct link_first *nl = realloc(links, (nlinks + 1) * sizeof(*nl));

				if (nl == NULL) {
					gapimg_error_nomem(err);
					goto out;
				}
				links = nl;
				links[nlinks].ino = ino;
				if ((links[nlinks].path = strdup(path)) == NULL) {
					gapimg_error_nomem(err);
					goto out;
				}
				nlinks++;
			}
		}
		if (e.type == GAPIMG_FT_REG && !e.hardlink) {
			const EVP_MD *md;

			rd.want = rpmfiFDigestHex(fi, &algo);
			md = file_md(algo);
			if (md && (rd.ctx = EVP_MD_CTX_new()) != NULL)
				EVP_DigestInit_ex(rd.ctx, md, NULL);
		}
		rd.fi = fi;
		rd.pkg = p;
		rd.path = path;
		r = bld_add_entry(b, p, &e, rpm_read, &rd, err);
		if (rd.ctx)
			EVP_MD_CTX_free(rd.ctx);
		free((char *)rd.want);
		if (r < 0)
			goto out;
	}
	if (r != RPMERR_ITER_END) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: its payload is "
				 "damaged (%s)", p->label, rpmfileStrerror(r));
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < nlinks; i++)
		free(links[i].path);
	free(links);
	rpmfiFree(fi);
	rpmfilesFree(files);
	Fclose(pfd);
	return rc;
}
