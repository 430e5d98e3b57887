/*
 * auth_pam.h - one PAM transaction per RFC 1929 login (RFC 1929 section 2
 * checked through the system's PAM stack).
 */
#ifndef SG_AUTH_PAM_H
#define SG_AUTH_PAM_H

#include <stdbool.h>
#include <stddef.h>

enum auth_result {
	AUTH_OK = 0,
	AUTH_DENIED,		/* wrong password, unknown user, expired ... */
	AUTH_ERROR		/* PAM itself failed (service, module, memory) */
};

/*
 * pam_start(service, user) with PAM_RHOST = rhost, pam_authenticate,
 * then pam_acct_mgmt, in the calling thread with its own handle.  The
 * password reaches the conversation through appdata_ptr and is wiped
 * (explicit_bzero) before this returns, whatever the outcome.  When
 * serialize is true, calls are made one at a time under a mutex, for
 * sites whose PAM modules are not thread-safe.  A delay a module asks
 * for after a failure (pam_unix: 2 s) is not slept here but returned in
 * *delay_ms, for the caller to wait out without holding a PAM worker.
 * why receives PAM's reason text on failure.
 */
enum auth_result auth_pam_check(const char *service, const char *user,
	    char *password, const char *rhost, bool serialize,
	    unsigned *delay_ms, char *why, size_t whylen);

#endif
