/*
 * check_acl_policy.c - unit tests for the policy keys of acl.c rules
 * (issue 12): groups, name patterns in `to`, time windows with an
 * injected clock, auth; and acl_reach with name patterns.
 *
 * Covered: groups match one of the user's groups and never a client
 * without a user; name patterns ("name", "*.suffix") match a name sent,
 * case-insensitively and with a trailing dot, never an address, and
 * beside networks; time windows (days, crossing midnight) through
 * q->now, acl_rule_time_left; auth bits; acl_reach counting a rule
 * whose pattern matches the name as matching any address, skipping
 * name-only rules that do not match, and stopping at a deny by name;
 * acl_reach_left: the longest time left among the allow rules found
 * (a UDP association's deadline), -1 when one has no windows, and the
 * first of them (whose max_relays the association counts); listeners
 * by address and port, never a query without a listener.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "acl.h"
#include "timewin.h"

static struct sockaddr_in client4, dest4;

/* The day (0 = Sunday), hour and minute as seconds into the week. */
static int32_t
at(int d, int h, int m)
{
	return ((d * 24 + h) * 60 + m) * 60;
}

static void
setup(void)
{
	memset(&client4, 0, sizeof(client4));
	client4.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &client4.sin_addr);
	memset(&dest4, 0, sizeof(dest4));
	dest4.sin_family = AF_INET;
	dest4.sin_port = htons(443);
	inet_pton(AF_INET, "10.1.2.3", &dest4.sin_addr);
}

static struct acl_rule
rule(enum acl_action a)
{
	struct acl_rule r;

	memset(&r, 0, sizeof(r));
	r.action = a;
	return r;
}

/* An authenticated query for CONNECT to dest4 (sent as name, if any). */
static struct acl_query
query(const char *user, const char *name)
{
	struct acl_query q;

	memset(&q, 0, sizeof(q));
	q.client = (const struct sockaddr *)&client4;
	q.user = user;
	q.auth = user != NULL ? ACL_AUTH_PASSWORD : ACL_AUTH_NONE;
	q.name = name;
	q.dest = (const struct sockaddr *)&dest4;
	q.command = ACL_CMD_CONNECT;
	q.now = at(2, 12, 0);
	return q;
}

static char grp[3][64] = { "users", "staff", "dialout" };

START_TEST(test_groups)
{
	char *names[] = { "admins", "staff" };
	struct acl_rule r = rule(ACL_ALLOW);
	struct acl_query q = query("alice", NULL);

	r.groups = names;
	r.ngroups = 2;
	/* alice is in none of them */
	ck_assert(!acl_rule_match(&r, &q));
	q.groups = grp[0];
	q.groupsz = sizeof(grp[0]);
	q.ngroups = 1;
	ck_assert(!acl_rule_match(&r, &q));
	q.ngroups = 3;			/* users, staff, dialout */
	ck_assert(acl_rule_match(&r, &q));
	/* Names are compared exactly. */
	names[1] = "Staff";
	ck_assert(!acl_rule_match(&r, &q));
	names[1] = "staff";
	/* Never a client that did not authenticate, whatever it carries. */
	q.user = NULL;
	q.auth = ACL_AUTH_NONE;
	ck_assert(!acl_rule_match(&r, &q));
	/* A rule without groups does not care. */
	r.ngroups = 0;
	ck_assert(acl_rule_match(&r, &q));
}
END_TEST

