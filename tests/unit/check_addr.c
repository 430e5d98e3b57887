/*
 * check_addr.c - unit tests for the socket address helpers (src/addr.h).
 *
 * Covered: addr_split_hostport ("host:port", "[v6]:port", scoped v6,
 * missing/invalid ports, empty hosts, unbracketed v6, small buffers),
 * addr_parse_sockaddr (numeric v4/v6 only, port 0), addr_parse_cidr
 * (prefix bounds, host routes, host bits cleared, garbage),
 * addr_cidr_match (families, /0, v4-mapped IPv6, odd prefixes),
 * addr_port/addr_set_port/addr_len, the printers and addr_equal.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* --- helpers --- */

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

#define SA(p)	((const struct sockaddr *)(p))

/* Expect addr_split_hostport(s) to give host and port. */
static void
split_ok(const char *s, const char *host, uint16_t port)
{
	char hb[128];
	uint16_t p = 0xdead;

	memset(hb, 'X', sizeof(hb));
	ck_assert_msg(addr_split_hostport(s, hb, sizeof(hb), &p) == ADDR_OK,
	    "\"%s\" refused", s);
	ck_assert_msg(strcmp(hb, host) == 0, "\"%s\": host \"%s\", want "
	    "\"%s\"", s, hb, host);
	ck_assert_msg(p == port, "\"%s\": port %u, want %u", s, p, port);
}

static void
split_err(const char *s, enum addr_status want)
{
	char hb[128];
	uint16_t p;
	enum addr_status st;

	st = addr_split_hostport(s, hb, sizeof(hb), &p);
	ck_assert_msg(st == want, "\"%s\": status %d, want %d", s, (int)st,
	    (int)want);
}

/* Parse a CIDR that must be valid. */
static struct addr_cidr
cidr(const char *s)
{
	struct addr_cidr c;

	memset(&c, 0xAA, sizeof(c));
	ck_assert_msg(addr_parse_cidr(s, &c) == ADDR_OK, "CIDR \"%s\" refused",
	    s);
	return c;
}

static bool
match4(const char *net, const char *ip)
{
	struct addr_cidr c = cidr(net);
	struct sockaddr_in sin = mk4(ip, 1234);

	return addr_cidr_match(&c, SA(&sin));
}

static bool
match6(const char *net, const char *ip)
{
	struct addr_cidr c = cidr(net);
	struct sockaddr_in6 sin6 = mk6(ip, 1234);

	return addr_cidr_match(&c, SA(&sin6));
}

/* ===== TCase split ===== */

START_TEST(test_split_ok)
{
	split_ok("1.2.3.4:80", "1.2.3.4", 80);
	split_ok("[::1]:1080", "::1", 1080);
	split_ok("host.example:443", "host.example", 443);
	split_ok("[fe80::1%eth0]:22", "fe80::1%eth0", 22);
	split_ok("[2001:db8::ffff:1.2.3.4]:65535", "2001:db8::ffff:1.2.3.4",
	    65535);
	split_ok("0.0.0.0:0", "0.0.0.0", 0);
	split_ok("[::]:0", "::", 0);
	split_ok("a:1", "a", 1);
}
END_TEST

START_TEST(test_split_port)
{
	split_err("1.2.3.4", ADDR_ERR_PORT);
	split_err("1.2.3.4:", ADDR_ERR_PORT);
	split_err("host.example", ADDR_ERR_PORT);
	split_err("[::1]", ADDR_ERR_PORT);
	split_err("[::1]:", ADDR_ERR_PORT);
	split_err("1.2.3.4:65536", ADDR_ERR_PORT);
	split_err("1.2.3.4:99999", ADDR_ERR_PORT);
	split_err("1.2.3.4:4294967376", ADDR_ERR_PORT);	/* 2^32 + 80 */
	split_err("1.2.3.4:18446744073709551696", ADDR_ERR_PORT);
	split_err("1.2.3.4:abc", ADDR_ERR_PORT);
	split_err("1.2.3.4:80x", ADDR_ERR_PORT);
	split_err("1.2.3.4:-1", ADDR_ERR_PORT);
	split_err("[::1]:http", ADDR_ERR_PORT);
}
END_TEST

START_TEST(test_split_host)
{
	split_err(":80", ADDR_ERR_HOST);
	split_err("[]:80", ADDR_ERR_HOST);
}
END_TEST

