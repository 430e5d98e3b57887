/*
 * check_config.c - unit tests for config.c.
 *
 * Covered: tests/data/good-full.conf (every key of the configuration
 * contract, non-default values, checked field by field) and
 * good-minimal.conf (only rules) load; the embedded default loads and has
 * the documented values; defaults for omitted keys and partial groups;
 * boundary values accepted; every class of bad configuration is refused
 * with NULL and "NAME:LINE: reason" where LINE is the line of the
 * offending setting and the reason names the key (syntax errors, unknown
 * keys at every level, listen/auth/resolve/timeouts/limits/rules value
 * and type errors, upstreams); config_load_file errors (missing file,
 * bad file named by its path); error truncation; the snapshot API
 * (config_publish / config_current / config_release reference counts)
 * and config_same_listeners.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>

#include "acl.h"
#include "addr.h"
#include "config.h"

#define NAME	"bad.conf"

/* --- helpers --- */

static char datadir[4096];

/* top_srcdir from the environment, else from __FILE__, else ".". */
static const char *
data_path(const char *file, char *buf, size_t len)
{
	if (datadir[0] == '\0') {
		const char *top = getenv("top_srcdir");
		const char *f = __FILE__;
		const char *p = strstr(f, "tests/unit/check_config.c");

		if (top != NULL && *top != '\0')
			snprintf(datadir, sizeof(datadir), "%s/tests/data",
			    top);
		else if (p != NULL && p > f)
			snprintf(datadir, sizeof(datadir), "%.*stests/data",
			    (int)(p - f), f);
		else
			snprintf(datadir, sizeof(datadir), "./tests/data");
	}
	snprintf(buf, len, "%s/%s", datadir, file);
	return buf;
}

static struct config *
load_ok(const char *text)
{
	char err[CONFIG_ERRLEN] = "";
	struct config *c = config_load_string(text, "good.conf", err,
	    sizeof(err));

	ck_assert_msg(c != NULL, "config refused: %s\n--- text:\n%s", err,
	    text);
	return c;
}

/*
 * text must be refused with "bad.conf:LINE: reason"; the reason must
 * contain needle1 and needle2 (when not NULL).
 */
static void
expect_error(const char *text, int line, const char *needle1,
    const char *needle2)
{
	char err[CONFIG_ERRLEN];
	char prefix[64];
	struct config *c;
	size_t plen;

	memset(err, 0, sizeof(err));
	c = config_load_string(text, NAME, err, sizeof(err));
	ck_assert_msg(c == NULL, "config accepted:\n%s", text);
	plen = (size_t)snprintf(prefix, sizeof(prefix), NAME ":%d: ", line);
	ck_assert_msg(strncmp(err, prefix, plen) == 0,
	    "error \"%s\" does not start with \"%s\"\n--- text:\n%s", err,
	    prefix, text);
	ck_assert_msg(strlen(err) > plen, "error \"%s\" has no reason", err);
	if (needle1 != NULL)
		ck_assert_msg(strstr(err + plen, needle1) != NULL,
		    "error \"%s\" does not mention \"%s\"", err, needle1);
	if (needle2 != NULL)
		ck_assert_msg(strstr(err + plen, needle2) != NULL,
		    "error \"%s\" does not mention \"%s\"", err, needle2);
}

/* Does c equal the network written as text? */
static void
assert_cidr(const struct addr_cidr *c, const char *text)
{
	struct addr_cidr want;

	ck_assert_msg(addr_parse_cidr(text, &want) == ADDR_OK, "bad CIDR %s",
	    text);
	ck_assert_msg(c->family == want.family, "%s: family %d, want %d",
	    text, c->family, want.family);
	ck_assert_msg(c->prefix == want.prefix, "%s: prefix %u, want %u",
	    text, c->prefix, want.prefix);
	ck_assert_msg(memcmp(c->addr, want.addr,
	    want.family == AF_INET ? 4 : 16) == 0, "%s: address differs", text);
}

static void
assert_listen(const struct config_listen *l, const char *text, int family,
    const char *host, uint16_t port)
{
	unsigned char want[16];

	ck_assert_str_eq(l->text, text);
	ck_assert_int_eq(l->ss.ss_family, family);
	ck_assert_int_eq(inet_pton(family, host, want), 1);
	if (family == AF_INET) {
		const struct sockaddr_in *s4 =
		    (const struct sockaddr_in *)&l->ss;

		ck_assert_uint_eq(l->sslen, sizeof(struct sockaddr_in));
		ck_assert_uint_eq(ntohs(s4->sin_port), port);
		ck_assert(memcmp(&s4->sin_addr, want, 4) == 0);
	} else {
		const struct sockaddr_in6 *s6 =
		    (const struct sockaddr_in6 *)&l->ss;

		ck_assert_uint_eq(l->sslen, sizeof(struct sockaddr_in6));
		ck_assert_uint_eq(ntohs(s6->sin6_port), port);
		ck_assert(memcmp(&s6->sin6_addr, want, 16) == 0);
	}
}

/* The documented defaults, apart from rules and listen. */
static void
assert_default_values(const struct config *c)
{
	ck_assert_str_eq(c->user, "");
	ck_assert_uint_eq(c->nauth, 1);
	ck_assert_uint_eq(c->auth_order[0], CONFIG_AUTH_USERNAME);
	ck_assert_uint_eq(c->auth_methods, CONFIG_AUTH_USERNAME);
	ck_assert_str_eq(c->pam_service, "sixgated");
	ck_assert(!c->pam_serialize);
	ck_assert_int_eq(c->auth_cache_ttl, 0);
	ck_assert_int_eq(c->prefer, CONFIG_PREFER_IPV6);
	ck_assert_int_eq(c->timeout_handshake, 10);
	ck_assert_int_eq(c->timeout_connect, 10);
	ck_assert_int_eq(c->timeout_idle, 7200);
	ck_assert_int_eq(c->timeout_shutdown, 30);
	ck_assert_int_eq(c->max_relays, 10000);
	ck_assert_int_eq(c->max_per_client, 1000);
}

static void
assert_default_listen(const struct config *c)
{
	ck_assert_uint_eq(c->nlisten, 2);
	assert_listen(&c->listen[0], "127.0.0.1:1080", AF_INET, "127.0.0.1",
	    1080);
	assert_listen(&c->listen[1], "[::1]:1080", AF_INET6, "::1", 1080);
}

/* --- good files --- */

