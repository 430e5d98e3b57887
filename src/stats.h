/*
 * stats.h - the daemon's global counters for the control socket
 * (sixgatectl status) and the metrics endpoint: relays in total,
 * logins, refusals by reason, bytes of ended relays, and the start
 * time (atomics, no lock); and, while the metrics endpoint is on, the
 * per-door, per-rule and per-user counters of ended relays (tally.h, one mutex
 * each).
 */
#ifndef SG_STATS_H
#define SG_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "tally.h"

/* Why a client or a request was refused (the metrics' reason label). */
enum stats_refusal {
	STATS_REFUSED_MAX_RELAYS = 0,	/* limits.max_relays */
	STATS_REFUSED_MAX_PER_CLIENT,	/* limits.max_per_client */
	STATS_REFUSED_MAX_HANDSHAKES,	/* limits.max_handshakes */
	STATS_REFUSED_MAX_HANDSHAKES_PER_CLIENT,
	STATS_REFUSED_DESCRIPTORS,	/* the descriptor budget was spent */
	STATS_REFUSED_THROTTLED,	/* login refused: auth.fail_* block */
	STATS_REFUSED_RULE,		/* denied by the rules */
	STATS_REFUSED_AUTH,		/* wrong password */
	STATS_REFUSED_PROXY,		/* listen.proxy_protocol: not from a
					 * balancer, or no valid header */
	STATS_REFUSED_LOOP,		/* transparent: not redirected, or
					 * our own connection come back */
	STATS_REFUSED_FAKE,		/* transparent: a fake that stands
					 * for no name (or no destination) */
	STATS_REFUSAL_N
};

/* DNS answers by RCODE (0..5: NOERROR..REFUSED), the rest in the last. */
#define STATS_DNS_RCODES	7

struct stats_snapshot {
	uint64_t	relays_total;	/* sessions that reached a relay */
	uint64_t	logins_ok, logins_failed;
	uint64_t	bytes_up, bytes_down;	/* of relays that ended */
	uint64_t	refusals[STATS_REFUSAL_N];
	int64_t		started;	/* sgio_now_ms at stats_init */
	uint64_t	dns[STATS_DNS_RCODES];	/* queries answered */
};

/* Per-user series: at most this many users, the rest as TALLY_OTHER. */
#define STATS_USERS_MAX	10000
/* Per-rule series (labels seen across reloads). */
#define STATS_RULES_MAX	1024
/* Per-door series: the front doors' names (socks5, socks4, http, ...). */
#define STATS_DOORS_MAX	16

void	stats_init(void);
void	stats_relay_started(void);
void	stats_login(int ok);
void	stats_relay_ended(uint64_t up, uint64_t down);
void	stats_refused(enum stats_refusal why);
/* A DNS query answered with rcode (dnsmsg.h). */
void	stats_dns(unsigned rcode);
/* "noerror", ..., "refused", "other": the rcode label. */
const char *stats_dns_name(unsigned i);
/* "max_relays", ..., "rule", "auth": the reason label. */
const char *stats_refusal_name(enum stats_refusal why);
void	stats_get(struct stats_snapshot *s);

/*
 * Keep the per-rule and per-user tables from now on (the metrics
 * endpoint is on); -1 when they cannot be allocated.  They live until
 * the process exits (a relay may end while it exits).
 */
int	stats_enable_tables(void);

/*
 * A relay ended: one more relay and its bytes for door (the front
 * door's name), rule (an index of c's rules, -1: none) and user (NULL:
 * not logged in; counted only with metrics.user_labels).  Does nothing
 * unless the tables are on.
 */
void	stats_relay_done(const struct config *c, const char *door, int rule,
	    const char *user, uint64_t up, uint64_t down);

/* Copies of the tables, sorted (tally_rows); NULL with *n 0 when off. */
struct tally_row *stats_door_rows(size_t *n);
struct tally_row *stats_rule_rows(size_t *n);
struct tally_row *stats_user_rows(size_t *n);

#endif
