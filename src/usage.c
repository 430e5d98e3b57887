/*
 * usage.c - the usage table of the rules' limits (see usage.h): a
 * chained hash table under one mutex, keyed by (rule key, subject).
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "qperiod.h"
#include "tbucket.h"
#include "usage.h"

#define BUCKETS	1024

struct usage_entry {
	struct usage_entry	*next;
	uint32_t		 hash;
	char			 rule[USAGE_RULELEN];
	char			 subject[USAGE_SUBJLEN];
	struct tbucket		 bk[2];		/* rate 0: not set up yet */
	int			 relays;
	uint64_t		 used;		/* quota used this period */
	enum qperiod		 period;	/* NONE: not known (imported) */
	time_t			 start, until;	/* the period [start, until) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct usage_entry *table[BUCKETS];
static size_t count;

void
usage_rule_key(const struct acl_rule *ru, int i, char *buf, size_t len)
{
	if (ru->name[0] != '\0')
		snprintf(buf, len, "%s", ru->name);
	else
		snprintf(buf, len, "#%d", i + 1);
}

static uint32_t
hash(const char *rule, const char *subject)
{
	uint32_t h = 2166136261u;
	const unsigned char *u;

	for (u = (const unsigned char *)rule; *u != '\0'; u++)
		h = (h ^ *u) * 16777619u;
	h = (h ^ 0xff) * 16777619u;	/* a byte no key holds: a separator */
	for (u = (const unsigned char *)subject; *u != '\0'; u++)
		h = (h ^ *u) * 16777619u;
	return h;
}

/* Where the entry is, or would go (lock held). */
static struct usage_entry **
find(const char *rule, const char *subject, uint32_t h)
{
	struct usage_entry **pp;

	for (pp = &table[h % BUCKETS]; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->hash == h && strcmp((*pp)->rule, rule) == 0 &&
		    strcmp((*pp)->subject, subject) == 0)
			break;
	return pp;
}

