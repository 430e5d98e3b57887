/*
 * check_route.c - unit tests for route.c (chained relays, RFC 3089
 * section 4): which destinations go through which upstream gateways.
 *
 * Covered: route_name_match (exact names; "*.suffix" matching names
 * below the suffix at any depth but never the bare suffix nor a name that
 * merely ends with the same characters; case-insensitivity on both sides;
 * one trailing dot of the name ignored, two not); route_match (CIDR
 * networks and bare addresses of both families against literal
 * destinations, a network of one family never matching an address of the
 * other; names never matching networks, addresses never matching name
 * patterns; names and networks mixed in one entry; ports and port
 * ranges with their bounds; first match wins; an entry without `to`
 * matching every destination, one without `ports` every port; no routes
 * at all).
 */
#include "sgconfig.h"

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
#include "route.h"

/* --- helpers: routes built by hand, as the config module would --- */

#define MAXR	8
#define MAXE	8

static struct route	routes[MAXR];
static char		*names[MAXR][MAXE];
static char		 namebuf[MAXR][MAXE][256];
static struct addr_cidr	nets[MAXR][MAXE];
static struct acl_portrange ports[MAXR][MAXE];

static void
reset(void)
{
	memset(routes, 0, sizeof(routes));
	memset(names, 0, sizeof(names));
	memset(nets, 0, sizeof(nets));
	memset(ports, 0, sizeof(ports));
	memset(namebuf, 0, sizeof(namebuf));
}

/*
 * Route i gets destinations to (NULL-terminated list of name patterns,
 * networks and bare addresses, split like the config does: what parses
 * as a network is a network) and ports (pairs lo,hi; terminated by 0).
 */
static void
set_route(size_t i, const char *const *to, const uint16_t *pr)
{
	struct route *r = &routes[i];
	size_t k;

	ck_assert_uint_lt(i, MAXR);
	memset(r, 0, sizeof(*r));
	r->action = ROUTE_CHAIN;
	r->line = (int)i + 1;
	r->names = names[i];
	r->nets = nets[i];
	r->ports = ports[i];
	for (k = 0; to != NULL && to[k] != NULL; k++) {
		ck_assert_uint_lt(k, MAXE);
		if (addr_parse_cidr(to[k], &nets[i][r->nnets]) == ADDR_OK)
			r->nnets++;
		else {
			snprintf(namebuf[i][r->nnames],
			    sizeof(namebuf[i][r->nnames]), "%s", to[k]);
			names[i][r->nnames] = namebuf[i][r->nnames];
			r->nnames++;
		}
	}
	for (k = 0; pr != NULL && pr[k] != 0; k += 2) {
		ck_assert_uint_lt(r->nports, MAXE);
		ports[i][r->nports].lo = pr[k];
		ports[i][r->nports].hi = pr[k + 1];
		r->nports++;
	}
}

/* A literal address (no port) as a sockaddr. */
static const struct sockaddr *
sa(const char *text)
{
	static struct sockaddr_storage ss[4];
	static unsigned next;
	struct sockaddr_storage *s = &ss[next++ % 4];

	memset(s, 0, sizeof(*s));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)s;

		s6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
		s6->sin6_port = htons(1080);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)s;

		s4->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &s4->sin_addr), 1);
		s4->sin_port = htons(1080);
	}
	return (const struct sockaddr *)s;
}

static int
by_name(size_t n, const char *name, uint16_t port)
{
	return route_match(routes, n, name, NULL, port);
}

static int
by_addr(size_t n, const char *addr, uint16_t port)
{
	return route_match(routes, n, NULL, sa(addr), port);
}

#define NAME_YES(p, n) ck_assert_msg(route_name_match(p, n), \
	"\"%s\" should match \"%s\"", n, p)
#define NAME_NO(p, n) ck_assert_msg(!route_name_match(p, n), \
	"\"%s\" should not match \"%s\"", n, p)

/* --- route_name_match --- */

