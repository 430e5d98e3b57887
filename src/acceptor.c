/*
 * acceptor.c - listeners and the accept loop (see acceptor.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "acceptor.h"
#include "addr.h"
#include "fdbudget.h"
#include "log.h"
#include "registry.h"
#include "session.h"
#include "sgio.h"
#include "sock.h"
#include "stats.h"
#include "socks5.h"

#define LISTEN_BACKLOG	1024
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	1000
#define COMPLAIN_MS	10000	/* one log line per interval, not per client */

/*
 * Written by main before the thread starts and after it is joined;
 * read only by the accept thread in between.
 */
struct listener {
	int			fd;
	/* Its settings, kept as they were when it was opened. */
	struct config_listen	conf;
};
static struct listener listeners[64];
static size_t nlisteners;
static int wake[2] = { -1, -1 };
static pthread_t thread;

/* When each kind of refusal was last logged: one line per COMPLAIN_MS. */
struct complaints {
	_Atomic int64_t	relays, client, handshakes, client_handshakes, fds,
			thread, accept, proxy;
};

int
acceptor_open(const struct config *c, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[ADDR_STRLEN];
	size_t i;
	int fd;

	for (i = 0; i < c->nlisten && i < 64; i++) {
		if (c->listen[i].udp)
			continue;	/* not accepted: portmap_udp.c's */
		/* tproxy: IP_TRANSPARENT, while we still have the rights. */
		fd = sock_listen_opt((const struct sockaddr *)&c->listen[i].ss,
		    c->listen[i].sslen, LISTEN_BACKLOG, c->listen[i].tproxy);
		if (fd == -1) {
			snprintf(err, errlen, "cannot listen on %s: %s%s",
			    c->listen[i].text, strerror(errno),
			    c->listen[i].tproxy && errno == EPERM ? " (tproxy "
			    "needs CAP_NET_ADMIN or CAP_NET_RAW)" : "");
			goto fail;
		}
		listeners[nlisteners].fd = fd;
		listeners[nlisteners++].conf = c->listen[i];
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
			log_info("listening on %s (%s%s)",
			    addr_ntop((struct sockaddr *)&ss, buf, sizeof(buf)),
			    config_listen_proto_str(c->listen[i].proto),
			    c->listen[i].tproxy ? " tproxy" : "");
	}
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	while (nlisteners > 0)
		close(listeners[--nlisteners].fd);
	return -1;
}

int
acceptor_bound(const struct config_listen *l, struct sockaddr_storage *ss,
    socklen_t *len)
{
	size_t i;

	for (i = 0; i < nlisteners; i++)
		if (listeners[i].conf.proto == l->proto &&
		    addr_equal((const struct sockaddr *)&listeners[i].conf.ss,
		    (const struct sockaddr *)&l->ss)) {
			*len = sizeof(*ss);
			return getsockname(listeners[i].fd,
			    (struct sockaddr *)ss, len);
		}
	errno = ENOENT;
	return -1;
}

/*
 * Over the cap: answer the greeting with "no acceptable methods" (the
 * only failure a client can read before its request) and close.  What
 * the client already sent is read first, so the close is a FIN, not an
 * RST that could destroy the answer.  A transparent listener's client
 * speaks to its destination, not to us: it only sees the close.
 */
