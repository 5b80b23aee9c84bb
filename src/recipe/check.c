/*
 * Semantic checks: statements into the plan.
 *
 * Every directive has an entry in one table: its arguments, its options,
 * whether it may appear once only, and the function that checks it and
 * fills the plan.  Checks that need the whole recipe (required directives,
 * references to mirrors, conflicting ids, paths inside files) run after
 * every statement has been seen, so the order of lines never matters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "gapimg/squashfs.h"
#include "values.h"

static int h_fragment(struct rcompiler *rc, const struct rstmt *st);
static int h_image(struct rcompiler *rc, const struct rstmt *st);
static int h_version(struct rcompiler *rc, const struct rstmt *st);
static int h_arch(struct rcompiler *rc, const struct rstmt *st);
static int h_epoch(struct rcompiler *rc, const struct rstmt *st);
static int h_mirror(struct rcompiler *rc, const struct rstmt *st);
static int h_install(struct rcompiler *rc, const struct rstmt *st);
static int h_exclude(struct rcompiler *rc, const struct rstmt *st);
static int h_recommends(struct rcompiler *rc, const struct rstmt *st);
static int h_debian_base(struct rcompiler *rc, const struct rstmt *st);
static int h_python(struct rcompiler *rc, const struct rstmt *st);
static int h_pip(struct rcompiler *rc, const struct rstmt *st);
static int h_compression(struct rcompiler *rc, const struct rstmt *st);
static int h_scripts(struct rcompiler *rc, const struct rstmt *st);
static int h_output(struct rcompiler *rc, const struct rstmt *st);
static int h_kernel_cmdline(struct rcompiler *rc, const struct rstmt *st);

static const char *const no_opts[] = { NULL };
static const char *const mirror_opts[] = { "suite", "components", "key", "priority",
					   "signatures", NULL };
static const char *const from_opts[] = { "mirror", NULL };
static const char *const python_opts[] = { "bytecode", NULL };
static const char *const file_opts[] = { "source", "text", "mode", "owner", "group", NULL };
static const char *const dir_opts[] = { "mode", "owner", "group", NULL };
static const char *const data_opts[] = { "source", "sha256", "provenance", "mode", "owner",
					 "group", NULL };
static const char *const group_opts[] = { "gid", NULL };
static const char *const user_opts[] = { "uid", "group", "groups", "home", "shell",
					 "comment", NULL };
static const char *const comp_opts[] = { "level", "block-size", NULL };

enum { ONCE = 1, REQUIRED = 2 };

static const struct directive {
	const char *name;
	int min, max;             /* arguments; max -1: any number */
	const char *usage;
	const char *const *opts;
	const char *repeatable;   /* the one option that may be given more than once */
	unsigned flags;
	int (*fn)(struct rcompiler *rc, const struct rstmt *st);
} directives[] = {
	{ "fragment", 0, 0, "fragment", no_opts, NULL, 0, h_fragment },
	{ "image", 1, 1, "image NAME", no_opts, NULL, ONCE | REQUIRED, h_image },
	{ "version", 1, 1, "version VERSION", no_opts, NULL, ONCE | REQUIRED, h_version },
	{ "arch", 1, 1, "arch x86_64|aarch64", no_opts, NULL, ONCE | REQUIRED, h_arch },
	{ "epoch", 1, 1, "epoch SECONDS", no_opts, NULL, ONCE | REQUIRED, h_epoch },
	{ "mirror", 3, 3, "mirror ID rpm-md|rpm-dir|deb|wheels LOCATION [options]",
	  mirror_opts, "key", 0, h_mirror },
	{ "install", 1, -1, "install PACKAGE [OP VERSION]... [mirror=ID]", from_opts, NULL, 0,
	  h_install },
	{ "exclude", 1, -1, "exclude GLOB...", no_opts, NULL, 0, h_exclude },
	{ "recommends", 1, 1, "recommends on|off", no_opts, NULL, ONCE, h_recommends },
	{ "debian-base", 1, 1, "debian-base essential|required", no_opts, NULL, ONCE,
	  h_debian_base },
	{ "python", 1, 1, "python 3.MINOR [bytecode=on|off]", python_opts, NULL, ONCE, h_python },
	{ "pip", 1, -1, "pip REQUIREMENT... [mirror=ID]", from_opts, NULL, 0, h_pip },
	{ "file", 1, 1, "file PATH source=FILE|text=TEXT [mode=] [owner=] [group=]", file_opts,
	  NULL, 0, rc_h_file },
	{ "dir", 1, 1, "dir PATH [mode=] [owner=] [group=]", dir_opts, NULL, 0, rc_h_dir },
	{ "symlink", 2, 2, "symlink PATH TARGET", no_opts, NULL, 0, rc_h_symlink },
	{ "remove", 1, -1, "remove GLOB...", no_opts, NULL, 0, rc_h_remove },
	{ "group", 1, 1, "group NAME gid=N", group_opts, NULL, 0, rc_h_group },
	{ "user", 1, 1, "user NAME uid=N [group=] [groups=] [home=] [shell=] [comment=]",
	  user_opts, NULL, 0, rc_h_user },
	{ "env", 2, 2, "env NAME VALUE", no_opts, NULL, 0, rc_h_env },
	{ "enable", 1, -1, "enable UNIT...", no_opts, NULL, 0, rc_h_enable },
	{ "disable", 1, -1, "disable UNIT...", no_opts, NULL, 0, rc_h_disable },
	{ "data", 1, 1, "data PATH source=FILE sha256=HEX provenance=TEXT [mode=] [owner=] [group=]",
	  data_opts, NULL, 0, rc_h_data },
	{ "compression", 1, 1, "compression zstd|xz|gzip [level=N] [block-size=SIZE]", comp_opts,
	  NULL, ONCE, h_compression },
	{ "scripts", 1, 1, "scripts none|run", no_opts, NULL, ONCE, h_scripts },
	{ "output", 1, 1, "output FILENAME", no_opts, NULL, ONCE, h_output },
	{ "kernel-cmdline", 1, 1, "kernel-cmdline TEXT", no_opts, NULL, ONCE, h_kernel_cmdline },
};
#define NDIRECTIVES (sizeof(directives) / sizeof(directives[0]))