START_TEST(test_good_full)
{
	char path[4200], err[CONFIG_ERRLEN] = "";
	struct config *c;
	const struct acl_rule *r;

	data_path("good-full.conf", path, sizeof(path));
	c = config_load_file(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s refused: %s", path, err);
	ck_assert_str_eq(c->source, path);

	ck_assert_uint_eq(c->nlisten, 3);
	assert_listen(&c->listen[0], "192.0.2.10:1081", AF_INET, "192.0.2.10",
	    1081);
	assert_listen(&c->listen[1], "[2001:db8::10]:0", AF_INET6,
	    "2001:db8::10", 0);
	assert_listen(&c->listen[2], "0.0.0.0:65535", AF_INET, "0.0.0.0",
	    65535);
	ck_assert_str_eq(c->user, "nobody");

	ck_assert_uint_eq(c->nauth, 2);
	ck_assert_uint_eq(c->auth_order[0], CONFIG_AUTH_NONE);
	ck_assert_uint_eq(c->auth_order[1], CONFIG_AUTH_USERNAME);
	ck_assert_uint_eq(c->auth_methods,
	    CONFIG_AUTH_NONE | CONFIG_AUTH_USERNAME);
	ck_assert_str_eq(c->pam_service, "sixgate-test_1.x");
	ck_assert(c->pam_serialize);

	ck_assert_int_eq(c->prefer, CONFIG_PREFER_IPV4);
	ck_assert_int_eq(c->timeout_handshake, 3600);
	ck_assert_int_eq(c->timeout_connect, 1);
	ck_assert_int_eq(c->timeout_idle, 0);
	ck_assert_int_eq(c->timeout_shutdown, 3600);
	ck_assert_int_eq(c->max_relays, 1000000);

	ck_assert_uint_eq(c->nrules, 4);

	r = &c->rules[0];
	ck_assert_int_eq(r->action, ACL_DENY);
	ck_assert_str_eq(r->name, "no-loopback");
	ck_assert_int_eq(r->line, 16);
	ck_assert_uint_eq(r->nfrom, 0);
	ck_assert_uint_eq(r->nusers, 0);
	ck_assert_uint_eq(r->nto, 2);
	assert_cidr(&r->to[0], "127.0.0.0/8");
	assert_cidr(&r->to[1], "::1/128");
	ck_assert_uint_eq(r->nports, 0);
	ck_assert_uint_eq(r->commands, 0);

	r = &c->rules[1];
	ck_assert_int_eq(r->action, ACL_ALLOW);
	ck_assert_str_eq(r->name, "lan");
	ck_assert_int_eq(r->line, 17);
	ck_assert_uint_eq(r->nfrom, 3);
	assert_cidr(&r->from[0], "10.0.0.0/8");
	assert_cidr(&r->from[1], "2001:db8::/32");
	assert_cidr(&r->from[2], "192.0.2.7/32");
	ck_assert_uint_eq(r->nusers, 2);
	ck_assert_str_eq(r->users[0], "alice");
	ck_assert_str_eq(r->users[1], "*");
	ck_assert_uint_eq(r->nto, 2);
	assert_cidr(&r->to[0], "198.51.100.0/24");
	assert_cidr(&r->to[1], "2001:db8:1::1/128");
	ck_assert_uint_eq(r->nports, 3);
	ck_assert_uint_eq(r->ports[0].lo, 22);
	ck_assert_uint_eq(r->ports[0].hi, 22);
	ck_assert_uint_eq(r->ports[1].lo, 8000);
	ck_assert_uint_eq(r->ports[1].hi, 8080);
	ck_assert_uint_eq(r->ports[2].lo, 443);
	ck_assert_uint_eq(r->ports[2].hi, 443);
	ck_assert_uint_eq(r->commands, ACL_CMD_CONNECT | ACL_CMD_RESOLVE | ACL_CMD_UDP);

	r = &c->rules[2];
	ck_assert_int_eq(r->action, ACL_ALLOW);
	ck_assert_str_eq(r->name, "");
	ck_assert_int_eq(r->line, 26);
	ck_assert_uint_eq(r->nfrom, 0);
	ck_assert_uint_eq(r->nusers, 1);
	ck_assert_str_eq(r->users[0], "bob");
	ck_assert_uint_eq(r->nto, 0);
	ck_assert_uint_eq(r->nports, 1);
	ck_assert_uint_eq(r->ports[0].lo, 1);
	ck_assert_uint_eq(r->ports[0].hi, 65535);
	ck_assert_uint_eq(r->commands, ACL_CMD_BIND);

	r = &c->rules[3];
	ck_assert_int_eq(r->action, ACL_DENY);
	ck_assert_str_eq(r->name, "");
	ck_assert_int_eq(r->line, 27);
	ck_assert_uint_eq(r->nfrom + r->nusers + r->nto + r->nports, 0);
	ck_assert_uint_eq(r->commands, 0);

	config_free(c);
}
END_TEST

START_TEST(test_good_minimal)
{
	char path[4200], err[CONFIG_ERRLEN] = "";
	struct config *c;

	data_path("good-minimal.conf", path, sizeof(path));
	c = config_load_file(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s refused: %s", path, err);
	ck_assert_str_eq(c->source, path);
	assert_default_listen(c);
	assert_default_values(c);
	ck_assert_uint_eq(c->nrules, 1);
	ck_assert_int_eq(c->rules[0].action, ACL_ALLOW);
	ck_assert_int_eq(c->rules[0].line, 3);
	ck_assert_uint_eq(c->rules[0].nusers, 1);
	ck_assert_str_eq(c->rules[0].users[0], "*");
	config_free(c);
}
END_TEST

START_TEST(test_embedded_default)
{
	char err[CONFIG_ERRLEN] = "";
	struct config *c;
	const struct acl_rule *last;

	c = config_load_default(err, sizeof(err));
	ck_assert_msg(c != NULL, "embedded default refused: %s", err);
	ck_assert_str_eq(c->source, "(embedded)");
	assert_default_listen(c);
	assert_default_values(c);
	ck_assert_uint_ge(c->nrules, 2);
	ck_assert_int_eq(c->rules[0].action, ACL_DENY);
	/* The gateway itself, then every gateway-local network. */
	ck_assert(c->rules[0].to_self);
	ck_assert_uint_eq(c->rules[0].nto, ADDR_LOCAL_NETS_N);
	for (size_t i = 0; i < ADDR_LOCAL_NETS_N; i++)
		ck_assert_mem_eq(&c->rules[0].to[i], &addr_local_nets[i],
		    sizeof(addr_local_nets[i]));
	last = &c->rules[c->nrules - 1];
	ck_assert_int_eq(last->action, ACL_ALLOW);
	ck_assert_uint_eq(last->nusers, 1);
	ck_assert_str_eq(last->users[0], "*");
	for (size_t i = 0; i + 1 < c->nrules; i++)
		ck_assert_int_eq(c->rules[i].action, ACL_DENY);
	config_free(c);
}
END_TEST

START_TEST(test_empty_config_defaults)
{
	struct config *c = load_ok("");

	ck_assert_str_eq(c->source, "good.conf");
	assert_default_listen(c);
	assert_default_values(c);
	ck_assert_uint_eq(c->nrules, 0);
	config_free(c);

	c = load_ok("# only a comment\n\nrules = ( );\n");
	assert_default_listen(c);
	assert_default_values(c);
	ck_assert_uint_eq(c->nrules, 0);
	config_free(c);
}
END_TEST

START_TEST(test_partial_groups_defaults)
{
	struct config *c;

	c = load_ok("timeouts: { idle = 5; };\nauth: { pam_serialize = true; };"
	    "\nresolve: { };\nlimits: { };\n");
	assert_default_listen(c);
	ck_assert_int_eq(c->timeout_handshake, 10);
	ck_assert_int_eq(c->timeout_connect, 10);
	ck_assert_int_eq(c->timeout_idle, 5);
	ck_assert_int_eq(c->timeout_shutdown, 30);
	ck_assert(c->pam_serialize);
	ck_assert_uint_eq(c->nauth, 1);
	ck_assert_uint_eq(c->auth_order[0], CONFIG_AUTH_USERNAME);
	ck_assert_str_eq(c->pam_service, "sixgated");
	ck_assert_int_eq(c->prefer, CONFIG_PREFER_IPV6);
	ck_assert_int_eq(c->max_relays, 10000);
	config_free(c);

	c = load_ok("listen = [ \"[::]:0\" ];\nauth: { methods = [ \"none\" ]; };"
	    "\nresolve: { prefer = \"system\"; };\n");
	ck_assert_uint_eq(c->nlisten, 1);
	assert_listen(&c->listen[0], "[::]:0", AF_INET6, "::", 0);
	ck_assert_uint_eq(c->nauth, 1);
	ck_assert_uint_eq(c->auth_order[0], CONFIG_AUTH_NONE);
	ck_assert_uint_eq(c->auth_methods, CONFIG_AUTH_NONE);
	ck_assert_int_eq(c->prefer, CONFIG_PREFER_SYSTEM);
	ck_assert_int_eq(c->timeout_idle, 7200);
	config_free(c);
}
END_TEST

START_TEST(test_boundaries_accepted)
{
	char text[4096];
	struct config *c;
	size_t i, off;

	c = load_ok("timeouts: { handshake = 1; connect = 3600; idle = 2592000;"
	    " shutdown = 0; };\nlimits: { max_relays = 1; max_per_client = 0; };\n"
	    "auth: { pam_service = \"a\"; };\n");
	ck_assert_int_eq(c->timeout_handshake, 1);
	ck_assert_int_eq(c->timeout_connect, 3600);
	ck_assert_int_eq(c->timeout_idle, 2592000);
	ck_assert_int_eq(c->timeout_shutdown, 0);
	ck_assert_int_eq(c->max_relays, 1);
	ck_assert_int_eq(c->max_per_client, 0);
	ck_assert_str_eq(c->pam_service, "a");
	config_free(c);

	/* auth.cache_ttl from 0 to a day */
	c = load_ok("auth: { cache_ttl = 86400; };\n");
	ck_assert_int_eq(c->auth_cache_ttl, 86400);
	config_free(c);
	c = load_ok("auth: { cache_ttl = 60; };\n");
	ck_assert_int_eq(c->auth_cache_ttl, 60);
	config_free(c);

	/* 63-character pam_service and rule name */
	c = load_ok("auth: { pam_service = \""
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789."
	    "\"; };\nrules = ( { action = \"deny\"; name = \""
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
	    "\"; } );\n");
	ck_assert_uint_eq(strlen(c->pam_service), 63);
	ck_assert_uint_eq(strlen(c->rules[0].name), 63);
	ck_assert_uint_eq(c->rules[0].name[62], '-');
	config_free(c);

	/* 64 listeners */
	off = (size_t)snprintf(text, sizeof(text), "listen = [ ");
	for (i = 1; i <= 64; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "%s\"127.0.0.1:%zu\"", i > 1 ? ", " : "", 1000 + i);
	snprintf(text + off, sizeof(text) - off, " ];\n");
	c = load_ok(text);
	ck_assert_uint_eq(c->nlisten, 64);
	assert_listen(&c->listen[63], "127.0.0.1:1064", AF_INET, "127.0.0.1",
	    1064);
	config_free(c);

	/* port bounds, ranges of one port, commands, empty lists */
	c = load_ok("rules = ( { action = \"allow\"; ports = ( 1, 65535, "
	    "\"5-5\", \"1-65535\" ); commands = [ \"bind\", \"connect\" ]; "
	    "from = [ ]; users = [ ]; to = [ ]; } );\n");
	ck_assert_uint_eq(c->nrules, 1);
	ck_assert_uint_eq(c->rules[0].nports, 4);
	ck_assert_uint_eq(c->rules[0].ports[0].lo, 1);
	ck_assert_uint_eq(c->rules[0].ports[0].hi, 1);
	ck_assert_uint_eq(c->rules[0].ports[1].lo, 65535);
	ck_assert_uint_eq(c->rules[0].ports[1].hi, 65535);
	ck_assert_uint_eq(c->rules[0].ports[2].lo, 5);
	ck_assert_uint_eq(c->rules[0].ports[2].hi, 5);
	ck_assert_uint_eq(c->rules[0].ports[3].lo, 1);
	ck_assert_uint_eq(c->rules[0].ports[3].hi, 65535);
	ck_assert_uint_eq(c->rules[0].commands,
	    ACL_CMD_BIND | ACL_CMD_CONNECT | ACL_CMD_RESOLVE);
	ck_assert_uint_eq(c->rules[0].nfrom, 0);
	ck_assert_uint_eq(c->rules[0].nusers, 0);
	ck_assert_uint_eq(c->rules[0].nto, 0);
	config_free(c);
}
END_TEST

/* The policy keys of a rule (issue 12): groups, names in to, time, auth. */
START_TEST(test_rule_policy_keys)
{
	struct config *c;
	const struct acl_rule *r;

	c = load_ok("rules = ( { action = \"allow\"; groups = [ \"staff\" ];"
	    " to = [ \"*.corp.example\", \"10.0.0.0/8\", \"self\", "
	    "\"Intranet.\" ]; time = [ \"Mon-Fri 08:00-18:00\", "
	    "\"22:00-02:00\", \"Sat,Sun 00:00-24:00\" ]; "
	    "auth = [ \"username\" ]; },\n"
	    "{ action = \"allow\"; auth = [ \"none\", \"username\" ]; } );\n");
	ck_assert_uint_eq(c->nrules, 2);
	r = &c->rules[0];
	ck_assert_uint_eq(r->ngroups, 1);
	ck_assert_str_eq(r->groups[0], "staff");
	ck_assert_uint_eq(r->nto, 1);
	ck_assert(r->to_self);
	ck_assert_uint_eq(r->nto_names, 2);
	ck_assert_str_eq(r->to_names[0], "*.corp.example");
	ck_assert_str_eq(r->to_names[1], "Intranet.");
	ck_assert_uint_eq(r->ntimes, 3);
	ck_assert_uint_eq(r->times[0].days, 0x3e);
	ck_assert_uint_eq(r->times[1].len, 240);
	ck_assert_uint_eq(r->times[2].len, 1440);
	ck_assert_uint_eq(r->auths, ACL_AUTH_PASSWORD);
	ck_assert_uint_eq(c->rules[1].auths, ACL_AUTH_NONE | ACL_AUTH_PASSWORD);
	config_free(c);
}
END_TEST

START_TEST(test_rule_limits)
{
	struct config *c;
	const struct acl_limits *l;

	c = load_ok("rules = ( { action = \"allow\"; users = [ \"sam\" ];\n"
	    "  limits: { bandwidth_down = 2000000; bandwidth_up = 500000;\n"
	    "    max_relays = 20; quota = 5000000000L; quota_period = \"week\";"
	    " }; },\n"
	    "{ action = \"allow\"; limits: { quota = 1; }; },\n"
	    "{ action = \"allow\"; limits: { }; },\n"
	    "{ action = \"allow\"; limits: { quota = \"5G\"; bandwidth_up = "
	    "\"2M\"; bandwidth_down = \"1500k\"; }; },\n"
	    "{ action = \"allow\"; limits: { quota = \"12345678901\"; }; } );\n");
	l = &c->rules[0].limits;
	ck_assert(c->rules[0].has_limits);
	ck_assert_uint_eq(l->bw_down, 2000000);
	ck_assert_uint_eq(l->bw_up, 500000);
	ck_assert_int_eq(l->max_relays, 20);
	ck_assert_uint_eq(l->quota, 5000000000ULL);
	ck_assert_int_eq(l->period, QPERIOD_WEEK);
	/* A quota without a period counts per month. */
	ck_assert_int_eq(c->rules[1].limits.period, QPERIOD_MONTH);
	ck_assert_uint_eq(c->rules[1].limits.bw_down, 0);
	ck_assert(!c->rules[2].has_limits);
	ck_assert_uint_eq(c->rules[3].limits.quota, 5000000000ULL);
	ck_assert_uint_eq(c->rules[3].limits.bw_up, 2000000);
	ck_assert_uint_eq(c->rules[3].limits.bw_down, 1500000);
	ck_assert_uint_eq(c->rules[4].limits.quota, 12345678901ULL);
	config_free(c);
}
END_TEST

/* --- bad configurations --- */

struct bad {
	const char	*text;
	int		 line;
	const char	*needle1, *needle2;
};

#define NAME63 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789."

static const struct bad bad_cases[] = {
	/* the limits of a rule */
	{ "rules = (\n  { action = \"allow\";\n    limits: { quota_period = "
	    "\"day\"; }; } );\n", 3, "quota_period without quota", NULL },
	{ "rules = ( { action = \"allow\";\n  limits: {\n  quota = 0; }; } );\n",
	    3, "quota", "between 1 and" },
	{ "rules = ( { action = \"allow\";\n  limits: { bandwidth_down = -5; "
	    "}; } );\n", 2, "bandwidth_down", NULL },
	{ "rules = ( { action = \"allow\";\n  limits: { bandwidth_up = \"1MB\"; "
	    "}; } );\n", 2, "bandwidth_up", "unit" },
	{ "rules = ( { action = \"allow\";\n  limits: { bandwidth_up = true; "
	    "}; } );\n", 2, "bandwidth_up", "whole number" },
	{ "rules = ( { action = \"allow\";\n  limits: { quota = \"0k\"; "
	    "}; } );\n", 2, "quota", "between" },
	{ "rules = ( { action = \"allow\";\n  limits: { bandwidth_up = \"2T\"; "
	    "}; } );\n", 2, "bandwidth_up", "between" },
	{ "rules = ( { action = \"allow\";\n  limits: { quota = "
	    "\"99999999999999999999\"; }; } );\n", 2, "quota", "not a number" },
	{ "rules = ( { action = \"allow\";\n  limits: { max_relays = 0; }; } );"
	    "\n", 2, "max_relays", NULL },
	{ "rules = ( { action = \"allow\"; limits: { quota = 5;\n"
	    "  quota_period = \"year\"; }; } );\n", 2, "quota_period", "month" },
	{ "rules = ( { action = \"allow\";\n  limits: { speed = 5; }; } );\n",
	    2, "unknown", "speed" },
	{ "rules = ( { action = \"deny\";\n  limits: { max_relays = 5; }; } );\n",
	    2, "allow rule", NULL },
	{ "rules = ( { action = \"allow\";\n  limits = 5; } );\n", 2,
	    "limits", "group", },
	/* syntax */
	{ "# comment\nuser = \"\";\ntimeouts: { handshake = ; };\n", 3,
	    NULL, NULL },
	{ "listen = [ \"127.0.0.1:1080\",\n  1080 ];\n", 2, NULL, NULL },
	{ "rules = (\n  { action = \"allow\"; }\n  { action = \"deny\"; }\n);\n",
	    3, NULL, NULL },
	/* unknown keys */
	{ "user = \"\";\nfoo = 1;\n", 2, "unknown", "foo" },
	{ "auth: {\n  methods = [ \"none\" ];\n  colour = \"red\";\n};\n", 3,
	    "unknown", "colour" },
	{ "resolve: {\n  prefer = \"ipv4\";\n  order = 1;\n};\n", 3,
	    "unknown", "order" },
	{ "timeouts: {\n\n  read = 5;\n};\n", 3, "unknown", "read" },
	{ "limits: { max_relays = 5;\n  max_clients = 5; };\n", 2,
	    "unknown", "max_clients" },
	{ "rules = (\n  { action = \"allow\"; },\n  {\n    action = \"deny\";\n"
	    "    destination = [ \"192.0.2.1\" ];\n  }\n);\n", 5,
	    "unknown", "destination" },
	{ "\n\nlogging = { level = 1; };\n", 3, "unknown", "logging" },
	/* listen */
	{ "\nlisten = [ \"localhost:1080\" ];\n", 2, "listen", NULL },
	{ "listen = [ \"127.0.0.1:99999\" ];\n", 1, "listen", NULL },
	{ "user = \"\";\nlisten = [ \"[::1]:x\" ];\n", 2, "listen", NULL },
	{ "listen = [ \"127.0.0.1\" ];\n", 1, "listen", NULL },
	{ "listen = [ \"::1:1080\" ];\n", 1, "listen", NULL },
	{ "user = \"\";\nlisten = [ ];\n", 2, "listen", NULL },
	{ "listen = 1080;\n", 1, "listen", NULL },
	/* wrong types */
	{ "timeouts: {\n  handshake = \"10\";\n};\n", 2, "handshake", NULL },
	{ "limits: {\n  max_relays = \"many\";\n};\n", 2, "max_relays", NULL },
	{ "\nuser = 5;\n", 2, "user", NULL },
	{ "resolve: {\n  prefer = 6;\n};\n", 2, "prefer", NULL },
	{ "auth: {\n  pam_service = 7;\n};\n", 2, "pam_service", NULL },
	{ "auth: {\n  pam_serialize = \"yes\";\n};\n", 2, "pam_serialize",
	    NULL },
	{ "auth: {\n  cache_ttl = \"0\";\n};\n", 2, "cache_ttl", NULL },
	{ "listen = [ 1080 ];\n", 1, "listen", NULL },
	/* listener groups */
	{ "listen = (\n  { protocol = \"http\"; } );\n", 2, "listen",
	    "address" },
	{ "listen = (\n  { address = \"127.0.0.1:1\"; protocol = \"ftp\"; }"
	    " );\n", 2, "protocol", "ftp" },
	{ "listen = (\n  { address = \"127.0.0.1:1\"; protocol = \"http\";"
	    " socks4 = true; } );\n", 2, "socks4", "socks" },
	{ "listen = (\n  { address = \"127.0.0.1:1\"; to = \"a:1\"; } );\n",
	    2, "listen.to", "portmap" },
	{ "listen = (\n  { address = \"127.0.0.1:1\"; protocol = "
	    "\"portmap\"; } );\n", 2, "portmap", "to" },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = \"portmap\";\n"
	    "  to = \"example.org\"; } );\n", 2, "listen.to", "host:port" },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = \"portmap\";\n"
	    "  to = \"example.org:0\"; } );\n", 2, "listen.to", NULL },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = \"portmap\";\n"
	    "  transport = \"sctp\"; to = \"a:1\"; } );\n", 2, "transport",
	    NULL },
	{ "listen = ( \"127.0.0.1:1\",\n  { address = \"127.0.0.1:1\"; } );\n",
	    2, "listen", "twice" },
	/* dns listeners and the fake group */
	{ "listen = ( { address = \"127.0.0.1:53\"; protocol = \"portmap\";\n"
	    "  transport = \"udp\"; to = \"a:1\"; },\n"
	    "  { address = \"127.0.0.1:53\"; protocol = \"dns\"; } );\n", 3,
	    "listen", "twice" },
	{ "listen = ( { address = \"127.0.0.1:53\"; protocol = \"dns\";\n"
	    "  to = \"a:1\"; } );\n", 2, "listen.to", "portmap" },
	{ "listen = ( { address = \"127.0.0.1:53\"; protocol = \"dns\";\n"
	    "  proxy_protocol = true; proxy_from = [ \"10.0.0.1\" ]; } );\n",
	    2, "proxy_protocol", "dns" },
	{ "fake: {\n ipv4 = \"240.0.0.0/25\"; };\n", 2, "fake.ipv4",
	    "/24" },
	{ "fake: {\n ipv4 = \"100::/64\"; };\n", 2, "fake.ipv4", "IPv4" },
	{ "fake: {\n ipv6 = \"100::/120\"; };\n", 2, "fake.ipv6", "/112" },
	{ "fake: {\n ipv6 = \"nope\"; };\n", 2, "fake.ipv6", NULL },
	{ "fake: {\n ttl = 0; };\n", 2, "ttl", NULL },
	{ "fake: {\n exclude = [ \"a.*\" ]; };\n", 2, "fake.exclude",
	    "suffix" },
	{ "fake: {\n ipv5 = \"1.2.3.0/24\"; };\n", 2, "ipv5", NULL },
	/* via on a mapping: tcp only, known hops, no loop. */
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = \"portmap\";\n"
	    "  transport = \"udp\"; to = \"a:1\"; via = ( \"gw\" ); } );\n",
	    2, "listen.via", "tcp" },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = \"portmap\";\n"
	    "  to = \"a:1\";\n  via = ( \"nosuch\" ); } );\n", 3,
	    "unknown hop", "nosuch" },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = \"portmap\";\n"
	    "  to = \"a:1\"; via = ( { address = \"127.0.0.1:1\"; } ); } );\n",
	    2, "own listeners", "loop" },
	{ "listen = ( { address = \"127.0.0.1:1\"; via = ( \"gw\" ); } );\n",
	    1, "listen.via", "portmap" },
	{ "listen = ( { address = \"127.0.0.1:1\";\n  colour = 1; } );\n", 2,
	    "unknown", "colour" },
	/* proxy_protocol: proxy_from required, networks, TCP only. */
	{ "listen = ( { address = \"127.0.0.1:1\";\n  proxy_protocol = "
	    "true; } );\n", 2, "proxy_from", NULL },
	{ "listen = ( { address = \"127.0.0.1:1\";\n  proxy_from = "
	    "[ \"10.0.0.1\" ]; } );\n", 2, "proxy_from", "proxy_protocol" },
	{ "listen = ( { address = \"127.0.0.1:1\"; proxy_protocol = true;\n"
	    "  proxy_from = [ ]; } );\n", 2, "proxy_from", NULL },
	{ "listen = ( { address = \"127.0.0.1:1\"; proxy_protocol = true;\n"
	    "  proxy_from = [ \"10.0.0.1\",\n  \"10.0.0.300/32\" ]; } );\n", 3,
	    "proxy_from", "10.0.0.300" },
	{ "listen = ( { address = \"127.0.0.1:1\";\n  proxy_protocol = "
	    "\"yes\"; } );\n", 2, "proxy_protocol", NULL },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = \"portmap\";\n"
	    "  transport = \"udp\"; to = \"a:1\";\n  proxy_protocol = true; "
	    "proxy_from = [ \"10.0.0.1\" ]; } );\n", 3, "proxy_protocol",
	    "udp" },
	/* transparent: tproxy only there, no PROXY protocol. */
	{ "listen = ( { address = \"127.0.0.1:1\";\n  tproxy = true; } );\n",
	    2, "tproxy", "transparent" },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = "
	    "\"transparent\";\n  tproxy = 1; } );\n", 2, "tproxy", NULL },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = "
	    "\"transparent\";\n  proxy_protocol = true; proxy_from = "
	    "[ \"10.0.0.1\" ]; } );\n", 2, "proxy_protocol", "transparent" },
	{ "listen = ( { address = \"127.0.0.1:1\"; protocol = "
	    "\"transparent\";\n  to = \"a:1\"; } );\n", 2, "listen.to",
	    "portmap" },
	{ "listen: { address = \"127.0.0.1:1\"; };\n", 1, "listen", NULL },
	{ "rules = (\n  { action = 1; }\n);\n", 2, "action", NULL },
	{ "rules = (\n  { action = \"deny\";\n    name = 5; }\n);\n", 3, "name",
	    NULL },
	{ "\nauth = \"username\";\n", 2, "auth", NULL },
	{ "\ntimeouts = 5;\n", 2, "timeouts", NULL },
	{ "\nrules = 5;\n", 2, "rules", NULL },
	/* auth */
	{ "auth: {\n  methods = [ ];\n};\n", 2, "method", NULL },
	{ "auth: {\n  methods = [ \"username\", \"gssapi\" ];\n};\n", 2,
	    "method", NULL },
	{ "auth: {\n  methods = [ \"none\", \"none\" ];\n};\n", 2, "method",
	    NULL },
	{ "auth: {\n\n  pam_service = \"\";\n};\n", 3, "pam_service", NULL },
	{ "auth: {\n  pam_service = \"../etc/passwd\";\n};\n", 2,
	    "pam_service", NULL },
	{ "auth: {\n  pam_service = \"sixgated/x\";\n};\n", 2, "pam_service",
	    NULL },
	{ "auth: {\n  pam_service = \"six gated\";\n};\n", 2, "pam_service",
	    NULL },
	{ "auth: {\n  pam_service = \"" NAME63 "x\";\n};\n", 2, "pam_service",
	    NULL },
	{ "auth: {\n  cache_ttl = 86401;\n};\n", 2, "cache_ttl", NULL },
	{ "auth: {\n  cache_ttl = -1;\n};\n", 2, "cache_ttl", NULL },
	/* resolve */
	{ "resolve: {\n  prefer = \"ipv5\";\n};\n", 2, "prefer", NULL },
	{ "resolve: {\n  prefer = \"\";\n};\n", 2, "prefer", NULL },
	/* timeouts, limits */
	{ "timeouts: {\n  handshake = 0;\n};\n", 2, "handshake", NULL },
	{ "timeouts: {\n  handshake = 3601;\n};\n", 2, "handshake", NULL },
	{ "timeouts: {\n  handshake = 10;\n  connect = 99999;\n};\n", 3,
	    "connect", NULL },
	{ "timeouts: {\n  connect = 0;\n};\n", 2, "connect", NULL },
	{ "timeouts: {\n  idle = -1;\n};\n", 2, "idle", NULL },
	{ "timeouts: {\n  idle = 2592001;\n};\n", 2, "idle", NULL },
	{ "timeouts: {\n  shutdown = -1;\n};\n", 2, "shutdown", NULL },
	{ "timeouts: {\n  shutdown = 3601;\n};\n", 2, "shutdown", NULL },
	{ "limits: {\n  max_relays = 0;\n};\n", 2, "max_relays", NULL },
	{ "limits: {\n  max_per_client = -1;\n};\n", 2, "max_per_client", NULL },
	{ "limits: {\n  max_relays = 1000001;\n};\n", 2, "max_relays", NULL },
	/* rules */
	{ "rules = (\n  { action = \"allow\"; },\n"
	    "  { name = \"x\"; to = [ \"192.0.2.1\" ]; }\n);\n", 3, "action",
	    NULL },
	{ "rules = (\n\n  { action = \"maybe\"; }\n);\n", 3, "action", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    from = [ \"10.0.0.0/33\" ];\n  }\n);\n", 4, "from", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    from = [ \"example.org\" ];\n  }\n);\n", 4, "from", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    to = [ \"2001:db8::/129\" ];\n  }\n);\n", 4, "to", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    to = [ \"192.0.2.300\" ];\n  }\n);\n", 4, "to", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    ports = [ 0 ];\n  }\n);\n", 4, "port", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    ports = [ 70000 ];\n  }\n);\n", 4, "port", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    ports = [ \"20-10\" ];\n  }\n);\n", 4, "port", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    ports = [ \"x\" ];\n  }\n);\n", 4, "port", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    ports = [ \"0-10\" ];\n  }\n);\n", 4, "port", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    ports = [ \"1-70000\" ];\n  }\n);\n", 4, "port", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    ports = [ -80 ];\n  }\n);\n", 4, "port", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    commands = [ \"connect\", \"listen\" ];\n  }\n);\n", 4,
	    "command", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    users = [ \"alice\", \"\" ];\n  }\n);\n", 4, "user", NULL },
	{ "rules = (\n  {\n    action = \"allow\";\n"
	    "    name = \"" NAME63 "x\";\n  }\n);\n", 4, "name", NULL },
	/* (a string element on a line of its own gets the next token's line
	 * from libconfig's scanner, so keep the list closed on its line) */
	{ "rules = (\n  \"allow\" );\n", 2, "rule", NULL },
	/* policy keys of rules */
	{ "rules = (\n  { action = \"allow\";\n"
	    "    time = [ \"Mon-Fry 08:00-18:00\" ]; }\n);\n", 3, "time", "days" },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    time = [ \"8:00-18:00\" ]; }\n);\n", 3, "time", "HH:MM" },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    time = [ \"08:00-24:30\" ]; }\n);\n", 3, "time", "24:00" },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    time = [ \"24:00-02:00\" ]; }\n);\n", 3, "time", "24:00" },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    time = [ \"10:00-10:00\" ]; }\n);\n", 3, "time", "start" },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    time = [ ]; }\n);\n", 3, "time", "empty" },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    auth = [ \"password\" ]; }\n);\n", 3, "auth", "password" },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    groups = [ \"\" ]; }\n);\n", 3, "groups", NULL },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    to = [ \"*.*.example\" ]; }\n);\n", 3, "to", NULL },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    to = [ \"bad name\" ]; }\n);\n", 3, "to", NULL },
	{ "rules = (\n  { action = \"allow\";\n"
	    "    days = [ \"Mon\" ]; }\n);\n", 3, "unknown", "days" },
	/* upstreams */
	{ "\n\nupstreams = ( { host = \"192.0.2.1:1080\"; } );\n", 3,
	    "upstreams", NULL },
	/* control */
	{ "\ncontrol: { socket = \"relative.sock\"; };\n", 2,
	    "control.socket", "absolute" },
	{ "control: {\n  socket = \"/tmp/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\";\n"
	    "};\n", 2, "control.socket", "longer" },
	{ "control: {\n  mode = \"0999\"; };\n", 2, "control.mode",
	    "octal" },
	{ "control: {\n  mode = \"rw\"; };\n", 2, "control.mode", NULL },
	{ "control: {\n  mode = \"01777\"; };\n", 2, "control.mode", NULL },
	{ "control: {\n  mode = 660; };\n", 2, "mode", NULL },
	{ "control: {\n\n  group = \"no-such-group-sg\"; };\n", 3,
	    "control.group", "does not exist" },
	{ "control: {\n  owner = \"root\"; };\n", 2, "unknown", "owner" },
	{ "control = 1;\n", 1, "control", NULL },
	/* metrics */
	{ "metrics: {\n  listen = \"0.0.0.0:9180\"; };\n", 2,
	    "metrics.listen must be a loopback address", NULL },
	{ "metrics: {\n  listen = \"[::]:9180\"; };\n", 2,
	    "metrics.listen must be a loopback address", NULL },
	{ "metrics: {\n  listen = \"192.0.2.1:9180\"; };\n", 2,
	    "metrics.listen must be a loopback address", NULL },
	{ "metrics: {\n  listen = \"localhost:9180\"; };\n", 2,
	    "metrics.listen", "numeric" },
	{ "metrics: {\n\n  path = \"metrics\"; };\n", 3, "metrics.path",
	    NULL },
	{ "metrics: {\n  path = \"/a b\"; };\n", 2, "metrics.path", NULL },
	{ "metrics: {\n  user_labels = 1; };\n", 2, "user_labels", NULL },
	{ "metrics: {\n  port = 9180; };\n", 2, "unknown", "port" },
	{ "metrics = 1;\n", 1, "metrics", NULL },
	/* listeners in a rule */
	{ "listen = [ \"127.0.0.1:1080\" ];\nrules = ( { action = \"allow\";\n"
	    "  listeners = [ \"127.0.0.1:1081\" ]; } );\n", 3, "listeners",
	    "not one of" },
	{ "rules = ( { action = \"allow\";\n  listeners = [ ]; } );\n", 2,
	    "listeners", "empty" },
	{ "rules = ( { action = \"allow\";\n  listeners = [ \"localhost:1\" ]; "
	    "} );\n", 2, "listeners", "numeric" },
	/* state */
	{ "\nstate: { interval = 60; };\n", 2, "state", "directory" },
	{ "state: {\n  directory = \"var/lib\"; };\n", 2,
	    "state.directory", "absolute" },
	{ "state: { directory = \"/var/lib/sixgate\";\n  interval = 0; };\n",
	    2, "interval", NULL },
	{ "state: { directory = \"/var/lib/sixgate\";\n"
	    "  interval = 86401; };\n", 2, "interval", NULL },
	{ "state: { directory = \"/x\";\n  every = 1; };\n", 2, "unknown",
	    "every" },
};

START_TEST(test_control)
{
	struct config *c;

	c = load_ok("listen = [ \"127.0.0.1:1080\" ];\n");
	ck_assert(!c->control_on);
	ck_assert_str_eq(c->control_socket, "/run/sixgate/control.sock");
	config_free(c);
	c = load_ok("control: { };\n");
	ck_assert(c->control_on);
	ck_assert_uint_eq(c->control_mode, 0660);
	ck_assert_int_eq(c->control_gid, -1);
	config_free(c);
	c = load_ok("control: { socket = \"/tmp/x.sock\"; mode = \"0600\";"
	    " group = \"root\"; };\n");
	ck_assert(c->control_on);
	ck_assert_str_eq(c->control_socket, "/tmp/x.sock");
	ck_assert_uint_eq(c->control_mode, 0600);
	ck_assert_int_eq(c->control_gid, 0);
	config_free(c);
}
END_TEST

START_TEST(test_metrics)
{
	struct config *a, *b;

	a = load_ok("listen = [ \"127.0.0.1:1080\" ];\n");
	ck_assert(!a->metrics_on);
	b = load_ok("metrics: { };\n");
	ck_assert(b->metrics_on);
	ck_assert_str_eq(b->metrics_path, "/metrics");
	ck_assert_str_eq(b->metrics_listen.text, "127.0.0.1:9180");
	ck_assert(b->metrics_user_labels);
	ck_assert(!config_same_metrics(a, b));
	config_free(a);
	a = load_ok("metrics: { listen = \"[::1]:9100\"; path = \"/m/x\";"
	    " user_labels = false; };\n");
	ck_assert_str_eq(a->metrics_path, "/m/x");
	ck_assert(!a->metrics_user_labels);
	ck_assert(!config_same_metrics(a, b));
	config_free(a);
	a = load_ok("metrics: { listen = \"127.0.0.1:9180\"; path = \"/o\"; };\n");
	ck_assert(config_same_metrics(a, b));
	config_free(a);
	config_free(b);
	a = load_ok("metrics: { listen = \"127.1.2.3:0\"; };\n");
	config_free(a);
}
END_TEST

START_TEST(test_state)
{
	struct config *c;

	c = load_ok("listen = [ \"127.0.0.1:1080\" ];\n");
	ck_assert(!c->state_on);
	config_free(c);
	c = load_ok("state: { directory = \"/var/lib/sixgate\"; };\n");
	ck_assert(c->state_on);
	ck_assert_str_eq(c->state_dir, "/var/lib/sixgate");
	ck_assert_int_eq(c->state_interval, 60);
	config_free(c);
	c = load_ok("state: { directory = \"/s\"; interval = 5; };\n");
	ck_assert_int_eq(c->state_interval, 5);
	config_free(c);
}
END_TEST

START_TEST(test_fake)
{
	struct config *c;

	c = load_ok("listen = [ \"127.0.0.1:1080\" ];\n");
	assert_cidr(&c->fake_v4, "240.0.0.0/12");
	assert_cidr(&c->fake_v6, "100::/64");
	ck_assert_int_eq(c->fake_ttl, 10);
	ck_assert_uint_eq(c->nfake_exclude, 0);
	ck_assert(!config_fake_excluded(c, "printer.local"));
	config_free(c);
	c = load_ok("listen = ( { address = \"127.0.0.1:53\"; protocol = "
	    "\"dns\"; } );\nfake: { ipv4 = \"10.64.0.0/24\"; ipv6 = "
	    "\"fd00::/112\"; ttl = 60; exclude = [ \"*.local\", "
	    "\"intranet\" ]; };\n");
	ck_assert_int_eq(c->listen[0].proto, LISTEN_DNS);
	ck_assert_str_eq(config_listen_proto_str(LISTEN_DNS), "dns");
	assert_cidr(&c->fake_v4, "10.64.0.0/24");
	assert_cidr(&c->fake_v6, "fd00::/112");
	ck_assert_int_eq(c->fake_ttl, 60);
	ck_assert_uint_eq(c->nfake_exclude, 2);
	ck_assert(config_fake_excluded(c, "printer.LOCAL"));
	ck_assert(config_fake_excluded(c, "intranet"));
	ck_assert(!config_fake_excluded(c, "local"));
	ck_assert(!config_fake_excluded(c, "intranet.example"));
	config_free(c);
}
END_TEST

START_TEST(test_bad)
{
	const struct bad *b = &bad_cases[_i];

	expect_error(b->text, b->line, b->needle1, b->needle2);
}
END_TEST

START_TEST(test_bad_too_many_listeners)
{
	char text[4096];
	size_t i, off;

	off = (size_t)snprintf(text, sizeof(text), "\nlisten = [ ");
	for (i = 1; i <= 65; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "%s\"127.0.0.1:%zu\"", i > 1 ? ", " : "", 1000 + i);
	snprintf(text + off, sizeof(text) - off, " ];\n");
	expect_error(text, 2, "listen", NULL);
}
END_TEST

START_TEST(test_error_truncated)
{
	char err[12];
	struct config *c;

	memset(err, 'X', sizeof(err));
	c = config_load_string("foo = 1;\n", NAME, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(memchr(err, '\0', sizeof(err)));
	ck_assert_str_eq(err, NAME ":1:");
}
END_TEST

START_TEST(test_load_file_missing)
{
	const char *path = "/nonexistent-sixgate-dir/sixgated.conf";
	char err[CONFIG_ERRLEN] = "";
	struct config *c;

	c = config_load_file(path, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, path) != NULL,
	    "error \"%s\" does not name the file", err);
}
END_TEST

START_TEST(test_load_file_bad)
{
	char path[] = "/tmp/check_config.XXXXXX";
	char err[CONFIG_ERRLEN] = "", want[64];
	const char text[] = "# bad\n\nauth: {\n  cache_ttl = -5;\n};\n";
	struct config *c;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
	    (int)(sizeof(text) - 1));
	close(fd);
	c = config_load_file(path, err, sizeof(err));
	unlink(path);
	ck_assert_ptr_null(c);
	snprintf(want, sizeof(want), "%s:4: ", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "error \"%s\" does not start with \"%s\"", err, want);
	ck_assert_ptr_nonnull(strstr(err, "cache_ttl"));

	/* a libconfig syntax error in a file */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "user = \"\";\nuser2 = ;\n", 21), 21);
	close(fd);
	c = config_load_file(path, err, sizeof(err));
	unlink(path);
	ck_assert_ptr_null(c);
	snprintf(want, sizeof(want), "%s:2: ", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "error \"%s\" does not start with \"%s\"", err, want);
}
END_TEST

