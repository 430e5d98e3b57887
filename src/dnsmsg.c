/*
 * dnsmsg.c - PURE DNS query parser and response encoder (see dnsmsg.h).
 */
#include "sgconfig.h"

#include <string.h>
#include <strings.h>
#include <netinet/in.h>

#include "dnsmsg.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static enum dnsmsg_status
bad(struct dnsmsg_query *q, uint8_t rcode)
{
	q->rcode = rcode;
	return DNSMSG_BAD;
}

/*
 * The question's name at buf[*off..len) into q->name (text) and its
 * wire length into *wlen.  0, or the RCODE that refuses it.
 */
static uint8_t
parse_name(const uint8_t *buf, size_t len, size_t *off,
    struct dnsmsg_query *q, size_t *wlen)
{
	size_t at = *off, t = 0, n, i;
	uint8_t c;

	for (;;) {
		if (at >= len)
			return DNSMSG_FORMERR;
		n = buf[at];
		if ((n & 0xc0) == 0xc0)
			return DNSMSG_REFUSED;	/* a compression pointer */
		if ((n & 0xc0) != 0)
			return DNSMSG_FORMERR;	/* extended label types */
		if (at + 1 + n - *off > DNSMSG_WIRE_NAME_MAX)
			return DNSMSG_FORMERR;
		if (n == 0)
			break;
		if (at + 1 + n > len)
			return DNSMSG_FORMERR;
		if (t > 0)
			q->name[t++] = '.';
		for (i = 0; i < n; i++) {
			c = buf[at + 1 + i];
			if (c <= 0x20 || c >= 0x7f || c == '.')
				return DNSMSG_FORMERR;
			q->name[t++] = (char)c;
		}
		at += 1 + n;
	}
	q->name[t] = '\0';
	*wlen = at + 1 - *off;
	*off = at + 1;
	return 0;
}

/* The OPT record (RFC 6891 section 6.1.2) at buf[*off..len). */
static uint8_t
parse_opt(const uint8_t *buf, size_t len, size_t *off,
    struct dnsmsg_query *q)
{
	size_t at = *off;
	uint16_t size;

	/* Root name, TYPE, CLASS (UDP size), TTL, RDLENGTH. */
	if (len - at < 11)
		return DNSMSG_FORMERR;
	if (buf[at] != 0 || get16(buf + at + 1) != DNSMSG_TYPE_OPT)
		return DNSMSG_FORMERR;
	size = get16(buf + at + 3);
	if (len - at - 11 < get16(buf + at + 9))
		return DNSMSG_FORMERR;
	*off = at + 11 + get16(buf + at + 9);
	q->edns = true;
	q->udp_size = size < DNSMSG_UDP_MIN ? DNSMSG_UDP_MIN :
	    size > DNSMSG_UDP_CAP ? DNSMSG_UDP_CAP : size;
	return 0;
}

enum dnsmsg_status
dnsmsg_parse_query(const uint8_t *buf, size_t len, struct dnsmsg_query *q)
{
	size_t off = DNSMSG_HDR_LEN, wlen = 0;
	uint16_t qd, an, ns, ar;
	uint8_t rc;

	memset(q, 0, sizeof(*q));
	q->udp_size = DNSMSG_UDP_MIN;
	if (len < DNSMSG_HDR_LEN)
		return DNSMSG_SHORT;
	q->id = get16(buf);
	if (buf[2] & 0x80)
		return DNSMSG_NOTQUERY;
	q->opcode = (buf[2] >> 3) & 0x0f;
	q->rd = (buf[2] & 0x01) != 0;
	if (q->opcode != 0)
		return bad(q, DNSMSG_NOTIMP);
	qd = get16(buf + 4);
	an = get16(buf + 6);
	ns = get16(buf + 8);
	ar = get16(buf + 10);
	if (qd != 1 || an != 0 || ns != 0 || ar > 1 || len > DNSMSG_QUERY_MAX)
		return bad(q, DNSMSG_FORMERR);
	if ((rc = parse_name(buf, len, &off, q, &wlen)) != 0)
		return bad(q, rc);
	if (len - off < 4)
		return bad(q, DNSMSG_FORMERR);
	q->qtype = get16(buf + off);
	q->qclass = get16(buf + off + 2);
	memcpy(q->question, buf + DNSMSG_HDR_LEN, wlen + 4);
	q->qlen = wlen + 4;
	off += 4;
	if (ar == 1 && (rc = parse_opt(buf, len, &off, q)) != 0)
		return bad(q, rc);
	if (off != len)
		return bad(q, DNSMSG_FORMERR);	/* bytes past the records */
	return DNSMSG_OK;
}

