/*
 * check_acl.c - unit tests for acl.c (pure rule matching).
 *
 * Covered: acl_match first-match-wins and -1 on no match (also with no
 * rules); acl_rule_match for from/to networks in both families, IPv4-mapped
 * IPv6 clients and destinations against IPv4 networks, several networks in
 * one list; users ("*" = any authenticated user but never an
 * unauthenticated one, exact names, no users = anyone incl. NULL); ports
 * (single, ranges, taken from q->dest); commands bitmask (0 = all); empty
 * lists match anything; all criteria combined (AND); acl_cmd_from_socks5;
 * and the rules of the embedded default configuration (deny loopback,
 * unspecified and link-local destinations; allow others for authenticated
 * users only).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "acl.h"
#include "addr.h"
#include "config.h"

/* Numeric address (v4 or v6, no brackets) and port -> sockaddr. */
static struct sockaddr_storage
mk(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		ck_assert_msg(inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1,
		    "bad test address %s", ip);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		ck_assert_msg(inet_pton(AF_INET, ip, &s4->sin_addr) == 1,
		    "bad test address %s", ip);
	}
	return ss;
}

static void
cidr(struct addr_cidr *c, const char *s)
{
	ck_assert_msg(addr_parse_cidr(s, c) == ADDR_OK, "bad test CIDR %s", s);
}

static struct acl_rule
rule(enum acl_action a)
{
	struct acl_rule r;

	memset(&r, 0, sizeof(r));
	r.action = a;
	return r;
}

/* Does r match (client, user, dest:port, command)? */
static bool
m(const struct acl_rule *r, const char *client, const char *user,
    const char *dest, uint16_t port, unsigned cmd)
{
	struct sockaddr_storage c = mk(client, 40000);
	struct sockaddr_storage d = mk(dest, port);
	struct acl_query q = { 0 };

	q.client = (const struct sockaddr *)&c;
	q.user = user;
	q.dest = (const struct sockaddr *)&d;
	q.port = 0;
	q.command = cmd;
	return acl_rule_match(r, &q);
}

static int
idx(const struct acl_rule *rules, size_t n, const char *client,
    const char *user, const char *dest, uint16_t port, unsigned cmd)
{
	struct sockaddr_storage c = mk(client, 40000);
	struct sockaddr_storage d = mk(dest, port);
	struct acl_query q = { 0 };

	q.client = (const struct sockaddr *)&c;
	q.user = user;
	q.dest = (const struct sockaddr *)&d;
	q.port = 0;
	q.command = cmd;
	return acl_match(rules, n, &q);
}

/* --- acl_match --- */

START_TEST(test_no_rules)
{
	struct acl_rule r[1];

	r[0] = rule(ACL_ALLOW);
	ck_assert_int_eq(idx(r, 0, "192.0.2.1", "alice", "198.51.100.1", 80,
	    ACL_CMD_CONNECT), -1);
	ck_assert_int_eq(idx(r, 0, "::1", NULL, "::1", 80, ACL_CMD_CONNECT),
	    -1);
}
END_TEST

START_TEST(test_first_match_wins)
{
	struct addr_cidr net;
	struct acl_rule r[3];

	cidr(&net, "10.0.0.0/8");
	r[0] = rule(ACL_DENY);
	r[0].to = &net;
	r[0].nto = 1;
	r[1] = rule(ACL_ALLOW);
	r[2] = rule(ACL_DENY);

	ck_assert_int_eq(idx(r, 3, "192.0.2.1", "alice", "10.1.2.3", 80,
	    ACL_CMD_CONNECT), 0);
	ck_assert_int_eq(idx(r, 3, "192.0.2.1", "alice", "192.0.2.9", 80,
	    ACL_CMD_CONNECT), 1);
	ck_assert_int_eq(idx(r, 3, "192.0.2.1", NULL, "2001:db8::1", 80,
	    ACL_CMD_CONNECT), 1);
	/* The catch-all in front shadows the rest. */
	ck_assert_int_eq(idx(r + 1, 2, "192.0.2.1", "alice", "10.1.2.3", 80,
	    ACL_CMD_CONNECT), 0);
}
END_TEST

