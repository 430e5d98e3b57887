/*
 * request_limits.c - the request core's side of the rules' `limits`
 * (usage.h): admitting a relay under the rule that allowed it, and the
 * grants its pump asks for.  A UDP association counts as one relay
 * against max_relays of the first rule that allows the client UDP, and
 * is neither shaped nor counted against a quota.
 */
#include "sgconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "addr.h"
#include "escape.h"
#include "log.h"
#include "relay.h"
#include "request.h"
#include "request_int.h"
#include "sgio.h"
#include "usage.h"

/*
 * Whose use it is: the user, or "@" and the client's address (an IPv6
 * client per limits.ipv6_prefix, as the registry counts clients).
 */
static void
subject_of(const struct request *r, char *buf, size_t len)
{
	uint8_t key[ADDR_KEY_LEN];
	char a[INET6_ADDRSTRLEN];

	if (r->auth != REQUEST_AUTH_NONE) {
		snprintf(buf, len, "%s", r->user);
		return;
	}
	addr_client_key((const struct sockaddr *)&r->peer, r->cfg->ipv6_prefix,
	    key);
	if (inet_ntop(key[0] == 4 ? AF_INET : AF_INET6, key + 1, a,
	    sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	if (key[0] == 6 && r->cfg->ipv6_prefix < 128)
		snprintf(buf, len, "@%s/%u", a, r->cfg->ipv6_prefix);
	else
		snprintf(buf, len, "@%s", a);
}

/* The refusal's line: rule k's limits and why. */
static void
log_refusal(const struct request *r, int k, const char *subject,
    enum usage_status st, time_t until, uint64_t n)
{
	const struct acl_rule *ru = &r->cfg->rules[k];
	char who[ESCAPE_LEN(USAGE_SUBJLEN)], why[200], when[40];
	struct tm tm;

	escape_log_str(subject, who, sizeof(who));
	switch (st) {
	case USAGE_MAX_RELAYS:
		snprintf(why, sizeof(why), "%" PRIu64 " relays already open "
		    "(max_relays)", n);
		break;
	case USAGE_QUOTA:
		if (localtime_r(&until, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M %z", &tm) == 0)
			snprintf(when, sizeof(when), "the period turns");
		snprintf(why, sizeof(why), "quota exhausted (%" PRIu64 " of %"
		    PRIu64 " bytes this %s) until %s", n, ru->limits.quota,
		    qperiod_name(ru->limits.period), when);
		break;
	case USAGE_FULL:
		snprintf(why, sizeof(why), "the usage table is full (%d "
		    "entries)", USAGE_MAX);
		break;
	default:
		snprintf(why, sizeof(why), "out of memory");
		break;
	}
	log_info("%s to %s denied by the limits of rule %d%s%s%s (line %d) "
	    "for %s: %s", r->cmd == S5_CMD_BIND ? "bind" :
	    r->cmd == S5_CMD_UDP_ASSOCIATE ? "udp associate" : "connect",
	    r->dest_str, k + 1, ru->name[0] ? " (" : "", ru->name,
	    ru->name[0] ? ")" : "", ru->line, who, why);
}

/* One more relay of r's subject under rule k, with limits lim. */
static bool
admit(struct request *r, int k, const struct acl_limits *lim)
{
	const struct acl_rule *ru = &r->cfg->rules[k];
	enum usage_status st;
	char rule[USAGE_RULELEN], subject[USAGE_SUBJLEN];
	time_t until;
	uint64_t n;

	usage_rule_key(ru, k, rule, sizeof(rule));
	subject_of(r, subject, sizeof(subject));
	st = usage_admit(rule, subject, lim, time(NULL), &r->lease, &until,
	    &n);
	if (st == USAGE_OK)
		return true;
	log_refusal(r, k, subject, st, until, n);
	return false;
}

bool
request_limits_admit(struct request *r)
{
	const struct acl_rule *ru;

	if (r->rule < 0 || !(ru = &r->cfg->rules[r->rule])->has_limits ||
	    r->lease.e != NULL)
		return true;
	return admit(r, r->rule, &ru->limits);
}

bool
request_limits_admit_udp(struct request *r, int k)
{
	struct acl_limits lim;

	if (k < 0 || r->cfg->rules[k].limits.max_relays == 0 ||
	    r->lease.e != NULL)
		return true;
	/* max_relays only: a lease without rates or quota limits nothing. */
	memset(&lim, 0, sizeof(lim));
	lim.max_relays = r->cfg->rules[k].limits.max_relays;
	lim.period = r->cfg->rules[k].limits.period;
	return admit(r, k, &lim);
}

static uint64_t
grant(void *ctx, int dir, uint64_t want, int64_t *retry_ms, bool *out)
{
	return usage_grant(ctx, dir, want, sgio_now_ms(), time(NULL), retry_ms,
	    out);
}

static void
unused(void *ctx, int dir, uint64_t n)
{
	usage_unused(ctx, dir, n);
}

const struct relay_limit *
request_limits_relay(struct request *r, struct relay_limit *lim)
{
	if (r->lease.e == NULL)
		return NULL;
	lim->ctx = &r->lease;
	lim->grant = grant;
	lim->unused = unused;
	return lim;
}

void
request_limits_release(struct request *r)
{
	usage_release(&r->lease);
}
