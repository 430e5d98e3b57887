/*
 * check_relay.c - unit tests for src/relay.c, the TCP pump.
 *
 * Over two socketpairs (test <-> relay's client side, relay's
 * destination side <-> test), relay_run in a thread of its own:
 * bytes go both ways and are counted; a half-close is passed on and the
 * relay ends once both directions have ended; the quiet hook is called
 * exactly once when nothing has moved for RELAY_QUIET_MS, not before,
 * and never for a relay that ends sooner; the idle timeout ends a relay
 * nobody uses; a bulk stream over TCP arrives whole and in order, and
 * with pipes, grows one (without, none).  The pipe pool
 * (src/pipepool.c): an empty pipe is reused, any other closed; a full
 * pipe grows, PIPEPOOL_BULK_MAX at a time, a pooled one keeps its
 * place and a closed one frees it.
 */
#include "sgconfig.h"

#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fdbudget.h"
#include "pipepool.h"
#include "relay.h"
#include "sgio.h"

struct pump {
	int		 cl[2];		/* cl[0] the client, cl[1] the relay's */
	int		 de[2];		/* de[0] the relay's, de[1] the server */
	int		 idle_s;
	bool		 hook;
	struct relay_stats st;
	enum relay_end	 end;
	int		 err;
	pthread_t	 t;
};

static atomic_int quiet_calls;
static _Atomic int64_t quiet_at;

static void
quiet(void)
{
	atomic_fetch_add(&quiet_calls, 1);
	quiet_at = sgio_now_ms();
}

static void *
pump_main(void *arg)
{
	struct pump *p = arg;

	p->end = relay_run(p->cl[1], p->de[0], p->idle_s, 0, NULL,
	    p->hook ? quiet : NULL, &p->st, &p->err);
	return NULL;
}

/*
 * A connected TCP pair over 127.0.0.1: what a relay really splices.  An
 * AF_UNIX socket splices each message into its own pipe slot, so a read
 * never fills a 64 KiB pipe and the bulk path would go untested.
 */
static void
tcp_pair(int sv[2])
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(lfd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	ck_assert_int_ne(sv[0] = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(sv[0], (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	ck_assert_int_ne(sv[1] = accept(lfd, NULL, NULL), -1);
	close(lfd);
}

static void
pump_start_over(struct pump *p, int idle_s, bool hook, bool tcp)
{
	memset(p, 0, sizeof(*p));
	if (tcp) {
		tcp_pair(p->cl);
		tcp_pair(p->de);
	} else {
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p->cl),
		    0);
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p->de),
		    0);
	}
	ck_assert_int_ne(fcntl(p->cl[1], F_SETFL, O_NONBLOCK), -1);
	ck_assert_int_ne(fcntl(p->de[0], F_SETFL, O_NONBLOCK), -1);
	p->idle_s = idle_s;
	p->hook = hook;
	quiet_calls = 0;
	quiet_at = 0;
	ck_assert_int_eq(pthread_create(&p->t, NULL, pump_main, p), 0);
}

static void
pump_start(struct pump *p, int idle_s, bool hook)
{
	pump_start_over(p, idle_s, hook, false);
}

/* Both ends half-closed by the test: the relay ends; all closed. */
static void
pump_finish(struct pump *p)
{
	char b;

	shutdown(p->cl[0], SHUT_WR);
	shutdown(p->de[1], SHUT_WR);
	ck_assert_int_eq(pthread_join(p->t, NULL), 0);
	ck_assert_int_eq(p->end, RELAY_END_CLOSED);
	/* Each EOF was passed on. */
	ck_assert_int_eq(read(p->de[1], &b, 1), 0);
	ck_assert_int_eq(read(p->cl[0], &b, 1), 0);
	close(p->cl[0]);
	close(p->cl[1]);
	close(p->de[0]);
	close(p->de[1]);
}

static void
move(int from, int to, const char *text)
{
	char buf[64];
	size_t n = strlen(text), got = 0;
	ssize_t k;

	ck_assert_int_eq(write(from, text, n), (ssize_t)n);
	while (got < n) {
		k = read(to, buf + got, sizeof(buf) - got);
		ck_assert_int_gt(k, 0);
		got += (size_t)k;
	}
	ck_assert_int_eq(got, n);
	ck_assert(memcmp(buf, text, n) == 0);
}

