/*
 * stats.c - global counters (see stats.h).
 */
#include "sgconfig.h"

#include <stdatomic.h>

#include "sgio.h"
#include "stats.h"

static _Atomic uint64_t relays_total, logins_ok, logins_failed;
static _Atomic uint64_t bytes_up, bytes_down;
static _Atomic int64_t started;

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
stats_get(struct stats_snapshot *s)
{
	s->relays_total = atomic_load_explicit(&relays_total,
	    memory_order_relaxed);
	s->logins_ok = atomic_load_explicit(&logins_ok, memory_order_relaxed);
	s->logins_failed = atomic_load_explicit(&logins_failed,
	    memory_order_relaxed);
	s->bytes_up = atomic_load_explicit(&bytes_up, memory_order_relaxed);
	s->bytes_down = atomic_load_explicit(&bytes_down,
	    memory_order_relaxed);
	s->started = atomic_load(&started);
}
