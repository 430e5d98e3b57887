/*
 * sgio.h - I/O against one deadline: poll that resumes after EINTR and
 * gives up at an absolute time, full sends, bounded receives and a
 * bounded connect.  Shared by the daemon and the Socks Lib, so it uses
 * libc only: no logging, no allocation, no globals.  Like system calls,
 * the functions return -1 with errno set (ETIMEDOUT at the deadline).
 *
 * Deadlines are absolute milliseconds on sgio_now_ms()'s clock; -1 means
 * no deadline.
 */
#ifndef SG_SGIO_H
#define SG_SGIO_H

#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * The socket calls the helpers make.  The Socks Lib passes libc's own
 * functions (found with dlsym), so that its handshake never runs
 * through the hooks it exports; the daemon passes &sgio_libc.
 */
struct sgio_ops {
	ssize_t	(*send)(int, const void *, size_t, int);
	ssize_t	(*recv)(int, void *, size_t, int);
	int	(*connect)(int, const struct sockaddr *, socklen_t);
};

extern const struct sgio_ops sgio_libc;

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t	sgio_now_ms(void);

/*
 * poll(2) until something is ready or the deadline passes: the count of
 * ready descriptors, or -1 with ETIMEDOUT (or poll's errno).
 */
int	sgio_poll(struct pollfd *pfd, nfds_t n, int64_t deadline_ms);

/* Wait for events on one descriptor: 0, or -1 as sgio_poll. */
int	sgio_wait(int fd, short events, int64_t deadline_ms);

/*
 * Send all len bytes (MSG_NOSIGNAL; write(2) for a descriptor that is
 * not a socket), waiting for room until the deadline.  Never blocks
 * past the deadline, whatever the descriptor's O_NONBLOCK.
 */
int	sgio_send_all(const struct sgio_ops *io, int fd, const void *buf,
	    size_t len, int64_t deadline_ms);

/*
 * Receive what is there (at most len bytes), waiting for at least one
 * byte until the deadline: the count, 0 at EOF, or -1.
 */
ssize_t	sgio_recv_some(const struct sgio_ops *io, int fd, void *buf,
	    size_t len, int64_t deadline_ms);

/*
 * Receive exactly len bytes by the deadline: 0, or -1 (EOF before len
 * bytes sets errno to ECONNRESET; else sgio_recv_some's errno).
 */
int	sgio_recv_all(const struct sgio_ops *io, int fd, void *buf,
	    size_t len, int64_t deadline_ms);
/*
 * Connect fd (blocking or not) and wait for the outcome until the
 * deadline: 0 once connected, or -1 with the connection's error.
 */
int	sgio_connect(const struct sgio_ops *io, int fd,
	    const struct sockaddr *sa, socklen_t len, int64_t deadline_ms);

#endif
