/*
 * proxyproto.c - the PROXY protocol header, versions 1 and 2 (see
 * proxyproto.h).
 */
#include "sgconfig.h"

#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "proxyproto.h"

static const uint8_t v1_prefix[6] = { 'P', 'R', 'O', 'X', 'Y', ' ' };
static const uint8_t v2_sig[12] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
    0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

#define V2_CMD_LOCAL	0x0
#define V2_CMD_PROXY	0x1
#define V2_FAM_UNSPEC	0x0
#define V2_FAM_INET	0x1
#define V2_FAM_INET6	0x2
#define V2_FAM_UNIX	0x3
#define V2_TR_STREAM	0x1
#define V2_TR_DGRAM	0x2

/* The next space-separated word of a v1 line; NULL at its end. */
static const char *
word(const char **p, size_t *wlen)
{
	const char *s = *p, *e;

	if (*s == '\0')
		return NULL;
	if ((e = strchr(s, ' ')) == NULL)
		e = s + strlen(s);
	*wlen = (size_t)(e - s);
	*p = *e == ' ' ? e + 1 : e;
	return s;
}

/* A v1 port: 0..65535 in decimal, no sign, no leading zero. */
static int
v1_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* One v1 address of family af, with its port, into ss. */
static int
v1_addr(int af, const char *a, size_t alen, const char *p, size_t plen,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char text[INET6_ADDRSTRLEN];
	uint16_t port;

	if (alen == 0 || alen >= sizeof(text) || v1_port(p, plen, &port) == -1)
		return -1;
	memcpy(text, a, alen);
	text[alen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return inet_pton(AF_INET, text, &sin->sin_addr) == 1 ? 0 : -1;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	return inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1 ? 0 : -1;
}

/* The words of a complete v1 line (NUL-terminated, no CRLF). */
static enum proxyproto_status
v1_line(const char *line, struct proxyproto_hdr *h, const char **why)
{
	const char *p = line + sizeof(v1_prefix), *w[5];
	size_t n[5], i;
	int af;

	h->version = 1;
	if ((w[0] = word(&p, &n[0])) == NULL)
		goto bad;
	if (n[0] == 7 && memcmp(w[0], "UNKNOWN", 7) == 0) {
		/* The rest may be anything: the receiver ignores it. */
		h->kind = PROXYPROTO_UNKNOWN;
		return PROXYPROTO_OK;
	}
	if (n[0] == 4 && memcmp(w[0], "TCP4", 4) == 0)
		af = AF_INET;
	else if (n[0] == 4 && memcmp(w[0], "TCP6", 4) == 0)
		af = AF_INET6;
	else {
		*why = "v1: protocol is not TCP4, TCP6 or UNKNOWN";
		return PROXYPROTO_ERROR;
	}
	for (i = 1; i < 5; i++)
		if ((w[i] = word(&p, &n[i])) == NULL || n[i] == 0)
			goto bad;
	if (*p != '\0' || p[-1] == ' ')
		goto bad;
	if (v1_addr(af, w[1], n[1], w[3], n[3], &h->src) == -1 ||
	    v1_addr(af, w[2], n[2], w[4], n[4], &h->dst) == -1) {
		*why = "v1: bad address or port";
		return PROXYPROTO_ERROR;
	}
	h->kind = PROXYPROTO_PROXY;
	return PROXYPROTO_OK;
bad:
	*why = "v1: not PROXY PROTO SRC DST SPORT DPORT";
	return PROXYPROTO_ERROR;
}

static enum proxyproto_status
parse_v1(const uint8_t *buf, size_t len, struct proxyproto_hdr *h,
    size_t *used, const char **why)
{
	char line[PROXYPROTO_V1_MAX];
	size_t i, n = len < PROXYPROTO_V1_MAX ? len : PROXYPROTO_V1_MAX;

	for (i = sizeof(v1_prefix); i < n; i++) {
		if (buf[i] == '\r' && i + 1 < n && buf[i + 1] == '\n')
			break;
		/* A CR must end the line; nothing else outside ASCII text. */
		if (buf[i] == '\r' && i + 1 == n)
			continue;
		if (buf[i] < 0x20 || buf[i] > 0x7e) {
			*why = "v1: control or non-ASCII byte in the header";
			return PROXYPROTO_ERROR;
		}
	}
	if (i + 1 >= n) {
		if (n == PROXYPROTO_V1_MAX) {
			*why = "v1: no CRLF in 107 bytes";
			return PROXYPROTO_ERROR;
		}
		*used = len + 1;
		return PROXYPROTO_NEED_MORE;
	}
	memcpy(line, buf, i);
	line[i] = '\0';
	*used = i + 2;
	return v1_line(line, h, why);
}

/* The addresses of a v2 PROXY command, family fam, in a (alen bytes). */
static enum proxyproto_status
v2_addrs(int fam, const uint8_t *a, size_t alen, struct proxyproto_hdr *h,
    const char **why)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&h->src;
	struct sockaddr_in *d4 = (struct sockaddr_in *)&h->dst;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&h->src;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&h->dst;
	size_t need = fam == V2_FAM_INET ? 12 : 36, al = need == 12 ? 4 : 16;

	if (alen < need) {
		*why = "v2: address block shorter than its family's";
		return PROXYPROTO_ERROR;
	}
	memset(&h->src, 0, sizeof(h->src));
	memset(&h->dst, 0, sizeof(h->dst));
	if (fam == V2_FAM_INET) {
		s4->sin_family = d4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a, 4);
		memcpy(&d4->sin_addr, a + 4, 4);
		memcpy(&s4->sin_port, a + 8, 2);	/* network order */
		memcpy(&d4->sin_port, a + 10, 2);
	} else {
		s6->sin6_family = d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a, 16);
		memcpy(&d6->sin6_addr, a + 16, 16);
		memcpy(&s6->sin6_port, a + 2 * al, 2);
		memcpy(&d6->sin6_port, a + 2 * al + 2, 2);
	}
	h->kind = PROXYPROTO_PROXY;
	return PROXYPROTO_OK;
}

