/*
 * config_rules.c - the `rules` setting: a list of groups, each a rule
 * for acl_match (first match wins), into c->rules; and their release.
 */
#include "sgconfig.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "config_int.h"

#define RULES_MAX	4096

/* What walk_list calls for entry i (value v) of a list of n strings. */
typedef int list_elem_fn(struct cfg_pctx *p, const config_setting_t *e,
    const char *v, size_t i, size_t n, void *arg);

/*
 * The skeleton of every list setting of a rule: s must be a list of
 * strings; an empty one is an error ("WHAT: an empty list would never
 * match") unless empty_ok; then each(p, e, v, i, n, arg) for every entry
 * in order, which allocates its arrays at i == 0 (n entries) and counts
 * what it stored, so that cfg_free_rules frees exactly that.  0, or -1
 * at the first failure.
 */
static int
walk_list(struct cfg_pctx *p, const config_setting_t *s, const char *what,
    bool empty_ok, list_elem_fn *each, void *arg)
{
	const config_setting_t *e;
	size_t i, n;

	if (cfg_check_string_list(p, s) == -1)
		return -1;
	n = (size_t)config_setting_length(s);
	if (n == 0 && !empty_ok)
		return cfg_fail(p, s, "%s: an empty list would never match",
		    what);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (each(p, e, config_setting_get_string(e), i, n, arg) == -1)
			return -1;
	}
	return 0;
}

struct names_out {
	const char	 *what;
	char		***out;
	size_t		 *nout;
};

static int
name_elem(struct cfg_pctx *p, const config_setting_t *e, const char *v,
    size_t i, size_t n, void *arg)
{
	struct names_out *o = arg;

	if (i == 0 && (*o->out = calloc(n, sizeof(**o->out))) == NULL)
		return cfg_fail(p, e, "out of memory");
	if (v[0] == '\0' || strlen(v) > 255)
		return cfg_fail(p, e, "%s: a name must have 1 to 255 "
		    "characters", o->what);
	if (((*o->out)[i] = strdup(v)) == NULL)
		return cfg_fail(p, e, "out of memory");
	*o->nout = i + 1;
	return 0;
}

/* A list of names (users, groups) of 1 to 255 characters, copied. */
static int
parse_names(struct cfg_pctx *p, const config_setting_t *s, const char *what,
    char ***out, size_t *nout)
{
	struct names_out o = { what, out, nout };

	return walk_list(p, s, what, true, name_elem, &o);
}

/* time: windows "[DAYS ]HH:MM-HH:MM" (timewin.h). */
static int
time_elem(struct cfg_pctx *p, const config_setting_t *e, const char *v,
    size_t i, size_t n, void *arg)
{
	struct acl_rule *r = arg;
	enum timewin_status st;

	if (i == 0 && (r->times = calloc(n, sizeof(*r->times))) == NULL)
		return cfg_fail(p, e, "out of memory");
	if ((st = timewin_parse(v, &r->times[i])) != TIMEWIN_OK)
		return cfg_fail(p, e, "time: \"%s\": %s", v,
		    timewin_strerror(st));
	r->ntimes = i + 1;
	return 0;
}

/* auth: how the client authenticated, "username" or "none". */
static int
auth_elem(struct cfg_pctx *p, const config_setting_t *e, const char *v,
    size_t i, size_t n, void *arg)
{
	struct acl_rule *r = arg;

	(void)i;
	(void)n;
	if (strcmp(v, "username") == 0)
		r->auths |= ACL_AUTH_PASSWORD;
	else if (strcmp(v, "none") == 0)
		r->auths |= ACL_AUTH_NONE;
	else
		return cfg_fail(p, e, "auth: unknown method \"%s\" "
		    "(\"username\" or \"none\")", v);
	return 0;
}

struct listeners_out {
	struct acl_rule		*r;
	const struct config	*c;
};

/*
 * listeners: addresses as written in `listen` (compared as addresses);
 * one that is not a listener of this configuration is an error.
 */
static int
listener_elem(struct cfg_pctx *p, const config_setting_t *e, const char *v,
    size_t i, size_t n, void *arg)
{
	struct listeners_out *o = arg;
	struct acl_rule *r = o->r;
	socklen_t len;
	size_t k;

	if (i == 0 && (r->listeners = calloc(n, sizeof(*r->listeners))) ==
	    NULL)
		return cfg_fail(p, e, "out of memory");
	if (addr_parse_sockaddr(v, &r->listeners[i], &len) != ADDR_OK)
		return cfg_fail(p, e, "listeners: \"%s\" is not a numeric "
		    "address:port or [ipv6]:port", v);
	for (k = 0; k < o->c->nlisten; k++)
		if (addr_equal((const struct sockaddr *)&o->c->listen[k].ss,
		    (const struct sockaddr *)&r->listeners[i]))
			break;
	if (k == o->c->nlisten)
		return cfg_fail(p, e, "listeners: \"%s\" is not one of the "
		    "addresses in listen", v);
	r->nlisteners = i + 1;
	return 0;
}

