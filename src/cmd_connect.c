/*
 * cmd_connect.c - CONNECT (RFC 1928 section 4) in the request core:
 * the upstreams route it direct (resolve, rules per address, connect),
 * through a chain (RFC 3089 section 4), or refuse it; then the reply
 * with the bound address and the relay.
 */
#include "sgconfig.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "log.h"
#include "request.h"
#include "request_int.h"
#include "resolve.h"
#include "route.h"
#include "fdbudget.h"
#include "sock.h"
#include "socks5.h"


/* Direct: resolve here, check every address, connect. */
static uint8_t
connect_direct(struct request *r)
{
	struct resolve_result res;
	unsigned char skip[RESOLVE_MAX];
	size_t which;
	uint8_t rep;
	int inflight;

	if ((rep = request_resolve(r, &res)) != S5_REP_SUCCEEDED)
		return rep;
	if (request_allow_addrs(r, &res, skip) == 0 ||
	    !request_limits_admit(r))
		return S5_REP_NOT_ALLOWED;
	/* RFC 8305 staggers attempts: a few at once, as the budget allows. */
	inflight = fdbudget_attempts();
	r->dfd = sock_connect_any(res.addrs, res.n, skip,
	    r->cfg->timeout_connect * 1000, SOCK_STAGGER_MS, inflight, &which);
	fdbudget_attempts_done(inflight);
	if (r->dfd == -1) {
		rep = socks5_rep_from_errno(errno);
		log_info("connect to %s: %s", r->dest_str, strerror(errno));
		return rep;
	}
	addr_ntop((struct sockaddr *)&res.addrs[which], r->connected,
	    sizeof(r->connected));
	r->ruled = res.addrs[which];	/* for request_still_allowed */
	return S5_REP_SUCCEEDED;
}

/* REP code, r->dfd set on success. */
static uint8_t
connect_routed(struct request *r)
{
	const struct config *c = r->cfg;
	struct sockaddr_storage ss;
	const struct sockaddr *sa;
	const char *name;
	int k;

	name = request_route_dest(r, &ss, &sa);
	/* The door's own route (a portmap listener's via) comes first. */
	if (r->route != NULL)
		return request_via_upstream(r, r->route, sa);
	k = route_match(c->routes, c->nroutes, name, sa, r->dest.port);
	if (k < 0 || c->routes[k].action == ROUTE_DIRECT)
		return connect_direct(r);
	if (c->routes[k].action == ROUTE_DENY) {
		log_info("connect to %s denied by upstreams entry %d (line %d)",
		    r->dest_str, k + 1, c->routes[k].line);
		return S5_REP_NOT_ALLOWED;
	}
	return request_via_upstream(r, &c->routes[k], sa);
}

/*
 * Reply 0x00 with the outbound socket's own address (a chain's last
 * hop's, when chained), then relay.
 */
void
cmd_connect_run(struct request *r)
{
	struct sockaddr_storage bnd;
	socklen_t blen = sizeof(bnd);
	uint8_t rep;

	if ((rep = connect_routed(r)) != S5_REP_SUCCEEDED) {
		(void)request_reply(r, rep, NULL);
		r->end = rep == S5_REP_NOT_ALLOWED ? "denied" : "failed";
		return;
	}
	if (r->have_bnd) {
		if (request_reply_wire(r, S5_REP_SUCCEEDED, &r->bnd) == -1) {
			r->end = "client-error";
			return;
		}
	} else if (getsockname(r->dfd, (struct sockaddr *)&bnd, &blen) == -1) {
		log_warn("getsockname");
		(void)request_reply(r, S5_REP_GENERAL_FAILURE, NULL);
		r->end = "error";
		return;
	} else if (request_reply(r, S5_REP_SUCCEEDED, (struct sockaddr *)&bnd)
	    == -1) {
		r->end = "client-error";
		return;
	}
	request_relay(r);
}
