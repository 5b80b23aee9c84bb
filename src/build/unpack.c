/*
 * The rules every payload entry goes through, whatever its package format:
 * a safe path, no writing through symlinks, no duplicates, the family's
 * conflict rule, the recipe's removals, and owner names kept for later.
 * Regular files stream from the archive straight into the image writer; a
 * few files whose text later stages need are copied on the way (accounts,
 * ld.so.conf, sysusers.d), shared libraries pass an ELF reader for the
 * ld.so cache, and Debian conffiles get the MD5 dpkg records for them.
 * Also here, as every format needs it: the one rule a package's licence
 * text goes through before the manifest records it (bld_license_set).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <sys/capability.h>

#include "internal.h"
#include "elfso.h"
#include "ldcache.h"
#include "gapimg/path.h"
#include "gapimg/source.h"

/* Match pattern components against path components; "**" spans any number
 * (zero included).  Both start with '/'. */
static int match_from(const char *pat, const char *path)
{
	const char *pe, *ne;
	char pc[256], nc[256];
	size_t pl, nl;

	if (*pat == '\0')
		return *path == '\0';
	pe = strchr(pat + 1, '/');
	pl = pe ? (size_t)(pe - pat - 1) : strlen(pat + 1);
	if (pl == 2 && pat[1] == '*' && pat[2] == '*') {
		const char *p = path;

		for (;;) {
			if (match_from(pat + 3, p))
				return 1;
			if (*p == '\0')
				return 0;
			p = strchr(p + 1, '/');
			if (p == NULL)
				p = path + strlen(path);
		}
	}
	if (*path == '\0')
		return 0;
	ne = strchr(path + 1, '/');
	nl = ne ? (size_t)(ne - path - 1) : strlen(path + 1);
	if (pl >= sizeof(pc) || nl >= sizeof(nc))
		return 0;
	memcpy(pc, pat + 1, pl);
	pc[pl] = '\0';
	memcpy(nc, path + 1, nl);
	nc[nl] = '\0';
	if (fnmatch(pc, nc, 0) != 0)
		return 0;
	return match_from(pat + 1 + pl, path + 1 + nl);
}

/* A pattern matches a path when it matches the path or one of its parent
 * folders: "a matching folder goes with its contents". */
int bld_glob_match(const char *pattern, const char *path)
{
	char buf[GAPIMG_PATH_MAX + 1];
	size_t len = strlen(path), i;

	if (len > GAPIMG_PATH_MAX)
		return 0;
	memcpy(buf, path, len + 1);
	for (i = len; i > 0; i--) {
		if (i == len || buf[i] == '/') {
			buf[i] = '\0';
			if (match_from(pattern, buf))
				return 1;
			if (i < len)
				buf[i] = '/';
		}
	}
	return 0;
}

int bld_removed(const struct bld *b, const char *norm)
{
	size_t i;

	for (i = 0; i < b->plan->nremovals; i++)
		if (bld_glob_match(b->plan->removals[i].pattern, norm))
			return 1;
	/* A recipe file or link replaces what a package put there: its data
	 * would only be dead weight in the image.  The plan's nodes are
	 * sorted by path (this runs for every payload entry). */
	{
		size_t lo = 0, hi = b->plan->nnodes;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(b->plan->nodes[mid].path, norm);

			if (c == 0)
				return b->plan->nodes[mid].kind != GAPIMG_NODE_DIR;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return 0;
}

static int unit_wanted(const struct bld *b, const char *p)
{
	static const char *const dirs[] = {
		"/usr/lib/systemd/system/", "/lib/systemd/system/", "/etc/systemd/system/",
	};
	size_t i, j;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t l = strlen(dirs[i]);

		if (strncmp(p, dirs[i], l) != 0 || strchr(p + l, '/'))
			continue;
		for (j = 0; j < b->plan->nenable; j++)
			if (strcmp(p + l, b->plan->enable[j].name) == 0)
				return 1;
	}
	return 0;
}

static int captured_path(const char *p)
{
	static const char *const exact[] = {
		"/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow",
		"/usr/share/base-passwd/passwd.master",
		"/usr/share/base-passwd/group.master", "/etc/ld.so.conf",
	};
	size_t i;

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(p, exact[i]) == 0)
			return 1;
	return fnmatch("/etc/ld.so.conf.d/*.conf", p, FNM_PATHNAME) == 0 ||
	       fnmatch("/usr/lib/sysusers.d/*.conf", p, FNM_PATHNAME) == 0 ||
	       fnmatch("/etc/sysusers.d/*.conf", p, FNM_PATHNAME) == 0;
}

