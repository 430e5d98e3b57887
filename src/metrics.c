/*
 * metrics.c - the metrics endpoint's listener and thread (see
 * metrics.h): poll over the listener and at most METRICS_CONNS
 * connections, each read into a fixed buffer, answered from one
 * rendered page, and closed.
 */
#include "sgconfig.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "addr.h"
#include "escape.h"
#include "log.h"
#include "metrics.h"
#include "metrics_text.h"
#include "registry.h"
#include "sgio.h"
#include "sock.h"
#include "stats.h"
#include "svcthread.h"

#define COMPLAIN_MS	10000	/* one log line per interval, not per peer */

struct conn {
	int		 fd;		/* -1: a free slot */
	int64_t		 deadline;
	bool		 writing;
	size_t		 got;
	char		 buf[METRICS_HEAD_MAX + 1];	/* and a NUL */
	char		 head[256];
	size_t		 hlen, off;	/* off: of head, then of body */
	struct ctl_buf	 body;
	size_t		 blen;		/* body bytes to send (0 for HEAD) */
};

/* The thread's own state: nothing here is shared. */
struct server {
	struct conn	 conn[METRICS_CONNS];
	uint64_t	 last_up, last_down;	/* counters never go down */
	_Atomic int64_t	 said_busy, said_bad;
};

/* Written by main before the thread starts; read by it only. */
static int lfd = -1;

int
metrics_open(const struct config *c, char *err, size_t errlen)
{
	const struct config_listen *l = &c->metrics_listen;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char buf[ADDR_STRLEN];

	if (!c->metrics_on)
		return 0;
	if ((lfd = sock_listen((const struct sockaddr *)&l->ss, l->sslen,
	    16)) == -1) {
		snprintf(err, errlen, "metrics: cannot listen on %s: %s",
		    l->text, strerror(errno));
		return -1;
	}
	if (stats_enable_tables() == -1) {
		snprintf(err, errlen, "metrics: out of memory");
		close(lfd);
		lfd = -1;
		return -1;
	}
	if (getsockname(lfd, (struct sockaddr *)&ss, &len) == 0)
		log_info("metrics on http://%s%s",
		    addr_ntop((struct sockaddr *)&ss, buf, sizeof(buf)),
		    c->metrics_path);
	return 0;
}

static void
conn_close(struct conn *k)
{
	char junk[512];

	/* Read what the peer sent after its head: a FIN, not an RST. */
	(void)recv(k->fd, junk, sizeof(junk), MSG_DONTWAIT);
	close(k->fd);
	ctl_buf_free(&k->body);
	k->fd = -1;
}

/* The page from the counters now; bytes are held to their last value. */
static void
page(struct server *sv, const struct config *c, struct ctl_buf *b)
{
	struct registry_totals t;
	struct metrics_view v;
	struct tally_row *doors, *rules, *users = NULL;

	memset(&v, 0, sizeof(v));
	registry_totals(&t, &v.ss);
	if (v.ss.bytes_up < sv->last_up)
		v.ss.bytes_up = sv->last_up;
	if (v.ss.bytes_down < sv->last_down)
		v.ss.bytes_down = sv->last_down;
	sv->last_up = v.ss.bytes_up;
	sv->last_down = v.ss.bytes_down;
	v.version = PACKAGE_VERSION;
	v.uptime_s = (sgio_now_ms() - v.ss.started) / 1000;
	v.sessions = t.sessions;
	v.handshakes = t.handshakes;
	v.relays = t.relays;
	v.doors = doors = stats_door_rows(&v.ndoors);
	v.rules = rules = stats_rule_rows(&v.nrules);
	v.user_labels = c->metrics_user_labels;
	if (v.user_labels)
		v.users = users = stats_user_rows(&v.nusers);
	metrics_render(b, &v);
	free(doors);
	free(rules);
	free(users);
}

/* The request line, escaped, for a log line about a bad request. */
static void
log_bad(struct server *sv, const struct conn *k, enum metrics_req st)
{
	char esc[ESCAPE_LEN(80)];
	size_t n = strcspn(k->buf, "\r\n");

	if (!log_due(&sv->said_bad, sgio_now_ms(), COMPLAIN_MS))
		return;
	if (n > 80)
		n = 80;
	log_info("answered %d to \"%s\" (more such lines are not logged for "
	    "%d s)", metrics_status(st), escape_log(k->buf, n, esc,
	    sizeof(esc)), COMPLAIN_MS / 1000);
}

/* The request is read (or cannot be): set up the answer. */
static void
answer(struct server *sv, struct conn *k, enum metrics_req st, bool head_only)
{
	struct config *c = config_current();
	const char *text;

	if (st == METRICS_REQ_OK)
		page(sv, c, &k->body);
	else {
		text = metrics_error_body(st);
		ctl_printf(&k->body, "%s", text);
		if (st != METRICS_REQ_NOT_FOUND)
			log_bad(sv, k, st);
	}
	config_release(c);
	if (k->body.failed) {
		log_warnx("metrics: out of memory for the page");
		conn_close(k);
		return;
	}
	k->hlen = metrics_head(k->head, sizeof(k->head), st, k->body.len);
	k->blen = head_only ? 0 : k->body.len;
	k->off = 0;
	k->writing = true;
	k->deadline = sgio_now_ms() + METRICS_WRITE_MS;
	log_debug("metrics: %d, %zu bytes", metrics_status(st), k->body.len);
}

