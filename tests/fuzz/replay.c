/*
 * Run LLVMFuzzerTestOneInput on saved inputs, for builds without libFuzzer
 * (gcc with ASan and UBSan): the fuzz corpus becomes a regression test.
 *
 *   fuzz_replay DIR|FILE...
 *
 * Directories are read recursively, each in strcmp order, so that every
 * run replays the same inputs in the same order.  Each input is copied
 * into a buffer of exactly its size, as libFuzzer does, so that ASan sees
 * any read past its end.  Exits 1 when a path cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t replayed;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *grown;
	size_t len = 0, cap = 0, got;

	if (f == NULL) {
		fprintf(stderr, "fuzz_replay: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			if ((grown = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "fuzz_replay: out of memory reading %s\n", path);
				goto fail;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
		goto fail;
	}
	fclose(f);
	/* Exactly len bytes (1 for an empty input, which is not read):
	 * an over-read is then outside the allocation. */
	if ((grown = malloc(len ? len : 1)) == NULL) {
		free(buf);
		fprintf(stderr, "fuzz_replay: out of memory reading %s\n", path);
		return -1;
	}
	if (len)
		memcpy(grown, buf, len);
	free(buf);
	/* Named before it runs: a sanitizer report that follows is about it. */
	fprintf(stderr, "Running: %s\n", path);
	fflush(stderr);
	LLVMFuzzerTestOneInput(grown, len);
	free(grown);
	replayed++;
	return 0;
fail:
	free(buf);
	fclose(f);
	return -1;
}

static int replay_path(const char *path);

static int replay_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL, **grown;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "fuzz_replay: cannot open folder %s: %s\n", path, strerror(errno));
		return -1;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		size_t sz;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((grown = realloc(names, cap * sizeof(*names))) == NULL)
				goto nomem;
			names = grown;
		}
		sz = strlen(path) + strlen(e->d_name) + 2;
		if ((names[n] = malloc(sz)) == NULL)
			goto nomem;
		snprintf(names[n++], sz, "%s/%s", path, e->d_name);
		errno = 0;
	}
	if (errno) {
		fprintf(stderr, "fuzz_replay: cannot read folder %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++)
		if (replay_path(names[i]) < 0)
			rc = -1;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
nomem:
	fprintf(stderr, "fuzz_replay: out of memory listing %s\n", path);
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return -1;
}

static int replay_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "fuzz_replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return replay_dir(path);
	return replay_file(path);
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i]) < 0)
			rc = 1;
	printf("replayed %zu inputs\n", replayed);
	return rc;
}
