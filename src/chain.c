/*
 * chain.c - connecting through upstream gateways (see chain.h).
 *
 * Hop N is reached by CONNECTing through hops 1..N-1; the destination
 * travels to the last hop exactly as the client sent it, so a name is
 * resolved there, not here (that is what lets an IPv4-only first hop
 * reach IPv6-only destinations).  The handshake is the same module the
 * Socks Lib uses.
 */
#include "sgconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "fdbudget.h"
#include "log.h"
#include "resolve.h"
#include "sgio.h"
#include "sock.h"
#include "socks5_client.h"

#define DOWN_MAX	256

/* Hops resting after a failure, by "host:port": a locked table. */
static pthread_mutex_t down_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char	hop[300];
	int64_t	until;
} down[DOWN_MAX];

static bool
hop_down(const struct route_hop *h, int64_t now)
{
	bool d = false;
	size_t i;

	pthread_mutex_lock(&down_lock);
	for (i = 0; i < DOWN_MAX; i++)
		if (down[i].until > now && strcmp(down[i].hop, h->text) == 0)
			d = true;
	pthread_mutex_unlock(&down_lock);
	return d;
}

/* Mark h down; log only when it was not down already. */
static void
mark_down(const struct route_hop *h, const char *why)
{
	int64_t now = sgio_now_ms();
	size_t i, slot = 0;
	bool was = false;

	pthread_mutex_lock(&down_lock);
	for (i = 0; i < DOWN_MAX; i++) {
		if (strcmp(down[i].hop, h->text) == 0) {
			was = down[i].until > now;
			slot = i;
			break;
		}
		if (down[i].until < down[slot].until)
			slot = i;	/* else reuse the stalest entry */
	}
	snprintf(down[slot].hop, sizeof(down[slot].hop), "%s", h->text);
	down[slot].until = now + CHAIN_BACKOFF_S * 1000;
	pthread_mutex_unlock(&down_lock);
	if (!was)
		log_warnx("upstream %s is down (%s): not used for %d s unless "
		    "nothing else is left", h->text, why, CHAIN_BACKOFF_S);
}

bool
chain_is_down(const struct config *c, const struct route_chain *ch)
{
	int64_t now = sgio_now_ms();
	size_t i;

	for (i = 0; i < ch->nhops; i++)
		if (hop_down(&c->hops[ch->hops[i]], now))
			return true;
	return false;
}

char *
chain_str(const struct config *c, const struct route_chain *ch, char *buf,
    size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ch->nhops && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
		    c->hops[ch->hops[i]].text);
	return buf;
}

/* A hop as a SOCKS5 destination: its literal, or its name. */
static void
hop_addr(const struct route_hop *h, struct socks5_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, h->host, a->u.v4) == 1)
		a->atyp = S5_ATYP_IPV4;
	else if (inet_pton(AF_INET6, h->host, a->u.v6) == 1)
		a->atyp = S5_ATYP_IPV6;
	else {
		(void)socks5_addr_set_name(a, h->host, h->port);
		return;
	}
	a->port = h->port;
}

static int
dial_first(const struct config *c, const struct route_hop *h,
    struct chain_result *res)
{
	struct resolve_result rr;
	size_t which;
	int rc, fd, inflight;

	if ((rc = resolve_name(h->host, h->port, c->prefer, &rr)) != 0) {
		snprintf(res->why, sizeof(res->why), "cannot resolve %s: %s",
		    h->host, gai_strerror(rc));
		return -1;
	}
	inflight = fdbudget_attempts();
	fd = sock_connect_any(rr.addrs, rr.n, NULL, c->timeout_connect * 1000,
	    SOCK_STAGGER_MS, inflight, &which);
	fdbudget_attempts_done(inflight);
	if (fd == -1)
		snprintf(res->why, sizeof(res->why), "connect: %s",
		    strerror(errno));
	return fd;
}

/* Why a handshake failed, for the log (never a password). */
static void
explain(struct chain_result *res, const struct route_hop *h,
    enum socks5_client_result r, const struct socks5_client_res *cr)
{
	const char *what;

	switch (r) {
	case S5C_REPLY:
		what = socks5_rep_str(cr->rep);
		break;
	case S5C_NO_METHOD:
		what = "no acceptable authentication method";
		break;
	case S5C_AUTH_FAILED:
		what = "login refused";
		break;
	case S5C_PROTOCOL:
		what = "not a SOCKS5 answer";
		break;
	default:
		what = strerror(errno);
		break;
	}
	snprintf(res->why, sizeof(res->why), "%s: %s", h->text, what);
}

int
chain_connect(const struct config *c, const struct route_chain *ch,
    uint8_t cmd, const struct socks5_addr *dest, struct chain_result *res)
{
	const struct route_hop *h, *next;
	struct socks5_client_req req;
	struct socks5_client_res cr;
	enum socks5_client_result r;
	size_t i;
	int fd;

	memset(res, 0, sizeof(*res));
	res->rep = S5_REP_GENERAL_FAILURE;
	h = &c->hops[ch->hops[0]];
	if ((fd = dial_first(c, h, res)) == -1) {
		/* The gateway failed, not the destination: 0x01. */
		res->hop_failed = true;
		mark_down(h, res->why);
		return -1;
	}
	for (i = 0; i < ch->nhops; i++) {
		h = &c->hops[ch->hops[i]];
		next = i + 1 < ch->nhops ? &c->hops[ch->hops[i + 1]] : NULL;
		memset(&req, 0, sizeof(req));
		req.user = h->user;
		req.pass = h->password;
		req.cmd = next != NULL ? S5_CMD_CONNECT : cmd;
		if (next != NULL)
			hop_addr(next, &req.dest);
		else
			req.dest = *dest;
		/*
		 * The last hop first connects to the destination itself, with
		 * a timeout of its own: give it that much more.
		 */
		req.timeout_ms = c->timeout_connect * 1000 * (next ? 1 : 2);
		r = socks5_client_handshake(&sgio_libc, fd, &req, &cr);
		if (r == S5C_OK)
			continue;
		explain(res, h, r, &cr);
		if (r == S5C_REPLY && next == NULL) {
			/* The destination failed at the far end: its word. */
			res->rep = cr.rep;
		} else {
			res->hop_failed = true;
			/* A hop that could not reach the next one: that one. */
			mark_down(r == S5C_REPLY ? next : h, res->why);
		}
		close(fd);
		return -1;
	}
	res->rep = S5_REP_SUCCEEDED;
	res->bnd = cr.bnd;
	return fd;
}
