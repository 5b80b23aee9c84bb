/*
 * The recipe's own content, after the packages: folders, files, data
 * files, links, /etc/environment and systemd unit enablement.  Local
 * files are hashed while they stream into the image and must still match
 * the SHA-256 the recipe compiler recorded (data files of many GB are
 * never held in memory); owner names resolve against the image's
 * accounts, with the recipe line named when one is unknown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "gapimg/sha256.h"
#include "gapimg/source.h"

/* A host file whose bytes must hash to what the plan recorded. */
struct pinned {
	struct gapimg_source *inner;
	struct gapimg_sha256 *ctx;
	char *path;
	const struct gapimg_plan_node *node;
	uint64_t seen;
	int done;
};

static ssize_t pinned_read(void *user, void *buf, size_t len, struct gapimg_error *err)
{
	struct pinned *p = user;
	ssize_t n;

	if (p->done)
		return 0;
	n = gapimg_source_read(p->inner, buf, len, err);
	if (n < 0)
		return -1;
	if (n > 0) {
		gapimg_sha256_update(p->ctx, buf, (size_t)n);
		p->seen += (uint64_t)n;
		return n;
	}
	{
		uint8_t d[GAPIMG_SHA256_LEN];
		char hex[GAPIMG_SHA256_HEX];

		gapimg_sha256_final(p->ctx, d);
		gapimg_hex(d, sizeof(d), hex);
		p->done = 1;
		if (strcmp(hex, p->node->source.sha256) != 0) {
			gapimg_error_set(err, GAPIMG_E_CORRUPT,
				"%s:%u: %s changed since the recipe was checked: its "
				"SHA-256 is now %s, expected %s; nothing was written",
				p->node->span.file, p->node->span.line, p->path, hex,
				p->node->source.sha256);
			return -1;
		}
	}
	return 0;
}

static int owner_ids(struct bld *b, const struct gapimg_plan_node *n,
		     uint32_t *uid, uint32_t *gid, struct gapimg_error *err)
{
	*uid = *gid = 0;
	if (n->owner && bld_user_id(b, n->owner, uid) < 0)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
			"%s:%u: %s: owner '%s' is not a user of the image (its "
			"packages' /etc/passwd, sysusers.d or the recipe's users)",
			n->span.file, n->span.line, n->path, n->owner);
	if (n->group && bld_group_id(b, n->group, gid) < 0)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
			"%s:%u: %s: group '%s' is not a group of the image (its "
			"packages' /etc/group, sysusers.d or the recipe's groups)",
			n->span.file, n->span.line, n->path, n->group);
	return 0;
}

static int add_node(struct bld *b, const struct gapimg_plan_node *n,
		    struct gapimg_error *err)
{
	struct gapimg_node_spec spec;
	struct pinned pin;
	char *origin = NULL, *host = NULL;
	int rc = -1;

