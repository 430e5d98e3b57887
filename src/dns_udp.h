/*
 * dns_udp.h - the DNS front door over UDP (protocol "dns"): a fixed set
 * of DNS_UDP_WORKERS threads waits in one epoll instance for the UDP
 * sockets of every dns listener, a datagram waking one worker, which
 * answers it (dnsfront.h) from the socket it came to, several at once.
 * A look-up blocks only the worker running it; those that may block (a
 * name's resolution, a forwarded query) take at most
 * DNS_UDP_BLOCKING_MAX workers at once, forwarded ones (up to
 * DNSFWD_TOTAL_MS, cut short by dns_udp_stop) at most DNSFWD_UDP_MAX
 * (dnsfwd.h): over that a query is answered SERVFAIL at once, so slow
 * names never leave the sockets unread.  TCP queries are served by
 * session threads.
 */
#ifndef SG_DNS_UDP_H
#define SG_DNS_UDP_H

#include <stdbool.h>
#include <sys/socket.h>

#include "config.h"

#define DNS_UDP_WORKERS	8	/* twice DNSFWD_UDP_MAX */
#define DNS_UDP_BLOCKING_MAX	(DNS_UDP_WORKERS - 2)

/*
 * Bind the UDP side of c's dns listeners (before privileges are
 * dropped, after acceptor_open: a listener on port 0 takes the port its
 * TCP side got).  0, or -1 with the reason in err.  None is fine.
 */
int	dns_udp_open(const struct config *c, char *err, size_t errlen);

/*
 * Start the workers (when there is a dns listener); -1 with errno when
 * not even one could start.
 */
int	dns_udp_start(void);

/*
 * Does a datagram to sa reach one of our dns listeners (the same port,
 * and the same address, or any local address for a wildcard listener)?
 * For the forwarding's loop guard; safe in any thread once opened,
 * after dns_udp_stop too.
 */
bool	dns_udp_listens_on(const struct sockaddr *sa);

/* Stop the workers and close the sockets. */
void	dns_udp_stop(void);

/*
 * What a worker polls, besides its own sockets, while it waits on
 * something slow (a forward): readable once dns_udp_stop has begun.
 * For the workers only: it is closed once they are joined.
 */
int	dns_udp_stopfd(void);

#endif
