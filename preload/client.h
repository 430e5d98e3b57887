/*
 * client.h - connect() of a program's TCP socket turned into a SOCKS5
 * CONNECT through the gateway (RFC 3089 sections 2-3): by name for a
 * fake address, by literal for any other address that is not direct.
 * Keeps the program's view of the socket: the fd number, its flags, and
 * the peer it asked for (getpeername); getsockname in its own family.
 * Reaching the gateway itself is dial.c's; the record is fdstate.c's.
 */
#ifndef SG_CLIENT_H
#define SG_CLIENT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "lib.h"
#include "socks5_client.h"

/* Should connect(fd, sa) go through the gateway? (No side effects.) */
bool	client_intercepts(const struct lib *l, int fd,
	    const struct sockaddr *sa, socklen_t len);

/*
 * Reach sa through the gateway on fd: 0, or -1 with an errno the
 * program understands (socks5_errno_from_rep; EACCES for a refused
 * login; ENETUNREACH for a fake no name holds).  Blocking or not, the
 * handshake completes (bounded by SIXGATE_TIMEOUT) and the socket's
 * flags are restored; a socket of the wrong family for the gateway is
 * replaced under the same fd number (dup3).
 */
/* A TCP socket's tunnel dissolved by connect(AF_UNSPEC): forget it. */
void	client_forget(int fd);

int	client_connect(const struct lib *l, int fd, const struct sockaddr *sa,
	    socklen_t len);

/*
 * getpeername/getsockname answers for sockets the library connected;
 * return false when fd is not one of them (the caller asks libc).
 */
bool	client_peername(int fd, struct sockaddr *sa, socklen_t *len);
bool	client_sockname(int fd, struct sockaddr *sa, socklen_t *len, int *rc);

/* Would a connection or datagram to sa go through the gateway? */
bool	client_proxied(const struct lib *l, const struct sockaddr *sa,
	    socklen_t len);

/* SO_TYPE of fd, or -1. */
int	client_socktype(int fd);

/*
 * The destination to name in a request for sa: the name behind a fake
 * or the literal.  -1 with ENETUNREACH for a fake that no name holds.
 */
int	client_destination(const struct lib *l, const struct sockaddr *sa,
	    struct socks5_addr *dest);

#endif
