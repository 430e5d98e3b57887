/*
 * sgload.c - the load generator of bench/run: SOCKS5 (RFC 1928) and
 * username/password (RFC 1929) spoken here, with blocking sockets and
 * one thread per stream or worker, so that the client does little more
 * than the system calls the proxy under test answers.
 *
 *   sgload sink|echo [--bind ADDR]... [--port N] [--threads T]
 *                    [--port-file F] [--max-secs S]
 *   sgload bulk     [--proxy ADDR] --dest ADDR [--streams N] [--secs D]
 *   sgload connrate [--proxy ADDR] --dest ADDR [--workers W] [--secs D]
 *                    [--count N]
 *   sgload idle      --proxy ADDR  --dest ADDR  --count N [--workers W]
 *                    [--hold S]
 *   sgload pam       --service S --user U [--workers W] [--secs D]
 *
 * ADDR is HOST:PORT or [V6]:PORT; a destination HOST that is not a
 * literal address goes to the proxy as a DOMAINNAME (without --proxy it
 * is resolved once, here).  --user U logs in with method 0x02; the
 * password comes from the environment (SGLOAD_PASSWORD), never argv.
 * The sink answers the bytes it got, as a decimal line, at EOF or at a
 * byte 1 (bulk sends zeros, then that byte, then waits for the count).
 * Results are one line of KEY=VALUE words on standard output.  Every
 * loop is bounded by a deadline; every socket read or write by
 * --timeout (default 10 s).  This is a benchmark tool: nothing here is
 * part of the daemon.
 */
#include "sgconfig.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <security/pam_appl.h>

#define MAX_BINDS	4
#define MAX_THREADS	256
#define MAX_SAMPLES	(1 << 20)	/* latency samples per worker */
#define BULK_CHUNK	(128 * 1024)

struct target {
	struct sockaddr_storage	ss;	/* when resolved */
	socklen_t		len;
	char			host[256];
	uint16_t		port;
	int			is_name;	/* send as DOMAINNAME */
};

struct opts {
	const char	*mode;
	struct target	proxy, dest;
	int		use_proxy;
	const char	*user, *pass, *service;
	const char	*binds[MAX_BINDS];
	int		nbinds, port, threads, streams, workers;
	long		count;
	double		secs, hold, timeout, max_secs;
	const char	*port_file;
};

static struct opts o;

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
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

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* HOST:PORT or [V6]:PORT into t; a literal is resolved, a name not. */
static void
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
static void
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

static void
set_timeouts(int fd, double secs)
{
	struct timeval tv;

	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int
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

static int
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

static int
tcp_connect(const struct target *t)
{
	int fd, one = 1;

	fd = socket(t->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	set_timeouts(fd, o.timeout);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&t->ss, t->len) != 0) {
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
 * round trip at a time, as every SOCKS5 server understands.  Returns the
 * socket or -1 (with the failing step in *why).
 */
static int
open_relay(const char **why)
{
	unsigned char b[600];
	size_t n, ul, pl;
	int fd;

	*why = "connect";
	fd = tcp_connect(o.use_proxy ? &o.proxy : &o.dest);
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
static int
echo_byte(int fd, char c)
{
	char r;

	if (write_all(fd, &c, 1) || read_full(fd, &r, 1))
		return -1;
	return r == c ? 0 : -1;
}

/* ------------------------------------------------------------ servers */

struct conn {
	int		fd;
	int		listener;
	int		answered;	/* sink: count sent */
	uint64_t	bytes;
};

static struct conn listeners[MAX_BINDS];
static int nlisteners;

static void
server_bind(void)
{
	struct target t;
	char a[300];
	int i, try, fd, one = 1, port;

	for (try = 0; try < 50; try++) {
		port = o.port;
		for (i = 0; i < o.nbinds; i++) {
			snprintf(a, sizeof(a), strchr(o.binds[i], ':') ?
			    "[%s]:%d" : "%s:%d", o.binds[i], port ? port : 1);
			parse_addr(a, &t);
			if (t.is_name)
				die("--bind wants an address: %s", o.binds[i]);
			if (port == 0)
				((struct sockaddr_in *)&t.ss)->sin_port = 0;
			fd = socket(t.ss.ss_family, SOCK_STREAM |
			    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (fd < 0)
				die("socket: %s", strerror(errno));
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (t.ss.ss_family == AF_INET6)
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				    sizeof(one));
			if (bind(fd, (struct sockaddr *)&t.ss, t.len) != 0 ||
			    listen(fd, 4096) != 0) {
				close(fd);
				break;
			}
			if (port == 0) {
				t.len = sizeof(t.ss);
				getsockname(fd, (struct sockaddr *)&t.ss, &t.len);
				port = ntohs(((struct sockaddr_in *)&t.ss)->sin_port);
			}
			listeners[i].fd = fd;
			listeners[i].listener = 1;
		}
		if (i == o.nbinds) {
			nlisteners = i;
			o.port = port;
			return;
		}
		while (--i >= 0)
			close(listeners[i].fd);
		if (o.port != 0)
			break;
	}
	die("cannot bind %s (port %d): %s", o.binds[0], o.port, strerror(errno));
}

/* Echo back with the socket non-blocking: wait (bounded) while full. */
static int
echo_back(int fd, const char *p, size_t n)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, (int)(o.timeout * 1000)) != 1)
				return -1;
		} else if (!(w < 0 && errno == EINTR)) {
			return -1;
		}
	}
	return 0;
}

