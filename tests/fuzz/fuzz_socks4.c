/*
 * fuzz_socks4.c - libFuzzer harness for the SOCKS4/4A request parser
 * (src/socks4.h): the input as a client stream, request after request
 * through the consumed counts, checking the invariants the door relies
 * on (consumed within the input, NUL-terminated fields of the stated
 * length, a name only for 4A) and that the destination and a reply can
 * be built from what was parsed.
 *
 *   ./configure CC=clang && make fuzz
 *   ./tests/fuzz/fuzz_socks4 -max_total_time=60
 */
#include "sgconfig.h"

#include <stdlib.h>
#include <string.h>

#include "socks4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct socks4_request *req, size_t used, size_t len)
{
	struct socks5_addr a;
	uint8_t out[S4_REPLY_LEN];

	if (used < 9 || used > len || used > S4_REQUEST_MAX)
		abort();
	if (strlen(req->userid) != req->useridlen)
		abort();
	if (req->has_name != (req->ip[0] == 0 && req->ip[1] == 0 &&
	    req->ip[2] == 0 && req->ip[3] != 0))
		abort();
	if (req->has_name && (req->namelen == 0 ||
	    strlen(req->name) != req->namelen))
		abort();
	socks4_request_dest(req, &a);
	if (a.atyp == S5_ATYP_DOMAINNAME && strlen(a.u.name) != a.namelen)
		abort();
	if (socks4_encode_reply(S4_REP_GRANTED, req->ip, req->port, out,
	    sizeof(out)) != S4_REPLY_LEN)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct socks4_request req;
	enum socks4_status st;
	size_t off = 0, used;

	while (off < size) {
		used = 0;
		st = socks4_parse_request(data + off, size - off, &req, &used);
		if (st != S4_OK)
			break;
		check(&req, used, size - off);
		off += used;
	}
	return 0;
}
