/*
 * gapimg build RECIPE: the recipe's locked packages and content into a
 * SquashFS image and its manifest.
 *
 * The lock decides what goes in: a current lock is used as it is; a
 * missing one is resolved and written first (and said so), unless
 * --locked forbids it; a lock that is not current is an error (exit 4),
 * because an operator reviews a lock change before building from it.
 * Before anything else the command tries to cut itself off the network
 * (a fresh network namespace) and records in the manifest whether it did.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "gapimg/atomic.h"
#include "gapimg/build.h"
#include "gapimg/lock.h"
#include "gapimg/plan.h"
#include "gapimg/resolve.h"
#include "gapimg/sha256.h"
#include "gapimg/sign.h"
#include "gapimg/squashfs.h"

static const char usage_text[] =
"usage: gapimg build [options] RECIPE\n"
"\n"
"Build the recipe's image from its lock file and local mirrors: every\n"
"package verified (size, SHA-256, RPM signatures) before anything is\n"
"unpacked, payloads streamed into a deterministic SquashFS image. By\n"
"default no package scripts run (gapimg creates users, the ld.so cache,\n"
"Debian alternatives and the package database itself); with 'scripts\n"
"run' the packages' own scripts run in a sandbox without network, and\n"
"what they leave that differs between builds is normalised (listed in\n"
"the manifest). Writes IMAGE and\n"
"IMAGE-without-.sqfs.manifest.json atomically; a failed build leaves any\n"
"older image untouched.  With --sign, IMAGE carries a signature trailer\n"
"(the manifest and an Ed25519 signature) after the SquashFS image.\n"
"\n"
"Options:\n"
"  -o, --output IMAGE      the image (default: images/<recipe output>, in\n"
"                          the current folder)\n"
"      --lock FILE         the lock file (default: NAME.lock beside\n"
"                          NAME.recipe)\n"
"      --locked            never resolve: fail unless the lock is current\n"
"      --package-cache DIR keep verified packages in DIR, by SHA-256\n"
"                          (default: <cache dir>/packages)\n"
"      --no-package-cache  read every package from its mirror\n"
"      --threads N         compressor threads (default: one per CPU); the\n"
"                          image does not depend on it\n"
"      --scripts run|none  run the packages' own scripts in a sandbox, or\n"
"                          install declaratively (default: the recipe's\n"
"                          'scripts' line, else none)\n"
"      --script-timeout S  seconds one script may run (default 300)\n"
"      --keep-staging      keep the staged tree of 'scripts run' and say\n"
"                          where it is, for debugging\n"
"      --no-sandbox        do not enter a fresh network namespace (package\n"
"                          scripts always run in their own sandbox)\n"
"      --sign KEY          sign the image with the private key KEY (from\n"
"                          'gapimg keygen'); check it with 'gapimg verify'\n"
"      --detached-sig      with --sign, also write the signature to\n"
"                          IMAGE.sig\n"
"      --json              print the summary as JSON\n"
"  -q, --quiet             no progress and no summary\n"
"  -h, --help              show this help\n"
CMD_RESOLVE_HELP
"\n"
"Exit status: 0 built, 1 the build failed (or a package script did), 2\n"
"bad usage or input, 3 the packages cannot be resolved, 4 the lock is\n"
"missing (--locked) or not current.\n";

enum { OPT_LOCK = 0x200, OPT_LOCKED, OPT_PKG_CACHE, OPT_NO_PKG_CACHE, OPT_THREADS,
       OPT_NO_SANDBOX, OPT_JSON, OPT_SCRIPTS, OPT_SCRIPT_TIMEOUT, OPT_KEEP_STAGING,
       OPT_SIGN, OPT_DETACHED };

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "lock", required_argument, NULL, OPT_LOCK },
	{ "locked", no_argument, NULL, OPT_LOCKED },
	{ "package-cache", required_argument, NULL, OPT_PKG_CACHE },
	{ "no-package-cache", no_argument, NULL, OPT_NO_PKG_CACHE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "scripts", required_argument, NULL, OPT_SCRIPTS },
	{ "script-timeout", required_argument, NULL, OPT_SCRIPT_TIMEOUT },
	{ "keep-staging", no_argument, NULL, OPT_KEEP_STAGING },
	{ "sign", required_argument, NULL, OPT_SIGN },
	{ "detached-sig", no_argument, NULL, OPT_DETACHED },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	CMD_RESOLVE_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static int write_id_map(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A fresh network namespace: no interface but a down loopback, so no
 * connection can be made even by a library.  Root (or CAP_SYS_ADMIN) gets
 * one directly; others through a user namespace that maps only their own
 * ids, so file access is unchanged.  Must run before any thread starts. */
