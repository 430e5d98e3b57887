/*
 * replay.c - a main() for a libFuzzer harness built without libFuzzer
 * (plain gcc, make check): feed it every file named on the command
 * line, or, with no arguments, every file of
 *   $top_srcdir/tests/fuzz/corpus/FUZZ_NAME/   (the seed corpus)
 *   $top_srcdir/tests/fuzz/regress/FUZZ_NAME/  (inputs that once crashed)
 * The harness aborts on a broken invariant; under --enable-sanitizers
 * ASan and UBSan report the rest.  Exit 0 when every input ran, 99 when
 * the corpus is missing.
 */
#include "sgconfig.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME: the harness's corpus directory name"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				exit(99);
			}
			buf = nb;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	printf("replay %s (%zu bytes)\n", path, len);
	fflush(stdout);
	/* An exact-size copy, so ASan sees reads past the input's end. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL)
			exit(99);
		if (len)
			memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	free(buf);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order; -1 if dir is missing. */
static int
run_dir(const char *dir, int *count)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, i;
	struct stat st;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char **nn;

		if (e->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (nn[n] = strdup(e->d_name)) == NULL)
			exit(99);
		names = nn;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    strcmp(names[i], "README") != 0) {
			if (run_file(path) == -1)
				exit(99);
			(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	int i, count = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			if (run_dir(argv[i], &count) == -1) {
				if (run_file(argv[i]) == -1)
					return 99;
				count++;
			}
		}
		printf("replay: %d input(s)\n", count);
		return 0;
	}
	if (top == NULL)
		top = ".";
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top, FUZZ_NAME);
	if (run_dir(dir, &count) == -1) {
		fprintf(stderr, "replay: no corpus %s\n", dir);
		return 99;
	}
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s", top, FUZZ_NAME);
	(void)run_dir(dir, &count);	/* none yet is fine */
	printf("replay: %d input(s) of %s\n", count, FUZZ_NAME);
	return 0;
}