START_TEST(test_no_match)
{
	struct addr_cidr net[2];
	struct acl_rule r[2];

	cidr(&net[0], "10.0.0.0/8");
	cidr(&net[1], "2001:db8::/32");
	r[0] = rule(ACL_DENY);
	r[0].to = &net[0];
	r[0].nto = 1;
	r[1] = rule(ACL_ALLOW);
	r[1].to = &net[1];
	r[1].nto = 1;

	ck_assert_int_eq(idx(r, 2, "192.0.2.1", "alice", "11.0.0.1", 80,
	    ACL_CMD_CONNECT), -1);
	ck_assert_int_eq(idx(r, 2, "192.0.2.1", "alice", "2001:db9::1", 80,
	    ACL_CMD_CONNECT), -1);
	ck_assert_int_eq(idx(r, 2, "192.0.2.1", "alice", "2001:db8::1", 80,
	    ACL_CMD_CONNECT), 1);
}
END_TEST

START_TEST(test_match_agrees_with_rule_match)
{
	struct addr_cidr net;
	struct acl_rule r[2];

	cidr(&net, "192.0.2.0/24");
	r[0] = rule(ACL_ALLOW);
	r[0].from = &net;
	r[0].nfrom = 1;
	r[1] = rule(ACL_DENY);
	r[1].to = &net;
	r[1].nto = 1;

	ck_assert(m(&r[0], "192.0.2.5", NULL, "198.51.100.1", 1, 1));
	ck_assert(!m(&r[1], "192.0.2.5", NULL, "198.51.100.1", 1, 1));
	ck_assert_int_eq(idx(r, 2, "192.0.2.5", NULL, "198.51.100.1", 1, 1),
	    0);
	ck_assert_int_eq(idx(r, 2, "198.51.100.1", NULL, "192.0.2.5", 1, 1),
	    1);
}
END_TEST

/* --- networks --- */

START_TEST(test_empty_rule_matches_anything)
{
	struct acl_rule r = rule(ACL_ALLOW);

	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80,
	    ACL_CMD_CONNECT));
	ck_assert(m(&r, "2001:db8::1", "alice", "::1", 1, ACL_CMD_BIND));
	ck_assert(m(&r, "::ffff:10.0.0.1", "*", "0.0.0.0", 65535,
	    ACL_CMD_UDP));
}
END_TEST

START_TEST(test_from_v4)
{
	struct addr_cidr net;
	struct acl_rule r = rule(ACL_ALLOW);

	cidr(&net, "192.0.2.0/24");
	r.from = &net;
	r.nfrom = 1;
	ck_assert(m(&r, "192.0.2.55", NULL, "198.51.100.1", 80, 1));
	ck_assert(m(&r, "192.0.2.0", NULL, "198.51.100.1", 80, 1));
	ck_assert(m(&r, "192.0.2.255", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.3.1", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.1.255", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "2001:db8::1", NULL, "198.51.100.1", 80, 1));
	/* The destination does not count for "from". */
	ck_assert(!m(&r, "198.51.100.1", NULL, "192.0.2.55", 80, 1));
}
END_TEST

START_TEST(test_from_v6)
{
	struct addr_cidr net;
	struct acl_rule r = rule(ACL_ALLOW);

	cidr(&net, "2001:db8::/32");
	r.from = &net;
	r.nfrom = 1;
	ck_assert(m(&r, "2001:db8:1::5", NULL, "198.51.100.1", 80, 1));
	ck_assert(m(&r, "2001:db8:ffff:ffff::1", NULL, "::1", 80, 1));
	ck_assert(!m(&r, "2001:db9::1", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "::ffff:192.0.2.1", NULL, "198.51.100.1", 80, 1));
}
END_TEST