static int seal(char *why, size_t size)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	int e;

	if (unshare(CLONE_NEWNET) == 0)
		return 1;
	e = errno;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0) {
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
		write_id_map("/proc/self/uid_map", map);
		write_id_map("/proc/self/setgroups", "deny\n");
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
		write_id_map("/proc/self/gid_map", map);
		return 1;
	}
	snprintf(why, size, "no network namespace could be made (%s; with a user "
		 "namespace: %s); the build made no network connection, but the "
		 "kernel did not enforce it", strerror(e), strerror(errno));
	return 0;
}

struct progress_state {
	struct progress *p;
	int stage;
};

static void on_progress(const struct gapimg_build_progress *bp, void *user)
{
	static const char *const labels[] = {
		"verifying packages", "unpacking", "configuring", "writing",
		"running scripts",
	};
	struct progress_state *s = user;

	if (s->stage != (int)bp->stage) {
		if (s->p)
			progress_end(s->p);
		s->p = progress_start(labels[bp->stage], 0);
		progress_set_unit(s->p, bp->stage == GAPIMG_STAGE_WRITE ? "files" : "packages");
		s->stage = (int)bp->stage;
	}
	if (s->p && bp->total)
		progress_update(s->p, bp->bytes_done, bp->bytes_total, bp->done, bp->total);
}

static char *default_output(const struct gapimg_plan *plan)
{
	char *out;

	if (mkdir("images", 0755) < 0 && errno != EEXIST)
		return NULL;
	if (asprintf(&out, "images/%s", plan->output) < 0)
		return NULL;
	return out;
}

/* The packages to build from: the current lock, or a fresh resolution
 * written as the lock when there is none. */
static int load_lock(const struct gapimg_plan *plan, const char *path, int locked,
		     const struct gapimg_resolve_opts *ropts, int quiet,
		     struct gapimg_resolution *res)
{
	struct gapimg_resolution lock = { 0 };
	struct gapimg_error err = { 0 };
	struct strbuf text = STRBUF_INIT;
	int rc, status = EXIT_OK;

	if (gapimg_lock_read(path, &lock, &err) < 0) {
		if (err.code != GAPIMG_E_NOTFOUND) {
			status = cmd_report("build", &err);
			goto out;
		}
		if (locked) {
			fprintf(stderr, "gapimg build: %s does not exist, and --locked "
				"forbids resolving; run 'gapimg lock %s' and review it\n",
				path, plan->recipe);
			status = EXIT_STALE;
			goto out;
		}
		if (!quiet)
			fprintf(stderr, "gapimg build: %s does not exist: resolving the "
				"recipe and writing it\n", path);
		rc = gapimg_resolve(plan, ropts, res, &err);
		cmd_print_notes("build", res);
		if (rc < 0) {
			status = cmd_report("build", &err);
			goto out;
		}
		if (rc == 1) {
			cmd_print_problems("build", res);
			status = EXIT_UNSOLVABLE;
			goto out;
		}
		if (gapimg_lock_format(res, &text, &err) < 0 ||
		    gapimg_write_file_atomic(path, text.buf, text.len, &err) < 0) {
			status = cmd_report("build", &err);
			goto out;
		}
		if (!quiet)
			fprintf(stderr, "gapimg build: wrote %s: %zu packages\n", path,
				res->npackages);
		goto out;
	}
	if (strcmp(lock.recipe_digest, plan->digest) != 0) {
		fprintf(stderr, "gapimg build: %s is stale: it was made from recipe "
			"digest %s, the recipe is now %s; run 'gapimg lock %s' and "
			"review the change\n", path, lock.recipe_digest, plan->digest,
			plan->recipe);
		status = EXIT_STALE;
		goto out;
	}
	rc = gapimg_resolve_replay(plan, &lock, ropts, res, &err);
	cmd_print_notes("build", res);
	if (rc < 0) {
		status = cmd_report("build", &err);
		goto out;
	}
	if (rc == 1) {
		fprintf(stderr, "gapimg build: %s is not current: the mirrors no longer "
			"give its packages\n", path);
		cmd_print_problems("build", res);
		status = EXIT_STALE;
	}
out:
	strbuf_release(&text);
	gapimg_resolution_free(&lock);
	return status;
}

