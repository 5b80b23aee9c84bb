/*
 * Byte classes and message helpers the Python packaging parsers share.
 *
 * Bytes are tested by hand rather than with <ctype.h>: the input is
 * arbitrary bytes from mirrors and recipes, and the answer must not
 * depend on the locale.
 */
#ifndef GAPIMG_PYTHON_CHARS_H
#define GAPIMG_PYTHON_CHARS_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static inline int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

static inline int to_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* The separators PEP 503 and PEP 440 normalise away. */
static inline int is_sep(int c)
{
	return c == '-' || c == '_' || c == '.';
}

/* s[0..n) as a string.  Not strndup(): the bytes need not be followed by
 * a NUL (a slice of a file's bytes), and AddressSanitizer's
 * strict_string_checks make strndup read up to one. */
static inline char *memdup_str(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Quoted input in messages is clipped so a message stays one short line:
 * "%.*s%s" with C(text, length). */
#define CLIP 48

static inline int clip(size_t n)
{
	return n > CLIP ? CLIP : (int)n;
}

static inline const char *ell(size_t n)
{
	return n > CLIP ? "..." : "";
}

#define C(str, n) clip(n), (str), ell(n)

#endif