START_TEST(test_from_list)
{
	struct addr_cidr net[3];
	struct acl_rule r = rule(ACL_ALLOW);

	cidr(&net[0], "10.0.0.0/8");
	cidr(&net[1], "fd00::/8");
	cidr(&net[2], "192.0.2.7");	/* bare address = host route */
	r.from = net;
	r.nfrom = 3;
	ck_assert(m(&r, "10.9.8.7", NULL, "198.51.100.1", 80, 1));
	ck_assert(m(&r, "fd12::1", NULL, "198.51.100.1", 80, 1));
	ck_assert(m(&r, "192.0.2.7", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.8", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "fe80::1", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "11.0.0.1", NULL, "198.51.100.1", 80, 1));
}
END_TEST

START_TEST(test_from_v4_mapped_client)
{
	struct addr_cidr net;
	struct acl_rule r = rule(ACL_ALLOW);

	cidr(&net, "192.0.2.0/24");
	r.from = &net;
	r.nfrom = 1;
	ck_assert(m(&r, "::ffff:192.0.2.55", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "::ffff:10.0.0.1", NULL, "198.51.100.1", 80, 1));

	cidr(&net, "127.0.0.1");
	ck_assert(m(&r, "::ffff:127.0.0.1", "alice", "2001:db8::1", 80, 1));
	ck_assert(!m(&r, "::1", "alice", "2001:db8::1", 80, 1));
}
END_TEST

START_TEST(test_to_v4)
{
	struct addr_cidr net;
	struct acl_rule r = rule(ACL_DENY);

	cidr(&net, "127.0.0.0/8");
	r.to = &net;
	r.nto = 1;
	ck_assert(m(&r, "192.0.2.1", NULL, "127.0.0.1", 80, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "127.255.255.254", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "128.0.0.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "::1", 80, 1));
	/* v4-mapped destination is matched as IPv4 */
	ck_assert(m(&r, "192.0.2.1", NULL, "::ffff:127.0.0.1", 80, 1));
	/* The client does not count for "to". */
	ck_assert(!m(&r, "127.0.0.1", NULL, "192.0.2.1", 80, 1));
}
END_TEST

START_TEST(test_to_v6)
{
	struct addr_cidr net[2];
	struct acl_rule r = rule(ACL_DENY);

	cidr(&net[0], "::1/128");
	cidr(&net[1], "fe80::/10");
	r.to = net;
	r.nto = 2;
	ck_assert(m(&r, "192.0.2.1", NULL, "::1", 80, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "fe80::1", 80, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "febf:ffff::1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "fec0::1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "::2", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "127.0.0.1", 80, 1));
}
END_TEST

START_TEST(test_zero_prefix)
{
	struct addr_cidr net[2];
	struct acl_rule r = rule(ACL_ALLOW);

	cidr(&net[0], "0.0.0.0/0");
	r.to = &net[0];
	r.nto = 1;
	ck_assert(m(&r, "::1", NULL, "203.0.113.5", 80, 1));
	ck_assert(!m(&r, "::1", NULL, "2001:db8::5", 80, 1));
	cidr(&net[1], "::/0");
	r.to = &net[1];
	ck_assert(m(&r, "::1", NULL, "2001:db8::5", 80, 1));
	r.to = net;
	r.nto = 2;
	ck_assert(m(&r, "::1", NULL, "2001:db8::5", 80, 1));
	ck_assert(m(&r, "::1", NULL, "203.0.113.5", 80, 1));
}
END_TEST

/* --- users --- */

START_TEST(test_users_star)
{
	char *users[] = { (char *)"*" };
	struct acl_rule r = rule(ACL_ALLOW);

	r.users = users;
	r.nusers = 1;
	ck_assert(m(&r, "192.0.2.1", "alice", "198.51.100.1", 80, 1));
	ck_assert(m(&r, "192.0.2.1", "bob", "198.51.100.1", 80, 1));
	ck_assert(m(&r, "192.0.2.1", "*", "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "2001:db8::1", NULL, "2001:db8::2", 443, 1));
}
END_TEST

START_TEST(test_users_exact)
{
	char *users[] = { (char *)"alice", (char *)"bob" };
	struct acl_rule r = rule(ACL_ALLOW);

	r.users = users;
	r.nusers = 2;
	ck_assert(m(&r, "192.0.2.1", "alice", "198.51.100.1", 80, 1));
	ck_assert(m(&r, "192.0.2.1", "bob", "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", "carol", "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", "Alice", "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", "alic", "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", "alice2", "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", "", "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", "*", "198.51.100.1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, 1));
}
END_TEST

START_TEST(test_users_none_matches_unauthenticated)
{
	struct acl_rule r = rule(ACL_ALLOW);

	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, 1));
	ck_assert(m(&r, "192.0.2.1", "alice", "198.51.100.1", 80, 1));
}
END_TEST

START_TEST(test_users_first_match_by_user)
{
	char *admins[] = { (char *)"root" };
	char *anyone[] = { (char *)"*" };
	struct acl_rule r[3];

	r[0] = rule(ACL_ALLOW);
	r[0].users = admins;
	r[0].nusers = 1;
	r[1] = rule(ACL_DENY);
	r[1].users = anyone;
	r[1].nusers = 1;
	r[2] = rule(ACL_ALLOW);
	ck_assert_int_eq(idx(r, 3, "192.0.2.1", "root", "198.51.100.1", 80, 1),
	    0);
	ck_assert_int_eq(idx(r, 3, "192.0.2.1", "bob", "198.51.100.1", 80, 1),
	    1);
	ck_assert_int_eq(idx(r, 3, "192.0.2.1", NULL, "198.51.100.1", 80, 1),
	    2);
}
END_TEST

/* --- ports --- */

START_TEST(test_port_single)
{
	struct acl_portrange p[] = { { 80, 80 } };
	struct acl_rule r = rule(ACL_ALLOW);

	r.ports = p;
	r.nports = 1;
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "2001:db8::1", 80, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 79, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 81, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 8080, 1));
	/* byte-swapped 80 (0x5000) must not match */
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 20480, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "2001:db8::1", 443, 1));
}
END_TEST

START_TEST(test_port_range)
{
	struct acl_portrange p[] = { { 1024, 65535 } };
	struct acl_rule r = rule(ACL_ALLOW);

	r.ports = p;
	r.nports = 1;
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 1023, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 1024, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 40000, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "2001:db8::1", 65535, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 22, 1));
}
END_TEST

