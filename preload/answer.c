/*
 * answer.c - name look-ups answered with fakes (see answer.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "answer.h"
#include "pack.h"
#include "real.h"
#include "verify.h"

#define OWNED_BITS	12
#define OWNED_MAX	(1u << OWNED_BITS)	/* chains handed out at once */
#define OWNED_PROBE	32		/* slots looked at per chain */
#define TEMPLATES_MAX	8

/*
 * Chains we allocated, so freeaddrinfo knows which free to call: an
 * open-addressing table keyed by the pointer.  A chain lives in one of
 * the OWNED_PROBE slots after its hash, so freeaddrinfo of libc's chain
 * (not ours) costs OWNED_PROBE loads and no atomic read-modify-write;
 * a chain whose slots are all taken is refused (EAI_MEMORY), which
 * takes about that many chains live at once with the same hash.
 */
static _Atomic(struct addrinfo *) owned[OWNED_MAX];

static size_t
owned_hash(const struct addrinfo *ai)
{
	/* Fibonacci hashing: the top bits of the product. */
	return (size_t)(((uint64_t)(uintptr_t)ai * 0x9e3779b97f4a7c15ull) >>
	    (64 - OWNED_BITS));
}

static int
owned_add(struct addrinfo *ai)
{
	struct addrinfo *expect;
	size_t i, k = owned_hash(ai);

	for (i = 0; i < OWNED_PROBE; i++, k = (k + 1) % OWNED_MAX) {
		if (atomic_load_explicit(&owned[k], memory_order_relaxed) !=
		    NULL)
			continue;
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

	for (i = 0; i < OWNED_PROBE; i++, k = (k + 1) % OWNED_MAX) {
		if (atomic_load_explicit(&owned[k], memory_order_relaxed) !=
		    ai)
			continue;
		expect = ai;
		if (atomic_compare_exchange_strong(&owned[k], &expect, NULL))
			return true;
	}
	return false;
}

bool
answer_free(struct addrinfo *ai)
{
	if (ai == NULL || !owned_take(ai))
		return false;
	pack_addrinfo_free(ai);
	return true;
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
		t[*n].port = ntohs(((struct sockaddr_in *)a->ai_addr)->
		    sin_port);
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
int
answer_addrinfo(const struct lib *l, const char *node, const char *service,
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
int
answer_hostent_r(const struct lib *l, const char *name, int af,
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

struct hostent *
answer_hostent(const struct lib *l, const char *name, int af)
{
	struct hostent *res;
	int herr;

	if (answer_hostent_r(l, name, af, &tls_host.he, tls_host.buf,
	    sizeof(tls_host.buf), &res, &herr) != 0 || res == NULL) {
		h_errno = herr;
		return NULL;
	}
	return res;
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

bool
answer_addr_hostent_r(const struct lib *l, const void *addr, socklen_t len,
    int type, struct hostent *ret, char *buf, size_t buflen,
    struct hostent **result, int *h_errnop, int *rc)
{
	char name[FAKEIP_NAME_MAX + 1];

	if (!fake_name_of(l, addr, len, type, name, sizeof(name)))
		return false;
	*result = NULL;
	if ((*rc = pack_hostent(ret, buf, buflen, name, type, addr, 1)) != 0) {
		*h_errnop = NETDB_INTERNAL;
		return true;
	}
	*result = ret;
	*h_errnop = 0;
	return true;
}

bool
answer_addr_hostent(const struct lib *l, const void *addr, socklen_t len,
    int type, struct hostent **he)
{
	char name[FAKEIP_NAME_MAX + 1];

	if (!fake_name_of(l, addr, len, type, name, sizeof(name)))
		return false;
	*he = NULL;
	if (pack_hostent(&tls_host.he, tls_host.buf, sizeof(tls_host.buf),
	    name, type, addr, 1) != 0)
		h_errno = NETDB_INTERNAL;
	else
		*he = &tls_host.he;
	return true;
}

bool
answer_nameinfo(const struct lib *l, const struct sockaddr *sa,
    socklen_t salen, char *host, socklen_t hostlen, char *serv,
    socklen_t servlen, int flags, int *rc)
{
	char name[FAKEIP_NAME_MAX + 1];
	uint32_t slot;

	if (!l->enabled || sa == NULL || host == NULL || hostlen == 0 ||
	    (flags & NI_NUMERICHOST) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
	    fakeip_slot_of(l->table, sa, &slot) != FAKEIP_OK ||
	    fakeip_slot_name(l->table, slot, name, sizeof(name)) != FAKEIP_OK)
		return false;
	*rc = 0;
	if (strlen(name) >= hostlen)
		*rc = EAI_OVERFLOW;
	else if (serv != NULL && servlen > 0)
		*rc = real()->getnameinfo(sa, salen, NULL, 0, serv, servlen,
		    flags);
	if (*rc == 0)
		memcpy(host, name, strlen(name) + 1);
	return true;
}
