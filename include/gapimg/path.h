/*
 * Image paths.  Everything that names a place in an image goes through
 * gapimg_path_normalise first, whatever its origin (a host directory, a
 * recipe, a package payload, another image).
 *
 * The normal form is absolute, with single slashes, no trailing slash, no
 * "." components.  ".." components are refused, never resolved: resolving
 * them against a tree that has symlinks is ambiguous, and in a package
 * payload they are an attack.  Names are at most 255 bytes, paths at most
 * 4095 bytes, and no byte may be NUL.
 */
#ifndef GAPIMG_PATH_H
#define GAPIMG_PATH_H

#include <stddef.h>

#include "gapimg/error.h"
#include "gapimg/strbuf.h"

#define GAPIMG_NAME_MAX 255
#define GAPIMG_PATH_MAX 4095

/* Normalise in[0..len) into out. origin names where the path came from and
 * appears in the error message. */
int gapimg_path_normalise(const char *in, size_t len, struct strbuf *out,
			  const char *origin, struct gapimg_error *err);

/* Quote a path for a message: printable ASCII as is, anything else
 * escaped (\n, \t, \xHH), so that hostile names cannot forge output. */
void gapimg_path_quote(const char *path, size_t len, struct strbuf *out);

#endif
