/*
 * fuzz_proxyproto.c - libFuzzer harness for the PROXY protocol parser
 * (src/proxyproto.h), checking what the session relies on: NEED_MORE
 * only with a hint past the input and within the longest header (so
 * every byte given may be consumed), OK with a length within the input
 * and the longest header of its version and addresses of one family for
 * a client, ERROR with a reason; and that every prefix of an accepted
 * header is NEED_MORE (the session reads no byte past a header).
 *
 *   ./configure CC=clang && make fuzz
 *   ./tests/fuzz/fuzz_proxyproto -max_total_time=60
 */
#include "sgconfig.h"

#include <stdlib.h>

#include "proxyproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_ok(const struct proxyproto_hdr *h, size_t used, size_t size)
{
	if (used == 0 || used > size)
		abort();
	if (h->version == 1 && used > PROXYPROTO_V1_MAX)
		abort();
	if (h->version != 1 && h->version != 2)
		abort();
	if (h->version == 2 && (used < PROXYPROTO_V2_FIXED ||
	    used > PROXYPROTO_V2_MAX))
		abort();
	if (h->kind == PROXYPROTO_PROXY && (h->src.ss_family !=
	    h->dst.ss_family || (h->src.ss_family != AF_INET &&
	    h->src.ss_family != AF_INET6)))
		abort();
	if (h->kind == PROXYPROTO_LOCAL && h->version != 2)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxyproto_hdr h;
	enum proxyproto_status st;
	const char *why;
	size_t used = 0, i, u2;

	st = proxyproto_parse(data, size, &h, &used, &why);
	switch (st) {
	case PROXYPROTO_NEED_MORE:
		if (used <= size || used > PROXYPROTO_MAX)
			abort();
		break;
	case PROXYPROTO_OK:
		check_ok(&h, used, size);
		/* Shorter prefixes are incomplete (a few, for speed). */
		for (i = used > 64 ? used - 64 : 0; i < used; i++)
			if (proxyproto_parse(data, i, &h, &u2, &why) !=
			    PROXYPROTO_NEED_MORE || u2 <= i || u2 > used)
				abort();
		break;
	case PROXYPROTO_ERROR:
		if (why == NULL || why[0] == '\0')
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
