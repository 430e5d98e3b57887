/*
 * bindcmd.c - the BIND command (see bindcmd.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "addr.h"
#include "bindcmd.h"
#include "log.h"
#include "sgio.h"
#include "sock.h"

/* How long to leave a readable listener alone when descriptors run out. */
#define ACCEPT_PAUSE_MS	100

/* The local address the kernel would use towards peer (no packet sent). */
static int
source_towards(const struct sockaddr *peer, struct sockaddr_storage *out)
{
	socklen_t len = sizeof(*out);
	struct sockaddr_storage p;
	int fd, rc = -1;

	memcpy(&p, peer, addr_len(peer));
	if (addr_port((struct sockaddr *)&p) == 0)
		addr_set_port((struct sockaddr *)&p, 9);
	if ((fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&p, addr_len(peer)) == 0 &&
	    getsockname(fd, (struct sockaddr *)out, &len) == 0)
		rc = 0;
	close(fd);
	return rc;
}

int
bindcmd_listen(const struct sockaddr *peer, int ctl,
    struct sockaddr_storage *bnd)
{
	struct sockaddr_storage any;
	socklen_t len = sizeof(*bnd);
	int fd, saved;

	memset(bnd, 0, sizeof(*bnd));
	if (addr_is_unspecified(peer) || source_towards(peer, bnd) == -1) {
		/* Anyone: announce the address the client reached us on. */
		if (getsockname(ctl, (struct sockaddr *)bnd, &len) == -1 ||
		    bnd->ss_family != peer->sa_family) {
			memset(bnd, 0, sizeof(*bnd));
			bnd->ss_family = peer->sa_family;
		}
	}
	/* Bound to the wildcard: the peer may route to any address of ours. */
	memset(&any, 0, sizeof(any));
	any.ss_family = peer->sa_family;
	if ((fd = sock_listen((struct sockaddr *)&any,
	    addr_len((struct sockaddr *)&any), 1)) == -1)
		return -1;
	len = sizeof(any);
	if (getsockname(fd, (struct sockaddr *)&any, &len) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	addr_set_port((struct sockaddr *)bnd, addr_port((struct sockaddr *)&any));
	return fd;
}

/*
 * accept4 failed for want of descriptors or memory: the connection stays
 * queued and the listener readable, so polling it again at once would
 * spin.  Wait a little watching only the client's hang-up.  0 to try
 * again, -1 with errno at the deadline or when the client has gone.
 */
static int
pause_accept(int ctl, int64_t deadline)
{
	struct pollfd pfd = { ctl, POLLRDHUP, 0 };
	int64_t until = sgio_now_ms() + ACCEPT_PAUSE_MS;

	if (sgio_poll(&pfd, 1, until < deadline ? until : deadline) == -1)
		return errno == ETIMEDOUT && until < deadline ? 0 : -1;
	if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
		errno = ECONNRESET;
		return -1;
	}
	return 0;
}

static bool
out_of_resources(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM;
}

int
bindcmd_accept(int lfd, int ctl, const struct sockaddr *peer, int timeout_ms,
    struct sockaddr_storage *from)
{
	int64_t deadline = sgio_now_ms() + timeout_ms;
	struct pollfd pfd[2];
	struct sockaddr_storage want, got;
	char buf[ADDR_STRLEN];
	bool told = false;
	socklen_t len;
	int fd;

	memcpy(&want, peer, addr_len(peer));
	addr_set_port((struct sockaddr *)&want, 0);
	for (;;) {
		pfd[0] = (struct pollfd){ lfd, POLLIN, 0 };
		/*
		 * Bytes from the client before the second reply stay queued
		 * for the relay: only its hang-up is watched (POLLRDHUP).
		 */
		pfd[1] = (struct pollfd){ ctl, POLLRDHUP, 0 };
		if (sgio_poll(pfd, 2, deadline) == -1)
			return -1;
		if (pfd[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			errno = ECONNRESET;	/* the client gave up */
			return -1;
		}
		if ((pfd[0].revents & POLLIN) == 0)
			continue;
		len = sizeof(*from);
		fd = accept4(lfd, (struct sockaddr *)from, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1 && out_of_resources(errno)) {
			if (!told)
				log_warn("bind: cannot accept yet");
			told = true;
			if (pause_accept(ctl, deadline) == -1)
				return -1;
			continue;
		}
		if (fd == -1)
			continue;
		memcpy(&got, from, sizeof(got));
		addr_set_port((struct sockaddr *)&got, 0);
		if (addr_is_unspecified(peer) || addr_equal((struct sockaddr *)&got,
		    (struct sockaddr *)&want))
			return fd;
		log_info("bind: connection from %s refused: not the expected "
		    "peer", addr_ntop((struct sockaddr *)from, buf,
		    sizeof(buf)));
		close(fd);
	}
}
