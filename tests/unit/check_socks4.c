/*
 * check_socks4.c - unit tests for the SOCKS4/4A codec (src/socks4.h).
 *
 * Covered: CONNECT and BIND requests, SOCKS4A names, an empty and a
 * 255-byte USERID and name, the bounds (256 bytes without a NUL is an
 * error, not NEED_MORE for ever), truncation at every byte (each prefix
 * right before an unmapped guard page, so over-reads crash), pipelined
 * bytes after the request, a wrong version, the conversion to a SOCKS5
 * destination, reply encoding, the address families a reply can carry,
 * and encode -> parse round trips.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "socks4.h"
#include "testutil.h"

#define SENTINEL	((size_t)0xC0FFEE)

/* A request of the given parts: the bytes in out, their count returned. */
static size_t
build(uint8_t *out, uint8_t cmd, uint16_t port, const uint8_t ip[4],
    const char *userid, size_t ulen, const char *name, size_t nlen)
{
	size_t n = 0;

	out[n++] = 4;
	out[n++] = cmd;
	out[n++] = (uint8_t)(port >> 8);
	out[n++] = (uint8_t)port;
	memcpy(out + n, ip, 4);
	n += 4;
	memcpy(out + n, userid, ulen);
	n += ulen;
	out[n++] = 0;
	if (name != NULL) {
		memcpy(out + n, name, nlen);
		n += nlen;
		out[n++] = 0;
	}
	return n;
}

static const uint8_t ip_lo[4] = { 127, 0, 0, 1 };
static const uint8_t ip_4a[4] = { 0, 0, 0, 1 };

START_TEST(test_connect_v4)
{
	uint8_t buf[64];
	struct socks4_request req;
	struct socks5_addr a;
	size_t n, used = SENTINEL;

	n = build(buf, S4_CMD_CONNECT, 8080, ip_lo, "bob", 3, NULL, 0);
	ck_assert_int_eq(socks4_parse_request(buf, n, &req, &used), S4_OK);
	ck_assert_uint_eq(used, n);
	ck_assert_uint_eq(req.cmd, S4_CMD_CONNECT);
	ck_assert_uint_eq(req.port, 8080);
	ck_assert(!req.has_name);
	ck_assert_str_eq(req.userid, "bob");
	ck_assert_uint_eq(req.useridlen, 3);
	socks4_request_dest(&req, &a);
	ck_assert_uint_eq(a.atyp, S5_ATYP_IPV4);
	ck_assert_uint_eq(a.port, 8080);
	ck_assert_mem_eq(a.u.v4, ip_lo, 4);
}
END_TEST

START_TEST(test_socks4a_name)
{
	uint8_t buf[64];
	struct socks4_request req;
	struct socks5_addr a;
	size_t n, used = SENTINEL;

	n = build(buf, S4_CMD_BIND, 21, ip_4a, "", 0, "v6only.example", 14);
	ck_assert_int_eq(socks4_parse_request(buf, n, &req, &used), S4_OK);
	ck_assert_uint_eq(used, n);
	ck_assert_uint_eq(req.cmd, S4_CMD_BIND);
	ck_assert(req.has_name);
	ck_assert_str_eq(req.name, "v6only.example");
	ck_assert_uint_eq(req.namelen, 14);
	ck_assert_str_eq(req.userid, "");
	socks4_request_dest(&req, &a);
	ck_assert_uint_eq(a.atyp, S5_ATYP_DOMAINNAME);
	ck_assert_str_eq(a.u.name, "v6only.example");
	ck_assert_uint_eq(a.namelen, 14);
	ck_assert_uint_eq(a.port, 21);
}
END_TEST

/* 0.0.0.0 is not 4A (x must not be 0): no name is read. */
START_TEST(test_zero_ip_not_4a)
{
	static const uint8_t zero[4];
	uint8_t buf[64];
	struct socks4_request req;
	size_t n, used;

	n = build(buf, S4_CMD_BIND, 0, zero, "u", 1, NULL, 0);
	ck_assert_int_eq(socks4_parse_request(buf, n, &req, &used), S4_OK);
	ck_assert(!req.has_name);
	ck_assert_uint_eq(used, n);
}
END_TEST

/* Every prefix of a valid request is NEED_MORE, read within bounds. */
START_TEST(test_truncated)
{
	uint8_t buf[64];
	struct socks4_request req;
	size_t n, k, used;

	n = build(buf, S4_CMD_CONNECT, 80, ip_4a, "user", 4, "host.example",
	    12);
	for (k = 0; k < n; k++) {
		used = SENTINEL;
		ck_assert_int_eq(socks4_parse_request(tu_guarded(buf, k), k,
		    &req, &used), S4_NEED_MORE);
		ck_assert_uint_eq(used, SENTINEL);
	}
	ck_assert_int_eq(socks4_parse_request(tu_guarded(buf, n), n, &req,
	    &used), S4_OK);
	ck_assert_uint_eq(used, n);
}
END_TEST

START_TEST(test_max_lengths)
{
	uint8_t buf[S4_REQUEST_MAX + 8];
	char u[256], h[256];
	struct socks4_request req;
	size_t n, used;

	memset(u, 'u', sizeof(u));
	memset(h, 'h', sizeof(h));
	n = build(buf, S4_CMD_CONNECT, 1, ip_4a, u, 255, h, 255);
	ck_assert_uint_eq(n, S4_REQUEST_MAX);
	ck_assert_int_eq(socks4_parse_request(tu_guarded(buf, n), n, &req,
	    &used), S4_OK);
	ck_assert_uint_eq(req.useridlen, 255);
	ck_assert_uint_eq(req.namelen, 255);
	ck_assert_uint_eq(strlen(req.userid), 255);
	ck_assert_uint_eq(strlen(req.name), 255);
	ck_assert_uint_eq(used, n);
}
END_TEST

