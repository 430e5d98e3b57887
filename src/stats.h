/*
 * stats.h - the daemon's global counters for the control socket
 * (sixgatectl status): relays in total, logins, bytes of ended relays,
 * and the start time.  Atomics; no lock.
 */
#ifndef SG_STATS_H
#define SG_STATS_H

#include <stdint.h>

struct stats_snapshot {
	uint64_t	relays_total;	/* sessions that reached a relay */
	uint64_t	logins_ok, logins_failed;
	uint64_t	bytes_up, bytes_down;	/* of relays that ended */
	int64_t		started;	/* sgio_now_ms at stats_init */
};

void	stats_init(void);
void	stats_relay_started(void);
void	stats_login(int ok);
void	stats_relay_ended(uint64_t up, uint64_t down);
void	stats_get(struct stats_snapshot *s);

#endif
