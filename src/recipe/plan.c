/*
 * The plan's canonical JSON and the recipe digest.
 *
 * Canonical means: jansson's compact form with keys sorted, UTF-8 as is,
 * integers only, and every value present (defaults are written out, so
 * that a reviewer sees what the build will do, not what was left unsaid).
 * The recipe digest is the SHA-256 of these bytes; the plan holds the
 * SHA-256 of every local input, so a changed input changes the digest while
 * comments, blank lines and line order do not.  Layout: docs/recipe.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

const char *gapimg_arch_name(enum gapimg_arch arch)
{
	return arch == GAPIMG_ARCH_AARCH64 ? "aarch64" : "x86_64";
}

const char *gapimg_arch_deb_name(enum gapimg_arch arch)
{
	return arch == GAPIMG_ARCH_AARCH64 ? "arm64" : "amd64";
}

const char *gapimg_mirror_type_name(enum gapimg_mirror_type type)
{
	switch (type) {
	case GAPIMG_MIRROR_RPM_MD: return "rpm-md";
	case GAPIMG_MIRROR_RPM_DIR: return "rpm-dir";
	case GAPIMG_MIRROR_DEB: return "deb";
	case GAPIMG_MIRROR_WHEELS: return "wheels";
	}
	return "?";
}

const char *gapimg_relop_name(enum gapimg_relop op)
{
	switch (op) {
	case GAPIMG_REL_ANY: return "";
	case GAPIMG_REL_EQ: return "=";
	case GAPIMG_REL_LT: return "<";
	case GAPIMG_REL_LE: return "<=";
	case GAPIMG_REL_GT: return ">";
	case GAPIMG_REL_GE: return ">=";
	}
	return "?";
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void gapimg_plan_free(struct gapimg_plan *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	free(p->base_dir);
	free(p->recipe);
	free(p->image);
	free(p->version);
	for (i = 0; i < p->nmirrors; i++) {
		struct gapimg_plan_mirror *m = &p->mirrors[i];
		free(m->id);
		free(m->location);
		free(m->suite);
		free_strv(m->components, m->ncomponents);
		for (j = 0; j < m->nkeys; j++)
			free(m->keys[j].path);
		free(m->keys);
	}
	free(p->mirrors);
	for (i = 0; i < p->ninstalls; i++) {
		free(p->installs[i].name);
		free(p->installs[i].version);
		free(p->installs[i].mirror);
	}
	free(p->installs);
	for (i = 0; i < p->nexcludes; i++)
		free(p->excludes[i].pattern);
	free(p->excludes);
	free(p->python);
	for (i = 0; i < p->nrequirements; i++) {
		struct gapimg_plan_requirement *r = &p->requirements[i];
		free(r->text);
		free(r->name);
		free_strv(r->extras, r->nextras);
		free(r->specifier);
		free(r->marker);
		free(r->mirror);
	}
	free(p->requirements);
	for (i = 0; i < p->nnodes; i++) {
		struct gapimg_plan_node *n = &p->nodes[i];
		free(n->path);
		free(n->source.path);
		free(n->text);
		free(n->provenance);
		free(n->target);
		free(n->owner);
		free(n->group);
	}
	free(p->nodes);
	for (i = 0; i < p->nremovals; i++)
		free(p->removals[i].pattern);
	free(p->removals);
	for (i = 0; i < p->ngroups; i++)
		free(p->groups[i].name);
	free(p->groups);
	for (i = 0; i < p->nusers; i++) {
		struct gapimg_plan_user *u = &p->users[i];
		free(u->name);
		free(u->group);
		free_strv(u->groups, u->ngroups);
		free(u->home);
		free(u->shell);
		free(u->comment);
	}
	free(p->users);
	for (i = 0; i < p->nenv; i++) {
		free(p->env[i].name);
		free(p->env[i].value);
	}
	free(p->env);
	for (i = 0; i < p->nenable; i++)
		free(p->enable[i].name);
	free(p->enable);
	for (i = 0; i < p->ndisable; i++)
		free(p->disable[i].name);
	free(p->disable);
	free(p->compression);
	free(p->output);
	free(p->kernel_cmdline);
	free(p);
}

/* Builders that tolerate NULL children: a failed allocation anywhere makes
 * the final document NULL (jansson's _new setters free what they get). */
static json_t *str(const char *s)
{
	return json_string(s ? s : "");
}

