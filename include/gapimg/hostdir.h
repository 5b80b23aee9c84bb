/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Import a directory of the host into an image tree.
 *
 * Entries are read in sorted name order (never readdir order), hard links
 * are detected by device and inode number (the first name in sorted walk
 * order becomes the inode's first name), extended attributes are copied,
 * and file contents are left on disk as host-file sources that the image
 * writer reads later.
 */
#ifndef GAPIMG_HOSTDIR_H
#define GAPIMG_HOSTDIR_H

#include "gapimg/error.h"
#include "gapimg/fstree.h"

enum gapimg_hostdir_flags {
	/* Keep the host's numeric uid/gid instead of 0:0. */
	GAPIMG_HOSTDIR_KEEP_OWNERS = 0x1,
};

/* Progress while scanning: entries seen so far. */
typedef void (*gapimg_scan_progress_fn)(size_t entries, void *user);

int gapimg_fstree_add_hostdir(struct gapimg_fstree *tree, const char *dir,
			      unsigned flags, gapimg_scan_progress_fn progress,
			      void *user, struct gapimg_error *err);

#endif
