/*
 * portmap_udp.h - UDP port mappings (protocol "portmap", transport
 * "udp"): datagrams from each client address and port are one flow,
 * relayed to the listener's `to` through a socket of their own, and the
 * answers go back to that client.  One thread serves every UDP mapping.
 */
#ifndef SG_PORTMAP_UDP_H
#define SG_PORTMAP_UDP_H

#include <stddef.h>

#include "config.h"

/* Flows one mapping holds at once; more clients are dropped, logged. */
#define PORTMAP_UDP_FLOWS	1024
/* A flow without a datagram either way for this long ends (seconds). */
#define PORTMAP_UDP_IDLE	60

/*
 * Bind the UDP mappings of c (before privileges are dropped).  0, or -1
 * with the reason in err.  None is fine: then nothing else happens.
 */
int	portmap_udp_open(const struct config *c, char *err, size_t errlen);

/* Start the thread (when there is a mapping); -1 with errno. */
int	portmap_udp_start(void);

/* End every flow (each logs its access line), the thread, the sockets. */
void	portmap_udp_stop(void);

#endif
