/*
 * door_http.c - the HTTP proxy front door (see door_http.h): reads each
 * request head with the pure parser (http_parse.h), logs in with its
 * Proxy-Authorization (request_login: the PAM pool, the login cache and
 * the throttle), maps it onto a CONNECT of the request core (the
 * destination as a name or a literal, resolved by the core or by the
 * last hop of a route), and translates the core's REP codes into HTTP
 * statuses.  CONNECT gets the core's blind relay; other methods get
 * http_forward.c as the door's relay, which speaks HTTP to the
 * destination and reads the client's next requests.
 */
#include "sgconfig.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "door_http.h"
#include "escape.h"
#include "http_door.h"
#include "log.h"
#include "sgio.h"
#include "socks5.h"

#define SEND_TIMEOUT_MS		10000

int
http_door_send(int fd, const void *p, size_t n, int64_t deadline,
    const char *who)
{
	if (sgio_send_all(&sgio_libc, fd, p, n, deadline) == -1) {
		log_info("cannot send to the %s: %s", who, strerror(errno));
		return -1;
	}
	return 0;
}

void
http_buf_consume(struct http_buf *b, size_t n)
{
	memmove(b->b, b->b + n, b->len - n);
	b->len -= n;
}

static const char *
reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 407: return "Proxy Authentication Required";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

int
http_door_error(struct http_door *d, unsigned status, const char *text,
    bool close)
{
	char msg[512];
	int n;

	/* d->hr is parsed unless close (then the head may be garbage). */
	n = snprintf(msg, sizeof(msg), "HTTP/1.1 %u %s\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n%s%s"
	    "Via: 1.1 sixgate\r\n\r\n%s\n", status, reason(status),
	    strlen(text) + 1, status == 407 ? "Proxy-Authenticate: Basic "
	    "realm=\"sixgate\"\r\n" : "", close ? "Connection: close\r\n" :
	    d->hr.head.minor == 0 ? "Connection: keep-alive\r\n" : "", text);
	d->status = status;
	if (close)
		d->keep = false;
	return http_door_send(d->req->cfd, msg, (size_t)n,
	    sgio_now_ms() + SEND_TIMEOUT_MS, "client");
}

bool
http_door_has_body(const struct http_door *d)
{
	return d->hr.head.chunked || (d->hr.head.has_length &&
	    d->hr.head.length > 0);
}

/* Wait for the first byte of the next request: false when none came. */
static bool
idle_wait_first(struct http_door *d)
{
	int idle = d->req->cfg->timeout_idle;

	if (sgio_wait(d->cl.fd, POLLIN, idle > 0 ? sgio_now_ms() +
	    (int64_t)idle * 1000 : -1) == 0)
		return true;
	log_debug("no next request: %s", strerror(errno));
	return false;
}

/* Blank lines before a request are dropped (RFC 7230 section 3.5). */
static void
drop_blank_lines(struct http_buf *b)
{
	size_t n = 0;

	while (n < b->len && (b->b[n] == '\r' || b->b[n] == '\n'))
		n++;
	if (n > 0)
		http_buf_consume(b, n);
}

/* An error the parser found: answered, logged with the status. */
static enum http_read
read_refused(struct http_door *d, enum http_status st)
{
	unsigned code = http_status_code(st);

	log_info("request refused with %u: %s", code, reason(code));
	(void)http_door_error(d, code, reason(code), true);
	return HTTP_READ_FAIL;
}

