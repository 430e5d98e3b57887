/*
 * hooks.c - the libc entry points the Socks Lib interposes, and nothing
 * else.  Each one: set up once (lib_get), decide whether the call is
 * ours, and either answer it (fake addresses, SOCKS5 CONNECT) or hand it
 * to libc untouched.  RFC 3089 sections 2 and 3.
 */
#include "sgconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "client.h"
#include "dgram.h"
#include "fdstate.h"
#include "lib.h"
#include "pack.h"
#include "real.h"
#include "verify.h"

#define HOOK		__attribute__((visibility("default")))
#define OWNED_MAX	4096		/* addrinfo chains handed out at once */
#define TEMPLATES_MAX	8
#define HOSTS_MAX	(4 * 1024 * 1024)

/* Chains we allocated, so freeaddrinfo knows which free to call. */
static _Atomic(struct addrinfo *) owned[OWNED_MAX];

static size_t
owned_hash(const struct addrinfo *ai)
{
	return (size_t)(((uintptr_t)ai >> 4) * 2654435761u) % OWNED_MAX;
}

static int
owned_add(struct addrinfo *ai)
{
	struct addrinfo *expect;
	size_t i, k = owned_hash(ai);

	for (i = 0; i < OWNED_MAX; i++, k = (k + 1) % OWNED_MAX) {
		expect = NULL;
		if (atomic_compare_exchange_strong(&owned[k], &expect, ai))
			return 0;
	}
	return -1;
}

static bool
owned_take(struct addrinfo *ai)
{
	struct addrinfo *expect;
	size_t i, k = owned_hash(ai);

	for (i = 0; i < OWNED_MAX; i++, k = (k + 1) % OWNED_MAX) {
		expect = ai;
		if (atomic_compare_exchange_strong(&owned[k], &expect, NULL))
			return true;
	}
	return false;
}

static bool
is_localhost(const char *name)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if ((n == 9 && strncasecmp(name, "localhost", 9) == 0) ||
	    (n > 10 && strncasecmp(name + n - 10, ".localhost", 10) == 0))
		return true;
	return strcasecmp(name, "localhost.localdomain") == 0 ||
	    strcasecmp(name, "ip6-localhost") == 0 ||
	    strcasecmp(name, "ip6-loopback") == 0;
}

/* Names in /etc/hosts stay local (read each time: the file may change). */
static bool
in_etc_hosts(const char *name)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t len = 0;
	bool found = false;
	int fd, saved = errno;

	if ((fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < HOSTS_MAX &&
	    (buf = malloc((size_t)st.st_size)) != NULL) {
		while (len < (size_t)st.st_size && (n = read(fd, buf + len,
		    (size_t)st.st_size - len)) > 0)
			len += (size_t)n;
		found = env_hosts_has_name(buf, len, name);
		free(buf);
	}
	real()->close(fd);
	errno = saved;
	return found;
}

/*
 * Is name one to answer with a fake?  Not numeric forms, not localhost,
 * not this host's name, not /etc/hosts names, not direct names.
 */
static bool
fakeable(const struct lib *l, const char *name)
{
	struct in6_addr a6;
	struct in_addr a4;
	char host[256];

	if (!l->enabled || name == NULL || name[0] == '\0' ||
	    strlen(name) > FAKEIP_NAME_MAX)
		return false;
	if (inet_aton(name, &a4) != 0 || inet_pton(AF_INET6, name, &a6) == 1
	    || strchr(name, ':') != NULL || strchr(name, '%') != NULL)
		return false;
	if (is_localhost(name) || env_name_is_direct(&l->cfg, name))
		return false;
	if (gethostname(host, sizeof(host)) == 0 &&
	    strcasecmp(host, name) == 0)
		return false;
	return !in_etc_hosts(name);
}

/*
 * The (socktype, protocol, port) combinations libc would give for this
 * service and hints: asked of libc with a numeric host, so service names
 * and AI_NUMERICSERV behave exactly as without the library.
 */
static int
service_templates(const char *service, const struct addrinfo *hints,
    struct pack_ai_tmpl *t, size_t *n)
{
	struct addrinfo h, *ai, *a;
	size_t i;
	int rc;

