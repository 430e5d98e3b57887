/*
 * bindcmd.h - the BIND command (RFC 1928 section 4): a listening socket
 * for one connection from the peer the client expects, in the family
 * needed to reach that peer (so an IPv6 client can BIND for an IPv4
 * peer).
 */
#ifndef SG_BINDCMD_H
#define SG_BINDCMD_H

#include <stdint.h>
#include <sys/socket.h>

/*
 * Listen for the expected peer (AF_INET or AF_INET6; its address may be
 * all-zero: anyone).  *bnd receives the address to announce in the
 * first reply: the local address this host uses towards the peer (or,
 * for an all-zero peer, the control connection's local address when
 * the family matches), with the port.  Returns the listener or -1.
 */
int	bindcmd_listen(const struct sockaddr *peer, int ctl,
	    struct sockaddr_storage *bnd);

/*
 * Wait up to timeout_ms for a connection from the expected address
 * (any, when it is all-zero); others are closed and logged.  Ends early
 * (-1, errno ECONNRESET) when the client closes ctl.  Returns the
 * accepted, non-blocking socket and its peer in *from; -1 with ETIMEDOUT
 * when nobody came.
 */
int	bindcmd_accept(int lfd, int ctl, const struct sockaddr *peer,
	    int timeout_ms, struct sockaddr_storage *from);

#endif
