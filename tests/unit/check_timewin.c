/*
 * check_timewin.c - unit tests for timewin.c (pure time windows).
 *
 * Covered: parsing (days absent, ranges, lists, a range wrapping over
 * the week's end, case; bad days, bad times, 24:00 as an end only,
 * empty windows, syntax); timewin_week_secs; coverage with an injected
 * clock, windows crossing midnight (belonging to their start day, also
 * Saturday into Sunday); timewin_left following touching windows,
 * 0 when outside, -1 when always covered.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "timewin.h"

/* Seconds into the week: day (0 = Sunday), hour, minute, second. */
static int32_t
at(int d, int h, int m, int s)
{
	return ((d * 24 + h) * 60 + m) * 60 + s;
}

static struct timewin
win(const char *s)
{
	struct timewin w;

	ck_assert_msg(timewin_parse(s, &w) == TIMEWIN_OK, "bad test window "
	    "%s", s);
	return w;
}

START_TEST(test_parse_ok)
{
	struct timewin w;

	w = win("08:00-18:00");
	ck_assert_uint_eq(w.days, 0x7f);
	ck_assert_uint_eq(w.start, 480);
	ck_assert_uint_eq(w.len, 600);
	w = win("Mon-Fri 08:00-18:00");
	ck_assert_uint_eq(w.days, 0x3e);
	w = win("Sat,Sun 10:00-12:30");
	ck_assert_uint_eq(w.days, 0x41);
	ck_assert_uint_eq(w.len, 150);
	w = win("Fri-Mon 00:00-24:00");
	ck_assert_uint_eq(w.days, 0x63);	/* Fri Sat Sun Mon */
	ck_assert_uint_eq(w.len, 1440);
	w = win("mon,WED-thu 22:00-02:00");
	ck_assert_uint_eq(w.days, 0x1a);
	ck_assert_uint_eq(w.start, 1320);
	ck_assert_uint_eq(w.len, 240);
	w = win("18:00-24:00");
	ck_assert_uint_eq(w.len, 360);
	w = win("23:59-00:00");
	ck_assert_uint_eq(w.len, 1);
}
END_TEST

static const struct {
	const char		*text;
	enum timewin_status	 st;
} bad[] = {
	{ "Mon-Fry 08:00-18:00", TIMEWIN_BAD_DAY },
	{ "Monday 08:00-18:00", TIMEWIN_BAD_DAY },
	{ "Mon, 08:00-18:00", TIMEWIN_BAD_DAY },
	{ "Mon- 08:00-18:00", TIMEWIN_BAD_DAY },
	{ " 08:00-18:00", TIMEWIN_BAD_DAY },
	{ "8:00-18:00", TIMEWIN_BAD_TIME },
	{ "08:60-18:00", TIMEWIN_BAD_TIME },
	{ "25:00-26:00", TIMEWIN_BAD_TIME },
	{ "24:00-02:00", TIMEWIN_BAD_TIME },
	{ "08:00-24:01", TIMEWIN_BAD_TIME },
	{ "10:00-10:00", TIMEWIN_EMPTY },
	{ "00:00-00:00", TIMEWIN_EMPTY },
	{ "always", TIMEWIN_SYNTAX },
	{ "", TIMEWIN_SYNTAX },
	{ "08:00 18:00", TIMEWIN_BAD_DAY },
	{ "Mon 08:00", TIMEWIN_BAD_TIME },
	{ "Mon always", TIMEWIN_SYNTAX },
};

START_TEST(test_parse_bad)
{
	struct timewin w;

	ck_assert_int_eq(timewin_parse(bad[_i].text, &w), bad[_i].st);
	ck_assert_str_ne(timewin_strerror(bad[_i].st), "ok");
}
END_TEST

START_TEST(test_week_secs)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_wday = 3;
	tm.tm_hour = 13;
	tm.tm_min = 5;
	tm.tm_sec = 7;
	ck_assert_int_eq(timewin_week_secs(&tm), at(3, 13, 5, 7));
	tm.tm_sec = 60;		/* a leap second counts as :59 */
	ck_assert_int_eq(timewin_week_secs(&tm), at(3, 13, 5, 59));
}
END_TEST

START_TEST(test_covers_days)
{
	struct timewin w = win("Mon-Fri 08:00-18:00");

	ck_assert(timewin_covers(&w, at(1, 8, 0, 0)));
	ck_assert(timewin_covers(&w, at(5, 17, 59, 59)));
	ck_assert(!timewin_covers(&w, at(5, 18, 0, 0)));
	ck_assert(!timewin_covers(&w, at(1, 7, 59, 59)));
	ck_assert(!timewin_covers(&w, at(6, 12, 0, 0)));
	ck_assert(!timewin_covers(&w, at(0, 12, 0, 0)));
	w = win("Sat,Sun 10:00-12:00");
	ck_assert(timewin_covers(&w, at(6, 11, 0, 0)));
	ck_assert(timewin_covers(&w, at(0, 10, 0, 0)));
	ck_assert(!timewin_covers(&w, at(1, 11, 0, 0)));
	w = win("Fri-Mon 09:00-10:00");
	ck_assert(timewin_covers(&w, at(5, 9, 30, 0)));
	ck_assert(timewin_covers(&w, at(0, 9, 30, 0)));
	ck_assert(timewin_covers(&w, at(1, 9, 30, 0)));
	ck_assert(!timewin_covers(&w, at(2, 9, 30, 0)));
	ck_assert(!timewin_covers(&w, at(4, 9, 30, 0)));
}
END_TEST