static void
server_read(struct conn *c, int echo, char *buf, size_t bufsz)
{
	char line[32];
	ssize_t r;
	int len;

	for (;;) {
		r = recv(c->fd, buf, bufsz, 0);
		if (r > 0) {
			c->bytes += (uint64_t)r;
			if (echo && echo_back(c->fd, buf, (size_t)r) != 0)
				break;
			if (!echo && buf[r - 1] == 1 && !c->answered) {
				/* bulk's end mark: answer without half-close */
				c->answered = 1;
				len = snprintf(line, sizeof(line), "%llu\n",
				    (unsigned long long)c->bytes - 1);
				if (echo_back(c->fd, line, (size_t)len) != 0)
					break;
			}
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r == 0 && !echo && !c->answered) {
			/* The sink's answer: bytes received, then close. */
			len = snprintf(line, sizeof(line), "%llu\n",
			    (unsigned long long)c->bytes);
			echo_back(c->fd, line, (size_t)len);
		}
		break;
	}
	close(c->fd);
	free(c);
}

static void *
server_thread(void *arg)
{
	struct epoll_event ev, evs[64];
	struct conn *c;
	char *buf;
	double end = now() + o.max_secs;
	int ep, i, n, fd, echo = arg != NULL;

	buf = malloc(256 * 1024);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (buf == NULL || ep < 0)
		die("epoll/malloc: %s", strerror(errno));
	for (i = 0; i < nlisteners; i++) {
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &listeners[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, listeners[i].fd, &ev) != 0)
			die("epoll_ctl: %s", strerror(errno));
	}
	while (now() < end) {
		n = epoll_wait(ep, evs, 64, 1000);
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (!c->listener) {
				server_read(c, echo, buf, 256 * 1024);
				continue;
			}
			while ((fd = accept4(c->fd, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
				struct conn *nc = calloc(1, sizeof(*nc));

				if (nc == NULL) {
					close(fd);
					continue;
				}
				nc->fd = fd;
				ev.events = EPOLLIN;
				ev.data.ptr = nc;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
					close(fd);
					free(nc);
				}
			}
		}
	}
	exit(0);
}

static int
run_server(int echo)
{
	pthread_t t;
	FILE *f;
	char tmp[4096];
	int i;

	if (o.nbinds == 0)
		o.binds[o.nbinds++] = "127.0.0.1";
	server_bind();
	printf("port=%d\n", o.port);
	fflush(stdout);
	if (o.port_file != NULL) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", o.port_file);
		if ((f = fopen(tmp, "w")) == NULL)
			die("%s: %s", tmp, strerror(errno));
		fprintf(f, "%d\n", o.port);
		if (fclose(f) != 0 || rename(tmp, o.port_file) != 0)
			die("%s: %s", o.port_file, strerror(errno));
	}
	for (i = 1; i < o.threads; i++)
		if (pthread_create(&t, NULL, server_thread, echo ? &o : NULL))
			die("pthread_create failed");
	server_thread(echo ? &o : NULL);
	return 0;
}

/* ------------------------------------------------------------ bulk */

struct worker {
	pthread_t	tid;
	int		id;
	long		done, errors;
	uint64_t	bytes;
	double		start, end;
	uint32_t	*lat;	/* microseconds */
	long		nlat;
	const char	*why;
	int		*fds;	/* idle: this worker's share */
	long		nfds;
};

static struct worker workers[MAX_THREADS];
static pthread_barrier_t barrier;
static double deadline;
static atomic_long claimed;

