/*
 * socks5.c - pure SOCKS5 codec, RFC 1928 and RFC 1929 (see socks5.h).
 *
 * Every parser first checks that the whole message is present, computing
 * its length field by field, and only then copies anything out; so a
 * message split over reads costs nothing but a re-parse of its prefix.
 */
#include "sgconfig.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "socks5.h"

/*
 * Length of the address that starts at buf[0] (ATYP byte), including
 * ATYP and port: 0 when more bytes are needed, -1 for an unknown ATYP.
 */
static long
addr_wire_len(const uint8_t *buf, size_t len)
{
	if (len < 1)
		return 0;
	switch (buf[0]) {
	case S5_ATYP_IPV4:
		return 1 + 4 + 2;
	case S5_ATYP_IPV6:
		return 1 + 16 + 2;
	case S5_ATYP_DOMAINNAME:
		if (len < 2)
			return 0;
		return 1 + 1 + (long)buf[1] + 2;
	default:
		return -1;
	}
}

/* Decode a complete address (length already checked). */
static enum socks5_status
addr_decode(const uint8_t *buf, struct socks5_addr *a)
{
	size_t n;

	memset(a, 0, sizeof(*a));
	a->atyp = buf[0];
	switch (buf[0]) {
	case S5_ATYP_IPV4:
		memcpy(a->u.v4, buf + 1, 4);
		n = 1 + 4;
		break;
	case S5_ATYP_IPV6:
		memcpy(a->u.v6, buf + 1, 16);
		n = 1 + 16;
		break;
	default:
		a->namelen = buf[1];
		if (a->namelen == 0 || memchr(buf + 2, '\0', a->namelen))
			return S5_ERR_FORMAT;
		memcpy(a->u.name, buf + 2, a->namelen);
		a->u.name[a->namelen] = '\0';
		n = 2 + a->namelen;
		break;
	}
	a->port = (uint16_t)(buf[n] << 8 | buf[n + 1]);
	return S5_OK;
}

/* Encoded size of an address, 0 if it cannot be encoded. */
static size_t
addr_encoded_len(const struct socks5_addr *a)
{
	switch (a->atyp) {
	case S5_ATYP_IPV4:
		return 1 + 4 + 2;
	case S5_ATYP_IPV6:
		return 1 + 16 + 2;
	case S5_ATYP_DOMAINNAME:
		if (a->namelen == 0)
			return 0;
		return 1 + 1 + a->namelen + 2;
	default:
		return 0;
	}
}

static size_t
addr_encode(const struct socks5_addr *a, uint8_t *out)
{
	size_t n;

	out[0] = a->atyp;
	switch (a->atyp) {
	case S5_ATYP_IPV4:
		memcpy(out + 1, a->u.v4, 4);
		n = 5;
		break;
	case S5_ATYP_IPV6:
		memcpy(out + 1, a->u.v6, 16);
		n = 17;
		break;
	default:
		out[1] = a->namelen;
		memcpy(out + 2, a->u.name, a->namelen);
		n = 2 + (size_t)a->namelen;
		break;
	}
	out[n] = (uint8_t)(a->port >> 8);
	out[n + 1] = (uint8_t)(a->port & 0xff);
	return n + 2;
}

enum socks5_status
socks5_parse_greeting(const uint8_t *buf, size_t len,
    struct socks5_greeting *g, size_t *consumed)
{
	if (len < 1)
		return S5_NEED_MORE;
	if (buf[0] != S5_VERSION)
		return S5_ERR_VERSION;
	if (len < 2)
		return S5_NEED_MORE;
	if (buf[1] == 0)
		return S5_ERR_FORMAT;
	if (len < 2 + (size_t)buf[1])
		return S5_NEED_MORE;
	g->nmethods = buf[1];
	memcpy(g->methods, buf + 2, g->nmethods);
	*consumed = 2 + (size_t)g->nmethods;
	return S5_OK;
}

enum socks5_status
socks5_parse_userpass(const uint8_t *buf, size_t len,
    struct socks5_userpass *up, size_t *consumed)
{
	size_t ulen, plen;

