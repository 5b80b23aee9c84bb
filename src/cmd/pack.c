/* gapimg pack DIR -o IMAGE: a host directory into a deterministic image. */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "gapimg/fstree.h"
#include "gapimg/hostdir.h"
#include "gapimg/sha256.h"
#include "gapimg/squashfs.h"

static const char usage_text[] =
"usage: gapimg pack [options] DIR -o IMAGE\n"
"\n"
"Pack the directory tree DIR into a SquashFS image. The same tree and\n"
"options give the same bytes on any machine, whatever the thread count,\n"
"umask, time zone, locale or the order the tree was created in.\n"
"\n"
"Options:\n"
"  -o, --output IMAGE      the image to write (required); written to a\n"
"                          temporary file and renamed into place\n"
"      --epoch N           image time and every file's mtime, in seconds\n"
"                          since 1970 (default: $SOURCE_DATE_EPOCH, else 0)\n"
"      --keep-mtimes       keep each file's mtime, clamped to the epoch\n"
"      --keep-owners       keep numeric owners (default: everything 0:0)\n"
"      --all-xattrs        keep every extended attribute (default: only\n"
"                          user.* and security.capability, which do not\n"
"                          depend on the host)\n"
"      --comp ALG[:LEVEL]  zstd (default, level 15), xz (level 6) or\n"
"                          gzip (level 9)\n"
"      --block-size SIZE   a power of two from 4K to 1M (default 128K)\n"
"      --threads N         compressor threads, 1 to 64 (default: one per\n"
"                          CPU); the output does not depend on it\n"
"      --json              print the summary as JSON\n"
"  -q, --quiet             no progress line and no summary\n"
"  -h, --help              show this help\n";

