/*
 * door_portmap.c - the TCP port mapping door (see door_portmap.h).
 * The client says nothing: its connection is the request.  The core
 * does the rest as for any door (rules by client network and
 * destination, Happy Eyeballs, chains, relay, access line); the replies
 * have no wire to go to, so a refusal or failure shows in the log only
 * and the client sees its connection closed.
 */
#include "sgconfig.h"

#include <arpa/inet.h>
#include <string.h>

#include "door_portmap.h"
#include "log.h"
#include "request.h"
#include "socks5.h"

/* Nothing goes back on the wire; the core has logged why it failed. */
static int
reply_sockaddr(void *ctx, uint8_t rep, const struct sockaddr *bnd)
{
	(void)ctx;
	(void)bnd;
	if (rep != S5_REP_SUCCEEDED)
		log_debug("portmap: closing the client (0x%02x)", rep);
	return 0;
}

static int
reply_wire(void *ctx, uint8_t rep, const struct socks5_addr *bnd)
{
	(void)bnd;
	return reply_sockaddr(ctx, rep, NULL);
}

static const struct request_door portmap_door = {
	.name = "portmap", .reply = reply_sockaddr, .reply_wire = reply_wire
};

void
door_portmap_dest(const struct config_listen *l, struct socks5_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->port = l->to_port;
	if (inet_pton(AF_INET, l->to_host, a->u.v4) == 1)
		a->atyp = S5_ATYP_IPV4;
	else if (inet_pton(AF_INET6, l->to_host, a->u.v6) == 1)
		a->atyp = S5_ATYP_IPV6;
	else
		/* Checked by the configuration: 1..255 bytes. */
		(void)socks5_addr_set_name(a, l->to_host, l->to_port);
}

void
door_portmap_run(struct request *r)
{
	r->door = &portmap_door;
	r->door_ctx = r;
	r->auth = REQUEST_AUTH_NONE;
	r->cmd = S5_CMD_CONNECT;
	door_portmap_dest(r->listener, &r->dest);
	r->route = config_listen_via(r->cfg, r->listener);
	request_run(r);
	r->door_ctx = NULL;
	r->route = NULL;
}
