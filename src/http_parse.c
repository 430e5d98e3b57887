/*
 * http_parse.c - HTTP/1.x heads, chunk-size lines, trailers and Basic
 * credentials (see http_parse.h).  Lines end in LF, a CR before it
 * dropped (RFC 7230 section 3.5); every other control byte but HT is
 * refused, so nothing a peer sends can end a line where a later reader
 * would not.
 */
#include "sgconfig.h"

#include <string.h>
#include <strings.h>

#include "http_parse.h"

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT"
};

/* RFC 7230 section 3.2.6: tchar. */
static bool
is_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
span_is(const uint8_t *b, struct http_span s, const char *word)
{
	return strlen(word) == s.len &&
	    strncasecmp((const char *)b + s.off, word, s.len) == 0;
}

static struct http_span
span(size_t off, size_t len)
{
	struct http_span s = { (uint32_t)off, (uint32_t)len };

	return s;
}

/*
 * The line starting at off: its end without CR (*end) and the offset
 * after its LF (*next).  false when no LF is within max bytes of off or
 * of the buffer; *more then says whether the buffer ran out first.
 */
static bool
line_at(const uint8_t *b, size_t len, size_t off, size_t max, size_t *end,
    size_t *next, bool *more)
{
	size_t lim = len - off > max ? off + max : len;
	const uint8_t *lf = memchr(b + off, '\n', lim - off);

	*more = lim == len;
	if (lf == NULL)
		return false;
	*next = (size_t)(lf - b) + 1;
	*end = (size_t)(lf - b);
	if (*end > off && b[*end - 1] == '\r')
		(*end)--;
	return true;
}

/* Digits only, at most 18 of them (no overflow). */
static bool
parse_decimal(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t i;

	if (n == 0 || n > 18)
		return false;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return true;
}

/*
 * Calls fn for each element of a comma-separated list value (RFC 7230
 * section 7), trimmed of OWS; empty elements are skipped.
 */
static bool
list_each(const uint8_t *b, struct http_span v,
    bool (*fn)(const uint8_t *, struct http_span, void *), void *arg)
{
	size_t i = v.off, end = v.off + v.len, s, e;

	while (i < end) {
		while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == ','))
			i++;
		s = i;
		while (i < end && b[i] != ',')
			i++;
		e = i;
		while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t'))
			e--;
		if (e > s && !fn(b, span(s, e - s), arg))
			return false;
	}
	return true;
}

/* Transfer-Encoding: chunked must be the last coding (and the only). */
static bool
te_elem(const uint8_t *b, struct http_span s, void *arg)
{
	struct http_head *h = arg;

	if (h->chunked)
		return false;		/* a coding after chunked */
	if (!span_is(b, s, "chunked"))
		return false;
	h->chunked = true;
	return true;
}

static bool
conn_elem(const uint8_t *b, struct http_span s, void *arg)
{
	struct http_head *h = arg;

	if (span_is(b, s, "close"))
		h->conn_close = true;
	else if (span_is(b, s, "keep-alive"))
		h->conn_keep = true;
	return true;
}

/* The fields a proxy reads; everything else is passed on unread. */
static enum http_status
field_meaning(const uint8_t *b, struct http_head *h, const struct http_field *f)
{
	uint64_t v;

	if (http_field_is(b, f, "Content-Length")) {
		if (!parse_decimal(b + f->value.off, f->value.len, &v))
			return HTTP_ERR_FORMAT;
		if (h->has_length && v != h->length)
			return HTTP_ERR_FORMAT;
		h->has_length = true;
		h->length = v;
	} else if (http_field_is(b, f, "Transfer-Encoding")) {
		h->has_te = true;
		if (!list_each(b, f->value, te_elem, h))
			return HTTP_ERR_FORMAT;
	} else if (http_field_is(b, f, "Connection"))
		(void)list_each(b, f->value, conn_elem, h);
	return HTTP_OK;
}

