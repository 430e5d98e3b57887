/*
 * acl.h - pure rule matching: client address, user, destination address,
 * destination port and command -> the first rule that matches.
 * No sockets, no logging, no globals.
 */
#ifndef SG_ACL_H
#define SG_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "qperiod.h"
#include "timewin.h"

enum acl_action {
	ACL_DENY = 0,
	ACL_ALLOW = 1
};

/* Command bits for struct acl_rule.commands. */
#define ACL_CMD_CONNECT	0x01
#define ACL_CMD_BIND	0x02
#define ACL_CMD_UDP	0x04
/*
 * A look-up (RESOLVE): the config's "connect" covers it, and `ports` do
 * not apply (its DST.PORT is not a port).
 */
#define ACL_CMD_RESOLVE	0x08
#define ACL_CMD_ALL	(ACL_CMD_CONNECT | ACL_CMD_BIND | ACL_CMD_UDP | \
			    ACL_CMD_RESOLVE)

/* How the client authenticated: bits for struct acl_rule.auths. */
#define ACL_AUTH_NONE		0x01	/* no authentication */
#define ACL_AUTH_PASSWORD	0x02	/* user name and password */

struct acl_portrange {
	uint16_t lo, hi;	/* inclusive */
};

/*
 * A rule's `limits` block, for the relays it allows (usage.h applies
 * them, per user, or per client address without a user); 0: no limit.
 */
struct acl_limits {
	uint64_t	 bw_up, bw_down;	/* bytes a second */
	int		 max_relays;		/* at once */
	uint64_t	 quota;			/* bytes, up + down */
	enum qperiod	 period;		/* of the quota */
};

/*
 * One rule.  An empty list (n == 0) matches anything.  users: "*" is
 * any authenticated user; a list without "*" names users exactly; an
 * empty list also matches clients that did not authenticate.  groups:
 * the Unix groups of the user (a rule with groups never matches a
 * client that did not authenticate).  to: networks, "self", and name
 * patterns as in upstreams ("name", "*.suffix"), which match a
 * destination sent as a name (before it is resolved).  times: windows of
 * local time (timewin.h).  auths: ACL_AUTH_* bits, 0 = any.  listeners:
 * the listeners (by configured address) the client came in by.
 */
struct acl_rule {
	enum acl_action		 action;
	char			 name[64];	/* "" when unnamed */
	int			 line;		/* in the config file, for logs */
	struct addr_cidr	*from;
	size_t			 nfrom;
	char			**users;
	size_t			 nusers;
	struct addr_cidr	*to;
	size_t			 nto;
	bool			 to_self;	/* "self": our own addresses */
	char			**to_names;	/* name patterns */
	size_t			 nto_names;
	char			**groups;
	size_t			 ngroups;
	struct timewin		*times;
	size_t			 ntimes;
	unsigned		 auths;		/* ACL_AUTH_* bits, 0 = any */
	/* The listeners (their configured addresses) clients came in by. */
	struct sockaddr_storage	*listeners;
	size_t			 nlisteners;
	struct acl_portrange	*ports;
	size_t			 nports;
	unsigned		 commands;	/* ACL_CMD_* bits, 0 = all */
	struct acl_limits	 limits;
	bool			 has_limits;	/* any of them set */
};

/* What is being asked for. */
struct acl_query {
	const struct sockaddr	*client;
	const char		*user;	/* NULL: not authenticated */
	/*
	 * The resolved destination; NULL for a name that is sent on to an
	 * upstream gateway unresolved: rules with `to` networks then do
	 * not match (nothing is known of its addresses here).
	 */
	const struct sockaddr	*dest;
	/*
	 * The destination as the client sent it when it sent a name, else
	 * NULL: what name patterns in `to` match.
	 */
	const char		*name;
	uint16_t		 port;	/* 0: take it from dest */
	/*
	 * No port is known yet (a UDP association, before its datagrams):
	 * a rule with ports may allow (some port), never refuses, and does
	 * not end acl_reach's walk.
	 */
	bool			 port_any;
	unsigned		 command; /* one ACL_CMD_* bit */
	/*
	 * Is an address one of the gateway's own (rules with "self")?  NULL:
	 * none is.  Asked only when a rule names "self".
	 */
	bool			(*is_self)(const struct sockaddr *);
	unsigned		 auth;	/* one ACL_AUTH_* bit; 0: none */
	/* The user's Unix groups (names), for rules with groups. */
	const char		*groups;	/* groups[i * groupsz] */
	size_t			 ngroups, groupsz;
	/*
	 * The address of the listener the client came in by, as configured
	 * (NULL: none known; rules with listeners do not match).
	 */
	const struct sockaddr	*listener;
	/* The clock: seconds into the local week (timewin_week_secs). */
	int32_t			 now;
};

/*
 * Index of the first rule in rules[0..n) that matches q, or -1 when none
 * does (which the caller treats as deny).
 */
int acl_match(const struct acl_rule *rules, size_t n,
	    const struct acl_query *q);

/* What the rules could allow q's client, user and command to reach. */
enum acl_reach {
	ACL_REACH_NONE,		/* nothing: refuse before resolving */
	ACL_REACH_NETS,		/* only networks (and "self") */
	ACL_REACH_ANY		/* some rule allows every destination */
};

/*
 * Before anything is resolved: walking the rules in order as acl_match
 * would, with the destination's address unknown (q->dest ignored;
 * q->port applies when set; q->name is the name sent), which allow rules
 * could still match, and does one of them allow any destination?  A rule
 * without `to`, or whose name patterns match q->name, matches whatever
 * the address: it ends the walk (*stop is its index when it denies,
 * else -1); ACL_REACH_ANY then means "allowed whatever the address".
 */
enum acl_reach acl_reach(const struct acl_rule *rules, size_t n,
	    const struct acl_query *q, int *stop);

/*
 * acl_reach, and in *left (unless NULL) the seconds from q->now until
 * the time windows of every allow rule it found close (the longest of
 * acl_rule_time_left): after that, nothing the walk found allows q any
 * more.  -1 when one of them never closes, 0 for ACL_REACH_NONE.  In
 * *allow (unless NULL) the index of the first allow rule it found, -1
 * for none.  For a UDP association, whose destinations come later, one
 * per datagram.
 */
enum acl_reach acl_reach_left(const struct acl_rule *rules, size_t n,
	    const struct acl_query *q, int *stop, int32_t *left, int *allow);

/* Does one rule match q? */
bool acl_rule_match(const struct acl_rule *r, const struct acl_query *q);

/*
 * Seconds from q->now until the time windows of rule r stop covering
 * the clock (to end a relay it allowed then), or -1: never.
 */
int32_t acl_rule_time_left(const struct acl_rule *r, const struct acl_query *q);

/* ACL_CMD_* bit for a SOCKS5 CMD byte, 0 if unknown. */
unsigned acl_cmd_from_socks5(uint8_t cmd);

#endif