static void
conn_read(struct server *sv, struct conn *k)
{
	struct config *c;
	enum metrics_req st;
	bool head_only;
	ssize_t n;

	n = recv(k->fd, k->buf + k->got, METRICS_HEAD_MAX - k->got,
	    MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(k);
		return;
	}
	k->got += (size_t)n;
	k->buf[k->got] = '\0';
	c = config_current();
	st = metrics_parse_request(k->buf, k->got, c->metrics_path,
	    &head_only);
	config_release(c);
	if (st != METRICS_REQ_MORE)
		answer(sv, k, st, head_only);
}

static void
conn_write(struct conn *k)
{
	struct iovec iov[2];
	struct msghdr mh;
	size_t total = k->hlen + k->blen;
	ssize_t n;
	int i = 0;

	memset(&mh, 0, sizeof(mh));
	if (k->off < k->hlen) {
		iov[i].iov_base = k->head + k->off;
		iov[i++].iov_len = k->hlen - k->off;
	}
	if (k->blen > 0) {
		iov[i].iov_base = k->body.p + (k->off > k->hlen ?
		    k->off - k->hlen : 0);
		iov[i++].iov_len = k->blen - (k->off > k->hlen ?
		    k->off - k->hlen : 0);
	}
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)i;
	n = sendmsg(k->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		k->off += (size_t)n;
	if (n <= 0 || k->off >= total) {
		if (n > 0)
			shutdown(k->fd, SHUT_WR);
		conn_close(k);
	}
}

/* Take what is pending on the listener; beyond the slots, close. */
static void
accept_some(struct server *sv)
{
	struct conn *k;
	int fd, i, j;

	for (i = 0; i < 16; i++) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC)) == -1)
			return;
		for (j = 0; j < METRICS_CONNS && sv->conn[j].fd != -1; j++)
			continue;
		if (j == METRICS_CONNS) {
			if (log_due(&sv->said_busy, sgio_now_ms(), COMPLAIN_MS))
				log_info("%d connections at once: closing "
				    "more", METRICS_CONNS);
			close(fd);
			continue;
		}
		k = &sv->conn[j];
		memset(k, 0, sizeof(*k));
		k->fd = fd;
		k->deadline = sgio_now_ms() + METRICS_READ_MS;
	}
}

/* Poll for the listener and each connection; the nearest deadline. */
static int
poll_set(struct server *sv, struct pollfd *pfd, int *timeout)
{
	int64_t now = sgio_now_ms(), left;
	int i;

	*timeout = -1;
	pfd[0] = (struct pollfd){ lfd, POLLIN, 0 };
	for (i = 0; i < METRICS_CONNS; i++) {
		pfd[i + 1] = (struct pollfd){ sv->conn[i].fd,
		    sv->conn[i].writing ? POLLOUT : POLLIN, 0 };
		if (sv->conn[i].fd == -1)
			continue;
		left = sv->conn[i].deadline - now;
		left = left < 0 ? 0 : left;
		if (*timeout == -1 || left < *timeout)
			*timeout = (int)left;
	}
	return METRICS_CONNS + 1;
}

static void *
metrics_main(void *arg)
{
	struct pollfd pfd[METRICS_CONNS + 1];
	struct server *sv = arg;
	struct conn *k;
	int i, n, timeout;

	for (;;) {
		n = poll_set(sv, pfd, &timeout);
		if (poll(pfd, (nfds_t)n, timeout) == -1)
			continue;
		for (i = 0; i < METRICS_CONNS; i++) {
			k = &sv->conn[i];
			if (k->fd == -1)
				continue;
			if (pfd[i + 1].revents != 0 && k->writing)
				conn_write(k);
			else if (pfd[i + 1].revents != 0)
				conn_read(sv, k);
			if (k->fd != -1 && sgio_now_ms() >= k->deadline) {
				log_debug("metrics: connection timed out");
				conn_close(k);
			}
		}
		if (pfd[0].revents & POLLIN)
			accept_some(sv);
	}
	return NULL;
}

int
metrics_start(void)
{
	static struct svcthread svc = SVCTHREAD_INITIALIZER;
	struct server *sv;
	int i;

	if (lfd == -1)
		return 0;
	/* The thread's for good: it runs until the process exits. */
	if ((sv = calloc(1, sizeof(*sv))) == NULL)
		return -1;
	for (i = 0; i < METRICS_CONNS; i++)
		sv->conn[i].fd = -1;
	/* No stop pipe: the thread runs until the process exits. */
	if (svcthread_start(&svc, "metrics", metrics_main, sv) == -1) {
		free(sv);
		return -1;
	}
	return 0;
}