START_TEST(test_free_null)
{
	config_free(NULL);
}
END_TEST

/* --- snapshot API --- */

START_TEST(test_snapshot_refs)
{
	struct config *a = load_ok("limits: { max_relays = 111; };\n");
	struct config *b = load_ok("limits: { max_relays = 222; };\n");
	struct config *r1, *r2, *r3;

	ck_assert_int_eq(a->refs, 1);
	config_publish(a);
	ck_assert_int_eq(a->refs, 1);

	r1 = config_current();
	ck_assert_ptr_eq(r1, a);
	ck_assert_int_eq(a->refs, 2);
	r2 = config_current();
	ck_assert_ptr_eq(r2, a);
	ck_assert_int_eq(a->refs, 3);
	config_release(r2);
	ck_assert_int_eq(a->refs, 2);

	config_publish(b);
	/* The old snapshot stays readable for its holder. */
	ck_assert_int_eq(r1->max_relays, 111);
	ck_assert_int_eq(a->refs, 1);
	ck_assert_int_eq(b->refs, 1);

	r3 = config_current();
	ck_assert_ptr_eq(r3, b);
	ck_assert_int_eq(r3->max_relays, 222);
	ck_assert_int_eq(b->refs, 2);
	config_release(r3);
	ck_assert_int_eq(b->refs, 1);

	config_release(r1);	/* frees a */
	r3 = config_current();
	ck_assert_ptr_eq(r3, b);
	config_release(r3);
}
END_TEST

