/*
 * check_faketable.c - unit tests for the daemon's fake table
 * (src/faketable.h), with an injected clock.
 *
 * Covered: the same name (any case, trailing dot) gets the same fakes;
 * slot i is v4net + i + 1 and v6net + i + 1; a fake maps back to its
 * name (also as an IPv4-mapped IPv6 address), and that use refreshes
 * it; addresses outside the ranges or never handed out are not fakes;
 * entries expire `hold` seconds after their last use; allocation is
 * sequential and wraps round, reusing expired entries; a full table
 * says FULL until one expires; a /24 has 254 slots; bad names and
 * families; a change of ranges drops what would move and keeps the rest.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "faketable.h"

static struct faketable *
mk(const char *v4, const char *v6, int hold)
{
	struct faketable *t = faketable_new();
	struct addr_cidr c4, c6;

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(addr_parse_cidr(v4, &c4), ADDR_OK);
	ck_assert_int_eq(addr_parse_cidr(v6, &c6), ADDR_OK);
	faketable_set(t, &c4, &c6, hold);
	return t;
}

static const char *
ntop(const struct sockaddr_storage *ss, char *buf)
{
	return addr_ntop_host((const struct sockaddr *)ss, buf, ADDR_STRLEN);
}

static void
sa_of(const char *text, struct sockaddr_storage *ss)
{
	socklen_t len;
	char buf[80];

	snprintf(buf, sizeof(buf), strchr(text, ':') ? "[%s]:0" : "%s:0",
	    text);
	ck_assert_int_eq(addr_parse_sockaddr(buf, ss, &len), ADDR_OK);
}

START_TEST(same_name_same_fake)
{
	struct faketable *t = mk("240.0.0.0/12", "100::/64", 300);
	struct sockaddr_storage a, b, c;
	char buf[ADDR_STRLEN], name[256];

	ck_assert_int_eq(faketable_get(t, "one.example", AF_INET, 1000, &a),
	    FAKETABLE_OK);
	ck_assert_str_eq(ntop(&a, buf), "240.0.0.1");
	ck_assert_int_eq(faketable_get(t, "ONE.example.", AF_INET, 1001, &b),
	    FAKETABLE_OK);
	ck_assert_str_eq(ntop(&b, buf), "240.0.0.1");
	ck_assert_int_eq(faketable_get(t, "one.example", AF_INET6, 1002, &c),
	    FAKETABLE_OK);
	ck_assert_str_eq(ntop(&c, buf), "100::1");
	ck_assert_int_eq(faketable_get(t, "two.example", AF_INET6, 1002, &c),
	    FAKETABLE_OK);
	ck_assert_str_eq(ntop(&c, buf), "100::2");
	ck_assert(faketable_name(t, (struct sockaddr *)&a, 1003, name,
	    sizeof(name)));
	ck_assert_str_eq(name, "one.example");
	ck_assert(faketable_name(t, (struct sockaddr *)&c, 1003, name,
	    sizeof(name)));
	ck_assert_str_eq(name, "two.example");
	/* IPv4-mapped. */
	sa_of("::ffff:240.0.0.2", &b);
	ck_assert(faketable_name(t, (struct sockaddr *)&b, 1003, name,
	    sizeof(name)));
	ck_assert_str_eq(name, "two.example");
	/* Truncated to len. */
	ck_assert(faketable_name(t, (struct sockaddr *)&a, 1003, name, 4));
	ck_assert_str_eq(name, "one");
	ck_assert_uint_eq(faketable_count(t, 1003), 2);
	faketable_free(t);
}
END_TEST

START_TEST(not_fakes)
{
	struct faketable *t = mk("240.0.0.0/12", "100::/64", 300);
	struct sockaddr_storage a;
	char name[256];

	sa_of("240.0.0.1", &a);		/* in range, never handed out */
	ck_assert(!faketable_name(t, (struct sockaddr *)&a, 1, name,
	    sizeof(name)));
	ck_assert(faketable_in_range(t, (struct sockaddr *)&a));
	sa_of("240.0.0.0", &a);		/* the network address */
	ck_assert(!faketable_name(t, (struct sockaddr *)&a, 1, name,
	    sizeof(name)));
	sa_of("10.0.0.1", &a);
	ck_assert(!faketable_name(t, (struct sockaddr *)&a, 1, name,
	    sizeof(name)));
	ck_assert(!faketable_in_range(t, (struct sockaddr *)&a));
	sa_of("100:0:0:1::1", &a);	/* outside the /64 */
	ck_assert(!faketable_in_range(t, (struct sockaddr *)&a));
	sa_of("100::1:0:0:1", &a);	/* inside, past the slots */
	ck_assert(!faketable_name(t, (struct sockaddr *)&a, 1, name,
	    sizeof(name)));
	ck_assert_int_eq(faketable_get(t, "", AF_INET, 1, &a),
	    FAKETABLE_BADNAME);
	ck_assert_int_eq(faketable_get(t, ".", AF_INET, 1, &a),
	    FAKETABLE_BADNAME);
	ck_assert_int_eq(faketable_get(t, "x", AF_UNIX, 1, &a),
	    FAKETABLE_BADFAMILY);
	faketable_free(t);
	/* A table without ranges hands out nothing. */
	t = faketable_new();
	ck_assert_int_eq(faketable_get(t, "x", AF_INET, 1, &a),
	    FAKETABLE_FULL);
	faketable_free(t);
}
END_TEST

