/*
 * Declarative configuration: what the packages' scripts would have done
 * for a working system, done by gapimg from what the packages contain.
 *   - accounts: the base packages' passwd and group (Debian's base-passwd
 *     masters, or the files RPM's setup ships), the recipe's groups and
 *     users, then the image's sysusers.d entries with ids allocated
 *     deterministically;
 *   - owners: the names payloads gave, resolved against those accounts;
 *   - /etc/ld.so.cache, from the shared libraries seen while streaming;
 *   - Debian alternatives that postinst scripts declare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "accounts.h"
#include "debalt.h"
#include "ldcache.h"

/* The recipe's groups, then its users. */
int bld_add_recipe_accounts(struct bld *b, struct accounts *a, struct gapimg_error *err)
{
	size_t i;

	for (i = 0; i < b->plan->ngroups; i++) {
		const struct gapimg_plan_group *g = &b->plan->groups[i];
		char *origin;
		int rc;

		if (asprintf(&origin, "%s:%u", g->span.file, g->span.line) < 0)
			return gapimg_error_nomem(err);
		rc = accounts_add_group(a, g->name, g->gid, origin, err);
		free(origin);
		if (rc < 0)
			return -1;
	}
	for (i = 0; i < b->plan->nusers; i++) {
		const struct gapimg_plan_user *u = &b->plan->users[i];
		char *origin;
		int rc;

		if (asprintf(&origin, "%s:%u", u->span.file, u->span.line) < 0)
			return gapimg_error_nomem(err);
		rc = accounts_add_user(a, u->name, u->uid, u->group,
				       (const char *const *)u->groups, u->ngroups,
				       u->home, u->shell, u->comment, origin, err);
		free(origin);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int load_accounts(struct bld *b, struct gapimg_error *err)
{
	static const struct { const char *which, *path, *fallback; } files[] = {
		{ "passwd", "/etc/passwd", "/usr/share/base-passwd/passwd.master" },
		{ "group", "/etc/group", "/usr/share/base-passwd/group.master" },
		{ "shadow", "/etc/shadow", NULL },
		{ "gshadow", "/etc/gshadow", NULL },
	};
	size_t i;

	if ((b->acct = accounts_new()) == NULL)
		return gapimg_error_nomem(err);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct bld_text *t = bld_text(b, files[i].path);

		if (t == NULL && files[i].fallback)
			t = bld_text(b, files[i].fallback);
		if (t && accounts_load(b->acct, files[i].which, t->text.buf ? t->text.buf : "",
				       t->text.len, t->origin, err) < 0)
			return -1;
	}
	/* An image whose packages bring no accounts (no base-passwd, no
	 * setup) still needs root, as systemd's basic.conf would give it. */
	if (bld_text(b, "/etc/passwd") == NULL &&
	    bld_text(b, "/usr/share/base-passwd/passwd.master") == NULL) {
		if (accounts_add_group(b->acct, "root", 0, "gapimg (no package gave "
				       "the image its accounts)", err) < 0 ||
		    accounts_add_user(b->acct, "root", 0, "root", NULL, 0, "/root",
				      "/bin/sh", "root", "gapimg (no package gave the "
				      "image its accounts)", err) < 0)
			return -1;
		if (b->npkgs > 0)
			bld_note(b, "no package gave the image /etc/passwd (such as "
				 "base-passwd or setup): gapimg made root itself");
	}
	if (bld_add_recipe_accounts(b, b->acct, err) < 0)
		return -1;
	/* Texts are kept in install order; sysusers applies its own order. */
	for (i = 0; i < b->ntexts; i++) {
		const struct bld_text *t = &b->texts[i];

		if ((strncmp(t->path, "/usr/lib/sysusers.d/", 20) == 0 ||
		     strncmp(t->path, "/etc/sysusers.d/", 16) == 0) &&
		    accounts_add_sysusers(b->acct, t->path, t->text.buf ? t->text.buf : "",
					  t->text.len, t->origin, err) < 0)
			return -1;
	}
	return accounts_apply_sysusers(b->acct, err);
}

static int parse_id(const char *s, uint32_t *id)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v > 4294967294UL)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

