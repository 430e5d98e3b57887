/*
 * session.h - one thread per client: greeting -> RFC 1929 login through
 * PAM -> request -> rules -> resolve -> connect -> reply -> relay -> one
 * access-log line.  The session registry (count, drain) lives here too.
 */
#ifndef SG_SESSION_H
#define SG_SESSION_H

#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

/*
 * Stack of each session thread.  PAM modules need room: Debian's
 * pam_cap alone takes 256 KiB in one frame (NGROUPS_MAX gids), so the
 * 256 KiB that tinyproxy uses overflows.  Only touched pages cost
 * memory, and the session gives them back after the login.
 */
#define SESSION_STACK_SIZE	(1024 * 1024)

/*
 * Start a detached session thread for the accepted client fd.  On
 * success the session takes ownership of fd and of the config reference
 * cfg and returns 0; on failure (-1, errno set) both stay the caller's.
 */
int	session_start(int fd, const struct sockaddr_storage *peer,
	    struct config *cfg);

/* Sessions running now (handshaking or relaying). */
int	session_count(void);

/*
 * Wait until no session runs or deadline_ms (sock_now_ms clock) passes;
 * returns the number still running.
 */
int	session_wait_all(int64_t deadline_ms);

#endif
