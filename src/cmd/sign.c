/*
 * gapimg sign IMAGE --key KEY: sign an image (or sign it again) in place,
 * atomically, optionally writing a detached IMAGE.sig as well.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "gapimg/sign.h"

static const char usage_text[] =
"usage: gapimg sign IMAGE --key KEY [--old-key PUB | --manifest FILE]\n"
"                   [--detached-sig]\n"
"\n"
"Sign IMAGE with the private key KEY (from 'gapimg keygen'): a trailer\n"
"holding the image's manifest and an Ed25519 signature over the image's\n"
"SHA-256, the manifest, the recipe and lock digests, the key id and the\n"
"epoch is appended after the SquashFS image, which the kernel and\n"
"unsquashfs still read as before.  An image that is already signed is\n"
"signed again (its old trailer replaced) once its old signature is\n"
"checked: with KEY when KEY made it, else with --old-key.  IMAGE is\n"
"replaced atomically (a symbolic link's target is signed in place):\n"
"if anything fails it is left as it was.  Signing the same image with the\n"
"same key always gives the same bytes.\n"
"\n"
"Options:\n"
"  -k, --key KEY         the private key file (NAME.key)\n"
"      --old-key PUB     the public key of the signature being replaced\n"
"      --manifest FILE   the image's manifest (default: the one in the\n"
"                        old trailer, or IMAGE-without-.sqfs.manifest.json\n"
"                        for an unsigned image); it must state the image's\n"
"                        size and SHA-256\n"
"      --detached-sig    also write the signature to IMAGE.sig\n"
"  -q, --quiet           print nothing when it worked\n"
"  -h, --help            show this help\n"
"\n"
"Exit status: 0 signed, 1 the image could not be read, written or is\n"
"damaged (or its old signature does not hold), 2 bad usage, a refused\n"
"key, a manifest for another image, or a signed image without the key\n"
"to check its old signature.\n";

enum { OPT_MANIFEST = 0x300, OPT_DETACHED, OPT_OLD_KEY };

static const struct option options[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "manifest", required_argument, NULL, OPT_MANIFEST },
	{ "old-key", required_argument, NULL, OPT_OLD_KEY },
	{ "detached-sig", no_argument, NULL, OPT_DETACHED },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_sign(int argc, char **argv)
{
	struct gapimg_error err = { 0 };
	struct gapimg_verify_result vr;
	struct gapimg_key *key = NULL, *old_key = NULL;
	const char *key_path = NULL, *old_path = NULL, *manifest = NULL, *image;
	char *sidecar = NULL, *sig = NULL;
	int c, detached = 0, quiet = 0, status = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "k:qh", options, NULL)) != -1) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case OPT_MANIFEST: manifest = optarg; break;
		case OPT_OLD_KEY: old_path = optarg; break;
		case OPT_DETACHED: detached = 1; break;
		case 'q': quiet = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_usage_error("sign", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("sign", optind == argc ? "no image given"
				       : "sign one image at a time");
	if (key_path == NULL)
		return cmd_usage_error("sign", "give the private key with --key KEY");
	if (old_path && manifest)
		return cmd_usage_error("sign", "--old-key checks the old trailer's manifest; "
				       "--manifest replaces it: give one of them");
	image = argv[optind];
	if (gapimg_key_load_private(key_path, &key, &err) < 0)
		return cmd_report("sign", &err);
	if (old_path && gapimg_key_load_public(old_path, &old_key, &err) < 0) {
		gapimg_key_free(key);
		return cmd_report("sign", &err);
	}
	if (manifest == NULL) {
		/* An unsigned image's manifest is the one build wrote beside it. */
		if (gapimg_verify_image(image, NULL, NULL, &vr, &err) < 0) {
			status = cmd_report("sign", &err);
			goto out;
		}
		if (vr.status == GAPIMG_VERIFY_UNSIGNED) {
			sidecar = cmd_manifest_path(image);
			if (sidecar && access(sidecar, F_OK) == 0)
				manifest = sidecar;
		}
		gapimg_verify_result_free(&vr);
	}
	if (detached && asprintf(&sig, "%s.sig", image) < 0) {
		sig = NULL;
		gapimg_error_nomem(&err);
		status = cmd_report("sign", &err);
		goto out;
	}
	if (gapimg_sign_image(image, key, manifest, old_key, sig, &err) < 0) {
		status = cmd_report("sign", &err);
		goto out;
	}
	if (!quiet) {
		printf("signed %s with key %s\n", image, gapimg_key_id(key));
		if (sig)
			printf("detached signature %s\n", sig);
	}
out:
	free(sidecar);
	free(sig);
	gapimg_key_free(key);
	gapimg_key_free(old_key);
	return status;
}
