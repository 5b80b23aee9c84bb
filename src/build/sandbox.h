/*
 * The sandbox packages' scripts run in: a child process in new mount,
 * pid, ipc, uts and network namespaces (so no network at all, not even
 * loopback to the host's services), with the staged tree as its root,
 * /proc, a minimal /dev, a read-only /sys and empty /tmp and /run mounted
 * where the tree has those folders, a fixed hostname, umask 022, only the
 * environment it is given, and a time limit.  Everything the child mounted
 * goes away with its mount namespace when it exits.
 *
 * The caller must already have the privilege to make namespaces: root, or
 * root inside a user namespace (gapimg build sets that up).
 */
#ifndef GAPIMG_BUILD_SANDBOX_H
#define GAPIMG_BUILD_SANDBOX_H

#include "gapimg/error.h"
#include "gapimg/strbuf.h"

struct sbx_spec {
	const char *root;          /* the staged tree */
	/* Either a program, run chrooted into root ... */
	char *const *argv;
	/* ... or a function, run with root mounted but not chrooted into
	 * (librpm chroots into it itself); its return is the exit status. */
	int (*fn)(void *user);
	void *user;
	char *const *env;          /* the whole environment */
	unsigned timeout;          /* seconds for the whole run; 0: none */
	/* Kill a child of the program (one script that dpkg or rpm started)
	 * that has run longer than this; 0: none. */
	unsigned child_timeout;
};

struct sbx_result {
	int exited;                /* 1: exited with status; 0: killed by signal */
	int status;
	int signal;
	int timed_out;             /* the whole run hit spec->timeout */
	int child_timed_out;       /* a script hit spec->child_timeout */
	struct strbuf output;      /* stdout and stderr, interleaved; the last
				    * SBX_OUTPUT_MAX bytes */
};

#define SBX_OUTPUT_MAX (256u << 10)
#define SBX_HOSTNAME "gapimg"

/* Run and wait.  Returns 0 when the program ran (whatever its status;
 * see result), -1 with err when the sandbox could not be set up. */
int sbx_run(const struct sbx_spec *spec, struct sbx_result *result,
	    struct gapimg_error *err);
void sbx_result_release(struct sbx_result *result);

/* The last n lines of the output, each indented, for error messages. */
int sbx_tail(const struct sbx_result *result, unsigned n, struct strbuf *out);

#endif