/* Files whose text later stages need (see internal.h). */
static int captured(const struct bld *b, const char *p)
{
	return captured_path(p) || unit_wanted(b, p);
}

/* Files gapimg writes itself from what the packages gave (and the
 * recipe's accounts): kept out of the image as they stream past, so that
 * no dead copy of their data is left behind in it. */
static int regenerated(const struct bld *b, const char *p)
{
	/* With 'scripts run' the scripts make them, from what is staged. */
	if (b->stage)
		return 0;
	return strcmp(p, "/etc/passwd") == 0 || strcmp(p, "/etc/group") == 0 ||
	       strcmp(p, "/etc/shadow") == 0 || strcmp(p, "/etc/gshadow") == 0;
}

/* Keep a file's text for later stages: takes origin (malloc'd) and the
 * text (left empty), even when it fails (NULL: out of memory). */
static const struct bld_text *push_text(struct bld *b, const char *path, char *origin,
					struct strbuf *text)
{
	struct bld_text *t = realloc(b->texts, (b->ntexts + 1) * sizeof(*t));

	if (t == NULL)
		goto fail;
	b->texts = t;
	t = &t[b->ntexts];
	memset(t, 0, sizeof(*t));
	if ((t->path = strdup(path)) == NULL)
		goto fail;
	t->origin = origin;
	t->text = *text;
	strbuf_init(text);
	b->ntexts++;
	return t;
fail:
	free(origin);
	strbuf_release(text);
	return NULL;
}

struct tee {
	bld_read_fn read;
	void *user;
	struct strbuf *capture;
	struct elfso *elf;
	EVP_MD_CTX *md5;
	const char *path;
	const struct bld_pkg *pkg;
};

static ssize_t tee_read(void *user, void *buf, size_t len,
			struct gapimg_error *err)
{
	struct tee *t = user;
	ssize_t n = t->read(t->user, buf, len, err);

	if (n < 0)
		gapimg_error_prefix(err, "package %s: %s: ", t->pkg->label, t->path);
	if (n <= 0)
		return n;
	if (t->capture) {
		if (t->capture->len + (size_t)n > BLD_CAPTURE_MAX) {
			gapimg_error_set(err, GAPIMG_E_UNSUPPORTED,
					 "package %s: %s is larger than %u MiB, too "
					 "large for a configuration file", t->pkg->label,
					 t->path, BLD_CAPTURE_MAX >> 20);
			return -1;
		}
		if (strbuf_add(t->capture, buf, (size_t)n) < 0) {
			gapimg_error_nomem(err);
			return -1;
		}
	}
	if (t->elf && elfso_feed(t->elf, buf, (size_t)n) < 0) {
		gapimg_error_nomem(err);
		return -1;
	}
	if (t->md5)
		EVP_DigestUpdate(t->md5, buf, (size_t)n);
	return n;
}

static struct bld_pkg *pkg_by_label(struct bld *b, const char *label)
{
	size_t i;

	for (i = 0; i < b->npkgs; i++)
		if (strcmp(b->pkgs[i].label, label) == 0)
			return &b->pkgs[i];
	for (i = 0; i < b->nwheels; i++)
		if (strcmp(b->wheels[i].label, label) == 0)
			return &b->wheels[i];
	return NULL;
}

static int replaces(const struct bld_pkg *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nreplaces; i++)
		if (strcmp(p->replaces[i], name) == 0)
			return 1;
	return 0;
}

static int conffile_index(const struct bld_pkg *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->nconffiles; i++)
		if (strcmp(p->conffiles[i], path) == 0)
			return (int)i;
	return -1;
}

/* No component of path's parent may be a symlink (or anything but a
 * folder): a payload never writes through a link. */
static int check_parents(struct bld *b, struct bld_pkg *pkg, const char *norm,
			 struct gapimg_error *err)
{
	char prefix[GAPIMG_PATH_MAX + 1];
	const char *slash = norm;

