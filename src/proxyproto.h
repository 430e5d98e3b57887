/*
 * proxyproto.h - pure parser of the PROXY protocol header a load
 * balancer (HAProxy's send-proxy / send-proxy-v2) puts in front of a
 * client's bytes, to say who the client is ("The PROXY protocol,
 * versions 1 & 2", haproxy.org doc/proxy-protocol.txt).
 *
 * Version 1 is a text line, "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" or
 * "PROXY UNKNOWN ...\r\n", at most 107 bytes with its CRLF.  Version 2
 * is binary: a 12-byte signature, version/command, family/transport, a
 * 16-bit length, the addresses, then TLVs (skipped).  Its LOCAL command
 * (the balancer's own health check) carries no client.
 *
 * Incremental like socks5.h: PROXYPROTO_NEED_MORE when every byte given
 * belongs to a header not yet complete (so a caller may consume them
 * all), PROXYPROTO_OK with *used the header's length (bytes after it
 * are the client's), PROXYPROTO_ERROR with a reason.  Bytes that can no
 * longer begin a header are an error at once, not NEED_MORE.  No I/O,
 * no allocation, no global state.
 */
#ifndef SG_PROXYPROTO_H
#define SG_PROXYPROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PROXYPROTO_V1_MAX	107		/* with CRLF */
#define PROXYPROTO_V2_FIXED	16		/* signature..length */
#define PROXYPROTO_V2_MAX	(PROXYPROTO_V2_FIXED + 65535)
/* The longest header of either version. */
#define PROXYPROTO_MAX		PROXYPROTO_V2_MAX

enum proxyproto_status {
	PROXYPROTO_OK = 0,
	PROXYPROTO_NEED_MORE,
	PROXYPROTO_ERROR
};

/* What the header says. */
enum proxyproto_kind {
	PROXYPROTO_PROXY,	/* a client: src and dst are set */
	PROXYPROTO_UNKNOWN,	/* v1 UNKNOWN, v2 UNSPEC or a family/transport
				 * not carried here: keep the connection's */
	PROXYPROTO_LOCAL	/* v2 LOCAL: the balancer itself (a check) */
};

struct proxyproto_hdr {
	int			 version;	/* 1 or 2 */
	enum proxyproto_kind	 kind;
	/* PROXYPROTO_PROXY: the client and the address it connected to. */
	struct sockaddr_storage	 src, dst;
};

/*
 * Parse the header at the start of buf (len bytes).  OK: *h filled and
 * *used = its length.  NEED_MORE: *used = the least total length worth
 * calling again with.  ERROR: *why says why (a static string); *h is
 * then undefined.
 */
enum proxyproto_status proxyproto_parse(const uint8_t *buf, size_t len,
	    struct proxyproto_hdr *h, size_t *used, const char **why);

#endif