/* Words people coming from other tools reach for. */
static const struct { const char *word, *instead; } aliases[] = {
	{ "package", "install" }, { "packages", "install" }, { "pkg", "install" },
	{ "require", "pip" }, { "requirement", "pip" }, { "wheel", "pip" },
	{ "copy", "file" }, { "mkdir", "dir" }, { "directory", "dir" }, { "link", "symlink" },
	{ "ln", "symlink" }, { "rm", "remove" }, { "delete", "remove" }, { "useradd", "user" },
	{ "groupadd", "group" }, { "name", "image" }, { "repo", "mirror" },
	{ "repository", "mirror" }, { "compress", "compression" }, { "cmdline", "kernel-cmdline" },
};

/* ---- small helpers shared with content.c ---- */

int rc_push(struct rcompiler *rc, void *vec, size_t *n, size_t size)
{
	void **v = vec;
	void *grown;

	/* Capacity doubles at powers of two, so n alone says how much is
	 * allocated. */
	if ((*n & (*n - 1)) == 0) {
		size_t cap = *n ? 2 * *n : 4;
		if ((grown = realloc(*v, cap * size)) == NULL) {
			rc->nomem = 1;
			gapimg_error_set(rc->err, GAPIMG_E_NOMEM, "out of memory");
			return -1;
		}
		*v = grown;
	}
	memset((char *)*v + *n * size, 0, size);
	(*n)++;
	return 0;
}

int rc_nomem(struct rcompiler *rc)
{
	rc->nomem = 1;
	gapimg_error_set(rc->err, GAPIMG_E_NOMEM, "out of memory");
	return -1;
}

int rc_mirror_ref(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		  int wheels)
{
	struct rref *r;

	if (rc_push(rc, &rc->refs, &rc->nrefs, sizeof(*r)) < 0)
		return -1;
	r = &rc->refs[rc->nrefs - 1];
	r->src = st->src;
	r->span = t->vspan;
	r->wheels = wheels;
	return (r->id = rc_strdup(rc, t->value)) ? 0 : -1;
}

char *rc_strdup(struct rcompiler *rc, const char *s)
{
	char *d = strdup(s);

	if (d == NULL) {
		rc->nomem = 1;
		gapimg_error_set(rc->err, GAPIMG_E_NOMEM, "out of memory");
	}
	return d;
}

const struct rtoken *rc_opt(const struct rstmt *st, const char *key)
{
	size_t i;

	for (i = 0; i < st->nopts; i++)
		if (strcmp(st->opts[i].key, key) == 0)
			return &st->opts[i];
	return NULL;
}

const struct rsource *rc_source_of(const struct rcompiler *rc, const char *name)
{
	size_t i;

	for (i = 0; i < rc->nsources; i++)
		if (rc->sources[i]->name == name)
			return rc->sources[i];
	return NULL;
}

int rc_bad_value(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		 const char *what, const char *why, const char *help)
{
	rc_error(rc, st->src, t->vspan, help, "invalid %s '%s': %s", what, t->value, why);
	return 0;
}

