/*
 * portmap_udp.c - UDP port mappings (see portmap_udp.h).
 *
 * A flow is one client address:port.  Its first datagram starts it: the
 * rules (client network, destination, command "udp", unauthenticated)
 * and the look-up of `to` are the request core's (request_flow_check),
 * then a socket connected to the destination (one descriptor of the
 * budget) carries its datagrams; what comes back on it goes to the
 * client from the listener's socket.  A flow ends after
 * min(PORTMAP_UDP_IDLE, timeouts.idle) seconds without a datagram, at
 * shutdown, or when its socket fails, and logs one access line
 * (door=portmap cmd=udp, dgrams_up/down).  A refused client is
 * remembered as a flow without a socket, so that its next datagrams are
 * dropped quietly until it has been idle as long.
 *
 * One thread polls every mapping and flow.  The look-up of a name runs
 * in this thread: while it lasts, the other flows wait.
 */
#include "sgconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"
#include "door_portmap.h"
#include "fdbudget.h"
#include "log.h"
#include "portmap_udp.h"
#include "request.h"
#include "sgio.h"
#include "socks5.h"
#include "svcthread.h"

#define MAPS_MAX	64
#define DGRAM_MAX	65535
#define COMPLAIN_MS	10000

struct flow {
	struct sockaddr_storage	 client;
	socklen_t		 clen;
	int			 fd;		/* to `to`, or -1: refused */
	uint64_t		 id;
	int64_t			 start, last;	/* ms */
	uint64_t		 up, down, dgrams_up, dgrams_down;
	uint8_t			 rep;
	char			 dest_str[ESCAPE_LEN(S5_NAME_MAX) + 16];
	char			 connected[ADDR_STRLEN];
};

struct map {
	int			 fd;
	struct config_listen	 conf;		/* as opened */
	struct flow		*flows[PORTMAP_UDP_FLOWS];
	size_t			 nflows;
	_Atomic int64_t		 said_full;
};

/* Written by main before the thread starts and after it is joined. */
static struct map maps[MAPS_MAX];
static size_t nmaps;
static struct svcthread svc = SVCTHREAD_INITIALIZER;
static uint64_t next_id = 1;		/* this thread's only */
static _Atomic int64_t said_fds;
/* The tag lines of this thread have between flows (none in main's). */
static _Thread_local const char *home_tag;

static const struct request_door flow_door = { .name = "portmap" };

