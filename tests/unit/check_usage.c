/*
 * check_usage.c - the rules' limits: the token bucket (tbucket.c), the
 * quota periods of the local calendar (qperiod.c, in a fixed POSIX zone
 * with DST, so no tzdata is needed) and the usage table (usage.c):
 * admission, grants, quota, export and import.
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "config.h"
#include "qperiod.h"
#include "tbucket.h"
#include "usage.h"

/* Central Europe: CET, CEST from the last Sunday of March to October. */
#define ZONE	"CET-1CEST,M3.5.0,M10.5.0/3"

/* Local times of that zone, seconds since the epoch. */
#define T_2024_01_01	1704063600	/* Monday */
#define T_2024_01_07_2359 1704668340	/* Sunday */
#define T_2024_01_08	1704668400
#define T_2024_02_29_10	1709197200
#define T_2024_03_01	1709247600
#define T_2024_03_31	1711839600	/* 23 hours long */
#define T_2024_03_31_12	1711879200
#define T_2024_04_01	1711922400
#define T_2024_05_13	1715551200
#define T_2024_05_15_1345 1715773500
#define T_2024_05_20	1716156000
#define T_2024_10_27	1729980000	/* 25 hours long */
#define T_2024_10_28	1730070000
#define T_2024_12_01	1733007600
#define T_2025_01_01	1735686000

static void
zone(void)
{
	setenv("TZ", ZONE, 1);
	tzset();
}

/* --- token bucket --- */

START_TEST(test_bucket_burst)
{
	ck_assert_uint_eq(tbucket_burst_for(200000), 20000);
	ck_assert_uint_eq(tbucket_burst_for(1000), TBUCKET_BURST_MIN);
	ck_assert_uint_eq(tbucket_burst_for(100000000), 10000000);
}
END_TEST

START_TEST(test_bucket_take_wait)
{
	struct tbucket b;

	tbucket_init(&b, 200000, 1000);
	ck_assert_uint_eq(b.tokens, 20000);
	/* The burst first, then nothing until a step (10000) is back. */
	ck_assert_uint_eq(tbucket_take(&b, 65536, 1000), 20000);
	ck_assert_uint_eq(tbucket_take(&b, 65536, 1000), 0);
	ck_assert_int_eq(tbucket_wait_ms(&b, 65536, 1000), 50);
	ck_assert_uint_eq(tbucket_take(&b, 65536, 1030), 0);
	ck_assert_int_eq(tbucket_wait_ms(&b, 65536, 1030), 20);
	ck_assert_uint_eq(tbucket_take(&b, 65536, 1050), 10000);
	/* A small want needs only itself. */
	ck_assert_uint_eq(tbucket_take(&b, 100, 1051), 100);
	ck_assert_int_eq(tbucket_wait_ms(&b, 100, 1051), 0);
	ck_assert_uint_eq(tbucket_take(&b, 100, 1051), 100);
	ck_assert_int_eq(tbucket_wait_ms(&b, 100, 1051), 1);
	/* Refill is capped to the burst. */
	ck_assert_uint_eq(tbucket_take(&b, 1000000, 999999), 20000);
}
END_TEST

START_TEST(test_bucket_slow_rate_exact)
{
	struct tbucket b;
	int64_t t;

	tbucket_init(&b, 1000, 0);
	b.tokens = 0;
	/* One byte a millisecond, asked every millisecond: none lost. */
	for (t = 1; t <= 3000; t++)
		tbucket_refill(&b, t);
	ck_assert_uint_eq(b.tokens, 3000);
	/* 333 bytes a second: the thirds add up. */
	tbucket_init(&b, 333, 0);
	b.tokens = 0;
	for (t = 1; t <= 9000; t++)
		tbucket_refill(&b, t);
	ck_assert_uint_eq(b.tokens, 2997);
}
END_TEST

