/*
 * dgram.c - UDP through the gateway (see dgram.h).
 *
 * Per socket: the control connection of its association, the relay
 * address the gateway gave, the peer a connect() recorded, and the last
 * fakes it sent to (so an answer from the address a name resolved to at
 * the gateway is reported as coming from that name's fake).  The state
 * lives in a table indexed by fd and checked against the socket's inode,
 * so a reused fd number never inherits it.
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "addr.h"
#include "client.h"
#include "dgram.h"
#include "real.h"

#define DG_FDS		65536
#define DG_SENT		8
#define DG_IOV		64

enum { DG_NONE = 0, DG_OPENING, DG_READY };

struct dgstate {
	_Atomic uint64_t	ino;		/* the UDP socket; 0: free */
	atomic_int		phase;
	int			app_family;	/* the program's socket family */
	int			ctl;		/* control connection */
	uint64_t		ctl_ino;
	struct sockaddr_in6	relay;		/* or a sockaddr_in */
	bool			connected;
	struct sockaddr_in6	peer;		/* what connect() named */
	struct sockaddr_in6	sent[DG_SENT];	/* recent fakes sent to */
	atomic_uint		nsent;
	bool			swapped;	/* other family underneath */
};

static _Atomic(struct dgstate *) table;

static uint64_t
ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* The state of fd; with create, a fresh one if it has none. */
static struct dgstate *
entry(int fd, bool create)
{
	struct dgstate *t = atomic_load(&table), *expect = NULL, *e;
	uint64_t ino;
	void *mem;

	if (fd < 0 || fd >= DG_FDS)
		return NULL;
	if (t == NULL) {
		if (!create)
			return NULL;
		mem = mmap(NULL, DG_FDS * sizeof(*t), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return NULL;
		if (!atomic_compare_exchange_strong(&table, &expect, mem)) {
			munmap(mem, DG_FDS * sizeof(*t));
			mem = expect;
		}
		t = mem;
	}
	e = &t[fd];
	/* Cheap test first: most fds never had UDP state (no fstat). */
	if (atomic_load(&e->ino) == 0 && !create)
		return NULL;
	if ((ino = ino_of(fd)) == 0)
		return NULL;
	if (atomic_load(&e->ino) == ino)
		return e;
	if (!create)
		return NULL;
	dgram_forget(fd);
	memset((char *)e + sizeof(e->ino), 0, sizeof(*e) - sizeof(e->ino));
	e->ctl = -1;
	atomic_store(&e->ino, ino);
	return e;
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
control_alive(struct dgstate *e)
{
	struct pollfd pfd = { e->ctl, POLLIN, 0 };
	char c;

	if (poll(&pfd, 1, 0) <= 0)
		return true;
	/* Readable: EOF or an error; sixgated sends nothing on it. */
	return recv(e->ctl, &c, 1, MSG_DONTWAIT | MSG_PEEK) > 0;
}

static void
close_control(struct dgstate *e)
{
	if (e->ctl != -1 && ino_of(e->ctl) == e->ctl_ino)
		real()->close(e->ctl);
	e->ctl = -1;
}

/* A UDP socket of the relay's family in place of fd (same fd number). */
static int
swap_family(int fd, int family)
{
	int fl = fcntl(fd, F_GETFL), use;

	if ((use = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	client_copy_options(fd, use);
	if (fl != -1)
		(void)fcntl(use, F_SETFL, fl);
	return client_swap(fd, use);
}

/* UDP ASSOCIATE with the gateway, once per socket. */
static int
open_assoc(const struct lib *l, int fd, struct dgstate *e)
{
	struct socks5_client_res res;
	struct socks5_addr any;
	struct sockaddr_storage relay, gw;
	socklen_t len = sizeof(gw);
	int domain = domain_of(fd);

	/* "From wherever this socket sends": the gateway checks the host. */
	memset(&any, 0, sizeof(any));
	any.atyp = S5_ATYP_IPV4;
	e->ctl = client_control(l, domain, S5_CMD_UDP_ASSOCIATE, &any, &res);
	if (e->ctl == -1)
		return -1;
	e->ctl_ino = ino_of(e->ctl);
	if (socks5_addr_to_sockaddr(&res.bnd, &relay, &len) != S5_OK)
		goto fail;
	len = sizeof(gw);
	/* All zeros: the relay is where the control connection went. */
	if (addr_is_unspecified((struct sockaddr *)&relay) && getpeername(e->ctl,
	    (struct sockaddr *)&gw, &len) == 0) {
		addr_set_port((struct sockaddr *)&gw,
		    addr_port((struct sockaddr *)&relay));
		relay = gw;
	}
	if (relay.ss_family != domain) {
		if (swap_family(fd, relay.ss_family) == -1)
			goto fail;
		atomic_store(&e->ino, ino_of(fd));
		e->swapped = true;
	}
	memcpy(&e->relay, &relay, addr_len((struct sockaddr *)&relay));
	return 0;
fail:
	close_control(e);
	errno = errno != 0 ? errno : EPROTO;
	return -1;
}

static int
ensure_assoc(const struct lib *l, int fd, struct dgstate *e)
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
			close_control(e);
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
remember_sent(const struct lib *l, struct dgstate *e, const struct sockaddr *to)
{
	unsigned i;

	if (!fakeip_in_ranges(&l->ranges, to))
		return;
	for (i = 0; i < DG_SENT; i++)
		if (addr_equal((struct sockaddr *)&e->sent[i], to))
			return;
	i = atomic_fetch_add(&e->nsent, 1) % DG_SENT;
	memcpy(&e->sent[i], to, addr_len(to));
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
	struct dgstate *e;
	struct msghdr m;
	size_t hlen, i;
	ssize_t n;

	if (!l->enabled)
		return false;
	e = entry(fd, false);
	if (to == NULL && e != NULL && e->connected) {
		to = (const struct sockaddr *)&e->peer;
		tolen = addr_len(to);
	}
	if (to == NULL || !client_proxied(l, to, tolen) ||
	    client_socktype(fd) != SOCK_DGRAM || msg->msg_iovlen >= DG_IOV)
		return false;
	if ((e == NULL && (e = entry(fd, true)) == NULL) ||
	    (e->app_family == 0 && (e->app_family = domain_of(fd)) == -1)) {
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
	for (i = 0; i < msg->msg_iovlen; i++)
		iov[i + 1] = msg->msg_iov[i];
	m = *msg;
	m.msg_name = &e->relay;
	m.msg_namelen = addr_len((struct sockaddr *)&e->relay);
	m.msg_iov = iov;
	m.msg_iovlen = msg->msg_iovlen + 1;
	if ((n = real()->sendmsg(fd, &m, flags)) == -1)
		return true;
	remember_sent(l, e, to);
	*rc = n >= (ssize_t)hlen ? n - (ssize_t)hlen : 0;
	return true;
}

/* An IPv6 program hears from an IPv4 host as ::ffff:a.b.c.d. */
static void
in_app_family(const struct dgstate *e, struct sockaddr_storage *ss)
{
	if (e->app_family == AF_INET6)
		addr_map_v4(ss);
}

/*
 * Where an answer comes from, as the program should see it: the fake of
 * the name sixgated gives, else the fake it sent to with that port
 * (another gateway resolved the name to this address), else the
 * literal, in the program's family.
 */
static void
source_for(struct dgstate *e, const struct socks5_addr *from,
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
		    e->app_family, from->port, out, &len) == FAKEIP_OK)
			return;
		memset(out, 0, sizeof(*out));
		return;
	}
	for (i = 0; i < DG_SENT; i++) {
		if (e->sent[i].sin6_family != 0 && addr_port(
		    (struct sockaddr *)&e->sent[i]) == from->port) {
			memcpy(out, &e->sent[i],
			    addr_len((struct sockaddr *)&e->sent[i]));
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

bool
dgram_recvmsg(int fd, struct msghdr *msg, int flags, ssize_t *rc)
{
	struct dgstate *e = entry(fd, false);
	struct sockaddr_storage from, src;
	struct socks5_udp u;
	struct msghdr m;
	struct iovec iov;
	uint8_t small[2048], *buf = small;
	size_t want = S5_UDP_HEADER_MAX, i, hlen, got;
	ssize_t n;

	if (e == NULL || atomic_load(&e->phase) != DG_READY)
		return false;
	for (i = 0; i < msg->msg_iovlen; i++)
		want += msg->msg_iov[i].iov_len;
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
		    (struct sockaddr *)&e->relay)) {
			/* Not from the relay: direct traffic, as it came. */
			src = from;
			in_app_family(e, &src);
			hlen = 0;
		} else if (socks5_parse_udp(buf, (size_t)n, &u, &hlen) !=
		    S5_OK || u.frag != 0)
			continue;	/* not for the program: drop it */
		else
			source_for(e, &u.addr, &src);
		got = scatter(msg, buf + hlen, (size_t)n - hlen);
		*rc = (flags & MSG_TRUNC) ? n - (ssize_t)hlen : (ssize_t)got;
		msg->msg_flags = m.msg_flags;
		if (got < (size_t)n - hlen)
			msg->msg_flags |= MSG_TRUNC;
		msg->msg_controllen = m.msg_controllen;
		if (msg->msg_name != NULL) {
			memcpy(msg->msg_name, &src, msg->msg_namelen <
			    addr_len((struct sockaddr *)&src) ?
			    msg->msg_namelen : addr_len((struct sockaddr *)&src));
			msg->msg_namelen = addr_len((struct sockaddr *)&src);
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
	struct dgstate *e;

	if (!l->enabled || sa == NULL || client_socktype(fd) != SOCK_DGRAM)
		return false;
	e = entry(fd, false);
	if (!client_proxied(l, sa, len)) {
		/* Elsewhere, or AF_UNSPEC to disconnect: libc's business. */
		if (e != NULL)
			e->connected = false;
		return false;
	}
	if (e == NULL && (e = entry(fd, true)) == NULL)
		return false;
	if (e->app_family == 0)
		e->app_family = domain_of(fd);
	memset(&e->peer, 0, sizeof(e->peer));
	memcpy(&e->peer, sa, addr_len(sa));
	e->connected = true;
	*rc = 0;
	return true;
}

bool
dgram_peername(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct dgstate *e = entry(fd, false);
	socklen_t n;

	if (e == NULL || !e->connected || sa == NULL || len == NULL)
		return false;
	n = addr_len((struct sockaddr *)&e->peer);
	memcpy(sa, &e->peer, *len < n ? *len : n);
	*len = n;
	return true;
}

void
dgram_forget(int fd)
{
	struct dgstate *t = atomic_load(&table), *e;

	if (t == NULL || fd < 0 || fd >= DG_FDS)
		return;
	e = &t[fd];
	if (atomic_load(&e->ino) == 0)
		return;
	atomic_store(&e->ino, 0);
	close_control(e);
	atomic_store(&e->phase, DG_NONE);
}

bool
dgram_sockname(int fd, struct sockaddr *sa, socklen_t *len, int *rc)
{
	struct dgstate *e = entry(fd, false);
	struct sockaddr_storage real_ss, fake;
	socklen_t rlen = sizeof(real_ss), n;

	if (e == NULL || !e->swapped || sa == NULL || len == NULL)
		return false;
	/* The socket underneath is of the other family: the program's. */
	if ((*rc = real()->getsockname(fd, (struct sockaddr *)&real_ss,
	    &rlen)) == -1)
		return true;
	memset(&fake, 0, sizeof(fake));
	fake.ss_family = (sa_family_t)e->app_family;
	addr_set_port((struct sockaddr *)&fake,
	    addr_port((struct sockaddr *)&real_ss));
	n = addr_len((struct sockaddr *)&fake);
	memcpy(sa, &fake, *len < n ? *len : n);
	*len = n;
	return true;
}
