/*
 * gapimg verify IMAGE --key PUB: is IMAGE the image that key signed?
 * Exit 0 only when the trailer, the signature, the image's digest and the
 * manifest all hold; otherwise one status per reason (docs/cli.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "gapimg/sign.h"

static const char usage_text[] =
"usage: gapimg verify IMAGE --key PUB [--sig FILE] [--json]\n"
"\n"
"Check that IMAGE was signed with the key PUB and not changed since: the\n"
"signature trailer is well formed, names PUB's key id, its Ed25519\n"
"signature holds over the header and the manifest, the image bytes have\n"
"the signed SHA-256, and the signed manifest states the same image,\n"
"recipe, lock and epoch.\n"
"\n"
"Options:\n"
"  -k, --key PUB     the public key file (NAME.pub; NAME.key also works)\n"
"      --sig FILE    check a detached signature (IMAGE.sig) instead of the\n"
"                    trailer in IMAGE\n"
"      --json        print the outcome as JSON on standard output\n"
"  -q, --quiet       print nothing (the exit status says it all)\n"
"  -h, --help        show this help\n"
"\n"
"Exit status: 0 verified; 1 a file could not be read; 2 bad usage or an\n"
"unusable key; 5 unsigned; 6 signed with another key; 7 changed after\n"
"signing (the image, or the trailer and manifest: the signature does not\n"
"hold); 8 the file is truncated; 9 the trailer is malformed or\n"
"inconsistent.\n";

enum { OPT_SIG = 0x300, OPT_JSON };

static const struct option options[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "sig", required_argument, NULL, OPT_SIG },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* docs/cli.md: these never change meaning. */
int cmd_verify_exit_status(int status)
{
	switch ((enum gapimg_verify_status)status) {
	case GAPIMG_VERIFY_OK: return EXIT_OK;
	case GAPIMG_VERIFY_UNSIGNED: return EXIT_UNSIGNED;
	case GAPIMG_VERIFY_WRONG_KEY: return EXIT_WRONG_KEY;
	case GAPIMG_VERIFY_BAD_SIGNATURE:
	case GAPIMG_VERIFY_MODIFIED: return EXIT_MODIFIED;
	case GAPIMG_VERIFY_TRUNCATED: return EXIT_TRUNCATED;
	case GAPIMG_VERIFY_MALFORMED: return EXIT_MALFORMED;
	}
	return EXIT_MALFORMED;
}

/* "NAME VERSION" from the signed manifest (what was verified: the file
 * name is not signed), malloc'd, or NULL. */
static char *manifest_name(const struct gapimg_verify_result *r)
{
	json_t *m = json_loadb(r->manifest, r->manifest_len, 0, NULL);
	const char *n = json_string_value(json_object_get(json_object_get(m, "image"), "name"));
	const char *v = json_string_value(json_object_get(json_object_get(m, "image"), "version"));
	char *out = NULL;

	if (n && v && asprintf(&out, "%s %s", n, v) < 0)
		out = NULL;
	json_decref(m);
	return out;
}

static int print_json(const char *image, const struct gapimg_verify_result *r)
{
	json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:s, s:I}",
			      "image", image, "status", gapimg_verify_status_name(r->status),
			      "exit", cmd_verify_exit_status(r->status), "reason", r->reason ? r->reason : "",
			      "expected_key", r->expected_key,
			      "file_bytes", (json_int_t)r->file_bytes);
	char hex[GAPIMG_SHA256_HEX];

	if (j && r->found_key[0])
		json_object_set_new(j, "found_key", json_string(r->found_key));
	if (j && r->status == GAPIMG_VERIFY_OK) {
		json_t *m = json_loadb(r->manifest, r->manifest_len, 0, NULL);
		json_t *img = json_object_get(m, "image");

		gapimg_hex(r->seal.image_sha256, GAPIMG_SHA256_LEN, hex);
		json_object_set_new(j, "image_sha256", json_string(hex));
		json_object_set_new(j, "image_bytes", json_integer((json_int_t)r->seal.image_bytes));
		json_object_set_new(j, "epoch", json_integer((json_int_t)r->seal.epoch));
		gapimg_hex(r->seal.recipe_sha256, GAPIMG_SHA256_LEN, hex);
		json_object_set_new(j, "recipe_digest", json_string(hex));
		gapimg_hex(r->seal.lock_sha256, GAPIMG_SHA256_LEN, hex);
		json_object_set_new(j, "lock_digest", json_string(hex));
		if (json_is_string(json_object_get(img, "name")))
			json_object_set(j, "name", json_object_get(img, "name"));
		if (json_is_string(json_object_get(img, "version")))
			json_object_set(j, "version", json_object_get(img, "version"));
		json_decref(m);
	}
	if (j == NULL)
		return -1;
	json_dumpf(j, stdout, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(j);
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct gapimg_error err = { 0 };
	struct gapimg_verify_result r;
	struct gapimg_key *key = NULL;
	const char *key_path = NULL, *sig = NULL, *image;
	char hex[GAPIMG_SHA256_HEX];
	int c, json = 0, quiet = 0, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "k:qh", options, NULL)) != -1) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case OPT_SIG: sig = optarg; break;
		case OPT_JSON: json = 1; break;
		case 'q': quiet = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_usage_error("verify", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("verify", optind == argc ? "no image given"
				       : "verify one image at a time");
	if (key_path == NULL)
		return cmd_usage_error("verify", "give the public key with --key PUB "
				       "(a check without a key proves nothing)");
	image = argv[optind];
	if (gapimg_key_load_public(key_path, &key, &err) < 0) {
		cmd_report("verify", &err);
		return EXIT_USAGE;
	}
	if (gapimg_verify_image(image, sig, key, &r, &err) < 0) {
		gapimg_key_free(key);
		return cmd_report("verify", &err);
	}
	status = cmd_verify_exit_status(r.status);
	if (json) {
		if (print_json(image, &r) < 0) {
			fprintf(stderr, "gapimg verify: error: cannot print JSON for this file "
				"name (it is not UTF-8 text); the check gave: %s\n",
				gapimg_verify_status_name(r.status));
			status = EXIT_FAILURE_RUN;
		}
	} else if (r.status == GAPIMG_VERIFY_OK) {
		if (!quiet) {
			char *name = manifest_name(&r);

			gapimg_hex(r.seal.image_sha256, GAPIMG_SHA256_LEN, hex);
			cmd_put_escaped(image, stdout);
			printf(": verified: ");
			cmd_put_escaped(name ? name : "(unnamed)", stdout);
			printf(", signed with key %s\n", r.found_key);
			printf("sha256 %s, %llu bytes, epoch %lld\n", hex,
			       (unsigned long long)r.seal.image_bytes, (long long)r.seal.epoch);
			free(name);
		}
	} else if (!quiet) {
		fprintf(stderr, "gapimg verify: %s: ", gapimg_verify_status_name(r.status));
		cmd_put_escaped(r.reason ? r.reason : "", stderr);
		fputc('\n', stderr);
	}
	gapimg_verify_result_free(&r);
	gapimg_key_free(key);
	return status;
}
