/*
 * check_socks5.c - unit tests for the SOCKS5 codec (src/socks5.h).
 *
 * Covered: every RFC 1928/1929 message in both directions (server-side
 * parsers for greeting, username/password and request; client-side
 * parsers for method choice, auth status and reply; every encoder),
 * encode->parse round trips, all address types, unknown CMD/ATYP,
 * truncation at every byte (each prefix placed right before an
 * unmapped guard page so over-reads crash), maximum lengths, encoder
 * refusals, pipelined input, malformed input, a deterministic fuzz loop
 * checked against a small reference model, the sockaddr conversions and
 * the errno -> REP mapping.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "socks5.h"
#include "testutil.h"

#define SENTINEL	((size_t)0xC0FFEE)

/* --- helpers --- */

/* Input right before an unmapped page (testutil.h). */
#define guarded(src, len)	tu_guarded((src), (len))

static struct sockaddr_in
mk4(const char *ip, uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6
mk6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
	return sin6;
}

/* Uniform wrappers so tables can drive every parser. */
typedef enum socks5_status (*parse_fn)(const uint8_t *, size_t, size_t *);

static struct socks5_greeting	w_greeting;
static struct socks5_userpass	w_userpass;
static struct socks5_request	w_request;
static struct socks5_request	w_reply;
static uint8_t			w_method;
static uint8_t			w_status;

static enum socks5_status
p_greeting(const uint8_t *b, size_t l, size_t *c)
{
	return socks5_parse_greeting(b, l, &w_greeting, c);
}

static enum socks5_status
p_userpass(const uint8_t *b, size_t l, size_t *c)
{
	return socks5_parse_userpass(b, l, &w_userpass, c);
}

static enum socks5_status
p_request(const uint8_t *b, size_t l, size_t *c)
{
	return socks5_parse_request(b, l, &w_request, c);
}

static enum socks5_status
p_reply(const uint8_t *b, size_t l, size_t *c)
{
	return socks5_parse_reply(b, l, &w_reply, c);
}

static enum socks5_status
p_method(const uint8_t *b, size_t l, size_t *c)
{
	return socks5_parse_method(b, l, &w_method, c);
}

static enum socks5_status
p_status(const uint8_t *b, size_t l, size_t *c)
{
	return socks5_parse_auth_status(b, l, &w_status, c);
}

/* Parse a whole buffer (guarded) and return the status. */
static enum socks5_status
run(parse_fn fn, const void *msg, size_t len, size_t *consumed)
{
	*consumed = SENTINEL;
	return fn(guarded(msg, len), len, consumed);
}

/* --- valid messages, used by the truncation and pipelining tests --- */

struct vcase {
	const char	*name;
	parse_fn	 fn;
	uint8_t		 buf[600];
	size_t		 len;
};

static void
add(struct vcase *v, const void *p, size_t n)
{
	memcpy(v->buf + v->len, p, n);
	v->len += n;
}

static void
add1(struct vcase *v, uint8_t b)
{
	v->buf[v->len++] = b;
}

#define NVCASES	22

static void
vcase_get(int i, struct vcase *v)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0x01 };
	int k;

	memset(v, 0, sizeof(*v));
	switch (i) {
	case 0:
		v->name = "greeting/1";
		v->fn = p_greeting;
		add(v, "\x05\x01\x00", 3);
		break;
	case 1:
		v->name = "greeting/2";
		v->fn = p_greeting;
		add(v, "\x05\x02\x00\x02", 4);
		break;
	case 2:
		v->name = "greeting/255";
		v->fn = p_greeting;
		add1(v, 5);
		add1(v, 255);
		for (k = 0; k < 255; k++)
			add1(v, (uint8_t)k);
		break;
	case 3:
		v->name = "userpass/1,1";
		v->fn = p_userpass;
		add(v, "\x01\x01" "a" "\x01" "b", 5);
		break;
	case 4:
		v->name = "userpass/alice";
		v->fn = p_userpass;
		add(v, "\x01\x05" "alice" "\x06" "secret", 14);
		break;
	case 5:
		v->name = "userpass/255,255";
		v->fn = p_userpass;
		add1(v, 1);
		add1(v, 255);
		for (k = 0; k < 255; k++)
			add1(v, (uint8_t)('a' + k % 26));
		add1(v, 255);
		for (k = 0; k < 255; k++)
			add1(v, (uint8_t)('A' + k % 26));
		break;
	case 6:
		v->name = "request/v4";
		v->fn = p_request;
		add(v, "\x05\x01\x00\x01\xc0\x00\x02\x01\x00\x50", 10);
		break;
	case 7:
		v->name = "request/v6";
		v->fn = p_request;
		add(v, "\x05\x01\x00\x04", 4);
		add(v, v6, 16);
		add(v, "\x01\xbb", 2);
		break;
	case 8:
		v->name = "request/domain";
		v->fn = p_request;
		add(v, "\x05\x01\x00\x03\x0b" "example.org" "\x00\x50", 18);
		break;
	case 9:
		v->name = "request/domain255";
		v->fn = p_request;
		add(v, "\x05\x01\x00\x03\xff", 5);
		for (k = 0; k < 255; k++)
			add1(v, (uint8_t)('a' + k % 26));
		add(v, "\xff\xff", 2);
		break;
	case 10:
		v->name = "request/domain1-udp";
		v->fn = p_request;
		add(v, "\x05\x03\x00\x03\x01" "x" "\x00\x35", 8);
		break;
	case 11:
		v->name = "request/unknown-cmd";
		v->fn = p_request;
		add(v, "\x05\x7f\x00\x01\x0a\x00\x00\x01\x00\x00", 10);
		break;
	case 12:
		v->name = "method/userpass";
		v->fn = p_method;
		add(v, "\x05\x02", 2);
		break;
	case 13:
		v->name = "method/none-acceptable";
		v->fn = p_method;
		add(v, "\x05\xff", 2);
		break;
	case 14:
		v->name = "auth-status/success";
		v->fn = p_status;
		add(v, "\x01\x00", 2);
		break;
	case 15:
		v->name = "auth-status/failure";
		v->fn = p_status;
		add(v, "\x01\x01", 2);
		break;
	case 16:
		v->name = "reply/v4";
		v->fn = p_reply;
		add(v, "\x05\x00\x00\x01\x0a\x00\x00\x01\xd4\x31", 10);
		break;
	case 17:
		v->name = "reply/v6";
		v->fn = p_reply;
		add(v, "\x05\x00\x00\x04", 4);
		add(v, v6, 16);
		add(v, "\x04\x38", 2);
		break;
	case 18:
		v->name = "reply/domain";
		v->fn = p_reply;
		add(v, "\x05\x00\x00\x03\x03" "a.b" "\x00\x16", 10);
		break;
	case 19:
		v->name = "reply/failure";
		v->fn = p_reply;
		add(v, "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", 10);
		break;
	case 20:
		v->name = "request/bind-v6";
		v->fn = p_request;
		add(v, "\x05\x02\x00\x04", 4);
		add(v, v6, 16);
		add(v, "\x00\x00", 2);
		break;
	case 21:
		v->name = "reply/domain255";
		v->fn = p_reply;
		add(v, "\x05\x00\x00\x03\xff", 5);
		for (k = 0; k < 255; k++)
			add1(v, (uint8_t)('z' - k % 26));
		add(v, "\x12\x34", 2);
		break;
	default:
		ck_abort_msg("no case %d", i);
	}
}

/* ===== TCase truncation ===== */

START_TEST(test_truncation_every_byte)
{
	struct vcase	v;
	uint8_t		ext[700];
	size_t		k, c;
	enum socks5_status st;

	vcase_get(_i, &v);
	for (k = 0; k < v.len; k++) {
		st = run(v.fn, v.buf, k, &c);
		ck_assert_msg(st == S5_NEED_MORE,
		    "%s: prefix %zu of %zu: status %d, want S5_NEED_MORE",
		    v.name, k, v.len, (int)st);
		ck_assert_msg(c == SENTINEL || c == 0,
		    "%s: prefix %zu: *consumed set to %zu on S5_NEED_MORE",
		    v.name, k, c);
	}
	st = run(v.fn, v.buf, v.len, &c);
	ck_assert_msg(st == S5_OK, "%s: full message: status %d",
	    v.name, (int)st);
	ck_assert_msg(c == v.len, "%s: consumed %zu, want %zu", v.name, c,
	    v.len);

	/* Trailing bytes belong to the next message. */
	memcpy(ext, v.buf, v.len);
	memset(ext + v.len, 0x05, 40);
	st = run(v.fn, ext, v.len + 40, &c);
	ck_assert_msg(st == S5_OK, "%s: with trailing data: status %d",
	    v.name, (int)st);
	ck_assert_msg(c == v.len, "%s: with trailing data: consumed %zu, "
	    "want %zu", v.name, c, v.len);
}
END_TEST

/* ===== TCase server: parsers for what a client sends ===== */

START_TEST(test_greeting_parse)
{
	struct socks5_greeting g;
	size_t c = SENTINEL;

	memset(&g, 0xAA, sizeof(g));
	ck_assert_int_eq(socks5_parse_greeting(
	    guarded("\x05\x03\x00\x02\x80", 5), 5, &g, &c), S5_OK);
	ck_assert_uint_eq(c, 5);
	ck_assert_uint_eq(g.nmethods, 3);
	ck_assert_uint_eq(g.methods[0], 0x00);
	ck_assert_uint_eq(g.methods[1], 0x02);
	ck_assert_uint_eq(g.methods[2], 0x80);
}
END_TEST

START_TEST(test_greeting_255)
{
	struct socks5_greeting g;
	uint8_t b[S5_GREETING_MAX];
	size_t c;
	int k;

	b[0] = 5;
	b[1] = 255;
	for (k = 0; k < 255; k++)
		b[2 + k] = (uint8_t)(254 - k);
	ck_assert_int_eq(S5_GREETING_MAX, 257);
	c = SENTINEL;
	ck_assert_int_eq(socks5_parse_greeting(guarded(b, sizeof(b)),
	    sizeof(b), &g, &c), S5_OK);
	ck_assert_uint_eq(c, 257);
	ck_assert_uint_eq(g.nmethods, 255);
	ck_assert_mem_eq(g.methods, b + 2, 255);
}
END_TEST

START_TEST(test_userpass_parse)
{
	struct socks5_userpass up;
	size_t c = SENTINEL;

	memset(&up, 0xAA, sizeof(up));
	ck_assert_int_eq(socks5_parse_userpass(
	    guarded("\x01\x05" "alice" "\x06" "s3cr#t", 14), 14, &up, &c),
	    S5_OK);
	ck_assert_uint_eq(c, 14);
	ck_assert_uint_eq(up.ulen, 5);
	ck_assert_uint_eq(up.plen, 6);
	ck_assert_str_eq(up.user, "alice");
	ck_assert_str_eq(up.pass, "s3cr#t");
}
END_TEST

