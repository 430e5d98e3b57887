/*
 * check_gwlist.c - unit tests for the Socks Lib's gateway list order and
 * shared back-off (preload/gwlist.h), and for where the back-off words
 * live in the fake-address table (fakeip_backoff).
 *
 * Covered: gwlist_key (case, order, ports, never 0); gwlist_attach
 * (blank, same list, other list); gwlist_failed with an injected clock
 * (one "warn" per back-off period, again after it, every time with
 * period 0, a word from a clock that jumped taken as up);
 * gwlist_succeeded; gwlist_order (all up, one down, all down by end
 * time, ties in list order, the count returned); one warning among 8
 * threads and among 4 processes failing the same gateway at once; the
 * words in a formatted table (zero, after the slots, shared across
 * fork), and a table of the size without them (an older wrapper's):
 * attached, but no words.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakeip.h"
#include "gwlist.h"

#define SEC	1000ull		/* the clock is in milliseconds */
#define T0	(1000000 * SEC)	/* some time after boot */

static struct gwlist_backoff *
shared_words(void)
{
	void *mem = mmap(NULL, sizeof(struct gwlist_backoff), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(mem, MAP_FAILED);
	return mem;
}

static void
gw_set(struct env_gateway *g, const char *host, uint16_t port)
{
	memset(g, 0, sizeof(*g));
	strcpy(g->host, host);
	g->port = port;
}

/* --- key and attach --- */

START_TEST(test_key)
{
	struct env_gateway a[2], b[2];

	gw_set(&a[0], "gw1.example", 1080);
	gw_set(&a[1], "2001:db8::2", 1080);
	gw_set(&b[0], "GW1.Example", 1080);
	gw_set(&b[1], "2001:db8::2", 1080);
	ck_assert_uint_eq(gwlist_key(a, 2), gwlist_key(b, 2));
	ck_assert_uint_ne(gwlist_key(a, 2), 0);
	ck_assert_uint_ne(gwlist_key(a, 0), 0);
	/* Fewer gateways, other order, other port: other lists. */
	ck_assert_uint_ne(gwlist_key(a, 2), gwlist_key(a, 1));
	ck_assert_uint_ne(gwlist_key(a, 2), gwlist_key((struct env_gateway[])
	    { a[1], a[0] }, 2));
	b[1].port = 1081;
	ck_assert_uint_ne(gwlist_key(a, 2), gwlist_key(b, 2));
}
END_TEST

START_TEST(test_attach)
{
	struct gwlist_backoff b;

	memset(&b, 0, sizeof(b));
	ck_assert(gwlist_attach(&b, 42));
	ck_assert(gwlist_attach(&b, 42));	/* a second process */
	ck_assert(!gwlist_attach(&b, 43));	/* another list */
}
END_TEST

/* --- back-off with an injected clock --- */

START_TEST(test_failed_once_per_period)
{
	struct gwlist_backoff b;
	uint64_t p = 30 * SEC;

	memset(&b, 0, sizeof(b));
	ck_assert(!gwlist_is_down(&b, 0, T0, p));
	ck_assert(gwlist_failed(&b, 0, T0, p));		/* warn */
	ck_assert(gwlist_is_down(&b, 0, T0, p));
	ck_assert(!gwlist_is_down(&b, 1, T0, p));	/* only gateway 0 */
	ck_assert(!gwlist_failed(&b, 0, T0 + 1, p));	/* said already */
	ck_assert(!gwlist_failed(&b, 0, T0 + p - 1, p));
	ck_assert(gwlist_is_down(&b, 0, T0 + p - 1, p));
	/* The period is over: down no more, and a new failure warns. */
	ck_assert(!gwlist_is_down(&b, 0, T0 + p, p));
	ck_assert(gwlist_failed(&b, 0, T0 + p, p));
	ck_assert(gwlist_is_down(&b, 0, T0 + 2 * p - 1, p));
	/* Out of range: harmless. */
	ck_assert(!gwlist_is_down(&b, GWLIST_MAX, T0, p));
	ck_assert(gwlist_failed(&b, GWLIST_MAX, T0, p));
	gwlist_succeeded(&b, GWLIST_MAX);
}
END_TEST

START_TEST(test_period_zero)
{
	struct gwlist_backoff b;

	memset(&b, 0, sizeof(b));
	ck_assert(gwlist_failed(&b, 0, T0, 0));
	ck_assert(gwlist_failed(&b, 0, T0, 0));
	ck_assert(!gwlist_is_down(&b, 0, T0, 0));
}
END_TEST

START_TEST(test_clock_jump)
{
	struct gwlist_backoff b;
	uint64_t p = 30 * SEC;

	memset(&b, 0, sizeof(b));
	ck_assert(gwlist_failed(&b, 0, T0, p));
	/* The clock went back an hour: the word is too far ahead. */
	ck_assert(!gwlist_is_down(&b, 0, T0 - 3600 * SEC, p));
	ck_assert(gwlist_failed(&b, 0, T0 - 3600 * SEC, p));
	ck_assert(gwlist_is_down(&b, 0, T0 - 3600 * SEC + 1, p));
	/* A shorter period than the one that wrote the word. */
	ck_assert(gwlist_failed(&b, 1, T0, p));
	ck_assert(!gwlist_is_down(&b, 1, T0, 5 * SEC));
}
END_TEST

START_TEST(test_succeeded)
{
	struct gwlist_backoff b;
	uint64_t p = 30 * SEC;

	memset(&b, 0, sizeof(b));
	ck_assert(gwlist_failed(&b, 2, T0, p));
	gwlist_succeeded(&b, 2);
	ck_assert(!gwlist_is_down(&b, 2, T0 + 1, p));
	ck_assert(gwlist_failed(&b, 2, T0 + 2, p));	/* warns again */
	gwlist_succeeded(&b, 3);			/* was up: no-op */
	ck_assert(!gwlist_is_down(&b, 3, T0, p));
}
END_TEST

/* --- order of attempts --- */

static void
check_order(const struct gwlist_backoff *b, size_t n, uint64_t now,
    uint64_t p, size_t want_up, const size_t *want)
{
	size_t order[GWLIST_MAX], i;

	memset(order, 0xff, sizeof(order));
	ck_assert_uint_eq(gwlist_order(b, n, now, p, order), want_up);
	for (i = 0; i < n && i < GWLIST_MAX; i++)
		ck_assert_msg(order[i] == want[i], "order[%zu] = %zu, want %zu",
		    i, order[i], want[i]);
}

START_TEST(test_order)
{
	struct gwlist_backoff b;
	uint64_t p = 30 * SEC;

	memset(&b, 0, sizeof(b));
	check_order(&b, 3, T0, p, 3, (size_t[]){ 0, 1, 2 });
	check_order(&b, 1, T0, p, 1, (size_t[]){ 0 });
	check_order(&b, 0, T0, p, 0, (size_t[]){ 0 });
	/* The first is down: tried last. */
	ck_assert(gwlist_failed(&b, 0, T0, p));
	check_order(&b, 3, T0 + 1, p, 2, (size_t[]){ 1, 2, 0 });
	/* The second too, later: both last, the first to recover first. */
	ck_assert(gwlist_failed(&b, 1, T0 + 5 * SEC, p));
	check_order(&b, 3, T0 + 6 * SEC, p, 1, (size_t[]){ 2, 0, 1 });
	/* All down: still every gateway, by end of back-off. */
	ck_assert(gwlist_failed(&b, 2, T0 + 2 * SEC, p));
	check_order(&b, 3, T0 + 6 * SEC, p, 0, (size_t[]){ 0, 2, 1 });
	/* Past the first one's period: it comes first again. */
	check_order(&b, 3, T0 + p, p, 1, (size_t[]){ 0, 2, 1 });
	/* Period 0: no back-off, list order. */
	check_order(&b, 3, T0 + 6 * SEC, 0, 3, (size_t[]){ 0, 1, 2 });
}
END_TEST

START_TEST(test_order_ties)
{
	struct gwlist_backoff b;
	uint64_t p = 30 * SEC;
	size_t i;

	memset(&b, 0, sizeof(b));
	for (i = GWLIST_MAX; i-- > 0; )
		ck_assert(gwlist_failed(&b, i, T0, p));
	check_order(&b, GWLIST_MAX, T0, p, 0,
	    (size_t[]){ 0, 1, 2, 3, 4, 5, 6, 7 });
	/* More than GWLIST_MAX asked: cut to it. */
	check_order(&b, GWLIST_MAX + 3, T0, p, 0,
	    (size_t[]){ 0, 1, 2, 3, 4, 5, 6, 7 });
}
END_TEST

/* --- one warning among threads and processes --- */

#define NTHREADS	8
#define NPROCS		4
#define ROUNDS		200

static struct gwlist_backoff tb;
static atomic_int twarned;
static atomic_int tgo;

static void *
failer(void *arg)
{
	int i;

	(void)arg;
	while (atomic_load(&tgo) == 0)
		continue;
	for (i = 0; i < ROUNDS; i++)
		if (gwlist_failed(&tb, 1, T0 + (uint64_t)i, 30 * SEC))
			atomic_fetch_add(&twarned, 1);
	return NULL;
}

START_TEST(test_threads_warn_once)
{
	pthread_t th[NTHREADS];
	int i;

	memset(&tb, 0, sizeof(tb));
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, failer, NULL), 0);
	atomic_store(&tgo, 1);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(atomic_load(&twarned), 1);
}
END_TEST

