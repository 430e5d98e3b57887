/*
 * faketable.h - the daemon's fake-address table (RFC 3089 section 3,
 * as the Socks Lib's preload/fakeip.c, but in-process and locked): a
 * name answered by the DNS front door gets a fake address from the
 * `fake` group's ranges, and a connection to that fake (the transparent
 * listener) is mapped back to the name.
 *
 * Slot i owns the IPv4 fake v4net + i + 1 and the IPv6 fake v6net + i + 1,
 * so a name keeps both of its fakes and a fake leads back to its name at
 * once.  Slots: min(v4 range - 2, v6 range - 2, FAKETABLE_MAX).
 *
 * Lifetime: an entry lives `hold` seconds (max(10 x fake.ttl, 300)) after
 * it was last used; a use is a DNS answer for the name or a
 * fake_name_of() of its fake (the transparent door asks at each
 * connection).  Relays that run longer keep their name: they have it
 * already; only a new connection to a fake unused for `hold` seconds
 * finds it gone (or given to another name).  Allocation goes round the
 * slots from a cursor, taking the first free or expired one; when none
 * is, the table is full (the DNS answer is SERVFAIL).  One mutex guards
 * everything; a full scan (when the table is nearly full) is 65536
 * steps under it.
 */
#ifndef SG_FAKETABLE_H
#define SG_FAKETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"

#define FAKETABLE_MAX		65536
#define FAKETABLE_HOLD_MIN	300	/* seconds */

enum faketable_status {
	FAKETABLE_OK = 0,
	FAKETABLE_FULL,		/* no free or expired slot */
	FAKETABLE_BADNAME,	/* empty or longer than 253 */
	FAKETABLE_BADFAMILY
};

struct faketable;

/* An empty table without ranges (every look-up FULL until set); NULL. */
struct faketable *faketable_new(void);
void	faketable_free(struct faketable *t);

/*
 * The ranges (host bits ignored; v4 at most /24, v6 at most /112, as the
 * configuration checks) and how long unused entries live (seconds).  On
 * a change of ranges, entries whose fakes would change (another network
 * address in either family) are dropped, and those past the new number
 * of slots; the others keep their fakes.  Returns how many were dropped.
 */
size_t	faketable_set(struct faketable *t, const struct addr_cidr *v4,
	    const struct addr_cidr *v6, int hold);

/*
 * The fake of name in family (AF_INET or AF_INET6), port 0, in *ss:
 * the name's entry (refreshed), else a new one.  Names are compared
 * without case and without one trailing dot.  now: seconds on any
 * monotonic clock (the caller's; tests inject it).
 */
enum faketable_status faketable_get(struct faketable *t, const char *name,
	    int family, int64_t now, struct sockaddr_storage *ss);

/*
 * Is sa (AF_INET, AF_INET6, or IPv4-mapped IPv6) a live fake?  Then true
 * with its name (lower case) in name (truncated to len), refreshed.
 */
bool	faketable_name(struct faketable *t, const struct sockaddr *sa,
	    int64_t now, char *name, size_t len);

/* Is sa in one of the ranges (a fake or not)? */
bool	faketable_in_range(struct faketable *t, const struct sockaddr *sa);

/* Live entries at now (tests, stats). */
size_t	faketable_count(struct faketable *t, int64_t now);

/*
 * The daemon's one table (process-wide, outlives reloads): set from the
 * configuration's `fake` group at start and each reload (-1: out of
 * memory).  fake_get is faketable_get on it with the monotonic clock.
 */
struct config;
int	fake_configure(const struct config *c);
enum faketable_status fake_get(const char *name, int family,
	    struct sockaddr_storage *ss);
bool	fake_in_range(const struct sockaddr *sa);
/* Free the table at exit (NULL-safe; after every user has stopped). */
void	fake_shutdown(void);

/*
 * For the transparent listener: true with the name when sa's address is
 * a live fake (refreshing it), false otherwise.
 */
bool	fake_name_of(const struct sockaddr *sa, char *name, size_t len);

#endif
