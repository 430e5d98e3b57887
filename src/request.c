/*
 * request.c - the request core (see request.h): login, rules and their
 * log lines, routes and chains, the reply through the door, the relay,
 * and the one access line.  The commands live in cmd_*.c, the checks of
 * UDP flows and DNS look-ups in request_flow.c; they use the steps
 * declared in request_int.h.
 */
#include "sgconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <time.h>

#include "acl.h"
#include "addr.h"
#include "auth_pam.h"
#include "chain.h"
#include "log.h"
#include "relay.h"
#include "request.h"
#include "request_int.h"
#include "resolve.h"
#include "route.h"
#include "fdbudget.h"
#include "selfaddr.h"
#include "session.h"
#include "sgio.h"
#include "sock.h"
#include "stats.h"
#include "timewin.h"
#include "usergroups.h"
#include "socks5.h"

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

int
request_reply(struct request *r, uint8_t rep, const struct sockaddr *bnd)
{
	r->rep = rep;
	return r->door->reply(r->door_ctx, rep, bnd);
}

int
request_reply_wire(struct request *r, uint8_t rep,
    const struct socks5_addr *bnd)
{
	r->rep = rep;
	return r->door->reply_wire(r->door_ctx, rep, bnd);
}


/*
 * Names are looked up only for those the rules could let through, and a
 * user whose rules name only networks gets 0x02 for a name that does not
 * exist as for one that is forbidden: the gateway's view of DNS is not
 * a probe for restricted users.
 */
uint8_t
request_resolve(struct request *r, struct resolve_result *res)
{
	const struct socks5_addr *a = &r->dest;
	enum acl_reach reach;
	struct acl_query q;
	socklen_t len;
	int rc, stop;

	if (a->atyp != S5_ATYP_DOMAINNAME) {
		(void)socks5_addr_to_sockaddr(a, &res->addrs[0], &len);
		res->n = 1;
		return S5_REP_SUCCEEDED;
	}
	request_query_init(r, &q);
	q.port = a->port;
	if ((reach = acl_reach(r->cfg->rules, r->cfg->nrules, &q, &stop)) ==
	    ACL_REACH_NONE) {
		request_log_denied(r, NULL, stop);
		return S5_REP_NOT_ALLOWED;
	}
	if ((rc = resolve_name(a->u.name, a->port, r->cfg->prefer, res))
	    != 0) {
		log_info("cannot resolve %s: %s%s", r->dest_str,
		    gai_strerror(rc), reach == ACL_REACH_NETS ? " (answered "
		    "0x02: this client's rules allow networks only)" : "");
		if (reach == ACL_REACH_NETS)
			return S5_REP_NOT_ALLOWED;
		return rc == EAI_SYSTEM ? socks5_rep_from_errno(errno) :
		    S5_REP_HOST_UNREACH;
	}
	return S5_REP_SUCCEEDED;
}

/* See request_int.h. */
void
request_log_denied(const struct request *r, const char *addr, int rule)
{
	const struct acl_rule *ru;
	char what[sizeof(r->dest_str) + ADDR_STRLEN + 32];

	stats_refused(STATS_REFUSED_RULE);
	snprintf(what, sizeof(what), "%s to %s%s%s%s", cmd_str(r->cmd),
	    r->dest_str, addr != NULL ? " (" : "", addr != NULL ? addr : "",
	    addr != NULL ? ")" : "");
	if (rule < 0) {
		log_info("%s denied: no rule allows it", what);
		return;
	}
	ru = &r->cfg->rules[rule];
	log_info("%s denied by rule %d%s%s%s (line %d)", what, rule + 1,
	    ru->name[0] ? " (" : "", ru->name, ru->name[0] ? ")" : "",
	    ru->line);
}