START_TEST(test_name_exact)
{
	NAME_YES("intranet.example", "intranet.example");
	NAME_YES("a", "a");
	NAME_NO("intranet.example", "x.intranet.example");
	NAME_NO("intranet.example", "intranet.example.com");
	NAME_NO("intranet.example", "ntranet.example");
	NAME_NO("intranet.example", "intranet.exampl");
	NAME_NO("intranet.example", "xintranet.example");
	NAME_NO("intranet.example", "");
	NAME_NO("intranet.example", "intranet-example");
}
END_TEST

START_TEST(test_name_suffix)
{
	NAME_YES("*.corp.example", "a.corp.example");
	NAME_YES("*.corp.example", "www.corp.example");
	NAME_YES("*.corp.example", "a.b.c.corp.example");
	/* the suffix itself is not below itself */
	NAME_NO("*.corp.example", "corp.example");
	NAME_NO("*.corp.example", "corp.example.");
	/* the same characters are not the same labels */
	NAME_NO("*.corp.example", "xcorp.example");
	NAME_NO("*.corp.example", "a.xcorp.example");
	NAME_NO("*.corp.example", "a.corp.example.com");
	NAME_NO("*.corp.example", "a.corp.exampl");
	NAME_NO("*.corp.example", "example");
	NAME_NO("*.corp.example", "");
	/* one label */
	NAME_YES("*.example", "corp.example");
	NAME_YES("*.example", "a.corp.example");
	NAME_NO("*.example", "example");
	NAME_NO("*.example", "anexample");
	/* "*.x" is a pattern; "*x" is not, so it is only itself */
	NAME_NO("*.corp.example", "*.corp.example.com");
}
END_TEST

START_TEST(test_name_case)
{
	NAME_YES("intranet.example", "INTRANET.EXAMPLE");
	NAME_YES("intranet.example", "Intranet.Example");
	NAME_YES("INTRANET.Example", "intranet.example");
	NAME_YES("*.corp.example", "WWW.CORP.EXAMPLE");
	NAME_YES("*.Corp.EXAMPLE", "www.corp.example");
	NAME_YES("*.CORP.EXAMPLE", "Mail.Corp.Example");
	NAME_NO("*.CORP.EXAMPLE", "CORP.EXAMPLE");
}
END_TEST

START_TEST(test_name_trailing_dot)
{
	NAME_YES("intranet.example", "intranet.example.");
	NAME_YES("INTRANET.example", "intranet.EXAMPLE.");
	NAME_YES("*.corp.example", "a.corp.example.");
	NAME_YES("*.corp.example", "a.b.corp.example.");
	/* only one dot is ignored */
	NAME_NO("intranet.example", "intranet.example..");
	NAME_NO("*.corp.example", "a.corp.example..");
	/* a lone dot is not a name */
	NAME_NO("intranet.example", ".");
	NAME_NO("*.corp.example", ".");
}
END_TEST

/* --- route_match: networks --- */

START_TEST(test_cidr_v4)
{
	static const char *const to[] = { "10.0.0.0/8", "192.0.2.7", NULL };

	reset();
	set_route(0, to, NULL);
	ck_assert_uint_eq(routes[0].nnets, 2);
	ck_assert_int_eq(by_addr(1, "10.0.0.0", 80), 0);
	ck_assert_int_eq(by_addr(1, "10.1.2.3", 80), 0);
	ck_assert_int_eq(by_addr(1, "10.255.255.255", 443), 0);
	ck_assert_int_eq(by_addr(1, "11.0.0.0", 80), -1);
	ck_assert_int_eq(by_addr(1, "9.255.255.255", 80), -1);
	/* a bare address is a /32 */
	ck_assert_int_eq(by_addr(1, "192.0.2.7", 80), 0);
	ck_assert_int_eq(by_addr(1, "192.0.2.6", 80), -1);
	ck_assert_int_eq(by_addr(1, "192.0.2.8", 80), -1);
	/* IPv4 networks match IPv6 addresses only when they carry IPv4 */
	ck_assert_int_eq(by_addr(1, "::a00:1", 80), 0);
	ck_assert_int_eq(by_addr(1, "64:ff9b::a00:1", 80), 0);
	ck_assert_int_eq(by_addr(1, "2001:db8::a00:1", 80), -1);
	ck_assert_int_eq(by_addr(1, "2001:db8::1", 80), -1);
	ck_assert_int_eq(by_addr(1, "::1", 80), -1);
}
END_TEST

