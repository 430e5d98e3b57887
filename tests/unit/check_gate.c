/*
 * check_gate.c - unit tests for src/gate.c (the counting gate of the
 * DNS door's UDP workers).
 *
 * Covered: places taken up to max, the one over refused without
 * counting, a place given back taken again; a gate of 0 refuses all;
 * 4 threads entering and leaving 20,000 times each on a gate of 1,
 * yielding while they hold it, never see two holders nor a count over
 * 1, and leave it empty.
 */
#include "sgconfig.h"

#include <check.h>
#include <pthread.h>
#include <sched.h>
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
#define ROUNDS	20000

/*
 * A gate of 1, so that two holders at once is a failure, held across a
 * yield, so that the others really try while it is held; the count is
 * sampled at every refusal, so that a gate whose count only briefly
 * went over max (add, then undo) fails too.
 */
static struct gate shared = GATE_INITIALIZER(1);
static atomic_int inside, most, most_held, entered;

static void
note_max(atomic_int *m, int n)
{
	int cur = atomic_load(m);

	while (n > cur && !atomic_compare_exchange_weak(m, &cur, n))
		;
}

static void *
churn(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		if (!gate_enter(&shared)) {
			note_max(&most_held, gate_held(&shared));
			continue;
		}
		atomic_fetch_add(&entered, 1);
		note_max(&most, atomic_fetch_add(&inside, 1) + 1);
		sched_yield();
		atomic_fetch_sub(&inside, 1);
		gate_leave(&shared);
	}
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t t[THREADS];
	int i, holders, count;

	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, NULL), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	holders = atomic_load(&most);
	count = atomic_load(&most_held);
	ck_assert_int_eq(holders, 1);
	ck_assert_int_le(count, 1);
	ck_assert_int_gt(atomic_load(&entered), 0);
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