static void *
bulk_stream(void *arg)
{
	struct worker *w = arg;
	static const char zero[BULK_CHUNK];
	char line[32];
	ssize_t r;
	size_t got = 0;
	int fd;

	fd = open_relay(&w->why);
	pthread_barrier_wait(&barrier);
	w->start = now();
	if (fd < 0) {
		w->errors++;
		return NULL;
	}
	set_timeouts(fd, o.timeout + o.secs);
	while (now() < w->start + o.secs)
		if (write_all(fd, zero, sizeof(zero)) != 0) {
			w->why = "write";
			w->errors++;
			break;
		}
	/*
	 * The blocks are zeros; one byte 1 ends them, and the sink answers
	 * the count: no half-close needed, which not every proxy carries
	 * (microsocks closes both ways on the first EOF).
	 */
	if (!w->errors && write_all(fd, "\1", 1) != 0) {
		w->why = "write";
		w->errors++;
	}
	while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL &&
	    (r = recv(fd, line + got, sizeof(line) - 1 - got, 0)) > 0)
		got += (size_t)r;
	line[got] = '\0';
	w->end = now();
	if (got == 0 || sscanf(line, "%" SCNu64, &w->bytes) != 1) {
		w->why = "sink answer";
		w->errors++;
	}
	close(fd);
	return NULL;
}

static int
run_bulk(void)
{
	double start = 1e300, end = 0;
	uint64_t bytes = 0;
	long errors = 0;
	int i;

	pthread_barrier_init(&barrier, NULL, (unsigned)o.streams);
	for (i = 0; i < o.streams; i++)
		if (pthread_create(&workers[i].tid, NULL, bulk_stream, &workers[i]))
			die("pthread_create failed");
	for (i = 0; i < o.streams; i++) {
		pthread_join(workers[i].tid, NULL);
		if (workers[i].errors) {
			fprintf(stderr, "sgload: stream %d: %s failed\n", i,
			    workers[i].why);
			errors += workers[i].errors;
		}
		bytes += workers[i].bytes;
		if (workers[i].start < start)
			start = workers[i].start;
		if (workers[i].end > end)
			end = workers[i].end;
	}
	printf("bulk streams=%d secs=%.3f bytes=%llu mbps=%.1f errors=%ld\n",
	    o.streams, end - start, (unsigned long long)bytes,
	    end > start ? bytes / (end - start) / 1e6 : 0.0, errors);
	return errors ? 1 : 0;
}

/* ------------------------------------------------------------ connrate */