void
request_query_init(const struct request *r, struct acl_query *q)
{
	struct sockaddr_storage lit;
	const struct sockaddr *sa;
	struct tm tm;
	time_t t = time(NULL);

	memset(q, 0, sizeof(*q));
	q->client = (const struct sockaddr *)&r->peer;
	q->user = r->auth != REQUEST_AUTH_NONE ? r->user : NULL;
	q->auth = r->auth == REQUEST_AUTH_NONE ? ACL_AUTH_NONE :
	    ACL_AUTH_PASSWORD;
	q->groups = r->groups != NULL ? r->groups[0] : NULL;
	q->ngroups = r->groups != NULL ? r->ngroups : 0;
	q->groupsz = USERGROUPS_NAMELEN;
	/* A literal sent as a name is an address, as for routes. */
	q->name = request_route_dest(r, &lit, &sa);
	q->command = acl_cmd_from_socks5(r->cmd);
	q->is_self = selfaddr_has;
	if (r->listener != NULL)
		q->listener = (const struct sockaddr *)&r->listener->ss;
	if (localtime_r(&t, &tm) != NULL)
		q->now = timewin_week_secs(&tm);
}

/*
 * Rule k allowed the request: when its time windows close, the relay
 * ends (the earliest, when several addresses were allowed by rules of
 * their own).
 */
static void
set_deadline(struct request *r, int k, const struct acl_query *q)
{
	int32_t left = acl_rule_time_left(&r->cfg->rules[k], q);
	int64_t at;

	if (left < 0)
		return;
	at = sgio_now_ms() + (int64_t)left * 1000;
	if (r->deadline == 0 || at < r->deadline)
		r->deadline = at;
}

size_t
request_allow_addrs(struct request *r, const struct resolve_result *res,
    unsigned char *skip)
{
	const struct config *c = r->cfg;
	struct acl_query q;
	char abuf[ADDR_STRLEN];
	size_t i, allowed = 0;
	int first = -2, k;

	request_query_init(r, &q);
	for (i = 0; i < res->n; i++) {
		q.dest = (const struct sockaddr *)&res->addrs[i];
		k = acl_match(c->rules, c->nrules, &q);
		skip[i] = !(k >= 0 && c->rules[k].action == ACL_ALLOW);
		if (!skip[i]) {
			if (allowed == 0) {
				r->rule = k;
				r->ruled = res->addrs[i];
				r->have_ruled = true;
			}
			allowed++;
			set_deadline(r, k, &q);
		} else if (first == -2)
			first = k;
	}
	if (allowed > 0)
		return allowed;
	addr_ntop((const struct sockaddr *)&res->addrs[0], abuf, sizeof(abuf));
	request_log_denied(r, abuf, first);
	return 0;
}

bool
request_allow_dest(struct request *r, const struct sockaddr *dest)
{
	const struct config *c = r->cfg;
	struct acl_query q;
	int k;

	request_query_init(r, &q);
	q.dest = dest;
	q.port = r->dest.port;
	k = acl_match(c->rules, c->nrules, &q);
	if (k >= 0 && c->rules[k].action == ACL_ALLOW) {
		r->rule = k;
		set_deadline(r, k, &q);
		if ((r->have_ruled = dest != NULL))
			memcpy(&r->ruled, dest, addr_len(dest));
		return true;
	}
	request_log_denied(r, NULL, k);
	return false;
}

/*
 * The rules for a UDP association before its datagrams: what q (from
 * request_query_init) says of the client, without a destination, a name
 * (the association's DST is the client's own address) or a port.
 */
static enum acl_reach
udp_reach(struct acl_query *q, const struct config *c, int32_t *left,
    int *stop, int *allow)
{
	q->name = NULL;
	q->dest = NULL;
	q->port = 0;
	q->port_any = true;
	return acl_reach_left(c->rules, c->nrules, q, stop, left, allow);
}

bool
request_allow_udp(struct request *r, int *rule)
{
	struct acl_query q;
	int32_t left;
	int stop;

	request_query_init(r, &q);
	if (udp_reach(&q, r->cfg, &left, &stop, rule) == ACL_REACH_NONE) {
		request_log_denied(r, NULL, stop);
		return false;
	}
	if (left >= 0)
		r->deadline = sgio_now_ms() + (int64_t)left * 1000;
	return true;
}