START_TEST(test_cidr_v6)
{
	static const char *const to[] = { "2001:db8::/32", "fd00::7", NULL };

	reset();
	set_route(0, to, NULL);
	ck_assert_uint_eq(routes[0].nnets, 2);
	ck_assert_int_eq(by_addr(1, "2001:db8::", 80), 0);
	ck_assert_int_eq(by_addr(1, "2001:db8:1:2::5", 80), 0);
	ck_assert_int_eq(by_addr(1, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
	    80), 0);
	ck_assert_int_eq(by_addr(1, "2001:db9::1", 80), -1);
	ck_assert_int_eq(by_addr(1, "2001:db7:ffff::1", 80), -1);
	ck_assert_int_eq(by_addr(1, "fd00::7", 80), 0);
	ck_assert_int_eq(by_addr(1, "fd00::8", 80), -1);
	/* IPv6 networks never match IPv4 addresses */
	ck_assert_int_eq(by_addr(1, "32.1.13.184", 80), -1);
	ck_assert_int_eq(by_addr(1, "127.0.0.1", 80), -1);
}
END_TEST

START_TEST(test_cidr_everything)
{
	static const char *const to4[] = { "0.0.0.0/0", NULL };
	static const char *const to6[] = { "::/0", NULL };

	reset();
	set_route(0, to4, NULL);
	set_route(1, to6, NULL);
	ck_assert_int_eq(by_addr(2, "203.0.113.9", 80), 0);
	ck_assert_int_eq(by_addr(2, "2001:db8::9", 80), 1);
	ck_assert_int_eq(by_addr(2, "::1", 80), 1);
}
END_TEST

/* --- route_match: names and addresses kept apart --- */

START_TEST(test_names_never_match_nets)
{
	static const char *const to[] = { "0.0.0.0/0", "::/0", NULL };

	reset();
	set_route(0, to, NULL);
	ck_assert_uint_eq(routes[0].nnets, 2);
	ck_assert_uint_eq(routes[0].nnames, 0);
	ck_assert_int_eq(by_name(1, "www.example", 80), -1);
	ck_assert_int_eq(by_name(1, "localhost", 80), -1);
	/* the name is not resolved, nor read as an address, here */
	ck_assert_int_eq(by_name(1, "10.1.2.3", 80), -1);
	ck_assert_int_eq(by_name(1, "2001:db8::1", 80), -1);
}
END_TEST

START_TEST(test_addrs_never_match_names)
{
	static const char *const to[] = { "*.example", "localhost",
	    "*.in-addr.arpa", "*.ip6.arpa", NULL };
	static const char *const to2[] = { "*.0.0.10", NULL };

	reset();
	set_route(0, to, NULL);
	ck_assert_uint_eq(routes[0].nnames, 4);
	ck_assert_uint_eq(routes[0].nnets, 0);
	ck_assert_int_eq(by_addr(1, "10.1.2.3", 80), -1);
	ck_assert_int_eq(by_addr(1, "127.0.0.1", 80), -1);
	ck_assert_int_eq(by_addr(1, "::1", 80), -1);
	ck_assert_int_eq(by_addr(1, "2001:db8::1", 80), -1);
	/* a pattern that looks like the end of an address */
	set_route(0, to2, NULL);
	ck_assert_int_eq(by_addr(1, "1.0.0.10", 80), -1);
	ck_assert_int_eq(by_name(1, "x.0.0.10", 80), 0);
}
END_TEST

