/*
 * relay.h - the TCP pump between a client and its destination: both
 * directions in the calling thread, splice(2) through pipes borrowed
 * from a small shared pool (pipepool.h) only while data is in flight (so
 * an idle relay holds nothing but its two sockets), read/write when no
 * pipe can be had, half-close carried across, idle timeout, byte counters.
 */
#ifndef SG_RELAY_H
#define SG_RELAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Atomic so that the control socket (sixgatectl sessions) can read them
 * while the pump adds to them (relaxed adds, one writer).
 */
struct relay_stats {
	_Atomic uint64_t up;	/* client -> destination, bytes delivered */
	_Atomic uint64_t down;	/* destination -> client */
};

enum relay_end {
	RELAY_END_CLOSED = 0,	/* both sides finished (EOF both ways) */
	RELAY_END_IDLE,		/* no data either way for the idle time */
	RELAY_END_CLIENT_ERR,	/* reset or error on the client side */
	RELAY_END_DEST_ERR,	/* reset or error on the destination side */
	RELAY_END_NOMEM,	/* no pipe and no buffer could be had */
	RELAY_END_TIME,		/* the deadline came (a rule's time window) */
	RELAY_END_QUOTA		/* the rule's quota is used up */
};

/*
 * Limits on a relay's reads (a rule's `limits`, usage.h).  Before a
 * read from the side of direction dir (0: client to destination, 1:
 * back) that poll found readable, grant is asked for up to want bytes
 * and returns how many may be read: the read is capped to that (so
 * splice moves no more).  0 with *retry_ms: the direction does not
 * poll for input for that long.  0 with *out: the quota is spent, the
 * relay ends (RELAY_END_QUOTA) once what it holds is delivered.  What
 * was granted and not read goes back through unused at once.
 */
struct relay_limit {
	void		*ctx;
	uint64_t	(*grant)(void *ctx, int dir, uint64_t want,
			    int64_t *retry_ms, bool *out);
	void		(*unused)(void *ctx, int dir, uint64_t n);
};

/*
 * Pump between cfd and dfd (both non-blocking sockets) until the relay
 * ends; idle_s 0 means no idle timeout; deadline (sgio_now_ms clock) 0
 * means none, else the relay ends then (the time windows of the rule
 * that allowed it closed).  lim: limits on the reads, or NULL.  The
 * caller keeps ownership of both fds and closes them.  Counters in st are added to, so bytes the
 * caller already forwarded can be counted there first.  *err receives
 * the errno behind an _ERR end.  quiet, unless NULL, is called once
 * when nothing has moved for RELAY_QUIET_MS: what an idle relay can
 * give back (its thread's stack) is given back then, and a short relay
 * never pays for it.
 */
#define RELAY_QUIET_MS	250
enum relay_end relay_run(int cfd, int dfd, int idle_s, int64_t deadline,
	    const struct relay_limit *lim, void (*quiet)(void),
	    struct relay_stats *st, int *err);

const char *relay_end_str(enum relay_end e);

#endif
