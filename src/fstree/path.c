#include "gapimg/path.h"

#include <string.h>

void gapimg_path_quote(const char *path, size_t len, struct strbuf *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		char esc[4];

		if (c == '\\' || c == '"') {
			esc[0] = '\\';
			esc[1] = (char)c;
			strbuf_add(out, esc, 2);
		} else if (c == '\n') {
			strbuf_addstr(out, "\\n");
		} else if (c == '\t') {
			strbuf_addstr(out, "\\t");
		} else if (c < 0x20 || c >= 0x7f) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xf];
			strbuf_add(out, esc, 4);
		} else {
			strbuf_addch(out, (char)c);
		}
	}
}

static int path_error(const char *in, size_t len, const char *origin,
		      struct gapimg_error *err, const char *why)
{
	struct strbuf q = STRBUF_INIT;

	/* A 64 KiB garbage path would drown the message: show its start. */
	gapimg_path_quote(in, len > 512 ? 512 : len, &q);
	gapimg_error_set(err, GAPIMG_E_INVALID, "invalid path \"%s%s\"%s%s: %s",
			 q.buf, len > 512 ? "..." : "",
			 origin ? " from " : "", origin ? origin : "", why);
	strbuf_release(&q);
	return -1;
}

int gapimg_path_normalise(const char *in, size_t len, struct strbuf *out,
			  const char *origin, struct gapimg_error *err)
{
	size_t i = 0;

	strbuf_reset(out);
	if (len == 0)
		return path_error(in, len, origin, err, "the path is empty");
	if (memchr(in, '\0', len) != NULL)
		return path_error(in, len, origin, err,
				  "the path contains a NUL byte");

	while (i < len) {
		size_t start, clen;

		while (i < len && in[i] == '/')
			i++;
		start = i;
		while (i < len && in[i] != '/')
			i++;
		clen = i - start;
		if (clen == 0 || (clen == 1 && in[start] == '.'))
			continue;
		if (clen == 2 && in[start] == '.' && in[start + 1] == '.')
			return path_error(in, len, origin, err,
					  "'..' components are not allowed; "
					  "give the path without them");
		if (clen > GAPIMG_NAME_MAX)
			return path_error(in, len, origin, err,
					  "a component is longer than 255 bytes");
		if (out->len + 1 + clen > GAPIMG_PATH_MAX)
			return path_error(in, len, origin, err,
					  "the path is longer than 4095 bytes");
		if (strbuf_addch(out, '/') || strbuf_add(out, in + start, clen))
			return gapimg_error_set(err, GAPIMG_E_NOMEM,
						"out of memory");
	}
	if (out->len == 0 && strbuf_addch(out, '/'))
		return gapimg_error_set(err, GAPIMG_E_NOMEM, "out of memory");
	return 0;
}
