/*
 * NAME-VERSION.manifest.json: what the image is made of, for auditors and
 * for gapimg verify.  Canonical JSON (sorted keys, two-space indent, one
 * trailing newline) with nothing from the host in it: the same build gives
 * the same manifest bytes.  Library versions are recorded because they are
 * part of what makes the image bytes what they are (compressors above
 * all); whether the build ran without a network is recorded as seen.
 */
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <jansson.h>
#include <lzma.h>
#include <openssl/crypto.h>
#include <rpm/rpmlib.h>
#include <solv/solvversion.h>
#include <zlib.h>
#include <zstd.h>

#include "internal.h"
#include "gapimg/atomic.h"

static json_t *packages_json(const struct bld *b)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < b->npkgs; i++) {
		const struct gapimg_package *p = b->pkgs[i].pkg;
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I}",
			"name", p->name, "version", p->evr, "arch", p->arch,
			"mirror", p->mirror, "location", p->location,
			"size", (json_int_t)p->size, "sha256", p->sha256,
			"order", (json_int_t)p->order);

		/* only when the package's metadata states one (docs/build.md) */
		if (o && b->pkgs[i].license)
			json_object_set_new(o, "license", json_string(b->pkgs[i].license));
		json_array_append_new(a, o);
	}
	return a;
}

/* Wheels: name (PEP 503), version (PEP 440), the file as locked, and
 * the licence when its METADATA gives one. */
static json_t *wheels_json(const struct bld *b)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < b->nwheels; i++) {
		const struct gapimg_package *p = b->wheels[i].pkg;
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I}",
			"name", p->name, "version", p->evr, "mirror", p->mirror,
			"location", p->location, "size", (json_int_t)p->size,
			"sha256", p->sha256, "order", (json_int_t)p->order);

		if (o && b->wheels[i].license)
			json_object_set_new(o, "license", json_string(b->wheels[i].license));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *mirrors_json(const struct bld *b)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < b->res->nmirrors; i++) {
		const struct gapimg_mirror_info *m = &b->res->mirrors[i];
		json_t *o = json_pack("{s:s, s:s, s:s}", "id", m->id,
				      "type", gapimg_mirror_type_name(m->type),
				      "metadata_sha256", m->metadata_sha256);

		if (o && m->signed_by)
			json_object_set_new(o, "signed_by", json_string(m->signed_by));
		if (o && m->revision)
			json_object_set_new(o, "revision", json_string(m->revision));
		if (o && m->date)
			json_object_set_new(o, "date", json_string(m->date));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *data_json(const struct bld *b)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < b->plan->nnodes; i++) {
		const struct gapimg_plan_node *n = &b->plan->nodes[i];

		if (n->kind != GAPIMG_NODE_FILE || n->source.path == NULL)
			continue;
		json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "path", n->path,
				      "source", n->source.path, "sha256", n->source.sha256,
				      "size", (json_int_t)n->source.size);
		if (o && n->is_data)
			json_object_set_new(o, "provenance", json_string(n->provenance));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *libraries_json(void)
{
	char zstd[32];
	unsigned z = ZSTD_versionNumber();

	snprintf(zstd, sizeof(zstd), "%u.%u.%u", z / 10000, z / 100 % 100, z % 100);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "gapimg", GAPIMG_VERSION,
			 "libsquashfs", GAPIMG_LIBSQUASHFS_VERSION,
			 "libzstd", zstd, "liblzma", lzma_version_string(),
			 "zlib", zlibVersion(), "libsolv", solv_version,
			 "librpm", RPMVERSION,
			 "libarchive", archive_version_details(),
			 "openssl", OpenSSL_version(OPENSSL_VERSION_STRING));
}

int bld_manifest_text(struct bld *b, const struct gapimg_sqfs_stats *st,
		      char **out, struct gapimg_error *err)
{
	const struct gapimg_plan *pl = b->plan;
	const char *file = strrchr(b->opts->output, '/');
	json_t *root, *sealed;
	char *text;

	sealed = json_pack("{s:b}", "network_namespace", b->opts->sealed ? 1 : 0);
	if (sealed && !b->opts->sealed && b->opts->sealed_note)
		json_object_set_new(sealed, "note", json_string(b->opts->sealed_note));
	root = json_pack("{s:i, s:{s:s, s:s, s:s, s:I, s:s, s:I}, s:{s:s, s:s, s:s}, s:{s:s}, "
			 "s:{s:s, s:i, s:I}, s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
		"manifest", 1,
		"image", "name", pl->image, "version", pl->version,
			"file", file ? file + 1 : b->opts->output,
			"bytes", (json_int_t)st->bytes, "sha256", b->result->sha256,
			"inodes", (json_int_t)st->inodes,
		"recipe", "digest", pl->digest, "name", pl->image, "version", pl->version,
		"lock", "digest", b->opts->lock_digest ? b->opts->lock_digest : "",
		"compression", "algorithm", pl->compression ? pl->compression : "zstd",
			"level", pl->level >= 0 ? pl->level
				 : gapimg_comp_default_level(
					   strcmp(pl->compression ? pl->compression : "zstd", "xz") == 0
					   ? GAPIMG_COMP_XZ
					   : strcmp(pl->compression ? pl->compression : "zstd", "gzip") == 0
					   ? GAPIMG_COMP_GZIP : GAPIMG_COMP_ZSTD),
			"block_size", (json_int_t)(pl->block_size ? pl->block_size
							: GAPIMG_BLOCK_SIZE_DEFAULT),
		"epoch", (json_int_t)pl->epoch,
		"family", b->res->family == GAPIMG_FAMILY_DEB ? "deb" : "rpm",
		"arch", b->res->arch,
		"scripts", b->scripts ? "run" : "none",
		"sealed", sealed,
		"mirrors", mirrors_json(b),
		"packages", packages_json(b),
		"files", data_json(b),
		"libraries", libraries_json());
	if (root == NULL)
		return gapimg_error_set(err, GAPIMG_E_NOMEM, "cannot build the manifest");
	if (b->nwheels > 0 &&
	    (json_object_set_new(root, "wheels", wheels_json(b)) < 0 ||
	     json_object_set_new(root, "python", json_pack("{s:s, s:b}", "version",
			pl->python, "bytecode", pl->bytecode)) < 0)) {
		json_decref(root);
		return gapimg_error_nomem(err);
	}
	if (b->scripts) {
		/* What was changed after the scripts ran, and why (sorted). */
		json_t *n = json_array();
		size_t i;

		for (i = 0; n && i < b->nnormalised; i++)
			json_array_append_new(n, json_pack("{s:s, s:s, s:s}",
				"path", b->normalised[i].path,
				"action", b->normalised[i].action,
				"reason", b->normalised[i].reason));
		if (n == NULL || json_object_set_new(root, "normalised", n) < 0) {
			json_decref(root);
			return gapimg_error_nomem(err);
		}
	}
	text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (text == NULL)
		return gapimg_error_nomem(err);
	{
		size_t len = strlen(text);
		char *t = realloc(text, len + 2);

		if (t == NULL) {
			free(text);
			return gapimg_error_nomem(err);
		}
		text = t;
		text[len] = '\n';
		text[len + 1] = '\0';
	}
	*out = text;
	return 0;
}
