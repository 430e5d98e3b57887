/*
 * acl.c - pure rule matching (see acl.h).
 */
#include "sgconfig.h"

#include <string.h>

#include "acl.h"
#include "route.h"
#include "socks5.h"

static bool
match_nets(const struct addr_cidr *nets, size_t n, const struct sockaddr *sa)
{
	size_t i;

	if (n == 0)
		return true;
	if (sa == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (addr_cidr_match(&nets[i], sa))
			return true;
	return false;
}

static bool
match_users(char *const *users, size_t n, const char *user)
{
	size_t i;

	if (n == 0)
		return true;
	if (user == NULL)
		return false;	/* a user list never admits anonymous clients */
	for (i = 0; i < n; i++)
		if (strcmp(users[i], "*") == 0 || strcmp(users[i], user) == 0)
			return true;
	return false;
}

/*
 * A look-up (RESOLVE) is no connection to a port, and a UDP association
 * has no port before its datagrams (port_any): a rule with ports allows
 * it (some port is allowed) but does not refuse it (only some ports are
 * refused).
 */
static bool
match_ports(const struct acl_rule *r, const struct acl_query *q)
{
	uint16_t port;
	size_t i;

	if (r->nports == 0)
		return true;
	if (q->command == ACL_CMD_RESOLVE || q->port_any)
		return r->action == ACL_ALLOW;
	if (q->port != 0)
		port = q->port;
	else if (q->dest != NULL)
		port = addr_port(q->dest);
	else
		return false;
	for (i = 0; i < r->nports; i++)
		if (port >= r->ports[i].lo && port <= r->ports[i].hi)
			return true;
	return false;
}

static bool
match_names(const struct acl_rule *r, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < r->nto_names; i++)
		if (route_name_match(r->to_names[i], name))
			return true;
	return false;
}

static bool
has_to(const struct acl_rule *r)
{
	return r->nto > 0 || r->to_self || r->nto_names > 0;
}

/*
 * to: its name patterns (the name sent), networks or "self" (the
 * address); no `to` at all matches anything.
 */
static bool
match_to(const struct acl_rule *r, const struct acl_query *q)
{
	if (!has_to(r) || match_names(r, q->name))
		return true;
	if (q->dest == NULL)
		return false;
	if (r->nto > 0 && match_nets(r->to, r->nto, q->dest))
		return true;
	return r->to_self && q->is_self != NULL && q->is_self(q->dest);
}

/* groups: one of the user's; never a client without a user. */
static bool
match_groups(const struct acl_rule *r, const struct acl_query *q)
{
	size_t i, j;

	if (r->ngroups == 0)
		return true;
	if (q->user == NULL)
		return false;
	for (i = 0; i < r->ngroups; i++)
		for (j = 0; j < q->ngroups; j++)
			if (strcmp(r->groups[i], q->groups + j * q->groupsz)
			    == 0)
				return true;
	return false;
}

/* listeners: the one the client came in by, by its configured address. */
static bool
match_listeners(const struct acl_rule *r, const struct acl_query *q)
{
	size_t i;

	if (r->nlisteners == 0)
		return true;
	if (q->listener == NULL)
		return false;
	for (i = 0; i < r->nlisteners; i++)
		if (addr_equal((const struct sockaddr *)&r->listeners[i],
		    q->listener))
			return true;
	return false;
}

/* Everything but `to`: who asks, how, when, by which door, what port. */
static bool
match_but_to(const struct acl_rule *r, const struct acl_query *q)
{
	if (r->commands != 0 && (r->commands & q->command) == 0)
		return false;
	if (r->auths != 0 && (r->auths & q->auth) == 0)
		return false;
	return match_nets(r->from, r->nfrom, q->client) &&
	    match_users(r->users, r->nusers, q->user) &&
	    match_groups(r, q) && match_listeners(r, q) &&
	    timewin_any(r->times, r->ntimes, q->now) &&
	    match_ports(r, q);
}

bool
acl_rule_match(const struct acl_rule *r, const struct acl_query *q)
{
	return match_but_to(r, q) && match_to(r, q);
}

enum acl_reach
acl_reach_left(const struct acl_rule *rules, size_t n,
    const struct acl_query *q, int *stop, int32_t *left, int *allow)
{
	enum acl_reach reach = ACL_REACH_NONE;
	int32_t most = 0, t;
	bool any_dest, never = false;
	int first = -1;
	size_t i;

	*stop = -1;
	for (i = 0; i < n; i++) {
		if (!match_but_to(&rules[i], q))
			continue;
		/* Matches whatever the address: no `to`, or by name. */
		any_dest = !has_to(&rules[i]) || match_names(&rules[i],
		    q->name);
		if (!any_dest && rules[i].nto == 0 && !rules[i].to_self)
			continue;	/* names only, none of them this one */
		if (rules[i].action == ACL_ALLOW) {
			if (first == -1)
				first = (int)i;
			reach = any_dest ? ACL_REACH_ANY : ACL_REACH_NETS;
			if ((t = acl_rule_time_left(&rules[i], q)) < 0)
				never = true;
			else if (t > most)
				most = t;
		}
		/* With ports unknown, a rule with ports covers only some. */
		if (any_dest && !(q->port_any && rules[i].nports > 0)) {
			if (rules[i].action == ACL_DENY)
				*stop = (int)i;
			break;
		}
	}
	if (left != NULL)
		*left = reach == ACL_REACH_NONE ? 0 : never ? -1 : most;
	if (allow != NULL)
		*allow = first;
	return reach;
}

enum acl_reach
acl_reach(const struct acl_rule *rules, size_t n, const struct acl_query *q,
    int *stop)
{
	return acl_reach_left(rules, n, q, stop, NULL, NULL);
}

int
acl_match(const struct acl_rule *rules, size_t n, const struct acl_query *q)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (acl_rule_match(&rules[i], q))
			return (int)i;
	return -1;
}

int32_t
acl_rule_time_left(const struct acl_rule *r, const struct acl_query *q)
{
	return timewin_left(r->times, r->ntimes, q->now);
}

unsigned
acl_cmd_from_socks5(uint8_t cmd)
{
	switch (cmd) {
	case S5_CMD_CONNECT:
		return ACL_CMD_CONNECT;
	case S5_CMD_RESOLVE:
		return ACL_CMD_RESOLVE;
	case S5_CMD_BIND:
		return ACL_CMD_BIND;
	case S5_CMD_UDP_ASSOCIATE:
		return ACL_CMD_UDP;
	default:
		return 0;
	}
}
