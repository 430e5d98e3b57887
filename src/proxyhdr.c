/*
 * proxyhdr.c - reading a PROXY protocol header in the session (see
 * proxyhdr.h).  The header is peeked, parsed (proxyproto.h), and only
 * its own bytes are consumed: a balancer may send the client's first
 * bytes in the same segment, and they belong to the door.
 */
#include "sgconfig.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "log.h"
#include "proxyhdr.h"
#include "proxyproto.h"
#include "registry.h"
#include "sgio.h"
#include "stats.h"

#define COMPLAIN_MS	10000	/* one line per interval, not per client */

static const char header_timeout[] = "no header in time";

/* Take n bytes that a peek showed are there. */
static int
consume(int fd, uint8_t *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = recv(fd, p, n, 0)) > 0) {
			p += k;
			n -= (size_t)k;
		} else if (k == 0 || (errno != EINTR && errno != EAGAIN))
			return -1;
	}
	return 0;
}

/*
 * Peek, parse, consume until the header is complete.  OK with *h, or
 * NEED_MORE with *why (errno ETIMEDOUT, or 0 with nothing received), or
 * ERROR with *why.
 */
static enum proxyproto_status
read_header(struct request *r, uint8_t *buf, struct proxyproto_hdr *h,
    const char **why)
{
	int64_t deadline = r->start + (int64_t)r->cfg->timeout_handshake *
	    1000;
	enum proxyproto_status st;
	size_t have = 0, used;
	ssize_t n;

	for (;;) {
		if (sgio_wait(r->cfd, POLLIN, deadline) == -1) {
			*why = errno == ETIMEDOUT ? header_timeout :
			    "poll failed";
			return PROXYPROTO_NEED_MORE;
		}
		n = recv(r->cfd, buf + have, PROXYPROTO_MAX - have, MSG_PEEK);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			/* A check that connects and closes, maybe with RST. */
			*why = have == 0 ? NULL : n == 0 ? "connection closed "
			    "in the header" : "connection reset in the header";
			return PROXYPROTO_NEED_MORE;
		}
		st = proxyproto_parse(buf, have + (size_t)n, h, &used, why);
		if (st == PROXYPROTO_ERROR)
			return st;
		/* NEED_MORE: every byte seen is the header's. */
		if (st == PROXYPROTO_NEED_MORE)
			used = have + (size_t)n;
		if (consume(r->cfd, buf + have, used - have) == -1) {
			*why = "cannot read the header";
			return PROXYPROTO_NEED_MORE;
		}
		have = used;
		if (st == PROXYPROTO_OK)
			return st;
	}
}

/* A per-client limit refused the proxied client: rate-limited line. */
static void
complain_limit(const struct request *r, int err)
{
	static _Atomic int64_t last;
	bool uses = err == EUSERS;

	stats_refused(uses ? STATS_REFUSED_MAX_PER_CLIENT :
	    err == ETOOMANYREFS ? STATS_REFUSED_MAX_HANDSHAKES_PER_CLIENT :
	    STATS_REFUSED_PROXY);
	if (!log_due(&last, sgio_now_ms(), COMPLAIN_MS))
		return;
	if (err == EUSERS || err == ETOOMANYREFS)
		log_warnx("%s has %d sessions%s (limits.%s): refusing more",
		    r->peerhost, uses ? r->cfg->max_per_client :
		    r->cfg->max_handshakes_per_client, uses ? "" :
		    " in their handshake", uses ? "max_per_client" :
		    "max_handshakes_per_client");
	else
		log_warnx("cannot count a proxied session: %s", strerror(err));
}

/* The header said who the client is: it becomes r's client. */
static int
take_client(struct request *r, const struct proxyproto_hdr *h)
{
	char was[ADDR_STRLEN], now[ADDR_STRLEN];

	addr_ntop((const struct sockaddr *)&r->peer, was, sizeof(was));
	if (h->kind == PROXYPROTO_PROXY)
		r->peer = h->src;
	addr_ntop_host((const struct sockaddr *)&r->peer, r->peerhost,
	    sizeof(r->peerhost));
	log_debug("PROXY v%d header from %s: client %s", h->version, was,
	    h->kind == PROXYPROTO_PROXY ? addr_ntop((const struct sockaddr *)
	    &r->peer, now, sizeof(now)) : "unknown (the balancer's address "
	    "stays)");
	if (registry_set_client(r->reg, (const struct sockaddr *)&r->peer,
	    r->cfg) == -1) {
		complain_limit(r, errno);
		return -1;
	}
	return 0;
}

int
proxyhdr_read(struct request *r)
{
	struct proxyproto_hdr h;
	enum proxyproto_status st;
	const char *why = NULL;
	uint8_t *buf;
	int rc = -1;

	if ((buf = malloc(PROXYPROTO_MAX)) == NULL) {
		log_warn("PROXY protocol header");
		return -1;
	}
	st = read_header(r, buf, &h, &why);
	if (st == PROXYPROTO_OK && h.kind == PROXYPROTO_LOCAL)
		log_debug("PROXY v2 LOCAL (a health check): closing");
	else if (st == PROXYPROTO_OK)
		rc = take_client(r, &h);
	else if (why == NULL)
		log_debug("closed before a PROXY header (a health check)");
	else {
		stats_refused(STATS_REFUSED_PROXY);
		if (why == header_timeout)
			log_info("PROXY protocol: %s (timeouts.handshake, %d s): "
			    "refused", why, r->cfg->timeout_handshake);
		else
			log_info("PROXY protocol: %s: refused", why);
	}
	free(buf);
	return rc;
}
