/*
 * fuzz_config.c - libFuzzer harness for the configuration loader:
 * config_load_string() (libconfig's parser, then every check of
 * config.c and config_upstreams.c) on the fuzz bytes as the file's text.
 *
 * Invariants checked: a config is returned, or NULL with a non-empty,
 * NUL-terminated message in err; a returned config is freed (ASan and
 * LeakSanitizer see what the validation allocated).
 *
 * The text may name password files (upstreams): the loader only reads
 * them, and refuses relative paths, symlinks and loose permissions.
 *
 *   ./configure CC=clang CFLAGS='-g -O1 -fsanitize=fuzzer-no-link' && make fuzz
 *   ./tests/fuzz/fuzz_config -max_total_time=60 tests/fuzz/corpus/config
 */
#include "sgconfig.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c;
	char err[512], *text;

	/* Bigger than any real file and slow for libconfig: not useful. */
	if (size > 64 * 1024)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	err[0] = '\0';
	c = config_load_string(text, "fuzz", err, sizeof(err));
	if (c == NULL) {
		if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
			abort();
	} else
		config_free(c);
	free(text);
	return 0;
}
