/*
 * session.c - one client, start to end, in its own thread (see
 * session.h).  This is the one place where the pure codec meets sockets:
 * bytes are read into a fixed buffer and handed to socks5_parse_*, which
 * say how much they consumed, so split and pipelined messages both work
 * and bytes sent after the request are relayed, not lost.
 */
#include "sgconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>

#include "acl.h"
#include "addr.h"
#include "auth_pam.h"
#include "bindcmd.h"
#include "chain.h"
#include "log.h"
#include "registry.h"
#include "relay.h"
#include "resolve.h"
#include "session.h"
#include "sgio.h"
#include "sock.h"
#include "socks5.h"
#include "udp.h"

#define SESSION_BUF		2048	/* > greeting + login + request */
#define REPLY_TIMEOUT_MS	10000

struct session {
	uint64_t		 id;
	int			 cfd;
	int			 dfd;
	struct sockaddr_storage	 peer;
	char			 peerhost[ADDR_STRLEN];
	struct config		*cfg;
	int64_t			 start;
	int64_t			 deadline;	/* end of the handshake */

	uint8_t			 buf[SESSION_BUF];
	size_t			 len;		/* bytes in buf */

	uint8_t			 method;	/* chosen in the greeting */
	bool			 authed;
	char			 user[S5_NAME_MAX + 1];
	struct socks5_request	 req;
	char			 dest[S5_NAME_MAX + 16];	/* as requested */
	char			 connected[ADDR_STRLEN + 300];
	bool			 have_bnd;	/* chained: the last hop's */
	struct socks5_addr	 bnd;
	uint8_t			 rep;
	struct relay_stats	 stats;
	char			 extra[160];	/* more for the access line */
	const char		*end;
};

static atomic_uint_fast64_t next_id = 1;

static void
session_free(struct session *s)
{
	if (s->dfd != -1)
		close(s->dfd);
	if (s->cfd != -1)
		close(s->cfd);
	config_release(s->cfg);
	explicit_bzero(s->buf, sizeof(s->buf));
	registry_leave((struct sockaddr *)&s->peer);
	free(s);
}