const char *
request_route_dest(const struct request *r, struct sockaddr_storage *ss,
    const struct sockaddr **sa)
{
	const struct socks5_addr *a = &r->dest;
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

/*
 * Chains in order, those with a resting hop last; a destination failure
 * at the far end ends the attempt with that end's REP, a hop failure
 * moves on to the next chain.
 */
uint8_t
request_via_upstream(struct request *r, const struct route *rt,
    const struct sockaddr *dest)
{
	const struct config *c = r->cfg;
	struct chain_result res;
	char hops[300];
	size_t i, k, order[ROUTE_CHAINS_MAX], n = 0;
	int pass;

	if (!request_allow_dest(r, dest) || !request_limits_admit(r))
		return S5_REP_NOT_ALLOWED;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < rt->nchains; i++)
			if (chain_is_down(c, &rt->chains[i]) == (pass == 1))
				order[n++] = i;
	res.rep = S5_REP_GENERAL_FAILURE;
	for (k = 0; k < n; k++) {
		chain_str(c, &rt->chains[order[k]], hops, sizeof(hops));
		r->dfd = chain_connect(c, &rt->chains[order[k]], r->cmd,
		    &r->dest, &res);
		if (r->dfd != -1) {
			snprintf(r->connected, sizeof(r->connected), "via:%s",
			    hops);
			r->have_bnd = true;
			r->bnd = res.bnd;
			return S5_REP_SUCCEEDED;
		}
		log_info("connect to %s via %s: %s", r->dest_str, hops,
		    res.why);
		if (!res.hop_failed)
			break;
	}
	return res.rep;
}

bool
request_take_fds(struct request *r, int n)
{
	static _Atomic int64_t last_said;

	if (fdbudget_take(n)) {
		r->fds_held += n;
		return true;
	}
	if (log_due(&last_said, sgio_now_ms(), 10000))
		log_warnx("descriptor budget spent (%d of %d in use): %s "
		    "refused with 0x01", fdbudget_used(), fdbudget_total(),
		    cmd_str(r->cmd));
	stats_refused(STATS_REFUSED_DESCRIPTORS);
	return false;
}

void
request_relay(struct request *r)
{
	struct relay_limit lim;
	enum relay_end end;
	int err;

	/* Bytes the client sent right after its request go first. */
	if (r->nearly > 0) {
		if (sgio_send_all(&sgio_libc, r->dfd, r->early, r->nearly,
		    sgio_now_ms() + r->cfg->timeout_connect * 1000) == -1) {
			log_info("early data to %s: %s", r->connected,
			    strerror(errno));
			r->end = "destination-error";
			return;
		}
		r->stats.up += r->nearly;
		r->nearly = 0;
	}
	/* From here a shutdown's cut reaches both sides. */
	registry_set_request(r->reg, NULL, NULL, r->connected, -1, r->rule);
	stats_relay_started();
	registry_set_relay(r->reg, r);
	registry_set_fds(r->reg, r->cfd, r->dfd);
	err = 0;
	if (r->door->relay != NULL) {
		session_stack_trim();
		end = r->door->relay(r->door_ctx, r,
		    request_limits_relay(r, &lim), &err);
	} else
		end = relay_run(r->cfd, r->dfd, r->cfg->timeout_idle,
		    r->deadline, request_limits_relay(r, &lim),
		    session_stack_trim, &r->stats, &err);
	registry_set_relay(r->reg, NULL);
	r->end = relay_end_str(end);
	stats_relay_done(r->cfg, r->door->name, r->rule,
	    r->auth != REQUEST_AUTH_NONE ? r->user : NULL, r->stats.up,
	    r->stats.down);
	if (err != 0 && end != RELAY_END_CLOSED)
		log_debug("relay ended: %s: %s", r->end, strerror(err));
}

int
request_read_more(struct request *r, uint8_t *buf, size_t cap, size_t *len,
    int64_t deadline, const char *stage)
{
	ssize_t n;

	if (*len == cap) {
		log_info("%s: message too long", stage);
		return -1;
	}
	n = sgio_recv_some(&sgio_libc, r->cfd, buf + *len, cap - *len,
	    deadline);
	if (n > 0) {
		*len += (size_t)n;
		return 0;
	}
	if (n == 0)
		log_debug("%s: client closed the connection", stage);
	else if (errno == ETIMEDOUT)
		log_info("%s: handshake timeout (%d s)", stage,
		    r->cfg->timeout_handshake);
	else
		log_info("%s: %s", stage, strerror(errno));
	return -1;
}

