/*
 * dnsfront.c - the DNS front door's answers (see dnsfront.h).
 */
#include "sgconfig.h"

#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "addr.h"
#include "dns_udp.h"
#include "dnsfront.h"
#include "dnsfwd.h"
#include "dnsmsg.h"
#include "escape.h"
#include "faketable.h"
#include "gate.h"
#include "log.h"
#include "request.h"
#include "resolve.h"
#include "selfaddr.h"
#include "sgio.h"
#include "stats.h"

#define COMPLAIN_MS	10000
#define FORWARD		0xff	/* answer(): not ours, ask upstream */

static const struct request_door dns_door = { .name = "dns" };

/* When "fake table full" and "own look-up" were last said. */
static _Atomic int64_t said_full, said_self;

/* UDP queries in a step that may block (dns_udp.h), and when said. */
static struct gate udp_blocking = GATE_INITIALIZER(DNS_UDP_BLOCKING_MAX);
static _Atomic int64_t said_busy;

struct query {
	const struct config_listen *l;
	bool			 tcp;
	bool			 blocking;	/* holds a udp_blocking slot */
	struct config		*cfg;
	struct dnsmsg_query	 q;
	struct dnsmsg_rr	 rr[RESOLVE_MAX];
	size_t			 nrr;
	char			 name[ESCAPE_LEN(DNSMSG_TEXT_NAME_MAX + 1)];
	struct request		 r;
};

static const char *
type_str(uint16_t t, char *buf, size_t len)
{
	switch (t) {
	case DNSMSG_TYPE_A:
		return "A";
	case DNSMSG_TYPE_AAAA:
		return "AAAA";
	case DNSMSG_TYPE_PTR:
		return "PTR";
	case 2:
		return "NS";
	case 5:
		return "CNAME";
	case 6:
		return "SOA";
	case 15:
		return "MX";
	case 16:
		return "TXT";
	case 33:
		return "SRV";
	}
	snprintf(buf, len, "TYPE%u", t);
	return buf;
}

/* The request the core sees: an unauthenticated look-up of dest. */
static void
query_request(struct query *x, const struct sockaddr_storage *client)
{
	struct request *r = &x->r;

	memset(r, 0, sizeof(*r));
	r->cfd = -1;
	r->dfd = -1;
	r->peer = *client;
	addr_ntop_host((const struct sockaddr *)client, r->peerhost,
	    sizeof(r->peerhost));
	r->cfg = x->cfg;
	r->start = sgio_now_ms();
	r->listener = x->l;
	r->door = &dns_door;
	r->auth = REQUEST_AUTH_NONE;
	r->cmd = S5_CMD_RESOLVE;
	r->rule = -1;
}

static void
set_name_dest(struct request *r, const char *name)
{
	r->dest.atyp = S5_ATYP_DOMAINNAME;
	r->dest.namelen = (uint8_t)strlen(name);
	snprintf(r->dest.u.name, sizeof(r->dest.u.name), "%s", name);
}

/* The RCODE for a failed look-up (request_dns_check's *gai). */
static uint8_t
lookup_rcode(uint8_t rep, int gai)
{
	if (rep == S5_REP_NOT_ALLOWED)
		return DNSMSG_REFUSED;
#ifdef EAI_NODATA
	if (gai == EAI_NODATA)
		return DNSMSG_NXDOMAIN;
#endif
	return gai == EAI_NONAME ? DNSMSG_NXDOMAIN : DNSMSG_SERVFAIL;
}

