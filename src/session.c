/*
 * session.c - one client, start to end, in its own thread (see
 * session.h): the thread, its log tag, and what it owns (the client's
 * fd, the configuration reference, the registry entry).  What is said
 * on the connection is the door's (door_socks5.c) and the request
 * core's (request.c) business.
 */
#include "sgconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>

#include "addr.h"
#include "door_http.h"
#include "door_portmap.h"
#include "door_socks4.h"
#include "door_socks5.h"
#include "fdbudget.h"
#include "log.h"
#include "proxyhdr.h"
#include "registry.h"
#include "request.h"
#include "session.h"
#include "sgio.h"
#include "sock.h"
#include "socks4.h"

struct session {
	uint64_t		 id;
	struct config		*cfg;		/* our reference */
	struct request		 req;
};

static atomic_uint_fast64_t next_id = 1;

static void
session_free(struct session *s)
{
	/* Out of the registry's sight before the descriptors close. */
	registry_set_fds(s->req.reg, -1, -1);
	if (s->req.dfd != -1)
		close(s->req.dfd);
	if (s->req.cfd != -1)
		close(s->req.cfd);
	config_release(s->cfg);
	registry_leave(s->req.reg);
	fdbudget_give(s->req.fds_held);
	free(s);
}

/*
 * A socks listener with socks4: the first byte says which SOCKS (0x04,
 * or 0x05 and anything else, which the SOCKS5 door refuses in its own
 * words).  Peeked, not read, within the handshake's deadline.
 */
static void
socks_door(struct request *r)
{
	int64_t deadline = r->start + (int64_t)r->cfg->timeout_handshake *
	    1000;
	uint8_t b = 0;
	ssize_t n = -1;

	while (r->listener->socks4 && n == -1 &&
	    sgio_wait(r->cfd, POLLIN, deadline) == 0)
		if ((n = recv(r->cfd, &b, 1, MSG_PEEK)) == -1 &&
		    errno != EAGAIN && errno != EINTR)
			break;
	if (n == 1 && b == S4_VERSION)
		door_socks4_run(r);
	else
		door_socks5_run(r);
}

/*
 * The log tag, sixgatectl's view and PAM_RHOST from r->peer: at the
 * start, and again once a PROXY protocol header named the client.
 */
static void
set_client(struct session *s)
{
	struct request *r = &s->req;
	char tag[96], full[ADDR_STRLEN];

	addr_ntop((const struct sockaddr *)&r->peer, full, sizeof(full));
	snprintf(tag, sizeof(tag), "c%" PRIu64 " %s", s->id, full);
	log_set_tag(tag);
	registry_set_session(r->reg, s->id, full, r->start, &r->stats);
	/* The printable client address without port, for PAM_RHOST. */
	addr_ntop_host((struct sockaddr *)&r->peer, r->peerhost,
	    sizeof(r->peerhost));
}

static void *
session_main(void *arg)
{
	struct session *s = arg;
	struct request *r = &s->req;

	set_client(s);
	/* Behind a balancer: its header first, then the real client. */
	if (r->listener->proxy_protocol) {
		if (proxyhdr_read(r) == -1)
			goto done;
		set_client(s);
	}
	/* The listener's protocol says which door the client came in by. */
	switch (r->listener->proto) {
	case LISTEN_SOCKS:
		socks_door(r);
		break;
	case LISTEN_PORTMAP:
		door_portmap_run(r);
		break;
	case LISTEN_HTTP:
		door_http_run(r);
		break;
	default:
		log_warnx("listener %s: protocol %s not served",
		    r->listener->text,
		    config_listen_proto_str(r->listener->proto));
		break;
	}
done:
	session_free(s);
	return NULL;
}

int
session_start(int fd, const struct sockaddr_storage *peer,
    struct config *cfg, struct registry_entry *reg,
    const struct config_listen *lis)
{
	pthread_attr_t attr;
	pthread_t t;
	struct session *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->id = atomic_fetch_add(&next_id, 1);
	s->cfg = cfg;
	s->req.cfd = fd;
	s->req.dfd = -1;
	s->req.peer = *peer;
	s->req.cfg = cfg;
	s->req.start = sgio_now_ms();
	s->req.reg = reg;
	s->req.listener = lis;
	s->req.fds_held = FDBUDGET_CONNECT;
	s->req.rule = -1;
	addr_ntop((const struct sockaddr *)peer, s->req.peerhost,
	    sizeof(s->req.peerhost));
	registry_set_session(reg, s->id, s->req.peerhost, s->req.start,
	    &s->req.stats);

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SESSION_STACK_SIZE);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	registry_set_fds(reg, fd, -1);
	rc = pthread_create(&t, &attr, session_main, s);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		registry_set_fds(reg, -1, -1);
		free(s);
		errno = rc;
		return -1;
	}
	return 0;
}
