/*
 * config.h - the daemon configuration: libconfig text -> struct config,
 * validated, immutable once built and shared by reference count.
 * Only the config module's files (config*.c) include libconfig.h.
 */
#ifndef SG_CONFIG_H
#define SG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl.h"
#include "admit.h"
#include "route.h"
#include "throttle.h"

#define CONFIG_ERRLEN	512

/* Order in which resolved destination addresses are tried. */
enum config_prefer {
	CONFIG_PREFER_IPV6 = 0,
	CONFIG_PREFER_IPV4,
	CONFIG_PREFER_SYSTEM	/* getaddrinfo's own (RFC 6724) order */
};

/* Bits of config.auth_methods. */
#define CONFIG_AUTH_USERNAME	0x01
#define CONFIG_AUTH_NONE	0x02

/* Balancers a listener takes PROXY protocol headers from. */
#define LISTEN_PROXY_FROM_MAX	32

/* What a listener speaks (its `protocol`). */
enum listen_proto {
	LISTEN_SOCKS = 0,	/* SOCKS5, and SOCKS4/4a when socks4 is set */
	LISTEN_HTTP,		/* an HTTP proxy: CONNECT and absolute URIs */
	LISTEN_PORTMAP,		/* everything to one destination, `to` */
	LISTEN_DNS,		/* DNS over UDP and TCP: fake addresses */
	LISTEN_TRANSPARENT	/* redirected by netfilter: the original dest */
};

struct config_listen {
	char			 text[128];	/* address as written */
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 line;
	enum listen_proto	 proto;
	bool			 socks4;	/* socks: SOCKS4 and 4a too */
	bool			 udp;		/* portmap: transport "udp" */
	/*
	 * transparent: TPROXY (IP_TRANSPARENT/IPV6_TRANSPARENT on the
	 * listener, the original destination is the local address) rather
	 * than REDIRECT/DNAT (SO_ORIGINAL_DST).
	 */
	bool			 tproxy;
	/*
	 * proxy_protocol: every connection comes from a balancer in
	 * proxy_from and starts with a PROXY protocol header (proxyproto.h)
	 * naming the real client.  A fixed array: the acceptor keeps a copy
	 * of each listener as it was opened, past its configuration.
	 */
	bool			 proxy_protocol;
	struct addr_cidr	 proxy_from[LISTEN_PROXY_FROM_MAX];
	size_t			 nproxy_from;
	/* portmap: the destination, host (name or literal) and port. */
	char			 to_text[300];
	char			 to_host[256];
	uint16_t		 to_port;
	/*
	 * portmap: via, the chains to `to` (hop indices into the config's
	 * hops), used instead of upstreams; nchains 0 when there is none.
	 */
	struct route		 via;
};

/* Names a fake group's exclude list may hold (as rules' `to`). */
#define FAKE_EXCLUDE_MAX	256

/* "socks", "http", "portmap", "dns", "transparent": for logs and the
 * access line. */
const char *config_listen_proto_str(enum listen_proto p);

struct config {
	char			 source[256];	/* file name or "(embedded)" */

	struct config_listen	*listen;
	size_t			 nlisten;
	char			 user[64];	/* "" = keep the start-up user */
	int			 user_line;	/* for errors found later */

	/* Methods in the order of preference the admin wrote. */
	unsigned char		 auth_order[2];	/* CONFIG_AUTH_* */
	size_t			 nauth;
	unsigned		 auth_methods;	/* OR of CONFIG_AUTH_* */
	char			 pam_service[64];
	bool			 pam_serialize;	/* one PAM call at a time */
	int			 auth_cache_ttl;	/* s; 0: no login cache */
	int			 auth_max_concurrent;	/* PAM at once */
	/* Failed logins per client address (limit 0: off). */
	struct throttle_cfg	 fail;

	enum config_prefer	 prefer;
	bool			 resolve_command;	/* answer RESOLVE */

	int			 timeout_handshake;	/* seconds */
	int			 timeout_connect;
	int			 timeout_idle;
	int			 timeout_shutdown;
	int			 timeout_bind;	/* BIND waiting for its peer */

	int			 max_relays;
	int			 max_per_client;	/* 0: no cap */
	/* Sessions still in their handshake (not yet logged in). */
	struct admit_startups	 max_handshakes;
	int			 max_handshakes_per_client;	/* 0: no cap */
	unsigned		 ipv6_prefix;	/* IPv6 clients per prefix */

	struct acl_rule		*rules;
	size_t			 nrules;

	/* The control socket (control group); off when not configured. */
	bool			 control_on;
	char			 control_socket[108];	/* sun_path */
	unsigned		 control_mode;		/* of the socket */
	long			 control_gid;		/* -1: keep */
	char			 control_group[64];

	/*
	 * The metrics endpoint (metrics group, metrics.h); off when not
	 * configured.  A loopback address only.
	 */
	bool			 metrics_on;
	struct config_listen	 metrics_listen;
	char			 metrics_path[128];	/* "/metrics" */
	bool			 metrics_user_labels;	/* per-user series */
	/* The quota counters on disk (state group); off when not set. */
	bool			 state_on;
	char			 state_dir[256];
	int			 state_interval;	/* s between saves */

	/*
	 * The fake group (config_fake.c): the ranges the DNS front door
	 * answers fakes from, their TTL and the names never faked.
	 */
	struct addr_cidr	 fake_v4, fake_v6;
	int			 fake_ttl;		/* seconds */
	char			**fake_exclude;		/* name patterns */
	size_t			 nfake_exclude;

	/* Chained relays (RFC 3089 section 4). */
	struct route_hop	*hops;		/* named and inline hops */
	size_t			 nhops;
	struct route		*routes;	/* "upstreams", in order */
	size_t			 nroutes;

	int			 refs;		/* under the snapshot lock */
};

/*
 * The configuration used when no file exists (sixgated(8)): loopback
 * listeners, PAM logins, nothing relayed to the gateway itself.  NULL
 * with a reason in err only if it were broken.
 */
struct config *config_load_default(char *err, size_t errlen);

/*
 * Parse and validate a file.  Returns a new config with one reference,
 * or NULL with "file:line: reason" in err.
 */
struct config *config_load_file(const char *path, char *err, size_t errlen);

/* The same from text; name is used in error messages and as source. */
struct config *config_load_string(const char *text, const char *name,
	    char *err, size_t errlen);

/* Free a config that was never published (refs ignored); NULL is ok. */
void config_free(struct config *c);

/*
 * The current snapshot.  config_current() returns it with a new
 * reference that the caller drops with config_release().  config_publish()
 * takes ownership of c's reference and drops the old snapshot's.
 */
struct config *config_current(void);
void config_publish(struct config *c);
void config_release(struct config *c);

/*
 * The chains c gives the portmap listener l (the listener at l's
 * address and transport in c, which may be a newer snapshot than the
 * one l was opened with), or NULL: the upstreams decide.
 */
const struct route *config_listen_via(const struct config *c,
	    const struct config_listen *l);

/* Is sa one of the balancers of a proxy_protocol listener l? */
bool config_listen_proxy_ok(const struct config_listen *l,
	    const struct sockaddr *sa);

/* Does name match one of the fake group's exclude patterns? */
bool	config_fake_excluded(const struct config *c, const char *name);

/* Are the two configs' listener lists the same (reload check)? */
bool config_same_listeners(const struct config *a, const struct config *b);
/* The same for the metrics listener (on or off, and its address). */
bool config_same_metrics(const struct config *a, const struct config *b);

#endif
