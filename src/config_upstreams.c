/*
 * config_upstreams.c - the "hops" and "upstreams" settings: upstream
 * gateways and the routes that send destinations through them (RFC 3089
 * section 4).  Part of the config module (see config_int.h).
 *
 *   hops = ( { name = "gw2"; address = "gw2.example:1080";
 *              user = "relay"; password_file = "/etc/sixgate/gw2.pass"; } );
 *   upstreams = (
 *     { to = [ "*.corp.example", "10.0.0.0/8" ]; via = ( "gw2" ); },
 *     { to = [ "*.lab.example" ]; via = ( ( "gw2", "gw3" ), ( "gw4" ) ); },
 *     { to = [ "*.local" ]; action = "direct"; }
 *   );
 *
 * A hop in via is the name of one in hops, or a group written inline.
 * via is one chain, or a list of alternative chains.
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config_int.h"
#include "pwfile.h"

#define HOPS_MAX	256
#define ROUTES_MAX	1024

/*
 * The password of an upstream hop: the first line of a regular file
 * that others cannot read (it is a credential, like an ssh key); the
 * group may read it, so that root can own it and _sixgate read it.
 */
static int
read_password(struct cfg_pctx *p, const config_setting_t *s, const char *path,
    char *out, size_t outlen)
{
	char why[160];

	if (pwfile_read(path, 007, PWFILE_ANY_OWNER, out, outlen, why,
	    sizeof(why)) == -1)
		return cfg_fail(p, s, "password_file \"%s\": %s", path, why);
	return 0;
}

static int
parse_hop(struct cfg_pctx *p, const config_setting_t *g, struct route_hop *h)
{
	static const char *const keys[] = { "name", "address", "user",
	    "password_file", NULL };
	const config_setting_t *s;
	char path[1024];

	memset(h, 0, sizeof(*h));
	h->line = config_setting_source_line(g);
	if (cfg_check_keys(p, g, "a hop", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "name")) != NULL &&
	    cfg_get_string(p, s, h->name, sizeof(h->name)) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "address")) == NULL)
		return cfg_fail(p, g, "a hop needs an address (\"host:port\")");
	if (cfg_get_string(p, s, h->text, sizeof(h->text)) == -1)
		return -1;
	if (addr_split_hostport(h->text, h->host, sizeof(h->host), &h->port)
	    != ADDR_OK || h->port == 0)
		return cfg_fail(p, s, "address \"%s\" is not host:port or "
		    "[ipv6]:port", h->text);
	if ((s = config_setting_get_member(g, "user")) != NULL &&
	    cfg_get_string(p, s, h->user, sizeof(h->user)) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "password_file")) != NULL) {
		if (cfg_get_string(p, s, path, sizeof(path)) == -1 ||
		    read_password(p, s, path, h->password,
		    sizeof(h->password)) == -1)
			return -1;
	}
	if ((h->user[0] == '\0') != (h->password[0] == '\0'))
		return cfg_fail(p, g,
		    "a hop needs both user and password_file, "
		    "or neither");
	return 0;
}

static int
find_hop(const struct config *c, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < c->nhops; i++) {
		if (c->hops[i].name[0] != '\0' &&
		    strcmp(c->hops[i].name, name) == 0) {
			*idx = i;
			return 0;
		}
	}
	return -1;
}

static int
add_hop(struct cfg_pctx *p, const config_setting_t *g, struct config *c,
    size_t *idx)
{
	struct route_hop *n;

	if (c->nhops == HOPS_MAX)
		return cfg_fail(p, g, "at most %d hops", HOPS_MAX);
	if ((n = realloc(c->hops, (c->nhops + 1) * sizeof(*n))) == NULL)
		return cfg_fail(p, g, "out of memory");
	c->hops = n;
	if (parse_hop(p, g, &c->hops[c->nhops]) == -1) {
		explicit_bzero(&c->hops[c->nhops], sizeof(c->hops[0]));
		return -1;
	}
	if (c->hops[c->nhops].name[0] != '\0' &&
	    find_hop(c, c->hops[c->nhops].name, idx) == 0)
		return cfg_fail(p, g, "hop \"%s\" is defined twice",
		    c->hops[c->nhops].name);
	*idx = c->nhops++;
	return 0;
}

