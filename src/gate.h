/*
 * gate.h - a counting gate: at most max holders at once, and whoever
 * comes over that is turned away at once rather than made to wait (the
 * DNS door's UDP workers: a query over a bound is answered SERVFAIL, so
 * the sockets are never left unread).  The caller logs a refusal.
 * Lock-free: one atomic counter, never above max.
 */
#ifndef SG_GATE_H
#define SG_GATE_H

#include <stdatomic.h>
#include <stdbool.h>

struct gate {
	atomic_int	 held;
	int		 max;
};

#define GATE_INITIALIZER(n)	{ .held = 0, .max = (n) }

/* Take a place: true if one was free (then gate_leave gives it back). */
bool	gate_enter(struct gate *g);
void	gate_leave(struct gate *g);

/* Places held now, for tests. */
int	gate_held(struct gate *g);

#endif
