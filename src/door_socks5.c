/*
 * door_socks5.c - the SOCKS5 front door (see door_socks5.h).  This is
 * where the pure codec meets the client's socket: bytes are read into a
 * fixed buffer and handed to socks5_parse_*, which say how much they
 * consumed, so split and pipelined messages both work and bytes sent
 * after the request are relayed, not lost.
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "request.h"
#include "door_socks5.h"
#include "sgio.h"
#include "sock.h"
#include "socks5.h"

#define DOOR_BUF		2048	/* > greeting + login + request */
#define REPLY_TIMEOUT_MS	10000

struct door_socks5 {
	struct request	*req;
	int64_t		 deadline;	/* end of the handshake */
	uint8_t		 buf[DOOR_BUF];
	size_t		 len;		/* bytes in buf */
};

static int
send_bytes(struct request *r, const uint8_t *p, size_t n)
{
	if (sgio_send_all(&sgio_libc, r->cfd, p, n,
	    sgio_now_ms() + REPLY_TIMEOUT_MS) == -1) {
		log_info("cannot answer the client: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Read more handshake bytes before the deadline.  -1 (logged) on EOF,
 * error, timeout or a full buffer.
 */
static int
read_more(struct door_socks5 *d, const char *stage)
{
	return request_read_more(d->req, d->buf, sizeof(d->buf), &d->len,
	    d->deadline, stage);
}

/* Drop n parsed bytes from the front of the buffer. */
static void
consume(struct door_socks5 *d, size_t n)
{
	memmove(d->buf, d->buf + n, d->len - n);
	d->len -= n;
}

static const char *
parse_err_str(enum socks5_status st)
{
	switch (st) {
	case S5_ERR_VERSION:
		return "wrong protocol version";
	case S5_ERR_ATYP:
		return "unknown address type";
	default:
		return "malformed message";
	}
}

/* The core's replies (struct request_door, ctx the request), RFC 1928 section 6. */
static int
reply_sockaddr(void *ctx, uint8_t rep, const struct sockaddr *bnd)
{
	uint8_t out[S5_REPLY_MAX];
	size_t n;

	n = socks5_encode_reply(rep, bnd, out, sizeof(out));
	return send_bytes(ctx, out, n);
}

/* A reply whose BND is a wire address (a chained hop's, maybe a name). */
static int
reply_wire(void *ctx, uint8_t rep, const struct socks5_addr *a)
{
	uint8_t out[S5_REPLY_MAX];
	size_t n;

	/* A reply has the layout of a request, REP in place of CMD. */
	if ((n = socks5_encode_request(rep, a, out, sizeof(out))) == 0)
		return reply_sockaddr(ctx, rep, NULL);
	return send_bytes(ctx, out, n);
}

/* Designated: a door leaves the optional ops NULL (the blind relay). */
static const struct request_door socks5_door = {
	.name = "socks5", .reply = reply_sockaddr, .reply_wire = reply_wire
};

/* The method to use: the first of ours, in our order, the client offers. */
static uint8_t
choose_method(const struct config *c, const struct socks5_greeting *g)
{
	uint8_t method = S5_METHOD_NO_ACCEPTABLE, want;
	size_t i, k;

	for (k = 0; k < c->nauth && method == S5_METHOD_NO_ACCEPTABLE; k++) {
		want = c->auth_order[k] == CONFIG_AUTH_USERNAME ?
		    S5_METHOD_USERPASS : S5_METHOD_NONE;
		for (i = 0; i < g->nmethods; i++) {
			if (g->methods[i] == want)
				method = want;
			/*
			 * RFC 1929 under our private number: tells the
			 * client it may pipeline (socks5.h).
			 */
			if (want == S5_METHOD_USERPASS &&
			    g->methods[i] == S5_METHOD_SIXGATE) {
				method = S5_METHOD_SIXGATE;
				break;
			}
		}
	}
	return method;
}

/* RFC 1928 section 3: choose a method in the configured order. */
static int
do_greeting(struct door_socks5 *d, uint8_t *method)
{
	struct socks5_greeting g;
	enum socks5_status st;
	uint8_t out[2];
	size_t used;

	while ((st = socks5_parse_greeting(d->buf, d->len, &g, &used)) ==
	    S5_NEED_MORE)
		if (read_more(d, "greeting") == -1)
			return -1;
	if (st != S5_OK) {
		/* 0x04: a SOCKS4 client, where socks4 is not switched on. */
		if (st == S5_ERR_VERSION && d->buf[0] == 0x04)
			log_info("greeting: SOCKS4 request on a listener "
			    "without socks4 (%s): refused",
			    d->req->listener->text);
		else
			log_info("greeting: %s", parse_err_str(st));
		return -1;
	}
	consume(d, used);
	*method = choose_method(d->req->cfg, &g);
	socks5_encode_method(*method, out, sizeof(out));
	if (send_bytes(d->req, out, sizeof(out)) == -1)
		return -1;
	if (*method == S5_METHOD_NO_ACCEPTABLE) {
		log_info("no acceptable authentication method offered");
		return -1;
	}
	return 0;
}

/* RFC 1929, checked by the core; the password is wiped whatever happens. */
static int
do_login(struct door_socks5 *d)
{
	struct socks5_userpass up;
	enum socks5_status st;
	uint8_t out[2];
	size_t used;
	int rc;

	while ((st = socks5_parse_userpass(d->buf, d->len, &up, &used)) ==
	    S5_NEED_MORE)
		if (read_more(d, "login") == -1)
			goto fail;
	if (st != S5_OK) {
		/*
		 * An empty user or password, or a NUL byte in one: a failed
		 * login the client can read (RFC 1929 status), not a hang-up.
		 */
		log_info("login: %s", st == S5_ERR_FORMAT ? "empty user name "
		    "or password, or a NUL byte in one: refused" :
		    parse_err_str(st));
		if (st == S5_ERR_FORMAT) {
			socks5_encode_auth_status(S5_AUTH_FAILURE, out,
			    sizeof(out));
			(void)send_bytes(d->req, out, sizeof(out));
		}
		goto fail;
	}
	explicit_bzero(d->buf, used);
	consume(d, used);
	rc = request_login(d->req, up.user, up.pass);
	explicit_bzero(up.pass, sizeof(up.pass));
	socks5_encode_auth_status(rc == 0 ? S5_AUTH_SUCCESS : S5_AUTH_FAILURE,
	    out, sizeof(out));
	if (rc == -1) {
		(void)send_bytes(d->req, out, sizeof(out));
		return -1;
	}
	return send_bytes(d->req, out, sizeof(out));
fail:
	explicit_bzero(&up, sizeof(up));
	return -1;
}

/* RFC 1928 section 4; a request the codec refuses is answered here. */
static int
read_request(struct door_socks5 *d)
{
	struct socks5_request req;
	enum socks5_status st;
	size_t used;

	while ((st = socks5_parse_request(d->buf, d->len, &req, &used)) ==
	    S5_NEED_MORE)
		if (read_more(d, "request") == -1)
			return -1;
	if (st != S5_OK) {
		log_info("request: %s", parse_err_str(st));
		(void)reply_sockaddr(d->req, st == S5_ERR_ATYP ?
		    S5_REP_ATYP_UNSUPPORTED : S5_REP_GENERAL_FAILURE, NULL);
		return -1;
	}
	consume(d, used);
	d->req->cmd = req.cmd;
	d->req->dest = req.addr;
	return 0;
}

/*
 * Greeting, login and request, read into a buffer in this frame
 * (request_run_after).  0, or -1 (answered, logged).
 */
static __attribute__((noinline)) int
handshake(struct request *r, uint8_t **early)
{
	struct door_socks5 d;
	uint8_t method;
	int rc = -1;

	d.req = r;
	d.deadline = r->start + (int64_t)r->cfg->timeout_handshake * 1000;
	d.len = 0;
	if (do_greeting(&d, &method) == -1)
		goto out;
	r->sixgate_client = method == S5_METHOD_SIXGATE;
	if (method != S5_METHOD_NONE && do_login(&d) == -1)
		goto out;
	if (read_request(&d) == -1)
		goto out;
	rc = request_keep_early(r, d.buf, d.len, early);
out:
	explicit_bzero(d.buf, sizeof(d.buf));
	return rc;
}

void
door_socks5_run(struct request *r)
{
	r->door = &socks5_door;
	r->door_ctx = r;
	request_run_after(r, handshake);
}
