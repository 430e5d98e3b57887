/*
 * cmd_bind.c - BIND (RFC 1928 section 4) in the request core: listen in
 * the family of the expected peer (bindcmd.c), first reply with where,
 * second reply with who came, then relay.
 */
#include "sgconfig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"
#include "bindcmd.h"
#include "fdbudget.h"
#include "log.h"
#include "request.h"
#include "request_int.h"
#include "resolve.h"
#include "socks5.h"

/*
 * The second half: wait for the peer on lfd, tell the client who came,
 * relay.  Takes ownership of lfd: it is closed once the peer came, so
 * nobody else queues up behind it during the relay.
 */
static void
bind_accept(struct request *r, int lfd, const struct sockaddr *peer)
{
	struct sockaddr_storage from;

	r->dfd = bindcmd_accept(lfd, r->cfd, peer, r->cfg->timeout_bind * 1000,
	    &from);
	close(lfd);
	if (r->dfd == -1) {
		r->end = errno == ETIMEDOUT ? "bind-timeout" : "client-gone";
		(void)request_reply(r, errno == ETIMEDOUT ?
		    S5_REP_TTL_EXPIRED : S5_REP_GENERAL_FAILURE, NULL);
		return;
	}
	addr_ntop((struct sockaddr *)&from, r->connected, sizeof(r->connected));
	if (request_reply(r, S5_REP_SUCCEEDED, (struct sockaddr *)&from)
	    == -1) {
		r->end = "client-error";
		return;
	}
	request_relay(r);
}

/*
 * An all-zero peer ("anyone") matches no `to` network in the rules.
 */
void
cmd_bind_run(struct request *r)
{
	struct resolve_result res;
	struct sockaddr_storage bnd;
	const struct sockaddr *peer;
	unsigned char skip[RESOLVE_MAX];
	uint8_t rep;
	int lfd;

	if ((rep = request_resolve(r, &res)) != S5_REP_SUCCEEDED)
		goto refuse;
	/* An IPV6_V6ONLY listener would never see ::ffff:a.b.c.d: use IPv4. */
	addr_unmap_v4(&res.addrs[0]);
	peer = (const struct sockaddr *)&res.addrs[0];
	res.n = 1;
	if ((addr_is_unspecified(peer) ? !request_allow_dest(r, NULL) :
	    request_allow_addrs(r, &res, skip) == 0) ||
	    !request_limits_admit(r)) {
		rep = S5_REP_NOT_ALLOWED;
		goto refuse;
	}
	/* The listener and the peer's connection, beside CONNECT's two. */
	if (!request_take_fds(r, FDBUDGET_BIND - FDBUDGET_CONNECT)) {
		rep = S5_REP_GENERAL_FAILURE;
		goto refuse;
	}
	if ((lfd = bindcmd_listen(peer, r->cfd, &bnd)) == -1) {
		log_warn("bind: listen");
		rep = socks5_rep_from_errno(errno);
		goto refuse;
	}
	if (request_reply(r, S5_REP_SUCCEEDED, (struct sockaddr *)&bnd) == -1) {
		close(lfd);
		r->end = "client-error";
		return;
	}
	bind_accept(r, lfd, peer);
	return;
refuse:
	(void)request_reply(r, rep, NULL);
	r->end = rep == S5_REP_NOT_ALLOWED ? "denied" : "failed";
}