START_TEST(test_port_list)
{
	struct acl_portrange p[] = { { 22, 22 }, { 8000, 8080 }, { 443, 443 } };
	struct acl_rule r = rule(ACL_ALLOW);

	r.ports = p;
	r.nports = 3;
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 22, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 443, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 8000, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 8042, 1));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 8080, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 8081, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 7999, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 23, 1));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, 1));
}
END_TEST

START_TEST(test_port_from_dest_not_client)
{
	struct acl_portrange p[] = { { 80, 80 } };
	struct acl_rule r = rule(ACL_ALLOW);
	struct sockaddr_storage c = mk("192.0.2.1", 80);
	struct sockaddr_storage d = mk("198.51.100.1", 8080);
	struct acl_query q = { 0 };

	r.ports = p;
	r.nports = 1;
	q.client = (const struct sockaddr *)&c;
	q.user = NULL;
	q.dest = (const struct sockaddr *)&d;
	q.port = 0;
	q.command = ACL_CMD_CONNECT;
	ck_assert(!acl_rule_match(&r, &q));
	ck_assert_int_eq(acl_match(&r, 1, &q), -1);
	c = mk("192.0.2.1", 8080);
	d = mk("198.51.100.1", 80);
	ck_assert(acl_rule_match(&r, &q));
	ck_assert_int_eq(acl_match(&r, 1, &q), 0);
}
END_TEST

/* --- commands --- */