/* An on/off switch. */
static int on_off(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		  int *out)
{
	static const char *const words[] = { "on", "off" };
	char help[64];

	if (strcmp(t->value, "on") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(t->value, "off") == 0) {
		*out = 0;
		return 0;
	}
	rc_error(rc, st->src, t->vspan, rc_did_you_mean(help, sizeof(help), t->value, words, 2),
		 "'%s' must be 'on' or 'off', not '%s'",
		 t->key ? t->key : st->name->value, t->value);
	return -1;
}

/* One word from a fixed list, with a suggestion. */
static int choose(struct rcompiler *rc, const struct rstmt *st, const struct rtoken *t,
		  const char *what, const char *const *words, size_t n)
{
	char help[80];
	struct strbuf list = STRBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t->value, words[i]) == 0)
			return (int)i;
	for (i = 0; i < n; i++)
		strbuf_addf(&list, "%s%s", i ? (i + 1 == n ? " or " : ", ") : "", words[i]);
	rc_error(rc, st->src, t->vspan, rc_did_you_mean(help, sizeof(help), t->value, words, n),
		 "unknown %s '%s': expected %s", what, t->value, list.buf);
	strbuf_release(&list);
	return -1;
}

/* ---- identity ---- */

/* "fragment": this file is shared by image recipes and is not built
 * alone, so checking it on its own does not ask for image, version, arch
 * and epoch.  It says something about its own file only. */
static int h_fragment(struct rcompiler *rc, const struct rstmt *st)
{
	if (st->src == rc->sources[0])
		rc->plan->fragment = 1;
	return 0;
}

static int h_image(struct rcompiler *rc, const struct rstmt *st)
{
	const char *why = rv_label(st->args[0].value, 64, "._-");

	if (why)
		return rc_bad_value(rc, st, &st->args[0], "image name", why,
				    "use letters, digits, '.', '_' and '-', at most 64");
	return (rc->plan->image = rc_strdup(rc, st->args[0].value)) ? 0 : -1;
}

static int h_version(struct rcompiler *rc, const struct rstmt *st)
{
	const char *why = rv_label(st->args[0].value, 64, "._+~-");

	if (why)
		return rc_bad_value(rc, st, &st->args[0], "version", why,
				    "use letters, digits, '.', '_', '+', '~' and '-', at most 64");
	return (rc->plan->version = rc_strdup(rc, st->args[0].value)) ? 0 : -1;
}

static int h_arch(struct rcompiler *rc, const struct rstmt *st)
{
	static const char *const names[] = { "x86_64", "aarch64", "amd64", "arm64" };
	int i = choose(rc, st, &st->args[0], "architecture", names, 4);

	if (i >= 0)
		rc->plan->arch = (i % 2) ? GAPIMG_ARCH_AARCH64 : GAPIMG_ARCH_X86_64;
	return 0;
}

static int h_epoch(struct rcompiler *rc, const struct rstmt *st)
{
	unsigned long long v;

	if (rv_uint(st->args[0].value, 4294967295ULL, &v))
		return rc_bad_value(rc, st, &st->args[0], "epoch",
				    "give whole seconds since 1970-01-01 UTC, from 0 to 4294967295",
				    "'date -d 2026-01-01 +%s' prints the epoch of a date");
	rc->plan->epoch = (uint32_t)v;
	return 0;
}

/* ---- mirrors ---- */

static int mirror_family(enum gapimg_mirror_type t)
{
	return t == GAPIMG_MIRROR_DEB ? 'd' : t == GAPIMG_MIRROR_WHEELS ? 'w' : 'r';
}

/* A file:// URL's path, percent-decoded, into *out; or the reason it is
 * not usable. */
static const char *file_url_path(struct rcompiler *rc, const char *url, char **out)
{
	const char *p = url + strlen("file://");
	char *o;

	*out = NULL;
	if (*p != '/')
		return "a file:// URL needs an absolute path, as in file:///srv/mirror";
	if ((*out = rc_strdup(rc, p)) == NULL)
		return NULL;
	for (o = *out; *p; p++) {
		int hi, lo;

		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		hi = rv_hexval(p[1]);
		lo = hi < 0 ? -1 : rv_hexval(p[2]);
		if (hi < 0 || lo < 0 || hi + lo == 0) {
			free(*out);
			*out = NULL;
			return "'%' must be followed by two hex digits (and not %00)";
		}
		*o++ = (char)(hi * 16 + lo);
		p += 2;
	}
	*o = '\0';
	return NULL;
}

