/*
 * sock.h - socket helpers: listeners, connect with a timeout over a list
 * of addresses, full writes and bounded reads with deadlines.  Like
 * system calls, they return -1 and set errno on failure.
 */
#ifndef SG_SOCK_H
#define SG_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t	sock_now_ms(void);

/*
 * A non-blocking, close-on-exec listening TCP socket bound to sa, with
 * SO_REUSEADDR and, for IPv6, IPV6_V6ONLY set explicitly (so "[::]:1080"
 * and "0.0.0.0:1080" can both be listed).
 */
int	sock_listen(const struct sockaddr *sa, socklen_t len, int backlog);

int	sock_set_nonblock(int fd, int on);

/*
 * Connect to addrs[0..n) in order, Happy Eyeballs style (RFC 8305): the
 * next attempt starts after stagger_ms or as soon as the previous fails,
 * each attempt gets timeout_ms.  The first established connection wins,
 * the others are closed.  Returns a non-blocking socket and its index in
 * *which, or -1 with errno set to the most telling error of all attempts
 * (ECONNREFUSED before ETIMEDOUT before unreachable).  skip[i] != 0 marks
 * addresses not to try.
 */
int	sock_connect_any(const struct sockaddr_storage *addrs, size_t n,
	    const unsigned char *skip, int timeout_ms, int stagger_ms,
	    size_t *which);

/*
 * Write all len bytes, waiting with poll up to deadline_ms (absolute,
 * sock_now_ms() clock; -1 = no deadline).  MSG_NOSIGNAL on sockets.
 */
int	sock_write_all(int fd, const void *buf, size_t len,
	    int64_t deadline_ms);

/*
 * Read what is available (at most len bytes), waiting for at least one
 * byte until deadline_ms.  Returns the count, 0 at EOF, -1 with
 * ETIMEDOUT at the deadline.
 */
ssize_t	sock_read_some(int fd, void *buf, size_t len, int64_t deadline_ms);

#endif
