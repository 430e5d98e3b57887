/*
 * config.c - libconfig text -> validated, immutable struct config, and
 * the reference-counted current snapshot (see config.h).  The only file
 * that includes libconfig.h.
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "config_int.h"

#define LISTEN_MAX	64
#define RULES_MAX	4096

const char config_embedded_default[] =
	"# sixgated embedded default: loopback listeners, PAM login,\n"
	"# nothing on the gateway's own loopback or link-local networks.\n"
	"listen = [ \"127.0.0.1:1080\", \"[::1]:1080\" ];\n"
	"user = \"\";\n"
	"auth: { methods = [ \"username\" ]; pam_service = \"sixgated\"; };\n"
	"resolve: { prefer = \"ipv6\"; };\n"
	"timeouts: { handshake = 10; connect = 10; idle = 7200;"
	" shutdown = 30; };\n"
	"limits: { max_relays = 10000; };\n"
	"rules = (\n"
	"  { name = \"gateway-local\"; action = \"deny\";\n"
	"    to = [ \"127.0.0.0/8\", \"::1/128\", \"0.0.0.0/8\", \"::/128\",\n"
	"           \"169.254.0.0/16\", \"fe80::/10\" ]; },\n"
	"  { name = \"users\"; action = \"allow\"; users = [ \"*\" ]; }\n"
	");\n";

int
fail(struct pctx *p, const config_setting_t *s, const char *fmt, ...)
{
	char msg[CONFIG_ERRLEN];
	const char *file = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL)
		file = config_setting_source_file(s);
	snprintf(p->err, p->errlen, "%s:%d: %s", file != NULL ? file : p->name,
	    s != NULL ? config_setting_source_line(s) : 0, msg);
	return -1;
}

/* Refuse keys of group g that are not in allowed (NULL-terminated). */
int
check_keys(struct pctx *p, const config_setting_t *g, const char *where,
    const char *const *allowed)
{
	const config_setting_t *e;
	const char *name;
	size_t i;
	int k;

	for (k = 0; (e = config_setting_get_elem(g, (unsigned)k)) != NULL;
	    k++) {
		name = config_setting_name(e);
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], name) == 0)
				break;
		if (allowed[i] == NULL)
			return fail(p, e, "unknown setting '%s'%s%s", name,
			    where[0] != '\0' ? " in " : "", where);
	}
	return 0;
}

int
get_string(struct pctx *p, const config_setting_t *s, char *out,
    size_t outlen)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(p, s, "%s must be a string", config_setting_name(s));
	v = config_setting_get_string(s);
	if (strlen(v) >= outlen)
		return fail(p, s, "%s is too long (at most %zu characters)",
		    config_setting_name(s), outlen - 1);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

int
get_int(struct pctx *p, const config_setting_t *s, long long lo,
    long long hi, int *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return fail(p, s, "%s must be an integer",
		    config_setting_name(s));
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return fail(p, s, "%s must be between %lld and %lld",
		    config_setting_name(s), lo, hi);
	*out = (int)v;
	return 0;
}

int
get_bool(struct pctx *p, const config_setting_t *s, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(p, s, "%s must be true or false",
		    config_setting_name(s));
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* A [ ] or ( ) list whose elements are all strings. */
int
check_string_list(struct pctx *p, const config_setting_t *s)
{
	const config_setting_t *e;
	int i;

	if (!config_setting_is_aggregate(s) ||
	    config_setting_type(s) == CONFIG_TYPE_GROUP)
		return fail(p, s, "%s must be a list: [ \"...\", ... ]",
		    config_setting_name(s));
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++)
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(p, e, "%s: element %d must be a string",
			    config_setting_name(s), i + 1);
	return 0;
}

