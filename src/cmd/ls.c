/*
 * gapimg ls IMAGE: every entry of an image, one per line, in sorted path
 * order; the format is described in docs/cli.md and kept stable so that
 * listings can be diffed and asserted on.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd.h"
#include "gapimg/fstree.h"
#include "gapimg/path.h"
#include "gapimg/sha256.h"
#include "gapimg/squashfs.h"
#include "gapimg/strbuf.h"

static const char usage_text[] =
"usage: gapimg ls [--json] IMAGE\n"
"\n"
"List every entry of a SquashFS image in sorted path order: type and\n"
"mode, owner, size (or device numbers), mtime, path, symlink target,\n"
"hard links and extended attributes.\n"
"\n"
"Options:\n"
"      --json      print a JSON document instead of text\n"
"  -h, --help      show this help\n";

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static char type_char(enum gapimg_ftype t)
{
	switch (t) {
	case GAPIMG_FT_DIR: return 'd';
	case GAPIMG_FT_REG: return '-';
	case GAPIMG_FT_SYMLINK: return 'l';
	case GAPIMG_FT_CHR: return 'c';
	case GAPIMG_FT_BLK: return 'b';
	case GAPIMG_FT_FIFO: return 'p';
	case GAPIMG_FT_SOCK: return 's';
	}
	return '?';
}

static const char *type_word(enum gapimg_ftype t)
{
	switch (t) {
	case GAPIMG_FT_DIR: return "dir";
	case GAPIMG_FT_REG: return "file";
	case GAPIMG_FT_SYMLINK: return "symlink";
	case GAPIMG_FT_CHR: return "chardev";
	case GAPIMG_FT_BLK: return "blockdev";
	case GAPIMG_FT_FIFO: return "fifo";
	case GAPIMG_FT_SOCK: return "socket";
	}
	return "unknown";
}

static void mode_string(const struct gapimg_inode *in, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = type_char(in->type);
	for (i = 0; i < 9; i++)
		out[i + 1] = (in->mode & (0400 >> i)) ? rwx[i] : '-';
	if (in->mode & 04000)
		out[3] = (in->mode & 0100) ? 's' : 'S';
	if (in->mode & 02000)
		out[6] = (in->mode & 0010) ? 's' : 'S';
	if (in->mode & 01000)
		out[9] = (in->mode & 0001) ? 't' : 'T';
	out[10] = '\0';
}

static void iso_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 32, "%lld", (long long)t);
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int printable(const uint8_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] >= 0x7f)
			return 0;
	return 1;
}

struct ls_state {
	json_t *entries;
	struct strbuf line;
	int failed;
};

static void quote_into(struct strbuf *sb, const char *s)
{
	gapimg_path_quote(s, strlen(s), sb);
}

static int print_text(struct gapimg_dentry *d, void *user)
{
	struct ls_state *st = user;
	struct gapimg_inode *in = d->inode;
	struct strbuf *l = &st->line;
	char mode[11], when[32];
	char *path = gapimg_dentry_path(d);
	size_t i;

	if (path == NULL)
		return st->failed = 1;
	mode_string(in, mode);
	iso_time(in->mtime, when);
	strbuf_reset(l);
	strbuf_addf(l, "%s %u/%u ", mode, in->uid, in->gid);
	if (in->type == GAPIMG_FT_REG)
		strbuf_addf(l, "%llu", (unsigned long long)in->u.reg.size);
	else if (in->type == GAPIMG_FT_CHR || in->type == GAPIMG_FT_BLK)
		strbuf_addf(l, "%u,%u", in->u.dev.major, in->u.dev.minor);
	else
		strbuf_addch(l, '-');
	strbuf_addf(l, " %s ", when);
	quote_into(l, path);
	if (in->type == GAPIMG_FT_SYMLINK) {
		strbuf_addstr(l, " -> ");
		quote_into(l, in->u.symlink.target);
	} else if (in->first != d) {
		char *first = gapimg_dentry_path(in->first);
		strbuf_addstr(l, " => ");
		quote_into(l, first ? first : "?");
		free(first);
	}
	strbuf_addch(l, '\n');
	/* xattrs belong to the inode: list them with its first name only. */
	for (i = 0; in->first == d && i < in->nxattrs; i++) {
		const struct gapimg_xattr *x = &in->xattrs[i];

		strbuf_addstr(l, "  xattr ");
		quote_into(l, x->key);
		if (printable(x->value, x->size)) {
			strbuf_addstr(l, "=\"");
			gapimg_path_quote((const char *)x->value, x->size, l);
			strbuf_addch(l, '"');
		} else {
			char *hex = malloc(2 * x->size + 1);
			if (hex != NULL) {
				gapimg_hex(x->value, x->size, hex);
				strbuf_addf(l, "=0x%s", hex);
			}
			free(hex);
		}
		strbuf_addch(l, '\n');
	}
	fwrite(l->buf, 1, l->len, stdout);
	free(path);
	return 0;
}

