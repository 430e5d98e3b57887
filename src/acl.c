/*
 * acl.c - pure rule matching (see acl.h).
 */
#include "sgconfig.h"

#include <string.h>

#include "acl.h"
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
 * A look-up (RESOLVE) is no connection to a port: a rule with ports
 * allows it (some port is allowed) but does not refuse it (only some
 * ports are refused).
 */
static bool
match_ports(const struct acl_rule *r, const struct acl_query *q)
{
	uint16_t port;
	size_t i;

	if (r->nports == 0)
		return true;
	if (q->command == ACL_CMD_RESOLVE)
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

/* to: its networks or "self"; no `to` at all matches anything. */
static bool
match_to(const struct acl_rule *r, const struct acl_query *q)
{
	if (r->nto == 0 && !r->to_self)
		return true;
	if (q->dest == NULL)
		return false;
	if (r->nto > 0 && match_nets(r->to, r->nto, q->dest))
		return true;
	return r->to_self && q->is_self != NULL && q->is_self(q->dest);
}

bool
acl_rule_match(const struct acl_rule *r, const struct acl_query *q)
{
	if (r->commands != 0 && (r->commands & q->command) == 0)
		return false;
	return match_nets(r->from, r->nfrom, q->client) &&
	    match_users(r->users, r->nusers, q->user) &&
	    match_to(r, q) &&
	    match_ports(r, q);
}

/* Does r apply to q whatever the destination (everything but `to`)? */
static bool
applies_to_any_dest(const struct acl_rule *r, const struct acl_query *q)
{
	if (r->commands != 0 && (r->commands & q->command) == 0)
		return false;
	return match_nets(r->from, r->nfrom, q->client) &&
	    match_users(r->users, r->nusers, q->user) &&
	    match_ports(r, q);
}

enum acl_reach
acl_reach(const struct acl_rule *rules, size_t n, const struct acl_query *q,
    int *stop)
{
	enum acl_reach reach = ACL_REACH_NONE;
	bool any_dest;
	size_t i;

	*stop = -1;
	for (i = 0; i < n; i++) {
		if (!applies_to_any_dest(&rules[i], q))
			continue;
		any_dest = rules[i].nto == 0 && !rules[i].to_self;
		if (rules[i].action == ACL_ALLOW)
			reach = any_dest ? ACL_REACH_ANY : ACL_REACH_NETS;
		if (any_dest) {
			if (rules[i].action == ACL_DENY)
				*stop = (int)i;
			return reach;
		}
	}
	return reach;
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
