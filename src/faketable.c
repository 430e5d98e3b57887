/*
 * faketable.c - the daemon's fake-address table (see faketable.h).
 */
#include "sgconfig.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "config.h"
#include "faketable.h"
#include "sgio.h"

#define NIL		UINT32_MAX
#define NBUCKETS	FAKETABLE_MAX	/* a power of two */

struct slot {
	char		*name;		/* lower case; NULL: free */
	int64_t		 last;		/* last use, seconds */
	uint32_t	 next;		/* hash chain */
};

struct faketable {
	pthread_mutex_t	 lock;
	struct addr_cidr v4, v6;	/* host bits cleared */
	uint32_t	 n;		/* slots in use of FAKETABLE_MAX */
	uint32_t	 cursor;	/* where the next allocation looks */
	int		 hold;		/* seconds */
	struct slot	*slots;
	uint32_t	*buckets;
};

struct faketable *
faketable_new(void)
{
	struct faketable *t;
	uint32_t i;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->slots = calloc(FAKETABLE_MAX, sizeof(*t->slots));
	t->buckets = malloc(NBUCKETS * sizeof(*t->buckets));
	if (t->slots == NULL || t->buckets == NULL) {
		faketable_free(t);
		return NULL;
	}
	for (i = 0; i < NBUCKETS; i++)
		t->buckets[i] = NIL;
	t->hold = FAKETABLE_HOLD_MIN;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void
faketable_free(struct faketable *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	if (t->slots != NULL) {
		for (i = 0; i < FAKETABLE_MAX; i++)
			free(t->slots[i].name);
		pthread_mutex_destroy(&t->lock);
	}
	free(t->slots);
	free(t->buckets);
	free(t);
}

/* FNV-1a over the lower-cased name. */
static uint32_t
hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++) {
		h ^= (uint8_t)tolower((unsigned char)*name);
		h *= 16777619u;
	}
	return h & (NBUCKETS - 1);
}

static void
drop(struct faketable *t, uint32_t i)
{
	uint32_t *pp;

	if (t->slots[i].name == NULL)
		return;
	for (pp = &t->buckets[hash(t->slots[i].name)]; *pp != i;
	    pp = &t->slots[*pp].next)
		continue;
	*pp = t->slots[i].next;
	free(t->slots[i].name);
	t->slots[i].name = NULL;
	t->slots[i].next = NIL;
}

static uint32_t
range_slots(const struct addr_cidr *c)
{
	unsigned bits = (c->family == AF_INET ? 32 : 128) - c->prefix;

	/* Less the network address and the last one (v4 broadcast). */
	return bits >= 17 ? FAKETABLE_MAX : (uint32_t)((1u << bits) - 2);
}

static void
clear_host_bits(struct addr_cidr *c)
{
	unsigned len = c->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < len; i++)
		if (i * 8 >= c->prefix)
			c->addr[i] = 0;
		else if (i * 8 + 8 > c->prefix)
			c->addr[i] &= (uint8_t)(0xff << (8 - c->prefix % 8));
}

static bool
same_net(const struct addr_cidr *a, const struct addr_cidr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

size_t
faketable_set(struct faketable *t, const struct addr_cidr *v4,
    const struct addr_cidr *v6, int hold)
{
	struct addr_cidr n4 = *v4, n6 = *v6;
	uint32_t n, i, keep;
	size_t dropped = 0;

	clear_host_bits(&n4);
	clear_host_bits(&n6);
	n = range_slots(&n4);
	if (range_slots(&n6) < n)
		n = range_slots(&n6);
	pthread_mutex_lock(&t->lock);
	keep = same_net(&t->v4, &n4) && same_net(&t->v6, &n6) ? n : 0;
	for (i = keep; i < FAKETABLE_MAX; i++)
		if (t->slots[i].name != NULL) {
			drop(t, i);
			dropped++;
		}
	t->v4 = n4;
	t->v6 = n6;
	t->n = n;
	t->hold = hold;
	if (t->cursor >= n)
		t->cursor = 0;
	pthread_mutex_unlock(&t->lock);
	return dropped;
}

static bool
live(const struct faketable *t, uint32_t i, int64_t now)
{
	return t->slots[i].name != NULL && now - t->slots[i].last < t->hold;
}

/* The slot's fake in family, port 0. */
static void
fake_addr(const struct faketable *t, uint32_t i, int family,
    struct sockaddr_storage *ss)
{
	const struct addr_cidr *c = family == AF_INET ? &t->v4 : &t->v6;
	unsigned len = family == AF_INET ? 4 : 16;
	uint8_t a[16];
	uint32_t low;

	memcpy(a, c->addr, len);
	low = ((uint32_t)a[len - 4] << 24 | (uint32_t)a[len - 3] << 16 |
	    (uint32_t)a[len - 2] << 8 | a[len - 1]) + i + 1;
	a[len - 4] = (uint8_t)(low >> 24);
	a[len - 3] = (uint8_t)(low >> 16);
	a[len - 2] = (uint8_t)(low >> 8);
	a[len - 1] = (uint8_t)low;
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, a, 4);
	else
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, a, 16);
}

