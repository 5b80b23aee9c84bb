/*
 * Content directives: what the image gets on top of its packages (files,
 * folders, links, data, removals), its users and groups, environment and
 * systemd units.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "gapimg/path.h"
#include "gapimg/sha256.h"
#include "values.h"

/* An absolute image path, normalised into *out; reports and returns 0 with
 * *out NULL when it is not usable. */
static int image_path(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		      const char *what, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	struct gapimg_error e;
	const char *v = t->value;

	*out = NULL;
	if (rv_printable(v)) {
		rc_bad_value(rc, st, t, what, rv_printable(v), NULL);
		return 0;
	}
	if (v[0] != '/') {
		char help[96];
		snprintf(help, sizeof(help), "write /%.80s", v);
		rc_error(rc, st->src, t->vspan, v[0] ? help : NULL,
			 "%s '%s' is not an absolute path", what, v);
		return 0;
	}
	if (rv_has_dotdot(v)) {
		rc_error(rc, st->src, t->vspan, "write the path without '..'",
			 "%s '%s' contains '..'", what, v);
		return 0;
	}
	if (gapimg_path_normalise(v, t->value_len, &sb, "the recipe", &e) < 0) {
		strbuf_release(&sb);
		if (e.code == GAPIMG_E_NOMEM)
			return rc_nomem(rc);
		rc_error(rc, st->src, t->vspan, NULL, "%s", e.msg);
		return 0;
	}
	if (strcmp(sb.buf, "/") == 0) {
		strbuf_release(&sb);
		rc_error(rc, st->src, t->vspan, NULL,
			 "%s '/' is the image's root folder, which packages make", what);
		return 0;
	}
	if ((*out = strbuf_detach(&sb)) == NULL)
		return rc_nomem(rc);
	return 0;
}

static int owner_opt(struct rcompiler *rc, const struct rstmt *st, const char *key,
		     char **out)
{
	const struct rtoken *t = rc_opt(st, key);
	const char *why;

	if (t && (why = rv_owner(t->value))) {
		rc_bad_value(rc, st, t, key, why, "give a user or group name, or a numeric id");
		t = NULL;
	}
	return (*out = rc_strdup(rc, t ? t->value : "root")) ? 0 : -1;
}

static struct gapimg_plan_node *new_node(struct rcompiler *rc, const struct rstmt *st,
					 enum gapimg_node_kind kind, char *path)
{
	struct gapimg_plan *plan = rc->plan;
	struct gapimg_plan_node *n;

	if (rc_push(rc, &plan->nodes, &plan->nnodes, sizeof(*n)) < 0) {
		free(path);
		return NULL;
	}
	n = &plan->nodes[plan->nnodes - 1];
	n->kind = kind;
	n->path = path;
	n->span = st->args[0].vspan;
	return n;
}

/* mode=, owner=, group= and the warnings about what they allow. */
static int attributes(struct rcompiler *rc, const struct rstmt *st,
		      struct gapimg_plan_node *n, uint32_t def_mode)
{
	const struct rtoken *t = rc_opt(st, "mode");

	n->mode = def_mode;
	if (t && rv_mode(t->value, &n->mode) < 0)
		rc_bad_value(rc, st, t, "mode", "give octal permission bits, such as 0644 or 0755",
			     NULL);
	else if (t && n->mode > 07777)
		rc_bad_value(rc, st, t, "mode", "permission bits go up to 07777", NULL);
	if (owner_opt(rc, st, "owner", &n->owner) < 0 || owner_opt(rc, st, "group", &n->group) < 0)
		return -1;
	if (t == NULL)
		return 0;     /* the defaults are 0644 and 0755 */
	if (n->kind == GAPIMG_NODE_DIR && (n->mode & 0002) && !(n->mode & 01000))
		rc_warning(rc, st->src, t->vspan, "add the sticky bit (1777) or drop o+w",
			   "folder %s is world-writable without the sticky bit", n->path);
	else if (n->kind != GAPIMG_NODE_DIR && (n->mode & 0002))
		rc_warning(rc, st->src, t->vspan, NULL, "%s is world-writable (mode %04o)",
			   n->path, n->mode);
	if (n->kind != GAPIMG_NODE_DIR && (n->mode & 06000))
		rc_warning(rc, st->src, t->vspan, "make sure this is intended",
			   "%s is %s (mode %04o)", n->path,
			   (n->mode & 04000) ? ((n->mode & 02000) ? "setuid and setgid" : "setuid")
					     : "setgid", n->mode);
	return 0;
}

