/* What the commands share: entry points, exit statuses, reporting. */
#ifndef GAPIMG_CMD_H
#define GAPIMG_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "gapimg/error.h"
#include "gapimg/recipe.h"

/* Exit statuses, documented in docs/cli.md; operators script around them,
 * so they never change meaning. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_RUN = 1,     /* the work failed: I/O, disk full, corrupt input */
	EXIT_USAGE = 2,           /* bad command line or invalid input */
	EXIT_UNSOLVABLE = 3,      /* the package request cannot be satisfied */
	EXIT_STALE = 4,           /* a lock file is not current */
	/* gapimg verify (and commands that verify first) */
	EXIT_UNSIGNED = 5,        /* the image has no signature */
	EXIT_WRONG_KEY = 6,       /* signed, with another key */
	EXIT_MODIFIED = 7,        /* changed after signing */
	EXIT_TRUNCATED = 8,       /* the file is cut short */
	EXIT_MALFORMED = 9,       /* the signature trailer is malformed */
};

int cmd_pack(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_sbom(int argc, char **argv);

/* The exit status (EXIT_UNSIGNED...) for an enum gapimg_verify_status. */
int cmd_verify_exit_status(int status);

/* Options gapimg resolve and gapimg lock share (getopt_long values). */
enum { OPT_CACHE_DIR = 0x100, OPT_NO_CACHE, OPT_ALLOW_EXPIRED, OPT_BEST,
       OPT_METADATA_ONLY };
#define CMD_RESOLVE_OPTIONS \
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR }, \
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE }, \
	{ "allow-expired", no_argument, NULL, OPT_ALLOW_EXPIRED }, \
	{ "best", no_argument, NULL, OPT_BEST }, \
	{ "metadata-only", no_argument, NULL, OPT_METADATA_ONLY }
#define CMD_RESOLVE_HELP \
"      --cache-dir DIR   keep parsed metadata in DIR (default\n" \
"                        $XDG_CACHE_HOME/gapimg, else ~/.cache/gapimg)\n" \
"      --no-cache        neither read nor write the metadata cache\n" \
"      --allow-expired   accept Debian metadata past its Valid-Until, and\n" \
"                        signing keys that expired, at the recipe's epoch\n" \
"      --best            every request gets its newest candidate, or fails\n" \
"      --metadata-only   do not check that the chosen package files are in\n" \
"                        the mirrors (to plan against an index alone)\n"
struct gapimg_resolve_opts;
struct gapimg_resolution;
/* 1 when c was one of the shared options (and opts took it). */
int cmd_resolve_option(int c, const char *arg, struct gapimg_resolve_opts *opts);
void cmd_print_notes(const char *cmd, const struct gapimg_resolution *res);
void cmd_print_problems(const char *cmd, const struct gapimg_resolution *res);
int cmd_print_resolution_json(const struct gapimg_resolution *res, FILE *out);

/* Recipe diagnostics on standard error, as gapimg_diag_format renders
 * them; and "N errors, M warnings" for a summary. */
int cmd_print_diags(const struct gapimg_diags *diags);
/* Compile a recipe for command cmd and print its diagnostics.  Without a
 * plan, the "RECIPE: N errors" line is printed too and *status is set:
 * EXIT_USAGE for a recipe with errors, the report's status when gapimg
 * itself failed.  The caller releases diags either way. */
struct gapimg_plan *cmd_compile(const char *cmd, const char *path,
				struct gapimg_diags *diags, int *status);
void cmd_count_words(const struct gapimg_diags *diags, char *buf, size_t size);
/* Text with control characters shown as \xHH, except line breaks. */
void cmd_put_escaped(const char *s, FILE *out);
/* The manifest beside an image: IMAGE-without-.sqfs.manifest.json, as
 * gapimg build writes it (malloc'd, NULL when out of memory). */
char *cmd_manifest_path(const char *image);

/* Print "gapimg <cmd>: error: <message>" and return the exit status for
 * the error's code. */
int cmd_report(const char *cmd, const struct gapimg_error *err);
/* userns.c: become root in a new user (and network) namespace that maps
 * the caller's subordinate ids; why says what failed.  1 done, 0 not
 * possible (nothing changed), -1 failed half-way. */
int cmd_enter_subid_userns(char *why, size_t size);
/* Print "gapimg <cmd>: note: <message>" (something the operator should
 * know that is not an error). */
void cmd_note(const char *cmd, const char *fmt, ...) GAPIMG_PRINTF(2, 3);
/* Print a usage error and a hint to run --help; returns EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) GAPIMG_PRINTF(2, 3);

/* The epoch: --epoch if given, else SOURCE_DATE_EPOCH, else 0. */
int cmd_epoch(const char *cmd, const char *opt, int64_t *out);
/* An option's whole-number value from min to max: 0, or a usage error
 * ("--threads 0: give a whole number from 1 to 64") and EXIT_USAGE. */
int cmd_uint(const char *cmd, const char *opt, const char *arg,
	     unsigned long min, unsigned long max, unsigned *out);

/* Progress line on standard error, only when it is a terminal. */
struct progress;
struct progress *progress_start(const char *label, int quiet);
void progress_update(struct progress *p, uint64_t done, uint64_t total,
		     uint64_t files_done, uint64_t files_total);
void progress_end(struct progress *p);
/* What the counts count (default "files"); a static string. */
void progress_set_unit(struct progress *p, const char *unit);

#endif