START_TEST(test_listeners)
{
	struct sockaddr_storage ls[2];
	struct sockaddr_in *a = (struct sockaddr_in *)&ls[0];
	struct sockaddr_in6 *b = (struct sockaddr_in6 *)&ls[1];
	struct sockaddr_in other;
	struct acl_rule r = rule(ACL_ALLOW);
	struct acl_query q = query("alice", NULL);

	memset(ls, 0, sizeof(ls));
	a->sin_family = AF_INET;
	a->sin_port = htons(3128);
	inet_pton(AF_INET, "0.0.0.0", &a->sin_addr);
	b->sin6_family = AF_INET6;
	b->sin6_port = htons(1080);
	inet_pton(AF_INET6, "::", &b->sin6_addr);
	r.listeners = ls;
	r.nlisteners = 2;
	/* No listener known (a flow of nowhere): the rule does not match. */
	ck_assert(!acl_rule_match(&r, &q));
	q.listener = (const struct sockaddr *)&ls[1];
	ck_assert(acl_rule_match(&r, &q));
	/* The same address, another port: another listener. */
	other = *a;
	other.sin_port = htons(3129);
	q.listener = (const struct sockaddr *)&other;
	ck_assert(!acl_rule_match(&r, &q));
	other.sin_port = htons(3128);
	ck_assert(acl_rule_match(&r, &q));
	/* A rule without listeners does not care. */
	r.nlisteners = 0;
	q.listener = NULL;
	ck_assert(acl_rule_match(&r, &q));
}
END_TEST

START_TEST(test_names)
{
	char *pats[] = { "*.corp.example", "intranet" };
	struct acl_rule r = rule(ACL_ALLOW);
	struct acl_query q;

	r.to_names = pats;
	r.nto_names = 2;
	q = query("alice", "www.corp.example");
	ck_assert(acl_rule_match(&r, &q));
	q.name = "WWW.Corp.Example.";		/* case, trailing dot */
	ck_assert(acl_rule_match(&r, &q));
	q.name = "intranet.";
	ck_assert(acl_rule_match(&r, &q));
	q.name = "INTRANET";
	ck_assert(acl_rule_match(&r, &q));
	q.name = "corp.example";		/* not below itself */
	ck_assert(!acl_rule_match(&r, &q));
	q.name = "evilcorp.example";
	ck_assert(!acl_rule_match(&r, &q));
	q.name = "intranet.other";
	ck_assert(!acl_rule_match(&r, &q));
	/* An address sent as an address: patterns never match it. */
	q.name = NULL;
	ck_assert(!acl_rule_match(&r, &q));
	/* Resolved elsewhere (routed upstream): the name alone decides. */
	q.name = "a.corp.example";
	q.dest = NULL;
	ck_assert(acl_rule_match(&r, &q));
}
END_TEST

START_TEST(test_names_and_nets)
{
	char *pats[] = { "*.corp.example" };
	struct addr_cidr net;
	struct acl_rule r = rule(ACL_ALLOW);
	struct acl_query q;

	ck_assert(addr_parse_cidr("10.0.0.0/8", &net) == ADDR_OK);
	r.to_names = pats;
	r.nto_names = 1;
	r.to = &net;
	r.nto = 1;
	/* Either: a name below corp.example, or an address in 10/8. */
	q = query("alice", "elsewhere.example");
	ck_assert(acl_rule_match(&r, &q));	/* resolved into 10/8 */
	inet_pton(AF_INET, "198.51.100.7", &dest4.sin_addr);
	ck_assert(!acl_rule_match(&r, &q));
	q.name = "x.corp.example";
	ck_assert(acl_rule_match(&r, &q));
}
END_TEST

START_TEST(test_time)
{
	struct timewin ws[2];
	struct acl_rule r = rule(ACL_ALLOW);
	struct acl_query q = query("alice", NULL);

	ck_assert(timewin_parse("Mon-Fri 08:00-18:00", &ws[0]) == TIMEWIN_OK);
	ck_assert(timewin_parse("22:00-02:00", &ws[1]) == TIMEWIN_OK);
	r.times = ws;
	r.ntimes = 2;
	q.now = at(2, 12, 0);			/* Tuesday noon */
	ck_assert(acl_rule_match(&r, &q));
	ck_assert_int_eq(acl_rule_time_left(&r, &q), 6 * 3600);
	q.now = at(0, 12, 0);			/* Sunday noon */
	ck_assert(!acl_rule_match(&r, &q));
	q.now = at(0, 1, 30);			/* Saturday's night */
	ck_assert(acl_rule_match(&r, &q));
	ck_assert_int_eq(acl_rule_time_left(&r, &q), 1800);
	q.now = at(5, 20, 0);			/* Friday evening */
	ck_assert(!acl_rule_match(&r, &q));
	r.ntimes = 0;
	ck_assert(acl_rule_match(&r, &q));
	ck_assert_int_eq(acl_rule_time_left(&r, &q), -1);
}
END_TEST

