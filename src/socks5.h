/*
 * socks5.h - pure codec for SOCKS version 5 (RFC 1928) and its
 * username/password sub-negotiation (RFC 1929), both directions.
 *
 * Parsers are incremental: they look at the bytes received so far and
 * answer S5_NEED_MORE (nothing consumed), S5_OK (one message decoded,
 * *consumed set to its length; bytes after it belong to the next
 * message) or an error.  No I/O, no allocation, no global state.
 */
#ifndef SG_SOCKS5_H
#define SG_SOCKS5_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define S5_VERSION		0x05
#define S5_AUTH_VERSION		0x01	/* RFC 1929 sub-negotiation version */

/* Authentication methods (RFC 1928 section 3). */
#define S5_METHOD_NONE		0x00
#define S5_METHOD_GSSAPI	0x01
#define S5_METHOD_USERPASS	0x02
/*
 * Private method (RFC 1928 section 3, X'80'-X'FE'): RFC 1929 exactly,
 * but choosing it tells a client that the server is sixgated, which
 * parses incrementally, so the client may pipeline its next handshakes.
 */
#define S5_METHOD_SIXGATE	0x88
#define S5_METHOD_NO_ACCEPTABLE	0xFF

/* Commands (RFC 1928 section 4). */
#define S5_CMD_CONNECT		0x01
#define S5_CMD_BIND		0x02
#define S5_CMD_UDP_ASSOCIATE	0x03
/*
 * RESOLVE, the extension Tor defines: DST.ADDR names a host, the reply's
 * BND.ADDR is one of its addresses.  sixgate reads DST.PORT as the family
 * wanted: 4 an IPv4 address, 6 an IPv6 one, anything else the gateway's
 * resolve.prefer order (when the name has no address of the family asked
 * for, one of the other is given).
 */
#define S5_CMD_RESOLVE		0xF0
#define S5_RESOLVE_WANT_IPV4	4
#define S5_RESOLVE_WANT_IPV6	6

/* Address types. */
#define S5_ATYP_IPV4		0x01
#define S5_ATYP_DOMAINNAME	0x03
#define S5_ATYP_IPV6		0x04

/* Reply codes (RFC 1928 section 6). */
#define S5_REP_SUCCEEDED	0x00
#define S5_REP_GENERAL_FAILURE	0x01
#define S5_REP_NOT_ALLOWED	0x02
#define S5_REP_NET_UNREACH	0x03
#define S5_REP_HOST_UNREACH	0x04
#define S5_REP_CONN_REFUSED	0x05
#define S5_REP_TTL_EXPIRED	0x06
#define S5_REP_CMD_UNSUPPORTED	0x07
#define S5_REP_ATYP_UNSUPPORTED	0x08

/* RFC 1929 status: 0x00 success, anything else failure. */
#define S5_AUTH_SUCCESS		0x00
#define S5_AUTH_FAILURE		0x01

/* Largest encodings, for fixed buffers. */
#define S5_GREETING_MAX		(2 + 255)
#define S5_USERPASS_MAX		(3 + 255 + 255)
#define S5_REQUEST_MAX		(4 + 1 + 255 + 2)
#define S5_REPLY_MAX		S5_REQUEST_MAX
#define S5_NAME_MAX		255

enum socks5_status {
	S5_OK = 0,
	S5_NEED_MORE,		/* incomplete: read more, call again */
	S5_ERR_VERSION,		/* wrong protocol or sub-negotiation version */
	S5_ERR_FORMAT,		/* malformed (zero counts, NUL in a name ...) */
	S5_ERR_ATYP,		/* unknown address type: length unknowable */
	S5_ERR_SPACE		/* output buffer too small (encoders) */
};

/* Client greeting: VER NMETHODS METHODS... */
struct socks5_greeting {
	uint8_t	nmethods;
	uint8_t	methods[255];
};

/* RFC 1929 request: VER ULEN UNAME PLEN PASSWD, NUL-terminated copies. */
struct socks5_userpass {
	char	user[S5_NAME_MAX + 1];
	char	pass[S5_NAME_MAX + 1];
	uint8_t	ulen;
	uint8_t	plen;
};

/*
 * An address as carried on the wire: ATYP plus either 4 or 16 address
 * bytes or a name of 1..255 bytes (NUL-terminated here), and a port in
 * host order.
 */
struct socks5_addr {
	uint8_t		atyp;
	uint8_t		namelen;	/* S5_ATYP_DOMAINNAME only */
	uint16_t	port;
	union {
		uint8_t	v4[4];
		uint8_t	v6[16];
		char	name[S5_NAME_MAX + 1];
	} u;
};

/* Request (client -> server) or reply (server -> client). */
struct socks5_request {
	uint8_t			cmd;	/* or REP in a reply */
	struct socks5_addr	addr;
};

/* --- server side: parse what a client sends, encode answers --- */