/* A new entry at *pp, or NULL with errno (lock held). */
static struct usage_entry *
add(struct usage_entry **pp, const char *rule, const char *subject,
    uint32_t h)
{
	struct usage_entry *e;

	if (strlen(rule) >= USAGE_RULELEN || strlen(subject) >= USAGE_SUBJLEN ||
	    rule[0] == '\0' || subject[0] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	if (count >= USAGE_MAX) {
		errno = ENOSPC;
		return NULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->hash = h;
	memcpy(e->rule, rule, strlen(rule) + 1);
	memcpy(e->subject, subject, strlen(subject) + 1);
	e->next = *pp;
	*pp = e;
	count++;
	return e;
}

/* Unlink and free e (lock held). */
static void
drop(struct usage_entry *e)
{
	struct usage_entry **pp = find(e->rule, e->subject, e->hash);

	if (*pp == e) {
		*pp = e->next;
		count--;
		free(e);
	}
}

/*
 * Bring e's period up to now for a quota counted per p (lock held): a
 * period that turned, or another kind of period, starts from 0.
 */
static void
settle(struct usage_entry *e, enum qperiod p, time_t now)
{
	time_t s;

	if (p == QPERIOD_NONE ||
	    (e->period == p && now >= e->start && now < e->until))
		return;
	if ((s = qperiod_start(p, now)) == (time_t)-1)
		return;
	if (s != e->start)
		e->used = 0;
	e->period = p;
	e->start = s;
	e->until = qperiod_next(p, s);
}

/* Free entries without relays whose period has turned (lock held). */
static void
sweep(time_t now)
{
	struct usage_entry **pp, *e;
	size_t i;

	for (i = 0; i < BUCKETS; i++)
		for (pp = &table[i]; (e = *pp) != NULL;) {
			if (e->relays == 0 && (e->used == 0 ||
			    (e->period != QPERIOD_NONE && now >= e->until))) {
				*pp = e->next;
				count--;
				free(e);
			} else
				pp = &e->next;
		}
}

/* Which limit of lim refuses one more relay in e (lock held). */
static enum usage_status
check(struct usage_entry *e, const struct acl_limits *lim, time_t now,
    time_t *until, uint64_t *n)
{
	if (lim->quota > 0) {
		settle(e, lim->period, now);
		if (e->used >= lim->quota) {
			*until = e->until;
			*n = e->used;
			return USAGE_QUOTA;
		}
	}
	if (lim->max_relays > 0 && e->relays >= lim->max_relays) {
		*n = (uint64_t)lim->max_relays;
		return USAGE_MAX_RELAYS;
	}
	return USAGE_OK;
}

enum usage_status
usage_admit(const char *rule, const char *subject,
    const struct acl_limits *lim, time_t now, struct usage_lease *l,
    time_t *until, uint64_t *n)
{
	uint32_t h = hash(rule, subject);
	struct usage_entry **pp, *e;
	enum usage_status st;

	memset(l, 0, sizeof(*l));
	*until = 0;
	*n = 0;
	pthread_mutex_lock(&lock);
	if (*(pp = find(rule, subject, h)) == NULL && count >= USAGE_MAX) {
		sweep(now);
		pp = find(rule, subject, h);
	}
	if ((e = *pp) == NULL && (e = add(pp, rule, subject, h)) == NULL) {
		st = errno == ENOSPC ? USAGE_FULL : USAGE_NOMEM;
		pthread_mutex_unlock(&lock);
		return st;
	}
	if ((st = check(e, lim, now, until, n)) == USAGE_OK) {
		e->relays++;
		l->e = e;
		l->lim = *lim;
	} else if (e->relays == 0 && e->used == 0)
		drop(e);
	pthread_mutex_unlock(&lock);
	return st;
}

uint64_t
usage_grant(struct usage_lease *l, int dir, uint64_t want, int64_t mono_ms,
    time_t now, int64_t *wait_ms, bool *quota_out)
{
	uint64_t rate = dir == 0 ? l->lim.bw_up : l->lim.bw_down, left, n;
	struct usage_entry *e = l->e;
	struct tbucket *b;

	*wait_ms = 0;
	*quota_out = false;
	if (e == NULL || (rate == 0 && l->lim.quota == 0))
		return want;
	pthread_mutex_lock(&lock);
	n = want;
	if (l->lim.quota > 0) {
		settle(e, l->lim.period, now);
		left = l->lim.quota > e->used ? l->lim.quota - e->used : 0;
		if (left == 0) {
			*quota_out = true;
			pthread_mutex_unlock(&lock);
			return 0;
		}
		if (n > left)
			n = left;
	}
	if (rate > 0) {
		b = &e->bk[dir];
		if (b->rate == 0)
			tbucket_init(b, rate, mono_ms);
		else
			tbucket_set_rate(b, rate, mono_ms);
		left = n;
		if ((n = tbucket_take(b, left, mono_ms)) == 0)
			*wait_ms = tbucket_wait_ms(b, left, mono_ms);
	}
	if (l->lim.quota > 0)
		e->used += n;
	pthread_mutex_unlock(&lock);
	return n;
}

void
usage_unused(struct usage_lease *l, int dir, uint64_t n)
{
	struct usage_entry *e = l->e;

	if (e == NULL || n == 0)
		return;
	pthread_mutex_lock(&lock);
	if ((dir == 0 ? l->lim.bw_up : l->lim.bw_down) > 0 &&
	    e->bk[dir].rate > 0)
		tbucket_give(&e->bk[dir], n);
	if (l->lim.quota > 0)
		e->used -= n < e->used ? n : e->used;
	pthread_mutex_unlock(&lock);
}

void
usage_release(struct usage_lease *l)
{
	struct usage_entry *e = l->e;

	if (e == NULL)
		return;
	pthread_mutex_lock(&lock);
	if (--e->relays == 0 && e->used == 0)
		drop(e);
	pthread_mutex_unlock(&lock);
	memset(l, 0, sizeof(*l));
}

bool
usage_quota_configured(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->nrules; i++)
		if (c->rules[i].limits.quota > 0)
			return true;
	return false;
}

/* The rule of c keyed key, if it has a quota (-1: none). */
static int
quota_rule(const struct config *c, char (*keys)[USAGE_RULELEN],
    const char *key)
{
	size_t i;

	for (i = 0; i < c->nrules; i++)
		if (c->rules[i].limits.quota > 0 && strcmp(keys[i], key) == 0)
			return (int)i;
	return -1;
}

/* One more row in *v (lock held); false when out of memory. */
static bool
list_add(struct usage_info **v, size_t *n, size_t *cap,
    const struct usage_entry *e, const struct acl_limits *lim)
{
	struct usage_info *nv, *u;

	if (*n == *cap) {
		*cap = *cap * 2 + 16;
		if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL)
			return false;
		*v = nv;
	}
	u = &(*v)[(*n)++];
	memset(u, 0, sizeof(*u));
	memcpy(u->rule, e->rule, sizeof(u->rule));
	memcpy(u->subject, e->subject, sizeof(u->subject));
	u->used = e->used;
	u->limit = lim->quota;
	u->period = lim->period;
	u->start = e->start;
	u->until = e->until;
	u->relays = e->relays;
	return true;
}