START_TEST(test_names_and_nets_mixed)
{
	static const char *const to[] = { "*.corp.example", "10.0.0.0/8",
	    "intranet.example", "2001:db8::/32", NULL };

	reset();
	set_route(0, to, NULL);
	ck_assert_uint_eq(routes[0].nnames, 2);
	ck_assert_uint_eq(routes[0].nnets, 2);
	ck_assert_int_eq(by_name(1, "a.corp.example", 80), 0);
	ck_assert_int_eq(by_name(1, "intranet.example", 80), 0);
	ck_assert_int_eq(by_name(1, "INTRANET.EXAMPLE.", 80), 0);
	ck_assert_int_eq(by_name(1, "corp.example", 80), -1);
	ck_assert_int_eq(by_name(1, "other.example", 80), -1);
	ck_assert_int_eq(by_addr(1, "10.9.8.7", 80), 0);
	ck_assert_int_eq(by_addr(1, "2001:db8::5", 80), 0);
	ck_assert_int_eq(by_addr(1, "192.0.2.1", 80), -1);
	ck_assert_int_eq(by_addr(1, "2001:db9::5", 80), -1);
}
END_TEST

/* --- route_match: ports --- */

START_TEST(test_ports)
{
	static const char *const to[] = { "*.corp.example", "10.0.0.0/8",
	    NULL };
	static const uint16_t pr[] = { 443, 443, 8000, 8999, 0 };

	reset();
	set_route(0, to, pr);
	ck_assert_int_eq(by_name(1, "a.corp.example", 443), 0);
	ck_assert_int_eq(by_name(1, "a.corp.example", 8000), 0);
	ck_assert_int_eq(by_name(1, "a.corp.example", 8500), 0);
	ck_assert_int_eq(by_name(1, "a.corp.example", 8999), 0);
	ck_assert_int_eq(by_name(1, "a.corp.example", 442), -1);
	ck_assert_int_eq(by_name(1, "a.corp.example", 444), -1);
	ck_assert_int_eq(by_name(1, "a.corp.example", 7999), -1);
	ck_assert_int_eq(by_name(1, "a.corp.example", 9000), -1);
	ck_assert_int_eq(by_name(1, "a.corp.example", 80), -1);
	ck_assert_int_eq(by_name(1, "a.corp.example", 1), -1);
	ck_assert_int_eq(by_name(1, "a.corp.example", 65535), -1);
	ck_assert_int_eq(by_addr(1, "10.0.0.1", 443), 0);
	ck_assert_int_eq(by_addr(1, "10.0.0.1", 80), -1);
	/* the right port, the wrong destination */
	ck_assert_int_eq(by_name(1, "a.other.example", 443), -1);
	ck_assert_int_eq(by_addr(1, "11.0.0.1", 443), -1);
}
END_TEST

START_TEST(test_ports_bounds)
{
	static const uint16_t pr[] = { 1, 1, 65535, 65535, 0 };
	static const uint16_t all[] = { 1, 65535, 0 };

	reset();
	set_route(0, NULL, pr);
	ck_assert_int_eq(by_name(1, "x.example", 1), 0);
	ck_assert_int_eq(by_name(1, "x.example", 65535), 0);
	ck_assert_int_eq(by_name(1, "x.example", 2), -1);
	ck_assert_int_eq(by_name(1, "x.example", 65534), -1);
	set_route(0, NULL, all);
	ck_assert_int_eq(by_name(1, "x.example", 1), 0);
	ck_assert_int_eq(by_name(1, "x.example", 65535), 0);
	ck_assert_int_eq(by_addr(1, "::1", 32768), 0);
}
END_TEST

/* --- route_match: order, catch-all --- */