enum http_read
http_door_read(struct http_door *d, bool idle_wait)
{
	const struct config *c = d->req->cfg;
	enum http_status st;
	int64_t deadline;
	ssize_t n;

	if (idle_wait && d->cl.len == 0 && !idle_wait_first(d))
		return HTTP_READ_END;
	deadline = d->first ? d->req->start : sgio_now_ms();
	deadline += (int64_t)c->timeout_handshake * 1000;
	for (;;) {
		drop_blank_lines(&d->cl);
		st = http_parse_request(d->cl.b, d->cl.len, &d->hr);
		if (st == HTTP_NEED_MORE && d->cl.len == sizeof(d->cl.b))
			st = HTTP_ERR_HEAD_LARGE;
		if (st != HTTP_NEED_MORE)
			break;
		n = sgio_recv_some(&sgio_libc, d->cl.fd, d->cl.b + d->cl.len,
		    sizeof(d->cl.b) - d->cl.len, deadline);
		if (n > 0) {
			d->cl.len += (size_t)n;
			continue;
		}
		/* Between requests, a client may go at any time. */
		if (d->cl.len == 0 && (n == 0 || !d->first))
			return HTTP_READ_END;
		log_info("request head: %s", n == 0 ? "client closed the "
		    "connection" : errno == ETIMEDOUT ? "handshake timeout" :
		    strerror(errno));
		return HTTP_READ_END;
	}
	d->first = false;
	if (st != HTTP_OK)
		return read_refused(d, st);
	return HTTP_READ_OK;
}

/* The destination of the request, as a name or a literal sent as one. */
static void
fill_dest(struct http_door *d)
{
	struct request *r = d->req;

	r->cmd = S5_CMD_CONNECT;
	memset(&r->dest, 0, sizeof(r->dest));
	r->dest.atyp = S5_ATYP_DOMAINNAME;
	r->dest.namelen = (uint8_t)strlen(d->hr.host);
	memcpy(r->dest.u.name, d->hr.host, r->dest.namelen + 1);
	r->dest.port = d->hr.port;
}

/* 407, keeping the connection when no body has to be skipped. */
static int
login_refused(struct http_door *d, const char *why)
{
	if (why != NULL)
		log_info("proxy login: %s", why);
	(void)http_door_error(d, 407, "proxy authentication required",
	    http_door_has_body(d) || !http_keep_alive(&d->hr.head));
	return -1;
}

int
http_door_login(struct http_door *d)
{
	char user[HTTP_CRED_MAX + 1], pass[HTTP_CRED_MAX + 1];
	const struct config *c = d->req->cfg;
	const struct http_span a = d->hr.auth;
	int rc;

	if (a.len == 0 || !(c->auth_methods & CONFIG_AUTH_USERNAME)) {
		if (c->auth_methods & CONFIG_AUTH_NONE)
			return 0;
		return login_refused(d, a.len == 0 ? NULL :
		    "credentials sent, but method \"none\" only");
	}
	if (http_basic_decode(d->cl.b + a.off, a.len, user, pass) != HTTP_OK) {
		explicit_bzero(pass, sizeof(pass));
		return login_refused(d, "not Basic credentials, or malformed");
	}
	rc = request_login(d->req, user, pass);
	explicit_bzero(pass, sizeof(pass));
	return rc == 0 ? 0 : login_refused(d, NULL);
}

bool
http_door_same(const struct http_door *d)
{
	const struct request *r = d->req;
	char user[HTTP_CRED_MAX + 1], pass[HTTP_CRED_MAX + 1];
	enum http_status st;
	bool same;

	if (d->hr.method == HTTP_M_CONNECT || d->hr.port != r->dest.port ||
	    strcmp(d->hr.host, r->dest.u.name) != 0)
		return false;
	if (d->hr.auth.len == 0 || !(r->cfg->auth_methods &
	    CONFIG_AUTH_USERNAME))
		return r->auth == REQUEST_AUTH_NONE;
	st = http_basic_decode(d->cl.b + d->hr.auth.off, d->hr.auth.len,
	    user, pass);
	explicit_bzero(pass, sizeof(pass));
	same = st == HTTP_OK && r->auth == REQUEST_AUTH_PASSWORD &&
	    strcmp(user, r->user) == 0;
	return same;
}