enum socks5_status socks5_parse_greeting(const uint8_t *buf, size_t len,
	    struct socks5_greeting *g, size_t *consumed);
enum socks5_status socks5_parse_userpass(const uint8_t *buf, size_t len,
	    struct socks5_userpass *up, size_t *consumed);
/*
 * A request with an unknown CMD parses (the caller replies 0x07); an
 * unknown ATYP is S5_ERR_ATYP (reply 0x08, then close: its length is
 * unknown).  A DOMAINNAME of length 0 or containing NUL is S5_ERR_FORMAT.
 */
enum socks5_status socks5_parse_request(const uint8_t *buf, size_t len,
	    struct socks5_request *req, size_t *consumed);

/* Each encoder returns the bytes written, or 0 if out is too small. */
size_t socks5_encode_method(uint8_t method, uint8_t *out, size_t outlen);
size_t socks5_encode_auth_status(uint8_t status, uint8_t *out,
	    size_t outlen);
/*
 * A reply with BND.ADDR/BND.PORT taken from bnd (AF_INET or AF_INET6,
 * encoded in its own family); bnd NULL or another family encodes
 * 0.0.0.0:0, as RFC 1928 allows for failures.
 */
size_t socks5_encode_reply(uint8_t rep, const struct sockaddr *bnd,
	    uint8_t *out, size_t outlen);

/* --- client side: encode requests, parse answers --- */

size_t socks5_encode_greeting(const uint8_t *methods, size_t nmethods,
	    uint8_t *out, size_t outlen);
/* user and pass must each be 1..255 bytes; 0 otherwise. */
size_t socks5_encode_userpass(const char *user, const char *pass,
	    uint8_t *out, size_t outlen);
size_t socks5_encode_request(uint8_t cmd, const struct socks5_addr *a,
	    uint8_t *out, size_t outlen);
/* Server's method choice: VER METHOD. */
enum socks5_status socks5_parse_method(const uint8_t *buf, size_t len,
	    uint8_t *method, size_t *consumed);
/* RFC 1929 answer: VER STATUS. */
enum socks5_status socks5_parse_auth_status(const uint8_t *buf, size_t len,
	    uint8_t *status, size_t *consumed);
/* Reply: same layout as a request, REP in rep->cmd. */
enum socks5_status socks5_parse_reply(const uint8_t *buf, size_t len,
	    struct socks5_request *rep, size_t *consumed);

/* --- UDP ASSOCIATE datagrams (RFC 1928 section 7) --- */

/* RSV(2) FRAG ATYP DST.ADDR DST.PORT, then the payload. */
#define S5_UDP_HEADER_MAX	(3 + 1 + 1 + 255 + 2)

struct socks5_udp {
	uint8_t			frag;	/* 0 = whole datagram */
	struct socks5_addr	addr;
};

/*
 * Parse the header of one datagram (a datagram is always whole: there is
 * no NEED_MORE; a short one is S5_ERR_FORMAT).  *hdrlen is where the
 * payload starts.  RSV must be zero.
 */
enum socks5_status socks5_parse_udp(const uint8_t *buf, size_t len,
	    struct socks5_udp *u, size_t *hdrlen);

/* Header for a datagram from/to a; returns its length, 0 if no room. */
size_t socks5_encode_udp(uint8_t frag, const struct socks5_addr *a,
	    uint8_t *out, size_t outlen);

/* --- conversions --- */

/*
 * Fill a from an AF_INET/AF_INET6 sockaddr (ATYP IPv4/IPv6).  Returns
 * S5_OK or S5_ERR_ATYP for other families.
 */
enum socks5_status socks5_addr_from_sockaddr(struct socks5_addr *a,
	    const struct sockaddr *sa);
/*
 * Fill ss from an IPv4/IPv6 socks5_addr.  Returns S5_ERR_ATYP for a
 * DOMAINNAME (resolve it first).
 */
enum socks5_status socks5_addr_to_sockaddr(const struct socks5_addr *a,
	    struct sockaddr_storage *ss, socklen_t *len);
/* Set a to DOMAINNAME name:port; S5_ERR_FORMAT if empty/too long. */
enum socks5_status socks5_addr_set_name(struct socks5_addr *a,
	    const char *name, uint16_t port);

/*
 * REP code for a failed connect()/socket() errno (RFC 1928 section 6):
 * ECONNREFUSED 0x05, ENETUNREACH/ENETDOWN 0x03, EHOSTUNREACH/EHOSTDOWN
 * 0x04, ETIMEDOUT 0x06, EACCES/EPERM 0x02 (a local firewall refused),
 * EAFNOSUPPORT 0x08, anything else 0x01; 0 is 0x00.
 */
uint8_t socks5_rep_from_errno(int err);
/* Short English text for a REP code ("connection refused"). */
const char *socks5_rep_str(uint8_t rep);

#endif
