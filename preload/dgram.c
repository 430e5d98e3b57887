/*
 * dgram.c - UDP through the gateway (see dgram.h).
 *
 * Per socket: the control connection of its association, the relay
 * address the gateway gave, the peer a connect() recorded, and the last
 * fakes it sent to (so an answer from the address a name resolved to at
 * the gateway is reported as coming from that name's fake).  The state
 * lives in fdstate.c's table, checked against the socket's inode, so a
 * reused fd number never inherits it; the entry owns the control
 * connection, closed when the program closes the socket.
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/uio.h>

#include "addr.h"
#include "client.h"
#include "dgram.h"
#include "dial.h"
#include "fdstate.h"
#include "real.h"

#define DG_IOV		64
#define DG_MAX		(65535 + S5_UDP_HEADER_MAX)	/* a datagram, header and all */

enum { DG_NONE = 0, DG_OPENING, DG_READY };	/* fdstate.phase */

/* The UDP state of fd, or NULL; with create, a fresh one if it has none. */
static struct fdstate *
entry(int fd, bool create)
{
	return create ? fdstate_claim(fd, FDSTATE_UDP) :
	    fdstate_get(fd, FDSTATE_UDP);
}

static int
domain_of(int fd)
{
	socklen_t len = sizeof(int);
	int d;

	return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &len) == 0 ? d : -1;
}

/* The control connection died (gateway restarted): start afresh. */
static bool
control_alive(struct fdstate *e)
{
	struct pollfd pfd = { e->ctl, POLLIN, 0 };
	char c;

	if (poll(&pfd, 1, 0) <= 0)
		return true;
	/* Readable: EOF or an error; sixgated sends nothing on it. */
	return real()->recv(e->ctl, &c, 1, MSG_DONTWAIT | MSG_PEEK) > 0;
}