static void *
conn_worker(void *arg)
{
	struct worker *w = arg;
	double t0;
	int fd;

	w->lat = malloc(MAX_SAMPLES * sizeof(*w->lat));
	if (w->lat == NULL)
		die("out of memory");
	pthread_barrier_wait(&barrier);
	w->start = now();
	while ((t0 = now()) < deadline) {
		if (o.count > 0 && atomic_fetch_add(&claimed, 1) >= o.count)
			break;
		fd = open_relay(&w->why);
		if (fd < 0 || echo_byte(fd, 'c') != 0) {
			if (fd >= 0) {
				w->why = "echo";
				close(fd);
			}
			if (w->errors++ < 3)
				fprintf(stderr, "sgload: worker %d: %s failed: "
				    "%s\n", w->id, w->why, strerror(errno));
			usleep(1000);
			continue;
		}
		close(fd);
		w->done++;
		if (w->nlat < MAX_SAMPLES)
			w->lat[w->nlat++] = (uint32_t)((now() - t0) * 1e6);
	}
	w->end = now();
	return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
run_connrate(void)
{
	uint32_t *all;
	long done = 0, errors = 0, n = 0, i;
	double start = 1e300, end = 0;
	int k;

	pthread_barrier_init(&barrier, NULL, (unsigned)o.workers + 1);
	for (k = 0; k < o.workers; k++) {
		workers[k].id = k;
		if (pthread_create(&workers[k].tid, NULL, conn_worker,
		    &workers[k]))
			die("pthread_create failed");
	}
	deadline = now() + o.secs;	/* the barrier publishes it */
	pthread_barrier_wait(&barrier);
	for (k = 0; k < o.workers; k++) {
		pthread_join(workers[k].tid, NULL);
		done += workers[k].done;
		errors += workers[k].errors;
		n += workers[k].nlat;
		if (workers[k].start < start)
			start = workers[k].start;
		if (workers[k].end > end)
			end = workers[k].end;
	}
	all = malloc((size_t)(n + 1) * sizeof(*all));
	if (all == NULL)
		die("out of memory");
	for (n = 0, k = 0; k < o.workers; k++)
		for (i = 0; i < workers[k].nlat; i++)
			all[n++] = workers[k].lat[i];
	qsort(all, (size_t)n, sizeof(*all), cmp_u32);
	printf("connrate workers=%d conns=%ld secs=%.3f rate=%.1f p50_us=%u "
	    "p99_us=%u errors=%ld\n", o.workers, done, end - start,
	    end > start ? done / (end - start) : 0.0,
	    n ? all[n / 2] : 0, n ? all[n * 99 / 100] : 0, errors);
	free(all);
	return done > 0 && errors == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ idle */

static void *
idle_opener(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = 0; i < w->nfds; i++) {
		w->fds[i] = -1;
		if (now() > deadline)
			break;
		w->fds[i] = open_relay(&w->why);
		if (w->fds[i] < 0 || echo_byte(w->fds[i], 'i') != 0) {
			if (w->errors++ < 3)
				fprintf(stderr, "sgload: relay %ld: %s failed: "
				    "%s\n", i, w->why, strerror(errno));
			if (w->fds[i] >= 0)
				close(w->fds[i]);
			w->fds[i] = -1;
			continue;
		}
		w->done++;
	}
	return NULL;
}

static int
run_idle(void)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	char line[64];
	int *fds;
	long opened = 0, errors = 0, ok = 0, i, per;
	double t0 = now();
	int k;

	if (o.count <= 0)
		die("idle needs --count N");
	fds = calloc((size_t)o.count, sizeof(*fds));
	if (fds == NULL)
		die("out of memory");
	per = (o.count + o.workers - 1) / o.workers;
	deadline = now() + o.timeout * 30;
	for (k = 0; k < o.workers; k++) {
		workers[k].fds = fds + k * per;
		workers[k].nfds = k * per >= o.count ? 0 :
		    (o.count - k * per < per ? o.count - k * per : per);
		if (pthread_create(&workers[k].tid, NULL, idle_opener,
		    &workers[k]))
			die("pthread_create failed");
	}
	for (k = 0; k < o.workers; k++) {
		pthread_join(workers[k].tid, NULL);
		opened += workers[k].done;
		errors += workers[k].errors;
	}
	printf("ready relays=%ld errors=%ld secs=%.3f\n", opened, errors,
	    now() - t0);
	fflush(stdout);
	/* Hold until a line (or EOF) on stdin, or --hold seconds. */
	if (poll(&pfd, 1, (int)(o.hold * 1000)) == 1)
		(void)!read(0, line, sizeof(line));
	for (i = 0; i < o.count; i++) {
		if (fds[i] < 0)
			continue;
		if (echo_byte(fds[i], 'v') == 0)
			ok++;
		close(fds[i]);
	}
	printf("verified relays=%ld ok=%ld failed=%ld\n", o.count, ok,
	    o.count - ok);
	free(fds);
	return ok == o.count ? 0 : 1;
}

/* ------------------------------------------------------------ pam */

static int
pam_conv_fn(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	struct pam_response *r;
	int i;

	(void)appdata;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF)
			r[i].resp = strdup(o.pass);
		else if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(o.user);
	}
	*resp = r;
	return PAM_SUCCESS;
}

static void *
pam_worker(void *arg)
{
	struct worker *w = arg;
	struct pam_conv conv = { pam_conv_fn, NULL };
	pam_handle_t *ph;
	double t0;
	int rc;

	pthread_barrier_wait(&barrier);
	w->start = now();
	while ((t0 = now()) < deadline) {
		ph = NULL;
		rc = pam_start(o.service, o.user, &conv, &ph);
		if (rc == PAM_SUCCESS)
			rc = pam_authenticate(ph, PAM_SILENT);
		if (rc == PAM_SUCCESS)
			rc = pam_acct_mgmt(ph, PAM_SILENT);
		if (ph != NULL)
			pam_end(ph, rc);
		if (rc != PAM_SUCCESS) {
			if (w->errors++ < 3)
				fprintf(stderr, "sgload: pam: %s\n",
				    pam_strerror(NULL, rc));
			usleep(10000);
			continue;
		}
		w->done++;
	}
	w->end = now();
	(void)t0;
	return NULL;
}

