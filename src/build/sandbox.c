/*
 * The script sandbox (see sandbox.h).
 *
 * Three processes: the first child unshares the namespaces and forks the
 * second, which is pid 1 of the new pid namespace.  That one mounts what
 * the scripts need, forks the runner (the program or function) and reaps
 * every orphan until the runner exits, then exits with its status.  Both
 * die with their parent (PR_SET_PDEATHSIG), and when pid 1 dies the
 * kernel kills everything left in the namespace, so a timeout only has to
 * kill the first child.  Set-up failures come back as text through a
 * close-on-exec pipe; the program's output through another.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

/* Report a set-up failure to the parent and give up. */
static void die(int fd, const char *fmt, ...) GAPIMG_PRINTF(2, 3);
static void die(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n, e = errno;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(buf) - 64)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(e));
	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		_exit(126);
	_exit(126);
}

static int is_dir(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void mount_at(int sfd, const char *root, const char *dir, const char *src,
		     const char *type, unsigned long flags, const char *data)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s%s", root, dir);
	if (!is_dir(path))
		return;   /* the tree has no such folder: it needs none */
	if (mount(src, path, type, flags, data) < 0)
		die(sfd, "cannot mount %s on %s in the sandbox", type ? type : src, dir);
}

/* A minimal /dev: the host's harmless character devices bound in (which
 * also works inside a user namespace, where mknod does not), and the
 * usual links. */
static void make_dev(int sfd, const char *root)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
		{ "ptmx", "pts/ptmx" },
	};
	char dev[4096], path[4096 + 32], host[64];
	size_t i;
	int fd;

	snprintf(dev, sizeof(dev), "%s/dev", root);
	if (!is_dir(dev))
		return;
	if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=65536k") < 0)
		die(sfd, "cannot mount a tmpfs on /dev in the sandbox");
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dev, nodes[i]);
		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0)
			die(sfd, "cannot create /dev/%s in the sandbox", nodes[i]);
		close(fd);
		if (mount(host, path, NULL, MS_BIND, NULL) < 0)
			die(sfd, "cannot bind %s into the sandbox", host);
	}
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dev, links[i][0]);
		if (symlink(links[i][1], path) < 0)
			die(sfd, "cannot create /dev/%s in the sandbox", links[i][0]);
	}
	snprintf(path, sizeof(path), "%s/pts", dev);
	if (mkdir(path, 0755) < 0)
		die(sfd, "cannot create /dev/pts in the sandbox");
	snprintf(path, sizeof(path), "%s/shm", dev);
	if (mkdir(path, 01777) < 0 || chmod(path, 01777) < 0)
		die(sfd, "cannot create /dev/shm in the sandbox");
}

static void close_from(int lowest)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd;

	if (d == NULL) {
		int fd;

		for (fd = lowest; fd < 1024; fd++)
			close(fd);
		return;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && fd >= lowest && fd != dfd)
			close(fd);
	}
	closedir(d);
}