static void
refuse(int fd, const struct config_listen *lis)
{
	static const uint8_t no[2] = { S5_VERSION, S5_METHOD_NO_ACCEPTABLE };
	uint8_t junk[512];

	(void)recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
	if (lis->proto != LISTEN_TRANSPARENT)
		(void)send(fd, no, sizeof(no), MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* Rate-limited warning: at most one line per COMPLAIN_MS per kind. */
static void
complain(_Atomic int64_t *last, const char *what, int err)
{
	if (!log_due(last, sgio_now_ms(), COMPLAIN_MS))
		return;
	if (err != 0)
		log_warnx("%s: %s", what, strerror(err));
	else
		log_warnx("%s", what);
}

/*
 * A connection to a proxy_protocol listener from outside proxy_from:
 * nothing it says can be answered (its first bytes would be a PROXY
 * header), so it is closed after reading what it sent (a FIN).
 */
static void
refuse_unproxied(int fd, const struct sockaddr *sa,
    const struct config_listen *lis, struct complaints *cp)
{
	char msg[200], who[ADDR_STRLEN];
	uint8_t junk[512];

	stats_refused(STATS_REFUSED_PROXY);
	snprintf(msg, sizeof(msg), "%s is not in proxy_from of %s "
	    "(listen.proxy_protocol): refusing", addr_ntop(sa, who,
	    sizeof(who)), lis->text);
	complain(&cp->proxy, msg, 0);
	(void)recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
	close(fd);
}

/* Log why registry_enter said no (err), at most once per interval. */
static void
complain_refusal(struct complaints *cp, const struct sockaddr *sa,
    const struct config *c, int err)
{
	char msg[200], who[ADDR_STRLEN];

	addr_ntop_host(sa, who, sizeof(who));
	switch (err) {
	case EUSERS:
		stats_refused(STATS_REFUSED_MAX_PER_CLIENT);
		snprintf(msg, sizeof(msg), "%s has %d sessions "
		    "(limits.max_per_client): refusing more", who,
		    c->max_per_client);
		complain(&cp->client, msg, 0);
		break;
	case ETOOMANYREFS:
		stats_refused(STATS_REFUSED_MAX_HANDSHAKES_PER_CLIENT);
		snprintf(msg, sizeof(msg), "%s has %d sessions in their "
		    "handshake (limits.max_handshakes_per_client): refusing "
		    "more", who, c->max_handshakes_per_client);
		complain(&cp->client_handshakes, msg, 0);
		break;
	case EBUSY:
		stats_refused(STATS_REFUSED_MAX_HANDSHAKES);
		snprintf(msg, sizeof(msg), "%d sessions in their handshake "
		    "(limits.max_handshakes %u:%u:%u): dropping new clients",
		    registry_handshakes(), c->max_handshakes.start,
		    c->max_handshakes.rate, c->max_handshakes.full);
		complain(&cp->handshakes, msg, 0);
		break;
	case EAGAIN:
		stats_refused(STATS_REFUSED_MAX_RELAYS);
		snprintf(msg, sizeof(msg), "relay limit reached (%d "
		    "sessions): refusing new clients", c->max_relays);
		complain(&cp->relays, msg, 0);
		break;
	default:
		complain(&cp->relays, "cannot count a new session", err);
	}
}

/*
 * Admit a client, or refuse it: the descriptors its CONNECT will hold,
 * then the session limits, then a thread.  Whatever was taken is given
 * back on refusal.  Behind a balancer (proxy_protocol) the client is
 * not known yet: only a balancer may connect, and the per-client limits
 * wait until the session has read the header (registry_set_client).
 */
static void
hand_over(int fd, const struct sockaddr_storage *peer,
    const struct config_listen *lis, struct complaints *cp)
{
	struct config *c = config_current();
	const struct sockaddr *sa = (const struct sockaddr *)peer;
	struct registry_entry *e = NULL;
	char msg[160];

	if (lis->proxy_protocol && !config_listen_proxy_ok(lis, sa)) {
		refuse_unproxied(fd, sa, lis, cp);
		config_release(c);
		return;
	}
	if (!fdbudget_take(FDBUDGET_CONNECT)) {
		stats_refused(STATS_REFUSED_DESCRIPTORS);
		snprintf(msg, sizeof(msg), "descriptor budget spent (%d of "
		    "%d in use): refusing new clients", fdbudget_used(),
		    fdbudget_total());
		complain(&cp->fds, msg, 0);
		goto refused;
	}
	if ((e = registry_enter(lis->proxy_protocol ? NULL : sa, c)) == NULL) {
		complain_refusal(cp, sa, c, errno);
		goto refused_fds;
	}
	if (session_start(fd, peer, c, e, lis) == 0)
		return;
	complain(&cp->thread, "cannot start a session thread", errno);
	registry_leave(e);
refused_fds:
	fdbudget_give(FDBUDGET_CONNECT);
refused:
	refuse(fd, lis);
	config_release(c);
}

/* Accept what is pending on one listener; -1 when out of descriptors. */
static int
accept_some(const struct listener *l, struct complaints *cp)
{
	struct sockaddr_storage peer;
	socklen_t len;
	int fd, i;

	for (i = 0; i < 64; i++) {
		len = sizeof(peer);
		fd = accept4(l->fd, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			hand_over(fd, &peer, &l->conf, cp);
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
	struct complaints cp = { 0 };
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
			pfd[i].fd = listeners[i].fd;
			pfd[i].events = backoff > 0 ? 0 : POLLIN;
			pfd[i].revents = 0;
		}
		rc = poll(pfd, nlisteners + 1, backoff > 0 ? backoff : -1);
		if (rc == -1 && errno != EINTR) {
			/* Not a reason to drop the relays: stop in order. */
			log_warn("poll: no more clients are accepted; shutting "
			    "down");
			kill(getpid(), SIGTERM);
			break;
		}
		if (rc > 0 && pfd[nlisteners].revents != 0)
			break;
		for (i = 0; i < nlisteners; i++) {
			if (backoff == 0 && (pfd[i].revents & POLLIN) == 0)
				continue;
			if (accept_some(&listeners[i], &cp) == -1)
				break;
		}
		if (i < nlisteners) {
			complain(&cp.accept, "accept (backing off)", errno);
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
		close(listeners[--nlisteners].fd);
	close(wake[0]);
	close(wake[1]);
}
