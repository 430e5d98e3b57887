/*
 * dial.h - reaching a gateway of the list (RFC 3089 section 2, RFC
 * 1928): their addresses resolved once per process, a connection to the
 * first that answers (failover, with a back-off shared by the session's
 * processes: gwlist.h), and the SOCKS5 handshake with the configured
 * login, pipelined once the shared table says the gateway is sixgated.  Used by TCP (client.c), UDP
 * (dgram.c) and the RESOLVE of verify.c.
 */
#ifndef SG_DIAL_H
#define SG_DIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib.h"
#include "socks5_client.h"

/* Is sa an address of one of the gateways (false until resolved)? */
bool	dial_is_gateway(const struct sockaddr *sa);

/*
 * A socket connected to one of the gateways: they are tried in the
 * order of gwlist_order (those in back-off last), each resolved once per
 * process and given SIXGATE_TIMEOUT from its first attempt; the deadline
 * of the one that answered in *deadline (sgio milliseconds), for the
 * handshake.  A gateway that cannot be reached goes into back-off for
 * the whole session, with one warning (gwlist.h).  The socket is fd
 * itself (non-blocking, the caller's) for the first address of family
 * domain, else a new non-blocking close-on-exec socket with fd's
 * options copied, which the caller puts in place (dial_swap) or closes.
 * fd -1: always a new socket.  -1 with errno when no gateway answers:
 * that of the last attempt (ENETUNREACH when no gateway resolves).
 */
int	dial_open(const struct lib *l, int fd, int domain, int64_t *deadline);

/*
 * The SOCKS5 exchange on use (connected to the gateway): greeting, the
 * configured login, request cmd/dest, the reply in *res.  Learns for the
 * whole session when the gateway is sixgated.  0, or -1 with an errno
 * the program understands (REP mapped; EACCES for a refused login); what
 * names the request in the log line.
 */
int	dial_handshake(const struct lib *l, int use, uint8_t cmd,
	    const struct socks5_addr *dest, int64_t deadline,
	    struct socks5_client_res *res, const char *what);

/*
 * A new control connection to the gateway (preferring family domain),
 * with the login and the request cmd/dest done; the gateway's answer in
 * *res.  The socket is close-on-exec and non-blocking; the caller owns
 * it.  -1 with errno; res->rep is then the gateway's REP if it refused
 * the request, else 0 (it could not be reached or did not answer).
 */
int	dial_control(const struct lib *l, int domain, uint8_t cmd,
	    const struct socks5_addr *dest, struct socks5_client_res *res);

/*
 * Put socket use in place of fd (dup3, keeping fd's close-on-exec) and
 * close use.  0, or -1 with errno (use closed either way).
 */
int	dial_swap(int fd, int use);

/* Copy the usual socket options (buffers, timeouts, keep-alive ...). */
void	dial_copy_options(int from, int to);

#endif
