/*
 * request_flow.c - the core's checks for requests that are not relays
 * of their own: a UDP flow of a port mapping (request_flow_check, its
 * line request_flow_log) and a DNS front door's look-up
 * (request_dns_check).  The same rules, resolution and log lines as a
 * CONNECT.
 */
#include "sgconfig.h"

#include <netdb.h>

#include "acl.h"
#include "log.h"
#include "request.h"
#include "request_int.h"
#include "resolve.h"
#include "socks5.h"

uint8_t
request_flow_check(struct request *r, struct sockaddr_storage *to)
{
	struct resolve_result res;
	unsigned char skip[RESOLVE_MAX];
	size_t i;
	uint8_t rep;

	request_format_dest(r);
	if ((rep = request_resolve(r, &res)) != S5_REP_SUCCEEDED)
		return rep;
	if (request_allow_addrs(r, &res, skip) == 0)
		return S5_REP_NOT_ALLOWED;
	for (i = 0; i < res.n && skip[i]; i++)
		continue;
	*to = res.addrs[i];
	return S5_REP_SUCCEEDED;
}

/* Keep the addresses of res the rules allow (none: logged). */
static size_t
keep_allowed(struct request *r, struct resolve_result *res)
{
	unsigned char skip[RESOLVE_MAX];
	size_t i, k = 0;

	if (request_allow_addrs(r, res, skip) == 0)
		return 0;
	for (i = 0; i < res->n; i++)
		if (!skip[i])
			res->addrs[k++] = res->addrs[i];
	return res->n = k;
}

uint8_t
request_dns_check(struct request *r, struct resolve_result *res, int *gai)
{
	enum acl_reach reach;
	struct acl_query q;
	int stop;

	*gai = 0;
	request_format_dest(r);
	request_query_init(r, &q);
	q.port = r->dest.port;
	if ((reach = acl_reach(r->cfg->rules, r->cfg->nrules, &q, &stop)) ==
	    ACL_REACH_NONE) {
		request_log_denied(r, NULL, stop);
		return S5_REP_NOT_ALLOWED;
	}
	if (res == NULL)
		return S5_REP_SUCCEEDED;
	if ((*gai = resolve_name(r->dest.u.name, r->dest.port, r->cfg->prefer,
	    res)) != 0) {
		log_info("dns: cannot resolve %s: %s%s", r->dest_str,
		    gai_strerror(*gai), reach == ACL_REACH_NETS ? " (answered "
		    "REFUSED: this client's rules allow networks only)" : "");
		return reach == ACL_REACH_NETS ? S5_REP_NOT_ALLOWED :
		    S5_REP_HOST_UNREACH;
	}
	return keep_allowed(r, res) > 0 ? S5_REP_SUCCEEDED :
	    S5_REP_NOT_ALLOWED;
}

void
request_flow_log(const struct request *r)
{
	request_log_access(r);
}