/* source=FILE into n->source; 0 on success or a reported problem. */
static int source_opt(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		      struct gapimg_plan_node *n)
{
	char *fs;

	if (t->value_len == 0 || rv_printable(t->value)) {
		rc_bad_value(rc, st, t, "source", t->value_len ? rv_printable(t->value) : "it is empty",
			     NULL);
		return 1;
	}
	if (rc_local_path(rc, st->src, t->value, &fs, &n->source.path) < 0)
		return -1;
	if (rc_hash_input(rc, st->src, t, fs, &n->source, 1) < 0) {
		free(fs);
		return rc->nomem ? -1 : 1;
	}
	free(fs);
	return 0;
}

int rc_h_file(struct rcompiler *rc, const struct rstmt *st)
{
	const struct rtoken *src = rc_opt(st, "source"), *text = rc_opt(st, "text");
	struct gapimg_plan_node *n;
	char *path;

	if (image_path(rc, st, &st->args[0], "file path", &path) < 0)
		return -1;
	if (path == NULL)
		return 0;
	if (!src == !text) {
		rc_error(rc, st->src, src ? text->span : st->name->span,
			 "give source=FILE (next to the recipe) or text=\"...\"",
			 src ? "'file' takes source= or text=, not both"
			     : "'file' needs its content: source= or text=");
		free(path);
		return 0;
	}
	if ((n = new_node(rc, st, GAPIMG_NODE_FILE, path)) == NULL)
		return -1;
	if (src && source_opt(rc, st, src, n) < 0)
		return -1;
	if (text) {
		uint8_t d[GAPIMG_SHA256_LEN];

		if ((n->text = malloc(text->value_len + 1)) == NULL)
			return rc_nomem(rc);
		memcpy(n->text, text->value, text->value_len + 1);
		n->text_len = text->value_len;
		n->source.size = text->value_len;
		gapimg_sha256(text->value, text->value_len, d);
		gapimg_hex(d, sizeof(d), n->source.sha256);
	}
	return attributes(rc, st, n, 0644);
}

int rc_h_dir(struct rcompiler *rc, const struct rstmt *st)
{
	struct gapimg_plan_node *n;
	char *path;

	if (image_path(rc, st, &st->args[0], "folder path", &path) < 0)
		return -1;
	if (path == NULL)
		return 0;
	if ((n = new_node(rc, st, GAPIMG_NODE_DIR, path)) == NULL)
		return -1;
	return attributes(rc, st, n, 0755);
}

int rc_h_symlink(struct rcompiler *rc, const struct rstmt *st)
{
	const struct rtoken *target = &st->args[1];
	struct gapimg_plan_node *n;
	char *path;

	if (image_path(rc, st, &st->args[0], "link path", &path) < 0)
		return -1;
	if (path == NULL)
		return 0;
	if (rv_printable(target->value)) {
		free(path);
		return rc_bad_value(rc, st, target, "link target", rv_printable(target->value), NULL);
	}
	if (target->value_len == 0 || target->value_len > GAPIMG_PATH_MAX) {
		free(path);
		return rc_bad_value(rc, st, target, "link target",
				    target->value_len ? "it is longer than 4095 bytes" : "it is empty",
				    NULL);
	}
	if ((n = new_node(rc, st, GAPIMG_NODE_SYMLINK, path)) == NULL)
		return -1;
	n->mode = 0777;
	if ((n->owner = rc_strdup(rc, "root")) == NULL || (n->group = rc_strdup(rc, "root")) == NULL)
		return -1;
	return (n->target = rc_strdup(rc, target->value)) ? 0 : -1;
}

