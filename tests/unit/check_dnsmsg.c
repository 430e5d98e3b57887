/*
 * check_dnsmsg.c - unit tests for the DNS message codec (src/dnsmsg.h).
 *
 * Covered: every header field of a query (id, QR, opcode, RD, counts),
 * the question (name as text, type, class, the wire copy), an EDNS OPT
 * record (UDP size kept between 512 and 1232, options skipped), every
 * prefix of a valid query (each right before an unmapped guard page) is
 * refused, never OK; compression pointers REFUSED; labels of 63 and
 * names of 255 bytes accepted, 64 and 256 refused; bytes past the
 * records, answers in a query, two questions; responses: header flags,
 * the answer's NAME as a pointer to the question, A/AAAA/PTR RDATA,
 * the OPT echoed, TC when the records do not fit in 512 bytes; reverse
 * names of both families.  Forwarding: the upstream query (our id, RD,
 * the client's question, OPT only when the client sent one), the
 * upstream answer's checks (id, QR, opcode, one question equal to ours
 * but for case, every prefix too short), and the relayed answer (the
 * client's id and RD, as it came when it fits, TC and no records when
 * it does not or was cut).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"
#include "testutil.h"

/* A query for name (dotted) of qtype; with_opt adds an OPT of size. */
static size_t
mkquery(uint8_t *b, const char *name, uint16_t qtype, bool with_opt,
    uint16_t size)
{
	size_t at = 12, n;
	const char *dot;

	memset(b, 0, 12);
	b[0] = 0xbe;
	b[1] = 0xef;
	b[2] = 0x01;		/* RD */
	b[5] = 1;		/* QDCOUNT */
	b[11] = with_opt ? 1 : 0;
	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
		b[at++] = (uint8_t)n;
		memcpy(b + at, name, n);
		at += n;
		name += n + (dot ? 1 : 0);
	}
	b[at++] = 0;
	b[at++] = (uint8_t)(qtype >> 8);
	b[at++] = (uint8_t)qtype;
	b[at++] = 0;
	b[at++] = 1;		/* IN */
	if (with_opt) {
		static const uint8_t opt[] = { 0, 0, 41, 0, 0, 0, 0, 0x80, 0,
		    0, 4, 0, 10, 0, 0 };	/* DO, one empty COOKIE-ish option */
		memcpy(b + at, opt, sizeof(opt));
		b[at + 3] = (uint8_t)(size >> 8);
		b[at + 4] = (uint8_t)size;
		at += sizeof(opt);
	}
	return at;
}

START_TEST(query_fields)
{
	uint8_t b[600];
	struct dnsmsg_query q;
	size_t n = mkquery(b, "www.Example.org", DNSMSG_TYPE_AAAA, false, 0);

	ck_assert_int_eq(dnsmsg_parse_query(tu_guarded(b, n), n, &q),
	    DNSMSG_OK);
	ck_assert_uint_eq(q.id, 0xbeef);
	ck_assert_uint_eq(q.opcode, 0);
	ck_assert(q.rd);
	ck_assert_str_eq(q.name, "www.Example.org");
	ck_assert_uint_eq(q.qtype, DNSMSG_TYPE_AAAA);
	ck_assert_uint_eq(q.qclass, DNSMSG_CLASS_IN);
	ck_assert(!q.edns);
	ck_assert_uint_eq(q.udp_size, 512);
	ck_assert_uint_eq(q.qlen, n - 12);
	ck_assert_mem_eq(q.question, b + 12, n - 12);
	/* RD clear. */
	b[2] = 0;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	ck_assert(!q.rd);
}
END_TEST