	if (len < 1)
		return S5_NEED_MORE;
	if (buf[0] != S5_AUTH_VERSION)
		return S5_ERR_VERSION;
	if (len < 2)
		return S5_NEED_MORE;
	if ((ulen = buf[1]) == 0)
		return S5_ERR_FORMAT;
	if (len < 2 + ulen + 1)
		return S5_NEED_MORE;
	if ((plen = buf[2 + ulen]) == 0)
		return S5_ERR_FORMAT;
	if (len < 3 + ulen + plen)
		return S5_NEED_MORE;
	/*
	 * A NUL would silently shorten what PAM sees: "secret\0junk" would
	 * log in as "secret".
	 */
	if (memchr(buf + 2, '\0', ulen) != NULL ||
	    memchr(buf + 3 + ulen, '\0', plen) != NULL)
		return S5_ERR_FORMAT;
	up->ulen = (uint8_t)ulen;
	up->plen = (uint8_t)plen;
	memcpy(up->user, buf + 2, ulen);
	up->user[ulen] = '\0';
	memcpy(up->pass, buf + 3 + ulen, plen);
	up->pass[plen] = '\0';
	*consumed = 3 + ulen + plen;
	return S5_OK;
}

/* Shared by requests and replies: VER CMD|REP RSV ADDR. */
static enum socks5_status
parse_request_like(const uint8_t *buf, size_t len,
    struct socks5_request *req, size_t *consumed)
{
	long alen;
	enum socks5_status st;

	if (len < 1)
		return S5_NEED_MORE;
	if (buf[0] != S5_VERSION)
		return S5_ERR_VERSION;
	if (len < 4)
		return S5_NEED_MORE;
	/* RSV is ignored: RFC 1928 gives it no meaning. */
	if ((alen = addr_wire_len(buf + 3, len - 3)) < 0)
		return S5_ERR_ATYP;
	if (alen == 0 || len < 3 + (size_t)alen)
		return S5_NEED_MORE;
	if ((st = addr_decode(buf + 3, &req->addr)) != S5_OK)
		return st;
	req->cmd = buf[1];
	*consumed = 3 + (size_t)alen;
	return S5_OK;
}

enum socks5_status
socks5_parse_request(const uint8_t *buf, size_t len,
    struct socks5_request *req, size_t *consumed)
{
	return parse_request_like(buf, len, req, consumed);
}

enum socks5_status
socks5_parse_reply(const uint8_t *buf, size_t len,
    struct socks5_request *rep, size_t *consumed)
{
	return parse_request_like(buf, len, rep, consumed);
}

static enum socks5_status
parse_two(const uint8_t *buf, size_t len, uint8_t version, uint8_t *val,
    size_t *consumed)
{
	if (len < 1)
		return S5_NEED_MORE;
	if (buf[0] != version)
		return S5_ERR_VERSION;
	if (len < 2)
		return S5_NEED_MORE;
	*val = buf[1];
	*consumed = 2;
	return S5_OK;
}

enum socks5_status
socks5_parse_method(const uint8_t *buf, size_t len, uint8_t *method,
    size_t *consumed)
{
	return parse_two(buf, len, S5_VERSION, method, consumed);
}

enum socks5_status
socks5_parse_auth_status(const uint8_t *buf, size_t len, uint8_t *status,
    size_t *consumed)
{
	return parse_two(buf, len, S5_AUTH_VERSION, status, consumed);
}

static size_t
encode_two(uint8_t a, uint8_t b, uint8_t *out, size_t outlen)
{
	if (outlen < 2)
		return 0;
	out[0] = a;
	out[1] = b;
	return 2;
}

size_t
socks5_encode_method(uint8_t method, uint8_t *out, size_t outlen)
{
	return encode_two(S5_VERSION, method, out, outlen);
}

size_t
socks5_encode_auth_status(uint8_t status, uint8_t *out, size_t outlen)
{
	return encode_two(S5_AUTH_VERSION, status, out, outlen);
}

static size_t
encode_request_like(uint8_t code, const struct socks5_addr *a, uint8_t *out,
    size_t outlen)
{
	size_t alen;

	if ((alen = addr_encoded_len(a)) == 0 || outlen < 3 + alen)
		return 0;
	out[0] = S5_VERSION;
	out[1] = code;
	out[2] = 0;
	return 3 + addr_encode(a, out + 3);
}

size_t
socks5_encode_reply(uint8_t rep, const struct sockaddr *bnd, uint8_t *out,
    size_t outlen)
{
	struct socks5_addr a;

	if (bnd == NULL || socks5_addr_from_sockaddr(&a, bnd) != S5_OK) {
		memset(&a, 0, sizeof(a));
		a.atyp = S5_ATYP_IPV4;
	}
	return encode_request_like(rep, &a, out, outlen);
}

size_t
socks5_encode_request(uint8_t cmd, const struct socks5_addr *a, uint8_t *out,
    size_t outlen)
{
	return encode_request_like(cmd, a, out, outlen);
}

size_t
socks5_encode_greeting(const uint8_t *methods, size_t nmethods, uint8_t *out,
    size_t outlen)
{
	if (nmethods == 0 || nmethods > 255 || outlen < 2 + nmethods)
		return 0;
	out[0] = S5_VERSION;
	out[1] = (uint8_t)nmethods;
	memcpy(out + 2, methods, nmethods);
	return 2 + nmethods;
}

