/*
 * check_throttle.c - unit tests for src/throttle.c (failed logins per
 * client address) and addr_client_key, with an injected clock.
 *
 * Covered: below the limit nothing is blocked; the limit-th failure in
 * the window starts a block of block_s, reported once, counted down and
 * over at its end; failures in different windows do not add up; a
 * success forgets the address; other addresses are never slowed down;
 * IPv6 clients count per /64 (or the configured prefix), IPv4-mapped
 * as IPv4; limit 0 turns it off; 20,000 distinct addresses in a
 * 1,024-entry table stay bounded and a recently blocked address stays
 * blocked.  log_due (warnings said at most once an interval): the first
 * call is due, calls within the interval are not, the first at its end
 * is again, and its time counts from then.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "addr.h"
#include "log.h"
#include "throttle.h"

static const struct throttle_cfg cfg = { 3, 60, 300, 64 };

static struct sockaddr_storage
sa_of(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
	}
	return ss;
}

#define SA(ss)	((struct sockaddr *)&(ss))

START_TEST(test_block)
{
	struct throttle *t = throttle_new(64);
	struct sockaddr_storage a = sa_of("192.0.2.1"), b = sa_of("192.0.2.2");
	int64_t now = 1000000;

	ck_assert_ptr_nonnull(t);
	ck_assert(!throttle_failed(t, &cfg, SA(a), now));
	ck_assert(!throttle_failed(t, &cfg, SA(a), now + 1000));
	ck_assert_int_eq(throttle_blocked(t, &cfg, SA(a), now + 1000), 0);
	ck_assert(throttle_failed(t, &cfg, SA(a), now + 2000));
	ck_assert_int_eq(throttle_blocked(t, &cfg, SA(a), now + 2000), 300000);
	ck_assert_int_eq(throttle_blocked(t, &cfg, SA(a), now + 102000),
	    200000);
	/* Failures during the block do not start another one. */
	ck_assert(!throttle_failed(t, &cfg, SA(a), now + 3000));
	ck_assert(!throttle_failed(t, &cfg, SA(a), now + 4000));
	/* Others are not slowed down. */
	ck_assert_int_eq(throttle_blocked(t, &cfg, SA(b), now + 2000), 0);
	ck_assert_int_eq(throttle_blocked(t, &cfg, SA(a), now + 302000), 0);
	throttle_free(t);
}
END_TEST

START_TEST(test_window)
{
	struct throttle *t = throttle_new(64);
	struct sockaddr_storage a = sa_of("192.0.2.1");
	int64_t now = 5000;

	/* Two failures a window apart, twice: never three in one window. */
	ck_assert(!throttle_failed(t, &cfg, SA(a), now));
	ck_assert(!throttle_failed(t, &cfg, SA(a), now + 1000));
	ck_assert(!throttle_failed(t, &cfg, SA(a), now + 61000));
	ck_assert(!throttle_failed(t, &cfg, SA(a), now + 62000));
	ck_assert_int_eq(throttle_blocked(t, &cfg, SA(a), now + 62000), 0);
	/* A success forgets the address. */
	throttle_succeeded(t, &cfg, SA(a));
	ck_assert(!throttle_failed(t, &cfg, SA(a), now + 63000));
	ck_assert(!throttle_failed(t, &cfg, SA(a), now + 63000));
	ck_assert(throttle_failed(t, &cfg, SA(a), now + 63000));
	throttle_free(t);
}
END_TEST

START_TEST(test_prefixes)
{
	struct throttle *t = throttle_new(64);
	struct sockaddr_storage a = sa_of("2001:db8:1:2::1"),
	    b = sa_of("2001:db8:1:2:ffff::9"), c = sa_of("2001:db8:1:3::1"),
	    v4 = sa_of("198.51.100.7"), m = sa_of("::ffff:198.51.100.7");
	struct throttle_cfg c48 = cfg;
	uint8_t k1[ADDR_KEY_LEN], k2[ADDR_KEY_LEN];

	/* Three failures from one /64 block all of it, not the next one. */
	ck_assert(!throttle_failed(t, &cfg, SA(a), 0));
	ck_assert(!throttle_failed(t, &cfg, SA(b), 0));
	ck_assert(throttle_failed(t, &cfg, SA(a), 0));
	ck_assert_int_gt(throttle_blocked(t, &cfg, SA(b), 1), 0);
	ck_assert_int_eq(throttle_blocked(t, &cfg, SA(c), 1), 0);
	/* With /48, the neighbour /64 shares the block. */
	c48.v6_prefix = 48;
	ck_assert(!throttle_failed(t, &c48, SA(a), 0));
	ck_assert(!throttle_failed(t, &c48, SA(a), 0));
	ck_assert(throttle_failed(t, &c48, SA(a), 0));
	ck_assert_int_gt(throttle_blocked(t, &c48, SA(c), 1), 0);
	/* IPv4-mapped is the IPv4 address. */
	addr_client_key(SA(v4), 64, k1);
	addr_client_key(SA(m), 64, k2);
	ck_assert_mem_eq(k1, k2, ADDR_KEY_LEN);
	addr_client_key(SA(a), 128, k1);
	addr_client_key(SA(b), 128, k2);
	ck_assert(memcmp(k1, k2, ADDR_KEY_LEN) != 0);
	addr_client_key(SA(a), 60, k1);
	addr_client_key(SA(c), 60, k2);
	ck_assert_mem_eq(k1, k2, ADDR_KEY_LEN);
	throttle_free(t);
}
END_TEST

START_TEST(test_off)
{
	struct throttle *t = throttle_new(64);
	struct sockaddr_storage a = sa_of("192.0.2.1");
	struct throttle_cfg off = cfg;
	int i;

	off.limit = 0;
	for (i = 0; i < 100; i++)
		ck_assert(!throttle_failed(t, &off, SA(a), i));
	ck_assert_int_eq(throttle_blocked(t, &off, SA(a), 100), 0);
	throttle_free(t);
}
END_TEST

START_TEST(test_bounded)
{
	struct throttle *t = throttle_new(1024);
	struct sockaddr_storage victim = sa_of("203.0.113.9"), x;
	char ip[64];
	int i;

	ck_assert(!throttle_failed(t, &cfg, SA(victim), 0));
	ck_assert(!throttle_failed(t, &cfg, SA(victim), 0));
	ck_assert(throttle_failed(t, &cfg, SA(victim), 0));
	/* A flood of one-off failures from other addresses. */
	for (i = 0; i < 20000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16, (i >> 8) & 255,
		    i & 255);
		x = sa_of(ip);
		(void)throttle_failed(t, &cfg, SA(x), 1000 + i);
		if (i % 256 == 0)	/* the victim keeps trying */
			(void)throttle_failed(t, &cfg, SA(victim), 1000 + i);
	}
	ck_assert_int_gt(throttle_blocked(t, &cfg, SA(victim), 30000), 0);
	throttle_free(t);
}
END_TEST

START_TEST(test_log_due)
{
	_Atomic int64_t last = 0;

	ck_assert(log_due(&last, 5000, 1000));
	ck_assert(!log_due(&last, 5000, 1000));
	ck_assert(!log_due(&last, 5999, 1000));
	ck_assert(log_due(&last, 6000, 1000));
	ck_assert_int_eq(last, 6000);
	ck_assert(!log_due(&last, 6500, 1000));
	ck_assert(log_due(&last, 7000, 1000));
}
END_TEST

static Suite *
throttle_suite(void)
{
	Suite *s = suite_create("throttle");
	TCase *tc = tcase_create("throttle");

	tcase_add_test(tc, test_block);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_off);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_log_due);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(throttle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