/* JSON strings must be UTF-8; other names appear in their quoted form. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	struct strbuf q = STRBUF_INIT;

	if (j != NULL)
		return j;
	quote_into(&q, s);
	j = json_string(q.buf);
	strbuf_release(&q);
	return j;
}

static int add_json(struct gapimg_dentry *d, void *user)
{
	struct ls_state *st = user;
	struct gapimg_inode *in = d->inode;
	char *path = gapimg_dentry_path(d);
	char mode[8];
	json_t *e;
	size_t i;

	if (path == NULL)
		return st->failed = 1;
	snprintf(mode, sizeof(mode), "%04o", in->mode);
	e = json_object();
	json_object_set_new(e, "path", jstr(path));
	json_object_set_new(e, "type", json_string(type_word(in->type)));
	json_object_set_new(e, "mode", json_string(mode));
	json_object_set_new(e, "uid", json_integer(in->uid));
	json_object_set_new(e, "gid", json_integer(in->gid));
	json_object_set_new(e, "mtime", json_integer(in->mtime));
	json_object_set_new(e, "inode", json_integer(in->ino));
	json_object_set_new(e, "nlink", json_integer(in->nlink));
	if (in->type == GAPIMG_FT_REG)
		json_object_set_new(e, "size", json_integer((json_int_t)in->u.reg.size));
	if (in->type == GAPIMG_FT_SYMLINK)
		json_object_set_new(e, "target", jstr(in->u.symlink.target));
	if (in->type == GAPIMG_FT_CHR || in->type == GAPIMG_FT_BLK) {
		json_object_set_new(e, "major", json_integer(in->u.dev.major));
		json_object_set_new(e, "minor", json_integer(in->u.dev.minor));
	}
	if (in->first != d) {
		char *first = gapimg_dentry_path(in->first);
		json_object_set_new(e, "hardlink_to", jstr(first ? first : "?"));
		free(first);
	}
	if (in->nxattrs > 0) {
		json_t *xs = json_array();
		for (i = 0; i < in->nxattrs; i++) {
			char *hex = malloc(2 * in->xattrs[i].size + 1);
			if (hex == NULL)
				continue;
			gapimg_hex(in->xattrs[i].value, in->xattrs[i].size, hex);
			json_array_append_new(xs, json_pack("{s:o, s:s}", "name",
							    jstr(in->xattrs[i].key),
							    "hex", hex));
			free(hex);
		}
		json_object_set_new(e, "xattrs", xs);
	}
	json_array_append_new(st->entries, e);
	free(path);
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	struct ls_state st = { NULL, STRBUF_INIT, 0 };
	struct gapimg_sqfs_info info;
	struct gapimg_fstree *tree;
	struct gapimg_error err;
	int json = 0, c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default:
			if (optopt)
				return cmd_usage_error("ls", "unknown option -%c",
						       optopt);
			return cmd_usage_error("ls", "unknown option %s",
					       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("ls", "give exactly one image to list");
	if (gapimg_sqfs_read_tree(argv[optind], &tree, &info, &err))
		return cmd_report("ls", &err);

	if (json) {
		json_t *root = json_object();

		st.entries = json_array();
		gapimg_fstree_walk(tree, add_json, &st);
		json_object_set_new(root, "image", json_pack(
			"{s:s, s:i, s:s, s:I, s:I, s:I}", "path", argv[optind],
			"block_size", (int)info.block_size, "compression",
			info.compression, "inodes", (json_int_t)info.inodes,
			"bytes_used", (json_int_t)info.bytes_used, "mkfs_time",
			(json_int_t)info.mkfs_time));
		json_object_set_new(root, "entries", st.entries);
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(root);
	} else {
		gapimg_fstree_walk(tree, print_text, &st);
	}
	strbuf_release(&st.line);
	gapimg_fstree_free(tree);
	if (fflush(stdout) != 0 || st.failed) {
		fprintf(stderr, "gapimg ls: error: cannot write the listing\n");
		return EXIT_FAILURE_RUN;
	}
	return EXIT_OK;
}