/* One field line, b[s..e) (RFC 7230 section 3.2). */
static enum http_status
parse_field(const uint8_t *b, size_t s, size_t e, struct http_field *f)
{
	size_t i = s, vs, ve;

	if (b[s] == ' ' || b[s] == '\t')
		return HTTP_ERR_FORMAT;		/* obs-fold */
	while (i < e && is_tchar(b[i]))
		i++;
	if (i == s || i == e || b[i] != ':')
		return HTTP_ERR_FORMAT;		/* "Name :" too */
	f->name = span(s, i - s);
	for (vs = i + 1; vs < e && (b[vs] == ' ' || b[vs] == '\t'); vs++)
		continue;
	for (ve = e; ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t'); ve--)
		continue;
	for (i = vs; i < ve; i++)
		if ((b[i] < 0x20 && b[i] != '\t') || b[i] == 0x7f)
			return HTTP_ERR_FORMAT;
	f->value = span(vs, ve - vs);
	return HTTP_OK;
}

/*
 * The field lines from off to the blank line, at most HTTP_FIELDS_MAX
 * bytes and HTTP_HEADERS_MAX lines (h NULL: trailers, kept nowhere).
 * *end is the offset after the blank line.
 */
static enum http_status
parse_fields(const uint8_t *b, size_t len, size_t off, struct http_head *h,
    size_t *end)
{
	struct http_field f;
	enum http_status st;
	size_t s = off, e, next, n = 0;
	bool more;

	for (;;) {
		if (!line_at(b, len, s, HTTP_FIELDS_MAX + 2 - (s - off), &e,
		    &next, &more))
			return more ? HTTP_NEED_MORE : HTTP_ERR_HEAD_LARGE;
		if (e == s) {
			*end = next;
			return HTTP_OK;
		}
		if (++n > HTTP_HEADERS_MAX)
			return HTTP_ERR_HEAD_LARGE;
		if ((st = parse_field(b, s, e, &f)) != HTTP_OK)
			return st;
		if (h != NULL) {
			h->f[h->nfields++] = f;
			if ((st = field_meaning(b, h, &f)) != HTTP_OK)
				return st;
		}
		s = next;
	}
}

/* "HTTP/1.0" or "HTTP/1.1"; another HTTP/x.y is HTTP_ERR_VERSION. */
static enum http_status
parse_version(const uint8_t *p, size_t n, unsigned *minor)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' ||
	    p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
		return HTTP_ERR_FORMAT;
	if (p[5] != '1' || p[7] > '1')
		return HTTP_ERR_VERSION;
	*minor = (unsigned)(p[7] - '0');
	return HTTP_OK;
}

