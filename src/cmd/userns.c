/*
 * Root without root, for 'scripts run': a user namespace in which the
 * caller is root and its subordinate ids (/etc/subuid, /etc/subgid) are
 * ids 1..N, so that package scripts can chown files to the image's users
 * and the staged tree keeps those owners.  The maps are written by the
 * set-uid newuidmap/newgidmap (Debian's uidmap), as podman and mmdebstrap's
 * unshare mode do: an unprivileged process may only map its own id.
 * Also a new network namespace, owned by the new user namespace.
 */
#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"

/* The caller's first range in FILE: "name-or-id:start:count". */
static int sub_range(const char *file, unsigned long *start, unsigned long *count)
{
	struct passwd *pw = getpwuid(getuid());
	char line[512], id[32];
	FILE *f = fopen(file, "re");
	int found = 0;

	if (f == NULL)
		return 0;
	snprintf(id, sizeof(id), "%u", (unsigned)getuid());
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (c2 == NULL)
			continue;
		*c1 = '\0';
		if (strcmp(line, id) != 0 && (pw == NULL || strcmp(line, pw->pw_name) != 0))
			continue;
		*start = strtoul(c1 + 1, NULL, 10);
		*count = strtoul(c2 + 1, NULL, 10);
		found = *count > 0;
	}
	fclose(f);
	return found;
}

static int run_map(const char *tool, pid_t pid, unsigned long self,
		   unsigned long start, unsigned long count)
{
	char p[32], s[32], st[32], ct[32];
	pid_t c;
	int status;

	snprintf(p, sizeof(p), "%d", (int)pid);
	snprintf(s, sizeof(s), "%lu", self);
	snprintf(st, sizeof(st), "%lu", start);
	snprintf(ct, sizeof(ct), "%lu", count);
	c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		execlp(tool, tool, p, "0", s, "1", "1", st, ct, (char *)NULL);
		_exit(127);
	}
	while (waitpid(c, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* 1: done; 0: not possible, nothing changed; -1: failed half-way. */
int cmd_enter_subid_userns(char *why, size_t size)
{
	unsigned long us, uc, gs, gc;
	int go[2], done[2];
	pid_t helper, self = getpid();
	char c = 0;
	int status, ok;

	if (!sub_range("/etc/subuid", &us, &uc) || !sub_range("/etc/subgid", &gs, &gc)) {
		snprintf(why, size, "running package scripts without root needs "
			 "subordinate ids for uid %u in /etc/subuid and /etc/subgid "
			 "(for example: usermod --add-subuids 100000-165535 "
			 "--add-subgids 100000-165535 USER), so that scripts can give "
			 "files to the image's users; or build as root",
			 (unsigned)getuid());
		return 0;
	}
	if (pipe(go) < 0 || pipe(done) < 0) {
		snprintf(why, size, "cannot make a pipe: %s", strerror(errno));
		return 0;
	}
	/* The helper stays outside and maps the ids once we have unshared. */
	helper = fork();
	if (helper < 0) {
		snprintf(why, size, "cannot fork: %s", strerror(errno));
		return 0;
	}
	if (helper == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(run_map("newuidmap", self, getuid(), us, uc) == 0 &&
		      run_map("newgidmap", self, getgid(), gs, gc) == 0 ? 0 : 2);
	}
	close(go[0]);
	close(done[0]);
	close(done[1]);
	ok = unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0;
	if (!ok)
		snprintf(why, size, "cannot make a user namespace: %s", strerror(errno));
	if (write(go[1], "x", 1) != 1 && ok) {
		snprintf(why, size, "cannot start newuidmap: %s", strerror(errno));
		ok = 0;
	}
	close(go[1]);
	while (waitpid(helper, &status, 0) < 0)
		if (errno != EINTR)
			break;
	if (!ok)
		return 0;
	/* From here on the process is in the new namespace: a failure is
	 * final. */
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		snprintf(why, size, "newuidmap/newgidmap could not map the subordinate "
			 "ids of uid %u (is the uidmap package installed?)",
			 (unsigned)getuid());
		return -1;
	}
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		snprintf(why, size, "cannot become root in the user namespace: %s",
			 strerror(errno));
		return -1;
	}
	return 1;
}
