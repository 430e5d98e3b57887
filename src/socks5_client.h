/*
 * socks5_client.h - the client side of a SOCKS5 handshake over a
 * connected socket (RFC 1928 sections 3-6, RFC 1929): shared by the
 * Socks Lib (preload/) and the gateway's chained relays (chain.c).
 * I/O through the caller's struct sgio_ops (sgio.h), so the Socks Lib
 * can hand it libc's own send/recv: safe inside a preloaded program.
 * No logging, no allocation, no globals.
 */
#ifndef SG_SOCKS5_CLIENT_H
#define SG_SOCKS5_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "sgio.h"
#include "socks5.h"

enum socks5_client_result {
	S5C_OK = 0,		/* request granted; *bnd holds BND.ADDR */
	S5C_REPLY,		/* server answered REP != 0: see *rep */
	S5C_NO_METHOD,		/* server accepted none of our methods */
	S5C_AUTH_FAILED,	/* RFC 1929 status != 0 */
	S5C_PROTOCOL,		/* the server's answer is not SOCKS5 */
	S5C_IO			/* send/recv/poll failed or the server
				   closed; errno set (ETIMEDOUT at the
				   deadline) */
};

struct socks5_client_req {
	const char		*user;	/* NULL or "": offer no-auth only */
	const char		*pass;
	uint8_t			 cmd;	/* S5_CMD_* */
	struct socks5_addr	 dest;
	/*
	 * true: greeting, login and request in one write (one round trip);
	 * safe only with servers that parse incrementally (sixgated, whose
	 * choice of S5_METHOD_SIXGATE says so).  false: one message at a
	 * time, as every SOCKS5 server expects.
	 */
	bool			 pipeline;
	int			 timeout_ms;	/* for the whole exchange */
};

struct socks5_client_res {
	uint8_t			 rep;		/* REP of the reply */
	uint8_t			 method;	/* method the server chose */
	struct socks5_addr	 bnd;		/* BND.ADDR/BND.PORT */
};

/*
 * Run the handshake on fd (connected to the server; blocking or not:
 * waits use poll against one deadline, EINTR resumes).  Reads exactly
 * the server's messages and nothing more, so data the destination sends
 * right after the reply stays in the socket for the program.  The
 * password is sent, never stored.
 */
enum socks5_client_result socks5_client_handshake(const struct sgio_ops *io,
	    int fd, const struct socks5_client_req *req,
	    struct socks5_client_res *res);

/* errno a program should see for a REP code (RFC 1928 section 6). */
int	socks5_errno_from_rep(uint8_t rep);

#endif
