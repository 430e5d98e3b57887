/*
 * resolve.c - destination look-up at the gateway (see resolve.h).
 */
#include "sgconfig.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "resolve.h"

void
resolve_order(struct sockaddr_storage *addrs, size_t n,
    enum config_prefer prefer)
{
	struct sockaddr_storage first[RESOLVE_MAX], second[RESOLVE_MAX];
	size_t nf = 0, ns = 0, i, k = 0;
	int fam;

	if (prefer == CONFIG_PREFER_SYSTEM || n < 2)
		return;
	if (n > RESOLVE_MAX)
		n = RESOLVE_MAX;
	fam = prefer == CONFIG_PREFER_IPV6 ? AF_INET6 : AF_INET;
	for (i = 0; i < n; i++) {
		if (addrs[i].ss_family == fam)
			first[nf++] = addrs[i];
		else
			second[ns++] = addrs[i];
	}
	/* Interleave, preferred family first (RFC 8305 section 4). */
	for (i = 0; i < nf || i < ns; i++) {
		if (i < nf)
			addrs[k++] = first[i];
		if (i < ns)
			addrs[k++] = second[i];
	}
}

static int
lookup(const char *name, uint16_t port, enum config_prefer prefer, int flags,
    struct resolve_result *res)
{
	struct addrinfo hints, *ai, *a;
	char host[256];
	size_t n;
	int rc;

	/* A bracketed IPv6 literal may arrive as a name (RFC 3089 sec. 3). */
	n = strlen(name);
	if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {
		if (n - 2 >= sizeof(host))
			return EAI_NONAME;
		memcpy(host, name + 1, n - 2);
		host[n - 2] = '\0';
	} else
		snprintf(host, sizeof(host), "%s", name);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = flags;
	/*
	 * No AI_ADDRCONFIG: it hides IPv6 answers on hosts whose only IPv6
	 * address is ::1, and a failed connect moves on to the next address
	 * anyway.
	 */
	if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0)
		return rc;
	res->n = 0;
	for (a = ai; a != NULL && res->n < RESOLVE_MAX; a = a->ai_next) {
		if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
		    a->ai_addrlen > sizeof(res->addrs[0]))
			continue;
		memset(&res->addrs[res->n], 0, sizeof(res->addrs[0]));
		memcpy(&res->addrs[res->n], a->ai_addr, a->ai_addrlen);
		addr_set_port((struct sockaddr *)&res->addrs[res->n], port);
		res->n++;
	}
	freeaddrinfo(ai);
	if (res->n == 0)
		return EAI_NONAME;
	resolve_order(res->addrs, res->n, prefer);
	return 0;
}

int
resolve_name(const char *name, uint16_t port, enum config_prefer prefer,
    struct resolve_result *res)
{
	return lookup(name, port, prefer, 0, res);
}

bool
resolve_literal(const char *name, uint16_t port, struct resolve_result *res)
{
	return lookup(name, port, CONFIG_PREFER_SYSTEM, AI_NUMERICHOST, res) ==
	    0;
}
