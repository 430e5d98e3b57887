/*
 * pipepool.h - the pipes the TCP pump splices through (relay.c): a
 * small shared pool of empty pipes lent to a direction while its data
 * is in flight, and grown for a direction that fills one (a bulk
 * stream), a bounded number at a time.
 */
#ifndef SG_PIPEPOOL_H
#define SG_PIPEPOOL_H

#include <stdbool.h>
#include <stddef.h>

/* A pipe: fd[0] reads, fd[1] writes; fd[0] == -1 when none is held. */
struct pipe_lent {
	int	 fd[2];
	size_t	 cap;		/* bytes it holds when full */
	bool	 grown;	/* counts against PIPEPOOL_BULK_MAX */
	bool	 nogrow;	/* growing it failed: not tried again */
};

#define PIPE_NONE	{ { -1, -1 }, 0, false, false }

/* Borrow an empty pipe (pooled or new); -1 with errno (EMFILE, ...). */
int pipepool_get(struct pipe_lent *p);

/*
 * Give p back: an empty one to the pool (a pooled pipe never holds
 * stale data), anything else is closed.  Nothing held: no-op.
 */
void pipepool_put(struct pipe_lent *p, bool empty);

/*
 * p came back full: grow it to PIPEPOOL_BULK bytes so that a bulk
 * stream moves more per system call and wakes its peers less often.
 * At most PIPEPOOL_BULK_MAX pipes are grown at a time (each counts
 * against the user's pipe-user-pages-soft), and a failure is final for
 * that pipe; p keeps its size then.
 */
#define PIPEPOOL_BULK		(512 * 1024)
#define PIPEPOOL_BULK_MAX	32
void pipepool_grow(struct pipe_lent *p);

/* Pipes grown now, pooled or lent (for tests). */
int pipepool_grown(void);

/* Close the pooled pipes (at exit, for leak checkers). */
void pipepool_drain(void);

#endif
