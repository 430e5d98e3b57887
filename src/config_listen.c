/*
 * config_listen.c - the `listen` setting: plain strings (SOCKS5
 * listeners) and groups that say what a listener speaks:
 *
 *	listen = ( "127.0.0.1:1080",
 *	    { address = "[::]:1080"; protocol = "socks"; socks4 = true; },
 *	    { address = "0.0.0.0:3128"; protocol = "http"; },
 *	    { address = "0.0.0.0:2222"; protocol = "portmap";
 *	      transport = "tcp"; to = "v6only.example:22"; },
 *	    { address = "0.0.0.0:1081"; proxy_protocol = true;
 *	      proxy_from = [ "10.0.0.5/32" ]; },
 *	    { address = "0.0.0.0:1082"; protocol = "transparent";
 *	      tproxy = false; } );
 */
#include "sgconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "config_int.h"

#define LISTEN_MAX	64

const char *
config_listen_proto_str(enum listen_proto p)
{
	switch (p) {
	case LISTEN_SOCKS:
		return "socks";
	case LISTEN_HTTP:
		return "http";
	case LISTEN_PORTMAP:
		return "portmap";
	case LISTEN_DNS:
		return "dns";
	case LISTEN_TRANSPARENT:
		return "transparent";
	}
	return "?";
}

static int
parse_address(struct cfg_pctx *p, const config_setting_t *s,
    struct config_listen *l)
{
	if (cfg_get_string(p, s, l->text, sizeof(l->text)) == -1)
		return -1;
	if (addr_parse_sockaddr(l->text, &l->ss, &l->sslen) != ADDR_OK)
		return cfg_fail(p, s, "listen: \"%s\" is not a numeric "
		    "address:port or [ipv6]:port", l->text);
	return 0;
}

static int
parse_proto(struct cfg_pctx *p, const config_setting_t *s,
    struct config_listen *l)
{
	static const char *const names[] = { "socks", "http", "portmap",
	    "dns", "transparent" };
	char v[16];
	size_t i;

	if (cfg_get_string(p, s, v, sizeof(v)) == -1)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i]) == 0) {
			l->proto = (enum listen_proto)i;
			return 0;
		}
	return cfg_fail(p, s, "listen.protocol: \"%s\" is not \"socks\", "
	    "\"http\", \"portmap\", \"dns\" or \"transparent\"", v);
}

/* portmap: transport and to (host:port, resolved per connection). */
static int
parse_portmap(struct cfg_pctx *p, const config_setting_t *g,
    struct config_listen *l)
{
	const config_setting_t *s;
	char v[8];

	if ((s = config_setting_get_member(g, "transport")) != NULL) {
		if (cfg_get_string(p, s, v, sizeof(v)) == -1)
			return -1;
		if (strcmp(v, "udp") != 0 && strcmp(v, "tcp") != 0)
			return cfg_fail(p, s, "listen.transport: \"%s\" is not "
			    "\"tcp\" or \"udp\"", v);
		l->udp = strcmp(v, "udp") == 0;
	}
	/* Parsed with the upstreams, once hops are known. */
	if (l->udp && (s = config_setting_get_member(g, "via")) != NULL)
		return cfg_fail(p, s, "listen.via: only for transport \"tcp\" "
		    "(upstream hops relay TCP)");
	if ((s = config_setting_get_member(g, "to")) == NULL)
		return cfg_fail(p, g, "listen: a portmap listener needs "
		    "to = \"host:port\"");
	if (cfg_get_string(p, s, l->to_text, sizeof(l->to_text)) == -1)
		return -1;
	if (addr_split_hostport(l->to_text, l->to_host, sizeof(l->to_host),
	    &l->to_port) != ADDR_OK || l->to_port == 0 ||
	    l->to_host[0] == '\0')
		return cfg_fail(p, s, "listen.to: \"%s\" is not host:port or "
		    "[ipv6]:port", l->to_text);
	return 0;
}

