/*
 * cmd_udp.c - UDP ASSOCIATE (RFC 1928 section 7) in the request core:
 * open the association (udp.c), reply with its address, run it until
 * the control connection closes.  The client's UDP must come from the
 * control connection's address, and from the port it declared when it
 * declared one.  Rules are checked for the association first (some rule
 * must allow this client UDP now; the association ends when the time
 * windows of all such rules have closed), then per datagram, in udp.c.
 * The association is one relay against max_relays of the first of those
 * rules while it lives (0x02 over it, logged as for CONNECT).
 */
#include "sgconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "addr.h"
#include "fdbudget.h"
#include "log.h"
#include "request.h"
#include "request_int.h"
#include "socks5.h"
#include "udp.h"

void
cmd_udp_run(struct request *r)
{
	struct udp_assoc a;
	struct udp_stats st;
	struct sockaddr_storage bnd;
	int rule = -1;

	memset(&a, 0, sizeof(a));
	memset(&st, 0, sizeof(st));
	if (!request_allow_udp(r, &rule) ||
	    !request_limits_admit_udp(r, rule)) {
		(void)request_reply(r, S5_REP_NOT_ALLOWED, NULL);
		r->end = "denied";
		return;
	}
	a.ctl = r->cfd;
	a.client = r->peer;
	if (r->dest.atyp != S5_ATYP_DOMAINNAME)
		a.declared_port = r->dest.port;
	a.cfg = r->cfg;
	a.user = r->auth != REQUEST_AUTH_NONE ? r->user : NULL;
	request_query_init(r, &a.q);
	a.names_in_replies = r->sixgate_client;
	a.deadline = r->deadline;
	/* Two relay sockets, one per family, beside CONNECT's two. */
	if (!request_take_fds(r, FDBUDGET_UDP - FDBUDGET_CONNECT)) {
		(void)request_reply(r, S5_REP_GENERAL_FAILURE, NULL);
		r->end = "failed";
		return;
	}
	if (udp_assoc_open(&a, &bnd) == -1) {
		log_warn("udp: cannot open the relay socket");
		(void)request_reply(r, S5_REP_GENERAL_FAILURE, NULL);
		r->end = "failed";
		return;
	}
	addr_ntop((struct sockaddr *)&bnd, r->connected, sizeof(r->connected));
	if (request_reply(r, S5_REP_SUCCEEDED, (struct sockaddr *)&bnd) == -1) {
		r->end = "client-error";
		close(a.ufd);
		return;
	}
	registry_set_relay(r->reg, r);	/* for reload --revoke */
	r->end = udp_assoc_run(&a, &st);
	registry_set_relay(r->reg, NULL);
	r->stats.up = st.bytes_up;
	r->stats.down = st.bytes_down;
	snprintf(r->extra, sizeof(r->extra), " dgrams_up=%" PRIu64
	    " dgrams_down=%" PRIu64 " dropped=%" PRIu64, st.dgrams_up,
	    st.dgrams_down, st.dropped);
}
