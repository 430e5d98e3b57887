/*
 * timewin.h - time windows of rules: "[DAYS ]HH:MM-HH:MM" in local
 * time, DAYS like "Mon-Fri", "Sat,Sun" or "Fri-Mon" (any day when left
 * out).  A window whose end is not after its start crosses midnight and
 * belongs to the day it starts on.  Pure: the clock is given as seconds
 * into the local week (timewin_week_secs), so tests inject it.  No
 * sockets, no logging, no globals, no malloc.
 */
#ifndef SG_TIMEWIN_H
#define SG_TIMEWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TIMEWIN_WEEK	(7 * 86400)	/* seconds in a week */

struct timewin {
	uint8_t		days;	/* bit d: tm_wday d (0 = Sunday) */
	uint16_t	start;	/* minutes after midnight, 0..1439 */
	uint16_t	len;	/* minutes, 1..1440 */
};

enum timewin_status {
	TIMEWIN_OK = 0,
	TIMEWIN_BAD_DAY,	/* not Sun..Sat, or a bad list or range */
	TIMEWIN_BAD_TIME,	/* not HH:MM, 00:00..23:59 (24:00 as end) */
	TIMEWIN_EMPTY,		/* start == end */
	TIMEWIN_SYNTAX		/* anything else */
};

/*
 * Parse one window.  "24:00" is accepted as an end only (the end of
 * the day: "18:00-24:00"); "00:00-24:00" is the whole day.  A window
 * with the same start and end is refused (TIMEWIN_EMPTY): it would
 * mean nothing, or all day, depending on the reader.
 */
enum timewin_status timewin_parse(const char *s, struct timewin *w);

/* Seconds into the week of a local time (tm_wday, tm_hour, ...). */
int32_t	timewin_week_secs(const struct tm *tm);

/* Is week second now inside w? */
bool	timewin_covers(const struct timewin *w, int32_t now);

/* Is now inside one of ws[0..n)?  No window (n == 0): always. */
bool	timewin_any(const struct timewin *ws, size_t n, int32_t now);

/*
 * How many seconds from now until the windows ws[0..n) stop covering
 * the clock, following windows that touch or overlap (22:00-24:00 and
 * 00:00-02:00 are one stretch): 0 when none covers now, -1 when they
 * never stop (n == 0, or they cover the whole week).
 */
int32_t	timewin_left(const struct timewin *ws, size_t n, int32_t now);

/* A short text for a status, for configuration errors. */
const char *timewin_strerror(enum timewin_status st);

#endif
