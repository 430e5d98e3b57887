/*
 * metrics_text.c - the metrics endpoint's pure part (see metrics_text.h).
 */
#include "sgconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "metrics_text.h"

#define METHOD_MAX	16

static bool
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * The request line buf[0..n) (without its line end): method SP target
 * SP HTTP/1.x.  BAD, or what the method and the target ask for.
 */
static enum metrics_req
request_line(const char *buf, size_t n, const char *path, bool *head_only)
{
	size_t m = 0, t0, t, plen;
	const char *p;

	while (m < n && m <= METHOD_MAX && is_tchar((unsigned char)buf[m]))
		m++;
	if (m == 0 || m > METHOD_MAX || m >= n || buf[m] != ' ')
		return METRICS_REQ_BAD;
	t0 = t = m + 1;
	while (t < n && buf[t] > ' ' && buf[t] < 0x7f)
		t++;
	if (t == t0 || n - t != 9 || buf[t] != ' ' ||
	    memcmp(buf + t + 1, "HTTP/1.", 7) != 0 ||
	    buf[t + 8] < '0' || buf[t + 8] > '9')
		return METRICS_REQ_BAD;
	*head_only = m == 4 && memcmp(buf, "HEAD", 4) == 0;
	if (!(m == 3 && memcmp(buf, "GET", 3) == 0) && !*head_only)
		return METRICS_REQ_METHOD;
	p = buf + t0;
	/* absolute-form: http://authority/path (RFC 9112 section 3.2.2). */
	if (t - t0 > 7 && strncmp(p, "http://", 7) == 0) {
		p += 7;
		while (p < buf + t && *p != '/')
			p++;
	}
	plen = (size_t)(buf + t - p);
	if (memchr(p, '?', plen) != NULL)
		plen = (size_t)((const char *)memchr(p, '?', plen) - p);
	if (plen == strlen(path) && memcmp(p, path, plen) == 0)
		return METRICS_REQ_OK;
	return METRICS_REQ_NOT_FOUND;
}

/*
 * Can buf[0..len), a request line not yet complete, still become one?
 * So garbage without a newline is answered at once, not at the deadline.
 */
static bool
prefix_ok(const char *buf, size_t len)
{
	size_t m = 0;

	while (m < len && m <= METHOD_MAX && is_tchar((unsigned char)buf[m]))
		m++;
	if (m == len)
		return m <= METHOD_MAX;
	return m > 0 && m <= METHOD_MAX && buf[m] == ' ';
}

/* Length of the line at buf[0..len) without its end (CRLF or LF), or -1. */
static long
line_len(const char *buf, size_t len, size_t *next)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n;

	if (nl == NULL)
		return -1;
	n = (size_t)(nl - buf);
	*next = n + 1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return (long)n;
}

enum metrics_req
metrics_parse_request(const char *buf, size_t len, const char *path,
    bool *head_only)
{
	enum metrics_req st;
	size_t off, next;
	long n;

	*head_only = false;
	if (len > METRICS_HEAD_MAX)
		len = METRICS_HEAD_MAX;
	/*
	 * A NUL is looked for only in the head's own lines: what follows
	 * the empty line (a body, a pipelined request) cannot change the
	 * verdict on the head.
	 */
	if ((n = line_len(buf, len, &next)) < 0) {
		if (memchr(buf, '\0', len) != NULL || !prefix_ok(buf, len))
			return METRICS_REQ_BAD;
		return len >= METRICS_HEAD_MAX ? METRICS_REQ_TOO_BIG :
		    METRICS_REQ_MORE;
	}
	if (memchr(buf, '\0', (size_t)n) != NULL || (st = request_line(buf,
	    (size_t)n, path, head_only)) == METRICS_REQ_BAD)
		return METRICS_REQ_BAD;
	/* Header fields: "name: value" each, up to the empty line. */
	for (off = next; ; off += next) {
		if ((n = line_len(buf + off, len - off, &next)) < 0) {
			if (memchr(buf + off, '\0', len - off) != NULL)
				return METRICS_REQ_BAD;
			return len >= METRICS_HEAD_MAX ? METRICS_REQ_TOO_BIG :
			    METRICS_REQ_MORE;
		}
		if (n == 0)
			return st;
		if (!is_tchar((unsigned char)buf[off]) ||
		    memchr(buf + off, ':', (size_t)n) == NULL ||
		    memchr(buf + off, '\0', (size_t)n) != NULL)
			return METRICS_REQ_BAD;
	}
}

