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
svcthread_start(struct svcthread *t, const char *tag, void *(*fn)(void *),
    void *arg)
{
	int rc;

	t->tag = tag;
	t->fn = fn;
	t->arg = arg;
	if ((rc = pthread_create(&t->thread, NULL, trampoline, t)) != 0) {
		errno = rc;
		return -1;
	}
	if (t->wake[0] == -1)
		pthread_detach(t->thread);	/* for good: never joined */
	else
		t->running = true;
	return 0;
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

	if (t->running) {
		/* A full pipe already wakes the thread. */
		if (write(t->wake[1], &c, 1) < 0)
			c = 0;
		pthread_join(t->thread, NULL);
		t->running = false;
	}
	if (t->wake[0] != -1) {
		close(t->wake[0]);
		close(t->wake[1]);
		t->wake[0] = t->wake[1] = -1;
	}
}
