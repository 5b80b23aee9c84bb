/*
 * A growing, always NUL-terminated byte string, so that no module
 * hand-rolls its own realloc loop.  Functions that allocate return 0, or -1
 * when memory runs out (the buffer is then unchanged).
 */
#ifndef GAPIMG_STRBUF_H
#define GAPIMG_STRBUF_H

#include <stddef.h>

#include "gapimg/error.h"

struct strbuf {
	char *buf;      /* never NULL after init: "" when empty */
	size_t len;
	size_t alloc;
};

extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
int strbuf_grow(struct strbuf *sb, size_t extra);
int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, char c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) GAPIMG_PRINTF(2, 3);
void strbuf_setlen(struct strbuf *sb, size_t len);
/* Append the whole of the regular file at path, refusing anything else
 * (a FIFO is refused, not waited on) and a file of more than max bytes. */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t max,
		     struct gapimg_error *err);
/* Hand over the string (malloc'd); the buffer is reset. NULL on ENOMEM. */
char *strbuf_detach(struct strbuf *sb);

#endif