static json_t *strv(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, str(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *input(const struct gapimg_plan_input *in)
{
	return json_pack("{s:s, s:s, s:I}", "path", in->path, "sha256", in->sha256,
			 "size", (json_int_t)in->size);
}

static int set(json_t *o, const char *key, json_t *v)
{
	return o == NULL || json_object_set_new(o, key, v) < 0 ? -1 : 0;
}

static int push(json_t *a, json_t *v)
{
	return a == NULL || json_array_append_new(a, v) < 0 ? -1 : 0;
}

static json_t *mirrors_json(const struct gapimg_plan *p)
{
	json_t *a = json_array();
	size_t i, j;
	int bad = 0;

	for (i = 0; i < p->nmirrors; i++) {
		const struct gapimg_plan_mirror *m = &p->mirrors[i];
		json_t *o = json_object(), *keys = json_array();

		bad |= set(o, "id", str(m->id));
		bad |= set(o, "type", str(gapimg_mirror_type_name(m->type)));
		bad |= set(o, "location", str(m->location));
		bad |= set(o, "priority", json_integer(m->priority));
		if (m->type != GAPIMG_MIRROR_WHEELS)
			bad |= set(o, "signatures", str(m->signatures == GAPIMG_SIGS_PACKAGES ? "packages"
						    : m->signatures ? "required" : "off"));
		if (m->type == GAPIMG_MIRROR_DEB) {
			bad |= set(o, "suite", str(m->suite));
			bad |= set(o, "components", strv(m->components, m->ncomponents));
		}
		for (j = 0; j < m->nkeys; j++)
			bad |= push(keys, input(&m->keys[j]));
		if (m->type != GAPIMG_MIRROR_WHEELS)
			bad |= set(o, "keys", keys);
		else
			json_decref(keys);
		bad |= push(a, o);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *packages_json(const struct gapimg_plan *p)
{
	static const char *const base[] = { "none", "essential", "required" };
	json_t *o = json_object(), *inst = json_array(), *ex = json_array();
	size_t i;
	int bad = 0;

	for (i = 0; i < p->ninstalls; i++) {
		const struct gapimg_plan_package *k = &p->installs[i];
		json_t *e = json_object();

		bad |= set(e, "name", str(k->name));
		if (k->op != GAPIMG_REL_ANY) {
			bad |= set(e, "op", str(gapimg_relop_name(k->op)));
			bad |= set(e, "version", str(k->version));
		}
		if (k->mirror)
			bad |= set(e, "mirror", str(k->mirror));
		bad |= push(inst, e);
	}
	for (i = 0; i < p->nexcludes; i++)
		bad |= push(ex, str(p->excludes[i].pattern));
	bad |= set(o, "install", inst);
	bad |= set(o, "exclude", ex);
	bad |= set(o, "recommends", json_boolean(p->recommends));
	bad |= set(o, "debian_base", str(base[p->debian_base]));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *python_json(const struct gapimg_plan *p)
{
	json_t *o = json_object(), *reqs = json_array();
	size_t i;
	int bad = 0;

	for (i = 0; i < p->nrequirements; i++) {
		const struct gapimg_plan_requirement *r = &p->requirements[i];
		json_t *e = json_object();

		bad |= set(e, "requirement", str(r->text));
		bad |= set(e, "name", str(r->name));
		bad |= set(e, "extras", strv(r->extras, r->nextras));
		bad |= set(e, "specifier", str(r->specifier));
		if (r->marker)
			bad |= set(e, "marker", str(r->marker));
		if (r->mirror)
			bad |= set(e, "mirror", str(r->mirror));
		bad |= push(reqs, e);
	}
	bad |= set(o, "version", p->python ? str(p->python) : json_null());
	bad |= set(o, "bytecode", json_boolean(p->bytecode));
	bad |= set(o, "requirements", reqs);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *node_json(const struct gapimg_plan_node *n)
{
	static const char *const kinds[] = { "file", "dir", "symlink" };
	json_t *o = json_object();
	char mode[8];
	int bad = 0;

	snprintf(mode, sizeof(mode), "%04o", n->mode);
	bad |= set(o, "path", str(n->path));
	if (!n->is_data)
		bad |= set(o, "type", str(kinds[n->kind]));
	if (n->kind == GAPIMG_NODE_SYMLINK) {
		bad |= set(o, "target", str(n->target));
	} else {
		bad |= set(o, "mode", str(mode));
		bad |= set(o, "owner", str(n->owner));
		bad |= set(o, "group", str(n->group));
	}
	if (n->kind == GAPIMG_NODE_FILE) {
		if (n->source.path)
			bad |= set(o, "source", str(n->source.path));
		else
			bad |= set(o, "text", json_stringn(n->text, n->text_len));
		bad |= set(o, "sha256", str(n->source.sha256));
		bad |= set(o, "size", json_integer((json_int_t)n->source.size));
	}
	if (n->is_data)
		bad |= set(o, "provenance", str(n->provenance));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *content_json(const struct gapimg_plan *p)
{
	json_t *o = json_object(), *files = json_array(), *data = json_array();
	json_t *rm = json_array(), *groups = json_array(), *users = json_array();
	json_t *env = json_object(), *units = json_object(), *en, *dis;
	size_t i;
	int bad = 0;

	for (i = 0; i < p->nnodes; i++)
		bad |= push(p->nodes[i].is_data ? data : files, node_json(&p->nodes[i]));
	for (i = 0; i < p->nremovals; i++)
		bad |= push(rm, str(p->removals[i].pattern));
	for (i = 0; i < p->ngroups; i++)
		bad |= push(groups, json_pack("{s:s, s:I}", "name", p->groups[i].name, "gid",
					      (json_int_t)p->groups[i].gid));
	for (i = 0; i < p->nusers; i++) {
		const struct gapimg_plan_user *u = &p->users[i];
		bad |= push(users, json_pack("{s:s, s:I, s:s, s:o, s:s, s:s, s:s}", "name", u->name,
					     "uid", (json_int_t)u->uid, "group", u->group,
					     "groups", strv(u->groups, u->ngroups), "home", u->home,
					     "shell", u->shell, "comment", u->comment));
	}
	for (i = 0; i < p->nenv; i++)
		bad |= set(env, p->env[i].name, str(p->env[i].value));
	en = json_array();
	dis = json_array();
	for (i = 0; i < p->nenable; i++)
		bad |= push(en, str(p->enable[i].name));
	for (i = 0; i < p->ndisable; i++)
		bad |= push(dis, str(p->disable[i].name));
	bad |= set(units, "enable", en);
	bad |= set(units, "disable", dis);
	bad |= set(o, "files", files);
	bad |= set(o, "data", data);
	bad |= set(o, "remove", rm);
	bad |= set(o, "groups", groups);
	bad |= set(o, "users", users);
	bad |= set(o, "env", env);
	bad |= set(o, "units", units);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *plan_json(const struct gapimg_plan *p)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= set(o, "format", json_integer(p->format));
	bad |= set(o, "fragment", json_boolean(p->fragment));
	bad |= set(o, "image", json_pack("{s:s, s:s, s:s, s:I}", "name", p->image ? p->image : "",
					 "version", p->version ? p->version : "",
					 "arch", gapimg_arch_name(p->arch),
					 "epoch", (json_int_t)p->epoch));
	bad |= set(o, "mirrors", mirrors_json(p));
	bad |= set(o, "packages", packages_json(p));
	bad |= set(o, "python", python_json(p));
	bad |= set(o, "content", content_json(p));
	bad |= set(o, "build", json_pack("{s:s, s:i, s:I, s:s, s:s, s:s}",
					 "compression", p->compression ? p->compression : "",
					 "level", p->level, "block_size", (json_int_t)p->block_size,
					 "scripts", p->scripts == GAPIMG_SCRIPTS_RUN ? "run" : "none",
					 "output", p->output ? p->output : "",
					 "kernel_cmdline", p->kernel_cmdline ? p->kernel_cmdline : ""));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* jansson writes control characters as "\u001B"; RFC 8785 and most JSON
 * libraries write "\u001b".  One spelling, the common one, so that anyone
 * can recompute the digest with the JSON tools they have.  Outside
 * strings there are no backslashes, and inside one every backslash starts
 * an escape. */
static void lowercase_escapes(char *s)
{
	for (; s && *s; s++) {
		if (*s != '\\')
			continue;
		if (s[1] == 'u') {
			int i;
			for (i = 2; i < 6 && s[i]; i++)
				if (s[i] >= 'A' && s[i] <= 'F')
					s[i] = (char)(s[i] - 'A' + 'a');
		}
		if (s[1])
			s++;
	}
}

static char *canonical(const struct gapimg_plan *p)
{
	json_t *doc = plan_json(p);
	char *s;

	if (doc == NULL)
		return NULL;
	s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	lowercase_escapes(s);
	return s;
}

int gapimg_plan_canonical_json(const struct gapimg_plan *p, struct strbuf *out,
			       struct gapimg_error *err)
{
	char *s = canonical(p);
	int r;

	if (s == NULL)
		return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory writing the plan");
	r = strbuf_addstr(out, s) | strbuf_addch(out, '\n');
	free(s);
	return r ? gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory writing the plan") : 0;
}

int rc_plan_digest(struct gapimg_plan *p, struct gapimg_error *err)
{
	uint8_t d[GAPIMG_SHA256_LEN];
	char *s = canonical(p);

	if (s == NULL)
		return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory writing the plan");
	gapimg_sha256(s, strlen(s), d);
	gapimg_hex(d, sizeof(d), p->digest);
	free(s);
	return 0;
}
