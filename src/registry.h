/*
 * registry.h - the sessions running now: how many in total, how many
 * still in their handshake, both per client (an IPv6 client counted per
 * limits.ipv6_prefix), for limits.max_relays, limits.max_per_client,
 * limits.max_handshakes and limits.max_handshakes_per_client; the
 * descriptors of each session, so that a shutdown can cut them; and
 * waiting for them to end.  One mutex guards it.
 */
#ifndef SG_REGISTRY_H
#define SG_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "relay.h"

struct registry_entry;
struct request;

/*
 * Count a new session of client, in its handshake, unless a limit of c
 * says no: NULL with errno EAGAIN (max_relays), EUSERS (max_per_client),
 * EBUSY (max_handshakes: dropped early, at random from its start on) or
 * ETOOMANYREFS (max_handshakes_per_client).  The entry is the session's
 * until registry_leave.  A NULL client is one not known yet (a
 * connection from a balancer, before its PROXY protocol header): only
 * the global limits (max_relays, max_handshakes) apply until
 * registry_set_client.
 */
struct registry_entry *registry_enter(const struct sockaddr *client,
	    const struct config *c);

/*
 * The client of an entry entered without one, once known: counted
 * against its per-client limits from now on, as if it had entered with
 * it.  0, or -1 with errno EUSERS (max_per_client), ETOOMANYREFS
 * (max_handshakes_per_client) or ENOMEM, the entry staying anonymous
 * (registry_leave releases it either way).
 */
int	registry_set_client(struct registry_entry *e,
	    const struct sockaddr *client, const struct config *c);

/* The session is past its handshake (logged in, or no login needed). */
void	registry_handshake_done(struct registry_entry *e);

/*
 * The session's descriptors (-1: none), for registry_cut_all; set them
 * before using them, clear them (-1) before closing them.
 */
void	registry_set_fds(struct registry_entry *e, int cfd, int dfd);

/*
 * What the control socket shows of a session (sixgatectl sessions).
 * Strings are already escaped for display (no controls, no spaces).
 */
#define REGISTRY_USERLEN	1040
#define REGISTRY_DESTLEN	1040
#define REGISTRY_CONNLEN	400
struct registry_info {
	uint64_t	 id;		/* the session tag's number (cN) */
	char		 client[64];
	char		 user[REGISTRY_USERLEN];	/* "" before login */
	char		 dest[REGISTRY_DESTLEN];	/* as requested */
	char		 connected[REGISTRY_CONNLEN];
	int		 cmd;		/* S5_CMD_*, -1: not yet known */
	int		 rule;		/* index allowing it, -1: none yet */
	uint64_t	 up, down;
	int64_t		 start;		/* sgio_now_ms */
};

/* Set once at session start; stats stay the session's until leave. */
void	registry_set_session(struct registry_entry *e, uint64_t id,
	    const char *client, int64_t start,
	    const struct relay_stats *stats);
/*
 * The counters of the session's next request (HTTP keep-alive runs
 * several on one client connection; registry_account let go of the
 * last one's).
 */
void	registry_set_stats(struct registry_entry *e,
	    const struct relay_stats *stats);
/* The request's side, when it is known (any string may be NULL). */
void	registry_set_request(struct registry_entry *e, const char *user,
	    const char *dest, const char *connected, int cmd, int rule);

/*
 * A copy of every live session, malloc'd (free it); NULL with *n 0
 * when none or out of memory.  With ss, the global counters are read
 * under the same lock, so that no request's bytes count twice or not
 * at all (see registry_account).
 */
struct stats_snapshot;
struct registry_info *registry_list(size_t *n, struct stats_snapshot *ss);

/*
 * What the metrics endpoint shows of the sessions, without a copy of
 * each: how many run, are in their handshake, relay now; and the global
 * counters read under the same lock as the live relays' bytes, which
 * are added to them (as registry_list's callers do).
 */
struct registry_totals {
	int			 sessions, handshakes, relays;
};
void	registry_totals(struct registry_totals *t, struct stats_snapshot *ss);

/*
 * The request ended: its bytes move from the live session to the
 * global counters (stats.h), at once for registry_list.
 */
void	registry_account(struct registry_entry *e);

/*
 * Kill the session id, or every session of user (escaped name as in
 * registry_info): its descriptors are shut down and registry_killed
 * says so.  Returns how many were killed.
 */
int	registry_kill_id(uint64_t id);
int	registry_kill_user(const char *user);
bool	registry_killed(const struct registry_entry *e);

/*
 * The request whose relay (or UDP association) runs now in e, for
 * registry_revoke: set it when the relay starts (what the rules see of
 * it no longer changes), clear it (NULL) before the request ends;
 * clearing waits while a registry_revoke is checking it.
 */
void	registry_set_relay(struct registry_entry *e, const struct request *r);

/*
 * After a reload (sixgatectl reload --revoke): every running relay
 * that still(r, c) finds no longer allowed by c is cut as by a kill,
 * and registry_revoked says so.  still runs without the registry lock
 * (it may look up a user's groups through NSS); each request it is
 * given stays valid meanwhile.  Returns how many were cut, or -1 with
 * errno (out of memory: none was).
 */
int	registry_revoke(const struct config *c,
	    bool (*still)(const struct request *, const struct config *));
bool	registry_revoked(const struct registry_entry *e);

/* The session ended; e is freed. */
void	registry_leave(struct registry_entry *e);

/* Sessions running now, and how many of them are in their handshake. */
int	registry_count(void);
int	registry_handshakes(void);

/*
 * Shutdown: from now on registry_stopping() is true, and every session's
 * descriptors are shut down (both ways), so that its relay or wait ends
 * and it writes its access line with end=shutdown.
 */
void	registry_cut_all(void);
bool	registry_stopping(void);

/*
 * Wait until none runs or deadline_ms (sgio_now_ms clock) passes;
 * returns the number still running.
 */
int	registry_wait_empty(int64_t deadline_ms);

#endif
