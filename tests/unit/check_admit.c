/*
 * check_admit.c - unit tests for src/admit.c (random early drop of
 * peers in their handshake) and src/fdbudget.c (the descriptor budget).
 *
 * Covered: admit_drop below start, at full and beyond, the linear rise
 * between (exact thresholds for every r), rate 0 and 100; admit_parse of
 * "N" and "start:rate:full" and of bad texts; fdbudget: the reserve
 * subtracted, takes that fit and the one that does not, give back, a
 * tiny limit, and 4 threads taking and giving 100,000 times each never
 * exceeding the budget and ending at zero.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "admit.h"
#include "fdbudget.h"

/* How many of the 100 values of r drop a peer at n. */
static unsigned
drops(const struct admit_startups *s, unsigned n)
{
	unsigned r, k = 0;

	for (r = 0; r < 100; r++)
		k += admit_drop(s, n, r);
	return k;
}

START_TEST(test_drop)
{
	struct admit_startups s = { 10, 30, 60 };

	ck_assert_uint_eq(drops(&s, 0), 0);
	ck_assert_uint_eq(drops(&s, 9), 0);
	ck_assert_uint_eq(drops(&s, 10), 30);
	ck_assert_uint_eq(drops(&s, 35), 65);	/* halfway: 30 + 70/2 */
	ck_assert_uint_eq(drops(&s, 59), 98);
	ck_assert_uint_eq(drops(&s, 60), 100);
	ck_assert_uint_eq(drops(&s, 1000), 100);
	s = (struct admit_startups){ 5, 0, 5 };
	ck_assert_uint_eq(drops(&s, 4), 0);
	ck_assert_uint_eq(drops(&s, 5), 100);
	s = (struct admit_startups){ 0, 100, 10 };
	ck_assert_uint_eq(drops(&s, 0), 100);
}
END_TEST

START_TEST(test_parse)
{
	struct admit_startups s;

	ck_assert_int_eq(admit_parse("256", &s), 0);
	ck_assert_uint_eq(s.start, 256);
	ck_assert_uint_eq(s.full, 256);
	ck_assert_uint_eq(s.rate, 100);
	ck_assert_int_eq(admit_parse("10:30:100", &s), 0);
	ck_assert_uint_eq(s.start, 10);
	ck_assert_uint_eq(s.rate, 30);
	ck_assert_uint_eq(s.full, 100);
	ck_assert_int_eq(admit_parse("0", &s), -1);
	ck_assert_int_eq(admit_parse("", &s), -1);
	ck_assert_int_eq(admit_parse("10:101:100", &s), -1);
	ck_assert_int_eq(admit_parse("100:30:10", &s), -1);
	ck_assert_int_eq(admit_parse("10:30", &s), -1);
	ck_assert_int_eq(admit_parse("10:30:100:1", &s), -1);
	ck_assert_int_eq(admit_parse("-1", &s), -1);
	ck_assert_int_eq(admit_parse("1x", &s), -1);
	ck_assert_int_eq(admit_parse("10: 30:100", &s), -1);
}
END_TEST

START_TEST(test_budget)
{
	fdbudget_init(FDBUDGET_RESERVE + FDBUDGET_PER_PAM * 2 + 10, 2);
	ck_assert_int_eq(fdbudget_total(), 10);
	ck_assert(fdbudget_take(FDBUDGET_UDP));
	ck_assert(fdbudget_take(FDBUDGET_BIND));
	ck_assert(fdbudget_take(FDBUDGET_CONNECT));
	ck_assert(!fdbudget_take(2));		/* 9 used, 1 left */
	ck_assert(fdbudget_take(1));
	ck_assert_int_eq(fdbudget_used(), 10);
	fdbudget_give(FDBUDGET_UDP);
	ck_assert(fdbudget_take(FDBUDGET_UDP));
	fdbudget_give(10);
	ck_assert_int_eq(fdbudget_used(), 0);
	/* Attempts: all of them while there is room, then one. */
	ck_assert(fdbudget_take(5));
	ck_assert_int_eq(fdbudget_attempts(), FDBUDGET_ATTEMPTS);
	ck_assert_int_eq(fdbudget_used(), 5 + FDBUDGET_ATTEMPTS - 1);
	ck_assert_int_eq(fdbudget_attempts(), 1);
	fdbudget_attempts_done(1);
	fdbudget_attempts_done(FDBUDGET_ATTEMPTS);
	ck_assert_int_eq(fdbudget_used(), 5);
	fdbudget_give(5);
	fdbudget_init(3, 4);			/* less than the reserve */
	ck_assert_int_eq(fdbudget_total(), 1);
	ck_assert(fdbudget_take(1));
	ck_assert(!fdbudget_take(1));
	fdbudget_give(1);
}
END_TEST

static atomic_int over;

static void *
churn(void *unused)
{
	int i;

	(void)unused;
	for (i = 0; i < 100000; i++) {
		if (!fdbudget_take(3))
			continue;
		if (fdbudget_used() > fdbudget_total())
			atomic_store(&over, 1);
		fdbudget_give(3);
	}
	return NULL;
}

START_TEST(test_budget_threads)
{
	pthread_t t[4];
	int i;

	fdbudget_init(FDBUDGET_RESERVE + 7, 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, NULL), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&over), 0);
	ck_assert_int_eq(fdbudget_used(), 0);
}
END_TEST

static Suite *
admit_suite(void)
{
	Suite *s = suite_create("admit");
	TCase *tc = tcase_create("admit");

	tcase_add_test(tc, test_drop);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_budget_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(admit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
