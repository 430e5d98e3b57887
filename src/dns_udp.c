/*
 * dns_udp.c - the DNS front door over UDP (see dns_udp.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "acceptor.h"
#include "addr.h"
#include "dns_udp.h"
#include "dnsfront.h"
#include "dnsmsg.h"
#include "log.h"
#include "selfaddr.h"
#include "svcthread.h"

#define SOCKS_MAX	64
#define STOP		SOCKS_MAX	/* the stop pipe's epoll tag */
#define WORKER_STACK	(256 * 1024)	/* as a session's: getaddrinfo */

_Static_assert(DNS_UDP_WORKERS <= SVCTHREAD_MAX, "one svcthread pool");

struct dsock {
	int			 fd;
	struct config_listen	 conf;		/* as opened */
};

/* Written by main before the workers start and after they are joined. */
static struct dsock socks[SOCKS_MAX];
static size_t nsocks;
static struct svcthread svc = SVCTHREAD_INITIALIZER;	/* the workers */
/*
 * Every socket and the stop pipe, each EPOLLONESHOT, in the one epoll
 * instance all workers wait in: epoll_wait's waiters are woken one at a
 * time, and a fired item stays disarmed until a worker re-arms it, so a
 * datagram wakes one worker, not the whole pool.
 */
static int epfd = -1;
/*
 * The addresses bound, with their real ports: written before any thread
 * starts and kept after dns_udp_stop, since TCP dns sessions may still
 * ask dns_udp_listens_on while the daemon shuts down.
 */
static struct sockaddr_storage bound[SOCKS_MAX];
static size_t nbound;

static int
open_one(const struct config_listen *l, char *err, size_t errlen)
{
	struct sockaddr_storage ss = l->ss;
	socklen_t len = l->sslen;
	char buf[ADDR_STRLEN];
	int fd, one = 1;

	/* Port 0: the one the kernel gave the TCP side. */
	if (addr_port((const struct sockaddr *)&ss) == 0 &&
	    acceptor_bound(l, &ss, &len) == -1) {
		snprintf(err, errlen, "cannot listen on %s (dns udp): no tcp "
		    "side: %s", l->text, strerror(errno));
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || (ss.ss_family == AF_INET6 && setsockopt(fd,
	    IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
	    bind(fd, (const struct sockaddr *)&ss, len) == -1) {
		snprintf(err, errlen, "cannot listen on %s (dns udp): %s",
		    addr_ntop((struct sockaddr *)&ss, buf, sizeof(buf)),
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	socks[nsocks].fd = fd;
	socks[nsocks++].conf = *l;
	bound[nbound++] = ss;
	log_info("listening on %s (dns udp)",
	    addr_ntop((struct sockaddr *)&ss, buf, sizeof(buf)));
	return 0;
}

/* Add (op EPOLL_CTL_ADD) or re-arm (EPOLL_CTL_MOD) fd, tagged tag. */
static int
arm(int op, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT };

	ev.data.u32 = tag;
	return epoll_ctl(epfd, op, fd, &ev);
}

int
dns_udp_open(const struct config *c, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < c->nlisten && nsocks < SOCKS_MAX; i++)
		if (c->listen[i].proto == LISTEN_DNS &&
		    open_one(&c->listen[i], err, errlen) == -1)
			goto fail;
	if (nsocks == 0)
		return 0;
	if (svcthread_open(&svc) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    arm(EPOLL_CTL_ADD, svcthread_stopfd(&svc), STOP) == -1)
		goto fail_epoll;
	for (i = 0; i < nsocks; i++)
		if (arm(EPOLL_CTL_ADD, socks[i].fd, (uint32_t)i) == -1)
			goto fail_epoll;
	return 0;
fail_epoll:
	snprintf(err, errlen, "epoll: %s", strerror(errno));
	if (epfd != -1)
		close(epfd);
	epfd = -1;
	svcthread_stop(&svc);		/* closes the pipe */
fail:
	while (nsocks > 0)
		close(socks[--nsocks].fd);
	nbound = 0;
	return -1;
}

bool
dns_udp_listens_on(const struct sockaddr *sa)
{
	const struct sockaddr *b;
	size_t i;

	for (i = 0; i < nbound; i++) {
		b = (const struct sockaddr *)&bound[i];
		if (b->sa_family != sa->sa_family || addr_port(b) !=
		    addr_port(sa))
			continue;
		if (addr_equal(b, sa))
			return true;
		/* A wildcard listener has every local address. */
		if (addr_is_unspecified(b) && (addr_is_loopback(sa) ||
		    selfaddr_has(sa)))
			return true;
	}
	return false;
}

/*
 * Answer one datagram of s.  The socket is re-armed as soon as the
 * datagram is read, before it is answered: a datagram behind it wakes
 * another worker while this one may wait for a look-up.
 */
static void
serve(const struct dsock *s, uint32_t tag, uint8_t *in, uint8_t *out)
{
	struct sockaddr_storage from;
	char buf[96], who[ADDR_STRLEN];
	socklen_t len = sizeof(from);
	ssize_t n;
	size_t m;

	/* One byte more than a query may have: longer is FORMERR. */
	n = recvfrom(s->fd, in, DNSMSG_QUERY_MAX + 1, 0,
	    (struct sockaddr *)&from, &len);
	/* Disarmed, the socket would never be read again. */
	if (arm(EPOLL_CTL_MOD, s->fd, tag) == -1)
		log_warn("dns over udp: epoll_ctl");
	if (n < 0)
		return;
	snprintf(buf, sizeof(buf), "dns %s", addr_ntop(
	    (struct sockaddr *)&from, who, sizeof(who)));
	log_set_tag(buf);
	m = dnsfront_answer(&s->conf, &from, false, in, (size_t)n, out,
	    DNSFRONT_OUT_MAX);
	if (m > 0 && sendto(s->fd, out, m, MSG_NOSIGNAL,
	    (struct sockaddr *)&from, len) == -1)
		log_debug("dns: sendto: %s", strerror(errno));
	log_set_tag("dns-udp");
}

static void *
udp_loop(void *arg)
{
	struct epoll_event ev;
	uint8_t *in, *out;
	int n;

	(void)arg;
	in = malloc(DNSMSG_QUERY_MAX + 1);
	out = malloc(DNSFRONT_OUT_MAX);
	if (in == NULL || out == NULL) {
		log_warnx("dns over udp: out of memory: one worker fewer");
		goto out;
	}
	for (;;) {
		if ((n = epoll_wait(epfd, &ev, 1, -1)) == -1 && errno != EINTR) {
			log_warn("dns over udp: epoll_wait");
			break;
		}
		if (n != 1)
			continue;
		if (ev.data.u32 == STOP) {
			/* The pipe is never read: re-armed, it wakes the next. */
			arm(EPOLL_CTL_MOD, svcthread_stopfd(&svc), STOP);
			break;
		}
		serve(&socks[ev.data.u32], ev.data.u32, in, out);
	}
out:
	free(in);
	free(out);
	return NULL;
}

int
dns_udp_start(void)
{
	if (nsocks == 0)
		return 0;
	return svcthread_start_pool(&svc, "dns-udp", udp_loop, NULL,
	    DNS_UDP_WORKERS, WORKER_STACK);
}

void
dns_udp_stop(void)
{
	if (nsocks == 0)
		return;
	svcthread_stop(&svc);
	close(epfd);
	epfd = -1;
	while (nsocks > 0)
		close(socks[--nsocks].fd);
}

int
dns_udp_stopfd(void)
{
	return svcthread_stopfd(&svc);
}
