/*
 * pipepool.c - the pump's pipes (see pipepool.h).
 *
 * A direction borrows a pipe only while data is in flight: with
 * thousands of mostly idle relays and 20,000 descriptors per process,
 * pipes held per relay would halve the number of relays.  A bulk
 * stream gets a bigger pipe: at the default 64 KiB, one stream through
 * loopback spent its time in poll and in waking the two peers once per
 * 64 KiB, and moved about 0.6 of direct loopback (bench/CHANGES.md).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "fdbudget.h"
#include "gate.h"
#include "pipepool.h"

#define POOL_MAX	64		/* idle pipes kept for reuse */
#define PIPE_DEFAULT	65536		/* when F_GETPIPE_SZ cannot tell */

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pipe_lent pool[POOL_MAX];
static size_t pool_n;
/* Pipes grown, pooled or lent: a place is held until the pipe closes. */
static struct gate grown = GATE_INITIALIZER(PIPEPOOL_BULK_MAX);

static int
pipe_new(struct pipe_lent *p)
{
	int sz;

	/* Every pipe, pooled or lent, holds its two descriptors' budget. */
	if (!fdbudget_take(2)) {
		errno = EMFILE;
		return -1;
	}
	if (pipe2(p->fd, O_NONBLOCK | O_CLOEXEC) == -1) {
		fdbudget_give(2);
		p->fd[0] = p->fd[1] = -1;
		return -1;
	}
	/* Smaller than the default once the user is over its soft limit. */
	sz = fcntl(p->fd[1], F_GETPIPE_SZ);
	p->cap = sz > 0 ? (size_t)sz : PIPE_DEFAULT;
	p->grown = p->nogrow = false;
	return 0;
}

static void
pipe_close(struct pipe_lent *p)
{
	if (p->grown)
		gate_leave(&grown);
	close(p->fd[0]);
	close(p->fd[1]);
	p->fd[0] = p->fd[1] = -1;
	fdbudget_give(2);
}

int
pipepool_get(struct pipe_lent *p)
{
	pthread_mutex_lock(&pool_lock);
	if (pool_n > 0) {
		*p = pool[--pool_n];
		pthread_mutex_unlock(&pool_lock);
		return 0;
	}
	pthread_mutex_unlock(&pool_lock);
	return pipe_new(p);
}

void
pipepool_put(struct pipe_lent *p, bool empty)
{
	if (p->fd[0] == -1)
		return;
	pthread_mutex_lock(&pool_lock);
	if (empty && pool_n < POOL_MAX) {
		pool[pool_n++] = *p;
		p->fd[0] = p->fd[1] = -1;
	}
	pthread_mutex_unlock(&pool_lock);
	if (p->fd[0] != -1)
		pipe_close(p);
}

void
pipepool_grow(struct pipe_lent *p)
{
	int sz;

	if (p->fd[0] == -1 || p->nogrow || p->cap >= PIPEPOOL_BULK)
		return;
	if (!gate_enter(&grown))
		return;
	/* EPERM: over the soft limit, or the size above pipe-max-size. */
	if ((sz = fcntl(p->fd[1], F_SETPIPE_SZ, PIPEPOOL_BULK)) == -1) {
		gate_leave(&grown);
		p->nogrow = true;
		return;
	}
	p->cap = (size_t)sz;
	p->grown = true;
}

void
pipepool_drain(void)
{
	pthread_mutex_lock(&pool_lock);
	while (pool_n > 0)
		pipe_close(&pool[--pool_n]);
	pthread_mutex_unlock(&pool_lock);
}

int
pipepool_grown(void)
{
	return gate_held(&grown);
}
