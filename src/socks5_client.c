/*
 * socks5_client.c - client side of the SOCKS5 handshake (see
 * socks5_client.h).  Messages are built with the pure codec and the
 * answers parsed incrementally; recv() asks for no more than the
 * answer still missing, so nothing that follows the reply is consumed.
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "socks5_client.h"

/*
 * Read one more byte range of an answer: at most want bytes (never past
 * the message, so the program's data stays in the socket).
 */
static int
recv_some(const struct sgio_ops *io, int fd, uint8_t *buf, size_t want,
    size_t *got, int64_t deadline)
{
	ssize_t n;

	if ((n = sgio_recv_some(io, fd, buf + *got, want, deadline)) == -1)
		return -1;
	if (n == 0) {
		errno = ECONNRESET;	/* closed mid-handshake */
		return -1;
	}
	*got += (size_t)n;
	return 0;
}

/* Bytes still missing from a reply whose first got bytes are in buf. */
static size_t
reply_missing(const uint8_t *buf, size_t got)
{
	size_t need;

	if (got < 5)
		return 5 - got;		/* VER REP RSV ATYP + 1 */
	switch (buf[3]) {
	case S5_ATYP_IPV4:
		need = 4 + 4 + 2;
		break;
	case S5_ATYP_IPV6:
		need = 4 + 16 + 2;
		break;
	default:
		need = 4 + 1 + (size_t)buf[4] + 2;
		break;
	}
	return need > got ? need - got : 0;
}

static enum socks5_client_result
read_method(const struct sgio_ops *io, int fd, struct socks5_client_res *res,
    int64_t deadline)
{
	uint8_t buf[2];
	size_t got = 0, used;

	while (got < 2)
		if (recv_some(io, fd, buf, 2 - got, &got, deadline) == -1)
			return S5C_IO;
	if (socks5_parse_method(buf, got, &res->method, &used) != S5_OK)
		return S5C_PROTOCOL;
	return res->method == S5_METHOD_NO_ACCEPTABLE ? S5C_NO_METHOD : S5C_OK;
}

static enum socks5_client_result
read_auth(const struct sgio_ops *io, int fd, int64_t deadline)
{
	uint8_t buf[2], status;
	size_t got = 0, used;

	while (got < 2)
		if (recv_some(io, fd, buf, 2 - got, &got, deadline) == -1)
			return S5C_IO;
	/* Some servers answer RFC 1929 with version 5: tolerate it. */
	if (buf[0] == S5_VERSION)
		buf[0] = S5_AUTH_VERSION;
	if (socks5_parse_auth_status(buf, got, &status, &used) != S5_OK)
		return S5C_PROTOCOL;
	return status == S5_AUTH_SUCCESS ? S5C_OK : S5C_AUTH_FAILED;
}

static enum socks5_client_result
read_reply(const struct sgio_ops *io, int fd, struct socks5_client_res *res,
    int64_t deadline)
{
	uint8_t buf[S5_REPLY_MAX];
	struct socks5_request rep;
	size_t got = 0, used, miss;

	while ((miss = reply_missing(buf, got)) > 0)
		if (recv_some(io, fd, buf, miss, &got, deadline) == -1)
			return S5C_IO;
	if (socks5_parse_reply(buf, got, &rep, &used) != S5_OK)
		return S5C_PROTOCOL;
	res->rep = rep.cmd;
	res->bnd = rep.addr;
	return res->rep == S5_REP_SUCCEEDED ? S5C_OK : S5C_REPLY;
}

static bool
is_userpass(uint8_t m)
{
	return m == S5_METHOD_USERPASS || m == S5_METHOD_SIXGATE;
}

/* Greeting (+ login + request when pipelining) into out; 0 on error. */
static size_t
build_opening(const struct socks5_client_req *req, bool auth, uint8_t *out,
    size_t outlen)
{
	/* Offering S5_METHOD_SIXGATE lets sixgated make itself known. */
	static const uint8_t with_auth[] = { S5_METHOD_SIXGATE,
	    S5_METHOD_USERPASS };
	static const uint8_t no_auth[] = { S5_METHOD_NONE };
	size_t n, k;

	n = auth ? socks5_encode_greeting(with_auth, sizeof(with_auth), out,
	    outlen) : socks5_encode_greeting(no_auth, sizeof(no_auth), out,
	    outlen);
	if (n == 0 || !req->pipeline)
		return n;
	if (auth) {
		if ((k = socks5_encode_userpass(req->user, req->pass, out + n,
		    outlen - n)) == 0)
			return 0;
		n += k;
	}
	if ((k = socks5_encode_request(req->cmd, &req->dest, out + n,
	    outlen - n)) == 0)
		return 0;
	return n + k;
}

enum socks5_client_result
socks5_client_handshake(const struct sgio_ops *io, int fd,
    const struct socks5_client_req *req, struct socks5_client_res *res)
{
	uint8_t out[S5_GREETING_MAX + S5_USERPASS_MAX + S5_REQUEST_MAX];
	bool auth = req->user != NULL && req->user[0] != '\0';
	int64_t deadline = sgio_now_ms() + req->timeout_ms;
	enum socks5_client_result r = S5C_PROTOCOL;
	size_t n;

	memset(res, 0, sizeof(*res));
	if ((n = build_opening(req, auth, out, sizeof(out))) == 0) {
		errno = EINVAL;
		r = S5C_IO;
		goto out;
	}
	if (sgio_send_all(io, fd, out, n, deadline) == -1) {
		r = S5C_IO;
		goto out;
	}
	if ((r = read_method(io, fd, res, deadline)) != S5C_OK)
		goto out;
	/* A method we did not offer, or one our pipelined login misfits. */
	if (is_userpass(res->method) != auth) {
		r = S5C_PROTOCOL;
		goto out;
	}
	if (!req->pipeline && is_userpass(res->method)) {
		if ((n = socks5_encode_userpass(req->user, req->pass, out,
		    sizeof(out))) == 0 ||
		    sgio_send_all(io, fd, out, n, deadline) == -1) {
			r = S5C_IO;
			goto out;
		}
	}
	if (is_userpass(res->method) && (r = read_auth(io, fd, deadline)) != S5C_OK)
		goto out;
	if (!req->pipeline) {
		if ((n = socks5_encode_request(req->cmd, &req->dest, out,
		    sizeof(out))) == 0 ||
		    sgio_send_all(io, fd, out, n, deadline) == -1) {
			r = S5C_IO;
			goto out;
		}
	}
	r = read_reply(io, fd, res, deadline);
out:
	explicit_bzero(out, sizeof(out));
	return r;
}

int
socks5_errno_from_rep(uint8_t rep)
{
	switch (rep) {
	case S5_REP_SUCCEEDED:
		return 0;
	case S5_REP_NOT_ALLOWED:
		return EACCES;
	case S5_REP_NET_UNREACH:
		return ENETUNREACH;
	case S5_REP_HOST_UNREACH:
		return EHOSTUNREACH;
	case S5_REP_CONN_REFUSED:
		return ECONNREFUSED;
	case S5_REP_TTL_EXPIRED:
		return ETIMEDOUT;
	case S5_REP_CMD_UNSUPPORTED:
		return EOPNOTSUPP;
	case S5_REP_ATYP_UNSUPPORTED:
		return EAFNOSUPPORT;
	default:
		return ECONNREFUSED;	/* general failure: nothing better */
	}
}
