/*
 * Wheel files (PEP 427, the binary distribution format): reading their
 * metadata, and installing them into an image for its interpreter.
 *
 * Nothing is trusted before it is checked: every member must be listed in
 * the wheel's RECORD with a SHA-256 that matches what is read, every
 * RECORD line must name a member, and every member must land inside its
 * scheme folder.  A wheel that fails any check is refused as a whole.
 */
#ifndef GAPIMG_PYTHON_INSTALL_H
#define GAPIMG_PYTHON_INSTALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gapimg/error.h"
#include "gapimg/strbuf.h"

/* Largest METADATA, WHEEL, RECORD or entry_points.txt read into memory. */
#define PYWHEEL_TEXT_MAX ((size_t)16 << 20)

/*
 * The core metadata of the wheel at path: the one "*.dist-info/METADATA"
 * at the top of the zip, whose folder name must be "{dist}-{version}"
 * with dist and version equal (PEP 503 names, PEP 440 versions) to the
 * given ones from the file name.  The folder name goes to *distinfo when
 * not NULL (malloc'd).  0, or -1 with err saying what is wrong: not a
 * zip, no or several .dist-info folders, a folder for another name or
 * version, METADATA missing or too large.
 */
int pywheel_read_metadata(const char *path, const char *name, const char *version,
			  struct strbuf *out, char **distinfo, struct gapimg_error *err);

/* Where a wheel's files go (absolute image paths, no trailing '/'). */
struct pyinstall_scheme {
	const char *purelib;      /* "/usr/local/lib/python3.11/dist-packages" */
	const char *platlib;      /* the same, or ".../lib64/..." */
	const char *scripts;      /* "/usr/local/bin" */
	const char *data;         /* "/usr/local" */
	const char *headers;      /* "/usr/local/include/python3.11" (+ "/NAME") */
	const char *interpreter;  /* "/usr/bin/python3.11": launchers' #! line */
	const char *pyc_tag;      /* "cpython-311" to list the byte-compiled
				   * files in RECORD, or NULL */
};

/* One regular file to put into the image. */
struct pyinstall_file {
	const char *path;         /* absolute image path, normalised */
	uint16_t mode;            /* 0644, or 0755 for scripts and members
				   * whose zip mode has an execute bit */
	uint64_t size;
	const char *member;       /* the zip member it came from, or NULL
				   * for a file gapimg generated */
};

typedef ssize_t (*pyinstall_read_fn)(void *rd, void *buf, size_t len,
				     struct gapimg_error *err);
/* Called once per file in a fixed order (members in zip order, then the
 * generated files sorted by path).  The callee may read the content
 * through read(rd) (all of it or none); a read error means the member is
 * damaged.  Return 0, or -1 with err set to stop. */
typedef int (*pyinstall_emit_fn)(void *user, const struct pyinstall_file *f,
				 pyinstall_read_fn read, void *rd,
				 struct gapimg_error *err);

struct pyinstall_opts {
	const char *label;        /* "numpy 1.26.4 (numpy-1.26.4-...whl)" in errors */
	const char *name;         /* PEP 503 name, as locked */
	const char *version;      /* version, as locked */
	int requested;            /* asked for by the recipe: write REQUESTED */
	const char *installer;    /* INSTALLER's text, "gapimg" */
};

/*
 * Install the wheel at path: check WHEEL (Wheel-Version 0.x or 1.x), read RECORD,
 * stream each member to emit() with its hash checked against RECORD,
 * map "{distinfo-base}.data/{purelib,platlib,scripts,headers,data}/..."
 * to the scheme, rewrite "#!python" launchers of .data/scripts to the
 * interpreter, and generate the console_scripts and gui_scripts
 * launchers of entry_points.txt, INSTALLER, REQUESTED and a new RECORD
 * (each installed file with its sha256 and size, paths relative to the
 * site folder, sorted).  0, or -1 with err naming the wheel, the member
 * and what is wrong.
 */
int pyinstall_wheel(const char *path, const struct pyinstall_opts *o,
		    const struct pyinstall_scheme *s, pyinstall_emit_fn emit, void *user,
		    struct gapimg_error *err);

#endif
