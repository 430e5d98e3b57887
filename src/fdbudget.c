/*
 * fdbudget.c - the descriptor budget (see fdbudget.h).
 */
#include "sgconfig.h"

#include <stdatomic.h>

#include "fdbudget.h"

static atomic_int used;
static atomic_int total = 1;	/* until fdbudget_init */

void
fdbudget_init(long nofile, int pam_workers)
{
	long n = nofile - FDBUDGET_RESERVE - (long)FDBUDGET_PER_PAM *
	    pam_workers;

	if (n < 1)
		n = 1;
	if (n > 1000000)
		n = 1000000;
	atomic_store(&total, (int)n);
}

bool
fdbudget_take(int n)
{
	int cur = atomic_load(&used);

	do {
		if (cur + n > atomic_load(&total))
			return false;
	} while (!atomic_compare_exchange_weak(&used, &cur, cur + n));
	return true;
}

void
fdbudget_give(int n)
{
	atomic_fetch_sub(&used, n);
}

int
fdbudget_attempts(void)
{
	return fdbudget_take(FDBUDGET_ATTEMPTS - 1) ? FDBUDGET_ATTEMPTS : 1;
}

void
fdbudget_attempts_done(int n)
{
	fdbudget_give(n - 1);
}

int
fdbudget_used(void)
{
	return atomic_load(&used);
}

int
fdbudget_total(void)
{
	return atomic_load(&total);
}
