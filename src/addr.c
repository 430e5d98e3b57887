/*
 * addr.c - pure socket address helpers (see addr.h).
 */
#include "sgconfig.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Loopback first: addr_is_loopback() reads the first two. */
const struct addr_cidr addr_local_nets[ADDR_LOCAL_NETS_N] = {
	{ AF_INET, { 127 }, 8 },
	{ AF_INET6, { [15] = 1 }, 128 },
	{ AF_INET, { 0 }, 8 },
	{ AF_INET6, { 0 }, 128 },
	{ AF_INET, { 169, 254 }, 16 },
	{ AF_INET6, { 0xfe, 0x80 }, 10 },
};

static enum addr_status
parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (*s == '\0')
		return ADDR_ERR_PORT;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return ADDR_ERR_PORT;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return ADDR_ERR_PORT;
	}
	*port = (uint16_t)v;
	return ADDR_OK;
}

enum addr_status
addr_split_hostport(const char *s, char *hostbuf, size_t hostlen,
    uint16_t *port)
{
	const char *host, *end, *colon;
	size_t n;

	if (s[0] == '[') {
		host = s + 1;
		if ((end = strchr(host, ']')) == NULL)
			return ADDR_ERR_SYNTAX;
		if (end[1] != ':')
			return end[1] == '\0' ? ADDR_ERR_PORT : ADDR_ERR_SYNTAX;
		colon = end + 1;
	} else {
		host = s;
		if ((colon = strrchr(s, ':')) == NULL)
			return ADDR_ERR_PORT;
		if (memchr(s, ':', (size_t)(colon - s)) != NULL)
			return ADDR_ERR_SYNTAX;	/* bare IPv6 needs brackets */
		end = colon;
	}
	n = (size_t)(end - host);
	if (n == 0 || n >= hostlen)
		return ADDR_ERR_HOST;
	if (parse_port(colon + 1, port) != ADDR_OK)
		return ADDR_ERR_PORT;
	memcpy(hostbuf, host, n);
	hostbuf[n] = '\0';
	return ADDR_OK;
}

/*
 * A zone: a number, or an interface name (the one look-up outside pure
 * computation here; only listeners on link-local addresses need it).
 */
static uint32_t
scope_id(const char *zone)
{
	uint16_t n;

	if (parse_port(zone, &n) == ADDR_OK)
		return n;
	return if_nametoindex(zone);
}

enum addr_status
addr_parse_sockaddr(const char *s, struct sockaddr_storage *ss,
    socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 20];
	uint16_t port;
	enum addr_status st;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char *pct;

	if ((st = addr_split_hostport(s, host, sizeof(host), &port)) != ADDR_OK)
		return st;
	memset(ss, 0, sizeof(*ss));
	if (s[0] != '[') {
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return ADDR_ERR_HOST;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return ADDR_OK;
	}
	if ((pct = strchr(host, '%')) != NULL) {
		*pct++ = '\0';
		if ((sin6->sin6_scope_id = scope_id(pct)) == 0)
			return ADDR_ERR_HOST;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		return ADDR_ERR_HOST;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	*len = sizeof(*sin6);
	return ADDR_OK;
}

enum addr_status
addr_parse_cidr(const char *s, struct addr_cidr *c)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t n, i, maxbits;
	unsigned long prefix;
	char *end;

	memset(c, 0, sizeof(*c));
	slash = strchr(s, '/');
	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return ADDR_ERR_SYNTAX;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = AF_INET6;
		maxbits = 128;
	} else
		return ADDR_ERR_SYNTAX;
	prefix = maxbits;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			return ADDR_ERR_PREFIX;
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || errno != 0 || prefix > maxbits)
			return ADDR_ERR_PREFIX;
	}
	c->prefix = (unsigned)prefix;
	/* Clear host bits so equal networks compare equal. */
	for (i = 0; i < 16; i++) {
		if (i * 8 >= prefix)
			c->addr[i] = 0;
		else if (i * 8 + 8 > prefix)
			c->addr[i] &= (uint8_t)(0xff << (8 - (prefix - i * 8)));
	}
	return ADDR_OK;
}

