/*
 * fuzz_dnsmsg.c - libFuzzer harness for the DNS query parser and the
 * response encoder (src/dnsmsg.h), checking what the DNS front door
 * relies on: OK only with one question whose wire copy starts the
 * input's question section, a name of at most 253 characters without
 * control bytes, a UDP size between 512 and 1232; BAD with an RCODE the
 * door can send (FORMERR, NOTIMP, REFUSED); every answer encodes within
 * the limit it is given (TC set when the records were dropped) and
 * starts with the query's id; reverse names never crash.  The input is
 * also read as an upstream answer to a fixed forwarded query (its id
 * taken from the input, so the checks past the id are reached): a reply
 * accepted starts with that question (case aside), and what is relayed
 * fits the limit, carries the client's id, and is the input itself (but
 * for id and RD) unless TC is set.
 *
 *   ./configure CC=clang && make fuzz
 *   ./tests/fuzz/fuzz_dnsmsg -max_total_time=60
 */
#include "sgconfig.h"

#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_answer(const struct dnsmsg_query *q, uint8_t rcode)
{
	static const uint8_t v6[16] = { 1 };
	struct dnsmsg_rr rr[16];
	uint8_t out[2048];
	size_t n, i, max;

	for (i = 0; i < 16; i++)
		dnsmsg_rr_addr(DNSMSG_TYPE_AAAA, v6, 10, &rr[i]);
	for (max = 0; max <= 1232; max += 301) {
		n = dnsmsg_encode(q, rcode, rr, 16, max, out, sizeof(out));
		if (n > max)
			abort();
		if (n == 0)
			continue;
		if (n < DNSMSG_HDR_LEN || (out[0] << 8 | out[1]) != q->id ||
		    (out[3] & 0x0f) != rcode)
			abort();
		if (out[7] == 0 && n < DNSMSG_HDR_LEN + q->qlen + 16 * 28 &&
		    (out[2] & 0x02) == 0)
			abort();
	}
}

/* "Example.org MX" from client id 0xbeef, with an OPT record. */
static const uint8_t fixed_query[] = { 0xbe, 0xef, 0x01, 0, 0, 1, 0, 0, 0,
    0, 0, 1, 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0, 0,
    15, 0, 1, 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0 };

static void
check_reply(const uint8_t *data, size_t size)
{
	struct dnsmsg_query q;
	uint8_t out[2048], rcode;
	size_t n, max, whole;

	if (size < 2 || dnsmsg_parse_query(fixed_query, sizeof(fixed_query),
	    &q) != DNSMSG_OK)
		return;
	if (dnsmsg_check_reply(data, size, (uint16_t)(data[0] << 8 | data[1]),
	    &q, &rcode) != DNSMSG_OK)
		return;
	if (rcode > 15 || size < DNSMSG_HDR_LEN + q.qlen)
		abort();
	for (max = 0; max <= 1500; max += 250)
		for (whole = size; whole <= size + 1; whole++) {
			n = dnsmsg_relay(&q, data, size, whole, max, out,
			    sizeof(out));
			if (n > max || (n > 0 && (out[0] << 8 | out[1]) != 0xbeef))
				abort();
			if (n > 0 && (out[2] & 0x02) == 0 && (n != size ||
			    memcmp(out + 3, data + 3, size - 3) != 0))
				abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss;
	struct dnsmsg_query q;
	struct dnsmsg_rr rr;
	size_t i, n;

	switch (dnsmsg_parse_query(data, size, &q)) {
	case DNSMSG_OK:
		if (q.qlen < 5 || q.qlen > DNSMSG_WIRE_NAME_MAX + 4 ||
		    memcmp(q.question, data + DNSMSG_HDR_LEN, q.qlen) != 0)
			abort();
		if ((n = strlen(q.name)) > DNSMSG_TEXT_NAME_MAX)
			abort();
		for (i = 0; i < n; i++)
			if ((unsigned char)q.name[i] <= 0x20 ||
			    (unsigned char)q.name[i] >= 0x7f)
				abort();
		if (q.udp_size < DNSMSG_UDP_MIN || q.udp_size > DNSMSG_UDP_CAP)
			abort();
		(void)dnsmsg_ptr_addr(q.name, &ss);
		if (n > 0 && !dnsmsg_rr_ptr(q.name, 1, &rr))
			abort();
		check_answer(&q, DNSMSG_NOERROR);
		break;
	case DNSMSG_BAD:
		if (q.rcode != DNSMSG_FORMERR && q.rcode != DNSMSG_NOTIMP &&
		    q.rcode != DNSMSG_REFUSED)
			abort();
		check_answer(&q, q.rcode);
		break;
	case DNSMSG_SHORT:
		if (size >= DNSMSG_HDR_LEN)
			abort();
		break;
	case DNSMSG_NOTQUERY:
		break;
	default:
		abort();
	}
	check_reply(data, size);
	return 0;
}