/* 256 bytes and still no NUL: an error, at once. */
START_TEST(test_too_long)
{
	uint8_t buf[S4_REQUEST_MAX + 8];
	char u[300], h[300];
	struct socks4_request req;
	size_t n, used;

	memset(u, 'u', sizeof(u));
	memset(h, 'h', sizeof(h));
	n = build(buf, S4_CMD_CONNECT, 1, ip_lo, u, 256, NULL, 0);
	ck_assert_int_eq(socks4_parse_request(tu_guarded(buf, n - 1), n - 1,
	    &req, &used), S4_ERR_FORMAT);
	/* 255 bytes without a NUL yet: wait for it. */
	ck_assert_int_eq(socks4_parse_request(tu_guarded(buf, 8 + 255),
	    8 + 255, &req, &used), S4_NEED_MORE);
	n = build(buf, S4_CMD_CONNECT, 1, ip_4a, "", 0, h, 256);
	ck_assert_int_eq(socks4_parse_request(tu_guarded(buf, n - 1), n - 1,
	    &req, &used), S4_ERR_FORMAT);
	n = build(buf, S4_CMD_CONNECT, 1, ip_4a, "", 0, "", 0);
	ck_assert_int_eq(socks4_parse_request(buf, n, &req, &used),
	    S4_ERR_FORMAT);
}
END_TEST

START_TEST(test_version_and_pipeline)
{
	uint8_t buf[64];
	struct socks4_request req;
	size_t n, used;

	n = build(buf, 0x7f, 80, ip_lo, "", 0, NULL, 0);
	memcpy(buf + n, "GET /", 5);
	ck_assert_int_eq(socks4_parse_request(buf, n + 5, &req, &used), S4_OK);
	ck_assert_uint_eq(used, n);
	ck_assert_uint_eq(req.cmd, 0x7f);	/* the caller rejects it */
	buf[0] = 5;
	ck_assert_int_eq(socks4_parse_request(buf, 1, &req, &used),
	    S4_ERR_VERSION);
	ck_assert_int_eq(socks4_parse_request(buf, 0, &req, &used),
	    S4_NEED_MORE);
}
END_TEST

START_TEST(test_reply)
{
	static const uint8_t want[8] = { 0, 0x5A, 0x1f, 0x90, 10, 1, 2, 3 };
	static const uint8_t ip[4] = { 10, 1, 2, 3 };
	uint8_t out[8];

	ck_assert_uint_eq(socks4_encode_reply(S4_REP_GRANTED, ip, 8080, out,
	    sizeof(out)), 8);
	ck_assert_mem_eq(out, want, 8);
	ck_assert_uint_eq(socks4_encode_reply(S4_REP_GRANTED, ip, 8080, out,
	    7), 0);
}
END_TEST

START_TEST(test_addr_families)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	uint8_t ip[4];
	uint16_t port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(1080);
	inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr);
	ck_assert_int_eq(socks4_addr_from_sockaddr((struct sockaddr *)&sin,
	    ip, &port), S4_OK);
	ck_assert_uint_eq(port, 1080);
	ck_assert_uint_eq(ip[0], 192);
	ck_assert_uint_eq(ip[3], 7);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(21);
	inet_pton(AF_INET6, "::ffff:198.51.100.9", &sin6.sin6_addr);
	ck_assert_int_eq(socks4_addr_from_sockaddr((struct sockaddr *)&sin6,
	    ip, &port), S4_OK);
	ck_assert_uint_eq(port, 21);
	ck_assert_uint_eq(ip[0], 198);
	ck_assert_uint_eq(ip[3], 9);
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	ck_assert_int_eq(socks4_addr_from_sockaddr((struct sockaddr *)&sin6,
	    ip, &port), S4_ERR_FAMILY);
	ck_assert_int_eq(socks4_addr_from_sockaddr(NULL, ip, &port), S4_OK);
	ck_assert_uint_eq(port, 0);
	ck_assert_uint_eq(ip[0] | ip[1] | ip[2] | ip[3], 0);
}
END_TEST

START_TEST(test_round_trip)
{
	struct socks4_request in, outreq;
	uint8_t buf[S4_REQUEST_MAX];
	size_t n, used;

	memset(&in, 0, sizeof(in));
	in.cmd = S4_CMD_CONNECT;
	in.port = 443;
	in.has_name = true;
	snprintf(in.userid, sizeof(in.userid), "alice");
	snprintf(in.name, sizeof(in.name), "example.org");
	n = socks4_encode_request(&in, buf, sizeof(buf));
	ck_assert_uint_eq(n, 8 + 6 + 12);
	ck_assert_int_eq(socks4_parse_request(buf, n, &outreq, &used), S4_OK);
	ck_assert_uint_eq(used, n);
	ck_assert(outreq.has_name);
	ck_assert_str_eq(outreq.name, "example.org");
	ck_assert_str_eq(outreq.userid, "alice");
	ck_assert_uint_eq(outreq.port, 443);
	ck_assert_uint_eq(socks4_encode_request(&in, buf, n - 1), 0);
}
END_TEST

static Suite *
socks4_suite(void)
{
	Suite *s = suite_create("socks4");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_connect_v4);
	tcase_add_test(tc, test_socks4a_name);
	tcase_add_test(tc, test_zero_ip_not_4a);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_max_lengths);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_version_and_pipeline);
	tcase_add_test(tc, test_reply);
	tcase_add_test(tc, test_addr_families);
	tcase_add_test(tc, test_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(socks4_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
