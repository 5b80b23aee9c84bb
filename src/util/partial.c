/*
 * Large outputs being written to temporary files, registered so that a
 * signal handler can remove them: an interrupted build or signature must
 * not leave an image-sized hidden file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gapimg/atomic.h"

/*
 * Temporary files being written, so that a signal handler can remove them
 * (gapimg_remove_partial_outputs): the image writer's and gapimg sign's.  Fixed buffers and a sig_atomic_t flag
 * per slot: the handler must not allocate or lock.
 */
#define MAX_TEMPS 8
static char temp_paths[MAX_TEMPS][4096];
static volatile sig_atomic_t temp_used[MAX_TEMPS];

/* Create the temporary file from template (mkostemp) and record it, with
 * signals blocked so that no handler runs between the two. */
int gapimg_partial_create(char *template, int *slot)
{
	sigset_t all, old;
	int i, fd, e;

	*slot = -1;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	fd = mkostemp(template, O_CLOEXEC);
	e = errno;
	if (fd >= 0 && strlen(template) < sizeof(temp_paths[0])) {
		for (i = 0; i < MAX_TEMPS; i++) {
			if (!temp_used[i]) {
				strcpy(temp_paths[i], template);
				temp_used[i] = 1;
				*slot = i;
				break;
			}
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return fd;
}

void gapimg_partial_done(int slot)
{
	if (slot >= 0)
		temp_used[slot] = 0;
}

void gapimg_remove_partial_outputs(void)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++)
		if (temp_used[i])
			unlink(temp_paths[i]);
}
