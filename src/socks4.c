/*
 * socks4.c - SOCKS4/4A codec (see socks4.h).
 */
#include "sgconfig.h"

#include <string.h>
#include <netinet/in.h>

#include "socks4.h"

#define S4_HEADER	8	/* VN CD DSTPORT DSTIP */

/*
 * A NUL-terminated field of at most max bytes at buf[off..len): its
 * length in *n.  S4_NEED_MORE while it may still end, S4_ERR_FORMAT
 * once it is longer than max.
 */
static enum socks4_status
field(const uint8_t *buf, size_t len, size_t off, size_t max, size_t *n)
{
	const uint8_t *nul;
	size_t avail = len - off;

	if (avail > max + 1)
		avail = max + 1;
	if ((nul = memchr(buf + off, 0, avail)) != NULL) {
		*n = (size_t)(nul - (buf + off));
		return S4_OK;
	}
	return len - off > max ? S4_ERR_FORMAT : S4_NEED_MORE;
}

enum socks4_status
socks4_parse_request(const uint8_t *buf, size_t len,
    struct socks4_request *req, size_t *consumed)
{
	enum socks4_status st;
	size_t off, ulen, nlen = 0;

	if (len < 1)
		return S4_NEED_MORE;
	if (buf[0] != S4_VERSION)
		return S4_ERR_VERSION;
	if (len < S4_HEADER)
		return S4_NEED_MORE;
	off = S4_HEADER;
	if ((st = field(buf, len, off, S4_USERID_MAX, &ulen)) != S4_OK)
		return st;
	off += ulen + 1;
	/* 4A: 0.0.0.x, x != 0, an address no host can have. */
	if (buf[4] == 0 && buf[5] == 0 && buf[6] == 0 && buf[7] != 0) {
		if (off >= len)
			return S4_NEED_MORE;
		if ((st = field(buf, len, off, S4_NAME_MAX, &nlen)) != S4_OK)
			return st;
		if (nlen == 0)
			return S4_ERR_FORMAT;
	}
	memset(req, 0, sizeof(*req));
	req->cmd = buf[1];
	req->port = (uint16_t)(buf[2] << 8 | buf[3]);
	memcpy(req->ip, buf + 4, 4);
	req->useridlen = (uint8_t)ulen;
	memcpy(req->userid, buf + S4_HEADER, ulen);
	if (buf[4] == 0 && buf[5] == 0 && buf[6] == 0 && buf[7] != 0) {
		req->has_name = true;
		req->namelen = (uint8_t)nlen;
		memcpy(req->name, buf + off, nlen);
		off += nlen + 1;
	}
	*consumed = off;
	return S4_OK;
}

void
socks4_request_dest(const struct socks4_request *req, struct socks5_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->port = req->port;
	if (req->has_name) {
		a->atyp = S5_ATYP_DOMAINNAME;
		a->namelen = req->namelen;
		memcpy(a->u.name, req->name, req->namelen);
		return;
	}
	a->atyp = S5_ATYP_IPV4;
	memcpy(a->u.v4, req->ip, 4);
}

enum socks4_status
socks4_addr_from_sockaddr(const struct sockaddr *sa, uint8_t ip[4],
    uint16_t *port)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	memset(ip, 0, 4);
	*port = 0;
	if (sa == NULL)
		return S4_OK;
	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)sa;
		memcpy(ip, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
		return S4_OK;
	}
	if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			return S4_ERR_FAMILY;
		memcpy(ip, &sin6->sin6_addr.s6_addr[12], 4);
		*port = ntohs(sin6->sin6_port);
		return S4_OK;
	}
	return S4_ERR_FAMILY;
}

size_t
socks4_encode_reply(uint8_t rep, const uint8_t ip[4], uint16_t port,
    uint8_t *out, size_t outlen)
{
	if (outlen < S4_REPLY_LEN)
		return 0;
	out[0] = S4_REPLY_VERSION;
	out[1] = rep;
	out[2] = (uint8_t)(port >> 8);
	out[3] = (uint8_t)port;
	memcpy(out + 4, ip, 4);
	return S4_REPLY_LEN;
}

size_t
socks4_encode_request(const struct socks4_request *req, uint8_t *out,
    size_t outlen)
{
	size_t ulen = strnlen(req->userid, S4_USERID_MAX + 1);
	size_t nlen = req->has_name ? strnlen(req->name, S4_NAME_MAX + 1) : 0;
	size_t n = S4_HEADER + ulen + 1 + (req->has_name ? nlen + 1 : 0);

	if (ulen > S4_USERID_MAX || nlen > S4_NAME_MAX ||
	    (req->has_name && nlen == 0) || outlen < n)
		return 0;
	out[0] = S4_VERSION;
	out[1] = req->cmd;
	out[2] = (uint8_t)(req->port >> 8);
	out[3] = (uint8_t)req->port;
	if (req->has_name) {
		/* 0.0.0.x: x is anything but 0 (the protocol says so). */
		memset(out + 4, 0, 3);
		out[7] = req->ip[3] != 0 ? req->ip[3] : 1;
	} else
		memcpy(out + 4, req->ip, 4);
	memcpy(out + S4_HEADER, req->userid, ulen);
	out[S4_HEADER + ulen] = 0;
	if (req->has_name) {
		memcpy(out + S4_HEADER + ulen + 1, req->name, nlen);
		out[S4_HEADER + ulen + 1 + nlen] = 0;
	}
	return n;
}
