/*
 * check_resolve.c - unit tests for resolve.c.
 *
 * Covered: resolve_order (pure) with prepared address arrays: IPv6 and
 * IPv4 preference with RFC 8305 interleaving and stable order within a
 * family, unbalanced families, single-family input, SYSTEM unchanged,
 * n = 0 and 1, RESOLVE_MAX entries, whole entries (ports) moved;
 * resolve_name with literals only (no DNS): IPv4, IPv6, bracketed IPv6,
 * port set on the results; "localhost" (from /etc/hosts, exact set not
 * assumed) ordered by preference; a name under .invalid fails with an
 * EAI_* code, quickly.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <check.h>

#include "addr.h"
#include "resolve.h"

/* Numeric address (v4 or v6, no brackets) and port -> sockaddr. */
static struct sockaddr_storage
mk(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		ck_assert_msg(inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1,
		    "bad test address %s", ip);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		ck_assert_msg(inet_pton(AF_INET, ip, &s4->sin_addr) == 1,
		    "bad test address %s", ip);
	}
	return ss;
}

static const char *
show(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	uint16_t port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
		    (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
	}
	snprintf(buf, len, "%s/%u", host, port);
	return buf;
}

/* Same family, address and port? */
static int
same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	char x[INET6_ADDRSTRLEN + 8], y[INET6_ADDRSTRLEN + 8];

	if (a->ss_family != b->ss_family)
		return 0;
	return strcmp(show(a, x, sizeof(x)), show(b, y, sizeof(y))) == 0;
}

/*
 * Order in[] (addresses, each with its own port 1000 + index so that
 * whole entries must move) by prefer and compare with want[] (indexes
 * into in[]).
 */
static void
check_order(const char *const *in, size_t n, enum config_prefer prefer,
    const size_t *want)
{
	struct sockaddr_storage a[RESOLVE_MAX], orig[RESOLVE_MAX];
	char x[INET6_ADDRSTRLEN + 8], y[INET6_ADDRSTRLEN + 8];
	size_t i;

	ck_assert_uint_le(n, RESOLVE_MAX);
	for (i = 0; i < n; i++)
		orig[i] = a[i] = mk(in[i], (uint16_t)(1000 + i));
	resolve_order(a, n, prefer);
	for (i = 0; i < n; i++)
		ck_assert_msg(same(&a[i], &orig[want[i]]),
		    "prefer %d, position %zu: got %s, want %s", (int)prefer, i,
		    show(&a[i], x, sizeof(x)), show(&orig[want[i]], y,
		    sizeof(y)));
}

#define A4	"192.0.2.1"
#define B4	"192.0.2.2"
#define C4	"192.0.2.3"
#define A6	"2001:db8::1"
#define B6	"2001:db8::2"
#define C6	"2001:db8::3"

/* --- resolve_order --- */

START_TEST(test_order_ipv6_interleave)
{
	const char *const in[] = { A4, B4, A6, B6 };
	const size_t want[] = { 2, 0, 3, 1 };	/* 6a 4a 6b 4b */

	check_order(in, 4, CONFIG_PREFER_IPV6, want);
}
END_TEST

START_TEST(test_order_ipv4_interleave)
{
	const char *const in[] = { A4, B4, A6, B6 };
	const size_t want[] = { 0, 2, 1, 3 };	/* 4a 6a 4b 6b */

	check_order(in, 4, CONFIG_PREFER_IPV4, want);
}
END_TEST

START_TEST(test_order_ipv4_from_v6_first)
{
	const char *const in[] = { A6, A4, B6, B4 };
	const size_t want4[] = { 1, 0, 3, 2 };	/* 4a 6a 4b 6b */
	const size_t want6[] = { 0, 1, 2, 3 };	/* already 6a 4a 6b 4b */

	check_order(in, 4, CONFIG_PREFER_IPV4, want4);
	check_order(in, 4, CONFIG_PREFER_IPV6, want6);
}
END_TEST

START_TEST(test_order_unbalanced)
{
	const char *const in1[] = { A4, B4, C4, A6 };
	const size_t want1[] = { 3, 0, 1, 2 };	/* 6a 4a 4b 4c */
	const char *const in2[] = { A6, B6, C6, A4 };
	const size_t want2[] = { 3, 0, 1, 2 };	/* 4a 6a 6b 6c */
	const size_t want3[] = { 0, 3, 1, 2 };	/* 6a 4a 6b 6c */
	const char *const in4[] = { A4, A6, B6, C6, B4 };
	const size_t want4[] = { 1, 0, 2, 4, 3 }; /* 6a 4a 6b 4b 6c */

	check_order(in1, 4, CONFIG_PREFER_IPV6, want1);
	check_order(in2, 4, CONFIG_PREFER_IPV4, want2);
	check_order(in2, 4, CONFIG_PREFER_IPV6, want3);
	check_order(in4, 5, CONFIG_PREFER_IPV6, want4);
}
END_TEST

