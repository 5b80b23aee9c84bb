/*
 * The dpkg database inside the image, as dpkg itself leaves it after an
 * install, so that dpkg -l, dpkg -L, dpkg -V and apt work in the image:
 *   /var/lib/dpkg/status        every package "install ok installed",
 *                               sorted by name, with Conffiles and their
 *                               MD5 sums
 *   /var/lib/dpkg/info/P.list   the paths the payload named, in order
 *   /var/lib/dpkg/info/P.*      md5sums, conffiles and the other control
 *                               members (maintainer scripts are kept even
 *                               though they did not run: dpkg needs prerm
 *                               and postrm to remove the package later)
 *   available, info/format (the multiarch layout), and empty updates/
 *   and triggers/ folders.
 * "P" is NAME, or NAME:ARCH for Multi-Arch: same packages, as dpkg names
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static int cmp_name(const void *x, const void *y)
{
	const struct bld_pkg *const *a = x, *const *b = y;

	return strcmp((*a)->pkg->name, (*b)->pkg->name);
}

static int multiarch_same(const struct bld_pkg *p)
{
	const char *c = p->control, *end = c + p->control_len;

	while (c < end) {
		const char *eol = memchr(c, '\n', (size_t)(end - c));

		if (strncasecmp(c, "Multi-Arch:", 11) == 0) {
			const char *v = c + 11;

			while (*v == ' ')
				v++;
			return strncmp(v, "same", 4) == 0;
		}
		c = eol ? eol + 1 : end;
	}
	return 0;
}

char *bld_dpkg_info_name(const struct bld_pkg *p)
{
	char *s;

	if ((multiarch_same(p) ? asprintf(&s, "%s:%s", p->pkg->name, p->pkg->arch)
			       : asprintf(&s, "%s", p->pkg->name)) < 0)
		return NULL;
	return s;
}

/* The control paragraph with Status: after Package:, and Conffiles:.
 * Unpacked (for 'scripts run', which dpkg --configure then finishes):
 * conffiles wait as NAME.dpkg-new with the hash "newconffile", as dpkg's
 * own unpack leaves them. */
static int status_entry(const struct bld_pkg *p, int unpacked, struct strbuf *out)
{
	const char *c = p->control, *end = c + p->control_len;
	size_t i;
	int rc = 0;

	while (c < end) {
		const char *eol = memchr(c, '\n', (size_t)(end - c));
		size_t len = eol ? (size_t)(eol - c) : (size_t)(end - c);

		if (len == 0) {      /* a blank line would end the paragraph */
			c = eol ? eol + 1 : end;
			continue;
		}
		if (strncasecmp(c, "Status:", 7) == 0 || strncasecmp(c, "Conffiles:", 10) == 0) {
			/* dpkg owns these; skip the field and its continuation. */
			c = eol ? eol + 1 : end;
			while (c < end && (*c == ' ' || *c == '\t')) {
				eol = memchr(c, '\n', (size_t)(end - c));
				c = eol ? eol + 1 : end;
			}
			continue;
		}
		rc |= strbuf_add(out, c, len);
		rc |= strbuf_addch(out, '\n');
		if (strncasecmp(c, "Package:", 8) == 0)
			rc |= strbuf_addstr(out, unpacked ? "Status: install ok unpacked\n"
						      : "Status: install ok installed\n");
		c = eol ? eol + 1 : end;
	}
	if (p->nconffiles > 0) {
		rc |= strbuf_addstr(out, "Conffiles:\n");
		for (i = 0; i < p->nconffiles; i++)
			rc |= strbuf_addf(out, " %s %s\n", p->conffiles[i],
					  p->conffile_md5[i] && !unpacked ? p->conffile_md5[i]
									  : "newconffile");
	}
	rc |= strbuf_addch(out, '\n');
	return rc ? -1 : 0;
}

static int add_dir(struct bld *b, const char *path, struct gapimg_error *err)
{
	struct gapimg_node_spec spec = {
		.type = GAPIMG_FT_DIR, .mode = 0755, .mtime = b->epoch,
	};

	if (gapimg_fstree_lookup(b->tree, path) != NULL)
		return 0;
	return gapimg_fstree_add(b->tree, path, &spec, "dpkg database",
				 GAPIMG_ADD_PARENTS, err) ? 0 : -1;
}

int bld_write_dpkg_db(struct bld *b, struct gapimg_error *err)
{
	struct strbuf status = STRBUF_INIT;
	const struct bld_pkg **sorted;
	size_t i, j;
	int rc = -1;

	sorted = calloc(b->npkgs ? b->npkgs : 1, sizeof(*sorted));
	if (sorted == NULL)
		return gapimg_error_nomem(err);
	for (i = 0; i < b->npkgs; i++)
		sorted[i] = &b->pkgs[i];
	qsort(sorted, b->npkgs, sizeof(*sorted), cmp_name);
	if (add_dir(b, "/var/lib/dpkg/info", err) < 0 ||
	    add_dir(b, "/var/lib/dpkg/updates", err) < 0 ||
	    add_dir(b, "/var/lib/dpkg/triggers", err) < 0)
		goto out;
	for (i = 0; i < b->npkgs; i++) {
		const struct bld_pkg *p = sorted[i];
		struct strbuf sb = STRBUF_INIT;
		char *base = NULL, *path = NULL;

		if (status_entry(p, b->stage != NULL, &status) < 0)
			goto nomem;
		{
			char *name = bld_dpkg_info_name(p);

			if (name == NULL || asprintf(&base, "/var/lib/dpkg/info/%s", name) < 0) {
				free(name);
				goto nomem;
			}
			free(name);
		}
		if (asprintf(&path, "%s.list", base) < 0) {
			free(base);
			goto nomem;
		}
		if (bld_add_generated(b, path, p->list.buf ? p->list.buf : "", p->list.len,
				      0644, err) < 0) {
			free(base);
			free(path);
			goto out;
		}
		free(path);
		for (j = 0; j < p->nmembers; j++) {
			const struct bld_text *m = &p->members[j];
			int exec = strcmp(m->path, "preinst") == 0 ||
				   strcmp(m->path, "postinst") == 0 ||
				   strcmp(m->path, "prerm") == 0 ||
				   strcmp(m->path, "postrm") == 0 ||
				   strcmp(m->path, "config") == 0;

			if (asprintf(&path, "%s.%s", base, m->path) < 0) {
				free(base);
				goto nomem;
			}
			if (bld_add_generated(b, path, m->text.buf ? m->text.buf : "",
					      m->text.len, exec ? 0755 : 0644, err) < 0) {
				free(base);
				free(path);
				goto out;
			}
			free(path);
		}
		free(base);
		strbuf_release(&sb);
	}
	if (bld_add_generated(b, "/var/lib/dpkg/status", status.buf ? status.buf : "",
			      status.len, 0644, err) < 0 ||
	    bld_add_generated(b, "/var/lib/dpkg/available", "", 0, 0644, err) < 0 ||
	    /* Without it dpkg reads info/ in the pre-multiarch layout and
	     * misses every NAME:ARCH file. */
	    bld_add_generated(b, "/var/lib/dpkg/info/format", "1\n", 2, 0644, err) < 0)
		goto out;
	rc = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	strbuf_release(&status);
	free(sorted);
	return rc;
}