enum { OPT_EPOCH = 256, OPT_KEEP_MTIMES, OPT_KEEP_OWNERS, OPT_ALL_XATTRS, OPT_COMP,
       OPT_BLOCK_SIZE, OPT_THREADS, OPT_JSON };

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "epoch", required_argument, NULL, OPT_EPOCH },
	{ "keep-mtimes", no_argument, NULL, OPT_KEEP_MTIMES },
	{ "keep-owners", no_argument, NULL, OPT_KEEP_OWNERS },
	{ "all-xattrs", no_argument, NULL, OPT_ALL_XATTRS },
	{ "comp", required_argument, NULL, OPT_COMP },
	{ "block-size", required_argument, NULL, OPT_BLOCK_SIZE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void on_progress(const struct gapimg_sqfs_progress *p, void *user)
{
	progress_update(user, p->bytes_done, p->bytes_total, p->files_done,
			p->files_total);
}

static int print_summary(const char *image, const struct gapimg_sqfs_opts *o,
			 const struct gapimg_sqfs_stats *st, int json)
{
	char hex[GAPIMG_SHA256_HEX];
	struct gapimg_error err;
	int level = o->level != GAPIMG_LEVEL_DEFAULT ? o->level :
		    gapimg_comp_default_level(o->comp);

	if (gapimg_sha256_file(image, hex, &err))
		return cmd_report("pack", &err);
	if (json) {
		json_t *j = json_pack("{s:s, s:I, s:s, s:I, s:I, s:s, s:i, s:I, s:I}",
				      "image", image, "bytes", (json_int_t)st->bytes,
				      "sha256", hex, "inodes", (json_int_t)st->inodes,
				      "files", (json_int_t)st->files,
				      "compression", gapimg_comp_name(o->comp),
				      "level", level, "block_size",
				      (json_int_t)o->block_size, "epoch",
				      (json_int_t)o->epoch);
		if (j == NULL)
			return EXIT_FAILURE_RUN;
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		printf("%s: %u inodes, %llu bytes, %s:%d, block size %u, epoch %lld\n"
		       "sha256 %s\n", image, st->inodes,
		       (unsigned long long)st->bytes, gapimg_comp_name(o->comp), level,
		       o->block_size, (long long)o->epoch, hex);
	}
	return EXIT_OK;
}

/* An image written inside the tree it packs would be packed into its own
 * next build (and is read while the tree is scanned): refuse it. */
static int output_inside_input(const char *dir, const char *output)
{
	char *in = realpath(dir, NULL), *copy = strdup(output), *parent;
	char *out_dir = NULL;
	size_t n;
	int inside = 0;

	if (in != NULL && copy != NULL) {
		parent = dirname(copy);
		out_dir = realpath(parent, NULL);
		n = strlen(in);
		if (out_dir != NULL && strncmp(out_dir, in, n) == 0 &&
		    (out_dir[n] == '\0' || out_dir[n] == '/' || n == 1))
			inside = 1;
	}
	free(in);
	free(copy);
	free(out_dir);
	return inside;
}

int cmd_pack(int argc, char **argv)
{
	const char *output = NULL, *epoch = NULL;
	int quiet = 0, json = 0, c, status;
	unsigned flags = 0;
	struct gapimg_sqfs_opts opts;
	struct gapimg_sqfs_stats stats;
	struct gapimg_fstree *tree = NULL;
	struct gapimg_hostdir_report scan;
	struct gapimg_error err;
	struct progress *prog;

	gapimg_sqfs_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", options, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		case OPT_EPOCH: epoch = optarg; break;
		case OPT_KEEP_MTIMES: opts.mtime = GAPIMG_MTIME_CLAMP; break;
		case OPT_KEEP_OWNERS: flags |= GAPIMG_HOSTDIR_KEEP_OWNERS; break;
		case OPT_ALL_XATTRS: flags |= GAPIMG_HOSTDIR_ALL_XATTRS; break;
		case OPT_JSON: json = 1; break;
		case OPT_COMP:
			if (gapimg_sqfs_parse_comp(optarg, &opts, &err))
				return cmd_usage_error("pack", "%s", err.msg);
			break;
		case OPT_BLOCK_SIZE:
			if (gapimg_sqfs_parse_block_size(optarg, &opts.block_size, &err))
				return cmd_usage_error("pack", "%s", err.msg);
			break;
		case OPT_THREADS:
			if (cmd_uint("pack", "--threads", optarg, 1, GAPIMG_THREADS_MAX,
				     &opts.threads))
				return EXIT_USAGE;
			break;
		case ':':
			return cmd_usage_error("pack", "option %s needs a value",
					       argv[optind - 1]);
		default:
			if (optopt)
				return cmd_usage_error("pack", "unknown option -%c",
						       optopt);
			return cmd_usage_error("pack", "unknown option %s",
					       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("pack", optind == argc ?
				       "give the directory to pack" :
				       "give exactly one directory to pack");
	if (output == NULL)
		return cmd_usage_error("pack", "give the image to write with -o IMAGE");
	if ((status = cmd_epoch("pack", epoch, &opts.epoch)) != 0)
		return status;
	if (output_inside_input(argv[optind], output))
		return cmd_usage_error("pack", "the image %s would be inside the "
				       "directory it packs (%s); write it "
				       "elsewhere", output, argv[optind]);

	tree = gapimg_fstree_new(&err);
	if (tree == NULL ||
	    gapimg_fstree_add_hostdir(tree, argv[optind], flags, &scan, &err)) {
		gapimg_fstree_free(tree);
		return cmd_report("pack", &err);
	}
	if (scan.xattrs_skipped > 0 && !quiet)
		cmd_note("pack", "left out %zu extended attribute%s that depend "
			 "on the host (the first: %s); --all-xattrs keeps them",
			 scan.xattrs_skipped,
			scan.xattrs_skipped == 1 ? "" : "s", scan.example);
	prog = progress_start("packing", quiet);
	status = gapimg_sqfs_write_tree(tree, output, &opts, on_progress, prog,
					&stats, &err);
	progress_end(prog);
	gapimg_fstree_free(tree);
	if (status != 0)
		return cmd_report("pack", &err);
	if (quiet && !json)
		return EXIT_OK;
	return print_summary(output, &opts, &stats, json);
}