START_TEST(test_split_syntax)
{
	split_err("::1:80", ADDR_ERR_SYNTAX);
	split_err("2001:db8::1:443", ADDR_ERR_SYNTAX);
	split_err("fe80::1", ADDR_ERR_SYNTAX);
	split_err("[::1:80", ADDR_ERR_SYNTAX);
	split_err("[::1]80", ADDR_ERR_SYNTAX);
	split_err("[::1]x:80", ADDR_ERR_SYNTAX);
}
END_TEST

START_TEST(test_split_garbage)
{
	static const char *bad[] = { "", ":", "[", "]", "[]", "[]:",
	    "1.2.3.4:80:81", "[::1]:80:81" };
	char hb[64];
	uint16_t p;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		ck_assert_msg(addr_split_hostport(bad[k], hb, sizeof(hb), &p)
		    != ADDR_OK, "\"%s\" accepted", bad[k]);
}
END_TEST

START_TEST(test_split_hostbuf)
{
	char hb[64];
	uint16_t p;

	/* "1.2.3.4" needs 8 bytes with its NUL */
	memset(hb, 'X', sizeof(hb));
	ck_assert_int_eq(addr_split_hostport("1.2.3.4:80", hb, 7, &p),
	    ADDR_ERR_HOST);
	ck_assert_uint_eq((unsigned char)hb[7], 'X');	/* no overflow */
	ck_assert_int_eq(addr_split_hostport("1.2.3.4:80", hb, 8, &p),
	    ADDR_OK);
	ck_assert_str_eq(hb, "1.2.3.4");
	ck_assert_uint_eq(p, 80);

	/* "::1" needs 4 */
	memset(hb, 'X', sizeof(hb));
	ck_assert_int_eq(addr_split_hostport("[::1]:1", hb, 3, &p),
	    ADDR_ERR_HOST);
	ck_assert_uint_eq((unsigned char)hb[3], 'X');
	ck_assert_int_eq(addr_split_hostport("[::1]:1", hb, 4, &p), ADDR_OK);
	ck_assert_str_eq(hb, "::1");
	ck_assert_int_eq(addr_split_hostport("x:1", hb, 1, &p),
	    ADDR_ERR_HOST);
}
END_TEST

/* ===== TCase sockaddr ===== */

START_TEST(test_parse_sockaddr_v4)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len;

	memset(&ss, 0xAA, sizeof(ss));
	len = 0;
	ck_assert_int_eq(addr_parse_sockaddr("127.0.0.1:1080", &ss, &len),
	    ADDR_OK);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 1080);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0x7f000001);

	memset(&ss, 0xAA, sizeof(ss));
	ck_assert_int_eq(addr_parse_sockaddr("0.0.0.0:0", &ss, &len),
	    ADDR_OK);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(sin->sin_port, 0);
	ck_assert_uint_eq(sin->sin_addr.s_addr, 0);

	ck_assert_int_eq(addr_parse_sockaddr("255.255.255.255:65535", &ss,
	    &len), ADDR_OK);
	ck_assert_uint_eq(ntohs(sin->sin_port), 65535);
	ck_assert_uint_eq(sin->sin_addr.s_addr, 0xffffffff);
}
END_TEST

START_TEST(test_parse_sockaddr_v6)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct in6_addr want;
	socklen_t len;

	memset(&ss, 0xAA, sizeof(ss));
	len = 0;
	ck_assert_int_eq(addr_parse_sockaddr("[2001:db8::5]:443", &ss, &len),
	    ADDR_OK);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 443);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::5", &want), 1);
	ck_assert_mem_eq(&sin6->sin6_addr, &want, 16);
	ck_assert_uint_eq(sin6->sin6_flowinfo, 0);
	ck_assert_uint_eq(sin6->sin6_scope_id, 0);

	memset(&ss, 0xAA, sizeof(ss));
	ck_assert_int_eq(addr_parse_sockaddr("[::]:0", &ss, &len), ADDR_OK);
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(sin6->sin6_port, 0);
	ck_assert_int_eq(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr), 1);

	ck_assert_int_eq(addr_parse_sockaddr("[::1]:1080", &ss, &len),
	    ADDR_OK);
	ck_assert_int_eq(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr), 1);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 1080);

	/* a numeric zone becomes the scope id, and prints back */
	memset(&ss, 0xAA, sizeof(ss));
	ck_assert_int_eq(addr_parse_sockaddr("[fe80::1%1]:22", &ss, &len),
	    ADDR_OK);
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(sin6->sin6_scope_id, 1);
	ck_assert_int_eq(IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr), 1);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 22);
	{
		char buf[ADDR_STRLEN];

		ck_assert_str_eq(addr_ntop(SA(sin6), buf, sizeof(buf)),
		    "[fe80::1%1]:22");
	}
}
END_TEST