void
request_run_after(struct request *r,
    int (*handshake)(struct request *, uint8_t **))
{
	uint8_t *early = NULL;

	if (handshake(r, &early) == 0)
		request_run(r);
	r->early = NULL;
	r->nearly = 0;
	r->door_ctx = NULL;
	free(early);
}

int
request_keep_early(struct request *r, const uint8_t *buf, size_t len,
    uint8_t **copy)
{
	if (len == 0)
		return 0;
	if ((*copy = malloc(len)) == NULL) {
		log_warnx("no memory for %zu bytes sent after the request",
		    len);
		(void)r->door->reply(r->door_ctx, S5_REP_GENERAL_FAILURE,
		    NULL);
		return -1;
	}
	memcpy(*copy, buf, len);
	r->early = *copy;
	r->nearly = len;
	return 0;
}

/* The destination as the client sent it, escaped, for log lines. */
__attribute__((noinline)) void
request_format_dest(struct request *r)
{
	const struct socks5_addr *a = &r->dest;
	char name[ESCAPE_LEN(S5_NAME_MAX)];
	struct sockaddr_storage ss;
	socklen_t len;

	if (a->atyp == S5_ATYP_DOMAINNAME)
		/* An IPv6 literal sent as a name gets its brackets. */
		snprintf(r->dest_str, sizeof(r->dest_str),
		    strchr(a->u.name, ':') && a->u.name[0] != '[' ?
		    "[%s]:%u" : "%s:%u", escape_log_str(a->u.name, name,
		    sizeof(name)), a->port);
	else {
		(void)socks5_addr_to_sockaddr(a, &ss, &len);
		addr_ntop((struct sockaddr *)&ss, r->dest_str,
		    sizeof(r->dest_str));
	}
}

/*
 * The one line per request; its format is documented in sixgated(8)
 * (key=value, values escaped so that none holds a space).
 */
void
request_log_access(const struct request *r)
{
	int64_t ms = sgio_now_ms() - r->start;
	char user[ESCAPE_LEN(S5_NAME_MAX)];

	log_info("access user=%s cmd=%s dest=%s addr=%s rep=0x%02x up=%" PRIu64
	    " down=%" PRIu64 " door=%s%s secs=%" PRId64 ".%03d end=%s",
	    r->auth != REQUEST_AUTH_NONE ?
	    escape_log_str(r->user, user, sizeof(user)) : "-", cmd_str(r->cmd),
	    r->dest_str, r->connected[0] ? r->connected : "-", r->rep,
	    r->stats.up, r->stats.down, r->door->name, r->extra, ms / 1000,
	    (int)(ms % 1000), r->end);
}

/*
 * A relay or wait that ended after the shutdown's cut ended because of
 * it, whatever it saw (the cut looks like EOF); refusals and answers
 * keep their own end.
 */
static bool
cut_by_shutdown(const struct request *r)
{
	static const char *const own[] = { "denied", "failed", "unsupported",
	    "resolved" };
	size_t i;

	if (!registry_stopping() || r->end == NULL)
		return false;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(r->end, own[i]) == 0)
			return false;
	return true;
}

/*
 * The user's Unix groups, when a rule names groups: read here, once per
 * login (a session carries one request), and not in request_login, so
 * that a login answered from a cache or by another door gets them too.
 * A user unknown to NSS has none: rules with groups do not match it.
 */
static bool
names_groups(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->nrules; i++)
		if (c->rules[i].ngroups > 0)
			return true;
	return false;
}

static void
read_groups(struct request *r)
{
	int n;

	if (r->groups_read || r->auth == REQUEST_AUTH_NONE ||
	    !names_groups(r->cfg))
		return;
	r->groups_read = true;
	if (r->groups == NULL &&
	    (r->groups = calloc(USERGROUPS_MAX, sizeof(*r->groups))) == NULL) {
		log_warn("groups of the user");
		return;
	}
	if ((n = usergroups_get(r->user, r->groups, USERGROUPS_MAX)) == -1) {
		log_debug("groups of the user: %s", strerror(errno));
		return;
	}
	r->ngroups = (size_t)n;
}

