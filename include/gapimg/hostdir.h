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
	/* Copy every storable extended attribute, not only user.* and
	 * security.capability. */
	GAPIMG_HOSTDIR_ALL_XATTRS = 0x2,
};

/*
 * By default only user.* attributes and security.capability are copied:
 * the others depend on the host, not on the tree (SELinux labels that the
 * host's policy assigns, trusted.* that only root can even list), and
 * would make the same tree pack differently on two machines.  What is left
 * out is counted here so that the caller can say so.  system.* attributes
 * (POSIX ACLs) are an error either way: an image cannot store them and
 * dropping them would change who may read a file.
 */
struct gapimg_hostdir_report {
	size_t xattrs_skipped;
	char example[512];   /* "security.selinux of /etc/passwd" */
};

int gapimg_fstree_add_hostdir(struct gapimg_fstree *tree, const char *dir,
			      unsigned flags, struct gapimg_hostdir_report *report,
			      struct gapimg_error *err);

#endif