int rc_h_data(struct rcompiler *rc, const struct rstmt *st)
{
	const struct rtoken *src = rc_opt(st, "source"), *sum = rc_opt(st, "sha256");
	const struct rtoken *prov = rc_opt(st, "provenance");
	struct gapimg_plan_node *n;
	const char *why = NULL;
	char want[GAPIMG_SHA256_HEX];
	size_t i;
	char *path;

	if (sum == NULL)
		rc_error(rc, st->src, st->name->span,
			 "add sha256=HEX ('sha256sum FILE' prints it): data is pinned by its hash",
			 "'data' needs sha256=");
	else if ((why = rv_sha256(sum->value)))
		rc_error(rc, st->src, sum->vspan, NULL, "malformed sha256 '%s': %s", sum->value, why);
	if (src == NULL)
		rc_error(rc, st->src, st->name->span, "add source=FILE, relative to the recipe",
			 "'data' needs source=");
	if (prov == NULL)
		rc_error(rc, st->src, st->name->span,
			 "add provenance=\"who supplied it, from where, under which terms\"",
			 "'data' needs provenance=");
	else if (prov->value_len == 0 || rv_printable(prov->value))
		rc_bad_value(rc, st, prov, "provenance",
			     prov->value_len ? "it must be one line of printable text" : "it is empty",
			     NULL);
	if (image_path(rc, st, &st->args[0], "data path", &path) < 0)
		return -1;
	if (path == NULL || sum == NULL || why || src == NULL || prov == NULL)
		goto done;
	if ((n = new_node(rc, st, GAPIMG_NODE_FILE, path)) == NULL)
		return -1;
	path = NULL;
	n->is_data = 1;
	if ((n->provenance = rc_strdup(rc, prov->value)) == NULL)
		return -1;
	for (i = 0; i < 64; i++)
		want[i] = (char)(sum->value[i] | ((sum->value[i] >= 'A') ? 0x20 : 0));
	want[64] = '\0';
	switch (source_opt(rc, st, src, n)) {
	case -1:
		return -1;
	case 0:
		if (strcmp(want, n->source.sha256) != 0)
			rc_error(rc, st->src, sum->vspan,
				 "if the new file is the one you want, update sha256= and review the change",
				 "data file %s does not match its sha256: the recipe says %s, the file has %s",
				 n->source.path, want, n->source.sha256);
		break;
	}
	memcpy(n->source.sha256, want, sizeof(want));
	return attributes(rc, st, n, 0644);
done:
	free(path);
	return 0;
}

/* A first name without one plain character ("*", "?*", "[!.]*", "**")
 * matches (nearly) every top-level folder; no removal needs that. */
static int matches_every_name(const char *first)
{
	int depth = 0;

	for (; *first && *first != '/'; first++) {
		if (*first == '[')
			depth = 1;
		else if (*first == ']')
			depth = 0;
		else if (!depth && *first != '*' && *first != '?')
			return 0;
	}
	return 1;
}

int rc_h_remove(struct rcompiler *rc, const struct rstmt *st)
{
	size_t i;

	for (i = 0; i < st->nargs; i++) {
		const struct rtoken *t = &st->args[i];
		struct gapimg_plan_glob *g;
		char *path;
		const char *why;

		if (image_path(rc, st, t, "removal pattern", &path) < 0)
			return -1;
		if (path == NULL)
			continue;
		if ((why = rv_glob_brackets(path))) {
			rc_bad_value(rc, st, t, "removal pattern", why, NULL);
			free(path);
			continue;
		}
		if (matches_every_name(path + 1)) {
			rc_bad_value(rc, st, t, "removal pattern",
				     "its first name matches everything, so it would empty the image",
				     "start the pattern with a folder name, e.g. /usr/share/doc/**");
			free(path);
			continue;
		}
		if (rc_push(rc, &rc->plan->removals, &rc->plan->nremovals, sizeof(*g)) < 0) {
			free(path);
			return -1;
		}
		g = &rc->plan->removals[rc->plan->nremovals - 1];
		g->pattern = path;
		g->span = t->vspan;
	}
	return 0;
}

