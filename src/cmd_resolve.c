/*
 * cmd_resolve.c - RESOLVE (Tor's extension, S5_CMD_RESOLVE) in the
 * request core: one address of the name, in the family DST.PORT asks
 * for when it has one.  The rules are CONNECT's and are checked on
 * every address: a user they refuse learns nothing (0x02, no address).
 * A name that does not resolve is 0x04, so the Socks Lib can tell a
 * program at look-up time (RFC 3089 section 3).
 */
#include "sgconfig.h"

#include <unistd.h>
#include <sys/socket.h>

#include "addr.h"
#include "request.h"
#include "request_int.h"
#include "resolve.h"
#include "route.h"
#include "socks5.h"

#define NOT_ROUTED	0xff	/* not a REP: answer the look-up here */

/*
 * A look-up of a name that upstreams route elsewhere is that route's
 * business: refused for deny, asked of the last hop for a chain (its
 * answer passed on), answered here for direct.  Returns the REP sent,
 * or NOT_ROUTED when the look-up is to be answered here.
 */
static uint8_t
resolve_routed(struct request *r)
{
	const struct config *c = r->cfg;
	struct sockaddr_storage ss;
	const struct sockaddr *sa;
	const char *name;
	socklen_t len;
	uint8_t rep;
	int k;

	name = request_route_dest(r, &ss, &sa);
	k = route_match_lookup(c->routes, c->nroutes, name, sa);
	if (k < 0 || c->routes[k].action == ROUTE_DIRECT)
		return NOT_ROUTED;
	if (c->routes[k].action == ROUTE_DENY)
		rep = S5_REP_NOT_ALLOWED;
	else if ((rep = request_via_upstream(r, &c->routes[k], sa)) ==
	    S5_REP_SUCCEEDED) {
		/* The answer is in the last hop's BND; the tunnel is done. */
		close(r->dfd);
		r->dfd = -1;
		if (socks5_addr_to_sockaddr(&r->bnd, &ss, &len) == S5_OK)
			addr_ntop_host((struct sockaddr *)&ss, r->connected,
			    sizeof(r->connected));
		(void)request_reply_wire(r, rep, &r->bnd);
		return rep;
	}
	(void)request_reply(r, rep, NULL);
	return rep;
}

/* The allowed address to answer with: of the family wanted, if any. */
static size_t
pick_addr(const struct request *r, const struct resolve_result *res,
    const unsigned char *skip)
{
	enum config_prefer pref = r->cfg->prefer;
	size_t i, pick = RESOLVE_MAX;
	int want;

	if (r->dest.port == S5_RESOLVE_WANT_IPV4)
		pref = CONFIG_PREFER_IPV4;
	else if (r->dest.port == S5_RESOLVE_WANT_IPV6)
		pref = CONFIG_PREFER_IPV6;
	want = pref == CONFIG_PREFER_IPV4 ? AF_INET : pref ==
	    CONFIG_PREFER_IPV6 ? AF_INET6 : AF_UNSPEC;
	for (i = 0; i < res->n; i++) {
		if (skip[i])
			continue;
		if (pick == RESOLVE_MAX || (want != AF_UNSPEC &&
		    res->addrs[i].ss_family == want &&
		    res->addrs[pick].ss_family != want))
			pick = i;
	}
	return pick;
}

void
cmd_resolve_run(struct request *r)
{
	struct resolve_result res;
	unsigned char skip[RESOLVE_MAX];
	size_t pick;
	uint8_t rep;

	if ((rep = resolve_routed(r)) != NOT_ROUTED) {
		r->end = rep == S5_REP_SUCCEEDED ? "resolved" : rep ==
		    S5_REP_NOT_ALLOWED ? "denied" : "failed";
		return;
	}
	if ((rep = request_resolve(r, &res)) == S5_REP_SUCCEEDED &&
	    request_allow_addrs(r, &res, skip) == 0)
		rep = S5_REP_NOT_ALLOWED;
	if (rep != S5_REP_SUCCEEDED) {
		(void)request_reply(r, rep, NULL);
		r->end = rep == S5_REP_NOT_ALLOWED ? "denied" : "failed";
		return;
	}
	pick = pick_addr(r, &res, skip);
	addr_set_port((struct sockaddr *)&res.addrs[pick], 0);
	addr_ntop_host((struct sockaddr *)&res.addrs[pick], r->connected,
	    sizeof(r->connected));
	(void)request_reply(r, S5_REP_SUCCEEDED,
	    (struct sockaddr *)&res.addrs[pick]);
	r->end = "resolved";
}
