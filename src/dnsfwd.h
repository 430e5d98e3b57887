/*
 * dnsfwd.h - the DNS front door's forwarding: the queries it does not
 * answer itself (types other than A, AAAA and PTR of a fake; PTR of a
 * real address) are asked of the system resolver's nameservers, those
 * /etc/resolv.conf names (read with res_ninit for every query, so an
 * edited file counts at once; its timeout and attempts apply), and the
 * answer goes back to the client as it came, with the client's id.
 *
 * The transport is ours, not res_nsend's: glibc's TCP fallback has no
 * timeout, and every step here is bounded: UDP first (a fresh socket
 * connected to the server, our random id, one try per server and
 * attempt within the try's share of the time), TCP to the same server
 * when a TCP client's answer came truncated; DNSFWD_TOTAL_MS in all,
 * or until dns_udp_stop begins for a UDP worker's query (SERVFAIL: the
 * shutdown does not wait out the cap).
 * A nameserver that is one of this gateway's own dns listeners would
 * send the query back to us: nothing is forwarded, the answer is
 * SERVFAIL and the reason is logged (at most every 10 s).  Forwarded
 * queries from UDP clients take one of DNSFWD_UDP_MAX slots (the UDP
 * workers must stay free for fake answers); over that, SERVFAIL.
 */
#ifndef SG_DNSFWD_H
#define SG_DNSFWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsmsg.h"

#define DNSFWD_TOTAL_MS	5000	/* per forwarded query, all servers */
#define DNSFWD_UDP_MAX	4	/* forwarded UDP queries at once */

/*
 * The answer to the client's query q (checked by the rules already),
 * asked upstream: written to out (outlen bytes), its length returned
 * (0: nothing to send), its RCODE in *rcode.  tcp: the client came over
 * TCP (no UDP size limit; else the caller is a UDP worker, dns_udp.h).
 * what ("MX name", escaped) is for the log.  Blocks up to
 * DNSFWD_TOTAL_MS.
 */
size_t	dnsfwd_answer(const struct dnsmsg_query *q, const char *what,
	    bool tcp, uint8_t *out, size_t outlen, uint8_t *rcode);

/*
 * Does /etc/resolv.conf (read now) name one of this gateway's own dns
 * listeners?  If so, the first such nameserver in *ns.
 */
bool	dnsfwd_names_self(struct sockaddr_storage *ns);

#endif
