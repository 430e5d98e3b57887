/*
 * check_env.c - unit tests for the Socks Lib's settings (preload/env.h).
 *
 * Covered: env_parse through a fake getter over "NAME=value" arrays:
 * defaults (nothing set, only the gateway, every variable empty), gateway
 * lists (order, the bound of 8, empty and repeated entries, errors that
 * name the entry) and SIXGATE_GATEWAY_BACKOFF, every
 * variable with good values, boundaries and bad values (each error names
 * its variable, leaves enabled false, never quotes the password, wipes
 * it), log settings kept after an error elsewhere, small error buffers;
 * env_name_is_direct (exact names, ".suffix" rules, case, trailing dot);
 * env_hosts_has_name (comments, aliases, tabs, CRLF, IPv6 and scoped
 * lines, malformed lines, names only in comments, partial words, text
 * without a final newline or NUL, the length bound).
 */
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

#define PW	"Zq7-s3cr3t-pw"
#define GW	"SIXGATE_GATEWAY=gw.example:1080"

/* A NULL-terminated list of "NAME=value" strings. */
#define VARS(...)	((const char *const[]){ __VA_ARGS__, NULL })

/* --- helpers --- */

/* The getter: first "name=" entry of the array ctx. */
static const char *
fake_get(const char *name, void *ctx)
{
	const char *const *v = ctx;
	size_t n = strlen(name);

	for (; *v != NULL; v++)
		if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

static enum env_status
parse(const char *const *vars, struct env_config *c, char *err,
    size_t errlen)
{
	memset(c, 0xA5, sizeof(*c));	/* nothing may survive from before */
	return env_parse(fake_get, (void *)(uintptr_t)vars, c, err, errlen);
}

static void
parse_ok(const char *const *vars, struct env_config *c)
{
	char err[256];
	enum env_status st;

	memset(err, 'X', sizeof(err));
	st = parse(vars, c, err, sizeof(err));
	ck_assert_msg(st == ENV_OK, "%s: refused: %s", vars[0], err);
	ck_assert_str_eq(err, "");
}

/*
 * name=value together with a valid gateway, user and password must be
 * refused with "name: ...", enabled false, the password neither in err
 * nor left in c.
 */
static void
one_bad(const char *name, const char *value)
{
	char var[8192], err[512];
	struct env_config c;
	enum env_status st;

	snprintf(var, sizeof(var), "%s=%s", name, value);
	memset(err, 'X', sizeof(err));
	st = parse(VARS(var, GW, "SIXGATE_USER=alice", "SIXGATE_PASSWORD=" PW),
	    &c, err, sizeof(err));
	ck_assert_msg(st == ENV_ERR, "%s='%.60s' accepted", name, value);
	ck_assert_msg(!c.enabled, "%s: enabled after an error", name);
	ck_assert_msg(strncmp(err, name, strlen(name)) == 0 &&
	    strncmp(err + strlen(name), ": ", 2) == 0 &&
	    strlen(err) > strlen(name) + 2,
	    "%s='%.60s': error \"%s\"", name, value, err);
	ck_assert_msg(strstr(err, PW) == NULL, "password in \"%s\"", err);
	ck_assert_msg(c.password[0] == '\0', "password kept after error");
}

/* name=value (with the gateway) is accepted; c returned for checks. */
static void
one_ok(const char *name, const char *value, struct env_config *c)
{
	char var[8192];

	snprintf(var, sizeof(var), "%s=%s", name, value);
	parse_ok(VARS(var, GW), c);
	ck_assert_msg(c->enabled, "%s='%.60s': not enabled", name, value);
}

static char *
repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

static void
check_cidr(const struct addr_cidr *c, int family, const char *addr,
    unsigned prefix)
{
	uint8_t want[16] = { 0 };

	ck_assert_int_eq(c->family, family);
	ck_assert_int_eq(inet_pton(family, addr, want), 1);
	ck_assert_msg(memcmp(c->addr, want, family == AF_INET ? 4 : 16) == 0,
	    "network is not %s", addr);
	ck_assert_uint_eq(c->prefix, prefix);
}

static void
check_defaults(const struct env_config *c)
{
	ck_assert_str_eq(c->user, "");
	ck_assert_str_eq(c->password, "");
	ck_assert_str_eq(c->password_file, "");
	ck_assert_uint_eq(c->ndirect, 0);
	ck_assert_uint_eq(c->ndirect_names, 0);
	check_cidr(&c->fake4, AF_INET, "240.0.0.0", 12);
	check_cidr(&c->fake6, AF_INET6, "100::", 64);
	ck_assert_str_eq(c->table, "");
	ck_assert_int_eq(c->pipeline, ENV_PIPELINE_AUTO);
	ck_assert_int_eq(c->verify, ENV_VERIFY_AUTO);
	ck_assert_int_eq(c->verify_ttl, 300);
	ck_assert_int_eq(c->verify_negative_ttl, 30);
	ck_assert(!c->verify_fail_closed);
	ck_assert_int_eq(c->timeout_ms, 10000);
	ck_assert_int_eq(c->gw_backoff, 30);
	ck_assert_int_eq(c->log_level, 0);
	ck_assert_str_eq(c->log_file, "");
}

/* --- env_parse: defaults --- */

START_TEST(test_defaults_unset)
{
	struct env_config c;

	parse_ok(VARS("PATH=/bin", "SIXGATE_GATEWAYX=gw:1"), &c);
	ck_assert(!c.enabled);
	ck_assert_uint_eq(c.ngw, 0);
	check_defaults(&c);
}
END_TEST

START_TEST(test_defaults_gateway_only)
{
	struct env_config c;

	parse_ok(VARS(GW), &c);
	ck_assert(c.enabled);
	ck_assert_uint_eq(c.ngw, 1);
	ck_assert_str_eq(c.gw[0].host, "gw.example");
	ck_assert_uint_eq(c.gw[0].port, 1080);
	check_defaults(&c);
}
END_TEST

START_TEST(test_empty_is_unset)
{
	struct env_config c;

	parse_ok(VARS("SIXGATE_GATEWAY=", "SIXGATE_USER=",
	    "SIXGATE_PASSWORD=", "SIXGATE_PASSWORD_FILE=", "SIXGATE_DIRECT=",
	    "SIXGATE_DIRECT_NAMES=", "SIXGATE_FAKE_IPV4=",
	    "SIXGATE_FAKE_IPV6=", "SIXGATE_TABLE=", "SIXGATE_PIPELINE=",
	    "SIXGATE_TIMEOUT=", "SIXGATE_LOG=", "SIXGATE_LOG_FILE=",
	    "SIXGATE_VERIFY_NAMES=", "SIXGATE_VERIFY_TTL=",
	    "SIXGATE_VERIFY_NEGATIVE_TTL=", "SIXGATE_VERIFY_UNREACHABLE=",
	    "SIXGATE_GATEWAY_BACKOFF="), &c);
	ck_assert(!c.enabled);
	check_defaults(&c);
}
END_TEST

START_TEST(test_all_set)
{
	struct env_config c;

	parse_ok(VARS("SIXGATE_GATEWAY=[2001:db8::1]:1081",
	    "SIXGATE_USER=alice", "SIXGATE_PASSWORD=" PW,
	    "SIXGATE_PASSWORD_FILE=/home/alice/.sixgate-pw",
	    "SIXGATE_DIRECT=10.0.0.0/8,fd00::/8",
	    "SIXGATE_DIRECT_NAMES=.lan,nas.home",
	    "SIXGATE_FAKE_IPV4=10.64.0.0/10", "SIXGATE_FAKE_IPV6=fd5e::/48",
	    "SIXGATE_TABLE=/run/user/1000/sixgate/1.map",
	    "SIXGATE_PIPELINE=off", "SIXGATE_TIMEOUT=3", "SIXGATE_LOG=1",
	    "SIXGATE_LOG_FILE=/tmp/sg.log"), &c);
	ck_assert(c.enabled);
	ck_assert_str_eq(c.gw[0].host, "2001:db8::1");
	ck_assert_uint_eq(c.gw[0].port, 1081);
	ck_assert_str_eq(c.user, "alice");
	ck_assert_str_eq(c.password, PW);
	ck_assert_str_eq(c.password_file, "/home/alice/.sixgate-pw");
	ck_assert_uint_eq(c.ndirect, 2);
	check_cidr(&c.direct[0], AF_INET, "10.0.0.0", 8);
	check_cidr(&c.direct[1], AF_INET6, "fd00::", 8);
	ck_assert_uint_eq(c.ndirect_names, 2);
	ck_assert_str_eq(c.direct_names[0], ".lan");
	ck_assert_str_eq(c.direct_names[1], "nas.home");
	check_cidr(&c.fake4, AF_INET, "10.64.0.0", 10);
	check_cidr(&c.fake6, AF_INET6, "fd5e::", 48);
	ck_assert_str_eq(c.table, "/run/user/1000/sixgate/1.map");
	ck_assert_int_eq(c.pipeline, ENV_PIPELINE_OFF);
	ck_assert_int_eq(c.timeout_ms, 3000);
	ck_assert_int_eq(c.log_level, 1);
	ck_assert_str_eq(c.log_file, "/tmp/sg.log");
}
END_TEST

/* --- SIXGATE_GATEWAY --- */

START_TEST(test_gateway_ok)
{
	static const struct {
		const char	*v, *host;
		uint16_t	 port;
	} t[] = {
		{ "gw.example:1080", "gw.example", 1080 },
		{ "GW.Example.:1", "GW.Example.", 1 },
		{ "gw:65535", "gw", 65535 },
		{ "a-b_c.d9:443", "a-b_c.d9", 443 },
		{ "192.0.2.1:1080", "192.0.2.1", 1080 },
		{ "[2001:db8::1]:1080", "2001:db8::1", 1080 },
		{ "[::1]:9050", "::1", 9050 },
		{ "[::ffff:192.0.2.1]:80", "::ffff:192.0.2.1", 80 },
		{ "[fe80::1%eth0]:1080", "fe80::1%eth0", 1080 },
		{ "[fe80::1%2]:1080", "fe80::1%2", 1080 },
		/* Blanks around a list entry are not part of it. */
		{ " gw:80", "gw", 80 },
		{ "gw:80 ", "gw", 80 },
	};
	struct env_config c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		one_ok("SIXGATE_GATEWAY", t[i].v, &c);
		ck_assert_str_eq(c.gw[0].host, t[i].host);
		ck_assert_uint_eq(c.gw[0].port, t[i].port);
		ck_assert_uint_eq(c.ngw, 1);
	}
}
END_TEST

