/*
 * client.c - connect() through the gateway (see client.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "addr.h"
#include "client.h"
#include "real.h"
#include "sgio.h"
#include "socks5_client.h"

#define GW_MAX		8
#define STATE_FDS	65536

/* The gateway's addresses, resolved once (never faked), then shared. */
struct gateway {
	struct sockaddr_storage	addrs[GW_MAX];
	size_t			n;
};

/* What the program was told about a socket the library connected. */
struct sockstate {
	_Atomic uint64_t	ino;		/* 0: free */
	int			app_family;
	bool			swapped;	/* family differs underneath */
	struct sockaddr_in6	peer;		/* or a sockaddr_in */
};

static _Atomic(struct gateway *) gateway;
static _Atomic(struct sockstate *) states;

static uint64_t
fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static const struct gateway *
gateway_get(const struct lib *l)
{
	struct gateway *g = atomic_load(&gateway), *mine;
	struct addrinfo hints, *ai, *a;
	struct gateway *expect = NULL;

	if (g != NULL)
		return g;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (real()->getaddrinfo == NULL ||
	    real()->getaddrinfo(l->cfg.gw_host, NULL, &hints, &ai) != 0) {
		lib_log(LIB_WARN, "cannot resolve the gateway %s",
		    l->cfg.gw_host);
		return NULL;
	}
	if ((mine = calloc(1, sizeof(*mine))) == NULL) {
		real()->freeaddrinfo(ai);
		return NULL;
	}
	for (a = ai; a != NULL && mine->n < GW_MAX; a = a->ai_next) {
		if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
			continue;
		memcpy(&mine->addrs[mine->n], a->ai_addr, a->ai_addrlen);
		addr_set_port((struct sockaddr *)&mine->addrs[mine->n],
		    l->cfg.gw_port);
		mine->n++;
	}
	real()->freeaddrinfo(ai);
	/* Two threads may race here: the first answer wins, kept forever. */
	if (!atomic_compare_exchange_strong(&gateway, &expect, mine)) {
		free(mine);
		return expect;
	}
	return mine;
}

static bool
is_gateway(const struct gateway *g, const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; g != NULL && i < g->n; i++)
		if (addr_equal((const struct sockaddr *)&g->addrs[i], sa))
			return true;
	return false;
}

static bool
is_direct(const struct lib *l, const struct sockaddr *sa)
{
	size_t i;

	if (addr_is_local(sa))
		return true;
	for (i = 0; i < l->cfg.ndirect; i++)
		if (addr_cidr_match(&l->cfg.direct[i], sa))
			return true;
	return is_gateway(atomic_load(&gateway), sa);
}

bool
client_proxied(const struct lib *l, const struct sockaddr *sa, socklen_t len)
{
	if (!l->enabled || sa == NULL)
		return false;
	if (!(sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
	    && !(sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6)))
		return false;
	if (fakeip_in_ranges(&l->ranges, sa))
		return true;
	return !is_direct(l, sa);
}

int
client_socktype(int fd)
{
	socklen_t olen = sizeof(int);
	int type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &olen) == -1)
		return -1;
	return type;
}

bool
client_intercepts(const struct lib *l, int fd, const struct sockaddr *sa,
    socklen_t len)
{
	return client_proxied(l, sa, len) && client_socktype(fd) ==
	    SOCK_STREAM;
}

/*
 * The destination as the gateway should see it: the name behind a
 * fake, or the literal (an IPv4-mapped address as plain IPv4).  -1 with
 * errno ENETUNREACH for a fake that no name holds.
 */
int
client_destination(const struct lib *l, const struct sockaddr *sa,
    struct socks5_addr *dest)
{
	char name[FAKEIP_NAME_MAX + 1];
	struct sockaddr_storage ss;
	uint32_t slot;

