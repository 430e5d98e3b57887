/*
 * login.c - the request core's login step (request_login in request.h):
 * RFC 1929 credentials checked through PAM on the bounded pool of login
 * workers (authpool.h), behind the failed-login throttle (throttle.h).
 * Every door that carries a password logs in here.
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_pam.h"
#include "authpool.h"
#include "escape.h"
#include "log.h"
#include "registry.h"
#include "request.h"
#include "sgio.h"
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
	char			why[256];
};

static struct throttle *throttle;
static pthread_once_t throttle_once = PTHREAD_ONCE_INIT;

static void
throttle_init(void)
{
	/* Without a table (no memory at start) logins go unthrottled. */
	throttle = throttle_new(THROTTLE_ENTRIES);
}

static void
login_run(void *arg)
{
	struct login_job *j = arg;

	j->res = auth_pam_check(j->service, j->user, j->pass, j->rhost,
	    j->serialize, j->why, sizeof(j->why));
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
 * AUTH_DENIED, or AUTH_ERROR with the reason in why (PAM itself failed,
 * or no worker was free in time).  pass is wiped.
 */
static enum auth_result
check_password(struct request *r, const char *user, char *pass, char *why,
    size_t whylen)
{
	int64_t deadline = r->start + (int64_t)r->cfg->timeout_handshake * 1000;
	struct login_job *j;
	enum auth_result res;
	int err;

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
	if (authpool_run(login_run, j, login_release, deadline) == -1) {
		/* ETIMEDOUT: the pool now owns (and frees) the job. */
		err = errno;
		snprintf(why, whylen, err == ETIMEDOUT ? "no PAM worker "
		    "free before the handshake deadline (auth.max_concurrent "
		    "%d)" : "no PAM worker", r->cfg->auth_max_concurrent);
		if (err != ETIMEDOUT)
			login_release(j);
		return AUTH_ERROR;
	}
	res = j->res;
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

int
request_login(struct request *r, const char *user, char *pass)
{
	char why[256], esc[ESCAPE_LEN(S5_NAME_MAX)];
	enum auth_result res;
	int64_t wait;

	pthread_once(&throttle_once, throttle_init);
	if (throttle != NULL && (wait = throttle_blocked(throttle,
	    &r->cfg->fail, (struct sockaddr *)&r->peer, sgio_now_ms())) > 0) {
		explicit_bzero(pass, strlen(pass));
		log_info("login refused without checking: %s is blocked for "
		    "%d more s after failed logins", r->peerhost,
		    (int)((wait + 999) / 1000));
		return -1;
	}
	res = check_password(r, user, pass, why, sizeof(why));
	if (res == AUTH_DENIED) {
		login_failed(r, user, why);
		return -1;
	}
	if (res != AUTH_OK) {
		/* Not the user's fault: never reported as a wrong password. */
		log_warnx("login of user=\"%s\" not checked: internal error: "
		    "%s", escape_log_str(user, esc, sizeof(esc)), why);
		return -1;
	}
	if (throttle != NULL)
		throttle_succeeded(throttle, &r->cfg->fail,
		    (struct sockaddr *)&r->peer);
	snprintf(r->user, sizeof(r->user), "%s", user);
	r->auth = REQUEST_AUTH_PASSWORD;
	registry_handshake_done(r->reg);
	log_debug("user \"%s\" authenticated",
	    escape_log_str(r->user, esc, sizeof(esc)));
	return 0;
}
