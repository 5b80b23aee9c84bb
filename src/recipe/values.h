/* Validators for recipe values: NULL when good, else what is wrong. */
#ifndef GAPIMG_RECIPE_VALUES_H
#define GAPIMG_RECIPE_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "gapimg/plan.h"

/* A name made of letters, digits and the characters in extra, starting
 * with a letter or digit, at most max bytes. */
const char *rv_label(const char *s, size_t max, const char *extra);
/* Decimal, no sign, no leading zeros, at most max: 0 or -1. */
int rv_uint(const char *s, unsigned long long max, unsigned long long *out);
/* Octal permission bits, 3 or 4 digits ("644", "0644", "4755"): 0 or -1. */
int rv_mode(const char *s, uint32_t *out);
const char *rv_account(const char *s);   /* user and group names */
const char *rv_owner(const char *s);     /* a name or a decimal id */
const char *rv_sha256(const char *s);
const char *rv_package(const char *s);
const char *rv_package_glob(const char *s);
const char *rv_glob_brackets(const char *s);
const char *rv_os_version(const char *s);
int rv_relop(const char *s, enum gapimg_relop *op);
int rv_looks_like_op(const char *s);
const char *rv_unit(const char *s, int *missing_suffix);
const char *rv_env_name(const char *s);
const char *rv_python_version(const char *s);
const char *rv_printable(const char *s);
const char *rv_utf8(const char *s);
/* Length of the UTF-8 sequence at s (n bytes available), or 0 when it is
 * not valid; the code point in *out. */
size_t rv_utf8_decode(const unsigned char *s, size_t n, uint32_t *out);
int rv_hexval(char c);                    /* -1 when not a hex digit */
int rv_has_dotdot(const char *path);      /* a ".." component */
int rv_list_has_empty(const char *list);  /* ",a", "a,,b", "a," */

#endif
