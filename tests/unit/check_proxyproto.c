/*
 * check_proxyproto.c - unit tests for the PROXY protocol parser
 * (src/proxyproto.h).
 *
 * Covered: v1 TCP4, TCP6 and UNKNOWN lines (the spec's longest, 107
 * bytes), malformed v1 lines (double spaces, trailing words, leading
 * zeros, ports over 65535, addresses of the other family, a bare LF,
 * control bytes, 107 bytes without CRLF), v2 PROXY over INET and INET6
 * with TLVs after the addresses, LOCAL, UNSPEC and UNIX, bad version,
 * command, family and a short address block; every prefix of a valid
 * header is NEED_MORE (each right before an unmapped guard page, so
 * over-reads crash) with a hint no longer than the header; client bytes
 * after a header are left alone; garbage fails at its first byte.
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

#include "proxyproto.h"
#include "testutil.h"

static const uint8_t sig[12] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A,
    0x51, 0x55, 0x49, 0x54, 0x0A };

static enum proxyproto_status
parse(const void *p, size_t len, struct proxyproto_hdr *h, size_t *used)
{
	const char *why = "unset";
	enum proxyproto_status st;

	*used = 0xC0FFEE;
	st = proxyproto_parse(tu_guarded(p, len), len, h, used, &why);
	if (st == PROXYPROTO_ERROR)
		ck_assert_msg(why != NULL && why[0] != '\0', "no reason");
	return st;
}

static void
assert_addr(const struct sockaddr_storage *ss, int af, const char *text,
    uint16_t port)
{
	char buf[INET6_ADDRSTRLEN];
	const void *a;
	uint16_t p;

	ck_assert_int_eq(ss->ss_family, af);
	if (af == AF_INET) {
		a = &((const struct sockaddr_in *)ss)->sin_addr;
		p = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	} else {
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		p = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	ck_assert_ptr_nonnull(inet_ntop(af, a, buf, sizeof(buf)));
	ck_assert_str_eq(buf, text);
	ck_assert_uint_eq(p, port);
}

/* Every prefix of a complete header is NEED_MORE with a sane hint. */
static void
assert_prefixes(const uint8_t *p, size_t len)
{
	struct proxyproto_hdr h;
	size_t i, used;

	for (i = 0; i < len; i++) {
		ck_assert_msg(parse(p, i, &h, &used) == PROXYPROTO_NEED_MORE,
		    "prefix %zu of %zu", i, len);
		ck_assert_uint_gt(used, i);
		ck_assert_uint_le(used, len);
	}
}

START_TEST(v1_tcp4)
{
	const char *s = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 1080\r\n";
	struct proxyproto_hdr h;
	size_t used;

	ck_assert_int_eq(parse(s, strlen(s), &h, &used), PROXYPROTO_OK);
	ck_assert_uint_eq(used, strlen(s));
	ck_assert_int_eq(h.version, 1);
	ck_assert_int_eq(h.kind, PROXYPROTO_PROXY);
	assert_addr(&h.src, AF_INET, "192.0.2.7", 56324);
	assert_addr(&h.dst, AF_INET, "198.51.100.1", 1080);
	assert_prefixes((const uint8_t *)s, strlen(s));
}
END_TEST

START_TEST(v1_tcp6_and_client_bytes)
{
	const char *s = "PROXY TCP6 2001:db8::7 ::1 0 65535\r\n\x05\x01\x00";
	struct proxyproto_hdr h;
	size_t used;

	ck_assert_int_eq(parse(s, strlen(s) + 1, &h, &used), PROXYPROTO_OK);
	ck_assert_uint_eq(used, strlen(s) - 2);
	assert_addr(&h.src, AF_INET6, "2001:db8::7", 0);
	assert_addr(&h.dst, AF_INET6, "::1", 65535);
}
END_TEST

START_TEST(v1_unknown_and_longest)
{
	char s[256];
	struct proxyproto_hdr h;
	size_t used;

	strcpy(s, "PROXY UNKNOWN\r\n");
	ck_assert_int_eq(parse(s, strlen(s), &h, &used), PROXYPROTO_OK);
	ck_assert_int_eq(h.kind, PROXYPROTO_UNKNOWN);
	ck_assert_uint_eq(used, 15);
	/* The spec's worst case: UNKNOWN with two full IPv6 addresses. */
	strcpy(s, "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n");
	ck_assert_uint_eq(strlen(s), PROXYPROTO_V1_MAX);
	ck_assert_int_eq(parse(s, strlen(s), &h, &used), PROXYPROTO_OK);
	ck_assert_uint_eq(used, PROXYPROTO_V1_MAX);
	assert_prefixes((const uint8_t *)s, strlen(s));
	/* One byte more and no CRLF within 107 bytes. */
	memmove(s + 15, s + 14, strlen(s + 14) + 1);
	s[14] = 'f';
	ck_assert_int_eq(parse(s, strlen(s), &h, &used), PROXYPROTO_ERROR);
}
END_TEST