static int
command_elem(struct cfg_pctx *p, const config_setting_t *e, const char *v,
    size_t i, size_t n, void *arg)
{
	struct acl_rule *r = arg;

	(void)i;
	(void)n;
	if (strcmp(v, "connect") == 0)
		/* A look-up answers to the rules of connecting. */
		r->commands |= ACL_CMD_CONNECT | ACL_CMD_RESOLVE;
	else if (strcmp(v, "bind") == 0)
		r->commands |= ACL_CMD_BIND;
	else if (strcmp(v, "udp") == 0)
		r->commands |= ACL_CMD_UDP;
	else
		return cfg_fail(p, e, "commands: unknown command \"%s\" "
		    "(\"connect\", \"bind\" or \"udp\")", v);
	return 0;
}

/*
 * to: networks, "self" for every address of the gateway's own
 * interfaces (read while it runs: addresses come and go), and name
 * patterns as in upstreams.
 */
static int
to_elem(struct cfg_pctx *p, const config_setting_t *e, const char *v,
    size_t i, size_t n, void *arg)
{
	struct acl_rule *r = arg;

	if (i == 0 && ((r->to = calloc(n, sizeof(*r->to))) == NULL ||
	    (r->to_names = calloc(n, sizeof(*r->to_names))) == NULL))
		return cfg_fail(p, e, "out of memory");
	if (strcmp(v, "self") == 0)
		r->to_self = true;
	else if (addr_parse_cidr(v, &r->to[r->nto]) == ADDR_OK)
		r->nto++;
	else if (!cfg_name_pattern_ok(v) ||
	    strspn(v, "0123456789.") == strlen(v))	/* a bad IPv4 */
		return cfg_fail(p, e, "to: \"%s\" is not an address, a "
		    "network (a.b.c.d/n, ipv6/n), a name, \"*.suffix\" or "
		    "\"self\"", v);
	else if ((r->to_names[r->nto_names++] = strdup(v)) == NULL)
		return cfg_fail(p, e, "out of memory");
	return 0;
}

/*
 * A string "N" or "N" with a decimal unit k, M, G or T (1000^1..4) ->
 * *out; false when it is not one or overflows.
 */
static bool
parse_amount(const char *v, uint64_t *out)
{
	static const char units[] = "kMGT";
	const char *u;
	uint64_t n = 0;
	int i;

	if (*v < '0' || *v > '9')
		return false;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	if (*v != '\0') {
		if (v[1] != '\0' || (u = strchr(units, *v)) == NULL)
			return false;
		for (i = 0; i <= u - units; i++) {
			if (n > UINT64_MAX / 1000)
				return false;
			n *= 1000;
		}
	}
	*out = n;
	return true;
}

/*
 * A positive whole number of at most hi; -1 (logged) otherwise.  As a
 * string it may carry a unit ("5G"): libconfig before 1.7 cuts a bare
 * number past 2^31 to 32 bits without a word (5000000000L is kept).
 */
static int
get_positive(struct cfg_pctx *p, const config_setting_t *s, long long hi,
    uint64_t *out)
{
	long long v;
	uint64_t u;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (!parse_amount(config_setting_get_string(s), &u))
			return cfg_fail(p, s, "limits: %s: \"%s\" is not a "
			    "number (with an optional unit k, M, G or T)",
			    config_setting_name(s),
			    config_setting_get_string(s));
		v = u > (uint64_t)hi ? hi + 1 : (long long)u;
	} else if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cfg_fail(p, s, "limits: %s must be a whole number",
		    config_setting_name(s));
	else
		v = config_setting_get_int64(s);
	if (v <= 0 || v > hi)
		return cfg_fail(p, s, "limits: %s must be between 1 and %lld",
		    config_setting_name(s), hi);
	*out = (uint64_t)v;
	return 0;
}

/*
 * limits: { bandwidth_down; bandwidth_up; max_relays; quota;
 * quota_period; } of an allow rule (usage.h); a quota without a period
 * counts per month.
 */
static int
parse_rule_limits(struct cfg_pctx *p, const config_setting_t *g,
    struct acl_rule *r)
{
	static const char *const keys[] = { "bandwidth_down", "bandwidth_up",
	    "max_relays", "quota", "quota_period", NULL };
	struct acl_limits *l = &r->limits;
	const config_setting_t *s;
	char period[16];
	uint64_t v;

