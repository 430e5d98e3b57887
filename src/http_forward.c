/*
 * http_forward.c - plain forwarding (RFC 7230 sections 3.3, 5.7 and 6):
 * the HTTP door's relay (struct request_door's relay), run by the core
 * once the destination is connected.  Each request goes on in
 * origin-form with its hop-by-hop fields removed and "Via: 1.1 sixgate"
 * added, its body streamed (Content-Length or chunked) through the
 * door's fixed buffers, never held whole; then the response the same
 * way.  The client's next request to the same host, port and user goes
 * on the same destination connection while that stays open; any other
 * is left pending for the door, which runs it through the core anew.
 */
#include "sgconfig.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "http_door.h"
#include "log.h"
#include "sgio.h"

/* One relay: where it stands and how it ended. */
struct fwd {
	struct http_door	*d;
	struct request		*r;
	const struct relay_limit *lim;	/* the rule's limits, or NULL */
	enum relay_end		 end;
	int			 err;
	bool			 up_keep;	/* destination reusable */
	char			 method[ESCAPE_LEN(16)];
};

/* A head being written into d->head. */
struct out {
	uint8_t		*p;
	size_t		 cap, len;
	bool		 full;
};

static void
add(struct out *o, const void *p, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void
adds(struct out *o, const char *s)
{
	add(o, s, strlen(s));
}

static void
add_span(struct out *o, const uint8_t *b, struct http_span s)
{
	add(o, b + s.off, s.len);
}

/* Waiting on a peer: timeouts.idle, and no later than the rule's end. */
static int64_t
wait_deadline(const struct request *r)
{
	int64_t t = -1;

	if (r->cfg->timeout_idle > 0)
		t = sgio_now_ms() + (int64_t)r->cfg->timeout_idle * 1000;
	if (r->deadline != 0 && (t == -1 || r->deadline < t))
		t = r->deadline;
	return t;
}

static int
failed(struct fwd *f, bool client, int err)
{
	f->end = client ? RELAY_END_CLIENT_ERR : RELAY_END_DEST_ERR;
	if (err == ETIMEDOUT)
		f->end = f->r->deadline != 0 && sgio_now_ms() >=
		    f->r->deadline ? RELAY_END_TIME : RELAY_END_IDLE;
	f->err = err;
	f->d->keep = false;
	return -1;
}

/*
 * Up to n bytes one way as the rule's limits allow them (relay.h, the
 * pump does the same): waits for the tokens; 0 when the quota is spent
 * (end=quota) or the wait would pass the deadline.
 */
static size_t
take(struct fwd *f, bool to_client, size_t n)
{
	const struct relay_limit *lim = f->lim;
	int dir = to_client ? 1 : 0;	/* the pump's: 0 up, 1 down */
	int64_t retry, until = wait_deadline(f->r);
	uint64_t g;
	bool out;

	if (lim == NULL)
		return n;
	for (;;) {
		retry = 0;
		out = false;
		g = lim->grant(lim->ctx, dir, n, &retry, &out);
		if (g > n) {
			lim->unused(lim->ctx, dir, g - n);
			g = n;
		}
		if (g > 0)
			return (size_t)g;
		if (out) {
			f->end = RELAY_END_QUOTA;
			f->d->keep = false;
			return 0;
		}
		if (retry < 1)
			retry = 1;
		if (until != -1 && sgio_now_ms() + retry > until) {
			(void)failed(f, to_client, ETIMEDOUT);
			return 0;
		}
		(void)poll(NULL, 0, (int)retry);
	}
}

/* All of p to the client or the destination, counted and limited. */
static int
put(struct fwd *f, bool to_client, const void *p, size_t n)
{
	int fd = to_client ? f->r->cfd : f->r->dfd;
	const uint8_t *b = p;
	size_t k;

	while (n > 0) {
		if ((k = take(f, to_client, n)) == 0)
			return -1;
		if (sgio_send_all(&sgio_libc, fd, b, k, wait_deadline(f->r))
		    == -1)
			return failed(f, to_client, errno);
		atomic_fetch_add_explicit(to_client ? &f->r->stats.down :
		    &f->r->stats.up, k, memory_order_relaxed);
		b += k;
		n -= k;
	}
	return 0;
}

/* More bytes into b; EOF here is the middle of a message. */
static int
fill(struct fwd *f, struct http_buf *b)
{
	bool client = b == &f->d->cl;
	ssize_t n;

	if (b->len == sizeof(b->b))
		return failed(f, client, EMSGSIZE);
	n = sgio_recv_some(&sgio_libc, b->fd, b->b + b->len,
	    sizeof(b->b) - b->len, wait_deadline(f->r));
	if (n > 0) {
		b->len += (size_t)n;
		return 0;
	}
	return failed(f, client, n == 0 ? ECONNABORTED : errno);
}

/* n bytes from src to the other side. */
static int
pass_length(struct fwd *f, struct http_buf *src, uint64_t n)
{
	bool to_client = src == &f->d->up;
	size_t k;

	while (n > 0) {
		if (src->len == 0 && fill(f, src) == -1)
			return -1;
		k = src->len < n ? src->len : (size_t)n;
		if (put(f, to_client, src->b, k) == -1)
			return -1;
		http_buf_consume(src, k);
		n -= k;
	}
	return 0;
}

/* The end of a chunked body: trailers dropped (Trailer is hop-by-hop). */
static int
chunked_end(struct fwd *f, struct http_buf *src, bool dechunk)
{
	enum http_status st;
	size_t used;

	while ((st = http_parse_trailers(src->b, src->len, &used)) ==
	    HTTP_NEED_MORE)
		if (fill(f, src) == -1)
			return -1;
	if (st != HTTP_OK)
		return failed(f, src == &f->d->cl, EPROTO);
	http_buf_consume(src, used);
	return dechunk ? 0 : put(f, src == &f->d->up, "0\r\n\r\n", 5);
}

/*
 * A chunked body (RFC 7230 section 4.1), chunk by chunk, as it came or
 * decoded (for an HTTP/1.0 client).
 */
static int
pass_chunked(struct fwd *f, struct http_buf *src, bool dechunk)
{
	bool client = src == &f->d->cl, to_client = !client;
	enum http_status st;
	uint64_t size;
	size_t used;

	for (;;) {
		while ((st = http_parse_chunk_size(src->b, src->len, &size,
		    &used)) == HTTP_NEED_MORE)
			if (fill(f, src) == -1)
				return -1;
		if (st != HTTP_OK)
			return failed(f, client, EPROTO);
		if (size == 0) {
			http_buf_consume(src, used);
			return chunked_end(f, src, dechunk);
		}
		if (!dechunk && put(f, to_client, src->b, used) == -1)
			return -1;
		http_buf_consume(src, used);
		if (pass_length(f, src, size) == -1)
			return -1;
		while (src->len < 2)
			if (fill(f, src) == -1)
				return -1;
		if (src->b[0] != '\r' || src->b[1] != '\n')
			return failed(f, client, EPROTO);
		http_buf_consume(src, 2);
		if (!dechunk && put(f, to_client, "\r\n", 2) == -1)
			return -1;
	}
}

/* A response body delimited by the destination's close. */
static int
pass_until_close(struct fwd *f)
{
	struct http_buf *src = &f->d->up;
	ssize_t n;

	for (;;) {
		if (src->len > 0 && put(f, true, src->b, src->len) == -1)
			return -1;
		src->len = 0;
		n = sgio_recv_some(&sgio_libc, src->fd, src->b,
		    sizeof(src->b), wait_deadline(f->r));
		if (n == 0)
			return 0;
		if (n < 0)
			return failed(f, false, errno);
		src->len = (size_t)n;
	}
}

/* The request head in origin-form, to the destination. */
static int
send_request_head(struct fwd *f)
{
	struct http_door *d = f->d;
	const struct http_request *h = &d->hr;
	const uint8_t *b = d->cl.b;
	struct out o = { d->head, sizeof(d->head), 0, false };
	size_t i;

	add_span(&o, b, h->method_s);
	adds(&o, " ");
	if (h->path.len == 0 || b[h->path.off] != '/')
		adds(&o, "/");
	add_span(&o, b, h->path);
	adds(&o, " HTTP/1.1\r\nHost: ");
	add_span(&o, b, h->authority);
	adds(&o, "\r\n");
	for (i = 0; i < h->head.nfields; i++)
		if (!http_hop_by_hop(b, &h->head, i) &&
		    !http_field_is(b, &h->head.f[i], "Host") &&
		    !(h->expect_continue &&
		    http_field_is(b, &h->head.f[i], "Expect"))) {
			add_span(&o, b, h->head.f[i].name);
			adds(&o, ": ");
			add_span(&o, b, h->head.f[i].value);
			adds(&o, "\r\n");
		}
	adds(&o, h->head.chunked ? "Transfer-Encoding: chunked\r\n" : "");
	adds(&o, "Via: 1.1 sixgate\r\n\r\n");
	if (o.full)
		return failed(f, true, EMSGSIZE);
	return put(f, false, o.p, o.len);
}

/*
 * The request: head, then the body.  An Expect: 100-continue is
 * answered here, and not passed on, so that the body never waits for
 * an interim response.
 */
static int
forward_request(struct fwd *f)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct http_door *d = f->d;
	bool chunked = d->hr.head.chunked, expect = d->hr.expect_continue;
	uint64_t len = d->hr.head.has_length ? d->hr.head.length : 0;

	escape_log(d->cl.b + d->hr.method_s.off, d->hr.method_s.len,
	    f->method, sizeof(f->method));
	if (send_request_head(f) == -1)
		return -1;
	http_buf_consume(&d->cl, d->hr.head.len);
	if (expect && (chunked || len > 0) && put(f, true, cont,
	    sizeof(cont) - 1) == -1)
		return -1;
	if (chunked)
		return pass_chunked(f, &d->cl, false);
	return pass_length(f, &d->cl, len);
}