	if (fakeip_in_ranges(&l->ranges, sa)) {
		if (fakeip_slot_of(l->table, sa, &slot) != FAKEIP_OK ||
		    fakeip_slot_name(l->table, slot, name, sizeof(name)) !=
		    FAKEIP_OK) {
			errno = ENETUNREACH;
			return -1;
		}
		return socks5_addr_set_name(dest, name, addr_port(sa)) ==
		    S5_OK ? 0 : -1;
	}
	memcpy(&ss, sa, addr_len(sa));
	addr_unmap_v4(&ss);
	return socks5_addr_from_sockaddr(dest, (struct sockaddr *)&ss) ==
	    S5_OK ? 0 : -1;
}

/* Options worth keeping when a socket is replaced by one of the other family. */
void
client_copy_options(int from, int to)
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
 * A connected socket to the gateway: the program's own fd for the first
 * address of its family, else a new socket (options copied) that the
 * caller puts in place with dup3.  -1 with errno when none answers.
 */
static int
open_gateway(const struct lib *l, const struct gateway *g, int fd, int domain,
    int64_t deadline)
{
	int use, pass, err = EHOSTUNREACH;
	bool own_tried = false;
	size_t i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < g->n; i++) {
			if ((g->addrs[i].ss_family == domain) != (pass == 0))
				continue;
			if (!own_tried && fd != -1 &&
			    g->addrs[i].ss_family == domain) {
				own_tried = true;
				use = fd;
			} else if ((use = socket(g->addrs[i].ss_family,
			    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) ==
			    -1) {
				err = errno;
				continue;
			} else if (fd != -1)
				client_copy_options(fd, use);
			if (sgio_connect(&l->io, use, (const struct sockaddr *)
			    &g->addrs[i], addr_len((const struct sockaddr *)
			    &g->addrs[i]), deadline) == 0)
				return use;
			err = errno;
			if (use != fd)
				real()->close(use);
		}
	}
	errno = err;
	return -1;
}

