/*
 * fuzz_metrics.c - libFuzzer harness for what the metrics endpoint does
 * with bytes from a scraper: the request head, fed whole and in two
 * pieces as poll may deliver it (the verdict on the whole must not
 * depend on the split once complete), and label escaping of arbitrary
 * bytes (the result stays bounded, NUL-terminated, valid UTF-8 without
 * a raw newline or an unescaped quote).
 *
 *   ./configure CC=clang && make fuzz
 *   ./tests/fuzz/fuzz_metrics -max_total_time=60
 */
#include "sgconfig.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_label(const char *in, size_t n)
{
	char out[METRICS_LABEL_LEN(64)];
	size_t i, len;

	(void)n;
	metrics_escape_label(in, out, sizeof(out));
	if ((len = strnlen(out, sizeof(out))) == sizeof(out))
		abort();
	for (i = 0; i < len; i++) {
		if (out[i] == '\n')
			abort();
		if (out[i] == '\\') {
			if (i + 1 >= len || strchr("\\\"n", out[i + 1]) == NULL)
				abort();
			i++;
		} else if (out[i] == '"')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	enum metrics_req whole, part;
	char *label;
	bool head = false, head2 = false;
	size_t cut;

	if (size > 2 * METRICS_HEAD_MAX)
		return 0;
	whole = metrics_parse_request(buf, size, "/metrics", &head);
	if (metrics_status(whole) == 0 && whole != METRICS_REQ_MORE)
		abort();
	cut = size > 0 ? data[0] % (size + 1) : 0;
	part = metrics_parse_request(buf, cut, "/metrics", &head2);
	/* A verdict on a prefix that is final stays final for the whole. */
	if (part != METRICS_REQ_MORE && part != whole &&
	    whole != METRICS_REQ_TOO_BIG && part != METRICS_REQ_BAD)
		abort();
	if ((label = malloc(size + 1)) == NULL)
		return 0;
	memcpy(label, data, size);
	label[size] = '\0';
	check_label(label, size);
	free(label);
	return 0;
}
