/*
 * qperiod.h - quota periods of the local calendar, pure: a day (from
 * 00:00), a week (from Monday 00:00) or a month (from the 1st, 00:00).
 * The broken-down functions take and give a struct tm and do no time
 * zone work, so tests inject the calendar; the time_t ones go through
 * localtime_r and mktime (tm_isdst = -1), so a day with a DST change
 * is 23 or 25 hours long and still starts at midnight.
 */
#ifndef SG_QPERIOD_H
#define SG_QPERIOD_H

#include <stdbool.h>
#include <time.h>

enum qperiod {
	QPERIOD_NONE = 0,
	QPERIOD_DAY,
	QPERIOD_WEEK,		/* Monday to Sunday */
	QPERIOD_MONTH
};

/* "day", "week", "month" -> *p; false for anything else. */
bool	qperiod_parse(const char *s, enum qperiod *p);
/* The name for p ("day", ...), "-" for QPERIOD_NONE. */
const char *qperiod_name(enum qperiod p);

/*
 * tm (a local time, tm_wday set) becomes the start of its period:
 * fields only, tm_isdst -1; mktime normalises them.
 */
void	qperiod_floor_tm(enum qperiod p, struct tm *tm);
/* tm, a period's start, becomes the next period's (fields only). */
void	qperiod_next_tm(enum qperiod p, struct tm *tm);

/* The local start of the period holding t; (time_t)-1 on error. */
time_t	qperiod_start(enum qperiod p, time_t t);
/* The local start of the period after the one starting at start. */
time_t	qperiod_next(enum qperiod p, time_t start);

#endif