/* Keys that belong to another protocol are mistakes: say so. */
static int
check_foreign_keys(struct cfg_pctx *p, const config_setting_t *g,
    const struct config_listen *l)
{
	static const char *const portmap_only[] = { "to", "transport", "via",
	    NULL };
	const config_setting_t *s;
	size_t i;

	if (l->proto != LISTEN_SOCKS &&
	    (s = config_setting_get_member(g, "socks4")) != NULL)
		return cfg_fail(p, s, "listen.socks4: only for protocol "
		    "\"socks\"");
	for (i = 0; portmap_only[i] != NULL; i++)
		if (l->proto != LISTEN_PORTMAP && (s =
		    config_setting_get_member(g, portmap_only[i])) != NULL)
			return cfg_fail(p, s, "listen.%s: only for protocol "
			    "\"portmap\"", portmap_only[i]);
	if (l->proto != LISTEN_TRANSPARENT &&
	    (s = config_setting_get_member(g, "tproxy")) != NULL)
		return cfg_fail(p, s, "listen.tproxy: only for protocol "
		    "\"transparent\"");
	return 0;
}

/*
 * proxy_protocol and proxy_from: the balancers' networks, required with
 * it, meaningless without it; not for UDP (there is no connection to
 * start with a header).
 */
static int
parse_proxy(struct cfg_pctx *p, const config_setting_t *g,
    struct config_listen *l)
{
	const config_setting_t *s, *f, *e;
	const char *v;
	size_t i, n;

	if ((s = config_setting_get_member(g, "proxy_protocol")) != NULL &&
	    cfg_get_bool(p, s, &l->proxy_protocol) == -1)
		return -1;
	f = config_setting_get_member(g, "proxy_from");
	if (!l->proxy_protocol)
		return f == NULL ? 0 : cfg_fail(p, f, "listen.proxy_from: "
		    "only with proxy_protocol = true");
	if (l->udp || l->proto == LISTEN_DNS)
		return cfg_fail(p, s, "listen.proxy_protocol: only for TCP "
		    "listeners (not transport \"udp\" or protocol \"dns\")");
	/*
	 * A balancer's connection was not redirected to us: its original
	 * destination would be the listener itself.
	 */
	if (l->proto == LISTEN_TRANSPARENT)
		return cfg_fail(p, s, "listen.proxy_protocol: not for "
		    "protocol \"transparent\"");
	if (f == NULL)
		return cfg_fail(p, s, "listen: proxy_protocol needs "
		    "proxy_from = [ \"balancer/len\", ... ]");
	if (cfg_check_string_list(p, f) == -1)
		return -1;
	if ((n = (size_t)config_setting_length(f)) == 0 ||
	    n > LISTEN_PROXY_FROM_MAX)
		return cfg_fail(p, f, "listen.proxy_from: 1 to %d networks",
		    LISTEN_PROXY_FROM_MAX);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(f, (unsigned)i);
		v = config_setting_get_string(e);
		if (addr_parse_cidr(v, &l->proxy_from[i]) != ADDR_OK)
			return cfg_fail(p, e, "listen.proxy_from: \"%s\" is "
			    "not an address or network (a.b.c.d/n, ipv6/n)",
			    v);
	}
	l->nproxy_from = n;
	return 0;
}

static int
parse_group(struct cfg_pctx *p, const config_setting_t *g,
    struct config_listen *l)
{
	static const char *const keys[] = { "address", "protocol", "socks4",
	    "transport", "to", "via", "proxy_protocol", "proxy_from", "tproxy",
	    NULL };
	const config_setting_t *s;

	if (cfg_check_keys(p, g, "listen", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "address")) == NULL)
		return cfg_fail(p, g, "listen: a listener needs an address");
	if (parse_address(p, s, l) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "protocol")) != NULL &&
	    parse_proto(p, s, l) == -1)
		return -1;
	if (check_foreign_keys(p, g, l) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "socks4")) != NULL &&
	    cfg_get_bool(p, s, &l->socks4) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "tproxy")) != NULL &&
	    cfg_get_bool(p, s, &l->tproxy) == -1)
		return -1;
	if (l->proto == LISTEN_PORTMAP && parse_portmap(p, g, l) == -1)
		return -1;
	return parse_proxy(p, g, l);
}

/*
 * Two listeners on one address and transport cannot both be bound (a
 * dns listener takes both transports).
 */
static int
check_unique(struct cfg_pctx *p, const config_setting_t *e,
    const struct config *c, size_t i)
{
	const struct config_listen *l = &c->listen[i];
	size_t k;

	/* Port 0 twice is two ports the kernel chooses (the tests). */
	if (addr_port((const struct sockaddr *)&l->ss) == 0)
		return 0;
	for (k = 0; k < i; k++)
		if ((c->listen[k].udp == l->udp ||
		    c->listen[k].proto == LISTEN_DNS ||
		    l->proto == LISTEN_DNS) &&
		    addr_equal((const struct sockaddr *)&c->listen[k].ss,
		    (const struct sockaddr *)&l->ss))
			return cfg_fail(p, e, "listen: %s is listed twice",
			    l->text);
	return 0;
}

