/*
 * door_socks4.c - the SOCKS4/4A front door (see door_socks4.h).  The
 * request is parsed by the pure codec (socks4.c) from a fixed buffer;
 * the destination becomes a SOCKS5 address (a 4A name a DOMAINNAME, so
 * the core resolves it here, in both families: an IPv4-only client
 * reaches an IPv6-only host by name), the command a SOCKS5 command, and
 * the core's RFC 1928 outcomes become 0x5A (granted) or 0x5B.
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "door_socks4.h"
#include "escape.h"
#include "log.h"
#include "request.h"
#include "sgio.h"
#include "socks4.h"
#include "socks5.h"

#define DOOR_BUF		2048	/* > S4_REQUEST_MAX */
#define REPLY_TIMEOUT_MS	10000

/* What the core's replies need, for the whole request. */
struct door_socks4 {
	struct request	*req;
	unsigned	 replies;	/* sent so far (BIND sends two) */
};

/* The request as read: in the handshake's frame only. */
struct door_socks4_in {
	int64_t		 deadline;	/* end of the handshake */
	uint8_t		 buf[DOOR_BUF];
	size_t		 len;
};

static int
send_reply(struct door_socks4 *d, uint8_t rep, const uint8_t ip[4],
    uint16_t port)
{
	uint8_t out[S4_REPLY_LEN];

	d->replies++;
	(void)socks4_encode_reply(rep, ip, port, out, sizeof(out));
	if (sgio_send_all(&sgio_libc, d->req->cfd, out, sizeof(out),
	    sgio_now_ms() + REPLY_TIMEOUT_MS) == -1) {
		log_info("cannot answer the client: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
reject(struct door_socks4 *d)
{
	static const uint8_t zero[4];

	return send_reply(d, S4_REP_REJECTED, zero, 0);
}

/*
 * The core's replies (struct request_door).  Any RFC 1928 failure is
 * 0x5B.  A CONNECT's client ignores the address of the reply, so one
 * SOCKS4 cannot carry (IPv6) goes as 0.0.0.0; the first reply of a BIND
 * tells where the peer is to connect, and an IPv6 address there cannot
 * be expressed: 0x5B, logged, and the access line says 0x01.
 */
static int
reply_sockaddr(void *ctx, uint8_t rep, const struct sockaddr *bnd)
{
	struct door_socks4 *d = ctx;
	char abuf[ADDR_STRLEN];
	uint8_t ip[4];
	uint16_t port;

	if (rep != S5_REP_SUCCEEDED)
		return reject(d);
	if (socks4_addr_from_sockaddr(bnd, ip, &port) != S4_OK) {
		if (d->req->cmd == S5_CMD_BIND && d->replies == 0) {
			log_info("bind: the bound address %s is not IPv4, "
			    "which SOCKS4 cannot express: rejected (0x5B)",
			    addr_ntop(bnd, abuf, sizeof(abuf)));
			d->req->rep = S5_REP_ATYP_UNSUPPORTED;
			(void)reject(d);
			return -1;
		}
		(void)socks4_addr_from_sockaddr(NULL, ip, &port);
	}
	return send_reply(d, S4_REP_GRANTED, ip, port);
}

/* A chained hop's bound address: IPv4, or as above. */
static int
reply_wire(void *ctx, uint8_t rep, const struct socks5_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (a == NULL || socks5_addr_to_sockaddr(a, &ss, &len) != S5_OK)
		return reply_sockaddr(ctx, rep, NULL);
	return reply_sockaddr(ctx, rep, (struct sockaddr *)&ss);
}

static const struct request_door socks4_door = {
	.name = "socks4", .reply = reply_sockaddr, .reply_wire = reply_wire
};

static int
read_request(struct door_socks4 *d, struct door_socks4_in *in,
    struct socks4_request *req)
{
	enum socks4_status st;
	size_t used;

	while ((st = socks4_parse_request(in->buf, in->len, req, &used)) ==
	    S4_NEED_MORE)
		if (request_read_more(d->req, in->buf, sizeof(in->buf),
		    &in->len, in->deadline, "socks4 request") == -1)
			return -1;
	if (st != S4_OK) {
		log_info("socks4 request: %s", st == S4_ERR_VERSION ?
		    "wrong protocol version" : "USERID or host name longer "
		    "than 255 bytes, or an empty host name");
		(void)reject(d);
		return -1;
	}
	memmove(in->buf, in->buf + used, in->len - used);
	in->len -= used;
	return 0;
}

/*
 * The USERID is the client's word, not a login: logged (escaped) in
 * the access line, never matched against users in the rules.
 */
static void
note_userid(struct request *r, const struct socks4_request *req)
{
	char esc[sizeof(r->extra) - 16];

	if (req->useridlen == 0)
		return;
	snprintf(r->extra, sizeof(r->extra), " userid=%s",
	    escape_log(req->userid, req->useridlen, esc, sizeof(esc)));
}

/*
 * The request, read into a buffer in this frame (request_run_after).
 * 0, or -1 (answered, logged).
 */
static __attribute__((noinline)) int
handshake(struct request *r, uint8_t **early)
{
	struct door_socks4 *d = r->door_ctx;
	struct door_socks4_in in;
	struct socks4_request req;
	int rc = -1;

	memset(&req, 0, sizeof(req));
	in.deadline = r->start + (int64_t)r->cfg->timeout_handshake * 1000;
	in.len = 0;
	if (read_request(d, &in, &req) == -1)
		goto out;
	if ((r->cfg->auth_methods & CONFIG_AUTH_NONE) == 0) {
		log_info("socks4 request refused (0x5B): SOCKS4 has no "
		    "passwords and auth.methods does not include \"none\"");
		(void)reject(d);
		goto out;
	}
	if (req.cmd != S4_CMD_CONNECT && req.cmd != S4_CMD_BIND) {
		log_info("socks4 request: unknown command 0x%02x: rejected",
		    req.cmd);
		(void)reject(d);
		goto out;
	}
	r->cmd = req.cmd == S4_CMD_CONNECT ? S5_CMD_CONNECT : S5_CMD_BIND;
	socks4_request_dest(&req, &r->dest);
	note_userid(r, &req);
	rc = request_keep_early(r, in.buf, in.len, early);
out:
	explicit_bzero(&req, sizeof(req));
	return rc;
}

void
door_socks4_run(struct request *r)
{
	struct door_socks4 d = { .req = r, .replies = 0 };

	r->door = &socks4_door;
	r->door_ctx = &d;
	r->auth = REQUEST_AUTH_NONE;
	request_run_after(r, handshake);
}