static int h_mirror(struct rcompiler *rc, const struct rstmt *st)
{
	static const char *const types[] = { "rpm-md", "rpm-dir", "deb", "wheels" };
	struct gapimg_plan *plan = rc->plan;
	const struct rtoken *id = &st->args[0], *loc = &st->args[2], *t;
	struct gapimg_plan_mirror *m;
	const char *why;
	char *fs = NULL, *path = NULL;
	size_t i;
	int type;

	if ((why = rv_label(id->value, 64, "._-")))
		return rc_bad_value(rc, st, id, "mirror id", why,
				    "use letters, digits, '.', '_' and '-', at most 64");
	for (i = 0; i < plan->nmirrors; i++) {
		if (strcmp(plan->mirrors[i].id, id->value) == 0) {
			rc_error(rc, st->src, id->vspan, "give each mirror its own id",
				 "mirror '%s' is defined twice", id->value);
			rc_note(rc, rc_source_of(rc, plan->mirrors[i].span.file), plan->mirrors[i].span,
				"'%s' was first defined here", id->value);
			return 0;
		}
	}
	if ((type = choose(rc, st, &st->args[1], "mirror type", types, 4)) < 0)
		return 0;
	for (i = 0; i < plan->nmirrors; i++) {
		int a = mirror_family(plan->mirrors[i].type), b = mirror_family(type);

		if (a == 'w' || b == 'w')
			continue;
		if (a != b) {
			rc_error(rc, st->src, st->args[1].vspan,
				 "an image is either RPM-based or Debian-based",
				 "mirror '%s' is a %s mirror, but mirror '%s' is %s", id->value,
				 types[type], plan->mirrors[i].id,
				 gapimg_mirror_type_name(plan->mirrors[i].type));
			return 0;
		}
		break;   /* the first OS mirror speaks for all the others */
	}
	if (plan->nmirrors >= GAPIMG_RECIPE_MAX_MIRRORS) {
		rc_error(rc, st->src, st->name->span, NULL,
			 "more than %d mirrors in one recipe", GAPIMG_RECIPE_MAX_MIRRORS);
		return 0;
	}

	/* Only local mirrors: the point of the tool is that nothing is
	 * fetched from a network while building. */
	if (strstr(loc->value, "://")) {
		if (strncmp(loc->value, "file://", 7) != 0) {
			rc_error(rc, st->src, loc->vspan,
				 "copy the mirror to this machine and give its folder, or a file:// URL",
				 "mirror '%s' is not local: gapimg reads mirrors from folders only",
				 id->value);
			return 0;
		}
		if ((why = file_url_path(rc, loc->value, &path)))
			return rc_bad_value(rc, st, loc, "mirror location", why, NULL);
		if (path == NULL)
			return -1;
	} else if (loc->value_len == 0) {
		return rc_bad_value(rc, st, loc, "mirror location", "it is empty", NULL);
	}
	if ((why = rv_printable(path ? path : loc->value)) || (why = rv_utf8(path ? path : ""))) {
		free(path);
		return rc_bad_value(rc, st, loc, "mirror location", why, NULL);
	}
	if (rc_push(rc, &plan->mirrors, &plan->nmirrors, sizeof(*m)) < 0) {
		free(path);
		return -1;
	}
	m = &plan->mirrors[plan->nmirrors - 1];
	m->type = (enum gapimg_mirror_type)type;
	m->span = st->name->span;
	m->signatures = type != GAPIMG_MIRROR_WHEELS;
	if ((m->id = rc_strdup(rc, id->value)) == NULL)
		goto nomem;
	if (rc_local_path(rc, st->src, path ? path : loc->value, &fs, &m->location) < 0)
		goto nomem;
	free(fs);
	free(path);
	path = NULL;

	if ((t = rc_opt(st, "suite")) && type != GAPIMG_MIRROR_DEB)
		rc_error(rc, st->src, t->span, NULL, "'suite' is only for deb mirrors");
	else if (t && rv_label(t->value, 128, "._/-"))
		rc_bad_value(rc, st, t, "suite", rv_label(t->value, 128, "._/-"), NULL);
	else if (t && (rv_has_dotdot(t->value) || strstr(t->value, "//")))
		rc_bad_value(rc, st, t, "suite", "it may not contain '..' or '//'", NULL);
	else if (t && (m->suite = rc_strdup(rc, t->value)) == NULL)
		return -1;
	if (type == GAPIMG_MIRROR_DEB && t == NULL)
		rc_error(rc, st->src, st->name->span, "add suite=NAME, e.g. suite=bookworm",
			 "deb mirror '%s' needs a suite", id->value);
	if ((t = rc_opt(st, "components")) && type != GAPIMG_MIRROR_DEB) {
		rc_error(rc, st->src, t->span, NULL, "'components' is only for deb mirrors");
	} else if (t || type == GAPIMG_MIRROR_DEB) {
		char *list = rc_strdup(rc, t ? t->value : "main"), *save = NULL, *c;
		if (list == NULL)
			return -1;
		if (t && rv_list_has_empty(t->value))
			rc_bad_value(rc, st, t, "components", "it has an empty entry",
				     "write components=main,contrib");
		for (c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
			if ((why = rv_label(c, 64, "._-"))) {
				rc_error(rc, st->src, t->vspan, NULL, "invalid component '%s': %s", c, why);
				continue;
			}
			if (rc_push(rc, &m->components, &m->ncomponents, sizeof(char *)) < 0 ||
			    (m->components[m->ncomponents - 1] = rc_strdup(rc, c)) == NULL) {
				free(list);
				return -1;
			}
		}
		if (m->ncomponents == 0 && t)
			rc_bad_value(rc, st, t, "components", "the list is empty",
				     "write components=main,contrib");
		free(list);
	}
	if ((t = rc_opt(st, "priority"))) {
		const char *v = t->value;
		unsigned long long n;
		int neg = v[0] == '-';

		if (rv_uint(v + neg, 1000, &n))
			rc_bad_value(rc, st, t, "priority",
				     "give a whole number from -1000 to 1000 (higher wins)", NULL);
		else
			m->priority = neg ? -(int)n : (int)n;
	}
	if ((t = rc_opt(st, "signatures"))) {
		static const char *const pol[] = { "required", "off", "packages" };
		int p = choose(rc, st, t, "signature policy", pol, 3);
		if (p < 0)
			m->signatures = 0;   /* reported; do not also ask for a key */
		else if (type == GAPIMG_MIRROR_WHEELS)
			rc_error(rc, st->src, t->span,
				 "wheels are pinned by sha256 in the lock file instead",
				 "wheel mirrors have no signatures");
		else if (p == 2 && type == GAPIMG_MIRROR_DEB) {
			m->signatures = 0;   /* reported; do not also ask for a key */
			rc_error(rc, st->src, t->span,
				 "Debian signs the Release file, which vouches for every package: use signatures=required",
				 "Debian packages carry no signatures of their own");
		} else
			m->signatures = p == 0 ? GAPIMG_SIGS_REQUIRED
				      : p == 2 ? GAPIMG_SIGS_PACKAGES : GAPIMG_SIGS_OFF;
	}
	for (i = 0; i < st->nopts; i++) {
		struct gapimg_plan_input *k;

		t = &st->opts[i];
		if (strcmp(t->key, "key") != 0)
			continue;
		if (type == GAPIMG_MIRROR_WHEELS) {
			rc_error(rc, st->src, t->span,
				 "wheels are pinned by sha256 in the lock file instead",
				 "wheel mirrors have no signing keys");
			break;
		}
		if (t->value_len == 0 || rv_printable(t->value)) {
			rc_bad_value(rc, st, t, "key file",
				     t->value_len ? rv_printable(t->value) : "it is empty", NULL);
			continue;
		}
		if (rc_push(rc, &m->keys, &m->nkeys, sizeof(*k)) < 0)
			return -1;
		k = &m->keys[m->nkeys - 1];
		if (rc_local_path(rc, st->src, t->value, &fs, &k->path) < 0)
			return -1;
		if (rc_hash_input(rc, st->src, t, fs, k, 1) < 0 && rc->nomem) {
			free(fs);
			return -1;
		}
		free(fs);
	}
	if (m->signatures && m->nkeys == 0 && type != GAPIMG_MIRROR_WHEELS)
		rc_error(rc, st->src, st->name->span,
			 "add key=FILE with the mirror's public key, or signatures=off to trust it unsigned",
			 "mirror '%s' requires signatures but names no key", id->value);
	return rc->nomem ? -1 : 0;
nomem:
	free(path);
	return -1;
}

