/*
 * dgram.h - a program's UDP through the gateway (RFC 1928 section 7,
 * RFC 3089 section 5.1): datagrams to a fake or other non-direct
 * address go through a UDP ASSOCIATE opened on first use and kept as
 * long as the socket; answers are unwrapped and reported as coming from
 * the fake the program sent to (for names) or from the real literal.
 * socket() is never touched: a UDP socket becomes ours only when it
 * sends to such an address (or connects to one, which only records it).
 */
#ifndef SG_DGRAM_H
#define SG_DGRAM_H

#include <stdbool.h>
#include <sys/socket.h>

#include "lib.h"

/* connect() of a UDP socket to a proxied address: recorded, 0. */
bool	dgram_connect(const struct lib *l, int fd, const struct sockaddr *sa,
	    socklen_t len, int *rc);

/*
 * sendmsg() on a UDP socket: handled (true, result in *rc) when the
 * destination (msg_name, or the recorded peer) is proxied.
 */
bool	dgram_sendmsg(const struct lib *l, int fd, const struct msghdr *msg,
	    int flags, ssize_t *rc);

/* recvmsg() on a socket with an association: unwrap (true, *rc). */
bool	dgram_recvmsg(int fd, struct msghdr *msg, int flags, ssize_t *rc);

/* getpeername() of a UDP socket connected to a proxied address. */
bool	dgram_peername(int fd, struct sockaddr *sa, socklen_t *len);

/* getsockname() of a UDP socket replaced by one of the other family. */
bool	dgram_sockname(int fd, struct sockaddr *sa, socklen_t *len, int *rc);

#endif