static void print_summary(const char *image, const char *manifest,
			  const struct gapimg_build_result *r, int sealed,
			  const struct gapimg_key *key, const char *sig, int json)
{
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b}",
				      "image", image, "manifest", manifest,
				      "sha256", r->sha256, "bytes", (json_int_t)r->bytes,
				      "inodes", (json_int_t)r->inodes,
				      "packages", (json_int_t)r->npackages,
				      "wheels", (json_int_t)r->nwheels,
				      "cached_packages", (json_int_t)r->cache_hits,
				      "network_namespace", sealed);
		if (j && key)
			json_object_set_new(j, "signed_by", json_string(gapimg_key_id(key)));
		if (j && sig)
			json_object_set_new(j, "signature", json_string(sig));
		if (j) {
			json_dumpf(j, stdout, JSON_SORT_KEYS);
			fputc('\n', stdout);
			json_decref(j);
		}
		return;
	}
	printf("built %s: %zu packages", image, r->npackages);
	if (r->nwheels)
		printf(" and %zu wheel%s", r->nwheels, r->nwheels == 1 ? "" : "s");
	printf(", %llu bytes, %u inodes\n", (unsigned long long)r->bytes, r->inodes);
	printf("sha256 %s\n", r->sha256);
	printf("manifest %s\n", manifest);
	if (key)
		printf("signed with key %s%s%s\n", gapimg_key_id(key),
		       sig ? ", detached signature " : "", sig ? sig : "");
}

