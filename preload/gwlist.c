/*
 * gwlist.c - order of the gateways and their shared back-off (see
 * gwlist.h).
 *
 * A gateway's word goes from "up" (0, or a time past) to "down until T"
 * by one compare-and-swap; the winner of that swap is the one caller
 * that warns, so a dead gateway costs one warning per back-off period
 * however many processes find it dead at once.  A word further ahead
 * than one period is taken as "up": it can only come from a clock that
 * jumped, or from a process in another time namespace, and must not
 * keep a gateway out of the list for longer than the period.
 */
#include "sgconfig.h"

#include <stdatomic.h>
#include <string.h>

#include "gwlist.h"

_Static_assert(sizeof(struct gwlist_backoff) == 128,
    "gwlist_backoff layout changed");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics are not lock-free");

/* 64-bit FNV-1a step. */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n-- > 0) {
		h ^= *s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t
gwlist_key(const struct env_gateway *gw, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint8_t port[2];
	size_t i, k;
	char ch;

	for (i = 0; i < n; i++) {
		for (k = 0; gw[i].host[k] != '\0'; k++) {
			ch = gw[i].host[k];
			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			h = fnv(h, &ch, 1);
		}
		port[0] = (uint8_t)(gw[i].port >> 8);
		port[1] = (uint8_t)gw[i].port;
		h = fnv(h, port, 2);
		h = fnv(h, ",", 1);
	}
	return h != 0 ? h : 1;
}

bool
gwlist_attach(struct gwlist_backoff *b, uint64_t key)
{
	uint64_t expect = 0;

	if (atomic_compare_exchange_strong(&b->key, &expect, key))
		return true;
	return expect == key;
}

/* Is a word "down" at now? */
static bool
word_down(uint64_t until, uint64_t now, uint64_t period)
{
	return until > now && until - now <= period;
}

static uint64_t
word(const struct gwlist_backoff *b, size_t i)
{
	/* Loading an atomic through a const pointer: no store. */
	return atomic_load_explicit(&((struct gwlist_backoff *)(uintptr_t)
	    b)->until[i], memory_order_acquire);
}

bool
gwlist_is_down(const struct gwlist_backoff *b, size_t i, uint64_t now,
    uint64_t period)
{
	if (i >= GWLIST_MAX || period == 0)
		return false;
	return word_down(word(b, i), now, period);
}

bool
gwlist_failed(struct gwlist_backoff *b, size_t i, uint64_t now,
    uint64_t period)
{
	uint64_t old, until = now + period;

	if (i >= GWLIST_MAX || period == 0)
		return true;
	old = word(b, i);
	do {
		if (word_down(old, now, period))
			return false;	/* someone else has warned */
	} while (!atomic_compare_exchange_weak_explicit(&b->until[i], &old,
	    until, memory_order_acq_rel, memory_order_acquire));
	return true;
}

void
gwlist_succeeded(struct gwlist_backoff *b, size_t i)
{
	/* Read first: a gateway that works needs no store (no sharing). */
	if (i < GWLIST_MAX && word(b, i) != 0)
		atomic_store_explicit(&b->until[i], 0, memory_order_release);
}

size_t
gwlist_order(const struct gwlist_backoff *b, size_t n, uint64_t now,
    uint64_t period, size_t *order)
{
	uint64_t snap[GWLIST_MAX], until[GWLIST_MAX];
	size_t i, k, nup = 0, ndown = 0;

	if (n > GWLIST_MAX)
		n = GWLIST_MAX;
	/* One look at each word, so every gateway lands exactly once. */
	for (i = 0; i < n; i++) {
		snap[i] = period == 0 ? 0 : word(b, i);
		if (!word_down(snap[i], now, period))
			order[nup++] = i;
	}
	/* Those in back-off by end time, list order among equals. */
	for (i = 0; i < n; i++) {
		if (!word_down(snap[i], now, period))
			continue;
		for (k = nup + ndown; k > nup && until[k - 1] > snap[i]; k--) {
			until[k] = until[k - 1];
			order[k] = order[k - 1];
		}
		until[k] = snap[i];
		order[k] = i;
		ndown++;
	}
	return nup;
}