START_TEST(test_bucket_give_rate_clock)
{
	struct tbucket b;

	tbucket_init(&b, 200000, 0);
	ck_assert_uint_eq(tbucket_take(&b, 15000, 0), 15000);
	tbucket_give(&b, 10000);
	ck_assert_uint_eq(b.tokens, 15000);
	tbucket_give(&b, 10000);
	ck_assert_uint_eq(b.tokens, 20000);	/* capped */
	/* A clock that goes back adds nothing. */
	b.tokens = 0;
	tbucket_refill(&b, -500);
	ck_assert_uint_eq(b.tokens, 0);
	/* A lower rate caps the tokens to its burst. */
	tbucket_give(&b, 20000);
	tbucket_set_rate(&b, 50000, 0);
	ck_assert_uint_eq(b.burst, TBUCKET_BURST_MIN);
	ck_assert_uint_eq(b.tokens, TBUCKET_BURST_MIN);
	ck_assert_uint_eq(tbucket_step(&b, 65536), TBUCKET_STEP_MIN);
}
END_TEST

/* --- quota periods --- */

START_TEST(test_period_names)
{
	enum qperiod p;

	ck_assert(qperiod_parse("day", &p) && p == QPERIOD_DAY);
	ck_assert(qperiod_parse("week", &p) && p == QPERIOD_WEEK);
	ck_assert(qperiod_parse("month", &p) && p == QPERIOD_MONTH);
	ck_assert(!qperiod_parse("year", &p));
	ck_assert(!qperiod_parse("", &p));
	ck_assert_str_eq(qperiod_name(QPERIOD_WEEK), "week");
	ck_assert_str_eq(qperiod_name(QPERIOD_NONE), "-");
}
END_TEST

START_TEST(test_period_tm)
{
	/* Wednesday 15 May 2024, 13:45:10. */
	struct tm wed = { .tm_year = 124, .tm_mon = 4, .tm_mday = 15,
	    .tm_hour = 13, .tm_min = 45, .tm_sec = 10, .tm_wday = 3 };
	struct tm tm;

	tm = wed;
	qperiod_floor_tm(QPERIOD_DAY, &tm);
	ck_assert(tm.tm_mday == 15 && tm.tm_hour == 0 && tm.tm_min == 0 &&
	    tm.tm_sec == 0 && tm.tm_isdst == -1);
	tm = wed;
	qperiod_floor_tm(QPERIOD_WEEK, &tm);
	ck_assert_int_eq(tm.tm_mday, 13);		/* Monday */
	tm = wed;
	tm.tm_mday = 19;
	tm.tm_wday = 0;					/* a Sunday */
	qperiod_floor_tm(QPERIOD_WEEK, &tm);
	ck_assert_int_eq(tm.tm_mday, 13);
	tm = wed;
	tm.tm_mday = 2;
	tm.tm_wday = 4;					/* Thu 2 May */
	qperiod_floor_tm(QPERIOD_WEEK, &tm);
	ck_assert_int_eq(tm.tm_mday, -1);		/* 29 April */
	tm = wed;
	qperiod_floor_tm(QPERIOD_MONTH, &tm);
	ck_assert_int_eq(tm.tm_mday, 1);
	qperiod_next_tm(QPERIOD_MONTH, &tm);
	ck_assert(tm.tm_mon == 5 && tm.tm_mday == 1);
	tm.tm_mon = 11;
	qperiod_next_tm(QPERIOD_MONTH, &tm);
	ck_assert(tm.tm_mon == 12 && tm.tm_mday == 1);	/* mktime carries */
	qperiod_next_tm(QPERIOD_WEEK, &tm);
	ck_assert_int_eq(tm.tm_mday, 8);
	qperiod_next_tm(QPERIOD_DAY, &tm);
	ck_assert_int_eq(tm.tm_mday, 9);
}
END_TEST