size_t
socks5_encode_userpass(const char *user, const char *pass, uint8_t *out,
    size_t outlen)
{
	size_t ulen = strlen(user), plen = strlen(pass);

	if (ulen == 0 || ulen > 255 || plen == 0 || plen > 255 ||
	    outlen < 3 + ulen + plen)
		return 0;
	out[0] = S5_AUTH_VERSION;
	out[1] = (uint8_t)ulen;
	memcpy(out + 2, user, ulen);
	out[2 + ulen] = (uint8_t)plen;
	memcpy(out + 3 + ulen, pass, plen);
	return 3 + ulen + plen;
}

enum socks5_status
socks5_parse_udp(const uint8_t *buf, size_t len, struct socks5_udp *u,
    size_t *hdrlen)
{
	long alen;
	enum socks5_status st;

	if (len < 4)
		return S5_ERR_FORMAT;
	if (buf[0] != 0 || buf[1] != 0)
		return S5_ERR_FORMAT;
	if ((alen = addr_wire_len(buf + 3, len - 3)) < 0)
		return S5_ERR_ATYP;
	if (alen == 0 || len < 3 + (size_t)alen)
		return S5_ERR_FORMAT;	/* the address runs past the end */
	if ((st = addr_decode(buf + 3, &u->addr)) != S5_OK)
		return st;
	u->frag = buf[2];
	*hdrlen = 3 + (size_t)alen;
	return S5_OK;
}

size_t
socks5_encode_udp(uint8_t frag, const struct socks5_addr *a, uint8_t *out,
    size_t outlen)
{
	size_t alen;

	if ((alen = addr_encoded_len(a)) == 0 || outlen < 3 + alen)
		return 0;
	out[0] = 0;
	out[1] = 0;
	out[2] = frag;
	return 3 + addr_encode(a, out + 3);
}

enum socks5_status
socks5_addr_from_sockaddr(struct socks5_addr *a, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		a->atyp = S5_ATYP_IPV4;
		memcpy(a->u.v4, &sin->sin_addr, 4);
		a->port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		a->atyp = S5_ATYP_IPV6;
		memcpy(a->u.v6, &sin6->sin6_addr, 16);
		a->port = ntohs(sin6->sin6_port);
	} else
		return S5_ERR_ATYP;
	return S5_OK;
}

enum socks5_status
socks5_addr_to_sockaddr(const struct socks5_addr *a,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->atyp == S5_ATYP_IPV4) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->u.v4, 4);
		sin->sin_port = htons(a->port);
		*len = sizeof(*sin);
	} else if (a->atyp == S5_ATYP_IPV6) {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->u.v6, 16);
		sin6->sin6_port = htons(a->port);
		*len = sizeof(*sin6);
	} else
		return S5_ERR_ATYP;
	return S5_OK;
}

enum socks5_status
socks5_addr_set_name(struct socks5_addr *a, const char *name, uint16_t port)
{
	size_t n = strlen(name);

	if (n == 0 || n > S5_NAME_MAX)
		return S5_ERR_FORMAT;
	memset(a, 0, sizeof(*a));
	a->atyp = S5_ATYP_DOMAINNAME;
	a->namelen = (uint8_t)n;
	memcpy(a->u.name, name, n + 1);
	a->port = port;
	return S5_OK;
}

uint8_t
socks5_rep_from_errno(int err)
{
	switch (err) {
	case 0:
		return S5_REP_SUCCEEDED;
	case EACCES:
	case EPERM:
		return S5_REP_NOT_ALLOWED;
	case ENETUNREACH:
	case ENETDOWN:
		return S5_REP_NET_UNREACH;
	case EHOSTUNREACH:
	case EHOSTDOWN:
		return S5_REP_HOST_UNREACH;
	case ECONNREFUSED:
		return S5_REP_CONN_REFUSED;
	case ETIMEDOUT:
		return S5_REP_TTL_EXPIRED;
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
		return S5_REP_ATYP_UNSUPPORTED;
	default:
		return S5_REP_GENERAL_FAILURE;
	}
}

const char *
socks5_rep_str(uint8_t rep)
{
	static const char *const text[] = {
		"succeeded",
		"general failure",
		"not allowed by ruleset",
		"network unreachable",
		"host unreachable",
		"connection refused",
		"TTL expired",
		"command not supported",
		"address type not supported",
	};

	if (rep < sizeof(text) / sizeof(text[0]))
		return text[rep];
	return "unknown reply";
}
