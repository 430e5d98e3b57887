/*
 * door_socks4.h - the SOCKS4 and SOCKS4A front door, on a socks listener
 * with socks4 = true: reads the one request, hands it to the request
 * core, and encodes the core's replies as SOCKS4 replies.
 */
#ifndef SG_DOOR_SOCKS4_H
#define SG_DOOR_SOCKS4_H

#include "request.h"

/*
 * Speak SOCKS4 on r->cfd until the request is read, then hand r to
 * request_run (which logs the access line).  SOCKS4 carries no password:
 * the request is unauthenticated (REQUEST_AUTH_NONE), refused with 0x5B
 * unless auth.methods has "none"; the USERID is only logged.  Same
 * contract as door_socks5_run otherwise.
 */
void	door_socks4_run(struct request *r);

#endif
