/*
 * timewin.c - pure time windows of rules (see timewin.h).
 */
#include "sgconfig.h"

#include <string.h>
#include <strings.h>

#include "timewin.h"

static const char *const day_names[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

/* A three-letter day at s (any case): its tm_wday, or -1. */
static int
parse_day(const char *s)
{
	int d;

	for (d = 0; d < 7; d++)
		if (strncasecmp(s, day_names[d], 3) == 0)
			return d;
	return -1;
}

/*
 * "Mon", "Mon-Fri", "Fri-Mon" (wrapping over the week's end), or a
 * comma list of those, in s[0..n).
 */
static enum timewin_status
parse_days(const char *s, size_t n, uint8_t *days)
{
	size_t i = 0;
	int a, b;

	*days = 0;
	for (;;) {
		if (n - i < 3 || (a = parse_day(s + i)) == -1)
			return TIMEWIN_BAD_DAY;
		i += 3;
		b = a;
		if (i < n && s[i] == '-') {
			if (n - i < 4 || (b = parse_day(s + i + 1)) == -1)
				return TIMEWIN_BAD_DAY;
			i += 4;
		}
		for (;; a = (a + 1) % 7) {
			*days |= (uint8_t)(1u << a);
			if (a == b)
				break;
		}
		if (i == n)
			return TIMEWIN_OK;
		if (s[i] != ',')
			return TIMEWIN_BAD_DAY;
		i++;
	}
}

/* "HH:MM" at s (exactly 5 characters): minutes, or -1; 24:00 is 1440. */
static int
parse_hhmm(const char *s)
{
	int h, m;

	if (strspn(s, "0123456789") != 2 || s[2] != ':' ||
	    strspn(s + 3, "0123456789") < 2)
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h == 24 && m == 0)
		return 1440;
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

enum timewin_status
timewin_parse(const char *s, struct timewin *w)
{
	const char *sp = strchr(s, ' ');
	const char *t = sp != NULL ? sp + 1 : s;
	enum timewin_status st;
	int a, b;

	memset(w, 0, sizeof(*w));
	if (sp == NULL)
		w->days = 0x7f;
	else if ((st = parse_days(s, (size_t)(sp - s), &w->days)) !=
	    TIMEWIN_OK)
		return st;
	if (strlen(t) != 11 || t[5] != '-')
		return strpbrk(t, "0123456789") != NULL && strchr(t, ':') ?
		    TIMEWIN_BAD_TIME : TIMEWIN_SYNTAX;
	if ((a = parse_hhmm(t)) == -1 || a == 1440 ||
	    (b = parse_hhmm(t + 6)) == -1)
		return TIMEWIN_BAD_TIME;
	if (a == b)
		return TIMEWIN_EMPTY;
	w->start = (uint16_t)a;
	w->len = (uint16_t)(b > a ? b - a : b + 1440 - a);
	return TIMEWIN_OK;
}

int32_t
timewin_week_secs(const struct tm *tm)
{
	return ((int32_t)tm->tm_wday * 24 + tm->tm_hour) * 3600 +
	    tm->tm_min * 60 + (tm->tm_sec > 59 ? 59 : tm->tm_sec);
}

/*
 * Seconds left in the stretch of w on day d that covers now, or 0 when
 * it does not cover now.
 */
static int32_t
left_on_day(const struct timewin *w, int d, int32_t now)
{
	int32_t off;

	off = now - ((int32_t)d * 1440 + w->start) * 60;
	off = ((off % TIMEWIN_WEEK) + TIMEWIN_WEEK) % TIMEWIN_WEEK;
	return off < (int32_t)w->len * 60 ? (int32_t)w->len * 60 - off : 0;
}

/* The most seconds left of any window in ws covering now, or 0. */
static int32_t
left_any(const struct timewin *ws, size_t n, int32_t now)
{
	int32_t best = 0, l;
	size_t i;
	int d;

	for (i = 0; i < n; i++)
		for (d = 0; d < 7; d++)
			if ((ws[i].days & (1u << d)) != 0 &&
			    (l = left_on_day(&ws[i], d, now)) > best)
				best = l;
	return best;
}

bool
timewin_covers(const struct timewin *w, int32_t now)
{
	return left_any(w, 1, now) > 0;
}

bool
timewin_any(const struct timewin *ws, size_t n, int32_t now)
{
	return n == 0 || left_any(ws, n, now) > 0;
}

int32_t
timewin_left(const struct timewin *ws, size_t n, int32_t now)
{
	int32_t t = 0, l;

	if (n == 0)
		return -1;
	/* Each step reaches a window's end: at most a week of steps. */
	while (t < TIMEWIN_WEEK) {
		if ((l = left_any(ws, n, (now + t) % TIMEWIN_WEEK)) == 0)
			return t;
		t += l;
	}
	return -1;
}

const char *
timewin_strerror(enum timewin_status st)
{
	switch (st) {
	case TIMEWIN_OK:
		return "ok";
	case TIMEWIN_BAD_DAY:
		return "days are Sun, Mon, Tue, Wed, Thu, Fri, Sat, "
		    "a range (Mon-Fri) or a list (Sat,Sun)";
	case TIMEWIN_BAD_TIME:
		return "times are HH:MM from 00:00 to 23:59 (24:00 as an "
		    "end only)";
	case TIMEWIN_EMPTY:
		return "a window must not start where it ends";
	default:
		return "a window is \"[DAYS ]HH:MM-HH:MM\"";
	}
}
