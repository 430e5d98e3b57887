/*
 * sgload_srv.c - bench/sgload's sink and echo servers: epoll threads on
 * 127.0.0.1 and ::1 at one port; the sink answers its byte count.
 */
#include "sgconfig.h"

#include "sgload.h"

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

int
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