START_TEST(query_edns)
{
	uint8_t b[600];
	struct dnsmsg_query q;
	size_t n;

	n = mkquery(b, "a.b", DNSMSG_TYPE_A, true, 4096);
	ck_assert_int_eq(dnsmsg_parse_query(tu_guarded(b, n), n, &q),
	    DNSMSG_OK);
	ck_assert(q.edns);
	ck_assert_uint_eq(q.udp_size, DNSMSG_UDP_CAP);
	n = mkquery(b, "a.b", DNSMSG_TYPE_A, true, 100);
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	ck_assert_uint_eq(q.udp_size, 512);
	n = mkquery(b, "a.b", DNSMSG_TYPE_A, true, 1000);
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	ck_assert_uint_eq(q.udp_size, 1000);
	/* An additional record that is not OPT. */
	b[n - 15 + 2] = 250;	/* TYPE TSIG */
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	ck_assert_uint_eq(q.rcode, DNSMSG_FORMERR);
	/* OPT RDLENGTH past the end. */
	n = mkquery(b, "a.b", DNSMSG_TYPE_A, true, 1000);
	b[n - 5] = 5;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
}
END_TEST

START_TEST(every_prefix_refused)
{
	uint8_t b[600];
	struct dnsmsg_query q;
	size_t n, i;
	int opt;

	for (opt = 0; opt < 2; opt++) {
		n = mkquery(b, "www.example.org", DNSMSG_TYPE_A, opt, 1232);
		for (i = 0; i < n; i++) {
			enum dnsmsg_status st = dnsmsg_parse_query(
			    tu_guarded(b, i), i, &q);

			ck_assert_int_ne(st, DNSMSG_OK);
			ck_assert_int_eq(st, i < 12 ? DNSMSG_SHORT :
			    DNSMSG_BAD);
			if (i >= 12) {
				ck_assert_uint_eq(q.id, 0xbeef);
				ck_assert_uint_eq(q.rcode, DNSMSG_FORMERR);
			}
		}
		ck_assert_int_eq(dnsmsg_parse_query(tu_guarded(b, n), n, &q),
		    DNSMSG_OK);
		/* One byte more: past the records. */
		b[n] = 0;
		ck_assert_int_eq(dnsmsg_parse_query(b, n + 1, &q), DNSMSG_BAD);
	}
}
END_TEST

START_TEST(header_checks)
{
	uint8_t b[600];
	struct dnsmsg_query q;
	size_t n = mkquery(b, "x.y", DNSMSG_TYPE_A, false, 0);

	b[2] |= 0x80;		/* a response */
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_NOTQUERY);
	b[2] = 0x01 | 2 << 3;	/* opcode STATUS */
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	ck_assert_uint_eq(q.rcode, DNSMSG_NOTIMP);
	ck_assert_uint_eq(q.opcode, 2);
	b[2] = 0x01;
	b[5] = 2;		/* two questions */
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	ck_assert_uint_eq(q.rcode, DNSMSG_FORMERR);
	b[5] = 0;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	b[5] = 1;
	b[7] = 1;		/* an answer in a query */
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	b[7] = 0;
	b[9] = 1;		/* an authority record */
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	b[9] = 0;
	b[11] = 2;		/* two additional */
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	b[11] = 0;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
}
END_TEST

START_TEST(compression_refused)
{
	uint8_t b[600];
	struct dnsmsg_query q;
	size_t n = mkquery(b, "ab.cd", DNSMSG_TYPE_A, false, 0);

	/* "ab" then a pointer back to offset 12. */
	b[15] = 0xc0;
	b[16] = 12;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	ck_assert_uint_eq(q.rcode, DNSMSG_REFUSED);
	/* A pointer as the first label. */
	b[12] = 0xc0;
	b[13] = 0x0c;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	ck_assert_uint_eq(q.rcode, DNSMSG_REFUSED);
	/* Extended label types (0x40, 0x80) are malformed. */
	b[12] = 0x41;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	ck_assert_uint_eq(q.rcode, DNSMSG_FORMERR);
}
END_TEST

