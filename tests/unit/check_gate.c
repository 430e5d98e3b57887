/*
 * check_gate.c - unit tests for src/gate.c (the counting gate of the
 * DNS door's UDP workers).
 *
 * Covered: places taken up to max, the one over refused without
 * counting, a place given back taken again; a gate of 0 refuses all;
 * 4 threads entering and leaving 100,000 times each on a gate of 3
 * never see more than 3 holders and leave it empty.
 */
#include "sgconfig.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "gate.h"

START_TEST(test_bound)
{
	struct gate g = GATE_INITIALIZER(2);

	ck_assert(gate_enter(&g));
	ck_assert(gate_enter(&g));
	ck_assert_int_eq(gate_held(&g), 2);
	ck_assert(!gate_enter(&g));
	ck_assert_int_eq(gate_held(&g), 2);
	gate_leave(&g);
	ck_assert_int_eq(gate_held(&g), 1);
	ck_assert(gate_enter(&g));
	ck_assert(!gate_enter(&g));
	gate_leave(&g);
	gate_leave(&g);
	ck_assert_int_eq(gate_held(&g), 0);
}
END_TEST

START_TEST(test_zero)
{
	struct gate g = GATE_INITIALIZER(0);

	ck_assert(!gate_enter(&g));
	ck_assert_int_eq(gate_held(&g), 0);
}
END_TEST

#define THREADS	4
#define ROUNDS	100000

static struct gate shared = GATE_INITIALIZER(3);
static atomic_int inside, most;

static void *
churn(void *arg)
{
	int i, n, m;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		if (!gate_enter(&shared))
			continue;
		n = atomic_fetch_add(&inside, 1) + 1;
		m = atomic_load(&most);
		while (n > m && !atomic_compare_exchange_weak(&most, &m, n))
			;
		atomic_fetch_sub(&inside, 1);
		gate_leave(&shared);
	}
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t t[THREADS];
	int i;

	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, NULL), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_le(atomic_load(&most), 3);
	ck_assert_int_ge(atomic_load(&most), 1);
	ck_assert_int_eq(gate_held(&shared), 0);
}
END_TEST

static Suite *
gate_suite(void)
{
	Suite *s = suite_create("gate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bound);
	tcase_add_test(tc, test_zero);
	tcase_add_test(tc, test_threads);
	tcase_set_timeout(tc, 60);	/* valgrind serialises the threads */
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
