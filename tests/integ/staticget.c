/*
 * staticget.c - a test client built with -static by t-transparent.sh: the
 * kind of program no preload can reach.  Like a Go binary it does its own
 * DNS (one A query over UDP to the server given, no libc resolver), then
 * fetches http://NAME:PORT/PATH from the first address in the answer and
 * writes the body to standard output.
 *
 *   staticget DNS-SERVER-IPV4 NAME PORT PATH
 *
 * Exit 0 on a 200 answer, 1 otherwise (the reason on standard error).
 * Every step has a timeout; nothing here is part of sixgate.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int
fail(const char *what)
{
	fprintf(stderr, "staticget: %s\n", what);
	return 1;
}

static void
timeouts(int fd)
{
	struct timeval tv = { 10, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* An A query for name into q; its length, 0 if the name does not fit. */
static size_t
query(unsigned char *q, size_t cap, const char *name)
{
	static const unsigned char head[12] = { 0x5a, 0x17, 0x01, 0x00, 0, 1 };
	size_t n = sizeof(head), len;
	const char *p = name, *dot;

	memcpy(q, head, sizeof(head));
	while (*p != '\0') {
		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len > 63 || n + len + 6 > cap)
			return 0;
		q[n++] = (unsigned char)len;
		memcpy(q + n, p, len);
		n += len;
		p += len + (dot != NULL);
	}
	q[n++] = 0;
	q[n++] = 0; q[n++] = 1;		/* QTYPE A */
	q[n++] = 0; q[n++] = 1;		/* QCLASS IN */
	return n;
}

/* Skip a (possibly compressed) name at a[*off]; -1 if malformed. */
static int
skip_name(const unsigned char *a, size_t n, size_t *off)
{
	while (*off < n) {
		if ((a[*off] & 0xc0) == 0xc0) {
			*off += 2;
			return *off <= n ? 0 : -1;
		}
		if (a[*off] == 0) {
			(*off)++;
			return 0;
		}
		*off += (size_t)a[*off] + 1;
	}
	return -1;
}

/* The first A record of the answer a[0..n) into *addr. */
static int
first_a(const unsigned char *a, size_t n, struct in_addr *addr)
{
	size_t off = 12, i, an, rdlen;

	if (n < 12 || a[0] != 0x5a || a[1] != 0x17 || (a[3] & 0x0f) != 0)
		return -1;
	an = (size_t)a[6] << 8 | a[7];
	if (skip_name(a, n, &off) == -1 || (off += 4) > n)
		return -1;
	for (i = 0; i < an; i++) {
		if (skip_name(a, n, &off) == -1 || off + 10 > n)
			return -1;
		rdlen = (size_t)a[off + 8] << 8 | a[off + 9];
		if (off + 10 + rdlen > n)
			return -1;
		if (a[off] == 0 && a[off + 1] == 1 && rdlen == 4) {
			memcpy(addr, a + off + 10, 4);
			return 0;
		}
		off += 10 + rdlen;
	}
	return -1;
}

static int
resolve(const char *server, const char *name, struct in_addr *addr)
{
	unsigned char q[300], a[1500];
	struct sockaddr_in dns = { .sin_family = AF_INET,
	    .sin_port = htons(53) };
	size_t qn;
	ssize_t n;
	int fd, rc;

	if (inet_pton(AF_INET, server, &dns.sin_addr) != 1 ||
	    (qn = query(q, sizeof(q), name)) == 0)
		return fail("bad DNS server or name");
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return fail("socket");
	timeouts(fd);
	if (sendto(fd, q, qn, 0, (struct sockaddr *)&dns, sizeof(dns)) !=
	    (ssize_t)qn || (n = recv(fd, a, sizeof(a), 0)) <= 0) {
		close(fd);
		return fail("no DNS answer");
	}
	close(fd);
	rc = first_a(a, (size_t)n, addr);
	return rc == 0 ? 0 : fail("no A record in the DNS answer");
}

static int
fetch(struct in_addr addr, const char *name, int port, const char *path)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port), .sin_addr = addr };
	char req[600], buf[65536], *body;
	size_t got = 0;
	ssize_t n;
	int fd, ok;

	snprintf(req, sizeof(req), "GET /%s HTTP/1.0\r\nHost: %s\r\n\r\n",
	    path, name);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return fail("socket");
	timeouts(fd);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    send(fd, req, strlen(req), 0) != (ssize_t)strlen(req)) {
		close(fd);
		return fail("cannot connect or send");
	}
	/* The head first (it fits in buf), then the body as it comes. */
	while (got < sizeof(buf) - 1 &&
	    (n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0) {
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	buf[got] = '\0';
	ok = strncmp(buf, "HTTP/1.0 200", 12) == 0 ||
	    strncmp(buf, "HTTP/1.1 200", 12) == 0;
	if (!ok || (body = strstr(buf, "\r\n\r\n")) == NULL) {
		close(fd);
		return fail("no 200 answer");
	}
	body += 4;
	fwrite(body, 1, got - (size_t)(body - buf), stdout);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return n == 0 ? 0 : fail("receive failed");
}

int
main(int argc, char **argv)
{
	struct in_addr addr;

	if (argc != 5)
		return fail("usage: staticget DNS-SERVER NAME PORT PATH");
	if (resolve(argv[1], argv[2], &addr) != 0)
		return 1;
	fprintf(stderr, "staticget: %s is %s\n", argv[2], inet_ntoa(addr));
	return fetch(addr, argv[2], atoi(argv[3]), argv[4]);
}
