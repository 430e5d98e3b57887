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
static const uint8_t ip_zero[4];

/* Requests that parse: what build() gets, and what comes out. */
static const struct ok_case {
	uint8_t		 cmd;
	uint16_t	 port;
	const uint8_t	*ip;
	const char	*userid;
	const char	*name;		/* NULL: none sent */
	bool		 has_name;	/* SOCKS4A */
} ok_cases[] = {
	{ S4_CMD_CONNECT, 8080, ip_lo, "bob", NULL, false },
	{ S4_CMD_BIND, 21, ip_4a, "", "v6only.example", true },
	/* 0.0.0.0 is not 4A (x must not be 0): no name is read. */
	{ S4_CMD_BIND, 0, ip_zero, "u", NULL, false },
};

START_TEST(test_parse_ok)
{
	const struct ok_case *c = &ok_cases[_i];
	size_t ulen = strlen(c->userid);
	size_t nlen = c->name != NULL ? strlen(c->name) : 0;
	uint8_t buf[64];
	struct socks4_request req;
	struct socks5_addr a;
	size_t n, used = SENTINEL;

	n = build(buf, c->cmd, c->port, c->ip, c->userid, ulen, c->name, nlen);
	ck_assert_int_eq(socks4_parse_request(buf, n, &req, &used), S4_OK);
	ck_assert_uint_eq(used, n);
	ck_assert_uint_eq(req.cmd, c->cmd);
	ck_assert_uint_eq(req.port, c->port);
	ck_assert_str_eq(req.userid, c->userid);
	ck_assert_uint_eq(req.useridlen, ulen);
	ck_assert(req.has_name == c->has_name);
	socks4_request_dest(&req, &a);
	ck_assert_uint_eq(a.port, c->port);
	if (c->has_name) {
		ck_assert_str_eq(req.name, c->name);
		ck_assert_uint_eq(req.namelen, nlen);
		ck_assert_uint_eq(a.atyp, S5_ATYP_DOMAINNAME);
		ck_assert_str_eq(a.u.name, c->name);
		ck_assert_uint_eq(a.namelen, nlen);
	} else {
		ck_assert_uint_eq(a.atyp, S5_ATYP_IPV4);
		ck_assert_mem_eq(a.u.v4, c->ip, 4);
	}
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

/*
 * Requests that do not parse: a USERID of ulen 'u' and a name of nlen
 * 'h' (-1: none), the last cut bytes not given.
 */
static const struct bad_case {
	const uint8_t	*ip;
	int		 ulen, nlen;
	size_t		 cut;
	enum socks4_status want;
} bad_cases[] = {
	/* 256 bytes and still no NUL: an error, at once. */
	{ ip_lo, 256, -1, 1, S4_ERR_FORMAT },
	/* 255 bytes without a NUL yet: wait for it. */
	{ ip_lo, 256, -1, 2, S4_NEED_MORE },
	{ ip_4a, 0, 256, 1, S4_ERR_FORMAT },
	/* An empty SOCKS4A name. */
	{ ip_4a, 0, 0, 0, S4_ERR_FORMAT },
};

START_TEST(test_parse_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	uint8_t buf[S4_REQUEST_MAX + 8];
	char u[300], h[300];
	struct socks4_request req;
	size_t n, used = SENTINEL;

	memset(u, 'u', sizeof(u));
	memset(h, 'h', sizeof(h));
	n = build(buf, S4_CMD_CONNECT, 1, c->ip, u, (size_t)c->ulen,
	    c->nlen >= 0 ? h : NULL, c->nlen >= 0 ? (size_t)c->nlen : 0);
	n -= c->cut;
	ck_assert_int_eq(socks4_parse_request(tu_guarded(buf, n), n, &req,
	    &used), c->want);
	ck_assert_uint_eq(used, SENTINEL);
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

/* Where a reply's address comes from: text NULL is no address at all. */
static const struct af_case {
	int		 family;
	const char	*text;
	uint16_t	 port;
	enum socks4_status want;
	uint8_t		 ip[4];
} af_cases[] = {
	{ AF_INET, "192.0.2.7", 1080, S4_OK, { 192, 0, 2, 7 } },
	{ AF_INET6, "::ffff:198.51.100.9", 21, S4_OK, { 198, 51, 100, 9 } },
	{ AF_INET6, "2001:db8::1", 21, S4_ERR_FAMILY, { 0 } },
	{ AF_UNSPEC, NULL, 0, S4_OK, { 0, 0, 0, 0 } },
};

START_TEST(test_addr_families)
{
	const struct af_case *c = &af_cases[_i];
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	uint8_t ip[4];
	uint16_t port = 0xffff;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)c->family;
	if (c->family == AF_INET) {
		sin->sin_port = htons(c->port);
		ck_assert_int_eq(inet_pton(AF_INET, c->text,
		    &sin->sin_addr), 1);
	} else if (c->family == AF_INET6) {
		sin6->sin6_port = htons(c->port);
		ck_assert_int_eq(inet_pton(AF_INET6, c->text,
		    &sin6->sin6_addr), 1);
	}
	ck_assert_int_eq(socks4_addr_from_sockaddr(c->text != NULL ?
	    (struct sockaddr *)&ss : NULL, ip, &port), c->want);
	if (c->want != S4_OK)
		return;
	ck_assert_uint_eq(port, c->port);
	ck_assert_mem_eq(ip, c->ip, 4);
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

	tcase_add_loop_test(tc, test_parse_ok, 0,
	    (int)(sizeof(ok_cases) / sizeof(ok_cases[0])));
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_max_lengths);
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_version_and_pipeline);
	tcase_add_test(tc, test_reply);
	tcase_add_loop_test(tc, test_addr_families, 0,
	    (int)(sizeof(af_cases) / sizeof(af_cases[0])));
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