START_TEST(v1_malformed)
{
	static const char *const bad[] = {
		"PROXY TCP4  192.0.2.7 192.0.2.1 1 2\r\n",
		"PROXY TCP4 192.0.2.7 192.0.2.1 1 2 3\r\n",
		"PROXY TCP4 192.0.2.7 192.0.2.1 1 2 \r\n",
		"PROXY TCP4 192.0.2.7 192.0.2.1 01 2\r\n",
		"PROXY TCP4 192.0.2.7 192.0.2.1 1 65536\r\n",
		"PROXY TCP4 192.0.2.7 192.0.2.1 1 -2\r\n",
		"PROXY TCP4 192.0.2.7 192.0.2.1 1\r\n",
		"PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n",
		"PROXY TCP6 192.0.2.7 ::1 1 2\r\n",
		"PROXY TCP4 192.0.2.256 192.0.2.1 1 2\r\n",
		"PROXY UDP4 192.0.2.7 192.0.2.1 1 2\r\n",
		"PROXY TCP4 192.0.2.7 192.0.2.1 1 2\n",
		"PROXY TCP4 192.0.2.7\t192.0.2.1 1 2\r\n",
		"PROXY TCP4 192.0.2.7 192.0.2.1 1 2\r\r\n",
		"PROXY \r\n",
		"PROXY UNKNOWNX\r\n",
		"proxy TCP4 192.0.2.7 192.0.2.1 1 2\r\n",
		"GET / HTTP/1.0\r\n",
	};
	struct proxyproto_hdr h;
	size_t i, used;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], strlen(bad[i]), &h, &used) ==
		    PROXYPROTO_ERROR, "accepted: %s", bad[i]);
}
END_TEST

START_TEST(garbage_fails_at_once)
{
	static const uint8_t socks5[] = { 0x05, 0x01, 0x00 };
	static const uint8_t v2ish[] = { 0x0D, 0x0A, 0x0D, 0x0B };
	struct proxyproto_hdr h;
	size_t used;

	ck_assert_int_eq(parse(socks5, 1, &h, &used), PROXYPROTO_ERROR);
	ck_assert_int_eq(parse("PRO", 3, &h, &used), PROXYPROTO_NEED_MORE);
	ck_assert_int_eq(parse("PROXX", 5, &h, &used), PROXYPROTO_ERROR);
	ck_assert_int_eq(parse(v2ish, sizeof(v2ish), &h, &used),
	    PROXYPROTO_ERROR);
	ck_assert_int_eq(parse("PROXY TCP4 1\x01", 13, &h, &used),
	    PROXYPROTO_ERROR);
	ck_assert_int_eq(parse("", 0, &h, &used), PROXYPROTO_NEED_MORE);
	ck_assert_uint_eq(used, 1);
}
END_TEST

/* A v2 header: command, family/transport, address block, extra bytes. */
static size_t
v2(uint8_t *out, uint8_t vc, uint8_t ft, const uint8_t *addrs, size_t alen,
    size_t tlv)
{
	size_t n = 0, len = alen + tlv;

	memcpy(out, sig, 12);
	n = 12;
	out[n++] = vc;
	out[n++] = ft;
	out[n++] = (uint8_t)(len >> 8);
	out[n++] = (uint8_t)len;
	memcpy(out + n, addrs, alen);
	n += alen;
	memset(out + n, 0xEE, tlv);
	return n + tlv;
}

START_TEST(v2_inet_with_tlvs)
{
	static const uint8_t a[12] = { 192, 0, 2, 7, 198, 51, 100, 1,
	    0xDC, 0x04, 0x04, 0x38 };
	uint8_t b[256];
	struct proxyproto_hdr h;
	size_t n, used;

	n = v2(b, 0x21, 0x11, a, sizeof(a), 20);
	b[n] = 0x05;	/* the client's first byte */
	ck_assert_int_eq(parse(b, n + 1, &h, &used), PROXYPROTO_OK);
	ck_assert_uint_eq(used, n);
	ck_assert_int_eq(h.version, 2);
	ck_assert_int_eq(h.kind, PROXYPROTO_PROXY);
	assert_addr(&h.src, AF_INET, "192.0.2.7", 56324);
	assert_addr(&h.dst, AF_INET, "198.51.100.1", 1080);
	assert_prefixes(b, n);
}
END_TEST