START_TEST(test_userpass_255)
{
	struct socks5_userpass up;
	uint8_t b[S5_USERPASS_MAX];
	size_t c;
	int k;

	ck_assert_int_eq(S5_USERPASS_MAX, 513);
	b[0] = 1;
	b[1] = 255;
	for (k = 0; k < 255; k++)
		b[2 + k] = (uint8_t)(k + 1);		/* 0x01..0xff */
	b[257] = 255;
	for (k = 0; k < 255; k++)
		b[258 + k] = (uint8_t)(255 - k);	/* 0xff..0x01 */
	memset(&up, 0xAA, sizeof(up));
	c = SENTINEL;
	ck_assert_int_eq(socks5_parse_userpass(guarded(b, sizeof(b)),
	    sizeof(b), &up, &c), S5_OK);
	ck_assert_uint_eq(c, 513);
	ck_assert_uint_eq(up.ulen, 255);
	ck_assert_uint_eq(up.plen, 255);
	ck_assert_mem_eq(up.user, b + 2, 255);
	ck_assert_mem_eq(up.pass, b + 258, 255);
	ck_assert_uint_eq((uint8_t)up.user[255], 0);
	ck_assert_uint_eq((uint8_t)up.pass[255], 0);
	ck_assert_uint_eq(strlen(up.user), 255);
	ck_assert_uint_eq(strlen(up.pass), 255);
}
END_TEST

/*
 * Zero lengths and NUL bytes are refused (the session answers 0x01):
 * "secret\0junk" must not log in as "secret", nor "bob\0x" as "bob".
 */
START_TEST(test_userpass_refused)
{
	struct socks5_userpass up;
	size_t c = SENTINEL;

	ck_assert_int_eq(socks5_parse_userpass(guarded("\x01\x00", 2), 2,
	    &up, &c), S5_ERR_FORMAT);
	ck_assert_int_eq(socks5_parse_userpass(guarded("\x01\x01" "a"
	    "\x00", 4), 4, &up, &c), S5_ERR_FORMAT);
	ck_assert_int_eq(socks5_parse_userpass(guarded("\x01\x05" "bob\0x"
	    "\x02" "pw", 10), 10, &up, &c), S5_ERR_FORMAT);
	ck_assert_int_eq(socks5_parse_userpass(guarded("\x01\x03" "bob"
	    "\x0b" "secret\0junk", 17), 17, &up, &c), S5_ERR_FORMAT);
	ck_assert_int_eq(socks5_parse_userpass(guarded("\x01\x03" "bob"
	    "\x01" "\0", 7), 7, &up, &c), S5_ERR_FORMAT);
	ck_assert_uint_eq(c, SENTINEL);
}
END_TEST

START_TEST(test_request_v4)
{
	struct socks5_request r;
	size_t c = SENTINEL;

	memset(&r, 0xAA, sizeof(r));
	ck_assert_int_eq(socks5_parse_request(
	    guarded("\x05\x01\x00\x01\xc0\x00\x02\x01\x1f\x90", 10), 10,
	    &r, &c), S5_OK);
	ck_assert_uint_eq(c, 10);
	ck_assert_uint_eq(r.cmd, S5_CMD_CONNECT);
	ck_assert_uint_eq(r.addr.atyp, S5_ATYP_IPV4);
	ck_assert_mem_eq(r.addr.u.v4, "\xc0\x00\x02\x01", 4);
	ck_assert_uint_eq(r.addr.port, 8080);
}
END_TEST

START_TEST(test_request_v6)
{
	static const uint8_t b[22] = { 5, 2, 0, 4,
	    0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0, 0,
	    0, 0, 0, 0, 0xfe, 0xdc, 0xba, 0x98, 0xff, 0xfe };
	struct socks5_request r;
	size_t c = SENTINEL;

	memset(&r, 0xAA, sizeof(r));
	ck_assert_int_eq(socks5_parse_request(guarded(b, 22), 22, &r, &c),
	    S5_OK);
	ck_assert_uint_eq(c, 22);
	ck_assert_uint_eq(r.cmd, S5_CMD_BIND);
	ck_assert_uint_eq(r.addr.atyp, S5_ATYP_IPV6);
	ck_assert_mem_eq(r.addr.u.v6, b + 4, 16);
	ck_assert_uint_eq(r.addr.port, 0xfffe);
}
END_TEST

START_TEST(test_request_domain)
{
	struct socks5_request r;
	size_t c = SENTINEL;

	memset(&r, 0xAA, sizeof(r));
	ck_assert_int_eq(socks5_parse_request(
	    guarded("\x05\x03\x00\x03\x0b" "example.org" "\x01\xbb", 18),
	    18, &r, &c), S5_OK);
	ck_assert_uint_eq(c, 18);
	ck_assert_uint_eq(r.cmd, S5_CMD_UDP_ASSOCIATE);
	ck_assert_uint_eq(r.addr.atyp, S5_ATYP_DOMAINNAME);
	ck_assert_uint_eq(r.addr.namelen, 11);
	ck_assert_str_eq(r.addr.u.name, "example.org");
	ck_assert_uint_eq(r.addr.port, 443);
}
END_TEST

START_TEST(test_request_domain_255)
{
	uint8_t b[S5_REQUEST_MAX];
	char want[256];
	struct socks5_request r;
	size_t c = SENTINEL;
	int k;

	ck_assert_int_eq(S5_REQUEST_MAX, 262);
	memcpy(b, "\x05\x01\x00\x03\xff", 5);
	for (k = 0; k < 255; k++)
		want[k] = (char)(k % 63 == 62 ? '.' : 'a' + k % 26);
	want[255] = '\0';
	memcpy(b + 5, want, 255);
	b[260] = 0x00;
	b[261] = 0x15;
	memset(&r, 0xAA, sizeof(r));
	ck_assert_int_eq(socks5_parse_request(guarded(b, 262), 262, &r, &c),
	    S5_OK);
	ck_assert_uint_eq(c, 262);
	ck_assert_uint_eq(r.addr.namelen, 255);
	ck_assert_str_eq(r.addr.u.name, want);
	ck_assert_uint_eq(r.addr.port, 21);
}
END_TEST

START_TEST(test_request_unknown_cmd)
{
	static const uint8_t cmds[] = { 0x00, 0x04, 0x7f, 0x80, 0xff };
	uint8_t b[10] = { 5, 0, 0, 1, 10, 1, 2, 3, 0, 80 };
	struct socks5_request r;
	size_t c, k;

	for (k = 0; k < sizeof(cmds); k++) {
		b[1] = cmds[k];
		c = SENTINEL;
		ck_assert_msg(socks5_parse_request(guarded(b, 10), 10, &r,
		    &c) == S5_OK, "CMD 0x%02x must parse", cmds[k]);
		ck_assert_uint_eq(c, 10);
		ck_assert_uint_eq(r.cmd, cmds[k]);
		ck_assert_uint_eq(r.addr.atyp, S5_ATYP_IPV4);
		ck_assert_mem_eq(r.addr.u.v4, "\x0a\x01\x02\x03", 4);
		ck_assert_uint_eq(r.addr.port, 80);
	}
}
END_TEST

START_TEST(test_request_unknown_atyp)
{
	static const uint8_t atyps[] = { 0x00, 0x02, 0x05, 0x06, 0x7f,
	    0xff };
	uint8_t b[30];
	struct socks5_request r;
	size_t c, k;

	memset(b, 0x01, sizeof(b));
	b[0] = 5;
	b[1] = 1;
	b[2] = 0;
	for (k = 0; k < sizeof(atyps); k++) {
		b[3] = atyps[k];
		ck_assert_msg(run(p_request, b, sizeof(b), &c) == S5_ERR_ATYP,
		    "request ATYP 0x%02x", atyps[k]);
		/* The header alone is enough to know. */
		ck_assert_msg(run(p_request, b, 4, &c) == S5_ERR_ATYP,
		    "request ATYP 0x%02x, 4 bytes", atyps[k]);
		ck_assert_msg(socks5_parse_reply(guarded(b, sizeof(b)),
		    sizeof(b), &r, &c) == S5_ERR_ATYP,
		    "reply ATYP 0x%02x", atyps[k]);
	}
}
END_TEST

/* ===== TCase client: parsers for what a server sends ===== */

START_TEST(test_method_parse)
{
	uint8_t m;
	size_t c;
	int k;

	for (k = 0; k < 256; k++) {
		uint8_t b[2] = { 5, (uint8_t)k };

		m = (uint8_t)~k;
		c = SENTINEL;
		ck_assert_int_eq(socks5_parse_method(guarded(b, 2), 2, &m,
		    &c), S5_OK);
		ck_assert_uint_eq(c, 2);
		ck_assert_uint_eq(m, (unsigned)k);
	}
}
END_TEST

START_TEST(test_auth_status_parse)
{
	uint8_t s;
	size_t c;
	int k;

	for (k = 0; k < 256; k++) {
		uint8_t b[2] = { 1, (uint8_t)k };

		s = (uint8_t)~k;
		c = SENTINEL;
		ck_assert_int_eq(socks5_parse_auth_status(guarded(b, 2), 2,
		    &s, &c), S5_OK);
		ck_assert_uint_eq(c, 2);
		ck_assert_uint_eq(s, (unsigned)k);
	}
}
END_TEST

START_TEST(test_reply_parse)
{
	static const uint8_t b4[10] = { 5, 0, 0, 1, 10, 0, 0, 1, 0xd4, 0x31 };
	static const uint8_t b6[22] = { 5, 4, 0, 4, 0xfe, 0x80, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x00, 0x16 };
	struct socks5_request r;
	size_t c;

	c = SENTINEL;
	memset(&r, 0xAA, sizeof(r));
	ck_assert_int_eq(socks5_parse_reply(guarded(b4, 10), 10, &r, &c),
	    S5_OK);
	ck_assert_uint_eq(c, 10);
	ck_assert_uint_eq(r.cmd, S5_REP_SUCCEEDED);
	ck_assert_uint_eq(r.addr.atyp, S5_ATYP_IPV4);
	ck_assert_mem_eq(r.addr.u.v4, b4 + 4, 4);
	ck_assert_uint_eq(r.addr.port, 54321);

	c = SENTINEL;
	memset(&r, 0xAA, sizeof(r));
	ck_assert_int_eq(socks5_parse_reply(guarded(b6, 22), 22, &r, &c),
	    S5_OK);
	ck_assert_uint_eq(c, 22);
	ck_assert_uint_eq(r.cmd, S5_REP_HOST_UNREACH);
	ck_assert_uint_eq(r.addr.atyp, S5_ATYP_IPV6);
	ck_assert_mem_eq(r.addr.u.v6, b6 + 4, 16);
	ck_assert_uint_eq(r.addr.port, 22);

	c = SENTINEL;
	memset(&r, 0xAA, sizeof(r));
	ck_assert_int_eq(socks5_parse_reply(
	    guarded("\x05\x00\x00\x03\x07" "gw.test" "\x00\x50", 14), 14,
	    &r, &c), S5_OK);
	ck_assert_uint_eq(c, 14);
	ck_assert_uint_eq(r.addr.atyp, S5_ATYP_DOMAINNAME);
	ck_assert_uint_eq(r.addr.namelen, 7);
	ck_assert_str_eq(r.addr.u.name, "gw.test");
	ck_assert_uint_eq(r.addr.port, 80);
}
END_TEST