int cmd_build(int argc, char **argv)
{
	struct gapimg_resolve_opts ropts = { 0 };
	struct gapimg_build_opts bopts = { 0 };
	struct gapimg_build_result result = { 0 };
	struct gapimg_resolution res = { 0 };
	struct gapimg_diags diags = { 0 };
	struct gapimg_error err = { 0 };
	struct progress_state ps = { NULL, -1 };
	struct gapimg_plan *plan = NULL;
	const char *output = NULL, *lock_opt = NULL, *pkg_cache = NULL, *sign_path = NULL;
	char *lock_path = NULL, *out = NULL, *manifest = NULL, *cache = NULL, *sig = NULL;
	struct gapimg_key *key = NULL;
	int detached = 0;
	char lock_sha[GAPIMG_SHA256_HEX], why[512] = "";
	int locked = 0, no_pkg_cache = 0, no_sandbox = 0, json = 0, quiet = 0;
	int c, status = EXIT_OK, sealed = 0, scripts = -1, keep_staging = 0;
	unsigned threads = 0, script_timeout = 0;
	size_t i;

	while ((c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
		if (cmd_resolve_option(c, optarg, &ropts))
			continue;
		switch (c) {
		case 'o': output = optarg; break;
		case OPT_LOCK: lock_opt = optarg; break;
		case OPT_LOCKED: locked = 1; break;
		case OPT_PKG_CACHE: pkg_cache = optarg; break;
		case OPT_NO_PKG_CACHE: no_pkg_cache = 1; break;
		case OPT_NO_SANDBOX: no_sandbox = 1; break;
		case OPT_JSON: json = 1; break;
		case 'q': quiet = 1; break;
		case OPT_KEEP_STAGING: keep_staging = 1; break;
		case OPT_SIGN: sign_path = optarg; break;
		case OPT_DETACHED: detached = 1; break;
		case OPT_SCRIPTS:
			if (strcmp(optarg, "run") == 0)
				scripts = 1;
			else if (strcmp(optarg, "none") == 0)
				scripts = 0;
			else
				return cmd_usage_error("build", "--scripts takes 'run' or "
						       "'none', not '%s'", optarg);
			break;
		case OPT_SCRIPT_TIMEOUT:
			if (cmd_uint("build", "--script-timeout", optarg, 1, 86400,
				     &script_timeout))
				return EXIT_USAGE;
			break;
		case OPT_THREADS:
			if (cmd_uint("build", "--threads", optarg, 1, GAPIMG_THREADS_MAX, &threads))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_usage_error("build", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("build", optind == argc ? "no recipe given"
				       : "only one recipe can be built at a time");
	if (detached && sign_path == NULL)
		return cmd_usage_error("build", "--detached-sig needs --sign KEY");
	/* The key before the long work: a refused key fails at once. */
	if (sign_path && gapimg_key_load_private(sign_path, &key, &err) < 0)
		return cmd_report("build", &err);

	/* The plan's spans point into the sources diags keeps: release it
	 * last. */
	plan = cmd_compile("build", argv[optind], &diags, &status);
	if (plan == NULL) {
		gapimg_diags_release(&diags);
		return status;
	}
	if (plan->fragment) {
		fprintf(stderr, "gapimg build: %s is a fragment (it says 'fragment'); "
			"build the recipe that includes it\n", argv[optind]);
		status = EXIT_USAGE;
		goto out;
	}
	if (scripts < 0)
		scripts = plan->scripts == GAPIMG_SCRIPTS_RUN;
	if (scripts && geteuid() != 0) {
		/* Scripts chown files to the image's users: that takes root,
		 * or a user namespace with subordinate ids. */
		int r = cmd_enter_subid_userns(why, sizeof(why));

		if (r <= 0) {
			fprintf(stderr, "gapimg build: error: %s\n", why);
			status = EXIT_FAILURE_RUN;
			goto out;
		}
		sealed = 1;
	} else if (!no_sandbox) {
		sealed = seal(why, sizeof(why));
	} else {
		snprintf(why, sizeof(why), "--no-sandbox was given");
	}
	ropts.epoch = plan->epoch;
	lock_path = lock_opt ? strdup(lock_opt) : gapimg_lock_default_path(plan->recipe);
	out = output ? strdup(output) : default_output(plan);
	manifest = out ? cmd_manifest_path(out) : NULL;
	if (!no_pkg_cache)
		cache = pkg_cache ? strdup(pkg_cache) : gapimg_default_package_cache(ropts.cache_dir);
	if (lock_path == NULL || out == NULL || manifest == NULL ||
	    (!no_pkg_cache && cache == NULL)) {
		fprintf(stderr, "gapimg build: error: cannot prepare the output paths "
			"(is images/ writable, and HOME or XDG_CACHE_HOME set?)\n");
		status = EXIT_FAILURE_RUN;
		goto out;
	}
	status = load_lock(plan, lock_path, locked, &ropts, quiet, &res);
	if (status != EXIT_OK)
		goto out;
	if (gapimg_sha256_file(lock_path, lock_sha, &err) < 0) {
		status = cmd_report("build", &err);
		goto out;
	}
	bopts.output = out;
	bopts.manifest = manifest;
	bopts.lock_digest = lock_sha;
	bopts.pkg_cache = cache;
	bopts.threads = threads;
	bopts.sealed = sealed;
	bopts.sealed_note = sealed ? NULL : why;
	bopts.scripts = scripts;
	bopts.script_timeout = script_timeout;
	bopts.keep_staging = keep_staging;
	bopts.sign_key = key;
	if (detached && asprintf(&sig, "%s.sig", out) < 0) {
		sig = NULL;
		status = cmd_report("build", (gapimg_error_nomem(&err), &err));
		goto out;
	}
	bopts.detached_sig = sig;
	if (!quiet) {
		bopts.progress = on_progress;
		bopts.progress_user = &ps;
	}
	if (gapimg_build(plan, &res, &bopts, &result, &err) < 0) {
		if (ps.p)
			progress_end(ps.p);
		ps.p = NULL;
		status = cmd_report("build", &err);
		if (result.script_output)
			cmd_put_escaped(result.script_output, stderr);
		fprintf(stderr, "gapimg build: nothing was written\n");
		if (result.staging)
			fprintf(stderr, "gapimg build: the staged tree is kept in %s\n",
				result.staging);
		goto out;
	}
	if (ps.p)
		progress_end(ps.p);
	ps.p = NULL;
	for (i = 0; i < result.nnotes; i++)
		cmd_note("build", "%s", result.notes[i]);
	if (result.staging)
		cmd_note("build", "the staged tree is kept in %s", result.staging);
	if (!sealed && !quiet && !no_sandbox)
		cmd_note("build", "%s", why);
	if (!quiet || json)
		print_summary(out, manifest, &result, sealed, key, sig, json);
out:
	gapimg_build_result_free(&result);
	gapimg_resolution_free(&res);
	gapimg_plan_free(plan);
	gapimg_diags_release(&diags);
	free(lock_path);
	free(out);
	free(manifest);
	free(cache);
	free(sig);
	gapimg_key_free(key);
	return status;
}