/* ---- OS packages ---- */

static int h_install(struct rcompiler *rc, const struct rstmt *st)
{
	struct gapimg_plan *plan = rc->plan;
	const struct rtoken *from = rc_opt(st, "mirror");
	size_t i;

	for (i = 0; i < st->nargs; i++) {
		const struct rtoken *name = &st->args[i];
		struct gapimg_plan_package *p;
		enum gapimg_relop op = GAPIMG_REL_ANY;
		const char *why;

		if (rv_looks_like_op(name->value)) {
			rc_error(rc, st->src, name->vspan, "write PACKAGE OP VERSION, e.g. python3 >= 3.11",
				 "version constraint '%s' without a package before it", name->value);
			continue;
		}
		if ((why = rv_package(name->value))) {
			const char *help = strpbrk(name->value, "<>=!")
				? "separate the comparison with spaces: python3 >= 3.11" : NULL;
			if (strpbrk(name->value, "*?["))
				help = "globs select packages to leave out: use 'exclude'";
			rc_bad_value(rc, st, name, "package", why, help);
			continue;
		}
		if (i + 1 < st->nargs && rv_looks_like_op(st->args[i + 1].value)) {
			const struct rtoken *opt = &st->args[i + 1], *ver;

			if (rv_relop(opt->value, &op) < 0) {
				rc_error(rc, st->src, opt->vspan,
					 strcmp(opt->value, "==") == 0 ? "OS package versions compare with '='"
								       : "use =, <, <=, > or >=",
					 "unknown comparison '%s'", opt->value);
				i += 2;
				continue;
			}
			if (i + 2 >= st->nargs) {
				rc_error(rc, st->src, opt->vspan, "write PACKAGE OP VERSION, e.g. python3 >= 3.11",
					 "'%s' needs a version after it", opt->value);
				break;
			}
			ver = &st->args[i + 2];
			if ((why = rv_os_version(ver->value))) {
				rc_error(rc, st->src, ver->vspan, NULL, "malformed version constraint "
					 "'%s %s %s': %s", name->value, opt->value, ver->value, why);
				i += 2;
				continue;
			}
		}
		if (rc_push(rc, &plan->installs, &plan->ninstalls, sizeof(*p)) < 0)
			return -1;
		p = &plan->installs[plan->ninstalls - 1];
		p->span = name->span;
		p->op = op;
		if ((p->name = rc_strdup(rc, name->value)) == NULL)
			return -1;
		if (op != GAPIMG_REL_ANY) {
			const struct rtoken *next = i + 3 < st->nargs ? &st->args[i + 3] : NULL;

			if ((p->version = rc_strdup(rc, st->args[i + 2].value)) == NULL)
				return -1;
			p->span.len = st->args[i + 2].span.col + st->args[i + 2].span.len - p->span.col;
			/* "python3 = 3.11 3.12" installs a package named 3.12:
			 * legal, and almost certainly not meant. */
			if (next && next->value[0] >= '0' && next->value[0] <= '9' &&
			    strspn(next->value, "0123456789.:~+-") == next->value_len)
				rc_warning(rc, st->src, next->vspan,
					   "a constraint has one version; write a second constraint in full",
					   "'%s' after a version constraint is read as a package name",
					   next->value);
			i += 2;
		}
		if (from && (p->mirror = rc_strdup(rc, from->value)) == NULL)
			return -1;
	}
	return from ? rc_mirror_ref(rc, st, from, 0) : 0;
}