/* A UDP socket of the relay's family in place of fd (same fd number). */
static int
swap_family(int fd, int family)
{
	int fl = fcntl(fd, F_GETFL), use;

	if ((use = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	dial_copy_options(fd, use);
	if (fl != -1)
		(void)fcntl(use, F_SETFL, fl);
	return dial_swap(fd, use);
}

/* UDP ASSOCIATE with the gateway, once per socket. */
static int
open_assoc(const struct lib *l, int fd, struct fdstate *e)
{
	struct socks5_client_res res;
	struct socks5_addr any;
	struct sockaddr_storage relay, gw;
	socklen_t len = sizeof(gw);
	int domain = domain_of(fd);

	/* "From wherever this socket sends": the gateway checks the host. */
	memset(&any, 0, sizeof(any));
	any.atyp = S5_ATYP_IPV4;
	e->ctl = dial_control(l, domain, S5_CMD_UDP_ASSOCIATE, &any, &res);
	if (e->ctl == -1)
		return -1;
	e->ctl_ino = fdstate_inode(e->ctl);
	if (socks5_addr_to_sockaddr(&res.bnd, &relay, &len) != S5_OK)
		goto fail;
	len = sizeof(gw);
	/* All zeros: the relay is where the control connection went. */
	if (addr_is_unspecified((struct sockaddr *)&relay) &&
	    real()->getpeername(e->ctl, (struct sockaddr *)&gw, &len) == 0) {
		addr_set_port((struct sockaddr *)&gw,
		    addr_port((struct sockaddr *)&relay));
		relay = gw;
	}
	if (relay.ss_family != domain) {
		if (swap_family(fd, relay.ss_family) == -1)
			goto fail;
		atomic_store(&e->ino, fdstate_inode(fd));
		e->u.udp.swapped = true;
	}
	memcpy(&e->u.udp.relay, &relay, addr_len((struct sockaddr *)&relay));
	return 0;
fail:
	fdstate_close_ctl(e);
	errno = errno != 0 ? errno : EPROTO;
	return -1;
}

static int
ensure_assoc(const struct lib *l, int fd, struct fdstate *e)
{
	struct timespec ms = { 0, 1000000 };
	int64_t waited = 0;
	int expect;

	for (;;) {
		expect = DG_NONE;
		if (atomic_compare_exchange_strong(&e->phase, &expect,
		    DG_OPENING)) {
			if (open_assoc(l, fd, e) == -1) {
				atomic_store(&e->phase, DG_NONE);
				return -1;
			}
			atomic_store(&e->phase, DG_READY);
			return 0;
		}
		if (expect == DG_READY) {
			if (control_alive(e))
				return 0;
			fdstate_close_ctl(e);
			atomic_store(&e->phase, DG_NONE);
			continue;
		}
		/* Another thread is opening it: wait, within the timeout. */
		if (waited++ > l->cfg.timeout_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&ms, NULL);
	}
}

static void
remember_sent(const struct lib *l, struct fdstate *e, const struct sockaddr *to)
{
	unsigned i;

	if (!fakeip_in_ranges(&l->ranges, to))
		return;
	for (i = 0; i < FDSTATE_SENT; i++)
		if (addr_equal((struct sockaddr *)&e->u.udp.sent[i], to))
			return;
	i = atomic_fetch_add(&e->u.udp.nsent, 1) % FDSTATE_SENT;
	memcpy(&e->u.udp.sent[i], to, addr_len(to));
}

/*
 * Many iovecs (DG_IOV or more, at most IOV_MAX as the kernel allows):
 * the payload copied into one buffer, *out, to free.  A payload that
 * cannot fit one datagram with the header: EMSGSIZE, as from libc.
 */
static int
gather(const struct msghdr *msg, size_t hlen, struct iovec *out)
{
	size_t i, total = 0, at = 0;
	uint8_t *p;

	if (msg->msg_iovlen > IOV_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	for (i = 0; i < msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len > 65535 - hlen - total) {
			errno = EMSGSIZE;
			return -1;
		}
		total += msg->msg_iov[i].iov_len;
	}
	if ((p = malloc(total > 0 ? total : 1)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < msg->msg_iovlen; i++) {
		memcpy(p + at, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
		at += msg->msg_iov[i].iov_len;
	}
	out->iov_base = p;
	out->iov_len = total;
	return 0;
}

bool
dgram_sendmsg(const struct lib *l, int fd, const struct msghdr *msg,
    int flags, ssize_t *rc)
{
	uint8_t hdr[S5_UDP_HEADER_MAX];
	struct iovec iov[DG_IOV];
	const struct sockaddr *to = msg->msg_name;
	socklen_t tolen = msg->msg_namelen;
	struct socks5_addr dest;
	struct fdstate *e;
	struct msghdr m;
	size_t hlen, i;
	ssize_t n;

	if (!l->enabled)
		return false;
	e = entry(fd, false);
	if (to == NULL && e != NULL && e->u.udp.connected) {
		to = (const struct sockaddr *)&e->u.udp.peer;
		tolen = addr_len(to);
	}
	if (to == NULL || !client_proxied(l, to, tolen) ||
	    client_socktype(fd) != SOCK_DGRAM)
		return false;
	if ((e == NULL && (e = entry(fd, true)) == NULL) ||
	    (e->u.udp.app_family == 0 &&
	    (e->u.udp.app_family = domain_of(fd)) == -1)) {
		*rc = -1;
		return true;
	}
	*rc = -1;
	if (client_destination(l, to, &dest) == -1 ||
	    ensure_assoc(l, fd, e) == -1)
		return true;
	if ((hlen = socks5_encode_udp(0, &dest, hdr, sizeof(hdr))) == 0) {
		errno = EINVAL;
		return true;
	}
	/* The header as one more iovec in front: the payload is not copied. */
	iov[0].iov_base = hdr;
	iov[0].iov_len = hlen;
	m = *msg;
	m.msg_name = &e->u.udp.relay;
	m.msg_namelen = addr_len((struct sockaddr *)&e->u.udp.relay);
	m.msg_iov = iov;
	if (msg->msg_iovlen < DG_IOV) {
		for (i = 0; i < msg->msg_iovlen; i++)
			iov[i + 1] = msg->msg_iov[i];
		m.msg_iovlen = msg->msg_iovlen + 1;
	} else if (gather(msg, hlen, &iov[1]) == -1)
		return true;	/* EMSGSIZE or ENOMEM: never around us */
	else
		m.msg_iovlen = 2;
	n = real()->sendmsg(fd, &m, flags);
	if (m.msg_iovlen == 2 && msg->msg_iovlen >= DG_IOV)
		free(iov[1].iov_base);
	if (n == -1)
		return true;
	remember_sent(l, e, to);
	*rc = n >= (ssize_t)hlen ? n - (ssize_t)hlen : 0;
	return true;
}

/* An IPv6 program hears from an IPv4 host as ::ffff:a.b.c.d. */
static void
in_app_family(const struct fdstate *e, struct sockaddr_storage *ss)
{
	if (e->u.udp.app_family == AF_INET6)
		addr_map_v4(ss);
}

/*
 * Where an answer comes from, as the program should see it: the fake of
 * the name sixgated gives, else the fake it sent to with that port
 * (another gateway resolved the name to this address), else the
 * literal, in the program's family.
 */
static void
source_for(struct fdstate *e, const struct socks5_addr *from,
    struct sockaddr_storage *out)
{
	const struct lib *l = lib_get();
	socklen_t len;
	uint32_t slot;
	unsigned i;

	/* sixgated names the source when a name of ours resolved to it. */
	if (from->atyp == S5_ATYP_DOMAINNAME) {
		if (fakeip_find_name(l->table, from->u.name, &slot) ==
		    FAKEIP_OK && fakeip_slot_addr(l->table, slot,
		    e->u.udp.app_family, from->port, out, &len) == FAKEIP_OK)
			return;
		memset(out, 0, sizeof(*out));
		return;
	}
	for (i = 0; i < FDSTATE_SENT; i++) {
		if (e->u.udp.sent[i].sin6_family != 0 && addr_port(
		    (struct sockaddr *)&e->u.udp.sent[i]) == from->port) {
			memcpy(out, &e->u.udp.sent[i],
			    addr_len((struct sockaddr *)&e->u.udp.sent[i]));
			return;
		}
	}
	memset(out, 0, sizeof(*out));
	if (socks5_addr_to_sockaddr(from, out, &len) != S5_OK)
		return;
	in_app_family(e, out);
}

/* Scatter len bytes of src into the program's iovecs; bytes copied. */
static size_t
scatter(const struct msghdr *msg, const uint8_t *src, size_t len)
{
	size_t i, n, done = 0;

	for (i = 0; i < msg->msg_iovlen && done < len; i++) {
		n = msg->msg_iov[i].iov_len;
		if (n > len - done)
			n = len - done;
		memcpy(msg->msg_iov[i].iov_base, src + done, n);
		done += n;
	}
	return done;
}

/*
 * Consume the datagram a MSG_PEEK just saw (a bad header or FRAG != 0),
 * so that the next peek sees the one behind it instead of spinning.
 */
static int
discard(int fd, int flags)
{
	uint8_t c;
	struct iovec iov = { &c, 1 };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	flags &= ~(MSG_PEEK | MSG_TRUNC | MSG_WAITALL);
	return real()->recvmsg(fd, &m, flags | MSG_DONTWAIT) < 0 &&
	    errno != EAGAIN && errno != EWOULDBLOCK ? -1 : 0;
}

bool
dgram_recvmsg(int fd, struct msghdr *msg, int flags, ssize_t *rc)
{
	struct fdstate *e = entry(fd, false);
	struct sockaddr_storage from, src;
	struct socks5_udp u;
	struct msghdr m;
	struct iovec iov;
	uint8_t small[2048], *buf = small;
	size_t want = S5_UDP_HEADER_MAX, i, hlen, got;
	socklen_t slen;
	ssize_t n;

	if (e == NULL || atomic_load(&e->phase) != DG_READY)
		return false;
	/* A datagram is at most DG_MAX bytes: never more buffer than that. */
	for (i = 0; i < msg->msg_iovlen && want < DG_MAX; i++)
		want += msg->msg_iov[i].iov_len;
	if (want > DG_MAX)
		want = DG_MAX;
	if (want > sizeof(small) && (buf = malloc(want)) == NULL) {
		*rc = -1;
		errno = ENOMEM;
		return true;
	}
	for (;;) {
		iov.iov_base = buf;
		iov.iov_len = want;
		m = *msg;
		m.msg_name = &from;
		m.msg_namelen = sizeof(from);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		if ((*rc = n = real()->recvmsg(fd, &m, flags)) < 0)
			break;
		if (!addr_equal((struct sockaddr *)&from,
		    (struct sockaddr *)&e->u.udp.relay)) {
			/* Not from the relay: direct traffic, as it came. */
			src = from;
			in_app_family(e, &src);
			hlen = 0;
		} else if (socks5_parse_udp(buf, (size_t)n, &u, &hlen) !=
		    S5_OK || u.frag != 0) {
			/* Not for the program: drop it, even when peeking. */
			if ((flags & MSG_PEEK) && discard(fd, flags) == -1) {
				*rc = -1;
				break;
			}
			continue;
		} else
			source_for(e, &u.addr, &src);
		got = scatter(msg, buf + hlen, (size_t)n - hlen);
		*rc = (flags & MSG_TRUNC) ? n - (ssize_t)hlen : (ssize_t)got;
		msg->msg_flags = m.msg_flags;
		if (got < (size_t)n - hlen)
			msg->msg_flags |= MSG_TRUNC;
		msg->msg_controllen = m.msg_controllen;
		if (msg->msg_name != NULL) {
			slen = addr_len((struct sockaddr *)&src);
			memcpy(msg->msg_name, &src, msg->msg_namelen < slen ?
			    msg->msg_namelen : slen);
			msg->msg_namelen = slen;
		}
		break;
	}
	if (buf != small)
		free(buf);
	return true;
}

bool
dgram_connect(const struct lib *l, int fd, const struct sockaddr *sa,
    socklen_t len, int *rc)
{
	struct fdstate *e;

	if (!l->enabled || sa == NULL || client_socktype(fd) != SOCK_DGRAM)
		return false;
	e = entry(fd, false);
	if (!client_proxied(l, sa, len)) {
		/* Elsewhere, or AF_UNSPEC to disconnect: libc's business. */
		if (e != NULL)
			e->u.udp.connected = false;
		return false;
	}
	if (e == NULL && (e = entry(fd, true)) == NULL)
		return false;
	if (e->u.udp.app_family == 0)
		e->u.udp.app_family = domain_of(fd);
	memset(&e->u.udp.peer, 0, sizeof(e->u.udp.peer));
	memcpy(&e->u.udp.peer, sa, addr_len(sa));
	e->u.udp.connected = true;
	*rc = 0;
	return true;
}

bool
dgram_peername(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct fdstate *e = entry(fd, false);
	socklen_t n;

	if (e == NULL || !e->u.udp.connected || sa == NULL || len == NULL)
		return false;
	n = addr_len((struct sockaddr *)&e->u.udp.peer);
	memcpy(sa, &e->u.udp.peer, *len < n ? *len : n);
	*len = n;
	return true;
}

bool
dgram_sockname(int fd, struct sockaddr *sa, socklen_t *len, int *rc)
{
	struct fdstate *e = entry(fd, false);
	struct sockaddr_storage real_ss, fake;
	socklen_t rlen = sizeof(real_ss), n;

	if (e == NULL || !e->u.udp.swapped || sa == NULL || len == NULL)
		return false;
	/* The socket underneath is of the other family: the program's. */
	if ((*rc = real()->getsockname(fd, (struct sockaddr *)&real_ss,
	    &rlen)) == -1)
		return true;
	memset(&fake, 0, sizeof(fake));
	fake.ss_family = (sa_family_t)e->u.udp.app_family;
	addr_set_port((struct sockaddr *)&fake,
	    addr_port((struct sockaddr *)&real_ss));
	n = addr_len((struct sockaddr *)&fake);
	memcpy(sa, &fake, *len < n ? *len : n);
	*len = n;
	return true;
}