START_TEST(test_commands)
{
	struct acl_rule r = rule(ACL_ALLOW);

	r.commands = 0;
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80,
	    ACL_CMD_CONNECT));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, ACL_CMD_BIND));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, ACL_CMD_UDP));

	r.commands = ACL_CMD_CONNECT;
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80,
	    ACL_CMD_CONNECT));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, ACL_CMD_BIND));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, ACL_CMD_UDP));

	r.commands = ACL_CMD_CONNECT | ACL_CMD_UDP;
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80,
	    ACL_CMD_CONNECT));
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, ACL_CMD_BIND));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, ACL_CMD_UDP));

	r.commands = ACL_CMD_BIND;
	ck_assert(!m(&r, "192.0.2.1", NULL, "198.51.100.1", 80,
	    ACL_CMD_CONNECT));
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, ACL_CMD_BIND));

	r.commands = ACL_CMD_ALL;
	ck_assert(m(&r, "192.0.2.1", NULL, "198.51.100.1", 80, ACL_CMD_UDP));
}
END_TEST

START_TEST(test_cmd_from_socks5)
{
	ck_assert_uint_eq(acl_cmd_from_socks5(1), ACL_CMD_CONNECT);
	ck_assert_uint_eq(acl_cmd_from_socks5(2), ACL_CMD_BIND);
	ck_assert_uint_eq(acl_cmd_from_socks5(3), ACL_CMD_UDP);
	ck_assert_uint_eq(acl_cmd_from_socks5(0), 0);
	ck_assert_uint_eq(acl_cmd_from_socks5(4), 0);
	ck_assert_uint_eq(acl_cmd_from_socks5(0x81), 0);
	ck_assert_uint_eq(acl_cmd_from_socks5(0xff), 0);
}
END_TEST

/* --- everything at once --- */

START_TEST(test_all_criteria_and)
{
	struct addr_cidr from, to;
	char *users[] = { (char *)"alice" };
	struct acl_portrange p[] = { { 443, 443 } };
	struct acl_rule r = rule(ACL_ALLOW);

	cidr(&from, "192.0.2.0/24");
	cidr(&to, "2001:db8::/32");
	r.from = &from;
	r.nfrom = 1;
	r.users = users;
	r.nusers = 1;
	r.to = &to;
	r.nto = 1;
	r.ports = p;
	r.nports = 1;
	r.commands = ACL_CMD_CONNECT;

	ck_assert(m(&r, "192.0.2.1", "alice", "2001:db8::1", 443,
	    ACL_CMD_CONNECT));
	ck_assert(!m(&r, "198.51.100.1", "alice", "2001:db8::1", 443,
	    ACL_CMD_CONNECT));
	ck_assert(!m(&r, "192.0.2.1", "bob", "2001:db8::1", 443,
	    ACL_CMD_CONNECT));
	ck_assert(!m(&r, "192.0.2.1", NULL, "2001:db8::1", 443,
	    ACL_CMD_CONNECT));
	ck_assert(!m(&r, "192.0.2.1", "alice", "2001:db9::1", 443,
	    ACL_CMD_CONNECT));
	ck_assert(!m(&r, "192.0.2.1", "alice", "2001:db8::1", 80,
	    ACL_CMD_CONNECT));
	ck_assert(!m(&r, "192.0.2.1", "alice", "2001:db8::1", 443,
	    ACL_CMD_BIND));
}
END_TEST

/* --- the embedded default configuration --- */

static struct config *
load_default(void)
{
	char err[CONFIG_ERRLEN] = "";
	struct config *c;

	c = config_load_default(err, sizeof(err));
	ck_assert_msg(c != NULL, "embedded default does not load: %s", err);
	ck_assert_uint_gt(c->nrules, 0);
	return c;
}

/* Is the request allowed by c's rules? (No match = deny.) */
static bool
allowed(const struct config *c, const char *client, const char *user,
    const char *dest, uint16_t port)
{
	int i = idx(c->rules, c->nrules, client, user, dest, port,
	    ACL_CMD_CONNECT);

	ck_assert_int_lt(i, (int)c->nrules);
	return i >= 0 && c->rules[i].action == ACL_ALLOW;
}

static const char *const default_denied[] = {
	"127.0.0.1", "127.1.2.3", "::1", "169.254.1.1", "169.254.169.254",
	"fe80::1", "0.0.0.0", "0.1.2.3", "::", "::ffff:127.0.0.1",
	"::ffff:169.254.1.1", "::127.0.0.1", "::ffff:0:127.0.0.1",
	"64:ff9b::7f00:1", "64:ff9b::169.254.169.254"
};

