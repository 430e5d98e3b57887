/*
 * udp.c - UDP ASSOCIATE relay (see udp.h).
 *
 * Datagrams from the client are accepted only from the control
 * connection's peer address (and its declared port, when it gave one);
 * each carries its destination in the SOCKS UDP header, checked against
 * the rules per datagram.  Answers are accepted only from destinations
 * the client has sent to, so the association is no open UDP reflector.
 * Bad datagrams are dropped and counted, never fatal.
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <time.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>

#include "acl.h"
#include "addr.h"
#include "log.h"
#include "resolve.h"
#include "sgio.h"
#include "sock.h"
#include "socks5.h"
#include "escape.h"
#include "selfaddr.h"
#include "timewin.h"
#include "udp.h"

#define DGRAM_MAX	65535
#define NAMES_MAX	32	/* names resolved once per association */
#define PEERS_MAX	256	/* destinations the client sent to */

struct udp_state {
	struct udp_assoc	*a;
	struct udp_stats	*st;
	struct sockaddr_storage	 client_udp;	/* where answers go */
	bool			 have_client;
	struct {
		char			name[S5_NAME_MAX + 1];
		struct sockaddr_storage	addr;
	} names[NAMES_MAX];
	size_t			 nnames, next_name;
	struct sockaddr_storage	 peers[PEERS_MAX];
	size_t			 npeers, next_peer;
	uint8_t			 buf[S5_UDP_HEADER_MAX + DGRAM_MAX];
};

