/*
 * resolve.h - destination look-up at the gateway (RFC 3089 section 3,
 * DNS name resolving delegation) and the pure ordering of the results
 * by family preference (RFC 3089 types A-D, RFC 8305 interleaving).
 */
#ifndef SG_RESOLVE_H
#define SG_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

#define RESOLVE_MAX	16	/* addresses kept from one look-up */

struct resolve_result {
	struct sockaddr_storage	addrs[RESOLVE_MAX];
	size_t			n;
};

/*
 * Resolve name (a DNS name, or an IPv4/IPv6 literal, brackets allowed)
 * for TCP to port, both families (AF_UNSPEC), and order the addresses
 * by prefer.  Returns 0, or a getaddrinfo EAI_* code (never 0 with
 * n == 0: an empty answer is EAI_NONAME).
 */
int resolve_name(const char *name, uint16_t port, enum config_prefer prefer,
	    struct resolve_result *res);

/*
 * Is name a numeric IPv4/IPv6 literal (brackets allowed)?  If so, its
 * address with port in res->addrs[0].  Never sends a DNS query.
 */
bool	resolve_literal(const char *name, uint16_t port,
	    struct resolve_result *res);

/*
 * Is this process looking name up (resolve_name) now?  Case and one
 * trailing dot do not count; a false yes is possible (a 64-bit hash),
 * and a false no when more than 256 look-ups run at once.  For the DNS
 * front door: a query for such a name from the gateway itself is likely
 * its own look-up come back (/etc/resolv.conf naming the dns listener).
 */
bool	resolve_busy(const char *name);

/*
 * Pure: reorder addrs in place.  IPV6/IPV4: the preferred family first,
 * then alternate families (RFC 8305 section 4), keeping the relative
 * order within each family; SYSTEM: unchanged.
 */
void resolve_order(struct sockaddr_storage *addrs, size_t n,
	    enum config_prefer prefer);

#endif