/* pid 1 of the sandbox: mount, start the runner, reap until it exits. */
static void sandbox_init(const struct sbx_spec *s, int ofd, int sfd)
{
	pid_t runner, w;
	int status = 0, nul;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die(sfd, "cannot make the sandbox's mounts private");
	mount_at(sfd, s->root, "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_at(sfd, s->root, "/sys", "sysfs", "sysfs",
		 MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	make_dev(sfd, s->root);
	mount_at(sfd, s->root, "/tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mount_at(sfd, s->root, "/run", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	if (sethostname(SBX_HOSTNAME, strlen(SBX_HOSTNAME)) < 0 ||
	    setdomainname("", 0) < 0)
		die(sfd, "cannot set the sandbox's host name");
	umask(022);

	runner = fork();
	if (runner < 0)
		die(sfd, "cannot start the sandbox's program");
	if (runner == 0) {
		if (s->argv) {
			if (chroot(s->root) < 0 || chdir("/") < 0)
				die(sfd, "cannot change root to %s", s->root);
		} else if (chdir("/") < 0) {
			die(sfd, "cannot enter /");
		}
		nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (nul < 0)
			nul = open("/proc/self/fd/0", O_RDONLY);   /* keep 0 valid */
		if (nul >= 0 && dup2(nul, 0) < 0)
			die(sfd, "cannot set up the sandbox's input");
		if (dup2(ofd, 1) < 0 || dup2(ofd, 2) < 0)
			die(sfd, "cannot set up the sandbox's output");
		if (s->argv) {
			close_from(3);
			/* sfd is gone with close_from: an exec failure is told
			 * through the output and status 127, as a shell would. */
			execve(s->argv[0], s->argv, s->env);
			fprintf(stderr, "gapimg: cannot run %s in the image: %s\n",
				s->argv[0], strerror(errno));
			_exit(127);
		}
		close(sfd);
		clearenv();
		for (char *const *e = s->env; e && *e; e++)
			putenv(*e);
		_exit(s->fn(s->user) & 0xff);
	}
	close(ofd);
	close(sfd);
	/* Reap orphans too; leave when the runner is done. */
	for (;;) {
		int st;

		w = wait(&st);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			_exit(126);
		if (w == runner) {
			status = st;
			break;
		}
	}
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	/* Pass a signal on as one. */
	signal(WTERMSIG(status), SIG_DFL);
	prctl(PR_SET_DUMPABLE, 0);
	kill(getpid(), WTERMSIG(status));
	_exit(128 + WTERMSIG(status));
}

static void first_child(const struct sbx_spec *s, int ofd, int sfd, pid_t parent)
{
	pid_t init;
	int st;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die(sfd, "cannot tie the sandbox to gapimg");
	if (getppid() != parent)
		_exit(126);   /* gapimg is gone: nobody is listening */
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET) < 0)
		die(sfd, "cannot make the sandbox's namespaces (mount, pid, ipc, uts, "
		    "network)");
	init = fork();
	if (init < 0)
		die(sfd, "cannot start the sandbox");
	if (init == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			die(sfd, "cannot tie the sandbox to gapimg");
		sandbox_init(s, ofd, sfd);
	}
	close(ofd);
	close(sfd);
	while (waitpid(init, &st, 0) < 0)
		if (errno != EINTR)
			_exit(126);
	if (WIFEXITED(st))
		_exit(WEXITSTATUS(st));
	signal(WTERMSIG(st), SIG_DFL);
	kill(getpid(), WTERMSIG(st));
	_exit(128 + WTERMSIG(st));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The parent of a process, from /proc (0 when it is gone). */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

/* Processes whose parent is ppid (the first n found). */
static size_t children_of(pid_t ppid, pid_t *out, size_t n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t k = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && k < n) {
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid > 0 && parent_of(pid) == ppid)
			out[k++] = pid;
	}
	closedir(d);
	return k;
}

/* pid 2 of the sandbox's namespace: the runner (init forks it first;
 * orphans that init adopts have other pids). */
static int is_runner(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	int yes = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *last = strrchr(line, '\t');

			yes = last && atoi(last + 1) == 2;
			break;
		}
	fclose(f);
	return yes;
}

/* Scripts are the runner's children: the runner is init's child, init
 * the first child's.  Both are found once; each look after that reads
 * /proc once for the runner's children, and kills any that has been seen
 * for longer than the limit. */
struct watch {
	pid_t init, runner;
	size_t n;
	struct {
		pid_t pid;
		double since;    /* when it was first seen */
	} kids[64];
};

static int watch_scripts(pid_t first, unsigned limit, struct watch *w)
{
	pid_t kids[64];
	size_t nk, i, j, n = 0;
	double t = now(), since[64];
	int killed = 0;

	if (w->init == 0 && children_of(first, &w->init, 1) != 1) {
		w->init = 0;
		return 0;
	}
	if (w->runner == 0) {
		nk = children_of(w->init, kids, 64);
		for (i = 0; i < nk && w->runner == 0; i++)
			if (is_runner(kids[i]))
				w->runner = kids[i];
		if (w->runner == 0)
			return 0;
	}
	nk = children_of(w->runner, kids, 64);
	for (i = 0; i < nk; i++) {
		since[i] = t;
		for (j = 0; j < w->n; j++)
			if (w->kids[j].pid == kids[i])
				since[i] = w->kids[j].since;
		if (t - since[i] > limit) {
			kill(kids[i], SIGKILL);
			killed = 1;
		}
	}
	for (i = 0; i < nk; i++, n++) {
		w->kids[n].pid = kids[i];
		w->kids[n].since = since[i];
	}
	w->n = n;
	return killed;
}

