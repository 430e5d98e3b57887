/*
 * dnsmsg.h - PURE DNS message codec for the DNS front door (RFC 1035,
 * EDNS(0) of RFC 6891): parse one query, encode one response.  Bytes in,
 * bytes out: no I/O, no allocation, no globals.
 *
 * A query must carry exactly one question; its name must not use
 * compression pointers (RFC 1035 section 4.1.4 allows them, but a query
 * has nothing earlier to point at: such a query is REFUSED); labels are
 * at most 63 bytes, the name at most 255 on the wire, and each label is
 * printable ASCII without '.' (anything else is FORMERR: the name has to
 * become text for getaddrinfo and the logs).  An OPT record in the
 * additional section is tolerated (its UDP size is read, the rest
 * ignored); any other record in a query is FORMERR.
 */
#ifndef SG_DNSMSG_H
#define SG_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNSMSG_HDR_LEN		12
#define DNSMSG_WIRE_NAME_MAX	255	/* RFC 1035 section 3.1 */
#define DNSMSG_TEXT_NAME_MAX	253	/* dotted, without the root dot */
#define DNSMSG_LABEL_MAX	63
#define DNSMSG_UDP_MIN		512	/* RFC 1035 section 4.2.1 */
#define DNSMSG_UDP_CAP		1232	/* the DNS flag day 2020 figure */
#define DNSMSG_TCP_MAX		65535	/* RFC 1035 section 4.2.2 */
/* The largest query we take: header, question, an OPT with options. */
#define DNSMSG_QUERY_MAX	1232

/* Types and classes we know by name. */
#define DNSMSG_TYPE_A		1
#define DNSMSG_TYPE_PTR		12
#define DNSMSG_TYPE_AAAA	28
#define DNSMSG_TYPE_OPT		41
#define DNSMSG_CLASS_IN		1

/* RCODEs (RFC 1035 section 4.1.1). */
#define DNSMSG_NOERROR		0
#define DNSMSG_FORMERR		1
#define DNSMSG_SERVFAIL		2
#define DNSMSG_NXDOMAIN		3
#define DNSMSG_NOTIMP		4
#define DNSMSG_REFUSED		5

enum dnsmsg_status {
	DNSMSG_OK = 0,
	DNSMSG_SHORT,		/* not even a header: nothing to answer */
	DNSMSG_NOTQUERY,	/* QR set (a response): dropped */
	DNSMSG_BAD,		/* answer with rcode (FORMERR, NOTIMP, REFUSED) */
};

struct dnsmsg_query {
	uint16_t	 id;
	uint8_t		 opcode;
	bool		 rd;		/* recursion desired, echoed */
	/* The question as sent (name, type, class), echoed in answers. */
	uint8_t		 question[DNSMSG_WIRE_NAME_MAX + 4];
	size_t		 qlen;		/* 0 when it could not be read */
	char		 name[DNSMSG_TEXT_NAME_MAX + 2];	/* "" = root */
	uint16_t	 qtype, qclass;
	bool		 edns;		/* an OPT record came with it */
	/* What a UDP answer may take: 512, or the OPT's up to 1232. */
	uint16_t	 udp_size;
	uint8_t		 rcode;		/* with DNSMSG_BAD: the answer */
};

/*
 * Parse the query in buf[0..len) (one UDP datagram, or one TCP message
 * without its length prefix).  DNSMSG_OK fills q; DNSMSG_BAD fills
 * q->rcode and as much of q as was read (id, opcode, rd, maybe the
 * question) for an error answer; SHORT and NOTQUERY are to be dropped.
 */
enum dnsmsg_status dnsmsg_parse_query(const uint8_t *buf, size_t len,
	    struct dnsmsg_query *q);

/* One answer record: its NAME is always the question's (a pointer). */
struct dnsmsg_rr {
	uint16_t	 type;
	uint32_t	 ttl;
	uint16_t	 rdlen;
	uint8_t		 rdata[DNSMSG_WIRE_NAME_MAX];
};

/*
 * Encode the response to q: rcode, the question (when q has one), the
 * records rr[0..nrr) and an OPT record when the query had one.  At most
 * max bytes (q->udp_size over UDP, DNSMSG_TCP_MAX over TCP) and outlen:
 * when the records would not fit, none is sent and TC is set (RFC 2181
 * section 9).  Returns the length written, or 0 if even the header and
 * question do not fit in outlen.
 */
size_t	dnsmsg_encode(const struct dnsmsg_query *q, uint8_t rcode,
	    const struct dnsmsg_rr *rr, size_t nrr, size_t max,
	    uint8_t *out, size_t outlen);

/*
 * A PTR record's RDATA from a dotted name (a trailing dot allowed):
 * true with rr->rdata/rdlen set, false for a name that is not a valid
 * uncompressed domain name.
 */
bool	dnsmsg_rr_ptr(const char *name, uint32_t ttl, struct dnsmsg_rr *rr);

/* An A (4 bytes) or AAAA (16 bytes) record from network-order bytes. */
void	dnsmsg_rr_addr(uint16_t type, const uint8_t *addr, uint32_t ttl,
	    struct dnsmsg_rr *rr);

/*
 * The address a reverse name stands for: "d.c.b.a.in-addr.arpa" (four
 * decimal labels) or the 32 nibbles of "….ip6.arpa" (RFC 3596 section
 * 2.5), case-insensitive, trailing dot allowed; port 0.  false for any
 * other name (a partial reverse name included).
 */
bool	dnsmsg_ptr_addr(const char *name, struct sockaddr_storage *ss);

/*
 * Forwarding (RFC 1035 section 7, as a stub resolver): the query that
 * asks an upstream server q's question, bytes as the client wrote them,
 * under id (ours, not the client's), RD set, and an OPT record (UDP size
 * DNSMSG_UDP_CAP, no options) exactly when q had one: an answer to a
 * client without EDNS must carry no OPT (RFC 6891 section 7).  Its
 * length, or 0 when q has no question or outlen is too small.
 */
size_t	dnsmsg_make_query(const struct dnsmsg_query *q, uint16_t id,
	    uint8_t *out, size_t outlen);

/*
 * Is up[0..len) the upstream's answer to the query dnsmsg_make_query
 * made of q under id?  A response (QR), opcode QUERY, that id, one
 * question equal to q's (the name compared case-insensitively, RFC 4343;
 * no compression pointer: a first name has nothing to point at).  The
 * records are not read: they go to the client as they came.  DNSMSG_OK
 * with its RCODE in *rcode, else DNSMSG_BAD.
 */
enum dnsmsg_status dnsmsg_check_reply(const uint8_t *up, size_t len,
	    uint16_t id, const struct dnsmsg_query *q, uint8_t *rcode);

/*
 * The client's answer from a checked upstream answer, of which up holds
 * the first len bytes of whole (a TCP answer may be longer than the
 * buffer that read it): the answer as it came, with the client's id and
 * RD bit, when all of it is there and fits in max (the client's UDP
 * size, or DNSMSG_TCP_MAX) and outlen; else the header and question
 * alone (dnsmsg_encode, the OPT when q had one) with the upstream's
 * RCODE and TC set, so that the client asks again over TCP (RFC 2181
 * section 9).  The length written, or 0 if even that does not fit.
 */
size_t	dnsmsg_relay(const struct dnsmsg_query *q, const uint8_t *up,
	    size_t len, size_t whole, size_t max, uint8_t *out,
	    size_t outlen);

#endif
