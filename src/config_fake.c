/*
 * config_fake.c - the `fake` group: where the DNS front door's fake
 * addresses come from (faketable.h).
 *
 *	fake: { ipv4 = "240.0.0.0/12"; ipv6 = "100::/64"; ttl = 10;
 *	        exclude = [ "*.local" ]; };
 *
 * The ranges need room: at least /24 for IPv4 (254 fakes) and /112 for
 * IPv6; ttl is the answers' TTL in seconds; exclude holds name patterns
 * as in the rules' `to` ("name", "*.suffix") that are answered with
 * their real addresses.
 */
#include "sgconfig.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "config_int.h"
#include "route.h"

#define FAKE_V4_PREFIX_MAX	24
#define FAKE_V6_PREFIX_MAX	112

void
cfg_default_fake(struct config *c)
{
	(void)addr_parse_cidr("240.0.0.0/12", &c->fake_v4);
	(void)addr_parse_cidr("100::/64", &c->fake_v6);
	c->fake_ttl = 10;
}

void
cfg_free_fake(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nfake_exclude; i++)
		free(c->fake_exclude[i]);
	free(c->fake_exclude);
	c->fake_exclude = NULL;
	c->nfake_exclude = 0;
}

static int
parse_range(struct cfg_pctx *p, const config_setting_t *s, int family,
    struct addr_cidr *out)
{
	unsigned max = family == AF_INET ? FAKE_V4_PREFIX_MAX :
	    FAKE_V6_PREFIX_MAX;
	const char *key = family == AF_INET ? "ipv4" : "ipv6";
	char v[64];

	if (cfg_get_string(p, s, v, sizeof(v)) == -1)
		return -1;
	if (addr_parse_cidr(v, out) != ADDR_OK || out->family != family)
		return cfg_fail(p, s, "fake.%s: \"%s\" is not an %s network "
		    "(%s)", key, v, family == AF_INET ? "IPv4" : "IPv6",
		    family == AF_INET ? "a.b.c.d/n" : "ipv6/n");
	if (out->prefix > max)
		return cfg_fail(p, s, "fake.%s: \"%s\" is too small: /%u at "
		    "most, so that there is room for fakes", key, v, max);
	return 0;
}

static int
parse_exclude(struct cfg_pctx *p, const config_setting_t *s,
    struct config *c)
{
	const config_setting_t *e;
	const char *v;
	size_t i, n;

	if (cfg_check_string_list(p, s) == -1)
		return -1;
	if ((n = (size_t)config_setting_length(s)) > FAKE_EXCLUDE_MAX)
		return cfg_fail(p, s, "fake.exclude: at most %d names",
		    FAKE_EXCLUDE_MAX);
	if (n == 0)
		return 0;
	if ((c->fake_exclude = calloc(n, sizeof(char *))) == NULL)
		return cfg_fail(p, s, "out of memory");
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		v = config_setting_get_string(e);
		if (!cfg_name_pattern_ok(v))
			return cfg_fail(p, e, "fake.exclude: \"%s\" is not a "
			    "name or \"*.suffix\"", v);
		if ((c->fake_exclude[i] = strdup(v)) == NULL)
			return cfg_fail(p, e, "out of memory");
		c->nfake_exclude = i + 1;
	}
	return 0;
}

int
cfg_parse_fake(struct cfg_pctx *p, const config_setting_t *g,
    struct config *c)
{
	static const char *const keys[] = { "ipv4", "ipv6", "ttl", "exclude",
	    NULL };
	const config_setting_t *s;

	if (cfg_check_keys(p, g, "fake", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "ipv4")) != NULL &&
	    parse_range(p, s, AF_INET, &c->fake_v4) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "ipv6")) != NULL &&
	    parse_range(p, s, AF_INET6, &c->fake_v6) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "ttl")) != NULL &&
	    cfg_get_int(p, s, 1, 86400, &c->fake_ttl) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "exclude")) != NULL &&
	    parse_exclude(p, s, c) == -1)
		return -1;
	return 0;
}

bool
config_fake_excluded(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nfake_exclude; i++)
		if (route_name_match(c->fake_exclude[i], name))
			return true;
	return false;
}