static void keep_tail(struct strbuf *out, const char *buf, size_t n)
{
	if (strbuf_add(out, buf, n) < 0)
		return;
	if (out->len > SBX_OUTPUT_MAX) {
		size_t drop = out->len - SBX_OUTPUT_MAX / 2;

		memmove(out->buf, out->buf + drop, out->len - drop);
		strbuf_setlen(out, out->len - drop);
	}
}

int sbx_run(const struct sbx_spec *s, struct sbx_result *r, struct gapimg_error *err)
{
	int out[2], st[2], status = 0, out_open = 1, st_open = 1;
	struct strbuf setup = STRBUF_INIT;
	struct watch watch = { 0 };
	double start = now();
	pid_t child, parent = getpid();

	memset(r, 0, sizeof(*r));
	strbuf_init(&r->output);
	if (pipe2(out, O_CLOEXEC) < 0)
		return gapimg_error_errno(err, errno, "cannot make a pipe for the sandbox");
	if (pipe2(st, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return gapimg_error_errno(err, errno, "cannot make a pipe for the sandbox");
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		close(out[0]);
		close(out[1]);
		close(st[0]);
		close(st[1]);
		return gapimg_error_errno(err, errno, "cannot start the sandbox");
	}
	if (child == 0) {
		close(out[0]);
		close(st[0]);
		/* The program's output must not be close-on-exec. */
		if (out[1] < 3) {
			int fd = fcntl(out[1], F_DUPFD, 3);

			out[1] = fd;
		}
		fcntl(out[1], F_SETFD, 0);
		first_child(s, out[1], st[1], parent);
	}
	close(out[1]);
	close(st[1]);

	while (out_open || st_open) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { st[0], POLLIN, 0 } };
		char buf[8192];
		ssize_t n;
		int k;

		p[0].fd = out_open ? out[0] : -1;
		p[1].fd = st_open ? st[0] : -1;
		k = poll(p, 2, 250);
		if (k < 0 && errno != EINTR)
			break;
		if (s->timeout && now() - start > s->timeout) {
			r->timed_out = 1;
			kill(child, SIGKILL);
			break;
		}
		if (s->child_timeout &&
		    watch_scripts(child, s->child_timeout, &watch))
			r->child_timed_out = 1;
		if (k <= 0)
			continue;
		if (p[0].revents) {
			n = read(out[0], buf, sizeof(buf));
			if (n > 0)
				keep_tail(&r->output, buf, (size_t)n);
			else if (n == 0 || errno != EINTR)
				out_open = 0;
		}
		if (p[1].revents) {
			n = read(st[0], buf, sizeof(buf));
			if (n > 0)
				strbuf_add(&setup, buf, (size_t)n);
			else if (n == 0 || errno != EINTR)
				st_open = 0;
		}
	}
	close(out[0]);
	close(st[0]);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			break;
	if (setup.len > 0) {
		gapimg_error_set(err, GAPIMG_E_UNSUPPORTED, "%.*s",
				 (int)setup.len, setup.buf);
		strbuf_release(&setup);
		return -1;
	}
	strbuf_release(&setup);
	if (WIFEXITED(status)) {
		r->exited = 1;
		r->status = WEXITSTATUS(status);
	} else {
		r->signal = WTERMSIG(status);
	}
	return 0;
}

void sbx_result_release(struct sbx_result *r)
{
	strbuf_release(&r->output);
}

int sbx_tail(const struct sbx_result *r, unsigned n, struct strbuf *out)
{
	const char *b = r->output.buf, *e = b ? b + r->output.len : NULL, *p;
	unsigned lines = 0;

	if (b == NULL || r->output.len == 0)
		return strbuf_addstr(out, "    (no output)\n");
	p = e;
	if (p > b && p[-1] == '\n')
		p--;
	while (p > b) {
		if (p[-1] == '\n' && ++lines == n)
			break;
		p--;
	}
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);

		if (strbuf_addf(out, "    %.*s\n", (int)len, p) < 0)
			return -1;
		p = nl ? nl + 1 : e;
	}
	return 0;
}
