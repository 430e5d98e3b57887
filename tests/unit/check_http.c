/*
 * check_http.c - unit tests for src/http_parse.c (the HTTP proxy door's
 * parsers).
 *
 * Covered: absolute-form and authority-form targets (names, IPv4, IPv6
 * in brackets, default port, path and query, empty path); every prefix
 * of a valid head is NEED_MORE; bare LF line ends; methods not forwarded
 * (501), other versions (505), https:// and userinfo (400); obs-fold,
 * a space before the colon and control bytes (400); Content-Length
 * duplicates (same: fine, different: 400), CL with TE and TE other than
 * chunked (400: smuggling); the 8 KiB line (414), 64 KiB of fields and
 * 100 fields (431); hop-by-hop fields including names Connection lists;
 * Basic credentials (split at the first ':', bad base64, other scheme,
 * empty user); chunk-size lines; trailers; response heads; persistence
 * (RFC 9112 section 9.3) and response framing.  Inputs end
 * at a guard page (testutil.h).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "testutil.h"

static struct http_request rq;
static struct http_response rs;

static enum http_status
req(const char *s)
{
	return http_parse_request(tu_guarded(s, strlen(s)), strlen(s), &rq);
}

static enum http_status
req_big(const uint8_t *b, size_t n)
{
	return http_parse_request(b, n, &rq);
}

static int
span_eq(const char *buf, struct http_span s, const char *want)
{
	return s.len == strlen(want) && memcmp(buf + s.off, want, s.len) == 0;
}

START_TEST(test_absolute_form)
{
	const char *m = "GET http://example.com:8080/a/b?q=1 HTTP/1.1\r\n"
	    "Host: example.com:8080\r\nAccept: */*\r\n\r\n";

	ck_assert_int_eq(http_parse_request((const uint8_t *)m, strlen(m),
	    &rq), HTTP_OK);
	ck_assert_int_eq(rq.method, HTTP_M_GET);
	ck_assert_str_eq(rq.host, "example.com");
	ck_assert_int_eq(rq.port, 8080);
	ck_assert(span_eq(m, rq.path, "/a/b?q=1"));
	ck_assert(span_eq(m, rq.authority, "example.com:8080"));
	ck_assert_int_eq(rq.head.minor, 1);
	ck_assert_int_eq(rq.head.nfields, 2);
	ck_assert_uint_eq(rq.head.len, strlen(m));
	ck_assert(span_eq(m, rq.head.f[1].value, "*/*"));
}
END_TEST

