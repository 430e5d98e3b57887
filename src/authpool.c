/*
 * authpool.c - a bounded pool of login workers (see authpool.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "authpool.h"
#include "sgio.h"

/* pam_cap alone puts a 256 KiB frame on the stack (Debian 12). */
#define WORKER_STACK	(1024 * 1024)

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct job {
	void		(*fn)(void *);
	void		*arg;
	void		(*release)(void *);
	enum job_state	 state;
	bool		 abandoned;	/* the caller gave up waiting */
	pthread_cond_t	 done;
	struct job	*next;
};

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;		/* a job queued, or a slot free */
	struct job	*head, *tail;
	unsigned	 workers;	/* threads started */
	unsigned	 running;
	unsigned	 queued;
	unsigned	 limit;
	bool		 stopping;
	pthread_t	 ids[AUTHPOOL_MAX];
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER };

static void
job_free(struct job *j)
{
	pthread_cond_destroy(&j->done);
	free(j);
}

/*
 * The next job this worker may start, or NULL when the pool stops;
 * called and returns with the lock.
 */
static struct job *
take_job(void)
{
	struct job *j;

	while (!pool.stopping &&
	    (pool.head == NULL || pool.running >= pool.limit))
		pthread_cond_wait(&pool.work, &pool.lock);
	if (pool.stopping)
		return NULL;
	j = pool.head;
	if ((pool.head = j->next) == NULL)
		pool.tail = NULL;
	pool.queued--;
	pool.running++;
	j->state = JOB_RUNNING;
	return j;
}

static void *
worker_main(void *unused)
{
	sigset_t all;
	struct job *j;

	(void)unused;
	/* Signals are main's (sigwait). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&pool.lock);
	while ((j = take_job()) != NULL) {
		pthread_mutex_unlock(&pool.lock);
		j->fn(j->arg);
		pthread_mutex_lock(&pool.lock);
		pool.running--;
		j->state = JOB_DONE;
		if (j->abandoned) {
			j->release(j->arg);
			job_free(j);
		} else
			pthread_cond_signal(&j->done);
		/* A slot is free: another worker may start a job. */
		pthread_cond_signal(&pool.work);
	}
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

int
authpool_set_limit(unsigned limit)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc = 0;

	if (limit > AUTHPOOL_MAX)
		limit = AUTHPOOL_MAX;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	pthread_mutex_lock(&pool.lock);
	while (pool.workers < limit && !pool.stopping) {
		if ((rc = pthread_create(&t, &attr, worker_main, NULL)) != 0)
			break;
		pool.ids[pool.workers++] = t;
	}
	/* With fewer workers than asked, the limit is what runs. */
	pool.limit = pool.workers < limit ? pool.workers : limit;
	pthread_cond_broadcast(&pool.work);
	pthread_mutex_unlock(&pool.lock);
	pthread_attr_destroy(&attr);
	if (pool.limit == 0 && limit > 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

/* Remove a job that never started from the queue (lock held). */
static void
unqueue(struct job *j)
{
	struct job **p, *prev = NULL;

	for (p = &pool.head; *p != NULL; prev = *p, p = &(*p)->next) {
		if (*p != j)
			continue;
		*p = j->next;
		if (pool.tail == j)
			pool.tail = prev;
		pool.queued--;
		return;
	}
}

static struct timespec
abs_time(int64_t deadline_ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline_ms / 1000);
	ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000;
	return ts;
}

int
authpool_run(void (*fn)(void *), void *arg, void (*release)(void *),
    int64_t deadline_ms)
{
	pthread_condattr_t ca;
	struct timespec ts = abs_time(deadline_ms);
	struct job *j;
	int rc = 0;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->fn = fn;
	j->arg = arg;
	j->release = release;
	/* sgio_now_ms is CLOCK_MONOTONIC: so is the wait. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->done, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&pool.lock);
	if (pool.limit == 0) {
		pthread_mutex_unlock(&pool.lock);
		job_free(j);
		errno = EAGAIN;
		return -1;
	}
	if (pool.tail != NULL)
		pool.tail->next = j;
	else
		pool.head = j;
	pool.tail = j;
	pool.queued++;
	pthread_cond_signal(&pool.work);
	while (j->state != JOB_DONE && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&j->done, &pool.lock, &ts);
	if (j->state == JOB_DONE) {
		pthread_mutex_unlock(&pool.lock);
		job_free(j);
		return 0;
	}
	if (j->state == JOB_QUEUED) {
		unqueue(j);
		release(arg);
		job_free(j);
	} else
		j->abandoned = true;	/* the worker releases it */
	pthread_mutex_unlock(&pool.lock);
	errno = ETIMEDOUT;
	return -1;
}

void
authpool_stop(void)
{
	unsigned i, n;

	pthread_mutex_lock(&pool.lock);
	pool.stopping = true;
	n = pool.workers;
	pthread_cond_broadcast(&pool.work);
	pthread_mutex_unlock(&pool.lock);
	for (i = 0; i < n; i++)
		pthread_join(pool.ids[i], NULL);
	/* Empty again: authpool_set_limit may start it anew. */
	pthread_mutex_lock(&pool.lock);
	pool.workers = pool.limit = 0;
	pool.stopping = false;
	pthread_mutex_unlock(&pool.lock);
}

void
authpool_counts(unsigned *running, unsigned *queued)
{
	pthread_mutex_lock(&pool.lock);
	*running = pool.running;
	*queued = pool.queued;
	pthread_mutex_unlock(&pool.lock);
}