	/* Each parent by lookup (a binary search per level): folders such as
	 * /usr/lib/x86_64-linux-gnu hold thousands of names. */
	while ((slash = strchr(slash + 1, '/')) != NULL) {
		size_t len = (size_t)(slash - norm);
		struct gapimg_dentry *c;

		if (len > GAPIMG_PATH_MAX)
			return 0;   /* the tree refuses the path itself */
		memcpy(prefix, norm, len);
		prefix[len] = '\0';
		c = gapimg_fstree_lookup(b->tree, prefix);
		if (c == NULL)
			return 0;
		if (c->inode->type != GAPIMG_FT_DIR)
			return gapimg_error_set(err, GAPIMG_E_CORRUPT,
				"package %s: refusing %s: %s is a %s (from %s), and "
				"a package may not write through it", pkg->label, norm,
				prefix, gapimg_ftype_name(c->inode->type), c->origin);
	}
	return 0;
}

static int push_owner(struct bld *b, const char *norm, const struct bld_entry *e,
		      struct bld_pkg *pkg)
{
	struct bld_owner *o, *n;
	int user = e->user && strcmp(e->user, "root") != 0;
	int group = e->group && strcmp(e->group, "root") != 0;

	if (!user && !group)
		return 0;
	n = realloc(b->owners, (b->nowners + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	b->owners = n;
	o = &n[b->nowners];
	memset(o, 0, sizeof(*o));
	o->uid = e->uid;
	o->gid = e->gid;
	o->numeric_fallback = b->res->family == GAPIMG_FAMILY_DEB;
	if ((o->path = strdup(norm)) == NULL ||
	    (user && (o->user = strdup(e->user)) == NULL) ||
	    (group && (o->group = strdup(e->group)) == NULL) ||
	    (o->origin = strdup(pkg->label)) == NULL) {
		free(o->path);
		free(o->user);
		free(o->group);
		return -1;
	}
	b->nowners++;
	return 0;
}

/* "cap_net_raw=ep" into a version 2 vfs_cap_data (what setcap stores). */
static int set_caps(struct gapimg_dentry *d, const struct bld_pkg *pkg,
		    const char *norm, const char *text, struct gapimg_error *err)
{
	cap_t caps = cap_from_text(text);
	uint32_t perm[2] = { 0, 0 }, inh[2] = { 0, 0 };
	uint8_t raw[20];
	int effective = 0, c, i;

	if (caps == NULL)
		return gapimg_error_set(err, GAPIMG_E_CORRUPT,
					"package %s: %s has capabilities '%s' that "
					"cannot be parsed", pkg->label, norm, text);
	for (c = 0; c < 64; c++) {
		cap_flag_value_t v;

		if (cap_get_flag(caps, (cap_value_t)c, CAP_PERMITTED, &v) == 0 && v)
			perm[c / 32] |= 1u << (c % 32);
		if (cap_get_flag(caps, (cap_value_t)c, CAP_INHERITABLE, &v) == 0 && v)
			inh[c / 32] |= 1u << (c % 32);
		if (cap_get_flag(caps, (cap_value_t)c, CAP_EFFECTIVE, &v) == 0 && v)
			effective = 1;
	}
	cap_free(caps);
	/* magic_etc: VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, then
	 * permitted/inheritable pairs, little-endian. */
	{
		uint32_t words[5] = { 0x02000000u | (effective ? 1u : 0u),
				      perm[0], inh[0], perm[1], inh[1] };

		for (i = 0; i < 5; i++) {
			raw[i * 4] = (uint8_t)words[i];
			raw[i * 4 + 1] = (uint8_t)(words[i] >> 8);
			raw[i * 4 + 2] = (uint8_t)(words[i] >> 16);
			raw[i * 4 + 3] = (uint8_t)(words[i] >> 24);
		}
	}
	if (perm[0] == 0 && perm[1] == 0 && inh[0] == 0 && inh[1] == 0)
		return 0;
	return gapimg_inode_set_xattr(d->inode, "security.capability", raw,
				      sizeof(raw), err);
}

static ssize_t drain(bld_read_fn read, void *user, struct gapimg_error *err)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(user, buf, sizeof(buf), err)) > 0)
		;
	return n;
}

