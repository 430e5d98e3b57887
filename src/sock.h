/*
 * sock.h - socket helpers: listeners and connect with a timeout over a
 * list of addresses (deadline I/O on one descriptor is sgio.h).  Like
 * system calls, they return -1 and set errno on failure.
 */
#ifndef SG_SOCK_H
#define SG_SOCK_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * A non-blocking, close-on-exec listening TCP socket bound to sa, with
 * SO_REUSEADDR and, for IPv6, IPV6_V6ONLY set explicitly (so "[::]:1080"
 * and "0.0.0.0:1080" can both be listed).
 */
int	sock_listen(const struct sockaddr *sa, socklen_t len, int backlog);

/*
 * The same, with IP_TRANSPARENT (IPV6_TRANSPARENT for IPv6) set before
 * the bind when transparent is true: the socket then accepts the
 * connections a TPROXY rule diverts to it, whatever their destination.
 * Needs CAP_NET_ADMIN or CAP_NET_RAW (EPERM without).
 */
int	sock_listen_opt(const struct sockaddr *sa, socklen_t len,
	    int backlog, bool transparent);

int	sock_set_nonblock(int fd, int on);

/* RFC 8305's "Connection Attempt Delay": the next address after 250 ms. */
#define SOCK_STAGGER_MS	250

/*
 * Connect to addrs[0..n) in order, Happy Eyeballs style (RFC 8305): the
 * next attempt starts after stagger_ms or as soon as the previous fails,
 * with at most max_inflight attempts at once; each gets timeout_ms.  The first established connection wins,
 * the others are closed.  Returns a non-blocking socket and its index in
 * *which, or -1 with errno set to the most telling error of all attempts
 * (ECONNREFUSED before ETIMEDOUT before unreachable).  skip[i] != 0 marks
 * addresses not to try.
 */
int	sock_connect_any(const struct sockaddr_storage *addrs, size_t n,
	    const unsigned char *skip, int timeout_ms, int stagger_ms,
	    int max_inflight, size_t *which);

#endif