/* ===== TCase encoders ===== */

/* out is pre-filled with 0xEE: nothing past the returned length moves. */
static void
check_untouched(const uint8_t *out, size_t from, size_t to)
{
	size_t k;

	for (k = from; k < to; k++)
		ck_assert_msg(out[k] == 0xEE, "byte %zu written past the "
		    "encoded length %zu", k, from);
}

START_TEST(test_encode_method)
{
	uint8_t out[8];

	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_method(S5_METHOD_USERPASS, out,
	    sizeof(out)), 2);
	ck_assert_mem_eq(out, "\x05\x02", 2);
	check_untouched(out, 2, sizeof(out));
	ck_assert_uint_eq(socks5_encode_method(S5_METHOD_NO_ACCEPTABLE, out,
	    2), 2);
	ck_assert_mem_eq(out, "\x05\xff", 2);
	ck_assert_uint_eq(socks5_encode_method(0, out, 1), 0);
	ck_assert_uint_eq(socks5_encode_method(0, out, 0), 0);
}
END_TEST

START_TEST(test_encode_auth_status)
{
	uint8_t out[8];

	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_auth_status(S5_AUTH_SUCCESS, out,
	    sizeof(out)), 2);
	ck_assert_mem_eq(out, "\x01\x00", 2);
	check_untouched(out, 2, sizeof(out));
	ck_assert_uint_eq(socks5_encode_auth_status(S5_AUTH_FAILURE, out,
	    2), 2);
	ck_assert_mem_eq(out, "\x01\x01", 2);
	ck_assert_uint_eq(socks5_encode_auth_status(0, out, 1), 0);
	ck_assert_uint_eq(socks5_encode_auth_status(0, out, 0), 0);
}
END_TEST

START_TEST(test_encode_greeting)
{
	uint8_t methods[256], out[300];
	int k;

	memset(out, 0xEE, sizeof(out));
	methods[0] = S5_METHOD_NONE;
	methods[1] = S5_METHOD_USERPASS;
	ck_assert_uint_eq(socks5_encode_greeting(methods, 2, out,
	    sizeof(out)), 4);
	ck_assert_mem_eq(out, "\x05\x02\x00\x02", 4);
	check_untouched(out, 4, sizeof(out));
	ck_assert_uint_eq(socks5_encode_greeting(methods, 2, out, 4), 4);
	ck_assert_uint_eq(socks5_encode_greeting(methods, 2, out, 3), 0);
	ck_assert_uint_eq(socks5_encode_greeting(methods, 1, out, 2), 0);

	for (k = 0; k < 256; k++)
		methods[k] = (uint8_t)k;
	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_greeting(methods, 255, out,
	    sizeof(out)), 257);
	ck_assert_uint_eq(out[0], 5);
	ck_assert_uint_eq(out[1], 255);
	ck_assert_mem_eq(out + 2, methods, 255);
	check_untouched(out, 257, sizeof(out));
	ck_assert_uint_eq(socks5_encode_greeting(methods, 255, out, 256), 0);
	/* NMETHODS is one octet, 1..255. */
	ck_assert_uint_eq(socks5_encode_greeting(methods, 256, out,
	    sizeof(out)), 0);
	ck_assert_uint_eq(socks5_encode_greeting(methods, 0, out,
	    sizeof(out)), 0);
}
END_TEST

START_TEST(test_encode_userpass)
{
	char u255[257], p256[258];
	uint8_t out[600];

	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_userpass("alice", "secret", out,
	    sizeof(out)), 14);
	ck_assert_mem_eq(out, "\x01\x05" "alice" "\x06" "secret", 14);
	check_untouched(out, 14, sizeof(out));
	ck_assert_uint_eq(socks5_encode_userpass("alice", "secret", out,
	    14), 14);
	ck_assert_uint_eq(socks5_encode_userpass("alice", "secret", out,
	    13), 0);
	ck_assert_uint_eq(socks5_encode_userpass("alice", "secret", out, 0),
	    0);

	/* 1..255 bytes each. */
	ck_assert_uint_eq(socks5_encode_userpass("", "secret", out,
	    sizeof(out)), 0);
	ck_assert_uint_eq(socks5_encode_userpass("alice", "", out,
	    sizeof(out)), 0);
	memset(u255, 'u', 255);
	u255[255] = '\0';
	memset(p256, 'p', 256);
	p256[256] = '\0';
	ck_assert_uint_eq(socks5_encode_userpass(p256, "x", out,
	    sizeof(out)), 0);
	ck_assert_uint_eq(socks5_encode_userpass("x", p256, out,
	    sizeof(out)), 0);
	p256[255] = '\0';			/* now 255 */
	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_userpass(u255, p256, out,
	    sizeof(out)), 513);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_uint_eq(out[1], 255);
	ck_assert_mem_eq(out + 2, u255, 255);
	ck_assert_uint_eq(out[257], 255);
	ck_assert_mem_eq(out + 258, p256, 255);
	check_untouched(out, 513, sizeof(out));
	ck_assert_uint_eq(socks5_encode_userpass(u255, p256, out, 512), 0);
}
END_TEST

START_TEST(test_encode_request)
{
	struct socks5_addr a;
	uint8_t out[300];
	char name[256];

	memset(&a, 0, sizeof(a));
	a.atyp = S5_ATYP_IPV4;
	memcpy(a.u.v4, "\xc6\x33\x64\x07", 4);
	a.port = 0x1234;
	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_CONNECT, &a, out,
	    sizeof(out)), 10);
	ck_assert_mem_eq(out, "\x05\x01\x00\x01\xc6\x33\x64\x07\x12\x34", 10);
	check_untouched(out, 10, sizeof(out));
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_CONNECT, &a, out, 9),
	    0);

	memset(&a, 0, sizeof(a));
	a.atyp = S5_ATYP_IPV6;
	memcpy(a.u.v6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x09", 16);
	a.port = 443;
	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_BIND, &a, out,
	    sizeof(out)), 22);
	ck_assert_mem_eq(out, "\x05\x02\x00\x04"
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x09" "\x01\xbb", 22);
	check_untouched(out, 22, sizeof(out));
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_BIND, &a, out, 21),
	    0);

	ck_assert_int_eq(socks5_addr_set_name(&a, "example.org", 80), S5_OK);
	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_UDP_ASSOCIATE, &a,
	    out, sizeof(out)), 18);
	ck_assert_mem_eq(out, "\x05\x03\x00\x03\x0b" "example.org" "\x00\x50",
	    18);
	check_untouched(out, 18, sizeof(out));
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_CONNECT, &a, out, 17),
	    0);

	memset(name, 'n', 255);
	name[255] = '\0';
	ck_assert_int_eq(socks5_addr_set_name(&a, name, 65535), S5_OK);
	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_CONNECT, &a, out,
	    sizeof(out)), 262);
	ck_assert_mem_eq(out, "\x05\x01\x00\x03\xff", 5);
	ck_assert_mem_eq(out + 5, name, 255);
	ck_assert_mem_eq(out + 260, "\xff\xff", 2);
	check_untouched(out, 262, sizeof(out));
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_CONNECT, &a, out, 261),
	    0);
}
END_TEST

START_TEST(test_encode_request_bad_addr)
{
	struct socks5_addr a;
	uint8_t out[300];

	/* An empty DOMAINNAME cannot be sent. */
	memset(&a, 0, sizeof(a));
	a.atyp = S5_ATYP_DOMAINNAME;
	a.namelen = 0;
	a.port = 80;
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_CONNECT, &a, out,
	    sizeof(out)), 0);
	/* Nor an address type without a known length. */
	memset(&a, 0, sizeof(a));
	a.atyp = 0x02;
	ck_assert_uint_eq(socks5_encode_request(S5_CMD_CONNECT, &a, out,
	    sizeof(out)), 0);
}
END_TEST

START_TEST(test_encode_reply_v4)
{
	struct sockaddr_in sin = mk4("192.0.2.33", 40000);
	uint8_t out[64];

	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_SUCCEEDED,
	    (const struct sockaddr *)&sin, out, sizeof(out)), 10);
	ck_assert_mem_eq(out, "\x05\x00\x00\x01\xc0\x00\x02\x21\x9c\x40", 10);
	check_untouched(out, 10, sizeof(out));
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_SUCCEEDED,
	    (const struct sockaddr *)&sin, out, 10), 10);
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_SUCCEEDED,
	    (const struct sockaddr *)&sin, out, 9), 0);
}
END_TEST

START_TEST(test_encode_reply_v6)
{
	struct sockaddr_in6 sin6 = mk6("2001:db8::a:b", 1080);
	uint8_t out[64];

	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_SUCCEEDED,
	    (const struct sockaddr *)&sin6, out, sizeof(out)), 22);
	ck_assert_mem_eq(out, "\x05\x00\x00\x04"
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\x0a\0\x0b" "\x04\x38", 22);
	check_untouched(out, 22, sizeof(out));
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_SUCCEEDED,
	    (const struct sockaddr *)&sin6, out, 21), 0);

	/* v4-mapped stays in its own family. */
	sin6 = mk6("::ffff:10.0.0.1", 80);
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_SUCCEEDED,
	    (const struct sockaddr *)&sin6, out, sizeof(out)), 22);
	ck_assert_mem_eq(out, "\x05\x00\x00\x04"
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\0\0\x01" "\x00\x50", 22);
}
END_TEST

