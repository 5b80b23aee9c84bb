/*
 * gapimg keygen NAME: a new Ed25519 key pair for signing images, NAME.key
 * (private, mode 0600) and NAME.pub, and its key id.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "gapimg/sign.h"

static const char usage_text[] =
"usage: gapimg keygen NAME\n"
"\n"
"Make a new Ed25519 key pair for signing images: NAME.key (the private\n"
"key, PEM, created readable by you only) and NAME.pub (the public key,\n"
"PEM, which nodes and operators use to verify images).  Prints the key\n"
"id, which every signature names.  An existing NAME.key or NAME.pub is\n"
"never replaced.\n"
"\n"
"Options:\n"
"  -h, --help      show this help\n";

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_keygen(int argc, char **argv)
{
	char id[GAPIMG_KEYID_HEX];
	struct gapimg_error err = { 0 };
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			if (optopt)
				return cmd_usage_error("keygen", "unknown option -%c", optopt);
			return cmd_usage_error("keygen", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc || argv[optind][0] == '\0')
		return cmd_usage_error("keygen", "give exactly one NAME (the key files are "
				       "NAME.key and NAME.pub)");
	if (gapimg_keygen(argv[optind], id, &err) < 0)
		return err.code == GAPIMG_E_EXISTS ? (cmd_report("keygen", &err), EXIT_USAGE)
						    : cmd_report("keygen", &err);
	printf("wrote %s.key (private: keep it off the nodes) and %s.pub\n", argv[optind],
	       argv[optind]);
	printf("key id %s\n", id);
	return EXIT_OK;
}