START_TEST(name_limits)
{
	uint8_t b[700];
	char name[400];
	struct dnsmsg_query q;
	size_t n;

	/* A 63-byte label passes, 64 does not. */
	memset(name, 'a', 63);
	name[63] = '\0';
	n = mkquery(b, name, DNSMSG_TYPE_A, false, 0);
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	ck_assert_uint_eq(strlen(q.name), 63);
	memset(name, 'a', 64);
	name[64] = '\0';
	n = mkquery(b, name, DNSMSG_TYPE_A, false, 0);
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	ck_assert_uint_eq(q.rcode, DNSMSG_FORMERR);
	/* 255 bytes on the wire: 3 x (1 + 63) + (1 + 61) + 1. */
	memset(name, 'b', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	n = mkquery(b, name, DNSMSG_TYPE_A, false, 0);
	ck_assert_uint_eq(n, 12 + 255 + 4);
	ck_assert_int_eq(dnsmsg_parse_query(tu_guarded(b, n), n, &q),
	    DNSMSG_OK);
	ck_assert_uint_eq(strlen(q.name), 253);
	/* 256 bytes. */
	name[253] = 'b';
	name[254] = '\0';
	n = mkquery(b, name, DNSMSG_TYPE_A, false, 0);
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	/* Bytes that cannot be text: a dot, a space, a control byte. */
	n = mkquery(b, "ab.cd", DNSMSG_TYPE_A, false, 0);
	b[14] = '.';
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	b[14] = ' ';
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	b[14] = 0x01;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	/* The root. */
	n = mkquery(b, "", DNSMSG_TYPE_A, false, 0);
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	ck_assert_str_eq(q.name, "");
	/* Longer than any query we take. */
	ck_assert_int_eq(dnsmsg_parse_query(b, DNSMSG_QUERY_MAX + 1, &q),
	    DNSMSG_BAD);
}
END_TEST

START_TEST(encode_answers)
{
	static const uint8_t v4[4] = { 240, 0, 0, 1 };
	uint8_t b[600], out[2048];
	struct dnsmsg_query q;
	struct dnsmsg_rr rr[2];
	size_t n = mkquery(b, "localhost", DNSMSG_TYPE_A, false, 0), m;
	size_t ql = n - 12;

	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	dnsmsg_rr_addr(DNSMSG_TYPE_A, v4, 10, &rr[0]);
	m = dnsmsg_encode(&q, DNSMSG_NOERROR, rr, 1, 512, out, sizeof(out));
	ck_assert_uint_eq(m, 12 + ql + 16);
	ck_assert_uint_eq(out[0], 0xbe);
	ck_assert_uint_eq(out[1], 0xef);
	ck_assert_uint_eq(out[2], 0x81);	/* QR, RD */
	ck_assert_uint_eq(out[3], 0x80);	/* RA, NOERROR */
	ck_assert_uint_eq(out[5], 1);
	ck_assert_uint_eq(out[7], 1);
	ck_assert_uint_eq(out[9], 0);
	ck_assert_uint_eq(out[11], 0);
	ck_assert_mem_eq(out + 12, b + 12, ql);
	ck_assert_uint_eq(out[12 + ql], 0xc0);
	ck_assert_uint_eq(out[13 + ql], 12);
	ck_assert_uint_eq(out[15 + ql], DNSMSG_TYPE_A);
	ck_assert_uint_eq(out[17 + ql], 1);
	ck_assert_uint_eq(out[21 + ql], 10);	/* TTL */
	ck_assert_uint_eq(out[23 + ql], 4);
	ck_assert_mem_eq(out + 24 + ql, v4, 4);
	/* An error: no records, the rcode. */
	m = dnsmsg_encode(&q, DNSMSG_REFUSED, NULL, 0, 512, out, sizeof(out));
	ck_assert_uint_eq(m, 12 + ql);
	ck_assert_uint_eq(out[3], 0x85);
	ck_assert_uint_eq(out[7], 0);
	/* PTR RDATA; with EDNS the OPT comes back. */
	n = mkquery(b, "1.0.0.240.in-addr.arpa", DNSMSG_TYPE_PTR, true, 1232);
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	ck_assert(dnsmsg_rr_ptr("localhost.", 10, &rr[1]));
	ck_assert_uint_eq(rr[1].rdlen, 11);
	ck_assert_mem_eq(rr[1].rdata, "\011localhost\0", 11);
	m = dnsmsg_encode(&q, DNSMSG_NOERROR, &rr[1], 1, q.udp_size, out,
	    sizeof(out));
	ck_assert_uint_eq(m, 12 + q.qlen + 12 + 11 + 11);
	ck_assert_uint_eq(out[11], 1);
	ck_assert_uint_eq(out[m - 9], 41);
	ck_assert(!dnsmsg_rr_ptr("a..b", 10, &rr[1]));
}
END_TEST

START_TEST(encode_truncates)
{
	uint8_t b[600], out[2048], a6[16] = { 1 };
	struct dnsmsg_query q;
	struct dnsmsg_rr rr[16];
	size_t n = mkquery(b, "many.example", DNSMSG_TYPE_AAAA, false, 0), m, i;

	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	for (i = 0; i < 16; i++)
		dnsmsg_rr_addr(DNSMSG_TYPE_AAAA, a6, 60, &rr[i]);
	/* 30 + 16 x 28 bytes do not fit in 477: TC, no records. */
	m = dnsmsg_encode(&q, DNSMSG_NOERROR, rr, 16, 477, out, sizeof(out));
	ck_assert_uint_eq(m, 12 + q.qlen);
	ck_assert_uint_eq(out[2] & 0x02, 0x02);
	ck_assert_uint_eq(out[7], 0);
	/* In 478 (and over TCP) they do. */
	ck_assert_uint_eq(dnsmsg_encode(&q, DNSMSG_NOERROR, rr, 16, 478, out,
	    sizeof(out)), 478);
	m = dnsmsg_encode(&q, DNSMSG_NOERROR, rr, 16, DNSMSG_TCP_MAX, out,
	    sizeof(out));
	ck_assert_uint_eq(m, 12 + q.qlen + 16 * 28);
	ck_assert_uint_eq(out[2] & 0x02, 0);
	ck_assert_uint_eq(out[7], 16);
	/* Not even the question fits: nothing. */
	ck_assert_uint_eq(dnsmsg_encode(&q, 0, NULL, 0, 512, out, 12), 0);
	/* A header-only error answer (no question read). */
	b[2] = 2 << 3;
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_BAD);
	m = dnsmsg_encode(&q, q.rcode, NULL, 0, 512, out, sizeof(out));
	ck_assert_uint_eq(m, 12);
	ck_assert_uint_eq(out[2], 0x80 | 2 << 3);
	ck_assert_uint_eq(out[3], 0x80 | DNSMSG_NOTIMP);
	ck_assert_uint_eq(out[5], 0);
}
END_TEST