START_TEST(test_processes_warn_once)
{
	struct gwlist_backoff *b = shared_words();
	atomic_int *warned = (atomic_int *)(void *)&b->reserved[0];
	pid_t pid[NPROCS];
	int i, k, st;

	ck_assert(gwlist_attach(b, 7));
	for (i = 0; i < NPROCS; i++) {
		ck_assert_int_ne(pid[i] = fork(), -1);
		if (pid[i] == 0) {
			for (k = 0; k < ROUNDS; k++)
				if (gwlist_failed(b, 3, T0 + (uint64_t)k,
				    30 * SEC))
					atomic_fetch_add(warned, 1);
			_exit(0);
		}
	}
	for (i = 0; i < NPROCS; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert_int_eq(atomic_load(warned), 1);
	/* The parent, which never failed it, sees it down. */
	ck_assert(gwlist_is_down(b, 3, T0 + ROUNDS, 30 * SEC));
	munmap(b, sizeof(*b));
}
END_TEST

/* --- the words in the fake-address table --- */

static struct fakeip_table *
table(void **mem, size_t *len)
{
	struct fakeip_ranges r;
	struct fakeip_table *t;

	memset(&r, 0, sizeof(r));
	r.v4net[0] = 240;
	r.v4prefix = 12;
	r.v6net[0] = 1;
	r.v6prefix = 64;
	*len = fakeip_region_size(64);
	*mem = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(*mem, MAP_FAILED);
	ck_assert_int_eq(fakeip_format(*mem, *len, &r, 64, &t), FAKEIP_OK);
	return t;
}

START_TEST(test_table_words)
{
	struct gwlist_backoff *b, *b2, blank;
	struct fakeip_table *t, *t2;
	size_t len;
	void *mem;
	pid_t pid;
	int st;

	t = table(&mem, &len);
	ck_assert_ptr_nonnull(b = fakeip_backoff(t, len));
	/* The last bytes of the region, zero (a blank set of words). */
	ck_assert_ptr_eq((char *)b + sizeof(*b), (char *)mem + len);
	memset(&blank, 0, sizeof(blank));
	ck_assert_int_eq(memcmp(b, &blank, sizeof(blank)), 0);
	/* Another process attaching finds the same words. */
	ck_assert_int_eq(fakeip_attach(mem, len, &t2), FAKEIP_OK);
	ck_assert_ptr_eq(fakeip_backoff(t2, len), b);
	ck_assert(gwlist_attach(b, 99));
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		_exit(gwlist_attach(b, 99) && gwlist_failed(b, 0, T0,
		    30 * SEC) ? 0 : 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert(gwlist_is_down(b, 0, T0 + 1, 30 * SEC));
	ck_assert(!gwlist_failed(b, 0, T0 + 1, 30 * SEC));
	/* Mapped shorter: no words (never outside the mapping). */
	ck_assert_ptr_null(fakeip_backoff(t, len - 1));
	/* A table of the size an older wrapper made: attached, no words. */
	b2 = NULL;
	ck_assert_int_eq(fakeip_attach(mem, len - sizeof(*b), &t2), FAKEIP_OK);
	ck_assert_ptr_eq(fakeip_backoff(t2, len - sizeof(*b)), b2);
	munmap(mem, len);
}
END_TEST

static Suite *
gwlist_suite(void)
{
	Suite *s = suite_create("gwlist");
	TCase *tc;

	tc = tcase_create("key");
	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_attach);
	suite_add_tcase(s, tc);

	tc = tcase_create("backoff");
	tcase_add_test(tc, test_failed_once_per_period);
	tcase_add_test(tc, test_period_zero);
	tcase_add_test(tc, test_clock_jump);
	tcase_add_test(tc, test_succeeded);
	suite_add_tcase(s, tc);

	tc = tcase_create("order");
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_order_ties);
	suite_add_tcase(s, tc);

	tc = tcase_create("shared");
	tcase_add_test(tc, test_threads_warn_once);
	tcase_add_test(tc, test_processes_warn_once);
	tcase_add_test(tc, test_table_words);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gwlist_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
