/*
 * statekeep.c - the quota counters kept across restarts (statekeep.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "statefile.h"
#include "statekeep.h"
#include "usage.h"

static pthread_mutex_t keep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t keep_cond;
static pthread_t keep_thread;
static bool keep_running, keep_stop;
/* Say a failing save once, and again only once it worked in between. */
static bool keep_failing;

static void
import_one(void *arg, const char *rule, const char *subject,
    int64_t period_start, uint64_t used)
{
	size_t *n = arg;

	usage_import(rule, subject, period_start, used);
	(*n)++;
}

static void
export_one(void *arg, const char *rule, const char *subject,
    int64_t period_start, uint64_t used)
{
	statefile_add(arg, rule, subject, period_start, used);
}

/* Under keep_lock: one save at a time, so renames never cross. */
static int
save_locked(const char *dir)
{
	struct statefile_buf b;
	char err[512];
	int rc = -1;

	statefile_buf_init(&b);
	usage_export(export_one, &b);
	if (statefile_finish(&b) == -1)
		snprintf(err, sizeof(err), "out of memory");
	else
		rc = statefile_save(dir, &b, err, sizeof(err));
	statefile_buf_free(&b);
	if (rc == -1 && !keep_failing)
		log_warnx("cannot save the quota counters: %s (they are kept "
		    "in memory; retrying every interval)", err);
	else if (rc == 0 && keep_failing)
		log_info("quota counters saved again in %s", dir);
	keep_failing = rc == -1;
	return rc;
}

int
statekeep_save(void)
{
	struct config *c = config_current();
	int rc = 0;

	if (c->state_on) {
		pthread_mutex_lock(&keep_lock);
		rc = save_locked(c->state_dir);
		pthread_mutex_unlock(&keep_lock);
	}
	config_release(c);
	return rc;
}

/* Sleep for the current interval (a reload may change it), then save. */
static void *
keep_main(void *arg)
{
	struct timespec until;
	struct config *c;
	int interval;

	(void)arg;
	log_set_tag("state");
	pthread_mutex_lock(&keep_lock);
	while (!keep_stop) {
		c = config_current();
		interval = c->state_interval;
		config_release(c);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += interval;
		while (!keep_stop && pthread_cond_timedwait(&keep_cond,
		    &keep_lock, &until) != ETIMEDOUT)
			continue;
		if (keep_stop)
			break;
		c = config_current();
		if (c->state_on)
			(void)save_locked(c->state_dir);
		config_release(c);
	}
	pthread_mutex_unlock(&keep_lock);
	return NULL;
}

int
statekeep_start(const struct config *c)
{
	pthread_condattr_t ca;
	char err[512];
	size_t n = 0;
	int rc;

	/* Off now, a reload may still turn it on: the thread runs anyway. */
	rc = !c->state_on ? 1 : statefile_load(c->state_dir, import_one, &n,
	    err, sizeof(err));
	if (rc == -1)
		log_warnx("quota counters not restored: %s (ignored: they "
		    "start from zero)", err);
	else if (rc == 0)
		log_info("quota counters restored from %s/%s: %zu entries",
		    c->state_dir, STATEFILE_NAME, n);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&keep_cond, &ca);
	pthread_condattr_destroy(&ca);
	if ((errno = pthread_create(&keep_thread, NULL, keep_main, NULL))
	    != 0) {
		log_warn("cannot start the state thread");
		return -1;
	}
	keep_running = true;
	return 0;
}

void
statekeep_stop(void)
{
	if (!keep_running)
		return;
	pthread_mutex_lock(&keep_lock);
	keep_stop = true;
	pthread_cond_signal(&keep_cond);
	pthread_mutex_unlock(&keep_lock);
	pthread_join(keep_thread, NULL);
	keep_running = false;
	(void)statekeep_save();
}