START_TEST(test_default_denies_local)
{
	struct config *c = load_default();
	const char *dest = default_denied[_i];

	ck_assert_msg(!allowed(c, "127.0.0.1", "alice", dest, 80),
	    "embedded default allows alice from 127.0.0.1 to %s", dest);
	ck_assert_msg(!allowed(c, "::1", "alice", dest, 443),
	    "embedded default allows alice from ::1 to %s", dest);
	ck_assert_msg(!allowed(c, "192.0.2.100", NULL, dest, 80),
	    "embedded default allows anonymous to %s", dest);
	config_free(c);
}
END_TEST

START_TEST(test_default_allows_users)
{
	struct config *c = load_default();

	ck_assert(allowed(c, "127.0.0.1", "alice", "192.0.2.1", 80));
	ck_assert(allowed(c, "::1", "alice", "192.0.2.1", 80));
	ck_assert(allowed(c, "127.0.0.1", "alice", "2001:db8::1", 443));
	ck_assert(allowed(c, "::1", "alice", "2001:db8::1", 443));
	ck_assert(allowed(c, "::1", "bob", "203.0.113.9", 22));
	ck_assert(allowed(c, "::ffff:127.0.0.1", "alice", "192.0.2.1", 80));
	config_free(c);
}
END_TEST

START_TEST(test_default_denies_unauthenticated)
{
	struct config *c = load_default();

	ck_assert(!allowed(c, "127.0.0.1", NULL, "192.0.2.1", 80));
	ck_assert(!allowed(c, "::1", NULL, "192.0.2.1", 80));
	ck_assert(!allowed(c, "127.0.0.1", NULL, "2001:db8::1", 443));
	ck_assert(!allowed(c, "::1", NULL, "2001:db8::1", 443));
	config_free(c);
}
END_TEST

/* A name sent upstream unresolved: no address, only its port. */
START_TEST(test_name_without_address)
{
	struct acl_portrange p[1] = { { 443, 443 } };
	struct addr_cidr net;
	struct acl_rule r[2];
	struct sockaddr_storage c = mk("192.0.2.1", 40000);
	struct acl_query q = { 0 };

	r[0] = rule(ACL_DENY);
	ck_assert_int_eq(addr_parse_cidr("10.0.0.0/8", &net), ADDR_OK);
	r[0].to = &net;
	r[0].nto = 1;
	r[1] = rule(ACL_ALLOW);
	r[1].ports = p;
	r[1].nports = 1;
	q.client = (const struct sockaddr *)&c;
	q.user = "alice";
	q.dest = NULL;
	q.command = ACL_CMD_CONNECT;
	/* The `to` rule cannot match; the port rule decides. */
	q.port = 443;
	ck_assert_int_eq(acl_match(r, 2, &q), 1);
	q.port = 80;
	ck_assert_int_eq(acl_match(r, 2, &q), -1);
	/* No port at all: a ports rule does not match either. */
	q.port = 0;
	ck_assert_int_eq(acl_match(r, 2, &q), -1);
}
END_TEST

/* The gateway's own addresses, as selfaddr would answer. */
static bool
fake_self(const struct sockaddr *sa)
{
	struct sockaddr_storage me = mk("192.0.2.50", 0);

	return sa->sa_family == AF_INET &&
	    ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
	    ((struct sockaddr_in *)&me)->sin_addr.s_addr;
}