START_TEST(test_auth)
{
	struct acl_rule r = rule(ACL_ALLOW);
	struct acl_query q = query("alice", NULL);

	r.auths = ACL_AUTH_NONE;
	ck_assert(!acl_rule_match(&r, &q));
	r.auths = ACL_AUTH_PASSWORD;
	ck_assert(acl_rule_match(&r, &q));
	q = query(NULL, NULL);
	ck_assert(!acl_rule_match(&r, &q));
	r.auths = ACL_AUTH_NONE | ACL_AUTH_PASSWORD;
	ck_assert(acl_rule_match(&r, &q));
	r.auths = ACL_AUTH_NONE;
	ck_assert(acl_rule_match(&r, &q));
}
END_TEST

/* acl_reach with name patterns: before anything is resolved. */
START_TEST(test_reach_names)
{
	char *good[] = { "good.test" }, *bad[] = { "*.bad.test" };
	struct addr_cidr net;
	struct acl_rule r[3];
	struct acl_query q = query("alice", "good.test");
	int stop;

	ck_assert(addr_parse_cidr("10.0.0.0/8", &net) == ADDR_OK);
	r[0] = rule(ACL_ALLOW);
	r[0].to_names = good;
	r[0].nto_names = 1;
	/* Allowed by name whatever it resolves to. */
	ck_assert_int_eq(acl_reach(r, 1, &q, &stop), ACL_REACH_ANY);
	ck_assert_int_eq(stop, -1);
	/* Another name: that rule cannot apply; nothing else allows. */
	q.name = "other.test";
	ck_assert_int_eq(acl_reach(r, 1, &q, &stop), ACL_REACH_NONE);
	/* ... a network rule behind it: networks only (0x02 on NXDOMAIN). */
	r[1] = rule(ACL_ALLOW);
	r[1].to = &net;
	r[1].nto = 1;
	ck_assert_int_eq(acl_reach(r, 2, &q, &stop), ACL_REACH_NETS);
	/* A deny by name in front stops the walk. */
	r[2] = r[1];
	r[1] = r[0];
	r[0] = rule(ACL_DENY);
	r[0].to_names = bad;
	r[0].nto_names = 1;
	q.name = "x.bad.test";
	ck_assert_int_eq(acl_reach(r, 3, &q, &stop), ACL_REACH_NONE);
	ck_assert_int_eq(stop, 0);
	q.name = "good.test.";
	ck_assert_int_eq(acl_reach(r, 3, &q, &stop), ACL_REACH_ANY);
	/* A time window that excludes now takes the rule out. */
	{
		struct timewin w;

		ck_assert(timewin_parse("Sun 00:00-01:00", &w) == TIMEWIN_OK);
		r[1].times = &w;
		r[1].ntimes = 1;
		ck_assert_int_eq(acl_reach(r, 3, &q, &stop), ACL_REACH_NETS);
	}
}
END_TEST