static int push_glob(struct rcompiler *rc, struct gapimg_plan_glob **v, size_t *n,
		     const struct rtoken *t)
{
	if (rc_push(rc, v, n, sizeof(**v)) < 0)
		return -1;
	(*v)[*n - 1].span = t->vspan;
	return ((*v)[*n - 1].pattern = rc_strdup(rc, t->value)) ? 0 : -1;
}

static int h_exclude(struct rcompiler *rc, const struct rstmt *st)
{
	size_t i;

	for (i = 0; i < st->nargs; i++) {
		const char *why = rv_package_glob(st->args[i].value);
		if (why)
			rc_bad_value(rc, st, &st->args[i], "package glob", why, NULL);
		else if (push_glob(rc, &rc->plan->excludes, &rc->plan->nexcludes, &st->args[i]) < 0)
			return -1;
	}
	return 0;
}

static int h_recommends(struct rcompiler *rc, const struct rstmt *st)
{
	on_off(rc, st, &st->args[0], &rc->plan->recommends);
	return 0;
}

static int h_debian_base(struct rcompiler *rc, const struct rstmt *st)
{
	static const char *const sets[] = { "essential", "required" };
	int i = choose(rc, st, &st->args[0], "base set", sets, 2);

	if (i >= 0)
		rc->plan->debian_base = i == 0 ? GAPIMG_DEBIAN_BASE_ESSENTIAL
					       : GAPIMG_DEBIAN_BASE_REQUIRED;
	return 0;
}

/* ---- Python ---- */

static int h_python(struct rcompiler *rc, const struct rstmt *st)
{
	const char *why = rv_python_version(st->args[0].value);
	const struct rtoken *t = rc_opt(st, "bytecode");

	if (why)
		return rc_bad_value(rc, st, &st->args[0], "Python version", why, NULL);
	if (t)
		on_off(rc, st, t, &rc->plan->bytecode);
	return (rc->plan->python = rc_strdup(rc, st->args[0].value)) ? 0 : -1;
}