/* ":port" after the host, 1-65535. */
static bool
parse_port(const uint8_t *p, size_t n, uint16_t *port)
{
	uint64_t v;

	if (n > 5 || !parse_decimal(p, n, &v) || v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/*
 * An authority "host[:port]" or "[v6]:port" (RFC 3986 section 3.2,
 * no userinfo): a name of letters, digits, '-', '.' and '_', or a
 * bracketed literal of hex digits, ':' and '.' (checked again when it
 * is used).  need_port: CONNECT's authority-form has one.
 */
static bool
parse_authority(const uint8_t *p, size_t n, bool need_port,
    struct http_request *r)
{
	size_t i = 0, hs, he;

	if (n > 0 && p[0] == '[') {
		for (i = 1; i < n && p[i] != ']'; i++)
			if (hexval(p[i]) < 0 && p[i] != ':' && p[i] != '.')
				return false;
		if (i == n || i == 1)
			return false;
		hs = 1;
		he = i++;
		r->host_v6 = true;
	} else {
		for (; i < n && p[i] != ':'; i++)
			if (!is_tchar(p[i]) || strchr("!#$%&'*+^`|~", p[i]))
				return false;
		hs = 0;
		he = i;
	}
	if (he == hs || he - hs > HTTP_HOST_MAX)
		return false;
	memcpy(r->host, p + hs, he - hs);
	r->host[he - hs] = '\0';
	r->port = 80;
	if (i == n)
		return !need_port;
	return p[i] == ':' && parse_port(p + i + 1, n - i - 1, &r->port);
}

/* The request-target of the line, p[0..n) (RFC 7230 section 5.3). */
static enum http_status
parse_target(const uint8_t *b, size_t off, size_t n, struct http_request *r)
{
	const uint8_t *p = b + off;
	size_t i, a;

	for (i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '#')
			return HTTP_ERR_FORMAT;
	if (r->method == HTTP_M_CONNECT) {
		r->authority = span(off, n);
		return parse_authority(p, n, true, r) ? HTTP_OK :
		    HTTP_ERR_FORMAT;
	}
	if (n < 7 || strncasecmp((const char *)p, "http://", 7) != 0)
		return HTTP_ERR_FORMAT;
	for (a = 7; a < n && p[a] != '/' && p[a] != '?'; a++)
		if (p[a] == '@')
			return HTTP_ERR_FORMAT;	/* no userinfo */
	r->authority = span(off + 7, a - 7);
	r->path = span(off + a, n - a);
	return parse_authority(p + 7, a - 7, false, r) ? HTTP_OK :
	    HTTP_ERR_FORMAT;
}

/* "METHOD SP target SP HTTP/1.x", b[0..e). */
static enum http_status
parse_request_line(const uint8_t *b, size_t e, struct http_request *r)
{
	const uint8_t *sp1, *sp2;
	enum http_status st;
	size_t i, m, t;

	if ((sp1 = memchr(b, ' ', e)) == NULL)
		return HTTP_ERR_FORMAT;
	m = (size_t)(sp1 - b);
	if ((sp2 = memchr(sp1 + 1, ' ', e - m - 1)) == NULL)
		return HTTP_ERR_FORMAT;
	t = (size_t)(sp2 - sp1 - 1);
	for (i = 0; i < m; i++)
		if (!is_tchar(b[i]))
			return HTTP_ERR_FORMAT;
	if (m == 0 || t == 0)
		return HTTP_ERR_FORMAT;
	if ((st = parse_version(sp2 + 1, e - m - t - 2, &r->head.minor)) !=
	    HTTP_OK)
		return st;
	r->method_s = span(0, m);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i]) == m && memcmp(b, methods[i], m) == 0)
			break;
	if (i == sizeof(methods) / sizeof(methods[0]))
		return HTTP_ERR_METHOD;
	r->method = (enum http_method)i;
	return parse_target(b, m + 1, t, r);
}

/* The fields only a proxy's request reads. */
static enum http_status
request_fields(const uint8_t *b, struct http_request *r)
{
	const struct http_field *f;
	size_t i;

	if (r->head.has_te && (r->head.has_length || !r->head.chunked))
		return HTTP_ERR_FORMAT;		/* RFC 7230 section 3.3.3 */
	for (i = 0; i < r->head.nfields; i++) {
		f = &r->head.f[i];
		if (http_field_is(b, f, "Proxy-Authorization")) {
			if (r->auth.len != 0 || f->value.len == 0)
				return HTTP_ERR_FORMAT;
			r->auth = f->value;
		} else if (http_field_is(b, f, "Expect") &&
		    span_is(b, f->value, "100-continue"))
			r->expect_continue = true;
	}
	return HTTP_OK;
}

