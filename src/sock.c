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

int
sock_connect_any(const struct sockaddr_storage *addrs, size_t n,
    const unsigned char *skip, int timeout_ms, int stagger_ms, size_t *which)
{
	struct attempt att[ATTEMPTS_MAX];
	struct pollfd pfd[ATTEMPTS_MAX];
	size_t next = 0, nact = 0, k;
	int64_t now, next_start = 0, wait;
	int best = 0, fd = -1, rc, err;
	socklen_t elen;

	if (n > ATTEMPTS_MAX)
		n = ATTEMPTS_MAX;
	for (;;) {
		now = sgio_now_ms();
		while (next < n && skip != NULL && skip[next])
			next++;
		if (next < n && (nact == 0 || now >= next_start)) {
			rc = start_attempt(&addrs[next], &fd);
			if (rc == 1) {
				*which = next;
				goto won;
			}
			if (rc == -1)
				note_err(&best, errno);
			else {
				att[nact].fd = fd;
				att[nact].deadline = now + timeout_ms;
				att[nact].idx = next;
				nact++;
				next_start = now + stagger_ms;
			}
			next++;
			continue;
		}
		if (nact == 0)
			break;
		wait = att[0].deadline;
		for (k = 0; k < nact; k++) {
			pfd[k].fd = att[k].fd;
			pfd[k].events = POLLOUT;
			if (att[k].deadline < wait)
				wait = att[k].deadline;
		}
		if (next < n && next_start < wait)
			wait = next_start;
		wait -= now;
		rc = poll(pfd, nact, wait < 0 ? 0 : (int)wait);
		if (rc == -1 && errno != EINTR) {
			note_err(&best, errno);
			break;
		}
		now = sgio_now_ms();
		/* Walk backwards: drop_attempt moves the last entry down. */
		for (k = nact; k-- > 0;) {
			if (rc > 0 && pfd[k].revents != 0) {
				err = 0;
				elen = sizeof(err);
				if (getsockopt(att[k].fd, SOL_SOCKET, SO_ERROR,
				    &err, &elen) == -1)
					err = errno;
				if (err == 0) {
					fd = att[k].fd;
					*which = att[k].idx;
					att[k] = att[--nact];
					goto won;
				}
				note_err(&best, err);
				drop_attempt(att, &nact, k);
				next_start = now;	/* failed: next one now */
			} else if (now >= att[k].deadline) {
				note_err(&best, ETIMEDOUT);
				drop_attempt(att, &nact, k);
				next_start = now;
			}
		}
	}
	errno = best != 0 ? best : EHOSTUNREACH;
	return -1;
won:
	for (k = 0; k < nact; k++)
		close(att[k].fd);
	return fd;
}
