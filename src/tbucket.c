/*
 * tbucket.c - the token bucket (see tbucket.h).
 */
#include "sgconfig.h"

#include "tbucket.h"

uint64_t
tbucket_burst_for(uint64_t rate)
{
	return rate / 10 > TBUCKET_BURST_MIN ? rate / 10 : TBUCKET_BURST_MIN;
}

void
tbucket_init(struct tbucket *b, uint64_t rate, int64_t now)
{
	b->rate = rate;
	b->burst = tbucket_burst_for(rate);
	b->tokens = b->burst;
	b->frac = 0;
	b->last = now;
}

void
tbucket_refill(struct tbucket *b, int64_t now)
{
	uint64_t ms, units, add;

	if (now <= b->last)
		return;		/* a clock that went back adds nothing */
	ms = (uint64_t)(now - b->last);
	b->last = now;
	/* Past a full burst's worth of time the product is not needed. */
	if (b->rate == 0 || ms > (b->burst * 1000) / b->rate) {
		b->tokens = b->burst;
		b->frac = 0;
		return;
	}
	/*
	 * In thousandths of a byte, so that the fraction a millisecond of
	 * a slow rate is worth is carried over, not lost.
	 */
	units = b->rate * ms + b->frac;
	add = units / 1000;
	b->frac = units % 1000;
	if (add >= b->burst - b->tokens) {
		b->tokens = b->burst;
		b->frac = 0;
	} else
		b->tokens += add;
}

void
tbucket_set_rate(struct tbucket *b, uint64_t rate, int64_t now)
{
	if (rate == b->rate)
		return;
	tbucket_refill(b, now);
	b->rate = rate;
	b->burst = tbucket_burst_for(rate);
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last = now;
}

uint64_t
tbucket_step(const struct tbucket *b, uint64_t want)
{
	uint64_t s = b->rate / 20;

	if (s < TBUCKET_STEP_MIN)
		s = TBUCKET_STEP_MIN;
	if (s > b->burst)
		s = b->burst;
	if (s > want)
		s = want;
	return s;
}

uint64_t
tbucket_take(struct tbucket *b, uint64_t want, int64_t now)
{
	uint64_t n;

	tbucket_refill(b, now);
	if (want == 0 || b->tokens < tbucket_step(b, want))
		return 0;
	n = want < b->tokens ? want : b->tokens;
	b->tokens -= n;
	return n;
}

void
tbucket_give(struct tbucket *b, uint64_t n)
{
	b->tokens = n >= b->burst - b->tokens ? b->burst : b->tokens + n;
}

int64_t
tbucket_wait_ms(const struct tbucket *b, uint64_t want, int64_t now)
{
	uint64_t need = tbucket_step(b, want);
	int64_t at;

	if (b->tokens >= need || b->rate == 0)
		return 0;
	/* Rounded up, from the last refill, counting its fraction. */
	at = b->last + (int64_t)(((need - b->tokens) * 1000 - b->frac +
	    b->rate - 1) / b->rate);
	return at > now ? at - now : 1;
}
