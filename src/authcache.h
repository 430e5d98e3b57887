/*
 * authcache.h - the cache of successful logins (auth.cache_ttl): a
 * (user, password) that PAM accepted is remembered for cache_ttl seconds
 * as two keyed hashes (BLAKE2s, RFC 7693, keyed with a random key per
 * process), never as the password itself.  Only successes are stored;
 * a wrong password for a cached user is a miss, so PAM still answers it.
 *
 * The table is bounded (set-associative: a user's hash picks a set of a
 * few slots, the slot expiring first makes room) and each set has its
 * own lock, so lookups of different users never wait for one another.
 * An epoch counter empties it: authcache_flush (on reload) bumps it and
 * wipes every slot; a store computed under an older epoch is dropped, so
 * a PAM answer for the old configuration never lands in the new cache.
 * The clock is the caller's (monotonic milliseconds).
 */
#ifndef SG_AUTHCACHE_H
#define SG_AUTHCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTHCACHE_KEY_LEN	32	/* BLAKE2s key bytes */
#define AUTHCACHE_ENTRIES	4096	/* the shared cache's slots */

struct authcache;

/*
 * A table of about max_entries slots (rounded up to whole sets).  key:
 * AUTHCACHE_KEY_LEN bytes (tests), or NULL for a random one from
 * getrandom(2).  NULL with errno when there is no memory or no key.
 */
struct authcache *authcache_new(size_t max_entries, const uint8_t *key);
void		  authcache_free(struct authcache *c);

#define AUTHCACHE_UID_LEN	16	/* keyed hash of the user name */
#define AUTHCACHE_CRED_LEN	32	/* keyed hash of user and password */

/*
 * What the cache knows of one login attempt: the two keyed hashes and
 * the epoch when they were made.  Made before PAM is asked (the password
 * is wiped by then), wiped by authcache_ticket_wipe.
 */
struct authcache_ticket {
	uint8_t		uid[AUTHCACHE_UID_LEN];
	uint8_t		cred[AUTHCACHE_CRED_LEN];
	uint64_t	epoch;
};

void	authcache_ticket(struct authcache *c, const char *user,
	    const char *pass, struct authcache_ticket *t);
void	authcache_ticket_wipe(struct authcache_ticket *t);

/* true when t's login was stored under the current epoch, still fresh. */
bool	authcache_lookup(struct authcache *c, const struct authcache_ticket *t,
	    int64_t now_ms);

/*
 * PAM accepted t's login: remember it until now_ms + ttl_ms (the user's
 * older entry, if any, is replaced).  Dropped when the cache was flushed
 * since t was made.  Call it only for a success: the cache has no notion
 * of a failure.
 */
void	authcache_store(struct authcache *c, const struct authcache_ticket *t,
	    int64_t now_ms, int64_t ttl_ms);

/* Forget everything (configuration reloaded).  c may be NULL. */
void	authcache_flush(struct authcache *c);

/* Entries valid at now_ms, and the table's capacity (tests, status). */
size_t	authcache_count(struct authcache *c, int64_t now_ms);
size_t	authcache_capacity(const struct authcache *c);

/*
 * The daemon's one cache, created on first use with a random key; NULL
 * when it could not be created (logins then always ask PAM).
 */
struct authcache *authcache_shared(void);

/* Empty the daemon's cache, if it was made (on reload). */
void	authcache_shared_flush(void);

/* BLAKE2s (RFC 7693): outlen 1..32 bytes, keylen 0..32. */
void	authcache_blake2s(uint8_t *out, size_t outlen, const void *key,
	    size_t keylen, const void *in, size_t inlen);

#endif