START_TEST(test_forms)
{
	ck_assert_int_eq(req("HEAD http://h HTTP/1.0\r\n\r\n"), HTTP_OK);
	ck_assert_int_eq(rq.port, 80);
	ck_assert_int_eq(rq.path.len, 0);
	ck_assert_int_eq(rq.head.minor, 0);
	ck_assert_int_eq(req("GET http://[::1]:81/x HTTP/1.1\n\n"), HTTP_OK);
	ck_assert_str_eq(rq.host, "::1");
	ck_assert(rq.host_v6);
	ck_assert_int_eq(rq.port, 81);
	ck_assert_int_eq(req("CONNECT 192.0.2.1:443 HTTP/1.1\r\n\r\n"),
	    HTTP_OK);
	ck_assert_int_eq(rq.method, HTTP_M_CONNECT);
	ck_assert_str_eq(rq.host, "192.0.2.1");
	ck_assert_int_eq(rq.port, 443);
	ck_assert_int_eq(req("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n"),
	    HTTP_OK);
	ck_assert_str_eq(rq.host, "2001:db8::1");
	ck_assert_int_eq(req("PATCH HTTP://H.example?x HTTP/1.1\r\n\r\n"),
	    HTTP_OK);
	ck_assert_str_eq(rq.host, "H.example");
	/* CONNECT needs a port; forms that are not ours. */
	ck_assert_int_eq(req("CONNECT h HTTP/1.1\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("CONNECT h:0 HTTP/1.1\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("CONNECT h:65536 HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET /x HTTP/1.1\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET https://h/ HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://u:p@h/ HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://[::1/ HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://h/#f HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://h/  HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("BREW http://h/ HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_METHOD);
	ck_assert_int_eq(req("get http://h/ HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_METHOD);
	ck_assert_int_eq(req("GET http://h/ HTTP/2.0\r\n\r\n"),
	    HTTP_ERR_VERSION);
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1x\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("garbage\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("\r\nGET http://h/ HTTP/1.1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
}
END_TEST

START_TEST(test_need_more)
{
	const char *m = "POST http://h/ HTTP/1.1\r\nContent-Length: 5\r\n"
	    "Proxy-Authorization: Basic YTpi\r\n\r\n";
	size_t i;

	for (i = 0; i < strlen(m); i++)
		ck_assert_int_eq(http_parse_request(tu_guarded(m, i), i, &rq),
		    HTTP_NEED_MORE);
	ck_assert_int_eq(req(m), HTTP_OK);
	ck_assert(rq.head.has_length);
	ck_assert_uint_eq(rq.head.length, 5);
	ck_assert(span_eq(m, rq.auth, "Basic YTpi"));
}
END_TEST

START_TEST(test_fields)
{
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1\r\nA: 1\r\n b\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1\r\nA : 1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1\r\n: 1\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1\r\nA: 1\r2\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1\r\nA\r\n\r\n"),
	    HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1\r\nA:\t x \t\r\n\r\n"),
	    HTTP_OK);
	ck_assert_int_eq(rq.head.f[0].value.len, 1);
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1\r\nExpect: 100-Continue"
	    "\r\nConnection: foo, close\r\n\r\n"), HTTP_OK);
	ck_assert(rq.expect_continue);
	ck_assert(rq.head.conn_close);
	ck_assert_int_eq(req("GET http://h/ HTTP/1.1\r\nProxy-Authorization: "
	    "a\r\nProxy-Authorization: a\r\n\r\n"), HTTP_ERR_FORMAT);
}
END_TEST

START_TEST(test_smuggling)
{
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Content-Length: 3\r\n\r\n"), HTTP_OK);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Content-Length: 4\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nContent-Length: 3,4"
	    "\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nContent-Length: -1"
	    "\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nContent-Length: "
	    "9999999999999999999\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nTransfer-Encoding: "
	    "gzip\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nTransfer-Encoding: "
	    "chunked, gzip\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nTransfer-Encoding: "
	    "chunked\r\nTransfer-Encoding: chunked\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(req("POST http://h/ HTTP/1.1\r\nTransfer-Encoding: "
	    "Chunked\r\n\r\n"), HTTP_OK);
	ck_assert(rq.head.chunked);
}
END_TEST

START_TEST(test_bounds)
{
	size_t n = 100000, k;
	uint8_t *b = malloc(n);
	char *p;

	ck_assert_ptr_nonnull(b);
	/* A request line of exactly 8192 bytes is fine, one more is 414. */
	memset(b, 'a', n);
	memcpy(b, "GET http://h/", 13);
	memcpy(b + 8192 - 9, " HTTP/1.1\r\n\r\n", 13);
	ck_assert_int_eq(req_big(b, 8192 + 4), HTTP_OK);
	memset(b, 'a', n);
	memcpy(b, "GET http://h/", 13);
	memcpy(b + 8193 - 9, " HTTP/1.1\r\n\r\n", 13);
	ck_assert_int_eq(req_big(b, 8193 + 4), HTTP_ERR_LINE_LONG);
	ck_assert_int_eq(req_big(b, 8000), HTTP_NEED_MORE);
	ck_assert_int_eq(req_big(b, 9000), HTTP_ERR_LINE_LONG);
	/* 70 000 bytes of one field: 431 before the end is seen. */
	memset(b, 'a', n);
	memcpy(b, "GET http://h/ HTTP/1.1\r\nX: ", 27);
	ck_assert_int_eq(req_big(b, 70000), HTTP_ERR_HEAD_LARGE);
	ck_assert_int_eq(req_big(b, 60000), HTTP_NEED_MORE);
	/* 101 fields. */
	p = (char *)b;
	k = (size_t)sprintf(p, "GET http://h/ HTTP/1.1\r\n");
	for (n = 0; n < 101; n++)
		k += (size_t)sprintf(p + k, "X%zu: y\r\n", n);
	k += (size_t)sprintf(p + k, "\r\n");
	ck_assert_int_eq(req_big(b, k), HTTP_ERR_HEAD_LARGE);
	free(b);
}
END_TEST

START_TEST(test_hop_by_hop)
{
	const char *m = "GET http://h/ HTTP/1.1\r\nConnection: x-foo, close\r\n"
	    "X-Foo: 1\r\nKeep-Alive: 5\r\nProxy-Connection: a\r\nTE: t\r\n"
	    "Upgrade: u\r\nAccept: a\r\ntrailer: z\r\n\r\n";
	size_t i, kept = 0;

	ck_assert_int_eq(http_parse_request((const uint8_t *)m, strlen(m),
	    &rq), HTTP_OK);
	for (i = 0; i < rq.head.nfields; i++)
		if (!http_hop_by_hop((const uint8_t *)m, &rq.head, i)) {
			kept++;
			ck_assert(http_field_is((const uint8_t *)m,
			    &rq.head.f[i], "accept"));
		}
	ck_assert_int_eq(kept, 1);
}
END_TEST

static enum http_status
basic(const char *v, char *u, char *p)
{
	return http_basic_decode(tu_guarded(v, strlen(v)), strlen(v), u, p);
}

START_TEST(test_basic)
{
	char u[HTTP_CRED_MAX + 1], p[HTTP_CRED_MAX + 1];

	/* alice:s3:cret */
	ck_assert_int_eq(basic("Basic YWxpY2U6czM6Y3JldA==", u, p), HTTP_OK);
	ck_assert_str_eq(u, "alice");
	ck_assert_str_eq(p, "s3:cret");
	ck_assert_int_eq(basic("basic  YWxpY2U6czM6Y3JldA", u, p), HTTP_OK);
	ck_assert_str_eq(p, "s3:cret");
	/* "a:" : an empty password is the PAM module's to judge. */
	ck_assert_int_eq(basic("Basic YTo=", u, p), HTTP_OK);
	ck_assert_str_eq(p, "");
	ck_assert_int_eq(basic("Basic OmI=", u, p), HTTP_ERR_FORMAT); /* :b */
	ck_assert_int_eq(basic("Basic YWI=", u, p), HTTP_ERR_FORMAT); /* ab */
	ck_assert_int_eq(basic("Basic YT$6", u, p), HTTP_ERR_FORMAT);
	ck_assert_int_eq(basic("Basic YQ==YQ==", u, p), HTTP_ERR_FORMAT);
	ck_assert_int_eq(basic("Basic Y", u, p), HTTP_ERR_FORMAT);
	ck_assert_int_eq(basic("Bearer YTpi", u, p), HTTP_ERR_FORMAT);
	ck_assert_int_eq(basic("Basic", u, p), HTTP_ERR_FORMAT);
	ck_assert_int_eq(basic("Basic YQBiOmM=", u, p), HTTP_ERR_FORMAT);
}
END_TEST

static enum http_status
chunk(const char *s, uint64_t *v, size_t *used)
{
	return http_parse_chunk_size(tu_guarded(s, strlen(s)), strlen(s), v,
	    used);
}

START_TEST(test_chunk_size)
{
	uint64_t v;
	size_t used;

	ck_assert_int_eq(chunk("1a\r\n", &v, &used), HTTP_OK);
	ck_assert_uint_eq(v, 26);
	ck_assert_uint_eq(used, 4);
	ck_assert_int_eq(chunk("0;ext=1\r\nxx", &v, &used), HTTP_OK);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(used, 9);
	ck_assert_int_eq(chunk("FFFF", &v, &used), HTTP_NEED_MORE);
	ck_assert_int_eq(chunk("\r\n", &v, &used), HTTP_ERR_FORMAT);
	ck_assert_int_eq(chunk("-1\r\n", &v, &used), HTTP_ERR_FORMAT);
	ck_assert_int_eq(chunk("1 x\r\n", &v, &used), HTTP_ERR_FORMAT);
	ck_assert_int_eq(chunk("1000000000000000\r\n", &v, &used),
	    HTTP_ERR_FORMAT);
}
END_TEST

START_TEST(test_trailers)
{
	size_t used;
	const char *t = "A: b\r\nC: d\r\n\r\nrest";

	ck_assert_int_eq(http_parse_trailers(tu_guarded(t, strlen(t)),
	    strlen(t), &used), HTTP_OK);
	ck_assert_uint_eq(used, strlen(t) - 4);
	ck_assert_int_eq(http_parse_trailers(tu_guarded("\r\n", 2), 2, &used),
	    HTTP_OK);
	ck_assert_uint_eq(used, 2);
	ck_assert_int_eq(http_parse_trailers(tu_guarded("A: b\r\n", 6), 6,
	    &used), HTTP_NEED_MORE);
}
END_TEST

static enum http_status
resp(const char *s)
{
	return http_parse_response(tu_guarded(s, strlen(s)), strlen(s), &rs);
}

START_TEST(test_response)
{
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"),
	    HTTP_OK);
	ck_assert_int_eq(rs.code, 200);
	ck_assert_uint_eq(rs.head.length, 3);
	ck_assert_int_eq(resp("HTTP/1.0 204\r\n\r\n"), HTTP_OK);
	ck_assert_int_eq(rs.code, 204);
	ck_assert_int_eq(rs.reason.len, 0);
	ck_assert_int_eq(resp("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: "
	    "chunked\r\nConnection: close\r\n\r\n"), HTTP_OK);
	ck_assert(rs.head.chunked);
	ck_assert(rs.head.conn_close);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\n"), HTTP_NEED_MORE);
	ck_assert_int_eq(resp("HTTP/1.1 20 OK\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(resp("HTTP/1.1 099 x\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(resp("HTTP/2.0 200 x\r\n\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
	    "\r\n"), HTTP_ERR_FORMAT);
	ck_assert_int_eq(resp("ICY 200 OK\r\n\r\n"), HTTP_ERR_FORMAT);
}
END_TEST

/*
 * Persistence (RFC 9112 section 9.3): the request's version and
 * Connection field, the response body's framing, and whether the
 * client's connection goes on.
 */
static const struct keep_case {
	const char	*head;		/* after the request line's "HTTP/" */
	enum http_body	 body;
	bool		 asks;		/* http_keep_alive */
	bool		 persists;	/* http_client_persists */
} keep_cases[] = {
	{ "1.1\r\n", HTTP_BODY_LENGTH, true, true },
	{ "1.1\r\n", HTTP_BODY_CHUNKED, true, true },
	{ "1.1\r\n", HTTP_BODY_NONE, true, true },
	{ "1.1\r\n", HTTP_BODY_CLOSE, true, false },
	{ "1.1\r\nConnection: close\r\n", HTTP_BODY_LENGTH, false, false },
	{ "1.1\r\nConnection: Keep-Alive, Close\r\n", HTTP_BODY_LENGTH,
	    false, false },
	{ "1.0\r\n", HTTP_BODY_LENGTH, false, false },
	{ "1.0\r\nConnection: keep-alive\r\n", HTTP_BODY_LENGTH, true,
	    true },
	{ "1.0\r\nConnection: Keep-Alive\r\n", HTTP_BODY_NONE, true, true },
	{ "1.0\r\nConnection: x, keep-alive\r\n", HTTP_BODY_LENGTH, true,
	    true },
	/* A chunked body reaches 1.0 decoded, ended by the close. */
	{ "1.0\r\nConnection: keep-alive\r\n", HTTP_BODY_CHUNKED, true,
	    false },
	{ "1.0\r\nConnection: keep-alive\r\n", HTTP_BODY_CLOSE, true,
	    false },
	/* Only Connection counts, not the old Proxy-Connection. */
	{ "1.0\r\nProxy-Connection: keep-alive\r\n", HTTP_BODY_LENGTH,
	    false, false },
	{ "1.0\r\nConnection: keep-alive, close\r\n", HTTP_BODY_LENGTH,
	    false, false },
};

START_TEST(test_keep_alive)
{
	const struct keep_case *c = &keep_cases[_i];
	char m[256];

	snprintf(m, sizeof(m), "GET http://h/ HTTP/%s\r\n", c->head);
	ck_assert_int_eq(req(m), HTTP_OK);
	ck_assert(http_keep_alive(&rq.head) == c->asks);
	ck_assert(http_client_persists(&rq.head, c->body) == c->persists);
}
END_TEST

/* An HTTP/1.0 request with Transfer-Encoding: close after it. */
START_TEST(test_keep_alive_te10)
{
	const char *m = "POST http://h/ HTTP/1.0\r\nConnection: keep-alive\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";

	/* It parses, and such a client is never kept. */
	ck_assert_int_eq(req(m), HTTP_OK);
	ck_assert(!http_client_persists(&rq.head, HTTP_BODY_LENGTH));
}
END_TEST

/* Which responses have a body, and how it ends (RFC 9112 6.3). */
START_TEST(test_response_body)
{
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"),
	    HTTP_OK);
	ck_assert_int_eq(http_response_body(HTTP_M_GET, &rs), HTTP_BODY_LENGTH);
	ck_assert_int_eq(http_response_body(HTTP_M_HEAD, &rs), HTTP_BODY_NONE);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n"), HTTP_OK);
	ck_assert_int_eq(http_response_body(HTTP_M_GET, &rs),
	    HTTP_BODY_CHUNKED);
	ck_assert_int_eq(resp("HTTP/1.0 200 OK\r\n\r\n"), HTTP_OK);
	ck_assert_int_eq(http_response_body(HTTP_M_GET, &rs), HTTP_BODY_CLOSE);
	ck_assert_int_eq(resp("HTTP/1.1 304 Not Modified\r\n\r\n"), HTTP_OK);
	ck_assert_int_eq(http_response_body(HTTP_M_GET, &rs), HTTP_BODY_NONE);
	ck_assert_int_eq(resp("HTTP/1.1 204 No Content\r\n\r\n"), HTTP_OK);
	ck_assert_int_eq(http_response_body(HTTP_M_POST, &rs), HTTP_BODY_NONE);
}
END_TEST

START_TEST(test_status_code)
{
	ck_assert_uint_eq(http_status_code(HTTP_ERR_FORMAT), 400);
	ck_assert_uint_eq(http_status_code(HTTP_ERR_LINE_LONG), 414);
	ck_assert_uint_eq(http_status_code(HTTP_ERR_HEAD_LARGE), 431);
	ck_assert_uint_eq(http_status_code(HTTP_ERR_METHOD), 501);
	ck_assert_uint_eq(http_status_code(HTTP_ERR_VERSION), 505);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http_parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_absolute_form);
	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_need_more);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_smuggling);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_hop_by_hop);
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_chunk_size);
	tcase_add_test(tc, test_trailers);
	tcase_add_test(tc, test_response);
	tcase_add_test(tc, test_status_code);
	tcase_add_loop_test(tc, test_keep_alive, 0,
	    (int)(sizeof(keep_cases) / sizeof(keep_cases[0])));
	tcase_add_test(tc, test_keep_alive_te10);
	tcase_add_test(tc, test_response_body);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