	memset(&h, 0, sizeof(h));
	h.ai_family = AF_INET;
	h.ai_flags = AI_NUMERICHOST;
	if (hints != NULL) {
		h.ai_socktype = hints->ai_socktype;
		h.ai_protocol = hints->ai_protocol;
		h.ai_flags |= hints->ai_flags & AI_NUMERICSERV;
	}
	if ((rc = real()->getaddrinfo("127.0.0.1", service, &h, &ai)) != 0)
		return rc;
	*n = 0;
	for (a = ai; a != NULL && *n < TEMPLATES_MAX; a = a->ai_next) {
		for (i = 0; i < *n; i++)
			if (t[i].socktype == a->ai_socktype &&
			    t[i].protocol == a->ai_protocol)
				break;
		if (i < *n)
			continue;
		t[*n].socktype = a->ai_socktype;
		t[*n].protocol = a->ai_protocol;
		t[*n].port = ntohs(((struct sockaddr_in *)a->ai_addr)->sin_port);
		(*n)++;
	}
	real()->freeaddrinfo(ai);
	return *n > 0 ? 0 : EAI_SERVICE;
}

/*
 * getaddrinfo for a name the gateway resolves: fakes in the family the
 * program asked for (RFC 3089 section 3): IPv4 for AF_INET, IPv6 (never
 * v4-mapped) for AF_INET6, both for AF_UNSPEC.  AI_ADDRCONFIG does not
 * hide fakes: the gateway, not this host, reaches the destination.
 */
static int
fake_getaddrinfo(const struct lib *l, const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct pack_ai_tmpl t[TEMPLATES_MAX];
	struct sockaddr_storage addrs[2];
	struct addrinfo *ai;
	socklen_t len;
	uint32_t slot;
	size_t nt, na = 0;
	int family = hints != NULL ? hints->ai_family : AF_UNSPEC, rc;
	int flags = hints != NULL ? hints->ai_flags : 0;

	if ((rc = service_templates(service, hints, t, &nt)) != 0)
		return rc;
	switch (fakeip_lookup_name(l->table, node, &slot)) {
	case FAKEIP_OK:
		break;
	case FAKEIP_FULL:
		lib_log(LIB_WARN, "fake-address table full: %s", node);
		return EAI_AGAIN;
	default:
		return real()->getaddrinfo(node, service, hints, res);
	}
	switch (verify_name(l, node, slot, family)) {
	case VERIFY_NONAME:
		return EAI_NONAME;
	case VERIFY_FAIL:
		return EAI_AGAIN;
	default:
		break;
	}
	if (family != AF_INET6)
		(void)fakeip_slot_addr(l->table, slot, AF_INET, 0,
		    &addrs[na++], &len);
	if (family != AF_INET)
		(void)fakeip_slot_addr(l->table, slot, AF_INET6, 0,
		    &addrs[na++], &len);
	ai = pack_addrinfo(addrs, na, t, nt,
	    (flags & AI_CANONNAME) ? node : NULL, flags);
	if (ai == NULL)
		return EAI_MEMORY;
	if (owned_add(ai) == -1) {
		pack_addrinfo_free(ai);
		return EAI_MEMORY;
	}
	lib_log(LIB_DEBUG, "getaddrinfo %s: fake slot %u", node,
	    (unsigned)slot);
	*res = ai;
	return 0;
}

HOOK int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	const struct lib *l = lib_get();
	int family = hints != NULL ? hints->ai_family : AF_UNSPEC;

	if (real()->getaddrinfo == NULL)
		return EAI_SYSTEM;
	if (!fakeable(l, node) ||
	    (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) ||
	    (hints != NULL && (hints->ai_flags & AI_NUMERICHOST)))
		return real()->getaddrinfo(node, service, hints, res);
	return fake_getaddrinfo(l, node, service, hints, res);
}

HOOK void
freeaddrinfo(struct addrinfo *ai)
{
	if (ai != NULL && owned_take(ai))
		pack_addrinfo_free(ai);
	else if (real()->freeaddrinfo != NULL)
		real()->freeaddrinfo(ai);
}

/*
 * The fake of name in family af, as raw address bytes: 0, or the
 * h_errno to report (HOST_NOT_FOUND when the gateway knows no such name).
 */
