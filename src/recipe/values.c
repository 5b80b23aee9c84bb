/*
 * Validators for the values recipes hold.  Each returns NULL when the value
 * is good, or a message saying what is wrong with it; the caller points at
 * the token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int only(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!is_alnum(*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

const char *rv_label(const char *s, size_t max, const char *extra)
{
	if (s[0] == '\0')
		return "it is empty";
	if (strlen(s) > max)
		return "it is too long";
	if (!is_alnum(s[0]))
		return "it must start with a letter or digit";
	if (!only(s, extra))
		return "it has a character that is not allowed";
	return NULL;
}

int rv_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;   /* no leading zeros in decimal ids: 010 is not 8 or 10 */
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 0;
}

int rv_mode(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t n = strlen(s);

	if (n < 3 || n > 4)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (uint32_t)(*s - '0');
	}
	*out = v;
	return 0;
}

const char *rv_account(const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return "it is empty";
	if (strlen(s) > 32)
		return "it is longer than 32 characters";
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return "it must start with a lowercase letter or '_'";
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return "only lowercase letters, digits, '_' and '-' are allowed";
	return NULL;
}

const char *rv_owner(const char *s)
{
	unsigned long long v;

	if (s[0] >= '0' && s[0] <= '9')
		return rv_uint(s, 4294967294ULL, &v) ? "a numeric id is a whole number from 0 to 4294967294" : NULL;
	return rv_account(s);
}

const char *rv_sha256(const char *s)
{
	size_t i;

	if (strlen(s) != 64)
		return "a SHA-256 is 64 hex digits";
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return "a SHA-256 is 64 hex digits";
	return NULL;
}

/* Package names and capabilities: rpm and Debian names, sonames like
 * "libfoo.so.1()(64bit)", file provides like "/usr/bin/python3". */
const char *rv_package(const char *s)
{
	if (s[0] == '\0')
		return "it is empty";
	if (strlen(s) > 255)
		return "it is longer than 255 characters";
	if (strpbrk(s, "<>=!"))
		return "it contains a comparison";
	if (strpbrk(s, "*?["))
		return "it contains a glob character";
	if (!only(s, "._+-~:()/@^,"))
		return "it has a character package names do not use";
	return NULL;
}

const char *rv_package_glob(const char *s)
{
	if (s[0] == '\0')
		return "it is empty";
	if (strlen(s) > 255)
		return "it is longer than 255 characters";
	if (!only(s, "._+-~:()/@^*?[]!"))
		return "it has a character package names do not use";
	return rv_glob_brackets(s);
}

const char *rv_glob_brackets(const char *s)
{
	for (; *s; s++) {
		if (*s == ']')
			return "it has a ']' without '['";
		if (*s == '[') {
			const char *c = s + 1;
			if (*c == '!' || *c == '^')
				c++;
			if (*c == ']')
				c++;
			while (*c && *c != ']')
				c++;
			if (*c == '\0')
				return "it has a '[' without ']'";
			s = c;
		}
	}
	return NULL;
}

/* OS version constraints: what rpm and dpkg versions are made of, with an
 * optional numeric epoch. */
const char *rv_os_version(const char *s)
{
	const char *colon = strchr(s, ':'), *body = s;

	if (s[0] == '\0')
		return "the version is empty";
	if (strlen(s) > 255)
		return "the version is longer than 255 characters";
	if (colon) {
		const char *p;
		if (colon == s)
			return "the epoch before ':' is empty";
		for (p = s; p < colon; p++)
			if (*p < '0' || *p > '9')
				return "the epoch before ':' must be a number";
		body = colon + 1;
		if (strchr(body, ':'))
			return "a version has at most one ':' (after the epoch)";
	}
	if (!is_alnum(body[0]))
		return "the version must start with a letter or digit after the epoch";
	if (!only(body, ".+~^_-"))
		return "the version has a character rpm and dpkg versions do not use";
	return NULL;
}

int rv_relop(const char *s, enum gapimg_relop *op)
{
	static const struct { const char *s; enum gapimg_relop op; } ops[] = {
		{ "=", GAPIMG_REL_EQ }, { "<", GAPIMG_REL_LT }, { "<=", GAPIMG_REL_LE },
		{ ">", GAPIMG_REL_GT }, { ">=", GAPIMG_REL_GE },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(s, ops[i].s) == 0) {
			*op = ops[i].op;
			return 0;
		}
	}
	return -1;
}

int rv_looks_like_op(const char *s)
{
	return s[0] && strspn(s, "<>=!~") == strlen(s);
}

/* systemd unit names: "name.suffix", templates "name@.service" and
 * instances "name@inst.service". */
const char *rv_unit(const char *s, int *missing_suffix)
{
	static const char *const suffixes[] = {
		".service", ".socket", ".timer", ".target", ".mount", ".automount",
		".path", ".swap", ".slice", ".device", ".scope",
	};
	const char *dot = strrchr(s, '.');
	size_t i;

	*missing_suffix = 0;
	if (s[0] == '\0')
		return "it is empty";
	if (strlen(s) > 255)
		return "it is longer than 255 characters";
	if (!only(s, ":_.\\@-"))
		return "it has a character systemd unit names do not use";
	for (i = 0; dot && i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (strcmp(dot, suffixes[i]) == 0)
			return dot == s ? "the name before the suffix is empty" : NULL;
	*missing_suffix = 1;
	return "it has no unit type suffix (.service, .socket, .timer, .target, ...)";
}

const char *rv_env_name(const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return "it is empty";
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return "it must start with a letter or '_'";
	for (i = 1; s[i]; i++)
		if (!is_alnum(s[i]) && s[i] != '_')
			return "only letters, digits and '_' are allowed";
	if (i > 255)
		return "it is longer than 255 characters";
	return NULL;
}

/* Values that end up in paths, listings and /etc files: escapes may put
 * any ASCII character in a quoted string, but a control character there
 * is never meant and can forge output on a terminal. */
size_t rv_utf8_decode(const unsigned char *s, size_t n, uint32_t *out)
{
	size_t need, i;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*out = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*out = cp;
	return need;
}

/* Percent-decoded text can be anything: the plan is UTF-8 JSON. */
const char *rv_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;
	uint32_t cp;

	for (; left; p += n, left -= n)
		if ((n = rv_utf8_decode(p, left, &cp)) == 0)
			return "it is not valid UTF-8";
	return NULL;
}

int rv_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

int rv_has_dotdot(const char *v)
{
	const char *p;

	for (p = v; (p = strstr(p, "..")); p += 2)
		if ((p == v || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
	return 0;
}

int rv_list_has_empty(const char *s)
{
	size_t n = strlen(s);

	return s[0] == ',' || strstr(s, ",,") || (n && s[n - 1] == ',');
}

const char *rv_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "it contains a control character";
	return NULL;
}

const char *rv_python_version(const char *s)
{
	unsigned long long v;
	char *dup, *a, *b, *c;
	const char *why = NULL;

	if ((dup = strdup(s)) == NULL)
		return "out of memory";
	a = dup;
	b = strchr(a, '.');
	if (b == NULL) {
		why = "give the major and minor version, such as 3.11";
		goto out;
	}
	*b++ = '\0';
	c = strchr(b, '.');
	if (c)
		*c++ = '\0';
	if (rv_uint(a, 99, &v) || rv_uint(b, 999, &v) || (c && rv_uint(c, 999, &v)))
		why = "give the version as numbers, such as 3.11 or 3.11.4";
	else if (strcmp(a, "3") != 0)
		why = "gapimg builds images for Python 3";
out:
	free(dup);
	return why;
}