int bld_user_id(struct bld *b, const char *name, uint32_t *id)
{
	if (strcmp(name, "root") == 0) {
		*id = 0;
		return 0;
	}
	if (parse_id(name, id) == 0)
		return 0;
	return accounts_uid(b->acct, name, id);
}

int bld_group_id(struct bld *b, const char *name, uint32_t *id)
{
	if (strcmp(name, "root") == 0) {
		*id = 0;
		return 0;
	}
	if (parse_id(name, id) == 0)
		return 0;
	return accounts_gid(b->acct, name, id);
}

static int resolve_owners(struct bld *b, struct gapimg_error *err)
{
	size_t i;

	for (i = 0; i < b->nowners; i++) {
		const struct bld_owner *o = &b->owners[i];
		struct gapimg_dentry *d = gapimg_fstree_lookup(b->tree, o->path);
		uint32_t id;

		/* Replaced by a later package, which has its own entry. */
		if (d == NULL || strcmp(d->origin, o->origin) != 0)
			continue;
		if (o->user) {
			if (bld_user_id(b, o->user, &id) == 0)
				d->inode->uid = id;
			else if (o->numeric_fallback)
				d->inode->uid = o->uid;   /* what dpkg does */
			else
				return gapimg_error_set(err, GAPIMG_E_INVALID,
					"package %s: %s is owned by user '%s', which "
					"the image does not have (neither its packages' "
					"/etc/passwd nor the recipe's users name it); add "
					"'user %s uid=N' to the recipe", o->origin,
					o->path, o->user, o->user);
		}
		if (o->group) {
			if (bld_group_id(b, o->group, &id) == 0)
				d->inode->gid = id;
			else if (o->numeric_fallback)
				d->inode->gid = o->gid;
			else
				return gapimg_error_set(err, GAPIMG_E_INVALID,
					"package %s: %s belongs to group '%s', which "
					"the image does not have (neither its packages' "
					"/etc/group nor the recipe's groups name it); add "
					"'group %s gid=N' to the recipe", o->origin,
					o->path, o->group, o->group);
		}
	}
	return 0;
}

static int write_ldcache(struct bld *b, struct gapimg_error *err)
{
	struct strbuf out = STRBUF_INIT;
	size_t i;
	int rc;

	if (b->npkgs == 0)
		return 0;
	/* The cache records which ldconfig made it: the image's own (its
	 * libc-bin or glibc package), not the host's. */
	for (i = 0; i < b->npkgs; i++) {
		const struct gapimg_package *p = b->pkgs[i].pkg;
		char *gen = NULL, *up = strdup(p->evr), *c;
		int r;

		if (up == NULL)
			return gapimg_error_nomem(err);
		if ((c = strchr(up, ':')) != NULL)
			memmove(up, c + 1, strlen(c + 1) + 1);
		if ((c = strchr(up, '-')) != NULL)
			*c = '\0';
		if (b->res->family == GAPIMG_FAMILY_DEB && strcmp(p->name, "libc-bin") == 0)
			r = asprintf(&gen, "ldconfig (Debian GLIBC %s) stable release "
				     "version %s", p->evr, up);
		else if (b->res->family == GAPIMG_FAMILY_RPM && strcmp(p->name, "glibc") == 0)
			r = asprintf(&gen, "ldconfig (GNU libc) stable release version %s", up);
		else
			r = 0;
		free(up);
		if (r < 0)
			return gapimg_error_nomem(err);
		if (gen) {
			r = ldcache_set_generator(b->ldcache, gen, err);
			free(gen);
			if (r < 0)
				return -1;
		}
	}
	for (i = 0; i < b->ntexts; i++) {
		const struct bld_text *t = &b->texts[i];

		if ((strcmp(t->path, "/etc/ld.so.conf") == 0 ||
		     strncmp(t->path, "/etc/ld.so.conf.d/", 18) == 0) &&
		    bld_text(b, t->path) == t &&
		    ldcache_add_conf(b->ldcache, t->path, t->text.buf ? t->text.buf : "",
				     t->text.len, err) < 0)
			return -1;
	}
	if (ldcache_write(b->ldcache, &out, err) < 0) {
		strbuf_release(&out);
		return -1;
	}
	rc = bld_add_generated(b, "/etc/ld.so.cache", out.buf ? out.buf : "", out.len,
			       0644, err);
	strbuf_release(&out);
	return rc;
}