START_TEST(test_order_one_family)
{
	const char *const v4[] = { C4, A4, B4 };
	const char *const v6[] = { B6, C6, A6 };
	const size_t same_order[] = { 0, 1, 2 };

	check_order(v4, 3, CONFIG_PREFER_IPV6, same_order);
	check_order(v4, 3, CONFIG_PREFER_IPV4, same_order);
	check_order(v6, 3, CONFIG_PREFER_IPV6, same_order);
	check_order(v6, 3, CONFIG_PREFER_IPV4, same_order);
}
END_TEST

START_TEST(test_order_system)
{
	const char *const in[] = { A4, A6, B6, B4, C4 };
	const size_t want[] = { 0, 1, 2, 3, 4 };

	check_order(in, 5, CONFIG_PREFER_SYSTEM, want);
}
END_TEST

START_TEST(test_order_small)
{
	const char *const one4[] = { A4 };
	const char *const one6[] = { A6 };
	const size_t want[] = { 0 };
	struct sockaddr_storage a[1], orig;

	check_order(one4, 1, CONFIG_PREFER_IPV6, want);
	check_order(one6, 1, CONFIG_PREFER_IPV4, want);
	check_order(one6, 1, CONFIG_PREFER_SYSTEM, want);

	/* n = 0: nothing is touched */
	a[0] = orig = mk(A4, 1);
	resolve_order(a, 0, CONFIG_PREFER_IPV6);
	resolve_order(a, 0, CONFIG_PREFER_IPV4);
	resolve_order(a, 0, CONFIG_PREFER_SYSTEM);
	ck_assert(memcmp(&a[0], &orig, sizeof(orig)) == 0);
}
END_TEST

START_TEST(test_order_max)
{
	const char *const in[RESOLVE_MAX] = {
		"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4",
		"10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9",
		"fd00::a", "fd00::b", "fd00::c", "fd00::d", "fd00::e", "fd00::f"
	};
	/* 6 v6 interleaved with the first 6 v4, then the other 4 v4 */
	const size_t want6[RESOLVE_MAX] = {
		10, 0, 11, 1, 12, 2, 13, 3, 14, 4, 15, 5, 6, 7, 8, 9
	};
	const size_t want4[RESOLVE_MAX] = {
		0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15, 6, 7, 8, 9
	};

	check_order(in, RESOLVE_MAX, CONFIG_PREFER_IPV6, want6);
	check_order(in, RESOLVE_MAX, CONFIG_PREFER_IPV4, want4);
}
END_TEST

/* --- resolve_name --- */

static void
assert_result(const struct sockaddr_storage *ss, const char *ip,
    uint16_t port)
{
	struct sockaddr_storage want = mk(ip, port);
	char x[INET6_ADDRSTRLEN + 8], y[INET6_ADDRSTRLEN + 8];

	ck_assert_msg(same(ss, &want), "got %s, want %s",
	    show(ss, x, sizeof(x)), show(&want, y, sizeof(y)));
}

START_TEST(test_name_v4_literal)
{
	struct resolve_result res;
	int rc;

	memset(&res, 0xa5, sizeof(res));
	rc = resolve_name("127.0.0.1", 8080, CONFIG_PREFER_IPV6, &res);
	ck_assert_msg(rc == 0, "rc %d (%s)", rc, gai_strerror(rc));
	ck_assert_uint_eq(res.n, 1);
	assert_result(&res.addrs[0], "127.0.0.1", 8080);

	rc = resolve_name("192.0.2.33", 1, CONFIG_PREFER_SYSTEM, &res);
	ck_assert_msg(rc == 0, "rc %d (%s)", rc, gai_strerror(rc));
	ck_assert_uint_eq(res.n, 1);
	assert_result(&res.addrs[0], "192.0.2.33", 1);
}
END_TEST