START_TEST(test_encode_reply_null)
{
	struct sockaddr_un sun;
	uint8_t out[64];

	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_CONN_REFUSED, NULL,
	    out, sizeof(out)), 10);
	ck_assert_mem_eq(out, "\x05\x05\x00\x01\0\0\0\0\0\0", 10);
	check_untouched(out, 10, sizeof(out));
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_GENERAL_FAILURE, NULL,
	    out, 9), 0);
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_GENERAL_FAILURE, NULL,
	    out, 0), 0);

	memset(&sun, 0x33, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(socks5_encode_reply(S5_REP_CMD_UNSUPPORTED,
	    (const struct sockaddr *)&sun, out, sizeof(out)), 10);
	ck_assert_mem_eq(out, "\x05\x07\x00\x01\0\0\0\0\0\0", 10);
}
END_TEST

/* ===== TCase round trips ===== */

START_TEST(test_rt_greeting)
{
	struct socks5_greeting g;
	uint8_t m[255], out[S5_GREETING_MAX];
	size_t n, len, c;
	int k;

	for (k = 0; k < 255; k++)
		m[k] = (uint8_t)(k * 7 + 3);
	for (n = 1; n <= 255; n++) {
		len = socks5_encode_greeting(m, n, out, sizeof(out));
		ck_assert_uint_eq(len, 2 + n);
		c = SENTINEL;
		ck_assert_int_eq(socks5_parse_greeting(guarded(out, len), len,
		    &g, &c), S5_OK);
		ck_assert_uint_eq(c, len);
		ck_assert_uint_eq(g.nmethods, n);
		ck_assert_mem_eq(g.methods, m, n);
	}
}
END_TEST

START_TEST(test_rt_userpass)
{
	struct socks5_userpass up;
	char u[256], p[256];
	uint8_t out[S5_USERPASS_MAX];
	size_t len, c;
	int k;

	/* Every non-NUL octet value, in both fields. */
	for (k = 0; k < 255; k++) {
		u[k] = (char)(k + 1);
		p[k] = (char)(255 - k);
	}
	u[255] = p[255] = '\0';
	len = socks5_encode_userpass(u, p, out, sizeof(out));
	ck_assert_uint_eq(len, 513);
	ck_assert_int_eq(socks5_parse_userpass(guarded(out, len), len, &up,
	    &c), S5_OK);
	ck_assert_uint_eq(c, 513);
	ck_assert_str_eq(up.user, u);
	ck_assert_str_eq(up.pass, p);

	/* Short ones, all length pairs from 1 to 9. */
	for (k = 1; k < 100; k++) {
		size_t ul = (size_t)(k / 10), pl = (size_t)(k % 10);

		if (ul == 0 || pl == 0)
			continue;
		memset(u, 'U', ul);
		u[ul] = '\0';
		memset(p, 'P', pl);
		p[pl] = '\0';
		len = socks5_encode_userpass(u, p, out, sizeof(out));
		ck_assert_uint_eq(len, 3 + ul + pl);
		c = SENTINEL;
		ck_assert_int_eq(socks5_parse_userpass(guarded(out, len), len,
		    &up, &c), S5_OK);
		ck_assert_uint_eq(c, len);
		ck_assert_uint_eq(up.ulen, ul);
		ck_assert_uint_eq(up.plen, pl);
		ck_assert_str_eq(up.user, u);
		ck_assert_str_eq(up.pass, p);
	}
}
END_TEST

static void
rt_request(uint8_t cmd, const struct socks5_addr *a, size_t wantlen)
{
	struct socks5_request r;
	uint8_t out[S5_REQUEST_MAX];
	size_t len, c = SENTINEL;

	len = socks5_encode_request(cmd, a, out, sizeof(out));
	ck_assert_uint_eq(len, wantlen);
	memset(&r, 0xAA, sizeof(r));
	ck_assert_int_eq(socks5_parse_request(guarded(out, len), len, &r, &c),
	    S5_OK);
	ck_assert_uint_eq(c, len);
	ck_assert_uint_eq(r.cmd, cmd);
	ck_assert_uint_eq(r.addr.atyp, a->atyp);
	ck_assert_uint_eq(r.addr.port, a->port);
	switch (a->atyp) {
	case S5_ATYP_IPV4:
		ck_assert_mem_eq(r.addr.u.v4, a->u.v4, 4);
		break;
	case S5_ATYP_IPV6:
		ck_assert_mem_eq(r.addr.u.v6, a->u.v6, 16);
		break;
	default:
		ck_assert_uint_eq(r.addr.namelen, a->namelen);
		ck_assert_str_eq(r.addr.u.name, a->u.name);
		break;
	}
}

START_TEST(test_rt_request)
{
	static const uint8_t cmds[] = { S5_CMD_CONNECT, S5_CMD_BIND,
	    S5_CMD_UDP_ASSOCIATE, 0x42 };
	static const uint16_t ports[] = { 0, 1, 80, 0x0100, 0xff00, 65535 };
	struct socks5_addr a;
	char name[256];
	size_t i, j;
	int k;

	for (i = 0; i < sizeof(cmds); i++)
		for (j = 0; j < sizeof(ports) / sizeof(ports[0]); j++) {
			memset(&a, 0, sizeof(a));
			a.atyp = S5_ATYP_IPV4;
			memcpy(a.u.v4, "\x01\x80\xff\x00", 4);
			a.port = ports[j];
			rt_request(cmds[i], &a, 10);

			memset(&a, 0, sizeof(a));
			a.atyp = S5_ATYP_IPV6;
			for (k = 0; k < 16; k++)
				a.u.v6[k] = (uint8_t)(0xf0 ^ (k * 17));
			a.port = ports[j];
			rt_request(cmds[i], &a, 22);

			ck_assert_int_eq(socks5_addr_set_name(&a,
			    "www.example.com", ports[j]), S5_OK);
			rt_request(cmds[i], &a, 22);
		}
	for (k = 1; k <= 255; k++) {
		memset(name, 'a' + k % 26, (size_t)k);
		name[k] = '\0';
		ck_assert_int_eq(socks5_addr_set_name(&a, name, (uint16_t)k),
		    S5_OK);
		rt_request(S5_CMD_CONNECT, &a, 7 + (size_t)k);
	}
}
END_TEST