int bld_add_entry(struct bld *b, struct bld_pkg *pkg, const struct bld_entry *e,
		  bld_read_fn read, void *user, struct gapimg_error *err)
{
	struct strbuf norm = STRBUF_INIT, origin = STRBUF_INIT;
	struct gapimg_dentry *d, *old;
	struct gapimg_node_spec spec;
	struct tee tee = { .read = read, .user = user, .pkg = pkg };
	struct strbuf capture = STRBUF_INIT;
	int rc = -1, ci = -1, replace = 0, skip;

	if (gapimg_path_normalise(e->path, strlen(e->path), &norm, "its payload", err) < 0) {
		gapimg_error_prefix(err, "package %s: ", pkg->label);
		err->code = GAPIMG_E_CORRUPT;
		goto out;
	}
	tee.path = norm.buf;
	if (b->res->family == GAPIMG_FAMILY_DEB &&
	    strbuf_addstr(&pkg->list, strcmp(norm.buf, "/") == 0 ? "/.\n" : norm.buf) < 0)
		goto nomem;
	if (b->res->family == GAPIMG_FAMILY_DEB && strcmp(norm.buf, "/") != 0 &&
	    strbuf_addch(&pkg->list, '\n') < 0)
		goto nomem;
	if (strcmp(norm.buf, "/") == 0) {
		if (e->type != GAPIMG_FT_DIR) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: the root "
					 "folder is given as a %s", pkg->label,
					 gapimg_ftype_name(e->type));
			goto out;
		}
		rc = 0;   /* the root's attributes are the image's, not a package's */
		goto out;
	}
	if ((e->type == GAPIMG_FT_CHR || e->type == GAPIMG_FT_BLK) &&
	    b->res->family == GAPIMG_FAMILY_DEB) {
		gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: refusing the "
				 "device node %s: Debian packages may not contain "
				 "device files (Policy 10.6)", pkg->label, norm.buf);
		goto out;
	}
	if (check_parents(b, pkg, norm.buf, err) < 0)
		goto out;

	old = gapimg_fstree_lookup(b->tree, norm.buf);
	if (old != NULL) {
		struct bld_pkg *owner = pkg_by_label(b, old->origin);

		if (e->type == GAPIMG_FT_DIR && old->inode->type == GAPIMG_FT_DIR) {
			rc = 0;   /* shared folders keep the first package's attributes */
			goto out;
		}
		if (owner == pkg) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: %s "
					 "appears twice in its payload", pkg->label,
					 norm.buf);
			goto out;
		}
		if (b->res->family == GAPIMG_FAMILY_RPM && owner != NULL && !owner->wheel &&
		    !pkg->wheel && e->type != GAPIMG_FT_DIR && old->inode->type == e->type) {
			/* The header check before unpacking allowed this: both
			 * packages carry the same content, the first copy stays. */
			rc = drain(read, user, err) < 0 ? -1 : 0;
			goto out;
		}
		if (b->res->family == GAPIMG_FAMILY_DEB && owner != NULL &&
		    replaces(pkg, owner->pkg->name) && e->type != GAPIMG_FT_DIR &&
		    old->inode->type != GAPIMG_FT_DIR) {
			replace = 1;
		} else if (pkg->wheel) {
			/* the installer names the wheel, its file and member */
			gapimg_error_set(err, GAPIMG_E_INVALID,
				"file conflict: %s is already in %s %s; a wheel may not "
				"overwrite it: leave one of them out", norm.buf,
				pkg_by_label(b, old->origin) &&
				pkg_by_label(b, old->origin)->wheel ? "wheel" : "package",
				old->origin);
			goto out;
		} else {
			gapimg_error_set(err, GAPIMG_E_INVALID,
				"file conflict: package %s installs %s %s, which is "
				"already in package %s (as %s)%s", pkg->label,
				gapimg_ftype_name(e->type), norm.buf,
				old->origin, gapimg_ftype_name(old->inode->type),
				b->res->family == GAPIMG_FAMILY_DEB
				? "; the later package must declare Replaces: on the "
				  "earlier one, or exclude one of them"
				: "; exclude one of the two packages");
			goto out;
		}
	}
	skip = bld_removed(b, norm.buf) ||
	       (e->type != GAPIMG_FT_DIR && regenerated(b, norm.buf));
	if (skip && (!captured(b, norm.buf) || e->type != GAPIMG_FT_REG || e->hardlink)) {
		rc = e->type == GAPIMG_FT_REG && !e->hardlink ? (drain(read, user, err) < 0 ? -1 : 0) : 0;
		goto out;
	}
	if (strbuf_addstr(&origin, pkg->label) < 0)
		goto nomem;

	if (e->hardlink) {
		struct strbuf tn = STRBUF_INIT;

		if (gapimg_path_normalise(e->hardlink, strlen(e->hardlink), &tn,
					  "its payload", err) < 0) {
			gapimg_error_prefix(err, "package %s: hard link %s: ", pkg->label, norm.buf);
			err->code = GAPIMG_E_CORRUPT;
			goto out;
		}
		d = gapimg_fstree_lookup(b->tree, tn.buf);
		if (d == NULL && bld_removed(b, tn.buf)) {
			gapimg_error_set(err, GAPIMG_E_INVALID, "package %s: %s is a hard "
					 "link to %s, which the recipe removes (or "
					 "replaces); remove both names or neither",
					 pkg->label, norm.buf, tn.buf);
			strbuf_release(&tn);
			goto out;
		}
		if (d == NULL || d->inode->type != GAPIMG_FT_REG ||
		    strcmp(d->origin, pkg->label) != 0) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT, "package %s: the hard "
					 "link %s points at %s, which is not a file "
					 "earlier in the same package", pkg->label,
					 norm.buf, tn.buf);
			strbuf_release(&tn);
			goto out;
		}
		d = gapimg_fstree_add_hardlink(b->tree, norm.buf, tn.buf, origin.buf,
					       GAPIMG_ADD_PARENTS | (replace ? GAPIMG_ADD_REPLACE : 0), err);
		strbuf_release(&tn);
		rc = d ? 0 : -1;
		goto out;
	}

	memset(&spec, 0, sizeof(spec));
	spec.type = e->type;
	spec.mode = e->mode & 07777;
	spec.uid = (e->user && strcmp(e->user, "root") == 0) ? 0 : e->uid;
	spec.gid = (e->group && strcmp(e->group, "root") == 0) ? 0 : e->gid;
	spec.mtime = e->mtime;
	spec.size = e->size;
	spec.target = e->target;
	spec.major = e->major;
	spec.minor = e->minor;
	if (e->type == GAPIMG_FT_REG) {
		char *what = NULL;

		if (captured(b, norm.buf))
			tee.capture = &capture;
		/* Any file may be a library a link points at: elfso gives up
		 * after a few bytes on anything that is not ELF. */
		if ((tee.elf = elfso_new()) == NULL)
			goto nomem;
		if (b->res->family == GAPIMG_FAMILY_DEB &&
		    (ci = conffile_index(pkg, norm.buf)) >= 0) {
			tee.md5 = EVP_MD_CTX_new();
			if (tee.md5 == NULL || !EVP_DigestInit_ex(tee.md5, EVP_md5(), NULL))
				goto nomem;
		}
		if (asprintf(&what, "package %s: %s", pkg->label, norm.buf) < 0)
			goto nomem;
		spec.src = gapimg_source_stream(tee_read, &tee, what, err);
		free(what);
		if (spec.src == NULL)
			goto out;
	}
	if (skip) {
		/* Not stored, but its text is still needed. */
		char buf[16384];
		ssize_t n;

		while ((n = gapimg_source_read(spec.src, buf, sizeof(buf), err)) > 0)
			;
		gapimg_source_free(spec.src);
		if (n < 0)
			goto out;
		goto stored;
	}
	d = gapimg_fstree_add(b->tree, norm.buf, &spec, origin.buf,
			      GAPIMG_ADD_PARENTS | (replace ? GAPIMG_ADD_REPLACE : 0), err);
	if (d == NULL)
		goto out;
	if (push_owner(b, norm.buf, e, pkg) < 0)
		goto nomem;
	if (e->caps && *e->caps && set_caps(d, pkg, norm.buf, e->caps, err) < 0)
		goto out;
	/* Every link and folder: folder links decide which library folders
	 * are the same one, and empty glibc-hwcaps folders show in the cache. */
	if (e->type == GAPIMG_FT_SYMLINK &&
	    ldcache_add_symlink(b->ldcache, norm.buf, e->target, err) < 0)
		goto out;
	if (e->type == GAPIMG_FT_DIR && ldcache_add_dir(b->ldcache, norm.buf, err) < 0)
		goto out;
	if (e->type != GAPIMG_FT_REG) {
		rc = 0;
		goto out;
	}
	if (b->stage ? bld_stage_data(b, d, norm.buf, ci >= 0, err) < 0
		     : gapimg_sqfs_writer_add_data(b->writer, d->inode, err) < 0)
		goto out;
