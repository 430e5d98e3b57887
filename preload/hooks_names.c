/*
 * hooks_names.c - the name look-ups the Socks Lib interposes, and
 * nothing else.  Each one: set up once (lib_get), ask whether the name
 * is one to fake (names.c), and either answer with fakes (answer.c) or
 * hand the call to libc untouched.  RFC 3089 section 3.
 */
#include "sgconfig.h"

#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>

#include "answer.h"
#include "lib.h"
#include "names.h"
#include "real.h"

#define HOOK		__attribute__((visibility("default")))

static int
getaddrinfo_impl(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	const struct lib *l = lib_get();
	int family = hints != NULL ? hints->ai_family : AF_UNSPEC;

	if (real()->getaddrinfo == NULL)
		return EAI_SYSTEM;
	if (!names_fakeable(l, node) ||
	    (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) ||
	    (hints != NULL && (hints->ai_flags & AI_NUMERICHOST)))
		return real()->getaddrinfo(node, service, hints, res);
	return answer_addrinfo(l, node, service, hints, res);
}

static void
freeaddrinfo_impl(struct addrinfo *ai)
{
	if (!answer_free(ai) && real()->freeaddrinfo != NULL)
		real()->freeaddrinfo(ai);
}

static struct hostent *
gethostbyname_impl(const char *name)
{
	const struct lib *l = lib_get();

	if (names_fakeable(l, name))
		return answer_hostent(l, name, AF_INET);
	return real()->gethostbyname != NULL ?
	    real()->gethostbyname(name) : NULL;
}

static struct hostent *
gethostbyname2_impl(const char *name, int af)
{
	const struct lib *l = lib_get();

	if ((af == AF_INET || af == AF_INET6) && names_fakeable(l, name))
		return answer_hostent(l, name, af);
	return real()->gethostbyname2 != NULL ?
	    real()->gethostbyname2(name, af) : NULL;
}

static int
gethostbyname_r_impl(const char *name, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	const struct lib *l = lib_get();

	if (names_fakeable(l, name))
		return answer_hostent_r(l, name, AF_INET, ret, buf, buflen,
		    result, h_errnop);
	if (real()->gethostbyname_r == NULL)
		return ENOSYS;
	return real()->gethostbyname_r(name, ret, buf, buflen, result,
	    h_errnop);
}

static int
gethostbyname2_r_impl(const char *name, int af, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	const struct lib *l = lib_get();

	if ((af == AF_INET || af == AF_INET6) && names_fakeable(l, name))
		return answer_hostent_r(l, name, af, ret, buf, buflen, result,
		    h_errnop);
	if (real()->gethostbyname2_r == NULL)
		return ENOSYS;
	return real()->gethostbyname2_r(name, af, ret, buf, buflen, result,
	    h_errnop);
}

static int
gethostbyaddr_r_impl(const void *addr, socklen_t len, int type,
    struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
    int *h_errnop)
{
	const struct lib *l = lib_get();
	int rc;

	if (answer_addr_hostent_r(l, addr, len, type, ret, buf, buflen,
	    result, h_errnop, &rc))
		return rc;
	if (real()->gethostbyaddr_r == NULL)
		return ENOSYS;
	return real()->gethostbyaddr_r(addr, len, type, ret, buf, buflen,
	    result, h_errnop);
}

static struct hostent *
gethostbyaddr_impl(const void *addr, socklen_t len, int type)
{
	const struct lib *l = lib_get();
	struct hostent *he;

	if (answer_addr_hostent(l, addr, len, type, &he))
		return he;
	return real()->gethostbyaddr != NULL ?
	    real()->gethostbyaddr(addr, len, type) : NULL;
}

/* Reverse look-up of a fake: the name it stands for. */
static int
getnameinfo_impl(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	const struct lib *l = lib_get();
	int rc;

	if (real()->getnameinfo == NULL)
		return EAI_SYSTEM;
	if (answer_nameinfo(l, sa, salen, host, hostlen, serv, servlen, flags,
	    &rc))
		return rc;
	return real()->getnameinfo(sa, salen, host, hostlen, serv, servlen,
	    flags);
}

/*
 * The hooks proper: errno as the program left it whenever the call
 * succeeds (the decisions above may try and fail calls of their own).
 */
HOOK int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	int saved = errno, rc = getaddrinfo_impl(node, service, hints, res);

	if (rc == 0)
		errno = saved;
	return rc;
}

HOOK void
freeaddrinfo(struct addrinfo *ai)
{
	int saved = errno;

	freeaddrinfo_impl(ai);
	errno = saved;
}

HOOK struct hostent *
gethostbyname(const char *name)
{
	int saved = errno;
	struct hostent *h = gethostbyname_impl(name);

	if (h != NULL)
		errno = saved;
	return h;
}

HOOK struct hostent *
gethostbyname2(const char *name, int af)
{
	int saved = errno;
	struct hostent *h = gethostbyname2_impl(name, af);

	if (h != NULL)
		errno = saved;
	return h;
}

HOOK int
gethostbyname_r(const char *name, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	int saved = errno, rc = gethostbyname_r_impl(name, ret, buf, buflen,
	    result, h_errnop);

	if (rc == 0 && result != NULL && *result != NULL)
		errno = saved;
	return rc;
}

HOOK int
gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	int saved = errno, rc = gethostbyname2_r_impl(name, af, ret, buf,
	    buflen, result, h_errnop);

	if (rc == 0 && result != NULL && *result != NULL)
		errno = saved;
	return rc;
}

HOOK int
gethostbyaddr_r(const void *addr, socklen_t len, int type,
    struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
    int *h_errnop)
{
	int saved = errno, rc = gethostbyaddr_r_impl(addr, len, type, ret, buf,
	    buflen, result, h_errnop);

	if (rc == 0 && result != NULL && *result != NULL)
		errno = saved;
	return rc;
}

HOOK struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int type)
{
	int saved = errno;
	struct hostent *h = gethostbyaddr_impl(addr, len, type);

	if (h != NULL)
		errno = saved;
	return h;
}

HOOK int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	int saved = errno, rc = getnameinfo_impl(sa, salen, host, hostlen, serv,
	    servlen, flags);

	if (rc == 0)
		errno = saved;
	return rc;
}
