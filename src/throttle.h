/*
 * throttle.h - failed logins per client address: after fail_limit
 * failures within fail_window seconds, an address (IPv6: its /64, or the
 * configured prefix) is blocked for fail_block seconds, so a password
 * guesser slows down while everybody else logs in as usual.  A success
 * forgets the address.  The table is bounded (the least recently used
 * entry of a probe window makes room) and locked inside; the clock is
 * the caller's, so the logic is tested without waiting.
 */
#ifndef SG_THROTTLE_H
#define SG_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct throttle_cfg {
	int		limit;		/* failures that start a block; 0: off */
	int		window_s;	/* ... counted over this many seconds */
	int		block_s;	/* how long a block lasts */
	unsigned	v6_prefix;	/* IPv6 clients counted per this prefix */
};

struct throttle;

/* A table of at most max_entries addresses (rounded up to a power of 2). */
struct throttle *throttle_new(size_t max_entries);
void		 throttle_free(struct throttle *t);

/* Milliseconds client must still wait before it may try again; 0: now. */
int64_t	throttle_blocked(struct throttle *t, const struct throttle_cfg *c,
	    const struct sockaddr *client, int64_t now_ms);

/* A failed login: true when this failure starts a block. */
bool	throttle_failed(struct throttle *t, const struct throttle_cfg *c,
	    const struct sockaddr *client, int64_t now_ms);

/* A successful login: the address starts afresh. */
void	throttle_succeeded(struct throttle *t, const struct throttle_cfg *c,
	    const struct sockaddr *client);

#endif