START_TEST(reverse_names)
{
	struct sockaddr_storage ss;
	char buf[INET6_ADDRSTRLEN];

	ck_assert(dnsmsg_ptr_addr("4.3.2.240.in-addr.arpa", &ss));
	ck_assert_int_eq(ss.ss_family, AF_INET);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "240.2.3.4");
	ck_assert(dnsmsg_ptr_addr("1.0.0.127.IN-ADDR.ARPA.", &ss));
	ck_assert(!dnsmsg_ptr_addr("0.0.127.in-addr.arpa", &ss));
	ck_assert(!dnsmsg_ptr_addr("256.0.0.127.in-addr.arpa", &ss));
	ck_assert(!dnsmsg_ptr_addr("01.0.0.127.in-addr.arpa", &ss));
	ck_assert(!dnsmsg_ptr_addr("1.0.0.127.in-addr.arpa.x", &ss));
	ck_assert(dnsmsg_ptr_addr("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.ip6.arpa", &ss));
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "100::1");
	ck_assert(!dnsmsg_ptr_addr("1.0.ip6.arpa", &ss));
	ck_assert(!dnsmsg_ptr_addr("localhost", &ss));
}
END_TEST

/* An upstream answer to up[0..n) (a query): QR, RA, rcode, one TXT of
 * txtlen bytes (its owner a pointer to the question); returns the length. */
