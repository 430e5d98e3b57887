/*
 * svcthread.h - the daemon's service threads: one thread that polls its
 * module's own sockets (control, metrics, UDP port mappings, DNS over
 * UDP), started by main after the privilege drop.  A module that is
 * stopped at shutdown opens a stop pipe first; the thread polls its read
 * end (svcthread_stopfd) and returns when it is readable, and
 * svcthread_stop wakes and joins it.  Without a stop pipe the thread is
 * detached and runs until the process exits.  A pool (svcthread_start_pool,
 * DNS over UDP) is up to SVCTHREAD_MAX such threads on one stop pipe,
 * which no thread reads: the one byte svcthread_stop writes wakes them
 * all (threads that wait in one epoll instance pass it on: dns_udp.c).
 */
#ifndef SG_SVCTHREAD_H
#define SG_SVCTHREAD_H

#include <pthread.h>
#include <stddef.h>

#define SVCTHREAD_MAX	8	/* threads of one pool */

struct svcthread {
	pthread_t	 threads[SVCTHREAD_MAX];
	size_t		 running;	/* started and not yet joined */
	int		 wake[2];	/* the stop pipe; -1: none */
	const char	*tag;		/* the thread's log tag */
	void		*(*fn)(void *);
	void		*arg;
};

#define SVCTHREAD_INITIALIZER	{ .wake = { -1, -1 } }

/*
 * Open t's stop pipe (non-blocking, close-on-exec): the thread that
 * svcthread_start starts next can then be stopped.  0, or -1 with errno.
 */
int	svcthread_open(struct svcthread *t);

/*
 * Start fn(arg) in a thread whose log tag is tag (a string that outlives
 * the thread).  t must stay in place while the thread runs.  0, or -1
 * with errno (nothing started).
 */
int	svcthread_start(struct svcthread *t, const char *tag,
	    void *(*fn)(void *), void *arg);

/*
 * The same for a pool: up to n (at most SVCTHREAD_MAX) threads, each
 * running fn(arg) on a stack of stack bytes (0: the default).  0 when
 * at least one started (fewer than n still serve), or -1 with errno.
 */
int	svcthread_start_pool(struct svcthread *t, const char *tag,
	    void *(*fn)(void *), void *arg, size_t n, size_t stack);

/* What the thread polls for POLLIN: readable means return now. */
int	svcthread_stopfd(const struct svcthread *t);

/*
 * Wake the thread (or the pool) through the stop pipe, join it, close
 * the pipe.  Safe on a thread never started and on a pipe never opened;
 * a thread started without a stop pipe is left running.
 */
void	svcthread_stop(struct svcthread *t);

#endif
