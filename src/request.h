/*
 * request.h - the request core: what happens to one request once a
 * front door (SOCKS5 today; SOCKS4, HTTP CONNECT later) has parsed it.
 * The door fills a struct request with what its protocol told it and
 * hands it to request_run; the core does login (request_login), rules,
 * routes and chains, connect, the reply (through the door's ops, so each
 * door answers in its own protocol), the relay, the counters and the one
 * access line.  Nothing a door may skip, and nothing a door must copy.
 *
 * Vocabulary: commands are the RFC 1928 CMD codes (S5_CMD_*, plus
 * S5_CMD_RESOLVE), destinations a struct socks5_addr (a name or an
 * address, and a port, as the client sent it), and outcomes the RFC 1928
 * REP codes (S5_REP_*).  They come from the pure codec, which every door
 * links anyway; a door of another protocol maps its own onto them.
 */
#ifndef SG_REQUEST_H
#define SG_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "config.h"
#include "relay.h"
#include "socks5.h"

/* How the client proved who it is. */
enum request_auth {
	REQUEST_AUTH_NONE,		/* nobody: user is empty */
	REQUEST_AUTH_PASSWORD		/* user and password through PAM */
};

/*
 * What the core needs from a door: answers in the door's protocol.
 * Both return 0, or -1 (logged) when the client cannot be answered.
 */
struct request_door {
	const char	*name;		/* the door's protocol, "socks5" */
	/* The outcome rep, with the bound address bnd (NULL: none). */
	int		(*reply)(void *ctx, uint8_t rep,
			    const struct sockaddr *bnd);
	/* The same with a wire address (a chained hop's BND, maybe a name). */
	int		(*reply_wire)(void *ctx, uint8_t rep,
			    const struct socks5_addr *bnd);
};

struct request {
	/* Set up by whoever accepted the client (session_start). */
	int			 cfd;		/* the client's connection */
	struct sockaddr_storage	 peer;
	char			 peerhost[ADDR_STRLEN];	/* no port: PAM_RHOST */
	const struct config	*cfg;
	int64_t			 start;		/* sock_now_ms() at accept */

	/* Filled by the door. */
	const struct request_door *door;
	void			*door_ctx;
	enum request_auth	 auth;		/* by request_login */
	char			 user[S5_NAME_MAX + 1];
	bool			 sixgate_client; /* a Socks Lib (socks5.h) */
	uint8_t			 cmd;		/* S5_CMD_* */
	struct socks5_addr	 dest;		/* as sent */
	const uint8_t		*early;		/* sent past the request: */
	size_t			 nearly;	/* relayed first */

	/* The core's, for the access line. */
	int			 dfd;		/* the far side; -1: none */
	char			 dest_str[S5_NAME_MAX + 16];	/* as sent */
	char			 connected[ADDR_STRLEN + 300];
	bool			 have_bnd;	/* chained: the last hop's */
	struct socks5_addr	 bnd;
	uint8_t			 rep;		/* the last reply sent */
	struct relay_stats	 stats;
	char			 extra[160];	/* more for the access line */
	const char		*end;		/* why it ended */
};

/*
 * RFC 1929 credentials through PAM (one transaction, auth_pam).  On
 * success sets r->auth and r->user and returns 0; on failure logs it
 * and returns -1.  pass is wiped (auth_pam) whatever the outcome.
 */
int	request_login(struct request *r, const char *user, char *pass);

/*
 * Carry out a request the door has filled: the command, its reply
 * through r->door, the relay, then the access line.  r->dfd is left for
 * the caller to close (it is -1 or an open socket).
 */
void	request_run(struct request *r);

#endif
