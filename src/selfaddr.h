/*
 * selfaddr.h - the gateway's own addresses, for the rule destination
 * "self": every address of every interface, so that a client cannot
 * reach a service of the gateway host through its non-loopback address.
 * The table is re-read with getifaddrs when it is older than
 * SELFADDR_MAX_AGE_MS, so addresses added while sixgated runs are known
 * within seconds; readers share it under a read lock.
 */
#ifndef SG_SELFADDR_H
#define SG_SELFADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define SELFADDR_MAX		512	/* addresses kept; more are ignored */
#define SELFADDR_MAX_AGE_MS	2000

/*
 * Is sa (port ignored; an IPv6 form that carries IPv4 counts as that
 * IPv4 address) one of this host's addresses?  Thread-safe.
 */
bool	selfaddr_has(const struct sockaddr *sa);

/*
 * Pure part, for tests: is sa among tab[0..n) (addresses only, scope
 * ids of link-local IPv6 addresses compared when both are set)?
 */
bool	selfaddr_match(const struct sockaddr_storage *tab, size_t n,
	    const struct sockaddr *sa);

#endif