START_TEST(test_both_ways)
{
	struct pump p;

	pump_start(&p, 0, false);
	move(p.cl[0], p.de[1], "hello");
	move(p.de[1], p.cl[0], "world!");
	move(p.cl[0], p.de[1], "again");
	pump_finish(&p);
	ck_assert_uint_eq(p.st.up, 10);
	ck_assert_uint_eq(p.st.down, 6);
}
END_TEST

START_TEST(test_halfclose_then_data)
{
	struct pump p;
	char b;

	pump_start(&p, 0, false);
	/* The client is done sending; the answer still comes back. */
	shutdown(p.cl[0], SHUT_WR);
	ck_assert_int_eq(read(p.de[1], &b, 1), 0);
	move(p.de[1], p.cl[0], "late answer");
	pump_finish(&p);
	ck_assert_uint_eq(p.st.up, 0);
	ck_assert_uint_eq(p.st.down, 11);
}
END_TEST

START_TEST(test_quiet_once)
{
	struct pump p;
	int64_t t0;

	pump_start(&p, 0, true);
	move(p.cl[0], p.de[1], "x");
	t0 = sgio_now_ms();
	/* Three quiet periods: called once, and not before the first. */
	usleep(3 * RELAY_QUIET_MS * 1000);
	ck_assert_int_eq(quiet_calls, 1);
	ck_assert_int_ge(quiet_at - t0, RELAY_QUIET_MS - 10);
	/* Still relaying after the hook. */
	move(p.de[1], p.cl[0], "y");
	pump_finish(&p);
	ck_assert_int_eq(quiet_calls, 1);
}
END_TEST

START_TEST(test_quiet_not_for_short)
{
	struct pump p;

	pump_start(&p, 0, true);
	move(p.cl[0], p.de[1], "ping");
	move(p.de[1], p.cl[0], "pong");
	pump_finish(&p);
	ck_assert_int_eq(quiet_calls, 0);
}
END_TEST

START_TEST(test_idle_timeout)
{
	struct pump p;

	pump_start(&p, 1, true);
	ck_assert_int_eq(pthread_join(p.t, NULL), 0);
	ck_assert_int_eq(p.end, RELAY_END_IDLE);
	ck_assert_int_eq(quiet_calls, 1);
	close(p.cl[0]);
	close(p.cl[1]);
	close(p.de[0]);
	close(p.de[1]);
}
END_TEST

/* A pattern no shift or repeat of a 64 KiB chunk would pass. */
static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 2654435761u >> 13);
}

#define BULK_BYTES	(8u << 20)

static void *
bulk_writer(void *arg)
{
	int fd = *(int *)arg;
	unsigned char buf[48000];	/* not a multiple of any pipe size */
	size_t sent = 0, n, i;
	ssize_t k;

	while (sent < BULK_BYTES) {
		n = BULK_BYTES - sent < sizeof(buf) ? BULK_BYTES - sent :
		    sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		if ((k = write(fd, buf, n)) <= 0)
			break;
		sent += (size_t)k;
		/* A short write: the rest goes again from its offset. */
	}
	shutdown(fd, SHUT_WR);
	return NULL;
}

