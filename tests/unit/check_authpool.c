/*
 * check_authpool.c - unit tests for src/authpool.c (the bounded pool of
 * login workers), with jobs that sleep instead of PAM.
 *
 * Covered: no worker yet (EAGAIN, nothing released); 8 callers with a
 * limit of 2 never see more than 2 jobs at once and all finish; a job
 * still queued at its deadline is dropped (ETIMEDOUT, released at once,
 * never run); a job running at its deadline returns ETIMEDOUT at once
 * and is released by the pool after it has run; raising the limit
 * starts more workers.  Each test ends with authpool_stop and starts
 * with zeroed counters, so it has a fresh pool whether Check forks or
 * not.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "authpool.h"
#include "sgio.h"

static atomic_int now_running, most_running, runs, releases;

struct arg {
	int	sleep_ms;
	int	result;
};

/* Each test starts from zero, forked or not (valgrind.sh: CK_FORK=no). */
static void
reset_counts(void)
{
	atomic_store(&now_running, 0);
	atomic_store(&most_running, 0);
	atomic_store(&runs, 0);
	atomic_store(&releases, 0);
}

static void
job(void *p)
{
	struct arg *a = p;
	int n = atomic_fetch_add(&now_running, 1) + 1, m;

	while ((m = atomic_load(&most_running)) < n &&
	    !atomic_compare_exchange_weak(&most_running, &m, n))
		;
	usleep((useconds_t)a->sleep_ms * 1000);
	a->result = 42;
	atomic_fetch_add(&runs, 1);
	atomic_fetch_sub(&now_running, 1);
}

static void
release(void *p)
{
	atomic_fetch_add(&releases, 1);
	free(p);
}

static int
run_one(int sleep_ms, int wait_ms, struct arg **out)
{
	struct arg *a = calloc(1, sizeof(*a));
	int rc;

	a->sleep_ms = sleep_ms;
	rc = authpool_run(job, a, release, sgio_now_ms() + wait_ms);
	if (rc == 0 && out != NULL)
		*out = a;
	else if (rc == 0 || errno == EAGAIN)
		free(a);		/* ours again */
	return rc;
}

START_TEST(test_no_worker)
{
	ck_assert_int_eq(run_one(0, 100, NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(atomic_load(&releases), 0);
}
END_TEST

static void *
caller(void *unused)
{
	struct arg *a = NULL;

	(void)unused;
	ck_assert_int_eq(run_one(100, 10000, &a), 0);
	ck_assert_int_eq(a->result, 42);
	free(a);
	return NULL;
}

START_TEST(test_bound)
{
	pthread_t t[8];
	size_t i;

	ck_assert_int_eq(authpool_set_limit(2), 0);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, caller, NULL), 0);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&runs), 8);
	ck_assert_int_eq(atomic_load(&most_running), 2);
	ck_assert_int_eq(atomic_load(&releases), 0);
}
END_TEST

static void *
long_caller(void *unused)
{
	(void)unused;
	ck_assert_int_eq(run_one(500, 10000, NULL), 0);
	return NULL;
}

START_TEST(test_deadline_queued)
{
	pthread_t t;
	unsigned running, queued;
	int64_t t0;

	ck_assert_int_eq(authpool_set_limit(1), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, long_caller, NULL), 0);
	do
		authpool_counts(&running, &queued);
	while (running == 0 && usleep(1000) == 0);
	t0 = sgio_now_ms();
	ck_assert_int_eq(run_one(0, 100, NULL), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_lt(sgio_now_ms() - t0, 400);
	/* Dropped unrun, released once. */
	ck_assert_int_eq(atomic_load(&releases), 1);
	authpool_counts(&running, &queued);
	ck_assert_uint_eq(queued, 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(atomic_load(&runs), 1);
}
END_TEST

START_TEST(test_deadline_running)
{
	int64_t t0 = sgio_now_ms();
	int i;

	ck_assert_int_eq(authpool_set_limit(1), 0);
	ck_assert_int_eq(run_one(400, 100, NULL), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_lt(sgio_now_ms() - t0, 350);
	ck_assert_int_eq(atomic_load(&releases), 0);
	/* The pool releases it once the job is over. */
	for (i = 0; i < 200 && atomic_load(&releases) == 0; i++)
		usleep(10000);
	ck_assert_int_eq(atomic_load(&runs), 1);
	ck_assert_int_eq(atomic_load(&releases), 1);
}
END_TEST

START_TEST(test_raise_limit)
{
	pthread_t t[4];
	size_t i;

	ck_assert_int_eq(authpool_set_limit(1), 0);
	ck_assert_int_eq(authpool_set_limit(4), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, caller, NULL), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&runs), 4);
	ck_assert_int_gt(atomic_load(&most_running), 1);
	ck_assert_int_le(atomic_load(&most_running), 4);
}
END_TEST

static Suite *
authpool_suite(void)
{
	Suite *s = suite_create("authpool");
	TCase *tc = tcase_create("authpool");

	tcase_set_timeout(tc, 30);
	/* Every test ends the pool's workers (no thread left to leak). */
	tcase_add_checked_fixture(tc, reset_counts, authpool_stop);
	tcase_add_test(tc, test_no_worker);
	tcase_add_test(tc, test_bound);
	tcase_add_test(tc, test_deadline_queued);
	tcase_add_test(tc, test_deadline_running);
	tcase_add_test(tc, test_raise_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(authpool_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
