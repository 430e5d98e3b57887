/*
 * request.h - the request core: what happens to one request once a
 * front door (SOCKS5 today; SOCKS4, HTTP CONNECT later) has parsed it.
 * The door fills a struct request with what its protocol told it and
 * hands it to request_run; the core does login (request_login), rules,
 * routes and chains, connect, the reply (through the door's ops, so each
 * door answers in its own protocol), the relay, the counters and the one
 * access line.  Nothing a door may skip, and nothing a door must copy.
 *
 * Vocabulary: commands are the RFC 1928 CMD codes (S5_CMD_*, plus
 * S5_CMD_RESOLVE), destinations a struct socks5_addr (a name or an
 * address, and a port, as the client sent it), and outcomes the RFC 1928
 * REP codes (S5_REP_*).  They come from the pure codec, which every door
 * links anyway; a door of another protocol maps its own onto them.
 */
#ifndef SG_REQUEST_H
#define SG_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "config.h"
#include "registry.h"
#include "escape.h"
#include "relay.h"
#include "socks5.h"
#include "usage.h"
#include "usergroups.h"

/* How the client proved who it is. */
enum request_auth {
	REQUEST_AUTH_NONE,		/* nobody: user is empty */
	REQUEST_AUTH_PASSWORD		/* user and password through PAM */
};

struct request;
struct resolve_result;

/*
 * What the core needs from a door: answers in the door's protocol.
 * Both return 0, or -1 (logged) when the client cannot be answered.
 */
struct request_door {
	const char	*name;		/* its protocol: "socks5" */
	/* The outcome rep, with the bound address bnd (NULL: none). */
	int		(*reply)(void *ctx, uint8_t rep,
			    const struct sockaddr *bnd);
	/* The same with a wire address (a chained hop's, maybe a name). */
	int		(*reply_wire)(void *ctx, uint8_t rep,
			    const struct socks5_addr *bnd);
	/*
	 * Optional (NULL: the blind relay, relay_run).  Carries a CONNECT
	 * that succeeded in the door's own protocol instead, e.g. HTTP
	 * forwarding, which reads each request and response itself.  The
	 * core calls it where it would call relay_run: after the reply and
	 * the early bytes, with r->dfd connected and both descriptors in the
	 * registry (a shutdown's cut reaches them).  It adds what it moves
	 * to r->stats, ends by r->deadline and timeouts.idle like relay_run,
	 * applies lim (the rule's limits, NULL: none) to what it moves as
	 * relay_run does (end=quota), may fill r->extra, and returns how the
	 * relay ended (*err: the errno behind an _ERR end).  The access line
	 * stays the core's.
	 */
	enum relay_end	(*relay)(void *ctx, struct request *r,
			    const struct relay_limit *lim, int *err);
};

struct request {
	/* Set up by whoever accepted the client (session_start). */
	int			 cfd;		/* the client */
	struct sockaddr_storage	 peer;
	/* Its host without port (PAM_RHOST, log lines). */
	char			 peerhost[ADDR_STRLEN];
	const struct config	*cfg;
	int64_t			 start;		/* accepted, ms */
	struct registry_entry	*reg;		/* limits, shutdown cut */
	/* What the client connected to (its protocol, for a door: socks4). */
	const struct config_listen *listener;
	int			 fds_held;	/* of the descriptor budget */

	/* Filled by the door; user and auth by request_login. */
	const struct request_door *door;
	void			*door_ctx;
	enum request_auth	 auth;
	char			 user[S5_NAME_MAX + 1];
	bool			 sixgate_client; /* chose 0x88 */
	uint8_t			 cmd;		/* S5_CMD_* */
	struct socks5_addr	 dest;		/* as sent */
	/*
	 * Chains for this request instead of the upstreams' match (a
	 * portmap listener's via), or NULL.  Points into r->cfg.
	 */
	const struct route	*route;
	/*
	 * The user's Unix groups, read by the core once per login when a
	 * rule names groups (request_run), into groups[USERGROUPS_MAX]
	 * allocated then (4 KiB that most relays never need), or NULL;
	 * freed by whoever frees the request (request_free_groups).
	 */
	char			(*groups)[USERGROUPS_NAMELEN];
	size_t			 ngroups;
	bool			 groups_read;
	/* Bytes sent past the request: relayed first. */
	const uint8_t		*early;
	size_t			 nearly;