START_TEST(test_rt_reply)
{
	static const char *v4s[] = { "0.0.0.0", "127.0.0.1",
	    "255.255.255.255", "10.20.30.40" };
	static const char *v6s[] = { "::", "::1", "fe80::1:2:3:4",
	    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:1.2.3.4" };
	struct sockaddr_storage ss;
	struct socks5_request r;
	uint8_t out[S5_REPLY_MAX];
	socklen_t sl;
	size_t i, len, c;

	for (i = 0; i < sizeof(v4s) / sizeof(v4s[0]); i++) {
		struct sockaddr_in sin = mk4(v4s[i], (uint16_t)(1000 * i + 7));
		struct sockaddr_in *o = (struct sockaddr_in *)&ss;

		len = socks5_encode_reply((uint8_t)i,
		    (const struct sockaddr *)&sin, out, sizeof(out));
		ck_assert_uint_eq(len, 10);
		c = SENTINEL;
		ck_assert_int_eq(socks5_parse_reply(guarded(out, len), len, &r,
		    &c), S5_OK);
		ck_assert_uint_eq(c, 10);
		ck_assert_uint_eq(r.cmd, i);
		memset(&ss, 0xAA, sizeof(ss));
		sl = 0;
		ck_assert_int_eq(socks5_addr_to_sockaddr(&r.addr, &ss, &sl),
		    S5_OK);
		ck_assert_uint_eq(sl, sizeof(struct sockaddr_in));
		ck_assert_int_eq(o->sin_family, AF_INET);
		ck_assert_uint_eq(o->sin_port, sin.sin_port);
		ck_assert_mem_eq(&o->sin_addr, &sin.sin_addr, 4);
	}
	for (i = 0; i < sizeof(v6s) / sizeof(v6s[0]); i++) {
		struct sockaddr_in6 sin6 = mk6(v6s[i],
		    (uint16_t)(65535 - 77 * i));
		struct sockaddr_in6 *o = (struct sockaddr_in6 *)&ss;

		len = socks5_encode_reply((uint8_t)(8 - i),
		    (const struct sockaddr *)&sin6, out, sizeof(out));
		ck_assert_uint_eq(len, 22);
		c = SENTINEL;
		ck_assert_int_eq(socks5_parse_reply(guarded(out, len), len, &r,
		    &c), S5_OK);
		ck_assert_uint_eq(c, 22);
		ck_assert_uint_eq(r.cmd, 8 - i);
		ck_assert_uint_eq(r.addr.atyp, S5_ATYP_IPV6);
		ck_assert_int_eq(socks5_addr_to_sockaddr(&r.addr, &ss, &sl),
		    S5_OK);
		ck_assert_uint_eq(sl, sizeof(struct sockaddr_in6));
		ck_assert_int_eq(o->sin6_family, AF_INET6);
		ck_assert_uint_eq(o->sin6_port, sin6.sin6_port);
		ck_assert_mem_eq(&o->sin6_addr, &sin6.sin6_addr, 16);
	}
}
END_TEST

/*
 * RESOLVE (S5_CMD_RESOLVE, Tor's 0xF0): a DOMAINNAME request whose
 * DST.PORT is the family wanted (4 or 6), and replies carrying one
 * address of either family with BND.PORT 0; exact bytes both ways.
 */
START_TEST(test_rt_resolve)
{
	static const uint8_t want4[] = { 0x05, 0xF0, 0x00, 0x03, 11,
	    'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g', 0x00, 0x04 };
	static const uint8_t rep4[] = { 0x05, 0x00, 0x00, 0x01,
	    192, 0, 2, 7, 0x00, 0x00 };
	static const uint8_t rep6[] = { 0x05, 0x00, 0x00, 0x04,
	    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,
	    0x00, 0x00 };
	static const uint8_t rep_noname[] = { 0x05, 0x04, 0x00, 0x01,
	    0, 0, 0, 0, 0, 0 };
	static const uint16_t fams[] = { S5_RESOLVE_WANT_IPV4,
	    S5_RESOLVE_WANT_IPV6, 0 };
	struct socks5_request r;
	struct socks5_addr a;
	struct sockaddr_storage ss;
	struct sockaddr_in sin = mk4("192.0.2.7", 0);
	struct sockaddr_in6 sin6 = mk6("2001:db8::7", 0);
	uint8_t out[S5_REQUEST_MAX];
	socklen_t sl;
	size_t i, len, c;

	ck_assert_uint_eq(S5_CMD_RESOLVE, 0xF0);
	ck_assert_uint_eq(S5_RESOLVE_WANT_IPV4, 4);
	ck_assert_uint_eq(S5_RESOLVE_WANT_IPV6, 6);
	/* Request: encoder bytes, and the server's parser reads it back. */
	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		ck_assert_int_eq(socks5_addr_set_name(&a, "example.org",
		    fams[i]), S5_OK);
		len = socks5_encode_request(S5_CMD_RESOLVE, &a, out,
		    sizeof(out));
		ck_assert_uint_eq(len, sizeof(want4));
		ck_assert_mem_eq(out, want4, sizeof(want4) - 1);
		ck_assert_uint_eq(out[len - 1], fams[i]);
		c = SENTINEL;
		memset(&r, 0xAA, sizeof(r));
		ck_assert_int_eq(socks5_parse_request(guarded(out, len), len,
		    &r, &c), S5_OK);
		ck_assert_uint_eq(c, len);
		ck_assert_uint_eq(r.cmd, S5_CMD_RESOLVE);
		ck_assert_uint_eq(r.addr.atyp, S5_ATYP_DOMAINNAME);
		ck_assert_uint_eq(r.addr.namelen, 11);
		ck_assert_str_eq(r.addr.u.name, "example.org");
		ck_assert_uint_eq(r.addr.port, fams[i]);
		/* Every shorter prefix needs more. */
		for (c = 0; c < len; c++) {
			size_t cc = SENTINEL;

			ck_assert_int_eq(socks5_parse_request(guarded(out, c),
			    c, &r, &cc), S5_NEED_MORE);
			ck_assert_uint_eq(cc, SENTINEL);
		}
	}
	/* A literal as the name, and an ATYP IPv4 request, parse too. */
	ck_assert_int_eq(socks5_addr_set_name(&a, "::1", 6), S5_OK);
	len = socks5_encode_request(S5_CMD_RESOLVE, &a, out, sizeof(out));
	ck_assert_uint_eq(len, 4 + 1 + 3 + 2);
	ck_assert_int_eq(socks5_parse_request(out, len, &r, &c), S5_OK);
	ck_assert_uint_eq(r.cmd, 0xF0);
	ck_assert_str_eq(r.addr.u.name, "::1");
	ck_assert_int_eq(socks5_parse_request(want4, sizeof(want4), &r, &c),
	    S5_OK);
	ck_assert_uint_eq(r.cmd, S5_CMD_RESOLVE);
	ck_assert_uint_eq(r.addr.port, 4);

	/* Reply, IPv4 BND: the server's encoder, the client's parser. */
	len = socks5_encode_reply(S5_REP_SUCCEEDED,
	    (const struct sockaddr *)&sin, out, sizeof(out));
	ck_assert_uint_eq(len, sizeof(rep4));
	ck_assert_mem_eq(out, rep4, sizeof(rep4));
	c = SENTINEL;
	ck_assert_int_eq(socks5_parse_reply(guarded(out, len), len, &r, &c),
	    S5_OK);
	ck_assert_uint_eq(c, sizeof(rep4));
	ck_assert_uint_eq(r.cmd, S5_REP_SUCCEEDED);
	ck_assert_uint_eq(r.addr.atyp, S5_ATYP_IPV4);
	ck_assert_uint_eq(r.addr.port, 0);
	ck_assert_int_eq(socks5_addr_to_sockaddr(&r.addr, &ss, &sl), S5_OK);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_mem_eq(&((struct sockaddr_in *)&ss)->sin_addr,
	    &sin.sin_addr, 4);

	/* Reply, IPv6 BND. */
	len = socks5_encode_reply(S5_REP_SUCCEEDED,
	    (const struct sockaddr *)&sin6, out, sizeof(out));
	ck_assert_uint_eq(len, sizeof(rep6));
	ck_assert_mem_eq(out, rep6, sizeof(rep6));
	c = SENTINEL;
	ck_assert_int_eq(socks5_parse_reply(guarded(out, len), len, &r, &c),
	    S5_OK);
	ck_assert_uint_eq(c, sizeof(rep6));
	ck_assert_uint_eq(r.addr.atyp, S5_ATYP_IPV6);
	ck_assert_uint_eq(r.addr.port, 0);
	ck_assert_int_eq(socks5_addr_to_sockaddr(&r.addr, &ss, &sl), S5_OK);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_mem_eq(&((struct sockaddr_in6 *)&ss)->sin6_addr,
	    &sin6.sin6_addr, 16);

	/* Failures carry no address: 0.0.0.0:0. */
	len = socks5_encode_reply(S5_REP_HOST_UNREACH, NULL, out,
	    sizeof(out));
	ck_assert_uint_eq(len, sizeof(rep_noname));
	ck_assert_mem_eq(out, rep_noname, sizeof(rep_noname));
	ck_assert_int_eq(socks5_parse_reply(out, len, &r, &c), S5_OK);
	ck_assert_uint_eq(r.cmd, S5_REP_HOST_UNREACH);
	len = socks5_encode_reply(S5_REP_NOT_ALLOWED, NULL, out, sizeof(out));
	ck_assert_uint_eq(len, 10);
	ck_assert_uint_eq(out[1], 0x02);
	ck_assert_mem_eq(out + 3, rep_noname + 3, 7);
}
END_TEST

START_TEST(test_rt_method_status)
{
	uint8_t out[4], v;
	size_t c;
	int k;

	for (k = 0; k < 256; k++) {
		ck_assert_uint_eq(socks5_encode_method((uint8_t)k, out, 2), 2);
		ck_assert_int_eq(socks5_parse_method(guarded(out, 2), 2, &v,
		    &c), S5_OK);
		ck_assert_uint_eq(v, (unsigned)k);
		ck_assert_uint_eq(socks5_encode_auth_status((uint8_t)k, out,
		    2), 2);
		ck_assert_int_eq(socks5_parse_auth_status(guarded(out, 2), 2,
		    &v, &c), S5_OK);
		ck_assert_uint_eq(v, (unsigned)k);
	}
}
END_TEST

/* ===== TCase pipelining ===== */

static const uint8_t pipe_srv[] =
    "\x05\x02\x00\x02"					/* greeting */
    "\x01\x05" "alice" "\x06" "secret"			/* userpass */
    "\x05\x01\x00\x03\x0b" "example.org" "\x00\x50"	/* request */
    "GET / HTTP/1.0\r\n\r\n";				/* early data */
#define PIPE_SRV_LEN	(sizeof(pipe_srv) - 1)

START_TEST(test_pipeline_server)
{
	uint8_t copy[PIPE_SRV_LEN];
	struct socks5_greeting g;
	struct socks5_userpass up;
	struct socks5_request r;
	const uint8_t *b;
	size_t off = 0, c;

	memcpy(copy, pipe_srv, PIPE_SRV_LEN);
	b = guarded(copy, PIPE_SRV_LEN);

	c = SENTINEL;
	ck_assert_int_eq(socks5_parse_greeting(b + off, PIPE_SRV_LEN - off,
	    &g, &c), S5_OK);
	ck_assert_uint_eq(c, 4);
	ck_assert_uint_eq(g.nmethods, 2);
	ck_assert_uint_eq(g.methods[1], S5_METHOD_USERPASS);
	off += c;

	c = SENTINEL;
	ck_assert_int_eq(socks5_parse_userpass(b + off, PIPE_SRV_LEN - off,
	    &up, &c), S5_OK);
	ck_assert_uint_eq(c, 14);
	ck_assert_str_eq(up.user, "alice");
	ck_assert_str_eq(up.pass, "secret");
	off += c;

	c = SENTINEL;
	ck_assert_int_eq(socks5_parse_request(b + off, PIPE_SRV_LEN - off,
	    &r, &c), S5_OK);
	ck_assert_uint_eq(c, 18);
	ck_assert_uint_eq(r.cmd, S5_CMD_CONNECT);
	ck_assert_str_eq(r.addr.u.name, "example.org");
	ck_assert_uint_eq(r.addr.port, 80);
	off += c;

	ck_assert_uint_eq(off, 36);
	ck_assert_uint_eq(PIPE_SRV_LEN - off, 18);
	ck_assert_mem_eq(b + off, "GET / HTTP/1.0\r\n\r\n", 18);
	ck_assert_mem_eq(b, pipe_srv, PIPE_SRV_LEN);	/* input intact */
}
END_TEST

/*
 * The same stream arriving one byte at a time: each stage must finish
 * exactly at its last byte and not a byte earlier.
 */
START_TEST(test_pipeline_bytewise)
{
	static const size_t ends[3] = { 4, 18, 36 };
	struct socks5_greeting g;
	struct socks5_userpass up;
	struct socks5_request r;
	enum socks5_status st;
	size_t have, off = 0, c;
	int stage = 0;

	memset(&g, 0, sizeof(g));
	memset(&up, 0, sizeof(up));
	memset(&r, 0, sizeof(r));

	for (have = 0; have <= PIPE_SRV_LEN && stage < 3; have++) {
		const uint8_t *b = guarded(pipe_srv + off, have - off);

		c = SENTINEL;
		if (stage == 0)
			st = socks5_parse_greeting(b, have - off, &g, &c);
		else if (stage == 1)
			st = socks5_parse_userpass(b, have - off, &up, &c);
		else
			st = socks5_parse_request(b, have - off, &r, &c);
		if (have < ends[stage]) {
			ck_assert_msg(st == S5_NEED_MORE, "stage %d at %zu: "
			    "status %d", stage, have, (int)st);
			continue;
		}
		ck_assert_msg(st == S5_OK, "stage %d at %zu: status %d", stage,
		    have, (int)st);
		ck_assert_uint_eq(off + c, ends[stage]);
		off += c;
		stage++;
	}
	ck_assert_int_eq(stage, 3);
	ck_assert_str_eq(up.user, "alice");
	ck_assert_str_eq(r.addr.u.name, "example.org");
}
END_TEST

START_TEST(test_pipeline_client)
{
	static const uint8_t s[] =
	    "\x05\x02"
	    "\x01\x00"
	    "\x05\x00\x00\x04" "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"
	    "\xc3\x50"
	    "HTTP/1.0 200 OK\r\n";
	const size_t n = sizeof(s) - 1;
	struct socks5_request r;
	const uint8_t *b = guarded(s, n);
	uint8_t v;
	size_t off = 0, c;

	ck_assert_int_eq(socks5_parse_method(b, n, &v, &c), S5_OK);
	ck_assert_uint_eq(c, 2);
	ck_assert_uint_eq(v, S5_METHOD_USERPASS);
	off += c;
	ck_assert_int_eq(socks5_parse_auth_status(b + off, n - off, &v, &c),
	    S5_OK);
	ck_assert_uint_eq(c, 2);
	ck_assert_uint_eq(v, S5_AUTH_SUCCESS);
	off += c;
	ck_assert_int_eq(socks5_parse_reply(b + off, n - off, &r, &c), S5_OK);
	ck_assert_uint_eq(c, 22);
	ck_assert_uint_eq(r.cmd, S5_REP_SUCCEEDED);
	ck_assert_uint_eq(r.addr.port, 50000);
	off += c;
	ck_assert_uint_eq(n - off, 17);
	ck_assert_mem_eq(b + off, "HTTP/1.0 200 OK\r\n", 17);
}
END_TEST

