/*
 * dnsfwd.c - the DNS front door's forwarding (see dnsfwd.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <poll.h>
#include <resolv.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "addr.h"
#include "dns_udp.h"
#include "dnsfwd.h"
#include "gate.h"
#include "log.h"
#include "sgio.h"

#define COMPLAIN_MS	10000
#define QUERY_ROOM	(DNSMSG_HDR_LEN + DNSMSG_WIRE_NAME_MAX + 4 + 11)

/* The system resolver's settings, as res_ninit read them. */
struct fwd_conf {
	struct sockaddr_storage	 ns[MAXNS];
	size_t			 n;
	int			 try_ms;	/* one server, one attempt */
	int			 attempts;
};

/* One forwarded query: the upstream's answer and how much of it came. */
struct fwd {
	const struct dnsmsg_query *q;
	const char	*what;
	uint16_t	 id;
	uint8_t		 query[2 + QUERY_ROOM];	/* TCP length prefix first */
	size_t		 qlen;
	uint8_t		*ans;
	size_t		 anslen, len, whole;
	int64_t		 deadline;
	int		 stopfd;	/* dns_udp_stopfd, or -1 (TCP) */
	bool		 stopped;	/* it became readable */
};

static struct gate udp_busy = GATE_INITIALIZER(DNSFWD_UDP_MAX);
static _Atomic int64_t said_loop, said_busy;

/* /etc/resolv.conf through res_ninit: 0, or -1 (no usable server). */
static int
read_conf(struct fwd_conf *c)
{
	struct __res_state st;
	int i;

	memset(&st, 0, sizeof(st));
	memset(c, 0, sizeof(*c));
	if (res_ninit(&st) != 0)
		return -1;
	for (i = 0; i < st.nscount && i < MAXNS; i++) {
		if (st.nsaddr_list[i].sin_family == AF_INET)
			memcpy(&c->ns[c->n++], &st.nsaddr_list[i],
			    sizeof(st.nsaddr_list[i]));
		else if (st._u._ext.nsaddrs[i] != NULL)
			memcpy(&c->ns[c->n++], st._u._ext.nsaddrs[i],
			    sizeof(struct sockaddr_in6));
	}
	/* Every server gets a try within the total, at least a second. */
	c->try_ms = st.retrans > 0 ? st.retrans * 1000 : 1000;
	if (c->n > 0 && c->try_ms > DNSFWD_TOTAL_MS / (int)c->n)
		c->try_ms = DNSFWD_TOTAL_MS / (int)c->n;
	if (c->try_ms < 1000)
		c->try_ms = 1000;
	c->attempts = st.retry > 0 ? st.retry : 1;
	res_nclose(&st);
	return c->n > 0 ? 0 : -1;
}

/* The first nameserver that is one of our own dns listeners, or c->n. */
static size_t
self_ns(const struct fwd_conf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (dns_udp_listens_on((const struct sockaddr *)&c->ns[i]))
			break;
	return i;
}

/* Is a nameserver one of our own dns listeners?  Logged (rate-limited). */
static bool
conf_loops(const struct fwd_conf *c, const char *what)
{
	char buf[ADDR_STRLEN];
	size_t i = self_ns(c);

	if (i == c->n)
		return false;
	if (log_due(&said_loop, sgio_now_ms(), COMPLAIN_MS))
		log_warnx("dns: %s: not forwarded: nameserver %s of "
		    "/etc/resolv.conf is this gateway's own dns listener (a "
		    "loop; name the upstream servers there): answering "
		    "SERVFAIL", what, addr_ntop((const struct sockaddr *)
		    &c->ns[i], buf, sizeof(buf)));
	return true;
}

bool
dnsfwd_names_self(struct sockaddr_storage *ns)
{
	struct fwd_conf c;
	size_t i;

	if (read_conf(&c) == -1 || (i = self_ns(&c)) == c.n)
		return false;
	*ns = c.ns[i];
	return true;
}

/*
 * Wait for fd to be readable by deadline: 0, or -1 (the deadline, or
 * the UDP workers told to stop: f->stopped, so that shutdown does not
 * wait out DNSFWD_TOTAL_MS).
 */
static int
wait_reply(struct fwd *f, int fd, int64_t deadline)
{
	struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { f->stopfd, POLLIN, 0 } };

	if (sgio_poll(pfd, f->stopfd == -1 ? 1 : 2, deadline) == -1)
		return -1;
	if (pfd[1].revents != 0)
		f->stopped = true;
	return f->stopped ? -1 : 0;
}

/* Send our query to ns over UDP, wait for its answer: 0, or -1. */
static int
ask_udp(struct fwd *f, const struct sockaddr_storage *ns, int64_t deadline)
{
	const struct sockaddr *sa = (const struct sockaddr *)ns;
	ssize_t n = -1;
	int fd;

	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	/* Connected: only that server's datagrams reach this socket. */
	if (connect(fd, sa, addr_len(sa)) == -1 || send(fd, f->query + 2,
	    f->qlen, MSG_NOSIGNAL) != (ssize_t)f->qlen)
		goto out;
	while (wait_reply(f, fd, deadline) == 0) {
		/* MSG_TRUNC: the datagram's whole length, even if cut. */
		n = recv(fd, f->ans, f->anslen, MSG_TRUNC);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == -1)
			break;		/* ECONNREFUSED: nobody there */
		if (n >= DNSMSG_HDR_LEN && (f->ans[0] << 8 | f->ans[1]) ==
		    f->id)
			break;
		n = -1;			/* not our answer: wait on */
	}
out:
	close(fd);
	if (n < DNSMSG_HDR_LEN)
		return -1;
	f->whole = (size_t)n;
	f->len = f->whole < f->anslen ? f->whole : f->anslen;
	return 0;
}