stored:
	if (tee.elf) {
		char *soname = NULL;
		uint32_t flags = 0;
		int r = elfso_finish(tee.elf, &soname, &flags);

		if (r < 0)
			goto nomem;
		if (r == 1 && ldcache_add_file(b->ldcache, norm.buf, soname, flags, err) < 0) {
			free(soname);
			goto out;
		}
		free(soname);
	}
	if (tee.md5) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		char hex[2 * EVP_MAX_MD_SIZE + 1];
		unsigned int i;

		EVP_DigestFinal_ex(tee.md5, md, &mdlen);
		for (i = 0; i < mdlen; i++)
			sprintf(hex + 2 * i, "%02x", md[i]);
		free(pkg->conffile_md5[ci]);
		if ((pkg->conffile_md5[ci] = strdup(hex)) == NULL)
			goto nomem;
	}
	if (tee.capture) {
		char *text_origin = NULL;

		if (asprintf(&text_origin, "%s: %s", pkg->label, norm.buf) < 0)
			goto nomem;
		/* push_text takes the captured text, even on failure */
		if (push_text(b, norm.buf, text_origin, &capture) == NULL)
			goto nomem;
	}
	rc = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	if (tee.elf)
		elfso_free(tee.elf);
	if (tee.md5)
		EVP_MD_CTX_free(tee.md5);
	strbuf_release(&capture);
	strbuf_release(&norm);
	strbuf_release(&origin);
	return rc;
}

