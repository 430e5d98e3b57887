/*
 * admit.h - how many unauthenticated peers we let in: sshd's MaxStartups
 * "start:rate:full" random early drop for connections still in their
 * handshake (limits.max_handshakes).  Below start every connection is
 * taken; from start on, a new one is dropped with probability rate %,
 * rising linearly to 100 % at full.  Pure: the random number is the
 * caller's.
 */
#ifndef SG_ADMIT_H
#define SG_ADMIT_H

#include <stdbool.h>

struct admit_startups {
	unsigned	start;
	unsigned	rate;	/* percent, 0..100 */
	unsigned	full;	/* >= start */
};

/*
 * Drop a new connection when n others are in their handshake?  r is a
 * uniform random number in [0, 100).
 */
bool	admit_drop(const struct admit_startups *s, unsigned n, unsigned r);

/*
 * Parse "full" or "start:rate:full" (rate 0..100, start <= full, full
 * >= 1).  0, or -1 for bad text.
 */
int	admit_parse(const char *text, struct admit_startups *s);

#endif
