/*
 * resolve.c - destination look-up at the gateway (see resolve.h).
 */
#include "sgconfig.h"

#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "resolve.h"

#define BUSY_SLOTS	256	/* names being looked up that are kept */

/*
 * The names this process is looking up now, as hashes (0: a free slot):
 * a look-up that comes back to the gateway's own dns listener is one of
 * these (resolve_busy).  More at once than slots: the rest are not
 * kept, and such a loop is only caught by its timeouts.
 */
static _Atomic uint64_t busy[BUSY_SLOTS];

/* FNV-1a of name without case and without one trailing dot; never 0. */
static uint64_t
name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t n = strlen(name), i;
	unsigned char ch;

	if (n > 0 && name[n - 1] == '.')
		n--;
	for (i = 0; i < n; i++) {
		ch = (unsigned char)name[i];
		h ^= ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
		h *= 0x100000001b3ULL;
	}
	return h | 1;
}

/* Note name as being looked up: its slot, or BUSY_SLOTS (not kept). */
static size_t
busy_add(const char *name)
{
	uint64_t h = name_hash(name), want;
	size_t i, k;

	for (k = 0; k < BUSY_SLOTS; k++) {
		i = (size_t)(h + k) % BUSY_SLOTS;
		want = 0;
		if (atomic_compare_exchange_strong(&busy[i], &want, h))
			return i;
	}
	return BUSY_SLOTS;
}

static void
busy_del(size_t i)
{
	if (i < BUSY_SLOTS)
		atomic_store(&busy[i], 0);
}

bool
resolve_busy(const char *name)
{
	uint64_t h = name_hash(name);
	size_t i;

	for (i = 0; i < BUSY_SLOTS; i++)
		if (atomic_load_explicit(&busy[i], memory_order_relaxed) == h)
			return true;
	return false;
}

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
	size_t n, slot;
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
	/* A numeric host never becomes a DNS query. */
	slot = flags & AI_NUMERICHOST ? BUSY_SLOTS : busy_add(host);
	rc = getaddrinfo(host, NULL, &hints, &ai);
	busy_del(slot);
	if (rc != 0)
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