START_TEST(test_listen_groups)
{
	struct config *c = load_ok("listen = ( \"127.0.0.1:1080\",\n"
	    "  { address = \"[::1]:1080\"; protocol = \"socks\"; "
	    "socks4 = true; },\n"
	    "  { address = \"127.0.0.1:3128\"; protocol = \"http\"; },\n"
	    "  { address = \"127.0.0.1:2222\"; protocol = \"portmap\";\n"
	    "    to = \"v6only.example:22\"; },\n"
	    "  { address = \"127.0.0.1:2222\"; protocol = \"portmap\";\n"
	    "    transport = \"udp\"; to = \"[2001:db8::53]:53\"; } );\n");

	ck_assert_uint_eq(c->nlisten, 5);
	ck_assert_int_eq(c->listen[0].proto, LISTEN_SOCKS);
	ck_assert(!c->listen[0].socks4);
	ck_assert_int_eq(c->listen[1].proto, LISTEN_SOCKS);
	ck_assert(c->listen[1].socks4);
	ck_assert_int_eq(c->listen[2].proto, LISTEN_HTTP);
	ck_assert_str_eq(config_listen_proto_str(c->listen[2].proto), "http");
	ck_assert_int_eq(c->listen[3].proto, LISTEN_PORTMAP);
	ck_assert(!c->listen[3].udp);
	ck_assert_str_eq(c->listen[3].to_host, "v6only.example");
	ck_assert_uint_eq(c->listen[3].to_port, 22);
	/* The same address, another transport: both may be bound. */
	ck_assert(c->listen[4].udp);
	ck_assert_str_eq(c->listen[4].to_host, "2001:db8::53");
	ck_assert_uint_eq(c->listen[4].to_port, 53);
	ck_assert_int_eq(c->listen[4].line, 6);
	ck_assert(!c->listen[0].proxy_protocol);
	config_free(c);
}
END_TEST

