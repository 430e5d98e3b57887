/*
 * svcthread.c - start and stop the daemon's service threads (see
 * svcthread.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "log.h"
#include "svcthread.h"

int
svcthread_open(struct svcthread *t)
{
	return pipe2(t->wake, O_CLOEXEC | O_NONBLOCK);
}

static void *
trampoline(void *arg)
{
	struct svcthread *t = arg;

	log_set_tag(t->tag);
	return t->fn(t->arg);
}

int
svcthread_start_pool(struct svcthread *t, const char *tag,
    void *(*fn)(void *), void *arg, size_t n, size_t stack)
{
	pthread_attr_t attr;
	size_t started = 0;
	int rc;

	if (n == 0 || n > SVCTHREAD_MAX) {
		errno = EINVAL;
		return -1;
	}
	t->tag = tag;
	t->fn = fn;
	t->arg = arg;
	if ((rc = pthread_attr_init(&attr)) != 0) {
		errno = rc;
		return -1;
	}
	if (stack > 0)
		rc = pthread_attr_setstacksize(&attr, stack);
	/* Without a stop pipe, for good: never joined. */
	if (rc == 0 && t->wake[0] == -1)
		rc = pthread_attr_setdetachstate(&attr,
		    PTHREAD_CREATE_DETACHED);
	while (rc == 0 && started < n && (rc = pthread_create(
	    &t->threads[started], &attr, trampoline, t)) == 0)
		started++;
	pthread_attr_destroy(&attr);
	if (t->wake[0] != -1)
		t->running = started;
	if (started == 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

int
svcthread_start(struct svcthread *t, const char *tag, void *(*fn)(void *),
    void *arg)
{
	return svcthread_start_pool(t, tag, fn, arg, 1, 0);
}

int
svcthread_stopfd(const struct svcthread *t)
{
	return t->wake[0];
}

void
svcthread_stop(struct svcthread *t)
{
	char c = 1;

	if (t->running > 0) {
		/* Never read, so it wakes every thread; full wakes them too. */
		if (write(t->wake[1], &c, 1) < 0)
			c = 0;
		while (t->running > 0)
			pthread_join(t->threads[--t->running], NULL);
	}
	if (t->wake[0] != -1) {
		close(t->wake[0]);
		close(t->wake[1]);
		t->wake[0] = t->wake[1] = -1;
	}
}