/* acl_reach_left: when the last allow rule the walk finds closes. */
START_TEST(test_reach_left)
{
	struct addr_cidr net;
	struct timewin w1, w2;
	struct acl_rule r[3];
	struct acl_query q = query("alice", NULL);
	int32_t left;
	int stop, allow;

	ck_assert(addr_parse_cidr("10.0.0.0/8", &net) == ADDR_OK);
	ck_assert(timewin_parse("Tue 08:00-12:30", &w1) == TIMEWIN_OK);
	ck_assert(timewin_parse("Tue 10:00-14:00", &w2) == TIMEWIN_OK);
	q.command = ACL_CMD_UDP;
	q.port = 0;
	q.now = at(2, 12, 0);			/* Tuesday noon */
	/* Nothing allows: NONE, 0 left. */
	left = 99;
	ck_assert_int_eq(acl_reach_left(r, 0, &q, &stop, &left,
	    &allow),
	    ACL_REACH_NONE);
	ck_assert_int_eq(left, 0);
	ck_assert_int_eq(allow, -1);
	/* One rule with networks, open until 12:30. */
	r[0] = rule(ACL_ALLOW);
	r[0].to = &net;
	r[0].nto = 1;
	r[0].times = &w1;
	r[0].ntimes = 1;
	ck_assert_int_eq(acl_reach_left(r, 1, &q, &stop, &left,
	    &allow),
	    ACL_REACH_NETS);
	ck_assert_int_eq(left, 1800);
	ck_assert_int_eq(allow, 0);	/* the first allow rule */
	/* A second one, open until 14:00: the longest counts. */
	r[1] = r[0];
	r[1].times = &w2;
	ck_assert_int_eq(acl_reach_left(r, 2, &q, &stop, &left,
	    &allow),
	    ACL_REACH_NETS);
	ck_assert_int_eq(left, 2 * 3600);
	/* A rule without windows: never. */
	r[2] = rule(ACL_ALLOW);
	r[2].to = &net;
	r[2].nto = 1;
	ck_assert_int_eq(acl_reach_left(r, 3, &q, &stop, &left,
	    &allow),
	    ACL_REACH_NETS);
	ck_assert_int_eq(left, -1);
	/* A deny for every destination before it ends the walk there. */
	r[1] = rule(ACL_DENY);
	ck_assert_int_eq(acl_reach_left(r, 3, &q, &stop, &left,
	    &allow),
	    ACL_REACH_NETS);
	ck_assert_int_eq(stop, 1);
	ck_assert_int_eq(left, 1800);
	ck_assert_int_eq(allow, 0);
	/* Outside every window: nothing. */
	q.now = at(2, 13, 0);
	ck_assert_int_eq(acl_reach_left(r, 1, &q, &stop, &left,
	    &allow),
	    ACL_REACH_NONE);
	ck_assert_int_eq(left, 0);
	/* Ports unknown (port_any): an allow with ports may match and
	 * does not end the walk, a deny with ports refuses nothing. */
	{
		struct acl_portrange p53 = { 53, 53 };

		q.port_any = true;
		q.now = at(2, 12, 0);
		r[0] = rule(ACL_DENY);
		r[0].ports = &p53;
		r[0].nports = 1;
		r[1] = rule(ACL_ALLOW);
		r[1].ports = &p53;
		r[1].nports = 1;
		r[1].times = &w1;
		r[1].ntimes = 1;
		r[2] = rule(ACL_ALLOW);
		r[2].times = &w2;
		r[2].ntimes = 1;
		ck_assert_int_eq(acl_reach_left(r, 2, &q, &stop, &left,
	    &allow),
		    ACL_REACH_ANY);
		ck_assert_int_eq(left, 1800);
		ck_assert_int_eq(acl_reach_left(r, 3, &q, &stop, &left,
	    &allow),
		    ACL_REACH_ANY);
		ck_assert_int_eq(left, 2 * 3600);
		ck_assert_int_eq(stop, -1);
		ck_assert_int_eq(allow, 1);	/* past the deny with ports */
		q.port_any = false;
		ck_assert_int_eq(acl_reach_left(r, 2, &q, &stop, &left,
	    &allow),
		    ACL_REACH_NONE);
	}
	/* A NULL left is allowed (acl_reach). */
	r[0] = rule(ACL_ALLOW);
	r[0].to = &net;
	r[0].nto = 1;
	q.now = at(2, 12, 0);
	ck_assert_int_eq(acl_reach_left(r, 1, &q, &stop, NULL, NULL),
	    ACL_REACH_NETS);
}
END_TEST

static Suite *
acl_policy_suite(void)
{
	Suite *s = suite_create("acl_policy");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_names_and_nets);
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_auth);
	tcase_add_test(tc, test_reach_names);
	tcase_add_test(tc, test_reach_left);
	tcase_add_test(tc, test_listeners);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(acl_policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