static struct sockstate *
state_table(void)
{
	struct sockstate *t = atomic_load(&states), *expect = NULL;
	void *mem;

	if (t != NULL)
		return t;
	mem = mmap(NULL, STATE_FDS * sizeof(*t), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
	if (!atomic_compare_exchange_strong(&states, &expect, mem)) {
		munmap(mem, STATE_FDS * sizeof(*t));
		return expect;
	}
	return mem;
}

static void
remember(int fd, int app_family, bool swapped, const struct sockaddr *peer)
{
	struct sockstate *t = state_table(), *e;
	uint64_t ino = fd_ino(fd);

	if (t == NULL || fd < 0 || fd >= STATE_FDS || ino == 0)
		return;
	e = &t[fd];
	atomic_store(&e->ino, 0);
	e->app_family = app_family;
	e->swapped = swapped;
	memset(&e->peer, 0, sizeof(e->peer));
	memcpy(&e->peer, peer, addr_len(peer));
	atomic_store_explicit(&e->ino, ino, memory_order_release);
}

/*
 * The SOCKS5 exchange on use (connected to the gateway) with the
 * configured login; pipelined once the session knows the gateway is
 * sixgated.  0, or -1 with errno set for the program.
 */
static int
gateway_handshake(const struct lib *l, int use, uint8_t cmd,
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
client_swap(int fd, int use)
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
client_control(const struct lib *l, int domain, uint8_t cmd,
    const struct socks5_addr *dest, struct socks5_client_res *res)
{
	int64_t deadline = sgio_now_ms() + l->cfg.timeout_ms;
	const struct gateway *g;
	int ctl, saved;

	memset(res, 0, sizeof(*res));	/* rep stays 0 unless it answers */
	if ((g = gateway_get(l)) == NULL || g->n == 0) {
		errno = ENETUNREACH;
		return -1;
	}
	if ((ctl = open_gateway(l, g, -1, domain, deadline)) == -1)
		return -1;
	if (gateway_handshake(l, ctl, cmd, dest, deadline, res,
	    cmd == S5_CMD_RESOLVE ? dest->u.name : "udp") == -1) {
		saved = errno;
		real()->close(ctl);
		errno = saved;
		return -1;
	}
	return ctl;
}

int
client_connect(const struct lib *l, int fd, const struct sockaddr *sa,
    socklen_t len)
{
	const struct gateway *g;
	struct socks5_addr dest;
	struct socks5_client_res res;
	int64_t deadline = sgio_now_ms() + l->cfg.timeout_ms;
	socklen_t olen = sizeof(int);
	int domain, flags, use, err;
	char where[ADDR_STRLEN];

	(void)len;
	if (client_destination(l, sa, &dest) == -1)
		return -1;
	if ((g = gateway_get(l)) == NULL || g->n == 0) {
		errno = ENETUNREACH;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &olen) == -1 ||
	    (flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if ((use = open_gateway(l, g, fd, domain, deadline)) == -1) {
		err = errno;
		lib_log(LIB_WARN, "cannot reach the gateway %s: %s",
		    l->cfg.gw_host, strerror(err));
		goto fail;
	}
	addr_ntop(sa, where, sizeof(where));
	if (gateway_handshake(l, use, S5_CMD_CONNECT, &dest, deadline, &res,
	    where) == -1) {
		err = errno;
		if (use != fd)
			real()->close(use);
		goto fail;
	}
	if (use != fd && client_swap(fd, use) == -1) {
		err = errno;
		goto fail;
	}
	(void)fcntl(fd, F_SETFL, flags);
	remember(fd, domain, use != fd, sa);
	lib_log(LIB_DEBUG, "fd %d: %s through the gateway", fd, where);
	return 0;
fail:
	(void)fcntl(fd, F_SETFL, flags);
	errno = err;
	return -1;
}

/* The recorded state of fd, if it is still the same socket. */
static bool
lookup(int fd, struct sockstate *out)
{
	struct sockstate *t = atomic_load(&states);
	uint64_t ino;

	if (t == NULL || fd < 0 || fd >= STATE_FDS)
		return false;
	ino = atomic_load_explicit(&t[fd].ino, memory_order_acquire);
	if (ino == 0 || ino != fd_ino(fd))
		return false;
	out->app_family = t[fd].app_family;
	out->swapped = t[fd].swapped;
	out->peer = t[fd].peer;
	return atomic_load(&t[fd].ino) == ino;
}

static void
copy_out(const struct sockaddr *src, struct sockaddr *dst, socklen_t *len)
{
	socklen_t n = addr_len(src);

	memcpy(dst, src, *len < n ? *len : n);
	*len = n;
}

bool
client_peername(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct sockstate st;

	if (sa == NULL || len == NULL || !lookup(fd, &st))
		return false;
	copy_out((struct sockaddr *)&st.peer, sa, len);
	return true;
}

bool
client_sockname(int fd, struct sockaddr *sa, socklen_t *len, int *rc)
{
	struct sockstate st;
	struct sockaddr_storage real_ss, fake;
	socklen_t rlen = sizeof(real_ss);

	if (sa == NULL || len == NULL || !lookup(fd, &st) || !st.swapped)
		return false;
	/* The real socket is of the other family: answer in the program's. */
	if ((*rc = real()->getsockname(fd, (struct sockaddr *)&real_ss,
	    &rlen)) == -1)
		return true;
	memset(&fake, 0, sizeof(fake));
	fake.ss_family = (sa_family_t)st.app_family;
	addr_set_port((struct sockaddr *)&fake,
	    addr_port((struct sockaddr *)&real_ss));
	copy_out((struct sockaddr *)&fake, sa, len);
	return true;
}

void
client_forget(int fd)
{
	struct sockstate *t = atomic_load(&states);

	if (t != NULL && fd >= 0 && fd < STATE_FDS)
		atomic_store(&t[fd].ino, 0);
}
