/*
 * stats.c - global counters (see stats.h).
 */
#include "sgconfig.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "sgio.h"
#include "stats.h"

static _Atomic uint64_t relays_total, logins_ok, logins_failed;
static _Atomic uint64_t bytes_up, bytes_down;
static _Atomic uint64_t refusals[STATS_REFUSAL_N];
static _Atomic uint64_t dns[STATS_DNS_RCODES];
static _Atomic int64_t started;

/* Set once by stats_enable_tables, before the sessions start. */
static struct tally *_Atomic rule_tally, *_Atomic user_tally;
static struct tally *_Atomic door_tally;

void
stats_init(void)
{
	atomic_store(&started, sgio_now_ms());
}

void
stats_relay_started(void)
{
	atomic_fetch_add_explicit(&relays_total, 1, memory_order_relaxed);
}

void
stats_login(int ok)
{
	atomic_fetch_add_explicit(ok ? &logins_ok : &logins_failed, 1,
	    memory_order_relaxed);
}

void
stats_relay_ended(uint64_t up, uint64_t down)
{
	atomic_fetch_add_explicit(&bytes_up, up, memory_order_relaxed);
	atomic_fetch_add_explicit(&bytes_down, down, memory_order_relaxed);
}

void
stats_refused(enum stats_refusal why)
{
	if ((unsigned)why < STATS_REFUSAL_N)
		atomic_fetch_add_explicit(&refusals[why], 1,
		    memory_order_relaxed);
}

void
stats_dns(unsigned rcode)
{
	if (rcode >= STATS_DNS_RCODES)
		rcode = STATS_DNS_RCODES - 1;
	atomic_fetch_add_explicit(&dns[rcode], 1, memory_order_relaxed);
}

const char *
stats_dns_name(unsigned i)
{
	static const char *const names[STATS_DNS_RCODES] = { "noerror",
	    "formerr", "servfail", "nxdomain", "notimp", "refused", "other" };

	return i < STATS_DNS_RCODES ? names[i] : "other";
}

const char *
stats_refusal_name(enum stats_refusal why)
{
	static const char *const names[STATS_REFUSAL_N] = {
		"max_relays", "max_per_client", "max_handshakes",
		"max_handshakes_per_client", "descriptors", "throttled",
		"rule", "auth", "proxy", "loop", "fake"
	};

	return (unsigned)why < STATS_REFUSAL_N ? names[why] : "unknown";
}

void
stats_get(struct stats_snapshot *s)
{
	size_t i;

	s->relays_total = atomic_load_explicit(&relays_total,
	    memory_order_relaxed);
	s->logins_ok = atomic_load_explicit(&logins_ok, memory_order_relaxed);
	s->logins_failed = atomic_load_explicit(&logins_failed,
	    memory_order_relaxed);
	s->bytes_up = atomic_load_explicit(&bytes_up, memory_order_relaxed);
	s->bytes_down = atomic_load_explicit(&bytes_down,
	    memory_order_relaxed);
	for (i = 0; i < STATS_REFUSAL_N; i++)
		s->refusals[i] = atomic_load_explicit(&refusals[i],
		    memory_order_relaxed);
	s->started = atomic_load(&started);
	for (i = 0; i < STATS_DNS_RCODES; i++)
		s->dns[i] = atomic_load_explicit(&dns[i], memory_order_relaxed);
}

int
stats_enable_tables(void)
{
	struct tally *r, *u, *d;

	if (atomic_load(&rule_tally) != NULL)
		return 0;
	r = tally_new(STATS_RULES_MAX);
	u = tally_new(STATS_USERS_MAX);
	d = tally_new(STATS_DOORS_MAX);
	if (r == NULL || u == NULL || d == NULL) {
		tally_free(r);
		tally_free(u);
		tally_free(d);
		return -1;
	}
	atomic_store(&user_tally, u);
	atomic_store(&door_tally, d);
	atomic_store(&rule_tally, r);
	return 0;
}

void
stats_relay_done(const struct config *c, const char *door, int rule,
    const char *user, uint64_t up, uint64_t down)
{
	struct tally *rt = atomic_load(&rule_tally);
	struct tally *ut = atomic_load(&user_tally);
	struct tally *dt = atomic_load(&door_tally);
	char label[32];

	if (rt == NULL || ut == NULL || dt == NULL)
		return;
	tally_add(dt, door, up, down);
	if (rule >= 0 && (size_t)rule < c->nrules) {
		if (c->rules[rule].name[0] != '\0')
			tally_add(rt, c->rules[rule].name, up, down);
		else {
			/* Unnamed: its 1-based number, as in log lines. */
			snprintf(label, sizeof(label), "#%d", rule + 1);
			tally_add(rt, label, up, down);
		}
	}
	if (user != NULL && c->metrics_user_labels)
		tally_add(ut, user, up, down);
}

struct tally_row *
stats_door_rows(size_t *n)
{
	struct tally *t = atomic_load(&door_tally);

	*n = 0;
	return t != NULL ? tally_rows(t, n) : NULL;
}

struct tally_row *
stats_rule_rows(size_t *n)
{
	struct tally *t = atomic_load(&rule_tally);

	*n = 0;
	return t != NULL ? tally_rows(t, n) : NULL;
}

struct tally_row *
stats_user_rows(size_t *n)
{
	struct tally *t = atomic_load(&user_tally);

	*n = 0;
	return t != NULL ? tally_rows(t, n) : NULL;
}