static int
parse_listen(struct pctx *p, const config_setting_t *s, struct config *c)
{
	const config_setting_t *e;
	struct config_listen *l;
	size_t i, n;

	if (check_string_list(p, s) == -1)
		return -1;
	n = (size_t)config_setting_length(s);
	if (n == 0)
		return fail(p, s, "listen: at least one address is needed");
	if (n > LISTEN_MAX)
		return fail(p, s, "listen: at most %d addresses", LISTEN_MAX);
	free(c->listen);
	if ((c->listen = calloc(n, sizeof(*c->listen))) == NULL)
		return fail(p, s, "out of memory");
	c->nlisten = n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		l = &c->listen[i];
		snprintf(l->text, sizeof(l->text), "%s",
		    config_setting_get_string(e));
		if (addr_parse_sockaddr(l->text, &l->ss, &l->sslen) != ADDR_OK)
			return fail(p, e, "listen: \"%s\" is not a numeric "
			    "address:port or [ipv6]:port", l->text);
	}
	return 0;
}

static int
parse_methods(struct pctx *p, const config_setting_t *s, struct config *c)
{
	const config_setting_t *e;
	const char *m;
	unsigned bit;
	int i;

	if (check_string_list(p, s) == -1)
		return -1;
	c->nauth = 0;
	c->auth_methods = 0;
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++) {
		m = config_setting_get_string(e);
		if (strcmp(m, "username") == 0)
			bit = CONFIG_AUTH_USERNAME;
		else if (strcmp(m, "none") == 0)
			bit = CONFIG_AUTH_NONE;
		else
			return fail(p, e, "methods: unknown method \"%s\" "
			    "(\"username\" or \"none\")", m);
		if (c->auth_methods & bit)
			return fail(p, e, "methods: \"%s\" listed twice", m);
		c->auth_methods |= bit;
		c->auth_order[c->nauth++] = (unsigned char)bit;
	}
	if (c->nauth == 0)
		return fail(p, s, "methods: at least one method is needed");
	return 0;
}

static int
parse_auth(struct pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "methods", "pam_service",
	    "pam_serialize", "cache_ttl", NULL };
	const config_setting_t *s;
	int ttl;

	if (check_keys(p, g, "auth", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "methods")) != NULL &&
	    parse_methods(p, s, c) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "pam_service")) != NULL) {
		if (get_string(p, s, c->pam_service,
		    sizeof(c->pam_service)) == -1)
			return -1;
		if (c->pam_service[0] == '\0' ||
		    strspn(c->pam_service, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
		    strlen(c->pam_service))
			return fail(p, s, "pam_service must be a PAM service "
			    "name (letters, digits, '.', '_', '-')");
	}
	if ((s = config_setting_get_member(g, "pam_serialize")) != NULL &&
	    get_bool(p, s, &c->pam_serialize) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "cache_ttl")) != NULL) {
		if (get_int(p, s, 0, 86400, &ttl) == -1)
			return -1;
		if (ttl != 0)
			return fail(p, s, "cache_ttl: the authentication "
			    "cache is not available in this version; use 0");
	}
	return 0;
}

static int
parse_resolve(struct pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "prefer", "command", NULL };
	const config_setting_t *s;
	char v[16];

	if (check_keys(p, g, "resolve", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "command")) != NULL &&
	    get_bool(p, s, &c->resolve_command) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "prefer")) == NULL)
		return 0;
	if (get_string(p, s, v, sizeof(v)) == -1)
		return fail(p, s, "prefer must be \"ipv6\", \"ipv4\" or "
		    "\"system\"");
	if (strcmp(v, "ipv6") == 0)
		c->prefer = CONFIG_PREFER_IPV6;
	else if (strcmp(v, "ipv4") == 0)
		c->prefer = CONFIG_PREFER_IPV4;
	else if (strcmp(v, "system") == 0)
		c->prefer = CONFIG_PREFER_SYSTEM;
	else
		return fail(p, s, "prefer must be \"ipv6\", \"ipv4\" or "
		    "\"system\"");
	return 0;
}

static int
parse_timeouts(struct pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "handshake", "connect", "idle",
	    "shutdown", "bind", NULL };
	const config_setting_t *s;

	if (check_keys(p, g, "timeouts", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "handshake")) != NULL &&
	    get_int(p, s, 1, 3600, &c->timeout_handshake) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "connect")) != NULL &&
	    get_int(p, s, 1, 3600, &c->timeout_connect) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "idle")) != NULL &&
	    get_int(p, s, 0, 2592000, &c->timeout_idle) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "shutdown")) != NULL &&
	    get_int(p, s, 0, 3600, &c->timeout_shutdown) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "bind")) != NULL &&
	    get_int(p, s, 1, 3600, &c->timeout_bind) == -1)
		return -1;
	return 0;
}