int
metrics_status(enum metrics_req st)
{
	switch (st) {
	case METRICS_REQ_OK:
		return 200;
	case METRICS_REQ_NOT_FOUND:
		return 404;
	case METRICS_REQ_METHOD:
		return 405;
	case METRICS_REQ_BAD:
		return 400;
	case METRICS_REQ_TOO_BIG:
		return 431;
	default:
		return 0;
	}
}

bool
metrics_path_ok(const char *path)
{
	const char *s;

	if (path[0] != '/')
		return false;
	for (s = path; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f || strchr("?#%\"\\", *s) != NULL)
			return false;
	return true;
}

const char *
metrics_error_body(enum metrics_req st)
{
	switch (st) {
	case METRICS_REQ_NOT_FOUND:
		return "not found\n";
	case METRICS_REQ_METHOD:
		return "method not allowed\n";
	case METRICS_REQ_TOO_BIG:
		return "request header fields too large\n";
	default:
		return "bad request\n";
	}
}

size_t
metrics_head(char *out, size_t outlen, enum metrics_req st, size_t body_len)
{
	static const char *const reason[] = { "OK", "Not Found",
	    "Method Not Allowed", "Bad Request",
	    "Request Header Fields Too Large" };
	int code = metrics_status(st), n;

	if (code == 0) {
		st = METRICS_REQ_BAD;
		code = 400;
	}
	n = snprintf(out, outlen, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n%sConnection: close\r\n\r\n", code,
	    reason[st - METRICS_REQ_OK], st == METRICS_REQ_OK ?
	    "text/plain; version=0.0.4; charset=utf-8" :
	    "text/plain; charset=utf-8", body_len, st == METRICS_REQ_METHOD ?
	    "Allow: GET, HEAD\r\n" : "");
	return n > 0 && (size_t)n < outlen ? (size_t)n : 0;
}

/* Bytes of the UTF-8 character at s (1-4), or 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;	/* no overlong forms */
		hi = c == 0xed ? 0x9f : 0xbf;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;	/* up to U+10FFFF */
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

char *
metrics_escape_label(const char *in, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	const char *rep;
	size_t o = 0, n;

	if (outlen == 0)
		return out;
	while (*s != '\0') {
		n = utf8_len(s);
		rep = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" :
		    *s == '\n' ? "\\n" : n == 0 ? "\xef\xbf\xbd" : NULL;
		if (rep == NULL) {
			if (o + n >= outlen)
				break;
			memcpy(out + o, s, n);
			o += n;
			s += n;
			continue;
		}
		if (o + strlen(rep) >= outlen)
			break;
		memcpy(out + o, rep, strlen(rep));
		o += strlen(rep);
		s++;
	}
	out[o] = '\0';
	return out;
}

static void
family(struct ctl_buf *b, const char *name, const char *type,
    const char *help)
{
	ctl_printf(b, "# HELP sixgate_%s %s\n# TYPE sixgate_%s %s\n", name,
	    help, name, type);
}

