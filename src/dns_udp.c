/*
 * dns_udp.c - the DNS front door over UDP (see dns_udp.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
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
#define BATCH		64	/* datagrams a socket gets before the next */
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

int
dns_udp_open(const struct config *c, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < c->nlisten && nsocks < SOCKS_MAX; i++)
		if (c->listen[i].proto == LISTEN_DNS &&
		    open_one(&c->listen[i], err, errlen) == -1)
			goto fail;
	if (nsocks > 0 && svcthread_open(&svc) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	return 0;
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
 * Answer up to BATCH datagrams waiting on s.  The workers all poll every
 * socket: the one that reads a datagram answers it, the others find the
 * socket empty (EAGAIN: it is non-blocking) and poll again.
 */
static void
serve(const struct dsock *s, uint8_t *in, uint8_t *out)
{
	struct sockaddr_storage from;
	char tag[96], who[ADDR_STRLEN];
	socklen_t len;
	ssize_t n;
	size_t m;
	int i;

	for (i = 0; i < BATCH; i++) {
		len = sizeof(from);
		/* One byte more than a query may have: longer is FORMERR. */
		n = recvfrom(s->fd, in, DNSMSG_QUERY_MAX + 1, 0,
		    (struct sockaddr *)&from, &len);
		if (n < 0)
			return;
		snprintf(tag, sizeof(tag), "dns %s", addr_ntop(
		    (struct sockaddr *)&from, who, sizeof(who)));
		log_set_tag(tag);
		m = dnsfront_answer(&s->conf, &from, false, in, (size_t)n, out,
		    DNSFRONT_OUT_MAX);
		if (m > 0 && sendto(s->fd, out, m, MSG_NOSIGNAL,
		    (struct sockaddr *)&from, len) == -1)
			log_debug("dns: sendto: %s", strerror(errno));
		log_set_tag("dns-udp");
	}
}

static void *
udp_loop(void *arg)
{
	struct pollfd pfd[SOCKS_MAX + 1];
	uint8_t *in, *out;
	size_t i;

	(void)arg;
	in = malloc(DNSMSG_QUERY_MAX + 1);
	out = malloc(DNSFRONT_OUT_MAX);
	if (in == NULL || out == NULL) {
		log_warnx("dns over udp: out of memory: one worker fewer");
		goto out;
	}
	for (;;) {
		/* The stop pipe is never read: it stops every worker. */
		pfd[0].fd = svcthread_stopfd(&svc);
		pfd[0].events = POLLIN;
		for (i = 0; i < nsocks; i++) {
			pfd[i + 1].fd = socks[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, nsocks + 1, -1) == -1 && errno != EINTR) {
			log_warn("dns over udp: poll");
			break;
		}
		if (pfd[0].revents != 0)
			break;
		for (i = 0; i < nsocks; i++)
			if (pfd[i + 1].revents != 0)
				serve(&socks[i], in, out);
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
	while (nsocks > 0)
		close(socks[--nsocks].fd);
}
