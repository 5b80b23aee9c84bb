/*
 * The licence a Debian package's machine-readable copyright file states
 * (copyright-format 1.0, "DEP-5"): a .deb's control file has none.
 */
#ifndef GAPIMG_BUILD_DEP5_H
#define GAPIMG_BUILD_DEP5_H

#include <stddef.h>

/* 1 with *lic pointing into text (the first line of the License: of the
 * Files: * paragraph), or 0 when the file is not machine-readable or
 * gives no such licence. */
int dep5_license(const char *text, size_t len, const char **lic, size_t *lic_len);

#endif
