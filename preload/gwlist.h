/*
 * gwlist.h - the Socks Lib's list of gateways: which one to try first,
 * and the back-off that keeps a gateway that could not be reached out of
 * the way for a while, shared by every process of one `sixgate` command
 * (the words live in the shared fake-address table, fakeip.h).
 *
 * Pure: no system calls, no allocation, no globals; the caller passes
 * the time (milliseconds of a clock every process of the session reads
 * alike: dial.c uses CLOCK_MONOTONIC) and the memory.  Lock-free: one
 * 64-bit word per gateway, changed only by compare-and-swap, so a
 * process that dies half-way leaves nothing held, and a fork child or an
 * exec'd program simply maps the same words again.
 */
#ifndef SG_GWLIST_H
#define SG_GWLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"

#define GWLIST_MAX	ENV_GATEWAYS_MAX

/*
 * The shared words (128 bytes, the same on 32- and 64-bit ABIs).  key
 * names the gateway list they belong to: a process whose list differs
 * (a child that changed SIXGATE_GATEWAY) keeps a private copy instead.
 * until[i]: gateway i is in back-off until that time; 0 or a time past
 * (or further ahead than one period: a clock that jumped) means not.
 */
struct gwlist_backoff {
	_Atomic uint64_t	key;
	_Atomic uint64_t	until[GWLIST_MAX];
	uint64_t		reserved[7];
};

/* A non-zero digest of the list (hosts without case, ports). */
uint64_t gwlist_key(const struct env_gateway *gw, size_t n);

/*
 * Make b hold the back-off of the list called key: claims a blank b
 * (key 0).  true when b is (now) key's, false when another list has it.
 */
bool	gwlist_attach(struct gwlist_backoff *b, uint64_t key);

/* Is gateway i in back-off at now (period: the back-off, ms)? */
bool	gwlist_is_down(const struct gwlist_backoff *b, size_t i, uint64_t now,
	    uint64_t period);

/*
 * Gateway i could not be reached at now: put it in back-off for period
 * ms, unless it already is.  true for exactly one caller per back-off
 * period, among all threads and processes: the one that should warn.
 * With period 0 (no back-off) every caller is told to warn.
 */
bool	gwlist_failed(struct gwlist_backoff *b, size_t i, uint64_t now,
	    uint64_t period);

/* Gateway i answered: out of back-off at once. */
void	gwlist_succeeded(struct gwlist_backoff *b, size_t i);

/*
 * The order to try the n gateways in, into order[] (n entries):
 * gateways not in back-off in list order, then those in back-off, the
 * one whose back-off ends first first (so that with every gateway down a
 * connection is still attempted, and fails as it would with one).
 * Returns how many are not in back-off.
 */
size_t	gwlist_order(const struct gwlist_backoff *b, size_t n, uint64_t now,
	    uint64_t period, size_t *order);

#endif
