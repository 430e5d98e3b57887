/*
 * fuzz_socks5.c - libFuzzer harness for every SOCKS5 parser of untrusted
 * bytes.  The input is parsed as a client stream (greeting, login,
 * request, as the gateway reads it) and as a server stream (method,
 * status, reply, as a client reads it), message after message through
 * the consumed counts, and as a UDP datagram, checking the invariants
 * the callers rely on.
 *
 *   ./configure CC=clang && make fuzz
 *   ./tests/fuzz/fuzz_socks5 -max_total_time=60
 */
#include "sgconfig.h"

#include <stdlib.h>
#include <string.h>

#include "socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(enum socks5_status st, size_t consumed, size_t len)
{
	if (st == S5_OK && (consumed == 0 || consumed > len))
		abort();
}

static void
check_addr(const struct socks5_addr *a)
{
	if (a->atyp == S5_ATYP_DOMAINNAME &&
	    (a->namelen == 0 || strlen(a->u.name) != a->namelen))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct socks5_greeting g;
	struct socks5_userpass up;
	struct socks5_request req;
	struct socks5_udp u;
	enum socks5_status st;
	size_t off = 0, used = 0;
	uint8_t v;

	st = socks5_parse_greeting(data, size, &g, &used);
	check(st, used, size);
	if (st == S5_OK) {
		off = used;
		st = socks5_parse_userpass(data + off, size - off, &up, &used);
		check(st, used, size - off);
		if (st == S5_OK)
			off += used;
		st = socks5_parse_request(data + off, size - off, &req, &used);
		check(st, used, size - off);
		if (st == S5_OK)
			check_addr(&req.addr);
	}
	off = 0;
	st = socks5_parse_method(data, size, &v, &used);
	check(st, used, size);
	if (st == S5_OK)
		off = used;
	st = socks5_parse_auth_status(data + off, size - off, &v, &used);
	check(st, used, size - off);
	st = socks5_parse_reply(data, size, &req, &used);
	check(st, used, size);
	if (st == S5_OK)
		check_addr(&req.addr);
	/* A UDP ASSOCIATE datagram: the header never extends past it. */
	if (socks5_parse_udp(data, size, &u, &used) == S5_OK) {
		if (used > size)
			abort();
		check_addr(&u.addr);
	}
	return 0;
}