static size_t
mkreply(uint8_t *b, size_t n, uint8_t rcode, size_t txtlen)
{
	b[2] |= 0x80;
	b[3] = (uint8_t)(0x80 | rcode);
	b[7] = txtlen > 0 ? 1 : 0;
	if (txtlen == 0)
		return n;
	b[n++] = 0xc0;
	b[n++] = 12;
	b[n++] = 0;
	b[n++] = 16;		/* TXT */
	b[n++] = 0;
	b[n++] = 1;
	memset(b + n, 0, 4);
	b[n + 3] = 60;
	n += 4;
	b[n++] = (uint8_t)((txtlen + 1) >> 8);
	b[n++] = (uint8_t)(txtlen + 1);
	b[n++] = (uint8_t)txtlen;
	memset(b + n, 'x', txtlen);
	return n + txtlen;
}

START_TEST(forward_query)
{
	uint8_t b[600], out[600];
	struct dnsmsg_query q;
	size_t n = mkquery(b, "Example.ORG", 15, false, 0), m;

	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	m = dnsmsg_make_query(&q, 0x1234, out, sizeof(out));
	ck_assert_uint_eq(m, n);
	ck_assert_uint_eq(out[0], 0x12);
	ck_assert_uint_eq(out[1], 0x34);
	ck_assert_uint_eq(out[2], 0x01);	/* RD, a query */
	ck_assert_uint_eq(out[5], 1);
	ck_assert_uint_eq(out[11], 0);		/* no OPT */
	ck_assert(memcmp(out + 12, b + 12, n - 12) == 0);
	ck_assert_uint_eq(dnsmsg_make_query(&q, 1, out, n - 1), 0);
	/* With the client's OPT: ours (1232, no options). */
	n = mkquery(b, "example.org", 16, true, 4096);
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	m = dnsmsg_make_query(&q, 7, out, sizeof(out));
	ck_assert_uint_eq(m, 12 + q.qlen + 11);
	ck_assert_uint_eq(out[11], 1);
	ck_assert_uint_eq(out[12 + q.qlen + 2], 41);
	ck_assert_uint_eq(out[12 + q.qlen + 3] << 8 | out[12 + q.qlen + 4],
	    DNSMSG_UDP_CAP);
	/* A query without a question (BAD early) makes none. */
	memset(&q, 0, sizeof(q));
	ck_assert_uint_eq(dnsmsg_make_query(&q, 7, out, sizeof(out)), 0);
}
END_TEST

START_TEST(forward_reply_checks)
{
	uint8_t b[600], up[600];
	struct dnsmsg_query q;
	size_t n = mkquery(b, "example.org", 15, false, 0), m, i;
	uint8_t rc;

	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	m = dnsmsg_make_query(&q, 0x4242, up, sizeof(up));
	m = mkreply(up, m, DNSMSG_NXDOMAIN, 0);
	ck_assert_int_eq(dnsmsg_check_reply(tu_guarded(up, m), m, 0x4242, &q,
	    &rc), DNSMSG_OK);
	ck_assert_uint_eq(rc, DNSMSG_NXDOMAIN);
	for (i = 0; i < m; i++)
		ck_assert_int_eq(dnsmsg_check_reply(tu_guarded(up, i), i,
		    0x4242, &q, &rc), DNSMSG_BAD);
	ck_assert_uint_eq(rc, DNSMSG_SERVFAIL);
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4243, &q, &rc),
	    DNSMSG_BAD);
	/* The name's case may differ (0x20 randomisation), nothing else. */
	up[13] = 'E';
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4242, &q, &rc),
	    DNSMSG_OK);
	up[13] = 'f';
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4242, &q, &rc),
	    DNSMSG_BAD);
	up[13] = 'e';
	up[m - 3] = 16;		/* QTYPE TXT, not MX */
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4242, &q, &rc),
	    DNSMSG_BAD);
	up[m - 3] = 15;
	up[2] &= 0x7f;		/* not a response */
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4242, &q, &rc),
	    DNSMSG_BAD);
	up[2] |= 0x80 | 2 << 3;	/* opcode STATUS */
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4242, &q, &rc),
	    DNSMSG_BAD);
	up[2] &= 0x87;
	up[5] = 2;		/* two questions */
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4242, &q, &rc),
	    DNSMSG_BAD);
	up[5] = 1;
	up[12] = 0xc0;		/* a pointer for a name */
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4242, &q, &rc),
	    DNSMSG_BAD);
}
END_TEST

