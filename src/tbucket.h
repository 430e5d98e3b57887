/*
 * tbucket.h - a token bucket, pure: rate bytes a second flow in, at most
 * burst are kept; the clock (milliseconds, any monotonic origin) is the
 * caller's, so tests inject it.  No locking: the owner locks (usage.c).
 */
#ifndef SG_TBUCKET_H
#define SG_TBUCKET_H

#include <stdint.h>

#define TBUCKET_BURST_MIN	16384	/* bytes */
#define TBUCKET_STEP_MIN	4096	/* smallest grant, bytes */

struct tbucket {
	uint64_t	rate;		/* bytes a second; 0: unlimited */
	uint64_t	burst;		/* most tokens kept */
	uint64_t	tokens;
	uint64_t	frac;		/* thousandths of a token, < 1000 */
	int64_t		last;		/* clock of the last refill, ms */
};

/* The burst for rate: a tenth of a second's worth, at least 16 KiB. */
uint64_t tbucket_burst_for(uint64_t rate);

/* A full bucket of rate (burst from tbucket_burst_for) at now. */
void	tbucket_init(struct tbucket *b, uint64_t rate, int64_t now);

/*
 * Another rate (a reloaded rule): refilled at the old rate up to now,
 * then the tokens are capped to the new burst.
 */
void	tbucket_set_rate(struct tbucket *b, uint64_t rate, int64_t now);

/* Add what flowed in since b->last, capped to the burst. */
void	tbucket_refill(struct tbucket *b, int64_t now);

/*
 * The smallest grant worth waking up for when want bytes are asked: a
 * twentieth of a second's worth, at least TBUCKET_STEP_MIN, at most
 * want and the burst.  Waiting for it, not for one byte, keeps a shaped
 * relay from waking up for every millisecond's trickle.
 */
uint64_t tbucket_step(const struct tbucket *b, uint64_t want);

/*
 * Refill, then take up to want tokens, but only when at least
 * tbucket_step(b, want) are there: the number taken, or 0.
 */
uint64_t tbucket_take(struct tbucket *b, uint64_t want, int64_t now);

/* Give back n tokens taken and not used (capped to the burst). */
void	tbucket_give(struct tbucket *b, uint64_t n);

/*
 * Milliseconds from now until tbucket_take(b, want, ...) can succeed
 * (0: now); b must have been refilled at now.
 */
int64_t	tbucket_wait_ms(const struct tbucket *b, uint64_t want, int64_t now);

#endif
