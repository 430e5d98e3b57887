/*
 * acceptor.c - listeners and the accept loop (see acceptor.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "acceptor.h"
#include "addr.h"
#include "log.h"
#include "registry.h"
#include "session.h"
#include "sgio.h"
#include "sock.h"
#include "socks5.h"

#define LISTEN_BACKLOG	1024
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	1000
#define COMPLAIN_MS	10000	/* one log line per interval, not per client */

/*
 * Written by main before the thread starts and after it is joined;
 * read only by the accept thread in between.
 */
static int listeners[64];
static size_t nlisteners;
static int wake[2] = { -1, -1 };
static pthread_t thread;
static int fd_budget = -1;

int
acceptor_open(const struct config *c, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[ADDR_STRLEN];
	size_t i;
	int fd;

	for (i = 0; i < c->nlisten && i < 64; i++) {
		fd = sock_listen((const struct sockaddr *)&c->listen[i].ss,
		    c->listen[i].sslen, LISTEN_BACKLOG);
		if (fd == -1) {
			snprintf(err, errlen, "cannot listen on %s: %s",
			    c->listen[i].text, strerror(errno));
			goto fail;
		}
		listeners[nlisteners++] = fd;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
			log_info("listening on %s",
			    addr_ntop((struct sockaddr *)&ss, buf, sizeof(buf)));
	}
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	while (nlisteners > 0)
		close(listeners[--nlisteners]);
	return -1;
}

void
acceptor_set_fd_budget(int max_sessions)
{
	fd_budget = max_sessions;
}

/*
 * Over the cap: answer the greeting with "no acceptable methods" (the
 * only failure a client can read before its request) and close.  What
 * the client already sent is read first, so the close is a FIN, not an
 * RST that could destroy the answer.
 */
static void
refuse(int fd)
{
	static const uint8_t no[2] = { S5_VERSION, S5_METHOD_NO_ACCEPTABLE };
	uint8_t junk[512];

	(void)recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
	(void)send(fd, no, sizeof(no), MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* Rate-limited warning: at most one line per COMPLAIN_MS per kind. */
static void
complain(int64_t *last, const char *what, int err)
{
	int64_t now = sgio_now_ms();

	if (*last != 0 && now - *last < COMPLAIN_MS)
		return;
	*last = now;
	if (err != 0)
		log_warnx("%s: %s", what, strerror(err));
	else
		log_warnx("%s", what);
}

static void
hand_over(int fd, const struct sockaddr_storage *peer, int64_t *last_full,
    int64_t *last_client)
{
	struct config *c = config_current();
	const struct sockaddr *sa = (const struct sockaddr *)peer;
	int cap = c->max_relays;
	char msg[160], who[ADDR_STRLEN];

	if (fd_budget >= 0 && fd_budget < cap)
		cap = fd_budget;
	if (registry_enter(sa, cap, c->max_per_client) == -1) {
		if (errno == EUSERS) {
			snprintf(msg, sizeof(msg), "%s has %d sessions "
			    "(limits.max_per_client): refusing more",
			    addr_ntop_host(sa, who, sizeof(who)),
			    c->max_per_client);
			complain(last_client, msg, 0);
		} else {
			snprintf(msg, sizeof(msg), "relay limit reached (%d "
			    "sessions): refusing new clients", cap);
			complain(last_full, msg, errno == EAGAIN ? 0 : errno);
		}
		refuse(fd);
		config_release(c);
		return;
	}
	if (session_start(fd, peer, c) == -1) {
		complain(last_full, "cannot start a session thread", errno);
		registry_leave(sa);
		refuse(fd);
		config_release(c);
	}
}

/* Accept what is pending on one listener; -1 when out of descriptors. */
static int
accept_some(int lfd, int64_t *last_full, int64_t *last_client)
{
	struct sockaddr_storage peer;
	socklen_t len;
	int fd, i;

	for (i = 0; i < 64; i++) {
		len = sizeof(peer);
		fd = accept4(lfd, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			hand_over(fd, &peer, last_full, last_client);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			return -1;
		/* EAGAIN, or a client gone before accept (ECONNABORTED). */
		return 0;
	}
	return 0;
}

static int
next_backoff(int b)
{
	if (b == 0)
		return BACKOFF_MIN_MS;
	return b * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : b * 2;
}

static void *
accept_loop(void *arg)
{
	struct pollfd pfd[65];
	int64_t last_full = 0, last_fd = 0, last_client = 0;
	int backoff = 0, rc;
	size_t i;

	(void)arg;
	log_set_tag("acceptor");
	pfd[nlisteners].fd = wake[0];
	pfd[nlisteners].events = POLLIN;
	for (;;) {
		/*
		 * Out of descriptors, the listeners are not polled (they
		 * would wake us at once): sleep the back-off, then retry.
		 */
		for (i = 0; i < nlisteners; i++) {
			pfd[i].fd = listeners[i];
			pfd[i].events = backoff > 0 ? 0 : POLLIN;
			pfd[i].revents = 0;
		}
		rc = poll(pfd, nlisteners + 1, backoff > 0 ? backoff : -1);
		if (rc == -1 && errno != EINTR)
			fatal("poll");
		if (rc > 0 && pfd[nlisteners].revents != 0)
			break;
		for (i = 0; i < nlisteners; i++) {
			if (backoff == 0 && (pfd[i].revents & POLLIN) == 0)
				continue;
			if (accept_some(listeners[i], &last_full,
			    &last_client) == -1)
				break;
		}
		if (i < nlisteners) {
			complain(&last_fd, "accept (backing off)", errno);
			backoff = next_backoff(backoff);
		} else
			backoff = 0;
	}
	return NULL;
}

int
acceptor_start(void)
{
	int rc;

	if ((rc = pthread_create(&thread, NULL, accept_loop, NULL)) != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

void
acceptor_stop(void)
{
	char c = 1;

	/* A full pipe already wakes the thread: the result can be ignored. */
	if (write(wake[1], &c, 1) < 0)
		c = 0;
	pthread_join(thread, NULL);
	while (nlisteners > 0)
		close(listeners[--nlisteners]);
	close(wake[0]);
	close(wake[1]);
}