bool
request_still_allowed(const struct request *r, const struct config *c)
{
	char groups[USERGROUPS_MAX][USERGROUPS_NAMELEN];
	struct acl_query q;
	int k, n;

	request_query_init(r, &q);
	/* Rules with groups may be new: read them now, as at login. */
	if (!r->groups_read && r->auth != REQUEST_AUTH_NONE &&
	    names_groups(c)) {
		n = usergroups_get(r->user, groups, USERGROUPS_MAX);
		q.groups = groups[0];
		q.ngroups = n > 0 ? (size_t)n : 0;
		q.groupsz = sizeof(groups[0]);
	}
	if (r->cmd == S5_CMD_UDP_ASSOCIATE)
		return udp_reach(&q, c, NULL, &k, NULL) != ACL_REACH_NONE;
	q.dest = r->have_ruled ? (const struct sockaddr *)&r->ruled : NULL;
	q.port = r->dest.port;
	k = acl_match(c->rules, c->nrules, &q);
	return k >= 0 && c->rules[k].action == ACL_ALLOW;
}

/*
 * What sixgatectl shows of the request.  Its own frame, popped before
 * the command runs, so the relay does not keep the escaped name's
 * stack page.
 */
static __attribute__((noinline)) void
register_request(struct request *r)
{
	char user[ESCAPE_LEN(S5_NAME_MAX)];

	registry_set_request(r->reg, r->auth != REQUEST_AUTH_NONE ?
	    escape_log_str(r->user, user, sizeof(user)) : "-", r->dest_str,
	    NULL, r->cmd, -1);
}

void
request_run(struct request *r)
{
	/* The request is read: whoever it is, the handshake is over. */
	registry_handshake_done(r->reg);
	read_groups(r);
	request_format_dest(r);
	register_request(r);
	switch (r->cmd) {
	case S5_CMD_CONNECT:
		cmd_connect_run(r);
		break;
	case S5_CMD_BIND:
		cmd_bind_run(r);
		break;
	case S5_CMD_UDP_ASSOCIATE:
		cmd_udp_run(r);
		break;
	case S5_CMD_RESOLVE:
		if (r->cfg->resolve_command) {
			cmd_resolve_run(r);
			break;
		}
		/* FALLTHROUGH */
	default:
		(void)request_reply(r, S5_REP_CMD_UNSUPPORTED, NULL);
		r->end = "unsupported";
		break;
	}
	request_limits_release(r);
	if (cut_by_shutdown(r))
		r->end = "shutdown";
	else if (registry_killed(r->reg) && r->end != NULL &&
	    strcmp(r->end, "denied") != 0 && strcmp(r->end, "failed") != 0)
		r->end = "killed";
	else if (registry_revoked(r->reg) && r->end != NULL)
		r->end = "revoked";	/* only a running relay is revoked */
	registry_account(r->reg);
	request_log_access(r);
}

void
request_free_groups(struct request *r)
{
	free(r->groups);
	r->groups = NULL;
	r->ngroups = 0;
}

void
request_next(struct request *r)
{
	registry_set_fds(r->reg, r->cfd, -1);
	if (r->dfd != -1)
		close(r->dfd);
	r->dfd = -1;
	explicit_bzero(r->user, sizeof(r->user));
	r->auth = REQUEST_AUTH_NONE;
	r->ngroups = 0;
	r->groups_read = false;
	r->early = NULL;
	r->nearly = 0;
	r->dest_str[0] = '\0';
	r->connected[0] = '\0';
	r->have_bnd = false;
	r->rep = 0;
	atomic_store(&r->stats.up, 0);
	atomic_store(&r->stats.down, 0);
	r->deadline = 0;
	r->rule = -1;
	r->extra[0] = '\0';
	r->end = NULL;
	r->start = sgio_now_ms();
	/* registry_account let go of the counters: this request's again. */
	registry_set_stats(r->reg, &r->stats);
}
