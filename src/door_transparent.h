/*
 * door_transparent.h - the transparent door (protocol "transparent"):
 * connections that netfilter diverted to the listener (nftables
 * REDIRECT/DNAT, or TPROXY with tproxy = true) are CONNECTs to where the
 * client meant to go, with nothing said on the wire.
 */
#ifndef SG_DOOR_TRANSPARENT_H
#define SG_DOOR_TRANSPARENT_H

#include "request.h"

/*
 * Hand r to request_run as an unauthenticated CONNECT to the client's
 * original destination (SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST, or the
 * local address under TPROXY).  A connection that was not diverted (its
 * destination is the listener itself: a loop) or whose destination
 * cannot be learnt is refused with a log line and closed by the
 * caller.  Same contract as door_socks5_run.
 */
void	door_transparent_run(struct request *r);

#endif