static int
parse_limits(struct pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "max_relays", "max_per_client",
	    NULL };
	const config_setting_t *s;

	if (check_keys(p, g, "limits", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "max_relays")) != NULL &&
	    get_int(p, s, 1, 1000000, &c->max_relays) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "max_per_client")) != NULL &&
	    get_int(p, s, 0, 1000000, &c->max_per_client) == -1)
		return -1;
	return 0;
}

static int
must_be_group(struct pctx *p, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return fail(p, s, "%s must be a group: %s: { ... };",
		    config_setting_name(s), config_setting_name(s));
	return 0;
}

int
parse_nets(struct pctx *p, const config_setting_t *s, struct addr_cidr **out,
    size_t *nout)
{
	const config_setting_t *e;
	size_t i, n;

	if (check_string_list(p, s) == -1)
		return -1;
	if ((n = (size_t)config_setting_length(s)) == 0)
		return 0;
	if ((*out = calloc(n, sizeof(**out))) == NULL)
		return fail(p, s, "out of memory");
	*nout = n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (addr_parse_cidr(config_setting_get_string(e),
		    &(*out)[i]) != ADDR_OK)
			return fail(p, e, "%s: \"%s\" is not an address or "
			    "network (a.b.c.d/n, ipv6/n)",
			    config_setting_name(s),
			    config_setting_get_string(e));
	}
	return 0;
}

static int
parse_users(struct pctx *p, const config_setting_t *s, struct acl_rule *r)
{
	const config_setting_t *e;
	const char *u;
	size_t i, n;

	if (check_string_list(p, s) == -1)
		return -1;
	if ((n = (size_t)config_setting_length(s)) == 0)
		return 0;
	if ((r->users = calloc(n, sizeof(*r->users))) == NULL)
		return fail(p, s, "out of memory");
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		u = config_setting_get_string(e);
		if (u[0] == '\0' || strlen(u) > 255)
			return fail(p, e, "users: a user name must have 1 to "
			    "255 characters");
		if ((r->users[i] = strdup(u)) == NULL)
			return fail(p, e, "out of memory");
		r->nusers = i + 1;
	}
	return 0;
}

/* One ports element: 80, or "80", or "1024-65535". */
static int
parse_port_elem(const config_setting_t *e, struct acl_portrange *pr)
{
	unsigned long lo, hi;
	const char *v;
	char *end;

	if (config_setting_type(e) == CONFIG_TYPE_INT ||
	    config_setting_type(e) == CONFIG_TYPE_INT64) {
		long long x = config_setting_get_int64(e);

		if (x < 1 || x > 65535)
			return -1;
		pr->lo = pr->hi = (uint16_t)x;
		return 0;
	}
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return -1;
	v = config_setting_get_string(e);
	if (*v < '0' || *v > '9')
		return -1;
	lo = strtoul(v, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		hi = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0' || lo < 1 || hi > 65535 || lo > hi)
		return -1;
	pr->lo = (uint16_t)lo;
	pr->hi = (uint16_t)hi;
	return 0;
}

int
parse_ports(struct pctx *p, const config_setting_t *s,
    struct acl_portrange **ports, size_t *nports)
{
	const config_setting_t *e;
	size_t i, n;

	if (!config_setting_is_aggregate(s) ||
	    config_setting_type(s) == CONFIG_TYPE_GROUP)
		return fail(p, s, "ports must be a list: ( 80, \"1024-65535\" )");
	if ((n = (size_t)config_setting_length(s)) == 0)
		return 0;
	if ((*ports = calloc(n, sizeof(**ports))) == NULL)
		return fail(p, s, "out of memory");
	*nports = n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (parse_port_elem(e, &(*ports)[i]) == -1)
			return fail(p, e, "ports: element %zu must be a port "
			    "1-65535 or a range \"low-high\"", i + 1);
	}
	return 0;
}

