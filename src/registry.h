/*
 * registry.h - the sessions running now: how many in total and per
 * client address (for limits.max_relays and limits.max_per_client), and
 * waiting for them to end (the drain on SIGTERM).  One mutex guards it.
 */
#ifndef SG_REGISTRY_H
#define SG_REGISTRY_H

#include <stdint.h>
#include <sys/socket.h>

/*
 * Count a new session of client, unless that would pass max_total or
 * max_per_client (0: no per-client cap).  0, or -1 with errno EAGAIN
 * (total cap) or EUSERS (this client's cap).
 */
int	registry_enter(const struct sockaddr *client, int max_total,
	    int max_per_client);

/* A session of client ended. */
void	registry_leave(const struct sockaddr *client);

/* Sessions running now. */
int	registry_count(void);

/*
 * Wait until none runs or deadline_ms (sock_now_ms clock) passes;
 * returns the number still running.
 */
int	registry_wait_empty(int64_t deadline_ms);

#endif
