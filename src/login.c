/*
 * login.c - the request core's login step (request_login in request.h):
 * RFC 1929 credentials checked through PAM on the bounded pool of login
 * workers (authpool.h), behind the failed-login throttle (throttle.h);
 * with auth.cache_ttl, a login PAM accepted within the TTL is answered
 * from the login cache (authcache.h) without PAM.
 * Every door that carries a password logs in here.
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "auth_pam.h"
#include "authcache.h"
#include "authpool.h"
#include "escape.h"
#include "log.h"
#include "registry.h"
#include "request.h"
#include "sgio.h"
#include "stats.h"
#include "throttle.h"

/* Client addresses the throttle remembers (an LRU slot makes room). */
#define THROTTLE_ENTRIES	4096

/* One PAM transaction, handed to a worker; freed by whoever is last. */
struct login_job {
	char			service[64];
	char			user[S5_NAME_MAX + 1];
	char			pass[S5_NAME_MAX + 1];
	char			rhost[ADDR_STRLEN];
	bool			serialize;
	enum auth_result	res;
	unsigned		delay_ms;	/* asked for after a failure */
	char			why[256];
};

/*
 * Logins of one client being checked at once (queued or running): at
 * most half the PAM workers, so that one address sending many logins
 * cannot keep everyone else's waiting.  Open addressing; a slot with
 * n == 0 is free.
 */
#define FAIR_SLOTS	1024

static struct {
	pthread_mutex_t	lock;
	pthread_cond_t	left;		/* some client's count went down */
	pthread_once_t	once;
	struct {
		uint8_t	key[ADDR_KEY_LEN];
		int	n;
	} slot[FAIR_SLOTS];
} fair = { .lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT };

static struct throttle *throttle;
static pthread_once_t throttle_once = PTHREAD_ONCE_INIT;

static void
throttle_init(void)
{
	/* Without a table (no memory at start) logins go unthrottled. */
	throttle = throttle_new(THROTTLE_ENTRIES);
}

static void
fair_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fair.left, &ca);
	pthread_condattr_destroy(&ca);
}

/* The slot of key, or a free one; NULL when the table is full (lock held). */
static int *
fair_count(const uint8_t *key)
{
	uint32_t h = 2166136261u;
	size_t i, k, free_at = FAIR_SLOTS;

	for (i = 0; i < ADDR_KEY_LEN; i++)
		h = (h ^ key[i]) * 16777619u;
	for (i = 0; i < FAIR_SLOTS; i++) {
		k = (h + i) % FAIR_SLOTS;
		if (fair.slot[k].n > 0 &&
		    memcmp(fair.slot[k].key, key, ADDR_KEY_LEN) == 0)
			return &fair.slot[k].n;
		if (fair.slot[k].n == 0 && free_at == FAIR_SLOTS)
			free_at = k;
	}
	if (free_at == FAIR_SLOTS)
		return NULL;
	memcpy(fair.slot[free_at].key, key, ADDR_KEY_LEN);
	return &fair.slot[free_at].n;
}

/* Wait for this client's turn; 0, or -1 at the deadline. */
static int
fair_enter(const uint8_t *key, int share, int64_t deadline)
{
	struct timespec ts = { (time_t)(deadline / 1000),
	    (long)(deadline % 1000) * 1000000 };
	int *n, rc = 0;

	pthread_once(&fair.once, fair_init);
	pthread_mutex_lock(&fair.lock);
	while ((n = fair_count(key)) == NULL || *n >= share)
		if (pthread_cond_timedwait(&fair.left, &fair.lock, &ts) ==
		    ETIMEDOUT) {
			rc = -1;
			break;
		}
	if (rc == 0)
		(*n)++;
	pthread_mutex_unlock(&fair.lock);
	return rc;
}

static void
fair_leave(const uint8_t *key)
{
	int *n;

	pthread_mutex_lock(&fair.lock);
	if ((n = fair_count(key)) != NULL && *n > 0)
		(*n)--;
	pthread_cond_broadcast(&fair.left);
	pthread_mutex_unlock(&fair.lock);
}

static void
login_run(void *arg)
{
	struct login_job *j = arg;

	j->res = auth_pam_check(j->service, j->user, j->pass, j->rhost,
	    j->serialize, &j->delay_ms, j->why, sizeof(j->why));
}

static void
login_release(void *arg)
{
	struct login_job *j = arg;

	explicit_bzero(j, sizeof(*j));
	free(j);
}

/*
 * PAM's verdict on user/pass, within the handshake's deadline: AUTH_OK,
 * AUTH_DENIED (with the delay PAM asked for), or AUTH_ERROR with the
 * reason in why (PAM itself failed, or no worker was free in time).
 * pass is wiped.
 */
