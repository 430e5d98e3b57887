/*
 * selfaddr.c - the gateway's own addresses (see selfaddr.h).
 */
#include "sgconfig.h"

#include <ifaddrs.h>
#include <pthread.h>
#include <string.h>
#include <netinet/in.h>

#include "addr.h"
#include "log.h"
#include "selfaddr.h"
#include "sgio.h"

/* One table for the process, refreshed by whichever reader finds it old. */
static struct {
	pthread_rwlock_t	 lock;
	struct sockaddr_storage	 addrs[SELFADDR_MAX];
	size_t			 n;
	int64_t			 read_ms;	/* 0: never read */
	bool			 failed_logged;
} self = { .lock = PTHREAD_RWLOCK_INITIALIZER };

/* The address as compared: IPv4 for the IPv6 forms that carry it. */
static void
normalise(const struct sockaddr *sa, struct sockaddr_storage *out)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	struct sockaddr_in *sin = (struct sockaddr_in *)out;
	const uint8_t *v4;

	memset(out, 0, sizeof(*out));
	memcpy(out, sa, addr_len(sa));
	if (sa->sa_family == AF_INET6 &&
	    (v4 = addr_embedded_v4(s6->sin6_addr.s6_addr)) != NULL) {
		memset(out, 0, sizeof(*out));
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, v4, 4);
	}
	addr_set_port((struct sockaddr *)out, 0);
}

static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	if (memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) != 0)
		return false;
	/* fe80::1%eth0 is not fe80::1%eth1; an unscoped one matches any. */
	return a6->sin6_scope_id == 0 || b6->sin6_scope_id == 0 ||
	    a6->sin6_scope_id == b6->sin6_scope_id;
}

bool
selfaddr_match(const struct sockaddr_storage *tab, size_t n,
    const struct sockaddr *sa)
{
	struct sockaddr_storage want;
	size_t i;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return false;
	normalise(sa, &want);
	for (i = 0; i < n; i++)
		if (same_host(&tab[i], &want))
			return true;
	return false;
}

/* Re-read the interfaces' addresses; called with the write lock held. */
static void
refresh(int64_t now)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	self.read_ms = now;
	if (getifaddrs(&ifa) == -1) {
		/* Keep the last table: better stale than empty. */
		if (!self.failed_logged)
			log_warn("getifaddrs: the gateway's own addresses "
			    "may be out of date");
		self.failed_logged = true;
		return;
	}
	self.failed_logged = false;
	for (i = ifa; i != NULL && n < SELFADDR_MAX; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		normalise(i->ifa_addr, &self.addrs[n++]);
	}
	self.n = n;
	freeifaddrs(ifa);
}

bool
selfaddr_has(const struct sockaddr *sa)
{
	int64_t now = sgio_now_ms();
	bool found;

	pthread_rwlock_rdlock(&self.lock);
	if (self.read_ms == 0 || now - self.read_ms > SELFADDR_MAX_AGE_MS) {
		pthread_rwlock_unlock(&self.lock);
		pthread_rwlock_wrlock(&self.lock);
		/* Another thread may have refreshed it meanwhile. */
		if (self.read_ms == 0 || now - self.read_ms >
		    SELFADDR_MAX_AGE_MS)
			refresh(now);
	}
	found = selfaddr_match(self.addrs, self.n, sa);
	pthread_rwlock_unlock(&self.lock);
	return found;
}
