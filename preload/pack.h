/*
 * pack.h - building the results the resolver functions hand back:
 * struct hostent packed into a caller's buffer (the _r functions) and
 * addrinfo chains in one allocation (so one free releases the chain).
 * Pure but for malloc in pack_addrinfo.
 */
#ifndef SG_PACK_H
#define SG_PACK_H

#include <stddef.h>
#include <stdint.h>
#include <netdb.h>
#include <sys/socket.h>

/*
 * Fill *he for name with naddrs addresses of one family (4 or 16 bytes
 * each at addrs), everything it points to stored in buf: h_name a copy
 * of name, h_aliases an empty list (never NULL), h_addr_list NULL-
 * terminated.  Returns 0, or ERANGE when buflen is too small.  Pointers
 * inside buf are aligned for their type.
 */
int	pack_hostent(struct hostent *he, char *buf, size_t buflen,
	    const char *name, int family, const uint8_t *addrs,
	    size_t naddrs);

/* One socktype/protocol/port combination to emit (as glibc would). */
struct pack_ai_tmpl {
	int		socktype;
	int		protocol;
	uint16_t	port;		/* host order */
};

/*
 * An addrinfo chain: for each address in order, one entry per template
 * (address-major order, as glibc).  Addresses keep their family; ports
 * come from the templates.  canon, when not NULL, goes into the first
 * entry's ai_canonname.  ai_flags is copied from flags.  The whole chain
 * is one malloc block whose start is the first entry: free() of that
 * pointer (pack_addrinfo_free) releases it.  NULL when out of memory or
 * when naddrs or ntmpl is 0.
 */
struct addrinfo *pack_addrinfo(const struct sockaddr_storage *addrs,
	    size_t naddrs, const struct pack_ai_tmpl *tmpl, size_t ntmpl,
	    const char *canon, int flags);

void	pack_addrinfo_free(struct addrinfo *ai);

#endif