static int setup_alternatives(struct bld *b, struct gapimg_error *err)
{
	size_t i, j;

	for (i = 0; i < b->npkgs; i++) {
		const struct bld_pkg *p = &b->pkgs[i];

		for (j = 0; j < p->nmembers; j++) {
			struct debalt *alts = NULL, *all;
			size_t n = 0;

			if (strcmp(p->members[j].path, "postinst") != 0)
				continue;
			if (debalt_parse_postinst(p->pkg->name,
						  p->members[j].text.buf ? p->members[j].text.buf : "",
						  p->members[j].text.len, &alts, &n, err) < 0)
				return -1;   /* the error names the package and line */
			if (n == 0) {
				free(alts);
				continue;
			}
			all = realloc(b->alts, (b->nalts + n) * sizeof(*all));
			if (all == NULL) {
				debalt_free(alts, n);
				return gapimg_error_nomem(err);
			}
			memcpy(all + b->nalts, alts, n * sizeof(*alts));
			free(alts);
			b->alts = all;
			b->nalts += n;
		}
	}
	if (b->nalts == 0)
		return 0;
	return debalt_apply(b->tree, b->alts, b->nalts, b->epoch, err);
}

int bld_configure_owners(struct bld *b, struct gapimg_error *err)
{
	return load_accounts(b, err) < 0 || resolve_owners(b, err) < 0 ? -1 : 0;
}

int bld_configure(struct bld *b, struct gapimg_error *err)
{
	if (load_accounts(b, err) < 0 || resolve_owners(b, err) < 0 ||
	    write_ldcache(b, err) < 0)
		return -1;
	if (b->res->family == GAPIMG_FAMILY_DEB && setup_alternatives(b, err) < 0)
		return -1;
	return 0;
}

int bld_write_accounts(struct bld *b, struct gapimg_error *err)
{
	static const char *const which[] = { "passwd", "group", "shadow", "gshadow" };
	size_t i;

	for (i = 0; i < 4; i++) {
		struct strbuf out = STRBUF_INIT;
		char path[32];
		int present = 0, rc;
		uint16_t mode = i < 2 ? 0644 : (b->res->family == GAPIMG_FAMILY_DEB ? 0640 : 0);
		uint32_t gid = 0;

		if (accounts_format(b->acct, which[i], b->epoch, &out, &present, err) < 0) {
			strbuf_release(&out);
			return -1;
		}
		if (!present) {
			strbuf_release(&out);
			continue;
		}
		snprintf(path, sizeof(path), "/etc/%s", which[i]);
		rc = bld_add_generated(b, path, out.buf ? out.buf : "", out.len, mode, err);
		strbuf_release(&out);
		if (rc < 0)
			return -1;
		/* Debian: shadow files are root:shadow 0640, as passwd's
		 * postinst leaves them. */
		if (i >= 2 && b->res->family == GAPIMG_FAMILY_DEB &&
		    accounts_gid(b->acct, "shadow", &gid) == 0)
			gapimg_fstree_lookup(b->tree, path)->inode->gid = gid;
		else if (i >= 2 && b->res->family == GAPIMG_FAMILY_DEB)
			gapimg_fstree_lookup(b->tree, path)->inode->mode = 0600;
	}
	return 0;
}
