/*
 * authcache.c - the cache of successful logins (see authcache.h), and
 * the keyed hash it stores: BLAKE2s as RFC 7693 specifies it.
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "authcache.h"

/* ------------------------------------------------------------ BLAKE2s */

#define B2S_BLOCK	64
#define B2S_OUT_MAX	32
#define B2S_KEY_MAX	32

struct b2s {
	uint32_t	h[8];
	uint32_t	t[2];		/* bytes compressed so far */
	uint8_t		buf[B2S_BLOCK];
	size_t		used;		/* bytes waiting in buf */
	size_t		outlen;
};

/* RFC 7693 2.6: the SHA-256 initial values. */
static const uint32_t b2s_iv[8] = {
	0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
	0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19
};

/* RFC 7693 2.7: the message word permutations, one per round. */
static const uint8_t b2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 }
};

static uint32_t
rotr32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t
load32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* RFC 7693 3.1: the mixing function G, BLAKE2s rotations 16 12 8 7. */
static void
b2s_g(uint32_t *v, int a, int b, int c, int d, uint32_t x, uint32_t y)
{
	v[a] = v[a] + v[b] + x;
	v[d] = rotr32(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d];
	v[b] = rotr32(v[b] ^ v[c], 12);
	v[a] = v[a] + v[b] + y;
	v[d] = rotr32(v[d] ^ v[a], 8);
	v[c] = v[c] + v[d];
	v[b] = rotr32(v[b] ^ v[c], 7);
}

