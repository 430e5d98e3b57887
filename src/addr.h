/*
 * addr.h - pure socket address helpers: "host:port" and "[v6]:port"
 * splitting, numeric address parsing, CIDR parsing and matching, and
 * printing.  No sockets, no logging, no allocation.
 */
#ifndef SG_ADDR_H
#define SG_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* Longest text addr_ntop() writes: "[" v6 "%" scope "]:" port NUL. */
#define ADDR_STRLEN	(INET6_ADDRSTRLEN + 2 + 1 + 16 + 6 + 1)

enum addr_status {
	ADDR_OK = 0,
	ADDR_ERR_SYNTAX,	/* not host:port / [v6]:port / CIDR */
	ADDR_ERR_PORT,		/* port missing, not a number or > 65535 */
	ADDR_ERR_HOST,		/* host empty, too long or not numeric */
	ADDR_ERR_PREFIX		/* CIDR prefix length out of range */
};

/* A network in either family; addr holds the masked network bytes. */
struct addr_cidr {
	int	 family;	/* AF_INET or AF_INET6 */
	uint8_t	 addr[16];	/* 4 bytes used for AF_INET */
	unsigned prefix;	/* 0..32 or 0..128 */
};

/*
 * Split "host:port", "[v6]:port" or "v6" with an explicit port after
 * brackets only.  host is copied without brackets, NUL-terminated, into
 * hostbuf (hostlen bytes).  "0" is a valid port (kernel chooses).
 */
enum addr_status addr_split_hostport(const char *s, char *hostbuf,
	    size_t hostlen, uint16_t *port);

/*
 * Parse a numeric "a.b.c.d:port" or "[v6]:port" into ss/len.  Names are
 * refused (ADDR_ERR_HOST): listeners bind literal addresses only.
 */
enum addr_status addr_parse_sockaddr(const char *s,
	    struct sockaddr_storage *ss, socklen_t *len);

/*
 * Parse "a.b.c.d/n", "v6/n" or a bare address (host route) into c.
 * Host bits beyond the prefix are cleared.
 */
enum addr_status addr_parse_cidr(const char *s, struct addr_cidr *c);

/*
 * Does address sa lie in network c?  IPv6 addresses that carry an IPv4
 * address (addr_embedded_v4) are matched against IPv4 networks as that
 * address: a v4 rule still applies to a client that reaches a dual-stack
 * socket, and "deny 127.0.0.0/8" also stops ::ffff:127.0.0.1,
 * ::127.0.0.1, ::ffff:0:127.0.0.1 and 64:ff9b::127.0.0.1 (NAT64).
 */
bool addr_cidr_match(const struct addr_cidr *c, const struct sockaddr *sa);

/* Port of an AF_INET/AF_INET6 address in host order (0 for others). */
uint16_t addr_port(const struct sockaddr *sa);

/* Set the port of an AF_INET/AF_INET6 address. */
void addr_set_port(struct sockaddr *sa, uint16_t port);

/* Length of the sockaddr for its family (0 for unknown families). */
socklen_t addr_len(const struct sockaddr *sa);

/*
 * Print "a.b.c.d:port" or "[v6]:port" into buf (at least ADDR_STRLEN
 * bytes).  Returns buf; unknown families print "?".
 */
char *addr_ntop(const struct sockaddr *sa, char *buf, size_t len);

/* Print only the host part, without brackets. Returns buf. */
char *addr_ntop_host(const struct sockaddr *sa, char *buf, size_t len);

/* Print a network as "addr/prefix". Returns buf. */
char *addr_cidr_ntop(const struct addr_cidr *c, char *buf, size_t len);

/* 0.0.0.0 or ::, whatever the port? */
bool addr_is_unspecified(const struct sockaddr *sa);

/* Same family, address and port? (Scope ids compared for IPv6.) */
bool addr_equal(const struct sockaddr *a, const struct sockaddr *b);

/* Do the first prefix bits of the byte strings net and a agree? */
bool addr_prefix_match(const uint8_t *net, const uint8_t *a, unsigned prefix);

/* Are these 16 bytes an IPv4-mapped IPv6 address (::ffff:a.b.c.d)? */
bool addr_is_v4mapped(const uint8_t *a16);

/*
 * The IPv4 address inside an IPv6 one, or NULL: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d, RFC 2765), the
 * NAT64 well-known prefix (64:ff9b::a.b.c.d, RFC 6052) and
 * IPv4-compatible (::a.b.c.d, RFC 4291), the last only outside ::/104
 * so that :: and ::1 stay IPv6.  Returns a pointer to the 4 bytes.
 */
const uint8_t *addr_embedded_v4(const uint8_t *a16);

/*
 * ::ffff:a.b.c.d becomes a.b.c.d with the same port, so that a peer of
 * a dual-stack socket is listened for, announced and compared as the
 * IPv4 host it is; other addresses are left alone.
 */
void addr_unmap_v4(struct sockaddr_storage *ss);

/* The reverse: a.b.c.d becomes ::ffff:a.b.c.d, for an IPv6 program. */
void addr_map_v4(struct sockaddr_storage *ss);

/*
 * The gateway's own networks that no relay should reach by default:
 * loopback (127.0.0.0/8, ::1), "this host" (0.0.0.0/8, ::) and
 * link-local (169.254.0.0/16, fe80::/10).  One list for the embedded
 * default configuration, the hop loop check and the Socks Lib.
 */
#define ADDR_LOCAL_NETS_N	6
extern const struct addr_cidr addr_local_nets[ADDR_LOCAL_NETS_N];

/*
 * The key a client address is counted under (limits per client, the
 * failed-login throttle): an IPv4 address (IPv4-mapped ones too) as it
 * is, an IPv6 address cut to v6_prefix bits (64: one customer's LAN).
 * key[0] is the family, key[1..16] the masked address bytes.
 */
#define ADDR_KEY_LEN	17
void addr_client_key(const struct sockaddr *sa, unsigned v6_prefix,
	    uint8_t key[ADDR_KEY_LEN]);

/* Does sa lie in one of addr_local_nets? */
bool addr_is_local(const struct sockaddr *sa);

/* Is sa a loopback address (127.0.0.0/8, ::1)? */
bool addr_is_loopback(const struct sockaddr *sa);

/*
 * addr_local_nets as configuration text: "127.0.0.0/8", "::1/128", ...
 * (quoted, comma-separated) into buf; returns buf.
 */
char *addr_local_nets_list(char *buf, size_t len);

#endif