enum http_status
http_parse_request(const uint8_t *buf, size_t len, struct http_request *r)
{
	enum http_status st;
	size_t e, next, end;
	bool more;

	memset(r, 0, sizeof(*r));
	/* The door drops blank lines before a request (RFC 7230 3.5). */
	if (len > 0 && (buf[0] == '\r' || buf[0] == '\n'))
		return HTTP_ERR_FORMAT;
	if (!line_at(buf, len, 0, HTTP_LINE_MAX + 2, &e, &next, &more))
		return more ? HTTP_NEED_MORE : HTTP_ERR_LINE_LONG;
	if (e > HTTP_LINE_MAX)
		return HTTP_ERR_LINE_LONG;
	if ((st = parse_request_line(buf, e, r)) != HTTP_OK)
		return st;
	if ((st = parse_fields(buf, len, next, &r->head, &end)) != HTTP_OK)
		return st;
	r->head.len = end;
	return request_fields(buf, r);
}

enum http_status
http_parse_response(const uint8_t *buf, size_t len, struct http_response *r)
{
	enum http_status st;
	size_t e, next, end, i;
	bool more;

	memset(r, 0, sizeof(*r));
	if (!line_at(buf, len, 0, HTTP_LINE_MAX + 2, &e, &next, &more))
		return more ? HTTP_NEED_MORE : HTTP_ERR_FORMAT;
	if (e < 12 || e > HTTP_LINE_MAX || buf[8] != ' ' ||
	    (e > 12 && buf[12] != ' '))
		return HTTP_ERR_FORMAT;
	if (parse_version(buf, 8, &r->head.minor) != HTTP_OK)
		return HTTP_ERR_FORMAT;
	for (i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return HTTP_ERR_FORMAT;
		r->code = r->code * 10 + (unsigned)(buf[i] - '0');
	}
	if (r->code < 100)
		return HTTP_ERR_FORMAT;
	for (i = 13; i < e; i++)
		if ((buf[i] < 0x20 && buf[i] != '\t') || buf[i] == 0x7f)
			return HTTP_ERR_FORMAT;
	r->reason = e > 13 ? span(13, e - 13) : span(e, 0);
	if ((st = parse_fields(buf, len, next, &r->head, &end)) != HTTP_OK)
		return st == HTTP_NEED_MORE ? st : HTTP_ERR_FORMAT;
	if (r->head.has_te && !r->head.chunked)
		return HTTP_ERR_FORMAT;
	r->head.len = end;
	return HTTP_OK;
}