static int
open_one(const struct config_listen *l, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char buf[ADDR_STRLEN];
	int fd, one = 1;

	fd = socket(l->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 || (l->ss.ss_family == AF_INET6 && setsockopt(fd,
	    IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
	    bind(fd, (const struct sockaddr *)&l->ss, l->sslen) == -1) {
		snprintf(err, errlen, "cannot listen on %s (udp): %s",
		    l->text, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	maps[nmaps].fd = fd;
	maps[nmaps].conf = *l;
	maps[nmaps++].nflows = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		log_info("listening on %s (portmap udp)",
		    addr_ntop((struct sockaddr *)&ss, buf, sizeof(buf)));
	return 0;
}

int
portmap_udp_open(const struct config *c, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < c->nlisten && nmaps < MAPS_MAX; i++)
		if (c->listen[i].udp && open_one(&c->listen[i], err, errlen)
		    == -1)
			goto fail;
	if (nmaps > 0 && svcthread_open(&svc) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	while (nmaps > 0)
		close(maps[--nmaps].fd);
	return -1;
}

static void
flow_tag(const struct flow *f)
{
	char tag[96], host[ADDR_STRLEN];

	snprintf(tag, sizeof(tag), "u%" PRIu64 " %s", f->id, addr_ntop(
	    (const struct sockaddr *)&f->client, host, sizeof(host)));
	log_set_tag(tag);
}

/* The request the core sees for flow f of map m (scratch: no session). */
static void
flow_request(struct request *r, const struct map *m, const struct flow *f)
{
	memset(r, 0, sizeof(*r));
	r->cfd = -1;
	r->dfd = -1;
	r->peer = f->client;
	addr_ntop_host((const struct sockaddr *)&f->client, r->peerhost,
	    sizeof(r->peerhost));
	r->start = f->start;
	r->listener = &m->conf;
	r->door = &flow_door;
	r->auth = REQUEST_AUTH_NONE;
	r->cmd = S5_CMD_UDP_ASSOCIATE;
	r->rule = -1;
	door_portmap_dest(&m->conf, &r->dest);
}

/* The flow's end: its access line, its socket, its descriptor. */
static void
flow_end(struct map *m, size_t k, const char *why)
{
	struct flow *f = m->flows[k];
	struct request *r;

	if (f->fd != -1 && (r = malloc(sizeof(*r))) != NULL) {
		flow_tag(f);
		flow_request(r, m, f);
		snprintf(r->dest_str, sizeof(r->dest_str), "%s", f->dest_str);
		snprintf(r->connected, sizeof(r->connected), "%s",
		    f->connected);
		r->rep = f->rep;
		r->stats.up = f->up;
		r->stats.down = f->down;
		snprintf(r->extra, sizeof(r->extra), " dgrams_up=%" PRIu64
		    " dgrams_down=%" PRIu64, f->dgrams_up, f->dgrams_down);
		r->end = why;
		request_flow_log(r);
		free(r);
		log_set_tag(home_tag);
	}
	if (f->fd != -1) {
		close(f->fd);
		fdbudget_give(1);
	}
	free(f);
	m->flows[k] = m->flows[--m->nflows];
}

/*
 * Rules and look-up for a new flow, then its socket: f->fd, or -1 with
 * the refusal logged (and an access line, as for a refused CONNECT).
 */
static void
flow_open(struct map *m, struct flow *f)
{
	struct config *c = config_current();
	struct sockaddr_storage to;
	struct request *r;

	f->fd = -1;
	if ((r = malloc(sizeof(*r))) == NULL) {
		config_release(c);
		return;
	}
	flow_tag(f);
	flow_request(r, m, f);
	r->cfg = c;
	f->rep = request_flow_check(r, &to);
	snprintf(f->dest_str, sizeof(f->dest_str), "%s", r->dest_str);
	if (f->rep == S5_REP_SUCCEEDED && !fdbudget_take(1)) {
		if (log_due(&said_fds, f->start, COMPLAIN_MS))
			log_warnx("descriptor budget spent (%d of %d in use): "
			    "udp flow refused", fdbudget_used(),
			    fdbudget_total());
		f->rep = S5_REP_GENERAL_FAILURE;
	} else if (f->rep == S5_REP_SUCCEEDED) {
		f->fd = socket(to.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (f->fd == -1 || connect(f->fd, (struct sockaddr *)&to,
		    to.ss_family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6)) == -1) {
			log_warn("udp flow to %s", f->dest_str);
			f->rep = socks5_rep_from_errno(errno);
			if (f->fd != -1)
				close(f->fd);
			f->fd = -1;
			fdbudget_give(1);
		} else
			addr_ntop((struct sockaddr *)&to, f->connected,
			    sizeof(f->connected));
	}
	if (f->fd == -1) {
		r->rep = f->rep;
		r->end = f->rep == S5_REP_NOT_ALLOWED ? "denied" : "failed";
		request_flow_log(r);
	}
	free(r);
	config_release(c);
	log_set_tag(home_tag);
}

static struct flow *
flow_find(struct map *m, const struct sockaddr_storage *from)
{
	size_t k;

	for (k = 0; k < m->nflows; k++)
		if (addr_equal((const struct sockaddr *)&m->flows[k]->client,
		    (const struct sockaddr *)from))
			return m->flows[k];
	return NULL;
}

static struct flow *
flow_new(struct map *m, const struct sockaddr_storage *from, socklen_t len,
    int64_t now)
{
	char who[ADDR_STRLEN];
	struct flow *f;

	if (m->nflows == PORTMAP_UDP_FLOWS) {
		if (log_due(&m->said_full, now, COMPLAIN_MS))
			log_warnx("%s: %d udp flows: datagram from %s dropped",
			    m->conf.text, PORTMAP_UDP_FLOWS, addr_ntop(
			    (const struct sockaddr *)from, who, sizeof(who)));
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->client = *from;
	f->clen = len;
	f->id = next_id++;
	f->start = f->last = now;
	m->flows[m->nflows++] = f;
	flow_open(m, f);
	return f;
}

/* Datagrams from clients, up to a batch, each to its flow. */
static void
from_clients(struct map *m, uint8_t *buf, int64_t now)
{
	struct sockaddr_storage from;
	socklen_t len;
	struct flow *f;
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {
		len = sizeof(from);
		n = recvfrom(m->fd, buf, DGRAM_MAX, 0, (struct sockaddr *)&from,
		    &len);
		if (n < 0)
			return;
		if ((f = flow_find(m, &from)) == NULL &&
		    (f = flow_new(m, &from, len, now)) == NULL)
			continue;
		f->last = now;
		if (f->fd == -1)
			continue;	/* refused: dropped until idle */
		if (send(f->fd, buf, (size_t)n, MSG_NOSIGNAL) == -1) {
			log_debug("udp flow %" PRIu64 ": send: %s", f->id,
			    strerror(errno));
			continue;
		}
		f->up += (uint64_t)n;
		f->dgrams_up++;
	}
}

/* Answers on flow f of m back to its client. */
static void
from_dest(struct map *m, struct flow *f, uint8_t *buf, int64_t now)
{
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {
		n = recv(f->fd, buf, DGRAM_MAX, 0);
		if (n < 0)
			return;	/* EAGAIN, or an ICMP error: the flow stays */
		f->last = now;
		if (sendto(m->fd, buf, (size_t)n, MSG_NOSIGNAL,
		    (struct sockaddr *)&f->client, f->clen) == -1)
			continue;
		f->down += (uint64_t)n;
		f->dgrams_down++;
	}
}

static int
idle_ms(void)
{
	struct config *c = config_current();
	int s = c->timeout_idle > 0 && c->timeout_idle < PORTMAP_UDP_IDLE ?
	    c->timeout_idle : PORTMAP_UDP_IDLE;

	config_release(c);
	return s * 1000;
}

/* End the flows idle for longer than idle; the next deadline, in ms. */
static int
expire(int64_t now, int idle)
{
	int64_t next = now + idle;
	size_t i, k;

	for (i = 0; i < nmaps; i++)
		for (k = maps[i].nflows; k-- > 0;) {
			if (now - maps[i].flows[k]->last >= idle)
				flow_end(&maps[i], k, "idle");
			else if (maps[i].flows[k]->last + idle < next)
				next = maps[i].flows[k]->last + idle;
		}
	return (int)(next - now) + 1;
}

static void *
udp_loop(void *arg)
{
	struct pollfd *pfd;
	struct flow **who;
	size_t at[MAPS_MAX], cnt[MAPS_MAX];
	uint8_t *buf;
	size_t cap = 1 + nmaps * (1 + PORTMAP_UDP_FLOWS), n, i, k;
	int64_t now;
	int wait;

	(void)arg;
	home_tag = "portmap-udp";	/* svcthread_start's tag */
	pfd = calloc(cap, sizeof(*pfd));
	who = calloc(cap, sizeof(*who));
	buf = malloc(DGRAM_MAX);
	if (pfd == NULL || who == NULL || buf == NULL) {
		log_warnx("udp port mappings: out of memory: not served");
		goto out;
	}
	for (;;) {
		wait = expire(sgio_now_ms(), idle_ms());
		pfd[0].fd = svcthread_stopfd(&svc);
		pfd[0].events = POLLIN;
		n = 1;
		for (i = 0; i < nmaps; i++) {
			at[i] = n;
			cnt[i] = maps[i].nflows;
			who[n] = NULL;
			pfd[n].fd = maps[i].fd;
			pfd[n++].events = POLLIN;
			for (k = 0; k < cnt[i]; k++) {
				who[n] = maps[i].flows[k];
				pfd[n].fd = who[n]->fd;	/* -1: ignored */
				pfd[n++].events = POLLIN;
			}
		}
		if (poll(pfd, n, wait) == -1 && errno != EINTR) {
			log_warn("udp port mappings: poll");
			break;
		}
		if (pfd[0].revents != 0)
			break;
		now = sgio_now_ms();
		/* Answers first: the flow table changes only after them. */
		for (i = 0; i < nmaps; i++)
			for (k = at[i] + 1; k <= at[i] + cnt[i]; k++)
				if (pfd[k].revents != 0)
					from_dest(&maps[i], who[k], buf, now);
		for (i = 0; i < nmaps; i++)
			if (pfd[at[i]].revents != 0)
				from_clients(&maps[i], buf, now);
	}
out:
	free(pfd);
	free(who);
	free(buf);
	return NULL;
}

int
portmap_udp_start(void)
{
	if (nmaps == 0)
		return 0;
	return svcthread_start(&svc, "portmap-udp", udp_loop, NULL);
}

void
portmap_udp_stop(void)
{
	size_t i;

	if (nmaps == 0)
		return;
	svcthread_stop(&svc);
	for (i = 0; i < nmaps; i++) {
		while (maps[i].nflows > 0)
			flow_end(&maps[i], maps[i].nflows - 1, "shutdown");
		close(maps[i].fd);
	}
	nmaps = 0;
}
