/*
 * door_portmap.h - the TCP port mapping door (protocol "portmap",
 * transport "tcp"): every connection to the listener is a CONNECT to
 * the listener's `to`, with nothing said on the wire.
 */
#ifndef SG_DOOR_PORTMAP_H
#define SG_DOOR_PORTMAP_H

#include "request.h"

/*
 * Hand r to request_run as an unauthenticated CONNECT to the listener's
 * `to` (a name is resolved per connection by the core), through the
 * listener's via when it has one.  Same contract as door_socks5_run.
 */
void	door_portmap_run(struct request *r);

/*
 * The destination of a portmap listener as a request carries it: an
 * address for a literal, else a DOMAINNAME.  Also used by the UDP
 * mapping (portmap_udp.c).
 */
void	door_portmap_dest(const struct config_listen *l,
	    struct socks5_addr *a);

#endif