START_TEST(test_pipeline_same_type)
{
	static const uint8_t two[] = "\x05\x01\x00" "\x05\x01\x02";
	static const uint8_t two_req[] =
	    "\x05\x01\x00\x01\x01\x02\x03\x04\x00\x50"
	    "\x05\x01\x00\x01\x05\x06\x07\x08\x00\x51";
	struct socks5_greeting g;
	struct socks5_request r;
	size_t c;

	ck_assert_int_eq(socks5_parse_greeting(guarded(two, 6), 6, &g, &c),
	    S5_OK);
	ck_assert_uint_eq(c, 3);
	ck_assert_uint_eq(g.methods[0], 0);
	ck_assert_int_eq(socks5_parse_greeting(guarded(two + 3, 3), 3, &g,
	    &c), S5_OK);
	ck_assert_uint_eq(g.methods[0], 2);

	ck_assert_int_eq(socks5_parse_request(guarded(two_req, 20), 20, &r,
	    &c), S5_OK);
	ck_assert_uint_eq(c, 10);
	ck_assert_uint_eq(r.addr.port, 80);
	ck_assert_mem_eq(r.addr.u.v4, "\x01\x02\x03\x04", 4);
}
END_TEST

/* ===== TCase garbage ===== */

START_TEST(test_bad_version)
{
	static const uint8_t vers[] = { 0x00, 0x01, 0x04, 0x06, 0x45, 0xff };
	uint8_t b[32];
	size_t k, c;

	for (k = 0; k < sizeof(vers); k++) {
		/* SOCKS4-ish / HTTP-ish first bytes to the v5 parsers */
		if (vers[k] != 0x01) {
			memcpy(b, "\x05\x01\x00", 3);
			b[0] = vers[k];
			ck_assert_msg(run(p_greeting, b, 3, &c) ==
			    S5_ERR_VERSION, "greeting ver 0x%02x", vers[k]);
			memcpy(b, "\x05\x02", 2);
			b[0] = vers[k];
			ck_assert_msg(run(p_method, b, 2, &c) == S5_ERR_VERSION,
			    "method ver 0x%02x", vers[k]);
			memcpy(b, "\x05\x01\x00\x01\x01\x02\x03\x04\x00\x50",
			    10);
			b[0] = vers[k];
			ck_assert_msg(run(p_request, b, 10, &c) ==
			    S5_ERR_VERSION, "request ver 0x%02x", vers[k]);
			b[1] = 0;
			ck_assert_msg(run(p_reply, b, 10, &c) ==
			    S5_ERR_VERSION, "reply ver 0x%02x", vers[k]);
		}
		/* RFC 1929 sub-negotiation is version 1 */
		memcpy(b, "\x01\x01" "a" "\x01" "b", 5);
		b[0] = vers[k] == 0x01 ? 0x05 : vers[k];
		ck_assert_msg(run(p_userpass, b, 5, &c) == S5_ERR_VERSION,
		    "userpass ver 0x%02x", b[0]);
		memcpy(b, "\x01\x00", 2);
		b[0] = vers[k] == 0x01 ? 0x05 : vers[k];
		ck_assert_msg(run(p_status, b, 2, &c) == S5_ERR_VERSION,
		    "auth status ver 0x%02x", b[0]);
	}
}
END_TEST

START_TEST(test_greeting_zero_methods)
{
	size_t c;

	/* "05 00" is a complete (malformed) greeting: no waiting. */
	ck_assert_int_eq(run(p_greeting, "\x05\x00", 2, &c), S5_ERR_FORMAT);
	ck_assert_int_eq(run(p_greeting, "\x05\x00\x00\x02", 4, &c),
	    S5_ERR_FORMAT);
}
END_TEST

START_TEST(test_userpass_zero_lengths)
{
	size_t c;

	/* ULEN 0 */
	ck_assert_int_eq(run(p_userpass, "\x01\x00\x06" "secret", 9, &c),
	    S5_ERR_FORMAT);
	/* PLEN 0: "01 05 alice 00" is complete and malformed */
	ck_assert_int_eq(run(p_userpass, "\x01\x05" "alice" "\x00", 8, &c),
	    S5_ERR_FORMAT);
	ck_assert_int_eq(run(p_userpass, "\x01\x05" "alice" "\x00" "xyz", 11,
	    &c), S5_ERR_FORMAT);
	/* both */
	ck_assert_int_eq(run(p_userpass, "\x01\x00\x00", 3, &c),
	    S5_ERR_FORMAT);
}
END_TEST

START_TEST(test_userpass_nul_in_user)
{
	size_t c;

	/* "al\0ce" must not become user "al" ("NUL in a name"). */
	ck_assert_int_eq(run(p_userpass, "\x01\x05" "al\0ce" "\x01" "p", 9,
	    &c), S5_ERR_FORMAT);
}
END_TEST

START_TEST(test_request_bad_domain)
{
	size_t c;

	/* length 0 */
	ck_assert_int_eq(run(p_request, "\x05\x01\x00\x03\x00\x00\x50", 7,
	    &c), S5_ERR_FORMAT);
	ck_assert_int_eq(run(p_request,
	    "\x05\x01\x00\x03\x00\x00\x50" "junkjunk", 15, &c), S5_ERR_FORMAT);
	/* NUL inside, at the start and at the end */
	ck_assert_int_eq(run(p_request,
	    "\x05\x01\x00\x03\x0b" "example\0org" "\x00\x50", 18, &c),
	    S5_ERR_FORMAT);
	ck_assert_int_eq(run(p_request,
	    "\x05\x01\x00\x03\x04" "\0abc" "\x00\x50", 11, &c),
	    S5_ERR_FORMAT);
	ck_assert_int_eq(run(p_request,
	    "\x05\x01\x00\x03\x04" "abc\0" "\x00\x50", 11, &c),
	    S5_ERR_FORMAT);
}
END_TEST

/* --- deterministic fuzzing against a small reference model --- */

static uint64_t rng_state;