static int
parse_commands(struct pctx *p, const config_setting_t *s, struct acl_rule *r)
{
	const config_setting_t *e;
	const char *v;
	int i;

	if (check_string_list(p, s) == -1)
		return -1;
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++) {
		v = config_setting_get_string(e);
		if (strcmp(v, "connect") == 0)
			/* A look-up answers to the rules of connecting. */
			r->commands |= ACL_CMD_CONNECT | ACL_CMD_RESOLVE;
		else if (strcmp(v, "bind") == 0)
			r->commands |= ACL_CMD_BIND;
		else if (strcmp(v, "udp") == 0)
			r->commands |= ACL_CMD_UDP;
		else
			return fail(p, e, "commands: unknown command \"%s\" "
			    "(\"connect\", \"bind\" or \"udp\")", v);
	}
	return 0;
}

static int
parse_rule(struct pctx *p, const config_setting_t *g, struct acl_rule *r)
{
	static const char *const keys[] = { "name", "action", "from", "users",
	    "to", "ports", "commands", NULL };
	const config_setting_t *s;
	char action[16];

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail(p, g, "rules: each rule must be a group { ... }");
	r->line = config_setting_source_line(g);
	if (check_keys(p, g, "a rule", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "name")) != NULL &&
	    get_string(p, s, r->name, sizeof(r->name)) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "action")) == NULL)
		return fail(p, g, "rule without action (\"allow\" or "
		    "\"deny\")");
	if (get_string(p, s, action, sizeof(action)) == -1 ||
	    (strcmp(action, "allow") != 0 && strcmp(action, "deny") != 0))
		return fail(p, s, "action must be \"allow\" or \"deny\"");
	r->action = strcmp(action, "allow") == 0 ? ACL_ALLOW : ACL_DENY;
	if ((s = config_setting_get_member(g, "from")) != NULL &&
	    parse_nets(p, s, &r->from, &r->nfrom) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "to")) != NULL &&
	    parse_nets(p, s, &r->to, &r->nto) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "users")) != NULL &&
	    parse_users(p, s, r) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "ports")) != NULL &&
	    parse_ports(p, s, &r->ports, &r->nports) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "commands")) != NULL &&
	    parse_commands(p, s, r) == -1)
		return -1;
	return 0;
}

static int
parse_rules(struct pctx *p, const config_setting_t *s, struct config *c)
{
	size_t i, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return fail(p, s, "rules must be a list of groups: "
		    "rules = ( { ... }, ... );");
	n = (size_t)config_setting_length(s);
	if (n > RULES_MAX)
		return fail(p, s, "rules: at most %d rules", RULES_MAX);
	if (n == 0)
		return 0;
	if ((c->rules = calloc(n, sizeof(*c->rules))) == NULL)
		return fail(p, s, "out of memory");
	for (i = 0; i < n; i++) {
		c->nrules = i + 1;
		if (parse_rule(p, config_setting_get_elem(s, (unsigned)i),
		    &c->rules[i]) == -1)
			return -1;
	}
	return 0;
}

static void
set_defaults(struct config *c)
{
	c->auth_methods = CONFIG_AUTH_USERNAME;
	c->auth_order[0] = CONFIG_AUTH_USERNAME;
	c->nauth = 1;
	snprintf(c->pam_service, sizeof(c->pam_service), "sixgated");
	c->prefer = CONFIG_PREFER_IPV6;
	c->resolve_command = true;
	c->timeout_handshake = 10;
	c->timeout_connect = 10;
	c->timeout_idle = 7200;
	c->timeout_shutdown = 30;
	c->timeout_bind = 120;
	c->max_relays = 10000;
	/* One address (or NAT) cannot take every relay. */
	c->max_per_client = 1000;
	c->refs = 1;
}

static int
default_listen(struct config *c)
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