static int
parse_hops(struct cfg_pctx *p, const config_setting_t *s, struct config *c)
{
	const config_setting_t *g;
	size_t idx;
	int i;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return cfg_fail(p, s, "hops must be a list of groups: "
		    "hops = ( { name = ...; address = ...; }, ... );");
	for (i = 0; (g = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++) {
		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return cfg_fail(p, g, "hops: each hop must be a group");
		if (add_hop(p, g, c, &idx) == -1)
			return -1;
		if (c->hops[idx].name[0] == '\0')
			return cfg_fail(p, g, "hops: a hop here needs a name");
	}
	return 0;
}

/* One chain: hop names (from hops) or inline hop groups. */
static int
parse_chain(struct cfg_pctx *p, const config_setting_t *s, struct config *c,
    struct route_chain *ch)
{
	const config_setting_t *e;
	const char *ref;
	int i;

	ch->nhops = 0;
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++) {
		if (ch->nhops == ROUTE_HOPS_MAX)
			return cfg_fail(p, e, "via: at most %d hops in a chain",
			    ROUTE_HOPS_MAX);
		if (config_setting_type(e) == CONFIG_TYPE_STRING) {
			ref = config_setting_get_string(e);
			if (find_hop(c, ref, &ch->hops[ch->nhops]) == -1)
				return cfg_fail(p, e, "via: unknown hop \"%s\" "
				    "(not defined in hops)", ref);
		} else if (config_setting_type(e) == CONFIG_TYPE_GROUP) {
			if (add_hop(p, e, c, &ch->hops[ch->nhops]) == -1)
				return -1;
		} else
			return cfg_fail(p, e,
			    "via: a hop is a name from hops or "
			    "a group { address = ...; }");
		ch->nhops++;
	}
	if (ch->nhops == 0)
		return cfg_fail(p, s, "via: a chain needs at least one hop");
	return 0;
}

/* via = one chain, or a list of alternative chains. */
static int
parse_via(struct cfg_pctx *p, const config_setting_t *s, struct config *c,
    struct route *r)
{
	const config_setting_t *e;
	int i;

	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY)
		return cfg_fail(p, s,
		    "via must be a list: via = ( \"gw2\" ); or "
		    "via = ( ( \"gw2\" ), ( \"gw3\" ) );");
	e = config_setting_get_elem(s, 0);
	if (e == NULL || (config_setting_type(e) != CONFIG_TYPE_LIST &&
	    config_setting_type(e) != CONFIG_TYPE_ARRAY)) {
		r->nchains = 1;
		return parse_chain(p, s, c, &r->chains[0]);
	}
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++) {
		if (i == ROUTE_CHAINS_MAX)
			return cfg_fail(p, e,
			    "via: at most %d alternative chains",
			    ROUTE_CHAINS_MAX);
		if ((config_setting_type(e) != CONFIG_TYPE_LIST &&
		    config_setting_type(e) != CONFIG_TYPE_ARRAY) ||
		    parse_chain(p, e, c, &r->chains[i]) == -1)
			return config_setting_type(e) == CONFIG_TYPE_LIST ||
			    config_setting_type(e) == CONFIG_TYPE_ARRAY ? -1 :
			    cfg_fail(p, e, "via: mix of hops and chains");
		r->nchains = (size_t)i + 1;
	}
	return 0;
}

bool
cfg_name_pattern_ok(const char *v)
{
	const char *name = strncmp(v, "*.", 2) == 0 ? v + 2 : v;
	size_t n = strlen(name);

	return n > 0 && n < 254 && name[0] != '.' &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_") == n;
}

/* to: networks (CIDR, bare addresses) and name patterns, mixed. */
static int
parse_to(struct cfg_pctx *p, const config_setting_t *s, struct route *r)
{
	const config_setting_t *e;
	struct addr_cidr net;
	const char *v;
	size_t n, i;

	if (cfg_check_string_list(p, s) == -1)
		return -1;
	n = (size_t)config_setting_length(s);
	r->nets = calloc(n + 1, sizeof(*r->nets));
	r->names = calloc(n + 1, sizeof(*r->names));
	if (r->nets == NULL || r->names == NULL)
		return cfg_fail(p, s, "out of memory");
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		v = config_setting_get_string(e);
		if (addr_parse_cidr(v, &net) == ADDR_OK)
			r->nets[r->nnets++] = net;
		else if (cfg_name_pattern_ok(v)) {
			if ((r->names[r->nnames] = strdup(v)) == NULL)
				return cfg_fail(p, e, "out of memory");
			/* "example." and "example" are the same name. */
			if (r->names[r->nnames][strlen(v) - 1] == '.')
				r->names[r->nnames][strlen(v) - 1] = '\0';
			r->nnames++;
		} else
			return cfg_fail(p, e, "to: \"%s\" is neither a network "
			    "nor a name pattern (name, *.suffix)", v);
	}
	return 0;
}

static int
parse_route(struct cfg_pctx *p, const config_setting_t *g, struct config *c,
    struct route *r)
{
	static const char *const keys[] = { "to", "ports", "via", "action",
	    NULL };
	const config_setting_t *s, *via;
	char action[16] = "";

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cfg_fail(p, g, "upstreams: each entry must be a group");
	r->line = config_setting_source_line(g);
	if (cfg_check_keys(p, g, "an upstreams entry", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "to")) != NULL &&
	    parse_to(p, s, r) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "ports")) != NULL &&
	    cfg_parse_ports(p, s, &r->ports, &r->nports) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "action")) != NULL &&
	    cfg_get_string(p, s, action, sizeof(action)) == -1)
		return -1;
	via = config_setting_get_member(g, "via");
	if (strcmp(action, "direct") == 0 || strcmp(action, "deny") == 0) {
		if (via != NULL)
			return cfg_fail(p, via,
			    "via makes no sense with action "
			    "\"%s\"", action);
		r->action = action[1] == 'i' ? ROUTE_DIRECT : ROUTE_DENY;
		return 0;
	}
	if (action[0] != '\0' && strcmp(action, "chain") != 0)
		return cfg_fail(p, s, "action must be \"chain\", \"direct\" or "
		    "\"deny\"");
	if (via == NULL)
		return cfg_fail(p, g, "upstreams entry without via (or action "
		    "\"direct\" / \"deny\")");
	r->action = ROUTE_CHAIN;
	return parse_via(p, via, c, r);
}