enum http_status
http_parse_chunk_size(const uint8_t *buf, size_t len, uint64_t *size,
    size_t *used)
{
	size_t i, e, next;
	bool more;
	int h;

	if (!line_at(buf, len, 0, HTTP_CHUNK_LINE_MAX, &e, &next, &more))
		return more ? HTTP_NEED_MORE : HTTP_ERR_FORMAT;
	*size = 0;
	for (i = 0; i < e && (h = hexval(buf[i])) >= 0; i++) {
		if (i == 15)
			return HTTP_ERR_FORMAT;	/* over 2^60 */
		*size = *size * 16 + (uint64_t)h;
	}
	if (i == 0)
		return HTTP_ERR_FORMAT;
	while (i < e && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	if (i < e && buf[i] != ';')
		return HTTP_ERR_FORMAT;
	for (; i < e; i++)
		if ((buf[i] < 0x20 && buf[i] != '\t') || buf[i] == 0x7f)
			return HTTP_ERR_FORMAT;
	*used = next;
	return HTTP_OK;
}

enum http_status
http_parse_trailers(const uint8_t *buf, size_t len, size_t *used)
{
	return parse_fields(buf, len, 0, NULL, used);
}

/* RFC 4648 section 4; padding optional, nothing after it. */
static bool
base64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	size_t i, o = 0, bits = 0, pad = 0;
	const char *c;

	for (i = 0; i < n; i++) {
		if (in[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || in[i] == 0 ||
		    (c = strchr(alpha, in[i])) == NULL)
			return false;
		acc = (acc << 6) | (uint32_t)(c - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outmax)
				return false;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2 || bits >= 6)
		return false;
	*outlen = o;
	return true;
}

enum http_status
http_basic_decode(const uint8_t *val, size_t len,
    char user[HTTP_CRED_MAX + 1], char pass[HTTP_CRED_MAX + 1])
{
	uint8_t dec[2 * HTTP_CRED_MAX + 1];
	enum http_status st = HTTP_ERR_FORMAT;
	const uint8_t *colon;
	size_t i = 5, n, u;

	if (len < 6 || strncasecmp((const char *)val, "Basic", 5) != 0 ||
	    (val[5] != ' ' && val[5] != '\t'))
		return HTTP_ERR_FORMAT;
	while (i < len && (val[i] == ' ' || val[i] == '\t'))
		i++;
	if (!base64_decode(val + i, len - i, dec, sizeof(dec), &n))
		goto out;
	if (memchr(dec, '\0', n) != NULL ||
	    (colon = memchr(dec, ':', n)) == NULL)
		goto out;
	u = (size_t)(colon - dec);
	if (u == 0 || u > HTTP_CRED_MAX || n - u - 1 > HTTP_CRED_MAX)
		goto out;
	memcpy(user, dec, u);
	user[u] = '\0';
	memcpy(pass, colon + 1, n - u - 1);
	pass[n - u - 1] = '\0';
	st = HTTP_OK;
out:
	explicit_bzero(dec, sizeof(dec));
	return st;
}

bool
http_field_is(const uint8_t *buf, const struct http_field *f,
    const char *name)
{
	return span_is(buf, f->name, name);
}

struct conn_match {
	const struct http_field *f;
	bool found;
};

static bool
conn_names(const uint8_t *b, struct http_span s, void *arg)
{
	struct conn_match *m = arg;

	if (s.len == m->f->name.len && strncasecmp((const char *)b + s.off,
	    (const char *)b + m->f->name.off, s.len) == 0)
		m->found = true;
	return true;
}

bool
http_hop_by_hop(const uint8_t *buf, const struct http_head *h, size_t i)
{
	static const char *const hop[] = { "Connection", "Keep-Alive",
	    "Proxy-Connection", "Proxy-Authorization", "Proxy-Authenticate",
	    "TE", "Trailer", "Transfer-Encoding", "Upgrade" };
	struct conn_match m = { &h->f[i], false };
	size_t k;

	for (k = 0; k < sizeof(hop) / sizeof(hop[0]); k++)
		if (http_field_is(buf, &h->f[i], hop[k]))
			return true;
	for (k = 0; k < h->nfields && !m.found; k++)
		if (http_field_is(buf, &h->f[k], "Connection"))
			(void)list_each(buf, h->f[k].value, conn_names, &m);
	return m.found;
}

unsigned
http_status_code(enum http_status st)
{
	switch (st) {
	case HTTP_ERR_LINE_LONG:
		return 414;
	case HTTP_ERR_HEAD_LARGE:
		return 431;
	case HTTP_ERR_VERSION:
		return 505;
	case HTTP_ERR_METHOD:
		return 501;
	default:
		return 400;
	}
}

enum http_body
http_response_body(enum http_method m, const struct http_response *res)
{
	if (m == HTTP_M_HEAD || res->code < 200 || res->code == 204 ||
	    res->code == 304)
		return HTTP_BODY_NONE;
	if (res->head.chunked)
		return HTTP_BODY_CHUNKED;
	if (res->head.has_length)
		return HTTP_BODY_LENGTH;
	return HTTP_BODY_CLOSE;
}

bool
http_keep_alive(const struct http_head *h)
{
	if (h->conn_close)
		return false;
	return h->minor >= 1 || h->conn_keep;
}

bool
http_client_persists(const struct http_head *req, enum http_body body)
{
	if (!http_keep_alive(req) || body == HTTP_BODY_CLOSE)
		return false;
	if (req->minor == 0 && (body == HTTP_BODY_CHUNKED || req->has_te))
		return false;
	return true;
}