/* The final response head (interim 1xx ones are dropped). */
static int
read_response(struct fwd *f, struct http_response *res)
{
	struct http_buf *up = &f->d->up;
	enum http_status st;

	for (;;) {
		while ((st = http_parse_response(up->b, up->len, res)) ==
		    HTTP_NEED_MORE)
			if (up->len == sizeof(up->b) || fill(f, up) == -1)
				return -1;
		if (st != HTTP_OK || res->code == 101)
			return failed(f, false, EPROTO);
		if (res->code >= 200)
			return 0;
		http_buf_consume(up, res->head.len);
	}
}

/* The response head to the client, hop-by-hop fields removed. */
static int
send_response_head(struct fwd *f, const struct http_response *res,
    enum http_body kind)
{
	struct http_door *d = f->d;
	const uint8_t *b = d->up.b;
	struct out o = { d->head, sizeof(d->head), 0, false };
	char line[32];
	size_t i;

	snprintf(line, sizeof(line), "HTTP/1.1 %u ", res->code);
	adds(&o, line);
	add_span(&o, b, res->reason);
	adds(&o, "\r\n");
	for (i = 0; i < res->head.nfields; i++)
		if (!http_hop_by_hop(b, &res->head, i) && !(res->head.chunked &&
		    http_field_is(b, &res->head.f[i], "Content-Length"))) {
			add_span(&o, b, res->head.f[i].name);
			adds(&o, ": ");
			add_span(&o, b, res->head.f[i].value);
			adds(&o, "\r\n");
		}
	if (kind == HTTP_BODY_CHUNKED && d->hr.head.minor == 1)
		adds(&o, "Transfer-Encoding: chunked\r\n");
	/* HTTP/1.0 persists only when told so (RFC 9112 section 9.3). */
	if (!d->keep)
		adds(&o, "Connection: close\r\n");
	else if (d->hr.head.minor == 0)
		adds(&o, "Connection: keep-alive\r\n");
	adds(&o, "Via: 1.1 sixgate\r\n\r\n");
	if (o.full)
		return failed(f, false, EMSGSIZE);
	return put(f, true, o.p, o.len);
}

