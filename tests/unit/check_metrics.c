/*
 * check_metrics.c - unit tests for metrics_text.c (the metrics
 * endpoint's pure part) and tally.c (its labelled counters).
 *
 * Covered: request heads (GET and HEAD of the path, a query string, the
 * absolute form, LF-only lines, another path, other methods, garbage at
 * once, NUL bytes, bad versions and header lines, a head arriving byte
 * by byte, a head too long); metrics.path checks; the answer's head;
 * label escaping (backslash, quote, newline, UTF-8 kept, bytes that
 * are not UTF-8 replaced, cutting); the page (HELP and TYPE of every
 * family, every sample line "name{labels} value", the user families
 * left out when asked); the tally (sums, sorting, the bound and
 * "(other)", long labels).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "metrics_text.h"
#include "tally.h"

static enum metrics_req
parse(const char *s, bool *head_only)
{
	return metrics_parse_request(s, strlen(s), "/metrics", head_only);
}

START_TEST(test_parse_ok)
{
	bool h;

	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &h),
	    METRICS_REQ_OK);
	ck_assert(!h);
	ck_assert_int_eq(parse("HEAD /metrics HTTP/1.0\r\n\r\n", &h),
	    METRICS_REQ_OK);
	ck_assert(h);
	ck_assert_int_eq(parse("GET /metrics?x=1 HTTP/1.1\n\n", &h),
	    METRICS_REQ_OK);
	ck_assert_int_eq(parse("GET http://127.0.0.1:9180/metrics HTTP/1.1\r\n"
	    "\r\n", &h), METRICS_REQ_OK);
	ck_assert_int_eq(parse("GET / HTTP/1.1\r\n\r\n", &h),
	    METRICS_REQ_NOT_FOUND);
	ck_assert_int_eq(parse("GET /metricsx HTTP/1.1\r\n\r\n", &h),
	    METRICS_REQ_NOT_FOUND);
	ck_assert_int_eq(parse("GET /metric HTTP/1.1\r\n\r\n", &h),
	    METRICS_REQ_NOT_FOUND);
	ck_assert_int_eq(parse("POST /metrics HTTP/1.1\r\nContent-Length: 0"
	    "\r\n\r\n", &h), METRICS_REQ_METHOD);
	ck_assert_int_eq(parse("get /metrics HTTP/1.1\r\n\r\n", &h),
	    METRICS_REQ_METHOD);
}
END_TEST

START_TEST(test_parse_more)
{
	const char *req = "GET /metrics HTTP/1.1\r\nUser-Agent: t\r\n\r\n";
	size_t i, n = strlen(req);
	bool h;

	for (i = 0; i < n; i++)
		ck_assert_msg(metrics_parse_request(req, i, "/metrics", &h) ==
		    METRICS_REQ_MORE, "at %zu bytes", i);
	ck_assert_int_eq(metrics_parse_request(req, n, "/metrics", &h),
	    METRICS_REQ_OK);
	ck_assert_int_eq(parse("", &h), METRICS_REQ_MORE);
}
END_TEST

START_TEST(test_parse_bad)
{
	static const char *const bad[] = {
		"\x16\x03\x01\x02\x00\x01",	/* TLS, no newline: at once */
		"GET",				/* not yet: see below */
		"G(T /metrics HTTP/1.1\r\n\r\n",
		" GET /metrics HTTP/1.1\r\n\r\n",
		"GET  /metrics HTTP/1.1\r\n\r\n",
		"GET /metrics\r\n\r\n",
		"GET /metrics HTTP/2.0\r\n\r\n",
		"GET /metrics HTTP/1.1 \r\n\r\n",
		"GET /metrics HTTP/1.x\r\n\r\n",
		"GET /met rics HTTP/1.1\r\n\r\n",
		"\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n",
		"GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ /metrics HTTP/1.1\r\n\r\n",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	};
	size_t i;
	bool h;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (i == 1) {
			ck_assert_int_eq(parse(bad[i], &h), METRICS_REQ_MORE);
			continue;
		}
		ck_assert_msg(parse(bad[i], &h) == METRICS_REQ_BAD,
		    "case %zu: %d", i, parse(bad[i], &h));
	}
	/* A NUL anywhere. */
	ck_assert_int_eq(metrics_parse_request("GET /metrics\0 HTTP/1.1\r\n\r\n",
	    27, "/metrics", &h), METRICS_REQ_BAD);
}
END_TEST

