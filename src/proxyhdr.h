/*
 * proxyhdr.h - the session's side of listen.proxy_protocol: the PROXY
 * protocol header a balancer sends before its client's bytes, read in
 * the session thread (never the acceptor's), and what follows from it.
 */
#ifndef SG_PROXYHDR_H
#define SG_PROXYHDR_H

#include "request.h"

/*
 * Read the header on r->cfd (from a balancer in r->listener's
 * proxy_from) by the handshake's deadline, consuming exactly its bytes:
 * what follows is the client's, for the door.  For a client (v1
 * TCP4/TCP6, v2 PROXY over INET/INET6) r->peer becomes the client's
 * address; for v1 UNKNOWN and v2 UNSPEC it stays the balancer's.  Then
 * the registry entry, entered without a client (registry_enter), is
 * counted as r->peer's against the per-client limits.  Returns 0, or
 * -1 when the session is to end: a LOCAL command or a connection closed
 * before any byte (the balancer's health checks: a debug line only), a
 * malformed, truncated or late header, or a per-client limit (logged).
 */
int	proxyhdr_read(struct request *r);

#endif