START_TEST(test_listen_proxy)
{
	struct config *c = load_ok("listen = (\n"
	    "  { address = \"127.0.0.1:1080\"; proxy_protocol = true;\n"
	    "    proxy_from = [ \"10.0.0.5\", \"2001:db8::/64\" ]; },\n"
	    "  { address = \"127.0.0.1:3128\"; protocol = \"http\";\n"
	    "    proxy_protocol = false; },\n"
	    "  { address = \"127.0.0.1:2222\"; protocol = \"portmap\";\n"
	    "    to = \"a:22\"; proxy_protocol = true;\n"
	    "    proxy_from = [ \"127.0.0.1\" ]; } );\n");
	struct sockaddr_storage ss;
	socklen_t len;

	ck_assert(c->listen[0].proxy_protocol);
	ck_assert_uint_eq(c->listen[0].nproxy_from, 2);
	ck_assert(!c->listen[1].proxy_protocol);
	ck_assert(c->listen[2].proxy_protocol);
	ck_assert_int_eq(addr_parse_sockaddr("10.0.0.5:9", &ss, &len), ADDR_OK);
	ck_assert(config_listen_proxy_ok(&c->listen[0],
	    (struct sockaddr *)&ss));
	ck_assert(!config_listen_proxy_ok(&c->listen[2],
	    (struct sockaddr *)&ss));
	ck_assert(!config_listen_proxy_ok(&c->listen[1],
	    (struct sockaddr *)&ss));
	ck_assert_int_eq(addr_parse_sockaddr("[2001:db8::9]:9", &ss, &len),
	    ADDR_OK);
	ck_assert(config_listen_proxy_ok(&c->listen[0],
	    (struct sockaddr *)&ss));
	ck_assert_int_eq(addr_parse_sockaddr("10.0.0.6:9", &ss, &len), ADDR_OK);
	ck_assert(!config_listen_proxy_ok(&c->listen[0],
	    (struct sockaddr *)&ss));
	config_free(c);
}
END_TEST