START_TEST(test_parse_too_big)
{
	char *buf = malloc(METRICS_HEAD_MAX + 100);
	size_t n;
	bool h;

	ck_assert_ptr_nonnull(buf);
	n = (size_t)snprintf(buf, METRICS_HEAD_MAX, "GET /metrics HTTP/1.1\r\n");
	while (n < METRICS_HEAD_MAX + 50)
		buf[n++] = 'a';
	/* One header line that never ends. */
	memcpy(buf + 23, "X-Long: ", 8);
	ck_assert_int_eq(metrics_parse_request(buf, METRICS_HEAD_MAX - 1,
	    "/metrics", &h), METRICS_REQ_MORE);
	ck_assert_int_eq(metrics_parse_request(buf, METRICS_HEAD_MAX,
	    "/metrics", &h), METRICS_REQ_TOO_BIG);
	ck_assert_int_eq(metrics_parse_request(buf, METRICS_HEAD_MAX + 50,
	    "/metrics", &h), METRICS_REQ_TOO_BIG);
	/* A request line that never ends. */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', METRICS_HEAD_MAX + 45);
	ck_assert_int_eq(metrics_parse_request(buf, METRICS_HEAD_MAX,
	    "/metrics", &h), METRICS_REQ_TOO_BIG);
	free(buf);
}
END_TEST

START_TEST(test_path_ok)
{
	ck_assert(metrics_path_ok("/metrics"));
	ck_assert(metrics_path_ok("/"));
	ck_assert(metrics_path_ok("/a/b-c_d.e"));
	ck_assert(!metrics_path_ok("metrics"));
	ck_assert(!metrics_path_ok(""));
	ck_assert(!metrics_path_ok("/a b"));
	ck_assert(!metrics_path_ok("/a?b"));
	ck_assert(!metrics_path_ok("/a#b"));
	ck_assert(!metrics_path_ok("/a%20"));
	ck_assert(!metrics_path_ok("/a\"b"));
	ck_assert(!metrics_path_ok("/\xc3\xa9"));
}
END_TEST

