/*
 * throttle.c - failed logins per client address (see throttle.h).
 */
#include "sgconfig.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "throttle.h"

#define PROBES	8	/* slots looked at for a key; the LRU one is reused */

struct slot {
	uint8_t	key[ADDR_KEY_LEN];	/* key[0] == 0: free */
	int	fails;			/* failures in the current window */
	int64_t	window_end;		/* when those failures are forgotten */
	int64_t	blocked_until;
	int64_t	used;			/* last activity, for reuse */
};

struct throttle {
	pthread_mutex_t	 lock;
	size_t		 mask;		/* slots - 1 */
	struct slot	*slots;
};

struct throttle *
throttle_new(size_t max_entries)
{
	struct throttle *t;
	size_t n = PROBES;

	while (n < max_entries)
		n <<= 1;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->slots = calloc(n, sizeof(*t->slots))) == NULL) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->slots);
	free(t);
}

/* FNV-1a over the key. */
static size_t
hash_key(const uint8_t *key)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < ADDR_KEY_LEN; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

static bool
slot_idle(const struct slot *s, int64_t now)
{
	return s->key[0] == 0 || (now >= s->window_end &&
	    now >= s->blocked_until);
}

/*
 * The slot of key; with create, a free, idle or least recently used one
 * of its probe window is taken over.  NULL when absent (and !create).
 */
static struct slot *
find(struct throttle *t, const uint8_t *key, bool create, int64_t now)
{
	size_t h = hash_key(key), i;
	struct slot *s, *reuse = NULL;

	for (i = 0; i < PROBES; i++) {
		s = &t->slots[(h + i) & t->mask];
		if (s->key[0] != 0 && memcmp(s->key, key, ADDR_KEY_LEN) == 0)
			return s;
		if (reuse == NULL || (!slot_idle(reuse, now) &&
		    (slot_idle(s, now) || s->used < reuse->used)))
			reuse = s;
	}
	if (!create)
		return NULL;
	memset(reuse, 0, sizeof(*reuse));
	memcpy(reuse->key, key, ADDR_KEY_LEN);
	return reuse;
}

int64_t
throttle_blocked(struct throttle *t, const struct throttle_cfg *c,
    const struct sockaddr *client, int64_t now_ms)
{
	uint8_t key[ADDR_KEY_LEN];
	struct slot *s;
	int64_t left = 0;

	if (c->limit <= 0)
		return 0;
	addr_client_key(client, c->v6_prefix, key);
	pthread_mutex_lock(&t->lock);
	if ((s = find(t, key, false, now_ms)) != NULL &&
	    s->blocked_until > now_ms)
		left = s->blocked_until - now_ms;
	pthread_mutex_unlock(&t->lock);
	return left;
}

bool
throttle_failed(struct throttle *t, const struct throttle_cfg *c,
    const struct sockaddr *client, int64_t now_ms)
{
	uint8_t key[ADDR_KEY_LEN];
	struct slot *s;
	bool starts = false;

	if (c->limit <= 0)
		return false;
	addr_client_key(client, c->v6_prefix, key);
	pthread_mutex_lock(&t->lock);
	s = find(t, key, true, now_ms);
	if (now_ms >= s->window_end) {
		s->fails = 0;
		s->window_end = now_ms + (int64_t)c->window_s * 1000;
	}
	s->used = now_ms;
	if (++s->fails >= c->limit && s->blocked_until <= now_ms) {
		s->blocked_until = now_ms + (int64_t)c->block_s * 1000;
		s->fails = 0;
		s->window_end = now_ms;
		starts = true;
	}
	pthread_mutex_unlock(&t->lock);
	return starts;
}

void
throttle_succeeded(struct throttle *t, const struct throttle_cfg *c,
    const struct sockaddr *client)
{
	uint8_t key[ADDR_KEY_LEN];
	struct slot *s;

	if (c->limit <= 0)
		return;
	addr_client_key(client, c->v6_prefix, key);
	pthread_mutex_lock(&t->lock);
	if ((s = find(t, key, false, 0)) != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&t->lock);
}