static uint64_t
rng(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

enum { M_ANY = -1, M_NOT_OK = -2 };

/*
 * What the contract says for this input: an enum socks5_status, M_ANY
 * (unspecified) or M_NOT_OK (error or S5_NEED_MORE, not S5_OK).  *need
 * is the message length when the answer is S5_OK.
 */
static int
model_greeting(const uint8_t *b, size_t len, size_t *need)
{
	if (len < 1)
		return S5_NEED_MORE;
	if (b[0] != 5)
		return M_NOT_OK;
	if (len < 2)
		return S5_NEED_MORE;
	if (b[1] == 0)
		return S5_ERR_FORMAT;
	*need = 2 + (size_t)b[1];
	return len < *need ? S5_NEED_MORE : S5_OK;
}

static int
model_userpass(const uint8_t *b, size_t len, size_t *need)
{
	size_t ulen, plen;
	bool nul;

	if (len < 1)
		return S5_NEED_MORE;
	if (b[0] != 1)
		return M_NOT_OK;
	if (len < 2)
		return S5_NEED_MORE;
	ulen = b[1];
	if (ulen == 0)
		return M_NOT_OK;
	/* NUL in a user name: malformed, at the latest once complete */
	nul = memchr(b + 2, 0, len - 2 < ulen ? len - 2 : ulen) != NULL;
	if (len < 3 + ulen)
		return nul ? M_NOT_OK : S5_NEED_MORE;
	plen = b[2 + ulen];
	if (plen == 0)
		return S5_ERR_FORMAT;
	*need = 3 + ulen + plen;
	if (len < *need)
		return nul ? M_NOT_OK : S5_NEED_MORE;
	if (nul)
		return S5_ERR_FORMAT;
	if (memchr(b + 3 + ulen, 0, plen) != NULL)
		return M_ANY;		/* NUL in a password: unspecified */
	return S5_OK;
}

static int
model_request(const uint8_t *b, size_t len, size_t *need, bool is_request)
{
	size_t n;

	if (len < 1)
		return S5_NEED_MORE;
	if (b[0] != 5)
		return M_NOT_OK;
	if (len >= 3 && b[2] != 0)
		return M_ANY;		/* RSV must be 0: strictness unspecified */
	if (len < 4)
		return S5_NEED_MORE;
	switch (b[3]) {
	case S5_ATYP_IPV4:
		*need = 10;
		break;
	case S5_ATYP_IPV6:
		*need = 22;
		break;
	case S5_ATYP_DOMAINNAME:
		if (len < 5)
			return S5_NEED_MORE;
		n = b[4];
		if (n == 0)
			return !is_request ? M_ANY : len >= 7 ? S5_ERR_FORMAT :
			    M_NOT_OK;
		if (memchr(b + 5, 0, len - 5 < n ? len - 5 : n) != NULL)
			return !is_request ? M_ANY : len >= 7 + n ?
			    S5_ERR_FORMAT : M_NOT_OK;
		*need = 7 + n;
		break;
	default:
		return S5_ERR_ATYP;
	}
	return len < *need ? S5_NEED_MORE : S5_OK;
}

static int
model_two(const uint8_t *b, size_t len, uint8_t ver, size_t *need)
{
	if (len < 1)
		return S5_NEED_MORE;
	if (b[0] != ver)
		return S5_ERR_VERSION;
	if (len < 2)
		return S5_NEED_MORE;
	*need = 2;
	return S5_OK;
}

static void
fuzz_check(const char *what, int it, int want, size_t need,
    enum socks5_status st, size_t c, size_t len)
{
	ck_assert_msg((int)st >= S5_OK && st <= S5_ERR_ATYP,
	    "%s iter %d: impossible status %d", what, it, (int)st);
	if (st == S5_OK)
		ck_assert_msg(c <= len, "%s iter %d: consumed %zu > len %zu",
		    what, it, c, len);
	if (want == M_ANY)
		return;
	if (want == M_NOT_OK) {
		ck_assert_msg(st != S5_OK, "%s iter %d: len %zu accepted",
		    what, it, len);
		return;
	}
	ck_assert_msg((int)st == want, "%s iter %d: len %zu: status %d, "
	    "model %d", what, it, len, (int)st, want);
	if (st == S5_OK)
		ck_assert_msg(c == need, "%s iter %d: consumed %zu, model %zu",
		    what, it, c, need);
}

/* The decoded address matches the wire bytes and names are C strings. */
static void
check_addr_bytes(const char *what, int it, const uint8_t *b, size_t c,
    const struct socks5_request *r)
{
	size_t want = b[3] == S5_ATYP_IPV4 ? 10 : b[3] == S5_ATYP_IPV6 ? 22 :
	    b[3] == S5_ATYP_DOMAINNAME ? 7 + (size_t)b[4] : 0;

	ck_assert_msg(c == want, "%s iter %d: ATYP %u consumed %zu, want %zu",
	    what, it, b[3], c, want);
	ck_assert_uint_eq(r->cmd, b[1]);
	ck_assert_uint_eq(r->addr.atyp, b[3]);
	ck_assert_uint_eq(r->addr.port, (unsigned)(b[c - 2] << 8 | b[c - 1]));
	switch (b[3]) {
	case S5_ATYP_IPV4:
		ck_assert_mem_eq(r->addr.u.v4, b + 4, 4);
		break;
	case S5_ATYP_IPV6:
		ck_assert_mem_eq(r->addr.u.v6, b + 4, 16);
		break;
	case S5_ATYP_DOMAINNAME:
		ck_assert_msg(r->addr.namelen == b[4] &&
		    strlen(r->addr.u.name) == r->addr.namelen,
		    "%s iter %d: namelen %u wire %u strlen %zu", what, it,
		    r->addr.namelen, b[4], strlen(r->addr.u.name));
		ck_assert_mem_eq(r->addr.u.name, b + 5, b[4]);
		break;
	default:
		ck_abort_msg("%s iter %d: accepted ATYP %u", what, it, b[3]);
	}
}

/* A buffer of random length 0..600, often shaped like a real message. */
static size_t
fuzz_fill(uint8_t *b)
{
	size_t len = (size_t)(rng() % 601), k, n;
	unsigned shape = (unsigned)(rng() % 10);

	for (k = 0; k < len; k++)
		b[k] = (uint8_t)rng();
	if (shape == 9)
		len = (size_t)(rng() % 24);
	if (len == 0 || shape == 0)
		return len;
	switch (shape % 3) {
	case 0:					/* greeting, method */
		b[0] = 5;
		if (len > 1 && rng() % 4 == 0)
			b[1] = (uint8_t)(rng() % 4);
		break;
	case 1:					/* userpass, status */
		b[0] = 1;
		n = len > 1 ? (size_t)(b[1] = (uint8_t)(rng() % 40)) : 0;
		for (k = 2; k < len && k < 2 + n; k++)
			if (b[k] == 0 && rng() % 8 != 0)
				b[k] = 'u';
		if (len > 2 + n && rng() % 2)
			b[2 + n] = (uint8_t)(rng() % 40);
		if (len > 2 + n) {
			size_t p = b[2 + n];

			for (k = 3 + n; k < len && k < 3 + n + p; k++)
				if (b[k] == 0 && rng() % 8 != 0)
					b[k] = 'p';
		}
		break;
	default:				/* request, reply */
		b[0] = 5;
		if (len > 1 && rng() % 2)
			b[1] = (uint8_t)(rng() % 4);
		if (len > 2 && rng() % 8 != 0)
			b[2] = 0;
		if (len > 3) {
			static const uint8_t at[] = { 1, 3, 3, 4, 0, 2 };

			b[3] = at[rng() % sizeof(at)];
		}
		if (len > 4 && b[3] == 3) {
			if (rng() % 2)
				b[4] = (uint8_t)(rng() % 64);
			for (k = 5; k < len && k < 5 + (size_t)b[4]; k++)
				if (b[k] == 0 && rng() % 16 != 0)
					b[k] = 'd';
		}
		break;
	}
	return len;
}

#define FUZZ_ITERS	100000

START_TEST(test_fuzz)
{
	static uint8_t src[608];
	struct socks5_greeting g;
	struct socks5_userpass up;
	struct socks5_request r;
	uint8_t v;
	size_t len, c, need, c2;
	const uint8_t *b;
	enum socks5_status st;
	int it, want, nok = 0;

	rng_state = 0x5ec5ee0d1928ULL;
	for (it = 0; it < FUZZ_ITERS; it++) {
		len = fuzz_fill(src);
		b = guarded(src, len);

		/* greeting */
		need = 0;
		want = model_greeting(b, len, &need);
		c = SENTINEL;
		st = socks5_parse_greeting(b, len, &g, &c);
		fuzz_check("greeting", it, want, need, st, c, len);
		if (st == S5_OK) {
			nok++;
			ck_assert_uint_eq(g.nmethods, b[1]);
			ck_assert_mem_eq(g.methods, b + 2, b[1]);
		}

		/* userpass */
		need = 0;
		want = model_userpass(b, len, &need);
		c = SENTINEL;
		st = socks5_parse_userpass(b, len, &up, &c);
		fuzz_check("userpass", it, want, need, st, c, len);
		if (st == S5_OK) {
			nok++;
			ck_assert_uint_eq(c, 3u + up.ulen + up.plen);
			ck_assert_uint_eq(up.ulen, b[1]);
			ck_assert_uint_eq(up.plen, b[2 + up.ulen]);
			ck_assert_mem_eq(up.user, b + 2, up.ulen);
			ck_assert_mem_eq(up.pass, b + 3 + up.ulen, up.plen);
			ck_assert_uint_eq(strlen(up.user), up.ulen);
			ck_assert_uint_eq((uint8_t)up.pass[up.plen], 0);
			/* the message alone parses the same */
			ck_assert_int_eq(socks5_parse_userpass(
			    guarded(src, c), c, &up, &c2), S5_OK);
			ck_assert_uint_eq(c2, c);
			b = guarded(src, len);
		}

		/* request */
		need = 0;
		want = model_request(b, len, &need, true);
		c = SENTINEL;
		st = socks5_parse_request(b, len, &r, &c);
		fuzz_check("request", it, want, need, st, c, len);
		if (st == S5_OK) {
			nok++;
			check_addr_bytes("request", it, b, c, &r);
			ck_assert_int_eq(socks5_parse_request(guarded(src, c),
			    c, &r, &c2), S5_OK);
			ck_assert_uint_eq(c2, c);
			b = guarded(src, len);
		}
		if (st == S5_ERR_VERSION)
			ck_assert(len >= 1 && b[0] != 5);
		if (st == S5_ERR_ATYP)
			ck_assert(len >= 4 && b[3] != 1 && b[3] != 3 &&
			    b[3] != 4);

		/* reply */
		need = 0;
		want = model_request(b, len, &need, false);
		c = SENTINEL;
		st = socks5_parse_reply(b, len, &r, &c);
		fuzz_check("reply", it, want, need, st, c, len);
		if (st == S5_OK) {
			nok++;
			check_addr_bytes("reply", it, b, c, &r);
		}

		/* method, auth status */
		need = 0;
		want = model_two(b, len, 5, &need);
		c = SENTINEL;
		st = socks5_parse_method(b, len, &v, &c);
		fuzz_check("method", it, want, need, st, c, len);
		if (st == S5_OK)
			ck_assert_uint_eq(v, b[1]);
		want = model_two(b, len, 1, &need);
		c = SENTINEL;
		st = socks5_parse_auth_status(b, len, &v, &c);
		fuzz_check("auth status", it, want, need, st, c, len);
		if (st == S5_OK)
			ck_assert_uint_eq(v, b[1]);
	}
	/* the generator must actually reach the success paths */
	ck_assert_int_gt(nok, FUZZ_ITERS / 4);
}
END_TEST

/* ===== TCase conversions ===== */

START_TEST(test_addr_from_sockaddr)
{
	struct sockaddr_in sin = mk4("198.51.100.7", 8080);
	struct sockaddr_in6 sin6 = mk6("2001:db8::dead:beef", 443);
	struct sockaddr_un sun;
	struct socks5_addr a;

	memset(&a, 0xAA, sizeof(a));
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (const struct sockaddr *)&sin), S5_OK);
	ck_assert_uint_eq(a.atyp, S5_ATYP_IPV4);
	ck_assert_mem_eq(a.u.v4, "\xc6\x33\x64\x07", 4);
	ck_assert_uint_eq(a.port, 8080);

	memset(&a, 0xAA, sizeof(a));
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (const struct sockaddr *)&sin6), S5_OK);
	ck_assert_uint_eq(a.atyp, S5_ATYP_IPV6);
	ck_assert_mem_eq(a.u.v6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0"
	    "\xde\xad\xbe\xef", 16);
	ck_assert_uint_eq(a.port, 443);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (const struct sockaddr *)&sun), S5_ERR_ATYP);
}
END_TEST

START_TEST(test_addr_to_sockaddr)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct socks5_addr a;
	socklen_t sl;

	memset(&a, 0, sizeof(a));
	a.atyp = S5_ATYP_IPV4;
	memcpy(a.u.v4, "\x0a\x00\x00\x2a", 4);
	a.port = 0xabcd;
	memset(&ss, 0xAA, sizeof(ss));
	sl = 0;
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, &ss, &sl), S5_OK);
	ck_assert_uint_eq(sl, sizeof(*sin));
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 0xabcd);
	ck_assert_mem_eq(&sin->sin_addr, "\x0a\x00\x00\x2a", 4);

	memset(&a, 0, sizeof(a));
	a.atyp = S5_ATYP_IPV6;
	memcpy(a.u.v6, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x07", 16);
	a.port = 22;
	memset(&ss, 0xAA, sizeof(ss));
	sl = 0;
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, &ss, &sl), S5_OK);
	ck_assert_uint_eq(sl, sizeof(*sin6));
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 22);
	ck_assert_mem_eq(&sin6->sin6_addr,
	    "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x07", 16);
	ck_assert_uint_eq(sin6->sin6_flowinfo, 0);
	ck_assert_uint_eq(sin6->sin6_scope_id, 0);

	ck_assert_int_eq(socks5_addr_set_name(&a, "example.org", 80), S5_OK);
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, &ss, &sl), S5_ERR_ATYP);
	a.atyp = 0x02;
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, &ss, &sl), S5_ERR_ATYP);
}
END_TEST

