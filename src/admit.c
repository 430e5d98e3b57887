/*
 * admit.c - random early drop of unauthenticated peers (see admit.h).
 */
#include "sgconfig.h"

#include <stdio.h>
#include <stdlib.h>

#include "admit.h"

bool
admit_drop(const struct admit_startups *s, unsigned n, unsigned r)
{
	unsigned long p;

	if (n < s->start)
		return false;
	if (n >= s->full)
		return true;
	/* full > start here, so no division by zero. */
	p = s->rate + (unsigned long)(100 - s->rate) * (n - s->start) /
	    (s->full - s->start);
	return r < p;
}

static int
number(const char **p, unsigned *out)
{
	char *end;
	unsigned long v;

	if (**p < '0' || **p > '9')
		return -1;
	v = strtoul(*p, &end, 10);
	if (v > 1000000)
		return -1;
	*out = (unsigned)v;
	*p = end;
	return 0;
}

int
admit_parse(const char *text, struct admit_startups *s)
{
	const char *p = text;
	unsigned a, b, c;

	if (number(&p, &a) == -1)
		return -1;
	if (*p == '\0') {
		if (a == 0)
			return -1;
		s->start = s->full = a;
		s->rate = 100;
		return 0;
	}
	if (*p++ != ':' || number(&p, &b) == -1 || *p++ != ':' ||
	    number(&p, &c) == -1 || *p != '\0')
		return -1;
	if (b > 100 || a > c || c == 0)
		return -1;
	s->start = a;
	s->rate = b;
	s->full = c;
	return 0;
}