/* to = [ "self" ]: the gateway's own addresses, and only those. */
START_TEST(test_self)
{
	struct addr_cidr net;
	struct acl_rule r[2];
	struct sockaddr_storage c = mk("192.0.2.1", 40000);
	struct sockaddr_storage d = mk("192.0.2.50", 22);
	struct sockaddr_storage other = mk("198.51.100.1", 22);
	struct acl_query q = { 0 };

	r[0] = rule(ACL_DENY);
	r[0].to_self = true;
	r[1] = rule(ACL_ALLOW);
	q.client = (const struct sockaddr *)&c;
	q.command = ACL_CMD_CONNECT;
	q.is_self = fake_self;
	q.dest = (const struct sockaddr *)&d;
	ck_assert_int_eq(acl_match(r, 2, &q), 0);
	q.dest = (const struct sockaddr *)&other;
	ck_assert_int_eq(acl_match(r, 2, &q), 1);
	/* Without an answer to "is it ours?", "self" matches nothing... */
	q.is_self = NULL;
	q.dest = (const struct sockaddr *)&d;
	ck_assert_int_eq(acl_match(r, 2, &q), 1);
	/* ...and a name sent on unresolved is not ours either. */
	q.is_self = fake_self;
	q.dest = NULL;
	ck_assert_int_eq(acl_match(r, 2, &q), 1);
	/* "self" beside networks: either matches. */
	ck_assert_int_eq(addr_parse_cidr("10.0.0.0/8", &net), ADDR_OK);
	r[0].to = &net;
	r[0].nto = 1;
	d = mk("10.1.1.1", 22);
	q.dest = (const struct sockaddr *)&d;
	ck_assert_int_eq(acl_match(r, 2, &q), 0);
	d = mk("192.0.2.50", 22);
	ck_assert_int_eq(acl_match(r, 2, &q), 0);
}
END_TEST

/* acl_reach: what could be allowed before the destination is known. */
START_TEST(test_reach)
{
	struct addr_cidr net;
	struct acl_portrange p[1] = { { 443, 443 } };
	struct acl_rule r[4];
	struct sockaddr_storage c = mk("192.0.2.1", 40000);
	char *bob[] = { "bob" };
	struct acl_query q = { 0 };
	int stop;

	ck_assert_int_eq(addr_parse_cidr("198.51.100.0/24", &net), ADDR_OK);
	q.client = (const struct sockaddr *)&c;
	q.user = "alice";
	q.command = ACL_CMD_CONNECT;
	q.port = 80;
	/* No rules: nothing. */
	ck_assert_int_eq(acl_reach(r, 0, &q, &stop), ACL_REACH_NONE);
	/* A network rule for alice: networks only. */
	r[0] = rule(ACL_ALLOW);
	r[0].to = &net;
	r[0].nto = 1;
	ck_assert_int_eq(acl_reach(r, 1, &q, &stop), ACL_REACH_NETS);
	/* Then a rule for any destination: any. */
	r[1] = rule(ACL_ALLOW);
	ck_assert_int_eq(acl_reach(r, 2, &q, &stop), ACL_REACH_ANY);
	/* ...unless it is bob's, or for another port or command. */
	r[1].users = bob;
	r[1].nusers = 1;
	ck_assert_int_eq(acl_reach(r, 2, &q, &stop), ACL_REACH_NETS);
	r[1] = rule(ACL_ALLOW);
	r[1].ports = p;
	r[1].nports = 1;
	ck_assert_int_eq(acl_reach(r, 2, &q, &stop), ACL_REACH_NETS);
	q.port = 443;
	ck_assert_int_eq(acl_reach(r, 2, &q, &stop), ACL_REACH_ANY);
	r[1].commands = ACL_CMD_BIND;
	ck_assert_int_eq(acl_reach(r, 2, &q, &stop), ACL_REACH_NETS);
	/* A deny for every destination first stops everything after it. */
	r[2] = r[0];
	r[0] = rule(ACL_DENY);
	r[1] = rule(ACL_ALLOW);
	ck_assert_int_eq(acl_reach(r, 3, &q, &stop), ACL_REACH_NONE);
	ck_assert_int_eq(stop, 0);
	/* A deny with networks does not. */
	r[0].to = &net;
	r[0].nto = 1;
	ck_assert_int_eq(acl_reach(r, 3, &q, &stop), ACL_REACH_ANY);
	ck_assert_int_eq(stop, -1);
	/* "self" counts as a network. */
	r[3] = rule(ACL_ALLOW);
	r[3].to_self = true;
	ck_assert_int_eq(acl_reach(&r[3], 1, &q, &stop), ACL_REACH_NETS);
	/* Anonymous clients never reach user rules. */
	r[3].users = bob;
	r[3].nusers = 1;
	r[3].to_self = false;
	q.user = NULL;
	ck_assert_int_eq(acl_reach(&r[3], 1, &q, &stop), ACL_REACH_NONE);
}
END_TEST

