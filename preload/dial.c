/*
 * dial.c - reaching the gateway (see dial.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "addr.h"
#include "dial.h"
#include "real.h"
#include "sgio.h"

#define ADDRS_MAX	8	/* addresses kept per gateway name */

/* A gateway's addresses, resolved once (never faked), then shared. */
struct gateway {
	struct sockaddr_storage	addrs[ADDRS_MAX];
	size_t			n;
};

static _Atomic(struct gateway *) gateways[ENV_GATEWAYS_MAX];

/* "host:port", "[v6]:port" of gateway i, for log lines. */
static const char *
gw_name(const struct lib *l, size_t i, char *buf, size_t len)
{
	const struct env_gateway *g = &l->cfg.gw[i];

	snprintf(buf, len, strchr(g->host, ':') != NULL ? "[%s]:%u" :
	    "%s:%u", g->host, g->port);
	return buf;
}

/* Gateway i's addresses; NULL (not kept: asked again) if none. */
static const struct gateway *
gateway_get(const struct lib *l, size_t i)
{
	struct gateway *g = atomic_load(&gateways[i]), *mine;
	struct addrinfo hints, *ai, *a;
	struct gateway *expect = NULL;

	if (g != NULL)
		return g;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (real()->getaddrinfo == NULL ||
	    real()->getaddrinfo(l->cfg.gw[i].host, NULL, &hints, &ai) != 0)
		return NULL;
	if ((mine = calloc(1, sizeof(*mine))) == NULL) {
		real()->freeaddrinfo(ai);
		return NULL;
	}
	for (a = ai; a != NULL && mine->n < ADDRS_MAX; a = a->ai_next) {
		if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
			continue;
		memcpy(&mine->addrs[mine->n], a->ai_addr, a->ai_addrlen);
		addr_set_port((struct sockaddr *)&mine->addrs[mine->n],
		    l->cfg.gw[i].port);
		mine->n++;
	}
	real()->freeaddrinfo(ai);
	if (mine->n == 0) {
		free(mine);
		return NULL;
	}
	/* Two threads may race here: the first answer wins, kept forever. */
	if (!atomic_compare_exchange_strong(&gateways[i], &expect, mine)) {
		free(mine);
		return expect;
	}
	return mine;
}

bool
dial_is_gateway(const struct sockaddr *sa)
{
	const struct gateway *g;
	size_t i, k;

	for (k = 0; k < ENV_GATEWAYS_MAX; k++) {
		g = atomic_load(&gateways[k]);
		for (i = 0; g != NULL && i < g->n; i++)
			if (addr_equal((const struct sockaddr *)&g->addrs[i],
			    sa))
				return true;
	}
	return false;
}

/* Options worth keeping when a socket is replaced by one of another family. */
void
dial_copy_options(int from, int to)
{
	static const struct { int level, name; } opts[] = {
		{ SOL_SOCKET, SO_KEEPALIVE }, { SOL_SOCKET, SO_SNDBUF },
		{ SOL_SOCKET, SO_RCVBUF }, { SOL_SOCKET, SO_RCVTIMEO },
		{ SOL_SOCKET, SO_SNDTIMEO }, { SOL_SOCKET, SO_LINGER },
		{ SOL_SOCKET, SO_OOBINLINE }, { SOL_SOCKET, SO_PRIORITY },
		{ IPPROTO_TCP, TCP_NODELAY }, { IPPROTO_TCP, TCP_KEEPIDLE },
		{ IPPROTO_TCP, TCP_KEEPINTVL }, { IPPROTO_TCP, TCP_KEEPCNT },
		{ IPPROTO_TCP, TCP_USER_TIMEOUT },
	};
	char val[64];
	socklen_t len;
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		len = sizeof(val);
		if (getsockopt(from, opts[i].level, opts[i].name, val, &len)
		    == 0)
			(void)setsockopt(to, opts[i].level, opts[i].name, val,
			    len);
	}
}

static int
result_errno(enum socks5_client_result r, const struct socks5_client_res *res)
{
	switch (r) {
	case S5C_OK:
		return 0;
	case S5C_REPLY:
		return socks5_errno_from_rep(res->rep);
	case S5C_NO_METHOD:
	case S5C_AUTH_FAILED:
		return EACCES;
	case S5C_PROTOCOL:
		return EPROTO;
	default:
		return errno != 0 ? errno : ECONNRESET;
	}
}

/*
 * One gateway: two passes over its addresses, those of the program's
 * family first (its own socket can be used as is, no dup3, once in the
 * whole dial_open), then the others.  The socket, or -1 with *err.
 */
static int
open_one(const struct lib *l, const struct gateway *g, int fd, int domain,
    int64_t deadline, bool *own_tried, int *err)
{
	int use, pass;
	size_t i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < g->n; i++) {
			if ((g->addrs[i].ss_family == domain) != (pass == 0))
				continue;
			if (!*own_tried && fd != -1 &&
			    g->addrs[i].ss_family == domain) {
				*own_tried = true;
				use = fd;
			} else if ((use = socket(g->addrs[i].ss_family,
			    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) ==
			    -1) {
				*err = errno;
				continue;
			} else if (fd != -1)
				dial_copy_options(fd, use);
			if (sgio_connect(&l->io, use, (const struct sockaddr *)
			    &g->addrs[i], addr_len((const struct sockaddr *)
			    &g->addrs[i]), deadline) == 0)
				return use;
			*err = errno;
			if (use != fd)
				real()->close(use);
		}
	}
	return -1;
}