static int
run_pam(void)
{
	long done = 0, errors = 0;
	double start = 1e300, end = 0;
	int k;

	if (o.service == NULL || o.user == NULL)
		die("pam needs --service and --user");
	pthread_barrier_init(&barrier, NULL, (unsigned)o.workers + 1);
	for (k = 0; k < o.workers; k++)
		if (pthread_create(&workers[k].tid, NULL, pam_worker, &workers[k]))
			die("pthread_create failed");
	deadline = now() + o.secs;	/* the barrier publishes it */
	pthread_barrier_wait(&barrier);
	for (k = 0; k < o.workers; k++) {
		pthread_join(workers[k].tid, NULL);
		done += workers[k].done;
		errors += workers[k].errors;
		if (workers[k].start < start)
			start = workers[k].start;
		if (workers[k].end > end)
			end = workers[k].end;
	}
	printf("pam workers=%d auths=%ld secs=%.3f rate=%.1f errors=%ld\n",
	    o.workers, done, end - start,
	    end > start ? done / (end - start) : 0.0, errors);
	return done > 0 && errors == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ main */

static void
usage(void)
{
	fprintf(stderr, "usage: sgload sink|echo|bulk|connrate|idle|pam "
	    "[options] (see the comment at the top of bench/sgload.c)\n");
	exit(2);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "proxy", 1, NULL, 'x' }, { "dest", 1, NULL, 'd' },
		{ "user", 1, NULL, 'u' }, { "service", 1, NULL, 'S' },
		{ "bind", 1, NULL, 'b' }, { "port", 1, NULL, 'p' },
		{ "threads", 1, NULL, 'T' }, { "streams", 1, NULL, 'n' },
		{ "workers", 1, NULL, 'w' }, { "count", 1, NULL, 'c' },
		{ "secs", 1, NULL, 's' }, { "hold", 1, NULL, 'H' },
		{ "timeout", 1, NULL, 't' }, { "max-secs", 1, NULL, 'M' },
		{ "port-file", 1, NULL, 'P' }, { NULL, 0, NULL, 0 }
	};
	const char *dest = NULL;
	int ch;

	if (argc < 2)
		usage();
	o.mode = argv[1];
	o.threads = 2;
	o.streams = 1;
	o.workers = 1;
	o.secs = 3;
	o.hold = 60;
	o.timeout = 10;
	o.max_secs = 3600;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'x': parse_addr(optarg, &o.proxy); o.use_proxy = 1; break;
		case 'd': dest = optarg; break;
		case 'u': o.user = optarg; break;
		case 'S': o.service = optarg; break;
		case 'b':
			if (o.nbinds == MAX_BINDS)
				die("at most %d --bind", MAX_BINDS);
			o.binds[o.nbinds++] = optarg;
			break;
		case 'p': o.port = atoi(optarg); break;
		case 'T': o.threads = atoi(optarg); break;
		case 'n': o.streams = atoi(optarg); break;
		case 'w': o.workers = atoi(optarg); break;
		case 'c': o.count = atol(optarg); break;
		case 's': o.secs = atof(optarg); break;
		case 'H': o.hold = atof(optarg); break;
		case 't': o.timeout = atof(optarg); break;
		case 'M': o.max_secs = atof(optarg); break;
		case 'P': o.port_file = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || o.threads < 1 || o.threads > MAX_THREADS ||
	    o.streams < 1 || o.streams > MAX_THREADS || o.workers < 1 ||
	    o.workers > MAX_THREADS || o.secs <= 0 || o.secs > 3600 ||
	    o.timeout <= 0 || o.hold < 0 || o.hold > 86400)
		usage();
	if (o.use_proxy && o.proxy.is_name)
		die("--proxy wants an address, not a name");
	raise_nofile();
	if (o.user != NULL && (o.pass = getenv("SGLOAD_PASSWORD")) == NULL)
		die("--user needs SGLOAD_PASSWORD in the environment");
	if (o.user != NULL && (strlen(o.user) > 255 || strlen(o.pass) > 255))
		die("user or password longer than 255 bytes");
	if (strcmp(o.mode, "sink") == 0 || strcmp(o.mode, "echo") == 0)
		return run_server(o.mode[0] == 'e');
	if (strcmp(o.mode, "pam") == 0)
		return run_pam();
	if (dest == NULL)
		usage();
	parse_addr(dest, &o.dest);
	if (o.dest.is_name && !o.use_proxy)
		resolve_name(&o.dest);
	if (strcmp(o.mode, "bulk") == 0)
		return run_bulk();
	if (strcmp(o.mode, "connrate") == 0)
		return run_connrate();
	if (strcmp(o.mode, "idle") == 0)
		return run_idle();
	usage();
}
