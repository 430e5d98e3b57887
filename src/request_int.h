/*
 * request_int.h - the steps the files of the request core share
 * (request.c and the commands, cmd_*.c).  Doors include request.h only:
 * they hand a request over and never run a step themselves.
 */
#ifndef SG_REQUEST_INT_H
#define SG_REQUEST_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl.h"
#include "config.h"
#include "request.h"
#include "resolve.h"
#include "route.h"

/*
 * The rules' view of r (acl.h): client, user, how it authenticated, its
 * groups, the name sent, the command, the local clock; no address.
 */
void	request_query_init(const struct request *r, struct acl_query *q);

/* Answer the client through its door, recording rep for the access line. */
int	request_reply(struct request *r, uint8_t rep,
	    const struct sockaddr *bnd);
int	request_reply_wire(struct request *r, uint8_t rep,
	    const struct socks5_addr *bnd);

/*
 * Resolve the destination (RFC 3089 section 3); an address is used as
 * it is.  S5_REP_SUCCEEDED, or the REP for the client (logged).
 */
uint8_t	request_resolve(struct request *r, struct resolve_result *res);

/*
 * The one line that says a request was refused: rule is the index of
 * the refusing rule, or -1 when none allowed it; addr the address
 * checked, or NULL when the rules saw none.
 */
void	request_log_denied(const struct request *r, const char *addr,
	    int rule);

/*
 * r->dest_str: the destination as the client sent it, escaped (its own
 * frame, popped before a relay).
 */
void	request_format_dest(struct request *r);

/* The one access line per request (format in sixgated(8)). */
void	request_log_access(const struct request *r);

/*
 * Rules, per resolved address: skip[i] is set for each address they
 * refuse.  Returns how many are allowed; when none is, logs the rule
 * that refused the first address.
 */
size_t	request_allow_addrs(struct request *r,
	    const struct resolve_result *res, unsigned char *skip);

/*
 * Rules for a destination not resolved here (a name routed upstream, or
 * an all-zero BIND peer): dest is the address, or NULL for a name.
 * Logs a refusal.
 */
bool	request_allow_dest(struct request *r, const struct sockaddr *dest);

/*
 * Rules for a UDP association, before it opens (its datagrams are
 * checked one by one in udp.c): does some rule allow this client UDP
 * now, to some destination?  Sets r->deadline to when the last such
 * rule's time windows close, and *rule to the first of them (the one
 * whose max_relays the association counts against).  Logs a refusal.
 */
bool	request_allow_udp(struct request *r, int *rule);

/*
 * The destination as routes see it: returns the name, or NULL and the
 * address in *sa (pointing into ss) for an address or a literal sent as
 * a name.
 */
const char *request_route_dest(const struct request *r,
	    struct sockaddr_storage *ss, const struct sockaddr **sa);

/*
 * Through the chains of route rt (RFC 3089 section 4), after the rules.
 * S5_REP_SUCCEEDED with r->dfd, r->bnd and r->connected set, or the REP
 * for the client.
 */
uint8_t	request_via_upstream(struct request *r, const struct route *rt,
	    const struct sockaddr *dest);

/*
 * n more descriptors of the budget for this session (given back when it
 * ends).  false when the budget is spent: logged at most once per 10 s,
 * and the command answers 0x01.
 */
bool	request_take_fds(struct request *r, int n);

/*
 * The rule that allowed r (r->rule) has limits (usage.h): one more
 * relay of this user (or client address) under it, unless max_relays,
 * the quota or a full table says no (logged: the caller answers 0x02).
 * true when allowed or nothing limits it; released by request_run.
 */
bool	request_limits_admit(struct request *r);
/*
 * A UDP association is one relay against max_relays of rule k (from
 * request_allow_udp), as request_limits_admit; the rule's other limits
 * do not apply to it (its datagrams are neither shaped nor counted).
 */
bool	request_limits_admit_udp(struct request *r, int k);
/* The limits of r's relay for relay_run (lim filled), or NULL. */
const struct relay_limit *request_limits_relay(struct request *r,
	    struct relay_limit *lim);
void	request_limits_release(struct request *r);

/* Early bytes to r->dfd, then relay_run until either side ends. */
void	request_relay(struct request *r);

/* The commands; each sends its replies and sets r->end. */
void	cmd_connect_run(struct request *r);
void	cmd_bind_run(struct request *r);
void	cmd_udp_run(struct request *r);
void	cmd_resolve_run(struct request *r);

#endif
