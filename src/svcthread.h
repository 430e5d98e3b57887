/*
 * svcthread.h - the daemon's service threads: one thread that polls its
 * module's own sockets (control, metrics, UDP port mappings, DNS over
 * UDP), started by main after the privilege drop.  A module that is
 * stopped at shutdown opens a stop pipe first; the thread polls its read
 * end (svcthread_stopfd) and returns when it is readable, and
 * svcthread_stop wakes and joins it.  Without a stop pipe the thread is
 * detached and runs until the process exits.
 */
#ifndef SG_SVCTHREAD_H
#define SG_SVCTHREAD_H

#include <pthread.h>
#include <stdbool.h>

struct svcthread {
	pthread_t	 thread;
	int		 wake[2];	/* the stop pipe; -1: none */
	bool		 running;	/* started and not yet joined */
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

/* What the thread polls for POLLIN: readable means return now. */
int	svcthread_stopfd(const struct svcthread *t);

/*
 * Wake the thread through the stop pipe, join it, close the pipe.  Safe
 * on a thread never started and on a pipe never opened; a thread
 * started without a stop pipe is left running.
 */
void	svcthread_stop(struct svcthread *t);

#endif