/* The same over TCP (RFC 1035 section 4.2.2): 0, or -1. */
static int
ask_tcp(struct fwd *f, const struct sockaddr_storage *ns, int64_t deadline)
{
	const struct sockaddr *sa = (const struct sockaddr *)ns;
	uint8_t two[2];
	int fd, rc = -1;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	f->query[0] = (uint8_t)(f->qlen >> 8);
	f->query[1] = (uint8_t)f->qlen;
	if (sgio_connect(&sgio_libc, fd, sa, addr_len(sa), deadline) == -1 ||
	    sgio_send_all(&sgio_libc, fd, f->query, f->qlen + 2, deadline)
	    == -1 || sgio_recv_all(&sgio_libc, fd, two, 2, deadline) == -1)
		goto out;
	f->whole = (size_t)two[0] << 8 | two[1];
	/* A longer answer is cut here: the client then gets TC. */
	f->len = f->whole < f->anslen ? f->whole : f->anslen;
	if (f->whole >= DNSMSG_HDR_LEN &&
	    sgio_recv_all(&sgio_libc, fd, f->ans, f->len, deadline) == 0)
		rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * Is f->ans a well-formed answer to our query?  A malformed one (or a
 * forgery that got past the connected socket) is logged and the next
 * server asked.
 */
static bool
reply_ok(struct fwd *f, const struct sockaddr_storage *ns)
{
	char buf[ADDR_STRLEN];
	uint8_t rcode;

	if (dnsmsg_check_reply(f->ans, f->len, f->id, f->q, &rcode) ==
	    DNSMSG_OK)
		return true;
	log_info("dns: %s: a malformed answer from nameserver %s: asking "
	    "the next", f->what, addr_ntop((const struct sockaddr *)ns, buf,
	    sizeof(buf)));
	return false;
}

/* Ask the servers in turn, attempt after attempt: 0, or -1 (logged). */
static int
ask(struct fwd *f, const struct fwd_conf *c, bool tcp)
{
	int64_t now, end;
	size_t i;
	int a;

	for (a = 0; a < c->attempts && !f->stopped; a++)
		for (i = 0; i < c->n && !f->stopped; i++) {
			if ((now = sgio_now_ms()) >= f->deadline)
				goto none;
			end = now + c->try_ms < f->deadline ?
			    now + c->try_ms : f->deadline;
			if (ask_udp(f, &c->ns[i], end) == -1 ||
			    !reply_ok(f, &c->ns[i]))
				continue;
			/* Truncated: a TCP client gets it all over TCP. */
			if (tcp && (f->ans[2] & 0x02) &&
			    (ask_tcp(f, &c->ns[i], f->deadline) == -1 ||
			    !reply_ok(f, &c->ns[i])))
				continue;
			return 0;
		}
none:
	if (f->stopped)
		log_debug("dns: %s: shutting down: answering SERVFAIL",
		    f->what);
	else
		log_info("dns: %s: no answer from the nameservers of "
		    "/etc/resolv.conf within %d s: answering SERVFAIL",
		    f->what, DNSFWD_TOTAL_MS / 1000);
	return -1;
}

static uint16_t
random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(sgio_now_ms() ^ (int64_t)(uintptr_t)&id);
	return id;
}

/* Forward q: the answer's length in out, or 0 with *rcode SERVFAIL. */
static size_t
forward(struct fwd *f, bool tcp, uint8_t *out, size_t outlen,
    uint8_t *rcode)
{
	struct fwd_conf c;

	*rcode = DNSMSG_SERVFAIL;
	if (read_conf(&c) == -1) {
		log_info("dns: %s: no nameserver in /etc/resolv.conf: "
		    "answering SERVFAIL", f->what);
		return 0;
	}
	if (conf_loops(&c, f->what))
		return 0;
	f->id = random_id();
	if ((f->qlen = dnsmsg_make_query(f->q, f->id, f->query + 2,
	    sizeof(f->query) - 2)) == 0 || ask(f, &c, tcp) == -1)
		return 0;
	/* Checked in ask(): this only reads the RCODE. */
	if (dnsmsg_check_reply(f->ans, f->len, f->id, f->q, rcode) !=
	    DNSMSG_OK) {
		*rcode = DNSMSG_SERVFAIL;
		return 0;
	}
	return dnsmsg_relay(f->q, f->ans, f->len, f->whole, tcp ?
	    DNSMSG_TCP_MAX : f->q->udp_size, out, outlen);
}

size_t
dnsfwd_answer(const struct dnsmsg_query *q, const char *what, bool tcp,
    uint8_t *out, size_t outlen, uint8_t *rcode)
{
	struct fwd *f;
	size_t n = 0;

	*rcode = DNSMSG_SERVFAIL;
	if (!tcp && !gate_enter(&udp_busy)) {
		if (log_due(&said_busy, sgio_now_ms(), COMPLAIN_MS))
			log_warnx("dns: %s: %d queries over UDP are being "
			    "forwarded already: answering SERVFAIL", what,
			    DNSFWD_UDP_MAX);
		goto refused;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->ans = malloc(outlen)) == NULL) {
		free(f);
		goto out;
	}
	f->q = q;
	f->what = what;
	f->anslen = outlen;
	f->deadline = sgio_now_ms() + DNSFWD_TOTAL_MS;
	f->stopfd = tcp ? -1 : dns_udp_stopfd();
	n = forward(f, tcp, out, outlen, rcode);
	free(f->ans);
	free(f);
out:
	if (!tcp)
		gate_leave(&udp_busy);
refused:
	if (n == 0)
		n = dnsmsg_encode(q, *rcode = DNSMSG_SERVFAIL, NULL, 0, tcp ?
		    DNSMSG_TCP_MAX : q->udp_size, out, outlen);
	return n;
}