START_TEST(test_head)
{
	char h[256];
	size_t n;

	n = metrics_head(h, sizeof(h), METRICS_REQ_OK, 123);
	ck_assert_uint_eq(n, strlen(h));
	ck_assert_ptr_nonnull(strstr(h, "HTTP/1.1 200 OK\r\n"));
	ck_assert_ptr_nonnull(strstr(h,
	    "Content-Type: text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(h, "Content-Length: 123\r\n"));
	ck_assert_ptr_nonnull(strstr(h, "Connection: close\r\n\r\n"));
	metrics_head(h, sizeof(h), METRICS_REQ_NOT_FOUND, 10);
	ck_assert_ptr_nonnull(strstr(h, "HTTP/1.1 404 Not Found\r\n"));
	metrics_head(h, sizeof(h), METRICS_REQ_METHOD, 10);
	ck_assert_ptr_nonnull(strstr(h, "HTTP/1.1 405 "));
	ck_assert_ptr_nonnull(strstr(h, "Allow: GET, HEAD\r\n"));
	metrics_head(h, sizeof(h), METRICS_REQ_BAD, 10);
	ck_assert_ptr_nonnull(strstr(h, "HTTP/1.1 400 "));
	metrics_head(h, sizeof(h), METRICS_REQ_TOO_BIG, 10);
	ck_assert_ptr_nonnull(strstr(h, "HTTP/1.1 431 "));
	ck_assert_uint_eq(metrics_head(h, 20, METRICS_REQ_OK, 1), 0);
}
END_TEST

START_TEST(test_escape)
{
	char out[64];

	ck_assert_str_eq(metrics_escape_label("sam", out, sizeof(out)), "sam");
	ck_assert_str_eq(metrics_escape_label("a\\b\"c\nd", out, sizeof(out)),
	    "a\\\\b\\\"c\\nd");
	ck_assert_str_eq(metrics_escape_label("caf\xc3\xa9 \xe2\x82\xac", out,
	    sizeof(out)), "caf\xc3\xa9 \xe2\x82\xac");
	/* Not UTF-8: a lone continuation, an overlong '/', a surrogate. */
	ck_assert_str_eq(metrics_escape_label("a\x80z", out, sizeof(out)),
	    "a\xef\xbf\xbdz");
	ck_assert_str_eq(metrics_escape_label("\xc0\xaf", out, sizeof(out)),
	    "\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(metrics_escape_label("\xed\xa0\x80", out,
	    sizeof(out)), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(metrics_escape_label("\xc3", out, sizeof(out)),
	    "\xef\xbf\xbd");
	/* Cut at a whole escape or character. */
	ck_assert_str_eq(metrics_escape_label("ab\\", out, 4), "ab");
	ck_assert_str_eq(metrics_escape_label("a\xc3\xa9", out, 3), "a");
	ck_assert_str_eq(metrics_escape_label("abc", out, 1), "");
}
END_TEST

/* Every line a comment "# HELP|TYPE name ..." or "name{labels} value". */
static void
check_lines(const char *page)
{
	const char *p = page, *nl;
	char line[1024], name[200], value[64], *q;
	int end;

	while ((nl = strchr(p, '\n')) != NULL) {
		ck_assert_uint_lt((size_t)(nl - p), sizeof(line));
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		p = nl + 1;
		if (line[0] == '#') {
			ck_assert_msg(strncmp(line, "# HELP sixgate_", 15) == 0 ||
			    strncmp(line, "# TYPE sixgate_", 15) == 0, "%s",
			    line);
			continue;
		}
		ck_assert_msg(sscanf(line, "%199[a-z_]", name) == 1, "%s",
		    line);
		ck_assert_msg(strncmp(name, "sixgate_", 8) == 0, "%s", line);
		q = line + strlen(name);
		if (*q == '{') {
			ck_assert_msg((q = strstr(q, "} ")) != NULL, "%s",
			    line);
			q++;
		}
		ck_assert_msg(sscanf(q, " %63[0-9]%n", value, &end) == 1 &&
		    q[end] == '\0', "%s", line);
	}
	ck_assert_str_eq(p, "");
}

START_TEST(test_render)
{
	struct tally_row rules[2], users[1], doors[1];
	struct metrics_view v;
	struct ctl_buf b = { 0 };

	memset(&v, 0, sizeof(v));
	memset(rules, 0, sizeof(rules));
	memset(users, 0, sizeof(users));
	memset(doors, 0, sizeof(doors));
	snprintf(doors[0].label, sizeof(doors[0].label), "http");
	doors[0].relays = 4;
	doors[0].down = 77;
	v.doors = doors;
	v.ndoors = 1;
	snprintf(rules[0].label, sizeof(rules[0].label), "#2");
	rules[0].relays = 3;
	rules[0].up = 10;
	rules[0].down = 20;
	snprintf(rules[1].label, sizeof(rules[1].label), "web");
	snprintf(users[0].label, sizeof(users[0].label), "s\"am\n");
	users[0].relays = 7;
	v.version = "1.2.3";
	v.uptime_s = 5;
	v.sessions = 4;
	v.relays = 2;
	v.ss.relays_total = 9;
	v.ss.logins_failed = 1;
	v.ss.bytes_up = 100;
	v.ss.refusals[STATS_REFUSED_RULE] = 6;
	v.rules = rules;
	v.nrules = 2;
	v.user_labels = true;
	v.users = users;
	v.nusers = 1;
	metrics_render(&b, &v);
	ck_assert(!b.failed);
	ctl_printf(&b, "%c", '\0');
	check_lines(b.p);
	ck_assert_ptr_nonnull(strstr(b.p, "# TYPE sixgate_relays_total counter\n"
	    "sixgate_relays_total 9\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "# TYPE sixgate_sessions_active gauge\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_build_info{version=\"1.2.3\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_logins_total{result=\"failed\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_refusals_total{reason=\"rule\"} 6\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_refusals_total{reason=\"max_handshakes_per_client\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_refusals_total{reason=\"fake\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_bytes_total{direction=\"up\"} 100\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_rule_relays_total{rule=\"#2\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_door_relays_total{door=\"http\"} 4\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_door_bytes_total{door=\"http\",direction=\"down\"} 77\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "# HELP sixgate_rule_relays_total Relays ended, by the rule that allowed them.\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_rule_bytes_total{rule=\"#2\",direction=\"down\"} 20\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_user_relays_total{user=\"s\\\"am\\n\"} 7\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "# TYPE sixgate_user_bytes_total counter\n"));
	ctl_buf_free(&b);

	v.user_labels = false;
	metrics_render(&b, &v);
	ctl_printf(&b, "%c", '\0');
	check_lines(b.p);
	ck_assert_ptr_null(strstr(b.p, "user"));
	ck_assert_ptr_nonnull(strstr(b.p, "sixgate_rule_relays_total{rule=\"web\"} 0\n"));
	ctl_buf_free(&b);
}
END_TEST

START_TEST(test_tally)
{
	struct tally *t = tally_new(3);
	struct tally_row *v;
	char longl[400];
	size_t n;

	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(tally_rows(t, &n));
	ck_assert_uint_eq(n, 0);
	tally_add(t, "bob", 1, 2);
	tally_add(t, "alice", 10, 20);
	tally_add(t, "bob", 3, 4);
	memset(longl, 'x', sizeof(longl) - 1);
	longl[sizeof(longl) - 1] = '\0';
	tally_add(t, longl, 1, 1);
	tally_add(t, longl, 1, 1);	/* the same (cut) row */
	tally_add(t, "carol", 5, 5);	/* full: "(other)" */
	tally_add(t, "dave", 5, 5);
	v = tally_rows(t, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(v[0].label, TALLY_OTHER);	/* '(' sorts first */
	ck_assert_uint_eq(v[0].relays, 2);
	ck_assert_uint_eq(v[0].up, 10);
	ck_assert_str_eq(v[1].label, "alice");
	ck_assert_str_eq(v[2].label, "bob");
	ck_assert_uint_eq(v[2].relays, 2);
	ck_assert_uint_eq(v[2].up, 4);
	ck_assert_uint_eq(v[2].down, 6);
	ck_assert_uint_eq(strlen(v[3].label), TALLY_LABEL_MAX - 1);
	ck_assert_uint_eq(v[3].relays, 2);
	free(v);
	tally_free(t);
	tally_free(NULL);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_parse_more);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_parse_too_big);
	tcase_add_test(tc, test_path_ok);
	tcase_add_test(tc, test_head);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_tally);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