START_TEST(test_period_local)
{
	zone();
	ck_assert_int_eq(qperiod_start(QPERIOD_DAY, T_2024_05_15_1345),
	    T_2024_05_15_1345 - (13 * 3600 + 45 * 60));
	ck_assert_int_eq(qperiod_start(QPERIOD_WEEK, T_2024_05_15_1345),
	    T_2024_05_13);
	ck_assert_int_eq(qperiod_next(QPERIOD_WEEK, T_2024_05_13),
	    T_2024_05_20);
	/* Sunday night is still the week that began on Monday. */
	ck_assert_int_eq(qperiod_start(QPERIOD_WEEK, T_2024_01_07_2359),
	    T_2024_01_01);
	ck_assert_int_eq(qperiod_start(QPERIOD_WEEK, T_2024_01_08),
	    T_2024_01_08);
	/* Month ends: a leap February, a year's end. */
	ck_assert_int_eq(qperiod_next(QPERIOD_MONTH,
	    qperiod_start(QPERIOD_MONTH, T_2024_02_29_10)), T_2024_03_01);
	ck_assert_int_eq(qperiod_start(QPERIOD_MONTH, T_2024_12_01 + 86400 * 20),
	    T_2024_12_01);
	ck_assert_int_eq(qperiod_next(QPERIOD_MONTH, T_2024_12_01),
	    T_2025_01_01);
}
END_TEST

START_TEST(test_period_dst)
{
	zone();
	/* The spring day has 23 hours, the autumn one 25: both midnights. */
	ck_assert_int_eq(qperiod_start(QPERIOD_DAY, T_2024_03_31_12),
	    T_2024_03_31);
	ck_assert_int_eq(qperiod_next(QPERIOD_DAY, T_2024_03_31),
	    T_2024_04_01);
	ck_assert_int_eq(T_2024_04_01 - T_2024_03_31, 23 * 3600);
	ck_assert_int_eq(qperiod_next(QPERIOD_DAY, T_2024_10_27),
	    T_2024_10_28);
	ck_assert_int_eq(qperiod_start(QPERIOD_DAY, T_2024_10_28 - 1),
	    T_2024_10_27);
	/* March: 31 days less the hour that went. */
	ck_assert_int_eq(qperiod_start(QPERIOD_MONTH, T_2024_03_31_12),
	    T_2024_03_01);
	ck_assert_int_eq(qperiod_next(QPERIOD_MONTH, T_2024_03_01),
	    T_2024_04_01);
}
END_TEST

/* --- the usage table --- */

static void
teardown(void)
{
	usage_clear();
}

START_TEST(test_usage_max_relays)
{
	struct acl_limits lim = { .max_relays = 2 };
	struct usage_lease a, b, c;
	time_t until;
	uint64_t n;

	ck_assert_int_eq(usage_admit("#1", "sam", &lim, T_2024_01_01, &a,
	    &until, &n), USAGE_OK);
	ck_assert_int_eq(usage_admit("#1", "sam", &lim, T_2024_01_01, &b,
	    &until, &n), USAGE_OK);
	ck_assert_int_eq(usage_admit("#1", "sam", &lim, T_2024_01_01, &c,
	    &until, &n), USAGE_MAX_RELAYS);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_null(c.e);
	/* Another subject, another rule: counted apart. */
	ck_assert_int_eq(usage_admit("#1", "@127.0.0.1", &lim, T_2024_01_01,
	    &c, &until, &n), USAGE_OK);
	usage_release(&c);
	ck_assert_int_eq(usage_admit("web", "sam", &lim, T_2024_01_01, &c,
	    &until, &n), USAGE_OK);
	usage_release(&c);
	usage_release(&a);
	ck_assert_ptr_null(a.e);
	usage_release(&a);		/* twice: nothing */
	ck_assert_int_eq(usage_admit("#1", "sam", &lim, T_2024_01_01, &c,
	    &until, &n), USAGE_OK);
	usage_release(&b);
	usage_release(&c);
	/* No relay and no quota used: nothing is kept. */
	ck_assert_uint_eq(usage_count(), 0);
}
END_TEST

