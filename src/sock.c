/*
 * sock.c - socket helpers (see sock.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sgio.h"
#include "sock.h"

#define ATTEMPTS_MAX	16

int
sock_set_nonblock(int fd, int on)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

int
sock_listen(const struct sockaddr *sa, socklen_t len, int backlog)
{
	return sock_listen_opt(sa, len, backlog, false);
}

int
sock_listen_opt(const struct sockaddr *sa, socklen_t len, int backlog,
    bool transparent)
{
	int fd, one = 1, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		goto fail;
	if (sa->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1)
		goto fail;
	if (transparent && (sa->sa_family == AF_INET6 ?
	    setsockopt(fd, IPPROTO_IPV6, IPV6_TRANSPARENT, &one, sizeof(one)) :
	    setsockopt(fd, IPPROTO_IP, IP_TRANSPARENT, &one, sizeof(one))) ==
	    -1)
		goto fail;
	if (bind(fd, sa, len) == -1 || listen(fd, backlog) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Which failure says most about why a destination cannot be reached. */
static int
err_rank(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return 6;
	case ETIMEDOUT:
		return 5;
	case EACCES:
	case EPERM:
		return 4;
	case EHOSTUNREACH:
		return 3;
	case ENETUNREACH:
		return 2;
	case 0:
		return 0;
	default:
		return 1;
	}
}

struct attempt {
	int	fd;
	int64_t	deadline;
	size_t	idx;
};

static void
note_err(int *best, int e)
{
	if (err_rank(e) > err_rank(*best))
		*best = e;
}

/* Start a connect to addrs[i]: 1 connected, 0 in progress, -1 failed. */
static int
start_attempt(const struct sockaddr_storage *ss, int *fdp)
{
	socklen_t len = ss->ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int fd, saved;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	*fdp = fd;
	if (connect(fd, (const struct sockaddr *)ss, len) == 0)
		return 1;
	if (errno == EINPROGRESS)
		return 0;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static void
drop_attempt(struct attempt *att, size_t *nact, size_t k)
{
	close(att[k].fd);
	att[k] = att[--*nact];
}

/* The connection attempts of one sock_connect_any call. */
struct dial {
	struct attempt	 att[ATTEMPTS_MAX];
	size_t		 nact;		/* attempts in flight */
	size_t		 next;		/* next address to try */
	int64_t		 next_start;	/* when it may start */
	int		 best;		/* most telling error so far */
};

/*
 * Start the next address: 1 connected at once (*fd, *which), 0 started
 * or failed (noted).
 */
static int
dial_start(struct dial *d, const struct sockaddr_storage *addrs, int64_t now,
    int timeout_ms, int stagger_ms, int *fd, size_t *which)
{
	size_t i = d->next++;
	int rc = start_attempt(&addrs[i], fd);

	if (rc == 1) {
		*which = i;
		return 1;
	}
	if (rc == -1) {
		note_err(&d->best, errno);
		return 0;
	}
	d->att[d->nact].fd = *fd;
	d->att[d->nact].deadline = now + timeout_ms;
	d->att[d->nact].idx = i;
	d->nact++;
	d->next_start = now + stagger_ms;
	return 0;
}

/*
 * Wait for the attempts in flight until the first deadline (theirs, or
 * the next start when max_inflight leaves room for it), then settle the
 * ones that finished or timed out: 1 when one connected (*fd, *which),
 * 0 to go on, -1 when poll failed.
 */
static int
dial_wait(struct dial *d, size_t n, int max_inflight, int *fd, size_t *which)
{
	struct pollfd pfd[ATTEMPTS_MAX];
	int64_t now = sgio_now_ms(), wait = d->att[0].deadline;
	socklen_t elen;
	size_t k;
	int rc, err;

	for (k = 0; k < d->nact; k++) {
		pfd[k] = (struct pollfd){ d->att[k].fd, POLLOUT, 0 };
		if (d->att[k].deadline < wait)
			wait = d->att[k].deadline;
	}
	/* The next start matters only while there is room for it. */
	if (d->next < n && (int)d->nact < max_inflight && d->next_start < wait)
		wait = d->next_start;
	rc = poll(pfd, d->nact, wait - now < 0 ? 0 : (int)(wait - now));
	if (rc == -1 && errno != EINTR) {
		note_err(&d->best, errno);
		return -1;
	}
	now = sgio_now_ms();
	/* Walk backwards: drop_attempt moves the last entry down. */
	for (k = d->nact; k-- > 0;) {
		if (rc > 0 && pfd[k].revents != 0) {
			err = 0;
			elen = sizeof(err);
			if (getsockopt(d->att[k].fd, SOL_SOCKET, SO_ERROR, &err,
			    &elen) == -1)
				err = errno;
			if (err == 0) {
				*fd = d->att[k].fd;
				*which = d->att[k].idx;
				d->att[k] = d->att[--d->nact];
				return 1;
			}
			note_err(&d->best, err);
		} else if (now >= d->att[k].deadline)
			note_err(&d->best, ETIMEDOUT);
		else
			continue;
		drop_attempt(d->att, &d->nact, k);
		d->next_start = now;	/* failed: the next one now */
	}
	return 0;
}

int
sock_connect_any(const struct sockaddr_storage *addrs, size_t n,
    const unsigned char *skip, int timeout_ms, int stagger_ms,
    int max_inflight, size_t *which)
{
	struct dial d;
	int fd = -1, rc = 0;

	memset(&d, 0, sizeof(d));
	if (n > ATTEMPTS_MAX)
		n = ATTEMPTS_MAX;
	while (rc == 0) {
		while (d.next < n && skip != NULL && skip[d.next])
			d.next++;
		if (d.next < n && (d.nact == 0 ||
		    ((int)d.nact < max_inflight &&
		    sgio_now_ms() >= d.next_start)))
			rc = dial_start(&d, addrs, sgio_now_ms(), timeout_ms,
			    stagger_ms, &fd, which);
		else if (d.nact == 0)
			break;
		else
			rc = dial_wait(&d, n, max_inflight, &fd, which);
	}
	/* The winner keeps its socket; every other attempt is closed. */
	while (d.nact > 0)
		drop_attempt(d.att, &d.nact, d.nact - 1);
	if (rc == 1)
		return fd;
	errno = d.best != 0 ? d.best : EHOSTUNREACH;
	return -1;
}
