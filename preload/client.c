/*
 * client.c - connect() through the gateway (see client.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "addr.h"
#include "client.h"
#include "dial.h"
#include "fdstate.h"
#include "real.h"
#include "sgio.h"
#include "socks5_client.h"

static bool
is_direct(const struct lib *l, const struct sockaddr *sa)
{
	size_t i;

	if (addr_is_local(sa))
		return true;
	for (i = 0; i < l->cfg.ndirect; i++)
		if (addr_cidr_match(&l->cfg.direct[i], sa))
			return true;
	return dial_is_gateway(sa);
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

/* Record what the program should see of fd from now on. */
static void
remember(int fd, int app_family, bool swapped, const struct sockaddr *peer)
{
	struct fdstate *e;
	uint64_t ino;

	if ((e = fdstate_open(fd, FDSTATE_TCP, &ino)) == NULL)
		return;
	e->u.tcp.app_family = app_family;
	e->u.tcp.swapped = swapped;
	memcpy(&e->u.tcp.peer, peer, addr_len(peer));
	fdstate_publish(e, ino);
}

/* fds whose CONNECT through the gateway is under way in some thread. */
static atomic_uint busy[FDSTATE_FDS / 32];

/* Mark fd as connecting; false if another thread already is. */
static bool
busy_take(int fd)
{
	unsigned bit = 1u << (fd % 32);

	if (fd < 0 || fd >= FDSTATE_FDS)
		return true;
	return (atomic_fetch_or(&busy[fd / 32], bit) & bit) == 0;
}

static void
busy_give(int fd)
{
	if (fd >= 0 && fd < FDSTATE_FDS)
		atomic_fetch_and(&busy[fd / 32], ~(1u << (fd % 32)));
}

/* The kernel's TCP state of fd (TCP_CLOSE: free to connect), or -1. */
static int
tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1 ||
	    len < 1)
		return -1;
	return ti.tcpi_state;
}

static int	tunnel(const struct lib *, int, const struct sockaddr *);
static bool	lookup(int, struct fdstate_tcp *);

/*
 * A socket with a tunnel already: EISCONN.  One that some thread is
 * tunnelling now: EALREADY.  One that libc connected, or is connecting:
 * libc's answer (EISCONN, EALREADY).  Only a fresh socket gets a tunnel.
 */
int
client_connect(const struct lib *l, int fd, const struct sockaddr *sa,
    socklen_t len)
{
	struct fdstate_tcp view;
	int rc, st, err;

	/*
	 * Ours: the kernel saw only a non-blocking connect to the gateway,
	 * and would answer the next connect() with 0, not EISCONN.
	 */
	if (lookup(fd, &view)) {
		errno = EISCONN;
		return -1;
	}
	if (!busy_take(fd)) {
		errno = EALREADY;
		return -1;
	}
	st = tcp_state(fd);
	if (st != -1 && st != TCP_CLOSE) {
		busy_give(fd);
		if (real()->connect == NULL) {
			errno = ENOSYS;
			return -1;
		}
		return real()->connect(fd, sa, len);
	}
	rc = tunnel(l, fd, sa);
	err = errno;
	busy_give(fd);
	errno = err;
	return rc;
}

static int
tunnel(const struct lib *l, int fd, const struct sockaddr *sa)
{
	struct socks5_addr dest;
	struct socks5_client_res res;
	int64_t deadline;
	socklen_t olen = sizeof(int);
	int domain, flags, use, err;
	char where[ADDR_STRLEN];

	if (client_destination(l, sa, &dest) == -1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &olen) == -1 ||
	    (flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	/* dial_open warns, once per gateway and back-off period. */
	if ((use = dial_open(l, fd, domain, &deadline)) == -1) {
		err = errno;
		goto fail;
	}
	addr_ntop(sa, where, sizeof(where));
	if (dial_handshake(l, use, S5_CMD_CONNECT, &dest, deadline, &res,
	    where) == -1) {
		err = errno;
		if (use != fd)
			real()->close(use);
		goto fail;
	}
	if (use != fd && dial_swap(fd, use) == -1) {
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

/* A copy of the recorded state of fd, if it is still the same socket. */
static bool
lookup(int fd, struct fdstate_tcp *out)
{
	struct fdstate *e = fdstate_get(fd, FDSTATE_TCP);
	uint64_t ino;

	if (e == NULL)
		return false;
	ino = atomic_load(&e->ino);
	*out = e->u.tcp;
	/* Unchanged while we copied (no close or reuse meanwhile). */
	return ino != 0 && atomic_load(&e->ino) == ino;
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
	struct fdstate_tcp st;

	if (sa == NULL || len == NULL || !lookup(fd, &st))
		return false;
	copy_out((struct sockaddr *)&st.peer, sa, len);
	return true;
}

bool
client_sockname(int fd, struct sockaddr *sa, socklen_t *len, int *rc)
{
	struct fdstate_tcp st;
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
	if (fdstate_get(fd, FDSTATE_TCP) != NULL)
		fdstate_drop(fd);
}