	if (cfg_must_be_group(p, g) == -1 ||
	    cfg_check_keys(p, g, "limits of a rule", keys) == -1)
		return -1;
	if (r->action != ACL_ALLOW)
		return cfg_fail(p, g, "limits: only an allow rule has limits");
	if (((s = config_setting_get_member(g, "bandwidth_down")) != NULL &&
	    get_positive(p, s, 1000000000000LL, &l->bw_down) == -1) ||
	    ((s = config_setting_get_member(g, "bandwidth_up")) != NULL &&
	    get_positive(p, s, 1000000000000LL, &l->bw_up) == -1) ||
	    ((s = config_setting_get_member(g, "quota")) != NULL &&
	    get_positive(p, s, INT64_MAX / 2, &l->quota) == -1))
		return -1;
	if ((s = config_setting_get_member(g, "max_relays")) != NULL) {
		if (get_positive(p, s, 1000000, &v) == -1)
			return -1;
		l->max_relays = (int)v;
	}
	if ((s = config_setting_get_member(g, "quota_period")) != NULL) {
		if (l->quota == 0)
			return cfg_fail(p, s, "limits: quota_period without "
			    "quota");
		if (cfg_get_string(p, s, period, sizeof(period)) == -1 ||
		    !qperiod_parse(period, &l->period))
			return cfg_fail(p, s, "limits: quota_period must be "
			    "\"day\", \"week\" or \"month\"");
	} else if (l->quota > 0)
		l->period = QPERIOD_MONTH;
	r->has_limits = l->bw_down || l->bw_up || l->max_relays || l->quota;
	return 0;
}

static int
parse_rule(struct cfg_pctx *p, const config_setting_t *g, struct acl_rule *r,
    const struct config *c)
{
	static const char *const keys[] = { "name", "action", "from", "users",
	    "to", "ports", "commands", "groups", "time", "auth", "limits",
	    "listeners", NULL };
	struct listeners_out lo = { r, c };
	const config_setting_t *s;
	char action[16];

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cfg_fail(p, g,
		    "rules: each rule must be a group { ... }");
	r->line = config_setting_source_line(g);
	if (cfg_check_keys(p, g, "a rule", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "name")) != NULL &&
	    cfg_get_string(p, s, r->name, sizeof(r->name)) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "action")) == NULL)
		return cfg_fail(p, g, "rule without action (\"allow\" or "
		    "\"deny\")");
	if (cfg_get_string(p, s, action, sizeof(action)) == -1 ||
	    (strcmp(action, "allow") != 0 && strcmp(action, "deny") != 0))
		return cfg_fail(p, s, "action must be \"allow\" or \"deny\"");
	r->action = strcmp(action, "allow") == 0 ? ACL_ALLOW : ACL_DENY;
	if ((s = config_setting_get_member(g, "from")) != NULL &&
	    cfg_parse_nets(p, s, &r->from, &r->nfrom) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "to")) != NULL &&
	    walk_list(p, s, "to", true, to_elem, r) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "users")) != NULL &&
	    parse_names(p, s, "users", &r->users, &r->nusers) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "groups")) != NULL &&
	    parse_names(p, s, "groups", &r->groups, &r->ngroups) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "time")) != NULL &&
	    walk_list(p, s, "time", false, time_elem, r) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "auth")) != NULL &&
	    walk_list(p, s, "auth", false, auth_elem, r) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "ports")) != NULL &&
	    cfg_parse_ports(p, s, &r->ports, &r->nports) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "commands")) != NULL &&
	    walk_list(p, s, "commands", true, command_elem, r) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "limits")) != NULL &&
	    parse_rule_limits(p, s, r) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "listeners")) != NULL &&
	    walk_list(p, s, "listeners", false, listener_elem, &lo) == -1)
		return -1;
	return 0;
}

int
cfg_parse_rules(struct cfg_pctx *p, const config_setting_t *s, struct config *c)
{
	size_t i, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return cfg_fail(p, s, "rules must be a list of groups: "
		    "rules = ( { ... }, ... );");
	n = (size_t)config_setting_length(s);
	if (n > RULES_MAX)
		return cfg_fail(p, s, "rules: at most %d rules", RULES_MAX);
	if (n == 0)
		return 0;
	if ((c->rules = calloc(n, sizeof(*c->rules))) == NULL)
		return cfg_fail(p, s, "out of memory");
	for (i = 0; i < n; i++) {
		c->nrules = i + 1;
		if (parse_rule(p, config_setting_get_elem(s, (unsigned)i),
		    &c->rules[i], c) == -1)
			return -1;
	}
	return 0;
}

void
cfg_free_rules(struct config *c)
{
	struct acl_rule *r;
	size_t i, j;

	for (i = 0; i < c->nrules; i++) {
		r = &c->rules[i];
		free(r->from);
		free(r->to);
		free(r->ports);
		for (j = 0; j < r->nusers; j++)
			free(r->users[j]);
		free(r->users);
		for (j = 0; j < r->ngroups; j++)
			free(r->groups[j]);
		free(r->groups);
		for (j = 0; j < r->nto_names; j++)
			free(r->to_names[j]);
		free(r->to_names);
		free(r->times);
		free(r->listeners);
	}
	free(c->rules);
}
