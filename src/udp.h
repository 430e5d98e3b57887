/*
 * udp.h - UDP ASSOCIATE (RFC 1928 section 7) across families: one UDP
 * socket faces the client, one per family faces destinations; the SOCKS
 * UDP header is taken off datagrams going out and put on datagrams
 * coming back.  The association lives as long as its TCP control
 * connection (or until the idle timeout).
 */
#ifndef SG_UDP_H
#define SG_UDP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl.h"
#include "config.h"

struct udp_assoc {
	int			 ctl;		/* TCP control connection */
	struct sockaddr_storage	 client;	/* its peer: datagrams must
						   come from this address */
	uint16_t		 declared_port;	/* 0: any source port */
	const struct config	*cfg;
	const char		*user;		/* NULL: not authenticated */
	/*
	 * The rules' view of the client (request_query_init): each
	 * datagram is checked with its destination and the clock of the
	 * moment, so outside a rule's time windows datagrams are dropped.
	 */
	struct acl_query	 q;
	/*
	 * The client is a sixgate Socks Lib (it chose S5_METHOD_SIXGATE):
	 * answers from an address a name resolved to carry that name, so
	 * the client can tell which of its fakes answered.
	 */
	bool			 names_in_replies;
	/*
	 * When the time windows of every rule that could allow its
	 * datagrams close (sgio_now_ms clock), or 0: it ends then.
	 */
	int64_t			 deadline;
	int			 ufd;		/* client-facing socket */
	int			 out4, out6;	/* destination-facing */
};

struct udp_stats {
	uint64_t	dgrams_up, bytes_up;	/* client -> destinations */
	uint64_t	dgrams_down, bytes_down;
	uint64_t	dropped;	/* bad header, FRAG, source, rules */
};

/*
 * Open the client-facing socket on the local address of the control
 * connection (so the client reaches it the way it reached us) and put
 * that address, with its port, in *bnd.  0, or -1 with errno.
 */
int	udp_assoc_open(struct udp_assoc *a, struct sockaddr_storage *bnd);

/*
 * Relay datagrams until the control connection closes, nothing moves
 * for timeouts.idle, or a->deadline comes.  Returns "closed",
 * "idle-timeout" or "time" (or an error text); closes every socket of a
 * except ctl.
 */
const char *udp_assoc_run(struct udp_assoc *a, struct udp_stats *st);

#endif
