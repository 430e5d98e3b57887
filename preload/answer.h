/*
 * answer.h - name look-ups answered with fake addresses (RFC 3089
 * section 3): getaddrinfo chains in the family the program asked for,
 * hostents for the gethostbyname family, and the reverse look-ups of a
 * fake (the name it stands for).  Before a fake is handed out the
 * gateway may be asked whether the name exists (verify.c).  Whether a
 * name is one to fake is names.c's question, asked by the hooks first.
 */
#ifndef SG_ANSWER_H
#define SG_ANSWER_H

#include <netdb.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "lib.h"

/*
 * getaddrinfo for node, a name the gateway resolves: fakes for AF_INET,
 * AF_INET6 or both (AF_UNSPEC), with the service's ports and socket
 * types as libc gives them.  0 or an EAI_* code; libc's own answer when
 * the table does not take the name.  The chain is ours: answer_free.
 */
int	answer_addrinfo(const struct lib *l, const char *node,
	    const char *service, const struct addrinfo *hints,
	    struct addrinfo **res);

/* Free ai if answer_addrinfo made it (true); false: it is libc's. */
bool	answer_free(struct addrinfo *ai);

/*
 * gethostbyname*_r of name in family af, packed into the caller's
 * buffer, with glibc's conventions for the return value and *h_errnop.
 */
int	answer_hostent_r(const struct lib *l, const char *name, int af,
	    struct hostent *ret, char *buf, size_t buflen,
	    struct hostent **result, int *h_errnop);

/* The same in per-thread storage (gethostbyname, gethostbyname2). */
struct hostent *answer_hostent(const struct lib *l, const char *name, int af);

/*
 * gethostbyaddr_r of a fake: true with the answer (*rc, *result,
 * *h_errnop) when addr is a fake that a name holds; false: ask libc.
 */
bool	answer_addr_hostent_r(const struct lib *l, const void *addr,
	    socklen_t len, int type, struct hostent *ret, char *buf,
	    size_t buflen, struct hostent **result, int *h_errnop, int *rc);

/* The same in per-thread storage (gethostbyaddr): *he, NULL on error. */
bool	answer_addr_hostent(const struct lib *l, const void *addr,
	    socklen_t len, int type, struct hostent **he);

/*
 * getnameinfo of a fake: true with the name it stands for in host (and
 * libc's service name), *rc the result; false: ask libc.
 */
bool	answer_nameinfo(const struct lib *l, const struct sockaddr *sa,
	    socklen_t salen, char *host, socklen_t hostlen, char *serv,
	    socklen_t servlen, int flags, int *rc);

#endif