START_TEST(test_addr_set_name)
{
	struct socks5_addr a;
	char name[300];

	memset(&a, 0xAA, sizeof(a));
	ck_assert_int_eq(socks5_addr_set_name(&a, "example.org", 8443), S5_OK);
	ck_assert_uint_eq(a.atyp, S5_ATYP_DOMAINNAME);
	ck_assert_uint_eq(a.namelen, 11);
	ck_assert_str_eq(a.u.name, "example.org");
	ck_assert_uint_eq(a.port, 8443);

	ck_assert_int_eq(socks5_addr_set_name(&a, "x", 0), S5_OK);
	ck_assert_uint_eq(a.namelen, 1);
	ck_assert_str_eq(a.u.name, "x");

	memset(name, 'h', sizeof(name));
	name[255] = '\0';
	ck_assert_int_eq(socks5_addr_set_name(&a, name, 1), S5_OK);
	ck_assert_uint_eq(a.namelen, 255);
	ck_assert_str_eq(a.u.name, name);

	name[255] = 'h';
	name[256] = '\0';
	ck_assert_int_eq(socks5_addr_set_name(&a, name, 1), S5_ERR_FORMAT);
	name[299] = '\0';
	ck_assert_int_eq(socks5_addr_set_name(&a, name, 1), S5_ERR_FORMAT);
	ck_assert_int_eq(socks5_addr_set_name(&a, "", 1), S5_ERR_FORMAT);
}
END_TEST

START_TEST(test_rep_from_errno)
{
	ck_assert_uint_eq(socks5_rep_from_errno(ECONNREFUSED), 0x05);
	ck_assert_uint_eq(socks5_rep_from_errno(ENETUNREACH), 0x03);
	ck_assert_uint_eq(socks5_rep_from_errno(EHOSTUNREACH), 0x04);
	ck_assert_uint_eq(socks5_rep_from_errno(ETIMEDOUT), 0x06);
	ck_assert_uint_eq(socks5_rep_from_errno(EAFNOSUPPORT), 0x08);
	ck_assert_uint_eq(socks5_rep_from_errno(EIO), 0x01);
	ck_assert_uint_eq(socks5_rep_from_errno(ENOMEM), 0x01);
	ck_assert_uint_eq(socks5_rep_from_errno(12345), 0x01);
}
END_TEST

START_TEST(test_rep_str)
{
	const char *s[9], *t;
	int k, j;

	for (k = 0; k <= 8; k++) {
		s[k] = socks5_rep_str((uint8_t)k);
		ck_assert_ptr_nonnull(s[k]);
		ck_assert_msg(s[k][0] != '\0', "rep_str(%d) empty", k);
		for (j = 0; j < k; j++)
			ck_assert_msg(strcmp(s[j], s[k]) != 0,
			    "rep_str(%d) == rep_str(%d) == \"%s\"", j, k, s[k]);
	}
	ck_assert_ptr_nonnull(strstr(s[5], "refused"));
	for (k = 9; k < 256; k++) {
		t = socks5_rep_str((uint8_t)k);
		ck_assert_ptr_nonnull(t);
		ck_assert_msg(t[0] != '\0', "rep_str(%d) empty", k);
	}
}
END_TEST

/* ===== suite ===== */

/* --- UDP ASSOCIATE datagram headers (RFC 1928 section 7) --- */

START_TEST(test_udp_every_atyp)
{
	static const uint8_t v4[] = { 0, 0, 0, 1, 192, 0, 2, 1, 0, 53, 'x' };
	static const uint8_t v6[] = { 0, 0, 0, 4, 0x20, 1, 0xd, 0xb8, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 'y', 'z' };
	static const uint8_t nm[] = { 0, 0, 0, 3, 3, 'a', '.', 'b', 0x30, 0x39 };
	struct socks5_udp u;
	size_t hl;

	ck_assert_int_eq(socks5_parse_udp(v4, sizeof(v4), &u, &hl), S5_OK);
	ck_assert_uint_eq(hl, 10);
	ck_assert_uint_eq(u.frag, 0);
	ck_assert_uint_eq(u.addr.atyp, S5_ATYP_IPV4);
	ck_assert_uint_eq(u.addr.port, 53);
	ck_assert_int_eq(socks5_parse_udp(v6, sizeof(v6), &u, &hl), S5_OK);
	ck_assert_uint_eq(hl, 22);
	ck_assert_uint_eq(u.addr.atyp, S5_ATYP_IPV6);
	ck_assert_uint_eq(u.addr.port, 256);
	/* A header alone, with an empty payload, is a valid datagram. */
	ck_assert_int_eq(socks5_parse_udp(nm, sizeof(nm), &u, &hl), S5_OK);
	ck_assert_uint_eq(hl, sizeof(nm));
	ck_assert_str_eq(u.addr.u.name, "a.b");
	ck_assert_uint_eq(u.addr.port, 12345);
}
END_TEST

START_TEST(test_udp_truncated_and_garbage)
{
	static const uint8_t v4[] = { 0, 0, 0, 1, 192, 0, 2, 1, 0, 53 };
	static const uint8_t nm[] = { 0, 0, 0, 3, 5, 'a', 'b', 0, 1 };
	static const uint8_t rsv[] = { 0, 1, 0, 1, 192, 0, 2, 1, 0, 53 };
	static const uint8_t atyp[] = { 0, 0, 0, 9, 1, 2, 3, 4, 5, 6 };
	static const uint8_t empty[] = { 0, 0, 0, 3, 0, 0, 53 };
	static const uint8_t frag[] = { 0, 0, 7, 1, 192, 0, 2, 1, 0, 53 };
	struct socks5_udp u;
	size_t hl, n;

	for (n = 0; n < sizeof(v4); n++)
		ck_assert_int_eq(socks5_parse_udp(v4, n, &u, &hl),
		    S5_ERR_FORMAT);
	/* A name length running past the end of the datagram. */
	ck_assert_int_eq(socks5_parse_udp(nm, sizeof(nm), &u, &hl),
	    S5_ERR_FORMAT);
	ck_assert_int_eq(socks5_parse_udp(rsv, sizeof(rsv), &u, &hl),
	    S5_ERR_FORMAT);
	ck_assert_int_eq(socks5_parse_udp(atyp, sizeof(atyp), &u, &hl),
	    S5_ERR_ATYP);
	ck_assert_int_eq(socks5_parse_udp(empty, sizeof(empty), &u, &hl),
	    S5_ERR_FORMAT);
	/* FRAG is reported; dropping fragments is the relay's decision. */
	ck_assert_int_eq(socks5_parse_udp(frag, sizeof(frag), &u, &hl), S5_OK);
	ck_assert_uint_eq(u.frag, 7);
}
END_TEST

START_TEST(test_udp_encode_roundtrip)
{
	struct socks5_addr a;
	struct socks5_udp u;
	uint8_t out[S5_UDP_HEADER_MAX];
	size_t n, hl;

	ck_assert_int_eq(socks5_addr_set_name(&a, "example.org", 443), S5_OK);
	n = socks5_encode_udp(0, &a, out, sizeof(out));
	ck_assert_uint_eq(n, 3 + 1 + 1 + 11 + 2);
	ck_assert_uint_eq(out[0] | out[1] | out[2], 0);
	ck_assert_int_eq(socks5_parse_udp(out, n, &u, &hl), S5_OK);
	ck_assert_uint_eq(hl, n);
	ck_assert_str_eq(u.addr.u.name, "example.org");
	ck_assert_uint_eq(u.addr.port, 443);
	/* Too small an output buffer: nothing. */
	ck_assert_uint_eq(socks5_encode_udp(0, &a, out, n - 1), 0);
	memset(&a, 0, sizeof(a));
	a.atyp = S5_ATYP_IPV6;
	a.u.v6[15] = 1;
	a.port = 9;
	n = socks5_encode_udp(0, &a, out, sizeof(out));
	ck_assert_uint_eq(n, 22);
	ck_assert_int_eq(socks5_parse_udp(out, n, &u, &hl), S5_OK);
	ck_assert_mem_eq(u.addr.u.v6, a.u.v6, 16);
	a.atyp = 7;
	ck_assert_uint_eq(socks5_encode_udp(0, &a, out, sizeof(out)), 0);
}
END_TEST

static Suite *
socks5_suite(void)
{
	Suite *s = suite_create("socks5");
	TCase *tc;

	tc = tcase_create("truncation");
	tcase_add_loop_test(tc, test_truncation_every_byte, 0, NVCASES);
	suite_add_tcase(s, tc);

	tc = tcase_create("server-parse");
	tcase_add_test(tc, test_greeting_parse);
	tcase_add_test(tc, test_greeting_255);
	tcase_add_test(tc, test_userpass_parse);
	tcase_add_test(tc, test_userpass_255);
	tcase_add_test(tc, test_userpass_refused);
	tcase_add_test(tc, test_request_v4);
	tcase_add_test(tc, test_request_v6);
	tcase_add_test(tc, test_request_domain);
	tcase_add_test(tc, test_request_domain_255);
	tcase_add_test(tc, test_request_unknown_cmd);
	tcase_add_test(tc, test_request_unknown_atyp);
	suite_add_tcase(s, tc);

	tc = tcase_create("client-parse");
	tcase_add_test(tc, test_method_parse);
	tcase_add_test(tc, test_auth_status_parse);
	tcase_add_test(tc, test_reply_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_test(tc, test_encode_method);
	tcase_add_test(tc, test_encode_auth_status);
	tcase_add_test(tc, test_encode_greeting);
	tcase_add_test(tc, test_encode_userpass);
	tcase_add_test(tc, test_encode_request);
	tcase_add_test(tc, test_encode_request_bad_addr);
	tcase_add_test(tc, test_encode_reply_v4);
	tcase_add_test(tc, test_encode_reply_v6);
	tcase_add_test(tc, test_encode_reply_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_test(tc, test_rt_greeting);
	tcase_add_test(tc, test_rt_userpass);
	tcase_add_test(tc, test_rt_request);
	tcase_add_test(tc, test_rt_reply);
	tcase_add_test(tc, test_rt_resolve);
	tcase_add_test(tc, test_rt_method_status);
	suite_add_tcase(s, tc);

	tc = tcase_create("pipelining");
	tcase_add_test(tc, test_pipeline_server);
	tcase_add_test(tc, test_pipeline_bytewise);
	tcase_add_test(tc, test_pipeline_client);
	tcase_add_test(tc, test_pipeline_same_type);
	suite_add_tcase(s, tc);

	tc = tcase_create("garbage");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bad_version);
	tcase_add_test(tc, test_greeting_zero_methods);
	tcase_add_test(tc, test_userpass_zero_lengths);
	tcase_add_test(tc, test_userpass_nul_in_user);
	tcase_add_test(tc, test_request_bad_domain);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);

	tc = tcase_create("udp");
	tcase_add_test(tc, test_udp_every_atyp);
	tcase_add_test(tc, test_udp_truncated_and_garbage);
	tcase_add_test(tc, test_udp_encode_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("conversions");
	tcase_add_test(tc, test_addr_from_sockaddr);
	tcase_add_test(tc, test_addr_to_sockaddr);
	tcase_add_test(tc, test_addr_set_name);
	tcase_add_test(tc, test_rep_from_errno);
	tcase_add_test(tc, test_rep_str);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(socks5_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