START_TEST(forward_relay)
{
	uint8_t b[600], up[2048], out[2048];
	struct dnsmsg_query q;
	size_t n = mkquery(b, "example.org", 16, true, 512), m, k;
	uint8_t rc;

	b[2] = 0;		/* the client did not ask for recursion */
	ck_assert_int_eq(dnsmsg_parse_query(b, n, &q), DNSMSG_OK);
	m = dnsmsg_make_query(&q, 0x4242, up, sizeof(up));
	/* The OPT moves behind the answer: build it without, add it. */
	up[11] = 0;
	m = mkreply(up, 12 + q.qlen, DNSMSG_NOERROR, 300);
	ck_assert_int_eq(dnsmsg_check_reply(up, m, 0x4242, &q, &rc),
	    DNSMSG_OK);
	k = dnsmsg_relay(&q, up, m, m, 512, out, sizeof(out));
	ck_assert_uint_eq(k, m);
	ck_assert_uint_eq(out[0] << 8 | out[1], 0xbeef);
	ck_assert_uint_eq(out[2], 0x80);	/* QR, RD as the client's */
	ck_assert(memcmp(out + 2 + 1, up + 3, m - 3) == 0);
	/* Too large for 512: header, question, our OPT, TC. */
	m = mkreply(up, 12 + q.qlen, DNSMSG_NOERROR, 600);
	k = dnsmsg_relay(&q, up, m, m, q.udp_size, out, sizeof(out));
	ck_assert_uint_eq(k, 12 + q.qlen + 11);
	ck_assert_uint_eq(out[0] << 8 | out[1], 0xbeef);
	ck_assert(out[2] & 0x02);
	ck_assert_uint_eq(out[3] & 0x0f, 0);
	ck_assert_uint_eq(out[7], 0);
	ck_assert_uint_eq(out[11], 1);
	/* Fits over TCP, but only part of it was read: TC too. */
	k = dnsmsg_relay(&q, up, m, m + 100, DNSMSG_TCP_MAX, out, sizeof(out));
	ck_assert(out[2] & 0x02);
	ck_assert_uint_eq(out[7], 0);
	k = dnsmsg_relay(&q, up, m, m, DNSMSG_TCP_MAX, out, sizeof(out));
	ck_assert_uint_eq(k, m);
	ck_assert(!(out[2] & 0x02));
	/* No room for even the question; less than a header. */
	ck_assert_uint_eq(dnsmsg_relay(&q, up, m, m, 20, out, sizeof(out)), 0);
	ck_assert_uint_eq(dnsmsg_relay(&q, up, 11, 11, 512, out, sizeof(out)),
	    0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dnsmsg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, query_fields);
	tcase_add_test(tc, query_edns);
	tcase_add_test(tc, every_prefix_refused);
	tcase_add_test(tc, header_checks);
	tcase_add_test(tc, compression_refused);
	tcase_add_test(tc, name_limits);
	tcase_add_test(tc, encode_answers);
	tcase_add_test(tc, encode_truncates);
	tcase_add_test(tc, reverse_names);
	tcase_add_test(tc, forward_query);
	tcase_add_test(tc, forward_reply_checks);
	tcase_add_test(tc, forward_relay);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
