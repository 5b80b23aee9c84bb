/*
 * gapimg sbom IMAGE: the image's SBOM (CycloneDX 1.5 or SPDX 2.3 JSON),
 * made from the manifest signed into IMAGE, or from a manifest file for
 * an unsigned image (docs/sbom.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "gapimg/atomic.h"
#include "gapimg/sbom.h"
#include "gapimg/sha256.h"
#include "gapimg/sign.h"
#include "gapimg/strbuf.h"

static const char usage_text[] =
"usage: gapimg sbom [options] IMAGE\n"
"       gapimg sbom [options] --manifest FILE [IMAGE]\n"
"\n"
"Print the software bill of materials of an image: the image, every OS\n"
"package and Python wheel (with its package URL, SHA-256 and licence when\n"
"the package states one) and every data file of the recipe (SHA-256). It\n"
"is made from the manifest signed into IMAGE, or from a manifest file\n"
"(for an unsigned image; IMAGE, when given, must be the image it\n"
"describes). The same manifest always gives the same bytes.\n"
"\n"
"Options:\n"
"      --format FORMAT   cyclonedx (CycloneDX 1.5 JSON, the default) or\n"
"                        spdx (SPDX 2.3 JSON)\n"
"  -k, --key PUB         check IMAGE's signature with the public key PUB\n"
"                        first, and refuse an image it does not verify\n"
"      --manifest FILE   read the manifest from FILE (NAME.manifest.json,\n"
"                        written by gapimg build) instead of from IMAGE\n"
"  -o, --output FILE     write the SBOM to FILE (atomically) instead of\n"
"                        standard output\n"
"  -h, --help            show this help\n"
"\n"
"Exit status: 0 written; 1 a file could not be read or written; 2 bad\n"
"usage, an unusable key, an invalid manifest, or an image that is not\n"
"the one the manifest describes; 5-9 IMAGE's signature trailer is\n"
"missing or does not verify, as for gapimg verify (5 unsigned, 6 signed\n"
"with another key, 7 changed after signing, 8 truncated, 9 malformed).\n";

enum { OPT_FORMAT = 0x400, OPT_MANIFEST };

static const struct option options[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "key", required_argument, NULL, 'k' },
	{ "manifest", required_argument, NULL, OPT_MANIFEST },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Manifests list every package of an image: tens of megabytes at most. */
#define MANIFEST_MAX (256u << 20)

