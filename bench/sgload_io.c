/*
 * sgload_io.c - bench/sgload's socket helpers: addresses, deadlines on
 * blocking sockets, and the client side of a SOCKS5 handshake with an
 * optional RFC 1929 login (open_relay), from a worker's own loopback
 * source address with --spread.
 */
#include "sgconfig.h"

#include "sgload.h"

void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sgload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* HOST:PORT or [V6]:PORT into t; a literal is resolved, a name not. */
void
parse_addr(const char *s, struct target *t)
{
	const char *colon;
	size_t hl;
	struct addrinfo hints, *ai;

	memset(t, 0, sizeof(*t));
	if (*s == '[') {
		colon = strchr(s, ']');
		if (colon == NULL || colon[1] != ':')
			die("bad address %s", s);
		hl = colon - s - 1;
		s++;
		colon++;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			die("bad address %s (HOST:PORT)", s);
		hl = colon - s;
	}
	if (hl == 0 || hl >= sizeof(t->host))
		die("bad host in %s", s);
	memcpy(t->host, s, hl);
	t->port = (uint16_t)atoi(colon + 1);
	if (t->port == 0)
		die("bad port in %s", s);
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(t->host, NULL, &hints, &ai) != 0) {
		t->is_name = 1;
		return;
	}
	memcpy(&t->ss, ai->ai_addr, ai->ai_addrlen);
	t->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (t->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&t->ss)->sin_port = htons(t->port);
	else
		((struct sockaddr_in6 *)&t->ss)->sin6_port = htons(t->port);
}

/* A name destination without a proxy: resolved once, here. */
void
resolve_name(struct target *t)
{
	struct addrinfo hints, *ai;
	char port[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", t->port);
	if (getaddrinfo(t->host, port, &hints, &ai) != 0)
		die("cannot resolve %s", t->host);
	memcpy(&t->ss, ai->ai_addr, ai->ai_addrlen);
	t->len = ai->ai_addrlen;
	freeaddrinfo(ai);
}

void
set_timeouts(int fd, double secs)
{
	struct timeval tv;

	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * --spread: is t an address the workers can reach from their own
 * loopback sources (IPv4, in 127.0.0.0/8)?
 */
int
spread_ok(const struct target *t)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&t->ss;

	return !t->is_name && t->ss.ss_family == AF_INET &&
	    (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
}

/*
 * A connected socket to t; from src when not NULL (port 0: the kernel
 * picks it at connect, per destination, so that the sources do not
 * share one port range the way bind(port 0) would make them).
 */
int
tcp_connect(const struct target *t, const struct sockaddr_in *src)
{
	int fd, one = 1;

	fd = socket(t->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	set_timeouts(fd, o.timeout);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
#ifdef IP_BIND_ADDRESS_NO_PORT
	if (src != NULL)
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one));
#endif
	if ((src != NULL && bind(fd, (const struct sockaddr *)src,
	    sizeof(*src)) != 0) ||
	    connect(fd, (const struct sockaddr *)&t->ss, t->len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The request's address part (RFC 1928 section 4) into b; its length. */
static size_t
put_dest(unsigned char *b, const struct target *t)
{
	size_t n = 0, hl;

	if (t->is_name) {
		hl = strlen(t->host);
		b[n++] = 3;
		b[n++] = (unsigned char)hl;
		memcpy(b + n, t->host, hl);
		n += hl;
	} else if (t->ss.ss_family == AF_INET) {
		b[n++] = 1;
		memcpy(b + n, &((const struct sockaddr_in *)&t->ss)->sin_addr, 4);
		n += 4;
	} else {
		b[n++] = 4;
		memcpy(b + n, &((const struct sockaddr_in6 *)&t->ss)->sin6_addr,
		    16);
		n += 16;
	}
	b[n++] = t->port >> 8;
	b[n++] = t->port & 0xff;
	return n;
}

/*
 * A connection to the destination, through the proxy when there is one:
 * greeting, RFC 1929 login when --user, CONNECT, reply read whole.  One
 * round trip at a time, as every SOCKS5 server understands.  With
 * --spread, worker k connects from 127.0.0.2 + k (main checked that the
 * first hop is on IPv4 loopback).  Returns the socket or -1 (with the
 * failing step in w->why).
 */
int
open_relay(struct worker *w)
{
	unsigned char b[600];
	struct sockaddr_in src;
	const char **why = &w->why;
	size_t n, ul, pl;
	int fd;

	*why = "connect";
	if (o.spread) {
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 +
		    (uint32_t)w->id);
	}
	fd = tcp_connect(o.use_proxy ? &o.proxy : &o.dest,
	    o.spread ? &src : NULL);
	if (fd < 0 || !o.use_proxy)
		return fd;
	*why = "greeting";
	b[0] = 5;
	b[1] = 1;
	b[2] = o.user != NULL ? 2 : 0;
	if (write_all(fd, b, 3) || read_full(fd, b, 2) || b[0] != 5 ||
	    b[1] != (o.user != NULL ? 2 : 0))
		goto fail;
	if (o.user != NULL) {
		*why = "login";
		ul = strlen(o.user);
		pl = strlen(o.pass);
		b[0] = 1;
		b[1] = (unsigned char)ul;
		memcpy(b + 2, o.user, ul);
		b[2 + ul] = (unsigned char)pl;
		memcpy(b + 3 + ul, o.pass, pl);
		if (write_all(fd, b, 3 + ul + pl) || read_full(fd, b, 2) ||
		    b[1] != 0)
			goto fail;
	}
	*why = "request";
	b[0] = 5;
	b[1] = 1;
	b[2] = 0;
	n = 3 + put_dest(b + 3, &o.dest);
	if (write_all(fd, b, n) || read_full(fd, b, 4) || b[1] != 0)
		goto fail;
	switch (b[3]) {
	case 1: n = 4 + 2; break;
	case 4: n = 16 + 2; break;
	case 3:
		if (read_full(fd, b + 4, 1))
			goto fail;
		n = b[4] + 2;
		break;
	default:
		goto fail;
	}
	if (read_full(fd, b + 8, n))
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* One byte there and back. */
int
echo_byte(int fd, char c)
{
	char r;

	if (write_all(fd, &c, 1) || read_full(fd, &r, 1))
		return -1;
	return r == c ? 0 : -1;
}