struct usage_info *
usage_list(const struct config *c, const char *subject, time_t now,
    size_t *n)
{
	char (*keys)[USAGE_RULELEN];
	struct usage_info *v = NULL;
	struct usage_entry *e;
	size_t i, cap = 0;
	bool ok = true;
	int k;

	*n = 0;
	if (c->nrules == 0 ||
	    (keys = calloc(c->nrules, sizeof(*keys))) == NULL)
		return NULL;
	for (i = 0; i < c->nrules; i++)
		usage_rule_key(&c->rules[i], (int)i, keys[i], sizeof(keys[i]));
	pthread_mutex_lock(&lock);
	for (i = 0; i < BUCKETS && ok; i++)
		for (e = table[i]; e != NULL && ok; e = e->next) {
			if ((subject != NULL && strcmp(e->subject, subject) != 0) ||
			    (k = quota_rule(c, keys, e->rule)) == -1)
				continue;
			settle(e, c->rules[k].limits.period, now);
			ok = list_add(&v, n, &cap, e, &c->rules[k].limits);
		}
	pthread_mutex_unlock(&lock);
	free(keys);
	if (!ok || *n == 0) {
		free(v);
		*n = 0;
		return NULL;
	}
	return v;
}

void
usage_export(void (*cb)(void *arg, const char *rule, const char *subject,
    int64_t period_start, uint64_t used), void *arg)
{
	struct usage_entry *e;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < BUCKETS; i++)
		for (e = table[i]; e != NULL; e = e->next)
			if (e->used > 0)
				cb(arg, e->rule, e->subject, (int64_t)e->start,
				    e->used);
	pthread_mutex_unlock(&lock);
}

int
usage_import(const char *rule, const char *subject, int64_t period_start,
    uint64_t used)
{
	uint32_t h = hash(rule, subject);
	struct usage_entry **pp, *e;
	int rc = 0;

	pthread_mutex_lock(&lock);
	if ((e = *(pp = find(rule, subject, h))) == NULL &&
	    (e = add(pp, rule, subject, h)) == NULL)
		rc = -1;
	else {
		/* Checked against the rule's period at the first use. */
		e->period = QPERIOD_NONE;
		e->start = (time_t)period_start;
		e->until = 0;
		e->used = used;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

size_t
usage_count(void)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = count;
	pthread_mutex_unlock(&lock);
	return n;
}

void
usage_clear(void)
{
	struct usage_entry *e;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < BUCKETS; i++)
		while ((e = table[i]) != NULL) {
			table[i] = e->next;
			free(e);
		}
	count = 0;
	pthread_mutex_unlock(&lock);
}