/* After the scripts the staged tree is the truth: read a file from it
 * (once) when a later stage asks for its text. */
static const struct bld_text *staged_text(struct bld *b, const char *path)
{
	struct strbuf host = STRBUF_INIT, text = STRBUF_INIT;
	char *origin = NULL;
	struct stat st;
	FILE *f;
	char buf[65536];
	size_t n;

	if (strbuf_addf(&host, "%s%s", b->stage, path) < 0 ||
	    lstat(host.buf, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)BLD_CAPTURE_MAX ||
	    (f = fopen(host.buf, "rbe")) == NULL) {
		strbuf_release(&host);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (strbuf_add(&text, buf, n) < 0)
			break;
	fclose(f);
	strbuf_release(&host);
	if (asprintf(&origin, "%s (after the packages' scripts)", path) < 0) {
		strbuf_release(&text);
		return NULL;
	}
	return push_text(b, path, origin, &text);
}

const struct bld_text *bld_text(const struct bld *b, const char *path)
{
	size_t i;

	/* The last copy wins, as the last write to a path would. */
	for (i = b->ntexts; i > 0; i--)
		if (strcmp(b->texts[i - 1].path, path) == 0)
			return &b->texts[i - 1];
	if (b->read_back)
		return staged_text((struct bld *)b, path);
	return NULL;
}

/* Longest licence kept, once its blanks are collapsed: any licence name
 * or expression fits with room to spare; longer text is a licence's body
 * or a notice, which the manifest is not the place for. */
#define LICENSE_MAX 256

/* Length of the UTF-8 sequence at s (n bytes left), or 0 when it is not
 * one (overlong forms, surrogates and code points past U+10FFFF
 * included): the manifest is JSON, which has no room for other bytes. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int bld_license_set(struct bld *b, struct bld_pkg *p, const char *text, size_t len,
		    const char *from, struct gapimg_error *err)
{
	const unsigned char *s = (const unsigned char *)text;
	const char *what = p->wheel ? "wheel" : "package";
	char *out = malloc(len + 1), *o = out;
	size_t i = 0, n;
	int blank = 0, rc = 0;

	if (out == NULL)
		return gapimg_error_nomem(err);
	free(p->license);
	p->license = NULL;
	while (i < len) {
		/* Any run of blanks and control characters (line breaks of a
		 * wrapped field, tabs, a stray NUL) is one space. */
		if (s[i] <= 0x20 || s[i] == 0x7f) {
			blank = 1;
			i++;
			continue;
		}
		if ((n = utf8_len(s + i, len - i)) == 0) {
			if (bld_note(b, "%s %s: the licence in its %s is not UTF-8 text; "
				     "the manifest leaves it out", what, p->label, from) < 0)
				rc = gapimg_error_nomem(err);
			free(out);
			return rc;
		}
		if (blank && o > out)
			*o++ = ' ';
		blank = 0;
		memcpy(o, s + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	if (o == out) {
		free(out);
		return 0;
	}
	if ((size_t)(o - out) > LICENSE_MAX) {
		if (bld_note(b, "%s %s: the licence in its %s is %zu bytes long, more "
			     "than the %d a licence name or expression needs; the "
			     "manifest leaves it out", what, p->label, from,
			     (size_t)(o - out), LICENSE_MAX) < 0)
			rc = gapimg_error_nomem(err);
		free(out);
		return rc;
	}
	p->license = out;
	return 0;
}
