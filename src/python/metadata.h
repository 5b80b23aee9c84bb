/*
 * Core metadata (METADATA / PKG-INFO): the RFC 822 style header block a
 * wheel carries in its .dist-info, or a PEP 658 ".metadata" file.
 */
#ifndef GAPIMG_PYTHON_METADATA_H
#define GAPIMG_PYTHON_METADATA_H

#include <stddef.h>

struct pymeta {
	char *metadata_version;   /* "2.1" */
	char *name;               /* as written */
	char *version;            /* as written */
	char *requires_python;    /* or NULL */
	char **requires_dist;     /* each as written, in file order */
	size_t nrequires_dist;
	char **provides_extra;    /* as written, in file order */
	size_t nprovides_extra;
	/* What the metadata says of the licence, for the image's manifest
	 * (the resolver ignores it).  Informational: a repeated field keeps
	 * its first value and is no error. */
	char *license_expression; /* License-Expression (PEP 639), or NULL */
	char *license;            /* License, its lines joined with '\n' (the
				   * field is free text, often a whole
				   * licence), or NULL */
	char **license_classifiers; /* Classifier values that start with
				     * "License ::", as written, in file order */
	size_t nlicense_classifiers;
};

/* Parse the header block (up to the first empty line; the body is the
 * description).  Continuation lines (leading space or tab) are joined to
 * the field before them with one space; values are trimmed of blanks;
 * field names are case-insensitive; CRLF and a UTF-8 BOM are accepted;
 * fields not in struct pymeta are skipped (License keeps its line breaks
 * instead, see above).  Metadata-Version (1.x or
 * 2.x), Name and Version are required and non-empty; they and
 * Requires-Python appear at most once.  0, -1 when malformed (msg names
 * the field and line: "METADATA: no Name field", "METADATA: Version given
 * twice (lines 2 and 5)", "METADATA line 3: 'foo' is not 'Field: value'"),
 * -2 when memory ran out.  *m is zeroed on failure; msg may be NULL. */
int pymeta_parse(const char *text, size_t len, struct pymeta *m, char *msg, size_t msgsz);
/* Free the members and zero the struct; safe on a zeroed struct. */
void pymeta_release(struct pymeta *m);

#endif