static int id_opt(struct rcompiler *rc, const struct rstmt *st, const char *key,
		  uint32_t *out)
{
	const struct rtoken *t = rc_opt(st, key);
	unsigned long long v;

	if (t == NULL) {
		char help[128];
		snprintf(help, sizeof(help),
			 "add %s=N: fixed ids make every build's /etc/passwd and /etc/group the same",
			 key);
		rc_error(rc, st->src, st->name->span, help, "'%s' needs %s=", st->name->value, key);
		return -1;
	}
	if (rv_uint(t->value, 4294967294ULL, &v)) {
		rc_bad_value(rc, st, t, key, "give a whole number from 0 to 4294967294", NULL);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int rc_h_group(struct rcompiler *rc, const struct rstmt *st)
{
	struct gapimg_plan_group *g;
	const char *why = rv_account(st->args[0].value);
	uint32_t gid;

	if (why)
		return rc_bad_value(rc, st, &st->args[0], "group name", why, NULL);
	if (id_opt(rc, st, "gid", &gid) < 0)
		return 0;
	if (rc_push(rc, &rc->plan->groups, &rc->plan->ngroups, sizeof(*g)) < 0)
		return -1;
	g = &rc->plan->groups[rc->plan->ngroups - 1];
	g->gid = gid;
	g->span = st->args[0].vspan;
	return (g->name = rc_strdup(rc, st->args[0].value)) ? 0 : -1;
}

static int passwd_field(struct rcompiler *rc, const struct rstmt *st, const char *key,
			int absolute, const char *def, char **out)
{
	const struct rtoken *t = rc_opt(st, key);
	const char *v = t ? t->value : def;

	if (t && (strchr(v, ':') || rv_printable(v))) {
		rc_bad_value(rc, st, t, key,
			     "':' and control characters cannot be stored in /etc/passwd", NULL);
		v = def;
	} else if (t && absolute && (v[0] != '/' || rv_has_dotdot(v))) {
		rc_bad_value(rc, st, t, key, "it must be an absolute path without '..'", NULL);
		v = def;
	}
	return (*out = rc_strdup(rc, v)) ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rc_h_user(struct rcompiler *rc, const struct rstmt *st)
{
	const char *name = st->args[0].value, *why = rv_account(name);
	const struct rtoken *t;
	struct gapimg_plan_user *u;
	char *home;
	uint32_t uid;

	if (why)
		return rc_bad_value(rc, st, &st->args[0], "user name", why, NULL);
	if (id_opt(rc, st, "uid", &uid) < 0)
		return 0;
	if (rc_push(rc, &rc->plan->users, &rc->plan->nusers, sizeof(*u)) < 0)
		return -1;
	u = &rc->plan->users[rc->plan->nusers - 1];
	u->uid = uid;
	u->span = st->args[0].vspan;
	if ((u->name = rc_strdup(rc, name)) == NULL)
		return -1;
	if (uid == 0 && strcmp(name, "root") != 0)
		rc_warning(rc, st->src, rc_opt(st, "uid")->vspan, "give the user its own uid",
			   "user '%s' has uid 0: it is root under another name", name);
	if (asprintf(&home, "/home/%s", name) < 0)
		return rc_nomem(rc);
	if (passwd_field(rc, st, "home", 1, home, &u->home) < 0 ||
	    passwd_field(rc, st, "shell", 1, "/bin/sh", &u->shell) < 0 ||
	    passwd_field(rc, st, "comment", 0, "", &u->comment) < 0) {
		free(home);
		return -1;
	}
	free(home);
	if ((t = rc_opt(st, "group")) && (why = rv_owner(t->value))) {
		rc_bad_value(rc, st, t, "group", why, NULL);
		t = NULL;
	}
	if ((u->group = rc_strdup(rc, t ? t->value : name)) == NULL)
		return -1;
	if ((t = rc_opt(st, "groups"))) {
		char *list = rc_strdup(rc, t->value), *save = NULL, *g;
		size_t i, j;

		if (list == NULL)
			return -1;
		int empty_entry = rv_list_has_empty(t->value);

		if (empty_entry)
			rc_bad_value(rc, st, t, "groups", "it has an empty entry",
				     "write groups=video,render, or leave groups= out");
		for (g = strtok_r(list, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
			if ((why = rv_account(g))) {
				rc_error(rc, st->src, t->vspan, NULL, "invalid group '%s' in groups=: %s",
					 g, why);
				continue;
			}
			if (rc_push(rc, &u->groups, &u->ngroups, sizeof(char *)) < 0 ||
			    (u->groups[u->ngroups - 1] = rc_strdup(rc, g)) == NULL) {
				free(list);
				return -1;
			}
		}
		free(list);
		if (u->ngroups == 0 && !empty_entry)
			rc_bad_value(rc, st, t, "groups", "the list is empty",
				     "write groups=video,render, or leave groups= out");
		if (u->ngroups > 1)
			qsort(u->groups, u->ngroups, sizeof(char *), cmp_str);
		for (i = j = 0; i < u->ngroups; i++) {
			if (j && strcmp(u->groups[j - 1], u->groups[i]) == 0)
				free(u->groups[i]);
			else
				u->groups[j++] = u->groups[i];
		}
		u->ngroups = j;
	}
	return 0;
}

int rc_h_env(struct rcompiler *rc, const struct rstmt *st)
{
	const struct rtoken *name = &st->args[0], *value = &st->args[1];
	struct gapimg_plan_env *e;
	const char *why = rv_env_name(name->value);

	if (why)
		return rc_bad_value(rc, st, name, "variable name", why, NULL);
	if (rv_printable(value->value))
		return rc_bad_value(rc, st, value, "value", "it must be one line of printable text",
				    NULL);
	if (rc_push(rc, &rc->plan->env, &rc->plan->nenv, sizeof(*e)) < 0)
		return -1;
	e = &rc->plan->env[rc->plan->nenv - 1];
	e->span = name->vspan;
	if ((e->name = rc_strdup(rc, name->value)) == NULL)
		return -1;
	return (e->value = rc_strdup(rc, value->value)) ? 0 : -1;
}

static int units(struct rcompiler *rc, const struct rstmt *st, struct gapimg_plan_unit **v,
		 size_t *n)
{
	size_t i;

	for (i = 0; i < st->nargs; i++) {
		const struct rtoken *t = &st->args[i];
		int missing;
		const char *why = rv_unit(t->value, &missing);

		if (why) {
			static const char *const types[] = {
				".service", ".socket", ".timer", ".target", ".mount", ".path",
			};
			const char *dot = strrchr(t->value, '.'), *fix = NULL;
			char help[300];

			if (missing && dot == NULL)
				fix = ".service";
			else if (missing)
				fix = rc_closest(dot, types, sizeof(types) / sizeof(types[0]));
			snprintf(help, sizeof(help), "did you mean '%.*s%s'?",
				 dot && fix && dot != t->value ? (int)(dot - t->value) : 240,
				 t->value, fix ? fix : "");
			rc_bad_value(rc, st, t, "unit name", why, fix ? help : NULL);
			continue;
		}
		if (rc_push(rc, v, n, sizeof(**v)) < 0)
			return -1;
		(*v)[*n - 1].span = t->vspan;
		if (((*v)[*n - 1].name = rc_strdup(rc, t->value)) == NULL)
			return -1;
	}
	return 0;
}

int rc_h_enable(struct rcompiler *rc, const struct rstmt *st)
{
	return units(rc, st, &rc->plan->enable, &rc->plan->nenable);
}

int rc_h_disable(struct rcompiler *rc, const struct rstmt *st)
{
	return units(rc, st, &rc->plan->disable, &rc->plan->ndisable);
}
