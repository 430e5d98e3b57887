/*
 * session.h - one thread per client: the SOCKS5 door (door_socks5.h)
 * reads the greeting, the login and the request, and the request core
 * (request.h) does the rest: rules -> resolve -> connect -> reply ->
 * relay -> one access-log line.
 */
#ifndef SG_SESSION_H
#define SG_SESSION_H

#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "registry.h"

/*
 * Stack of each session thread.  PAM runs on the login workers
 * (authpool.c), whose 1 MiB stacks hold its deep frames; sessions call
 * getaddrinfo, chains, UDP ASSOCIATE, HTTP forwarding and the relay.
 * Measured deepest use (a canary-filled stack scanned at the end of
 * each session, Debian 12, glibc 2.36, over t-resolve, t-chain, t-udp,
 * t-http, t-auth, t-bind and a name refused after its look-up): 26 KiB;
 * an IPv4 CONNECT with a cached login 15 KiB, HTTP forwarding 20 KiB.
 * 256 KiB leaves ten times that for NSS modules that go deeper (those
 * tests run on this size).  Only touched pages cost memory, and the
 * relay gives back what the handshake touched (session_stack_trim).
 */
#define SESSION_STACK_SIZE	(256 * 1024)

/*
 * A session thread whose client has gone waits this long for the next
 * one before it ends; at most SESSION_PARK_MAX threads wait at once.
 */
#define SESSION_PARK_MAX	64
#define SESSION_PARK_SECS	10

/*
 * Give back the pages of the calling thread's stack below its current
 * frame (less SESSION_TRIM_KEEP bytes, room for the callee's frames):
 * what the handshake touched deeper (a name's look-up, a login) is not
 * held for the hours an idle relay may last.  Called by the relay once
 * it has been quiet for RELAY_QUIET_MS (a short relay never pays for
 * the madvise(2), whose TLB shoot-down interrupts every CPU), or by the
 * request core before a door's own relay.  Nothing is done when no page
 * below is resident (mincore(2)).
 */
#define SESSION_TRIM_KEEP	2048
void	session_stack_trim(void);

/*
 * Start a detached session thread for the client fd accepted on the
 * listener lis (which outlives every session), whose
 * registry entry reg (registry_enter) and FDBUDGET_CONNECT descriptors
 * of the budget the caller took.  On success the session takes
 * ownership of fd, of the config reference cfg, of reg and of the
 * budget (it gives all back when it ends) and returns 0; on failure
 * (-1, errno set) they stay the caller's.
 */
int	session_start(int fd, const struct sockaddr_storage *peer,
	    struct config *cfg, struct registry_entry *reg,
	    const struct config_listen *lis);

#endif