/* RFC 7693 3.2: compress the block in s->buf; last: the final block. */
static void
b2s_compress(struct b2s *s, int last)
{
	uint32_t v[16], m[16];
	const uint8_t *p;
	int i, r;

	for (i = 0; i < 16; i++)
		m[i] = load32le(s->buf + 4 * i);
	for (i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = b2s_iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (r = 0; r < 10; r++) {
		p = b2s_sigma[r];
		b2s_g(v, 0, 4, 8, 12, m[p[0]], m[p[1]]);
		b2s_g(v, 1, 5, 9, 13, m[p[2]], m[p[3]]);
		b2s_g(v, 2, 6, 10, 14, m[p[4]], m[p[5]]);
		b2s_g(v, 3, 7, 11, 15, m[p[6]], m[p[7]]);
		b2s_g(v, 0, 5, 10, 15, m[p[8]], m[p[9]]);
		b2s_g(v, 1, 6, 11, 12, m[p[10]], m[p[11]]);
		b2s_g(v, 2, 7, 8, 13, m[p[12]], m[p[13]]);
		b2s_g(v, 3, 4, 9, 14, m[p[14]], m[p[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
	explicit_bzero(v, sizeof(v));
	explicit_bzero(m, sizeof(m));
}

static void
b2s_count(struct b2s *s, size_t n)
{
	s->t[0] += (uint32_t)n;
	if (s->t[0] < (uint32_t)n)
		s->t[1]++;
}

static void
b2s_update(struct b2s *s, const void *in, size_t inlen)
{
	const uint8_t *p = in;
	size_t n;

	while (inlen > 0) {
		/* A full buffer is compressed only once more input comes:
		 * the last block must be compressed with the final flag. */
		if (s->used == B2S_BLOCK) {
			b2s_count(s, B2S_BLOCK);
			b2s_compress(s, 0);
			s->used = 0;
		}
		n = B2S_BLOCK - s->used;
		if (n > inlen)
			n = inlen;
		memcpy(s->buf + s->used, p, n);
		s->used += n;
		p += n;
		inlen -= n;
	}
}

/* RFC 7693 3.3: parameter block of a sequential hash, key padded. */
static void
b2s_init(struct b2s *s, size_t outlen, const void *key, size_t keylen)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++)
		s->h[i] = b2s_iv[i];
	s->h[0] ^= 0x01010000u ^ (uint32_t)(keylen << 8) ^ (uint32_t)outlen;
	s->outlen = outlen;
	if (keylen > 0) {
		b2s_update(s, key, keylen);
		s->used = B2S_BLOCK;	/* the key fills a whole block */
	}
}

static void
b2s_final(struct b2s *s, uint8_t *out)
{
	size_t i;

	b2s_count(s, s->used);
	memset(s->buf + s->used, 0, B2S_BLOCK - s->used);
	b2s_compress(s, 1);
	for (i = 0; i < s->outlen; i++)
		out[i] = (uint8_t)(s->h[i / 4] >> (8 * (i % 4)));
	explicit_bzero(s, sizeof(*s));
}

void
authcache_blake2s(uint8_t *out, size_t outlen, const void *key,
    size_t keylen, const void *in, size_t inlen)
{
	struct b2s s;

	if (outlen < 1 || outlen > B2S_OUT_MAX || keylen > B2S_KEY_MAX)
		abort();	/* a broken caller, never peer input */
	b2s_init(&s, outlen, key, keylen);
	b2s_update(&s, in, inlen);
	b2s_final(&s, out);
}

/* ------------------------------------------------------------ the cache */

#define WAYS		8	/* slots of a set */
#define UID_LEN		AUTHCACHE_UID_LEN
#define CRED_LEN	AUTHCACHE_CRED_LEN
#define NAME_MAX_LEN	255	/* RFC 1929 */

struct slot {
	uint8_t		uid[UID_LEN];
	uint8_t		cred[CRED_LEN];
	int64_t		expires;	/* monotonic ms */
	uint64_t	epoch;		/* 0: empty */
};

struct set {
	pthread_mutex_t	lock;
	struct slot	slot[WAYS];
};

struct authcache {
	uint8_t			 key[AUTHCACHE_KEY_LEN];
	_Atomic uint64_t	 epoch;		/* starts at 1 */
	size_t			 nsets;
	struct set		*sets;
};

struct authcache *
authcache_new(size_t max_entries, const uint8_t *key)
{
	struct authcache *c;
	size_t i, got = 0;
	ssize_t n;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->nsets = (max_entries + WAYS - 1) / WAYS;
	if (c->nsets == 0)
		c->nsets = 1;
	if ((c->sets = calloc(c->nsets, sizeof(*c->sets))) == NULL)
		goto fail;
	if (key != NULL)
		memcpy(c->key, key, sizeof(c->key));
	else
		while (got < sizeof(c->key)) {
			n = getrandom(c->key + got, sizeof(c->key) - got, 0);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				goto fail;
			got += (size_t)n;
		}
	for (i = 0; i < c->nsets; i++)
		pthread_mutex_init(&c->sets[i].lock, NULL);
	atomic_init(&c->epoch, 1);
	return c;
fail:
	free(c->sets);
	explicit_bzero(c, sizeof(*c));
	free(c);
	if (errno == 0)
		errno = EIO;
	return NULL;
}

void
authcache_free(struct authcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsets; i++)
		pthread_mutex_destroy(&c->sets[i].lock);
	explicit_bzero(c->sets, c->nsets * sizeof(*c->sets));
	free(c->sets);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

size_t
authcache_capacity(const struct authcache *c)
{
	return c->nsets * WAYS;
}

/*
 * The two hashes of a login.  The user's length goes first, so that
 * ("ab", "c") and ("a", "bc") differ; a domain byte keeps the two
 * hashes apart.  Names and passwords are at most 255 bytes (RFC 1929).
 */
void
authcache_ticket(struct authcache *c, const char *user, const char *pass,
    struct authcache_ticket *t)
{
	uint8_t buf[2 + 2 * NAME_MAX_LEN];
	size_t ul = strnlen(user, NAME_MAX_LEN), pl = strnlen(pass,
	    NAME_MAX_LEN);

	t->epoch = atomic_load(&c->epoch);
	buf[0] = 'u';
	buf[1] = (uint8_t)ul;
	memcpy(buf + 2, user, ul);
	authcache_blake2s(t->uid, UID_LEN, c->key, sizeof(c->key), buf,
	    2 + ul);
	buf[0] = 'p';
	memcpy(buf + 2 + ul, pass, pl);
	authcache_blake2s(t->cred, CRED_LEN, c->key, sizeof(c->key), buf,
	    2 + ul + pl);
	explicit_bzero(buf, sizeof(buf));
}

void
authcache_ticket_wipe(struct authcache_ticket *t)
{
	explicit_bzero(t, sizeof(*t));
}

/* Equal, in a time that does not depend on where they differ. */
static bool
same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

static struct set *
set_of(const struct authcache *c, const uint8_t *uid)
{
	uint64_t h = 0;
	int i;

	for (i = 0; i < 8; i++)
		h = h << 8 | uid[i];
	return &c->sets[h % c->nsets];
}

static bool
slot_live(const struct slot *s, uint64_t epoch, int64_t now_ms)
{
	return s->epoch == epoch && now_ms < s->expires;
}

/* An expired or older-epoch slot: its hashes are wiped (lock held). */
static void
slot_sweep(struct slot *s, uint64_t epoch, int64_t now_ms)
{
	if (s->epoch != 0 && !slot_live(s, epoch, now_ms))
		explicit_bzero(s, sizeof(*s));
}

bool
authcache_lookup(struct authcache *c, const struct authcache_ticket *t,
    int64_t now_ms)
{
	uint64_t epoch = atomic_load(&c->epoch);
	struct set *st = set_of(c, t->uid);
	bool hit = false;
	int i;

	pthread_mutex_lock(&st->lock);
	for (i = 0; i < WAYS; i++) {
		slot_sweep(&st->slot[i], epoch, now_ms);
		if (st->slot[i].epoch != 0 &&
		    same(st->slot[i].uid, t->uid, UID_LEN) &&
		    same(st->slot[i].cred, t->cred, CRED_LEN))
			hit = true;
	}
	pthread_mutex_unlock(&st->lock);
	return hit;
}

void
authcache_store(struct authcache *c, const struct authcache_ticket *t,
    int64_t now_ms, int64_t ttl_ms)
{
	struct set *st;
	struct slot *s = NULL;
	int i;

	if (ttl_ms <= 0 || t->epoch != atomic_load(&c->epoch))
		return;
	st = set_of(c, t->uid);
	pthread_mutex_lock(&st->lock);
	/* The user's own slot (a new password replaces the old one), else
	 * an empty one, else the one that expires first (stored longest
	 * ago, all having the same TTL). */
	for (i = 0; i < WAYS && s == NULL; i++)
		if (st->slot[i].epoch != 0 &&
		    same(st->slot[i].uid, t->uid, UID_LEN))
			s = &st->slot[i];
	for (i = 0; i < WAYS && s == NULL; i++) {
		slot_sweep(&st->slot[i], t->epoch, now_ms);
		if (st->slot[i].epoch == 0)
			s = &st->slot[i];
	}
	if (s == NULL) {
		s = &st->slot[0];
		for (i = 1; i < WAYS; i++)
			if (st->slot[i].expires < s->expires)
				s = &st->slot[i];
	}
	memcpy(s->uid, t->uid, UID_LEN);
	memcpy(s->cred, t->cred, CRED_LEN);
	s->expires = now_ms + ttl_ms;
	s->epoch = t->epoch;
	pthread_mutex_unlock(&st->lock);
}

void
authcache_flush(struct authcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	/* First the epoch: a store racing with the wipe below is dropped,
	 * or lands with the old epoch and is never a hit. */
	atomic_fetch_add(&c->epoch, 1);
	for (i = 0; i < c->nsets; i++) {
		pthread_mutex_lock(&c->sets[i].lock);
		explicit_bzero(c->sets[i].slot, sizeof(c->sets[i].slot));
		pthread_mutex_unlock(&c->sets[i].lock);
	}
}

size_t
authcache_count(struct authcache *c, int64_t now_ms)
{
	uint64_t epoch = atomic_load(&c->epoch);
	size_t i, n = 0;
	int j;

	for (i = 0; i < c->nsets; i++) {
		pthread_mutex_lock(&c->sets[i].lock);
		for (j = 0; j < WAYS; j++)
			if (slot_live(&c->sets[i].slot[j], epoch, now_ms))
				n++;
		pthread_mutex_unlock(&c->sets[i].lock);
	}
	return n;
}

static _Atomic(struct authcache *) shared;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

static void
shared_init(void)
{
	atomic_store(&shared, authcache_new(AUTHCACHE_ENTRIES, NULL));
}

struct authcache *
authcache_shared(void)
{
	pthread_once(&shared_once, shared_init);
	return atomic_load(&shared);
}

void
authcache_shared_flush(void)
{
	/* Not made here: a cache nobody used yet is empty already. */
	authcache_flush(atomic_load(&shared));
}