static int h_pip(struct rcompiler *rc, const struct rstmt *st)
{
	const struct rtoken *from = rc_opt(st, "mirror");
	size_t i;

	for (i = 0; i < st->nargs; i++) {
		const struct rtoken *t = &st->args[i];

		/* "pip numpy >= 1.26" is three words: say so, rather than
		 * report ">=" as a package with a strange name. */
		if (i > 0 && !t->quoted && rv_looks_like_op(t->value)) {
			rc_error(rc, st->src, t->vspan, "quote a requirement that has spaces: pip \"numpy >= 1.26\"",
				 "'%s' stands alone: a requirement is one word or one quoted string",
				 t->value);
			i++;
			continue;
		}
		if (rc_requirement(rc, st, t, from) < 0)
			return -1;
	}
	return from ? rc_mirror_ref(rc, st, from, 1) : 0;
}

/* ---- build settings ---- */

static int h_compression(struct rcompiler *rc, const struct rstmt *st)
{
	static const char *const algs[] = { "zstd", "xz", "gzip" };
	const struct rtoken *level = rc_opt(st, "level"), *bs = rc_opt(st, "block-size");
	struct gapimg_sqfs_opts o;
	struct gapimg_error e;
	char spec[64];
	int alg = choose(rc, st, &st->args[0], "compression", algs, 3);

	if (alg < 0)
		return 0;
	if ((rc->plan->compression = rc_strdup(rc, algs[alg])) == NULL)
		return -1;
	gapimg_sqfs_opts_init(&o);
	if (level) {
		unsigned long long v;
		snprintf(spec, sizeof(spec), "%s:%.20s", algs[alg], level->value);
		if (rv_uint(level->value, 99, &v) || gapimg_sqfs_parse_comp(spec, &o, &e) < 0)
			rc_bad_value(rc, st, level, "level", alg == 0 ? "zstd levels are 1 to 22"
					 : alg == 1 ? "xz levels are 0 to 9" : "gzip levels are 1 to 9",
				     NULL);
		else
			rc->plan->level = o.level;
	}
	if (bs) {
		uint32_t size;
		if (gapimg_sqfs_parse_block_size(bs->value, &size, &e) < 0)
			rc_bad_value(rc, st, bs, "block size",
				     "give a power of two from 4K to 1M, such as 128K", NULL);
		else
			rc->plan->block_size = size;
	}
	return 0;
}

static int h_scripts(struct rcompiler *rc, const struct rstmt *st)
{
	static const char *const pol[] = { "none", "run" };
	int i = choose(rc, st, &st->args[0], "script policy", pol, 2);

	if (i >= 0)
		rc->plan->scripts = i == 0 ? GAPIMG_SCRIPTS_NONE : GAPIMG_SCRIPTS_RUN;
	return 0;
}

static int h_output(struct rcompiler *rc, const struct rstmt *st)
{
	const char *v = st->args[0].value;
	const char *why = strchr(v, '/') ? "it must be a file name, without '/'"
					 : rv_label(v, 255, "._+~-");

	if (why)
		return rc_bad_value(rc, st, &st->args[0], "output name", why,
				    "images are written to the output folder under this name");
	return (rc->plan->output = rc_strdup(rc, v)) ? 0 : -1;
}

static int h_kernel_cmdline(struct rcompiler *rc, const struct rstmt *st)
{
	const char *v = st->args[0].value;

	if (rv_printable(v))
		return rc_bad_value(rc, st, &st->args[0], "kernel command line",
				    "it must be one line of printable text, without tabs", NULL);
	return (rc->plan->kernel_cmdline = rc_strdup(rc, v)) ? 0 : -1;
}

/* ---- dispatch ---- */

static const struct directive *lookup(const char *name)
{
	size_t i;

	for (i = 0; i < NDIRECTIVES; i++)
		if (strcmp(directives[i].name, name) == 0)
			return &directives[i];
	return NULL;
}

static void unknown_directive(struct rcompiler *rc, const struct rstmt *st)
{
	const char *names[NDIRECTIVES + 1];
	char help[96];
	const char *h = NULL;
	size_t i;

	for (i = 0; i < NDIRECTIVES; i++)
		names[i] = directives[i].name;
	names[i] = "include";
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(aliases[i].word, st->name->value) == 0) {
			snprintf(help, sizeof(help), "gapimg calls this '%s'", aliases[i].instead);
			h = help;
		}
	}
	if (h == NULL)
		h = rc_did_you_mean(help, sizeof(help), st->name->value, names, NDIRECTIVES + 1);
	rc_error(rc, st->src, st->name->span, h ? h : "see docs/recipe.md for the directives",
		 "unknown directive '%s'", st->name->value);
}

