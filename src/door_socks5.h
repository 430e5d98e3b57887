/*
 * door_socks5.h - the SOCKS5 front door (RFC 1928, RFC 1929): reads the
 * greeting, the login and the request from the client, hands the
 * request to the request core, and encodes the core's replies.
 */
#ifndef SG_DOOR_SOCKS5_H
#define SG_DOOR_SOCKS5_H

#include "request.h"

/*
 * Speak SOCKS5 on r->cfd until the request is read, then hand r to
 * request_run (which logs the access line).  r must have cfd, peer,
 * peerhost, cfg and start set, and dfd -1; the caller keeps ownership
 * of both fds and closes them afterwards.  Ends quietly (after a log
 * line) when the client goes away or breaks the protocol.
 */
void	door_socks5_run(struct request *r);

#endif
