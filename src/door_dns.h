/*
 * door_dns.h - the DNS front door over TCP (protocol "dns"; RFC 1035
 * section 4.2.2, RFC 7766): messages with a 2-byte length prefix, several
 * queries on one connection, answered in order (dnsfront.h).
 */
#ifndef SG_DOOR_DNS_H
#define SG_DOOR_DNS_H

#include "request.h"

/* Queries one connection may ask; then it is closed. */
#define DOOR_DNS_QUERIES_MAX	256
/* A connection without a query for this long is closed (seconds). */
#define DOOR_DNS_IDLE		10

/*
 * Answer r->cfd's queries until it closes, sends something that is not
 * a query (or longer than DNSMSG_QUERY_MAX), has asked
 * DOOR_DNS_QUERIES_MAX, or is idle for min(DOOR_DNS_IDLE,
 * timeouts.idle) seconds.  Logs no access line (dnsfront logs what was
 * refused or failed).
 */
void	door_dns_run(struct request *r);

#endif
