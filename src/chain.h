/*
 * chain.h - chained relays (RFC 3089 section 4): reach a destination
 * through a list of upstream SOCKS5 gateways, each with its own RFC 1929
 * login, handing the destination name on unresolved to the last hop.
 * Hops that fail are marked down for a back-off period (logged once).
 */
#ifndef SG_CHAIN_H
#define SG_CHAIN_H

#include <stdbool.h>

#include "config.h"
#include "socks5.h"

#define CHAIN_BACKOFF_S	30	/* a failed hop rests this long */

struct chain_result {
	uint8_t			rep;		/* REP for the client */
	struct socks5_addr	bnd;		/* last hop's BND on success */
	bool			hop_failed;	/* a hop, not the destination,
						   failed: try another chain */
	char			why[512];	/* for the log; no secrets */
};

/*
 * Connect through the hops of ch and ask the last one for cmd on dest
 * (S5_CMD_CONNECT, or S5_CMD_RESOLVE for a look-up).  Returns the
 * tunnel (a non-blocking socket to the first hop, past every
 * handshake), or -1 with res filled: the last hop's own REP when the
 * destination failed there (passed to the client unchanged), or
 * hop_failed set.
 */
int	chain_connect(const struct config *c, const struct route_chain *ch,
	    uint8_t cmd, const struct socks5_addr *dest,
	    struct chain_result *res);

/* Is a hop of ch resting after a failure? */
bool	chain_is_down(const struct config *c, const struct route_chain *ch);

/* "gw2:1080,gw3:1080" into buf, for logs. */
char	*chain_str(const struct config *c, const struct route_chain *ch,
	    char *buf, size_t len);

#endif