	/* The core's; most of it ends up in the access line. */
	int			 dfd;		/* far side, or -1 */
	/* The destination as sent, escaped for log lines (escape.h). */
	char			 dest_str[ESCAPE_LEN(S5_NAME_MAX) + 16];
	char			 connected[ADDR_STRLEN + 300];
	bool			 have_bnd;	/* chained: */
	struct socks5_addr	 bnd;		/* last hop's */
	uint8_t			 rep;		/* last sent */
	struct relay_stats	 stats;
	/*
	 * When the time windows of the rule that allowed the request
	 * close (sgio_now_ms clock), or 0: the relay ends then.
	 */
	int64_t			 deadline;
	int			 rule;		/* index that allowed it, -1 */
	/*
	 * The destination address the rules allowed and the relay reached
	 * (none for a name sent upstream unresolved, or a BIND from
	 * anyone), for request_still_allowed.
	 */
	struct sockaddr_storage	 ruled;
	bool			 have_ruled;
	struct usage_lease	 lease;		/* its limits (request_limits) */
	char			 extra[160];
	const char		*end;		/* why it ended */
};

/*
 * RFC 1929 credentials through PAM, on the bounded pool of login
 * workers (at most auth.max_concurrent at once, waiting no longer than
 * the handshake's deadline), unless the client's address is blocked by
 * the failed-login throttle (auth.fail_*).  On success sets r->auth and
 * r->user, ends the handshake in the registry and returns 0; on failure
 * logs it (a wrong password as "authentication failed", PAM's own
 * failures and an overloaded pool as an internal error) and returns -1.
 * pass is wiped whatever the outcome.
 */
int	request_login(struct request *r, const char *user, char *pass);

/*
 * For doors: more of the client's bytes into buf[*len..cap) before
 * deadline (sgio_now_ms clock).  0 when some came; -1 when the buffer
 * is full, or on EOF, error or timeout, each logged with stage ("socks4
 * request", "greeting", ...).
 */
int	request_read_more(struct request *r, uint8_t *buf, size_t cap,
	    size_t *len, int64_t deadline, const char *stage);

/*
 * Carry out a request the door has filled: the command, its reply
 * through r->door, the relay, then the access line.  r->dfd is left for
 * the caller to close (it is -1 or an open socket).
 */
void	request_run(struct request *r);

/*
 * For doors that read the handshake into a buffer on the stack:
 * handshake(r, &early) reads it in a frame of its own, popped before
 * request_run, so that an idle relay does not keep the buffer's stack
 * pages; the request runs when it returns 0.  Bytes it found after the
 * request it hands on with request_keep_early; they are freed here,
 * and r->early and r->door_ctx cleared.
 */
void	request_run_after(struct request *r,
	    int (*handshake)(struct request *, uint8_t **));

/*
 * For a handshake of request_run_after: the len bytes at buf that the
 * client sent past its request become r->early, copied to the heap
 * (*copy, which request_run_after frees).  0, or -1 when there is no
 * memory (logged, and answered through r->door with 0x01).
 */
int	request_keep_early(struct request *r, const uint8_t *buf, size_t len,
	    uint8_t **copy);

/*
 * Would the rules of c still allow the running request r (client, user,
 * how it authenticated, groups, the name sent, the address reached,
 * port, command, at the local time now)?  For a UDP association: does
 * some rule of c still allow the client UDP to some destination.
 * Reads only what is fixed once r's relay runs; may look up the user's
 * groups when c names groups and r's were never read.  For sixgatectl
 * reload --revoke (registry_revoke).
 */
bool	request_still_allowed(const struct request *r,
	    const struct config *c);

/*
 * Ready r for another request on the same client connection (HTTP
 * keep-alive) after request_run: closes r->dfd, clears what the last
 * request left (login, groups, counters, outcome, extra) and restarts
 * the clock, so that the next request_run logs a line of its own.
 */
void	request_next(struct request *r);

/* Free what the core allocated for r (its groups); r itself stays. */
void	request_free_groups(struct request *r);

/*
 * A flow of a UDP port mapping (portmap_udp.c), which has no session
 * and no request_run: the rules for r (its client r->peer, destination
 * r->dest, command r->cmd, r->auth) and the look-up of a name, as for a
 * CONNECT.  Returns S5_REP_SUCCEEDED with the first address the rules
 * allow in *to (in resolve.prefer order), or the REP (logged).
 */
uint8_t	request_flow_check(struct request *r, struct sockaddr_storage *to);

/*
 * A DNS query (dnsfront.c), which has no session either: may the client
 * r->peer ask about r->dest (command r->cmd, r->auth)?  The rules are
 * the core's, as for a RESOLVE.  With res, r->dest is a name: it is
 * looked up (both families, resolve.prefer order) and res keeps only
 * the addresses the rules allow; S5_REP_SUCCEEDED, S5_REP_NOT_ALLOWED
 * (logged, like a refused CONNECT), or S5_REP_HOST_UNREACH with the
 * getaddrinfo code in *gai (logged).  Without res (a reverse look-up,
 * r->dest an address): S5_REP_SUCCEEDED when some rule could allow the
 * client the command to some destination, else S5_REP_NOT_ALLOWED.
 */
uint8_t	request_dns_check(struct request *r, struct resolve_result *res,
	    int *gai);

/* The access line of such a flow (r->door names the door). */
void	request_flow_log(const struct request *r);

#endif