START_TEST(test_usage_quota)
{
	struct acl_limits lim = { .quota = 1000, .period = QPERIOD_DAY };
	struct usage_lease a, b;
	int64_t wait;
	time_t until, now = T_2024_03_31_12;
	uint64_t n;
	bool out;

	zone();
	ck_assert_int_eq(usage_admit("q", "sam", &lim, now, &a, &until, &n),
	    USAGE_OK);
	ck_assert_uint_eq(usage_grant(&a, 1, 600, 0, now, &wait, &out), 600);
	ck_assert_uint_eq(usage_grant(&a, 0, 600, 0, now, &wait, &out), 400);
	ck_assert(!out);
	ck_assert_uint_eq(usage_grant(&a, 1, 600, 0, now, &wait, &out), 0);
	ck_assert(out);
	usage_unused(&a, 0, 100);	/* read 300 of the 400 */
	ck_assert_int_eq(usage_admit("q", "sam", &lim, now, &b, &until, &n),
	    USAGE_OK);
	ck_assert_uint_eq(usage_grant(&b, 1, 600, 0, now, &wait, &out), 100);
	usage_release(&b);
	usage_release(&a);
	ck_assert_uint_eq(usage_count(), 1);	/* kept: quota used */
	ck_assert_int_eq(usage_admit("q", "sam", &lim, now, &b, &until, &n),
	    USAGE_QUOTA);
	ck_assert_uint_eq(n, 1000);
	ck_assert_int_eq(until, T_2024_04_01);
	/* The next day starts from 0. */
	ck_assert_int_eq(usage_admit("q", "sam", &lim, T_2024_04_01, &b,
	    &until, &n), USAGE_OK);
	ck_assert_uint_eq(usage_grant(&b, 1, 5000, 0, T_2024_04_01, &wait,
	    &out), 1000);
	usage_release(&b);
}
END_TEST

START_TEST(test_usage_bandwidth_shared)
{
	struct acl_limits lim = { .bw_down = 200000 };
	struct usage_lease a, b;
	int64_t wait;
	time_t until;
	uint64_t n;
	bool out;

	ck_assert_int_eq(usage_admit("#2", "sam", &lim, 0, &a, &until, &n),
	    USAGE_OK);
	ck_assert_int_eq(usage_admit("#2", "sam", &lim, 0, &b, &until, &n),
	    USAGE_OK);
	/* Up is not limited: all of it, at once. */
	ck_assert_uint_eq(usage_grant(&a, 0, 65536, 100, 0, &wait, &out),
	    65536);
	ck_assert_uint_eq(usage_grant(&a, 1, 65536, 100, 0, &wait, &out),
	    20000);
	/* The other relay shares the bucket. */
	ck_assert_uint_eq(usage_grant(&b, 1, 65536, 100, 0, &wait, &out), 0);
	ck_assert(!out);
	ck_assert_int_eq(wait, 50);
	usage_unused(&a, 1, 12000);
	ck_assert_uint_eq(usage_grant(&b, 1, 65536, 100, 0, &wait, &out),
	    12000);
	usage_release(&a);
	usage_release(&b);
	ck_assert_uint_eq(usage_count(), 0);
}
END_TEST

struct seen {
	char	 rule[USAGE_RULELEN], subject[USAGE_SUBJLEN];
	int64_t	 start;
	uint64_t used;
	int	 n;
};

static void
collect(void *arg, const char *rule, const char *subject, int64_t start,
    uint64_t used)
{
	struct seen *s = arg;

	snprintf(s->rule, sizeof(s->rule), "%s", rule);
	snprintf(s->subject, sizeof(s->subject), "%s", subject);
	s->start = start;
	s->used = used;
	s->n++;
}