	memset(&spec, 0, sizeof(spec));
	memset(&pin, 0, sizeof(pin));
	if (asprintf(&origin, "%s:%u", n->span.file, n->span.line) < 0)
		return gapimg_error_nomem(err);
	if (owner_ids(b, n, &spec.uid, &spec.gid, err) < 0)
		goto out;
	spec.mode = (uint16_t)n->mode;
	spec.mtime = b->epoch;
	switch (n->kind) {
	case GAPIMG_NODE_DIR:
		spec.type = GAPIMG_FT_DIR;
		break;
	case GAPIMG_NODE_SYMLINK:
		spec.type = GAPIMG_FT_SYMLINK;
		spec.mode = 0777;
		spec.uid = spec.gid = 0;
		spec.target = n->target;
		break;
	case GAPIMG_NODE_FILE:
		spec.type = GAPIMG_FT_REG;
		if (n->source.path == NULL) {
			spec.size = n->text_len;
			spec.src = gapimg_source_memory(n->text, n->text_len, origin, err);
			if (spec.src == NULL)
				goto out;
			break;
		}
		if (n->source.path[0] == '/')
			host = strdup(n->source.path);
		else if (asprintf(&host, "%s/%s", b->plan->base_dir, n->source.path) < 0)
			host = NULL;
		if (host == NULL)
			goto nomem;
		spec.size = n->source.size;
		pin.path = host;
		pin.node = n;
		pin.ctx = gapimg_sha256_new();
		pin.inner = gapimg_source_host_file(host, err);
		if (pin.ctx == NULL || pin.inner == NULL) {
			if (pin.ctx == NULL)
				gapimg_error_nomem(err);
			else
				gapimg_error_prefix(err, "%s:%u: ", n->span.file, n->span.line);
			goto out;
		}
		spec.src = gapimg_source_stream(pinned_read, &pin, host, err);
		if (spec.src == NULL)
			goto out;
		break;
	}
	{
		struct gapimg_dentry *d = gapimg_fstree_add(b->tree, n->path, &spec, origin,
							    GAPIMG_ADD_PARENTS | GAPIMG_ADD_REPLACE,
							    err);
		if (d == NULL)
			goto out;
		/* Stream it now: the hash must be checked while the source is
		 * still ours, and data files may be large. */
		if (n->kind == GAPIMG_NODE_FILE && n->source.path &&
		    gapimg_sqfs_writer_add_data(b->writer, d->inode, err) < 0)
			goto out;
	}
	rc = 0;
	goto out;
nomem:
	gapimg_error_nomem(err);
out:
	if (pin.inner)
		gapimg_source_free(pin.inner);
	if (pin.ctx)
		gapimg_sha256_free(pin.ctx);
	free(host);
	free(origin);
	return rc;
}

static int write_environment(struct bld *b, struct gapimg_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int rc;

	if (b->plan->nenv == 0)
		return 0;
	for (i = 0; i < b->plan->nenv; i++) {
		const char *v = b->plan->env[i].value, *c;

		/* pam_env reads KEY=VALUE; quote values with blanks. */
		if (strpbrk(v, " \t\"'\\#") == NULL) {
			strbuf_addf(&sb, "%s=%s\n", b->plan->env[i].name, v);
			continue;
		}
		strbuf_addf(&sb, "%s=\"", b->plan->env[i].name);
		for (c = v; *c; c++) {
			if (*c == '"' || *c == '\\')
				strbuf_addch(&sb, '\\');
			strbuf_addch(&sb, *c);
		}
		strbuf_addstr(&sb, "\"\n");
	}
	rc = bld_add_generated(b, "/etc/environment", sb.buf, sb.len, 0644, err);
	strbuf_release(&sb);
	return rc;
}

