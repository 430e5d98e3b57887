/*
 * socks4.h - pure codec for SOCKS version 4 and its 4A extension, the
 * gateway's side: the client's request in, the 8-byte reply out.
 *
 * SOCKS4 (Ying-Da Lee, "SOCKS: A protocol for TCP proxy across
 * firewalls"): VN=4 CD DSTPORT(2) DSTIP(4) USERID NUL.  SOCKS4A ("SOCKS
 * 4A: A Simple Extension to SOCKS 4 Protocol"): a DSTIP of 0.0.0.x with
 * x != 0 says a host name follows the USERID's NUL, itself ended by NUL.
 * The reply: VN=0 CD DSTPORT(2) DSTIP(4), CD 90 granted, 91 rejected.
 *
 * The parser is incremental like socks5.h's: S4_NEED_MORE (nothing
 * consumed), S4_OK (*consumed set; bytes after it belong to whatever
 * follows the request) or an error.  USERID and name are bounded (255
 * bytes each), so a client that never sends the NUL is an error, not a
 * buffer that grows.  No I/O, no allocation, no global state.
 */
#ifndef SG_SOCKS4_H
#define SG_SOCKS4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "socks5.h"

#define S4_VERSION		0x04
#define S4_REPLY_VERSION	0x00

/* Commands (CD in a request). */
#define S4_CMD_CONNECT		0x01
#define S4_CMD_BIND		0x02

/* Reply codes (CD in a reply). */
#define S4_REP_GRANTED		0x5A
#define S4_REP_REJECTED		0x5B	/* rejected or failed */
#define S4_REP_NO_IDENTD	0x5C	/* not used by sixgate */
#define S4_REP_IDENTD_DIFFER	0x5D	/* not used by sixgate */

#define S4_USERID_MAX		255
#define S4_NAME_MAX		255
/* The longest request: header, USERID, NUL, name, NUL. */
#define S4_REQUEST_MAX		(8 + S4_USERID_MAX + 1 + S4_NAME_MAX + 1)
#define S4_REPLY_LEN		8

enum socks4_status {
	S4_OK = 0,
	S4_NEED_MORE,		/* incomplete: read more, call again */
	S4_ERR_VERSION,		/* VN is not 4 */
	S4_ERR_FORMAT,		/* USERID or name too long, empty name */
	S4_ERR_FAMILY		/* not an IPv4 address (replies) */
};

/* A request, with NUL-terminated copies of USERID and (4A) name. */
struct socks4_request {
	uint8_t		cmd;		/* S4_CMD_*, or anything: caller checks */
	uint16_t	port;		/* host order */
	uint8_t		ip[4];
	bool		has_name;	/* SOCKS4A: name is the destination */
	uint8_t		useridlen;
	uint8_t		namelen;
	char		userid[S4_USERID_MAX + 1];
	char		name[S4_NAME_MAX + 1];
};

/*
 * Parse one request.  An unknown CD parses (the caller rejects it); an
 * empty USERID is fine, an empty 4A name is S4_ERR_FORMAT.
 */
enum socks4_status socks4_parse_request(const uint8_t *buf, size_t len,
	    struct socks4_request *req, size_t *consumed);

/*
 * The destination of a parsed request as a SOCKS5 address (what the
 * request core takes): ATYP IPv4, or DOMAINNAME for a 4A name.
 */
void	socks4_request_dest(const struct socks4_request *req,
	    struct socks5_addr *a);

/*
 * The address and port a reply carries, from sa: AF_INET, or an
 * IPv4-mapped AF_INET6 address; NULL gives 0.0.0.0:0.  Anything else is
 * S4_ERR_FAMILY: SOCKS4 cannot express it.
 */
enum socks4_status socks4_addr_from_sockaddr(const struct sockaddr *sa,
	    uint8_t ip[4], uint16_t *port);

/* The 8-byte reply; returns S4_REPLY_LEN, or 0 if out is too small. */
size_t	socks4_encode_reply(uint8_t rep, const uint8_t ip[4], uint16_t port,
	    uint8_t *out, size_t outlen);

/* A request (the client's side, for tests and tools); 0 if no room. */
size_t	socks4_encode_request(const struct socks4_request *req,
	    uint8_t *out, size_t outlen);

#endif