static int
parse_root(struct pctx *p, const config_setting_t *root, struct config *c)
{
	static const char *const keys[] = { "listen", "user", "auth",
	    "resolve", "timeouts", "limits", "rules", "hops", "upstreams",
	    NULL };
	const config_setting_t *s;

	if (check_keys(p, root, "", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(root, "listen")) != NULL) {
		if (parse_listen(p, s, c) == -1)
			return -1;
	} else if (default_listen(c) == -1)
		return fail(p, NULL, "out of memory");
	if ((s = config_setting_get_member(root, "user")) != NULL) {
		if (get_string(p, s, c->user, sizeof(c->user)) == -1)
			return -1;
		c->user_line = config_setting_source_line(s);
	}
	if ((s = config_setting_get_member(root, "auth")) != NULL &&
	    (must_be_group(p, s) == -1 || parse_auth(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "resolve")) != NULL &&
	    (must_be_group(p, s) == -1 || parse_resolve(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "timeouts")) != NULL &&
	    (must_be_group(p, s) == -1 || parse_timeouts(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "limits")) != NULL &&
	    (must_be_group(p, s) == -1 || parse_limits(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "rules")) != NULL &&
	    parse_rules(p, s, c) == -1)
		return -1;
	/* After listen: loops are checked against our own addresses. */
	return parse_upstreams(p, root, c);
}

/* Parse text (or the file at path when text is NULL). */
static struct config *
load(const char *path, const char *text, const char *name, char *err,
    size_t errlen)
{
	struct pctx p = { name, err, errlen };
	struct config *c = NULL;
	config_t lc;
	int ok;

	config_init(&lc);
	ok = text != NULL ? config_read_string(&lc, text) :
	    config_read_file(&lc, path);
	if (ok != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s:0: cannot read the file: %s",
			    name, strerror(errno));
		else
			snprintf(err, errlen, "%s:%d: %s",
			    config_error_file(&lc) != NULL ?
			    config_error_file(&lc) : name,
			    config_error_line(&lc), config_error_text(&lc));
		goto fail;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "%s:0: out of memory", name);
		goto fail;
	}
	set_defaults(c);
	snprintf(c->source, sizeof(c->source), "%s", name);
	if (parse_root(&p, config_root_setting(&lc), c) == -1)
		goto fail;
	config_destroy(&lc);
	return c;
fail:
	config_free(c);
	config_destroy(&lc);
	return NULL;
}

struct config *
config_load_file(const char *path, char *err, size_t errlen)
{
	return load(path, NULL, path, err, errlen);
}

struct config *
config_load_string(const char *text, const char *name, char *err,
    size_t errlen)
{
	return load(NULL, text, name, err, errlen);
}

void
config_free(struct config *c)
{
	struct acl_rule *r;
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrules; i++) {
		r = &c->rules[i];
		free(r->from);
		free(r->to);
		free(r->ports);
		for (j = 0; j < r->nusers; j++)
			free(r->users[j]);
		free(r->users);
	}
	free(c->rules);
	free_upstreams(c);
	free(c->listen);
	free(c);
}

bool
config_same_listeners(const struct config *a, const struct config *b)
{
	size_t i;

	if (a->nlisten != b->nlisten)
		return false;
	for (i = 0; i < a->nlisten; i++)
		if (!addr_equal((const struct sockaddr *)&a->listen[i].ss,
		    (const struct sockaddr *)&b->listen[i].ss))
			return false;
	return true;
}

/*
 * The current snapshot: the pointer and every reference count change
 * under one mutex; the snapshots themselves are never written after
 * they are built, so readers need no lock.
 */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config *current;

struct config *
config_current(void)
{
	struct config *c;

	pthread_mutex_lock(&current_lock);
	if ((c = current) != NULL)
		c->refs++;
	pthread_mutex_unlock(&current_lock);
	return c;
}

void
config_publish(struct config *c)
{
	struct config *old;

	pthread_mutex_lock(&current_lock);
	old = current;
	current = c;
	pthread_mutex_unlock(&current_lock);
	config_release(old);
}

void
config_release(struct config *c)
{
	int left;

	if (c == NULL)
		return;
	pthread_mutex_lock(&current_lock);
	left = --c->refs;
	pthread_mutex_unlock(&current_lock);
	if (left == 0)
		config_free(c);
}
