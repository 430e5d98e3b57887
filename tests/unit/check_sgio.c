/*
 * check_sgio.c - unit tests for src/sgio.c, the deadline I/O shared by
 * the daemon and the Socks Lib.
 *
 * Covered over socketpairs, pipes and loopback sockets: sgio_poll and
 * sgio_wait return at once when ready, give ETIMEDOUT at the deadline
 * (and not long before), and honour "no deadline" when ready;
 * sgio_send_all sends everything across a full buffer as the peer
 * drains it, and gives ETIMEDOUT when nobody drains; it writes to a pipe
 * (not a socket); sgio_recv_some returns what is there, 0 at EOF and
 * ETIMEDOUT when nothing comes, even on a blocking descriptor;
 * sgio_recv_all waits for exactly the length asked, across writes, and
 * fails with ETIMEDOUT or, at an early EOF, ECONNRESET;
 * sgio_connect succeeds on a listening loopback socket and gives
 * ECONNREFUSED on a closed port; the ops table is what is called.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sgio.h"

START_TEST(test_poll_deadline)
{
	int sv[2];
	int64_t t0;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	t0 = sgio_now_ms();
	ck_assert_int_eq(sgio_wait(sv[0], POLLIN, t0 + 100), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(sgio_now_ms() - t0, 90);
	/* A deadline already passed: at once. */
	ck_assert_int_eq(sgio_wait(sv[0], POLLIN, t0), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_eq(write(sv[1], "x", 1), 1);
	ck_assert_int_eq(sgio_wait(sv[0], POLLIN, sgio_now_ms() + 1000), 0);
	ck_assert_int_eq(sgio_wait(sv[0], POLLIN, -1), 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

static void *
drain(void *arg)
{
	int fd = *(int *)arg;
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	return (void *)total;
}

START_TEST(test_send_all)
{
	size_t len = 4 << 20;
	char *big = calloc(1, len);
	pthread_t t;
	void *got;
	int sv[2];

	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, drain, &sv[1]), 0);
	ck_assert_int_eq(sgio_send_all(&sgio_libc, sv[0], big, len,
	    sgio_now_ms() + 20000), 0);
	close(sv[0]);
	pthread_join(t, &got);
	ck_assert_uint_eq((size_t)got, len);
	close(sv[1]);
	/* Nobody reads: the deadline ends it. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(sgio_send_all(&sgio_libc, sv[0], big, len,
	    sgio_now_ms() + 100), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
	free(big);
}
END_TEST

START_TEST(test_pipe)
{
	char buf[8] = "";
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(sgio_send_all(&sgio_libc, p[1], "pipe", 4, -1), 0);
	ck_assert_int_eq(sgio_recv_some(&sgio_libc, p[0], buf, sizeof(buf),
	    sgio_now_ms() + 1000), 4);
	ck_assert_int_eq(memcmp(buf, "pipe", 4), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_recv_some)
{
	char buf[16];
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* Blocking descriptor, nothing sent: still bounded. */
	ck_assert_int_eq(sgio_recv_some(&sgio_libc, sv[0], buf, sizeof(buf),
	    sgio_now_ms() + 100), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_eq(write(sv[1], "abc", 3), 3);
	ck_assert_int_eq(sgio_recv_some(&sgio_libc, sv[0], buf, 2,
	    sgio_now_ms() + 1000), 2);
	ck_assert_int_eq(sgio_recv_some(&sgio_libc, sv[0], buf, sizeof(buf),
	    sgio_now_ms() + 1000), 1);
	close(sv[1]);
	ck_assert_int_eq(sgio_recv_some(&sgio_libc, sv[0], buf, sizeof(buf),
	    sgio_now_ms() + 1000), 0);
	close(sv[0]);
}
END_TEST

static int connects;

static int
counting_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	connects++;
	return connect(fd, sa, len);
}

START_TEST(test_recv_all)
{
	int sv[2];
	char buf[8];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* Two writes, one answer of exactly the length asked. */
	ck_assert_int_eq(write(sv[1], "abc", 3), 3);
	ck_assert_int_eq(write(sv[1], "defg", 4), 4);
	ck_assert_int_eq(sgio_recv_all(&sgio_libc, sv[0], buf, 6,
	    sgio_now_ms() + 1000), 0);
	ck_assert(memcmp(buf, "abcdef", 6) == 0);
	/* One byte left, two asked, nothing more comes: ETIMEDOUT. */
	ck_assert_int_eq(sgio_recv_all(&sgio_libc, sv[0], buf, 2,
	    sgio_now_ms() + 100), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	/* EOF before the length: ECONNRESET, not success. */
	ck_assert_int_eq(write(sv[1], "h", 1), 1);
	close(sv[1]);
	ck_assert_int_eq(sgio_recv_all(&sgio_libc, sv[0], buf, 4,
	    sgio_now_ms() + 1000), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	close(sv[0]);
}
END_TEST

START_TEST(test_connect)
{
	const struct sgio_ops io = { send, recv, counting_connect };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int l, fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(l, 4), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sin, &len), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(sgio_connect(&io, fd, (struct sockaddr *)&sin,
	    sizeof(sin), sgio_now_ms() + 2000), 0);
	ck_assert_int_eq(connects, 1);
	close(fd);
	/* The listener gone, its port refuses. */
	close(l);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(sgio_connect(&io, fd, (struct sockaddr *)&sin,
	    sizeof(sin), sgio_now_ms() + 2000), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	close(fd);
}
END_TEST

static Suite *
sgio_suite(void)
{
	Suite *s = suite_create("sgio");
	TCase *tc = tcase_create("sgio");

	tcase_add_test(tc, test_poll_deadline);
	tcase_add_test(tc, test_send_all);
	tcase_add_test(tc, test_pipe);
	tcase_add_test(tc, test_recv_some);
	tcase_add_test(tc, test_recv_all);
	tcase_add_test(tc, test_connect);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sgio_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
