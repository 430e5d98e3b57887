/*
 * door_transparent.c - the transparent door (see door_transparent.h).
 * The client believes it talks to its destination: nothing is read
 * before the relay and nothing is written back but the destination's
 * bytes.  Its destination is the one netfilter rewrote away:
 *
 *  - REDIRECT/DNAT (tproxy = false): the conntrack entry's original
 *    destination, getsockopt SO_ORIGINAL_DST (IPv4) or
 *    IP6T_SO_ORIGINAL_DST (IPv6).  A connection that was never
 *    rewritten has the listener itself there.
 *  - TPROXY (tproxy = true): nothing was rewritten; the local address
 *    of the accepted socket is the destination.  One of this host's own
 *    addresses there means the client connected to us directly.
 *
 * One more loop cannot be seen in the addresses: a redirect in the
 * output chain that also takes the daemon's own connections to the
 * destinations sends each relay back into the listener, a new relay
 * that does the same, until the limits stop it.  A client on this host
 * whose socket belongs to the daemon's own user (sock_diag) is refused
 * as such a loop.
 *
 * A fake address (the DNS door's answer for a name) goes back to its
 * name (original_dest), which the core then resolves.
 *
 * The rest is the core's, as for a port mapping: rules (by client
 * address; there is no login, so only rules that admit auth "none"
 * match), routes and chains, limits, counters, the access line
 * (door=transparent).  Replies have no wire to go to: a refusal shows in
 * the log and the client sees its connection closed.
 */
#include "sgconfig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "addr.h"
#include "door_transparent.h"
#include "faketable.h"
#include "log.h"
#include "request.h"
#include "selfaddr.h"
#include "sockdiag.h"
#include "socks5.h"
#include "stats.h"

/* Nothing goes back on the wire; the core has logged why it failed. */
static int
reply_sockaddr(void *ctx, uint8_t rep, const struct sockaddr *bnd)
{
	(void)ctx;
	(void)bnd;
	if (rep != S5_REP_SUCCEEDED)
		log_debug("transparent: closing the client (0x%02x)", rep);
	return 0;
}

static int
reply_wire(void *ctx, uint8_t rep, const struct socks5_addr *bnd)
{
	(void)bnd;
	return reply_sockaddr(ctx, rep, NULL);
}

static const struct request_door transparent_door = {
	.name = "transparent", .reply = reply_sockaddr,
	.reply_wire = reply_wire
};

/* The conntrack entry's original destination of the connection fd. */
static int
netfilter_dest(int fd, int family, struct sockaddr_storage *dst)
{
	socklen_t len = sizeof(*dst);

	memset(dst, 0, sizeof(*dst));
	if (family == AF_INET6)
		return getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, dst,
		    &len);
	return getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, dst, &len);
}

/*
 * Where the client meant to go, into *dst: 0, or -1 (logged) when it
 * cannot be known or is this listener (a loop).
 */
static int
find_dest(const struct request *r, struct sockaddr_storage *dst)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char a[ADDR_STRLEN];
	bool loop;

	if (getsockname(r->cfd, (struct sockaddr *)&local, &len) == -1) {
		log_warn("transparent: getsockname");
		return -1;
	}
	if (r->listener->tproxy) {
		*dst = local;
		loop = selfaddr_has((const struct sockaddr *)dst);
	} else {
		if (netfilter_dest(r->cfd, local.ss_family, dst) == -1) {
			log_warnx("transparent: no original destination for "
			    "a connection to %s (%s): not redirected by "
			    "netfilter? refusing", addr_ntop((const struct
			    sockaddr *)&local, a, sizeof(a)), strerror(errno));
			stats_refused(STATS_REFUSED_LOOP);
			return -1;
		}
		loop = addr_equal((const struct sockaddr *)dst,
		    (const struct sockaddr *)&local);
	}
	if (loop) {
		log_warnx("transparent: connection to the listener itself "
		    "(%s, not redirected): refusing (loop)", addr_ntop(
		    (const struct sockaddr *)dst, a, sizeof(a)));
		stats_refused(STATS_REFUSED_LOOP);
		return -1;
	}
	return 0;
}

/*
 * A client on this host whose socket (peer -> dst) is the daemon's
 * user's: most likely one of our own relays redirected back to us.
 * Unknown owners (no sock_diag) are let through.
 */
static bool
own_connection(const struct request *r, const struct sockaddr *dst)
{
	const struct sockaddr *peer = (const struct sockaddr *)&r->peer;
	char a[ADDR_STRLEN];
	uid_t uid;

	if (!selfaddr_has(peer))
		return false;
	if (sockdiag_tcp_uid(peer, dst, &uid) == -1) {
		log_debug("transparent: owner of the client's socket "
		    "unknown: %s", strerror(errno));
		return false;
	}
	if (uid != geteuid())
		return false;
	log_warnx("transparent: the client's socket to %s belongs to this "
	    "daemon's user (uid %u): its own connection redirected back? "
	    "refusing (loop)", addr_ntop(dst, a, sizeof(a)), (unsigned)uid);
	stats_refused(STATS_REFUSED_LOOP);
	return true;
}

/*
 * The request's destination for the address the client connected to:
 * 0, or -1 (logged).
 *
 * FAKE-IP CALL SITE: a live fake of the fake table (faketable.c, the
 * DNS door's answers) goes back to the name it stands for, so that the
 * core resolves the name in the family the gateway can reach (RFC 3089
 * section 3); a fake that stands for nothing now (expired, or never
 * given) is refused rather than relayed to a discard address.  Any
 * other address is the destination as it is.
 */
static int
original_dest(const struct sockaddr *sa, struct socks5_addr *a)
{
	char name[S5_NAME_MAX + 1], buf[ADDR_STRLEN];

	if (fake_name_of(sa, name, sizeof(name))) {
		if (socks5_addr_set_name(a, name, addr_port(sa)) == S5_OK)
			return 0;
		log_warnx("transparent: the name behind %s is not a "
		    "destination: refusing", addr_ntop(sa, buf, sizeof(buf)));
		stats_refused(STATS_REFUSED_FAKE);
		return -1;
	}
	if (fake_in_range(sa)) {
		log_warnx("transparent: %s is a fake address that stands for "
		    "no name now (expired?): refusing", addr_ntop(sa, buf,
		    sizeof(buf)));
		stats_refused(STATS_REFUSED_FAKE);
		return -1;
	}
	if (socks5_addr_from_sockaddr(a, sa) != S5_OK) {
		log_warnx("transparent: original destination of family %d: "
		    "refusing", (int)sa->sa_family);
		return -1;
	}
	return 0;
}

void
door_transparent_run(struct request *r)
{
	struct sockaddr_storage dst;

	r->door = &transparent_door;
	r->door_ctx = r;
	r->auth = REQUEST_AUTH_NONE;
	r->cmd = S5_CMD_CONNECT;
	if (find_dest(r, &dst) == -1 ||
	    own_connection(r, (const struct sockaddr *)&dst) ||
	    original_dest((const struct sockaddr *)&dst, &r->dest) == -1)
		goto out;
	request_run(r);
out:
	r->door_ctx = NULL;
}