/* The real addresses of the family asked for (exclude, numeric names). */
static void
real_answer(struct query *x, const struct resolve_result *res, int family)
{
	const struct sockaddr_storage *ss;
	size_t i;

	for (i = 0; i < res->n; i++) {
		ss = &res->addrs[i];
		if (ss->ss_family != family)
			continue;
		dnsmsg_rr_addr(x->q.qtype, family == AF_INET ?
		    (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr
		    : ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr,
		    (uint32_t)x->cfg->fake_ttl, &x->rr[x->nrr++]);
	}
}

/*
 * Is this A/AAAA query the gateway's own look-up come back: asked from
 * one of its own addresses, for a name it is looking up now, while
 * /etc/resolv.conf names its own dns listener?  Answering it would take
 * another look-up of the same name, which comes back again (workers
 * held until the resolver's timeouts), and a fake at the end of it
 * would be what the gateway connects to: SERVFAIL at once instead, so
 * the resolver moves on to the next nameserver.  Logged, rate-limited.
 */
static bool
own_lookup(const struct query *x, const struct sockaddr_storage *client)
{
	const struct sockaddr *sa = (const struct sockaddr *)client;
	struct sockaddr_storage ns;
	char buf[ADDR_STRLEN];

	if ((!addr_is_loopback(sa) && !selfaddr_has(sa)) ||
	    !resolve_busy(x->q.name) || !dnsfwd_names_self(&ns))
		return false;
	if (log_due(&said_self, sgio_now_ms(), COMPLAIN_MS))
		log_warnx("dns: %s %s: the gateway's own look-up came back: "
		    "nameserver %s of /etc/resolv.conf is this gateway's own "
		    "dns listener (a loop; name the upstream servers there): "
		    "answering SERVFAIL", x->q.qtype == DNSMSG_TYPE_A ? "A" :
		    "AAAA", x->name, addr_ntop((const struct sockaddr *)&ns,
		    buf, sizeof(buf)));
	return true;
}

/*
 * Before a step that may block (a name's resolution, a forward): over
 * UDP, one of DNS_UDP_BLOCKING_MAX slots, or false (logged, rate
 * limited) when all are taken.  block_end gives it back.
 */
static bool
block_begin(struct query *x)
{
	if (x->tcp)
		return true;
	if (gate_enter(&udp_blocking)) {
		x->blocking = true;
		return true;
	}
	if (log_due(&said_busy, sgio_now_ms(), COMPLAIN_MS))
		log_warnx("dns: %s: %d UDP queries are waiting for look-ups "
		    "already: answering SERVFAIL", x->name,
		    DNS_UDP_BLOCKING_MAX);
	return false;
}

static void
block_end(struct query *x)
{
	if (x->blocking)
		gate_leave(&udp_blocking);
	x->blocking = false;
}

static uint8_t
answer_addr(struct query *x, const struct sockaddr_storage *client)
{
	int family = x->q.qtype == DNSMSG_TYPE_A ? AF_INET : AF_INET6;
	struct resolve_result res;
	struct sockaddr_storage fake;
	enum faketable_status st;
	uint8_t rep;
	int gai;

	if (x->q.name[0] == '\0') {
		log_info("dns: an address of the root: answered REFUSED");
		return DNSMSG_REFUSED;
	}
	if (own_lookup(x, client))
		return DNSMSG_SERVFAIL;
	query_request(x, client);
	set_name_dest(&x->r, x->q.name);
	if (!block_begin(x))
		return DNSMSG_SERVFAIL;
	rep = request_dns_check(&x->r, &res, &gai);
	block_end(x);
	if (rep != S5_REP_SUCCEEDED)
		return lookup_rcode(rep, gai);
	if (config_fake_excluded(x->cfg, x->q.name) ||
	    resolve_literal(x->q.name, 0, &res)) {
		real_answer(x, &res, family);
		return DNSMSG_NOERROR;
	}
	if ((st = fake_get(x->q.name, family, &fake)) != FAKETABLE_OK) {
		if (log_due(&said_full, sgio_now_ms(), COMPLAIN_MS))
			log_warnx("dns: the fake table is full (fake.ipv4 or "
			    "fake.ipv6 too small for the names asked within "
			    "their hold time): answering SERVFAIL for %s",
			    x->name);
		return DNSMSG_SERVFAIL;
	}
	real_answer(x, &(struct resolve_result){ .addrs = { fake }, .n = 1 },
	    family);
	return DNSMSG_NOERROR;
}

/*
 * Other types (MX, TXT, SRV, ...): may the client ask about the name
 * (the rules, without looking it up: a name may have records and no
 * address)?  Then the system resolver answers.
 */
static uint8_t
answer_other(struct query *x, const struct sockaddr_storage *client)
{
	int gai;

	query_request(x, client);
	set_name_dest(&x->r, x->q.name[0] != '\0' ? x->q.name : ".");
	if (request_dns_check(&x->r, NULL, &gai) != S5_REP_SUCCEEDED)
		return DNSMSG_REFUSED;
	return FORWARD;
}

/*
 * PTR: a fake's name, answered here; any other reverse name (a real
 * address's, a partial one) is forwarded, so the client gets the DNS's
 * own answer (every name, the real TTL) rather than getnameinfo's.
 */
static uint8_t
answer_ptr(struct query *x, const struct sockaddr_storage *client)
{
	struct sockaddr_storage ss;
	char host[NI_MAXHOST];
	int gai;

	if (!dnsmsg_ptr_addr(x->q.name, &ss))
		return answer_other(x, client);
	query_request(x, client);
	x->r.dest.atyp = ss.ss_family == AF_INET ? S5_ATYP_IPV4 : S5_ATYP_IPV6;
	memcpy(x->r.dest.u.v6, ss.ss_family == AF_INET ?
	    (const void *)&((struct sockaddr_in *)&ss)->sin_addr :
	    (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
	    ss.ss_family == AF_INET ? 4 : 16);
	if (request_dns_check(&x->r, NULL, &gai) != S5_REP_SUCCEEDED)
		return DNSMSG_REFUSED;
	if (!fake_in_range((struct sockaddr *)&ss))
		return FORWARD;
	if (!fake_name_of((struct sockaddr *)&ss, host, sizeof(host)))
		return DNSMSG_NXDOMAIN;
	if (!dnsmsg_rr_ptr(host, (uint32_t)x->cfg->fake_ttl, &x->rr[0]))
		return DNSMSG_SERVFAIL;
	x->nrr = 1;
	return DNSMSG_NOERROR;
}

static uint8_t
answer(struct query *x, const struct sockaddr_storage *client)
{
	if (x->q.qclass != DNSMSG_CLASS_IN)
		return DNSMSG_NOTIMP;
	/* IXFR 251, AXFR 252, MAILB 253, MAILA 254, ANY 255: not relayed. */
	if (x->q.qtype >= 251 && x->q.qtype <= 255) {
		log_info("dns: %s: meta-query type %u: answered NOTIMP",
		    x->name, x->q.qtype);
		return DNSMSG_NOTIMP;
	}
	switch (x->q.qtype) {
	case DNSMSG_TYPE_A:
	case DNSMSG_TYPE_AAAA:
		return answer_addr(x, client);
	case DNSMSG_TYPE_PTR:
		return answer_ptr(x, client);
	default:
		return answer_other(x, client);
	}
}

size_t
dnsfront_answer(const struct config_listen *l,
    const struct sockaddr_storage *client, bool tcp, const uint8_t *in,
    size_t inlen, uint8_t *out, size_t outlen)
{
	static const char *const rnames[] = { "NOERROR", "FORMERR",
	    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };
	struct query *x;
	enum dnsmsg_status st;
	char tb[16], what[sizeof(x->name) + 16];
	uint8_t rcode;
	size_t n = 0;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return 0;
	x->l = l;
	x->tcp = tcp;
	st = dnsmsg_parse_query(in, inlen, &x->q);
	if (st == DNSMSG_SHORT || st == DNSMSG_NOTQUERY) {
		log_debug("dns: %zu bytes that are not a query: dropped", inlen);
		goto out;
	}
	escape_log_str(x->q.name, x->name, sizeof(x->name));
	if (st == DNSMSG_BAD) {
		rcode = x->q.rcode;
		log_info("dns: malformed or unsupported query (opcode %u): "
		    "answered %s", x->q.opcode, rnames[rcode]);
	} else {
		x->cfg = config_current();
		rcode = answer(x, client);
		config_release(x->cfg);
		snprintf(what, sizeof(what), "%s %s", type_str(x->q.qtype, tb,
		    sizeof(tb)), x->name);
		if (rcode == FORWARD && !block_begin(x))
			rcode = DNSMSG_SERVFAIL;
		if (rcode == FORWARD) {
			n = dnsfwd_answer(&x->q, what, tcp, out, outlen,
			    &rcode);
			block_end(x);
			log_debug("dns: %s: forwarded, %s", what,
			    rcode < 6 ? rnames[rcode] : "other");
			goto counted;
		}
		/* A refusal or failure has had its line (core or above). */
		log_debug("dns: %s: %s, %zu records", what, rnames[rcode],
		    x->nrr);
	}
	n = dnsmsg_encode(&x->q, rcode, x->rr, x->nrr, tcp ? DNSMSG_TCP_MAX :
	    x->q.udp_size, out, outlen);
counted:
	stats_dns(rcode);
out:
	free(x);
	return n;
}