/* One request and its response; d->keep: the client goes on. */
static int
forward_one(struct fwd *f)
{
	struct http_door *d = f->d;
	struct http_response res;
	enum http_body kind;
	int rc = 0;

	if (forward_request(f) == -1 || read_response(f, &res) == -1) {
		/* Nothing of a response was sent: the client hears why. */
		if (f->end == RELAY_END_IDLE)
			(void)http_door_error(d, 504, "the destination did "
			    "not answer in time", true);
		else if (f->end == RELAY_END_DEST_ERR)
			(void)http_door_error(d, 502, "the destination did "
			    "not answer in HTTP/1.x", true);
		return -1;
	}
	kind = http_response_body(d->hr.method, &res);
	if (!http_client_persists(&d->hr.head, kind))
		d->keep = false;
	if (send_response_head(f, &res, kind) == -1)
		return -1;
	d->status = res.code;
	f->up_keep = res.head.minor == 1 && !res.head.conn_close &&
	    kind != HTTP_BODY_CLOSE;
	http_buf_consume(&d->up, res.head.len);
	if (kind == HTTP_BODY_CHUNKED)
		rc = pass_chunked(f, &d->up, d->hr.head.minor == 0);
	else if (kind == HTTP_BODY_LENGTH)
		rc = pass_length(f, &d->up, res.head.length);
	else if (kind == HTTP_BODY_CLOSE)
		rc = pass_until_close(f);
	if (rc == -1)
		d->keep = false;
	return rc;
}

/* The destination is still open and has sent nothing unasked. */
static bool
up_idle(const struct fwd *f)
{
	struct pollfd p = { f->r->dfd, POLLIN, 0 };

	return f->up_keep && f->d->up.len == 0 && poll(&p, 1, 0) == 0;
}

/*
 * The client's next request: true to go on here; false to end the
 * relay (then d->pending says whether the door has a request to run).
 */
static bool
next_request(struct fwd *f)
{
	struct http_door *d = f->d;

	while (d->keep) {
		if (http_door_read(d, true) != HTTP_READ_OK) {
			d->keep = false;
			return false;
		}
		d->keep = http_keep_alive(&d->hr.head);
		if (!up_idle(f) || !http_door_same(d)) {
			d->pending = true;
			return false;
		}
		if (http_door_login(d) == 0)
			return true;
		http_buf_consume(&d->cl, d->hr.head.len);
	}
	return false;
}

enum relay_end
http_forward_relay(void *ctx, struct request *r,
    const struct relay_limit *lim, int *err)
{
	struct http_door *d = ctx;
	struct fwd f = { .d = d, .r = r, .lim = lim,
	    .end = RELAY_END_CLOSED };
	int rc;

	d->up.fd = r->dfd;
	d->up.len = 0;
	d->status = 0;
	for (;;) {
		rc = forward_one(&f);
		d->nreq++;
		snprintf(r->extra, sizeof(r->extra), " method=%s status=%u "
		    "requests=%u", f.method, d->status, d->nreq);
		if (rc == -1 || !next_request(&f))
			break;
	}
	d->up.fd = -1;
	d->up.len = 0;
	*err = f.err;
	return f.end;
}