START_TEST(expiry_and_refresh)
{
	struct faketable *t = mk("240.0.0.0/12", "100::/64", 300);
	struct sockaddr_storage a;
	char name[256];

	ck_assert_int_eq(faketable_get(t, "e.example", AF_INET, 0, &a),
	    FAKETABLE_OK);
	/* A look-up of the fake at 200 keeps it past 300. */
	ck_assert(faketable_name(t, (struct sockaddr *)&a, 200, name,
	    sizeof(name)));
	ck_assert(faketable_name(t, (struct sockaddr *)&a, 499, name,
	    sizeof(name)));
	ck_assert(!faketable_name(t, (struct sockaddr *)&a, 799, name,
	    sizeof(name)));
	ck_assert_uint_eq(faketable_count(t, 799), 0);
	/* Asked again after expiry, before reuse: the same fake. */
	ck_assert_int_eq(faketable_get(t, "e.example", AF_INET, 800, &a),
	    FAKETABLE_OK);
	ck_assert_uint_eq(((struct sockaddr_in *)&a)->sin_addr.s_addr,
	    htonl(0xf0000001));
	faketable_free(t);
}
END_TEST

START_TEST(wrap_and_full)
{
	struct faketable *t = mk("240.1.2.0/24", "100::/64", 10);
	struct sockaddr_storage a;
	char name[64], buf[ADDR_STRLEN];
	int i;

	/* A /24: 254 slots, .1 to .254. */
	for (i = 0; i < 254; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		ck_assert_int_eq(faketable_get(t, name, AF_INET, 100, &a),
		    FAKETABLE_OK);
	}
	ck_assert_str_eq(ntop(&a, buf), "240.1.2.254");
	ck_assert_int_eq(faketable_get(t, "more", AF_INET, 105, &a),
	    FAKETABLE_FULL);
	/* An old name is still there. */
	ck_assert_int_eq(faketable_get(t, "n7", AF_INET, 105, &a),
	    FAKETABLE_OK);
	ck_assert_str_eq(ntop(&a, buf), "240.1.2.8");
	/* At 110 all but n7 have expired: the cursor wraps to .1. */
	ck_assert_int_eq(faketable_get(t, "more", AF_INET, 110, &a),
	    FAKETABLE_OK);
	ck_assert_str_eq(ntop(&a, buf), "240.1.2.1");
	ck_assert(faketable_name(t, (struct sockaddr *)&a, 110, name,
	    sizeof(name)));
	ck_assert_str_eq(name, "more");
	/* Sequential from there, skipping the live n7 (.8). */
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "%c", 'a' + i);
		ck_assert_int_eq(faketable_get(t, name, AF_INET, 110, &a),
		    FAKETABLE_OK);
	}
	ck_assert_str_eq(ntop(&a, buf), "240.1.2.7");
	ck_assert_int_eq(faketable_get(t, "g", AF_INET, 110, &a),
	    FAKETABLE_OK);
	ck_assert_str_eq(ntop(&a, buf), "240.1.2.9");
	ck_assert_uint_eq(faketable_count(t, 110), 9);
	faketable_free(t);
}
END_TEST

START_TEST(reload_ranges)
{
	struct faketable *t = mk("240.0.0.0/12", "100::/64", 300);
	struct sockaddr_storage a, b;
	struct addr_cidr c4, c6;
	char name[64];
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		ck_assert_int_eq(faketable_get(t, name, AF_INET, 1, &a),
		    FAKETABLE_OK);
	}
	/* The same networks, a smaller v4 range: slots past 254 go. */
	addr_parse_cidr("240.0.0.0/24", &c4);
	addr_parse_cidr("100::/64", &c6);
	ck_assert_uint_eq(faketable_set(t, &c4, &c6, 300), 46);
	ck_assert_uint_eq(faketable_count(t, 2), 254);
	ck_assert_int_eq(faketable_get(t, "r3", AF_INET, 2, &b),
	    FAKETABLE_OK);
	ck_assert_uint_eq(((struct sockaddr_in *)&b)->sin_addr.s_addr,
	    htonl(0xf0000004));
	ck_assert(!faketable_name(t, (struct sockaddr *)&a, 2, name,
	    sizeof(name)));
	/* Another v6 network: every fake would move; all go. */
	addr_parse_cidr("100:0:0:1::/64", &c6);
	ck_assert_uint_eq(faketable_set(t, &c4, &c6, 300), 254);
	ck_assert_uint_eq(faketable_count(t, 2), 0);
	faketable_free(t);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("faketable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, same_name_same_fake);
	tcase_add_test(tc, not_fakes);
	tcase_add_test(tc, expiry_and_refresh);
	tcase_add_test(tc, wrap_and_full);
	tcase_add_test(tc, reload_ranges);
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
