/*
 * relay.h - the TCP pump between a client and its destination: both
 * directions in the calling thread, splice(2) through pipes borrowed
 * from a small shared pool only while data is in flight (so an idle
 * relay holds nothing but its two sockets), read/write when no pipe can
 * be had, half-close carried across, idle timeout, byte counters.
 */
#ifndef SG_RELAY_H
#define SG_RELAY_H

#include <stdatomic.h>
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
	RELAY_END_TIME		/* the deadline came (a rule's time window) */
};

/*
 * Pump between cfd and dfd (both non-blocking sockets) until the relay
 * ends; idle_s 0 means no idle timeout; deadline (sgio_now_ms clock) 0
 * means none, else the relay ends then (the time windows of the rule
 * that allowed it closed).  The caller keeps ownership of
 * both fds and closes them.  Counters in st are added to, so bytes the
 * caller already forwarded can be counted there first.  *err receives
 * the errno behind an _ERR end.
 */
enum relay_end relay_run(int cfd, int dfd, int idle_s, int64_t deadline,
	    struct relay_stats *st, int *err);

const char *relay_end_str(enum relay_end e);

/* Close the pooled pipes (at exit, for leak checkers). */
void relay_pool_drain(void);

#endif