START_TEST(test_listen_transparent)
{
	struct config *c = load_ok("listen = (\n"
	    "  { address = \"0.0.0.0:1081\"; protocol = \"transparent\"; },\n"
	    "  { address = \"[::]:1081\"; protocol = \"transparent\";\n"
	    "    tproxy = true; proxy_protocol = false; } );\n");
	struct config *d = load_ok("listen = (\n"
	    "  { address = \"0.0.0.0:1081\"; protocol = \"transparent\"; },\n"
	    "  { address = \"[::]:1081\"; protocol = \"transparent\"; } );\n");

	ck_assert_uint_eq(c->nlisten, 2);
	ck_assert_int_eq(c->listen[0].proto, LISTEN_TRANSPARENT);
	ck_assert_str_eq(config_listen_proto_str(c->listen[0].proto),
	    "transparent");
	ck_assert(!c->listen[0].tproxy);
	ck_assert(c->listen[1].tproxy);
	ck_assert_ptr_null(config_listen_via(c, &c->listen[0]));
	/* tproxy is how the socket is bound: another listener. */
	ck_assert(!config_same_listeners(c, d));
	ck_assert(config_same_listeners(c, c));
	config_free(c);
	config_free(d);
}
END_TEST

/* via on a mapping: chains into the hop table, found by address. */
START_TEST(test_listen_via)
{
	struct config *c = load_ok("hops = ( { name = \"gw2\"; "
	    "address = \"[2001:db8::2]:1080\"; } );\n"
	    "listen = ( \"127.0.0.1:1080\",\n"
	    "  { address = \"127.0.0.1:2222\"; protocol = \"portmap\";\n"
	    "    to = \"v6only.example:22\"; via = ( \"gw2\" ); },\n"
	    "  { address = \"127.0.0.1:2223\"; protocol = \"portmap\";\n"
	    "    to = \"[::1]:22\"; via = ( ( \"gw2\" ),\n"
	    "      ( { address = \"192.0.2.3:1080\"; } ) ); },\n"
	    "  { address = \"127.0.0.1:2224\"; protocol = \"portmap\";\n"
	    "    to = \"[::1]:22\"; } );\n");
	const struct route *rt;

	ck_assert_ptr_null(config_listen_via(c, &c->listen[0]));
	rt = config_listen_via(c, &c->listen[1]);
	ck_assert_ptr_nonnull(rt);
	ck_assert_uint_eq(rt->nchains, 1);
	ck_assert_uint_eq(rt->chains[0].nhops, 1);
	ck_assert_str_eq(c->hops[rt->chains[0].hops[0]].name, "gw2");
	rt = config_listen_via(c, &c->listen[2]);
	ck_assert_ptr_nonnull(rt);
	ck_assert_uint_eq(rt->nchains, 2);
	ck_assert_str_eq(c->hops[rt->chains[1].hops[0]].host, "192.0.2.3");
	ck_assert_ptr_null(config_listen_via(c, &c->listen[3]));
	ck_assert_uint_eq(c->nroutes, 0);
	config_free(c);
}
END_TEST

