/*
 * wrap_check.c - sixgate --check (see wrap.h): the configuration, the
 * gateway's addresses, a connection, the login and one CONNECT by name
 * (RFC 1928, RFC 1929), each step on its own line, "ok:" or "error:".
 */
#include "sgconfig.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "addr.h"
#include "sgio.h"
#include "socks5.h"
#include "socks5_client.h"
#include "wrap.h"

#define CONNECT_MS	5000

/* Connect to a within CONNECT_MS; the socket, or -1 with errno. */
static int
connect_timeout(const struct addrinfo *a)
{
	int fd, e;

	if ((fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, a->ai_protocol)) == -1)
		return -1;
	if (sgio_connect(&sgio_libc, fd, a->ai_addr, a->ai_addrlen,
	    sgio_now_ms() + CONNECT_MS) == 0)
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Resolve and connect to gateway gw, one line for each step. */
static int
check_connect(const struct env_gateway *gw)
{
	struct addrinfo hints, *res, *a;
	char port[8], buf[ADDR_STRLEN], line[WRAP_ERRLEN] = "";
	size_t n = 0;
	int fd = -1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", gw->port);
	if ((e = getaddrinfo(gw->host, port, &hints, &res)) != 0) {
		printf("error: cannot resolve the gateway %s: %s\n",
		    gw->host, gai_strerror(e));
		return -1;
	}
	for (a = res; a != NULL && n < sizeof(line); a = a->ai_next)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
		    a == res ? "" : ", ", addr_ntop_host(a->ai_addr, buf,
		    sizeof(buf)));
	printf("ok: the gateway %s resolves to %s\n", gw->host, line);
	for (a = res, n = 0; a != NULL && fd == -1; a = a->ai_next) {
		if ((fd = connect_timeout(a)) != -1)
			printf("ok: connected to the gateway at %s\n",
			    addr_ntop(a->ai_addr, buf, sizeof(buf)));
		else if (n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    "%s%s: %s", n > 0 ? "; " : "", addr_ntop(a->ai_addr,
			    buf, sizeof(buf)), strerror(errno));
	}
	if (fd == -1)
		printf("error: cannot connect to the gateway: %s\n", line);
	freeaddrinfo(res);
	return fd;
}

/* Say what the answer to the test request means; 0 if it passes. */
static int
check_answer(const struct env_config *c, const struct socks5_addr *d,
    enum socks5_client_result r, const struct socks5_client_res *res)
{
	const char *who = c->user[0] != '\0' ? c->user : "(none)";

	switch (r) {
	case S5C_NO_METHOD:
		printf("error: the gateway accepts none of our authentication "
		    "methods (is a user configured?)\n");
		return -1;
	case S5C_AUTH_FAILED:
		printf("error: the gateway refused user %s: wrong password or "
		    "unknown user\n", who);
		return -1;
	case S5C_PROTOCOL:
		printf("error: the gateway's answer is not SOCKS5 as we know "
		    "it (is it a SOCKS5 server?)\n");
		return -1;
	case S5C_IO:
		if (errno == ETIMEDOUT)
			printf("error: the gateway did not answer within %d "
			    "s (timeout)\n", c->timeout_ms / 1000);
		else
			printf("error: the SOCKS5 exchange with the gateway "
			    "failed: %s\n", strerror(errno));
		return -1;
	default:
		break;
	}
	printf("ok: the gateway %s\n", c->user[0] != '\0' ?
	    "accepted our user name and password" : "lets us in without "
	    "authentication");
	if (res->rep == S5_REP_HOST_UNREACH) {
		printf("error: the gateway cannot resolve %s\n", d->u.name);
		return -1;
	}
	/*
	 * The default probe asks for the gateway's own localhost, which a
	 * well-configured gateway refuses: the refusal still proves that
	 * login and request processing work.
	 */
	if (res->rep == S5_REP_NOT_ALLOWED &&
	    strcmp(d->u.name, "localhost") == 0) {
		printf("ok: the gateway answered (its rules keep its own "
		    "localhost private, as they should; --check=NAME:PORT "
		    "tests a real destination)\n");
		return 0;
	}
	if (res->rep == S5_REP_NOT_ALLOWED) {
		printf("error: the gateway's rules refuse user %s a connection "
		    "to %s port %u\n", who, d->u.name, d->port);
		return -1;
	}
	if (res->rep == S5_REP_SUCCEEDED || res->rep == S5_REP_CONN_REFUSED)
		printf("ok: the gateway resolved %s (port %u: %s)\n",
		    d->u.name, d->port, socks5_rep_str(res->rep));
	else
		printf("ok: the gateway answered the request for %s port %u: "
		    "%s\n", d->u.name, d->port, socks5_rep_str(res->rep));
	return 0;
}

/* Connection, login and the request through gateway gw; 0 if it passes. */
static int
check_gateway(const struct env_gateway *gw, const struct env_config *c,
    struct socks5_client_req *req)
{
	struct socks5_client_res res;
	enum socks5_client_result r;
	int fd, rc;

	if ((fd = check_connect(gw)) == -1)
		return -1;
	r = socks5_client_handshake(&sgio_libc, fd, req, &res);
	close(fd);
	rc = check_answer(c, &req->dest, r, &res);
	if (r == S5C_OK || r == S5C_REPLY || r == S5C_AUTH_FAILED)
		printf("ok: %s\n", res.method == S5_METHOD_SIXGATE ?
		    "the gateway is sixgated: pipelining available" :
		    "the gateway is not sixgated: no pipelining");
	return rc;
}

/*
 * --check: configuration, then for each gateway of the list the
 * connection, the login and one request by name.  Passes (0) only when
 * every gateway does: a gateway that fails over quietly is still worth
 * knowing about.
 */
int
wrap_check_run(const char *dest, const struct wrap_merged *m,
    const struct env_config *c, const char *pass)
{
	struct socks5_client_req req;
	char name[S5_NAME_MAX + 1];
	uint16_t port = 9;
	size_t i, nbad = 0;

	if (strchr(dest, ':') == NULL)
		snprintf(name, sizeof(name), "%s", dest);
	else if (addr_split_hostport(dest, name, sizeof(name), &port) !=
	    ADDR_OK || port == 0) {
		printf("error: --check=%s: want NAME or NAME:PORT\n", dest);
		return 1;
	}
	memset(&req, 0, sizeof(req));
	if (socks5_addr_set_name(&req.dest, name, port) != S5_OK) {
		printf("error: --check=%s: bad name\n", dest);
		return 1;
	}
	if (m->nread == 0)
		printf("ok: configuration: no file found, using the "
		    "environment and options\n");
	else
		printf("ok: configuration read from %s%s%s\n", m->read[0],
		    m->nread > 1 ? ", then " : "", m->nread > 1 ? m->read[1] :
		    "");
	req.user = c->user;
	req.pass = pass;
	req.cmd = S5_CMD_CONNECT;
	req.timeout_ms = c->timeout_ms;
	for (i = 0; i < c->ngw; i++) {
		if (c->ngw > 1)
			printf("-- gateway %zu of %zu: %s%s%s:%u\n", i + 1,
			    c->ngw, strchr(c->gw[i].host, ':') ? "[" : "",
			    c->gw[i].host, strchr(c->gw[i].host, ':') ? "]" :
			    "", c->gw[i].port);
		if (check_gateway(&c->gw[i], c, &req) == -1)
			nbad++;
	}
	if (c->ngw > 1 && nbad > 0)
		printf("error: %zu of %zu gateways failed the check\n", nbad,
		    c->ngw);
	return nbad == 0 ? 0 : 1;
}