/* The slot sa's address stands for, or NIL (outside, or not a slot). */
static uint32_t
slot_of(const struct faketable *t, const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const struct addr_cidr *c;
	const uint8_t *a;
	uint32_t low, base;
	unsigned len;

	if (t->n == 0)
		return NIL;
	if (sa->sa_family == AF_INET) {
		c = &t->v4;
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		len = 4;
	} else if (sa->sa_family == AF_INET6 &&
	    addr_is_v4mapped(s6->sin6_addr.s6_addr)) {
		c = &t->v4;
		a = s6->sin6_addr.s6_addr + 12;
		len = 4;
	} else if (sa->sa_family == AF_INET6) {
		c = &t->v6;
		a = s6->sin6_addr.s6_addr;
		len = 16;
	} else
		return NIL;
	if (!addr_prefix_match(c->addr, a, c->prefix) ||
	    memcmp(a, c->addr, len - 4) != 0)
		return NIL;
	low = (uint32_t)a[len - 4] << 24 | (uint32_t)a[len - 3] << 16 |
	    (uint32_t)a[len - 2] << 8 | a[len - 1];
	base = (uint32_t)c->addr[len - 4] << 24 |
	    (uint32_t)c->addr[len - 3] << 16 |
	    (uint32_t)c->addr[len - 2] << 8 | c->addr[len - 1];
	if (low - base == 0 || low - base > t->n)
		return NIL;
	return low - base - 1;
}

/* name lower-cased without one trailing dot into out; false if bad. */
static bool
normalise(const char *name, char *out)
{
	size_t n = strlen(name), i;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[n] = '\0';
	return true;
}

/* A free or expired slot from the cursor on (lock held), or NIL. */
static uint32_t
take(struct faketable *t, int64_t now)
{
	uint32_t k, i;

	for (k = 0; k < t->n; k++) {
		i = (t->cursor + k) % t->n;
		if (!live(t, i, now)) {
			drop(t, i);
			t->cursor = (i + 1) % t->n;
			return i;
		}
	}
	return NIL;
}

enum faketable_status
faketable_get(struct faketable *t, const char *name, int family,
    int64_t now, struct sockaddr_storage *ss)
{
	char key[256];
	uint32_t h, i;
	char *copy;

	if (family != AF_INET && family != AF_INET6)
		return FAKETABLE_BADFAMILY;
	if (!normalise(name, key))
		return FAKETABLE_BADNAME;
	h = hash(key);
	pthread_mutex_lock(&t->lock);
	for (i = t->buckets[h]; i != NIL; i = t->slots[i].next)
		if (strcmp(t->slots[i].name, key) == 0)
			break;
	/* An expired entry of the same name is taken back as it is. */
	if (i == NIL) {
		if ((copy = strdup(key)) == NULL ||
		    (i = take(t, now)) == NIL) {
			pthread_mutex_unlock(&t->lock);
			free(copy);
			return FAKETABLE_FULL;
		}
		t->slots[i].name = copy;
		t->slots[i].next = t->buckets[h];
		t->buckets[h] = i;
	}
	t->slots[i].last = now;
	fake_addr(t, i, family, ss);
	pthread_mutex_unlock(&t->lock);
	return FAKETABLE_OK;
}

bool
faketable_name(struct faketable *t, const struct sockaddr *sa, int64_t now,
    char *name, size_t len)
{
	uint32_t i;
	bool ok;

	pthread_mutex_lock(&t->lock);
	i = slot_of(t, sa);
	if ((ok = i != NIL && live(t, i, now))) {
		t->slots[i].last = now;
		if (len > 0)
			snprintf(name, len, "%s", t->slots[i].name);
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

bool
faketable_in_range(struct faketable *t, const struct sockaddr *sa)
{
	struct sockaddr_storage ss;
	bool in;

	memcpy(&ss, sa, addr_len(sa));
	addr_unmap_v4(&ss);
	pthread_mutex_lock(&t->lock);
	in = t->n > 0 && addr_cidr_match(ss.ss_family == AF_INET ? &t->v4 :
	    &t->v6, (const struct sockaddr *)&ss);
	pthread_mutex_unlock(&t->lock);
	return in;
}

size_t
faketable_count(struct faketable *t, int64_t now)
{
	size_t k = 0;
	uint32_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++)
		if (live(t, i, now))
			k++;
	pthread_mutex_unlock(&t->lock);
	return k;
}

/* --- the daemon's table --- */

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static struct faketable *global;

static int64_t
now_secs(void)
{
	return sgio_now_ms() / 1000;
}

static struct faketable *
table(void)
{
	struct faketable *t;

	pthread_mutex_lock(&global_lock);
	t = global;
	pthread_mutex_unlock(&global_lock);
	return t;
}

int
fake_configure(const struct config *c)
{
	int hold = 10 * c->fake_ttl > FAKETABLE_HOLD_MIN ? 10 * c->fake_ttl :
	    FAKETABLE_HOLD_MIN;
	struct faketable *t;

	pthread_mutex_lock(&global_lock);
	if (global == NULL)
		global = faketable_new();
	t = global;
	pthread_mutex_unlock(&global_lock);
	if (t == NULL)
		return -1;
	(void)faketable_set(t, &c->fake_v4, &c->fake_v6, hold);
	return 0;
}

enum faketable_status
fake_get(const char *name, int family, struct sockaddr_storage *ss)
{
	struct faketable *t = table();

	return t == NULL ? FAKETABLE_FULL : faketable_get(t, name, family,
	    now_secs(), ss);
}

bool
fake_in_range(const struct sockaddr *sa)
{
	struct faketable *t = table();

	return t != NULL && faketable_in_range(t, sa);
}

bool
fake_name_of(const struct sockaddr *sa, char *name, size_t len)
{
	struct faketable *t = table();

	return t != NULL && faketable_name(t, sa, now_secs(), name, len);
}

void
fake_shutdown(void)
{
	pthread_mutex_lock(&global_lock);
	faketable_free(global);
	global = NULL;
	pthread_mutex_unlock(&global_lock);
}
