/* gapimg COMMAND [options]: dispatch, shared reporting, --version. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "gapimg/atomic.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "build", cmd_build, "Build a recipe's image from its lock and local mirrors" },
	{ "check", cmd_check, "Check recipes and report every problem in them" },
	{ "keygen", cmd_keygen, "Make an Ed25519 key pair for signing images" },
	{ "sign", cmd_sign, "Sign an image (or sign it again) in place" },
	{ "verify", cmd_verify, "Check an image's signature, digest and manifest" },
	{ "sbom", cmd_sbom, "Print an image's SBOM (CycloneDX or SPDX JSON)" },
	{ "ls", cmd_ls, "List every entry of a SquashFS image" },
	{ "pack", cmd_pack, "Pack a directory into a deterministic SquashFS image" },
	{ "resolve", cmd_resolve, "Resolve a recipe's packages against its mirrors and print them" },
	{ "lock", cmd_lock, "Write a recipe's lock file, or check that it is current" },
	{ "show", cmd_show, "Show the build plan a recipe compiles to, and its digest" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: gapimg [--version] [--help] <command> [<args>]\n\n"
	      "Reproducible, verifiable root filesystem images for air-gapped sites.\n\n"
	      "Commands:\n", out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'gapimg <command> --help' for a command's options.\n"
	      "Exit statuses are listed in docs/cli.md.\n", out);
}

/* Messages can carry names from untrusted input (package payloads,
 * images): escape control characters so they cannot move the cursor,
 * clear the screen or forge extra lines on the operator's terminal. */
static void put_safe(const char *s, FILE *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

/* "gapimg CMD: KIND: MESSAGE" on standard error, escaped. */
static void print_message(const char *cmd, const char *kind, const char *msg)
{
	fprintf(stderr, "gapimg %s: %s: ", cmd, kind);
	put_safe(msg, stderr);
	fputc('\n', stderr);
}

static void vprint_message(const char *cmd, const char *kind, const char *fmt,
			   va_list ap) GAPIMG_PRINTF(3, 0);

static void vprint_message(const char *cmd, const char *kind, const char *fmt,
			   va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	print_message(cmd, kind, msg);
}

int cmd_report(const char *cmd, const struct gapimg_error *err)
{
	print_message(cmd, "error", err->msg[0] ? err->msg : "unknown error");
	switch (err->code) {
	case GAPIMG_E_INVALID:
		return EXIT_USAGE;
	default:
		return EXIT_FAILURE_RUN;
	}
}

void cmd_note(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_message(cmd, "note", fmt, ap);
	va_end(ap);
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_message(cmd, "error", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Run 'gapimg %s --help' for usage.\n", cmd);
	return EXIT_USAGE;
}

int cmd_epoch(const char *cmd, const char *opt, int64_t *out)
{
	const char *src = opt ? "--epoch" : "SOURCE_DATE_EPOCH";
	const char *s = opt ? opt : getenv("SOURCE_DATE_EPOCH");
	unsigned long long v;
	char *end;

	*out = 0;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v > 0xFFFFFFFFULL)
		return cmd_usage_error(cmd, "%s=%s is not a time: give whole seconds "
				       "since 1970-01-01 UTC, from 0 to 4294967295",
				       src, s);
	*out = (int64_t)v;
	return 0;
}

char *cmd_manifest_path(const char *image)
{
	size_t len = strlen(image);
	char *m;

	if (len > 5 && strcmp(image + len - 5, ".sqfs") == 0)
		return asprintf(&m, "%.*s.manifest.json", (int)(len - 5), image) < 0 ? NULL : m;
	return asprintf(&m, "%s.manifest.json", image) < 0 ? NULL : m;
}

int cmd_uint(const char *cmd, const char *opt, const char *arg,
	     unsigned long min, unsigned long max, unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || v < min || v > max)
		return cmd_usage_error(cmd, "%s %s: give a whole number from %lu to %lu",
				       opt, arg, min, max);
	*out = (unsigned)v;
	return 0;
}

/* Interrupted: remove partial outputs, then die of the same signal so the
 * caller sees how we ended. */
static void on_fatal_signal(int sig)
{
	gapimg_remove_partial_outputs();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signal_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int main(int argc, char **argv)
{
	size_t i;

	install_signal_handlers();

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("gapimg %s (built with libsquashfs %s)\n", GAPIMG_VERSION,
		       GAPIMG_LIBSQUASHFS_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		argv[1] = argv[2];
		argv[2] = "--help";
		argc = 3;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "gapimg: '%s' is not a gapimg command. See 'gapimg --help'.\n",
		argv[1]);
	return EXIT_USAGE;
}
