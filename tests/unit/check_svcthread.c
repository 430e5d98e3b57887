/*
 * check_svcthread.c - unit tests for src/svcthread.c (the service
 * threads' start and stop).
 *
 * Covered: one thread with a stop pipe, woken and joined by
 * svcthread_stop; a pool of SVCTHREAD_MAX threads on a 256 KiB stack
 * (the size asked for) all woken by the one byte of svcthread_stop, the
 * pipe closed after; a pool size of 0 or over SVCTHREAD_MAX refused
 * (EINVAL); svcthread_stop on a never started thread and on a never
 * opened pipe; a thread without a stop pipe detached (runs to its end).
 */
#include "sgconfig.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "svcthread.h"

static struct svcthread svc = SVCTHREAD_INITIALIZER;
static atomic_int started, ended;
static atomic_size_t stack_seen;

/* A service thread: poll the stop pipe until it is readable. */
static void *
waiter(void *arg)
{
	struct pollfd pfd = { svcthread_stopfd(&svc), POLLIN, 0 };
	pthread_attr_t attr;
	size_t sz = 0;

	(void)arg;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstacksize(&attr, &sz);
		pthread_attr_destroy(&attr);
		atomic_store(&stack_seen, sz);
	}
	atomic_fetch_add(&started, 1);
	while (poll(&pfd, 1, 10000) == 0)
		;
	atomic_fetch_add(&ended, 1);
	return NULL;
}

static void
reset(void)
{
	atomic_store(&started, 0);
	atomic_store(&ended, 0);
	atomic_store(&stack_seen, 0);
}

static void
wait_started(int n)
{
	int i;

	for (i = 0; i < 1000 && atomic_load(&started) < n; i++)
		usleep(5000);
	ck_assert_int_eq(atomic_load(&started), n);
}

START_TEST(test_one)
{
	reset();
	ck_assert_int_eq(svcthread_open(&svc), 0);
	ck_assert_int_ge(svcthread_stopfd(&svc), 0);
	ck_assert_int_eq(svcthread_start(&svc, "one", waiter, NULL), 0);
	wait_started(1);
	ck_assert_int_eq(atomic_load(&ended), 0);
	svcthread_stop(&svc);
	ck_assert_int_eq(atomic_load(&ended), 1);
	ck_assert_int_eq(svcthread_stopfd(&svc), -1);
	svcthread_stop(&svc);	/* again: nothing to do */
}
END_TEST

START_TEST(test_pool)
{
	reset();
	ck_assert_int_eq(svcthread_open(&svc), 0);
	ck_assert_int_eq(svcthread_start_pool(&svc, "pool", waiter, NULL,
	    SVCTHREAD_MAX, 256 * 1024), 0);
	wait_started(SVCTHREAD_MAX);
	ck_assert_uint_eq(atomic_load(&stack_seen), 256 * 1024);
	svcthread_stop(&svc);
	ck_assert_int_eq(atomic_load(&ended), SVCTHREAD_MAX);
	ck_assert_int_eq(svcthread_stopfd(&svc), -1);
}
END_TEST

START_TEST(test_bad_sizes)
{
	ck_assert_int_eq(svcthread_open(&svc), 0);
	errno = 0;
	ck_assert_int_eq(svcthread_start_pool(&svc, "p", waiter, NULL, 0, 0),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(svcthread_start_pool(&svc, "p", waiter, NULL,
	    SVCTHREAD_MAX + 1, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	svcthread_stop(&svc);	/* never started: closes the pipe only */
	ck_assert_int_eq(svcthread_stopfd(&svc), -1);
}
END_TEST

static atomic_int detached_ran;

static void *
quick(void *arg)
{
	(void)arg;
	atomic_store(&detached_ran, 1);
	return NULL;
}

START_TEST(test_detached)
{
	struct svcthread t = SVCTHREAD_INITIALIZER;
	int i;

	svcthread_stop(&t);	/* no pipe, no thread */
	ck_assert_int_eq(svcthread_start(&t, "detached", quick, NULL), 0);
	for (i = 0; i < 1000 && !atomic_load(&detached_ran); i++)
		usleep(5000);
	ck_assert_int_eq(atomic_load(&detached_ran), 1);
	svcthread_stop(&t);	/* left alone: it was never joinable */
}
END_TEST

static Suite *
svcthread_suite(void)
{
	Suite *s = suite_create("svcthread");
	TCase *tc = tcase_create("svcthread");

	tcase_add_test(tc, test_one);
	tcase_add_test(tc, test_pool);
	tcase_add_test(tc, test_bad_sizes);
	tcase_add_test(tc, test_detached);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(svcthread_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
