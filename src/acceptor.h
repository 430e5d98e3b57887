/*
 * acceptor.h - the listeners and the accept loop: one thread polls every
 * listener, accepts, admits or refuses (the descriptor budget, the relay
 * and handshake limits of the registry), and hands each client to a
 * session thread with a reference to the current configuration.
 */
#ifndef SG_ACCEPTOR_H
#define SG_ACCEPTOR_H

#include "config.h"

/*
 * Bind every listener of c (before privileges are dropped) and log
 * "listening on ADDR" with the real port.  Returns 0, or -1 with a
 * message in err.
 */
int	acceptor_open(const struct config *c, char *err, size_t errlen);

/*
 * The address the TCP listener opened for l (the same configured address
 * and protocol) is bound to, with its real port: 0, or -1 with errno.
 * For a dns listener's UDP socket, which takes the TCP one's port.
 */
int	acceptor_bound(const struct config_listen *l,
	    struct sockaddr_storage *ss, socklen_t *len);

/* Start the accept thread; 0 or -1 with errno. */
int	acceptor_start(void);

/* Stop accepting: the thread ends and the listeners are closed. */
void	acceptor_stop(void);

#endif
