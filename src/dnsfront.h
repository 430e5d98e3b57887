/*
 * dnsfront.h - the DNS front door's answers (protocol "dns"): one query
 * in, one response out, for the UDP thread (dns_udp.c) and the TCP door
 * (door_dns.c) alike.
 *
 * Per query: the rules decide whether the client may ask (the core's
 * rule evaluation, request_dns_check: command "connect" as for a
 * RESOLVE, to the name asked, so `from`, `users`/`auth` ("none"),
 * `listeners`, `time` and name patterns in `to` apply; the resolved
 * addresses are checked against the networks in `to`); a client no
 * rule allows gets REFUSED.  A (AAAA): the name is resolved here first
 * (a name that does not exist: NXDOMAIN), then answered with its fake
 * from fake.ipv4 (fake.ipv6) and TTL fake.ttl; names matching
 * fake.exclude and numeric names get the real addresses of that family.
 * PTR of a fake: its name.  Other reverse names and other types are
 * forwarded to the system resolver's nameservers after the same rules
 * check (by name or address, without a look-up; dnsfwd.h) and answered
 * as they answer.  Classes other than IN: NOTIMP.  Refused and failed
 * queries log one line each (names escaped); answered ones only at
 * debug level.  Every answer is counted (stats_dns).
 */
#ifndef SG_DNSFRONT_H
#define SG_DNSFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

/*
 * Room for any answer over UDP: ours take ~800 bytes at most, and a
 * client's UDP size is at most 1232 (dnsmsg.h); a larger forwarded answer
 * goes with TC and no records.  Over TCP the door gives DNSMSG_TCP_MAX.
 */
#define DNSFRONT_OUT_MAX	4096

/*
 * The answer to in[0..inlen) from client on listener l (as opened): its
 * length in out (outlen bytes), or 0: nothing to send (not a query).
 * tcp: no UDP size limit.  Blocks while names are looked up (over UDP
 * at most DNS_UDP_BLOCKING_MAX callers at once: SERVFAIL over that).
 * Meta-query types (IXFR, AXFR, MAILB, MAILA, ANY) get NOTIMP (RFC
 * 8482: ANY is an amplifier, and a zone transfer cannot be relayed as
 * one message).
 */
size_t	dnsfront_answer(const struct config_listen *l,
	    const struct sockaddr_storage *client, bool tcp,
	    const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen);

#endif