START_TEST(test_first_match_wins)
{
	static const char *const corp[] = { "*.corp.example", NULL };
	static const char *const net[] = { "10.0.0.0/8", NULL };
	static const char *const net2[] = { "10.1.0.0/16", NULL };
	static const uint16_t https[] = { 443, 443, 0 };

	reset();
	set_route(0, corp, https);	/* 0: corp, port 443 */
	set_route(1, corp, NULL);	/* 1: corp, any port */
	set_route(2, net, NULL);	/* 2: 10/8 */
	set_route(3, net2, NULL);	/* 3: 10.1/16: shadowed by 2 */
	set_route(4, NULL, NULL);	/* 4: everything else */
	ck_assert_int_eq(by_name(5, "a.corp.example", 443), 0);
	ck_assert_int_eq(by_name(5, "a.corp.example", 80), 1);
	ck_assert_int_eq(by_name(5, "corp.example", 443), 4);
	ck_assert_int_eq(by_name(5, "www.example", 80), 4);
	ck_assert_int_eq(by_addr(5, "10.1.2.3", 443), 2);
	ck_assert_int_eq(by_addr(5, "192.0.2.1", 443), 4);
	ck_assert_int_eq(by_addr(5, "::1", 443), 4);
	/* fewer routes: the catch-all is not looked at */
	ck_assert_int_eq(by_name(4, "www.example", 80), -1);
	ck_assert_int_eq(by_addr(4, "10.1.2.3", 80), 2);
	/* the catch-all first shadows everything */
	set_route(0, NULL, NULL);
	ck_assert_int_eq(by_name(5, "a.corp.example", 443), 0);
	ck_assert_int_eq(by_addr(5, "10.1.2.3", 80), 0);
}
END_TEST

START_TEST(test_no_to_matches_all)
{
	static const uint16_t high[] = { 1024, 65535, 0 };

	reset();
	set_route(0, NULL, NULL);
	ck_assert_int_eq(by_name(1, "www.example", 80), 0);
	ck_assert_int_eq(by_name(1, "localhost", 1), 0);
	ck_assert_int_eq(by_name(1, "x", 65535), 0);
	ck_assert_int_eq(by_addr(1, "192.0.2.1", 443), 0);
	ck_assert_int_eq(by_addr(1, "2001:db8::1", 443), 0);
	ck_assert_int_eq(by_addr(1, "127.0.0.1", 443), 0);
	/* without `to` but with ports: every destination on those ports */
	set_route(0, NULL, high);
	ck_assert_int_eq(by_name(1, "www.example", 1024), 0);
	ck_assert_int_eq(by_addr(1, "2001:db8::1", 8080), 0);
	ck_assert_int_eq(by_name(1, "www.example", 80), -1);
	ck_assert_int_eq(by_addr(1, "192.0.2.1", 1023), -1);
}
END_TEST

START_TEST(test_no_routes)
{
	reset();
	ck_assert_int_eq(route_match(routes, 0, "www.example", NULL, 80), -1);
	ck_assert_int_eq(route_match(routes, 0, NULL, sa("192.0.2.1"), 80),
	    -1);
	ck_assert_int_eq(route_match(NULL, 0, "www.example", NULL, 80), -1);
}
END_TEST

START_TEST(test_action_does_not_matter)
{
	static const char *const corp[] = { "*.corp.example", NULL };

	/* route_match only finds the entry; deny/direct are the caller's */
	reset();
	set_route(0, corp, NULL);
	set_route(1, NULL, NULL);
	routes[0].action = ROUTE_DENY;
	routes[1].action = ROUTE_DIRECT;
	ck_assert_int_eq(by_name(2, "a.corp.example", 80), 0);
	ck_assert_int_eq(by_name(2, "b.example", 80), 1);
}
END_TEST

static Suite *
route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_name_exact);
	tcase_add_test(tc, test_name_suffix);
	tcase_add_test(tc, test_name_case);
	tcase_add_test(tc, test_name_trailing_dot);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_test(tc, test_cidr_v4);
	tcase_add_test(tc, test_cidr_v6);
	tcase_add_test(tc, test_cidr_everything);
	tcase_add_test(tc, test_names_never_match_nets);
	tcase_add_test(tc, test_addrs_never_match_names);
	tcase_add_test(tc, test_names_and_nets_mixed);
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_ports_bounds);
	tcase_add_test(tc, test_first_match_wins);
	tcase_add_test(tc, test_no_to_matches_all);
	tcase_add_test(tc, test_no_routes);
	tcase_add_test(tc, test_action_does_not_matter);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(route_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
