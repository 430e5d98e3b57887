/*
 * authpool.h - a bounded pool of login workers.  PAM transactions cost
 * memory (yescrypt: about 11 MB each) and deep stack frames, so at most
 * `limit` of them run at once (auth.max_concurrent), on worker threads
 * with stacks large enough for any PAM module; sessions wait their turn,
 * each no longer than its own deadline (timeouts.handshake).
 */
#ifndef SG_AUTHPOOL_H
#define SG_AUTHPOOL_H

#include <stdint.h>

/* Worker threads ever started: the largest limit that can be asked. */
#define AUTHPOOL_MAX	256

/*
 * Run at most limit jobs at once from now on, starting workers as
 * needed (they stay).  0, or -1 with errno when no worker could start.
 */
int	authpool_set_limit(unsigned limit);

/*
 * Run fn(arg) on a worker and wait until it has run, or until
 * deadline_ms (sgio_now_ms clock).  0: fn ran and arg is the caller's
 * again.  -1 with ETIMEDOUT: the deadline passed first; the job is
 * dropped if it had not started, and either way the pool calls
 * release(arg) once fn is done with it: the caller must not touch arg
 * again.  -1 with EAGAIN when there is no worker at all (release is
 * not called).
 */
int	authpool_run(void (*fn)(void *), void *arg, void (*release)(void *),
	    int64_t deadline_ms);

/*
 * Let the jobs running finish, then end every worker (at exit, and in
 * tests); jobs still queued then wait until their deadline.  The pool
 * can be started again with authpool_set_limit.
 */
void	authpool_stop(void);

/* Jobs running and waiting now, for statistics and tests. */
void	authpool_counts(unsigned *running, unsigned *queued);

#endif