/* The [Install] section's WantedBy=/RequiredBy=/Alias= of a unit file. */
static int install_links(struct bld *b, const struct gapimg_plan_unit *u,
			 struct gapimg_error *err)
{
	static const char *const dirs[] = {
		"/etc/systemd/system/", "/usr/lib/systemd/system/", "/lib/systemd/system/",
	};
	const struct bld_text *t = NULL;
	char *unit_path = NULL;
	const char *s, *end;
	int in_install = 0, made = 0;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && t == NULL; i++) {
		free(unit_path);
		if (asprintf(&unit_path, "%s%s", dirs[i], u->name) < 0)
			return gapimg_error_nomem(err);
		t = bld_text(b, unit_path);
	}
	if (t == NULL) {
		free(unit_path);
		return gapimg_error_set(err, GAPIMG_E_NOTFOUND,
			"%s:%u: cannot enable %s: no package installs it in "
			"/usr/lib/systemd/system or /lib/systemd/system",
			u->span.file, u->span.line, u->name);
	}
	s = t->text.buf ? t->text.buf : "";
	end = s + t->text.len;
	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		size_t len = eol ? (size_t)(eol - s) : (size_t)(end - s);
		char line[1024];

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, s, len);
		line[len] = '\0';
		s = eol ? eol + 1 : end;
		if (line[0] == '[') {
			in_install = strncmp(line, "[Install]", 9) == 0;
			continue;
		}
		if (!in_install)
			continue;
		{
			const char *kind = NULL, *v;
			char *tok, *save = NULL;

			if (strncmp(line, "WantedBy=", 9) == 0)
				kind = ".wants", v = line + 9;
			else if (strncmp(line, "RequiredBy=", 11) == 0)
				kind = ".requires", v = line + 11;
			else if (strncmp(line, "Alias=", 6) == 0)
				kind = "", v = line + 6;
			else
				continue;
			for (tok = strtok_r((char *)v, " \t", &save); tok;
			     tok = strtok_r(NULL, " \t", &save)) {
				struct gapimg_node_spec spec = {
					.type = GAPIMG_FT_SYMLINK, .mode = 0777,
					.mtime = b->epoch, .target = unit_path,
				};
				char *link;
				int r;

				if (strchr(tok, '/') || strcmp(tok, ".") == 0 || strcmp(tok, "..") == 0)
					continue;
				r = *kind ? asprintf(&link, "/etc/systemd/system/%s%s/%s", tok, kind, u->name)
					  : asprintf(&link, "/etc/systemd/system/%s", tok);
				if (r < 0) {
					free(unit_path);
					return gapimg_error_nomem(err);
				}
				if (gapimg_fstree_add(b->tree, link, &spec, "enable",
						      GAPIMG_ADD_PARENTS | GAPIMG_ADD_REPLACE, err) == NULL) {
					free(link);
					free(unit_path);
					return -1;
				}
				free(link);
				made++;
			}
		}
	}
	free(unit_path);
	if (made == 0)
		return gapimg_error_set(err, GAPIMG_E_INVALID,
			"%s:%u: cannot enable %s: its [Install] section names no "
			"WantedBy=, RequiredBy= or Alias=", u->span.file, u->span.line,
			u->name);
	return 0;
}

/* "disable UNIT": in a declarative install nothing enables units by
 * itself, so the unit is disabled unless a package ships an enablement
 * link for it; that link would have to be removed with "remove", which
 * is applied while unpacking. */
static int check_disabled(struct bld *b, const struct gapimg_plan_unit *u,
			  struct gapimg_error *err)
{
	struct gapimg_dentry *dir = gapimg_fstree_lookup(b->tree, "/etc/systemd/system");
	size_t i, j;

	if (dir == NULL || dir->inode->type != GAPIMG_FT_DIR)
		return 0;
	for (i = 0; i < dir->nchildren; i++) {
		const struct gapimg_dentry *c = dir->children[i];

		if (strcmp(c->name, u->name) == 0 && c->inode->type == GAPIMG_FT_SYMLINK)
			goto enabled;
		if (c->inode->type != GAPIMG_FT_DIR)
			continue;
		for (j = 0; j < c->nchildren; j++)
			if (strcmp(c->children[j]->name, u->name) == 0) {
				c = c->children[j];
				goto enabled;
			}
		continue;
enabled:
		{
			char *path = gapimg_dentry_path(c);

			gapimg_error_set(err, GAPIMG_E_INVALID,
				"%s:%u: cannot disable %s: %s (from %s) enables it; add "
				"'remove %s' to the recipe", u->span.file, u->span.line,
				u->name, path ? path : u->name, c->origin,
				path ? path : u->name);
			free(path);
			return -1;
		}
	}
	return 0;
}

int bld_add_content(struct bld *b, struct gapimg_error *err)
{
	size_t i;

	/* Nodes are sorted by path, so folders come before their contents. */
	for (i = 0; i < b->plan->nnodes; i++)
		if (add_node(b, &b->plan->nodes[i], err) < 0)
			return -1;
	for (i = 0; i < b->plan->nenable; i++)
		if (install_links(b, &b->plan->enable[i], err) < 0)
			return -1;
	for (i = 0; i < b->plan->ndisable; i++)
		if (check_disabled(b, &b->plan->disable[i], err) < 0)
			return -1;
	return write_environment(b, err);
}