START_TEST(test_parse_sockaddr_bad)
{
	struct sockaddr_storage ss;
	socklen_t len;

	/* names are refused */
	ck_assert_int_eq(addr_parse_sockaddr("localhost:80", &ss, &len),
	    ADDR_ERR_HOST);
	ck_assert_int_eq(addr_parse_sockaddr("example.org:80", &ss, &len),
	    ADDR_ERR_HOST);
	ck_assert_int_eq(addr_parse_sockaddr("[localhost]:80", &ss, &len),
	    ADDR_ERR_HOST);
	/* not quite numbers */
	ck_assert_int_eq(addr_parse_sockaddr("256.1.1.1:80", &ss, &len),
	    ADDR_ERR_HOST);
	ck_assert_int_eq(addr_parse_sockaddr("1.2.3:80", &ss, &len),
	    ADDR_ERR_HOST);
	ck_assert_int_eq(addr_parse_sockaddr("[2001:db8:::1]:80", &ss, &len),
	    ADDR_ERR_HOST);
	ck_assert_int_eq(addr_parse_sockaddr(":80", &ss, &len),
	    ADDR_ERR_HOST);
	/* ports and syntax */
	ck_assert_int_eq(addr_parse_sockaddr("1.2.3.4:65536", &ss, &len),
	    ADDR_ERR_PORT);
	ck_assert_int_eq(addr_parse_sockaddr("1.2.3.4", &ss, &len),
	    ADDR_ERR_PORT);
	ck_assert_int_eq(addr_parse_sockaddr("[::1]", &ss, &len),
	    ADDR_ERR_PORT);
	ck_assert_int_eq(addr_parse_sockaddr("::1:80", &ss, &len),
	    ADDR_ERR_SYNTAX);
}
END_TEST

/* ===== TCase cidr ===== */

START_TEST(test_cidr_v4)
{
	struct addr_cidr c;

	c = cidr("10.0.0.0/8");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefix, 8);
	ck_assert_mem_eq(c.addr, "\x0a\x00\x00\x00", 4);

	c = cidr("0.0.0.0/0");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefix, 0);
	ck_assert_mem_eq(c.addr, "\0\0\0\0", 4);

	c = cidr("192.0.2.77/32");
	ck_assert_uint_eq(c.prefix, 32);
	ck_assert_mem_eq(c.addr, "\xc0\x00\x02\x4d", 4);

	/* bare address: host route */
	c = cidr("192.0.2.77");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefix, 32);
	ck_assert_mem_eq(c.addr, "\xc0\x00\x02\x4d", 4);
}
END_TEST

START_TEST(test_cidr_v6)
{
	struct addr_cidr c;

	c = cidr("2001:db8::/32");
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.prefix, 32);
	ck_assert_mem_eq(c.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0",
	    16);

	c = cidr("::/0");
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.prefix, 0);
	ck_assert_mem_eq(c.addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	c = cidr("2001:db8::1/128");
	ck_assert_uint_eq(c.prefix, 128);
	ck_assert_mem_eq(c.addr,
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);

	c = cidr("::1");
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.prefix, 128);
	ck_assert_mem_eq(c.addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
}
END_TEST

