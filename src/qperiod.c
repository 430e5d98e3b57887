/*
 * qperiod.c - quota periods of the local calendar (see qperiod.h).
 */
#include "sgconfig.h"

#include <string.h>

#include "qperiod.h"

static const char *const names[] = { "-", "day", "week", "month" };

bool
qperiod_parse(const char *s, enum qperiod *p)
{
	int i;

	for (i = QPERIOD_DAY; i <= QPERIOD_MONTH; i++)
		if (strcmp(s, names[i]) == 0) {
			*p = (enum qperiod)i;
			return true;
		}
	return false;
}

const char *
qperiod_name(enum qperiod p)
{
	return p >= QPERIOD_DAY && p <= QPERIOD_MONTH ? names[p] : names[0];
}

void
qperiod_floor_tm(enum qperiod p, struct tm *tm)
{
	tm->tm_hour = tm->tm_min = tm->tm_sec = 0;
	tm->tm_isdst = -1;
	if (p == QPERIOD_WEEK)
		/* tm_wday 0 is Sunday: back to Monday (mktime borrows). */
		tm->tm_mday -= (tm->tm_wday + 6) % 7;
	else if (p == QPERIOD_MONTH)
		tm->tm_mday = 1;
}

void
qperiod_next_tm(enum qperiod p, struct tm *tm)
{
	tm->tm_hour = tm->tm_min = tm->tm_sec = 0;
	tm->tm_isdst = -1;
	if (p == QPERIOD_DAY)
		tm->tm_mday++;
	else if (p == QPERIOD_WEEK)
		tm->tm_mday += 7;
	else {
		tm->tm_mday = 1;
		tm->tm_mon++;		/* December + 1: mktime carries */
	}
}

time_t
qperiod_start(enum qperiod p, time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return (time_t)-1;
	qperiod_floor_tm(p, &tm);
	return mktime(&tm);
}

time_t
qperiod_next(enum qperiod p, time_t start)
{
	struct tm tm;

	if (localtime_r(&start, &tm) == NULL)
		return (time_t)-1;
	/*
	 * A start that mktime moved past midnight (a zone whose clocks
	 * jump at 00:00) is floored first, so the next is still a midnight.
	 */
	qperiod_floor_tm(p, &tm);
	qperiod_next_tm(p, &tm);
	return mktime(&tm);
}