/* RFC 7231 section 6.6 statuses for the core's REP codes. */
static unsigned
status_of_rep(uint8_t rep, const char **text)
{
	switch (rep) {
	case S5_REP_NOT_ALLOWED:
		*text = "the proxy's rules do not allow this destination";
		return 403;
	case S5_REP_HOST_UNREACH:
		*text = "host unreachable, or its name did not resolve";
		return 502;
	case S5_REP_TTL_EXPIRED:
		*text = "connecting to the destination timed out";
		return 504;
	case S5_REP_CONN_REFUSED:
		*text = "the destination refused the connection";
		return 502;
	default:
		*text = "the proxy could not reach the destination";
		return 502;
	}
}

/* The core's reply (struct request_door), for CONNECT and forwarding. */
static int
reply_rep(void *ctx, uint8_t rep, const struct sockaddr *bnd)
{
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n"
	    "Via: 1.1 sixgate\r\n\r\n";
	struct http_door *d = ctx;
	const char *text;
	unsigned status;

	(void)bnd;
	if (rep == S5_REP_SUCCEEDED) {
		if (d->hr.method != HTTP_M_CONNECT)
			return 0;	/* the response says it */
		d->status = 200;
		return http_door_send(d->req->cfd, ok, sizeof(ok) - 1,
		    sgio_now_ms() + SEND_TIMEOUT_MS, "client");
	}
	status = status_of_rep(rep, &text);
	return http_door_error(d, status, text, d->hr.method ==
	    HTTP_M_CONNECT || http_door_has_body(d) ||
	    !http_keep_alive(&d->hr.head));
}

static int
reply_wire(void *ctx, uint8_t rep, const struct socks5_addr *bnd)
{
	(void)bnd;
	return reply_rep(ctx, rep, NULL);
}

/* Door names: both say "http"; forwarding speaks HTTP on the far side. */
static const struct request_door http_connect_door = {
	.name = "http", .reply = reply_rep, .reply_wire = reply_wire
};
static const struct request_door http_forward_door = {
	.name = "http", .reply = reply_rep, .reply_wire = reply_wire,
	.relay = http_forward_relay
};

/* One request through the core; d->keep says whether the client goes on. */
static void
run_one(struct http_door *d)
{
	struct request *r = d->req;
	char m[ESCAPE_LEN(16)];

	fill_dest(d);
	d->keep = http_keep_alive(&d->hr.head);
	d->nreq = 0;
	if (d->hr.method == HTTP_M_CONNECT) {
		r->door = &http_connect_door;
		d->keep = false;
		http_buf_consume(&d->cl, d->hr.head.len);
		/* Bytes after the CONNECT head are the tunnel's first. */
		r->early = d->cl.b;
		r->nearly = d->cl.len;
	} else {
		r->door = &http_forward_door;
		snprintf(r->extra, sizeof(r->extra), " method=%s",
		    escape_log(d->cl.b + d->hr.method_s.off,
		    d->hr.method_s.len, m, sizeof(m)));
	}
	request_run(r);
	/* A refused request: its head is done with, any body unread. */
	if (r->rep != S5_REP_SUCCEEDED) {
		http_buf_consume(&d->cl, d->hr.head.len);
		d->pending = false;
	}
}

void
door_http_run(struct request *r)
{
	struct http_door *d;
	enum http_read rd;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		log_warn("HTTP door");
		return;
	}
	d->req = r;
	d->cl.fd = r->cfd;
	d->up.fd = -1;
	d->first = true;
	r->door = &http_connect_door;
	r->door_ctx = d;
	for (;;) {
		if (!d->pending) {
			rd = http_door_read(d, !d->first);
			if (rd != HTTP_READ_OK)
				break;
		}
		d->pending = false;
		d->keep = !http_door_has_body(d) &&
		    http_keep_alive(&d->hr.head);
		if (http_door_login(d) == 0)
			run_one(d);
		else
			http_buf_consume(&d->cl, d->hr.head.len);
		if (!d->keep)
			break;
		request_next(r);
	}
	r->early = NULL;
	r->nearly = 0;
	r->door_ctx = NULL;
	explicit_bzero(d, sizeof(*d));
	free(d);
}
