/*
 * sgio.c - I/O against one deadline (see sgio.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "sgio.h"

const struct sgio_ops sgio_libc = { send, recv, connect };

int64_t
sgio_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
sgio_poll(struct pollfd *pfd, nfds_t n, int64_t deadline_ms)
{
	int64_t left;
	int rc;

	for (;;) {
		left = -1;
		if (deadline_ms >= 0 &&
		    (left = deadline_ms - sgio_now_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(pfd, n, left > INT32_MAX ? INT32_MAX : (int)left);
		if (rc > 0)
			return rc;
		if (rc == -1 && errno != EINTR)
			return -1;
	}
}

int
sgio_wait(int fd, short events, int64_t deadline_ms)
{
	struct pollfd pfd = { fd, events, 0 };

	return sgio_poll(&pfd, 1, deadline_ms) == -1 ? -1 : 0;
}

int
sgio_send_all(const struct sgio_ops *io, int fd, const void *buf, size_t len,
    int64_t deadline_ms)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = io->send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (sgio_wait(fd, POLLOUT, deadline_ms) == -1)
				return -1;
		} else
			return -1;
	}
	return 0;
}

ssize_t
sgio_recv_some(const struct sgio_ops *io, int fd, void *buf, size_t len,
    int64_t deadline_ms)
{
	ssize_t n;

	for (;;) {
		n = io->recv(fd, buf, len, MSG_DONTWAIT);
		if (n == -1 && errno == ENOTSOCK)
			n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (sgio_wait(fd, POLLIN, deadline_ms) == -1)
			return -1;
	}
}

int
sgio_recv_all(const struct sgio_ops *io, int fd, void *buf, size_t len,
    int64_t deadline_ms)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = sgio_recv_some(io, fd, (uint8_t *)buf + got, len - got,
		    deadline_ms);
		if (n == 0)
			errno = ECONNRESET;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int
sgio_connect(const struct sgio_ops *io, int fd, const struct sockaddr *sa,
    socklen_t len, int64_t deadline_ms)
{
	socklen_t elen = sizeof(int);
	int err = 0;

	if (io->connect(fd, sa, len) == 0)
		return 0;
	/* EINTR: the attempt goes on in the background, as EINPROGRESS. */
	if (errno != EINPROGRESS && errno != EINTR)
		return -1;
	if (sgio_wait(fd, POLLOUT, deadline_ms) == -1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}