/*
 * Gateway i could not be reached (err): into back-off, and one warning
 * per back-off period among all the session's processes (gwlist.h).
 */
static void
gateway_down(const struct lib *l, size_t i, bool resolved, int err)
{
	uint64_t period = (uint64_t)l->cfg.gw_backoff * 1000;
	char name[300], after[80] = "";

	if (!gwlist_failed(l->backoff, i, (uint64_t)sgio_now_ms(), period))
		return;
	if (period > 0)
		snprintf(after, sizeof(after), l->cfg.ngw > 1 ?
		    "; the others are tried first for %d s" :
		    " (not said again for %d s)", l->cfg.gw_backoff);
	if (resolved)
		lib_log(LIB_WARN, "cannot reach the gateway %s: %s%s",
		    gw_name(l, i, name, sizeof(name)), strerror(err), after);
	else
		lib_log(LIB_WARN, "cannot resolve the gateway %s%s",
		    gw_name(l, i, name, sizeof(name)), after);
}

/*
 * The gateways in gwlist_order: those in back-off only after all the
 * others failed.  Each gateway gets its own deadline (SIXGATE_TIMEOUT
 * from its first attempt), which the handshake then keeps.
 */
int
dial_open(const struct lib *l, int fd, int domain, int64_t *deadline)
{
	uint64_t period = (uint64_t)l->cfg.gw_backoff * 1000;
	size_t order[ENV_GATEWAYS_MAX], nup, k, i;
	const struct gateway *g;
	int use, err = ENETUNREACH, gerr;
	bool own_tried = false;
	char name[300];

	nup = gwlist_order(l->backoff, l->cfg.ngw, (uint64_t)sgio_now_ms(),
	    period, order);
	if (nup < l->cfg.ngw)
		lib_log(LIB_DEBUG, "%zu of %zu gateways in back-off: tried "
		    "last", l->cfg.ngw - nup, l->cfg.ngw);
	for (k = 0; k < l->cfg.ngw; k++) {
		i = order[k];
		if (k == nup && k > 0)
			lib_log(LIB_DEBUG, "no gateway out of back-off "
			    "answered: trying those in back-off");
		*deadline = sgio_now_ms() + l->cfg.timeout_ms;
		if ((g = gateway_get(l, i)) == NULL) {
			gateway_down(l, i, false, ENETUNREACH);
			continue;
		}
		gerr = EHOSTUNREACH;
		if ((use = open_one(l, g, fd, domain, *deadline, &own_tried,
		    &gerr)) != -1) {
			gwlist_succeeded(l->backoff, i);
			if (k > 0)
				lib_log(LIB_DEBUG, "using the gateway %s",
				    gw_name(l, i, name, sizeof(name)));
			return use;
		}
		err = gerr;
		gateway_down(l, i, true, gerr);
	}
	errno = err;
	return -1;
}

int
dial_handshake(const struct lib *l, int use, uint8_t cmd,
    const struct socks5_addr *dest, int64_t deadline,
    struct socks5_client_res *res, const char *what)
{
	struct socks5_client_req req;
	enum socks5_client_result r;
	int err;

	memset(&req, 0, sizeof(req));
	if (l->cfg.user[0] != '\0' && l->cfg.password[0] != '\0') {
		req.user = l->cfg.user;
		req.pass = l->cfg.password;
	}
	req.cmd = cmd;
	req.dest = *dest;
	req.pipeline = l->cfg.pipeline == ENV_PIPELINE_ON ||
	    (l->cfg.pipeline == ENV_PIPELINE_AUTO &&
	    (fakeip_flags(l->table) & FAKEIP_FLAG_PIPELINE));
	req.timeout_ms = (int)(deadline - sgio_now_ms());
	r = socks5_client_handshake(&l->io, use, &req, res);
	if (r != S5C_OK) {
		err = result_errno(r, res);
		lib_log(LIB_WARN, "gateway refused %s: %s", what,
		    r == S5C_REPLY ? socks5_rep_str(res->rep) : strerror(err));
		errno = err;
		return -1;
	}
	/* Learnt once for the whole session (the table is shared). */
	if (res->method == S5_METHOD_SIXGATE)
		fakeip_set_flags(l->table, FAKEIP_FLAG_PIPELINE);
	return 0;
}

int
dial_swap(int fd, int use)
{
	int fdflags = fcntl(fd, F_GETFD), saved;

	/* Same fd number, the program's close-on-exec choice. */
	if (fdflags == -1 || dup3(use, fd, (fdflags & FD_CLOEXEC) ?
	    O_CLOEXEC : 0) == -1) {
		saved = errno;
		real()->close(use);
		errno = saved;
		return -1;
	}
	real()->close(use);
	return 0;
}

int
dial_control(const struct lib *l, int domain, uint8_t cmd,
    const struct socks5_addr *dest, struct socks5_client_res *res)
{
	int64_t deadline;
	int ctl, saved;

	memset(res, 0, sizeof(*res));	/* rep stays 0 unless it answers */
	if ((ctl = dial_open(l, -1, domain, &deadline)) == -1)
		return -1;
	if (dial_handshake(l, ctl, cmd, dest, deadline, res,
	    cmd == S5_CMD_RESOLVE ? dest->u.name : "udp") == -1) {
		saved = errno;
		real()->close(ctl);
		errno = saved;
		return -1;
	}
	return ctl;
}
