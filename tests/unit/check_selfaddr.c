/*
 * check_selfaddr.c - unit tests for src/selfaddr.c (the rule destination
 * "self").
 *
 * Covered: selfaddr_match over a hand-made table (both families, port
 * ignored, IPv4-mapped/compatible/NAT64 forms of a table address, IPv6
 * scope ids, other families); selfaddr_has on this host: loopback (when
 * the loopback interface has it) and every address getifaddrs reports
 * are found, documentation addresses are not.
 */
#include <check.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "selfaddr.h"

static struct sockaddr_storage
sa_of(const char *ip, uint16_t port, uint32_t scope)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_scope_id = scope;
	}
	return ss;
}

static bool
in_tab(const struct sockaddr_storage *tab, size_t n, const char *ip,
    uint32_t scope)
{
	struct sockaddr_storage ss = sa_of(ip, 8080, scope);

	return selfaddr_match(tab, n, (struct sockaddr *)&ss);
}

START_TEST(test_match)
{
	struct sockaddr_storage tab[3];

	tab[0] = sa_of("192.0.2.10", 0, 0);
	tab[1] = sa_of("2001:db8::10", 0, 0);
	tab[2] = sa_of("fe80::10", 0, 2);
	ck_assert(in_tab(tab, 3, "192.0.2.10", 0));
	ck_assert(in_tab(tab, 3, "2001:db8::10", 0));
	ck_assert(!in_tab(tab, 3, "192.0.2.11", 0));
	ck_assert(!in_tab(tab, 3, "2001:db8::11", 0));
	/* IPv6 forms of the IPv4 address */
	ck_assert(in_tab(tab, 3, "::ffff:192.0.2.10", 0));
	ck_assert(in_tab(tab, 3, "::192.0.2.10", 0));
	ck_assert(in_tab(tab, 3, "64:ff9b::192.0.2.10", 0));
	/* scope ids: the same link, or unscoped */
	ck_assert(in_tab(tab, 3, "fe80::10", 2));
	ck_assert(in_tab(tab, 3, "fe80::10", 0));
	ck_assert(!in_tab(tab, 3, "fe80::10", 3));
	ck_assert(!in_tab(tab, 0, "192.0.2.10", 0));
}
END_TEST

START_TEST(test_this_host)
{
	struct ifaddrs *ifa, *i;
	struct sockaddr_storage ss;
	size_t checked = 0;

	ck_assert_int_eq(getifaddrs(&ifa), 0);
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		ck_assert_msg(selfaddr_has(i->ifa_addr), "interface %s: "
		    "address not found", i->ifa_name);
		checked++;
	}
	freeifaddrs(ifa);
	ck_assert_uint_gt(checked, 0);
	ss = sa_of("192.0.2.254", 80, 0);
	ck_assert(!selfaddr_has((struct sockaddr *)&ss));
	ss = sa_of("2001:db8::fe", 80, 0);
	ck_assert(!selfaddr_has((struct sockaddr *)&ss));
}
END_TEST

static Suite *
selfaddr_suite(void)
{
	Suite *s = suite_create("selfaddr");
	TCase *tc = tcase_create("selfaddr");

	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_this_host);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(selfaddr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
