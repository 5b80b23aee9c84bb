/*
 * Signing keys: a generated pair loads back with the same key id; a
 * private key others can read, a key of another type, a missing or
 * garbled file are refused with messages that say why.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "gapimg/sign.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/gapimg-keys-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_round_trip(void **state)
{
	char base[128], path[160], id[GAPIMG_KEYID_HEX];
	struct gapimg_error err = { 0 };
	struct gapimg_key *priv, *pub;
	struct stat st;

	(void)state;
	snprintf(base, sizeof(base), "%s/site", dir);
	assert_int_equal(gapimg_keygen(base, id, &err), 0);
	assert_int_equal(strlen(id), 16);
	snprintf(path, sizeof(path), "%s.key", base);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(gapimg_key_load_private(path, &priv, &err), 0);
	assert_string_equal(gapimg_key_id(priv), id);
	/* the public half of the private key file, and the .pub file */
	assert_int_equal(gapimg_key_load_public(path, &pub, &err), 0);
	assert_string_equal(gapimg_key_id(pub), id);
	gapimg_key_free(pub);
	snprintf(path, sizeof(path), "%s.pub", base);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(gapimg_key_load_public(path, &pub, &err), 0);
	assert_string_equal(gapimg_key_id(pub), id);
	gapimg_key_free(pub);
	gapimg_key_free(priv);

	/* never replaced */
	assert_int_equal(gapimg_keygen(base, id, &err), -1);
	assert_int_equal(err.code, GAPIMG_E_EXISTS);
}

static void test_refused(void **state)
{
	char base[128], path[160], want[512], id[GAPIMG_KEYID_HEX];
	struct gapimg_error err = { 0 };
	struct gapimg_key *k = NULL;
	EVP_PKEY *ec;
	FILE *f;

	(void)state;
	snprintf(base, sizeof(base), "%s/loose", dir);
	assert_int_equal(gapimg_keygen(base, id, &err), 0);
	snprintf(path, sizeof(path), "%s.key", base);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(gapimg_key_load_private(path, &k, &err), -1);
	assert_null(k);
	snprintf(want, sizeof(want), "the private key %s can be read or written by others "
		 "(mode 0640): run 'chmod 600 %s' and make a new key if others may have "
		 "copied it", path, path);
	assert_string_equal(err.msg, want);

	/* another key type */
	snprintf(path, sizeof(path), "%s/ec.key", dir);
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(ec);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, ec, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	EVP_PKEY_free(ec);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(gapimg_key_load_private(path, &k, &err), -1);
	snprintf(want, sizeof(want), "%s is not an Ed25519 key: gapimg signs with Ed25519 "
		 "only (make one with 'gapimg keygen NAME')", path);
	assert_string_equal(err.msg, want);

	/* not a key at all, and no file */
	snprintf(path, sizeof(path), "%s/garbage.pub", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("hello\n", f);
	fclose(f);
	assert_int_equal(gapimg_key_load_public(path, &k, &err), -1);
	assert_int_equal(err.code, GAPIMG_E_INVALID);
	assert_non_null(strstr(err.msg, "is not a PEM public key"));
	snprintf(path, sizeof(path), "%s/none.pub", dir);
	assert_int_equal(gapimg_key_load_public(path, &k, &err), -1);
	assert_int_equal(err.code, GAPIMG_E_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