static int
udp_socket(int family)
{
	return socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int
udp_assoc_open(struct udp_assoc *a, struct sockaddr_storage *bnd)
{
	socklen_t len = sizeof(*bnd);
	int saved;

	a->ufd = a->out4 = a->out6 = -1;
	if (getsockname(a->ctl, (struct sockaddr *)bnd, &len) == -1)
		return -1;
	addr_set_port((struct sockaddr *)bnd, 0);
	if ((a->ufd = udp_socket(bnd->ss_family)) == -1)
		return -1;
	len = addr_len((struct sockaddr *)bnd);
	if (bind(a->ufd, (struct sockaddr *)bnd, len) == -1 ||
	    getsockname(a->ufd, (struct sockaddr *)bnd, &len) == -1) {
		saved = errno;
		close(a->ufd);
		a->ufd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

static bool
same_host(const struct sockaddr *x, const struct sockaddr *y)
{
	struct sockaddr_storage a, b;

	memcpy(&a, x, addr_len(x));
	memcpy(&b, y, addr_len(y));
	addr_set_port((struct sockaddr *)&a, 0);
	addr_set_port((struct sockaddr *)&b, 0);
	return addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b);
}

/* The destination of a datagram as an address (names cached). */
static int
dest_addr(struct udp_state *u, const struct socks5_addr *d,
    struct sockaddr_storage *ss)
{
	struct resolve_result res;
	char esc[ESCAPE_LEN(S5_NAME_MAX)];
	socklen_t len;
	size_t i;

	if (d->atyp != S5_ATYP_DOMAINNAME)
		return socks5_addr_to_sockaddr(d, ss, &len) == S5_OK ? 0 : -1;
	for (i = 0; i < u->nnames; i++) {
		if (strcasecmp(u->names[i].name, d->u.name) == 0) {
			*ss = u->names[i].addr;
			addr_set_port((struct sockaddr *)ss, d->port);
			return 0;
		}
	}
	if (resolve_name(d->u.name, d->port, u->a->cfg->prefer, &res) != 0) {
		log_debug("udp: cannot resolve %s",
		    escape_log_str(d->u.name, esc, sizeof(esc)));
		return -1;
	}
	*ss = res.addrs[0];
	i = u->nnames < NAMES_MAX ? u->nnames++ : u->next_name++ % NAMES_MAX;
	snprintf(u->names[i].name, sizeof(u->names[i].name), "%s", d->u.name);
	u->names[i].addr = res.addrs[0];
	return 0;
}

static bool
allowed(struct udp_state *u, const struct socks5_addr *d,
    const struct sockaddr *dest)
{
	const struct config *c = u->a->cfg;
	struct acl_query q = u->a->q;
	time_t t = time(NULL);
	struct tm tm;
	int r;

	q.client = (const struct sockaddr *)&u->a->client;
	q.user = u->a->user;
	q.dest = dest;
	q.name = d->atyp == S5_ATYP_DOMAINNAME ? d->u.name : NULL;
	q.port = 0;
	q.command = ACL_CMD_UDP;
	q.is_self = selfaddr_has;
	if (localtime_r(&t, &tm) != NULL)
		q.now = timewin_week_secs(&tm);
	r = acl_match(c->rules, c->nrules, &q);
	return r >= 0 && c->rules[r].action == ACL_ALLOW;
}

static void
remember_peer(struct udp_state *u, const struct sockaddr_storage *ss)
{
	size_t i;

	for (i = 0; i < u->npeers; i++)
		if (addr_equal((const struct sockaddr *)&u->peers[i],
		    (const struct sockaddr *)ss))
			return;
	i = u->npeers < PEERS_MAX ? u->npeers++ : u->next_peer++ % PEERS_MAX;
	u->peers[i] = *ss;
}

static bool
known_peer(const struct udp_state *u, const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; i < u->npeers; i++)
		if (addr_equal((const struct sockaddr *)&u->peers[i], sa))
			return true;
	return false;
}

/* One datagram from the client: unwrap, check, send on. */
static bool
from_client(struct udp_state *u)
{
	struct udp_assoc *a = u->a;
	struct sockaddr_storage src, dst;
	socklen_t slen = sizeof(src);
	struct socks5_udp h;
	size_t hlen;
	ssize_t n;
	int *out;

	n = recvfrom(a->ufd, u->buf, sizeof(u->buf), 0,
	    (struct sockaddr *)&src, &slen);
	if (n < 0)
		return false;
	/* Only the client that holds the control connection may use it. */
	if (!same_host((struct sockaddr *)&src,
	    (struct sockaddr *)&a->client) || (a->declared_port != 0 &&
	    addr_port((struct sockaddr *)&src) != a->declared_port) ||
	    socks5_parse_udp(u->buf, (size_t)n, &h, &hlen) != S5_OK ||
	    h.frag != 0 || dest_addr(u, &h.addr, &dst) == -1 ||
	    !allowed(u, &h.addr, (struct sockaddr *)&dst)) {
		u->st->dropped++;
		return false;
	}
	u->client_udp = src;
	u->have_client = true;
	out = dst.ss_family == AF_INET6 ? &a->out6 : &a->out4;
	if (*out == -1 && (*out = udp_socket(dst.ss_family)) == -1) {
		u->st->dropped++;
		return false;
	}
	if (sendto(*out, u->buf + hlen, (size_t)n - hlen, 0,
	    (struct sockaddr *)&dst, addr_len((struct sockaddr *)&dst)) < 0) {
		u->st->dropped++;
		return false;
	}
	remember_peer(u, &dst);
	u->st->dgrams_up++;
	u->st->bytes_up += (uint64_t)n - hlen;
	return true;
}

/* The name (resolved for this association) an answer's source is from. */
static const char *
name_of(const struct udp_state *u, const struct sockaddr *src)
{
	size_t i;

	for (i = 0; i < u->nnames; i++)
		if (same_host((const struct sockaddr *)&u->names[i].addr, src))
			return u->names[i].name;
	return NULL;
}

/* One answer from a destination: wrap it and pass it to the client. */
static bool
from_dest(struct udp_state *u, int fd)
{
	struct sockaddr_storage src;
	socklen_t slen = sizeof(src);
	struct socks5_addr from;
	uint8_t hdr[S5_UDP_HEADER_MAX], *p;
	const char *name;
	size_t hlen;
	ssize_t n;

	n = recvfrom(fd, u->buf + S5_UDP_HEADER_MAX, DGRAM_MAX, 0,
	    (struct sockaddr *)&src, &slen);
	if (n < 0)
		return false;
	if (u->a->names_in_replies &&
	    (name = name_of(u, (struct sockaddr *)&src)) != NULL)
		(void)socks5_addr_set_name(&from, name,
		    addr_port((struct sockaddr *)&src));
	else if (socks5_addr_from_sockaddr(&from, (struct sockaddr *)&src) !=
	    S5_OK)
		from.atyp = 0;
	if (!u->have_client || !known_peer(u, (struct sockaddr *)&src) ||
	    from.atyp == 0 ||
	    (hlen = socks5_encode_udp(0, &from, hdr, sizeof(hdr))) == 0) {
		u->st->dropped++;
		return false;
	}
	/* The header goes right before the payload: one sendto, no copy. */
	p = u->buf + S5_UDP_HEADER_MAX - hlen;
	memcpy(p, hdr, hlen);
	if (sendto(u->a->ufd, p, hlen + (size_t)n, 0,
	    (struct sockaddr *)&u->client_udp,
	    addr_len((struct sockaddr *)&u->client_udp)) < 0) {
		u->st->dropped++;
		return false;
	}
	u->st->dgrams_down++;
	u->st->bytes_down += (uint64_t)n;
	return true;
}

/* Anything on the control connection: EOF ends the association. */
static bool
control_closed(int ctl)
{
	char junk[256];
	ssize_t n = recv(ctl, junk, sizeof(junk), MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR);
}

/*
 * How long poll may wait: until the idle time runs out or the deadline
 * comes (-1: forever); 0 with *end set when one of them has come.
 */
static int64_t
wait_ms(const struct udp_assoc *a, int64_t last, int64_t idle,
    const char **end)
{
	int64_t now = sgio_now_ms(), wait = -1;

	if (idle > 0 && (wait = last + idle - now) <= 0) {
		*end = "idle-timeout";
		return 0;
	}
	if (a->deadline > 0 && a->deadline - now <= 0) {
		*end = "time";
		return 0;
	}
	if (a->deadline > 0 && (wait == -1 || a->deadline - now < wait))
		wait = a->deadline - now;
	return wait;
}

const char *
udp_assoc_run(struct udp_assoc *a, struct udp_stats *st)
{
	struct udp_state *u;
	struct pollfd pfd[4];
	int64_t last = sgio_now_ms(), wait;
	int64_t idle = (int64_t)a->cfg->timeout_idle * 1000;
	const char *end = "closed";
	bool moved;
	int rc;

	/* 64 KiB of datagram buffer: the heap, not the thread stack. */
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		end = "out-of-memory";
		goto out;
	}
	u->a = a;
	u->st = st;
	for (;;) {
		pfd[0] = (struct pollfd){ a->ctl, POLLIN, 0 };
		pfd[1] = (struct pollfd){ a->ufd, POLLIN, 0 };
		pfd[2] = (struct pollfd){ a->out4, POLLIN, 0 };
		pfd[3] = (struct pollfd){ a->out6, POLLIN, 0 };
		if ((wait = wait_ms(a, last, idle, &end)) == 0)
			break;
		rc = poll(pfd, 4, (int)(wait > INT32_MAX ? INT32_MAX : wait));
		if (rc == -1 && errno != EINTR) {
			end = "poll-error";
			break;
		}
		if (rc <= 0)
			continue;
		if (pfd[0].revents != 0 && control_closed(a->ctl))
			break;
		/* Only datagrams relayed count as activity, not dropped ones. */
		moved = false;
		if ((pfd[1].revents & POLLIN) && from_client(u))
			moved = true;
		if ((pfd[2].revents & POLLIN) && from_dest(u, a->out4))
			moved = true;
		if ((pfd[3].revents & POLLIN) && from_dest(u, a->out6))
			moved = true;
		if (moved)
			last = sgio_now_ms();
	}
	free(u);
out:
	if (a->ufd != -1)
		close(a->ufd);
	if (a->out4 != -1)
		close(a->out4);
	if (a->out6 != -1)
		close(a->out6);
	a->ufd = a->out4 = a->out6 = -1;
	return end;
}