static int
fake_bytes(const struct lib *l, const char *name, int af, uint8_t *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint32_t slot;

	if (fakeip_lookup_name(l->table, name, &slot) != FAKEIP_OK)
		return TRY_AGAIN;
	switch (verify_name(l, name, slot, af)) {
	case VERIFY_NONAME:
		return HOST_NOT_FOUND;
	case VERIFY_FAIL:
		return TRY_AGAIN;
	default:
		break;
	}
	if (fakeip_slot_addr(l->table, slot, af, 0, &ss, &len) != FAKEIP_OK)
		return TRY_AGAIN;
	if (af == AF_INET)
		memcpy(out, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	else
		memcpy(out, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	return 0;
}

/* gethostbyname*_r answered with a fake, packed into the caller's buffer. */
static int
fake_hostent_r(const struct lib *l, const char *name, int af,
    struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
    int *h_errnop)
{
	uint8_t addr[16];
	int rc;

	*result = NULL;
	if ((rc = fake_bytes(l, name, af, addr)) != 0) {
		/* As glibc: not found is 0 with no result, the rest EAGAIN. */
		*h_errnop = rc;
		return rc == HOST_NOT_FOUND ? 0 : EAGAIN;
	}
	if ((rc = pack_hostent(ret, buf, buflen, name, af, addr, 1)) != 0) {
		*h_errnop = NETDB_INTERNAL;
		return rc;
	}
	*result = ret;
	*h_errnop = 0;
	return 0;
}

/* Storage of the non-reentrant forms, one per thread as in glibc. */
static _Thread_local struct {
	struct hostent	he;
	char		buf[FAKEIP_NAME_MAX + 128];
} tls_host;

static struct hostent *
fake_hostent(const struct lib *l, const char *name, int af)
{
	struct hostent *res;
	int herr;

	if (fake_hostent_r(l, name, af, &tls_host.he, tls_host.buf,
	    sizeof(tls_host.buf), &res, &herr) != 0 || res == NULL) {
		h_errno = herr;
		return NULL;
	}
	return res;
}

HOOK struct hostent *
gethostbyname(const char *name)
{
	const struct lib *l = lib_get();

	if (fakeable(l, name))
		return fake_hostent(l, name, AF_INET);
	return real()->gethostbyname != NULL ?
	    real()->gethostbyname(name) : NULL;
}

HOOK struct hostent *
gethostbyname2(const char *name, int af)
{
	const struct lib *l = lib_get();

	if ((af == AF_INET || af == AF_INET6) && fakeable(l, name))
		return fake_hostent(l, name, af);
	return real()->gethostbyname2 != NULL ?
	    real()->gethostbyname2(name, af) : NULL;
}

HOOK int
gethostbyname_r(const char *name, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	const struct lib *l = lib_get();

	if (fakeable(l, name))
		return fake_hostent_r(l, name, AF_INET, ret, buf, buflen,
		    result, h_errnop);
	if (real()->gethostbyname_r == NULL)
		return ENOSYS;
	return real()->gethostbyname_r(name, ret, buf, buflen, result,
	    h_errnop);
}

HOOK int
gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	const struct lib *l = lib_get();

	if ((af == AF_INET || af == AF_INET6) && fakeable(l, name))
		return fake_hostent_r(l, name, af, ret, buf, buflen, result,
		    h_errnop);
	if (real()->gethostbyname2_r == NULL)
		return ENOSYS;
	return real()->gethostbyname2_r(name, af, ret, buf, buflen, result,
	    h_errnop);
}

/* The name behind a fake address given as raw bytes, if any. */
static bool
fake_name_of(const struct lib *l, const void *addr, socklen_t len, int type,
    char *name, size_t namelen)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	uint32_t slot;

	if (!l->enabled || addr == NULL)
		return false;
	if (type == AF_INET && len == 4) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, addr, 4);
		sa = (struct sockaddr *)&sin;
	} else if (type == AF_INET6 && len == 16) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, addr, 16);
		sa = (struct sockaddr *)&sin6;
	} else
		return false;
	return fakeip_slot_of(l->table, sa, &slot) == FAKEIP_OK &&
	    fakeip_slot_name(l->table, slot, name, namelen) == FAKEIP_OK;
}

HOOK int
gethostbyaddr_r(const void *addr, socklen_t len, int type,
    struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
    int *h_errnop)
{
	const struct lib *l = lib_get();
	char name[FAKEIP_NAME_MAX + 1];
	int rc;

	if (fake_name_of(l, addr, len, type, name, sizeof(name))) {
		*result = NULL;
		if ((rc = pack_hostent(ret, buf, buflen, name, type, addr, 1))
		    != 0) {
			*h_errnop = NETDB_INTERNAL;
			return rc;
		}
		*result = ret;
		*h_errnop = 0;
		return 0;
	}
	if (real()->gethostbyaddr_r == NULL)
		return ENOSYS;
	return real()->gethostbyaddr_r(addr, len, type, ret, buf, buflen,
	    result, h_errnop);
}

