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

HOOK int
getaddrinfo(const char *node, const char *service,
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

HOOK void
freeaddrinfo(struct addrinfo *ai)
{
	if (!answer_free(ai) && real()->freeaddrinfo != NULL)
		real()->freeaddrinfo(ai);
}

HOOK struct hostent *
gethostbyname(const char *name)
{
	const struct lib *l = lib_get();

	if (names_fakeable(l, name))
		return answer_hostent(l, name, AF_INET);
	return real()->gethostbyname != NULL ?
	    real()->gethostbyname(name) : NULL;
}

HOOK struct hostent *
gethostbyname2(const char *name, int af)
{
	const struct lib *l = lib_get();

	if ((af == AF_INET || af == AF_INET6) && names_fakeable(l, name))
		return answer_hostent(l, name, af);
	return real()->gethostbyname2 != NULL ?
	    real()->gethostbyname2(name, af) : NULL;
}

HOOK int
gethostbyname_r(const char *name, struct hostent *ret, char *buf,
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

HOOK int
gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
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

HOOK int
gethostbyaddr_r(const void *addr, socklen_t len, int type,
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

HOOK struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int type)
{
	const struct lib *l = lib_get();
	struct hostent *he;

	if (answer_addr_hostent(l, addr, len, type, &he))
		return he;
	return real()->gethostbyaddr != NULL ?
	    real()->gethostbyaddr(addr, len, type) : NULL;
}

/* Reverse look-up of a fake: the name it stands for. */
HOOK int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
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
