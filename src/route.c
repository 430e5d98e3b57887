/*
 * route.c - pure route matching (see route.h).
 */
#include "sgconfig.h"

#include <string.h>
#include <strings.h>

#include "route.h"

bool
route_name_match(const char *pattern, const char *name)
{
	size_t n = strlen(name), p;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (pattern[0] == '*' && pattern[1] == '.') {
		p = strlen(pattern + 1);	/* ".corp.example" */
		return n > p && strncasecmp(name + n - p, pattern + 1, p) == 0;
	}
	return strlen(pattern) == n && strncasecmp(pattern, name, n) == 0;
}

static bool
match_dest(const struct route *r, const char *name,
    const struct sockaddr *addr)
{
	size_t i;

	if (r->nnames == 0 && r->nnets == 0)
		return true;
	for (i = 0; name != NULL && i < r->nnames; i++)
		if (route_name_match(r->names[i], name))
			return true;
	for (i = 0; addr != NULL && i < r->nnets; i++)
		if (addr_cidr_match(&r->nets[i], addr))
			return true;
	return false;
}

static bool
match_port(const struct route *r, uint16_t port)
{
	size_t i;

	if (r->nports == 0)
		return true;
	for (i = 0; i < r->nports; i++)
		if (port >= r->ports[i].lo && port <= r->ports[i].hi)
			return true;
	return false;
}

int
route_match(const struct route *routes, size_t n, const char *name,
    const struct sockaddr *addr, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (match_dest(&routes[i], name, addr) &&
		    match_port(&routes[i], port))
			return (int)i;
	return -1;
}

int
route_match_lookup(const struct route *routes, size_t n, const char *name,
    const struct sockaddr *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (match_dest(&routes[i], name, addr))
			return (int)i;
	return -1;
}