START_TEST(test_name_v6_literal)
{
	struct resolve_result res;
	int rc;

	memset(&res, 0xa5, sizeof(res));
	rc = resolve_name("::1", 443, CONFIG_PREFER_IPV4, &res);
	ck_assert_msg(rc == 0, "rc %d (%s)", rc, gai_strerror(rc));
	ck_assert_uint_eq(res.n, 1);
	assert_result(&res.addrs[0], "::1", 443);

	rc = resolve_name("2001:db8::5", 65535, CONFIG_PREFER_IPV6, &res);
	ck_assert_msg(rc == 0, "rc %d (%s)", rc, gai_strerror(rc));
	ck_assert_uint_eq(res.n, 1);
	assert_result(&res.addrs[0], "2001:db8::5", 65535);
}
END_TEST

START_TEST(test_name_v6_brackets)
{
	struct resolve_result res;
	int rc;

	memset(&res, 0xa5, sizeof(res));
	rc = resolve_name("[::1]", 1080, CONFIG_PREFER_IPV6, &res);
	ck_assert_msg(rc == 0, "rc %d (%s)", rc, gai_strerror(rc));
	ck_assert_uint_eq(res.n, 1);
	assert_result(&res.addrs[0], "::1", 1080);

	rc = resolve_name("[2001:db8::abcd]", 22, CONFIG_PREFER_IPV4, &res);
	ck_assert_msg(rc == 0, "rc %d (%s)", rc, gai_strerror(rc));
	ck_assert_uint_eq(res.n, 1);
	assert_result(&res.addrs[0], "2001:db8::abcd", 22);
}
END_TEST

static int
is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
		    (const struct sockaddr_in6 *)ss;

		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return 0;
}

static uint16_t
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

START_TEST(test_name_localhost)
{
	static const enum config_prefer prefs[] = {
		CONFIG_PREFER_IPV6, CONFIG_PREFER_IPV4, CONFIG_PREFER_SYSTEM
	};
	struct resolve_result res;
	size_t i, n4 = 0, n6 = 0;
	int rc;

	rc = resolve_name("localhost", 80, prefs[_i], &res);
	ck_assert_msg(rc == 0, "rc %d (%s)", rc, gai_strerror(rc));
	ck_assert_uint_ge(res.n, 1);
	ck_assert_uint_le(res.n, RESOLVE_MAX);
	for (i = 0; i < res.n; i++) {
		ck_assert_msg(is_loopback(&res.addrs[i]),
		    "localhost result %zu is not a loopback address", i);
		ck_assert_uint_eq(port_of(&res.addrs[i]), 80);
		if (res.addrs[i].ss_family == AF_INET)
			n4++;
		else
			n6++;
	}
	if (n4 > 0 && n6 > 0 && prefs[_i] == CONFIG_PREFER_IPV6)
		ck_assert_int_eq(res.addrs[0].ss_family, AF_INET6);
	if (n4 > 0 && n6 > 0 && prefs[_i] == CONFIG_PREFER_IPV4)
		ck_assert_int_eq(res.addrs[0].ss_family, AF_INET);
}
END_TEST

START_TEST(test_name_unresolvable)
{
	static const char *const names[] = {
		"nonexistent.invalid", "no-such-host.sixgate.invalid"
	};
	struct resolve_result res;
	struct timespec t0, t1;
	double secs;
	int rc;

	memset(&res, 0, sizeof(res));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = resolve_name(names[_i], 80, CONFIG_PREFER_IPV6, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(rc != 0, "%s resolved (n = %zu)", names[_i], res.n);
	ck_assert_ptr_nonnull(gai_strerror(rc));
	ck_assert_msg(secs < 10.0, "%s took %.1f s to fail", names[_i], secs);
}
END_TEST

static Suite *
resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc;

	tc = tcase_create("order");
	tcase_add_test(tc, test_order_ipv6_interleave);
	tcase_add_test(tc, test_order_ipv4_interleave);
	tcase_add_test(tc, test_order_ipv4_from_v6_first);
	tcase_add_test(tc, test_order_unbalanced);
	tcase_add_test(tc, test_order_one_family);
	tcase_add_test(tc, test_order_system);
	tcase_add_test(tc, test_order_small);
	tcase_add_test(tc, test_order_max);
	suite_add_tcase(s, tc);

	tc = tcase_create("name");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_name_v4_literal);
	tcase_add_test(tc, test_name_v6_literal);
	tcase_add_test(tc, test_name_v6_brackets);
	tcase_add_loop_test(tc, test_name_localhost, 0, 3);
	tcase_add_loop_test(tc, test_name_unresolvable, 0, 2);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(resolve_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