bool
addr_prefix_match(const uint8_t *net, const uint8_t *a, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	uint8_t mask;

	if (memcmp(net, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (net[full] & mask) == (a[full] & mask);
}

bool
addr_cidr_match(const struct addr_cidr *c, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const uint8_t *a;

	if (sa->sa_family == AF_INET) {
		if (c->family != AF_INET)
			return false;
		return addr_prefix_match(c->addr,
		    (const uint8_t *)&sin->sin_addr, c->prefix);
	}
	if (sa->sa_family != AF_INET6)
		return false;
	a = sin6->sin6_addr.s6_addr;
	if (c->family == AF_INET6)
		return addr_prefix_match(c->addr, a, c->prefix);
	if ((a = addr_embedded_v4(a)) != NULL)
		return addr_prefix_match(c->addr, a, c->prefix);
	return false;
}

uint16_t
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

void
addr_set_port(struct sockaddr *sa, uint16_t port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

socklen_t
addr_len(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

char *
addr_ntop_host(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const void *src;
	size_t n;

	if (sa->sa_family == AF_INET)
		src = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		src = &sin6->sin6_addr;
	else {
		snprintf(buf, len, "?");
		return buf;
	}
	if (inet_ntop(sa->sa_family, src, buf, (socklen_t)len) == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (sa->sa_family == AF_INET6 && sin6->sin6_scope_id != 0) {
		n = strlen(buf);
		snprintf(buf + n, len - n, "%%%u",
		    (unsigned)sin6->sin6_scope_id);
	}
	return buf;
}

char *
addr_ntop(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[ADDR_STRLEN];

	addr_ntop_host(sa, host, sizeof(host));
	if (sa->sa_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", host, addr_port(sa));
	else if (sa->sa_family == AF_INET)
		snprintf(buf, len, "%s:%u", host, addr_port(sa));
	else
		snprintf(buf, len, "?");
	return buf;
}

char *
addr_cidr_ntop(const struct addr_cidr *c, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family, c->addr, host, sizeof(host)) == NULL)
		snprintf(host, sizeof(host), "?");
	snprintf(buf, len, "%s/%u", host, c->prefix);
	return buf;
}

bool
addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;

	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		    a6->sin6_scope_id == b6->sin6_scope_id &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	return false;
}

bool
addr_is_unspecified(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == 0;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

bool
addr_is_v4mapped(const uint8_t *a16)
{
	return memcmp(a16, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

const uint8_t *
addr_embedded_v4(const uint8_t *a16)
{
	static const uint8_t translated[12] = { [8] = 0xff, [9] = 0xff };
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	static const uint8_t zero[12];

	if (addr_is_v4mapped(a16) || memcmp(a16, translated, 12) == 0 ||
	    memcmp(a16, nat64, 12) == 0)
		return a16 + 12;
	/* IPv4-compatible, but not ::, ::1 and the rest of ::/104. */
	if (memcmp(a16, zero, 12) == 0 && a16[12] != 0)
		return a16 + 12;
	return NULL;
}

void
addr_unmap_v4(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	if (ss->ss_family != AF_INET6)
		return;
	memcpy(&s6, ss, sizeof(s6));
	if (!addr_is_v4mapped(s6.sin6_addr.s6_addr))
		return;
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = s6.sin6_port;
	memcpy(&sin->sin_addr, s6.sin6_addr.s6_addr + 12, 4);
}

void
addr_map_v4(struct sockaddr_storage *ss)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	if (ss->ss_family != AF_INET)
		return;
	memcpy(&sin, ss, sizeof(sin));
	memset(ss, 0, sizeof(*ss));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = sin.sin_port;
	memcpy(s6->sin6_addr.s6_addr, v4mapped_prefix, sizeof(v4mapped_prefix));
	memcpy(s6->sin6_addr.s6_addr + 12, &sin.sin_addr, 4);
}

void
addr_client_key(const struct sockaddr *sa, unsigned v6_prefix,
    uint8_t key[ADDR_KEY_LEN])
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const uint8_t *a;
	unsigned i;

	memset(key, 0, ADDR_KEY_LEN);
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return;
	}
	if (sa->sa_family != AF_INET6)
		return;
	a = s6->sin6_addr.s6_addr;
	if (addr_is_v4mapped(a)) {
		key[0] = 4;
		memcpy(key + 1, a + 12, 4);
		return;
	}
	key[0] = 6;
	if (v6_prefix > 128)
		v6_prefix = 128;
	for (i = 0; i < 16; i++) {
		if (v6_prefix >= (i + 1) * 8)
			key[1 + i] = a[i];
		else if (v6_prefix > i * 8)
			key[1 + i] = (uint8_t)(a[i] &
			    (0xff << (8 - (v6_prefix - i * 8))));
	}
}

static bool
in_nets(const struct addr_cidr *nets, size_t n, const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr_cidr_match(&nets[i], sa))
			return true;
	return false;
}

bool
addr_is_local(const struct sockaddr *sa)
{
	return in_nets(addr_local_nets, ADDR_LOCAL_NETS_N, sa);
}

bool
addr_is_loopback(const struct sockaddr *sa)
{
	return in_nets(addr_local_nets, 2, sa);
}

char *
addr_local_nets_list(char *buf, size_t len)
{
	char one[INET6_ADDRSTRLEN + 8];
	size_t i, used = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < ADDR_LOCAL_NETS_N && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s\"%s\"",
		    i > 0 ? ", " : "", addr_cidr_ntop(&addr_local_nets[i], one,
		    sizeof(one)));
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
