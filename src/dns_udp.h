/*
 * dns_udp.h - the DNS front door over UDP (protocol "dns"): one thread
 * polls the UDP sockets of every dns listener and answers each datagram
 * (dnsfront.h) from the socket it came to.  Look-ups run in this thread:
 * while one lasts, the other queries wait (the system resolver's own
 * timeouts bound it); TCP queries are served by session threads.
 */
#ifndef SG_DNS_UDP_H
#define SG_DNS_UDP_H

#include "config.h"

/*
 * Bind the UDP side of c's dns listeners (before privileges are
 * dropped, after acceptor_open: a listener on port 0 takes the port its
 * TCP side got).  0, or -1 with the reason in err.  None is fine.
 */
int	dns_udp_open(const struct config *c, char *err, size_t errlen);

/* Start the thread (when there is a dns listener); -1 with errno. */
int	dns_udp_start(void);

/* Stop the thread and close the sockets. */
void	dns_udp_stop(void);

#endif
