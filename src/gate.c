/*
 * gate.c - a counting gate (see gate.h).
 */
#include "sgconfig.h"

#include "gate.h"

bool
gate_enter(struct gate *g)
{
	int cur = atomic_load(&g->held);

	/* A CAS, not add-then-undo: the count never shows more than max. */
	do {
		if (cur >= g->max)
			return false;
	} while (!atomic_compare_exchange_weak(&g->held, &cur, cur + 1));
	return true;
}

void
gate_leave(struct gate *g)
{
	atomic_fetch_sub(&g->held, 1);
}

int
gate_held(struct gate *g)
{
	return atomic_load(&g->held);
}
