/*
 * usage.h - the usage table of the rules' `limits` (sixgated.conf(5)):
 * per (rule, subject) the two token buckets (bandwidth_up,
 * bandwidth_down), the relays open now (max_relays) and the quota used
 * in the current period.  The rule is named by its key: its `name`, or
 * "#N" (its number, from 1) when it has none.  The subject is the user
 * name, or for a client that did not log in "@" and its address (an
 * IPv6 client per limits.ipv6_prefix: "@2001:db8::/64").
 *
 * One mutex guards the table; the relay pump takes from it in grants of
 * up to a chunk (usage_grant), never per byte.  The table is the
 * daemon's, not a configuration's: it lives across reloads (the quota
 * used stays; rates and limits come from the rule of each relay's own
 * configuration).  At most USAGE_MAX entries: an entry goes when it has
 * no relay and no quota used; past that a new subject is refused.
 */
#ifndef SG_USAGE_H
#define SG_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "acl.h"

#define USAGE_MAX	65536
#define USAGE_RULELEN	64	/* a rule's key, NUL included */
#define USAGE_SUBJLEN	260	/* a subject, NUL included */

struct usage_entry;

/*
 * One relay's hold on its entry: its rule's limits, copied (a reload
 * does not change a running relay's), and the entry.  Zeroed (or after
 * usage_release) it limits nothing.
 */
struct usage_lease {
	struct usage_entry	*e;		/* NULL: no limits */
	struct acl_limits	 lim;
};

/* Why usage_admit said no. */
enum usage_status {
	USAGE_OK = 0,
	USAGE_MAX_RELAYS,	/* max_relays already open */
	USAGE_QUOTA,		/* quota used up until *until */
	USAGE_FULL,		/* the table holds USAGE_MAX entries */
	USAGE_NOMEM
};

/* The key of rule index i (0-based) in buf: its name, or "#N". */
void	usage_rule_key(const struct acl_rule *ru, int i, char *buf,
	    size_t len);

/*
 * One more relay of subject under the rule keyed rule with limits lim,
 * at wall time now: USAGE_OK with *l set (release it with
 * usage_release), or why not (*until: when the quota period turns, for
 * USAGE_QUOTA; *count: the limit or the use that refused it).
 */
enum usage_status usage_admit(const char *rule, const char *subject,
	    const struct acl_limits *lim, time_t now, struct usage_lease *l,
	    time_t *until, uint64_t *count);

/*
 * Up to want bytes for direction dir (0: client to destination, 1:
 * back) of l's relay, from the shared bucket and the quota, at mono_ms
 * (sgio_now_ms clock) and wall time now: the number granted, which are
 * charged to the quota at once.  0 with *wait_ms (how long until the
 * bucket has some again), or with *quota_out set when the quota is
 * used up.  Without limits on dir, want comes back and nothing locks.
 */
uint64_t usage_grant(struct usage_lease *l, int dir, uint64_t want,
	    int64_t mono_ms, time_t now, int64_t *wait_ms, bool *quota_out);

/* n bytes granted for dir and never read: back to bucket and quota. */
void	usage_unused(struct usage_lease *l, int dir, uint64_t n);

/* The relay ended: one relay less; l limits nothing any more. */
void	usage_release(struct usage_lease *l);

/*
 * What sixgatectl quota shows, one entry per (rule, subject) with a
 * quota in c (the current configuration), of subject only when it is
 * not NULL: malloc'd (free it), NULL with *n 0 when none or out of
 * memory.  used and the period are as of now.
 */
struct usage_info {
	char		 rule[USAGE_RULELEN];
	char		 subject[USAGE_SUBJLEN];	/* raw, not escaped */
	uint64_t	 used, limit;
	enum qperiod	 period;
	time_t		 start, until;	/* the period: [start, until) */
	int		 relays;	/* open now */
};
struct config;
struct usage_info *usage_list(const struct config *c, const char *subject,
	    time_t now, size_t *n);

/* Does a rule of c have a quota? */
bool	usage_quota_configured(const struct config *c);

/*
 * For the state file: cb is called under the lock for every entry with
 * quota used (period_start: the local start of its period), and must
 * not call back into this table.
 */
void	usage_export(void (*cb)(void *arg, const char *rule,
	    const char *subject, int64_t period_start, uint64_t used),
	    void *arg);

/*
 * At start-up, before any session: an entry read from the state file.
 * Its period is checked against the rule's at the first use: a period
 * that has turned starts again from 0.  0, or -1 with errno (EINVAL for
 * an empty or too long name, ENOSPC when full, ENOMEM).
 */
int	usage_import(const char *rule, const char *subject,
	    int64_t period_start, uint64_t used);

/* Entries now; usage_clear empties the table (tests, exit). */
size_t	usage_count(void);
void	usage_clear(void);

#endif
