/*
 * route.h - chained relays (RFC 3089 section 4): which destinations go
 * through which upstream gateways.  Pure: first-match of a destination
 * (a name as the client sent it, or an address) and port against the
 * configured routes.  No sockets, no logging, no globals.
 */
#ifndef SG_ROUTE_H
#define SG_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl.h"
#include "addr.h"

#define ROUTE_HOPS_MAX		8	/* hops in one chain */
#define ROUTE_CHAINS_MAX	4	/* alternative chains of one route */

/* One upstream gateway. */
struct route_hop {
	char		name[64];	/* "" for a hop written inline */
	char		host[256];	/* name or literal, no brackets */
	uint16_t	port;
	char		user[256];	/* "" = no authentication */
	char		password[256];	/* read from password_file; wiped */
	char		text[300];	/* "host:port", for logs */
	int		line;
};

/* An ordered list of hops: indices into the config's hop table. */
struct route_chain {
	size_t		hops[ROUTE_HOPS_MAX];
	size_t		nhops;
};

enum route_action {
	ROUTE_CHAIN = 0,	/* through one of the chains */
	ROUTE_DIRECT,		/* connect from here */
	ROUTE_DENY		/* refuse (REP 0x02) */
};

struct route {
	enum route_action	 action;
	int			 line;
	char			**names;	/* exact, or "*.suffix" */
	size_t			 nnames;
	struct addr_cidr	*nets;
	size_t			 nnets;
	struct acl_portrange	*ports;
	size_t			 nports;
	struct route_chain	 chains[ROUTE_CHAINS_MAX];
	size_t			 nchains;
};

/*
 * Does pattern match name?  "*.corp.example" matches any name below
 * corp.example (not corp.example itself); anything else matches exactly.
 * Case-insensitive; one trailing dot of name is ignored.
 */
bool	route_name_match(const char *pattern, const char *name);

/*
 * Index of the first route matching the destination, or -1 (the caller
 * connects directly).  Give name for a DOMAINNAME destination (matched
 * against name patterns only: it is not resolved here), or addr for an
 * address (matched against networks only).  A route without names or
 * networks matches every destination; without ports, every port.
 */
int	route_match(const struct route *routes, size_t n, const char *name,
	    const struct sockaddr *addr, uint16_t port);

/* The same for a look-up (RESOLVE): ports are not compared. */
int	route_match_lookup(const struct route *routes, size_t n,
	    const char *name, const struct sockaddr *addr);

#endif