START_TEST(test_usage_export_import)
{
	struct acl_limits lim = { .quota = 1000, .period = QPERIOD_MONTH,
	    .bw_up = 100000 };
	struct usage_lease a;
	struct seen s = { .n = 0 };
	time_t until;
	uint64_t n;
	int64_t wait;
	bool out;

	zone();
	usage_export(collect, &s);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(usage_admit("web", "@::1", &lim, T_2024_03_31_12, &a,
	    &until, &n), USAGE_OK);
	ck_assert_uint_eq(usage_grant(&a, 0, 300, 0, T_2024_03_31_12, &wait,
	    &out), 300);
	usage_release(&a);
	usage_export(collect, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.rule, "web");
	ck_assert_str_eq(s.subject, "@::1");
	ck_assert_int_eq(s.start, T_2024_03_01);
	ck_assert_uint_eq(s.used, 300);

	/* Read back into an empty table: the same use, the same period. */
	usage_clear();
	ck_assert_int_eq(usage_import("web", "@::1", T_2024_03_01, 300), 0);
	ck_assert_int_eq(usage_import("web", "bob", T_2024_01_01, 999), 0);
	ck_assert_uint_eq(usage_count(), 2);
	ck_assert_int_eq(usage_admit("web", "@::1", &lim, T_2024_03_31_12, &a,
	    &until, &n), USAGE_OK);
	ck_assert_uint_eq(usage_grant(&a, 0, 5000, 0, T_2024_03_31_12, &wait,
	    &out), 700);
	usage_release(&a);
	/* bob's period is over: he starts from 0. */
	ck_assert_int_eq(usage_admit("web", "bob", &lim, T_2024_03_31_12, &a,
	    &until, &n), USAGE_OK);
	ck_assert_uint_eq(usage_grant(&a, 0, 5000, 0, T_2024_03_31_12, &wait,
	    &out), 1000);
	usage_release(&a);

	errno = 0;
	ck_assert_int_eq(usage_import("", "x", 0, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(usage_import("r", "", 0, 1), -1);
}
END_TEST

START_TEST(test_usage_list)
{
	char err[CONFIG_ERRLEN];
	struct config *c;
	struct usage_info *v;
	size_t n;

	zone();
	c = config_load_string("rules = ( { action = \"allow\"; users = "
	    "[ \"sam\" ]; limits: { max_relays = 3; }; },\n"
	    "{ name = \"web\"; action = \"allow\"; limits: { quota = 1000; "
	    "quota_period = \"day\"; }; },\n"
	    "{ action = \"allow\"; limits: { quota = 50; }; } );\n",
	    "t.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(usage_quota_configured(c));
	ck_assert_int_eq(usage_import("web", "sam", T_2024_03_31, 10), 0);
	ck_assert_int_eq(usage_import("#3", "sam", T_2024_03_01, 20), 0);
	ck_assert_int_eq(usage_import("#3", "una", T_2024_03_01, 30), 0);
	ck_assert_int_eq(usage_import("gone", "sam", T_2024_03_01, 40), 0);
	v = usage_list(c, "sam", T_2024_03_31_12, &n);
	ck_assert_uint_eq(n, 2);	/* not una, not a rule that is gone */
	ck_assert_str_eq(v[0].rule, strcmp(v[0].rule, "web") == 0 ? "web" :
	    "#3");
	if (strcmp(v[0].rule, "web") != 0) {
		struct usage_info t = v[0];

		v[0] = v[1];
		v[1] = t;
	}
	ck_assert_uint_eq(v[0].used, 10);
	ck_assert_uint_eq(v[0].limit, 1000);
	ck_assert_int_eq(v[0].period, QPERIOD_DAY);
	ck_assert_int_eq(v[0].start, T_2024_03_31);
	ck_assert_int_eq(v[0].until, T_2024_04_01);
	ck_assert_str_eq(v[1].rule, "#3");
	ck_assert_uint_eq(v[1].used, 20);
	ck_assert_int_eq(v[1].period, QPERIOD_MONTH);
	free(v);
	v = usage_list(c, NULL, T_2024_03_31_12, &n);
	ck_assert_uint_eq(n, 3);
	free(v);
	ck_assert_ptr_null(usage_list(c, "nobody", T_2024_03_31_12, &n));
	ck_assert_uint_eq(n, 0);
	config_free(c);
}
END_TEST

static Suite *
usage_suite(void)
{
	Suite *s = suite_create("usage");
	TCase *tc;

	tc = tcase_create("tbucket");
	tcase_add_test(tc, test_bucket_burst);
	tcase_add_test(tc, test_bucket_take_wait);
	tcase_add_test(tc, test_bucket_slow_rate_exact);
	tcase_add_test(tc, test_bucket_give_rate_clock);
	suite_add_tcase(s, tc);

	tc = tcase_create("qperiod");
	tcase_add_test(tc, test_period_names);
	tcase_add_test(tc, test_period_tm);
	tcase_add_test(tc, test_period_local);
	tcase_add_test(tc, test_period_dst);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_usage_max_relays);
	tcase_add_test(tc, test_usage_quota);
	tcase_add_test(tc, test_usage_bandwidth_shared);
	tcase_add_test(tc, test_usage_export_import);
	tcase_add_test(tc, test_usage_list);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(usage_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