/* _i 1: no descriptors left for pipes, the pump reads and writes. */
START_TEST(test_bulk_intact)
{
	static unsigned char buf[1 << 17];
	struct pump p;
	pthread_t w;
	size_t got = 0, i;
	ssize_t k;
	bool same = true;
	int starve = 0;

	/* Pooled pipes (CK_FORK=no: an earlier test's) need no budget. */
	pipepool_drain();
	if (_i == 1) {
		starve = fdbudget_total() - fdbudget_used();
		ck_assert(fdbudget_take(starve));
	}
	pump_start_over(&p, 0, false, true);
	ck_assert_int_eq(pthread_create(&w, NULL, bulk_writer, &p.cl[0]), 0);
	while ((k = read(p.de[1], buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)k; i++)
			same = same && buf[i] == pattern(got + i);
		got += (size_t)k;
	}
	ck_assert_int_eq(pthread_join(w, NULL), 0);
	ck_assert_uint_eq(got, BULK_BYTES);
	ck_assert(same);
	shutdown(p.de[1], SHUT_WR);
	ck_assert_int_eq(pthread_join(p.t, NULL), 0);
	ck_assert_int_eq(p.end, RELAY_END_CLOSED);
	ck_assert_uint_eq(p.st.up, BULK_BYTES);
	/* With pipes, reads filled one and it grew (it is pooled now). */
	if (_i == 0)
		ck_assert_int_ge(pipepool_grown(), 1);
	else
		ck_assert_int_eq(pipepool_grown(), 0);
	pipepool_drain();
	ck_assert_int_eq(pipepool_grown(), 0);
	close(p.cl[0]);
	close(p.cl[1]);
	close(p.de[0]);
	close(p.de[1]);
	/* Under CK_FORK=no (valgrind.sh) the next test shares the budget. */
	fdbudget_give(starve);
}
END_TEST

static bool
is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

START_TEST(test_pool_reuse)
{
	struct pipe_lent a = PIPE_NONE, b = PIPE_NONE;
	int fd0;

	ck_assert_int_eq(pipepool_get(&a), 0);
	ck_assert_uint_ge(a.cap, 4096);
	fd0 = a.fd[0];
	pipepool_put(&a, true);
	ck_assert_int_eq(a.fd[0], -1);
	ck_assert(is_open(fd0));
	ck_assert_int_eq(pipepool_get(&b), 0);
	ck_assert_int_eq(b.fd[0], fd0);
	/* Not empty: closed, never pooled. */
	ck_assert_int_eq(write(b.fd[1], "x", 1), 1);
	pipepool_put(&b, false);
	ck_assert_int_eq(b.fd[0], -1);
	ck_assert(!is_open(fd0));
	pipepool_put(&b, true);		/* nothing held: no-op */
	pipepool_drain();
}
END_TEST

START_TEST(test_pool_grow_bound)
{
	struct pipe_lent p[PIPEPOOL_BULK_MAX + 4], q = PIPE_NONE;
	int i, big = 0;

	for (i = 0; i < PIPEPOOL_BULK_MAX + 4; i++) {
		ck_assert_int_eq(pipepool_get(&p[i]), 0);
		pipepool_grow(&p[i]);
		if (p[i].cap >= PIPEPOOL_BULK) {
			ck_assert_int_eq(fcntl(p[i].fd[1], F_GETPIPE_SZ),
			    (int)p[i].cap);
			big++;
		}
	}
	ck_assert_int_eq(big, PIPEPOOL_BULK_MAX);
	ck_assert_int_eq(pipepool_grown(), PIPEPOOL_BULK_MAX);
	/* A grown pipe in the pool still counts; a closed one does not. */
	pipepool_put(&p[0], true);
	pipepool_grow(&p[PIPEPOOL_BULK_MAX]);
	ck_assert_uint_lt(p[PIPEPOOL_BULK_MAX].cap, PIPEPOOL_BULK);
	ck_assert_int_eq(pipepool_get(&q), 0);
	ck_assert_uint_ge(q.cap, PIPEPOOL_BULK);
	pipepool_put(&q, false);
	pipepool_grow(&p[PIPEPOOL_BULK_MAX + 1]);
	ck_assert_uint_ge(p[PIPEPOOL_BULK_MAX + 1].cap, PIPEPOOL_BULK);
	for (i = 1; i < PIPEPOOL_BULK_MAX + 4; i++)
		pipepool_put(&p[i], false);
	pipepool_drain();
	ck_assert_int_eq(pipepool_grown(), 0);
}
END_TEST

static Suite *
relay_suite(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_both_ways);
	tcase_add_test(tc, test_halfclose_then_data);
	tcase_add_test(tc, test_quiet_once);
	tcase_add_test(tc, test_quiet_not_for_short);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_loop_test(tc, test_bulk_intact, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("pipes");
	tcase_add_test(tc, test_pool_reuse);
	tcase_add_test(tc, test_pool_grow_bound);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(relay_suite());
	int failed;

	fdbudget_init(1024, 0);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	pipepool_drain();
	return failed == 0 ? 0 : 1;
}