START_TEST(test_gateway_name_lengths)
{
	char v[400];
	char *l63 = repeat('a', 63), *l64 = repeat('a', 64);
	struct env_config c;

	/* 4 * 63 + 3 dots = 255 bytes: the longest name. */
	snprintf(v, sizeof(v), "%s.%s.%s.%s:1", l63, l63, l63, l63);
	one_ok("SIXGATE_GATEWAY", v, &c);
	ck_assert_uint_eq(strlen(c.gw[0].host), 255);
	snprintf(v, sizeof(v), "%s.%s.%s.%sa:1", l63, l63, l63, l63);
	one_bad("SIXGATE_GATEWAY", v);
	snprintf(v, sizeof(v), "%s.x:1", l64);
	one_bad("SIXGATE_GATEWAY", v);
	free(l63);
	free(l64);
}
END_TEST

START_TEST(test_gateway_bad)
{
	static const char *const bad[] = {
		"gw", "gw:", "gw:0", "gw:65536", "gw:99999999", "gw:-1",
		"gw:+80", "gw:80x", "gw :80", ":1080",
		"bad host:1080", "a..b:1", ".gw:1", "gw..:1", "gw/x:1",
		"gw@x:1", "2001:db8::1:1080", "::1", "[2001:db8::1]",
		"[2001:db8::1]1080", "[2001:db8::1]:", "[2001:db8::1]:0",
		"[2001:db8::1", "[]:1080", "[gw.example]:1080",
		"[192.0.2.1]:1080", "[fe80::1%]:1080", "[fe80::1%a b]:1080",
		"[2001:db8::g]:1080", "user@gw:1080",
		/* Lists: empty entries, a bad entry anywhere, repeats. */
		",", "gw:1,", ",gw:1", "gw:1,,gw:2", "gw:1, ,gw:2",
		"gw:1,gw", "gw:1,[::1]", "gw:1,gw:1", "gw:1,GW.:1",
		"gw:1,gw:2,gw:1", "[::1]:1,[::1]:1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		one_bad("SIXGATE_GATEWAY", bad[i]);
}
END_TEST

/* --- gateway lists (SIXGATE_GATEWAY with commas) --- */

START_TEST(test_gateway_list)
{
	struct env_config c;

	one_ok("SIXGATE_GATEWAY", "gw1.example:1080,[2001:db8::2]:1080, "
	    "192.0.2.9:1081", &c);
	ck_assert_uint_eq(c.ngw, 3);
	ck_assert_str_eq(c.gw[0].host, "gw1.example");
	ck_assert_uint_eq(c.gw[0].port, 1080);
	ck_assert_str_eq(c.gw[1].host, "2001:db8::2");
	ck_assert_uint_eq(c.gw[1].port, 1080);
	ck_assert_str_eq(c.gw[2].host, "192.0.2.9");
	ck_assert_uint_eq(c.gw[2].port, 1081);
	/* Same host, other port; same port, other host: both distinct. */
	one_ok("SIXGATE_GATEWAY", "gw:1,gw:2,gx:1", &c);
	ck_assert_uint_eq(c.ngw, 3);
}
END_TEST

START_TEST(test_gateway_list_max)
{
	char v[512], err[256];
	struct env_config c;
	size_t i, n = 0;

	for (i = 0; i < ENV_GATEWAYS_MAX; i++)
		n += (size_t)snprintf(v + n, sizeof(v) - n, "%sgw%zu:1080",
		    i > 0 ? "," : "", i);
	one_ok("SIXGATE_GATEWAY", v, &c);
	ck_assert_uint_eq(c.ngw, ENV_GATEWAYS_MAX);
	ck_assert_str_eq(c.gw[ENV_GATEWAYS_MAX - 1].host, "gw7");
	snprintf(v + n, sizeof(v) - n, ",gw%d:1080", ENV_GATEWAYS_MAX);
	one_bad("SIXGATE_GATEWAY", v);
	/* The error says what the bound is. */
	{
		char var[600];

		snprintf(var, sizeof(var), "SIXGATE_GATEWAY=%s", v);
		ck_assert_int_eq(parse(VARS(var), &c, err, sizeof(err)),
		    ENV_ERR);
		ck_assert_str_eq(err, "SIXGATE_GATEWAY: more than 8 gateways");
	}
}
END_TEST

/* Errors name the entry at fault, not the whole list. */
START_TEST(test_gateway_list_errors)
{
	struct env_config c;
	char err[256];

	ck_assert_int_eq(parse(VARS("SIXGATE_GATEWAY=gw:1,gw2"), &c, err,
	    sizeof(err)), ENV_ERR);
	ck_assert_msg(strstr(err, "'gw2'") != NULL, "%s", err);
	ck_assert_int_eq(parse(VARS("SIXGATE_GATEWAY=gw:1,,gw:2"), &c, err,
	    sizeof(err)), ENV_ERR);
	ck_assert_msg(strstr(err, "empty entry") != NULL, "%s", err);
	ck_assert_int_eq(parse(VARS("SIXGATE_GATEWAY=a:1,b:2,A:1"), &c, err,
	    sizeof(err)), ENV_ERR);
	ck_assert_msg(strstr(err, "'A:1' is listed twice") != NULL, "%s", err);
	ck_assert(!c.enabled);
}
END_TEST

START_TEST(test_gateway_backoff)
{
	struct env_config c;

	one_ok("SIXGATE_GATEWAY_BACKOFF", "0", &c);
	ck_assert_int_eq(c.gw_backoff, 0);
	one_ok("SIXGATE_GATEWAY_BACKOFF", "5", &c);
	ck_assert_int_eq(c.gw_backoff, 5);
	one_ok("SIXGATE_GATEWAY_BACKOFF", "86400", &c);
	ck_assert_int_eq(c.gw_backoff, 86400);
	one_bad("SIXGATE_GATEWAY_BACKOFF", "86401");
	one_bad("SIXGATE_GATEWAY_BACKOFF", "-1");
	one_bad("SIXGATE_GATEWAY_BACKOFF", "30s");
	one_bad("SIXGATE_GATEWAY_BACKOFF", " 30");
}
END_TEST

/* --- credentials --- */

START_TEST(test_user)
{
	char *u255 = repeat('u', 255), *u256 = repeat('u', 256);
	struct env_config c;

	one_ok("SIXGATE_USER", "a", &c);
	ck_assert_str_eq(c.user, "a");
	one_ok("SIXGATE_USER", "bob smith@EXAMPLE", &c);
	ck_assert_str_eq(c.user, "bob smith@EXAMPLE");
	one_ok("SIXGATE_USER", u255, &c);
	ck_assert_str_eq(c.user, u255);
	one_bad("SIXGATE_USER", u256);
	free(u255);
	free(u256);
}
END_TEST

START_TEST(test_password)
{
	char *p255 = repeat('Q', 255), *p256 = repeat('Q', 256);
	char var[300], err[512];
	struct env_config c;

	one_ok("SIXGATE_PASSWORD", "x", &c);
	ck_assert_str_eq(c.password, "x");
	one_ok("SIXGATE_PASSWORD", "p a:s,s#w=rd", &c);
	ck_assert_str_eq(c.password, "p a:s,s#w=rd");
	one_ok("SIXGATE_PASSWORD", p255, &c);
	ck_assert_str_eq(c.password, p255);
	/* Too long: the error must quote none of it. */
	snprintf(var, sizeof(var), "SIXGATE_PASSWORD=%s", p256);
	ck_assert_int_eq(parse(VARS(var, GW), &c, err, sizeof(err)),
	    ENV_ERR);
	ck_assert_msg(strncmp(err, "SIXGATE_PASSWORD: ", 18) == 0, "%s", err);
	ck_assert_msg(strstr(err, "QQ") == NULL, "password in \"%s\"", err);
	ck_assert(!c.enabled);
	ck_assert_msg(c.password[0] == '\0' && c.password[200] == '\0',
	    "long password partly kept");
	free(p255);
	free(p256);
}
END_TEST

/* Every kind of error, with a password set: never quoted in err. */
START_TEST(test_password_never_in_err)
{
	static const char *const bad[][2] = {
		{ "SIXGATE_GATEWAY", "gw:0" },
		{ "SIXGATE_GATEWAY", "[gw]:1" },
		{ "SIXGATE_USER", NULL },
		{ "SIXGATE_PASSWORD", NULL },
		{ "SIXGATE_PASSWORD_FILE", "pw.txt" },
		{ "SIXGATE_DIRECT", "10.0.0.0/33" },
		{ "SIXGATE_DIRECT_NAMES", "a..b" },
		{ "SIXGATE_FAKE_IPV4", "10.0.0.0/31" },
		{ "SIXGATE_FAKE_IPV6", "10.0.0.0/8" },
		{ "SIXGATE_TABLE", "t.map" },
		{ "SIXGATE_PIPELINE", "maybe" },
		{ "SIXGATE_TIMEOUT", "0" },
		{ "SIXGATE_LOG", "3" },
		{ "SIXGATE_LOG_FILE", "log" },
	};
	char *long_value = repeat('L', 256);
	size_t i;

	/* one_bad() sets SIXGATE_PASSWORD=PW and checks err for it. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		one_bad(bad[i][0], bad[i][1] != NULL ? bad[i][1] : long_value);
	free(long_value);
}
END_TEST

/* --- paths --- */

static void
check_path(const char *name, size_t off)
{
	char *p4095 = repeat('p', 4095), *p4096 = repeat('p', 4096);
	struct env_config c;
	char *field = (char *)&c + off;

	p4095[0] = '/';
	p4096[0] = '/';
	one_ok(name, "/etc/sixgate/pw", &c);
	ck_assert_str_eq(field, "/etc/sixgate/pw");
	one_ok(name, "/a b/c,d", &c);
	ck_assert_str_eq(field, "/a b/c,d");
	one_ok(name, p4095, &c);
	ck_assert_str_eq(field, p4095);
	one_bad(name, p4096);
	one_bad(name, "relative/file");
	one_bad(name, "./file");
	one_bad(name, "~/file");
	free(p4095);
	free(p4096);
}

START_TEST(test_paths)
{
	check_path("SIXGATE_PASSWORD_FILE",
	    offsetof(struct env_config, password_file));
	check_path("SIXGATE_TABLE", offsetof(struct env_config, table));
	check_path("SIXGATE_LOG_FILE", offsetof(struct env_config, log_file));
}
END_TEST

/* --- SIXGATE_DIRECT --- */

START_TEST(test_direct_ok)
{
	struct env_config c;

	one_ok("SIXGATE_DIRECT", "192.168.0.0/16", &c);
	ck_assert_uint_eq(c.ndirect, 1);
	check_cidr(&c.direct[0], AF_INET, "192.168.0.0", 16);

	one_ok("SIXGATE_DIRECT", " 10.1.2.3/8 ,\t192.0.2.7,2001:db8::/32 , "
	    "2001:db8::5 ,0.0.0.0/0", &c);
	ck_assert_uint_eq(c.ndirect, 5);
	check_cidr(&c.direct[0], AF_INET, "10.0.0.0", 8);	/* masked */
	check_cidr(&c.direct[1], AF_INET, "192.0.2.7", 32);
	check_cidr(&c.direct[2], AF_INET6, "2001:db8::", 32);
	check_cidr(&c.direct[3], AF_INET6, "2001:db8::5", 128);
	check_cidr(&c.direct[4], AF_INET, "0.0.0.0", 0);
}
END_TEST

START_TEST(test_direct_max)
{
	char v[1024];
	size_t i, n = 0;
	struct env_config c;

	for (i = 0; i < ENV_DIRECT_MAX; i++)
		n += (size_t)snprintf(v + n, sizeof(v) - n, "%s10.%zu.0.0/16",
		    i > 0 ? ", " : "", i);
	one_ok("SIXGATE_DIRECT", v, &c);
	ck_assert_uint_eq(c.ndirect, ENV_DIRECT_MAX);
	check_cidr(&c.direct[ENV_DIRECT_MAX - 1], AF_INET, "10.31.0.0", 16);
	snprintf(v + n, sizeof(v) - n, ",fd00::/8");
	one_bad("SIXGATE_DIRECT", v);
}
END_TEST

START_TEST(test_direct_bad)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x",
		"lan", "10.0.0.0/8,,192.0.2.0/24", "10.0.0.0/8,", ",10.0.0.0/8",
		" , ", "10.0.0.0/8;192.0.2.0/24", "10.0.0.0 /8", "10.1",
		"10.0.0.0/8 192.0.2.0/24",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999/64",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		one_bad("SIXGATE_DIRECT", bad[i]);
}
END_TEST

/* --- SIXGATE_DIRECT_NAMES --- */

START_TEST(test_names_ok)
{
	struct env_config c;

	one_ok("SIXGATE_DIRECT_NAMES", ".LAN., Nas.Home. ,\tintranet,.corp-1."
	    "example", &c);
	ck_assert_uint_eq(c.ndirect_names, 4);
	ck_assert_str_eq(c.direct_names[0], ".lan");
	ck_assert_str_eq(c.direct_names[1], "nas.home");
	ck_assert_str_eq(c.direct_names[2], "intranet");
	ck_assert_str_eq(c.direct_names[3], ".corp-1.example");
}
END_TEST

START_TEST(test_names_lengths)
{
	char *n255 = repeat('a', 255), *n256;
	struct env_config c;
	size_t i;

	/* Labels of 63: dots at 63, 127, 191 -> 255 bytes. */
	for (i = 63; i < 255; i += 64)
		n255[i] = '.';
	one_ok("SIXGATE_DIRECT_NAMES", n255, &c);
	ck_assert_str_eq(c.direct_names[0], n255);
	n256 = malloc(257);
	ck_assert_ptr_nonnull(n256);
	snprintf(n256, 257, ".%s", n255);
	one_bad("SIXGATE_DIRECT_NAMES", n256);
	n256[0] = 'b';
	one_bad("SIXGATE_DIRECT_NAMES", n256);
	/* Stored with its leading dot, a 254-byte suffix still fits. */
	n256[0] = '.';
	n256[255] = '\0';
	n256[254] = 'a';
	one_ok("SIXGATE_DIRECT_NAMES", n256, &c);
	ck_assert_uint_eq(strlen(c.direct_names[0]), 255);
	free(n255);
	free(n256);
}
END_TEST

START_TEST(test_names_max)
{
	char v[1024];
	size_t i, n = 0;
	struct env_config c;

	for (i = 0; i < ENV_NAMES_MAX; i++)
		n += (size_t)snprintf(v + n, sizeof(v) - n, "%s.d%zu",
		    i > 0 ? "," : "", i);
	one_ok("SIXGATE_DIRECT_NAMES", v, &c);
	ck_assert_uint_eq(c.ndirect_names, ENV_NAMES_MAX);
	ck_assert_str_eq(c.direct_names[ENV_NAMES_MAX - 1], ".d31");
	snprintf(v + n, sizeof(v) - n, ",x");
	one_bad("SIXGATE_DIRECT_NAMES", v);
}
END_TEST

START_TEST(test_names_bad)
{
	static const char *const bad[] = {
		".", "..", "..lan", "a..b", "lan..", "a,,b", "a,", ",a",
		"bad name", "a/b", "*.lan", "a.lan;b", "l\xc3\xa4n", " , ",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		one_bad("SIXGATE_DIRECT_NAMES", bad[i]);
}
END_TEST

/* --- fake ranges --- */

START_TEST(test_fake4)
{
	struct env_config c;

	one_ok("SIXGATE_FAKE_IPV4", "10.64.0.0/10", &c);
	check_cidr(&c.fake4, AF_INET, "10.64.0.0", 10);
	check_cidr(&c.fake6, AF_INET6, "100::", 64);
	one_ok("SIXGATE_FAKE_IPV4", "198.18.0.4/30", &c);
	check_cidr(&c.fake4, AF_INET, "198.18.0.4", 30);
	one_bad("SIXGATE_FAKE_IPV4", "198.18.0.4/31");
	one_bad("SIXGATE_FAKE_IPV4", "198.18.0.4");	/* a /32 */
	one_bad("SIXGATE_FAKE_IPV4", "100::/64");
	one_bad("SIXGATE_FAKE_IPV4", "240.0.0.0/33");
	one_bad("SIXGATE_FAKE_IPV4", "240.0.0.0/12,10.0.0.0/8");
	one_bad("SIXGATE_FAKE_IPV4", "fake");
}
END_TEST

START_TEST(test_fake6)
{
	struct env_config c;

	one_ok("SIXGATE_FAKE_IPV6", "fd5e:1::/48", &c);
	check_cidr(&c.fake6, AF_INET6, "fd5e:1::", 48);
	check_cidr(&c.fake4, AF_INET, "240.0.0.0", 12);
	one_ok("SIXGATE_FAKE_IPV6", "100::4/126", &c);
	check_cidr(&c.fake6, AF_INET6, "100::4", 126);
	one_bad("SIXGATE_FAKE_IPV6", "100::4/127");
	one_bad("SIXGATE_FAKE_IPV6", "100::4");
	one_bad("SIXGATE_FAKE_IPV6", "240.0.0.0/12");
	one_bad("SIXGATE_FAKE_IPV6", "100::/129");
	one_bad("SIXGATE_FAKE_IPV6", "[100::]/64");
}
END_TEST

/* --- small settings --- */

START_TEST(test_pipeline)
{
	static const struct {
		const char		*v;
		enum env_pipeline	 want;
	} t[] = {
		{ "auto", ENV_PIPELINE_AUTO }, { "on", ENV_PIPELINE_ON },
		{ "off", ENV_PIPELINE_OFF }, { "OFF", ENV_PIPELINE_OFF },
		{ "On", ENV_PIPELINE_ON },
	};
	static const char *const bad[] = {
		"yes", "1", "onn", "of", "auto ", " on", "aut", "autoo",
	};
	struct env_config c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		one_ok("SIXGATE_PIPELINE", t[i].v, &c);
		ck_assert_int_eq(c.pipeline, t[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		one_bad("SIXGATE_PIPELINE", bad[i]);
}
END_TEST

/*
 * Look-up time verification: SIXGATE_VERIFY_NAMES auto|on|off,
 * SIXGATE_VERIFY_TTL and SIXGATE_VERIFY_NEGATIVE_TTL (seconds, 0..86400),
 * SIXGATE_VERIFY_UNREACHABLE fake|fail; defaults auto, 300, 30, fake.
 */
START_TEST(test_verify)
{
	static const struct {
		const char		*v;
		enum env_verify		 want;
	} t[] = {
		{ "auto", ENV_VERIFY_AUTO }, { "on", ENV_VERIFY_ON },
		{ "off", ENV_VERIFY_OFF }, { "OFF", ENV_VERIFY_OFF },
		{ "Auto", ENV_VERIFY_AUTO },
	};
	static const char *const bad_mode[] = {
		"yes", "no", "1", "0", "true", "onn", "of", " on", "auto ",
	};
	static const char *const bad_ttl[] = {
		"-1", "86401", "+5", "5s", " 5", "5 ", "1.5", "0x10", "ten",
		"99999999999999999999",
	};
	static const char *const bad_unreach[] = {
		"fake ", "fails", "error", "on", "off", "1", "FAKE?",
	};
	struct env_config c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		one_ok("SIXGATE_VERIFY_NAMES", t[i].v, &c);
		ck_assert_int_eq(c.verify, t[i].want);
		ck_assert_int_eq(c.verify_ttl, 300);
		ck_assert_int_eq(c.verify_negative_ttl, 30);
		ck_assert(!c.verify_fail_closed);
	}
	for (i = 0; i < sizeof(bad_mode) / sizeof(bad_mode[0]); i++)
		one_bad("SIXGATE_VERIFY_NAMES", bad_mode[i]);

	one_ok("SIXGATE_VERIFY_TTL", "0", &c);
	ck_assert_int_eq(c.verify_ttl, 0);
	ck_assert_int_eq(c.verify_negative_ttl, 30);
	one_ok("SIXGATE_VERIFY_TTL", "1", &c);
	ck_assert_int_eq(c.verify_ttl, 1);
	one_ok("SIXGATE_VERIFY_TTL", "86400", &c);
	ck_assert_int_eq(c.verify_ttl, 86400);
	one_ok("SIXGATE_VERIFY_NEGATIVE_TTL", "0", &c);
	ck_assert_int_eq(c.verify_negative_ttl, 0);
	ck_assert_int_eq(c.verify_ttl, 300);
	one_ok("SIXGATE_VERIFY_NEGATIVE_TTL", "1", &c);
	ck_assert_int_eq(c.verify_negative_ttl, 1);
	one_ok("SIXGATE_VERIFY_NEGATIVE_TTL", "86400", &c);
	ck_assert_int_eq(c.verify_negative_ttl, 86400);
	for (i = 0; i < sizeof(bad_ttl) / sizeof(bad_ttl[0]); i++) {
		one_bad("SIXGATE_VERIFY_TTL", bad_ttl[i]);
		one_bad("SIXGATE_VERIFY_NEGATIVE_TTL", bad_ttl[i]);
	}

	one_ok("SIXGATE_VERIFY_UNREACHABLE", "fake", &c);
	ck_assert(!c.verify_fail_closed);
	one_ok("SIXGATE_VERIFY_UNREACHABLE", "fail", &c);
	ck_assert(c.verify_fail_closed);
	ck_assert_int_eq(c.verify, ENV_VERIFY_AUTO);
	one_ok("SIXGATE_VERIFY_UNREACHABLE", "FAIL", &c);
	ck_assert(c.verify_fail_closed);
	for (i = 0; i < sizeof(bad_unreach) / sizeof(bad_unreach[0]); i++)
		one_bad("SIXGATE_VERIFY_UNREACHABLE", bad_unreach[i]);

	/* All four together. */
	parse_ok(VARS(GW, "SIXGATE_VERIFY_NAMES=on", "SIXGATE_VERIFY_TTL=60",
	    "SIXGATE_VERIFY_NEGATIVE_TTL=5",
	    "SIXGATE_VERIFY_UNREACHABLE=fail"), &c);
	ck_assert(c.enabled);
	ck_assert_int_eq(c.verify, ENV_VERIFY_ON);
	ck_assert_int_eq(c.verify_ttl, 60);
	ck_assert_int_eq(c.verify_negative_ttl, 5);
	ck_assert(c.verify_fail_closed);
}
END_TEST

START_TEST(test_timeout)
{
	static const char *const bad[] = {
		"0", "3601", "-1", "+5", "10s", " 5", "5 ", "1.5", "0x10",
		"99999999999999999999", "ten",
	};
	struct env_config c;
	size_t i;

	one_ok("SIXGATE_TIMEOUT", "1", &c);
	ck_assert_int_eq(c.timeout_ms, 1000);
	one_ok("SIXGATE_TIMEOUT", "30", &c);
	ck_assert_int_eq(c.timeout_ms, 30000);
	one_ok("SIXGATE_TIMEOUT", "0060", &c);
	ck_assert_int_eq(c.timeout_ms, 60000);
	one_ok("SIXGATE_TIMEOUT", "3600", &c);
	ck_assert_int_eq(c.timeout_ms, 3600000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		one_bad("SIXGATE_TIMEOUT", bad[i]);
}
END_TEST

START_TEST(test_log)
{
	static const char *const bad[] = { "3", "-1", "x", "1 ", "10", "01x" };
	struct env_config c;
	size_t i;
	int l;

	for (l = 0; l <= 2; l++) {
		char v[2] = { (char)('0' + l), '\0' };

		one_ok("SIXGATE_LOG", v, &c);
		ck_assert_int_eq(c.log_level, l);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		one_bad("SIXGATE_LOG", bad[i]);
}
END_TEST

/* --- errors --- */

/* The caller can still report an error where the user asked for it. */
START_TEST(test_log_kept_on_error)
{
	struct env_config c;
	char err[256];

	ck_assert_int_eq(parse(VARS("SIXGATE_LOG=2",
	    "SIXGATE_LOG_FILE=/tmp/sg.log", "SIXGATE_GATEWAY=gw"), &c, err,
	    sizeof(err)), ENV_ERR);
	ck_assert(!c.enabled);
	ck_assert_int_eq(c.log_level, 2);
	ck_assert_str_eq(c.log_file, "/tmp/sg.log");
	ck_assert_msg(strncmp(err, "SIXGATE_GATEWAY: ", 17) == 0, "%s", err);
}
END_TEST

/* A bad variable after a good gateway still disables the library. */
START_TEST(test_error_disables)
{
	struct env_config c;
	char err[256];

	ck_assert_int_eq(parse(VARS(GW, "SIXGATE_PASSWORD=" PW,
	    "SIXGATE_TIMEOUT=0"), &c, err, sizeof(err)), ENV_ERR);
	ck_assert(!c.enabled);
	ck_assert_str_eq(c.password, "");
	ck_assert_msg(strncmp(err, "SIXGATE_TIMEOUT: ", 17) == 0, "%s", err);
}
END_TEST

START_TEST(test_err_buffer)
{
	struct env_config c;
	char err[12];

	memset(err, 'X', sizeof(err));
	ck_assert_int_eq(parse(VARS("SIXGATE_LOG=9"), &c, err, 8), ENV_ERR);
	ck_assert_str_eq(err, "SIXGATE");
	ck_assert_int_eq(err[8], 'X');
	ck_assert_int_eq(parse(VARS("SIXGATE_LOG=9"), &c, err, 0), ENV_ERR);
	ck_assert_int_eq(parse(VARS("SIXGATE_LOG=9"), &c, NULL, 0), ENV_ERR);
	ck_assert(!c.enabled);
}
END_TEST

/* --- env_name_is_direct --- */

START_TEST(test_direct_suffix)
{
	struct env_config c;

	parse_ok(VARS("SIXGATE_DIRECT_NAMES=.lan"), &c);
	ck_assert(env_name_is_direct(&c, "lan"));
	ck_assert(env_name_is_direct(&c, "a.lan"));
	ck_assert(env_name_is_direct(&c, "A.LAN."));
	ck_assert(env_name_is_direct(&c, "LAN."));
	ck_assert(env_name_is_direct(&c, "b.a.Lan"));
	ck_assert(!env_name_is_direct(&c, "xlan"));
	ck_assert(!env_name_is_direct(&c, "a.xlan"));
	ck_assert(!env_name_is_direct(&c, "lan.x"));
	ck_assert(!env_name_is_direct(&c, "a.lan.x"));
	ck_assert(!env_name_is_direct(&c, "la"));
	ck_assert(!env_name_is_direct(&c, "an"));
	ck_assert(!env_name_is_direct(&c, "lan.."));
	ck_assert(!env_name_is_direct(&c, ""));
	ck_assert(!env_name_is_direct(&c, "."));
	ck_assert(!env_name_is_direct(&c, NULL));
}
END_TEST

START_TEST(test_direct_exact)
{
	struct env_config c;

	parse_ok(VARS("SIXGATE_DIRECT_NAMES=Host.Example.,nas, .corp"), &c);
	ck_assert(env_name_is_direct(&c, "host.example"));
	ck_assert(env_name_is_direct(&c, "HOST.EXAMPLE."));
	ck_assert(env_name_is_direct(&c, "nas"));
	ck_assert(env_name_is_direct(&c, "x.y.corp"));
	ck_assert(!env_name_is_direct(&c, "a.host.example"));
	ck_assert(!env_name_is_direct(&c, "host.example.com"));
	ck_assert(!env_name_is_direct(&c, "host"));
	ck_assert(!env_name_is_direct(&c, "nas.lan"));
	ck_assert(!env_name_is_direct(&c, "xnas"));
	ck_assert(!env_name_is_direct(&c, "corpx"));
}
END_TEST

START_TEST(test_direct_none)
{
	struct env_config c;

	parse_ok(VARS(GW), &c);
	ck_assert(!env_name_is_direct(&c, "lan"));
	ck_assert(!env_name_is_direct(&c, "localhost"));
}
END_TEST

/* --- env_hosts_has_name --- */

static const char hosts_text[] =
	"# /etc/hosts for hidden.example\n"
	"127.0.0.1\tlocalhost localhost.localdomain\r\n"
	"::1     ip6-localhost ip6-loopback\n"
	"\n"
	"   \t\r\n"
	"192.168.1.10  nas.lan nas   # the NAS, also commentonly.example\n"
	"\t 10.0.0.5\tprinter.Lan.\tPRN\r\n"
	"fe80::1%eth0 router6\n"
	"2001:db8::7 v6host.example   v6alias\n"
	"not-an-address badline.example\n"
	"300.1.1.1 badv4.example\n"
	"10.0.0.9\n"
	"#10.0.0.8 commented.example\n"
	"10.0.0.11 hashed#tail.example\n"
	"10.0.0.12 dotted.example.\n"
	"10.0.0.10 last.example";

static bool
hosts_has(const char *name)
{
	return env_hosts_has_name(hosts_text, strlen(hosts_text), name);
}

START_TEST(test_hosts_match)
{
	static const char *const yes[] = {
		"localhost", "LOCALHOST", "localhost.", "localhost.localdomain",
		"ip6-localhost", "ip6-loopback", "nas.lan", "NAS.LAN.", "nas",
		"printer.lan", "prn", "router6", "v6host.example", "V6ALIAS",
		"hashed", "dotted.example", "dotted.example.", "last.example",
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(hosts_has(yes[i]), "%s not found", yes[i]);
}
END_TEST

START_TEST(test_hosts_no_match)
{
	static const char *const no[] = {
		"hidden.example", "commentonly.example", "commented.example",
		"badline.example", "badv4.example", "tail.example",
		"hashed#tail.example", "local", "localhos", "ocalhost",
		"localhost.localdomai", "nas.la", "as.lan", "lan", "printer",
		"10.0.0.5", "127.0.0.1", "eth0", "the", "NAS,", "last",
		"last.example.com", "", ".", "localhost..",
	};
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!hosts_has(no[i]), "%s found", no[i]);
	ck_assert(!env_hosts_has_name(hosts_text, strlen(hosts_text), NULL));
}
END_TEST

/* Only len bytes are read: no NUL needed, nothing beyond is seen. */
START_TEST(test_hosts_len)
{
	const char *t = "10.0.0.1 first.example\n10.0.0.2 second.example\n";
	size_t cut = strlen("10.0.0.1 first.example\n10.0.0.2 sec");
	char *exact;

	ck_assert(env_hosts_has_name(t, strlen(t), "second.example"));
	ck_assert(!env_hosts_has_name(t, cut, "second.example"));
	ck_assert(env_hosts_has_name(t, cut, "sec"));
	ck_assert(!env_hosts_has_name(t, 0, "first.example"));
	ck_assert(!env_hosts_has_name(t, 12, "first.example"));
	ck_assert(!env_hosts_has_name(NULL, 0, "first.example"));
	/* Exactly sized heap copy: ASan/valgrind catch reads past it. */
	exact = malloc(cut);
	ck_assert_ptr_nonnull(exact);
	memcpy(exact, t, cut);
	ck_assert(env_hosts_has_name(exact, cut, "sec"));
	ck_assert(!env_hosts_has_name(exact, cut, "none"));
	free(exact);
}
END_TEST

START_TEST(test_hosts_crlf_only)
{
	const char *t = "10.0.0.1 a.example\r\r\n10.0.0.2\tb.example\t\r\n";

	ck_assert(env_hosts_has_name(t, strlen(t), "a.example"));
	ck_assert(env_hosts_has_name(t, strlen(t), "B.example"));
	ck_assert(!env_hosts_has_name(t, strlen(t), "b.example\r"));
}
END_TEST

static Suite *
env_suite(void)
{
	Suite *s = suite_create("env");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_defaults_unset);
	tcase_add_test(tc, test_defaults_gateway_only);
	tcase_add_test(tc, test_empty_is_unset);
	tcase_add_test(tc, test_all_set);
	tcase_add_test(tc, test_gateway_ok);
	tcase_add_test(tc, test_gateway_name_lengths);
	tcase_add_test(tc, test_gateway_bad);
	tcase_add_test(tc, test_gateway_list);
	tcase_add_test(tc, test_gateway_list_max);
	tcase_add_test(tc, test_gateway_list_errors);
	tcase_add_test(tc, test_gateway_backoff);
	tcase_add_test(tc, test_user);
	tcase_add_test(tc, test_password);
	tcase_add_test(tc, test_password_never_in_err);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_direct_ok);
	tcase_add_test(tc, test_direct_max);
	tcase_add_test(tc, test_direct_bad);
	tcase_add_test(tc, test_names_ok);
	tcase_add_test(tc, test_names_lengths);
	tcase_add_test(tc, test_names_max);
	tcase_add_test(tc, test_names_bad);
	tcase_add_test(tc, test_fake4);
	tcase_add_test(tc, test_fake6);
	tcase_add_test(tc, test_pipeline);
	tcase_add_test(tc, test_verify);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_log);
	tcase_add_test(tc, test_log_kept_on_error);
	tcase_add_test(tc, test_error_disables);
	tcase_add_test(tc, test_err_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("direct_names");
	tcase_add_test(tc, test_direct_suffix);
	tcase_add_test(tc, test_direct_exact);
	tcase_add_test(tc, test_direct_none);
	suite_add_tcase(s, tc);

	tc = tcase_create("hosts");
	tcase_add_test(tc, test_hosts_match);
	tcase_add_test(tc, test_hosts_no_match);
	tcase_add_test(tc, test_hosts_len);
	tcase_add_test(tc, test_hosts_crlf_only);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(env_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