/* name{key="label",direction="up|down"} for each row's bytes. */
static void
rows(struct ctl_buf *b, const char *what, const char *by,
    const struct tally_row *v, size_t n)
{
	char esc[METRICS_LABEL_LEN(TALLY_LABEL_MAX)], name[64], help[96];
	size_t i;

	snprintf(name, sizeof(name), "%s_relays_total", what);
	snprintf(help, sizeof(help), "Relays ended, by %s.", by);
	family(b, name, "counter", help);
	for (i = 0; i < n; i++)
		ctl_printf(b, "sixgate_%s_relays_total{%s=\"%s\"} %" PRIu64 "\n",
		    what, what, metrics_escape_label(v[i].label, esc,
		    sizeof(esc)), v[i].relays);
	snprintf(name, sizeof(name), "%s_bytes_total", what);
	snprintf(help, sizeof(help), "Bytes of ended relays, by %s and "
	    "direction.", by);
	family(b, name, "counter", help);
	for (i = 0; i < n; i++) {
		metrics_escape_label(v[i].label, esc, sizeof(esc));
		ctl_printf(b, "sixgate_%s_bytes_total{%s=\"%s\",direction="
		    "\"up\"} %" PRIu64 "\nsixgate_%s_bytes_total{%s=\"%s\","
		    "direction=\"down\"} %" PRIu64 "\n", what, what, esc,
		    v[i].up, what, what, esc, v[i].down);
	}
}

static void
gauges(struct ctl_buf *b, const struct metrics_view *v)
{
	char esc[METRICS_LABEL_LEN(64)];

	family(b, "build_info", "gauge", "The version of sixgated.");
	ctl_printf(b, "sixgate_build_info{version=\"%s\"} 1\n",
	    metrics_escape_label(v->version, esc, sizeof(esc)));
	family(b, "uptime_seconds", "gauge", "Seconds since sixgated started.");
	ctl_printf(b, "sixgate_uptime_seconds %" PRId64 "\n", v->uptime_s);
	family(b, "sessions_active", "gauge", "Client sessions open now.");
	ctl_printf(b, "sixgate_sessions_active %d\n", v->sessions);
	family(b, "handshakes_active", "gauge",
	    "Sessions in their handshake now (not yet logged in).");
	ctl_printf(b, "sixgate_handshakes_active %d\n", v->handshakes);
	family(b, "relays_active", "gauge", "Relays moving data now.");
	ctl_printf(b, "sixgate_relays_active %d\n", v->relays);
}

void
metrics_render(struct ctl_buf *b, const struct metrics_view *v)
{
	const struct stats_snapshot *s = &v->ss;
	int i;

	gauges(b, v);
	family(b, "relays_total", "counter", "Relays started.");
	ctl_printf(b, "sixgate_relays_total %" PRIu64 "\n", s->relays_total);
	family(b, "logins_total", "counter", "Logins, by result.");
	ctl_printf(b, "sixgate_logins_total{result=\"ok\"} %" PRIu64 "\n"
	    "sixgate_logins_total{result=\"failed\"} %" PRIu64 "\n",
	    s->logins_ok, s->logins_failed);
	family(b, "refusals_total", "counter",
	    "Clients and requests refused, by reason.");
	for (i = 0; i < STATS_REFUSAL_N; i++)
		ctl_printf(b, "sixgate_refusals_total{reason=\"%s\"} %" PRIu64
		    "\n", stats_refusal_name((enum stats_refusal)i),
		    s->refusals[i]);
	family(b, "dns_queries_total", "counter",
	    "DNS queries answered (protocol \"dns\"), by RCODE.");
	for (i = 0; i < STATS_DNS_RCODES; i++)
		ctl_printf(b, "sixgate_dns_queries_total{rcode=\"%s\"} %" PRIu64
		    "\n", stats_dns_name((unsigned)i), s->dns[i]);
	family(b, "bytes_total", "counter",
	    "Bytes relayed (up: client to destination), live relays included.");
	ctl_printf(b, "sixgate_bytes_total{direction=\"up\"} %" PRIu64 "\n"
	    "sixgate_bytes_total{direction=\"down\"} %" PRIu64 "\n",
	    s->bytes_up, s->bytes_down);
	rows(b, "door", "the protocol the client came in by (the "
	    "listener's)", v->doors, v->ndoors);
	rows(b, "rule", "the rule that allowed them", v->rules, v->nrules);
	if (v->user_labels)
		rows(b, "user", "user", v->users, v->nusers);
}