START_TEST(test_cidr_host_bits)
{
	struct addr_cidr c;

	c = cidr("10.1.2.3/8");
	ck_assert_mem_eq(c.addr, "\x0a\0\0\0", 4);
	c = cidr("10.255.2.3/13");
	ck_assert_mem_eq(c.addr, "\x0a\xf8\0\0", 4);		/* 10.248.0.0 */
	c = cidr("192.168.1.255/31");
	ck_assert_mem_eq(c.addr, "\xc0\xa8\x01\xfe", 4);
	c = cidr("255.255.255.255/1");
	ck_assert_mem_eq(c.addr, "\x80\0\0\0", 4);
	c = cidr("1.2.3.4/0");
	ck_assert_mem_eq(c.addr, "\0\0\0\0", 4);

	c = cidr("2001:db8:ffff::1/32");
	ck_assert_mem_eq(c.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0",
	    16);
	c = cidr("febf:ffff::1/10");
	ck_assert_mem_eq(c.addr, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	c = cidr("2001:db8::ffff/127");
	ck_assert_mem_eq(c.addr,
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\xff\xfe", 16);
	c = cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/65");
	ck_assert_mem_eq(c.addr,
	    "\xff\xff\xff\xff\xff\xff\xff\xff\x80\0\0\0\0\0\0\0", 16);
	c = cidr("2001:db8::1/0");
	ck_assert_mem_eq(c.addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}
END_TEST

START_TEST(test_cidr_prefix_range)
{
	struct addr_cidr c;

	ck_assert_int_eq(addr_parse_cidr("10.0.0.0/33", &c), ADDR_ERR_PREFIX);
	ck_assert_int_eq(addr_parse_cidr("10.0.0.0/128", &c),
	    ADDR_ERR_PREFIX);
	ck_assert_int_eq(addr_parse_cidr("10.0.0.0/4294967304", &c),
	    ADDR_ERR_PREFIX);			/* 2^32 + 8 must not wrap */
	ck_assert_int_eq(addr_parse_cidr("::/129", &c), ADDR_ERR_PREFIX);
	ck_assert_int_eq(addr_parse_cidr("::/999", &c), ADDR_ERR_PREFIX);
	ck_assert_int_eq(addr_parse_cidr("::/4294967424", &c),
	    ADDR_ERR_PREFIX);			/* 2^32 + 128 */
	/* limits themselves are fine */
	ck_assert_int_eq(addr_parse_cidr("10.0.0.0/32", &c), ADDR_OK);
	ck_assert_int_eq(addr_parse_cidr("::/128", &c), ADDR_OK);
}
END_TEST

START_TEST(test_cidr_garbage)
{
	static const char *bad[] = { "", "/", "/8", "10.0.0.0/", "10.0.0.0/x",
	    "10.0.0.0/8x", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0/8",
	    "1.2.3.4.5", "256.0.0.0/8", "foo", "foo/8", "example.org/24",
	    "2001:db8::/", ":::/8", "2001:db8:::1", "10.0.0.0 /8",
	    "10.0.0.0/ 8", "10.0.0.0/8 ", " 10.0.0.0/8", "10.0.0.0:80" };
	struct addr_cidr c;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		ck_assert_msg(addr_parse_cidr(bad[k], &c) != ADDR_OK,
		    "CIDR \"%s\" accepted", bad[k]);
}
END_TEST

/* ===== TCase match ===== */

START_TEST(test_match_v4)
{
	ck_assert(match4("10.0.0.0/8", "10.1.2.3"));
	ck_assert(match4("10.0.0.0/8", "10.0.0.0"));
	ck_assert(match4("10.0.0.0/8", "10.255.255.255"));
	ck_assert(!match4("10.0.0.0/8", "11.0.0.1"));
	ck_assert(!match4("10.0.0.0/8", "9.255.255.255"));
	ck_assert(match4("192.0.2.1/32", "192.0.2.1"));
	ck_assert(!match4("192.0.2.1/32", "192.0.2.0"));
	ck_assert(!match4("192.0.2.1", "192.0.2.2"));
	ck_assert(match4("192.0.2.1", "192.0.2.1"));
	/* odd prefix: 10.248.0.0/13 = 10.248.0.0 .. 10.255.255.255 */
	ck_assert(match4("10.248.0.0/13", "10.248.0.0"));
	ck_assert(match4("10.248.0.0/13", "10.255.255.255"));
	ck_assert(match4("10.248.0.0/13", "10.250.1.1"));
	ck_assert(!match4("10.248.0.0/13", "10.247.255.255"));
	ck_assert(!match4("10.248.0.0/13", "11.248.0.0"));
	ck_assert(match4("128.0.0.0/1", "200.1.1.1"));
	ck_assert(!match4("128.0.0.0/1", "127.255.255.255"));
}
END_TEST

START_TEST(test_match_v6)
{
	ck_assert(match6("2001:db8::/32", "2001:db8::1"));
	ck_assert(match6("2001:db8::/32", "2001:db8:ffff:ffff::"));
	ck_assert(!match6("2001:db8::/32", "2001:db9::1"));
	ck_assert(!match6("2001:db8::/32", "::1"));
	ck_assert(match6("::1/128", "::1"));
	ck_assert(!match6("::1/128", "::2"));
	ck_assert(match6("::1", "::1"));
	ck_assert(!match6("::1", "::"));
	ck_assert(match6("fe80::/10", "febf:1::1"));
	ck_assert(!match6("fe80::/10", "fec0::1"));
	/* odd prefix /127 */
	ck_assert(match6("2001:db8::/127", "2001:db8::"));
	ck_assert(match6("2001:db8::/127", "2001:db8::1"));
	ck_assert(!match6("2001:db8::/127", "2001:db8::2"));
	ck_assert(!match6("2001:db8::2/127", "2001:db8::1"));
	ck_assert(match6("2001:db8::2/127", "2001:db8::3"));
	/* /65: the boundary inside a byte */
	ck_assert(match6("2001:db8:0:1::/65", "2001:db8:0:1:7fff::1"));
	ck_assert(!match6("2001:db8:0:1::/65", "2001:db8:0:1:8000::"));
}
END_TEST

START_TEST(test_match_zero)
{
	/* /0 matches everything of its own family, nothing else */
	ck_assert(match4("0.0.0.0/0", "0.0.0.0"));
	ck_assert(match4("0.0.0.0/0", "255.255.255.255"));
	ck_assert(match4("0.0.0.0/0", "1.2.3.4"));
	ck_assert(!match6("0.0.0.0/0", "::1"));
	ck_assert(!match6("0.0.0.0/0", "2001:db8::1"));
	ck_assert(match6("::/0", "::"));
	ck_assert(match6("::/0", "::1"));
	ck_assert(match6("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	ck_assert(!match4("::/0", "1.2.3.4"));
	ck_assert(!match4("::/0", "0.0.0.0"));
}
END_TEST

START_TEST(test_match_mapped)
{
	/* ::ffff:a.b.c.d is matched as a.b.c.d */
	ck_assert(match6("10.0.0.0/8", "::ffff:10.1.2.3"));
	ck_assert(!match6("10.0.0.0/8", "::ffff:11.1.2.3"));
	ck_assert(match6("0.0.0.0/0", "::ffff:1.2.3.4"));
	ck_assert(match6("127.0.0.0/8", "::ffff:127.0.0.1"));
	ck_assert(match6("10.248.0.0/13", "::ffff:10.249.0.1"));
	ck_assert(!match6("10.248.0.0/13", "::ffff:10.247.0.1"));
	ck_assert(match6("192.0.2.7", "::ffff:192.0.2.7"));
	/*
	 * So are the other IPv6 forms that carry an IPv4 address:
	 * IPv4-compatible, IPv4-translated and NAT64's well-known prefix
	 * (a "deny 127.0.0.0/8" must not be walked round through them).
	 */
	ck_assert(match6("10.0.0.0/8", "::10.1.2.3"));
	ck_assert(match6("127.0.0.0/8", "::127.0.0.1"));
	ck_assert(match6("10.0.0.0/8", "::ffff:0:10.1.2.3"));
	ck_assert(match6("127.0.0.0/8", "::ffff:0:127.0.0.1"));
	ck_assert(match6("10.0.0.0/8", "64:ff9b::10.1.2.3"));
	ck_assert(match6("127.0.0.0/8", "64:ff9b::127.0.0.1"));
	ck_assert(!match6("10.0.0.0/8", "64:ff9b::11.1.2.3"));
	/* :: and ::1 stay IPv6 (not 0.0.0.0 and 0.0.0.1) */
	ck_assert(!match6("0.0.0.0/0", "::"));
	ck_assert(!match6("0.0.0.0/0", "::1"));
	ck_assert(!match6("0.0.0.0/8", "::0.255.0.1"));
	/* near misses */
	ck_assert(!match6("10.0.0.0/8", "::fffe:10.1.2.3"));
	ck_assert(!match6("10.0.0.0/8", "1::ffff:10.1.2.3"));
	ck_assert(!match6("10.0.0.0/8", "64:ff9b:1::10.1.2.3"));
	ck_assert(!match6("10.0.0.0/8", "::1:ffff:0:10.1.2.3"));
	/* a v4 address does not match v6 networks */
	ck_assert(!match4("2001:db8::/32", "32.1.13.184"));
	ck_assert(!match4("::1/128", "127.0.0.1"));
}
END_TEST

START_TEST(test_match_other_family)
{
	struct addr_cidr c = cidr("0.0.0.0/0");
	struct addr_cidr c6 = cidr("::/0");
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert(!addr_cidr_match(&c, SA(&sun)));
	ck_assert(!addr_cidr_match(&c6, SA(&sun)));
}
END_TEST

/* ===== TCase sockaddr helpers ===== */

START_TEST(test_port_len)
{
	struct sockaddr_in sin = mk4("1.2.3.4", 80);
	struct sockaddr_in6 sin6 = mk6("::1", 1080);
	struct sockaddr_storage ss, ss2;
	struct sockaddr_un sun;

	ck_assert_uint_eq(addr_port(SA(&sin)), 80);
	ck_assert_uint_eq(addr_port(SA(&sin6)), 1080);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_uint_eq(addr_port(SA(&sun)), 0);

	addr_set_port((struct sockaddr *)&sin, 65535);
	ck_assert_uint_eq(sin.sin_port, htons(65535));
	ck_assert_uint_eq(addr_port(SA(&sin)), 65535);
	ck_assert_uint_eq(ntohl(sin.sin_addr.s_addr), 0x01020304);
	addr_set_port((struct sockaddr *)&sin6, 0x0102);
	ck_assert_uint_eq(sin6.sin6_port, htons(0x0102));
	ck_assert_uint_eq(addr_port(SA(&sin6)), 0x0102);
	ck_assert_int_eq(IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr), 1);
	addr_set_port((struct sockaddr *)&sin6, 0);
	ck_assert_uint_eq(addr_port(SA(&sin6)), 0);

	ck_assert_uint_eq(addr_len(SA(&sin)), sizeof(struct sockaddr_in));
	ck_assert_uint_eq(addr_len(SA(&sin6)), sizeof(struct sockaddr_in6));

	/* unknown family: length 0, set_port leaves it alone */
	memset(&ss, 0x5a, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	memcpy(&ss2, &ss, sizeof(ss));
	ck_assert_uint_eq(addr_len(SA(&ss)), 0);
	ck_assert_uint_eq(addr_port(SA(&ss)), 0);
	addr_set_port((struct sockaddr *)&ss, 80);
	ck_assert_mem_eq(&ss, &ss2, sizeof(ss));
}
END_TEST

/* ===== TCase print ===== */

START_TEST(test_ntop)
{
	struct sockaddr_in sin = mk4("1.2.3.4", 80);
	struct sockaddr_in6 sin6 = mk6("::1", 1080);
	struct sockaddr_storage ss;
	char buf[ADDR_STRLEN];

	ck_assert_ptr_eq(addr_ntop(SA(&sin), buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "1.2.3.4:80");
	ck_assert_ptr_eq(addr_ntop(SA(&sin6), buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "[::1]:1080");

	sin = mk4("0.0.0.0", 0);
	ck_assert_str_eq(addr_ntop(SA(&sin), buf, sizeof(buf)), "0.0.0.0:0");
	sin = mk4("255.255.255.255", 65535);
	ck_assert_str_eq(addr_ntop(SA(&sin), buf, sizeof(buf)),
	    "255.255.255.255:65535");
	sin6 = mk6("2001:db8::1:0:0:1", 443);
	ck_assert_str_eq(addr_ntop(SA(&sin6), buf, sizeof(buf)),
	    "[2001:db8::1:0:0:1]:443");
	sin6 = mk6("::", 0);
	ck_assert_str_eq(addr_ntop(SA(&sin6), buf, sizeof(buf)), "[::]:0");

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	ck_assert_str_eq(addr_ntop(SA(&ss), buf, sizeof(buf)), "?");
}
END_TEST

START_TEST(test_ntop_longest)
{
	struct sockaddr_in6 sin6 = mk6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ffff", 65535);
	char buf[ADDR_STRLEN + 8];
	size_t n;

	sin6.sin6_scope_id = 0xfffffff0u;
	memset(buf, 'Z', sizeof(buf));
	addr_ntop(SA(&sin6), buf, ADDR_STRLEN);
	n = strlen(buf);
	ck_assert_uint_lt(n, ADDR_STRLEN);
	ck_assert_msg(strncmp(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%",
	    41) == 0, "got \"%s\"", buf);
	ck_assert_msg(n > 8 && strcmp(buf + n - 7, "]:65535") == 0,
	    "got \"%s\"", buf);
	ck_assert_uint_eq((unsigned char)buf[ADDR_STRLEN], 'Z');
}
END_TEST

START_TEST(test_ntop_scope)
{
	struct sockaddr_in6 sin6 = mk6("fe80::1", 22);
	char buf[ADDR_STRLEN];
	size_t n;

	sin6.sin6_scope_id = 1;
	addr_ntop(SA(&sin6), buf, sizeof(buf));
	n = strlen(buf);
	ck_assert_msg(strncmp(buf, "[fe80::1%", 9) == 0 && n > 13 &&
	    strcmp(buf + n - 4, "]:22") == 0, "got \"%s\"", buf);
}
END_TEST

START_TEST(test_ntop_host)
{
	struct sockaddr_in sin = mk4("192.0.2.1", 80);
	struct sockaddr_in6 sin6 = mk6("2001:db8::7", 1080);
	char buf[ADDR_STRLEN];

	ck_assert_ptr_eq(addr_ntop_host(SA(&sin), buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "192.0.2.1");
	ck_assert_ptr_eq(addr_ntop_host(SA(&sin6), buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "2001:db8::7");
	sin6 = mk6("::1", 1);
	ck_assert_str_eq(addr_ntop_host(SA(&sin6), buf, sizeof(buf)), "::1");
}
END_TEST

START_TEST(test_cidr_ntop)
{
	static const char *in[][2] = {
		{ "10.0.0.0/8", "10.0.0.0/8" },
		{ "10.1.2.3/8", "10.0.0.0/8" },
		{ "10.255.2.3/13", "10.248.0.0/13" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "192.0.2.1", "192.0.2.1/32" },
		{ "2001:db8::/32", "2001:db8::/32" },
		{ "2001:db8:ffff::1/32", "2001:db8::/32" },
		{ "::/0", "::/0" },
		{ "::1", "::1/128" },
		{ "fe80::/10", "fe80::/10" },
	};
	struct addr_cidr c;
	char buf[ADDR_STRLEN];
	size_t k;

	for (k = 0; k < sizeof(in) / sizeof(in[0]); k++) {
		c = cidr(in[k][0]);
		ck_assert_ptr_eq(addr_cidr_ntop(&c, buf, sizeof(buf)), buf);
		ck_assert_msg(strcmp(buf, in[k][1]) == 0,
		    "\"%s\" printed \"%s\", want \"%s\"", in[k][0], buf,
		    in[k][1]);
	}
}
END_TEST

/* ===== TCase equal ===== */

START_TEST(test_equal)
{
	struct sockaddr_in a = mk4("1.2.3.4", 80), b = mk4("1.2.3.4", 80);
	struct sockaddr_in6 a6 = mk6("2001:db8::1", 80);
	struct sockaddr_in6 b6 = mk6("2001:db8::1", 80);
	struct sockaddr_in6 m6 = mk6("::ffff:1.2.3.4", 80);

	ck_assert(addr_equal(SA(&a), SA(&b)));
	memset(b.sin_zero, 0x77, sizeof(b.sin_zero));	/* padding ignored */
	ck_assert(addr_equal(SA(&a), SA(&b)));
	b.sin_port = htons(81);
	ck_assert(!addr_equal(SA(&a), SA(&b)));
	b = mk4("1.2.3.5", 80);
	ck_assert(!addr_equal(SA(&a), SA(&b)));

	ck_assert(addr_equal(SA(&a6), SA(&b6)));
	b6.sin6_flowinfo = htonl(0x12345);		/* not compared */
	ck_assert(addr_equal(SA(&a6), SA(&b6)));
	b6.sin6_scope_id = 2;
	ck_assert(!addr_equal(SA(&a6), SA(&b6)));
	b6 = mk6("2001:db8::1", 81);
	ck_assert(!addr_equal(SA(&a6), SA(&b6)));
	b6 = mk6("2001:db8::2", 80);
	ck_assert(!addr_equal(SA(&a6), SA(&b6)));

	/* different families never compare equal */
	ck_assert(!addr_equal(SA(&a), SA(&a6)));
	ck_assert(!addr_equal(SA(&a6), SA(&a)));
	ck_assert(!addr_equal(SA(&a), SA(&m6)));
	ck_assert(!addr_equal(SA(&m6), SA(&a)));
}
END_TEST

/* ===== suite ===== */

START_TEST(test_is_unspecified)
{
	struct sockaddr_storage ss;
	socklen_t len;

	ck_assert_int_eq(addr_parse_sockaddr("0.0.0.0:80", &ss, &len), ADDR_OK);
	ck_assert(addr_is_unspecified((struct sockaddr *)&ss));
	ck_assert_int_eq(addr_parse_sockaddr("[::]:0", &ss, &len), ADDR_OK);
	ck_assert(addr_is_unspecified((struct sockaddr *)&ss));
	ck_assert_int_eq(addr_parse_sockaddr("0.0.0.1:0", &ss, &len), ADDR_OK);
	ck_assert(!addr_is_unspecified((struct sockaddr *)&ss));
	ck_assert_int_eq(addr_parse_sockaddr("[::1]:0", &ss, &len), ADDR_OK);
	ck_assert(!addr_is_unspecified((struct sockaddr *)&ss));
	ss.ss_family = AF_UNIX;
	ck_assert(!addr_is_unspecified((struct sockaddr *)&ss));
}
END_TEST

START_TEST(test_map_unmap)
{
	struct sockaddr_in6 m = mk6("::ffff:192.0.2.7", 8080);
	struct sockaddr_in v4 = mk4("192.0.2.7", 8080);
	struct sockaddr_in6 plain = mk6("2001:db8::7", 53);
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &m, sizeof(m));
	addr_unmap_v4(&ss);
	ck_assert(addr_equal(SA(&ss), SA(&v4)));
	/* Back again, and other addresses left alone. */
	addr_map_v4(&ss);
	ck_assert(addr_equal(SA(&ss), SA(&m)));
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &plain, sizeof(plain));
	addr_unmap_v4(&ss);
	addr_map_v4(&ss);
	ck_assert(addr_equal(SA(&ss), SA(&plain)));
	ck_assert(addr_is_v4mapped(m.sin6_addr.s6_addr));
	ck_assert(!addr_is_v4mapped(plain.sin6_addr.s6_addr));
}
END_TEST

START_TEST(test_local_nets)
{
	static const char *const local4[] = { "127.0.0.1", "127.255.0.9",
	    "0.0.0.0", "0.1.2.3", "169.254.1.1", "::ffff:127.0.0.1" };
	static const char *const local6[] = { "::1", "::", "fe80::1",
	    "febf::1" };
	static const char *const other[] = { "192.0.2.1", "128.0.0.1",
	    "169.255.0.1" };
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(local4) / sizeof(local4[0]); i++) {
		if (strchr(local4[i], ':') != NULL) {
			sin6 = mk6(local4[i], 1);
			ck_assert(addr_is_local(SA(&sin6)));
			continue;
		}
		sin = mk4(local4[i], 1);
		ck_assert_msg(addr_is_local(SA(&sin)), "%s", local4[i]);
	}
	for (i = 0; i < sizeof(local6) / sizeof(local6[0]); i++) {
		sin6 = mk6(local6[i], 1);
		ck_assert_msg(addr_is_local(SA(&sin6)), "%s", local6[i]);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		sin = mk4(other[i], 1);
		ck_assert_msg(!addr_is_local(SA(&sin)), "%s", other[i]);
	}
	sin6 = mk6("fec0::1", 1);
	ck_assert(!addr_is_local(SA(&sin6)));
	sin = mk4("127.0.0.1", 1);
	ck_assert(addr_is_loopback(SA(&sin)));
	sin6 = mk6("::1", 1);
	ck_assert(addr_is_loopback(SA(&sin6)));
	sin = mk4("169.254.1.1", 1);
	ck_assert(!addr_is_loopback(SA(&sin)));
	ck_assert_str_eq(addr_local_nets_list(text, sizeof(text)),
	    "\"127.0.0.0/8\", \"::1/128\", \"0.0.0.0/8\", \"::/128\", "
	    "\"169.254.0.0/16\", \"fe80::/10\"");
}
END_TEST

static Suite *
addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc;

	tc = tcase_create("split");
	tcase_add_test(tc, test_split_ok);
	tcase_add_test(tc, test_split_port);
	tcase_add_test(tc, test_split_host);
	tcase_add_test(tc, test_split_syntax);
	tcase_add_test(tc, test_split_garbage);
	tcase_add_test(tc, test_split_hostbuf);
	suite_add_tcase(s, tc);

	tc = tcase_create("sockaddr");
	tcase_add_test(tc, test_parse_sockaddr_v4);
	tcase_add_test(tc, test_parse_sockaddr_v6);
	tcase_add_test(tc, test_parse_sockaddr_bad);
	tcase_add_test(tc, test_port_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("cidr");
	tcase_add_test(tc, test_cidr_v4);
	tcase_add_test(tc, test_cidr_v6);
	tcase_add_test(tc, test_cidr_host_bits);
	tcase_add_test(tc, test_cidr_prefix_range);
	tcase_add_test(tc, test_cidr_garbage);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_test(tc, test_match_v4);
	tcase_add_test(tc, test_match_v6);
	tcase_add_test(tc, test_match_zero);
	tcase_add_test(tc, test_match_mapped);
	tcase_add_test(tc, test_match_other_family);
	suite_add_tcase(s, tc);

	tc = tcase_create("print");
	tcase_add_test(tc, test_ntop);
	tcase_add_test(tc, test_ntop_longest);
	tcase_add_test(tc, test_ntop_scope);
	tcase_add_test(tc, test_ntop_host);
	tcase_add_test(tc, test_cidr_ntop);
	suite_add_tcase(s, tc);

	tc = tcase_create("equal");
	tcase_add_test(tc, test_is_unspecified);
	tcase_add_test(tc, test_map_unmap);
	tcase_add_test(tc, test_local_nets);
	tcase_add_test(tc, test_equal);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