HOOK struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int type)
{
	const struct lib *l = lib_get();
	char name[FAKEIP_NAME_MAX + 1];

	if (fake_name_of(l, addr, len, type, name, sizeof(name))) {
		if (pack_hostent(&tls_host.he, tls_host.buf,
		    sizeof(tls_host.buf), name, type, addr, 1) != 0) {
			h_errno = NETDB_INTERNAL;
			return NULL;
		}
		return &tls_host.he;
	}
	return real()->gethostbyaddr != NULL ?
	    real()->gethostbyaddr(addr, len, type) : NULL;
}

/* Reverse look-up of a fake: the name it stands for. */
HOOK int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	const struct lib *l = lib_get();
	char name[FAKEIP_NAME_MAX + 1];
	uint32_t slot;
	int rc;

	if (real()->getnameinfo == NULL)
		return EAI_SYSTEM;
	if (!l->enabled || sa == NULL || host == NULL || hostlen == 0 ||
	    (flags & NI_NUMERICHOST) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
	    fakeip_slot_of(l->table, sa, &slot) != FAKEIP_OK ||
	    fakeip_slot_name(l->table, slot, name, sizeof(name)) != FAKEIP_OK)
		return real()->getnameinfo(sa, salen, host, hostlen, serv,
		    servlen, flags);
	if (strlen(name) >= hostlen)
		return EAI_OVERFLOW;
	if (serv != NULL && servlen > 0 && (rc = real()->getnameinfo(sa,
	    salen, NULL, 0, serv, servlen, flags)) != 0)
		return rc;
	memcpy(host, name, strlen(name) + 1);
	return 0;
}

HOOK int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct lib *l = lib_get();
	int rc;

	if (dgram_connect(l, fd, sa, len, &rc))
		return rc;
	if (client_intercepts(l, fd, sa, len))
		return client_connect(l, fd, sa, len);
	if (real()->connect == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->connect(fd, sa, len);
}

/* glibc's internal name, reached by some libc paths and old binaries. */
HOOK int __connect(int, const struct sockaddr *, socklen_t)
    __attribute__((alias("connect")));

/* A plain buffer as a message, for the datagram path. */
static struct msghdr
one_buffer(struct iovec *iov, const void *buf, size_t n,
    const struct sockaddr *to, socklen_t tolen)
{
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	iov->iov_base = (void *)(uintptr_t)buf;
	iov->iov_len = n;
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	m.msg_name = (void *)(uintptr_t)to;
	m.msg_namelen = to != NULL ? tolen : 0;
	return m;
}

/*
 * TCP Fast Open: sendto(MSG_FASTOPEN) is connect + send in one call.
 * UDP to a proxied address: through the association.
 */
HOOK ssize_t
sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	const struct lib *l = lib_get();
	struct iovec iov;
	struct msghdr m;
	ssize_t rc;

	if ((flags & MSG_FASTOPEN) && client_intercepts(l, fd, to, tolen)) {
		if (client_connect(l, fd, to, tolen) == -1)
			return -1;
		return send(fd, buf, n, flags & ~MSG_FASTOPEN);
	}
	m = one_buffer(&iov, buf, n, to, tolen);
	if (dgram_sendmsg(l, fd, &m, flags, &rc))
		return rc;
	if (real()->sendto == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->sendto(fd, buf, n, flags, to, tolen);
}

