/*
 * notify.h - readiness and status notifications to the service manager
 * (systemd's sd_notify protocol, implemented here: one datagram of
 * "KEY=VALUE\n" lines to the AF_UNIX socket named by $NOTIFY_SOCKET).
 * Without $NOTIFY_SOCKET every call is a no-op and nothing is sent.
 * Only the main thread calls these.
 */
#ifndef SG_NOTIFY_H
#define SG_NOTIFY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Seconds between STATUS refreshes while waiting for signals. */
#define NOTIFY_STATUS_SECS	3

/*
 * PURE: the value of $NOTIFY_SOCKET ("/path" or "@abstract") into *sun
 * and *len (the length to pass to sendto).  Returns 0, or -1 for an
 * empty, relative, unsupported (e.g. "vsock:") or too long address.
 */
int	notify_addr_parse(const char *s, struct sockaddr_un *sun,
	    socklen_t *len);

/*
 * PURE: a STATUS= value from text: every control byte (a newline would
 * start another assignment) becomes a space; at most size - 1 bytes,
 * always terminated.  Returns out.
 */
char	*notify_clean(const char *text, char *out, size_t size);

/*
 * Read $NOTIFY_SOCKET and remove it from the environment (so that no
 * helper a PAM module runs inherits it), then open the socket to send
 * on.  Call once, before any thread starts.  Returns true if notifying
 * from now on; an unusable value is logged and ignored.
 */
bool	notify_init(void);
bool	notify_enabled(void);

/* READY=1 with the current STATUS: listening and serving. */
void	notify_ready(void);

/* RELOADING=1 with MONOTONIC_USEC; forgets an earlier reload failure. */
void	notify_reloading(void);

/*
 * Remember why a reload failed (err: "FILE:LINE: reason"): the STATUS
 * starts with "reload failed: err" until the next reload.
 */
void	notify_reload_failed(const char *err);

/* STOPPING=1 with STATUS=shutting down. */
void	notify_stopping(void);

/* STATUS= from a format (cleaned as notify_clean does). */
void	notify_status(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * sigwait(3) on set, returning the signal (-1 on error).  When
 * notifying, it wakes every NOTIFY_STATUS_SECS to send STATUS (the
 * number of relays) if that changed; otherwise it is plain sigwait.
 */
int	notify_sigwait(const sigset_t *set);

#endif
