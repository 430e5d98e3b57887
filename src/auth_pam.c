/*
 * auth_pam.c - RFC 1929 username/password checked through PAM (see
 * auth_pam.h).  No global state but the optional serialising mutex:
 * each call has its own handle, and the password travels through
 * appdata_ptr rather than a file-static variable, because many relay
 * threads authenticate at once.
 */
#include "sgconfig.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "auth_pam.h"

static pthread_mutex_t pam_serial_lock = PTHREAD_MUTEX_INITIALIZER;

/* What the conversation and the fail-delay callback share (appdata_ptr). */
struct auth_conv {
	const char	*password;
	unsigned	 delay_ms;	/* the longest delay a module asked for */
};

/*
 * Answer every "echo off" prompt with the password and every "echo on"
 * prompt with nothing (the user name is already set); PAM frees the
 * replies.
 */
static int
conversation(int n, const struct pam_message **msg,
    struct pam_response **resp, void *appdata)
{
	const char *password = ((const struct auth_conv *)appdata)->password;
	struct pam_response *r;
	int i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			if ((r[i].resp = strdup(password)) == NULL)
				goto fail;
			break;
		case PAM_PROMPT_ECHO_ON:
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			break;
		default:
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
	return PAM_CONV_ERR;
}

/*
 * PAM_FAIL_DELAY: a module's delay after a failure (pam_unix: 2 s) is
 * noted instead of slept, so that a wrong password does not hold a PAM
 * worker; the session waits it out itself.
 */
static void
note_fail_delay(int retval, unsigned usec, void *appdata)
{
	struct auth_conv *c = appdata;

	if (retval != PAM_SUCCESS && usec / 1000 > c->delay_ms)
		c->delay_ms = usec / 1000;
}

enum auth_result
auth_pam_check(const char *service, const char *user, char *password,
    const char *rhost, bool serialize, unsigned *delay_ms, char *why,
    size_t whylen)
{
	struct auth_conv cd = { password, 0 };
	struct pam_conv conv = { conversation, &cd };
	void (*delay_fn)(int, unsigned, void *) = note_fail_delay;
	pam_handle_t *ph = NULL;
	enum auth_result res = AUTH_ERROR;
	int rc;

	if (serialize)
		pthread_mutex_lock(&pam_serial_lock);
	snprintf(why, whylen, "PAM error");
	if ((rc = pam_start(service, user, &conv, &ph)) != PAM_SUCCESS) {
		snprintf(why, whylen, "pam_start: %s", pam_strerror(NULL, rc));
		ph = NULL;
		goto out;
	}
	if ((rc = pam_set_item(ph, PAM_RHOST, rhost)) != PAM_SUCCESS ||
	    (rc = pam_set_item(ph, PAM_FAIL_DELAY, *(void **)&delay_fn)) !=
	    PAM_SUCCESS)
		goto pamfail;
	if ((rc = pam_authenticate(ph, PAM_DISALLOW_NULL_AUTHTOK)) !=
	    PAM_SUCCESS)
		goto pamfail;
	/* Expired or locked accounts must not log in either. */
	if ((rc = pam_acct_mgmt(ph, PAM_DISALLOW_NULL_AUTHTOK)) !=
	    PAM_SUCCESS)
		goto pamfail;
	res = AUTH_OK;
	why[0] = '\0';
	goto out;
pamfail:
	snprintf(why, whylen, "%s", pam_strerror(ph, rc));
	switch (rc) {
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_ACCT_EXPIRED:
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_PERM_DENIED:
	case PAM_AUTHTOK_EXPIRED:
		res = AUTH_DENIED;
		break;
	default:
		res = AUTH_ERROR;
		break;
	}
out:
	if (ph != NULL)
		pam_end(ph, rc);
	*delay_ms = cd.delay_ms;
	explicit_bzero(password, strlen(password));
	if (serialize)
		pthread_mutex_unlock(&pam_serial_lock);
	return res;
}
