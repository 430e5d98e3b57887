/*
 * check_sock.c - unit tests for src/sock.c's sock_connect_any (RFC 8305
 * staggered connects), on loopback only.
 *
 * A listener whose accept queue is full drops new SYNs, so connects to
 * it stay in progress: a black hole on loopback.  Covered: the first
 * address refusing (closed port) and the second answering: connected to
 * the second at once; six black-holed addresses with at most two
 * attempts in flight: ETIMEDOUT after the attempts' timeouts, without
 * busy-waiting (the thread's CPU time stays small); a black hole first
 * and a live listener second: the second wins after the stagger; skip
 * marks addresses not to try.
 */
#include "sgconfig.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "sgio.h"
#include "sock.h"

/* A loopback listener; its address in *ss. */
static int
listener(int backlog, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)sin, len), 0);
	ck_assert_int_eq(listen(fd, backlog), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

/* A listener that drops SYNs: its queue filled and never accepted. */
static int
black_hole(struct sockaddr_storage *ss, int *fill, size_t nfill)
{
	int l = listener(0, ss);
	size_t i;

	for (i = 0; i < nfill; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		(void)connect(fill[i], (struct sockaddr *)ss, sizeof(struct
		    sockaddr_in));
	}
	usleep(100000);
	return l;
}

static double
thread_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

START_TEST(test_refused_then_ok)
{
	struct sockaddr_storage a[2];
	size_t which = 9;
	int l, closed, fd;

	closed = listener(4, &a[0]);
	close(closed);			/* its port now refuses */
	l = listener(4, &a[1]);
	fd = sock_connect_any(a, 2, NULL, 2000, 250, 4, &which);
	ck_assert_int_ne(fd, -1);
	ck_assert_uint_eq(which, 1);
	close(fd);
	close(l);
}
END_TEST

START_TEST(test_black_holes_no_spin)
{
	struct sockaddr_storage a[6];
	int fill[3], l, fd, i;
	size_t which;
	double cpu;
	int64_t t0;

	l = black_hole(&a[0], fill, 3);
	for (i = 1; i < 6; i++)
		a[i] = a[0];
	cpu = thread_cpu();
	t0 = sgio_now_ms();
	fd = sock_connect_any(a, 6, NULL, 600, 50, 2, &which);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	/* Three rounds of two attempts, 600 ms each. */
	ck_assert_int_ge(sgio_now_ms() - t0, 1500);
	ck_assert_msg(thread_cpu() - cpu < 0.5, "busy-waited: %.2f s of CPU",
	    thread_cpu() - cpu);
	for (i = 0; i < 3; i++)
		close(fill[i]);
	close(l);
}
END_TEST

START_TEST(test_hole_then_ok_and_skip)
{
	struct sockaddr_storage a[3];
	unsigned char skip[3] = { 0, 1, 0 };
	int fill[3], hole, ok, fd, i;
	size_t which = 9;
	int64_t t0;

	hole = black_hole(&a[0], fill, 3);
	a[1] = a[0];
	ok = listener(4, &a[2]);
	t0 = sgio_now_ms();
	fd = sock_connect_any(a, 3, skip, 5000, 200, 4, &which);
	ck_assert_int_ne(fd, -1);
	ck_assert_uint_eq(which, 2);
	/* After the stagger, long before the first attempt's timeout. */
	ck_assert_int_ge(sgio_now_ms() - t0, 150);
	ck_assert_int_lt(sgio_now_ms() - t0, 4000);
	close(fd);
	for (i = 0; i < 3; i++)
		close(fill[i]);
	close(hole);
	close(ok);
}
END_TEST

static Suite *
sock_suite(void)
{
	Suite *s = suite_create("sock");
	TCase *tc = tcase_create("connect_any");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_refused_then_ok);
	tcase_add_test(tc, test_black_holes_no_spin);
	tcase_add_test(tc, test_hole_then_ok_and_skip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sock_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
