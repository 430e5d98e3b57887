/*
 * fuzz_http.c - libFuzzer harness for the HTTP proxy door's parsers
 * (src/http_parse.c): the input as a request head, a response head, a
 * chunk-size line, a trailer section and a Basic credential, checking
 * the invariants the door relies on: a head's length within the input
 * and the bounds, spans within the head, at most HTTP_HEADERS_MAX
 * fields, a host that is a non-empty string, a CONNECT with a port,
 * credentials that are NUL-terminated and within HTTP_CRED_MAX.
 *
 *   ./configure CC=clang && make fuzz
 *   ./tests/fuzz/fuzz_http -max_total_time=60
 */
#include "sgconfig.h"

#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_span(struct http_span s, size_t len)
{
	if ((size_t)s.off + s.len > len)
		abort();
}

static void
check_head(const uint8_t *data, const struct http_head *h, size_t size)
{
	size_t i;

	if (h->len == 0 || h->len > size || h->len > HTTP_HEAD_MAX ||
	    h->nfields > HTTP_HEADERS_MAX)
		abort();
	for (i = 0; i < h->nfields; i++) {
		check_span(h->f[i].name, h->len);
		check_span(h->f[i].value, h->len);
		if (h->f[i].name.len == 0)
			abort();
		(void)http_hop_by_hop(data, h, i);
	}
	if (h->minor > 1)
		abort();
}

static void
check_request(const uint8_t *data, size_t size)
{
	static struct http_request r;
	char user[HTTP_CRED_MAX + 1], pass[HTTP_CRED_MAX + 1];

	if (http_parse_request(data, size, &r) != HTTP_OK)
		return;
	check_head(data, &r.head, size);
	check_span(r.authority, r.head.len);
	check_span(r.path, r.head.len);
	check_span(r.auth, r.head.len);
	if (r.host[0] == '\0' || strlen(r.host) > HTTP_HOST_MAX ||
	    r.port == 0)
		abort();
	if (r.head.has_te && (r.head.has_length || !r.head.chunked))
		abort();
	if (r.auth.len > 0 && http_basic_decode(data + r.auth.off, r.auth.len,
	    user, pass) == HTTP_OK && (user[0] == '\0' ||
	    strlen(user) > HTTP_CRED_MAX || strlen(pass) > HTTP_CRED_MAX))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_response res;
	uint64_t v;
	size_t used;

	check_request(data, size);
	if (http_parse_response(data, size, &res) == HTTP_OK) {
		check_head(data, &res.head, size);
		if (res.code < 100 || res.code > 999)
			abort();
	}
	if (http_parse_chunk_size(data, size, &v, &used) == HTTP_OK &&
	    (used == 0 || used > size || used > HTTP_CHUNK_LINE_MAX))
		abort();
	if (http_parse_trailers(data, size, &used) == HTTP_OK &&
	    (used == 0 || used > size))
		abort();
	return 0;
}