/* The OPT record of an answer: our UDP size, nothing else. */
static size_t
put_opt(uint8_t *p)
{
	p[0] = 0;
	put16(p + 1, DNSMSG_TYPE_OPT);
	put16(p + 3, DNSMSG_UDP_CAP);
	put32(p + 5, 0);
	put16(p + 9, 0);
	return 11;
}

size_t
dnsmsg_encode(const struct dnsmsg_query *q, uint8_t rcode,
    const struct dnsmsg_rr *rr, size_t nrr, size_t max, uint8_t *out,
    size_t outlen)
{
	size_t base = DNSMSG_HDR_LEN + q->qlen + (q->edns ? 11 : 0);
	size_t need = base, i, at;
	bool tc = false;

	if (max > outlen)
		max = outlen;
	if (base > max)
		return 0;
	for (i = 0; i < nrr; i++)
		need += 12 + rr[i].rdlen;
	if (need > max) {
		tc = true;
		nrr = 0;
	}
	put16(out, q->id);
	out[2] = (uint8_t)(0x80 | (q->opcode & 0x0f) << 3 | (tc ? 0x02 : 0) |
	    (q->rd ? 0x01 : 0));
	out[3] = (uint8_t)(0x80 | (rcode & 0x0f));	/* RA */
	put16(out + 4, q->qlen > 0 ? 1 : 0);
	put16(out + 6, (uint16_t)nrr);
	put16(out + 8, 0);
	put16(out + 10, q->edns ? 1 : 0);
	memcpy(out + DNSMSG_HDR_LEN, q->question, q->qlen);
	at = DNSMSG_HDR_LEN + q->qlen;
	for (i = 0; i < nrr; i++) {
		/* NAME: a pointer to the question's (RFC 1035 4.1.4). */
		put16(out + at, 0xc000 | DNSMSG_HDR_LEN);
		put16(out + at + 2, rr[i].type);
		put16(out + at + 4, DNSMSG_CLASS_IN);
		put32(out + at + 6, rr[i].ttl);
		put16(out + at + 10, rr[i].rdlen);
		memcpy(out + at + 12, rr[i].rdata, rr[i].rdlen);
		at += 12 + rr[i].rdlen;
	}
	if (q->edns)
		at += put_opt(out + at);
	return at;
}

bool
dnsmsg_rr_ptr(const char *name, uint32_t ttl, struct dnsmsg_rr *rr)
{
	size_t at = 0, n;
	const char *dot;

	memset(rr, 0, sizeof(*rr));
	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot != NULL ? (size_t)(dot - name) : strlen(name);
		if (n == 0 || n > DNSMSG_LABEL_MAX ||
		    at + 1 + n + 1 > DNSMSG_WIRE_NAME_MAX)
			return false;
		rr->rdata[at] = (uint8_t)n;
		memcpy(rr->rdata + at + 1, name, n);
		at += 1 + n;
		name += n;
		if (*name == '.')
			name++;
	}
	rr->rdata[at++] = 0;
	rr->type = DNSMSG_TYPE_PTR;
	rr->ttl = ttl;
	rr->rdlen = (uint16_t)at;
	return true;
}