static enum auth_result
check_password(struct request *r, const char *user, char *pass,
    unsigned *delay_ms, char *why, size_t whylen)
{
	int64_t deadline = r->start + (int64_t)r->cfg->timeout_handshake * 1000;
	int share = r->cfg->auth_max_concurrent / 2, err, rc;
	uint8_t key[ADDR_KEY_LEN];
	struct login_job *j;
	enum auth_result res;

	if (share < 1)
		share = 1;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		explicit_bzero(pass, strlen(pass));
		snprintf(why, whylen, "out of memory");
		return AUTH_ERROR;
	}
	snprintf(j->service, sizeof(j->service), "%s", r->cfg->pam_service);
	snprintf(j->user, sizeof(j->user), "%s", user);
	snprintf(j->pass, sizeof(j->pass), "%s", pass);
	explicit_bzero(pass, strlen(pass));
	snprintf(j->rhost, sizeof(j->rhost), "%s", r->peerhost);
	j->serialize = r->cfg->pam_serialize;
	addr_client_key((struct sockaddr *)&r->peer, r->cfg->ipv6_prefix, key);
	if (fair_enter(key, share, deadline) == -1) {
		snprintf(why, whylen, "this client's other logins (%d at "
		    "once) took the time until the handshake deadline", share);
		login_release(j);
		return AUTH_ERROR;
	}
	rc = authpool_run(login_run, j, login_release, deadline);
	err = errno;
	fair_leave(key);
	if (rc == -1) {
		/* ETIMEDOUT: the pool now owns (and frees) the job. */
		snprintf(why, whylen, err == ETIMEDOUT ? "no PAM worker "
		    "free before the handshake deadline (auth.max_concurrent "
		    "%d)" : "no PAM worker", r->cfg->auth_max_concurrent);
		if (err != ETIMEDOUT)
			login_release(j);
		return AUTH_ERROR;
	}
	res = j->res;
	*delay_ms = j->delay_ms;
	snprintf(why, whylen, "%s", j->why);
	login_release(j);
	return res;
}

/* A wrong password: counted, and the start of a block said once. */
static void
login_failed(struct request *r, const char *user, const char *why)
{
	const struct throttle_cfg *f = &r->cfg->fail;
	char esc[ESCAPE_LEN(S5_NAME_MAX)];

	log_warnx("authentication failed for user=\"%s\" from %s: %s",
	    escape_log_str(user, esc, sizeof(esc)), r->peerhost, why);
	if (throttle != NULL && throttle_failed(throttle, f,
	    (struct sockaddr *)&r->peer, sgio_now_ms()))
		log_warnx("%s: %d failed logins within %d s: logins from "
		    "there are refused for %d s (auth.fail_*)", r->peerhost,
		    f->limit, f->window_s, f->block_s);
}

/*
 * The failure delay a PAM module asked for (pam_unix: 2 s), slept here
 * in the session, not on a PAM worker: a guesser is slowed down, nobody
 * else is.  Never past the handshake's deadline.
 */
static void
fail_delay(const struct request *r, unsigned delay_ms)
{
	int64_t left = r->start + (int64_t)r->cfg->timeout_handshake * 1000 -
	    sgio_now_ms();
	struct timespec ts;

	if (delay_ms > left)
		delay_ms = left > 0 ? (unsigned)left : 0;
	ts.tv_sec = delay_ms / 1000;
	ts.tv_nsec = (long)(delay_ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * A cached login (auth.cache_ttl, authcache.h): true when user/pass was
 * accepted by PAM within the TTL.  Otherwise t is left ready for
 * remember() after PAM says yes.  Asked only after the throttle, so a
 * blocked client cannot use the cache to test passwords.
 */
static bool
cached(const struct request *r, struct authcache **cache, const char *user,
    const char *pass, struct authcache_ticket *t)
{
	if (r->cfg->auth_cache_ttl <= 0 || (*cache = authcache_shared()) ==
	    NULL)
		return false;
	authcache_ticket(*cache, user, pass, t);
	return authcache_lookup(*cache, t, sgio_now_ms());
}

int
request_login(struct request *r, const char *user, char *pass)
{
	char why[256], esc[ESCAPE_LEN(S5_NAME_MAX)];
	struct authcache *cache = NULL;
	struct authcache_ticket t;
	enum auth_result res;
	unsigned delay_ms = 0;
	int64_t wait;
	bool hit;

	pthread_once(&throttle_once, throttle_init);
	if (throttle != NULL && (wait = throttle_blocked(throttle,
	    &r->cfg->fail, (struct sockaddr *)&r->peer, sgio_now_ms())) > 0) {
		explicit_bzero(pass, strlen(pass));
		stats_login(0);
		stats_refused(STATS_REFUSED_THROTTLED);
		log_info("login refused without checking: %s is blocked for "
		    "%d more s after failed logins", r->peerhost,
		    (int)((wait + 999) / 1000));
		return -1;
	}
	memset(&t, 0, sizeof(t));
	if ((hit = cached(r, &cache, user, pass, &t)))
		explicit_bzero(pass, strlen(pass));
	else {
		res = check_password(r, user, pass, &delay_ms, why,
		    sizeof(why));
		if (res == AUTH_DENIED) {
			authcache_ticket_wipe(&t);
			stats_login(0);
			stats_refused(STATS_REFUSED_AUTH);
			login_failed(r, user, why);
			fail_delay(r, delay_ms);
			return -1;
		}
		if (res != AUTH_OK) {
			/* Not the user's fault: never reported as a wrong
			 * password. */
			authcache_ticket_wipe(&t);
			stats_login(0);
			log_warnx("login of user=\"%s\" not checked: internal "
			    "error: %s", escape_log_str(user, esc, sizeof(esc)),
			    why);
			return -1;
		}
		/* Only a success is ever remembered. */
		if (cache != NULL)
			authcache_store(cache, &t, sgio_now_ms(),
			    (int64_t)r->cfg->auth_cache_ttl * 1000);
	}
	authcache_ticket_wipe(&t);
	if (throttle != NULL)
		throttle_succeeded(throttle, &r->cfg->fail,
		    (struct sockaddr *)&r->peer);
	snprintf(r->user, sizeof(r->user), "%s", user);
	r->auth = REQUEST_AUTH_PASSWORD;
	stats_login(1);
	registry_handshake_done(r->reg);
	log_debug("user \"%s\" authenticated%s",
	    escape_log_str(r->user, esc, sizeof(esc)),
	    hit ? " from the login cache (no PAM call)" : "");
	return 0;
}