static enum proxyproto_status
parse_v2(const uint8_t *buf, size_t len, struct proxyproto_hdr *h,
    size_t *used, const char **why)
{
	size_t total;
	unsigned cmd, fam, tr;

	if (len < PROXYPROTO_V2_FIXED) {
		*used = PROXYPROTO_V2_FIXED;
		return PROXYPROTO_NEED_MORE;
	}
	if ((buf[12] >> 4) != 2) {
		*why = "v2: version is not 2";
		return PROXYPROTO_ERROR;
	}
	cmd = buf[12] & 0x0f;
	fam = buf[13] >> 4;
	tr = buf[13] & 0x0f;
	if (cmd != V2_CMD_LOCAL && cmd != V2_CMD_PROXY) {
		*why = "v2: command is not LOCAL or PROXY";
		return PROXYPROTO_ERROR;
	}
	if (fam > V2_FAM_UNIX || tr > V2_TR_DGRAM) {
		*why = "v2: unknown address family or transport";
		return PROXYPROTO_ERROR;
	}
	total = PROXYPROTO_V2_FIXED + ((size_t)buf[14] << 8 | buf[15]);
	if (len < total) {
		*used = total;
		return PROXYPROTO_NEED_MORE;
	}
	*used = total;
	h->version = 2;
	/* What follows the addresses (TLVs) is skipped with them. */
	if (cmd == V2_CMD_LOCAL)
		h->kind = PROXYPROTO_LOCAL;
	else if ((fam == V2_FAM_INET || fam == V2_FAM_INET6) &&
	    tr == V2_TR_STREAM)
		return v2_addrs((int)fam, buf + PROXYPROTO_V2_FIXED,
		    total - PROXYPROTO_V2_FIXED, h, why);
	else
		h->kind = PROXYPROTO_UNKNOWN;
	return PROXYPROTO_OK;
}

enum proxyproto_status
proxyproto_parse(const uint8_t *buf, size_t len, struct proxyproto_hdr *h,
    size_t *used, const char **why)
{
	size_t n;

	*why = NULL;
	if (len == 0) {
		*used = 1;
		return PROXYPROTO_NEED_MORE;
	}
	if (buf[0] == v2_sig[0]) {
		n = len < sizeof(v2_sig) ? len : sizeof(v2_sig);
		if (memcmp(buf, v2_sig, n) != 0)
			goto bad;
		return parse_v2(buf, len, h, used, why);
	}
	n = len < sizeof(v1_prefix) ? len : sizeof(v1_prefix);
	if (memcmp(buf, v1_prefix, n) != 0)
		goto bad;
	if (len < sizeof(v1_prefix)) {
		*used = sizeof(v1_prefix);
		return PROXYPROTO_NEED_MORE;
	}
	return parse_v1(buf, len, h, used, why);
bad:
	*why = "not a PROXY protocol header";
	return PROXYPROTO_ERROR;
}