/* RESOLVE: CONNECT's rules (via "connect"), ports not applied. */
START_TEST(test_resolve_rules)
{
	struct acl_portrange p[1] = { { 1, 65535 } };
	struct acl_rule r[1];
	struct sockaddr_storage c = mk("192.0.2.1", 40000);
	struct sockaddr_storage d = mk("198.51.100.1", 0);
	struct acl_query q = { 0 };

	ck_assert_uint_eq(acl_cmd_from_socks5(0xF0), ACL_CMD_RESOLVE);
	r[0] = rule(ACL_ALLOW);
	r[0].ports = p;
	r[0].nports = 1;
	r[0].commands = ACL_CMD_CONNECT | ACL_CMD_RESOLVE;
	q.client = (const struct sockaddr *)&c;
	q.user = "alice";
	q.dest = (const struct sockaddr *)&d;
	q.port = 0;
	q.command = ACL_CMD_RESOLVE;
	/* Port 0 (a look-up's family hint) is no port: the rule applies. */
	ck_assert_int_eq(acl_match(r, 1, &q), 0);
	/* The same destination for CONNECT on port 0 does not match. */
	q.command = ACL_CMD_CONNECT;
	ck_assert_int_eq(acl_match(r, 1, &q), -1);
	/* A rule for BIND only does not cover look-ups. */
	r[0].commands = ACL_CMD_BIND;
	q.command = ACL_CMD_RESOLVE;
	ck_assert_int_eq(acl_match(r, 1, &q), -1);
}
END_TEST

static Suite *
acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc;

	tc = tcase_create("match");
	tcase_add_test(tc, test_no_rules);
	tcase_add_test(tc, test_first_match_wins);
	tcase_add_test(tc, test_no_match);
	tcase_add_test(tc, test_match_agrees_with_rule_match);
	tcase_add_test(tc, test_empty_rule_matches_anything);
	tcase_add_test(tc, test_all_criteria_and);
	suite_add_tcase(s, tc);

	tc = tcase_create("networks");
	tcase_add_test(tc, test_from_v4);
	tcase_add_test(tc, test_from_v6);
	tcase_add_test(tc, test_from_list);
	tcase_add_test(tc, test_from_v4_mapped_client);
	tcase_add_test(tc, test_to_v4);
	tcase_add_test(tc, test_to_v6);
	tcase_add_test(tc, test_zero_prefix);
	suite_add_tcase(s, tc);

	tc = tcase_create("users");
	tcase_add_test(tc, test_users_star);
	tcase_add_test(tc, test_users_exact);
	tcase_add_test(tc, test_users_none_matches_unauthenticated);
	tcase_add_test(tc, test_users_first_match_by_user);
	suite_add_tcase(s, tc);

	tc = tcase_create("ports");
	tcase_add_test(tc, test_port_single);
	tcase_add_test(tc, test_port_range);
	tcase_add_test(tc, test_port_list);
	tcase_add_test(tc, test_port_from_dest_not_client);
	suite_add_tcase(s, tc);

	tc = tcase_create("commands");
	tcase_add_test(tc, test_commands);
	tcase_add_test(tc, test_cmd_from_socks5);
	tcase_add_test(tc, test_name_without_address);
	tcase_add_test(tc, test_resolve_rules);
	tcase_add_test(tc, test_self);
	tcase_add_test(tc, test_reach);
	suite_add_tcase(s, tc);

	tc = tcase_create("embedded_default");
	tcase_add_loop_test(tc, test_default_denies_local, 0,
	    (int)(sizeof(default_denied) / sizeof(default_denied[0])));
	tcase_add_test(tc, test_default_allows_users);
	tcase_add_test(tc, test_default_denies_unauthenticated);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(acl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