int
cfg_parse_listen(struct cfg_pctx *p, const config_setting_t *s,
    struct config *c)
{
	const config_setting_t *e;
	struct config_listen *l;
	size_t i, n;

	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return cfg_fail(p, s, "listen: a list of addresses or "
		    "listener groups");
	n = (size_t)config_setting_length(s);
	if (n == 0)
		return cfg_fail(p, s, "listen: at least one address is needed");
	if (n > LISTEN_MAX)
		return cfg_fail(p, s,
		    "listen: at most %d addresses", LISTEN_MAX);
	free(c->listen);
	if ((c->listen = calloc(n, sizeof(*c->listen))) == NULL)
		return cfg_fail(p, s, "out of memory");
	c->nlisten = n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		l = &c->listen[i];
		l->line = config_setting_source_line(e);
		if (config_setting_type(e) == CONFIG_TYPE_STRING) {
			if (parse_address(p, e, l) == -1)
				return -1;
		} else if (config_setting_is_group(e)) {
			if (parse_group(p, e, l) == -1)
				return -1;
		} else
			return cfg_fail(p, e, "listen: each entry is an "
			    "\"address:port\" or a group");
		if (check_unique(p, e, c, i) == -1)
			return -1;
	}
	return 0;
}

int
cfg_default_listen(struct config *c)
{
	static const char *const def[] = { "127.0.0.1:1080", "[::1]:1080" };
	size_t i;

	if ((c->listen = calloc(2, sizeof(*c->listen))) == NULL)
		return -1;
	c->nlisten = 2;
	for (i = 0; i < 2; i++) {
		snprintf(c->listen[i].text, sizeof(c->listen[i].text), "%s",
		    def[i]);
		(void)addr_parse_sockaddr(def[i], &c->listen[i].ss,
		    &c->listen[i].sslen);
	}
	return 0;
}

const struct route *
config_listen_via(const struct config *c, const struct config_listen *l)
{
	size_t i;

	for (i = 0; i < c->nlisten; i++)
		if (c->listen[i].proto == LISTEN_PORTMAP &&
		    c->listen[i].udp == l->udp &&
		    addr_equal((const struct sockaddr *)&c->listen[i].ss,
		    (const struct sockaddr *)&l->ss))
			return c->listen[i].via.nchains > 0 ?
			    &c->listen[i].via : NULL;
	return NULL;
}

bool
config_listen_proxy_ok(const struct config_listen *l,
    const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; i < l->nproxy_from; i++)
		if (addr_cidr_match(&l->proxy_from[i], sa))
			return true;
	return false;
}

static bool
same_proxy(const struct config_listen *x, const struct config_listen *y)
{
	size_t i;

	if (x->proxy_protocol != y->proxy_protocol ||
	    x->nproxy_from != y->nproxy_from)
		return false;
	for (i = 0; i < x->nproxy_from; i++)
		if (x->proxy_from[i].family != y->proxy_from[i].family ||
		    x->proxy_from[i].prefix != y->proxy_from[i].prefix ||
		    memcmp(x->proxy_from[i].addr, y->proxy_from[i].addr,
		    sizeof(x->proxy_from[i].addr)) != 0)
			return false;
	return true;
}

/*
 * The same listeners: address, protocol and what the protocol takes.
 * A reload with other listeners keeps the old ones (main.c says so).
 */
bool
config_same_listeners(const struct config *a, const struct config *b)
{
	const struct config_listen *x, *y;
	size_t i;

	if (a->nlisten != b->nlisten)
		return false;
	for (i = 0; i < a->nlisten; i++) {
		x = &a->listen[i];
		y = &b->listen[i];
		if (!addr_equal((const struct sockaddr *)&x->ss,
		    (const struct sockaddr *)&y->ss) || x->proto != y->proto ||
		    x->socks4 != y->socks4 || x->udp != y->udp ||
		    x->tproxy != y->tproxy ||
		    strcmp(x->to_text, y->to_text) != 0 || !same_proxy(x, y))
			return false;
	}
	return true;
}