static int read_manifest(const char *path, char **out, size_t *len, struct gapimg_error *err)
{
	struct strbuf sb = STRBUF_INIT;

	*out = NULL;
	if (strbuf_read_file(&sb, path, MANIFEST_MAX, err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	*len = sb.len;
	*out = strbuf_detach(&sb);
	return *out ? 0 : gapimg_error_nomem(err);
}

/* Is IMAGE the image the manifest describes?  Its first image.bytes
 * bytes must have image.sha256 (a signed trailer after them is not the
 * image).  0, or an exit status after printing why not. */
static int check_image(const char *image, const char *manifest_path, const char *manifest,
		       size_t len)
{
	struct gapimg_error err = { 0 };
	char want[GAPIMG_SHA256_HEX], got[GAPIMG_SHA256_HEX];
	uint8_t md[GAPIMG_SHA256_LEN];
	uint64_t bytes;
	struct stat st;
	int fd;

	if (gapimg_sbom_manifest_image(manifest, len, &bytes, want, &err) < 0) {
		gapimg_error_prefix(&err, "%s: ", manifest_path);
		return cmd_report("sbom", &err);
	}
	fd = open(image, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		gapimg_error_errno(&err, errno, "cannot open %s", image);
		if (fd >= 0)
			close(fd);
		return cmd_report("sbom", &err);
	}
	if ((uint64_t)st.st_size < bytes) {
		close(fd);
		gapimg_error_set(&err, GAPIMG_E_INVALID, "%s is not the image %s describes: it "
				 "has %lld bytes, the manifest's image has %llu", image,
				 manifest_path, (long long)st.st_size, (unsigned long long)bytes);
		return cmd_report("sbom", &err);
	}
	if (gapimg_sha256_fd_range(fd, 0, bytes, image, md, &err) < 0) {
		close(fd);
		return cmd_report("sbom", &err);
	}
	close(fd);
	gapimg_hex(md, sizeof(md), got);
	if (strcmp(got, want) != 0) {
		gapimg_error_set(&err, GAPIMG_E_INVALID, "%s is not the image %s describes: its "
				 "sha256 is %s, the manifest's image has %s", image, manifest_path,
				 got, want);
		return cmd_report("sbom", &err);
	}
	return 0;
}

/* The manifest signed into IMAGE, checked with key (or, without one, only
 * for its structure).  0, or an exit status after printing why not. */
static int embedded_manifest(const char *image, const char *key_path, char **out,
			     size_t *len)
{
	struct gapimg_error err = { 0 };
	struct gapimg_verify_result r;
	struct gapimg_key *key = NULL;
	int status;

	if (key_path != NULL && gapimg_key_load_public(key_path, &key, &err) < 0) {
		cmd_report("sbom", &err);
		return EXIT_USAGE;
	}
	if (gapimg_verify_image(image, NULL, key, &r, &err) < 0) {
		gapimg_key_free(key);
		return cmd_report("sbom", &err);
	}
	gapimg_key_free(key);
	status = (int)r.status;
	if (r.status == GAPIMG_VERIFY_UNSIGNED && key_path == NULL)
		gapimg_error_set(&err, GAPIMG_E_INVALID, "%s is not signed, so it holds no "
				 "manifest: give the manifest the build wrote with --manifest FILE",
				 image);
	else if (r.status != GAPIMG_VERIFY_OK)
		gapimg_error_set(&err, GAPIMG_E_INVALID, "%s", r.reason ? r.reason
				 : gapimg_verify_status_name(r.status));
	if (r.status != GAPIMG_VERIFY_OK || r.manifest == NULL) {
		if (r.status == GAPIMG_VERIFY_OK)
			gapimg_error_set(&err, GAPIMG_E_INTERNAL, "%s: the trailer verified but "
					 "gave no manifest", image);
		cmd_report("sbom", &err);
		gapimg_verify_result_free(&r);
		return status != GAPIMG_VERIFY_OK ? cmd_verify_exit_status(status)
						  : EXIT_FAILURE_RUN;
	}
	if (key_path == NULL)
		cmd_note("sbom", "the manifest in %s was read without checking its signature "
			 "(give --key PUB to check it)", image);
	*out = r.manifest;
	*len = r.manifest_len;
	r.manifest = NULL;
	gapimg_verify_result_free(&r);
	return 0;
}

int cmd_sbom(int argc, char **argv)
{
	enum gapimg_sbom_format fmt = GAPIMG_SBOM_CYCLONEDX;
	struct gapimg_error err = { 0 };
	const char *key_path = NULL, *manifest_path = NULL, *output = NULL, *image = NULL;
	char *manifest = NULL, *sbom = NULL;
	size_t len = 0;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:o:h", options, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (gapimg_sbom_format_parse(optarg, &fmt) < 0)
				return cmd_usage_error("sbom", "--format %s: give cyclonedx or spdx",
						       optarg);
			break;
		case 'k': key_path = optarg; break;
		case OPT_MANIFEST: manifest_path = optarg; break;
		case 'o': output = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case ':':
			return cmd_usage_error("sbom", "%s needs a value", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 0x100)
				return cmd_usage_error("sbom", "unknown option -%c", optopt);
			return cmd_usage_error("sbom", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error("sbom", "give one image");
	if (argc - optind == 1)
		image = argv[optind];
	if (image == NULL && manifest_path == NULL)
		return cmd_usage_error("sbom", "give an IMAGE (a signed image holds its "
				       "manifest) or --manifest FILE");
	if (key_path != NULL && manifest_path != NULL)
		return cmd_usage_error("sbom", "--key checks the manifest signed into IMAGE; "
				       "it cannot be used with --manifest");

	if (manifest_path != NULL) {
		if (read_manifest(manifest_path, &manifest, &len, &err) < 0)
			return cmd_report("sbom", &err);
		if (image != NULL && (status = check_image(image, manifest_path, manifest,
							   len)) != 0) {
			free(manifest);
			return status;
		}
	} else if ((status = embedded_manifest(image, key_path, &manifest, &len)) != 0) {
		return status;
	}

	if (gapimg_sbom(manifest, len, fmt, &sbom, &err) < 0) {
		gapimg_error_prefix(&err, "%s: ", manifest_path ? manifest_path : image);
		free(manifest);
		return cmd_report("sbom", &err);
	}
	free(manifest);
	status = EXIT_OK;
	if (output != NULL) {
		if (gapimg_write_file_atomic(output, sbom, strlen(sbom), &err) < 0)
			status = cmd_report("sbom", &err);
	} else if (fputs(sbom, stdout) == EOF || fflush(stdout) == EOF) {
		gapimg_error_errno(&err, errno, "cannot write the SBOM to standard output");
		status = cmd_report("sbom", &err);
	}
	free(sbom);
	return status;
}