/* --- config_same_listeners --- */

START_TEST(test_same_listeners)
{
	struct config *a = load_ok("listen = [ \"127.0.0.1:1080\", "
	    "\"[::1]:1080\" ];\n");
	struct config *b = load_ok("listen = [ \"127.0.0.1:1080\", "
	    "\"[::1]:1080\" ];\nlimits: { max_relays = 5; };\n"
	    "rules = ( { action = \"allow\"; } );\n");
	struct config *c = load_ok("listen = [ \"127.0.0.1:1081\", "
	    "\"[::1]:1080\" ];\n");
	struct config *d = load_ok("listen = [ \"127.0.0.1:1080\" ];\n");
	struct config *e = load_ok("listen = [ \"127.0.0.2:1080\", "
	    "\"[::1]:1080\" ];\n");
	struct config *f = load_ok("");	/* default listeners */
	struct config *g = load_ok("listen = [ \"127.0.0.1:1080\", "
	    "\"[::1]:1080\", \"[::2]:1080\" ];\n");

	ck_assert(config_same_listeners(a, a));
	ck_assert(config_same_listeners(a, b));
	ck_assert(config_same_listeners(b, a));
	ck_assert(config_same_listeners(a, f));
	ck_assert(!config_same_listeners(a, c));
	ck_assert(!config_same_listeners(a, d));
	ck_assert(!config_same_listeners(d, a));
	ck_assert(!config_same_listeners(a, e));
	ck_assert(!config_same_listeners(a, g));
	ck_assert(!config_same_listeners(g, a));
	/* The same address speaking another protocol is another listener. */
	config_free(d);
	d = load_ok("listen = ( \"127.0.0.1:1080\", { address = "
	    "\"[::1]:1080\"; protocol = \"http\"; } );\n");
	ck_assert(!config_same_listeners(a, d));
	config_free(e);
	e = load_ok("listen = ( \"127.0.0.1:1080\", { address = "
	    "\"[::1]:1080\"; socks4 = true; } );\n");
	ck_assert(!config_same_listeners(a, e));
	/* proxy_protocol and its balancers are part of a listener. */
	config_free(e);
	e = load_ok("listen = ( \"127.0.0.1:1080\", { address = "
	    "\"[::1]:1080\"; proxy_protocol = true; proxy_from = "
	    "[ \"::1\" ]; } );\n");
	ck_assert(!config_same_listeners(a, e));
	config_free(d);
	d = load_ok("listen = ( \"127.0.0.1:1080\", { address = "
	    "\"[::1]:1080\"; proxy_protocol = true; proxy_from = "
	    "[ \"::2\" ]; } );\n");
	ck_assert(!config_same_listeners(d, e));
	ck_assert(config_same_listeners(e, e));
	config_free(a);
	config_free(b);
	config_free(c);
	config_free(d);
	config_free(e);
	config_free(f);
	config_free(g);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("good");
	tcase_add_test(tc, test_good_full);
	tcase_add_test(tc, test_good_minimal);
	tcase_add_test(tc, test_embedded_default);
	tcase_add_test(tc, test_empty_config_defaults);
	tcase_add_test(tc, test_partial_groups_defaults);
	tcase_add_test(tc, test_boundaries_accepted);
	tcase_add_test(tc, test_rule_policy_keys);
	tcase_add_test(tc, test_rule_limits);
	tcase_add_test(tc, test_control);
	tcase_add_test(tc, test_metrics);
	tcase_add_test(tc, test_state);
	tcase_add_test(tc, test_fake);
	tcase_add_test(tc, test_listen_groups);
	tcase_add_test(tc, test_listen_proxy);
	tcase_add_test(tc, test_listen_transparent);
	tcase_add_test(tc, test_listen_via);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_bad_too_many_listeners);
	tcase_add_test(tc, test_error_truncated);
	tcase_add_test(tc, test_load_file_missing);
	tcase_add_test(tc, test_load_file_bad);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("snapshot");
	tcase_add_test(tc, test_snapshot_refs);
	tcase_add_test(tc, test_same_listeners);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