static int
send_bytes(struct session *s, const uint8_t *p, size_t n)
{
	if (sgio_send_all(&sgio_libc, s->cfd, p, n, sgio_now_ms() + REPLY_TIMEOUT_MS)
	    == -1) {
		log_info("cannot answer the client: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Read more handshake bytes before the deadline.  -1 (logged) on EOF,
 * error, timeout or a full buffer.
 */
static int
read_more(struct session *s, const char *stage)
{
	ssize_t n;

	if (s->len == sizeof(s->buf)) {
		log_info("%s: message too long", stage);
		return -1;
	}
	n = sgio_recv_some(&sgio_libc, s->cfd, s->buf + s->len, sizeof(s->buf) - s->len,
	    s->deadline);
	if (n > 0) {
		s->len += (size_t)n;
		return 0;
	}
	if (n == 0)
		log_debug("%s: client closed the connection", stage);
	else if (errno == ETIMEDOUT)
		log_info("%s: handshake timeout (%d s)", stage,
		    s->cfg->timeout_handshake);
	else
		log_info("%s: %s", stage, strerror(errno));
	return -1;
}

/* Drop n parsed bytes from the front of the buffer. */
static void
consume(struct session *s, size_t n)
{
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
}

static const char *
parse_err_str(enum socks5_status st)
{
	switch (st) {
	case S5_ERR_VERSION:
		return "wrong protocol version";
	case S5_ERR_ATYP:
		return "unknown address type";
	default:
		return "malformed message";
	}
}

/* RFC 1928 section 3: choose a method in the configured order. */
static int
do_greeting(struct session *s, uint8_t *method)
{
	struct socks5_greeting g;
	enum socks5_status st;
	uint8_t out[2], want;
	size_t used, i, k;

	while ((st = socks5_parse_greeting(s->buf, s->len, &g, &used)) ==
	    S5_NEED_MORE)
		if (read_more(s, "greeting") == -1)
			return -1;
	if (st != S5_OK) {
		log_info("greeting: %s", parse_err_str(st));
		return -1;
	}
	consume(s, used);
	*method = S5_METHOD_NO_ACCEPTABLE;
	for (k = 0; k < s->cfg->nauth && *method == S5_METHOD_NO_ACCEPTABLE;
	    k++) {
		want = s->cfg->auth_order[k] == CONFIG_AUTH_USERNAME ?
		    S5_METHOD_USERPASS : S5_METHOD_NONE;
		for (i = 0; i < g.nmethods; i++) {
			if (g.methods[i] == want)
				*method = want;
			/*
			 * RFC 1929 under our private number: tells the
			 * client it may pipeline (socks5.h).
			 */
			if (want == S5_METHOD_USERPASS &&
			    g.methods[i] == S5_METHOD_SIXGATE) {
				*method = S5_METHOD_SIXGATE;
				break;
			}
		}
	}
	socks5_encode_method(*method, out, sizeof(out));
	if (send_bytes(s, out, sizeof(out)) == -1)
		return -1;
	if (*method == S5_METHOD_NO_ACCEPTABLE) {
		log_info("no acceptable authentication method offered");
		return -1;
	}
	return 0;
}

/* RFC 1929 through PAM; the password is wiped whatever happens. */
static int
do_login(struct session *s)
{
	struct socks5_userpass up;
	enum socks5_status st;
	enum auth_result res;
	uint8_t out[2];
	char why[256];
	size_t used;

	while ((st = socks5_parse_userpass(s->buf, s->len, &up, &used)) ==
	    S5_NEED_MORE)
		if (read_more(s, "login") == -1)
			goto fail;
	if (st != S5_OK) {
		log_info("login: %s", parse_err_str(st));
		goto fail;
	}
	explicit_bzero(s->buf, used);
	consume(s, used);
	res = auth_pam_check(s->cfg->pam_service, up.user, up.pass,
	    s->peerhost, s->cfg->pam_serialize, why, sizeof(why));
	explicit_bzero(up.pass, sizeof(up.pass));
	socks5_encode_auth_status(res == AUTH_OK ? S5_AUTH_SUCCESS :
	    S5_AUTH_FAILURE, out, sizeof(out));
	if (res != AUTH_OK) {
		log_warnx("authentication failed for user=\"%s\" from %s: %s",
		    up.user, s->peerhost, why);
		(void)send_bytes(s, out, sizeof(out));
		return -1;
	}
	snprintf(s->user, sizeof(s->user), "%s", up.user);
	s->authed = true;
	log_debug("user \"%s\" authenticated", s->user);
	return send_bytes(s, out, sizeof(out));
fail:
	explicit_bzero(&up, sizeof(up));
	return -1;
}

static int
send_reply(struct session *s, uint8_t rep, const struct sockaddr *bnd)
{
	uint8_t out[S5_REPLY_MAX];
	size_t n;

	s->rep = rep;
	n = socks5_encode_reply(rep, bnd, out, sizeof(out));
	return send_bytes(s, out, n);
}

/* A reply whose BND is a wire address (a chained hop's, maybe a name). */
static int
send_reply_addr(struct session *s, uint8_t rep, const struct socks5_addr *a)
{
	uint8_t out[S5_REPLY_MAX];
	size_t n;

	s->rep = rep;
	/* A reply has the layout of a request, REP in place of CMD. */
	if ((n = socks5_encode_request(rep, a, out, sizeof(out))) == 0)
		return send_reply(s, rep, NULL);
	return send_bytes(s, out, n);
}

static int
read_request(struct session *s)
{
	enum socks5_status st;
	struct socks5_addr *a = &s->req.addr;
	struct sockaddr_storage ss;
	socklen_t len;
	size_t used;

	while ((st = socks5_parse_request(s->buf, s->len, &s->req, &used)) ==
	    S5_NEED_MORE)
		if (read_more(s, "request") == -1)
			return -1;
	if (st != S5_OK) {
		log_info("request: %s", parse_err_str(st));
		(void)send_reply(s, st == S5_ERR_ATYP ?
		    S5_REP_ATYP_UNSUPPORTED : S5_REP_GENERAL_FAILURE, NULL);
		return -1;
	}
	consume(s, used);
	if (a->atyp == S5_ATYP_DOMAINNAME)
		/* An IPv6 literal sent as a name gets its brackets. */
		snprintf(s->dest, sizeof(s->dest), strchr(a->u.name, ':') &&
		    a->u.name[0] != '[' ? "[%s]:%u" : "%s:%u", a->u.name,
		    a->port);
	else {
		(void)socks5_addr_to_sockaddr(a, &ss, &len);
		addr_ntop((struct sockaddr *)&ss, s->dest, sizeof(s->dest));
	}
	return 0;
}

static const char *
cmd_str(uint8_t cmd)
{
	switch (cmd) {
	case S5_CMD_CONNECT:
		return "connect";
	case S5_CMD_BIND:
		return "bind";
	case S5_CMD_UDP_ASSOCIATE:
		return "udp";
	case S5_CMD_RESOLVE:
		return "resolve";
	default:
		return "unknown";
	}
}

/* Resolve the destination (RFC 3089 section 3): REP code on failure. */
static uint8_t
destination_addrs(struct session *s, struct resolve_result *res)
{
	struct socks5_addr *a = &s->req.addr;
	socklen_t len;
	int rc;

	if (a->atyp != S5_ATYP_DOMAINNAME) {
		(void)socks5_addr_to_sockaddr(a, &res->addrs[0], &len);
		res->n = 1;
		return S5_REP_SUCCEEDED;
	}
	if ((rc = resolve_name(a->u.name, a->port, s->cfg->prefer, res))
	    != 0) {
		log_info("cannot resolve %s: %s", a->u.name, gai_strerror(rc));
		return rc == EAI_SYSTEM ? socks5_rep_from_errno(errno) :
		    S5_REP_HOST_UNREACH;
	}
	return S5_REP_SUCCEEDED;
}

/*
 * Rules, per resolved address: denied addresses are skipped.  Returns
 * the number allowed; when none is, logs the rule that refused the
 * first address.
 */
static size_t
check_rules(struct session *s, const struct resolve_result *res,
    unsigned char *skip)
{
	const struct config *c = s->cfg;
	struct acl_query q;
	char abuf[ADDR_STRLEN];
	size_t i, allowed = 0;
	int first = -2, r;

	q.client = (const struct sockaddr *)&s->peer;
	q.user = s->authed ? s->user : NULL;
	q.port = 0;
	q.command = acl_cmd_from_socks5(s->req.cmd);
	for (i = 0; i < res->n; i++) {
		q.dest = (const struct sockaddr *)&res->addrs[i];
		r = acl_match(c->rules, c->nrules, &q);
		skip[i] = !(r >= 0 && c->rules[r].action == ACL_ALLOW);
		if (!skip[i])
			allowed++;
		else if (first == -2)
			first = r;
	}
	if (allowed > 0)
		return allowed;
	addr_ntop((const struct sockaddr *)&res->addrs[0], abuf, sizeof(abuf));
	if (first >= 0)
		log_info("%s to %s (%s) denied by rule %d%s%s%s (line %d)",
		    cmd_str(s->req.cmd), s->dest, abuf, first + 1,
		    c->rules[first].name[0] ? " (" : "", c->rules[first].name,
		    c->rules[first].name[0] ? ")" : "", c->rules[first].line);
	else
		log_info("%s to %s (%s) denied: no rule allows it",
		    cmd_str(s->req.cmd), s->dest, abuf);
	return 0;
}

/*
 * The destination as routes see it: a name (unless it is a literal sent
 * as a name), or an address into ss.
 */
static const char *
route_dest(const struct socks5_addr *a, struct sockaddr_storage *ss,
    const struct sockaddr **sa)
{
	struct resolve_result lit;
	socklen_t len;

	*sa = NULL;
	if (a->atyp != S5_ATYP_DOMAINNAME) {
		(void)socks5_addr_to_sockaddr(a, ss, &len);
		*sa = (const struct sockaddr *)ss;
		return NULL;
	}
	/* A literal in a DOMAINNAME is an address (no look-up happens). */
	if (strspn(a->u.name, "0123456789abcdefABCDEF.:[]%") ==
	    strlen(a->u.name) && resolve_literal(a->u.name, a->port, &lit)) {
		*ss = lit.addrs[0];
		*sa = (const struct sockaddr *)ss;
		return NULL;
	}
	return a->u.name;
}

/* Rules for a request that goes upstream: no resolved address here. */
static bool
allowed_upstream(struct session *s, const struct sockaddr *dest)
{
	const struct config *c = s->cfg;
	struct acl_query q;
	int r;

	q.client = (const struct sockaddr *)&s->peer;
	q.user = s->authed ? s->user : NULL;
	q.dest = dest;
	q.port = s->req.addr.port;
	q.command = acl_cmd_from_socks5(s->req.cmd);
	r = acl_match(c->rules, c->nrules, &q);
	if (r >= 0 && c->rules[r].action == ACL_ALLOW)
		return true;
	if (r >= 0)
		log_info("%s to %s denied by rule %d%s%s%s (line %d)",
		    cmd_str(s->req.cmd), s->dest, r + 1,
		    c->rules[r].name[0] ? " (" : "", c->rules[r].name,
		    c->rules[r].name[0] ? ")" : "", c->rules[r].line);
	else
		log_info("%s to %s denied: no rule allows it",
		    cmd_str(s->req.cmd), s->dest);
	return false;
}

/*
 * Through upstream gateways (RFC 3089 section 4): chains in order, those
 * with a resting hop last; a destination failure at the far end ends the
 * attempt with that end's REP, a hop failure moves on to the next chain.
 */
static uint8_t
via_upstream(struct session *s, const struct route *rt,
    const struct sockaddr *dest)
{
	const struct config *c = s->cfg;
	struct chain_result res;
	char hops[300];
	size_t i, k, order[ROUTE_CHAINS_MAX], n = 0;
	int pass;

	if (!allowed_upstream(s, dest))
		return S5_REP_NOT_ALLOWED;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < rt->nchains; i++)
			if (chain_is_down(c, &rt->chains[i]) == (pass == 1))
				order[n++] = i;
	res.rep = S5_REP_GENERAL_FAILURE;
	for (k = 0; k < n; k++) {
		chain_str(c, &rt->chains[order[k]], hops, sizeof(hops));
		s->dfd = chain_connect(c, &rt->chains[order[k]], s->req.cmd,
		    &s->req.addr, &res);
		if (s->dfd != -1) {
			snprintf(s->connected, sizeof(s->connected), "via:%s",
			    hops);
			s->have_bnd = true;
			s->bnd = res.bnd;
			return S5_REP_SUCCEEDED;
		}
		log_info("connect to %s via %s: %s", s->dest, hops, res.why);
		if (!res.hop_failed)
			break;
	}
	return res.rep;
}

/* Direct: resolve here, check every address, connect. */
static uint8_t
connect_direct(struct session *s)
{
	struct resolve_result res;
	unsigned char skip[RESOLVE_MAX];
	size_t which;
	uint8_t rep;

	if ((rep = destination_addrs(s, &res)) != S5_REP_SUCCEEDED)
		return rep;
	if (check_rules(s, &res, skip) == 0)
		return S5_REP_NOT_ALLOWED;
	s->dfd = sock_connect_any(res.addrs, res.n, skip,
	    s->cfg->timeout_connect * 1000, SOCK_STAGGER_MS, &which);
	if (s->dfd == -1) {
		rep = socks5_rep_from_errno(errno);
		log_info("connect to %s: %s", s->dest, strerror(errno));
		return rep;
	}
	addr_ntop((struct sockaddr *)&res.addrs[which], s->connected,
	    sizeof(s->connected));
	return S5_REP_SUCCEEDED;
}

/* CONNECT (RFC 1928 section 4): REP code, s->dfd set on success. */
static uint8_t
do_connect(struct session *s)
{
	const struct config *c = s->cfg;
	struct sockaddr_storage ss;
	const struct sockaddr *sa;
	const char *name;
	int r;

	name = route_dest(&s->req.addr, &ss, &sa);
	r = route_match(c->routes, c->nroutes, name, sa, s->req.addr.port);
	if (r < 0 || c->routes[r].action == ROUTE_DIRECT)
		return connect_direct(s);
	if (c->routes[r].action == ROUTE_DENY) {
		log_info("%s to %s denied by upstreams entry %d (line %d)",
		    cmd_str(s->req.cmd), s->dest, r + 1, c->routes[r].line);
		return S5_REP_NOT_ALLOWED;
	}
	return via_upstream(s, &c->routes[r], sa);
}

static void pump(struct session *);

/* Reply 0x00 with the outbound socket's own address, then pump. */
static void
relay(struct session *s)
{
	struct sockaddr_storage bnd;
	socklen_t blen = sizeof(bnd);

	if (s->have_bnd) {
		if (send_reply_addr(s, S5_REP_SUCCEEDED, &s->bnd) == -1) {
			s->end = "client-error";
			return;
		}
	} else if (getsockname(s->dfd, (struct sockaddr *)&bnd, &blen) == -1) {
		log_warn("getsockname");
		(void)send_reply(s, S5_REP_GENERAL_FAILURE, NULL);
		s->end = "error";
		return;
	} else if (send_reply(s, S5_REP_SUCCEEDED, (struct sockaddr *)&bnd)
	    == -1) {
		s->end = "client-error";
		return;
	}
	pump(s);
}

/* Early bytes first, then the relay until either side ends. */
static void
pump(struct session *s)
{
	enum relay_end end;
	int err;

	/* Bytes the client sent right after its request go first. */
	if (s->len > 0) {
		if (sgio_send_all(&sgio_libc, s->dfd, s->buf, s->len,
		    sgio_now_ms() + s->cfg->timeout_connect * 1000) == -1) {
			log_info("early data to %s: %s", s->connected,
			    strerror(errno));
			s->end = "destination-error";
			return;
		}
		s->stats.up += s->len;
		s->len = 0;
	}
	end = relay_run(s->cfd, s->dfd, s->cfg->timeout_idle, &s->stats, &err);
	s->end = relay_end_str(end);
	if (err != 0 && end != RELAY_END_CLOSED)
		log_debug("relay ended: %s: %s", s->end, strerror(err));
}

static void
log_access(const struct session *s)
{
	int64_t ms = sgio_now_ms() - s->start;

	log_info("access user=%s cmd=%s dest=%s addr=%s rep=0x%02x up=%" PRIu64
	    " down=%" PRIu64 "%s secs=%" PRId64 ".%03d end=%s",
	    s->authed ? s->user : "-", cmd_str(s->req.cmd), s->dest,
	    s->connected[0] ? s->connected : "-", s->rep, s->stats.up,
	    s->stats.down, s->extra, ms / 1000, (int)(ms % 1000),
	    s->end);
}

/*
 * BIND (RFC 1928 section 4): listen in the family of the expected peer,
 * first reply with where, second reply with who came, then relay.  An
 * all-zero peer ("anyone") matches no `to` network in the rules.
 */
static void
do_bind(struct session *s)
{
	struct resolve_result res;
	struct sockaddr_storage bnd, from;
	const struct sockaddr *peer;
	unsigned char skip[RESOLVE_MAX];
	uint8_t rep;
	int lfd;

	if ((rep = destination_addrs(s, &res)) != S5_REP_SUCCEEDED)
		goto refuse;
	addr_unmap_v4(&res.addrs[0]);
	peer = (const struct sockaddr *)&res.addrs[0];
	res.n = 1;
	if (addr_is_unspecified(peer) ? !allowed_upstream(s, NULL) :
	    check_rules(s, &res, skip) == 0) {
		rep = S5_REP_NOT_ALLOWED;
		goto refuse;
	}
	if ((lfd = bindcmd_listen(peer, s->cfd, &bnd)) == -1) {
		log_warn("bind: listen");
		rep = socks5_rep_from_errno(errno);
		goto refuse;
	}
	if (send_reply(s, S5_REP_SUCCEEDED, (struct sockaddr *)&bnd) == -1) {
		close(lfd);
		s->end = "client-error";
		return;
	}
	s->dfd = bindcmd_accept(lfd, s->cfd, peer, s->cfg->timeout_bind * 1000,
	    &from);
	close(lfd);
	if (s->dfd == -1) {
		s->end = errno == ETIMEDOUT ? "bind-timeout" : "client-gone";
		(void)send_reply(s, errno == ETIMEDOUT ? S5_REP_TTL_EXPIRED :
		    S5_REP_GENERAL_FAILURE, NULL);
		return;
	}
	addr_ntop((struct sockaddr *)&from, s->connected, sizeof(s->connected));
	if (send_reply(s, S5_REP_SUCCEEDED, (struct sockaddr *)&from) == -1) {
		s->end = "client-error";
		return;
	}
	pump(s);
	return;
refuse:
	(void)send_reply(s, rep, NULL);
	s->end = rep == S5_REP_NOT_ALLOWED ? "denied" : "failed";
}

/*
 * A look-up of a name that upstreams route elsewhere is that route's
 * business: refused for deny, asked of the last hop for a chain (its
 * answer passed on), answered here for direct.  Returns the REP sent,
 * or 0xff when the look-up is to be answered here.
 */
static uint8_t
resolve_routed(struct session *s)
{
	const struct config *c = s->cfg;
	struct sockaddr_storage ss;
	const struct sockaddr *sa;
	const char *name;
	socklen_t len;
	uint8_t rep;
	int r;

	name = route_dest(&s->req.addr, &ss, &sa);
	r = route_match_lookup(c->routes, c->nroutes, name, sa);
	if (r < 0 || c->routes[r].action == ROUTE_DIRECT)
		return 0xff;
	if (c->routes[r].action == ROUTE_DENY)
		rep = S5_REP_NOT_ALLOWED;
	else if ((rep = via_upstream(s, &c->routes[r], sa)) ==
	    S5_REP_SUCCEEDED) {
		/* The answer is in the last hop's BND; the tunnel is done. */
		close(s->dfd);
		s->dfd = -1;
		if (socks5_addr_to_sockaddr(&s->bnd, &ss, &len) == S5_OK)
			addr_ntop_host((struct sockaddr *)&ss, s->connected,
			    sizeof(s->connected));
		(void)send_reply_addr(s, rep, &s->bnd);
		return rep;
	}
	(void)send_reply(s, rep, NULL);
	return rep;
}

/*
 * RESOLVE (Tor's extension, S5_CMD_RESOLVE): one address of the name, in
 * the family DST.PORT asks for when it has one.  The rules are CONNECT's
 * and are checked on every address: a user they refuse learns nothing
 * (0x02, no address).  A name that does not resolve is 0x04, so the
 * Socks Lib can tell a program at look-up time (RFC 3089 section 3).
 */
static void
do_resolve(struct session *s)
{
	struct resolve_result res;
	unsigned char skip[RESOLVE_MAX];
	enum config_prefer pref = s->cfg->prefer;
	size_t i, pick = RESOLVE_MAX;
	uint8_t rep;
	int want;

	if ((rep = resolve_routed(s)) != 0xff) {
		s->end = rep == S5_REP_SUCCEEDED ? "resolved" : rep ==
		    S5_REP_NOT_ALLOWED ? "denied" : "failed";
		return;
	}
	if (s->req.addr.port == S5_RESOLVE_WANT_IPV4)
		pref = CONFIG_PREFER_IPV4;
	else if (s->req.addr.port == S5_RESOLVE_WANT_IPV6)
		pref = CONFIG_PREFER_IPV6;
	want = pref == CONFIG_PREFER_IPV4 ? AF_INET : pref ==
	    CONFIG_PREFER_IPV6 ? AF_INET6 : AF_UNSPEC;
	if ((rep = destination_addrs(s, &res)) == S5_REP_SUCCEEDED &&
	    check_rules(s, &res, skip) == 0)
		rep = S5_REP_NOT_ALLOWED;
	if (rep != S5_REP_SUCCEEDED) {
		(void)send_reply(s, rep, NULL);
		s->end = rep == S5_REP_NOT_ALLOWED ? "denied" : "failed";
		return;
	}
	for (i = 0; i < res.n; i++) {
		if (skip[i])
			continue;
		if (pick == RESOLVE_MAX || (want != AF_UNSPEC &&
		    res.addrs[i].ss_family == want &&
		    res.addrs[pick].ss_family != want))
			pick = i;
	}
	addr_set_port((struct sockaddr *)&res.addrs[pick], 0);
	addr_ntop_host((struct sockaddr *)&res.addrs[pick], s->connected,
	    sizeof(s->connected));
	(void)send_reply(s, S5_REP_SUCCEEDED,
	    (struct sockaddr *)&res.addrs[pick]);
	s->end = "resolved";
}

/*
 * UDP ASSOCIATE (RFC 1928 section 7): the client's UDP must come from
 * the control connection's address, and from the port it declared when
 * it declared one; rules are checked per datagram.
 */
static void
do_udp(struct session *s)
{
	struct udp_assoc a;
	struct udp_stats st;
	struct sockaddr_storage bnd;

	memset(&a, 0, sizeof(a));
	memset(&st, 0, sizeof(st));
	a.ctl = s->cfd;
	a.client = s->peer;
	if (s->req.addr.atyp != S5_ATYP_DOMAINNAME)
		a.declared_port = s->req.addr.port;
	a.cfg = s->cfg;
	a.user = s->authed ? s->user : NULL;
	a.names_in_replies = s->method == S5_METHOD_SIXGATE;
	if (udp_assoc_open(&a, &bnd) == -1) {
		log_warn("udp: cannot open the relay socket");
		(void)send_reply(s, S5_REP_GENERAL_FAILURE, NULL);
		s->end = "failed";
		return;
	}
	addr_ntop((struct sockaddr *)&bnd, s->connected, sizeof(s->connected));
	if (send_reply(s, S5_REP_SUCCEEDED, (struct sockaddr *)&bnd) == -1) {
		s->end = "client-error";
		close(a.ufd);
		return;
	}
	s->end = udp_assoc_run(&a, &st);
	s->stats.up = st.bytes_up;
	s->stats.down = st.bytes_down;
	snprintf(s->extra, sizeof(s->extra), " dgrams_up=%" PRIu64
	    " dgrams_down=%" PRIu64 " dropped=%" PRIu64, st.dgrams_up,
	    st.dgrams_down, st.dropped);
}

/*
 * Give back the stack pages the login touched (PAM can go deep, see
 * SESSION_STACK_SIZE): a relay lives for hours on a shallow stack, and
 * thousands of them should not each keep a PAM module's high-water mark.
 */
static void
stack_trim(void)
{
	pthread_attr_t attr;
	uintptr_t lo, top, page = (uintptr_t)sysconf(_SC_PAGESIZE);
	size_t size;
	void *addr;
	char here;

	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
		lo = ((uintptr_t)addr + page - 1) & ~(page - 1);
		/* Keep a margin below the current frame. */
		top = ((uintptr_t)&here - 32 * 1024) & ~(page - 1);
		if (top > lo)
			(void)madvise((void *)lo, top - lo, MADV_DONTNEED);
	}
	pthread_attr_destroy(&attr);
}

static void
run(struct session *s)
{
	uint8_t method, rep;

	if (do_greeting(s, &method) == -1)
		return;
	s->method = method;
	if (method != S5_METHOD_NONE) {
		if (do_login(s) == -1)
			return;
		stack_trim();
	}
	if (read_request(s) == -1)
		return;
	switch (s->req.cmd) {
	case S5_CMD_CONNECT:
		if ((rep = do_connect(s)) != S5_REP_SUCCEEDED) {
			(void)send_reply(s, rep, NULL);
			s->end = rep == S5_REP_NOT_ALLOWED ? "denied" :
			    "failed";
		} else
			relay(s);
		break;
	case S5_CMD_BIND:
		do_bind(s);
		break;
	case S5_CMD_UDP_ASSOCIATE:
		do_udp(s);
		break;
	case S5_CMD_RESOLVE:
		if (s->cfg->resolve_command) {
			do_resolve(s);
			break;
		}
		/* FALLTHROUGH */
	default:
		(void)send_reply(s, S5_REP_CMD_UNSUPPORTED, NULL);
		s->end = "unsupported";
		break;
	}
	log_access(s);
}

static void *
session_main(void *arg)
{
	struct session *s = arg;
	char tag[96];

	snprintf(tag, sizeof(tag), "c%" PRIu64 " %s", s->id, s->peerhost);
	log_set_tag(tag);
	/* The printable client address without port, for PAM_RHOST. */
	addr_ntop_host((struct sockaddr *)&s->peer, s->peerhost,
	    sizeof(s->peerhost));
	run(s);
	session_free(s);
	return NULL;
}

int
session_start(int fd, const struct sockaddr_storage *peer,
    struct config *cfg)
{
	pthread_attr_t attr;
	pthread_t t;
	struct session *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->id = atomic_fetch_add(&next_id, 1);
	s->cfd = fd;
	s->dfd = -1;
	s->peer = *peer;
	s->cfg = cfg;
	s->start = sgio_now_ms();
	s->deadline = s->start + (int64_t)cfg->timeout_handshake * 1000;
	addr_ntop((const struct sockaddr *)peer, s->peerhost,
	    sizeof(s->peerhost));

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SESSION_STACK_SIZE);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, session_main, s);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		free(s);
		errno = rc;
		return -1;
	}
	return 0;
}