START_TEST(v2_inet6)
{
	uint8_t a[36] = { 0x20, 0x01, 0x0d, 0xb8 }, b[256];
	struct proxyproto_hdr h;
	size_t n, used;

	a[15] = 7;
	a[31] = 1;
	a[32] = 0x12;
	a[33] = 0x34;
	a[34] = 0x04;
	a[35] = 0x38;
	n = v2(b, 0x21, 0x21, a, sizeof(a), 0);
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_OK);
	ck_assert_uint_eq(used, n);
	assert_addr(&h.src, AF_INET6, "2001:db8::7", 0x1234);
	assert_addr(&h.dst, AF_INET6, "::1", 1080);
	/* The INET6 family with an INET-sized block is an error. */
	n = v2(b, 0x21, 0x21, a, 12, 0);
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_ERROR);
}
END_TEST

START_TEST(v2_local_unspec_unix)
{
	uint8_t a[216] = { 0 }, b[300];
	struct proxyproto_hdr h;
	size_t n, used;

	n = v2(b, 0x20, 0x00, a, 0, 0);		/* HAProxy's health check */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_OK);
	ck_assert_int_eq(h.kind, PROXYPROTO_LOCAL);
	ck_assert_uint_eq(used, 16);
	n = v2(b, 0x20, 0x11, a, 12, 0);	/* LOCAL ignores addresses */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_OK);
	ck_assert_int_eq(h.kind, PROXYPROTO_LOCAL);
	n = v2(b, 0x21, 0x00, a, 0, 0);		/* PROXY, AF_UNSPEC */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_OK);
	ck_assert_int_eq(h.kind, PROXYPROTO_UNKNOWN);
	n = v2(b, 0x21, 0x31, a, sizeof(a), 0);	/* AF_UNIX */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_OK);
	ck_assert_int_eq(h.kind, PROXYPROTO_UNKNOWN);
	n = v2(b, 0x21, 0x12, a, 12, 0);	/* UDP over INET */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_OK);
	ck_assert_int_eq(h.kind, PROXYPROTO_UNKNOWN);
}
END_TEST

START_TEST(v2_malformed)
{
	uint8_t a[12] = { 0 }, b[64];
	struct proxyproto_hdr h;
	size_t n, used;

	n = v2(b, 0x11, 0x11, a, 12, 0);	/* version 1 */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_ERROR);
	n = v2(b, 0x22, 0x11, a, 12, 0);	/* command 2 */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_ERROR);
	n = v2(b, 0x21, 0x41, a, 12, 0);	/* family 4 */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_ERROR);
	n = v2(b, 0x21, 0x13, a, 12, 0);	/* transport 3 */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_ERROR);
	n = v2(b, 0x21, 0x11, a, 11, 0);	/* short INET block */
	ck_assert_int_eq(parse(b, n, &h, &used), PROXYPROTO_ERROR);
	/* An error is found on the fixed part, before the length arrives. */
	n = v2(b, 0x31, 0x11, a, 12, 0);
	ck_assert_int_eq(parse(b, 16, &h, &used), PROXYPROTO_ERROR);
}
END_TEST

START_TEST(v2_longest)
{
	static const uint8_t a[12] = { 10, 0, 0, 1, 10, 0, 0, 2, 0, 1, 0, 2 };
	uint8_t *b = malloc(PROXYPROTO_V2_MAX + 1);
	struct proxyproto_hdr h;
	const char *why;
	size_t n, used;

	ck_assert_ptr_nonnull(b);
	n = v2(b, 0x21, 0x11, a, sizeof(a), 65535 - sizeof(a));
	ck_assert_uint_eq(n, PROXYPROTO_V2_MAX);
	ck_assert_int_eq(proxyproto_parse(b, n - 1, &h, &used, &why),
	    PROXYPROTO_NEED_MORE);
	ck_assert_uint_eq(used, PROXYPROTO_V2_MAX);
	ck_assert_int_eq(proxyproto_parse(b, n + 1, &h, &used, &why),
	    PROXYPROTO_OK);
	ck_assert_uint_eq(used, PROXYPROTO_V2_MAX);
	free(b);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("proxyproto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, v1_tcp4);
	tcase_add_test(tc, v1_tcp6_and_client_bytes);
	tcase_add_test(tc, v1_unknown_and_longest);
	tcase_add_test(tc, v1_malformed);
	tcase_add_test(tc, garbage_fails_at_once);
	tcase_add_test(tc, v2_inet_with_tlvs);
	tcase_add_test(tc, v2_inet6);
	tcase_add_test(tc, v2_local_unspec_unix);
	tcase_add_test(tc, v2_malformed);
	tcase_add_test(tc, v2_longest);
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