/*
 * A hop that is one of our own listeners would send relays round in a
 * circle: the literal address of a listener, "localhost" or a loopback
 * address on the port of a loopback or wildcard listener.
 */
static bool
hop_is_us(const struct config *c, const struct route_hop *h)
{
	struct sockaddr_storage ss;
	const struct sockaddr *l;
	char text[300];
	socklen_t len;
	bool local, loop;
	size_t i;

	snprintf(text, sizeof(text), strchr(h->host, ':') ? "[%s]:%u" :
	    "%s:%u", h->host, h->port);
	local = strcasecmp(h->host, "localhost") == 0 ||
	    strcasecmp(h->host, "localhost.") == 0;
	if (addr_parse_sockaddr(text, &ss, &len) == ADDR_OK)
		local = addr_is_loopback((struct sockaddr *)&ss);
	else
		ss.ss_family = AF_UNSPEC;
	for (i = 0; i < c->nlisten; i++) {
		l = (const struct sockaddr *)&c->listen[i].ss;
		if (ss.ss_family != AF_UNSPEC &&
		    addr_equal(l, (struct sockaddr *)&ss))
			return true;
		loop = addr_is_loopback(l) || addr_is_unspecified(l);
		if (local && loop && addr_port(l) == h->port)
			return true;
	}
	return false;
}

/*
 * via on a portmap listener: chains as in upstreams, for everything the
 * listener relays.  After hops, so a chain may name them; before the
 * loop check, so its inline hops are checked too.
 */
static int
parse_listen_via(struct cfg_pctx *p, const config_setting_t *root,
    struct config *c)
{
	const config_setting_t *s, *g, *via;
	size_t i;

	if ((s = config_setting_get_member(root, "listen")) == NULL)
		return 0;
	for (i = 0; i < c->nlisten; i++) {
		g = config_setting_get_elem(s, (unsigned)i);
		if (g == NULL || !config_setting_is_group(g) ||
		    c->listen[i].proto != LISTEN_PORTMAP ||
		    (via = config_setting_get_member(g, "via")) == NULL)
			continue;
		c->listen[i].via.action = ROUTE_CHAIN;
		c->listen[i].via.line = config_setting_source_line(via);
		if (parse_via(p, via, c, &c->listen[i].via) == -1)
			return -1;
	}
	return 0;
}

int
cfg_parse_upstreams(struct cfg_pctx *p, const config_setting_t *root,
    struct config *c)
{
	const config_setting_t *s;
	size_t i, n;

	if ((s = config_setting_get_member(root, "hops")) != NULL &&
	    parse_hops(p, s, c) == -1)
		return -1;
	if ((s = config_setting_get_member(root, "upstreams")) != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_LIST)
			return cfg_fail(p, s,
			    "upstreams must be a list of groups: "
			    "upstreams = ( { to = ...; via = ...; }, ... );");
		if ((n = (size_t)config_setting_length(s)) > ROUTES_MAX)
			return cfg_fail(p, s, "upstreams: at most %d entries",
			    ROUTES_MAX);
		if (n > 0 && (c->routes = calloc(n, sizeof(*c->routes))) ==
		    NULL)
			return cfg_fail(p, s, "out of memory");
		for (i = 0; i < n; i++) {
			c->nroutes = i + 1;
			if (parse_route(p, config_setting_get_elem(s,
			    (unsigned)i), c, &c->routes[i]) == -1)
				return -1;
		}
	}
	if (parse_listen_via(p, root, c) == -1)
		return -1;
	for (i = 0; i < c->nhops; i++) {
		if (hop_is_us(c, &c->hops[i])) {
			snprintf(p->err, p->errlen, "%s:%d: hop %s is one of "
			    "this gateway's own listeners: relays would loop",
			    p->name, c->hops[i].line, c->hops[i].text);
			return -1;
		}
	}
	return 0;
}

void
cfg_free_upstreams(struct config *c)
{
	size_t i, j;

	for (i = 0; i < c->nroutes; i++) {
		for (j = 0; j < c->routes[i].nnames; j++)
			free(c->routes[i].names[j]);
		free(c->routes[i].names);
		free(c->routes[i].nets);
		free(c->routes[i].ports);
	}
	free(c->routes);
	if (c->hops != NULL)
		explicit_bzero(c->hops, c->nhops * sizeof(*c->hops));
	free(c->hops);
}