HOOK ssize_t
send(int fd, const void *buf, size_t n, int flags)
{
	const struct lib *l = lib_get();
	struct iovec iov;
	struct msghdr m;
	ssize_t rc;

	m = one_buffer(&iov, buf, n, NULL, 0);
	if (dgram_sendmsg(l, fd, &m, flags, &rc))
		return rc;
	if (real()->send == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->send(fd, buf, n, flags);
}

HOOK ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	const struct lib *l = lib_get();
	struct msghdr m;
	ssize_t rc;

	if (real()->sendmsg == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (msg != NULL && (flags & MSG_FASTOPEN) && client_intercepts(l, fd,
	    msg->msg_name, msg->msg_namelen)) {
		if (client_connect(l, fd, msg->msg_name, msg->msg_namelen) ==
		    -1)
			return -1;
		m = *msg;
		m.msg_name = NULL;
		m.msg_namelen = 0;
		return real()->sendmsg(fd, &m, flags & ~MSG_FASTOPEN);
	}
	if (msg != NULL && dgram_sendmsg(l, fd, msg, flags, &rc))
		return rc;
	return real()->sendmsg(fd, msg, flags);
}

/* Several datagrams at once (libuv, hence dig): one by one when ours. */
HOOK int
sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	const struct lib *l = lib_get();
	unsigned int i;
	ssize_t rc;

	if (n > 0 && v != NULL && dgram_sendmsg(l, fd, &v[0].msg_hdr, flags,
	    &rc)) {
		for (i = 0; i < n; i++) {
			if (i > 0 && !dgram_sendmsg(l, fd, &v[i].msg_hdr,
			    flags, &rc))
				rc = real()->sendmsg(fd, &v[i].msg_hdr, flags);
			if (rc < 0)
				break;
			v[i].msg_len = (unsigned int)rc;
		}
		return i > 0 ? (int)i : -1;
	}
	if (real()->sendmmsg != NULL &&
	    ((i = (unsigned int)real()->sendmmsg(fd, v, n, flags)) !=
	    (unsigned int)-1 || errno != ENOSYS))
		return (int)i;
	/* No sendmmsg (sixgate --udp-compat): one sendmsg at a time. */
	for (i = 0; i < n; i++) {
		if ((rc = real()->sendmsg(fd, &v[i].msg_hdr, flags)) < 0)
			break;
		v[i].msg_len = (unsigned int)rc;
	}
	return i > 0 ? (int)i : -1;
}

HOOK ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t rc;

	if (msg != NULL && dgram_recvmsg(fd, msg, flags, &rc))
		return rc;
	if (real()->recvmsg == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->recvmsg(fd, msg, flags);
}

HOOK ssize_t
recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	struct iovec iov = { buf, n };
	struct msghdr m;
	ssize_t rc;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_name = from;
	m.msg_namelen = from != NULL && fromlen != NULL ? *fromlen : 0;
	if (dgram_recvmsg(fd, &m, flags, &rc)) {
		if (rc >= 0 && from != NULL && fromlen != NULL)
			*fromlen = m.msg_namelen;
		return rc;
	}
	if (real()->recvfrom == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->recvfrom(fd, buf, n, flags, from, fromlen);
}

HOOK ssize_t
recv(int fd, void *buf, size_t n, int flags)
{
	struct iovec iov = { buf, n };
	struct msghdr m;
	ssize_t rc;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (dgram_recvmsg(fd, &m, flags, &rc))
		return rc;
	if (real()->recv == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->recv(fd, buf, n, flags);
}

HOOK int
recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
    struct timespec *timeout)
{
	unsigned int i;
	ssize_t rc;

	if (n > 0 && v != NULL && dgram_recvmsg(fd, &v[0].msg_hdr, flags,
	    &rc)) {
		/* The first as asked, the rest only if already waiting. */
		for (i = 0; rc >= 0; ) {
			v[i].msg_len = (unsigned int)rc;
			if (++i == n || !dgram_recvmsg(fd, &v[i].msg_hdr,
			    flags | MSG_DONTWAIT, &rc))
				break;
		}
		return i > 0 ? (int)i : -1;
	}
	if (real()->recvmmsg != NULL &&
	    ((i = (unsigned int)real()->recvmmsg(fd, v, n, flags, timeout)) !=
	    (unsigned int)-1 || errno != ENOSYS))
		return (int)i;
	/* No recvmmsg (sixgate --udp-compat): the first, then what waits. */
	for (i = 0; i < n; i++) {
		if ((rc = real()->recvmsg(fd, &v[i].msg_hdr,
		    i == 0 ? flags : flags | MSG_DONTWAIT)) < 0)
			break;
		v[i].msg_len = (unsigned int)rc;
	}
	return i > 0 ? (int)i : -1;
}

HOOK int
getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	if (client_peername(fd, sa, len) || dgram_peername(fd, sa, len))
		return 0;
	if (real()->getpeername == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->getpeername(fd, sa, len);
}

HOOK int
getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	int rc;

	if (client_sockname(fd, sa, len, &rc) ||
	    dgram_sockname(fd, sa, len, &rc))
		return rc;
	if (real()->getsockname == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->getsockname(fd, sa, len);
}

/* Only forgets what was recorded: the fd is closed by libc as ever. */
HOOK int
close(int fd)
{
	fdstate_drop(fd);
	if (real()->close == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real()->close(fd);
}