void
dnsmsg_rr_addr(uint16_t type, const uint8_t *addr, uint32_t ttl,
    struct dnsmsg_rr *rr)
{
	memset(rr, 0, sizeof(*rr));
	rr->type = type;
	rr->ttl = ttl;
	rr->rdlen = type == DNSMSG_TYPE_A ? 4 : 16;
	memcpy(rr->rdata, addr, rr->rdlen);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Does name, from at, equal suffix (case-insensitive, one '.' allowed)? */
static bool
ends_with(const char *at, const char *suffix)
{
	size_t n = strlen(suffix), m = strlen(at);

	if (m == n + 1 && at[n] == '.')
		m = n;
	return m == n && strncasecmp(at, suffix, n) == 0;
}

static bool
ptr_v4(const char *name, struct sockaddr_in *sin)
{
	unsigned v, i, d;
	const char *p = name;

	for (i = 0; i < 4; i++) {
		v = 0;
		for (d = 0; *p >= '0' && *p <= '9'; p++, d++)
			v = v * 10 + (unsigned)(*p - '0');
		if (d == 0 || d > 3 || v > 255 || (d > 1 && *(p - d) == '0') ||
		    *p++ != '.')
			return false;
		((uint8_t *)&sin->sin_addr)[3 - i] = (uint8_t)v;
	}
	return ends_with(p, "in-addr.arpa");
}

static bool
ptr_v6(const char *name, struct sockaddr_in6 *sin6)
{
	const char *p = name;
	int i, h;

	for (i = 0; i < 32; i++, p += 2) {
		if ((h = hexval(p[0])) < 0 || p[1] != '.')
			return false;
		if (i % 2 == 0)
			sin6->sin6_addr.s6_addr[15 - i / 2] = (uint8_t)h;
		else
			sin6->sin6_addr.s6_addr[15 - i / 2] |= (uint8_t)(h << 4);
	}
	return ends_with(p, "ip6.arpa");
}

bool
dnsmsg_ptr_addr(const char *name, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ptr_v4(name, (struct sockaddr_in *)ss)) {
		ss->ss_family = AF_INET;
		return true;
	}
	memset(ss, 0, sizeof(*ss));
	if (ptr_v6(name, (struct sockaddr_in6 *)ss)) {
		ss->ss_family = AF_INET6;
		return true;
	}
	memset(ss, 0, sizeof(*ss));
	return false;
}

size_t
dnsmsg_make_query(const struct dnsmsg_query *q, uint16_t id, uint8_t *out,
    size_t outlen)
{
	size_t at = DNSMSG_HDR_LEN + q->qlen;

	if (q->qlen == 0 || at + (q->edns ? 11 : 0) > outlen)
		return 0;
	memset(out, 0, DNSMSG_HDR_LEN);
	put16(out, id);
	out[2] = 0x01;			/* RD: the upstream recurses */
	put16(out + 4, 1);
	put16(out + 10, q->edns ? 1 : 0);
	memcpy(out + DNSMSG_HDR_LEN, q->question, q->qlen);
	if (q->edns)
		at += put_opt(out + at);
	return at;
}

/* ASCII only, whatever the locale (RFC 4343 section 3). */
static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 'a' - 'A') : c;
}

enum dnsmsg_status
dnsmsg_check_reply(const uint8_t *up, size_t len, uint16_t id,
    const struct dnsmsg_query *q, uint8_t *rcode)
{
	size_t i;

	*rcode = DNSMSG_SERVFAIL;
	if (q->qlen == 0 || len < DNSMSG_HDR_LEN + q->qlen)
		return DNSMSG_BAD;
	if (get16(up) != id || (up[2] & 0x80) == 0 ||
	    ((up[2] >> 3) & 0x0f) != 0 || get16(up + 4) != 1)
		return DNSMSG_BAD;
	/* Length bytes are below 'A': lower() leaves them as they are. */
	for (i = 0; i < q->qlen; i++)
		if (lower(up[DNSMSG_HDR_LEN + i]) != lower(q->question[i]))
			return DNSMSG_BAD;
	*rcode = up[3] & 0x0f;
	return DNSMSG_OK;
}

size_t
dnsmsg_relay(const struct dnsmsg_query *q, const uint8_t *up, size_t len,
    size_t whole, size_t max, uint8_t *out, size_t outlen)
{
	size_t n;

	if (max > outlen)
		max = outlen;
	if (len < DNSMSG_HDR_LEN)
		return 0;
	if (whole == len && len <= max) {
		memcpy(out, up, len);
		put16(out, q->id);
		out[2] = (uint8_t)((out[2] & ~0x01) | (q->rd ? 0x01 : 0));
		return len;
	}
	if ((n = dnsmsg_encode(q, up[3] & 0x0f, NULL, 0, max, out, max)) > 0)
		out[2] |= 0x02;		/* TC */
	return n;
}