/* Options: known to the directive, each given once (but one). */
static int check_options(struct rcompiler *rc, const struct rstmt *st,
			 const struct directive *d)
{
	size_t i, j, n = 0;
	int ok = 1;

	while (d->opts[n])
		n++;
	for (i = 0; i < st->nopts; i++) {
		const struct rtoken *t = &st->opts[i];
		int known = 0;
		char help[96];

		for (j = 0; j < n; j++)
			known |= strcmp(d->opts[j], t->key) == 0;
		if (!known) {
			const char *h = n ? rc_did_you_mean(help, sizeof(help), t->key, d->opts, n) : NULL;
			if (h == NULL && strcmp(d->name, "install") == 0)
				h = "for a version constraint, put spaces around the operator: python3 = 3.11";
			if (h == NULL && n == 0)
				h = "this directive takes no options";
			if (h == NULL) {
				struct strbuf sb = STRBUF_INIT;
				for (j = 0; j < n; j++)
					strbuf_addf(&sb, "%s%s", j ? ", " : "", d->opts[j]);
				snprintf(help, sizeof(help), "its options are %s", sb.buf);
				strbuf_release(&sb);
				h = help;
			}
			rc_error(rc, st->src, t->span, h, "unknown option '%s' for '%s'", t->key,
				 d->name);
			ok = 0;
			continue;
		}
		if (d->repeatable && strcmp(d->repeatable, t->key) == 0)
			continue;
		for (j = 0; j < i; j++) {
			if (strcmp(st->opts[j].key, t->key) == 0) {
				rc_error(rc, st->src, t->span, "give each option once",
					 "option '%s' given twice", t->key);
				ok = 0;
				break;
			}
		}
	}
	return ok;
}

static int check_arity(struct rcompiler *rc, const struct rstmt *st,
		       const struct directive *d)
{
	char help[160];

	snprintf(help, sizeof(help), "write: %s", d->usage);
	if ((int)st->nargs < d->min) {
		rc_error(rc, st->src, st->name->span, help, "'%s' needs %s", d->name,
			 d->min == 1 ? "an argument" : d->min == 2 ? "two arguments"
							 : "three arguments");
		return 0;
	}
	if (d->max >= 0 && (int)st->nargs > d->max) {
		const struct rtoken *extra = &st->args[d->max];
		if (d->max == 1 && strchr(d->usage, '[') == NULL && st->nargs > 1)
			snprintf(help, sizeof(help), "quote it if it contains spaces: %s \"...\"",
				 d->name);
		rc_error(rc, st->src, extra->span, help, "too many arguments for '%s'", d->name);
		return 0;
	}
	return 1;
}

int rc_check(struct rcompiler *rc)
{
	const struct rstmt *first[NDIRECTIVES];
	size_t i, errors_before = rc->diags->errors;

	memset(first, 0, sizeof(first));
	for (i = 0; i < rc->nstmts && !rc_stopped(rc); i++) {
		const struct rstmt *st = &rc->stmts[i];
		const struct directive *d = lookup(st->name->value);
		size_t di;

		if (d == NULL) {
			unknown_directive(rc, st);
			continue;
		}
		di = (size_t)(d - directives);
		if ((d->flags & ONCE) && first[di]) {
			rc_error(rc, st->src, st->name->span,
				 "remove one of them; a recipe says each thing once",
				 "'%s' is set more than once", d->name);
			rc_note(rc, first[di]->src, first[di]->name->span, "'%s' was first set here",
				d->name);
			continue;
		}
		if (!first[di])
			first[di] = st;
		if (!check_options(rc, st, d) || !check_arity(rc, st, d))
			continue;
		if (d->fn(rc, st) < 0)
			return -1;
	}
	if (rc_stopped(rc))
		return rc->nomem ? -1 : 0;
	for (i = 0; i < NDIRECTIVES; i++) {
		/* After a line that did not parse, "missing" may be wrong. */
		if ((directives[i].flags & REQUIRED) && !first[i] && errors_before == 0 &&
		    !rc->plan->fragment) {
			const struct rsource *main_src = rc->sources[0];
			char help[160];

			snprintf(help, sizeof(help), "add a line: %s", directives[i].usage);
			rc_error(rc, NULL, ((struct gapimg_span){ main_src->name, 0, 0, 0 }),
				 help, "missing '%s' directive", directives[i].name);
		}
	}
	return rc_check_whole(rc);
}