/* A window crossing midnight belongs to the day it starts on. */
START_TEST(test_covers_midnight)
{
	struct timewin w = win("Fri 22:00-02:00");

	ck_assert(timewin_covers(&w, at(5, 23, 0, 0)));
	ck_assert(timewin_covers(&w, at(6, 1, 59, 59)));
	ck_assert(!timewin_covers(&w, at(6, 2, 0, 0)));
	ck_assert(!timewin_covers(&w, at(5, 1, 0, 0)));	/* Thu's night */
	ck_assert(!timewin_covers(&w, at(6, 23, 0, 0)));
	/* Saturday night runs into Sunday, the week's start. */
	w = win("Sat 23:00-01:00");
	ck_assert(timewin_covers(&w, at(6, 23, 30, 0)));
	ck_assert(timewin_covers(&w, at(0, 0, 30, 0)));
	ck_assert(!timewin_covers(&w, at(0, 1, 0, 0)));
	ck_assert(!timewin_covers(&w, at(0, 23, 30, 0)));
	/* Any day. */
	w = win("22:00-02:00");
	ck_assert(timewin_covers(&w, at(0, 0, 30, 0)));
	ck_assert(timewin_covers(&w, at(3, 22, 0, 0)));
	ck_assert(!timewin_covers(&w, at(3, 12, 0, 0)));
}
END_TEST

START_TEST(test_any)
{
	struct timewin ws[2];

	ck_assert(timewin_any(NULL, 0, at(2, 3, 0, 0)));
	ws[0] = win("Mon-Fri 08:00-18:00");
	ws[1] = win("22:00-02:00");
	ck_assert(timewin_any(ws, 2, at(2, 9, 0, 0)));
	ck_assert(timewin_any(ws, 2, at(0, 23, 0, 0)));
	ck_assert(!timewin_any(ws, 2, at(0, 9, 0, 0)));
	ck_assert(!timewin_any(ws, 2, at(2, 20, 0, 0)));
}
END_TEST

START_TEST(test_left)
{
	struct timewin ws[3];

	ws[0] = win("Mon-Fri 08:00-18:00");
	ck_assert_int_eq(timewin_left(ws, 1, at(1, 17, 59, 30)), 30);
	ck_assert_int_eq(timewin_left(ws, 1, at(1, 8, 0, 0)), 10 * 3600);
	ck_assert_int_eq(timewin_left(ws, 1, at(1, 18, 0, 0)), 0);
	ck_assert_int_eq(timewin_left(ws, 1, at(6, 9, 0, 0)), 0);
	ck_assert_int_eq(timewin_left(NULL, 0, at(6, 9, 0, 0)), -1);
	/* Touching windows are one stretch: 22:00 to 02:00 the next day. */
	ws[0] = win("22:00-24:00");
	ws[1] = win("00:00-02:00");
	ck_assert_int_eq(timewin_left(ws, 2, at(3, 23, 0, 0)), 3 * 3600);
	/* Overlapping ones too; the longer one counts. */
	ws[0] = win("Mon 08:00-12:00");
	ws[1] = win("Mon 11:00-13:00");
	ws[2] = win("Mon 09:00-10:00");
	ck_assert_int_eq(timewin_left(ws, 3, at(1, 9, 30, 0)),
	    3 * 3600 + 1800);
	/* Crossing midnight, Saturday into Sunday. */
	ws[0] = win("Sat 23:00-01:00");
	ck_assert_int_eq(timewin_left(ws, 1, at(6, 23, 0, 0)), 7200);
	ck_assert_int_eq(timewin_left(ws, 1, at(0, 0, 59, 0)), 60);
	/* All week: never ends. */
	ws[0] = win("00:00-24:00");
	ck_assert_int_eq(timewin_left(ws, 1, at(4, 12, 0, 0)), -1);
	ws[0] = win("Sun-Fri 00:00-24:00");
	ws[1] = win("Sat 00:00-24:00");
	ck_assert_int_eq(timewin_left(ws, 2, at(4, 12, 0, 0)), -1);
	/* All day but a minute at noon: the gap ends the stretch. */
	ws[0] = win("12:01-12:00");
	ck_assert_int_eq(timewin_left(ws, 1, at(4, 12, 0, 30)), 0);
	ck_assert_int_eq(timewin_left(ws, 1, at(4, 12, 1, 0)), 86340);
	ck_assert_int_eq(timewin_left(ws, 1, at(6, 13, 0, 0)), 82800);
}
END_TEST

static Suite *
timewin_suite(void)
{
	Suite *s = suite_create("timewin");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_ok);
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_week_secs);
	tcase_add_test(tc, test_covers_days);
	tcase_add_test(tc, test_covers_midnight);
	tcase_add_test(tc, test_any);
	tcase_add_test(tc, test_left);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(timewin_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
